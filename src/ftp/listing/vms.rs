//! OpenVMS `DIRECTORY/SIZE/DATE/OWNER/PROTECTION` style LIST lines:
//! `NAME.EXT;1   12/24  27-JAN-2026 11:53:43  [GROUP,OWNER]  (RWED,RWED,RE,)`,
//! and what servers make of it: times with hundredths or none, sizes with
//! a unit (`2KB`), the owner first or without brackets, the size after
//! the date, month names in the server's language.
//!
//! A file's name keeps its `;version`: it is the file's full name on the
//! server, two versions of a file are two entries, and `RETR NAME;3`
//! fetches exactly the one listed. A directory (`NAME.DIR;1`) is named as
//! CWD takes it, `NAME`.
//!
//! A name too long for its column is printed alone with the rest of the
//! entry on the next line; `parse_list` joins such pairs (see [`lone_name`]).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use compact_str::CompactString;

use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let words: Vec<&[u8]> = toks.iter().map(|&(s, e)| &line[s..e]).collect();
    let (&full_name, rest) = words.split_first()?;
    let (name, _version) = split_version(full_name)?;
    // VMS has no "." / ".." entries, so such a name is a real file that the
    // listing code would skip as one; better shown unparsed than hidden.
    if name == b"." || name == b".." {
        return None;
    }
    let columns = Columns::read(rest)?;

    // The ".DIR" suffix is how VMS marks a directory file; the name without
    // it (and its version) is what CWD takes.
    let (kind, name) = match strip_suffix_ignore_case(name, b".DIR") {
        Some(dir) if !dir.is_empty() => (EntryKind::Dir, dir),
        // A file keeps its version: `NAME;3` is its full name on the
        // server, two versions are two entries, and `RETR NAME;3` fetches
        // exactly the one listed.
        _ => (EntryKind::File, full_name),
    };
    if name == b"." || name == b".." {
        return None;
    }
    let mut entry = Entry::named(name, kind);
    if entry.kind == EntryKind::File {
        entry.size = Some(columns.size);
    }
    entry.modified = columns
        .date
        .map(|d| NaiveDateTime::new(d, columns.time.unwrap_or_default()));
    if columns.date.is_some() && columns.time.is_none() && columns.timed {
        // An impossible time (25:00) leaves the date unknown too, as an
        // impossible date does.
        entry.modified = None;
    }
    entry.perm = columns.perm;
    Some(entry)
}

/// The columns after the name. Servers print them in other orders (the
/// owner first, the size after the date), leave out the time, the owner
/// or the protection, and give the owner without its brackets; a size and
/// a date are always there, and a column that is none of these means the
/// line is not one this parser understands.
struct Columns {
    size: u64,
    date: Option<NaiveDate>,
    time: Option<NaiveTime>,
    /// Whether the line had a time column, possible or not.
    timed: bool,
    perm: Option<CompactString>,
}

impl Columns {
    fn read(cols: &[&[u8]]) -> Option<Columns> {
        let (mut size, mut date, mut time, mut perm) = (None, None, None, None);
        let mut owner = false;
        let mut i = 0;
        while let Some(&col) = cols.get(i) {
            i += 1;
            if date.is_none()
                && let Some(day) = parse_date(col)
            {
                date = Some(day);
                // A time, when there is one, follows the date.
                if let Some(clock) = cols.get(i).and_then(|c| parse_time(c)) {
                    time = Some(clock);
                    i += 1;
                }
            } else if size.is_none()
                && let Some(bytes) = parse_size(col)
            {
                size = Some(bytes);
            } else if !owner && is_enclosed(col, b'[', b']') {
                owner = true;
            } else if perm.is_none() && is_enclosed(col, b'(', b')') {
                perm = Some(CompactString::from_utf8_lossy(col));
            } else if !owner && perm.is_none() && i < cols.len() && is_bare_owner(col) {
                // `PRONAS   (RWED,RWED,RE,)`: an owner without brackets,
                // only ever seen right before the protection.
                owner = true;
            } else {
                return None;
            }
        }
        Some(Columns {
            size: size?,
            date: date?,
            timed: time.is_some(),
            time: time.flatten(),
            perm,
        })
    }
}

