//! Downloads from a server that means harm (`tests/hostile_server.py`):
//! data that never ends, a connection that breaks off, a size the disk
//! cannot hold, links planted in the local destination, a directory that
//! lists itself. Nothing may be written outside the chosen destination,
//! and nothing wrong may stay under the name the user asked for.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use fxpc::server::{Anonymous, Config, Handle};
use fxpc::transfer::{Conflict, Engine, Event, EventKind, Location, Settings, Via};

use common::jobs::{self, site};
use common::{Hostile, next_addr, temp_root};

/// The bytes `--seed NAME:SIZE` gives a file.
fn seeded(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

/// The names in a local directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn resume(source: Location, destination: Location) -> fxpc::transfer::JobSpec {
    let mut spec = jobs::copy(source, destination, Via::Auto);
    spec.conflict = Conflict::Resume;
    spec
}

fn no_retries() -> Settings {
    Settings {
        retries: 0,
        ..jobs::settings()
    }
}

fn verified(events: &[Event]) -> bool {
    events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Verified { .. }))
}

/// A file whose `SIZE` says 10 bytes, sent without end: the download
/// stops soon after twice the size plus 1 MiB, says the server sent more
/// than it announced, and leaves neither a file under the name nor a part
/// file; a file that was there before stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_data_is_stopped_and_leaves_nothing_behind() {
    let server = Hostile::start(&next_addr(), &["--endless-data", "--seed", "f.txt:10"]);
    let dst = temp_root();
    let (engine, mut events) = Engine::new(jobs::settings());
    let from = Location::ftp(site(server.socket_addr()), "/f.txt");
    let started = Instant::now();
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            from.clone(),
            Location::local(dst.path().join("f.txt")),
            Via::Auto,
        ),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(
        reason.contains("the server sent more than it announced"),
        "{reason}"
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{reason}");
    assert!(names(dst.path()).is_empty(), "{:?}", names(dst.path()));

    // An existing file under an overwrite is replaced only by a verified one.
    std::fs::write(dst.path().join("f.txt"), b"the user's own").unwrap();
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from, Location::local(dst.path().join("f.txt")), Via::Auto),
    )
    .await;
    assert!(jobs::failure(&seen).contains("more than it announced"));
    assert_eq!(names(dst.path()), ["f.txt"]);
    assert_eq!(
        std::fs::read(dst.path().join("f.txt")).unwrap(),
        b"the user's own"
    );
    assert!(server.log().contains("endless data stopped by the client"));
}

/// A connection that breaks off: the job's own retries continue the part
/// file; when they run out, the part file is kept and the failure says
/// where; a later `--resume` (another server with the same file) continues
/// it from its size and gives it the name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_download_keeps_its_part_file_for_a_resume() {
    let size = 300_000;
    let seed = format!("f.bin:{size}");
    let dst = temp_root();
    let target = dst.path().join("f.bin");
    let part = dst.path().join(".f.bin.fxpc-part");

    // Retries continue where the last attempt stopped.
    let breaking = Hostile::start(&next_addr(), &["--drop-after", "120000", "--seed", &seed]);
    let from = Location::ftp(site(breaking.socket_addr()), "/f.bin");
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.clone(), Location::local(&target), Via::Auto),
    )
    .await;
    assert!(verified(&seen), "{seen:#?}");
    assert_eq!(std::fs::read(&target).unwrap(), seeded(size));
    assert!(breaking.log().contains("REST 240000"), "{}", breaking.log());
    assert_eq!(names(dst.path()), ["f.bin"]);
    std::fs::remove_file(&target).unwrap();

    // Without retries: kept, and said so.
    let (engine, mut events) = Engine::new(no_retries());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from, Location::local(&target), Via::Auto),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(
        reason.contains("kept in") && reason.contains(".f.bin.fxpc-part"),
        "{reason}"
    );
    assert!(!target.exists());
    assert_eq!(std::fs::read(&part).unwrap(), seeded(120_000));

    // `--resume` continues the part file, not the target's name.
    let whole = Hostile::start(&next_addr(), &["--seed", &seed]);
    let from = Location::ftp(site(whole.socket_addr()), "/f.bin");
    let seen = jobs::run(&engine, &mut events, resume(from, Location::local(&target))).await;
    assert!(verified(&seen), "{seen:#?}");
    assert!(whole.log().contains("REST 120000"), "{}", whole.log());
    assert_eq!(std::fs::read(&target).unwrap(), seeded(size));
    assert_eq!(names(dst.path()), ["f.bin"]);
}

