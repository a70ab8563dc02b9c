//! The order in which waiting files get one of the `parallel` transfer
//! slots: first queued, first served, unless the person moves an item up
//! or down, pauses it, or pauses the whole queue (a paused item keeps its
//! place and starts nothing; running transfers go on).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::JobId;

pub struct Queue {
    state: Mutex<State>,
}

struct State {
    capacity: usize,
    running: usize,
    /// Jobs waiting for a slot, by their place in line (smaller first).
    waiting: HashMap<JobId, Waiter>,
    next_place: i64,
    paused_all: bool,
}

struct Waiter {
    place: i64,
    paused: bool,
    wake: Option<oneshot::Sender<()>>,
}

/// A transfer slot; the next in line gets it when this is dropped.
pub struct Slot {
    queue: Arc<Queue>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut s = self.queue.state.lock().expect("queue lock");
        s.running -= 1;
        s.grant();
    }
}

impl State {
    /// Hands free slots to the first waiting, unpaused jobs.
    fn grant(&mut self) {
        while self.running < self.capacity && !self.paused_all {
            let next = self
                .waiting
                .iter()
                .filter(|(_, w)| !w.paused && w.wake.is_some())
                .min_by_key(|(_, w)| w.place)
                .map(|(id, _)| *id);
            let Some(id) = next else { break };
            let waiter = self.waiting.remove(&id).expect("just found");
            if let Some(wake) = waiter.wake
                && wake.send(()).is_ok()
            {
                self.running += 1;
            }
        }
    }
}

impl Queue {
    pub fn new(capacity: usize) -> Arc<Queue> {
        Arc::new(Queue {
            state: Mutex::new(State {
                capacity: capacity.max(1),
                running: 0,
                waiting: HashMap::new(),
                next_place: 0,
                paused_all: false,
            }),
        })
    }

    /// Takes `job`'s place in line now (when it is queued), whenever it
    /// comes to wait for its slot: files keep the order they were queued
    /// in (a directory's priority order), whatever order their tasks run.
    pub fn enqueue(&self, job: JobId) {
        let mut s = self.state.lock().expect("queue lock");
        let place = s.next_place;
        s.next_place += 1;
        s.waiting.insert(
            job,
            Waiter {
                place,
                paused: false,
                wake: None,
            },
        );
    }

    /// `job` is over (or never needed a slot: a tree): it leaves the line.
    pub fn forget(&self, job: JobId) {
        let mut s = self.state.lock().expect("queue lock");
        if s.waiting.get(&job).is_some_and(|w| w.wake.is_none()) {
            s.waiting.remove(&job);
        }
    }

    /// Joins the line at once (a file a walk queued): its turn comes in
    /// the order files were queued, whichever task runs first.
    pub fn ticket(self: &Arc<Queue>, job: JobId) -> Ticket {
        let (tx, rx) = oneshot::channel();
        {
            let mut s = self.state.lock().expect("queue lock");
            let (place, paused) = match s.waiting.get(&job) {
                Some(w) => (w.place, w.paused),
                None => {
                    let place = s.next_place;
                    s.next_place += 1;
                    (place, false)
                }
            };
            s.waiting.insert(
                job,
                Waiter {
                    place,
                    paused,
                    wake: Some(tx),
                },
            );
            s.grant();
        }
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
    pub async fn slot(self: &Arc<Queue>, job: JobId) -> Slot {
        self.ticket(job).wait().await
    }

    /// Moves a waiting job one place earlier (`up`) or later in line.
    pub fn nudge(&self, job: JobId, up: bool) -> bool {
        let mut s = self.state.lock().expect("queue lock");
        let Some(place) = s.waiting.get(&job).map(|w| w.place) else {
            return false;
        };
        let neighbour = s
            .waiting
            .iter()
            .filter(|(_, w)| if up { w.place < place } else { w.place > place })
            .min_by_key(|(_, w)| if up { -w.place } else { w.place })
            .map(|(id, w)| (*id, w.place));
        let Some((other, other_place)) = neighbour else {
            return false;
        };
        s.waiting.get_mut(&other).expect("listed").place = place;
        s.waiting.get_mut(&job).expect("listed").place = other_place;
        true
    }

    /// Pauses or resumes a waiting job; `false` when it is not waiting.
    pub fn pause(&self, job: JobId, paused: bool) -> bool {
        let mut s = self.state.lock().expect("queue lock");
        let Some(w) = s.waiting.get_mut(&job) else {
            return false;
        };
        w.paused = paused;
        s.grant();
        true
    }

    pub fn pause_all(&self, paused: bool) {
        let mut s = self.state.lock().expect("queue lock");
        s.paused_all = paused;
        s.grant();
    }

    pub fn is_paused(&self) -> bool {
        self.state.lock().expect("queue lock").paused_all
    }
}

/// A place in line with its waker: `wait` for the slot.
pub struct Ticket {
    rx: oneshot::Receiver<()>,
    leave: LeaveOnDrop,
}

impl Ticket {
    pub async fn wait(self) -> Slot {
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
        let mut s = self.queue.state.lock().expect("queue lock");
        // Granted at the very moment it was dropped: give the slot back.
        if s.waiting.remove(&self.job).is_none() {
            s.running = s.running.saturating_sub(1);
        }
        s.grant();
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
}
