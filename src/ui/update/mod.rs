//! `update(state, action) -> effects`: every key, click, network result and
//! engine event goes through here. Pure: no I/O, no clock but the one the
//! action carries, so every behaviour is a unit test away. This file holds
//! the actions, the effects and the pane keys; beside it: `commands.rs`
//! (the keymap's commands), `dialogs.rs` (what a dialog's answer does),
//! `panel.rs` (the transfers panel), `engine.rs` (engine events),
//! `mouse.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::dialog::{self, Button, Dialog, InputPurpose, TransferDialog};
use super::keymap::{self, Command};
use super::layout::{self, areas};
use super::pane::{self, Pane, Place};
use super::state::{Drag, Focus, Item, JobRow, JobState, Side, State};
use crate::ftp::{Entry, EntryKind};
use crate::sites::SiteEntry;
use crate::transfer::is_plain_name;
use crate::transfer::{
    Conflict, Event, EventKind, FtpSite, JobId, JobSpec, Kind, Location, Site, Via,
};

const DOUBLE_CLICK: Duration = Duration::from_millis(400);
const WHEEL_STEP: isize = 3;
const SPARKLINE_POINTS: usize = 60;

pub enum Action {
    Key(KeyEvent),
    Mouse {
        event: MouseEvent,
        at: Instant,
    },
    Resize(u16, u16),
    /// Open a site or directory in a pane (the command line's or the last
    /// session's, at start).
    Open {
        side: Side,
        target: String,
    },
    Listed {
        side: Side,
        path: Vec<u8>,
        result: Result<Vec<Entry>, String>,
    },
    Connected {
        side: Side,
        attempt: u64,
        place: Place,
        site: Option<Arc<FtpSite>>,
        cwd: Vec<u8>,
        rfc438: bool,
        /// TLS on the control connection, and on data connections.
        protection: (bool, bool),
        /// Why a site that takes TLS when offered is in the clear.
        clear_because: Option<String>,
    },
    /// The server's certificate was refused: the person may trust it.
    CertificateRefused {
        side: Side,
        attempt: u64,
        target: String,
        site: String,
        reason: String,
        fingerprint: String,
    },
    ConnectFailed {
        side: Side,
        attempt: u64,
        error: String,
    },
    NeedPassword {
        side: Side,
        attempt: u64,
        url: String,
    },
    Engine(Event),
    OpDone {
        side: Side,
        result: Result<String, String>,
    },
    /// Something worth a line in the status bar (a reconnect, say).
    Notice(String),
    /// config.toml's sites after a change.
    Sites(Vec<SiteEntry>),
    /// At start: what an earlier run left unfinished (one line each).
    Unfinished(Vec<String>),
    /// A resume found sites whose password no source has: ask each once.
    QueueNeedsPasswords(Vec<String>),
    /// The first bytes of a file the viewer asked for.
    Peeked {
        name: String,
        result: Result<Vec<u8>, String>,
    },
}

