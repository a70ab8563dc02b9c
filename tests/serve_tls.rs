//! `fxpc serve` with FTPS (RFC 4217), on loopback: our client in TLS
//! against it (passive and active, with and without session reuse
//! required), `--tls required`'s refusals, the raw replies of AUTH, PBSZ,
//! PROT, SSCN and CPSV, and server-to-server transfers in TLS, where one
//! server is the TLS client of the data connection (SSCN, CPSV): between
//! two `fxpc serve`, and with vsftpd, which can only be the TLS server.
//! Every transfer is checked by the bytes that arrived.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use fxpc::ftp::reply::{self, ParseError, Reply};
use fxpc::ftp::{Client, Fingerprint, FtpError, Login, Options, StoreMode, Tls, TlsMode};
use fxpc::ftp::{TlsSettings, addr};
use fxpc::server::{Anonymous, Config, Handle, TlsConfig, TlsPolicy};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough for a loaded machine, short enough that a hang fails.
const PATIENCE: Duration = Duration::from_secs(60);

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {PATIENCE:?}"))
}

fn tls_config(cert: &common::TestCert) -> TlsConfig {
    TlsConfig::from_pem_files(&cert.cert, &cert.key).unwrap()
}

async fn serve(
    ip: &str,
    root: &Path,
    tls: Option<TlsConfig>,
    tweak: impl FnOnce(&mut Config),
) -> Handle {
    let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
    config.anonymous = Some(Anonymous::Write);
    config.failed_login_delay = Duration::from_millis(10);
    config.tls = tls;
    tweak(&mut config);
    Handle::spawn(config).await.unwrap()
}

fn tls_options(der: &[u8], passive: bool) -> Options {
    Options {
        tls: Some(
            Tls::new(TlsSettings {
                mode: TlsMode::Required,
                ca_file: None,
                pinned: vec![Fingerprint::of(der)],
            })
            .unwrap(),
        ),
        passive,
        ..Options::default()
    }
}

async fn open_at(addr: SocketAddr, der: &[u8], passive: bool) -> Client {
    within(
        "login in TLS",
        Client::open(
            &addr.ip().to_string(),
            addr.port(),
            &Login::default(),
            tls_options(der, passive),
        ),
    )
    .await
    .unwrap_or_else(|e| panic!("TLS login to {addr}: {e}"))
}

async fn command(client: &mut Client, line: &str) -> Reply {
    within(line, client.command(line)).await.unwrap()
}

