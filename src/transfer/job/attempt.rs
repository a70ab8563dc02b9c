//! The attempt step: the plan's ways in order, each attempt watched for
//! progress and cancellation; a refused way gives the next one its turn,
//! a transient failure a retry after a pause. A new attempt continues from
//! the destination's size only once this job has written there
//! ([`Plan::offsets_after`](super::plan::Plan::offsets_after)).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::FileJob;
use super::existing::cancelled;
use super::plan::Offsets;
use crate::ftp::hash::Hasher;
use crate::transfer::error::{End, Failure};
use crate::transfer::sessions::endpoint::Endpoint;
use crate::transfer::sessions::site::Site;
use crate::transfer::ways::fxp::{self, Dialect};
use crate::transfer::ways::progress::{self, Source, Watch};
use crate::transfer::ways::refusal::Refusal;
use crate::transfer::ways::{Transport, relay};
use crate::transfer::{EventKind, Mode, WayRefused, Why};

/// What the attempts came to.
pub(super) enum Carry {
    Done(Carried),
    /// Cancelled: the final event, with what is left.
    Cancelled(EventKind),
}

/// How the bytes that verify next arrived.
pub(super) struct Carried {
    /// The way that carried them; `None` when a resume found the
    /// destination whole and nothing moved.
    pub way: Option<Transport>,
    /// How they were protected ("TLS; the destination was the TLS client
    /// (SSCN)"), for the verified event.
    pub protection: Option<String>,
    /// The digest of the bytes the client carried, when it carried a whole
    /// file: it stands for the client's own end, which then need not be
    /// read again.
    pub digest: Option<String>,
}

impl Carried {
    pub(super) fn mode(&self) -> Mode {
        self.way.map_or(Mode::AlreadyComplete, Transport::mode)
    }
}

/// What the attempts so far taught the job.
struct Tries {
    way: Transport,
    retries_left: u32,
    backoff: Duration,
    /// Whether the destination has taken bytes from this job: only then may
    /// a new attempt resume from its size.
    wrote: bool,
    /// Every refusal, said if no way carries the file.
    refusals: Vec<Refusal>,
    /// Refusals at the transfer command, not yet known to be about the way
    /// rather than the file.
    unconfirmed: Vec<(Dialect, (End, u16), Refusal)>,
    /// The last attempt found the source answering a pipelined `PORT` and
    /// `RETR` out of order.
    pipelining_just_broke: bool,
    /// The reply that failed the last attempt: the same words from the
    /// same end twice are meant (ProFTPD's `451 Append/Restart not
    /// permitted, try again`), however transient their code: with four
    /// retries, ProFTPD refusing an append took 16 s.
    last_cause: Option<(End, u16, String)>,
}

/// After an attempt that did not carry the file.
enum Next {
    /// Try again: with a new way (`retried: false`) or the same after a
    /// failure (`true`: said with a new `Started`).
    Again {
        retried: bool,
    },
    Stop(Result<Carry, Failure>),
}

