//! The engine's events: rows of the transfers panel, and its questions.

use super::*;
use crate::text::{human_bytes, printable};

pub(super) fn on_engine(state: &mut State, event: Event, fx: &mut Vec<Effect>) {
    let id = event.job;
    if let EventKind::Queued {
        source_site,
        destination_site,
        source_path,
        destination_path,
        kind,
        parent,
        recursive,
        ..
    } = &event.kind
    {
        // The last component of the raw path, not of the text shown for
        // it (a site's address, escapes).
        let short = |path: &[u8]| -> Arc<str> {
            let trimmed = match path.iter().rposition(|&b| b != b'/') {
                Some(end) => &path[..=end],
                // The root, or the login directory.
                None if path.is_empty() => return ".".into(),
                None => return "/".into(),
            };
            let name = trimmed.rsplit(|&b| b == b'/').next().unwrap_or(trimmed);
            String::from_utf8_lossy(name).into()
        };
        let direction =
            state
                .transfers
                .shared_direction(direction_of(state, source_site, destination_site));
        let (name, destination_name) = (short(source_path), short(destination_path));
        let destination_name = if destination_name == name {
            name.clone()
        } else {
            destination_name
        };
        let protected = protected_between(state, source_site, destination_site);
        state.transfers.add(JobRow {
            id,
            name,
            destination_name,
            direction,
            kind: *kind,
            mode: None,
            done: 0,
            total: None,
            state: JobState::Queued,
            progress: None,
            note: None,
            parent: *parent,
            protected,
            paused: false,
            story: None,
            fallback: None,
            tree: *recursive,
        });
        return;
    }
    let Some(job) = state.transfers.row_mut(id) else {
        return;
    };
    let was_over = job.state.is_over();
    let walked = matches!(event.kind, EventKind::Walked { .. });
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
            let resumed_from = (offset > 0).then_some(offset);
            job.progress_mut().resumed_from = resumed_from;
            job.note = resumed_from.map(|o| format!("resumed from {}", human_bytes(o)).into());
        }
        EventKind::Progress {
            done,
            total,
            rate,
            eta,
            measured,
            elapsed,
        } => {
            job.done = done;
            job.total = total.or(job.total);
            let pace = job.progress_mut();
            pace.elapsed = elapsed.as_secs();
            pace.rate = rate;
            // Rounded up: "0s" while a second is left read as done.
            pace.eta = eta.map(|d| d.as_secs_f64().ceil() as u64);
            pace.measured = measured;
            pace.rates.push_back(rate as u64);
            while pace.rates.len() > SPARKLINE_POINTS {
                pace.rates.pop_front();
            }
        }
        EventKind::ModeChanged { to, reason, .. } => {
            job.mode = Some(to);
            job.fallback = Some(printable(&reason.to_string()).into());
            job.note = job.fallback.clone();
        }
        EventKind::Retrying {
            attempt,
            reason,
            after,
        } => {
            // Said as it happens: a retry that waits names the wait.
            let text = match after {
                Some(wait) => format!(
                    "retrying in {}: {reason} (retry {attempt})",
                    crate::text::human_duration(wait.as_secs_f64().ceil() as u64)
                ),
                None => format!("retry {attempt}: {reason}"),
            };
            job.note = Some(printable(&text).into());
        }
        EventKind::Skipped { path, reason } => {
            // A tree's skip is about a file its walk left out.
            if !job.tree && !job.state.is_over() {
                job.state = JobState::Skipped(reason.to_string().into());
            }
            state.status = format!("skipped {path}: {reason}");
        }
        EventKind::Verified {
            mode,
            size,
            bytes,
            check,
            renamed_to,
            protection,
            source_kept,
            ..
        } => {
            job.story = protection.map(|how| format!("protected: {how}").into());
            job.mode = Some(mode);
            job.done = job.total.unwrap_or(size);
            job.total = Some(job.done);
            job.state = JobState::Verified;
            // Rows of a big tree end up mostly verified: they keep no pace.
            let resumed_from = job.progress().resumed_from;
            job.progress = None;
            // What happened, in the row's words; the size is the ordinary
            // check, a digest is worth saying.
            let mut said = Vec::new();
            // Why it went this way, first (issue 24: say why).
            if let Some(why) = job.fallback.take() {
                let way = match mode {
                    crate::transfer::Mode::Relay => "relay".to_string(),
                    crate::transfer::Mode::Fxp { .. } => "FXP".to_string(),
                    other => other.to_string(),
                };
                said.push(format!("{way}: {why}"));
            }
            if job.kind == Kind::Append {
                said.push(format!("appended {}", human_bytes(bytes)));
            }
            if let Some(name) = renamed_to {
                said.push(format!("renamed to {}", crate::text::printable(&name)));
            }
            if let Some(offset) = resumed_from {
                said.push(format!("resumed from {}", human_bytes(offset)));
            }
            if check != crate::transfer::Check::Size {
                said.push(format!("{check} matches"));
            }
            if let Some(why) = source_kept {
                state.status = format!("{}: {why}", job.name);
                said.push(why.to_string());
            }
            job.note = (!said.is_empty()).then(|| said.join(", ").into());
        }
        EventKind::Failed { reason, replies } => {
            // The row says the cause: the end that answered and its reply
            // (the engine puts the most telling first); Enter tells the rest.
            let mut story = reason.to_string();
            let cause = replies.first().cloned().unwrap_or_else(|| story.clone());
            if !replies.is_empty() {
                story.push_str(&format!("\nreplies: {}", replies.join("; ")));
            }
            state.status = format!("{} failed: {cause}", job.name);
            job.story = Some(story.into());
            job.state = JobState::Failed(cause.into());
        }
        EventKind::Cancelled {
            partial,
            kept_because,
        } => {
            job.state = JobState::Cancelled;
            job.note = match (partial, kept_because) {
                (Some(p), Some(why)) => {
                    Some(format!("{} kept at the destination: {why}", human_bytes(p)).into())
                }
                (Some(p), None) => {
                    Some(format!("{} kept at the destination", human_bytes(p)).into())
                }
                (None, _) => Some("nothing left at the destination".into()),
            };
            state.status = format!(
                "{} cancelled: {}",
                job.name,
                job.note.as_deref().unwrap_or_default()
            );
        }
        EventKind::Writing | EventKind::Sent => {}
        // The pane header says it for the site a pane browses; a copy's
        // other sessions say it in the log.
        EventKind::Unencrypted { site, reason } => {
            tracing::info!(site, reason, "a transfer session is not encrypted");
        }
        EventKind::TimesNotKept { site, reason } => {
            state.status = printable(&format!(
                "{site}: copies keep the time of their copy ({reason})"
            ));
        }
        EventKind::Walked { files, directories } => {
            job.state =
                JobState::Walked(format!("{files} files in {directories} directories").into());
        }
    }
    let Some(row) = state.transfers.row(id) else {
        return;
    };
    let (ended, parent) = (!was_over && row.state.is_over(), row.parent);
    if !ended {
        return;
    }
    state.transfers.ended(id);
    if let Some(tree) = parent {
        settle_tree_row(state, tree);
    }
    if walked {
        // Its files may all have ended before its walk did.
        settle_tree_row(state, id);
    }
    // When the last job ends, show the panes as they are now, and say so
    // in place of "copying …".
    if state.transfers.unfinished == 0 {
        let t = &state.transfers;
        // Files, not the trees they belong to, as the panel's title.
        let (verified, failed) = (t.files_verified, t.files_failed);
        if state.status_of_transfers.take().as_ref() == Some(&state.status) {
            state.status = format!(
                "transfers done: {verified} {} verified, {failed} failed{}",
                if verified == 1 { "file" } else { "files" },
                if failed > 0 { " (F9, Enter: why)" } else { "" }
            );
        }
        for side in [Side::Left, Side::Right] {
            if !matches!(state.pane(side).place, Place::Nowhere) {
                let path = state.pane(side).cwd.clone();
                fx.push(Effect::List { side, path });
            }
        }
    }
}

