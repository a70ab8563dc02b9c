//! The servers people run, as Debian ships them, met with no flags at all.

mod common;

use common::unpacked::{self, Setup};

fn fxpc(args: &[&str]) -> std::process::Output {
    let state = tempfile::tempdir().unwrap();
    common::fxpc_in(state.path())
        .args(args)
        .env("FXPC_PASSWORD", unpacked::PASSWORD)
        .output()
        .unwrap()
}

/// Pure-FTPd as shipped lists `AUTH TLS` in `FEAT` and refuses it (`500
/// This security scheme is not implemented`): with a plain `ftp://` URL
/// the session goes on in clear and says so once, on stderr for `ls` and
/// as an event for `cp --json`; `ftpes://` refuses to go on.
#[test]
fn a_refused_auth_tls_goes_on_in_clear_and_says_so() {
    let Some(server) = unpacked::pure_ftpd(&common::next_addr(), Setup::STOCK, None) else {
        return;
    };
    let path = server.files().join("hello.txt");
    std::fs::write(&path, b"hello\n").unwrap();
    unpacked::give_to_ftp(&path);
    let url = format!(
        "ftp://{}@{}:{}/",
        unpacked::USER,
        server.addr(),
        server.port()
    );

    let listed = fxpc(&["ls", &url]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&listed.stdout),
        String::from_utf8_lossy(&listed.stderr),
    );
    assert!(listed.status.success(), "{stderr}");
    assert!(stdout.contains("hello.txt"), "{stdout}");
    assert_eq!(
        stderr
            .matches("not encrypted: the server refused AUTH TLS (500")
            .count(),
        1,
        "{stderr}"
    );

    let out = tempfile::tempdir().unwrap();
    let copied = fxpc(&[
        "cp",
        "--json",
        &format!("{url}hello.txt"),
        out.path().to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&copied.stdout);
    assert!(copied.status.success(), "{stdout}");
    assert!(
        stdout.contains(r#""event":"unencrypted""#) && stdout.contains("refused AUTH TLS (500"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(out.path().join("hello.txt")).unwrap(),
        b"hello\n"
    );

    let secure = url.replacen("ftp://", "ftpes://", 1);
    let refused = fxpc(&["ls", &secure]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("refused AUTH TLS"), "{stderr}");
}

/// ProFTPD with mod_digest answers `HASH` in two lines; the digest on the
/// last one is read, and a copy between two ProFTPDs is verified by it.
#[test]
fn proftpds_two_line_hash_reply_verifies_a_copy() {
    let (Some(a), Some(b)) = (
        unpacked::proftpd(&common::next_addr(), Setup::FXP, None),
        unpacked::proftpd(&common::next_addr(), Setup::FXP, None),
    ) else {
        return;
    };
    let body = common::pseudo_random(300_000, 51);
    let path = a.files().join("d.bin");
    std::fs::write(&path, &body).unwrap();
    unpacked::give_to_ftp(&path);
    let url = |s: &unpacked::Unpacked, name: &str| {
        format!("ftp://{}@{}:{}/{name}", unpacked::USER, s.addr(), s.port())
    };
    let copied = fxpc(&[
        "cp",
        "--json",
        "--verify",
        "hash",
        &url(&a, "d.bin"),
        &url(&b, ""),
    ]);
    let stdout = String::from_utf8_lossy(&copied.stdout);
    assert!(
        copied.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(
        stdout.contains(r#""check":"sha-256""#)
            || stdout.contains(r#""check":"sha-1""#)
            || stdout.contains(r#""check":"md5""#),
        "{stdout}"
    );
    assert!(std::fs::read(b.files().join("d.bin")).unwrap() == body);
}

/// A resume that finds the destination whole moves nothing, and its
/// label says so — not a way of copying the servers never used.
#[test]
fn a_resume_with_nothing_to_move_names_no_way() {
    let (ra, rb) = (common::temp_root(), common::temp_root());
    let (Some(a), Some(b)) = (
        common::Vsftpd::start(&common::next_addr(), ra.path(), true),
        common::Vsftpd::start(&common::next_addr(), rb.path(), true),
    ) else {
        return;
    };
    let body = common::pseudo_random(100_000, 52);
    common::seed(a.files(), "r.bin", &body);
    common::seed(b.files(), "r.bin", &body);
    let url = |s: &common::Vsftpd| format!("ftp://{}:{}/pub/r.bin", s.addr(), s.port());
    let resumed = fxpc(&["cp", "--resume", "--json", &url(&a), &url(&b)]);
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(resumed.status.success(), "{stdout}");
    assert!(
        stdout.contains(r#""event":"verified","mode":"already complete""#),
        "{stdout}"
    );
    assert!(!stdout.contains("LSTN"), "{stdout}");
}
