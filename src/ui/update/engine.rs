//! The engine's events: rows of the transfers panel, and its questions.

use super::*;

pub(super) fn on_engine(state: &mut State, event: Event, fx: &mut Vec<Effect>) {
    let id = event.job;
    if let EventKind::Queued {
        source,
        destination,
        source_site,
        destination_site,
        kind,
        ..
    } = &event.kind
    {
        let short = |s: &str| {
            s.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(s)
                .to_string()
        };
        let direction = direction_of(state, source_site, destination_site);
        state.transfers.jobs.push(JobRow {
            id,
            name: short(source),
            destination_name: short(destination),
            direction,
            kind: *kind,
            mode: None,
            done: 0,
            total: None,
            rate: 0.0,
            eta: None,
            measured: true,
            state: JobState::Queued,
            rates: Default::default(),
            elapsed: 0,
            note: None,
        });
        return;
    }
    let Some(job) = state.transfers.jobs.iter_mut().find(|j| j.id == id) else {
        return;
    };
    match event.kind {
        EventKind::Queued { .. } => {}
        EventKind::Conflict {
            destination,
            source_size,
            destination_size,
        } => {
            job.note = Some("the destination exists: waiting for a choice".into());
            if let Some(policy) = state.conflict_for_all {
                fx.push(Effect::Answer(id, policy));
            } else if state.dialog.is_none() {
                state.dialog = Some(Dialog::Conflict(dialog::ConflictQuestion {
                    job: id,
                    destination,
                    source_size,
                    destination_size,
                    for_all: false,
                }));
            } else {
                state
                    .pending_conflicts
                    .push_back((id, destination, source_size, destination_size));
            }
            return;
        }
        EventKind::Started {
            mode,
            total,
            offset,
        } => {
            job.mode = Some(mode);
            job.total = total;
            job.done = offset;
            job.state = JobState::Running;
        }
        EventKind::Progress {
            done,
            total,
            rate,
            eta,
            measured,
            elapsed,
        } => {
            job.elapsed = elapsed.as_secs();
            job.done = done;
            job.total = total.or(job.total);
            job.rate = rate;
            job.eta = eta.map(|d| d.as_secs());
            job.measured = measured;
            job.rates.push_back(rate as u64);
            while job.rates.len() > SPARKLINE_POINTS {
                job.rates.pop_front();
            }
        }
        EventKind::ModeChanged { to, reason, .. } => {
            job.mode = Some(to);
            job.note = Some(reason);
        }
        EventKind::Retrying {
            attempt, reason, ..
        } => job.note = Some(format!("retry {attempt}: {reason}")),
        EventKind::Skipped { path, reason } => {
            if job.state == JobState::Queued || job.state == JobState::Running {
                job.state = JobState::Skipped(reason.clone());
            }
            state.status = format!("skipped {path}: {reason}");
        }
        EventKind::Verified {
            mode, size, check, ..
        } => {
            job.mode = Some(mode);
            job.done = job.total.unwrap_or(size);
            job.total = Some(job.done);
            job.state = JobState::Verified;
            job.rate = 0.0;
            // The size is the ordinary check; a digest is worth saying.
            job.note = match check {
                crate::transfer::Check::Size => None,
                digest => Some(format!("{digest} matches")),
            };
        }
        EventKind::Failed { reason, replies } => {
            let mut text = reason;
            if !replies.is_empty() {
                text.push_str(&format!(" [{}]", replies.join("; ")));
            }
            state.status = format!("{} failed: {text}", job.name);
            job.state = JobState::Failed(text);
        }
        EventKind::Cancelled { partial } => {
            job.state = JobState::Cancelled;
            job.note = partial.map(|p| {
                format!(
                    "{} kept at the destination",
                    crate::ui::format::human_bytes(p)
                )
            });
        }
        EventKind::Walked { files, directories } => {
            job.state = JobState::Walked(format!("{files} files in {directories} directories"));
        }
    }
    // When the last job ends, show the panes as they are now.
    if state.transfers.running() == 0 {
        for side in [Side::Left, Side::Right] {
            if !matches!(state.pane(side).place, Place::Nowhere) {
                let path = state.pane(side).cwd.clone();
                fx.push(Effect::List { side, path });
            }
        }
    }
}

/// `a→b` when the job goes from the left pane's site to the right one's.
/// Sites are matched by key (`None`: the local disk, in a pane without a site).
pub(super) fn direction_of(
    state: &State,
    source: &Option<String>,
    destination: &Option<String>,
) -> String {
    let side_of = |key: &Option<String>| {
        [Side::Left, Side::Right]
            .into_iter()
            .find(|side| match (&state.sites[side.index()], key) {
                (Some(site), Some(key)) => site.key() == *key,
                (None, None) => true,
                _ => false,
            })
    };
    match (side_of(source), side_of(destination)) {
        (Some(a), Some(b)) if a != b => format!("{}→{}", a.letter(), b.letter()),
        (Some(a), _) => format!("{}→{}", a.letter(), a.other().letter()),
        _ => "→".into(),
    }
}
