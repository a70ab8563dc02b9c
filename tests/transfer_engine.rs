//! The transfer engine between two `fxpc serve` sites on distinct loopback
//! addresses (and the local disk): dialects, fallbacks, verification,
//! append, move, resume, cancel, faults. Bytes are checked on disk.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::jobs::{self, copy, failure, mode_changes, verified_mode};
use fxpc::server::{Anonymous, Config, Handle};
use fxpc::transfer::{Conflict, Engine, EventKind, FtpSite, JobSpec, Kind, Location, Mode, Via};

async fn serve(ip: &str, root: &Path, tweak: impl FnOnce(&mut Config)) -> Handle {
    serve_at(format!("{ip}:0").parse().unwrap(), root, tweak).await
}

/// On a given address and port: a server coming back after a restart.
async fn serve_at(addr: SocketAddr, root: &Path, tweak: impl FnOnce(&mut Config)) -> Handle {
    let mut config = Config::new(root, addr);
    config.anonymous = Some(Anonymous::Write);
    tweak(&mut config);
    Handle::spawn(config).await.unwrap()
}

fn data(len: usize, seed: u64) -> Vec<u8> {
    common::pseudo_random(len, seed)
}

fn at(site: &Arc<FtpSite>, path: &str) -> Location {
    Location::ftp(site.clone(), path)
}

fn engine() -> (
    Engine,
    tokio::sync::mpsc::UnboundedReceiver<fxpc::transfer::Event>,
) {
    Engine::new(jobs::settings())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lstn_sock_copy_and_append_between_fxpc_servers() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(3_000_000, 1);
    std::fs::write(ra.path().join("PROG1.PL1"), &body).unwrap();
    std::fs::write(rb.path().join("PROG2.PL1"), b"existing\n").unwrap();
    // RFC 438 needs trust only on the sending side.
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();

    let events = jobs::run(
        &engine,
        &mut rx,
        copy(at(&sa, "/PROG1.PL1"), at(&sb, "/copy.bin"), Via::Auto),
    )
    .await;
    assert_eq!(verified_mode(&events), Mode::LstnSock);
    assert_eq!(std::fs::read(rb.path().join("copy.bin")).unwrap(), body);

    let append = JobSpec {
        kind: Kind::Append,
        ..copy(at(&sa, "/PROG1.PL1"), at(&sb, "/PROG2.PL1"), Via::Lstn)
    };
    let events = jobs::run(&engine, &mut rx, append).await;
    assert_eq!(verified_mode(&events), Mode::LstnSock);
    let got = std::fs::read(rb.path().join("PROG2.PL1")).unwrap();
    assert_eq!(got, [b"existing\n".as_slice(), &body].concat());
    assert_eq!(
        engine.client_data_bytes(),
        0,
        "the client carried no file data"
    );
}

/// Issue 3: a 64 MiB FXP copy moves no byte through the client, and its
/// progress is real (SIZE polled on the destination), not a spinner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fxp_copy_carries_no_data_through_the_client_and_reports_progress() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(64 << 20, 2);
    std::fs::write(ra.path().join("big.bin"), &body).unwrap();
    let plain_fxp = |c: &mut Config| {
        c.allow_fxp = true;
        c.lstn = false;
        c.rate = Some(32 << 20);
    };
    let a = serve("127.0.0.2", ra.path(), plain_fxp).await;
    let b = serve("127.0.0.3", rb.path(), plain_fxp).await;
    let (engine, mut rx) = engine();
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(
            at(&jobs::site(a.addr()), "/big.bin"),
            at(&jobs::site(b.addr()), "/big.bin"),
            Via::Auto,
        ),
    )
    .await;
    assert_eq!(
        verified_mode(&events),
        Mode::Fxp {
            source_passive: false
        }
    );
    assert!(
        std::fs::read(rb.path().join("big.bin")).unwrap() == body,
        "bytes differ"
    );
    assert_eq!(engine.client_data_bytes(), 0);
    let progress: Vec<u64> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Progress {
                done,
                measured: true,
                ..
            } => Some(done),
            _ => None,
        })
        .collect();
    assert!(progress.len() >= 2, "progress was polled: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert!(
        progress.iter().any(|&d| d > 0 && d < body.len() as u64),
        "intermediate sizes seen: {progress:?}"
    );
}

