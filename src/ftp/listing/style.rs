//! Which family a server's LIST lines belong to, when that can be known:
//! the site's `listing` setting, the server's `SYST` reply, or a heading
//! among the first lines of the listing (MVS, PDS members, HP NonStop).
//!
//! Most families are told apart by the lines themselves and are always
//! tried. MVS's short data set lines and members, z/VM and HP NonStop
//! print shapes loose enough to be mistaken for something else, so their
//! parsers run only under their own style (a full MVS data set line is
//! read anywhere, and vouches for the short ones in its listing); a style
//! also puts its family's parser first. Headings and rulers that some systems print above the entries
//! are skipped like `ls`'s "total N".

use std::fmt;

/// The family a server's listings are read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum ListingStyle {
    /// Every unambiguous family, in the fixed order of `parse_list_line`;
    /// a heading in the first lines may still pick one of the others.
    #[default]
    Auto,
    Unix,
    /// DOS/IIS (`Windows_NT`).
    Dos,
    Vms,
    /// MVS / z/OS data sets and members of partitioned data sets.
    Mvs,
    /// z/VM (CMS).
    Zvm,
    /// HP NonStop (Tandem) Guardian.
    Tandem,
    /// IBM i.
    As400,
    Os2,
    Netware,
    /// NetPresenz on Mac OS, `ls`-like.
    NetPresenz,
}

impl ListingStyle {
    pub const ALL: [ListingStyle; 11] = [
        ListingStyle::Auto,
        ListingStyle::Unix,
        ListingStyle::Dos,
        ListingStyle::Vms,
        ListingStyle::Mvs,
        ListingStyle::Zvm,
        ListingStyle::Tandem,
        ListingStyle::As400,
        ListingStyle::Os2,
        ListingStyle::Netware,
        ListingStyle::NetPresenz,
    ];

    /// The name used in config.toml (`listing = "mvs"`).
    pub fn name(self) -> &'static str {
        match self {
            ListingStyle::Auto => "auto",
            ListingStyle::Unix => "unix",
            ListingStyle::Dos => "dos",
            ListingStyle::Vms => "vms",
            ListingStyle::Mvs => "mvs",
            ListingStyle::Zvm => "zvm",
            ListingStyle::Tandem => "tandem",
            ListingStyle::As400 => "as400",
            ListingStyle::Os2 => "os2",
            ListingStyle::Netware => "netware",
            ListingStyle::NetPresenz => "netpresenz",
        }
    }

    /// A config.toml value: the names above, any case, and a few other
    /// names people know these systems by.
    pub fn parse(text: &str) -> Option<ListingStyle> {
        let text = text.trim().to_ascii_lowercase();
        let style = match text.as_str() {
            "windows" | "iis" => ListingStyle::Dos,
            "openvms" => ListingStyle::Vms,
            "zos" | "z/os" => ListingStyle::Mvs,
            "z/vm" | "vm" | "cms" => ListingStyle::Zvm,
            "nonstop" | "hp-nonstop" | "guardian" => ListingStyle::Tandem,
            "os400" | "ibmi" | "ibm-i" => ListingStyle::As400,
            "os/2" => ListingStyle::Os2,
            "macos" => ListingStyle::NetPresenz,
            other => return Self::ALL.into_iter().find(|s| s.name() == other),
        };
        Some(style)
    }

    /// The style a `215` reply to SYST names (its text, without the code):
    /// `UNIX Type: L8`, `Windows_NT`, `MVS is the operating system of this
    /// server…`, `VM/ESA is the operating system…`, `z/VM…`, `VMS`,
    /// `OpenVMS`, `NonStop…`, `OS/400 is the remote operating system…`,
    /// `NETWARE`, `OS/2`, `MACOS Peter's Server`. Anything else is Auto.
    pub fn from_syst(text: &str) -> ListingStyle {
        let first = text
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let first = first.trim_end_matches([',', '.', ':', ';']);
        match first {
            "UNIX" => ListingStyle::Unix,
            "WINDOWS_NT" | "WINDOWS" => ListingStyle::Dos,
            "VMS" | "OPENVMS" => ListingStyle::Vms,
            "MVS" | "Z/OS" | "OS/390" => ListingStyle::Mvs,
            "VM/ESA" | "Z/VM" | "VM" | "VM/CMS" => ListingStyle::Zvm,
            "NONSTOP" | "TANDEM" | "GUARDIAN" => ListingStyle::Tandem,
            "OS/400" => ListingStyle::As400,
            "NETWARE" => ListingStyle::Netware,
            "OS/2" => ListingStyle::Os2,
            "MACOS" => ListingStyle::NetPresenz,
            _ => ListingStyle::Auto,
        }
    }

    /// Whether the server may take `ls` options after LIST (`LIST -a`):
    /// not the systems whose LIST argument is a name pattern of their own
    /// (MVS, z/VM, VMS, NonStop, IBM i), where `-a` names nothing.
    pub fn takes_ls_options(self) -> bool {
        !matches!(
            self,
            ListingStyle::Mvs
                | ListingStyle::Zvm
                | ListingStyle::Vms
                | ListingStyle::Tandem
                | ListingStyle::As400
        )
    }

    /// Whether this style's parsers must be asked for by name (SYST, a
    /// heading, the site's setting) rather than tried on every listing.
    pub fn is_gated(self) -> bool {
        matches!(
            self,
            ListingStyle::Mvs | ListingStyle::Zvm | ListingStyle::Tandem
        )
    }
}

