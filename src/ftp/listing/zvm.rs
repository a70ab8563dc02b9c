//! IBM z/VM (CMS) LIST lines:
//! `PROFILE  EXEC     V         71          4          1 2007-01-12 13:02:10 MAINT1`
//! and, in a Shared File System, subdirectories:
//! `SOURCES  DIR      -          -          -          - 2026-11-20 09:00:00 -`.
//!
//! File name, file type, record format (`F`/`V`, `-` for a directory),
//! record length, records, blocks, date (`YYYY-MM-DD`, or `MM/DD/YY` from
//! older servers), time, and the minidisk label or owner.
//!
//! # Names
//!
//! A CMS file is named by "file name" and "file type" together; the z/VM
//! FTP server takes them joined by a period (`RETR PROFILE.EXEC`), while
//! the line holds them as two padded columns (`PROFILE  EXEC`). This is
//! the one family whose name is not a run of the line's bytes: it is the
//! line's first two words, as they are, joined by the period the server
//! expects — words of at most eight letters, digits and `$#@+-:_`, so the
//! join is unambiguous. A directory (in a Shared File System) is its file
//! name alone (`CWD SOURCES`).
//!
//! # Sizes
//!
//! CMS counts records, not bytes. A fixed-format file (`F`) is exactly
//! record length × records in a binary transfer. A variable one (`V`)
//! gives only its longest record, so the same product is an upper bound,
//! not its length: approximate, but the listing offers nothing better,
//! and a size shown is what sorting and comparing need.
//!
//! Read only when the server says it is z/VM (SYST or the site's
//! `listing`): nine loosely typed columns are too little to be sure of
//! elsewhere.

use chrono::{NaiveDate, NaiveDateTime};

use super::calendar::{clock, date_of, year_first};
use super::{Entry, EntryKind, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let mut words: Vec<&[u8]> = toks.iter().map(|&(s, e)| &line[s..e]).collect();
    // Minidisk servers leave a directory's file type blank and print `DIR`
    // as its format: `AUTHORS           DIR        -          -          -`.
    if words.len() == 8 && words[1].eq_ignore_ascii_case(b"DIR") && words[2] == b"-" {
        words.insert(2, b"-");
    }
    let [
        name,
        file_type,
        format,
        lrecl,
        records,
        blocks,
        date,
        time,
        _label,
    ] = *words
    else {
        return None;
    };
    if !is_cms_word(name) || !is_cms_word(file_type) {
        return None;
    }
    let is_dir = file_type.eq_ignore_ascii_case(b"DIR") && format == b"-";
    if !is_dir && format != b"F" && format != b"V" {
        return None;
    }
    for count in [lrecl, records, blocks] {
        if count != b"-" {
            parse_u64(count)?;
        }
    }
    let date = parse_date(date)?;
    // `9:16:01`: older servers do not pad the hour.
    let time = match *time {
        [h, b':', ref rest @ ..] => clock(&[&[b'0', h][..], b":", rest].concat())?,
        _ => clock(time)?,
    };
    let mut entry = if is_dir {
        Entry::named(name, EntryKind::Dir)
    } else {
        let file_id = [name, b".", file_type].concat();
        let mut entry = Entry::named(&file_id, EntryKind::File);
        entry.size = parse_u64(lrecl)?.checked_mul(parse_u64(records)?);
        entry
    };
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    Some(entry)
}

/// File names and types: letters, digits and `$#@+-:_`. CMS allows eight
/// of them, but servers fronting other file systems print longer ones
/// (`70-ZVMFILE`); without a period in either word the join stays
/// unambiguous.
fn is_cms_word(tok: &[u8]) -> bool {
    (1..=64).contains(&tok.len())
        && tok
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"$#@+-:_".contains(b))
}

/// `2007-01-12`, or `1/12/07` / `01/12/2007`; the inner Option is None for
/// impossible dates.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    if let Some(date) = year_first(tok, b'-') {
        return Some(date);
    }
    let mut parts = tok.split(|&b| b == b'/');
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return None;
    }
    date_of(year, month, day, 70)
}

#[cfg(test)]
mod tests {
    use super::super::ListingStyle;
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[track_caller]
    fn zvm(line: &[u8]) -> Entry {
        one_as(line, ListingStyle::Zvm)
    }

    #[test]
    fn sfs_directory() {
        let e = zvm(b"SOURCES  DIR      -          -          -          - 2026-11-20 09:00:00 -");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"SOURCES");
        assert_eq!(e.modified, at(2026, 11, 20, 9, 0));
        let e = zvm(b"OLD      DIR      -          0          0          0  1/12/07 13:02 -");
        assert_eq!(e.modified, at(2007, 1, 12, 13, 2));
    }

    #[test]
    fn files_are_named_as_the_server_takes_them() {
        let e =
            zvm(b"PROFILE  EXEC     V         71          4          1 2007-01-12 13:02:10 MAINT1");
        assert_eq!(
            (e.kind.clone(), e.raw_name()),
            (EntryKind::File, &b"PROFILE.EXEC"[..])
        );
        assert_eq!(
            e.size,
            Some(71 * 4),
            "variable records: at most length x count"
        );
        assert_eq!(e.modified, at_s(2007, 1, 12, 13, 2, 10));
        let e =
            zvm(b"DATA     FILE     F         80        100         2 2026-11-20 09:00:00 MAINT1");
        assert_eq!(e.raw_name(), b"DATA.FILE");
        assert_eq!(e.size, Some(8000), "fixed records: length x count");
    }

    #[test]
    fn minidisk_directories_and_unpadded_hours() {
        let e = zvm(b"AUTHORS           DIR        -          -          - 1999-09-20 10:31:11 -");
        assert_eq!(
            (e.kind.clone(), e.raw_name()),
            (EntryKind::Dir, &b"AUTHORS"[..])
        );
        let e = zvm(b"JIMTEST           DIR        -          -          -  4/12/94  9:16:01 -");
        assert_eq!(e.modified, at_s(1994, 4, 12, 9, 16, 1));
    }

    #[test]
    fn names_longer_than_cms_ones() {
        let e =
            zvm(b"70-ZVMFILE  TRACE   V        65      107        2 2005-10-04 15:28:42 060191");
        assert_eq!(e.raw_name(), b"70-ZVMFILE.TRACE");
        assert_eq!(e.size, Some(65 * 107));
    }

    #[test]
    fn not_read_without_the_hint() {
        let line = b"SOURCES  DIR      -          -          -          - 2026-11-20 09:00:00 -";
        assert_eq!(one(line).kind, EntryKind::Unparsed);
    }

    #[test]
    fn near_misses_are_unparsed() {
        for line in [
            &b"SOURCES DIR - - - - 2026-11-20 09:00:00"[..],
            b"SOURCES DIR F - - - 2026-11-20 09:00:00 -",
            b"SOURCES DIR - x - - 2026-11-20 09:00:00 -",
            b"SOURCES DIR - - - - 2026/11/20/1 09:00:00 -",
            b"SOURCES DIR - - - - 2026-11-20 9h -",
            b"SOURCES.X DIR - - - - 2026-11-20 09:00:00 -",
        ] {
            assert_eq!(
                zvm(line).kind,
                EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
