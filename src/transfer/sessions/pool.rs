//! Logged-in sessions per site, within the site's connection limit. Every
//! transfer takes its control connections from here — never from a pane's
//! browsing connection — and gives them back when they are still in a known
//! state.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::ftp::{Client, FtpError};
use crate::transfer::sessions::site::FtpSite;

/// A session put back this recently is handed out without a NOOP.
const TRUST_IDLE: Duration = Duration::from_secs(5);
/// How often a `421 too many connections` is waited out before giving up.
const BUSY_RETRIES: u32 = 20;
/// How long a question asked after a job let its sessions go (a cancelled
/// copy's size, the empty file a failed one left) waits for a session
/// within the site's limit.
const AFTERWARDS_WAIT: Duration = Duration::from_secs(30);

/// Every site's pool, by site key: sessions with the same login share one.
#[derive(Default)]
pub(crate) struct Pools {
    by_site: Mutex<HashMap<String, Arc<Pool>>>,
}

impl Pools {
    /// Says goodbye on every idle session: `QUIT` reads first what they
    /// still owe (a kept time's reply sent without waiting, whose
    /// refusal is then said), and leaves each server a clean end instead
    /// of a reset connection that may drop the commands it has not read.
    pub(crate) async fn close_idle(&self) {
        let pools: Vec<Arc<Pool>> = match self.by_site.lock() {
            Ok(pools) => pools.values().cloned().collect(),
            Err(_) => return,
        };
        let mut goodbyes = Vec::new();
        for pool in pools {
            let idle = std::mem::take(&mut *pool.idle.lock().unwrap_or_else(|e| e.into_inner()));
            goodbyes
                .extend(idle.into_iter().map(|(client, _)| {
                    tokio::time::timeout(Duration::from_secs(5), client.quit())
                }));
        }
        futures::future::join_all(goodbyes).await;
    }

    pub(crate) fn get(&self, site: &Arc<FtpSite>) -> Arc<Pool> {
        let mut pools = self.by_site.lock().expect("pool map lock");
        pools
            .entry(site.key())
            .or_insert_with(|| Pool::new(site.clone()))
            .clone()
    }
}

pub(crate) struct Pool {
    site: Arc<FtpSite>,
    slots: Arc<Semaphore>,
    /// Sessions put back, with when: a session idle for a moment is
    /// trusted, a longer-idle one is checked with NOOP first.
    idle: Mutex<Vec<(Client, Instant)>>,
    /// Whether a session in the clear (TLS refused or not offered) was
    /// already told: once per site is enough.
    told_clear: AtomicBool,
    /// The one session that polls the sizes of this site's files being
    /// written by other servers, shared by all of them.
    poller: Mutex<Poller>,
}

/// The site's polling session: counted in the site's limit like any other
/// (servers limit sessions per address), taken only when a slot is free,
/// and given back as soon as a transfer waits for one — polling is worth
/// less than a copy.
#[derive(Default)]
struct Poller {
    session: Option<Session>,
    /// Transfers that may poll: when none is left the session goes back.
    users: usize,
    /// A transfer is asking its size on the session right now.
    asking: bool,
    /// A copy waits for a slot: give the session back after the question.
    wanted_back: bool,
}

/// What a poll of a file's size found.
pub(crate) enum Polled {
    Size(u64),
    /// Nothing this time: the file is not there yet (`550`), or another
    /// transfer is asking.
    Nothing,
    /// No session can be had within the site's limit: polling stops.
    NoSession,
}

/// A transfer that may poll its destination's size; when the last one goes,
/// so does the polling session.
pub(crate) struct PollUser {
    pool: Arc<Pool>,
}

impl PollUser {
    pub(crate) fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }
}

impl Drop for PollUser {
    fn drop(&mut self) {
        let leaving = {
            let mut poller = self.pool.poller();
            poller.users -= 1;
            match poller.users {
                0 => poller.session.take(),
                _ => None,
            }
        };
        drop(leaving);
    }
}

