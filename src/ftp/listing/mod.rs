//! Parsers for FTP directory listings.
//!
//! MLSD (RFC 3659) is machine-readable and preferred; LIST output is whatever
//! the server's `ls` (or imitation of it) prints, so its parsers are lenient
//! and never drop a line they do not understand: such lines come back as
//! [`EntryKind::Unparsed`] entries so the user still sees them.
//!
//! Everything works on bytes because servers send names in whatever encoding
//! the file system holds; `raw_name` keeps those bytes so they can be sent
//! back verbatim in RETR/CWD/DELE.

mod as400;
mod calendar;
mod connect;
#[cfg(test)]
mod corpus;
mod dos;
mod eplf;
mod mlsd;
mod mvs;
mod netpresenz;
mod netware;
mod os2;
mod os9;
mod pds;
mod style;
mod tandem;
mod unix;
mod vms;
mod vshell;
mod vxworks;
mod wftpd;
mod zvm;

pub use style::{DetectedStyle, ListingStyle, StyleSource, detect as detect_style};

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Link,
    /// block/char device, pipe, socket, door: the ls type letter
    Special(char),
    /// an MLSD type fact we do not know (e.g. "OS.unix=slink" kept verbatim)
    Other(String),
    /// a line no parser understood; `Entry::raw` holds it
    Unparsed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Lossy UTF-8 for display.
    pub name: String,
    /// Exact bytes the server sent, to send back in commands.
    pub raw_name: Vec<u8>,
    pub kind: EntryKind,
    /// None for devices (major/minor instead of size), dirs in DOS, unknown.
    pub size: Option<u64>,
    /// MLSD: UTC; LIST: as the server printed it.
    pub modified: Option<NaiveDateTime>,
    /// MLSD perm fact, or the ls mode string like "-rw-r--r--".
    pub perm: Option<String>,
    /// MLSD unique fact.
    pub unique: Option<String>,
    /// For ls `name -> target`.
    pub link_target: Option<String>,
    /// The raw line (lossy) for Unparsed entries.
    pub raw: Option<String>,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }

    /// An entry for a line no parser understood. The whole line doubles as
    /// the name so a listing pane has something to show for it.
    pub fn unparsed(line: &[u8]) -> Entry {
        let mut entry = Entry::named(line, EntryKind::Unparsed);
        entry.raw = Some(lossy(line));
        entry
    }

    pub fn named(raw_name: &[u8], kind: EntryKind) -> Entry {
        Entry {
            name: lossy(raw_name),
            raw_name: raw_name.to_vec(),
            kind,
            size: None,
            modified: None,
            perm: None,
            unique: None,
            link_target: None,
            raw: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListLine {
    Entry(Entry),
    /// "total N", VMS's "Directory"/"Total of" lines, blank lines, and the
    /// "." and ".." entries.
    Skip,
}

/// Parses a whole MLSD body; lines may end in CRLF or bare LF.
pub fn parse_mlsd(data: &[u8]) -> Vec<Entry> {
    lines(data).filter_map(parse_mlsd_line).collect()
}

/// Returns None for blank lines and for the cdir/pdir (and "."/"..")
/// entries; anything else yields an entry, possibly an Unparsed one.
pub fn parse_mlsd_line(line: &[u8]) -> Option<Entry> {
    mlsd::parse_line(line)
}

/// Parses a whole LIST body. `today` anchors the year of `ls` dates that
/// omit it; pass the local date of the client (or server, if known).
pub fn parse_list(data: &[u8], today: NaiveDate) -> Vec<Entry> {
    parse_list_as(data, today, ListingStyle::Auto)
}

/// Parses a whole LIST body as `style` says (see [`ListingStyle`]); with
/// `Auto`, a heading among the first lines (MVS, HP NonStop) picks the
/// style for the whole body.
pub fn parse_list_as(data: &[u8], today: NaiveDate, style: ListingStyle) -> Vec<Entry> {
    let style = match style {
        ListingStyle::Auto => style::detect(data).unwrap_or(ListingStyle::Auto),
        given => given,
    };
    let mut out = Vec::new();
    let mut lines = lines(data).peekable();
    while let Some(line) = lines.next() {
        if let Some(entry) = lines.peek().and_then(|next| join_vms_wrapped(line, next)) {
            lines.next();
            out.push(entry);
            continue;
        }
        if let ListLine::Entry(entry) = parse_list_line_as(line, today, style) {
            out.push(entry);
        }
    }
    if !style.is_gated() {
        read_mvs_remnants(data, &mut out);
    }
    out
}

/// A z/OS server that said it was Unix (see `mvs::parse_data_set`) also
/// lists migrated, VSAM and tape data sets, whose lines are a word or two
/// and a name: read as MVS only when the listing's other lines prove it
/// is one, and only the lines nothing else read.
fn read_mvs_remnants(data: &[u8], out: &mut [Entry]) {
    if !out.iter().any(|e| e.kind == EntryKind::Unparsed)
        || !lines(data).any(|line| mvs::parse_data_set(line).is_some())
    {
        return;
    }
    for entry in out.iter_mut().filter(|e| e.kind == EntryKind::Unparsed) {
        if let Some(read) = mvs::parse(&entry.raw_name) {
            *entry = read;
        }
    }
}

/// VMS prints a long name alone and the rest of its entry on the next line.
/// Joined only when the pair reads as one VMS entry, so a lone name line
/// followed by anything else stays a line of its own.
fn join_vms_wrapped(line: &[u8], next: &[u8]) -> Option<Entry> {
    if !vms::lone_name(line) {
        return None;
    }
    // The continuation is usually indented, but not by every server.
    let mut joined = trim_eol(line).to_vec();
    joined.push(b' ');
    joined.extend_from_slice(trim_eol(next));
    vms::parse(&joined)
}

/// The facts of a line shaped like MLSD's (`type=file;size=5; name`), when
/// it has a `type` fact: nothing else a server prints starts that way. The
/// facts may come in any order, end without a `;`, and be followed by a
/// tab instead of the space.
fn mlsd_facts(line: &[u8]) -> Option<&[u8]> {
    // A fact name then `=` first: cheap to refuse for every other family's
    // line, as this runs on each of them.
    let fact_name = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.')
        .count();
    if fact_name == 0 || line.get(fact_name) != Some(&b'=') {
        return None;
    }
    let end = line.iter().position(|&b| b == b' ' || b == b'\t')?;
    let facts = &line[..end];
    let has_type = facts
        .split(|b| *b == b';')
        .any(|f| f.len() > 5 && f[..5].eq_ignore_ascii_case(b"type="));
    has_type.then_some(facts)
}

fn mlsd_over_list(line: &[u8]) -> Option<Entry> {
    mlsd_facts(line)?;
    mlsd::parse_list_line(line)
}

/// MLSD's lines for the directory itself and its parent (`type=cdir`,
/// `type=pdir`), sent over LIST: skipped like `.` and `..`.
fn is_mlsd_dir_itself(line: &[u8]) -> bool {
    mlsd_facts(line).is_some_and(|facts| {
        facts
            .split(|b| *b == b';')
            .any(|f| f.eq_ignore_ascii_case(b"type=cdir") || f.eq_ignore_ascii_case(b"type=pdir"))
    })
}

/// One LIST line read as a server of unknown type sends it: see
/// [`parse_list_line_as`].
pub fn parse_list_line(line: &[u8], today: NaiveDate) -> ListLine {
    parse_list_line_as(line, today, ListingStyle::Auto)
}

/// One LIST line. The style's own parser goes first (MVS, z/VM and HP
/// NonStop only run when the style names them); then the unambiguous
/// families in a fixed order: Unix `ls -l`, DOS/IIS, EPLF, VMS, OS/2,
/// NetWare, AS/400, Connect:Enterprise, OS-9, VxWorks, old VShell,
/// name-first DOS (WFTPD), full MVS data set lines, MLSD facts. A line none understands becomes an Unparsed entry
/// rather than being dropped; headings and rulers are skipped.
pub fn parse_list_line_as(line: &[u8], today: NaiveDate, style: ListingStyle) -> ListLine {
    let line = trim_eol(line);
    if is_blank(line) || is_total(line) || vms::is_furniture(line) {
        return ListLine::Skip;
    }
    let entry = match style {
        // The common case goes straight to the families' chain, as before
        // there were styles (the 100,000-line benchmark keeps its time).
        ListingStyle::Auto | ListingStyle::Unix | ListingStyle::NetPresenz => {
            read_unambiguous(line, today)
        }
        _ => read_as(line, today, style).unwrap_or_else(|| read_unambiguous(line, today)),
    };
    if is_mlsd_dir_itself(line) {
        return ListLine::Skip;
    }
    // Headings and rulers are lines no parser reads: looked for only then,
    // off the path of the lines that are entries.
    if entry.kind == EntryKind::Unparsed && style::heading(line).is_some() {
        return ListLine::Skip;
    }
    if entry.kind != EntryKind::Unparsed && is_dot(&entry.raw_name) {
        ListLine::Skip
    } else {
        ListLine::Entry(entry)
    }
}

/// The style's own parser, for the styles that have one.
fn read_as(line: &[u8], today: NaiveDate, style: ListingStyle) -> Option<Entry> {
    match style {
        ListingStyle::Mvs => mvs::parse(line).or_else(|| pds::parse(line)),
        ListingStyle::Zvm => zvm::parse(line),
        ListingStyle::Tandem => tandem::parse(line),
        ListingStyle::Dos => dos::parse(line),
        ListingStyle::Vms => vms::parse(line),
        ListingStyle::As400 => as400::parse(line),
        ListingStyle::Os2 => os2::parse(line),
        ListingStyle::Netware => netware::parse(line, today),
        ListingStyle::Auto | ListingStyle::Unix | ListingStyle::NetPresenz => None,
    }
}

/// The families every listing is tried with, in their fixed order; a line
/// none reads is an Unparsed entry.
fn read_unambiguous(line: &[u8], today: NaiveDate) -> Entry {
    // Most lines are `ls` lines: returned at once rather than moved down
    // the chain of `or_else`s below.
    if let Some(entry) = read_ls(line, today) {
        return entry;
    }
    dos::parse(line)
        // Both only take lines no other family could: EPLF's leading '+'
        // and VMS's ";version" cannot start an ls mode or a DOS date.
        .or_else(|| eplf::parse(line))
        .or_else(|| vms::parse(line))
        // A bare size first: ls starts with a mode, DOS with a date.
        .or_else(|| os2::parse(line))
        // "d"/"-" alone then "[rights]": an ls mode is one ten-byte token.
        .or_else(|| netware::parse(line, today))
        // Size second and a "*TYPE" after an HH:MM:SS time: no other shape.
        .or_else(|| as400::parse(line))
        // Ten flags run into a protocol name: thirteen bytes or more where
        // an ls mode has ten, so unix.rs has already said no.
        .or_else(|| connect::parse(line, today))
        // A dotted owner first and eight attribute letters: nobody else.
        .or_else(|| os9::parse(line))
        // A size first like OS/2, but a "MON-DD-YYYY" date OS/2 never has.
        .or_else(|| vxworks::parse(line))
        // A size first, then a month name: neither OS/2 nor VxWorks.
        .or_else(|| vshell::parse(line))
        // Exactly name, size or <DIR>, date, time: DOS starts with the date,
        // and every family above has more columns or other shapes.
        .or_else(|| wftpd::parse(line))
        // Nine or more columns of MVS's shapes, ending in a data set name.
        .or_else(|| mvs::parse_data_set(line))
        // Some servers send MLSD's fact lines for LIST too.
        .or_else(|| mlsd_over_list(line))
        .unwrap_or_else(|| Entry::unparsed(line))
}

/// `unix::parse` kept out of line, as it was before the chain grew.
#[inline(never)]
fn read_ls(line: &[u8], today: NaiveDate) -> Option<Entry> {
    unix::parse(line, today)
}

fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n').map(trim_eol)
}

fn trim_eol(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = line {
        line = rest;
    }
    line
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// GNU and BSD `ls -l` start with "total N" (or "total 4.0K" with -h),
/// in the server's language and encoding: "insgesamt 12", "总用量 12"...
fn is_total(line: &[u8]) -> bool {
    let toks = tokens(line);
    match toks.as_slice() {
        [(s0, e0), (s1, _)] => {
            let word = &line[*s0..*e0];
            TOTAL_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w)) && line[*s1].is_ascii_digit()
        }
        _ => false,
    }
}

