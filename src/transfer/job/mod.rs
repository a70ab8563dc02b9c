//! One file job: a value that owns its spec, its two ends and its plan,
//! and moves through plain steps, each in its own file:
//!
//! 1. `mod.rs` — [`FileJob::open`]: what both ends say (sizes, features,
//!    what stands at a local name), the question about an existing
//!    destination, and the plan.
//! 2. `plan.rs` — the plan itself, pure and tested by tables: offsets, the
//!    destination's name, the expected size, the ways to try in order.
//! 3. `attempt.rs` — each way in order, retries that resume only from
//!    bytes this job wrote, refusals remembered for the pair of servers.
//! 4. `verify.rs` — the destination's size (asked together with its
//!    directory's other files', `batch.rs`, for a tree's file) and both
//!    ends' digests.
//! 5. `finish.rs` — a download's part file promoted, a move's source
//!    deleted, the final event; or what a failure leaves, said.
//!
//! `written.rs` records which jobs wrote at their destination and which
//! trees found it full. `existing.rs` asks about an existing destination, finds a free name
//! beside it, and says what a cancel leaves.

mod attempt;
pub(crate) mod batch;
mod existing;
mod finish;
mod plan;
mod verify;
pub(crate) mod written;

use crate::ftp::hash::Algorithm;
use crate::transfer::error::{End, Failure};
use crate::transfer::local::beneath::Standing;
use crate::transfer::local::partial;
use crate::transfer::queue::{Listed, Slot};
use crate::transfer::sessions::endpoint::TimeSlot;
use crate::transfer::sessions::ends::{self, Ends};
use crate::transfer::sessions::site::Location;
use crate::transfer::shared::Ctx;
use crate::transfer::ways::fxp::Dialect;
use crate::transfer::ways::refusal::Refusal;
use crate::transfer::{EventKind, JobSpec, Why};
use plan::{Decision, Facts, Plan};

/// Runs one file job to its final event.
/// `listed`: the source's size (and UTC time) as a directory listing just
/// gave it (a tree walk), which spares a `SIZE` (and `MDTM`) round trip
/// per file.
/// `slot`: the job's place among the transfers running at once, given
/// back early while the job only waits for its verification.
pub(crate) async fn run(ctx: &Ctx, spec: &JobSpec, listed: Listed, slot: Slot) -> EventKind {
    let mut slot = Some(slot);
    // Each step's state is boxed while it runs and freed after: a file
    // that waits for its directory's listing (a whole tree's, at once)
    // then holds a few hundred bytes, not the largest step's state.
    let mut job = match Box::pin(open_patiently(ctx, spec, listed)).await {
        Ok(Opened::Run(job)) => job,
        Ok(Opened::Over(event)) => return event,
        // Nothing of it was written anywhere yet: nothing to tidy.
        Err(f) => return f.into_event(),
    };
    match job.steps(&mut slot).await {
        Ok(event) => event,
        Err(f) => Box::pin(job.failed(f)).await,
    }
}

/// Opens the job, dialling again after a pause while an end cannot be
/// reached (a server restarting, a short outage): nothing was written yet,
/// so waiting is safe; each pause is said (`Retrying`) and doubles, as the
/// attempts' do. A job cancelled while it waits ends cancelled.
async fn open_patiently<'a>(
    ctx: &'a Ctx,
    spec: &'a JobSpec,
    listed: Listed,
) -> Result<Opened<'a>, Failure> {
    let settings = &ctx.shared.settings;
    let mut backoff = settings.retry_backoff;
    let mut retried = 0;
    loop {
        match FileJob::open(ctx, spec, listed).await {
            Err(Failure::Failed {
                transient: true,
                reason,
                ..
            }) if retried < settings.retries => {
                retried += 1;
                if !pause_before_retry(ctx, retried, *reason, &mut backoff).await {
                    return Err(Failure::Cancelled);
                }
            }
            other => return other,
        }
    }
}

/// Says a retry and waits its pause, doubled for the next one (up to
/// 30 s); `false` when the job was cancelled while it waited. One pause
/// for every step that retries: opening, carrying, verifying.
pub(crate) async fn pause_before_retry(
    ctx: &Ctx,
    attempt: u32,
    reason: Why,
    backoff: &mut std::time::Duration,
) -> bool {
    ctx.emit(EventKind::Retrying {
        attempt,
        reason,
        after: Some(*backoff),
    });
    let waited = tokio::select! {
        () = tokio::time::sleep(*backoff) => true,
        () = ctx.cancel.cancelled() => false,
    };
    *backoff = (*backoff * 2).min(std::time::Duration::from_secs(30));
    waited
}

