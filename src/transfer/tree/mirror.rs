//! `fxpc mirror`'s plan: both trees walked directory by directory (one
//! listing per directory and side), each pair of listings put through
//! [`compare`](crate::transfer::tree::compare::compare). A directory only at the source is
//! walked as all new, without listing a destination that does not exist.
//! The plan is everything that would change, and everything that will not
//! although it differs (a file against a directory, a link): never a
//! silent omission. Copying it is the engine's job; the caller queues one
//! copy per file, and deletes extras only when all of them verified.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use chrono::TimeZone;

use crate::ftp::{Client, Entry, EntryKind, FtpError};
use crate::text::{human_bytes, printable};
use crate::transfer::sessions::site::{FtpSite, Location, Site};
use crate::transfer::tree::compare::{Compared, Rules, Side, Verdict, compare};
use crate::transfer::tree::skip::SkipList;
use crate::transfer::tree::walk::{is_plain_name, too_deep};

#[derive(Debug, Clone)]
pub struct Options {
    pub rules: Rules,
    /// Plan the deletion of what is only at the destination.
    pub delete: bool,
    pub skip: SkipList,
    /// How many directories deep the walks go below the roots; deeper is
    /// planned as not copied, with the reason.
    pub max_depth: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A directory only at the source: created, and everything in it new.
    NewDir,
    /// A file only at the source.
    New { size: Option<u64> },
    Differs {
        source_size: Option<u64>,
        destination_size: Option<u64>,
        newer: bool,
    },
    /// Not the same kind at both ends (file, directory, link): never
    /// overwritten, since either way loses something the user may want.
    KindMismatch {
        source: &'static str,
        destination: &'static str,
    },
    /// Only at the destination; planned for deletion with `--delete` only.
    Extra { is_dir: bool },
    /// At the source but not something a mirror copies (a link, a device,
    /// a name that is not a plain name).
    NotCopied { reason: String },
}

/// One change, at a path relative to both roots (`a/b.txt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub path: Vec<u8>,
    pub change: Change,
}

impl Item {
    /// Copied by a job of its own.
    pub fn is_copy(&self) -> bool {
        matches!(self.change, Change::New { .. } | Change::Differs { .. })
    }
}

