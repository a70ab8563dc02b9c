//! What differs between a directory at the source and the same directory at
//! the destination: the one function behind `fxpc mirror`'s plan and the
//! UI's compare command. Entries are matched by their exact name bytes.
//!
//! Sizes decide; a modification time counts only where both ends give it
//! in UTC (MLSD, MDTM, the local disk): a `LIST` time has no timezone and
//! often no year, and "newer" read from it would copy the wrong way.

use crate::ftp::{Entry, EntryKind};

/// One directory's listing, and whether its times are UTC.
pub struct Side<'a> {
    pub entries: &'a [Entry],
    pub utc_times: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// Compare sizes only, never times.
    pub size_only: bool,
    /// A source file newer than the destination's (both times UTC) differs
    /// even at the same size.
    pub newer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Only at the source: to copy.
    New,
    /// At both, not the same: to copy over.
    Differs {
        source_size: Option<u64>,
        destination_size: Option<u64>,
        /// The source's UTC time is later (with `newer`).
        newer: bool,
    },
    /// A file on one side and a directory on the other: never overwritten
    /// silently; reported.
    KindMismatch,
    /// At both and alike.
    Same,
    /// A directory at both: compare inside it.
    BothDirs,
    /// Only at the destination (deleted by a mirror with `--delete`).
    Extra,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub raw_name: Vec<u8>,
    pub name: String,
    pub is_dir: bool,
    pub verdict: Verdict,
}

/// Names that are never compared: the directory itself, its parent, and
/// lines no parser understood (they have no trustworthy name).
fn comparable(e: &Entry) -> bool {
    e.name != "." && e.name != ".." && e.kind != EntryKind::Unparsed
}

