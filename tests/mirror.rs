//! `fxpc mirror` run as a binary: between two `fxpc serve` (in-process),
//! and from vsftpd (LIST, no UTC times) to pyftpdlib (MLSD). The plan is
//! checked line by line, then the real run's result byte by byte, then a
//! second run must find nothing to do.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use fxpc::server::{Anonymous, Config, Handle};

const FXPC: &str = env!("CARGO_BIN_EXE_fxpc");

/// Runs the binary with its own config and state (never the user's).
fn fxpc(args: &[&str], home: &Path) -> (bool, String, String) {
    let out = Command::new(FXPC)
        .args(args)
        .env("FXPC_CONFIG", home.join("config.toml"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NETRC", "/nonexistent")
        .env_remove("FXPC_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// New files, one of a different size, one the same, a nested new
/// directory, an excluded file, and an extra at the destination.
fn seed(source: &Path, destination: &Path) {
    common::seed(source, "new.txt", &common::pseudo_random(1000, 1));
    common::seed(source, "differs.bin", &common::pseudo_random(2000, 2));
    common::seed(destination, "differs.bin", &common::pseudo_random(1500, 3));
    let same = common::pseudo_random(700, 4);
    common::seed(source, "same.txt", &same);
    common::seed(destination, "same.txt", &same);
    common::seed(source, "nested/top.txt", &common::pseudo_random(400, 5));
    common::seed(
        source,
        "nested/deeper/inner.bin",
        &common::pseudo_random(3000, 6),
    );
    common::seed(source, "junk.tmp", b"never copied");
    common::seed(destination, "extra.txt", b"only here");
}

const PLAN: &[&str] = &[
    "~ differs differs.bin (size 1500 → 2000)",
    "- extra extra.txt",
    "+ new nested/",
    "+ new nested/deeper/",
    "+ new nested/deeper/inner.bin (3000 bytes)",
    "+ new nested/top.txt (400 bytes)",
    "+ new new.txt (1000 bytes)",
];

fn is_change(line: &str) -> bool {
    ["+ ", "~ ", "! ", "- ", "? "]
        .iter()
        .any(|m| line.starts_with(m))
}

/// Every file (with its bytes) and directory under `root`, by relative path.
fn tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(rel, None);
                pending.push(path);
            } else {
                out.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// Dry run, real run with --delete, then a run that finds nothing to do.
fn mirror_scenario(source_url: &str, source: &Path, destination_url: &str, destination: &Path) {
    let home = common::temp_root();
    let args = |extra: &[&'static str]| {
        let mut v: Vec<&str> = vec!["mirror", "--delete", "--exclude", "*.tmp"];
        v.extend_from_slice(extra);
        v.push(source_url);
        v.push(destination_url);
        v
    };

    let before = tree(destination);
    let (ok, out, err) = fxpc(&args(&["--dry-run"]), home.path());
    assert!(ok, "dry run failed:\n{out}\n{err}");
    let lines: Vec<&str> = out.lines().filter(|l| is_change(l)).collect();
    assert_eq!(lines, PLAN, "plan:\n{out}\n{err}");
    let summary = out.lines().last().unwrap();
    assert_eq!(
        summary,
        "3 new, 1 differ (6.2 KiB to copy), 2 new directories, 0 kind mismatches, 1 extra to delete; skipped by excludes: 1",
        "{out}"
    );
    assert_eq!(tree(destination), before, "a dry run changed nothing");

    let (ok, out, err) = fxpc(&args(&[]), home.path());
    assert!(ok, "mirror failed:\n{out}\n{err}");
    assert!(out.contains("extra.txt  deleted"), "{out}");
    // Both ends allow FXP: every file went server to server.
    assert!(!out.contains("the client carried"), "{out}");
    let mut expected = tree(source);
    expected.remove("junk.tmp");
    assert_eq!(tree(destination), expected, "{out}\n{err}");

    let (ok, out, err) = fxpc(&args(&["--dry-run"]), home.path());
    assert!(ok, "second dry run failed:\n{out}\n{err}");
    assert!(
        !out.lines().any(is_change),
        "nothing left to do, yet:\n{out}"
    );
    assert!(out.ends_with("skipped by excludes: 1\n"), "{out}");
}

#[test]
fn mirror_between_two_fxpc_servers() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (ra, rb) = (common::temp_root(), common::temp_root());
    seed(ra.path(), rb.path());
    let serve = |ip: String, root: &Path| {
        let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
        config.anonymous = Some(Anonymous::Write);
        // Both ends take part in FXP; without it the engine relays.
        config.allow_fxp = true;
        runtime.block_on(Handle::spawn(config)).unwrap()
    };
    let a = serve(common::next_addr(), ra.path());
    let b = serve(common::next_addr(), rb.path());
    mirror_scenario(
        &format!("ftp://{}/", a.addr()),
        ra.path(),
        &format!("ftp://{}/", b.addr()),
        rb.path(),
    );
    runtime.block_on(async {
        a.stop().await;
        b.stop().await;
    });
}

/// vsftpd lists with LIST (no UTC times), pyftpdlib with MLSD; vsftpd's
/// seeded files belong to root, which its anonymous sessions could not
/// overwrite, so it is the source.
#[test]
fn mirror_from_vsftpd_to_pyftpdlib() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let Some(vsftpd) = common::Vsftpd::start(&common::next_addr(), ra.path(), true) else {
        return;
    };
    let Some(pyftpd) = common::Pyftpd::start(&common::next_addr(), rb.path(), true) else {
        return;
    };
    seed(vsftpd.files(), pyftpd.files());
    mirror_scenario(
        &format!("ftp://{}{}/", vsftpd.socket_addr(), vsftpd.home()),
        vsftpd.files(),
        &format!("ftp://{}{}", pyftpd.socket_addr(), pyftpd.home()),
        pyftpd.files(),
    );
}

/// The local disk at both ends, with the skip list from config.toml
/// (top-level and a site's) and an include over an exclude.
#[test]
fn mirror_between_local_directories_with_config_excludes() {
    let (a, b, home) = (
        common::temp_root(),
        common::temp_root(),
        common::temp_root(),
    );
    common::seed(a.path(), "keep.log", b"k");
    common::seed(a.path(), "drop.log", b"d");
    common::seed(a.path(), ".DS_Store", b"x");
    common::seed(a.path(), "cache/c", b"c");
    common::seed(a.path(), "real.txt", b"r");
    std::fs::write(
        home.path().join("config.toml"),
        "exclude = [\".DS_Store\", \"cache/\"]\n",
    )
    .unwrap();
    let (src, dst) = (
        a.path().display().to_string(),
        b.path().join("out").display().to_string(),
    );
    let (ok, out, err) = fxpc(
        &[
            "mirror",
            "--exclude",
            "*.log",
            "--include",
            "keep.log",
            &src,
            &dst,
        ],
        home.path(),
    );
    assert!(ok, "{out}\n{err}");
    let lines: Vec<&str> = out.lines().filter(|l| is_change(l)).collect();
    assert_eq!(
        lines,
        ["+ new keep.log (1 bytes)", "+ new real.txt (1 bytes)"],
        "{out}"
    );
    assert!(out.contains("skipped by excludes: 3"), "{out}");
    let got: Vec<String> = tree(&b.path().join("out")).into_keys().collect();
    assert_eq!(got, ["keep.log", "real.txt"]);
}
