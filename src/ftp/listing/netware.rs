//! Novell NetWare LIST lines:
//! `d [RWCEAFMS] owner                512 Jan 27 11:53 dirname` and
//! `- [R----F--] owner               1024 Jan 27  2025 file.txt`.
//!
//! A type letter, the eight trustee rights in brackets (each letter in its
//! own position or '-'), owner, size, `ls`-style date and the name. The
//! bracket is what no `ls` mode string or DOS date can be. HellSoft's
//! server prints `-[R----F-]  1 owner  167 Oct 25  1998 name`: the type
//! run into seven rights, then a link count.

use chrono::{NaiveDate, NaiveDateTime};

use super::calendar::{infer_year, month_number, parse_day, parse_year};
use super::unix::{parse_time, two_digit_year};
use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8], today: NaiveDate) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    // Some servers run the type into the rights
    // (`-[RWCEAFMS]     smithx  6650 ...`), HellSoft's with a link count
    // before the owner (`-[R----F-]  1 supervis`).
    let is_type = |t: u8| matches!(t, b'd' | b'-');
    let (kind, rights, owner_at) = match tok(0)? {
        [t] if is_type(*t) => (*t, rights(tok(1)?)?, 2),
        // With a link count, the owner is one column further.
        [t, joined @ ..] if is_type(*t) => {
            let at = if parse_u64(tok(1)?).is_some() && tok(3).and_then(parse_u64).is_some() {
                2
            } else {
                1
            };
            (*t, rights(joined)?, at)
        }
        _ => return None,
    };
    let kind = if kind == b'd' {
        EntryKind::Dir
    } else {
        EntryKind::File
    };
    let col = |i: usize| tok(owner_at + i);
    let _owner = col(0)?;
    let size = parse_u64(col(1)?)?;
    let month = month_number(col(2)?)?;
    let day = parse_day(col(3)?)?;
    let when = col(4)?;
    let mut name_at = owner_at + 5;
    let modified = if let Some(year) = parse_year(when) {
        NaiveDate::from_ymd_opt(year, month, day).map(|d| d.and_hms_opt(0, 0, 0))
    } else if let (2, Some(time)) = (when.len(), col(5).and_then(parse_time)) {
        // NetWare 3's `Jun 17 93 12:22`: a two-digit year, then the time.
        name_at += 1;
        let year = two_digit_year(parse_u32(when)?);
        NaiveDate::from_ymd_opt(year, month, day).map(|d| time.map(|t| NaiveDateTime::new(d, t)))
    } else {
        // A time means "within the last year", as with ls.
        let time = parse_time(when)?;
        infer_year(month, day, today).map(|d| time.map(|t| NaiveDateTime::new(d, t)))
    }
    .flatten();
    // Column padding varies and names may hold spaces, so the name is
    // everything from the next non-blank byte.
    let &(name_start, _) = toks.get(name_at)?;

    let is_dir = kind == EntryKind::Dir;
    // NetWare names cannot end in blanks; NetWare 3 pads them.
    let name = line[name_start..].trim_ascii_end();
    let mut entry = Entry::named(name, kind);
    if !is_dir {
        // A directory's 512 is its allocation, not content to transfer.
        entry.size = Some(size);
    }
    entry.modified = modified;
    entry.perm = Some(rights.into());
    Some(entry)
}

/// `[RWCEAFMS]` with '-' for a right not held, letters only in their own
/// slot (NetWare 3 and HellSoft's server print the first seven:
/// `[R----F-]`); kept without the brackets.
fn rights(tok: &[u8]) -> Option<String> {
    let inner = tok.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let valid = (7..=8).contains(&inner.len())
        && inner
            .iter()
            .zip(b"RWCEAFMS")
            .all(|(b, letter)| b == letter || *b == b'-');
    valid.then(|| String::from_utf8_lossy(inner).into_owned())
}

