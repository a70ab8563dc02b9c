//! FTPS (RFC 4217) for the client: what a site asks for, how a server's
//! certificate is judged, and the rustls configuration every connection to
//! the site shares — one per site, so that data connections resume the
//! control connection's TLS session (vsftpd's `require_ssl_reuse`, ProFTPD's
//! `TLSOptions` default) and a tree copy costs a handful of full handshakes.
//!
//! A certificate is accepted when the platform's roots (or `--ca-file`)
//! vouch for it, or when its SHA-256 fingerprint is pinned for the site.
//! Never otherwise: a refusal says why (expired, name mismatch, unknown
//! issuer, self-signed) and gives the fingerprint to pin.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::Digest;

/// What a site wants of TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain FTP; a server that demands TLS gets a message naming the
    /// setting.
    Off,
    /// `AUTH TLS` when `FEAT` offers it (the default for `ftp://`).
    #[default]
    IfAvailable,
    /// `AUTH TLS`, or no session at all (`ftpes://`).
    Required,
    /// TLS from the first byte (`ftps://`, port 990).
    Implicit,
}

impl TlsMode {
    pub fn parse(text: &str) -> Option<TlsMode> {
        Some(match text {
            "off" | "no" => TlsMode::Off,
            "if-available" | "auto" => TlsMode::IfAvailable,
            "required" | "explicit" => TlsMode::Required,
            "implicit" => TlsMode::Implicit,
            _ => return None,
        })
    }
}

/// A SHA-256 certificate fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of(cert: &[u8]) -> Fingerprint {
        Fingerprint(sha2::Sha256::digest(cert).into())
    }

    /// `SHA256:AB:CD:…`, `sha256:abcd…`, or bare hex; colons optional, any
    /// case.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let text = text.trim();
        let hex = text
            .strip_prefix("SHA256:")
            .or_else(|| text.strip_prefix("sha256:"))
            .unwrap_or(text);
        let digits: Vec<u8> = hex.bytes().filter(|b| *b != b':').collect();
        if digits.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).ok()?;
            out[i] = u8::from_str_radix(s, 16).ok()?;
        }
        Some(Fingerprint(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHA256:")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a certificate was refused, and its fingerprint: the error a person
/// reads, and what they may pin.
#[derive(Debug, Clone)]
pub struct CertRejected {
    pub reason: String,
    pub fingerprint: Fingerprint,
}

impl fmt::Display for CertRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server's certificate was refused: {} (fingerprint {}; trust it with --trust-fingerprint or the site's trust_fingerprint)",
            self.reason, self.fingerprint
        )
    }
}

impl std::error::Error for CertRejected {}

/// A site's TLS settings, as the command line and config.toml give them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    pub mode: TlsMode,
    /// Extra roots (PEM), beside the platform's.
    pub ca_file: Option<PathBuf>,
    /// Certificates trusted whatever the roots say.
    pub pinned: Vec<Fingerprint>,
}

/// The prepared configuration: its session cache is what data connections
/// resume from, so one is made per site and shared by its connections.
#[derive(Clone)]
pub struct Tls {
    pub(crate) settings: TlsSettings,
    pub(crate) config: Arc<rustls::ClientConfig>,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Tls {
    pub fn new(settings: TlsSettings) -> std::io::Result<Tls> {
        let mut extra = RootCertStore::empty();
        if let Some(file) = &settings.ca_file {
            for cert in read_pem_certs(file)? {
                extra
                    .add(cert)
                    .map_err(|e| std::io::Error::other(format!("{}: {e}", file.display())))?;
            }
        }
        let verifier = Arc::new(Verifier {
            extra,
            inner: OnceLock::new(),
            pinned: settings.pinned.clone(),
        });
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(std::io::Error::other)?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Tls {
            settings,
            config: Arc::new(config),
        })
    }

    pub fn connector(&self) -> tokio_rustls::TlsConnector {
        tokio_rustls::TlsConnector::from(self.config.clone())
    }
}

pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The platform's roots (read once), else the Mozilla set compiled in.
fn platform_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        for cert in found.certs {
            let _ = roots.add(cert);
        }
        if roots.is_empty() {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        roots
    })
}