/// A control connection driven byte by byte, plain or in TLS.
struct Raw<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Raw<S> {
    async fn reply(&mut self) -> Reply {
        loop {
            match reply::parse(&self.buf) {
                Ok((r, used)) => {
                    self.buf.drain(..used);
                    return r;
                }
                Err(ParseError::Incomplete) => {}
                Err(e) => panic!("bad reply: {e}"),
            }
            let mut chunk = [0u8; 4096];
            let n = within("a reply", self.stream.read(&mut chunk))
                .await
                .unwrap();
            assert!(n > 0, "connection closed; had {:?}", self.buf);
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    async fn send(&mut self, bytes: &str) {
        self.stream.write_all(bytes.as_bytes()).await.unwrap();
        self.stream.flush().await.unwrap();
    }

    async fn cmd(&mut self, line: &str) -> Reply {
        self.send(&format!("{line}\r\n")).await;
        self.reply().await
    }
}

async fn raw(addr: SocketAddr) -> Raw<TcpStream> {
    let mut raw = Raw {
        stream: TcpStream::connect(addr).await.unwrap(),
        buf: Vec::new(),
    };
    assert_eq!(raw.reply().await.code, 220);
    raw
}

fn v4(addr: SocketAddr) -> std::net::SocketAddrV4 {
    match addr {
        SocketAddr::V4(v) => v,
        SocketAddr::V6(_) => panic!("expected IPv4: {addr}"),
    }
}

fn pasv_addr(reply: &Reply) -> SocketAddr {
    assert_eq!(reply.code, 227, "{reply}");
    SocketAddr::V4(addr::parse_pasv_reply(&reply.text()).unwrap_or_else(|| panic!("{reply}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_in_tls_lists_uploads_downloads_resumes_and_appends() {
    let ip = common::next_addr();
    let cert = common::test_cert(&[&ip], 1, 30);
    let body = common::pseudo_random(1024 * 1024 + 13, 7);
    for reuse in [false, true] {
        let root = common::temp_root();
        let mut tls = tls_config(&cert);
        tls.require_reuse = reuse;
        let server = serve(&ip, root.path(), Some(tls), |_| {}).await;
        std::fs::write(root.path().join("in.bin"), &body).unwrap();
        for passive in [true, false] {
            let how = format!("reuse {reuse}, passive {passive}");
            let mut client = open_at(server.addr(), &cert.der, passive).await;
            assert_eq!(client.protection(), (true, true), "{how}");
            let names: Vec<String> = within("list", client.list(None))
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.name.to_string())
                .collect();
            assert!(names.contains(&"in.bin".to_string()), "{how}: {names:?}");

            let mut down = Vec::new();
            let n = within("RETR", client.retrieve("in.bin", 0, &mut down))
                .await
                .unwrap_or_else(|e| panic!("{how}: {e}"));
            assert_eq!(n as usize, body.len(), "{how}");
            assert!(down == body, "{how}: download differs");

            let mut input = &body[..];
            within(
                "STOR",
                client.store("up.bin", StoreMode::Replace, 0, &mut input),
            )
            .await
            .unwrap_or_else(|e| panic!("{how}: {e}"));
            assert!(std::fs::read(root.path().join("up.bin")).unwrap() == body);

            // Resumed upload, resumed download, append.
            let half = body.len() / 2;
            std::fs::write(root.path().join("part.bin"), &body[..half]).unwrap();
            let mut rest = &body[half..];
            within(
                "REST+STOR",
                client.store("part.bin", StoreMode::Replace, half as u64, &mut rest),
            )
            .await
            .unwrap();
            assert!(std::fs::read(root.path().join("part.bin")).unwrap() == body);
            let mut tail = Vec::new();
            within(
                "REST+RETR",
                client.retrieve("in.bin", half as u64, &mut tail),
            )
            .await
            .unwrap();
            assert!(tail == body[half..], "{how}: resumed download differs");
            std::fs::write(root.path().join("log.txt"), b"first\n").unwrap();
            let mut more = &b"second\n"[..];
            within(
                "APPE",
                client.store("log.txt", StoreMode::Append, 0, &mut more),
            )
            .await
            .unwrap();
            assert_eq!(
                std::fs::read(root.path().join("log.txt")).unwrap(),
                b"first\nsecond\n"
            );
            let _ = client.quit().await;
        }
        server.stop().await;
    }
}

/// `--require-tls-reuse`: our client's connections to a site share one
/// session cache, so a data connection may resume a session another of
/// its connections was given: that passes. A third host that takes a
/// passive port with a session of its own (it logged in too) does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reuse_required_admits_the_clients_sessions_and_no_one_elses() {
    let ip = common::next_addr();
    let cert = common::test_cert(&[&ip], 1, 30);
    let root = common::temp_root();
    std::fs::write(root.path().join("a.txt"), b"for the client only").unwrap();
    let mut tls = tls_config(&cert);
    tls.require_reuse = true;
    // Passive ports open to any host, so that only TLS stands in the way.
    let server = serve(&ip, root.path(), Some(tls), |c| c.allow_fxp = true).await;
    let a = server.addr();

    let shared = tls_options(&cert.der, true);
    let mut c1 = within(
        "login",
        Client::open(&ip, a.port(), &Login::default(), shared.clone()),
    )
    .await
    .unwrap();
    let mut c2 = within(
        "login",
        Client::open(&ip, a.port(), &Login::default(), shared.clone()),
    )
    .await
    .unwrap();
    for round in 0..3 {
        for c in [&mut c1, &mut c2] {
            let mut got = Vec::new();
            within("RETR", c.retrieve("a.txt", 0, &mut got))
                .await
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert_eq!(got, b"for the client only");
        }
    }

    // A third host logs in from 127.0.0.6 and keeps its tickets...
    let thief_tls = Tls::new(TlsSettings {
        mode: TlsMode::Required,
        ca_file: None,
        pinned: vec![Fingerprint::of(&cert.der)],
    })
    .unwrap();
    let name = rustls_pki_types::ServerName::try_from(ip.clone()).unwrap();
    let from = |ip: &str| {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
        socket
    };
    let mut thief = Raw {
        stream: from("127.0.0.6").connect(a).await.unwrap(),
        buf: Vec::new(),
    };
    assert_eq!(thief.reply().await.code, 220);
    assert_eq!(thief.cmd("AUTH TLS").await.code, 234);
    let secured = within(
        "handshake",
        thief_tls.connector().connect(name.clone(), thief.stream),
    )
    .await
    .unwrap();
    let mut thief = Raw {
        stream: secured,
        buf: Vec::new(),
    };
    thief.cmd("USER anonymous").await;
    assert_eq!(thief.cmd("PASS x").await.code, 230);

    // ...and takes the client's passive port with one of them.
    let target = pasv_addr(&command(&mut c1, "PASV").await);
    within("RETR", c1.send_command("RETR a.txt")).await.unwrap();
    let tcp = from("127.0.0.6").connect(target).await.unwrap();
    // TLS 1.3: the client's side is done before the server has judged.
    let mut stolen = within("handshake", thief_tls.connector().connect(name, tcp))
        .await
        .unwrap();
    assert_eq!(
        stolen.get_ref().1.handshake_kind(),
        Some(rustls::HandshakeKind::Resumed),
        "the thief's session was resumed: only whose it is differs"
    );
    let opened = within("150", c1.read_reply()).await.unwrap();
    assert_eq!(opened.code, 150, "{opened}");
    let refused = within("the refusal", c1.read_reply()).await.unwrap();
    assert_eq!(refused.code, 522, "{refused}");
    assert!(
        refused.text().contains("session reuse required"),
        "{refused}"
    );
    let mut got = Vec::new();
    let _ = within("the stolen data", stolen.read_to_end(&mut got)).await;
    assert!(got.is_empty(), "the thief got {got:?}");
    let mut got = Vec::new();
    within("RETR after", c1.retrieve("a.txt", 0, &mut got))
        .await
        .unwrap();
    assert_eq!(got, b"for the client only");
    let _ = c1.quit().await;
    let _ = c2.quit().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_required_refuses_plain_logins_and_clear_transfers() {
    let ip = common::next_addr();
    let cert = common::test_cert(&[&ip], 1, 30);
    let root = common::temp_root();
    std::fs::write(root.path().join("a.txt"), b"hello").unwrap();
    let mut tls = tls_config(&cert);
    tls.policy = TlsPolicy::Required;
    let server = serve(&ip, root.path(), Some(tls), |_| {}).await;

    // Plain: USER and PASS are refused, saying why.
    let mut plain = raw(server.addr()).await;
    let user = plain.cmd("USER anonymous").await;
    assert_eq!(user.code, 530, "{user}");
    assert!(user.text().contains("TLS is required"), "{user}");
    assert_eq!(plain.cmd("PASS x").await.code, 530);
    assert_eq!(plain.cmd("QUIT").await.code, 221);

    // Our client with TLS off hears which setting to change.
    let a = server.addr();
    let err = within(
        "plain login",
        Client::open(
            &a.ip().to_string(),
            a.port(),
            &Login::default(),
            Options::default(),
        ),
    )
    .await
    .err()
    .expect("a plain login is refused");
    assert!(
        matches!(err, FtpError::TlsSetting(_)) && err.to_string().contains("TLS is required"),
        "{err}"
    );

    // In TLS, PROT C is taken, but no data connection is opened under it:
    // 521 (RFC 4217), before any 150, and the session goes on.
    let mut client = open_at(server.addr(), &cert.der, true).await;
    assert_eq!(client.protection(), (true, true));
    assert_eq!(command(&mut client, "PROT C").await.code, 200);
    let mut sink = Vec::new();
    match within("RETR under PROT C", client.retrieve("a.txt", 0, &mut sink)).await {
        Err(FtpError::Reply { reply, .. }) => {
            assert_eq!(reply.code, 521, "{reply}");
            assert!(reply.text().contains("PROT P"), "{reply}");
        }
        other => panic!("RETR under PROT C: {other:?}"),
    }
    assert!(sink.is_empty());
    let mut input = &b"never"[..];
    match within(
        "STOR under PROT C",
        client.store("b.txt", StoreMode::Replace, 0, &mut input),
    )
    .await
    {
        Err(FtpError::Reply { reply, .. }) => assert_eq!(reply.code, 521, "{reply}"),
        other => panic!("STOR under PROT C: {other:?}"),
    }
    assert!(!root.path().join("b.txt").exists(), "nothing is created");
    assert_eq!(command(&mut client, "PROT P").await.code, 200);
    let mut got = Vec::new();
    within("RETR under PROT P", client.retrieve("a.txt", 0, &mut got))
        .await
        .unwrap();
    assert_eq!(got, b"hello");
    let _ = client.quit().await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_replies_of_auth_pbsz_prot_sscn_and_cpsv() {
    let ip = common::next_addr();
    let cert = common::test_cert(&[&ip], 1, 30);
    let root = common::temp_root();
    let server = serve(&ip, root.path(), Some(tls_config(&cert)), |_| {}).await;
    let plain_root = common::temp_root();
    let no_tls = serve(&ip, plain_root.path(), None, |_| {}).await;

    // Without a certificate none of it is offered.
    let mut c = raw(no_tls.addr()).await;
    let feat = c.cmd("FEAT").await.text();
    for word in ["AUTH", "PBSZ", "PROT", "SSCN", "CPSV"] {
        assert!(!feat.contains(word), "{feat}");
    }
    assert_eq!(c.cmd("AUTH TLS").await.code, 502);
    c.cmd("USER anonymous").await;
    assert_eq!(c.cmd("PASS x").await.code, 230);
    assert_eq!(c.cmd("SSCN ON").await.code, 502);
    assert_eq!(c.cmd("CPSV").await.code, 502);

    let mut c = raw(server.addr()).await;
    let feat = c.cmd("FEAT").await.text();
    for line in [" AUTH TLS", " PBSZ", " PROT", " SSCN", " CPSV"] {
        assert!(feat.lines().any(|l| l == line), "{line:?} in {feat}");
    }
    // RFC 4217's order: AUTH, then PBSZ, then PROT P.
    assert_eq!(c.cmd("PBSZ 0").await.code, 503);
    assert_eq!(c.cmd("PROT P").await.code, 503);
    assert_eq!(c.cmd("PROT C").await.code, 200);
    assert_eq!(c.cmd("PROT S").await.code, 536);
    assert_eq!(c.cmd("PROT X").await.code, 504);
    assert_eq!(c.cmd("AUTH KERBEROS_V4").await.code, 504);
    c.cmd("USER anonymous").await;
    assert_eq!(c.cmd("PASS x").await.code, 230);
    assert_eq!(c.cmd("AUTH TLS").await.code, 503, "not after login");

    let state = c.cmd("SSCN").await;
    assert_eq!(
        (state.code, state.text()),
        (200, "SSCN:SERVER METHOD".into())
    );
    let on = c.cmd("SSCN ON").await;
    assert_eq!((on.code, on.text()), (200, "SSCN:CLIENT METHOD".into()));
    assert_eq!(c.cmd("SSCN").await.text(), "SSCN:CLIENT METHOD");
    assert_eq!(c.cmd("SSCN off").await.text(), "SSCN:SERVER METHOD");
    assert_eq!(c.cmd("SSCN MAYBE").await.code, 501);
    let cpsv = c.cmd("CPSV").await;
    let listening = pasv_addr(&cpsv);
    assert_eq!(listening.ip().to_string(), ip, "{cpsv}");
    TcpStream::connect(listening)
        .await
        .expect("CPSV's port listens");

    // AUTH TLS with a command pipelined behind it in the clear: the
    // command is not run inside the TLS session.
    let mut c = raw(server.addr()).await;
    c.send("AUTH TLS\r\nUSER injected\r\n").await;
    assert_eq!(c.reply().await.code, 234);
    assert!(c.buf.is_empty());
    let tls = Tls::new(TlsSettings {
        mode: TlsMode::Required,
        ca_file: None,
        pinned: vec![Fingerprint::of(&cert.der)],
    })
    .unwrap();
    let name = rustls_pki_types::ServerName::try_from(ip.clone()).unwrap();
    let secured = within("handshake", tls.connector().connect(name, c.stream))
        .await
        .unwrap();
    let mut c = Raw {
        stream: secured,
        buf: Vec::new(),
    };
    let pass = c.cmd("PASS x").await;
    assert_eq!(pass.code, 503, "USER was not run: {pass}");
    assert_eq!(c.cmd("PBSZ 0").await.text(), "PBSZ=0");
    assert_eq!(c.cmd("PROT P").await.code, 200);
    assert_eq!(c.cmd("AUTH TLS").await.code, 503, "already in TLS");
    c.cmd("USER anonymous").await;
    assert_eq!(c.cmd("PASS x").await.code, 230);
    assert_eq!(c.cmd("QUIT").await.code, 221);
    server.stop().await;
    no_tls.stop().await;
}

/// One FXP transfer between two logged-in sessions: `passive` gets
/// `pasv_verb` (PASV or CPSV), `active` a PORT to its answer; `dest`
/// receives `STOR to`, the other sends `RETR from`. Returns the source's
/// and the destination's final replies.
async fn fxp(
    source: &mut Client,
    dest: &mut Client,
    dest_is_passive: bool,
    pasv_verb: &str,
    from: &str,
    to: &str,
) -> (Reply, Reply) {
    let (passive, active) = if dest_is_passive {
        (&mut *dest, &mut *source)
    } else {
        (&mut *source, &mut *dest)
    };
    let target = pasv_addr(&command(passive, pasv_verb).await);
    let port = command(active, &format!("PORT {}", addr::format_rfc959(v4(target)))).await;
    assert_eq!(port.code, 200, "{port}");
    within("STOR", dest.send_command(&format!("STOR {to}")))
        .await
        .unwrap();
    if !dest_is_passive {
        // The destination connects: its 150 first (profile, step 5).
        let opened = within("STOR's 150", dest.read_reply()).await.unwrap();
        assert_eq!(opened.code, 150, "{opened}");
    }
    let retr = command(source, &format!("RETR {from}")).await;
    if !retr.is_preliminary() {
        let other = within("the destination's reply", dest.read_reply())
            .await
            .unwrap();
        return (retr, other);
    }
    let (s, d) = within("both final replies", async {
        tokio::join!(source.read_reply(), dest.read_reply())
    })
    .await;
    let (s, mut d) = (s.unwrap(), d.unwrap());
    if d.code == 150 {
        d = within("STOR's final reply", dest.read_reply())
            .await
            .unwrap();
    }
    (s, d)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_exchange_files_in_tls_with_sscn_and_cpsv() {
    let (ip_a, ip_b) = (common::next_addr(), common::next_addr());
    let cert = common::test_cert(&[&ip_a, &ip_b], 1, 30);
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let body = common::pseudo_random(2 * 1024 * 1024 + 5, 11);
    std::fs::write(root_a.path().join("src.bin"), &body).unwrap();
    let fxp_on = |c: &mut Config| {
        c.allow_fxp = true;
        // The last case waits for a handshake that never comes.
        c.data_accept_timeout = Duration::from_secs(5);
    };
    let a = serve(&ip_a, root_a.path(), Some(tls_config(&cert)), fxp_on).await;
    let b = serve(&ip_b, root_b.path(), Some(tls_config(&cert)), fxp_on).await;
    let mut ca = open_at(a.addr(), &cert.der, true).await;
    let mut cb = open_at(b.addr(), &cert.der, true).await;

    // The destination listens, the source connects as the TLS client.
    assert_eq!(
        command(&mut ca, "SSCN ON").await.text(),
        "SSCN:CLIENT METHOD"
    );
    let (s, d) = fxp(&mut ca, &mut cb, true, "PASV", "src.bin", "one.bin").await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}");
    assert!(std::fs::read(root_b.path().join("one.bin")).unwrap() == body);

    // The source listens and is the TLS client of what it accepts.
    let (s, d) = fxp(&mut ca, &mut cb, false, "PASV", "src.bin", "two.bin").await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}");
    assert!(std::fs::read(root_b.path().join("two.bin")).unwrap() == body);

    // CPSV: the passive destination is the TLS client, for this
    // connection only; the source is the TLS server.
    assert_eq!(command(&mut ca, "SSCN OFF").await.code, 200);
    let (s, d) = fxp(&mut ca, &mut cb, true, "CPSV", "src.bin", "three.bin").await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}");
    assert!(std::fs::read(root_b.path().join("three.bin")).unwrap() == body);

    // Both the TLS server: neither can finish a handshake with the other.
    let (s, d) = fxp(&mut ca, &mut cb, true, "PASV", "src.bin", "four.bin").await;
    assert!(s.code != 226 || d.code != 226, "{s} / {d}");
    assert!(
        std::fs::read(root_b.path().join("four.bin")).unwrap_or_default() != body,
        "nothing arrives unprotected"
    );
    let _ = ca.quit().await;
    let _ = cb.quit().await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_requiring_reuse_must_be_the_tls_client() {
    let (ip_a, ip_b) = (common::next_addr(), common::next_addr());
    let cert = common::test_cert(&[&ip_a, &ip_b], 1, 30);
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let body = common::pseudo_random(512 * 1024 + 3, 12);
    std::fs::write(root_a.path().join("src.bin"), &body).unwrap();
    let fxp_on = |c: &mut Config| c.allow_fxp = true;
    let a = serve(&ip_a, root_a.path(), Some(tls_config(&cert)), fxp_on).await;
    let mut strict = tls_config(&cert);
    strict.require_reuse = true;
    let b = serve(&ip_b, root_b.path(), Some(strict), fxp_on).await;
    let mut ca = open_at(a.addr(), &cert.der, true).await;
    let mut cb = open_at(b.addr(), &cert.der, true).await;

    // The destination as the TLS server: the source's session is new.
    assert_eq!(command(&mut ca, "SSCN ON").await.code, 200);
    let (s, d) = fxp(&mut ca, &mut cb, true, "PASV", "src.bin", "refused.bin").await;
    assert_eq!(d.code, 522, "{d} (source: {s})");
    assert!(d.text().contains("session reuse required"), "{d}");
    assert!(std::fs::read(root_b.path().join("refused.bin")).unwrap_or_default() != body);

    // The destination as the TLS client (SSCN ON there), either side
    // passive; then by CPSV.
    assert_eq!(command(&mut ca, "SSCN OFF").await.code, 200);
    assert_eq!(command(&mut cb, "SSCN ON").await.code, 200);
    for (dest_passive, to) in [(true, "one.bin"), (false, "two.bin")] {
        let (s, d) = fxp(&mut ca, &mut cb, dest_passive, "PASV", "src.bin", to).await;
        assert_eq!((s.code, d.code), (226, 226), "{s} / {d}");
        assert!(
            std::fs::read(root_b.path().join(to)).unwrap() == body,
            "{to}"
        );
    }
    assert_eq!(command(&mut cb, "SSCN OFF").await.code, 200);
    let (s, d) = fxp(&mut ca, &mut cb, true, "CPSV", "src.bin", "three.bin").await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}");
    assert!(std::fs::read(root_b.path().join("three.bin")).unwrap() == body);

    // The sessions are still fine for the destination's own client,
    // whose data connections resume.
    let mut got = Vec::new();
    within("RETR from B", cb.retrieve("three.bin", 0, &mut got))
        .await
        .unwrap();
    assert!(got == body);
    let _ = ca.quit().await;
    let _ = cb.quit().await;
    a.stop().await;
    b.stop().await;
}

/// vsftpd has no SSCN or CPSV: on a data connection it is always the TLS
/// server, so `fxpc serve` is the client (SSCN ON), whichever connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fxpc_serve_and_vsftpd_exchange_files_in_tls_both_ways() {
    let (ip_v, ip_f) = (common::next_addr(), common::next_addr());
    let v_cert = common::test_cert(&[&ip_v], 1, 30);
    let f_cert = common::test_cert(&[&ip_f], 1, 30);
    let v_root = common::temp_root();
    let Some(vsftpd) = common::Vsftpd::start_with(
        &ip_v,
        v_root.path(),
        true,
        &common::vsftpd_tls(&v_cert, false, false, false),
    ) else {
        return;
    };
    let f_root = common::temp_root();
    let body = common::pseudo_random(1536 * 1024 + 9, 13);
    std::fs::write(f_root.path().join("from-fxpc.bin"), &body).unwrap();
    common::seed(vsftpd.files(), "from-vsftpd.bin", &body);
    let fxpc = serve(&ip_f, f_root.path(), Some(tls_config(&f_cert)), |c| {
        c.allow_fxp = true
    })
    .await;
    let mut cv = open_at(vsftpd.socket_addr(), &v_cert.der, true).await;
    let mut cf = open_at(fxpc.addr(), &f_cert.der, true).await;
    assert_eq!(
        (cv.protection(), cf.protection()),
        ((true, true), (true, true))
    );
    assert_eq!(
        command(&mut cf, "SSCN ON").await.text(),
        "SSCN:CLIENT METHOD"
    );

    // fxpc → vsftpd, vsftpd passive: fxpc connects, then is the client.
    let (s, d) = fxp(
        &mut cf,
        &mut cv,
        true,
        "PASV",
        "from-fxpc.bin",
        "/pub/to-vsftpd.bin",
    )
    .await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}\n{}", vsftpd.log());
    assert!(std::fs::read(vsftpd.files().join("to-vsftpd.bin")).unwrap() == body);

    // vsftpd → fxpc, fxpc passive: vsftpd connects, fxpc is the client.
    let (s, d) = fxp(
        &mut cv,
        &mut cf,
        true,
        "PASV",
        "/pub/from-vsftpd.bin",
        "to-fxpc.bin",
    )
    .await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}\n{}", vsftpd.log());
    assert!(std::fs::read(f_root.path().join("to-fxpc.bin")).unwrap() == body);

