//! DOS/IIS style LIST lines, and Windows `dir` output some servers send:
//! `11-20-24  10:00AM       <DIR>          name`,
//! `11-20-2024  22:00             1,234 name`,
//! `20.11.2024  22:00         1.234.567 name` (European locales),
//! `11/20/2024  10:00 AM    <JUNCTION>     Docs [C:\Users\me\Documents]`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::unix::{month_day_or_swapped, two_digit_year};
use super::{Entry, EntryKind, lossy, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let date = parse_date(tok(0)?)?;
    let (time, mut next) = match tok(1).and_then(parse_time)? {
        (time, true) => (time, 2),
        // "10:00 AM" with a space.
        (time, false) => match tok(2).and_then(meridiem) {
            Some(pm) => (to_24h(time, pm)?, 3),
            None => (time, 2),
        },
    };
    let size_tok = tok(next)?;
    let (kind, size) = if size_tok.eq_ignore_ascii_case(b"<DIR>") {
        (EntryKind::Dir, None)
    } else if is_link_tag(size_tok) {
        (EntryKind::Link, None)
    } else {
        (EntryKind::File, Some(parse_size(size_tok)?))
    };
    next += 1;
    // Column widths differ between servers, and Windows names cannot start
    // with a space anyway, so the name starts at the next non-blank byte.
    let &(name_start, _) = toks.get(next)?;
    let rest = &line[name_start..];
    let (name, target) = match kind {
        EntryKind::Link => split_target(rest),
        _ => (rest, None),
    };
    let mut entry = Entry::named(name, kind);
    entry.size = size;
    entry.modified = date.map(|d| NaiveDateTime::new(d, time));
    entry.link_target = target.map(lossy);
    Some(entry)
}

/// `dir` marks junctions and symbolic links to directories and files.
fn is_link_tag(tok: &[u8]) -> bool {
    [&b"<JUNCTION>"[..], b"<SYMLINKD>", b"<SYMLINK>"]
        .iter()
        .any(|tag| tok.eq_ignore_ascii_case(tag))
}

/// `name [target]`. Names and targets may hold brackets too, so the
/// target starts at the first " [" after which the brackets balance up to
/// the closing one at the end ("Photos [2019] [D:\Photos [old]]"); without
/// that closing bracket there is no target.
fn split_target(rest: &[u8]) -> (&[u8], Option<&[u8]>) {
    let Some(inner) = rest.strip_suffix(b"]") else {
        return (rest, None);
    };
    let balanced = |target: &[u8]| {
        let mut depth = 0i32;
        target.iter().all(|&b| {
            depth += match b {
                b'[' => 1,
                b']' => -1,
                _ => 0,
            };
            depth >= 0
        }) && depth == 0
    };
    let split = inner
        .windows(2)
        .enumerate()
        .skip(1)
        .find(|&(at, w)| w == b" [" && balanced(&inner[at + 2..]));
    match split {
        Some((at, _)) => (&rest[..at], Some(&inner[at + 2..])),
        None => (rest, None),
    }
}

/// `MM-DD-YY`, `MM-DD-YYYY`, also with slashes, `DD.MM.YYYY` / `DD.MM.YY`
/// in European locales, and `YYYY-MM-DD`. The outer Option says whether
/// it looks like a date; the inner one whether it is a real one.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *tok {
        let year = i32::try_from(parse_u32(&[y1, y2, y3, y4])?).ok()?;
        return Some(NaiveDate::from_ymd_opt(
            year,
            parse_u32(&[m1, m2])?,
            parse_u32(&[d1, d2])?,
        ));
    }
    let sep = *tok.get(2)?;
    if sep != b'-' && sep != b'/' && sep != b'.' {
        return None;
    }
    let mut parts = tok.split(|&b| b == sep);
    let (first, second, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || first.len() != 2 || second.len() != 2 {
        return None;
    }
    let (first, second) = (parse_u32(first)?, parse_u32(second)?);
    let (month, day) = match sep {
        b'.' => (second, first),
        // "20/11/2024" from a UK-locale server.
        _ => month_day_or_swapped(first, second),
    };
    let year = match year.len() {
        // Same pivot as most FTP clients: IIS only ever printed 19xx/20xx.
        2 => two_digit_year(parse_u32(year)?),
        4 => i32::try_from(parse_u32(year)?).ok()?,
        _ => return None,
    };
    Some(NaiveDate::from_ymd_opt(year, month, day))
}

