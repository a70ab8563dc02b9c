//! The FTP client against servers nobody on this project wrote (vsftpd,
//! pyftpdlib, libunftp), and against a deliberately hostile fake server.
//!
//! What arrived is always checked on disk, under the server's directory, not
//! only through the client that sent it.

mod common;

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use fxpc::ftp::reply::ParseError;
use fxpc::ftp::{Client, Entry, EntryKind, FtpError, Login, Options, StoreMode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinHandle;

use common::{Pyftpd, Unftp, Vsftpd, next_addr, pseudo_random, seed, temp_root};

fn options() -> Options {
    Options {
        connect_timeout: Duration::from_secs(10),
        reply_timeout: Duration::from_secs(20),
        data_idle_timeout: Duration::from_secs(20),
        passive: true,
        tls: None,
        ..Options::default()
    }
}

async fn open(addr: &str, port: u16) -> Client {
    Client::open(addr, port, &Login::default(), options())
        .await
        .unwrap_or_else(|e| panic!("cannot log in to {addr}:{port}: {e}"))
}

/// Files the tests create with names that break naive clients and parsers.
const AWKWARD_NAMES: [&str; 5] = [
    "name with spaces.txt",
    "日本語 ü.txt",
    "hash#tag.txt",
    "it's \"x\".txt",
    "-rf.txt",
];

fn find<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
    entries.iter().find(|e| e.name == name).unwrap_or_else(|| {
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        panic!("{name:?} not in listing {names:?}")
    })
}

