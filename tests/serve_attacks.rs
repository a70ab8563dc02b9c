//! `fxpc serve` attacked over loopback: a FIFO that could freeze it, an
//! upload watched and killed half-way, a client gone while its work goes
//! on. Each test bounds its own time.

mod attack;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use attack::{Isolated, Raw, config, connect_from, names_in, pattern, read_all, serve};
use tokio::io::AsyncWriteExt;

fn mkfifo(path: &std::path::Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o666),
        0,
    )
    .unwrap();
}

/// Lets a server stuck opening the FIFO go (the failure being tested),
/// so that the next round starts clean.
fn release(fifo: &std::path::Path) {
    let _ = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(fifo);
}

/// A FIFO named by `RETR`, `STOR`, `APPE`, `HASH` or `SIZE` is refused at
/// once, and meanwhile a second client, from another address, is greeted
/// and answered within 2 s. The server has a single async worker: any
/// blocking open on it would freeze everything.
#[tokio::test]
async fn a_fifo_never_freezes_the_server() {
    let root = tempfile::tempdir().unwrap();
    let fifo = root.path().join("pipe");
    mkfifo(&fifo);
    let server = Isolated::start(config("127.0.0.2", root.path(), |_| {}));
    let within = Duration::from_secs(2);
    for verb in ["RETR", "STOR", "APPE", "HASH", "SIZE"] {
        let mut first = Raw::login("127.0.0.3", server.addr).await;
        let mut _data = None;
        if matches!(verb, "RETR" | "STOR" | "APPE") {
            let data_addr = first.pasv().await;
            first.send(&format!("{verb} pipe")).await;
            _data = Some(connect_from("127.0.0.3", data_addr).await.unwrap());
        } else {
            first.send(&format!("{verb} pipe")).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;

        let started = Instant::now();
        let second = async {
            let mut second = Raw::connect("127.0.0.4", server.addr).await.ok()?;
            let (greeting, _) = second.reply_within(within).await?;
            second.send("NOOP").await;
            let (noop, _) = second.reply_within(within).await?;
            Some((greeting, noop))
        };
        let second = second.await;
        assert_eq!(
            second,
            Some((220, 200)),
            "{verb} of a FIFO: a second client was not served within 2 s ({:?})",
            started.elapsed()
        );
        let answer = first.reply_within(within).await;
        release(&fifo);
        let (code, text) = answer.unwrap_or_else(|| panic!("{verb} of a FIFO: no answer"));
        assert!((550..=553).contains(&code), "{verb} of a FIFO: {text}");
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo(),
            "{verb} replaced the FIFO"
        );
    }
}

use std::os::unix::fs::FileTypeExt;

const OLD_LEN: usize = 1_000_000;
const HALF: usize = 524_288;

/// Starts a `STOR` over `name` from 127.0.0.3 and sends `HALF` bytes.
async fn half_upload(server: std::net::SocketAddr, name: &str) -> (Raw, tokio::net::TcpStream) {
    let mut uploader = Raw::login("127.0.0.3", server).await;
    let data_addr = uploader.pasv().await;
    uploader.send(&format!("STOR {name}")).await;
    let mut data = connect_from("127.0.0.3", data_addr).await.unwrap();
    let (code, text) = uploader.reply().await;
    assert_eq!(code, 150, "{text}");
    data.write_all(&pattern(HALF, 0x55)).await.unwrap();
    data.flush().await.unwrap();
    (uploader, data)
}

/// Polls until the directory holds just `names` (a removed hidden file
/// may take a moment), within 3 s.
async fn settles_to(dir: &std::path::Path, names: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(3);
    while names_in(dir) != names && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(names_in(dir), names);
}

