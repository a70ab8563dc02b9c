//! `fxpc queue resume`'s side of the journal: the items a dead run left,
//! claimed for this one, as jobs to submit again.

use crate::transfer::{Conflict, Kind};

use super::{EndSettings, Item, Journal};

/// Claimed items (row, job to submit), why others could not be, and what
/// a claimed tree's earlier run did to its files (destination, verified).
pub type Claimed = (
    Vec<(i64, crate::transfer::JobSpec)>,
    Vec<String>,
    Vec<(crate::transfer::Location, bool)>,
);

/// Makes a queued item's site from its URL and the settings it was
/// queued with.
pub type SiteOf<'a> = dyn Fn(&crate::ftp::FtpUrl, Option<&EndSettings>) -> Result<crate::transfer::FtpSite, String>
    + 'a;

/// The unfinished items, claimed for this process, as jobs to submit: a
/// file this job had started writing continues from the destination's
/// size; any other starts over under its own policy (an existing file that
/// is not ours is never "resumed"). `site_of` logs in to a URL again (the
/// journal keeps no password); an item whose site cannot be made is left
/// unclaimed and reported.
pub fn claim_all(journal: &mut Journal, site_of: &SiteOf<'_>) -> rusqlite::Result<Claimed> {
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    let mut earlier = Vec::new();
    let pending = journal.pending()?;
    // A tree whose walk did not finish is walked again: its files from
    // the earlier run are then judged by what the journal says of them
    // (below), and their old rows are closed rather than run twice.
    let trees: std::collections::HashSet<i64> = pending
        .iter()
        .filter(|i| i.recursive)
        .map(|i| i.id)
        .collect();
    for item in pending {
        if item.parent.is_some_and(|p| trees.contains(&p)) {
            if journal.claim(item.id)? {
                journal.conn.execute(
                    "UPDATE items SET state = 'superseded' WHERE id = ?1",
                    [item.id],
                )?;
            }
            continue;
        }
        let (source, destination) = match ends_of(&item, site_of) {
            Ok(ends) => ends,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if !journal.claim(item.id)? {
            continue;
        }
        // The bytes an interrupted file left are its own to continue, and
        // a move need not ask a digest to vouch for them.
        if !item.recursive && item.wrote && item.kind != Kind::Append {
            earlier.push((destination.clone(), false));
        }
        if item.recursive {
            earlier.extend(files_done(journal, item.id, &destination)?);
        }
        let conflict = if item.wrote && item.kind != Kind::Append {
            Conflict::Resume
        } else {
            item.conflict
        };
        jobs.push((
            item.id,
            crate::transfer::JobSpec {
                source,
                destination,
                kind: item.kind,
                recursive: item.recursive,
                conflict,
                via: item.via,
            },
        ));
    }
    Ok((jobs, problems, earlier))
}

/// An item's source and destination, their sites made again.
fn ends_of(
    item: &Item,
    site_of: &SiteOf<'_>,
) -> Result<(crate::transfer::Location, crate::transfer::Location), String> {
    let stored = item.settings.clone().unwrap_or_default();
    let source = location(
        site_of,
        &item.source_url,
        &item.source_path,
        stored.source.as_ref(),
    )?;
    let destination = location(
        site_of,
        &item.destination_url,
        &item.destination_path,
        stored.destination.as_ref(),
    )?;
    Ok((source, destination))
}

fn location(
    site_of: &SiteOf<'_>,
    url: &str,
    path: &[u8],
    settings: Option<&EndSettings>,
) -> Result<crate::transfer::Location, String> {
    if url == "local" {
        return Ok(crate::transfer::Location {
            site: crate::transfer::Site::Local,
            path: path.to_vec(),
        });
    }
    let parsed = crate::ftp::FtpUrl::parse(url).map_err(|e| e.to_string())?;
    Ok(crate::transfer::Location::ftp(
        std::sync::Arc::new(site_of(&parsed, settings)?),
        path.to_vec(),
    ))
}

/// What a tree's earlier run did to its files: each one it had verified
/// or started writing, at `destination`'s site, and whether it verified.
fn files_done(
    journal: &Journal,
    tree: i64,
    destination: &crate::transfer::Location,
) -> rusqlite::Result<Vec<(crate::transfer::Location, bool)>> {
    let mut done = Vec::new();
    for (state, wrote, path) in journal.files_of(tree)? {
        if state == "verified" || wrote {
            let at = crate::transfer::Location {
                site: destination.site.clone(),
                path,
            };
            done.push((at, state == "verified"));
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::super::tests::item;
    use super::*;
    use crate::transfer::EventKind;
    use crate::transfer::queue::journal::NewItem;

    #[test]
    fn an_unwalked_tree_is_claimed_whole_with_what_its_files_did() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("q.sqlite3")).unwrap();
        let tree = j
            .add(&NewItem {
                recursive: true,
                source_url: "local",
                destination_url: "local",
                ..item(b"/src")
            })
            .unwrap();
        let child = |path: &'static [u8]| NewItem {
            parent: Some(tree),
            source_url: "local",
            destination_url: "local",
            ..item(path)
        };
        let done = j.add(&child(b"/src/a")).unwrap();
        let half = j.add(&child(b"/src/b")).unwrap();
        j.add(&child(b"/src/c")).unwrap();
        j.record(
            done,
            &EventKind::Verified {
                mode: crate::transfer::Mode::Local,
                bytes: 1,
                size: 1,
                check: crate::transfer::Check::Size,
                source_deleted: false,
                source_kept: None,
                renamed_to: None,
                protection: None,
            },
        )
        .unwrap();
        j.record(half, &EventKind::Writing).unwrap();
        j.conn.execute("UPDATE items SET owner = 0", []).unwrap();
        let (jobs, problems, earlier) =
            claim_all(&mut j, &|_, _| Err("no FTP here".into())).unwrap();
        assert!(problems.is_empty());
        assert_eq!(jobs.len(), 1, "the tree alone, not its files again");
        assert!(jobs[0].1.recursive);
        let mut earlier: Vec<(Vec<u8>, bool)> =
            earlier.into_iter().map(|(l, v)| (l.path, v)).collect();
        earlier.sort();
        assert_eq!(
            earlier,
            [(b"/src/a".to_vec(), true), (b"/src/b".to_vec(), false)]
        );
        // The files' old rows are closed: nothing pending but the tree.
        let pending: Vec<i64> = j.pending().unwrap().iter().map(|i| i.id).collect();
        assert!(pending.is_empty() || pending == [tree], "{pending:?}");
    }
}
