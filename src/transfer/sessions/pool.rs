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

/// Every site's pool, by site key: sessions with the same login share one.
#[derive(Default)]
pub(crate) struct Pools {
    by_site: Mutex<HashMap<String, Arc<Pool>>>,
}

impl Pools {
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
}

impl Pool {
    pub(crate) fn new(site: Arc<FtpSite>) -> Arc<Pool> {
        Arc::new(Pool {
            slots: Arc::new(Semaphore::new(site.max_connections.max(1))),
            site,
            idle: Mutex::new(Vec::new()),
            told_clear: AtomicBool::new(false),
        })
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
            return Some(Err(FtpError::Io(std::io::Error::other(format!(
                "{} allows {capacity} transfer connection(s); this needs {n}",
                self.site
            )))));
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
    pub(crate) async fn connect(&self) -> Result<Client, FtpError> {
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
