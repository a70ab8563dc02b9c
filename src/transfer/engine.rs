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
use crate::transfer::queue::{Dir, Item, Listed, Slot};
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::{Ctx, Shared};
use crate::transfer::{Conflict, Event, EventKind, JobId, JobSpec, Settings};

#[derive(Clone)]
pub struct Engine {
    pub(crate) shared: Arc<Shared>,
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
    pub(crate) fn queue_file(
        &self,
        tree: JobId,
        dir: &Arc<Dir>,
        name: &[u8],
        conflict: Conflict,
        listed: Listed,
    ) {
        let mut item = Item {
            id: 0,
            tree,
            dir: dir.clone(),
            name: name.into(),
            conflict,
            listed,
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
        let last = Box::pin(job::run(&ctx, &spec, item.listed, slot)).await;
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
            .register(id, (spec.clone(), cancel.clone(), local_root.clone()));
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
            self.shared.jobs.forget(ctx.id);
            self.shared.written.forget_wrote(ctx.id);
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
        self.shared.jobs.cancel(job);
    }

    /// Cancels a job and deletes what it wrote — but only a file the job
    /// itself created; a file that was there before is kept whatever state
    /// it is in (and so is one whose earlier existence is unknown).
    pub fn cancel_and_discard(&self, job: JobId) {
        self.shared.jobs.discard_when_cancelled(job);
        self.cancel(job);
    }

    /// Answers a job's `Conflict` question: what to do with the existing
    /// destination.
    pub fn answer(&self, job: JobId, policy: Conflict) {
        if let Some(tx) = self.shared.jobs.question(job) {
            let _ = tx.send(policy);
        }
    }

    /// Queues a finished job again. A copy that had written at its
    /// destination resumes from what arrived; one that never did starts
    /// over, since whatever is there is not its own.
    pub fn retry(&self, job: JobId) -> Option<JobId> {
        let (spec, _, local_root) = self.shared.jobs.entry(job)?;
        let mut spec = (*spec).clone();
        if spec.conflict == Conflict::Overwrite
            && spec.kind != crate::transfer::Kind::Append
            && self.shared.written.wrote(job)
        {
            spec.conflict = Conflict::Resume;
        }
        Some(self.submit_beneath(spec, local_root))
    }

    /// What an interrupted run did to a file a tree resumed now will meet:
    /// `verified` (it is not copied again), or it had started writing it
    /// (it continues from the destination's size).
    pub fn note_earlier(&self, destination: &Location, verified: bool) {
        self.shared.earlier.note(destination, verified);
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
                reason: format!("{} is a directory (copy it recursively)", spec.source).into(),
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
                let listed = Listed {
                    size,
                    modified: None,
                };
                Box::pin(job::run(ctx, spec, listed, slot)).await
            }
        }
    }

    /// Ends the sessions no job holds, politely (`QUIT`), once the replies
    /// they owe are read: what a command-line run does before it exits.
    pub async fn close_idle_sessions(&self) {
        self.shared.close_idle_sessions().await;
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
    /// means "inside it, under the source's name". A destination that says
    /// so itself is logged in to all the same, while the source is: its
    /// first job need not wait for the login.
    pub async fn resolve_destination(
        &self,
        source: &Location,
        destination: &Location,
    ) -> Result<Location, FtpError> {
        let said = destination.path.ends_with(b"/") || destination.path.is_empty();
        if said {
            self.warm_up(destination).await;
        }
        let into = said || {
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
            // Once per operand, not per file: the round trip of asking
            // CWD too is worth a tree not taken for a file. One: SIZE, the
            // way in and the way back go together (the session asked PWD
            // at login).
            let size = Arc::new(std::sync::Mutex::new(None));
            let answered = size.clone();
            let on_size = move |n: Result<Option<u64>, FtpError>| {
                *answered.lock().unwrap_or_else(|e| e.into_inner()) = n.ok().flatten();
            };
            session.size_unawaited(&at.path, on_size).await?;
            let home = session.pwd().await?;
            let went_in = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let told = went_in.clone();
            let on_cwd = move |ok: bool| told.store(ok, std::sync::atomic::Ordering::Relaxed);
            session.cwd_unawaited(&at.path, on_cwd).await?;
            let back = session.cwd_back(&home).await;
            // Read with the replies before the way back's.
            let size = *size.lock().unwrap_or_else(|e| e.into_inner());
            if !went_in.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(Probe::File(size));
            }
            if back.is_err() {
                session.discard();
            }
            Ok(Probe::Directory)
        }
    }
}
