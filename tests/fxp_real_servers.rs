//! The transfer engine making servers nobody on this project wrote (vsftpd,
//! pyftpdlib, libunftp) and `fxpc serve` exchange files directly, each
//! server on its own loopback address so their anti-FXP checks are real.
//!
//! Every case checks the bytes on the destination's disk, the `Mode` the
//! `Verified` event reports, and how many bytes the client itself carried:
//! none for a server-to-server copy, all of them for a relay.

mod common;

use std::time::Duration;

use fxpc::server::{Anonymous, Config, Handle};
use fxpc::transfer::{Engine, Event, EventKind, JobSpec, Kind, Location, Mode, Settings, Via};

use common::ends::End;
use common::jobs::{copy, failure, mode_changes, run, settings};
use common::{Pyftpd, Unftp, Vsftpd, next_addr, pseudo_random, temp_root};

const MIB: usize = 1024 * 1024;
const DST_PASSIVE: Mode = Mode::Fxp {
    source_passive: false,
};
const SRC_PASSIVE: Mode = Mode::Fxp {
    source_passive: true,
};

/// The `Verified` event's fields, panicking with every event (and the logs
/// given) when nothing verified.
struct Verified {
    mode: Mode,
    bytes: u64,
    size: u64,
    source_deleted: bool,
}

fn verified(events: &[Event], logs: &str) -> Verified {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Verified {
                mode,
                bytes,
                size,
                source_deleted,
                ..
            } => Some(Verified {
                mode: *mode,
                bytes: *bytes,
                size: *size,
                source_deleted: *source_deleted,
            }),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no file verified: {events:#?}\n{logs}"))
}

fn is_fxp(mode: Mode) -> bool {
    matches!(mode, Mode::Fxp { .. })
}

/// Copies `name` (seeded at `from` with `data`) to `to` with `Via::Auto`
/// and checks that it went server to server, byte for byte. Returns the
/// mode it ended up with.
async fn fxp_copy(
    from: &End,
    to: &End,
    name: &str,
    data: &[u8],
    logs: impl Fn() -> String,
) -> Mode {
    from.seed(name, data);
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        copy(from.at(name), to.at(name), Via::Auto),
    )
    .await;
    let v = verified(&events, &logs());
    assert!(
        is_fxp(v.mode),
        "{} -> {}: expected FXP, got {}: {events:#?}\n{}",
        from.name,
        to.name,
        v.mode,
        logs()
    );
    assert_eq!((v.bytes, v.size), (data.len() as u64, data.len() as u64));
    assert!(
        to.read(name) == data,
        "{} -> {}: the bytes on disk differ from the source's",
        from.name,
        to.name
    );
    assert_eq!(
        engine.client_data_bytes(),
        0,
        "{} -> {}: the client carried file data in a server-to-server copy",
        from.name,
        to.name
    );
    eprintln!("{} -> {}: {}", from.name, to.name, v.mode);
    v.mode
}

fn job(source: Location, destination: Location, kind: Kind, via: Via) -> JobSpec {
    JobSpec {
        kind,
        ..copy(source, destination, via)
    }
}

// ------------------------------------------------------------------ 1

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vsftpd_and_pyftpdlib_copy_by_fxp_both_ways() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), true) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), true) else {
        return;
    };
    let (v, p) = (End::vsftpd(&vs), End::pyftpd(&py));
    let logs = || format!("vsftpd log:\n{}\npyftpdlib log:\n{}", vs.log(), py.log());

    let data = pseudo_random(3 * MIB + 17, 1);
    fxp_copy(&v, &p, "to-py.bin", &data, logs).await;
    let data = pseudo_random(2 * MIB + 5, 2);
    fxp_copy(&p, &v, "to-vs.bin", &data, logs).await;
}

