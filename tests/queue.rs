//! The journal, as a person meets it: a tree copy between two rate-limited
//! `fxpc serve` is killed (SIGKILL) half-way; `fxpc queue` lists what was
//! left; `fxpc queue resume` finishes it. All 20 files arrive identical,
//! and none that had verified before the kill is sent again (the
//! destination's own log counts its STORs). A download killed half-way
//! continues from its part file.

mod common;

use common::served::Served;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FXPC: &str = env!("CARGO_BIN_EXE_fxpc");

fn fxpc(dir: &Path) -> Command {
    let mut c = Command::new(FXPC);
    c.env("FXPC_CONFIG", dir.join("config.toml"))
        .env("FXPC_QUEUE", dir.join("queue.sqlite3"))
        .env("XDG_STATE_HOME", dir.join("client-state"))
        .env("NETRC", "/nonexistent")
        .stdin(Stdio::null());
    c
}

#[test]
fn a_killed_copy_is_resumed_and_nothing_verified_is_sent_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a_root.join("tree")).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    const FILES: usize = 20;
    for i in 0..FILES {
        std::fs::write(
            a_root.join(format!("tree/f{i:02}.bin")),
            common::pseudo_random(150_000 + i * 1000, i as u64),
        )
        .unwrap();
    }
    let (a_state, b_state) = (dir.path().join("a-state"), dir.path().join("b-state"));
    // ~1 MiB/s per data connection: 20 files take a few seconds.
    let a = Served::start("127.0.0.2", &a_root, &a_state, &["--rate", "1M"]);
    let b = Served::start("127.0.0.3", &b_root, &b_state, &[]);

    let mut copy = fxpc(dir.path())
        .args(["cp", "-r", "-j", "2", "--json"])
        .arg(format!("{}tree", a.url))
        .arg(&b.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a few files are whole at the destination.
    let whole = |i: usize| {
        std::fs::metadata(b_root.join(format!("tree/f{i:02}.bin")))
            .is_ok_and(|m| m.len() as usize == 150_000 + i * 1000)
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..FILES).filter(|i| whole(*i)).count() < 4 {
        assert!(Instant::now() < deadline, "the copy made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = copy.id();
    copy.kill().unwrap(); // SIGKILL: no chance to tidy up
    copy.wait().unwrap();
    let whole_before = (0..FILES).filter(|i| whole(*i)).count();
    assert!(whole_before < FILES, "killed too late to test anything");

    let listed = fxpc(dir.path()).arg("queue").output().unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("unfinished"), "{text}");
    assert!(text.contains("tree/f"), "{text}");
    // What was running when the process died is not running now.
    assert!(!text.contains("running"), "{text}");
    assert!(
        text.contains(&format!("interrupted (pid {pid} is gone)")),
        "{text}"
    );
    // Paths and site addresses are in the journal's WAL files too.
    for file in ["queue.sqlite3", "queue.sqlite3-wal", "queue.sqlite3-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join(file);
        if let Ok(meta) = std::fs::metadata(&path) {
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
        }
    }
    assert!(dir.path().join("queue.sqlite3").exists());

    let resumed = fxpc(dir.path())
        .args(["queue", "resume", "-j", "2"])
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&resumed.stdout),
        String::from_utf8_lossy(&resumed.stderr)
    );
    for i in 0..FILES {
        let name = format!("tree/f{i:02}.bin");
        assert_eq!(
            std::fs::read(b_root.join(&name)).unwrap(),
            std::fs::read(a_root.join(&name)).unwrap(),
            "{name}"
        );
    }
    // The destination's log: a file that was whole before the kill was
    // stored once; the ones in flight at most twice (the second resumed).
    let log = std::fs::read_to_string(b_state.join("fxpc/fxpc.log")).unwrap();
    let stores = |name: &str| {
        log.lines()
            .filter(|l| l.contains(">> STOR") && l.contains(name))
            .count()
    };
    let mut sent_again = 0;
    for i in 0..FILES {
        let n = stores(&format!("f{i:02}.bin"));
        assert!((1..=2).contains(&n), "f{i:02}.bin stored {n} times");
        sent_again += n - 1;
    }
    assert!(
        sent_again <= 2,
        "{sent_again} files sent again (2 were in flight)"
    );
    // Nothing left.
    let listed = fxpc(dir.path()).arg("queue").output().unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("nothing unfinished"));
}