/// Profile, "Choosing the dialect": servers in their default (refusing)
/// configuration make `auto` try FXP both ways round, then relay — and say
/// so; a forced `fxp` fails quoting the refusals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_swap_roles_then_relay_or_fail_with_the_servers_words() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(500_000, 3);
    std::fs::write(ra.path().join("f.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.lstn = false).await;
    let b = serve("127.0.0.3", rb.path(), |c| c.lstn = false).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();

    let events = jobs::run(
        &engine,
        &mut rx,
        copy(at(&sa, "/f.bin"), at(&sb, "/f.bin"), Via::Auto),
    )
    .await;
    assert_eq!(verified_mode(&events), Mode::Relay);
    assert_eq!(
        mode_changes(&events),
        [
            (
                Mode::Fxp {
                    source_passive: false
                },
                Mode::Fxp {
                    source_passive: true
                }
            ),
            (
                Mode::Fxp {
                    source_passive: true
                },
                Mode::Relay
            ),
        ]
    );
    assert_eq!(std::fs::read(rb.path().join("f.bin")).unwrap(), body);
    assert_eq!(
        engine.client_data_bytes(),
        body.len() as u64,
        "relay is counted"
    );

    let events = jobs::run(
        &engine,
        &mut rx,
        copy(at(&sa, "/f.bin"), at(&sb, "/g.bin"), Via::Fxp),
    )
    .await;
    let reason = failure(&events);
    assert!(
        reason.contains("504 Refusing to connect to foreign address"),
        "{reason}"
    );
    assert!(
        reason.contains("--allow-fxp"),
        "names the setting: {reason}"
    );
    assert!(
        reason.contains(&a.addr().to_string()),
        "names the server: {reason}"
    );
    assert!(
        !rb.path().join("g.bin").exists()
            || std::fs::read(rb.path().join("g.bin")).unwrap().is_empty()
    );

    let events = jobs::run(
        &engine,
        &mut rx,
        copy(at(&sa, "/f.bin"), at(&sb, "/h.bin"), Via::Lstn),
    )
    .await;
    assert!(failure(&events).contains("LSTN"), "{events:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_deletes_the_source_only_after_verification() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(200_000, 4);
    std::fs::write(ra.path().join("m.bin"), &body).unwrap();
    std::fs::write(ra.path().join("keep.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |c| c.lstn = false).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();
    let mv = |src: &str, dst: &str, via| JobSpec {
        kind: Kind::Move,
        ..copy(at(&sa, src), at(&sb, dst), via)
    };
    let events = jobs::run(&engine, &mut rx, mv("/m.bin", "/m.bin", Via::Auto)).await;
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::Verified {
            source_deleted: true,
            ..
        }
    )));
    assert!(!ra.path().join("m.bin").exists());
    assert_eq!(std::fs::read(rb.path().join("m.bin")).unwrap(), body);

    // B refuses foreign peers and speaks no LSTN: a forced LSTN move fails,
    // and the source stays.
    let events = jobs::run(&engine, &mut rx, mv("/keep.bin", "/keep.bin", Via::Lstn)).await;
    failure(&events);
    assert_eq!(std::fs::read(ra.path().join("keep.bin")).unwrap(), body);
}

/// A destination holding the first part of the file: `resume` sends REST to
/// both servers and moves only the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_continues_from_the_destination_size() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(1_000_000, 5);
    std::fs::write(ra.path().join("r.bin"), &body).unwrap();
    std::fs::write(rb.path().join("r.bin"), &body[..400_000]).unwrap();
    std::fs::write(rb.path().join("done.bin"), &body).unwrap();
    std::fs::write(ra.path().join("done.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |c| c.allow_fxp = true).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();
    for via in [Via::Lstn, Via::Fxp, Via::Relay] {
        std::fs::write(rb.path().join("r.bin"), &body[..400_000]).unwrap();
        let spec = JobSpec {
            conflict: Conflict::Resume,
            ..copy(at(&sa, "/r.bin"), at(&sb, "/r.bin"), via)
        };
        let events = jobs::run(&engine, &mut rx, spec).await;
        verified_mode(&events);
        assert!(
            events.iter().any(|e| matches!(
                e.kind,
                EventKind::Started {
                    offset: 400_000,
                    ..
                }
            )),
            "{via:?}: {events:#?}"
        );
        assert_eq!(
            std::fs::read(rb.path().join("r.bin")).unwrap(),
            body,
            "{via:?}"
        );
    }
    let moved_before = engine.client_data_bytes();
    let spec = JobSpec {
        conflict: Conflict::Resume,
        ..copy(at(&sa, "/done.bin"), at(&sb, "/done.bin"), Via::Relay)
    };
    verified_mode(&jobs::run(&engine, &mut rx, spec).await);
    assert_eq!(
        engine.client_data_bytes(),
        moved_before,
        "a complete file moves nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_policies_skip_and_rename() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    std::fs::write(ra.path().join("c.txt"), b"new").unwrap();
    std::fs::write(rb.path().join("c.txt"), b"old").unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();
    let spec = |conflict| JobSpec {
        conflict,
        ..copy(at(&sa, "/c.txt"), at(&sb, "/c.txt"), Via::Auto)
    };
    let events = jobs::run(&engine, &mut rx, spec(Conflict::Skip)).await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Skipped { .. })),
        "{events:#?}"
    );
    assert_eq!(std::fs::read(rb.path().join("c.txt")).unwrap(), b"old");
    let renamed = jobs::run(&engine, &mut rx, spec(Conflict::Rename)).await;
    verified_mode(&renamed);
    assert!(
        renamed.iter().any(|e| matches!(&e.kind,
            EventKind::Verified { renamed_to: Some(n), .. } if n == "c.txt.1")),
        "the event names the new name: {renamed:#?}"
    );
    assert_eq!(std::fs::read(rb.path().join("c.txt")).unwrap(), b"old");
    assert_eq!(std::fs::read(rb.path().join("c.txt.1")).unwrap(), b"new");
    verified_mode(&jobs::run(&engine, &mut rx, spec(Conflict::Append)).await);
    assert_eq!(std::fs::read(rb.path().join("c.txt")).unwrap(), b"oldnew");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_copy_creates_the_tree_and_reports_what_it_skips() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    std::fs::create_dir_all(ra.path().join("tree/sub dir/deeper")).unwrap();
    for (i, name) in [
        "tree/a.txt",
        "tree/sub dir/b.txt",
        "tree/sub dir/deeper/日本.bin",
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(ra.path().join(name), data(10_000 * (i + 1), i as u64)).unwrap();
    }
    std::os::unix::fs::symlink("a.txt", ra.path().join("tree/link")).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (engine, mut rx) = engine();
    let spec = JobSpec {
        recursive: true,
        ..copy(
            at(&jobs::site(a.addr()), "/tree"),
            at(&jobs::site(b.addr()), "/copied"),
            Via::Auto,
        )
    };
    let events = jobs::run(&engine, &mut rx, spec).await;
    let verified = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Verified { .. }))
        .count();
    assert_eq!(verified, 3, "{events:#?}");
    for (i, name) in ["a.txt", "sub dir/b.txt", "sub dir/deeper/日本.bin"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            std::fs::read(rb.path().join("copied").join(name)).unwrap(),
            data(10_000 * (i + 1), i as u64)
        );
    }
    assert!(
        events.iter().any(
            |e| matches!(&e.kind, EventKind::Skipped { path, .. } if path.ends_with("/tree/link"))
        ),
        "the symlink is reported: {events:#?}"
    );
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::Walked {
            files: 3,
            directories: 3
        }
    )));
    // Without -r a directory is refused by name.
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(
            at(&jobs::site(a.addr()), "/tree"),
            at(&jobs::site(b.addr()), "/x"),
            Via::Auto,
        ),
    )
    .await;
    assert!(failure(&events).contains("is a directory"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_downloads_and_local_copies() {
    let (ra, local) = (common::temp_root(), common::temp_root());
    let body = data(700_000, 6);
    std::fs::write(local.path().join("up.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |_| {}).await;
    let sa = jobs::site(a.addr());
    let (engine, mut rx) = engine();
    let l = |name: &str| Location::local(local.path().join(name));
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(l("up.bin"), at(&sa, "/up.bin"), Via::Auto),
    )
    .await;
    assert_eq!(verified_mode(&events), Mode::Upload);
    assert_eq!(std::fs::read(ra.path().join("up.bin")).unwrap(), body);
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(at(&sa, "/up.bin"), l("down.bin"), Via::Auto),
    )
    .await;
    assert_eq!(verified_mode(&events), Mode::Download);
    assert_eq!(std::fs::read(local.path().join("down.bin")).unwrap(), body);
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(l("down.bin"), l("again.bin"), Via::Auto),
    )
    .await;
    assert_eq!(verified_mode(&events), Mode::Local);
    assert_eq!(std::fs::read(local.path().join("again.bin")).unwrap(), body);
    assert_eq!(engine.client_data_bytes(), 3 * body.len() as u64);
    let missing = jobs::run(
        &engine,
        &mut rx,
        copy(at(&sa, "/nope"), l("nope"), Via::Auto),
    )
    .await;
    assert!(failure(&missing).contains("does not exist"), "{missing:#?}");
    assert!(
        !local.path().join("nope").exists(),
        "nothing created for a missing source"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_aborts_both_sides_and_keeps_the_partial_file() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(4_000_000, 7);
    std::fs::write(ra.path().join("slow.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| {
        c.allow_fxp = true;
        c.rate = Some(500_000);
    })
    .await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (engine, mut rx) = engine();
    let id = engine.submit(copy(
        at(&jobs::site(a.addr()), "/slow.bin"),
        at(&jobs::site(b.addr()), "/slow.bin"),
        Via::Auto,
    ));
    // Wait until some bytes arrived, then cancel.
    jobs::until_progress(&mut rx, 0).await;
    engine.cancel(id);
    let events = jobs::collect(&engine, &mut rx).await;
    let partial = events
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Cancelled { partial, .. } => Some(partial),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{events:#?}"))
        .expect("the partial size is reported");
    assert!(partial > 0 && partial < body.len() as u64, "{partial}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let kept = std::fs::read(rb.path().join("slow.bin")).unwrap();
    assert_eq!(
        kept,
        body[..kept.len()],
        "the partial file is kept, a prefix of the source"
    );
    assert!(
        kept.len() < body.len(),
        "the servers stopped: ABOR reached them"
    );
    assert_eq!(
        std::fs::read(ra.path().join("slow.bin")).unwrap(),
        body,
        "source untouched"
    );
}

/// A server dies mid-transfer: the job retries and resumes from what
/// arrived once it is back; if it never comes back, the job fails saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_transfer_is_retried_and_resumed() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(3_000_000, 8);
    std::fs::write(ra.path().join("k.bin"), &body).unwrap();
    let source_config = |c: &mut Config| {
        c.allow_fxp = true;
        c.rate = Some(1_000_000);
    };
    let a = serve("127.0.0.2", ra.path(), source_config).await;
    let a_addr: SocketAddr = a.addr();
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let mut settings = jobs::settings();
    settings.retries = 5;
    settings.retry_backoff = Duration::from_millis(500);
    let (engine, mut rx) = Engine::new(settings);
    engine.submit(copy(
        at(&jobs::site(a_addr), "/k.bin"),
        at(&jobs::site(b.addr()), "/k.bin"),
        Via::Auto,
    ));
    let mut seen = jobs::until_progress(&mut rx, 500_000).await;
    a.stop().await;
    // Back on the same address and port, as after a restart.
    let _a = serve_at(a_addr, ra.path(), source_config).await;
    seen.extend(jobs::collect(&engine, &mut rx).await);
    assert!(
        seen.iter()
            .any(|e| matches!(e.kind, EventKind::Retrying { .. })),
        "{seen:#?}"
    );
    let resumed_at = seen.iter().rev().find_map(|e| match e.kind {
        EventKind::Started { offset, .. } => Some(offset),
        _ => None,
    });
    verified_mode(&seen);
    assert_eq!(std::fs::read(rb.path().join("k.bin")).unwrap(), body);
    assert_eq!(
        std::fs::read(ra.path().join("k.bin")).unwrap(),
        body,
        "source intact"
    );
    assert!(
        resumed_at.is_some_and(|o| o > 0),
        "resumed from what arrived: {resumed_at:?}"
    );

    // Never back: failed, with the reason.
    let (engine, mut rx) = Engine::new(jobs::settings());
    let dead: SocketAddr = "127.0.0.9:1".parse().unwrap();
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(
            at(&jobs::site(dead), "/x"),
            at(&jobs::site(b.addr()), "/x"),
            Via::Auto,
        ),
    )
    .await;
    assert!(failure(&events).contains("127.0.0.9"), "{events:#?}");
}

/// product.md: "Where the destination allows no extra connection, the
/// gauge becomes an elapsed-time indicator and the final size is still
/// verified." A busy server's 421 is waited out, not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_without_room_for_a_poller_shows_elapsed_time_and_verifies() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(1_500_000, 9);
    std::fs::write(ra.path().join("e.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| {
        c.allow_fxp = true;
        c.rate = Some(1_000_000);
    })
    .await;
    let b = serve("127.0.0.3", rb.path(), |c| c.max_sessions = 1).await;
    let (engine, mut rx) = engine();
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(
            at(&jobs::site(a.addr()), "/e.bin"),
            at(&jobs::site(b.addr()), "/e.bin"),
            Via::Auto,
        ),
    )
    .await;
    assert_eq!(verified_mode(&events), Mode::LstnSock);
    assert!(
        events.iter().any(|e| matches!(
            e.kind,
            EventKind::Progress {
                measured: false,
                ..
            }
        )),
        "the gauge fell back to elapsed time: {events:#?}"
    );
    assert_eq!(std::fs::read(rb.path().join("e.bin")).unwrap(), body);
}

