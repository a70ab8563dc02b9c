//! The jail: turns the paths a client names into paths on disk that can never
//! leave the served root — not by `..`, not by absolute paths, not by a
//! symlink pointing out.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Jail {
    root: PathBuf,
}

impl Jail {
    pub fn new(root: &Path) -> io::Result<Jail> {
        let root = root.canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Jail { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The virtual absolute path (`/a/b`) that `arg` names when the working
    /// directory is `cwd`. `..` stops at `/`, as on a real root directory.
    pub fn virtual_path(cwd: &[u8], arg: &[u8]) -> Vec<u8> {
        let mut parts: Vec<&[u8]> = Vec::new();
        let joined: Vec<&[u8]> = if arg.starts_with(b"/") {
            arg.split(|&b| b == b'/').collect()
        } else {
            cwd.split(|&b| b == b'/')
                .chain(arg.split(|&b| b == b'/'))
                .collect()
        };
        for part in joined {
            match part {
                b"" | b"." => {}
                b".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let mut out = Vec::new();
        for p in parts {
            out.push(b'/');
            out.extend_from_slice(p);
        }
        if out.is_empty() {
            out.push(b'/');
        }
        out
    }

    /// The on-disk path for a virtual path, checked to stay inside the root
    /// after following every symlink that exists along the way. The final
    /// component may not exist yet (STOR, MKD).
    pub fn resolve(&self, virtual_path: &[u8]) -> io::Result<PathBuf> {
        let mut real = self.root.clone();
        for part in virtual_path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
            real.push(OsStr::from_bytes(part));
        }
        self.check_inside(&real)?;
        Ok(real)
    }

    /// Like [`resolve`](Self::resolve), but the path itself may be a symlink
    /// that is not followed (DELE, RNFR: we act on the link, not its target).
    pub fn resolve_no_follow(&self, virtual_path: &[u8]) -> io::Result<PathBuf> {
        let mut real = self.root.clone();
        for part in virtual_path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
            real.push(OsStr::from_bytes(part));
        }
        if let Some(parent) = real.parent()
            && real != self.root
        {
            self.check_inside(parent)?;
        }
        Ok(real)
    }

    fn check_inside(&self, real: &Path) -> io::Result<()> {
        // Canonicalize the longest prefix that exists: symlinks can only live
        // there.
        let mut existing = real.to_path_buf();
        let canonical = loop {
            match existing.canonicalize() {
                Ok(c) => break c,
                Err(_) => {
                    if !existing.pop() {
                        return Err(outside());
                    }
                }
            }
        };
        if canonical.starts_with(&self.root) {
            Ok(())
        } else {
            Err(outside())
        }
    }
}

fn outside() -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        "path leads outside the served root",
    )
}

/// The last component of a virtual path, for messages and `STOU`.
pub fn file_name(virtual_path: &[u8]) -> &[u8] {
    Path::new(OsStr::from_bytes(virtual_path))
        .components()
        .next_back()
        .and_then(|c| match c {
            Component::Normal(n) => Some(n.as_bytes()),
            _ => None,
        })
        .unwrap_or(b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_paths_never_climb_above_root() {
        assert_eq!(Jail::virtual_path(b"/", b"a/b"), b"/a/b");
        assert_eq!(Jail::virtual_path(b"/a/b", b"../../../../etc"), b"/etc");
        assert_eq!(Jail::virtual_path(b"/a", b"/x/./y/../z"), b"/x/z");
        assert_eq!(Jail::virtual_path(b"/a", b""), b"/a");
        assert_eq!(Jail::virtual_path(b"/a", b".."), b"/");
        assert_eq!(Jail::virtual_path(b"/", b"-rf.txt"), b"/-rf.txt");
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("secret"), b"x").unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("escape")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("inside")).unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        let jail = Jail::new(&root).unwrap();
        assert!(jail.resolve(b"/escape/secret").is_err());
        assert!(jail.resolve(b"/escape/new-file").is_err());
        assert!(jail.resolve(b"/inside/new-file").is_ok());
        assert!(jail.resolve(b"/plain").is_ok());
        // Deleting the link itself is fine; following it is not.
        assert!(jail.resolve_no_follow(b"/escape").is_ok());
        assert!(jail.resolve(b"/escape").is_err());
    }

    #[test]
    fn file_name_of_paths() {
        assert_eq!(file_name(b"/a/b c"), b"b c");
        assert_eq!(file_name(b"/"), b"");
    }
}