#[cfg(test)]
mod tests {
    use super::super::parse_list;
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn hellsoft_type_run_into_rights() {
        let e = one(b"-[R----F-]  1 supervis      167 Oct 25  1998 anonlogo.txt");
        assert_eq!(
            (e.kind, e.name.as_str(), e.size),
            (EntryKind::File, "anonlogo.txt", Some(167))
        );
        assert_eq!(e.perm.as_deref(), Some("R----F-"));
        let e = one(b"d[R----F-]  1 anonymou      512 Jun 26  2002 pongor");
        assert!(e.is_dir());
        unparsed(&[
            &b"-[R----F-] x supervis 167 Oct 25  1998 no-count"[..],
            b"-[R-----F] 1 s 167 Oct 25  1998 misplaced",
        ]);
    }

    #[test]
    fn netware_3_and_joined_rights() {
        let e = one(b"- [R----F-] supervisor              258 Jun 17 93 12:22 ftpgreet.txt ");
        assert_eq!((e.name.as_str(), e.size), ("ftpgreet.txt", Some(258)));
        assert_eq!(e.modified, at(1993, 6, 17, 12, 22));
        let e = one(b"-[RWCEAFMS]     smithx            6650 Nov 05 12:02 xtmlocal.dat");
        assert_eq!((e.name.as_str(), e.size), ("xtmlocal.dat", Some(6650)));
    }

    #[test]
    fn directory_with_time() {
        let e = one(b"d [RWCEAFMS] owner                512 Jan 27 11:53 dirname");
        assert!(e.is_dir());
        assert_eq!(e.name, "dirname");
        assert_eq!(e.size, None);
        assert_eq!(e.perm.as_deref(), Some("RWCEAFMS"));
        assert_eq!(e.modified, at(2026, 1, 27, 11, 53));
    }

    #[test]
    fn file_with_year() {
        let e = one(b"- [RWCEAFMS] owner  1024 Jan 27  2025 file.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(1024));
        assert_eq!(e.modified, at(2025, 1, 27, 0, 0));
    }

    #[test]
    fn partial_rights_and_recent_time_from_last_year() {
        let e = one(b"- [R----F--] jdoe                 77 Dec 30 08:01 login.exe");
        assert_eq!(e.perm.as_deref(), Some("R----F--"));
        assert_eq!(e.modified, at(2025, 12, 30, 8, 1));
    }

    #[test]
    fn name_keeps_spaces_and_raw_bytes() {
        // Blanks inside are the name's, those NetWare 3 pads it with after
        // are not.
        let e = one(b"- [RW------] a 1 Nov 20 10:00 my  file\xff   ");
        assert_eq!(e.raw_name(), b"my  file\xff");
    }

    #[test]
    fn body_with_dots() {
        let body = b"d [RWCEAFMS] a 512 Nov 20 10:00 .\r\n\
d [RWCEAFMS] a 512 Nov 20 10:00 ..\r\n\
- [RWCEAFMS] a 3 Nov 20 10:00 x\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "x");
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"d [RWCEAFMS] owner 512 Jan 27 11:53"[..],
            b"l [RWCEAFMS] owner 512 Jan 27 11:53 link-type",
            b"d [RWCEAF] owner 512 Jan 27 11:53 six-rights",
            b"d [WRCEAFMS] owner 512 Jan 27 11:53 wrong-order",
            b"d RWCEAFMS owner 512 Jan 27 11:53 no-brackets",
            b"d [RWCEAFMS] 512 Jan 27 11:53 no-owner",
            b"d [RWCEAFMS] owner 5x2 Jan 27 11:53 bad-size",
            b"d [RWCEAFMS] owner 512 Jab 27 11:53 bad-month",
            b"d [RWCEAFMS] owner 512 Jan 32 11:53 bad-day",
            b"d [RWCEAFMS] owner 512 Jan 27 11h53 bad-time",
        ]);
    }

    #[test]
    fn unix_and_dos_lines_are_not_netware() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"drwxr-xr-x 2 u g 4096 Nov 20 10:00 d",
            b"11-20-24  10:00AM       <DIR>          name",
        ] {
            assert!(
                parse(line, today()).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
