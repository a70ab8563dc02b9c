//! Who may be the other end of `fxpc serve`'s data connections, attacked
//! over loopback: a thief on another 127.0.0.x address racing for a
//! passive port (RFC 2577's port stealing), and the rule of each of
//! `PORT`, `EPRT`, `PASV`, `EPSV`, `LSTN` and `SOCK` as `--help` states it.

mod attack;

use std::net::SocketAddr;
use std::time::Duration;

use attack::{Raw, connect_from, pattern, read_all, serve};
use fxpc::server::Cidr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLIENT: &str = "127.0.0.3";
const THIEF: &str = "127.0.0.9";
const PEER: &str = "127.0.0.5";

fn trust(list: &[&str]) -> impl FnOnce(&mut fxpc::server::Config) {
    let peers: Vec<Cidr> = list.iter().map(|p| p.parse().unwrap()).collect();
    move |c| c.trusted_peers = peers.into()
}

/// What a thief gets from a passive port it reached first: nothing of a
/// `RETR`, and none of its bytes in a `STOR`; the transfer fails with
/// `425` rather than reporting success. With `--allow-fxp` naming the
/// peer server, that peer is let in, and the port then closes.
#[tokio::test]
async fn a_thief_cannot_take_a_passive_transfer() {
    let root = tempfile::tempdir().unwrap();
    let secret = pattern(36_000, 7);
    std::fs::write(root.path().join("secret.bin"), &secret).unwrap();
    let site = serve("127.0.0.2", root.path(), trust(&[PEER])).await;
    let mut client = Raw::login(CLIENT, site.addr()).await;

    for epsv in [false, true] {
        let data_addr = if epsv {
            client.epsv().await
        } else {
            client.pasv().await
        };
        let thief = connect_from(THIEF, data_addr).await.unwrap();
        client.send("RETR secret.bin").await;
        let stolen = read_all(thief).await;
        let (code, text) = client.reply().await;
        assert!(stolen.is_empty(), "the thief got {} bytes", stolen.len());
        assert_eq!(code, 425, "{text}");
        assert!(
            connect_from(CLIENT, data_addr).await.is_err(),
            "the port stays open after its one connection"
        );
    }

    let data_addr = client.pasv().await;
    let mut thief = connect_from(THIEF, data_addr).await.unwrap();
    client.send("STOR planted.bin").await;
    let _ = thief.write_all(&[b'X'; 1152]).await;
    drop(thief);
    let (code, text) = client.reply().await;
    assert_eq!(code, 425, "{text}");
    assert!(!root.path().join("planted.bin").exists());

    // The peer server --allow-fxp names is let in: FXP works.
    let data_addr = client.pasv().await;
    let peer = connect_from(PEER, data_addr).await.unwrap();
    client.send("RETR secret.bin").await;
    let got = read_all(peer).await;
    assert_eq!(client.reply().await.0, 150);
    assert_eq!(client.reply().await.0, 226);
    assert!(got == secret);
    assert!(connect_from(PEER, data_addr).await.is_err(), "closed after");
}

/// Passive ports are drawn at random from `--pasv-range`, not in turn.
#[tokio::test]
async fn passive_ports_are_random_within_the_range() {
    let root = tempfile::tempdir().unwrap();
    let site = serve("127.0.0.2", root.path(), |c| {
        c.pasv_range = Some((41000, 41999))
    })
    .await;
    let mut client = Raw::login(CLIENT, site.addr()).await;
    let mut ports = Vec::new();
    for _ in 0..12 {
        ports.push(client.pasv().await.port());
    }
    assert!(ports.iter().all(|p| (41000..=41999).contains(p)));
    let steps: Vec<i32> = ports
        .windows(2)
        .map(|w| i32::from(w[1]) - i32::from(w[0]))
        .collect();
    let mut distinct = ports.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() >= 10, "{ports:?}");
    assert!(
        steps.iter().filter(|s| s.abs() <= 2).count() <= 2,
        "ports in turn: {ports:?}"
    );
}

/// "255 SOCK h,h,h,h,p,p" → the address.
fn sock_addr(text: &str) -> SocketAddr {
    let arg = text
        .trim()
        .strip_prefix("255 SOCK ")
        .unwrap_or_else(|| panic!("{text}"));
    fxpc::ftp::addr::parse_any(arg).unwrap().0
}

fn rfc959(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(v4) => fxpc::ftp::addr::format_rfc959(v4),
        SocketAddr::V6(_) => unreachable!("loopback IPv4 only"),
    }
}

/// A listener on `ip` standing for a third host's data port.
async fn third_host(ip: &str) -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind(format!("{ip}:0"))
        .await
        .unwrap()
}