/// The `Ask` policy: the job says the destination exists and waits for an
/// answer; the answer decides.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_waits_for_an_answer_about_an_existing_destination() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    std::fs::write(ra.path().join("q.txt"), b"new!").unwrap();
    std::fs::write(rb.path().join("q.txt"), b"old").unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (engine, mut rx) = engine();
    let id = engine.submit(JobSpec {
        conflict: Conflict::Ask,
        ..copy(
            at(&jobs::site(a.addr()), "/q.txt"),
            at(&jobs::site(b.addr()), "/q.txt"),
            Via::Auto,
        )
    });
    loop {
        let e = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let EventKind::Conflict {
            source_size,
            destination_size,
            ..
        } = e.kind
        {
            assert_eq!((e.job, source_size, destination_size), (id, 4, 3));
            break;
        }
    }
    // Nothing happens while the question is open.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(std::fs::read(rb.path().join("q.txt")).unwrap(), b"old");
    engine.answer(id, Conflict::Rename);
    let events = jobs::collect(&engine, &mut rx).await;
    verified_mode(&events);
    assert_eq!(std::fs::read(rb.path().join("q.txt")).unwrap(), b"old");
    assert_eq!(std::fs::read(rb.path().join("q.txt.1")).unwrap(), b"new!");
}

/// A local tree uploaded: files go, a symlink (even to a directory) is
/// reported rather than followed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_tree_upload_reports_symlinks() {
    let (local, rb) = (common::temp_root(), common::temp_root());
    std::fs::create_dir_all(local.path().join("t/sub")).unwrap();
    std::fs::write(local.path().join("t/a"), b"a").unwrap();
    std::fs::write(local.path().join("t/sub/b"), data(50_000, 11)).unwrap();
    std::os::unix::fs::symlink("sub", local.path().join("t/to-sub")).unwrap();
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (engine, mut rx) = engine();
    let spec = JobSpec {
        recursive: true,
        ..copy(
            Location::local(local.path().join("t")),
            at(&jobs::site(b.addr()), "/up"),
            Via::Auto,
        )
    };
    let events = jobs::run(&engine, &mut rx, spec).await;
    assert_eq!(std::fs::read(rb.path().join("up/a")).unwrap(), b"a");
    assert_eq!(
        std::fs::read(rb.path().join("up/sub/b")).unwrap(),
        data(50_000, 11)
    );
    assert!(!rb.path().join("up/to-sub").exists());
    assert!(
        events.iter().any(
            |e| matches!(&e.kind, EventKind::Skipped { path, .. } if path.ends_with("to-sub"))
        ),
        "{events:#?}"
    );
}

