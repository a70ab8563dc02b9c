//! The jail: every path a client names is opened beneath a handle on the
//! served root with the kernel enforcing it (Linux `openat2` with
//! `RESOLVE_IN_ROOT`): `..`, absolute paths and symlinks, even ones swapped
//! in between a check and a use, resolve as if the root were `/`. Symlinks
//! inside the root keep working (an absolute one means the root's path).
//! There is no check-then-open by name: each operation resolves its path
//! once, in the kernel, at the moment it acts.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, Mode, OFlags, ResolveFlags};

#[derive(Debug, Clone)]
pub struct Jail {
    root: Arc<OwnedFd>,
    /// The names being uploaded to: one upload at a time per name.
    pub(super) uploads: Arc<Mutex<HashSet<UploadKey>>>,
}

/// The start of every hidden upload's name (`upload.rs`). The jail
/// refuses any path naming one and listings leave them out, so a
/// half-written file is never seen, fetched or renamed by a client.
pub(crate) const HIDDEN_PREFIX: &[u8] = b".fxpc-upload-";

/// A directory (device, inode) and a name in it.
pub(crate) type UploadKey = (u64, u64, Vec<u8>);

/// How every path is resolved: inside the root, and never through
/// `/proc`'s magic links.
const RESOLVE: ResolveFlags = ResolveFlags::IN_ROOT.union(ResolveFlags::NO_MAGICLINKS);

impl Jail {
    pub(crate) fn new(root: &Path) -> io::Result<Jail> {
        let fd = rustix::fs::open(
            root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| {
            io::Error::new(
                io::Error::from(e).kind(),
                format!("{}: {e}", root.display()),
            )
        })?;
        let jail = Jail {
            root: Arc::new(fd),
            uploads: Arc::default(),
        };
        // openat2 arrived in Linux 5.6: without it there is no safe jail.
        jail.open(b"/", OFlags::PATH | OFlags::DIRECTORY, 0)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("the kernel cannot confine paths (openat2 with RESOLVE_IN_ROOT, Linux 5.6): {e}"),
                )
            })?;
        Ok(jail)
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

    /// Opens a virtual path, resolved in the kernel beneath the root.
    pub(super) fn open(&self, virtual_path: &[u8], flags: OFlags, mode: u32) -> io::Result<File> {
        refuse_hidden(virtual_path)?;
        let relative = relative(virtual_path);
        let fd = rustix::fs::openat2(
            self.root.as_fd(),
            OsStr::from_bytes(relative),
            flags | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
            RESOLVE,
        )?;
        Ok(File::from(fd))
    }

    /// What the path names, following symlinks (inside the root).
    pub(crate) fn metadata(&self, virtual_path: &[u8]) -> io::Result<Metadata> {
        self.open(virtual_path, OFlags::PATH, 0)?.metadata()
    }

    /// What the path names itself, a symlink not followed.
    pub(crate) fn symlink_metadata(&self, virtual_path: &[u8]) -> io::Result<Metadata> {
        self.open(virtual_path, OFlags::PATH | OFlags::NOFOLLOW, 0)?
            .metadata()
    }

    /// Opens a plain file for reading. A FIFO or a device is refused
    /// without waiting: opening a FIFO for reading blocks until a writer
    /// comes, so the open is non-blocking and checked before anything
    /// reads it.
    pub(crate) fn open_read(&self, virtual_path: &[u8]) -> io::Result<File> {
        let file = self.open(virtual_path, OFlags::RDONLY | OFlags::NONBLOCK, 0)?;
        plain_blocking(file)
    }

    /// Sets a plain file's modification time (`MFMT`).
    pub fn set_modified(&self, virtual_path: &[u8], time: std::time::SystemTime) -> io::Result<()> {
        self.open_read(virtual_path)?.set_modified(time)
    }

    /// Creates a file that must not exist yet (`STOU`).
    pub(crate) fn create_new(&self, virtual_path: &[u8]) -> io::Result<File> {
        self.open(
            virtual_path,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL,
            0o666,
        )
    }

    /// A directory, opened for reading its entries.
    pub(crate) fn open_dir(&self, virtual_path: &[u8]) -> io::Result<File> {
        self.open(virtual_path, OFlags::RDONLY | OFlags::DIRECTORY, 0)
    }

    /// The directory a path's last component lives in (resolved in the
    /// kernel) and that component: what `mkdir`, `unlink` and `rename` act
    /// on, without following the component itself.
    pub(super) fn parent(&self, virtual_path: &[u8]) -> io::Result<(File, Vec<u8>)> {
        refuse_hidden(virtual_path)?;
        let name = file_name(virtual_path);
        if name.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "not allowed on the root",
            ));
        }
        let dir = &virtual_path[..virtual_path.len() - name.len()];
        let parent = self.open(dir, OFlags::PATH | OFlags::DIRECTORY, 0)?;
        Ok((parent, name.to_vec()))
    }

    pub(crate) fn create_dir(&self, virtual_path: &[u8]) -> io::Result<()> {
        let (dir, name) = self.parent(virtual_path)?;
        rustix::fs::mkdirat(&dir, OsStr::from_bytes(&name), Mode::from_raw_mode(0o777))?;
        Ok(())
    }

    pub(crate) fn remove_dir(&self, virtual_path: &[u8]) -> io::Result<()> {
        let (dir, name) = self.parent(virtual_path)?;
        rustix::fs::unlinkat(&dir, OsStr::from_bytes(&name), AtFlags::REMOVEDIR)?;
        Ok(())
    }

    /// Removes a file or a symlink (the link itself, never its target).
    pub(crate) fn remove_file(&self, virtual_path: &[u8]) -> io::Result<()> {
        let (dir, name) = self.parent(virtual_path)?;
        rustix::fs::unlinkat(&dir, OsStr::from_bytes(&name), AtFlags::empty())?;
        Ok(())
    }

    pub(crate) fn rename(&self, from: &[u8], to: &[u8]) -> io::Result<()> {
        let (from_dir, from_name) = self.parent(from)?;
        let (to_dir, to_name) = self.parent(to)?;
        rustix::fs::renameat(
            &from_dir,
            OsStr::from_bytes(&from_name),
            &to_dir,
            OsStr::from_bytes(&to_name),
        )?;
        Ok(())
    }
}