/// The rule of each command, as `--help` states it, without `--allow-fxp`
/// and with it naming one peer.
#[tokio::test]
async fn each_command_follows_its_stated_peer_rule() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"data").unwrap();
    let strict = serve("127.0.0.2", root.path(), |_| {}).await;
    let trusting = serve("127.0.0.2", root.path(), trust(&["127.0.0.8/30"])).await;
    // 127.0.0.9: a stranger to `strict`, trusted by `trusting`; 127.0.0.5:
    // trusted by neither.
    let third = third_host(THIEF).await;
    let other = third_host(PEER).await;
    let other_addr = other.local_addr().unwrap();
    let mut c = Raw::login(CLIENT, strict.addr()).await;
    let mut t = Raw::login(CLIENT, trusting.addr()).await;
    let own = third_host(CLIENT).await.local_addr().unwrap();

    // PORT, EPRT: the client's own address, or a trusted one.
    let foreign = third.local_addr().unwrap();
    c.expect(&format!("PORT {}", rfc959(own)), 200).await;
    c.expect(&format!("PORT {}", rfc959(foreign)), 504).await;
    c.expect(&format!("EPRT |1|{}|{}|", own.ip(), own.port()), 200)
        .await;
    c.expect(
        &format!("EPRT |1|{}|{}|", foreign.ip(), foreign.port()),
        504,
    )
    .await;
    t.expect(&format!("PORT {}", rfc959(foreign)), 200).await;
    t.expect(
        &format!("EPRT |1|{}|{}|", other_addr.ip(), other_addr.port()),
        504,
    )
    .await;
    t.expect("PORT 127,0,0,9,3,255", 504).await; // port 1023: never

    // PASV, EPSV: the client, or a trusted host; anyone else gets 425.
    for epsv in [false, true] {
        let addr = if epsv { c.epsv().await } else { c.pasv().await };
        let stranger = connect_from(THIEF, addr).await.unwrap();
        c.send("RETR f").await;
        assert!(read_all(stranger).await.is_empty());
        assert_eq!(c.reply().await.0, 425, "EPSV: {epsv}");
        let addr = if epsv { t.epsv().await } else { t.pasv().await };
        let trusted_peer = connect_from(THIEF, addr).await.unwrap();
        t.send("RETR f").await;
        assert_eq!(read_all(trusted_peer).await, b"data");
        assert_eq!(t.reply().await.0, 150);
        assert_eq!(t.reply().await.0, 226, "EPSV: {epsv}");
    }

    // LSTN alone: the client only; a stranger is closed unused.
    let listening = sock_addr(&c.expect("LSTN S", 255).await);
    c.send("RETR f").await;
    let mut stranger = connect_from(THIEF, listening).await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), stranger.read_to_end(&mut sink)).await;
    assert!(sink.is_empty());
    let mine = connect_from(CLIENT, listening).await.unwrap();
    assert_eq!(read_all(mine).await, b"data");
    assert_eq!(c.reply().await.0, 150);
    assert_eq!(c.reply().await.0, 226);

    // LSTN + SOCK: exactly the named peer, even a foreign one, even
    // without --allow-fxp; the client itself is turned away.
    let listening = sock_addr(&c.expect("LSTN S", 255).await);
    c.expect(
        &format!("SOCK {}", rfc959(format!("{THIEF}:0").parse().unwrap())),
        255,
    )
    .await;
    c.send("RETR f").await;
    let mut not_named = connect_from(CLIENT, listening).await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), not_named.read_to_end(&mut sink)).await;
    assert!(sink.is_empty());
    let named = connect_from(THIEF, listening).await.unwrap();
    assert_eq!(read_all(named).await, b"data");
    assert_eq!(c.reply().await.0, 150);
    assert_eq!(c.reply().await.0, 226);

    // SOCK without LSTN: PORT's rule.
    c.expect(&format!("SOCK {}", rfc959(foreign)), 504).await;
    c.expect(&format!("SOCK {}", rfc959(own)), 255).await;
    t.expect(&format!("SOCK {}", rfc959(foreign)), 255).await;
}

/// `fxpc serve --help` states the rule of each data-connection command.
#[test]
fn help_states_the_peer_rule_of_each_command() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fxpc"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for verb in ["PORT", "EPRT", "PASV", "EPSV", "LSTN", "SOCK"] {
        // A rule line: "  PORT, EPRT   connect to …".
        let ruled = help.lines().any(|l| {
            let head = l.trim_start().split("   ").next().unwrap_or("");
            head.split(", ").any(|v| v == verb)
        });
        assert!(ruled, "no rule for {verb} in:\n{help}");
    }
    assert!(help.contains("--allow-fxp [<ADDR|CIDR[,…]>]"), "{help}");
}