fn names(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

async fn upload(client: &mut Client, path: &str, data: &[u8], mode: StoreMode) -> u64 {
    let mut input = data;
    client
        .store(path, mode, 0, &mut input)
        .await
        .unwrap_or_else(|e| panic!("{mode:?} {path}: {e}"))
}

async fn download(client: &mut Client, path: &str, offset: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let n = client
        .retrieve(path, offset, &mut out)
        .await
        .unwrap_or_else(|e| panic!("RETR {path} from {offset}: {e}"));
    assert_eq!(n, out.len() as u64, "retrieve's count for {path}");
    out
}

fn on_disk(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{} on disk: {e}", path.display()))
}

/// The same session against every server: `home` is the writable FTP
/// directory, `files` that directory on disk.
async fn exercise(mut client: Client, home: &str, files: &Path) {
    client.cwd(home).await.expect("CWD home");
    assert_eq!(client.pwd().await.unwrap(), home.as_bytes(), "PWD");
    client.noop().await.expect("NOOP");

    // Listing what the test put there behind the server's back.
    let seeded = pseudo_random(1000, 1);
    seed(files, "seeded.bin", &seeded);
    seed(files, "seeded dir/inside.txt", b"inside");
    let entries = client.list(None).await.expect("list home");
    let file = find(&entries, "seeded.bin");
    assert_eq!(file.kind, EntryKind::File, "{file:?}");
    assert_eq!(file.size, Some(1000), "{file:?}");
    assert_eq!(file.raw_name(), b"seeded.bin");
    let dir = find(&entries, "seeded dir");
    assert_eq!(dir.kind, EntryKind::Dir, "{dir:?}");
    assert!(
        !names(&entries).contains(&".") && !names(&entries).contains(&".."),
        "no dot entries: {:?}",
        names(&entries)
    );
    // A directory with a space in its name, by path.
    let inner = client
        .list(Some(b"seeded dir"))
        .await
        .expect("list a directory with a space in its name");
    assert_eq!(names(&inner), ["inside.txt"]);
    assert_eq!(find(&inner, "inside.txt").size, Some(6));
    assert_eq!(
        client.pwd().await.unwrap(),
        home.as_bytes(),
        "listing by path leaves the working directory alone"
    );
    assert_eq!(download(&mut client, "seeded.bin", 0).await, seeded);

    // mkdir and change into it.
    client.mkd("work").await.expect("MKD work");
    assert!(
        files.join("work").is_dir(),
        "MKD made the directory on disk"
    );
    client.cwd("work").await.expect("CWD work");
    let expected_pwd = format!("{}/work", home.trim_end_matches('/'));
    assert_eq!(client.pwd().await.unwrap(), expected_pwd.as_bytes());
    let work = files.join("work");

    // Upload, download (whole and from an offset), size, mdtm.
    let big = pseudo_random(1024 * 1024 + 4321, 2);
    let sent = upload(&mut client, "big.bin", &big, StoreMode::Replace).await;
    assert_eq!(sent, big.len() as u64);
    assert!(
        on_disk(&work.join("big.bin")) == big,
        "uploaded bytes on disk"
    );
    assert_eq!(client.size("big.bin").await.unwrap(), big.len() as u64);
    assert!(
        download(&mut client, "big.bin", 0).await == big,
        "downloaded bytes"
    );
    let tail = download(&mut client, "big.bin", 1_000_000).await;
    assert!(tail == big[1_000_000..], "REST 1000000 then RETR");
    let mdtm = client.mdtm("big.bin").await.expect("MDTM");
    let mtime = std::fs::metadata(work.join("big.bin"))
        .unwrap()
        .modified()
        .unwrap();
    let mtime = chrono::DateTime::<chrono::Utc>::from(mtime).naive_utc();
    let skew = (mdtm - mtime).num_milliseconds().abs();
    assert!(skew < 1500, "MDTM {mdtm} vs file mtime {mtime} (UTC)");
    let age = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - mdtm.and_utc().timestamp();
    assert!((-5..120).contains(&age), "MDTM {mdtm} is not about now");

    // Append: the server file is a + b.
    let a = pseudo_random(100_000, 3);
    let b = pseudo_random(54_321, 4);
    upload(&mut client, "grow.bin", &a, StoreMode::Replace).await;
    upload(&mut client, "grow.bin", &b, StoreMode::Append).await;
    let both: Vec<u8> = [a.as_slice(), b.as_slice()].concat();
    assert!(
        on_disk(&work.join("grow.bin")) == both,
        "APPE added to the end"
    );
    assert_eq!(client.size("grow.bin").await.unwrap(), both.len() as u64);

    // Rename and delete.
    client
        .rename("big.bin", "renamed.bin")
        .await
        .expect("RNFR/RNTO");
    assert!(!work.join("big.bin").exists() && work.join("renamed.bin").is_file());
    assert!(on_disk(&work.join("renamed.bin")) == big);
    client.dele("renamed.bin").await.expect("DELE");
    assert!(!work.join("renamed.bin").exists(), "DELE removed the file");

    // A server error is typed and says which command failed.
    let err = client
        .size("missing")
        .await
        .expect_err("SIZE of a missing file");
    match &err {
        FtpError::Reply { command, reply } => {
            assert_eq!(reply.code, 550, "{err}");
            assert_eq!(command, "SIZE missing");
        }
        other => panic!("expected FtpError::Reply, got {other:?}"),
    }
    assert!(err.to_string().starts_with("SIZE missing: 550"), "{err}");
    assert!(!err.is_transient());
    // The session survives the error.
    client.noop().await.expect("NOOP after an error");

    // Names that break naive clients: upload, list, download, delete each.
    for (i, name) in AWKWARD_NAMES.iter().enumerate() {
        let data = pseudo_random(3000 + i, 10 + i as u64);
        upload(&mut client, name, &data, StoreMode::Replace).await;
        assert!(on_disk(&work.join(name)) == data, "{name:?} on disk");
        let entries = client.list(None).await.expect("list work");
        let entry = find(&entries, name);
        assert_eq!(entry.raw_name(), name.as_bytes());
        assert_eq!(entry.kind, EntryKind::File, "{entry:?}");
        assert_eq!(entry.size, Some(data.len() as u64), "{entry:?}");
        assert!(
            download(&mut client, name, 0).await == data,
            "{name:?} downloaded"
        );
        // Send back exactly what the listing said.
        client
            .dele(entry.raw_name())
            .await
            .unwrap_or_else(|e| panic!("DELE {name:?}: {e}"));
        assert!(!work.join(name).exists(), "{name:?} deleted");
    }

    // A directory with a space, made and listed through FTP.
    client
        .mkd("dir with space")
        .await
        .expect("MKD with a space");
    upload(
        &mut client,
        "dir with space/in it.txt",
        b"hello",
        StoreMode::Replace,
    )
    .await;
    assert_eq!(on_disk(&work.join("dir with space/in it.txt")), b"hello");
    let listed = client
        .list(Some(b"dir with space"))
        .await
        .expect("list dir with space");
    assert_eq!(names(&listed), ["in it.txt"]);
    assert_eq!(find(&listed, "in it.txt").size, Some(5));
    client.dele("dir with space/in it.txt").await.unwrap();
    client
        .rmd("dir with space")
        .await
        .expect("RMD with a space");
    assert!(!work.join("dir with space").exists());

    // Leave and remove the working directory.
    client.dele("grow.bin").await.unwrap();
    client.cdup().await.expect("CDUP");
    assert_eq!(client.pwd().await.unwrap(), home.as_bytes());
    client.rmd("work").await.expect("RMD work");
    assert!(!work.exists(), "RMD removed the directory on disk");
    let entries = client.list(None).await.unwrap();
    assert!(!names(&entries).contains(&"work"), "{:?}", names(&entries));

    client.quit().await.expect("QUIT");
}

#[tokio::test]
async fn vsftpd() {
    let root = temp_root();
    let Some(server) = Vsftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let client = open(server.addr(), server.port()).await;
    assert!(
        client.greeting().message().contains("vsFTPd"),
        "{}",
        client.greeting()
    );
    let f = client.features().clone();
    assert!(
        f.epsv && f.eprt && f.size && f.mdtm && f.utf8 && f.rest_stream,
        "{f:?}"
    );
    assert!(!f.mlst, "vsftpd has no MLST, so listings use LIST: {f:?}");
    assert!(!f.rfc438());
    // vsftpd hides dot files from a plain LIST: `LIST -a` shows them.
    common::seed(server.files(), ".keep", b"");
    let mut client = client;
    client.cwd(server.home()).await.unwrap();
    let names: Vec<String> = client
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name.to_string())
        .collect();
    assert!(names.contains(&".keep".to_string()), "{names:?}");
    std::fs::remove_file(server.files().join(".keep")).unwrap();
    exercise(client, server.home(), server.files()).await;
    let log = server.log();
    assert!(
        log.contains("\"LIST -a\""),
        "vsftpd was listed with LIST -a:\n{log}"
    );
}

