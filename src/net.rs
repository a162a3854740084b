//! IP addresses and networks: the request's `remote_addr` list (spec §1.4) and the networks of
//! the per-user allow list (§4.3, §10 O-5).
//!
//! IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are the IPv4 address they carry: they fall
//! inside IPv4 networks, and a network written inside `::ffff:0:0/96` is parsed as the IPv4
//! network it denotes. A plain IPv4 address never falls inside an IPv6 network (as in
//! Python's `ipaddress`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// An IPv4 or IPv6 network: an address with its host bits cleared, and a prefix length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

fn mask4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

fn mask6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix.min(128)))
    }
}

/// A piece of input for an error message: at most 40 characters, control characters replaced,
/// in double quotes.
pub(crate) fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    format!("\"{out}\"")
}

/// The prefix length after the `/`: decimal digits (at most `max`), or for IPv4 a contiguous
/// dotted netmask such as `255.255.0.0`.
fn parse_prefix(p: &str, v4: bool) -> Option<u8> {
    let max: u8 = if v4 { 32 } else { 128 };
    if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) {
        return p.parse::<u8>().ok().filter(|n| *n <= max);
    }
    if v4 {
        let m = u32::from(p.parse::<Ipv4Addr>().ok()?);
        let ones = m.leading_ones();
        if ones + m.trailing_zeros() == 32 {
            return u8::try_from(ones).ok();
        }
    }
    None
}

impl IpNet {
    /// `10.0.0.0/8`, `::1/128`, `10.0.0.0/255.0.0.0`, or a bare address (a network of one).
    /// Surrounding whitespace is ignored; host bits are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
    pub fn parse(s: &str) -> Result<IpNet, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty address".into());
        }
        let (a, p) = match t.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (t, None),
        };
        let addr: IpAddr = a.parse().map_err(|_| format!("not an IP address or network: {}", shown(t)))?;
        let prefix = match p {
            None => {
                if addr.is_ipv4() {
                    32
                } else {
                    128
                }
            }
            Some(p) => parse_prefix(p, addr.is_ipv4()).ok_or_else(|| format!("bad prefix length in {}", shown(t)))?,
        };
        // `::ffff:a.b.c.d/(96 + n)` is the IPv4 network `a.b.c.d/n`.
        let (addr, prefix) = match addr {
            IpAddr::V6(v6) if prefix >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => (IpAddr::V4(v4), prefix - 96),
                None => (addr, prefix),
            },
            _ => (addr, prefix),
        };
        let addr = match addr {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask4(prefix)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask6(prefix)).into()),
        };
        Ok(IpNet { addr, prefix })
    }

    /// The network address (host bits cleared).
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits (0–32 for IPv4, 0–128 for IPv6).
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Is `ip` inside this network? An IPv4-mapped IPv6 address counts as its IPv4 address.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, *ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => u32::from(net) & mask4(self.prefix) == u32::from(ip) & mask4(self.prefix),
            (IpAddr::V4(net), IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
                Some(ip) => u32::from(net) & mask4(self.prefix) == u32::from(ip) & mask4(self.prefix),
                None => false,
            },
            (IpAddr::V6(net), IpAddr::V6(ip)) => u128::from(net) & mask6(self.prefix) == u128::from(ip) & mask6(self.prefix),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

impl fmt::Display for IpNet {
    /// `10.0.0.0/8`, `2001:db8::/32`: the form [`IpNet::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// At most this many addresses in one `remote_addr`.
pub const MAX_REMOTE_ADDRS: usize = 32;
/// At most this many bytes in one `remote_addr`.
pub const MAX_REMOTE_ADDR_LEN: usize = 4096;

/// Spec §1.4: `""` (or only whitespace) is no address; otherwise a comma-separated list of IP
/// addresses, each trimmed. An empty or unparseable entry, more than [`MAX_REMOTE_ADDRS`]
/// entries or more than [`MAX_REMOTE_ADDR_LEN`] bytes is an error (the caller's E008002).
pub fn parse_remote_addr(s: &str) -> Result<Vec<IpAddr>, String> {
    if s.len() > MAX_REMOTE_ADDR_LEN {
        return Err(format!("remote_addr is longer than {MAX_REMOTE_ADDR_LEN} bytes"));
    }
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (i, part) in s.split(',').enumerate() {
        if i >= MAX_REMOTE_ADDRS {
            return Err(format!("remote_addr has more than {MAX_REMOTE_ADDRS} addresses"));
        }
        let part = part.trim();
        if part.is_empty() {
            return Err("remote_addr has an empty entry".into());
        }
        out.push(part.parse::<IpAddr>().map_err(|_| format!("not an IP address in remote_addr: {}", shown(part)))?);
    }
    Ok(out)
}

/// Python's `ipaddress` `.exploded`: dotted IPv4, or eight groups of four lower-case hex digits.
pub fn exploded(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6.segments().iter().map(|s| format!("{s:04x}")).collect::<Vec<_>>().join(":"),
    }
}

