//! `fxpc serve` driven over real sockets on loopback: by our client, by curl
//! and Python's ftplib (clients no one here wrote), and by raw sockets for
//! the RFC 438 LSTN/SOCK profile and its policy table.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use fxpc::ftp::{Client, FtpError, Login, Options, Secret, StoreMode};
use fxpc::server::{Anonymous, Config, Handle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

async fn serve(ip: &str, root: &Path, tweak: impl FnOnce(&mut Config)) -> Handle {
    let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
    config.anonymous = Some(Anonymous::Write);
    // Wrong passwords are tested for their answers; the delay has a test
    // of its own.
    config.failed_login_delay = Duration::from_millis(10);
    tweak(&mut config);
    Handle::spawn(config).await.unwrap()
}

async fn login(server: &Handle) -> Client {
    let a = server.addr();
    Client::open(
        &a.ip().to_string(),
        a.port(),
        &Login::default(),
        Options::default(),
    )
    .await
    .unwrap()
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 251) as u8).collect()
}

/// A TCP connection from a chosen loopback address, to play a third host.
async fn connect_from(from: &str, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().unwrap())?;
    socket.connect(to).await
}

/// "255 SOCK 127,0,0,3,x,y" → the address.
fn sock_reply_addr(reply: &fxpc::ftp::Reply) -> SocketAddr {
    assert_eq!(reply.code, 255, "{reply}");
    let text = reply.message();
    let arg = text
        .strip_prefix("SOCK ")
        .unwrap_or_else(|| panic!("{reply}"));
    fxpc::ftp::addr::parse_any(arg).unwrap().0
}

#[tokio::test]
async fn feat_advertises_lstn_and_sock_unless_disabled() {
    let root = tempfile::tempdir().unwrap();
    let on = serve("127.0.0.2", root.path(), |_| {}).await;
    let off = serve("127.0.0.2", root.path(), |c| c.lstn = false).await;
    let mut a = login(&on).await;
    let mut b = login(&off).await;
    assert!(a.features().rfc438() && a.features().mlst && a.features().epsv);
    assert!(!b.features().lstn && !b.features().sock);
    assert_eq!(b.command("LSTN R").await.unwrap().code, 502);
    assert_eq!(a.command("SYST").await.unwrap().code, 215);
    // HELP lists what FEAT offers, from the same table.
    let help = |r: fxpc::ftp::Reply| r.text();
    let with = help(a.command("HELP").await.unwrap());
    let without = help(b.command("HELP").await.unwrap());
    assert!(with.contains("LSTN") && with.contains("RETR"), "{with}");
    assert!(
        !without.contains("LSTN") && without.contains("RETR"),
        "{without}"
    );
    assert!(!with.contains("SSCN"), "no TLS, no SSCN: {with}");
}

/// The RSEXEC APPEND of RFC 438, exactly as the profile's table has it:
/// SITE2 listens pinned to SITE1's socket, SITE1 connects from it.
#[tokio::test]
async fn rsexec_append_and_copy_by_lstn_sock() {
    let root1 = tempfile::tempdir().unwrap();
    let root2 = tempfile::tempdir().unwrap();
    let prog1 = pattern(300_000);
    std::fs::write(root1.path().join("PROG1.PL1"), &prog1).unwrap();
    std::fs::write(root2.path().join("PROG2.PL1"), b"old contents\n").unwrap();
    // RFC 438 needs trust only on the sending side.
    let site1 = serve("127.0.0.2", root1.path(), |c| c.allow_fxp = true).await;
    let site2 = serve("127.0.0.3", root2.path(), |_| {}).await;
    let mut c1 = login(&site1).await;
    let mut c2 = login(&site2).await;

    for (verb, expected_prefix) in [
        ("APPE", b"old contents\n".as_slice()),
        ("STOR", b"".as_slice()),
    ] {
        let x_reply = c2.command("LSTN R").await.unwrap();
        let x = sock_reply_addr(&x_reply);
        assert_eq!(x.ip().to_string(), "127.0.0.3");
        let y_reply = c1
            .command(&format!(
                "SOCK {}",
                fxpc::ftp::addr::format_rfc959(match x {
                    SocketAddr::V4(v) => v,
                    _ => unreachable!(),
                })
            ))
            .await
            .unwrap();
        let y = sock_reply_addr(&y_reply);
        assert_eq!(
            y.ip().to_string(),
            "127.0.0.2",
            "SITE1 names the socket it will connect from"
        );
        let pinned = c2
            .command(&format!("SOCK {}", fxpc::ftp::addr::format_rfc2428(y)))
            .await
            .unwrap();
        assert_eq!(
            pinned.message(),
            format!("SOCK {}", fxpc::ftp::addr::format_rfc2428(x)),
            "the reply answers in the form that was asked"
        );
        c2.send_command(&format!("{verb} PROG2.PL1")).await.unwrap();
        let r1 = c1.command("RETR PROG1.PL1").await.unwrap();
        assert_eq!(r1.code, 150, "{r1}");
        let (f1, f2) = tokio::join!(c1.read_reply(), c2.read_reply());
        let (f1, f2) = (f1.unwrap(), f2.unwrap());
        // SITE2's 150 comes once SITE1 connected; then its 226.
        let f2 = if f2.code == 150 {
            c2.read_reply().await.unwrap()
        } else {
            f2
        };
        assert_eq!((f1.code, f2.code), (226, 226), "{f1} / {f2}");
        let got = std::fs::read(root2.path().join("PROG2.PL1")).unwrap();
        assert_eq!(got, [expected_prefix, prog1.as_slice()].concat());
    }
}

