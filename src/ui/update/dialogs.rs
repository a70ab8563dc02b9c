//! What a dialog's outcome does: the dialogs themselves (`ui/dialog/`)
//! only say what the person chose.

use super::*;
use crate::ui::dialog::{
    AppendPicker, ConfirmOverwrite, ConflictQuestion, Input, append_picker, confirm, conflict,
    input, sites, transfer, trust, unfinished,
};

/// Keys of whatever dialog is open: the dialog says what was chosen, and
/// this carries it out.
pub(super) fn dialog_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(dialog) = state.dialog.take() else {
        return;
    };
    let screen = state.size;
    state.dialog = match dialog {
        Dialog::Transfer(mut d) => match d.key(key) {
            transfer::Outcome::Stay => Some(Dialog::Transfer(d)),
            transfer::Outcome::Cancel => None,
            transfer::Outcome::Confirm => {
                // Returns rather than closing: a refusal (appending a
                // directory) leaves its message open, which `None` here
                // used to overwrite (found by the update tests).
                confirm_transfer(state, &d, fx);
                return;
            }
        },
        Dialog::AppendPicker(mut d) => match d.key(key) {
            append_picker::Outcome::Stay => Some(Dialog::AppendPicker(d)),
            append_picker::Outcome::Cancel => None,
            append_picker::Outcome::Pick => {
                pick_append_target(state, d);
                return;
            }
        },
        Dialog::Input(mut d) => match d.key(key) {
            input::Outcome::Stay => Some(Dialog::Input(d)),
            input::Outcome::Cancel => {
                if d.purpose == InputPurpose::QueuePassword {
                    answer_queue_password(state, d.context, None, fx);
                    return;
                }
                if let InputPurpose::Password(side) = d.purpose {
                    if let Some(t) = &mut state.targets[side.index()] {
                        t.connecting = false;
                    }
                    let pane = state.pane_mut(side);
                    pane.loading = false;
                    pane.error = Some(format!(
                        "no password given for {}: Ctrl-R asks again",
                        d.context
                    ));
                }
                None
            }
            input::Outcome::Submit => {
                submit_input(state, d, fx);
                return;
            }
            input::Outcome::SaveUrl => {
                // Ctrl-S: keep this URL as a site named after its host.
                if let Ok(url) = crate::ftp::FtpUrl::parse(d.text().trim()) {
                    fx.push(Effect::SaveSite {
                        site: Box::new(SiteEntry {
                            name: url.host.clone(),
                            url: url.to_string(),
                            ..SiteEntry::default()
                        }),
                        replaces: None,
                    });
                }
                Some(Dialog::Input(d))
            }
        },
        Dialog::ConfirmDelete(d) => match d.key(key) {
            confirm::Outcome::Stay => Some(Dialog::ConfirmDelete(d)),
            confirm::Outcome::No => None,
            confirm::Outcome::Yes => {
                let dir = state.pane(d.side).cwd.clone();
                let paths = d
                    .items
                    .iter()
                    .map(|i| (pane::join(&dir, &i.raw_name), i.is_dir))
                    .collect();
                state.pane_mut(d.side).selected.clear();
                fx.push(Effect::Delete {
                    side: d.side,
                    paths,
                });
                None
            }
        },
        Dialog::ConfirmOverwrite(d) => match d.key(key) {
            confirm::Outcome::Stay => Some(Dialog::ConfirmOverwrite(d)),
            confirm::Outcome::No => None,
            confirm::Outcome::Yes => {
                rename(state, d.side, d.from, d.to, true, fx);
                None
            }
        },
        Dialog::ConfirmQuit(d) => match d.key(key) {
            confirm::Outcome::Stay => Some(Dialog::ConfirmQuit(d)),
            confirm::Outcome::No => None,
            confirm::Outcome::Yes => {
                state.quit = true;
                fx.push(Effect::Quit);
                None
            }
        },
        Dialog::Conflict(mut d) => match d.key(key) {
            conflict::Outcome::Stay => Some(Dialog::Conflict(d)),
            conflict::Outcome::Answer(policy) => {
                answer_conflict(state, d.job, policy, d.for_all, fx);
                return;
            }
        },
        Dialog::Sites(mut d) => {
            let (w, h) = d.size();
            let body = layout::dialog_body(layout::dialog_rect(screen.0, screen.1, w, h));
            match d.key(key, body) {
                sites::Outcome::Stay => Some(Dialog::Sites(d)),
                sites::Outcome::Close => None,
                sites::Outcome::Connect {
                    side,
                    target,
                    typed,
                } => {
                    // A saved site is in the manager already; only a typed
                    // URL earns a place in the history.
                    dial(state, side, target, None, typed, fx);
                    None
                }
                sites::Outcome::Save { site, replaces } => {
                    fx.push(Effect::SaveSite { site, replaces });
                    Some(Dialog::Sites(d))
                }
                sites::Outcome::Delete(name) => {
                    fx.push(Effect::DeleteSite(name));
                    Some(Dialog::Sites(d))
                }
                sites::Outcome::UrlLine => Some(connect_line(state, d.side)),
                sites::Outcome::Import(path) => {
                    state.status =
                        format!("importing the sites of {}", crate::text::printable(&path));
                    fx.push(Effect::ImportSites(path));
                    Some(Dialog::Sites(d))
                }
                sites::Outcome::Problem(problem) => {
                    state.status = problem;
                    Some(Dialog::Sites(d))
                }
            }
        }
        Dialog::View(mut d) => d.key(key, screen).then_some(Dialog::View(d)),
        Dialog::Message(d) => (!dialog::message::closes(&key)).then_some(Dialog::Message(d)),
        Dialog::Help(mut d) => d.key(key, screen).then_some(Dialog::Help(d)),
        Dialog::Unfinished(d) => match d.key(key) {
            unfinished::Outcome::Stay => Some(Dialog::Unfinished(d)),
            unfinished::Outcome::Later => {
                state.status = "unfinished transfers wait: fxpc queue lists them".into();
                None
            }
            unfinished::Outcome::Resume => {
                fx.push(Effect::ResumeUnfinished);
                state.status = format!("resuming {} unfinished transfer(s)", d.items.len());
                None
            }
            unfinished::Outcome::Discard => {
                fx.push(Effect::DiscardUnfinished);
                state.status = format!("forgot {} unfinished transfer(s)", d.items.len());
                None
            }
            unfinished::Outcome::Review => {
                // The list, then the question again when it closes.
                let list = d.items.join("\n");
                state.pending_unfinished = Some(d);
                Some(Dialog::message("Unfinished transfers", list))
            }
        },
        Dialog::Trust(d) => match d.key(key) {
            trust::Outcome::Stay => Some(Dialog::Trust(d)),
            trust::Outcome::Cancel => None,
            trust::Outcome::Trust => {
                // Saved first: the connect that follows reads config.toml.
                fx.push(Effect::TrustCertificate {
                    target: d.target.clone(),
                    fingerprint: d.fingerprint,
                });
                let remember = state.targets[d.side.index()]
                    .as_ref()
                    .is_some_and(|t| t.remember);
                dial(state, d.side, d.target, None, remember, fx);
                None
            }
        },
    };
}

