//! A logged-in FTP session: login, features and file operations.
//! `secure.rs` holds its TLS (AUTH TLS, PROT, SSCN, PRET), `data.rs` the
//! data connections for the transfers and listings it carries itself.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::addr;
use super::command::Command;
use super::control::Control;
use super::error::{FtpError, Result};
use super::features::Features;
use super::hash::{self, Algorithm};
use super::listing::{
    self, DetectedStyle, Entry, Listing, ListingReader, ListingStyle, StyleSource,
};
use super::reply::Reply;
use super::secret::Secret;
use super::stream::Stream;
use super::tls::{Tls, TlsMode};

#[derive(Debug, Clone)]
pub struct Options {
    pub connect_timeout: Duration,
    /// How long a reply to an ordinary command may take.
    pub reply_timeout: Duration,
    /// How long a data connection may stay silent before we give up.
    pub data_idle_timeout: Duration,
    /// Passive (`EPSV`/`PASV`: we connect) or active (`EPRT`/`PORT`: the
    /// server connects to us) data connections for our own transfers.
    pub passive: bool,
    /// FTPS: `None` is plain FTP whatever the server offers.
    pub tls: Option<Tls>,
    /// How LIST output is read: `Auto` asks the server (SYST) and looks
    /// for a heading; anything else is the site's say-so.
    pub listing: ListingStyle,
    /// How large one directory's listing may grow before it is stopped
    /// (a server sending one without end, or a million names).
    pub listing_limits: listing::Limits,
    /// Connect our own passive data connections where `PASV` says. Off by
    /// default: the control connection's peer is used with the port from
    /// the reply, as curl and lftp do, so a hostile server cannot send our
    /// uploads (or take our connections) to a third host. A site behind a
    /// NAT that serves data from another host turns it on.
    pub trust_passive_address: bool,
    /// Where TLS is required, data may still cross in clear when the
    /// server refuses `PROT P` (the site's `allow_clear_data`); otherwise
    /// that refusal ends the session.
    pub allow_clear_data: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(15),
            reply_timeout: Duration::from_secs(60),
            data_idle_timeout: Duration::from_secs(60),
            passive: true,
            tls: None,
            listing: ListingStyle::Auto,
            listing_limits: listing::Limits::default(),
            trust_passive_address: false,
            allow_clear_data: false,
        }
    }
}

/// Who logs in. Anonymous by default, as RFC 1635 describes.
#[derive(Debug, Clone)]
pub struct Login {
    pub user: String,
    pub password: Secret,
    pub account: Option<Secret>,
}

impl Default for Login {
    fn default() -> Login {
        Login {
            user: "anonymous".to_string(),
            password: Secret::new("fxpc@"),
            account: None,
        }
    }
}

/// How an upload treats an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// `STOR`: replace (or, after `REST n`, write from offset n).
    Replace,
    /// `APPE`: add to the end.
    Append,
    /// `STOU`: the server picks a unique name.
    Unique,
}

impl StoreMode {
    fn verb(self) -> &'static str {
        match self {
            StoreMode::Replace => "STOR",
            StoreMode::Append => "APPE",
            StoreMode::Unique => "STOU",
        }
    }
}

pub struct Client {
    control: Control,
    host: String,
    greeting: Reply,
    features: Features,
    options: Options,
    /// Cleared when the server refuses `EPSV`, so we stop asking.
    epsv_works: bool,
    /// Cleared when the server refuses `LIST -a`.
    list_all_works: bool,
    /// `PROT P`: data connections in TLS too.
    data_tls: bool,
    /// `PROT P` was accepted at login: our own transfers always have it,
    /// whatever a server-to-server copy asked for meanwhile.
    data_tls_wanted: bool,
    /// `SSCN ON` was last said: the server is the TLS client of its data
    /// connections (for server-to-server copies; never for our own).
    sscn: bool,
    /// The site's listing setting, or what SYST said: asked once.
    server_style: Option<DetectedStyle>,
    /// What the last LIST was read as (a heading may have said more).
    last_style: Option<DetectedStyle>,
    /// Why a session that would have taken TLS (`if-available`) is in the
    /// clear: the server did not offer `AUTH TLS`, or refused it.
    clear_because: Option<String>,
    /// Which ways of setting a file's time this server refused.
    time_ways: Arc<Mutex<times::Ways>>,
    /// The working directory as `PWD` last said it, while no `CWD` has
    /// gone elsewhere since: a listing or a probe that goes in and comes
    /// back asks it once per session, not each time.
    here: Option<Vec<u8>>,
}