fn v4(addr: SocketAddr) -> std::net::SocketAddrV4 {
    match addr {
        SocketAddr::V4(v) => v,
        SocketAddr::V6(_) => panic!("expected IPv4: {addr}"),
    }
}

/// Profile: "Any other connection to the listening socket is closed unused
/// and logged", and the socket keeps waiting for the pinned peer.
#[tokio::test]
async fn lstn_refuses_a_peer_that_is_not_pinned() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.3", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    let x = sock_reply_addr(&c.command("LSTN R").await.unwrap());
    // The peer we will really use: a socket bound on 127.0.0.2 in advance.
    let real_peer = TcpSocket::new_v4().unwrap();
    real_peer.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let y = real_peer.local_addr().unwrap();
    let pin = c
        .command(&format!("SOCK {}", fxpc::ftp::addr::format_rfc959(v4(y))))
        .await
        .unwrap();
    assert_eq!(sock_reply_addr(&pin), x);
    c.send_command("STOR pinned.bin").await.unwrap();

    // A stranger on another host, and one on the right host but wrong port.
    for from in ["127.0.0.5", "127.0.0.2"] {
        let mut stranger = connect_from(from, x).await.unwrap();
        let _ = stranger.write_all(b"stolen bytes").await;
        let mut buf = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(5), stranger.read(&mut buf))
            .await
            .expect("the server closes a stranger's connection")
            .unwrap_or(0);
        assert_eq!(n, 0, "closed unused");
    }
    assert!(
        !c.has_buffered_reply(),
        "no reply yet: still waiting for the pinned peer"
    );

    let mut data = real_peer.connect(x).await.unwrap();
    assert_eq!(c.read_reply().await.unwrap().code, 150);
    data.write_all(b"the real data").await.unwrap();
    data.shutdown().await.unwrap();
    drop(data);
    assert_eq!(c.read_reply().await.unwrap().code, 226);
    assert_eq!(
        std::fs::read(root.path().join("pinned.bin")).unwrap(),
        b"the real data"
    );
}

#[tokio::test]
async fn lstn_pin_with_port_zero_accepts_any_port_of_that_host() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"content").unwrap();
    let site = serve("127.0.0.3", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    let x = sock_reply_addr(&c.command("LSTN S").await.unwrap());
    assert_eq!(c.command("SOCK |1|127.0.0.6|0|").await.unwrap().code, 255);
    c.send_command("RETR f").await.unwrap();
    let mut data = connect_from("127.0.0.6", x).await.unwrap();
    let mut got = Vec::new();
    data.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"content");
    assert_eq!(c.read_reply().await.unwrap().code, 150);
    assert_eq!(c.read_reply().await.unwrap().code, 226);
}

