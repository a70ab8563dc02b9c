//! Where an upload's bytes go. A plain `STOR` over an existing file writes
//! to a hidden name beside it and takes the file's name only once all its
//! data has arrived (ProFTPD's `HiddenStores`, Pure-FTPd's
//! `--notruncate`): until then other clients see the old file, and a
//! broken upload leaves it untouched.
//!
//! Everything else writes in place: `APPE`, `REST`+`STOR` and `STOU`, as
//! resuming needs, and a `STOR` of a new name. There is no old content to
//! protect, and what a broken upload leaves is what a client resumes from
//! (`SIZE`, then `REST`), and what a client copying between two servers
//! watches grow (`SIZE`) to know the copy is alive; hidden, a new file
//! could be neither resumed nor watched.
//!
//! One upload at a time per name (vsftpd's `lock_upload_files`),
//! whichever way it writes.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::File;
use std::hash::BuildHasher;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, FlockOperation, Mode, OFlags};

use super::vfs::{self, HIDDEN_PREFIX, Jail, UploadKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    Replace,
    Append,
    /// STOU: the name was reserved (created empty) by the session.
    Unique,
}

/// An upload's file, and what to do with it once the data has arrived.
pub(crate) struct Upload {
    pub(crate) file: File,
    pub(crate) pending: Pending,
    /// Written in place under a name that did not exist before.
    pub(crate) created: bool,
}

/// Dropped without [`Pending::commit`], a hidden store's file is removed
/// and the target keeps its old content.
pub(crate) struct Pending {
    hidden: Option<Hidden>,
    claim: Option<Claim>,
}

struct Hidden {
    dir: File,
    temp: Vec<u8>,
    name: Vec<u8>,
}

struct Claim {
    busy: Arc<Mutex<HashSet<UploadKey>>>,
    key: UploadKey,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.busy.lock().expect("uploads lock").remove(&self.key);
    }
}

impl Pending {
    /// The upload is whole: a hidden store now takes its target's name.
    /// Blocking.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        if let Some(h) = self.hidden.take() {
            let renamed = rustix::fs::renameat(
                &h.dir,
                OsStr::from_bytes(&h.temp),
                &h.dir,
                OsStr::from_bytes(&h.name),
            );
            if renamed.is_err() {
                let _ = rustix::fs::unlinkat(&h.dir, OsStr::from_bytes(&h.temp), AtFlags::empty());
            }
            renamed?;
        }
        Ok(())
    }
}

impl Pending {
    /// The upload failed: a hidden store's file is removed now, before
    /// the client is answered. Blocking.
    pub(crate) fn discard(mut self) {
        if let Some(h) = self.hidden.take() {
            h.remove();
        }
    }
}

impl Hidden {
    fn remove(&self) {
        let _ = rustix::fs::unlinkat(&self.dir, OsStr::from_bytes(&self.temp), AtFlags::empty());
    }
}

/// A session cancelled mid-upload (its client left, the server stops)
/// drops its upload on an async worker: the file is removed off it.
impl Drop for Pending {
    fn drop(&mut self) {
        let Some(h) = self.hidden.take() else { return };
        let claim = self.claim.take();
        let remove = move || {
            h.remove();
            // The name is free only once the broken upload is gone.
            drop(claim);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(remove)),
            Err(_) => remove(),
        }
    }
}

impl Jail {
    /// Opens an upload of `virtual_path`. Blocking: call it off the async
    /// workers.
    ///
    /// A second upload to the same name meanwhile gets `WouldBlock`, not
    /// a mix of both. A FIFO, a device or a directory is refused, never
    /// waited on. `REST` beyond the file's end is refused
    /// (`InvalidInput`): it would make a sparse file of any size.
    pub(crate) fn open_upload(
        &self,
        virtual_path: &[u8],
        how: Write,
        offset: u64,
    ) -> io::Result<Upload> {
        let (dir, name) = self.parent(virtual_path)?;
        let claim = self.claim(&dir, &name)?;
        let old = rustix::fs::statat(&dir, OsStr::from_bytes(&name), AtFlags::SYMLINK_NOFOLLOW);
        let created = old.is_err();
        let old = old.ok().filter(|st| {
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::RegularFile
        });
        if how == Write::Replace
            && offset == 0
            && let Some(old) = old
        {
            // Not the umask's default but what the old file had: the
            // rename must not change who may read it.
            let (file, hidden) = hidden_file(dir, name, old.st_mode & 0o7777)?;
            return Ok(Upload {
                file,
                pending: Pending {
                    hidden: Some(hidden),
                    claim: Some(claim),
                },
                created: false,
            });
        }
        let file = self.open_in_place(virtual_path, how, offset)?;
        Ok(Upload {
            file,
            pending: Pending {
                hidden: None,
                claim: Some(claim),
            },
            created,
        })
    }

    fn claim(&self, dir: &File, name: &[u8]) -> io::Result<Claim> {
        let meta = dir.metadata()?;
        let key = (meta.dev(), meta.ino(), name.to_vec());
        let mut busy = self.uploads.lock().expect("uploads lock");
        if !busy.insert(key.clone()) {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "being uploaded by another session",
            ));
        }
        Ok(Claim {
            busy: self.uploads.clone(),
            key,
        })
    }

    /// `APPE`, `REST`+`STOR`, `STOU`, a new name: the file itself, locked
    /// against other processes too. A symlink is followed (inside the
    /// jail); a FIFO or a device is refused without waiting.
    fn open_in_place(&self, virtual_path: &[u8], how: Write, offset: u64) -> io::Result<File> {
        let mut flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NONBLOCK;
        if how == Write::Append {
            flags |= OFlags::APPEND;
        }
        let file = vfs::plain_blocking(self.open(virtual_path, flags, 0o666)?)?;
        rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive)?;
        let len = file.metadata()?.len();
        if how == Write::Replace && offset == 0 {
            // Emptied only once locked: it may have appeared meanwhile.
            file.set_len(0)?;
        } else if how == Write::Replace {
            if offset > len {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the restart position {offset} is beyond the end of the file ({len} bytes)"
                    ),
                ));
            }
            rustix::fs::seek(&file, rustix::fs::SeekFrom::Start(offset))?;
        }
        Ok(file)
    }
}

/// A new hidden file beside `name` in `dir`, with `mode`.
fn hidden_file(dir: File, name: Vec<u8>, mode: u32) -> io::Result<(File, Hidden)> {
    let random = std::collections::hash_map::RandomState::new();
    for attempt in 0u32..16 {
        let mut temp = HIDDEN_PREFIX.to_vec();
        temp.extend(format!("{:016x}", random.hash_one(attempt)).bytes());
        let created = rustix::fs::openat(
            &dir,
            OsStr::from_bytes(&temp),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        );
        match created {
            Ok(fd) => {
                let file = File::from(fd);
                if let Err(e) = rustix::fs::fchmod(&file, Mode::from_raw_mode(mode)) {
                    let _ = rustix::fs::unlinkat(&dir, OsStr::from_bytes(&temp), AtFlags::empty());
                    return Err(e.into());
                }
                return Ok((file, Hidden { dir, temp, name }));
            }
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a hidden upload",
    ))
}