/// A cancelled download keeps its part file, and says where (a resume
/// continues it); cancelled with "discard", the part file goes. The name
/// the user asked for is never touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_download_leaves_only_its_part_file() {
    let server = Hostile::start(&next_addr(), &["--trickle", "--seed", "f.bin:400000"]);
    let from = Location::ftp(site(server.socket_addr()), "/f.bin");
    for discard in [false, true] {
        let dst = temp_root();
        let target = dst.path().join("f.bin");
        let (engine, mut events) = Engine::new(jobs::settings());
        let job = engine.submit(jobs::copy(
            from.clone(),
            Location::local(&target),
            Via::Auto,
        ));
        let mut seen = jobs::until_progress(&mut events, 20_000).await;
        if discard {
            engine.cancel_and_discard(job);
        } else {
            engine.cancel(job);
        }
        seen.extend(jobs::collect(&engine, &mut events).await);
        let (partial, kept) = seen
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Cancelled {
                    partial,
                    kept_because,
                } => Some((*partial, kept_because.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("not cancelled: {seen:#?}"));
        assert!(!target.exists());
        if discard {
            assert!(names(dst.path()).is_empty(), "{:?}", names(dst.path()));
            assert_eq!(partial, None);
        } else {
            assert_eq!(names(dst.path()), [".f.bin.fxpc-part"]);
            let n = partial.expect("the part file's size");
            assert!((20_000..400_000).contains(&n), "{n}");
            assert!(kept.is_some_and(|k| k.contains(".f.bin.fxpc-part")));
        }
    }
}

/// Every policy against a local file that exists (smaller, same size,
/// larger): the result is what the policy promises, and no part file is
/// left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_policy_meets_an_existing_local_file() {
    let size = 50_000;
    let server = Hostile::start(&next_addr(), &["--seed", &format!("f.bin:{size}")]);
    let from = Location::ftp(site(server.socket_addr()), "/f.bin");
    let src = seeded(size);
    let (engine, mut events) = Engine::new(jobs::settings());
    let other = vec![7u8; size * 2];
    for (conflict, before, after) in [
        (
            Conflict::Overwrite,
            other[..size / 2].to_vec(),
            Some(src.clone()),
        ),
        (
            Conflict::Overwrite,
            other[..size].to_vec(),
            Some(src.clone()),
        ),
        (Conflict::Overwrite, other.clone(), Some(src.clone())),
        (
            Conflict::Resume,
            src[..size / 3].to_vec(),
            Some(src.clone()),
        ),
        (Conflict::Resume, src.clone(), Some(src.clone())),
        (Conflict::Resume, other.clone(), None),
        (
            Conflict::Skip,
            other[..size].to_vec(),
            Some(other[..size].to_vec()),
        ),
        (
            Conflict::Append,
            other[..100].to_vec(),
            Some([&other[..100], &src[..]].concat()),
        ),
    ] {
        let dst = temp_root();
        let target = dst.path().join("f.bin");
        std::fs::write(&target, &before).unwrap();
        let mut spec = jobs::copy(from.clone(), Location::local(&target), Via::Auto);
        spec.conflict = conflict;
        let seen = jobs::run(&engine, &mut events, spec).await;
        let now = std::fs::read(&target).unwrap();
        let case = format!("{conflict:?} over {} bytes", before.len());
        match after {
            Some(after) => assert!(now == after, "{case}: wrong bytes; {seen:#?}"),
            None => {
                jobs::failure(&seen);
                assert!(now == before, "{case}: a failed job changed the file");
            }
        }
        assert_eq!(names(dst.path()), ["f.bin"], "{case}");
    }
}

