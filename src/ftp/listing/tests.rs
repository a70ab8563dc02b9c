//! The whole-listing tests: what `parse_list` skips and keeps, MLSD
//! bodies, and the property tests every family shares (names come from
//! the line, no line is silently dropped, names round-trip).

use super::*;
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

#[test]
fn list_skips_total_blank_and_dots() {
    let body = b"total 12\r\n\r\n\
drwxr-xr-x    2 ftp      ftp          4096 Nov 20 10:00 .\r\n\
drwxr-xr-x    5 ftp      ftp          4096 Nov 20 10:00 ..\r\n\
-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt\r\n";
    let entries = parse_list(body, today());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "a.txt");
}

#[test]
fn list_mixes_parsers_and_keeps_unknown_lines() {
    let body = b"-rw-r--r-- 1 ftp ftp 5 Nov 20 10:00 unix.txt\n\
11-20-24  10:00AM                    7 dos.txt\n\
this is not a listing line\n";
    let entries = parse_list(body, today());
    let kinds: Vec<_> = entries.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(
        kinds,
        [EntryKind::File, EntryKind::File, EntryKind::Unparsed]
    );
    assert_eq!(
        Some(entries[2].name.as_str()),
        Some("this is not a listing line")
    );
}

#[test]
fn total_variants() {
    assert_eq!(parse_list_line(b"total 0", today()), ListLine::Skip);
    assert_eq!(parse_list_line(b"total 4.0K\r", today()), ListLine::Skip);
    assert!(matches!(
        parse_list_line(b"total", today()),
        ListLine::Entry(Entry {
            kind: EntryKind::Unparsed,
            ..
        })
    ));
}

#[test]
fn localized_totals() {
    for line in [
        "insgesamt 12",
        "totale 8",
        "totaal 4,0K",
        "totalt 0",
        "\u{603b}\u{7528}\u{91cf} 16",
        "\u{5408}\u{8a08} 16",
        "\u{d569}\u{acc4} 16",
        "\u{438}\u{442}\u{43e}\u{433}\u{43e} 16",
    ] {
        assert_eq!(
            parse_list_line(line.as_bytes(), today()),
            ListLine::Skip,
            "{line}"
        );
    }
    for line in [
        &b"\xd7\xdc\xd3\xc3\xc1\xbf 16"[..],
        b"\x8d\x87\x8c\x76 16",
        b"\xc7\xd5\xb0\xe8 8",
    ] {
        assert_eq!(parse_list_line(line, today()), ListLine::Skip);
    }
    // Only the word and a number: anything more is kept.
    assert!(matches!(
        parse_list_line(b"insgesamt 12 Dateien", today()),
        ListLine::Entry(_)
    ));
    assert!(matches!(
        parse_list_line(b"insgesamt", today()),
        ListLine::Entry(_)
    ));
}

#[test]
fn unparsed_entry_keeps_line() {
    let e = Entry::unparsed(b"weird \xff line");
    assert_eq!(e.kind, EntryKind::Unparsed);
    assert_eq!(e.raw_name(), b"weird \xff line");
    assert_eq!(e.name, "weird \u{fffd} line");
    assert!(!e.is_dir());
}

#[test]
fn mlsd_body_with_mixed_line_endings() {
    let body = b"type=cdir;modify=20261120101010; /pub\r\n\
type=pdir;modify=20261120101010; /\n\
type=dir;modify=20261120101010; sub dir\r\n\
type=file;size=3;modify=20261120101010; f\n";
    let entries = parse_mlsd(body);
    assert_eq!(entries.len(), 2);
    assert!(entries[0].is_dir());
    assert_eq!(entries[0].name, "sub dir");
    assert_eq!(entries[1].size, Some(3));
}

