//! Running transfer-engine jobs in tests and reading what they reported.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use fxpc::ftp::{Login, Options};
use fxpc::transfer::{
    Conflict, Engine, Event, EventKind, FtpSite, JobSpec, Kind, Location, Mode, Settings, Via,
};
use tokio::sync::mpsc::UnboundedReceiver;

/// An anonymous FTP site at `addr`.
pub fn site(addr: SocketAddr) -> Arc<FtpSite> {
    site_as(addr, Login::default())
}

pub fn site_as(addr: SocketAddr, login: Login) -> Arc<FtpSite> {
    Arc::new(FtpSite {
        host: addr.ip().to_string(),
        port: addr.port(),
        login,
        options: Options {
            reply_timeout: Duration::from_secs(20),
            ..Options::default()
        },
        max_connections: 2,
        allow_foreign_passive: false,
        allow_clear_data: false,
    })
}

/// Settings for tests: quick to give up and quick to retry.
pub fn settings() -> Settings {
    Settings {
        parallel: 4,
        retries: 2,
        retry_backoff: Duration::from_millis(200),
        stall_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        ..Settings::default()
    }
}

pub fn copy(source: Location, destination: Location, via: Via) -> JobSpec {
    JobSpec {
        source,
        destination,
        kind: Kind::Copy,
        recursive: false,
        conflict: Conflict::Overwrite,
        via,
    }
}

/// Submits one job and collects every event until the engine is idle.
pub async fn run(
    engine: &Engine,
    events: &mut UnboundedReceiver<Event>,
    spec: JobSpec,
) -> Vec<Event> {
    engine.submit(spec);
    collect(engine, events).await
}

pub async fn collect(engine: &Engine, events: &mut UnboundedReceiver<Event>) -> Vec<Event> {
    let mut seen = Vec::new();
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    let limit = tokio::time::sleep(Duration::from_secs(120));
    tokio::pin!(limit);
    loop {
        tokio::select! {
            Some(e) = events.recv() => seen.push(e),
            () = &mut idle => break,
            () = &mut limit => panic!("jobs did not finish within 120 s: {seen:#?}"),
        }
    }
    while let Ok(e) = events.try_recv() {
        seen.push(e);
    }
    seen
}

/// The mode of the `Verified` event, panicking with every event otherwise.
pub fn verified_mode(events: &[Event]) -> Mode {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Verified { mode, .. } => Some(*mode),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no file verified: {events:#?}"))
}

/// The reason of the first `Failed` event.
pub fn failure(events: &[Event]) -> String {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Failed { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("nothing failed: {events:#?}"))
}

/// Every `ModeChanged` as (from, to).
pub fn mode_changes(events: &[Event]) -> Vec<(Mode, Mode)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ModeChanged { from, to, .. } => Some((*from, *to)),
            _ => None,
        })
        .collect()
}

/// Reads events until a job reports more than `bytes` done; returns what
/// it read (so a caller can keep them).
pub async fn until_progress(events: &mut UnboundedReceiver<Event>, bytes: u64) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let e = tokio::time::timeout(Duration::from_secs(20), events.recv())
            .await
            .expect("progress within 20 s")
            .expect("the engine is running");
        let grown = matches!(e.kind, EventKind::Progress { done, .. } if done > bytes);
        seen.push(e);
        if grown {
            return seen;
        }
    }
}
