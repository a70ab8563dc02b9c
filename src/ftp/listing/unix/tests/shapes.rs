//! The date, owner and size shapes of servers in other locales and of
//! other `ls` look-alikes. Sample lines are written from what each `ls`
//! time style and locale prints.

use super::super::super::fixtures::{at, at_s, one};
use super::super::super::{EntryKind, ListLine, parse_list_line};

/// Asserts a line reads as a file of `size` bytes named `name`,
/// modified at `when`.
#[track_caller]
fn reads(line: &[u8], name: &[u8], size: Option<u64>, when: Option<chrono::NaiveDateTime>) {
    let e = one(line);
    let shown = String::from_utf8_lossy(line);
    assert_eq!(e.kind, EntryKind::File, "{shown}");
    assert_eq!(e.raw_name(), name, "{shown}: name {:?}", e.name);
    assert_eq!(e.size, size, "{shown}");
    assert_eq!(e.modified, when, "{shown}");
}

#[test]
fn numeric_months() {
    reads(
        b"-rw-r--r-- 1 u g 1234 11 20 10:00 name",
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 1234 11 20  2024 name",
        b"name",
        Some(1234),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 1234  3  5 09:07 name",
        b"name",
        Some(1234),
        at(2026, 3, 5, 9, 7),
    );
    reads(
        b"-rw-r--r-- 1 u g 1234 2024 11 20 name",
        b"name",
        Some(1234),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 1234 2024 11 20 10:00 name",
        b"name",
        Some(1234),
        at(2024, 11, 20, 10, 0),
    );
}

#[test]
fn numeric_owner_and_group_are_not_a_date() {
    // "1 1 4096" must not read as month 1, day 1, year 4096.
    let e = one(b"drwxr-xr-x 2 1 1 4096 11 20 10:00 dir");
    assert_eq!((e.name.as_str(), e.size), ("dir", Some(4096)));
    let e = one(b"-rw-r--r-- 1 1 2 1999 11 20 10:00 x");
    assert_eq!((e.name.as_str(), e.size), ("x", Some(1999)));
    assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
    let e = one(b"-rw-r--r-- 1 0 0 2024 11 20 x");
    assert_eq!((e.name.as_str(), e.size), ("x", Some(0)));
    // A month name anywhere wins over bare numbers before it.
    let e = one(b"drwxr-xr-x 2 1 1 4096 Nov 20 10:00 dir");
    assert_eq!((e.name.as_str(), e.size), ("dir", Some(4096)));
}

