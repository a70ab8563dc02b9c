//! Directory listings as the server sends them: `ls -l` lines for `LIST` and
//! `STAT path`, RFC 3659 fact lines for `MLSD`/`MLST`, bare names for `NLST`.

use std::fs::Metadata;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use chrono::{DateTime, Utc};

pub struct Item {
    pub name: Vec<u8>,
    pub meta: Metadata,
    pub link_target: Option<Vec<u8>>,
}

/// The entries of a directory, sorted by name. Names containing CR or LF are
/// left out (and logged): inside a listing they would forge extra entries.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<Item>> {
    let mut items = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().as_bytes().to_vec();
        if name.iter().any(|b| matches!(b, b'\r' | b'\n')) {
            tracing::warn!(
                "not listing {:?}: its name contains a line break",
                entry.path()
            );
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let link_target = meta
            .file_type()
            .is_symlink()
            .then(|| std::fs::read_link(entry.path()).ok())
            .flatten()
            .map(|t| t.as_os_str().as_bytes().to_vec());
        items.push(Item {
            name,
            meta,
            link_target,
        });
    }
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(items)
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
pub fn list_line(item: &Item, now: DateTime<Utc>) -> Vec<u8> {
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
pub fn mlsd_item(item: &Item, writable: bool) -> Vec<u8> {
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
pub fn mlsd_line(name: &[u8], meta: &Metadata, writable: bool) -> Vec<u8> {
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

    #[test]
    fn list_lines_parse_back_with_our_client_parser() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(" lead space.txt"), b"12345").unwrap();
        std::fs::write(dir.path().join("日本語 ü.txt"), b"").unwrap();
        std::fs::create_dir(dir.path().join("sub dir")).unwrap();
        std::fs::write(dir.path().join("evil\r\nname"), b"").unwrap();
        std::os::unix::fs::symlink("sub dir", dir.path().join("link")).unwrap();
        let items = read_dir(dir.path()).unwrap();
        assert_eq!(items.len(), 4, "the name with CR LF is not listed");
        let now = Utc::now();
        let body: Vec<u8> = items.iter().flat_map(|i| list_line(i, now)).collect();
        let parsed = listing::parse_list(&body, now.date_naive());
        let names: Vec<&str> = parsed.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [" lead space.txt", "link", "sub dir", "日本語 ü.txt"]
        );
        assert_eq!(parsed[0].size, Some(5));
        assert_eq!(parsed[1].link_target.as_deref(), Some("sub dir"));
        assert!(parsed[2].is_dir());

        let mlsd: Vec<u8> = items
            .iter()
            .flat_map(|i| {
                let mut l = mlsd_item(i, true);
                l.extend_from_slice(b"\r\n");
                l
            })
            .collect();
        let parsed = listing::parse_mlsd(&mlsd);
        assert_eq!(parsed.len(), 4);
        assert_eq!(parsed[0].name, " lead space.txt");
        assert_eq!(parsed[0].size, Some(5));
        assert_eq!(parsed[1].kind, listing::EntryKind::Link);
        assert_eq!(parsed[1].link_target.as_deref(), Some("sub_dir"));
        assert!(parsed[2].is_dir());
    }
}