/// Independent of the parsers: a line they may skip is blank, a "total"
/// header, a VMS "Directory" heading, or ends in a "." / ".." name
/// (possibly with AS/400's directory slash).
fn may_skip(line: &[u8]) -> bool {
    let line = trim_eol(line);
    line.iter().all(u8::is_ascii_whitespace)
        || line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"total")
        || TOTAL_WORDS.iter().any(|w| line.starts_with(w))
        || line.starts_with(b"Directory ")
        // VMS's directory heading alone: `USR:[ANONYMOUS]`.
        || {
            let mut words = line
                .split(|b| *b == b' ' || *b == b'\t')
                .filter(|w| !w.is_empty());
            matches!((words.next(), words.next()), (Some(w), None)
                if w.ends_with(b"]") && contains(w, b":["))
        }
        // A dot entry, its name perhaps followed by blanks (found by this
        // test: `0 JAN-00-0000 00:00:00 .\t`, a VxWorks line).
        || [&b" ."[..], b" ..", b"\t.", b"\t..", b" ./", b" ../", b"\t./", b"\t../"]
            .iter()
            // AS/400 marks directories with a trailing '/'.
            .any(|dot| line.trim_ascii_end().ends_with(dot))
        // Windows `dir` puts a link's target after its name.
        || line.ends_with(b"]") && (contains(line, b" . [") || contains(line, b" .. ["))
        // Name-first DOS lines (WFTPD).
        || line.starts_with(b". ")
        || line.starts_with(b".. ")
        // VxWorks puts <DIR> after the name.
        || line.ends_with(b" <DIR>")
            && [&b" . "[..], b" .. ", b"\t. ", b"\t.. "]
                .iter()
                .any(|dot| contains(line, dot))
        || is_heading_like(line)
}

/// Column headings (MVS, PDS members, HP NonStop, OS-9, VxWorks) and
/// rulers of dashes.
fn is_heading_like(line: &[u8]) -> bool {
    let start = line.iter().take_while(|b| **b == b' ').count();
    let line = &line[start..];
    [&b"Volume "[..], b"Name ", b"File ", b"Owner ", b"size "]
        .iter()
        .any(|h| line.starts_with(h))
        || line.len() > 1 && line.iter().all(|b| matches!(b, b'-' | b' ' | b'\t'))
}

fn any_style() -> impl Strategy<Value = ListingStyle> {
    proptest::sample::select(ListingStyle::ALL.to_vec())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// A name the line gave: a run of its bytes or, z/VM's one exception,
/// its first two words joined by a period (`PROFILE  EXEC` is
/// `PROFILE.EXEC`).
fn named_by(line: &[u8], name: &[u8]) -> bool {
    let mut words = line
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| !w.is_empty());
    contains(line, name)
        || matches!((words.next(), words.next()),
            (Some(a), Some(b)) if name == [a, b".", b].concat())
}

