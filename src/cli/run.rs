//! The loop `cp`, `mirror` and `queue resume` share once their jobs are
//! submitted: the engine's events into the journal and onto the screen
//! until the engine is idle.

use fxpc::transfer::journal::Recorder;
use fxpc::transfer::{Engine, Event, JobId};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::cli::view::CpView;

/// What a Ctrl-C does while the jobs run.
pub(crate) enum OnInterrupt<'a> {
    /// Cancel the files the view shows unfinished, then these jobs (a
    /// tree's root stops its walk); the journal records them as
    /// cancelled.
    Cancel(&'a [JobId]),
    /// Not caught: the process ends, and the journal keeps its items as
    /// running for the next `fxpc queue resume` (cancelling would mark
    /// them done with).
    Exit,
}

/// Follows the engine's events into the journal and the view until every
/// job ended, then takes those already sent. Returns whether a Ctrl-C
/// cancelled the jobs.
pub(crate) async fn follow(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    tap: &mut Recorder,
    view: &mut CpView,
    on_interrupt: OnInterrupt<'_>,
) -> bool {
    let catch = matches!(on_interrupt, OnInterrupt::Cancel(_));
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    let mut interrupted = false;
    loop {
        tokio::select! {
            Some(event) = events.recv() => {
                tap.event(&event);
                view.show(&event);
            }
            () = &mut idle => {
                // What the sessions still owe (kept times sent without
                // waiting) is read before the process ends.
                engine.close_idle_sessions().await;
                break;
            }
            _ = tokio::signal::ctrl_c(), if catch && !interrupted => {
                interrupted = true;
                if let OnInterrupt::Cancel(jobs) = on_interrupt {
                    for job in view.running() {
                        engine.cancel(job);
                    }
                    for &job in jobs {
                        engine.cancel(job);
                    }
                }
            }
        }
    }
    while let Ok(event) = events.try_recv() {
        tap.event(&event);
        view.show(&event);
    }
    interrupted
}
