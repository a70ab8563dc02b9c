//! The journal's own thread. A run's jobs and events reach it over a
//! channel, so SQLite never holds up the loop that follows the engine (a
//! `cp` printing lines, the TUI drawing); it records what waits in one
//! transaction and commits as soon as nothing more waits, and at least
//! every [`AT_MOST_BEHIND`] while events keep coming: at a `kill -9` the
//! journal is that far behind the events it was given, no more.

use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::transfer::{Event, EventKind, JobId, JobSpec};

use super::Tap;

/// How long one transaction may gather changes before it commits.
pub const AT_MOST_BEHIND: Duration = Duration::from_millis(250);

/// Hands a run's jobs and events to the journal's thread. Dropped, it
/// lets the thread record what is left and waits for it.
pub struct Recorder {
    notes: Option<Sender<Note>>,
    thread: Option<JoinHandle<()>>,
}

enum Note {
    /// Told back once it is committed.
    Submitted(
        JobId,
        Box<JobSpec>,
        Option<i64>,
        tokio::sync::oneshot::Sender<()>,
    ),
    Event(Event),
}

/// A submitted job's row, on disk once [`Committed::on_disk`] returns.
pub struct Committed(tokio::sync::oneshot::Receiver<()>);

impl Committed {
    /// Waits until the row is committed (or the journal is gone): notes
    /// are recorded in order, so every job submitted before is on disk too.
    pub async fn on_disk(self) {
        let _ = self.0.await;
    }
}

impl Recorder {
    /// The journal in fxpc's state directory (see [`Tap::open`]). It is
    /// opened here, before the caller reads it for anything else: two
    /// connections creating it at once may find it locked.
    pub fn open() -> Recorder {
        Recorder::on(Tap::open())
    }

    /// Records into `tap`, on the journal's thread.
    fn on(tap: Tap) -> Recorder {
        let (notes, received) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("fxpc-journal".into())
            .spawn(move || record(tap, &received));
        match thread {
            Ok(thread) => Recorder {
                notes: Some(notes),
                thread: Some(thread),
            },
            Err(e) => {
                tracing::warn!("no journal thread: {e}; this run is not recorded");
                Recorder {
                    notes: None,
                    thread: None,
                }
            }
        }
    }

    /// A job just submitted (or resumed: `row` is its journal row). Never
    /// waits: the caller's loop (the TUI's) must not stall behind a disk;
    /// one that must know the job is on disk before going on (a crash a
    /// moment later must not lose what was asked) awaits the answer.
    pub fn submitted(&mut self, job: JobId, spec: &JobSpec, row: Option<i64>) -> Committed {
        let (committed, wait) = tokio::sync::oneshot::channel();
        self.send(Note::Submitted(job, Box::new(spec.clone()), row, committed));
        Committed(wait)
    }

    /// Follows an event; those the journal keeps nothing of (progress,
    /// notes about sites) stay here.
    pub fn event(&mut self, event: &Event) {
        if changes_a_row(&event.kind) {
            self.send(Note::Event(event.clone()));
        }
    }

    fn send(&mut self, note: Note) {
        if let Some(notes) = &self.notes
            && notes.send(note).is_err()
        {
            // The thread ended (it says why in the log): the run goes on.
            self.notes = None;
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.notes = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn changes_a_row(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Queued {
            parent: Some(_),
            ..
        } | EventKind::Started { .. }
            | EventKind::Writing
            | EventKind::Sent
            | EventKind::Verified { .. }
            | EventKind::Failed { .. }
            | EventKind::Cancelled { .. }
            | EventKind::Skipped { .. }
            | EventKind::Walked { .. }
    )
}

/// The thread: what waits, a transaction at a time, until the run ends.
fn record(mut tap: Tap, notes: &Receiver<Note>) {
    while let Ok(first) = notes.recv() {
        let began = Instant::now();
        tap.begin();
        let mut waiting = take(&mut tap, first);
        while waiting.is_none() && began.elapsed() < AT_MOST_BEHIND {
            match notes.try_recv() {
                Ok(note) => waiting = take(&mut tap, note),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        tap.commit();
        if let Some(committed) = waiting {
            let _ = committed.send(());
        }
    }
}

/// Records a note; returns who waits for it to be committed (at once).
fn take(tap: &mut Tap, note: Note) -> Option<tokio::sync::oneshot::Sender<()>> {
    match note {
        Note::Submitted(job, spec, row, committed) => {
            tap.submitted(job, &spec, row);
            Some(committed)
        }
        Note::Event(event) => {
            tap.event(&event);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::{Conflict, Kind, Location, Via};

    /// Each change is in the journal within `AT_MOST_BEHIND` of its event,
    /// while the recorder is still open (a process killed then keeps it).
    #[test]
    fn changes_reach_the_journal_while_the_run_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.sqlite3");
        let mut recorder = Recorder::on(Tap::at(Some(&path)));
        let file = JobSpec {
            source: Location::local(std::path::Path::new("/src/a")),
            destination: Location::local(std::path::Path::new("/dst/a")),
            kind: Kind::Copy,
            recursive: false,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
        };
        recorder.submitted(1, &file, None);
        let state = || -> Option<String> {
            let journal = super::super::Journal::open(&path).ok()?;
            journal
                .conn
                .query_row("SELECT state FROM items", [], |r| r.get(0))
                .ok()
        };
        let within = |want: &str| {
            let deadline = Instant::now() + AT_MOST_BEHIND * 4;
            while state().as_deref() != Some(want) {
                assert!(Instant::now() < deadline, "{:?}, not {want}", state());
                std::thread::sleep(Duration::from_millis(10));
            }
        };
        within("queued");
        recorder.event(&Event {
            job: 1,
            kind: EventKind::Started {
                mode: crate::transfer::Mode::Local,
                total: Some(1),
                offset: 0,
            },
        });
        within("running");
        recorder.event(&Event {
            job: 1,
            kind: EventKind::Sent,
        });
        within("sent");
        drop(recorder);
    }
}
