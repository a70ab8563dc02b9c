//! What a copy tool must never get wrong, against the servers people run
//! (vsftpd, pyftpdlib), `fxpc serve`, the local disk, and a hostile server
//! (`tests/hostile_server.py`): an existing destination under every
//! conflict policy and every transport (smaller, same size, larger), empty
//! files, a passive side that drops foreign peers without a word, permanent
//! refusals, a full disk, a passive reply naming a third host, and how many
//! sessions a tree copy opens. Bytes are checked on disk.

mod common;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use fxpc::ftp::{Client, Options};
use fxpc::server::{Anonymous, Config, Handle};
use fxpc::transfer::{
    Conflict, Engine, Event, EventKind, JobId, JobSpec, Kind, Location, Mode, Settings, Via,
};

use common::ends::End;
use common::jobs::{self, collect, site};
use common::{Hostile, Pyftpd, Vsftpd, next_addr, pseudo_random, temp_root};

/// Two vsftpd on their own addresses, FXP allowed or refused as shipped;
/// the roots go with them.
fn vsftpd_pair(fxp: bool) -> Option<((tempfile::TempDir, tempfile::TempDir), Vsftpd, Vsftpd)> {
    let roots = (temp_root(), temp_root());
    let a = Vsftpd::start(&next_addr(), roots.0.path(), fxp)?;
    let b = Vsftpd::start(&next_addr(), roots.1.path(), fxp)?;
    Some((roots, a, b))
}

/// Whether any job was tried again.
fn retried(events: &[Event]) -> bool {
    events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Retrying { .. }))
}

async fn serve(ip: &str, root: &Path, allow_fxp: bool) -> Handle {
    let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
    config.anonymous = Some(Anonymous::Write);
    config.allow_fxp = allow_fxp;
    Handle::spawn(config).await.unwrap()
}

/// The final event of each job, by id.
fn outcomes(events: &[Event]) -> HashMap<JobId, EventKind> {
    let mut last = HashMap::new();
    for e in events {
        if matches!(
            e.kind,
            EventKind::Verified { .. }
                | EventKind::Failed { .. }
                | EventKind::Skipped { .. }
                | EventKind::Cancelled { .. }
        ) {
            last.insert(e.job, e.kind.clone());
        }
    }
    last
}

const SIZE: usize = 150_000;

/// One case: what the destination holds before, the policy, and what it
/// must hold after.
struct Case {
    name: &'static str,
    source: Vec<u8>,
    before: Option<Vec<u8>>,
    kind: Kind,
    conflict: Conflict,
    /// `None`: the job must fail and leave the destination as it was.
    after: Option<Vec<u8>>,
}

fn cases() -> Vec<Case> {
    let src = pseudo_random(SIZE, 1);
    let other = |len: usize, seed: u64| pseudo_random(len, seed);
    let case = |name, before: Option<Vec<u8>>, conflict, after: Option<Vec<u8>>| Case {
        name,
        source: src.clone(),
        before,
        kind: Kind::Copy,
        conflict,
        after,
    };
    vec![
        // Overwrite replaces every byte, whatever was there.
        case(
            "ow_smaller",
            Some(other(SIZE / 2, 2)),
            Conflict::Overwrite,
            Some(src.clone()),
        ),
        case(
            "ow_same",
            Some(other(SIZE, 3)),
            Conflict::Overwrite,
            Some(src.clone()),
        ),
        case(
            "ow_larger",
            Some(other(SIZE * 2, 4)),
            Conflict::Overwrite,
            Some(src.clone()),
        ),
        case("ow_absent", None, Conflict::Overwrite, Some(src.clone())),
        // Resume continues a partial copy, and refuses a larger file.
        case(
            "re_smaller",
            Some(src[..SIZE / 3].to_vec()),
            Conflict::Resume,
            Some(src.clone()),
        ),
        case(
            "re_same",
            Some(src.clone()),
            Conflict::Resume,
            Some(src.clone()),
        ),
        case(
            "re_larger",
            Some(other(SIZE * 2, 5)),
            Conflict::Resume,
            None,
        ),
        // Append adds the source after what was there.
        case(
            "ap_existing",
            Some(other(1000, 8)),
            Conflict::Append,
            Some([other(1000, 8), src.clone()].concat()),
        ),
        // Skip leaves it alone.
        case(
            "sk_same",
            Some(other(SIZE, 6)),
            Conflict::Skip,
            Some(other(SIZE, 6)),
        ),
        // A move onto an existing same-size file: the new content arrives
        // before the source goes.
        Case {
            name: "mv_same",
            source: b"NEW CONTENT v2".to_vec(),
            before: Some(b"OLD CONTENT v1".to_vec()),
            kind: Kind::Move,
            conflict: Conflict::Overwrite,
            after: Some(b"NEW CONTENT v2".to_vec()),
        },
        // Empty files are files: created, and an empty source empties the
        // destination.
        Case {
            name: "empty_new",
            source: Vec::new(),
            before: None,
            kind: Kind::Copy,
            conflict: Conflict::Overwrite,
            after: Some(Vec::new()),
        },
        Case {
            name: "empty_over",
            source: Vec::new(),
            before: Some(other(1000, 7)),
            kind: Kind::Copy,
            conflict: Conflict::Overwrite,
            after: Some(Vec::new()),
        },
    ]
}

