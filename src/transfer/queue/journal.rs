//! The journal of queued work: an SQLite database in the state directory
//! (`queue.sqlite3`, WAL, one transaction per change — as FileZilla keeps
//! its queue), so that work left when fxpc quits or is killed can be
//! resumed. Items name their sites by URL without a password (the login is
//! looked up again on resume) and their paths as raw bytes.
//!
//! Several processes may share it: an item is claimed in a transaction,
//! by a process that is alive; a dead owner's items are free again.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::transfer::{Conflict, EventKind, JobId, Kind, Via};

pub struct Journal {
    conn: Connection,
    pid: u32,
}

/// What the journal remembers of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub source_url: String,
    pub source_path: Vec<u8>,
    pub destination_url: String,
    pub destination_path: Vec<u8>,
    pub kind: Kind,
    pub conflict: Conflict,
    pub via: Via,
    pub recursive: bool,
    pub state: String,
    /// This item's own bytes reached the destination: a resume may
    /// continue from the destination's size.
    pub wrote: bool,
    /// The tree it is a file of.
    pub parent: Option<i64>,
    /// The process that had it last (gone, or it would not be pending).
    pub owner: Option<i64>,
    /// How its sites were reached when it was queued (TLS, trusted
    /// certificates, connections): a resume reaches them the same way.
    pub settings: Option<ItemSettings>,
}

/// One end's settings, as a run was started with them (`--tls off`,
/// `--ca-file`, `--trust-fingerprint`, `--connections`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EndSettings {
    /// `off`, `if-available`, `required`, `implicit`.
    pub tls: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<std::path::PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<String>,
    pub connections: usize,
    #[serde(default)]
    pub allow_clear_data: bool,
}

/// What an item was queued with, beyond its sites' URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<EndSettings>,
}

impl ItemSettings {
    pub fn of(spec: &crate::transfer::JobSpec) -> ItemSettings {
        let end = |location: &crate::transfer::Location| match &location.site {
            crate::transfer::Site::Ftp(site) => Some(EndSettings {
                tls: match site.options.tls.as_ref().map(|t| t.settings.mode) {
                    None | Some(crate::ftp::TlsMode::Off) => "off",
                    Some(crate::ftp::TlsMode::IfAvailable) => "if-available",
                    Some(crate::ftp::TlsMode::Required) => "required",
                    Some(crate::ftp::TlsMode::Implicit) => "implicit",
                }
                .to_string(),
                ca_file: site
                    .options
                    .tls
                    .as_ref()
                    .and_then(|t| t.settings.ca_file.clone()),
                pinned: site
                    .options
                    .tls
                    .as_ref()
                    .map(|t| t.settings.pinned.iter().map(|f| f.to_string()).collect())
                    .unwrap_or_default(),
                connections: site.max_connections,
                allow_clear_data: site.allow_clear_data,
            }),
            crate::transfer::Site::Local => None,
        };
        ItemSettings {
            source: end(&spec.source),
            destination: end(&spec.destination),
        }
    }
}

/// How a new item is described when its job is queued.
pub struct NewItem<'a> {
    pub source_url: &'a str,
    pub source_path: &'a [u8],
    pub destination_url: &'a str,
    pub destination_path: &'a [u8],
    pub kind: Kind,
    pub conflict: Conflict,
    pub via: Via,
    pub recursive: bool,
    pub parent: Option<i64>,
    /// `ItemSettings` as JSON.
    pub settings: Option<&'a str>,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Copy => "copy",
        Kind::Append => "append",
        Kind::Move => "move",
    }
}

fn kind_of(s: &str) -> Kind {
    match s {
        "append" => Kind::Append,
        "move" => Kind::Move,
        _ => Kind::Copy,
    }
}

fn conflict_name(c: Conflict) -> &'static str {
    match c {
        Conflict::Ask => "ask",
        Conflict::Overwrite => "overwrite",
        Conflict::Resume => "resume",
        Conflict::Append => "append",
        Conflict::Skip => "skip",
        Conflict::Rename => "rename",
    }
}

