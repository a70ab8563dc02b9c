//! IBM i (AS/400) LIST lines:
//! `QSYS            77824 11/20/26 11:12:13 *DIR       QSYS.LIB/`,
//! `OWNER            1234 11/20/26 11:12:13 *STMF      file.txt`, and the
//! members of a database file, printed with the type and name only:
//! `                                         *MEM       LIB.LIB/F.FILE/M.MBR`.
//!
//! Owner, size, `MM/DD/YY`, `HH:MM:SS` and an object type starting with
//! '*': a size in the second column and a '*' type after the time are
//! what neither `ls` nor DOS print.

use chrono::{NaiveDate, NaiveDateTime};

use super::calendar::{clock_with_seconds, date_of};
use super::{Entry, EntryKind, lossy, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    // A member has no size or date of its own on the line, and its owner
    // only on some servers (`QSYS   *MEM   LIB.FILE/MBR.MBR`).
    let member_at = match (tok(0)?, tok(1)) {
        (b"*MEM", _) => Some(1),
        (_, Some(b"*MEM")) => Some(2),
        _ => None,
    };
    if let Some(at) = member_at {
        let &(name_start, _) = toks.get(at)?;
        return entry(&line[name_start..], b"*MEM");
    }
    let _owner = tok(0)?;
    let size = parse_u64(tok(1)?)?;
    let date = parse_date(tok(2)?)?;
    let time = clock_with_seconds(tok(3)?)?;
    let object_type = tok(4).filter(|t| is_object_type(t))?;
    // Names (stream files in the IFS) may hold spaces; the type column is
    // padded, so the name starts at the next non-blank byte.
    let &(name_start, _) = toks.get(5)?;

    let mut entry = entry(&line[name_start..], object_type)?;
    if entry.kind != EntryKind::Dir {
        entry.size = Some(size);
    }
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    Some(entry)
}

fn entry(name: &[u8], object_type: &[u8]) -> Option<Entry> {
    // A trailing '/' is how the server marks something CWD can enter (a
    // library, a database file holding members); CWD takes the name
    // without it.
    let (kind, name) = match name.strip_suffix(b"/") {
        // A bare "/" names nothing a client could enter.
        Some(b"") => return None,
        Some(dir) => (EntryKind::Dir, dir),
        None => match object_type {
            b"*DIR" => (EntryKind::Dir, name),
            // Stream files, members, and database files and documents read
            // whole: all retrievable.
            b"*STMF" | b"*MEM" | b"*FILE" | b"*DOC" => (EntryKind::File, name),
            // Programs, libraries, queues...: kept, but not offered as files.
            other => (EntryKind::Other(lossy(other)), name),
        },
    };
    Some(Entry::named(name, kind))
}

