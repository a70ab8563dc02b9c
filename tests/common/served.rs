//! `fxpc serve` as a person runs it: the binary, anonymous writes and FXP
//! allowed, on the loopback address it is given; stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Served {
    child: Child,
    /// `ftp://ADDR/` as the server announced it.
    pub url: String,
}

impl Served {
    /// `state`: its XDG state directory (its log is `state/fxpc/fxpc.log`,
    /// every command at debug level); `extra`: more flags (`--rate 1M`).
    pub fn start(ip: &str, root: &Path, state: &Path, extra: &[&str]) -> Served {
        let flags = [&["--anonymous", "write", "--allow-fxp"][..], extra].concat();
        Served::with_flags(ip, root, state, &flags)
    }

    /// With these flags only (who may log in, FXP or not, …).
    pub fn with_flags(ip: &str, root: &Path, state: &Path, flags: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fxpc"))
            .args(["serve", "--root"])
            .arg(root)
            .args(["--listen", &format!("{ip}:0")])
            .args(flags)
            .env("XDG_STATE_HOME", state)
            .env("FXPC_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn fxpc serve");
        // "fxpc serve: DIR on ftp://ADDR/"
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("ftp://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
