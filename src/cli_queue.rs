//! The command line's side of the journal (`fxpc::transfer::journal`):
//! `cp` records its work as it goes, and `fxpc queue` lists, resumes or
//! clears what a run that quit or was killed left unfinished.

use anyhow::{Context, Result};
use fxpc::transfer::journal::{Item, Journal, NewItem, Rows};
use fxpc::transfer::{self, Event, EventKind, JobId, JobSpec, Location, Site};

/// A site as the journal names it: its URL without a password, or "local".
pub fn site_url(location: &Location) -> String {
    match &location.site {
        Site::Ftp(site) => site.to_string(),
        Site::Local => "local".to_string(),
    }
}

/// Records a run's jobs and their events. Without a journal (no state
/// directory, a read-only disk) the run goes on unrecorded, and says so
/// once in the log.
pub struct Tap {
    journal: Option<Journal>,
    rows: Rows,
    /// What a job's files inherit: its spec's sites, kind, policy, way.
    specs: std::collections::HashMap<JobId, (String, String, JobSpec)>,
}

impl Tap {
    pub fn open() -> Tap {
        let journal = Journal::default_path().and_then(|path| match Journal::open(&path) {
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
        }
    }

    /// A job just submitted (or resumed: `row` is its journal row).
    pub fn submitted(&mut self, job: JobId, spec: &JobSpec, row: Option<i64>) {
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
    pub fn event(&mut self, event: &Event) {
        let Some(journal) = &self.journal else { return };
        if let EventKind::Queued {
            parent: Some(parent),
            source_path,
            destination_path,
            ..
        } = &event.kind
        {
            let Some((source_url, destination_url, spec)) = self.specs.get(parent).cloned() else {
                return;
            };
            if let Ok(row) = journal.add(&NewItem {
                source_url: &source_url,
                source_path,
                destination_url: &destination_url,
                destination_path,
                kind: spec.kind,
                conflict: spec.conflict,
                via: spec.via,
                recursive: false,
                parent: self.rows.get(parent).copied(),
            }) {
                self.rows.insert(event.job, row);
            }
            return;
        }
        if let Some(row) = self.rows.get(&event.job)
            && let Err(e) = journal.record(*row, &event.kind)
        {
            tracing::warn!("journal: {e}");
        }
    }
}

/// The location an item names, its site logged in again (the journal has
/// no password: the URL, netrc, a saved site, FXPC_PASSWORD or a prompt).
fn location(
    url: &str,
    path: &[u8],
    tls: &fxpc::sites::TlsOverrides,
    site_of: &dyn Fn(&fxpc::ftp::FtpUrl, &fxpc::sites::TlsOverrides) -> Result<transfer::FtpSite>,
) -> Result<Location> {
    if url == "local" {
        return Ok(Location {
            site: Site::Local,
            path: path.to_vec(),
        });
    }
    let parsed = fxpc::ftp::FtpUrl::parse(url)?;
    let site = site_of(&parsed, tls)?;
    Ok(Location::ftp(std::sync::Arc::new(site), path.to_vec()))
}

/// `fxpc queue`: what is unfinished.
pub fn list() -> Result<()> {
    let journal = open()?;
    let pending = journal.pending()?;
    if pending.is_empty() {
        println!("nothing unfinished");
        return Ok(());
    }
    for item in &pending {
        println!("{}", describe(item));
    }
    println!(
        "{} unfinished: `fxpc queue resume` continues them, `fxpc queue clear` forgets them",
        pending.len()
    );
    Ok(())
}

fn describe(item: &Item) -> String {
    let path = |p: &[u8]| fxpc::ui::format::printable(&String::from_utf8_lossy(p));
    format!(
        "{:<8} {}{} {}{} → {}{}{}",
        item.state,
        match item.kind {
            transfer::Kind::Copy => "",
            transfer::Kind::Append => "append ",
            transfer::Kind::Move => "move ",
        },
        if item.recursive { "tree" } else { "file" },
        item.source_url.trim_end_matches('/'),
        path(&item.source_path),
        item.destination_url.trim_end_matches('/'),
        path(&item.destination_path),
        if item.wrote { " (partly there)" } else { "" }
    )
}

fn open() -> Result<Journal> {
    let path = Journal::default_path().context("no state directory for the journal")?;
    Journal::open(&path).with_context(|| format!("journal {}", path.display()))
}

/// `fxpc queue clear`.
pub fn clear() -> Result<()> {
    let n = open()?.clear()?;
    println!("forgot {n} item(s)");
    Ok(())
}

/// The unfinished items, claimed for this run, as jobs to submit: a file
/// this job had started writing continues from the destination's size;
/// any other starts over under its own policy (an existing file that is
/// not ours is never "resumed").
pub fn claim_all(
    tls: &fxpc::sites::TlsOverrides,
    site_of: &dyn Fn(&fxpc::ftp::FtpUrl, &fxpc::sites::TlsOverrides) -> Result<transfer::FtpSite>,
) -> Result<Vec<(i64, JobSpec)>> {
    let mut journal = open()?;
    let mut out = Vec::new();
    for item in journal.pending()? {
        if !journal.claim(item.id)? {
            continue;
        }
        let spec = JobSpec {
            source: location(&item.source_url, &item.source_path, tls, site_of)?,
            destination: location(&item.destination_url, &item.destination_path, tls, site_of)?,
            kind: item.kind,
            recursive: item.recursive,
            conflict: if item.wrote && item.kind != transfer::Kind::Append {
                transfer::Conflict::Resume
            } else {
                item.conflict
            },
            via: item.via,
        };
        out.push((item.id, spec));
    }
    Ok(out)
}
