//! Data-connection addresses from hostile peers, through `fxpc::ftp::addr`:
//! the text of `227` (PASV) and `229` (EPSV) replies, `255 SOCK <addr>`
//! replies (RFC 438 profile), and PORT/EPRT/SOCK arguments a server reads.
//!
//! Properties:
//! - never panics, whatever the text (it is lossy UTF-8 of the wire bytes,
//!   as `Reply::text`/`message` and the server's `from_utf8_lossy` give);
//! - whatever parses formats back to something that parses to the same
//!   address (and, for `parse_any`, the same form); `parse_any` never
//!   claims the RFC 959 form for an IPv6 address;
//! - every address formats to text that parses back (structured half of the
//!   input: an IPv4 or IPv6 address and a port built from the bytes), and a
//!   227/229/255 reply carrying it yields it.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

use fxpc::ftp::addr::{
    AddrForm, format, format_rfc959, format_rfc2428, parse_any, parse_epsv_reply,
    parse_pasv_reply, parse_rfc959, parse_rfc2428,
};
use libfuzzer_sys::fuzz_target;

/// What the client does with a `255 SOCK <addr>` reply's message
/// (transfer/fxp.rs `sock_exchange`).
fn sock_reply_addr(message: &str) -> Option<(SocketAddr, AddrForm)> {
    message.strip_prefix("SOCK ").map(str::trim).and_then(parse_any)
}

fn check_text(text: &str) {
    if let Some(a) = parse_rfc959(text) {
        assert_eq!(parse_rfc959(&format_rfc959(a)), Some(a), "{text:?}");
    }
    if let Some(a) = parse_rfc2428(text) {
        assert_eq!(parse_rfc2428(&format_rfc2428(a)), Some(a), "{text:?}");
    }
    for found in [parse_any(text), sock_reply_addr(text)].into_iter().flatten() {
        let (a, form) = found;
        assert!(
            !(a.is_ipv6() && form == AddrForm::Rfc959),
            "IPv6 in RFC 959 form from {text:?}"
        );
        assert_eq!(parse_any(&format(a, form)), Some((a, form)), "{text:?}");
    }
    if let Some(a) = parse_pasv_reply(text) {
        let again = format!("Entering Passive Mode ({}).", format_rfc959(a));
        assert_eq!(parse_pasv_reply(&again), Some(a), "{text:?}");
    }
    if let Some(port) = parse_epsv_reply(text) {
        let again = format!("Entering Extended Passive Mode (|||{port}|)");
        assert_eq!(parse_epsv_reply(&again), Some(port), "{text:?}");
    }
}

fn check_addr(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let port = |b: &[u8]| u16::from_le_bytes([b[0], b[1]]);
    let addr = if kind & 1 == 0 {
        let Some(b) = rest.get(..6) else { return };
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(b[0], b[1], b[2], b[3]), port(&b[4..])))
    } else {
        let Some(b) = rest.get(..18) else { return };
        let octets: [u8; 16] = b[..16].try_into().expect("16 bytes");
        SocketAddr::new(IpAddr::V6(Ipv6Addr::from(octets)), port(&b[16..]))
    };
    for form in [AddrForm::Rfc959, AddrForm::Rfc2428] {
        let text = format(addr, form);
        let (back, back_form) = parse_any(&text).unwrap_or_else(|| panic!("{text:?}"));
        assert_eq!(back, addr, "{text:?}");
        let expected_form = if addr.is_ipv4() { form } else { AddrForm::Rfc2428 };
        assert_eq!(back_form, expected_form, "{text:?}");
        assert_eq!(sock_reply_addr(&format!("SOCK {text}")), Some((addr, expected_form)));
    }
    assert_eq!(parse_rfc2428(&format_rfc2428(addr)), Some(addr));
    if let SocketAddr::V4(v4) = addr {
        assert_eq!(parse_rfc959(&format_rfc959(v4)), Some(v4));
        for reply in [
            format!("Entering Passive Mode ({}).", format_rfc959(v4)),
            format!("Entering Passive Mode {}", format_rfc959(v4)),
            format!("={}", format_rfc959(v4)),
        ] {
            assert_eq!(parse_pasv_reply(&reply), Some(v4), "{reply:?}");
        }
    }
    let epsv = format!("Entering Extended Passive Mode (|||{}|)", addr.port());
    assert_eq!(parse_epsv_reply(&epsv), Some(addr.port()));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_text(&text);
    check_addr(data);
});
