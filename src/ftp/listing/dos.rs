//! DOS/IIS style LIST lines:
//! `11-20-24  10:00AM       <DIR>          name` or
//! `11-20-2024  22:00             1,234 name`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

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
    } else {
        (EntryKind::File, Some(parse_size(size_tok)?))
    };
    next += 1;
    // Column widths differ between servers, and Windows names cannot start
    // with a space anyway, so the name starts at the next non-blank byte.
    let &(name_start, _) = toks.get(next)?;
    let mut entry = Entry::named(&line[name_start..], kind);
    entry.size = size;
    entry.modified = date.map(|d| NaiveDateTime::new(d, time));
    Some(entry)
}

/// `MM-DD-YY` or `MM-DD-YYYY`, also with slashes. The outer Option says
/// whether it looks like a date; the inner one whether it is a real one.
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
    let (month, day) = (parse_u32(month)?, parse_u32(day)?);
    let year = match year.len() {
        // Same pivot as most FTP clients: IIS only ever printed 19xx/20xx.
        2 => match parse_u32(year)? {
            y @ 0..70 => 2000 + y,
            y => 1900 + y,
        },
        4 => parse_u32(year)?,
        _ => return None,
    };
    Some(NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        month,
        day,
    ))
}

/// `HH:MM` optionally glued to AM/PM; the flag says whether the suffix was
/// there (and already applied).
fn parse_time(tok: &[u8]) -> Option<(NaiveTime, bool)> {
    let (clock, pm) = match tok.len().checked_sub(2).map(|at| tok.split_at(at)) {
        Some((clock, suffix)) if clock.len() >= 4 => match meridiem(suffix) {
            Some(pm) => (clock, Some(pm)),
            None => (tok, None),
        },
        _ => (tok, None),
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
    if tok.eq_ignore_ascii_case(b"AM") {
        Some(false)
    } else if tok.eq_ignore_ascii_case(b"PM") {
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

/// Plain digits or with thousands separators ("1,234,567").
fn parse_size(tok: &[u8]) -> Option<u64> {
    if tok.first() == Some(&b',') || tok.last() == Some(&b',') || tok.windows(2).any(|w| w == b",,")
    {
        return None;
    }
    let digits: Vec<u8> = tok.iter().copied().filter(|&b| b != b',').collect();
    parse_u64(&digits)
}

#[cfg(test)]
mod tests {
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
        for line in [
            &b"11-20-24  10:00AM  <DIR>"[..],
            b"11-20-24  13:00PM  5 bad-hour",
            b"11-20-24  10:00AM  1,,2 bad-size",
            b"1-20-24  10:00AM  5 short-month",
        ] {
            assert_eq!(
                one(line).kind,
                EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