fn plausible_line() -> impl Strategy<Value = Vec<u8>> {
    let unix = "[-dlbcpsDx][rwxsStT-]{9}[+@.]?[ ]{1,3}[0-9]{1,3} {1,3}[a-z0-9]{0,6} {0,3}[a-z0-9]{0,6} {1,6}[0-9,]{1,9} {1,3}(Jan|feb|MAR|Dec|Xyz|2024-11-20) {1,2}[0-9]{1,2} {1,2}([0-9]{1,2}:[0-9]{2}|[0-9]{4}|[0-9]{2}:[0-9]{2}:[0-9]{2}) {0,3}.{0,12}";
    let dos = "[0-9]{2}[-/][0-9]{2}[-/][0-9]{2,4} {1,3}[0-9]{1,2}:[0-9]{2}(AM|PM|am|)? {1,20}(<DIR>|[0-9,]{1,12}) {0,12}.{0,12}";
    let mlsd = "([a-zA-Z.]{1,6}=[a-zA-Z0-9=:/.]{0,16};){0,4} ?.{0,12}";
    let eplf = "\\+?([/rimsu][0-9a-z.]{0,6},){0,4},?\t?.{0,12}";
    let vms = "[A-Z0-9_$.]{0,10};[0-9]{0,6} {0,4}[0-9/]{0,7} {1,3}[0-9]{1,2}-[A-Za-z]{3}-[0-9]{2,4} [0-9:.]{4,11}( \\[[A-Z,]{0,9}\\])?( \\([RWED,]{0,12}\\))?.{0,4}";
    let os2 = " {0,12}[0-9]{1,10} {1,10}([AHRS]{1,3} {1,6})?(DIR {1,3})?[0-9]{2}-[0-9]{2}-[0-9]{2} {1,3}[0-9]{1,2}:[0-9]{2} {1,2}.{0,12}";
    let netware = "[-dl] \\[[RWCEAFMS-]{7,8}\\] [a-z]{0,6} {1,16}[0-9]{1,6} (Jan|Dec|Xyz) [0-9]{1,2} ([0-9]{2}:[0-9]{2}| [0-9]{4}) .{0,12}";
    let as400 = "( {0,40}\\*MEM {1,6}|[A-Z]{0,6} {1,12}[0-9]{1,6} [0-9]{2}/[0-9]{2}/[0-9]{2} [0-9:]{8} \\*[A-Za-z]{2,4} {1,6}).{0,12}/?";
    // ls in other locales and time styles, and lines without a date.
    let unix_dates = "[-dl][rwx-]{9} {1,3}[0-9]{1,3} [a-z0-9]{1,6} {1,3}([a-z0-9]{1,6}|ftpusers[0-9]{1,7}) {1,6}([0-9]{1,9}|[0-9]{1,3}[.,][0-9][KMGTk]) {1,2}((M\u{e4}r|mrz|f\u{e9}vr\\.|ao\u{fb}t|D\u{c9}C\\.|ene|giu|mei|maj|des|Okt|janv\\.|sept\\.|[0-9]{1,2}\\.?) {1,2}[0-9]{1,2}[.,]? {1,2}|[0-9]{1,2}\\.? (Nov|nov\\.|Mai) {1,2}|[0-9]{1,2} [0-9]{1,2} {1,2}|[0-9]{1,2}\u{6708} [0-9]{1,2}\u{65e5}? {1,2}|[0-9]{4} [0-9]{1,2} [0-9]{1,2} |[0-9]{4}\u{5e74}[0-9]{1,2}\u{6708}[0-9]{1,2}\u{65e5} |[0-9]{2}-[0-9]{2} |[0-9]{4}[-/][0-9]{2}[-/][0-9]{2} {1,2}|[0-9]{2}/[0-9]{2}/[0-9]{4} |[0-9]{2}\\.[0-9]{2}\\.([0-9]{2}|[0-9]{4}) )?([0-9]{2}:[0-9]{2}|[0-9]{4}|[0-9]{2}:[0-9]{2}:[0-9]{2}( [0-9]{4})?)? {0,3}.{0,12}";
    let dos_more = "([0-9]{2}\\.[0-9]{2}\\.[0-9]{2,4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4}) {1,3}[0-9]{1,2}:[0-9]{2}( ?(AM|PM|a|p))? {1,20}(<DIR>|<JUNCTION>|<SYMLINKD?>|[0-9]{1,3}([.,][0-9]{3}){0,3}) {0,12}.{0,12}( \\[.{0,8}\\]?)?";
    let connect = "-[A-Z-]{9}(FTP|TCP|X) [AB] [A-Z0-9]{1,6} {1,8}[0-9]{1,6} {1,6}[0-9]{1,3} (Jan|Aug|Xyz) [0-9]{1,2} ([0-9]{2}:[0-9]{2}| [0-9]{4}) .{0,12}";
    let os9 = " {0,3}[0-9]{1,3}\\.[0-9]{1,3} {1,5}[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{4} {1,3}[d-][s-][e-][w-][r-][e-][w-][r-] {1,5}[0-9A-G]{1,4} {1,6}[0-9]{1,7} .{0,12}";
    let vxworks = " {0,8}[0-9]{1,7} {1,6}(JAN|Feb|dec|Xyz)-[0-9]{2}-[0-9]{4} {1,3}[0-9]{2}:[0-9]{2}:[0-9]{2} {1,3}.{0,12}( {1,6}<DIR>)?";
    let wftpd = "[A-Za-z0-9.]{1,12} {1,10}(<DIR>|[0-9]{1,8}) {1,3}[0-9]{2}[-/][0-9]{2}[-/][0-9]{2,4} {1,3}[0-9]{1,2}:[0-9]{2}( ?[AaPp][Mm]?)?";
    let tandem = "[A-Z0-9]{1,8} {1,8}[0-9]{1,3}O? {1,12}[0-9,]{1,9} {1,2}[0-9]{1,2}-(Feb|Nov|Xyz)-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{1,3}, ?[0-9]{1,3} \"[oncu-]{4}\"";
    let mvs = "([A-Z0-9]{1,6} [0-9]{4} {1,3}([0-9]{4}/[0-9]{2}/[0-9]{2}|\\*\\*NONE\\*\\*) {1,3}[0-9]{1,3} {1,4}[0-9]{1,5} {1,3}[A-Z]{1,3} {1,6}[0-9]{1,5} {1,5}[0-9]{1,5} {1,3}(PS|PO|PO-E|XX)|Migrated|Pseudo Directory) {1,40}[A-Z0-9.#$@]{1,20}";
    let pds = "[A-Z#$@][A-Z0-9#$@]{0,7}( {1,3}[0-9]{2}\\.[0-9]{2} [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})? {1,5}[0-9]{1,5} {1,5}[0-9]{1,5} {1,5}[0-9]{1,5} [A-Z0-9]{1,7}| {1,3}[0-9A-F]{6} {1,3}[0-9A-F]{6}( [A-Z]{1,8})? {1,10}[0-9]{2}( [A-Z]{2}){0,3} {1,12}(24|31|ANY) {1,4}(24|ANY))?";
    let zvm = "[A-Z0-9$#@]{1,8} {1,6}(DIR|EXEC|[A-Z]{1,8}) {1,6}[FV-] {1,10}([0-9]{1,5}|-) {1,10}([0-9]{1,5}|-) {1,10}([0-9]{1,5}|-) ([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}) [0-9]{2}:[0-9]{2}(:[0-9]{2})? [A-Z0-9-]{1,8}";
    // The shapes real servers print that the families' manuals do not.
    let vshell_old =
        "[0-9]{1,7} {1,2}(Apr|Dec|Xyz) [0-9]{2},? [0-9]{4} [0-9]{2}:[0-9]{2} .{0,12}/?";
    let octal =
        "0[0-7]{5,6} {1,3}[0-9]{1,4} {1,3}[0-9]{1,4} {1,3}[0-9]{1,8} {1,4}[0-9]{1,10} {1,7}.{0,12}";
    let netware_more = "[-d] ?\\[[RWCEAFMS-]{7,8}\\] {1,5}([0-9] )?[a-z0-9]{0,8} {1,20}[0-9]{1,6} (Jun|Oct) [0-9]{2} ([0-9]{2} )?([0-9]{1,2}:[0-9]{2}| [0-9]{4}) .{0,12} {0,3}";
    let wfftp = "[A-Za-z0-9.-]{1,20} {1,8}[0-9]{1,8} {1,2}[0-9]{2}/[0-9]{2}/[0-9]{2} {1,2}(Thur|Wed|Fri|Foo)\\.? {1,4}[0-9]{2}:[0-9]{2}(:[0-9]{2})? ?";
    let vms_more = "[A-Z0-9_.-]{1,12};[0-9]{1,3} {1,4}(\\[[A-Z,]{1,8}\\] {1,4})?[0-9/KB]{1,7} {1,4}[0-9]{1,2}-(JUI|JAN|Xyz)-[0-9]{4}( [0-9:.]{5,11})?( {1,4}[A-Z]{1,8})?( \\([RWED,]{0,12}\\))?";
    let mvs_more = "([A-Z0-9]{1,6} (3380E?|3390|Tape) {1,3}([0-9]{2}/[0-9]{2}/[0-9]{2}|\\*\\*NONE\\*\\*) {1,3}[0-9+?]{1,6} {1,4}[0-9+?]{1,5} {1,3}[A-Z?]{1,4} {1,6}[0-9]{1,5} {1,5}[0-9]{1,5} {1,3}(PS|PO|NONE)|Error determining attributes|[A-Z0-9]{1,6} 3390 VSAM) {1,40}'?[A-Za-z0-9.#$@-]{1,24}'?";
    let headings = " ?(Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname|Name     VV\\.MM   Created       Changed      Size  Init   Mod   Id|File         Code             EOF  Last Modification    Owner  RWEP|Owner    Last modified  Attributes Sector  Bytecount Name|  size          date       time       name|[- ]{2,40})";
    let text = |re: &str| {
        proptest::string::string_regex(re)
            .expect("regex")
            .prop_map(String::into_bytes)
    };
    prop_oneof![
        text(unix),
        text(dos),
        text(mlsd),
        text(eplf),
        text(vms),
        text(os2),
        text(netware),
        text(as400),
        text(unix_dates),
        text(dos_more),
        legacy_unix_dates(),
        text(connect),
        text(os9),
        text(vxworks),
        text(wftpd),
        text(tandem),
        text(mvs),
        text(pds),
        text(zvm),
        text(vshell_old),
        text(octal),
        text(netware_more),
        text(wfftp),
        text(vms_more),
        text(mvs_more),
        text(headings),
        text("total [0-9]{1,4}|\\.|\\.\\.| *"),
        proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

/// CJK date marks in the encodings servers send them in (UTF-8, GBK,
/// Shift-JIS, EUC-KR) and Latin-1 month names, as bytes.
fn legacy_unix_dates() -> impl Strategy<Value = Vec<u8>> {
    let marks: Vec<&'static [u8]> = vec![
        b"\xe6\x9c\x88",
        b"\xd4\xc2",
        b"\x8c\x8e",
        b"\xbf\xf9",
        b"\xc8\xd5",
        b"\x94\x4e",
        b"\xc0\xcf",
        b"M\xe4r",
        b"f\xe9vr.",
        b"ao\xfbt",
    ];
    (
        "[-dl][rwx-]{9} {1,3}[0-9]{1,2} [a-z0-9]{1,6} {1,3}[a-z0-9]{1,6} {1,6}[0-9]{1,9} {1,2}[0-9]{0,4}",
        proptest::sample::select(marks.clone()),
        " {0,2}[0-9]{0,2}",
        proptest::sample::select(marks),
        "( {1,2}([0-9]{2}:[0-9]{2}|[0-9]{4}))? {0,2}",
        proptest::collection::vec(any::<u8>(), 0..12),
    )
        .prop_map(|(head, mark, day, mark2, when, name)| {
            let mut line = head.into_bytes();
            line.extend_from_slice(mark);
            line.extend_from_slice(day.as_bytes());
            line.extend_from_slice(mark2);
            line.extend_from_slice(when.as_bytes());
            line.extend_from_slice(&name);
            line
        })
}

/// A date as some `ls` prints it, and whether a time right after it
/// would join it (a year then one blank then a time does).
fn localized_date() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let text = |re: &'static str, joins: bool| {
        proptest::string::string_regex(re)
            .expect("regex")
            .prop_map(move |d| (d.into_bytes(), joins))
    };
    let marked = |month: &'static [u8], day: &'static [u8]| {
        "(1[0-2]|[1-9]) [12][0-9] ([01][0-9]:[0-5][0-9]| 20[0-9]{2})".prop_map(move |d| {
            let mut parts = d.splitn(3, ' ');
            let (m, dd, rest) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            let mut out = m.as_bytes().to_vec();
            out.extend_from_slice(month);
            out.push(b' ');
            out.extend_from_slice(dd.as_bytes());
            out.extend_from_slice(day);
            out.push(b' ');
            out.extend_from_slice(rest.as_bytes());
            (out, false)
        })
    };
    prop_oneof![
        text(
            "(M\u{e4}r|Mrz|M\u{e4}rz|Okt|Dez|Mai|janv\\.|f\u{e9}vr\\.|ao\u{fb}t|D\u{c9}C\\.|ene|abr|dic|gen|giu|ott|mrt|mei|maj|des|Januar|septiembre) [ 12][1-9]\\.? ([01][0-9]:[0-5][0-9]| [12][0-9]{3})",
            false
        ),
        text(
            "[12][0-9]\\.? (Nov|nov\\.|Mai|d\u{e9}c\\.|okt|M\u{c4}R) ([01][0-9]:[0-5][0-9]| [12][0-9]{3})",
            false
        ),
        text("(Jan|Feb|Jun|Dec) [12][0-9], 20[0-9]{2}", true),
        text(
            "(1[0-2]|[1-9]) [12][0-9] ([01][0-9]:[0-5][0-9]| 20[0-9]{2})",
            false
        ),
        text("20[0-9]{2} (1[0-2]|0?[1-9]) [12][0-9]", true),
        text(
            "(0[1-9]|1[0-2])-[0-2][1-9] ([01][0-9]:[0-5][0-9]|20[0-9]{2})",
            true
        ),
        text(
            "20[0-9]{2}-(0[1-9]|1[0-2])-[0-2][1-9] [01][0-9]:[0-5][0-9]",
            false
        ),
        text(
            "(20[0-9]{2}/(0[1-9]|1[0-2])/[0-2][1-9]|(0[1-9]|1[0-2])/[0-2][1-9]/20[0-9]{2}|[0-2][1-9]\\.(0[1-9]|1[0-2])\\.(20)?[0-9]{2})",
            true
        ),
        text(
            "20[0-9]{2}\u{5e74}(1[0-2]|[1-9])\u{6708}[12][0-9]\u{65e5}",
            true
        ),
        marked(b"\xe6\x9c\x88", b""),
        marked(b"\xd4\xc2", b"\xc8\xd5"),
        marked(b"\x8c\x8e", b"\x93\xfa"),
        marked(b"\xbf\xf9", b"\xc0\xcf"),
    ]
}