    // And the other way round for who connects, both directions.
    let (s, d) = fxp(
        &mut cf,
        &mut cv,
        false,
        "PASV",
        "from-fxpc.bin",
        "/pub/to-vsftpd-2.bin",
    )
    .await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}\n{}", vsftpd.log());
    assert!(std::fs::read(vsftpd.files().join("to-vsftpd-2.bin")).unwrap() == body);
    let (s, d) = fxp(
        &mut cv,
        &mut cf,
        false,
        "PASV",
        "/pub/from-vsftpd.bin",
        "to-fxpc-2.bin",
    )
    .await;
    assert_eq!((s.code, d.code), (226, 226), "{s} / {d}\n{}", vsftpd.log());
    assert!(std::fs::read(f_root.path().join("to-fxpc-2.bin")).unwrap() == body);
    let _ = cv.quit().await;
    let _ = cf.quit().await;
    fxpc.stop().await;
}

/// vsftpd with `require_ssl_reuse=YES` (its default) refuses the data
/// connection of a server that never had a control connection to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vsftpd_requiring_reuse_refuses_our_sscn_session() {
    let (ip_v, ip_f) = (common::next_addr(), common::next_addr());
    let v_cert = common::test_cert(&[&ip_v], 1, 30);
    let f_cert = common::test_cert(&[&ip_f], 1, 30);
    let v_root = common::temp_root();
    let Some(vsftpd) = common::Vsftpd::start_with(
        &ip_v,
        v_root.path(),
        true,
        &common::vsftpd_tls(&v_cert, false, true, false),
    ) else {
        return;
    };
    let f_root = common::temp_root();
    let body = common::pseudo_random(256 * 1024, 14);
    std::fs::write(f_root.path().join("src.bin"), &body).unwrap();
    common::seed(vsftpd.files(), "own.bin", &body);
    let fxpc = serve(&ip_f, f_root.path(), Some(tls_config(&f_cert)), |c| {
        c.allow_fxp = true
    })
    .await;
    let mut cv = open_at(vsftpd.socket_addr(), &v_cert.der, true).await;
    let mut cf = open_at(fxpc.addr(), &f_cert.der, true).await;
    assert_eq!(command(&mut cf, "SSCN ON").await.code, 200);
    let (s, d) = fxp(&mut cf, &mut cv, true, "PASV", "src.bin", "/pub/x.bin").await;
    eprintln!("vsftpd (require_ssl_reuse=YES) answered: {d}; fxpc serve: {s}");
    assert_eq!(d.code, 522, "{d}\n{}", vsftpd.log());
    assert!(d.text().contains("session reuse required"), "{d}");
    assert!(std::fs::read(vsftpd.files().join("x.bin")).unwrap_or_default() != body);
    // vsftpd ends that session after the refusal (3.0.3: the next command
    // finds the control connection closed). A new session's own data
    // connections resume, and work.
    let after = within("vsftpd after 522", cv.command("NOOP")).await;
    eprintln!("vsftpd, the next command after: {after:?}");
    let mut cv = open_at(vsftpd.socket_addr(), &v_cert.der, true).await;
    let mut got = Vec::new();
    within("vsftpd LIST", cv.list(Some(b"/pub")))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", vsftpd.log()));
    within("vsftpd RETR", cv.retrieve("/pub/own.bin", 0, &mut got))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", vsftpd.log()));
    assert!(got == body);
    let _ = cv.quit().await;
    let _ = cf.quit().await;
    fxpc.stop().await;
}