impl Client {
    /// Opens the control connection and reads the greeting (`220`; `120`
    /// means "wait", `421` refuses). Implicit FTPS starts TLS first.
    pub async fn connect(host: &str, port: u16, options: Options) -> Result<Client> {
        let stream = connect_tcp(host, port, options.connect_timeout).await?;
        let mut control = Control::new(stream, options.reply_timeout)?;
        if let Some(tls) = options
            .tls
            .as_ref()
            .filter(|t| t.settings.mode == TlsMode::Implicit)
        {
            control.upgrade(tls, host).await?;
        }
        let mut greeting = control.read_reply_within(options.connect_timeout).await?;
        if greeting.code == 120 {
            // RFC 959: "Service ready in nnn minutes" – the 220 follows.
            greeting = control.read_reply_within(options.reply_timeout).await?;
        }
        if greeting.code != 220 {
            return Err(FtpError::Refused {
                host: host.to_string(),
                reply: greeting,
            });
        }
        Ok(Client {
            control,
            host: host.to_string(),
            greeting,
            features: Features::default(),
            options,
            epsv_works: true,
            list_all_works: true,
            data_tls: false,
            data_tls_wanted: false,
            sscn: false,
            server_style: None,
            last_style: None,
            clear_because: None,
            time_ways: Default::default(),
            here: None,
        })
    }

    /// Connects, secures the session as the site asks (`AUTH TLS` before
    /// the password crosses), logs in, reads `FEAT`, protects the data
    /// connections (`PBSZ 0`, `PROT P`) and prepares binary transfers: what
    /// every caller wants before doing real work.
    pub async fn open(host: &str, port: u16, login: &Login, options: Options) -> Result<Client> {
        let mut client = Client::connect(host, port, options).await?;
        let mode = client.options.tls.as_ref().map(|t| t.settings.mode);
        let mut known_features = false;
        match mode {
            Some(TlsMode::Required) => client.auth_tls().await?,
            Some(TlsMode::IfAvailable) => {
                // FEAT before login says whether AUTH TLS is there; the
                // answer serves after login too (servers list the same).
                client.feat().await?;
                known_features = true;
                if client.features.auth_tls() {
                    client.try_auth_tls().await?;
                } else {
                    client.clear_because = Some("the server does not offer AUTH TLS".into());
                }
            }
            _ => {}
        }
        if let Err(e) = client.login(login).await {
            return Err(client.explain_tls_demand(e));
        }
        if !known_features || client.features.lines.is_empty() {
            client.feat().await?;
        }
        if client.control.is_tls() {
            client.protect_data().await?;
        }
        if client.features.utf8 {
            // Some servers answer 5xx while still using UTF-8; harmless,
            // so its reply is not waited for (read with TYPE's).
            let utf8 = Command::with_arg("OPTS", "UTF8 ON")?;
            client.control.send_unawaited(&utf8, Box::new(drop)).await?;
        }
        client.ask_where_and_what().await?;
        Ok(client)
    }

