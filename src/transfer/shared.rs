//! What every job of one engine shares: the settings, the event channel,
//! the line and the job registry (the engine's), and one handle to each
//! piece of state the jobs learn while running, owned by the file that
//! keeps it: the pools (`sessions/pool.rs`), what pairs of servers taught
//! (`ways/learned.rs`), what jobs wrote (`job/written.rs`), a tree's
//! listings that verify its files (`job/listing.rs`), and what an
//! interrupted run left (`tree/earlier.rs`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::transfer::job::listing::Batches;
use crate::transfer::job::written::Written;
use crate::transfer::sessions::pool::{Pool, Pools};
use crate::transfer::sessions::site::FtpSite;
use crate::transfer::tree::earlier::Earlier;
use crate::transfer::ways::learned::Learned;
use crate::transfer::{Conflict, Event, EventKind, JobId, JobSpec, Settings};

pub(crate) struct Shared {
    pub settings: Settings,
    pub events: UnboundedSender<Event>,
    /// Bytes of file data the client itself carried (relay, upload,
    /// download): zero for a server-to-server copy.
    pub client_bytes: Arc<AtomicU64>,
    pools: Pools,
    /// Who gets the next of the `parallel` transfer slots.
    pub(crate) queue: Arc<crate::transfer::queue::Queue>,
    pub(crate) next_id: AtomicU64,
    /// Each job's spec (shared with its task, not copied: a tree may queue
    /// 100,000), its cancel switch, and its tree's local root (a retry
    /// stays beneath it).
    pub(crate) jobs: Mutex<HashMap<JobId, JobEntry>>,
    /// Cancelled jobs whose partial destination should go, if they made it.
    pub discard_partial: Mutex<HashSet<JobId>>,
    /// Jobs waiting for an answer about an existing destination.
    pub questions: Mutex<HashMap<JobId, tokio::sync::oneshot::Sender<Conflict>>>,
    pub(crate) outstanding: watch::Sender<usize>,
    pub(crate) learned: Learned,
    pub(crate) written: Written,
    pub(crate) earlier: Earlier,
    /// Trees' files waiting to be verified by one listing per directory.
    pub batches: Arc<Batches>,
}

impl Shared {
    pub(crate) fn new(settings: Settings, events: UnboundedSender<Event>) -> Shared {
        Shared {
            queue: crate::transfer::queue::Queue::new(settings.parallel),
            settings,
            events,
            client_bytes: Arc::new(AtomicU64::new(0)),
            pools: Pools::default(),
            next_id: AtomicU64::new(1),
            jobs: Mutex::new(HashMap::new()),
            questions: Mutex::new(HashMap::new()),
            discard_partial: Mutex::new(HashSet::new()),
            outstanding: watch::Sender::new(0),
            learned: Learned::default(),
            written: Written::default(),
            earlier: Earlier::default(),
            batches: Arc::new(Batches::default()),
        }
    }

    pub(crate) fn pool(&self, site: &Arc<FtpSite>) -> Arc<Pool> {
        self.pools.get(site)
    }
}

/// One job's view of the engine.
pub(super) type JobEntry = (
    Arc<JobSpec>,
    CancellationToken,
    Option<Arc<std::path::Path>>,
);

pub(crate) struct Ctx {
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
    pub(crate) fn emit(&self, kind: EventKind) {
        let _ = self.shared.events.send(Event { job: self.id, kind });
    }
}