#[test]
fn iso_style_month_day() {
    // `ls --time-style=iso`: "11-20 10:00" when recent, "2024-11-20 "
    // (padded to the same width) when old.
    reads(
        b"-rw-r--r-- 1 u g 5 11-20 10:00 recent",
        b"recent",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 2024-11-20  old",
        b"old",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 2024-11-20   spaced",
        b" spaced",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 11-20 2024 y",
        b"y",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 2024-11-20 10:00 t",
        b"t",
        Some(5),
        at(2024, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 2024-11-20 10:00:12.123456789 +0100 f",
        b"f",
        Some(5),
        at_s(2024, 11, 20, 10, 0, 12).map(|t| t + chrono::Duration::nanoseconds(123_456_789)),
    );
}

#[test]
fn slash_and_dotted_dates() {
    reads(
        b"-rw-r--r-- 1 u g 5 2024/11/20 a",
        b"a",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 2024/11/20 10:00 a",
        b"a",
        Some(5),
        at(2024, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 11/20/2024 b",
        b"b",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 11/20/2024 22:15 b",
        b"b",
        Some(5),
        at(2024, 11, 20, 22, 15),
    );
    // Day first where the first number cannot be a month.
    reads(
        b"-rw-r--r-- 1 u g 5 20/11/2024 b",
        b"b",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 05/11/2024 b",
        b"b",
        Some(5),
        at(2024, 5, 11, 0, 0),
    );
    assert_eq!(
        one(b"-rw-r--r-- 1 u g 5 20/13/2024 b").kind,
        EntryKind::Unparsed
    );
    reads(
        b"-rw-r--r-- 1 u g 5 20.11.2024 c",
        b"c",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 20.11.24 10:00 c",
        b"c",
        Some(5),
        at(2024, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 01.02.99 c",
        b"c",
        Some(5),
        at(1999, 2, 1, 0, 0),
    );
    // Impossible days keep the entry without a date.
    reads(b"-rw-r--r-- 1 u g 5 31.02.2024 c", b"c", Some(5), None);
}

#[test]
fn day_first_and_commas() {
    reads(
        b"-rw-r--r-- 1 u g 5 20 Nov 10:00 a",
        b"a",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 20 Nov  2024 a",
        b"a",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 20. Nov 10:00 a",
        b"a",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20, 2024 a",
        b"a",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20, 2024 10:00 a",
        b"a",
        Some(5),
        at(2024, 11, 20, 10, 0),
    );
}

#[test]
fn year_and_time_together() {
    // One blank before the year: a server printing both.
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 2024 10:00 a",
        b"a",
        Some(5),
        at(2024, 11, 20, 10, 0),
    );
    // ls -T has seconds.
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 10:00:33 2024 a",
        b"a",
        Some(5),
        at_s(2024, 11, 20, 10, 0, 33),
    );
    // Without seconds a year after the time is the name's: ls prints
    // "HH:MM name" and files are often named after years.
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 10:00 2024 report",
        b"2024 report",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
}

#[test]
fn names_that_look_like_dates() {
    // ls right-aligns the year: two blanks, and then the name.
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20  2024 10:00.txt",
        b"10:00.txt",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20  2024 10:00 x",
        b"10:00 x",
        Some(5),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 10:00 12:30",
        b"12:30",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 10:00 2024",
        b"2024",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 10:00 11 20 10:00",
        b"11 20 10:00",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 Nov 20 10:00 007",
        b"007",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 11 20 10:00  lead",
        b" lead",
        Some(5),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 u g 5 2024-11-20 10:00 20 Nov 10:00",
        b"20 Nov 10:00",
        Some(5),
        at(2024, 11, 20, 10, 0),
    );
}

#[test]
fn german_months() {
    let months: [(&[u8], u32); 19] = [
        (b"Jan", 1),
        (b"Feb", 2),
        (b"M\xc3\xa4r", 3),
        (b"M\xe4r", 3),
        (b"Mrz", 3),
        (b"M\xc3\xa4rz", 3),
        (b"Apr", 4),
        (b"Mai", 5),
        (b"Jun", 6),
        (b"Jul", 7),
        (b"Aug", 8),
        (b"Sep", 9),
        (b"Okt", 10),
        (b"Nov", 11),
        (b"Dez", 12),
        (b"Januar", 1),
        (b"M\xe4rz", 3),
        (b"Oktober", 10),
        (b"Dezember", 12),
    ];
    for (month, number) in months {
        let mut line = b"-rw-r--r-- 1 u g 5 ".to_vec();
        line.extend_from_slice(month);
        line.extend_from_slice(b" 20  2024 datei");
        reads(&line, b"datei", Some(5), at(2024, number, 20, 0, 0));
        // "20. Okt 10:00", as de_DE `ls` prints it.
        let mut line = b"-rw-r--r-- 1 u g 5 20. ".to_vec();
        line.extend_from_slice(month);
        line.extend_from_slice(b" 2024 datei");
        reads(&line, b"datei", Some(5), at(2024, number, 20, 0, 0));
    }
}