/// `+ new a.txt (10 bytes)`, `~ differs b (size 10 → 12)`, `! kind
/// mismatch x (…)`, `- extra z`: one line each, a directory with a `/`.
impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A hostile name must not drive the terminal.
        let path = printable(&String::from_utf8_lossy(&self.path));
        let size = |s: &Option<u64>| s.map_or_else(|| "?".to_string(), |n| n.to_string());
        match &self.change {
            Change::NewDir => write!(f, "+ new {path}/"),
            Change::New { size: Some(n) } => write!(f, "+ new {path} ({n} bytes)"),
            Change::New { size: None } => write!(f, "+ new {path} (size unknown)"),
            Change::Differs {
                source_size,
                destination_size,
                newer,
            } => {
                let why = if *newer { "newer; " } else { "" };
                if source_size == destination_size {
                    write!(f, "~ differs {path} ({why}size {})", size(source_size))
                } else {
                    write!(
                        f,
                        "~ differs {path} ({why}size {} → {})",
                        size(destination_size),
                        size(source_size)
                    )
                }
            }
            Change::KindMismatch {
                source,
                destination,
            } => write!(
                f,
                "! kind mismatch {path} ({source} at the source, {destination} at the destination): not overwritten"
            ),
            Change::Extra { is_dir: true } => write!(f, "- extra {path}/"),
            Change::Extra { is_dir: false } => write!(f, "- extra {path}"),
            Change::NotCopied { reason } => write!(f, "? not copied {path} ({reason})"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Sorted by path, so a directory comes before what is in it.
    pub items: Vec<Item>,
    /// The destination's root does not exist: created first.
    pub create_root: bool,
    /// Names left alone by the skip list (counted once per directory even
    /// when at both ends).
    pub skipped: usize,
    /// Extras kept because `--delete` was not given.
    pub extras_kept: usize,
}

impl Plan {
    pub fn copies(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.is_copy())
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && !self.create_root
    }

    fn count(&self, what: impl Fn(&Change) -> bool) -> usize {
        self.items.iter().filter(|i| what(&i.change)).count()
    }

    /// One line: how many of each, and what was left alone.
    pub fn summary(&self) -> String {
        let new = self.count(|c| matches!(c, Change::New { .. }));
        let dirs = self.count(|c| matches!(c, Change::NewDir));
        let differ = self.count(|c| matches!(c, Change::Differs { .. }));
        let mismatch = self.count(|c| matches!(c, Change::KindMismatch { .. }));
        let extra = self.count(|c| matches!(c, Change::Extra { .. }));
        let not_copied = self.count(|c| matches!(c, Change::NotCopied { .. }));
        let bytes: u64 = self
            .items
            .iter()
            .map(|i| match i.change {
                Change::New { size } => size.unwrap_or(0),
                Change::Differs { source_size, .. } => source_size.unwrap_or(0),
                _ => 0,
            })
            .sum();
        let mut text = format!(
            "{new} new, {differ} differ ({} to copy), {dirs} new directories, {mismatch} kind mismatches, {extra} extra to delete",
            human_bytes(bytes)
        );
        if not_copied > 0 {
            text.push_str(&format!(", {not_copied} not copied"));
        }
        if self.extras_kept > 0 {
            text.push_str(&format!(
                ", {} extra kept (--delete removes them)",
                self.extras_kept
            ));
        }
        text.push_str(&format!("; skipped by excludes: {}", self.skipped));
        text
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub struct MirrorError {
    pub context: String,
    #[source]
    pub source: FtpError,
}

/// One end of a mirror for listing, creating and deleting: a session of
/// its own (not the engine's pool, whose sessions belong to the copies) or
/// the local disk.
pub struct Tree {
    site: Site,
    client: Option<Client>,
}

impl Tree {
    pub async fn open(site: &Site) -> Result<Tree, MirrorError> {
        let client = match site {
            Site::Ftp(s) => Some(open(s).await?),
            Site::Local => None,
        };
        Ok(Tree {
            site: site.clone(),
            client,
        })
    }

    /// A directory's entries, and whether their times are UTC: MLSD's
    /// are; LIST's carry no timezone; the disk's are made UTC here.
    pub async fn list(&mut self, path: &[u8]) -> Result<(Vec<Entry>, bool), FtpError> {
        match &mut self.client {
            Some(client) => {
                let utc = client.features().mlst;
                let entries = client.list((!path.is_empty()).then_some(path)).await?;
                Ok((entries, utc))
            }
            None => {
                let path = if path.is_empty() {
                    b".".to_vec()
                } else {
                    path.to_vec()
                };
                let entries =
                    tokio::task::spawn_blocking(move || crate::transfer::local::list_local(&path))
                        .await
                        .map_err(std::io::Error::other)??;
                let entries = entries
                    .into_iter()
                    .map(|mut e| {
                        // Links are not followed, even to directories
                        // (as the engine's tree copies do).
                        if e.link_target.is_some() {
                            e.kind = EntryKind::Link;
                        }
                        e.modified = e.modified.and_then(|t| {
                            chrono::Local
                                .from_local_datetime(&t)
                                .earliest()
                                .map(|t| t.naive_utc())
                        });
                        e
                    })
                    .collect();
                Ok((entries, true))
            }
        }
    }

    pub async fn make_dir(&mut self, path: &[u8]) -> Result<(), FtpError> {
        match &mut self.client {
            Some(client) => client.mkd(path).await.map(drop),
            // Parents first (the plan is sorted), each made without
            // following a link that stands in its place.
            None => {
                let path = local_path(path);
                tokio::task::spawn_blocking(move || {
                    // The root's own parents are the user's path to it.
                    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                        std::fs::create_dir_all(parent)
                            .map_err(crate::transfer::local::beneath::DirError::Io)?;
                    }
                    crate::transfer::local::beneath::Confined::new(None, &path).make_dirs(false)
                })
                .await
                .map_err(std::io::Error::other)?
                .map_err(|e| {
                    FtpError::Io(match e {
                        crate::transfer::local::beneath::DirError::Link(at) => {
                            std::io::Error::other(format!(
                                "{}: a symbolic link stands there: not followed",
                                at.display()
                            ))
                        }
                        crate::transfer::local::beneath::DirError::Io(e) => e,
                    })
                })
            }
        }
    }

    pub async fn remove(&mut self, path: &[u8], is_dir: bool) -> Result<(), FtpError> {
        match &mut self.client {
            Some(client) if is_dir => client.rmd(path).await,
            Some(client) => client.dele(path).await,
            None if is_dir => tokio::fs::remove_dir(local_path(path))
                .await
                .map_err(FtpError::Io),
            None => tokio::fs::remove_file(local_path(path))
                .await
                .map_err(FtpError::Io),
        }
    }

    pub async fn close(self) {
        if let Some(client) = self.client {
            let _ = client.quit().await;
        }
    }

    pub fn site(&self) -> &Site {
        &self.site
    }
}

async fn open(site: &Arc<FtpSite>) -> Result<Client, MirrorError> {
    site.open().await.map_err(|source| MirrorError {
        context: site.to_string(),
        source,
    })
}

fn local_path(path: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::path::PathBuf::from(std::ffi::OsStr::from_bytes(path))
}

/// How many directories below the root a relative path is (`a/b`: 2).
fn depth(rel: &[u8]) -> usize {
    rel.split(|&b| b == b'/').count()
}

/// `rel/name`, or `name` at the root.
pub fn join(rel: &[u8], name: &[u8]) -> Vec<u8> {
    if rel.is_empty() {
        return name.to_vec();
    }
    let mut out = rel.to_vec();
    out.push(b'/');
    out.extend_from_slice(name);
    out
}

/// A root's path with a relative path under it, as the trees and the
/// engine's locations take it.
pub fn under(root: &Location, rel: &[u8]) -> Location {
    if rel.is_empty() {
        root.clone()
    } else {
        root.join(rel)
    }
}

fn kind_name(e: &Entry) -> &'static str {
    match e.kind {
        EntryKind::File => "a file",
        EntryKind::Dir => "a directory",
        EntryKind::Link => "a link",
        _ => "something else",
    }
}

