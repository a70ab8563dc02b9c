//! One end of a copy in the engine tests, whatever runs it: an FTP
//! server's working directory (where to connect, the directory as FTP
//! names it, and that directory on disk) or a local directory.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use fxpc::server::Handle;
use fxpc::transfer::Location;

use super::jobs::site;
use super::{Pyftpd, Unftp, Vsftpd};

/// One end of a copy: an FTP server's working directory, or a local one.
pub struct End {
    pub name: &'static str,
    /// `None` for the local disk.
    pub addr: Option<SocketAddr>,
    pub home: String,
    pub files: PathBuf,
}

impl End {
    pub fn vsftpd(s: &Vsftpd) -> End {
        End {
            name: "vsftpd",
            addr: Some(s.socket_addr()),
            home: s.home().into(),
            files: s.files().into(),
        }
    }
    pub fn pyftpd(s: &Pyftpd) -> End {
        End {
            name: "pyftpdlib",
            addr: Some(s.socket_addr()),
            home: s.home().into(),
            files: s.files().into(),
        }
    }
    pub fn unftp(s: &Unftp) -> End {
        End {
            name: "libunftp",
            addr: Some(s.socket_addr()),
            home: s.home().into(),
            files: s.files().into(),
        }
    }

    pub fn serve(h: &Handle, root: &Path) -> End {
        End {
            name: "fxpc serve",
            addr: Some(h.addr()),
            home: "/".into(),
            files: root.into(),
        }
    }
    pub fn local(dir: &Path) -> End {
        End {
            name: "local",
            addr: None,
            home: dir.display().to_string(),
            files: dir.into(),
        }
    }

    pub fn at(&self, name: &str) -> Location {
        let path = format!("{}/{name}", self.home.trim_end_matches('/'));
        match self.addr {
            Some(a) => Location::ftp(site(a), path),
            None => Location::local(path),
        }
    }

    /// Writable by everyone, so vsftpd's anonymous user may replace it.
    pub fn seed(&self, name: &str, bytes: &[u8]) {
        let path = super::seed(&self.files, name, bytes);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666)).unwrap();
    }

    /// The file's bytes on disk, `None` when it is not there.
    pub fn try_read(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.files.join(name)).ok()
    }

    /// The file's bytes on disk; it must be there.
    pub fn read(&self, name: &str) -> Vec<u8> {
        let path = self.files.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{} on disk: {e}", path.display()))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.files.join(name).exists()
    }
}
