//! Data-connection addresses as FTP spells them: RFC 959's `h1,h2,h3,h4,p1,p2`
//! (PORT, PASV's 227 reply) and RFC 2428's `|af|addr|port|` (EPRT, EPSV's
//! 229 reply). The LSTN/SOCK profile accepts either form and answers in the
//! form it was asked, so the form travels with the address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrForm {
    /// `h1,h2,h3,h4,p1,p2` (IPv4 only).
    Rfc959,
    /// `|1|192.0.2.7|2121|` or `|2|2001:db8::7|2121|`.
    Rfc2428,
}

/// `h1,h2,h3,h4,p1,p2`, with surrounding spaces tolerated.
pub fn parse_rfc959(text: &str) -> Option<SocketAddrV4> {
    let nums: Vec<u8> = text
        .trim()
        .split(',')
        .map(|n| n.trim().parse::<u8>().ok())
        .collect::<Option<Vec<u8>>>()?;
    let [a, b, c, d, p1, p2] = nums.as_slice() else {
        return None;
    };
    Some(SocketAddrV4::new(
        Ipv4Addr::new(*a, *b, *c, *d),
        u16::from(*p1) * 256 + u16::from(*p2),
    ))
}

pub fn format_rfc959(addr: SocketAddrV4) -> String {
    let [a, b, c, d] = addr.ip().octets();
    format!(
        "{a},{b},{c},{d},{},{}",
        addr.port() >> 8,
        addr.port() & 0xff
    )
}

/// `<d>af<d>addr<d>port<d>` where `<d>` is any printable ASCII delimiter
/// (RFC 2428 §2; `|` in practice).
pub fn parse_rfc2428(text: &str) -> Option<SocketAddr> {
    let text = text.trim();
    let delim = text.chars().next().filter(|c| c.is_ascii_graphic())?;
    let parts: Vec<&str> = text.split(delim).collect();
    let [empty, af, host, port, tail] = parts.as_slice() else {
        return None;
    };
    if !empty.is_empty() || !tail.is_empty() {
        return None;
    }
    let port: u16 = port.parse().ok()?;
    let ip: IpAddr = match *af {
        "1" => IpAddr::V4(host.parse().ok()?),
        "2" => IpAddr::V6(host.parse().ok()?),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

pub fn format_rfc2428(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => format!("|1|{ip}|{}|", addr.port()),
        IpAddr::V6(ip) => format!("|2|{ip}|{}|", addr.port()),
    }
}

/// Either form, remembering which one it was.
pub fn parse_any(text: &str) -> Option<(SocketAddr, AddrForm)> {
    let t = text.trim();
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        parse_rfc959(t).map(|a| (SocketAddr::V4(a), AddrForm::Rfc959))
    } else {
        parse_rfc2428(t).map(|a| (a, AddrForm::Rfc2428))
    }
}

/// Formats in `form`; an IPv6 address can only be written in RFC 2428 form.
pub fn format(addr: SocketAddr, form: AddrForm) -> String {
    match (addr, form) {
        (SocketAddr::V4(v4), AddrForm::Rfc959) => format_rfc959(v4),
        _ => format_rfc2428(addr),
    }
}

/// The address in a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply.
/// Servers differ on the parentheses (some omit them, some add text after),
/// so this looks for the first run of six comma-separated numbers.
pub fn parse_pasv_reply(text: &str) -> Option<SocketAddrV4> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() {
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b',' || *b == b' '))
                .map_or(bytes.len(), |n| start + n);
            if let Some(addr) = parse_rfc959(text[start..end].trim_end_matches([',', ' '])) {
                return Some(addr);
            }
            start = end;
        } else {
            start += 1;
        }
    }
    None
}

/// The port in a `229 Entering Extended Passive Mode (|||port|)` reply.
pub fn parse_epsv_reply(text: &str) -> Option<u16> {
    let open = text.find('(')?;
    let close = open + text[open..].find(')')?;
    let inner = &text[open + 1..close];
    let delim = inner.chars().next()?;
    let parts: Vec<&str> = inner.split(delim).collect();
    match parts.as_slice() {
        ["", "", "", port, ""] => port.parse().ok(),
        _ => None,
    }
}

