//! What `fxpc cp`, `mirror` and `queue resume` print: progress bars on
//! stderr and a summary, or the engine's events as JSON lines on stdout.

use std::io::Write as _;

use anyhow::{Result, bail};
use fxpc::text::{human_bytes, human_duration, human_rate, printable};
use fxpc::transfer::{self, EventKind};

/// What `fxpc cp` prints: progress bars on stderr and a summary, or JSON
/// events on stdout.
pub(crate) struct CpView {
    json: bool,
    bars: indicatif::MultiProgress,
    /// All files together, below the per-file bars.
    total: Option<indicatif::ProgressBar>,
    /// The files that started and have not ended. A file that ended is
    /// said at once and forgotten, and one still waiting is only its
    /// name: a tree of a million files must not keep a million lines.
    files: std::collections::BTreeMap<transfer::JobId, FileLine>,
    waiting: std::collections::HashMap<transfer::JobId, Box<str>>,
    /// What the total bar shows, kept as files change: summing every
    /// file on every event made a 100,000-file tree quadratic.
    sums: Sums,
    pub(crate) failed: usize,
    /// Files that ended verified: a mirror deletes only when all did.
    pub(crate) verified: usize,
    /// The JSON events' reader went away (`| grep -q`): no more lines.
    stdout_gone: bool,
    /// Entries a tree walk left out: counted for the closing line.
    skipped: usize,
    /// Moves that verified but kept their source: a script that asked
    /// for a move must not take the source for gone.
    sources_kept: usize,
}

/// Over the files whose size is known: how many, bytes done, bytes in
/// all, and the rate of those still running.
#[derive(Default)]
struct Sums {
    files: usize,
    done: u64,
    size: u64,
    rate: f64,
}

impl Sums {
    /// Takes a file out (`sign` -1) or puts it back (+1).
    fn count(&mut self, file: &FileLine, sign: i8) {
        if file.size == 0 {
            return;
        }
        let rate = if file.outcome.is_none() {
            file.rate
        } else {
            0.0
        };
        if sign > 0 {
            self.files += 1;
            self.done += file.done;
            self.size += file.size;
            self.rate += rate;
        } else {
            self.files -= 1;
            self.done -= file.done;
            self.size -= file.size;
            self.rate -= rate;
        }
    }
}

/// How a file ended, in its closing line's words.
enum Outcome {
    /// Verified, skipped, or a tree walked.
    Done(String),
    /// Failed or cancelled.
    NotDone(String),
}

pub(crate) struct FileLine {
    name: String,
    done: u64,
    size: u64,
    bar: Option<indicatif::ProgressBar>,
    mode: Option<transfer::Mode>,
    outcome: Option<Outcome>,
    /// The engine's rate (`Progress`): measured from where this attempt
    /// started, so bytes already at the destination never count.
    rate: f64,
    /// Where this run began (the first `Started`): its offset and when.
    run: Option<(u64, std::time::Instant)>,
}

impl CpView {
    pub(crate) fn new(json: bool) -> CpView {
        let bars = indicatif::MultiProgress::with_draw_target(if json {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            indicatif::ProgressDrawTarget::stderr()
        });
        CpView {
            json,
            bars,
            total: None,
            files: Default::default(),
            waiting: Default::default(),
            sums: Sums::default(),
            failed: 0,
            verified: 0,
            stdout_gone: false,
            skipped: 0,
            sources_kept: 0,
        }
    }

    /// Every file not ended yet, started or waiting (what Ctrl-C cancels).
    pub(crate) fn running(&self) -> Vec<transfer::JobId> {
        let mut ids: Vec<transfer::JobId> = self
            .files
            .iter()
            .filter(|(_, f)| f.outcome.is_none())
            .map(|(id, _)| *id)
            .chain(self.waiting.keys().copied())
            .collect();
        ids.sort_unstable();
        ids
    }