// ------------------------------------------------------------------ 2

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_between_vsftpd_and_pyftpdlib_grows_by_the_source() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), true) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), true) else {
        return;
    };
    let (v, p) = (End::vsftpd(&vs), End::pyftpd(&py));
    let logs = || format!("vsftpd log:\n{}\npyftpdlib log:\n{}", vs.log(), py.log());

    for (from, to, n) in [(&v, &p, 3u64), (&p, &v, 4)] {
        let head = pseudo_random(100_003, n * 10);
        let tail = pseudo_random(MIB + 333, n * 10 + 1);
        from.seed("tail.bin", &tail);
        to.seed("log.bin", &head);
        let (engine, mut rx) = Engine::new(settings());
        let events = run(
            &engine,
            &mut rx,
            job(
                from.at("tail.bin"),
                to.at("log.bin"),
                Kind::Append,
                Via::Auto,
            ),
        )
        .await;
        let got = verified(&events, &logs());
        assert!(is_fxp(got.mode), "{}: {events:#?}", got.mode);
        assert_eq!(got.bytes, tail.len() as u64);
        assert_eq!(got.size, (head.len() + tail.len()) as u64);
        let on_disk = to.read("log.bin");
        assert_eq!(
            on_disk.len(),
            head.len() + tail.len(),
            "{} -> {}: grew by {} bytes, not the source's {}",
            from.name,
            to.name,
            on_disk.len() as i64 - head.len() as i64,
            tail.len()
        );
        assert!(on_disk[..head.len()] == head[..], "the old bytes changed");
        assert!(
            on_disk[head.len()..] == tail[..],
            "the appended bytes differ"
        );
        assert_eq!(engine.client_data_bytes(), 0);
        eprintln!("append {} -> {}: {}", from.name, to.name, got.mode);
    }
}

// ------------------------------------------------------------------ 3

// libunftp 0.24 cannot take part in FXP with a server on another address,
// in either direction, and no setting changes that: every data connection,
// the one it makes after `PORT` as well as the one it accepts after `PASV`,
// goes through `datachan::spawn_processing`, which shuts it down unless its
// peer is the control connection's host. It says nothing about it: `RETR`
// and `STOR` are answered `150` and then nothing ever follows (the data
// task never started), while the other server sees the connection close
// and may report `226` for 0 bytes. (That it "accepts PORT to any address"
// is true only in that it connects; it then drops its own connection.)
//
// So what is asserted is what the engine does instead: each FXP dialect is
// abandoned after the stall timeout (the silence is a refusal, not a
// transient failure worth retrying), `Via::Auto` ends in a relay that
// verifies, and `Via::Fxp` fails without moving a byte through the client.

/// Quick to call silence a refusal: 2 s without progress.
fn impatient() -> Settings {
    Settings {
        stall_timeout: Duration::from_secs(2),
        ..settings()
    }
}

/// `Via::Auto` between libunftp and another server: both FXP dialects are
/// given up, then a relay carries and verifies the file.
async fn relay_with_libunftp(
    from: &End,
    to: &End,
    name: &str,
    seed_no: u64,
    logs: impl Fn() -> String,
) {
    let data = pseudo_random(MIB + seed_no as usize, seed_no);
    from.seed(name, &data);
    let (engine, mut rx) = Engine::new(impatient());
    let events = run(
        &engine,
        &mut rx,
        copy(from.at(name), to.at(name), Via::Auto),
    )
    .await;
    let got = verified(&events, &logs());
    // libunftp drops the connections it makes or accepts with a foreign
    // host; the listener that saw it dropped (426) must not be blamed.
    for e in &events {
        if let EventKind::ModeChanged { reason, .. } = &e.kind {
            let reason = reason.to_string();
            assert!(
                !reason.contains("refused STOR: 426") && !reason.contains("refused RETR: 426"),
                "{} -> {}: blames the listener: {reason}",
                from.name,
                to.name
            );
        }
    }
    assert_eq!(
        got.mode,
        Mode::Relay,
        "{} -> {}: {events:#?}",
        from.name,
        to.name
    );
    assert_eq!(
        mode_changes(&events),
        vec![(DST_PASSIVE, SRC_PASSIVE), (SRC_PASSIVE, Mode::Relay),],
        "{} -> {}: each dialect tried once, none retried: {events:#?}",
        from.name,
        to.name
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Retrying { .. })),
        "{events:#?}"
    );
    assert!(
        to.read(name) == data,
        "{} -> {}: relayed bytes differ",
        from.name,
        to.name
    );
    assert!(engine.client_data_bytes() >= data.len() as u64);
    eprintln!("{} -> {}: {}", from.name, to.name, got.mode);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libunftp_and_vsftpd_cannot_fxp_auto_relays_both_ways() {
    let (uroot, vroot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), true) else {
        return;
    };
    let un = Unftp::start(&next_addr(), uroot.path());
    let (u, v) = (End::unftp(&un), End::vsftpd(&vs));

    relay_with_libunftp(&u, &v, "u2v.bin", 31, || vs.log()).await;
    relay_with_libunftp(&v, &u, "v2u.bin", 32, || vs.log()).await;

    // Forced FXP: libunftp, as the source, goes silent after `150` in both
    // dialects; the failure says so and names it.
    let data = pseudo_random(MIB + 33, 33);
    u.seed("forced.bin", &data);
    let (engine, mut rx) = Engine::new(impatient());
    let events = run(
        &engine,
        &mut rx,
        copy(u.at("forced.bin"), v.at("forced.bin"), Via::Fxp),
    )
    .await;
    let reason = failure(&events);
    let libunftp = format!(
        "the source ftp://{} refused RETR",
        u.addr.expect("an FTP end")
    );
    assert!(
        reason.contains(&libunftp) && reason.contains("timed out"),
        "{reason:?}\n{events:#?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Verified { .. })),
        "{events:#?}"
    );
    assert_eq!(engine.client_data_bytes(), 0, "forced FXP never relays");
    eprintln!("libunftp -> vsftpd, forced FXP: {reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libunftp_and_pyftpdlib_cannot_fxp_auto_relays_both_ways() {
    let (uroot, proot) = (temp_root(), temp_root());
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), true) else {
        return;
    };
    let un = Unftp::start(&next_addr(), uroot.path());
    let (u, p) = (End::unftp(&un), End::pyftpd(&py));

    relay_with_libunftp(&u, &p, "u2p.bin", 34, || py.log()).await;
    relay_with_libunftp(&p, &u, "p2u.bin", 35, || py.log()).await;
}