#[tokio::test]
async fn lstn_without_pin_admits_only_the_client_unless_fxp_allowed() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"abc").unwrap();
    let strict = serve("127.0.0.3", root.path(), |c| {
        c.data_accept_timeout = Duration::from_secs(2)
    })
    .await;
    let mut c = login(&strict).await;
    let x = sock_reply_addr(&c.command("LSTN S").await.unwrap());
    c.send_command("RETR f").await.unwrap();
    let mut stranger = connect_from("127.0.0.7", x).await.unwrap();
    let mut buf = Vec::new();
    let _ = stranger.read_to_end(&mut buf).await;
    assert!(buf.is_empty(), "a stranger gets nothing");
    let reply = c.read_reply().await.unwrap();
    assert_eq!(reply.code, 425, "{reply}");

    let open = serve("127.0.0.3", root.path(), |c| c.allow_fxp = true).await;
    let mut c = login(&open).await;
    let x = sock_reply_addr(&c.command("LSTN S").await.unwrap());
    c.send_command("RETR f").await.unwrap();
    let mut peer = connect_from("127.0.0.7", x).await.unwrap();
    let mut got = Vec::new();
    peer.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"abc");
}

#[tokio::test]
async fn lstn_direction_is_binding_and_syntax_is_checked() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"abc").unwrap();
    let site = serve("127.0.0.3", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    assert_eq!(c.command("LSTN X").await.unwrap().code, 501);
    assert_eq!(c.command("LSTN").await.unwrap().code, 501);
    assert_eq!(c.command("LSTN S").await.unwrap().code, 255);
    assert_eq!(c.command("STOR g").await.unwrap().code, 503);
    assert!(
        !root.path().join("g").exists(),
        "nothing created on a refused transfer"
    );
    // The socket was released: the next transfer needs a new negotiation.
    assert_eq!(c.command("RETR f").await.unwrap().code, 425);
    assert_eq!(c.command("SOCK 1,2,3").await.unwrap().code, 501);
    assert_eq!(c.command("SOCK |9|x|1|").await.unwrap().code, 501);
}

#[tokio::test]
async fn sock_connect_there_names_its_socket_and_follows_the_policy() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"to the client").unwrap();
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    let client_ip = c.local_addr().ip().to_string();
    // To the client's own address: allowed, and the reply names the socket
    // the server will connect from.
    let listener = tokio::net::TcpListener::bind(format!("{client_ip}:0"))
        .await
        .unwrap();
    let target = listener.local_addr().unwrap();
    let y = sock_reply_addr(
        &c.command(&format!(
            "SOCK {}",
            fxpc::ftp::addr::format_rfc959(v4(target))
        ))
        .await
        .unwrap(),
    );
    assert_eq!(y.ip().to_string(), "127.0.0.2");
    c.send_command("RETR f").await.unwrap();
    let (mut data, from) = listener.accept().await.unwrap();
    assert_eq!(from, y, "the server connected from the socket it named");
    let mut got = Vec::new();
    data.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"to the client");
    assert_eq!(c.read_reply().await.unwrap().code, 150);
    assert_eq!(c.read_reply().await.unwrap().code, 226);

    // Elsewhere: the bounce risk of RFC 2577, refused without --allow-fxp.
    let r = c.command("SOCK |1|127.0.0.9|5000|").await.unwrap();
    assert_eq!(r.code, 504, "{r}");
    assert!(r.message().contains("127.0.0.9"));
    // Privileged ports are refused always.
    let r = c
        .command(&format!("SOCK |1|{client_ip}|21|"))
        .await
        .unwrap();
    assert_eq!(r.code, 504, "{r}");
}

#[tokio::test]
async fn port_and_eprt_follow_the_policy_table() {
    let root = tempfile::tempdir().unwrap();
    let strict = serve("127.0.0.2", root.path(), |_| {}).await;
    let open = serve("127.0.0.2", root.path(), |c| c.allow_fxp = true).await;
    let mut s = login(&strict).await;
    let mut o = login(&open).await;
    assert_eq!(s.command("PORT 127,0,0,9,19,136").await.unwrap().code, 504);
    assert_eq!(
        s.command("EPRT |1|127.0.0.9|5000|").await.unwrap().code,
        504
    );
    assert_eq!(s.command("PORT 127,0,0,1,19,136").await.unwrap().code, 200);
    assert_eq!(o.command("PORT 127,0,0,9,19,136").await.unwrap().code, 200);
    assert_eq!(
        o.command("EPRT |1|127.0.0.9|5000|").await.unwrap().code,
        200
    );
    assert_eq!(o.command("PORT 127,0,0,9,0,21").await.unwrap().code, 504);
    assert_eq!(
        o.command("EPRT |1|127.0.0.9|1023|").await.unwrap().code,
        504
    );
    assert_eq!(o.command("PORT 1,2,3").await.unwrap().code, 501);
}

