//! One file, from plan to verification: sizes and the conflict policy, the
//! order of attempts (LSTN/SOCK, FXP both ways round, relay), retries that
//! resume from what arrived, the size check, and — for a move — deleting
//! the source only once the copy verified.

mod existing;
pub(crate) mod listing;
mod verify;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::ftp::hash::Hasher;
use crate::transfer::error::{End, Failure};
use crate::transfer::job::existing::{ask, cancelled, free_name, fresh_size};
use crate::transfer::job::verify::{batch_of, compare_digests, digest_to_compare};
use crate::transfer::local::beneath::Standing;
use crate::transfer::local::partial;
use crate::transfer::sessions::endpoint::Endpoint;
use crate::transfer::sessions::ends::{Ends, checkout, sessions};
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::Ctx;
use crate::transfer::ways::fxp::{self, Dialect};
use crate::transfer::ways::progress::{self, Source, Watch};
use crate::transfer::ways::relay;
use crate::transfer::{Check, Conflict, EventKind, JobSpec, Kind, Mode, Via};

/// How the bytes travel for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Servers(Dialect),
    Relay,
    Download,
    Upload,
    Local,
}

impl Transport {
    fn mode(self) -> Mode {
        match self {
            Transport::Servers(Dialect::Lstn) => Mode::LstnSock,
            Transport::Servers(Dialect::FxpDestinationPassive) => Mode::Fxp {
                source_passive: false,
            },
            Transport::Servers(Dialect::FxpSourcePassive) => Mode::Fxp {
                source_passive: true,
            },
            Transport::Relay => Mode::Relay,
            Transport::Download => Mode::Download,
            Transport::Upload => Mode::Upload,
            Transport::Local => Mode::Local,
        }
    }
}

/// Where an attempt starts.
#[derive(Debug, Clone, Copy)]
struct Offsets {
    /// REST on the source.
    source: u64,
    /// REST on the destination (resuming a STOR).
    destination: u64,
    append: bool,
}

/// Runs one file job to its final event.
/// `listed_size`: the source's size as a directory listing just gave it
/// (a tree walk), which spares a `SIZE` round trip per file.
/// `slot`: the job's place among the transfers running at once, given
/// back early while the job only waits for its verification.
pub async fn run(
    ctx: &Ctx,
    spec: &JobSpec,
    listed_size: Option<u64>,
    slot: crate::transfer::queue::Slot,
) -> EventKind {
    let mut slot = Some(slot);
    let mut part = None;
    match run_inner(ctx, spec, listed_size, &mut slot, &mut part).await {
        Ok(kind) => kind,
        Err(f) => match part {
            Some(part) => partial::settle_failure(f, &part).await.into_event(),
            None => match f {
                f @ Failure::Failed { .. } => match tidy_after_failure(ctx, spec).await {
                    Some(left) => f.noting(&left).into_event(),
                    None => f.into_event(),
                },
                f => f.into_event(),
            },
        },
    }
}

/// What a failed copy leaves at its destination, said, and never a file
/// that only looks copied: an empty file this job's `STOR` made (or
/// emptied, overwriting) is removed — the source may have refused `RETR`
/// after the destination had opened the file; bytes this job wrote are
/// kept for `--resume`. Only for a plain overwrite: any other policy
/// either kept the old file or wrote under another name.
async fn tidy_after_failure(ctx: &Ctx, spec: &JobSpec) -> Option<String> {
    // A local download writes a part file beside its target (see
    // `partial`), which settles its own failures.
    if spec.conflict != Conflict::Overwrite
        || spec.kind == Kind::Append
        || matches!(spec.destination.site, Site::Local)
        || !ctx.shared.wrote(ctx.id)
    {
        return None;
    }
    match fresh_size(ctx, &spec.destination).await? {
        0 => {
            let Site::Ftp(site) = &spec.destination.site else {
                return None;
            };
            let deleted = match ctx.shared.pool(site).connect().await {
                Ok(mut client) => {
                    let done = Endpoint::Ftp(&mut client)
                        .delete(&spec.destination.path)
                        .await;
                    let _ = client.quit().await;
                    done
                }
                Err(e) => Err(e),
            };
            Some(match deleted {
                Ok(()) => "the empty file it left at the destination was removed".to_string(),
                Err(e) => format!(
                    "an empty file is left at the destination (it could not be removed: {e})"
                ),
            })
        }
        n => Some(format!(
            "{n} bytes are kept at the destination: `--resume` continues them"
        )),
    }
}

