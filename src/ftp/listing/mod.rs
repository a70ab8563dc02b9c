//! Parsers for FTP directory listings.
//!
//! MLSD (RFC 3659) is machine-readable and preferred; LIST output is whatever
//! the server's `ls` (or imitation of it) prints, so its parsers are lenient
//! and never drop a line they do not understand: such lines come back as
//! [`EntryKind::Unparsed`] entries so the user still sees them.
//!
//! Everything works on bytes because servers send names in whatever encoding
//! the file system holds; `raw_name()` gives those bytes back so they can be
//! sent verbatim in RETR/CWD/DELE.
//!
//! `stream.rs` reads a listing as it arrives, line by line, within limits
//! (entries, memory, line length) a hostile server cannot push past; the
//! whole-body functions here are that reader without limits.

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
mod stream;
mod style;
mod tandem;
mod unix;
mod vms;
mod vshell;
mod vxworks;
mod wftpd;
mod zvm;

pub use stream::{Limits, Listing, ListingReader, TooLarge};
pub use style::{DetectedStyle, ListingStyle, StyleSource, detect as detect_style};

use chrono::{NaiveDate, NaiveDateTime};
use compact_str::CompactString;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Link,
    /// block/char device, pipe, socket, door: the ls type letter
    Special(char),
    /// an MLSD type fact we do not know (e.g. "OS.unix=slink" kept verbatim)
    Other(CompactString),
    /// a line no parser understood; the whole line is the entry's name
    Unparsed,
}

/// One entry of a listing. Kept small, because a directory may hold a
/// million of them: short text is stored inline (`CompactString` holds up
/// to 24 bytes without a heap allocation), and the server's bytes are kept
/// apart from the name only when they are not its UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Lossy UTF-8 for display; for an Unparsed entry, the whole line.
    pub name: CompactString,
    /// The server's bytes, when they are not `name`'s UTF-8.
    raw_name: Option<Box<[u8]>>,
    pub kind: EntryKind,
    /// None for devices (major/minor instead of size), dirs in DOS, unknown.
    pub size: Option<u64>,
    /// MLSD: UTC; LIST: as the server printed it.
    pub modified: Option<NaiveDateTime>,
    /// MLSD perm fact, or the ls mode string like "-rw-r--r--".
    pub perm: Option<CompactString>,
    /// For ls `name -> target`, and MLSD's `type=OS.unix=slink:target`.
    pub link_target: Option<CompactString>,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }

    /// The exact bytes the server sent for the name, to send back in
    /// commands (RETR, CWD, DELE) whatever their encoding.
    pub fn raw_name(&self) -> &[u8] {
        self.raw_name.as_deref().unwrap_or(self.name.as_bytes())
    }

    /// An entry for a line no parser understood. The whole line is the
    /// name so a listing pane has something to show for it.
    pub fn unparsed(line: &[u8]) -> Entry {
        Entry::named(line, EntryKind::Unparsed)
    }

    pub fn named(raw_name: &[u8], kind: EntryKind) -> Entry {
        let (name, raw_name) = match std::str::from_utf8(raw_name) {
            Ok(text) => (CompactString::from(text), None),
            Err(_) => (
                CompactString::from_utf8_lossy(raw_name),
                Some(raw_name.into()),
            ),
        };
        Entry {
            name,
            raw_name,
            kind,
            size: None,
            modified: None,
            perm: None,
            link_target: None,
        }
    }

    /// What this entry holds in memory, its own size included: what a
    /// listing's memory cap counts. A heap block costs its header too.
    fn footprint(&self) -> usize {
        const HEAP_BLOCK: usize = 16;
        let text = |t: &CompactString| {
            if t.is_heap_allocated() {
                t.capacity() + HEAP_BLOCK
            } else {
                0
            }
        };
        let mut total = std::mem::size_of::<Entry>() + text(&self.name);
        total += self.raw_name.as_ref().map_or(0, |r| r.len() + HEAP_BLOCK);
        total += self.perm.as_ref().map_or(0, text);
        total += self.link_target.as_ref().map_or(0, text);
        if let EntryKind::Other(other) = &self.kind {
            total += text(other);
        }
        total
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
    whole(ListingReader::mlsd(Limits::UNLIMITED), data)
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
    whole(ListingReader::list(style, today, Limits::UNLIMITED), data)
}

fn whole(mut reader: ListingReader, data: &[u8]) -> Vec<Entry> {
    // Unlimited, so nothing is refused.
    match reader.feed(data).and_then(|()| reader.finish()) {
        Ok(listing) => listing.entries,
        Err(_) => Vec::new(),
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
    if entry.kind != EntryKind::Unparsed && is_dot(entry.raw_name()) {
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

fn lossy(bytes: &[u8]) -> CompactString {
    CompactString::from_utf8_lossy(bytes)
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

    pub(crate) fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
    }

    pub(crate) fn one(line: &[u8]) -> Entry {
        match parse_list_line(line, today()) {
            ListLine::Entry(e) => e,
            ListLine::Skip => panic!("line skipped: {:?}", String::from_utf8_lossy(line)),
        }
    }

    /// The one entry a line gives when the server's type is `style`.
    #[track_caller]
    pub(crate) fn one_as(line: &[u8], style: super::ListingStyle) -> Entry {
        let entries = super::parse_list_as(line, today(), style);
        assert_eq!(entries.len(), 1, "{:?}", String::from_utf8_lossy(line));
        entries.into_iter().next().expect("one entry")
    }

    /// Asserts that no family reads any of these lines.
    #[track_caller]
    pub(crate) fn unparsed(lines: &[&[u8]]) {
        for line in lines {
            assert_eq!(
                one(line).kind,
                super::EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    pub(crate) fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        at_s(y, m, d, h, min, 0)
    }

    pub(crate) fn at_s(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, s))
    }
}

#[cfg(test)]
mod tests;