/// At a `kill -9` the journal is at most a second behind the copy: no more
/// files are recorded as running than `-j` allows, and every file whose
/// bytes were all at the destination a second before the kill is recorded
/// as sent (verified, or waiting for its directory's listing), not as
/// still to do.
#[test]
fn at_a_kill_the_journal_is_at_most_a_second_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a_root.join("pub/tree")).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    const FILES: usize = 400;
    let size = |i: usize| 20_000 + i;
    for i in 0..FILES {
        std::fs::write(
            a_root.join(format!("pub/tree/f{i:03}.bin")),
            common::pseudo_random(size(i), i as u64),
        )
        .unwrap();
    }
    // vsftpd offers no digest: a tree's files are verified by one listing
    // of their directory, and wait for it after their bytes arrived. ~1
    // MB/s per data connection: two files at a time, ~100 a second.
    let Some(a) =
        common::Vsftpd::start_with(&common::next_addr(), &a_root, true, "anon_max_rate=1000000")
    else {
        return;
    };
    let Some(b) = common::Vsftpd::start(&common::next_addr(), &b_root, true) else {
        return;
    };
    let url = |s: &common::Vsftpd, path: &str| format!("ftp://{}:{}{path}", s.addr(), s.port());
    let mut copy = fxpc(dir.path())
        .args(["cp", "-r", "-j", "2", "--json"])
        .arg(url(&a, "/pub/tree"))
        .arg(url(&b, "/pub/"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let whole = |i: usize| {
        std::fs::read(b_root.join(format!("pub/tree/f{i:03}.bin"))).ok()
            == Some(common::pseudo_random(size(i), i as u64))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let arrived = loop {
        let arrived: Vec<usize> = (0..FILES).filter(|i| whole(*i)).collect();
        if arrived.len() >= 40 {
            break arrived;
        }
        assert!(Instant::now() < deadline, "the copy made no progress");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(1200));
    copy.kill().unwrap(); // SIGKILL: no chance to tidy up
    copy.wait().unwrap();
    assert!(
        (0..FILES).filter(|i| whole(*i)).count() < FILES,
        "killed too late to test anything"
    );

    let journal = rusqlite::Connection::open(dir.path().join("queue.sqlite3")).unwrap();
    let mut query = journal
        .prepare("SELECT destination_path, state FROM items WHERE parent IS NOT NULL")
        .unwrap();
    let files: std::collections::HashMap<String, String> = query
        .query_map([], |r| {
            let path: Vec<u8> = r.get(0)?;
            Ok((String::from_utf8(path).unwrap(), r.get(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let running = files.values().filter(|s| *s == "running").count();
    assert!(running <= 2, "{running} recorded running with -j 2");
    for i in arrived {
        let name = format!("pub/tree/f{i:03}.bin");
        let state = files.get(&name).map(String::as_str);
        assert!(
            matches!(state, Some("verified" | "sent")),
            "{name} was whole a second before the kill, recorded {state:?}"
        );
    }
}

/// After a crash, when the passwords were only in the killed command's
/// environment: `queue resume` without a terminal names the site once,
/// says how to give its password, exits non-zero and never claims that
/// nothing is unfinished; given the password, it finishes the copy.
#[test]
fn a_resume_without_the_password_says_so_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a_root.join("tree")).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    seed_tree(&a_root, 70);
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "s3cret").unwrap();
    let user = format!("u:@{}", secret.display());
    let (a_state, b_state) = (dir.path().join("a-state"), dir.path().join("b-state"));
    let a = Served::start(
        "127.0.0.2",
        &a_root,
        &a_state,
        &["--rate", "1M", "--user", &user],
    );
    let b = Served::start("127.0.0.3", &b_root, &b_state, &[]);
    let source = a.url.replacen("ftp://", "ftp://u@", 1);
    let copy = fxpc(dir.path())
        .env("FXPC_PASSWORD", "s3cret")
        .args(["cp", "-r", "-j", "1"])
        .arg(format!("{source}tree"))
        .arg(&b.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    kill_once_it_exists(copy, &b_root.join("tree/f0.bin"));

    let refused = fxpc(dir.path()).args(["queue", "resume"]).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr),
    );
    assert!(!refused.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("nothing unfinished"), "{stdout}");
    assert_eq!(
        stderr.matches("no password for u@127.0.0.2").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("FXPC_PASSWORD"), "{stderr}");

    let resumed = fxpc(dir.path())
        .env("FXPC_PASSWORD", "s3cret")
        .args(["queue", "resume"])
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    same_tree(&a_root, &b_root);
}

/// `queue resume` reaches each site as the killed run did: a copy started
/// with `--tls off` from a server that offers TLS with a certificate
/// nobody trusts is resumed in the clear too (with the default it would
/// try TLS and refuse the certificate).
#[test]
fn a_resume_keeps_the_settings_the_copy_was_started_with() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a_root.join("tree")).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    seed_tree(&a_root, 90);
    let a_state = dir.path().join("a-state");
    let a = Served::start(
        "127.0.0.2",
        &a_root,
        &a_state,
        &["--rate", "1M", "--tls-self-signed"],
    );
    let local = dir.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let copy = fxpc(dir.path())
        .args(["cp", "-r", "-j", "1", "--tls", "off"])
        .arg(format!("{}tree", a.url))
        .arg(&local)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    kill_once_it_exists(copy, &local.join("tree/f1.bin"));

    let resumed = fxpc(dir.path()).args(["queue", "resume"]).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&resumed.stdout),
        String::from_utf8_lossy(&resumed.stderr)
    );
    same_tree(&a_root, &local);
}

