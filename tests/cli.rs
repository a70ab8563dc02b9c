//! The `fxpc` binary as a user runs it: `serve` as a real process, `ls`
//! and `cp` against it, exit codes and what they print.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use fxpc::text::human_bytes;

mod common;

const FXPC: &str = env!("CARGO_BIN_EXE_fxpc");

/// `fxpc serve` as a child process (anonymous writes unless `extra` says
/// who logs in); killed on drop. Its URL without the trailing `/`.
struct Served {
    _served: common::served::Served,
    url: String,
}

impl Served {
    fn start(ip: &str, root: &Path, extra: &[&str]) -> Served {
        let who: &[&str] = if extra.contains(&"--anonymous") {
            &[]
        } else {
            &["--anonymous", "write"]
        };
        let flags = [who, extra].concat();
        let served = common::served::Served::with_flags(ip, root, root.parent().unwrap(), &flags);
        Served {
            url: served.url.trim_end_matches('/').to_string(),
            _served: served,
        }
    }
}

fn fxpc(args: &[&str]) -> (bool, String, String) {
    fxpc_with(args, "/nonexistent/config.toml")
}

/// Runs the binary with its own config file (never the user's).
fn fxpc_with(args: &[&str], config: &str) -> (bool, String, String) {
    let out = Command::new(FXPC)
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .env("NETRC", "/nonexistent")
        .env("FXPC_CONFIG", config)
        .env_remove("FXPC_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn ls_prints_type_size_time_name_and_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("sub dir")).unwrap();
    std::fs::write(root.join("a file.txt"), b"12345").unwrap();
    let served = Served::start("127.0.0.2", &root, &[]);
    let (ok, out, err) = fxpc(&["ls", &format!("{}/", served.url)]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let file: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!((file[0], file[1]), ("-", "5"));
    assert!(
        file[2].len() == 19 && file[2].as_bytes()[10] == b'T',
        "ISO 8601: {}",
        file[2]
    );
    assert!(lines[0].ends_with(" a file.txt"));
    assert!(
        lines[1].starts_with("d ") && lines[1].ends_with(" sub dir"),
        "{}",
        lines[1]
    );

    let (ok, _, err) = fxpc(&["ls", &format!("{}/missing", served.url)]);
    assert!(!ok);
    assert!(
        err.contains("550") && err.contains(&served.url),
        "names the server and quotes it: {err}"
    );
    let (ok, _, err) = fxpc(&["ls", "ftp://127.0.0.9:1/"]);
    assert!(!ok && err.contains("127.0.0.9"), "{err}");
    let (ok, _, err) = fxpc(&["ls", "http://x/"]);
    assert!(!ok && err.contains("ftp://"), "{err}");
}

#[test]
fn cp_between_two_served_sites_reports_the_mode_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (ra, rb) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(ra.join("tree/sub")).unwrap();
    std::fs::create_dir_all(&rb).unwrap();
    let body: Vec<u8> = (0..2_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(ra.join("big.bin"), &body).unwrap();
    std::fs::write(ra.join("tree/x"), b"x").unwrap();
    std::fs::write(ra.join("tree/sub/y"), b"y").unwrap();
    let a = Served::start("127.0.0.2", &ra, &["--allow-fxp"]);
    let b = Served::start("127.0.0.3", &rb, &[]);

    // An existing directory as destination: the file goes inside it.
    let (ok, out, err) = fxpc(&["cp", &format!("{}/big.bin", a.url), &format!("{}/", b.url)]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("LSTN/SOCK") && out.contains("verified"),
        "{out}"
    );
    // The TUI's units (IEC, one decimal below 10), not a second formatter's.
    assert!(
        out.contains(&format!(" {}", human_bytes(body.len() as u64))),
        "{out}"
    );
    assert_eq!(std::fs::read(rb.join("big.bin")).unwrap(), body);

    let (ok, out, err) = fxpc(&[
        "cp",
        "-r",
        "-j",
        "2",
        &format!("{}/tree", a.url),
        &format!("{}/copy", b.url),
    ]);
    assert!(ok, "{out}{err}");
    assert_eq!(std::fs::read(rb.join("copy/sub/y")).unwrap(), b"y");

    let (ok, out, _) = fxpc(&[
        "cp",
        "--append",
        "--json",
        &format!("{}/tree/x", a.url),
        &format!("{}/copy/x", b.url),
    ]);
    assert!(ok);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "verified", "{out}");
    assert_eq!(last["size"], 2);
    assert_eq!(std::fs::read(rb.join("copy/x")).unwrap(), b"xx");

    // B refuses foreign peers: forced FXP fails, exit code non-zero, and
    // the reason quotes the server.
    let (ok, out, err) = fxpc(&[
        "cp",
        "--via",
        "fxp",
        &format!("{}/big.bin", b.url),
        &format!("{}/back.bin", a.url),
    ]);
    assert!(!ok);
    assert!(out.contains("504") && out.contains("--allow-fxp"), "{out}");
    assert!(err.contains("failed"), "{err}");

    // A directory without -r.
    let (ok, out, _) = fxpc(&["cp", &format!("{}/tree", a.url), &format!("{}/t2", b.url)]);
    assert!(!ok && out.contains("is a directory"), "{out}");

    // Download to a local directory.
    let local = dir.path().join("local");
    std::fs::create_dir(&local).unwrap();
    let (ok, out, err) = fxpc(&["cp", &format!("{}/big.bin", b.url), local.to_str().unwrap()]);
    assert!(ok && out.contains("download"), "{out}{err}");
    assert_eq!(std::fs::read(local.join("big.bin")).unwrap(), body);
}

#[test]
fn passwords_stay_out_of_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let served = Served::start(
        "127.0.0.2",
        &root,
        &["--user", "bob:s3cret-pw", "--anonymous", "none"],
    );
    let addr = served.url.trim_start_matches("ftp://");
    let (ok, out, err) = fxpc(&["ls", &format!("ftp://bob:wrong-pw@{addr}/")]);
    assert!(!ok);
    assert!(
        err.contains("530") && !err.contains("wrong-pw") && !out.contains("wrong-pw"),
        "{err}"
    );
    let (ok, _, err) = fxpc(&["ls", &format!("ftp://bob:s3cret-pw@{addr}/")]);
    assert!(ok, "{err}");

    // A user without a password and no terminal to ask on: a clear error.
    let (ok, _, err) = fxpc(&["ls", &format!("ftp://bob@{addr}/")]);
    assert!(!ok && err.contains("password"), "{err}");
    // A saved site with that user, host and port supplies it.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[site]]\nname = \"here\"\nurl = \"ftp://bob@{addr}/\"\npassword = \"s3cret-pw\"\n"
        ),
    )
    .unwrap();
    let (ok, _, err) = fxpc_with(
        &["ls", &format!("ftp://bob@{addr}/")],
        config.to_str().unwrap(),
    );
    assert!(ok, "{err}");
    assert!(!err.contains("s3cret"));
}