impl Pool {
    pub(crate) fn new(site: Arc<FtpSite>) -> Arc<Pool> {
        Arc::new(Pool {
            slots: Arc::new(Semaphore::new(site.max_connections.max(1))),
            site,
            idle: Mutex::new(Vec::new()),
            told_clear: AtomicBool::new(false),
            poller: Mutex::new(Poller::default()),
        })
    }

    fn poller(&self) -> std::sync::MutexGuard<'_, Poller> {
        self.poller.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn poll_user(self: &Arc<Pool>) -> PollUser {
        self.poller().users += 1;
        PollUser { pool: self.clone() }
    }

    /// The size of `path` on the site's polling session, opened on a free
    /// slot if there is none yet.
    pub(crate) async fn poll_size(self: &Arc<Pool>, path: &[u8]) -> Polled {
        let held = {
            let mut poller = self.poller();
            if poller.asking {
                return Polled::Nothing;
            }
            poller.asking = true;
            poller.session.take()
        };
        let session = match held {
            Some(session) => Some(session),
            None => self.poll_session().await,
        };
        let Some(mut session) = session else {
            self.poller().asking = false;
            return Polled::NoSession;
        };
        let answer = session.size(path).await;
        let keep = match &answer {
            Ok(_) => true,
            // `550` until the destination has created the file.
            Err(e) => e.reply().is_some(),
        };
        if !keep {
            session.discard();
        }
        let given_back = {
            let mut poller = self.poller();
            poller.asking = false;
            let back = !keep || poller.wanted_back || poller.users == 0;
            poller.wanted_back = false;
            match back {
                true => Some(session),
                false => {
                    poller.session = Some(session);
                    None
                }
            }
        };
        drop(given_back);
        match answer {
            Ok(size) => Polled::Size(size),
            Err(_) if keep => Polled::Nothing,
            Err(_) => Polled::NoSession,
        }
    }

    /// A session on a slot free right now; `None` when every slot is taken
    /// (or a copy waits for one) or the server will not have one more — a
    /// busy server is not waited out for the sake of a gauge.
    async fn poll_session(self: &Arc<Pool>) -> Option<Session> {
        let permit = self.slots.clone().try_acquire_owned().ok()?;
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let client = match idle {
            Some((client, _)) => Ok(client),
            None => self.site.open().await,
        };
        match client {
            Ok(client) => Some(self.wrap(client, permit)),
            Err(e) => {
                tracing::info!(site = %self.site, "no session for progress: {e}");
                None
            }
        }
    }

    /// A copy needs slots the polling session holds: it goes back now, or
    /// after the question it is answering.
    fn reclaim_poller(&self) {
        let session = {
            let mut poller = self.poller();
            if poller.asking {
                poller.wanted_back = true;
            }
            poller.session.take()
        };
        drop(session);
    }

    /// One session within the site's limit, for a question asked once a
    /// job let its own sessions go (a cancelled copy's size, the empty
    /// file a failed one left); an error when none is free in time.
    pub(crate) async fn one(self: &Arc<Pool>) -> Result<Session, FtpError> {
        let never = CancellationToken::new();
        match tokio::time::timeout(AFTERWARDS_WAIT, self.checkout(1, &never)).await {
            Ok(Some(Ok(mut sessions))) => Ok(sessions.pop().expect("one session was asked for")),
            Ok(Some(Err(e))) => Err(e),
            Ok(None) | Err(_) => Err(FtpError::Io(std::io::Error::other(format!(
                "no session of {} free within its limit of {}",
                self.site,
                self.site.max_connections.max(1)
            )))),
        }
    }

    pub(crate) fn site(&self) -> &Arc<FtpSite> {
        &self.site
    }

    /// Why `client` is not encrypted although the site takes TLS when
    /// offered, the first time a session of this site is so.
    pub(crate) fn clear_notice(&self, client: &Client) -> Option<String> {
        let reason = client.clear_because()?;
        (!self.told_clear.swap(true, Ordering::Relaxed)).then(|| reason.to_string())
    }

