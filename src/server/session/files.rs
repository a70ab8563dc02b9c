//! The commands that act on files and directories (sizes, digests,
//! times, making, removing and renaming) and the listings, all through the
//! jail.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Access, Session};
use crate::ftp::hash::Algorithm;
use crate::ftp::reply::{Reply, quote_path};
use crate::server::data::DataSetup;
use crate::server::listing;
use crate::server::transfer::Job;
use crate::server::vfs::{self, Jail};

impl Session {
    pub(super) async fn size(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let reply = match self.in_jail(move |j| j.metadata(&target)).await {
            Ok(m) if m.is_file() => Reply::new(213, m.len().to_string()),
            _ => Reply::new(550, "Could not get file size."),
        };
        self.send(&reply).await
    }

    /// `HASH` (draft-bryan-ftpext-hash: `213 <algo> <start>-<end> <hex>
    /// <path>`) or an `X…` command (`250 <hex>`). The file is read off the
    /// async threads: a large one takes a while, and stops being read as
    /// soon as its client leaves or the server shuts down.
    pub(super) async fn hash(
        &mut self,
        algorithm: Algorithm,
        arg: &[u8],
        draft: bool,
    ) -> std::io::Result<()> {
        let (jail, target) = (self.jail.clone(), self.virtual_path(arg));
        let cancel = Cancel::default();
        let cancelled = cancel.0.clone();
        let work = tokio::task::spawn_blocking(move || -> std::io::Result<(String, u64)> {
            use std::io::Read;
            let mut file = jail.open_read(&target)?;
            let mut hasher = algorithm.hasher();
            let mut buf = vec![0u8; 256 * 1024];
            let mut total = 0u64;
            loop {
                if cancelled.load(Ordering::Relaxed) {
                    return Err(std::io::Error::from(std::io::ErrorKind::Interrupted));
                }
                let n = file.read(&mut buf)?;
                if n == 0 {
                    return Ok((hasher.finish(), total));
                }
                hasher.update(&buf[..n]);
                total += n as u64;
            }
        });
        let mut shutdown = self.shutdown.clone();
        let digest = tokio::select! {
            digest = work => digest.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            () = self.control_closed() => {
                return Err(super::client_left("HASH"));
            }
            _ = shutdown.changed() => {
                return self.reply(421, "Server shutting down.").await;
            }
        };
        drop(cancel);
        let reply = match digest {
            Ok((hex, size)) if draft => {
                let shown = String::from_utf8_lossy(arg).into_owned();
                Reply::new(213, format!("{} 0-{size} {hex} {shown}", algorithm.name()))
            }
            Ok((hex, _)) => Reply::new(250, hex),
            Err(e) => Reply::new(550, format!("Cannot compute the digest: {e}.")),
        };
        self.send(&reply).await
    }

    pub(super) async fn mdtm(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let reply = match self.in_jail(move |j| j.metadata(&target)).await {
            Ok(m) if m.is_file() => {
                let t: chrono::DateTime<chrono::Utc> =
                    m.modified().map(Into::into).unwrap_or_default();
                Reply::new(213, t.format("%Y%m%d%H%M%S").to_string())
            }
            _ => Reply::new(550, "Could not get file modification time."),
        };
        self.send(&reply).await
    }

    /// `MFMT YYYYMMDDHHMMSS[.sss] path` (draft-somers-ftp-mfxx): the
    /// time is UTC; the reply repeats it with the path.
    pub(super) async fn mfmt(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let reply = match (self.require_write(), parse_mfmt(arg)) {
            (Err(r), _) => r,
            (Ok(()), None) => Reply::new(501, "Syntax: MFMT YYYYMMDDHHMMSS path."),
            (Ok(()), Some((time, name))) => {
                let target = self.virtual_path(name);
                let when = std::time::SystemTime::from(time.and_utc());
                match self.in_jail(move |j| j.set_modified(&target, when)).await {
                    Ok(()) => {
                        let shown = String::from_utf8_lossy(name);
                        Reply::new(
                            213,
                            format!("Modify={}; {shown}", time.format("%Y%m%d%H%M%S")),
                        )
                    }
                    Err(e) => Reply::new(550, format!("Could not set the time: {e}.")),
                }
            }
        };
        self.send(&reply).await
    }