    /// `TYPE I`, and with it the questions most sessions ask sooner or
    /// later (`PWD`; `SYST` when listings will be read by it): answered in
    /// the same round trip instead of one each when first needed.
    async fn ask_where_and_what(&mut self) -> Result<()> {
        let pwd = self.send_ahead(Command::new("PWD")).await?;
        let syst = if self.options.listing == ListingStyle::Auto && !self.features.mlst {
            Some(self.send_ahead(Command::new("SYST")).await?)
        } else {
            None
        };
        self.type_binary().await?;
        if let Some(Ok(reply)) = pwd.answer() {
            self.here = (reply.code == 257)
                .then(|| parse_quoted_path(&reply.lines()[0]))
                .flatten();
        }
        if let Some(Ok(reply)) = syst.and_then(|syst| syst.answer()) {
            self.learn_style(&reply);
        }
        Ok(())
    }

    /// Whether the control connection is in TLS, and the data connections.
    pub fn protection(&self) -> (bool, bool) {
        (self.control.is_tls(), self.data_tls)
    }

    /// Why this session is not encrypted although its site takes TLS when
    /// offered (`if-available`): said once to the person, never silent.
    pub fn clear_because(&self) -> Option<&str> {
        self.clear_because.as_deref()
    }

    pub fn greeting(&self) -> &Reply {
        &self.greeting
    }
    pub fn features(&self) -> &Features {
        &self.features
    }
    pub fn peer_addr(&self) -> SocketAddr {
        self.control.peer_addr()
    }
    pub fn local_addr(&self) -> SocketAddr {
        self.control.local_addr()
    }

    /// USER, then PASS and ACCT as the server asks (230 / 331 / 332).
    pub async fn login(&mut self, login: &Login) -> Result<()> {
        let user = Command::with_arg("USER", &login.user)?;
        let mut reply = self.control.execute(&user).await?;
        let mut last = user.to_string();
        if reply.code == 331 {
            let pass = Command::with_arg("PASS", login.password.expose())?;
            reply = self.control.execute(&pass).await?;
            last = pass.to_string();
        }
        if reply.code == 332 {
            let Some(account) = &login.account else {
                return Err(FtpError::Reply {
                    command: last,
                    reply,
                });
            };
            let acct = Command::with_arg("ACCT", account.expose())?;
            reply = self.control.execute(&acct).await?;
            last = acct.to_string();
        }
        match reply.code {
            230 | 202 => Ok(()),
            _ => Err(FtpError::Reply {
                command: last,
                reply,
            }),
        }
    }

    /// The style LIST output is read as: the site's `listing` setting, else
    /// what the server's SYST reply names (asked once, when first needed;
    /// a refusal such as 500/502 means `Auto`).
    pub async fn listing_style(&mut self) -> Result<DetectedStyle> {
        if let Some(known) = &self.server_style {
            return Ok(known.clone());
        }
        if self.options.listing == ListingStyle::Auto {
            let reply = self.command("SYST").await?;
            return Ok(self.learn_style(&reply));
        }
        let detected = DetectedStyle {
            style: self.options.listing,
            source: StyleSource::Setting,
        };
        self.server_style = Some(detected.clone());
        Ok(detected)
    }

    /// The listing style a `SYST` reply names (a refusal such as 500/502
    /// means `Auto`).
    fn learn_style(&mut self, syst: &Reply) -> DetectedStyle {
        let text = syst.message();
        let detected = if syst.code == 215 {
            DetectedStyle {
                style: ListingStyle::from_syst(&text),
                source: StyleSource::Syst(text),
            }
        } else {
            DetectedStyle {
                style: ListingStyle::Auto,
                source: StyleSource::SystRefused(format!("{} {text}", syst.code)),
            }
        };
        tracing::debug!(host = %self.host, "listings read as {detected}");
        self.server_style = Some(detected.clone());
        detected
    }

    /// What the last `LIST` was read as; `None` before one, or when the
    /// listings are MLSD.
    pub fn last_listing_style(&self) -> Option<&DetectedStyle> {
        self.last_style.as_ref()
    }