/// Listing directories by path goes in and comes back with `CWD`; where
/// the session is is asked once (`PWD`), not for every listing.
#[tokio::test]
async fn listings_by_path_ask_where_the_session_is_once() {
    let root = temp_root();
    let Some(server) = Vsftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    for dir in ["a", "b", "c"] {
        common::seed(server.files(), &format!("{dir}/x"), b"x");
    }
    let mut client = open(server.addr(), server.port()).await;
    for dir in ["a", "b", "c", "a"] {
        let path = format!("{}/{dir}", server.home());
        let names: Vec<String> = client
            .list(Some(path.as_bytes()))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.name.to_string())
            .collect();
        assert_eq!(names, ["x"], "{dir}");
    }
    assert_eq!(client.pwd().await.unwrap(), b"/");
    // The last way back is answered with the session's next command.
    client.noop().await.unwrap();
    let log = server.log();
    assert_eq!(log.matches("\"PWD\"").count(), 1, "{log}");
    assert_eq!(log.matches("\"CWD /\"").count(), 4, "{log}");
}

/// The way into a listed directory goes with the data connection's first
/// command, so its refusal is read before `LIST` would go out: the error
/// names the `CWD` and the server's answer, nothing is listed in its
/// place, and the session goes on where it was.
#[tokio::test]
async fn a_directory_that_cannot_be_entered_is_not_listed_and_the_session_goes_on() {
    let root = temp_root();
    let Some(server) = Vsftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    common::seed(server.files(), "a/x", b"x");
    let mut client = open(server.addr(), server.port()).await;
    let missing = format!("{}/missing", server.home());
    let refused = client.list(Some(missing.as_bytes())).await;
    match refused {
        Err(FtpError::Reply { command, reply }) => {
            assert_eq!(command, format!("CWD {missing}"));
            assert_eq!(reply.code, 550, "{reply}");
        }
        other => panic!("listing a missing directory: {other:?}"),
    }
    let found = format!("{}/a", server.home());
    let names: Vec<String> = client
        .list(Some(found.as_bytes()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name.to_string())
        .collect();
    assert_eq!(names, ["x"]);
    let size = client.size(format!("{}/a/x", server.home())).await.unwrap();
    assert_eq!(size, 1);
    let log = server.log();
    assert_eq!(
        log.matches("\"LIST -a\"").count(),
        1,
        "no LIST for the missing directory:\n{log}"
    );
}

#[tokio::test]
async fn pyftpdlib() {
    let root = temp_root();
    let Some(server) = Pyftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let client = open(server.addr(), server.port()).await;
    let f = client.features().clone();
    assert!(
        f.mlst && f.epsv && f.eprt && f.size && f.mdtm && f.utf8 && f.rest_stream,
        "{f:?}"
    );
    for fact in ["type", "size", "modify", "perm", "unique"] {
        assert!(
            f.mlst_facts.iter().any(|x| x == fact),
            "MLST fact {fact}: {f:?}"
        );
    }
    assert!(f.lines.iter().any(|l| l == "MFMT"), "{f:?}");
    exercise(client, server.home(), server.files()).await;
    let log = server.log();
    assert!(
        log.contains("MLSD"),
        "pyftpdlib was listed with MLSD:\n{log}"
    );
}

#[tokio::test]
async fn libunftp() {
    let root = temp_root();
    let server = Unftp::start(&next_addr(), root.path());
    let client = open(&server.addr(), server.port()).await;
    let f = client.features().clone();
    assert!(
        f.mlst && f.epsv && f.size && f.mdtm && f.utf8 && f.rest_stream,
        "{f:?}"
    );
    assert!(!f.eprt, "libunftp does not implement EPRT: {f:?}");
    exercise(client, server.home(), server.files()).await;
}

/// Two sessions to one server at once, each on its own data connections.
#[tokio::test]
async fn pyftpdlib_two_sessions_at_once() {
    let root = temp_root();
    let Some(server) = Pyftpd::start(&next_addr(), root.path(), false) else {
        return;
    };
    let a = pseudo_random(700_000, 20);
    let b = pseudo_random(900_000, 21);
    let mut one = open(server.addr(), server.port()).await;
    let mut two = open(server.addr(), server.port()).await;
    let (r1, r2) = tokio::join!(
        upload(&mut one, "one.bin", &a, StoreMode::Replace),
        upload(&mut two, "two.bin", &b, StoreMode::Replace),
    );
    assert_eq!((r1, r2), (a.len() as u64, b.len() as u64));
    assert!(on_disk(&root.path().join("one.bin")) == a);
    assert!(on_disk(&root.path().join("two.bin")) == b);
    let (d1, d2) = tokio::join!(
        download(&mut one, "two.bin", 0),
        download(&mut two, "one.bin", 0)
    );
    assert!(d1 == b && d2 == a);
    one.quit().await.unwrap();
    two.quit().await.unwrap();
}

// ------------------------------------------------------------------------
// A hostile fake server: scripted bytes on a real socket.

/// The server side of one scripted control connection.
struct Peer {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Peer {
    async fn send(&mut self, bytes: &[u8]) {
        self.writer
            .write_all(bytes)
            .await
            .expect("fake server write");
    }

    /// Writes `bytes` a few at a time, each piece in its own TCP segment.
    async fn send_in_pieces(&mut self, bytes: &[u8], piece: usize) {
        for chunk in bytes.chunks(piece) {
            self.send(chunk).await;
            self.writer.flush().await.unwrap();
            // Give the client a chance to read each piece on its own.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Reads one command line and checks it is `expected` (verb and
    /// argument, compared exactly).
    async fn expect(&mut self, expected: &str) {
        let line = self.line().await;
        assert_eq!(line, expected, "fake server expected {expected:?}");
    }

    /// Reads until the client hangs up, keeping our side open meanwhile.
    async fn wait_for_hangup(&mut self) {
        let mut rest = Vec::new();
        let _ = self.reader.read_to_end(&mut rest).await;
    }

    async fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .await
            .expect("fake server read");
        line.trim_end_matches(['\r', '\n']).to_string()
    }

    /// What `Client::open` does after the greeting, with a FEAT that
    /// advertises nothing (so the client uses PASV). `PWD` and `SYST` go
    /// with `TYPE I`, their answers read in the same round trip.
    async fn accept_login(&mut self) {
        self.expect("USER anonymous").await;
        self.send(b"331 Send password\r\n").await;
        self.expect("PASS fxpc@").await;
        self.send(b"230 Welcome\r\n").await;
        self.expect("FEAT").await;
        self.send(b"500 FEAT not understood\r\n").await;
        for (command, reply) in [
            ("PWD", &b"257 \"/\" is the current directory\r\n"[..]),
            ("SYST", b"215 UNIX Type: L8\r\n"),
            ("TYPE I", b"200 Binary\r\n"),
        ] {
            self.expect(command).await;
            self.send(reply).await;
        }
    }
}

/// Listens on `ip`, runs `script` on the first connection, and returns the
/// port and the script's task (await it: its panics are the server's
/// assertion failures).
async fn fake_server<F, Fut, T>(ip: &str, script: F) -> (u16, JoinHandle<T>)
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send,
    T: Send + 'static,
{
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (read, writer) = stream.into_split();
        script(Peer {
            reader: BufReader::new(read),
            writer,
        })
        .await
    });
    (port, task)
}

/// 2024-01-02 03:04:05, the time the time-setting tests set.
fn a_time() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2024, 1, 2)
        .unwrap()
        .and_hms_opt(3, 4, 5)
        .unwrap()
}