/// A foreign host on our passive port is answered with 425 at once, as
/// pyftpdlib and vsftpd do, so the steering client can swap roles quickly.
#[tokio::test]
async fn pasv_refuses_a_foreign_peer_unless_fxp_allowed() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"abc").unwrap();
    for (allow, expected) in [(false, 425), (true, 226)] {
        let site = serve("127.0.0.2", root.path(), |c| c.allow_fxp = allow).await;
        let mut c = login(&site).await;
        let target = c.pasv_target().await.unwrap();
        c.send_command("RETR f").await.unwrap();
        let mut peer = connect_from("127.0.0.8", target).await.unwrap();
        let mut got = Vec::new();
        let _ = peer.read_to_end(&mut got).await;
        let mut reply = c.read_reply().await.unwrap();
        if reply.code == 150 {
            reply = c.read_reply().await.unwrap();
        }
        assert_eq!(reply.code, expected, "{reply}");
        if expected == 425 {
            assert!(reply.message().contains("foreign address"), "{reply}");
            assert!(got.is_empty());
        } else {
            assert_eq!(got, b"abc");
        }
    }
}

#[tokio::test]
async fn paths_never_leave_the_root() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(outer.path().join("secret"), b"top secret").unwrap();
    std::os::unix::fs::symlink(outer.path(), root.join("escape")).unwrap();
    let site = serve("127.0.0.2", &root, |_| {}).await;
    let mut c = login(&site).await;
    c.cwd("../../..").await.unwrap();
    assert_eq!(c.pwd().await.unwrap(), b"/");
    for path in ["../secret", "/../secret", "escape/secret", "/escape/secret"] {
        let mut sink = Vec::new();
        let err = c.retrieve(path, 0, &mut sink).await.unwrap_err();
        assert_eq!(err.reply().map(|r| r.code), Some(550), "{path}: {err}");
        assert!(sink.is_empty());
        assert!(c.size(path).await.is_err());
    }
    assert!(c.cwd("escape").await.is_err());
    let err = c
        .store("escape/planted", StoreMode::Replace, 0, &mut &b"x"[..])
        .await
        .unwrap_err();
    // The link resolves inside the root, where nothing is there to write
    // into: refused when the file is opened.
    assert!(
        matches!(err.reply().map(|r| r.code), Some(550 | 553)),
        "{err}"
    );
    assert!(!outer.path().join("planted").exists());
    // Deleting the symlink itself is allowed and leaves its target alone.
    c.dele("escape").await.unwrap();
    assert!(outer.path().join("secret").exists());
}

#[tokio::test]
async fn logins_users_and_anonymous_rights() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.users = vec![("alice".into(), Secret::new("wonder land"))];
        c.anonymous = Some(Anonymous::Read);
    })
    .await;
    let a = site.addr();
    let alice = Login {
        user: "alice".into(),
        password: Secret::new("wonder land"),
        account: None,
    };
    let mut c = Client::open(&a.ip().to_string(), a.port(), &alice, Options::default())
        .await
        .unwrap();
    c.store("mine.txt", StoreMode::Replace, 0, &mut &b"hi"[..])
        .await
        .unwrap();

    let mut anon = Client::open(
        &a.ip().to_string(),
        a.port(),
        &Login::default(),
        Options::default(),
    )
    .await
    .unwrap();
    let err = anon
        .store("x.txt", StoreMode::Replace, 0, &mut &b"hi"[..])
        .await
        .unwrap_err();
    assert_eq!(err.reply().map(|r| r.code), Some(550));
    assert!(anon.mkd("d").await.is_err() && anon.dele("mine.txt").await.is_err());

    let wrong = Login {
        password: Secret::new("nope"),
        ..alice.clone()
    };
    let err = Client::open(&a.ip().to_string(), a.port(), &wrong, Options::default())
        .await
        .err()
        .unwrap();
    match &err {
        FtpError::Reply { command, reply } => {
            assert_eq!(reply.code, 530);
            assert_eq!(command, "PASS ****", "the password never appears in errors");
        }
        other => panic!("{other}"),
    }
    let mut raw = Client::connect(&a.ip().to_string(), a.port(), Options::default())
        .await
        .unwrap();
    assert_eq!(
        raw.command("LIST").await.unwrap().code,
        530,
        "nothing before login"
    );
    for _ in 0..2 {
        raw.command("USER alice").await.unwrap();
        assert_eq!(raw.command("PASS bad").await.unwrap().code, 530);
    }
    raw.command("USER alice").await.unwrap();
    assert_eq!(
        raw.command("PASS bad").await.unwrap().code,
        421,
        "third failure closes"
    );
}