    pub(crate) fn show(&mut self, event: &transfer::Event) {
        // `sent` is the journal's (a file no longer counted as running);
        // `--json` keeps the lines it had.
        if self.json
            && !matches!(event.kind, EventKind::Sent)
            && !self.stdout_gone
            && let Ok(line) = serde_json::to_string(event)
            && let Err(e) = writeln!(std::io::stdout().lock(), "{line}")
        {
            // A reader that left ends the report, not the copy: a file left
            // half copied because `grep -q` found its line would be a
            // surprise. The copy goes on and its outcome is the exit status
            // (a failure still says so on stderr).
            self.stdout_gone = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("fxpc: cannot write the events ({e}); the copy goes on");
            }
        }
        if let EventKind::Queued { source, .. } = &event.kind {
            self.waiting.insert(event.job, printable(source).into());
            return;
        }
        let waiting = &mut self.waiting;
        let file = self.files.entry(event.job).or_insert_with(|| FileLine {
            name: waiting
                .remove(&event.job)
                .map(String::from)
                .unwrap_or_default(),
            done: 0,
            size: 0,
            bar: None,
            mode: None,
            outcome: None,
            rate: 0.0,
            run: None,
        });
        self.sums.count(file, -1);
        match &event.kind {
            EventKind::Queued { .. } => {}
            EventKind::Started {
                mode,
                total,
                offset,
            } => {
                file.mode = Some(*mode);
                file.rate = 0.0;
                file.run
                    .get_or_insert_with(|| (*offset, std::time::Instant::now()));
                let bar = self
                    .bars
                    .add(indicatif::ProgressBar::new(total.unwrap_or(0)));
                bar.set_style(bar_style());
                bar.set_message(format!("{} {mode}", short_name(&file.name)));
                bar.set_position(*offset);
                file.bar = Some(bar);
            }
            EventKind::Progress {
                done,
                total,
                rate,
                eta,
                ..
            } => {
                file.rate = *rate;
                if let Some(bar) = &file.bar {
                    if let Some(t) = total {
                        bar.set_length(*t);
                    }
                    bar.set_position(*done);
                    bar.set_prefix(rate_and_eta(*rate, *eta));
                }
            }
            EventKind::ModeChanged { to, reason, .. } => {
                file.mode = Some(*to);
                say(
                    self.json,
                    &self.bars,
                    &format!("{}: {reason}; trying {to}", short_name(&file.name)),
                );
                if let Some(bar) = &file.bar {
                    bar.set_message(format!("{} {to}", short_name(&file.name)));
                }
            }
            EventKind::Retrying {
                attempt, reason, ..
            } => {
                say(
                    self.json,
                    &self.bars,
                    &format!("{}: {reason}; retry {attempt}", short_name(&file.name)),
                );
            }
            EventKind::Skipped { path, reason } => {
                self.skipped += 1;
                say(self.json, &self.bars, &format!("skipped {path}: {reason}"));
                if file.outcome.is_none() && file.mode.is_none() {
                    file.outcome = Some(Outcome::Done(format!("skipped: {reason}")));
                }
            }
            EventKind::Verified {
                mode,
                size,
                check,
                source_deleted,
                source_kept,
                renamed_to,
                protection,
                ..
            } => {
                self.verified += 1;
                self.sources_kept += usize::from(source_kept.is_some());
                file.outcome = Some(Outcome::Done(format!(
                    "{mode}{}  verified {check} {}{}{}{}",
                    protection
                        .as_ref()
                        .map(|how| format!(" ({how})"))
                        .unwrap_or_default(),
                    human_bytes(*size),
                    renamed_to
                        .as_ref()
                        .map(|n| format!(", renamed to {}", printable(n)))
                        .unwrap_or_default(),
                    match (source_deleted, source_kept) {
                        (true, _) => ", source deleted".to_string(),
                        (false, Some(why)) => format!(", {why}"),
                        (false, None) => String::new(),
                    },
                    this_run(file.run, file.size)
                )));
            }
            EventKind::Failed { reason, replies } => {
                self.failed += 1;
                let mut text = format!("FAILED: {reason}");
                for r in replies {
                    text.push_str(&format!("\n      {r}"));
                }
                file.outcome = Some(Outcome::NotDone(text));
            }
            EventKind::Cancelled {
                partial,
                kept_because,
            } => {
                self.failed += 1;
                file.outcome = Some(Outcome::NotDone(match (partial, kept_because) {
                    (Some(p), Some(why)) => format!(
                        "cancelled; {} kept at the destination: {why}",
                        human_bytes(*p)
                    ),
                    (Some(p), None) => {
                        format!("cancelled; {} kept at the destination", human_bytes(*p))
                    }
                    (None, _) => "cancelled".into(),
                }));
            }
            // `cp` never asks (its policy comes from the flags); listed
            // for completeness.
            EventKind::Conflict { destination, .. } => {
                say(self.json, &self.bars, &format!("{destination} exists"));
            }
            EventKind::Writing | EventKind::Sent => {}
            EventKind::Unencrypted { site, reason } => {
                say(
                    self.json,
                    &self.bars,
                    &format!("fxpc: {site}: not encrypted: {reason}"),
                );
            }
            EventKind::TimesNotKept { site, reason } => {
                say(
                    self.json,
                    &self.bars,
                    &format!(
                        "fxpc: {site}: copies keep the time of their copy, not their source's: {reason}"
                    ),
                );
            }
            EventKind::Walked { files, directories } => {
                file.outcome = Some(Outcome::Done(format!(
                    "{files} files in {directories} directories"
                )));
            }
        }
        match &event.kind {
            EventKind::Started { total, offset, .. } => {
                file.size = total.unwrap_or(0);
                file.done = *offset;
            }
            EventKind::Progress { done, .. } => file.done = *done,
            EventKind::Verified { .. } => file.done = file.size,
            _ => {}
        }
        if matches!(
            event.kind,
            EventKind::Verified { .. } | EventKind::Failed { .. } | EventKind::Cancelled { .. }
        ) && let Some(bar) = file.bar.take()
        {
            bar.finish_and_clear();
            // Else its slot stays: indicatif frees a finished bar's only
            // while every bar above it is finished too, and the total bar
            // is never (or, output not a terminal, never draws, which is
            // when it frees them): 10,000 files held 0.8 MB and were
            // walked at every redraw.
            self.bars.remove(&bar);
        }
        self.sums.count(file, 1);
        let ended = file.outcome.is_some();
        self.update_total();
        // Its line now (the sums keep what it added to the total bar).
        if ended && let Some(ended) = self.files.remove(&event.job) {
            self.report(&ended);
        }
    }

    /// A file's closing line on stdout, the bars out of its way.
    fn report(&self, file: &FileLine) {
        let Some(outcome) = &file.outcome else {
            return;
        };
        if self.json {
            return;
        }
        let (mark, words) = match outcome {
            Outcome::Done(words) => ('✓', words),
            Outcome::NotDone(words) => ('✗', words),
        };
        let line = escaped(&format!("{mark} {}  {words}", file.name));
        self.bars.suspend(|| {
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        });
    }

    /// The total bar appears once two files are known, as a sum of them.
    pub(crate) fn update_total(&mut self) {
        let Sums {
            files,
            done,
            size,
            rate,
        } = self.sums;
        if files < 2 {
            return;
        }
        // Sums of floats drift; a rate a hair below zero is none.
        let rate = rate.max(0.0);
        let eta = (rate > 0.0)
            .then(|| std::time::Duration::from_secs_f64(size.saturating_sub(done) as f64 / rate));
        let total = self.total.get_or_insert_with(|| {
            let bar = self.bars.add(indicatif::ProgressBar::new(size));
            bar.set_style(bar_style());
            bar
        });
        total.set_length(size);
        total.set_position(done);
        total.set_prefix(rate_and_eta(rate, eta));
        total.set_message(format!("total ({files} files)"));
    }

    pub(crate) fn finish(self, client_bytes: u64) -> Result<()> {
        if let Some(total) = &self.total {
            total.finish_and_clear();
        }
        let _ = self.bars.clear();
        if !self.json {
            let mut out = std::io::stdout().lock();
            if client_bytes > 0 {
                let _ = writeln!(
                    out,
                    "  (the client carried {} of file data)",
                    human_bytes(client_bytes)
                );
            }
        }
        if self.skipped > 0 {
            // Said whatever stdout and stderr are: a redirected run must
            // not leave out entries without a word.
            eprintln!(
                "fxpc: {} entr{} left out (see the skipped lines above)",
                self.skipped,
                if self.skipped == 1 { "y" } else { "ies" }
            );
        }
        if self.failed > 0 {
            bail!("{} transfer(s) failed", self.failed);
        }
        if self.sources_kept > 0 {
            bail!(
                "{} move(s) copied and verified by size, but their sources were kept (see above; --verify hash, where both servers offer a digest, vouches for a resumed file's earlier bytes)",
                self.sources_kept
            );
        }
        Ok(())
    }
}

