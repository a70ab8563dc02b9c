//! Dates made of numbers: slashed, dotted and bare ones, and those whose
//! parts carry CJK year/month/day marks in any common encoding.

use chrono::NaiveDate;

use super::*;

/// US month/day order, unless the first number cannot be a month and the
/// second can: "20/11/2024" is the 20th of November. "05/11/2024" stays
/// May 11, which only moves the date, never the name.
pub(in crate::ftp::listing) fn month_day_or_swapped(first: u32, second: u32) -> (u32, u32) {
    if first > 12 && (1..=12).contains(&second) {
        (second, first)
    } else {
        (first, second)
    }
}

/// The shape of a date (month 1-12, day 1-31); the inner Option is None
/// for dates the calendar lacks (Feb 30).
pub(super) fn ymd(year: i32, month: u32, day: u32) -> Option<Option<NaiveDate>> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(NaiveDate::from_ymd_opt(year, month, day))
}

/// Same pivot as DOS listings: 00-69 are 20xx.
pub(in crate::ftp::listing) fn two_digit_year(y: u32) -> i32 {
    let y = i32::try_from(y % 100).unwrap_or(0);
    if y < 70 { 2000 + y } else { 1900 + y }
}

/// What a CJK date mark after a number says it is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Year,
    Month,
    Day,
    /// One or two bytes of a legacy code page this table lacks, right
    /// after the digits: a mark, but which one only its place tells.
    Unknown,
}

/// 年, 月, 日 (and Korean 년, 월, 일) in UTF-8, GBK, Big5, Shift-JIS,
/// EUC-JP and EUC-KR: a server in a CJK locale sends them in its own
/// encoding.
pub(super) const MARKS: [(&[u8], Mark); 24] = [
    (b"\xe5\xb9\xb4", Mark::Year),
    (b"\xe6\x9c\x88", Mark::Month),
    (b"\xe6\x97\xa5", Mark::Day),
    (b"\xeb\x85\x84", Mark::Year),
    (b"\xec\x9b\x94", Mark::Month),
    (b"\xec\x9d\xbc", Mark::Day),
    (b"\xc4\xea", Mark::Year),
    (b"\xd4\xc2", Mark::Month),
    (b"\xc8\xd5", Mark::Day),
    (b"\xa6\x7e", Mark::Year),
    (b"\xa4\xeb", Mark::Month),
    (b"\xa4\xe9", Mark::Day),
    (b"\x94\x4e", Mark::Year),
    (b"\x8c\x8e", Mark::Month),
    (b"\x93\xfa", Mark::Day),
    (b"\xc7\xaf", Mark::Year),
    (b"\xb7\xee", Mark::Month),
    (b"\xc6\xfc", Mark::Day),
    (b"\xb3\xe2", Mark::Year),
    (b"\xbf\xf9", Mark::Month),
    (b"\xc0\xcf", Mark::Day),
    (b"\xd2\xb4", Mark::Year),
    (b"\xea\xc5", Mark::Month),
    (b"\xec\xed", Mark::Day),
];

/// One number of a date, with the mark after it if any, and its column.
#[derive(Clone, Copy)]
pub(super) struct Part {
    value: u32,
    digits: usize,
    mark: Option<Mark>,
    col: usize,
}

/// The numbers of a column such as `11`, `11月` or `2024年11月20日`,
/// appended to `parts`; false (and nothing appended) when the column is
/// anything else.
pub(super) fn push_parts(
    tok: &[u8],
    col: usize,
    parts: &mut [Option<Part>; 3],
    n: &mut usize,
) -> bool {
    let before = *n;
    let mut rest = tok;
    while !rest.is_empty() {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let value = (1..=4)
            .contains(&digits)
            .then(|| parse_u32(&rest[..digits]))
            .flatten();
        let (Some(value), true) = (value, *n < parts.len()) else {
            *n = before;
            return false;
        };
        rest = &rest[digits..];
        let known = MARKS.iter().find(|(m, _)| rest.starts_with(m));
        let unknown = rest.iter().take_while(|b| **b >= 0x80).count();
        let mark = if let Some(&(bytes, mark)) = known {
            rest = &rest[bytes.len()..];
            Some(mark)
        } else if (1..=2).contains(&unknown) && rest.len() == unknown {
            rest = &[];
            Some(Mark::Unknown)
        } else if rest.is_empty() {
            None
        } else {
            *n = before;
            return false;
        };
        parts[*n] = Some(Part {
            value,
            digits,
            mark,
            col,
        });
        *n += 1;
    }
    true
}

