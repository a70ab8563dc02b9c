//! A listing read as it arrives: each line becomes an entry (or nothing)
//! as soon as its end is seen, so what a listing costs in memory is its
//! entries, never its text. A hostile server may send a listing without
//! end, one line without end, or millions of names; the limits stop each
//! of them with a message saying which.

use chrono::NaiveDate;

use super::{
    Entry, EntryKind, ListLine, ListingStyle, join_vms_wrapped, mvs, parse_list_line_as,
    parse_mlsd_line, style, trim_eol, vms,
};

/// How large one directory's listing may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries kept (lines skipped as headings or `.` do not count).
    pub entries: usize,
    /// Memory held by the entries, their text included.
    pub memory: usize,
    /// Bytes of one line.
    pub line: usize,
}

impl Limits {
    pub const DEFAULT_ENTRIES: usize = 1_000_000;
    /// A million entries with short names fit; the process stays under
    /// 256 MiB with the rest of what it holds.
    pub const DEFAULT_MEMORY: usize = 160 * 1024 * 1024;
    /// No entry of any family is this long: a name is at most a few
    /// hundred bytes, and MLSD's facts a few dozen.
    pub const DEFAULT_LINE: usize = 16 * 1024;

    pub const UNLIMITED: Limits = Limits {
        entries: usize::MAX,
        memory: usize::MAX,
        line: usize::MAX,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: Self::DEFAULT_ENTRIES,
            memory: Self::DEFAULT_MEMORY,
            line: Self::DEFAULT_LINE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TooLarge {
    #[error("listing larger than {0} entries: stopped")]
    Entries(usize),
    #[error("listing larger than {} MiB in memory: stopped", .0 / (1024 * 1024))]
    Memory(usize),
    #[error("listing line longer than {} KiB: stopped", .0 / 1024)]
    Line(usize),
}

/// What a finished listing gave: its entries and, for LIST, the server
/// type a heading in its first lines named.
#[derive(Debug)]
pub struct Listing {
    pub entries: Vec<Entry>,
    pub heading_style: Option<ListingStyle>,
}

enum Family {
    Mlsd,
    List {
        today: NaiveDate,
        style: ListingStyle,
        /// Until the first lines are in, a heading may still name the
        /// server's type; they wait in `first_lines`.
        settled: bool,
    },
}

pub struct ListingReader {
    family: Family,
    limits: Limits,
    /// The line whose end has not arrived yet.
    partial: Vec<u8>,
    first_lines: Vec<Vec<u8>>,
    heading_style: Option<ListingStyle>,
    /// A VMS name printed alone, waiting for the line that completes it.
    lone_name: Option<Vec<u8>>,
    saw_data_set: bool,
    entries: Vec<Entry>,
    memory: usize,
}

impl ListingReader {
    pub fn mlsd(limits: Limits) -> ListingReader {
        ListingReader::new(Family::Mlsd, limits)
    }

    /// `today` anchors the year of `ls` dates that omit it.
    pub fn list(style: ListingStyle, today: NaiveDate, limits: Limits) -> ListingReader {
        let settled = style != ListingStyle::Auto;
        ListingReader::new(
            Family::List {
                today,
                style,
                settled,
            },
            limits,
        )
    }

    fn new(family: Family, limits: Limits) -> ListingReader {
        ListingReader {
            family,
            limits,
            partial: Vec::new(),
            first_lines: Vec::new(),
            heading_style: None,
            lone_name: None,
            saw_data_set: false,
            entries: Vec::new(),
            memory: 0,
        }
    }

    /// Takes the next bytes of the listing, in pieces of any size.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), TooLarge> {
        while let Some(end) = data.iter().position(|&b| b == b'\n') {
            if self.partial.is_empty() {
                self.line(&data[..end])?;
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&data[..end]);
                self.line(&line)?;
                line.clear();
                self.partial = line;
            }
            data = &data[end + 1..];
        }
        if self.partial.len() + data.len() > self.limits.line {
            return Err(TooLarge::Line(self.limits.line));
        }
        self.partial.extend_from_slice(data);
        Ok(())
    }

    /// The listing has ended: its last line need not end in a newline.
    pub fn finish(mut self) -> Result<Listing, TooLarge> {
        let last = std::mem::take(&mut self.partial);
        if !last.is_empty() {
            self.line(&last)?;
        }
        self.settle_style()?;
        if let Some(name) = self.lone_name.take() {
            self.list_line(&name)?;
        }
        if let Family::List { style, .. } = self.family
            && !style.is_gated()
            && self.saw_data_set
        {
            read_mvs_remnants(&mut self.entries);
        }
        Ok(Listing {
            entries: self.entries,
            heading_style: self.heading_style,
        })
    }

