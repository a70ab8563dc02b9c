//! Setting a file's modification time on every server people run, as a
//! copy that keeps its source's dates does: each server is told by the way
//! it takes (`MFMT`, `SITE UTIME`, `MDTM` with a time), and the time is
//! read back from the file on disk, not from the server's word.

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::{NaiveDate, NaiveDateTime};
use fxpc::ftp::{Client, Login, Options, Secret, StoreMode, TimeWay};

use common::unpacked::{self, Setup};
use common::{Pyftpd, Vsftpd, next_addr, temp_root};

fn when() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2019, 3, 4)
        .unwrap()
        .and_hms_opt(5, 6, 7)
        .unwrap()
}

fn on_disk(path: &Path) -> NaiveDateTime {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    chrono::DateTime::<chrono::Utc>::from(modified).naive_utc()
}

async fn set_and_check(addr: &str, port: u16, login: &Login, home: &str, files: &Path) -> TimeWay {
    let options = Options {
        reply_timeout: Duration::from_secs(10),
        ..Options::default()
    };
    let mut client = Client::open(addr, port, login, options).await.unwrap();
    client.cwd(home).await.unwrap();
    let mut body: &[u8] = b"dated";
    client
        .store("dated.txt", StoreMode::Replace, 0, &mut body)
        .await
        .unwrap();
    let before = SystemTime::now();
    let way = client
        .set_modified(b"dated.txt", when())
        .await
        .unwrap_or_else(|e| panic!("{addr}: {e}"));
    assert_eq!(on_disk(&files.join("dated.txt")), when(), "{way:?}");
    assert_eq!(client.mdtm("dated.txt").await.unwrap(), when());
    // A name that is not there: a refusal about the file, said as such.
    let missing = client.set_modified(b"not-there.txt", when()).await;
    assert!(missing.is_err(), "{missing:?}");
    // The way that worked is still there for the next file.
    let mut body: &[u8] = b"again";
    client
        .store("again.txt", StoreMode::Replace, 0, &mut body)
        .await
        .unwrap();
    assert_eq!(
        client.set_modified(b"again.txt", when()).await.unwrap(),
        way
    );
    assert!(
        std::fs::metadata(files.join("again.txt"))
            .unwrap()
            .modified()
            .unwrap()
            < before
    );
    let _ = client.quit().await;
    way
}

fn user(name: &str, password: &str) -> Login {
    Login {
        user: name.into(),
        password: Secret::new(password),
        account: None,
    }
}

#[tokio::test]
async fn vsftpd_takes_mdtm_with_a_time() {
    let root = temp_root();
    let Some(server) = Vsftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let way = set_and_check(
        server.addr(),
        server.port(),
        &Login::default(),
        server.home(),
        server.files(),
    )
    .await;
    assert_eq!(way, TimeWay::MdtmWrite);
}

#[tokio::test]
async fn pyftpdlib_takes_mfmt() {
    let root = temp_root();
    let Some(server) = Pyftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let login = user(common::PYFTPD_USER, common::PYFTPD_PASSWORD);
    let way = set_and_check(
        server.addr(),
        server.port(),
        &login,
        server.home(),
        server.files(),
    )
    .await;
    assert_eq!(way, TimeWay::Mfmt);
}

/// ProFTPD and Pure-FTPd, as Debian ships them, both list `MFMT` in `FEAT`.
#[tokio::test]
async fn proftpd_and_pure_ftpd_take_mfmt() {
    let servers = [
        unpacked::proftpd(&next_addr(), Setup::STOCK, None),
        unpacked::pure_ftpd(&next_addr(), Setup::STOCK, None),
    ];
    let login = user(unpacked::USER, unpacked::PASSWORD);
    for server in servers.iter().flatten() {
        let (addr, port) = (server.addr(), server.port());
        let way = set_and_check(addr, port, &login, server.home(), server.files()).await;
        assert_eq!(way, TimeWay::Mfmt, "{addr}:{port}");
    }
}

#[tokio::test]
async fn fxpc_serve_takes_mfmt() {
    let root = temp_root();
    let mut config =
        fxpc::server::Config::new(root.path(), format!("{}:0", next_addr()).parse().unwrap());
    config.anonymous = Some(fxpc::server::Anonymous::Write);
    let server = fxpc::server::Handle::spawn(config).await.unwrap();
    let addr = server.addr();
    let way = set_and_check(
        &addr.ip().to_string(),
        addr.port(),
        &Login::default(),
        "/",
        root.path(),
    )
    .await;
    assert_eq!(way, TimeWay::Mfmt);
}

