//! Settings from the environment.

use std::env;
use std::sync::Arc;

use crate::domain::networks::Networks;
use crate::outbound::TestNetwork;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/mobility.sqlite3";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `MOBILITY_BIND`: address and port to listen on.
    pub bind: String,
    /// `DATABASE_URL`: `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// `MOBILITY_DB_POOL_SIZE`: connections in the pool.
    pub pool_size: u32,
    /// `MOBILITY_MIGRATE_ON_START`: apply pending migrations when serving (default true).
    pub migrate_on_start: bool,
    /// `MOBILITY_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `MOBILITY_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `MOBILITY_JWT_SECRET`: the key that signs access tokens, at least 32 bytes. When
    /// unset, a random key is made at start (development mode: tokens die with the process).
    pub jwt_secret: Option<String>,
    /// `MOBILITY_TOKEN_TTL_SECONDS`: how long an access token lives, 60 to 3600 (default 3600).
    pub token_ttl_seconds: i64,
    /// `MOBILITY_TRUSTED_PROXIES`: addresses and networks of reverse proxies whose
    /// `X-Forwarded-For` names the client (default: none).
    pub trusted_proxies: crate::api::http::client_address::TrustedProxies,
    /// `MOBILITY_RESPONSE_CACHE_MB`: memory for kept public answers, 0 to keep none
    /// (default 32).
    pub response_cache_mb: usize,
    /// `MOBILITY_SEARCH_INDEX`: `on` (default) answers lists, searches and facets from an
    /// in-memory index of the published entries; `off` from the database alone.
    pub search_index: bool,
    /// `MOBILITY_METRICS_BIND`: where `/metrics` is served on a listener of its own (for
    /// an address only the monitoring network reaches); unset, it is served on `bind`.
    pub metrics_bind: Option<String>,
    /// `MOBILITY_CORS_ORIGINS`: the origins (`https://staff.example.org`, comma-separated)
    /// whose browser code may call the write endpoints; any origin may read (default: none).
    pub cors_origins: Vec<String>,
    /// `MOBILITY_PUBLIC_URL`: the address partners reach the service at, for the absolute
    /// links of feeds and JSON-LD (default: `http://` and `MOBILITY_BIND`). Never taken
    /// from a request's `Host`, which a client chooses and the response cache would keep.
    pub public_url: String,
    /// `MOBILITY_RATE_LIMIT_ANONYMOUS`: requests per minute an address may make without a
    /// key, per instance (default 600; 0 turns the limit off).
    pub anonymous_per_minute: u32,
    /// `MOBILITY_RATE_LIMIT_KEY`: requests per minute a new partner key may make, across
    /// all instances, unless an admin sets another (default 6000).
    pub key_per_minute: u32,
    /// `MOBILITY_OUTBOUND_ALLOW`: addresses and networks that are not public (loopback,
    /// private, link-local, …) which outbound requests such as webhooks may reach all the
    /// same (default: none).
    pub outbound_allow: Networks,
    /// For tests only, never read from the environment: a stand-in for DNS and sockets
    /// under the outbound client (`None`: the system's).
    pub outbound_network: Option<Arc<TestNetwork>>,
}

impl Settings {
    pub fn from_env() -> Result<Settings, String> {
        let var = |name: &str| env::var(name).ok().filter(|v| !v.is_empty());
        Ok(Settings {
            bind: var("MOBILITY_BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            pool_size: match var("MOBILITY_DB_POOL_SIZE") {
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or("MOBILITY_DB_POOL_SIZE must be an integer from 1 to 256")?,
                None => 8,
            },
            migrate_on_start: match var("MOBILITY_MIGRATE_ON_START").as_deref() {
                None | Some("true") => true,
                Some("false") => false,
                Some(_) => return Err("MOBILITY_MIGRATE_ON_START must be true or false".into()),
            },
            log_format: match var("MOBILITY_LOG_FORMAT").as_deref() {
                None | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(_) => return Err("MOBILITY_LOG_FORMAT must be text or json".into()),
            },
            workers: match var("MOBILITY_WORKERS") {
                Some(v) => Some(
                    v.parse()
                        .ok()
                        .filter(|n| (1..=512).contains(n))
                        .ok_or("MOBILITY_WORKERS must be an integer from 1 to 512")?,
                ),
                None => None,
            },
            jwt_secret: var("MOBILITY_JWT_SECRET"),
            token_ttl_seconds: match var("MOBILITY_TOKEN_TTL_SECONDS") {
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|n| (60..=3600).contains(n))
                    .ok_or("MOBILITY_TOKEN_TTL_SECONDS must be an integer from 60 to 3600")?,
                None => 3600,
            },
            trusted_proxies: crate::api::http::client_address::TrustedProxies::parse(
                &var("MOBILITY_TRUSTED_PROXIES").unwrap_or_default(),
            )?,
            response_cache_mb: match var("MOBILITY_RESPONSE_CACHE_MB") {
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|n| *n <= 4096)
                    .ok_or("MOBILITY_RESPONSE_CACHE_MB must be an integer from 0 to 4096")?,
                None => 32,
            },
            search_index: match var("MOBILITY_SEARCH_INDEX").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(_) => return Err("MOBILITY_SEARCH_INDEX must be on or off".into()),
            },
            metrics_bind: var("MOBILITY_METRICS_BIND"),
            cors_origins: parse_origins(&var("MOBILITY_CORS_ORIGINS").unwrap_or_default())?,
            anonymous_per_minute: match var("MOBILITY_RATE_LIMIT_ANONYMOUS") {
                Some(v) => v.parse().ok().filter(|n| *n <= 1_000_000).ok_or(
                    "MOBILITY_RATE_LIMIT_ANONYMOUS must be an integer from 0 (no limit) to 1000000",
                )?,
                None => 600,
            },
            key_per_minute: match var("MOBILITY_RATE_LIMIT_KEY") {
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|n| (1..=1_000_000).contains(n))
                    .ok_or("MOBILITY_RATE_LIMIT_KEY must be an integer from 1 to 1000000")?,
                None => 6000,
            },
            outbound_allow: Networks::parse(&var("MOBILITY_OUTBOUND_ALLOW").unwrap_or_default())
                .map_err(|e| format!("MOBILITY_OUTBOUND_ALLOW: {e}"))?,
            outbound_network: None,
            public_url: parse_public_url(
                var("MOBILITY_PUBLIC_URL"),
                &var("MOBILITY_BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            )?,
        })
    }

    /// The token keys, refusing a configured secret that is too short.
    pub fn token_keys(&self) -> Result<crate::auth::token::TokenKeys, String> {
        match &self.jwt_secret {
            Some(secret) => {
                crate::auth::token::TokenKeys::new(secret.as_bytes(), self.token_ttl_seconds)
            }
            None => {
                tracing::warn!(
                    "MOBILITY_JWT_SECRET is not set: development mode, signing tokens with a random key made at start"
                );
                crate::auth::token::TokenKeys::new(
                    &crate::auth::token::TokenKeys::random_secret(),
                    self.token_ttl_seconds,
                )
            }
        }
    }

    /// Whether the service runs on the embedded default database, where an empty
    /// directory is filled with the demo set so that a first start shows something.
    pub fn uses_default_database(&self) -> bool {
        self.database_url == DEFAULT_DATABASE_URL
    }
}

