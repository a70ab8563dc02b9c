//! A tree job's walk: the source listed breadth-first, the destination's
//! directories made as they are met, files queued as plain items for the
//! line, anything else reported (never silently dropped); and the one
//! check every name from a server passes before anything is made from it.
//!
//! The walk keeps only a read-ahead in line: when [`READ_AHEAD`] files
//! wait, it gives its sessions back and waits for the line to run short,
//! so a tree of a million files holds what runs plus a few thousand
//! items, whatever its size.

use std::path::Path;
use std::sync::Arc;

use crate::ftp::{Client, EntryKind, FtpError};
use crate::transfer::error::{End, Failure};
use crate::transfer::job::pause_before_retry;
use crate::transfer::queue::{Dir, Listed};
use crate::transfer::sessions::ends::{self, Ends};
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::Ctx;
use crate::transfer::{Conflict, Engine, Event, EventKind, JobSpec};

/// How many files wait in line before a walk stops to let them go; it
/// goes on once half of them have.
pub(crate) const READ_AHEAD: usize = 1024;

impl Engine {
    /// Walks a source tree breadth-first: directories are created at the
    /// destination as they are met, files queued as jobs of their own,
    /// anything else reported.
    pub(crate) async fn walk(&self, ctx: &Ctx, spec: &JobSpec) -> EventKind {
        let mut browse = Browse::new(ctx, spec);
        let mut pending: Vec<Pending> = vec![(spec.source.clone(), spec.destination.clone(), 0)];
        let (mut files, mut directories) = (0, 0);
        let mut troubles = Troubles::new(ctx);
        // The directory the user named (or the one holding what they
        // named): nothing beneath it is reached through a link.
        let local_root: Option<Arc<Path>> = match &spec.destination.site {
            Site::Local => {
                let to = spec.destination.local_path();
                Some(Arc::from(to.parent().unwrap_or(Path::new("."))))
            }
            Site::Ftp(_) => None,
        };
        while let Some((from, to, depth)) = pending.pop() {
            if ctx.cancel.is_cancelled() {
                return cancelled();
            }
            let replace_links = spec.conflict == Conflict::Overwrite;
            let sessions = match browse.get().await {
                Ok(b) => b,
                Err(failed) => return failed,
            };
            // The destination's directory is made while the source's is
            // listed: each end's round trips at once.
            let (made, listed) = sessions
                .make_dir_and_list(&to, &from, local_root.as_deref(), replace_links)
                .await;
            let listed = match made {
                Ok(()) => listed.map_err(|e| {
                    Failure::ftp(End::Source, &e).context(&format!("cannot list {from}"))
                }),
                Err(MadeDir::Link(at)) => {
                    link_not_followed(ctx, &at);
                    continue;
                }
                Err(MadeDir::Failed(e)) => Err(Failure::ftp(End::Destination, &e)
                    .context(&format!("cannot create directory {to}"))),
            };
            let entries = match listed {
                Ok(e) => {
                    troubles.went_well();
                    self.prepare(ctx, &from, e)
                }
                Err(failure) => match troubles.after(&mut browse, failure, &from, depth).await {
                    AfterTrouble::Again => {
                        pending.push((from, to, depth));
                        continue;
                    }
                    AfterTrouble::Skip => continue,
                    AfterTrouble::Stop(event) => return event,
                },
            };
            directories += 1;
            expect_batch(ctx, &to, &entries);
            // What this directory's files share, once for all of them.
            let here = Arc::new(Dir {
                source: from.clone(),
                destination: to.clone(),
                kind: spec.kind,
                via: spec.via,
                local_root: local_root.clone(),
            });
            for entry in entries {
                if !browse.let_the_line_go().await {
                    return cancelled();
                }
                match self.meet(ctx, spec, &here, depth, entry) {
                    Met::Dir(child) => pending.push(child),
                    Met::File => files += 1,
                    Met::Other => {}
                }
            }
        }
        match troubles.unread() {
            Some(failure) => failure.into_event(),
            None => EventKind::Walked { files, directories },
        }
    }

