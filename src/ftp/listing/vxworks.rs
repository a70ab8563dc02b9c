//! VxWorks (dosFs `ll`) style LIST lines:
//! `     19868    FEB-21-2007  10:24:02   vxWorks` and
//! `       512    JAN-08-2002  13:27:58   docs           <DIR>`.
//!
//! Size, `MON-DD-YYYY`, `HH:MM:SS`, the name, and `<DIR>` after the name
//! of a directory. A month name joined to the day and year by dashes is
//! what no other family prints (OS/2 starts with a size too, but its date
//! is all digits); the `size date time name` headings are skipped as
//! furniture.

use chrono::{NaiveDate, NaiveDateTime};

use super::calendar::clock_with_seconds;
use super::{Entry, EntryKind, calendar, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let size = parse_u64(tok(0)?)?;
    let date = parse_date(tok(1)?)?;
    let time = clock_with_seconds(tok(2)?)?;
    let &(name_start, _) = toks.get(3)?;
    let &(last_start, last_end) = toks.last()?;
    // `<DIR>` follows the (padded) name of a directory.
    let (kind, name_end) = if &line[last_start..last_end] == b"<DIR>" {
        // `<DIR>` alone where the name should be names nothing.
        if toks.len() < 5 {
            return None;
        }
        (EntryKind::Dir, toks[toks.len() - 2].1)
    } else {
        (EntryKind::File, last_end)
    };
    let mut entry = Entry::named(&line[name_start..name_end], kind);
    if entry.kind == EntryKind::File {
        entry.size = Some(size);
    }
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    Some(entry)
}

/// `FEB-21-2007` (any case); the inner Option is None for impossible dates.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    let mut parts = tok.split(|&b| b == b'-');
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || month.len() != 3 || day.len() != 2 || year.len() != 4 {
        return None;
    }
    let month = calendar::month_number(month)?;
    Some(NaiveDate::from_ymd_opt(
        i32::try_from(parse_u32(year)?).ok()?,
        month,
        parse_u32(day)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{ListLine, parse_list, parse_list_line};
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn file() {
        let e = one(b"     19868    FEB-21-2007  10:24:02   vxWorks");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "vxWorks");
        assert_eq!(e.size, Some(19868));
        assert_eq!(e.modified, at_s(2007, 2, 21, 10, 24, 2));
    }

    #[test]
    fn directory() {
        let e = one(b"       512    Jan-08-2002  13:27:58   docs           <DIR>");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"docs");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at_s(2002, 1, 8, 13, 27, 58));
    }

    #[test]
    fn name_with_blanks() {
        let e = one(b"  7  NOV-20-2026  09:00:00   boot log.txt");
        assert_eq!(e.raw_name(), b"boot log.txt");
        let e = one(b"  512  NOV-20-2026  09:00:00   old logs   <DIR>");
        assert_eq!(e.raw_name(), b"old logs");
        assert!(e.is_dir());
    }

    #[test]
    fn whole_listing_with_headings() {
        let body = b"  size          date       time       name\r\n\
--------       ------     ------    --------\r\n\
       512    JAN-01-1980  00:00:00   .                 <DIR>\r\n\
       512    JAN-01-1980  00:00:00   ..                <DIR>\r\n\
     19868    FEB-21-2007  10:24:02   vxWorks\r\n\
       512    JAN-08-2002  13:27:58   docs              <DIR>\r\n";
        let entries = parse_list(body, today());
        let got: Vec<_> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.is_dir(), e.size))
            .collect();
        assert_eq!(got, [("vxWorks", false, Some(19868)), ("docs", true, None)]);
    }

    #[test]
    fn impossible_date_keeps_entry() {
        let e = one(b"1 FEB-30-2007 10:24:02 odd");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn dot_dirs_skipped() {
        assert_eq!(
            parse_list_line(b"512 JAN-01-1980 00:00:00 . <DIR>", today()),
            ListLine::Skip
        );
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"19868 FEB-21-07 10:24:02 short-year"[..],
            b"19868 FEB/21/2007 10:24:02 slashes",
            b"19868 XYZ-21-2007 10:24:02 no-month",
            b"19868 FEB-21-2007 10:24 no-seconds",
            b"19,868 FEB-21-2007 10:24:02 comma",
            b"19868 FEB-21-2007 10:24:02",
            b"512 FEB-21-2007 10:24:02 <DIR>",
        ]);
    }

    #[test]
    fn other_families_are_not_vxworks() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"11-20-24  10:00AM       <DIR>          name",
            b"     0           DIR   12-20-95  15:14  OS2DIR",
        ] {
            assert!(parse(line).is_none(), "{:?}", String::from_utf8_lossy(line));
        }
    }
}