/// A tree's row follows its files: once the walk is done and every file
/// has ended, it says how they ended (it stayed "walked" or "queued").
fn settle_tree_row(state: &mut State, parent: JobId) {
    let t = &mut state.transfers;
    let Some(files) = t.trees.get(&parent).cloned() else {
        return;
    };
    if files.over < files.files {
        return;
    }
    let Some(row) = t.row_mut(parent) else {
        return;
    };
    if !matches!(row.state, JobState::Walked(_)) {
        return;
    }
    row.done = files.bytes;
    row.total = Some(files.bytes);
    // The tree's way is its files': one way names the row, several are
    // counted in its note ("queued" was no way of copying).
    if let [(mode, _)] = files.ways.as_slice() {
        row.mode = Some(*mode);
    }
    let by_way = match files.ways.as_slice() {
        [] | [_] => String::new(),
        several => format!(
            " ({})",
            several
                .iter()
                .map(|(mode, n)| format!("{n} by {mode}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    row.state = if files.failed > 0 {
        JobState::Failed(
            format!(
                "{} of {} files failed (their rows say why)",
                files.failed, files.files
            )
            .into(),
        )
    } else {
        let noun = if files.verified == 1 { "file" } else { "files" };
        row.note = Some(format!("{} {noun}{by_way}", files.verified).into());
        JobState::Verified
    };
}

/// Whether a job's bytes cross in TLS all the way: each FTP end's pane has
/// its data connections protected (the engine keeps them so: a pair that
/// cannot exchange protected data directly is relayed, never cleared).
fn protected_between(state: &State, source: &Option<String>, destination: &Option<String>) -> bool {
    let ftp_ends: Vec<&String> = [source, destination].into_iter().flatten().collect();
    !ftp_ends.is_empty()
        && ftp_ends.iter().all(|key| {
            [Side::Left, Side::Right].into_iter().any(|side| {
                state.sites[side.index()]
                    .as_ref()
                    .is_some_and(|site| site.key() == **key)
                    && state.protection[side.index()].1
            })
        })
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
