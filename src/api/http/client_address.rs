//! The client's address, for per-address limits. Behind a reverse proxy or load balancer
//! every connection comes from the proxy, so the addresses of trusted proxies
//! (`MOBILITY_TRUSTED_PROXIES`) are looked through via `X-Forwarded-For`; anyone else's
//! `X-Forwarded-For` is ignored, because a client can write whatever it likes there.

use std::net::IpAddr;

use actix_web::{HttpRequest, web};

use crate::domain::networks::Networks;

/// Networks whose connections may speak for a client in `X-Forwarded-For`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Networks);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR networks, e.g.
    /// `10.0.0.0/8, 192.168.1.10, fd00::/8`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        Networks::parse(list)
            .map(TrustedProxies)
            .map_err(|e| format!("MOBILITY_TRUSTED_PROXIES: {e}"))
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.contains(ip)
    }
}

/// The address per-address limits count: the connection's peer, or, when the peer is a
/// trusted proxy, the nearest untrusted address in `X-Forwarded-For`.
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let trusted = req.app_data::<web::Data<TrustedProxies>>();
    let Some(trusted) = trusted.filter(|t| t.trusts(peer)) else {
        return peer.to_string();
    };
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted.trusts(**ip))
        .copied()
        .unwrap_or(peer)
        .to_string()
}
