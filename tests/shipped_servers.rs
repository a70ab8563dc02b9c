//! The servers people run, as Debian ships them, met with no flags at all.

mod common;

use common::served::Served;
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

/// One server of a pair: how a file is named in a URL, and where it lies
/// on disk.
struct Peer {
    name: &'static str,
    url: Box<dyn Fn(&str) -> String>,
    files: std::path::PathBuf,
}

fn peer_files_of_pair(
    name: &'static str,
    a: (String, std::path::PathBuf),
    b: (String, std::path::PathBuf),
) -> (Peer, Peer) {
    let peer = |(base, files): (String, std::path::PathBuf)| Peer {
        name,
        url: Box::new(move |file: &str| format!("{base}{file}")),
        files,
    };
    (peer(a), peer(b))
}

/// A move resumed onto a partial file from elsewhere: a size that matches
/// says nothing of the bytes that were there before, so the source is
/// deleted only where both servers' digests matched; without a common
/// digest the copy is kept, the source too, and the run says so and
/// fails. Whatever the pair, a destination whose first bytes differ from
/// the source's never costs the source.
#[test]
fn a_move_resumed_onto_bytes_from_elsewhere_keeps_its_source_unless_a_digest_matched() {
    let (vs_a, vs_b, py_a, py_b) = (
        common::temp_root(),
        common::temp_root(),
        common::temp_root(),
        common::temp_root(),
    );
    let (Some(v1), Some(v2), Some(p1), Some(p2), Some(pro1), Some(pro2), Some(pure1), Some(pure2)) = (
        common::Vsftpd::start(&common::next_addr(), vs_a.path(), true),
        common::Vsftpd::start(&common::next_addr(), vs_b.path(), true),
        common::Pyftpd::start(&common::next_addr(), py_a.path(), true),
        common::Pyftpd::start(&common::next_addr(), py_b.path(), true),
        unpacked::proftpd(&common::next_addr(), Setup::FXP, None),
        unpacked::proftpd(&common::next_addr(), Setup::FXP, None),
        unpacked::pure_ftpd(&common::next_addr(), Setup::FXP, None),
        unpacked::pure_ftpd(&common::next_addr(), Setup::FXP, None),
    ) else {
        return;
    };
    let vs = |s: &common::Vsftpd| {
        (
            format!("ftp://{}:{}/pub/", s.addr(), s.port()),
            s.files().to_path_buf(),
        )
    };
    let py = |s: &common::Pyftpd| {
        let base = format!("ftp://{}@{}:{}/", common::PYFTPD_USER, s.addr(), s.port());
        (base, s.files().to_path_buf())
    };
    let un = |s: &unpacked::Unpacked| {
        let base = format!("ftp://{}@{}:{}/", unpacked::USER, s.addr(), s.port());
        (base, s.files().to_path_buf())
    };
    let (serve_a, serve_b) = (common::temp_root(), common::temp_root());
    let state = common::temp_root();
    let serve =
        |root: &std::path::Path| Served::start(&common::next_addr(), root, state.path(), &[]);
    let (s1, s2) = (serve(serve_a.path()), serve(serve_b.path()));
    let pairs = [
        peer_files_of_pair(
            "fxpc serve",
            (s1.url.clone(), serve_a.path().to_path_buf()),
            (s2.url.clone(), serve_b.path().to_path_buf()),
        ),
        peer_files_of_pair("vsftpd", vs(&v1), vs(&v2)),
        peer_files_of_pair("pyftpdlib", py(&p1), py(&p2)),
        peer_files_of_pair("ProFTPD", un(&pro1), un(&pro2)),
        peer_files_of_pair("Pure-FTPd", un(&pure1), un(&pure2)),
    ];
    let body = common::pseudo_random(200_000, 61);
    let mut kept_by_size = Vec::new();
    let mut moved_by_digest = Vec::new();
    for (from, to) in &pairs {
        let seed = |peer: &Peer, name: &str, bytes: &[u8]| {
            let path = peer.files.join(name);
            std::fs::write(&path, bytes).unwrap();
            unpacked::give_to_ftp(&path);
        };
        // Somebody else's file of the same size: nothing moves, and only
        // a digest could tell it is not the source.
        let mut other = body.clone();
        other[10] ^= 0xff;
        seed(from, "same.bin", &body);
        seed(to, "same.bin", &other);
        // A prefix that is the source's: the copy continues it.
        seed(from, "prefix.bin", &body);
        seed(to, "prefix.bin", &body[..50_000]);
        for (file, destination_before) in [
            ("same.bin", other.clone()),
            ("prefix.bin", body[..50_000].to_vec()),
        ] {
            let run = fxpc(&[
                "cp",
                "--move",
                "--resume",
                "--json",
                &(from.url)(file),
                &(to.url)(file),
            ]);
            let (stdout, stderr) = (
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr),
            );
            let said = format!("{} {file}:\n{stdout}\n{stderr}", from.name);
            let source = std::fs::read(from.files.join(file)).ok();
            let destination = std::fs::read(to.files.join(file)).unwrap();
            let by_digest =
                stdout.contains(r#""event":"verified""#) && !stdout.contains(r#""check":"size""#);
            if file == "same.bin" {
                // Never the source for a file that differs.
                assert!(
                    source.as_deref() == Some(&body[..]),
                    "the source is gone or changed: {said}"
                );
                assert!(
                    destination == destination_before,
                    "the destination changed: {said}"
                );
                assert!(!run.status.success(), "{said}");
                assert!(!by_digest, "{said}");
                if stdout.contains(r#""source_kept""#) {
                    assert!(stderr.contains("sources were kept"), "{said}");
                    kept_by_size.push(from.name);
                } else {
                    assert!(stdout.contains(r#""event":"failed""#), "{said}");
                }
            } else if !stdout.contains(r#""event":"verified""#) {
                // A server that will not continue a file (ProFTPD as
                // shipped: `451 Append/Restart not permitted`) fails the
                // copy; nothing is lost.
                assert!(stdout.contains(r#""event":"failed""#), "{said}");
                assert!(
                    source.as_deref() == Some(&body[..]),
                    "the source is gone or changed: {said}"
                );
                assert!(body.starts_with(&destination), "{said}");
            } else {
                assert!(destination == body, "{said}");
                assert!(run.status.success() == by_digest, "{said}");
                if by_digest {
                    assert!(source.is_none(), "the source was not deleted: {said}");
                    moved_by_digest.push(from.name);
                } else {
                    assert!(
                        source.as_deref() == Some(&body[..]),
                        "the source is gone or changed: {said}"
                    );
                    assert!(stdout.contains("source kept: the first 49 KiB"), "{said}");
                }
            }
        }
    }
    // Both halves of the rule were met: vsftpd offers no digest, fxpc
    // serve does (ProFTPD's mod_digest too, but as shipped it will not
    // continue a file).
    assert!(kept_by_size.contains(&"vsftpd"), "{kept_by_size:?}");
    assert!(
        moved_by_digest.contains(&"fxpc serve"),
        "{moved_by_digest:?}"
    );
}
