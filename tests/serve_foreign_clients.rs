//! `fxpc serve` driven by clients no one on this project wrote: curl and
//! Python's ftplib. If they can list, upload, download and append, the
//! server speaks FTP as the world does, not only as our client expects.

use std::path::Path;

use fxpc::server::{Anonymous, Config, Handle};
use tokio::process::Command;

async fn serve(root: &Path, ip: &str) -> Handle {
    let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
    config.anonymous = Some(Anonymous::Write);
    config.users = vec![("bob".into(), fxpc::ftp::Secret::new("pw"))];
    Handle::spawn(config).await.unwrap()
}

fn tool_available(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("FXPC_REQUIRE_REAL_SERVERS").as_deref() == Ok("1") {
            panic!("{tool} is required (FXPC_REQUIRE_REAL_SERVERS=1) but not found");
        }
        eprintln!("skipped: {tool} not found");
    }
    found
}

async fn curl(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let mut cmd = Command::new("curl");
    cmd.args(["--silent", "--show-error", "--max-time", "30"])
        .args(args);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let _ = input.write_all(&data).await;
    });
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[tokio::test]
async fn curl_lists_uploads_downloads_and_appends() {
    if !tool_available("curl") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("pub")).unwrap();
    std::fs::write(root.path().join("pub/hello.txt"), b"hello from fxpc\n").unwrap();
    let site = serve(root.path(), "127.0.0.2").await;
    let base = format!("ftp://{}", site.addr());

    let listing = String::from_utf8(curl(&[&format!("{base}/pub/")], None).await).unwrap();
    assert!(
        listing.contains("hello.txt") && listing.starts_with("-rw"),
        "{listing}"
    );
    let names =
        String::from_utf8(curl(&["--list-only", &format!("{base}/pub/")], None).await).unwrap();
    // curl turns the CR LF of an ASCII transfer into LF itself.
    assert_eq!(names.lines().collect::<Vec<_>>(), ["hello.txt"]);

    assert_eq!(
        curl(&[&format!("{base}/pub/hello.txt")], None).await,
        b"hello from fxpc\n"
    );
    // Active mode too: curl listens, our server connects back to it.
    assert_eq!(
        curl(
            &["--ftp-port", "127.0.0.1", &format!("{base}/pub/hello.txt")],
            None
        )
        .await,
        b"hello from fxpc\n"
    );

    let big: Vec<u8> = (0..1_500_000u32).map(|i| (i % 253) as u8).collect();
    curl(
        &["-T", "-", &format!("{base}/pub/new%20file.bin")],
        Some(&big),
    )
    .await;
    assert_eq!(
        std::fs::read(root.path().join("pub/new file.bin")).unwrap(),
        big
    );
    curl(
        &["--append", "-T", "-", &format!("{base}/pub/new%20file.bin")],
        Some(b"tail"),
    )
    .await;
    assert_eq!(
        std::fs::read(root.path().join("pub/new file.bin"))
            .unwrap()
            .len(),
        big.len() + 4
    );
    // With a named user and curl's own directory creation.
    curl(
        &[
            "--user",
            "bob:pw",
            "--ftp-create-dirs",
            "-T",
            "-",
            &format!("{base}/a/b/c.txt"),
        ],
        Some(b"deep"),
    )
    .await;
    assert_eq!(
        std::fs::read(root.path().join("a/b/c.txt")).unwrap(),
        b"deep"
    );
    // Resume a download at an offset (REST).
    assert_eq!(
        curl(&["-C", "6", &format!("{base}/pub/hello.txt")], None).await,
        b"from fxpc\n"
    );
}

const FTPLIB_SCRIPT: &str = r#"
import ftplib, io, sys
host, port = sys.argv[1], int(sys.argv[2])
ftp = ftplib.FTP()
ftp.connect(host, port, timeout=30)
ftp.login("bob", "pw")
ftp.mkd("py dir")
ftp.cwd("py dir")
data = bytes(range(256)) * 4000
ftp.storbinary("STOR blob.bin", io.BytesIO(data))
ftp.storbinary("APPE blob.bin", io.BytesIO(b"more"))
out = io.BytesIO()
ftp.retrbinary("RETR blob.bin", out.write)
assert out.getvalue() == data + b"more", "download differs"
assert ftp.size("blob.bin") == len(data) + 4
names = ftp.nlst()
assert names == ["blob.bin"], names
facts = dict(ftp.mlsd())
assert facts["blob.bin"]["type"] == "file" and facts["blob.bin"]["size"] == str(len(data) + 4), facts
lines = []
ftp.retrlines("LIST", lines.append)
assert len(lines) == 1 and lines[0].endswith(" blob.bin"), lines
ftp.set_pasv(False)
out = io.BytesIO()
ftp.retrbinary("RETR blob.bin", out.write)
assert out.getvalue() == data + b"more", "active-mode download differs"
ftp.set_pasv(True)
ftp.rename("blob.bin", "renamed.bin")
ftp.delete("renamed.bin")
ftp.cwd("..")
ftp.rmd("py dir")
# TYPE A: storlines sends CR LF lines; the server stores LF, and sends
# CR LF back, which retrlines strips.
ftp.storlines("STOR text.txt", io.BytesIO(b"one\ntwo\n"))
lines = []
ftp.retrlines("RETR text.txt", lines.append)
assert lines == ["one", "two"], lines
try:
    ftp.retrbinary("RETR missing", print)
    raise SystemExit("missing file did not fail")
except ftplib.error_perm as e:
    assert str(e).startswith("550"), e
ftp.quit()
print("ftplib ok")
"#;

#[tokio::test]
async fn python_ftplib_session() {
    if !tool_available("python3") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let site = serve(root.path(), "127.0.0.3").await;
    let out = Command::new("python3")
        .args([
            "-c",
            FTPLIB_SCRIPT,
            &site.addr().ip().to_string(),
            &site.addr().port().to_string(),
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "ftplib: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ftplib ok\n");
    assert!(!root.path().join("py dir").exists());
    assert_eq!(
        std::fs::read(root.path().join("text.txt")).unwrap(),
        b"one\ntwo\n",
        "TYPE A upload stored with LF line ends"
    );
}
