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

#[tokio::test]
async fn proftpd_takes_mfmt() {
    let Some(server) = unpacked::proftpd(&next_addr(), Setup::STOCK, None) else {
        return;
    };
    let login = user(unpacked::USER, unpacked::PASSWORD);
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

#[tokio::test]
async fn pure_ftpd_takes_mfmt() {
    let Some(server) = unpacked::pure_ftpd(&next_addr(), Setup::STOCK, None) else {
        return;
    };
    let login = user(unpacked::USER, unpacked::PASSWORD);
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
