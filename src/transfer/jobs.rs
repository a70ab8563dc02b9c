//! The engine's book of jobs, by id: what `cancel`, `retry` and `answer`
//! reach a job by — its spec and cancel switch (kept for a retry only while
//! it may be retried), the question it waits on, and whether a cancel asked
//! for what it wrote to go. One lock over one book.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::transfer::{Conflict, JobId, JobSpec};

/// One job as the book knows it: its spec (shared with its task, not
/// copied: a tree may queue 100,000), its cancel switch, and its tree's
/// local root (a retry stays beneath it).
pub(crate) type JobEntry = (Arc<JobSpec>, CancellationToken, Option<Arc<Path>>);

#[derive(Default)]
pub(crate) struct Jobs {
    book: Mutex<Book>,
}

#[derive(Default)]
struct Book {
    entries: HashMap<JobId, JobEntry>,
    /// Jobs waiting for an answer about an existing destination.
    questions: HashMap<JobId, oneshot::Sender<Conflict>>,
    /// Cancelled jobs whose partial destination should go, if they made it.
    discard: HashSet<JobId>,
}

impl Jobs {
    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().expect("job book lock")
    }

    pub(crate) fn register(&self, id: JobId, entry: JobEntry) {
        self.book().entries.insert(id, entry);
    }

    pub(crate) fn forget(&self, id: JobId) {
        self.book().entries.remove(&id);
    }

    pub(crate) fn entry(&self, id: JobId) -> Option<JobEntry> {
        self.book().entries.get(&id).cloned()
    }

    pub(crate) fn cancel(&self, id: JobId) {
        if let Some((_, token, _)) = self.book().entries.get(&id) {
            token.cancel();
        }
    }

    pub(crate) fn ask(&self, id: JobId, answer: oneshot::Sender<Conflict>) {
        self.book().questions.insert(id, answer);
    }

    /// The question a job waits on, taken: answered, or no longer asked.
    pub(crate) fn question(&self, id: JobId) -> Option<oneshot::Sender<Conflict>> {
        self.book().questions.remove(&id)
    }

    pub(crate) fn discard_when_cancelled(&self, id: JobId) {
        self.book().discard.insert(id);
    }

    /// Whether a cancel asked for what the job wrote to go (asked once).
    pub(crate) fn take_discard(&self, id: JobId) -> bool {
        self.book().discard.remove(&id)
    }
}