/// During an upload over a 1,000,000-byte file, other clients see the old
/// file whole (its size, its bytes, and no other name in listings); a
/// client killed mid-upload leaves it untouched and nothing else behind;
/// a data connection reset mid-upload gets `426`, and the same; an upload
/// that ends cleanly replaces it, keeping its permissions. A new name, and
/// APPE and REST+STOR, are written in place, as resuming needs.
#[tokio::test]
async fn an_upload_is_invisible_until_whole() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("big.bin");
    let old = pattern(OLD_LEN, 0);
    std::fs::write(&target, &old).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let site = serve("127.0.0.2", root.path(), |_| {}).await;

    let (uploader, data) = half_upload(site.addr(), "big.bin").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut watcher = Raw::login("127.0.0.4", site.addr()).await;
    assert_eq!(
        watcher.expect("SIZE big.bin", 213).await.trim(),
        format!("213 {OLD_LEN}")
    );
    let data_addr = watcher.pasv().await;
    watcher.send("RETR big.bin").await;
    let got = read_all(connect_from("127.0.0.4", data_addr).await.unwrap()).await;
    assert_eq!(watcher.reply().await.0, 150);
    assert_eq!(watcher.reply().await.0, 226);
    assert!(got == old, "RETR during the upload got other bytes");
    let data_addr = watcher.pasv().await;
    watcher.send("NLST -a").await;
    let listed = read_all(connect_from("127.0.0.4", data_addr).await.unwrap()).await;
    assert_eq!(watcher.reply().await.0, 150);
    assert_eq!(watcher.reply().await.0, 226);
    assert_eq!(String::from_utf8_lossy(&listed).trim(), "big.bin");
    // The hidden name cannot be reached by name either.
    let hidden: Vec<String> = names_in(root.path())
        .into_iter()
        .filter(|n| n != "big.bin")
        .collect();
    assert_eq!(hidden.len(), 1, "one hidden upload beside the target");
    watcher.expect(&format!("SIZE {}", hidden[0]), 550).await;
    watcher.expect(&format!("DELE {}", hidden[0]), 550).await;

    // Killed: its sockets close, control first (the lower descriptor).
    drop(uploader.into_stream());
    drop(data);
    settles_to(root.path(), &["big.bin"]).await;
    assert!(
        std::fs::read(&target).unwrap() == old,
        "the old file changed"
    );

    // The data connection reset, the client still there: 426.
    let (mut uploader, data) = half_upload(site.addr(), "big.bin").await;
    socket2::SockRef::from(&data)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(data);
    let (code, text) = uploader.reply().await;
    assert_eq!(code, 426, "{text}");
    settles_to(root.path(), &["big.bin"]).await;
    assert!(
        std::fs::read(&target).unwrap() == old,
        "the old file changed"
    );

    // Whole: the new content, the old permissions.
    let (mut uploader, mut data) = half_upload(site.addr(), "big.bin").await;
    data.shutdown().await.unwrap();
    drop(data);
    let (code, text) = uploader.reply().await;
    assert_eq!(code, 226, "{text}");
    assert!(std::fs::read(&target).unwrap() == pattern(HALF, 0x55));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(names_in(root.path()), ["big.bin"]);

    // A new name is written in place: what a broken upload leaves is
    // what a client resumes from.
    let (mut uploader, data) = half_upload(site.addr(), "new.bin").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        watcher.expect("SIZE new.bin", 213).await.trim(),
        format!("213 {HALF}"),
        "a new file grows where it is watched"
    );
    socket2::SockRef::from(&data)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(data);
    assert_eq!(uploader.reply().await.0, 426);
    assert_eq!(
        std::fs::metadata(root.path().join("new.bin"))
            .unwrap()
            .len(),
        HALF as u64
    );
    std::fs::remove_file(root.path().join("new.bin")).unwrap();

    // APPE and REST+STOR write in place.
    let mut c = Raw::login("127.0.0.3", site.addr()).await;
    for (setup, verb) in [(None, "APPE big.bin"), (Some("REST 10"), "STOR big.bin")] {
        if let Some(rest) = setup {
            let data_addr = c.pasv().await;
            c.expect(rest, 350).await;
            c.send(verb).await;
            let mut data = connect_from("127.0.0.3", data_addr).await.unwrap();
            assert_eq!(c.reply().await.0, 150);
            data.write_all(b"0123456789").await.unwrap();
        } else {
            let data_addr = c.pasv().await;
            c.send(verb).await;
            let mut data = connect_from("127.0.0.3", data_addr).await.unwrap();
            assert_eq!(c.reply().await.0, 150);
            data.write_all(b"appended").await.unwrap();
            // Visible while it is written: that is what resuming reads.
            tokio::time::sleep(Duration::from_millis(200)).await;
            let size = watcher.expect("SIZE big.bin", 213).await;
            assert_eq!(size.trim(), format!("213 {}", HALF + 8));
        }
        assert_eq!(c.reply().await.0, 226, "{verb}");
    }
    let now = std::fs::read(&target).unwrap();
    assert_eq!(&now[10..20], b"0123456789");
    assert_eq!(now.len(), HALF + 8);
}

/// A client that asks for the digest of a huge file and leaves: the
/// server stops reading the file (its CPU use falls to nothing), and
/// `SIGTERM` during another such digest ends the server within a few
/// seconds.
#[tokio::test]
async fn work_stops_when_its_client_leaves_and_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    // Sparse: hours of hashing, no disk space.
    let huge = std::fs::File::create(root.join("huge")).unwrap();
    huge.set_len(1 << 40).unwrap();
    let mut server = attack::Spawned::start(&root, "127.0.0.2:0", &["--anonymous", "read"]);

    let mut leaver = Raw::login("127.0.0.3", server.addr).await;
    leaver.send("HASH huge").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Under way (the machine may be busy with other work: a low bar).
    let busy = server.cpu_seconds();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        server.cpu_seconds() - busy >= 0.05,
        "the digest is under way"
    );
    drop(leaver);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.cpu_seconds();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let used = server.cpu_seconds() - before;
    assert!(
        used < 0.2,
        "{used:.2} CPU-seconds in 2 s after the client left"
    );

    let mut stayer = Raw::login("127.0.0.3", server.addr).await;
    stayer.send("HASH huge").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    server.terminate();
    let (code, _) = stayer.reply().await;
    assert_eq!(code, 421);
    assert!(
        server.exited_within(Duration::from_secs(8)),
        "still running {:?} after SIGTERM",
        asked.elapsed()
    );
}

/// A download whose client has left stops being sent, even when the
/// client had sent another command that waits for the transfer's end.
#[tokio::test]
async fn a_download_stops_when_its_client_leaves() {
    let root = tempfile::tempdir().unwrap();
    let huge = std::fs::File::create(root.path().join("huge")).unwrap();
    huge.set_len(1 << 40).unwrap();
    let site = serve("127.0.0.2", root.path(), |_| {}).await;
    let mut c = Raw::login("127.0.0.3", site.addr()).await;
    let data_addr = c.pasv().await;
    c.send("RETR huge").await;
    let mut data = connect_from("127.0.0.3", data_addr).await.unwrap();
    assert_eq!(c.reply().await.0, 150);
    let mut buf = vec![0u8; 1 << 16];
    use tokio::io::AsyncReadExt;
    data.read_exact(&mut buf).await.unwrap();
    // A command that must wait for the transfer, then gone.
    c.send("NOOP").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(c.into_stream());
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match data.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "still sending 3 s after the client left");
}
