//! The words of an `ls` date: month names in the languages servers run
//! in, and `ls`'s time formats; the pieces every family shares (English
//! months, days, years, the year of a date without one) are calendar.rs's.

use chrono::NaiveTime;

use super::*;
pub(super) use crate::ftp::listing::calendar::{infer_year, parse_day, parse_year};

/// A month name or abbreviation in English, German, French, Spanish,
/// Italian, Dutch, Swedish, Norwegian, Danish or Hungarian, in any case, with or
/// without a dot or comma after it, its accented letters in UTF-8 or in
/// Latin-1.
pub(in crate::ftp::listing) fn month_name(tok: &[u8]) -> Option<u32> {
    // German `ls` puts both after the month: `30. Jan., 12:40`.
    let word = match tok {
        [word @ .., b'.', b','] | [word @ .., b'.' | b','] => word,
        word => word,
    };
    // Most columns tried here are three ASCII letters (owners, groups,
    // C-locale months): one match instead of a table walk keeps the scan
    // for the date as fast as it was with English months only.
    if let &[a, b, c] = word
        && word.is_ascii()
    {
        return match [a, b, c].map(|l| l.to_ascii_lowercase()) {
            [b'j', b'a', b'n'] | [b'g', b'e', b'n'] | [b'e', b'n', b'e'] => Some(1),
            [b'f', b'e', b'b' | b'v'] => Some(2),
            [b'm', b'a', b'r'] | [b'm', b'r', b'z' | b't'] => Some(3),
            [b'a', b'p' | b'b' | b'v', b'r'] => Some(4),
            [b'm', b'a', b'y' | b'i' | b'j' | b'g'] | [b'm', b'e', b'i'] => Some(5),
            [b'j', b'u', b'n'] | [b'g', b'i', b'u'] => Some(6),
            [b'j', b'u', b'l'] | [b'l', b'u', b'g'] => Some(7),
            [b'a', b'u', b'g'] | [b'a', b'g', b'o'] => Some(8),
            [b's', b'e', b'p' | b't'] => Some(9),
            [b'o', b'c' | b'k', b't'] | [b'o', b't', b't'] => Some(10),
            [b'n', b'o', b'v'] => Some(11),
            [b'd', b'e', b'c' | b'z' | b's'] | [b'd', b'i', b'c'] => Some(12),
            _ => None,
        };
    }
    if !(3..=12).contains(&word.len()) {
        return None;
    }
    let names: &[(&str, u32)] = match word[0].to_ascii_lowercase() {
        b'a' => &[
            ("août", 8),
            ("aout", 8),
            ("april", 4),
            ("avril", 4),
            ("abril", 4),
            ("aprile", 4),
            ("august", 8),
            ("agosto", 8),
            ("augusti", 8),
            ("augustus", 8),
        ],
        b'd' => &[
            ("déc", 12),
            ("december", 12),
            ("dezember", 12),
            ("desember", 12),
            ("décembre", 12),
            ("decembre", 12),
            ("diciembre", 12),
            ("dicembre", 12),
        ],
        b'e' => &[("enero", 1)],
        // Hungarian `ápr`, its `á` in UTF-8 (0xc3) or Latin-1 (0xe1, 0xc1).
        0xc3 | 0xe1 | 0xc1 => &[("ápr", 4)],
        b'f' => &[
            ("febr", 2),
            ("fév", 2),
            ("févr", 2),
            ("fevr", 2),
            ("februar", 2),
            ("february", 2),
            ("februari", 2),
            ("février", 2),
            ("fevrier", 2),
            ("febrero", 2),
            ("febbraio", 2),
        ],
        b'g' => &[("gennaio", 1), ("giugno", 6)],
        b'j' => &[
            ("jän", 1),
            ("jún", 6),
            ("júl", 7),
            ("janv", 1),
            ("juin", 6),
            ("juil", 7),
            ("june", 6),
            ("july", 7),
            ("juni", 6),
            ("juli", 7),
            ("junio", 6),
            ("julio", 7),
            ("januar", 1),
            ("jänner", 1),
            ("january", 1),
            ("januari", 1),
            ("janvier", 1),
            ("juillet", 7),
        ],
        b'l' => &[("luglio", 7)],
        b'm' => &[
            ("mär", 3),
            ("máj", 5),
            ("márc", 3),
            ("mars", 3),
            ("märz", 3),
            ("mayo", 5),
            ("march", 3),
            ("marts", 3),
            ("maart", 3),
            ("marzo", 3),
            ("maggio", 5),
        ],
        b'n' => &[("november", 11), ("novembre", 11), ("noviembre", 11)],
        b'o' => &[
            ("october", 10),
            ("oktober", 10),
            ("octobre", 10),
            ("octubre", 10),
            ("ottobre", 10),
        ],
        b's' => &[
            ("sept", 9),
            ("szept", 9),
            ("september", 9),
            ("septembre", 9),
            ("septiembre", 9),
            ("setiembre", 9),
            ("settembre", 9),
        ],
        _ => return None,
    };
    names
        .iter()
        .find(|(name, _)| folds_to(word, name))
        .map(|&(_, month)| month)
}

/// Whether `bytes` spell the lower-case `word` ignoring case, reading
/// non-ASCII letters as UTF-8 where they are valid two-byte Latin-1
/// letters and as Latin-1 otherwise.
pub(super) fn folds_to(bytes: &[u8], word: &str) -> bool {
    let mut at = 0;
    for want in word.chars() {
        let Some(&b) = bytes.get(at) else {
            return false;
        };
        let code = match (b, bytes.get(at + 1)) {
            (0xc2..=0xc3, Some(&next @ 0x80..=0xbf)) => {
                at += 2;
                (u32::from(b & 0x1f) << 6) | u32::from(next & 0x3f)
            }
            _ => {
                at += 1;
                u32::from(b)
            }
        };
        // Latin-1 upper case (À-Þ but ×) is lower case plus 0x20.
        let lower = match code {
            0x41..=0x5a => code + 0x20,
            0xc0..=0xde if code != 0xd7 => code + 0x20,
            _ => code,
        };
        if char::from_u32(lower) != Some(want) {
            return false;
        }
    }
    at == bytes.len()
}

/// "H:MM", "HH:MM" or "HH:MM:SS[.frac]". The outer Option is the shape,
/// the inner one whether it is a real time of day.
pub(in crate::ftp::listing) fn parse_time(tok: &[u8]) -> Option<Option<NaiveTime>> {
    let mut parts = tok.splitn(3, |&b| b == b':');
    let hour = parts.next().filter(|h| (1..=2).contains(&h.len()))?;
    let minute = parts.next().filter(|m| m.len() == 2)?;
    let (hour, minute) = (parse_u32(hour)?, parse_u32(minute)?);
    let Some(rest) = parts.next() else {
        return Some(NaiveTime::from_hms_opt(hour, minute, 0));
    };
    let (second, frac) = match rest.iter().position(|&b| b == b'.') {
        Some(dot) => (&rest[..dot], &rest[dot + 1..]),
        None => (rest, &b""[..]),
    };
    if second.len() != 2 || frac.len() > 9 || (rest.len() > 2 && frac.is_empty()) {
        return None;
    }
    let second = parse_u32(second)?;
    let nanos = if frac.is_empty() {
        0
    } else {
        parse_u32(frac)? * 10u32.pow(9 - u32::try_from(frac.len()).ok()?)
    };
    Some(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos))
}

pub(super) fn is_utc_offset(tok: &[u8]) -> bool {
    matches!(tok, [b'+' | b'-', rest @ ..] if rest.len() == 4 && parse_u32(rest).is_some())
}
