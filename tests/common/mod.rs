//! Shared harness for tests that talk to FTP servers nobody on this project
//! wrote: vsftpd and pyftpdlib as child processes, libunftp in-process.
//!
//! Every launcher binds to the loopback address it is given (use a distinct
//! one per server, see [`next_addr`]) and stops its server when dropped.
//! When a server cannot be found the launcher prints `skipped: <why>` and
//! returns `None`, unless `FXPC_REQUIRE_REAL_SERVERS=1`, in which case it
//! panics with the reason (CI sets it, so a missing server fails the build).
//!
//! Where the files live: every server has a [`root`](Vsftpd::root) (its FTP
//! `/` on disk) and a home: the FTP directory tests work in
//! ([`home`](Vsftpd::home)) and that directory on disk
//! ([`files`](Vsftpd::files)). For pyftpdlib and libunftp the home is `/`.
//! vsftpd cannot let anonymous users write to the root of their chroot (its
//! `allow_writeable_chroot` is ignored for anonymous sessions), so its root is
//! made read-only and the writable home is `/pub`.
#![allow(dead_code)] // each test file uses part of the harness

pub mod ends;
pub mod jobs;
pub mod served;
pub mod unpacked;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long a server may take to start listening.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a missing server is a failure rather than a skip.
pub fn require_real_servers() -> bool {
    std::env::var("FXPC_REQUIRE_REAL_SERVERS").is_ok_and(|v| v == "1")
}

/// Prints `skipped: why` and returns `None`, or panics when real servers are
/// required.
pub fn skip<T>(why: impl AsRef<str>) -> Option<T> {
    let why = why.as_ref();
    if require_real_servers() {
        panic!("FXPC_REQUIRE_REAL_SERVERS=1 but {why}");
    }
    eprintln!("skipped: {why}");
    None
}

static NEXT_ADDR: AtomicU32 = AtomicU32::new(0);

/// A loopback address no other server in this test process has been given:
/// 127.0.0.2, 127.0.0.3, … (127.0.0.1 stays the clients' address).
pub fn next_addr() -> String {
    let n = NEXT_ADDR.fetch_add(1, Ordering::Relaxed);
    format!("127.0.{}.{}", 1 + n / 250, 2 + n % 250)
}

static NEXT_PASV: AtomicU32 = AtomicU32::new(0);

/// A passive port range of 50 ports, different for each call in this process
/// and, most likely, from other test processes running at the same time.
pub fn pasv_range() -> (u16, u16) {
    let n = NEXT_PASV.fetch_add(1, Ordering::Relaxed);
    let slot = std::process::id().wrapping_mul(7).wrapping_add(n) % 300;
    let low = 30000 + slot as u16 * 50;
    (low, low + 49)
}

/// A port that was free on `addr` a moment ago.
pub fn free_port(addr: &str) -> u16 {
    TcpListener::bind((addr, 0))
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("cannot bind {addr}:0: {e}"))
        .port()
}

/// Polls until `addr` accepts TCP connections; `alive` is asked between
/// attempts and can abort the wait (the server exited).
fn wait_for_port(
    addr: SocketAddr,
    mut alive: impl FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        alive()?;
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "nothing listening on {addr} after {START_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fresh directory for a server's files.
pub fn temp_root() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("fxpc-test-")
        .tempdir()
        .expect("create temp dir")
}

/// Writes `bytes` to `root/name` (parents created), readable by everyone so a
/// server that drops privileges can serve it.
pub fn seed(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create parent dirs");
    }
    fs::write(&path, bytes).expect("seed file");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod seeded file");
    path
}

