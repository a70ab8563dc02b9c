//! The journal of queued work: an SQLite database in the state directory
//! (`queue.sqlite3`, WAL, one transaction per change — as FileZilla keeps
//! its queue), so that work left when fxpc quits or is killed can be
//! resumed. Items name their sites by URL without a password (the login is
//! looked up again on resume) and their paths as raw bytes.
//!
//! Several processes may share it: an item is claimed in a transaction,
//! by a process that is alive; a dead owner's items are free again.
//!
//! - `items.rs` is what a row holds, and how its words are spelt;
//! - `tap.rs` follows a run's events into rows as they happen;
//! - `recorder.rs` runs the tap on the journal's own thread;
//! - `resume.rs` claims what a dead run left, as jobs to submit again.

mod items;
mod recorder;
mod resume;
mod tap;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::transfer::EventKind;
use items::{conflict_name, conflict_of, kind_name, kind_of, via_name, via_of};

pub use items::{EndSettings, Item, ItemSettings, NewItem};
pub use recorder::{AT_MOST_BEHIND, Committed, Recorder};
pub use resume::{Claimed, SiteOf, claim_all};
pub use tap::{Rows, Tap, site_url};

pub struct Journal {
    conn: Connection,
    pid: u32,
}

/// The states of an item that is not over, as SQL: waiting, carrying, or
/// carried and waiting for its check (`sent`, which an older version,
/// not knowing it, takes for over: the bytes are all there).
macro_rules! unfinished {
    () => {
        "('queued', 'running', 'sent')"
    };
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
        // SQLite's default page cache (2 MB) filled as a tree's rows were
        // written: half of a 10,000-file copy's heap. Rows are added and
        // updated at the table's end, so few pages are hot; any other is
        // read again from the OS's cache.
        conn.pragma_update(None, "cache_size", -256)?;
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
    ///
    /// A savepoint, so that it nests in the recorder's transaction.
    pub fn batch<T>(&self, f: impl FnOnce(&Journal) -> T) -> rusqlite::Result<T> {
        self.conn.execute_batch("SAVEPOINT batch")?;
        let out = f(self);
        self.conn.execute_batch("RELEASE batch")?;
        Ok(out)
    }

    /// Opens a transaction that gathers changes until [`Journal::commit`].
    pub(crate) fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN")
    }

    pub(crate) fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
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
            EventKind::Sent => "sent",
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

    /// Items left unfinished (queued, running, or sent and not yet
    /// checked) by processes that are gone
    /// — a tree whose walk ended is not one: its files are.
    pub fn pending(&self) -> rusqlite::Result<Vec<Item>> {
        let mut stmt = self.conn.prepare(concat!(
            "SELECT id, source_url, source_path, destination_url, destination_path, kind,
                    conflict, via, recursive, state, wrote, owner, parent, settings
             FROM items WHERE state IN ",
            unfinished!(),
            " ORDER BY id"
        ))?;
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
        // Writing from the start: a transaction that read first could not
        // write once another connection (the recorder's thread, another
        // process) had committed meanwhile; this one waits its turn.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let owner: Option<Option<i64>> = tx
            .query_row(
                concat!(
                    "SELECT owner FROM items WHERE id = ?1 AND state IN ",
                    unfinished!()
                ),
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
            concat!("DELETE FROM items WHERE state NOT IN ", unfinished!()),
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
            concat!(
                "DELETE FROM items WHERE state NOT IN ",
                unfinished!(),
                " AND updated < ?1"
            ),
            [Journal::now() - 7 * 86_400],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::{Conflict, Kind, Via};
    use std::os::unix::fs::PermissionsExt;

    pub(super) fn item<'a>(path: &'a [u8]) -> NewItem<'a> {
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
}