/// A password on the command line is visible to every user of the machine:
/// `fxpc serve` says so and names the way that keeps it out.
#[test]
fn serve_warns_about_a_password_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let mut child = Command::new(FXPC)
        .args(["serve", "--root"])
        .arg(&root)
        .args(["--listen", "127.0.0.2:0", "--user", "bob:visible-pw"])
        .env("XDG_STATE_HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.contains("visible in process listings") && line.contains("bob:@FILE"),
        "{line}"
    );
    assert!(!line.contains("visible-pw"), "{line}");
}

/// `250 KiB/s` (or indicatif's `1.91 MiB/s`, or `(250` of `(250 KiB/s)`)
/// in bytes per second.
fn rate_value(number: &str, unit: &str) -> Option<f64> {
    let scale = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let number = number.trim_start_matches(|c: char| !c.is_ascii_digit());
    Some(number.parse::<f64>().ok()? * scale)
}

/// Every rate written in `text`: `<number> <unit>/s`.
fn rates_in(text: &str) -> Vec<f64> {
    let mut rates = Vec::new();
    for (at, _) in text.match_indices("/s") {
        let words: Vec<&str> = text[..at].split_whitespace().rev().take(2).collect();
        if let [unit, number] = words[..]
            && let Some(rate) = rate_value(number, unit)
        {
            rates.push(rate);
        }
    }
    rates
}

/// A file served at a known rate, with most of it already at a local
/// destination: what `cp --resume` reports must be this run's bytes only.
struct Resumable {
    _dir: tempfile::TempDir,
    served: Served,
    body: Vec<u8>,
    destination: std::path::PathBuf,
}