    /// One entry of a listed directory: a directory to walk, a file queued
    /// (or skipped as verified before an interruption), or reported.
    fn meet(
        &self,
        ctx: &Ctx,
        spec: &JobSpec,
        here: &Arc<Dir>,
        depth: usize,
        (name, kind, listed): (Vec<u8>, EntryKind, Listed),
    ) -> Met {
        let name = name.as_slice();
        let (from, to) = (&here.source, &here.destination);
        // A listing's names are the server's words: one that is not a plain
        // name (`..`, `a/b`, `/etc/x`) would put the copy somewhere else
        // than the destination.
        if !is_plain_name(name) {
            let path = format!("{from}/{}", String::from_utf8_lossy(name));
            let reason = "not a plain file name (it names another directory): not copied";
            return skipped(ctx, path, reason.into());
        }
        let (child_from, child_to) = (from.join(name), to.join(name));
        let max_depth = self.shared.settings.max_depth;
        match kind {
            EntryKind::Dir if depth >= max_depth => {
                skipped(ctx, child_from.to_string(), too_deep(max_depth))
            }
            EntryKind::Dir => Met::Dir((child_from, child_to, depth + 1)),
            EntryKind::File => {
                let earlier = self.shared.earlier.of(&child_to);
                if earlier == Some(true) {
                    let reason = "verified before the interruption: not copied again";
                    skipped(ctx, child_to.to_string(), reason.into());
                    return Met::File;
                }
                let conflict =
                    if earlier == Some(false) && spec.kind != crate::transfer::Kind::Append {
                        Conflict::Resume
                    } else {
                        spec.conflict
                    };
                self.queue_file(ctx.id, here, name, conflict, listed);
                Met::File
            }
            other => {
                let reason = match other {
                    EntryKind::Link => "a symbolic link: not followed".to_string(),
                    EntryKind::Unparsed => "a listing line that could not be parsed".to_string(),
                    EntryKind::Special(c) => format!("a special file (type {c})"),
                    EntryKind::Other(t) => format!("of type {t:?}"),
                    _ => unreachable!(),
                };
                skipped(ctx, child_from.to_string(), reason)
            }
        }
    }

    /// A directory's entries as the walk takes them: excluded names
    /// reported and left out, files in priority order (a stable sort:
    /// otherwise the listing's order).
    fn prepare(
        &self,
        ctx: &Ctx,
        from: &Location,
        mut entries: Vec<(Vec<u8>, EntryKind, Listed)>,
    ) -> Vec<(Vec<u8>, EntryKind, Listed)> {
        let settings = &self.shared.settings;
        entries.retain(|(name, kind, _)| {
            let skipped = settings.skip.skips(name, *kind == EntryKind::Dir);
            if skipped {
                let _ = ctx.shared.events.send(Event {
                    job: ctx.id,
                    kind: EventKind::Skipped {
                        path: format!("{from}/{}", String::from_utf8_lossy(name)),
                        reason: "excluded by a skip pattern".into(),
                    },
                });
            }
            !skipped
        });
        entries.sort_by_key(|(name, kind, _)| {
            if *kind == EntryKind::File {
                settings.priority.rank(name)
            } else {
                0
            }
        });
        entries
    }
}

/// A directory still to walk: source, destination, depth.
type Pending = (Location, Location, usize);

/// What the walk met in a listing.
enum Met {
    Dir(Pending),
    /// A file, counted as the walk's (queued, or verified before).
    File,
    Other,
}

/// A walk stopped by a cancel: it wrote nothing of its own to keep.
fn cancelled() -> EventKind {
    EventKind::Cancelled {
        partial: None,
        kept_because: None,
    }
}

/// Reports an entry the walk leaves out.
fn skipped(ctx: &Ctx, path: String, reason: String) -> Met {
    ctx.emit(EventKind::Skipped {
        path,
        reason: reason.into(),
    });
    Met::Other
}

/// The files about to be queued in `to` are verified by one listing of it.
fn expect_batch(ctx: &Ctx, to: &Location, entries: &[(Vec<u8>, EntryKind, Listed)]) {
    let Site::Ftp(site) = &to.site else {
        return;
    };
    let files_here = entries
        .iter()
        .filter(|(_, kind, _)| *kind == EntryKind::File)
        .count();
    if files_here > 0 {
        let child = to.join(b"-");
        let (dir, _) = child.parent_and_name();
        let pool = ctx.shared.pool(site);
        ctx.shared
            .batches
            .expect(ctx.id, dir.to_vec(), pool, files_here);
    }
}

