//! What real servers do wrong, played by `tests/hostile_server.py` against
//! a vsftpd that allows FXP: a second reply to `PASV` seconds later, a
//! `PORT` answered only after a while, and a refusal that comes only at the
//! transfer command (`550 Remote addresses do not match`). None may make a
//! later reply answer the wrong command, and each is a refusal of that way
//! of copying, not of the file: the next way carries it.

mod common;

use std::time::{Duration, Instant};

use fxpc::transfer::{Engine, EventKind, Location, Mode, Settings, Via};

use common::ends::End;
use common::jobs::{self, site};
use common::{Hostile, Vsftpd, next_addr, pseudo_random, temp_root};

fn reasons(seen: &[fxpc::transfer::Event]) -> Vec<String> {
    seen.iter()
        .filter_map(|e| match &e.kind {
            EventKind::ModeChanged { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect()
}

fn retried(seen: &[fxpc::transfer::Event]) -> bool {
    seen.iter()
        .any(|e| matches!(e.kind, EventKind::Retrying { .. }))
}

/// The destination answers `PASV` at once and, when no data connection
/// came, a second time 0.2 s later (`550`): the copy's other replies stay
/// in step — it relays, and every byte arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_reply_to_pasv_never_answers_a_later_command() {
    let root = temp_root();
    // vsftpd as shipped: it refuses PORT to the hostile server, so the
    // hostile server's PASV is left waiting, and it speaks up later.
    let Some(source) = Vsftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let hostile = Hostile::start(&next_addr(), &["--second-pasv-reply", "0.1"]);
    let from = End::vsftpd(&source);
    // Large enough that the relay is still running when the stray reply
    // comes, so a session that kept it would read it as STOR's answer.
    let data = pseudo_random(40 << 20, 31);
    from.seed("f.bin", &data);
    let to = Location::ftp(site(hostile.socket_addr()), "/f.bin");

    let (engine, mut events) = Engine::new(jobs::settings());
    let started = Instant::now();
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("f.bin"), to, Via::Auto),
    )
    .await;
    assert_eq!(
        jobs::verified_mode(&seen),
        Mode::Relay,
        "{seen:#?}\n{}",
        hostile.log()
    );
    assert!(!retried(&seen), "{seen:#?}");
    // However quick the copy was, the stray reply has come by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        hostile.log().contains("second reply to PASV"),
        "the stray reply was sent: {}",
        hostile.log()
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A `PORT` answered only after 2 s, with a 1 s reply timeout: the way is
/// refused (the reply would have come late, answering the next command),
/// and the copy relays at once instead of retrying the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_port_reply_refuses_that_way_and_stays_out_of_the_next_command() {
    let root = temp_root();
    let Some(source) = Vsftpd::start(&next_addr(), root.path(), true) else {
        return;
    };
    let hostile = Hostile::start(&next_addr(), &["--late-port", "2"]);
    let from = End::vsftpd(&source);
    let data = pseudo_random(300_000, 32);
    from.seed("f.bin", &data);
    let mut impatient = (*site(hostile.socket_addr())).clone();
    impatient.options.reply_timeout = Duration::from_secs(1);
    let to = Location::ftp(std::sync::Arc::new(impatient), "/f.bin");

    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(from.at("f.bin"), to, Via::Auto),
    )
    .await;
    let verified = jobs::verified_mode(&seen);
    assert!(
        verified == Mode::Relay || matches!(verified, Mode::Fxp { .. }),
        "{seen:#?}"
    );
    assert!(!retried(&seen), "{seen:#?}");
    let got = fetch(&hostile, "/f.bin").await;
    assert!(got == data, "{} bytes arrived", got.len());
}

