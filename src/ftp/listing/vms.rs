//! OpenVMS `DIRECTORY/SIZE/DATE/OWNER/PROTECTION` style LIST lines:
//! `NAME.EXT;1   12/24  27-JAN-2026 11:53:43  [GROUP,OWNER]  (RWED,RWED,RE,)`.
//!
//! A name too long for its column is printed alone with the rest of the
//! entry on the next line; `parse_list` joins such pairs (see [`lone_name`]).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let (name, _version) = split_version(tok(0)?)?;
    let blocks = parse_blocks(tok(1)?)?;
    let date = parse_date(tok(2)?)?;
    let time = parse_time(tok(3)?)?;
    // Owner and protection are optional (DIRECTORY without /OWNER or
    // /PROTECTION) but nothing else may follow: an unknown column means
    // this is not a line we understand.
    let mut perm = None;
    let mut rest = toks.len() - 4;
    if rest > 0 && is_enclosed(tok(4)?, b'[', b']') {
        rest -= 1;
    }
    if rest > 0 {
        let last = tok(toks.len() - 1)?;
        if !is_enclosed(last, b'(', b')') {
            return None;
        }
        perm = Some(String::from_utf8_lossy(last).into_owned());
        rest -= 1;
    }
    if rest > 0 {
        return None;
    }

    // The ".DIR" suffix is how VMS marks a directory file; the name without
    // it is what CWD takes.
    let (kind, name) = match strip_suffix_ignore_case(name, b".DIR") {
        Some(dir) if !dir.is_empty() => (EntryKind::Dir, dir),
        _ => (EntryKind::File, name),
    };
    // VMS has no "." / ".." entries, so such a name is a real file that the
    // listing code would skip as one; better shown unparsed than hidden.
    if name == b"." || name == b".." {
        return None;
    }
    let mut entry = Entry::named(name, kind);
    if entry.kind == EntryKind::File {
        // Blocks are 512 bytes; the used count is the closest to a length
        // the listing offers (the last block is rarely full).
        entry.size = blocks.checked_mul(512);
    }
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    entry.perm = perm;
    Some(entry)
}

/// The `Directory DISK$USER:[ALICE]` heading and the `Total of 2 files,
/// 13/27 blocks.` footer DIRECTORY prints around the entries: listing
/// furniture like `ls`'s "total N", not files.
pub(super) fn is_furniture(line: &[u8]) -> bool {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);
    match (tok(0), tok(1), tok(2), tok(3)) {
        (Some(b"Directory"), Some(dir), None, None) => {
            dir.ends_with(b"]") && find(dir, b":[").is_some()
        }
        (Some(b"Total"), Some(b"of"), Some(count), Some(files)) => {
            parse_u64(count).is_some()
                && matches!(files, b"file," | b"files," | b"file." | b"files.")
        }
        _ => false,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A line holding only a versioned name: the first half of a wrapped entry.
pub(super) fn lone_name(line: &[u8]) -> bool {
    matches!(tokens(line).as_slice(), [(s, e)] if split_version(&line[*s..*e]).is_some())
}

/// `NAME.EXT;12` → (`NAME.EXT`, 12). The version is left off the name:
/// without one, VMS servers open the newest version, which is what a plain
/// RETR of the name means elsewhere.
fn split_version(tok: &[u8]) -> Option<(&[u8], u32)> {
    let semi = tok.iter().rposition(|&b| b == b';')?;
    let (name, version) = (&tok[..semi], &tok[semi + 1..]);
    // VMS versions run 1..=32767; without a dot it is not a file spec.
    let version = parse_u32(version).filter(|v| (1..=32767).contains(v))?;
    if !name.contains(&b'.') || name.contains(&b';') {
        return None;
    }
    Some((name, version))
}

/// `12/24` (used/allocated) or just `12`; the used count.
fn parse_blocks(tok: &[u8]) -> Option<u64> {
    match tok.iter().position(|&b| b == b'/') {
        Some(slash) => {
            let used = parse_u64(&tok[..slash])?;
            parse_u64(&tok[slash + 1..])?;
            Some(used)
        }
        None => parse_u64(tok),
    }
}

/// `27-JAN-2026`. As with the other families, the outer Option is the shape
/// and the inner one whether the date exists.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    let mut parts = tok.split(|&b| b == b'-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&day.len()) || year.len() != 4 {
        return None;
    }
    let month = month_number(month)?;
    let (day, year) = (parse_u32(day)?, parse_u32(year)?);
    Some(NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        month,
        day,
    ))
}

fn month_number(tok: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] = [
        b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV",
        b"DEC",
    ];
    let at = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(tok))?;
    u32::try_from(at + 1).ok()
}