/// `HH:MM` optionally glued to AM/PM (or old `dir`'s a/p); the flag says
/// whether the suffix was there (and already applied).
fn parse_time(tok: &[u8]) -> Option<(NaiveTime, bool)> {
    let glued = [2, 1].into_iter().find_map(|len| {
        let at = tok.len().checked_sub(len)?;
        let (clock, suffix) = tok.split_at(at);
        (clock.len() >= 4).then_some(())?;
        meridiem(suffix).map(|pm| (clock, pm))
    });
    let (clock, pm) = match glued {
        Some((clock, pm)) => (clock, Some(pm)),
        None => (tok, None),
    };
    let colon = clock.iter().position(|&b| b == b':')?;
    let (hour, minute) = (&clock[..colon], &clock[colon + 1..]);
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 {
        return None;
    }
    let time = NaiveTime::from_hms_opt(parse_u32(hour)?, parse_u32(minute)?, 0)?;
    match pm {
        Some(pm) => Some((to_24h(time, pm)?, true)),
        None => Some((time, false)),
    }
}

/// Some(true) for PM, Some(false) for AM.
fn meridiem(tok: &[u8]) -> Option<bool> {
    if tok.eq_ignore_ascii_case(b"AM") || tok.eq_ignore_ascii_case(b"a") {
        Some(false)
    } else if tok.eq_ignore_ascii_case(b"PM") || tok.eq_ignore_ascii_case(b"p") {
        Some(true)
    } else {
        None
    }
}

fn to_24h(time: NaiveTime, pm: bool) -> Option<NaiveTime> {
    use chrono::Timelike;
    let hour = match time.hour() {
        h @ 1..=11 if pm => h + 12,
        12 if !pm => 0,
        h @ 1..=12 => h,
        _ => return None,
    };
    time.with_hour(hour)
}

