//! What a big tree costs while it is queued: 10,000, 100,000 and
//! 1,000,000 files (directories of 1,000 links to one file, local disk to
//! local disk) submitted as one tree. `cargo bench --bench queue` runs
//! each measurement in a process of its own (RSS only grows within one
//! process); `FXPC_BENCH_SIZES=100000` picks the sizes.
//!
//! - `engine`: the engine alone, its queue paused so nothing moves: RSS
//!   once the walk has queued every file, or has stopped to wait for its
//!   line (no event for a second);
//! - `client`: the same with what the TUI adds to it: the journal
//!   recording every file (SQLite on its own thread, in a temporary
//!   state directory) and the UI's state following every event, as the
//!   TUI runs them;
//! - `first`: the time from submitting to the first transfer starting;
//! - `copy`: the engine alone copying, for at most 20 seconds: its peak
//!   RSS meanwhile, and how many files verified.

use std::path::Path;
use std::time::{Duration, Instant};

const ZERO: Duration = Duration::ZERO;

use fxpc::transfer::journal::Recorder;
use fxpc::transfer::{Conflict, Engine, Event, EventKind, JobSpec, Kind, Location, Settings, Via};
use fxpc::ui::pane::{Pane, Place};
use fxpc::ui::state::State;
use fxpc::ui::update::{Action, update};

const PER_DIR: usize = 1000;

/// How long without an event means the walk waits for its line.
const QUIET: Duration = Duration::from_secs(1);

fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// `files` files in directories of 1,000, each directory's links to one
/// file beside the tree, so that a million of them cost directory
/// entries, not inodes (a file takes at most 65,000 links).
fn seed(src: &Path, files: usize) {
    let originals = src.with_file_name("originals");
    std::fs::create_dir_all(&originals).unwrap();
    for d in 0..files.div_ceil(PER_DIR) {
        let one = originals.join(format!("d{d:04}"));
        std::fs::write(&one, b"x").unwrap();
        let sub = src.join(format!("d{d:04}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..PER_DIR.min(files - d * PER_DIR) {
            std::fs::hard_link(&one, sub.join(format!("f{f:04}"))).unwrap();
        }
    }
}

fn spec(src: &Path, dst: &Path) -> JobSpec {
    JobSpec {
        source: Location::local(src),
        destination: Location::local(dst),
        kind: Kind::Copy,
        recursive: true,
        conflict: Conflict::Overwrite,
        via: Via::Auto,
    }
}

fn main() {
    let part = std::env::var("FXPC_BENCH_PART").unwrap_or_default();
    if part.is_empty() {
        let sizes =
            std::env::var("FXPC_BENCH_SIZES").unwrap_or_else(|_| "10000,100000,1000000".into());
        for files in sizes.split(',').map(|n| n.trim().parse::<usize>().unwrap()) {
            println!("{files} files:");
            let dir = tempfile::tempdir().unwrap();
            seed(&dir.path().join("src"), files);
            let me = std::env::current_exe().unwrap();
            for part in ["engine", "client", "first", "copy"] {
                let status = std::process::Command::new(&me)
                    .env("FXPC_BENCH_PART", part)
                    .env("FXPC_BENCH_DIR", dir.path())
                    .status()
                    .unwrap();
                assert!(status.success(), "{part}: {status}");
            }
        }
        return;
    }
    let dir = std::path::PathBuf::from(std::env::var("FXPC_BENCH_DIR").unwrap());
    let src = dir.join("src");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        match part.as_str() {
            "engine" => queued(&src, &dir.join("dst1"), None).await,
            "client" => {
                let state_dir = tempfile::tempdir().unwrap();
                // SAFETY: set before any other thread reads the environment.
                unsafe { std::env::set_var("FXPC_QUEUE", state_dir.path().join("queue.sqlite3")) };
                let ui = State::new(
                    Pane::new(Place::Local, b"/tmp".to_vec()),
                    Pane::new(Place::Local, b"/tmp".to_vec()),
                    (200, 60),
                );
                queued(&src, &dir.join("dst2"), Some((Recorder::open(), ui))).await;
            }
            "copy" => copy(&src, &dir.join("dst4")).await,
            _ => first(&src, &dir.join("dst3")).await,
        }
    });
}