/// What a client asks, in order, to set `f`'s time to [`a_time`] on a
/// server with no `MFMT` and no way known yet.
const TIME_WAYS_FOR_F: [&str; 3] = [
    "SITE UTIME 20240102030405 f",
    "SITE UTIME f 20240102030405 20240102030405 20240102030405 UTC",
    "MDTM 20240102030405 f",
];

/// Finding how a server sets a file's time takes one round trip: the ways
/// still open go out together. This server (vsftpd's answers: `550` to
/// both `SITE UTIME`s, `213` to `MDTM` with a time) answers none of them
/// before it has all three; a client asking one way at a time would wait
/// for ever. The way found is then used alone.
#[tokio::test]
async fn the_ways_of_setting_a_time_are_asked_together() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"220 ready\r\n").await;
        peer.accept_login().await;
        for command in TIME_WAYS_FOR_F {
            peer.expect(command).await;
        }
        peer.send(b"550 Permission denied.\r\n550 Permission denied.\r\n213 File modification time set.\r\n")
            .await;
        peer.expect("MDTM 20240102030405 g").await;
        peer.send(b"213 File modification time set.\r\n").await;
        peer.expect("QUIT").await;
        peer.send(b"221 Bye\r\n").await;
    })
    .await;
    let mut client = Client::open(&ip, port, &Login::default(), options())
        .await
        .unwrap();
    let time = a_time();
    let found = tokio::time::timeout(Duration::from_secs(5), client.set_modified(b"f", time))
        .await
        .expect("the three ways went out together")
        .unwrap();
    assert_eq!(found.name(), "MDTM");
    assert_eq!(
        client.set_modified(b"g", time).await.unwrap().name(),
        "MDTM"
    );
    client.quit().await.unwrap();
    server.await.unwrap();
}