/// Runs every case from `from` to `to` and checks the destination's bytes,
/// the event, and (for a move) the source.
async fn existing_destinations(from: &End, to: &End, via: Via, expect: &[Mode]) {
    let cases = cases();
    for c in &cases {
        from.seed(c.name, &c.source);
        if let Some(b) = &c.before {
            to.seed(c.name, b);
        }
    }
    let (engine, mut events) = Engine::new(jobs::settings());
    let mut ids = Vec::new();
    for c in &cases {
        let id = engine.submit(JobSpec {
            source: from.at(c.name),
            destination: to.at(c.name),
            kind: c.kind,
            recursive: false,
            conflict: c.conflict,
            via,
        });
        ids.push(id);
    }
    let seen = collect(&engine, &mut events).await;
    let last = outcomes(&seen);
    let route = format!("{} → {}", from.name, to.name);
    for (c, id) in cases.iter().zip(ids) {
        let outcome = last
            .get(&id)
            .unwrap_or_else(|| panic!("{route} {}: no final event: {seen:#?}", c.name));
        let now = to.try_read(c.name);
        match &c.after {
            Some(expected) => {
                assert_eq!(
                    now.as_ref().map(Vec::len),
                    Some(expected.len()),
                    "{route} {}: wrong size at the destination; {outcome:?}",
                    c.name
                );
                assert!(
                    now.as_ref() == Some(expected),
                    "{route} {}: the destination's bytes differ from what they must be; {outcome:?}",
                    c.name
                );
                if c.conflict == Conflict::Skip {
                    assert!(
                        matches!(outcome, EventKind::Skipped { .. }),
                        "{route} {}: {outcome:?}",
                        c.name
                    );
                    continue;
                }
                match outcome {
                    EventKind::Verified {
                        mode,
                        size,
                        source_deleted,
                        ..
                    } => {
                        assert_eq!(*size, expected.len() as u64, "{route} {}", c.name);
                        assert!(
                            expect.contains(mode) || c.name == "re_same",
                            "{route} {}: went by {mode}, expected one of {expect:?}",
                            c.name
                        );
                        assert_eq!(*source_deleted, c.kind == Kind::Move, "{route} {}", c.name);
                        if c.kind == Kind::Move {
                            assert!(
                                from.try_read(c.name).is_none(),
                                "{route} {}: source still there",
                                c.name
                            );
                        }
                    }
                    other => panic!("{route} {}: not verified: {other:?}", c.name),
                }
            }
            None => {
                assert!(
                    matches!(outcome, EventKind::Failed { .. }),
                    "{route} {}: {outcome:?}",
                    c.name
                );
                assert_eq!(
                    now, c.before,
                    "{route} {}: a failed job changed the destination",
                    c.name
                );
            }
        }
    }
}