/// `*` then upper-case letters and digits, as the system spells its types.
fn is_object_type(tok: &[u8]) -> bool {
    matches!(tok, [b'*', rest @ ..] if (1..=10).contains(&rest.len())
        && rest.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// `MM/DD/YY` or `DD.MM.YY`, exactly; the inner Option is None for impossible dates,
/// which still leave the line an AS/400 one.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    // The system's own two-digit-year window: 40-99 is 19xx.
    match *tok {
        [m1, m2, b'/', d1, d2, b'/', y1, y2] => date_of(&[y1, y2], &[m1, m2], &[d1, d2], 40),
        // A job's date format set to DMY with dots: `18.09.06`.
        [d1, d2, b'.', m1, m2, b'.', y1, y2] => date_of(&[y1, y2], &[m1, m2], &[d1, d2], 40),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ListLine, parse_list_line};
    use super::*;
    use crate::ftp::listing::fixtures::*;
    use compact_str::CompactString;

    #[test]
    fn library_with_slash() {
        let e = one(b"QSYS            77824 11/20/26 11:12:13 *DIR       QSYS.LIB/");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"QSYS.LIB");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at_s(2026, 11, 20, 11, 12, 13));
    }

    #[test]
    fn dir_type_without_slash() {
        let e = one(b"JDOE             8192 01/02/98 00:00:00 *DIR       home");
        assert!(e.is_dir());
        assert_eq!(e.name, "home");
        assert_eq!(e.modified, at_s(1998, 1, 2, 0, 0, 0));
    }

    #[test]
    fn stream_file() {
        let e = one(b"OWNER            1234 11/20/26 11:12:13 *STMF      file.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(1234));
        assert_eq!(e.name, "file.txt");
    }

    #[test]
    fn database_file_with_and_without_slash() {
        let e = one(b"QPGMR           36864 11/20/26 11:12:13 *FILE      MYLIB.LIB/SRC.FILE/");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"MYLIB.LIB/SRC.FILE");
        let e = one(b"QPGMR           36864 11/20/26 11:12:13 *FILE      DATA");
        assert_eq!(e.kind, EntryKind::File);
    }

    #[test]
    fn members() {
        let e = one(b"                                        *MEM       MYLIB.LIB/SRC.FILE/A.MBR");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "MYLIB.LIB/SRC.FILE/A.MBR");
        assert_eq!(e.size, None);
        let e = one(b"QPGMR  512 11/20/26 11:12:13 *MEM       SRC.FILE/B.MBR");
        assert_eq!(e.size, Some(512));
    }

    #[test]
    fn other_object_types() {
        let e = one(b"QSYS  4096 11/20/26 11:12:13 *PGM       QSYS.LIB/X.PGM");
        assert_eq!(e.kind, EntryKind::Other(CompactString::from("*PGM")));
    }

    #[test]
    fn name_keeps_spaces_and_raw_bytes() {
        let e = one(b"OWNER 1 11/20/26 11:12:13 *STMF  my  file\xff.txt");
        assert_eq!(e.raw_name(), b"my  file\xff.txt");
    }

    #[test]
    fn dot_directories_are_skipped() {
        for line in [
            &b"QSYS 0 11/20/26 11:12:13 *DIR       ./"[..],
            b"QSYS 0 11/20/26 11:12:13 *DIR       ../",
        ] {
            assert_eq!(parse_list_line(line, today()), ListLine::Skip);
        }
    }

    #[test]
    fn impossible_date_keeps_entry() {
        let e = one(b"OWNER 1 13/45/26 11:12:13 *STMF  odd");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"OWNER 1234 11/20/26 11:12:13 *STMF"[..],
            b"OWNER 1234 11/20/26 11:12 *STMF no-seconds",
            b"OWNER 1234 11-20-26 11:12:13 *STMF dashes",
            b"OWNER 1234 11/20/2026 11:12:13 *STMF long-year",
            b"OWNER 1,234 11/20/26 11:12:13 *STMF commas",
            b"OWNER 1234 11/20/26 11:12:13 STMF no-star",
            b"OWNER 1234 11/20/26 11:12:13 *stmf lower-case",
            b"1234 11/20/26 11:12:13 *STMF no-owner",
            b"*MEM",
            b"OWNER 1234 11/20/26 11:12:13 *DIR /",
            b"OWNER 1234 18.09.2006 11:12:13 *FILE long-dotted-year",
            b"OWNER 1234 18-09.06 11:12:13 *FILE mixed",
        ]);
    }

    #[test]
    fn member_after_its_owner() {
        let e =
            one(b"QSYS                                    *MEM       QACJINFO.FILE/QACJINFO.MBR");
        assert_eq!(
            (e.kind, e.name.as_str()),
            (EntryKind::File, "QACJINFO.FILE/QACJINFO.MBR")
        );
    }

    #[test]
    fn dotted_day_first_dates() {
        let e = one(b"QPGMR           36864 18.09.06 14:21:26 *FILE      55-AS400.FILE");
        assert_eq!((e.name.as_str(), e.size), ("55-AS400.FILE", Some(36864)));
        assert_eq!(e.modified, at_s(2006, 9, 18, 14, 21, 26));
    }

    #[test]
    fn unix_and_dos_lines_are_not_as400() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"11-20-24  10:00AM       <DIR>          name",
            b"11/20/24  10:00:00       1234          name",
            b"d [RWCEAFMS] owner 512 Jan 27 11:53 dirname",
        ] {
            assert!(parse(line).is_none(), "{:?}", String::from_utf8_lossy(line));
        }
    }
}
