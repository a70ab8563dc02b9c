//! Unix `ls -l` style LIST lines, as printed by GNU/BSD ls, busybox and the
//! many servers that imitate them (vsftpd, ProFTPD, Pure-FTPd, pyftpdlib,
//! FileZilla Server...).
//!
//! Column counts vary between servers (group missing, numeric owners, odd
//! padding), so instead of counting columns the date is found by scanning
//! for "month day time-or-year" preceded by a size; the name is whatever
//! follows the date after exactly one separator.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};

use super::{Entry, EntryKind, lossy, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8], today: NaiveDate) -> Option<Entry> {
    let toks = tokens(line);
    let &(mode_start, mode_end) = toks.first()?;
    let mode = &line[mode_start..mode_end];
    let kind = mode_kind(mode)?;
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    // Index 0 is the mode and at least a size sits before the date.
    for i in 2..toks.len() {
        let Some((modified, last)) = date_at(&tok, i, today) else {
            continue;
        };
        let Some(size) = size_before(&tok, i, &kind) else {
            continue;
        };
        // Exactly one separator: further spaces belong to the name.
        let name_start = toks[last].1 + 1;
        let Some(name) = line.get(name_start..).filter(|n| !n.is_empty()) else {
            continue;
        };
        return Some(build(name, kind, size, modified, mode));
    }
    None
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

/// The size column right before the date at token `i`. The outer Option
/// says whether the column looks right at all; the inner one whether it
/// holds a byte count (device numbers and `ls -h` sizes do not).
fn size_before<'a>(
    tok: &impl Fn(usize) -> Option<&'a [u8]>,
    i: usize,
    kind: &EntryKind,
) -> Option<Option<u64>> {
    let size = tok(i - 1)?;
    if let Some(n) = parse_u64(size) {
        let is_device = matches!(kind, EntryKind::Special('b' | 'c'));
        // "8,   1": the major number ends with a comma, right after the mode
        // at the earliest.
        let major = if i >= 3 { tok(i - 2) } else { None };
        if is_device && major.is_some_and(|m| m.len() > 1 && m.ends_with(b",")) {
            return Some(None);
        }
        return Some(Some(n));
    }
    if matches!(kind, EntryKind::Special('b' | 'c')) && is_device_numbers(size) {
        return Some(None);
    }
    is_human_size(size).then_some(None)
}

/// "8,1" when major and minor are printed without padding.
fn is_device_numbers(tok: &[u8]) -> bool {
    let mut parts = tok.split(|&b| b == b',');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None) if parse_u64(a).is_some() && parse_u64(b).is_some()
    )
}

/// `ls -lh` sizes such as "4.0K" or "12M".
fn is_human_size(tok: &[u8]) -> bool {
    match tok {
        [num @ .., b'K' | b'M' | b'G' | b'T' | b'P' | b'E' | b'k'] if !num.is_empty() => {
            let mut parts = num.split(|&b| b == b'.' || b == b',');
            parts.next().and_then(parse_u64).is_some() && parts.all(|p| parse_u64(p).is_some())
        }
        _ => false,
    }
}

/// A date starting at token `i`; returns it with the index of its last
/// token. `None` inside means the columns are shaped like a date but name an
/// impossible one (Feb 30, 24:00), which still locates the name.
fn date_at<'a>(
    tok: &impl Fn(usize) -> Option<&'a [u8]>,
    i: usize,
    today: NaiveDate,
) -> Option<(Option<NaiveDateTime>, usize)> {
    let first = tok(i)?;
    if let Some(month) = month_number(first) {
        let day = tok(i + 1).and_then(parse_day)?;
        let third = tok(i + 2)?;
        if let Some(year) = parse_year(third) {
            let date = NaiveDate::from_ymd_opt(year, month, day);
            return Some((date.and_then(|d| d.and_hms_opt(0, 0, 0)), i + 2));
        }
        let time = parse_time(third)?;
        // BSD `ls -T`: "Nov 20 10:00:33 2024".
        if third.len() > 5
            && let Some(year) = tok(i + 3).and_then(parse_year)
        {
            let date = NaiveDate::from_ymd_opt(year, month, day);
            return Some((date.zip(time).map(|(d, t)| d.and_time(t)), i + 3));
        }
        let date = infer_year(month, day, today);
        return Some((date.zip(time).map(|(d, t)| d.and_time(t)), i + 2));
    }
    // `ls --time-style=long-iso` / `full-iso`.
    let date = parse_iso_date(first)?;
    let second = tok(i + 1)?;
    let time = parse_time(second)?;
    let mut last = i + 1;
    if second.len() > 5 && tok(i + 2).is_some_and(is_utc_offset) {
        last = i + 2;
    }
    Some((date.zip(time).map(|(d, t)| d.and_time(t)), last))
}

const MONTHS: [&[u8]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

pub(super) fn month_number(tok: &[u8]) -> Option<u32> {
    let index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(tok))?;
    u32::try_from(index + 1).ok()
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

/// `YYYY-MM-DD`; the inner Option is None for impossible dates.
fn parse_iso_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    match tok {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => Some(NaiveDate::from_ymd_opt(
            parse_year(y)?,
            parse_u32(&[*m1, *m2])?,
            parse_u32(&[*d1, *d2])?,
        )),
        _ => None,
    }
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
        assert_eq!(e.size, None);
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
