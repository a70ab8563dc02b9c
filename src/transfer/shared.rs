//! What every job of one engine shares: settings, the event channel, the
//! per-site pools, the global slots, and what the engine learned while
//! running (which dialects a pair of servers refused, which trees found
//! their destination full, which jobs wrote at their destination).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::transfer::job::listing::Batches;
use crate::transfer::sessions::pool::Pool;
use crate::transfer::sessions::site::FtpSite;
use crate::transfer::ways::fxp::Dialect;
use crate::transfer::{Conflict, Event, EventKind, JobId, JobSpec, Settings};

/// How long a refused dialect is not asked for again between the same two
/// servers. Long enough for a tree; short enough that a server whose
/// settings were changed is tried again within a session.
const REFUSAL_MEMORY: Duration = Duration::from_secs(600);

/// A place at a destination: its site's key (`None`: the local disk) and
/// path.
pub type Spot = (Option<String>, Vec<u8>);

/// The two servers of a copy, by site key.
pub type Pair = (String, String);

pub struct Shared {
    pub settings: Settings,
    pub events: UnboundedSender<Event>,
    /// Bytes of file data the client itself carried (relay, upload,
    /// download): zero for a server-to-server copy.
    pub client_bytes: Arc<AtomicU64>,
    pools: Mutex<HashMap<String, Arc<Pool>>>,
    /// Who gets the next of the `parallel` transfer slots.
    pub(super) queue: Arc<crate::transfer::queue::Queue>,
    pub(super) next_id: AtomicU64,
    /// Each job's spec (shared with its task, not copied: a tree may queue
    /// 100,000), its cancel switch, and its tree's local root (a retry
    /// stays beneath it).
    pub(super) jobs: Mutex<HashMap<JobId, JobEntry>>,
    /// Cancelled jobs whose partial destination should go, if they made it.
    pub discard_partial: Mutex<HashSet<JobId>>,
    /// Jobs waiting for an answer about an existing destination.
    pub questions: Mutex<HashMap<JobId, tokio::sync::oneshot::Sender<Conflict>>>,
    pub(super) outstanding: watch::Sender<usize>,
    refusals: Mutex<HashMap<(Pair, Dialect), (String, Instant)>>,
    /// Dialects that carried a file between two servers.
    worked: Mutex<HashSet<(Pair, Dialect)>>,
    /// Trees whose destination said it is full, with its words.
    full: Mutex<HashMap<JobId, String>>,
    /// Jobs whose bytes reached the destination: a retry of one of them
    /// may resume; a retry of any other must start over.
    wrote: Mutex<HashSet<JobId>>,
    /// What an interrupted run left, by destination (site key, path): a
    /// file that verified (`true`: not copied again) or that it had
    /// started writing (`false`: continued from its size), for trees
    /// walked again on resume.
    pub(super) earlier: Mutex<HashMap<Spot, bool>>,
    /// Trees' files waiting to be verified by one listing per directory.
    pub batches: Arc<Batches>,
    /// Sources (site keys) that answer a pipelined `PORT`+`RETR` out of
    /// order: they get the two one after the other.
    no_pipelining: Mutex<HashSet<String>>,
}

impl Shared {
    pub fn new(settings: Settings, events: UnboundedSender<Event>) -> Shared {
        Shared {
            queue: crate::transfer::queue::Queue::new(settings.parallel),
            settings,
            events,
            client_bytes: Arc::new(AtomicU64::new(0)),
            pools: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            jobs: Mutex::new(HashMap::new()),
            questions: Mutex::new(HashMap::new()),
            discard_partial: Mutex::new(HashSet::new()),
            outstanding: watch::Sender::new(0),
            refusals: Mutex::new(HashMap::new()),
            worked: Mutex::new(HashSet::new()),
            full: Mutex::new(HashMap::new()),
            wrote: Mutex::new(HashSet::new()),
            earlier: Mutex::new(HashMap::new()),
            batches: Arc::new(Batches::default()),
            no_pipelining: Mutex::new(HashSet::new()),
        }
    }

    pub fn pool(&self, site: &Arc<FtpSite>) -> Arc<Pool> {
        let mut pools = self.pools.lock().expect("pool map lock");
        pools
            .entry(site.key())
            .or_insert_with(|| Pool::new(site.clone()))
            .clone()
    }

    /// Why `dialect` was refused between these servers, if it was lately.
    pub fn refused_before(&self, pair: &Pair, dialect: Dialect) -> Option<String> {
        let refusals = self.refusals.lock().expect("refusal map lock");
        let (why, when) = refusals.get(&(pair.clone(), dialect))?;
        (when.elapsed() < REFUSAL_MEMORY).then(|| why.clone())
    }

    pub fn remember_refusal(&self, pair: &Pair, dialect: Dialect, why: &str) {
        self.refusals
            .lock()
            .expect("refusal map lock")
            .insert((pair.clone(), dialect), (why.to_string(), Instant::now()));
    }

    pub fn mark_worked(&self, pair: &Pair, dialect: Dialect) {
        self.worked
            .lock()
            .expect("worked set lock")
            .insert((pair.clone(), dialect));
    }

    pub fn worked_before(&self, pair: &Pair, dialect: Dialect) -> bool {
        self.worked
            .lock()
            .expect("worked set lock")
            .contains(&(pair.clone(), dialect))
    }

    pub fn pipelining_broken(&self, source: &str) -> bool {
        self.no_pipelining
            .lock()
            .expect("pipelining set lock")
            .contains(source)
    }

    pub fn mark_pipelining_broken(&self, source: &str) {
        self.no_pipelining
            .lock()
            .expect("pipelining set lock")
            .insert(source.to_string());
    }

    pub fn out_of_space(&self, tree: JobId) -> Option<String> {
        self.full.lock().expect("full map lock").get(&tree).cloned()
    }

    pub fn mark_out_of_space(&self, tree: JobId, why: &str) {
        self.full
            .lock()
            .expect("full map lock")
            .entry(tree)
            .or_insert_with(|| why.to_string());
    }

    pub fn mark_wrote(&self, job: JobId) {
        self.wrote.lock().expect("wrote set lock").insert(job);
    }

    pub fn forget_wrote(&self, job: JobId) {
        self.wrote.lock().expect("wrote set lock").remove(&job);
    }

    pub fn wrote(&self, job: JobId) -> bool {
        self.wrote.lock().expect("wrote set lock").contains(&job)
    }
}

/// One job's view of the engine.
pub(super) type JobEntry = (
    Arc<JobSpec>,
    CancellationToken,
    Option<Arc<std::path::Path>>,
);

pub struct Ctx {
    pub id: JobId,
    /// The tree job this file belongs to (its own id for a single file):
    /// a full destination stops the rest of the tree.
    pub tree: JobId,
    pub shared: Arc<Shared>,
    pub cancel: CancellationToken,
    /// Set when the job asked its tree's directory listing for its size:
    /// it has then been counted there.
    pub asked_batch: AtomicBool,
    /// The local directory a tree copies into: nothing beneath it is
    /// reached through a link (`beneath.rs`). `None` for a single file:
    /// its own directory is the root.
    pub local_root: Option<std::sync::Arc<std::path::Path>>,
}

impl Ctx {
    pub fn emit(&self, kind: EventKind) {
        let _ = self.shared.events.send(Event { job: self.id, kind });
    }
}
