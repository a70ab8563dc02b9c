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

mod files;
mod security;

use super::Config;
use super::data::{self, DataSetup, Direction, Peers};
use super::guard::Guard;
use super::tls::{Conn, Tls};
use super::transfer::{self, Job, Limits, Text, Write};
use super::vfs::{self, Jail};
use crate::ftp::addr::{self, AddrForm};
use crate::ftp::command::{CommandLine, LineError, parse_line};
use crate::ftp::hash::Algorithm;
use crate::ftp::reply::{Reply, quote_path};

const MAX_FAILED_LOGINS: u32 = 3;

enum Flow {
    Continue,
    Quit,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

pub struct Session {
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
}

impl Session {
    pub fn new(
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
        })
    }

    pub async fn run(mut self) -> std::io::Result<()> {
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
                Some(_) => tokio::time::Instant::now() + self.config.idle_timeout,
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
            if let Flow::Quit = self.handle(line).await? {
                return Ok(());
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
        let open_to_all = matches!(
            verb.as_str(),
            "USER"
                | "PASS"
                | "QUIT"
                | "FEAT"
                | "SYST"
                | "NOOP"
                | "OPTS"
                | "HELP"
                | "AUTH"
                | "PBSZ"
                | "PROT"
        );
        if self.access.is_none() && !open_to_all {
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
        match verb.as_str() {
            "USER" => self.user(&arg).await?,
            "PASS" => return self.pass(&arg).await,
            "QUIT" => {
                self.reply(221, "Goodbye.").await?;
                return Ok(Flow::Quit);
            }
            "SYST" => self.reply(215, "UNIX Type: L8").await?,
            "FEAT" => self.feat().await?,
            "OPTS" => self.opts(&arg).await?,
            "NOOP" => self.reply(200, "NOOP ok.").await?,
            "HELP" => {
                self.reply(214, "See RFC 959; LSTN and SOCK per RFC 438.")
                    .await?
            }
            "AUTH" => return self.auth(&arg).await,
            "PBSZ" => self.pbsz(&arg).await?,
            "PROT" => self.prot(&arg).await?,
            "SSCN" if self.security.is_some() => self.sscn(&arg).await?,
            "CPSV" if self.security.is_some() => self.pasv(false, true).await?,
            "TYPE" => self.type_(&arg).await?,
            "MODE" => self.only(&arg, b"S", "MODE").await?,
            "STRU" => self.only(&arg, b"F", "STRU").await?,
            "PWD" | "XPWD" => {
                let quoted = quote_path(&self.cwd);
                self.send(&Reply::multiline(
                    257,
                    vec![[&quoted[..], b" is the current directory"].concat()],
                ))
                .await?
            }
            "CWD" | "XCWD" => self.cwd(&arg).await?,
            "CDUP" | "XCUP" => self.cwd(b"..").await?,
            "REST" => self.rest_(&arg).await?,
            "SIZE" => self.size(&arg).await?,
            "HASH" => self.hash(self.hash, &arg, true).await?,
            "XSHA256" | "XSHA1" | "XMD5" | "XCRC" => {
                let algorithm = Algorithm::from_x_command(&verb).expect("one of the X commands");
                self.hash(algorithm, &arg, false).await?
            }
            "MDTM" => self.mdtm(&arg).await?,
            "MKD" | "XMKD" => self.mkd(&arg).await?,
            "RMD" | "XRMD" => self.rmd(&arg).await?,
            "DELE" => self.dele(&arg).await?,
            "RNFR" => self.rnfr(&arg).await?,
            "RNTO" => self.rnto(&arg, rename_from).await?,
            "STAT" => self.stat(&arg).await?,
            "ABOR" => self.reply(225, "No transfer to abort.").await?,
            "MLST" => self.mlst(&arg).await?,
            "PASV" => self.pasv(false, false).await?,
            "EPSV" => self.pasv(true, false).await?,
            "PORT" => self.port(&arg, AddrForm::Rfc959).await?,
            "EPRT" => self.port(&arg, AddrForm::Rfc2428).await?,
            "LSTN" if self.config.lstn => self.lstn(&arg).await?,
            "SOCK" if self.config.lstn => self.sock(&arg).await?,
            "RETR" => self.retr(&arg, rest).await?,
            "STOR" => self.store(&arg, Write::Replace, rest).await?,
            "APPE" => self.store(&arg, Write::Append, 0).await?,
            "STOU" => self.store(&arg, Write::Unique, 0).await?,
            "LIST" | "NLST" | "MLSD" => self.list(&verb, &arg).await?,
            _ => {
                self.reply(502, format!("Command {verb} not implemented."))
                    .await?
            }
        }
        Ok(Flow::Continue)
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
                tokio::time::sleep(self.guard.failed_login(self.peer.ip())).await;
                if self.failed_logins >= MAX_FAILED_LOGINS {
                    self.reply(421, "Too many failed logins, closing.").await?;
                    return Ok(Flow::Quit);
                }
                self.reply(530, "Login incorrect.").await?;
                Ok(Flow::Continue)
            }
        }
    }

    async fn feat(&mut self) -> std::io::Result<()> {
        let mut lines: Vec<Vec<u8>> = vec![b"Features:".to_vec()];
        let mut feats = vec![
            " EPRT",
            " EPSV",
            " HASH SHA-256*;SHA-1;MD5;CRC32",
            " MDTM",
            " MLST type*;size*;modify*;perm*;unique*;UNIX.mode;",
            " PASV",
            " REST STREAM",
            " SIZE",
            " TVFS",
            " UTF8",
            " XCRC",
            " XMD5",
            " XSHA1",
            " XSHA256",
        ];
        if self.config.lstn {
            feats.extend([" LSTN", " SOCK"]);
        }
        if self.security.is_some() {
            feats.extend([" AUTH TLS", " CPSV", " PBSZ", " PROT", " SSCN"]);
        }
        feats.sort_unstable();
        lines.extend(feats.into_iter().map(|f| f.as_bytes().to_vec()));
        lines.push(b"End".to_vec());
        self.send(&Reply::multiline(211, lines)).await
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
        match self.jail.metadata(&target) {
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

    /// Who may connect to a socket we listen on without a pinned peer.
    fn default_peers(&self) -> Peers {
        if self.config.allow_fxp {
            Peers::Any
        } else {
            Peers::Client(self.peer.ip())
        }
    }

    /// PASV, EPSV, and CPSV (`tls_client`: PASV where we take the TLS
    /// client's side of the data connection).
    async fn pasv(&mut self, extended: bool, tls_client: bool) -> std::io::Result<()> {
        self.data = DataSetup::None;
        if !extended && !self.local.is_ipv4() && self.local.ip().to_canonical().is_ipv6() {
            return self.reply(425, "PASV is IPv4 only; use EPSV.").await;
        }
        let listener = match data::listen(self.local.ip(), self.config.pasv_range).await {
            Ok(l) => l,
            Err(e) => {
                return self
                    .reply(425, format!("Cannot listen for data: {e}."))
                    .await;
            }
        };
        let bound = listener.local_addr()?;
        self.data = DataSetup::Passive {
            listener,
            peers: self.default_peers(),
            tls_client,
        };
        if extended {
            self.reply(
                229,
                format!("Entering Extended Passive Mode (|||{}|).", bound.port()),
            )
            .await
        } else {
            let SocketAddr::V4(v4) = bound else {
                return self.reply(425, "PASV is IPv4 only; use EPSV.").await;
            };
            self.reply(
                227,
                format!("Entering Passive Mode ({}).", addr::format_rfc959(v4)),
            )
            .await
        }
    }

    async fn port(&mut self, arg: &[u8], form: AddrForm) -> std::io::Result<()> {
        self.data = DataSetup::None;
        let text = String::from_utf8_lossy(arg);
        let target = match form {
            AddrForm::Rfc959 => addr::parse_rfc959(&text).map(SocketAddr::V4),
            AddrForm::Rfc2428 => addr::parse_rfc2428(&text),
        };
        let Some(target) = target else {
            return self.reply(501, "Syntax error in address.").await;
        };
        if let Err(refusal) = data::check_target(target, self.peer.ip(), self.config.allow_fxp) {
            return self.send(&refusal).await;
        }
        // Connect from our own address, as real servers do: the peer then
        // sees this server, not whatever address the kernel would pick.
        let socket = match self.bind_data_socket(target) {
            Ok((socket, _)) => socket,
            Err(e) => {
                return self
                    .reply(425, format!("Cannot allocate a socket: {e}."))
                    .await;
            }
        };
        self.data = DataSetup::Active { target, socket };
        let verb = if form == AddrForm::Rfc959 {
            "PORT"
        } else {
            "EPRT"
        };
        self.reply(200, format!("{verb} command successful.")).await
    }

    /// RFC 438 profile: `LSTN S|R` → `255 SOCK <addr>`.
    async fn lstn(&mut self, arg: &[u8]) -> std::io::Result<()> {
        self.data = DataSetup::None;
        let direction = match arg {
            b"S" | b"s" => Direction::Send,
            b"R" | b"r" => Direction::Receive,
            _ => {
                return self
                    .reply(501, "LSTN needs a direction: S (send) or R (receive).")
                    .await;
            }
        };
        let listener = match data::listen(self.local.ip(), self.config.pasv_range).await {
            Ok(l) => l,
            Err(e) => {
                return self
                    .reply(425, format!("Cannot allocate a socket: {e}."))
                    .await;
            }
        };
        let bound = listener.local_addr()?;
        let form = if bound.is_ipv4() {
            AddrForm::Rfc959
        } else {
            AddrForm::Rfc2428
        };
        self.data = DataSetup::Listen {
            listener,
            direction,
            pin: None,
            peers: self.default_peers(),
        };
        self.reply(255, format!("SOCK {}", addr::format(bound, form)))
            .await
    }

    /// RFC 438 profile: `SOCK <addr>` pins the peer of a pending LSTN, or
    /// (without one) binds the socket we will connect from and names it.
    async fn sock(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let Some((target, form)) = addr::parse_any(&String::from_utf8_lossy(arg)) else {
            return self.reply(501, "Syntax error in address.").await;
        };
        if let DataSetup::Listen { listener, pin, .. } = &mut self.data {
            let bound = listener.local_addr()?;
            *pin = Some(target);
            tracing::info!(peer = %self.peer, "LSTN socket {bound} pinned to {target}");
            return self
                .reply(255, format!("SOCK {}", addr::format(bound, form)))
                .await;
        }
        self.data = DataSetup::None;
        if let Err(refusal) = data::check_target(target, self.peer.ip(), self.config.allow_fxp) {
            return self.send(&refusal).await;
        }
        match self.bind_data_socket(target) {
            Ok((socket, local)) => {
                self.data = DataSetup::Active { target, socket };
                self.reply(255, format!("SOCK {}", addr::format(local, form)))
                    .await
            }
            Err(e) => {
                self.reply(425, format!("Cannot allocate a socket: {e}."))
                    .await
            }
        }
    }

    fn bind_data_socket(
        &self,
        target: SocketAddr,
    ) -> std::io::Result<(tokio::net::TcpSocket, SocketAddr)> {
        let socket = data::new_socket(target)?;
        socket.bind(SocketAddr::new(self.local.ip(), 0))?;
        let local = socket.local_addr()?;
        Ok((socket, local))
    }

    async fn retr(&mut self, arg: &[u8], offset: u64) -> std::io::Result<()> {
        let opened = match self.jail.open_read(&self.virtual_path(arg)) {
            Ok(file) => match file.metadata() {
                Ok(m) if m.is_file() => Ok((tokio::fs::File::from_std(file), m.len())),
                _ => Err(Reply::new(550, "Failed to open file: not a plain file.")),
            },
            Err(e) => Err(Reply::new(550, format!("Failed to open file: {e}."))),
        };
        let (file, len) = match opened {
            Ok(x) => x,
            Err(r) => {
                self.data = DataSetup::None;
                return self.send(&r).await;
            }
        };
        let name = String::from_utf8_lossy(vfs::file_name(&self.virtual_path(arg))).into_owned();
        let text = format!("Opening BINARY mode data connection for {name} ({len} bytes).");
        self.transfer(
            Job::Send {
                file,
                offset,
                text: self.text,
            },
            text,
        )
        .await
    }

    async fn store(&mut self, arg: &[u8], how: Write, offset: u64) -> std::io::Result<()> {
        if matches!(self.data, DataSetup::None) {
            // Nothing is created for a transfer that cannot happen.
            return self.reply(425, "Use PORT, PASV or LSTN first.").await;
        }
        let checked = self.require_write().and_then(|()| {
            if how == Write::Unique {
                self.reserve_unique(arg)
            } else if arg.is_empty() {
                Err(Reply::new(501, "A file name is required."))
            } else {
                Ok((self.virtual_path(arg), String::new()))
            }
        });
        let (path, unique_name) = match checked {
            Ok(x) => x,
            Err(r) => {
                self.data = DataSetup::None;
                return self.send(&r).await;
            }
        };
        if self.jail.metadata(&path).is_ok_and(|m| m.is_dir()) {
            self.data = DataSetup::None;
            return self
                .reply(553, "Could not create file: is a directory.")
                .await;
        }
        let text = if how == Write::Unique {
            format!("FILE: {unique_name}")
        } else {
            "Ok to send data.".to_string()
        };
        self.transfer(
            Job::Receive {
                jail: self.jail.clone(),
                path,
                how,
                offset,
                text: self.text,
            },
            text,
        )
        .await
    }

    /// STOU: creates an empty file under a name nobody has, so that two
    /// sessions never pick the same one.
    fn reserve_unique(&self, arg: &[u8]) -> Result<(Vec<u8>, String), Reply> {
        let base = if arg.is_empty() {
            b"stou".as_slice()
        } else {
            arg
        };
        for n in 0..10_000u32 {
            let candidate: Vec<u8> = if n == 0 {
                base.to_vec()
            } else {
                [base, format!(".{n}").as_bytes()].concat()
            };
            let path = self.virtual_path(&candidate);
            match self.jail.create_new(&path) {
                Ok(_) => {
                    let name = String::from_utf8_lossy(vfs::file_name(&path)).into_owned();
                    return Ok((path, name));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Reply::new(553, format!("Could not create file: {e}."))),
            }
        }
        Err(Reply::new(553, "Could not find a unique name."))
    }

    /// Runs a transfer while still answering `ABOR`, `STAT` and `QUIT` on
    /// the control connection; other commands wait until it ends.
    async fn transfer(&mut self, job: Job, opened_text: String) -> std::io::Result<()> {
        let protection = self.data_protection();
        let setup = std::mem::take(&mut self.data);
        let progress = Arc::new(AtomicU64::new(0));
        let (opened_tx, mut opened_rx) = tokio::sync::oneshot::channel();
        let limits = Limits {
            accept_timeout: self.config.data_accept_timeout,
            idle_timeout: self.config.data_idle_timeout,
            rate: self.config.rate,
        };
        let work = transfer::run(
            job,
            setup,
            protection,
            limits,
            opened_text,
            opened_tx,
            progress.clone(),
        );
        tokio::pin!(work);
        let mut opened_sent = false;
        let mut hold_commands = false;
        let mut shutdown = self.shutdown.clone();
        loop {
            tokio::select! {
                biased;
                Ok(reply) = &mut opened_rx, if !opened_sent => {
                    opened_sent = true;
                    self.send(&reply).await?;
                }
                reply = &mut work => {
                    // The 150 may still sit in the channel if the transfer
                    // finished at once.
                    if !opened_sent && let Ok(r) = opened_rx.try_recv() {
                        self.send(&r).await?;
                    }
                    return self.send(&reply).await;
                }
                urgent = self.next_urgent_line(), if !hold_commands => match urgent {
                    Urgent::Abort => {
                        if opened_sent {
                            self.reply(426, "Transfer aborted.").await?;
                        }
                        return self.reply(226, "ABOR successful.").await;
                    }
                    Urgent::Stat => {
                        let n = progress.load(Ordering::Relaxed);
                        self.reply(213, format!("Status: {n} bytes transferred.")).await?;
                    }
                    Urgent::Other => hold_commands = true,
                    Urgent::Gone => return Ok(()),
                },
                _ = shutdown.changed() => {
                    return self.reply(421, "Server shutting down.").await;
                }
            }
        }
    }

    /// Reads while a transfer runs; only ABOR and STAT are taken out of the
    /// buffer, anything else is left for after the transfer.
    async fn next_urgent_line(&mut self) -> Urgent {
        loop {
            match parse_line(&self.buf) {
                Ok((line, used)) => {
                    return match line.verb.as_str() {
                        "ABOR" => {
                            self.buf.advance(used);
                            Urgent::Abort
                        }
                        "STAT" if line.arg.is_empty() => {
                            self.buf.advance(used);
                            Urgent::Stat
                        }
                        _ => Urgent::Other,
                    };
                }
                Err(LineError::TooLong) => return Urgent::Other,
                Err(LineError::Incomplete) => {}
            }
            match self.control.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return Urgent::Gone,
                Ok(_) => {}
            }
        }
    }
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
