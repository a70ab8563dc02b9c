//! The transfer engine: jobs (copy, append, move; one file or a tree) between
//! any two sites, run in the background behind a queue, reported as events
//! on a channel. Knows no UI: `fxpc cp` and the TUI only read events.
//!
//! A job goes through the folders in this order:
//!
//! - `engine.rs` takes jobs ([`Engine::submit`]), asks what a source is,
//!   and runs what the line starts; `jobs.rs` is its book of jobs by id
//!   (for cancel, retry, answers); `settings.rs` is what a person tunes.
//! - `tree/` — whole directories: `walk.rs` queues a tree's files,
//!   `compare.rs` says what differs between two
//!   directories, `mirror.rs` is `fxpc mirror`'s plan, `skip.rs` the names
//!   left alone and the order files go in.
//! - `queue/` — what waits: `line.rs`, the line of files waiting for a
//!   slot (moved, paused); `journal/`, the SQLite journal a later run
//!   resumes (its rows, the tap that follows a run, the resume).
//! - `job/` — one file: open (what both ends say), `plan.rs` (pure: the
//!   offsets, the name, the expected size, the ways in order), `attempt.rs`
//!   (each way, retries), `verify.rs` and `batch.rs` (size, digests, a
//!   directory's files checked together), `finish.rs` (a move's delete, the final event),
//!   `existing.rs` (the question, a free name, what a cancel leaves).
//! - `ways/` — how bytes travel: `fxp/` (LSTN/SOCK, FXP both ways round,
//!   who is the TLS client), `relay.rs` (through the client; uploads and
//!   downloads), `refusal.rs` (who refused what, and the setting that
//!   would allow it), `progress.rs` (counted bytes or a polled size).
//! - `sessions/` — the ends: `site.rs` (sites and paths), `pool.rs`
//!   (logged-in sessions within a limit, polling included), `ends.rs` (a job's two sessions,
//!   taken without deadlock), `endpoint.rs` (an FTP session or the local
//!   disk behind one type).
//! - `local/` — the local disk: listings and digests, `beneath.rs` (every
//!   path opened beneath the copy's root, no link followed), `partial.rs`
//!   (a download's part file until it verified).
//! - `error.rs` is the one engine error, which knows which end said what;
//!   `why.rs` is what the events say of it (and of a refused way, a retry,
//!   a skip), as data, put in words once; `shared.rs` is what the jobs of
//!   one engine share and learn.
//!
//! A new way of copying goes in `ways/` and into the plan's order
//! (`ways::transports`); a new check in `job/verify.rs`; a new conflict
//! policy in [`Conflict`] and `job/plan.rs`, with its rows in the tables.

// What only the crate uses says so: the compiler then finds what nobody
// uses.
#![warn(unreachable_pub)]

mod engine;
mod error;
mod job;
mod jobs;
mod local;
pub mod queue;
mod sessions;
mod settings;
mod shared;
mod tree;
mod ways;
mod why;

use std::fmt;
use std::time::Duration;

use serde::Serialize;

pub use engine::Engine;
pub use local::list_local;
pub use queue::journal;
pub use sessions::site::{FtpSite, Location, Site};
pub use settings::{KeepTimes, MAX_DEPTH, Settings};
pub use tree::walk::is_plain_name;
pub use tree::{compare, mirror, skip};
pub use why::{WayRefused, Why};

pub type JobId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Copy,
    Append,
    Move,
}

/// What to do when the destination file exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Conflict {
    Overwrite,
    /// Continue a partial copy from the destination's size.
    Resume,
    Append,
    Skip,
    /// Pick a free name: `name.1`, `name.2` …
    Rename,
    /// Emit a `Conflict` event and wait for [`Engine::answer`].
    Ask,
}

/// Which way the data may go between two FTP sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// LSTN/SOCK when both speak it, else FXP both ways round, else relay.
    Auto,
    Lstn,
    Fxp,
    Relay,
}

/// How a file actually travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    LstnSock,
    /// FXP; the flag says which side was passive.
    Fxp {
        source_passive: bool,
    },
    Relay,
    Download,
    Upload,
    Local,
    /// Nothing needed to move: a resume found the destination whole.
    AlreadyComplete,
}

/// As the transfers panel and `--json` show it: "LSTN/SOCK", "FXP(PASV dst,
/// PORT src)", "relay" …
impl Serialize for Mode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::LstnSock => f.write_str("LSTN/SOCK"),
            Mode::Fxp {
                source_passive: false,
            } => f.write_str("FXP(PASV dst, PORT src)"),
            Mode::Fxp {
                source_passive: true,
            } => f.write_str("FXP(PASV src, PORT dst)"),
            Mode::Relay => f.write_str("relay"),
            Mode::Download => f.write_str("download"),
            Mode::Upload => f.write_str("upload"),
            Mode::Local => f.write_str("local"),
            Mode::AlreadyComplete => f.write_str("already complete"),
        }
    }
}

/// How a finished copy is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// The destination's size.
    Size,
    /// The size, then a digest from each end (`HASH` or `XSHA256` … on a
    /// server, computed here for a local file); fails when the two ends
    /// share no algorithm.
    Hash,
    /// A digest when both ends can give one in a common algorithm, else
    /// the size.
    #[default]
    Auto,
}

/// Which end of a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Source,
    Destination,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            End::Source => "source",
            End::Destination => "destination",
        })
    }
}