/// The public address: an `http` or `https` URL without query or fragment, kept without
/// a trailing slash; by default the bind address, unless that names no address a partner
/// could reach (a wildcard such as `0.0.0.0` or `[::]`, or port 0): then every feed,
/// JSON-LD and webhook link would be broken, so the setting is required.
pub fn parse_public_url(configured: Option<String>, bind: &str) -> Result<String, String> {
    let Some(value) = configured else {
        if let Ok(address) = bind.parse::<std::net::SocketAddr>()
            && (address.ip().is_unspecified() || address.port() == 0)
        {
            return Err(format!(
                "MOBILITY_BIND is {bind}, which is not an address partners can reach, and MOBILITY_PUBLIC_URL is not set: \
                 feeds, JSON-LD, next_url and webhooks would link to it. Set MOBILITY_PUBLIC_URL to the address the \
                 service is reached at (https://directory.example.org)"
            ));
        }
        return Ok(format!("http://{bind}"));
    };
    let url = url::Url::parse(&value)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .filter(|u| u.query().is_none() && u.fragment().is_none())
        .ok_or_else(|| {
            format!("MOBILITY_PUBLIC_URL: {value:?} is not an http(s) URL like https://directory.example.org")
        })?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Parses a comma-separated list of web origins (`scheme://host[:port]`) into their
/// serialized form, which is what browsers send in `Origin`.
pub fn parse_origins(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let refused = || {
                format!(
                    "MOBILITY_CORS_ORIGINS: {o:?} is not an origin like https://staff.example.org (scheme, host and port only)"
                )
            };
            let url = url::Url::parse(o).map_err(|_| refused())?;
            let origin = url.origin().ascii_serialization();
            let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
            if matches!(url.scheme(), "http" | "https") && bare && origin != "null" {
                Ok(origin)
            } else {
                Err(refused())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{parse_origins, parse_public_url};

    #[test]
    fn the_public_url_defaults_to_the_bind_address_and_loses_its_trailing_slash() {
        assert_eq!(
            parse_public_url(None, "127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            parse_public_url(Some("https://dir.example.org/".into()), "x").unwrap(),
            "https://dir.example.org"
        );
        assert_eq!(
            parse_public_url(Some("https://example.org/mobility/".into()), "x").unwrap(),
            "https://example.org/mobility"
        );
        assert!(parse_public_url(Some("dir.example.org".into()), "x").is_err());
        for wildcard in ["0.0.0.0:8080", "[::]:8080", "127.0.0.1:0"] {
            let refused = parse_public_url(None, wildcard).unwrap_err();
            assert!(refused.contains("MOBILITY_PUBLIC_URL"), "{refused}");
        }
        assert_eq!(
            parse_public_url(Some("https://dir.example.org".into()), "0.0.0.0:8080").unwrap(),
            "https://dir.example.org"
        );
        assert_eq!(
            parse_public_url(None, "localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert!(parse_public_url(Some("https://a.example/?x=1".into()), "x").is_err());
    }

    #[test]
    fn origins_are_serialized_as_browsers_send_them() {
        assert_eq!(
            parse_origins("https://Staff.Example.org, http://localhost:3000/").unwrap(),
            vec!["https://staff.example.org", "http://localhost:3000"]
        );
        assert_eq!(parse_origins(" ").unwrap(), Vec::<String>::new());
        for bad in [
            "staff.example.org",
            "https://a.example/path",
            "ftp://a.example",
            "*",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
    }
}
