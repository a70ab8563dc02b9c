//! FTPS (RFC 4217) for `fxpc serve`: the certificate, the rustls
//! configurations one server shares, the connections that may be in TLS,
//! and the two roles a protected data connection can have.
//!
//! A data connection is normally the TLS *server* side, as RFC 4217 has
//! it. `SSCN ON` (or `CPSV` for one connection) makes this server the TLS
//! *client* instead: between two servers (FXP) one of them has to be, and
//! whoever the user asks is, whichever of them opened the TCP connection.
//!
//! `--require-tls-reuse` (vsftpd's `require_ssl_reuse`): a data connection
//! must resume a TLS session, so that only a holder of one can take it.
//! vsftpd asks no more than "resumed" (its ticket keys are shared by all
//! sessions); here the session must also have been given to a control
//! connection from the same address, carried in the resumption data
//! rustls protects: a third host that steals a passive port is refused
//! even if it logged in itself, while a client whose connections share one
//! session cache (ours: one per site) resumes any of its own sessions.

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, HandshakeKind, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use crate::ftp::reply::Reply;
use crate::ftp::tls::{Fingerprint, provider, read_pem_certs};

/// Whether clients must use TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsPolicy {
    /// `AUTH TLS` and `PROT P` are offered; plain FTP works too.
    Optional,
    /// No `USER`/`PASS` before `AUTH TLS` (`530`), no transfer without
    /// `PROT P` (`521`).
    Required,
}

/// What `--tls-cert`/`--tls-key` (or `--tls-self-signed`) and the policy
/// flags configure. Each server built from it makes its own rustls
/// configuration, so that two servers never resume each other's sessions.
#[derive(Clone)]
pub struct TlsConfig {
    pub policy: TlsPolicy,
    pub require_reuse: bool,
    identity: Arc<Identity>,
}

struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("policy", &self.policy)
            .field("require_reuse", &self.require_reuse)
            .field("certificate", &self.fingerprint())
            .finish()
    }
}

impl TlsConfig {
    /// A certificate chain (leaf first) and its private key, both PEM.
    pub fn from_pem_files(cert: &Path, key: &Path) -> io::Result<TlsConfig> {
        let chain = read_pem_certs(cert)?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| io::Error::other(format!("{}: {e}", key.display())))?;
        TlsConfig::new(chain, key)
    }

    /// A certificate made now for `names` (IP addresses or DNS names);
    /// clients can only pin it, by the [`fingerprint`](Self::fingerprint)
    /// the server prints.
    pub fn self_signed(names: &[String]) -> io::Result<TlsConfig> {
        let made = rcgen::generate_simple_self_signed(names.to_vec()).map_err(io::Error::other)?;
        let key = PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
        TlsConfig::new(vec![made.cert.der().clone()], key.into())
    }

    pub(crate) fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> io::Result<TlsConfig> {
        if chain.is_empty() {
            return Err(io::Error::other("no certificate"));
        }
        let config = TlsConfig {
            policy: TlsPolicy::Optional,
            require_reuse: false,
            identity: Arc::new(Identity { chain, key }),
        };
        // A key that does not fit the certificate is found at start, not
        // at the first AUTH TLS.
        config.server_config()?;
        Ok(config)
    }

    /// The leaf certificate's SHA-256, as clients pin it.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.identity.chain[0])
    }

    fn server_config(&self) -> io::Result<rustls::ServerConfig> {
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(self.identity.chain.clone(), self.identity.key.clone_key())
            .map_err(|e| io::Error::other(format!("the certificate and key: {e}")))?;
        // Stateless tickets: a busy server's data connections still find
        // their session, where a cache of a fixed size would have evicted
        // it. Session IDs (TLS 1.2 clients without tickets) use the cache.
        config.ticketer = rustls::crypto::ring::Ticketer::new().map_err(io::Error::other)?;
        config.session_storage = rustls::server::ServerSessionMemoryCache::new(1024);
        Ok(config)
    }
}