/// A file job between its plan and its final event.
pub(crate) struct FileJob<'a> {
    ctx: &'a Ctx,
    spec: &'a JobSpec,
    /// Both ends' sessions, from the one place that checks them out
    /// ([`FileJob::ends`]); `None` while handed back (a failure left them
    /// unusable, or the job waits for its directory's listing).
    ends: Option<Ends>,
    source_size: u64,
    plan: Plan,
    /// Where the copy ends up: the spec's destination, or a free name
    /// beside it.
    destination: Location,
    /// Where the bytes go until they verified: the destination, or its
    /// part file.
    work: Location,
    /// The digest both ends will compare (`None`: the size is the check),
    /// chosen before any byte moves.
    digest: Option<Algorithm>,
    /// The source's time in UTC as its directory's listing gave it: no
    /// `MDTM` needed to keep it.
    listed_modified: Option<chrono::NaiveDateTime>,
    /// The source's time otherwise, asked ahead with the transfer's first
    /// command (see [`FileJob::ask_source_time_ahead`]).
    source_time: TimeSlot,
}

enum Opened<'a> {
    Run(Box<FileJob<'a>>),
    /// Nothing to copy (skipped by the policy): the final event.
    Over(EventKind),
}

impl<'a> FileJob<'a> {
    /// Asks both ends what the plan needs, plans, and takes the free name
    /// a rename needs.
    async fn open(ctx: &'a Ctx, spec: &'a JobSpec, listed: Listed) -> Result<Opened<'a>, Failure> {
        if let Some(why) = ctx.shared.written.out_of_space(ctx.tree) {
            return Err(Failure::permanent(Why::NotSent(Box::new(why))));
        }
        let (mut ends, facts) = probe(ctx, spec, listed.size).await?;
        let refused = refused_lately(ctx, spec);
        let mut answer = None;
        let plan = loop {
            match plan::plan(spec, &facts, answer, &refused) {
                Decision::Ask { destination_size } => {
                    let at = &spec.destination;
                    let size = facts.source_size;
                    answer = Some(existing::ask(ctx, at, size, destination_size).await?);
                }
                Decision::Skip { reason } => {
                    return Ok(Opened::Over(EventKind::Skipped {
                        path: spec.destination.to_string(),
                        reason: reason.into(),
                    }));
                }
                Decision::Fail(reason) => return Err(Failure::permanent(reason)),
                Decision::Go(plan) => break *plan,
            }
        };
        let destination = match plan.rename {
            true => existing::free_name(ends.destination(), &spec.destination).await?,
            false => spec.destination.clone(),
        };
        let work = match plan.part {
            true => partial::part_of(&destination),
            false => destination.clone(),
        };
        Ok(Opened::Run(Box::new(FileJob {
            ctx,
            spec,
            ends: Some(ends),
            source_size: facts.source_size,
            plan,
            destination,
            work,
            digest: None,
            listed_modified: listed.modified,
            source_time: TimeSlot::default(),
        })))
    }

    /// The steps after the plan: carry the bytes, verify, finish.
    async fn steps(&mut self, slot: &mut Option<Slot>) -> Result<EventKind, Failure> {
        self.prepare().await?;
        let carried = match Box::pin(self.carry()).await? {
            attempt::Carry::Done(carried) => carried,
            attempt::Carry::Cancelled(event) => return Ok(event),
        };
        if !self.plan.part {
            // Now, on the sessions the copy holds: its answer comes with
            // the check's, and none is owed when the run says goodbye. A
            // part file takes its time once it has its name.
            self.keep_time().await;
        }
        let verified = self.verify_patiently(slot, carried.digest.clone()).await?;
        Box::pin(self.finish(carried, verified)).await
    }

    /// Decided before any byte moves: room on a local disk, and a check
    /// that can be made as asked (a copy that cannot be checked is not
    /// made).
    async fn prepare(&mut self) -> Result<(), Failure> {
        if plan::local_beside(self.spec) && !self.plan.complete {
            let needed = self.source_size.saturating_sub(self.plan.offsets.source);
            partial::check_space(&self.destination, needed).await?;
        }
        let append = self.plan.offsets.append;
        let settings = &self.ctx.shared.settings;
        self.digest = verify::digest_to_compare(settings.verify, self.ends().await?, append)?;
        self.ask_source_time_ahead().await;
        Ok(())
    }

    /// The source's time, when the copy will keep it and no listing gave
    /// it: asked now and read with the transfer's first command on the
    /// source, so it costs no round trip of its own.
    async fn ask_source_time_ahead(&mut self) {
        if self.listed_modified.is_some() || !self.keeps_time() || self.plan.complete {
            return;
        }
        let (path, slot) = (self.spec.source.path.clone(), self.source_time.clone());
        if let Ok(ends) = self.ends().await {
            ends.source().ask_modified_ahead(&path, slot).await;
        }
    }

    /// The job's sessions: the ones it holds, or both ends taken again
    /// from the pools if it handed them back.
    async fn ends(&mut self) -> Result<&mut Ends, Failure> {
        if self.ends.is_none() {
            self.ends = Some(checkout(self.ctx, self.spec).await?);
        }
        Ok(self.ends.as_mut().expect("just filled"))
    }

    /// Hands the sessions back to be dropped by their pools: a failure left
    /// them in a state nobody should use.
    fn discard_ends(&mut self) {
        if let Some(mut ends) = self.ends.take() {
            ends.discard();
        }
    }
}