#[test]
fn french_months() {
    let months: [(&[u8], u32); 19] = [
        (b"janv.", 1),
        (b"f\xc3\xa9vr.", 2),
        (b"f\xe9vr.", 2),
        (b"mars", 3),
        (b"avr.", 4),
        (b"mai", 5),
        (b"juin", 6),
        (b"juil.", 7),
        (b"ao\xc3\xbbt", 8),
        (b"ao\xfbt", 8),
        (b"sept.", 9),
        (b"oct.", 10),
        (b"nov.", 11),
        (b"d\xc3\xa9c.", 12),
        (b"d\xe9c.", 12),
        (b"F\xc3\x89VR.", 2),
        (b"AO\xdbT", 8),
        (b"janvier", 1),
        (b"d\xc3\xa9cembre", 12),
    ];
    for (month, number) in months {
        let mut line = b"-rw-r--r-- 1 u g 5 20 ".to_vec();
        line.extend_from_slice(month);
        line.extend_from_slice(b" 10:00 fichier \xe9t\xe9");
        // December 20 is still ahead of "today" (Nov 22): last year's.
        let year = if number == 12 { 2025 } else { 2026 };
        reads(
            &line,
            b"fichier \xe9t\xe9",
            Some(5),
            at(year, number, 20, 10, 0),
        );
    }
}

#[test]
fn spanish_italian_dutch_scandinavian_months() {
    let months = "ene=1 feb=2 mar=3 abr=4 may=5 jun=6 jul=7 ago=8 sep=9 sept=9 oct=10 \
        nov=11 dic=12 gen=1 mag=5 giu=6 lug=7 set=9 ott=10 mrt=3 mei=5 okt=10 dec=12 \
        maj=5 mai=5 des=12 enero=1 septiembre=9 diciembre=12 gennaio=1 settembre=9 \
        maart=3 augustus=8 januari=1 augusti=8 marts=3 desember=12 ENE.=1 Gen,=1 MEI=5 fev=2 avr=4 AGO=8";
    let months = months.split_whitespace().map(|pair| {
        let (month, number) = pair.split_once('=').expect("month=number");
        (month, number.parse::<u32>().expect("number"))
    });
    for (month, number) in months {
        let line = format!("-rw-r--r-- 1 u g 5 {month} 20 10:00 f");
        let year = if number == 12 { 2025 } else { 2026 };
        reads(line.as_bytes(), b"f", Some(5), at(year, number, 20, 10, 0));
    }
}

#[test]
fn hungarian_months() {
    // glibc's hu_HU abbreviations, in UTF-8 and in Latin-2 (whose `á` and
    // `ú` are Latin-1's too).
    let months = "jan=1 febr=2 márc=3 ápr=4 máj=5 jún=6 júl=7 aug=8 szept=9 okt=10 nov=11 dec=12 \
        Márc.=3 ÁPR=4";
    for pair in months.split_whitespace() {
        let (month, number) = pair.split_once('=').expect("month=number");
        let number = number.parse::<u32>().expect("number");
        let year = if number == 12 { 2025 } else { 2026 };
        let line = format!("-rw-r--r-- 1 u g 5 {month} 20 10:00 f");
        reads(line.as_bytes(), b"f", Some(5), at(year, number, 20, 10, 0));
        let latin: Vec<u8> = month
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
            .collect();
        let line = [&b"-rw-r--r-- 1 u g 5 "[..], &latin, b" 20 10:00 f"].concat();
        reads(&line, b"f", Some(5), at(year, number, 20, 10, 0));
    }
}

#[test]
fn legacy_marks_the_table_lacks() {
    // One or two bytes of a code page after each number: the order says
    // which is which.
    reads(
        b"-r--r--r-- 1 root root 2096 8\xed 17 08:52 n",
        b"n",
        Some(2096),
        at(2026, 8, 17, 8, 52),
    );
    reads(
        b"-rwxrwxrwx 1 root staff 0 2003   3\xed\xef 20 n",
        b"n",
        Some(0),
        at(2003, 3, 20, 0, 0),
    );
    // Three bytes are no mark, and a mark may not start a name.
    assert_eq!(
        one(b"-rw-r--r-- 1 u g 5 8\xed\xef\xee 17 08:52 n").kind,
        EntryKind::Unparsed
    );
}

