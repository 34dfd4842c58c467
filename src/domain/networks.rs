//! IP networks as settings write them: an address (`192.168.1.10`) or a CIDR network
//! (`10.0.0.0/8`, `fd00::/8`), and comma-separated lists of them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address and how many of its leading bits a member shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// The IPv4 network `a.b.c.d/prefix` (`prefix` at most 32).
    pub const fn v4(address: Ipv4Addr, prefix: u8) -> Network {
        Network {
            address: IpAddr::V4(address),
            prefix,
        }
    }

    /// The IPv6 network `address/prefix` (`prefix` at most 128).
    pub const fn v6(address: Ipv6Addr, prefix: u8) -> Network {
        Network {
            address: IpAddr::V6(address),
            prefix,
        }
    }

    /// Parses `address` or `address/prefix`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Network { address, prefix })
    }

    /// Whether `ip` is in this network (an IPv4 address is never in an IPv6 network, nor
    /// the other way round).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (ip, network, bits) = match (ip, self.address) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
            (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
            _ => return false,
        };
        if self.prefix == 0 {
            return true;
        }
        let shift = bits - u32::from(self.prefix);
        (ip >> shift) == (network >> shift)
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// A list of networks, as a setting names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(Vec<Network>);

impl Networks {
    /// Parses a comma-separated list of addresses and networks, e.g.
    /// `10.0.0.0/8, 192.168.1.10, fd00::/8`; the error names the item that is neither.
    pub fn parse(list: &str) -> Result<Networks, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                Network::parse(item).ok_or_else(|| {
                    format!("`{item}` is not an address or a network with a prefix length")
                })
            })
            .collect::<Result<_, _>>()
            .map(Networks)
    }

    /// Whether `ip` is in one of the networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_match_by_prefix() {
        let t = Networks::parse("10.0.0.0/8, 192.168.1.10, fd00::/8").unwrap();
        assert!(t.contains("10.20.30.40".parse().unwrap()));
        assert!(t.contains("192.168.1.10".parse().unwrap()));
        assert!(!t.contains("192.168.1.11".parse().unwrap()));
        assert!(t.contains("fd12::1".parse().unwrap()));
        assert!(!t.contains("2001:db8::1".parse().unwrap()));
        assert!(!t.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(
            Networks::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(Networks::parse("10.0.0.0/33").is_err());
        assert!(Networks::parse("proxy.local").is_err());
        assert_eq!(Networks::parse(" ").unwrap(), Networks::default());
    }
}
