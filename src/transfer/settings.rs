//! What a person can tune about an engine: how many copies at once, how
//! often and how patiently to retry, how a copy is checked, and what a tree
//! copy walks. Read by every job; owned by nobody but the engine that was
//! made with it.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Files transferred at once, across all sites.
    pub parallel: usize,
    /// Further tries after a transient failure (a lost connection, a 4xx, a
    /// server that cannot be reached). With the doubling pause from 1 s,
    /// four wait out 15 s: a server restarting.
    pub retries: u32,
    /// The first pause before a retry; it doubles each time.
    pub retry_backoff: Duration,
    /// A transfer with no progress for this long has failed.
    pub stall_timeout: Duration,
    /// How long two servers may take to set up their data connection
    /// before the way they were asked to is taken as refused.
    pub connect_timeout: Duration,
    /// How a finished copy is checked.
    pub verify: crate::transfer::Verify,
    /// Names a tree copy leaves alone (reported, never silently dropped).
    pub skip: crate::transfer::tree::skip::SkipList,
    /// Which files of a directory go first.
    pub priority: crate::transfer::tree::skip::Priority,
    /// How many directories deep a tree copy walks below its root; what is
    /// deeper is reported, not walked (a server whose `sub` holds `sub`
    /// for ever).
    pub max_depth: usize,
    /// Which copies get their source's modification time.
    pub keep_times: KeepTimes,
}

/// Which copies keep their source's modification time (a mirrored tree
/// that looked brand new, and `mirror --newer` comparing upload times,
/// were what not keeping them cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepTimes {
    /// The files of tree copies and mirrors; a single file keeps the time
    /// of its copy.
    #[default]
    Trees,
    Always,
    Never,
}

/// The default bound on a tree walk's depth.
pub const MAX_DEPTH: usize = 64;

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            parallel: 4,
            retries: 4,
            retry_backoff: Duration::from_secs(1),
            stall_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            verify: crate::transfer::Verify::Auto,
            skip: crate::transfer::tree::skip::SkipList::none(),
            priority: crate::transfer::tree::skip::Priority::none(),
            max_depth: MAX_DEPTH,
            keep_times: KeepTimes::Trees,
        }
    }
}