const DST_PASSIVE: Mode = Mode::Fxp {
    source_passive: false,
};
const SRC_PASSIVE: Mode = Mode::Fxp {
    source_passive: true,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_destinations_fxp_vsftpd_to_vsftpd() {
    let Some((_roots, a, b)) = vsftpd_pair(true) else {
        return;
    };
    existing_destinations(
        &End::vsftpd(&a),
        &End::vsftpd(&b),
        Via::Auto,
        &[DST_PASSIVE, SRC_PASSIVE],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_destinations_fxp_vsftpd_to_pyftpdlib() {
    let (ra, rb) = (temp_root(), temp_root());
    let Some(a) = Vsftpd::start(&next_addr(), ra.path(), true) else {
        return;
    };
    let Some(b) = Pyftpd::start(&next_addr(), rb.path(), true) else {
        return;
    };
    existing_destinations(
        &End::vsftpd(&a),
        &End::pyftpd(&b),
        Via::Auto,
        &[DST_PASSIVE, SRC_PASSIVE],
    )
    .await;
}

/// Two vsftpd as shipped refuse FXP: the first dialect tried is refused
/// for every file, and the relay that follows must still start from the
/// policy's offsets, not from the old file's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_destinations_relay_between_servers_that_refuse_fxp() {
    let Some((_roots, a, b)) = vsftpd_pair(false) else {
        return;
    };
    existing_destinations(
        &End::vsftpd(&a),
        &End::vsftpd(&b),
        Via::Auto,
        &[Mode::Relay],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_destinations_lstn_sock_between_fxpc_servers() {
    let (ra, rb) = (temp_root(), temp_root());
    let a = serve(&next_addr(), ra.path(), true).await;
    let b = serve(&next_addr(), rb.path(), true).await;
    existing_destinations(
        &End::serve(&a, ra.path()),
        &End::serve(&b, rb.path()),
        Via::Auto,
        &[Mode::LstnSock],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_destinations_upload_and_download() {
    let (root, local_src, local_dst) = (temp_root(), temp_root(), temp_root());
    let Some(server) = Pyftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let remote = End::pyftpd(&server);
    existing_destinations(
        &End::local(local_src.path()),
        &remote,
        Via::Auto,
        &[Mode::Upload],
    )
    .await;
    existing_destinations(
        &remote,
        &End::local(local_dst.path()),
        Via::Auto,
        &[Mode::Download],
    )
    .await;
}

/// A tree holding empty files (`.keep`, `__init__.py`): each one exists at
/// the destination afterwards, by FXP, relay, upload and download.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_files_in_a_tree_arrive_by_every_transport() {
    let (ra, rb, rc, local, back) = (
        temp_root(),
        temp_root(),
        temp_root(),
        temp_root(),
        temp_root(),
    );
    let Some(fxp_src) = Vsftpd::start(&next_addr(), ra.path(), true) else {
        return;
    };
    let Some(fxp_dst) = Pyftpd::start(&next_addr(), rb.path(), true) else {
        return;
    };
    let Some(strict) = Vsftpd::start(&next_addr(), rc.path(), false) else {
        return;
    };
    let (a, b, c) = (
        End::vsftpd(&fxp_src),
        End::pyftpd(&fxp_dst),
        End::vsftpd(&strict),
    );
    let tree = [
        ("t/.keep", 0),
        ("t/pkg/__init__.py", 0),
        ("t/data.bin", 5000),
    ];
    for (name, len) in tree {
        a.seed(name, &pseudo_random(len, 9));
        common::seed(local.path(), name, &pseudo_random(len, 9));
    }
    let (engine, mut events) = Engine::new(jobs::settings());
    let tree_job = |from: Location, to: Location| JobSpec {
        source: from,
        destination: to,
        kind: Kind::Copy,
        recursive: true,
        conflict: Conflict::Overwrite,
        via: Via::Auto,
    };
    engine.submit(tree_job(a.at("t"), b.at("fxp"))); // FXP
    engine.submit(tree_job(a.at("t"), c.at("relay"))); // strict vsftpd refuses: relay
    engine.submit(tree_job(
        Location::local(local.path().join("t")),
        c.at("up"),
    )); // upload
    engine.submit(tree_job(
        a.at("t"),
        Location::local(back.path().join("down")),
    )); // download
    let seen = collect(&engine, &mut events).await;
    let failed: Vec<_> = seen
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Failed { .. }))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let modes: Vec<Mode> = seen
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Verified { mode, .. } => Some(mode),
            _ => None,
        })
        .collect();
    assert_eq!(modes.len(), 12, "{seen:#?}");
    for mode in [DST_PASSIVE, Mode::Relay, Mode::Upload, Mode::Download] {
        assert!(
            modes.iter().filter(|m| **m == mode).count() >= 3,
            "{mode}: {modes:?}"
        );
    }
    for (dir, name) in [
        (b.files.join("fxp"), "b"),
        (c.files.join("relay"), "c"),
        (c.files.join("up"), "c"),
        (back.path().join("down"), "local"),
    ] {
        for (file, len) in tree {
            let path = dir.join(file.trim_start_matches("t/"));
            let meta = std::fs::metadata(&path)
                .unwrap_or_else(|e| panic!("{name}: {} missing: {e}", path.display()));
            assert_eq!(meta.len(), len as u64, "{}", path.display());
        }
    }
}

/// A passive side that takes a foreign data connection and closes it
/// without a word (Pure-FTPd's default): the dialect is given up within
/// the data-connection timeout and the copy relays, well under 30 s, with
/// the default settings (a 60 s stall timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passive_side_that_drops_foreign_peers_silently_is_a_refusal_within_seconds() {
    let root = temp_root();
    let source = serve(&next_addr(), root.path(), true).await;
    let hostile = Hostile::start(&next_addr(), &["--silent-foreign"]);
    let from = End::serve(&source, root.path());
    let data = pseudo_random(20_000, 11);
    from.seed("f.bin", &data);
    let to = Location::ftp(site(hostile.socket_addr()), "/f.bin");

    let (engine, mut events) = Engine::new(Settings::default());
    let started = Instant::now();
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("f.bin"), to, Via::Auto),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(jobs::verified_mode(&seen), Mode::Relay, "{seen:#?}");
    assert!(took < Duration::from_secs(30), "took {took:?}: {seen:#?}");
    let reasons: Vec<String> = seen
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ModeChanged { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("the destination")
            && r.contains(&hostile.socket_addr().ip().to_string())),
        "the refusal names the destination: {reasons:#?}"
    );
    assert!(
        !retried(&seen),
        "silence is a refusal, not a reason to retry: {seen:#?}"
    );
    assert!(
        hostile
            .log()
            .contains("closed a data connection from foreign"),
        "{}",
        hostile.log()
    );
    // The bytes, read back from the hostile server over a data connection
    // of our own.
    let mut client = Client::open(
        &hostile.socket_addr().ip().to_string(),
        hostile.socket_addr().port(),
        &Default::default(),
        Options::default(),
    )
    .await
    .unwrap();
    let mut back = Vec::new();
    client.retrieve("/f.bin", 0, &mut back).await.unwrap();
    assert!(back == data, "relayed bytes differ");
}

