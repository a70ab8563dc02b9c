//! MLSD/MLST entries (RFC 3659 §7): `fact=value;fact=value; name`.

use chrono::{NaiveDate, NaiveDateTime};

use compact_str::CompactString;

use super::{Entry, EntryKind, is_blank, is_dot, lossy, parse_u32, parse_u64, trim_eol};

pub(super) fn parse_line(line: &[u8]) -> Option<Entry> {
    let line = trim_eol(line);
    if is_blank(line) {
        return None;
    }
    // MLST replies indent the entry by one space; accept those lines too.
    let body = line.strip_prefix(b" ").unwrap_or(line);
    // Fact values cannot contain spaces, so the first space ends the facts
    // and everything after it, spaces and semicolons included, is the name.
    let Some(space) = body.iter().position(|&b| b == b' ') else {
        return Some(Entry::unparsed(line));
    };
    entry(line, &body[..space], &body[space + 1..])
}

/// MLSD's facts as some servers send them for LIST: a tab may stand for
/// the space before the name, and older drafts' servers end the facts
/// without a `;`. None for the directory itself and its parent, and for
/// lines whose first word is not facts with a type.
pub(super) fn parse_list_line(line: &[u8]) -> Option<Entry> {
    let end = line.iter().position(|&b| b == b' ' || b == b'\t')?;
    let (facts, name) = (&line[..end], &line[end + 1..]);
    // Without the closing `;`, a blank inside a fact's value would leave
    // the rest of the facts in the name: only a name whose first word
    // holds none of their punctuation is sure.
    let first_word = name
        .split(|&b| b == b' ' || b == b'\t')
        .next()
        .unwrap_or_default();
    if !facts.ends_with(b";") && first_word.iter().any(|&b| b == b';' || b == b'=') {
        return None;
    }
    let entry = entry(line, facts, name)?;
    (entry.kind != EntryKind::Unparsed).then_some(entry)
}

fn entry(line: &[u8], facts: &[u8], name: &[u8]) -> Option<Entry> {
    if name.is_empty() {
        return Some(Entry::unparsed(line));
    }
    let Some(facts) = Facts::parse(facts) else {
        return Some(Entry::unparsed(line));
    };
    let kind = match facts.kind {
        Some(Kind::Known(kind)) => kind,
        Some(Kind::ThisOrParent) => return None,
        None if facts.size.is_some() => EntryKind::File,
        None => EntryKind::Other(CompactString::default()),
    };
    // Some servers list "." and ".." as plain dirs instead of cdir/pdir.
    if is_dot(name) {
        return None;
    }
    let mut entry = Entry::named(name, kind);
    entry.size = facts.size.or(facts.sizd);
    entry.modified = facts.modify;
    entry.perm = facts.perm;
    entry.link_target = facts.link_target;
    Some(entry)
}

enum Kind {
    Known(EntryKind),
    ThisOrParent,
}

#[derive(Default)]
struct Facts {
    kind: Option<Kind>,
    size: Option<u64>,
    sizd: Option<u64>,
    modify: Option<NaiveDateTime>,
    perm: Option<CompactString>,
    link_target: Option<CompactString>,
}

impl Facts {
    /// None unless every `;`-separated piece is a `fact=value` pair and
    /// there is at least one: such a line is not an MLSD entry at all.
    fn parse(text: &[u8]) -> Option<Facts> {
        let mut facts = Facts::default();
        let mut any = false;
        for piece in text.split(|&b| b == b';').filter(|p| !p.is_empty()) {
            let eq = piece.iter().position(|&b| b == b'=')?;
            let (key, value) = (&piece[..eq], &piece[eq + 1..]);
            if key.is_empty() {
                return None;
            }
            any = true;
            // Fact names are case-insensitive; unknown ones (UNIX.mode,
            // UNIX.owner, lang, media-type...) are ignored as the RFC asks.
            let key = key.to_ascii_lowercase();
            match key.as_slice() {
                b"type" => {
                    let (kind, target) = parse_type(value);
                    facts.kind = Some(kind);
                    facts.link_target = target;
                }
                b"size" => facts.size = parse_u64(value),
                b"sizd" => facts.sizd = parse_u64(value),
                b"modify" => facts.modify = parse_time(value),
                b"perm" => facts.perm = Some(lossy(value)),
                _ => {}
            }
        }
        any.then_some(facts)
    }
}

