//! OS/2 (IBM TCP/IP ftpd) LIST lines:
//! `      345614      A          08-11-26   11:37  file.zip` and
//! `           0           DIR   08-11-26   11:37  pub`.
//!
//! Size first, then attribute letters and the `DIR` marker (each optional),
//! an `MM-DD-YY` date (`MM-DD-1YY` after 1999 on some servers), an `HH:MM` time and the name. A leading bare number
//! is something neither `ls` (mode string) nor DOS (date) starts with.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use compact_str::CompactString;

use super::calendar::date_of;
use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let size = parse_u64(tok(0)?)?;
    let mut next = 1;
    let (mut dir, mut attrs) = (false, None);
    // At most one attribute group and one DIR marker, in either order: more
    // would be columns this format does not have.
    for _ in 0..2 {
        match tok(next)? {
            b"DIR" if !dir => dir = true,
            t if attrs.is_none() && is_attributes(t) => attrs = Some(t),
            _ => break,
        }
        next += 1;
    }
    let date = parse_date(tok(next)?)?;
    let time = parse_time(tok(next + 1)?)?;
    // Names may hold spaces, and HPFS names cannot start with one, so the
    // name is everything from the next non-blank byte.
    let &(name_start, _) = toks.get(next + 2)?;

    let kind = if dir { EntryKind::Dir } else { EntryKind::File };
    let mut entry = Entry::named(&line[name_start..], kind);
    if !dir {
        // Directories always show 0, which is no size at all.
        entry.size = Some(size);
    }
    entry.modified = date.map(|d| NaiveDateTime::new(d, time));
    entry.perm = attrs.map(CompactString::from_utf8_lossy);
    Some(entry)
}

/// The FAT/HPFS attribute letters: Archive, Hidden, Read-only, System,
/// each at most once.
fn is_attributes(tok: &[u8]) -> bool {
    !tok.is_empty()
        && tok.len() <= 4
        && tok
            .iter()
            .enumerate()
            .all(|(i, b)| matches!(b, b'A' | b'H' | b'R' | b'S') && !tok[..i].contains(b))
}

/// `MM-DD-YY`, exactly. The outer Option says whether it looks like a
/// date; the inner one whether it is a real one, since an impossible date
/// still leaves the line an OS/2 one.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    match *tok {
        // The usual FTP-client pivot: OS/2 predates 1970 dates being useful.
        [m1, m2, b'-', d1, d2, b'-', y1, y2] => date_of(&[y1, y2], &[m1, m2], &[d1, d2], 70),
        // Servers that print the year as years since 1900, as C's `tm_year`
        // holds it: `04-23-103` is 2003.
        [m1, m2, b'-', d1, d2, b'-', b'1', y2, y3] => {
            date_of(&[b'2', b'0', y2, y3], &[m1, m2], &[d1, d2], 70)
        }
        _ => None,
    }
}

/// 24-hour `HH:MM`; unlike DOS there is no AM/PM form to allow for.
fn parse_time(tok: &[u8]) -> Option<NaiveTime> {
    let colon = tok.iter().position(|&b| b == b':')?;
    let (hour, minute) = (&tok[..colon], &tok[colon + 1..]);
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(parse_u32(hour)?, parse_u32(minute)?, 0)
}

#[cfg(test)]
mod tests {
    use super::super::parse_list;
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn directory() {
        let e = one(b"           0           DIR   08-11-26   11:37  pub");
        assert!(e.is_dir());
        assert_eq!(e.name, "pub");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(2026, 8, 11, 11, 37));
    }

    #[test]
    fn file_with_attribute() {
        let e = one(b"      345614      A          08-11-26   11:37  file.zip");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "file.zip");
        assert_eq!(e.size, Some(345614));
        assert_eq!(e.perm.as_deref(), Some("A"));
    }

    #[test]
    fn file_without_attributes_and_old_year() {
        let e = one(b"        1024                 12-31-95   09:05  CONFIG.SYS");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.perm, None);
        assert_eq!(e.modified, at(1995, 12, 31, 9, 5));
    }

    #[test]
    fn attributes_with_dir_marker() {
        let e = one(b"           0     HS    DIR   01-02-03   23:59  Hidden Dir");
        assert!(e.is_dir());
        assert_eq!(e.perm.as_deref(), Some("HS"));
        assert_eq!(e.name, "Hidden Dir");
    }

    #[test]
    fn name_keeps_inner_spaces_and_raw_bytes() {
        let e = one(b"          12      A          08-11-26   11:37  My  Notes\xff.txt ");
        assert_eq!(e.raw_name(), b"My  Notes\xff.txt ");
    }

    #[test]
    fn impossible_date_keeps_entry() {
        let e = one(b"           5      A          13-40-26   11:37  odd");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn body_with_dots() {
        let body = b"           0           DIR   08-11-26   11:37  .\r\n\
           0           DIR   08-11-26   11:37  ..\r\n\
           3      A          08-11-26   11:37  x\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "x");
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"           0           DIR   08-11-26   11:37"[..],
            b"           0           DIR   08/11/26   11:37  slashes",
            b"           0           DIR   08-11-2026 11:37  long-year",
            b"           0           DIR   08-11-26   11:37AM  meridiem",
            b"           0      AA         08-11-26   11:37  repeated-attr",
            b"           0      X          08-11-26   11:37  unknown-attr",
            b"           0  DIR DIR        08-11-26   11:37  two-markers",
            b"          1,024   A          08-11-26   11:37  commas",
            b"          +5      A          08-11-26   11:37  plus",
            b"      file.zip    A          08-11-26   11:37  no-size",
            b"  1123      A    07-14-203  12:37  not-from-1900",
            b"  1123      A    07-14-1003 12:37  four-and-one",
        ]);
    }

    #[test]
    fn years_counted_from_1900() {
        let e = one(b"36611      A    04-23-103  10:57  24-os2 file");
        assert_eq!((e.name.as_str(), e.size), ("24-os2 file", Some(36611)));
        assert_eq!(e.modified, at(2003, 4, 23, 10, 57));
        let e = one(b"    0 DIR       02-11-103  16:15  26-os2 dir");
        assert!(e.is_dir());
        assert_eq!(e.modified, at(2003, 2, 11, 16, 15));
    }

    #[test]
    fn unix_and_dos_lines_are_not_os2() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"11-20-24  10:00AM       <DIR>          name",
            b"11-20-2024  22:00             1,234 name",
        ] {
            assert!(parse(line).is_none(), "{:?}", String::from_utf8_lossy(line));
        }
    }
}
