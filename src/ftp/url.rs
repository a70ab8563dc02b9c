//! `ftp://[user[:password]@]host[:port]/path` addresses of remote sites
//! (`ftps://`: TLS from the first byte, port 990; `ftpes://`: `AUTH TLS`
//! required), and where a password comes from when the URL has none
//! (`~/.netrc`).

use std::fmt;
use std::path::Path;

use super::client::Login;
use super::secret::Secret;

#[derive(Clone, PartialEq, Eq)]
pub struct FtpUrl {
    pub host: String,
    pub(crate) port: u16,
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// Percent-decoded path bytes; empty means the login directory.
    pub path: Vec<u8>,
    /// What the scheme says of TLS (`None` for `ftp://`: the site's
    /// setting decides).
    pub(crate) tls: Option<super::tls::TlsMode>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("{0:?} is not a URL: {1}")]
    Syntax(String, String),
    #[error("{0:?}: only ftp://, ftps:// and ftpes:// URLs are supported")]
    Scheme(String),
    #[error("{0:?} names no host")]
    NoHost(String),
}

impl FtpUrl {
    pub fn parse(text: &str) -> Result<FtpUrl, UrlError> {
        let url =
            url::Url::parse(text).map_err(|e| UrlError::Syntax(redact(text), e.to_string()))?;
        let (tls, default_port) = match url.scheme() {
            "ftp" => (None, 21),
            "ftps" => (Some(super::tls::TlsMode::Implicit), 990),
            "ftpes" => (Some(super::tls::TlsMode::Required), 21),
            _ => return Err(UrlError::Scheme(redact(text))),
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(UrlError::NoHost(redact(text))),
        };
        let decode = |s: &str| percent_decode(s.as_bytes());
        let user = Some(url.username())
            .filter(|u| !u.is_empty())
            .map(|u| String::from_utf8_lossy(&decode(u)).into_owned());
        let password = url
            .password()
            .map(|p| Secret::new(String::from_utf8_lossy(&decode(p)).into_owned()));
        // RFC 1738: the path is relative to the login directory, as curl
        // and lftp read it: "ftp://h/pub" is "pub" there, "ftp://h/%2Fpub"
        // (or "ftp://h//pub") is "/pub" from the server's root. On a server
        // that chroots its users the two are the same; on one that does
        // not (logged in at /home/u), only the first is the user's `pub`.
        let raw_path = url.path();
        let decoded = decode(raw_path);
        let path = decoded.strip_prefix(b"/").unwrap_or(&decoded).to_vec();
        Ok(FtpUrl {
            host,
            port: url.port().unwrap_or(default_port),
            user,
            password,
            path,
            tls,
        })
    }
}

/// The URL without the password: what headers, logs and errors show.
impl FtpUrl {
    pub fn scheme(&self) -> &'static str {
        match self.tls {
            Some(super::tls::TlsMode::Implicit) => "ftps",
            Some(super::tls::TlsMode::Required) => "ftpes",
            _ => "ftp",
        }
    }

    pub fn default_port(&self) -> u16 {
        if self.tls == Some(super::tls::TlsMode::Implicit) {
            990
        } else {
            21
        }
    }
}

impl fmt::Display for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme())?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if self.port != self.default_port() {
            write!(f, ":{}", self.port)?;
        }
        f.write_str(&url_path(&self.path))
    }
}

impl fmt::Debug for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FtpUrl({self})")
    }
}

/// Hides a password in a URL that failed to parse, before it is echoed.
/// The user info starts after the scheme's colon and any slashes: the `url`
/// crate reads "ftp:/h", "ftp:h" and "ftp:\\h" as "ftp://h" too.
fn redact(text: &str) -> String {
    let Some(colon) = text.find(':') else {
        return text.to_string();
    };
    let slashes = text[colon + 1..]
        .bytes()
        .take_while(|b| matches!(b, b'/' | b'\\'))
        .count();
    let start = colon + 1 + slashes;
    match text.rfind('@') {
        Some(at) if at > start => {
            let userinfo = &text[start..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &text[..start], &text[at..]),
                None => text.to_string(),
            }
        }
        _ => text.to_string(),
    }
}