/// A read-only destination answers `553`: permanent, so no retry, and the
/// first words of the reason are the destination's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_is_not_retried_and_blames_the_destination() {
    let Some((_roots, a, b)) = vsftpd_pair(true) else {
        return;
    };
    let (from, to) = (End::vsftpd(&a), End::vsftpd(&b));
    from.seed("f.bin", &pseudo_random(50_000, 12));
    let ro = to.files.join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();

    let (engine, mut events) = Engine::new(jobs::settings());
    let started = Instant::now();
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("f.bin"), to.at("ro/f.bin"), Via::Auto),
    )
    .await;
    let took = started.elapsed();
    let reason = jobs::failure(&seen);
    assert!(
        reason.starts_with("the destination answered 553"),
        "{reason}"
    );
    assert!(!retried(&seen), "{seen:#?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(!ro.join("f.bin").exists());
}

/// A destination that runs out of space (`452`) fails its file with its own
/// words, is not retried, and the rest of the tree is not sent there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_destination_stops_the_rest_of_the_tree() {
    let root = temp_root();
    let source = serve(&next_addr(), root.path(), true).await;
    // Files large enough that the source is still sending when the
    // destination gives up: it then sees its data connection dropped (426),
    // which must not pass for a refusal of FXP.
    let hostile = Hostile::start(&next_addr(), &["--full-after", "4500000"]);
    let from = End::serve(&source, root.path());
    for i in 0..5 {
        from.seed(&format!("t/f{i}.bin"), &pseudo_random(3_000_000, 20 + i));
    }
    let to = Location::ftp(site(hostile.socket_addr()), "/t");
    let (engine, mut events) = Engine::new(Settings {
        parallel: 1,
        ..jobs::settings()
    });
    let started = Instant::now();
    let seen = jobs::run(
        &engine,
        &mut events,
        JobSpec {
            source: from.at("t"),
            destination: to,
            kind: Kind::Copy,
            recursive: true,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
        },
    )
    .await;
    let reasons: Vec<String> = seen
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Failed { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    let verified = seen
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Verified { .. }))
        .count();
    assert_eq!(verified, 1, "{seen:#?}");
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert!(
        reasons[0].starts_with("the destination answered 452"),
        "{reasons:#?}"
    );
    // Not retried, and the row says so (issue 24: say why).
    assert!(reasons[0].contains("not retried"), "{reasons:#?}");
    for r in &reasons[1..] {
        assert!(r.contains("destination full") && r.contains("452"), "{r}");
    }
    assert!(!retried(&seen), "{seen:#?}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        !seen.iter().any(|e| matches!(
            e.kind,
            EventKind::ModeChanged {
                from: Mode::Fxp { .. },
                ..
            }
        )),
        "a full disk is not a refusal of FXP: {seen:#?}"
    );
    // Only two files ever reached the server: the one that fitted and the
    // one that did not.
    let stors = hostile
        .log()
        .lines()
        .filter(|l| l.starts_with("STOR"))
        .count();
    assert_eq!(stors, 2, "{}", hostile.log());
}

