//! ProFTPD and Pure-FTPd, as Debian ships them, run from the directories
//! `.ci/run` unpacks their packages into (they conflict with vsftpd as
//! `ftp-server`, so apt installs only one of the three).
//!
//! Both log in the user [`USER`] with [`PASSWORD`] from a password file of
//! their own (no system account, no PAM); the user's files belong to the
//! `ftp` system user that the vsftpd package creates. `stock` starts a
//! server with its shipped defaults (FXP refused, and for Pure-FTPd `AUTH
//! TLS` listed but refused); `fxp` allows foreign data connections.

use std::fs;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{TestCert, free_port, kill_group, pasv_range, read_or_empty, skip, system_user};

pub const USER: &str = "fxpc";
pub const PASSWORD: &str = "fxpc";
/// `fxpc` under SHA-512 crypt with a fixed salt (`openssl passwd -6`): both
/// servers read crypt(3) hashes.
const PASSWORD_HASH: &str = "$6$fxpcsalt$0eLkCMtSA0NwDMJCITnZv5SaUIQJbB.e7T7wiNBubzspxdC0QK5pnOsZrHvijQZZ67ks5EqbZ8IcEIST.qGO1/";

const SERVERS: &str = "/opt/fxpc-servers";

fn binary(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(SERVERS).join(default))
}

/// How a server is set up for a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Foreign data connections allowed (FXP).
    pub fxp: bool,
    /// TLS offered (and required when `tls_required`).
    pub tls: bool,
    pub tls_required: bool,
    /// TLS data connections must resume the control connection's session.
    pub reuse_required: bool,
}

impl Setup {
    pub const STOCK: Setup = Setup {
        fxp: false,
        tls: false,
        tls_required: false,
        reuse_required: false,
    };
    pub const FXP: Setup = Setup {
        fxp: true,
        ..Setup::STOCK
    };
    pub fn tls(reuse_required: bool) -> Setup {
        Setup {
            fxp: true,
            tls: true,
            tls_required: true,
            reuse_required,
        }
    }
}

/// A server run from an unpacked package, stopped when dropped.
pub struct Unpacked {
    child: Child,
    addr: String,
    port: u16,
    files: PathBuf,
    dir: tempfile::TempDir,
    log: PathBuf,
}

