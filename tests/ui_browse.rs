//! A pane's browsing connection, against a real `fxpc serve`: when the
//! server goes away and comes back, the next request reconnects and says so.

use std::sync::Arc;
use std::time::Duration;

use fxpc::ftp::{Client, Login, Options};
use fxpc::server::{Anonymous, Config, Handle};
use fxpc::transfer::FtpSite;
use fxpc::ui::browse::{self, Request};
use fxpc::ui::state::Side;
use fxpc::ui::update::Action;

fn config(root: &std::path::Path, addr: std::net::SocketAddr) -> Config {
    let mut c = Config::new(root, addr);
    c.anonymous = Some(Anonymous::Write);
    c
}

type Pane = tokio::sync::mpsc::UnboundedSender<Request>;
type Answers = tokio::sync::mpsc::UnboundedReceiver<Action>;

/// An anonymous browsing connection to `host:port`, as a pane has one.
async fn browsing(host: String, port: u16, side: Side) -> (Arc<FtpSite>, Pane, Answers) {
    let site = Arc::new(FtpSite {
        host,
        port,
        login: Login::default(),
        options: Options::default(),
        max_connections: 2,
        allow_foreign_passive: false,
        allow_clear_data: false,
    });
    let client = Client::open(&site.host, site.port, &site.login, site.options.clone())
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let pane = browse::spawn_ftp(side, site.clone(), client, tx);
    (site, pane, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_browsing_connection_reconnects_and_says_so() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("here.txt"), b"x").unwrap();
    let server = Handle::spawn(config(root.path(), "127.0.0.4:0".parse().unwrap()))
        .await
        .unwrap();
    let addr = server.addr();
    let (_site, pane, mut rx) = browsing(addr.ip().to_string(), addr.port(), Side::Right).await;

    // The server restarts: the pane's connection is gone.
    server.stop().await;
    let _server = Handle::spawn(config(root.path(), addr)).await.unwrap();

    pane.send(Request::List(b"/".to_vec())).unwrap();
    let mut notice = None;
    let listed = loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Action::Notice(text) => notice = Some(text),
            Action::Listed { result, side, .. } => {
                assert_eq!(side, Side::Right);
                break result.unwrap();
            }
            _ => {}
        }
    };
    assert!(listed.iter().any(|e| e.name == "here.txt"), "{listed:?}");
    let notice = notice.expect("the pane says it reconnected");
    assert!(notice.contains("reconnected"), "{notice}");

    // An error that is not the connection's (550) is reported as such,
    // without reconnecting.
    pane.send(Request::List(b"/missing".to_vec())).unwrap();
    match tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap()
    {
        Action::Listed { result: Err(e), .. } => assert!(e.contains("550"), "{e}"),
        _ => panic!("expected a failed listing"),
    }
}

mod common;

/// What a pane's request comes back as (the first answer that is not a
/// notice).
async fn ask(pane: &Pane, rx: &mut Answers, request: Request) -> Result<String, String> {
    pane.send(request).unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Action::OpDone { result, .. } => return result,
            Action::Notice(_) => {}
            _ => panic!("unexpected answer"),
        }
    }
}

/// Issue 9 items 2 and 12 at the site: F7 `a/b/c` makes every missing
/// part or names the one that failed, and a rename that was not confirmed
/// never replaces a file that appeared since the listing — on `fxpc serve`
/// and on vsftpd.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mkdir_makes_the_path_and_renames_never_replace_unasked() {
    let fxpc_root = tempfile::tempdir().unwrap();
    // Not 127.0.0.4: the other test frees its port there and binds it
    // again, and a port picked here in between would take it.
    let ip = common::next_addr();
    let server = Handle::spawn(config(fxpc_root.path(), format!("{ip}:0").parse().unwrap()))
        .await
        .unwrap();
    let vsftpd_root = common::temp_root();
    let vsftpd = common::Vsftpd::start(&common::next_addr(), vsftpd_root.path(), false);
    let mut servers = vec![(
        server.addr().ip().to_string(),
        server.addr().port(),
        String::new(),
        fxpc_root.path().to_path_buf(),
    )];
    if let Some(v) = &vsftpd {
        servers.push((
            v.addr().to_string(),
            v.port(),
            v.home().to_string(),
            v.files().to_path_buf(),
        ));
    }
    for (host, port, home, disk) in servers {
        let (site, pane, mut rx) = browsing(host, port, Side::Left).await;
        let at = |p: &str| format!("{home}/{p}").into_bytes();

        let made = ask(&pane, &mut rx, Request::Mkdir(at("a/b/c"))).await;
        assert!(made.is_ok(), "{site}: {made:?}");
        assert!(disk.join("a/b/c").is_dir(), "{site}");
        std::fs::write(disk.join("a/file"), b"x").unwrap();
        let refused = ask(&pane, &mut rx, Request::Mkdir(at("a/file/sub"))).await;
        let error = refused.expect_err("a file is in the way");
        assert!(
            error.contains("a/file"),
            "{site}: the part is named: {error}"
        );

        std::fs::write(disk.join("old.txt"), b"old").unwrap();
        std::fs::write(disk.join("keep.txt"), b"appeared since the listing").unwrap();
        let renamed = ask(
            &pane,
            &mut rx,
            Request::Rename(at("old.txt"), at("keep.txt"), false),
        )
        .await;
        assert!(renamed.is_err(), "{site}: {renamed:?}");
        assert_eq!(
            std::fs::read(disk.join("keep.txt")).unwrap(),
            b"appeared since the listing"
        );
        let replaced = ask(
            &pane,
            &mut rx,
            Request::Rename(at("old.txt"), at("keep.txt"), true),
        )
        .await;
        assert!(replaced.is_ok(), "{site}: {replaced:?}");
        assert_eq!(std::fs::read(disk.join("keep.txt")).unwrap(), b"old");
    }

    // The local disk, the same way.
    let local = tempfile::tempdir().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let path = |p: &str| format!("{}/{p}", local.path().display()).into_bytes();
    browse::local(Side::Right, Request::Mkdir(path("x/y/z")), tx.clone());
    let Some(Action::OpDone { result, .. }) = rx.recv().await else {
        panic!()
    };
    assert!(
        result.is_ok() && local.path().join("x/y/z").is_dir(),
        "{result:?}"
    );
    std::fs::write(local.path().join("x/f"), b"").unwrap();
    browse::local(Side::Right, Request::Mkdir(path("x/f/sub")), tx.clone());
    let Some(Action::OpDone { result, .. }) = rx.recv().await else {
        panic!()
    };
    assert!(result.unwrap_err().contains("x/f"));
}
