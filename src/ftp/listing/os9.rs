//! Microware OS-9 `dir -e` style LIST lines:
//! `  0.0      98/01/28 1433   d-ewrewr     A8        160 CMDS`.
//!
//! Owner as `group.user`, `YY/MM/DD`, `HHMM`, eight attribute letters
//! (`d` directory, `s` single-user, then `e w r` for the public and `e w
//! r` for the owner), the first sector in hex, the size in bytes, the
//! name. A dotted owner first and an eight-letter attribute column no
//! other family prints; the column headings above the entries are
//! skipped as furniture (see `headers.rs`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use compact_str::CompactString;

use super::calendar::date_of;
use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    if !is_owner(tok(0)?) {
        return None;
    }
    let date = parse_date(tok(1)?)?;
    let time = parse_time(tok(2)?)?;
    let attributes = tok(3)?;
    let is_dir = parse_attributes(attributes)?;
    let sector = tok(4)?;
    if sector.is_empty() || sector.len() > 8 || !sector.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let size = parse_u64(tok(5)?)?;
    // The rest of the line: OS-9's own names hold no blanks, but servers
    // listing other file systems print names that do.
    let &(name_start, _) = toks.get(6)?;
    let name = &line[name_start..];
    let mut entry = Entry::named(
        name,
        if is_dir {
            EntryKind::Dir
        } else {
            EntryKind::File
        },
    );
    if !is_dir {
        entry.size = Some(size);
    }
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    entry.perm = Some(CompactString::from_utf8_lossy(attributes));
    Some(entry)
}

/// `0.0`, `12.345`: group and user numbers.
fn is_owner(tok: &[u8]) -> bool {
    let Some(dot) = tok.iter().position(|&b| b == b'.') else {
        return false;
    };
    let (group, user) = (&tok[..dot], &tok[dot + 1..]);
    group.len() <= 5 && user.len() <= 5 && parse_u64(group).is_some() && parse_u64(user).is_some()
}

/// `d-ewrewr`: Some(is a directory) when the letters stand where OS-9
/// puts them.
fn parse_attributes(tok: &[u8]) -> Option<bool> {
    const LETTERS: &[u8; 8] = b"dsewrewr";
    if tok.len() != 8 {
        return None;
    }
    let fits = tok
        .iter()
        .zip(LETTERS)
        .all(|(&b, &letter)| b == b'-' || b == letter);
    fits.then_some(tok[0] == b'd')
}

/// `YY/MM/DD` (OS-9 writes the year first); a four-digit year is taken
/// too. The inner Option is None for impossible dates.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    let mut parts = tok.split(|&b| b == b'/');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || month.len() != 2 || day.len() != 2 {
        return None;
    }
    // OS-9 dates begin in the 1980s; 00-79 are this century.
    date_of(year, month, day, 80)
}

/// `HHMM`, four digits.
fn parse_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let [h1, h2, m1, m2] = *tok else {
        return None;
    };
    Some(NaiveTime::from_hms_opt(
        parse_u32(&[h1, h2])?,
        parse_u32(&[m1, m2])?,
        0,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{ListLine, parse_list, parse_list_line};
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn file() {
        let e = one(b"   0.0     02/05/05 1527   ------wr     9E      1010 file.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "file.txt");
        assert_eq!(e.size, Some(1010));
        assert_eq!(e.modified, at(2002, 5, 5, 15, 27));
        assert_eq!(e.perm.as_deref(), Some("------wr"));
    }

    #[test]
    fn directory() {
        let e = one(b"   0.0     98/01/28 1433   d-ewrewr     A8        160 CMDS");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"CMDS");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(1998, 1, 28, 14, 33));
    }

    #[test]
    fn names_with_blanks() {
        let e = one(b"20.20 07/03/29 1026 d-ewrewr 2650 85920 51-OS-9 dir");
        assert!(e.is_dir());
        assert_eq!(e.name, "51-OS-9 dir");
        assert_eq!(e.modified, at(2007, 3, 29, 10, 26));
    }

    #[test]
    fn whole_dir_e_output() {
        let body = b"\r\n\
                            Directory of . 10:43:32\r\n\
 Owner    Last modified  Attributes Sector  Bytecount Name\r\n\
-------   -------------  ---------- ------  --------- ----\r\n\
   0.0     98/01/28 1433   d-ewrewr     A8        160 CMDS\r\n\
  12.7     26/11/20 0905   -s---ewr   1F3C     123456 startup\r\n";
        let entries = parse_list(body, today());
        let got: Vec<_> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.is_dir(), e.size))
            .collect();
        assert_eq!(
            got,
            [("CMDS", true, None), ("startup", false, Some(123_456))]
        );
    }

    #[test]
    fn impossible_date_keeps_entry() {
        let e = one(b"0.0 02/13/40 2500 ------wr 9E 1 odd");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn dot_names_are_skipped() {
        assert_eq!(
            parse_list_line(b"0.0 98/01/28 1433 d-ewrewr A8 160 ..", today()),
            ListLine::Skip
        );
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"0 98/01/28 1433 ------wr 9E 1010 no-dot-owner"[..],
            b"0.0 98-01-28 1433 ------wr 9E 1010 dashes",
            b"0.0 98/01/28 14:33 ------wr 9E 1010 colon",
            b"0.0 98/01/28 1433 rw-r--r- 9E 1010 letters-out-of-place",
            b"0.0 98/01/28 1433 ------wr 9G 1010 not-hex",
            b"0.0 98/01/28 1433 ------wr 9E 1,010 comma",
            b"0.0 98/01/28 1433 ------wr 9E 1010",
        ]);
    }

    #[test]
    fn other_families_are_not_os9() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"11-20-24  10:00AM       <DIR>          name",
            b"  512        Jan-08-2002  13:27:58   docs           <DIR>",
        ] {
            assert!(parse(line).is_none(), "{:?}", String::from_utf8_lossy(line));
        }
    }
}