/// Issue 3: the partial file is "deleted only if the job created it and
/// the user asked". A pre-existing file is kept even when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_and_discard_deletes_only_what_the_job_created() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(4_000_000, 12);
    std::fs::write(ra.path().join("s.bin"), &body).unwrap();
    std::fs::write(rb.path().join("old.bin"), b"precious").unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| {
        c.allow_fxp = true;
        c.rate = Some(500_000);
    })
    .await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();
    for (dest, conflict, should_remain) in [
        ("new.bin", Conflict::Ask, false),
        ("old.bin", Conflict::Resume, true),
    ] {
        let id = engine.submit(JobSpec {
            conflict,
            ..copy(at(&sa, "/s.bin"), at(&sb, &format!("/{dest}")), Via::Auto)
        });
        jobs::until_progress(&mut rx, 100_000).await;
        engine.cancel_and_discard(id);
        let events = jobs::collect(&engine, &mut rx).await;
        let kept_because = events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Cancelled { kept_because, .. } => Some(kept_because.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{events:#?}"));
        // Kept, and the event says why, where a discard was asked for.
        assert_eq!(
            kept_because.is_some(),
            should_remain,
            "{dest}: {kept_because:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rb.path().join(dest).exists(), should_remain, "{dest}");
    }
    let kept = std::fs::read(rb.path().join("old.bin")).unwrap();
    assert!(
        kept.starts_with(b"precious"),
        "the file that was there stays"
    );
}

/// IPv6: the profile's RFC 2428 address form for LSTN/SOCK, and EPSV/EPRT
/// for FXP (PASV/PORT cannot name an IPv6 address). Skipped where the
/// machine has no IPv6 loopback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_lstn_sock_and_fxp() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback");
        return;
    }
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(300_000, 13);
    std::fs::write(ra.path().join("six.bin"), &body).unwrap();
    let spawn = |root: &Path, lstn: bool| {
        let mut c = Config::new(root, "[::1]:0".parse().unwrap());
        c.anonymous = Some(Anonymous::Write);
        c.allow_fxp = true;
        c.lstn = lstn;
        Handle::spawn(c)
    };
    for (lstn, mode) in [
        (true, Mode::LstnSock),
        (
            false,
            Mode::Fxp {
                source_passive: false,
            },
        ),
    ] {
        let a = spawn(ra.path(), lstn).await.unwrap();
        let b = spawn(rb.path(), lstn).await.unwrap();
        let (engine, mut rx) = engine();
        let events = jobs::run(
            &engine,
            &mut rx,
            copy(
                at(&jobs::site(a.addr()), "/six.bin"),
                at(&jobs::site(b.addr()), "/six.bin"),
                Via::Auto,
            ),
        )
        .await;
        assert_eq!(verified_mode(&events), mode, "{events:#?}");
        assert_eq!(std::fs::read(rb.path().join("six.bin")).unwrap(), body);
        assert_eq!(engine.client_data_bytes(), 0);
        std::fs::remove_file(rb.path().join("six.bin")).unwrap();
    }
}