/// The first time set on a session finds its way without being waited
/// for either: the three ways go out, and their answers, read with the
/// next command's, are judged when the last comes; the next time is set
/// by the way found, alone.
#[tokio::test]
async fn the_way_of_setting_a_time_is_found_without_waiting() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"220 ready\r\n").await;
        peer.accept_login().await;
        for command in TIME_WAYS_FOR_F {
            peer.expect(command).await;
        }
        peer.expect("NOOP").await;
        peer.send(b"550 Permission denied.\r\n550 Permission denied.\r\n213 File modification time set.\r\n200 NOOP ok.\r\n")
            .await;
        peer.expect("MDTM 20240102030405 g").await;
        peer.expect("QUIT").await;
        peer.send(b"213 File modification time set.\r\n221 Bye\r\n").await;
    })
    .await;
    let mut client = Client::open(&ip, port, &Login::default(), options())
        .await
        .unwrap();
    let time = a_time();
    let (tx, rx) = std::sync::mpsc::channel();
    let told = tx.clone();
    let sent = client
        .set_modified_unawaited(b"f", time, move |way| {
            told.send(way.map(|w| w.name())).unwrap()
        })
        .await
        .unwrap();
    assert!(sent);
    assert!(rx.try_recv().is_err(), "nothing answered yet");
    client.noop().await.unwrap();
    assert_eq!(rx.try_recv().unwrap().unwrap(), "MDTM");
    client
        .set_modified_unawaited(b"g", time, move |way| {
            tx.send(way.map(|w| w.name())).unwrap()
        })
        .await
        .unwrap();
    client.quit().await.unwrap();
    assert_eq!(rx.try_recv().unwrap().unwrap(), "MDTM");
    server.await.unwrap();
}