/// Why a source entry is not copied, if it is not.
fn not_copied(e: &Entry) -> Option<String> {
    if !is_plain_name(e.raw_name()) {
        return Some("not a plain file name: it names another directory".into());
    }
    match &e.kind {
        EntryKind::File | EntryKind::Dir => None,
        EntryKind::Link => Some("a symbolic link: not followed".into()),
        EntryKind::Special(c) => Some(format!("a special file (type {c})")),
        EntryKind::Other(t) => Some(format!("of type {t:?}")),
        // `compare` leaves these out; the listing's line was not understood.
        EntryKind::Unparsed => Some("a listing line that could not be parsed".into()),
    }
}

/// Whether a listing error says "no such directory" rather than "cannot
/// tell": a permanent refusal, or the disk's not-found.
fn is_missing(e: &FtpError) -> bool {
    match e {
        FtpError::Reply { reply, .. } => reply.is_permanent_failure(),
        FtpError::Io(io) => io.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}

/// Walks both trees and says what a mirror would do.
pub async fn plan(
    source_root: &Location,
    destination_root: &Location,
    source: &mut Tree,
    destination: &mut Tree,
    options: &Options,
) -> Result<Plan, MirrorError> {
    let mut planner = Planner {
        destination_root,
        destination,
        options,
        plan: Plan::default(),
        pending: vec![(Vec::new(), true)],
    };
    while let Some((rel, at_destination)) = planner.pending.pop() {
        let from = under(source_root, &rel);
        let (source_entries, source_utc) =
            source.list(&from.path).await.map_err(|e| MirrorError {
                context: format!("cannot list {from}"),
                source: e,
            })?;
        let (destination_entries, destination_utc) = match at_destination {
            true => planner.list_destination(&rel).await?,
            false => (Vec::new(), true),
        };
        let (copyable, kept) = planner.sift(&rel, source_entries, destination_entries);
        let compared = compare(
            &Side {
                entries: &copyable,
                utc_times: source_utc,
            },
            &Side {
                entries: &kept,
                utc_times: destination_utc,
            },
            options.rules,
        );
        for c in compared {
            planner.place(&rel, c, &copyable, &kept).await?;
        }
    }
    let mut plan = planner.plan;
    plan.items.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(plan)
}

/// A mirror's plan while it is made: what is planned, and the directories
/// still to compare (relative path, whether it exists at the destination).
struct Planner<'a> {
    destination_root: &'a Location,
    destination: &'a mut Tree,
    options: &'a Options,
    plan: Plan,
    pending: Vec<(Vec<u8>, bool)>,
}

