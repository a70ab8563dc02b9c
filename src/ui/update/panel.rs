//! The transfers panel: its keys and which of its rows are shown.

use super::*;

/// Keys of the transfers panel; `false` lets the key fall through.
pub(super) fn transfers_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) -> bool {
    let page = areas(state.size.0, state.size.1)
        .transfer_rows
        .height
        .max(1) as usize;
    let t = &mut state.transfers;
    let last = t.jobs.len().saturating_sub(1);
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => t.selected = t.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => t.selected = (t.selected + 1).min(last),
        KeyCode::PageUp => t.selected = t.selected.saturating_sub(page),
        KeyCode::PageDown => t.selected = (t.selected + page).min(last),
        KeyCode::Home | KeyCode::Char('g') => t.selected = 0,
        KeyCode::End | KeyCode::Char('G') => t.selected = last,
        KeyCode::Char('D') => {
            if let Some(job) = t.jobs.get(t.selected).filter(|j| !j.state.is_over()) {
                fx.push(Effect::CancelDiscard(job.id));
                state.status = format!("cancelling {} and deleting what it wrote", job.name);
            }
        }
        KeyCode::Char('c') | KeyCode::Delete => {
            if let Some(job) = t.jobs.get(t.selected).filter(|j| !j.state.is_over()) {
                fx.push(Effect::Cancel(job.id));
                state.status = format!("cancelling {}", job.name);
            }
        }
        KeyCode::Char('r') => {
            if let Some(job) = t
                .jobs
                .get(t.selected)
                .filter(|j| matches!(j.state, JobState::Failed(_) | JobState::Cancelled))
            {
                fx.push(Effect::Retry(job.id));
                state.status = format!("retrying {}", job.name);
            }
        }
        // Priority: a waiting row moves past its waiting neighbour.
        KeyCode::Char('K') | KeyCode::Char('J') => {
            let up = key.code == KeyCode::Char('K');
            let at = t.selected;
            if t.jobs.get(at).is_some_and(|j| j.state == JobState::Queued) {
                let neighbour = if up {
                    (0..at).rev().find(|&i| t.jobs[i].state == JobState::Queued)
                } else {
                    (at + 1..t.jobs.len()).find(|&i| t.jobs[i].state == JobState::Queued)
                };
                if let Some(other) = neighbour {
                    fx.push(Effect::Nudge {
                        job: t.jobs[at].id,
                        up,
                    });
                    t.jobs.swap(at, other);
                    t.selected = other;
                }
            }
        }
        KeyCode::Char('p') => {
            if let Some(job) = t
                .jobs
                .get_mut(t.selected)
                .filter(|j| j.state == JobState::Queued)
            {
                job.paused = !job.paused;
                fx.push(Effect::Pause {
                    job: job.id,
                    paused: job.paused,
                });
                state.status = format!(
                    "{} {}",
                    job.name,
                    if job.paused {
                        "held back (p lets it go)"
                    } else {
                        "back in line"
                    }
                );
            }
        }
        KeyCode::Char('P') => {
            t.paused = !t.paused;
            fx.push(Effect::PauseAll(t.paused));
            state.status = if t.paused {
                "queue paused: running transfers go on, nothing new starts (P resumes)".into()
            } else {
                "queue resumed".into()
            };
        }
        KeyCode::Char('x') => {
            t.jobs.retain(|j| !j.state.is_over());
            t.selected = 0;
            t.scroll = 0;
        }
        KeyCode::Enter => {
            // The whole story of one transfer: a row has room for little of
            // a server's reply.
            if let Some(job) = t.jobs.get(t.selected) {
                let mut text = format!(
                    "{} → {} ({})\n",
                    job.name, job.destination_name, job.direction
                );
                if let Some(mode) = job.mode {
                    text.push_str(&format!("mode: {mode}\n"));
                }
                text.push_str(&format!(
                    "bytes: {} of {}\n",
                    job.done,
                    job.total.map_or("?".into(), |t| t.to_string())
                ));
                let state_text = match &job.state {
                    JobState::Queued => "queued".to_string(),
                    JobState::Running => "running".to_string(),
                    JobState::Verified => match &job.note {
                        Some(n) => format!("verified, {n}"),
                        None => "verified by size".to_string(),
                    },
                    JobState::Failed(reason) => format!("failed: {reason}"),
                    JobState::Cancelled => "cancelled".to_string(),
                    JobState::Skipped(reason) => format!("skipped: {reason}"),
                    JobState::Walked(text) => text.to_string(),
                };
                text.push_str(&format!("state: {state_text}\n"));
                if let Some(story) = &job.story {
                    text.push_str(&format!("what happened: {story}\n"));
                }
                if let Some(note) = &job.note {
                    text.push_str(&format!("note: {note}\n"));
                }
                state.dialog = Some(Dialog::message("Transfer", text));
            }
        }
        KeyCode::Esc | KeyCode::Tab | KeyCode::F(9) => state.focus = Focus::Pane(state.last_pane),
        _ => return false,
    }
    true
}

/// The first transfer row shown. With the keyboard the panel scrolls as
/// its selection moves; without it, it follows the work: from the first
/// running row (else the first queued one, else the newest rows), so new
/// and running transfers are never below the panel's edge.
pub(crate) fn transfers_scroll(state: &State, a: &layout::Areas) -> usize {
    let t = &state.transfers;
    let last_page = t.jobs.len().saturating_sub(a.transfer_rows.height as usize);
    if state.focus == Focus::Transfers {
        return t.scroll.min(last_page);
    }
    t.jobs
        .iter()
        .position(|j| j.state == JobState::Running)
        .or_else(|| t.jobs.iter().position(|j| j.state == JobState::Queued))
        .unwrap_or(last_page)
        .min(last_page)
}

/// Keeps the selected transfer row inside the panel while it has the keys.
pub(super) fn keep_transfer_selection_visible(state: &mut State) {
    let h = areas(state.size.0, state.size.1)
        .transfer_rows
        .height
        .max(1) as usize;
    let t = &mut state.transfers;
    t.selected = t.selected.min(t.jobs.len().saturating_sub(1));
    if t.selected < t.scroll {
        t.scroll = t.selected;
    } else if t.selected >= t.scroll + h {
        t.scroll = t.selected + 1 - h;
    }
}

/// F9: the panel takes the keyboard where it was showing, with the
/// selection on a row in view (the first running one if any).
pub(super) fn focus_transfers(state: &mut State) {
    let a = areas(state.size.0, state.size.1);
    let shown = transfers_scroll(state, &a);
    let h = a.transfer_rows.height.max(1) as usize;
    state.focus = Focus::Transfers;
    let t = &mut state.transfers;
    t.scroll = shown;
    if t.selected < shown || t.selected >= shown + h {
        t.selected = shown;
    }
}