#[tokio::test]
async fn abor_and_stat_during_a_transfer() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("big"), pattern(2_000_000)).unwrap();
    let site = serve("127.0.0.2", root.path(), |c| c.rate = Some(200_000)).await;
    let mut c = login(&site).await;
    let target = c.pasv_target().await.unwrap();
    let mut data = TcpStream::connect(target).await.unwrap();
    assert_eq!(c.command("RETR big").await.unwrap().code, 150);
    let mut buf = vec![0u8; 100_000];
    data.read_exact(&mut buf).await.unwrap();
    let stat = c.command("STAT").await.unwrap();
    assert_eq!(stat.code, 213, "{stat}");
    assert!(stat.message().contains("bytes transferred"));
    let start = Instant::now();
    assert_eq!(c.command("ABOR").await.unwrap().code, 426);
    assert_eq!(c.read_reply().await.unwrap().code, 226);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "ABOR does not wait for the transfer"
    );
    // The session is still usable, and the file untouched.
    c.noop().await.unwrap();
    assert_eq!(c.size("big").await.unwrap(), 2_000_000);
}

#[tokio::test]
async fn rate_limit_paces_transfers() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), pattern(300_000)).unwrap();
    let site = serve("127.0.0.2", root.path(), |c| c.rate = Some(200_000)).await;
    let mut c = login(&site).await;
    let start = Instant::now();
    let mut sink = Vec::new();
    c.retrieve("f", 0, &mut sink).await.unwrap();
    // Only a lower bound: upper bounds flake on busy machines.
    assert!(
        start.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(sink, pattern(300_000));
}

#[tokio::test]
async fn idle_sessions_are_closed_with_421() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.idle_timeout = Duration::from_millis(300)
    })
    .await;
    let mut c = login(&site).await;
    let reply = c.read_reply_within(Duration::from_secs(5)).await.unwrap();
    assert_eq!(reply.code, 421, "{reply}");
}

