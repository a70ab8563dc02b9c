//! VanDyke VShell. Its current listings are `ls -l` as `unix.rs` reads it:
//! the current servers print names for owner and group
//! (`drwxr-xr-x    1 user     group           0 Mar 21  2002 dir`), the
//! old Windows ones the numeric ids they invent for Windows accounts
//! (`-rwxr-xr-x   1      500       500  6732 Aug  5 12:11 name`), with
//! the same padding for any width.
//!
//! Its oldest servers print the size, `Apr 04, 2000 21:06` and the name,
//! a directory's with a `/` after it: read here. A size first then a
//! month name is a shape no other family has (OS/2 and VxWorks have
//! numeric dates there).

use chrono::NaiveDateTime;

use super::calendar::{month_number, parse_day, parse_hour_minute, parse_year};
use super::{Entry, EntryKind, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);
    let size = parse_u64(tok(0)?)?;
    let month = month_number(tok(1)?)?;
    let day = parse_day(tok(2)?.strip_suffix(b",")?)?;
    let year = parse_year(tok(3)?)?;
    let time = parse_hour_minute(tok(4)?)?;
    let &(name_start, _) = toks.get(5)?;
    let name = &line[name_start..];
    let (kind, name) = match name.strip_suffix(b"/") {
        Some(b"") => return None,
        Some(dir) => (EntryKind::Dir, dir),
        None => (EntryKind::File, name),
    };
    let mut entry = Entry::named(name, kind);
    if entry.kind == EntryKind::File {
        // Directories show 0, which is no size at all.
        entry.size = Some(size);
    }
    entry.modified = chrono::NaiveDate::from_ymd_opt(year, month, day)
        .zip(time)
        .map(|(d, t)| NaiveDateTime::new(d, t));
    Some(entry)
}

#[cfg(test)]
mod tests {
    use crate::ftp::listing::EntryKind;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn oldest_vshell() {
        let e = one(b"206876  Apr 04, 2000 21:06 21-vshell-old file");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "21-vshell-old file");
        assert_eq!(e.size, Some(206_876));
        assert_eq!(e.modified, at(2000, 4, 4, 21, 6));
        let e = one(b"0  Dec 12, 2002 02:13 22-vshell-old dir/");
        assert!(e.is_dir());
        assert_eq!(e.name, "22-vshell-old dir");
        assert_eq!(e.size, None);
        unparsed(&[
            &b"12  Apr 04 2000 21:06 no comma"[..],
            b"12  Apr 04, 2000 /",
        ]);
    }

    #[test]
    fn current_vshell() {
        let e = one(b"drwxr-xr-x    1 user     group           0 Mar 21  2002 dir");
        assert!(e.is_dir());
        assert_eq!(e.name, "dir");
        assert_eq!(e.modified, at(2002, 3, 21, 0, 0));
        let e = one(b"-rw-r--r--    1 jdoe     Domain Users  4096 Nov 20 08:30 report 2026.xlsx");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "report 2026.xlsx");
        assert_eq!(e.size, Some(4096));
    }

    #[test]
    fn old_windows_vshell() {
        let e = one(b"-rwxr-xr-x   1      500       500  6732 Aug  5 12:11 name");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "name");
        assert_eq!(e.size, Some(6732));
        assert_eq!(e.modified, at(2026, 8, 5, 12, 11));
        let e = one(b"drwxr-xr-x   1      500       500     0 Dec 31  1999 Program Files");
        assert!(e.is_dir());
        assert_eq!(e.name, "Program Files");
    }
}