/// The bars' columns in the units the TUI shows (`ui::format`), never
/// indicatif's own: one program, one way to write a size or a rate. The
/// rate and ETA (the prefix) are the engine's, not indicatif's estimate:
/// that one counts a resumed file's first position as moved in an instant
/// and showed GiB/s where the server sent 256 KiB/s.
pub(crate) fn bar_style() -> indicatif::ProgressStyle {
    use indicatif::ProgressState;
    indicatif::ProgressStyle::with_template("{msg:30!} {bar:25} {done:>9}/{size:<9} {prefix:>17}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key("done", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human_bytes(s.pos()));
        })
        .with_key("size", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human_bytes(s.len().unwrap_or(0)));
        })
}

pub(crate) fn rate_and_eta(rate: f64, eta: Option<std::time::Duration>) -> String {
    format!(
        "{:>11} {:>5}",
        human_rate(rate),
        eta.map(|e| human_duration(e.as_secs())).unwrap_or_default()
    )
}

/// What this run moved of a file and how fast, for the summary: from the
/// first `Started` (its offset: a resume's bytes already there are not this
/// run's) to the verification.
pub(crate) fn this_run(run: Option<(u64, std::time::Instant)>, size: u64) -> String {
    let Some((offset, started)) = run else {
        return String::new();
    };
    let moved = size.saturating_sub(offset);
    if moved == 0 {
        return "; nothing to move".into();
    }
    let secs = started.elapsed().as_secs_f64();
    format!(
        "; {} moved in {} ({})",
        human_bytes(moved),
        human_duration(secs.round() as u64),
        human_rate(moved as f64 / secs.max(0.001))
    )
}

