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

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

mod dates;
mod words;

use super::{Entry, EntryKind, lossy, parse_u32, parse_u64, tokens};
use dates::*;
pub(super) use dates::{month_day_or_swapped, two_digit_year};
use words::*;
pub(super) use words::{month_name, parse_time};

pub(super) fn parse(line: &[u8], today: NaiveDate) -> Option<Entry> {
    let toks = tokens(line);
    let cols = Cols { line, toks: &toks };
    let mode = cols.tok(0)?;
    // A link count of three digits can run into the mode
    // (`drwxr-xr-x439 root`): the digits after ten bytes are not the mode's.
    let kind = match mode_kind(mode) {
        Some(kind) => kind,
        None if mode.len() > 10 && mode[10..].iter().all(u8::is_ascii_digit) => {
            mode_kind(&mode[..10])?
        }
        None => return octal_mode_line(&cols),
    };

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
    // Otherwise the size is the digits at the end, as other clients read
    // it: a group ending in digits would make it too large, but the name
    // is after the date either way.
    Some(parse_u64(&tok[tok.len() - digits..]))
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
    // Axis print servers write the time with a dot: `Jan 21 09.17`.
    let time = parse_time(tok).or_else(|| dotted_time(tok))?;
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

/// `09.17` or `9.51`: a clock time with a dot.
fn dotted_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let dot = tok.iter().position(|&b| b == b'.')?;
    if !(1..=2).contains(&dot) || tok.len() != dot + 3 {
        return None;
    }
    let mut colon = tok.to_vec();
    colon[dot] = b':';
    parse_time(&colon)
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
        // `2004.07.15`, a dotted year first, never with a time and padded
        // to the name's column with blanks that are no part of it.
        [y1, y2, y3, y4, b'.', m1, m2, b'.', d1, d2] => {
            let year = parse_year(&[y1, y2, y3, y4])?;
            let date = ymd(year, num(&[m1, m2])?, num(&[d1, d2])?)?;
            let mut found = Found::at(date, NaiveTime::from_hms_opt(0, 0, 0), i);
            found.pad = cols.gap_before(i + 1)?.saturating_sub(1);
            return Some(found);
        }
        // `24-04-2003`, day first with dashes.
        [d1, d2, b'-', m1, m2, b'-', y1, y2, y3, y4] => {
            let year = parse_year(&[y1, y2, y3, y4])?;
            (ymd(year, num(&[m1, m2])?, num(&[d1, d2])?)?, false)
        }
        // `01-jun-99`, day, month name and two-digit year.
        [d1, d2, b'-', a, b, c, b'-', y1, y2] => {
            let month = month_name(&[a, b, c])?;
            let year = two_digit_year(num(&[y1, y2])?);
            (ymd(year, month, num(&[d1, d2])?)?, false)
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
    // A name may start with digits (`71-unix-dateless`), but a column of
    // only digits, date punctuation and marks of other scripts, or digits
    // at both ends around such punctuation (`01-xyz-99`), is a date this
    // parser cannot read.
    let date_punct = |b: &u8| b"-/.:,".contains(b);
    let digit_ended = first[0].is_ascii_digit()
        && first[first.len() - 1].is_ascii_digit()
        && first.iter().any(date_punct);
    if first
        .iter()
        .all(|&b| b.is_ascii_digit() || date_punct(&b) || b >= 0x80)
        || digit_ended
        || month_name(first).is_some()
    {
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

/// `ls` of some embedded servers, with the mode in octal and the time in
/// seconds since 1970: `0100644   500  101   12345    123456789       name`
/// (mode, owner, group, size, time, then the name after any blanks). Only
/// that exact shape, with a file type the mode's high bits name.
fn octal_mode_line(cols: &Cols) -> Option<Entry> {
    let mode = cols.tok(0)?;
    if !(6..=7).contains(&mode.len())
        || mode[0] != b'0'
        || !mode.iter().all(|b| (b'0'..=b'7').contains(b))
    {
        return None;
    }
    let bits = u32::from_str_radix(std::str::from_utf8(mode).ok()?, 8).ok()?;
    let kind = match bits & 0o170_000 {
        0o100_000 => EntryKind::File,
        0o040_000 => EntryKind::Dir,
        0o120_000 => EntryKind::Link,
        _ => return None,
    };
    let numeric = |i: usize| cols.tok(i).and_then(parse_u64);
    let (_owner, _group, size, time) = (numeric(1)?, numeric(2)?, numeric(3)?, numeric(4)?);
    let &(name_start, _) = cols.toks.get(5)?;
    let modified = i64::try_from(time)
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| t.naive_utc());
    Some(build(
        &cols.line[name_start..],
        kind,
        Some(size),
        modified,
        mode,
    ))
}

#[cfg(test)]
mod tests;
