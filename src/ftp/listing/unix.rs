//! Unix `ls -l` style LIST lines, as printed by GNU/BSD ls, busybox and the
//! many servers that imitate them (vsftpd, ProFTPD, Pure-FTPd, pyftpdlib,
//! FileZilla Server...), in whatever locale the server runs.
//!
//! Column counts vary between servers (group missing, numeric owners, owner
//! names with spaces, odd padding), so instead of counting columns the date
//! is found by scanning for a date preceded by a size; the name is whatever
//! follows the date after exactly one separator.
//!
//! Dates come in many shapes: `Nov 20 10:00` and `Nov 20  2024` in any
//! language (`20. Nov`, `20 nov.`, `Mär`, `févr.` in UTF-8 or Latin-1),
//! CJK marks in any common encoding (`11月 20 10:00`, `2024年11月20日`),
//! ISO, slashed and dotted dates, and bare numbers (`11 20 10:00`). A date
//! with a month name, a mark or a one-token shape is looked for first; bare
//! numbers only when there is none, as they could be owner/group/size
//! columns too.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};

use super::{Entry, EntryKind, lossy, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8], today: NaiveDate) -> Option<Entry> {
    let toks = tokens(line);
    let cols = Cols { line, toks: &toks };
    let mode = cols.tok(0)?;
    let kind = mode_kind(mode)?;

    // A group run into its size is only considered when no date has a
    // plain size before it.
    for (strong, relaxed) in [(true, false), (true, true), (false, false)] {
        // Index 0 is the mode and at least a size sits before the date. A
        // date right after the first column is taken last: that column is
        // more often a link count before an owner named like a month
        // ("1 des 12 2024 Nov 20 10:00") than a size.
        let mut after_mode = None;
        for i in 2..toks.len() {
            let found = if strong {
                strong_date_at(&cols, i, today)
            } else {
                numeric_date_at(&cols, i, today)
            };
            let Some(found) = found else {
                continue;
            };
            let Some(size) = size_before(&cols, i, &kind, relaxed) else {
                continue;
            };
            // Exactly one separator: further spaces belong to the name.
            let name_start = toks[found.last].1 + 1 + found.pad;
            let Some(name) = line.get(name_start..).filter(|n| !n.is_empty()) else {
                continue;
            };
            if i == 2 {
                after_mode = Some((name, size, found.modified));
                continue;
            }
            return Some(build(name, kind, size, found.modified, mode));
        }
        if let Some((name, size, modified)) = after_mode {
            return Some(build(name, kind, size, modified, mode));
        }
    }
    undated(&cols, kind, mode)
}

/// The line and its space/tab separated columns.
struct Cols<'a> {
    line: &'a [u8],
    toks: &'a [(usize, usize)],
}

impl<'a> Cols<'a> {
    fn tok(&self, i: usize) -> Option<&'a [u8]> {
        self.toks.get(i).map(|&(s, e)| &self.line[s..e])
    }

    /// Bytes of blank between column `i` and the one before it.
    fn gap_before(&self, i: usize) -> Option<usize> {
        let prev = self.toks.get(i.checked_sub(1)?)?;
        Some(self.toks.get(i)?.0 - prev.1)
    }
}

/// A date found in the columns: its value (None when the columns are
/// shaped like a date but name an impossible one, Feb 30 or 24:00, which
/// still locates the name), its last column, and padding to skip on top
/// of the one separator before the name.
struct Found {
    modified: Option<NaiveDateTime>,
    last: usize,
    pad: usize,
}

impl Found {
    fn at(date: Option<NaiveDate>, time: Option<NaiveTime>, last: usize) -> Found {
        Found {
            modified: date.zip(time).map(|(d, t)| d.and_time(t)),
            last,
            pad: 0,
        }
    }
}

fn build(
    name: &[u8],
    kind: EntryKind,
    size: Option<u64>,
    modified: Option<NaiveDateTime>,
    mode: &[u8],
) -> Entry {
    // Only symlinks get split: a regular file may well be called "a -> b".
    let (raw_name, target) = match kind {
        EntryKind::Link => match find(name, b" -> ") {
            Some(at) if at > 0 => (&name[..at], Some(lossy(&name[at + 4..]))),
            _ => (name, None),
        },
        _ => (name, None),
    };
    let mut entry = Entry::named(raw_name, kind);
    entry.size = size;
    entry.modified = modified;
    entry.perm = Some(lossy(mode));
    entry.link_target = target;
    entry
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `-rw-r--r--`, optionally followed by one ACL/xattr/SELinux marker.
fn mode_kind(mode: &[u8]) -> Option<EntryKind> {
    let (&kind, perms) = mode.split_first()?;
    let perms = match perms {
        [p @ .., b'+' | b'@' | b'.'] if p.len() == 9 => p,
        p if p.len() == 9 => p,
        _ => return None,
    };
    // '?' is what ls prints when it could not stat the file.
    if !perms.iter().all(|b| b"rwxsStTlL-?".contains(b)) {
        return None;
    }
    Some(match kind {
        b'-' => EntryKind::File,
        b'd' => EntryKind::Dir,
        b'l' => EntryKind::Link,
        b'b' | b'c' | b'p' | b's' | b'D' => EntryKind::Special(char::from(kind)),
        _ => return None,
    })
}

/// The size column right before the date at column `i`. The outer Option
/// says whether the column looks right at all; the inner one whether it
/// holds a byte count (device numbers do not).
///
/// `relaxed` also takes a group that ran into the size (`ftpusers1234567`,
/// a full fixed-width group column): the size is only split off when the
/// column widths prove where the group ends, and is unknown otherwise.
fn size_before(cols: &Cols, i: usize, kind: &EntryKind, relaxed: bool) -> Option<Option<u64>> {
    let size = cols.tok(i - 1)?;
    let is_device = matches!(kind, EntryKind::Special('b' | 'c'));
    if let Some(n) = parse_u64(size) {
        // "8,   1": the major number ends with a comma, right after the mode
        // at the earliest.
        let major = if i >= 3 { cols.tok(i - 2) } else { None };
        if is_device && major.is_some_and(|m| m.len() > 1 && m.ends_with(b",")) {
            return Some(None);
        }
        return Some(Some(n));
    }
    if is_device && is_device_numbers(size) {
        return Some(None);
    }
    if let Some(bytes) = human_size(size) {
        return Some(Some(bytes));
    }
    if relaxed && i >= 3 {
        return group_and_size(cols, i - 1);
    }
    None
}

/// A group column run into the size. Classic `ls` pads owner and group to
/// eight columns each: when the owner column at `at - 1` is exactly that
/// wide, the group is the first eight bytes and the size the rest.
fn group_and_size(cols: &Cols, at: usize) -> Option<Option<u64>> {
    let tok = cols.tok(at)?;
    let digits = tok.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits == tok.len() || !tok[0].is_ascii_alphabetic() {
        return None;
    }
    let owner = cols.toks[at - 1];
    let proven = owner.1 - owner.0 <= 8 && cols.toks[at].0 == owner.0 + 9 && tok.len() > 8;
    if proven && let Some(n) = parse_u64(&tok[8..]) {
        return Some(Some(n));
    }
    Some(None)
}

/// "8,1" when major and minor are printed without padding.
fn is_device_numbers(tok: &[u8]) -> bool {
    let mut parts = tok.split(|&b| b == b',');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None) if parse_u64(a).is_some() && parse_u64(b).is_some()
    )
}