/// A server with no free session answers `421 too many connections`: the
/// job waits it out and completes instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_server_is_waited_out() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    std::fs::write(ra.path().join("w.bin"), data(100_000, 14)).unwrap();
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |c| c.max_sessions = 1).await;
    // Someone else holds B's only session for a while.
    let b_addr = b.addr();
    let blocker = fxpc::ftp::Client::open(
        &b_addr.ip().to_string(),
        b_addr.port(),
        &fxpc::ftp::Login::default(),
        fxpc::ftp::Options::default(),
    )
    .await
    .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        blocker.quit().await.unwrap();
    });
    let (engine, mut rx) = engine();
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(
            at(&jobs::site(a.addr()), "/w.bin"),
            at(&jobs::site(b_addr), "/w.bin"),
            Via::Auto,
        ),
    )
    .await;
    release.await.unwrap();
    verified_mode(&events);
    assert_eq!(
        std::fs::read(rb.path().join("w.bin")).unwrap(),
        data(100_000, 14)
    );
}

/// Issue 11: a tree copy skips excluded names (and says so, once each) and
/// sends a directory's priority files first (`*.sfv`, then `*.nfo`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_copies_skip_excluded_names_and_send_priority_files_first() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    for name in [
        "rel/a.r00",
        "rel/a.rar",
        "rel/x.nfo",
        "rel/x.sfv",
        "rel/junk.tmp",
    ] {
        common::seed(ra.path(), name, name.as_bytes());
    }
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let settings = fxpc::transfer::Settings {
        parallel: 1,
        skip: fxpc::transfer::skip::SkipList::new(&["*.tmp".into()], &[]).unwrap(),
        priority: fxpc::transfer::skip::Priority::new(&["*.sfv".into(), "*.nfo".into()]).unwrap(),
        ..common::jobs::settings()
    };
    let (engine, mut rx) = fxpc::transfer::Engine::new(settings);
    let events = jobs::run(
        &engine,
        &mut rx,
        JobSpec {
            recursive: true,
            ..copy(
                at(&jobs::site(a.addr()), "/rel"),
                at(&jobs::site(b.addr()), "/rel"),
                Via::Auto,
            )
        },
    )
    .await;
    let mut names = std::collections::HashMap::new();
    let mut started = Vec::new();
    for e in &events {
        match &e.kind {
            EventKind::Queued { source, .. } => {
                names.insert(e.job, source.rsplit('/').next().unwrap().to_string());
            }
            EventKind::Started { .. } => started.push(names[&e.job].clone()),
            _ => {}
        }
    }
    assert_eq!(
        started[..2],
        ["x.sfv".to_string(), "x.nfo".to_string()],
        "{started:?}"
    );
    let skipped: Vec<&String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Skipped { path, .. } => Some(path),
            _ => None,
        })
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].ends_with("junk.tmp"));
    assert!(!rb.path().join("rel/junk.tmp").exists());
    for name in ["rel/a.r00", "rel/a.rar", "rel/x.nfo", "rel/x.sfv"] {
        assert_eq!(
            std::fs::read(rb.path().join(name)).unwrap(),
            name.as_bytes()
        );
    }
}