impl Planner<'_> {
    /// The destination's listing of `rel`. Only the root may be missing
    /// (it is created first): a subdirectory both sides listed a moment
    /// ago that cannot be listed is an error.
    async fn list_destination(&mut self, rel: &[u8]) -> Result<(Vec<Entry>, bool), MirrorError> {
        let to = under(self.destination_root, rel);
        match self.destination.list(&to.path).await {
            Ok(listed) => Ok(listed),
            Err(e) if rel.is_empty() && is_missing(&e) => {
                self.plan.create_root = true;
                Ok((Vec::new(), true))
            }
            Err(e) => Err(MirrorError {
                context: format!("cannot list {to}"),
                source: e,
            }),
        }
    }

    /// What of a directory's two listings is compared: the skip list's
    /// names are counted (once, whichever side has them), and a source
    /// entry a mirror does not copy is planned as such, with the reason.
    fn sift(
        &mut self,
        rel: &[u8],
        source_entries: Vec<Entry>,
        destination_entries: Vec<Entry>,
    ) -> (Vec<Entry>, Vec<Entry>) {
        let skip = &self.options.skip;
        let mut skipped_here: HashSet<Vec<u8>> = HashSet::new();
        let mut copyable = Vec::new();
        for e in source_entries {
            if e.name == "." || e.name == ".." {
                continue;
            }
            if skip.skips(e.raw_name(), e.is_dir()) {
                skipped_here.insert(e.raw_name().to_vec());
                continue;
            }
            match not_copied(&e) {
                Some(reason) => self.plan.items.push(Item {
                    path: join(rel, e.raw_name()),
                    change: Change::NotCopied { reason },
                }),
                None => copyable.push(e),
            }
        }
        let mut kept = Vec::new();
        for e in destination_entries {
            if skip.skips(e.raw_name(), e.is_dir()) {
                skipped_here.insert(e.raw_name().to_vec());
            } else if is_plain_name(e.raw_name()) {
                kept.push(e);
            }
        }
        self.plan.skipped += skipped_here.len();
        (copyable, kept)
    }

    /// Plans one compared name of directory `rel`: a change, a directory
    /// to compare next, or nothing.
    async fn place(
        &mut self,
        rel: &[u8],
        c: Compared,
        copyable: &[Entry],
        kept: &[Entry],
    ) -> Result<(), MirrorError> {
        let options = self.options;
        let path = join(rel, &c.raw_name);
        let at_dest = kept.iter().find(|e| e.raw_name() == c.raw_name);
        let at_source = copyable.iter().find(|e| e.raw_name() == c.raw_name);
        let mismatch = || Change::KindMismatch {
            source: at_source.map_or("?", kind_name),
            destination: at_dest.map_or("?", kind_name),
        };
        let deep = c.is_dir && depth(&path) > options.max_depth;
        let change = match c.verdict {
            Verdict::New | Verdict::BothDirs if deep => Change::NotCopied {
                reason: too_deep(options.max_depth),
            },
            Verdict::New if c.is_dir => {
                self.pending.push((path.clone(), false));
                Change::NewDir
            }
            Verdict::New => Change::New {
                size: at_source.and_then(|e| e.size),
            },
            Verdict::BothDirs => {
                self.pending.push((path, true));
                return Ok(());
            }
            Verdict::KindMismatch => mismatch(),
            // A link (or anything not a file) at the destination is
            // not a file to write through.
            Verdict::Same | Verdict::Differs { .. }
                if at_dest.is_some_and(|d| d.kind != EntryKind::File) =>
            {
                mismatch()
            }
            Verdict::Same => return Ok(()),
            Verdict::Differs {
                source_size,
                destination_size,
                newer,
            } => Change::Differs {
                source_size,
                destination_size,
                newer,
            },
            Verdict::Extra if !options.delete => {
                self.plan.extras_kept += 1;
                return Ok(());
            }
            Verdict::Extra if c.is_dir => {
                let to = under(self.destination_root, &path);
                return extra_tree(self.destination, &to, path, options, &mut self.plan).await;
            }
            Verdict::Extra => Change::Extra { is_dir: false },
        };
        self.plan.items.push(Item { path, change });
        Ok(())
    }
}