/// Every reply arrives a few bytes at a time; multi-line replies carry inner
/// lines that look like ends but are not.
#[tokio::test]
async fn fake_server_replies_split_across_writes() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send_in_pieces(
            b"220-Welcome,\r\n220-this line is not the end\r\n  220 nor is this one\r\n123-nor this\r\n220 Ready.\r\n",
            3,
        )
        .await;
        for (command, reply) in [
            ("USER anonymous", &b"331 Password please\r\n"[..]),
            ("PASS fxpc@", b"230-Logged in\r\n230 Go ahead\r\n"),
            ("FEAT", b"211-Features:\r\n SIZE\r\n MDTM\r\n211 End\r\n"),
            ("PWD", b"257-Here:\r\n257 \"/\"\r\n"),
            ("SYST", b"215 UNIX Type: L8\r\n"),
            ("TYPE I", b"200 Binary\r\n"),
            (
                "STAT",
                b"211-Status:\r\n211-not the end\r\n123-other code\r\n 211 indented\r\n211 End of status\r\n",
            ),
            ("NOOP", b"200 OK\r\n"),
            ("SIZE a b.txt", b"213 12345\r\n"),
        ] {
            peer.expect(command).await;
            peer.send_in_pieces(reply, 2).await;
        }
        peer.expect("QUIT").await;
        peer.send(b"221 Bye\r\n").await;
    })
    .await;
    let mut client = Client::open(&ip, port, &Login::default(), options())
        .await
        .unwrap();
    let greeting = client.greeting();
    assert_eq!(greeting.code, 220);
    assert_eq!(greeting.lines().len(), 5, "{greeting:?}");
    assert_eq!(greeting.message(), "Welcome,");
    assert_eq!(greeting.lines()[1], b"220-this line is not the end");
    assert_eq!(greeting.lines()[4], b"Ready.");
    assert!(client.features().size && client.features().mdtm);
    let stat = client.stat(None).await.unwrap();
    assert_eq!(stat.code, 211);
    assert_eq!(stat.lines().len(), 5, "{stat:?}");
    assert_eq!(stat.lines()[3], b" 211 indented");
    assert_eq!(stat.lines()[4], b"End of status");
    // The reply after the long one is read as its own reply.
    client.noop().await.unwrap();
    assert_eq!(client.size("a b.txt").await.unwrap(), 12345);
    client.quit().await.unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn fake_server_refusing_with_421() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"421 Too many connections, try later\r\n").await;
    })
    .await;
    let err = Client::connect(&ip, port, options())
        .await
        .err()
        .expect("a 421 greeting fails");
    match &err {
        FtpError::Refused { host, reply } => {
            assert_eq!(reply.code, 421);
            assert_eq!(reply.message(), "Too many connections, try later");
            assert_eq!(host, &ip);
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    assert!(
        err.to_string().contains("Too many connections, try later"),
        "{err}"
    );
    assert!(err.is_transient(), "421 is worth retrying");
    server.await.unwrap();
}

#[tokio::test]
async fn fake_server_with_a_100_kib_greeting_line() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        let mut line = b"220 ".to_vec();
        line.extend(std::iter::repeat_n(b'x', 100 * 1024));
        line.extend_from_slice(b"\r\n");
        // The client stops reading; a failed write is expected.
        let _ = peer.writer.write_all(&line).await;
        // Hold the connection open: only the client's own limit may end this.
        peer.wait_for_hangup().await;
    })
    .await;
    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(5),
        Client::connect(&ip, port, options()),
    )
    .await
    .expect("an endless line must not hang the client");
    let err = result.err().expect("a 100 KiB line is an error");
    assert!(
        matches!(err, FtpError::Protocol(ParseError::LineTooLong)),
        "expected LineTooLong, got {err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    server.await.unwrap();
}

#[tokio::test]
async fn fake_server_closing_mid_reply() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"220 Hello\r\n").await;
        peer.expect("USER anonymous").await;
        peer.send(b"331-Password needed\r\n and then the server goes away")
            .await;
        // Dropping `peer` closes the connection.
    })
    .await;
    let err = Client::open(&ip, port, &Login::default(), options())
        .await
        .err()
        .expect("a connection closed mid-reply fails");
    match &err {
        FtpError::Closed { after } => assert_eq!(after.as_deref(), Some("USER anonymous")),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert!(err.to_string().contains("after USER anonymous"), "{err}");
    server.await.unwrap();
}

/// `227 (0,0,0,0,…)`: the client must connect to the control connection's
/// peer instead. The fake server listens for data only on its own address,
/// so the bytes can only arrive if the client did that.
#[tokio::test]
async fn fake_server_passive_reply_with_wildcard_address() {
    let ip = next_addr();
    let data_ip = ip.clone();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"220 Hello\r\n").await;
        peer.accept_login().await;
        peer.expect("PASV").await;
        let data = tokio::net::TcpListener::bind((data_ip.as_str(), 0))
            .await
            .unwrap();
        let p = data.local_addr().unwrap().port();
        let reply = format!(
            "227 Entering Passive Mode (0,0,0,0,{},{}).\r\n",
            p >> 8,
            p & 0xff
        );
        peer.send(reply.as_bytes()).await;
        peer.expect("STOR up.bin").await;
        let (mut stream, from) = tokio::time::timeout(Duration::from_secs(5), data.accept())
            .await
            .expect("the client connects to the control peer")
            .unwrap();
        peer.send(b"150 Go ahead\r\n").await;
        let mut received = Vec::new();
        stream.read_to_end(&mut received).await.unwrap();
        peer.send(b"226 Stored\r\n").await;
        peer.expect("QUIT").await;
        peer.send(b"221 Bye\r\n").await;
        (received, from)
    })
    .await;
    let mut client = Client::open(&ip, port, &Login::default(), options())
        .await
        .unwrap();
    let data = pseudo_random(200_000, 30);
    assert_eq!(
        upload(&mut client, "up.bin", &data, StoreMode::Replace).await,
        200_000
    );
    client.quit().await.unwrap();
    let (received, from) = server.await.unwrap();
    assert!(received == data, "the fake server got the uploaded bytes");
    assert_eq!(from.ip(), "127.0.0.1".parse::<std::net::IpAddr>().unwrap());
}

