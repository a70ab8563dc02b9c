//! Every ordered pair of the servers people run — vsftpd, ProFTPD,
//! Pure-FTPd, pyftpdlib and `fxpc serve` — through the real `fxpc cp` with
//! default flags: a 1 MiB copy and an append, in plain FTP with FXP
//! allowed, in TLS, and each server as shipped (FXP refused) as source and
//! as destination. Each case either delivers identical bytes (read back
//! from disk) or fails with a message naming the refusing end and its
//! reply; none takes more than 15 s, none is reported verified when short.
//! The matrix is printed (run with `--nocapture` to see it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::unpacked::{self, Setup};
use common::{TestCert, pasv_range};

/// No case may take longer (the bound for a refusal plus the
/// fallback).
const CASE_LIMIT: Duration = Duration::from_secs(15);
/// Past this the process is killed and the case is a hang.
const KILL_AFTER: Duration = Duration::from_secs(40);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Vsftpd,
    Proftpd,
    PureFtpd,
    Pyftpdlib,
    Fxpc,
}

const KINDS: [Kind; 5] = [
    Kind::Vsftpd,
    Kind::Proftpd,
    Kind::PureFtpd,
    Kind::Pyftpdlib,
    Kind::Fxpc,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Vsftpd => "vsftpd",
            Kind::Proftpd => "ProFTPD",
            Kind::PureFtpd => "Pure-FTPd",
            Kind::Pyftpdlib => "pyftpdlib",
            Kind::Fxpc => "fxpc serve",
        }
    }
}

/// One running server: the URL of its writable directory (ending in `/`),
/// that directory on disk, and whatever stops it when dropped.
struct Peer {
    kind: Kind,
    url: String,
    files: PathBuf,
    _guard: Box<dyn std::any::Any + Send + Sync>,
    log: Box<dyn Fn() -> String + Send + Sync>,
}

