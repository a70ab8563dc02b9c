//! What a file job makes of its destination beyond the bytes: the
//! question about an existing file, a free name beside it, and what a
//! cancel leaves there (deleted when asked and the job's own, else kept
//! and said where).

use crate::transfer::error::{End, Failure};
use crate::transfer::local::partial;
use crate::transfer::sessions::endpoint::Endpoint;
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::Ctx;
use crate::transfer::{Conflict, EventKind};

/// Asks whoever listens to the events what to do with an existing
/// destination, and waits for [`Engine::answer`](crate::transfer::Engine::answer).
pub(crate) async fn ask(
    ctx: &Ctx,
    destination: &Location,
    source_size: u64,
    destination_size: u64,
) -> Result<Conflict, Failure> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    ctx.shared.jobs.ask(ctx.id, tx);
    ctx.emit(EventKind::Conflict {
        destination: destination.to_string(),
        source_size,
        destination_size,
    });
    let answer = tokio::select! {
        a = rx => a.ok(),
        () = ctx.cancel.cancelled() => None,
    };
    ctx.shared.jobs.question(ctx.id);
    match answer {
        // Asking again would loop: an unanswerable question skips.
        Some(Conflict::Ask) => Ok(Conflict::Skip),
        Some(policy) => Ok(policy),
        None => Err(Failure::Cancelled),
    }
}

/// The final event of a cancelled job: what is left at the destination,
/// after deleting it when asked to and the job created it.
/// `is_part`: the destination is a download's part file, fxpc's own.
pub(crate) async fn cancelled(
    ctx: &Ctx,
    destination: &Location,
    existed: Option<bool>,
    is_part: bool,
) -> EventKind {
    let discard = ctx.shared.jobs.take_discard(ctx.id);
    if is_part {
        return match discard {
            true => match partial::remove(destination).await {
                Ok(()) => EventKind::Cancelled {
                    partial: None,
                    kept_because: None,
                },
                Err(e) => EventKind::Cancelled {
                    partial: fresh_size(ctx, destination).await,
                    kept_because: Some(format!("{destination} could not be deleted: {e}")),
                },
            },
            false => EventKind::Cancelled {
                partial: fresh_size(ctx, destination).await,
                kept_because: Some(format!("in {destination}, where a resume continues it")),
            },
        };
    }
    let mut kept_because = None;
    if discard && existed == Some(true) {
        kept_because = Some("it existed before this copy".to_string());
    }
    if discard && existed == Some(false) {
        let deleted = match &destination.site {
            Site::Local => Endpoint::Local.delete(&destination.path).await,
            Site::Ftp(site) => match ctx.shared.pool(site).one().await {
                Ok(mut session) => Endpoint::Ftp(&mut session).delete(&destination.path).await,
                Err(e) => Err(e),
            },
        };
        match deleted {
            Ok(()) => {
                return EventKind::Cancelled {
                    partial: None,
                    kept_because: None,
                };
            }
            Err(e) => kept_because = Some(format!("it could not be deleted: {e}")),
        }
    }
    EventKind::Cancelled {
        partial: fresh_size(ctx, destination).await,
        kept_because,
    }
}

/// The destination's size on another session than the job's (after a
/// cancel, its own are in no state to ask).
pub(crate) async fn fresh_size(ctx: &Ctx, at: &Location) -> Option<u64> {
    match &at.site {
        Site::Local => Endpoint::Local.size(&at.path).await.ok().flatten(),
        Site::Ftp(site) => {
            let mut session = ctx.shared.pool(site).one().await.ok()?;
            Endpoint::Ftp(&mut session)
                .size(&at.path)
                .await
                .ok()
                .flatten()
        }
    }
}

pub(crate) async fn free_name(mut end: Endpoint<'_>, at: &Location) -> Result<Location, Failure> {
    for n in 1..10_000 {
        let mut path = at.path.clone();
        path.extend_from_slice(format!(".{n}").as_bytes());
        let candidate = at.with_path(path);
        let exists = end
            .size(&candidate.path)
            .await
            .map_err(|e| Failure::ftp(End::Destination, &e))?
            .is_some();
        if !exists {
            return Ok(candidate);
        }
    }
    Err(Failure::permanent(format!("no free name next to {at}")))
}