/// A size the local disk cannot hold is refused before any byte moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_larger_than_the_free_space_is_refused_first() {
    let claim = (1u64 << 60).to_string();
    let server = Hostile::start(
        &next_addr(),
        &["--claim-size", &claim, "--seed", "f.bin:10"],
    );
    let dst = temp_root();
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            Location::ftp(site(server.socket_addr()), "/f.bin"),
            Location::local(dst.path().join("f.bin")),
            Via::Auto,
        ),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(reason.contains("not enough space"), "{reason}");
    assert!(!server.log().contains("RETR"), "{}", server.log());
    assert!(names(dst.path()).is_empty());
}

/// A tree with `sub` and `victim.txt` at the server (`fxpc serve`), copied into a local
/// destination where `tree/sub -> ../outside` and `tree/victim.txt ->
/// ../outside/victim.txt` were planted: nothing is written outside. Under
/// an overwrite the links themselves are replaced; under skip they stay,
/// reported as links.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_planted_in_the_destination_are_never_followed() {
    let served = temp_root();
    std::fs::create_dir_all(served.path().join("tree/sub")).unwrap();
    std::fs::write(served.path().join("tree/victim.txt"), seeded(20)).unwrap();
    std::fs::write(served.path().join("tree/sub/file.txt"), seeded(30)).unwrap();
    let mut config = Config::new(served.path(), format!("{}:0", next_addr()).parse().unwrap());
    config.anonymous = Some(Anonymous::Read);
    let server = Handle::spawn(config).await.unwrap();
    for conflict in [Conflict::Overwrite, Conflict::Skip] {
        let top = temp_root();
        let (dst, outside) = (top.path().join("dst"), top.path().join("outside"));
        std::fs::create_dir_all(dst.join("tree")).unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("victim.txt"), b"not yours").unwrap();
        std::os::unix::fs::symlink("../../outside", dst.join("tree/sub")).unwrap();
        std::os::unix::fs::symlink("../../outside/victim.txt", dst.join("tree/victim.txt"))
            .unwrap();

        let (engine, mut events) = Engine::new(jobs::settings());
        let mut spec = jobs::copy(
            Location::ftp(site(server.addr()), "/tree"),
            Location::local(dst.join("tree")),
            Via::Auto,
        );
        spec.recursive = true;
        spec.conflict = conflict;
        let seen = jobs::run(&engine, &mut events, spec).await;

        assert_eq!(names(&outside), ["victim.txt"], "{conflict:?}: {seen:#?}");
        assert_eq!(
            std::fs::read(outside.join("victim.txt")).unwrap(),
            b"not yours"
        );
        let link = |p: &str| std::fs::symlink_metadata(dst.join(p)).unwrap().is_symlink();
        match conflict {
            Conflict::Overwrite => {
                assert!(!link("tree/sub") && !link("tree/victim.txt"), "{seen:#?}");
                assert_eq!(
                    std::fs::read(dst.join("tree/victim.txt")).unwrap(),
                    seeded(20)
                );
                assert_eq!(
                    std::fs::read(dst.join("tree/sub/file.txt")).unwrap(),
                    seeded(30)
                );
            }
            _ => {
                assert!(link("tree/sub") && link("tree/victim.txt"));
                let skipped: Vec<String> = seen
                    .iter()
                    .filter_map(|e| match &e.kind {
                        EventKind::Skipped { reason, .. } => Some(reason.to_string()),
                        _ => None,
                    })
                    .collect();
                assert_eq!(
                    skipped
                        .iter()
                        .filter(|r| r.contains("symbolic link"))
                        .count(),
                    2,
                    "{skipped:?}"
                );
            }
        }
    }
}