// ------------------------------------------------------------------ 4

/// vsftpd as shipped (no `port_promiscuous`, no `pasv_promiscuous`) as the
/// source: `PORT` to pyftpdlib's address is refused, and pyftpdlib's data
/// connection to vsftpd's passive port is refused too. `Via::Auto` falls
/// back to a relay through the client; `Via::Fxp` fails and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_vsftpd_refuses_fxp_auto_relays_and_fxp_fails_with_the_setting() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), false) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), true) else {
        return;
    };
    let (v, p) = (End::vsftpd(&vs), End::pyftpd(&py));
    let logs = || format!("vsftpd log:\n{}\npyftpdlib log:\n{}", vs.log(), py.log());

    // Auto: every server-to-server way refused, then the relay.
    let data = pseudo_random(MIB + 99, 41);
    v.seed("refused.bin", &data);
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        copy(v.at("refused.bin"), p.at("refused.bin"), Via::Auto),
    )
    .await;
    let got = verified(&events, &logs());
    assert_eq!(got.mode, Mode::Relay, "{events:#?}\n{}", logs());
    assert_eq!(
        mode_changes(&events),
        vec![(DST_PASSIVE, SRC_PASSIVE), (SRC_PASSIVE, Mode::Relay),],
        "{events:#?}"
    );
    assert!(p.read("refused.bin") == data, "relayed bytes differ");
    assert!(
        engine.client_data_bytes() >= data.len() as u64,
        "a relay carries the file through the client: {} bytes",
        engine.client_data_bytes()
    );
    // The status says why each way was abandoned.
    let reasons: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ModeChanged { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        reasons[0].contains("500 Illegal PORT command"),
        "{reasons:#?}"
    );
    assert!(
        reasons[1].contains("425 Security: Bad IP connecting"),
        "{reasons:#?}"
    );

    // Forced FXP: no relay, a failure that quotes vsftpd and names both settings.
    v.seed("forced.bin", &data);
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        copy(v.at("forced.bin"), p.at("forced.bin"), Via::Fxp),
    )
    .await;
    let reason = failure(&events);
    for needle in [
        "500 Illegal PORT command",
        "port_promiscuous=YES",
        "425 Security: Bad IP connecting",
        "pasv_promiscuous=YES",
    ] {
        assert!(reason.contains(needle), "{needle:?} not in {reason:?}");
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Verified { .. })),
        "{events:#?}"
    );
    assert_eq!(engine.client_data_bytes(), 0, "forced FXP never relays");
    eprintln!("default vsftpd -> pyftpdlib, forced FXP: {reason}");
}