/// A server that takes `PORT` and `PASV` for a foreign address and refuses
/// only the transfer command (`550 Remote addresses do not match`), as
/// source and as destination: each way is refused, the relay carries the
/// file, and the reasons quote the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_the_transfer_command_is_a_refusal_of_that_way() {
    let root = temp_root();
    let Some(open) = Vsftpd::start(&next_addr(), root.path(), true) else {
        return;
    };
    let hostile = Hostile::start(
        &next_addr(),
        &["--refuse-foreign-transfer", "--seed", "h.bin:250000"],
    );
    let vsftpd = End::vsftpd(&open);
    let data = pseudo_random(250_000, 33);
    vsftpd.seed("v.bin", &data);
    let hostile_site = site(hostile.socket_addr());

    for (what, spec) in [
        (
            "hostile as destination",
            jobs::copy(
                vsftpd.at("v.bin"),
                Location::ftp(hostile_site.clone(), "/v.bin"),
                Via::Auto,
            ),
        ),
        (
            "hostile as source",
            jobs::copy(
                Location::ftp(hostile_site.clone(), "/h.bin"),
                vsftpd.at("h.bin"),
                Via::Auto,
            ),
        ),
    ] {
        let (engine, mut events) = Engine::new(Settings {
            retries: 2,
            ..jobs::settings()
        });
        let started = Instant::now();
        let seen = jobs::run(&engine, &mut events, spec).await;
        let took = started.elapsed();
        assert_eq!(
            jobs::verified_mode(&seen),
            Mode::Relay,
            "{what}: {seen:#?}\n{}",
            hostile.log()
        );
        let why = reasons(&seen);
        assert!(
            why.iter()
                .any(|r| r.contains("550 Remote addresses do not match")),
            "{what}: {why:#?}"
        );
        assert!(!retried(&seen), "{what}: {seen:#?}");
        assert!(took < Duration::from_secs(15), "{what}: took {took:?}");
    }
    assert_eq!(fetch(&hostile, "/v.bin").await, data);
    let expected: Vec<u8> = (0..250_000u32).map(|i| (i % 251) as u8).collect();
    assert!(std::fs::read(vsftpd.files.join("h.bin")).unwrap() == expected);
}

/// The bytes a hostile server holds, read back over its own session.
async fn fetch(hostile: &Hostile, path: &str) -> Vec<u8> {
    let addr = hostile.socket_addr();
    let mut client = fxpc::ftp::Client::open(
        &addr.ip().to_string(),
        addr.port(),
        &Default::default(),
        Default::default(),
    )
    .await
    .unwrap();
    let mut back = Vec::new();
    client.retrieve(path, 0, &mut back).await.unwrap();
    back
}

/// A destination that writes a replaced file under a hidden name until the
/// end (`fxpc serve` over an existing file, like ProFTPD's HiddenStores)
/// never grows where the progress poller looks: that is not a stall. The
/// copy runs past the stall timeout and verifies, without a retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_that_hides_its_upload_is_no_stall() {
    use fxpc::server::{Anonymous, Config, Handle};
    let (ra, rb) = (temp_root(), temp_root());
    let body = pseudo_random(5_000_000, 34);
    std::fs::write(ra.path().join("big.bin"), &body).unwrap();
    std::fs::write(rb.path().join("big.bin"), b"an older file").unwrap();
    let spawn = |root: &std::path::Path, ip: String, rate: Option<u64>| {
        let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
        config.anonymous = Some(Anonymous::Write);
        config.allow_fxp = true;
        config.lstn = false;
        config.rate = rate;
        Handle::spawn(config)
    };
    let a = spawn(ra.path(), next_addr(), Some(1_000_000))
        .await
        .unwrap();
    let b = spawn(rb.path(), next_addr(), None).await.unwrap();
    let settings = Settings {
        stall_timeout: Duration::from_secs(4),
        ..jobs::settings()
    };
    let (engine, mut events) = Engine::new(settings);
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            Location::ftp(site(a.addr()), "/big.bin"),
            Location::ftp(site(b.addr()), "/big.bin"),
            Via::Fxp,
        ),
    )
    .await;
    assert!(
        matches!(jobs::verified_mode(&seen), Mode::Fxp { .. }),
        "{seen:#?}"
    );
    assert!(!retried(&seen), "{seen:#?}");
    assert!(std::fs::read(rb.path().join("big.bin")).unwrap() == body);
}

