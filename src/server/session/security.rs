//! FTPS on the control connection (RFC 4217): `AUTH TLS`, `PBSZ`, `PROT`,
//! what `--tls required` refuses, and which side of a data connection's
//! handshake this server takes (`SSCN`, `CPSV`).

use std::sync::Arc;

use super::{Flow, Session, is_transfer};
use crate::ftp::reply::Reply;
use crate::server::data::DataSetup;
use crate::server::tls::{Conn, DataProtection, Role, SessionKey, Tls, TlsPolicy};

/// A session's TLS state, on a server that has a certificate.
pub(super) struct Security {
    tls: Arc<Tls>,
    key: SessionKey,
    /// `PBSZ` since `AUTH TLS` (RFC 4217 §9: `PROT` needs it first).
    pbsz: bool,
    /// `PROT P`: data connections in TLS.
    private: bool,
    /// `SSCN ON`: we are the TLS client of our data connections.
    client_method: bool,
}

impl Security {
    pub(super) fn new(tls: Arc<Tls>, client: std::net::IpAddr) -> Security {
        Security {
            key: SessionKey::of(client),
            tls,
            pbsz: false,
            private: false,
            client_method: false,
        }
    }
}

impl Session {
    /// What `--tls required` answers a command instead of running it.
    pub(super) fn tls_refusal(&self, verb: &str) -> Option<Reply> {
        let security = self.security.as_ref()?;
        if security.tls.policy != TlsPolicy::Required {
            return None;
        }
        if matches!(verb, "USER" | "PASS") && !self.control.is_tls() {
            return Some(Reply::new(
                530,
                "TLS is required on this server: send AUTH TLS before logging in.",
            ));
        }
        if is_transfer(verb) && !security.private {
            return Some(Reply::new(
                521,
                "Data connection cannot be opened with this PROT setting: TLS is required, send PROT P.",
            ));
        }
        None
    }

    /// `AUTH TLS` (or `TLS-C`, `SSL`): `234`, then the handshake on this
    /// connection. A failed handshake ends the session.
    pub(super) async fn auth(&mut self, arg: &[u8]) -> std::io::Result<Flow> {
        let Some(security) = &self.security else {
            self.reply(502, "TLS is not supported by this server.")
                .await?;
            return Ok(Flow::Continue);
        };
        let (tls, key) = (security.tls.clone(), security.key);
        let mechanism = String::from_utf8_lossy(arg).trim().to_ascii_uppercase();
        if !matches!(mechanism.as_str(), "TLS" | "TLS-C" | "SSL") {
            self.reply(504, "Unknown mechanism; AUTH TLS is supported.")
                .await?;
            return Ok(Flow::Continue);
        }
        if self.control.is_tls() {
            self.reply(503, "Already in TLS.").await?;
            return Ok(Flow::Continue);
        }
        if self.access.is_some() {
            self.reply(503, "AUTH TLS must come before login.").await?;
            return Ok(Flow::Continue);
        }
        self.reply(234, "Proceed with negotiation.").await?;
        // What the client sent after AUTH came in the clear: run inside
        // the TLS session, it could be commands a man in the middle added
        // (the STARTTLS injection, CVE-2011-0411). A client waits for 234.
        self.buf.clear();
        self.discarding = false;
        self.pending_user = None;
        let Conn::Plain(tcp) = std::mem::replace(&mut self.control, Conn::Upgrading) else {
            return Err(std::io::Error::other("the control connection is not plain"));
        };
        match tokio::time::timeout(self.config.login_timeout, tls.accept_control(tcp, key)).await {
            Ok(Ok(secured)) => {
                self.control = secured;
                tracing::info!(peer = %self.peer, "control connection in TLS");
                Ok(Flow::Continue)
            }
            Ok(Err(e)) => {
                tracing::info!(peer = %self.peer, "TLS handshake failed: {e}");
                Ok(Flow::Quit)
            }
            Err(_) => {
                tracing::info!(peer = %self.peer, "no TLS handshake after AUTH");
                Ok(Flow::Quit)
            }
        }
    }

    /// `PBSZ`: TLS has no buffer size; any number is answered `PBSZ=0`.
    pub(super) async fn pbsz(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let Some(security) = self.security.as_mut().filter(|_| self.control.is_tls()) else {
            return self.reply(503, "PBSZ needs AUTH TLS first.").await;
        };
        let number = std::str::from_utf8(arg)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        if number.is_none() {
            return self.reply(501, "PBSZ needs a number (0 for TLS).").await;
        }
        security.pbsz = true;
        self.reply(200, "PBSZ=0").await
    }

    /// `PROT C` (clear data connections, the default) or `PROT P` (TLS).
    pub(super) async fn prot(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let level = String::from_utf8_lossy(arg).trim().to_ascii_uppercase();
        let in_tls = self.control.is_tls();
        match (level.as_str(), self.security.as_mut()) {
            ("C", security) => {
                if let Some(s) = security {
                    s.private = false;
                }
                self.reply(200, "Protection level set to Clear.").await
            }
            ("P", Some(s)) if in_tls && s.pbsz => {
                s.private = true;
                self.reply(200, "Protection level set to Private.").await
            }
            ("P", Some(_)) if in_tls => self.reply(503, "PROT needs PBSZ 0 first.").await,
            ("P", _) => self.reply(503, "PROT P needs AUTH TLS first.").await,
            ("S" | "E", _) => {
                self.reply(
                    536,
                    "Protection level not supported by TLS; use PROT C or PROT P.",
                )
                .await
            }
            ("", _) => self.reply(501, "PROT needs a level: C or P.").await,
            _ => self.reply(504, "Unknown protection level.").await,
        }
    }

    /// `SSCN ON|OFF` (no argument: the state). With `ON` this server is
    /// the TLS client of its data connections, whoever connected: so that
    /// two servers can make a protected data connection between them.
    pub(super) async fn sscn(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let Some(security) = self.security.as_mut() else {
            return self.reply(502, "Command SSCN not implemented.").await;
        };
        match String::from_utf8_lossy(arg)
            .trim()
            .to_ascii_uppercase()
            .as_str()
        {
            "" => {}
            "ON" => security.client_method = true,
            "OFF" => security.client_method = false,
            _ => return self.reply(501, "SSCN takes ON or OFF.").await,
        }
        let method = if security.client_method {
            "SSCN:CLIENT METHOD"
        } else {
            "SSCN:SERVER METHOD"
        };
        self.reply(200, method).await
    }

    /// How the next data connection is protected: `None` for `PROT C`.
    pub(super) fn data_protection(&self) -> Option<DataProtection> {
        let security = self.security.as_ref().filter(|s| s.private)?;
        let cpsv = matches!(
            self.data,
            DataSetup::Passive {
                tls_client: true,
                ..
            }
        );
        Some(DataProtection {
            tls: security.tls.clone(),
            key: security.key,
            role: if security.client_method || cpsv {
                Role::Client
            } else {
                Role::Server
            },
        })
    }
}