/// `fxpc serve` as a user starts it, stopped when dropped.
struct Serve {
    child: std::process::Child,
    _root: tempfile::TempDir,
    _secret: tempfile::NamedTempFile,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_serve(addr: &str, setup: Setup, cert: Option<&TestCert>) -> (Serve, PathBuf, u16) {
    let root = common::temp_root();
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), unpacked::PASSWORD).unwrap();
    let port = common::free_port(addr);
    let (low, high) = pasv_range();
    let mut command = Command::new(env!("CARGO_BIN_EXE_fxpc"));
    command
        .arg("serve")
        .arg("--root")
        .arg(root.path())
        .arg("--listen")
        .arg(format!("{addr}:{port}"))
        .arg("--user")
        .arg(format!("{}:@{}", unpacked::USER, secret.path().display()))
        .arg("--pasv-range")
        .arg(format!("{low}-{high}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if setup.fxp {
        command.arg("--allow-fxp");
    }
    if setup.tls {
        let cert = cert.unwrap();
        command
            .arg("--tls-cert")
            .arg(&cert.cert)
            .arg("--tls-key")
            .arg(&cert.key);
        if setup.tls_required {
            command.args(["--tls", "required"]);
        }
    }
    let child = command.spawn().expect("start fxpc serve");
    let deadline = Instant::now() + common::START_TIMEOUT;
    while std::net::TcpStream::connect((addr, port)).is_err() {
        assert!(Instant::now() < deadline, "fxpc serve did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let files = root.path().to_path_buf();
    (
        Serve {
            child,
            _root: root,
            _secret: secret,
        },
        files,
        port,
    )
}

fn start(kind: Kind, setup: Setup, cert: Option<&TestCert>) -> Option<Peer> {
    start_at(common::next_addr(), kind, setup, cert)
}

fn start_at(addr: String, kind: Kind, setup: Setup, cert: Option<&TestCert>) -> Option<Peer> {
    let scheme = if setup.tls { "ftpes" } else { "ftp" };
    let user_url = |port: u16| format!("{scheme}://{}@{addr}:{port}/", unpacked::USER);
    Some(match kind {
        Kind::Vsftpd => {
            let root = common::temp_root();
            let extra = if setup.tls {
                common::vsftpd_tls(
                    cert.unwrap(),
                    setup.tls_required,
                    setup.reuse_required,
                    false,
                )
            } else {
                String::new()
            };
            let server = common::Vsftpd::start_with(&addr, root.path(), setup.fxp, &extra)?;
            let server = std::sync::Arc::new(server);
            let log = server.clone();
            Peer {
                kind,
                url: format!("{scheme}://{addr}:{}/pub/", server.port()),
                files: server.files().to_path_buf(),
                _guard: Box::new((server, root)),
                log: Box::new(move || log.log()),
            }
        }
        Kind::Proftpd | Kind::PureFtpd => {
            let server = if kind == Kind::Proftpd {
                unpacked::proftpd(&addr, setup, cert)?
            } else {
                unpacked::pure_ftpd(&addr, setup, cert)?
            };
            let server = std::sync::Arc::new(server);
            let log = server.clone();
            Peer {
                kind,
                url: user_url(server.port()),
                files: server.files().to_path_buf(),
                _guard: Box::new(server),
                log: Box::new(move || log.log()),
            }
        }
        Kind::Pyftpdlib => {
            let root = common::temp_root();
            let server = if setup.tls {
                common::Pyftpd::start_tls_fxp(
                    &addr,
                    root.path(),
                    cert.unwrap(),
                    setup.tls_required,
                    setup.fxp,
                )?
            } else {
                common::Pyftpd::start(&addr, root.path(), setup.fxp)?
            };
            let server = std::sync::Arc::new(server);
            let log = server.clone();
            Peer {
                kind,
                url: user_url(server.port()),
                files: server.files().to_path_buf(),
                _guard: Box::new((server, root)),
                log: Box::new(move || log.log()),
            }
        }
        Kind::Fxpc => {
            let (serve, files, port) = start_serve(&addr, setup, cert);
            Peer {
                kind,
                url: user_url(port),
                files,
                _guard: Box::new(Mutex::new(serve)),
                log: Box::new(String::new),
            }
        }
    })
}

/// What one case came to.
#[derive(Debug)]
enum Outcome {
    /// Identical bytes arrived; the way that carried them.
    Delivered { mode: String, took: Duration },
    /// Failed, naming the refusing end and its reply.
    Named { reply: String, took: Duration },
    /// Anything else: a hang, a wrong file called verified, a failure
    /// that names nobody.
    Bad(String),
}

impl Outcome {
    fn cell(&self) -> String {
        match self {
            Outcome::Delivered { mode, took } => {
                let way = if mode.starts_with("FXP") {
                    "FXP"
                } else if mode.starts_with("LSTN") {
                    "LSTN"
                } else {
                    mode.as_str()
                };
                format!("{way} {:.1}s", took.as_secs_f64())
            }
            Outcome::Named { reply, took } => format!("no: {reply} {:.1}s", took.as_secs_f64()),
            Outcome::Bad(_) => "BAD".to_string(),
        }
    }
}

fn seed(peer: &Peer, name: &str, bytes: &[u8]) {
    let path = peer.files.join(name);
    std::fs::write(&path, bytes).unwrap();
    unpacked::give_to_ftp(&path);
}

/// Runs `fxpc cp` and judges what arrived at `landed` against `expected`.
fn run_cp(args: &[String], cert: Option<&Path>, landed: &Path, expected: &[u8]) -> Outcome {
    let state = tempfile::tempdir().unwrap();
    let mut command = common::fxpc_in(state.path());
    command.arg("cp").arg("--json");
    if let Some(cert) = cert {
        command.arg("--ca-file").arg(cert);
    }
    command
        .args(args)
        .env("FXPC_PASSWORD", unpacked::PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let began = Instant::now();
    let mut child = command.spawn().expect("run fxpc cp");
    // Read both pipes on threads so a chatty child never blocks.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if began.elapsed() > KILL_AFTER {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = began.elapsed();
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    let Some(status) = status else {
        return Outcome::Bad(format!("hung for {took:?}\n{stdout}\n{stderr}"));
    };
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let verified = events.iter().find(|e| e["event"] == "verified");
    let arrived = std::fs::read(landed).ok();
    if took > CASE_LIMIT {
        return Outcome::Bad(format!("took {took:?}\n{stdout}\n{stderr}"));
    }
    if status.success() {
        return match (verified, arrived) {
            (Some(v), Some(bytes)) if bytes == expected => Outcome::Delivered {
                mode: v["mode"].as_str().unwrap_or("?").to_string(),
                took,
            },
            (_, bytes) => Outcome::Bad(format!(
                "reported success, {} bytes arrived of {}\n{stdout}\n{stderr}",
                bytes.map_or(0, |b| b.len()),
                expected.len()
            )),
        };
    }
    let failed = events.iter().find(|e| e["event"] == "failed");
    let reason = failed
        .and_then(|f| f["reason"].as_str())
        .unwrap_or_default()
        .to_string();
    let reply = failed
        .and_then(|f| f["replies"].as_array())
        .and_then(|r| r.first())
        .and_then(|r| r.as_str())
        .map(str::to_string)
        .or_else(|| {
            // The reason quotes the reply when `replies` is empty.
            reason
                .split_whitespace()
                .find(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))
                .map(|code| format!("{code} (in the reason)"))
        });
    let names_end = reason.contains("source") || reason.contains("destination");
    match reply {
        Some(reply) if names_end && arrived.as_deref() != Some(expected) => {
            let code: String = reply
                .split(": ")
                .nth(1)
                .unwrap_or(&reply)
                .chars()
                .take(3)
                .collect();
            let end = reply.split(':').next().unwrap_or("");
            Outcome::Named {
                reply: format!("{end} {code}"),
                took,
            }
        }
        _ => Outcome::Bad(format!(
            "failed without naming the end and its reply: {reason}\n{stdout}\n{stderr}"
        )),
    }
}

/// Both cases (a copy and an append) for one ordered pair.
fn pair_cases(source: &Peer, destination: &Peer, cert: Option<&Path>, n: usize) -> [Outcome; 2] {
    let body = common::pseudo_random(1024 * 1024, 7 + n as u64);
    let name = format!("m{n}.bin");
    seed(source, &name, &body);
    let copy = run_cp(
        &[format!("{}{name}", source.url), destination.url.clone()],
        cert,
        &destination.files.join(&name),
        &body,
    );
    // The append: a short head at the destination grows by the source.
    let tail = common::pseudo_random(100_000, 1000 + n as u64);
    let tail_name = format!("t{n}.bin");
    let grown = format!("g{n}.bin");
    seed(source, &tail_name, &tail);
    let head = b"the head of the file\n".to_vec();
    seed(destination, &grown, &head);
    let mut expected = head;
    expected.extend_from_slice(&tail);
    let append = run_cp(
        &[
            "--append".to_string(),
            format!("{}{tail_name}", source.url),
            format!("{}{grown}", destination.url),
        ],
        cert,
        &destination.files.join(&grown),
        &expected,
    );
    [copy, append]
}

/// Starts two instances of every kind under `setup` (a pair may be two of
/// one kind), or `None` when a server is missing and not required.
fn fleet(setup: Setup, cert: Option<&TestCert>) -> Option<Vec<(Peer, Peer)>> {
    let mut all = Vec::new();
    for kind in KINDS {
        let a = start(kind, setup, cert)?;
        let b = start(kind, setup, cert)?;
        all.push((a, b));
    }
    Some(all)
}

/// Runs every ordered pair, a few at a time, and returns the table and
/// every bad case's story.
fn matrix(title: &str, fleet: &[(Peer, Peer)], cert: Option<&Path>) -> (String, Vec<String>) {
    let mut jobs = Vec::new();
    for (i, (s, _)) in fleet.iter().enumerate() {
        for (j, (d, d2)) in fleet.iter().enumerate() {
            let destination = if i == j { d2 } else { d };
            jobs.push((s, destination));
        }
    }
    let results: Mutex<Vec<(Kind, Kind, [Outcome; 2])>> = Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((s, d)) = jobs.get(n) else { break };
                    let outcome = pair_cases(s, d, cert, n);
                    results.lock().unwrap().push((s.kind, d.kind, outcome));
                }
            });
        }
    });
    render(title, results.into_inner().unwrap(), fleet)
}