/// A server that answers `SIZE` for a directory (`213 4096`): `cp -r` of
/// that directory copies the tree, not a 0-byte file named after it.
#[test]
fn a_directory_is_no_file_because_size_answered() {
    let hostile = Hostile::start(
        &next_addr(),
        &[
            "--dir",
            "tree",
            "--seed",
            "tree/a.txt:300",
            "--seed",
            "tree/b.txt:70",
        ],
    );
    let out = temp_root();
    let state = temp_root();
    let addr = hostile.socket_addr();
    let copied = common::fxpc_in(state.path())
        .args(["cp", "-r"])
        .arg(format!("ftp://{}:{}/tree", addr.ip(), addr.port()))
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&copied.stderr);
    let tree = out.path().join("tree");
    assert!(tree.is_dir(), "{stderr}\n{}", hostile.log());
    assert_eq!(
        std::fs::read(tree.join("a.txt")).map(|b| b.len()).ok(),
        Some(300),
        "{stderr}\n{}",
        hostile.log()
    );
    assert_eq!(
        std::fs::read(tree.join("b.txt")).unwrap().len(),
        70,
        "{stderr}"
    );
    assert!(copied.status.success(), "{stderr}");
}

/// RFC 1738: a URL's path is relative to the login directory. On a server
/// that does not chroot (logged in at `/home/u`), `ftp://host/sub` is the
/// user's `sub`, and `ftp://host/%2Fsub` the machine's `/sub`, as curl and
/// lftp read them.
#[test]
fn url_paths_start_in_the_login_directory() {
    let hostile = Hostile::start(
        &next_addr(),
        &[
            "--home",
            "/home/u",
            "--dir",
            "home/u/sub",
            "--dir",
            "sub",
            "--seed",
            "home/u/sub/mine.txt:10",
            "--seed",
            "sub/theirs.txt:5",
        ],
    );
    let addr = hostile.socket_addr();
    let ls = |path: &str| {
        let state = temp_root();
        let out = common::fxpc_in(state.path())
            .arg("ls")
            .arg(format!("ftp://{}:{}/{path}", addr.ip(), addr.port()))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mine = ls("sub");
    assert!(
        mine.contains("mine.txt") && !mine.contains("theirs.txt"),
        "{mine}\n{}",
        hostile.log()
    );
    let theirs = ls("%2Fsub");
    assert!(
        theirs.contains("theirs.txt") && !theirs.contains("mine.txt"),
        "{theirs}"
    );
}

/// RFC 2577: a `PASV` reply naming another host is not followed by the
/// client's own data connections (a hostile server would send our upload
/// there); the server's own address is used with the reply's port, as curl
/// and lftp do. Listing, download and upload all work, and nothing ever
/// connects to the named host.
#[test]
fn the_clients_own_data_connections_ignore_the_pasv_host() {
    let thief = std::net::TcpListener::bind("127.0.0.105:0").unwrap();
    thief.set_nonblocking(true).unwrap();
    let hostile = Hostile::start(
        &next_addr(),
        &[
            "--pasv-lie-host",
            "127.0.0.105",
            "--seed",
            "f.bin:4000",
            "--dir",
            "d",
        ],
    );
    let addr = hostile.socket_addr();
    let base = format!("ftp://{}:{}/", addr.ip(), addr.port());
    let state = temp_root();
    let fxpc = |args: &[&str]| common::fxpc_in(state.path()).args(args).output().unwrap();
    let listed = fxpc(&["ls", &format!("{base}d/")]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let out = temp_root();
    let down = fxpc(&["cp", &format!("{base}f.bin"), out.path().to_str().unwrap()]);
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    assert_eq!(std::fs::read(out.path().join("f.bin")).unwrap().len(), 4000);
    let up = fxpc(&[
        "cp",
        out.path().join("f.bin").to_str().unwrap(),
        &format!("{base}up.bin"),
    ]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    assert!(
        matches!(thief.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "something connected to the host PASV named"
    );
}

/// Names that carry terminal escapes (a colour, OSC 52 clipboard and OSC 0
/// title writes, a C1 CSI) or a bidi override reach no terminal raw, in
/// `cp -r`'s failure and skipped lines alike; and with output redirected,
/// what was left out is still said on stderr, with a count.
#[test]
fn no_byte_from_a_server_reaches_the_terminal_unescaped() {
    let hostile = Hostile::start(
        &next_addr(),
        &["--evil-listing", "--escape-names", "--seed", "t/ok.txt:5"],
    );
    let addr = hostile.socket_addr();
    let out = temp_root();
    let state = temp_root();
    let copied = common::fxpc_in(state.path())
        .args(["cp", "-r"])
        .arg(format!("ftp://{}:{}/t", addr.ip(), addr.port()))
        .arg(out.path())
        .output()
        .unwrap();
    let everything = [copied.stdout.as_slice(), copied.stderr.as_slice()].concat();
    let text = String::from_utf8_lossy(&everything);
    assert!(!everything.contains(&0x1b), "raw ESC: {text:?}");
    assert!(!text.contains('\u{9b}'), "raw C1 CSI: {text:?}");
    assert!(!text.contains('\u{202e}'), "raw bidi override: {text:?}");
    assert!(!text.contains('\u{7}'), "raw BEL: {text:?}");
    let stderr = String::from_utf8_lossy(&copied.stderr);
    assert!(stderr.contains("skipped"), "{stderr}");
    assert!(stderr.contains("left out"), "{stderr}");
}

/// Under `ftpes://` (TLS required) a server that refuses `PROT P` would
/// carry the files in clear: the session is refused, naming the reply and
/// the setting that would accept it, and nothing is transferred.
#[test]
fn tls_required_never_moves_data_in_clear() {
    let addr = next_addr();
    let cert = common::test_cert(&[&addr], 1, 30);
    let hostile = Hostile::start(
        &addr,
        &[
            "--tls-cert",
            cert.cert.to_str().unwrap(),
            "--tls-key",
            cert.key.to_str().unwrap(),
            "--refuse-prot",
            "--seed",
            "secret.txt:100",
        ],
    );
    let at = hostile.socket_addr();
    let out = temp_root();
    let state = temp_root();
    let copied = common::fxpc_in(state.path())
        .args(["cp", "--ca-file", cert.cert.to_str().unwrap()])
        .arg(format!("ftpes://{}:{}/secret.txt", at.ip(), at.port()))
        .arg(out.path())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&copied.stdout),
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(!copied.status.success(), "{said}");
    assert!(
        said.contains("536") && said.contains("allow_clear_data"),
        "{said}"
    );
    assert!(!out.path().join("secret.txt").exists());
    assert!(!hostile.log().contains("RETR"), "{}", hostile.log());
}

/// A data connection that never sends, from a server that never answers:
/// each attempt costs the stall timeout once (then `ABOR`, and the session
/// is given up), not the stall timeout and then the reply timeout; each
/// retry is said, and the failure names the stall.
#[test]
fn a_stalled_download_costs_the_stall_timeout_once_per_attempt() {
    let hostile = Hostile::start(&next_addr(), &["--stall-data", "--seed", "f.bin:10"]);
    let at = hostile.socket_addr();
    let out = temp_root();
    let state = temp_root();
    let started = Instant::now();
    let copied = common::fxpc_in(state.path())
        .args(["cp", "--stall-timeout", "2", "--retries", "1"])
        .arg(format!("ftp://{}:{}/f.bin", at.ip(), at.port()))
        .arg(out.path())
        .output()
        .unwrap();
    let took = started.elapsed();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&copied.stdout),
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(!copied.status.success(), "{said}");
    assert!(said.contains("no data for 2s"), "{said}");
    assert!(said.contains("retry 1"), "{said}");
    // Two attempts of 2 s, an ABOR each (at most 2 s), a 1 s backoff.
    assert!(took < Duration::from_secs(15), "took {took:?}\n{said}");
    assert_eq!(hostile.log().matches("stalling RETR").count(), 2);
}

/// The destination opens (and creates) the file before the source refuses
/// `RETR` (`550 Failed to open file.`): the failed copy leaves no empty
/// file that looks copied, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_copy_leaves_no_empty_file_behind() {
    let root = temp_root();
    let Some(open) = Vsftpd::start(&next_addr(), root.path(), true) else {
        return;
    };
    let hostile = Hostile::start(
        &next_addr(),
        &["--seed", "locked.bin:5000", "--unreadable", "locked.bin"],
    );
    let to = End::vsftpd(&open);
    let (engine, mut events) = Engine::new(jobs::settings());
    let seen = jobs::run(
        &engine,
        &mut events,
        jobs::copy(
            Location::ftp(site(hostile.socket_addr()), "/locked.bin"),
            to.at("locked.bin"),
            Via::Auto,
        ),
    )
    .await;
    let reason = jobs::failure(&seen);
    assert!(reason.contains("550 Failed to open file"), "{reason}");
    assert!(reason.contains("removed"), "{reason}");
    assert!(!to.exists("locked.bin"), "{seen:#?}");
}

/// A listing without end is stopped at the entry cap, and the person reads
/// why (not the server's `426` for the connection we closed).
#[test]
fn an_endless_listing_is_stopped_saying_why() {
    let hostile = Hostile::start(&next_addr(), &["--evil-listing", "--endless-listing"]);
    let at = hostile.socket_addr();
    let state = temp_root();
    let started = Instant::now();
    let listed = common::fxpc_in(state.path())
        .arg("ls")
        .arg(format!("ftp://{}:{}/", at.ip(), at.port()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(!listed.status.success(), "{stderr}");
    assert!(
        stderr.contains("listing larger than 1000000 entries: stopped"),
        "{stderr}"
    );
    // (Not any "426": the server's port may hold those digits.)
    assert!(!stderr.contains("426 "), "{stderr}");
    // Said once, not once more as its own cause.
    assert_eq!(stderr.matches("listing larger").count(), 1, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// pyftpdlib, sent `PORT` and `RETR` in one write (as fxpc does once a way
/// worked), may answer `RETR`'s `150` before `PORT`'s `200`, and then never
/// sends the file. That is no refusal of the way: the same way goes on,
/// one command at a time, without spending a retry.
#[test]
fn a_source_answering_out_of_order_keeps_its_way() {
    let (ra, rb) = (temp_root(), temp_root());
    let (Some(a), Some(b)) = (
        common::Pyftpd::start(&next_addr(), ra.path(), true),
        common::Pyftpd::start(&next_addr(), rb.path(), true),
    ) else {
        return;
    };
    for i in 0..100 {
        common::seed(ra.path(), &format!("t/f{i}"), &pseudo_random(4096, 200 + i));
    }
    let state = temp_root();
    let copied = common::fxpc_in(state.path())
        .args(["cp", "-r", "--json"])
        .arg(format!("ftp://{}:{}/t", a.addr(), a.port()))
        .arg(format!("ftp://{}:{}/", b.addr(), b.port()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&copied.stdout);
    assert!(copied.status.success(), "{stdout}");
    assert_eq!(
        stdout.matches(r#""event":"verified""#).count(),
        100,
        "{stdout}"
    );
    assert!(!stdout.contains("mode_changed"), "{stdout}");
    for i in 0..100 {
        let name = format!("t/f{i}");
        assert!(
            std::fs::read(rb.path().join(&name)).unwrap()
                == std::fs::read(ra.path().join(&name)).unwrap()
        );
    }
}