/// `ls`'s "total" as its translations print it: German, Italian, Dutch,
/// Swedish, Polish, Czech; Chinese (UTF-8, GBK, Big5), Japanese (UTF-8,
/// Shift-JIS, EUC-JP), Korean (UTF-8, EUC-KR), Russian (UTF-8, KOI8-R,
/// CP1251).
const TOTAL_WORDS: [&[u8]; 24] = [
    b"total",
    b"insgesamt",
    b"totale",
    b"totaal",
    b"totalt",
    b"razem",
    b"celkem",
    b"\xe6\x80\xbb\xe7\x94\xa8\xe9\x87\x8f",
    b"\xd7\xdc\xd3\xc3\xc1\xbf",
    b"\xe6\x80\xbb\xe8\xae\xa1",
    b"\xd7\xdc\xbc\xc6",
    b"\xe7\xb8\xbd\xe7\x94\xa8\xe9\x87\x8f",
    b"\xc1\x60\xa5\xce\xb6\x71",
    b"\xe7\xb8\xbd\xe8\xa8\x88",
    b"\xc1\x60\xadp",
    b"\xe5\x90\x88\xe8\xa8\x88",
    b"\x8d\x87\x8c\x76",
    b"\xb9\xe7\xb7\xd7",
    b"\xed\x95\xa9\xea\xb3\x84",
    b"\xc7\xd5\xb0\xe8",
    b"\xd0\xb8\xd1\x82\xd0\xbe\xd0\xb3\xd0\xbe",
    b"\xc9\xd4\xcf\xc7\xcf",
    b"\xe8\xf2\xee\xe3\xee",
    b"\xd0\x98\xd1\x82\xd0\xbe\xd0\xb3\xd0\xbe",
];