fn parse_type(value: &[u8]) -> (Kind, Option<CompactString>) {
    let known = |kind| (Kind::Known(kind), None);
    let lower = value.to_ascii_lowercase();
    match lower.as_slice() {
        b"file" => known(EntryKind::File),
        b"dir" => known(EntryKind::Dir),
        b"cdir" | b"pdir" => (Kind::ThisOrParent, None),
        // ProFTPD: "OS.unix=slink:/target"; others "OS.unix=symlink".
        [b'o', b's', b'.', b'u', b'n', b'i', b'x', b'=', link @ ..] => {
            match link.iter().position(|&b| b == b':') {
                _ if link == b"slink" || link == b"symlink" => known(EntryKind::Link),
                Some(colon) if &link[..colon] == b"slink" || &link[..colon] == b"symlink" => {
                    let target = &value[8 + colon + 1..];
                    let target = (!target.is_empty()).then(|| lossy(target));
                    (Kind::Known(EntryKind::Link), target)
                }
                _ => known(EntryKind::Other(lossy(value))),
            }
        }
        _ => known(EntryKind::Other(lossy(value))),
    }
}

/// `YYYYMMDDHHMMSS[.sss]`, in UTC per the RFC.
fn parse_time(value: &[u8]) -> Option<NaiveDateTime> {
    let (stamp, frac) = match value.iter().position(|&b| b == b'.') {
        Some(dot) => (&value[..dot], Some(&value[dot + 1..])),
        None => (value, None),
    };
    if stamp.len() != 14 {
        return None;
    }
    let field = |at: usize, len: usize| parse_u32(&stamp[at..at + len]);
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(field(0, 4)?).ok()?,
        field(4, 2)?,
        field(6, 2)?,
    )?;
    let nanos = match frac {
        None => 0,
        Some([]) => return None,
        Some(frac) => {
            // Finer than nanoseconds is noise: keep the first nine digits.
            let digits = &frac[..frac.len().min(9)];
            if !frac.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let scale = 10u32.pow(9 - u32::try_from(digits.len()).ok()?);
            parse_u32(digits)? * scale
        }
    };
    date.and_hms_nano_opt(field(8, 2)?, field(10, 2)?, field(12, 2)?, nanos)
}

#[cfg(test)]
mod tests {
    use super::super::{parse_mlsd, parse_mlsd_line};
    use super::*;

