//! The verify step: the destination must exist with the size it should
//! have — asked with its directory's other files' for a tree's file
//! (`batch.rs`), else by its own `SIZE` — and, where both ends give one,
//! the same digest, chosen before any byte moves. Asking together can
//! only spare a round trip, never fail a copy or pass one that is not
//! whole.

use std::time::Duration;

use crate::ftp::FtpError;
use crate::ftp::hash::Algorithm;
use crate::transfer::error::{End, Failure};
use crate::transfer::queue::Slot;
use crate::transfer::sessions::endpoint::{Endpoint, SizeSlot};
use crate::transfer::sessions::ends::Ends;
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::Ctx;
use crate::transfer::{Check, EventKind, Verify, Why};

use super::FileJob;

impl FileJob<'_> {
    /// Verifies, and again after a pause when an end went away meanwhile
    /// (a server restarting while it was asked for a digest): the bytes
    /// are all there, only the check was cut off, and checking twice
    /// changes nothing.
    pub(super) async fn verify_patiently(
        &mut self,
        slot: &mut Option<Slot>,
        carried: Option<String>,
    ) -> Result<(u64, Check), Failure> {
        let (retries, mut backoff) = {
            let settings = &self.ctx.shared.settings;
            (settings.retries, settings.retry_backoff)
        };
        let mut retried = 0;
        loop {
            match self.verify(slot, carried.clone()).await {
                Err(Failure::Failed {
                    transient: true,
                    reason,
                    ..
                }) if retried < retries => {
                    retried += 1;
                    self.discard_ends();
                    let reason = Why::While {
                        doing: "checking the copy".into(),
                        why: reason,
                    };
                    if !super::pause_before_retry(self.ctx, retried, reason, &mut backoff).await {
                        return Err(Failure::Cancelled);
                    }
                }
                other => return other,
            }
        }
    }

    /// The destination's size as expected, then the digests: what the
    /// verified event says was checked. `carried`: the digest of the bytes
    /// the client carried.
    pub(super) async fn verify(
        &mut self,
        slot: &mut Option<Slot>,
        carried: Option<String>,
    ) -> Result<(u64, Check), Failure> {
        let Some(algorithm) = self.digest else {
            let size = match self.size_asked_together(slot).await {
                Some(n) if n == self.plan.expected => n,
                // Not shown, or not as expected: the file's own SIZE decides.
                _ => self.size_check().await?,
            };
            return Ok((size, Check::Size));
        };
        // The size goes out with the digest, one round trip for both;
        // a size that is not as expected is what the check then says.
        let (expected, work) = (self.plan.expected, self.work.path.clone());
        let asked = SizeSlot::default();
        self.ends()
            .await?
            .destination()
            .ask_size_ahead(&work, asked.clone())
            .await;
        let (source, work) = (&self.spec.source, &self.work);
        let ends = self.ends.as_mut().expect("just checked out");
        let digests = Box::pin(compare_digests(
            ends, source, work, algorithm, expected, carried,
        ))
        .await;
        let answered = *asked.lock().unwrap_or_else(|e| e.into_inner());
        let size = match answered {
            Some(Some(n)) if n == expected => n,
            // Not there, not as expected, or not answered: said as the
            // file's own SIZE says it.
            _ => self.size_check().await?,
        };
        Ok((size, digests?))
    }

    /// In a tree, the directory's files are checked together (`batch.rs`):
    /// the job waits for it holding neither sessions nor a slot.
    async fn size_asked_together(&mut self, slot: &mut Option<Slot>) -> Option<u64> {
        if self.digest.is_some() {
            return None;
        }
        let (dir, name) = batch_of(self.ctx, &self.destination)?;
        let answer = self.ctx.shared.batches.ask(self.ctx.tree, dir, name)?;
        self.ctx
            .asked_batch
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.ends = None;
        slot.take();
        self.ctx.emit(EventKind::Sent);
        answer.await.ok().flatten()
    }

    /// The destination's own `SIZE`, which must be the expected one.
    async fn size_check(&mut self) -> Result<u64, Failure> {
        let work = self.work.path.clone();
        let size = self
            .ends()
            .await?
            .destination()
            .size(&work)
            .await
            .map_err(|e| Failure::ftp(End::Destination, &e))?;
        let Some(size) = size else {
            return Err(Failure::permanent(format!(
                "verification failed: {} does not exist after the transfer, although the servers reported success",
                self.destination
            )));
        };
        let (expected, base, source_size) = (self.plan.expected, self.plan.base, self.source_size);
        if size != expected {
            return Err(Failure::permanent(if self.plan.offsets.append {
                format!(
                    "size check failed: destination has {size} bytes, expected {base} + {source_size} = {expected}"
                )
            } else {
                format!("size check failed: destination has {size} bytes, source has {source_size}")
            }));
        }
        Ok(size)
    }
}