/// `n` deterministic pseudo-random bytes (xorshift64*), different per `seed`.
pub fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Kills a child started with `process_group(0)` together with everything
/// it forked (vsftpd runs one process per session), then reaps it.
fn kill_group(child: &mut Child) {
    let pid = child.id();
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

fn read_or_empty(path: &Path) -> String {
    fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- vsftpd

pub const VSFTPD: &str = "/usr/sbin/vsftpd";

pub struct Vsftpd {
    child: Child,
    addr: String,
    port: u16,
    root: PathBuf,
    files: PathBuf,
    dir: tempfile::TempDir,
}

impl Vsftpd {
    /// Starts vsftpd on `addr` with anonymous, writable access: `root` becomes
    /// its FTP `/` (made read-only to the `ftp` user, as vsftpd demands) and
    /// `root/pub` the writable home. `fxp` allows data connections from and
    /// to foreign addresses (`pasv_promiscuous`, `port_promiscuous`).
    pub fn start(addr: &str, root: &Path, fxp: bool) -> Option<Vsftpd> {
        Vsftpd::start_with(addr, root, fxp, "")
    }

    /// As `start`, with more lines of vsftpd.conf (TLS settings, say).
    pub fn start_with(addr: &str, root: &Path, fxp: bool, extra: &str) -> Option<Vsftpd> {
        if !Path::new(VSFTPD).exists() {
            return skip(format!("{VSFTPD} not found (apt-get install vsftpd)"));
        }
        if fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1) != 0 {
            return skip("vsftpd needs root to chroot anonymous sessions");
        }
        let Some((ftp_uid, ftp_gid)) = system_user("ftp") else {
            return skip("no `ftp` user (the vsftpd package creates it)");
        };
        let dir = tempfile::Builder::new()
            .prefix("fxpc-vsftpd-")
            .tempdir()
            .expect("vsftpd temp dir");
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).expect("secure_chroot_dir");
        fs::set_permissions(&empty, fs::Permissions::from_mode(0o755)).unwrap();
        // The chroot must not be writable by the session's user...
        std::os::unix::fs::chown(root, Some(0), Some(0)).expect("chown root");
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        // ...so anonymous users write in a subdirectory.
        let files = root.join("pub");
        fs::create_dir_all(&files).expect("create pub");
        std::os::unix::fs::chown(&files, Some(ftp_uid), Some(ftp_gid)).expect("chown pub");
        fs::set_permissions(&files, fs::Permissions::from_mode(0o755)).unwrap();

        let port = free_port(addr);
        let (pasv_min, pasv_max) = pasv_range();
        let log = dir.path().join("vsftpd.log");
        let promiscuous = if fxp { "YES" } else { "NO" };
        let config = format!(
            "listen=YES
listen_ipv6=NO
listen_address={addr}
listen_port={port}
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root={root}
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_world_readable_only=NO
anon_umask=022
file_open_mode=0666
write_enable=YES
local_enable=NO
allow_writeable_chroot=YES
secure_chroot_dir={empty}
seccomp_sandbox=NO
max_per_ip=0
max_clients=0
pasv_enable=YES
pasv_min_port={pasv_min}
pasv_max_port={pasv_max}
pasv_promiscuous={promiscuous}
port_promiscuous={promiscuous}
utf8_filesystem=YES
log_ftp_protocol=YES
vsftpd_log_file={log}
dual_log_enable=YES
xferlog_enable=YES
xferlog_file={xferlog}
{extra}
",
            root = root.display(),
            empty = empty.display(),
            log = log.display(),
            xferlog = dir.path().join("xfer.log").display(),
        );
        let conf = dir.path().join("vsftpd.conf");
        fs::write(&conf, config).expect("write vsftpd.conf");
        let output = dir.path().join("output");
        let out = fs::File::create(&output).expect("vsftpd output file");
        let mut child = Command::new(VSFTPD)
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {VSFTPD}: {e}"));
        let sock: SocketAddr = format!("{addr}:{port}").parse().unwrap();
        let ready = wait_for_port(sock, || match child.try_wait() {
            Ok(Some(status)) => Err(format!("vsftpd exited with {status}")),
            _ => Ok(()),
        });
        if let Err(why) = ready {
            kill_group(&mut child);
            panic!(
                "vsftpd did not start: {why}\noutput:\n{}\nlog:\n{}",
                read_or_empty(&output),
                read_or_empty(&log)
            );
        }
        Some(Vsftpd {
            child,
            addr: addr.to_string(),
            port,
            root: root.to_path_buf(),
            files,
            dir,
        })
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn socket_addr(&self) -> SocketAddr {
        format!("{}:{}", self.addr, self.port).parse().unwrap()
    }
    /// The FTP `/` on disk (read-only to anonymous sessions).
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The writable home directory as FTP names it.
    pub fn home(&self) -> &str {
        "/pub"
    }
    /// The writable home directory on disk.
    pub fn files(&self) -> &Path {
        &self.files
    }
    /// The protocol log: every command and reply.
    pub fn log(&self) -> String {
        read_or_empty(&self.dir.path().join("vsftpd.log"))
    }
}

impl Drop for Vsftpd {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// uid and gid of a system user, from /etc/passwd.
fn system_user(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&name) && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

// ------------------------------------------------------------- pyftpdlib

pub struct Pyftpd {
    child: Child,
    addr: String,
    port: u16,
    root: PathBuf,
    log: tempfile::NamedTempFile,
}

/// The user the pyftpdlib server knows besides `anonymous` (which may write
/// too).
pub const PYFTPD_USER: &str = "fxpc";
pub const PYFTPD_PASSWORD: &str = "fxpc";

/// A Python that can `import pyftpdlib`: `$FXPC_PYTHON`, the venv the
/// developers use, the CI venv, then the system's `python3`.
pub fn find_python() -> Result<PathBuf, String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("FXPC_PYTHON") {
        candidates.push(p.into());
    }
    candidates.push("/tmp/pyftpd-venv/bin/python".into());
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/python"));
    candidates.push("python3".into());
    let mut tried = Vec::new();
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import pyftpdlib"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(python);
        }
        tried.push(python.display().to_string());
    }
    Err(format!(
        "no Python with pyftpdlib (tried {}; set FXPC_PYTHON)",
        tried.join(", ")
    ))
}