/// A directory listed by path on a server that refuses `LIST -a`: the way
/// in (sent with `PASV`) is checked once, the plain `LIST` that follows
/// the refusal lists the same directory, and the way back goes out after.
#[tokio::test]
async fn a_refused_list_a_in_an_entered_directory_lists_it_plainly() {
    let ip = next_addr();
    let data_ip = ip.clone();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"220 Hello\r\n").await;
        peer.accept_login().await;
        peer.expect("CWD /d").await;
        peer.send(b"250 In\r\n").await;
        for (command, refused) in [("LIST -a", true), ("LIST", false)] {
            peer.expect("PASV").await;
            let data = tokio::net::TcpListener::bind((data_ip.as_str(), 0))
                .await
                .unwrap();
            let p = data.local_addr().unwrap().port();
            let reply = format!(
                "227 Passive ({},{},{}).\r\n",
                data_ip.replace('.', ","),
                p >> 8,
                p & 0xff
            );
            peer.send(reply.as_bytes()).await;
            peer.expect(command).await;
            if refused {
                peer.send(b"501 No options here\r\n").await;
                continue;
            }
            let (mut stream, _) = data.accept().await.unwrap();
            peer.send(b"150 Here\r\n").await;
            stream
                .write_all(b"-rw-r--r-- 1 u g 5 Jan 01 2024 x\r\n")
                .await
                .unwrap();
            drop(stream);
            peer.send(b"226 Done\r\n").await;
        }
        peer.expect("CWD /").await;
        peer.send(b"250 Back\r\n").await;
        peer.expect("QUIT").await;
        peer.send(b"221 Bye\r\n").await;
    })
    .await;
    let mut client = Client::open(&ip, port, &Login::default(), options())
        .await
        .unwrap();
    let names: Vec<String> = client
        .list(Some(b"/d"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name.to_string())
        .collect();
    assert_eq!(names, ["x"]);
    client.quit().await.unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn fake_server_that_never_answers() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.send(b"220 Hello\r\n").await;
        peer.expect("USER anonymous").await;
        // No reply; wait until the client gives up and hangs up.
        peer.wait_for_hangup().await;
    })
    .await;
    let reply_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = Client::open(
        &ip,
        port,
        &Login::default(),
        Options {
            reply_timeout,
            ..options()
        },
    )
    .await
    .err()
    .expect("silence is an error");
    let waited = started.elapsed();
    match &err {
        FtpError::Timeout {
            waiting_for,
            timeout,
        } => {
            assert_eq!(*timeout, reply_timeout);
            assert_eq!(waiting_for, "to USER anonymous");
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(
        waited >= reply_timeout && waited < Duration::from_secs(3),
        "gave up after {waited:?}"
    );
    assert!(err.is_transient());
    drop(err);
    server.await.unwrap();
}

/// A connection that is accepted but never greets: `connect_timeout` bounds
/// the wait for the greeting.
#[tokio::test]
async fn fake_server_without_greeting() {
    let ip = next_addr();
    let (port, server) = fake_server(&ip, |mut peer| async move {
        peer.wait_for_hangup().await;
    })
    .await;
    let started = Instant::now();
    let opts = Options {
        connect_timeout: Duration::from_millis(300),
        ..options()
    };
    let err = Client::connect(&ip, port, opts)
        .await
        .err()
        .expect("no greeting is an error");
    assert!(
        matches!(&err, FtpError::Timeout { waiting_for, .. } if waiting_for == "for the server's greeting"),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    server.await.unwrap();
}

/// Active mode (a site's `passive = false`): the server connects to us
/// after `EPRT`/`PORT`. vsftpd and pyftpdlib, each on its own address.
#[tokio::test]
async fn active_mode_transfers_with_vsftpd_and_pyftpdlib() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), false) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), false) else {
        return;
    };
    let data = pseudo_random(300_000, 77);
    for (addr, port, home, files, log) in [
        (
            vs.addr().to_string(),
            vs.port(),
            vs.home().to_string(),
            vs.files().to_path_buf(),
            0,
        ),
        (
            py.addr().to_string(),
            py.port(),
            py.home().to_string(),
            py.files().to_path_buf(),
            1,
        ),
    ] {
        let opts = Options {
            passive: false,
            ..options()
        };
        let mut client = Client::open(&addr, port, &Login::default(), opts)
            .await
            .unwrap();
        client.cwd(&home).await.unwrap();
        let n = client
            .store("active.bin", StoreMode::Replace, 0, &mut data.as_slice())
            .await
            .unwrap();
        assert_eq!(n, data.len() as u64);
        assert!(
            on_disk(&files.join("active.bin")) == data,
            "{addr}: upload bytes differ"
        );
        let mut back = Vec::new();
        client
            .retrieve("active.bin", 1000, &mut back)
            .await
            .unwrap();
        assert!(back == data[1000..], "{addr}: download differs");
        let listing = client.list(None).await.unwrap();
        assert_eq!(find(&listing, "active.bin").size, Some(data.len() as u64));
        let log = if log == 0 { vs.log() } else { py.log() };
        // Commands only: vsftpd's FEAT reply lists PASV as a feature.
        let sent = |verb: &str| {
            log.lines().any(|l| {
                l.contains(&format!("command: Client \"127.0.0.1\", \"{verb}"))
                    || l.contains(&format!("<- {verb}"))
            })
        };
        assert!(
            sent("EPRT") || sent("PORT"),
            "{addr} was driven in active mode:\n{log}"
        );
        assert!(
            !sent("PASV") && !sent("EPSV"),
            "{addr}: no passive command:\n{log}"
        );
    }
}

