//! Lines from the servers and `ls` versions people run, and the shapes
//! of dates in other locales.

mod lines {
    use super::super::super::{ListLine, parse_list, parse_list_line};
    use super::super::*;
    use chrono::{Datelike, Days};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        date(y, m, d).and_hms_opt(h, min, 0)
    }

    fn today() -> NaiveDate {
        date(2026, 11, 22)
    }

    fn one(line: &[u8]) -> Entry {
        match parse_list_line(line, today()) {
            ListLine::Entry(e) => e,
            ListLine::Skip => panic!("line skipped: {:?}", String::from_utf8_lossy(line)),
        }
    }

    #[test]
    fn vsftpd_file() {
        let e = one(b"-rw-r--r--    1 1000     1000         1234 Nov 20 10:00 readme.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "readme.txt");
        assert_eq!(e.raw_name(), b"readme.txt");
        assert_eq!(e.size, Some(1234));
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
        assert_eq!(e.perm.as_deref(), Some("-rw-r--r--"));
        assert_eq!(e.link_target, None);
        assert_ne!(e.kind, EntryKind::Unparsed);
    }

    #[test]
    fn vsftpd_dir_with_year() {
        let e = one(b"drwxr-xr-x    2 ftp      ftp          4096 Mar 03  2019 pub");
        assert!(e.is_dir());
        assert_eq!(e.name, "pub");
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.modified, at(2019, 3, 3, 0, 0));
    }

    #[test]
    fn proftpd_symlink() {
        let e =
            one(b"lrwxrwxrwx   1 root     root           11 Jan  5 09:30 latest -> release-1.2");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.name, "latest");
        assert_eq!(e.link_target.as_deref(), Some("release-1.2"));
        assert_eq!(e.modified, at(2026, 1, 5, 9, 30));
    }

    #[test]
    fn symlink_splits_on_first_arrow_only() {
        let e = one(b"lrwxrwxrwx 1 u g 3 Jan 5 09:30 a -> b -> c");
        assert_eq!(e.name, "a");
        assert_eq!(e.link_target.as_deref(), Some("b -> c"));
    }

    #[test]
    fn regular_file_with_arrow_is_not_split() {
        let e = one(b"-rw-r--r-- 1 u g 3 Jan 5 09:30 before -> after.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "before -> after.txt");
        assert_eq!(e.link_target, None);
    }

    #[test]
    fn pure_ftpd_padding() {
        let e = one(b"-rw-r--r--    1 ftpuser    ftpgroup        42 Oct 10 07:05 notes #1.md");
        assert_eq!(e.name, "notes #1.md");
        assert_eq!(e.size, Some(42));
    }

    #[test]
    fn pyftpdlib_line() {
        let e = one(b"-rw-rw-rw-   1 owner    group        5 Nov 20 10:10 a b.txt");
        assert_eq!(e.name, "a b.txt");
        assert_eq!(e.size, Some(5));
    }

    #[test]
    fn busybox_numeric_owner() {
        let e = one(b"-rw-r--r--    1 0        0           123456 Jul  4  2023 firmware.bin");
        assert_eq!(e.size, Some(123_456));
        assert_eq!(e.modified, at(2023, 7, 4, 0, 0));
    }

    #[test]
    fn filezilla_server() {
        let e = one(b"-rw-r--r-- 1 ftp ftp  123 Nov 20 10:00 Report Q3.xlsx");
        assert_eq!(e.name, "Report Q3.xlsx");
        assert_eq!(e.size, Some(123));
        let d = one(b"drwxr-xr-x 1 ftp ftp              0 Nov 20  2025 Backups");
        assert!(d.is_dir());
        assert_eq!(d.modified, at(2025, 11, 20, 0, 0));
    }

    #[test]
    fn group_missing() {
        let e = one(b"-rw-r--r--   1 owner   1234 Nov 20 10:00 name");
        assert_eq!(e.name, "name");
        assert_eq!(e.size, Some(1234));
    }

    #[test]
    fn no_link_count_no_group() {
        let e = one(b"-rw-r--r-- owner 77 nov 20 10:00 lower-month");
        assert_eq!(e.size, Some(77));
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
    }

    #[test]
    fn acl_suffixes() {
        let selinux = one(b"-rw-r--r--. 1 root root 0 Nov 20 10:00 selinux");
        assert_eq!(selinux.perm.as_deref(), Some("-rw-r--r--."));
        assert_eq!(selinux.name, "selinux");
        let mac = one(b"drwxr-xr-x@ 12 alice  staff   384 Nov 20 10:00 Library");
        assert!(mac.is_dir());
        let acl = one(b"-rw-rw-r--+ 1 bob users 9 Nov 20 10:00 shared");
        assert_eq!(acl.size, Some(9));
    }

    #[test]
    fn device_files() {
        let e = one(b"crw-rw-rw-   1 root     root       1,   3 Nov 20 10:00 null");
        assert_eq!(e.kind, EntryKind::Special('c'));
        assert_eq!(e.size, None);
        assert_eq!(e.name, "null");
        let b = one(b"brw-rw----   1 root     disk       8,   0 Nov 20 10:00 sda");
        assert_eq!(b.kind, EntryKind::Special('b'));
        assert_eq!(b.size, None);
        let packed = one(b"brw-rw---- 1 root disk 8,16 Nov 20 10:00 sdb");
        assert_eq!(packed.size, None);
        assert_eq!(packed.name, "sdb");
    }

    #[test]
    fn pipes_sockets_doors() {
        assert_eq!(
            one(b"prw-r--r-- 1 u g 0 Nov 20 10:00 fifo").kind,
            EntryKind::Special('p')
        );
        assert_eq!(
            one(b"srwxrwxrwx 1 u g 0 Nov 20 10:00 sock").kind,
            EntryKind::Special('s')
        );
        assert_eq!(
            one(b"Dr--r--r-- 1 root root 0 Nov 20 10:00 door").kind,
            EntryKind::Special('D')
        );
    }

    #[test]
    fn leading_spaces_preserved() {
        let e = one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00   two spaces");
        assert_eq!(e.name, "  two spaces");
        let y = one(b"-rw-r--r-- 1 u g 5 Nov 20  2024  one");
        assert_eq!(y.name, " one");
    }

    #[test]
    fn awkward_names() {
        assert_eq!(one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 -rf").name, "-rf");
        assert_eq!(
            one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 \"quoted\" 'x'").name,
            "\"quoted\" 'x'"
        );
        assert_eq!(
            one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 trailing ").name,
            "trailing "
        );
        // The name itself looks like more columns.
        let e = one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 Dec 01 2020 x");
        assert_eq!(e.name, "Dec 01 2020 x");
        assert_eq!(e.modified, at(2026, 11, 20, 10, 0));
    }

    #[test]
    fn unicode_names() {
        let e = one("-rw-r--r-- 1 u g 5 Nov 20 10:00 日本語 ファイル.txt".as_bytes());
        assert_eq!(e.name, "日本語 ファイル.txt");
        let e = one("-rw-r--r-- 1 u g 5 Nov 20 10:00 emoji 🎉.bin".as_bytes());
        assert_eq!(e.name, "emoji 🎉.bin");
    }

    #[test]
    fn non_utf8_name_keeps_bytes() {
        let e = one(b"-rw-r--r-- 1 u g 5 Nov 20 10:00 caf\xe9.txt");
        assert_eq!(e.raw_name(), b"caf\xe9.txt");
        assert_eq!(e.name, "caf\u{fffd}.txt");
    }

    #[test]
    fn year_inference_around_new_year() {
        let jan2 = date(2026, 1, 2);
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Dec 31 23:59 old", jan2);
        assert_eq!(e[0].modified, at(2025, 12, 31, 23, 59));
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Jan 03 00:01 tomorrow", jan2);
        assert_eq!(e[0].modified, at(2026, 1, 3, 0, 1));
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Jan 04 00:01 too-far", jan2);
        assert_eq!(e[0].modified, at(2025, 1, 4, 0, 1));
        // A server ahead of us is already in the new year.
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Jan 01 00:30 ahead", date(2025, 12, 31));
        assert_eq!(e[0].modified, at(2026, 1, 1, 0, 30));
    }

    proptest::proptest! {
        #[test]
        fn inferred_year_is_within_the_last_year(
            offset in 0u64..40_000,
            month in 1u32..=12,
            day in 1u32..=28,
        ) {
            let today = date(1990, 1, 1) + Days::new(offset);
            let limit = today + Days::new(1);
            let got = infer_year(month, day, today).expect("a day <= 28 exists every year");
            proptest::prop_assert!(got <= limit);
            proptest::prop_assert!(got.with_year(got.year() + 1).expect("day <= 28") > limit);
        }
    }

    #[test]
    fn leap_day_goes_back_to_a_leap_year() {
        let e = parse_list(b"-rw-r--r-- 1 u g 5 Feb 29 12:00 leap", date(2027, 3, 1));
        assert_eq!(e[0].modified, at(2024, 2, 29, 12, 0));
    }

    #[test]
    fn impossible_date_still_parses_name() {
        for line in [
            &b"-rw-r--r-- 1 u g 5 Feb 31  2024 odd"[..],
            b"-rw-r--r-- 1 u g 5 Feb 01 24:00 odd",
            b"-rw-r--r-- 1 u g 5 2024-02-30 10:00 odd",
        ] {
            let e = one(line);
            assert_eq!(e.kind, EntryKind::File);
            assert_eq!(e.name, "odd");
            assert_eq!(e.modified, None);
        }
    }

    #[test]
    fn iso_time_styles() {
        let e = one(b"-rw-r--r-- 1 root root 3 2024-11-20 10:05 long iso");
        assert_eq!(e.name, "long iso");
        assert_eq!(e.modified, at(2024, 11, 20, 10, 5));
        let e = one(b"-rw-r--r-- 1 root root 3 2024-11-20 10:05:07.123456789 +0100 full iso");
        assert_eq!(e.name, "full iso");
        let expected = date(2024, 11, 20).and_hms_nano_opt(10, 5, 7, 123_456_789);
        assert_eq!(e.modified, expected);
    }

    #[test]
    fn bsd_full_time() {
        let e = one(b"-rw-r--r--  1 alice  staff  10 Nov 20 10:00:33 2024 full");
        assert_eq!(e.name, "full");
        assert_eq!(e.modified, date(2024, 11, 20).and_hms_opt(10, 0, 33));
    }

    #[test]
    fn human_sizes() {
        let e = one(b"-rw-r--r-- 1 u g 4.0K Nov 20 10:00 small");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(4096));
    }

    #[test]
    fn netware_and_others_are_not_unix() {
        for line in [
            &b"d [RWCEAFMS] admin                 512 Nov 20 10:00 SYSTEM"[..],
            b"- [R----F--] jdoe                 1024 Nov 20 10:00 login.exe",
            b"drwxr-xr-x 2 u g 4096 Nov 20 10:00",
            b"-rw-r--r-- 1 u g 12 Foo 20 10:00 x",
        ] {
            // The NetWare lines belong to netware.rs; ls must not claim them.
            assert!(
                parse(line, today()).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}

mod shapes;