/// Issue 11: a tree walked again after an interruption does not copy
/// again what had verified, and continues what it had started writing;
/// the rest follows its policy (here overwrite).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_tree_skips_what_verified_and_continues_what_it_wrote() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = |i: u8| vec![b'a' + i; 40_000];
    for i in 0..3u8 {
        common::seed(ra.path(), &format!("t/f{i}"), &body(i));
    }
    // f0 verified earlier (its bytes marked so a copy would show), f1 half
    // written by the earlier run, f2 never started.
    common::seed(rb.path(), "t/f0", &vec![b'Z'; 40_000]);
    common::seed(rb.path(), "t/f1", &body(1)[..20_000]);
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (sa, sb) = (jobs::site(a.addr()), jobs::site(b.addr()));
    let (engine, mut rx) = engine();
    engine.note_earlier(&at(&sb, "/t/f0"), true);
    engine.note_earlier(&at(&sb, "/t/f1"), false);
    let events = jobs::run(
        &engine,
        &mut rx,
        JobSpec {
            recursive: true,
            ..copy(at(&sa, "/t"), at(&sb, "/t"), Via::Auto)
        },
    )
    .await;
    assert_eq!(
        std::fs::read(rb.path().join("t/f0")).unwrap(),
        vec![b'Z'; 40_000],
        "not copied again"
    );
    assert_eq!(std::fs::read(rb.path().join("t/f1")).unwrap(), body(1));
    assert_eq!(std::fs::read(rb.path().join("t/f2")).unwrap(), body(2));
    let resumed = events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Started { offset: 20_000, .. }));
    assert!(resumed, "f1 continued from what was there: {events:#?}");
}