/// The one place a file job takes its sessions from the pools.
async fn checkout(ctx: &Ctx, spec: &JobSpec) -> Result<Ends, Failure> {
    ends::checkout(ctx, &spec.source.site, &spec.destination.site).await
}

/// What the pair of servers refused lately, by way.
fn refused_lately(ctx: &Ctx, spec: &JobSpec) -> Vec<(Dialect, Refusal)> {
    let pair = pair_key(spec);
    [
        Dialect::Lstn,
        Dialect::FxpDestinationPassive,
        Dialect::FxpSourcePassive,
    ]
    .into_iter()
    .filter_map(|d| Some((d, ctx.shared.learned.refused_before(&pair, d)?)))
    .collect()
}

/// Which two servers a copy runs between, for remembering refusals.
fn pair_key(spec: &JobSpec) -> (String, String) {
    (
        spec.source.site.key().unwrap_or_default(),
        spec.destination.site.key().unwrap_or_default(),
    )
}

/// Why LSTN/SOCK is not a way for these two ends.
fn lstn_unavailable(ends: &Ends) -> Result<(), Refusal> {
    let speaks = |c: Option<&crate::ftp::Client>| c.is_some_and(|c| c.features().rfc438());
    let (source, destination) = (
        speaks(ends.source.as_deref()),
        speaks(ends.destination.as_deref()),
    );
    if source && destination {
        return Ok(());
    }
    let end = if source {
        End::Destination
    } else {
        End::Source
    };
    Err(Refusal::NoLstn { end })
}

/// Sessions for both ends and what the plan is made from: the source's
/// size, the destination's when the policy needs it (overwriting a file
/// does not), and what stands at a local destination's name. A pooled
/// session may have died while idle: a transient failure here gets one
/// more try on fresh sessions.
async fn probe(
    ctx: &Ctx,
    spec: &JobSpec,
    listed_size: Option<u64>,
) -> Result<(Ends, Facts), Failure> {
    let mut tries = 0;
    let (ends, source_size, existing) = loop {
        tries += 1;
        let mut ends = checkout(ctx, spec).await?;
        match sizes(&mut ends, spec, listed_size).await {
            Ok((source, existing)) => break (ends, source, existing),
            Err(Failure::Failed {
                transient: true, ..
            }) if tries < 2 => ends.discard(),
            Err(f) => return Err(f),
        }
    };
    let root = ctx.local_root.as_deref();
    let standing = match plan::local_beside(spec) {
        true => partial::standing(root, &spec.destination).await?,
        false => Standing::Absent,
    };
    // Only a link or a missing name leaves room for an earlier run's part
    // file; a device is written in place.
    let part_size = match plan::local_beside(spec) && standing != Standing::Other {
        true => match partial::standing(root, &partial::part_of(&spec.destination)).await? {
            Standing::File(n) => Some(n),
            _ => None,
        },
        false => None,
    };
    let lstn = lstn_unavailable(&ends);
    let facts = Facts {
        source_size,
        existing,
        standing,
        part_size,
        lstn,
        own_bytes: ctx.shared.earlier.of(&spec.destination) == Some(false),
    };
    Ok((ends, facts))
}

/// The source's size (unless a listing gave it) and the destination's,
/// when the plan needs it.
async fn sizes(
    ends: &mut Ends,
    spec: &JobSpec,
    listed_size: Option<u64>,
) -> Result<(u64, Option<u64>), Failure> {
    let source = match listed_size {
        Some(n) => Some(n),
        None => ends
            .source()
            .size(&spec.source.path)
            .await
            .map_err(|e| Failure::ftp(End::Source, &e))?,
    }
    .ok_or_else(|| {
        Failure::permanent(format!(
            "source {} does not exist or is not a file",
            spec.source
        ))
    })?;
    let existing = match plan::needs_destination_size(spec) {
        true => ends
            .destination()
            .size(&spec.destination.path)
            .await
            .map_err(|e| Failure::ftp(End::Destination, &e))?,
        false => None,
    };
    Ok((source, existing))
}