/// RFC 2577: a source whose `PASV` names a third host must not have the
/// destination connect there. The listener on that third address sees no
/// connection, and the failure names the server and the address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passive_reply_naming_a_third_host_is_never_used() {
    let rb = temp_root();
    let third = std::net::TcpListener::bind((next_addr().as_str(), 0)).unwrap();
    third.set_nonblocking(true).unwrap();
    let third_addr = third.local_addr().unwrap();
    let hostile = Hostile::start(
        &next_addr(),
        &[
            "--pasv-host",
            &third_addr.ip().to_string(),
            "--pasv-port",
            &third_addr.port().to_string(),
            "--seed",
            "f.bin:30000",
        ],
    );
    let Some(b) = Vsftpd::start(&next_addr(), rb.path(), true) else {
        return;
    };
    let to = End::vsftpd(&b);
    let from = Location::ftp(site(hostile.socket_addr()), "/f.bin");
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from, to.at("f.bin"), Via::Fxp),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(
        reason.contains(&third_addr.to_string()) && reason.contains("RFC 2577"),
        "{reason}"
    );
    assert!(
        reason.contains(&hostile.socket_addr().ip().to_string()),
        "names the server: {reason}"
    );
    assert!(
        third.accept().is_err(),
        "the destination was made to connect to the third host"
    );
    assert!(
        !b.log().contains(&format!(
            "PORT {}",
            third_addr.ip().to_string().replace('.', ",")
        )),
        "{}",
        b.log()
    );
}

/// How many times a vsftpd saw a login.
fn logins(server: &Vsftpd) -> usize {
    server.log().matches("OK LOGIN").count()
}

/// A tree of 50 files opens at most the per-site connection limit of
/// sessions per site (here 2), plus one for progress polling — whatever
/// the number of files, and whether the servers do FXP or refuse it (a
/// refused dialect costs a new session for each file that met the refusal
/// before it was remembered: the passive side left listening is not
/// reused, since some servers answer its `PASV` a second time, later). A
/// refusal at the transfer command is remembered only once another way
/// carried a file, so how many files meet it first depends on timing: one
/// run in about seven saw 6 logins on the source. The bound says what
/// matters: the logins do not grow with the number of files. The copy is set up as `fxpc cp`
/// does it, destination probe included. The files are verified together
/// per directory, not by a `SIZE` and its answer each.
/// `t` copied by overwriting into `to`'s home as a tree, with the engine's
/// test settings; every event.
async fn copy_tree_t(from: &End, to: &End) -> Vec<Event> {
    let (engine, mut events) = Engine::new(jobs::settings());
    let destination = engine
        .resolve_destination(&from.at("t"), &to.at(""))
        .await
        .unwrap();
    jobs::run(
        &engine,
        &mut events,
        JobSpec {
            source: from.at("t"),
            destination,
            kind: Kind::Copy,
            recursive: true,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
        },
    )
    .await
}