/// Which digest both ends will compare, when the settings ask for one and
/// the ends can give it in a common algorithm (a local end computes any);
/// `None`: the size is the check. An append is checked by size: the
/// destination's digest covers what was there before too.
pub(crate) fn digest_to_compare(
    mode: Verify,
    ends: &mut Ends,
    append: bool,
) -> Result<Option<Algorithm>, Failure> {
    if mode == Verify::Size {
        return Ok(None);
    }
    let (a, b) = (ends.source().digests(), ends.destination().digests());
    let common = Algorithm::ALL
        .into_iter()
        .find(|x| a.contains(x) && b.contains(x));
    match common {
        _ if mode == Verify::Auto && (append || common.is_none()) => Ok(None),
        _ if append => Err(Failure::permanent(
            "cannot check an append by digest (the destination's digest covers what was there before); use --verify size or auto",
        )),
        None => {
            let names = |v: &[Algorithm]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.iter().map(|x| x.name()).collect::<Vec<_>>().join(", ")
                }
            };
            Err(Failure::permanent(format!(
                "cannot check by digest: the source offers {}, the destination {}",
                names(&a),
                names(&b)
            )))
        }
        Some(x) => Ok(Some(x)),
    }
}

/// Both ends' digests of the file, which must match. `carried`: the
/// digest of the bytes the client carried itself; it stands for the
/// client's own end (the local file of a download, the source of an upload
/// or a relay), which is then not read again.
pub(crate) async fn compare_digests(
    ends: &mut Ends,
    source: &Location,
    destination: &Location,
    algorithm: Algorithm,
    size: u64,
    carried: Option<String>,
) -> Result<Check, Failure> {
    // A server reads the whole file to answer: allow for a slow disk.
    let timeout = Duration::from_secs(60) + Duration::from_secs(size / 20_000_000);
    let carried_is_destination =
        matches!(destination.site, Site::Local) && !matches!(source.site, Site::Local);
    let (carried_for_source, carried_for_destination) = if carried_is_destination {
        (None, carried)
    } else {
        (carried, None)
    };
    // Each server reads its whole file: both at once.
    let (mut source_end, mut destination_end) = (
        Endpoint::of(ends.source.as_deref_mut()),
        Endpoint::of(ends.destination.as_deref_mut()),
    );
    let (theirs, ours) = tokio::join!(
        async {
            match carried_for_source {
                Some(d) => Ok(d),
                None => source_end.digest(&source.path, algorithm, timeout).await,
            }
        },
        async {
            match carried_for_destination {
                Some(d) => Ok(d),
                None => {
                    destination_end
                        .digest(&destination.path, algorithm, timeout)
                        .await
                }
            }
        }
    );
    // An unreadable digest reply says nothing about the file, which
    // already matched in size: it never fails a copy that arrived.
    let unreadable = |r: &Result<String, FtpError>| matches!(r, Err(FtpError::BadReply { .. }));
    if unreadable(&theirs) {
        return Ok(Check::SizeDigestUnreadable(End::Source));
    }
    if unreadable(&ours) {
        return Ok(Check::SizeDigestUnreadable(End::Destination));
    }
    let theirs = theirs.map_err(|e| Failure::ftp(End::Source, &e))?;
    let ours = ours.map_err(|e| Failure::ftp(End::Destination, &e))?;
    if theirs != ours {
        return Err(Failure::permanent(format!(
            "content check failed: {algorithm} of the source is {theirs}, of the destination {ours}"
        )));
    }
    Ok(Check::Hash(algorithm))
}

/// The destination directory and name a tree's file is verified under,
/// when it is one of a tree's files on an FTP destination.
pub(crate) fn batch_of(ctx: &Ctx, destination: &Location) -> Option<(Vec<u8>, Vec<u8>)> {
    if ctx.tree == ctx.id || matches!(destination.site, Site::Local) {
        return None;
    }
    let (dir, name) = destination.parent_and_name();
    Some((dir.to_vec(), name.to_vec()))
}
