//! Directory listings from a hostile server: LIST (every family, read as
//! each server type) and MLSD bodies, through `fxpc::ftp::listing`.
//!
//! Input: `data[0] % 3` picks the parser (0 LIST, 1 MLSD, 2 both) and
//! `data[0] / 3` the server type LIST is read as (`ListingStyle::ALL`,
//! Auto first), `data[1..3]` the client's date that anchors `ls` dates
//! without a year (1970-01-01 plus up to 65535 days, so past 2100, which
//! is not a leap year); the rest is the body.
//!
//! Properties (only what the module promises; see listing/mod.rs):
//! - never panics;
//! - no line is silently dropped: every entry comes from one line (or, for
//!   a VMS name wrapped onto two, a pair), and a line yields none only
//!   when it is blank, a `total` header, VMS/OS-9 furniture (VMS's
//!   directory heading may stand alone: `USR:[ANONYMOUS]`), a column
//!   heading or ruler, a `.`/`..` entry, or (MLSD) a `cdir`/`pdir` entry;
//! - an entry's `raw_name` is never empty, holds no LF (lines are split on
//!   it), and `name` is its lossy UTF-8;
//! - an `Unparsed` entry keeps its whole line (without the line end) as
//!   `raw_name` (and, lossily, as its `name`);
//! - a parsed entry's name is never `.` or `..` and is bytes of its line
//!   (families strip a VMS directory's `.DIR;1` or a trailing `/`, or stop
//!   before a VxWorks `<DIR>`, so not always its end); MLSD names and
//!   Unix names are its end (for a symlink, what stands before ` -> `);
//! - `parse_list` gives what its lines give one by one, but for VMS pairs
//!   and one more exception: when a full MVS data set line is among them
//!   (read under any style), lines no family read may be read as MVS's
//!   short data set lines (migrated, VSAM, tape).
#![no_main]

use chrono::{Days, NaiveDate};
use fxpc::ftp::listing::{
    Entry, EntryKind, ListLine, ListingStyle, detect_style, parse_list_as, parse_list_line_as,
    parse_mlsd, parse_mlsd_line,
};
use libfuzzer_sys::fuzz_target;

fn trim_eol(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = line {
        line = rest;
    }
    line
}

fn is_dot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

/// The line names `.` or `..`: at its end, or as a symlink (`. -> x`).
fn names_a_dot(line: &[u8]) -> bool {
    let has = |needle: &[u8]| line.windows(needle.len()).any(|w| w == needle);
    [&b" ."[..], b" ..", b"\t.", b"\t.."]
        .iter()
        .any(|end| line.ends_with(end) || has(&[*end, &b" -> "[..]].concat()))
}

fn check_common(entry: &Entry, line: &[u8], is_list: bool) {
    let shown = String::from_utf8_lossy(line);
    assert!(!entry.raw_name().is_empty(), "empty name from {shown:?}");
    assert!(
        !entry.raw_name().contains(&b'\n'),
        "LF in name from {shown:?}"
    );
    assert_eq!(entry.name, String::from_utf8_lossy(entry.raw_name()));
    let line = trim_eol(line);
    if entry.kind == EntryKind::Unparsed {
        assert_eq!(entry.raw_name(), line, "unparsed entry lost bytes");
        return;
    }
    assert!(!is_dot(entry.raw_name()), "dot entry kept from {shown:?}");
    // An `ls` symlink (its mode in `perm`); MLSD fact lines sent over LIST
    // carry a link's target in a fact instead.
    // (MLSD's own `perm` fact may start with an `l` too: `perm=ldfr`.)
    let ls_link = entry.perm.as_deref().is_some_and(|p| {
        p.starts_with('l')
            && p.len() >= 10
            && p.as_bytes()[1..10].iter().all(|b| b"rwxsStTlL-?".contains(b))
    });
    if is_list && entry.kind == EntryKind::Link && entry.link_target.is_some() && ls_link {
        let mut with_arrow = entry.raw_name().to_vec();
        with_arrow.extend_from_slice(b" -> ");
        assert!(
            line.windows(with_arrow.len()).any(|w| w == with_arrow),
            "link name {:?} not in {shown:?}",
            entry.name
        );
    } else if !is_list {
        assert!(
            line.ends_with(entry.raw_name()),
            "name {:?} is not the end of {shown:?}",
            entry.name
        );
    } else {
        assert!(
            named_by(line, entry.raw_name()),
            "name {:?} is not in {shown:?}",
            entry.name
        );
    }
}

/// A name the line gave: a run of its bytes or, z/VM's one exception, its
/// first two words joined by a period (`PROFILE  EXEC` is `PROFILE.EXEC`).
fn named_by(line: &[u8], name: &[u8]) -> bool {
    let mut words = line
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| !w.is_empty());
    line.windows(name.len()).any(|w| w == name)
        || matches!((words.next(), words.next()),
            (Some(a), Some(b)) if name == [a, b".", b].concat())
}

/// Lines printed above the entries: column headings, rulers, titles.
fn is_heading_like(line: &[u8]) -> bool {
    let mut words = line
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| !w.is_empty());
    let (first, second) = (words.next(), words.next());
    // Rulers of dashes, and headings however they are spaced (tabs too).
    line.len() > 1 && line.iter().all(|b| matches!(b, b'-' | b' ' | b'\t'))
        || match (first, second) {
            (Some(b"Volume" | b"Name" | b"File" | b"Owner" | b"size" | b"Directory"), Some(_)) => {
                true
            }
            (Some(b"Total"), Some(b"of")) => true,
            // VMS's directory heading alone: `USR:[ANONYMOUS]`.
            (Some(w), None) => w.ends_with(b"]") && w.windows(2).any(|p| p == b":["),
            _ => false,
        }
}

