//! The line of files waiting for one of the `parallel` transfer slots:
//! first queued, first served, unless the person moves an item up or down,
//! pauses it, or pauses the whole queue (a paused item keeps its place and
//! starts nothing; running transfers go on).
//!
//! A file a tree walk found waits here as plain data (an [`Item`]: its
//! spec and the size the listing gave) and becomes a task only when its
//! turn comes; the walk itself waits while the line holds enough of them
//! ([`Queue::wait_shorter`]), so a queue of a million files costs what
//! runs plus a read-ahead, not a million items. A job submitted on its own, which must first ask the server what
//! it is, keeps its place while it asks and then waits as a task holding
//! a [`Ticket`].

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::transfer::{Conflict, JobId, JobSpec, Kind, Location, Via};

/// A file waiting in line as data: its name in a directory its walk
/// shares with its neighbours, not a spec of its own (two paths, two
/// sites), since a tree may queue 100,000.
pub(crate) struct Item {
    pub id: JobId,
    /// The tree job whose walk found it.
    pub tree: JobId,
    pub dir: Arc<Dir>,
    pub name: Box<[u8]>,
    /// The tree's policy, or `Resume` for a file an interrupted run had
    /// started writing.
    pub conflict: Conflict,
    /// What the walk's listing said of it, sparing a `SIZE` (and an
    /// `MDTM` where the listing's time is UTC).
    pub listed: Listed,
}

/// What a directory listing said of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Listed {
    pub size: Option<u64>,
    /// Only a UTC time (MLSD, the local disk): a `LIST` time is the
    /// server's guess in its own zone, never given to a copy.
    pub modified: Option<chrono::NaiveDateTime>,
}

/// A directory a walk is in: where its files come from and go to, and how.
pub(crate) struct Dir {
    pub source: Location,
    pub destination: Location,
    pub kind: Kind,
    pub via: Via,
    /// The tree's local root, when it copies to the local disk.
    pub local_root: Option<Arc<std::path::Path>>,
}

impl Item {
    pub(crate) fn spec(&self) -> JobSpec {
        JobSpec {
            source: self.dir.source.join(&self.name),
            destination: self.dir.destination.join(&self.name),
            kind: self.dir.kind,
            recursive: false,
            conflict: self.conflict,
            via: self.dir.via,
        }
    }
}

/// What runs an item whose turn came, holding its slot.
pub(crate) type Launch =
    Box<dyn Fn(Item, Slot) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

pub(crate) struct Queue {
    state: Mutex<State>,
    launch: OnceLock<Launch>,
    /// Where items' tasks run: the runtime of whoever queued the first
    /// item, since a slot may be freed (and the next item started) from a
    /// thread outside it.
    runtime: OnceLock<Handle>,
    /// Told whenever items leave the line or stop waiting for it.
    shorter: tokio::sync::Notify,
}

struct State {
    capacity: usize,
    running: usize,
    /// Waiting jobs by their place in line (smaller first).
    line: BTreeMap<i64, JobId>,
    waiting: HashMap<JobId, Waiter>,
    next_place: i64,
    paused_all: bool,
    /// Items in line that are not held back one by one: what the walks
    /// read ahead of the transfers.
    items_due: usize,
}

struct Waiter {
    place: i64,
    paused: bool,
    turn: Turn,
}

/// What happens when a waiter's turn comes.
enum Turn {
    /// A job that is still asking what its source is: it keeps its place
    /// but cannot start yet.
    NotYet,
    /// A task waiting for its slot.
    Wake(oneshot::Sender<()>),
    /// Plain data: a task is started for it.
    Run(Box<Item>),
}

/// A transfer slot; the next in line gets it when this is dropped.
pub(crate) struct Slot {
    queue: Arc<Queue>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let due = {
            let mut s = self.queue.state.lock().expect("queue lock");
            s.running -= 1;
            s.grant()
        };
        self.queue.start(due);
    }
}

impl State {
    /// Hands free slots to the first waiting, unpaused jobs; returns the
    /// items whose turn came (each already counted as running).
    fn grant(&mut self) -> Vec<Item> {
        let mut due = Vec::new();
        while self.running < self.capacity && !self.paused_all {
            let next = self.line.values().copied().find(|id| {
                self.waiting
                    .get(id)
                    .is_some_and(|w| !w.paused && !matches!(w.turn, Turn::NotYet))
            });
            let Some(id) = next else { break };
            let waiter = self.waiting.remove(&id).expect("in line");
            self.line.remove(&waiter.place);
            match waiter.turn {
                Turn::Wake(wake) => {
                    // A waiter that went away meanwhile takes no slot.
                    if wake.send(()).is_ok() {
                        self.running += 1;
                    }
                }
                Turn::Run(item) => {
                    self.running += 1;
                    self.items_due -= 1;
                    due.push(*item);
                }
                Turn::NotYet => unreachable!("filtered out"),
            }
        }
        due
    }