pub fn read_pem_certs(file: &Path) -> std::io::Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(file)
        .map_err(|e| std::io::Error::other(format!("{}: {e}", file.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| std::io::Error::other(format!("{}: {e}", file.display())))?;
    if certs.is_empty() {
        return Err(std::io::Error::other(format!(
            "{}: no certificate in it",
            file.display()
        )));
    }
    Ok(certs)
}

#[derive(Debug)]
struct Verifier {
    /// `--ca-file`'s roots, beside the platform's.
    extra: RootCertStore,
    /// Made at the first certificate to judge: reading the platform's
    /// roots takes tens of milliseconds, which a plain session (most
    /// `ftp://` ones) would pay before its first connect.
    inner: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
    pinned: Vec<Fingerprint>,
}

impl Verifier {
    fn inner(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        let made = self.inner.get_or_init(|| {
            let mut roots = platform_roots().clone();
            roots.roots.extend(self.extra.roots.iter().cloned());
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| e.to_string())
        });
        made.as_ref()
            .map_err(|e| rustls::Error::General(format!("no certificate checks: {e}")))
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fingerprint = Fingerprint::of(end_entity);
        if self.pinned.contains(&fingerprint) {
            return Ok(ServerCertVerified::assertion());
        }
        match self
            .inner()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Ok(ok) => Ok(ok),
            Err(rustls::Error::InvalidCertificate(e)) => {
                let reason = match e {
                    CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                        "expired".to_string()
                    }
                    CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                        "not valid yet".to_string()
                    }
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. } => {
                        format!("name mismatch (it is not for {})", server_name.to_str())
                    }
                    CertificateError::UnknownIssuer => self_signed(end_entity, server_name, now)
                        .unwrap_or_else(|| "unknown issuer".to_string()),
                    CertificateError::Revoked => "revoked".to_string(),
                    other => in_words(&other),
                };
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                    rustls::OtherError(Arc::new(CertRejected {
                        reason,
                        fingerprint,
                    })),
                )))
            }
            Err(other) => Err(other),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What a person reads for the verifier's rarer refusals: never the
/// library's debug text (`Other(OtherError(CaUsedAsEndEntity))`, which a
/// self-signed certificate made as a CA gets).
fn in_words(e: &CertificateError) -> String {
    let debug = format!("{e:?}");
    if debug.contains("CaUsedAsEndEntity") {
        "a certificate authority's own certificate (self-signed as a CA), used as the server's"
    } else if debug.contains("EndEntityUsedAsCa") {
        "signed by a certificate that is no certificate authority"
    } else if matches!(e, CertificateError::BadSignature) || debug.contains("Signature") {
        "its signature does not verify"
    } else if matches!(e, CertificateError::BadEncoding) {
        "it cannot be read (malformed)"
    } else if debug.contains("Purpose") || debug.contains("KeyUsage") {
        "not made for a server (its key usage says otherwise)"
    } else {
        "refused by the certificate checks"
    }
    .to_string()
}

/// For a certificate that vouches for itself (it verifies with itself as
/// the only root): "self-signed", with what else is wrong with it.
fn self_signed(cert: &CertificateDer<'_>, name: &ServerName<'_>, now: UnixTime) -> Option<String> {
    let anchor = webpki::anchor_from_trusted_cert(cert).ok()?;
    let mut roots = RootCertStore::empty();
    roots.roots.push(anchor.to_owned());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .ok()?;
    match verifier.verify_server_cert(cert, &[], name, &[], now) {
        Ok(_) => Some("self-signed".into()),
        Err(rustls::Error::InvalidCertificate(e)) => match e {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Some(format!(
                    "self-signed, and a name mismatch (it is not for {})",
                    name.to_str()
                ))
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                Some("self-signed, and expired".into())
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                Some("self-signed, and not valid yet".into())
            }
            _ => None,
        },
        Err(_) => None,
    }
}

/// The refusal behind a failed handshake, if a certificate was refused.
pub(crate) fn rejection(e: &std::io::Error) -> Option<CertRejected> {
    let inner = e.get_ref()?;
    let rustls_error = inner.downcast_ref::<rustls::Error>()?;
    match rustls_error {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            other.0.downcast_ref::<CertRejected>().cloned()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_in_every_spelling() {
        let fp = Fingerprint([0xab; 32]);
        let shown = fp.to_string();
        assert!(shown.starts_with("SHA256:AB:AB:"));
        assert_eq!(Fingerprint::parse(&shown), Some(fp));
        assert_eq!(Fingerprint::parse(&shown.to_lowercase()), Some(fp));
        assert_eq!(Fingerprint::parse(&"ab".repeat(32)), Some(fp));
        assert_eq!(Fingerprint::parse("SHA256:abcd"), None);
        assert_eq!(Fingerprint::parse(&"zz".repeat(32)), None);
    }

    /// The verifier's rarer refusals are said in words (a self-signed CA
    /// certificate used by a server gave `Other(OtherError(CaUsedAsEndEntity))`).
    #[test]
    fn refusals_are_said_in_words() {
        let ca_as_server = CertificateError::Other(rustls::OtherError(Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        )));
        let said = in_words(&ca_as_server);
        assert!(said.contains("certificate authority"), "{said}");
        assert!(!said.contains("Other("), "{said}");
        assert_eq!(
            in_words(&CertificateError::BadSignature),
            "its signature does not verify"
        );
    }

    #[test]
    fn modes() {
        assert_eq!(TlsMode::parse("required"), Some(TlsMode::Required));
        assert_eq!(TlsMode::parse("off"), Some(TlsMode::Off));
        assert_eq!(TlsMode::parse("if-available"), Some(TlsMode::IfAvailable));
        assert_eq!(TlsMode::parse("maybe"), None);
    }
}
