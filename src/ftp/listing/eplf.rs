//! D. J. Bernstein's Easily Parsed LIST Format:
//! `+i8388621.48594,m825718503,r,s280,\tdjb.html`.
//!
//! Every line starts with '+', each fact ends with ',' (the last one's is
//! sometimes left off), and a tab separates the facts from the name, so a
//! line is only taken when the '+', the facts and the tab are there.

use chrono::{DateTime, NaiveDateTime};

use compact_str::CompactString;

use super::{Entry, EntryKind, lossy, parse_u64};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let rest = line.strip_prefix(b"+")?;
    let tab = rest.iter().position(|&b| b == b'\t')?;
    let (facts, name) = (&rest[..tab], &rest[tab + 1..]);
    // The spec allows any byte but tab and line ends in a name; only an
    // empty one is meaningless.
    // Every fact should end with ',', but servers leave the last one's
    // off before the tab (`s280,up755\tname`); the '+' and the tab are
    // enough to know the line.
    let facts = facts.strip_suffix(b",").unwrap_or(facts);
    if name.is_empty() {
        return None;
    }

    let (mut cwd, mut retr) = (false, false);
    let (mut size, mut modified, mut perm) = (None, None, None);
    for fact in facts.split(|&b| b == b',') {
        let (&tag, value) = fact.split_first()?;
        match tag {
            b'/' => cwd = true,
            b'r' => retr = true,
            // A malformed number means this is not EPLF after all.
            b's' => size = Some(parse_u64(value)?),
            b'm' => modified = Some(unix_time(parse_u64(value)?)),
            // The spec tells clients to ignore facts they do not know ('i'
            // identifiers and later additions), and a `u` fact other than
            // `up` with octal digits is one of those.
            b'u' => perm = permission(value).or(perm),
            _ => {}
        }
    }

    // A name that is both CWD-able and RETR-able is walked as a directory,
    // since descending is what a tree copy needs to know.
    let kind = match (cwd, retr) {
        (true, _) => EntryKind::Dir,
        (false, true) => EntryKind::File,
        // Neither: the server says it can do nothing with it (a device, a
        // dangling link); "File" would invite a doomed RETR.
        (false, false) => EntryKind::Other("eplf".into()),
    };
    let mut entry = Entry::named(name, kind);
    entry.size = size;
    entry.modified = modified.flatten();
    entry.perm = perm;
    Some(entry)
}

/// Seconds since 1970 in UTC; None for values chrono cannot represent,
/// which still leaves the line an EPLF one.
fn unix_time(secs: u64) -> Option<NaiveDateTime> {
    let secs = i64::try_from(secs).ok()?;
    DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc())
}

/// `up644`: the Unix permission bits in octal, kept as the digits.
fn permission(value: &[u8]) -> Option<CompactString> {
    let octal = value.strip_prefix(b"p")?;
    let valid = (1..=4).contains(&octal.len()) && octal.iter().all(|b| (b'0'..=b'7').contains(b));
    valid.then(|| lossy(octal))
}

#[cfg(test)]
mod tests {
    use super::super::parse_list;
    use super::*;
    use crate::ftp::listing::fixtures::*;
    use chrono::NaiveDate;

    #[test]
    fn file_with_size_and_mtime() {
        let e = one(b"+i8388621.48594,m825718503,r,s280,\tdjb.html");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "djb.html");
        assert_eq!(e.size, Some(280));
        let when = NaiveDate::from_ymd_opt(1996, 3, 1).and_then(|d| d.and_hms_opt(22, 15, 3));
        assert_eq!(e.modified, when);
    }

    #[test]
    fn directory() {
        let e = one(b"+i8388621.50690,m824255907,/,\t514");
        assert!(e.is_dir());
        assert_eq!(e.name, "514");
        assert_eq!(e.size, None);
    }

    #[test]
    fn name_keeps_spaces_and_raw_bytes() {
        let e = one(b"+r,s1,\t my file\xff.txt ");
        assert_eq!(e.raw_name(), b" my file\xff.txt ");
    }

    #[test]
    fn permission_and_unknown_facts() {
        let e = one(b"+r,up640,xfuture=1,s0,\ta");
        assert_eq!(e.perm.as_deref(), Some("640"));
        assert_eq!(e.size, Some(0));
    }

    #[test]
    fn facts_it_cannot_read_are_ignored() {
        // A real server's line: `up755` last, without its comma.
        let e = one(b"+i8388621.48594,m825718503,r,s280,up755\t14-eplf file");
        assert_eq!(e.name, "14-eplf file");
        assert_eq!(e.size, Some(280));
        assert_eq!(e.perm.as_deref(), Some("755"));
        let e = one(b"+r,up999,\tbad-perm");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.perm, None);
    }

    #[test]
    fn neither_cwd_nor_retr() {
        let e = one(b"+m825718503,\tdev");
        assert_eq!(e.kind, EntryKind::Other("eplf".into()));
    }

    #[test]
    fn body_with_dots() {
        let body = b"+/,\t.\r\n+/,\t..\r\n+r,s3,\tx\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "x");
    }

    #[test]
    fn near_misses_are_unparsed() {
        unparsed(&[
            &b"+r,s280 djb.html"[..],
            b"+r,,\tempty-fact",
            b"+r,s2x0,\tbad-size",
            b"+r,m-5,\tbad-time",
            b"+r,\t",
            b"r,s1,\tno-plus",
        ]);
    }
}