fn is_dot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Byte ranges of the space/tab separated fields of a line. Ranges rather
/// than slices so callers can take "the rest of the line" after a field.
fn tokens(line: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in line.iter().enumerate() {
        let sep = b == b' ' || b == b'\t';
        match (start, sep) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
    out
}

/// Strict decimal: `str::parse` would also accept a leading '+'.
fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Small fixed-width numbers inside dates and times.
fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.len() > 9 {
        return None;
    }
    parse_u64(digits).and_then(|n| u32::try_from(n).ok())
}

/// What the parsers' tests share: a fixed "today" (an ls date without a
/// year depends on it), one line read as `parse_list` reads it, and times.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::{Entry, ListLine, parse_list_line};
    use chrono::{NaiveDate, NaiveDateTime};

    pub fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
    }

    pub fn one(line: &[u8]) -> Entry {
        match parse_list_line(line, today()) {
            ListLine::Entry(e) => e,
            ListLine::Skip => panic!("line skipped: {:?}", String::from_utf8_lossy(line)),
        }
    }

    /// The one entry a line gives when the server's type is `style`.
    #[track_caller]
    pub fn one_as(line: &[u8], style: super::ListingStyle) -> Entry {
        let entries = super::parse_list_as(line, today(), style);
        assert_eq!(entries.len(), 1, "{:?}", String::from_utf8_lossy(line));
        entries.into_iter().next().expect("one entry")
    }

    /// Asserts that no family reads any of these lines.
    #[track_caller]
    pub fn unparsed(lines: &[&[u8]]) {
        for line in lines {
            assert_eq!(
                one(line).kind,
                super::EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        at_s(y, m, d, h, min, 0)
    }

    pub fn at_s(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, s))
    }
}

#[cfg(test)]
mod mlsd_over_list_tests {
    use super::*;