/// A path as the part of an `ftp://` URL after the host, read back the same
/// by [`FtpUrl::parse`]: `/pub/a b` (relative to the login directory) for
/// `pub/a b`, `/%2Fsrv/x` for the absolute `/srv/x`. Bytes that would end
/// or change the URL are escaped.
pub(crate) fn url_path(path: &[u8]) -> String {
    let mut out = String::from("/");
    let rest = match path.strip_prefix(b"/") {
        Some(rest) => {
            out.push_str("%2F");
            rest
        }
        None => path,
    };
    for &b in rest {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@ ".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%'
            && let Some(hex) = input.get(i + 1..i + 3)
            && let Ok(s) = std::str::from_utf8(hex)
            && let Ok(b) = u8::from_str_radix(s, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// The `~/.netrc` entry for `host` (and `user`, when given), or the
/// `default` entry.
pub(crate) fn netrc_lookup(path: &Path, host: &str, user: Option<&str>) -> Option<Login> {
    let file = std::fs::File::open(path).ok()?;
    let parsed = match netrc::Netrc::parse(std::io::BufReader::new(file)) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("ignoring {}: {e:?}", path.display());
            return None;
        }
    };
    let matches_user = |m: &netrc::Machine| user.is_none_or(|u| u == m.login);
    let machine = parsed
        .hosts
        .iter()
        .find(|(h, m)| h.eq_ignore_ascii_case(host) && matches_user(m))
        .map(|(_, m)| m)
        .or(parsed.default.as_ref().filter(|m| matches_user(m)))?;
    Some(Login {
        user: machine.login.clone(),
        password: Secret::new(machine.password.clone()?),
        account: machine.account.clone().map(Secret::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_url() {
        let u = FtpUrl::parse("ftp://bob:s%40cret@127.0.0.2:2121/pub/a%20b").unwrap();
        assert_eq!(u.host, "127.0.0.2");
        assert_eq!(u.port, 2121);
        assert_eq!(u.user.as_deref(), Some("bob"));
        assert_eq!(u.password.as_ref().unwrap().expose(), "s@cret");
        assert_eq!(u.path, b"pub/a b");
        assert_eq!(u.to_string(), "ftp://bob@127.0.0.2:2121/pub/a b");
        assert!(!format!("{u:?}").contains("cret"));
    }

    /// RFC 1738 section 3.2.2: the path is relative to the login
    /// directory; an encoded `/` (`%2F`) or an empty first segment starts
    /// from the root. Written back, each reads the same again.
    #[test]
    fn paths_are_relative_to_the_login_directory_unless_rooted() {
        let path = |t: &str| FtpUrl::parse(t).unwrap().path;
        assert_eq!(path("ftp://h/pub/x"), b"pub/x");
        assert_eq!(path("ftp://h/%2Fpub/x"), b"/pub/x");
        assert_eq!(path("ftp://h//pub/x"), b"/pub/x");
        assert_eq!(path("ftp://h/"), b"");
        assert_eq!(path("ftp://h"), b"");
        for text in ["ftp://h/pub/x", "ftp://h/%2Fpub/x", "ftp://h/a%25b/c%3Fd"] {
            let u = FtpUrl::parse(text).unwrap();
            assert_eq!(
                FtpUrl::parse(&u.to_string()).unwrap().path,
                u.path,
                "{text}"
            );
        }
        assert_eq!(url_path(b"/srv/a b"), "/%2Fsrv/a b");
        assert_eq!(url_path(b"a#b?c"), "/a%23b%3Fc");
    }

    #[test]
    fn defaults_and_ipv6() {
        let u = FtpUrl::parse("ftp://[::1]/").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 21));
        assert!(u.path.is_empty());
        assert_eq!(u.to_string(), "ftp://[::1]/");
    }

    #[test]
    fn errors_never_echo_the_password() {
        let err = FtpUrl::parse("http://bob:hunter2@host/").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = FtpUrl::parse("ftp://bob:hunter2@/x").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    /// Found by the `url` fuzz target: `url` takes "ftp:/" (one slash, or
    /// none, or backslashes) for "ftp://", but redaction looked for "://".
    #[test]
    fn errors_never_echo_the_password_without_double_slash() {
        for text in [
            "ftp:/:hunter1@/",
            "ftp:bob:hunter2@/x",
            "http:bob:hunter2@host/",
            "ftp:\\\\bob:hunter2@/x",
            "http:/bob:hunter2@host/a://b",
        ] {
            let err = FtpUrl::parse(text).unwrap_err();
            assert!(!err.to_string().contains("hunter"), "{err}");
        }
    }

    #[test]
    fn netrc_supplies_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("netrc");
        std::fs::write(
            &path,
            "machine other login x password y\nmachine host login alice password wonder\ndefault login anonymous password me@\n",
        )
        .unwrap();
        let login = netrc_lookup(&path, "host", Some("alice")).unwrap();
        assert_eq!(
            (login.user.as_str(), login.password.expose()),
            ("alice", "wonder")
        );
        assert_eq!(
            netrc_lookup(&path, "elsewhere", None)
                .unwrap()
                .password
                .expose(),
            "me@"
        );
    }
}