/// An extra directory and everything in it, for deletion; what the skip
/// list protects stays, and so do the directories holding it.
async fn extra_tree(
    destination: &mut Tree,
    root: &Location,
    rel_root: Vec<u8>,
    options: &Options,
    plan: &mut Plan,
) -> Result<(), MirrorError> {
    let mut dirs = vec![rel_root.clone()];
    let mut files = Vec::new();
    let mut kept_in: HashSet<Vec<u8>> = HashSet::new();
    let mut pending = vec![rel_root.clone()];
    while let Some(rel) = pending.pop() {
        let suffix = &rel[rel_root.len()..];
        let at = if suffix.is_empty() {
            root.clone()
        } else {
            root.join(&suffix[1..])
        };
        let (entries, _) = destination.list(&at.path).await.map_err(|e| MirrorError {
            context: format!("cannot list {at}"),
            source: e,
        })?;
        for e in entries {
            if e.name == "." || e.name == ".." || e.kind == EntryKind::Unparsed {
                continue;
            }
            let path = join(&rel, e.raw_name());
            if !is_plain_name(e.raw_name()) || options.skip.skips(e.raw_name(), e.is_dir()) {
                if is_plain_name(e.raw_name()) {
                    plan.skipped += 1;
                }
                kept_in.insert(rel.clone());
                continue;
            }
            if e.is_dir() && depth(&path) > options.max_depth {
                // Not walked, so not known to be empty: it stays.
                kept_in.insert(rel.clone());
            } else if e.is_dir() {
                dirs.push(path.clone());
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    // A directory that keeps something keeps its parents too.
    let keeps = |dir: &[u8]| {
        kept_in
            .iter()
            .any(|k| k.as_slice() == dir || (k.starts_with(dir) && k.get(dir.len()) == Some(&b'/')))
    };
    for path in files {
        plan.items.push(Item {
            path,
            change: Change::Extra { is_dir: false },
        });
    }
    for dir in dirs {
        if !keeps(&dir) {
            plan.items.push(Item {
                path: dir,
                change: Change::Extra { is_dir: true },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn local_plan(src: &std::path::Path, dst: &std::path::Path, options: &Options) -> Plan {
        let (a, b) = (Location::local(src), Location::local(dst));
        let mut ta = Tree::open(&a.site).await.unwrap();
        let mut tb = Tree::open(&b.site).await.unwrap();
        plan(&a, &b, &mut ta, &mut tb, options).await.unwrap()
    }

    fn options(delete: bool) -> Options {
        Options {
            rules: Rules::default(),
            delete,
            skip: SkipList::new(&["*.tmp".into()], &[]).unwrap(),
            max_depth: crate::transfer::MAX_DEPTH,
        }
    }

    fn lines(plan: &Plan) -> Vec<String> {
        plan.items.iter().map(|i| i.to_string()).collect()
    }

    #[tokio::test]
    async fn local_trees_plan_in_path_order() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let w = |root: &std::path::Path, p: &str, body: &[u8]| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        };
        w(a.path(), "new.txt", b"0123456789");
        w(a.path(), "differs.txt", b"twelve bytes");
        w(b.path(), "differs.txt", b"ten bytes!");
        w(a.path(), "same.txt", b"same");
        w(b.path(), "same.txt", b"same");
        w(a.path(), "sub/deep/file", b"x");
        w(a.path(), "junk.tmp", b"x");
        w(b.path(), "old.txt", b"x");
        w(b.path(), "gone/inner", b"x");
        w(b.path(), "gone/keep.tmp", b"x");
        w(a.path(), "x", b"file");
        std::fs::create_dir(b.path().join("x")).unwrap();

        let plan = local_plan(a.path(), b.path(), &options(true)).await;
        assert_eq!(
            lines(&plan),
            [
                "~ differs differs.txt (size 10 → 12)",
                "- extra gone/inner",
                "+ new new.txt (10 bytes)",
                "- extra old.txt",
                "+ new sub/",
                "+ new sub/deep/",
                "+ new sub/deep/file (1 bytes)",
                "! kind mismatch x (a file at the source, a directory at the destination): not overwritten",
            ]
        );
        // junk.tmp at the source, keep.tmp inside the extra directory
        // (which therefore stays).
        assert_eq!(plan.skipped, 2);
        assert!(!plan.create_root);

        let plan = local_plan(a.path(), b.path(), &options(false)).await;
        assert!(!lines(&plan).iter().any(|l| l.starts_with('-')));
        assert_eq!(plan.extras_kept, 2);
        assert!(
            plan.summary().contains("2 extra kept"),
            "{}",
            plan.summary()
        );
    }

    #[tokio::test]
    async fn a_missing_destination_root_is_created() {
        let a = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("f"), b"abc").unwrap();
        let missing = a.path().join("nothing-here");
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("f"), b"abc").unwrap();
        let plan = local_plan(src.path(), &missing, &options(true)).await;
        assert!(plan.create_root);
        assert_eq!(lines(&plan), ["+ new f (3 bytes)"]);
    }

    #[test]
    fn newer_is_said() {
        let item = Item {
            path: b"c".to_vec(),
            change: Change::Differs {
                source_size: Some(5),
                destination_size: Some(5),
                newer: true,
            },
        };
        assert_eq!(item.to_string(), "~ differs c (newer; size 5)");
    }
}