    fn join(&mut self, job: JobId, turn: Turn) {
        if matches!(turn, Turn::Run(_)) {
            self.items_due += 1;
        }
        let place = self.next_place;
        self.next_place += 1;
        self.line.insert(place, job);
        self.waiting.insert(
            job,
            Waiter {
                place,
                paused: false,
                turn,
            },
        );
    }
}

impl Queue {
    pub(crate) fn new(capacity: usize) -> Arc<Queue> {
        Arc::new(Queue {
            state: Mutex::new(State {
                capacity: capacity.max(1),
                running: 0,
                line: BTreeMap::new(),
                waiting: HashMap::new(),
                next_place: 0,
                paused_all: false,
                items_due: 0,
            }),
            launch: OnceLock::new(),
            runtime: OnceLock::new(),
            shorter: tokio::sync::Notify::new(),
        })
    }

    /// Says how an item whose turn came is run (once, by the engine).
    pub(crate) fn set_launch(&self, launch: Launch) {
        let _ = self.launch.set(launch);
    }

    /// Starts the items whose turn came, outside the lock.
    fn start(self: &Arc<Self>, due: Vec<Item>) {
        self.shorter.notify_waiters();
        for item in due {
            let slot = Slot {
                queue: self.clone(),
            };
            match (self.launch.get(), self.runtime.get()) {
                (Some(launch), Some(runtime)) => {
                    runtime.spawn(launch(item, slot));
                }
                // Items are only queued once both are set.
                _ => drop(slot),
            }
        }
    }

    /// Queues a file as data; a task runs it when its turn comes. Must be
    /// called within a tokio runtime.
    pub(crate) fn push(self: &Arc<Self>, item: Item) {
        self.runtime.get_or_init(Handle::current);
        let due = {
            let mut s = self.state.lock().expect("queue lock");
            s.join(item.id, Turn::Run(Box::new(item)));
            s.grant()
        };
        self.start(due);
    }

    /// Takes a queued item out of line before it started (cancelled);
    /// `None` when `job` is no waiting item.
    pub(crate) fn withdraw(&self, job: JobId) -> Option<Box<Item>> {
        let mut s = self.state.lock().expect("queue lock");
        if !matches!(s.waiting.get(&job)?.turn, Turn::Run(_)) {
            return None;
        }
        let waiter = s.waiting.remove(&job).expect("just found");
        s.line.remove(&waiter.place);
        if !waiter.paused {
            s.items_due -= 1;
        }
        drop(s);
        self.shorter.notify_waiters();
        match waiter.turn {
            Turn::Run(item) => Some(item),
            _ => unreachable!("checked above"),
        }
    }

    /// Takes `job`'s place in line now (when it is submitted), whenever it
    /// comes to wait for its slot: jobs keep the order they were submitted
    /// in, whatever order their probes finish.
    pub(crate) fn enqueue(&self, job: JobId) {
        self.state
            .lock()
            .expect("queue lock")
            .join(job, Turn::NotYet);
    }

    /// `job` is over (or never needed a slot: a tree): it leaves the line.
    pub(crate) fn forget(&self, job: JobId) {
        let mut s = self.state.lock().expect("queue lock");
        if s.waiting
            .get(&job)
            .is_some_and(|w| matches!(w.turn, Turn::NotYet))
        {
            let waiter = s.waiting.remove(&job).expect("just found");
            s.line.remove(&waiter.place);
        }
    }

    /// Waits in line from `job`'s place (or the end, if it took none).
    pub(crate) fn ticket(self: &Arc<Queue>, job: JobId) -> Ticket {
        let (tx, rx) = oneshot::channel();
        let due = {
            let mut s = self.state.lock().expect("queue lock");
            match s.waiting.get_mut(&job) {
                Some(w) => w.turn = Turn::Wake(tx),
                None => s.join(job, Turn::Wake(tx)),
            }
            s.grant()
        };
        self.start(due);
        Ticket {
            rx,
            leave: LeaveOnDrop {
                queue: self.clone(),
                job,
            },
        }
    }

    /// Waits for `job`'s turn. Cancel-safe: a job that stops waiting
    /// (cancelled) leaves the line.
    #[cfg(test)]
    pub(crate) async fn slot(self: &Arc<Queue>, job: JobId) -> Slot {
        self.ticket(job).wait().await
    }