impl fmt::Display for ListingStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ListingStyle::Auto => "automatic",
            ListingStyle::Unix => "Unix",
            ListingStyle::Dos => "DOS/Windows",
            ListingStyle::Vms => "VMS",
            ListingStyle::Mvs => "MVS (z/OS)",
            ListingStyle::Zvm => "z/VM",
            ListingStyle::Tandem => "HP NonStop",
            ListingStyle::As400 => "AS/400 (IBM i)",
            ListingStyle::Os2 => "OS/2",
            ListingStyle::Netware => "NetWare",
            ListingStyle::NetPresenz => "NetPresenz (Mac OS)",
        })
    }
}

/// Where the style a listing was read as came from (for `fxpc ls -v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StyleSource {
    /// The site's `listing` setting.
    Setting,
    /// The server's reply to SYST (its text).
    Syst(String),
    /// A heading among the listing's first lines.
    FirstLines,
    /// The server refused SYST (or gave no 215).
    SystRefused(String),
}

/// A style with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedStyle {
    pub style: ListingStyle,
    pub source: StyleSource,
}

impl fmt::Display for DetectedStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            StyleSource::Setting => write!(f, "{} (the site's listing setting)", self.style),
            StyleSource::Syst(text) => write!(f, "{} (SYST reply \"215 {text}\")", self.style),
            StyleSource::FirstLines => {
                write!(f, "{} (a heading in the listing's first lines)", self.style)
            }
            StyleSource::SystRefused(reply) => {
                write!(f, "{} (SYST refused: \"{reply}\")", self.style)
            }
        }
    }
}

/// How many lines at the start of a listing are searched for a heading.
pub(super) const HEADING_LINES: usize = 4;

/// The style a heading among the first lines of a LIST body names.
pub fn detect(data: &[u8]) -> Option<ListingStyle> {
    super::lines(data)
        .filter(|l| !super::is_blank(l))
        .take(HEADING_LINES)
        .find_map(|line| heading(line).flatten())
}