/// A subdirectory nobody may read (vsftpd answers `550`) is said, with
/// the server's words, and the rest of the tree is still copied; the tree
/// ends failed, naming it, so the run cannot pass for complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_directory_is_said_and_the_rest_of_the_tree_is_copied() {
    let Some((_roots, a, b)) = vsftpd_pair(true) else {
        return;
    };
    let (from, to) = (End::vsftpd(&a), End::vsftpd(&b));
    for dir in ["a", "b", "c"] {
        from.seed(&format!("t/{dir}/f.txt"), dir.as_bytes());
    }
    let closed = from.files.join("t/b");
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();
    let seen = copy_tree_t(&from, &to).await;
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(to.read("t/a/f.txt"), b"a");
    assert_eq!(to.read("t/c/f.txt"), b"c");
    assert!(!to.exists("t/b/f.txt"));
    let skipped = seen.iter().find_map(|e| match &e.kind {
        EventKind::Skipped { path, reason } if path.ends_with("/t/b") => Some(reason.to_string()),
        _ => None,
    });
    let skipped = skipped.unwrap_or_else(|| panic!("t/b said: {seen:#?}"));
    assert!(skipped.contains("550"), "{skipped}");
    let ended = seen.iter().find_map(|e| match &e.kind {
        EventKind::Failed { reason, .. } if e.job == 1 => Some(reason.to_string()),
        EventKind::Walked { .. } if e.job == 1 => Some("walked".into()),
        _ => None,
    });
    let ended = ended.unwrap_or_default();
    assert!(
        ended.contains("1 directory could not be read"),
        "{ended}: {seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tree_copys_logins_do_not_grow_with_its_files() {
    for fxp in [true, false] {
        let Some((_roots, a, b)) = vsftpd_pair(fxp) else {
            return;
        };
        let (from, to) = (End::vsftpd(&a), End::vsftpd(&b));
        for i in 0..50 {
            from.seed(&format!("t/d{}/f{i}.txt", i % 5), &pseudo_random(4096, i));
        }
        let seen = copy_tree_t(&from, &to).await;
        let verified = seen
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Verified { .. }))
            .count();
        assert_eq!(verified, 50, "fxp {fxp}: {seen:#?}");
        let (la, lb) = (logins(&a), logins(&b));
        assert!(
            la <= 7 && lb <= 7,
            "fxp {fxp}: {la} logins on the source, {lb} on the destination"
        );
        // Verified together per destination directory (their SIZEs sent
        // at once; `listing::tests` shows it is one round trip), not by a
        // question and its answer per file, nor a listing per file.
        let (sizes, lists) = (
            b.log().matches("\"SIZE ").count(),
            b.log().matches("\"LIST -a\"").count(),
        );
        assert!(
            sizes <= 50 && lists <= 15,
            "fxp {fxp}: {sizes} SIZE and {lists} LIST on the destination"
        );
        for i in 0..50 {
            let name = format!("t/d{}/f{i}.txt", i % 5);
            assert_eq!(
                to.try_read(&name).as_deref(),
                Some(pseudo_random(4096, i).as_slice()),
                "{name}"
            );
        }
    }
}

/// The `Verified` event's check ("size", "sha-256" …), panicking otherwise.
fn check_of(events: &[Event]) -> String {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Verified { check, .. } => Some(check.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("nothing verified: {events:#?}"))
}

fn verify(verify: fxpc::transfer::Verify) -> Settings {
    Settings {
        verify,
        ..jobs::settings()
    }
}

