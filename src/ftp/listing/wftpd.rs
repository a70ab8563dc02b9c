//! WFTPD (Texas Imperial Software's Windows server) and its kin.
//!
//! WFTPD's usual listing imitates `ls -l` with invented owners
//! (`-rwxrwxrwx   1 noone    nogroup      322 Aug 19  1996 message.ftp`),
//! which `unix.rs` reads; the tests below keep it that way. Its DOS-style
//! listing, shared with other Windows servers of the time (SuperTCP,
//! NetManage's), puts the name first:
//! `MESSAGE.FTP        322  08-19-96  14:18` and
//! `PUB              <DIR>  08-19-96  14:18`. That shape is read here:
//! name, size or `<DIR>`, `MM-DD-YY` (or `/`, or a four-digit year) and
//! `HH:MM` with an optional AM/PM. The wfFtp server of Nortel switches
//! prints `HH:MM:SS` after a weekday: `FILE  1014196  06/03/04  Thur.
//! 10:20:03`. A name with blanks cannot be told from
//! the columns, so the line must have exactly these columns; DOS lines
//! start with the date, and no other family puts a bare date after a size.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::calendar::{self, date_of};
use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let name = tok(0)?;
    let size = match tok(1)? {
        b"<DIR>" => None,
        digits => Some(parse_u64(digits)?),
    };
    let date = parse_date(tok(2)?)?;
    let (time, columns) = match (tok(3).and_then(parse_time), tok(4)) {
        (Some(time), None) => (time, 4),
        // The Nortel switches' wfFtp: `06/03/04  Thur.   10:20:03`.
        (None, Some(clock)) if tok(3).is_some_and(is_weekday) => {
            (calendar::clock_with_seconds(clock)?, 5)
        }
        _ => {
            // `2:18 PM`: the marker as a column of its own.
            let clock = tok(3)?;
            let marker = tok(4)?;
            let mut joined = clock.to_vec();
            joined.extend_from_slice(marker);
            (parse_time(&joined)?, 5)
        }
    };
    if toks.len() != columns {
        return None;
    }
    let mut entry = Entry::named(
        name,
        if size.is_none() {
            EntryKind::Dir
        } else {
            EntryKind::File
        },
    );
    entry.size = size;
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    Some(entry)
}

/// `Mon.` … `Sun.`, and `Tues.`, `Thur.`: a weekday with its dot.
fn is_weekday(tok: &[u8]) -> bool {
    const DAYS: [&[u8]; 9] = [
        b"mon", b"tue", b"tues", b"wed", b"thu", b"thur", b"fri", b"sat", b"sun",
    ];
    tok.strip_suffix(b".")
        .is_some_and(|day| DAYS.iter().any(|d| d.eq_ignore_ascii_case(day)))
}

/// `08-19-96`, `08/19/96`, `08-19-1996`; the inner Option is None for
/// impossible dates.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    let sep = *tok.get(2)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let mut parts = tok.split(|&b| b == sep);
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || month.len() != 2 || day.len() != 2 {
        return None;
    }
    // The DOS convention: 80-99 is 19xx.
    date_of(year, month, day, 80)
}

/// `14:18`, `2:18PM`, `2:18p`; the inner Option is None for impossible
/// times.
fn parse_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let digits_end = tok
        .iter()
        .position(|b| b.is_ascii_alphabetic())
        .unwrap_or(tok.len());
    let (clock, marker) = tok.split_at(digits_end);
    let colon = clock.iter().position(|&b| b == b':')?;
    let (hour, minute) = (&clock[..colon], &clock[colon + 1..]);
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 {
        return None;
    }
    let (mut hour, minute) = (parse_u32(hour)?, parse_u32(minute)?);
    let pm = match marker.to_ascii_uppercase().as_slice() {
        b"" => None,
        b"A" | b"AM" => Some(false),
        b"P" | b"PM" => Some(true),
        _ => return None,
    };
    if let Some(pm) = pm {
        if !(1..=12).contains(&hour) {
            return Some(None);
        }
        hour = hour % 12 + if pm { 12 } else { 0 };
    }
    Some(NaiveTime::from_hms_opt(hour, minute, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn unix_style_listing_is_read_by_unix() {
        let e = one(b"-rwxrwxrwx   1 noone    nogroup      322 Aug 19  1996 message.ftp");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "message.ftp");
        assert_eq!(e.size, Some(322));
        assert_eq!(e.modified, at(1996, 8, 19, 0, 0));
        let e = one(b"drwxrwxrwx   1 noone    nogroup        0 Nov 20 14:18 pub");
        assert!(e.is_dir());
        assert_eq!(e.name, "pub");
    }

    #[test]
    fn name_first_file() {
        let e = one(b"MESSAGE.FTP        322  08-19-96  14:18");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "MESSAGE.FTP");
        assert_eq!(e.size, Some(322));
        assert_eq!(e.modified, at(1996, 8, 19, 14, 18));
    }

    #[test]
    fn name_first_directory() {
        let e = one(b"PUB              <DIR>  11/20/2026  2:18 PM");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"PUB");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(2026, 11, 20, 14, 18));
        let e = one(b"INCOMING <DIR> 11-20-26 12:05a");
        assert_eq!(e.modified, at(2026, 11, 20, 0, 5));
    }

    #[test]
    fn impossible_date_keeps_entry() {
        let e = one(b"ODD.TXT 1 02-30-96 14:18");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"TWO WORDS 322 08-19-96 14:18"[..],
            b"MESSAGE.FTP 322 08-19-96 14:18 extra",
            b"MESSAGE.FTP 3,22 08-19-96 14:18",
            b"MESSAGE.FTP 322 1996-08-19 14:18",
            b"MESSAGE.FTP 322 08-19-96 14h18",
            b"MESSAGE.FTP 322 08-19-96 2:18 XM",
            b"MESSAGE.FTP 322 08-19-96",
            b"MESSAGE.FTP 322 06/03/04 Thur 10:20:03",
            b"MESSAGE.FTP 322 06/03/04 Foo. 10:20:03",
            b"MESSAGE.FTP 322 06/03/04 Thur. 10:20",
        ]);
    }

    #[test]
    fn nortel_wfftp() {
        let e = one(b"48-nortel-wfftp-file       1014196  06/03/04  Thur.   10:20:03");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(
            (e.name.as_str(), e.size),
            ("48-nortel-wfftp-file", Some(1_014_196))
        );
        assert_eq!(e.modified, at_s(2004, 6, 3, 10, 20, 3));
    }

    #[test]
    fn other_families_are_not_name_first() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"11-20-24  10:00AM       <DIR>          name",
            b"     0           DIR   12-20-95  15:14  OS2DIR",
            b"  512  JAN-08-2002  13:27:58   docs  <DIR>",
        ] {
            assert!(parse(line).is_none(), "{:?}", String::from_utf8_lossy(line));
        }
    }
}
