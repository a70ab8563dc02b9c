//! The control connection: a buffered stream (plain, or TLS after `AUTH
//! TLS` upgraded it in place) that writes commands and reads whole replies.
//! Nothing else — login, features and operations live in `client.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::command::Command;
use super::error::{FtpError, Result};
use super::reply::{self, ParseError, Reply};
use super::stream::Stream;
use super::tls::Tls;

pub(crate) struct Control {
    /// `None` only after a TLS upgrade failed halfway: the connection is
    /// then unusable.
    stream: Option<Stream>,
    buf: BytesMut,
    peer: SocketAddr,
    local: SocketAddr,
    reply_timeout: Duration,
    last_command: Option<String>,
    /// Why replies may no longer match commands: a reply that timed out
    /// (it may still come, and would be read as the next command's), or
    /// one that arrived while no command waited for it (a server that
    /// answers twice). Set, the next command first puts the session back
    /// in step.
    out_of_step: Option<String>,
    /// Why this session must not be used again: a reply may come at any
    /// time, too late for any resynchronisation to catch (a `PASV` left
    /// waiting for a peer that never came).
    abandoned: Option<String>,
    /// Commands sent without waiting for their replies, oldest first: each
    /// reply is read before the next command's own and handed to its
    /// caller's [`OnReply`].
    unawaited: std::collections::VecDeque<Unawaited>,
}

/// What is done with the reply to a command nobody waited for; called with
/// an error when the reply can no longer be had (the session went out of
/// step, or closed).
pub(crate) type OnReply = Box<dyn FnOnce(Result<Reply>) + Send + Sync>;

struct Unawaited {
    command: String,
    on_reply: OnReply,
    /// No command naming a path goes out before this one's reply came
    /// and was a completion (see [`Control::send_gate`]).
    gate: bool,
}

/// Commands whose meaning does not depend on the working directory: they
/// may go out while a `CWD` back is still unanswered.
const BEYOND_DIRECTORY: &[&str] = &[
    "PASV", "EPSV", "PORT", "EPRT", "TYPE", "MODE", "STRU", "NOOP", "FEAT", "OPTS", "PBSZ", "PROT",
    "SSCN", "CPSV", "SYST", "REST", "ABOR", "QUIT", "LSTN", "SOCK",
];

/// How long the control connection must stay quiet before the replies
/// read away during a resynchronisation are taken to be all there is.
const QUIET: Duration = Duration::from_millis(250);
/// The longest a resynchronisation reads away stray replies.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);
/// Replies owed at most on one session: past it the oldest is read first.
/// Commands sent on and on while no reply is read would fill the server's
/// send buffer until it stops reading ours, and both would wait forever.
/// 256 short replies (~10 KB) are far below any receive buffer, and above
/// most bursts (a directory's files checked at once; kept times released
/// together stalled copies a round trip at 64).
const MAX_UNAWAITED: usize = 256;

impl Control {
    pub(crate) fn new(stream: TcpStream, reply_timeout: Duration) -> Result<Control> {
        let peer = stream.peer_addr()?;
        let local = stream.local_addr()?;
        Ok(Control {
            stream: Some(Stream::Plain(stream)),
            buf: BytesMut::with_capacity(4096),
            peer,
            local,
            reply_timeout,
            last_command: None,
            out_of_step: None,
            abandoned: None,
            unawaited: Default::default(),
        })
    }

    /// Sends `command` and goes on without its reply: it is read before
    /// the next command's, whoever sends that, and given to `on_reply`.
    /// One round trip less for what need not be waited for (a copy's kept
    /// time); a reply that never comes puts the session out of step as
    /// any late reply does.
    pub(crate) async fn send_unawaited(
        &mut self,
        command: &Command,
        on_reply: OnReply,
    ) -> Result<()> {
        self.send_owing(command, on_reply, true).await
    }

    /// Like [`send_unawaited`](Self::send_unawaited) for a question that
    /// changes nothing (`SIZE`, `MDTM` without a time): it goes out past a
    /// gate at once. Its answer comes after the gate's, so a gate refused
    /// tells `on_reply` the answer is lost before it could be misread.
    pub(crate) async fn send_question_unawaited(
        &mut self,
        command: &Command,
        on_reply: OnReply,
    ) -> Result<()> {
        self.send_owing(command, on_reply, false).await
    }