    /// Reads `FEAT`. A server without it (500/502) simply has no features.
    pub async fn feat(&mut self) -> Result<&Features> {
        let reply = self.command("FEAT").await?;
        self.features = if reply.code == 211 {
            Features::from_reply(&reply)
        } else {
            Features::default()
        };
        Ok(&self.features)
    }

    pub async fn type_binary(&mut self) -> Result<()> {
        self.expect(Command::with_arg("TYPE", "I")?, &[200])
            .await
            .map(drop)
    }

    /// Sends any command and returns the server's first reply, whatever its
    /// code: the escape hatch for the transfer engine (PASV, PORT, LSTN, SOCK,
    /// RETR …) and for users' raw commands.
    pub async fn command(&mut self, line: &str) -> Result<Reply> {
        let command = Command::parse_text(line)?;
        self.control.execute(&command).await
    }

    /// Puts the session back in step (as the control connection does before each command) before a
    /// command sent with [`send_command`](Self::send_command): the first of
    /// a pipelined group must not have a stray reply read as its own.
    pub async fn in_step(&mut self) -> Result<()> {
        self.control.ensure_in_step().await
    }

    /// Sends a command without reading its reply: for a transfer command
    /// whose `1xx` only comes once another server has connected (the
    /// listening side of LSTN/SOCK or FXP). Read the replies later with
    /// [`read_reply`](Self::read_reply).
    pub async fn send_command(&mut self, line: &str) -> Result<()> {
        let command = Command::parse_text(line)?;
        self.control.send(&command).await
    }

    /// Like [`send_command`](Self::send_command) with a byte argument.
    pub async fn send_with(&mut self, verb: &str, arg: impl AsRef<[u8]>) -> Result<()> {
        let command = Command::with_arg(verb, arg)?;
        self.control.send(&command).await
    }

    /// Like [`command`](Self::command) with a byte argument (a path).
    pub async fn command_with(&mut self, verb: &str, arg: impl AsRef<[u8]>) -> Result<Reply> {
        let command = Command::with_arg(verb, arg)?;
        self.control.execute(&command).await
    }

    /// The next reply on the control connection: the final reply of a
    /// transfer this client started but does not carry (FXP).
    pub async fn read_reply(&mut self) -> Result<Reply> {
        self.control.read_reply().await
    }

    pub async fn read_reply_within(&mut self, timeout: Duration) -> Result<Reply> {
        self.control.read_reply_within(timeout).await
    }

    /// Waits for a reply without giving up on it: a timeout only means
    /// "not yet" (a transfer's final reply, read between progress checks).
    pub async fn poll_reply_within(&mut self, timeout: Duration) -> Result<Reply> {
        self.control.poll_reply_within(timeout).await
    }

    /// Marks the session as not to be used again (see
    /// `Control::abandon`): pools drop it, the next command fails.
    pub fn abandon(&mut self, why: &str) {
        self.control.abandon(why);
    }

    pub fn abandoned(&self) -> bool {
        self.control.abandoned()
    }

    /// Why replies may not match commands on this session (it will be put
    /// back in step before its next command), if they may not.
    pub fn out_of_step(&self) -> Option<&str> {
        self.control.out_of_step()
    }

    /// Whether the server has already sent a reply we have not read.
    pub fn has_buffered_reply(&self) -> bool {
        self.control.has_buffered_reply()
    }

    async fn expect(&mut self, command: Command, codes: &[u16]) -> Result<Reply> {
        let reply = self.control.execute(&command).await?;
        if codes.contains(&reply.code) {
            Ok(reply)
        } else {
            Err(FtpError::Reply {
                command: command.to_string(),
                reply,
            })
        }
    }