/// `11:53`, `11:53:43` or `11:53:43.27` (hundredths, dropped).
fn parse_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let clock = match tok.iter().position(|&b| b == b'.') {
        Some(dot) => {
            parse_u32(&tok[dot + 1..])?;
            &tok[..dot]
        }
        None => tok,
    };
    let mut parts = clock.split(|&b| b == b':');
    let (hour, minute, second) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() || !(1..=2).contains(&hour.len()) || minute.len() != 2 {
        return None;
    }
    let second = match second {
        Some(s) if s.len() == 2 => parse_u32(s)?,
        Some(_) => return None,
        None => 0,
    };
    Some(NaiveTime::from_hms_opt(
        parse_u32(hour)?,
        parse_u32(minute)?,
        second,
    ))
}

fn is_enclosed(tok: &[u8], open: u8, close: u8) -> bool {
    tok.len() >= 2 && tok[0] == open && tok[tok.len() - 1] == close
}

fn strip_suffix_ignore_case<'a>(name: &'a [u8], suffix: &[u8]) -> Option<&'a [u8]> {
    let at = name.len().checked_sub(suffix.len())?;
    name[at..]
        .eq_ignore_ascii_case(suffix)
        .then_some(&name[..at])
}

#[cfg(test)]
mod tests {
    use super::super::parse_list;
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn full_line() {
        let e = one(b"LOGIN.COM;3   12/24  27-JAN-2026 11:53:43  [STAFF,ALICE]  (RWED,RWED,RE,)");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "LOGIN.COM");
        assert_eq!(e.size, Some(12 * 512));
        assert_eq!(e.modified, at_s(2026, 1, 27, 11, 53, 43));
        assert_eq!(e.perm.as_deref(), Some("(RWED,RWED,RE,)"));
    }

    #[test]
    fn directory_loses_suffix() {
        let e = one(b"SOURCES.DIR;1        1/3   5-MAR-2025 08:01:02.55  [ALICE]  (RWE,RWE,RE,E)");
        assert!(e.is_dir());
        assert_eq!(e.name, "SOURCES");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at_s(2025, 3, 5, 8, 1, 2));
    }

    #[test]
    fn short_forms() {
        let e = one(b"notes.txt;12 4 31-dec-2024 23:59");
        assert_eq!(e.name, "notes.txt");
        assert_eq!(e.size, Some(2048));
        assert_eq!(e.modified, at_s(2024, 12, 31, 23, 59, 0));
        assert_eq!(e.perm, None);
    }

    #[test]
    fn impossible_date_keeps_entry() {
        let e = one(b"A.B;1 1/1 30-FEB-2026 10:00:00");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.modified, None);
    }

    #[test]
    fn wrapped_entry_is_joined() {
        let body = b"Directory DISK$USER:[ALICE]\r\n\r\n\
A_VERY_LONG_FILE_NAME_INDEED.DATA;2\r\n\
\x20                    7/8  27-JAN-2026 11:53:43  [STAFF,ALICE]  (RWED,RWED,RE,)\r\n\
SHORT.TXT;1          1/3  27-JAN-2026 11:53:43  [STAFF,ALICE]  (RWED,RWED,RE,)\r\n\
\r\n\
Total of 2 files, 8/11 blocks.\r\n";
        let entries = parse_list(body, today());
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["A_VERY_LONG_FILE_NAME_INDEED.DATA", "SHORT.TXT"]);
        assert_eq!(entries[0].size, Some(7 * 512));
    }

    #[test]
    fn lone_name_without_continuation_stays_unparsed() {
        let body = b"LONELY.TXT;1\r\nSHORT.TXT;1 1/3 27-JAN-2026 11:53:43\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].kind, EntryKind::Unparsed);
        assert_eq!(entries[1].name, "SHORT.TXT");
    }

    #[test]
    fn furniture_look_alikes_are_kept() {
        for line in [
            &b"Directory listing follows"[..],
            b"Directory DISK$USER:[ALICE] extra",
            b"Total of many files",
            b"total of 2 files, 8/11 blocks.",
        ] {
            assert_eq!(one(line).kind, EntryKind::Unparsed);
        }
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"LOGIN.COM;0 1/2 27-JAN-2026 11:53:43"[..],
            b"LOGIN.COM 1/2 27-JAN-2026 11:53:43",
            b"LOGIN;1 1/2 27-JAN-2026 11:53:43",
            b"LOGIN.COM;1 1/x 27-JAN-2026 11:53:43",
            b"LOGIN.COM;1 1/2 27-JAX-2026 11:53:43",
            b"LOGIN.COM;1 1/2 27-JAN-26 11:53:43",
            b"LOGIN.COM;1 1/2 27-JAN-2026 11:5",
            b"LOGIN.COM;1 1/2 27-JAN-2026 11:53:43 [A] (RWED) extra",
            b"LOGIN.COM;1 %RMS-E-PRV, insufficient privilege",
            b".;1 1/2 27-JAN-2026 11:53:43",
            b"..DIR;1 1/2 27-JAN-2026 11:53:43",
        ]);
    }
}
