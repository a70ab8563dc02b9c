//! HP NonStop (Tandem) Guardian LIST lines, under the heading
//! `File         Code             EOF  Last Modification    Owner  RWEP`:
//! `ALTERN         0            1,024  8-Feb-21 12:34:56 255,255 "oooo"`.
//!
//! Name, file code (digits, an `O` after it for a file open when listed),
//! the end-of-file in bytes, `D-Mon-YY`, `HH:MM:SS`, the owner as
//! `group,user` (sometimes with a blank after the comma) and the security
//! string. Guardian subvolumes hold files only. Read only when the server
//! says it is NonStop (SYST, the heading, or the site's `listing`): a
//! name, two numbers and a date is too little to be sure of elsewhere.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::{Entry, EntryKind, lossy, parse_u32, parse_u64, tokens};

pub(super) fn parse(line: &[u8]) -> Option<Entry> {
    let toks = tokens(line);
    let tok = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);

    let name = tok(0)?;
    let code = tok(1)?;
    parse_u64(code.strip_suffix(b"O").unwrap_or(code))?;
    let size = parse_grouped(tok(2)?)?;
    let date = parse_date(tok(3)?)?;
    let time = parse_time(tok(4)?)?;
    let mut next = 5;
    let owner = tok(next)?;
    next += 1;
    if owner.ends_with(b",") {
        // `255, 255`
        parse_u64(tok(next)?)?;
        next += 1;
    }
    if !is_owner(owner) {
        return None;
    }
    let security = tok(next)?;
    if toks.len() != next + 1 {
        return None;
    }
    let mut entry = Entry::named(name, EntryKind::File);
    entry.size = Some(size);
    entry.modified = date.zip(time).map(|(d, t)| NaiveDateTime::new(d, t));
    entry.perm = Some(lossy(security));
    Some(entry)
}

/// `255,255`, or `255,` when the user number stands in the next column.
fn is_owner(tok: &[u8]) -> bool {
    let Some(comma) = tok.iter().position(|&b| b == b',') else {
        return false;
    };
    let (group, user) = (&tok[..comma], &tok[comma + 1..]);
    parse_u64(group).is_some() && (user.is_empty() || parse_u64(user).is_some())
}

/// `1,024` or `1024`: digits with optional thousands commas.
fn parse_grouped(tok: &[u8]) -> Option<u64> {
    let mut groups = tok.split(|&b| b == b',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 && tok.contains(&b',') {
        return None;
    }
    let mut value = parse_u64(first)?;
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        value = value.checked_mul(1000)?.checked_add(parse_u64(group)?)?;
    }
    Some(value)
}

/// `8-Feb-21`, `28-Feb-2021`; the inner Option is None for impossible
/// dates.
fn parse_date(tok: &[u8]) -> Option<Option<NaiveDate>> {
    let mut parts = tok.split(|&b| b == b'-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&day.len()) || month.len() != 3 {
        return None;
    }
    let month = super::calendar::month_number(month)?;
    let year = match year.len() {
        2 => match parse_u32(year)? {
            y @ 0..70 => 2000 + y,
            y => 1900 + y,
        },
        4 => parse_u32(year)?,
        _ => return None,
    };
    Some(NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        month,
        parse_u32(day)?,
    ))
}

/// `12:34:56`, exactly.
fn parse_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let [h1, h2, b':', m1, m2, b':', s1, s2] = *tok else {
        return None;
    };
    Some(NaiveTime::from_hms_opt(
        parse_u32(&[h1, h2])?,
        parse_u32(&[m1, m2])?,
        parse_u32(&[s1, s2])?,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::ListingStyle;
    use super::*;
    use crate::ftp::listing::fixtures::*;

    #[track_caller]
    fn tandem(line: &[u8]) -> Entry {
        one_as(line, ListingStyle::Tandem)
    }

    #[test]
    fn file() {
        let e = tandem(b"ALTERN         0            1,024  8-Feb-21 12:34:56 255,255 \"oooo\"");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "ALTERN");
        assert_eq!(e.size, Some(1024));
        assert_eq!(e.modified, at_s(2021, 2, 8, 12, 34, 56));
        assert_eq!(e.perm.as_deref(), Some("\"oooo\""));
    }

    #[test]
    fn open_file_and_split_owner() {
        let e = tandem(b"EMSLOG       101O       4,123,456 28-Nov-25 23:59:01 100, 12 \"nunu\"");
        assert_eq!(e.name, "EMSLOG");
        assert_eq!(e.size, Some(4_123_456));
        assert_eq!(e.modified, at_s(2025, 11, 28, 23, 59, 1));
    }

    #[test]
    fn whole_listing_detected_by_heading() {
        let body = b"File         Code             EOF  Last Modification    Owner  RWEP\r\n\
ALTERN         0            1,024  8-Feb-21 12:34:56 255,255 \"oooo\"\r\n\
ZZSA0001     180              512 30-Oct-26 07:00:00 255,255 \"ncnc\"\r\n";
        let entries = super::super::parse_list(body, today());
        let got: Vec<_> = entries.iter().map(|e| (e.name.as_str(), e.size)).collect();
        assert_eq!(got, [("ALTERN", Some(1024)), ("ZZSA0001", Some(512))]);
    }

    #[test]
    fn not_read_without_the_hint() {
        let e = one(b"ALTERN         0            1,024  8-Feb-21 12:34:56 255,255 \"oooo\"");
        assert_eq!(e.kind, EntryKind::Unparsed);
    }

    #[test]
    fn near_misses_are_unparsed() {
        for line in [
            &b"ALTERN 0 1,024 8-Feb-21 12:34:56 255,255"[..],
            b"ALTERN x 1,024 8-Feb-21 12:34:56 255,255 \"oooo\"",
            b"ALTERN 0 1,02 8-Feb-21 12:34:56 255,255 \"oooo\"",
            b"ALTERN 0 1024 8-Foo-21 12:34:56 255,255 \"oooo\"",
            b"ALTERN 0 1024 8-Feb-21 12:34 255,255 \"oooo\"",
            b"ALTERN 0 1024 8-Feb-21 12:34:56 owner \"oooo\"",
            b"ALTERN 0 1024 8-Feb-21 12:34:56 255,255 \"oooo\" extra",
        ] {
            assert_eq!(
                tandem(line).kind,
                EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