    /// Moves a waiting job one place earlier (`up`) or later in line.
    pub(crate) fn nudge(&self, job: JobId, up: bool) -> bool {
        let mut s = self.state.lock().expect("queue lock");
        let Some(place) = s.waiting.get(&job).map(|w| w.place) else {
            return false;
        };
        let neighbour = if up {
            s.line.range(..place).next_back()
        } else {
            s.line.range(place + 1..).next()
        }
        .map(|(p, id)| (*p, *id));
        let Some((other_place, other)) = neighbour else {
            return false;
        };
        s.line.insert(place, other);
        s.line.insert(other_place, job);
        s.waiting.get_mut(&other).expect("in line").place = place;
        s.waiting.get_mut(&job).expect("in line").place = other_place;
        true
    }

    /// Pauses or resumes a waiting job; `false` when it is not waiting.
    pub(crate) fn pause(self: &Arc<Self>, job: JobId, paused: bool) -> bool {
        let due = {
            let mut s = self.state.lock().expect("queue lock");
            let Some(w) = s.waiting.get_mut(&job) else {
                return false;
            };
            let item = matches!(w.turn, Turn::Run(_));
            let was = std::mem::replace(&mut w.paused, paused);
            match (item, was, paused) {
                (true, false, true) => s.items_due -= 1,
                (true, true, false) => s.items_due += 1,
                _ => {}
            }
            s.grant()
        };
        self.start(due);
        true
    }

    /// Waits until fewer than `below` items wait in line unheld (the
    /// queue as a whole may be paused: then until it goes on).
    pub(crate) async fn wait_shorter(&self, below: usize) {
        loop {
            let told = self.shorter.notified();
            tokio::pin!(told);
            told.as_mut().enable();
            if self.state.lock().expect("queue lock").items_due < below {
                return;
            }
            told.await;
        }
    }

    /// How many items wait in line, not held back one by one.
    pub(crate) fn items_due(&self) -> usize {
        self.state.lock().expect("queue lock").items_due
    }

    pub(crate) fn pause_all(self: &Arc<Self>, paused: bool) {
        let due = {
            let mut s = self.state.lock().expect("queue lock");
            s.paused_all = paused;
            s.grant()
        };
        self.start(due);
    }
}

/// A place in line with its waker: `wait` for the slot.
pub(crate) struct Ticket {
    rx: oneshot::Receiver<()>,
    leave: LeaveOnDrop,
}

impl Ticket {
    pub(crate) async fn wait(self) -> Slot {
        let Ticket { rx, leave } = self;
        let _ = rx.await;
        let queue = leave.queue.clone();
        std::mem::forget(leave);
        Slot { queue }
    }
}

/// Leaves the line if the waiting future is dropped before its turn.
struct LeaveOnDrop {
    queue: Arc<Queue>,
    job: JobId,
}

