//! What the `serve_*` attack tests share: a server in this process or on
//! a runtime of its own, and a raw FTP client that connects from a chosen
//! loopback address (127.0.0.x plays a distinct host) and never waits
//! longer than it says.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use fxpc::server::{Anonymous, Config, Handle};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

/// The longest any single reply is waited for.
pub const REPLY_WAIT: Duration = Duration::from_secs(5);

pub fn config(ip: &str, root: &Path, tweak: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::new(root, format!("{ip}:0").parse().unwrap());
    config.anonymous = Some(Anonymous::Write);
    config.failed_login_delay = Duration::from_millis(10);
    tweak(&mut config);
    config
}

pub async fn serve(ip: &str, root: &Path, tweak: impl FnOnce(&mut Config)) -> Handle {
    Handle::spawn(config(ip, root, tweak)).await.unwrap()
}

/// A server on a runtime of its own with a single worker thread: a
/// request that blocks that worker freezes the whole server, and the
/// test, on its own runtime, sees it instead of freezing too.
pub struct Isolated {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Isolated {
    pub fn start(config: Config) -> Isolated {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            let handle = Handle::spawn(config).await.unwrap();
            addr_tx.send(handle.addr()).unwrap();
            let _ = stopped.await;
            handle.stop().await;
        });
        let addr = addr_rx.recv_timeout(REPLY_WAIT).unwrap();
        Isolated {
            addr,
            stop: Some(stop),
            runtime: Some(runtime),
        }
    }
}

impl Drop for Isolated {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // A worker still stuck (the failure under test) is left behind
        // rather than waited for.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A raw control connection.
pub struct Raw {
    reader: BufReader<TcpStream>,
}

impl Raw {
    /// Connects from `from` (an address of the loopback network).
    pub async fn connect(from: &str, to: SocketAddr) -> std::io::Result<Raw> {
        let stream = connect_from(from, to).await?;
        Ok(Raw {
            reader: BufReader::new(stream),
        })
    }

    /// Connects and reads the greeting, which must be `220`.
    pub async fn greeted(from: &str, to: SocketAddr) -> Raw {
        let mut raw = Raw::connect(from, to).await.unwrap();
        let (code, text) = raw.reply().await;
        assert_eq!(code, 220, "{text}");
        raw
    }

    pub async fn login(from: &str, to: SocketAddr) -> Raw {
        let mut raw = Raw::greeted(from, to).await;
        raw.expect("USER anonymous", 331).await;
        raw.expect("PASS x", 230).await;
        raw.expect("TYPE I", 200).await;
        raw
    }

    /// The next whole reply, or `None` after `wait` or at the end of the
    /// connection.
    pub async fn reply_within(&mut self, wait: Duration) -> Option<(u16, String)> {
        tokio::time::timeout(wait, self.read_reply())
            .await
            .ok()
            .flatten()
    }

    async fn read_reply(&mut self) -> Option<(u16, String)> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.ok()? == 0 {
                return None;
            }
            all.push_str(&line);
            let b = line.as_bytes();
            if b.len() >= 4 && b[..3].iter().all(u8::is_ascii_digit) && b[3] == b' ' {
                return Some((line[..3].parse().unwrap(), all));
            }
        }
    }

    pub async fn reply(&mut self) -> (u16, String) {
        self.reply_within(REPLY_WAIT)
            .await
            .expect("a reply within 5 s")
    }

    pub async fn send(&mut self, line: &str) {
        let bytes = format!("{line}\r\n");
        self.reader
            .get_mut()
            .write_all(bytes.as_bytes())
            .await
            .unwrap();
    }

    pub async fn cmd(&mut self, line: &str) -> (u16, String) {
        self.send(line).await;
        self.reply().await
    }

    pub async fn expect(&mut self, line: &str, code: u16) -> String {
        let (got, text) = self.cmd(line).await;
        assert_eq!(got, code, "{line}: {text}");
        text
    }

    /// `PASV`: the data address.
    pub async fn pasv(&mut self) -> SocketAddr {
        let text = self.expect("PASV", 227).await;
        SocketAddr::V4(fxpc::ftp::addr::parse_pasv_reply(&text).unwrap())
    }

    /// `EPSV`: the data address (the control connection's host).
    pub async fn epsv(&mut self) -> SocketAddr {
        let text = self.expect("EPSV", 229).await;
        let port = fxpc::ftp::addr::parse_epsv_reply(&text).unwrap();
        SocketAddr::new(self.peer().ip(), port)
    }

    pub fn peer(&self) -> SocketAddr {
        self.reader.get_ref().peer_addr().unwrap()
    }

    pub fn into_stream(self) -> TcpStream {
        self.reader.into_inner()
    }
}

/// A TCP connection from a chosen loopback address, to play another host.
pub async fn connect_from(from: &str, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{from}:0").parse().unwrap())?;
    tokio::time::timeout(REPLY_WAIT, socket.connect(to))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect"))?
}

pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 251) as u8 ^ seed).collect()
}

/// Reads a data connection to its end, within a bound.
pub async fn read_all(mut data: TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut all = Vec::new();
    let _ = tokio::time::timeout(REPLY_WAIT, data.read_to_end(&mut all)).await;
    all
}

/// The names in a directory, as the file system has them.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `fxpc serve` as its own process, stopped (killed) when dropped.
pub struct Spawned {
    pub child: std::process::Child,
    pub addr: SocketAddr,
    /// What it printed at start, up to its address line and the lines
    /// that follow within a moment.
    pub banner: Vec<String>,
}

impl Spawned {
    pub fn start(root: &Path, listen: &str, args: &[&str]) -> Spawned {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fxpc"))
            .args(["serve", "--root"])
            .arg(root)
            .args(["--listen", listen])
            .args(args)
            .env("XDG_STATE_HOME", root.parent().unwrap())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let addr = loop {
            let line = rx.recv_timeout(REPLY_WAIT).expect("fxpc serve started");
            let url = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("ftp://"))
                .map(|u| u.trim_end_matches('/').parse::<SocketAddr>().unwrap());
            banner.push(line);
            if let Some(url) = url {
                break url;
            }
        };
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(300)) {
            banner.push(line);
        }
        Spawned {
            child,
            addr,
            banner,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU seconds the process has used (user and system).
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name, which is in parentheses.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        ticks as f64 / 100.0
    }

    pub fn terminate(&self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
    }

    /// Waits up to `limit` for the process to exit.
    pub fn exited_within(&mut self, limit: Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