/// "10:00..." or "9:30...": what a time joining the date would eat.
fn starts_with_time(name: &[u8]) -> bool {
    let digits = name.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=2).contains(&digits)
        && name.get(digits) == Some(&b':')
        && name[digits + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
            >= 2
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn localized_and_numeric_dates_round_trip(
        name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
            .prop_filter("dot", |n| !is_dot(n)),
        (date, joins) in localized_date(),
        owner in "[a-z][a-z0-9]{0,7} {1,3}[a-z][a-z0-9]{0,7}",
        size in any::<u64>(),
        pad in " {1,5}",
    ) {
        prop_assume!(!(joins && starts_with_time(&name)));
        let mut line = format!("-rw-r--r--{pad}1 {owner}{pad}{size} ").into_bytes();
        line.extend_from_slice(&date);
        line.push(b' ');
        line.extend_from_slice(&name);
        let entries = parse_list(&line, today());
        prop_assert_eq!(entries.len(), 1);
        let e = &entries[0];
        prop_assert_eq!(&e.kind, &EntryKind::File, "{:?}", String::from_utf8_lossy(&line));
        prop_assert_eq!(e.raw_name(), &name, "{:?}", String::from_utf8_lossy(&line));
        prop_assert_eq!(e.size, Some(size));
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_list(&data, today());
        let _ = parse_mlsd(&data);
    }

    #[test]
    fn raw_name_comes_from_the_line(
        line in prop_oneof![
            plausible_line(),
            proptest::collection::vec(any::<u8>(), 0..96),
        ].prop_map(|mut l| { l.retain(|&b| b != b'\n'); l }),
        style in any_style(),
    ) {
        // The name sent back in RETR/CWD must be bytes the server sent,
        // never something a parser made up.
        if let ListLine::Entry(e) = parse_list_line_as(&line, today(), style) {
            prop_assert!(
                named_by(&line, e.raw_name()),
                "{:?} not in {:?}",
                String::from_utf8_lossy(e.raw_name()),
                String::from_utf8_lossy(&line)
            );
        }
    }

    #[test]
    fn raw_names_come_from_the_body(
        lines in proptest::collection::vec(plausible_line(), 0..12),
        style in any_style(),
    ) {
        // Joined VMS lines span two input lines, so the body as a whole
        // is the haystack here.
        let data = lines.join(&b"\r\n"[..]);
        for e in parse_list_as(&data, today(), style) {
            prop_assert!(
                contains(&data, e.raw_name())
                    || data.split(|b| *b == b'\n').any(|l| named_by(l, e.raw_name()))
            );
        }
    }

    #[test]
    fn eplf_names_round_trip(
        name in proptest::collection::vec(
            any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
            .prop_filter("dot", |n| !is_dot(n)),
        facts in "(i[0-9a-z.]{1,8},)?(m[0-9]{1,10},)?(r,|/,)(s[0-9]{1,8},)?",
    ) {
        let mut line = format!("+{facts}\t").into_bytes();
        line.extend_from_slice(&name);
        let entries = parse_list(&line, today());
        prop_assert_eq!(entries.len(), 1);
        prop_assert_eq!(entries[0].raw_name(), &name);
        prop_assert_eq!(entries[0].is_dir(), facts.contains('/'));
    }

    #[test]
    fn no_line_is_silently_dropped(
        lines in proptest::collection::vec(plausible_line(), 0..12),
        day in 0u64..(366 * 3),
        style in any_style(),
    ) {
        let today = NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(day)))
            .expect("valid date");
        let data = lines.join(&b"\r\n"[..]);
        let _ = parse_mlsd(&data);
        let entries = parse_list_as(&data, today, style);
        // A heading in the first lines picks the style for Auto.
        let effective = match style {
            ListingStyle::Auto => detect_style(&data).unwrap_or(style),
            given => given,
        };
        let mut expected = 0;
        for line in data.split(|&b| b == b'\n') {
            match parse_list_line_as(line, today, effective) {
                ListLine::Entry(_) => expected += 1,
                ListLine::Skip => prop_assert!(
                    may_skip(line),
                    "skipped {:?}",
                    String::from_utf8_lossy(line)
                ),
            }
        }
        prop_assert_eq!(entries.len(), expected);
    }

    #[test]
    fn unix_names_round_trip(
        name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
            .prop_filter("dot", |n| !is_dot(n)),
        owner in "[a-z0-9]{1,8}( +[a-z0-9]{1,8})?",
        size in any::<u64>(),
        pad in " {1,5}",
        when in "(Jan|Feb|Jun|Dec) [ 0-2][1-9] ([0-2][0-9]:[0-5][0-9]| [12][0-9]{3})",
    ) {
        let mut line = format!("-rw-r--r--{pad}1 {owner}{pad}{size} {when} ").into_bytes();
        line.extend_from_slice(&name);
        let entries = parse_list(&line, today());
        prop_assert_eq!(entries.len(), 1);
        prop_assert_eq!(&entries[0].kind, &EntryKind::File);
        prop_assert_eq!(entries[0].raw_name(), &name);
        prop_assert_eq!(entries[0].size, Some(size));
    }

    #[test]
    fn dos_names_round_trip(
        name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
            .prop_filter("dot or leading blank", |n| !is_dot(n) && n[0] != b' ' && n[0] != b'\t'),
        head in "(0[1-9]|1[0-2])-[0-2][0-9]-([0-9]{2}|20[0-9]{2})  (0[1-9]|1[0-2]):[0-5][0-9](AM|PM) +(<DIR>|[0-9]{1,3}(,[0-9]{3}){0,3}) +",
    ) {
        let mut line = head.clone().into_bytes();
        line.extend_from_slice(&name);
        let entries = parse_list(&line, today());
        prop_assert_eq!(entries.len(), 1);
        prop_assert_eq!(entries[0].raw_name(), &name);
        prop_assert_eq!(entries[0].is_dir(), head.contains("<DIR>"));
    }

    #[test]
    fn vms_names_keep_their_version(
        name in "[A-Z0-9_$-]{1,12}(\\.[A-Z0-9_]{0,5})?;[1-9][0-9]{0,3}",
        blocks in 0u64..100_000,
        allocated in proptest::option::of(0u64..100_000),
        time in proptest::option::of("[01][0-9]:[0-5][0-9](:[0-5][0-9](\\.[0-9]{2})?)?"),
        owner in proptest::option::of("\\[[A-Z]{1,8}(,[A-Z]{1,8})?\\]"),
        size_last in any::<bool>(),
    ) {
        prop_assume!(!name.to_ascii_uppercase().contains(".DIR;"));
        let size = match allocated {
            Some(a) => format!("{blocks}/{a}"),
            None => blocks.to_string(),
        };
        let date = match &time {
            Some(t) => format!("27-JAN-2026 {t}"),
            None => String::from("27-JAN-2026"),
        };
        let owner = owner.unwrap_or_default();
        let line = if size_last {
            format!("{name} {owner} {date}   {size}  (RWED,RWED,RE,)")
        } else {
            format!("{name}   {size} {date}  {owner}  (RWED,RWED,RE,)")
        };
        let entries = parse_list(line.as_bytes(), today());
        prop_assert_eq!(entries.len(), 1);
        prop_assert_eq!(&entries[0].name, &name, "{}", line);
        prop_assert_eq!(entries[0].size, Some(blocks * 512));
    }

    #[test]
    fn mlsd_names_round_trip(
        name in proptest::collection::vec(any::<u8>().prop_filter("eol", |b| *b != b'\n' && *b != b'\r'), 1..40)
            .prop_filter("dot", |n| !is_dot(n)),
        facts in "type=(file|dir);size=[0-9]{1,5};(UNIX[.]mode=0[0-7]{3};)?(modify=20[0-9]{12};)?",
    ) {
        let mut body = b"type=cdir; /x\r\n".to_vec();
        body.extend_from_slice(facts.as_bytes());
        body.push(b' ');
        body.extend_from_slice(&name);
        body.extend_from_slice(b"\r\n");
        let entries = parse_mlsd(&body);
        prop_assert_eq!(entries.len(), 1);
        prop_assert_eq!(entries[0].raw_name(), &name);
        prop_assert!(entries[0].kind != EntryKind::Unparsed);
    }
}