/// Issue 11: a tree's files wait in line as plain items: moved up,
/// held back, cancelled while waiting (the tree's one-listing check does
/// not wait for them), retried; each starts in its turn, one slot at a
/// time, and every byte arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trees_waiting_files_move_pause_cancel_and_retry_in_line() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    std::fs::create_dir_all(ra.path().join("tree")).unwrap();
    for i in 1..=6u64 {
        std::fs::write(ra.path().join(format!("tree/f{i}")), data(5_000, i)).unwrap();
    }
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let (engine, mut rx) = Engine::new(fxpc::transfer::Settings {
        parallel: 1,
        ..jobs::settings()
    });
    engine.pause_all(true);
    engine.submit(JobSpec {
        recursive: true,
        ..copy(
            at(&jobs::site(a.addr()), "/tree"),
            at(&jobs::site(b.addr()), "/copied"),
            Via::Auto,
        )
    });
    // The files' job ids, by name, as the walk queued them.
    let mut ids = std::collections::HashMap::new();
    let mut seen = Vec::new();
    while let Some(e) = rx.recv().await {
        if let EventKind::Queued {
            parent: Some(_),
            source,
            ..
        } = &e.kind
        {
            ids.insert(source.rsplit('/').next().unwrap().to_string(), e.job);
        }
        let walked = matches!(e.kind, EventKind::Walked { .. });
        seen.push(e);
        if walked {
            break;
        }
    }
    assert_eq!(ids.len(), 6, "{seen:#?}");
    let id = |name: &str| ids[name];
    // f6 to the front; f2 held back; f3 cancelled before it started.
    for _ in 0..5 {
        engine.nudge(id("f6"), true);
    }
    assert!(!engine.nudge(id("f6"), true), "already first");
    assert!(engine.pause(id("f2"), true));
    engine.cancel(id("f3"));
    engine.pause_all(false);
    // Everything but the held-back f2 ends; then f2 is let go.
    let mut started = Vec::new();
    let mut ended = 0;
    while ended < 5 {
        let e = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the files end")
            .unwrap();
        match &e.kind {
            EventKind::Started { .. } => started.push(e.job),
            EventKind::Verified { .. } | EventKind::Cancelled { .. } | EventKind::Failed { .. } => {
                ended += 1
            }
            _ => {}
        }
        seen.push(e);
    }
    let names = |jobs: &[u64]| -> Vec<String> {
        jobs.iter()
            .map(|j| ids.iter().find(|(_, id)| *id == j).unwrap().0.clone())
            .collect()
    };
    // f6 first, then the others in the order the walk queued them (the
    // server's listing order), without the held-back and the cancelled.
    let mut in_line: Vec<u64> = ["f1", "f4", "f5"].iter().map(|n| id(n)).collect();
    in_line.sort();
    in_line.insert(0, id("f6"));
    assert_eq!(names(&started), names(&in_line), "{seen:#?}");
    assert!(
        seen.iter()
            .any(|e| e.job == id("f3")
                && matches!(e.kind, EventKind::Cancelled { partial: None, .. }))
    );
    assert!(!rb.path().join("copied/f2").exists(), "held back");
    engine.pause(id("f2"), false);
    let retried = engine
        .retry(id("f3"))
        .expect("a cancelled file can be retried");
    let rest = jobs::collect(&engine, &mut rx).await;
    for job in [id("f2"), retried] {
        assert!(
            rest.iter()
                .any(|e| e.job == job && matches!(e.kind, EventKind::Verified { .. })),
            "{rest:#?}"
        );
    }
    for i in 1..=6u64 {
        assert_eq!(
            std::fs::read(rb.path().join(format!("copied/f{i}"))).unwrap(),
            data(5_000, i),
            "f{i}"
        );
    }
}

/// A destination that cannot be reached when the copy starts (a server
/// restarting) is dialled again after a pause, each pause said, and the
/// copy goes on once it is back: it used to fail at once and for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_down_when_the_copy_starts_is_waited_for() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let body = data(100_000, 31);
    std::fs::write(ra.path().join("w.bin"), &body).unwrap();
    let a = serve("127.0.0.2", ra.path(), |_| {}).await;
    let (b_addr, comes_back) = down_for_a_while(rb.path());
    let (engine, mut rx) = Engine::new(patient_settings());
    let events = jobs::run(
        &engine,
        &mut rx,
        copy(
            at(&jobs::site(a.addr()), "/w.bin"),
            at(&jobs::site(b_addr), "/w.bin"),
            Via::Auto,
        ),
    )
    .await;
    let _b = comes_back.await.unwrap();
    let waits: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Retrying { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    assert!(!waits.is_empty(), "{events:#?}");
    assert!(waits[0].contains("127.0.0.3"), "{waits:?}");
    verified_mode(&events);
    assert_eq!(std::fs::read(rb.path().join("w.bin")).unwrap(), body);
}

/// An address on 127.0.0.3 nobody listens on yet, where a server serving
/// `root` comes up 1.2 s later.
fn down_for_a_while(root: &Path) -> (SocketAddr, tokio::task::JoinHandle<Handle>) {
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.3:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let root = root.to_path_buf();
    let comes_back = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        serve_at(addr, &root, |_| {}).await
    });
    (addr, comes_back)
}

/// Retries enough, and soon enough, to outlast [`down_for_a_while`].
fn patient_settings() -> fxpc::transfer::Settings {
    let mut settings = jobs::settings();
    settings.retries = 4;
    settings.retry_backoff = Duration::from_millis(400);
    settings
}

/// A tree's walk that cannot reach the destination (a server restarting)
/// waits for it as a file's job does, instead of giving the whole tree
/// up: every file arrives once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trees_walk_waits_for_a_destination_that_is_down() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    std::fs::create_dir(ra.path().join("t")).unwrap();
    let bodies: Vec<Vec<u8>> = (0..3).map(|i| data(20_000, 40 + i)).collect();
    for (i, body) in bodies.iter().enumerate() {
        std::fs::write(ra.path().join(format!("t/{i}.bin")), body).unwrap();
    }
    let a = serve("127.0.0.2", ra.path(), |c| c.allow_fxp = true).await;
    let (b_addr, comes_back) = down_for_a_while(rb.path());
    let (engine, mut rx) = Engine::new(patient_settings());
    let events = jobs::run(
        &engine,
        &mut rx,
        JobSpec {
            recursive: true,
            ..copy(
                at(&jobs::site(a.addr()), "/t"),
                at(&jobs::site(b_addr), "/t"),
                Via::Auto,
            )
        },
    )
    .await;
    let _b = comes_back.await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Retrying { .. })),
        "{events:#?}"
    );
    for (i, body) in bodies.iter().enumerate() {
        let arrived = std::fs::read(rb.path().join(format!("t/{i}.bin")));
        assert_eq!(arrived.ok().as_ref(), Some(body), "{i}.bin: {events:#?}");
    }
}