/// Submits the tree with the queue paused and prints the RSS once the
/// walk has queued every file (after `client` has taken every event).
async fn queued(src: &Path, dst: &Path, mut client: Option<(Recorder, State)>) {
    let before = rss_kib();
    let (engine, mut events) = Engine::new(Settings::default());
    engine.pause_all(true);
    let started = Instant::now();
    let tree = spec(src, dst);
    let root = engine.submit(tree.clone());
    if let Some((tap, _)) = &mut client {
        tap.submitted(root, &tree, None);
    }
    let mut queued = 0;
    let mut backlog = 0;
    let mut walked_all = false;
    while let Ok(Some(e)) = tokio::time::timeout(QUIET, events.recv()).await {
        backlog = backlog.max(events.len());
        let walked = matches!(e.kind, EventKind::Walked { .. });
        if let EventKind::Queued {
            parent: Some(_), ..
        } = e.kind
        {
            queued += 1;
        }
        if let Some((tap, ui)) = &mut client {
            if std::env::var("NO_TAP").is_err() {
                tap.event(&e);
            }
            if std::env::var("NO_UI").is_err() {
                let _ = update(
                    ui,
                    Action::Engine(Event {
                        job: e.job,
                        kind: e.kind,
                    }),
                );
            }
        }
        if walked {
            walked_all = true;
            break;
        }
    }
    let walked = started
        .elapsed()
        .saturating_sub(if walked_all { ZERO } else { QUIET });
    let rss = rss_kib();
    let what = if client.is_some() {
        "engine + journal + UI state"
    } else {
        "engine alone"
    };
    let how = if walked_all {
        "the walk ended"
    } else {
        "the walk waits for its line"
    };
    println!(
        "  {what}: queued {queued} files in {:.2} s ({how}); RSS {} MiB ({} MiB before, \
         peak {} MiB); at most {backlog} events waited to be read",
        walked.as_secs_f64(),
        rss / 1024,
        before / 1024,
        status_kib("VmHWM:") / 1024
    );
}

async fn first(src: &Path, dst: &Path) {
    let (engine, mut events) = Engine::new(Settings::default());
    let started = Instant::now();
    engine.submit(spec(src, dst));
    while let Some(e) = events.recv().await {
        if let EventKind::Started { .. } = e.kind {
            println!(
                "  first transfer started {:.3} s after submitting",
                started.elapsed().as_secs_f64()
            );
            break;
        }
    }
    std::process::exit(0);
}

/// Copies the tree for at most `COPYING`, then prints the peak RSS and
/// how many files verified meanwhile.
async fn copy(src: &Path, dst: &Path) {
    const COPYING: Duration = Duration::from_secs(20);
    let (engine, mut events) = Engine::new(Settings::default());
    let started = Instant::now();
    engine.submit(spec(src, dst));
    let mut verified = 0;
    let deadline = tokio::time::sleep(COPYING);
    tokio::pin!(deadline);
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    loop {
        tokio::select! {
            biased;
            Some(e) = events.recv() => match e.kind {
                EventKind::Verified { .. } => verified += 1,
                EventKind::Failed { reason, .. } => println!("  failed: {reason}"),
                EventKind::Cancelled { .. } => println!("  cancelled: job {}", e.job),
                EventKind::Skipped { path, reason } => println!("  skipped: {path}: {reason}"),
                _ => {}
            },
            () = &mut idle => break,
            () = &mut deadline => break,
        }
    }
    println!(
        "  engine alone copying: {verified} files verified in {:.1} s; peak RSS {} MiB, RSS {} MiB",
        started.elapsed().as_secs_f64(),
        status_kib("VmHWM:") / 1024,
        rss_kib() / 1024
    );
    std::process::exit(0);
}