/// A server's TLS, prepared once: one rustls configuration (its ticket
/// keys are what data connections resume from) shared by every session.
pub(crate) struct Tls {
    pub(crate) policy: TlsPolicy,
    pub(crate) require_reuse: bool,
    acceptor: tokio_rustls::TlsAcceptor,
    /// For SSCN/CPSV, when this server is the TLS client.
    connector: tokio_rustls::TlsConnector,
}

/// Which side of the TLS handshake this server takes on a data connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Server,
    /// After `SSCN ON`, or on a `CPSV` connection.
    Client,
}

/// What the tickets a control connection and its data connections are
/// given carry: the control connection's client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionKey([u8; 16]);

impl SessionKey {
    pub(crate) fn of(client: IpAddr) -> SessionKey {
        SessionKey(match client.to_canonical() {
            IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            IpAddr::V6(v6) => v6.octets(),
        })
    }
}

impl Tls {
    pub(crate) fn prepare(config: &TlsConfig) -> io::Result<Tls> {
        Ok(Tls {
            policy: config.policy,
            require_reuse: config.require_reuse,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config.server_config()?)),
            connector: tokio_rustls::TlsConnector::from(Arc::new(peer_server_client_config()?)),
        })
    }

    /// The control connection's handshake, after `234`.
    pub(crate) async fn accept_control(&self, tcp: TcpStream, key: SessionKey) -> io::Result<Conn> {
        let stream = self
            .acceptor
            .accept_with(tcp, |c| c.set_resumption_data(&key.0))
            .await?;
        Ok(Conn::Tls(Box::new(tokio_rustls::TlsStream::Server(stream))))
    }

    /// A data connection's handshake, in `role`, after the `1xx`. Errors
    /// are the reply to send instead of `226`.
    pub(crate) async fn secure_data(
        &self,
        tcp: TcpStream,
        role: Role,
        key: SessionKey,
        timeout: Duration,
    ) -> Result<Conn, Reply> {
        let failed = |e: &dyn fmt::Display| {
            Reply::new(
                522,
                format!("TLS handshake on the data connection failed: {e}."),
            )
        };
        let timed_out = || {
            Reply::new(
                522,
                format!(
                    "No TLS handshake on the data connection within {}s.",
                    timeout.as_secs()
                ),
            )
        };
        match role {
            Role::Server => {
                let handshake = self
                    .acceptor
                    .accept_with(tcp, |c| c.set_resumption_data(&key.0));
                let stream = match tokio::time::timeout(timeout, handshake).await {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => return Err(failed(&e)),
                    Err(_) => return Err(timed_out()),
                };
                let conn = stream.get_ref().1;
                let resumed = conn.handshake_kind() == Some(HandshakeKind::Resumed);
                let ours = conn.received_resumption_data() == Some(&key.0[..]);
                if self.require_reuse && !(resumed && ours) {
                    tracing::info!(
                        resumed,
                        "data connection refused: it did not resume a TLS session of its client"
                    );
                    return Err(Reply::new(
                        522,
                        "SSL connection failed: session reuse required (a data connection must resume a TLS session of its client).",
                    ));
                }
                Ok(Conn::Tls(Box::new(tokio_rustls::TlsStream::Server(stream))))
            }
            Role::Client => {
                let peer = tcp.peer_addr().map_err(|e| failed(&e))?;
                let name = ServerName::IpAddress(peer.ip().into());
                let handshake = self.connector.connect(name, tcp);
                match tokio::time::timeout(timeout, handshake).await {
                    Ok(Ok(s)) => Ok(Conn::Tls(Box::new(tokio_rustls::TlsStream::Client(s)))),
                    Ok(Err(e)) => Err(failed(&e)),
                    Err(_) => Err(timed_out()),
                }
            }
        }
    }
}