fn is_bare_owner(tok: &[u8]) -> bool {
    tok.len() <= 12
        && tok
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_' || *b == b'$')
        && tok.iter().any(u8::is_ascii_uppercase)
}

/// The `Directory DISK$USER:[ALICE]` (or bare `USR:[ANONYMOUS]`) heading
/// and the `Total of 2 files, 13/27 blocks.` (or `Total of 0 blocks in 1
/// file.`) footer DIRECTORY prints around the entries: listing furniture
/// like `ls`'s "total N", not files.
pub(super) fn is_furniture(line: &[u8]) -> bool {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);
    let is_directory = |dir: &[u8]| dir.ends_with(b"]") && find(dir, b":[").is_some();
    match (tok(0), tok(1), tok(2), tok(3)) {
        (Some(b"Directory"), Some(dir), None, None) => is_directory(dir),
        // Some servers print the directory alone: `USR:[ANONYMOUS]`.
        (Some(dir), None, None, None) => is_directory(dir),
        (Some(b"Total"), Some(b"of"), Some(count), Some(files)) => {
            let files = files.to_ascii_lowercase();
            parse_u64(count).is_some()
                // `Total of 21 Files, 48 Blocks.` from some servers.
                && (matches!(files.as_slice(), b"file," | b"files," | b"file." | b"files.")
                    // MultiNet: `Total of 0 blocks in 1 file.`
                    || matches!(files.as_slice(), b"block" | b"blocks")
                        && toks.len() == 7
                        && tok(4) == Some(b"in")
                        && tok(5).and_then(parse_u64).is_some()
                        && tok(6).is_some_and(|f| matches!(f, b"file." | b"files.")))
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

/// `NAME.EXT;12` → (`NAME.EXT`, 12). Some servers print names without
/// the dot (`37-vms-file;1`); the version and the columns after it still
/// make the line a VMS one.
fn split_version(tok: &[u8]) -> Option<(&[u8], u32)> {
    let semi = tok.iter().rposition(|&b| b == b';')?;
    let (name, version) = (&tok[..semi], &tok[semi + 1..]);
    // VMS versions run 1..=32767.
    let version = parse_u32(version).filter(|v| (1..=32767).contains(v))?;
    if name.is_empty() || name.contains(&b';') {
        return None;
    }
    Some((name, version))
}

/// The size in bytes: blocks of 512 as `12` or `12/24` (used/allocated;
/// the used count, the closest to a length the listing offers), or with a
/// unit as `2KB`.
fn parse_size(tok: &[u8]) -> Option<u64> {
    if let Some(slash) = tok.iter().position(|&b| b == b'/') {
        parse_u64(&tok[slash + 1..])?;
        return parse_u64(&tok[..slash])?.checked_mul(512);
    }
    let digits = tok.iter().take_while(|b| b.is_ascii_digit()).count();
    let power = match tok[digits..].to_ascii_uppercase().as_slice() {
        b"" => return parse_u64(tok)?.checked_mul(512),
        b"KB" => 1,
        b"MB" => 2,
        b"GB" => 3,
        _ => return None,
    };
    parse_u64(&tok[..digits])?.checked_mul(1024u64.pow(power))
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

/// English or, on servers set to another language, that language's first
/// three letters (`15-JUI-2002`, French juillet).
fn month_number(tok: &[u8]) -> Option<u32> {
    if tok.eq_ignore_ascii_case(b"JUI") {
        return Some(7);
    }
    super::unix::month_name(tok)
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
        // The version is part of the name RETR takes.
        assert_eq!(e.name, "LOGIN.COM;3");
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
        assert_eq!(e.name, "notes.txt;12");
        assert_eq!(e.size, Some(2048));
        assert_eq!(e.modified, at_s(2024, 12, 31, 23, 59, 0));
        assert_eq!(e.perm, None);
    }

    #[test]
    fn shapes_real_servers_print() {
        // Hundredths, no owner or protection.
        let e = one(b"37-vms-file;1       155   2-JUL-2003 10:30:13.64");
        assert_eq!(
            (e.name.as_str(), e.size),
            ("37-vms-file;1", Some(155 * 512))
        );
        assert_eq!(e.modified, at_s(2003, 7, 2, 10, 30, 13));
        // No time, and an owner without brackets in another language.
        let e = one(b"39-vms-notime-file;1    6/8    15-JUI-2002    PRONAS   (RWED,RWED,RE,)");
        assert_eq!(e.size, Some(6 * 512));
        assert_eq!(e.modified, at(2002, 7, 15, 0, 0));
        // The owner first, or the size after the date.
        let e = one(b"42-vms-alternate-field-order-file;1   [SUMMARY]    1/3     2-AUG-2006 13:05  (RWE,RWE,RE,)");
        assert_eq!(e.size, Some(512));
        let e = one(b"43-vms-alternate-field-order-file;1       17-JUN-1994 17:25:37     6308/13     (RWED,RWED,R,)");
        assert_eq!(e.size, Some(6308 * 512));
        // A size with its unit.
        let e = one(b"56-VMS-complex-size;1 2KB 23-SEP-2005 14:57:07.27");
        assert_eq!(e.size, Some(2048));
    }

    #[test]
    fn versions_are_entries_of_their_own() {
        let body = b"A.TXT;2 1 27-JAN-2026 11:53\r\nA.TXT;1 1 26-JAN-2026 11:53\r\n";
        let names: Vec<_> = parse_list(body, today())
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["A.TXT;2", "A.TXT;1"]);
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
        assert_eq!(
            names,
            ["A_VERY_LONG_FILE_NAME_INDEED.DATA;2", "SHORT.TXT;1"]
        );
        assert_eq!(entries[0].size, Some(7 * 512));
    }

    #[test]
    fn lone_name_without_continuation_stays_unparsed() {
        let body = b"LONELY.TXT;1\r\nSHORT.TXT;1 1/3 27-JAN-2026 11:53:43\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].kind, EntryKind::Unparsed);
        assert_eq!(entries[1].name, "SHORT.TXT;1");
    }

    #[test]
    fn headings_and_footers_real_servers_print() {
        let body = b"USR:[ANONYMOUS]\r\n\r\nCAM-1.ZIP;1   299   4-SEP-1991 09:53\r\n\
Total of 0 blocks in 1 file.\r\nTotal of 21 Files, 48 Blocks.\r\nTotal of 1 block in 1 file.\r\n";
        let names: Vec<_> = parse_list(body, today())
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["CAM-1.ZIP;1"]);
    }

    #[test]
    fn furniture_look_alikes_are_kept() {
        for line in [
            &b"Directory listing follows"[..],
            b"Directory DISK$USER:[ALICE] extra",
            b"Total of many files",
            b"total of 2 files, 8/11 blocks.",
            b"Total of 0 blocks in many files.",
            b"USR:[ANONYMOUS] extra",
        ] {
            assert_eq!(one(line).kind, EntryKind::Unparsed);
        }
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"LOGIN.COM;0 1/2 27-JAN-2026 11:53:43"[..],
            b"LOGIN.COM 1/2 27-JAN-2026 11:53:43",
            b"LOGIN.COM;1 27-JAN-2026 11:53:43",
            b"LOGIN.COM;1 1/2 3/4 27-JAN-2026 11:53:43",
            b"LOGIN.COM;1 1/2 27-JAN-2026 11:53:43 lower (RWED)",
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
