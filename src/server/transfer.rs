//! The work of one transfer command once the data connection exists: pump
//! bytes between it and a file (or a prepared listing), paced by `--rate`,
//! counting progress for `STAT`.

use std::io::SeekFrom;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::fs::File;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};

use super::data::{DataSetup, Direction};
use super::listing::Listing;
use super::throttle::Throttle;
use super::tls::{Conn, DataProtection};
use super::upload::{Pending, Write};
use super::vfs::Jail;
use crate::ftp::reply::Reply;

pub(crate) enum Job {
    /// RETR: the file is opened before the data connection so that a missing
    /// file gets 550 without any 150.
    Send { file: File, offset: u64, text: Text },
    /// LIST / NLST / MLSD: the body is built up front.
    Listing { listing: Listing },
    /// STOR / APPE / STOU. The file is opened only once the data connection
    /// is up (a failed connection must not create or lock anything), and
    /// before the 150.
    Receive {
        jail: Arc<Jail>,
        /// The path as the client sees it, opened through the jail only
        /// when the data arrives: what it names then is what is written.
        path: Vec<u8>,
        how: Write,
        offset: u64,
        text: Text,
    },
}

impl Job {
    pub(crate) fn direction(&self) -> Direction {
        match self {
            Job::Send { .. } | Job::Listing { .. } => Direction::Send,
            Job::Receive { .. } => Direction::Receive,
        }
    }
}

/// TYPE A (RFC 959 §3.1.1.1): text goes over the wire with CR LF line
/// ends, and is stored with the platform's LF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// TYPE I: bytes as they are.
    Binary,
    /// TYPE A: LF → CR LF when sending, CR LF → LF when receiving.
    Ascii,
}

/// Streaming line-end conversion; a CR at the end of one chunk waits for
/// the next to see whether an LF follows.
struct LineEnds {
    mode: Text,
    sending: bool,
    held_cr: bool,
}

impl LineEnds {
    fn convert(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.clear();
        match (self.mode, self.sending) {
            (Text::Binary, _) => out.extend_from_slice(input),
            (Text::Ascii, true) => {
                for &b in input {
                    if b == b'\n' && !self.held_cr {
                        out.push(b'\r');
                    }
                    self.held_cr = b == b'\r';
                    out.push(b);
                }
            }
            (Text::Ascii, false) => {
                for &b in input {
                    if self.held_cr && b != b'\n' {
                        out.push(b'\r');
                    }
                    self.held_cr = b == b'\r';
                    if !self.held_cr {
                        out.push(b);
                    }
                }
            }
        }
    }

    /// What is still held at the end of the stream.
    fn finish(&mut self, out: &mut Vec<u8>) {
        out.clear();
        if self.mode == Text::Ascii && !self.sending && self.held_cr {
            out.push(b'\r');
        }
        self.held_cr = false;
    }
}

pub(crate) struct Limits {
    pub(crate) accept_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) rate: Option<u64>,
    /// Uploads stop when the file system's free space falls under this
    /// share (percent) of its size.
    pub(crate) min_free_percent: f64,
}

/// How often an upload looks at the free space: every so many bytes.
const SPACE_CHECK_EVERY: u64 = 1 << 20;

/// The free-space reserve an upload keeps, looked at every
/// `SPACE_CHECK_EVERY` bytes on the blocking pool.
struct Reserve {
    file: Arc<std::fs::File>,
    percent: f64,
    checked_at: u64,
}

impl Reserve {
    async fn check(&mut self, total: u64) -> std::io::Result<()> {
        if total - self.checked_at < SPACE_CHECK_EVERY {
            return Ok(());
        }
        self.checked_at = total;
        let (file, percent) = (self.file.clone(), self.percent);
        tokio::task::spawn_blocking(move || check_space(&file, percent))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// `StorageFull` when the file system holding `file` has less than
/// `percent` of its space free for us. Blocking, but a single `fstatvfs`.
fn check_space(file: &std::fs::File, percent: f64) -> std::io::Result<()> {
    if percent <= 0.0 {
        return Ok(());
    }
    let fs = rustix::fs::fstatvfs(file)?;
    if fs.f_blocks == 0 {
        return Ok(());
    }
    let free = fs.f_bavail as f64 / fs.f_blocks as f64 * 100.0;
    if free < percent {
        return Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!("{free:.2}% of the disk is free, under the {percent}% reserve"),
        ));
    }
    Ok(())
}

