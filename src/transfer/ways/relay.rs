//! Transfers the client carries itself: relay between two FTP sites (when
//! the servers cannot reach each other), downloads, uploads and local
//! copies. Data streams through a small buffer — never a whole file in
//! memory — and every byte is counted, for progress and for the engine's
//! "bytes the client moved" figure.

use std::io::SeekFrom;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::fs::File;
use tokio::io::{AsyncRead, AsyncSeekExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

use crate::ftp::StoreMode;
use crate::ftp::client::copy_idle;
use crate::ftp::hash::Hasher;
use crate::transfer::error::{End, Failure};
use crate::transfer::sessions::endpoint::{self, Endpoint};
use crate::transfer::ways::progress::Watch;

/// Size of the pipe between the download and the upload of a relay.
const RELAY_BUFFER: usize = 256 * 1024;

/// Where moved bytes are counted: the job's progress and the engine's
/// client-data total.
#[derive(Clone)]
pub(crate) struct Meters {
    pub watch: Arc<Watch>,
    pub moved: Arc<AtomicU64>,
    /// The digest of every byte carried, when the whole file is.
    pub digest: Option<Arc<Mutex<Option<Hasher>>>>,
    /// The source's announced size: a server that sends far more (see
    /// [`overrun_limit`]) is stopped, not written to the disk for ever.
    pub announced: Option<u64>,
}

/// Bytes a transfer may carry beyond twice its announced size before it
/// is stopped: room for a file that grew while it was sent.
pub(crate) const BEYOND_ANNOUNCED: u64 = 1 << 20;

/// Where a transfer of a file announced at `size` bytes is stopped.
pub(crate) fn overrun_limit(size: u64) -> u64 {
    size.saturating_mul(2).saturating_add(BEYOND_ANNOUNCED)
}

/// The pipe's input, whose bytes are counted into the job's watch and the
/// engine's client-data total (and hashed, when the whole file passes).
pub(crate) struct Counting<T> {
    inner: T,
    meters: Meters,
    carried: u64,
    /// Set when the source sent more than [`overrun_limit`] allows.
    overrun: Arc<std::sync::atomic::AtomicBool>,
}

impl<T> Counting<T> {
    pub(crate) fn new(inner: T, meters: Meters) -> Counting<T> {
        Counting {
            inner,
            meters,
            carried: 0,
            overrun: Arc::default(),
        }
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
        if let Some(size) = self.meters.announced
            && self.carried + buf.len() as u64 > overrun_limit(size)
        {
            self.overrun.store(true, Ordering::Relaxed);
            return Poll::Ready(Err(std::io::Error::other(
                "the server sent more than it announced",
            )));
        }
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            self.carried += *n as u64;
            self.count(*n as u64);
            if let Some(digest) = &self.meters.digest
                && let Some(h) = digest.lock().expect("digest lock").as_mut()
            {
                h.update(&buf[..*n]);
            }
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

/// Carries one file through the client, from either kind of end to either
/// kind (relay between two servers, download, upload, local copy): the
/// source streams into a small pipe while the destination drains it,
/// concurrently. `append` (or `destination_offset` > 0, a resume) decides
/// how the destination is written. Returns the bytes carried.
#[allow(clippy::too_many_arguments)] // one per end and offset; a struct would only rename them
pub(crate) async fn carry(
    source: Endpoint<'_>,
    source_path: &[u8],
    source_offset: u64,
    destination: Endpoint<'_>,
    destination_path: &[u8],
    append: bool,
    destination_offset: u64,
    meters: Meters,
    local_root: Option<&Path>,
) -> Result<u64, Failure> {
    // Local ends are opened first: a file that cannot be read or written
    // is refused before any server is asked for anything.
    let source_file = open_source(&source, source_path, source_offset).await?;
    let destination_file = open_destination(
        &destination,
        destination_path,
        append,
        destination_offset,
        local_root,
    )
    .await?;
    if destination_file.is_some() {
        meters.watch.mark_writing();
    }

    let watch = meters.watch.clone();
    let announced = meters.announced;
    let (writer, reader) = tokio::io::duplex(RELAY_BUFFER);
    let writer = Counting::new(writer, meters);
    let overrun = writer.overrun.clone();
    let read = send(source, source_file, source_path, source_offset, writer);
    let reader = Opened {
        inner: reader,
        watch,
    };
    let write = receive(
        destination,
        destination_file,
        destination_path,
        (append, destination_offset),
        reader,
    );
    let (read, write) = both_ends(read, write).await?;
    verdict(read, write, overrun.load(Ordering::Relaxed), announced)
}

/// The source's side: its bytes into the pipe.
async fn send(
    source: Endpoint<'_>,
    file: Option<File>,
    path: &[u8],
    offset: u64,
    mut writer: Counting<DuplexStream>,
) -> Result<u64, Failure> {
    let r = match (source, file) {
        (Endpoint::Ftp(client), _) => client
            .retrieve(path, offset, &mut writer)
            .await
            .map_err(|e| Failure::ftp(End::Source, &e)),
        (Endpoint::Local, Some(mut file)) => copy_idle(&mut file, &mut writer, LOCAL_IDLE)
            .await
            .map_err(|e| Failure::local(End::Source, e)),
        (Endpoint::Local, None) => unreachable!("opened above"),
    };
    // Closing the pipe ends the destination's input.
    drop(writer);
    r
}

/// The destination's side: the pipe's bytes stored, appended or written
/// from `offset`.
async fn receive(
    destination: Endpoint<'_>,
    file: Option<File>,
    path: &[u8],
    (append, offset): (bool, u64),
    mut reader: Opened<DuplexStream>,
) -> Result<u64, Failure> {
    let r = match (destination, file) {
        (Endpoint::Ftp(client), _) => {
            let mode = if append {
                StoreMode::Append
            } else {
                StoreMode::Replace
            };
            client
                .store(path, mode, offset, &mut reader)
                .await
                .map_err(|e| Failure::ftp(End::Destination, &e))
        }
        (Endpoint::Local, Some(mut file)) => {
            let n = copy_idle(&mut reader, &mut file, LOCAL_IDLE).await;
            // Durable before it is called verified.
            let synced = match file.flush().await {
                Ok(()) => file.sync_all().await,
                Err(e) => Err(e),
            };
            n.and_then(|n| synced.map(|()| n))
                .map_err(|e| Failure::local(End::Destination, e))
        }
        (Endpoint::Local, None) => unreachable!("opened above"),
    };
    // A refused upload must not leave the download blocked on a full pipe.
    drop(reader);
    r
}

/// Both sides' results, or the destination's failure alone when it names
/// the cause.
async fn both_ends(
    read: impl Future<Output = Result<u64, Failure>>,
    write: impl Future<Output = Result<u64, Failure>>,
) -> Result<(Result<u64, Failure>, Result<u64, Failure>), Failure> {
    tokio::pin!(read, write);
    Ok(tokio::select! {
        r = &mut read => (r, write.await),
        w = &mut write => match w {
            // A refusal from the destination ends the attempt at once: a
            // source that stops reading its control connection during
            // `RETR` would otherwise hold it until its own timeout. The
            // source's session is then in an unknown state, and the
            // engine drops it with the failed attempt.
            Err(w) if w.names_a_cause() => return Err(w),
            // A broken pipe is only a symptom: the source may say why, if
            // it says so soon.
            Err(w) => match tokio::time::timeout(LAST_WORD, &mut read).await {
                Ok(r) => (r, Err(w)),
                Err(_) => return Err(w),
            },
            Ok(stored) => (read.await, Ok(stored)),
        },
    })
}

/// A local source, opened at its offset (`None`: a server sends).
async fn open_source(
    source: &Endpoint<'_>,
    path: &[u8],
    offset: u64,
) -> Result<Option<File>, Failure> {
    if !matches!(source, Endpoint::Local) {
        return Ok(None);
    }
    let mut file = File::open(endpoint::local(path))
        .await
        .map_err(|e| Failure::local(End::Source, e))?;
    if offset > 0 {
        file.seek(SeekFrom::Start(offset))
            .await
            .map_err(|e| Failure::local(End::Source, e))?;
    }
    Ok(Some(file))
}

/// A local destination, opened beneath the copy's root (`None`: a server
/// stores).
async fn open_destination(
    destination: &Endpoint<'_>,
    path: &[u8],
    append: bool,
    offset: u64,
    local_root: Option<&Path>,
) -> Result<Option<File>, Failure> {
    if !matches!(destination, Endpoint::Local) {
        return Ok(None);
    }
    let file = open_local_destination(local_root, endpoint::local(path), append, offset)
        .await
        .map_err(|e| Failure::local(End::Destination, e))?;
    Ok(Some(file))
}

/// What both sides' results make of the attempt.
fn verdict(
    read: Result<u64, Failure>,
    write: Result<u64, Failure>,
    overrun: bool,
    announced: Option<u64>,
) -> Result<u64, Failure> {
    if overrun {
        // Whatever either end said after the cut is only its symptom.
        let size = announced.unwrap_or(0);
        return Err(Failure::permanent(format!(
            "the server sent more than it announced: {size} bytes announced, stopped after {} bytes",
            overrun_limit(size)
        )));
    }
    match (read, write) {
        (Ok(n), Ok(stored)) if stored == n => Ok(n),
        (Ok(n), Ok(stored)) => Err(Failure::permanent(format!(
            "the destination took {stored} of the {n} bytes sent"
        ))),
        // The destination's own failure (a refusal, a full disk) explains
        // more than the broken pipe it causes on the other side.
        (_, Err(w)) if w.names_a_cause() => Err(w),
        (Err(r), _) => Err(r),
        (Ok(_), Err(w)) => Err(w),
    }
}

/// How long the source may take to say why, when the destination broke
/// off without a reason of its own.
const LAST_WORD: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a local read or write may block before the copy counts as
/// stuck (a hung network file system).
const LOCAL_IDLE: std::time::Duration = std::time::Duration::from_secs(300);

/// How a local destination file is opened: beneath the copy's root, no
/// link followed (see `beneath.rs`).
pub(crate) async fn open_local_destination(
    root: Option<&Path>,
    path: &Path,
    append: bool,
    offset: u64,
) -> std::io::Result<File> {
    let confined = crate::transfer::local::beneath::Confined::new(root, path);
    let file = tokio::task::spawn_blocking(move || confined.open_write(append, offset > 0))
        .await
        .map_err(std::io::Error::other)??;
    let mut file = File::from_std(file);
    if !append && offset > 0 {
        file.seek(SeekFrom::Start(offset)).await?;
    }
    Ok(file)
}