/// `ls -lh` sizes such as "4.0K", "1,5M" (a comma in some locales) or
/// "12G", as approximate bytes (1024-based, fraction truncated).
fn human_size(tok: &[u8]) -> Option<u64> {
    let (unit, num) = tok.split_last()?;
    let power = match unit {
        b'k' | b'K' => 1,
        b'M' => 2,
        b'G' => 3,
        b'T' => 4,
        b'P' => 5,
        b'E' => 6,
        _ => return None,
    };
    let (int, frac) = match num.iter().position(|&b| b == b'.' || b == b',') {
        Some(at) => (&num[..at], &num[at + 1..]),
        None => (num, &b""[..]),
    };
    if int.is_empty()
        || int.len() > 12
        || frac.len() > 6
        || (frac.is_empty() && int.len() < num.len())
    {
        return None;
    }
    let scale = 10u128.pow(u32::try_from(frac.len()).ok()?);
    let int = u128::from(parse_u64(int)?);
    let frac = if frac.is_empty() {
        0
    } else {
        u128::from(parse_u64(frac)?)
    };
    let bytes = (int * scale + frac) * 1024u128.pow(power) / scale;
    u64::try_from(bytes).ok()
}

/// A date at column `i` with a month name, CJK marks, or a one-column
/// shape (`2024-11-20`, `20.11.2024`, `11-20`...).
fn strong_date_at(cols: &Cols, i: usize, today: NaiveDate) -> Option<Found> {
    let first = cols.tok(i)?;
    if first[0].is_ascii_digit() {
        one_column_date(cols, i, today)
            .or_else(|| day_first(cols, i, today))
            .or_else(|| numbered_date(cols, i, today, true))
    } else {
        month_first(cols, i, today)
    }
}

/// A date of bare numbers: `11 20 10:00`, `11 20  2024`, `2024 11 20`.
/// Those without a time could as well be link count, numeric owner and
/// group, so they are not looked for right after the link count.
fn numeric_date_at(cols: &Cols, i: usize, today: NaiveDate) -> Option<Found> {
    let found = numbered_date(cols, i, today, false)?;
    let has_time = cols.tok(found.last).is_some_and(|t| t.contains(&b':'));
    (has_time || i >= 3).then_some(found)
}

/// `Nov 20 10:00`, `Nov 20  2024`, `Nov 20, 2024`, `Nov 20 2024 10:00`,
/// `Nov 20 10:00:33 2024`, in any of the known languages.
fn month_first(cols: &Cols, i: usize, today: NaiveDate) -> Option<Found> {
    let month = month_name(cols.tok(i)?)?;
    let day = cols.tok(i + 1).and_then(day_with_dot)?;
    time_or_year(cols, month, day, i + 2, today)
}

/// `20 Nov 10:00`, `20. Nov 2024`, `20 nov. 10:00`.
fn day_first(cols: &Cols, i: usize, today: NaiveDate) -> Option<Found> {
    let day = day_with_dot(cols.tok(i)?)?;
    let month = month_name(cols.tok(i + 1)?)?;
    time_or_year(cols, month, day, i + 2, today)
}

/// Month and day known, column `at` holds the time (year inferred) or the
/// year.
fn time_or_year(cols: &Cols, month: u32, day: u32, at: usize, today: NaiveDate) -> Option<Found> {
    let tok = cols.tok(at)?;
    if let Some(year) = year_with_comma(tok) {
        let date = NaiveDate::from_ymd_opt(year, month, day);
        // `ls` right-aligns the year under the times, so "Nov 20  2024"
        // has two blanks and what follows is the name; a single blank is
        // some other server's "Nov 20 2024 10:00".
        let joins = cols.gap_before(at) == Some(1);
        return Some(time_after(cols, date, at, joins));
    }
    let time = parse_time(tok)?;
    // BSD `ls -T`: "Nov 20 10:00:33 2024". Without seconds a year after
    // the time is taken for the start of the name ("2024 report").
    if tok.len() > 5
        && let Some(year) = cols.tok(at + 1).and_then(parse_year)
    {
        let date = NaiveDate::from_ymd_opt(year, month, day);
        return Some(Found::at(date, time, at + 1));
    }
    Some(Found::at(infer_year(month, day, today), time, at))
}

/// A date with its year at column `at`, and maybe a time after it: the
/// time joins when `joins` and it follows after exactly one blank, with a
/// UTC offset after it if it has seconds (`--time-style=full-iso`).
fn time_after(cols: &Cols, date: Option<NaiveDate>, at: usize, joins: bool) -> Found {
    let next = at + 1;
    let time = if joins && cols.gap_before(next) == Some(1) {
        cols.tok(next).and_then(parse_time)
    } else {
        None
    };
    let Some(time) = time else {
        return Found::at(date, NaiveTime::from_hms_opt(0, 0, 0), at);
    };
    let mut last = next;
    if cols.tok(next).is_some_and(|t| t.len() > 5) && cols.tok(next + 1).is_some_and(is_utc_offset)
    {
        last = next + 1;
    }
    Found::at(date, time, last)
}

/// Dates that fit in one column: `2024-11-20`, `2024/11/20`, `11/20/2024`,
/// `20.11.2024`, `20.11.24` (each maybe followed by a time), and GNU's
/// `--time-style=iso` `11-20` followed by a time or a year.
fn one_column_date(cols: &Cols, i: usize, today: NaiveDate) -> Option<Found> {
    let tok = cols.tok(i)?;
    let num = |digits: &[u8]| parse_u32(digits);
    let (date, iso) = match *tok {
        [y1, y2, y3, y4, sep @ (b'-' | b'/'), m1, m2, sep2, d1, d2] if sep == sep2 => {
            let year = parse_year(&[y1, y2, y3, y4])?;
            (ymd(year, num(&[m1, m2])?, num(&[d1, d2])?)?, sep == b'-')
        }
        [m1, m2, b'/', d1, d2, b'/', y1, y2, y3, y4] => {
            let year = parse_year(&[y1, y2, y3, y4])?;
            let (month, day) = month_day_or_swapped(num(&[m1, m2])?, num(&[d1, d2])?);
            (ymd(year, month, day)?, false)
        }
        [d1, d2, b'.', m1, m2, b'.', ref year @ ..] if year.len() == 4 || year.len() == 2 => {
            let year = match year.len() {
                4 => parse_year(year)?,
                _ => two_digit_year(num(year)?),
            };
            (ymd(year, num(&[m1, m2])?, num(&[d1, d2])?)?, false)
        }
        [m1, m2, b'-', d1, d2] => {
            let (month, day) = (num(&[m1, m2])?, num(&[d1, d2])?);
            if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
                return None;
            }
            let next = cols.tok(i + 1)?;
            if let Some(year) = parse_year(next) {
                let date = NaiveDate::from_ymd_opt(year, month, day);
                return Some(time_after(
                    cols,
                    date,
                    i + 1,
                    cols.gap_before(i + 1) == Some(1),
                ));
            }
            let time = parse_time(next)?;
            return Some(Found::at(infer_year(month, day, today), time, i + 1));
        }
        _ => return None,
    };
    let mut found = time_after(cols, date, i, true);
    // `--time-style=iso` prints old dates as "2024-11-20 " to line up with
    // "11-20 10:00": that blank is padding, not part of the name.
    if iso && found.last == i && cols.gap_before(i + 1).is_some_and(|g| g >= 2) {
        found.pad = 1;
    }
    Some(found)
}