#[tokio::test]
async fn shutdown_tells_sessions_and_closes() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    site.stop().await;
    let reply = c.read_reply_within(Duration::from_secs(5)).await.unwrap();
    assert_eq!(reply.code, 421);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_sessions_at_once() {
    let root = tempfile::tempdir().unwrap();
    for i in 0..5 {
        std::fs::write(root.path().join(format!("f{i}")), pattern(10_000 + i)).unwrap();
    }
    // All from one address: above the default per-address limit.
    let site = serve("127.0.0.2", root.path(), |c| c.max_per_ip = 64).await;
    let addr = site.addr();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..40usize {
        tasks.spawn(async move {
            let mut c = Client::open(
                &addr.ip().to_string(),
                addr.port(),
                &Login::default(),
                Options::default(),
            )
            .await
            .unwrap();
            let listing = c.list(None).await.unwrap();
            assert_eq!(listing.len(), 5);
            let mut sink = Vec::new();
            c.retrieve(format!("f{}", n % 5), 0, &mut sink)
                .await
                .unwrap();
            assert_eq!(sink, pattern(10_000 + n % 5));
            c.quit().await.unwrap();
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
}

#[tokio::test]
async fn our_client_round_trip_with_hostile_names() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    c.mkd("dir with space").await.unwrap();
    c.cwd("dir with space").await.unwrap();
    assert_eq!(c.pwd().await.unwrap(), b"/dir with space");
    let body = pattern(200_000);
    for name in [
        "日本語 ü.txt",
        "#hash",
        "it's \"x\".txt",
        "-rf.txt",
        " lead",
        "emoji 🎉",
    ] {
        c.store(name, StoreMode::Replace, 0, &mut body.as_slice())
            .await
            .unwrap();
        assert_eq!(
            std::fs::read(root.path().join("dir with space").join(name)).unwrap(),
            body,
            "{name}"
        );
        let listing = c.list(None).await.unwrap();
        assert!(
            listing.iter().any(|e| e.name == name),
            "{name} in {listing:?}"
        );
        let mut back = Vec::new();
        c.retrieve(name, 0, &mut back).await.unwrap();
        assert_eq!(back, body);
        assert_eq!(c.size(name).await.unwrap(), body.len() as u64);
        c.store(name, StoreMode::Append, 0, &mut &b"tail"[..])
            .await
            .unwrap();
        assert_eq!(c.size(name).await.unwrap(), body.len() as u64 + 4);
        c.rename(name, format!("{name}.renamed")).await.unwrap();
        c.dele(format!("{name}.renamed")).await.unwrap();
    }
    // Resume a download and an upload from an offset.
    c.store("r.bin", StoreMode::Replace, 0, &mut &body[..1000])
        .await
        .unwrap();
    c.store("r.bin", StoreMode::Replace, 1000, &mut &body[1000..])
        .await
        .unwrap();
    let mut tail = Vec::new();
    c.retrieve("r.bin", 150_000, &mut tail).await.unwrap();
    assert_eq!(tail, &body[150_000..]);
    c.mdtm("r.bin").await.unwrap();
    let reply = c.command("STOU").await.unwrap();
    assert_eq!(reply.code, 425, "STOU without a data connection: {reply}");
    c.cdup().await.unwrap();
    let err = c.rmd("dir with space").await.unwrap_err();
    assert_eq!(err.reply().map(|r| r.code), Some(550), "not empty");
    assert_eq!(c.stat(Some(b"dir with space")).await.unwrap().code, 213);
}

/// draft-bryan-ftpext-hash: `FEAT` lists `HASH` with the current algorithm
/// starred, `HASH` answers `213 <algo> <start>-<end> <hex> <path>`, `OPTS
/// HASH` switches the algorithm; the older `XSHA256`/`XSHA1`/`XMD5`/`XCRC`
/// answer `250 <hex>`. Digests of "abc", known by heart.
#[tokio::test]
async fn hash_and_the_x_commands_give_known_digests() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("abc.txt"), b"abc").unwrap();
    let server = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = login(&server).await;
    assert!(
        c.features()
            .lines
            .iter()
            .any(|l| l == "HASH SHA-256*;SHA-1;MD5;CRC32"),
        "{:?}",
        c.features().lines
    );
    let sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let r = c.command("HASH /abc.txt").await.unwrap();
    assert_eq!(r.code, 213, "{r}");
    assert_eq!(r.message(), format!("SHA-256 0-3 {sha256} /abc.txt"));
    let r = c.command("OPTS HASH MD5").await.unwrap();
    assert_eq!((r.code, r.message()), (200, "MD5".to_string()));
    let r = c.command("HASH /abc.txt").await.unwrap();
    assert!(
        r.message().contains("900150983cd24fb0d6963f7d28e17f72"),
        "{r}"
    );
    for (verb, hex) in [
        ("XSHA256", sha256),
        ("XSHA1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("XMD5", "900150983cd24fb0d6963f7d28e17f72"),
        ("XCRC", "352441c2"),
    ] {
        let r = c.command(&format!("{verb} /abc.txt")).await.unwrap();
        assert_eq!((r.code, r.message()), (250, hex.to_string()), "{verb}");
    }
    let r = c.command("HASH /missing").await.unwrap();
    assert_eq!(r.code, 550, "{r}");
    let r = c.command("OPTS HASH BLAKE3").await.unwrap();
    assert_eq!(r.code, 501, "{r}");
}

/// The jail is the kernel's (openat2, RESOLVE_IN_ROOT): links pointing out
/// of the root, dangling or not, and links swapped in between a command
/// and the moment its file is opened, all resolve inside the root.
#[tokio::test]
async fn symlinks_swapped_in_cannot_lead_out_of_the_root() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    let elsewhere = outer.path().join("elsewhere");
    std::fs::create_dir_all(root.join("upl")).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("report.txt"), b"outside, untouched").unwrap();
    std::fs::write(outer.path().join("secret"), b"top secret").unwrap();
    // A dangling link to a file outside, and a relative one that dangles
    // only once renamed up a level.
    std::os::unix::fs::symlink(elsewhere.join("new.txt"), root.join("dangling_out")).unwrap();
    std::os::unix::fs::symlink("../../elsewhere/rel.txt", root.join("sub/rel")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("escape_link")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    let site = serve("127.0.0.2", &root, |_| {}).await;
    let mut a = login(&site).await;
    let mut b = login(&site).await;

    // STOR through a dangling link out.
    let _ = a
        .store("dangling_out", StoreMode::Replace, 0, &mut &b"planted"[..])
        .await;
    assert!(!elsewhere.join("new.txt").exists(), "written outside");
    // The relative link renamed up a level, then written through.
    b.rename("/sub/rel", "/rel").await.unwrap();
    let _ = a
        .store("/rel", StoreMode::Replace, 0, &mut &b"planted"[..])
        .await;
    assert!(!elsewhere.join("rel.txt").exists(), "written outside");

    // The race: A's STOR is accepted while /upl is a plain directory; B
    // swaps a link to the outside in for it before A's data arrives.
    let reply = a.command("PASV").await.unwrap();
    let data_addr = fxpc::ftp::addr::parse_pasv_reply(&reply.text()).unwrap();
    a.send_with("STOR", "/upl/report.txt").await.unwrap();
    b.rename("/upl", "/upl.old").await.unwrap();
    b.rename("/escape_link", "/upl").await.unwrap();
    let mut data = TcpStream::connect(data_addr).await.unwrap();
    let _ = data.write_all(b"overwritten from inside the jail").await;
    drop(data);
    let mut last = a.read_reply().await.unwrap();
    while last.is_preliminary() {
        last = a.read_reply().await.unwrap();
    }
    assert_eq!(
        std::fs::read(elsewhere.join("report.txt")).unwrap(),
        b"outside, untouched",
        "the swapped-in link let the upload out ({last})"
    );

    // An in-root link to `..` swapped in: reading out of the root fails.
    b.rename("/upl", "/escape_link").await.unwrap();
    b.rename("/sub/up", "/upl").await.unwrap();
    for path in ["/upl/secret", "/upl/../secret", "/sub/up/secret"] {
        assert!(a.size(path).await.is_err(), "{path}");
        let mut sink = Vec::new();
        assert!(a.retrieve(path, 0, &mut sink).await.is_err(), "{path}");
        assert!(sink.is_empty());
    }
}