/// Enter in the append picker: the copy dialog, set to append onto the
/// chosen file.
fn pick_append_target(state: &mut State, d: AppendPicker) {
    let target = d.candidates.get(d.cursor).cloned();
    open_transfer(state, d.from, Kind::Append, Some(vec![d.source]));
    if let Some(Dialog::Transfer(t)) = &mut state.dialog {
        t.append_target = target;
    }
}

/// Answers the open conflict question and opens the next one waiting.
pub(super) fn answer_conflict(
    state: &mut State,
    job: JobId,
    policy: Conflict,
    for_all: bool,
    fx: &mut Vec<Effect>,
) {
    fx.push(Effect::Answer(job, policy));
    if for_all {
        state.conflict_for_all = Some(policy);
    }
    ask_next_conflict(state, fx);
}

/// Shows the next waiting conflict question (or answers it, after "for
/// all").
pub(super) fn ask_next_conflict(state: &mut State, fx: &mut Vec<Effect>) {
    while let Some((job, destination, source_size, destination_size)) =
        state.pending_conflicts.pop_front()
    {
        if let Some(policy) = state.conflict_for_all {
            fx.push(Effect::Answer(job, policy));
            continue;
        }
        state.dialog = Some(Dialog::Conflict(ConflictQuestion {
            job,
            destination,
            source_size,
            destination_size,
            for_all: false,
        }));
        break;
    }
}