/// How a transfer ended: the final reply, and for an upload whose data
/// all arrived, what makes it visible (the session commits it only if
/// its client is still there).
pub(crate) struct Finished {
    pub(crate) reply: Reply,
    pub(crate) upload: Option<Pending>,
}

/// The 150 a transfer sends once its data connection is up: its text,
/// and where the session takes it from.
pub(crate) struct Opened {
    pub(crate) text: String,
    pub(crate) tell: tokio::sync::oneshot::Sender<Reply>,
}

/// Runs the transfer.
pub(crate) async fn run(
    job: Job,
    setup: DataSetup,
    protection: Option<DataProtection>,
    limits: Limits,
    opened: Opened,
    progress: Arc<AtomicU64>,
) -> Finished {
    let mut upload = None;
    let reply = run_job(
        job,
        setup,
        protection,
        limits,
        opened,
        progress,
        &mut upload,
    )
    .await;
    let upload = match upload {
        Some(u) if reply.code != 226 => {
            let _ = tokio::task::spawn_blocking(move || u.discard()).await;
            None
        }
        u => u,
    };
    Finished { reply, upload }
}

async fn run_job(
    job: Job,
    setup: DataSetup,
    protection: Option<DataProtection>,
    limits: Limits,
    opened: Opened,
    progress: Arc<AtomicU64>,
    upload: &mut Option<Pending>,
) -> Reply {
    let tcp = match setup
        .establish(job.direction(), limits.accept_timeout)
        .await
    {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    // The file is opened before the 150: a file that cannot be written is
    // refused without one.
    let mut receiving = None;
    if let Job::Receive {
        jail,
        path,
        how,
        offset,
        ..
    } = &job
    {
        let shown = String::from_utf8_lossy(path).into_owned();
        let (jail, path, how, offset) = (jail.clone(), path.clone(), *how, *offset);
        let percent = limits.min_free_percent;
        let opened = tokio::task::spawn_blocking(move || {
            let u = jail.open_upload(&path, how, offset)?;
            if let Err(e) = check_space(&u.file, percent) {
                // Refused before any byte: nothing it made stays.
                if u.created {
                    let _ = jail.remove_file(&path);
                }
                u.pending.discard();
                return Err(e);
            }
            let watched = u.file.try_clone()?;
            Ok((u, watched))
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        match opened {
            Ok((u, watched)) => {
                let reserve = Reserve {
                    file: Arc::new(watched),
                    percent,
                    checked_at: 0,
                };
                receiving = Some((File::from_std(u.file), reserve));
                *upload = Some(u.pending);
            }
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => {
                return Reply::new(452, format!("Insufficient storage space: {e}."));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                return Reply::new(
                    450,
                    format!("{shown} is being uploaded by another session."),
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                return Reply::new(554, format!("Cannot restart {shown}: {e}."));
            }
            Err(e) => return Reply::new(553, format!("Cannot write {shown}: {e}.")),
        }
    }
    let _ = opened.tell.send(Reply::new(150, opened.text));
    // The handshake follows the 150: clients start theirs once they have
    // it, and the peer server of an SSCN/CPSV connection only reads our
    // ClientHello once its own transfer command has come.
    let mut stream = match protection {
        None => Conn::Plain(tcp),
        Some(p) => match p.secure(tcp, limits.accept_timeout).await {
            Ok(secured) => secured,
            Err(reply) => return reply,
        },
    };
    let mut throttle = Throttle::new(limits.rate);
    let idle = limits.idle_timeout;
    let result = match job {
        Job::Send {
            mut file,
            offset,
            text,
        } => {
            if let Err(e) = file.seek(SeekFrom::Start(offset)).await {
                return Reply::new(451, format!("Cannot seek to {offset}: {e}."));
            }
            let ends = LineEnds {
                mode: text,
                sending: true,
                held_cr: false,
            };
            pump(
                &mut file,
                &mut stream,
                ends,
                &mut throttle,
                &progress,
                idle,
                None,
            )
            .await
        }
        Job::Listing { mut listing } => {
            // Formatted a chunk at a time as the client takes it (with CR
            // LF already), off the async workers.
            let mut sent = 0u64;
            loop {
                let formatted = tokio::task::spawn_blocking(move || {
                    let chunk = listing.next_chunk();
                    (listing, chunk)
                })
                .await;
                let Ok((back, Some(chunk))) = formatted else {
                    break Ok(sent);
                };
                listing = back;
                match tokio::time::timeout(idle, stream.write_all(&chunk)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => break Err(e),
                    Err(_) => {
                        break Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the client stopped reading the listing",
                        ));
                    }
                }
                sent += chunk.len() as u64;
                progress.store(sent, Ordering::Relaxed);
            }
        }
        Job::Receive { text, .. } => {
            let (mut file, mut reserve) = receiving.expect("opened above for every Receive");
            let ends = LineEnds {
                mode: text,
                sending: false,
                held_cr: false,
            };
            let r = pump(
                &mut stream,
                &mut file,
                ends,
                &mut throttle,
                &progress,
                idle,
                Some(&mut reserve),
            )
            .await;
            match (r, file.sync_all().await) {
                (Ok(n), Ok(())) => Ok(n),
                (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            }
        }
    };
    match result {
        Ok(n) => {
            stream.finish().await;
            Reply::new(226, format!("Transfer complete, {n} bytes."))
        }
        Err(e) if e.kind() == std::io::ErrorKind::StorageFull => {
            Reply::new(452, format!("Insufficient storage space: {e}."))
        }
        Err(e) => Reply::new(426, format!("Connection closed; transfer aborted: {e}.")),
    }
}

async fn pump<R, W>(
    input: &mut R,
    output: &mut W,
    mut ends: LineEnds,
    throttle: &mut Throttle,
    progress: &AtomicU64,
    idle: Duration,
    mut reserve: Option<&mut Reserve>,
) -> std::io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; throttle.chunk()];
    let mut converted = Vec::with_capacity(buf.len() * 2);
    let mut total = 0u64;
    let stalled = || {
        std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no data for {}s", idle.as_secs()),
        )
    };
    loop {
        let n = tokio::time::timeout(idle, input.read(&mut buf))
            .await
            .map_err(|_| stalled())??;
        if n == 0 {
            ends.finish(&mut converted);
            output.write_all(&converted).await?;
            output.flush().await?;
            return Ok(total);
        }
        ends.convert(&buf[..n], &mut converted);
        tokio::time::timeout(idle, output.write_all(&converted))
            .await
            .map_err(|_| stalled())??;
        total += n as u64;
        progress.store(total, Ordering::Relaxed);
        if let Some(r) = &mut reserve {
            r.check(total).await?;
        }
        throttle.pace(n).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mode: Text, sending: bool, chunks: &[&[u8]]) -> Vec<u8> {
        let mut ends = LineEnds {
            mode,
            sending,
            held_cr: false,
        };
        let (mut all, mut out) = (Vec::new(), Vec::new());
        for c in chunks {
            ends.convert(c, &mut out);
            all.extend_from_slice(&out);
        }
        ends.finish(&mut out);
        all.extend_from_slice(&out);
        all
    }

    #[test]
    fn ascii_line_ends_both_ways_across_chunk_edges() {
        assert_eq!(run(Text::Ascii, true, &[b"a\nb\r\nc"]), b"a\r\nb\r\nc");
        assert_eq!(run(Text::Ascii, true, &[b"a\r", b"\nb\n"]), b"a\r\nb\r\n");
        assert_eq!(
            run(Text::Ascii, false, &[b"a\r\nb\r", b"\nc\rd\r"]),
            b"a\nb\nc\rd\r"
        );
        assert_eq!(run(Text::Binary, false, &[b"a\r\n"]), b"a\r\n");
    }
}
