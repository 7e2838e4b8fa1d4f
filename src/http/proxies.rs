//! The client's address behind trusted proxies. Behind a load balancer every connection
//! comes from the balancer, so the per-address rate limit would put all callers into one
//! bucket. A connection from a configured proxy (`TYPGRAPH_TRUSTED_PROXIES`) is attributed
//! to the nearest address in its `X-Forwarded-For` that is not itself a trusted proxy; the
//! header of any other connection is ignored, so a caller cannot choose its own bucket.

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::config::canonical;
pub use crate::config::{parse_list, AddressRange};

/// The address a request is counted under: the peer's, unless the peer is a trusted proxy;
/// then, walking `X-Forwarded-For` from the right (the hop nearest to us), the first entry
/// that is not a trusted proxy. An entry that is not an address stops the walk at the proxy
/// that passed it on.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[AddressRange]) -> IpAddr {
    let is_trusted = |a: IpAddr| trusted.iter().any(|r| r.contains(a));
    let mut addr = canonical(peer);
    if !is_trusted(addr) {
        return addr;
    }
    let lines: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    for entry in lines.iter().rev().flat_map(|l| l.rsplit(',')) {
        let Ok(hop) = entry.trim().parse::<IpAddr>() else {
            return addr;
        };
        addr = canonical(hop);
        if !is_trusted(addr) {
            return addr;
        }
    }
    addr
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", HeaderValue::from_str(l).unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop_and_only_behind_a_trusted_proxy() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        let h = forwarded(&["198.51.100.1, 203.0.113.5", "10.0.0.4"]);
        // From the balancer: the nearest hop not a proxy of ours (the leftmost entry could
        // be anything the caller wrote).
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &trusted),
            ip("203.0.113.5")
        );
        // Straight from a caller: its own address, whatever it claims.
        assert_eq!(
            client_address(ip("203.0.113.9"), &h, &trusted),
            ip("203.0.113.9")
        );
        // No header, or nothing but proxies: the last proxy.
        assert_eq!(
            client_address(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &forwarded(&["10.0.0.3"]), &trusted),
            ip("10.0.0.3")
        );
        // Garbage stops the walk at the proxy that passed it on.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &forwarded(&["203.0.113.5, junk, 10.0.0.7"]),
                &trusted
            ),
            ip("10.0.0.7")
        );
        // No proxies configured: the header means nothing.
        assert_eq!(client_address(ip("10.0.0.2"), &h, &[]), ip("10.0.0.2"));
    }
}
