//! Skip lists: names a mirror leaves alone (`*.tmp`, `.DS_Store`,
//! `Thumbs.db`, `*.part`, `cache/`). Patterns match a name, never a path,
//! so `*.tmp` skips a temporary file at any depth, and a pattern that ends
//! in `/` matches directories only. An include pattern wins over every
//! exclude for the names it matches: `--exclude '*.log' --include
//! keep.log` copies `keep.log` and no other log.
//!
//! An excluded name is skipped on both sides: not copied from the source,
//! and not deleted from the destination by `--delete` either (rsync's
//! rule: what the list hides, a mirror neither writes nor removes).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Patterns most people never want mirrored; not applied unless a
/// configuration or the command line names them.
pub const COMMON: &[&str] = &["*.tmp", "*.part", ".DS_Store", "Thumbs.db"];

#[derive(Debug, Clone)]
pub struct SkipList {
    exclude: Patterns,
    include: Patterns,
}

/// One list, split by what its patterns may match.
#[derive(Debug, Clone)]
struct Patterns {
    any: GlobSet,
    dirs_only: GlobSet,
}

impl Patterns {
    fn new(patterns: &[String]) -> Result<Patterns, String> {
        let (mut any, mut dirs_only) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        for pattern in patterns {
            let (text, builder) = match pattern.strip_suffix('/') {
                Some(dir) => (dir, &mut dirs_only),
                None => (pattern.as_str(), &mut any),
            };
            if text.is_empty() || text.contains('/') {
                return Err(format!(
                    "pattern {pattern:?}: patterns match a name, not a path (a trailing / means a directory)"
                ));
            }
            builder.add(glob(text).map_err(|e| format!("pattern {pattern:?}: {e}"))?);
        }
        Ok(Patterns {
            any: any.build().map_err(|e| e.to_string())?,
            dirs_only: dirs_only.build().map_err(|e| e.to_string())?,
        })
    }

    fn matches(&self, name: &Path, is_dir: bool) -> bool {
        self.any.is_match(name) || (is_dir && self.dirs_only.is_match(name))
    }

    fn is_empty(&self) -> bool {
        self.any.is_empty() && self.dirs_only.is_empty()
    }
}

fn glob(text: &str) -> Result<Glob, globset::Error> {
    // A name has no separators, but `*` must still never match one: a
    // server's name like `a/b` is refused elsewhere, not matched here.
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

impl SkipList {
    /// An error names the pattern that does not parse.
    pub fn new(exclude: &[String], include: &[String]) -> Result<SkipList, String> {
        Ok(SkipList {
            exclude: Patterns::new(exclude)?,
            include: Patterns::new(include)?,
        })
    }

    /// Nothing is skipped.
    pub fn none() -> SkipList {
        SkipList::new(&[], &[]).expect("empty lists always build")
    }

    /// Whether a name (its raw bytes, as the server or the disk gave it)
    /// is left alone.
    pub fn skips(&self, raw_name: &[u8], is_dir: bool) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let name = Path::new(OsStr::from_bytes(raw_name));
        self.exclude.matches(name, is_dir) && !self.include.matches(name, is_dir)
    }
}

/// Which files of a directory go first (`*.sfv`, `*.nfo`, as scene tools
/// send them): a file's rank is the first pattern it matches.
#[derive(Debug, Clone)]
pub struct Priority {
    patterns: Vec<GlobSet>,
}

impl Priority {
    pub fn new(patterns: &[String]) -> Result<Priority, String> {
        let mut sets = Vec::new();
        for pattern in patterns {
            let mut set = GlobSetBuilder::new();
            set.add(glob(pattern).map_err(|e| format!("priority {pattern:?}: {e}"))?);
            sets.push(set.build().map_err(|e| e.to_string())?);
        }
        Ok(Priority { patterns: sets })
    }

    pub fn none() -> Priority {
        Priority {
            patterns: Vec::new(),
        }
    }

    /// 0 for the first pattern's names, …; those matching none come last.
    pub fn rank(&self, raw_name: &[u8]) -> usize {
        let name = Path::new(OsStr::from_bytes(raw_name));
        self.patterns
            .iter()
            .position(|set| set.is_match(name))
            .unwrap_or(self.patterns.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(exclude: &[&str], include: &[&str]) -> SkipList {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        SkipList::new(&own(exclude), &own(include)).unwrap()
    }

    #[test]
    fn common_patterns_match_names() {
        let s = list(COMMON, &[]);
        for name in ["a.tmp", ".tmp", "x.part", ".DS_Store", "Thumbs.db"] {
            assert!(s.skips(name.as_bytes(), false), "{name}");
        }
        for name in ["a.tmp.txt", "tmp", "thumbs.db", "DS_Store", "part"] {
            assert!(!s.skips(name.as_bytes(), false), "{name}");
        }
        // Without a slash a pattern matches directories too.
        assert!(s.skips(b"build.tmp", true));
    }

    #[test]
    fn a_trailing_slash_matches_directories_only() {
        let s = list(&["cache/", "node_*/"], &[]);
        assert!(s.skips(b"cache", true));
        assert!(s.skips(b"node_modules", true));
        assert!(!s.skips(b"cache", false));
        assert!(!s.skips(b"node_modules", false));
    }

    #[test]
    fn include_wins_over_exclude() {
        let s = list(&["*.log", "tmp/"], &["keep.log", "tmp/"]);
        assert!(s.skips(b"a.log", false));
        assert!(!s.skips(b"keep.log", false));
        assert!(!s.skips(b"tmp", true));
        // An include alone skips nothing: it only overrides excludes.
        let s = list(&[], &["*.c"]);
        assert!(!s.skips(b"a.h", false));
    }

    #[test]
    fn names_that_are_not_utf8_still_match() {
        let s = list(&["*.tmp"], &[]);
        assert!(s.skips(b"caf\xe9.tmp", false));
        assert!(!s.skips(b"caf\xe9.txt", false));
    }

    #[test]
    fn paths_and_bad_globs_are_refused() {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(SkipList::new(&own(&["a/b"]), &[]).is_err());
        assert!(SkipList::new(&own(&["/"]), &[]).is_err());
        let e = SkipList::new(&own(&["[a"]), &[]).unwrap_err();
        assert!(e.contains("[a"), "{e}");
    }

    #[test]
    fn priority_ranks_files_by_the_first_pattern_they_match() {
        let p = Priority::new(&["*.sfv".into(), "*.nfo".into()]).unwrap();
        let mut names: Vec<&[u8]> = vec![b"a.r00", b"x.nfo", b"a.rar", b"x.sfv"];
        names.sort_by_key(|n| p.rank(n));
        assert_eq!(names, [&b"x.sfv"[..], b"x.nfo", b"a.r00", b"a.rar"]);
        assert_eq!(Priority::none().rank(b"x.sfv"), 0);
    }
}
