//! The local disk, as one end of a copy.
//!
//! - `mod.rs` lists a local directory in the `Entry` form FTP listings
//!   take (for tree walks and the UI's panes) and computes the digests a
//!   server would, for content checks.
//! - `beneath.rs` opens every local destination path beneath the copy's
//!   root, never through a symbolic link (`openat2` `RESOLVE_BENEATH`).
//! - `partial.rs` is where a download's bytes wait, beside the target as
//!   `.NAME.fxpc-part`, until they verified.

pub(crate) mod beneath;
pub(crate) mod partial;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local};

use crate::ftp::hash::Algorithm;
use crate::ftp::{Entry, EntryKind};

/// A directory's entries. A symlink to a directory lists as a directory
/// (so a pane can enter it) with `link_target` set (so a tree walk can
/// refuse to follow it); other symlinks are `Link`.
pub fn list_local(path: &[u8]) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(os(path))? {
        let entry = entry?;
        let raw_name = entry.file_name().as_bytes().to_vec();
        let meta = std::fs::symlink_metadata(entry.path());
        let link_target = std::fs::read_link(entry.path())
            .ok()
            .map(|t| t.to_string_lossy().into());
        let (kind, size, modified) = match &meta {
            Ok(m) => {
                let ft = m.file_type();
                let followed_dir =
                    ft.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|t| t.is_dir());
                let kind = if ft.is_dir() || followed_dir {
                    EntryKind::Dir
                } else if ft.is_symlink() {
                    EntryKind::Link
                } else if ft.is_file() {
                    EntryKind::File
                } else {
                    EntryKind::Special('?')
                };
                let modified = m
                    .modified()
                    .ok()
                    .map(|t| DateTime::<Local>::from(t).naive_local());
                (kind, ft.is_file().then_some(m.len()), modified)
            }
            Err(_) => (EntryKind::Other("unreadable".into()), None, None),
        };
        let mut listed = Entry::named(&raw_name, kind);
        listed.size = size;
        listed.modified = modified;
        listed.link_target = link_target;
        out.push(listed);
    }
    Ok(out)
}

fn os(path: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(path))
}

/// A local file's digest, read in full (off the async threads).
pub(crate) fn digest(path: &Path, algorithm: Algorithm) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = algorithm.hasher();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}
