//! Verifying a tree's files together per destination directory instead of
//! one `SIZE` round trip per file, which is most of what a small file
//! costs. The walk says how many files each directory will get; each
//! file, once transferred, asks here for its size and waits (holding no
//! session and no slot). The waiting files are checked when all the
//! directory's files have asked or ended otherwise, or when the first has
//! waited a moment and the last are not about to come, so a slow tree
//! still verifies as it goes: their `SIZE`s all sent at once (one round
//! trip), or one listing of the directory where the server has no `SIZE`
//! or most of the directory is waiting (many `SIZE`s cost a slow server
//! more than one listing).
//!
//! A size not learned so (an unparsed line, a missing or different entry,
//! a refused `SIZE`) is not a verdict: the file then asks `SIZE` itself,
//! so checking together can only save work, never fail a copy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::ftp::EntryKind;
use crate::ftp::FtpError;
use crate::transfer::JobId;
use crate::transfer::sessions::pool::{Pool, Session};

/// How long the first waiting file waits for the rest of its directory:
/// long enough that a directory copied one file at a time across a
/// network is listed a few times, not every few files (each listing holds
/// a session the copies would use), short enough that a person sees
/// files verified as they go.
const GATHER: Duration = Duration::from_secs(2);
/// A directory's waiting files are checked once this many wait, whatever
/// the time: each waiting file's job holds a few kilobytes, and a fast
/// copy (a thousand files a second on loopback) would otherwise hold two
/// seconds' worth.
const MOST_WAITING: usize = 128;
/// A directory slow to check is checked less often: at most one
/// twentieth of the time goes to checking it.
const CHECK_SHARE: u32 = 20;

/// A tree job and one of its destination directories.
type Key = (JobId, Vec<u8>);

#[derive(Default)]
pub(crate) struct Batches {
    dirs: Mutex<HashMap<Key, Dir>>,
}

struct Dir {
    pool: Arc<Pool>,
    /// Files the walk queued for this directory, and how many have asked
    /// or ended without asking.
    expected: usize,
    settled: usize,
    waiting: Vec<(Vec<u8>, oneshot::Sender<Option<u64>>)>,
    /// A listing is due at the end of the gathering time.
    gathering: bool,
    /// How long the last check took: a directory slow to check is checked
    /// less often.
    last_check: Duration,
}

impl Batches {
    /// The walk is about to queue `files` files into `dir` on the site of
    /// `pool`.
    pub(crate) fn expect(&self, tree: JobId, dir: Vec<u8>, pool: Arc<Pool>, files: usize) {
        let mut dirs = self.dirs.lock().expect("batch map lock");
        let entry = dirs.entry((tree, dir)).or_insert_with(|| Dir {
            pool,
            expected: 0,
            settled: 0,
            waiting: Vec::new(),
            gathering: false,
            last_check: Duration::ZERO,
        });
        entry.expected += files;
    }

    /// A file of `dir` ended without asking (it failed, was skipped, or
    /// checked itself).
    pub(crate) fn settle(self: &Arc<Self>, tree: JobId, dir: Vec<u8>) {
        let key = (tree, dir);
        let due = {
            let mut dirs = self.dirs.lock().expect("batch map lock");
            let Some(d) = dirs.get_mut(&key) else { return };
            d.settled += 1;
            self.due(&mut dirs, &key)
        };
        if let Some(batch) = due {
            tokio::spawn(batch.check());
        }
    }