impl Unpacked {
    pub fn addr(&self) -> &str {
        &self.addr
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn socket_addr(&self) -> SocketAddr {
        format!("{}:{}", self.addr, self.port).parse().unwrap()
    }
    /// The user's home: `/` after the chroot.
    pub fn home(&self) -> &str {
        "/"
    }
    pub fn files(&self) -> &Path {
        &self.files
    }
    pub fn log(&self) -> String {
        read_or_empty(&self.log)
    }
    pub fn output(&self) -> String {
        read_or_empty(&self.dir.path().join("output"))
    }
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// The checks both servers share; `None` (skipped) when they cannot run.
fn prepare(binary: &Path, what: &str) -> Option<(u32, u32, tempfile::TempDir, PathBuf)> {
    if !binary.exists() {
        return skip(format!(
            "{} not found ({what}: .ci/run unpacks it into {SERVERS})",
            binary.display()
        ));
    }
    if !nix_is_root() {
        return skip(format!("{what} needs root"));
    }
    let Some((uid, gid)) = system_user("ftp") else {
        return skip("no `ftp` user (the vsftpd package creates it)");
    };
    let dir = tempfile::Builder::new()
        .prefix("fxpc-unpacked-")
        .tempdir()
        .expect("server temp dir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let files = dir.path().join("home");
    fs::create_dir(&files).unwrap();
    std::os::unix::fs::chown(&files, Some(uid), Some(gid)).unwrap();
    Some((uid, gid, dir, files))
}

fn nix_is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1) == 0
}

fn spawn(mut command: Command, dir: &Path, addr: &str, port: u16, what: &str) -> Child {
    let output = dir.join("output");
    let out = fs::File::create(&output).expect("server output file");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let sock: SocketAddr = format!("{addr}:{port}").parse().unwrap();
    let ready = super::wait_for_port(sock, || match child.try_wait() {
        Ok(Some(status)) => Err(format!("{what} exited with {status}")),
        _ => Ok(()),
    });
    if let Err(why) = ready {
        kill_group(&mut child);
        panic!(
            "{what} did not start: {why}\noutput:\n{}",
            read_or_empty(&output)
        );
    }
    child
}

/// Files seeded into a server's home must belong to its user.
pub fn give_to_ftp(path: &Path) {
    if let Some((uid, gid)) = system_user("ftp") {
        let _ = std::os::unix::fs::chown(path, Some(uid), Some(gid));
    }
}

pub fn proftpd(addr: &str, setup: Setup, cert: Option<&TestCert>) -> Option<Unpacked> {
    let bin = binary("FXPC_PROFTPD", "proftpd/usr/sbin/proftpd");
    let (uid, gid, dir, files) = prepare(&bin, "ProFTPD")?;
    let modules = bin
        .parent()
        .and_then(Path::parent)
        .map(|usr| usr.join("lib/proftpd"))
        .unwrap();
    let passwd = dir.path().join("passwd");
    fs::write(
        &passwd,
        format!(
            "{USER}:{PASSWORD_HASH}:{uid}:{gid}::{}:/bin/sh\n",
            files.display()
        ),
    )
    .unwrap();
    let group = dir.path().join("group");
    fs::write(&group, format!("ftp:x:{gid}:\n")).unwrap();
    // mod_auth_file refuses password files others can read.
    for f in [&passwd, &group] {
        fs::set_permissions(f, fs::Permissions::from_mode(0o600)).unwrap();
    }
    let port = free_port(addr);
    let (low, high) = pasv_range();
    let log = dir.path().join("protocol.log");
    let d = dir.path().display();
    let mut config = format!(
        "ServerType standalone
DefaultAddress {addr}
Port {port}
SocketBindTight on
UseIPv6 off
UseReverseDNS off
DelayEngine off
AuthPAM off
AuthOrder mod_auth_file.c
AuthUserFile {passwd}
AuthGroupFile {group}
RequireValidShell off
DefaultRoot ~
PassivePorts {low} {high}
AllowOverwrite on
PidFile {d}/proftpd.pid
ScoreboardFile {d}/scoreboard
WtmpLog off
ExtendedLog {log} ALL
User nobody
Group nogroup
MaxInstances 200
ModulePath {modules}
LoadModule mod_digest.c
",
        passwd = passwd.display(),
        group = group.display(),
        log = log.display(),
        modules = modules.display(),
    );
    if setup.fxp {
        config.push_str("AllowForeignAddress on\n");
    }
    if setup.tls {
        let cert = cert.expect("a TLS ProFTPD needs a certificate");
        config.push_str(&format!(
            "LoadModule mod_tls.c
TLSEngine on
TLSProtocol TLSv1.2 TLSv1.3
TLSRSACertificateFile {cert}
TLSRSACertificateKeyFile {key}
TLSRequired {required}
TLSRenegotiate none
TLSVerifyServer off
TLSLog {d}/tls.log
{reuse}
",
            cert = cert.cert.display(),
            key = cert.key.display(),
            required = if setup.tls_required { "on" } else { "off" },
            reuse = if setup.reuse_required {
                ""
            } else {
                "TLSOptions NoSessionReuseRequired"
            },
        ));
    }
    let conf = dir.path().join("proftpd.conf");
    fs::write(&conf, config).unwrap();
    let mut command = Command::new(&bin);
    command.arg("-n").arg("-q").arg("-c").arg(&conf);
    let child = spawn(command, dir.path(), addr, port, "proftpd");
    Some(Unpacked {
        child,
        addr: addr.to_string(),
        port,
        files,
        dir,
        log,
    })
}

pub fn pure_ftpd(addr: &str, setup: Setup, cert: Option<&TestCert>) -> Option<Unpacked> {
    let bin = binary("FXPC_PURE_FTPD", "pure-ftpd/usr/sbin/pure-ftpd");
    let (uid, gid, dir, files) = prepare(&bin, "Pure-FTPd")?;
    let pure_pw = bin
        .parent()
        .and_then(Path::parent)
        .map(|usr| usr.join("bin/pure-pw"))
        .unwrap();
    let passwd = dir.path().join("pureftpd.passwd");
    fs::write(
        &passwd,
        format!(
            "{USER}:{PASSWORD_HASH}:{uid}:{gid}::{}/./::::::::::::\n",
            files.display()
        ),
    )
    .unwrap();
    let pdb = dir.path().join("pureftpd.pdb");
    let made = Command::new(&pure_pw)
        .arg("mkdb")
        .arg(&pdb)
        .arg("-f")
        .arg(&passwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", pure_pw.display()));
    assert!(
        made.status.success(),
        "pure-pw mkdb: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = free_port(addr);
    let (low, high) = pasv_range();
    let mut command = Command::new(&bin);
    command
        .arg("-S")
        .arg(format!("{addr},{port}"))
        .args(["-4", "-E", "-A", "-H", "-j", "-c", "200", "-C", "200"])
        .arg("-l")
        .arg(format!("puredb:{}", pdb.display()))
        .arg("-p")
        .arg(format!("{low}:{high}"));
    if setup.fxp {
        command.arg("-w");
    }
    if setup.tls {
        let cert = cert.expect("a TLS Pure-FTPd needs a certificate");
        command
            .args(["-Y", if setup.tls_required { "3" } else { "1" }])
            .arg("-2")
            .arg(format!("{},{}", cert.cert.display(), cert.key.display()));
    }
    let child = spawn(command, dir.path(), addr, port, "pure-ftpd");
    let log = dir.path().join("output");
    Some(Unpacked {
        child,
        addr: addr.to_string(),
        port,
        files,
        dir,
        log,
    })
}