/// `NotFound` for a path that names a hidden upload.
pub(crate) fn refuse_hidden(virtual_path: &[u8]) -> io::Result<()> {
    if virtual_path
        .split(|&b| b == b'/')
        .any(|part| part.starts_with(HIDDEN_PREFIX))
    {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no such file or directory",
        ));
    }
    Ok(())
}

pub(crate) fn is_hidden(name: &[u8]) -> bool {
    name.starts_with(HIDDEN_PREFIX)
}

/// `file` if it is a plain file, made blocking again (the non-blocking
/// open was only to not wait on a FIFO).
pub(super) fn plain_blocking(file: File) -> io::Result<File> {
    if !file.metadata()?.is_file() {
        return Err(not_plain());
    }
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
    Ok(file)
}

pub(super) fn not_plain() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "not a plain file")
}

/// A path through an open directory, for the standard library's directory
/// reading: `/proc/self/fd/N` is that very directory, however its name
/// changes meanwhile. The file must stay open while the path is used.
pub(crate) fn opened_path(dir: &File) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()))
}

/// The path below the root: `/a/b` → `a/b`, `/` → `.`.
fn relative(virtual_path: &[u8]) -> &[u8] {
    let trimmed = virtual_path.strip_prefix(b"/").unwrap_or(virtual_path);
    if trimmed.is_empty() { b"." } else { trimmed }
}

/// The last component of a virtual path, for messages and `STOU`.
pub(crate) fn file_name(virtual_path: &[u8]) -> &[u8] {
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
    use crate::server::upload::Write;

    #[test]
    fn virtual_paths_never_climb_above_root() {
        assert_eq!(Jail::virtual_path(b"/", b"a/b"), b"/a/b");
        assert_eq!(Jail::virtual_path(b"/a/b", b"../../../../etc"), b"/etc");
        assert_eq!(Jail::virtual_path(b"/a", b"/x/./y/../z"), b"/x/z");
        assert_eq!(Jail::virtual_path(b"/a", b""), b"/a");
        assert_eq!(Jail::virtual_path(b"/a", b".."), b"/");
        assert_eq!(Jail::virtual_path(b"/", b"-rf.txt"), b"/-rf.txt");
    }

    /// Links pointing out resolve inside the root (as under chroot), so
    /// what lies outside can be neither read nor written; links inside
    /// work; deleting a link removes the link.
    #[test]
    fn symlinks_cannot_lead_out_of_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("secret"), b"outside").unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("escape")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("new.txt"), root.join("dangling_out")).unwrap();
        std::os::unix::fs::symlink("../..", root.join("up")).unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("inside")).unwrap();
        let jail = Jail::new(&root).unwrap();

        assert!(jail.open_read(b"/escape/secret").is_err());
        assert!(jail.open_read(b"/up/secret").is_err());
        // A dangling link out: its target is looked for inside the root
        // (and is not there), never outside.
        let _ = jail.open_upload(b"/dangling_out", Write::Append, 0);
        assert!(!dir.path().join("new.txt").exists(), "written outside");
        jail.open_upload(b"/inside/new-file", Write::Append, 0)
            .unwrap();
        assert!(root.join("sub/new-file").exists());
        assert!(jail.metadata(b"/inside").unwrap().is_dir());
        assert!(jail.symlink_metadata(b"/inside").unwrap().is_symlink());
        jail.remove_file(b"/escape").unwrap();
        assert!(dir.path().join("secret").exists(), "the target stays");
        assert!(jail.remove_dir(b"/").is_err());
    }

    #[test]
    fn file_name_of_paths() {
        assert_eq!(file_name(b"/a/b c"), b"b c");
        assert_eq!(file_name(b"/"), b"");
    }
}
