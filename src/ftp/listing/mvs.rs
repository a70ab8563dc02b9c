//! IBM MVS / z/OS data set lists, under the heading
//! `Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname`:
//! `WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  BREAD.CLIST`.
//!
//! Volume, unit, the date last referred to (`**NONE**` if never), extents,
//! tracks used, record format, record length, block size, organisation
//! and the data set name. Partitioned data sets (`PO`, `PO-E`) hold
//! members and are entered with CWD, so they are directories; migrated
//! data sets (`Migrated  HSM.DATASET`), those on tape or whose attributes
//! the server could not read carry only a name, and `Pseudo Directory`
//! names a qualifier with data sets below it. The listing gives no length
//! in bytes (tracks depend on the device), so sizes stay unknown.
//!
//! A line with every column is read whatever the server said it was
//! (`parse_data_set`); the short ones only when the server says it is MVS
//! (SYST, the heading, or the site's `listing`) or the listing holds a
//! full line: "a word, then a name" is too little to be sure of anywhere
//! else. Members of a partitioned data set are `pds.rs`.

use chrono::NaiveDate;

use super::calendar::{date_of, year_first};
use super::{Entry, EntryKind, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);
    let words: Vec<&[u8]> = (0..toks.len()).filter_map(tok).collect();

    let (&dsname, head) = words.split_last()?;
    if !is_dsname(dsname) {
        return None;
    }
    let file = |kind| Some(Entry::named(dsname, kind));
    match head {
        [b"Migrated"] => file(EntryKind::File),
        [b"Pseudo", b"Directory"] => file(EntryKind::Dir),
        // A generation data group's base, printed without a volume.
        [b"Error", b"determining", b"attributes"] => file(EntryKind::File),
        [volume, b"Not", b"Direct", b"Access", b"Device"]
        | [volume, b"Error", b"determining", b"attributes"]
        | [volume, _, b"VSAM"]
        | [volume, b"Tape"]
            if is_volume(volume) =>
        {
            file(EntryKind::File)
        }
        _ => full(dsname, head),
    }
}

/// A data set line with every column: volume, unit, referred date or
/// `**NONE**`, extents, used, format, lengths, organisation and name. Eight
/// or more columns of these shapes are what no other system prints, so
/// these are read whatever the server said it was, as graphical clients
/// do (a z/OS server answers SYST with `UNIX` in its Unix file system and
/// may keep that answer after a CWD to data sets).
/// Whether `line` is a full data set line: what proves a listing comes
/// from MVS. Asked of every line of a listing, so most are turned away by
/// their first word (an `ls` mode or a date is no volume serial).
pub(super) fn names_data_set(line: &[u8]) -> bool {
    let first = line
        .split(|&b| b == b' ' || b == b'\t')
        .find(|word| !word.is_empty());
    first.is_some_and(is_volume) && parse_data_set(line).is_some()
}

pub(super) fn parse_data_set(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let words: Vec<&[u8]> = toks.iter().map(|&(s, e)| &line[s..e]).collect();
    let (&dsname, head) = words.split_last()?;
    if !is_dsname(dsname) {
        return None;
    }
    full(dsname, head)
}

fn full(dsname: &[u8], head: &[&[u8]]) -> Option<Entry> {
    // Volume, unit, referred, 3 to 5 attribute columns, organisation.
    let [volume, unit, referred, attributes @ .., dsorg] = head else {
        return None;
    };
    if !is_volume(volume)
        || !unit.iter().all(u8::is_ascii_alphanumeric)
        || !(3..=5).contains(&attributes.len())
        || !attributes
            .iter()
            // `????` and `++++` stand for numbers too wide for the column.
            .all(|a| {
                a.iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'?' || *b == b'+')
            })
    {
        return None;
    }
    let referred = parse_referred(referred)?;
    let kind = match *dsorg {
        b"PO" | b"PO-E" => EntryKind::Dir,
        // `NONE`: a data set allocated but never opened.
        b"PS" | b"PS-E" | b"DA" | b"IS" | b"VS" | b"U" | b"?" | b"NONE" => EntryKind::File,
        _ => return None,
    };
    let mut entry = Entry::named(dsname, kind);
    entry.modified = referred.and_then(|d| d.and_hms_opt(0, 0, 0));
    Some(entry)
}

