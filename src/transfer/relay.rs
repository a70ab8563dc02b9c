//! Transfers the client carries itself: relay between two FTP sites (when
//! the servers cannot reach each other), downloads, uploads and local
//! copies. Data streams through a small buffer — never a whole file in
//! memory — and every byte is counted, for progress and for the engine's
//! "bytes the client moved" figure.

use std::io::SeekFrom;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncRead, AsyncSeekExt, AsyncWrite, ReadBuf};

use super::error::{End, Failure};
use super::progress::Watch;
use crate::ftp::{Client, FtpError, StoreMode};

/// Size of the pipe between the download and the upload of a relay.
const RELAY_BUFFER: usize = 256 * 1024;

/// Where moved bytes are counted: the job's progress and the engine's
/// client-data total.
#[derive(Clone)]
pub struct Meters {
    pub watch: Arc<Watch>,
    pub moved: Arc<AtomicU64>,
}

/// A stream (a download's output, an upload's input) whose bytes are counted
/// into the job's watch and the engine's client-data total.
pub struct Counting<T> {
    inner: T,
    meters: Meters,
}

impl<T> Counting<T> {
    pub fn new(inner: T, meters: Meters) -> Counting<T> {
        Counting { inner, meters }
    }

    fn count(&self, n: u64) {
        self.meters.watch.add(n);
        self.meters.moved.fetch_add(n, Ordering::Relaxed);
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counting<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            self.count(*n as u64);
        }
        poll
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll {
            let n = (buf.filled().len() - before) as u64;
            self.count(n);
        }
        poll
    }
}

/// An upload's input: the first read means the server answered the store
/// command with `1xx`, so the destination file is open and its bytes from
/// here on are this job's.
struct Opened<R> {
    inner: R,
    watch: Arc<Watch>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Opened<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.watch.mark_writing();
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

/// A reader that remembers whether it failed.
struct Blame<R> {
    inner: R,
    failed: bool,
}

impl<R: AsyncRead + Unpin> AsyncRead for Blame<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Err(_)) = &poll {
            self.failed = true;
        }
        poll
    }
}

/// Source download piped into destination upload, concurrently.
#[allow(clippy::too_many_arguments)] // one per end and offset; a struct would only rename them
pub async fn relay(
    source: &mut Client,
    source_path: &[u8],
    source_offset: u64,
    destination: &mut Client,
    destination_path: &[u8],
    mode: StoreMode,
    destination_offset: u64,
    meters: Meters,
) -> Result<u64, Failure> {
    let (writer, reader) = tokio::io::duplex(RELAY_BUFFER);
    let mut reader = Opened {
        inner: reader,
        watch: meters.watch.clone(),
    };
    let mut writer = Counting::new(writer, meters);
    let download = async move {
        let r = source
            .retrieve(source_path, source_offset, &mut writer)
            .await;
        // Closing the pipe ends the upload's input.
        drop(writer);
        r
    };
    let upload = async move {
        let r = destination
            .store(destination_path, mode, destination_offset, &mut reader)
            .await;
        // A refused upload must not leave the download blocked on a full pipe.
        drop(reader);
        r
    };
    let (down, up) = tokio::join!(download, upload);
    match (down, up) {
        (Ok(n), Ok(stored)) if stored == n => Ok(n),
        (Ok(n), Ok(stored)) => Err(Failure::ftp(
            End::Destination,
            &FtpError::Io(std::io::Error::other(format!("sent {stored} of {n} bytes"))),
        )),
        // A server's refusal explains more than the broken pipe it causes
        // on the other side.
        (_, Err(up)) if up.reply().is_some() => Err(Failure::ftp(End::Destination, &up)),
        (Err(down), _) => Err(Failure::ftp(End::Source, &down)),
        (Ok(_), Err(up)) => Err(Failure::ftp(End::Destination, &up)),
    }
}

/// How a local destination file is opened.
pub async fn open_local_destination(
    path: &Path,
    append: bool,
    offset: u64,
) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    if append {
        options.append(true).create(true);
    } else if offset > 0 {
        options.write(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    let mut file = options.open(path).await?;
    if !append && offset > 0 {
        file.seek(SeekFrom::Start(offset)).await?;
    }
    Ok(file)
}

pub async fn download(
    source: &mut Client,
    source_path: &[u8],
    source_offset: u64,
    destination: &Path,
    append: bool,
    destination_offset: u64,
    meters: Meters,
) -> Result<u64, Failure> {
    let file = open_local_destination(destination, append, destination_offset)
        .await
        .map_err(|e| Failure::local(End::Destination, e))?;
    meters.watch.mark_writing();
    let mut out = Counting::new(file, meters);
    let n = source
        .retrieve(source_path, source_offset, &mut out)
        .await
        .map_err(|e| match e {
            // Our own disk's error, not the server's.
            FtpError::Io(io) | FtpError::Data { source: io, .. }
                if io.kind() == std::io::ErrorKind::StorageFull =>
            {
                Failure::local(End::Destination, io)
            }
            e => Failure::ftp(End::Source, &e),
        })?;
    out.inner
        .sync_all()
        .await
        .map_err(|e| Failure::local(End::Destination, e))?;
    Ok(n)
}

pub async fn upload(
    source: &Path,
    source_offset: u64,
    destination: &mut Client,
    destination_path: &[u8],
    mode: StoreMode,
    destination_offset: u64,
    meters: Meters,
) -> Result<u64, Failure> {
    let mut file = File::open(source)
        .await
        .map_err(|e| Failure::local(End::Source, e))?;
    if source_offset > 0 {
        file.seek(SeekFrom::Start(source_offset))
            .await
            .map_err(|e| Failure::local(End::Source, e))?;
    }
    let watch = meters.watch.clone();
    let mut input = Opened {
        inner: Counting::new(file, meters),
        watch,
    };
    destination
        .store(destination_path, mode, destination_offset, &mut input)
        .await
        .map_err(|e| Failure::ftp(End::Destination, &e))
}

pub async fn local_copy(
    source: &Path,
    source_offset: u64,
    destination: &Path,
    append: bool,
    destination_offset: u64,
    meters: Meters,
) -> Result<u64, Failure> {
    let mut input = File::open(source)
        .await
        .map_err(|e| Failure::local(End::Source, e))?;
    if source_offset > 0 {
        input
            .seek(SeekFrom::Start(source_offset))
            .await
            .map_err(|e| Failure::local(End::Source, e))?;
    }
    let file = open_local_destination(destination, append, destination_offset)
        .await
        .map_err(|e| Failure::local(End::Destination, e))?;
    meters.watch.mark_writing();
    let mut out = Counting::new(file, meters);
    // Which side failed is not told by copy(): a read error is the source's,
    // anything else (a full disk) the destination's.
    let mut reader = Blame {
        inner: input,
        failed: false,
    };
    let n = tokio::io::copy(&mut reader, &mut out).await.map_err(|e| {
        Failure::local(
            if reader.failed {
                End::Source
            } else {
                End::Destination
            },
            e,
        )
    })?;
    out.inner
        .sync_all()
        .await
        .map_err(|e| Failure::local(End::Destination, e))?;
    Ok(n)
}
