//! What a big tree costs while it is queued: 100,000 files (100
//! directories of 1,000, local disk to local disk) submitted as one tree.
//! Prints the client's RSS once every file is queued (the queue paused, so
//! nothing has moved yet), and, in a second run, the time from submitting
//! to the first transfer starting. `cargo bench --bench queue`.

use std::time::Instant;

use fxpc::transfer::{Conflict, Engine, EventKind, JobSpec, Kind, Location, Settings, Via};

const DIRS: usize = 100;
const PER_DIR: usize = 1000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn spec(src: &std::path::Path, dst: &std::path::Path) -> JobSpec {
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
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    for d in 0..DIRS {
        let sub = src.join(format!("d{d:03}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..PER_DIR {
            std::fs::write(sub.join(format!("f{f:04}")), b"x").unwrap();
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let before = rss_kib();
        // 1. Everything queued, nothing moving: what the queue costs.
        let (engine, mut events) = Engine::new(Settings::default());
        engine.pause_all(true);
        let started = Instant::now();
        engine.submit(spec(&src, &dir.path().join("dst1")));
        let mut queued = 0;
        while let Some(e) = events.recv().await {
            match e.kind {
                EventKind::Queued {
                    parent: Some(_), ..
                } => queued += 1,
                EventKind::Walked { .. } => break,
                _ => {}
            }
        }
        let walked = started.elapsed();
        let rss = rss_kib();
        println!(
            "queued {queued} files in {:.2} s; RSS {} MiB ({} MiB before)",
            walked.as_secs_f64(),
            rss / 1024,
            before / 1024
        );
        // 2. A fresh engine: the first transfer after submitting.
        let (engine2, mut events2) = Engine::new(Settings::default());
        let started = Instant::now();
        engine2.submit(spec(&src, &dir.path().join("dst2")));
        while let Some(e) = events2.recv().await {
            if let EventKind::Started { .. } = e.kind {
                println!(
                    "first transfer started {:.3} s after submitting",
                    started.elapsed().as_secs_f64()
                );
                break;
            }
        }
        std::process::exit(0);
    });
}
