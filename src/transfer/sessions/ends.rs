//! The sessions of one file job: one per FTP end (none for the local
//! disk), taken from the sites' pools in an order that cannot deadlock.

use std::sync::Arc;

use crate::transfer::EventKind;
use crate::transfer::error::{End, Failure};
use crate::transfer::sessions::endpoint::Endpoint;
use crate::transfer::sessions::pool::{Pool, Session};
use crate::transfer::sessions::site::Site;
use crate::transfer::shared::Ctx;

/// The two ends' sessions for one attempt (`None` for a local end).
pub(crate) struct Ends {
    pub source: Option<Session>,
    pub destination: Option<Session>,
}

impl Ends {
    pub(crate) fn source(&mut self) -> Endpoint<'_> {
        Endpoint::of(self.source.as_deref_mut())
    }

    pub(crate) fn destination(&mut self) -> Endpoint<'_> {
        Endpoint::of(self.destination.as_deref_mut())
    }

    /// Whether the last way left a session unusable (see
    /// `Client::abandon`): the pools drop it when it is given back.
    pub(crate) fn any_abandoned(&self) -> bool {
        [&self.source, &self.destination]
            .into_iter()
            .flatten()
            .any(|s| s.abandoned())
    }

    pub(crate) fn discard(&mut self) {
        for s in [&mut self.source, &mut self.destination]
            .into_iter()
            .flatten()
        {
            s.discard();
        }
    }
}

/// Sessions for both ends. Two pools are always entered in the same order
/// (by key), and a copy within one site takes its two sessions at once, so
/// jobs waiting for slots can never hold each other up for good.
pub(crate) async fn checkout(
    ctx: &Ctx,
    source: &Site,
    destination: &Site,
) -> Result<Ends, Failure> {
    let pool = |site: &Site| match site {
        Site::Ftp(s) => Some(ctx.shared.pool(s)),
        Site::Local => None,
    };
    let (sp, dp) = (pool(source), pool(destination));
    let take = |pool: Arc<Pool>, n: usize, end: End| {
        let cancel = ctx.cancel.clone();
        async move {
            match pool.checkout(n, &cancel).await {
                None => Err(Failure::Cancelled),
                Some(Err(e)) => Err(Failure::ftp(end, &e)),
                Some(Ok(v)) => {
                    if let Some(reason) = v.iter().find_map(|s| pool.clear_notice(s)) {
                        ctx.emit(EventKind::Unencrypted {
                            site: pool.site().to_string(),
                            reason,
                        });
                    }
                    Ok(v)
                }
            }
        }
    };
    match (sp, dp) {
        (None, None) => Ok(Ends {
            source: None,
            destination: None,
        }),
        (Some(s), None) => Ok(Ends {
            source: take(s, 1, End::Source).await?.pop(),
            destination: None,
        }),
        (None, Some(d)) => Ok(Ends {
            source: None,
            destination: take(d, 1, End::Destination).await?.pop(),
        }),
        (Some(s), Some(d)) if Arc::ptr_eq(&s, &d) => {
            let mut both = take(s, 2, End::Source).await?;
            let destination = both.pop();
            Ok(Ends {
                source: both.pop(),
                destination,
            })
        }
        (Some(s), Some(d)) => {
            let source_first = s.site().key() <= d.site().key();
            let (first, second) = if source_first { (s, d) } else { (d, s) };
            let (first_end, second_end) = if source_first {
                (End::Source, End::Destination)
            } else {
                (End::Destination, End::Source)
            };
            let a = take(first, 1, first_end).await?.pop();
            let b = take(second, 1, second_end).await?.pop();
            let (source, destination) = if source_first { (a, b) } else { (b, a) };
            Ok(Ends {
                source,
                destination,
            })
        }
    }
}