pub(super) fn confirm_transfer(state: &mut State, d: &TransferDialog, fx: &mut Vec<Effect>) {
    if d.kind == Kind::Append && d.items.iter().any(|i| i.is_dir) {
        message(state, "Append", "directories cannot be appended".into());
        return;
    }
    let jobs = jobs_for(state, d);
    state.conflict_for_all = None;
    let n = jobs.len();
    state.status = format!(
        "{} {n} {}: {}",
        verb(d.kind),
        if n == 1 { "item" } else { "items" },
        d.mode_hint
    );
    let left_out = d.items.len() - jobs.len().min(d.items.len());
    if left_out > 0 {
        state.status.push_str(&format!(
            "; {left_out} left out: their names are not plain file names"
        ));
    }
    state.status_of_transfers = Some(state.status.clone());
    state.pane_mut(d.from).selected.clear();
    fx.extend(jobs.into_iter().map(Effect::Submit));
}

pub(super) fn verb(k: Kind) -> &'static str {
    match k {
        Kind::Copy => "copying",
        Kind::Append => "appending",
        Kind::Move => "moving",
    }
}

pub(super) fn submit_input(state: &mut State, d: Input, fx: &mut Vec<Effect>) {
    let text = d.text().to_string();
    match d.purpose {
        InputPurpose::Mkdir(side) => {
            let name = text.trim_matches('/');
            if name.is_empty() || name.split('/').any(|part| part.is_empty() || part == "..") {
                // Refused here, before any request: nothing to create.
                state.status = if name.is_empty() {
                    "a directory needs a name".into()
                } else {
                    format!("{text:?}: empty or \"..\" parts are not directory names")
                };
                state.dialog = Some(Dialog::Input(d));
                return;
            }
            let path = state.pane(side).child_path(name.as_bytes());
            // The cursor lands on it (or on the first part of a/b/c).
            let first = name.split('/').next().unwrap_or(name);
            state.pane_mut(side).land_on = Some(first.as_bytes().to_vec());
            fx.push(Effect::Mkdir { side, path });
        }
        InputPurpose::Rename(side) if !text.is_empty() => {
            let pane = state.pane(side);
            let Some(e) = pane.cursor_entry() else { return };
            if e.raw_name() == text.as_bytes() {
                return;
            }
            let from = pane.child_path(e.raw_name());
            let to = pane.child_path(text.as_bytes());
            let taken = pane
                .entries
                .iter()
                .find(|o| o.raw_name() == text.as_bytes());
            match taken {
                // Shift-F6 onto an existing name replaced it without a word.
                Some(existing) => {
                    state.dialog = Some(Dialog::ConfirmOverwrite(ConfirmOverwrite {
                        side,
                        from,
                        to,
                        name: e.name.to_string(),
                        existing: item_of(existing),
                    }))
                }
                None => rename(state, side, from, to, false, fx),
            }
        }
        InputPurpose::Connect(side) if !text.trim().is_empty() && text.trim() != "ftp://" => {
            dial(state, side, text.trim().to_string(), None, true, fx);
        }
        InputPurpose::Password(side) => {
            let remember = state.targets[side.index()]
                .as_ref()
                .is_some_and(|t| t.remember);
            dial(
                state,
                side,
                d.context,
                Some(crate::ftp::Secret::new(text)),
                remember,
                fx,
            );
        }
        InputPurpose::QueuePassword => {
            let password = crate::ftp::Secret::new(text);
            answer_queue_password(state, d.context, Some(password), fx);
        }
        InputPurpose::SelectPattern(side) => {
            let n = state.pane_mut(side).select_pattern(&text, true);
            state.status = format!(
                "{n} {} {text}",
                if n == 1 { "match for" } else { "matches for" }
            );
        }
        InputPurpose::UnselectPattern(side) => {
            let n = state.pane_mut(side).select_pattern(&text, false);
            state.status = format!(
                "{n} {} {text}",
                if n == 1 { "match for" } else { "matches for" }
            );
        }
        _ => {}
    }
}

