//! A stand-in for DNS and sockets, for tests: names resolve from a table the test fills,
//! every connection the client is about to make is recorded, and only loopback addresses
//! are actually connected to. A test can so map a name to a forbidden address and see
//! that nothing was attempted, without a packet ever leaving the machine, even if the
//! address rule were broken.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use ureq::Error;
use ureq::http::Uri;
use ureq::unversioned::resolver::ResolvedSocketAddrs;
use ureq::unversioned::transport::{ConnectionDetails, Connector, Transport};

/// The names a test made up, and the connections the client attempted.
#[derive(Debug, Default)]
pub struct TestNetwork {
    names: Mutex<HashMap<String, Vec<IpAddr>>>,
    attempts: Mutex<Vec<SocketAddr>>,
}

impl TestNetwork {
    pub fn new() -> Arc<TestNetwork> {
        Arc::new(TestNetwork::default())
    }

    /// Makes `name` resolve to `addresses`.
    pub fn map(&self, name: &str, addresses: &[IpAddr]) {
        self.names
            .lock()
            .expect("test network names")
            .insert(name.to_ascii_lowercase(), addresses.to_vec());
    }

    /// Every address a connection was attempted to, in order.
    pub fn attempts(&self) -> Vec<SocketAddr> {
        self.attempts.lock().expect("test network attempts").clone()
    }

    /// The addresses of `uri`'s host: a literal address as it is, a mapped name from the
    /// table; any other name does not exist (no DNS query is made).
    pub(super) fn resolve(&self, uri: &Uri) -> Result<ResolvedSocketAddrs, Error> {
        let host = uri.host().ok_or(Error::HostNotFound)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        let addresses = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => self
                .names
                .lock()
                .expect("test network names")
                .get(&host.to_ascii_lowercase())
                .cloned()
                .ok_or(Error::HostNotFound)?,
        };
        let mut resolved = ResolvedSocketAddrs::from_fn(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        for ip in addresses {
            if resolved.try_push(SocketAddr::new(ip, port)).is_err() {
                break;
            }
        }
        Ok(resolved)
    }
}

/// Sits before the TCP connector: records each attempt on the test network, and refuses
/// to let one through to an address that is not loopback.
#[derive(Debug)]
pub(super) struct RecordAttempts(pub Option<Arc<TestNetwork>>);

impl<In: Transport> Connector<In> for RecordAttempts {
    type Out = In;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<In>, Error> {
        let Some(network) = &self.0 else {
            return Ok(chained);
        };
        let addresses: Vec<SocketAddr> = details.addrs.iter().copied().collect();
        network
            .attempts
            .lock()
            .expect("test network attempts")
            .extend(&addresses);
        if let Some(outside) = addresses.iter().find(|a| !a.ip().is_loopback()) {
            return Err(Error::Io(std::io::Error::other(format!(
                "the test network connects only to loopback, not to {outside}"
            ))));
        }
        Ok(chained)
    }
}
