//! Progress of a running file. Through the client, bytes are counted on the
//! stream; between two servers they never pass here, so a separate, short-
//! lived connection asks the destination its `SIZE` about twice a second
//! (never `STAT` on the busy connection: vsftpd answers it with 500).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::transfer::sessions::pool::{PollUser, Polled, Pool};
use crate::transfer::{Event, EventKind, JobId};

pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Without a way to see bytes arrive, wait this many stall timeouts.
const UNMEASURED_STALL_FACTOR: u32 = 60;
/// How long a destination may show no growth at all, from the start,
/// before its size is taken to say nothing about the transfer.
const HIDDEN_AFTER: Duration = Duration::from_secs(3);
/// The window the rate is averaged over.
const RATE_WINDOW: Duration = Duration::from_secs(3);

/// Shared between the transfer (which may count bytes), the reporter, and
/// the stall watchdog.
pub(crate) struct Watch {
    start: Instant,
    done: AtomicU64,
    /// Milliseconds after `start` when `done` last grew.
    grew_at_ms: AtomicU64,
    /// Cleared when progress cannot be measured (no extra connection):
    /// silence then says nothing about a stall.
    measurable: AtomicBool,
    /// Set once the destination has started taking this attempt's data
    /// (it answered the store command with `1xx`, or the local file was
    /// opened for writing): from then on its bytes are this job's, and only
    /// then may a retry resume from its size.
    writing: AtomicBool,
    /// Set once the data connection is known to be up (the listening side
    /// said `1xx`, or bytes moved): until then silence is a refusal.
    connected: AtomicBool,
    /// Set once the destination was seen to grow between two readings.
    moved: AtomicBool,
    /// Who hears at once that the destination took the job's bytes (the
    /// journal must know before a crash can come).
    tell_writing: std::sync::OnceLock<(JobId, UnboundedSender<Event>)>,
}

impl Watch {
    pub(crate) fn new() -> Arc<Watch> {
        Arc::new(Watch {
            start: Instant::now(),
            done: AtomicU64::new(0),
            grew_at_ms: AtomicU64::new(0),
            measurable: AtomicBool::new(true),
            writing: AtomicBool::new(false),
            connected: AtomicBool::new(false),
            moved: AtomicBool::new(false),
            tell_writing: std::sync::OnceLock::new(),
        })
    }

    /// Sends `Writing` for `job` on `events` the moment the destination
    /// starts taking its bytes.
    pub(crate) fn tell_writing(&self, job: JobId, events: UnboundedSender<Event>) {
        let _ = self.tell_writing.set((job, events));
    }

    fn set_writing(&self) {
        if !self.writing.swap(true, Ordering::Relaxed)
            && let Some((job, events)) = self.tell_writing.get()
        {
            let _ = events.send(Event {
                job: *job,
                kind: EventKind::Writing,
            });
        }
    }

    pub(crate) fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    pub(crate) fn set_done(&self, n: u64) {
        if n > self.done.swap(n, Ordering::Relaxed) {
            self.grew_at_ms
                .store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
        }
    }

    /// Growth seen after the start: the data connection exists and the
    /// destination writes.
    fn grew(&self) {
        self.moved.store(true, Ordering::Relaxed);
        self.connected.store(true, Ordering::Relaxed);
        self.set_writing();
    }

    /// Whether the destination was seen growing during this attempt.
    pub(crate) fn saw_growth(&self) -> bool {
        self.moved.load(Ordering::Relaxed)
    }

    pub(crate) fn mark_writing(&self) {
        self.set_writing();
    }

    pub(crate) fn began_writing(&self) -> bool {
        self.writing.load(Ordering::Relaxed)
    }