    /// The size of `name` in `dir` as a listing taken after this call
    /// shows it (`None`: not shown). `None` when the directory is not
    /// batched: the caller asks `SIZE` itself.
    pub(crate) fn ask(
        self: &Arc<Self>,
        tree: JobId,
        dir: Vec<u8>,
        name: Vec<u8>,
    ) -> Option<oneshot::Receiver<Option<u64>>> {
        let key = (tree, dir);
        let (tx, rx) = oneshot::channel();
        let mut spawn_gather = None;
        let due = {
            let mut dirs = self.dirs.lock().expect("batch map lock");
            let d = dirs.get_mut(&key)?;
            d.settled += 1;
            d.waiting.push((name, tx));
            if !d.gathering {
                d.gathering = true;
                spawn_gather = Some(GATHER.max(d.last_check * CHECK_SHARE));
            }
            self.due(&mut dirs, &key).or_else(|| {
                let d = dirs.get_mut(&key)?;
                (d.waiting.len() >= MOST_WAITING)
                    .then(|| d.take(self, &key))
                    .flatten()
            })
        };
        if let Some(batch) = due {
            tokio::spawn(batch.check());
        } else if let Some(wait) = spawn_gather {
            let batches = self.clone();
            tokio::spawn(async move {
                let batch = loop {
                    let settled_before = batches.settled(&key);
                    tokio::time::sleep(wait).await;
                    let mut dirs = batches.dirs.lock().expect("batch map lock");
                    let Some(d) = dirs.get_mut(&key) else {
                        break None;
                    };
                    if !d.ends_within_as_long(settled_before) {
                        break d.take(&batches, &key);
                    }
                };
                if let Some(batch) = batch {
                    batch.check().await;
                }
            });
        }
        Some(rx)
    }

    fn settled(&self, key: &Key) -> usize {
        let dirs = self.dirs.lock().expect("batch map lock");
        dirs.get(key).map_or(0, |d| d.settled)
    }

    /// The waiting files, when every file of the directory has spoken.
    fn due(self: &Arc<Self>, dirs: &mut HashMap<Key, Dir>, key: &Key) -> Option<Batch> {
        let d = dirs.get_mut(key)?;
        if d.settled < d.expected {
            return None;
        }
        let batch = d.take(self, key);
        // Nobody else will ask about this directory.
        dirs.remove(key);
        batch
    }
}

impl Dir {
    /// Whether, at the pace of the last gathering time (files settled
    /// since `settled_before`), the directory's last files will have
    /// spoken within as long again: then one check at the end verifies
    /// them all, and a check now would only hold a session the copies
    /// use. A directory that stopped moving is checked now.
    fn ends_within_as_long(&self, settled_before: usize) -> bool {
        let moved = self.settled.saturating_sub(settled_before);
        let left = self.expected.saturating_sub(self.settled);
        moved > 0 && left < moved
    }

    fn take(&mut self, batches: &Arc<Batches>, key: &Key) -> Option<Batch> {
        self.gathering = false;
        if self.waiting.is_empty() {
            return None;
        }
        Some(Batch {
            batches: batches.clone(),
            key: key.clone(),
            pool: self.pool.clone(),
            waiting: std::mem::take(&mut self.waiting),
            files_in_dir: self.expected,
        })
    }
}

/// Files waiting to be checked together.
struct Batch {
    batches: Arc<Batches>,
    key: Key,
    pool: Arc<Pool>,
    waiting: Vec<(Vec<u8>, oneshot::Sender<Option<u64>>)>,
    /// How many files the walk put in the directory: a listing of them
    /// all against a `SIZE` for each waiting one.
    files_in_dir: usize,
}

/// Up to this many waiting files are asked by `SIZE` on any server: one
/// round trip, where a listing takes two.
const FEW: usize = 32;

impl Batch {
    /// `SIZE`s, unless the server lists by `MLSD` (exact sizes, one
    /// standard form), more than a few files wait, and they are most of
    /// their directory. Such a listing costs a slow server less than their
    /// `SIZE`s: on loopback pyftpdlib spends about 80 µs on a `SIZE` and
    /// 12 µs on a listing line (500 of each), and a copy between two
    /// pyftpdlib took 1.16 of lftp's time asking `SIZE`s, 1.06 listing.
    fn asks_sizes(&self, features: &crate::ftp::features::Features) -> bool {
        let waiting = self.waiting.len();
        features.size && (waiting <= FEW || !features.mlst || waiting * 4 < self.files_in_dir)
    }

    async fn check(self) {
        let started = tokio::time::Instant::now();
        let sizes = self.sizes().await.unwrap_or_default();
        if let Some(d) = self
            .batches
            .dirs
            .lock()
            .expect("batch map lock")
            .get_mut(&self.key)
        {
            d.last_check = started.elapsed();
        }
        for (name, tx) in self.waiting {
            let _ = tx.send(sizes.get(&name).copied());
        }
    }

