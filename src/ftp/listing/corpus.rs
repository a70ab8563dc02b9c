//! The corpus of real LIST lines in `tests/fixtures/listings/` (see its
//! README), read the way `fxpc ls` reads a server's listing: the style its
//! SYST reply names, or a heading in the first lines, then `parse_list_as`.
//! Every `want:` row must come out, and nothing else: a line read under
//! a wrong name would be an extra row.

use super::{Entry, EntryKind, ListingStyle, detect_style, fixtures::today, parse_list_as};

const FAMILIES: [(&str, &str); 16] = [
    (
        "unix",
        include_str!("../../../tests/fixtures/listings/unix.txt"),
    ),
    (
        "localized",
        include_str!("../../../tests/fixtures/listings/localized.txt"),
    ),
    (
        "mlsd-list",
        include_str!("../../../tests/fixtures/listings/mlsd-list.txt"),
    ),
    (
        "vms",
        include_str!("../../../tests/fixtures/listings/vms.txt"),
    ),
    (
        "mvs-datasets",
        include_str!("../../../tests/fixtures/listings/mvs-datasets.txt"),
    ),
    (
        "mvs-members",
        include_str!("../../../tests/fixtures/listings/mvs-members.txt"),
    ),
    (
        "os2",
        include_str!("../../../tests/fixtures/listings/os2.txt"),
    ),
    (
        "as400",
        include_str!("../../../tests/fixtures/listings/as400.txt"),
    ),
    (
        "vshell",
        include_str!("../../../tests/fixtures/listings/vshell.txt"),
    ),
    (
        "eplf",
        include_str!("../../../tests/fixtures/listings/eplf.txt"),
    ),
    (
        "netware",
        include_str!("../../../tests/fixtures/listings/netware.txt"),
    ),
    (
        "connect",
        include_str!("../../../tests/fixtures/listings/connect.txt"),
    ),
    (
        "os9",
        include_str!("../../../tests/fixtures/listings/os9.txt"),
    ),
    (
        "wftpd",
        include_str!("../../../tests/fixtures/listings/wftpd.txt"),
    ),
    (
        "zvm",
        include_str!("../../../tests/fixtures/listings/zvm.txt"),
    ),
    (
        "dos",
        include_str!("../../../tests/fixtures/listings/dos.txt"),
    ),
];

/// A family's file: the server's SYST reply (None: refused), the LIST body,
/// and the rows `fxpc ls` must print.
struct Family {
    syst: Option<String>,
    body: Vec<u8>,
    wants: Vec<String>,
}

fn read(text: &str) -> Family {
    let mut family = Family {
        syst: None,
        body: Vec::new(),
        wants: Vec::new(),
    };
    for line in text.lines() {
        if let Some(syst) = line.strip_prefix("syst: ") {
            family.syst = (syst != "-").then(|| syst.to_string());
        } else if let Some(bytes) = line.strip_prefix("line: ") {
            family.body.extend_from_slice(&unescape(bytes));
            family.body.extend_from_slice(b"\r\n");
        } else if let Some(want) = line.strip_prefix("want: ") {
            family.wants.push(want.to_string());
        }
    }
    family
}

/// `\t`, `\\` and `\xNN` as in the fixtures' README.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b't')) => {
                out.push(b'\t');
                i += 2;
            }
            (b'\\', Some(b'\\')) => {
                out.push(b'\\');
                i += 2;
            }
            (b'\\', Some(b'x')) => {
                let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).expect("two hex digits");
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// An entry as `fxpc ls` prints it, without the time: `T SIZE NAME`.
fn row(e: &Entry) -> String {
    let kind = match e.kind {
        EntryKind::File => '-',
        EntryKind::Dir => 'd',
        EntryKind::Link => 'l',
        EntryKind::Special(c) => c,
        EntryKind::Other(_) | EntryKind::Unparsed => '?',
    };
    let size = e.size.map_or_else(|| "-".to_string(), |s| s.to_string());
    let name = match (&e.kind, &e.link_target) {
        (EntryKind::Unparsed, _) => format!("(unparsed) {}", e.name),
        (_, Some(target)) => format!("{} -> {target}", e.name),
        _ => e.name.to_string(),
    };
    format!("{kind} {size} {name}")
}

fn rows(family: &Family) -> Vec<String> {
    let mut style = family
        .syst
        .as_deref()
        .map_or(ListingStyle::Auto, ListingStyle::from_syst);
    if style == ListingStyle::Auto {
        style = detect_style(&family.body).unwrap_or(style);
    }
    parse_list_as(&family.body, today(), style)
        .iter()
        .map(row)
        .collect()
}

#[test]
fn every_corpus_line_is_read_right() {
    let mut wrong = Vec::new();
    for (name, text) in FAMILIES {
        let family = read(text);
        let mut got = rows(&family);
        let mut wants = family.wants.clone();
        let right = wants.iter().filter(|w| got.contains(w)).count();
        eprintln!("{name}: {right}/{} right", wants.len());
        got.sort();
        wants.sort();
        if got != wants {
            wrong.push(format!("{name}:\n  got  {got:?}\n  want {wants:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
