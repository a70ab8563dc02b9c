//! VanDyke VShell. Both its listings are `ls -l` as `unix.rs` reads it:
//! the current servers print names for owner and group
//! (`drwxr-xr-x    1 user     group           0 Mar 21  2002 dir`), the
//! old Windows ones the numeric ids they invent for Windows accounts
//! (`-rwxr-xr-x   1      500       500  6732 Aug  5 12:11 name`), with
//! the same padding for any width. There is no parser here; the tests
//! keep those lines read.

#[cfg(test)]
mod tests {
    use crate::ftp::listing::EntryKind;
    use crate::ftp::listing::fixtures::*;

    #[test]
    fn current_vshell() {
        let e = one(b"drwxr-xr-x    1 user     group           0 Mar 21  2002 dir");
        assert!(e.is_dir());
        assert_eq!(e.name, "dir");
        assert_eq!(e.modified, at(2002, 3, 21, 0, 0));
        let e = one(b"-rw-r--r--    1 jdoe     Domain Users  4096 Nov 20 08:30 report 2026.xlsx");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "report 2026.xlsx");
        assert_eq!(e.size, Some(4096));
    }

    #[test]
    fn old_windows_vshell() {
        let e = one(b"-rwxr-xr-x   1      500       500  6732 Aug  5 12:11 name");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.name, "name");
        assert_eq!(e.size, Some(6732));
        assert_eq!(e.modified, at(2026, 8, 5, 12, 11));
        let e = one(b"drwxr-xr-x   1      500       500     0 Dec 31  1999 Program Files");
        assert!(e.is_dir());
        assert_eq!(e.name, "Program Files");
    }
}