/// `127.0.0.1`.
pub fn localhost() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn net(s: &str) -> IpNet {
        IpNet::parse(s).expect("test network")
    }

    #[test]
    fn ipv4_networks() {
        let n = net("10.0.0.0/8");
        assert!(n.contains(&ip("10.0.0.0")) && n.contains(&ip("10.1.2.3")) && n.contains(&ip("10.255.255.255")));
        assert!(!n.contains(&ip("11.0.0.0")) && !n.contains(&ip("9.255.255.255")));
        assert_eq!((n.addr(), n.prefix()), (ip("10.0.0.0"), 8));
        assert_eq!(n.to_string(), "10.0.0.0/8");
        // /32 and a bare address are the same network of one.
        assert_eq!(net("1.2.3.4"), net("1.2.3.4/32"));
        assert!(net("1.2.3.4").contains(&ip("1.2.3.4")));
        assert!(!net("1.2.3.4/32").contains(&ip("1.2.3.5")));
        // /0 holds every IPv4 address, and no IPv6 one.
        assert!(net("0.0.0.0/0").contains(&ip("8.8.8.8")) && net("0.0.0.0/0").contains(&ip("255.255.255.255")));
        assert!(!net("0.0.0.0/0").contains(&ip("::2")));
        // Odd prefixes, host bits, netmasks, whitespace.
        assert!(net("192.168.1.128/25").contains(&ip("192.168.1.200")));
        assert!(!net("192.168.1.128/25").contains(&ip("192.168.1.127")));
        assert_eq!(net("10.1.2.3/8"), net("10.0.0.0/8"));
        assert_eq!(net("10.0.0.0/255.0.0.0"), net("10.0.0.0/8"));
        assert_eq!(net("10.0.0.0/0.0.0.0"), net("0.0.0.0/0"));
        assert_eq!(net("10.0.0.0/08"), net("10.0.0.0/8"));
        assert_eq!(net("  10.0.0.1  "), net("10.0.0.1/32"));
    }

    #[test]
    fn ipv6_networks() {
        let n = net("2001:db8::/32");
        assert!(n.contains(&ip("2001:db8::1")) && n.contains(&ip("2001:db8:ffff::1")));
        assert!(!n.contains(&ip("2001:db9::1")));
        assert!(!n.contains(&ip("10.0.0.1")), "IPv4 is never inside an IPv6 network");
        assert_eq!(n.to_string(), "2001:db8::/32");
        assert!(net("::1/128").contains(&ip("::1")) && !net("::1").contains(&ip("::2")));
        assert_eq!(net("::1"), net("::1/128"));
        assert!(net("::/0").contains(&ip("::1")) && net("::/0").contains(&ip("ffff::1")));
        assert!(!net("::/0").contains(&ip("1.2.3.4")));
        assert!(net("fe80::/10").contains(&ip("febf::1")) && !net("fe80::/10").contains(&ip("fec0::1")));
        assert_eq!(net("2001:db8::1/32"), net("2001:db8::/32"));
    }

    #[test]
    fn v4_mapped_addresses_match_v4_networks() {
        assert!(net("10.0.0.0/8").contains(&ip("::ffff:10.9.9.9")));
        assert!(!net("10.0.0.0/8").contains(&ip("::ffff:11.0.0.1")));
        assert!(!net("10.0.0.0/8").contains(&ip("::10.9.9.9")), "IPv4-compatible is not mapped");
        assert!(net("1.2.3.4").contains(&ip("::ffff:1.2.3.4")));
        // A network written in mapped form is the IPv4 network.
        assert_eq!(net("::ffff:10.0.0.1"), net("10.0.0.1"));
        assert_eq!(net("::ffff:10.0.0.0/104"), net("10.0.0.0/8"));
        assert_eq!(net("::ffff:0:0/96"), net("0.0.0.0/0"));
        assert!(net("::ffff:10.0.0.0/104").contains(&ip("10.1.1.1")));
        // Wider IPv6 networks still hold mapped addresses written as IPv6 (as in Python).
        assert!(net("::/0").contains(&ip("::ffff:1.2.3.4")));
    }

    #[test]
    fn bad_networks() {
        for bad in [
            "",
            " ",
            "x",
            "*",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/ 8",
            "10.0.0.0/8/8",
            "10.0.0.0/1000",
            "10.0.0.0/255.0.255.0",
            "::/255.0.0.0",
            "10.0.0",
            "256.0.0.1",
            "010.0.0.1",
            "fe80::1%eth0",
            "[::1]",
            "10.0.0.1:80",
            "/8",
            "1.2.3.4 5.6.7.8",
        ] {
            assert!(IpNet::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}/8", "9".repeat(10_000));
        let e = IpNet::parse(&long).unwrap_err();
        assert!(e.len() < 120, "{e}");
    }

    #[test]
    fn remote_addr_lists() {
        assert_eq!(parse_remote_addr(""), Ok(vec![]));
        assert_eq!(parse_remote_addr("  \t "), Ok(vec![]));
        assert_eq!(parse_remote_addr("10.0.0.1"), Ok(vec![ip("10.0.0.1")]));
        assert_eq!(parse_remote_addr(" 10.0.0.1 , ::1"), Ok(vec![ip("10.0.0.1"), ip("::1")]));
        assert_eq!(parse_remote_addr("::ffff:1.2.3.4"), Ok(vec![ip("::ffff:1.2.3.4")]), "kept as given");
        let max = vec!["1.1.1.1"; MAX_REMOTE_ADDRS].join(",");
        assert_eq!(parse_remote_addr(&max).map(|v| v.len()), Ok(MAX_REMOTE_ADDRS));
    }

    #[test]
    fn remote_addr_errors() {
        for bad in [
            "nope",
            "10.0.0.1, nope",
            "10.0.0.1,",
            ",10.0.0.1",
            "10.0.0.1,,10.0.0.2",
            "10.0.0.1 10.0.0.2",
            "10.0.0.0/8",
            "10.0.0.1:80",
            "[::1]",
            "localhost",
            "1.2.3.4;5.6.7.8",
            "fe80::1%eth0",
        ] {
            assert!(parse_remote_addr(bad).is_err(), "{bad:?}");
        }
        assert!(parse_remote_addr(&vec!["1.1.1.1"; MAX_REMOTE_ADDRS + 1].join(",")).is_err());
        assert!(parse_remote_addr(&" ".repeat(MAX_REMOTE_ADDR_LEN + 1)).is_err());
        assert!(parse_remote_addr(&",".repeat(100_000)).is_err());
        let e = parse_remote_addr(&format!("{}\n", "x".repeat(500))).unwrap_err();
        assert!(e.len() < 120 && !e.contains('\n'), "{e}");
    }

    #[test]
    fn exploded_forms() {
        assert_eq!(exploded(&ip("10.0.0.1")), "10.0.0.1");
        assert_eq!(exploded(&ip("::1")), "0000:0000:0000:0000:0000:0000:0000:0001");
        assert_eq!(exploded(&ip("::")), "0000:0000:0000:0000:0000:0000:0000:0000");
        assert_eq!(exploded(&ip("2001:DB8::aBc:1")), "2001:0db8:0000:0000:0000:0000:0abc:0001");
        assert_eq!(exploded(&ip("::ffff:10.0.0.1")), "0000:0000:0000:0000:0000:ffff:0a00:0001");
        assert_eq!(exploded(&localhost()), "127.0.0.1");
    }
}