/// Where both ends can compute a digest (`fxpc serve` offers `HASH`; a
/// local file is hashed here; the hostile server offers only `XSHA256`),
/// `auto` compares them, by FXP, LSTN/SOCK, upload and download; where one
/// end cannot (vsftpd, pyftpdlib), `auto` checks the size and `hash` fails
/// saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_are_checked_by_digest_where_both_ends_offer_one() {
    use fxpc::transfer::Verify;
    let (ra, rb, local) = (temp_root(), temp_root(), temp_root());
    let a = serve(&next_addr(), ra.path(), true).await;
    let b = serve(&next_addr(), rb.path(), true).await;
    let (from, to, here) = (
        End::serve(&a, ra.path()),
        End::serve(&b, rb.path()),
        End::local(local.path()),
    );
    let data = pseudo_random(300_000, 30);
    from.seed("h.bin", &data);
    here.seed("up.bin", &data);

    let (engine, mut events) = Engine::new(verify(Verify::Auto));
    for (source, destination, via, mode) in [
        (
            from.at("h.bin"),
            to.at("lstn.bin"),
            Via::Lstn,
            Mode::LstnSock,
        ),
        (from.at("h.bin"), to.at("fxp.bin"), Via::Fxp, DST_PASSIVE),
        (
            from.at("h.bin"),
            here.at("down.bin"),
            Via::Auto,
            Mode::Download,
        ),
        (here.at("up.bin"), to.at("up.bin"), Via::Auto, Mode::Upload),
    ] {
        let seen = jobs::run(&engine, &mut events, jobs::copy(source, destination, via)).await;
        assert_eq!(jobs::verified_mode(&seen), mode);
        assert_eq!(check_of(&seen), "sha-256", "{mode}");
    }
    assert!(to.try_read("fxp.bin") == Some(data.clone()));

    // The older X commands: the hostile server offers only XSHA256.
    let honest = Hostile::start(&next_addr(), &["--xsha256"]);
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            here.at("up.bin"),
            Location::ftp(site(honest.socket_addr()), "/x.bin"),
            Via::Auto,
        ),
    )
    .await;
    assert_eq!(check_of(&seen), "sha-256");
    assert!(honest.log().contains("XSHA256 /x.bin"), "{}", honest.log());

    // A relay hashes the bytes it carries: they stand for the source, whose
    // server is not asked to read the file again.
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            Location::ftp(site(honest.socket_addr()), "/x.bin"),
            to.at("relayed.bin"),
            Via::Relay,
        ),
    )
    .await;
    assert_eq!(jobs::verified_mode(&seen), Mode::Relay);
    assert_eq!(check_of(&seen), "sha-256");
    assert_eq!(
        honest.log().matches("XSHA256").count(),
        1,
        "only the upload's check asked it: {}",
        honest.log()
    );
    assert!(to.try_read("relayed.bin") == Some(data.clone()));

    // vsftpd computes no digest: auto falls back to the size, hash fails.
    let rv = temp_root();
    let Some(v) = Vsftpd::start(&next_addr(), rv.path(), true) else {
        return;
    };
    let vs = End::vsftpd(&v);
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("h.bin"), vs.at("v.bin"), Via::Auto),
    )
    .await;
    assert_eq!(check_of(&seen), "size");
    let (strict, mut strict_events) = Engine::new(verify(Verify::Hash));
    let seen = jobs::run(
        &strict,
        &mut strict_events,
        jobs::copy(from.at("h.bin"), vs.at("v2.bin"), Via::Auto),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(
        reason.contains("cannot check by digest") && reason.contains("the destination none"),
        "{reason}"
    );
    assert!(
        vs.try_read("v2.bin").is_none(),
        "a copy that cannot be checked as asked is not made"
    );
}

/// A destination whose digest differs (its disk corrupted the file) fails
/// the copy naming both digests, and a move keeps its source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_mismatch_fails_and_a_move_keeps_its_source() {
    use fxpc::transfer::Verify;
    let local = temp_root();
    let here = End::local(local.path());
    let data = pseudo_random(64_000, 31);
    here.seed("m.bin", &data);
    let liar = Hostile::start(&next_addr(), &["--wrong-hash"]);
    let (engine, mut events) = Engine::new(verify(Verify::Hash));
    let seen = jobs::run(
        &engine,
        &mut events,
        JobSpec {
            kind: Kind::Move,
            ..jobs::copy(
                here.at("m.bin"),
                Location::ftp(site(liar.socket_addr()), "/m.bin"),
                Via::Auto,
            )
        },
    )
    .await;
    let reason = jobs::failure(&seen);
    let mut hasher = fxpc::ftp::hash::Algorithm::Sha256.hasher();
    hasher.update(&data);
    let ours = hasher.finish();
    assert!(
        reason.starts_with("content check failed") && reason.contains(&ours),
        "{reason}"
    );
    assert!(
        here.try_read("m.bin") == Some(data),
        "the source was touched"
    );
}