#[derive(Debug)]
pub enum Effect {
    Connect {
        side: Side,
        target: String,
        password: Option<crate::ftp::Secret>,
        attempt: u64,
    },
    /// Stop waiting for a pane's connect: whatever it brings is dropped.
    CancelConnect {
        side: Side,
    },
    List {
        side: Side,
        path: Vec<u8>,
    },
    Submit(JobSpec),
    Cancel(JobId),
    /// Cancel and delete the partial file the job created.
    CancelDiscard(JobId),
    Retry(JobId),
    /// Move a waiting file one place earlier (`up`) or later in line.
    Nudge {
        job: JobId,
        up: bool,
    },
    /// Hold a waiting file back, or let it go.
    Pause {
        job: JobId,
        paused: bool,
    },
    /// Hold back every waiting file, or let them go.
    PauseAll(bool),
    /// Run what an earlier run left unfinished (from the journal).
    ResumeUnfinished,
    /// Save the sites of another tool's file (`sites::import`).
    ImportSites(String),
    /// A password for a resume's site (`None`: the user would not give
    /// one, and that site's items stay in the queue).
    QueuePassword {
        site: String,
        password: Option<crate::ftp::Secret>,
    },
    /// Forget what an earlier run left unfinished.
    DiscardUnfinished,
    /// The answer to a job's question about an existing destination.
    Answer(JobId, Conflict),
    /// Write a site into config.toml (replacing `replaces`, a rename's old
    /// name, and any site of the same name).
    SaveSite {
        site: Box<SiteEntry>,
        replaces: Option<String>,
    },
    DeleteSite(String),
    /// Save a certificate's fingerprint as trusted for the site `target`
    /// names (a saved site's name, or a URL: a site is made for it).
    TrustCertificate {
        target: String,
        fingerprint: String,
    },
    /// Fetch the first bytes of a file for the viewer.
    Peek {
        side: Side,
        path: Vec<u8>,
        name: String,
    },
    Mkdir {
        side: Side,
        path: Vec<u8>,
    },
    Delete {
        side: Side,
        paths: Vec<(Vec<u8>, bool)>,
    },
    Rename {
        side: Side,
        from: Vec<u8>,
        to: Vec<u8>,
        /// Confirmed onto an existing name; without it the site is asked
        /// first whether `to` exists.
        overwrite: bool,
    },
    Quit,
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key, &mut fx),
        Action::Key(_) => {}
        Action::Mouse { event, at } => on_mouse(state, event, at, &mut fx),
        Action::Resize(w, h) => state.size = (w, h),
        Action::Listed { side, path, result } => on_listed(state, side, path, result),
        Action::Open { side, target } => dial(state, side, target, None, false, &mut fx),
        Action::Connected { side, attempt, .. } | Action::ConnectFailed { side, attempt, .. }
            if !state.awaits(side, attempt) => {}
        Action::NeedPassword { side, attempt, .. }
        | Action::CertificateRefused { side, attempt, .. }
            if !state.awaits(side, attempt) => {}
        Action::CertificateRefused {
            side,
            target,
            site,
            reason,
            fingerprint,
            ..
        } => {
            if let Some(t) = &mut state.targets[side.index()] {
                t.connecting = false;
            }
            let pane = state.pane_mut(side);
            pane.loading = false;
            pane.error = Some(format!(
                "{site}: certificate not trusted ({reason}); Ctrl-R asks again"
            ));
            let text = format!(
                "{} pane: {site}'s certificate is not trusted: {reason}",
                side.name()
            );
            state.pane_status(side, text);
            if state.dialog.is_none() {
                state.dialog = Some(Dialog::Trust(dialog::TrustQuestion {
                    side,
                    target,
                    site,
                    reason,
                    fingerprint,
                }));
            }
        }
        Action::Connected {
            side,
            place,
            site,
            cwd,
            rfc438,
            protection,
            clear_because,
            ..
        } => {
            state.protection[side.index()] = protection;
            state.clear_because[side.index()] = clear_because;
            if let Some(t) = &mut state.targets[side.index()] {
                t.connecting = false;
                t.connected = true;
                if t.remember {
                    let shown = t.shown.clone();
                    state.history.retain(|h| *h != shown);
                    state.history.insert(0, shown);
                    state.history.truncate(20);
                }
            }
            state.pane_works(side);
            let mut pane = Pane::new(place, cwd.clone());
            pane.loading = true;
            *state.pane_mut(side) = pane;
            state.sites[side.index()] = site;
            state.rfc438[side.index()] = rfc438;
            fx.push(Effect::List { side, path: cwd });
        }
        Action::ConnectFailed { side, error, .. } => {
            if let Some(t) = &mut state.targets[side.index()] {
                t.connecting = false;
            }
            state.pane_mut(side).loading = false;
            state.pane_mut(side).error = Some(format!("{error} (Ctrl-R tries again)"));
            message(state, "Cannot connect", error);
            let status = state.status.clone();
            state.pane_status(side, status);
        }
        Action::NeedPassword { side, url, .. } => {
            // Stays "connecting" (the header says what it dials) until the
            // question is answered; each pane gets its own question.
            state.pending_passwords.retain(|p| p.side != side);
            state
                .pending_passwords
                .push_back(super::state::PasswordAsk { side, url });
        }
        Action::Engine(event) => on_engine(state, event, &mut fx),
        Action::OpDone { side, result } => {
            match result {
                Ok(text) => {
                    state.pane_works(side);
                    state.status = text;
                }
                Err(e) => {
                    message(state, "Operation failed", e);
                    let status = state.status.clone();
                    state.pane_status(side, status);
                }
            }
            let path = state.pane(side).cwd.clone();
            fx.push(Effect::List { side, path });
        }
        Action::Notice(text) => state.status = text,
        Action::Sites(sites) => {
            if let Some(Dialog::Sites(d)) = &mut state.dialog {
                d.set_sites(sites.clone());
            }
            state.saved_sites = sites;
        }
        Action::Peeked { name, result } => show_peek(state, &name, result),
        Action::Unfinished(items) if !items.is_empty() => {
            if state.dialog.is_none() {
                state.dialog = Some(Dialog::Unfinished(dialog::Unfinished { items }));
            }
        }
        Action::Unfinished(_) => {}
        Action::QueueNeedsPasswords(sites) => {
            for site in sites {
                if !state.pending_queue_passwords.contains(&site) {
                    state.pending_queue_passwords.push_back(site);
                }
            }
        }
    }
    // A question that came while another dialog (help, a copy dialog …)
    // was open waits in `pending_conflicts`; once that dialog closes, ask
    // it, or its job would wait forever (found by the update tests).
    if state.dialog.is_none() {
        ask_next_conflict(state, &mut fx);
    }
    if state.dialog.is_none() {
        ask_next_password(state);
    }
    if state.dialog.is_none() {
        ask_next_queue_password(state);
    }
    if state.dialog.is_none()
        && let Some(question) = state.pending_unfinished.take()
    {
        state.dialog = Some(Dialog::Unfinished(question));
    }
    if let Focus::Pane(side) = state.focus {
        state.last_pane = side;
    }
    keep_cursors_visible(state);
    if state.focus == Focus::Transfers {
        keep_transfer_selection_visible(state);
    }
    fx
}

