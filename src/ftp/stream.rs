//! A control or data connection, plain or in TLS, behind one type: the
//! layers above read and write it without knowing which.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::tls::Tls;

static FULL_HANDSHAKES: AtomicU64 = AtomicU64::new(0);
static RESUMED_HANDSHAKES: AtomicU64 = AtomicU64::new(0);

/// TLS handshakes this process made so far: (full, resumed). A tree copy
/// should cost a handful of full ones (one per session), the rest resumed.
pub fn handshakes() -> (u64, u64) {
    (
        FULL_HANDSHAKES.load(Ordering::Relaxed),
        RESUMED_HANDSHAKES.load(Ordering::Relaxed),
    )
}

pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Stream {
    /// Wraps a connection in TLS as its client, resuming a session of the
    /// same configuration where the server allows (data connections must:
    /// vsftpd refuses one that does not resume the control connection's).
    pub(crate) async fn tls(tcp: TcpStream, tls: &Tls, host: &str) -> io::Result<Stream> {
        let name = rustls::pki_types::ServerName::try_from(host.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{host}: {e}")))?;
        let stream = Stream::Tls(Box::new(tls.connector().connect(name, tcp).await?));
        let counter = if stream.resumed() {
            &RESUMED_HANDSHAKES
        } else {
            &FULL_HANDSHAKES
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(stream)
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }

    /// Whether the TLS session was resumed rather than negotiated anew.
    pub(crate) fn resumed(&self) -> bool {
        match self {
            Stream::Plain(_) => false,
            Stream::Tls(s) => matches!(
                s.get_ref().1.handshake_kind(),
                Some(rustls::HandshakeKind::Resumed)
            ),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => match Pin::new(s).poll_read(cx, buf) {
                // Many servers close a data connection without TLS's
                // close_notify. The end of the data is then the end of the
                // TCP stream; the transfer's reply and the size check say
                // whether it was all there.
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    Poll::Ready(Ok(()))
                }
                other => other,
            },
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