    /// The working directory, as raw bytes (it may not be UTF-8).
    pub async fn pwd(&mut self) -> Result<Vec<u8>> {
        if let Some(here) = &self.here {
            return Ok(here.clone());
        }
        let command = Command::new("PWD");
        let reply = self.expect(command.clone(), &[257]).await?;
        let here = parse_quoted_path(&reply.lines()[0]).ok_or(FtpError::BadReply {
            command: command.to_string(),
            what: "the quoted path",
            reply,
        })?;
        self.here = Some(here.clone());
        Ok(here)
    }

    pub async fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.here = None;
        self.expect(Command::with_arg("CWD", path)?, &[250, 200])
            .await
            .map(drop)
    }

    /// `CWD` back to where [`pwd`](Self::pwd) said the session was: it is
    /// there again, and need not be asked.
    pub async fn cwd_back(&mut self, here: &[u8]) -> Result<()> {
        self.cwd(here).await?;
        self.here = Some(here.to_vec());
        Ok(())
    }

    /// `command` sent now, its answer read before the next command's own
    /// and kept for [`Ahead::succeeded`].
    pub(super) async fn send_ahead(&mut self, command: Command) -> Result<Ahead> {
        let reply = Arc::new(Mutex::new(None));
        let slot = reply.clone();
        let on_reply = move |answer: Result<Reply>| {
            *slot.lock().expect("reply slot lock") = Some(answer);
        };
        self.control
            .send_unawaited(&command, Box::new(on_reply))
            .await?;
        Ok(Ahead {
            command: command.to_string(),
            reply,
        })
    }

    /// `CWD` sent now, its answer read before the next command's own:
    /// `on_done` hears whether it went in (`250`/`200`).
    pub async fn cwd_unawaited(
        &mut self,
        path: impl AsRef<[u8]>,
        on_done: impl FnOnce(bool) + Send + Sync + 'static,
    ) -> Result<()> {
        let command = Command::with_arg("CWD", path)?;
        self.here = None;
        let on_reply = move |reply: Result<Reply>| {
            on_done(reply.is_ok_and(|r| r.code == 250 || r.code == 200));
        };
        self.control
            .send_unawaited(&command, Box::new(on_reply))
            .await
    }

    pub async fn cdup(&mut self) -> Result<()> {
        self.here = None;
        self.expect(Command::new("CDUP"), &[250, 200])
            .await
            .map(drop)
    }

    /// Creates a directory; returns the path the server reports, if it does.
    pub async fn mkd(&mut self, path: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        let reply = self
            .expect(Command::with_arg("MKD", path)?, &[257, 250])
            .await?;
        Ok(parse_quoted_path(&reply.lines()[0]))
    }

    pub async fn rmd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.expect(Command::with_arg("RMD", path)?, &[250])
            .await
            .map(drop)
    }

    pub async fn dele(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.expect(Command::with_arg("DELE", path)?, &[250])
            .await
            .map(drop)
    }

    pub async fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()> {
        self.expect(Command::with_arg("RNFR", from)?, &[350])
            .await?;
        self.expect(Command::with_arg("RNTO", to)?, &[250])
            .await
            .map(drop)
    }

    /// What `path` is, by RFC 3659 `MLST` (`None` when the server has no
    /// `MLST`, or names nothing there): its facts say file or directory,
    /// which `SIZE` does not (some servers answer `213 4096` for a
    /// directory).
    pub async fn mlst(&mut self, path: impl AsRef<[u8]>) -> Result<Option<Entry>> {
        if !self.features.mlst {
            return Ok(None);
        }
        let reply = self.command_with("MLST", path).await?;
        if reply.code != 250 {
            return Ok(None);
        }
        // The fact line is the one inside the multi-line reply that starts
        // with a space (RFC 3659 section 7.2).
        Ok(reply
            .lines()
            .iter()
            .find_map(|line| line.strip_prefix(b" "))
            .and_then(listing::parse_mlsd_line))
    }

    /// Size in bytes (RFC 3659 `SIZE`, in `TYPE I`).
    pub async fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        let command = Command::with_arg("SIZE", path)?;
        let reply = self.expect(command.clone(), &[213]).await?;
        reply
            .message()
            .trim()
            .parse()
            .map_err(|_| FtpError::BadReply {
                command: command.to_string(),
                what: "a size",
                reply,
            })
    }

    /// Modification time in UTC (RFC 3659 `MDTM`).
    pub async fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<NaiveDateTime> {
        let command = Command::with_arg("MDTM", path)?;
        let reply = self.expect(command.clone(), &[213]).await?;
        parse_mdtm(reply.message().trim()).ok_or(FtpError::BadReply {
            command: command.to_string(),
            what: "a time",
            reply,
        })
    }

    /// `SIZE` sent now, its answer read before the next command's own (a
    /// digest asked next): `Ok(None)` for `550`, the file is not there.
    pub async fn size_unawaited(
        &mut self,
        path: impl AsRef<[u8]>,
        on_size: impl FnOnce(Result<Option<u64>>) + Send + Sync + 'static,
    ) -> Result<()> {
        let command = Command::with_arg("SIZE", path)?;
        let text = command.to_string();
        let on_reply = move |reply: Result<Reply>| {
            on_size(reply.and_then(|reply| match reply.code {
                550 => Ok(None),
                213 => match reply.message().trim().parse() {
                    Ok(n) => Ok(Some(n)),
                    Err(_) => Err(FtpError::BadReply {
                        command: text,
                        what: "a size",
                        reply,
                    }),
                },
                _ => Err(FtpError::Reply {
                    command: text,
                    reply,
                }),
            }))
        };
        self.control
            .send_question_unawaited(&command, Box::new(on_reply))
            .await
    }

    /// Reads the answers still owed to commands sent without waiting
    /// (each told to its caller), sending nothing.
    pub async fn settle(&mut self) -> Result<()> {
        self.control.read_owed().await
    }

    /// `MDTM` sent now, its answer read before the next command's own:
    /// asked ahead of what a copy sends anyway (its `PORT`), a source's
    /// time costs no round trip of its own.
    pub async fn mdtm_unawaited(
        &mut self,
        path: impl AsRef<[u8]>,
        on_time: impl FnOnce(Result<NaiveDateTime>) + Send + Sync + 'static,
    ) -> Result<()> {
        let command = Command::with_arg("MDTM", path)?;
        let text = command.to_string();
        let on_reply = move |reply: Result<Reply>| {
            on_time(reply.and_then(|reply| {
                let time = (reply.code == 213)
                    .then(|| parse_mdtm(reply.message().trim()))
                    .flatten();
                time.ok_or(FtpError::BadReply {
                    command: text,
                    what: "a time",
                    reply,
                })
            }))
        };
        self.control
            .send_question_unawaited(&command, Box::new(on_reply))
            .await
    }

    /// Replies still owed to commands sent without waiting (read before
    /// the next command's own).
    pub fn unawaited(&self) -> usize {
        self.control.unawaited()
    }

    pub async fn rest(&mut self, offset: u64) -> Result<()> {
        self.expect(Command::with_arg("REST", offset.to_string())?, &[350])
            .await
            .map(drop)
    }

    pub async fn noop(&mut self) -> Result<()> {
        self.expect(Command::new("NOOP"), &[200]).await.map(drop)
    }

    /// `STAT` (server status) or `STAT path` (a listing over the control
    /// connection).
    pub async fn stat(&mut self, path: Option<&[u8]>) -> Result<Reply> {
        let command = match path {
            Some(p) => Command::with_arg("STAT", p)?,
            None => Command::new("STAT"),
        };
        self.expect(command, &[211, 212, 213]).await
    }

    /// `ABOR`, reading the one or two replies it causes (`426` for the
    /// aborted transfer, then `226`; or just `225`/`226` when idle).
    /// `ABOR` of a transfer in progress. It goes out at once, whatever is
    /// owed: the transfer command's own replies may not all have been read
    /// (its `150` still on the way), and reading them away first cost a
    /// quiet half second every time. Its replies are read up to the first
    /// `225`/`226`; what may still follow (an aborted transfer's own
    /// `226`) is read away before the session's next command.
    pub async fn abort(&mut self) -> Result<Reply> {
        let command = Command::new("ABOR");
        if self.control.abandoned() {
            return Err(FtpError::OutOfStep {
                why: "the session was given up".into(),
            });
        }
        self.control.send(&command).await?;
        self.control
            .put_out_of_step("replies to an aborted transfer may still come");
        let mut reply = self.control.read_reply().await?;
        for _ in 0..3 {
            if reply.code == 225 || reply.code == 226 {
                return Ok(reply);
            }
            if !(reply.is_preliminary() || reply.code == 426 || reply.code == 451) {
                break;
            }
            reply = self.control.read_reply().await?;
        }
        Err(FtpError::Reply {
            command: command.to_string(),
            reply,
        })
    }

    /// Says goodbye politely; the connection is closed either way. The
    /// `221` is only waited for when replies are still owed (read before
    /// it, so the server has taken every command sent) or in TLS (whose
    /// own goodbye follows it); otherwise the server has answered all we
    /// sent, and a round trip for its farewell is time for nothing.
    pub async fn quit(mut self) -> Result<()> {
        let quit = Command::new("QUIT");
        if self.control.unawaited() == 0 && !self.control.is_tls() {
            let sent = self.control.send(&quit).await;
            self.control.shutdown().await;
            return sent;
        }
        let result = self.control.execute(&quit).await;
        self.control.shutdown().await;
        result.map(drop)
    }

    /// The server's digest of a whole file: `HASH` (after `OPTS HASH` when
    /// another algorithm is selected) or, for servers without it, the
    /// algorithm's `X…` command. Computing it reads the whole file, so the
    /// reply may take `timeout`, longer than an ordinary one.
    pub async fn hash(
        &mut self,
        path: impl AsRef<[u8]>,
        algorithm: Algorithm,
        timeout: Duration,
    ) -> Result<String> {
        let command = if self.features.hash.contains(&algorithm) {
            if self.features.hash_current != Some(algorithm) {
                self.expect(
                    Command::with_arg("OPTS", format!("HASH {}", algorithm.name()))?,
                    &[200],
                )
                .await?;
                self.features.hash_current = Some(algorithm);
            }
            Command::with_arg("HASH", path)?
        } else {
            Command::with_arg(algorithm.x_command(), path)?
        };
        self.control.send(&command).await?;
        let reply = self.control.read_reply_within(timeout).await?;
        if !reply.is_completion() {
            return Err(FtpError::Reply {
                command: command.to_string(),
                reply,
            });
        }
        // ProFTPD's mod_digest answers in two lines, `213-Computing SHA-256
        // digest` then `213 SHA-256 0-1048576 <hex> /path`: the digest is
        // on the last line that has one.
        reply
            .lines()
            .iter()
            .rev()
            .find_map(|line| hash::parse_digest(&String::from_utf8_lossy(line), algorithm))
            .ok_or(FtpError::BadReply {
                command: command.to_string(),
                what: "the digest",
                reply,
            })
    }
}

async fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| FtpError::Resolve {
                host: host.to_string(),
                source: std::io::ErrorKind::TimedOut.into(),
            })?
            .map_err(|source| FtpError::Resolve {
                host: host.to_string(),
                source,
            })?
            .collect();
    let mut last_error = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
    for target in addrs {
        match tokio::time::timeout(timeout, TcpStream::connect(target)).await {
            Ok(Ok(stream)) => {
                set_keepalive(&stream);
                // Commands are small and each waits for its reply: Nagle
                // only adds delay.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(e)) => last_error = e,
            Err(_) => {
                last_error = std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer from {target} within {}s", timeout.as_secs()),
                )
            }
        }
    }
    Err(FtpError::Connect {
        host: format!("{host}:{port}"),
        source: last_error,
    })
}

/// During a server-to-server transfer the control connection is silent for
/// as long as the file takes; keepalive stops NAT boxes from dropping it.
fn set_keepalive(stream: &TcpStream) {
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(60))
        .with_interval(Duration::from_secs(15));
    if let Err(e) = socket2::SockRef::from(stream).set_tcp_keepalive(&keepalive) {
        tracing::warn!("cannot enable TCP keepalive: {e}");
    }
}

/// The answer to a command sent ahead of others: there once a later
/// command's reply was read, since replies come in order.
pub(crate) struct Ahead {
    command: String,
    reply: Arc<Mutex<Option<Result<Reply>>>>,
}

