//! Members of an MVS partitioned data set (the listing after CWD into a
//! `PO` data set), in three shapes:
//!
//! - with ISPF statistics, under
//!   `Name     VV.MM   Created       Changed      Size  Init   Mod   Id`:
//!   `MEMBER1   01.03 2002/09/12 2002/10/11 09:37    11    11     0 USER`
//!   (version.modification, created, changed date and time, then lines
//!   now, at first and modified, and who changed it);
//! - without statistics: the member name alone;
//! - load modules, under
//!   `Name      Size     TTR   Alias-of AC --------- Attributes --------- Amode Rmode`:
//!   `IEFBR14   000008   00000F          00 FO             RN RU            31    ANY`
//!   (the module's length in hex bytes, its disk address, what it is an
//!   alias of, authorisation code, attributes, addressing and residence
//!   modes).
//!
//! Statistics count lines, not bytes, so those members have no size;
//! load modules do. Read only when the server says it is MVS, like
//! `mvs.rs`: a lone word would otherwise be anything.

use chrono::NaiveDateTime;

use super::calendar::{clock, date_of, year_first};
use super::{Entry, EntryKind, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let words: Vec<&[u8]> = toks.iter().map(|&(s, e)| &line[s..e]).collect();
    let (&name, rest) = words.split_first()?;
    if !is_member(name) {
        return None;
    }
    if rest.is_empty() {
        return Some(Entry::named(name, EntryKind::File));
    }
    with_statistics(name, rest).or_else(|| load_module(name, rest))
}

fn with_statistics(name: &[u8], rest: &[&[u8]]) -> Option<Entry> {
    let [version, created, changed, time, size, init, modified, _id] = *rest else {
        return None;
    };
    let (vv, mm) = split_once(version, b'.')?;
    if vv.len() != 2 || mm.len() != 2 {
        return None;
    }
    parse_u32(vv)?;
    parse_u32(mm)?;
    stats_date(created)?;
    let changed = stats_date(changed)?;
    let time = clock(time)?;
    for count in [size, init, modified] {
        parse_u64(count)?;
    }
    let mut entry = Entry::named(name, EntryKind::File);
    entry.modified = changed.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    Some(entry)
}

/// `2002/10/11`, or `94/12/15` from older servers.
fn stats_date(tok: &[u8]) -> Option<Option<chrono::NaiveDate>> {
    if let [y1, y2, b'/', m1, m2, b'/', d1, d2] = *tok {
        return date_of(&[y1, y2], &[m1, m2], &[d1, d2], 70);
    }
    year_first(tok, b'/')
}

fn load_module(name: &[u8], rest: &[&[u8]]) -> Option<Entry> {
    let [size, ttr, more @ ..] = rest else {
        return None;
    };
    let size = parse_hex(size)?;
    parse_hex(ttr)?;
    // Then the optional alias target, the two-digit authorisation code,
    // attributes, and AMODE and RMODE last.
    let [middle @ .., amode, rmode] = more else {
        return None;
    };
    let is_mode = |m: &[u8]| matches!(m, b"24" | b"31" | b"64" | b"ANY");
    if !is_mode(amode) || !is_mode(rmode) {
        return None;
    }
    let code_at = match middle {
        [first, ..] if first.len() == 2 && parse_hex(first).is_some() => 0,
        [alias, second, ..] if is_member(alias) && second.len() == 2 => 1,
        _ => return None,
    };
    parse_hex(middle[code_at])?;
    if !middle[code_at + 1..]
        .iter()
        .all(|a| (1..=3).contains(&a.len()) && a.iter().all(u8::is_ascii_uppercase))
    {
        return None;
    }
    let mut entry = Entry::named(name, EntryKind::File);
    entry.size = Some(size);
    Some(entry)
}

/// A member name: capitals, digits, national characters. z/OS's are one
/// to eight and start with a letter, but servers print others
/// (`66-MVSPDSMEMBER`); only read under the MVS style, where a line of one
/// such word is a member.
fn is_member(tok: &[u8]) -> bool {
    (1..=64).contains(&tok.len())
        && tok[0] != b'.'
        && tok
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"#$@-".contains(b))
}

