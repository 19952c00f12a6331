//! Outbound connections to hosts a customer names (a Jira site): only
//! public addresses. The check runs when a site is connected, again each
//! time its client is made, and on every new connection, through the
//! resolver of the outbound HTTP client, so a name that is re-pointed at a
//! private address after it was checked (DNS rebinding) is still refused.
//! Redirects are not followed (see `app::outbound_http_client`).
//!
//! Loopback, private, link-local (cloud metadata at 169.254.169.254),
//! carrier-grade NAT, unique-local, multicast, documentation and reserved
//! ranges are refused unless `AIMPACT_ALLOW_PRIVATE_HOSTS` is on (tests and
//! self-hosting next to an internal Jira).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Which hosts outbound requests may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosts {
    /// Public addresses only (the default).
    Public,
    /// Any address (`AIMPACT_ALLOW_PRIVATE_HOSTS`).
    Any,
}

/// A host that is not public. The text is the same whatever the address
/// is and whether anything listens there, so it reveals nothing of the
/// network behind us.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a public address; aimpact connects only to sites on the public internet")]
pub struct NotPublic(pub String);

/// Whether `ip` is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT 100.64/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments 192.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking 198.18/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved 240/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // IPv4-compatible ::/96 (deprecated).
        || s[..6] == [0, 0, 0, 0, 0, 0]
        // Unique local fc00::/7.
        || (s[0] & 0xfe00) == 0xfc00
        // Link-local fe80::/10 and site-local fec0::/10.
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // Documentation 2001:db8::/32.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        // Discard-only 100::/64.
        || (s[0] == 0x100 && s[1..4] == [0, 0, 0]))
}

/// Checks the host of `url` now: an address literal must be public; a name
/// must resolve to at least one public address (only those are used).
pub async fn check(url: &url::Url, hosts: Hosts) -> Result<(), NotPublic> {
    if hosts == Hosts::Any {
        return Ok(());
    }
    let shown = url.host_str().unwrap_or_default().to_string();
    match url.host() {
        Some(url::Host::Ipv4(ip)) if is_public_v4(ip) => Ok(()),
        Some(url::Host::Ipv6(ip)) if is_public_v6(ip) => Ok(()),
        Some(url::Host::Domain(name)) => {
            let port = url.port_or_known_default().unwrap_or(443);
            let found = tokio::net::lookup_host((name, port))
                .await
                .map_err(|_| NotPublic(shown.clone()))?;
            let mut any = false;
            for addr in found {
                if is_public(addr.ip()) {
                    any = true;
                }
            }
            if any { Ok(()) } else { Err(NotPublic(shown)) }
        }
        _ => Err(NotPublic(shown)),
    }
}

/// The resolver of the outbound client: hands reqwest public addresses
/// only, on every connection it opens.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!is_public(ip), "{ip} counted as public");
        }
        for ip in [
            "8.8.8.8",
            "104.192.136.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(is_public(ip), "{ip} counted as private");
        }
    }

    #[tokio::test]
    async fn literals_and_names_of_private_hosts_are_refused_the_same_way() {
        for url in [
            "http://127.0.0.1:9/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost:8080/",
            "http://10.0.0.1/",
        ] {
            let url = url::Url::parse(url).unwrap();
            let refused = check(&url, Hosts::Public).await.unwrap_err();
            assert!(refused.to_string().ends_with(
                "is not a public address; aimpact connects only to sites on the public internet"
            ));
            assert!(check(&url, Hosts::Any).await.is_ok());
        }
    }
}
