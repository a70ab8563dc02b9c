//! One end of a copy, whatever it is: a logged-in FTP session or the local
//! disk. What the engine asks of an end (its size, a digest, to delete a
//! file) is answered here once for both, so no caller matches on the kind
//! of site.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::ftp::hash::Algorithm;
use crate::ftp::{Client, FtpError};
use crate::transfer::local::beneath::Confined;

/// Where a time asked ahead arrives: `Some(None)` when the server could not
/// give it.
pub(crate) type TimeSlot = std::sync::Arc<std::sync::Mutex<Option<Option<NaiveDateTime>>>>;

/// Where a size asked ahead arrives: `Some(None)` when the file is not
/// there; `None` while unanswered, or when the answer was no size at all.
pub(crate) type SizeSlot = std::sync::Arc<std::sync::Mutex<Option<Option<u64>>>>;

pub(crate) enum Endpoint<'a> {
    Ftp(&'a mut Client),
    Local,
}

impl<'a> Endpoint<'a> {
    /// The session of an end, or the local disk when there is none.
    pub(crate) fn of(session: Option<&'a mut Client>) -> Endpoint<'a> {
        match session {
            Some(c) => Endpoint::Ftp(c),
            None => Endpoint::Local,
        }
    }

    /// The size of a file, `None` when it does not exist (or is not a file).
    pub(crate) async fn size(&mut self, path: &[u8]) -> Result<Option<u64>, FtpError> {
        match self {
            Endpoint::Ftp(client) => match client.size(path).await {
                Ok(n) => Ok(Some(n)),
                Err(FtpError::Reply { reply, .. }) if reply.code == 550 => Ok(None),
                Err(e) => Err(e),
            },
            Endpoint::Local => match tokio::fs::metadata(local(path)).await {
                Ok(m) if m.is_file() => Ok(Some(m.len())),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(FtpError::Io(e)),
            },
        }
    }

    pub(crate) async fn delete(&mut self, path: &[u8]) -> Result<(), FtpError> {
        match self {
            Endpoint::Ftp(client) => client.dele(path).await,
            Endpoint::Local => tokio::fs::remove_file(local(path))
                .await
                .map_err(FtpError::Io),
        }
    }

    /// A file's modification time in UTC (`MDTM`, RFC 3659); `None` when
    /// the server has no `MDTM`.
    pub(crate) async fn modified(
        &mut self,
        path: &[u8],
    ) -> Result<Option<NaiveDateTime>, FtpError> {
        match self {
            Endpoint::Ftp(client) if client.features().mdtm => client.mdtm(path).await.map(Some),
            Endpoint::Ftp(_) => Ok(None),
            Endpoint::Local => {
                let meta = tokio::fs::metadata(local(path)).await?;
                let time: chrono::DateTime<chrono::Utc> = meta.modified()?.into();
                Ok(Some(time.naive_utc()))
            }
        }
    }

    /// Gives a file the modification time `time` (UTC). On the local disk
    /// the file is reached beneath `root` as every local write is: no link
    /// followed, so only the file this job wrote is touched.
    pub(crate) async fn set_modified(
        &mut self,
        path: &[u8],
        time: NaiveDateTime,
        root: Option<&Path>,
    ) -> Result<(), FtpError> {
        match self {
            Endpoint::Ftp(client) => client.set_modified(path, time).await.map(drop),
            Endpoint::Local => {
                let confined = Confined::new(root, local(path));
                let when = std::time::SystemTime::from(time.and_utc());
                tokio::task::spawn_blocking(move || confined.set_modified(when))
                    .await
                    .map_err(std::io::Error::other)?
                    .map_err(FtpError::Io)
            }
        }
    }

    /// Asks a server for a file's time now, without waiting: the answer is
    /// read with the next command's (a copy's `PORT`) and put in `slot`.
    /// `false` when there is nothing to ask ahead (no `MDTM`, the disk).
    pub(crate) async fn ask_modified_ahead(&mut self, path: &[u8], slot: TimeSlot) -> bool {
        let Endpoint::Ftp(client) = self else {
            return false;
        };
        if !client.features().mdtm {
            return false;
        }
        let answered = slot.clone();
        let sent = client
            .mdtm_unawaited(path, move |time| {
                *answered.lock().unwrap_or_else(|e| e.into_inner()) = Some(time.ok());
            })
            .await;
        sent.is_ok()
    }

    /// Asks a server for a file's size now, without waiting: the answer is
    /// read with the next command's (the digest of a check) and put in
    /// `slot` (`Some(None)`: the file is not there). `false` when nothing
    /// was asked (the disk answers at once).
    pub(crate) async fn ask_size_ahead(&mut self, path: &[u8], slot: SizeSlot) -> bool {
        let Endpoint::Ftp(client) = self else {
            return false;
        };
        let answered = slot.clone();
        let sent = client
            .size_unawaited(path, move |size| {
                if let Ok(size) = size {
                    *answered.lock().unwrap_or_else(|e| e.into_inner()) = Some(size);
                }
            })
            .await;
        sent.is_ok()
    }

    /// As [`set_modified`](Self::set_modified), without waiting where a
    /// server took a way before: `on_refused` hears of a refusal when its
    /// reply comes (with the next command's).
    pub(crate) async fn set_modified_soon(
        &mut self,
        path: &[u8],
        time: NaiveDateTime,
        root: Option<&Path>,
        on_refused: impl FnOnce(FtpError) + Send + Sync + 'static,
    ) -> Result<(), FtpError> {
        if let Endpoint::Ftp(client) = self {
            let on_done = move |done: Result<_, FtpError>| {
                if let Err(e) = done {
                    on_refused(e);
                }
            };
            if client.set_modified_unawaited(path, time, on_done).await? {
                return Ok(());
            }
        }
        self.set_modified(path, time, root).await
    }

    /// The digests this end can give: a server's by `FEAT`, any here.
    pub(crate) fn digests(&self) -> Vec<Algorithm> {
        match self {
            Endpoint::Ftp(client) => client.features().hash_algorithms(),
            Endpoint::Local => Algorithm::ALL.to_vec(),
        }
    }

    /// A whole file's digest; `timeout` bounds a server's answer (it reads
    /// the whole file first).
    pub(crate) async fn digest(
        &mut self,
        path: &[u8],
        algorithm: Algorithm,
        timeout: Duration,
    ) -> Result<String, FtpError> {
        match self {
            Endpoint::Ftp(client) => client.hash(path, algorithm, timeout).await,
            Endpoint::Local => {
                let path = local(path).to_path_buf();
                tokio::task::spawn_blocking(move || {
                    crate::transfer::local::digest(&path, algorithm)
                })
                .await
                .map_err(std::io::Error::other)?
                .map_err(FtpError::Io)
            }
        }
    }
}

/// A local path from the engine's raw bytes.
pub(crate) fn local(path: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(path))
}