    /// `n` sessions at once (a copy within one site needs two), once the
    /// site has that many free slots. Taking them together means two jobs
    /// can never each hold one and wait for the other. `None` when
    /// cancelled while waiting.
    pub(crate) async fn checkout(
        self: &Arc<Pool>,
        n: usize,
        cancel: &CancellationToken,
    ) -> Option<Result<Vec<Session>, FtpError>> {
        let capacity = self.site.max_connections.max(1);
        if n > capacity {
            return Some(Err(FtpError::TooFewSessions {
                site: self.site.to_string(),
                limit: capacity,
                needed: n,
            }));
        }
        if self.slots.available_permits() < n {
            self.reclaim_poller();
        }
        let mut permits = tokio::select! {
            p = self.slots.clone().acquire_many_owned(n as u32) => p.ok()?,
            () = cancel.cancelled() => return None,
        };
        let mut singles = Vec::with_capacity(n);
        for _ in 1..n {
            singles.push(permits.split(1).expect("n permits were acquired"));
        }
        singles.push(permits);
        let mut sessions = Vec::with_capacity(n);
        for permit in singles {
            let client = tokio::select! {
                c = self.idle_or_new() => c,
                () = cancel.cancelled() => return None,
            };
            match client {
                Ok(c) => sessions.push(self.wrap(c, permit)),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(sessions))
    }

    /// Logs in, in the background, as many sessions as it takes for the
    /// site to have `wanted` (busy or idle), within its limit: a tree
    /// copied `-j N` at a time has its other sessions ready when its first
    /// files are, instead of logging each in as a file first needs it
    /// (five round trips or so, while the first pair already copies).
    pub(crate) fn warm_up(self: &Arc<Pool>, wanted: usize) {
        let capacity = self.site.max_connections.max(1);
        let busy = capacity - self.slots.available_permits();
        let idle = self.idle.lock().map_or(0, |idle| idle.len());
        for _ in busy + idle..wanted.min(capacity) {
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                return;
            };
            let pool = self.clone();
            tokio::spawn(async move {
                match pool.connect().await {
                    Ok(client) => {
                        if let Ok(mut idle) = pool.idle.lock() {
                            idle.push((client, Instant::now()));
                        }
                    }
                    Err(e) => {
                        tracing::info!(site = %pool.site, "a session logged in ahead failed: {e}")
                    }
                }
                drop(permit);
            });
        }
    }

    async fn idle_or_new(&self) -> Result<Client, FtpError> {
        loop {
            let Some((mut client, since)) = self.idle.lock().ok().and_then(|mut idle| idle.pop())
            else {
                break;
            };
            // A round trip per file costs more than the rare dead session
            // it catches; only sessions idle for a while are asked.
            if since.elapsed() < TRUST_IDLE || client.noop().await.is_ok() {
                return Ok(client);
            }
        }
        self.connect().await
    }

    fn wrap(self: &Arc<Pool>, client: Client, permit: OwnedSemaphorePermit) -> Session {
        Session {
            client: Some(client),
            pool: self.clone(),
            _permit: permit,
            reusable: true,
        }
    }

    /// Opens and logs in a new session, waiting out "too many connections"
    /// (421) with a growing pause instead of failing.
    async fn connect(&self) -> Result<Client, FtpError> {
        let site = &self.site;
        let mut pause = Duration::from_millis(250);
        let mut tries = 0;
        loop {
            match site.open().await {
                Err(e) if is_busy(&e) && tries < BUSY_RETRIES => {
                    tracing::info!(site = %site, "server busy ({e}); retrying in {pause:?}");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                    tries += 1;
                }
                other => return other,
            }
        }
    }
}

fn is_busy(e: &FtpError) -> bool {
    e.reply().is_some_and(|r| r.code == 421)
}

/// A pooled session. Dropped, it goes back to the pool unless it was marked
/// [`discard`](Session::discard) (after a failed or aborted transfer its
/// state is unknown).
pub(crate) struct Session {
    client: Option<Client>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
    reusable: bool,
}