/// `USER.DATA.SET`: qualifiers of letters, digits and national characters
/// (also what the server prints for a relative name), quoted or not.
fn is_dsname(tok: &[u8]) -> bool {
    let bare = tok
        .strip_prefix(b"'")
        .and_then(|t| t.strip_suffix(b"'"))
        .unwrap_or(tok);
    // Qualifiers are at most eight bytes on z/OS, but not in every
    // server's listing (`62-MVS-NONEDATE.DATASET`): the other columns are
    // what tell these lines apart.
    !bare.is_empty()
        && bare.len() <= 44
        && bare.split(|&b| b == b'.').all(|q| {
            !q.is_empty()
                && q.iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"#$@-{}".contains(b))
        })
}

/// A volume serial: up to six letters, digits and national characters.
fn is_volume(tok: &[u8]) -> bool {
    (1..=6).contains(&tok.len())
        && tok
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"#$@".contains(b))
}

/// `2003/05/21`, `12/29/95` on older servers, or `**NONE**` for a data
/// set nobody has opened; the inner Option is None when there is no
/// (possible) date.
fn parse_referred(tok: &[u8]) -> Option<Option<NaiveDate>> {
    if tok == b"**NONE**" {
        return Some(None);
    }
    if let [m1, m2, b'/', d1, d2, b'/', y1, y2] = *tok {
        return date_of(&[y1, y2], &[m1, m2], &[d1, d2], 70);
    }
    year_first(tok, b'/')
}

#[cfg(test)]
mod tests {
    use super::super::{ListingStyle, parse_list, parse_list_as};
    use super::*;
    use crate::ftp::listing::fixtures::*;
    use compact_str::CompactString;

    #[track_caller]
    fn mvs(line: &[u8]) -> Entry {
        one_as(line, ListingStyle::Mvs)
    }