    pub(super) async fn mkd(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let reply = match self.require_write() {
            Ok(()) => match self.in_jail(move |j| j.create_dir(&target)).await {
                Ok(()) => {
                    let quoted = quote_path(&self.virtual_path(arg));
                    Reply::multiline(257, vec![[&quoted[..], b" created"].concat()])
                }
                Err(e) => Reply::new(550, format!("Create directory operation failed: {e}.")),
            },
            Err(r) => r,
        };
        self.send(&reply).await
    }

    pub(super) async fn rmd(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let reply = match self.require_write() {
            Ok(()) if target == b"/" => Reply::new(550, "Cannot remove the root."),
            Ok(()) => match self.in_jail(move |j| j.remove_dir(&target)).await {
                Ok(()) => Reply::new(250, "Remove directory operation successful."),
                Err(e) => Reply::new(550, format!("Remove directory operation failed: {e}.")),
            },
            Err(r) => r,
        };
        self.send(&reply).await
    }

    pub(super) async fn dele(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let reply = match self.require_write() {
            Ok(()) => self.in_jail(move |j| delete(j, &target)).await,
            Err(r) => r,
        };
        self.send(&reply).await
    }

    pub(super) async fn rnfr(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let exists = {
            let target = target.clone();
            self.in_jail(move |j| j.symlink_metadata(&target).is_ok())
                .await
        };
        let reply = match self.require_write() {
            Ok(()) if exists => {
                self.rename_from = Some(target);
                Reply::new(350, "Ready for RNTO.")
            }
            Ok(()) => Reply::new(550, "RNFR command failed: no such file."),
            Err(r) => r,
        };
        self.send(&reply).await
    }

    pub(super) async fn rnto(&mut self, arg: &[u8], from: Option<Vec<u8>>) -> std::io::Result<()> {
        let Some(from) = from else {
            return self.reply(503, "RNFR required first.").await;
        };
        let to = self.virtual_path(arg);
        let reply = match self.in_jail(move |j| j.rename(&from, &to)).await {
            Ok(()) => Reply::new(250, "Rename successful."),
            Err(e) => Reply::new(550, format!("Rename failed: {e}.")),
        };
        self.send(&reply).await
    }

    pub(super) async fn stat(&mut self, arg: &[u8]) -> std::io::Result<()> {
        if arg.is_empty() {
            let lines = vec![
                b"FTP server status:".to_vec(),
                format!("     Connected to {}", self.peer.ip()).into_bytes(),
                format!("     fxpc {}", env!("CARGO_PKG_VERSION")).into_bytes(),
                b"End of status".to_vec(),
            ];
            return self.send(&Reply::multiline(211, lines)).await;
        }
        let mut listing = match self.listing("LIST", arg).await {
            Ok(l) => l,
            Err(r) => return self.send(&r).await,
        };
        // Written as it is formatted, a chunk at a time: a large directory
        // never sits whole in memory for a client that reads slowly.
        self.send_bytes(b"213-Status follows:\r\n").await?;
        loop {
            let (back, chunk) = tokio::task::spawn_blocking(move || {
                let chunk = listing.next_chunk();
                (listing, chunk)
            })
            .await
            .map_err(std::io::Error::other)?;
            listing = back;
            let Some(chunk) = chunk else { break };
            let mut out = Vec::with_capacity(chunk.len() + 64);
            for line in chunk.split_inclusive(|&b| b == b'\n') {
                // A line starting with a digit could end the reply early.
                if line.first().is_some_and(u8::is_ascii_digit) {
                    out.push(b' ');
                }
                out.extend_from_slice(line);
            }
            self.send_bytes(&out).await?;
        }
        self.send_bytes(b"213 End of status\r\n").await
    }

