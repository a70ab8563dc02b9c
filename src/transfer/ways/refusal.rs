//! Recognising a server (from its greeting or its words) and naming the
//! setting that would allow the server-to-server transfer it refused
//! (shared/docs/rfc438-over-tcp.md, "What real servers answer").

use std::net::SocketAddr;

use crate::ftp::Reply;
use crate::transfer::error::End;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Vsftpd,
    ProFtpd,
    PureFtpd,
    Pyftpdlib,
    FileZilla,
    Fxpc,
    Unknown,
}

/// Which half of FXP a server refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// PORT/EPRT/SOCK to a foreign address.
    Connect,
    /// A foreign peer on its passive port.
    Accept,
    /// LSTN/SOCK or PASV themselves.
    Negotiate,
    /// Its passive reply named another host (RFC 2577's bounce): not used.
    Redirect(std::net::SocketAddr),
    /// The transfer command itself, once the other server was involved
    /// (`550 Remote addresses do not match`, a TLS data connection that
    /// failed, `451 Append/Restart not permitted`).
    Transfer,
}

pub fn recognise(greeting: &Reply, refusal: Option<&Reply>) -> Product {
    // The greeting names the product more surely than a reply's wording,
    // which servers share (ours and pyftpdlib's 425 read alike).
    let by_name = |text: &str| {
        if text.contains("vsftpd") {
            Product::Vsftpd
        } else if text.contains("proftpd") {
            Product::ProFtpd
        } else if text.contains("pure-ftpd") {
            Product::PureFtpd
        } else if text.contains("pyftpdlib") {
            Product::Pyftpdlib
        } else if text.contains("filezilla") {
            Product::FileZilla
        } else if text.contains("fxpc") {
            Product::Fxpc
        } else {
            Product::Unknown
        }
    };
    let greeting = greeting.text().to_ascii_lowercase();
    let known = by_name(&greeting);
    if known != Product::Unknown {
        return known;
    }
    let text = refusal
        .map(Reply::text)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if text.contains("security: bad ip connecting") {
        Product::Vsftpd
    } else if text.contains("unable to build data connection") {
        Product::ProFtpd
    } else if text.contains("i won't open a connection") {
        Product::PureFtpd
    } else if text.contains("--allow-fxp") {
        Product::Fxpc
    } else if text.contains("foreign address") && text.contains("rejected data connection") {
        Product::Pyftpdlib
    } else {
        by_name(&text)
    }
}

/// The setting to change, when we know the server.
pub fn hint(product: Product, refused: Refused) -> Option<&'static str> {
    Some(match (product, refused) {
        (_, Refused::Redirect(_)) => return None,
        (_, Refused::Transfer) => return None,
        (Product::Vsftpd, Refused::Connect) => "vsftpd: set port_promiscuous=YES",
        (Product::Vsftpd, _) => "vsftpd: set pasv_promiscuous=YES",
        (Product::ProFtpd, _) => "ProFTPD: set AllowForeignAddress on",
        (Product::PureFtpd, _) => "Pure-FTPd: start it with -w (users) or -W (anonymous)",
        (Product::Pyftpdlib, _) => "pyftpdlib: set permit_foreign_addresses = True on the handler",
        (Product::FileZilla, _) => "FileZilla Server: turn off \"check data connection IP\"",
        (Product::Fxpc, _) => "fxpc serve: start it with --allow-fxp",
        (Product::Unknown, _) => return None,
    })
}

/// What a person reads about a refusal: which end, at which address,
/// refused what, in its own words, and the setting that would allow it.
pub fn describe(
    greeting: &Reply,
    peer: SocketAddr,
    end: End,
    refused: Refused,
    command: &str,
    reply: &Reply,
) -> String {
    if let Refused::Redirect(target) = refused {
        return format!(
            "the {end} ftp://{peer} answered {command} with another host's address {target} ({reply}): not used, since the other server could be sent anywhere that way (RFC 2577); if the server really is reached there, allow it in the site's settings (allow_foreign_passive)"
        );
    }
    let product = recognise(greeting, Some(reply));
    let mut text = format!("the {end} ftp://{peer} refused {command}: {reply}");
    if let Some(hint) = hint(product, refused) {
        // Silence proves nothing about who refused: the setting is only a
        // possibility then (Pure-FTPd drops foreign peers without a word,
        // but so does a peer that gave up).
        if reply.message().contains("timed out") {
            text.push_str(&format!(" (if it refuses foreign peers: {hint})"));
        } else {
            text.push_str(&format!(" ({hint})"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: u16, text: &str) -> Reply {
        Reply::new(code, text)
    }

    #[test]
    fn recognises_the_servers_of_the_profile_table() {
        let plain = r(220, "Welcome");
        let cases = [
            (r(220, "(vsFTPd 3.0.3)"), None, Product::Vsftpd),
            (
                plain.clone(),
                Some(r(425, "Security: Bad IP connecting.")),
                Product::Vsftpd,
            ),
            (r(220, "ProFTPD Server (Debian)"), None, Product::ProFtpd),
            (
                plain.clone(),
                Some(r(
                    500,
                    "I won't open a connection to 1.2.3.4 (only to 5.6.7.8)",
                )),
                Product::PureFtpd,
            ),
            (r(220, "pyftpdlib 2.2.0 ready."), None, Product::Pyftpdlib),
            (
                plain.clone(),
                Some(r(
                    501,
                    "Rejected data connection to foreign address 127.0.0.3:5000.",
                )),
                Product::Pyftpdlib,
            ),
            (
                plain.clone(),
                Some(r(
                    425,
                    "Rejected data connection from foreign address 127.0.0.3:5000.",
                )),
                Product::Pyftpdlib,
            ),
            (r(220, "fxpc FTP server ready."), None, Product::Fxpc),
            (
                r(220, "fxpc FTP server ready."),
                Some(r(
                    425,
                    "Rejected data connection from foreign address 127.0.0.2.",
                )),
                Product::Fxpc,
            ),
            (r(220, "FileZilla Server 1.8"), None, Product::FileZilla),
            (
                plain,
                Some(r(500, "Illegal PORT command.")),
                Product::Unknown,
            ),
        ];
        for (greeting, refusal, expected) in cases {
            assert_eq!(
                recognise(&greeting, refusal.as_ref()),
                expected,
                "{greeting} / {refusal:?}"
            );
        }
    }

    #[test]
    fn hints_name_the_setting() {
        assert_eq!(
            hint(Product::Vsftpd, Refused::Connect),
            Some("vsftpd: set port_promiscuous=YES")
        );
        assert_eq!(
            hint(Product::Vsftpd, Refused::Accept),
            Some("vsftpd: set pasv_promiscuous=YES")
        );
        assert!(
            hint(Product::Pyftpdlib, Refused::Connect)
                .unwrap()
                .contains("permit_foreign_addresses")
        );
        assert_eq!(hint(Product::Unknown, Refused::Connect), None);
    }
}