impl Drop for LeaveOnDrop {
    fn drop(&mut self) {
        let due = {
            let mut s = self.queue.state.lock().expect("queue lock");
            match s.waiting.remove(&self.job) {
                Some(w) => {
                    s.line.remove(&w.place);
                }
                // Granted at the very moment it was dropped: give the slot back.
                None => s.running = s.running.saturating_sub(1),
            }
            s.grant()
        };
        self.queue.start(due);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn started(
        q: &Arc<Queue>,
        jobs: &[JobId],
    ) -> Vec<(JobId, tokio::task::JoinHandle<Slot>)> {
        let mut handles = Vec::new();
        for &job in jobs {
            let q = q.clone();
            handles.push((job, tokio::spawn(async move { q.slot(job).await })));
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        handles
    }

    #[tokio::test]
    async fn first_come_first_served_unless_moved_or_paused() {
        let q = Queue::new(1);
        let first = q.slot(1).await;
        let mut waiting = started(&q, &[2, 3, 4]).await;
        // 4 moves ahead of 3, then of 2; 2 is paused.
        assert!(q.nudge(4, true));
        assert!(q.nudge(4, true));
        assert!(!q.nudge(4, true), "already first");
        assert!(q.pause(2, true));
        drop(first);
        let order = {
            let mut order = Vec::new();
            for _ in 0..2 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let done = waiting.iter().position(|(_, h)| h.is_finished()).unwrap();
                let (job, h) = waiting.remove(done);
                order.push(job);
                drop(h.await.unwrap());
            }
            order
        };
        assert_eq!(order, [4, 3]);
        // 2 is paused: nothing more starts until it is resumed.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting[0].1.is_finished());
        q.pause(2, false);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(waiting[0].1.is_finished());
    }

    #[tokio::test]
    async fn pausing_the_queue_holds_everything_and_a_cancelled_waiter_leaves() {
        let q = Queue::new(2);
        q.pause_all(true);
        let waiting = started(&q, &[1, 2]).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(waiting.iter().all(|(_, h)| !h.is_finished()));
        // Job 1 is cancelled while waiting.
        waiting[0].1.abort();
        q.pause_all(false);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(waiting[1].1.is_finished());
        // Both slots are free for others: the aborted one took none.
        let a = q.slot(3).await;
        let b = tokio::time::timeout(Duration::from_millis(100), q.slot(4)).await;
        assert!(b.is_err(), "two running (2 and 3): none free");
        drop(a);
    }

    fn item(id: JobId) -> Item {
        Item {
            id,
            tree: 0,
            dir: Arc::new(Dir {
                source: Location::local(std::path::Path::new("/nonexistent/a")),
                destination: Location::local(std::path::Path::new("/nonexistent/b")),
                kind: Kind::Copy,
                via: Via::Auto,
                local_root: None,
            }),
            name: (*b"f").into(),
            conflict: Conflict::Overwrite,
            listed: Listed::default(),
        }
    }

    /// A queue whose items report their id when they start and hold their
    /// slot until told to go.
    fn recording(
        capacity: usize,
    ) -> (
        Arc<Queue>,
        tokio::sync::mpsc::UnboundedReceiver<(JobId, oneshot::Sender<()>)>,
    ) {
        let q = Queue::new(capacity);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        q.set_launch(Box::new(move |item, slot| {
            let tx = tx.clone();
            Box::pin(async move {
                let (done, wait) = oneshot::channel();
                let _ = tx.send((item.id, done));
                let _ = wait.await;
                drop(slot);
            })
        }));
        (q, rx)
    }

    #[tokio::test]
    async fn items_become_tasks_only_in_their_turn_and_in_line_order() {
        let (q, mut started) = recording(1);
        for id in 1..=5 {
            q.push(item(id));
        }
        let (first, go) = started.recv().await.unwrap();
        assert_eq!(first, 1);
        // 5 moves ahead of 4 and 3; 2 is paused; 4 is withdrawn (cancelled).
        assert!(q.nudge(5, true));
        assert!(q.nudge(5, true));
        assert!(q.pause(2, true));
        assert_eq!(q.withdraw(4).map(|i| i.id), Some(4));
        assert!(q.withdraw(4).is_none(), "gone from the line");
        assert!(
            tokio::time::timeout(Duration::from_millis(20), started.recv())
                .await
                .is_err(),
            "one slot: nothing else runs meanwhile"
        );
        let mut order = Vec::new();
        let mut go = go;
        for _ in 0..2 {
            let _ = go.send(());
            let (id, next) = started.recv().await.unwrap();
            order.push(id);
            go = next;
        }
        assert_eq!(order, [5, 3]);
        let _ = go.send(());
        assert!(
            tokio::time::timeout(Duration::from_millis(20), started.recv())
                .await
                .is_err(),
            "2 is paused"
        );
        q.pause(2, false);
        let (id, go) = started.recv().await.unwrap();
        assert_eq!(id, 2);
        let _ = go.send(());
    }

    #[tokio::test]
    async fn a_walk_waiting_for_a_shorter_line_is_told_when_items_go() {
        let (q, mut started) = recording(1);
        q.pause_all(true);
        for id in 1..=4 {
            q.push(item(id));
        }
        assert_eq!(q.items_due(), 4);
        assert!(q.pause(2, true));
        assert_eq!(q.items_due(), 3, "a held item is not read ahead");
        assert!(q.withdraw(3).is_some());
        assert_eq!(q.items_due(), 2);
        let waiting = {
            let q = q.clone();
            tokio::spawn(async move { q.wait_shorter(2).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "two wait, the queue is paused");
        q.pause_all(false);
        let (id, go) = started.recv().await.unwrap();
        assert_eq!(id, 1);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("told when item 1 started")
            .unwrap();
        assert!(q.pause(2, false));
        assert_eq!(q.items_due(), 2, "4, and 2 let go");
        let _ = go.send(());
    }

    #[tokio::test]
    async fn tasks_and_items_share_one_line() {
        let (q, mut started) = recording(1);
        q.pause_all(true);
        q.push(item(1));
        let task = {
            let q = q.clone();
            tokio::spawn(async move { q.slot(2).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        q.push(item(3));
        q.pause_all(false);
        let (id, go) = started.recv().await.unwrap();
        assert_eq!(id, 1);
        assert!(!task.is_finished());
        let _ = go.send(());
        let slot = task.await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(20), started.recv())
                .await
                .is_err(),
            "the task holds the slot"
        );
        drop(slot);
        let (id, go) = started.recv().await.unwrap();
        assert_eq!(id, 3);
        let _ = go.send(());
    }
}
