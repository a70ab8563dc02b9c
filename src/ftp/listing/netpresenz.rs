//! NetPresenz (Peter Lewis's Mac OS server, `215 MACOS Peter's Server`)
//! imitates `ls -l`: a file shows its resource fork, data fork and total
//! sizes where `ls` has links, owner and group
//! (`-------r--         326  1391972  1392298 Nov 22  1995 MegaPhone.sit`),
//! a folder the word `folder` and its item count
//! (`drwxrwxr-x               folder        2 May 10  1996 network`).
//! `unix.rs` reads both as they are, taking the number before the date
//! (the total, or the item count of a folder) as the size, so there is no
//! parser here; the tests keep it that way.

#[cfg(test)]
mod tests {
    use super::super::{ListingStyle, parse_list_as};
    use crate::ftp::listing::EntryKind;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn file_with_both_forks() {
        let e = one(b"-------r--         326  1391972  1392298 Nov 22  1995 MegaPhone.sit");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "MegaPhone.sit");
        assert_eq!(e.size, Some(1_392_298));
        assert_eq!(e.modified, at(1995, 11, 22, 0, 0));
    }

    #[test]
    fn folder() {
        let e = one(b"drwxrwxr-x               folder        2 May 10  1996 network");
        assert!(e.is_dir());
        assert_eq!(e.name, "network");
        assert_eq!(e.modified, at(1996, 5, 10, 0, 0));
    }

    #[test]
    fn mac_names_and_recent_dates() {
        let e = one(b"-rw-rw-r--           0    40960    40960 Nov 20 09:15 Read Me First!");
        assert_eq!(e.name, "Read Me First!");
        assert_eq!(e.size, Some(40960));
        assert_eq!(e.modified, at(2026, 11, 20, 9, 15));
        // Mac Roman bytes come through untouched.
        let e = one(b"drwxrwxr-x               folder        0 Jan  2  1997 Syst\x8fme");
        assert_eq!(e.raw_name(), b"Syst\x8fme");
    }

    #[test]
    fn the_server_type_changes_nothing() {
        let line = b"-------r--         326  1391972  1392298 Nov 22  1995 MegaPhone.sit";
        let entries = parse_list_as(line, today(), ListingStyle::NetPresenz);
        assert_eq!(entries, [one(line)]);
    }
}