/// The TLS client configuration for SSCN/CPSV data connections. The peer
/// is another FTP server the user paired us with, reached at an address
/// the user's client passed on: there is no name its certificate could be
/// checked against and no root the user gave us to check it with, so any
/// certificate is taken. The handshake itself is still verified (the peer
/// must sign with the key of the certificate it shows), and the user's own
/// connections to both servers are what they authenticated.
///
/// No resumption: there is no control connection to this peer whose
/// session could be resumed, and a cache shared by all sessions would link
/// different users' transfers.
fn peer_server_client_config() -> io::Result<rustls::ClientConfig> {
    let provider = provider();
    let verifier = Arc::new(AnyPeerCertificate {
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    Ok(config)
}

#[derive(Debug)]
struct AnyPeerCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyPeerCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// How one data connection is to be protected.
pub(crate) struct DataProtection {
    pub(crate) tls: Arc<Tls>,
    pub(crate) key: SessionKey,
    pub(crate) role: Role,
}

impl DataProtection {
    pub(crate) async fn secure(&self, tcp: TcpStream, timeout: Duration) -> Result<Conn, Reply> {
        self.tls
            .secure_data(tcp, self.role, self.key, timeout)
            .await
    }
}

/// A control or data connection, plain or in TLS (either side).
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::TlsStream<TcpStream>>),
    /// Only while `AUTH TLS`'s handshake has the connection.
    Upgrading,
}

/// How long a finished TLS data connection waits for its peer's close.
const LINGER: Duration = Duration::from_secs(3);

impl Conn {
    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }

    /// Whether the peer has closed (or reset) the connection, seen without
    /// waiting and without taking any byte out of it.
    pub(crate) fn peer_closed(&self) -> bool {
        let tcp = match self {
            Conn::Plain(s) => s,
            Conn::Tls(t) => t.get_ref().0,
            Conn::Upgrading => return false,
        };
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
        match socket2::SockRef::from(tcp).peek(&mut byte) {
            Ok(n) => n == 0,
            Err(e) => e.kind() != io::ErrorKind::WouldBlock,
        }
    }

    /// Ends a data connection whose transfer succeeded: `close_notify`
    /// (and FIN) at once, so the peer knows the data is whole before our
    /// `226`. A TLS connection then reads until the peer closes too,
    /// without holding up the reply: a TLS 1.3 peer server may have sent
    /// session tickets we never read, and closing on unread bytes sends a
    /// reset that can destroy data the peer has not read yet.
    pub(crate) async fn finish(mut self) {
        let _ = tokio::time::timeout(LINGER, self.shutdown()).await;
        if self.is_tls() {
            tokio::spawn(async move {
                let mut sink = [0u8; 4096];
                let drain = async {
                    while let Ok(n) = self.read(&mut sink).await {
                        if n == 0 {
                            break;
                        }
                    }
                };
                let _ = tokio::time::timeout(LINGER, drain).await;
            });
        }
    }
}

fn upgrading() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the TLS handshake has it")
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => match Pin::new(s).poll_read(cx, buf) {
                // The end of the TCP stream without close_notify: many
                // clients end an upload so. Taken as the end of the data,
                // as vsftpd does by default; the client compares sizes.
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    tracing::debug!("TLS peer closed without close_notify");
                    Poll::Ready(Ok(()))
                }
                other => other,
            },
            Conn::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s).poll_flush(cx),
            Conn::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_has_the_fingerprint_of_its_der() {
        let config = TlsConfig::self_signed(&["127.0.0.1".into()]).unwrap();
        let shown = config.fingerprint().to_string();
        assert!(shown.starts_with("SHA256:") && shown.len() == 7 + 32 * 3 - 1);
        assert_eq!(
            config.fingerprint(),
            Fingerprint::of(&config.identity.chain[0])
        );
        assert!(Tls::prepare(&config).is_ok());
    }

    #[test]
    fn a_key_that_does_not_fit_is_refused_at_once() {
        let a = rcgen::generate_simple_self_signed(vec!["a".to_string()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["b".to_string()]).unwrap();
        let key = PrivatePkcs8KeyDer::from(b.signing_key.serialize_der());
        let err = TlsConfig::new(vec![a.cert.der().clone()], key.into()).unwrap_err();
        assert!(err.to_string().contains("certificate and key"), "{err}");
    }
}