/// A client that sends commands and never reads its replies loses its
/// session once a reply cannot be written within the write timeout, even
/// before it logs in; one that never logs in is told so after the login
/// timeout.
#[tokio::test]
async fn clients_that_stop_reading_or_never_log_in_are_cut_off() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.write_timeout = Duration::from_millis(500);
        c.login_timeout = Duration::from_secs(1);
    })
    .await;
    // 30,000 FEAT, never read: the replies fill the socket buffers.
    let mut flooder = TcpStream::connect(site.addr()).await.unwrap();
    let flood = b"FEAT\r\n".repeat(30_000);
    let _ = tokio::time::timeout(Duration::from_secs(10), flooder.write_all(&flood)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    // Now read: what was sent, then the end of the connection.
    let mut sink = vec![0u8; 1 << 20];
    let closed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match flooder.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the non-reading client kept its session");

    // Connected, never logged in.
    let started = Instant::now();
    let mut idle = TcpStream::connect(site.addr()).await.unwrap();
    let mut all = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), idle.read_to_end(&mut all)).await;
    let text = String::from_utf8_lossy(&all);
    assert!(text.contains("421 Login timeout"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// `max_per_ip` sessions from one address, then `421`; a wrong password
/// costs a delay that doubles with each failure from the address, and the
/// third failure closes the session.
#[tokio::test]
async fn sessions_per_address_and_password_guessing_are_limited() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.max_per_ip = 2;
        c.failed_login_delay = Duration::from_millis(200);
        c.users = vec![("alice".into(), Secret::new("right"))];
    })
    .await;
    let (a, b) = (login(&site).await, login(&site).await);
    let mut third = TcpStream::connect(site.addr()).await.unwrap();
    let mut greeting = vec![0u8; 256];
    let n = third.read(&mut greeting).await.unwrap();
    assert!(
        String::from_utf8_lossy(&greeting[..n])
            .starts_with("421 Too many connections from your address"),
        "{}",
        String::from_utf8_lossy(&greeting[..n])
    );
    drop((a, b));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let addr = site.addr();
    let mut guesser = Client::connect(&addr.ip().to_string(), addr.port(), Options::default())
        .await
        .unwrap();
    let started = Instant::now();
    let mut last = None;
    for guess in ["a", "b", "c"] {
        let wrong = Login {
            user: "alice".into(),
            password: Secret::new(guess),
            account: None,
        };
        last = Some(guesser.login(&wrong).await.unwrap_err());
    }
    // 200 + 400 + 800 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(last.unwrap().reply().map(|r| r.code), Some(421));
}

