//! Everything the screen shows, as plain data. `update` changes it; `render`
//! only reads it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use super::dialog::Dialog;
use super::pane::Pane;
pub use super::side::{Item, Side};
use crate::sites::SiteEntry;
use crate::transfer::{Conflict, FtpSite, JobId, Kind, Mode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Pane(Side),
    Transfers,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Queued,
    Running,
    Verified,
    Failed(Box<str>),
    Cancelled,
    Skipped(Box<str>),
    /// A tree job: walked, its files are rows of their own.
    Walked(Box<str>),
}

impl JobState {
    pub(crate) fn is_over(&self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }
}

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: JobId,
    /// Shared with `destination_name` when they are the same, and
    /// `direction` with the rows that go the same way: a tree may queue
    /// 100,000 rows.
    pub name: Arc<str>,
    pub destination_name: Arc<str>,
    pub direction: Arc<str>,
    pub kind: Kind,
    pub mode: Option<Mode>,
    pub done: u64,
    pub total: Option<u64>,
    pub state: JobState,
    /// How it went while it ran; a row that never ran has none (most rows
    /// of a queued 100,000-file tree: kept small, they all fit in memory).
    pub progress: Option<Box<Progress>>,
    pub note: Option<Box<str>>,
    /// The tree job this file belongs to.
    pub parent: Option<JobId>,
    /// Its bytes cross in TLS all the way (the row shows a lock).
    pub protected: bool,
    /// The whole reason of a failure, for Enter (the row has the cause).
    pub story: Option<Box<str>>,
    /// Why the servers could not exchange the bytes themselves, when the
    /// job fell back to another way: said on the row once it verified.
    pub fallback: Option<Box<str>>,
    /// Held back in the queue (p).
    pub paused: bool,
    /// A tree job: its row follows its files.
    pub tree: bool,
}

/// A running transfer's pace, as its last `Progress` event gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub rate: f64,
    pub eta: Option<u64>,
    /// The destination's size could be measured (else only time counts).
    pub measured: bool,
    /// Recent rates, for the sparkline (bytes/s).
    pub rates: VecDeque<u64>,
    /// Seconds since the current attempt started (from the engine).
    pub elapsed: u64,
    /// Where the attempt that got furthest started (a resume).
    pub resumed_from: Option<u64>,
}

/// What a row that has not reported progress shows.
static NO_PROGRESS: Progress = Progress {
    rate: 0.0,
    eta: None,
    measured: true,
    rates: VecDeque::new(),
    elapsed: 0,
    resumed_from: None,
};

impl Default for Progress {
    fn default() -> Progress {
        NO_PROGRESS.clone()
    }
}

impl JobRow {
    pub(crate) fn progress(&self) -> &Progress {
        self.progress.as_deref().unwrap_or(&NO_PROGRESS)
    }

    pub(crate) fn progress_mut(&mut self) -> &mut Progress {
        self.progress.get_or_insert_with(Default::default)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Transfers {
    /// In job id order (the order the engine queued them) but for rows
    /// moved by K/J, so that a row is found by binary search: a tree of
    /// 100,000 files sends several events per file. Add rows with `add` or
    /// `set_rows`.
    pub(crate) jobs: Vec<JobRow>,
    pub selected: usize,
    /// The first row shown while the panel has the keyboard; without it
    /// the panel follows the running work (`update::transfers_scroll`).
    pub(crate) scroll: usize,
    /// The whole queue is held back (P).
    pub(crate) paused: bool,
    /// What the rows add up to, kept as they change: counting them again
    /// on every event would cost a pass over every row per event.
    pub(crate) unfinished: usize,
    /// Files (not trees) that verified, and that failed.
    pub(crate) files_verified: usize,
    pub(crate) files_failed: usize,
    /// Per tree job: its files, likewise.
    pub(crate) trees: std::collections::HashMap<JobId, Tally>,
    /// The directions rows have shown (`a→b` …), each kept once.
    directions: Vec<Arc<str>>,
}

/// How a tree's files stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) files: usize,
    pub(crate) over: usize,
    pub(crate) verified: usize,
    pub(crate) failed: usize,
    /// The ways its files went, each with how many went that way.
    pub(crate) ways: Vec<(Mode, usize)>,
    /// Bytes of the files that ended.
    pub(crate) bytes: u64,
}

impl Transfers {
    pub fn running(&self) -> usize {
        self.jobs.iter().filter(|j| !j.state.is_over()).count()
    }

    /// `direction` as a row keeps it: one copy for every row going the
    /// same way.
    pub(crate) fn shared_direction(&mut self, direction: String) -> Arc<str> {
        if let Some(known) = self.directions.iter().find(|d| ***d == *direction) {
            return known.clone();
        }
        let direction: Arc<str> = direction.into();
        self.directions.push(direction.clone());
        direction
    }

