//! Settings from the environment.

use std::env;

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
        })
    }

    /// Whether the service runs on the embedded default database, where an empty
    /// directory is filled with the demo set so that a first start shows something.
    pub fn uses_default_database(&self) -> bool {
        self.database_url == DEFAULT_DATABASE_URL
    }
}