    fn one(line: &[u8]) -> Entry {
        parse_mlsd_line(line).expect("an entry")
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, s))
    }

    #[test]
    fn pyftpdlib_file() {
        let e = one(b"type=file;size=5;modify=20261120101010;perm=r; a b.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "a b.txt");
        assert_eq!(e.size, Some(5));
        assert_eq!(e.modified, at(2026, 11, 20, 10, 10, 10));
        assert_eq!(e.perm.as_deref(), Some("r"));
    }

    #[test]
    fn proftpd_unix_facts() {
        let e = one(
            b"modify=20241120093000;perm=adfrw;size=1024;type=file;unique=FD00U1A2B;UNIX.group=100;UNIX.groupname=users;UNIX.mode=0644;UNIX.owner=1000;UNIX.ownername=alice; notes.txt",
        );
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(1024));
        assert_eq!(e.perm.as_deref(), Some("adfrw"));
        assert_eq!(e.name, "notes.txt");
    }

    #[test]
    fn proftpd_slink() {
        let e = one(
            b"modify=20241120093000;perm=adfr;size=4;type=OS.unix=slink:/x;unique=FD00U1; link",
        );
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.link_target.as_deref(), Some("/x"));
        assert_eq!(e.name, "link");
        let e = one(b"type=OS.UNIX=symlink; other");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.link_target, None);
    }

    #[test]
    fn unknown_types_kept_verbatim() {
        assert_eq!(
            one(b"type=OS.unix=chr-1/3; null").kind,
            EntryKind::Other("OS.unix=chr-1/3".into())
        );
        assert_eq!(
            one(b"type=OS.unix=slinky; x").kind,
            EntryKind::Other("OS.unix=slinky".into())
        );
    }

    #[test]
    fn cdir_pdir_and_dots_dropped() {
        assert_eq!(parse_mlsd_line(b"type=cdir;perm=el; /home/alice"), None);
        assert_eq!(parse_mlsd_line(b"Type=PDIR;perm=el; /home"), None);
        assert_eq!(parse_mlsd_line(b"type=dir; ."), None);
        assert_eq!(parse_mlsd_line(b"type=dir; .."), None);
        assert_eq!(parse_mlsd_line(b""), None);
        assert_eq!(parse_mlsd_line(b"  \r\n"), None);
    }

    #[test]
    fn case_insensitive_facts_and_sizd() {
        let e = one(b"Type=Dir;Sizd=4096;Modify=20240101000000; Photos 2024");
        assert!(e.is_dir());
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.name, "Photos 2024");
    }

    #[test]
    fn name_keeps_semicolons_equals_and_spaces() {
        let e = one(b"type=file;size=1; a=b; c  d ");
        assert_eq!(e.name, "a=b; c  d ");
        let e = one(b"type=file;size=1;  leading");
        assert_eq!(e.name, " leading");
    }

    #[test]
    fn missing_type() {
        assert_eq!(one(b"size=3; sized").kind, EntryKind::File);
        assert_eq!(
            one(b"modify=20240101000000; bare").kind,
            EntryKind::Other(CompactString::default())
        );
    }

    #[test]
    fn fractional_and_bad_times() {
        let e = one(b"type=file;modify=20241120093000.250; frac");
        assert_eq!(
            e.modified,
            NaiveDate::from_ymd_opt(2024, 11, 20).and_then(|d| d.and_hms_milli_opt(9, 30, 0, 250))
        );
        assert_eq!(one(b"type=file;modify=2024112009; short").modified, None);
        assert_eq!(
            one(b"type=file;modify=20241340093000; month").modified,
            None
        );
        assert_eq!(one(b"type=file;modify=20241120093000.; dot").modified, None);
        assert_eq!(one(b"type=file;size=abc; badsize").size, None);
    }

    #[test]
    fn mlst_reply_indent() {
        let e = one(b" type=file;size=9; from-mlst");
        assert_eq!(e.name, "from-mlst");
        assert_eq!(e.size, Some(9));
    }

    #[test]
    fn unicode_and_raw_bytes() {
        let e = one("type=file;size=1; emoji 🎉.bin".as_bytes());
        assert_eq!(e.name, "emoji 🎉.bin");
        let e = one(b"type=file;size=1; caf\xe9");
        assert_eq!(e.raw_name(), b"caf\xe9");
    }

    #[test]
    fn garbage_is_unparsed_not_dropped() {
        for line in [
            &b"nofactsatall"[..],
            b"hello world",
            b"; name",
            b"=x; name",
            b"type=file;",
            b"type=file; ",
        ] {
            let e = one(line);
            assert_eq!(
                e.kind,
                EntryKind::Unparsed,
                "{:?}",
                String::from_utf8_lossy(line)
            );
            assert_eq!(e.name, String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn whole_body() {
        let body = b"type=cdir;sizd=4096;modify=20241120093000;perm=flcdmpe; .\r\n\
type=pdir;sizd=4096;modify=20241120093000;perm=flcdmpe; ..\r\n\
type=dir;sizd=4096;modify=20241120093000;perm=flcdmpe; src\r\n\
type=file;size=1419;modify=20241120093000;perm=adfrw; Cargo.toml\r\n\
junk line\r\n";
        let names: Vec<_> = parse_mlsd(body).into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["src", "Cargo.toml", "junk line"]);
    }
}
