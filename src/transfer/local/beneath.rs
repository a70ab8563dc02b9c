//! The local destination opened the way `fxpc serve` keeps its jail: every
//! path of a copy is resolved in the kernel beneath the copy's root
//! (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`), so a symlink
//! already in the destination tree (`tree/sub -> ../outside`) is never
//! followed, not even one swapped in after a check. The root itself is
//! the directory the user named (or the one holding what they named):
//! their own links up to it are theirs to follow.
//!
//! Everything here blocks: callers run it on `spawn_blocking`.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};

/// What stands at a local destination's name, a symlink not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    Absent,
    File(u64),
    /// A symbolic link: never written through. An overwrite replaces the
    /// link itself; other policies leave it and say so.
    Link,
    /// A device, a FIFO, a directory: written in place (`/dev/null`,
    /// `/dev/full`), or refused by the open, never renamed over.
    Other,
}

/// No link followed, nothing above the root reached, no `/proc` magic.
const RESOLVE: ResolveFlags = ResolveFlags::BENEATH
    .union(ResolveFlags::NO_SYMLINKS)
    .union(ResolveFlags::NO_MAGICLINKS);

/// A path under a copy's local root.
#[derive(Debug, Clone)]
pub(crate) struct Confined {
    root: PathBuf,
    /// Never empty: at least the last component.
    rel: PathBuf,
}

/// Why a directory of a tree could not be made.
#[derive(Debug)]
pub(crate) enum DirError {
    /// A symbolic link stands where a directory should (its path).
    Link(PathBuf),
    Io(io::Error),
}

impl Confined {
    /// `path` beneath `root` when it is under it; otherwise beneath its
    /// own directory.
    pub(crate) fn new(root: Option<&Path>, path: &Path) -> Confined {
        if let Some(root) = root
            && let Ok(rel) = path.strip_prefix(root)
            && !rel.as_os_str().is_empty()
        {
            return Confined {
                root: root.to_path_buf(),
                rel: rel.to_path_buf(),
            };
        }
        let root = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let rel = path
            .file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from);
        Confined { root, rel }
    }

    fn path(&self) -> PathBuf {
        self.root.join(&self.rel)
    }

    fn root_fd(&self) -> io::Result<OwnedFd> {
        Ok(rustix::fs::open(
            &self.root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?)
    }

    /// `rel` opened beneath `dir`; its last component is not followed
    /// either (`O_NOFOLLOW`; with `O_PATH`, a link is opened as itself).
    fn at(&self, dir: BorrowedFd<'_>, rel: &Path, flags: OFlags, mode: u32) -> io::Result<OwnedFd> {
        open_beneath(dir, rel, flags | OFlags::NOFOLLOW, mode).map_err(|e| self.explain(e.into()))
    }

    fn explain(&self, e: io::Error) -> io::Error {
        if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            io::Error::other(format!(
                "{}: a symbolic link in the destination: not followed",
                self.path().display()
            ))
        } else {
            e
        }
    }

    /// What stands at the path, a link not followed (nor any on the way).
    pub(crate) fn standing(&self) -> io::Result<Standing> {
        let root = self.root_fd()?;
        match self.at(root.as_fd(), &self.rel, OFlags::PATH, 0) {
            Ok(fd) => {
                let stat = rustix::fs::fstat(&fd)?;
                Ok(match FileType::from_raw_mode(stat.st_mode) {
                    FileType::Symlink => Standing::Link,
                    FileType::RegularFile => Standing::File(stat.st_size as u64),
                    _ => Standing::Other,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Standing::Absent),
            Err(e) => Err(e),
        }
    }

    /// Opens the file for writing as a copy's policy asks: appended to,
    /// continued (`resume`: it must exist), or created and emptied.
    pub(crate) fn open_write(&self, append: bool, resume: bool) -> io::Result<File> {
        let root = self.root_fd()?;
        let flags = if append {
            OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE
        } else if resume {
            OFlags::WRONLY
        } else {
            OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC
        };
        // openat2 takes a mode only with O_CREAT.
        let mode = if flags.contains(OFlags::CREATE) {
            0o666
        } else {
            0
        };
        Ok(File::from(self.at(root.as_fd(), &self.rel, flags, mode)?))
    }

    /// Gives the file the modification time `time`, reached as every
    /// other open here: no link followed, on the way or at the end (the
    /// open does not wait on a FIFO put there meanwhile).
    pub(crate) fn set_modified(&self, time: std::time::SystemTime) -> io::Result<()> {
        let root = self.root_fd()?;
        let fd = self.at(
            root.as_fd(),
            &self.rel,
            OFlags::RDONLY | OFlags::NONBLOCK,
            0,
        )?;
        File::from(fd).set_modified(time)
    }

    /// The directory holding the last component, and that component.
    fn parent(&self, root: &OwnedFd) -> io::Result<(Option<OwnedFd>, PathBuf)> {
        let name = PathBuf::from(self.rel.file_name().unwrap_or(self.rel.as_os_str()));
        match self.rel.parent() {
            Some(p) if !p.as_os_str().is_empty() => Ok((
                Some(self.at(root.as_fd(), p, OFlags::PATH | OFlags::DIRECTORY, 0)?),
                name,
            )),
            _ => Ok((None, name)),
        }
    }

    /// Renames this file over `to` (both under the same root): what stood
    /// at `to`, a link included, is replaced, never what a link names.
    pub(crate) fn rename_to(&self, to: &Confined) -> io::Result<()> {
        let root = self.root_fd()?;
        let (from_dir, from_name) = self.parent(&root)?;
        let to_root = to.root_fd()?;
        let (to_dir, to_name) = to.parent(&to_root)?;
        let from_dir = from_dir.as_ref().map_or(root.as_fd(), |d| d.as_fd());
        let to_dir = to_dir.as_ref().map_or(to_root.as_fd(), |d| d.as_fd());
        rustix::fs::renameat(from_dir, &from_name, to_dir, &to_name)?;
        Ok(())
    }

    /// Makes every directory of the path that is missing. A link where a
    /// directory should be is replaced by a directory when `replace_links`
    /// (the link itself goes, never what it names), else refused.
    pub(crate) fn make_dirs(&self, replace_links: bool) -> Result<(), DirError> {
        let io = DirError::Io;
        let mut dir = self.root_fd().map_err(io)?;
        let mut so_far = self.root.clone();
        for part in self.rel.components() {
            let name = Path::new(part.as_os_str());
            so_far.push(name);
            match rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(io(e.into())),
            }
            let opened = open_beneath(
                dir.as_fd(),
                name,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW,
                0,
            );
            let next = match opened {
                Ok(fd) => fd,
                Err(e) => {
                    let stat = rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)
                        .map_err(|_| io(e.into()))?;
                    if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
                        return Err(io(io::Error::other(format!(
                            "{}: not a directory",
                            so_far.display()
                        ))));
                    }
                    if !replace_links {
                        return Err(DirError::Link(so_far));
                    }
                    rustix::fs::unlinkat(&dir, name, AtFlags::empty())
                        .and_then(|()| rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o777)))
                        .and_then(|()| {
                            open_beneath(
                                dir.as_fd(),
                                name,
                                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW,
                                0,
                            )
                        })
                        .map_err(|e| io(e.into()))?
                }
            };
            dir = next;
        }
        Ok(())
    }
}