    async fn send_owing(
        &mut self,
        command: &Command,
        on_reply: OnReply,
        waits_for_gates: bool,
    ) -> Result<()> {
        self.ensure_in_step().await?;
        while self.unawaited.len() >= MAX_UNAWAITED {
            let oldest = self.read_one_reply_within(self.reply_timeout).await;
            let failed = oldest.is_err();
            let command = self.unawaited.front().map(|u| u.command.clone());
            self.unawaited_answered(oldest)?;
            if failed {
                let command = command.unwrap_or_default();
                self.out_of_step = Some(format!("no reply to {command} in time"));
                self.ensure_in_step().await?;
            }
        }
        if waits_for_gates {
            self.send(command).await?;
        } else {
            self.write(command).await?;
        }
        self.unawaited.push_back(Unawaited {
            command: command.to_string(),
            on_reply,
            gate: false,
        });
        Ok(())
    }

    /// Sends `command` (a `CWD` back to where the session's relative
    /// paths start) without waiting for its reply, as a gate: commands
    /// that do not depend on the working directory (`PASV`, `PORT`, …) go
    /// out behind it at once, but none that names a path until its reply
    /// came and was a completion. A refusal gives the session up: its
    /// relative paths would name other files.
    pub(crate) async fn send_gate(&mut self, command: &Command) -> Result<()> {
        self.send_unawaited(command, Box::new(|_| {})).await?;
        if let Some(last) = self.unawaited.back_mut() {
            last.gate = true;
        }
        Ok(())
    }

    /// Reads the replies owed up to the last gate, before a command that
    /// names a path goes out.
    async fn pass_gates(&mut self) -> Result<()> {
        while self.unawaited.iter().any(|u| u.gate) {
            // A reply lost before a gate is the gate's failure too.
            let reply = self.read_one_reply_within(self.reply_timeout).await;
            self.unawaited_answered(reply)?;
        }
        Ok(())
    }

    /// Hands `reply` to the oldest command sent without waiting. A gate
    /// refused (or a reply lost before one) gives the session up.
    fn unawaited_answered(&mut self, reply: Result<Reply>) -> Result<()> {
        let pending = self.unawaited.pop_front().expect("a command owed a reply");
        let refused = match &reply {
            Ok(r) if pending.gate && !r.is_completion() => {
                Some(format!("{} answered {r}", pending.command))
            }
            Ok(_) => None,
            Err(e) if pending.gate || self.unawaited.iter().any(|u| u.gate) => {
                Some(format!("no reply to {}: {e}", pending.command))
            }
            Err(_) => None,
        };
        (pending.on_reply)(reply);
        if let Some(why) = refused {
            let why = format!("it could not return to its working directory ({why})");
            self.forget_unawaited(&why);
            self.abandon(&why);
            return Err(FtpError::OutOfStep { why });
        }
        Ok(())
    }

    /// Reads every reply still owed to commands sent without waiting.
    pub(crate) async fn read_owed(&mut self) -> Result<()> {
        while !self.unawaited.is_empty() {
            let reply = self.read_one_reply_within(self.reply_timeout).await;
            if let Err(e) = &reply {
                let why = format!("no reply to a command sent without waiting: {e}");
                self.unawaited_answered(reply)?;
                self.out_of_step = Some(why.clone());
                return Err(FtpError::OutOfStep { why });
            }
            self.unawaited_answered(reply)?;
        }
        Ok(())
    }

    /// Replies still owed to commands sent without waiting.
    pub(crate) fn unawaited(&self) -> usize {
        self.unawaited.len()
    }

    /// Tells the callers of unanswered commands their replies are lost.
    fn forget_unawaited(&mut self, why: &str) {
        if self.unawaited.iter().any(|u| u.gate) && self.abandoned.is_none() {
            // Whether the session is back in its directory is unknown.
            self.abandoned = Some(format!("it may not be in its working directory ({why})"));
        }
        for pending in self.unawaited.drain(..) {
            (pending.on_reply)(Err(FtpError::OutOfStep {
                why: format!("no reply to {} ({why})", pending.command),
            }));
        }
    }

    pub(crate) fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    fn stream(&mut self) -> Result<&mut Stream> {
        self.stream.as_mut().ok_or(FtpError::Closed {
            after: Some("a failed TLS handshake".into()),
        })
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(Stream::is_tls)
    }