    /// Replaces every row (tests, and a screen restored as a whole).
    pub fn set_rows(&mut self, mut rows: Vec<JobRow>) {
        rows.sort_by_key(|r| r.id);
        self.jobs = Vec::with_capacity(rows.len());
        self.unfinished = 0;
        self.files_verified = 0;
        self.files_failed = 0;
        self.trees = rows
            .iter()
            .filter_map(|r| r.parent)
            .map(|tree| (tree, Tally::default()))
            .collect();
        for row in rows {
            let (id, over) = (row.id, row.state.is_over());
            self.add(row);
            if over {
                self.unfinished += 1;
                self.ended(id);
            }
        }
    }

    /// A new row, at its place by id (events of jobs queued at once by
    /// two walks may come in either order).
    pub(crate) fn add(&mut self, row: JobRow) {
        if !row.state.is_over() {
            self.unfinished += 1;
        }
        if let Some(tree) = row.parent {
            self.trees.entry(tree).or_default().files += 1;
        }
        let at = self.jobs.partition_point(|j| j.id < row.id);
        self.jobs.insert(at, row);
    }

    /// Rows are in id order except where K/J swapped two waiting ones, so
    /// a binary search finds nearly every row; the rest are looked for in
    /// turn.
    fn index(&self, id: JobId) -> Option<usize> {
        self.jobs
            .binary_search_by_key(&id, |j| j.id)
            .ok()
            .or_else(|| self.jobs.iter().position(|j| j.id == id))
    }

    pub(crate) fn row(&self, id: JobId) -> Option<&JobRow> {
        self.index(id).map(|i| &self.jobs[i])
    }

    pub(crate) fn row_mut(&mut self, id: JobId) -> Option<&mut JobRow> {
        self.index(id).map(|i| &mut self.jobs[i])
    }

    /// Counts a row that just ended (its state went from queued or
    /// running to one that is over). A tree's files are queued before its
    /// walk ends, so a tree is known as one by then.
    pub(crate) fn ended(&mut self, id: JobId) {
        let Some(i) = self.index(id) else { return };
        let row = &self.jobs[i];
        self.unfinished = self.unfinished.saturating_sub(1);
        let verified = row.state == JobState::Verified;
        let failed = matches!(row.state, JobState::Failed(_));
        if let Some(tree) = row.parent {
            let t = self.trees.entry(tree).or_default();
            t.over += 1;
            t.bytes += row.done;
            t.verified += usize::from(verified);
            t.failed += usize::from(failed);
            if let Some(mode) = row.mode.filter(|_| verified) {
                match t.ways.iter_mut().find(|(m, _)| *m == mode) {
                    Some((_, n)) => *n += 1,
                    None => t.ways.push((mode, 1)),
                }
            }
        }
        if !self.trees.contains_key(&id) {
            self.files_verified += usize::from(verified);
            self.files_failed += usize::from(failed);
        }
    }
}

/// What a pane was last asked to open, for its header while it dials, for
/// Ctrl-R after a failure, and for the history once it worked.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// As given (it may hold a URL's password: never shown nor saved).
    pub(crate) text: String,
    /// Without a password: what the header, the history and the session
    /// file show.
    pub(crate) shown: String,
    /// Which connect this is: results of an earlier, cancelled one are
    /// dropped.
    pub(crate) attempt: u64,
    pub(crate) connecting: bool,
    /// It worked (else a failure or an unanswered question ended it).
    pub(crate) connected: bool,
    /// Typed in the connect dialog: goes into the history once it works.
    pub(crate) remember: bool,
}

/// A pane waiting for its password, behind the dialog that is open.
#[derive(Debug, Clone)]
pub(crate) struct PasswordAsk {
    pub(crate) side: Side,
    pub(crate) url: String,
}

/// A drag in progress: pressed on a pane row, maybe moved.
#[derive(Debug, Clone)]
pub struct Drag {
    pub from: Side,
    pub items: Vec<Item>,
    pub start: (u16, u16),
    pub pos: (u16, u16),
    /// Moved far enough to be a drag rather than a click.
    pub active: bool,
}

/// The status line when nothing needs saying.
pub(crate) const IDLE_STATUS: &str =
    "F1 help · Tab other pane · F5 copy · drag entries across to copy";