    #[test]
    fn mlsd_fact_lines_sent_for_list_are_read() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let body = b"type=cdir;modify=20261120093000; /pub\r\n\
type=pdir;modify=20261120093000; /\r\n\
type=dir;modify=20261120093000; sub dir\r\n\
type=file;size=1419;modify=20261120093000; Cargo.toml\r\n\
size=3;x=y; not one (no type fact)\r\n";
        let entries = parse_list(body, today);
        let names: Vec<(&str, EntryKind, Option<u64>)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind.clone(), e.size))
            .collect();
        assert_eq!(names[0], ("sub dir", EntryKind::Dir, None));
        assert_eq!(names[1], ("Cargo.toml", EntryKind::File, Some(1419)));
        assert_eq!(
            names[2].1,
            EntryKind::Unparsed,
            "without a type fact: not sure"
        );
        assert_eq!(names.len(), 3, "cdir and pdir skipped");
    }

    #[test]
    fn facts_as_real_servers_send_them() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let body = b"size=1365694195;type=file;modify=20090722092510;\tadsl TV 2009-07-22\r\n\
type=file 77 MLSD file no trailing semicolon\r\n\
type=dir;sizd=4096;modify=20241 120093000;perm=flcdmpe; broken\r\n";
        let entries = parse_list(body, today);
        assert_eq!(entries[0].name, "adsl TV 2009-07-22");
        assert_eq!(entries[0].size, Some(1_365_694_195));
        assert_eq!(entries[1].name, "77 MLSD file no trailing semicolon");
        // A blank inside a value: the rest of the facts must not become
        // the name.
        assert_eq!(entries[2].kind, EntryKind::Unparsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
    }

    #[test]
    fn list_skips_total_blank_and_dots() {
        let body = b"total 12\r\n\r\n\
drwxr-xr-x    2 ftp      ftp          4096 Nov 20 10:00 .\r\n\
drwxr-xr-x    5 ftp      ftp          4096 Nov 20 10:00 ..\r\n\
-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "a.txt");
    }

    #[test]
    fn list_mixes_parsers_and_keeps_unknown_lines() {
        let body = b"-rw-r--r-- 1 ftp ftp 5 Nov 20 10:00 unix.txt\n\
11-20-24  10:00AM                    7 dos.txt\n\
this is not a listing line\n";
        let entries = parse_list(body, today());
        let kinds: Vec<_> = entries.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            [EntryKind::File, EntryKind::File, EntryKind::Unparsed]
        );
        assert_eq!(
            entries[2].raw.as_deref(),
            Some("this is not a listing line")
        );
    }

    #[test]
    fn total_variants() {
        assert_eq!(parse_list_line(b"total 0", today()), ListLine::Skip);
        assert_eq!(parse_list_line(b"total 4.0K\r", today()), ListLine::Skip);
        assert!(matches!(
            parse_list_line(b"total", today()),
            ListLine::Entry(Entry {
                kind: EntryKind::Unparsed,
                ..
            })
        ));
    }

    #[test]
    fn localized_totals() {
        for line in [
            "insgesamt 12",
            "totale 8",
            "totaal 4,0K",
            "totalt 0",
            "\u{603b}\u{7528}\u{91cf} 16",
            "\u{5408}\u{8a08} 16",
            "\u{d569}\u{acc4} 16",
            "\u{438}\u{442}\u{43e}\u{433}\u{43e} 16",
        ] {
            assert_eq!(
                parse_list_line(line.as_bytes(), today()),
                ListLine::Skip,
                "{line}"
            );
        }
        for line in [
            &b"\xd7\xdc\xd3\xc3\xc1\xbf 16"[..],
            b"\x8d\x87\x8c\x76 16",
            b"\xc7\xd5\xb0\xe8 8",
        ] {
            assert_eq!(parse_list_line(line, today()), ListLine::Skip);
        }
        // Only the word and a number: anything more is kept.
        assert!(matches!(
            parse_list_line(b"insgesamt 12 Dateien", today()),
            ListLine::Entry(_)
        ));
        assert!(matches!(
            parse_list_line(b"insgesamt", today()),
            ListLine::Entry(_)
        ));
    }

    #[test]
    fn unparsed_entry_keeps_line() {
        let e = Entry::unparsed(b"weird \xff line");
        assert_eq!(e.kind, EntryKind::Unparsed);
        assert_eq!(e.raw_name, b"weird \xff line");
        assert_eq!(e.raw.as_deref(), Some("weird \u{fffd} line"));
        assert!(!e.is_dir());
    }

    #[test]
    fn mlsd_body_with_mixed_line_endings() {
        let body = b"type=cdir;modify=20261120101010; /pub\r\n\
type=pdir;modify=20261120101010; /\n\
type=dir;modify=20261120101010; sub dir\r\n\
type=file;size=3;modify=20261120101010; f\n";
        let entries = parse_mlsd(body);
        assert_eq!(entries.len(), 2);
        assert!(entries[0].is_dir());
        assert_eq!(entries[0].name, "sub dir");
        assert_eq!(entries[1].size, Some(3));
    }

    /// Independent of the parsers: a line they may skip is blank, a "total"
    /// header, a VMS "Directory" heading, or ends in a "." / ".." name
    /// (possibly with AS/400's directory slash).
    fn may_skip(line: &[u8]) -> bool {
        let line = trim_eol(line);
        line.iter().all(u8::is_ascii_whitespace)
            || line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"total")
            || TOTAL_WORDS.iter().any(|w| line.starts_with(w))
            || line.starts_with(b"Directory ")
            // VMS's directory heading alone: `USR:[ANONYMOUS]`.
            || {
                let mut words = line
                    .split(|b| *b == b' ' || *b == b'\t')
                    .filter(|w| !w.is_empty());
                matches!((words.next(), words.next()), (Some(w), None)
                    if w.ends_with(b"]") && contains(w, b":["))
            }
            || line.ends_with(b" .")
            || line.ends_with(b" ..")
            || line.ends_with(b"\t.")
            || line.ends_with(b"\t..")
            // AS/400 marks directories with a trailing '/'.
            || line.ends_with(b" ./")
            || line.ends_with(b" ../")
            || line.ends_with(b"\t./")
            || line.ends_with(b"\t../")
            // Windows `dir` puts a link's target after its name.
            || line.ends_with(b"]") && (contains(line, b" . [") || contains(line, b" .. ["))
            // Name-first DOS lines (WFTPD).
            || line.starts_with(b". ")
            || line.starts_with(b".. ")
            // VxWorks puts <DIR> after the name.
            || line.ends_with(b" <DIR>")
                && [&b" . "[..], b" .. ", b"\t. ", b"\t.. "]
                    .iter()
                    .any(|dot| contains(line, dot))
            || is_heading_like(line)
    }

    /// Column headings (MVS, PDS members, HP NonStop, OS-9, VxWorks) and
    /// rulers of dashes.
    fn is_heading_like(line: &[u8]) -> bool {
        let start = line.iter().take_while(|b| **b == b' ').count();
        let line = &line[start..];
        [&b"Volume "[..], b"Name ", b"File ", b"Owner ", b"size "]
            .iter()
            .any(|h| line.starts_with(h))
            || line.len() > 1 && line.iter().all(|b| matches!(b, b'-' | b' ' | b'\t'))
    }

    fn any_style() -> impl Strategy<Value = ListingStyle> {
        proptest::sample::select(ListingStyle::ALL.to_vec())
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// A name the line gave: a run of its bytes or, z/VM's one exception,
    /// its first two words joined by a period (`PROFILE  EXEC` is
    /// `PROFILE.EXEC`).
    fn named_by(line: &[u8], name: &[u8]) -> bool {
        let mut words = line
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|w| !w.is_empty());
        contains(line, name)
            || matches!((words.next(), words.next()),
                (Some(a), Some(b)) if name == [a, b".", b].concat())
    }

    fn plausible_line() -> impl Strategy<Value = Vec<u8>> {
        let unix = "[-dlbcpsDx][rwxsStT-]{9}[+@.]?[ ]{1,3}[0-9]{1,3} {1,3}[a-z0-9]{0,6} {0,3}[a-z0-9]{0,6} {1,6}[0-9,]{1,9} {1,3}(Jan|feb|MAR|Dec|Xyz|2024-11-20) {1,2}[0-9]{1,2} {1,2}([0-9]{1,2}:[0-9]{2}|[0-9]{4}|[0-9]{2}:[0-9]{2}:[0-9]{2}) {0,3}.{0,12}";
        let dos = "[0-9]{2}[-/][0-9]{2}[-/][0-9]{2,4} {1,3}[0-9]{1,2}:[0-9]{2}(AM|PM|am|)? {1,20}(<DIR>|[0-9,]{1,12}) {0,12}.{0,12}";
        let mlsd = "([a-zA-Z.]{1,6}=[a-zA-Z0-9=:/.]{0,16};){0,4} ?.{0,12}";
        let eplf = "\\+?([/rimsu][0-9a-z.]{0,6},){0,4},?\t?.{0,12}";
        let vms = "[A-Z0-9_$.]{0,10};[0-9]{0,6} {0,4}[0-9/]{0,7} {1,3}[0-9]{1,2}-[A-Za-z]{3}-[0-9]{2,4} [0-9:.]{4,11}( \\[[A-Z,]{0,9}\\])?( \\([RWED,]{0,12}\\))?.{0,4}";
        let os2 = " {0,12}[0-9]{1,10} {1,10}([AHRS]{1,3} {1,6})?(DIR {1,3})?[0-9]{2}-[0-9]{2}-[0-9]{2} {1,3}[0-9]{1,2}:[0-9]{2} {1,2}.{0,12}";
        let netware = "[-dl] \\[[RWCEAFMS-]{7,8}\\] [a-z]{0,6} {1,16}[0-9]{1,6} (Jan|Dec|Xyz) [0-9]{1,2} ([0-9]{2}:[0-9]{2}| [0-9]{4}) .{0,12}";
        let as400 = "( {0,40}\\*MEM {1,6}|[A-Z]{0,6} {1,12}[0-9]{1,6} [0-9]{2}/[0-9]{2}/[0-9]{2} [0-9:]{8} \\*[A-Za-z]{2,4} {1,6}).{0,12}/?";
        // ls in other locales and time styles, and lines without a date.
        let unix_dates = "[-dl][rwx-]{9} {1,3}[0-9]{1,3} [a-z0-9]{1,6} {1,3}([a-z0-9]{1,6}|ftpusers[0-9]{1,7}) {1,6}([0-9]{1,9}|[0-9]{1,3}[.,][0-9][KMGTk]) {1,2}((M\u{e4}r|mrz|f\u{e9}vr\\.|ao\u{fb}t|D\u{c9}C\\.|ene|giu|mei|maj|des|Okt|janv\\.|sept\\.|[0-9]{1,2}\\.?) {1,2}[0-9]{1,2}[.,]? {1,2}|[0-9]{1,2}\\.? (Nov|nov\\.|Mai) {1,2}|[0-9]{1,2} [0-9]{1,2} {1,2}|[0-9]{1,2}\u{6708} [0-9]{1,2}\u{65e5}? {1,2}|[0-9]{4} [0-9]{1,2} [0-9]{1,2} |[0-9]{4}\u{5e74}[0-9]{1,2}\u{6708}[0-9]{1,2}\u{65e5} |[0-9]{2}-[0-9]{2} |[0-9]{4}[-/][0-9]{2}[-/][0-9]{2} {1,2}|[0-9]{2}/[0-9]{2}/[0-9]{4} |[0-9]{2}\\.[0-9]{2}\\.([0-9]{2}|[0-9]{4}) )?([0-9]{2}:[0-9]{2}|[0-9]{4}|[0-9]{2}:[0-9]{2}:[0-9]{2}( [0-9]{4})?)? {0,3}.{0,12}";
        let dos_more = "([0-9]{2}\\.[0-9]{2}\\.[0-9]{2,4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4}) {1,3}[0-9]{1,2}:[0-9]{2}( ?(AM|PM|a|p))? {1,20}(<DIR>|<JUNCTION>|<SYMLINKD?>|[0-9]{1,3}([.,][0-9]{3}){0,3}) {0,12}.{0,12}( \\[.{0,8}\\]?)?";
        let connect = "-[A-Z-]{9}(FTP|TCP|X) [AB] [A-Z0-9]{1,6} {1,8}[0-9]{1,6} {1,6}[0-9]{1,3} (Jan|Aug|Xyz) [0-9]{1,2} ([0-9]{2}:[0-9]{2}| [0-9]{4}) .{0,12}";
        let os9 = " {0,3}[0-9]{1,3}\\.[0-9]{1,3} {1,5}[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{4} {1,3}[d-][s-][e-][w-][r-][e-][w-][r-] {1,5}[0-9A-G]{1,4} {1,6}[0-9]{1,7} .{0,12}";
        let vxworks = " {0,8}[0-9]{1,7} {1,6}(JAN|Feb|dec|Xyz)-[0-9]{2}-[0-9]{4} {1,3}[0-9]{2}:[0-9]{2}:[0-9]{2} {1,3}.{0,12}( {1,6}<DIR>)?";
        let wftpd = "[A-Za-z0-9.]{1,12} {1,10}(<DIR>|[0-9]{1,8}) {1,3}[0-9]{2}[-/][0-9]{2}[-/][0-9]{2,4} {1,3}[0-9]{1,2}:[0-9]{2}( ?[AaPp][Mm]?)?";
        let tandem = "[A-Z0-9]{1,8} {1,8}[0-9]{1,3}O? {1,12}[0-9,]{1,9} {1,2}[0-9]{1,2}-(Feb|Nov|Xyz)-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{1,3}, ?[0-9]{1,3} \"[oncu-]{4}\"";
        let mvs = "([A-Z0-9]{1,6} [0-9]{4} {1,3}([0-9]{4}/[0-9]{2}/[0-9]{2}|\\*\\*NONE\\*\\*) {1,3}[0-9]{1,3} {1,4}[0-9]{1,5} {1,3}[A-Z]{1,3} {1,6}[0-9]{1,5} {1,5}[0-9]{1,5} {1,3}(PS|PO|PO-E|XX)|Migrated|Pseudo Directory) {1,40}[A-Z0-9.#$@]{1,20}";
        let pds = "[A-Z#$@][A-Z0-9#$@]{0,7}( {1,3}[0-9]{2}\\.[0-9]{2} [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})? {1,5}[0-9]{1,5} {1,5}[0-9]{1,5} {1,5}[0-9]{1,5} [A-Z0-9]{1,7}| {1,3}[0-9A-F]{6} {1,3}[0-9A-F]{6}( [A-Z]{1,8})? {1,10}[0-9]{2}( [A-Z]{2}){0,3} {1,12}(24|31|ANY) {1,4}(24|ANY))?";
        let zvm = "[A-Z0-9$#@]{1,8} {1,6}(DIR|EXEC|[A-Z]{1,8}) {1,6}[FV-] {1,10}([0-9]{1,5}|-) {1,10}([0-9]{1,5}|-) {1,10}([0-9]{1,5}|-) ([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}) [0-9]{2}:[0-9]{2}(:[0-9]{2})? [A-Z0-9-]{1,8}";
        let headings = " ?(Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname|Name     VV\\.MM   Created       Changed      Size  Init   Mod   Id|File         Code             EOF  Last Modification    Owner  RWEP|Owner    Last modified  Attributes Sector  Bytecount Name|  size          date       time       name|[- ]{2,40})";
        let text = |re: &str| {
            proptest::string::string_regex(re)
                .expect("regex")
                .prop_map(String::into_bytes)
        };
        prop_oneof![
            text(unix),
            text(dos),
            text(mlsd),
            text(eplf),
            text(vms),
            text(os2),
            text(netware),
            text(as400),
            text(unix_dates),
            text(dos_more),
            legacy_unix_dates(),
            text(connect),
            text(os9),
            text(vxworks),
            text(wftpd),
            text(tandem),
            text(mvs),
            text(pds),
            text(zvm),
            text(headings),
            text("total [0-9]{1,4}|\\.|\\.\\.| *"),
            proptest::collection::vec(any::<u8>(), 0..64),
        ]
    }

    /// CJK date marks in the encodings servers send them in (UTF-8, GBK,
    /// Shift-JIS, EUC-KR) and Latin-1 month names, as bytes.
    fn legacy_unix_dates() -> impl Strategy<Value = Vec<u8>> {
        let marks: Vec<&'static [u8]> = vec![
            b"\xe6\x9c\x88",
            b"\xd4\xc2",
            b"\x8c\x8e",
            b"\xbf\xf9",
            b"\xc8\xd5",
            b"\x94\x4e",
            b"\xc0\xcf",
            b"M\xe4r",
            b"f\xe9vr.",
            b"ao\xfbt",
        ];
        (
            "[-dl][rwx-]{9} {1,3}[0-9]{1,2} [a-z0-9]{1,6} {1,3}[a-z0-9]{1,6} {1,6}[0-9]{1,9} {1,2}[0-9]{0,4}",
            proptest::sample::select(marks.clone()),
            " {0,2}[0-9]{0,2}",
            proptest::sample::select(marks),
            "( {1,2}([0-9]{2}:[0-9]{2}|[0-9]{4}))? {0,2}",
            proptest::collection::vec(any::<u8>(), 0..12),
        )
            .prop_map(|(head, mark, day, mark2, when, name)| {
                let mut line = head.into_bytes();
                line.extend_from_slice(mark);
                line.extend_from_slice(day.as_bytes());
                line.extend_from_slice(mark2);
                line.extend_from_slice(when.as_bytes());
                line.extend_from_slice(&name);
                line
            })
    }

    /// A date as some `ls` prints it, and whether a time right after it
    /// would join it (a year then one blank then a time does).
    fn localized_date() -> impl Strategy<Value = (Vec<u8>, bool)> {
        let text = |re: &'static str, joins: bool| {
            proptest::string::string_regex(re)
                .expect("regex")
                .prop_map(move |d| (d.into_bytes(), joins))
        };
        let marked = |month: &'static [u8], day: &'static [u8]| {
            "(1[0-2]|[1-9]) [12][0-9] ([01][0-9]:[0-5][0-9]| 20[0-9]{2})".prop_map(move |d| {
                let mut parts = d.splitn(3, ' ');
                let (m, dd, rest) = (
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                );
                let mut out = m.as_bytes().to_vec();
                out.extend_from_slice(month);
                out.push(b' ');
                out.extend_from_slice(dd.as_bytes());
                out.extend_from_slice(day);
                out.push(b' ');
                out.extend_from_slice(rest.as_bytes());
                (out, false)
            })
        };
        prop_oneof![
            text(
                "(M\u{e4}r|Mrz|M\u{e4}rz|Okt|Dez|Mai|janv\\.|f\u{e9}vr\\.|ao\u{fb}t|D\u{c9}C\\.|ene|abr|dic|gen|giu|ott|mrt|mei|maj|des|Januar|septiembre) [ 12][1-9]\\.? ([01][0-9]:[0-5][0-9]| [12][0-9]{3})",
                false
            ),
            text(
                "[12][0-9]\\.? (Nov|nov\\.|Mai|d\u{e9}c\\.|okt|M\u{c4}R) ([01][0-9]:[0-5][0-9]| [12][0-9]{3})",
                false
            ),
            text("(Jan|Feb|Jun|Dec) [12][0-9], 20[0-9]{2}", true),
            text(
                "(1[0-2]|[1-9]) [12][0-9] ([01][0-9]:[0-5][0-9]| 20[0-9]{2})",
                false
            ),
            text("20[0-9]{2} (1[0-2]|0?[1-9]) [12][0-9]", true),
            text(
                "(0[1-9]|1[0-2])-[0-2][1-9] ([01][0-9]:[0-5][0-9]|20[0-9]{2})",
                true
            ),
            text(
                "20[0-9]{2}-(0[1-9]|1[0-2])-[0-2][1-9] [01][0-9]:[0-5][0-9]",
                false
            ),
            text(
                "(20[0-9]{2}/(0[1-9]|1[0-2])/[0-2][1-9]|(0[1-9]|1[0-2])/[0-2][1-9]/20[0-9]{2}|[0-2][1-9]\\.(0[1-9]|1[0-2])\\.(20)?[0-9]{2})",
                true
            ),
            text(
                "20[0-9]{2}\u{5e74}(1[0-2]|[1-9])\u{6708}[12][0-9]\u{65e5}",
                true
            ),
            marked(b"\xe6\x9c\x88", b""),
            marked(b"\xd4\xc2", b"\xc8\xd5"),
            marked(b"\x8c\x8e", b"\x93\xfa"),
            marked(b"\xbf\xf9", b"\xc0\xcf"),
        ]
    }

    /// "10:00..." or "9:30...": what a time joining the date would eat.
    fn starts_with_time(name: &[u8]) -> bool {
        let digits = name.iter().take_while(|b| b.is_ascii_digit()).count();
        (1..=2).contains(&digits)
            && name.get(digits) == Some(&b':')
            && name[digits + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
                >= 2
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn localized_and_numeric_dates_round_trip(
            name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
                .prop_filter("dot", |n| !is_dot(n)),
            (date, joins) in localized_date(),
            owner in "[a-z][a-z0-9]{0,7} {1,3}[a-z][a-z0-9]{0,7}",
            size in any::<u64>(),
            pad in " {1,5}",
        ) {
            prop_assume!(!(joins && starts_with_time(&name)));
            let mut line = format!("-rw-r--r--{pad}1 {owner}{pad}{size} ").into_bytes();
            line.extend_from_slice(&date);
            line.push(b' ');
            line.extend_from_slice(&name);
            let entries = parse_list(&line, today());
            prop_assert_eq!(entries.len(), 1);
            let e = &entries[0];
            prop_assert_eq!(&e.kind, &EntryKind::File, "{:?}", String::from_utf8_lossy(&line));
            prop_assert_eq!(&e.raw_name, &name, "{:?}", String::from_utf8_lossy(&line));
            prop_assert_eq!(e.size, Some(size));
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_list(&data, today());
            let _ = parse_mlsd(&data);
        }

        #[test]
        fn raw_name_comes_from_the_line(
            line in prop_oneof![
                plausible_line(),
                proptest::collection::vec(any::<u8>(), 0..96),
            ].prop_map(|mut l| { l.retain(|&b| b != b'\n'); l }),
            style in any_style(),
        ) {
            // The name sent back in RETR/CWD must be bytes the server sent,
            // never something a parser made up.
            if let ListLine::Entry(e) = parse_list_line_as(&line, today(), style) {
                prop_assert!(
                    named_by(&line, &e.raw_name),
                    "{:?} not in {:?}",
                    String::from_utf8_lossy(&e.raw_name),
                    String::from_utf8_lossy(&line)
                );
            }
        }

        #[test]
        fn raw_names_come_from_the_body(
            lines in proptest::collection::vec(plausible_line(), 0..12),
            style in any_style(),
        ) {
            // Joined VMS lines span two input lines, so the body as a whole
            // is the haystack here.
            let data = lines.join(&b"\r\n"[..]);
            for e in parse_list_as(&data, today(), style) {
                prop_assert!(
                    contains(&data, &e.raw_name)
                        || data.split(|b| *b == b'\n').any(|l| named_by(l, &e.raw_name))
                );
            }
        }

        #[test]
        fn eplf_names_round_trip(
            name in proptest::collection::vec(
                any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
                .prop_filter("dot", |n| !is_dot(n)),
            facts in "(i[0-9a-z.]{1,8},)?(m[0-9]{1,10},)?(r,|/,)(s[0-9]{1,8},)?",
        ) {
            let mut line = format!("+{facts}\t").into_bytes();
            line.extend_from_slice(&name);
            let entries = parse_list(&line, today());
            prop_assert_eq!(entries.len(), 1);
            prop_assert_eq!(&entries[0].raw_name, &name);
            prop_assert_eq!(entries[0].is_dir(), facts.contains('/'));
        }

        #[test]
        fn no_line_is_silently_dropped(
            lines in proptest::collection::vec(plausible_line(), 0..12),
            day in 0u64..(366 * 3),
            style in any_style(),
        ) {
            let today = NaiveDate::from_ymd_opt(2024, 1, 1)
                .and_then(|d| d.checked_add_days(chrono::Days::new(day)))
                .expect("valid date");
            let data = lines.join(&b"\r\n"[..]);
            let _ = parse_mlsd(&data);
            let entries = parse_list_as(&data, today, style);
            // A heading in the first lines picks the style for Auto.
            let effective = match style {
                ListingStyle::Auto => detect_style(&data).unwrap_or(style),
                given => given,
            };
            let mut expected = 0;
            for line in data.split(|&b| b == b'\n') {
                match parse_list_line_as(line, today, effective) {
                    ListLine::Entry(_) => expected += 1,
                    ListLine::Skip => prop_assert!(
                        may_skip(line),
                        "skipped {:?}",
                        String::from_utf8_lossy(line)
                    ),
                }
            }
            prop_assert_eq!(entries.len(), expected);
        }

        #[test]
        fn unix_names_round_trip(
            name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
                .prop_filter("dot", |n| !is_dot(n)),
            owner in "[a-z0-9]{1,8}( +[a-z0-9]{1,8})?",
            size in any::<u64>(),
            pad in " {1,5}",
            when in "(Jan|Feb|Jun|Dec) [ 0-2][1-9] ([0-2][0-9]:[0-5][0-9]| [12][0-9]{3})",
        ) {
            let mut line = format!("-rw-r--r--{pad}1 {owner}{pad}{size} {when} ").into_bytes();
            line.extend_from_slice(&name);
            let entries = parse_list(&line, today());
            prop_assert_eq!(entries.len(), 1);
            prop_assert_eq!(&entries[0].kind, &EntryKind::File);
            prop_assert_eq!(&entries[0].raw_name, &name);
            prop_assert_eq!(entries[0].size, Some(size));
        }

        #[test]
        fn dos_names_round_trip(
            name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
                .prop_filter("dot or leading blank", |n| !is_dot(n) && n[0] != b' ' && n[0] != b'\t'),
            head in "(0[1-9]|1[0-2])-[0-2][0-9]-([0-9]{2}|20[0-9]{2})  (0[1-9]|1[0-2]):[0-5][0-9](AM|PM) +(<DIR>|[0-9]{1,3}(,[0-9]{3}){0,3}) +",
        ) {
            let mut line = head.clone().into_bytes();
            line.extend_from_slice(&name);
            let entries = parse_list(&line, today());
            prop_assert_eq!(entries.len(), 1);
            prop_assert_eq!(&entries[0].raw_name, &name);
            prop_assert_eq!(entries[0].is_dir(), head.contains("<DIR>"));
        }

        #[test]
        fn vms_names_keep_their_version(
            name in "[A-Z0-9_$-]{1,12}(\\.[A-Z0-9_]{0,5})?;[1-9][0-9]{0,3}",
            blocks in 0u64..100_000,
            allocated in proptest::option::of(0u64..100_000),
            time in proptest::option::of("[01][0-9]:[0-5][0-9](:[0-5][0-9](\\.[0-9]{2})?)?"),
            owner in proptest::option::of("\\[[A-Z]{1,8}(,[A-Z]{1,8})?\\]"),
            size_last in any::<bool>(),
        ) {
            prop_assume!(!name.to_ascii_uppercase().contains(".DIR;"));
            let size = match allocated {
                Some(a) => format!("{blocks}/{a}"),
                None => blocks.to_string(),
            };
            let date = match &time {
                Some(t) => format!("27-JAN-2026 {t}"),
                None => String::from("27-JAN-2026"),
            };
            let owner = owner.unwrap_or_default();
            let line = if size_last {
                format!("{name} {owner} {date}   {size}  (RWED,RWED,RE,)")
            } else {
                format!("{name}   {size} {date}  {owner}  (RWED,RWED,RE,)")
            };
            let entries = parse_list(line.as_bytes(), today());
            prop_assert_eq!(entries.len(), 1);
            prop_assert_eq!(&entries[0].name, &name, "{}", line);
            prop_assert_eq!(entries[0].size, Some(blocks * 512));
        }

        #[test]
        fn mlsd_names_round_trip(
            name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
                .prop_filter("dot", |n| !is_dot(n)),
            facts in "type=(file|dir);size=[0-9]{1,5};(UNIX[.]mode=0[0-7]{3};)?(modify=20[0-9]{12};)?",
        ) {
            let mut body = b"type=cdir; /x\r\n".to_vec();
            body.extend_from_slice(facts.as_bytes());
            body.push(b' ');
            body.extend_from_slice(&name);
            body.extend_from_slice(b"\r\n");
            let entries = parse_mlsd(&body);
            prop_assert_eq!(entries.len(), 1);
            prop_assert_eq!(&entries[0].raw_name, &name);
            prop_assert!(entries[0].kind != EntryKind::Unparsed);
        }
    }
}