impl Ahead {
    /// The answer, once read (`None` before).
    pub(super) fn answer(&self) -> Option<Result<Reply>> {
        self.reply.lock().expect("reply slot lock").take()
    }

    /// Whether the answer was a completion; an error names the command and
    /// what the server said.
    pub(super) fn succeeded(&self) -> Result<()> {
        let answer = self.reply.lock().expect("reply slot lock").take();
        match answer {
            Some(Ok(reply)) if reply.is_completion() => Ok(()),
            Some(Ok(reply)) => Err(FtpError::Reply {
                command: self.command.clone(),
                reply,
            }),
            Some(Err(e)) => Err(e),
            None => Err(FtpError::OutOfStep {
                why: format!("no answer to {} before the next command's", self.command),
            }),
        }
    }
}

/// The path in a 257 reply: `"/a ""quoted"" dir" created` → `/a "quoted" dir`.
pub fn parse_quoted_path(line: &[u8]) -> Option<Vec<u8>> {
    let start = line.iter().position(|&b| b == b'"')? + 1;
    let mut path = Vec::new();
    let mut i = start;
    while i < line.len() {
        if line[i] == b'"' {
            if line.get(i + 1) == Some(&b'"') {
                path.push(b'"');
                i += 2;
                continue;
            }
            return Some(path);
        }
        path.push(line[i]);
        i += 1;
    }
    None
}

