//! The `--hosted` address guard: on a shared server, back-channel requests may not reach the
//! host's own network (SSRF, OWASP API7:2023), so addresses are checked after name resolution.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is refused, for the learner's error message.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => {
            // An IPv4-mapped or -compatible address is judged as the IPv4 address it carries.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refusal_v4(v4);
            }
            refusal_v6(v6)
        }
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback (127.0.0.0/8)")
    } else if ip.is_private() {
        Some("private (RFC 1918)")
    } else if ip.is_link_local() {
        Some("link-local (169.254.0.0/16, where cloud metadata services live)")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space (CGNAT, 100.64.0.0/10)")
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
    let first = ip.segments()[0];
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
    } else if first == 0x0064 && ip.segments()[1] == 0xff9b {
        // NAT64 (64:ff9b::/96) would carry any IPv4 address, private ones included.
        Some("NAT64 (64:ff9b::/96)")
    } else {
        None
    }
}

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
                    "`{host}` resolves only to refused addresses ({}); hosted mode forbids them",
                    reason.unwrap_or("none found")
                );
                return Err(message.into());
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
    fn public_addresses_pass() {
        for literal in ["93.184.216.34", "100.128.0.1", "2606:2800:220:1::1", "1.1.1.1"] {
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