/// A source that went away in the middle of a tree and came back: the
/// files still waiting are not stuck behind it — every one arrives, soon
/// after the server is back, without anybody pressing anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_files_go_on_when_their_source_comes_back() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    const FILES: u64 = 6;
    for i in 0..FILES {
        std::fs::create_dir_all(ra.path().join("t")).unwrap();
        std::fs::write(ra.path().join(format!("t/f{i}.bin")), data(300_000, 40 + i)).unwrap();
    }
    let source_config = |c: &mut Config| {
        c.allow_fxp = true;
        c.rate = Some(1_000_000);
    };
    let a = serve("127.0.0.2", ra.path(), source_config).await;
    let a_addr = a.addr();
    let b = serve("127.0.0.3", rb.path(), |_| {}).await;
    let mut settings = jobs::settings();
    settings.parallel = 2;
    settings.retries = 4;
    settings.retry_backoff = Duration::from_millis(400);
    let (engine, mut rx) = Engine::new(settings);
    let mut tree = copy(
        at(&jobs::site(a_addr), "/t"),
        at(&jobs::site(b.addr()), "/t"),
        Via::Auto,
    );
    tree.recursive = true;
    engine.submit(tree);
    // The first file verified, the others waiting or under way.
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|e: &fxpc::transfer::Event| matches!(e.kind, EventKind::Verified { .. }))
    {
        let e = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("a file within 20 s")
            .expect("events");
        seen.push(e);
    }
    a.stop().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _a = serve_at(a_addr, ra.path(), source_config).await;
    let back = std::time::Instant::now();
    seen.extend(jobs::collect(&engine, &mut rx).await);
    let verified = seen
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Verified { .. }))
        .count() as u64;
    assert_eq!(verified, FILES, "{seen:#?}");
    for i in 0..FILES {
        let name = format!("t/f{i}.bin");
        assert_eq!(
            std::fs::read(rb.path().join(&name)).unwrap(),
            std::fs::read(ra.path().join(&name)).unwrap(),
            "{name}"
        );
    }
    // 1.8 MB at 1 MB/s, two at a time, plus the pauses: well under 30 s.
    assert!(
        back.elapsed() < Duration::from_secs(25),
        "{:?}",
        back.elapsed()
    );
}

/// A tree's walk keeps a read-ahead in line, not the whole tree: with the
/// queue paused it stops after 1,024 of 3,000 files (two directories and
/// a part of the third) and waits, and once the queue goes on every file
/// arrives, each announced once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_reads_ahead_of_its_line_not_the_whole_tree() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    for d in 0..3 {
        let dir = ra.path().join(format!("tree/d{d}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..1000 {
            std::fs::write(dir.join(format!("f{f:04}")), [d as u8, (f % 251) as u8]).unwrap();
        }
    }
    let (engine, mut rx) = Engine::new(fxpc::transfer::Settings {
        parallel: 4,
        ..jobs::settings()
    });
    engine.pause_all(true);
    engine.submit(JobSpec {
        recursive: true,
        ..copy(
            Location::local(ra.path().join("tree")),
            Location::local(rb.path().join("tree")),
            Via::Auto,
        )
    });
    let mut queued = std::collections::HashSet::new();
    let queued_file = |e: &fxpc::transfer::Event| {
        matches!(
            e.kind,
            EventKind::Queued {
                parent: Some(_),
                ..
            }
        )
    };
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
        assert!(!matches!(e.kind, EventKind::Walked { .. }), "walked it all");
        if queued_file(&e) {
            queued.insert(e.job);
        }
    }
    assert_eq!(queued.len(), 1024, "the read-ahead, while the queue waits");
    engine.pause_all(false);
    let mut verified = 0;
    loop {
        let e = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("the copy goes on")
            .unwrap();
        if queued_file(&e) {
            assert!(queued.insert(e.job), "queued twice");
        }
        match e.kind {
            EventKind::Verified { .. } => verified += 1,
            EventKind::Walked { files, .. } => assert_eq!(files, 3000),
            EventKind::Failed { reason, .. } => panic!("{reason}"),
            _ => {}
        }
        if verified == 3000 {
            break;
        }
    }
    engine.wait_idle().await;
    assert_eq!(queued.len(), 3000);
    for d in 0..3 {
        for f in [0, 999] {
            let name = format!("tree/d{d}/f{f:04}");
            assert_eq!(
                std::fs::read(rb.path().join(&name)).unwrap(),
                [d as u8, (f % 251) as u8]
            );
        }
    }
}