    fn line(&mut self, line: &[u8]) -> Result<(), TooLarge> {
        let line = trim_eol(line);
        if line.len() > self.limits.line {
            return Err(TooLarge::Line(self.limits.line));
        }
        match self.family {
            Family::Mlsd => match parse_mlsd_line(line) {
                Some(entry) => self.keep(entry),
                None => Ok(()),
            },
            Family::List { settled: false, .. } => {
                self.first_lines.push(line.to_vec());
                let seen = self
                    .first_lines
                    .iter()
                    .filter(|l| !super::is_blank(l))
                    .count();
                if seen >= style::HEADING_LINES {
                    self.settle_style()?;
                }
                Ok(())
            }
            Family::List { settled: true, .. } => self.list_line(line),
        }
    }

    /// Reads the lines held back for a heading, now that the style is
    /// known (or that no heading came).
    fn settle_style(&mut self) -> Result<(), TooLarge> {
        let Family::List { style, settled, .. } = &mut self.family else {
            return Ok(());
        };
        if *settled {
            return Ok(());
        }
        *settled = true;
        let held = std::mem::take(&mut self.first_lines);
        self.heading_style = style::detect(&held.join(&b'\n'));
        if let Some(found) = self.heading_style {
            *style = found;
        }
        for line in &held {
            self.list_line(line)?;
        }
        Ok(())
    }

    fn list_line(&mut self, line: &[u8]) -> Result<(), TooLarge> {
        if let Some(name) = self.lone_name.take() {
            if let Some(entry) = join_vms_wrapped(&name, line) {
                return self.keep(entry);
            }
            self.one_list_line(&name)?;
        }
        if vms::lone_name(line) {
            self.lone_name = Some(line.to_vec());
            return Ok(());
        }
        self.one_list_line(line)
    }

    fn one_list_line(&mut self, line: &[u8]) -> Result<(), TooLarge> {
        let Family::List { today, style, .. } = self.family else {
            return Ok(());
        };
        if !self.saw_data_set && !style.is_gated() && mvs::names_data_set(line) {
            self.saw_data_set = true;
        }
        match parse_list_line_as(line, today, style) {
            ListLine::Entry(entry) => self.keep(entry),
            ListLine::Skip => Ok(()),
        }
    }

    fn keep(&mut self, entry: Entry) -> Result<(), TooLarge> {
        if self.entries.len() >= self.limits.entries {
            return Err(TooLarge::Entries(self.limits.entries));
        }
        self.memory += entry.footprint();
        if self.memory > self.limits.memory {
            return Err(TooLarge::Memory(self.limits.memory));
        }
        self.entries.push(entry);
        Ok(())
    }
}