/// A download killed half-way leaves its bytes in `.NAME.fxpc-part`, never
/// under the name; `fxpc queue resume` continues them (a `REST`, not a
/// second whole transfer) and gives the verified file its name.
#[test]
fn a_killed_download_resumes_from_its_part_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, local) = (dir.path().join("a"), dir.path().join("local"));
    std::fs::create_dir_all(&a_root).unwrap();
    std::fs::create_dir_all(&local).unwrap();
    let body = common::pseudo_random(3_000_000, 7);
    std::fs::write(a_root.join("big.bin"), &body).unwrap();
    let a_state = dir.path().join("a-state");
    // ~1 MiB/s: three seconds of transfer to kill in the middle of.
    let a = Served::start(&common::next_addr(), &a_root, &a_state, &["--rate", "1M"]);

    let copy = fxpc(dir.path())
        .args(["cp", "--json"])
        .arg(format!("{}big.bin", a.url))
        .arg(&local)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let part = local.join(".big.bin.fxpc-part");
    kill_once_it_holds(copy, &part, 500_000);
    assert!(
        !local.join("big.bin").exists(),
        "a partial file took the name"
    );
    let arrived = std::fs::metadata(&part).unwrap().len();
    assert!(
        arrived < body.len() as u64,
        "killed too late to test anything"
    );

    let resumed = fxpc(dir.path()).args(["queue", "resume"]).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&resumed.stdout),
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(std::fs::read(local.join("big.bin")).unwrap() == body);
    assert!(!part.exists());
    let log = std::fs::read_to_string(a_state.join("fxpc/fxpc.log")).unwrap();
    let rest = log
        .lines()
        .filter_map(|l| l.split("REST ").nth(1))
        .filter_map(|n| {
            n.split_whitespace()
                .next()?
                .trim_matches('"')
                .parse::<u64>()
                .ok()
        })
        .find(|n| *n > 0);
    assert!(
        rest.is_some_and(|n| n <= arrived),
        "no REST within what arrived:\n{log}"
    );
}

/// A move killed half-way continues on `queue resume` from the bytes it
/// wrote itself: they are its own, so the size vouches for them as for any
/// retry of the job (vsftpd offers no digest), and the source is deleted
/// once the whole file verified. (Bytes from elsewhere would keep it:
/// `shipped_servers::a_move_resumed_onto_bytes_from_elsewhere…`.)
#[test]
fn a_killed_move_resumes_and_deletes_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::temp_root();
    // ~1 MB/s: three seconds of transfer to kill in the middle of.
    let Some(vs) = common::Vsftpd::start_with(
        &common::next_addr(),
        root.path(),
        false,
        "anon_max_rate=1000000",
    ) else {
        return;
    };
    let body = common::pseudo_random(3_000_000, 9);
    let source = common::seed(vs.files(), "big.bin", &body);
    let local = dir.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let copy = fxpc(dir.path())
        .args(["cp", "--move", "--json"])
        .arg(format!("ftp://{}:{}/pub/big.bin", vs.addr(), vs.port()))
        .arg(&local)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let part = local.join(".big.bin.fxpc-part");
    kill_once_it_holds(copy, &part, 500_000);
    assert!(source.exists(), "the source went before its copy verified");

    let resumed = fxpc(dir.path()).args(["queue", "resume"]).output().unwrap();
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&resumed.stdout),
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(resumed.status.success(), "{said}");
    assert!(
        std::fs::read(local.join("big.bin")).unwrap() == body,
        "{said}"
    );
    assert!(!source.exists(), "the move kept its source: {said}");
}

/// Ten files of 200,000 bytes in `root/tree`.
fn seed_tree(root: &Path, seed: u64) {
    for i in 0..10 {
        std::fs::write(
            root.join(format!("tree/f{i}.bin")),
            common::pseudo_random(200_000, seed + i),
        )
        .unwrap();
    }
}

/// Kills `copy` (SIGKILL: no chance to tidy up) once `path` holds `bytes`.
fn kill_once_it_holds(mut copy: Child, path: &Path, bytes: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(path).map_or(0, |m| m.len()) < bytes {
        assert!(Instant::now() < deadline, "the download made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    copy.kill().unwrap();
    copy.wait().unwrap();
}

/// Kills `copy` (SIGKILL: no chance to tidy up) once `path` exists.
fn kill_once_it_exists(mut copy: Child, path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(Instant::now() < deadline, "the copy made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    copy.kill().unwrap();
    copy.wait().unwrap();
}

/// Every file of `seed_tree` arrived whole under `destination`.
fn same_tree(source: &Path, destination: &Path) {
    for i in 0..10 {
        let name = format!("tree/f{i}.bin");
        assert_eq!(
            std::fs::read(destination.join(&name)).ok(),
            std::fs::read(source.join(&name)).ok(),
            "{name}"
        );
    }
}