impl FileJob<'_> {
    /// Tries the plan's ways until one carries the file.
    pub(super) async fn carry(&mut self) -> Result<Carry, Failure> {
        if let Some(why) = self.plan.no_way() {
            return Err(Failure::permanent(why));
        }
        let way = self.plan.ways.pop_front().expect("a way is left");
        let settings = &self.ctx.shared.settings;
        let mut tries = Tries {
            way,
            retries_left: settings.retries,
            backoff: settings.retry_backoff,
            wrote: false,
            refusals: self.plan.refused.clone(),
            unconfirmed: Vec::new(),
            pipelining_just_broke: false,
            last_cause: None,
        };
        let mut offsets = self.plan.offsets;
        self.started(way, offsets);
        loop {
            let (result, digest) = self.watched(tries.way, offsets, &mut tries).await;
            let pair = super::pair_key(self.spec);
            let next = match result {
                Ok(protection) => {
                    self.carried(&mut tries);
                    let way = (!self.plan.complete).then_some(tries.way);
                    return Ok(Carry::Done(Carried {
                        way,
                        protection,
                        digest,
                    }));
                }
                Err(Failure::Cancelled) => {
                    self.discard_ends();
                    return Ok(Carry::Cancelled(self.cancelled().await));
                }
                Err(Failure::Refused { refusal, clean }) => {
                    self.refused(&mut tries, &pair, *refusal, clean)
                }
                Err(f @ Failure::Failed { .. }) => self.failed_attempt(&mut tries, f).await,
            };
            let retried = match next {
                Next::Again { retried } => retried,
                Next::Stop(end) => return end,
            };
            if self.ends.as_ref().is_some_and(|e| e.any_abandoned()) {
                // The other end's session goes back to its pool and is taken
                // again at once: only the abandoned one is dialled anew.
                self.ends = None;
            }
            offsets = loop {
                // Sessions for the next try: an end that cannot be reached
                // yet (a server restarting) is one more failed attempt,
                // paused and tried again while retries are left — it
                // used to end the job at once.
                let ready = match self.ends().await {
                    Ok(_) => self.offsets_now(tries.wrote).await,
                    Err(f) => Err(f),
                };
                match ready {
                    Ok(offsets) => break offsets,
                    Err(f @ Failure::Failed { .. }) => {
                        tries.pipelining_just_broke = false;
                        match self.failed_attempt(&mut tries, f).await {
                            Next::Again { .. } => continue,
                            Next::Stop(end) => return end,
                        }
                    }
                    Err(f) => return Err(f),
                }
            };
            if retried {
                // Say where the new try starts: the gauge jumps to what arrived.
                self.started(tries.way, offsets);
            }
        }
    }

    fn started(&self, way: Transport, offsets: Offsets) {
        self.ctx.emit(EventKind::Started {
            mode: way.mode(),
            total: Some(self.source_size),
            offset: offsets.source,
        });
    }

    /// Where the next attempt starts: where the plan said, until this job
    /// wrote at the destination; then from what arrived.
    async fn offsets_now(&mut self, wrote: bool) -> Result<Offsets, Failure> {
        let written = match wrote {
            false => None,
            true => {
                let work = self.work.path.clone();
                let size = self.ends().await?.destination().size(&work).await;
                Some(
                    size.map_err(|e| Failure::ftp(End::Destination, &e))?
                        .unwrap_or(0),
                )
            }
        };
        Ok(self.plan.offsets_after(written, self.source_size))
    }

    /// One attempt with one way (none when the plan found the file whole),
    /// and the digest of the bytes the client carried, if it carried all.
    async fn watched(
        &mut self,
        way: Transport,
        offsets: Offsets,
        tries: &mut Tries,
    ) -> (Result<Option<String>, Failure>, Option<String>) {
        let watch = Watch::new();
        watch.tell_writing(self.ctx.id, self.ctx.shared.events.clone());
        let in_flight = self
            .digest
            .filter(|_| offsets.source == 0 && !offsets.append && !way.between_servers())
            .map(|a| Arc::new(std::sync::Mutex::new(Some(a.hasher()))));
        let source_key = super::pair_key(self.spec).0;
        let pipelining_was_broken = self.ctx.shared.learned.pipelining_broken(&source_key);
        let result = match self.plan.complete {
            true => Ok(None),
            false => self.attempt(way, offsets, &watch, in_flight.clone()).await,
        };
        let digest = match result.is_ok() {
            true => in_flight
                .and_then(|h| h.lock().expect("digest lock").take())
                .map(|h| h.finish()),
            false => None,
        };
        tries.pipelining_just_broke =
            !pipelining_was_broken && self.ctx.shared.learned.pipelining_broken(&source_key);
        if watch.began_writing() && !tries.wrote {
            tries.wrote = true;
            self.ctx.shared.written.mark_wrote(self.ctx.id);
        }
        (result, digest)
    }

    /// A way carried the file: what it taught about the pair of servers.
    fn carried(&mut self, tries: &mut Tries) {
        if self.plan.complete {
            return;
        }
        let pair = super::pair_key(self.spec);
        if let Transport::Servers(d) = tries.way {
            self.ctx.shared.learned.mark_worked(&pair, d);
        }
        for (d, _, why) in tries.unconfirmed.drain(..) {
            self.ctx.shared.learned.remember_refusal(&pair, d, &why);
        }
    }

    /// The final event of a cancelled job. Its sessions go first: they
    /// are in no state to ask, and the question is asked within the
    /// site's limit.
    async fn cancelled(&mut self) -> EventKind {
        self.discard_ends();
        cancelled(self.ctx, &self.work, self.plan.existed, self.plan.part).await
    }

    /// A way was refused: the next one, if any is left.
    fn refused(
        &mut self,
        tries: &mut Tries,
        pair: &(String, String),
        refusal: Refusal,
        clean: bool,
    ) -> Next {
        match (tries.way, refusal.at_transfer()) {
            (Transport::Servers(d), None) => {
                self.ctx.shared.learned.remember_refusal(pair, d, &refusal);
            }
            // Remembered for the pair only once another way carried the
            // file: it may have been about the file.
            (Transport::Servers(d), Some(reply)) => {
                tries.unconfirmed.push((d, reply, refusal.clone()));
            }
            _ => {}
        }
        // Said once, however many ways met the same words.
        let said = refusal.to_string();
        if !tries.refusals.iter().any(|r| r.to_string() == said) {
            tries.refusals.push(refusal.clone());
        }
        if !clean {
            self.discard_ends();
        }
        let Some(next) = self.plan.ways.pop_front() else {
            return Next::Stop(Err(Failure::permanent(Why::EveryWayRefused(ways_refused(
                &tries.refusals,
            )))));
        };
        self.ctx.emit(EventKind::ModeChanged {
            from: tries.way.mode(),
            to: next.mode(),
            reason: Why::Refused(refusal.into()),
        });
        tries.way = next;
        Next::Again { retried: false }
    }

    /// An attempt failed: the same way again after a pause, while the
    /// failure is transient and retries are left.
    async fn failed_attempt(&mut self, tries: &mut Tries, failure: Failure) -> Next {
        let Failure::Failed {
            reason,
            replies,
            transient,
            out_of_space,
            cause,
        } = failure
        else {
            unreachable!("only a failed attempt is retried")
        };
        self.discard_ends();
        // The relay met the refusal the servers met at the transfer
        // command: it was about the file, not the way.
        let confirmed = cause.as_ref().is_some_and(|(end, reply)| {
            tries
                .unconfirmed
                .iter()
                .any(|(_, r, _)| *r == (*end, reply.code))
        });
        // A busy server (421) and a data connection that did not open
        // (425, 426) are waited out however often they are said.
        let said_again = cause.as_ref().is_some_and(|(end, reply)| {
            let now = (*end, reply.code, reply.message());
            let again =
                tries.last_cause.as_ref() == Some(&now) && !matches!(reply.code, 421 | 425 | 426);
            tries.last_cause = Some(now);
            again
        });
        let transient = transient && !confirmed && !said_again;
        let reason = match &cause {
            Some((end, reply)) if confirmed => Box::new(Why::AboutTheFile {
                end: *end,
                reply: reply.clone(),
                why: reason,
                refusals: ways_refused(&tries.refusals),
            }),
            _ => reason,
        };
        let ctx = self.ctx;
        if let Some(why) = &out_of_space {
            ctx.shared.written.mark_out_of_space(ctx.tree, why);
        }
        if !transient || tries.retries_left == 0 {
            // Said either way: a full disk is not tried again (space will
            // not come back by itself during the copy).
            let reason = match &out_of_space {
                Some(_) => Box::new(Why::NoSpace(reason)),
                None => reason,
            };
            return Next::Stop(Err(Failure::Failed {
                reason,
                replies,
                transient,
                out_of_space,
                cause,
            }));
        }
        let retries = ctx.shared.settings.retries;
        if tries.pipelining_just_broke {
            // Nothing went wrong but the order of the source's answers: the
            // same way again at once, one command at a time, without
            // spending a retry.
            ctx.emit(EventKind::Retrying {
                attempt: retries - tries.retries_left,
                reason: *reason,
                after: None,
            });
            return Next::Again { retried: true };
        }
        tries.retries_left -= 1;
        let attempt = retries - tries.retries_left;
        if !super::pause_before_retry(ctx, attempt, *reason, &mut tries.backoff).await {
            return Next::Stop(Ok(Carry::Cancelled(self.cancelled().await)));
        }
        Next::Again { retried: true }
    }

    /// One try with one way, watched for progress and cancellation.
    async fn attempt(
        &mut self,
        way: Transport,
        offsets: Offsets,
        watch: &Arc<Watch>,
        digest: Option<Arc<std::sync::Mutex<Option<Hasher>>>>,
    ) -> Result<Option<String>, Failure> {
        let ctx = self.ctx;
        watch.set_done(offsets.source);
        let source = match (&way, &self.work.site) {
            (Transport::Servers(_), Site::Ftp(site)) => Source::PollSize {
                pool: ctx.shared.pool(site),
                path: self.work.path.clone(),
                base: self.plan.base,
            },
            _ => Source::Counted,
        };
        let stop = CancellationToken::new();
        let reporter = tokio::spawn(progress::report(
            ctx.id,
            Some(self.source_size),
            source,
            watch.clone(),
            ctx.shared.events.clone(),
            stop.clone(),
        ));
        let work = async {
            match way {
                Transport::Servers(dialect) => self.exchange(dialect, offsets, watch).await,
                _ => self.relay(offsets, watch, digest).await,
            }
        };
        let result = tokio::select! {
            r = work => r,
            () = ctx.cancel.cancelled() => Err(Failure::Cancelled),
        };
        if matches!(result, Err(Failure::Cancelled))
            && let Some(ends) = self.ends.as_mut()
        {
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

    /// Two servers exchange the file directly.
    async fn exchange(
        &mut self,
        dialect: Dialect,
        offsets: Offsets,
        watch: &Arc<Watch>,
    ) -> Result<Option<String>, Failure> {
        let ctx = self.ctx;
        let pair = super::pair_key(self.spec);
        let ends = self.ends.as_mut().expect("an attempt holds its ends");
        if dialect == Dialect::Lstn
            && let Err(refusal) = super::lstn_unavailable(ends)
        {
            return Err(Failure::Refused {
                refusal: Box::new(refusal),
                clean: true,
            });
        }
        let (Some(s), Some(d)) = (ends.source.as_deref_mut(), ends.destination.as_deref_mut())
        else {
            unreachable!("server-to-server needs two sessions")
        };
        let may_redirect = |site: &Site| match site {
            Site::Ftp(f) => f.allow_foreign_passive,
            Site::Local => false,
        };
        let (source, destination) = (&self.spec.source, &self.work);
        let pipelining_broken = std::sync::atomic::AtomicBool::new(false);
        let plan = fxp::Plan {
            source_path: &source.path,
            destination_path: &destination.path,
            append: offsets.append,
            source_offset: offsets.source,
            destination_offset: offsets.destination,
            stall_timeout: ctx.shared.settings.stall_timeout,
            connect_timeout: ctx.shared.settings.connect_timeout,
            source_may_redirect: may_redirect(&source.site),
            destination_may_redirect: may_redirect(&destination.site),
            pipeline: ctx.shared.learned.worked_before(&pair, dialect)
                && !ctx.shared.learned.pipelining_broken(&pair.0),
            pipelining_broken: &pipelining_broken,
            clear_data_allowed: [&source.site, &destination.site]
                .iter()
                .all(|site| matches!(site, Site::Ftp(f) if f.allow_clear_data)),
        };
        let how = fxp::run(dialect, s, d, &plan, watch).await;
        if pipelining_broken.load(std::sync::atomic::Ordering::Relaxed) {
            ctx.shared.learned.mark_pipelining_broken(&pair.0);
        }
        let how = how?;
        if how.is_some() {
            // A server that sends as a TLS client may close its TLS
            // connection before the last records left (ProFTPD under TLS
            // 1.3), and both ends still say 226: short bytes are a failure
            // of this way between these two, and the next way continues
            // from what arrived.
            let expected = match offsets.append {
                true => self.plan.base + self.source_size,
                false => self.source_size,
            };
            let arrived = d.size(&destination.path).await.ok();
            if arrived.is_some_and(|n| n < expected) {
                d.abandon("a protected server-to-server copy arrived short");
                return Err(Failure::Refused {
                    refusal: Box::new(Refusal::ArrivedShort {
                        arrived: arrived.unwrap_or(0),
                        expected,
                    }),
                    clean: true,
                });
            }
        }
        Ok(how)
    }

    /// The client carries the bytes: a relay between two servers, an
    /// upload, a download or a local copy.
    async fn relay(
        &mut self,
        offsets: Offsets,
        watch: &Arc<Watch>,
        digest: Option<Arc<std::sync::Mutex<Option<Hasher>>>>,
    ) -> Result<Option<String>, Failure> {
        let ctx = self.ctx;
        let ends = self.ends.as_mut().expect("an attempt holds its ends");
        let protected: Vec<bool> = [ends.source.as_deref(), ends.destination.as_deref()]
            .into_iter()
            .flatten()
            .map(|c| c.protection().1)
            .collect();
        let how = match protected.as_slice() {
            [] => None,
            all if all.iter().all(|p| *p) => Some("TLS".to_string()),
            all if all.iter().any(|p| *p) => Some("TLS on one end, clear on the other".to_string()),
            _ => None,
        };
        let meters = relay::Meters {
            watch: watch.clone(),
            moved: ctx.shared.client_bytes.clone(),
            digest,
            announced: Some(self.source_size),
        };
        // The two fields borrowed apart: both ends at once.
        relay::carry(
            Endpoint::of(ends.source.as_deref_mut()),
            &self.spec.source.path,
            offsets.source,
            Endpoint::of(ends.destination.as_deref_mut()),
            &self.work.path,
            offsets.append,
            offsets.destination,
            meters,
            ctx.local_root.as_deref(),
        )
        .await
        .map(|_| how)
    }
}

/// Refusals in words, in the order they came.
fn ways_refused(refusals: &[Refusal]) -> Vec<WayRefused> {
    refusals.iter().cloned().map(WayRefused::from).collect()
}

pub(super) fn words(refusals: &[Refusal]) -> String {
    refusals
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
