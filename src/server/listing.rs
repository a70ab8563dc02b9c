//! Directory listings as the server sends them: `ls -l` lines for `LIST` and
//! `STAT path`, RFC 3659 fact lines for `MLSD`/`MLST`, bare names for `NLST`.

use std::fs::Metadata;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use chrono::{DateTime, Utc};

pub(crate) struct Item {
    pub(crate) name: Vec<u8>,
    pub(crate) meta: Metadata,
    pub(crate) link_target: Option<Vec<u8>>,
}

/// How a listing's entries are written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Format {
    /// `ls -l` lines (`LIST`, `STAT path`).
    List(DateTime<Utc>),
    /// Bare names (`NLST`).
    Names,
    /// RFC 3659 fact lines (`MLSD`); whether the client may write.
    Facts(bool),
}

/// Entries per chunk: a few KiB of text.
const CHUNK: usize = 128;

/// A listing written a chunk at a time, read from the directory as the
/// client takes it: a client that reads slowly holds a few KiB, not the
/// whole listing. 60 clients sending `STAT` on a 30,000-entry directory
/// and never reading took the server from 10 MB to 471 MB when listings
/// were built whole, 147 MB when only the names were held, 22 MB now.
/// Entries come in the directory's order, not sorted: sorting would mean
/// holding them all.
pub(crate) struct Listing {
    /// The directory, open (its entries are looked at through it even if
    /// it is renamed meanwhile), and its entries still to come.
    dir: Option<(std::fs::File, std::path::PathBuf, std::fs::ReadDir)>,
    /// `LIST` of one file: its only entry.
    single: Option<Item>,
    format: Format,
}

impl Listing {
    /// The entries of `dir`, an open directory reached through `path`.
    pub(crate) fn of_dir(
        dir: std::fs::File,
        path: std::path::PathBuf,
        format: Format,
    ) -> std::io::Result<Listing> {
        let entries = std::fs::read_dir(&path)?;
        Ok(Listing {
            dir: Some((dir, path, entries)),
            single: None,
            format,
        })
    }

    /// A listing of one entry (`LIST file`).
    pub(crate) fn of_item(item: Item, format: Format) -> Listing {
        Listing {
            dir: None,
            single: Some(item),
            format,
        }
    }

    /// The next lines (CR LF ended), or `None` at the end. Names
    /// containing CR or LF are left out (and logged): inside a listing
    /// they would forge extra entries. Blocking: call it off the async
    /// workers.
    pub(crate) fn next_chunk(&mut self) -> Option<Vec<u8>> {
        if let Some(item) = self.single.take() {
            return Some(self.line(&item));
        }
        let format = self.format;
        let (_, path, entries) = self.dir.as_mut()?;
        let mut out = Vec::new();
        let mut listed = 0;
        while listed < CHUNK {
            let Some(entry) = entries.next() else {
                break;
            };
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().as_bytes().to_vec();
            if super::vfs::is_hidden(&name) {
                continue;
            }
            if name.iter().any(|b| matches!(b, b'\r' | b'\n')) {
                tracing::warn!(
                    "not listing {:?}: its name contains a line break",
                    String::from_utf8_lossy(&name)
                );
                continue;
            }
            let at = path.join(std::ffi::OsStr::from_bytes(&name));
            // Gone meanwhile: not listed.
            let Ok(meta) = std::fs::symlink_metadata(&at) else {
                continue;
            };
            let link_target = meta
                .file_type()
                .is_symlink()
                .then(|| std::fs::read_link(&at).ok())
                .flatten()
                .map(|t| t.as_os_str().as_bytes().to_vec());
            out.extend(line(
                format,
                &Item {
                    name,
                    meta,
                    link_target,
                },
            ));
            listed += 1;
        }
        if listed == 0 {
            self.dir = None;
            return None;
        }
        Some(out)
    }

    fn line(&self, item: &Item) -> Vec<u8> {
        line(self.format, item)
    }
}

/// One entry's line, CR LF ended.
fn line(format: Format, item: &Item) -> Vec<u8> {
    match format {
        Format::List(now) => list_line(item, now),
        Format::Names => [item.name.as_slice(), b"\r\n"].concat(),
        Format::Facts(writable) => [mlsd_item(item, writable), b"\r\n".to_vec()].concat(),
    }
}

fn mode_string(meta: &Metadata) -> String {
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        'd'
    } else if ft.is_symlink() {
        'l'
    } else if ft.is_file() {
        '-'
    } else {
        's'
    };
    let mode = meta.permissions().mode();
    let mut s = String::with_capacity(10);
    s.push(kind);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

fn modified(meta: &Metadata) -> DateTime<Utc> {
    DateTime::from_timestamp(meta.mtime(), 0).unwrap_or_default()
}

/// One `ls -l` line, as vsftpd writes it (times in UTC; the year replaces
/// the time for files older than six months or in the future).
pub(crate) fn list_line(item: &Item, now: DateTime<Utc>) -> Vec<u8> {
    let time = modified(&item.meta);
    let recent =
        time <= now + chrono::Duration::days(1) && now - time < chrono::Duration::days(182);
    let when = if recent {
        time.format("%b %d %H:%M").to_string()
    } else {
        time.format("%b %d  %Y").to_string()
    };
    let mut line = format!(
        "{} {:>3} ftp      ftp      {:>12} {} ",
        mode_string(&item.meta),
        item.meta.nlink(),
        item.meta.len(),
        when
    )
    .into_bytes();
    line.extend_from_slice(&item.name);
    if let Some(target) = &item.link_target {
        line.extend_from_slice(b" -> ");
        line.extend_from_slice(target);
    }
    line.extend_from_slice(b"\r\n");
    line
}

