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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_browsing_connection_reconnects_and_says_so() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("here.txt"), b"x").unwrap();
    let server = Handle::spawn(config(root.path(), "127.0.0.4:0".parse().unwrap()))
        .await
        .unwrap();
    let addr = server.addr();
    let site = Arc::new(FtpSite {
        host: addr.ip().to_string(),
        port: addr.port(),
        login: Login::default(),
        options: Options::default(),
        max_connections: 2,
        allow_foreign_passive: false,
    });
    let client = Client::open(&site.host, site.port, &site.login, site.options.clone())
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pane = browse::spawn_ftp(Side::Right, site.clone(), client, tx);

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