/// Plain digits or with thousands separators: "1,234,567", or
/// "1.234.567" as European locales print it (only in groups of three,
/// so no decimal is mistaken for one).
fn parse_size(tok: &[u8]) -> Option<u64> {
    if tok.first() == Some(&b',') || tok.last() == Some(&b',') || tok.windows(2).any(|w| w == b",,")
    {
        return None;
    }
    if tok.contains(&b'.') {
        let mut groups = tok.split(|&b| b == b'.');
        let head = groups.next().filter(|g| (1..=3).contains(&g.len()))?;
        let mut n = parse_u64(head)?;
        for group in groups {
            if group.len() != 3 {
                return None;
            }
            n = n.checked_mul(1000)?.checked_add(parse_u64(group)?)?;
        }
        return Some(n);
    }
    tok.split(|&b| b == b',').try_fold(0u64, |n, group| {
        let scale = 10u64.checked_pow(u32::try_from(group.len()).ok()?)?;
        n.checked_mul(scale)?.checked_add(parse_u64(group)?)
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::unparsed;
    use super::super::{ListLine, parse_list_line};
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0))
    }

    fn one(line: &[u8]) -> Entry {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date");
        match parse_list_line(line, today) {
            ListLine::Entry(e) => e,
            ListLine::Skip => panic!("line skipped: {:?}", String::from_utf8_lossy(line)),
        }
    }

    #[test]
    fn iis_dir() {
        let e = one(b"02-14-19  10:21AM       <DIR>          aspnet_client");
        assert!(e.is_dir());
        assert_eq!(e.name, "aspnet_client");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(2019, 2, 14, 10, 21));
        assert_eq!(e.perm, None);
    }

    #[test]
    fn iis_file_pm() {
        let e = one(b"11-20-24  10:00PM                12345 report final.pdf");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "report final.pdf");
        assert_eq!(e.size, Some(12345));
        assert_eq!(e.modified, at(2024, 11, 20, 22, 0));
    }

    #[test]
    fn midnight_and_noon() {
        assert_eq!(
            one(b"01-01-25  12:05AM  1 a").modified,
            at(2025, 1, 1, 0, 5)
        );
        assert_eq!(
            one(b"01-01-25  12:05PM  1 a").modified,
            at(2025, 1, 1, 12, 5)
        );
    }

    #[test]
    fn four_digit_year_24h_and_separators() {
        let e = one(b"11-20-2024  22:00             1,234,567 big file.iso");
        assert_eq!(e.size, Some(1_234_567));
        assert_eq!(e.modified, at(2024, 11, 20, 22, 0));
        assert_eq!(e.name, "big file.iso");
    }

    #[test]
    fn two_digit_year_pivot() {
        assert_eq!(one(b"05-06-69  08:00AM 1 x").modified, at(2069, 5, 6, 8, 0));
        assert_eq!(one(b"05-06-70  08:00AM 1 x").modified, at(1970, 5, 6, 8, 0));
        assert_eq!(one(b"05-06-99  08:00AM 1 x").modified, at(1999, 5, 6, 8, 0));
    }

    #[test]
    fn spaced_meridiem_and_slashes() {
        let e = one(b"11/20/2024 03:04 pm <dir> Program Files");
        assert!(e.is_dir());
        assert_eq!(e.name, "Program Files");
        assert_eq!(e.modified, at(2024, 11, 20, 15, 4));
    }

    #[test]
    fn unicode_name() {
        let e = one("11-20-24  10:00AM                 7 日本語 ファイル.txt".as_bytes());
        assert_eq!(e.name, "日本語 ファイル.txt");
    }

    #[test]
    fn dot_entries_skipped() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date");
        assert_eq!(
            parse_list_line(b"11-20-24  10:00AM       <DIR>          ..", today),
            ListLine::Skip
        );
    }

    #[test]
    fn invalid_date_keeps_entry() {
        let e = one(b"13-45-24  10:00AM  5 strange");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"11-20-24  10:00AM  <DIR>"[..],
            b"11-20-24  13:00PM  5 bad-hour",
            b"11-20-24  10:00AM  1,,2 bad-size",
            b"1-20-24  10:00AM  5 short-month",
        ]);
    }

    #[test]
    fn european_separators_and_dates() {
        let e = one(b"20.11.2024  22:00         1.234.567 Bericht.pdf");
        assert_eq!(e.size, Some(1_234_567));
        assert_eq!(e.modified, at(2024, 11, 20, 22, 0));
        assert_eq!(e.name, "Bericht.pdf");
        let e = one(b"20.11.24  08:05    <DIR>          Ordner");
        assert!(e.is_dir());
        assert_eq!(e.modified, at(2024, 11, 20, 8, 5));
        assert_eq!(one(b"20.11.2024  22:00  999 klein").size, Some(999));
        assert_eq!(one(b"20.11.2024  22:00  12.345 k").size, Some(12_345));
        let iso = one(b"2024-11-20  22:00  1,234 iso");
        assert_eq!(iso.modified, at(2024, 11, 20, 22, 0));
        assert_eq!(iso.size, Some(1234));
    }

    #[test]
    fn dotted_sizes_must_be_thousands() {
        unparsed(&[
            &b"11-20-24  10:00AM  1.5 decimal"[..],
            b"11-20-24  10:00AM  1.2345 long-group",
            b"11-20-24  10:00AM  1234.567 long-head",
            b"11-20-24  10:00AM  .123 no-head",
            b"11-20-24  10:00AM  1,234.567 mixed",
        ]);
    }

    #[test]
    fn large_sizes_with_commas() {
        let e = one(b"11-20-2024  10:00PM  18,446,744,073,709,551,615 max");
        assert_eq!(e.size, Some(u64::MAX));
        let over = one(b"11-20-2024  10:00PM  18,446,744,073,709,551,616 over");
        assert_eq!(over.kind, EntryKind::Unparsed);
    }

    #[test]
    fn day_first_slashes() {
        let e = one(b"20/11/2024  22:00  5 uk");
        assert_eq!(e.modified, at(2024, 11, 20, 22, 0));
        assert_eq!(
            one(b"05/11/2024  22:00  5 us").modified,
            at(2024, 5, 11, 22, 0)
        );
    }

    #[test]
    fn old_dir_meridiem_letters() {
        assert_eq!(
            one(b"11-20-24  10:00p  5 a").modified,
            at(2024, 11, 20, 22, 0)
        );
        assert_eq!(
            one(b"11-20-24  12:30a  5 a").modified,
            at(2024, 11, 20, 0, 30)
        );
    }

    #[test]
    fn junctions_and_symlinks() {
        let e = one(b"11/20/2024  10:00 AM    <JUNCTION>     Application Data [C:\\Users\\me\\AppData\\Roaming]");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.name, "Application Data");
        assert_eq!(
            e.link_target.as_deref(),
            Some("C:\\Users\\me\\AppData\\Roaming")
        );
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(2024, 11, 20, 10, 0));
        let d = one(b"11/20/2024  10:00 PM    <SYMLINKD>     Photos [2019] [D:\\Photos [old]]");
        assert_eq!(d.name, "Photos [2019]");
        assert_eq!(d.link_target.as_deref(), Some("D:\\Photos [old]"));
        let f = one(b"11-20-24  10:00PM  <SYMLINK>      notes.txt [..\\notes [v2].txt]");
        assert_eq!(f.kind, EntryKind::Link);
        assert_eq!(f.name, "notes.txt");
        assert_eq!(f.link_target.as_deref(), Some("..\\notes [v2].txt"));
        let unc = one(b"11-20-24  10:00PM  <symlinkd>  share [\\\\server\\share]");
        assert_eq!(unc.name, "share");
        assert_eq!(unc.link_target.as_deref(), Some("\\\\server\\share"));
        let bare = one(b"11-20-24  10:00PM  <JUNCTION>  no target");
        assert_eq!(bare.kind, EntryKind::Link);
        assert_eq!(bare.name, "no target");
        assert_eq!(bare.link_target, None);
    }
}