fn render(
    title: &str,
    results: Vec<(Kind, Kind, [Outcome; 2])>,
    fleet: &[(Peer, Peer)],
) -> (String, Vec<String>) {
    let mut table = format!("\n{title} (copy 1 MiB / append 100 kB; rows: source)\n");
    table.push_str(&format!("| {:<11}", "source \\ dst"));
    for kind in KINDS {
        table.push_str(&format!("| {:<34}", kind.name()));
    }
    table.push_str("|\n");
    let mut bad = Vec::new();
    for s in KINDS {
        table.push_str(&format!("| {:<11}", s.name()));
        for d in KINDS {
            let cell = results
                .iter()
                .find(|(a, b, _)| *a == s && *b == d)
                .map(|(_, _, [copy, append])| {
                    for (what, o) in [("copy", copy), ("append", append)] {
                        if let Outcome::Bad(story) = o {
                            let logs: String = fleet
                                .iter()
                                .filter(|(p, _)| p.kind == s || p.kind == d)
                                .map(|(p, q)| format!("{}\n{}", (p.log)(), (q.log)()))
                                .collect();
                            bad.push(format!(
                                "{title}: {} -> {} {what}: {story}\n--- server logs ---\n{}",
                                s.name(),
                                d.name(),
                                tail_of(&logs, 4000)
                            ));
                        }
                    }
                    format!("{} / {}", copy.cell(), append.cell())
                })
                .unwrap_or_default();
            table.push_str(&format!("| {cell:<34}"));
        }
        table.push_str("|\n");
    }
    (table, bad)
}