#[test]
fn unknown_words_are_not_months() {
    for word in [
        "Foo", "ma", "m\u{e4}", "janvx", "Mär.z", "out", "auo", "agg", "mrx", "ftp",
    ] {
        let line = format!("-rw-r--r-- 1 u g 5 {word} 20 10:00 f");
        assert_eq!(one(line.as_bytes()).kind, EntryKind::Unparsed, "{line}");
    }
}

#[test]
fn cjk_marks_in_utf8() {
    reads(
        "-rw-r--r-- 1 u g 1234 11月 20日 10:00 name".as_bytes(),
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 11月 20 10:00 name".as_bytes(),
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 11月 20  2024 name".as_bytes(),
        b"name",
        Some(1234),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234  3月  5  2024 name".as_bytes(),
        b"name",
        Some(1234),
        at(2024, 3, 5, 0, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 2024年11月20日 name".as_bytes(),
        b"name",
        Some(1234),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 2024年11月20日 10:00 name".as_bytes(),
        b"name",
        Some(1234),
        at(2024, 11, 20, 10, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 2024年 11月 20日 name".as_bytes(),
        b"name",
        Some(1234),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 11月20日 10:00 name".as_bytes(),
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 11월 20일 10:00 이름".as_bytes(),
        "이름".as_bytes(),
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        "-rw-r--r-- 1 u g 1234 2024년 11월 20일 이름".as_bytes(),
        "이름".as_bytes(),
        Some(1234),
        at(2024, 11, 20, 0, 0),
    );
    reads(
        "-rw-r--r-- 1 所有者 组 1234 11月 20 10:00 文件 名".as_bytes(),
        "文件 名".as_bytes(),
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
}

#[test]
fn cjk_marks_in_legacy_encodings() {
    // (year, month, day) marks: GBK, Shift-JIS, EUC-KR, Big5, EUC-JP.
    let encodings: [(&[u8], &[u8], &[u8]); 5] = [
        (b"\xc4\xea", b"\xd4\xc2", b"\xc8\xd5"),
        (b"\x94\x4e", b"\x8c\x8e", b"\x93\xfa"),
        (b"\xb3\xe2", b"\xbf\xf9", b"\xc0\xcf"),
        (b"\xa6\x7e", b"\xa4\xeb", b"\xa4\xe9"),
        (b"\xc7\xaf", b"\xb7\xee", b"\xc6\xfc"),
    ];
    for (year, month, day) in encodings {
        let head = b"-rw-r--r-- 1 u g 1234 ";
        let recent = [&head[..], b"11", month, b" 20", day, b" 10:00 n\xb0"].concat();
        reads(&recent, b"n\xb0", Some(1234), at(2026, 11, 20, 10, 0));
        let bare_day = [&head[..], b"11", month, b" 20 10:00 n"].concat();
        reads(&bare_day, b"n", Some(1234), at(2026, 11, 20, 10, 0));
        let old = [&head[..], b"11", month, b" 20  2024 n"].concat();
        reads(&old, b"n", Some(1234), at(2024, 11, 20, 0, 0));
        let full = [&head[..], b"2024", year, b"11", month, b"20", day, b" n"].concat();
        reads(&full, b"n", Some(1234), at(2024, 11, 20, 0, 0));
        let spaced = [
            &head[..],
            b"2024",
            year,
            b" 11",
            month,
            b" 20",
            day,
            b" 10:00 n",
        ]
        .concat();
        reads(&spaced, b"n", Some(1234), at(2024, 11, 20, 10, 0));
        // A name starting with a mark keeps it.
        let name = [month, &b"x"[..]].concat();
        let marked_name = [&head[..], b"11", month, b" 20 10:00 ", &name].concat();
        reads(&marked_name, &name, Some(1234), at(2026, 11, 20, 10, 0));
    }
}

#[test]
fn marks_in_the_wrong_place_are_no_date() {
    for line in [
        "-rw-r--r-- 1 u g 5 20日 11月 10:00 n",
        "-rw-r--r-- 1 u g 5 11月20日2024 n",
        "-rw-r--r-- 1 u g 5 13月 20 10:00 n",
    ] {
        assert_eq!(one(line.as_bytes()).kind, EntryKind::Unparsed, "{line}");
    }
}

#[test]
fn no_date_at_all() {
    reads(b"-rw-r--r-- 1 u g 1234 name", b"name", Some(1234), None);
    reads(b"-rw-r--r-- 1 0 0 1234 a name", b"a name", Some(1234), None);
    let d = one(b"drwxr-xr-x 2 u g 4096 dir");
    assert!(d.is_dir());
    assert_eq!(d.name, "dir");
    // A name may start with digits.
    let d = one(b"drwxr-xr-x 3 slopri devlab 512 71-unix-dateless");
    assert_eq!(
        (d.kind, d.name, d.size),
        (EntryKind::Dir, "71-unix-dateless".into(), Some(512))
    );
    for line in [
        // Which column is missing?
        &b"-rw-r--r-- 1 u 1234 5 name"[..],
        // A date we cannot read must not become the name.
        b"-rw-r--r-- 1 u g 1234 Foo 20 10:00 x",
        b"-rw-r--r-- 1 u g 1234 out 20  2023 x",
        b"-rw-r--r-- 1 u g 1234 2023.31.20 x",
        b"-rw-r--r-- 1 u 1234 name",
        b"drwxr-xr-x   folder  2 name",
        b"crw-rw-rw- 1 root root 1, 3 null",
    ] {
        assert_eq!(
            one(line).kind,
            EntryKind::Unparsed,
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn owner_and_group_columns() {
    reads(
        b"-rw-r--r-- 1 John Smith  staff 1234 Nov 20 10:00 name",
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 1234 Nov 20 10:00 name",
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1234 Nov 20 10:00 name",
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 501 20 1234 Nov 20 10:00 name",
        b"name",
        Some(1234),
        at(2026, 11, 20, 10, 0),
    );
    // Group and size run together: split only where fixed eight-wide
    // columns prove the group ends.
    reads(
        b"-rw-r--r--   1 owner    ftpusers1234567 Nov 20 10:00 name",
        b"name",
        Some(1_234_567),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r--   1 root     group123456789 Nov 20 10:00 name",
        b"name",
        Some(456_789),
        at(2026, 11, 20, 10, 0),
    );
    // Not proven: the digits at the end, as other clients read them.
    reads(
        b"-rw-r--r-- 1 owner group123456789 Nov 20 10:00 name",
        b"name",
        Some(123_456_789),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-r-xr-xr-x longowner longgroup123456 Feb 12 17:20 46-unix-concatsize file",
        b"46-unix-concatsize file",
        Some(123_456),
        at(2026, 2, 12, 17, 20),
    );
    // A later date with a plain size wins over one after such a group.
    reads(
        "-rw-r--r-- 1 user grp1 2024 11月 20  2025 name".as_bytes(),
        b"name",
        Some(2024),
        at(2025, 11, 20, 0, 0),
    );
    // An owner named like a month, a numeric group and a size that
    // could be a year.
    reads(
        b"-rw-r--r-- 1 des 12 2024 Nov 20 10:00 name",
        b"name",
        Some(2024),
        at(2026, 11, 20, 10, 0),
    );
    reads(
        b"-rw-r--r-- 1 mai 3 1999 20 Nov 10:00 name",
        b"name",
        Some(1999),
        at(2026, 11, 20, 10, 0),
    );
}

#[test]
fn human_sizes_in_bytes() {
    for (size, bytes) in [
        ("4.0K", 4096),
        ("4,0K", 4096),
        ("1.5M", 1_572_864),
        ("12k", 12_288),
        ("2G", 2_147_483_648),
        ("1.1T", 1_209_462_790_553),
        ("999", 999),
    ] {
        let line = format!("-rw-r--r-- 1 u g {size} Nov 20 10:00 f");
        reads(line.as_bytes(), b"f", Some(bytes), at(2026, 11, 20, 10, 0));
    }
    for size in ["4.K", ".5K", "4.0.0K", "K", "4.0X", "99999999999999E"] {
        let line = format!("-rw-r--r-- 1 u g {size} Nov 20 10:00 f");
        assert_eq!(one(line.as_bytes()).kind, EntryKind::Unparsed, "{line}");
    }
}

#[test]
fn total_with_human_size_is_skipped() {
    assert_eq!(
        parse_list_line(b"total 1.5M", super::super::super::fixtures::today()),
        ListLine::Skip
    );
}

#[test]
fn dates_real_servers_print() {
    // Day, month name and two-digit year.
    reads(
        b"-r-xr-xr-x 2 owner group 4512 01-jun-99 a file",
        b"a file",
        Some(4512),
        at(1999, 6, 1, 0, 0),
    );
    // Day-month-year with dashes and a time; a dotted year first, padded.
    reads(
        b"-r-xr-xr-x 2 root other 2235 24-04-2003 17:12 f",
        b"f",
        Some(2235),
        at(2003, 4, 24, 17, 12),
    );
    reads(
        b"-r-xr-xr-x 2 root root 96 2004.07.15   f g",
        b"f g",
        Some(96),
        at(2004, 7, 15, 0, 0),
    );
    // German, with a dot and a comma after the month.
    reads(
        b"-rw-r--r-- 6 user sys 1024 30. Jan., 12:40 f",
        b"f",
        Some(1024),
        at(2026, 1, 30, 12, 40),
    );
    for line in [
        &b"-rw-r--r-- 1 u g 5 01-xyz-99 f"[..],
        b"-rw-r--r-- 1 u g 5 01-jun-9 f",
        b"-rw-r--r-- 1 u g 5 32-04-2003 17:12 f",
        b"-rw-r--r-- 1 u g 5 2004.13.15 f",
    ] {
        assert_eq!(
            one(line).kind,
            EntryKind::Unparsed,
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn octal_modes_with_a_time_in_seconds() {
    reads(
        b"0100644   500  101   12345    123456789       20-unix-numerical file",
        b"20-unix-numerical file",
        Some(12345),
        at_s(1973, 11, 29, 21, 33, 9),
    );
    let d = one(b"040755 0 0 4096 1700000000 dir");
    assert_eq!((d.kind, d.name.as_str()), (EntryKind::Dir, "dir"));
    let l = one(b"0120777 0 0 7 1700000000 link");
    assert_eq!(l.kind, EntryKind::Link);
    for line in [
        // No file type in the high bits, a digit that is not octal, a
        // column missing.
        &b"0000644 0 0 5 1700000000 f"[..],
        b"0100648 0 0 5 1700000000 f",
        b"0100644 0 0 5 f",
        b"100644 0 0 5 1700000000 f",
    ] {
        assert_eq!(
            one(line).kind,
            EntryKind::Unparsed,
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn dotted_times_and_link_counts_run_into_the_mode() {
    reads(
        b"-r--r--r--   1 axis     public     706  Jan 21 09.17 account",
        b"account",
        Some(706),
        at(2026, 1, 21, 9, 17),
    );
    reads(
        b"-r--r--r--   1 axis     public    6133  Apr 20  9.51 defaults",
        b"defaults",
        Some(6133),
        at(2026, 4, 20, 9, 51),
    );
    let d = one(b"drwxr-xr-x439 root     daemon      10752 Dec 12 17:39 pub2");
    assert_eq!(
        (d.kind, d.name.as_str(), d.size),
        (EntryKind::Dir, "pub2", Some(10752))
    );
    for line in [
        &b"-rw-r--r-- 1 u g 5 Jan 21 09.1 f"[..],
        b"-rw-r--r-- 1 u g 5 Jan 21 109.17 f",
        b"drwxr-xr-xab root daemon 10752 Dec 12 17:39 pub2",
    ] {
        assert_eq!(
            one(line).kind,
            EntryKind::Unparsed,
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}