/// The server's `--rate`: slow enough that the real rate is the limit.
const LIMIT: u64 = 256 * 1024;
/// 768 KiB left to move: three seconds at the limit.
const LEFT: usize = 3 * LIMIT as usize;

impl Resumable {
    fn new() -> Resumable {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(&root).unwrap();
        let body: Vec<u8> = (0..16 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(root.join("big.bin"), &body).unwrap();
        let served = Served::start("127.0.0.2", &root, &["--rate", "256K"]);
        let r = Resumable {
            destination: dir.path().join("big.bin"),
            _dir: dir,
            served,
            body,
        };
        r.seed();
        r
    }

    fn seed(&self) {
        std::fs::write(&self.destination, &self.body[..self.body.len() - LEFT]).unwrap();
    }

    fn source(&self) -> String {
        format!("{}/big.bin", self.served.url)
    }

    fn check(&self) {
        assert!(
            std::fs::read(&self.destination).unwrap() == self.body,
            "the resumed copy differs from the source"
        );
    }
}

/// A resumed copy said 43 MiB/s where 1.9 MiB/s was real: the bytes already
/// at the destination counted as moved. The summary names what this run
/// moved and its rate, which is the server's limit.
#[test]
fn cp_resume_reports_the_rate_of_this_runs_bytes() {
    let r = Resumable::new();
    let (ok, out, err) = fxpc(&[
        "cp",
        "--resume",
        &r.source(),
        r.destination.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    r.check();
    let line = out.lines().find(|l| l.contains("verified")).unwrap_or("");
    assert!(
        line.contains(&format!("{} moved", human_bytes(LEFT as u64))),
        "the summary says what this run moved: {out}"
    );
    let rates = rates_in(line);
    assert_eq!(rates.len(), 1, "one rate in {line:?}");
    let limit = LIMIT as f64;
    assert!(
        rates[0] > 0.6 * limit && rates[0] < 1.2 * limit,
        "{line:?}: the server sends at {}",
        human_bytes(LIMIT)
    );

    // The JSON events' rates, once a second of data is in their window.
    r.seed();
    let (ok, out, err) = fxpc(&[
        "cp",
        "--resume",
        "--json",
        &r.source(),
        r.destination.to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
    r.check();
    let mut seen = 0;
    for line in out.lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        if event["event"] != "progress" || event["elapsed"].as_f64().unwrap() < 1.4 {
            continue;
        }
        let rate = event["rate"].as_f64().unwrap();
        assert!(rate < 1.3 * limit && rate > 0.6 * limit, "{line}");
        // The ETA comes from that same rate: what is left at the limit.
        let left = (event["total"].as_f64().unwrap() - event["done"].as_f64().unwrap()) / limit;
        let eta = event["eta"].as_f64().unwrap();
        assert!(eta > 0.7 * left - 0.5 && eta < 1.6 * left + 0.5, "{line}");
        seen += 1;
    }
    assert!(seen >= 2, "progress events after the first second:\n{out}");
}

/// The progress bar, as a person sees it in a terminal: its rate is the
/// server's limit from the first draw, not the resumed bytes over the
/// first second.
#[test]
fn cp_resume_bar_shows_the_real_rate() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read as _;

    let r = Resumable::new();
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(FXPC);
    cmd.args([
        "cp",
        "--resume",
        &r.source(),
        r.destination.to_str().unwrap(),
    ]);
    cmd.env("XDG_STATE_HOME", std::env::temp_dir());
    cmd.env("NETRC", "/nonexistent");
    cmd.env("FXPC_CONFIG", "/nonexistent/config.toml");
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let output = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("fxpc cp did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    drop(pair.master);
    let out = output.join().unwrap();
    assert!(status.success(), "{out}");
    r.check();
    let (bar, summary): (Vec<&str>, Vec<&str>) = out
        .split(['\r', '\n'])
        .filter(|l| l.contains("/s"))
        .partition(|l| !l.contains("verified"));
    let rates: Vec<f64> = bar.iter().flat_map(|l| rates_in(l)).collect();
    assert!(rates.len() >= 3, "the bar was drawn with rates: {out:?}");
    let limit = LIMIT as f64;
    let worst = rates.iter().copied().fold(0.0, f64::max);
    assert!(
        worst < 1.5 * limit,
        "the bar showed {} while the server sends at {}: {bar:#?}",
        human_bytes(worst as u64),
        human_bytes(LIMIT)
    );
    assert_eq!(summary.len(), 1, "{out:?}");
}

/// Runs the binary with stdout on a pipe, reads one line of it, then closes
/// the pipe as `head -1` does; returns the line, the exit status and all
/// of stderr.
fn read_one_line_then_close(args: &[&str]) -> (String, std::process::ExitStatus, String) {
    use std::io::Read as _;
    let mut child = Command::new(FXPC)
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .env("NETRC", "/nonexistent")
        .env("FXPC_CONFIG", "/nonexistent/config.toml")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // The reader is dropped here: the pipe has no reader any more.
    let status = child.wait().unwrap();
    (line, status, errors.join().unwrap())
}

/// `fxpc ls URL | head -1` ends as `ls | head -1` does: no message, and
/// the status a shell shows for a tool that SIGPIPE ended (128 + 13).
#[test]
fn ls_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    // More than a pipe holds (64 KiB): the listing is still being written
    // when the reader goes.
    for i in 0..3000 {
        let name = format!("a-name-long-enough-to-fill-the-pipe-sooner-{i:05}.txt");
        std::fs::write(root.join(name), b"x").unwrap();
    }
    let served = Served::start("127.0.0.2", &root, &[]);
    let (line, status, err) = read_one_line_then_close(&["ls", &format!("{}/", served.url)]);
    assert!(line.ends_with("-00000.txt\n"), "{line:?}");
    // The one line a plain session always gets (issue 19: said once) is
    // no error about the pipe.
    let err: String = err
        .lines()
        .filter(|l| !l.contains("not encrypted: the server does not offer AUTH TLS"))
        .collect();
    assert_eq!(err, "", "nothing on stderr");
    assert_eq!(status.code(), Some(141), "{status:?}");
}

/// `fxpc cp --json … | grep -q started` closes the pipe early: the copy
/// still finishes (a reader that left is no reason to leave a file half
/// copied), without a panic or an error, and the status is the copy's.
#[test]
fn cp_json_into_a_closed_pipe_finishes_the_copy_quietly() {
    let r = Resumable::new();
    let (line, status, err) = read_one_line_then_close(&[
        "cp",
        "--resume",
        "--json",
        &r.source(),
        r.destination.to_str().unwrap(),
    ]);
    assert!(line.contains("\"event\":\"queued\""), "{line:?}");
    assert_eq!(err, "", "nothing on stderr");
    assert!(status.success(), "{status:?}");
    r.check();
}

/// FileZilla's sites come over with their passwords: one import saves the
/// site (0600), a second saves nothing twice, and the saved password then
/// logs in — against a server that wants it. What cannot be imported is
/// said, never dropped in silence.
#[test]
fn a_filezilla_site_manager_imports_once_and_its_password_logs_in() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("here.txt"), b"hello").unwrap();
    let served = Served::start(
        "127.0.0.4",
        &root,
        &["--user", "bob:s3cret-pw", "--anonymous", "none"],
    );
    let addr = served.url.trim_start_matches("ftp://");
    let (host, port) = addr.rsplit_once(':').unwrap();
    // "s3cret-pw" in base64, as FileZilla keeps it.
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<FileZilla3 version="3.66.4" platform="*nix"><Servers>
  <Folder expanded="1">Lab
    <Server><Host>{host}</Host><Port>{port}</Port><Protocol>0</Protocol><Type>0</Type>
      <User>bob</User><Pass encoding="base64">czNjcmV0LXB3</Pass><Logontype>1</Logontype>
      <Name>served</Name></Server>
    <Server><Host>{host}</Host><Port>22</Port><Protocol>1</Protocol><User>bob</User>
      <Name>shell</Name></Server>
  </Folder>
</Servers></FileZilla3>"#
    );
    let file = dir.path().join("sitemanager.xml");
    std::fs::write(&file, xml).unwrap();
    let config = dir.path().join("config.toml");
    let config = config.to_str().unwrap();