fn set_time(path: &Path, time: NaiveDateTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::from(time.and_utc())).unwrap();
}

/// Seeds `root/t/` with two dated files and a dated file in a directory.
fn seed_dated(root: &Path) -> Vec<(&'static str, NaiveDateTime)> {
    let files = [
        ("t/a.txt", when()),
        ("t/sub/b.bin", when() - chrono::Duration::days(400)),
        ("t/c.txt", when() + chrono::Duration::hours(7)),
    ];
    for (i, (name, time)) in files.iter().enumerate() {
        common::seed(root, name, &common::pseudo_random(1000 + i, i as u64));
        set_time(&root.join(name), *time);
    }
    files.to_vec()
}

fn fxpc(state: &Path, args: &[&str]) -> (bool, String) {
    let out = common::fxpc_in(state)
        .args(args)
        .env("FXPC_PASSWORD", common::PYFTPD_PASSWORD)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A mirror keeps every file's time, so a second `mirror --newer` of the
/// unchanged tree has nothing to copy — from pyftpdlib (MLSD times) to
/// ProFTPD (MFMT), and from there to the local disk.
#[test]
fn a_second_mirror_newer_copies_nothing() {
    let (py_root, state, local) = (temp_root(), temp_root(), temp_root());
    let (Some(py), Some(pro)) = (
        Pyftpd::start(&next_addr(), py_root.path(), true),
        unpacked::proftpd(&next_addr(), Setup::FXP, None),
    ) else {
        return;
    };
    let dated = seed_dated(py_root.path());
    let py_url = format!(
        "ftp://{}@{}:{}/t",
        common::PYFTPD_USER,
        py.addr(),
        py.port()
    );
    let pro_url = format!("ftp://{}@{}:{}/t", unpacked::USER, pro.addr(), pro.port());
    let local_dir = local.path().join("t");
    let local_url = local_dir.to_str().unwrap();
    for (from, to, at) in [
        (py_url.as_str(), pro_url.as_str(), pro.files()),
        (pro_url.as_str(), local_url, local.path()),
    ] {
        let (ok, out) = fxpc(state.path(), &["mirror", "--newer", from, to]);
        assert!(ok, "{from} → {to}:\n{out}");
        for (name, time) in &dated {
            assert_eq!(on_disk(&at.join(name)), *time, "{name} at {to}:\n{out}");
        }
        let (ok, out) = fxpc(state.path(), &["mirror", "--newer", "--dry-run", from, to]);
        assert!(ok, "{out}");
        assert!(
            out.contains("0 new, 0 differ"),
            "{from} → {to} again:\n{out}"
        );
    }
}

/// `cp -r` keeps its files' times by default (vsftpd's `MDTM` gives the
/// source's, pyftpdlib takes `MFMT`); a single file keeps the time of its
/// copy unless asked, and `--no-preserve-times` keeps none.
#[test]
fn tree_copies_keep_times_and_single_files_when_asked() {
    let (vs_root, py_root, state) = (temp_root(), temp_root(), temp_root());
    let (Some(vs), Some(py)) = (
        Vsftpd::start(&next_addr(), vs_root.path(), true),
        Pyftpd::start(&next_addr(), py_root.path(), true),
    ) else {
        return;
    };
    let dated = seed_dated(vs.files());
    let vs_url = |path: &str| format!("ftp://{}:{}{}/{path}", vs.addr(), vs.port(), vs.home());
    let py_url = |path: &str| {
        format!(
            "ftp://{}@{}:{}/{path}",
            common::PYFTPD_USER,
            py.addr(),
            py.port()
        )
    };
    let (ok, out) = fxpc(state.path(), &["cp", "-r", &vs_url("t"), &py_url("")]);
    assert!(ok, "{out}");
    for (name, time) in &dated {
        let at = py.files().join(name);
        assert!(at.exists(), "{} missing:\n{out}", at.display());
        assert_eq!(on_disk(&at), *time, "{name}:\n{out}");
    }
    let recent = |path: &Path| on_disk(path) > when() + chrono::Duration::days(1000);
    let (ok, out) = fxpc(
        state.path(),
        &["cp", &vs_url("t/a.txt"), &py_url("one.txt")],
    );
    assert!(ok && recent(&py.files().join("one.txt")), "{out}");
    let (ok, out) = fxpc(
        state.path(),
        &[
            "cp",
            "--preserve-times",
            &vs_url("t/a.txt"),
            &py_url("two.txt"),
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(on_disk(&py.files().join("two.txt")), when(), "{out}");
    let (ok, out) = fxpc(
        state.path(),
        &[
            "cp",
            "-r",
            "--no-preserve-times",
            &vs_url("t"),
            &py_url("again"),
        ],
    );
    assert!(ok && recent(&py.files().join("again/a.txt")), "{out}");
}

/// A tree walked by MLSD already has each file's UTC time: the copy keeps
/// it without asking the source again (no `MDTM` per file).
/// A kept time's command goes out without waiting for its reply; the last
/// files' replies are read (and their commands certainly carried out)
/// before the run ends, on servers of both ways: vsftpd (`MDTM` with a
/// time) and pyftpdlib (`MFMT`). Every one of 120 files has its time.
#[test]
fn the_last_files_of_a_tree_keep_their_times_too() {
    let (vs_a, vs_b, py_root, state) = (temp_root(), temp_root(), temp_root(), temp_root());
    let (Some(a), Some(b), Some(py)) = (
        Vsftpd::start(&next_addr(), vs_a.path(), true),
        Vsftpd::start(&next_addr(), vs_b.path(), true),
        Pyftpd::start(&next_addr(), py_root.path(), true),
    ) else {
        return;
    };
    let names: Vec<String> = (0..120).map(|i| format!("many/f{i:03}")).collect();
    for (i, name) in names.iter().enumerate() {
        common::seed(a.files(), name, &common::pseudo_random(100, i as u64));
        set_time(
            &a.files().join(name),
            when() - chrono::Duration::hours(i as i64),
        );
    }
    let vs_url =
        |s: &Vsftpd, path: &str| format!("ftp://{}:{}{}/{path}", s.addr(), s.port(), s.home());
    let py_url = format!("ftp://{}@{}:{}/", common::PYFTPD_USER, py.addr(), py.port());
    for (destination, files) in [(vs_url(&b, ""), b.files()), (py_url, py.files())] {
        let (ok, out) = fxpc(
            state.path(),
            &["cp", "-r", "-j", "1", &vs_url(&a, "many"), &destination],
        );
        assert!(ok, "{out}");
        for (i, name) in names.iter().enumerate() {
            let want = when() - chrono::Duration::hours(i as i64);
            assert_eq!(
                on_disk(&files.join(name)),
                want,
                "{name} at {destination}:\n{out}"
            );
        }
    }
}

#[test]
fn an_mlsd_walk_keeps_times_without_asking_the_source_again() {
    let (py_root, state, local) = (temp_root(), temp_root(), temp_root());
    let Some(py) = Pyftpd::start(&next_addr(), py_root.path(), false) else {
        return;
    };
    let dated = seed_dated(py_root.path());
    let url = format!(
        "ftp://{}@{}:{}/t",
        common::PYFTPD_USER,
        py.addr(),
        py.port()
    );
    let into = local.path().join("copy");
    let (ok, out) = fxpc(state.path(), &["cp", "-r", &url, into.to_str().unwrap()]);
    assert!(ok, "{out}");
    for (name, time) in &dated {
        let at = into.join(name.trim_start_matches("t/"));
        assert_eq!(on_disk(&at), *time, "{name}:\n{out}");
    }
    let log = py.log();
    assert!(log.contains("MLSD"), "{log}");
    assert!(!log.contains("MDTM"), "{log}");
}

/// One server of the matrix: its name, a URL for a path under its home,
/// and that home on disk.
struct Peer {
    name: &'static str,
    url: Box<dyn Fn(&str) -> String>,
    files: std::path::PathBuf,
}

/// Every pair of the servers people run (and `fxpc serve`), each way and
/// with itself: a mirror keeps the files' times, so a second
/// `mirror --newer` of the unchanged tree plans nothing (issue 24, item 7).
#[test]
fn every_pair_keeps_times_and_a_second_mirror_newer_copies_nothing() {
    let (vs_root, py_root, serve_root, state) =
        (temp_root(), temp_root(), temp_root(), temp_root());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let served = runtime.block_on(async {
        let mut config = fxpc::server::Config::new(
            serve_root.path(),
            format!("{}:0", next_addr()).parse().unwrap(),
        );
        config.anonymous = Some(fxpc::server::Anonymous::Write);
        config.allow_fxp = true;
        fxpc::server::Handle::spawn(config).await.unwrap()
    });
    let (Some(vs), Some(py), Some(pro), Some(pure)) = (
        Vsftpd::start(&next_addr(), vs_root.path(), true),
        Pyftpd::start(&next_addr(), py_root.path(), true),
        unpacked::proftpd(&next_addr(), Setup::FXP, None),
        unpacked::pure_ftpd(&next_addr(), Setup::FXP, None),
    ) else {
        return;
    };
    let with_user = |user: &'static str, addr: String, port: u16| -> Box<dyn Fn(&str) -> String> {
        Box::new(move |path: &str| format!("ftp://{user}@{addr}:{port}/{path}"))
    };
    let (vs_addr, vs_port) = (vs.addr().to_string(), vs.port());
    let serve_addr = served.addr();
    let peers = [
        Peer {
            name: "vsftpd",
            url: Box::new(move |path: &str| format!("ftp://{vs_addr}:{vs_port}/pub/{path}")),
            files: vs.files().to_path_buf(),
        },
        Peer {
            name: "pyftpdlib",
            url: with_user(common::PYFTPD_USER, py.addr().to_string(), py.port()),
            files: py.files().to_path_buf(),
        },
        Peer {
            name: "ProFTPD",
            url: with_user(unpacked::USER, pro.addr().to_string(), pro.port()),
            files: pro.files().to_path_buf(),
        },
        Peer {
            name: "Pure-FTPd",
            url: with_user(unpacked::USER, pure.addr().to_string(), pure.port()),
            files: pure.files().to_path_buf(),
        },
        Peer {
            name: "fxpc serve",
            url: Box::new(move |path: &str| format!("ftp://{serve_addr}/{path}")),
            files: serve_root.path().to_path_buf(),
        },
    ];
    let mut dated = Vec::new();
    for peer in &peers {
        dated = seed_dated(&peer.files);
        for dir in ["t", "t/sub"] {
            unpacked::give_to_ftp(&peer.files.join(dir));
        }
        for (name, _) in &dated {
            unpacked::give_to_ftp(&peer.files.join(name));
        }
    }
    for from in &peers {
        for to in &peers {
            let target = format!("from-{}", from.name.replace(' ', "-"));
            let (source, destination) = ((from.url)("t"), (to.url)(&target));
            let (ok, out) = fxpc(state.path(), &["mirror", "--newer", &source, &destination]);
            assert!(ok, "{} → {}:\n{out}", from.name, to.name);
            for (name, time) in &dated {
                let at = to.files.join(&target).join(name.trim_start_matches("t/"));
                assert_eq!(
                    on_disk(&at),
                    *time,
                    "{} → {}: {name}\n{out}",
                    from.name,
                    to.name
                );
            }
            let (ok, out) = fxpc(
                state.path(),
                &["mirror", "--newer", "--dry-run", &source, &destination],
            );
            assert!(ok, "{out}");
            assert!(
                out.contains("0 new, 0 differ"),
                "{} → {} again:\n{out}",
                from.name,
                to.name
            );
        }
    }
    runtime.block_on(served.stop());
}

/// On the local disk too, and config.toml's `preserve_times = false`
/// keeps none (a command line flag would win over it).
#[test]
fn the_setting_turns_kept_times_off() {
    let (from, to, state) = (temp_root(), temp_root(), temp_root());
    let dated = seed_dated(from.path());
    let source = from.path().join("t");
    let kept = to.path().join("kept");
    let (ok, out) = fxpc(
        state.path(),
        &["cp", "-r", source.to_str().unwrap(), kept.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    for (name, time) in &dated {
        assert_eq!(
            on_disk(&kept.join(name.trim_start_matches("t/"))),
            *time,
            "{name}\n{out}"
        );
    }
    std::fs::write(state.path().join("config.toml"), "preserve_times = false\n").unwrap();
    let fresh = to.path().join("fresh");
    let (ok, out) = fxpc(
        state.path(),
        &[
            "cp",
            "-r",
            source.to_str().unwrap(),
            fresh.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert!(
        on_disk(&fresh.join("a.txt")) > when() + chrono::Duration::days(1000),
        "{out}"
    );
    let (ok, out) = fxpc(
        state.path(),
        &[
            "cp",
            "-r",
            "--preserve-times",
            source.to_str().unwrap(),
            to.path().join("flag").to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(on_disk(&to.path().join("flag/a.txt")), when(), "{out}");
}