/// pyftpdlib without `permit_foreign_addresses` as the source, vsftpd
/// (FXP allowed) as the destination: pyftpdlib refuses `PORT` to vsftpd's
/// address and rejects vsftpd's data connection on its passive port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_pyftpdlib_refuses_fxp_and_names_permit_foreign_addresses() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), true) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), false) else {
        return;
    };
    let (v, p) = (End::vsftpd(&vs), End::pyftpd(&py));
    let logs = || format!("vsftpd log:\n{}\npyftpdlib log:\n{}", vs.log(), py.log());

    let data = pseudo_random(MIB + 7, 42);
    p.seed("py.bin", &data);
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        copy(p.at("py.bin"), v.at("py.bin"), Via::Fxp),
    )
    .await;
    let reason = failure(&events);
    assert!(
        reason.contains("permit_foreign_addresses"),
        "{reason:?}\n{events:#?}\n{}",
        logs()
    );
    assert!(reason.contains("Rejected data connection"), "{reason:?}");
    assert_eq!(engine.client_data_bytes(), 0, "forced FXP never relays");
    eprintln!("default pyftpdlib -> vsftpd, forced FXP: {reason}");

    // Auto: the same refusals, then a relay.
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        copy(p.at("py.bin"), v.at("py.bin"), Via::Auto),
    )
    .await;
    let got = verified(&events, &logs());
    assert_eq!(got.mode, Mode::Relay, "{events:#?}");
    assert_eq!(mode_changes(&events).last().map(|c| c.1), Some(Mode::Relay));
    assert!(v.read("py.bin") == data, "relayed bytes differ");
    assert!(engine.client_data_bytes() >= data.len() as u64);
}

// ------------------------------------------------------------------ 5

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fxpc_serve_and_vsftpd_copy_by_fxp_both_ways() {
    let (sroot, vroot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), true) else {
        return;
    };
    let mut config = Config::new(sroot.path(), format!("{}:0", next_addr()).parse().unwrap());
    config.anonymous = Some(Anonymous::Write);
    config.allow_fxp = true;
    // A plain FXP server: no LSTN/SOCK in FEAT.
    config.lstn = false;
    let server = Handle::spawn(config).await.unwrap();
    let (s, v) = (End::serve(&server, sroot.path()), End::vsftpd(&vs));
    let logs = || format!("vsftpd log:\n{}", vs.log());

    let data = pseudo_random(2 * MIB + 11, 51);
    fxp_copy(&s, &v, "s2v.bin", &data, logs).await;
    let data = pseudo_random(2 * MIB + 13, 52);
    fxp_copy(&v, &s, "v2s.bin", &data, logs).await;
    server.stop().await;
}

// ------------------------------------------------------------------ 6

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_deletes_the_source_only_after_the_copy_verified() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), true) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), true) else {
        return;
    };
    let (v, p) = (End::vsftpd(&vs), End::pyftpd(&py));
    let logs = || format!("vsftpd log:\n{}\npyftpdlib log:\n{}", vs.log(), py.log());

    let data = pseudo_random(MIB + 61, 61);
    v.seed("moved.bin", &data);
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        job(v.at("moved.bin"), p.at("moved.bin"), Kind::Move, Via::Auto),
    )
    .await;
    let got = verified(&events, &logs());
    assert!(is_fxp(got.mode), "{}: {events:#?}", got.mode);
    assert!(got.source_deleted, "{events:#?}");
    assert!(p.read("moved.bin") == data, "moved bytes differ");
    assert!(!v.exists("moved.bin"), "the source is still there");
    assert_eq!(engine.client_data_bytes(), 0);
    // The source was deleted after the copy finished and its size was checked.
    let log = vs.log();
    let (retr, dele) = (
        log.find("RETR /pub/moved.bin"),
        log.find("DELE /pub/moved.bin"),
    );
    assert!(
        matches!((retr, dele), (Some(r), Some(d)) if r < d),
        "RETR then DELE expected in vsftpd's log:\n{log}"
    );
}

/// Neither server allows FXP and the job may not relay: the copy cannot
/// verify, so the move must leave the source alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_that_cannot_verify_keeps_the_source() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), false) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), false) else {
        return;
    };
    let (v, p) = (End::vsftpd(&vs), End::pyftpd(&py));

    let data = pseudo_random(MIB + 71, 71);
    v.seed("kept.bin", &data);
    let (engine, mut rx) = Engine::new(settings());
    let events = run(
        &engine,
        &mut rx,
        job(v.at("kept.bin"), p.at("kept.bin"), Kind::Move, Via::Fxp),
    )
    .await;
    let reason = failure(&events);
    assert!(
        !events.iter().any(|e| matches!(
            e.kind,
            EventKind::Verified {
                source_deleted: true,
                ..
            }
        )),
        "{events:#?}"
    );
    assert!(v.read("kept.bin") == data, "the source changed: {reason}");
    assert!(
        !vs.log().contains("DELE"),
        "vsftpd was asked to delete something:\n{}",
        vs.log()
    );
    assert_eq!(engine.client_data_bytes(), 0);
    eprintln!("move between refusing servers: {reason}");
}