/// A z/OS server that said it was Unix (see `mvs::parse_data_set`) also
/// lists migrated, VSAM and tape data sets, whose lines are a word or two
/// and a name: read as MVS only when another line of the listing proved
/// it is one, and only the lines nothing else read.
fn read_mvs_remnants(entries: &mut [Entry]) {
    for entry in entries.iter_mut().filter(|e| e.kind == EntryKind::Unparsed) {
        if let Some(read) = mvs::parse(entry.raw_name()) {
            *entry = read;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::today;
    use super::*;
    use proptest::prelude::*;

    fn read(mut reader: ListingReader, pieces: &[&[u8]]) -> Result<Listing, TooLarge> {
        for piece in pieces {
            reader.feed(piece)?;
        }
        reader.finish()
    }

    fn names(listing: &Listing) -> Vec<&str> {
        listing.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// What a million-entry directory costs is this times a million:
    /// short names and facts must not reach the heap.
    #[test]
    fn an_entry_is_small_and_short_text_stays_inline() {
        assert!(
            std::mem::size_of::<Entry>() <= 160,
            "{}",
            std::mem::size_of::<Entry>()
        );
        let body = b"type=file;size=5;modify=20260101000000;perm=adfrw; a-short-name.txt\r\n";
        let entries = super::super::parse_mlsd(body);
        assert_eq!(entries[0].footprint(), std::mem::size_of::<Entry>());
    }

    #[test]
    fn a_line_split_anywhere_reads_as_one() {
        let body: &[u8] =
            b"-rw-r--r-- 1 u g 5 Nov 22 10:00 one\r\n-rw-r--r-- 1 u g 7 Nov 22 10:00 two\r\n";
        for cut in 0..body.len() {
            let reader = ListingReader::list(ListingStyle::Auto, today(), Limits::default());
            let listing = read(reader, &[&body[..cut], &body[cut..]]).expect("small");
            assert_eq!(names(&listing), ["one", "two"], "cut at {cut}");
        }
    }

    /// A heading among the first lines names the style even when those
    /// lines arrive one byte at a time.
    #[test]
    fn a_heading_still_names_the_style_byte_by_byte() {
        let body: &[u8] = b"Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\r\n\
WYOSPT 3420   2026/11/20  1    5  FB      80  3120  PS  BREAD.CLIST\r\n";
        let mut reader = ListingReader::list(ListingStyle::Auto, today(), Limits::default());
        for byte in body {
            reader.feed(std::slice::from_ref(byte)).expect("small");
        }
        let listing = reader.finish().expect("small");
        assert_eq!(listing.heading_style, Some(ListingStyle::Mvs));
        assert_eq!(names(&listing), ["BREAD.CLIST"]);
    }

    #[test]
    fn a_vms_name_wrapped_onto_two_lines_is_joined_across_pieces() {
        let body: &[u8] = b"A_VERY_LONG_FILE_NAME_INDEED.TXT;1\r\n         3/4     22-NOV-2026 10:00:00  [USER]  (RWED,RWED,RE,)\r\n";
        let reader = ListingReader::list(ListingStyle::Auto, today(), Limits::default());
        let listing = read(reader, &[&body[..40], &body[40..]]).expect("small");
        assert_eq!(names(&listing), ["A_VERY_LONG_FILE_NAME_INDEED.TXT;1"]);
    }

    #[test]
    fn past_the_entry_limit_the_listing_is_stopped() {
        let limits = Limits {
            entries: 3,
            ..Limits::default()
        };
        let body = b"type=file; a\r\ntype=file; b\r\ntype=cdir; .\r\ntype=file; c\r\n";
        let listing = read(ListingReader::mlsd(limits), &[body]).expect("three entries fit");
        assert_eq!(names(&listing), ["a", "b", "c"]);
        let more = b"type=file; a\r\ntype=file; b\r\ntype=file; c\r\ntype=file; d\r\n";
        let stopped = read(ListingReader::mlsd(limits), &[more]).unwrap_err();
        assert_eq!(
            stopped.to_string(),
            "listing larger than 3 entries: stopped"
        );
    }

    /// Long names cost memory the entry count does not show.
    #[test]
    fn past_the_memory_limit_the_listing_is_stopped() {
        let limits = Limits {
            memory: 4096,
            ..Limits::default()
        };
        let long = "n".repeat(1000);
        let line = format!("type=file;size=1; {long}\r\n");
        let mut reader = ListingReader::mlsd(limits);
        let stopped = (0..10)
            .try_for_each(|_| reader.feed(line.as_bytes()))
            .unwrap_err();
        assert_eq!(stopped, TooLarge::Memory(4096));
        assert!(stopped.to_string().starts_with("listing larger than 0 MiB"));
    }

    /// A line without end is stopped at the line limit, not held whole.
    #[test]
    fn a_line_without_end_is_stopped() {
        let mut reader = ListingReader::mlsd(Limits::default());
        let chunk = vec![b'x'; 4096];
        let stopped = (0..100).try_for_each(|_| reader.feed(&chunk)).unwrap_err();
        assert_eq!(
            stopped.to_string(),
            "listing line longer than 16 KiB: stopped"
        );
        let mut reader = ListingReader::mlsd(Limits::default());
        let mut one = vec![b'y'; 20 * 1024];
        one.extend_from_slice(b"\r\n");
        assert_eq!(reader.feed(&one), Err(TooLarge::Line(16 * 1024)));
    }

    proptest! {
        /// However the bytes are cut, the entries are the whole body's.
        #[test]
        fn pieces_read_as_the_whole(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("-rw-r--r-- 1 u g 5 Nov 22 10:00 a file".to_string()),
                    Just("drwxr-xr-x 2 u g 4096 Jan  1  2020 dir".to_string()),
                    Just("11-22-26  10:00AM       <DIR>          Sub".to_string()),
                    Just("LONG_NAME_THAT_WRAPS.DAT;2".to_string()),
                    Just("   1/2  22-NOV-2026 10:00:00 [U] (RWED,RWED,RE,)".to_string()),
                    Just("total 12".to_string()),
                    Just(String::new()),
                    "[ -~]{0,40}",
                ],
                0..30,
            ),
            cuts in proptest::collection::vec(0usize..2000, 0..8),
        ) {
            let body = lines.join("\r\n").into_bytes();
            let whole = super::super::parse_list(&body, today());
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(body.len())).collect();
            cuts.push(0);
            cuts.push(body.len());
            cuts.sort_unstable();
            let pieces: Vec<&[u8]> = cuts.windows(2).map(|w| &body[w[0]..w[1]]).collect();
            let reader = ListingReader::list(ListingStyle::Auto, today(), Limits::default());
            let read = read(reader, &pieces).expect("small");
            prop_assert_eq!(read.entries, whole);
        }
    }
}
