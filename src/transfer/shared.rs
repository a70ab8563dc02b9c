//! What every job of one engine shares: the settings, the event channel,
//! the line and the book of jobs (`jobs.rs`), and one handle to each
//! piece of state the jobs learn while running, owned by the file that
//! keeps it: the pools (`sessions/pool.rs`), what pairs of servers taught
//! (`ways/learned.rs`), what jobs wrote (`job/written.rs`), a tree's
//! files waiting to be verified together (`job/batch.rs`), and what an
//! interrupted run left (`tree/earlier.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::transfer::job::batch::Batches;
use crate::transfer::job::written::Written;
use crate::transfer::jobs::Jobs;
use crate::transfer::sessions::pool::{Pool, Pools};
use crate::transfer::sessions::site::FtpSite;
use crate::transfer::tree::earlier::Earlier;
use crate::transfer::ways::learned::Learned;
use crate::transfer::{Event, EventKind, JobId, Settings};

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
    pub(crate) jobs: Jobs,
    pub(crate) outstanding: watch::Sender<usize>,
    pub(crate) learned: Learned,
    pub(crate) written: Written,
    pub(crate) earlier: Earlier,
    /// Trees' files waiting to be verified together, per directory.
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
            jobs: Jobs::default(),
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

    pub(crate) async fn close_idle_sessions(&self) {
        self.pools.close_idle().await;
    }
}

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