    /// TLS from here on, as the client of `host` (after `AUTH TLS`'s
    /// `234`, or at once for implicit FTPS). Anything the server sent
    /// before the handshake would be a man in the middle's: it is dropped.
    pub(crate) async fn upgrade(&mut self, tls: &Tls, host: &str) -> Result<()> {
        let Some(Stream::Plain(tcp)) = self.stream.take() else {
            return Err(FtpError::Closed {
                after: Some("AUTH TLS on a connection already in TLS".into()),
            });
        };
        self.buf.clear();
        let stream = tokio::time::timeout(self.reply_timeout, Stream::tls(tcp, tls, host))
            .await
            .map_err(|_| FtpError::Timeout {
                waiting_for: "for the TLS handshake".into(),
                timeout: self.reply_timeout,
            })?
            .map_err(|e| FtpError::tls(host, e))?;
        self.stream = Some(stream);
        Ok(())
    }

    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub(crate) async fn send(&mut self, command: &Command) -> Result<()> {
        let verb = command.verb();
        if !BEYOND_DIRECTORY
            .iter()
            .any(|v| v.eq_ignore_ascii_case(verb))
        {
            self.pass_gates().await?;
        }
        self.write(command).await
    }

    async fn write(&mut self, command: &Command) -> Result<()> {
        tracing::debug!(peer = %self.peer, ">> {command}");
        self.last_command = Some(command.to_string());
        self.stream()?.write_all(&command.encode()).await?;
        Ok(())
    }

    /// Whether a whole reply is already buffered: a reply the server sent
    /// unprompted (pyftpdlib's early `425`) shows up here.
    pub(crate) fn has_buffered_reply(&self) -> bool {
        !matches!(reply::parse(&self.buf), Err(ParseError::Incomplete))
    }

    pub(crate) async fn read_reply(&mut self) -> Result<Reply> {
        self.read_reply_within(self.reply_timeout).await
    }

    /// Reads one reply, waiting at most `timeout`. Cancel-safe: bytes read
    /// stay buffered until a whole reply is there, so this can sit in a
    /// `select!`.
    pub(crate) async fn read_reply_within(&mut self, timeout: Duration) -> Result<Reply> {
        let result = self.poll_reply_within(timeout).await;
        if let Err(FtpError::Timeout { waiting_for, .. }) = &result {
            // The reply may still come: it must not answer the next command.
            self.out_of_step = Some(format!("no reply {waiting_for} within {timeout:?}"));
        }
        result
    }

    /// Like [`read_reply_within`](Self::read_reply_within), for a caller
    /// that polls for a reply it keeps waiting for: a timeout here only
    /// means "not yet".
    pub(crate) async fn poll_reply_within(&mut self, timeout: Duration) -> Result<Reply> {
        match tokio::time::timeout(timeout, self.read_reply_forever()).await {
            Ok(result) => result,
            Err(_) => Err(FtpError::Timeout {
                waiting_for: match &self.last_command {
                    Some(c) => format!("to {c}"),
                    None => "for the server's greeting".to_string(),
                },
                timeout,
            }),
        }
    }

    /// No command goes out on this session again: its caller dials a
    /// fresh one.
    pub(crate) fn abandon(&mut self, why: &str) {
        self.abandoned = Some(why.to_string());
    }

    /// The replies may no longer match the commands: the next command
    /// first reads away what is owed and proves step with `NOOP`.
    pub(crate) fn put_out_of_step(&mut self, why: &str) {
        self.out_of_step = Some(why.to_string());
    }

    pub(crate) fn abandoned(&self) -> bool {
        self.abandoned.is_some()
    }

    /// Whether the session's replies may be out of step with its commands.
    pub(crate) fn out_of_step(&self) -> Option<&str> {
        self.out_of_step.as_deref()
    }