/// An address a client cannot connect to as given: the wildcard address, or a
/// private/loopback one advertised by a server we reach over a public address
/// (a NATed server that does not know its own public address).
pub(crate) fn is_unusable_passive_address(advertised: IpAddr, control_peer: IpAddr) -> bool {
    if advertised.is_unspecified() {
        return true;
    }
    let is_local = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    };
    is_local(advertised) && !is_local(control_peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc959_round_trip() {
        let a = parse_rfc959("127,0,0,2,8,72").unwrap();
        assert_eq!(a, "127.0.0.2:2120".parse().unwrap());
        assert_eq!(format_rfc959(a), "127,0,0,2,8,72");
        assert!(parse_rfc959("127,0,0,2,8").is_none());
        assert!(parse_rfc959("127,0,0,256,8,72").is_none());
        assert!(parse_rfc959("a,b,c,d,e,f").is_none());
    }

    #[test]
    fn rfc2428_both_families() {
        assert_eq!(
            parse_rfc2428("|1|192.0.2.7|2121|").unwrap(),
            "192.0.2.7:2121".parse().unwrap()
        );
        assert_eq!(
            parse_rfc2428("|2|2001:db8::7|2121|").unwrap(),
            "[2001:db8::7]:2121".parse().unwrap()
        );
        assert_eq!(
            parse_rfc2428("!1!10.0.0.1!21!").unwrap(),
            "10.0.0.1:21".parse().unwrap()
        );
        assert!(parse_rfc2428("|3|1.2.3.4|21|").is_none());
        assert!(parse_rfc2428("|1|2001:db8::7|21|").is_none());
        assert!(parse_rfc2428("|1|1.2.3.4|21").is_none());
        assert_eq!(
            format_rfc2428("[::1]:5000".parse().unwrap()),
            "|2|::1|5000|"
        );
    }

    #[test]
    fn parse_any_remembers_form() {
        let (a, f) = parse_any("127,0,0,3,4,1").unwrap();
        assert_eq!((a.port(), f), (1025, AddrForm::Rfc959));
        let (_, f) = parse_any("|1|127.0.0.3|1025|").unwrap();
        assert_eq!(f, AddrForm::Rfc2428);
        assert_eq!(format(a, AddrForm::Rfc2428), "|1|127.0.0.3|1025|");
        assert_eq!(
            format("[::1]:21".parse().unwrap(), AddrForm::Rfc959),
            "|2|::1|21|"
        );
    }

    #[test]
    fn pasv_reply_variants_from_real_servers() {
        for text in [
            "Entering Passive Mode (127,0,0,2,195,80).",     // vsftpd
            "Entering passive mode (127,0,0,2,195,80)",      // pyftpdlib
            "Entering Passive Mode 127,0,0,2,195,80",        // no parentheses
            "=127,0,0,2,195,80",                             // some embedded servers
            "Entering Passive Mode (127, 0, 0, 2, 195, 80)", // spaces
        ] {
            assert_eq!(
                parse_pasv_reply(text),
                Some("127.0.0.2:50000".parse().unwrap()),
                "{text}"
            );
        }
        assert_eq!(parse_pasv_reply("Entering Passive Mode"), None);
    }

    #[test]
    fn epsv_reply() {
        assert_eq!(
            parse_epsv_reply("Entering Extended Passive Mode (|||50001|)"),
            Some(50001)
        );
        assert_eq!(
            parse_epsv_reply("Entering EPSV mode (!!!6446!)"),
            Some(6446)
        );
        assert_eq!(parse_epsv_reply("Entering EPSV mode (|1|x|6446|)"), None);
        assert_eq!(parse_epsv_reply("no parens"), None);
    }

    #[test]
    fn unusable_passive_addresses() {
        let public: IpAddr = "198.51.100.9".parse().unwrap();
        let lan: IpAddr = "192.168.1.10".parse().unwrap();
        assert!(is_unusable_passive_address("0.0.0.0".parse().unwrap(), lan));
        assert!(is_unusable_passive_address(
            "10.0.0.5".parse().unwrap(),
            public
        ));
        assert!(!is_unusable_passive_address(
            "10.0.0.5".parse().unwrap(),
            lan
        ));
        assert!(!is_unusable_passive_address(public, lan));
        assert!(!is_unusable_passive_address(
            "127.0.0.3".parse().unwrap(),
            "127.0.0.2".parse().unwrap()
        ));
    }

    proptest! {
        #[test]
        fn any_v4_round_trips_both_forms(ip in any::<u32>(), port in any::<u16>()) {
            let a = SocketAddrV4::new(Ipv4Addr::from(ip), port);
            prop_assert_eq!(parse_rfc959(&format_rfc959(a)), Some(a));
            prop_assert_eq!(parse_rfc2428(&format_rfc2428(SocketAddr::V4(a))), Some(SocketAddr::V4(a)));
            let reply = format!("Entering Passive Mode ({}).", format_rfc959(a));
            prop_assert_eq!(parse_pasv_reply(&reply), Some(a));
        }

        #[test]
        fn garbage_never_panics(s in ".{0,80}") {
            let _ = parse_any(&s);
            let _ = parse_pasv_reply(&s);
            let _ = parse_epsv_reply(&s);
        }
    }
}
