//! What "verified" compares beyond the size: both ends' digests, chosen
//! before any byte moves; and where a tree's file is verified by its
//! directory's listing instead.

use std::time::Duration;

use crate::ftp::FtpError;
use crate::ftp::hash::Algorithm;
use crate::transfer::error::{End, Failure};
use crate::transfer::sessions::endpoint::Endpoint;
use crate::transfer::sessions::ends::Ends;
use crate::transfer::sessions::site::{Location, Site};
use crate::transfer::shared::Ctx;
use crate::transfer::{Check, Verify};

/// Which digest both ends will compare, when the settings ask for one and
/// the ends can give it in a common algorithm (a local end computes any);
/// `None`: the size is the check. An append is checked by size: the
/// destination's digest covers what was there before too.
pub(crate) fn digest_to_compare(
    ctx: &Ctx,
    ends: &mut Ends,
    append: bool,
) -> Result<Option<Algorithm>, Failure> {
    let mode = ctx.shared.settings.verify;
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
            "cannot check an append by digest (the destination's digest covers what was there before); use --verify size or auto".into(),
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
