//! The `--hosted` address guard: on a shared server, back-channel requests may not reach the
//! host's own network (SSRF, OWASP API7:2023), so addresses are checked after name resolution.
//!
//! An IPv6 address that carries an IPv4 address (IPv4-mapped or -compatible, 6to4, NAT64's
//! well-known prefix) is judged by the IPv4 address it carries, since that is where a
//! translator or tunnel would deliver the request.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is refused, naming the address and its range, for the learner's error
/// message: `127.0.0.1 is loopback (127.0.0.0/8)`.
pub fn refusal(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4).map(|range| format!("{v4} is {range}")),
        IpAddr::V6(v6) => {
            // Step 1: an address carrying an IPv4 address is judged by that address.
            if let Some((carrier, v4)) = embedded_ipv4(v6) {
                return refusal_v4(v4)
                    .map(|range| format!("{v6} is {carrier} carrying {v4}, which is {range}"));
            }

            // Step 2: the IPv6 ranges of their own.
            refusal_v6(v6).map(|range| format!("{v6} is {range}"))
        }
    }
}

/// The IPv4 address an IPv6 address carries, with the name of the carrying range.
fn embedded_ipv4(ip: Ipv6Addr) -> Option<(&'static str, Ipv4Addr)> {
    let s = ip.segments();
    let low_v4 = Ipv4Addr::from(((s[6] as u32) << 16) | s[7] as u32);
    if let Some(v4) = ip.to_ipv4_mapped() {
        Some(("IPv4-mapped (::ffff:0:0/96)", v4))
    } else if s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        // RFC 4291 §2.5.5.1 deprecates them, but a stack may still route them as IPv4.
        Some(("IPv4-compatible (::/96)", low_v4))
    } else if s[0] == 0x2002 {
        // RFC 3056 §2: the IPv4 address is the 32 bits after the 2002::/16 prefix.
        Some(("6to4 (2002::/16)", Ipv4Addr::from(((s[1] as u32) << 16) | s[2] as u32)))
    } else if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        // RFC 6052 §2.1: the well-known prefix carries the IPv4 address in its last 32 bits.
        Some(("NAT64 (64:ff9b::/96)", low_v4))
    } else {
        None
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("loopback (127.0.0.0/8)")
    } else if ip.is_private() {
        Some("private (RFC 1918)")
    } else if ip.is_link_local() {
        Some("link-local (169.254.0.0/16, where cloud metadata services live)")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space (CGNAT, 100.64.0.0/10)")
    } else if a == 192 && b == 0 && c == 0 {
        Some("IETF protocol assignments (192.0.0.0/24)")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("benchmarking (198.18.0.0/15)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_unspecified() || ip.is_broadcast() || a == 0 {
        Some("unspecified or broadcast")
    } else if a >= 240 {
        Some("reserved (240.0.0.0/4)")
    } else {
        None
    }
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let [first, second, ..] = ip.segments();
    if ip.is_loopback() {
        Some("loopback (::1)")
    } else if ip.is_unspecified() {
        Some("unspecified (::)")
    } else if first & 0xfe00 == 0xfc00 {
        Some("unique-local (fc00::/7, where some cloud metadata services live)")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local (fe80::/10)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if first == 0x0064 && second == 0xff9b {
        // Outside the well-known /96 (judged by its IPv4 address) is the local-use
        // 64:ff9b:1::/48 of RFC 8215, which a site may translate to anything.
        Some("NAT64 outside the well-known prefix (64:ff9b::/32)")
    } else if first == 0x2001 && second == 0 {
        // RFC 4380: the client's IPv4 address is obfuscated and any relay may deliver it.
        Some("Teredo (2001::/32)")
    } else {
        None
    }
}

/// The resolver's refusal, told apart from other resolution failures so the learner gets a
/// refusal naming the field rather than a transport error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HostRefused(pub String);

/// A resolver that drops refused addresses, failing when none is left. The embedded
/// provider's host (the public URL's) is exempt.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    /// The host of the public URL, whose addresses are always allowed.
    pub exempt_host: Option<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let exempt = self.exempt_host.as_deref() == Some(name.as_str());
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();

            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| exempt || refusal(addr.ip()).is_none())
                .collect();
            if allowed.is_empty() {
                let reason = found.first().and_then(|addr| refusal(addr.ip()));
                let message = format!(
                    "`{host}` resolves only to addresses hosted mode forbids ({})",
                    reason.as_deref().unwrap_or("none found")
                );
                return Err(HostRefused(message).into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Wraps the resolver for reqwest.
pub fn resolver(exempt_host: Option<String>) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { exempt_host })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(literal: &str) -> bool {
        refusal(literal.parse().unwrap()).is_some()
    }

    #[test]
    fn loopback_private_and_link_local_ipv4_are_refused() {
        for literal in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254"] {
            assert!(refused(literal), "{literal}");
        }
    }

    #[test]
    fn cgnat_multicast_and_reserved_ipv4_are_refused() {
        for literal in ["100.64.0.1", "100.127.255.254", "224.0.0.1", "0.0.0.0", "240.0.0.1"] {
            assert!(refused(literal), "{literal}");
        }
    }

    #[test]
    fn ipv6_loopback_unique_local_link_local_and_metadata_are_refused() {
        for literal in ["::1", "::", "fd00:ec2::254", "fc00::1", "fe80::1", "ff02::1"] {
            assert!(refused(literal), "{literal}");
        }
    }

    #[test]
    fn ipv4_mapped_ipv6_is_judged_by_its_ipv4_address() {
        assert!(refused("::ffff:127.0.0.1"));
        assert!(refused("::ffff:169.254.169.254"));
        assert!(!refused("::ffff:93.184.216.34"));
    }

    #[test]
    fn ipv4_compatible_ipv6_is_judged_by_its_ipv4_address() {
        assert!(refused("::127.0.0.1"));
        assert!(refused("::169.254.169.254"));
        assert!(refused("::10.0.0.1"));
        assert!(!refused("::93.184.216.34"));
    }

    #[test]
    fn six_to_four_is_judged_by_the_ipv4_address_after_its_prefix() {
        // 2002:7f00:1:: carries 127.0.0.1; 2002:a9fe:a9fe:: carries 169.254.169.254.
        assert!(refused("2002:7f00:1::"));
        assert!(refused("2002:a9fe:a9fe::1"));
        assert!(refused("2002:c0a8:101::"));
        assert!(!refused("2002:5db8:d822::1"));
    }

    #[test]
    fn nat64_well_known_prefix_is_judged_by_its_ipv4_address_and_the_rest_refused() {
        assert!(refused("64:ff9b::127.0.0.1"));
        assert!(refused("64:ff9b::a9fe:a9fe"));
        assert!(!refused("64:ff9b::93.184.216.34"));
        assert!(refused("64:ff9b:1::93.184.216.34"));
    }

    #[test]
    fn teredo_is_refused() {
        assert!(refused("2001:0:4136:e378:8000:63bf:3fff:fdd2"));
        assert!(refused("2001::1"));
    }

    #[test]
    fn benchmarking_and_ietf_protocol_assignments_are_refused() {
        for literal in ["198.18.0.1", "198.19.255.254", "192.0.0.8", "192.0.0.170"] {
            assert!(refused(literal), "{literal}");
        }
        for literal in ["198.17.255.255", "198.20.0.1", "192.0.1.1"] {
            assert!(!refused(literal), "{literal}");
        }
    }

    #[test]
    fn refusal_names_the_address_its_carrier_and_the_range() {
        let mapped = refusal("::169.254.169.254".parse().unwrap()).unwrap_or_default();
        let plain = refusal("127.0.0.1".parse().unwrap()).unwrap_or_default();

        assert!(mapped.contains("IPv4-compatible"), "{mapped}");
        assert!(mapped.contains("169.254.169.254, which is link-local"), "{mapped}");
        assert_eq!(plain, "127.0.0.1 is loopback (127.0.0.0/8)");
    }

    #[test]
    fn public_addresses_pass() {
        let literals =
            ["93.184.216.34", "100.128.0.1", "2606:2800:220:1::1", "1.1.1.1", "2001:4860::8888"];
        for literal in literals {
            assert!(!refused(literal), "{literal}");
        }
    }

    #[tokio::test]
    async fn resolver_refuses_localhost_unless_it_is_the_exempt_host() {
        let guarded = GuardedResolver { exempt_host: None };
        let exempt = GuardedResolver { exempt_host: Some("localhost".into()) };

        let refused = guarded.resolve("localhost".parse::<Name>().unwrap()).await;
        let allowed = exempt.resolve("localhost".parse::<Name>().unwrap()).await;

        let message = refused.err().map(|error| error.to_string()).unwrap_or_default();
        assert!(message.contains("loopback"), "{message}");
        assert!(allowed.is_ok());
    }
}
