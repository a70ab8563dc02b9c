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

pub struct Control {
    /// `None` only after a TLS upgrade failed halfway: the connection is
    /// then unusable.
    stream: Option<Stream>,
    buf: BytesMut,
    peer: SocketAddr,
    local: SocketAddr,
    reply_timeout: Duration,
    last_command: Option<String>,
}

impl Control {
    pub fn new(stream: TcpStream, reply_timeout: Duration) -> Result<Control> {
        let peer = stream.peer_addr()?;
        let local = stream.local_addr()?;
        Ok(Control {
            stream: Some(Stream::Plain(stream)),
            buf: BytesMut::with_capacity(4096),
            peer,
            local,
            reply_timeout,
            last_command: None,
        })
    }

    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    fn stream(&mut self) -> Result<&mut Stream> {
        self.stream.as_mut().ok_or(FtpError::Closed {
            after: Some("a failed TLS handshake".into()),
        })
    }

    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(Stream::is_tls)
    }

    /// TLS from here on, as the client of `host` (after `AUTH TLS`'s
    /// `234`, or at once for implicit FTPS). Anything the server sent
    /// before the handshake would be a man in the middle's: it is dropped.
    pub async fn upgrade(&mut self, tls: &Tls, host: &str) -> Result<()> {
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

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub fn reply_timeout(&self) -> Duration {
        self.reply_timeout
    }

    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.reply_timeout = timeout;
    }

    /// The last command sent, as logged (passwords masked).
    pub fn last_command(&self) -> Option<&str> {
        self.last_command.as_deref()
    }

    pub async fn send(&mut self, command: &Command) -> Result<()> {
        tracing::debug!(peer = %self.peer, ">> {command}");
        self.last_command = Some(command.to_string());
        self.stream()?.write_all(&command.encode()).await?;
        Ok(())
    }

    /// Whether a whole reply is already buffered: a reply the server sent
    /// unprompted (pyftpdlib's early `425`) shows up here.
    pub fn has_buffered_reply(&self) -> bool {
        !matches!(reply::parse(&self.buf), Err(ParseError::Incomplete))
    }

    pub async fn read_reply(&mut self) -> Result<Reply> {
        self.read_reply_within(self.reply_timeout).await
    }

    /// Reads one reply, waiting at most `timeout`. Cancel-safe: bytes read
    /// stay buffered until a whole reply is there, so this can sit in a
    /// `select!`.
    pub async fn read_reply_within(&mut self, timeout: Duration) -> Result<Reply> {
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

    async fn read_reply_forever(&mut self) -> Result<Reply> {
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

    /// Sends a command and returns its first reply, whatever its code.
    pub async fn execute(&mut self, command: &Command) -> Result<Reply> {
        self.send(command).await?;
        self.read_reply().await
    }

    pub async fn shutdown(&mut self) {
        if let Some(stream) = self.stream.as_mut() {
            let _ = stream.shutdown().await;
        }
    }
}
