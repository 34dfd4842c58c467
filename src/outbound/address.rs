//! The address rule: the service connects only to public addresses over http or https.
//! Loopback, private, link-local, multicast, unspecified and otherwise reserved
//! addresses (IPv4 and IPv6, with IPv4 written inside IPv6 looked through) are refused
//! unless an administrator allows them in `MOBILITY_OUTBOUND_ALLOW`. A URL is checked
//! when it is registered, as far as it can be without DNS; the address every connection
//! actually goes to is checked again when it is made (see the resolver in `super`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::domain::networks::{Network, Networks};

/// IPv4 networks no request of ours may reach, most specific first (IANA's special-purpose
/// registry, RFC 6890 and its updates).
const RESERVED_V4: &[(Network, &str)] = &[
    (
        net4(0, 0, 0, 0, 8),
        "an unspecified (\"this network\") address",
    ),
    (net4(10, 0, 0, 0, 8), "a private address"),
    (
        net4(100, 64, 0, 0, 10),
        "a shared (carrier-grade NAT) address",
    ),
    (net4(127, 0, 0, 0, 8), "a loopback address"),
    (
        net4(169, 254, 0, 0, 16),
        "a link-local address (where cloud metadata services answer)",
    ),
    (net4(172, 16, 0, 0, 12), "a private address"),
    (net4(192, 0, 0, 0, 24), "an IETF protocol assignment"),
    (net4(192, 0, 2, 0, 24), "a documentation address"),
    (net4(192, 88, 99, 0, 24), "a 6to4 relay anycast address"),
    (net4(192, 168, 0, 0, 16), "a private address"),
    (net4(198, 18, 0, 0, 15), "a benchmarking address"),
    (net4(198, 51, 100, 0, 24), "a documentation address"),
    (net4(203, 0, 113, 0, 24), "a documentation address"),
    (net4(224, 0, 0, 0, 4), "a multicast address"),
    (net4(255, 255, 255, 255, 32), "the broadcast address"),
    (net4(240, 0, 0, 0, 4), "a reserved address"),
];

/// IPv6 networks no request of ours may reach, most specific first. IPv4-mapped
/// (`::ffff:0:0/96`) and NAT64 (`64:ff9b::/96`) addresses are judged by the IPv4 address
/// inside them before this table is read; anything outside global unicast (`2000::/3`)
/// is refused too.
const RESERVED_V6: &[(Network, &str)] = &[
    (
        net6([0, 0, 0, 0, 0, 0, 0, 0], 128),
        "the unspecified address",
    ),
    (net6([0, 0, 0, 0, 0, 0, 0, 1], 128), "the loopback address"),
    (
        net6([0, 0, 0, 0, 0, 0, 0, 0], 96),
        "an IPv4-compatible address (deprecated)",
    ),
    (
        net6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        "a local-use NAT64 address",
    ),
    (
        net6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
        "a discard-only address",
    ),
    (
        net6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        "a documentation address",
    ),
    (
        net6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        "an IETF protocol assignment (Teredo, benchmarking, ORCHID)",
    ),
    (
        net6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16),
        "a 6to4 address (deprecated)",
    ),
    (
        net6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        "a documentation address",
    ),
    (
        net6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),
        "an SRv6 segment identifier",
    ),
    (
        net6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        "a unique local (private) address",
    ),
    (
        net6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        "a link-local address",
    ),
    (
        net6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        "a site-local address (deprecated)",
    ),
    (
        net6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
        "a multicast address",
    ),
];

const GLOBAL_UNICAST: Network = net6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);
const NAT64: Network = net6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);

const fn net4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Network {
    Network::v4(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn net6(s: [u16; 8], prefix: u8) -> Network {
    Network::v6(
        Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
        prefix,
    )
}

/// Why `ip` is not a public address (for example "a loopback address (127.0.0.0/8)"),
/// or `None` when it is one.
fn reserved(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(_) => RESERVED_V4
            .iter()
            .find(|(network, _)| network.contains(ip))
            .map(|(network, what)| format!("{what} ({network})")),
        IpAddr::V6(v6) => {
            if let Some(inner) = v6.to_ipv4_mapped() {
                return reserved(IpAddr::V4(inner))
                    .map(|why| format!("an IPv4-mapped form of {inner}, {why}"));
            }
            if NAT64.contains(ip) {
                let [.., a, b, c, d] = v6.octets();
                let inner = Ipv4Addr::new(a, b, c, d);
                return reserved(IpAddr::V4(inner))
                    .map(|why| format!("a NAT64 form of {inner}, {why}"));
            }
            RESERVED_V6
                .iter()
                .find(|(network, _)| network.contains(ip))
                .map(|(network, what)| format!("{what} ({network})"))
                .or_else(|| {
                    (!GLOBAL_UNICAST.contains(ip))
                        .then(|| format!("outside global unicast ({GLOBAL_UNICAST})"))
                })
        }
    }
}

/// Where the service may connect: public addresses, and what the administrator allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    allow: Networks,
}

impl Policy {
    /// The rule with `allow` (`MOBILITY_OUTBOUND_ALLOW`) let through.
    pub fn new(allow: Networks) -> Policy {
        Policy { allow }
    }