/// `rel` opened beneath `dir` with no link followed on the way: by
/// `openat2` where the kernel has it (Linux 5.6), else one component at a
/// time with `O_NOFOLLOW`, refusing `..`.
fn open_beneath(
    dir: BorrowedFd<'_>,
    rel: &Path,
    flags: OFlags,
    mode: u32,
) -> rustix::io::Result<OwnedFd> {
    let flags = flags | OFlags::CLOEXEC;
    match rustix::fs::openat2(dir, rel, flags, Mode::from_raw_mode(mode), RESOLVE) {
        Err(rustix::io::Errno::NOSYS) => open_by_parts(dir, rel, flags, mode),
        other => other,
    }
}

/// [`open_beneath`] without `openat2`.
fn open_by_parts(
    dir: BorrowedFd<'_>,
    rel: &Path,
    flags: OFlags,
    mode: u32,
) -> rustix::io::Result<OwnedFd> {
    let parts: Vec<&std::ffi::OsStr> = rel.iter().collect();
    let Some((last, on_the_way)) = parts.split_last() else {
        return Err(rustix::io::Errno::INVAL);
    };
    let mut here: Option<OwnedFd> = None;
    for part in on_the_way.iter().chain(std::iter::once(last)) {
        if *part == ".." || *part == "/" {
            return Err(rustix::io::Errno::XDEV);
        }
    }
    for part in on_the_way {
        let at = here.as_ref().map_or(dir, |d| d.as_fd());
        let next = rustix::fs::openat(
            at,
            *part,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        // A link where a directory should be: what openat2 says too.
        .map_err(|e| {
            let link = rustix::fs::statat(at, *part, AtFlags::SYMLINK_NOFOLLOW)
                .is_ok_and(|s| FileType::from_raw_mode(s.st_mode) == FileType::Symlink);
            if link { rustix::io::Errno::LOOP } else { e }
        })?;
        here = Some(next);
    }
    let at = here.as_ref().map_or(dir, |d| d.as_fd());
    rustix::fs::openat(at, *last, flags, Mode::from_raw_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_the_tree_are_never_followed() {
        let top = tempfile::tempdir().unwrap();
        let (root, outside) = (top.path().join("dst"), top.path().join("outside"));
        std::fs::create_dir_all(root.join("tree")).unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink("../../outside", root.join("tree/sub")).unwrap();
        std::os::unix::fs::symlink("../../outside/v", root.join("tree/v")).unwrap();
        let at = |p: &str| Confined::new(Some(&root), &root.join(p));

        assert!(at("tree/sub/f").open_write(false, false).is_err());
        assert_eq!(at("tree/v").standing().unwrap(), Standing::Link);
        assert!(at("tree/v").open_write(false, false).is_err());
        assert!(matches!(
            at("tree/sub/deeper").make_dirs(false),
            Err(DirError::Link(_))
        ));
        at("tree/sub/deeper").make_dirs(true).unwrap();
        assert!(root.join("tree/sub/deeper").is_dir());
        assert!(std::fs::read_dir(&outside).unwrap().next().is_none());

        // Without openat2 (before Linux 5.6), one component at a time.
        let root_fd =
            rustix::fs::open(&root, OFlags::PATH | OFlags::DIRECTORY, Mode::empty()).unwrap();
        std::os::unix::fs::symlink("../../outside", root.join("tree/sub2")).unwrap();
        let by_parts = |p: &str, flags| {
            open_by_parts(
                root_fd.as_fd(),
                Path::new(p),
                flags | OFlags::NOFOLLOW,
                0o666,
            )
        };
        let create = OFlags::WRONLY | OFlags::CREATE;
        assert_eq!(
            by_parts("tree/sub2/f", create).unwrap_err(),
            rustix::io::Errno::LOOP
        );
        assert_eq!(
            by_parts("tree/v", create).unwrap_err(),
            rustix::io::Errno::LOOP
        );
        assert!(by_parts("../outside/f", create).is_err());
        by_parts("tree/sub/deeper/f", create).unwrap();
        assert!(std::fs::read_dir(&outside).unwrap().next().is_none());
    }
}