impl Pyftpd {
    /// Starts `tests/pyftpd_server.py` on `addr`, serving `root` to
    /// `anonymous` and to [`PYFTPD_USER`], both with full write access.
    pub fn start(addr: &str, root: &Path, fxp: bool) -> Option<Pyftpd> {
        Pyftpd::start_with(addr, root, fxp, &[])
    }

    /// FTPS with `cert` (TLS_FTPHandler; `required`: nothing outside TLS).
    pub fn start_tls(addr: &str, root: &Path, cert: &TestCert, required: bool) -> Option<Pyftpd> {
        Pyftpd::start_tls_fxp(addr, root, cert, required, false)
    }

    /// As `start_tls`, with foreign data connections allowed when `fxp`.
    pub fn start_tls_fxp(
        addr: &str,
        root: &Path,
        cert: &TestCert,
        required: bool,
        fxp: bool,
    ) -> Option<Pyftpd> {
        let (c, k) = (
            cert.cert.display().to_string(),
            cert.key.display().to_string(),
        );
        let mut args = vec!["--tls-cert".to_string(), c, "--tls-key".to_string(), k];
        if required {
            args.push("--tls-required".into());
        }
        Pyftpd::start_with(addr, root, fxp, &args)
    }

    fn start_with(addr: &str, root: &Path, fxp: bool, extra: &[String]) -> Option<Pyftpd> {
        let python = match find_python() {
            Ok(p) => p,
            Err(why) => return skip(why),
        };
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pyftpd_server.py");
        let log = tempfile::Builder::new()
            .prefix("fxpc-pyftpd-")
            .suffix(".log")
            .tempfile()
            .expect("pyftpd log file");
        let (pasv_min, pasv_max) = pasv_range();
        let mut command = Command::new(&python);
        command
            .arg(&script)
            .args(["--host", addr, "--port", "0"])
            .arg("--root")
            .arg(root)
            .args(["--user", PYFTPD_USER, "--password", PYFTPD_PASSWORD])
            .arg("--passive-ports")
            .arg(format!("{pasv_min}-{pasv_max}"))
            .arg("--log")
            .arg(log.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if fxp {
            command.arg("--fxp");
        }
        command.args(extra);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));