pub(crate) fn short_name(name: &str) -> &str {
    name.rsplit('/').find(|s| !s.is_empty()).unwrap_or(name)
}

/// A line for a person's terminal: each of its lines through the one
/// escaping function (names, paths and replies come from servers, and may
/// carry escape sequences or bidi overrides).
pub(crate) fn escaped(text: &str) -> String {
    text.lines().map(printable).collect::<Vec<_>>().join("\n")
}

/// Says a line above the progress bars, or on stderr when there are none
/// (output redirected): never dropped. With `--json` the events say it.
fn say(json: bool, bars: &indicatif::MultiProgress, text: &str) {
    if json {
        return;
    }
    let text = escaped(text);
    if bars.is_hidden() {
        eprintln!("{text}");
    } else {
        let _ = bars.println(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use transfer::{Check, Event, Mode};

    fn event(job: transfer::JobId, kind: EventKind) -> Event {
        Event { job, kind }
    }

    /// The total bar's sums, kept as files change, agree with adding up
    /// every file again.
    #[test]
    fn the_totals_follow_the_files() {
        let mut view = CpView::new(true);
        for job in 1..=3 {
            view.show(&event(
                job,
                EventKind::Started {
                    mode: Mode::Relay,
                    total: Some(1000 * job),
                    offset: 100,
                },
            ));
        }
        view.show(&event(
            2,
            EventKind::Progress {
                done: 900,
                total: Some(2000),
                rate: 50.0,
                eta: None,
                measured: true,
                elapsed: std::time::Duration::from_secs(1),
            },
        ));
        view.show(&event(
            3,
            EventKind::Progress {
                done: 400,
                total: Some(3000),
                rate: 25.0,
                eta: None,
                measured: true,
                elapsed: std::time::Duration::from_secs(1),
            },
        ));
        view.show(&event(
            1,
            EventKind::Verified {
                mode: Mode::Relay,
                size: 1000,
                bytes: 900,
                check: Check::Size,
                source_deleted: false,
                source_kept: None,
                renamed_to: None,
                protection: None,
            },
        ));
        let naive = |view: &CpView| {
            let sized: Vec<&FileLine> = view.files.values().filter(|f| f.size > 0).collect();
            let done: u64 = sized.iter().map(|f| f.done).sum();
            let size: u64 = sized.iter().map(|f| f.size).sum();
            let rate: f64 = sized
                .iter()
                .filter(|f| f.outcome.is_none())
                .map(|f| f.rate)
                .sum();
            (sized.len(), done, size, rate)
        };
        let s = &view.sums;
        // File 1 ended: its line was said and it is no longer held, but
        // what it added stays in the total.
        assert!(!view.files.contains_key(&1));
        let (files, done, size, rate) = naive(&view);
        assert_eq!(
            (s.files, s.done, s.size, s.rate),
            (files + 1, done + 1000, size + 1000, rate)
        );
        assert_eq!((s.done, s.size, s.rate), (1000 + 900 + 400, 6000, 75.0));
    }

    /// A waiting file is its name only, and Ctrl-C still reaches it.
    #[test]
    fn a_waiting_file_is_only_its_name() {
        let mut view = CpView::new(true);
        view.show(&event(
            7,
            EventKind::Queued {
                source: "/a/b.txt".into(),
                destination: "/c/b.txt".into(),
                source_site: None,
                destination_site: None,
                source_path: b"/a/b.txt".to_vec(),
                destination_path: b"/c/b.txt".to_vec(),
                kind: transfer::Kind::Copy,
                parent: None,
                recursive: false,
            },
        ));
        assert!(view.files.is_empty());
        assert_eq!(view.running(), [7]);
        view.show(&event(
            7,
            EventKind::Started {
                mode: Mode::Relay,
                total: Some(10),
                offset: 0,
            },
        ));
        assert_eq!(view.files[&7].name, "/a/b.txt");
        assert!(view.waiting.is_empty());
    }
}