    /// Puts the session back in step before a command that expects the
    /// next reply to be its own: a reply that timed out, or one already
    /// here that nobody asked for, is read away, then `NOOP` proves the
    /// next reply answers what was sent. A session that cannot be brought
    /// back fails, and its caller dials a fresh one.
    pub(crate) async fn ensure_in_step(&mut self) -> Result<()> {
        if let Some(why) = &self.abandoned {
            return Err(FtpError::OutOfStep { why: why.clone() });
        }
        if self.out_of_step.is_none() && self.unawaited.is_empty() && self.stray_reply_waiting() {
            self.out_of_step = Some("a reply arrived that no command was waiting for".into());
        }
        let Some(why) = self.out_of_step.take() else {
            return Ok(());
        };
        self.forget_unawaited(&why);
        if let Some(gone) = &self.abandoned {
            return Err(FtpError::OutOfStep { why: gone.clone() });
        }
        tracing::info!(peer = %self.peer, "out of step ({why}): reading stray replies away");
        for _ in 0..3 {
            self.drain_strays().await?;
            let noop = Command::new("NOOP");
            self.send(&noop).await?;
            match self.poll_reply_within(self.reply_timeout).await {
                // In step when nothing else follows NOOP's answer for a
                // moment: a server that answers twice does so promptly.
                Ok(reply) if reply.is_completion() && self.quiet_for(QUIET).await? => {
                    return Ok(());
                }
                Ok(reply) => tracing::info!(peer = %self.peer, "read away: {reply}"),
                Err(e) => {
                    self.out_of_step = Some(why);
                    return Err(e);
                }
            }
        }
        self.out_of_step = Some(why.clone());
        Err(FtpError::OutOfStep { why })
    }

