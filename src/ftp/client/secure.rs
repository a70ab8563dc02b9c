//! A session's TLS (RFC 4217): `AUTH TLS`, `PBSZ`/`PROT`, and for
//! server-to-server copies `SSCN` and `PRET`.

use super::*;

impl Client {
    /// `SSCN ON` (the server will be the TLS client of its next data
    /// connections) or `OFF`; nothing is sent when it is so already. Any
    /// 2xx is yes (drftpd says 220, others 200).
    pub async fn set_sscn(&mut self, on: bool) -> Result<()> {
        if self.sscn == on {
            return Ok(());
        }
        let command = Command::with_arg("SSCN", if on { "ON" } else { "OFF" })?;
        let reply = self.control.execute(&command).await?;
        if !reply.is_completion() {
            return Err(FtpError::Reply {
                command: command.to_string(),
                reply,
            });
        }
        self.sscn = on;
        Ok(())
    }

    /// `PROT P` or `PROT C` on a session in TLS; nothing is sent when it is
    /// so already.
    pub async fn set_data_protection(&mut self, on: bool) -> Result<()> {
        if self.data_tls == on || !self.control.is_tls() {
            return Ok(());
        }
        let command = Command::with_arg("PROT", if on { "P" } else { "C" })?;
        self.expect(command, &[200]).await?;
        self.data_tls = on;
        Ok(())
    }

    /// `PRET <the transfer command>` before a passive data connection, for
    /// servers that ask for it in `FEAT` (a distributed server picks the
    /// node that will serve the file from it).
    pub async fn pret(&mut self, transfer_line: &[u8]) -> Result<()> {
        if !self.features.pret {
            return Ok(());
        }
        self.expect(Command::with_arg("PRET", transfer_line)?, &[200])
            .await
            .map(drop)
    }

    /// `AUTH TLS` where the site takes TLS only if offered: a server that
    /// lists it in `FEAT` yet refuses it (Pure-FTPd without a certificate
    /// says `500 This security scheme is not implemented`; others `502`)
    /// leaves the connection as it was, so the session goes on in clear
    /// and says why. Before `USER`, nothing secret has crossed.
    pub(super) async fn try_auth_tls(&mut self) -> Result<()> {
        let Some(tls) = self.options.tls.clone() else {
            return Ok(());
        };
        let command = Command::with_arg("AUTH", "TLS")?;
        let reply = self.control.execute(&command).await?;
        if reply.code == 234 {
            return self.control.upgrade(&tls, &self.host).await;
        }
        if reply.code == 421 {
            // Closing: there is no session to go on with.
            return Err(FtpError::Reply {
                command: command.to_string(),
                reply,
            });
        }
        tracing::info!(host = %self.host, "AUTH TLS refused ({reply}): going on in clear");
        self.clear_because = Some(format!("the server refused AUTH TLS ({reply})"));
        Ok(())
    }

    /// `AUTH TLS`, then the handshake; a refusal ends the session: the site
    /// asked for TLS.
    pub(super) async fn auth_tls(&mut self) -> Result<()> {
        let Some(tls) = self.options.tls.clone() else {
            return Ok(());
        };
        let command = Command::with_arg("AUTH", "TLS")?;
        let reply = self.control.execute(&command).await?;
        if reply.code != 234 {
            return Err(FtpError::TlsSetting(format!(
                "{}: the server refused AUTH TLS ({reply}) and the site requires TLS; \
                 set tls = \"if-available\" or \"off\" for it to log in without",
                self.host
            )));
        }
        self.control.upgrade(&tls, &self.host).await
    }

    /// `PBSZ 0` and `PROT P` (RFC 4217 §8-9). A server that keeps its data
    /// connections clear says so with a refusal; the control connection
    /// stays in TLS.
    pub(super) async fn protect_data(&mut self) -> Result<()> {
        let pbsz = self
            .control
            .execute(&Command::with_arg("PBSZ", "0")?)
            .await?;
        let refusal = if pbsz.is_completion() {
            let prot = self
                .control
                .execute(&Command::with_arg("PROT", "P")?)
                .await?;
            self.data_tls = prot.is_completion();
            (!self.data_tls).then(|| format!("PROT P: {prot}"))
        } else {
            Some(format!("PBSZ 0: {pbsz}"))
        };
        let Some(refusal) = refusal else {
            return Ok(());
        };
        let required = self
            .options
            .tls
            .as_ref()
            .is_some_and(|t| matches!(t.settings.mode, TlsMode::Required | TlsMode::Implicit));
        if required && !self.options.allow_clear_data {
            // "TLS required" is a promise about the files too, not only
            // the password.
            return Err(FtpError::TlsSetting(format!(
                "{}: the server refused to protect data connections ({refusal}) and this site requires TLS: files would cross in clear; set allow_clear_data = true for the site to accept that",
                self.host
            )));
        }
        tracing::info!(host = %self.host, "{refusal}: data connections stay clear");
        Ok(())
    }

    /// A login refused because the server wants TLS while the site said
    /// off: the message names the setting to change.
    pub(super) fn explain_tls_demand(&self, e: FtpError) -> FtpError {
        let Some(reply) = e.reply() else { return e };
        let text = reply.text().to_ascii_lowercase();
        let asks_tls = ["tls", "ssl", "encrypt", "secure"]
            .iter()
            .any(|w| text.contains(w));
        if !self.control.is_tls() && asks_tls && matches!(reply.code, 421 | 500..=599) {
            return FtpError::TlsSetting(format!(
                "{}: the server demands TLS ({reply}) and this site's tls setting is off; \
                 use ftpes:// (or tls = \"if-available\" for the site)",
                self.host
            ));
        }
        e
    }
}
