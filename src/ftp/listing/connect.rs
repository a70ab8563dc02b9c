//! Sterling Connect:Enterprise (mailbox) LIST lines:
//! `-C--E-----FTP B BCC3I1       7670  1294495 Jan 13 07:42 QUADTEST`.
//!
//! Ten flag columns (`-` or a capital letter: C collected, E extracted,
//! ...) run straight into the protocol that delivered the batch (`FTP`,
//! `TCP`, ...), then the data type (`A` ASCII, `B` binary), the batch
//! owner, the batch number, the size in bytes, an `ls`-style date and the
//! batch name. (The size is the second number: servers' batches of
//! `7670  1294495` bytes transfer 1294495.) The flag-and-protocol token is thirteen or more bytes
//! where an `ls` mode has ten, so `unix.rs` never takes these lines, and
//! no other family starts with a dash.

use chrono::NaiveDateTime;

use super::calendar::{infer_year, month_number, parse_day, parse_hour_minute, parse_year};
use super::{Entry, EntryKind, lossy, parse_u64, tokens};

pub(super) fn parse(line: &[u8], today: chrono::NaiveDate) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let flags = tok(0)?;
    if !is_flags(flags) {
        return None;
    }
    if !matches!(tok(1)?, [b'A'..=b'Z']) {
        return None;
    }
    let _owner = tok(2)?;
    let _batch = parse_u64(tok(3)?)?;
    let size = parse_u64(tok(4)?)?;
    let month = month_number(tok(5)?)?;
    let day = parse_day(tok(6)?)?;
    let year_or_time = tok(7)?;
    let modified = if let Some(year) = parse_year(year_or_time) {
        chrono::NaiveDate::from_ymd_opt(year, month, day).and_then(|d| d.and_hms_opt(0, 0, 0))
    } else {
        let time = parse_hour_minute(year_or_time)?;
        infer_year(month, day, today)
            .zip(time)
            .map(|(d, t)| NaiveDateTime::new(d, t))
    };
    let &(name_start, _) = toks.get(8)?;
    let mut entry = Entry::named(&line[name_start..], EntryKind::File);
    entry.size = Some(size);
    entry.modified = modified;
    entry.perm = Some(lossy(flags));
    Some(entry)
}

/// `-C--E-----FTP`: ten flags, then a protocol name of three or more
/// capitals.
fn is_flags(tok: &[u8]) -> bool {
    tok.len() >= 13
        && tok.len() <= 16
        && tok[0] == b'-'
        && tok[..10]
            .iter()
            .all(|&b| b == b'-' || b.is_ascii_uppercase())
        && tok[10..].iter().all(u8::is_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn binary_batch() {
        let e = one(b"-C--E-----FTP B QUA1I1         41      18128 Aug 12 13:56 QUADTEST");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "QUADTEST");
        assert_eq!(e.size, Some(18128));
        assert_eq!(e.modified, at(2026, 8, 12, 13, 56));
        assert_eq!(e.perm.as_deref(), Some("-C--E-----FTP"));
        // A batch seen on a real server: the second number is its length.
        let e = one(b"-C--E-----FTP B BCC3I1       7670  1294495 Jan 13 07:42 50-conent file");
        assert_eq!(e.name, "50-conent file");
        assert_eq!(e.size, Some(1_294_495));
    }

    #[test]
    fn ascii_batch_with_year() {
        let e = one(b"-C--E-----FTP A QUA1I1          1  0 Dec 30  2025 QUADTEST2");
        assert_eq!(e.name, "QUADTEST2");
        assert_eq!(e.size, Some(0));
        assert_eq!(e.modified, at(2025, 12, 30, 0, 0));
    }

    #[test]
    fn other_protocols_and_flags() {
        let e = one(b"-------T--TCP B MBX01    7 512 Nov 21 08:00 NIGHTLY.RUN");
        assert_eq!(e.name, "NIGHTLY.RUN");
        assert_eq!(e.size, Some(512));
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"-C--E-----FTP B QUA1I1 18128 41 Aug 12 13:56"[..],
            b"-C--E-----FTP BB QUA1I1 18128 41 Aug 12 13:56 two-letter-type",
            b"-C--E-----ftp B QUA1I1 18128 41 Aug 12 13:56 lower-protocol",
            b"-C--e-----FTP B QUA1I1 18128 41 Aug 12 13:56 lower-flag",
            b"-C--E-----FTP B QUA1I1 18,128 41 Aug 12 13:56 comma",
            b"-C--E-----FTP B QUA1I1 x 18128 Aug 12 13:56 batch",
            b"-C--E-----FTP B QUA1I1 18128 41 Foo 12 13:56 month",
            b"-C--E---FTP B QUA1I1 18128 41 Aug 12 13:56 short-flags",
        ]);
    }

    #[test]
    fn unix_lines_are_not_connect() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"-rw-r--r--+   1 ftp      ftp             5 Nov 20 10:00 a.txt",
        ] {
            assert!(
                parse(line, today()).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