/// A line printed above the entries rather than one of them: Some(style)
/// for the headings that name a family, Some(None) for the rest (OS-9's
/// title and headings, VxWorks' headings, rulers of dashes).
pub(super) fn heading(line: &[u8]) -> Option<Option<ListingStyle>> {
    let start = line.iter().position(|b| *b != b' ' && *b != b'\t')?;
    let line = &line[start..];
    // Cheap first: entries of the common families start otherwise, and a
    // ruler is dashes to the end (an `ls` mode stops at its second byte).
    if line.iter().all(|&b| matches!(b, b'-' | b' ' | b'\t')) {
        return (line.len() > 1 && line.contains(&b' ')).then_some(None);
    }
    if !matches!(line[0], b'V' | b'N' | b'F' | b'O' | b'D' | b's') {
        return None;
    }
    let toks = super::tokens(line);
    let word = |i: usize| toks.get(i).map(|&(s, e)| &line[s..e]);
    match (word(0)?, word(1), word(2)) {
        (b"Volume", Some(b"Unit"), Some(b"Referred" | b"Date")) => Some(Some(ListingStyle::Mvs)),
        (b"Name", Some(b"VV.MM"), Some(b"Created")) => Some(Some(ListingStyle::Mvs)),
        (b"Name", Some(b"Size"), Some(b"TTR")) => Some(Some(ListingStyle::Mvs)),
        (b"File", Some(b"Code"), Some(b"EOF")) => Some(Some(ListingStyle::Tandem)),
        (b"Owner", Some(b"Last"), Some(b"modified")) => Some(None),
        // OS-9: `Directory of /h0/USR 10:43:32`.
        (b"Directory", Some(b"of"), Some(_))
            if toks.len() == 4 && word(3).is_some_and(|t| t.contains(&b':')) =>
        {
            Some(None)
        }
        (b"size", Some(b"date"), Some(b"time")) if toks.len() == 4 && word(3) == Some(b"name") => {
            Some(None)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syst_replies() {
        for (text, style) in [
            ("UNIX Type: L8", ListingStyle::Unix),
            ("UNIX Type: L8 Version: BSD-199506", ListingStyle::Unix),
            ("Windows_NT", ListingStyle::Dos),
            (
                "MVS is the operating system of this server. FTP Server is running on z/OS.",
                ListingStyle::Mvs,
            ),
            (
                "VM/ESA is the operating system of this server.",
                ListingStyle::Zvm,
            ),
            (
                "z/VM Version 7 Release 3, service level 2301 (64-bit), VM/CMS Level 31",
                ListingStyle::Zvm,
            ),
            ("VMS", ListingStyle::Vms),
            ("OpenVMS V8.4 is the operating system", ListingStyle::Vms),
            ("NonStop Kernel", ListingStyle::Tandem),
            ("Tandem", ListingStyle::Tandem),
            (
                "OS/400 is the remote operating system. The TCP/IP version is \"V7R4M0\".",
                ListingStyle::As400,
            ),
            ("NETWARE Type: L8", ListingStyle::Netware),
            ("OS/2", ListingStyle::Os2),
            ("MACOS Peter's Server", ListingStyle::NetPresenz),
            ("", ListingStyle::Auto),
            ("Something else entirely", ListingStyle::Auto),
        ] {
            assert_eq!(ListingStyle::from_syst(text), style, "{text}");
        }
    }

    #[test]
    fn config_names_round_trip() {
        for style in ListingStyle::ALL {
            assert_eq!(ListingStyle::parse(style.name()), Some(style));
        }
        assert_eq!(ListingStyle::parse(" MVS "), Some(ListingStyle::Mvs));
        assert_eq!(ListingStyle::parse("z/VM"), Some(ListingStyle::Zvm));
        assert_eq!(ListingStyle::parse("nonsense"), None);
    }

    #[test]
    fn headings_name_their_family() {
        for (line, style) in [
            (
                &b"Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname"[..],
                Some(ListingStyle::Mvs),
            ),
            (
                b" Name     VV.MM   Created       Changed      Size  Init   Mod   Id",
                Some(ListingStyle::Mvs),
            ),
            (
                b" Name      Size     TTR   Alias-of AC --------- Attributes --------- Amode Rmode",
                Some(ListingStyle::Mvs),
            ),
            (
                b"File         Code             EOF  Last Modification    Owner  RWEP",
                Some(ListingStyle::Tandem),
            ),
            (
                b" Owner    Last modified  Attributes Sector  Bytecount Name",
                None,
            ),
            (b"                Directory of . 10:43:32", None),
            (b"  size          date       time       name", None),
            (b"--------       ------     ------    --------", None),
        ] {
            assert_eq!(
                heading(line),
                Some(style),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn entries_are_not_headings() {
        for line in [
            &b"-rw-r--r--    1 ftp      ftp             5 Nov 20 10:00 a.txt"[..],
            b"-",
            b"--------",
            b"Directory of files.txt",
            b"Name VV.MM",
            b"size date time name extra",
            b"",
        ] {
            assert_eq!(heading(line), None, "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn detection_looks_at_the_first_lines_only() {
        let mvs = b"\r\nVolume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\r\n";
        assert_eq!(detect(mvs), Some(ListingStyle::Mvs));
        let late = b"a\r\nb\r\nc\r\nd\r\nVolume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\r\n";
        assert_eq!(detect(late), None);
        assert_eq!(
            detect(b"-rw-r--r-- 1 ftp ftp 5 Nov 20 10:00 a.txt\r\n"),
            None
        );
    }
}