    /// Why the service may not connect to `ip`, or `None` when it may.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        let plain = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        if self.allow.contains(ip) || self.allow.contains(plain) {
            return None;
        }
        reserved(ip)
            .map(|why| format!("{ip} is {why}, which MOBILITY_OUTBOUND_ALLOW does not allow"))
    }

    /// Checks a URL before anything is sent to it: http or https, no spaces or control
    /// characters (a line break would end up in a request line), and no host that names
    /// a refused address by itself: an address in any form the URL standard reads
    /// (`http://2130706433/` is 127.0.0.1), or `localhost`. Returns the URL as the
    /// standard writes it, which is what is then requested; the error says what is wrong.
    pub fn check_url(&self, text: &str) -> Result<Url, String> {
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("must not contain spaces, line breaks or other control characters".into());
        }
        let url = Url::parse(text).map_err(|_| "must be an absolute http(s) URL".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("must use http or https, not {}", url.scheme()));
        }
        let address = match url.host() {
            None => return Err("must name a host".into()),
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            // RFC 6761: such names are the loopback interface, whatever DNS says.
            Some(Host::Domain(name))
                if name == "localhost"
                    || name.ends_with(".localhost")
                    || name == "localhost."
                    || name.ends_with(".localhost.") =>
            {
                Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
            }
            Some(Host::Domain(_)) => None,
        };
        if let Some(reason) = address.and_then(|ip| self.refusal(ip)) {
            return Err(format!("points to a refused address: {reason}"));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_table_refuses_what_std_classifies_as_not_public() {
        let policy = Policy::default();
        for text in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:2::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "4000::1",
        ] {
            let address = ip(text);
            assert!(policy.refusal(address).is_some(), "{text} was allowed");
        }
        for text in [
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "198.20.0.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(policy.refusal(ip(text)), None, "{text} was refused");
        }
    }

    #[test]
    fn std_classification_agrees_with_the_table() {
        // Every address std names loopback, private, link-local, multicast, unspecified,
        // broadcast or documentation, across the spaces, is refused.
        let policy = Policy::default();
        let mut checked = 0;
        for a in (0u32..=255).step_by(3) {
            for b in [0u32, 16, 31, 64, 88, 99, 127, 168, 254, 255] {
                let v4 = Ipv4Addr::from((a << 24) | (b << 16) | 0x0101);
                let std_says_not_public = v4.is_loopback()
                    || v4.is_private()
                    || v4.is_link_local()
                    || v4.is_multicast()
                    || v4.is_unspecified()
                    || v4.is_broadcast()
                    || v4.is_documentation();
                if std_says_not_public {
                    checked += 1;
                    assert!(policy.refusal(IpAddr::V4(v4)).is_some(), "{v4}");
                    let mapped = IpAddr::V6(v4.to_ipv6_mapped());
                    assert!(policy.refusal(mapped).is_some(), "{mapped}");
                }
            }
        }
        assert!(checked > 50);
        for v6 in [
            Ipv6Addr::LOCALHOST,
            Ipv6Addr::UNSPECIFIED,
            ip6("fe80::2"),
            ip6("fd00::2"),
        ] {
            assert!(
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_unicast_link_local()
                    || v6.is_unique_local()
            );
            assert!(policy.refusal(IpAddr::V6(v6)).is_some(), "{v6}");
        }
    }

    fn ip6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn the_allow_list_lets_through_its_networks_in_either_form() {
        let policy = Policy::new(Networks::parse("127.0.0.1, 10.1.0.0/16").unwrap());
        assert_eq!(policy.refusal(ip("127.0.0.1")), None);
        assert_eq!(policy.refusal(ip("::ffff:127.0.0.1")), None);
        assert_eq!(policy.refusal(ip("10.1.200.3")), None);
        assert!(policy.refusal(ip("127.0.0.2")).is_some());
        assert!(policy.refusal(ip("10.2.0.1")).is_some());
        assert!(policy.refusal(ip("::1")).is_some());
        let why = Policy::default().refusal(ip("169.254.169.254")).unwrap();
        assert!(why.contains("link-local"), "{why}");
        assert!(why.contains("MOBILITY_OUTBOUND_ALLOW"), "{why}");
    }

    #[test]
    fn urls_are_refused_for_their_scheme_characters_and_literal_addresses() {
        let policy = Policy::default();
        for bad in [
            "ftp://partner.example/x",
            "file:///etc/passwd",
            "gopher://partner.example/",
            "http://partner.example/a\r\nX-Injected: 1",
            "http://partner.example/a\nb",
            "http://partner.example/a b",
            "\thttp://partner.example/",
            "http://127.0.0.1:8080/hook",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[fd00::1]/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "partner.example/hook",
        ] {
            assert!(policy.check_url(bad).is_err(), "{bad:?} was accepted");
        }
        let url = policy
            .check_url("HTTPS://Partner.Example:443/hooks")
            .unwrap();
        assert_eq!(url.as_str(), "https://partner.example/hooks");
        assert!(policy.check_url("http://8.8.8.8/").is_ok());
        let allowed = Policy::new(Networks::parse("127.0.0.0/8").unwrap());
        assert!(allowed.check_url("http://127.0.0.1:9/hook").is_ok());
        assert!(allowed.check_url("http://localhost:9/hook").is_ok());
    }
}