    /// Name → size of the waiting files, on a pooled session: their
    /// `SIZE`s asked all at once where the server has `SIZE` (one round
    /// trip, whatever their number), else one listing of the directory.
    async fn sizes(&self) -> Option<HashMap<Vec<u8>, u64>> {
        let mut sessions = self
            .pool
            .checkout(1, &CancellationToken::new())
            .await?
            .ok()?;
        let session = sessions.first_mut()?;
        if self.asks_sizes(session.features()) {
            return self.sizes_asked_together(session).await;
        }
        let dir = if self.key.1.is_empty() {
            None
        } else {
            Some(self.key.1.as_slice())
        };
        match session.list(dir).await {
            Ok(entries) => Some(
                entries
                    .into_iter()
                    .filter(|e| e.kind == EntryKind::File)
                    .filter_map(|e| Some((e.raw_name().to_vec(), e.size?)))
                    .collect(),
            ),
            Err(e) => {
                tracing::info!(
                    "listing {:?} to verify failed: {e}",
                    String::from_utf8_lossy(&self.key.1)
                );
                session.discard();
                None
            }
        }
    }

    async fn sizes_asked_together(&self, session: &mut Session) -> Option<HashMap<Vec<u8>, u64>> {
        let sizes = Arc::new(Mutex::new(HashMap::new()));
        let dir = self.key.1.as_slice();
        let mut asked = Ok(());
        for (name, _) in &self.waiting {
            let path = match dir {
                [] => name.clone(),
                [.., b'/'] => [dir, name].concat(),
                _ => [dir, b"/", name].concat(),
            };
            let (name, heard) = (name.clone(), sizes.clone());
            let on_size = move |size: Result<Option<u64>, FtpError>| {
                if let Ok(Some(n)) = size {
                    heard.lock().expect("sizes lock").insert(name, n);
                }
            };
            asked = session.size_unawaited(&path, on_size).await;
            if asked.is_err() {
                break;
            }
        }
        if let Err(e) = asked.and(session.settle().await) {
            tracing::info!(
                "asking the sizes in {:?} to verify failed: {e}",
                String::from_utf8_lossy(dir)
            );
            session.discard();
        }
        let sizes = std::mem::take(&mut *sizes.lock().expect("sizes lock"));
        Some(sizes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(expected: usize, settled: usize) -> Dir {
        Dir {
            pool: Pool::new(Arc::new(crate::transfer::sessions::site::FtpSite::new(
                &crate::ftp::FtpUrl::parse("ftp://127.0.0.1/").unwrap(),
                crate::ftp::Login::default(),
            ))),
            expected,
            settled,
            waiting: Vec::new(),
            gathering: true,
            last_check: Duration::ZERO,
        }
    }

    /// A listing mid-directory waits for the end only when the end is
    /// nearer than the files the last gathering time brought.
    #[test]
    fn a_directory_about_to_end_is_listed_once_at_its_end() {
        // 100 files, 90 settled, 40 of them in the last gathering time.
        assert!(dir(100, 90).ends_within_as_long(50));
        // 10,000 files: the same pace leaves far more than another
        // gathering time's worth.
        assert!(!dir(10_000, 90).ends_within_as_long(50));
        // Nothing moved: listed now, whatever is left.
        assert!(!dir(100, 99).ends_within_as_long(99));
    }

    /// Many waiting files of a directory that holds little else are
    /// checked by one MLSD listing; few, or few beside the directory, or
    /// on a server without MLSD, by SIZEs; without SIZE, by a listing.
    #[test]
    fn many_waiting_files_are_listed_few_are_asked() {
        let features = |lines: &str| {
            crate::ftp::features::Features::from_reply(
                &crate::ftp::reply::parse(
                    format!("211-Features:\r\n{lines}211 End\r\n").as_bytes(),
                )
                .unwrap()
                .0,
            )
        };
        let (mlsd, plain, bare) = (
            features(" SIZE\r\n MLST type*;size*;\r\n"),
            features(" SIZE\r\n"),
            features(" MDTM\r\n"),
        );
        let batch = |waiting: usize, files_in_dir: usize| Batch {
            batches: Arc::new(Batches::default()),
            key: (1, b"d".to_vec()),
            pool: dir(0, 0).pool,
            waiting: (0..waiting)
                .map(|n| (n.to_string().into_bytes(), oneshot::channel().0))
                .collect(),
            files_in_dir,
        };
        assert!(batch(FEW, FEW).asks_sizes(&mlsd));
        assert!(!batch(100, 100).asks_sizes(&mlsd));
        assert!(!batch(128, 500).asks_sizes(&mlsd));
        assert!(batch(128, 10_000).asks_sizes(&mlsd));
        assert!(batch(128, 128).asks_sizes(&plain));
        assert!(!batch(1, 1).asks_sizes(&bare));
    }

    /// A server that answers each `SIZE` with the length of its line, but
    /// none before `hold` of them came.
    async fn size_server(hold: usize) -> Arc<Pool> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 ready\r\n").await.unwrap();
            let mut asked = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                let reply = match line.split_once(' ').map_or(line.as_str(), |(verb, _)| verb) {
                    "FEAT" => "211-Features:\r\n SIZE\r\n211 End\r\n".to_string(),
                    "USER" => "230 in\r\n".to_string(),
                    "PWD" => "257 \"/\"\r\n".to_string(),
                    "SYST" => "215 UNIX Type: L8\r\n".to_string(),
                    "QUIT" => "221 bye\r\n".to_string(),
                    "SIZE" => {
                        asked.push(line.len());
                        if asked.len() < hold {
                            continue;
                        }
                        asked.drain(..).map(|n| format!("213 {n}\r\n")).collect()
                    }
                    _ => "200 ok\r\n".to_string(),
                };
                write.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        let url = crate::ftp::FtpUrl::parse(&format!("ftp://{addr}/")).unwrap();
        let site = crate::transfer::sessions::site::FtpSite::new(&url, Default::default());
        Pool::new(Arc::new(site))
    }

    /// The waiting files' sizes are asked all at once: this server answers
    /// no `SIZE` before it has all three (a `SIZE` and its answer per
    /// file would wait for ever), and each file hears its own.
    #[tokio::test]
    async fn the_waiting_files_sizes_are_asked_together() {
        let pool = size_server(3).await;
        let batches = Arc::new(Batches::default());
        let (tree, dir): (JobId, _) = (7, b"d".to_vec());
        batches.expect(tree, dir.clone(), pool, 3);
        let answers: Vec<_> = ["a", "bb", "ccc"]
            .iter()
            .map(|name| {
                batches
                    .ask(tree, dir.clone(), name.as_bytes().to_vec())
                    .unwrap()
            })
            .collect();
        for (answer, name) in answers.into_iter().zip(["a", "bb", "ccc"]) {
            let size = tokio::time::timeout(Duration::from_secs(5), answer)
                .await
                .expect("the sizes were asked together")
                .unwrap();
            // The server answers with the length of "SIZE d/<name>".
            assert_eq!(size, Some(("SIZE d/".len() + name.len()) as u64), "{name}");
        }
    }

    /// A directory whose files come fast is checked once 128 of them wait,
    /// not two seconds after the first: the waiting jobs' memory stays
    /// bounded however fast the copy goes.
    #[tokio::test]
    async fn a_fast_directory_is_checked_every_128_files() {
        let pool = size_server(1).await;
        let batches = Arc::new(Batches::default());
        let (tree, dir): (JobId, _) = (7, b"d".to_vec());
        batches.expect(tree, dir.clone(), pool, 300);
        let answers: Vec<_> = (0..MOST_WAITING)
            .map(|n| {
                let name = format!("f{n}").into_bytes();
                batches.ask(tree, dir.clone(), name).unwrap()
            })
            .collect();
        let started = std::time::Instant::now();
        for answer in answers {
            let size = tokio::time::timeout(Duration::from_secs(5), answer)
                .await
                .unwrap()
                .unwrap();
            assert!(size.is_some());
        }
        assert!(
            started.elapsed() < GATHER / 2,
            "checked at 128, not after {:?}",
            started.elapsed()
        );
    }
}