/// `fxpc ls` — the binary — against vsftpd (LIST) and pyftpdlib (MLSD):
/// one line an entry, type, size, ISO time, name.
#[test]
fn fxpc_ls_lists_vsftpd_and_pyftpdlib() {
    let (vroot, proot) = (temp_root(), temp_root());
    let Some(vs) = Vsftpd::start(&next_addr(), vroot.path(), false) else {
        return;
    };
    let Some(py) = Pyftpd::start(&next_addr(), proot.path(), false) else {
        return;
    };
    for (addr, port, home, files) in [
        (
            vs.addr().to_string(),
            vs.port(),
            vs.home().to_string(),
            vs.files().to_path_buf(),
        ),
        (
            py.addr().to_string(),
            py.port(),
            py.home().to_string(),
            py.files().to_path_buf(),
        ),
    ] {
        seed(&files, "report 2026.txt", b"12345");
        std::fs::create_dir_all(files.join("sub dir")).unwrap();
        let fix = |p: &Path| {
            // vsftpd serves anonymous users only world-readable files.
            let _ = std::process::Command::new("chmod")
                .args(["-R", "a+rX"])
                .arg(p)
                .status();
        };
        fix(&files);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_fxpc"))
            .arg("ls")
            .arg(format!("ftp://{addr}:{port}{home}"))
            .env("NETRC", "/nonexistent")
            .env("XDG_STATE_HOME", std::env::temp_dir())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{addr}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = text
            .lines()
            .find(|l| l.ends_with(" report 2026.txt"))
            .unwrap_or_else(|| panic!("{addr}: {text}"));
        let cols: Vec<&str> = file.split_whitespace().collect();
        assert_eq!((cols[0], cols[1]), ("-", "5"), "{addr}: {file}");
        assert!(
            cols[2].len() == 19 && cols[2].contains('T'),
            "{addr}: ISO time in {file}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("d ") && l.ends_with(" sub dir")),
            "{addr}: {text}"
        );
    }
}

/// drftpd refuses `PASV` unless `PRET` announced the transfer; a server
/// that lists `PRET` in `FEAT` gets it before every passive transfer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pret_goes_before_pasv_where_the_server_asks() {
    let addr = next_addr();
    let server = common::Hostile::start(&addr, &["--require-pret", "--seed", "x.bin:5000"]);
    let mut client = open(&addr, server.socket_addr().port()).await;
    let mut got = Vec::new();
    client
        .retrieve("/x.bin", 0, &mut got)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(got.len(), 5000);
    let mut body = &b"uploaded"[..];
    client
        .store("/y.bin", fxpc::ftp::StoreMode::Replace, 0, &mut body)
        .await
        .unwrap();
    let log = server.log();
    assert!(log.contains("PRET RETR /x.bin"), "{log}");
    assert!(log.contains("PRET STOR /y.bin"), "{log}");
}