    /// Reads and drops every reply that arrives until the connection has
    /// been quiet for a moment (at most [`DRAIN_LIMIT`]).
    async fn drain_strays(&mut self) -> Result<()> {
        let deadline = tokio::time::Instant::now() + DRAIN_LIMIT;
        while tokio::time::Instant::now() < deadline {
            match self.poll_reply_within(QUIET).await {
                Ok(reply) => tracing::info!(peer = %self.peer, "read away: {reply}"),
                Err(FtpError::Timeout { .. }) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Whether nothing arrives for `wait`; what does arrive stays buffered.
    async fn quiet_for(&mut self, wait: Duration) -> Result<bool> {
        if !self.buf.is_empty() {
            return Ok(false);
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(FtpError::Closed {
                after: self.last_command.clone(),
            });
        };
        match tokio::time::timeout(wait, stream.read_buf(&mut self.buf)).await {
            Err(_) => Ok(true),
            Ok(Ok(0)) => Err(FtpError::Closed {
                after: self.last_command.clone(),
            }),
            Ok(Ok(_)) => Ok(false),
            Ok(Err(e)) => Err(e.into()),
        }
    }

    /// Whether bytes of a reply are already here, buffered or waiting on
    /// the socket, before any command asked for one.
    fn stray_reply_waiting(&mut self) -> bool {
        use futures::FutureExt;
        if !self.buf.is_empty() {
            return true;
        }
        let Some(stream) = self.stream.as_mut() else {
            return false;
        };
        // One poll, no waiting: a read that is not ready is dropped, and
        // whatever it read stays in the buffer.
        matches!(stream.read_buf(&mut self.buf).now_or_never(), Some(Ok(n)) if n > 0)
    }

    /// The next reply that answers a command somebody waits for: replies
    /// come in the order their commands went out, the unawaited ones'
    /// first. (Cancel-safe: a reply is taken and handed over in one step.)
    async fn read_reply_forever(&mut self) -> Result<Reply> {
        loop {
            let reply = self.read_one_reply_forever().await?;
            if self.unawaited.is_empty() {
                return Ok(reply);
            }
            self.unawaited_answered(Ok(reply))?;
        }
    }

    async fn read_one_reply_within(&mut self, timeout: Duration) -> Result<Reply> {
        tokio::time::timeout(timeout, self.read_one_reply_forever())
            .await
            .unwrap_or_else(|_| {
                Err(FtpError::Timeout {
                    waiting_for: "to a command sent without waiting".into(),
                    timeout,
                })
            })
    }

    async fn read_one_reply_forever(&mut self) -> Result<Reply> {
        loop {
            match reply::parse(&self.buf) {
                Ok((reply, used)) => {
                    self.buf.advance(used);
                    tracing::debug!(peer = %self.peer, "<< {reply}");
                    return Ok(reply);
                }
                Err(ParseError::Incomplete) => {}
                Err(e) => return Err(e.into()),
            }
            let Some(stream) = self.stream.as_mut() else {
                return Err(FtpError::Closed {
                    after: self.last_command.clone(),
                });
            };
            if stream.read_buf(&mut self.buf).await? == 0 {
                return Err(FtpError::Closed {
                    after: self.last_command.clone(),
                });
            }
        }
    }

    /// Sends a command and returns its first reply, whatever its code —
    /// its own reply: a session out of step is put back in step first.
    pub(crate) async fn execute(&mut self, command: &Command) -> Result<Reply> {
        self.ensure_in_step().await?;
        self.send(command).await?;
        self.read_reply().await
    }

    pub(crate) async fn shutdown(&mut self) {
        self.forget_unawaited("the session was closed");
        if let Some(stream) = self.stream.as_mut() {
            let _ = stream.shutdown().await;
        }
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.forget_unawaited("the session was closed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::net::TcpListener;

    /// A control connection to `addr`, its greeting (`220`) read.
    async fn greeted(addr: SocketAddr) -> Control {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut control = Control::new(stream, Duration::from_secs(5)).unwrap();
        assert_eq!(control.read_reply().await.unwrap().code, 220);
        control
    }

    /// A server that answers `PORT` late, and the first `NOOP` twice:
    /// replies that would otherwise answer the wrong commands.
    async fn misbehaving_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 ready\r\n").await.unwrap();
            let mut noops = 0;
            while let Ok(Some(line)) = lines.next_line().await {
                let reply: &[u8] = match line.as_str() {
                    "NOOP" => {
                        noops += 1;
                        if noops == 1 {
                            write.write_all(b"200 NOOP ok\r\n").await.unwrap();
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            b"550 Requested action not taken\r\n"
                        } else {
                            b"200 NOOP ok\r\n"
                        }
                    }
                    "PORT 1,2,3,4,5,6" => {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        b"200 PORT command successful\r\n"
                    }
                    "PWD" => b"257 \"/\"\r\n",
                    _ => b"500 what\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
        });
        addr
    }

    #[tokio::test]
    async fn a_doubled_reply_is_read_away_before_the_next_command() {
        let addr = misbehaving_server().await;
        let mut control = greeted(addr).await;
        let first = control.execute(&Command::new("NOOP")).await.unwrap();
        assert_eq!(first.code, 200);
        // The second answer to NOOP arrives while nothing waits for it.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let pwd = control.execute(&Command::new("PWD")).await.unwrap();
        assert_eq!(pwd.code, 257, "PWD read {pwd}");
        assert!(control.out_of_step().is_none());
    }

    #[tokio::test]
    async fn a_reply_that_timed_out_never_answers_the_next_command() {
        let addr = misbehaving_server().await;
        let mut control = greeted(addr).await;
        control
            .send(&Command::parse_text("PORT 1,2,3,4,5,6").unwrap())
            .await
            .unwrap();
        let late = control.read_reply_within(Duration::from_millis(100)).await;
        assert!(matches!(late, Err(FtpError::Timeout { .. })), "{late:?}");
        assert!(control.out_of_step().is_some());
        let pwd = control.execute(&Command::new("PWD")).await.unwrap();
        assert_eq!(pwd.code, 257, "PWD read {pwd}");
    }

    /// A server for one connection that greets, answers each line as
    /// `answer` says, and tells `heard` what it received.
    async fn line_server(
        answer: impl Fn(&str) -> String + Send + 'static,
    ) -> (SocketAddr, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (heard, hearing) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 ready\r\n").await.unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = heard.send(line.clone());
                write.write_all(answer(&line).as_bytes()).await.unwrap();
            }
        });
        (addr, hearing)
    }

    /// A server that answers each `MFMT` with its number, `PWD` as usual.
    async fn counting_server() -> SocketAddr {
        let answer = |line: &str| match line.split_once(' ') {
            Some(("MFMT", n)) => format!("213 Modify={n}\r\n"),
            _ if line == "PWD" => "257 \"/\"\r\n".to_string(),
            _ => "500 what\r\n".to_string(),
        };
        line_server(answer).await.0
    }

    /// Commands sent without waiting have their replies read, in order,
    /// before the next command's own; past the limit the oldest is read
    /// first, so a long run of them never fills the server's send buffer.
    #[tokio::test]
    async fn unawaited_replies_are_read_in_order_before_the_next_commands() {
        let addr = counting_server().await;
        let mut control = greeted(addr).await;
        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for n in 0..600 {
            let heard = heard.clone();
            let command = Command::parse_text(&format!("MFMT {n}")).unwrap();
            let on_reply: OnReply = Box::new(move |reply| {
                heard.lock().unwrap().push(reply.unwrap().message());
            });
            control.send_unawaited(&command, on_reply).await.unwrap();
            assert!(control.unawaited() <= MAX_UNAWAITED);
        }
        let pwd = control.execute(&Command::new("PWD")).await.unwrap();
        assert_eq!(pwd.code, 257, "PWD read {pwd}");
        let heard = heard.lock().unwrap();
        let want: Vec<String> = (0..600).map(|n| format!("Modify={n}")).collect();
        assert_eq!(*heard, want);
        assert_eq!(control.unawaited(), 0);
    }

    /// A server whose `/gone` cannot be entered; it says what it received
    /// on `heard`.
    async fn directory_server() -> (SocketAddr, tokio::sync::mpsc::UnboundedReceiver<String>) {
        line_server(|line| {
            match line {
                "CWD /gone" => "550 No such directory\r\n",
                "CWD /" => "250 ok\r\n",
                "PASV" => "227 Entering Passive Mode (127,0,0,1,4,1)\r\n",
                "SIZE f" => "213 5\r\n",
                _ => "200 ok\r\n",
            }
            .to_string()
        })
        .await
    }

    /// A `CWD` back sent as a gate: `PASV` goes out behind it at once, a
    /// command naming a path only once its `250` was read.
    #[tokio::test]
    async fn a_gate_holds_back_only_commands_that_name_paths() {
        let (addr, _heard) = directory_server().await;
        let mut control = greeted(addr).await;
        let cwd = Command::with_arg("CWD", "/").unwrap();
        control.send_gate(&cwd).await.unwrap();
        control.send(&Command::new("PASV")).await.unwrap();
        assert_eq!(control.unawaited(), 1, "PASV went out unread");
        let stor = Command::with_arg("STOR", "f").unwrap();
        control.send(&stor).await.unwrap();
        assert_eq!(control.unawaited(), 0, "the gate's answer was read first");
        assert_eq!(control.read_reply().await.unwrap().code, 227);
        assert_eq!(control.read_reply().await.unwrap().code, 200);
        assert!(control.abandoned.is_none());
    }

    /// A refused way back gives the session up: nothing naming a path is
    /// sent, and a question sent past the gate is told its answer is lost
    /// (it would be about a file in another directory).
    #[tokio::test]
    async fn a_refused_gate_gives_the_session_up_before_any_path_goes_out() {
        let (addr, mut heard) = directory_server().await;
        let mut control = greeted(addr).await;
        let cwd = Command::with_arg("CWD", "/gone").unwrap();
        control.send_gate(&cwd).await.unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let size = Command::with_arg("SIZE", "f").unwrap();
        let on_size: OnReply = Box::new(move |reply| tx.send(reply.is_err()).unwrap());
        control
            .send_question_unawaited(&size, on_size)
            .await
            .unwrap();
        let stor = Command::with_arg("STOR", "f").unwrap();
        let refused = control.send(&stor).await;
        assert!(
            matches!(&refused, Err(FtpError::OutOfStep { why }) if why.contains("CWD /gone") && why.contains("550")),
            "{refused:?}"
        );
        assert!(
            rx.recv().unwrap(),
            "SIZE's caller was told its answer is lost"
        );
        assert!(control.execute(&Command::new("NOOP")).await.is_err());
        drop(control);
        let mut received = Vec::new();
        while let Some(line) = heard.recv().await {
            received.push(line);
        }
        assert_eq!(received, ["CWD /gone", "SIZE f"]);
    }

    /// A session closed with replies still owed tells their callers.
    #[tokio::test]
    async fn a_closed_session_tells_the_callers_it_owed_replies() {
        let addr = counting_server().await;
        let mut control = greeted(addr).await;
        let (tx, rx) = std::sync::mpsc::channel();
        let command = Command::parse_text("MFMT 1").unwrap();
        let on_reply: OnReply = Box::new(move |reply| tx.send(reply.is_err()).unwrap());
        control.send_unawaited(&command, on_reply).await.unwrap();
        drop(control);
        assert!(rx.recv().unwrap(), "the caller was told");
    }
}