/// `part`: set to the part file the job writes, once it has chosen one.
async fn run_inner(
    ctx: &Ctx,
    spec: &JobSpec,
    listed_size: Option<u64>,
    slot: &mut Option<crate::transfer::queue::Slot>,
    part: &mut Option<Location>,
) -> Result<EventKind, Failure> {
    let transports = transports(spec)?;
    if let Some(why) = ctx.shared.out_of_space(ctx.tree) {
        return Err(Failure::permanent(format!(
            "not sent: an earlier file of this copy found the destination full ({why})"
        )));
    }
    let (mut ends, source_size, existing) = probe(ctx, spec, listed_size).await?;
    // Whether the destination was there before: known only when the policy
    // made us ask (overwriting skips the question).
    let existed = (spec.kind == Kind::Append || spec.conflict != Conflict::Overwrite)
        .then_some(existing.is_some());
    let mut destination = spec.destination.clone();
    // A local file is written beside its name, unless it is appended to
    // or is not a plain file (`/dev/null`).
    let local = matches!(destination.site, Site::Local) && spec.kind != Kind::Append;
    let root = ctx.local_root.as_deref();
    let standing = match local {
        true => partial::standing(root, &destination).await?,
        false => Standing::Absent,
    };
    // A link is never written through: an overwrite replaces the link
    // itself (the part file is renamed over it), a new name leaves it be.
    if standing == Standing::Link
        && !matches!(spec.conflict, Conflict::Overwrite | Conflict::Rename)
    {
        return Ok(EventKind::Skipped {
            path: destination.to_string(),
            reason: "a symbolic link stands there: not followed (only an overwrite replaces it)"
                .into(),
        });
    }
    let mut in_place = standing == Standing::Other;
    let part_size = match local && !in_place {
        true => match partial::standing(root, &partial::part_of(&destination)).await? {
            Standing::File(n) => Some(n),
            _ => None,
        },
        false => None,
    };
    // A resume continues an earlier run's part file first.
    let existing = match (spec.conflict, part_size) {
        (Conflict::Resume, Some(n)) => Some(n),
        _ => existing,
    };

    // What the conflict policy makes of an existing destination.
    let mut append = spec.kind == Kind::Append;
    let mut offsets = Offsets {
        source: 0,
        destination: 0,
        append,
    };
    // A resume that finds the destination complete moves nothing.
    let mut complete_before = false;
    let mut renamed_to = None;
    if let Some(size) = existing
        && !append
    {
        let policy = match spec.conflict {
            Conflict::Ask => ask(ctx, &destination, source_size, size).await?,
            other => other,
        };
        match policy {
            Conflict::Ask => unreachable!("ask() answers with a policy"),
            Conflict::Overwrite => {}
            Conflict::Append => {
                append = true;
                offsets.append = true;
                in_place = true;
            }
            Conflict::Skip => {
                return Ok(EventKind::Skipped {
                    path: destination.to_string(),
                    reason: format!("exists ({size} bytes)"),
                });
            }
            Conflict::Rename => {
                destination = free_name(ends.destination(), &destination).await?;
                renamed_to =
                    Some(String::from_utf8_lossy(base_name(&destination.path)).into_owned());
            }
            Conflict::Resume if size <= source_size => {
                // Without a part file, the target is the partial file
                // (another tool's, or one the user chose to continue).
                in_place |= part_size.is_none();
                offsets.source = size;
                offsets.destination = size;
                complete_before = size == source_size;
            }
            Conflict::Resume => {
                return Err(Failure::permanent(format!(
                    "cannot resume: the destination has {size} bytes, more than the source's {source_size}"
                )));
            }
        }
    }
    // Where the bytes go until they verified.
    let work = if local && !in_place {
        let p = partial::part_of(&destination);
        *part = Some(p.clone());
        p
    } else {
        destination.clone()
    };
    if local && !complete_before {
        partial::check_space(&destination, source_size.saturating_sub(offsets.source)).await?;
    }
    // Where the policy starts. Until this job's own bytes are at the
    // destination, every new attempt starts here again: the destination's
    // size then still measures somebody else's file.
    let planned = offsets;
    // Append: everything is measured from what was there before.
    let base = if append { existing.unwrap_or(0) } else { 0 };
    let expected = base + source_size;

    // Decided before any byte moves: a copy that cannot be checked as asked
    // is not made.
    let digest = digest_to_compare(ctx, &mut ends, append)?;
    // The digest of the bytes the client carried, when it carried a whole
    // file: it stands for the client's own end, which then need not be read
    // again.
    let mut carried_digest: Option<String> = None;
    let pair = pair_key(spec, &destination);
    let mut refusals: Vec<String> = Vec::new();
    // Refusals at the transfer command, not yet known to be about the way.
    let mut unconfirmed: Vec<(Dialect, (End, u16), String)> = Vec::new();
    let mut queue: VecDeque<Transport> = VecDeque::new();
    let mut lstn_skipped = None;
    // Both FEATs are known: a way neither could speak is not announced,
    // only said why it was left out when nothing else remains.
    let rfc438 = [ends.source.as_deref(), ends.destination.as_deref()]
        .iter()
        .all(|c| c.is_some_and(|c| c.features().rfc438()));
    for t in transports {
        match t {
            Transport::Servers(Dialect::Lstn) if !rfc438 => {
                lstn_skipped = Some(lstn_unavailable(&ends));
            }
            Transport::Servers(d) => match ctx.shared.refused_before(&pair, d) {
                // Refused moments ago for this pair of servers: asking again
                // for every file of a tree only costs time.
                Some(why) => refusals.push(why),
                None => queue.push_back(t),
            },
            _ => queue.push_back(t),
        }
    }
    let Some(mut transport) = queue.pop_front() else {
        refusals.extend(lstn_skipped);
        return Err(Failure::permanent(refusals.join("; ")));
    };
    ctx.emit(EventKind::Started {
        mode: transport.mode(),
        total: Some(source_size),
        offset: offsets.source,
    });
    let mut retries_left = ctx.shared.settings.retries;
    let mut backoff = ctx.shared.settings.retry_backoff;
    // Whether the destination has taken bytes from this job: only then may
    // a new attempt resume from its size.
    let mut wrote = false;
    // How the bytes crossed, for the verified event ("TLS; the destination
    // was the TLS client (SSCN)").
    let mut protection = None;
    loop {
        let mut retried = false;
        let watch = Watch::new();
        watch.tell_writing(ctx.id, ctx.shared.events.clone());
        let in_flight = digest
            .filter(|_| {
                offsets.source == 0
                    && !offsets.append
                    && !matches!(transport, Transport::Servers(_))
            })
            .map(|a| Arc::new(std::sync::Mutex::new(Some(a.hasher()))));
        let pipelining_was_broken = ctx.shared.pipelining_broken(&pair.0);
        let result = if complete_before {
            Ok(None)
        } else {
            attempt(
                ctx,
                &mut ends,
                transport,
                spec,
                &work,
                offsets,
                base,
                source_size,
                &watch,
                in_flight.clone(),
            )
            .await
        };
        let result = result.map(|how| protection = how);
        if result.is_ok() {
            carried_digest = in_flight
                .and_then(|h| h.lock().expect("digest lock").take())
                .map(|h| h.finish());
        }
        if watch.began_writing() && !wrote {
            wrote = true;
            ctx.shared.mark_wrote(ctx.id);
        }
        let mut fresh_sessions = false;
        match result {
            Ok(()) => {
                if let Transport::Servers(d) = transport
                    && !complete_before
                {
                    ctx.shared.mark_worked(&pair, d);
                }
                if !complete_before {
                    for (d, _, why) in unconfirmed.drain(..) {
                        ctx.shared.remember_refusal(&pair, d, &why);
                    }
                }
                break;
            }
            Err(Failure::Cancelled) => {
                ends.discard();
                drop(ends);
                return Ok(cancelled(ctx, &work, existed, part.is_some()).await);
            }
            Err(Failure::Refused {
                description,
                clean,
                transfer_reply,
            }) => {
                let t = transport;
                match (t, transfer_reply) {
                    (Transport::Servers(d), None) => {
                        ctx.shared.remember_refusal(&pair, d, &description);
                    }
                    // Remembered for the pair only once another way
                    // carried the file: it may have been about the file.
                    (Transport::Servers(d), Some(reply)) => {
                        unconfirmed.push((d, reply, description.clone()));
                    }
                    _ => {}
                }
                if !refusals.contains(&description) {
                    refusals.push(description.clone());
                }
                if !clean {
                    ends.discard();
                    fresh_sessions = true;
                }
                let Some(next) = queue.pop_front() else {
                    return Err(Failure::permanent(refusals.join("; ")));
                };
                ctx.emit(EventKind::ModeChanged {
                    from: t.mode(),
                    to: next.mode(),
                    reason: description,
                });
                transport = next;
            }
            Err(Failure::Failed {
                reason,
                replies,
                transient,
                out_of_space,
                cause,
            }) => {
                ends.discard();
                // The relay met the refusal the servers met at the transfer
                // command: it was about the file, not the way.
                let confirmed = cause.as_ref().is_some_and(|(end, reply)| {
                    unconfirmed.iter().any(|(_, r, _)| *r == (*end, reply.code))
                });
                let transient = transient && !confirmed;
                let reason = match &cause {
                    Some((end, reply)) if confirmed => format!(
                        "the {end} answered {reply} server to server and through fxpc alike ({reason}; {})",
                        refusals.join("; ")
                    ),
                    _ => reason,
                };
                if let Some(why) = &out_of_space {
                    ctx.shared.mark_out_of_space(ctx.tree, why);
                }
                if !transient || retries_left == 0 {
                    return Err(Failure::Failed {
                        reason,
                        replies,
                        transient,
                        out_of_space,
                        cause,
                    });
                }
                if !pipelining_was_broken && ctx.shared.pipelining_broken(&pair.0) {
                    // Nothing went wrong but the order of the source's
                    // answers: the same way again at once, one command at
                    // a time, without spending a retry.
                    ctx.emit(EventKind::Retrying {
                        attempt: ctx.shared.settings.retries - retries_left,
                        reason,
                        after: None,
                    });
                } else {
                    retries_left -= 1;
                    ctx.emit(EventKind::Retrying {
                        attempt: ctx.shared.settings.retries - retries_left,
                        reason: reason.clone(),
                        after: Some(backoff),
                    });
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = ctx.cancel.cancelled() => return Ok(cancelled(ctx, &work, existed, part.is_some()).await),
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
                retried = true;
                fresh_sessions = true;
            }
        }
        if fresh_sessions {
            drop(ends);
            ends = checkout(ctx, &spec.source.site, &spec.destination.site).await?;
        } else if ends.any_abandoned() {
            // The other end's session goes back to its pool and is taken
            // again at once: only the abandoned one is dialled anew, and
            // two pools are entered in checkout's order (no deadlock).
            drop(ends);
            ends = checkout(ctx, &spec.source.site, &spec.destination.site).await?;
        }
        offsets = if wrote {
            let now = ends
                .destination()
                .size(&work.path)
                .await
                .map_err(|e| Failure::ftp(End::Destination, &e))?
                .unwrap_or(0);
            resume_offsets(append, base, now, source_size)
        } else {
            planned
        };
        if retried {
            // Say where the new try starts: the gauge jumps to what arrived.
            ctx.emit(EventKind::Started {
                mode: transport.mode(),
                total: Some(source_size),
                offset: offsets.source,
            });
        }
    }

    // Verify: the destination must exist, with the size it should have
    // (and the same digest, where both ends give one).
    let mut ends = Some(ends);
    // In a tree, one listing of the directory answers for all its files:
    // wait for it holding neither sessions nor a slot.
    let listed = match (digest, batch_of(ctx, &destination)) {
        (None, Some((dir, name))) => match ctx.shared.batches.ask(ctx.tree, dir, name) {
            Some(answer) => {
                ctx.asked_batch
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                ends = None;
                slot.take();
                answer.await.ok().flatten()
            }
            None => None,
        },
        _ => None,
    };
    let size = match listed {
        Some(n) if n == expected => n,
        // Not shown, or not as expected: the file's own SIZE decides.
        _ => {
            let ends = sessions(ctx, &mut ends, spec, &destination).await?;
            let size = ends
                .destination()
                .size(&work.path)
                .await
                .map_err(|e| Failure::ftp(End::Destination, &e))?;
            let Some(size) = size else {
                return Err(Failure::permanent(format!(
                    "verification failed: {destination} does not exist after the transfer, although the servers reported success"
                )));
            };
            if size != expected {
                return Err(Failure::permanent(if append {
                    format!(
                        "size check failed: destination has {size} bytes, expected {base} + {source_size} = {expected}"
                    )
                } else {
                    format!(
                        "size check failed: destination has {size} bytes, source has {source_size}"
                    )
                }));
            }
            size
        }
    };
    let check = match digest {
        Some(algorithm) => {
            let ends = sessions(ctx, &mut ends, spec, &destination).await?;
            compare_digests(ends, &spec.source, &work, algorithm, size, carried_digest).await?
        }
        None => Check::Size,
    };
    if part.is_some() {
        partial::promote(root, &work, &destination).await?;
    }
    let mut source_deleted = false;
    if spec.kind == Kind::Move {
        let ends = sessions(ctx, &mut ends, spec, &destination).await?;
        ends.source().delete(&spec.source.path).await.map_err(|e| {
            // Not retried: the copy is done, and a second try would copy
            // it again.
            match Failure::ftp(End::Source, &e)
                .context("copied and verified, but deleting the source failed")
            {
                Failure::Failed {
                    reason, replies, ..
                } => Failure::Failed {
                    reason,
                    replies,
                    transient: false,
                    out_of_space: None,
                    cause: None,
                },
                other => other,
            }
        })?;
        source_deleted = true;
    }
    Ok(EventKind::Verified {
        // Only the way that carried the bytes is named; none did here.
        mode: if complete_before {
            Mode::AlreadyComplete
        } else {
            transport.mode()
        },
        bytes: source_size,
        size,
        check,
        source_deleted,
        renamed_to,
        protection,
    })
}

/// Why LSTN/SOCK is not a way for these two ends.
fn lstn_unavailable(ends: &Ends) -> String {
    let speaks = |c: Option<&crate::ftp::Client>| c.is_some_and(|c| c.features().rfc438());
    let who = if speaks(ends.source.as_deref()) {
        "destination"
    } else {
        "source"
    };
    format!("the {who} does not advertise LSTN and SOCK in FEAT")
}

fn base_name(path: &[u8]) -> &[u8] {
    path.rsplit(|b| *b == b'/').next().unwrap_or(path)
}

/// Which two servers a copy runs between, for remembering refusals.
fn pair_key(spec: &JobSpec, destination: &Location) -> (String, String) {
    let key = |site: &Site| match site {
        Site::Ftp(s) => s.key(),
        Site::Local => String::new(),
    };
    (key(&spec.source.site), key(&destination.site))
}

/// Sessions for both ends and the sizes that decide the plan: the source's,
/// and the destination's when the policy needs it (overwriting a file does
/// not). A pooled session may have died while idle: a transient failure
/// here gets one more try on fresh sessions.
async fn probe(
    ctx: &Ctx,
    spec: &JobSpec,
    listed_size: Option<u64>,
) -> Result<(Ends, u64, Option<u64>), Failure> {
    let needs_existing = spec.kind == Kind::Append || spec.conflict != Conflict::Overwrite;
    let mut tries = 0;
    loop {
        tries += 1;
        let mut ends = checkout(ctx, &spec.source.site, &spec.destination.site).await?;
        let sizes = async {
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
            let existing = if needs_existing {
                ends.destination()
                    .size(&spec.destination.path)
                    .await
                    .map_err(|e| Failure::ftp(End::Destination, &e))?
            } else {
                None
            };
            Ok::<_, Failure>((source, existing))
        }
        .await;
        match sizes {
            Ok((source, existing)) => return Ok((ends, source, existing)),
            Err(Failure::Failed {
                transient: true, ..
            }) if tries < 2 => ends.discard(),
            Err(f) => return Err(f),
        }
    }
}

fn resume_offsets(append: bool, base: u64, now: u64, source_size: u64) -> Offsets {
    if append {
        let arrived = now.saturating_sub(base).min(source_size);
        Offsets {
            source: arrived,
            destination: 0,
            append: true,
        }
    } else if now <= source_size {
        Offsets {
            source: now,
            destination: now,
            append: false,
        }
    } else {
        Offsets {
            source: 0,
            destination: 0,
            append: false,
        }
    }
}

/// The ways to try, in order, for this pair of sites and `--via`.
fn transports(spec: &JobSpec) -> Result<Vec<Transport>, Failure> {
    use Transport::*;
    Ok(match (&spec.source.site, &spec.destination.site) {
        (Site::Local, Site::Local) => vec![Local],
        (Site::Ftp(_), Site::Local) => vec![Download],
        (Site::Local, Site::Ftp(_)) => vec![Upload],
        (Site::Ftp(_), Site::Ftp(_)) => match spec.via {
            // Whether LSTN is possible is known only once connected; an
            // `Lstn` entry for servers without it is skipped in `attempt`.
            Via::Auto => vec![
                Servers(Dialect::Lstn),
                Servers(Dialect::FxpDestinationPassive),
                Servers(Dialect::FxpSourcePassive),
                Relay,
            ],
            Via::Lstn => vec![Servers(Dialect::Lstn)],
            Via::Fxp => vec![
                Servers(Dialect::FxpDestinationPassive),
                Servers(Dialect::FxpSourcePassive),
            ],
            Via::Relay => vec![Relay],
        },
    })
}

/// One try with one transport, watched for progress and cancellation.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    ctx: &Ctx,
    ends: &mut Ends,
    transport: Transport,
    spec: &JobSpec,
    destination: &Location,
    offsets: Offsets,
    base: u64,
    total: u64,
    watch: &Arc<Watch>,
    digest: Option<Arc<std::sync::Mutex<Option<Hasher>>>>,
) -> Result<Option<String>, Failure> {
    watch.set_done(offsets.source);
    let source = match (&transport, &destination.site) {
        (Transport::Servers(_), Site::Ftp(site)) => Source::PollSize {
            site: site.clone(),
            path: destination.path.clone(),
            base,
        },
        _ => Source::Counted,
    };
    let stop = CancellationToken::new();
    let reporter = tokio::spawn(progress::report(
        ctx.id,
        Some(total),
        source,
        watch.clone(),
        ctx.shared.events.clone(),
        stop.clone(),
    ));
    let meters = relay::Meters {
        watch: watch.clone(),
        moved: ctx.shared.client_bytes.clone(),
        digest,
        announced: Some(total),
    };
    let stall = ctx.shared.settings.stall_timeout;
    let src_path = spec.source.path.as_slice();
    let dst_path = destination.path.as_slice();
    let work = async {
        match transport {
            Transport::Servers(dialect) => {
                let (Some(s), Some(d)) =
                    (ends.source.as_deref_mut(), ends.destination.as_deref_mut())
                else {
                    unreachable!("server-to-server needs two sessions")
                };
                if dialect == Dialect::Lstn && !(s.features().rfc438() && d.features().rfc438()) {
                    return Err(Failure::Refused {
                        description: lstn_unavailable(ends),
                        clean: true,
                        transfer_reply: None,
                    });
                }
                let may_redirect = |site: &Site| match site {
                    Site::Ftp(f) => f.allow_foreign_passive,
                    Site::Local => false,
                };
                let pipelining_broken = std::sync::atomic::AtomicBool::new(false);
                let plan = fxp::Plan {
                    source_path: src_path,
                    destination_path: dst_path,
                    append: offsets.append,
                    source_offset: offsets.source,
                    destination_offset: offsets.destination,
                    stall_timeout: stall,
                    connect_timeout: ctx.shared.settings.connect_timeout,
                    source_may_redirect: may_redirect(&spec.source.site),
                    destination_may_redirect: may_redirect(&destination.site),
                    pipeline: ctx
                        .shared
                        .worked_before(&pair_key(spec, destination), dialect)
                        && !ctx.shared.pipelining_broken(&pair_key(spec, destination).0),
                    pipelining_broken: &pipelining_broken,
                    clear_data_allowed: [&spec.source.site, &destination.site]
                        .iter()
                        .all(|site| matches!(site, Site::Ftp(f) if f.allow_clear_data)),
                };
                let how = fxp::run(dialect, s, d, &plan, watch).await;
                if pipelining_broken.load(std::sync::atomic::Ordering::Relaxed) {
                    ctx.shared
                        .mark_pipelining_broken(&pair_key(spec, destination).0);
                }
                let how = how?;
                if how.is_some() {
                    // A server that sends as a TLS client may close its TLS
                    // connection before the last records left (ProFTPD
                    // under TLS 1.3), and both ends still say 226: short
                    // bytes are a failure of this way between these two,
                    // and the next way continues from what arrived.
                    let expected = if offsets.append { base + total } else { total };
                    let arrived = d.size(dst_path).await.ok();
                    if arrived.is_some_and(|n| n < expected) {
                        d.abandon("a protected server-to-server copy arrived short");
                        return Err(Failure::Refused {
                            description: format!(
                                "the data arrived short over TLS ({} of {expected} bytes), although both servers reported success",
                                arrived.unwrap_or(0)
                            ),
                            clean: true,
                            transfer_reply: None,
                        });
                    }
                }
                Ok(how)
            }
            Transport::Relay | Transport::Download | Transport::Upload | Transport::Local => {
                let protected: Vec<bool> = [ends.source.as_deref(), ends.destination.as_deref()]
                    .into_iter()
                    .flatten()
                    .map(|c| c.protection().1)
                    .collect();
                let how = match protected.as_slice() {
                    [] => None,
                    all if all.iter().all(|p| *p) => Some("TLS".to_string()),
                    all if all.iter().any(|p| *p) => {
                        Some("TLS on one end, clear on the other".to_string())
                    }
                    _ => None,
                };
                // The two fields borrowed apart: both ends at once.
                relay::carry(
                    Endpoint::of(ends.source.as_deref_mut()),
                    src_path,
                    offsets.source,
                    Endpoint::of(ends.destination.as_deref_mut()),
                    dst_path,
                    offsets.append,
                    offsets.destination,
                    meters.clone(),
                    ctx.local_root.as_deref(),
                )
                .await
                .map(|_| how)
            }
        }
    };
    let result = tokio::select! {
        r = work => r,
        () = ctx.cancel.cancelled() => Err(Failure::Cancelled),
    };
    if matches!(result, Err(Failure::Cancelled)) {
        // ABOR both sides so the servers stop at once, not at their timeout.
        for s in [&mut ends.source, &mut ends.destination]
            .into_iter()
            .flatten()
        {
            let _ = tokio::time::timeout(Duration::from_secs(5), s.abort()).await;
        }
    }
    stop.cancel();
    let _ = reporter.await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_offsets_follow_what_arrived() {
        let o = resume_offsets(false, 0, 400, 1000);
        assert_eq!((o.source, o.destination, o.append), (400, 400, false));
        let o = resume_offsets(true, 100, 400, 1000);
        assert_eq!((o.source, o.destination, o.append), (300, 0, true));
        let o = resume_offsets(false, 0, 2000, 1000);
        assert_eq!(
            (o.source, o.destination),
            (0, 0),
            "a larger destination restarts"
        );
    }
}