impl Session {
    pub(crate) fn discard(&mut self) {
        self.reusable = false;
    }
}

impl Deref for Session {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("client present until drop")
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("client present until drop")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && self.reusable
            && !client.abandoned()
            && let Ok(mut idle) = self.pool.idle.lock()
        {
            idle.push((client, Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::{FtpUrl, Login};
    use crate::server::{Anonymous, Config, Handle};

    async fn served() -> (tempfile::TempDir, Handle) {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("f.bin"), b"12345").unwrap();
        let mut config = Config::new(root.path(), "127.0.0.1:0".parse().unwrap());
        config.anonymous = Some(Anonymous::Read);
        let handle = Handle::spawn(config).await.unwrap();
        (root, handle)
    }

    fn pool_of(handle: &Handle, limit: usize) -> Arc<Pool> {
        let url = FtpUrl::parse(&format!("ftp://{}/", handle.addr())).unwrap();
        let mut site = FtpSite::new(&url, Login::default());
        site.max_connections = limit;
        Pool::new(Arc::new(site))
    }

    /// The polling session is one of the site's: taken only from a free
    /// slot, shared, and given back the moment a copy waits for a slot.
    #[tokio::test]
    async fn polling_takes_a_free_slot_and_gives_it_back_to_a_copy() {
        let (_root, handle) = served().await;
        let pool = pool_of(&handle, 2);
        let never = CancellationToken::new();
        let copy = pool.checkout(1, &never).await.unwrap().unwrap();
        let user = pool.poll_user();
        assert!(matches!(pool.poll_size(b"f.bin").await, Polled::Size(5)));
        assert_eq!(
            pool.slots.available_permits(),
            0,
            "the poller holds the second slot"
        );
        // A second copy needs that slot: it gets it, and polling stops.
        let second = tokio::time::timeout(Duration::from_secs(5), pool.checkout(1, &never))
            .await
            .expect("the poller gave its slot back")
            .unwrap()
            .unwrap();
        assert!(matches!(pool.poll_size(b"f.bin").await, Polled::NoSession));
        drop((copy, second));
        // Slots free again: polling resumes, and its session goes back
        // to the pool when the last poller leaves.
        assert!(matches!(pool.poll_size(b"f.bin").await, Polled::Size(5)));
        drop(user);
        assert_eq!(pool.slots.available_permits(), 2);
        handle.stop().await;
    }

    /// A limit of one leaves nothing to poll with while a copy runs.
    #[tokio::test]
    async fn a_site_of_one_session_is_not_polled_while_it_copies() {
        let (_root, handle) = served().await;
        let pool = pool_of(&handle, 1);
        let copy = pool
            .checkout(1, &CancellationToken::new())
            .await
            .unwrap()
            .unwrap();
        let _user = pool.poll_user();
        assert!(matches!(pool.poll_size(b"f.bin").await, Polled::NoSession));
        drop(copy);
        handle.stop().await;
    }

    /// Sessions logged in ahead stay within the limit, count the ones in
    /// use, and are what the next checkouts get.
    #[tokio::test]
    async fn sessions_logged_in_ahead_stay_within_the_limit() {
        let (_root, handle) = served().await;
        let pool = pool_of(&handle, 3);
        let never = CancellationToken::new();
        let first = pool.checkout(1, &never).await.unwrap().unwrap();
        pool.warm_up(8);
        pool.warm_up(8);
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.idle.lock().unwrap().len() < 2 {
            assert!(Instant::now() < deadline, "two sessions logged in ahead");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(pool.slots.available_permits(), 2);
        let taken = pool.checkout(2, &never).await.unwrap().unwrap();
        assert!(
            pool.idle.lock().unwrap().is_empty(),
            "the checkout took them"
        );
        assert_eq!(pool.slots.available_permits(), 0);
        drop((first, taken));
        handle.stop().await;
    }
}