/// Every source entry once (new, differs, same, both directories, kind
/// mismatch), then every destination-only entry (extra); in the source's
/// order, then the destination's.
pub fn compare(source: &Side, destination: &Side, rules: Rules) -> Vec<Compared> {
    // A name listed twice (a broken server) counts once, as first listed.
    let mut by_name: std::collections::HashMap<&[u8], &Entry> = std::collections::HashMap::new();
    for e in destination.entries.iter().filter(|e| comparable(e)) {
        by_name.entry(e.raw_name()).or_insert(e);
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in source.entries.iter().filter(|e| comparable(e)) {
        if !seen.insert(s.raw_name()) {
            continue;
        }
        let verdict = match by_name.get(s.raw_name()) {
            None => Verdict::New,
            Some(d) if s.is_dir() && d.is_dir() => Verdict::BothDirs,
            Some(d) if s.is_dir() != d.is_dir() => Verdict::KindMismatch,
            Some(d) => {
                let sizes_differ = s.size != d.size || s.size.is_none();
                let newer = !rules.size_only
                    && rules.newer
                    && source.utc_times
                    && destination.utc_times
                    && matches!((s.modified, d.modified), (Some(a), Some(b)) if a > b);
                if sizes_differ || newer {
                    Verdict::Differs {
                        source_size: s.size,
                        destination_size: d.size,
                        newer,
                    }
                } else {
                    Verdict::Same
                }
            }
        };
        out.push(Compared {
            raw_name: s.raw_name().to_vec(),
            name: s.name.to_string(),
            is_dir: s.is_dir(),
            verdict,
        });
    }
    let mut extra_seen = std::collections::HashSet::new();
    for d in destination.entries.iter().filter(|e| comparable(e)) {
        if !seen.contains(d.raw_name()) && extra_seen.insert(d.raw_name()) {
            out.push(Compared {
                raw_name: d.raw_name().to_vec(),
                name: d.name.to_string(),
                is_dir: d.is_dir(),
                verdict: Verdict::Extra,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn file(name: &str, size: u64, day: u32) -> Entry {
        let mut e = Entry::named(name.as_bytes(), EntryKind::File);
        e.size = Some(size);
        e.modified = NaiveDate::from_ymd_opt(2026, 1, day).and_then(|d| d.and_hms_opt(0, 0, 0));
        e
    }

    fn dir(name: &str) -> Entry {
        Entry::named(name.as_bytes(), EntryKind::Dir)
    }

    fn verdicts(
        source: &[Entry],
        destination: &[Entry],
        utc: bool,
        rules: Rules,
    ) -> Vec<(String, Verdict)> {
        compare(
            &Side {
                entries: source,
                utc_times: utc,
            },
            &Side {
                entries: destination,
                utc_times: utc,
            },
            rules,
        )
        .into_iter()
        .map(|c| (c.name, c.verdict))
        .collect()
    }

    #[test]
    fn new_differs_same_extra_and_directories() {
        let source = [
            file("a", 10, 1),
            file("b", 12, 1),
            file("c", 5, 2),
            dir("d"),
            dir("x"),
        ];
        let destination = [
            file("b", 10, 1),
            file("c", 5, 1),
            dir("d"),
            file("x", 1, 1),
            file("z", 3, 1),
        ];
        let got = verdicts(&source, &destination, true, Rules::default());
        assert_eq!(
            got,
            [
                ("a".into(), Verdict::New),
                (
                    "b".into(),
                    Verdict::Differs {
                        source_size: Some(12),
                        destination_size: Some(10),
                        newer: false
                    }
                ),
                ("c".into(), Verdict::Same),
                ("d".into(), Verdict::BothDirs),
                ("x".into(), Verdict::KindMismatch),
                ("z".into(), Verdict::Extra),
            ]
        );
    }

    #[test]
    fn newer_counts_only_with_utc_times_on_both_ends() {
        let source = [file("c", 5, 2)];
        let destination = [file("c", 5, 1)];
        let newer = Rules {
            newer: true,
            ..Rules::default()
        };
        assert!(matches!(
            verdicts(&source, &destination, true, newer)[0].1,
            Verdict::Differs { newer: true, .. }
        ));
        // LIST times (no timezone): never trusted for "newer".
        assert_eq!(
            verdicts(&source, &destination, false, newer)[0].1,
            Verdict::Same
        );
        let size_only = Rules {
            newer: true,
            size_only: true,
        };
        assert_eq!(
            verdicts(&source, &destination, true, size_only)[0].1,
            Verdict::Same
        );
    }

    fn entries() -> impl Strategy<Value = Vec<Entry>> {
        proptest::collection::vec(("[a-e]{1,2}", 0u64..4, any::<bool>(), 1u32..4), 0..12).prop_map(
            |v| {
                v.into_iter()
                    .map(|(name, size, is_dir, day)| {
                        if is_dir {
                            dir(&name)
                        } else {
                            file(&name, size, day)
                        }
                    })
                    .collect()
            },
        )
    }

    proptest! {
        /// Every name of either side is reported exactly once; "same" means
        /// the same kind and size; "new" and "extra" are really missing on
        /// the other side.
        #[test]
        fn each_name_once_and_verdicts_agree_with_the_listings(
            source in entries(),
            destination in entries(),
            utc in any::<bool>(),
            newer in any::<bool>(),
        ) {
            let rules = Rules { newer, size_only: false };
            let got = compare(
                &Side { entries: &source, utc_times: utc },
                &Side { entries: &destination, utc_times: utc },
                rules,
            );
            let mut names: Vec<&[u8]> = got.iter().map(|c| c.raw_name.as_slice()).collect();
            let count = names.len();
            names.sort();
            names.dedup();
            prop_assert_eq!(names.len(), count, "a name twice");
            let all: std::collections::HashSet<&[u8]> = source
                .iter()
                .chain(destination.iter())
                .map(|e| e.raw_name())
                .collect();
            prop_assert_eq!(names.len(), all.len(), "a name missing");
            let first = |list: &[Entry], name: &[u8]| list.iter().find(|e| e.raw_name() == name).cloned();
            for c in &got {
                let s = first(&source, &c.raw_name);
                let d = first(&destination, &c.raw_name);
                match &c.verdict {
                    Verdict::New => prop_assert!(s.is_some() && d.is_none()),
                    Verdict::Extra => prop_assert!(s.is_none() && d.is_some()),
                    Verdict::Same => {
                        let (s, d) = (s.unwrap(), d.unwrap());
                        prop_assert!(!s.is_dir() && !d.is_dir() && s.size == d.size);
                    }
                    Verdict::BothDirs => prop_assert!(s.unwrap().is_dir() && d.unwrap().is_dir()),
                    Verdict::KindMismatch => prop_assert!(s.unwrap().is_dir() != d.unwrap().is_dir()),
                    Verdict::Differs { .. } => {
                        let (s, d) = (s.unwrap(), d.unwrap());
                        prop_assert!(!s.is_dir() && !d.is_dir());
                        prop_assert!(s.size != d.size || (newer && utc && s.modified > d.modified));
                    }
                }
            }
        }
    }
}
