//! FTPS against real servers on loopback: vsftpd with `ssl_enable` (its
//! default `require_ssl_reuse`, and implicit TLS), with certificates the
//! test makes. Login, listing, upload, download and resume in TLS with the
//! bytes checked; certificates refused for the right reason and accepted
//! once pinned; a TLS-only server met with TLS off says which setting to
//! change.

mod common;

use fxpc::ftp::{Client, Fingerprint, FtpError, Options, StoreMode, Tls, TlsMode, TlsSettings};

fn options(mode: TlsMode, pinned: &[&[u8]]) -> Options {
    Options {
        tls: Some(
            Tls::new(TlsSettings {
                mode,
                ca_file: None,
                pinned: pinned.iter().map(|der| Fingerprint::of(der)).collect(),
            })
            .unwrap(),
        ),
        ..Options::default()
    }
}

fn anonymous() -> fxpc::ftp::Login {
    fxpc::ftp::Login::default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vsftpd_in_tls_with_session_reuse_required() {
    let addr = common::next_addr();
    let cert = common::test_cert(&[&addr], 1, 30);
    let root = common::temp_root();
    let body = common::pseudo_random(3 * 1024 * 1024 + 17, 41);
    let Some(server) = common::Vsftpd::start_with(
        &addr,
        root.path(),
        false,
        &common::vsftpd_tls(&cert, true, true, false),
    ) else {
        return;
    };
    std::fs::write(server.files().join("in.bin"), &body).unwrap();

    // Explicit FTPS, the certificate pinned: everything in TLS.
    let opts = options(TlsMode::Required, &[&cert.der]);
    let mut client = Client::open(server.addr(), server.port(), &anonymous(), opts.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(client.protection(), (true, true));
    let home = server.home();
    let names: Vec<String> = client
        .list(Some(home.as_bytes()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name.to_string())
        .collect();
    assert!(names.contains(&"in.bin".to_string()), "{names:?}");

    let mut down = Vec::new();
    let n = client
        .retrieve(format!("{home}/in.bin"), 0, &mut down)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(n as usize, body.len());
    assert!(down == body, "download differs");

    // Upload, then resume an upload from the middle.
    let mut input = &body[..];
    client
        .store(format!("{home}/up.bin"), StoreMode::Replace, 0, &mut input)
        .await
        .unwrap();
    assert!(std::fs::read(server.files().join("up.bin")).unwrap() == body);
    let half = body.len() / 2;
    let part = server.files().join("resumed.bin");
    std::fs::write(&part, &body[..half]).unwrap();
    // Writable by the session's user (vsftpd's `ftp`).
    std::fs::set_permissions(&part, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    let mut rest = &body[half..];
    client
        .store(
            format!("{home}/resumed.bin"),
            StoreMode::Replace,
            half as u64,
            &mut rest,
        )
        .await
        .unwrap();
    assert!(std::fs::read(server.files().join("resumed.bin")).unwrap() == body);
    // Download resumed from an offset.
    let mut tail = Vec::new();
    client
        .retrieve(format!("{home}/in.bin"), half as u64, &mut tail)
        .await
        .unwrap();
    assert!(tail == body[half..]);
    let _ = client.quit().await;

    // The server demands TLS; a site set to off hears which setting to
    // change, not a bare 530.
    let plain = Options {
        tls: None,
        ..Options::default()
    };
    let err = Client::open(server.addr(), server.port(), &anonymous(), plain)
        .await
        .err()
        .expect("a TLS-only server refuses plain FTP");
    let text = err.to_string();
    assert!(
        matches!(err, FtpError::TlsSetting(_)) && text.contains("tls"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_are_refused_for_their_reason_and_accepted_once_pinned() {
    let addr = common::next_addr();
    let root = common::temp_root();
    for (cert, reason) in [
        (common::test_cert(&[&addr], 1, 30), "self-signed"),
        (
            common::test_cert(&["other.example"], 1, 30),
            "name mismatch",
        ),
        (common::test_cert(&[&addr], 60, -30), "expired"),
    ] {
        let Some(server) = common::Vsftpd::start_with(
            &addr,
            root.path(),
            false,
            &common::vsftpd_tls(&cert, false, true, false),
        ) else {
            return;
        };
        let err = Client::open(
            server.addr(),
            server.port(),
            &anonymous(),
            options(TlsMode::IfAvailable, &[]),
        )
        .await
        .err()
        .expect("an untrusted certificate is refused");
        let FtpError::Certificate { rejected, .. } = &err else {
            panic!("{reason}: {err}");
        };
        assert!(rejected.reason.contains(reason), "{reason}: {err}");
        assert_eq!(rejected.fingerprint, Fingerprint::of(&cert.der));
        assert!(err.to_string().contains(&rejected.fingerprint.to_string()));
        // Pinned, the same certificate is taken.
        let mut client = Client::open(
            server.addr(),
            server.port(),
            &anonymous(),
            options(TlsMode::IfAvailable, &[&cert.der]),
        )
        .await
        .unwrap_or_else(|e| panic!("{reason}, pinned: {e}"));
        assert_eq!(client.protection(), (true, true), "{reason}");
        client.list(None).await.unwrap();
        drop(server);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_file_vouches_and_implicit_tls_works() {
    let addr = common::next_addr();
    let cert = common::test_cert(&[&addr], 1, 30);
    let root = common::temp_root();
    let Some(server) = common::Vsftpd::start_with(
        &addr,
        root.path(),
        false,
        &common::vsftpd_tls(&cert, true, true, true),
    ) else {
        return;
    };
    std::fs::write(server.files().join("f.txt"), b"implicit\n").unwrap();
    let tls = Tls::new(TlsSettings {
        mode: TlsMode::Implicit,
        ca_file: Some(cert.cert.clone()),
        pinned: Vec::new(),
    })
    .unwrap();
    let opts = Options {
        tls: Some(tls),
        ..Options::default()
    };
    let mut client = Client::open(server.addr(), server.port(), &anonymous(), opts)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(client.protection(), (true, true));
    let mut got = Vec::new();
    client
        .retrieve(format!("{}/f.txt", server.home()), 0, &mut got)
        .await
        .unwrap();
    assert_eq!(got, b"implicit\n");
}

/// The command line: `--trust-fingerprint` and `--ca-file` on `ls` and
/// `cp`; without them a self-signed server is refused with its
/// fingerprint, never accepted silently.
#[test]
fn ls_and_cp_take_a_pinned_fingerprint_or_a_ca_file() {
    let addr = common::next_addr();
    let cert = common::test_cert(&[&addr], 1, 30);
    let root = common::temp_root();
    let Some(server) = common::Vsftpd::start_with(
        &addr,
        root.path(),
        false,
        &common::vsftpd_tls(&cert, true, true, false),
    ) else {
        return;
    };
    let body = common::pseudo_random(200_000, 9);
    std::fs::write(server.files().join("tls.bin"), &body).unwrap();
    let url = format!(
        "ftpes://{}:{}{}/",
        server.addr(),
        server.port(),
        server.home()
    );
    let fxpc = |args: &[&str]| {
        let config = tempfile::tempdir().unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_fxpc"))
            .args(args)
            .env("FXPC_CONFIG", config.path().join("config.toml"))
            .env("XDG_STATE_HOME", config.path())
            .env("NETRC", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let refused = fxpc(&["ls", &url]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let fingerprint = Fingerprint::of(&cert.der).to_string();
    assert!(!refused.status.success());
    assert!(
        stderr.contains("self-signed") && stderr.contains(&fingerprint),
        "{stderr}"
    );
    let listed = fxpc(&[
        "ls",
        "--trust-fingerprint",
        &fingerprint.to_lowercase(),
        &url,
    ]);
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(stdout.contains("tls.bin"), "{stdout}");
    let out = tempfile::tempdir().unwrap();
    let copied = fxpc(&[
        "cp",
        "--ca-file",
        cert.cert.to_str().unwrap(),
        &format!("{url}tls.bin"),
        out.path().to_str().unwrap(),
    ]);
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(std::fs::read(out.path().join("tls.bin")).unwrap() == body);
}

/// An anonymous site at `addr` in TLS (required), trusting `der`.
fn tls_site(addr: std::net::SocketAddr, der: &[u8]) -> std::sync::Arc<fxpc::transfer::FtpSite> {
    let mut site = (*common::jobs::site(addr)).clone();
    site.options.tls = options(TlsMode::Required, &[der]).tls;
    std::sync::Arc::new(site)
}

/// Two TLS servers that can only be the TLS server of a data connection
/// (vsftpd has no SSCN or CPSV): protected FXP is impossible, so it is not
/// started (lftp starts it and both servers wait for a ClientHello); the
/// copy is relayed in TLS at once, and the reason is said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tls_only_servers_without_sscn_relay_at_once() {
    let (a, b) = (common::next_addr(), common::next_addr());
    let (cert_a, cert_b) = (
        common::test_cert(&[&a], 1, 30),
        common::test_cert(&[&b], 1, 30),
    );
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let Some(va) = common::Vsftpd::start_with(
        &a,
        root_a.path(),
        true,
        &common::vsftpd_tls(&cert_a, true, true, false),
    ) else {
        return;
    };
    let Some(vb) = common::Vsftpd::start_with(
        &b,
        root_b.path(),
        true,
        &common::vsftpd_tls(&cert_b, true, true, false),
    ) else {
        return;
    };
    let body = common::pseudo_random(1_500_000, 77);
    std::fs::write(va.files().join("s.bin"), &body).unwrap();
    // A long connect timeout: waiting for one would show.
    let settings = fxpc::transfer::Settings {
        connect_timeout: std::time::Duration::from_secs(30),
        ..common::jobs::settings()
    };
    let (engine, mut rx) = fxpc::transfer::Engine::new(settings);
    let source =
        fxpc::transfer::Location::ftp(tls_site(va.socket_addr(), &cert_a.der), "/pub/s.bin");
    let destination =
        fxpc::transfer::Location::ftp(tls_site(vb.socket_addr(), &cert_b.der), "/pub/s.bin");
    let started = std::time::Instant::now();
    let events = common::jobs::run(
        &engine,
        &mut rx,
        common::jobs::copy(source, destination, fxpc::transfer::Via::Auto),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(
        common::jobs::verified_mode(&events),
        fxpc::transfer::Mode::Relay
    );
    assert!(std::fs::read(vb.files().join("s.bin")).unwrap() == body);
    assert!(
        events.iter().any(|e| matches!(&e.kind,
            fxpc::transfer::EventKind::Verified { protection: Some(how), .. } if how == "TLS")),
        "relayed in TLS, and said so"
    );
    let reasons: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            fxpc::transfer::EventKind::ModeChanged { reason, .. } => Some(reason.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("SSCN")),
        "the reason is said: {reasons:?}"
    );
    // Not after a connect timeout (30 s here) per dialect.
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}

/// pyftpdlib's TLS_FTPHandler, TLS required: browse, upload, download;
/// then a copy from it to a TLS vsftpd, relayed in TLS (neither can be the
/// TLS client of a server-to-server connection).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyftpdlib_in_tls_and_a_relay_to_vsftpd() {
    let (a, b) = (common::next_addr(), common::next_addr());
    let (cert_a, cert_b) = (
        common::test_cert(&[&a], 1, 30),
        common::test_cert(&[&b], 1, 30),
    );
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let Some(py) = common::Pyftpd::start_tls(&a, root_a.path(), &cert_a, true) else {
        return;
    };
    let Some(vs) = common::Vsftpd::start_with(
        &b,
        root_b.path(),
        true,
        &common::vsftpd_tls(&cert_b, true, true, false),
    ) else {
        return;
    };
    let body = common::pseudo_random(700_000, 5);
    let mut client = Client::open(
        py.addr(),
        py.port(),
        &anonymous(),
        options(TlsMode::Required, &[&cert_a.der]),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", py.log()));
    assert_eq!(client.protection(), (true, true));
    let mut input = &body[..];
    client
        .store("/up.bin", StoreMode::Replace, 0, &mut input)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", py.log()));
    assert!(std::fs::read(root_a.path().join("up.bin")).unwrap() == body);
    let mut back = Vec::new();
    client.retrieve("/up.bin", 0, &mut back).await.unwrap();
    assert!(back == body);
    assert!(
        client
            .list(None)
            .await
            .unwrap()
            .iter()
            .any(|e| e.name == "up.bin")
    );
    let _ = client.quit().await;

    let (engine, mut rx) = fxpc::transfer::Engine::new(common::jobs::settings());
    let events = common::jobs::run(
        &engine,
        &mut rx,
        common::jobs::copy(
            fxpc::transfer::Location::ftp(tls_site(py.socket_addr(), &cert_a.der), "/up.bin"),
            fxpc::transfer::Location::ftp(tls_site(vs.socket_addr(), &cert_b.der), "/pub/up.bin"),
            fxpc::transfer::Via::Auto,
        ),
    )
    .await;
    assert_eq!(
        common::jobs::verified_mode(&events),
        fxpc::transfer::Mode::Relay
    );
    assert!(std::fs::read(vs.files().join("up.bin")).unwrap() == body);
}

/// With `allow_clear_data` on both sites, two TLS servers that cannot be a
/// data connection's TLS client exchange the file directly with `PROT C`
/// (control still in TLS); without it, the copy is relayed in TLS. Either
/// way our own transfers afterwards are protected again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_data_for_fxp_only_where_both_sites_allow_it() {
    let (a, b) = (common::next_addr(), common::next_addr());
    let (cert_a, cert_b) = (
        common::test_cert(&[&a], 1, 30),
        common::test_cert(&[&b], 1, 30),
    );
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let conf = |c| common::vsftpd_tls(c, false, true, false);
    let Some(va) = common::Vsftpd::start_with(&a, root_a.path(), true, &conf(&cert_a)) else {
        return;
    };
    let Some(vb) = common::Vsftpd::start_with(&b, root_b.path(), true, &conf(&cert_b)) else {
        return;
    };
    let body = common::pseudo_random(800_000, 8);
    std::fs::write(va.files().join("c.bin"), &body).unwrap();
    for (allowed, mode) in [
        (false, fxpc::transfer::Mode::Relay),
        (
            true,
            fxpc::transfer::Mode::Fxp {
                source_passive: false,
            },
        ),
    ] {
        let site = |addr, der: &[u8]| {
            let mut site = (*tls_site(addr, der)).clone();
            site.allow_clear_data = allowed;
            std::sync::Arc::new(site)
        };
        let (sa, sb) = (
            site(va.socket_addr(), &cert_a.der),
            site(vb.socket_addr(), &cert_b.der),
        );
        let (engine, mut rx) = fxpc::transfer::Engine::new(common::jobs::settings());
        let name = format!("/pub/c-{allowed}.bin");
        let events = common::jobs::run(
            &engine,
            &mut rx,
            common::jobs::copy(
                fxpc::transfer::Location::ftp(sa.clone(), "/pub/c.bin"),
                fxpc::transfer::Location::ftp(sb.clone(), name.clone()),
                fxpc::transfer::Via::Auto,
            ),
        )
        .await;
        assert_eq!(
            common::jobs::verified_mode(&events),
            mode,
            "allowed {allowed}"
        );
        assert!(std::fs::read(vb.files().join(&name[5..])).unwrap() == body);
        // A download afterwards (pooled sessions) is in TLS again: vsftpd
        // would refuse the clear data connection with PROT P in force.
        let mut client = sb.open().await.unwrap();
        assert_eq!(client.protection(), (true, true));
        let mut back = Vec::new();
        client.retrieve(&name, 0, &mut back).await.unwrap();
        assert!(back == body);
    }
}

/// An FTPS `fxpc serve` (its certificate pinned by the client).
async fn serve_tls(
    ip: &str,
    root: &std::path::Path,
    cert: &common::TestCert,
    require_reuse: bool,
) -> fxpc::server::Handle {
    let mut config = fxpc::server::Config::new(root, format!("{ip}:0").parse().unwrap());
    config.anonymous = Some(fxpc::server::Anonymous::Write);
    config.allow_fxp = true;
    let mut tls = fxpc::server::TlsConfig::from_pem_files(&cert.cert, &cert.key).unwrap();
    tls.require_reuse = require_reuse;
    config.tls = Some(tls);
    fxpc::server::Handle::spawn(config).await.unwrap()
}

/// The engine between two FTPS `fxpc serve`: the servers exchange the file
/// directly in TLS (LSTN/SOCK, then FXP), one of them the TLS client of
/// their data connection by SSCN — also when the destination demands
/// session reuse (it can then only be the client); the bytes arrive whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_copies_server_to_server_in_tls() {
    let (a, b) = (common::next_addr(), common::next_addr());
    let (cert_a, cert_b) = (
        common::test_cert(&[&a], 1, 30),
        common::test_cert(&[&b], 1, 30),
    );
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let body = common::pseudo_random(2_000_000, 31);
    std::fs::write(root_a.path().join("s.bin"), &body).unwrap();
    for (require_reuse, via, mode, how) in [
        (
            false,
            fxpc::transfer::Via::Auto,
            fxpc::transfer::Mode::LstnSock,
            "SSCN",
        ),
        (
            true,
            fxpc::transfer::Via::Auto,
            fxpc::transfer::Mode::LstnSock,
            "SSCN",
        ),
        (
            true,
            fxpc::transfer::Via::Fxp,
            fxpc::transfer::Mode::Fxp {
                source_passive: false,
            },
            // One command where the passive side offers it.
            "CPSV",
        ),
    ] {
        let sa = serve_tls(&a, root_a.path(), &cert_a, false).await;
        let sb = serve_tls(&b, root_b.path(), &cert_b, require_reuse).await;
        let (engine, mut rx) = fxpc::transfer::Engine::new(common::jobs::settings());
        let name = format!("/d-{require_reuse}-{via:?}.bin");
        let events = common::jobs::run(
            &engine,
            &mut rx,
            common::jobs::copy(
                fxpc::transfer::Location::ftp(tls_site(sa.addr(), &cert_a.der), "/s.bin"),
                fxpc::transfer::Location::ftp(tls_site(sb.addr(), &cert_b.der), name.clone()),
                via,
            ),
        )
        .await;
        assert_eq!(
            common::jobs::verified_mode(&events),
            mode,
            "reuse {require_reuse}, {via:?}: {events:#?}"
        );
        assert!(std::fs::read(root_b.path().join(&name[1..])).unwrap() == body);
        let said = events
            .iter()
            .find_map(|e| match &e.kind {
                fxpc::transfer::EventKind::Verified { protection, .. } => protection.clone(),
                _ => None,
            })
            .unwrap_or_default();
        assert_eq!(
            said,
            format!("TLS; the destination was the TLS client ({how})"),
            "the event says how"
        );
        sa.stop().await;
        sb.stop().await;
    }
}