/// `fxpc serve` run as a process; killed when dropped.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fxpc_serve(state: &Path, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_fxpc"));
    command
        .arg("serve")
        .args(args)
        .env("XDG_STATE_HOME", state)
        .stdin(std::process::Stdio::null());
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_makes_a_certificate_and_prints_its_fingerprint() {
    use std::io::BufRead;
    let ip = common::next_addr();
    let (root, state) = (common::temp_root(), common::temp_root());
    std::fs::write(root.path().join("a.txt"), b"over the command line").unwrap();
    let listen = format!("{ip}:0");
    let root_arg = root.path().to_str().unwrap();
    let mut child = fxpc_serve(
        state.path(),
        &[
            "--root",
            root_arg,
            "--listen",
            &listen,
            "--anonymous",
            "read",
            "--tls-self-signed",
            "--tls",
            "required",
            "--require-tls-reuse",
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _served = Served(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    // "fxpc serve: DIR on ftp://ADDR/", then the TLS line.
    let banner = lines.next().unwrap().unwrap();
    let url = banner
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ftp://"))
        .unwrap_or_else(|| panic!("no URL in {banner:?}"));
    let addr: SocketAddr = url.trim_end_matches('/').parse().unwrap();
    let tls_line = lines.next().unwrap().unwrap();
    assert!(
        tls_line
            .starts_with("fxpc serve: TLS required, session reuse required; certificate SHA256:"),
        "{tls_line}"
    );
    let shown = tls_line.rsplit(' ').next().unwrap();
    let fingerprint = Fingerprint::parse(shown).unwrap();
    assert_eq!(fingerprint.to_string(), shown, "as Fingerprint shows it");

    let options = Options {
        tls: Some(
            Tls::new(TlsSettings {
                mode: TlsMode::Required,
                ca_file: None,
                pinned: vec![fingerprint],
            })
            .unwrap(),
        ),
        ..Options::default()
    };
    let mut client = within(
        "login",
        Client::open(&ip, addr.port(), &Login::default(), options),
    )
    .await
    .unwrap();
    assert_eq!(client.protection(), (true, true));
    let mut got = Vec::new();
    within("RETR", client.retrieve("a.txt", 0, &mut got))
        .await
        .unwrap();
    assert_eq!(got, b"over the command line");
    let _ = client.quit().await;

    // TLS settings without a certificate, or half a certificate.
    for args in [
        &["--tls", "required"][..],
        &["--require-tls-reuse"][..],
        &["--tls-cert", "/nonexistent/cert.pem"][..],
    ] {
        let out = fxpc_serve(
            state.path(),
            &[&["--root", root_arg, "--listen", &listen][..], args].concat(),
        )
        .output()
        .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("--tls"), "{args:?}: {err}");
    }
}

fn tool_available(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        common::skip::<()>(format!("{tool} not found"));
    }
    found
}

async fn run_tool(tool: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = tool_output(tool, args, stdin).await;
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

async fn tool_output(tool: &str, args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::process::Stdio;
    let mut child = tokio::process::Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    tokio::spawn(async move {
        let _ = input.write_all(&data).await;
    });
    within(tool, child.wait_with_output()).await.unwrap()
}

/// Python's ftplib, in TLS with the certificate verified against `cafile`:
/// downloads `a.txt`, uploads it three times over as `py.bin`, lists.
const FTPLIB_TLS: &str = r#"
import ftplib, io, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
f = ftplib.FTP_TLS(context=ssl.create_default_context(cafile=cafile))
f.connect(host, port, timeout=30)
f.login()
f.prot_p()
got = io.BytesIO()
f.retrbinary("RETR a.txt", got.write)
f.storbinary("STOR py.bin", io.BytesIO(got.getvalue() * 3))
names = f.nlst()
f.quit()
sys.stdout.write(" ".join(sorted(names)))
"#;

/// curl and Python's ftplib (OpenSSL underneath), verifying the
/// certificate by a CA file, with and without session reuse required
/// (curl resumes; ftplib does not, so it is tried without):
/// the server's TLS is what the world's clients expect, down to how data
/// connections end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_and_ftplib_in_tls() {
    let (curl, python) = (tool_available("curl"), tool_available("python3"));
    let ip = common::next_addr();
    let cert = common::test_cert(&[&ip], 1, 30);
    let cafile = cert.cert.to_str().unwrap();
    let body = common::pseudo_random(700 * 1024 + 1, 15);
    for reuse in [false, true] {
        let root = common::temp_root();
        std::fs::write(root.path().join("a.txt"), &body).unwrap();
        let mut tls = tls_config(&cert);
        tls.policy = TlsPolicy::Required;
        tls.require_reuse = reuse;
        let server = serve(&ip, root.path(), Some(tls), |_| {}).await;
        let base = format!("ftp://{}/", server.addr());
        if curl {
            let tls_args = ["--silent", "--show-error", "--ssl-reqd", "--cacert", cafile];
            let run = |extra: Vec<String>, stdin: Vec<u8>| async move {
                let args: Vec<&str> = tls_args
                    .iter()
                    .copied()
                    .chain(extra.iter().map(String::as_str))
                    .collect();
                run_tool("curl", &args, &stdin).await
            };
            let listing = run(vec![base.clone()], vec![]).await;
            assert!(String::from_utf8_lossy(&listing).contains("a.txt"));
            let down = run(vec![format!("{base}a.txt")], vec![]).await;
            assert!(down == body, "reuse {reuse}: curl's download differs");
            let up = format!("{base}curl.bin");
            run(vec!["-T".into(), "-".into(), up.clone()], body.clone()).await;
            run(
                vec!["-T".into(), "-".into(), "--append".into(), up],
                b"tail".to_vec(),
            )
            .await;
            assert!(
                std::fs::read(root.path().join("curl.bin")).unwrap()
                    == [&body[..], b"tail"].concat(),
                "reuse {reuse}: curl's upload differs"
            );
        }
        // Python's ftplib does not resume TLS 1.3 sessions on its data
        // connections (vsftpd with require_ssl_reuse refuses it as well).
        if python && !reuse {
            let port = server.addr().port().to_string();
            let out = run_tool("python3", &["-c", FTPLIB_TLS, &ip, &port, cafile], b"").await;
            assert!(String::from_utf8_lossy(&out).contains("py.bin"));
            assert!(
                std::fs::read(root.path().join("py.bin")).unwrap() == body.repeat(3),
                "reuse {reuse}: ftplib's upload differs"
            );
        }
        server.stop().await;
    }
}

/// lftp, an FXP client that protects server-to-server transfers itself
/// (`ftp:ssl-protect-fxp`: CPSV, or SSCN, on the passive side), copying
/// between two `fxpc serve` in TLS. The destination requires session
/// reuse: fine while it is the passive side (CPSV makes it the TLS
/// client); with the source passive it is the TLS server of a session it
/// never gave, and refuses (lftp may then swap the sides).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lftp_copies_between_two_servers_with_cpsv() {
    if !tool_available("lftp") {
        return;
    }
    let (ip_a, ip_b) = (common::next_addr(), common::next_addr());
    let cert = common::test_cert(&[&ip_a, &ip_b], 1, 30);
    let (root_a, root_b, home) = (
        common::temp_root(),
        common::temp_root(),
        common::temp_root(),
    );
    let body = common::pseudo_random(900 * 1024 + 7, 16);
    std::fs::write(root_a.path().join("src.bin"), &body).unwrap();
    let a = serve(&ip_a, root_a.path(), Some(tls_config(&cert)), |c| {
        c.allow_fxp = true
    })
    .await;
    let mut strict = tls_config(&cert);
    strict.require_reuse = true;
    let b = serve(&ip_b, root_b.path(), Some(strict), |c| c.allow_fxp = true).await;
    let copy = |to: &str, passive_source: bool| {
        format!(
            "set ssl:ca-file {ca}; set ftp:ssl-allow-anonymous yes; set ftp:ssl-force yes; \
             set ftp:ssl-protect-data yes; set ftp:ssl-protect-fxp yes; set ftp:fxp-force yes; \
             set ftp:fxp-passive-source {passive_source}; set net:max-retries 1; \
             set net:reconnect-interval-base 1; set cmd:fail-exit yes; \
             get ftp://{a}/src.bin -o ftp://{b}/{to}",
            ca = cert.cert.display(),
            a = a.addr(),
            b = b.addr(),
        )
    };
    let lftp = |script: String| {
        let home = home.path().to_path_buf();
        async move {
            let mut command = tokio::process::Command::new("lftp");
            command
                .args(["-d", "-c", &script])
                .env("HOME", home)
                .stdin(std::process::Stdio::null());
            within("lftp", command.output()).await.unwrap()
        }
    };

    let out = lftp(copy("one.bin", false)).await;
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("---> CPSV") && log.contains("---> PROT P"),
        "{log}"
    );
    assert!(std::fs::read(root_b.path().join("one.bin")).unwrap() == body);

    // Refused; whether lftp then swaps the passive side (and succeeds)
    // depends on whether the source saw its data connection fail too. Who
    // lftp hears first is a race: the destination's 522, or the source's
    // 426 for the data connection the destination cut (lftp then reverses
    // at once and never reads the 522).
    let out = lftp(copy("two.bin", true)).await;
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("<--- 522 SSL connection failed: session reuse required")
            || log.contains("<--- 426 Connection closed; transfer aborted"),
        "{log}"
    );
    let arrived = std::fs::read(root_b.path().join("two.bin")).unwrap_or_default() == body;
    if out.status.success() {
        assert!(log.contains("FXP: trying to reverse") && arrived, "{log}");
    } else {
        assert!(!arrived, "{log}");
    }
    a.stop().await;
    b.stop().await;
}
