//! `fxpc serve`'s limits, attacked over loopback: a bounded password
//! guessing loop, a bounded flood of idle connections, a client that sends
//! only `NOOP`, uploads when the disk is under its reserve; and the
//! defaults it says at start.

mod attack;

use std::time::{Duration, Instant};

use attack::{Raw, Spawned, connect_from, serve};
use fxpc::ftp::Secret;
use tokio::io::AsyncWriteExt;

/// Ten wrong passwords from one address get it refused (`421`), for new
/// connections and for a session it already had, even with the right
/// password; another address logs in at once.
#[tokio::test]
async fn password_guessing_gets_an_address_refused() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.users = vec![("alice".into(), Secret::new("right"))];
        c.failed_login_delay = Duration::from_millis(1);
    })
    .await;
    // A session the guesser opened early, holding a USER.
    let mut early = Raw::greeted("127.0.0.20", site.addr()).await;
    early.expect("USER alice", 331).await;

    let mut guesses = 0;
    let mut refused = false;
    'connections: for _ in 0..6 {
        let mut guesser = Raw::connect("127.0.0.20", site.addr()).await.unwrap();
        let (code, text) = guesser.reply().await;
        if code == 421 {
            assert!(text.contains("failed logins"), "{text}");
            refused = true;
            break;
        }
        for _ in 0..3 {
            guesser.expect("USER alice", 331).await;
            let (code, text) = guesser.cmd(&format!("PASS guess{guesses}")).await;
            guesses += 1;
            match code {
                530 => {}
                421 if text.contains("from your address") => {
                    refused = true;
                    break 'connections;
                }
                421 => break,
                _ => panic!("{text}"),
            }
        }
    }
    assert!(refused, "still guessing after {guesses} wrong passwords");
    assert_eq!(guesses, 10);
    let mut again = Raw::connect("127.0.0.20", site.addr()).await.unwrap();
    assert_eq!(again.reply().await.0, 421, "a new connection from it");
    assert_eq!(early.cmd("PASS right").await.0, 421, "the right password");

    let started = Instant::now();
    let mut other = Raw::greeted("127.0.0.21", site.addr()).await;
    other.expect("USER alice", 331).await;
    other.expect("PASS right", 230).await;
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// A client that sends nothing but `NOOP` is closed after the idle limit.
#[tokio::test]
async fn noop_alone_does_not_keep_a_session() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.idle_timeout = Duration::from_secs(1)
    })
    .await;
    let mut c = Raw::login("127.0.0.3", site.addr()).await;
    let started = Instant::now();
    let closed = loop {
        if started.elapsed() > Duration::from_secs(4) {
            break false;
        }
        let (code, text) = c.cmd("NOOP").await;
        if code == 421 {
            assert!(text.contains("Idle"), "{text}");
            break true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        closed,
        "NOOP every 200 ms kept the session past a 1 s limit"
    );
    assert!(started.elapsed() < Duration::from_millis(2500));
}

/// `--max-sessions`, `--login-timeout` and `--idle-timeout` on the command
/// line: a bounded flood of idle connections fills the server for as long
/// as the login timeout, not longer; and the defaults said at start.
#[tokio::test]
async fn session_limits_are_options_and_defaults_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let server = Spawned::start(
        &root,
        "127.0.0.2:0",
        &[
            "--max-sessions",
            "6",
            "--max-per-ip",
            "4",
            "--login-timeout",
            "1",
            "--idle-timeout",
            "2",
        ],
    );
    for expected in [
        "anonymous: read-only",
        "TLS: off",
        "data connections: with the client only",
        "6 sessions, 4 per address, login within 1 s, idle 2 s",
    ] {
        assert!(
            server.banner.iter().any(|l| l.contains(expected)),
            "{expected:?} not in {:?}",
            server.banner
        );
    }
    let mut flood = Vec::new();
    for from in ["127.0.0.10", "127.0.0.11"] {
        for _ in 0..3 {
            flood.push(Raw::greeted(from, server.addr).await);
        }
    }
    let mut late = Raw::connect("127.0.0.12", server.addr).await.unwrap();
    let (code, text) = late.reply().await;
    assert_eq!(code, 421, "{text}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Raw::login("127.0.0.12", server.addr).await;
    drop(flood);

    let tls = Spawned::start(
        &root,
        "127.0.0.2:0",
        &["--tls-self-signed", "--allow-fxp", "--user", "u:@/dev/null"],
    );
    for expected in ["anonymous: off", "TLS: optional", "with any host"] {
        assert!(
            tls.banner.iter().any(|l| l.contains(expected)),
            "{expected:?} not in {:?}",
            tls.banner
        );
    }
    let mut tls = tls;
    let _ = tls.child.kill();
    let _ = tls.child.wait();
    let mut warned = String::new();
    use std::io::Read;
    tls.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut warned)
        .unwrap();
    assert!(
        warned.contains("any host may take") || warned.contains("lets any host take"),
        "{warned}"
    );
}

/// Under the free-space reserve, uploads are refused with `452` and leave
/// nothing behind; the old file stays. (The reserve is set above any free
/// space a disk can have.)
#[tokio::test]
async fn uploads_stop_under_the_free_space_reserve() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("old.bin"), b"old").unwrap();
    let site = serve("127.0.0.2", root.path(), |c| c.min_free_percent = 100.0).await;
    let mut c = Raw::login("127.0.0.3", site.addr()).await;
    for verb in ["STOR new.bin", "STOR old.bin", "APPE old.bin"] {
        let data_addr = c.pasv().await;
        c.send(verb).await;
        let mut data = connect_from("127.0.0.3", data_addr).await.unwrap();
        let _ = data.write_all(&[0u8; 4096]).await;
        drop(data);
        let (code, text) = c.reply().await;
        assert_eq!(code, 452, "{verb}: {text}");
    }
    assert_eq!(attack::names_in(root.path()), ["old.bin"]);
    assert_eq!(std::fs::read(root.path().join("old.bin")).unwrap(), b"old");

    // The default reserve, 1 %, lets an upload through.
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = Raw::login("127.0.0.3", site.addr()).await;
    let data_addr = c.pasv().await;
    c.send("STOR new.bin").await;
    let mut data = connect_from("127.0.0.3", data_addr).await.unwrap();
    assert_eq!(c.reply().await.0, 150);
    data.write_all(b"new").await.unwrap();
    drop(data);
    assert_eq!(c.reply().await.0, 226);
}