/// A full local disk (`/dev/full` answers every write with ENOSPC) during
/// a download: the destination is blamed, in the kernel's words, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_local_disk_fails_the_download_naming_the_destination() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let root = temp_root();
    let Some(server) = Pyftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let from = End::pyftpd(&server);
    from.seed("f.bin", &pseudo_random(200_000, 40));
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("f.bin"), Location::local("/dev/full"), Via::Auto),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(
        reason.starts_with("the destination (local file)") && reason.contains("space"),
        "{reason}"
    );
    assert!(!retried(&seen), "{seen:#?}");
}

/// Once FXP worked between two servers, the source's `PORT`, `REST` and
/// `RETR` go out together (a round trip less per file): a resumed copy
/// after a plain one still continues at the right byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_fxp_resumes_at_the_right_byte() {
    let Some((_roots, a, b)) = vsftpd_pair(true) else {
        return;
    };
    let (from, to) = (End::vsftpd(&a), End::vsftpd(&b));
    let data = pseudo_random(400_000, 50);
    from.seed("first.bin", &data);
    from.seed("second.bin", &data);
    to.seed("second.bin", &data[..123_457]);
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("first.bin"), to.at("first.bin"), Via::Auto),
    )
    .await;
    assert_eq!(jobs::verified_mode(&seen), DST_PASSIVE);
    let seen = jobs::run(
        &engine,
        &mut events,
        JobSpec {
            conflict: Conflict::Resume,
            ..jobs::copy(from.at("second.bin"), to.at("second.bin"), Via::Auto)
        },
    )
    .await;
    assert_eq!(jobs::verified_mode(&seen), DST_PASSIVE, "{seen:#?}");
    assert!(to.try_read("second.bin") == Some(data.clone()));
    assert!(
        a.log().contains("\"REST 123457\""),
        "the source was asked to start at the destination's size: {}",
        a.log()
    );
}

/// A server's listing names are its words, not paths to follow: a tree
/// copy from a server listing `../../escape.txt`, `a/b.txt`, `..` or
/// `/etc/passwd` writes nothing outside the destination, reports each such
/// name, and copies the real files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_in_a_listing_cannot_leave_the_destination() {
    let outer = temp_root();
    let destination = outer.path().join("a/b/dest");
    std::fs::create_dir_all(&destination).unwrap();
    let hostile = Hostile::start(&next_addr(), &["--evil-listing", "--seed", "ok.txt:5"]);
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        JobSpec {
            source: Location::ftp(site(hostile.socket_addr()), "/"),
            destination: Location::local(&destination),
            kind: Kind::Copy,
            recursive: true,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
        },
    )
    .await;
    assert!(destination.join("ok.txt").exists(), "{seen:#?}");
    for escaped in [
        outer.path().join("a/escape.txt"),
        outer.path().join("a/b/escape.txt"),
        destination.join("a/b.txt"),
    ] {
        assert!(!escaped.exists(), "{}", escaped.display());
    }
    let skipped: Vec<String> = seen
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Skipped { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    // `..` as a directory entry is dropped by the listing parser already.
    assert_eq!(skipped.len(), 3, "{skipped:#?}");
    assert!(!hostile.log().contains("RETR /../"), "{}", hostile.log());
}

/// A destination that wants `PRET` before `PASV` (drftpd) hears `PRET
/// STOR` before the servers are connected, and the copy goes server to
/// server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fxp_announces_the_transfer_with_pret_where_asked() {
    let root = temp_root();
    let source = serve(&next_addr(), root.path(), true).await;
    let hostile = Hostile::start(&next_addr(), &["--require-pret"]);
    let from = End::serve(&source, root.path());
    from.seed("p.bin", &pseudo_random(100_000, 3));
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            from.at("p.bin"),
            Location::ftp(site(hostile.socket_addr()), "/p.bin"),
            Via::Auto,
        ),
    )
    .await;
    assert_eq!(
        jobs::verified_mode(&seen),
        Mode::Fxp {
            source_passive: false
        }
    );
    let log = hostile.log();
    assert!(log.contains("PRET STOR /p.bin"), "{log}");
}
