//! The pieces of a date every family shares: English month names, days,
//! years (two digits with a family's pivot), clock times, and the year of
//! a date printed without one. `unix/words.rs` adds the localized month
//! names and `ls`'s other time formats.

use chrono::{Datelike, Days, NaiveDate, NaiveTime};

use super::parse_u32;

/// `Jan` … `Dec`, any case.
pub(super) fn month_number(tok: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let at = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(tok))?;
    u32::try_from(at + 1).ok()
}

/// `1` … `31`.
pub(super) fn parse_day(tok: &[u8]) -> Option<u32> {
    if tok.len() > 2 {
        return None;
    }
    parse_u32(tok).filter(|d| (1..=31).contains(d))
}

/// Four digits.
pub(super) fn parse_year(tok: &[u8]) -> Option<i32> {
    if tok.len() != 4 {
        return None;
    }
    parse_u32(tok).and_then(|y| i32::try_from(y).ok())
}

/// `H:MM` or `HH:MM`; the inner Option is None for impossible times.
pub(super) fn parse_hour_minute(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let colon = tok.iter().position(|&b| b == b':')?;
    let (hour, minute) = (&tok[..colon], &tok[colon + 1..]);
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 {
        return None;
    }
    Some(NaiveTime::from_hms_opt(
        parse_u32(hour)?,
        parse_u32(minute)?,
        0,
    ))
}

/// The latest year that does not put the date more than a day after
/// `today`, as `ls` means a date without a year.
pub(super) fn infer_year(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let limit = today.checked_add_days(Days::new(1)).unwrap_or(today);
    // Feb 29 may need eight years back: 2100 is not a leap year.
    (0..=9)
        .map(|back| today.year() + 1 - back)
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date <= limit)
}

/// A date from its three numbers as printed: a two-digit year below
/// `pivot` is 20yy, another 19yy (each family says where its dates begin);
/// four digits are taken as they are. The inner Option is None for dates
/// the calendar lacks.
pub(super) fn date_of(
    year: &[u8],
    month: &[u8],
    day: &[u8],
    pivot: u32,
) -> Option<Option<NaiveDate>> {
    let year = match year.len() {
        2 => match parse_u32(year)? {
            y if y < pivot => 2000 + y,
            y => 1900 + y,
        },
        4 => parse_u32(year)?,
        _ => return None,
    };
    Some(NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        parse_u32(month)?,
        parse_u32(day)?,
    ))
}

/// `HH:MM` or `HH:MM:SS`; the inner Option is None for impossible times.
pub(super) fn clock(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let (h, m, s) = match *tok {
        [h1, h2, b':', m1, m2] => ([h1, h2], [m1, m2], [b'0', b'0']),
        [h1, h2, b':', m1, m2, b':', s1, s2] => ([h1, h2], [m1, m2], [s1, s2]),
        _ => return None,
    };
    Some(NaiveTime::from_hms_opt(
        parse_u32(&h)?,
        parse_u32(&m)?,
        parse_u32(&s)?,
    ))
}

/// `HH:MM:SS`, exactly.
pub(super) fn clock_with_seconds(tok: &[u8]) -> Option<Option<NaiveTime>> {
    if tok.len() != 8 {
        return None;
    }
    clock(tok)
}

/// `YYYY<sep>MM<sep>DD`, exactly (`2002/10/11`, `2007-01-12`); the inner
/// Option is None for dates the calendar lacks.
pub(super) fn year_first(tok: &[u8], sep: u8) -> Option<Option<NaiveDate>> {
    let [y1, y2, y3, y4, s1, m1, m2, s2, d1, d2] = *tok else {
        return None;
    };
    if s1 != sep || s2 != sep {
        return None;
    }
    date_of(&[y1, y2, y3, y4], &[m1, m2], &[d1, d2], 0)
}
