//! What the ways taught this engine about pairs of servers, while it runs:
//! which ways a pair refused lately (not asked again for every file of a
//! tree), which ways carried a file (their commands may then be
//! pipelined), and which sources answer a pipelined `PORT`+`RETR` out of
//! order (they get the two one after the other). One lock over one map of
//! facts: they are read and written together, by the attempts.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::fxp::Dialect;
use super::refusal::Refusal;

/// How long a refused dialect is not asked for again between the same two
/// servers. Long enough for a tree; short enough that a server whose
/// settings were changed is tried again within a session.
const REFUSAL_MEMORY: Duration = Duration::from_secs(600);

/// The two servers of a copy, by site key.
pub(crate) type Pair = (String, String);

#[derive(Default)]
pub(crate) struct Learned {
    facts: Mutex<Facts>,
}

#[derive(Default)]
struct Facts {
    refusals: HashMap<(Pair, Dialect), (Refusal, Instant)>,
    /// Dialects that carried a file between two servers.
    worked: HashSet<(Pair, Dialect)>,
    /// Sources (site keys) that answer a pipelined `PORT`+`RETR` out of
    /// order.
    no_pipelining: HashSet<String>,
    /// Destinations whose files could not be given their source's time.
    times_not_kept: HashSet<String>,
}

impl Learned {
    fn facts(&self) -> std::sync::MutexGuard<'_, Facts> {
        self.facts.lock().expect("learned lock")
    }

    /// Why `dialect` was refused between these servers, if it was lately.
    pub(crate) fn refused_before(&self, pair: &Pair, dialect: Dialect) -> Option<Refusal> {
        let facts = self.facts();
        let (why, when) = facts.refusals.get(&(pair.clone(), dialect))?;
        (when.elapsed() < REFUSAL_MEMORY).then(|| why.clone())
    }

    pub(crate) fn remember_refusal(&self, pair: &Pair, dialect: Dialect, why: &Refusal) {
        self.facts()
            .refusals
            .insert((pair.clone(), dialect), (why.clone(), Instant::now()));
    }

    pub(crate) fn mark_worked(&self, pair: &Pair, dialect: Dialect) {
        self.facts().worked.insert((pair.clone(), dialect));
    }

    pub(crate) fn worked_before(&self, pair: &Pair, dialect: Dialect) -> bool {
        self.facts().worked.contains(&(pair.clone(), dialect))
    }

    pub(crate) fn pipelining_broken(&self, source: &str) -> bool {
        self.facts().no_pipelining.contains(source)
    }

    /// True the first time a destination could not keep a file's time:
    /// that is said once, not for every file.
    pub(crate) fn first_time_not_kept(&self, site: &str) -> bool {
        self.facts().times_not_kept.insert(site.to_string())
    }

    pub(crate) fn mark_pipelining_broken(&self, source: &str) {
        self.facts().no_pipelining.insert(source.to_string());
    }
}
