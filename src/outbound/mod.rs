//! Everything the service sends out over HTTP goes through the one [`Client`] here, so
//! that no caller can forget a bound: only http and https; the address rule
//! ([`address`]) checked on the URL and again on the address each connection actually
//! goes to, after DNS, on every redirect hop; no proxy from the environment; one time
//! limit for the whole exchange; a cap on how much of an answer is read; a limit on
//! redirects.

pub mod address;
pub mod test_network;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Connector, NativeTlsConnector, NextTimeout, TcpConnector};

pub use address::Policy;
pub use test_network::TestNetwork;

/// How long one exchange may take, from the first connection to the last byte read of
/// the answer, redirects included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an answer's body is read (callers need only the status; a body read to its
/// end lets the connection serve again); past it, the connection is closed unread.
pub const BODY_CAP: u64 = 16 * 1024;
/// How many redirects (307 and 308, which keep the method and body) are followed.
pub const MAX_REDIRECTS: usize = 3;

/// What a receiver answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
}

/// Why no answer came.
#[derive(Debug)]
pub enum Failure {
    /// The address rule refused the URL or where it led; nothing was sent there.
    Refused(String),
    /// No complete answer within [`TIMEOUT`].
    TimedOut,
    /// Anything else on the way: DNS, the connection, TLS, a malformed answer.
    Failed(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused(why) => write!(f, "refused: {why}"),
            Failure::TimedOut => {
                write!(f, "no complete answer within {} seconds", TIMEOUT.as_secs())
            }
            Failure::Failed(why) => f.write_str(why),
        }
    }
}

/// The one HTTP client of the service. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    policy: Arc<Policy>,
}

impl Client {
    /// A client under `policy`, on the system's DNS and sockets, or on a test's stand-in
    /// for them.
    pub fn new(policy: Policy, test_network: Option<Arc<TestNetwork>>) -> Client {
        let config = Config::builder()
            .http_status_as_error(false)
            // Redirects are followed here, hop by hop, so that each is checked.
            .max_redirects(0)
            // A proxy would make the connection for us, to where we could not check.
            .proxy(None)
            .timeout_global(Some(TIMEOUT))
            .tls_config(
                TlsConfig::builder()
                    .provider(TlsProvider::NativeTls)
                    .build(),
            )
            .build();
        let connector =
            ().chain(test_network::RecordAttempts(test_network.clone()))
                .chain(TcpConnector::default())
                .chain(NativeTlsConnector::default());
        let resolver = Guard {
            policy: policy.clone(),
            test_network,
            system: DefaultResolver::default(),
        };
        Client {
            agent: ureq::Agent::with_parts(config, connector, resolver),
            policy: Arc::new(policy),
        }
    }

    /// POSTs `body` with `headers` to `url`, following up to [`MAX_REDIRECTS`] redirects
    /// that keep the method (307, 308); any other answer, a 301, 302 or 303 included, is
    /// the answer.
    pub fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, Failure> {
        let deadline = Instant::now() + TIMEOUT;
        let mut url = self
            .policy
            .check_url(url)
            .map_err(|why| Failure::Refused(format!("the URL {why}")))?;
        let mut redirects = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::TimedOut);
            }
            let mut request = self.agent.post(url.as_str());
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let mut response = request
                .config()
                .timeout_global(Some(left))
                .build()
                .send(body)
                .map_err(|e| failure(e, redirects))?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok());
            let Some(location) = location.filter(|_| matches!(status, 307 | 308)) else {
                // An answer whose body breaks off or stalls still answered: its status
                // stands.
                let _ = std::io::copy(
                    &mut response.body_mut().as_reader().take(BODY_CAP),
                    &mut std::io::sink(),
                );
                return Ok(Answer { status });
            };
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(Failure::Failed(format!(
                    "more than {MAX_REDIRECTS} redirects"
                )));
            }
            let next = url.join(location).map_err(|_| {
                Failure::Failed(format!("redirect {redirects} has an unreadable Location"))
            })?;
            url = self.policy.check_url(next.as_str()).map_err(|why| {
                Failure::Refused(format!("redirect {redirects} to {next}: the URL {why}"))
            })?;
        }
    }

    /// Ends every exchange in progress at once (they fail), and any made after.
    pub fn shutdown(&self) {
        self.agent.clone().shutdown();
    }
}

fn failure(e: ureq::Error, redirects: usize) -> Failure {
    let hop = if redirects == 0 {
        String::new()
    } else {
        format!("redirect {redirects}: ")
    };
    match e {
        ureq::Error::Other(inner) => match inner.downcast::<Refusal>() {
            Ok(refusal) => Failure::Refused(format!("{hop}{}", refusal.0)),
            Err(other) => Failure::Failed(format!("{hop}{other}")),
        },
        ureq::Error::Timeout(_) => Failure::TimedOut,
        ureq::Error::HostNotFound => Failure::Failed(format!("{hop}the host name has no address")),
        other => Failure::Failed(format!("{hop}{other}")),
    }
}

/// The address rule, as the reason a connection was not made.
#[derive(Debug)]
struct Refusal(String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Resolves a host name (by DNS, or on the test network) and keeps only the addresses
/// the rule allows: what this returns is all the connector may connect to, for the
/// first request and for every redirect hop alike.
#[derive(Debug)]
struct Guard {
    policy: Policy,
    test_network: Option<Arc<TestNetwork>>,
    system: DefaultResolver,
}

impl Resolver for Guard {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = match &self.test_network {
            Some(network) => network.resolve(uri)?,
            None => self.system.resolve(uri, config, timeout)?,
        };
        let mut kept = self.empty();
        let mut refused = Vec::new();
        for address in found.iter().copied() {
            match self.policy.refusal(address.ip()) {
                None => kept.push(address),
                Some(why) => refused.push(why),
            }
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or_default();
            return Err(ureq::Error::Other(Box::new(Refusal(format!(
                "{host} resolves only to refused addresses: {}",
                refused.join("; ")
            )))));
        }
        Ok(kept)
    }
}
