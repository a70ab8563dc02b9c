//! One client's control connection: authentication, the working directory,
//! and the dispatch of every command. Transfers run inside the session's
//! loop so that `ABOR` and `STAT` are answered while data flows.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

mod commands;
mod data_setup;
mod files;
mod security;
mod transfers;

use super::Config;
use super::data::{self, DataSetup, Direction, Peers};
use super::guard::Guard;
use super::tls::{Conn, Tls};
use super::transfer::{self, Job, Limits, Text};
use super::upload::Write;
use super::vfs::{self, Jail};
use crate::ftp::addr::{self, AddrForm};
use crate::ftp::command::{CommandLine, LineError, parse_line};
use crate::ftp::hash::Algorithm;
use crate::ftp::reply::{Reply, quote_path};

const MAX_FAILED_LOGINS: u32 = 3;

/// How much a client may send ahead while its session is busy (a
/// transfer, a digest): beyond it the session stops reading until it can
/// take commands again.
const MAX_PIPELINED: usize = 64 * 1024;

enum Flow {
    Continue,
    Quit,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

pub(crate) struct Session {
    config: Arc<Config>,
    jail: Arc<Jail>,
    /// Plain until `AUTH TLS`, then in TLS for good.
    control: Conn,
    /// `None` when the server has no certificate.
    security: Option<security::Security>,
    buf: BytesMut,
    peer: SocketAddr,
    local: SocketAddr,
    pending_user: Option<String>,
    access: Option<Access>,
    failed_logins: u32,
    cwd: Vec<u8>,
    /// TYPE A or I.
    text: Text,
    /// The algorithm `HASH` uses (`OPTS HASH` changes it).
    hash: Algorithm,
    rest: u64,
    /// `RNFR`'s path, as the client named it.
    rename_from: Option<Vec<u8>>,
    data: DataSetup,
    shutdown: watch::Receiver<bool>,
    guard: Arc<Guard>,
    /// The rest of an over-long line is still arriving: skip to its end,
    /// so that it cannot run as a command of its own.
    discarding: bool,
    /// When the client last did something other than `NOOP`: the idle
    /// limit counts from here, so `NOOP` alone cannot hold a session.
    active_at: tokio::time::Instant,
}

impl Session {
    pub(crate) fn new(
        stream: TcpStream,
        config: Arc<Config>,
        jail: Arc<Jail>,
        tls: Option<Arc<Tls>>,
        guard: Arc<Guard>,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<Session> {
        let peer = stream.peer_addr()?;
        let local = stream.local_addr()?;
        // A transfer's 150 and 226 are two small writes in a row: with
        // Nagle the 226 would wait for the client's delayed ACK (40 ms a
        // file, measured), which caps small-file copies at ~22 files/s.
        stream.set_nodelay(true)?;
        Ok(Session {
            config,
            jail,
            control: Conn::Plain(stream),
            security: tls.map(|t| security::Security::new(t, peer.ip())),
            buf: BytesMut::with_capacity(1024),
            peer,
            local,
            pending_user: None,
            access: None,
            failed_logins: 0,
            cwd: b"/".to_vec(),
            text: Text::Binary,
            hash: Algorithm::Sha256,
            rest: 0,
            rename_from: None,
            data: DataSetup::None,
            shutdown,
            guard,
            discarding: false,
            active_at: tokio::time::Instant::now(),
        })
    }

    pub(crate) async fn run(mut self) -> std::io::Result<()> {
        let served = self.serve().await;
        // In TLS, a close_notify tells the client the session ended here
        // rather than being cut; a client that no longer reads does not
        // get to hold the session open for it.
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(1), self.control.shutdown()).await;
        served
    }

    async fn serve(&mut self) -> std::io::Result<()> {
        self.reply(220, "fxpc FTP server ready.").await?;
        let mut shutdown = self.shutdown.clone();
        let login_deadline = tokio::time::Instant::now() + self.config.login_timeout;
        loop {
            // Until logged in, the whole login has a short deadline; then
            // each command may keep the client waiting up to the idle time.
            let deadline = match self.access {
                None => login_deadline,
                Some(_) => self.active_at + self.config.idle_timeout,
            };
            let line = tokio::select! {
                line = tokio::time::timeout_at(deadline, self.next_line()) => line,
                _ = shutdown.changed() => {
                    self.reply(421, "Server shutting down.").await?;
                    return Ok(());
                }
            };
            let line = match line {
                Err(_) if self.access.is_none() => {
                    self.reply(421, "Login timeout, closing control connection.")
                        .await?;
                    return Ok(());
                }
                Err(_) => {
                    self.reply(421, "Idle timeout, closing control connection.")
                        .await?;
                    return Ok(());
                }
                Ok(Ok(Some(line))) => line,
                Ok(Ok(None)) => return Ok(()),
                Ok(Err(LineError::TooLong)) => {
                    match self.buf.iter().position(|&b| b == b'\n') {
                        Some(end) => self.buf.advance(end + 1),
                        None => {
                            self.buf.clear();
                            self.discarding = true;
                        }
                    }
                    self.reply(500, "Command line too long.").await?;
                    continue;
                }
                Ok(Err(LineError::Incomplete)) => unreachable!("next_line reads until complete"),
            };
            let noop = line.verb == "NOOP";
            if let Flow::Quit = self.handle(line).await? {
                return Ok(());
            }
            if !noop {
                self.active_at = tokio::time::Instant::now();
            }
        }
    }

