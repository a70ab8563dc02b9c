//! Sites (an FTP server with its credentials, or the local disk) and
//! locations on them.

use std::ffi::OsStr;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ftp::{Client, FtpUrl, Login, Options, Tls, TlsMode, TlsSettings};

#[derive(Clone)]
pub struct FtpSite {
    pub host: String,
    pub port: u16,
    pub login: Login,
    pub options: Options,
    /// Transfer connections this site may have at once (pane browsing
    /// connections are separate).
    pub max_connections: usize,
    /// Whether this server's passive replies may name a host other than
    /// the one its control connection reaches, for server-to-server
    /// copies. Off: such an address could send the other server's data
    /// to any third host (RFC 2577's bounce).
    pub allow_foreign_passive: bool,
    /// Whether a server-to-server copy may ask this server for clear data
    /// connections (`PROT C`, the control connection staying in TLS) when
    /// no protected way exists. Off: such a copy is relayed in TLS.
    pub allow_clear_data: bool,
}

impl FtpSite {
    /// A site as its URL says: `ftps://` implicit TLS, `ftpes://` TLS
    /// required, `ftp://` TLS if the server offers it.
    pub fn new(url: &FtpUrl, login: Login) -> FtpSite {
        let mut site = FtpSite {
            host: url.host.clone(),
            port: url.port,
            login,
            options: Options::default(),
            max_connections: 2,
            allow_foreign_passive: false,
            allow_clear_data: false,
        };
        let settings = TlsSettings {
            mode: url.tls.unwrap_or_default(),
            ..TlsSettings::default()
        };
        // Without a CA file nothing can fail here but the platform itself.
        if let Err(e) = site.set_tls(settings) {
            tracing::warn!("{site}: TLS unavailable: {e}");
        }
        site
    }

    /// TLS as configured (mode, extra roots, pinned certificates); one
    /// configuration for all the site's connections, whose data
    /// connections resume its sessions.
    pub fn set_tls(&mut self, settings: TlsSettings) -> std::io::Result<()> {
        self.options.tls = match settings.mode {
            TlsMode::Off => None,
            _ => Some(Tls::new(settings)?),
        };
        Ok(())
    }

    /// A logged-in session: the one way every part of fxpc opens one.
    pub async fn open(&self) -> crate::ftp::Result<Client> {
        Client::open(&self.host, self.port, &self.login, self.options.clone()).await
    }

    /// What identifies the site's pool: the same server as another user is
    /// another pool.
    pub fn key(&self) -> String {
        format!("{}@{}:{}", self.login.user, self.host, self.port)
    }
}

impl fmt::Debug for FtpSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FtpSite({self})")
    }
}

impl fmt::Display for FtpSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = if self.login.user == "anonymous" {
            String::new()
        } else {
            format!("{}@", self.login.user)
        };
        let scheme = match self.options.tls.as_ref().map(|t| t.settings.mode) {
            Some(TlsMode::Implicit) => "ftps",
            Some(TlsMode::Required) => "ftpes",
            _ => "ftp",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://{user}[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{user}{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone)]
pub enum Site {
    Ftp(Arc<FtpSite>),
    Local,
}

impl Site {
    /// The FTP site's pool key; `None` for the local disk.
    pub fn key(&self) -> Option<String> {
        match self {
            Site::Ftp(s) => Some(s.key()),
            Site::Local => None,
        }
    }
}

/// A path on a site. Remote paths are bytes (a server's names need not be
/// UTF-8); local ones are the platform's bytes too.
#[derive(Debug, Clone)]
pub struct Location {
    pub site: Site,
    pub path: Vec<u8>,
}

impl Location {
    pub fn ftp(site: Arc<FtpSite>, path: impl Into<Vec<u8>>) -> Location {
        Location {
            site: Site::Ftp(site),
            path: path.into(),
        }
    }

    pub fn local(path: impl AsRef<Path>) -> Location {
        Location {
            site: Site::Local,
            path: path.as_ref().as_os_str().as_bytes().to_vec(),
        }
    }

    pub fn local_path(&self) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(&self.path))
    }

    /// The last path component.
    pub fn name(&self) -> &[u8] {
        let trimmed = trim_slashes(&self.path);
        match trimmed.iter().rposition(|&b| b == b'/') {
            Some(i) => &trimmed[i + 1..],
            None => trimmed,
        }
    }

    /// `self/name`.
    pub fn join(&self, name: &[u8]) -> Location {
        let mut path = trim_slashes(&self.path).to_vec();
        if !path.is_empty() && !path.ends_with(b"/") {
            path.push(b'/');
        }
        path.extend_from_slice(name);
        Location {
            site: self.site.clone(),
            path,
        }
    }

    /// The directory and the last component, split as [`join`](Self::join)
    /// put them together: `a/b/c` → (`a/b`, `c`), `/c` → (`/`, `c`).
    pub fn parent_and_name(&self) -> (&[u8], &[u8]) {
        let trimmed = trim_slashes(&self.path);
        match trimmed.iter().rposition(|&b| b == b'/') {
            Some(0) => (&trimmed[..1], &trimmed[1..]),
            Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
            None => (&trimmed[..0], trimmed),
        }
    }

    pub fn with_path(&self, path: Vec<u8>) -> Location {
        Location {
            site: self.site.clone(),
            path,
        }
    }
}

fn trim_slashes(p: &[u8]) -> &[u8] {
    let mut end = p.len();
    while end > 1 && p[end - 1] == b'/' {
        end -= 1;
    }
    &p[..end]
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = String::from_utf8_lossy(&self.path);
        match &self.site {
            Site::Ftp(s) if path.starts_with('/') => write!(f, "{s}{path}"),
            Site::Ftp(s) => write!(f, "{s}/{path}"),
            Site::Local => f.write_str(&path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_joins() {
        let l = Location::local("/a/b/c.txt");
        assert_eq!(l.name(), b"c.txt");
        assert_eq!(Location::local("/x/").join(b"y").path, b"/x/y");
        assert_eq!(Location::local("/").join(b"y").path, b"/y");
        assert_eq!(Location::local("rel").join(b"y").path, b"rel/y");
        assert_eq!(Location::local("/dir/").name(), b"dir");
        for dir in ["/x", "/x/", "/", "rel", ""] {
            let child = Location::local(dir).join(b"y");
            let (parent, name) = child.parent_and_name();
            assert_eq!(name, b"y", "{dir}");
            assert_eq!(
                Location::local(dir).join(b"y").path,
                Location::local(std::str::from_utf8(parent).unwrap())
                    .join(name)
                    .path,
                "{dir}"
            );
        }
    }
}