/// Why a directory below the depth bound is not walked.
pub(crate) fn too_deep(max_depth: usize) -> String {
    format!(
        "more than {max_depth} directories deep (--max-depth): not walked; a server whose directory lists itself would never end"
    )
}

/// A name that stays where it is joined, on any server it is sent to: not
/// empty, not `.` or `..`, no `/`, no NUL, no CR or LF (it would end the
/// command line), and nothing a Windows server reads as a path: no `..`
/// between backslashes (`..\evil.txt`), no leading backslash, no drive
/// (`C:`). The one check every name from a server passes before anything
/// is made from it.
pub fn is_plain_name(name: &[u8]) -> bool {
    let windows_path = name.starts_with(b"\\")
        || name.split(|&b| b == b'\\').any(|part| part == b"..")
        || (name.len() >= 2 && name[1] == b':' && name[0].is_ascii_alphabetic());
    !matches!(name, b"" | b"." | b"..")
        && !windows_path
        && !name.iter().any(|&b| matches!(b, b'/' | 0 | b'\r' | b'\n'))
}

/// The walk's sessions: opened when it needs them, given back while it
/// waits for its line.
struct Browse<'a> {
    ctx: &'a Ctx,
    spec: &'a JobSpec,
    open: Option<Browser>,
}

impl<'a> Browse<'a> {
    fn new(ctx: &'a Ctx, spec: &'a JobSpec) -> Browse<'a> {
        Browse {
            ctx,
            spec,
            open: None,
        }
    }

    /// The walk's sessions, taken again after it let the line go: an end
    /// that cannot be reached just then (a server restarting) is waited
    /// for, as a file's job waits, before the rest of the tree is given
    /// up.
    async fn get(&mut self) -> Result<&mut Browser, EventKind> {
        if self.open.is_none() {
            let (source, destination) = (&self.spec.source.site, &self.spec.destination.site);
            let settings = &self.ctx.shared.settings;
            let (mut backoff, mut retried) = (settings.retry_backoff, 0);
            let browser = loop {
                match Browser::open(self.ctx, source, destination).await {
                    Ok(browser) => break browser,
                    Err(Failure::Failed {
                        transient: true,
                        reason,
                        ..
                    }) if retried < settings.retries => {
                        retried += 1;
                        let ctx = self.ctx;
                        if !pause_before_retry(ctx, retried, *reason, &mut backoff).await {
                            return Err(cancelled());
                        }
                    }
                    Err(failure) => return Err(failure.into_event()),
                }
            };
            self.open = Some(browser);
        }
        Ok(self.open.as_mut().expect("just opened"))
    }

    /// When the line holds [`READ_AHEAD`] files, gives the sessions back
    /// and waits for half of them to go; `false`: cancelled meanwhile.
    async fn let_the_line_go(&mut self) -> bool {
        let queue = &self.ctx.shared.queue;
        if queue.items_due() < READ_AHEAD {
            return true;
        }
        self.open = None;
        tokio::select! {
            () = queue.wait_shorter(READ_AHEAD / 2) => true,
            () = self.ctx.cancel.cancelled() => false,
        }
    }
}

fn link_not_followed(ctx: &Ctx, at: &Path) {
    let _ = ctx.shared.events.send(Event {
        job: ctx.id,
        kind: EventKind::Skipped {
            path: at.display().to_string(),
            reason: "a symbolic link stands where a directory should: not followed (only an overwrite replaces it); nothing copied beneath it".into(),
        },
    });
}

/// What the walk does after a directory could not be listed or made.
enum AfterTrouble {
    /// A transient failure (a lost connection, a timeout): the directory
    /// is tried again on fresh sessions, after a pause.
    Again,
    /// Refused for good (`550` for a directory nobody may read): said, and
    /// the rest of the tree goes on; the tree ends failed, naming it.
    Skip,
    /// Nothing more of the tree: cancelled, the destination is full, or
    /// the directory the person named cannot be read.
    Stop(EventKind),
}