/// An MLSD line for a directory entry. A symlink says so, with its target
/// (`type=OS.unix=slink:target`, as ProFTPD writes it), rather than
/// passing for what it points at: a tree copy must not follow it blindly.
pub(crate) fn mlsd_item(item: &Item, writable: bool) -> Vec<u8> {
    match &item.link_target {
        Some(target) => {
            let mut line = format!(
                "type=OS.unix=slink:{};modify={};perm=;unique={:x}U{:x}; ",
                String::from_utf8_lossy(target).replace([';', ' '], "_"),
                modified(&item.meta).format("%Y%m%d%H%M%S"),
                item.meta.dev(),
                item.meta.ino()
            )
            .into_bytes();
            line.extend_from_slice(&item.name);
            line
        }
        None => mlsd_line(&item.name, &item.meta, writable),
    }
}

/// RFC 3659 facts, then a space and the name. `writable` decides which
/// `perm` letters we promise.
pub(crate) fn mlsd_line(name: &[u8], meta: &Metadata, writable: bool) -> Vec<u8> {
    let ft = meta.file_type();
    let (kind, perm) = if ft.is_dir() {
        ("dir", if writable { "elcmpdf" } else { "el" })
    } else if ft.is_file() {
        ("file", if writable { "radfw" } else { "r" })
    } else if ft.is_symlink() {
        ("OS.unix=symlink", "")
    } else {
        ("OS.unix=special", "")
    };
    let mut line = format!("type={kind};");
    if ft.is_file() {
        line.push_str(&format!("size={};", meta.len()));
    }
    line.push_str(&format!(
        "modify={};perm={perm};unique={:x}U{:x};UNIX.mode=0{:o}; ",
        modified(meta).format("%Y%m%d%H%M%S"),
        meta.dev(),
        meta.ino(),
        meta.permissions().mode() & 0o7777
    ));
    let mut line = line.into_bytes();
    line.extend_from_slice(name);
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::listing;

    /// Every chunk of a directory's listing, joined.
    fn whole(dir: &std::path::Path, format: Format) -> Vec<u8> {
        let file = std::fs::File::open(dir).unwrap();
        let mut l = Listing::of_dir(file, dir.to_path_buf(), format).unwrap();
        let mut body = Vec::new();
        while let Some(chunk) = l.next_chunk() {
            body.extend(chunk);
        }
        body
    }

    #[test]
    fn large_directories_come_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..1000 {
            std::fs::write(dir.path().join(format!("f{i:04}")), b"").unwrap();
        }
        let file = std::fs::File::open(dir.path()).unwrap();
        let mut l = Listing::of_dir(file, dir.path().to_path_buf(), Format::Names).unwrap();
        let mut chunks = 0;
        let mut names = Vec::new();
        while let Some(chunk) = l.next_chunk() {
            chunks += 1;
            assert!(chunk.len() < 16 * 1024);
            names.extend(
                chunk
                    .split(|&b| b == b'\n')
                    .filter(|n| !n.is_empty())
                    .map(|n| n.to_vec()),
            );
        }
        assert!(chunks > 5, "{chunks}");
        names.sort();
        let expected: Vec<Vec<u8>> = (0..1000)
            .map(|i| format!("f{i:04}\r").into_bytes())
            .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn list_lines_parse_back_with_our_client_parser() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(" lead space.txt"), b"12345").unwrap();
        std::fs::write(dir.path().join("日本語 ü.txt"), b"").unwrap();
        std::fs::create_dir(dir.path().join("sub dir")).unwrap();
        std::fs::write(dir.path().join("evil\r\nname"), b"").unwrap();
        std::os::unix::fs::symlink("sub dir", dir.path().join("link")).unwrap();
        let now = Utc::now();
        let body = whole(dir.path(), Format::List(now));
        let mut parsed = listing::parse_list(&body, now.date_naive());
        parsed.sort_by(|a, b| a.name.cmp(&b.name));
        let names: Vec<&str> = parsed.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [" lead space.txt", "link", "sub dir", "日本語 ü.txt"]
        );
        assert_eq!(parsed[0].size, Some(5));
        assert_eq!(parsed[1].link_target.as_deref(), Some("sub dir"));
        assert!(parsed[2].is_dir());

        assert_eq!(parsed.len(), 4, "the name with CR LF is not listed");
        let mlsd = whole(dir.path(), Format::Facts(true));
        let mut parsed = listing::parse_mlsd(&mlsd);
        parsed.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(parsed.len(), 4);
        assert_eq!(parsed[0].name, " lead space.txt");
        assert_eq!(parsed[0].size, Some(5));
        assert_eq!(parsed[1].kind, listing::EntryKind::Link);
        assert_eq!(parsed[1].link_target.as_deref(), Some("sub_dir"));
        assert!(parsed[2].is_dir());
    }
}
