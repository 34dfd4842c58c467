//! The client's address, for per-address limits. Behind a reverse proxy or load balancer
//! every connection comes from the proxy, so the addresses of trusted proxies
//! (`MOBILITY_TRUSTED_PROXIES`) are looked through via `X-Forwarded-For`; anyone else's
//! `X-Forwarded-For` is ignored, because a client can write whatever it likes there.

use std::net::IpAddr;

use actix_web::{HttpRequest, web};

/// Networks whose connections may speak for a client in `X-Forwarded-For`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<(IpAddr, u8)>,
}

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR networks, e.g.
    /// `10.0.0.0/8, 192.168.1.10, fd00::/8`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (address, prefix) = match item.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (item, None),
            };
            let address: IpAddr = address.parse().map_err(|_| {
                format!("MOBILITY_TRUSTED_PROXIES: `{item}` is not an address or network")
            })?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| {
                    format!("MOBILITY_TRUSTED_PROXIES: `{item}` has a bad prefix length")
                })?,
                None => max,
            };
            networks.push((address, prefix));
        }
        Ok(TrustedProxies { networks })
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.networks
            .iter()
            .any(|(network, prefix)| in_network(ip, *network, *prefix))
    }
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    let (ip, network, bits) = match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    if prefix == 0 {
        return true;
    }
    let shift = bits - u32::from(prefix);
    (ip >> shift) == (network >> shift)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_match_by_prefix() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.168.1.10, fd00::/8").unwrap();
        assert!(t.trusts("10.20.30.40".parse().unwrap()));
        assert!(t.trusts("192.168.1.10".parse().unwrap()));
        assert!(!t.trusts("192.168.1.11".parse().unwrap()));
        assert!(t.trusts("fd12::1".parse().unwrap()));
        assert!(!t.trusts("2001:db8::1".parse().unwrap()));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