    /// The next whole command line; `None` when the client hung up.
    async fn next_line(&mut self) -> Result<Option<CommandLine>, LineError> {
        loop {
            if self.discarding {
                match self.buf.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        self.buf.advance(end + 1);
                        self.discarding = false;
                    }
                    None => self.buf.clear(),
                }
            }
            match parse_line(&self.buf) {
                Ok((line, used)) => {
                    self.buf.advance(used);
                    return Ok(Some(line));
                }
                Err(LineError::Incomplete) => {}
                Err(e) => return Err(e),
            }
            match self.control.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return Ok(None),
                Ok(_) => {}
            }
        }
    }

    /// Resolves when the client closes its control connection. Whatever it
    /// sends meanwhile waits in the buffer for its turn.
    async fn control_closed(&mut self) {
        loop {
            if self.buf.len() >= MAX_PIPELINED {
                return std::future::pending().await;
            }
            match self.control.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    /// Writes a reply within the write timeout: a client that stops
    /// reading loses its session instead of holding it for ever.
    async fn send(&mut self, reply: &Reply) -> std::io::Result<()> {
        tracing::debug!(peer = %self.peer, "<< {reply}");
        self.send_bytes(&reply.encode()).await
    }

    async fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        // In TLS, write_all may leave the last record in rustls's buffer.
        let write = async {
            self.control.write_all(bytes).await?;
            self.control.flush().await
        };
        match tokio::time::timeout(self.config.write_timeout, write).await {
            Ok(result) => result,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client does not read its replies",
            )),
        }
    }

    async fn reply(&mut self, code: u16, text: impl Into<String>) -> std::io::Result<()> {
        self.send(&Reply::new(code, text)).await
    }

    async fn handle(&mut self, line: CommandLine) -> std::io::Result<Flow> {
        let CommandLine { verb, arg } = line;
        if verb == "PASS" {
            tracing::debug!(peer = %self.peer, ">> PASS ****");
        } else {
            tracing::debug!(peer = %self.peer, ">> {verb} {}", String::from_utf8_lossy(&arg));
        }
        let Some(spec) = self.command(&verb) else {
            // Unknown, or not offered here (LSTN with --no-lstn, AUTH and
            // SSCN without a certificate), before login too: a client
            // probing `AUTH TLS` learns it is not there.
            self.reply(502, format!("Command {verb} not implemented."))
                .await?;
            return Ok(Flow::Continue);
        };
        if self.access.is_none() && !spec.open {
            self.reply(530, "Please login with USER and PASS.").await?;
            return Ok(Flow::Continue);
        }
        // A name with a CR or another control byte could be stored but
        // never listed: a hidden store. No argument may carry one (a
        // password may).
        if verb != "PASS" && arg.iter().any(|&b| b < 0x20 || b == 0x7f) {
            self.reply(501, "Control characters are not allowed in arguments.")
                .await?;
            return Ok(Flow::Continue);
        }
        // REST applies to the very next command only, when that is a transfer.
        let rest = std::mem::take(&mut self.rest);
        // Likewise RNFR to RNTO.
        let rename_from = self.rename_from.take();
        if let Some(refusal) = self.tls_refusal(&verb) {
            if is_transfer(&verb) {
                // The negotiated data connection is not kept for later.
                self.data = DataSetup::None;
            }
            self.send(&refusal).await?;
            return Ok(Flow::Continue);
        }
        self.dispatch(commands::Call {
            verb,
            arg,
            rest,
            rename_from,
        })
        .await
    }

    async fn pwd(&mut self) -> std::io::Result<()> {
        let quoted = quote_path(&self.cwd);
        self.send(&Reply::multiline(
            257,
            vec![[&quoted[..], b" is the current directory"].concat()],
        ))
        .await
    }

    async fn user(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let name = String::from_utf8_lossy(arg).into_owned();
        self.access = None;
        self.pending_user = Some(name);
        self.reply(331, "Please specify the password.").await
    }

    async fn pass(&mut self, arg: &[u8]) -> std::io::Result<Flow> {
        let Some(user) = self.pending_user.take() else {
            self.reply(503, "Login with USER first.").await?;
            return Ok(Flow::Continue);
        };
        // Banned by another session's guesses: not even the right
        // password gets in now.
        if self.guard.is_banned(self.peer.ip()) {
            self.reply(421, super::guard::BANNED).await?;
            return Ok(Flow::Quit);
        }
        let password = String::from_utf8_lossy(arg);
        let anonymous = user == "anonymous" || user == "ftp";
        let granted = if anonymous {
            self.config.anonymous
        } else {
            self.config
                .users
                .iter()
                .any(|(u, p)| *u == user && p.expose() == password)
                .then_some(super::Anonymous::Write)
        };
        match granted {
            Some(level) => {
                self.access = Some(match level {
                    super::Anonymous::Read => Access::Read,
                    super::Anonymous::Write => Access::Write,
                });
                tracing::info!(peer = %self.peer, user, "logged in");
                self.reply(230, "Login successful.").await?;
                Ok(Flow::Continue)
            }
            None => {
                self.failed_logins += 1;
                tracing::info!(peer = %self.peer, user, "login refused");
                // Guessing costs time, more for every guess from the address.
                let verdict = self.guard.failed_login(self.peer.ip());
                tokio::time::sleep(verdict.delay).await;
                if verdict.banned {
                    self.reply(421, super::guard::BANNED).await?;
                    return Ok(Flow::Quit);
                }
                if self.failed_logins >= MAX_FAILED_LOGINS {
                    self.reply(421, "Too many failed logins, closing.").await?;
                    return Ok(Flow::Quit);
                }
                self.reply(530, "Login incorrect.").await?;
                Ok(Flow::Continue)
            }
        }
    }

    async fn opts(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(arg).to_ascii_uppercase();
        if text.starts_with("UTF8") || text.starts_with("MLST") {
            self.reply(200, "OK.").await
        } else if let Some(name) = text.strip_prefix("HASH") {
            match name.trim() {
                "" => self.reply(200, self.hash.name()).await,
                name => match Algorithm::from_name(name) {
                    Some(a) => {
                        self.hash = a;
                        self.reply(200, a.name()).await
                    }
                    None => self.reply(501, "Unknown algorithm.").await,
                },
            }
        } else {
            self.reply(501, "Option not understood.").await
        }
    }

    async fn type_(&mut self, arg: &[u8]) -> std::io::Result<()> {
        match arg.first().map(u8::to_ascii_uppercase) {
            Some(b'I') | Some(b'L') => {
                self.text = Text::Binary;
                self.reply(200, "Switching to Binary mode.").await
            }
            Some(b'A') => {
                self.text = Text::Ascii;
                self.reply(200, "Switching to ASCII mode.").await
            }
            _ => self.reply(504, "Unsupported TYPE.").await,
        }
    }

    async fn only(&mut self, arg: &[u8], supported: &[u8], what: &str) -> std::io::Result<()> {
        if arg.eq_ignore_ascii_case(supported) {
            self.reply(200, format!("{what} set.")).await
        } else {
            self.reply(
                504,
                format!(
                    "Only {what} {} is supported.",
                    String::from_utf8_lossy(supported)
                ),
            )
            .await
        }
    }

    /// Runs file-system work on the blocking pool: a slow disk, or a
    /// FIFO, must not hold up the async workers every session shares.
    async fn in_jail<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Jail) -> T + Send + 'static,
    ) -> T {
        let jail = self.jail.clone();
        match tokio::task::spawn_blocking(move || work(&jail)).await {
            Ok(t) => t,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    fn virtual_path(&self, arg: &[u8]) -> Vec<u8> {
        Jail::virtual_path(&self.cwd, arg)
    }

    fn require_write(&self) -> Result<(), Reply> {
        if self.access == Some(Access::Write) {
            Ok(())
        } else {
            Err(Reply::new(550, "Permission denied."))
        }
    }

    async fn cwd(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let looked = target.clone();
        match self.in_jail(move |j| j.metadata(&looked)).await {
            Ok(meta) if meta.is_dir() => {
                self.cwd = target;
                self.reply(250, "Directory successfully changed.").await
            }
            _ => self.reply(550, "Failed to change directory.").await,
        }
    }

    async fn rest_(&mut self, arg: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(arg)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
        {
            Some(n) => {
                self.rest = n;
                self.reply(350, format!("Restart position accepted ({n})."))
                    .await
            }
            None => self.reply(501, "REST needs a byte offset.").await,
        }
    }
}

/// Ends a session whose client left while it worked: nothing it sent
/// before leaving is run after.
fn client_left(during: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        format!("the client left during {during}"),
    )
}

/// The commands that open a data connection.
fn is_transfer(verb: &str) -> bool {
    matches!(
        verb,
        "RETR" | "STOR" | "APPE" | "STOU" | "LIST" | "NLST" | "MLSD"
    )
}

enum Urgent {
    Abort,
    Stat,
    Other,
    Gone,
}
