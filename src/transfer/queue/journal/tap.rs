//! The journal's side of a run: its jobs and their events, as rows.

use std::path::Path;

use crate::transfer::{EventKind, JobId};

use super::{ItemSettings, Journal, NewItem};

/// The row id of each job this process journals.
pub type Rows = std::collections::HashMap<JobId, i64>;

/// A site as the journal names it: its URL without a password, or "local".
pub fn site_url(location: &crate::transfer::Location) -> String {
    match &location.site {
        crate::transfer::Site::Ftp(site) => site.to_string(),
        crate::transfer::Site::Local => "local".to_string(),
    }
}

/// Records a run's jobs and their events. Without a journal (no state
/// directory, a read-only disk) the run goes on unrecorded, and says so
/// once in the log.
///
/// A tree's files are recorded in batches: held until a few hundred wait,
/// or until any other event comes (so a file's row exists before its
/// first state change, and a tree's before it is marked walked — a tree
/// not marked walked is walked again on resume, which finds files a crash
/// kept from being recorded).
pub struct Tap {
    journal: Option<Journal>,
    rows: Rows,
    /// What a job's files inherit: its spec's sites, kind, policy, way.
    specs: std::collections::HashMap<JobId, (String, String, crate::transfer::JobSpec)>,
    /// Files queued by a tree, not yet recorded: (file, tree, paths).
    unrecorded: Vec<(JobId, JobId, Vec<u8>, Vec<u8>)>,
}

/// How many of a tree's files are recorded in one transaction.
const BATCH: usize = 512;

impl Tap {
    pub fn open() -> Tap {
        Tap::at(Journal::default_path().as_deref())
    }

    pub(super) fn at(path: Option<&Path>) -> Tap {
        let journal = path.and_then(|path| match Journal::open(path) {
            Ok(j) => {
                let _ = j.prune();
                Some(j)
            }
            Err(e) => {
                tracing::warn!("no journal at {}: {e}", path.display());
                None
            }
        });
        Tap {
            journal,
            rows: Rows::new(),
            specs: Default::default(),
            unrecorded: Vec::new(),
        }
    }

    /// Gathers what follows in one transaction, until `commit`.
    pub(crate) fn begin(&self) {
        if let Some(journal) = &self.journal
            && let Err(e) = journal.begin()
        {
            tracing::warn!("journal: {e}");
        }
    }

    /// Records the tree files that wait, and commits.
    pub(crate) fn commit(&mut self) {
        self.flush();
        if let Some(journal) = &self.journal
            && let Err(e) = journal.commit()
        {
            tracing::warn!("journal: {e}");
        }
    }

    /// A job just submitted (or resumed: `row` is its journal row).
    pub fn submitted(&mut self, job: JobId, spec: &crate::transfer::JobSpec, row: Option<i64>) {
        self.flush();
        let (source_url, destination_url) = (site_url(&spec.source), site_url(&spec.destination));
        if let Some(journal) = &self.journal {
            let row = row.or_else(|| {
                journal
                    .add(&NewItem {
                        source_url: &source_url,
                        source_path: &spec.source.path,
                        destination_url: &destination_url,
                        destination_path: &spec.destination.path,
                        kind: spec.kind,
                        conflict: spec.conflict,
                        via: spec.via,
                        recursive: spec.recursive,
                        parent: None,
                        settings: serde_json::to_string(&ItemSettings::of(spec))
                            .ok()
                            .as_deref(),
                    })
                    .ok()
            });
            if let Some(row) = row {
                self.rows.insert(job, row);
            }
        }
        self.specs
            .insert(job, (source_url, destination_url, spec.clone()));
    }