        let (port, line) = ready_port(&mut child);
        let Some(port) = port else {
            kill_group(&mut child);
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut err);
            }
            panic!("pyftpd_server.py did not start (stdout {line:?}):\n{err}");
        };
        // Drain stderr so the child never blocks on a full pipe.
        if let Some(mut stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                let mut sink = Vec::new();
                let _ = stderr.read_to_end(&mut sink);
            });
        }
        Some(Pyftpd {
            child,
            addr: addr.to_string(),
            port,
            root: root.to_path_buf(),
            log,
        })
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn socket_addr(&self) -> SocketAddr {
        format!("{}:{}", self.addr, self.port).parse().unwrap()
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn home(&self) -> &str {
        "/"
    }
    pub fn files(&self) -> &Path {
        &self.root
    }
    /// pyftpdlib's debug log: every command and reply.
    pub fn log(&self) -> String {
        read_or_empty(self.log.path())
    }
}

impl Drop for Pyftpd {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

// -------------------------------------------------------------- libunftp

/// libunftp serving a directory from a thread of its own; stops on drop.
pub struct Unftp {
    addr: SocketAddr,
    root: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Unftp {
    /// Starts libunftp on `addr` (any port), accepting any user, active and
    /// passive mode on. Each control connection gets its own server instance
    /// (`Server::service`), accepted from a listener this harness binds, so
    /// the port is known without a race.
    pub fn start(addr: &str, root: &Path) -> Unftp {
        use libunftp::ServerBuilder;
        use libunftp::options::ActivePassiveMode;
        use unftp_sbe_fs::Filesystem;

        let listener = TcpListener::bind((addr, 0))
            .unwrap_or_else(|e| panic!("cannot bind {addr}:0 for libunftp: {e}"));
        listener.set_nonblocking(true).unwrap();
        let local = listener.local_addr().unwrap();
        let (pasv_min, pasv_max) = pasv_range();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let served = root.to_path_buf();
        let thread = std::thread::Builder::new()
            .name(format!("libunftp-{local}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("libunftp runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    loop {
                        tokio::select! {
                            _ = &mut stop_rx => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let root = served.clone();
                                let server = ServerBuilder::new(Box::new(move || {
                                    Filesystem::new(root.clone()).expect("libunftp filesystem")
                                }))
                                .greeting("libunftp test server")
                                .passive_ports(pasv_min..=pasv_max)
                                .active_passive_mode(ActivePassiveMode::ActiveAndPassive)
                                .build()
                                .expect("build libunftp server");
                                tokio::spawn(async move {
                                    let _ = server.service(stream).await;
                                });
                            }
                        }
                    }
                });
                // Sessions still running are cut off here.
                runtime.shutdown_timeout(Duration::from_secs(2));
            })
            .expect("spawn libunftp thread");
        Unftp {
            addr: local,
            root: root.to_path_buf(),
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn socket_addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn addr(&self) -> String {
        self.addr.ip().to_string()
    }
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn home(&self) -> &str {
        "/"
    }
    pub fn files(&self) -> &Path {
        &self.root
    }
}

impl Drop for Unftp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Waits for a Python server's "ready <port>" line without blocking for
/// ever on a silent child; returns the port, and the line as read.
fn ready_port(child: &mut Child) -> (Option<u16>, String) {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
    let port = line
        .strip_prefix("ready ")
        .and_then(|p| p.trim().parse::<u16>().ok());
    (port, line)
}

// ---------------------------------------------------------- hostile server

/// `tests/hostile_server.py`: a small in-memory FTP server that misbehaves
/// as its flags say (see the script). Needs only the standard library.
pub struct Hostile {
    child: Child,
    addr: String,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl Hostile {
    pub fn start(addr: &str, flags: &[&str]) -> Hostile {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile_server.py");
        let log = tempfile::Builder::new()
            .prefix("fxpc-hostile-")
            .suffix(".log")
            .tempfile()
            .expect("hostile log file");
        let mut child = Command::new("python3")
            .arg(&script)
            .args(["--host", addr, "--port", "0"])
            .arg("--log")
            .arg(log.path())
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
        let (port, line) = ready_port(&mut child);
        let Some(port) = port else {
            kill_group(&mut child);
            panic!("hostile_server.py did not start (stdout {line:?})");
        };
        Hostile {
            child,
            addr: addr.to_string(),
            port,
            log,
        }
    }

    pub fn socket_addr(&self) -> SocketAddr {
        format!("{}:{}", self.addr, self.port).parse().unwrap()
    }

    /// Every command it received, and what it did silently.
    pub fn log(&self) -> String {
        read_or_empty(self.log.path())
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

// ---------------------------------------------------------------- TLS

/// A certificate and its key, written as PEM files, and its DER bytes.
pub struct TestCert {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub der: Vec<u8>,
    _dir: tempfile::TempDir,
}

/// A self-signed certificate for `names` (IP addresses or DNS names),
/// valid from `not_before` days ago until `not_after` days from now
/// (negative: already expired).
pub fn test_cert(names: &[&str], not_before: i64, not_after: i64) -> TestCert {
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("certificate names");
    let now = std::time::SystemTime::now();
    let day = std::time::Duration::from_secs(86_400);
    let at = |days: i64| {
        let t = if days >= 0 {
            now + day * days as u32
        } else {
            now - day * (-days) as u32
        };
        rcgen::date_time_ymd(1970, 1, 1)
            + std::time::Duration::from_secs(
                t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
            )
    };
    params.not_before = at(-not_before);
    params.not_after = at(not_after);
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("self-signed certificate");
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    fs::write(&cert_path, cert.pem()).unwrap();
    fs::write(&key_path, key.serialize_pem()).unwrap();
    // vsftpd reads them as root after dropping to its own user for nothing;
    // keep them private anyway.
    fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600)).unwrap();
    TestCert {
        cert: cert_path,
        key: key_path,
        der: cert.der().to_vec(),
        _dir: dir,
    }
}

/// vsftpd.conf lines for FTPS with `cert`: anonymous sessions may use TLS
/// (`force` makes them), data connections must resume the control
/// connection's session when `reuse` (vsftpd's default).
pub fn vsftpd_tls(cert: &TestCert, force: bool, reuse: bool, implicit: bool) -> String {
    let yes = |b: bool| if b { "YES" } else { "NO" };
    format!(
        "ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl={force}
force_anon_data_ssl={force}
require_ssl_reuse={reuse}
implicit_ssl={implicit}
ssl_ciphers=HIGH
rsa_cert_file={cert}
rsa_private_key_file={key}
",
        force = yes(force),
        reuse = yes(reuse),
        implicit = yes(implicit),
        cert = cert.cert.display(),
        key = cert.key.display(),
    )
}

/// The real `fxpc` binary as a person runs it, with its config, state,
/// journal and netrc kept in `state` (none of the user's own), no
/// terminal on stdin.
pub fn fxpc_in(state: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fxpc"));
    command
        .env("FXPC_CONFIG", state.join("config.toml"))
        .env("XDG_STATE_HOME", state)
        .env("FXPC_QUEUE", state.join("queue.sqlite3"))
        .env("NETRC", "/nonexistent")
        .stdin(Stdio::null());
    command
}