    #[test]
    fn sequential_data_set() {
        let e = mvs(b"WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  BREAD.CLIST");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "BREAD.CLIST");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(2003, 5, 21, 0, 0));
    }

    #[test]
    fn partitioned_data_sets_are_directories() {
        let e = mvs(b"WPTA01 3390   2026/11/04  1    3  FB      80  3120  PO  SOURCE.COBOL");
        assert!(e.is_dir());
        assert_eq!(e.raw_name(), b"SOURCE.COBOL");
        let e = mvs(b"SMS004 3390   2026/11/04  2   45  VB     255 27998  PO-E  LIBRARY.PDSE");
        assert!(e.is_dir());
    }

    #[test]
    fn never_referred_and_merged_columns() {
        let e = mvs(b"NRP004 3390   **NONE**    1   15  NONE     0     0  PO  NEVER.USED");
        assert!(e.is_dir());
        assert_eq!(e.modified, None);
        let e = mvs(b"TSO005 3390   2005/06/06 213000 U 0 27998 PO BIG.LOADLIB");
        assert!(e.is_dir());
    }

    #[test]
    fn name_only_lines() {
        let e = mvs(b"Migrated                                                HSM.DATASET");
        assert_eq!((e.name.as_str(), e.kind), ("HSM.DATASET", EntryKind::File));
        let e = mvs(b"Pseudo Directory                                        USER.LEVEL2");
        assert_eq!((e.name.as_str(), e.kind), ("USER.LEVEL2", EntryKind::Dir));
        let e = mvs(b"ARCIVE Not Direct Access Device                         TAPE.BACKUP");
        assert_eq!(e.name, "TAPE.BACKUP");
        let e = mvs(b"SMS101 3390   VSAM  CLUSTER.KSDS");
        assert_eq!(e.name, "CLUSTER.KSDS");
        let e = mvs(b"SMS101 Error determining attributes                     ODD.ONE");
        assert_eq!(e.name, "ODD.ONE");
    }

    #[test]
    fn whole_listing_detected_by_heading() {
        let body = b"Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\r\n\
WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  BREAD.CLIST\r\n\
WPTA01 3390   2026/11/04  1    3  FB      80  3120  PO  SOURCE.COBOL\r\n\
Migrated                                                HSM.DATASET\r\n";
        let got: Vec<_> = parse_list(body, today())
            .iter()
            .map(|e| (e.name.clone(), e.is_dir()))
            .collect();
        assert_eq!(
            got,
            [
                (CompactString::from("BREAD.CLIST"), false),
                (CompactString::from("SOURCE.COBOL"), true),
                (CompactString::from("HSM.DATASET"), false),
            ]
        );
    }

    #[test]
    fn full_lines_are_read_without_the_hint() {
        // A z/OS server answers SYST with UNIX in its Unix file system.
        let line = b"WYOSPT 3420   2003/05/21  1  200  FB      80  8053  PS  BREAD.CLIST";
        assert_eq!(one(line).name, "BREAD.CLIST");
        let body = b"ANSYBH 3390   2022/02/18  1+++++  VBS  32767 27966  PS  $.BDATA.XBB\r\n\
Migrated\t\t\t\tSOME.FILE\r\n\
TSO004 3390   VSAM SOME.VSAM\r\n\
V43525 Tape                                             SOME.TAPE\r\n";
        let names: Vec<_> = parse_list_as(body, today(), ListingStyle::Unix)
            .into_iter()
            .map(|e| (e.name, e.kind))
            .collect();
        assert_eq!(
            names,
            [
                (CompactString::from("$.BDATA.XBB"), EntryKind::File),
                (CompactString::from("SOME.FILE"), EntryKind::File),
                (CompactString::from("SOME.VSAM"), EntryKind::File),
                (CompactString::from("SOME.TAPE"), EntryKind::File),
            ]
        );
    }

    #[test]
    fn older_servers_shapes() {
        // Month-first two-digit years, a unit with a model letter.
        let e = mvs(b"STG002 3380E  01/11/94  1    1  VB      84  4096  PS  MIME.$README");
        assert_eq!(e.name, "MIME.$README");
        assert_eq!(e.modified, at(1994, 1, 11, 0, 0));
        let e = mvs(b"Error determining attributes                            MERROR.GDG");
        assert_eq!((e.name.as_str(), e.kind), ("MERROR.GDG", EntryKind::File));
    }

    #[test]
    fn short_lines_need_a_full_one_or_the_hint() {
        assert_eq!(one(b"Migrated HSM.DATASET").kind, EntryKind::Unparsed);
        assert_eq!(one(b"V43525 Tape SOME.TAPE").kind, EntryKind::Unparsed);
        // A line of another family with an MVS-like one-word tail is not
        // enough: the full line must be there.
        let body = b"Migrated HSM.DATASET\r\n-rw-r--r-- 1 u g 5 Nov 20 10:00 a\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries[0].kind, EntryKind::Unparsed);
    }

    #[test]
    fn near_misses_are_unparsed() {
        for line in [
            &b"WYOSPT 3420 2003/05/21 1 200 FB 80 8053 XX BREAD.CLIST"[..],
            b"WYOSPT 3420 2003-05-21 1 200 FB 80 8053 PS BREAD.CLIST",
            b"WYOSPT 3420 2003/05/21 1 200 FB 80 8053 PS BAD..NAME",
            b"WYOSPT 3420 2003/05/21 1 200 FB 80 8053 PS BAD NAME",
            b"TOOLONGVOL 3420 2003/05/21 1 200 FB 80 8053 PS BREAD.CLIST",
            b"WYOSPT 3420 2003/05/21 PS BREAD.CLIST",
            b"Migrated",
        ] {
            let e = mvs(line);
            assert_eq!(
                e.kind,
                EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