/// A single file downloaded onto a link: an overwrite replaces the link,
/// never its target.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_onto_a_link_replaces_the_link() {
    let server = Hostile::start(&next_addr(), &["--seed", "v.txt:20"]);
    let top = temp_root();
    let (dst, outside) = (top.path().join("dst"), top.path().join("outside"));
    std::fs::create_dir(&dst).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("v.txt"), b"not yours").unwrap();
    std::os::unix::fs::symlink("../outside/v.txt", dst.join("v.txt")).unwrap();
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            Location::ftp(site(server.socket_addr()), "/v.txt"),
            Location::local(dst.join("v.txt")),
            Via::Auto,
        ),
    )
    .await;
    assert!(verified(&seen), "{seen:#?}");
    assert_eq!(std::fs::read(outside.join("v.txt")).unwrap(), b"not yours");
    assert!(
        !std::fs::symlink_metadata(dst.join("v.txt"))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(std::fs::read(dst.join("v.txt")).unwrap(), seeded(20));
}

/// Every `Skipped` event as (path, reason).
fn skipped(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Skipped { path, reason } => Some((path.clone(), reason.to_string())),
            _ => None,
        })
        .collect()
}

/// A directory whose `sub` holds `sub` for ever: `cp -r` stops at the
/// depth bound (64 by default, or as set), having copied each level's file,
/// and says which directory it did not walk and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_that_lists_itself_stops_at_the_depth_bound() {
    let server = Hostile::start(&next_addr(), &["--self-nesting", "tree"]);
    for (max_depth, files) in [(3, 4), (fxpc::transfer::MAX_DEPTH, 65)] {
        let dst = temp_root();
        let (engine, mut events) = Engine::new(Settings {
            max_depth,
            ..jobs::settings()
        });
        let mut spec = jobs::copy(
            Location::ftp(site(server.socket_addr()), "/tree"),
            Location::local(dst.path().join("tree")),
            Via::Auto,
        );
        spec.recursive = true;
        let started = Instant::now();
        let seen = jobs::run(&engine, &mut events, spec).await;
        assert!(started.elapsed() < Duration::from_secs(60));
        let walked = seen.iter().find_map(|e| match e.kind {
            EventKind::Walked { files, .. } => Some(files),
            _ => None,
        });
        assert_eq!(walked, Some(files), "{max_depth}: {:?}", skipped(&seen));
        let deep = format!("/tree{}", "/sub".repeat(max_depth + 1));
        let said = skipped(&seen);
        assert!(
            said.iter()
                .any(|(path, why)| path.ends_with(&deep) && why.contains("--max-depth")),
            "{said:?}"
        );
        let last = dst
            .path()
            .join("tree")
            .join("sub/".repeat(max_depth))
            .join("f.txt");
        assert_eq!(std::fs::read(&last).unwrap(), b"level");
        assert!(!last.parent().unwrap().join("sub").exists());
    }
}

/// `mirror`'s plan of the same server ends at the bound, with a line that
/// names the directory it did not walk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_of_a_directory_that_lists_itself_ends_at_the_depth_bound() {
    use fxpc::transfer::mirror::{self, Options, Tree};
    let server = Hostile::start(&next_addr(), &["--self-nesting", "tree"]);
    let dst = temp_root();
    let source = Location::ftp(site(server.socket_addr()), "/tree");
    let destination = Location::local(dst.path());
    let mut from = Tree::open(&source.site).await.unwrap();
    let mut to = Tree::open(&destination.site).await.unwrap();
    let options = Options {
        rules: Default::default(),
        delete: false,
        skip: fxpc::transfer::skip::SkipList::none(),
        max_depth: 3,
    };
    let plan = tokio::time::timeout(
        Duration::from_secs(30),
        mirror::plan(&source, &destination, &mut from, &mut to, &options),
    )
    .await
    .expect("the plan ends")
    .unwrap();
    let lines: Vec<String> = plan.items.iter().map(|i| i.to_string()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("? not copied sub/sub/sub/sub ") && l.contains("--max-depth")),
        "{lines:#?}"
    );
    assert_eq!(plan.copies().count(), 4, "{lines:#?}");
    from.close().await;
}