pub struct State {
    pub panes: [Pane; 2],
    /// The FTP site behind each pane; `None` for the local disk.
    pub sites: [Option<Arc<FtpSite>>; 2],
    /// Whether each pane's server advertises LSTN and SOCK.
    pub(crate) rfc438: [bool; 2],
    /// Each pane's TLS: on its control connection, on its data connections.
    pub(crate) protection: [(bool, bool); 2],
    /// Why a pane's site, which takes TLS when offered, is in the clear.
    pub clear_because: [Option<String>; 2],
    pub focus: Focus,
    /// The pane that had the keyboard last, for while the transfers panel
    /// has it: `active_side` and Esc from the panel go back there.
    pub(crate) last_pane: Side,
    pub transfers: Transfers,
    pub dialog: Option<Dialog>,
    pub(crate) status: String,
    /// The pane an error in the status line is about, with its text: the
    /// line is cleared once that pane works again (a connect error stayed
    /// there long after the pane had connected).
    pub(crate) status_about: Option<(Side, String)>,
    /// The status line as the last submitted transfers wrote it ("copying
    /// 2 items: FXP"): once they are all over, the totals replace it —
    /// unless something else has been said since.
    pub(crate) status_of_transfers: Option<String>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub drag: Option<Drag>,
    /// For double-clicks: when and where the last click was.
    pub(crate) last_click: Option<(Instant, u16, u16)>,
    pub(crate) history: Vec<String>,
    /// Saved sites from config.toml.
    pub(crate) saved_sites: Vec<SiteEntry>,
    /// Conflict questions waiting behind the open dialog.
    pub(crate) pending_conflicts: VecDeque<(JobId, String, u64, u64)>,
    /// Password questions, one per pane, asked one after the other.
    pub(crate) pending_passwords: VecDeque<PasswordAsk>,
    /// Sites a resume needs a password for, asked after the panes'.
    pub(crate) pending_queue_passwords: VecDeque<String>,
    pub(crate) targets: [Option<Target>; 2],
    pub(crate) next_attempt: u64,
    /// A choice made "for all" answers the batch's later questions.
    pub(crate) conflict_for_all: Option<Conflict>,
    pub color: bool,
    pub(crate) quit: bool,
    /// Ctrl-X was pressed: the next key completes mc's two-key command.
    pub(crate) ctrl_x: bool,
    /// The unfinished-work question, while its list is being reviewed.
    pub(crate) pending_unfinished: Option<super::dialog::Unfinished>,
}

impl State {
    pub fn new(left: Pane, right: Pane, size: (u16, u16)) -> State {
        State {
            panes: [left, right],
            sites: [None, None],
            rfc438: [false, false],
            protection: [(false, false); 2],
            clear_because: [None, None],
            focus: Focus::Pane(Side::Left),
            last_pane: Side::Left,
            transfers: Transfers::default(),
            dialog: None,
            status: IDLE_STATUS.to_string(),
            status_about: None,
            status_of_transfers: None,
            size,
            drag: None,
            last_click: None,
            history: Vec::new(),
            saved_sites: Vec::new(),
            pending_conflicts: VecDeque::new(),
            pending_passwords: VecDeque::new(),
            pending_queue_passwords: VecDeque::new(),
            targets: [None, None],
            next_attempt: 0,
            conflict_for_all: None,
            color: true,
            quit: false,
            ctrl_x: false,
            pending_unfinished: None,
        }
    }

    pub fn pane(&self, side: Side) -> &Pane {
        &self.panes[side.index()]
    }

    pub fn pane_mut(&mut self, side: Side) -> &mut Pane {
        &mut self.panes[side.index()]
    }

    /// An error about one pane's site, for the status line (until that
    /// pane works again).
    pub(crate) fn pane_status(&mut self, side: Side, text: String) {
        self.status_about = Some((side, text.clone()));
        self.status = text;
    }

    /// `side` works again: an error about it leaves the status line.
    pub(crate) fn pane_works(&mut self, side: Side) {
        if let Some((about, text)) = &self.status_about
            && *about == side
            && *text == self.status
        {
            self.status = IDLE_STATUS.to_string();
        }
        if self.status_about.as_ref().is_some_and(|(s, _)| *s == side) {
            self.status_about = None;
        }
    }

    /// Whether `attempt` is the connect the pane waits for.
    pub(crate) fn awaits(&self, side: Side, attempt: u64) -> bool {
        self.targets[side.index()]
            .as_ref()
            .is_some_and(|t| t.connecting && t.attempt == attempt)
    }

    /// The pane with the keyboard, or the last one that had it.
    pub(crate) fn active_side(&self) -> Side {
        match self.focus {
            Focus::Pane(s) => s,
            // Was `Side::Left` whatever the doc said: F9 from the right
            // pane then Esc landed on the left one (found by the update
            // tests).
            Focus::Transfers => self.last_pane,
        }
    }
}