fn parse_hex(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 8 || !tok.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(tok).ok()?, 16).ok()
}

fn split_once(tok: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let at = tok.iter().position(|&b| b == sep)?;
    Some((&tok[..at], &tok[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::super::{ListingStyle, parse_list};
    use super::*;
    use crate::ftp::listing::fixtures::*;
    use compact_str::CompactString;

    #[track_caller]
    fn mvs(line: &[u8]) -> Entry {
        one_as(line, ListingStyle::Mvs)
    }

    #[test]
    fn member_with_statistics() {
        let e = mvs(b"MEMBER1   01.03 2002/09/12 2002/10/11 09:37    11    11     0 USER");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "MEMBER1");
        assert_eq!(e.size, None);
        assert_eq!(e.modified, at(2002, 10, 11, 9, 37));
        let e = mvs(b"$$INDEX   01.00 2026/11/20 2026/11/21 17:02:09  1200  1100   130 JDOE");
        assert_eq!(e.modified, at_s(2026, 11, 21, 17, 2, 9));
    }

    #[test]
    fn statistics_with_two_digit_years() {
        let e = mvs(b"$README   01.10 89/04/19 94/12/15 18:55    90     1     0 EWZ");
        assert_eq!(e.name, "$README");
        assert_eq!(e.modified, at(1994, 12, 15, 18, 55));
    }

    #[test]
    fn member_without_statistics() {
        let e = mvs(b"JCLLIB");
        assert_eq!((e.name.as_str(), e.kind), ("JCLLIB", EntryKind::File));
        let e = mvs(b"  @TEMP#1  ");
        assert_eq!(e.raw_name(), b"@TEMP#1");
    }

    #[test]
    fn load_modules() {
        let e =
            mvs(b"IEFBR14   000008   00000F          00 FO             RN RU            31    ANY");
        assert_eq!(e.name, "IEFBR14");
        assert_eq!(e.size, Some(8));
        let e = mvs(b"MYALIAS   00B308   000411 MAINPGM  00 FO                ANY    24");
        assert_eq!(e.size, Some(0xB308));
    }

    #[test]
    fn whole_listings_detected_by_heading() {
        let body = b" Name     VV.MM   Created       Changed      Size  Init   Mod   Id\r\n\
MEMBER1   01.03 2002/09/12 2002/10/11 09:37    11    11     0 USER\r\n\
NOSTATS\r\n";
        let names: Vec<_> = parse_list(body, today())
            .into_iter()
            .map(|e| (e.name, e.kind))
            .collect();
        assert_eq!(
            names,
            [
                (CompactString::from("MEMBER1"), EntryKind::File),
                (CompactString::from("NOSTATS"), EntryKind::File)
            ]
        );
        let body =
            b" Name      Size     TTR   Alias-of AC --------- Attributes --------- Amode Rmode\r\n\
IEFBR14   000008   00000F          00 FO             RN RU            31    ANY\r\n";
        let entries = parse_list(body, today());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].size, Some(8));
    }

    #[test]
    fn not_read_without_the_hint() {
        assert_eq!(one(b"JCLLIB").kind, EntryKind::Unparsed);
        assert_eq!(
            one(b"MEMBER1   01.03 2002/09/12 2002/10/11 09:37    11    11     0 USER").kind,
            EntryKind::Unparsed
        );
    }

    #[test]
    fn near_misses_are_unparsed() {
        for line in [
            &b"lowercase"[..],
            b".",
            b"MEMBER1 1.03 2002/09/12 2002/10/11 09:37 11 11 0 USER",
            b"MEMBER1 01.03 2002/09/12 2002-10-11 09:37 11 11 0 USER",
            b"MEMBER1 01.03 2002/09/12 2002/10/11 09:37 11 11 0",
            b"IEFBR14 00000G 00000F 00 FO 31 ANY",
            b"IEFBR14 000008 00000F 00 FO 31 99",
            b"TWO WORDS",
        ] {
            assert_eq!(
                mvs(line).kind,
                EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
