//! The finish step: a verified download's part file takes its name, a
//! move's source is deleted (only now: the copy verified), and the final
//! event says how the bytes went and what vouched for them. A job that
//! failed says what it left at its destination.

use super::FileJob;
use super::attempt::Carried;
use crate::transfer::error::{End, Failure};
use crate::transfer::local::partial;
use crate::transfer::sessions::endpoint::Endpoint;
use crate::transfer::sessions::site::Site;
use crate::transfer::shared::{Ctx, Shared};
use crate::transfer::{Check, Conflict, EventKind, JobSpec, KeepTimes, Kind, SourceKept};

impl FileJob<'_> {
    pub(super) async fn finish(
        &mut self,
        carried: Carried,
        (size, check): (u64, Check),
    ) -> Result<EventKind, Failure> {
        if self.plan.part {
            let root = self.ctx.local_root.as_deref();
            partial::promote(root, &self.work, &self.destination).await?;
            self.keep_time().await;
        }
        let source_kept = self.source_kept(check);
        let source_deleted = source_kept.is_none() && self.delete_source().await?;
        Ok(EventKind::Verified {
            // Only the way that carried the bytes is named; none did when a
            // resume found the file whole.
            mode: carried.mode(),
            bytes: self.source_size,
            size,
            check,
            source_deleted,
            source_kept,
            renamed_to: self
                .plan
                .rename
                .then(|| String::from_utf8_lossy(self.destination.name()).into_owned()),
            protection: carried.protection,
        })
    }

    /// The source's modification time given to the copy, where the
    /// settings want it (`--preserve-times`; trees by default). Never a
    /// failure: the bytes are there and verified. What cannot be kept is
    /// said once per destination.
    pub(super) async fn keep_time(&mut self) {
        if !self.keeps_time() {
            return;
        }
        let (source, destination) = (self.spec.source.path.clone(), self.destination.path.clone());
        let asked_ahead = *self.source_time.lock().unwrap_or_else(|e| e.into_inner());
        let known = self.listed_modified.or(asked_ahead.flatten());
        let root = self.ctx.local_root.clone();
        let site = match &self.destination.site {
            Site::Ftp(site) => site.to_string(),
            Site::Local => "the local disk".to_string(),
        };
        // Once a way of setting times worked on the destination, its
        // reply is not waited for: it is read with the next command's, and
        // a refusal said then (a session closed first says nothing).
        let (shared, job) = (std::sync::Arc::downgrade(&self.ctx.shared), self.ctx.id);
        let said_site = site.clone();
        let on_refused = move |e: crate::ftp::FtpError| {
            if let (Some(shared), crate::ftp::FtpError::Reply { .. }) = (shared.upgrade(), &e) {
                time_not_kept(&shared, job, said_site, format!("the destination: {e}"));
            }
        };
        let Ok(ends) = self.ends().await else {
            return;
        };
        let time = match known {
            Some(time) => Ok(Some(time)),
            None => ends.source().modified(&source).await,
        };
        let kept = match time {
            Ok(Some(time)) => ends
                .destination()
                .set_modified_soon(&destination, time, root.as_deref(), on_refused)
                .await
                .map_err(|e| format!("the destination: {e}")),
            Ok(None) => Err("the source has no MDTM".to_string()),
            Err(e) => Err(format!("the source: {e}")),
        };
        if let Err(reason) = kept {
            time_not_kept(&self.ctx.shared, self.ctx.id, site, reason);
        }
    }

    /// Whether the copy gives the destination its source's time: where
    /// the settings want it (`--preserve-times`; trees by default), never
    /// an append's (its destination is a file of its own).
    pub(super) fn keeps_time(&self) -> bool {
        let wanted = match self.ctx.shared.settings.keep_times {
            KeepTimes::Always => true,
            KeepTimes::Never => false,
            KeepTimes::Trees => self.ctx.tree != self.ctx.id,
        };
        wanted && self.spec.kind != Kind::Append
    }

    /// Why a move must keep its source although the copy verified: bytes
    /// at the destination that no run of this job wrote were vouched for
    /// by the size alone. Deleting the source then could lose the only
    /// copy of what differs in them.
    fn source_kept(&self, check: Check) -> Option<SourceKept> {
        let bytes = self.plan.foreign_prefix;
        let by_digest = matches!(check, Check::Hash(_));
        (self.spec.kind == Kind::Move && bytes > 0 && !by_digest)
            .then_some(SourceKept::UnvouchedPrefix { bytes })
    }

    /// A move's source, deleted once its copy verified. Not retried: the
    /// copy is done, and a second try would copy it again.
    async fn delete_source(&mut self) -> Result<bool, Failure> {
        if self.spec.kind != Kind::Move {
            return Ok(false);
        }
        let path = self.spec.source.path.clone();
        let deleted = self.ends().await?.source().delete(&path).await;
        deleted.map_err(|e| {
            Failure::ftp(End::Source, &e)
                .context("copied and verified, but deleting the source failed")
                .not_retried()
        })?;
        Ok(true)
    }

    /// The final event of a failed job, with what it left.
    pub(super) async fn failed(mut self, failure: Failure) -> EventKind {
        self.discard_ends();
        if self.plan.part {
            return partial::settle_failure(failure, &self.work)
                .await
                .into_event();
        }
        let (ctx, spec) = (self.ctx, self.spec);
        match failure {
            f @ Failure::Failed { .. } => match self.tidy_after_failure(ctx, spec).await {
                Some(left) => f.noting(&left).into_event(),
                None => f.into_event(),
            },
            f => f.into_event(),
        }
    }

    /// What a failed copy leaves at its destination, said, and never a
    /// file that only looks copied: an empty file this job's `STOR` made
    /// (or emptied, overwriting) is removed — the source may have refused
    /// `RETR` after the destination had opened the file; bytes this job
    /// wrote are kept for `--resume`. Only for a plain overwrite: any other
    /// policy either kept the old file or wrote under another name. Asked
    /// on another session than the job's (within the site's limit): after
    /// a failure its own are in no state to be trusted (and the source's
    /// may be gone).
    async fn tidy_after_failure(&self, ctx: &Ctx, spec: &JobSpec) -> Option<String> {
        // A local download writes a part file beside its target (see
        // `partial`), which settles its own failures.
        let Site::Ftp(site) = &spec.destination.site else {
            return None;
        };
        if spec.conflict != Conflict::Overwrite
            || spec.kind == Kind::Append
            || !ctx.shared.written.wrote(ctx.id)
        {
            return None;
        }
        let path = &spec.destination.path;
        let mut session = ctx.shared.pool(site).one().await.ok()?;
        let mut destination = Endpoint::Ftp(&mut session);
        match destination.size(path).await.ok().flatten() {
            None => None,
            Some(0) => Some(match destination.delete(path).await {
                Ok(()) => "the empty file it left at the destination was removed".to_string(),
                Err(e) => format!(
                    "an empty file is left at the destination (it could not be removed: {e})"
                ),
            }),
            Some(n) => Some(format!(
                "{n} bytes are kept at the destination: `--resume` continues them"
            )),
        }
    }
}

/// A destination that did not keep a file's time: logged, and said once
/// per destination.
fn time_not_kept(shared: &Shared, job: crate::transfer::JobId, site: String, reason: String) {
    tracing::info!("{site}: a file's time not kept: {reason}");
    if shared.learned.first_time_not_kept(&site) {
        let kind = EventKind::TimesNotKept { site, reason };
        let _ = shared.events.send(crate::transfer::Event { job, kind });
    }
}