/// US month/day order, unless the first number cannot be a month and the
/// second can: "20/11/2024" is the 20th of November. "05/11/2024" stays
/// May 11, which only moves the date, never the name.
pub(super) fn month_day_or_swapped(first: u32, second: u32) -> (u32, u32) {
    if first > 12 && (1..=12).contains(&second) {
        (second, first)
    } else {
        (first, second)
    }
}

/// The shape of a date (month 1-12, day 1-31); the inner Option is None
/// for dates the calendar lacks (Feb 30).
fn ymd(year: i32, month: u32, day: u32) -> Option<Option<NaiveDate>> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(NaiveDate::from_ymd_opt(year, month, day))
}

/// Same pivot as DOS listings: 00-69 are 20xx.
pub(super) fn two_digit_year(y: u32) -> i32 {
    let y = i32::try_from(y % 100).unwrap_or(0);
    if y < 70 { 2000 + y } else { 1900 + y }
}

/// What a CJK date mark after a number says it is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Year,
    Month,
    Day,
}

/// 年, 月, 日 (and Korean 년, 월, 일) in UTF-8, GBK, Big5, Shift-JIS,
/// EUC-JP and EUC-KR: a server in a CJK locale sends them in its own
/// encoding.
const MARKS: [(&[u8], Mark); 24] = [
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
struct Part {
    value: u32,
    digits: usize,
    mark: Option<Mark>,
    col: usize,
}

/// The numbers of a column such as `11`, `11月` or `2024年11月20日`,
/// appended to `parts`; false (and nothing appended) when the column is
/// anything else.
fn push_parts(tok: &[u8], col: usize, parts: &mut [Option<Part>; 3], n: &mut usize) -> bool {
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
        let mark = MARKS.iter().find(|(m, _)| rest.starts_with(m));
        if let Some((bytes, _)) = mark {
            rest = &rest[bytes.len()..];
        } else if !rest.is_empty() {
            *n = before;
            return false;
        }
        parts[*n] = Some(Part {
            value,
            digits,
            mark: mark.map(|&(_, m)| m),
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
fn numbered_date(cols: &Cols, i: usize, today: NaiveDate, marked: bool) -> Option<Found> {
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
    let fits = |part: &Part, want: Mark| part.mark.is_none_or(|m| m == want);
    let wanted = |used: &[Part]| !marked || used.iter().any(|p| p.mark.is_some());
    // A bare year must look like one; with 年 any four digits do.
    let year_of = |part: &Part| match part.mark {
        Some(Mark::Year) => Some(part.value),
        Some(_) => None,
        None => Some(part.value).filter(|y| (1900..=2100).contains(y)),
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
fn size_then_month_day_time(cols: &Cols, i: usize, y: &Part, m: &Part, d: &Part) -> bool {
    y.mark.is_none()
        && i < 5
        && m.col != y.col
        && m.digits <= 2
        && (1..=12).contains(&m.value)
        && cols.tok(d.col + 1).and_then(parse_time).is_some()
}

/// A day with the dot German dates put after it ("20.") or the comma of
/// "Nov 20, 2024".
fn day_with_dot(tok: &[u8]) -> Option<u32> {
    match tok {
        [day @ .., b'.' | b','] => parse_day(day),
        day => parse_day(day),
    }
}

/// A year, maybe with the comma or dot some formats put after it.
fn year_with_comma(tok: &[u8]) -> Option<i32> {
    match tok {
        [year @ .., b'.' | b','] => parse_year(year),
        year => parse_year(year),
    }
}

const MONTHS: [&[u8]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// The English abbreviations `ls` prints in the C locale.
pub(super) fn month_number(tok: &[u8]) -> Option<u32> {
    let index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(tok))?;
    u32::try_from(index + 1).ok()
}

/// A month name or abbreviation in English, German, French, Spanish,
/// Italian, Dutch, Swedish, Norwegian or Danish, in any case, with or
/// without a dot or comma after it, its accented letters in UTF-8 or in
/// Latin-1.
fn month_name(tok: &[u8]) -> Option<u32> {
    let word = match tok {
        [word @ .., b'.' | b','] => word,
        word => word,
    };
    // Most columns tried here are three ASCII letters (owners, groups,
    // C-locale months): one match instead of a table walk keeps the scan
    // for the date as fast as it was with English months only.
    if let &[a, b, c] = word
        && word.is_ascii()
    {
        return match [a, b, c].map(|l| l.to_ascii_lowercase()) {
            [b'j', b'a', b'n'] | [b'g', b'e', b'n'] | [b'e', b'n', b'e'] => Some(1),
            [b'f', b'e', b'b' | b'v'] => Some(2),
            [b'm', b'a', b'r'] | [b'm', b'r', b'z' | b't'] => Some(3),
            [b'a', b'p' | b'b' | b'v', b'r'] => Some(4),
            [b'm', b'a', b'y' | b'i' | b'j' | b'g'] | [b'm', b'e', b'i'] => Some(5),
            [b'j', b'u', b'n'] | [b'g', b'i', b'u'] => Some(6),
            [b'j', b'u', b'l'] | [b'l', b'u', b'g'] => Some(7),
            [b'a', b'u', b'g'] | [b'a', b'g', b'o'] => Some(8),
            [b's', b'e', b'p' | b't'] => Some(9),
            [b'o', b'c' | b'k', b't'] | [b'o', b't', b't'] => Some(10),
            [b'n', b'o', b'v'] => Some(11),
            [b'd', b'e', b'c' | b'z' | b's'] | [b'd', b'i', b'c'] => Some(12),
            _ => None,
        };
    }
    if !(3..=12).contains(&word.len()) {
        return None;
    }
    let names: &[(&str, u32)] = match word[0].to_ascii_lowercase() {
        b'a' => &[
            ("août", 8),
            ("aout", 8),
            ("april", 4),
            ("avril", 4),
            ("abril", 4),
            ("aprile", 4),
            ("august", 8),
            ("agosto", 8),
            ("augusti", 8),
            ("augustus", 8),
        ],
        b'd' => &[
            ("déc", 12),
            ("december", 12),
            ("dezember", 12),
            ("desember", 12),
            ("décembre", 12),
            ("decembre", 12),
            ("diciembre", 12),
            ("dicembre", 12),
        ],
        b'e' => &[("enero", 1)],
        b'f' => &[
            ("fév", 2),
            ("févr", 2),
            ("fevr", 2),
            ("februar", 2),
            ("february", 2),
            ("februari", 2),
            ("février", 2),
            ("fevrier", 2),
            ("febrero", 2),
            ("febbraio", 2),
        ],
        b'g' => &[("gennaio", 1), ("giugno", 6)],
        b'j' => &[
            ("jän", 1),
            ("janv", 1),
            ("juin", 6),
            ("juil", 7),
            ("june", 6),
            ("july", 7),
            ("juni", 6),
            ("juli", 7),
            ("junio", 6),
            ("julio", 7),
            ("januar", 1),
            ("jänner", 1),
            ("january", 1),
            ("januari", 1),
            ("janvier", 1),
            ("juillet", 7),
        ],
        b'l' => &[("luglio", 7)],
        b'm' => &[
            ("mär", 3),
            ("mars", 3),
            ("märz", 3),
            ("mayo", 5),
            ("march", 3),
            ("marts", 3),
            ("maart", 3),
            ("marzo", 3),
            ("maggio", 5),
        ],
        b'n' => &[("november", 11), ("novembre", 11), ("noviembre", 11)],
        b'o' => &[
            ("october", 10),
            ("oktober", 10),
            ("octobre", 10),
            ("octubre", 10),
            ("ottobre", 10),
        ],
        b's' => &[
            ("sept", 9),
            ("september", 9),
            ("septembre", 9),
            ("septiembre", 9),
            ("setiembre", 9),
            ("settembre", 9),
        ],
        _ => return None,
    };
    names
        .iter()
        .find(|(name, _)| folds_to(word, name))
        .map(|&(_, month)| month)
}

/// Whether `bytes` spell the lower-case `word` ignoring case, reading
/// non-ASCII letters as UTF-8 where they are valid two-byte Latin-1
/// letters and as Latin-1 otherwise.
fn folds_to(bytes: &[u8], word: &str) -> bool {
    let mut at = 0;
    for want in word.chars() {
        let Some(&b) = bytes.get(at) else {
            return false;
        };
        let code = match (b, bytes.get(at + 1)) {
            (0xc2..=0xc3, Some(&next @ 0x80..=0xbf)) => {
                at += 2;
                (u32::from(b & 0x1f) << 6) | u32::from(next & 0x3f)
            }
            _ => {
                at += 1;
                u32::from(b)
            }
        };
        // Latin-1 upper case (À-Þ but ×) is lower case plus 0x20.
        let lower = match code {
            0x41..=0x5a => code + 0x20,
            0xc0..=0xde if code != 0xd7 => code + 0x20,
            _ => code,
        };
        if char::from_u32(lower) != Some(want) {
            return false;
        }
    }
    at == bytes.len()
}

pub(super) fn parse_day(tok: &[u8]) -> Option<u32> {
    if tok.len() > 2 {
        return None;
    }
    parse_u32(tok).filter(|d| (1..=31).contains(d))
}

pub(super) fn parse_year(tok: &[u8]) -> Option<i32> {
    if tok.len() != 4 {
        return None;
    }
    parse_u32(tok).and_then(|y| i32::try_from(y).ok())
}

/// "H:MM", "HH:MM" or "HH:MM:SS[.frac]". The outer Option is the shape,
/// the inner one whether it is a real time of day.
pub(super) fn parse_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let mut parts = tok.splitn(3, |&b| b == b':');
    let hour = parts.next().filter(|h| (1..=2).contains(&h.len()))?;
    let minute = parts.next().filter(|m| m.len() == 2)?;
    let (hour, minute) = (parse_u32(hour)?, parse_u32(minute)?);
    let Some(rest) = parts.next() else {
        return Some(NaiveTime::from_hms_opt(hour, minute, 0));
    };
    let (second, frac) = match rest.iter().position(|&b| b == b'.') {
        Some(dot) => (&rest[..dot], &rest[dot + 1..]),
        None => (rest, &b""[..]),
    };
    if second.len() != 2 || frac.len() > 9 || (rest.len() > 2 && frac.is_empty()) {
        return None;
    }
    let second = parse_u32(second)?;
    let nanos = if frac.is_empty() {
        0
    } else {
        parse_u32(frac)? * 10u32.pow(9 - u32::try_from(frac.len()).ok()?)
    };
    Some(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos))
}

fn is_utc_offset(tok: &[u8]) -> bool {
    matches!(tok, [b'+' | b'-', rest @ ..] if rest.len() == 4 && parse_u32(rest).is_some())
}

/// `ls` omits the year for recent files. Pick the latest year that does not
/// put the date more than a day after `today`: the day of slack absorbs a
/// server whose clock or time zone is ahead of ours.
pub(super) fn infer_year(month: u32, day: u32, today: NaiveDate) -> Option<NaiveDate> {
    let limit = today.checked_add_days(Days::new(1)).unwrap_or(today);
    // Feb 29 may need eight years back: 2100 is not a leap year.
    (0..=9)
        .map(|back| today.year() + 1 - back)
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date <= limit)
}

/// A line with no date at all: `-rw-r--r-- 1 owner group 1234 name`, and
/// only that exact shape, as anything else leaves the name's start in
/// doubt. A time or a year among the columns after the size means a date
/// this parser could not read, which must not end up in the name.
fn undated(cols: &Cols, kind: EntryKind, mode: &[u8]) -> Option<Entry> {
    if matches!(kind, EntryKind::Special('b' | 'c')) {
        return None;
    }
    let numeric = |t: &[u8]| parse_u64(t).is_some();
    let (links, owner, group) = (cols.tok(1)?, cols.tok(2)?, cols.tok(3)?);
    let size = parse_u64(cols.tok(4)?)?;
    let first = cols.tok(5)?;
    // A numeric group after a named owner may be the size of a line
    // without a group.
    if !numeric(links) || (numeric(group) && !numeric(owner)) {
        return None;
    }
    if first[0].is_ascii_digit() || month_name(first).is_some() {
        return None;
    }
    let date_like = |t: &[u8]| parse_time(t).is_some() || parse_year(t).is_some();
    if (5..cols.toks.len())
        .filter_map(|k| cols.tok(k))
        .any(date_like)
    {
        return None;
    }
    let name = &cols.line[cols.toks[4].1 + 1..];
    Some(build(name, kind, Some(size), None, mode))
}

#[cfg(test)]
mod tests {
    use super::super::{ListLine, parse_list, parse_list_line};
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        date(y, m, d).and_hms_opt(h, min, 0)
    }

    fn today() -> NaiveDate {
        date(2026, 11, 22)
    }

    fn one(line: &[u8]) -> Entry {
        match parse_list_line(line, today()) {
            ListLine::Entry(e) => e,
            ListLine::Skip => panic!("line skipped: {:?}", String::from_utf8_lossy(line)),
        }
    }

    #[test]
    fn vsftpd_file() {
        let e = one(b"-rw-r--r--    1 1000     1000         1234 Nov 20 10:00 readme.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "readme.txt");
        assert_eq!(e.raw_name, b"readme.txt");
        assert_eq!(e.size, Some(1234));
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
        assert_eq!(e.perm.as_deref(), Some("-rw-r--r--"));
        assert_eq!(e.link_target, None);
        assert_eq!(e.raw, None);
    }

    #[test]
    fn vsftpd_dir_with_year() {
        let e = one(b"drwxr-xr-x    2 ftp      ftp          4096 Mar 03  2019 pub");
        assert!(e.is_dir());
        assert_eq!(e.name, "pub");
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.modified, at(2019, 3, 3, 0, 0));
    }

    #[test]
    fn proftpd_symlink() {
        let e =
            one(b"lrwxrwxrwx   1 root     root           11 Jan  5 09:30 latest -> release-1.2");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.name, "latest");
        assert_eq!(e.link_target.as_deref(), Some("release-1.2"));
        assert_eq!(e.modified, at(2026, 1, 5, 9, 30));
    }

    #[test]
    fn symlink_splits_on_first_arrow_only() {
        let e = one(b"lrwxrwxrwx 1 u g 3 Jan 5 09:30 a -> b -> c");
        assert_eq!(e.name, "a");
        assert_eq!(e.link_target.as_deref(), Some("b -> c"));
    }

    #[test]
    fn regular_file_with_arrow_is_not_split() {
        let e = one(b"-rw-r--r-- 1 u g 3 Jan 5 09:30 before -> after.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "before -> after.txt");
        assert_eq!(e.link_target, None);
    }

    #[test]
    fn pure_ftpd_padding() {
        let e = one(b"-rw-r--r--    1 ftpuser    ftpgroup        42 Oct 10 07:05 notes #1.md");
        assert_eq!(e.name, "notes #1.md");
        assert_eq!(e.size, Some(42));
    }

    #[test]
    fn pyftpdlib_line() {
        let e = one(b"-rw-rw-rw-   1 owner    group        5 Nov 20 10:10 a b.txt");
        assert_eq!(e.name, "a b.txt");
        assert_eq!(e.size, Some(5));
    }

    #[test]
    fn busybox_numeric_owner() {
        let e = one(b"-rw-r--r--    1 0        0           123456 Jul  4  2023 firmware.bin");
        assert_eq!(e.size, Some(123_456));
        assert_eq!(e.modified, at(2023, 7, 4, 0, 0));
    }

    #[test]
    fn filezilla_server() {
        let e = one(b"-rw-r--r-- 1 ftp ftp  123 Nov 20 10:00 Report Q3.xlsx");
        assert_eq!(e.name, "Report Q3.xlsx");
        assert_eq!(e.size, Some(123));
        let d = one(b"drwxr-xr-x 1 ftp ftp              0 Nov 20  2025 Backups");
        assert!(d.is_dir());
        assert_eq!(d.modified, at(2025, 11, 20, 0, 0));
    }

    #[test]
    fn group_missing() {
        let e = one(b"-rw-r--r--   1 owner   1234 Nov 20 10:00 name");
        assert_eq!(e.name, "name");
        assert_eq!(e.size, Some(1234));
    }

    #[test]
    fn no_link_count_no_group() {
        let e = one(b"-rw-r--r-- owner 77 nov 20 10:00 lower-month");
        assert_eq!(e.size, Some(77));
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
    }

    #[test]
    fn acl_suffixes() {
        let selinux = one(b"-rw-r--r--. 1 root root 0 Nov 20 10:00 selinux");
        assert_eq!(selinux.perm.as_deref(), Some("-rw-r--r--."));
        assert_eq!(selinux.name, "selinux");
        let mac = one(b"drwxr-xr-x@ 12 alice  staff   384 Nov 20 10:00 Library");
        assert!(mac.is_dir());
        let acl = one(b"-rw-rw-r--+ 1 bob users 9 Nov 20 10:00 shared");
        assert_eq!(acl.size, Some(9));
    }

    #[test]
    fn device_files() {
        let e = one(b"crw-rw-rw-   1 root     root       1,   3 Nov 20 10:00 null");
        assert_eq!(e.kind, EntryKind::Special('c'));
        assert_eq!(e.size, None);
        assert_eq!(e.name, "null");
        let b = one(b"brw-rw----   1 root     disk       8,   0 Nov 20 10:00 sda");
        assert_eq!(b.kind, EntryKind::Special('b'));
        assert_eq!(b.size, None);
        let packed = one(b"brw-rw---- 1 root disk 8,16 Nov 20 10:00 sdb");
        assert_eq!(packed.size, None);
        assert_eq!(packed.name, "sdb");
    }

    #[test]
    fn pipes_sockets_doors() {
        assert_eq!(
            one(b"prw-r--r-- 1 u g 0 Nov 20 10:00 fifo").kind,
            EntryKind::Special('p')
        );
        assert_eq!(
            one(b"srwxrwxrwx 1 u g 0 Nov 20 10:00 sock").kind,
            EntryKind::Special('s')
        );
        assert_eq!(
            one(b"Dr--r--r-- 1 root root 0 Nov 20 10:00 door").kind,
            EntryKind::Special('D')
        );
    }

    #[test]
    fn leading_spaces_preserved() {
        let e = one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00   two spaces");
        assert_eq!(e.name, "  two spaces");
        let y = one(b"-rw-r--r-- 1 u g 5 Nov 20  2024  one");
        assert_eq!(y.name, " one");
    }

    #[test]
    fn awkward_names() {
        assert_eq!(one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 -rf").name, "-rf");
        assert_eq!(
            one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 \"quoted\" 'x'").name,
            "\"quoted\" 'x'"
        );
        assert_eq!(
            one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 trailing ").name,
            "trailing "
        );
        // The name itself looks like more columns.
        let e = one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 Dec 01 2020 x");
        assert_eq!(e.name, "Dec 01 2020 x");
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
    }

    #[test]
    fn unicode_names() {
        let e = one("-rw-r--r-- 1 u g 5 Nov 20 10:00 日本語 ファイル.txt".as_bytes());
        assert_eq!(e.name, "日本語 ファイル.txt");
        let e = one("-rw-r--r-- 1 u g 5 Nov 20 10:00 emoji 🎉.bin".as_bytes());
        assert_eq!(e.name, "emoji 🎉.bin");
    }

    #[test]
    fn non_utf8_name_keeps_bytes() {
        let e = one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 caf\xe9.txt");
        assert_eq!(e.raw_name, b"caf\xe9.txt");
        assert_eq!(e.name, "caf\u{fffd}.txt");
    }

    #[test]
    fn year_inference_around_new_year() {
        let jan2 = date(2026, 1, 2);
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Dec 31 23:59 old", jan2);
        assert_eq!(e[0].modified, at(2025, 12, 31, 23, 59));
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Jan 03 00:01 tomorrow", jan2);
        assert_eq!(e[0].modified, at(2026, 1, 3, 0, 1));
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Jan 04 00:01 too-far", jan2);
        assert_eq!(e[0].modified, at(2025, 1, 4, 0, 1));
        // A server ahead of us is already in the new year.
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Jan 01 00:30 ahead", date(2025, 12, 31));
        assert_eq!(e[0].modified, at(2026, 1, 1, 0, 30));
    }

    proptest::proptest! {
        #[test]
        fn inferred_year_is_within_the_last_year(
            offset in 0u64..40_000,
            month in 1u32..=12,
            day in 1u32..=28,
        ) {
            let today = date(1990, 1, 1) + Days::new(offset);
            let limit = today + Days::new(1);
            let got = infer_year(month, day, today).expect("a day <= 28 exists every year");
            proptest::prop_assert!(got <= limit);
            proptest::prop_assert!(got.with_year(got.year() + 1).expect("day <= 28") > limit);
        }
    }

    #[test]
    fn leap_day_goes_back_to_a_leap_year() {
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Feb 29 12:00 leap", date(2027, 3, 1));
        assert_eq!(e[0].modified, at(2024, 2, 29, 12, 0));
    }

    #[test]
    fn impossible_date_still_parses_name() {
        for line in [
            &b"-rw-r--r-- 1 u g 5 Feb 31  2024 odd"[..],
            b"-rw-r--r-- 1 u g 5 Feb 01 24:00 odd",
            b"-rw-r--r-- 1 u g 5 2024-02-30 10:00 odd",
        ] {
            let e = one(line);
            assert_eq!(e.kind, EntryKind::File);
            assert_eq!(e.name, "odd");
            assert_eq!(e.modified, None);
        }
    }

    #[test]
    fn iso_time_styles() {
        let e = one(b"-rw-r--r-- 1 root root 3 2024-11-20 10:05 long iso");
        assert_eq!(e.name, "long iso");
        assert_eq!(e.modified, at(2024, 11, 20, 10, 5));
        let e = one(b"-rw-r--r-- 1 root root 3 2024-11-20 10:05:07.123456789 +0100 full iso");
        assert_eq!(e.name, "full iso");
        let expected = date(2024, 11, 20).and_hms_nano_opt(10, 5, 7, 123_456_789);
        assert_eq!(e.modified, expected);
    }

    #[test]
    fn bsd_full_time() {
        let e = one(b"-rw-r--r--  1 alice  staff  10 Nov 20 10:00:33 2024 full");
        assert_eq!(e.name, "full");
        assert_eq!(e.modified, date(2024, 11, 20).and_hms_opt(10, 0, 33));
    }

    #[test]
    fn human_sizes() {
        let e = one(b"-rw-r--r-- 1 u g 4.0K Nov 20 10:00 small");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(4096));
    }

    #[test]
    fn netware_and_others_are_not_unix() {
        for line in [
            &b"d [RWCEAFMS] admin                 512 Nov 20 10:00 SYSTEM"[..],
            b"- [R----F--] jdoe                 1024 Nov 20 10:00 login.exe",
            b"drwxr-xr-x 2 u g 4096 Nov 20 10:00",
            b"-rw-r--r-- 1 u g 12 Foo 20 10:00 x",
        ] {
            // The NetWare lines belong to netware.rs; ls must not claim them.
            assert!(
                parse(line, today()).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}

/// The date, owner and size shapes of servers in other locales and of
/// other `ls` look-alikes. Sample lines are written from what each `ls`
/// time style and locale prints.
#[cfg(test)]
mod shape_tests {
    use super::super::fixtures::{at, at_s, one};
    use super::super::{EntryKind, ListLine, parse_list_line};

    /// Asserts a line reads as a file of `size` bytes named `name`,
    /// modified at `when`.
    #[track_caller]
    fn reads(line: &[u8], name: &[u8], size: Option<u64>, when: Option<chrono::NaiveDateTime>) {
        let e = one(line);
        let shown = String::from_utf8_lossy(line);
        assert_eq!(e.kind, EntryKind::File, "{shown}");
        assert_eq!(e.raw_name, name, "{shown}: name {:?}", e.name);
        assert_eq!(e.size, size, "{shown}");
        assert_eq!(e.modified, when, "{shown}");
    }

    #[test]
    fn numeric_months() {
        reads(
            b"-rw-r--r-- 1 u g 1234 11 20 10:00 name",
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 1234 11 20  2024 name",
            b"name",
            Some(1234),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 1234  3  5 09:07 name",
            b"name",
            Some(1234),
            at(2026, 3, 5, 9, 7),
        );
        reads(
            b"-rw-r--r-- 1 u g 1234 2024 11 20 name",
            b"name",
            Some(1234),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 1234 2024 11 20 10:00 name",
            b"name",
            Some(1234),
            at(2024, 11, 20, 10, 0),
        );
    }

    #[test]
    fn numeric_owner_and_group_are_not_a_date() {
        // "1 1 4096" must not read as month 1, day 1, year 4096.
        let e = one(b"drwxr-xr-x 2 1 1 4096 11 20 10:00 dir");
        assert_eq!((e.name.as_str(), e.size), ("dir", Some(4096)));
        let e = one(b"-rw-r--r-- 1 1 2 1999 11 20 10:00 x");
        assert_eq!((e.name.as_str(), e.size), ("x", Some(1999)));
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
        let e = one(b"-rw-r--r-- 1 0 0 2024 11 20 x");
        assert_eq!((e.name.as_str(), e.size), ("x", Some(0)));
        // A month name anywhere wins over bare numbers before it.
        let e = one(b"drwxr-xr-x 2 1 1 4096 Nov 20 10:00 dir");
        assert_eq!((e.name.as_str(), e.size), ("dir", Some(4096)));
    }

    #[test]
    fn iso_style_month_day() {
        // `ls --time-style=iso`: "11-20 10:00" when recent, "2024-11-20 "
        // (padded to the same width) when old.
        reads(
            b"-rw-r--r-- 1 u g 5 11-20 10:00 recent",
            b"recent",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 2024-11-20  old",
            b"old",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 2024-11-20   spaced",
            b" spaced",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 11-20 2024 y",
            b"y",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 2024-11-20 10:00 t",
            b"t",
            Some(5),
            at(2024, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 2024-11-20 10:00:12.123456789 +0100 f",
            b"f",
            Some(5),
            at_s(2024, 11, 20, 10, 0, 12).map(|t| t + chrono::Duration::nanoseconds(123_456_789)),
        );
    }

    #[test]
    fn slash_and_dotted_dates() {
        reads(
            b"-rw-r--r-- 1 u g 5 2024/11/20 a",
            b"a",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 2024/11/20 10:00 a",
            b"a",
            Some(5),
            at(2024, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 11/20/2024 b",
            b"b",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 11/20/2024 22:15 b",
            b"b",
            Some(5),
            at(2024, 11, 20, 22, 15),
        );
        // Day first where the first number cannot be a month.
        reads(
            b"-rw-r--r-- 1 u g 5 20/11/2024 b",
            b"b",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 05/11/2024 b",
            b"b",
            Some(5),
            at(2024, 5, 11, 0, 0),
        );
        assert_eq!(
            one(b"-rw-r--r-- 1 u g 5 20/13/2024 b").kind,
            EntryKind::Unparsed
        );
        reads(
            b"-rw-r--r-- 1 u g 5 20.11.2024 c",
            b"c",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 20.11.24 10:00 c",
            b"c",
            Some(5),
            at(2024, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 01.02.99 c",
            b"c",
            Some(5),
            at(1999, 2, 1, 0, 0),
        );
        // Impossible days keep the entry without a date.
        reads(b"-rw-r--r-- 1 u g 5 31.02.2024 c", b"c", Some(5), None);
    }

    #[test]
    fn day_first_and_commas() {
        reads(
            b"-rw-r--r-- 1 u g 5 20 Nov 10:00 a",
            b"a",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 20 Nov  2024 a",
            b"a",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 20. Nov 10:00 a",
            b"a",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20, 2024 a",
            b"a",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20, 2024 10:00 a",
            b"a",
            Some(5),
            at(2024, 11, 20, 10, 0),
        );
    }

    #[test]
    fn year_and_time_together() {
        // One blank before the year: a server printing both.
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 2024 10:00 a",
            b"a",
            Some(5),
            at(2024, 11, 20, 10, 0),
        );
        // ls -T has seconds.
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 10:00:33 2024 a",
            b"a",
            Some(5),
            at_s(2024, 11, 20, 10, 0, 33),
        );
        // Without seconds a year after the time is the name's: ls prints
        // "HH:MM name" and files are often named after years.
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 10:00 2024 report",
            b"2024 report",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
    }

    #[test]
    fn names_that_look_like_dates() {
        // ls right-aligns the year: two blanks, and then the name.
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20  2024 10:00.txt",
            b"10:00.txt",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20  2024 10:00 x",
            b"10:00 x",
            Some(5),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 10:00 12:30",
            b"12:30",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 10:00 2024",
            b"2024",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 10:00 11 20 10:00",
            b"11 20 10:00",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 Nov 20 10:00 007",
            b"007",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 11 20 10:00  lead",
            b" lead",
            Some(5),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 u g 5 2024-11-20 10:00 20 Nov 10:00",
            b"20 Nov 10:00",
            Some(5),
            at(2024, 11, 20, 10, 0),
        );
    }

    #[test]
    fn german_months() {
        let months: [(&[u8], u32); 19] = [
            (b"Jan", 1),
            (b"Feb", 2),
            (b"M\xc3\xa4r", 3),
            (b"M\xe4r", 3),
            (b"Mrz", 3),
            (b"M\xc3\xa4rz", 3),
            (b"Apr", 4),
            (b"Mai", 5),
            (b"Jun", 6),
            (b"Jul", 7),
            (b"Aug", 8),
            (b"Sep", 9),
            (b"Okt", 10),
            (b"Nov", 11),
            (b"Dez", 12),
            (b"Januar", 1),
            (b"M\xe4rz", 3),
            (b"Oktober", 10),
            (b"Dezember", 12),
        ];
        for (month, number) in months {
            let mut line = b"-rw-r--r-- 1 u g 5 ".to_vec();
            line.extend_from_slice(month);
            line.extend_from_slice(b" 20  2024 datei");
            reads(&line, b"datei", Some(5), at(2024, number, 20, 0, 0));
            // "20. Okt 10:00", as de_DE `ls` prints it.
            let mut line = b"-rw-r--r-- 1 u g 5 20. ".to_vec();
            line.extend_from_slice(month);
            line.extend_from_slice(b" 2024 datei");
            reads(&line, b"datei", Some(5), at(2024, number, 20, 0, 0));
        }
    }

    #[test]
    fn french_months() {
        let months: [(&[u8], u32); 19] = [
            (b"janv.", 1),
            (b"f\xc3\xa9vr.", 2),
            (b"f\xe9vr.", 2),
            (b"mars", 3),
            (b"avr.", 4),
            (b"mai", 5),
            (b"juin", 6),
            (b"juil.", 7),
            (b"ao\xc3\xbbt", 8),
            (b"ao\xfbt", 8),
            (b"sept.", 9),
            (b"oct.", 10),
            (b"nov.", 11),
            (b"d\xc3\xa9c.", 12),
            (b"d\xe9c.", 12),
            (b"F\xc3\x89VR.", 2),
            (b"AO\xdbT", 8),
            (b"janvier", 1),
            (b"d\xc3\xa9cembre", 12),
        ];
        for (month, number) in months {
            let mut line = b"-rw-r--r-- 1 u g 5 20 ".to_vec();
            line.extend_from_slice(month);
            line.extend_from_slice(b" 10:00 fichier \xe9t\xe9");
            // December 20 is still ahead of "today" (Nov 22): last year's.
            let year = if number == 12 { 2025 } else { 2026 };
            reads(
                &line,
                b"fichier \xe9t\xe9",
                Some(5),
                at(year, number, 20, 10, 0),
            );
        }
    }

    #[test]
    fn spanish_italian_dutch_scandinavian_months() {
        let months = "ene=1 feb=2 mar=3 abr=4 may=5 jun=6 jul=7 ago=8 sep=9 sept=9 oct=10 \
            nov=11 dic=12 gen=1 mag=5 giu=6 lug=7 set=9 ott=10 mrt=3 mei=5 okt=10 dec=12 \
            maj=5 mai=5 des=12 enero=1 septiembre=9 diciembre=12 gennaio=1 settembre=9 \
            maart=3 augustus=8 januari=1 augusti=8 marts=3 desember=12 ENE.=1 Gen,=1 MEI=5 fev=2 avr=4 AGO=8";
        let months = months.split_whitespace().map(|pair| {
            let (month, number) = pair.split_once('=').expect("month=number");
            (month, number.parse::<u32>().expect("number"))
        });
        for (month, number) in months {
            let line = format!("-rw-r--r-- 1 u g 5 {month} 20 10:00 f");
            let year = if number == 12 { 2025 } else { 2026 };
            reads(line.as_bytes(), b"f", Some(5), at(year, number, 20, 10, 0));
        }
    }

    #[test]
    fn unknown_words_are_not_months() {
        for word in [
            "Foo", "ma", "m\u{e4}", "janvx", "Mär.z", "out", "auo", "agg", "mrx", "ftp",
        ] {
            let line = format!("-rw-r--r-- 1 u g 5 {word} 20 10:00 f");
            assert_eq!(one(line.as_bytes()).kind, EntryKind::Unparsed, "{line}");
        }
    }

    #[test]
    fn cjk_marks_in_utf8() {
        reads(
            "-rw-r--r-- 1 u g 1234 11月 20日 10:00 name".as_bytes(),
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 11月 20 10:00 name".as_bytes(),
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 11月 20  2024 name".as_bytes(),
            b"name",
            Some(1234),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234  3月  5  2024 name".as_bytes(),
            b"name",
            Some(1234),
            at(2024, 3, 5, 0, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 2024年11月20日 name".as_bytes(),
            b"name",
            Some(1234),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 2024年11月20日 10:00 name".as_bytes(),
            b"name",
            Some(1234),
            at(2024, 11, 20, 10, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 2024年 11月 20日 name".as_bytes(),
            b"name",
            Some(1234),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 11月20日 10:00 name".as_bytes(),
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 11월 20일 10:00 이름".as_bytes(),
            "이름".as_bytes(),
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            "-rw-r--r-- 1 u g 1234 2024년 11월 20일 이름".as_bytes(),
            "이름".as_bytes(),
            Some(1234),
            at(2024, 11, 20, 0, 0),
        );
        reads(
            "-rw-r--r-- 1 所有者 组 1234 11月 20 10:00 文件 名".as_bytes(),
            "文件 名".as_bytes(),
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
    }

    #[test]
    fn cjk_marks_in_legacy_encodings() {
        // (year, month, day) marks: GBK, Shift-JIS, EUC-KR, Big5, EUC-JP.
        let encodings: [(&[u8], &[u8], &[u8]); 5] = [
            (b"\xc4\xea", b"\xd4\xc2", b"\xc8\xd5"),
            (b"\x94\x4e", b"\x8c\x8e", b"\x93\xfa"),
            (b"\xb3\xe2", b"\xbf\xf9", b"\xc0\xcf"),
            (b"\xa6\x7e", b"\xa4\xeb", b"\xa4\xe9"),
            (b"\xc7\xaf", b"\xb7\xee", b"\xc6\xfc"),
        ];
        for (year, month, day) in encodings {
            let head = b"-rw-r--r-- 1 u g 1234 ";
            let recent = [&head[..], b"11", month, b" 20", day, b" 10:00 n\xb0"].concat();
            reads(&recent, b"n\xb0", Some(1234), at(2026, 11, 20, 10, 0));
            let bare_day = [&head[..], b"11", month, b" 20 10:00 n"].concat();
            reads(&bare_day, b"n", Some(1234), at(2026, 11, 20, 10, 0));
            let old = [&head[..], b"11", month, b" 20  2024 n"].concat();
            reads(&old, b"n", Some(1234), at(2024, 11, 20, 0, 0));
            let full = [&head[..], b"2024", year, b"11", month, b"20", day, b" n"].concat();
            reads(&full, b"n", Some(1234), at(2024, 11, 20, 0, 0));
            let spaced = [
                &head[..],
                b"2024",
                year,
                b" 11",
                month,
                b" 20",
                day,
                b" 10:00 n",
            ]
            .concat();
            reads(&spaced, b"n", Some(1234), at(2024, 11, 20, 10, 0));
            // A name starting with a mark keeps it.
            let name = [month, &b"x"[..]].concat();
            let marked_name = [&head[..], b"11", month, b" 20 10:00 ", &name].concat();
            reads(&marked_name, &name, Some(1234), at(2026, 11, 20, 10, 0));
        }
    }

    #[test]
    fn marks_in_the_wrong_place_are_no_date() {
        for line in [
            "-rw-r--r-- 1 u g 5 20日 11月 10:00 n",
            "-rw-r--r-- 1 u g 5 11月20日2024 n",
            "-rw-r--r-- 1 u g 5 13月 20 10:00 n",
        ] {
            assert_eq!(one(line.as_bytes()).kind, EntryKind::Unparsed, "{line}");
        }
    }

    #[test]
    fn no_date_at_all() {
        reads(b"-rw-r--r-- 1 u g 1234 name", b"name", Some(1234), None);
        reads(b"-rw-r--r-- 1 0 0 1234 a name", b"a name", Some(1234), None);
        let d = one(b"drwxr-xr-x 2 u g 4096 dir");
        assert!(d.is_dir());
        assert_eq!(d.name, "dir");
        for line in [
            // Which column is missing?
            &b"-rw-r--r-- 1 u 1234 5 name"[..],
            // A date we cannot read must not become the name.
            b"-rw-r--r-- 1 u g 1234 Foo 20 10:00 x",
            b"-rw-r--r-- 1 u g 1234 out 20  2023 x",
            b"-rw-r--r-- 1 u g 1234 2023.11.20 x",
            b"-rw-r--r-- 1 u 1234 name",
            b"drwxr-xr-x   folder  2 name",
            b"crw-rw-rw- 1 root root 1, 3 null",
        ] {
            assert_eq!(
                one(line).kind,
                EntryKind::Unparsed,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn owner_and_group_columns() {
        reads(
            b"-rw-r--r-- 1 John Smith  staff 1234 Nov 20 10:00 name",
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 1234 Nov 20 10:00 name",
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1234 Nov 20 10:00 name",
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 501 20 1234 Nov 20 10:00 name",
            b"name",
            Some(1234),
            at(2026, 11, 20, 10, 0),
        );
        // Group and size run together: split only where fixed eight-wide
        // columns prove the group ends.
        reads(
            b"-rw-r--r--   1 owner    ftpusers1234567 Nov 20 10:00 name",
            b"name",
            Some(1_234_567),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r--   1 root     group123456789 Nov 20 10:00 name",
            b"name",
            Some(456_789),
            at(2026, 11, 20, 10, 0),
        );
        // Not proven: the size stays unknown, the name and date are read.
        reads(
            b"-rw-r--r-- 1 owner group123456789 Nov 20 10:00 name",
            b"name",
            None,
            at(2026, 11, 20, 10, 0),
        );
        // A later date with a plain size wins over one after such a group.
        reads(
            "-rw-r--r-- 1 user grp1 2024 11月 20  2025 name".as_bytes(),
            b"name",
            Some(2024),
            at(2025, 11, 20, 0, 0),
        );
        // An owner named like a month, a numeric group and a size that
        // could be a year.
        reads(
            b"-rw-r--r-- 1 des 12 2024 Nov 20 10:00 name",
            b"name",
            Some(2024),
            at(2026, 11, 20, 10, 0),
        );
        reads(
            b"-rw-r--r-- 1 mai 3 1999 20 Nov 10:00 name",
            b"name",
            Some(1999),
            at(2026, 11, 20, 10, 0),
        );
    }

    #[test]
    fn human_sizes_in_bytes() {
        for (size, bytes) in [
            ("4.0K", 4096),
            ("4,0K", 4096),
            ("1.5M", 1_572_864),
            ("12k", 12_288),
            ("2G", 2_147_483_648),
            ("1.1T", 1_209_462_790_553),
            ("999", 999),
        ] {
            let line = format!("-rw-r--r-- 1 u g {size} Nov 20 10:00 f");
            reads(line.as_bytes(), b"f", Some(bytes), at(2026, 11, 20, 10, 0));
        }
        for size in ["4.K", ".5K", "4.0.0K", "K", "4.0X", "99999999999999E"] {
            let line = format!("-rw-r--r-- 1 u g {size} Nov 20 10:00 f");
            assert_eq!(one(line.as_bytes()).kind, EntryKind::Unparsed, "{line}");
        }
    }

    #[test]
    fn total_with_human_size_is_skipped() {
        assert_eq!(
            parse_list_line(b"total 1.5M", super::super::fixtures::today()),
            ListLine::Skip
        );
    }
}