fn tail_of(s: &str, n: usize) -> &str {
    let start = s.len().saturating_sub(n);
    let start = (start..s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(s.len());
    &s[start..]
}

/// Whether every copy delivered: between servers that allow FXP (or
/// whose refusal leaves the relay), a copy has no reason to fail. Appends
/// may be refused by name: ProFTPD refuses `APPE` unless
/// `AllowStoreRestart` is on, whichever way the bytes come.
fn copies_delivered(table: &str) -> bool {
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| source"))
        .flat_map(|l| l.split('|').skip(2))
        .filter(|cell| !cell.trim().is_empty())
        .all(|cell| {
            let copy = cell.split(" / ").next().unwrap_or("");
            !copy.contains("no:") && !copy.contains("BAD")
        })
}

#[test]
fn every_pair_of_servers_copies_and_appends_in_plain_ftp() {
    let Some(fleet) = fleet(Setup::FXP, None) else {
        return;
    };
    let (table, bad) = matrix("plain FTP, FXP allowed", &fleet, None);
    println!("{table}");
    assert!(
        bad.is_empty() && copies_delivered(&table),
        "{table}\n{}",
        bad.join("\n\n")
    );
}

/// TLS everywhere (required), FXP allowed; vsftpd and ProFTPD require TLS
/// session reuse on data connections, as they ship.
#[test]
fn every_pair_of_servers_copies_and_appends_in_tls() {
    // One certificate names every server's address: `--ca-file` then
    // vouches for all of them, and ProFTPD's SSCN client meets it too.
    let addrs: Vec<String> = (0..KINDS.len() * 2).map(|_| common::next_addr()).collect();
    let names: Vec<&str> = addrs.iter().map(String::as_str).collect();
    let cert = common::test_cert(&names, 1, 30);
    let mut addrs = addrs.into_iter();
    let mut fleet = Vec::new();
    for kind in KINDS {
        let reuse = matches!(kind, Kind::Vsftpd | Kind::Proftpd);
        let setup = Setup::tls(reuse);
        let (Some(a), Some(b)) = (
            start_at(addrs.next().unwrap(), kind, setup, Some(&cert)),
            start_at(addrs.next().unwrap(), kind, setup, Some(&cert)),
        ) else {
            return;
        };
        fleet.push((a, b));
    }
    let (table, bad) = matrix("TLS required, FXP allowed", &fleet, Some(&cert.cert));
    println!("{table}");
    assert!(
        bad.is_empty() && copies_delivered(&table),
        "{table}\n{}",
        bad.join("\n\n")
    );
}

/// Each server as it ships (FXP refused; Pure-FTPd lists AUTH TLS and
/// refuses it) as the source and as the destination of a copy with a
/// vsftpd that allows FXP: what a person meets first.
#[test]
fn each_server_as_shipped_as_source_and_destination() {
    let Some(open) = start(Kind::Vsftpd, Setup::FXP, None) else {
        return;
    };
    let mut stock = Vec::new();
    for kind in KINDS {
        let Some(peer) = start(kind, Setup::STOCK, None) else {
            return;
        };
        stock.push(peer);
    }
    let mut table =
        String::from("\nas shipped (copy 1 MiB / append 100 kB), with a vsftpd that allows FXP\n");
    let mut bad = Vec::new();
    for (n, peer) in stock.iter().enumerate() {
        for (what, s, d) in [("source", peer, &open), ("destination", &open, peer)] {
            let outcomes = pair_cases(s, d, None, 100 + n * 2 + usize::from(what == "destination"));
            let cells: Vec<String> = outcomes.iter().map(Outcome::cell).collect();
            table.push_str(&format!(
                "| {:<11} as {what:<11} | {:<34} | {:<34} |\n",
                peer.kind.name(),
                cells[0],
                cells[1]
            ));
            if !matches!(outcomes[0], Outcome::Delivered { .. }) {
                bad.push(format!(
                    "{} as {what}: the copy did not arrive although the relay can always carry it",
                    peer.kind.name()
                ));
            }
            for o in &outcomes {
                if let Outcome::Bad(story) = o {
                    bad.push(format!(
                        "{} as {what}: {story}\n{}",
                        peer.kind.name(),
                        tail_of(&(peer.log)(), 4000)
                    ));
                }
            }
        }
    }
    println!("{table}");
    assert!(bad.is_empty(), "{table}\n{}", bad.join("\n\n"));
}