    /// Follows an event; a tree's files get rows of their own.
    pub fn event(&mut self, event: &crate::transfer::Event) {
        if self.journal.is_none() {
            return;
        }
        if let EventKind::Queued {
            parent: Some(parent),
            source_path,
            destination_path,
            ..
        } = &event.kind
        {
            self.unrecorded.push((
                event.job,
                *parent,
                source_path.clone(),
                destination_path.clone(),
            ));
            if self.unrecorded.len() >= BATCH {
                self.flush();
            }
            return;
        }
        self.flush();
        let tree = self
            .specs
            .get(&event.job)
            .is_some_and(|(_, _, s)| s.recursive);
        if tree && matches!(event.kind, EventKind::Skipped { .. }) {
            // About a file its walk left out: the tree goes on.
            return;
        }
        if let (Some(journal), Some(row)) = (&self.journal, self.rows.get(&event.job))
            && let Err(e) = journal.record(*row, &event.kind)
        {
            tracing::warn!("journal: {e}");
        }
        if matches!(
            event.kind,
            EventKind::Verified { .. }
                | EventKind::Failed { .. }
                | EventKind::Cancelled { .. }
                | EventKind::Skipped { .. }
                | EventKind::Walked { .. }
        ) {
            // Its last event: a job that ended is not heard of again (a
            // tree's files were all queued before it), so a run of a
            // million files keeps the rows of those still going.
            self.rows.remove(&event.job);
            self.specs.remove(&event.job);
        }
    }

    /// Records the tree files that wait to be, in one transaction.
    pub fn flush(&mut self) {
        let Some(journal) = &self.journal else { return };
        if self.unrecorded.is_empty() {
            return;
        }
        let files = std::mem::take(&mut self.unrecorded);
        let (rows, specs) = (&mut self.rows, &self.specs);
        let done = journal.batch(|journal| {
            for (job, parent, source_path, destination_path) in &files {
                let Some((source_url, destination_url, spec)) = specs.get(parent) else {
                    continue;
                };
                let settings = serde_json::to_string(&ItemSettings::of(spec)).ok();
                let added = journal.add(&NewItem {
                    source_url,
                    source_path,
                    destination_url,
                    destination_path,
                    kind: spec.kind,
                    conflict: spec.conflict,
                    via: spec.via,
                    settings: settings.as_deref(),
                    recursive: false,
                    parent: rows.get(parent).copied(),
                });
                match added {
                    Ok(row) => {
                        rows.insert(*job, row);
                    }
                    Err(e) => tracing::warn!("journal: {e}"),
                }
            }
        });
        if let Err(e) = done {
            tracing::warn!("journal: {e}");
        }
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::{Conflict, Kind, Via};

    #[test]
    fn a_trees_files_are_recorded_in_batches_before_anything_else_and_its_skips_do_not_end_it() {
        use crate::transfer::{Event, JobSpec, Location};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sqlite3");
        let mut tap = Tap::at(Some(&path));
        let tree = JobSpec {
            source: Location::local(Path::new("/src")),
            destination: Location::local(Path::new("/dst")),
            kind: Kind::Copy,
            recursive: true,
            conflict: Conflict::Resume,
            via: Via::Auto,
        };
        tap.submitted(1, &tree, None);
        let count = |state: &str| -> i64 {
            let j = Journal::open(&path).unwrap();
            j.conn
                .query_row(
                    "SELECT count(*) FROM items WHERE state = ?1 AND parent IS NOT NULL",
                    [state],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let queued = |job: JobId| Event {
            job,
            kind: EventKind::Queued {
                source: String::new(),
                destination: String::new(),
                source_site: None,
                destination_site: None,
                source_path: format!("/src/f{job}").into_bytes(),
                destination_path: format!("/dst/f{job}").into_bytes(),
                parent: Some(1),
                kind: Kind::Copy,
                recursive: false,
            },
        };
        for job in 2..2 + BATCH as JobId + 10 {
            tap.event(&queued(job));
        }
        assert_eq!(
            count("queued"),
            BATCH as i64,
            "one batch recorded, ten waiting"
        );
        tap.event(&Event {
            job: 1,
            kind: EventKind::Skipped {
                path: "/src/x.tmp".into(),
                reason: "excluded by a skip pattern".into(),
            },
        });
        assert_eq!(
            count("queued"),
            BATCH as i64 + 10,
            "recorded before anything else"
        );
        let j = Journal::open(&path).unwrap();
        let tree_state: String = j
            .conn
            .query_row("SELECT state FROM items WHERE parent IS NULL", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(tree_state, "queued", "a skipped file does not end its tree");
        let child: (Vec<u8>, String) = j
            .conn
            .query_row(
                "SELECT destination_path, conflict FROM items WHERE parent IS NOT NULL ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(child, (b"/dst/f2".to_vec(), "resume".to_string()));
        tap.event(&queued(9999));
        drop(tap);
        assert_eq!(
            count("queued"),
            BATCH as i64 + 11,
            "the last ones when the tap goes"
        );
    }
}