/// Starts connecting a pane; `remember` puts the target into the history
/// once it worked (never before: a failed or mistyped URL is no history).
fn dial(
    state: &mut State,
    side: Side,
    text: String,
    password: Option<crate::ftp::Secret>,
    remember: bool,
    fx: &mut Vec<Effect>,
) {
    state.next_attempt += 1;
    let attempt = state.next_attempt;
    state.targets[side.index()] = Some(super::state::Target {
        shown: crate::sites::credentials::without_password(&text),
        text: text.clone(),
        attempt,
        connecting: true,
        connected: false,
        remember,
    });
    let pane = state.pane_mut(side);
    pane.loading = true;
    pane.error = None;
    fx.push(Effect::Connect {
        side,
        target: text,
        password,
        attempt,
    });
}

/// Esc while a pane dials: it stops waiting, and says so.
fn cancel_dial(state: &mut State, side: Side, fx: &mut Vec<Effect>) -> bool {
    let Some(t) = state.targets[side.index()]
        .as_mut()
        .filter(|t| t.connecting)
    else {
        return false;
    };
    t.connecting = false;
    let shown = t.shown.clone();
    state.pending_passwords.retain(|p| p.side != side);
    let pane = state.pane_mut(side);
    pane.loading = false;
    if matches!(pane.place, Place::Nowhere) {
        pane.error = Some(format!("not connected to {shown} (Ctrl-R tries again)"));
    }
    state.status = format!("{} pane: stopped connecting to {shown}", side.name());
    fx.push(Effect::CancelConnect { side });
    true
}

fn ask_next_password(state: &mut State) {
    let Some(ask) = state.pending_passwords.pop_front() else {
        return;
    };
    let mut d = dialog::Input::new(
        InputPurpose::Password(ask.side),
        &format!("Password for {} ({} pane)", ask.url, ask.side.name()),
        "",
    );
    d.masked = true;
    d.context = ask.url;
    state.dialog = Some(Dialog::Input(d));
}

/// The resume's passwords, after the panes' own: one site at a time.
fn ask_next_queue_password(state: &mut State) {
    let Some(site) = state.pending_queue_passwords.front().cloned() else {
        return;
    };
    let mut d = dialog::Input::new(
        InputPurpose::QueuePassword,
        &format!("Password for {site} (unfinished transfers)"),
        "",
    );
    d.masked = true;
    d.context = site;
    state.dialog = Some(Dialog::Input(d));
}

fn message(state: &mut State, title: &str, text: String) {
    // One line: a newline in the status bar showed as `?` (found reviewing
    // the snapshots).
    let flat: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    state.status = format!("{title}: {}", flat.join(" "));
    // Never over another dialog: a question (a conflict, a password) it
    // replaced was never answered, and its job or pane waited forever.
    if state.dialog.is_none() {
        state.dialog = Some(Dialog::message(title, text));
    }
}

fn keep_cursors_visible(state: &mut State) {
    let a = areas(state.size.0, state.size.1);
    for side in [Side::Left, Side::Right] {
        let h = a.rows[side.index()].height as usize;
        state.pane_mut(side).scroll_into_view(h);
    }
    if !state.transfers.jobs.is_empty() {
        state.transfers.selected = state.transfers.selected.min(state.transfers.jobs.len() - 1);
    }
}