    let (ok, out, err) = fxpc_with(&["sites", "import", file.to_str().unwrap()], config);
    assert!(ok, "{err}");
    assert!(out.contains("1 sites imported from FileZilla"), "{out}");
    assert!(out.contains("imported    Lab/served"), "{out}");
    assert!(
        out.contains("left out    Lab/shell: SFTP is not supported"),
        "{out}"
    );
    assert!(
        !out.contains("s3cret") && !err.contains("s3cret"),
        "{out}{err}"
    );
    let mode = std::fs::metadata(config).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let (ok, out, err) = fxpc_with(&["sites", "import", file.to_str().unwrap()], config);
    assert!(ok, "{err}");
    assert!(out.contains("0 sites imported"), "{out}");
    assert!(
        out.contains("Lab/served: already saved as Lab/served"),
        "{out}"
    );
    let saved = std::fs::read_to_string(config).unwrap();
    assert_eq!(saved.matches("[[site]]").count(), 1, "{saved}");

    let (ok, out, err) = fxpc_with(&["ls", &format!("ftp://bob@{addr}/")], config);
    assert!(ok, "{err}");
    assert!(out.contains("here.txt"), "{out}");
}

/// `-j 3` runs three copies at once: each site gets three sessions (it ran
/// two, under a silent cap of `--connections 2`). And all of a site's
/// sessions, progress polling included, stay within that: a destination
/// taking three sessions from an address refuses none (polling used to
/// open one more per copy, past any limit it was given).
#[test]
fn jobs_set_the_sessions_per_site_and_polling_stays_within_them() {
    let dir = tempfile::tempdir().unwrap();
    let (ra, rb, state) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("state"),
    );
    std::fs::create_dir_all(ra.join("t")).unwrap();
    std::fs::create_dir_all(&rb).unwrap();
    let bodies: Vec<Vec<u8>> = (0..3)
        .map(|i| common::pseudo_random(2_000_000, 70 + i))
        .collect();
    for (i, body) in bodies.iter().enumerate() {
        std::fs::write(ra.join(format!("t/f{i}.bin")), body).unwrap();
    }
    // 2 s a file: polling starts about a second in.
    let a = common::served::Served::start(
        &common::next_addr(),
        &ra,
        &state.join("a"),
        &["--rate", "1M"],
    );
    let b_state = state.join("b");
    let b =
        common::served::Served::start(&common::next_addr(), &rb, &b_state, &["--max-per-ip", "3"]);
    let (ok, out, err) = fxpc(&[
        "cp",
        "-r",
        "-j",
        "3",
        "--json",
        &format!("{}t", a.url),
        &format!("{}t", b.url),
    ]);
    assert!(ok, "{out}{err}");
    for (i, body) in bodies.iter().enumerate() {
        let arrived = std::fs::read(rb.join(format!("t/f{i}.bin"))).unwrap();
        assert!(arrived == *body, "f{i}.bin differs");
    }
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first_verified = events
        .iter()
        .position(|e| e["event"] == "verified")
        .expect("a verified event");
    let mut started: Vec<_> = events[..first_verified]
        .iter()
        .filter(|e| e["event"] == "started")
        .map(|e| e["job"].as_u64())
        .collect();
    started.sort();
    started.dedup();
    assert_eq!(started.len(), 3, "three copies at once:\n{out}");
    let log = std::fs::read_to_string(b_state.join("fxpc/fxpc.log")).unwrap();
    assert!(
        !log.contains("refused a session"),
        "the destination refused a session:\n{}",
        log.lines()
            .filter(|l| l.contains("refused"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A copy within one site needs two of its sessions at once: `-j 1`
/// alone (one session per site) still gives it two; only an explicit
/// `--connections 1` refuses, saying why.
#[test]
fn a_copy_within_one_site_has_two_sessions_at_j_1() {
    let dir = tempfile::tempdir().unwrap();
    let (root, state) = (dir.path().join("root"), dir.path().join("state"));
    std::fs::create_dir_all(&root).unwrap();
    let body = common::pseudo_random(100_000, 80);
    std::fs::write(root.join("a.bin"), &body).unwrap();
    let served = common::served::Served::start(&common::next_addr(), &root, &state, &[]);
    let (ok, out, err) = fxpc(&[
        "cp",
        "-j",
        "1",
        &format!("{}a.bin", served.url),
        &format!("{}b.bin", served.url),
    ]);
    assert!(ok, "{out}{err}");
    assert!(std::fs::read(root.join("b.bin")).unwrap() == body);
    let (ok, out, err) = fxpc(&[
        "cp",
        "--connections",
        "1",
        &format!("{}a.bin", served.url),
        &format!("{}c.bin", served.url),
    ]);
    assert!(!ok, "{out}{err}");
    assert!(format!("{out}{err}").contains("this needs 2"), "{out}{err}");
}