/// Smaller holes, each shut: control bytes in names (a file that could be
/// stored but never listed), the tail of an over-long line run as a
/// command, `STOU` creating its file with no data connection to fill it,
/// `REST` far beyond a file's end (a sparse file of any size), and two
/// sessions storing one file at once (a mix of both).
#[tokio::test]
async fn names_lines_stou_rest_and_concurrent_uploads() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut a = login(&site).await;
    let mut b = login(&site).await;

    let r = a.command("MKD hid\rden").await;
    assert!(r.is_err() || r.unwrap().code == 501);
    let mut raw = TcpStream::connect(site.addr()).await.unwrap();
    let mut greeting = vec![0u8; 256];
    let _ = raw.read(&mut greeting).await.unwrap();
    raw.write_all(b"USER anonymous\r\nPASS x\r\nMKD hid\rden\r\n")
        .await
        .unwrap();
    // The over-long line arrives in two writes, its tail looking like a
    // command of its own.
    raw.write_all(&b"X".repeat(9000)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    raw.write_all(b"MKD smuggled\r\n").await.unwrap();
    raw.write_all(b"MKD fine\r\nQUIT\r\n").await.unwrap();
    let mut answers = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut answers)).await;
    let answers = String::from_utf8_lossy(&answers);
    assert!(answers.contains("501 Control characters"), "{answers}");
    assert!(answers.contains("500 Command line too long"), "{answers}");
    assert!(!root.path().join("hid\rden").exists());
    assert!(!root.path().join("smuggled").exists(), "{answers}");
    assert!(root.path().join("fine").is_dir(), "{answers}");

    let r = a.command("STOU").await.unwrap();
    assert_eq!(r.code, 425, "{r}");
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        1,
        "only 'fine'"
    );

    std::fs::write(root.path().join("small.bin"), b"12345").unwrap();
    let err = a
        .store(
            "small.bin",
            StoreMode::Replace,
            1_000_000_000_000,
            &mut &b"x"[..],
        )
        .await
        .unwrap_err();
    assert_eq!(err.reply().map(|r| r.code), Some(554), "{err}");
    assert_eq!(
        std::fs::metadata(root.path().join("small.bin"))
            .unwrap()
            .len(),
        5
    );

    // A's upload holds the file; B's is turned away, and A's content is
    // what stays.
    let reply = a.command("PASV").await.unwrap();
    let data_addr = fxpc::ftp::addr::parse_pasv_reply(&reply.text()).unwrap();
    a.send_with("STOR", "shared.bin").await.unwrap();
    let mut data = TcpStream::connect(data_addr).await.unwrap();
    assert!(a.read_reply().await.unwrap().is_preliminary());
    data.write_all(b"from A").await.unwrap();
    let err = b
        .store(
            "shared.bin",
            StoreMode::Replace,
            0,
            &mut &b"from B, longer"[..],
        )
        .await
        .unwrap_err();
    assert_eq!(err.reply().map(|r| r.code), Some(450), "{err}");
    drop(data);
    assert!(a.read_reply().await.unwrap().is_completion());
    assert_eq!(
        std::fs::read(root.path().join("shared.bin")).unwrap(),
        b"from A"
    );
}

/// Listings are written as they are read, in chunks: a large directory's
/// `LIST`, `NLST` and `STAT` still carry every entry once, in one
/// well-formed reply.
#[tokio::test]
async fn large_listings_arrive_whole_in_chunks() {
    let root = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        std::fs::write(root.path().join(format!("{i:04} starts with a digit")), b"").unwrap();
    }
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = login(&site).await;
    let mut names: Vec<String> = c
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name.to_string())
        .collect();
    names.sort();
    let expected: Vec<String> = (0..2000)
        .map(|i| format!("{i:04} starts with a digit"))
        .collect();
    assert_eq!(names, expected);
    let reply = c.stat(Some(b"/")).await.unwrap();
    assert_eq!(reply.code, 213);
    // Header, 2000 entries, trailer: lines starting with a digit were
    // escaped, so none ended the reply early.
    assert_eq!(reply.lines().len(), 2002, "{}", reply.lines().len());
}