/// The walk's failed directories: retries of the one in hand, and the
/// ones given up.
struct Troubles<'a> {
    ctx: &'a Ctx,
    retried: u32,
    backoff: std::time::Duration,
    given_up: usize,
    first: Option<crate::transfer::Why>,
}

impl<'a> Troubles<'a> {
    fn new(ctx: &'a Ctx) -> Troubles<'a> {
        Troubles {
            ctx,
            retried: 0,
            backoff: ctx.shared.settings.retry_backoff,
            given_up: 0,
            first: None,
        }
    }

    fn went_well(&mut self) {
        self.retried = 0;
        self.backoff = self.ctx.shared.settings.retry_backoff;
    }

    async fn after(
        &mut self,
        browse: &mut Browse<'_>,
        failure: Failure,
        from: &Location,
        depth: usize,
    ) -> AfterTrouble {
        let ctx = self.ctx;
        // The sessions that failed are in no state to be trusted.
        if let Some(mut open) = browse.open.take() {
            open.ends.discard();
        }
        let Failure::Failed {
            reason,
            transient,
            out_of_space,
            ..
        } = &failure
        else {
            return AfterTrouble::Stop(failure.into_event());
        };
        if *transient && self.retried < ctx.shared.settings.retries {
            self.retried += 1;
            let waited =
                pause_before_retry(ctx, self.retried, (**reason).clone(), &mut self.backoff).await;
            return match waited {
                true => AfterTrouble::Again,
                false => AfterTrouble::Stop(cancelled()),
            };
        }
        if depth == 0 || out_of_space.is_some() {
            return AfterTrouble::Stop(failure.into_event());
        }
        self.went_well();
        self.given_up += 1;
        let reason = (**reason).clone();
        self.first.get_or_insert_with(|| reason.clone());
        let _ = ctx.shared.events.send(Event {
            job: ctx.id,
            kind: EventKind::Skipped {
                path: from.to_string(),
                reason,
            },
        });
        AfterTrouble::Skip
    }

    /// The tree's failure when directories were given up: the rest was
    /// copied, but not all of it.
    fn unread(&self) -> Option<Failure> {
        let first = self.first.as_ref()?;
        let count = match self.given_up {
            1 => "1 directory".to_string(),
            n => format!("{n} directories"),
        };
        Some(Failure::permanent(crate::transfer::Why::Said(format!(
            "{count} could not be read or made, nothing beneath copied (the first: {first}); the rest was copied"
        ))))
    }
}

/// Listing and directory creation for a tree walk, on pooled sessions:
/// held while walking (so the walk never waits behind files), then handed
/// on to the files' transfers instead of logging in again.
struct Browser {
    ends: Ends,
    /// The destination session's login directory, to return to after a
    /// `CWD` probe so relative paths keep their meaning.
    destination_home: Vec<u8>,
}

impl Browser {
    async fn open(ctx: &Ctx, source: &Site, destination: &Site) -> Result<Browser, Failure> {
        let mut ends = ends::checkout(ctx, source, destination).await?;
        for site in [source, destination] {
            if let Site::Ftp(site) = site {
                ctx.shared.pool(site).warm_up(ctx.shared.settings.parallel);
            }
        }
        let destination_home = match ends.destination.as_deref_mut() {
            Some(c) => c
                .pwd()
                .await
                .map_err(|e| Failure::ftp(End::Destination, &e))?,
            None => Vec::new(),
        };
        Ok(Browser {
            ends,
            destination_home,
        })
    }

