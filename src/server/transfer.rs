//! The work of one transfer command once the data connection exists: pump
//! bytes between it and a file (or a prepared listing), paced by `--rate`,
//! counting progress for `STAT`.

use std::io::SeekFrom;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};

use super::data::{DataSetup, Direction};
use super::throttle::Throttle;
use crate::ftp::reply::Reply;

pub enum Job {
    /// RETR: the file is opened before the data connection so that a missing
    /// file gets 550 without any 150.
    Send { file: File, offset: u64 },
    /// LIST / NLST / MLSD: the body is built up front.
    Listing { body: Vec<u8> },
    /// STOR / APPE / STOU. The file is opened only once the data connection
    /// is up: a failed connection must not truncate an existing file.
    Receive {
        path: PathBuf,
        how: Write,
        offset: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Replace,
    Append,
    /// STOU: the name was reserved (created empty) by the session.
    Unique,
}

impl Job {
    pub fn direction(&self) -> Direction {
        match self {
            Job::Send { .. } | Job::Listing { .. } => Direction::Send,
            Job::Receive { .. } => Direction::Receive,
        }
    }
}

pub struct Limits {
    pub accept_timeout: Duration,
    pub idle_timeout: Duration,
    pub rate: Option<u64>,
}

/// Runs the transfer; `opened` is told (with the 150 text) once the data
/// connection is up. Returns the final reply.
pub async fn run(
    job: Job,
    setup: DataSetup,
    limits: Limits,
    opened_text: String,
    opened: tokio::sync::oneshot::Sender<Reply>,
    progress: Arc<AtomicU64>,
) -> Reply {
    let mut stream = match setup
        .establish(job.direction(), limits.accept_timeout)
        .await
    {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let _ = opened.send(Reply::new(150, opened_text));
    let mut throttle = Throttle::new(limits.rate);
    let idle = limits.idle_timeout;
    let result = match job {
        Job::Send { mut file, offset } => {
            if let Err(e) = file.seek(SeekFrom::Start(offset)).await {
                return Reply::new(451, format!("Cannot seek to {offset}: {e}."));
            }
            pump(&mut file, &mut stream, &mut throttle, &progress, idle).await
        }
        Job::Listing { body } => {
            pump(
                &mut body.as_slice(),
                &mut stream,
                &mut throttle,
                &progress,
                idle,
            )
            .await
        }
        Job::Receive { path, how, offset } => {
            let mut file = match open_for_writing(&path, how, offset).await {
                Ok(f) => f,
                Err(e) => return Reply::new(553, format!("Cannot write {}: {e}.", path.display())),
            };
            let r = pump(&mut stream, &mut file, &mut throttle, &progress, idle).await;
            match (r, file.sync_all().await) {
                (Ok(n), Ok(())) => Ok(n),
                (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            }
        }
    };
    match result {
        Ok(n) => {
            let _ = stream.shutdown().await;
            Reply::new(226, format!("Transfer complete, {n} bytes."))
        }
        Err(e) if e.kind() == std::io::ErrorKind::StorageFull => {
            Reply::new(452, format!("Insufficient storage space: {e}."))
        }
        Err(e) => Reply::new(426, format!("Connection closed; transfer aborted: {e}.")),
    }
}

async fn open_for_writing(path: &PathBuf, how: Write, offset: u64) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    match how {
        Write::Append => options.append(true).create(true),
        Write::Replace if offset == 0 => options.write(true).create(true).truncate(true),
        Write::Replace | Write::Unique => options.write(true).create(true),
    };
    let mut file = options.open(path).await?;
    if how == Write::Replace && offset > 0 {
        file.seek(SeekFrom::Start(offset)).await?;
    }
    Ok(file)
}

async fn pump<R, W>(
    input: &mut R,
    output: &mut W,
    throttle: &mut Throttle,
    progress: &AtomicU64,
    idle: Duration,
) -> std::io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; throttle.chunk()];
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
            output.flush().await?;
            return Ok(total);
        }
        tokio::time::timeout(idle, output.write_all(&buf[..n]))
            .await
            .map_err(|_| stalled())??;
        total += n as u64;
        progress.store(total, Ordering::Relaxed);
        throttle.pace(n).await;
    }
}