/// Dates made of numbers, with or without CJK marks: month and day then a
/// time or a year (`11月 20 10:00`, `11월 20  2024`, `11 20 10:00`), or
/// year, month and day maybe followed by a time (`2024年11月20日 10:00`,
/// `2024 11 20`). With `marked`, only dates with at least one mark.
pub(super) fn numbered_date(
    cols: &Cols,
    i: usize,
    today: NaiveDate,
    marked: bool,
) -> Option<Found> {
    let mut parts = [None; 3];
    let mut n = 0;
    let mut col = i;
    while n < parts.len()
        && cols
            .tok(col)
            .is_some_and(|tok| push_parts(tok, col, &mut parts, &mut n))
    {
        col += 1;
    }
    let fits = |part: &Part, want: Mark| part.mark.is_none_or(|m| m == want || m == Mark::Unknown);
    let wanted = |used: &[Part]| !marked || used.iter().any(|p| p.mark.is_some());
    // A bare year must look like one; with 年 any four digits do.
    let year_of = |part: &Part| match part.mark {
        Some(Mark::Year) => Some(part.value),
        Some(Mark::Unknown) | None => Some(part.value).filter(|y| (1900..=2100).contains(y)),
        Some(_) => None,
    };
    if let [Some(y), Some(m), Some(d)] = parts
        && y.digits == 4
        && let Some(year) = year_of(&y)
        && !size_then_month_day_time(cols, i, &y, &m, &d)
        && fits(&m, Mark::Month)
        && fits(&d, Mark::Day)
        && wanted(&[y, m, d])
    {
        let date = ymd(i32::try_from(year).ok()?, m.value, d.value)?;
        return Some(time_after(cols, date, d.col, true));
    }
    let (Some(m), Some(d)) = (parts[0], parts[1]) else {
        return None;
    };
    if m.digits > 2
        || d.digits > 2
        || !fits(&m, Mark::Month)
        || !fits(&d, Mark::Day)
        || !(1..=12).contains(&m.value)
        || !(1..=31).contains(&d.value)
    {
        return None;
    }
    if let Some(y) = parts[2] {
        // The day must end its column: "11月20日2024" is no date.
        if y.col == d.col {
            return None;
        }
        if y.digits == 4
            && let Some(year) = year_of(&y)
            && wanted(&[m, d, y])
        {
            let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, m.value, d.value);
            return Some(time_after(
                cols,
                date,
                y.col,
                cols.gap_before(y.col) == Some(1),
            ));
        }
    }
    if !wanted(&[m, d]) {
        return None;
    }
    let time = parse_time(cols.tok(d.col + 1)?)?;
    Some(Found::at(
        infer_year(m.value, d.value, today),
        time,
        d.col + 1,
    ))
}

/// Whether a bare year, month and day at column `i` had better be read as
/// a size then month, day and time: `ls` has five columns before the date,
/// so with fewer the "year" is the size of a line with numeric owners
/// ("1 0 0 2024 11 20 10:00 name").
pub(super) fn size_then_month_day_time(
    cols: &Cols,
    i: usize,
    y: &Part,
    m: &Part,
    d: &Part,
) -> bool {
    y.mark.is_none()
        && i < 5
        && m.col != y.col
        && m.digits <= 2
        && (1..=12).contains(&m.value)
        && cols.tok(d.col + 1).and_then(parse_time).is_some()
}

/// A day with the dot German dates put after it ("20.") or the comma of
/// "Nov 20, 2024".
pub(super) fn day_with_dot(tok: &[u8]) -> Option<u32> {
    match tok {
        [day @ .., b'.' | b','] => parse_day(day),
        day => parse_day(day),
    }
}

/// A year, maybe with the comma or dot some formats put after it.
pub(super) fn year_with_comma(tok: &[u8]) -> Option<i32> {
    match tok {
        [year @ .., b'.' | b','] => parse_year(year),
        year => parse_year(year),
    }
}