fn on_listed(state: &mut State, side: Side, path: Vec<u8>, result: Result<Vec<Entry>, String>) {
    let pane = state.pane_mut(side);
    pane.loading = false;
    match result {
        Ok(entries) => {
            let came_from = (pane.cwd != path && pane::parent(&pane.cwd) == path).then(|| {
                pane.cwd
                    .rsplit(|&b| b == b'/')
                    .next()
                    .unwrap_or_default()
                    .to_vec()
            });
            if pane.cwd != path {
                pane.selected.clear();
                pane.filter.clear();
                pane.filtering = false;
                pane.cursor = 0;
                pane.scroll = 0;
            }
            pane.cwd = path;
            pane.error = None;
            pane.set_entries(entries);
            if let Some(name) = came_from.or_else(|| pane.land_on.take()) {
                pane.cursor_to(&name);
            }
            state.pane_works(side);
        }
        Err(e) => {
            pane.error = Some(e.clone());
            let text = format!("{} pane: {e}", side.name());
            state.pane_status(side, text);
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if state.dialog.is_some() {
        dialog_key(state, key, fx);
        return;
    }
    // mc's Ctrl-X d: compare the panes.
    if std::mem::take(&mut state.ctrl_x) {
        if key.code == KeyCode::Char('d') {
            run_command(state, Command::Compare, fx);
        }
        return;
    }
    if key.code == KeyCode::Char('x') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.ctrl_x = true;
        state.status = "Ctrl-X: d compares the panes".into();
        return;
    }
    let side = state.active_side();
    if state.focus != Focus::Transfers && state.pane(side).filtering {
        filter_key(state.pane_mut(side), key);
        return;
    }
    if state.focus == Focus::Transfers {
        if transfers_key(state, key, fx) {
            return;
        }
        // The file panes are hidden behind the panel's focus: a key that
        // moves or selects there would change what the next F5 copies
        // without the person seeing it (F9, G, c then F5 copied another
        // file).
        match keymap::command_for(&key) {
            Some(
                command @ (Command::Help
                | Command::Quit
                | Command::Connect
                | Command::Reload
                | Command::Copy
                | Command::Move
                | Command::Append
                | Command::Transfers),
            ) => run_command(state, command, fx),
            Some(_) => {
                state.status =
                    "the transfers panel has the keyboard: Esc, Tab or F9 goes back to the files"
                        .into()
            }
            None => {}
        }
        return;
    }
    if key.code == KeyCode::F(6) && key.modifiers.contains(KeyModifiers::SHIFT) {
        open_rename(state, side);
        return;
    }
    if key.code == KeyCode::Esc {
        if cancel_dial(state, side, fx) {
            return;
        }
        let pane = state.pane_mut(side);
        if !pane.filter.is_empty() {
            clear_filter(pane);
        }
        return;
    }
    if let Some(command) = keymap::command_for(&key) {
        run_command(state, command, fx);
    }
}

/// Drops the filter. The cursor stays on the entry it was on: the cursor is
/// a row index, and without this it would land on whatever entry the
/// unfiltered list has at that row (found by the update tests).
fn clear_filter(pane: &mut Pane) {
    let keep = pane.cursor_entry().map(|e| e.raw_name().to_vec());
    pane.filter.clear();
    pane.refilter();
    if let Some(name) = keep {
        pane.cursor_to(&name);
    }
}

fn filter_key(pane: &mut Pane, key: KeyEvent) {
    match key.code {
        KeyCode::Enter => {
            pane.filtering = false;
            pane.cursor_to_first_entry();
        }
        KeyCode::Esc => {
            pane.filtering = false;
            clear_filter(pane);
        }
        KeyCode::Backspace => {
            pane.filter.pop();
            pane.refilter();
            pane.cursor_to_first_entry();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            pane.filter.push(c);
            pane.refilter();
            pane.cursor_to_first_entry();
        }
        KeyCode::Up => pane.move_cursor(-1),
        KeyCode::Down => pane.move_cursor(1),
        _ => {}
    }
}

mod commands;
mod dialogs;
mod engine;
mod mouse;
mod panel;

pub(crate) use commands::jobs_for;
use commands::*;
use dialogs::*;
use engine::*;
use mouse::*;
pub(crate) use panel::transfers_scroll;
use panel::*;

#[cfg(test)]
mod tests;