/// `YYYYMMDDHHMMSS[.sss]` (RFC 3659 time-val).
pub fn parse_mdtm(text: &str) -> Option<NaiveDateTime> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let mut t = NaiveDateTime::parse_from_str(whole, "%Y%m%d%H%M%S").ok()?;
    if !fraction.is_empty() {
        let digits: String = fraction.chars().take(9).collect();
        let nanos: u32 = format!("{digits:0<9}").parse().ok()?;
        t = t.checked_add_signed(chrono::Duration::nanoseconds(i64::from(nanos)))?;
    }
    Some(t)
}

mod data;
mod secure;
mod times;

pub use times::TimeWay;

pub use data::copy_idle;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_path_with_doubled_quotes() {
        assert_eq!(
            parse_quoted_path(br#""/a ""b"" c" is the current directory"#).unwrap(),
            br#"/a "b" c"#
        );
        assert_eq!(parse_quoted_path(b"\"/\"").unwrap(), b"/");
        assert_eq!(parse_quoted_path(b"\"/caf\xe9\" ok").unwrap(), b"/caf\xe9");
        assert_eq!(parse_quoted_path(b"no quotes"), None);
        assert_eq!(parse_quoted_path(b"\"unterminated"), None);
    }

    #[test]
    fn mdtm_times() {
        let t = parse_mdtm("20261120101112").unwrap();
        assert_eq!(t.to_string(), "2026-11-20 10:11:12");
        let t = parse_mdtm("20261120101112.250").unwrap();
        assert_eq!(t.and_utc().timestamp_subsec_millis(), 250);
        assert!(parse_mdtm("2026").is_none());
        assert!(parse_mdtm("20261340101112").is_none());
    }
}