    pub(super) async fn mlst(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let looked = target.clone();
        let reply = match self.in_jail(move |j| j.metadata(&looked)).await {
            Ok(meta) => {
                let mut fact_line = b" ".to_vec();
                fact_line.extend(listing::mlsd_line(
                    &target,
                    &meta,
                    self.access == Some(Access::Write),
                ));
                let mut header = b"Listing ".to_vec();
                header.extend_from_slice(&target);
                Reply::multiline(250, vec![header, fact_line, b"End".to_vec()])
            }
            Err(_) => Reply::new(550, "No such file or directory."),
        };
        self.send(&reply).await
    }

    /// A listing, read on a blocking thread: a large directory must not
    /// hold up the other sessions' async workers.
    pub(super) async fn listing(&self, verb: &str, arg: &[u8]) -> Result<listing::Listing, Reply> {
        // `LIST -la` and friends: options are not paths.
        let arg = if arg.starts_with(b"-") {
            b"".as_slice()
        } else {
            arg
        };
        let target = self.virtual_path(arg);
        let (jail, verb, writable) = (
            self.jail.clone(),
            verb.to_string(),
            self.access == Some(Access::Write),
        );
        tokio::task::spawn_blocking(move || listing_of(&jail, &verb, &target, writable))
            .await
            .unwrap_or_else(|e| Err(Reply::new(451, format!("Listing failed: {e}."))))
    }

    pub(super) async fn list(&mut self, verb: &str, arg: &[u8]) -> std::io::Result<()> {
        match self.listing(verb, arg).await {
            Ok(listing) => {
                self.transfer(
                    Job::Listing { listing },
                    "Here comes the directory listing.".to_string(),
                )
                .await
            }
            Err(r) => {
                self.data = DataSetup::None;
                self.send(&r).await
            }
        }
    }
}

/// Tells blocking work to stop when dropped: with the session that
/// waited for it, when its client leaves or the server shuts down.
#[derive(Default)]
struct Cancel(Arc<AtomicBool>);

impl Drop for Cancel {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// `DELE`: a file or a link, never a directory.
fn delete(jail: &Jail, target: &[u8]) -> Reply {
    match jail.symlink_metadata(target) {
        Ok(m) if m.is_dir() => Reply::new(550, "Delete operation failed: is a directory."),
        Ok(_) => match jail.remove_file(target) {
            Ok(()) => Reply::new(250, "Delete operation successful."),
            Err(e) => Reply::new(550, format!("Delete operation failed: {e}.")),
        },
        Err(_) => Reply::new(550, "Delete operation failed: no such file."),
    }
}

/// `LIST`/`NLST`/`MLSD` of a directory (or of one file, for `LIST`).
fn listing_of(
    jail: &Jail,
    verb: &str,
    target: &[u8],
    writable: bool,
) -> Result<listing::Listing, Reply> {
    let meta = jail
        .metadata(target)
        .map_err(|_| Reply::new(550, "No such file or directory."))?;
    let format = match verb {
        "MLSD" => listing::Format::Facts(writable),
        "NLST" => listing::Format::Names,
        _ => listing::Format::List(chrono::Utc::now()),
    };
    if meta.is_dir() {
        let cannot = |e: std::io::Error| Reply::new(550, format!("Cannot read directory: {e}."));
        let dir = jail.open_dir(target).map_err(cannot)?;
        let path = vfs::opened_path(&dir);
        listing::Listing::of_dir(dir, path, format).map_err(cannot)
    } else if verb == "MLSD" {
        Err(Reply::new(501, "MLSD needs a directory."))
    } else {
        Ok(listing::Listing::of_item(
            listing::Item {
                name: vfs::file_name(target).to_vec(),
                meta,
                link_target: None,
            },
            format,
        ))
    }
}

/// `YYYYMMDDHHMMSS[.fraction] path`: the time (fractions dropped) and the
/// path, which may hold spaces.
fn parse_mfmt(arg: &[u8]) -> Option<(chrono::NaiveDateTime, &[u8])> {
    let space = arg.iter().position(|&b| b == b' ')?;
    let (time, name) = (&arg[..space], &arg[space + 1..]);
    let whole = time.split(|&b| b == b'.').next()?;
    if whole.len() != 14 || !whole.iter().all(u8::is_ascii_digit) || name.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(whole).ok()?;
    let time = chrono::NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    Some((time, name))
}