fn rename(
    state: &mut State,
    side: Side,
    from: Vec<u8>,
    to: Vec<u8>,
    overwrite: bool,
    fx: &mut Vec<Effect>,
) {
    // After the relisting, the cursor follows the file to its new name.
    let name = to.rsplit(|b| *b == b'/').next().unwrap_or(&to).to_vec();
    state.pane_mut(side).land_on = Some(name);
    fx.push(Effect::Rename {
        side,
        from,
        to,
        overwrite,
    });
}

/// Clicks inside dialogs: the same choices as their keys.
pub(super) fn dialog_click(
    state: &mut State,
    col: u16,
    row: u16,
    at: Instant,
    fx: &mut Vec<Effect>,
) {
    let Some(button) = state.dialog.as_ref().and_then(|d| {
        d.buttons(state.size)
            .into_iter()
            .find(|(r, _)| layout::contains(*r, col, row))
            .map(|(_, b)| b)
    }) else {
        return;
    };
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    match (button, &mut state.dialog) {
        (Button::Ok, Some(Dialog::Transfer(d))) => {
            d.row = transfer::Row::Ok;
            dialog_key(state, key(KeyCode::Enter), fx)
        }
        (Button::Ok, _) => dialog_key(state, key(KeyCode::Enter), fx),
        (Button::Cancel, _) => dialog_key(state, key(KeyCode::Esc), fx),
        (Button::Kind(k), Some(Dialog::Transfer(d))) => {
            d.kind = k;
            d.row = transfer::Row::Kind;
        }
        (Button::Conflict(c), Some(Dialog::Transfer(d))) => {
            d.conflict = c;
            d.row = transfer::Row::Conflict;
        }
        (Button::Answer(policy), Some(Dialog::Conflict(d))) => {
            let (job, for_all) = (d.job, d.for_all);
            state.dialog = None;
            answer_conflict(state, job, policy, for_all, fx)
        }
        (Button::Answer(_), Some(Dialog::ConfirmOverwrite(_))) => {
            dialog_key(state, key(KeyCode::Char('o')), fx)
        }
        (Button::Answer(_), Some(Dialog::Trust(_))) => {
            dialog_key(state, key(KeyCode::Char('t')), fx)
        }
        (Button::ForAll, Some(Dialog::Conflict(d))) => d.for_all = !d.for_all,
        (Button::Pick(i), Some(Dialog::Sites(d))) => {
            d.select_row(i);
            let double = state.last_click.is_some_and(|(t, c, r)| {
                at.duration_since(t) < DOUBLE_CLICK && c == col && r == row
            });
            state.last_click = Some((at, col, row));
            if double {
                state.last_click = None;
                dialog_key(state, key(KeyCode::Enter), fx);
            }
        }
        (Button::Pick(i), Some(Dialog::AppendPicker(d))) => {
            d.cursor = i;
            dialog_key(state, key(KeyCode::Enter), fx);
        }
        _ => {}
    }
}

/// One site's answer; after the last, the resume runs again with them.
fn answer_queue_password(
    state: &mut State,
    site: String,
    password: Option<crate::ftp::Secret>,
    fx: &mut Vec<Effect>,
) {
    state.pending_queue_passwords.retain(|s| *s != site);
    fx.push(Effect::QueuePassword { site, password });
    if state.pending_queue_passwords.is_empty() {
        fx.push(Effect::ResumeUnfinished);
    }
}