/// A line holding one word with a `;`: the first half of a VMS entry that
/// `parse_list` may join with the next line.
fn may_join(body: &[u8]) -> bool {
    body.split(|&b| b == b'\n').any(|line| {
        let words: Vec<&[u8]> = trim_eol(line)
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|w| !w.is_empty())
            .collect();
        words.len() == 1 && words[0].contains(&b';')
    })
}

fn check_list(body: &[u8], today: NaiveDate, style: ListingStyle) {
    let entries = parse_list_as(body, today, style);
    // A heading in the first lines picks the style for Auto.
    let effective = match style {
        ListingStyle::Auto => detect_style(body).unwrap_or(style),
        given => given,
    };
    let mut expected = Vec::new();
    for line in body.split(|&b| b == b'\n') {
        match parse_list_line_as(line, today, effective) {
            ListLine::Entry(entry) => {
                check_common(&entry, line, true);
                if entry.kind == EntryKind::Dir && line.windows(5).any(|w| w == b"<DIR>") {
                    // DOS `<DIR>`: no size column. (Other families' dirs
                    // may have one: MLSD's `sizd`, `ls`'s block count.)
                    assert_eq!(entry.size, None);
                }
                expected.push(entry);
            }
            ListLine::Skip => {
                let t = trim_eol(line);
                // `is_total` works on fields: blanks may lead, and only the
                // first byte of the count is looked at ("4.0K").
                let start = t
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(t.len());
                let head = &t[start..];
                // `ls`'s "total N" in any language: a word and a count.
                let fields: Vec<&[u8]> = head
                    .split(|b| matches!(b, b' ' | b'\t'))
                    .filter(|f| !f.is_empty())
                    .collect();
                let total_like = fields.len() == 2 && fields[1][0].is_ascii_digit();
                let may_skip = head.is_empty()
                    || total_like
                    || names_a_dot(t)
                    || is_heading_like(t)
                    // A name-first DOS line naming `.`/`..`.
                    || head.starts_with(b". ")
                    || head.starts_with(b".. ")
                    // AS/400's directory slash, VxWorks' trailing <DIR>.
                    || t.ends_with(b" ./")
                    || t.ends_with(b" ../")
                    || t.ends_with(b"<DIR>")
                    // MLSD's own cdir/pdir lines sent over LIST.
                    || {
                        let lower = t.to_ascii_lowercase();
                        lower.windows(9).any(|w| w == b"type=cdir" || w == b"type=pdir")
                    };
                assert!(
                    may_skip,
                    "LIST line dropped: {:?}",
                    String::from_utf8_lossy(line)
                );
            }
        }
    }
    if may_join(body) {
        // A joined pair is one entry where its lines alone make two.
        assert!(entries.len() <= expected.len(), "more entries than lines");
        for entry in &entries {
            assert!(
                body.windows(entry.raw_name().len())
                    .any(|w| w == entry.raw_name())
                    || body.split(|b| *b == b'\n').any(|l| named_by(l, entry.raw_name())),
                "name {:?} is not in the body",
                entry.name
            );
        }
    } else {
        assert_eq!(entries.len(), expected.len(), "parse_list differs from its lines");
        for (got, alone) in entries.iter().zip(&expected) {
            if got == alone {
                continue;
            }
            // Only an unparsed line may be read once the body proves MVS,
            // and then under a name of its own.
            assert_eq!(alone.kind, EntryKind::Unparsed, "parse_list differs from its lines");
            assert!(!effective.is_gated(), "{:?} read twice", alone.raw_name());
            assert!(
                named_by(alone.raw_name(), got.raw_name()),
                "name {:?} is not in its line",
                got.name
            );
        }
    }
}

fn check_mlsd(body: &[u8]) {
    let entries = parse_mlsd(body);
    let mut expected = Vec::new();
    for line in body.split(|&b| b == b'\n') {
        match parse_mlsd_line(line) {
            Some(entry) => {
                check_common(&entry, line, false);
                expected.push(entry);
            }
            None => {
                let t = trim_eol(line);
                let lower = t.to_ascii_lowercase();
                let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
                let may_skip = t.iter().all(u8::is_ascii_whitespace)
                    || has(b"type=cdir")
                    || has(b"type=pdir")
                    || t.ends_with(b" .")
                    || t.ends_with(b" ..");
                assert!(
                    may_skip,
                    "MLSD line dropped: {:?}",
                    String::from_utf8_lossy(line)
                );
            }
        }
    }
    assert_eq!(entries, expected, "parse_mlsd differs from its lines");
}

fuzz_target!(|data: &[u8]| {
    let [mode, d0, d1, body @ ..] = data else {
        return;
    };
    let days = u64::from(u16::from_le_bytes([*d0, *d1]));
    let today = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(days)))
        .expect("date in range");
    let styles = ListingStyle::ALL;
    let style = styles[usize::from(*mode / 3) % styles.len()];
    match mode % 3 {
        0 => check_list(body, today, style),
        1 => check_mlsd(body),
        _ => {
            check_list(body, today, style);
            check_mlsd(body);
        }
    }
});
