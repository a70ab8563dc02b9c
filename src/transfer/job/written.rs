//! What jobs did at their destinations, for the jobs after them: which
//! wrote there (a retry of one of them may resume from what arrived; a
//! retry of any other must start over), and which trees found their
//! destination full (nothing more of that tree is sent). One lock over
//! both: they are marked by the attempts and read by the plan's callers.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::transfer::{JobId, Why};

#[derive(Default)]
pub(crate) struct Written {
    marks: Mutex<Marks>,
}

#[derive(Default)]
struct Marks {
    wrote: HashSet<JobId>,
    /// Trees whose destination said it is full, with its words.
    full: HashMap<JobId, Why>,
}

impl Written {
    fn marks(&self) -> std::sync::MutexGuard<'_, Marks> {
        self.marks.lock().expect("written lock")
    }

    pub(crate) fn out_of_space(&self, tree: JobId) -> Option<Why> {
        self.marks().full.get(&tree).cloned()
    }

    pub(crate) fn mark_out_of_space(&self, tree: JobId, why: &Why) {
        self.marks().full.entry(tree).or_insert_with(|| why.clone());
    }

    pub(crate) fn mark_wrote(&self, job: JobId) {
        self.marks().wrote.insert(job);
    }

    pub(crate) fn forget_wrote(&self, job: JobId) {
        self.marks().wrote.remove(&job);
    }

    pub(crate) fn wrote(&self, job: JobId) -> bool {
        self.marks().wrote.contains(&job)
    }
}