fn conflict_of(s: &str) -> Conflict {
    match s {
        "overwrite" => Conflict::Overwrite,
        "resume" => Conflict::Resume,
        "append" => Conflict::Append,
        "skip" => Conflict::Skip,
        "rename" => Conflict::Rename,
        _ => Conflict::Ask,
    }
}

fn via_name(v: Via) -> &'static str {
    match v {
        Via::Auto => "auto",
        Via::Lstn => "lstn",
        Via::Fxp => "fxp",
        Via::Relay => "relay",
    }
}

fn via_of(s: &str) -> Via {
    match s {
        "lstn" => Via::Lstn,
        "fxp" => Via::Fxp,
        "relay" => Via::Relay,
        _ => Via::Auto,
    }
}

/// The journal holds site addresses and paths: the user's alone. SQLite
/// gives its `-wal` and `-shm` files the database's mode, so the database
/// is made 0600 before SQLite first opens it; files an older version left
/// readable to all are closed too.
fn keep_private(path: &Path) {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
    }
}

/// Whether process `pid` is alive (its items are then its own).
fn alive(pid: i64) -> bool {
    pid > 0 && Path::new(&format!("/proc/{pid}")).exists()
}

impl Journal {
    /// `queue.sqlite3` in fxpc's state directory (`FXPC_QUEUE` overrides).
    pub fn default_path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("FXPC_QUEUE") {
            return Some(PathBuf::from(p));
        }
        let dirs = directories::ProjectDirs::from("", "", "fxpc")?;
        let dir = dirs.state_dir().unwrap_or(dirs.cache_dir()).to_path_buf();
        Some(dir.join("queue.sqlite3"))
    }

    pub fn open(path: &Path) -> rusqlite::Result<Journal> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        keep_private(path);
        let conn = Connection::open(path)?;
        // Several processes at once: writers wait for each other instead
        // of failing, and readers never block them.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS items (
                id INTEGER PRIMARY KEY,
                parent INTEGER,
                source_url TEXT NOT NULL,
                source_path BLOB NOT NULL,
                destination_url TEXT NOT NULL,
                destination_path BLOB NOT NULL,
                kind TEXT NOT NULL,
                conflict TEXT NOT NULL,
                via TEXT NOT NULL,
                recursive INTEGER NOT NULL,
                state TEXT NOT NULL,
                wrote INTEGER NOT NULL DEFAULT 0,
                owner INTEGER,
                updated INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS items_state ON items(state);",
        )?;
        // Added later: a journal written by an older version gets the
        // column (its items resume with the defaults, as they did), and
        // an older version reading this one ignores it.
        if conn.prepare("SELECT settings FROM items LIMIT 0").is_err() {
            conn.execute_batch("ALTER TABLE items ADD COLUMN settings TEXT")?;
        }
        Ok(Journal {
            conn,
            pid: std::process::id(),
        })
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    /// Runs `f` in one transaction: a tree's files are recorded by the
    /// hundred, since a transaction each cost 70 µs (7 s for 100,000 files,
    /// while their events piled up in memory).
    pub fn batch<T>(&self, f: impl FnOnce(&Journal) -> T) -> rusqlite::Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let out = f(self);
        tx.commit()?;
        Ok(out)
    }

    /// A queued job, owned by this process; its row id.
    pub fn add(&self, item: &NewItem) -> rusqlite::Result<i64> {
        self.conn.prepare_cached(
            "INSERT INTO items (parent, source_url, source_path, destination_url, destination_path,
                kind, conflict, via, recursive, state, owner, updated, settings)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?11, ?12)",
        )?
        .execute(params![
                item.parent,
                item.source_url,
                item.source_path,
                item.destination_url,
                item.destination_path,
                kind_name(item.kind),
                conflict_name(item.conflict),
                via_name(item.via),
                item.recursive,
                self.pid,
                Journal::now(),
                item.settings,
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Follows a job's event: running, wrote, and how it ended.
    pub fn record(&self, id: i64, kind: &EventKind) -> rusqlite::Result<()> {
        let state = match kind {
            EventKind::Started { .. } => "running",
            EventKind::Writing => {
                self.conn.execute(
                    "UPDATE items SET wrote = 1, updated = ?2 WHERE id = ?1",
                    params![id, Journal::now()],
                )?;
                return Ok(());
            }
            EventKind::Verified { .. } => "verified",
            EventKind::Failed { .. } => "failed",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::Skipped { .. } => "skipped",
            EventKind::Walked { .. } => "walked",
            _ => return Ok(()),
        };
        self.conn.execute(
            "UPDATE items SET state = ?2, updated = ?3 WHERE id = ?1",
            params![id, state, Journal::now()],
        )?;
        Ok(())
    }

    /// Items left unfinished (queued or running) by processes that are gone
    /// — a tree whose walk ended is not one: its files are.
    pub fn pending(&self) -> rusqlite::Result<Vec<Item>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, source_url, source_path, destination_url, destination_path, kind,
                    conflict, via, recursive, state, wrote, owner, parent, settings
             FROM items WHERE state IN ('queued', 'running') ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                Item {
                    id: r.get(0)?,
                    source_url: r.get(1)?,
                    source_path: r.get(2)?,
                    destination_url: r.get(3)?,
                    destination_path: r.get(4)?,
                    kind: kind_of(&r.get::<_, String>(5)?),
                    conflict: conflict_of(&r.get::<_, String>(6)?),
                    via: via_of(&r.get::<_, String>(7)?),
                    recursive: r.get(8)?,
                    state: r.get(9)?,
                    wrote: r.get(10)?,
                    parent: r.get(12)?,
                    owner: r.get(11)?,
                    settings: r
                        .get::<_, Option<String>>(13)?
                        .and_then(|s| serde_json::from_str(&s).ok()),
                },
                r.get::<_, Option<i64>>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (item, owner) = row?;
            if owner.is_none_or(|pid| !alive(pid)) {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// Takes an unfinished item for this process; `false` when another
    /// live process has it (it is then not run twice).
    pub fn claim(&mut self, id: i64) -> rusqlite::Result<bool> {
        let tx = self.conn.transaction()?;
        let owner: Option<Option<i64>> = tx
            .query_row(
                "SELECT owner FROM items WHERE id = ?1 AND state IN ('queued', 'running')",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let free = match owner {
            None => false,
            Some(owner) => owner.is_none_or(|pid| pid == i64::from(self.pid) || !alive(pid)),
        };
        if free {
            tx.execute(
                "UPDATE items SET owner = ?2, state = 'queued', updated = ?3 WHERE id = ?1",
                params![id, self.pid, Journal::now()],
            )?;
        }
        tx.commit()?;
        Ok(free)
    }

    /// A tree row's files: their state, whether they had been written, and
    /// their destination path.
    pub fn files_of(&self, tree: i64) -> rusqlite::Result<Vec<(String, bool, Vec<u8>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT state, wrote, destination_path FROM items WHERE parent = ?1")?;
        let rows = stmt.query_map([tree], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    }

    /// Forgets the unfinished items of processes that are gone (the
    /// person said "discard").
    pub fn discard_pending(&self) -> rusqlite::Result<usize> {
        let mut n = 0;
        for item in self.pending()? {
            n += self
                .conn
                .execute("DELETE FROM items WHERE id = ?1", [item.id])?;
        }
        Ok(n)
    }

    /// Forgets everything that is not waiting or running in a live process.
    pub fn clear(&self) -> rusqlite::Result<usize> {
        let pending: Vec<i64> = self.pending()?.into_iter().map(|i| i.id).collect();
        let mut n = self.conn.execute(
            "DELETE FROM items WHERE state NOT IN ('queued', 'running')",
            [],
        )?;
        for id in pending {
            n += self.conn.execute("DELETE FROM items WHERE id = ?1", [id])?;
        }
        Ok(n)
    }

    /// Drops finished items older than a week: the file stays small.
    pub fn prune(&self) -> rusqlite::Result<()> {
        self.conn.execute(
            "DELETE FROM items WHERE state NOT IN ('queued', 'running') AND updated < ?1",
            [Journal::now() - 7 * 86_400],
        )?;
        Ok(())
    }
}

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

    fn at(path: Option<&Path>) -> Tap {
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

/// Claimed items (row, job to submit), why others could not be, and what
/// a claimed tree's earlier run did to its files (destination, verified).
pub type Claimed = (
    Vec<(i64, crate::transfer::JobSpec)>,
    Vec<String>,
    Vec<(crate::transfer::Location, bool)>,
);

/// The unfinished items, claimed for this process, as jobs to submit: a
/// file this job had started writing continues from the destination's
/// size; any other starts over under its own policy (an existing file that
/// is not ours is never "resumed"). `site_of` logs in to a URL again (the
/// journal keeps no password); an item whose site cannot be made is left
/// unclaimed and reported.
/// Makes a queued item's site from its URL and the settings it was
/// queued with.
pub type SiteOf<'a> = dyn Fn(&crate::ftp::FtpUrl, Option<&EndSettings>) -> Result<crate::transfer::FtpSite, String>
    + 'a;

pub fn claim_all(journal: &mut Journal, site_of: &SiteOf<'_>) -> rusqlite::Result<Claimed> {
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    let mut earlier = Vec::new();
    let location = |url: &str,
                    path: &[u8],
                    settings: Option<&EndSettings>|
     -> Result<crate::transfer::Location, String> {
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
    };
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
        let stored = item.settings.clone().unwrap_or_default();
        let ends =
            location(&item.source_url, &item.source_path, stored.source.as_ref()).and_then(|s| {
                Ok((
                    s,
                    location(
                        &item.destination_url,
                        &item.destination_path,
                        stored.destination.as_ref(),
                    )?,
                ))
            });
        let (source, destination) = match ends {
            Ok(ends) => ends,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if !journal.claim(item.id)? {
            continue;
        }
        let conflict = if item.wrote && item.kind != Kind::Append {
            Conflict::Resume
        } else {
            item.conflict
        };
        // The bytes an interrupted file left are its own to continue, and
        // a move need not ask a digest to vouch for them.
        if !item.recursive && item.wrote && item.kind != Kind::Append {
            earlier.push((destination.clone(), false));
        }
        if item.recursive {
            for (state, wrote, path) in journal.files_of(item.id)? {
                if state == "verified" || wrote {
                    let at = crate::transfer::Location {
                        site: destination.site.clone(),
                        path,
                    };
                    earlier.push((at, state == "verified"));
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(path: &'a [u8]) -> NewItem<'a> {
        NewItem {
            source_url: "ftp://127.0.0.2:2121/",
            source_path: path,
            destination_url: "local",
            destination_path: path,
            kind: Kind::Copy,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
            recursive: false,
            parent: None,
            settings: None,
        }
    }

    #[test]
    fn items_follow_their_jobs_and_a_dead_owners_are_pending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite3");
        let mut j = Journal::open(&path).unwrap();
        let a = j.add(&item(b"/a")).unwrap();
        let b = j.add(&item(b"/b\xff")).unwrap();
        j.record(a, &EventKind::Writing).unwrap();
        j.record(
            b,
            &EventKind::Failed {
                reason: "x".into(),
                replies: vec![],
            },
        )
        .unwrap();
        // Ours, and we are alive: not pending for anyone.
        assert!(j.pending().unwrap().is_empty());
        // A process that died (pid 0 is never alive) left them.
        j.conn.execute("UPDATE items SET owner = 0", []).unwrap();
        let pending = j.pending().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].source_path, b"/a");
        assert!(pending[0].wrote);
        // Claimed once; a second journal (another process) cannot take it
        // while we are alive.
        assert!(j.claim(a).unwrap());
        let mut other = Journal::open(&path).unwrap();
        other.pid = 1; // init: always alive, and not us
        assert!(!other.claim(a).unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(j.clear().unwrap(), 1, "the failed one goes; ours stays");
    }

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

    use std::os::unix::fs::PermissionsExt;

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
