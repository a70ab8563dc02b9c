//! The engine: jobs wait in one line (`queue.rs`) for a global slot, run
//! as tokio tasks, and report on one event channel. A tree job walks its
//! source, creates the destination's directories and queues its files as
//! plain items that become tasks when their turn comes.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use crate::ftp::{EntryKind, FtpError};
use crate::transfer::error::{End, Failure};
use crate::transfer::job;
use crate::transfer::queue::{Dir, Item, Slot};
use crate::transfer::sessions::ends::{self, Ends};
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::{Ctx, Shared};
use crate::transfer::{Conflict, Event, EventKind, JobId, JobSpec, Settings};

#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

impl Engine {
    pub fn new(settings: Settings) -> (Engine, UnboundedReceiver<Event>) {
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(settings, events));
        // Weak: the queue belongs to what it would otherwise keep alive.
        let weak = Arc::downgrade(&shared);
        shared.queue.set_launch(Box::new(move |item, slot| {
            let shared = weak.upgrade();
            Box::pin(async move {
                if let Some(shared) = shared {
                    Engine { shared }.run_item(item, slot).await;
                }
            })
        }));
        (Engine { shared }, receiver)
    }

    /// Queues a job; its events follow on the channel.
    pub fn submit(&self, spec: JobSpec) -> JobId {
        self.submit_beneath(spec, None)
    }

    /// Queues a job whose local destination stays beneath `local_root`.
    fn submit_beneath(&self, spec: JobSpec, local_root: Option<Arc<Path>>) -> JobId {
        let id = self.announce(&spec, None);
        let spec = Arc::new(spec);
        let ctx = self.register(id, id, &spec, local_root);
        // It keeps its place in line while it asks what its source is.
        self.shared.queue.enqueue(id);
        let engine = self.clone();
        tokio::spawn(async move {
            let last = engine.run_job(&ctx, &spec).await;
            engine.finish(&ctx, &spec, false, last);
        });
        id
    }

    /// Queues a file a tree's walk found. Known to be a file, it skips the
    /// probe that asks the server, and waits in line as plain data until
    /// its turn.
    fn queue_file(
        &self,
        tree: JobId,
        dir: &Arc<Dir>,
        name: &[u8],
        conflict: Conflict,
        listed_size: Option<u64>,
    ) {
        let mut item = Item {
            id: 0,
            tree,
            dir: dir.clone(),
            name: name.into(),
            conflict,
            listed_size,
        };
        item.id = self.announce(&item.spec(), Some(tree));
        self.shared.queue.push(item);
    }

    /// A new job: its id, counted as work until it ends, and its `Queued`
    /// event.
    fn announce(&self, spec: &JobSpec, parent: Option<JobId>) -> JobId {
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        self.shared.outstanding.send_modify(|n| *n += 1);
        let _ = self.shared.events.send(Event {
            job: id,
            kind: EventKind::Queued {
                source: spec.source.to_string(),
                destination: spec.destination.to_string(),
                source_site: spec.source.site.key(),
                destination_site: spec.destination.site.key(),
                source_path: spec.source.path.clone(),
                destination_path: spec.destination.path.clone(),
                parent,
                kind: spec.kind,
                recursive: spec.recursive,
            },
        });
        id
    }

    /// Runs a tree's file whose turn came, holding its slot.
    async fn run_item(self, item: Item, slot: Slot) {
        let spec = Arc::new(item.spec());
        let ctx = self.register(item.id, item.tree, &spec, item.dir.local_root.clone());
        drop(item.dir);
        let last = Box::pin(job::run(&ctx, &spec, item.listed_size, slot)).await;
        self.finish(&ctx, &spec, true, last);
    }

    /// A job about to run (or end): its spec and cancel switch are known
    /// by id from now on, for `cancel` and `retry`.
    fn register(
        &self,
        id: JobId,
        tree: JobId,
        spec: &Arc<JobSpec>,
        local_root: Option<Arc<Path>>,
    ) -> Ctx {
        let cancel = CancellationToken::new();
        self.shared
            .jobs
            .lock()
            .expect("job map lock")
            .insert(id, (spec.clone(), cancel.clone(), local_root.clone()));
        Ctx {
            id,
            tree,
            shared: self.shared.clone(),
            cancel,
            asked_batch: AtomicBool::new(false),
            local_root,
        }
    }

    /// A job's end: its last event, and it leaves the count of work.
    fn finish(&self, ctx: &Ctx, spec: &JobSpec, of_tree: bool, last: EventKind) {
        if of_tree && !ctx.asked_batch.load(Ordering::Relaxed) {
            // Its directory's listing need not wait for it.
            let (dir, _) = spec.destination.parent_and_name();
            self.shared.batches.settle(ctx.tree, dir.to_vec());
        }
        self.shared.queue.forget(ctx.id);
        if !matches!(last, EventKind::Failed { .. } | EventKind::Cancelled { .. }) {
            // Only a failed or cancelled job is ever retried: the others'
            // specs would stay for nothing (a tree of 100,000 verified
            // files kept 35 MiB of them).
            self.shared
                .jobs
                .lock()
                .expect("job map lock")
                .remove(&ctx.id);
            self.shared.forget_wrote(ctx.id);
        }
        ctx.emit(last);
        self.shared.outstanding.send_modify(|n| *n -= 1);
    }

    /// Cancels a queued or running job (a tree job: the walk; its queued
    /// files are jobs of their own).
    pub fn cancel(&self, job: JobId) {
        if let Some(item) = self.shared.queue.withdraw(job) {
            // It never started: nothing of it was written anywhere. Its
            // spec stays known, for a retry.
            let spec = Arc::new(item.spec());
            let ctx = self.register(job, item.tree, &spec, None);
            ctx.cancel.cancel();
            let cancelled = EventKind::Cancelled {
                partial: None,
                kept_because: None,
            };
            self.finish(&ctx, &spec, true, cancelled);
            return;
        }
        if let Some((_, token, _)) = self.shared.jobs.lock().expect("job map lock").get(&job) {
            token.cancel();
        }
    }

    /// Cancels a job and deletes what it wrote — but only a file the job
    /// itself created; a file that was there before is kept whatever state
    /// it is in (and so is one whose earlier existence is unknown).
    pub fn cancel_and_discard(&self, job: JobId) {
        self.shared
            .discard_partial
            .lock()
            .expect("discard set lock")
            .insert(job);
        self.cancel(job);
    }

    /// Answers a job's `Conflict` question: what to do with the existing
    /// destination.
    pub fn answer(&self, job: JobId, policy: Conflict) {
        if let Some(tx) = self
            .shared
            .questions
            .lock()
            .expect("question map lock")
            .remove(&job)
        {
            let _ = tx.send(policy);
        }
    }

    /// Queues a finished job again. A copy that had written at its
    /// destination resumes from what arrived; one that never did starts
    /// over, since whatever is there is not its own.
    pub fn retry(&self, job: JobId) -> Option<JobId> {
        let (spec, _, local_root) = self
            .shared
            .jobs
            .lock()
            .expect("job map lock")
            .get(&job)?
            .clone();
        let mut spec = (*spec).clone();
        if spec.conflict == Conflict::Overwrite
            && spec.kind != crate::transfer::Kind::Append
            && self.shared.wrote(job)
        {
            spec.conflict = Conflict::Resume;
        }
        Some(self.submit_beneath(spec, local_root))
    }

    /// What an interrupted run did to a file a tree resumed now will meet:
    /// `verified` (it is not copied again), or it had started writing it
    /// (it continues from the destination's size).
    pub fn note_earlier(&self, destination: &Location, verified: bool) {
        self.shared
            .earlier
            .lock()
            .expect("earlier lock")
            .insert((destination.site.key(), destination.path.clone()), verified);
    }

    /// Moves a waiting file one place earlier (`up`) or later in line;
    /// `false` when it is not waiting (running, or over).
    pub fn nudge(&self, job: JobId, up: bool) -> bool {
        self.shared.queue.nudge(job, up)
    }

    /// Holds a waiting file back (or lets it go again); a running one goes
    /// on. `false` when it is not waiting.
    pub fn pause(&self, job: JobId, paused: bool) -> bool {
        self.shared.queue.pause(job, paused)
    }

    /// Holds back every waiting file (or lets them go); running transfers
    /// go on.
    pub fn pause_all(&self, paused: bool) {
        self.shared.queue.pause_all(paused)
    }

    /// Waits until every queued job (and every file of every tree) is over.
    pub async fn wait_idle(&self) {
        let mut rx = self.shared.outstanding.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    pub fn client_data_bytes(&self) -> u64 {
        self.shared.client_bytes.load(Ordering::Relaxed)
    }

    async fn run_job(&self, ctx: &Ctx, spec: &JobSpec) -> EventKind {
        // Boxed, as the walk and the transfer below: a waiting task then
        // holds a pointer, not the whole transfer's state.
        let probed = Box::pin(probe(ctx, &spec.source)).await;
        match probed {
            Err(e) => Failure::ftp(End::Source, &e)
                .context(&spec.source.to_string())
                .into_event(),
            Ok(Probe::Directory) if !spec.recursive => EventKind::Failed {
                reason: format!("{} is a directory (copy it recursively)", spec.source),
                replies: Vec::new(),
            },
            Ok(Probe::Directory) => Box::pin(self.walk(ctx, spec)).await,
            Ok(Probe::File(size)) => {
                let wait = self.shared.queue.ticket(ctx.id);
                let slot = tokio::select! {
                    s = wait.wait() => s,
                    () = ctx.cancel.cancelled() => return EventKind::Cancelled {
                        partial: None,
                        kept_because: None,
                    },
                };
                Box::pin(job::run(ctx, spec, size, slot)).await
            }
        }
    }

    /// Walks a source tree breadth-first: directories are created at the
    /// destination as they are met, files queued as jobs of their own,
    /// anything else reported.
    async fn walk(&self, ctx: &Ctx, spec: &JobSpec) -> EventKind {
        let mut browse = match Browser::open(ctx, &spec.source.site, &spec.destination.site).await {
            Ok(b) => b,
            Err(failed) => return failed,
        };
        let mut pending = vec![(spec.source.clone(), spec.destination.clone(), 0)];
        let (mut files, mut directories) = (0, 0);
        // The directory the user named (or the one holding what they
        // named): nothing beneath it is reached through a link.
        let local_root: Option<Arc<Path>> = match &spec.destination.site {
            Site::Local => {
                let to = spec.destination.local_path();
                Some(Arc::from(to.parent().unwrap_or(Path::new("."))))
            }
            Site::Ftp(_) => None,
        };
        let max_depth = self.shared.settings.max_depth;
        while let Some((from, to, depth)) = pending.pop() {
            if ctx.cancel.is_cancelled() {
                return EventKind::Cancelled {
                    partial: None,
                    kept_because: None,
                };
            }
            let replace_links = spec.conflict == Conflict::Overwrite;
            match browse
                .make_dir(&to, local_root.as_deref(), replace_links)
                .await
            {
                Ok(()) => {}
                Err(MadeDir::Link(at)) => {
                    let _ = ctx.shared.events.send(Event {
                        job: ctx.id,
                        kind: EventKind::Skipped {
                            path: at.display().to_string(),
                            reason: "a symbolic link stands where a directory should: not followed (only an overwrite replaces it); nothing copied beneath it".into(),
                        },
                    });
                    continue;
                }
                Err(MadeDir::Failed(e)) => {
                    return Failure::ftp(End::Destination, &e)
                        .context(&format!("cannot create directory {to}"))
                        .into_event();
                }
            }
            directories += 1;
            let entries = match browse.list(&from).await {
                Ok(e) => self.prepare(ctx, &from, e),
                Err(e) => {
                    return Failure::ftp(End::Source, &e)
                        .context(&format!("cannot list {from}"))
                        .into_event();
                }
            };
            // The files about to be queued here are verified by one listing.
            if let Site::Ftp(site) = &to.site {
                let files_here = entries
                    .iter()
                    .filter(|(_, kind, _)| *kind == EntryKind::File)
                    .count();
                if files_here > 0 {
                    let child = to.join(b"-");
                    let (dir, _) = child.parent_and_name();
                    ctx.shared.batches.expect(
                        ctx.id,
                        dir.to_vec(),
                        ctx.shared.pool(site),
                        files_here,
                    );
                }
            }
            // What this directory's files share, once for all of them.
            let here = Arc::new(Dir {
                source: from.clone(),
                destination: to.clone(),
                kind: spec.kind,
                via: spec.via,
                local_root: local_root.clone(),
            });
            for (name, kind, size) in entries {
                // A listing's names are the server's words: one that is not
                // a plain name (`..`, `a/b`, `/etc/x`) would put the copy
                // somewhere else than the destination.
                if !is_plain_name(&name) {
                    let _ = ctx.shared.events.send(Event {
                        job: ctx.id,
                        kind: EventKind::Skipped {
                            path: format!("{from}/{}", String::from_utf8_lossy(&name)),
                            reason:
                                "not a plain file name (it names another directory): not copied"
                                    .into(),
                        },
                    });
                    continue;
                }
                let (child_from, child_to) = (from.join(&name), to.join(&name));
                match kind {
                    EntryKind::Dir if depth >= max_depth => {
                        let _ = ctx.shared.events.send(Event {
                            job: ctx.id,
                            kind: EventKind::Skipped {
                                path: child_from.to_string(),
                                reason: too_deep(max_depth),
                            },
                        });
                    }
                    EntryKind::Dir => pending.push((child_from, child_to, depth + 1)),
                    EntryKind::File => {
                        files += 1;
                        let earlier = self
                            .shared
                            .earlier
                            .lock()
                            .expect("earlier lock")
                            .get(&(child_to.site.key(), child_to.path.clone()))
                            .copied();
                        if earlier == Some(true) {
                            let _ = ctx.shared.events.send(Event {
                                job: ctx.id,
                                kind: EventKind::Skipped {
                                    path: child_to.to_string(),
                                    reason: "verified before the interruption: not copied again"
                                        .into(),
                                },
                            });
                            continue;
                        }
                        let conflict = if earlier == Some(false)
                            && spec.kind != crate::transfer::Kind::Append
                        {
                            Conflict::Resume
                        } else {
                            spec.conflict
                        };
                        self.queue_file(ctx.id, &here, &name, conflict, size);
                    }
                    other => {
                        let reason = match other {
                            EntryKind::Link => "a symbolic link: not followed".to_string(),
                            EntryKind::Unparsed => {
                                "a listing line that could not be parsed".to_string()
                            }
                            EntryKind::Special(c) => format!("a special file (type {c})"),
                            EntryKind::Other(t) => format!("of type {t:?}"),
                            _ => unreachable!(),
                        };
                        let _ = ctx.shared.events.send(Event {
                            job: ctx.id,
                            kind: EventKind::Skipped {
                                path: child_from.to_string(),
                                reason,
                            },
                        });
                    }
                }
            }
        }
        EventKind::Walked { files, directories }
    }

    /// A directory's entries as the walk takes them: excluded names
    /// reported and left out, files in priority order (a stable sort:
    /// otherwise the listing's order).
    fn prepare(
        &self,
        ctx: &Ctx,
        from: &Location,
        mut entries: Vec<(Vec<u8>, EntryKind, Option<u64>)>,
    ) -> Vec<(Vec<u8>, EntryKind, Option<u64>)> {
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

    /// Logs in to a location's site ahead of the jobs, so that the login
    /// overlaps with other work (the destination's probe): the session
    /// waits in the pool for the first job.
    pub async fn warm_up(&self, at: &Location) {
        if let Site::Ftp(site) = &at.site {
            let pool = self.shared.pool(site);
            if let Some(Err(e)) = pool.checkout(1, &CancellationToken::new()).await {
                tracing::info!("{site}: {e} (the jobs will try again)");
            }
        }
    }

    /// cp(1): an existing directory (or a path ending in `/`) as destination
    /// means "inside it, under the source's name".
    pub async fn resolve_destination(
        &self,
        source: &Location,
        destination: &Location,
    ) -> Result<Location, FtpError> {
        let into = destination.path.ends_with(b"/") || destination.path.is_empty() || {
            let ctx = Ctx {
                id: 0,
                tree: 0,
                asked_batch: AtomicBool::new(false),
                local_root: None,
                shared: self.shared.clone(),
                cancel: CancellationToken::new(),
            };
            probe(&ctx, destination).await? == Probe::Directory
        };
        Ok(if into {
            destination.join(source.name())
        } else {
            destination.clone()
        })
    }
}

/// Why a directory below the depth bound is not walked.
pub fn too_deep(max_depth: usize) -> String {
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

/// What a location is, as far as a copy needs to know.
#[derive(Debug, PartialEq, Eq)]
enum Probe {
    Directory,
    /// A file (its size when the answer gave it away), or nothing yet.
    File(Option<u64>),
}

/// Whether a location is a directory. FTP has no one command for it that
/// every server knows: `SIZE` answers for files (and its answer saves the
/// copy asking again); otherwise `CWD` tells (and a second `CWD` goes
/// back, so the pooled session keeps its directory).
async fn probe(ctx: &Ctx, at: &Location) -> Result<Probe, FtpError> {
    match &at.site {
        Site::Local => Ok(match tokio::fs::metadata(at.local_path()).await {
            Ok(m) if m.is_dir() => Probe::Directory,
            Ok(m) if m.is_file() => Probe::File(Some(m.len())),
            _ => Probe::File(None),
        }),
        Site::Ftp(site) => {
            if at.path.is_empty() || at.path == b"/" {
                return Ok(Probe::Directory);
            }
            let pool = ctx.shared.pool(site);
            let mut session = match pool.checkout(1, &ctx.cancel).await {
                None => return Err(FtpError::Io(std::io::Error::other("cancelled"))),
                Some(r) => r?.pop().expect("one session was asked for"),
            };
            // SIZE is a size, not a type: MLST's facts say which, else
            // whether CWD goes in.
            if let Some(entry) = session.mlst(&at.path).await? {
                return Ok(match entry.kind {
                    EntryKind::Dir => Probe::Directory,
                    _ => Probe::File(entry.size),
                });
            }
            // Once per operand, not per file: the round trips of asking
            // CWD too are worth a tree not taken for a file.
            let size = session.size(&at.path).await.ok();
            let home = session.pwd().await?;
            if session.cwd(&at.path).await.is_err() {
                return Ok(Probe::File(size));
            }
            if session.cwd(&home).await.is_err() {
                session.discard();
            }
            Ok(Probe::Directory)
        }
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
    async fn open(ctx: &Ctx, source: &Site, destination: &Site) -> Result<Browser, EventKind> {
        let mut ends = ends::checkout(ctx, source, destination)
            .await
            .map_err(|f| f.into_event())?;
        let destination_home = match ends.destination.as_deref_mut() {
            Some(c) => c
                .pwd()
                .await
                .map_err(|e| Failure::ftp(End::Destination, &e).into_event())?,
            None => Vec::new(),
        };
        Ok(Browser {
            ends,
            destination_home,
        })
    }

    async fn list(
        &mut self,
        dir: &Location,
    ) -> Result<Vec<(Vec<u8>, EntryKind, Option<u64>)>, FtpError> {
        match self.ends.source.as_deref_mut() {
            Some(client) => Ok(client
                .list(Some(&dir.path))
                .await?
                .into_iter()
                .map(|e| {
                    let name = if e.kind == EntryKind::Unparsed {
                        e.name.into_bytes()
                    } else {
                        e.raw_name
                    };
                    (name, e.kind, e.size)
                })
                .collect()),
            None => {
                let path = dir.path.clone();
                let entries =
                    tokio::task::spawn_blocking(move || crate::transfer::local::list_local(&path))
                        .await
                        .map_err(std::io::Error::other)??;
                let mut out: Vec<_> = entries
                    .into_iter()
                    .map(|e| {
                        // Symlinks are reported, not followed, even to directories.
                        let kind = if e.link_target.is_some() {
                            EntryKind::Link
                        } else {
                            e.kind
                        };
                        // Local sizes are cheap to ask again: no hint.
                        (e.raw_name, kind, None)
                    })
                    .collect();
                out.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(out)
            }
        }
    }

    /// Creates a directory unless it exists already; on the local disk,
    /// beneath `root` without following a link (one where a directory
    /// should be is replaced when `replace_links`, else refused).
    async fn make_dir(
        &mut self,
        dir: &Location,
        root: Option<&Path>,
        replace_links: bool,
    ) -> Result<(), MadeDir> {
        match self.ends.destination.as_deref_mut() {
            Some(client) => {
                if client.mkd(&dir.path).await.is_ok() {
                    return Ok(());
                }
                // It may exist already: CWD says.
                match client.cwd(&dir.path).await {
                    Ok(()) => client.cwd(&self.destination_home).await,
                    Err(_) => client.mkd(&dir.path).await.map(drop),
                }
                .map_err(MadeDir::Failed)
            }
            None => {
                let confined =
                    crate::transfer::local::beneath::Confined::new(root, &dir.local_path());
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