/// Why a move that verified left its source where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKept {
    /// The copy resumed onto `bytes` that were at the destination before
    /// and no digest compared them with the source's: the size matching
    /// says nothing about them.
    UnvouchedPrefix { bytes: u64 },
}

impl fmt::Display for SourceKept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceKept::UnvouchedPrefix { bytes } => write!(
                f,
                "source kept: the first {} were at the destination before this copy and no digest compared them with the source's",
                crate::text::human_bytes(*bytes)
            ),
        }
    }
}

impl Serialize for SourceKept {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a `Verified` copy was checked by: `size`, `sha-256`, `md5` …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Size,
    Hash(crate::ftp::hash::Algorithm),
    /// Both ends offered a digest, but one end's reply to it could not be
    /// read: the size alone vouches, and the person is told so.
    SizeDigestUnreadable(End),
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Size => f.write_str("size"),
            Check::Hash(a) => write!(f, "{a}"),
            Check::SizeDigestUnreadable(end) => {
                write!(f, "size; the {end}'s HASH reply could not be read")
            }
        }
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone)]
pub struct JobSpec {
    pub source: Location,
    /// The destination path itself (not its directory): callers resolve
    /// "into a directory" first (see [`Engine::resolve_destination`]).
    pub destination: Location,
    pub kind: Kind,
    pub recursive: bool,
    pub conflict: Conflict,
    pub via: Via,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub job: JobId,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// A file (or a tree, for `total: None`) waits for a free slot.
    Queued {
        source: String,
        destination: String,
        /// Each end's site key (`user@host:port`, as [`FtpSite::key`]
        /// makes it; `None`: the local disk) and raw path: what a UI needs
        /// to find the panes a job belongs to, without parsing URLs.
        source_site: Option<String>,
        destination_site: Option<String>,
        #[serde(skip)]
        source_path: Vec<u8>,
        #[serde(skip)]
        destination_path: Vec<u8>,
        parent: Option<JobId>,
        kind: Kind,
        /// A tree: its `Skipped` events are about files its walk left out,
        /// not about itself.
        recursive: bool,
    },
    Started {
        mode: Mode,
        total: Option<u64>,
        offset: u64,
    },
    Progress {
        done: u64,
        total: Option<u64>,
        /// Bytes per second, smoothed over a few seconds.
        rate: f64,
        #[serde(serialize_with = "ser_secs")]
        eta: Option<Duration>,
        /// False when the destination cannot be polled: `done` stays 0
        /// and only time passes.
        measured: bool,
        /// Time since this attempt started: all an unmeasured gauge shows.
        #[serde(serialize_with = "ser_secs_plain")]
        elapsed: Duration,
    },
    /// A dialect was tried and refused; the next one is tried.
    ModeChanged {
        from: Mode,
        to: Mode,
        #[serde(flatten)]
        reason: Why,
    },
    Retrying {
        attempt: u32,
        #[serde(flatten)]
        reason: Why,
        #[serde(serialize_with = "ser_secs")]
        after: Option<Duration>,
    },
    /// A non-file entry met while walking a tree, or a file skipped by the
    /// conflict policy: reported, never silently dropped.
    Skipped {
        path: String,
        #[serde(flatten)]
        reason: Why,
    },
    /// The destination exists and the policy is `Ask`: the job waits for
    /// [`Engine::answer`].
    Conflict {
        destination: String,
        source_size: u64,
        destination_size: u64,
    },
    Verified {
        mode: Mode,
        bytes: u64,
        /// The destination's size after the transfer.
        size: u64,
        /// What was compared: the size, or both ends' digests.
        check: Check,
        source_deleted: bool,
        /// A move whose source was not deleted, and why.
        #[serde(skip_serializing_if = "Option::is_none")]
        source_kept: Option<SourceKept>,
        /// The name it got when the conflict policy was "rename".
        #[serde(skip_serializing_if = "Option::is_none")]
        renamed_to: Option<String>,
        /// How the bytes were protected: "TLS", "TLS; the destination was
        /// the TLS client (SSCN)", "clear data (PROT C …)"; `None` for
        /// plain FTP and local copies.
        #[serde(skip_serializing_if = "Option::is_none")]
        protection: Option<String>,
    },
    Failed {
        #[serde(flatten)]
        reason: Why,
        /// The servers' replies behind the failure, verbatim.
        replies: Vec<String>,
    },
    Cancelled {
        /// What is left at the destination (kept: it may be resumed).
        partial: Option<u64>,
        /// Asked to discard it, why it was kept all the same (it existed
        /// before this job; it could not be deleted).
        #[serde(skip_serializing_if = "Option::is_none")]
        kept_because: Option<String>,
    },
    /// A site that takes TLS when offered is used in the clear: its server
    /// did not offer `AUTH TLS`, or refused it. Said once per site.
    Unencrypted { site: String, reason: String },
    /// Copies to `site` keep the time of their copy, not their source's:
    /// neither end could give or take one. Said once per site.
    TimesNotKept { site: String, reason: String },
    /// A tree job finished walking: its files are queued.
    Walked { files: usize, directories: usize },
    /// The destination has started taking this job's bytes: from here on
    /// a resume may continue from its size (the journal records it).
    Writing,
    /// Every byte is at the destination and the job gave up its slot: its
    /// check waits for its directory's listing. The journal then stops
    /// counting it as running.
    Sent,
}

fn ser_secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

fn ser_secs_plain<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}
