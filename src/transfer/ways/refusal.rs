//! Recognising a server (from its greeting or its words) and naming the
//! setting that would allow the server-to-server transfer it refused
//! (shared/docs/rfc438-over-tcp.md, "What real servers answer").

use std::net::SocketAddr;

use crate::ftp::Reply;
use crate::transfer::End;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Product {
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
pub(crate) enum Refused {
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

pub(crate) fn recognise(greeting: &Reply, refusal: Option<&Reply>) -> Product {
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
pub(crate) fn hint(product: Product, refused: Refused) -> Option<&'static str> {
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

/// Why two servers would not take a way, as data: which end, which
/// command, which reply, which server. Rendered to words once, by
/// `Display`, when it reaches an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An end answered a command of the way with a refusal (or with
    /// silence, as a `425 … timed out` of our own).
    Answered {
        end: End,
        /// The end's control connection.
        peer: SocketAddr,
        what: Refused,
        command: String,
        reply: Reply,
        /// The server, as its greeting or its words give it away.
        server: Product,
    },
    /// An end does not advertise `LSTN` and `SOCK` in `FEAT`.
    NoLstn { end: End },
    /// One server keeps its data connections in TLS, the other in the
    /// clear.
    TlsOnOneEnd { tls: SocketAddr, clear: SocketAddr },
    /// Neither server can be the TLS client of a data connection.
    NoTlsClient {
        source: SocketAddr,
        destination: SocketAddr,
    },
    /// A command arranging the data connection's TLS (`SSCN`, `PROT C`)
    /// failed at a server: its error, in its words.
    TlsArrangement { at: SocketAddr, error: String },
    /// A protected exchange delivered fewer bytes than expected although
    /// both servers reported success.
    ArrivedShort { arrived: u64, expected: u64 },
}

impl Refusal {
    pub(crate) fn answered(
        client_greeting: &Reply,
        peer: SocketAddr,
        end: End,
        what: Refused,
        command: &str,
        reply: &Reply,
    ) -> Refusal {
        Refusal::Answered {
            end,
            peer,
            what,
            command: command.to_string(),
            reply: reply.clone(),
            server: recognise(client_greeting, Some(reply)),
        }
    }

    /// The end and code of a refusal at the transfer command itself
    /// (`RETR`, `STOR`, `APPE`): perhaps about the way, perhaps about the
    /// file; the relay tells which.
    pub(crate) fn at_transfer(&self) -> Option<(End, u16)> {
        match self {
            Refusal::Answered {
                end,
                what: Refused::Transfer,
                reply,
                ..
            } => Some((*end, reply.code)),
            _ => None,
        }
    }
}

/// What a person reads about a refusal: which end, at which address,
/// refused what, in its own words, and the setting that would allow it.
impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Answered {
                end,
                peer,
                what: Refused::Redirect(target),
                command,
                reply,
                ..
            } => write!(
                f,
                "the {end} ftp://{peer} answered {command} with another host's address {target} ({reply}): not used, since the other server could be sent anywhere that way (RFC 2577); if the server really is reached there, allow it in the site's settings (allow_foreign_passive)"
            ),
            Refusal::Answered {
                end,
                peer,
                what,
                command,
                reply,
                server,
            } => {
                write!(f, "the {end} ftp://{peer} refused {command}: {reply}")?;
                match hint(*server, *what) {
                    // Silence proves nothing about who refused: the setting
                    // is only a possibility then (Pure-FTPd drops foreign
                    // peers without a word, but so does a peer that gave up).
                    Some(hint) if reply.message().contains("timed out") => {
                        write!(f, " (if it refuses foreign peers: {hint})")
                    }
                    Some(hint) => write!(f, " ({hint})"),
                    None => Ok(()),
                }
            }
            Refusal::NoLstn { end } => {
                write!(f, "the {end} does not advertise LSTN and SOCK in FEAT")
            }
            Refusal::TlsOnOneEnd { tls, clear } => write!(
                f,
                "{tls} keeps its data connections in TLS and {clear} in the clear: they cannot exchange data directly"
            ),
            Refusal::NoTlsClient {
                source,
                destination,
            } => write!(
                f,
                "neither {source} nor {destination} can be the TLS client of a data connection (neither offers SSCN or CPSV): \
                 protected server-to-server copies need one that can (or allow_clear_data for both sites)"
            ),
            Refusal::TlsArrangement { at, error } => write!(f, "{at}: {error}"),
            Refusal::ArrivedShort { arrived, expected } => write!(
                f,
                "the data arrived short over TLS ({arrived} of {expected} bytes), although both servers reported success"
            ),
        }
    }
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