mod mlsd_over_list {
    use super::*;

    #[test]
    fn mlsd_fact_lines_sent_for_list_are_read() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let body = b"type=cdir;modify=20261120093000; /pub\r\n\
    type=pdir;modify=20261120093000; /\r\n\
    type=dir;modify=20261120093000; sub dir\r\n\
    type=file;size=1419;modify=20261120093000; Cargo.toml\r\n\
    size=3;x=y; not one (no type fact)\r\n";
        let entries = parse_list(body, today);
        let names: Vec<(&str, EntryKind, Option<u64>)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind.clone(), e.size))
            .collect();
        assert_eq!(names[0], ("sub dir", EntryKind::Dir, None));
        assert_eq!(names[1], ("Cargo.toml", EntryKind::File, Some(1419)));
        assert_eq!(
            names[2].1,
            EntryKind::Unparsed,
            "without a type fact: not sure"
        );
        assert_eq!(names.len(), 3, "cdir and pdir skipped");
    }

    #[test]
    fn facts_as_real_servers_send_them() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let body = b"size=1365694195;type=file;modify=20090722092510;\tadsl TV 2009-07-22\r\n\
    type=file 77 MLSD file no trailing semicolon\r\n\
    type=dir;sizd=4096;modify=20241 120093000;perm=flcdmpe; broken\r\n";
        let entries = parse_list(body, today);
        assert_eq!(entries[0].name, "adsl TV 2009-07-22");
        assert_eq!(entries[0].size, Some(1_365_694_195));
        assert_eq!(entries[1].name, "77 MLSD file no trailing semicolon");
        // A blank inside a value: the rest of the facts must not become
        // the name.
        assert_eq!(entries[2].kind, EntryKind::Unparsed);
    }
}

/// A dot entry whose name is followed by a blank is still a dot entry
/// (found by `no_line_is_silently_dropped`).
#[test]
fn a_dot_entry_with_a_trailing_blank_is_skipped_and_may_be() {
    let line = b"0 JAN-00-0000 00:00:00 .\t";
    assert_eq!(parse_list_line(line, fixtures::today()), ListLine::Skip);
    assert!(may_skip(line));
}