    pub(crate) fn mark_connected(&self) {
        self.connected.store(true, Ordering::Relaxed);
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    pub(crate) fn add(&self, n: u64) {
        self.set_done(self.done() + n);
    }

    pub(crate) fn set_unmeasurable(&self) {
        self.measurable.store(false, Ordering::Relaxed);
    }

    /// How long a silent transfer may go on before it counts as stalled:
    /// `stall` while progress is measured; when it cannot be, a limit as
    /// generous as a large file needs, but still finite.
    pub(crate) fn stall_limit(&self, stall: Duration) -> Duration {
        if self.measurable.load(Ordering::Relaxed) {
            stall
        } else {
            stall * UNMEASURED_STALL_FACTOR
        }
    }

    /// How long since anything moved (or since the start).
    pub(crate) fn stalled_for(&self) -> Duration {
        let grew = Duration::from_millis(self.grew_at_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(grew)
    }
}

/// Where the reporter learns how far a transfer is.
pub(crate) enum Source {
    /// Bytes counted on a stream through the client.
    Counted,
    /// `SIZE` of the destination file on the site's polling session
    /// (within its limit, shared by its transfers), minus what was there
    /// before the transfer. Asked only once the transfer has run for a
    /// while: a small file is done before a login would be.
    PollSize {
        pool: Arc<Pool>,
        path: Vec<u8>,
        base: u64,
    },
    /// No way to measure: time only.
    Elapsed,
}

/// Rate over a sliding window, and the ETA it implies.
pub(crate) struct Meter {
    samples: VecDeque<(Instant, u64)>,
}

impl Meter {
    pub(crate) fn new() -> Meter {
        Meter {
            samples: VecDeque::new(),
        }
    }

    pub(crate) fn update(
        &mut self,
        now: Instant,
        done: u64,
        total: Option<u64>,
    ) -> (f64, Option<Duration>) {
        self.samples.push_back((now, done));
        while let Some(&(t, _)) = self.samples.front() {
            if now.duration_since(t) > RATE_WINDOW && self.samples.len() > 2 {
                self.samples.pop_front();
            } else {
                break;
            }
        }
        let (t0, d0) = self.samples.front().copied().unwrap_or((now, done));
        let secs = now.duration_since(t0).as_secs_f64();
        let rate = if secs > 0.0 {
            done.saturating_sub(d0) as f64 / secs
        } else {
            0.0
        };
        let eta = match total {
            Some(t) if rate > 0.0 && t >= done => {
                Some(Duration::from_secs_f64((t - done) as f64 / rate))
            }
            _ => None,
        };
        (rate, eta)
    }
}

/// Emits `Progress` events until `stop` is cancelled.
pub(crate) async fn report(
    job: JobId,
    total: Option<u64>,
    mut source: Source,
    watch: Arc<Watch>,
    events: UnboundedSender<Event>,
    stop: CancellationToken,
) {
    let mut meter = Meter::new();
    let mut ticker = tokio::time::interval(POLL_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut polling: Option<PollUser> = None;
    let mut last_polled: Option<u64> = None;
    let mut ticks = 0u32;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = stop.cancelled() => break,
        }
        ticks += 1;
        let measured = match &source {
            Source::Counted => true,
            Source::PollSize { .. } if ticks < POLLER_AFTER_TICKS => true,
            Source::PollSize { pool, path, base } => {
                let user = polling.get_or_insert_with(|| pool.poll_user());
                if !poll(user, path, *base, &watch, &mut last_polled).await {
                    // No longer one of the site's pollers: its session
                    // goes back once the others are done with it.
                    polling = None;
                    watch.set_unmeasurable();
                    source = Source::Elapsed;
                    continue;
                }
                true
            }
            Source::Elapsed => false,
        };
        let done = watch.done();
        let (rate, eta) = meter.update(Instant::now(), done, total);
        let _ = events.send(Event {
            job,
            kind: EventKind::Progress {
                done,
                total,
                rate,
                eta,
                measured,
                elapsed: watch.start.elapsed(),
            },
        });
    }
}

/// The second tick (about a second in): transfers shorter than that never
/// cost an extra login.
const POLLER_AFTER_TICKS: u32 = 2;

/// One reading of the destination's size; `false` when sizes cannot
/// measure this transfer: no session is free within the site's limit
/// (every slot carries a copy), or the size does not move where we look.
async fn poll(
    user: &PollUser,
    path: &[u8],
    base: u64,
    watch: &Watch,
    last: &mut Option<u64>,
) -> bool {
    match user.pool().poll_size(path).await {
        Polled::Size(size) => {
            if judge_size(watch, size, *last) == Reading::Hidden {
                return false;
            }
            *last = Some(size);
            watch.set_done(size.saturating_sub(base));
            true
        }
        Polled::Nothing => true,
        Polled::NoSession => false,
    }
}

#[derive(PartialEq)]
enum Reading {
    Measured,
    /// The size does not move where we look: the destination writes under
    /// a hidden name.
    Hidden,
}

/// What a polled size says of the transfer. Only growth between two of our
/// own readings proves the destination writes: a first reading may still
/// be the old file's size.
fn judge_size(watch: &Watch, size: u64, last: Option<u64>) -> Reading {
    if last.is_some_and(|before| size > before) {
        watch.grew();
    } else if last.is_some() && !watch.saw_growth() && watch.stalled_for() >= HIDDEN_AFTER {
        // A destination that writes under a hidden name until the end
        // (ProFTPD's HiddenStores, Pure-FTPd's --notruncate, fxpc serve
        // over an existing file) never grows where we look: its silence
        // is no stall.
        tracing::info!(
            "the destination's size does not move: it may write under a hidden name; progress is not measured"
        );
        return Reading::Hidden;
    }
    Reading::Measured
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_eta_over_the_window() {
        let mut m = Meter::new();
        let t0 = Instant::now();
        m.update(t0, 0, Some(1000));
        let (rate, eta) = m.update(t0 + Duration::from_secs(1), 100, Some(1000));
        assert!((rate - 100.0).abs() < 1e-6);
        assert_eq!(eta, Some(Duration::from_secs(9)));
        // Old samples fall out of the window: the rate follows the recent pace.
        for s in 2..10u64 {
            m.update(t0 + Duration::from_secs(s), 100 + (s - 1) * 10, Some(1000));
        }
        let (rate, _) = m.update(t0 + Duration::from_secs(10), 190, Some(1000));
        assert!((rate - 10.0).abs() < 0.01, "{rate}");
    }

    /// A resumed file starts at its offset: those bytes were there before
    /// and are neither rate nor a reason for a short ETA. An early burst
    /// (buffers filling) leaves the window, so the ETA follows the pace of
    /// the last seconds, not the fastest moment.
    #[test]
    fn a_resumed_offset_and_an_early_burst_do_not_shorten_the_eta() {
        const K: u64 = 1024;
        let (offset, total) = (15 * K * K, 20 * K * K);
        let mut m = Meter::new();
        let t0 = Instant::now();
        let (rate, eta) = m.update(t0, offset, Some(total));
        assert_eq!((rate, eta), (0.0, None), "nothing moved yet");
        // 512 KiB in the first half second: a burst at four times the pace.
        let mut done = offset + 512 * K;
        m.update(t0 + Duration::from_millis(500), done, Some(total));
        // Then 256 KiB/s, sampled twice a second.
        for tick in 2..=10u64 {
            done += 128 * K;
            let now = t0 + Duration::from_millis(500 * tick);
            let (rate, eta) = m.update(now, done, Some(total));
            // Never above the average since the offset: no peak.
            let average = (done - offset) as f64 / (tick as f64 / 2.0);
            assert!(rate <= average + 1e-6, "{tick}: {rate} > {average}");
            let secs = (total - done) as f64 / rate;
            assert_eq!(eta, Some(Duration::from_secs_f64(secs)));
        }
        // The burst is older than the window now: the pace alone.
        let (rate, eta) = m.update(
            t0 + Duration::from_millis(5500),
            done + 128 * K,
            Some(total),
        );
        assert!((rate - 256.0 * K as f64).abs() < 1.0, "{rate}");
        let left = (total - done - 128 * K) as f64 / (256 * K) as f64;
        assert!((eta.unwrap().as_secs_f64() - left).abs() < 0.01, "{eta:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn watch_measures_stalls() {
        let w = Watch::new();
        tokio::time::advance(Duration::from_secs(3)).await;
        assert!(w.stalled_for() >= Duration::from_secs(3));
        w.add(10);
        assert!(w.stalled_for() < Duration::from_millis(10));
        w.set_done(10);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(
            w.stalled_for() >= Duration::from_secs(1),
            "no growth, no reset"
        );
    }
}