    /// The destination's directory made (see [`make_dir`]) and the
    /// source's listed (see [`list`]), both at once on their own sessions.
    async fn make_dir_and_list(
        &mut self,
        to: &Location,
        from: &Location,
        root: Option<&Path>,
        replace_links: bool,
    ) -> (Result<(), MadeDir>, Result<Vec<Listing>, FtpError>) {
        let Browser {
            ends,
            destination_home,
        } = self;
        let (source, destination) = (ends.source.as_deref_mut(), ends.destination.as_deref_mut());
        tokio::join!(
            make_dir(destination, destination_home, to, root, replace_links),
            list(source, from)
        )
    }
}

/// One entry of a listed directory: its name as the server sent it, its
/// kind, and what the listing said of its size and time.
type Listing = (Vec<u8>, EntryKind, Listed);

/// A source directory's entries: the server's listing, or the disk's.
async fn list(source: Option<&mut Client>, dir: &Location) -> Result<Vec<Listing>, FtpError> {
    match source {
        Some(client) => {
            // MLSD's times are UTC; LIST's are not to be trusted.
            let utc = client.features().mlst;
            Ok(client
                .list(Some(&dir.path))
                .await?
                .into_iter()
                .map(|e| {
                    let listed = Listed {
                        size: e.size,
                        modified: e.modified.filter(|_| utc),
                    };
                    (e.raw_name().to_vec(), e.kind, listed)
                })
                .collect())
        }
        None => {
            let path = dir.path.clone();
            let entries =
                tokio::task::spawn_blocking(move || crate::transfer::local::list_local(&path))
                    .await
                    .map_err(std::io::Error::other)??;
            let mut out: Vec<_> = entries
                .into_iter()
                .map(|e| {
                    let raw_name = e.raw_name().to_vec();
                    // Symlinks are reported, not followed, even to directories.
                    let kind = if e.link_target.is_some() {
                        EntryKind::Link
                    } else {
                        e.kind
                    };
                    // Local sizes are cheap to ask again: no hint.
                    (raw_name, kind, Listed::default())
                })
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(out)
        }
    }
}

/// Creates a directory unless it exists already; on the local disk,
/// beneath `root` without following a link (one where a directory should
/// be is replaced when `replace_links`, else refused). `home`: the
/// destination session's directory, returned to after a `CWD` probe.
async fn make_dir(
    destination: Option<&mut Client>,
    home: &[u8],
    dir: &Location,
    root: Option<&Path>,
    replace_links: bool,
) -> Result<(), MadeDir> {
    match destination {
        Some(client) => {
            if client.mkd(&dir.path).await.is_ok() {
                return Ok(());
            }
            // It may exist already: CWD says.
            match client.cwd(&dir.path).await {
                Ok(()) => client.cwd_back(home).await,
                Err(_) => client.mkd(&dir.path).await.map(drop),
            }
            .map_err(MadeDir::Failed)
        }
        None => {
            let confined = crate::transfer::local::beneath::Confined::new(root, &dir.local_path());
            tokio::task::spawn_blocking(move || confined.make_dirs(replace_links))
                .await
                .map_err(|e| MadeDir::Failed(FtpError::Io(std::io::Error::other(e))))?
                .map_err(|e| match e {
                    crate::transfer::local::beneath::DirError::Link(at) => MadeDir::Link(at),
                    crate::transfer::local::beneath::DirError::Io(e) => {
                        MadeDir::Failed(FtpError::Io(e))
                    }
                })
        }
    }
}

/// Why a tree's directory was not made.
enum MadeDir {
    /// A symbolic link stands there (its path), and was left.
    Link(std::path::PathBuf),
    Failed(FtpError),
}

#[cfg(test)]
mod tests {
    use super::is_plain_name;

    /// Names a hostile server lists to make a client write, or send, where
    /// it should not: a Windows server reads `\` as `/`, and a CR would end
    /// the command it is sent in.
    #[test]
    fn names_that_name_another_place_are_not_plain() {
        for bad in [
            &b""[..],
            b".",
            b"..",
            b"../x",
            b"a/b",
            b"..\\evil.txt",
            b"a\\..\\..\\b",
            b"\\windows\\x",
            b"C:x.txt",
            b"x\rDELE y",
            b"x\ny",
            b"nul\0",
        ] {
            assert!(!is_plain_name(bad), "{:?}", String::from_utf8_lossy(bad));
        }
        for good in [
            &b"a.txt"[..],
            b"..hidden",
            b"a..b",
            b"back\\slash",
            b"r\xc3\xa9sum\xc3\xa9",
            b"ab:c",
        ] {
            assert!(is_plain_name(good), "{:?}", String::from_utf8_lossy(good));
        }
    }
}
