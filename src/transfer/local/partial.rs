//! A download's bytes arrive beside the target, in `.NAME.fxpc-part`, and
//! take the target's name only once they verified: a failed or endless
//! transfer never leaves a wrong file under the name the user asked for.
//!
//! The part file is also what a resume continues: a job that wrote bytes
//! and then failed in a way a retry could get past keeps it (and says so);
//! `Conflict::Resume` — what `--resume`, `fxpc queue resume` and a retry
//! ask for — continues the part file when there is one, and the target
//! itself (a partial file another tool left) when there is none.

use std::io;
use std::path::{Path, PathBuf};

use crate::transfer::error::Failure;
use crate::transfer::local::beneath::{Confined, Standing};
use crate::transfer::sessions::site::Location;

/// The part file beside a destination: `dir/.NAME.fxpc-part`.
pub(crate) fn part_of(destination: &Location) -> Location {
    let (dir, name) = destination.parent_and_name();
    let mut path = dir.to_vec();
    if !path.is_empty() && !path.ends_with(b"/") {
        path.push(b'/');
    }
    path.push(b'.');
    path.extend_from_slice(name);
    path.extend_from_slice(b".fxpc-part");
    destination.with_path(path)
}

/// What stands at a local path beneath the copy's root, looked at off the
/// async threads; a link on the way is an error.
pub(crate) async fn standing(root: Option<&Path>, at: &Location) -> Result<Standing, Failure> {
    let confined = Confined::new(root, &at.local_path());
    blocking(move || confined.standing())
        .await
        .map_err(|e| Failure::local(crate::transfer::error::End::Destination, e))
}

/// Refuses a download the destination's file system cannot hold: `needed`
/// more bytes than its free space (as an unprivileged writer sees it).
pub(crate) async fn check_space(at: &Location, needed: u64) -> Result<(), Failure> {
    let dir = parent_dir(&at.local_path());
    let free = blocking(move || {
        let s = rustix::fs::statvfs(&dir)?;
        Ok(s.f_bavail.saturating_mul(s.f_frsize))
    })
    .await;
    match free {
        Ok(free) if free < needed => {
            let why =
                format!("the local disk has {free} bytes free, and the file needs {needed} more");
            Err(Failure::Failed {
                reason: Box::new(format!("not enough space at the destination {at}: {why}").into()),
                replies: Vec::new(),
                transient: false,
                out_of_space: Some(Box::new(why.into())),
                cause: None,
            })
        }
        // A file system that cannot say leaves the write to find out.
        _ => Ok(()),
    }
}

/// Gives the verified part file the target's name. `rename` replaces what
/// stood there (a symlink itself, never what it points to).
pub(crate) async fn promote(
    root: Option<&Path>,
    part: &Location,
    destination: &Location,
) -> Result<(), Failure> {
    let from = Confined::new(root, &part.local_path());
    let to = Confined::new(root, &destination.local_path());
    blocking(move || from.rename_to(&to)).await.map_err(|e| {
        Failure::permanent(format!(
            "verified, but the download could not take its name {destination}: {e}"
        ))
    })
}

/// After a failed download: a part file a resume can continue (the
/// failure was one a retry could get past) is kept and the reason says
/// where; any other is removed.
pub(crate) async fn settle_failure(failure: Failure, part: &Location) -> Failure {
    let resumable = matches!(
        failure,
        Failure::Failed {
            transient: true,
            ..
        }
    );
    let arrived = match standing(None, part).await {
        Ok(Standing::File(n)) => n,
        _ => return failure,
    };
    if resumable && arrived > 0 {
        let kept = format!(
            "the {arrived} bytes that arrived are kept in {part}, where a resume (--resume, or a retry) continues them"
        );
        return failure.noting(&kept);
    }
    let path = part.local_path();
    let _ = blocking(move || std::fs::remove_file(&path)).await;
    failure
}

/// Removes a part file (a cancel that discards what it wrote).
pub(crate) async fn remove(part: &Location) -> io::Result<()> {
    let path = part.local_path();
    blocking(move || match std::fs::remove_file(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    })
    .await
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// File-system calls run off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_file_sits_beside_its_target() {
        let at = |p: &str| part_of(&Location::local(p)).path;
        assert_eq!(at("/d/tree/f.txt"), b"/d/tree/.f.txt.fxpc-part");
        assert_eq!(at("f.txt"), b".f.txt.fxpc-part");
        assert_eq!(at("/f"), b"/.f.fxpc-part");
    }
}
