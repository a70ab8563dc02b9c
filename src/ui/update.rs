//! `update(state, action) -> effects`: every key, click, network result and
//! engine event goes through here. Pure: no I/O, no clock but the one the
//! action carries, so every behaviour is a unit test away.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::keymap::{self, Command};
use super::layout::{self, areas};
use super::pane::{self, Pane, Place};
use super::state::{
    Dialog, Drag, Focus, InputPurpose, Item, JobRow, JobState, Side, State, TransferDialog,
};
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
    /// The answer to a job's question about an existing destination.
    Answer(JobId, Conflict),
    /// Write a site into config.toml (replacing `replaces`, a rename's old
    /// name, and any site of the same name).
    SaveSite {
        site: SiteEntry,
        replaces: Option<String>,
    },
    DeleteSite(String),
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
        Action::NeedPassword { side, attempt, .. } if !state.awaits(side, attempt) => {}
        Action::Connected {
            side,
            place,
            site,
            cwd,
            rfc438,
            ..
        } => {
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
        }
        Action::NeedPassword { side, attempt, url } => {
            // Stays "connecting" (the header says what it dials) until the
            // question is answered; each pane gets its own question.
            state.pending_passwords.retain(|p| p.side != side);
            state
                .pending_passwords
                .push_back(super::state::PasswordAsk { side, url, attempt });
        }
        Action::Engine(event) => on_engine(state, event, &mut fx),
        Action::OpDone { side, result } => {
            match result {
                Ok(text) => state.status = text,
                Err(e) => message(state, "Operation failed", e),
            }
            let path = state.pane(side).cwd.clone();
            fx.push(Effect::List { side, path });
        }
        Action::Notice(text) => state.status = text,
        Action::Sites(sites) => state.saved_sites = sites,
        Action::Peeked { name, result } => show_peek(state, &name, result),
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
    state.dialog = Some(Dialog::Input {
        purpose: InputPurpose::Password(ask.side),
        title: format!("Password for {} ({} pane)", ask.url, ask.side.name()),
        text: String::new(),
        masked: true,
        history: Vec::new(),
        history_pos: None,
        context: ask.url,
    });
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
        state.dialog = Some(Dialog::Message {
            title: title.to_string(),
            text,
        });
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
            if let Some(name) = came_from {
                pane.cursor_to(&name);
            }
        }
        Err(e) => {
            pane.error = Some(e.clone());
            state.status = format!("{} pane: {e}", side.name());
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if state.dialog.is_some() {
        dialog_key(state, key, fx);
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
    let keep = pane.cursor_entry().map(|e| e.raw_name.clone());
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

/// Keys of the transfers panel; `false` lets the key fall through.
fn transfers_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) -> bool {
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
                    JobState::Walked(text) => text.clone(),
                };
                text.push_str(&format!("state: {state_text}\n"));
                if let Some(note) = &job.note {
                    text.push_str(&format!("note: {note}\n"));
                }
                state.dialog = Some(Dialog::Message {
                    title: "Transfer".into(),
                    text,
                });
            }
        }
        KeyCode::Esc | KeyCode::Tab | KeyCode::F(9) => state.focus = Focus::Pane(state.last_pane),
        _ => return false,
    }
    true
}

fn run_command(state: &mut State, command: Command, fx: &mut Vec<Effect>) {
    let side = state.active_side();
    let page = areas(state.size.0, state.size.1).rows[side.index()]
        .height
        .max(1) as isize;
    match command {
        Command::Up => state.pane_mut(side).move_cursor(-1),
        Command::Down => state.pane_mut(side).move_cursor(1),
        Command::PageUp => state.pane_mut(side).move_cursor(-page),
        Command::PageDown => state.pane_mut(side).move_cursor(page),
        Command::Home => state.pane_mut(side).cursor = 0,
        Command::End => {
            let p = state.pane_mut(side);
            p.cursor = p.row_count().saturating_sub(1);
        }
        Command::Open => open(state, side, fx),
        Command::Parent => go_parent(state, side, fx),
        Command::OtherPane => state.focus = Focus::Pane(side.other()),
        Command::Select => {
            let p = state.pane_mut(side);
            p.toggle_selection_at_cursor();
            p.move_cursor(1);
        }
        Command::SelectPattern | Command::UnselectPattern => {
            let select = command == Command::SelectPattern;
            state.dialog = Some(input(
                if select {
                    InputPurpose::SelectPattern(side)
                } else {
                    InputPurpose::UnselectPattern(side)
                },
                if select {
                    "Select files matching"
                } else {
                    "Unselect files matching"
                },
                "*",
            ));
        }
        Command::InvertSelection => state.pane_mut(side).invert_selection(),
        Command::Copy => open_transfer(state, side, Kind::Copy, None),
        Command::Move => open_transfer(state, side, Kind::Move, None),
        Command::Append => open_append_picker(state, side),
        Command::Mkdir => {
            state.dialog = Some(input(InputPurpose::Mkdir(side), "Make directory", ""))
        }
        Command::Delete => {
            let items = items_of(state.pane(side));
            if !items.is_empty() {
                state.dialog = Some(Dialog::ConfirmDelete { side, items });
            }
        }
        Command::Connect => {
            let mut d = input(
                InputPurpose::Connect(side),
                &format!(
                    "Connect the {} pane (ftp://user@host:port/path or local)",
                    side.name()
                ),
                "ftp://",
            );
            if let Dialog::Input { history, .. } = &mut d {
                // Up and Down walk the saved sites, then recent URLs.
                *history = state
                    .saved_sites
                    .iter()
                    .map(|site| site.name.clone())
                    .collect();
                history.extend(state.history.iter().cloned());
            }
            state.dialog = Some(d);
        }
        Command::View => view(state, side, fx),
        Command::Transfers => focus_transfers(state),
        Command::Reload => reload(state, side, fx),
        Command::Filter => state.pane_mut(side).filtering = true,
        Command::SortName => state.pane_mut(side).set_sort(pane::SortKey::Name),
        Command::SortSize => state.pane_mut(side).set_sort(pane::SortKey::Size),
        Command::SortTime => state.pane_mut(side).set_sort(pane::SortKey::Time),
        Command::Help => state.dialog = Some(Dialog::Help { scroll: 0 }),
        Command::Quit => {
            if state.transfers.running() > 0 {
                state.dialog = Some(Dialog::ConfirmQuit);
            } else {
                state.quit = true;
                fx.push(Effect::Quit);
            }
        }
    }
}

fn input(purpose: InputPurpose, title: &str, text: &str) -> Dialog {
    Dialog::Input {
        purpose,
        title: title.to_string(),
        text: text.to_string(),
        masked: false,
        history: Vec::new(),
        history_pos: None,
        context: String::new(),
    }
}

fn reload(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    // The last connect failed (or its password question went unanswered):
    // dial it again. Ctrl-R did nothing for a pane left "not connected".
    if let Some(t) = state.targets[side.index()]
        .as_ref()
        .filter(|t| !t.connecting && !t.connected)
    {
        let (text, remember) = (t.text.clone(), t.remember);
        dial(state, side, text, None, remember, fx);
        return;
    }
    if matches!(state.pane(side).place, Place::Nowhere) {
        return;
    }
    state.pane_mut(side).loading = true;
    let path = state.pane(side).cwd.clone();
    fx.push(Effect::List { side, path });
}

fn open(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    let pane = state.pane(side);
    match pane.row(pane.cursor) {
        Some(pane::Row::Parent) => go_parent(state, side, fx),
        Some(pane::Row::Entry(e)) if Pane::is_openable(e) => {
            let path = pane.child_path(&e.raw_name);
            state.pane_mut(side).loading = true;
            fx.push(Effect::List { side, path });
        }
        Some(pane::Row::Entry(_)) => view(state, side, fx),
        None => {}
    }
}

fn go_parent(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    if state.pane(side).has_parent() {
        let path = state.pane(side).parent_path();
        state.pane_mut(side).loading = true;
        fx.push(Effect::List { side, path });
    }
}

/// The viewer's first page: the entry's details at once, its content
/// when the bytes arrive (`Action::Peeked`).
fn view(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    if let Some(e) = state.pane(side).cursor_entry() {
        if matches!(e.kind, EntryKind::File | EntryKind::Link) {
            fx.push(Effect::Peek {
                side,
                path: state.pane(side).child_path(&e.raw_name),
                name: e.name.clone(),
            });
        }
        let mut text = format!("{}\n", super::format::printable(&e.name));
        text.push_str(&format!(
            "size: {}\n",
            e.size.map_or("-".into(), |s| format!(
                "{s} bytes ({})",
                super::format::human_bytes(s)
            ))
        ));
        text.push_str(&format!(
            "modified: {}\n",
            e.modified
                .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        ));
        if let Some(p) = &e.perm {
            text.push_str(&format!("permissions: {p}\n"));
        }
        if let Some(t) = &e.link_target {
            text.push_str(&format!("link to: {}\n", super::format::printable(t)));
        }
        if let Some(raw) = &e.raw {
            text.push_str(&format!(
                "unparsed listing line: {}\n",
                super::format::printable(raw)
            ));
        }
        state.dialog = Some(Dialog::Message {
            title: "Entry".into(),
            text,
        });
    }
}

/// Turns the open details of `name` into the viewer with its content.
fn show_peek(state: &mut State, name: &str, result: Result<Vec<u8>, String>) {
    let Some(Dialog::Message { title, text }) = &state.dialog else {
        return;
    };
    if title != "Entry" || text.lines().next() != Some(super::format::printable(name).as_str()) {
        return;
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.push(String::new());
    match result {
        Ok(bytes) => lines.extend(super::format::preview_lines(&bytes)),
        Err(e) => lines.push(format!("cannot read it: {}", super::format::printable(&e))),
    }
    state.dialog = Some(Dialog::View {
        title: super::format::printable(name),
        lines,
        scroll: 0,
    });
}

fn item_of(e: &Entry) -> Item {
    Item {
        raw_name: e.raw_name.clone(),
        name: e.name.clone(),
        is_dir: e.is_dir(),
        size: e.size,
    }
}

fn items_of(pane: &Pane) -> Vec<Item> {
    pane.targets().into_iter().map(item_of).collect()
}

fn mode_hint(state: &State, from: Side) -> String {
    let to = from.other();
    match (&state.sites[from.index()], &state.sites[to.index()]) {
        (Some(_), Some(_)) if state.rfc438[0] && state.rfc438[1] => {
            "LSTN/SOCK (server to server)".into()
        }
        (Some(_), Some(_)) => "FXP (PASV on destination, PORT on source); relay if refused".into(),
        (Some(_), None) => "download".into(),
        (None, Some(_)) => "upload".into(),
        (None, None) => "local copy".into(),
    }
}

/// F5, F6, F4 (after the picker) and a drop all reach this one dialog.
fn open_transfer(state: &mut State, from: Side, kind: Kind, items: Option<Vec<Item>>) {
    if matches!(state.pane(from.other()).place, Place::Nowhere) {
        message(
            state,
            "No destination",
            "connect the other pane first (F2)".into(),
        );
        return;
    }
    let items = items.unwrap_or_else(|| items_of(state.pane(from)));
    if items.is_empty() {
        return;
    }
    state.dialog = Some(Dialog::Transfer(TransferDialog {
        kind,
        from,
        items,
        source_dir: state.pane(from).cwd.clone(),
        destination_dir: state.pane(from.other()).cwd.clone(),
        append_target: None,
        conflict: Conflict::Ask,
        mode_hint: mode_hint(state, from),
    }));
}

fn open_append_picker(state: &mut State, from: Side) {
    let Some(source) = state
        .pane(from)
        .cursor_entry()
        .filter(|e| !e.is_dir())
        .map(item_of)
    else {
        state.status = "F4 appends the file under the cursor: put it on a file".into();
        return;
    };
    let other = state.pane(from.other());
    let candidates: Vec<Item> = other
        .visible
        .iter()
        .map(|&i| &other.entries[i])
        .filter(|e| !e.is_dir())
        .map(item_of)
        .collect();
    if candidates.is_empty() {
        message(
            state,
            "Append",
            "the other pane has no file to append to".into(),
        );
        return;
    }
    let cursor = candidates
        .iter()
        .position(|c| c.name == source.name)
        .unwrap_or(0);
    state.dialog = Some(Dialog::AppendPicker {
        from,
        source,
        candidates,
        cursor,
    });
}

fn open_rename(state: &mut State, side: Side) {
    if let Some(e) = state.pane(side).cursor_entry() {
        let name = e.name.clone();
        state.dialog = Some(input(
            InputPurpose::Rename(side),
            &format!("Rename {name} to"),
            &name,
        ));
    }
}

fn location(state: &State, side: Side, path: Vec<u8>) -> Location {
    match &state.sites[side.index()] {
        Some(site) => Location {
            site: Site::Ftp(site.clone()),
            path,
        },
        None => Location {
            site: Site::Local,
            path,
        },
    }
}

/// The jobs a confirmed transfer dialog starts.
/// Entries whose names are not plain names (`..`, `a/b`: a hostile
/// server's listing) are left out: they would name other places.
pub fn jobs_for(state: &State, d: &TransferDialog) -> Vec<JobSpec> {
    let to = d.from.other();
    if d.append_target
        .as_ref()
        .is_some_and(|t| !is_plain_name(&t.raw_name))
    {
        return Vec::new();
    }
    d.items
        .iter()
        .filter(|item| is_plain_name(&item.raw_name))
        .map(|item| {
            let destination = match (&d.append_target, d.kind) {
                (Some(target), Kind::Append) => pane::join(&d.destination_dir, &target.raw_name),
                _ => pane::join(&d.destination_dir, &item.raw_name),
            };
            JobSpec {
                source: location(state, d.from, pane::join(&d.source_dir, &item.raw_name)),
                destination: location(state, to, destination),
                kind: d.kind,
                recursive: item.is_dir,
                conflict: d.conflict,
                via: Via::Auto,
            }
        })
        .collect()
}

/// Keys of whatever dialog is open.
fn dialog_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(dialog) = state.dialog.take() else {
        return;
    };
    let esc = key.code == KeyCode::Esc;
    let enter = key.code == KeyCode::Enter;
    state.dialog = match dialog {
        Dialog::Transfer(mut d) => {
            if esc {
                None
            } else if enter {
                // Returns rather than closing: a refusal (appending a
                // directory) leaves its message open, which `None` here
                // used to overwrite (found by the update tests).
                confirm_transfer(state, &d, fx);
                return;
            } else {
                match key.code {
                    KeyCode::Tab | KeyCode::Right => d.kind = next_kind(d.kind),
                    KeyCode::Left | KeyCode::BackTab => d.kind = next_kind(next_kind(d.kind)),
                    KeyCode::Char(' ') | KeyCode::Char('c') => {
                        d.conflict = next_conflict(d.conflict)
                    }
                    KeyCode::Char('o') => d.conflict = Conflict::Overwrite,
                    KeyCode::Char('r') => d.conflict = Conflict::Resume,
                    KeyCode::Char('a') => d.conflict = Conflict::Append,
                    KeyCode::Char('s') => d.conflict = Conflict::Skip,
                    KeyCode::Char('n') => d.conflict = Conflict::Rename,
                    KeyCode::Char('?') => d.conflict = Conflict::Ask,
                    _ => {}
                }
                Some(Dialog::Transfer(d))
            }
        }
        Dialog::AppendPicker {
            from,
            source,
            candidates,
            mut cursor,
        } => match key.code {
            KeyCode::Esc => None,
            KeyCode::Enter => {
                let target = candidates.get(cursor).cloned();
                open_transfer(state, from, Kind::Append, Some(vec![source]));
                if let Some(Dialog::Transfer(d)) = &mut state.dialog {
                    d.append_target = target;
                }
                return;
            }
            KeyCode::Up | KeyCode::Char('k') => {
                cursor = cursor.saturating_sub(1);
                Some(Dialog::AppendPicker {
                    from,
                    source,
                    candidates,
                    cursor,
                })
            }
            KeyCode::Down | KeyCode::Char('j') => {
                cursor = (cursor + 1).min(candidates.len().saturating_sub(1));
                Some(Dialog::AppendPicker {
                    from,
                    source,
                    candidates,
                    cursor,
                })
            }
            _ => Some(Dialog::AppendPicker {
                from,
                source,
                candidates,
                cursor,
            }),
        },
        Dialog::Input {
            purpose,
            title,
            mut text,
            masked,
            history,
            mut history_pos,
            context,
        } => match key.code {
            KeyCode::Esc => {
                if let InputPurpose::Password(side) = purpose {
                    if let Some(t) = &mut state.targets[side.index()] {
                        t.connecting = false;
                    }
                    let pane = state.pane_mut(side);
                    pane.loading = false;
                    pane.error = Some(format!(
                        "no password given for {context}: Ctrl-R asks again"
                    ));
                }
                None
            }
            KeyCode::Enter => {
                submit_input(state, purpose, text, context, fx);
                return;
            }
            _ => {
                match key.code {
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    KeyCode::Up if !history.is_empty() => {
                        let pos = history_pos.map_or(0, |p| (p + 1).min(history.len() - 1));
                        history_pos = Some(pos);
                        text = history[pos].clone();
                    }
                    // Only while walking the history: Down must not wipe a
                    // typed (or prefilled, as in Rename) text (found by the
                    // update tests).
                    KeyCode::Down if history_pos.is_some() => {
                        history_pos = history_pos.and_then(|p| p.checked_sub(1));
                        text = history_pos.map_or_else(String::new, |p| history[p].clone());
                    }
                    KeyCode::Char('e') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        if let InputPurpose::Connect(side) = purpose {
                            state.dialog = Some(site_editor(state, side, text.trim()));

                            return;
                        }
                    }
                    KeyCode::Char('d')
                        if key.modifiers.contains(KeyModifiers::CONTROL)
                            && matches!(purpose, InputPurpose::Connect(_))
                            && state
                                .saved_sites
                                .iter()
                                .any(|site| site.name == text.trim()) =>
                    {
                        fx.push(Effect::DeleteSite(text.trim().to_string()));
                        text.clear();
                    }
                    KeyCode::Char('s')
                        if key.modifiers.contains(KeyModifiers::CONTROL)
                            && matches!(purpose, InputPurpose::Connect(_)) =>
                    {
                        // Ctrl-S: keep this URL as a site named after its host.
                        if let Ok(url) = crate::ftp::FtpUrl::parse(text.trim()) {
                            fx.push(Effect::SaveSite {
                                site: SiteEntry {
                                    name: url.host.clone(),
                                    url: url.to_string(),
                                    ..SiteEntry::default()
                                },
                                replaces: None,
                            });
                        }
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        text.push(c)
                    }
                    KeyCode::Char('u') => text.clear(),
                    _ => {}
                }
                Some(Dialog::Input {
                    purpose,
                    title,
                    text,
                    masked,
                    history,
                    history_pos,
                    context,
                })
            }
        },
        Dialog::ConfirmDelete { side, items } => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => {
                let dir = state.pane(side).cwd.clone();
                let paths = items
                    .iter()
                    .map(|i| (pane::join(&dir, &i.raw_name), i.is_dir))
                    .collect();
                state.pane_mut(side).selected.clear();
                fx.push(Effect::Delete { side, paths });
                None
            }
            KeyCode::Esc | KeyCode::Char('n') => None,
            _ => Some(Dialog::ConfirmDelete { side, items }),
        },
        Dialog::Conflict {
            job,
            destination,
            source_size,
            destination_size,
            for_all,
        } => {
            let choice = match key.code {
                KeyCode::Char('o') | KeyCode::Enter => Some(Conflict::Overwrite),
                KeyCode::Char('r') => Some(Conflict::Resume),
                KeyCode::Char('a') => Some(Conflict::Append),
                KeyCode::Char('s') | KeyCode::Esc => Some(Conflict::Skip),
                KeyCode::Char('n') => Some(Conflict::Rename),
                _ => None,
            };
            if let Some(policy) = choice {
                answer_conflict(state, job, policy, for_all, fx);
                return;
            }
            let for_all = if matches!(key.code, KeyCode::Char('f') | KeyCode::Char(' ')) {
                !for_all
            } else {
                for_all
            };
            Some(Dialog::Conflict {
                job,
                destination,
                source_size,
                destination_size,
                for_all,
            })
        }
        Dialog::SiteEdit {
            original,
            mut fields,
            mut focus,
            side,
        } => match key.code {
            KeyCode::Esc => None,
            KeyCode::Enter => match site_from_fields(&fields) {
                Ok(mut site) => {
                    // Settings the dialog does not show are kept as they were.
                    if let Some(old) = original
                        .as_ref()
                        .and_then(|name| state.saved_sites.iter().find(|s| &s.name == name))
                    {
                        site.allow_foreign_passive = old.allow_foreign_passive;
                    }
                    fx.push(Effect::SaveSite {
                        site,
                        replaces: original,
                    });
                    None
                }
                Err(problem) => {
                    state.status = problem;
                    Some(Dialog::SiteEdit {
                        original,
                        fields,
                        focus,
                        side,
                    })
                }
            },
            KeyCode::Tab | KeyCode::Down => {
                focus = (focus + 1) % fields.len();
                Some(Dialog::SiteEdit {
                    original,
                    fields,
                    focus,
                    side,
                })
            }
            KeyCode::BackTab | KeyCode::Up => {
                focus = (focus + fields.len() - 1) % fields.len();
                Some(Dialog::SiteEdit {
                    original,
                    fields,
                    focus,
                    side,
                })
            }
            KeyCode::Backspace => {
                fields[focus].pop();
                Some(Dialog::SiteEdit {
                    original,
                    fields,
                    focus,
                    side,
                })
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                fields[focus].push(c);
                Some(Dialog::SiteEdit {
                    original,
                    fields,
                    focus,
                    side,
                })
            }
            _ => Some(Dialog::SiteEdit {
                original,
                fields,
                focus,
                side,
            }),
        },
        Dialog::View {
            title,
            lines,
            mut scroll,
        } => {
            let page = state.size.1.saturating_sub(6).max(1) as usize;
            let last = lines.len().saturating_sub(1);
            match key.code {
                KeyCode::Esc
                | KeyCode::Enter
                | KeyCode::F(3)
                | KeyCode::F(10)
                | KeyCode::Char('q') => None,
                code => {
                    scroll = match code {
                        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                        KeyCode::Down | KeyCode::Char('j') => scroll + 1,
                        KeyCode::PageUp => scroll.saturating_sub(page),
                        KeyCode::PageDown | KeyCode::Char(' ') => scroll + page,
                        KeyCode::Home | KeyCode::Char('g') => 0,
                        KeyCode::End | KeyCode::Char('G') => last,
                        _ => scroll,
                    }
                    .min(last);
                    Some(Dialog::View {
                        title,
                        lines,
                        scroll,
                    })
                }
            }
        }
        Dialog::ConfirmOverwrite {
            side,
            from,
            to,
            name,
            existing,
        } => match key.code {
            KeyCode::Char('o') | KeyCode::Char('y') => {
                fx.push(Effect::Rename {
                    side,
                    from,
                    to,
                    overwrite: true,
                });
                None
            }
            // Enter is Cancel here: replacing a file is never the default.
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('n') | KeyCode::Char('c') => None,
            _ => Some(Dialog::ConfirmOverwrite {
                side,
                from,
                to,
                name,
                existing,
            }),
        },
        Dialog::ConfirmQuit => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => {
                state.quit = true;
                fx.push(Effect::Quit);
                None
            }
            KeyCode::Esc | KeyCode::Char('n') => None,
            _ => Some(Dialog::ConfirmQuit),
        },
        Dialog::Message { title, text } => {
            if esc || enter || key.code == KeyCode::Char(' ') {
                None
            } else {
                Some(Dialog::Message { title, text })
            }
        }
        Dialog::Help { scroll } => {
            if esc
                || enter
                || matches!(
                    key.code,
                    KeyCode::F(1) | KeyCode::Char('q') | KeyCode::Char('?')
                )
            {
                None
            } else {
                let rows = super::render::help_rows(state);
                let last = keymap::help_lines().len().saturating_sub(rows);
                let scroll = match key.code {
                    KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => scroll + 1,
                    KeyCode::PageUp => scroll.saturating_sub(rows),
                    KeyCode::PageDown | KeyCode::Char(' ') => scroll + rows,
                    KeyCode::Home | KeyCode::Char('g') => 0,
                    KeyCode::End | KeyCode::Char('G') => last,
                    _ => scroll,
                };
                Some(Dialog::Help {
                    scroll: scroll.min(last),
                })
            }
        }
    };
}

/// The labels of the site editor's fields, in order.
pub const SITE_FIELDS: [&str; 5] = [
    "name",
    "URL",
    "password (optional)",
    "transfer connections",
    "passive (yes/no)",
];

/// The editor for the saved site called `typed`, or a new one from a typed URL.
fn site_editor(state: &State, side: Side, typed: &str) -> Dialog {
    let existing = state.saved_sites.iter().find(|site| site.name == typed);
    let fields = match existing {
        Some(site) => [
            site.name.clone(),
            site.url.clone(),
            site.password.clone().unwrap_or_default(),
            site.max_connections
                .map(|n| n.to_string())
                .unwrap_or_default(),
            match site.passive {
                Some(false) => "no".into(),
                _ => "yes".into(),
            },
        ],
        None => {
            let url = crate::ftp::FtpUrl::parse(typed).ok();
            [
                url.as_ref().map(|u| u.host.clone()).unwrap_or_default(),
                url.as_ref()
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| "ftp://".into()),
                url.and_then(|u| u.password)
                    .map(|p| p.expose().to_string())
                    .unwrap_or_default(),
                String::new(),
                "yes".into(),
            ]
        }
    };
    Dialog::SiteEdit {
        original: existing.map(|site| site.name.clone()),
        fields,
        focus: 0,
        side,
    }
}

/// Checks the editor's fields; `Err` says what is wrong.
pub fn site_from_fields(fields: &[String; 5]) -> Result<SiteEntry, String> {
    let name = fields[0].trim();
    if name.is_empty() {
        return Err("a site needs a name".into());
    }
    let url = crate::ftp::FtpUrl::parse(fields[1].trim()).map_err(|e| e.to_string())?;
    let max_connections = match fields[3].trim() {
        "" => None,
        n => Some(
            n.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or("transfer connections: a number from 1")?,
        ),
    };
    let passive = match fields[4].trim().to_ascii_lowercase().as_str() {
        "" | "yes" | "y" | "passive" => None,
        "no" | "n" | "active" => Some(false),
        other => return Err(format!("passive: yes or no, not {other:?}")),
    };
    Ok(SiteEntry {
        name: name.to_string(),
        // The password lives in its own field, never inside the URL.
        url: url.to_string(),
        password: Some(fields[2].clone())
            .filter(|p| !p.is_empty())
            .or_else(|| url.password.as_ref().map(|p| p.expose().to_string())),
        max_connections,
        passive,
        allow_foreign_passive: None,
    })
}

fn next_kind(k: Kind) -> Kind {
    match k {
        Kind::Copy => Kind::Append,
        Kind::Append => Kind::Move,
        Kind::Move => Kind::Copy,
    }
}

fn next_conflict(c: Conflict) -> Conflict {
    match c {
        Conflict::Ask => Conflict::Overwrite,
        Conflict::Overwrite => Conflict::Resume,
        Conflict::Resume => Conflict::Append,
        Conflict::Append => Conflict::Skip,
        Conflict::Skip => Conflict::Rename,
        Conflict::Rename => Conflict::Ask,
    }
}

/// Answers the open conflict question and opens the next one waiting.
fn answer_conflict(
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
fn ask_next_conflict(state: &mut State, fx: &mut Vec<Effect>) {
    while let Some((job, destination, source_size, destination_size)) =
        state.pending_conflicts.pop_front()
    {
        if let Some(policy) = state.conflict_for_all {
            fx.push(Effect::Answer(job, policy));
            continue;
        }
        state.dialog = Some(Dialog::Conflict {
            job,
            destination,
            source_size,
            destination_size,
            for_all: false,
        });
        break;
    }
}

fn confirm_transfer(state: &mut State, d: &TransferDialog, fx: &mut Vec<Effect>) {
    if d.kind == Kind::Append && d.items.iter().any(|i| i.is_dir) {
        message(state, "Append", "directories cannot be appended".into());
        return;
    }
    let jobs = jobs_for(state, d);
    state.conflict_for_all = None;
    state.status = format!("{} {} item(s): {}", verb(d.kind), jobs.len(), d.mode_hint);
    let left_out = d.items.len() - jobs.len().min(d.items.len());
    if left_out > 0 {
        state.status.push_str(&format!(
            "; {left_out} left out: their names are not plain file names"
        ));
    }
    state.pane_mut(d.from).selected.clear();
    fx.extend(jobs.into_iter().map(Effect::Submit));
}

fn verb(k: Kind) -> &'static str {
    match k {
        Kind::Copy => "copying",
        Kind::Append => "appending",
        Kind::Move => "moving",
    }
}

fn submit_input(
    state: &mut State,
    purpose: InputPurpose,
    text: String,
    context: String,
    fx: &mut Vec<Effect>,
) {
    match purpose {
        InputPurpose::Mkdir(side) if !text.is_empty() => {
            let path = state.pane(side).child_path(text.as_bytes());
            fx.push(Effect::Mkdir { side, path });
        }
        InputPurpose::Rename(side) if !text.is_empty() => {
            let pane = state.pane(side);
            let Some(e) = pane.cursor_entry() else { return };
            if e.raw_name == text.as_bytes() {
                return;
            }
            let from = pane.child_path(&e.raw_name);
            let to = pane.child_path(text.as_bytes());
            let taken = pane.entries.iter().find(|o| o.raw_name == text.as_bytes());
            match taken {
                // Shift-F6 onto an existing name replaced it without a word.
                Some(existing) => {
                    state.dialog = Some(Dialog::ConfirmOverwrite {
                        side,
                        from,
                        to,
                        name: e.name.clone(),
                        existing: item_of(existing),
                    })
                }
                None => fx.push(Effect::Rename {
                    side,
                    from,
                    to,
                    overwrite: false,
                }),
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
                context,
                Some(crate::ftp::Secret::new(text)),
                remember,
                fx,
            );
        }
        InputPurpose::SelectPattern(side) => {
            let n = state.pane_mut(side).select_pattern(&text, true);
            state.status = format!("{n} matched {text}");
        }
        InputPurpose::UnselectPattern(side) => {
            let n = state.pane_mut(side).select_pattern(&text, false);
            state.status = format!("{n} matched {text}");
        }
        _ => {}
    }
}

fn on_engine(state: &mut State, event: Event, fx: &mut Vec<Effect>) {
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
                state.dialog = Some(Dialog::Conflict {
                    job: id,
                    destination,
                    source_size,
                    destination_size,
                    for_all: false,
                });
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
            job.note = partial
                .map(|p| format!("{} kept at the destination", super::format::human_bytes(p)));
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
fn direction_of(state: &State, source: &Option<String>, destination: &Option<String>) -> String {
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

fn on_mouse(state: &mut State, event: MouseEvent, at: Instant, fx: &mut Vec<Effect>) {
    let (col, row) = (event.column, event.row);
    let a = areas(state.size.0, state.size.1);
    if state.dialog.is_some() {
        if let MouseEventKind::Down(MouseButton::Left) = event.kind {
            dialog_click(state, col, row, fx);
        }
        return;
    }
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if let Some(side) = layout::pane_at(&a, col, row) {
                state.focus = Focus::Pane(side);
                let double = state.last_click.is_some_and(|(t, c, r)| {
                    at.duration_since(t) < DOUBLE_CLICK && c == col && r == row
                });
                state.last_click = Some((at, col, row));
                if let Some(index) = row_at(state, side, &a, col, row) {
                    state.pane_mut(side).cursor = index;
                    if double {
                        state.last_click = None;
                        run_command(state, Command::Open, fx);
                        return;
                    }
                    // A press on an entry may start a drag: the selection if
                    // the entry is part of it, else the entry alone.
                    let pane = state.pane(side);
                    if let Some(e) = pane.cursor_entry() {
                        let items = if pane.selected.contains(&e.raw_name) {
                            items_of(pane)
                        } else {
                            vec![item_of(e)]
                        };
                        state.drag = Some(Drag {
                            from: side,
                            items,
                            start: (col, row),
                            pos: (col, row),
                            active: false,
                        });
                    }
                }
            } else if layout::contains(a.transfers, col, row) {
                if state.focus != Focus::Transfers {
                    focus_transfers(state);
                }
                if layout::contains(a.transfer_rows, col, row) {
                    let index = (row - a.transfer_rows.y) as usize + transfers_scroll(state, &a);
                    if index < state.transfers.jobs.len() {
                        state.transfers.selected = index;
                    }
                }
            } else if let Some((_, _, _, command)) = layout::fkey_cells(a.fkeys)
                .into_iter()
                .find(|(r, ..)| layout::contains(*r, col, row))
            {
                run_command(state, command, fx);
            }
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if let Some(drag) = &mut state.drag {
                drag.pos = (col, row);
                if !drag.active && (col.abs_diff(drag.start.0) > 1 || row != drag.start.1) {
                    drag.active = true;
                }
            }
        }
        MouseEventKind::Up(MouseButton::Left) => {
            if let Some(drag) = state.drag.take()
                && drag.active
            {
                match layout::pane_at(&a, col, row) {
                    Some(target) if target != drag.from => {
                        state.focus = Focus::Pane(drag.from);
                        open_transfer(state, drag.from, Kind::Copy, Some(drag.items));
                    }
                    _ => state.status = "drop on the other pane to copy there".into(),
                }
            }
        }
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let delta = if event.kind == MouseEventKind::ScrollUp {
                -WHEEL_STEP
            } else {
                WHEEL_STEP
            };
            if let Some(side) = layout::pane_at(&a, col, row) {
                state.pane_mut(side).move_cursor(delta);
            } else if layout::contains(a.transfers, col, row) {
                if state.focus != Focus::Transfers {
                    focus_transfers(state);
                }
                let t = &mut state.transfers;
                t.selected = (t.selected as isize + delta)
                    .clamp(0, t.jobs.len().saturating_sub(1) as isize)
                    as usize;
            }
        }
        _ => {}
    }
}

/// The pane row under a point, if there is an entry (or `..`) there.
fn row_at(state: &State, side: Side, a: &layout::Areas, col: u16, row: u16) -> Option<usize> {
    let rows = a.rows[side.index()];
    if !layout::contains(rows, col, row) {
        return None;
    }
    let index = (row - rows.y) as usize + state.pane(side).scroll;
    (index < state.pane(side).row_count()).then_some(index)
}

/// The first transfer row shown. With the keyboard the panel scrolls as
/// its selection moves; without it, it follows the work: from the first
/// running row (else the first queued one, else the newest rows), so new
/// and running transfers are never below the panel's edge.
pub fn transfers_scroll(state: &State, a: &layout::Areas) -> usize {
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
fn keep_transfer_selection_visible(state: &mut State) {
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
fn focus_transfers(state: &mut State) {
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

/// Clicks inside dialogs: the same choices as their keys.
fn dialog_click(state: &mut State, col: u16, row: u16, fx: &mut Vec<Effect>) {
    let buttons = super::render::dialog_buttons(state);
    let Some(button) = buttons
        .into_iter()
        .find(|(r, _)| layout::contains(*r, col, row))
        .map(|(_, b)| b)
    else {
        return;
    };
    use super::render::Button;
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    match button {
        Button::Ok => dialog_key(state, key(KeyCode::Enter), fx),
        Button::Cancel => dialog_key(state, key(KeyCode::Esc), fx),
        Button::Kind(k) => {
            if let Some(Dialog::Transfer(d)) = &mut state.dialog {
                d.kind = k;
            }
        }
        Button::Conflict(c) => {
            if let Some(Dialog::Transfer(d)) = &mut state.dialog {
                d.conflict = c;
            }
        }
        Button::Answer(policy) => match state.dialog.take() {
            Some(Dialog::Conflict { job, for_all, .. }) => {
                answer_conflict(state, job, policy, for_all, fx)
            }
            Some(d @ Dialog::ConfirmOverwrite { .. }) => {
                state.dialog = Some(d);
                dialog_key(state, key(KeyCode::Char('o')), fx);
            }
            other => state.dialog = other,
        },
        Button::ForAll => {
            if let Some(Dialog::Conflict { for_all, .. }) = &mut state.dialog {
                *for_all = !*for_all;
            }
        }
        Button::Pick(i) => {
            if let Some(Dialog::AppendPicker { cursor, .. }) = &mut state.dialog {
                *cursor = i;
            }
            dialog_key(state, key(KeyCode::Enter), fx);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crossterm::event::{KeyEventState, MouseButton, MouseEventKind};

    use super::*;
    use crate::ftp::Login;
    use crate::transfer::Mode;
    use crate::ui::pane::tests::entry;
    use crate::ui::render::{self, Button};

    // ---- fixtures ---------------------------------------------------------

    fn site(host: &str, port: u16) -> Arc<FtpSite> {
        Arc::new(FtpSite {
            host: host.into(),
            port,
            login: Login::default(),
            options: Default::default(),
            max_connections: 2,
            allow_foreign_passive: false,
        })
    }

    fn pane_with(place: Place, cwd: &str, entries: Vec<Entry>) -> Pane {
        let mut p = Pane::new(place, cwd.as_bytes().to_vec());
        p.set_entries(entries);
        p
    }

    fn left_entries() -> Vec<Entry> {
        vec![
            entry("docs", true, 0),
            entry("big.iso", false, 4_509_715_660),
            entry("notes.txt", false, 100),
            entry("PROG1.PL1", false, 12 * 1024),
        ]
    }

    /// Left: ftp://mirror-a:21/pub with `..`, docs/, big.iso, notes.txt,
    /// PROG1.PL1 (rows 0..=4). Right: ftp://mirror-b:2121/in with `..`,
    /// old/, log.txt, PROG2.PL1. 80x24, focus on the left pane.
    fn state() -> State {
        let left = pane_with(
            Place::Ftp {
                url: "ftp://mirror-a:21".into(),
            },
            "/pub",
            left_entries(),
        );
        let right = pane_with(
            Place::Ftp {
                url: "ftp://mirror-b:2121".into(),
            },
            "/in",
            vec![
                entry("old", true, 0),
                entry("PROG2.PL1", false, 3 * 1024),
                entry("log.txt", false, 7),
            ],
        );
        let mut s = State::new(left, right, (80, 24));
        s.sites = [Some(site("mirror-a", 21)), Some(site("mirror-b", 2121))];
        s
    }

    /// A left pane with `..` and 40 files: more than a page at 80x24.
    fn long_state() -> State {
        let mut s = state();
        let files = (0..40)
            .map(|i| entry(&format!("f{i:02}"), false, i))
            .collect();
        *s.pane_mut(Side::Left) = pane_with(
            Place::Ftp {
                url: "ftp://mirror-a:21".into(),
            },
            "/data",
            files,
        );
        s
    }

    /// Starts a pane's connect the way the start-up does; its attempt id.
    fn dialing(s: &mut State, side: Side, target: &str) -> u64 {
        let fx = update(
            s,
            Action::Open {
                side,
                target: target.into(),
            },
        );
        match fx.as_slice() {
            [Effect::Connect { attempt, .. }] => *attempt,
            other => panic!("{other:?}"),
        }
    }

    fn key_with(code: KeyCode, modifiers: KeyModifiers) -> Action {
        Action::Key(KeyEvent::new(code, modifiers))
    }

    fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
        update(s, key_with(code, KeyModifiers::NONE))
    }

    fn ch(s: &mut State, c: char) -> Vec<Effect> {
        let m = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        update(s, key_with(KeyCode::Char(c), m))
    }

    fn type_text(s: &mut State, text: &str) {
        for c in text.chars() {
            assert!(ch(s, c).is_empty(), "typing {c:?} had effects");
        }
    }

    fn clear_input(s: &mut State) {
        update(s, key_with(KeyCode::Char('u'), KeyModifiers::CONTROL));
    }

    fn names(p: &Pane) -> Vec<String> {
        p.visible
            .iter()
            .map(|&i| p.entries[i].name.clone())
            .collect()
    }

    fn cursor_name(s: &State, side: Side) -> Option<String> {
        s.pane(side).cursor_entry().map(|e| e.name.clone())
    }

    fn cursor_on(s: &mut State, side: Side, name: &str) {
        s.pane_mut(side).cursor_to(name.as_bytes());
        assert_eq!(cursor_name(s, side).as_deref(), Some(name));
    }

    fn selected(s: &State, side: Side) -> Vec<String> {
        s.pane(side)
            .selected
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect()
    }

    fn transfer(s: &State) -> &TransferDialog {
        match &s.dialog {
            Some(Dialog::Transfer(d)) => d,
            other => panic!("expected the transfer dialog, got {other:?}"),
        }
    }

    fn item_names(items: &[Item]) -> Vec<&str> {
        items.iter().map(|i| i.name.as_str()).collect()
    }

    fn input_text(s: &State) -> &str {
        match &s.dialog {
            Some(Dialog::Input { text, .. }) => text,
            other => panic!("expected an input dialog, got {other:?}"),
        }
    }

    fn submits(fx: &[Effect]) -> Vec<&JobSpec> {
        fx.iter()
            .map(|e| match e {
                Effect::Submit(spec) => spec,
                other => panic!("expected only submits, got {other:?}"),
            })
            .collect()
    }

    /// `host:port/path` of a location, `local:path` for the disk.
    fn loc(l: &Location) -> String {
        let path = String::from_utf8_lossy(&l.path);
        match &l.site {
            Site::Ftp(s) => format!("{}:{}{path}", s.host, s.port),
            Site::Local => format!("local:{path}"),
        }
    }

    /// Effects as short strings, for exact comparisons.
    fn lists(fx: &[Effect]) -> Vec<String> {
        fx.iter()
            .map(|e| match e {
                Effect::List { side, path } => {
                    format!("{}:{}", side.name(), String::from_utf8_lossy(path))
                }
                other => panic!("expected only List effects, got {other:?}"),
            })
            .collect()
    }

    fn mouse(kind: MouseEventKind, col: u16, row: u16, at: Instant) -> Action {
        Action::Mouse {
            event: MouseEvent {
                kind,
                column: col,
                row,
                modifiers: KeyModifiers::NONE,
            },
            at,
        }
    }

    fn down(s: &mut State, (col, row): (u16, u16), at: Instant) -> Vec<Effect> {
        update(
            s,
            mouse(MouseEventKind::Down(MouseButton::Left), col, row, at),
        )
    }

    fn drag_to(s: &mut State, (col, row): (u16, u16), at: Instant) -> Vec<Effect> {
        update(
            s,
            mouse(MouseEventKind::Drag(MouseButton::Left), col, row, at),
        )
    }

    fn up(s: &mut State, (col, row): (u16, u16), at: Instant) -> Vec<Effect> {
        update(
            s,
            mouse(MouseEventKind::Up(MouseButton::Left), col, row, at),
        )
    }

    /// A point on the name of pane row `index` (row y = rows.y + index - scroll).
    fn row_point(s: &State, side: Side, index: usize) -> (u16, u16) {
        let r = areas(s.size.0, s.size.1).rows[side.index()];
        let scroll = s.pane(side).scroll;
        assert!(index >= scroll && index - scroll < r.height as usize);
        (r.x + 3, r.y + (index - scroll) as u16)
    }

    fn button(s: &State, wanted: Button) -> (u16, u16) {
        let (r, _) = render::dialog_buttons(s)
            .into_iter()
            .find(|(_, b)| *b == wanted)
            .unwrap_or_else(|| panic!("no {wanted:?} button in {:?}", s.dialog));
        (r.x + 1, r.y)
    }

    fn job(id: JobId, name: &str, state: JobState) -> JobRow {
        JobRow {
            id,
            name: name.into(),
            destination_name: name.into(),
            direction: "a→b".into(),
            kind: Kind::Copy,
            mode: Some(Mode::LstnSock),
            done: 0,
            total: Some(100),
            rate: 0.0,
            eta: None,
            measured: true,
            state,
            rates: Default::default(),
            elapsed: 0,
            note: None,
        }
    }

    fn engine(s: &mut State, job: JobId, kind: EventKind) -> Vec<Effect> {
        update(s, Action::Engine(Event { job, kind }))
    }

    /// The engine's site key for a test URL (`None`: a local path).
    fn site_key(url: &str) -> Option<String> {
        let url = crate::ftp::FtpUrl::parse(url).ok()?;
        let user = url.user.clone().unwrap_or_else(|| "anonymous".into());
        Some(format!("{user}@{}:{}", url.host, url.port))
    }

    fn queued(s: &mut State, job: JobId, source: &str, destination: &str, kind: Kind) {
        let fx = engine(
            s,
            job,
            EventKind::Queued {
                source: source.into(),
                destination: destination.into(),
                source_site: site_key(source),
                destination_site: site_key(destination),
                source_path: Vec::new(),
                destination_path: Vec::new(),
                parent: None,
                kind,
            },
        );
        assert!(fx.is_empty(), "{fx:?}");
    }

    fn row(s: &State, id: JobId) -> &JobRow {
        s.transfers.jobs.iter().find(|j| j.id == id).unwrap()
    }

    // ---- navigation -------------------------------------------------------

    #[test]
    fn arrows_and_vi_keys_move_the_cursor() {
        let mut s = state();
        assert_eq!(s.pane(Side::Left).cursor, 0, "starts on ..");
        press(&mut s, KeyCode::Down);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("docs"));
        ch(&mut s, 'j');
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));
        ch(&mut s, 'k');
        assert_eq!(s.pane(Side::Left).cursor, 1);
        press(&mut s, KeyCode::Up);
        press(&mut s, KeyCode::Up);
        assert_eq!(s.pane(Side::Left).cursor, 0, "stops at the top");
        press(&mut s, KeyCode::End);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("PROG1.PL1"));
        press(&mut s, KeyCode::Down);
        assert_eq!(s.pane(Side::Left).cursor, 4, "stops at the bottom");
        press(&mut s, KeyCode::Home);
        assert_eq!(s.pane(Side::Left).cursor, 0);
        ch(&mut s, 'G');
        assert_eq!(s.pane(Side::Left).cursor, 4);
        ch(&mut s, 'g');
        assert_eq!(s.pane(Side::Left).cursor, 0);
        assert_eq!(s.pane(Side::Right).cursor, 0, "the other pane stays");
    }

    #[test]
    fn pages_move_by_the_visible_height_and_scroll_follows() {
        let mut s = long_state();
        let page = areas(80, 24).rows[0].height as usize;
        assert_eq!(page, 13);
        assert_eq!(s.pane(Side::Left).row_count(), 41);
        press(&mut s, KeyCode::PageDown);
        assert_eq!(s.pane(Side::Left).cursor, 13);
        assert_eq!(s.pane(Side::Left).scroll, 1, "cursor on the last row");
        press(&mut s, KeyCode::PageDown);
        assert_eq!(s.pane(Side::Left).cursor, 26);
        assert_eq!(s.pane(Side::Left).scroll, 14);
        press(&mut s, KeyCode::PageDown);
        press(&mut s, KeyCode::PageDown);
        assert_eq!(s.pane(Side::Left).cursor, 40, "clamped at the end");
        assert_eq!(s.pane(Side::Left).scroll, 28);
        press(&mut s, KeyCode::PageUp);
        assert_eq!(s.pane(Side::Left).cursor, 27);
        assert_eq!(s.pane(Side::Left).scroll, 27);
        press(&mut s, KeyCode::Home);
        assert_eq!(
            (s.pane(Side::Left).cursor, s.pane(Side::Left).scroll),
            (0, 0)
        );
        press(&mut s, KeyCode::End);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("f39"));
        assert_eq!(s.pane(Side::Left).scroll, 41 - 13);
    }

    #[test]
    fn enter_on_a_directory_lists_it_and_backspace_returns_to_it() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "docs");
        let fx = press(&mut s, KeyCode::Enter);
        assert_eq!(lists(&fx), ["left:/pub/docs"]);
        assert!(s.pane(Side::Left).loading);
        assert_eq!(
            s.pane(Side::Left).cwd,
            b"/pub",
            "cwd changes with the listing"
        );

        let fx = update(
            &mut s,
            Action::Listed {
                side: Side::Left,
                path: b"/pub/docs".to_vec(),
                result: Ok(vec![entry("readme", false, 1)]),
            },
        );
        assert!(fx.is_empty());
        let p = s.pane(Side::Left);
        assert_eq!(p.cwd, b"/pub/docs");
        assert!(!p.loading);
        assert_eq!(names(p), ["readme"]);
        assert_eq!(p.cursor, 0);

        let fx = press(&mut s, KeyCode::Backspace);
        assert_eq!(lists(&fx), ["left:/pub"]);
        update(
            &mut s,
            Action::Listed {
                side: Side::Left,
                path: b"/pub".to_vec(),
                result: Ok(left_entries()),
            },
        );
        assert_eq!(
            cursor_name(&s, Side::Left).as_deref(),
            Some("docs"),
            "back on the directory we came from"
        );
    }

    #[test]
    fn enter_on_dotdot_and_h_and_l() {
        let mut s = state();
        assert_eq!(s.pane(Side::Left).cursor, 0);
        assert_eq!(lists(&press(&mut s, KeyCode::Enter)), ["left:/"]);
        assert_eq!(lists(&ch(&mut s, 'h')), ["left:/"]);
        cursor_on(&mut s, Side::Left, "docs");
        assert_eq!(lists(&ch(&mut s, 'l')), ["left:/pub/docs"]);

        // At the root there is no parent.
        let mut s = state();
        *s.pane_mut(Side::Left) = pane_with(Place::Local, "/", left_entries());
        assert!(press(&mut s, KeyCode::Backspace).is_empty());
        assert_eq!(s.pane(Side::Left).row_count(), 4, "no .. at /");
    }

    #[test]
    fn enter_on_a_file_shows_its_details() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "notes.txt");
        assert!(matches!(
            press(&mut s, KeyCode::Enter).as_slice(),
            [Effect::Peek { name, .. }] if name == "notes.txt"
        ));
        match &s.dialog {
            Some(Dialog::Message { title, text }) => {
                assert_eq!(title, "Entry");
                assert!(text.starts_with("notes.txt\n"), "{text}");
                assert!(text.contains("size: 100 bytes (100 B)"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        press(&mut s, KeyCode::Esc);
        assert!(s.dialog.is_none());
        press(&mut s, KeyCode::F(3));
        assert!(matches!(s.dialog, Some(Dialog::Message { .. })), "F3 views");
    }

    #[test]
    fn tab_switches_the_pane_that_keys_move() {
        let mut s = state();
        press(&mut s, KeyCode::Tab);
        assert_eq!(s.focus, Focus::Pane(Side::Right));
        press(&mut s, KeyCode::Down);
        assert_eq!(s.pane(Side::Right).cursor, 1);
        assert_eq!(s.pane(Side::Left).cursor, 0);
        press(&mut s, KeyCode::Tab);
        assert_eq!(s.focus, Focus::Pane(Side::Left));
    }

    #[test]
    fn ctrl_r_reloads_the_pane() {
        let mut s = state();
        let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(lists(&fx), ["left:/pub"]);
        assert!(s.pane(Side::Left).loading);
        *s.pane_mut(Side::Left) = Pane::new(Place::Nowhere, Vec::new());
        let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert!(fx.is_empty(), "nothing to reload when not connected");
    }

    #[test]
    fn key_releases_are_ignored() {
        let mut s = state();
        let mut k = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        k.kind = KeyEventKind::Release;
        k.state = KeyEventState::NONE;
        assert!(update(&mut s, Action::Key(k)).is_empty());
        assert!(!s.quit);
    }

    // ---- selection --------------------------------------------------------

    #[test]
    fn insert_and_space_toggle_and_move_down() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "big.iso");
        press(&mut s, KeyCode::Insert);
        assert_eq!(selected(&s, Side::Left), ["big.iso"]);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("notes.txt"));
        ch(&mut s, ' ');
        assert_eq!(selected(&s, Side::Left), ["big.iso", "notes.txt"]);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("PROG1.PL1"));
        press(&mut s, KeyCode::Up);
        press(&mut s, KeyCode::Insert);
        assert_eq!(selected(&s, Side::Left), ["big.iso"], "toggled off");
        // `..` cannot be selected.
        press(&mut s, KeyCode::Home);
        press(&mut s, KeyCode::Insert);
        assert_eq!(selected(&s, Side::Left), ["big.iso"]);
        assert_eq!(s.pane(Side::Left).cursor, 1);
    }

    #[test]
    fn plus_minus_star_select_by_pattern_and_invert() {
        let mut s = state();
        ch(&mut s, '+');
        match &s.dialog {
            Some(Dialog::Input { purpose, text, .. }) => {
                assert_eq!(*purpose, InputPurpose::SelectPattern(Side::Left));
                assert_eq!(text, "*");
            }
            other => panic!("{other:?}"),
        }
        press(&mut s, KeyCode::Backspace);
        type_text(&mut s, "*.pl1");
        assert!(press(&mut s, KeyCode::Enter).is_empty());
        assert!(s.dialog.is_none());
        assert_eq!(selected(&s, Side::Left), ["PROG1.PL1"], "case-insensitive");
        assert_eq!(s.status, "1 matched *.pl1");

        ch(&mut s, '+');
        press(&mut s, KeyCode::Enter);
        assert_eq!(selected(&s, Side::Left).len(), 4, "* matches all");

        ch(&mut s, '-');
        assert!(matches!(
            s.dialog,
            Some(Dialog::Input {
                purpose: InputPurpose::UnselectPattern(Side::Left),
                ..
            })
        ));
        clear_input(&mut s);
        type_text(&mut s, "*.iso");
        press(&mut s, KeyCode::Enter);
        assert_eq!(selected(&s, Side::Left), ["PROG1.PL1", "docs", "notes.txt"]);

        ch(&mut s, '*');
        assert_eq!(selected(&s, Side::Left), ["big.iso"]);

        // Esc leaves the selection alone.
        ch(&mut s, '+');
        press(&mut s, KeyCode::Esc);
        assert!(s.dialog.is_none());
        assert_eq!(selected(&s, Side::Left), ["big.iso"]);
    }

    // ---- filter -----------------------------------------------------------

    #[test]
    fn filter_narrows_as_you_type_enter_keeps_it_esc_clears() {
        let mut s = state();
        ch(&mut s, '/');
        assert!(s.pane(Side::Left).filtering);
        ch(&mut s, 'o');
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "big.iso", "notes.txt", "PROG1.PL1"]
        );
        ch(&mut s, 't');
        assert_eq!(names(s.pane(Side::Left)), ["notes.txt"]);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("notes.txt"));
        // Keys are text while filtering: q does not quit, j does not move.
        assert!(ch(&mut s, 'q').is_empty());
        assert!(!s.quit && s.dialog.is_none());
        assert_eq!(names(s.pane(Side::Left)), Vec::<String>::new());
        press(&mut s, KeyCode::Backspace);
        press(&mut s, KeyCode::Backspace);
        press(&mut s, KeyCode::Backspace);
        ch(&mut s, 'i');
        ch(&mut s, 's');
        assert_eq!(s.pane(Side::Left).filter, "is");
        assert_eq!(names(s.pane(Side::Left)), ["big.iso"]);

        press(&mut s, KeyCode::Enter);
        let p = s.pane(Side::Left);
        assert!(!p.filtering);
        assert_eq!(p.filter, "is", "Enter keeps the filter");
        assert_eq!(p.cursor, 1, "on the first match, past ..");
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));

        // Now keys are commands again.
        ch(&mut s, 'k');
        assert_eq!(s.pane(Side::Left).cursor, 0);
        ch(&mut s, 'j');

        press(&mut s, KeyCode::Esc);
        let p = s.pane(Side::Left);
        assert_eq!(p.filter, "");
        assert_eq!(p.visible.len(), 4);
        assert_eq!(
            cursor_name(&s, Side::Left).as_deref(),
            Some("big.iso"),
            "clearing the filter keeps the cursor on the entry it was on"
        );
    }

    #[test]
    fn esc_while_filtering_clears_it() {
        let mut s = state();
        ch(&mut s, '/');
        type_text(&mut s, "prog");
        assert_eq!(names(s.pane(Side::Left)), ["PROG1.PL1"]);
        press(&mut s, KeyCode::Esc);
        let p = s.pane(Side::Left);
        assert!(!p.filtering);
        assert_eq!(p.filter, "");
        assert_eq!(p.visible.len(), 4);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("PROG1.PL1"));
    }

    #[test]
    fn a_filter_matching_nothing_leaves_the_cursor_on_dotdot() {
        let mut s = state();
        ch(&mut s, '/');
        type_text(&mut s, "zzz");
        press(&mut s, KeyCode::Enter);
        assert_eq!(s.pane(Side::Left).cursor, 0);
        assert_eq!(s.pane(Side::Left).row_count(), 1);
        assert!(press(&mut s, KeyCode::F(5)).is_empty());
        assert!(s.dialog.is_none(), "nothing to copy");
    }

    // ---- sort -------------------------------------------------------------

    #[test]
    fn sort_keys_toggle_and_reverse_with_directories_first() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "notes.txt");
        ch(&mut s, 'S');
        assert_eq!(s.pane(Side::Left).sort, pane::SortKey::Size);
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "notes.txt", "PROG1.PL1", "big.iso"]
        );
        assert_eq!(
            cursor_name(&s, Side::Left).as_deref(),
            Some("notes.txt"),
            "the cursor follows its entry"
        );
        ch(&mut s, 'S');
        assert!(s.pane(Side::Left).reverse);
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "big.iso", "PROG1.PL1", "notes.txt"]
        );
        ch(&mut s, 'N');
        assert!(!s.pane(Side::Left).reverse, "a new key starts ascending");
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "big.iso", "notes.txt", "PROG1.PL1"]
        );
        ch(&mut s, 'N');
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "PROG1.PL1", "notes.txt", "big.iso"]
        );
        // Times: oldest first, then reversed.
        let at = |y| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
        };
        let mut entries = left_entries();
        entries[1].modified = at(2003); // big.iso
        entries[2].modified = at(2001); // notes.txt
        entries[3].modified = at(2002); // PROG1.PL1
        s.pane_mut(Side::Left).set_entries(entries);
        ch(&mut s, 'T');
        assert_eq!(s.pane(Side::Left).sort, pane::SortKey::Time);
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "notes.txt", "PROG1.PL1", "big.iso"]
        );
        ch(&mut s, 'T');
        assert_eq!(
            names(s.pane(Side::Left)),
            ["docs", "big.iso", "PROG1.PL1", "notes.txt"]
        );
    }

    // ---- copy / move / append ---------------------------------------------

    #[test]
    fn f5_opens_the_copy_dialog_for_the_selection() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "docs");
        press(&mut s, KeyCode::Insert);
        press(&mut s, KeyCode::Insert);
        assert!(press(&mut s, KeyCode::F(5)).is_empty());
        let d = transfer(&s);
        assert_eq!(d.kind, Kind::Copy);
        assert_eq!(d.from, Side::Left);
        assert_eq!(item_names(&d.items), ["docs", "big.iso"]);
        assert!(d.items[0].is_dir && !d.items[1].is_dir);
        assert_eq!(d.items[1].size, Some(4_509_715_660));
        assert_eq!(d.source_dir, b"/pub");
        assert_eq!(d.destination_dir, b"/in");
        assert_eq!(d.conflict, Conflict::Ask, "asks per file by default");
        assert_eq!(d.append_target, None);
        assert_eq!(
            d.mode_hint,
            "FXP (PASV on destination, PORT on source); relay if refused"
        );

        let fx = press(&mut s, KeyCode::Enter);
        assert!(s.dialog.is_none());
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 2, "one job per item");
        assert_eq!(loc(&jobs[0].source), "mirror-a:21/pub/docs");
        assert_eq!(loc(&jobs[0].destination), "mirror-b:2121/in/docs");
        assert!(jobs[0].recursive, "directories copy recursively");
        assert_eq!(loc(&jobs[1].source), "mirror-a:21/pub/big.iso");
        assert_eq!(loc(&jobs[1].destination), "mirror-b:2121/in/big.iso");
        assert!(!jobs[1].recursive);
        for j in &jobs {
            assert_eq!(j.kind, Kind::Copy);
            assert_eq!(j.conflict, Conflict::Ask);
            assert_eq!(j.via, Via::Auto);
        }
        assert!(s.pane(Side::Left).selected.is_empty(), "selection consumed");
        assert!(
            s.status.starts_with("copying 2 item(s): FXP"),
            "{}",
            s.status
        );
    }

    /// A hostile server may list `../../x`: such a name is never joined
    /// to a destination, and the status says it was left out.
    #[test]
    fn f5_leaves_out_names_that_are_not_plain() {
        let mut s = state();
        *s.pane_mut(Side::Left) = pane_with(
            Place::Ftp {
                url: "ftp://mirror-a:21/".into(),
            },
            "/pub",
            vec![entry("../../escape", false, 5), entry("ok.txt", false, 5)],
        );
        for name in ["../../escape", "ok.txt"] {
            cursor_on(&mut s, Side::Left, name);
            press(&mut s, KeyCode::Insert);
        }
        press(&mut s, KeyCode::F(5));
        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 1);
        assert_eq!(loc(&jobs[0].destination), "mirror-b:2121/in/ok.txt");
        assert!(
            s.status.contains("1 left out: their names are not plain"),
            "{}",
            s.status
        );
    }

    #[test]
    fn f5_without_selection_copies_the_cursor_entry_the_other_way_too() {
        let mut s = state();
        press(&mut s, KeyCode::Tab);
        cursor_on(&mut s, Side::Right, "log.txt");
        press(&mut s, KeyCode::F(5));
        let d = transfer(&s);
        assert_eq!(d.from, Side::Right);
        assert_eq!(item_names(&d.items), ["log.txt"]);
        assert_eq!(
            (d.source_dir.as_slice(), d.destination_dir.as_slice()),
            (&b"/in"[..], &b"/pub"[..])
        );
        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 1);
        assert_eq!(loc(&jobs[0].source), "mirror-b:2121/in/log.txt");
        assert_eq!(loc(&jobs[0].destination), "mirror-a:21/pub/log.txt");
    }

    #[test]
    fn mode_hint_names_what_will_be_tried() {
        let mut s = state();
        s.rfc438 = [true, true];
        cursor_on(&mut s, Side::Left, "big.iso");
        press(&mut s, KeyCode::F(5));
        assert_eq!(transfer(&s).mode_hint, "LSTN/SOCK (server to server)");
        press(&mut s, KeyCode::Esc);

        s.sites[1] = None;
        s.pane_mut(Side::Right).place = Place::Local;
        press(&mut s, KeyCode::F(5));
        assert_eq!(transfer(&s).mode_hint, "download");
        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(loc(&jobs[0].destination), "local:/in/big.iso");

        press(&mut s, KeyCode::Tab);
        cursor_on(&mut s, Side::Right, "log.txt");
        press(&mut s, KeyCode::F(5));
        assert_eq!(transfer(&s).mode_hint, "upload");
        s.sites[0] = None;
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::F(5));
        assert_eq!(transfer(&s).mode_hint, "local copy");
    }

    #[test]
    fn f5_needs_a_connected_other_pane() {
        let mut s = state();
        *s.pane_mut(Side::Right) = Pane::new(Place::Nowhere, Vec::new());
        cursor_on(&mut s, Side::Left, "big.iso");
        assert!(press(&mut s, KeyCode::F(5)).is_empty());
        match &s.dialog {
            Some(Dialog::Message { title, .. }) => assert_eq!(title, "No destination"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn esc_cancels_the_transfer_dialog() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "big.iso");
        press(&mut s, KeyCode::Insert);
        press(&mut s, KeyCode::F(5));
        assert!(press(&mut s, KeyCode::Esc).is_empty());
        assert!(s.dialog.is_none());
        assert_eq!(selected(&s, Side::Left), ["big.iso"], "selection kept");
    }

    #[test]
    fn tab_cycles_the_kind_and_letters_pick_the_conflict_policy() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "big.iso");
        press(&mut s, KeyCode::F(5));
        let kind = |s: &State| transfer(s).kind;
        press(&mut s, KeyCode::Tab);
        assert_eq!(kind(&s), Kind::Append);
        press(&mut s, KeyCode::Tab);
        assert_eq!(kind(&s), Kind::Move);
        press(&mut s, KeyCode::Tab);
        assert_eq!(kind(&s), Kind::Copy);
        press(&mut s, KeyCode::BackTab);
        assert_eq!(kind(&s), Kind::Move);
        press(&mut s, KeyCode::Left);
        assert_eq!(kind(&s), Kind::Append);
        press(&mut s, KeyCode::Right);
        assert_eq!(kind(&s), Kind::Move);

        let conflict = |s: &State| transfer(s).conflict;
        for (c, want) in [
            ('r', Conflict::Resume),
            ('a', Conflict::Append),
            ('s', Conflict::Skip),
            ('n', Conflict::Rename),
            ('o', Conflict::Overwrite),
            ('?', Conflict::Ask),
            ('o', Conflict::Overwrite),
        ] {
            ch(&mut s, c);
            assert_eq!(conflict(&s), want, "key {c}");
        }
        for want in [
            Conflict::Resume,
            Conflict::Append,
            Conflict::Skip,
            Conflict::Rename,
            Conflict::Ask,
            Conflict::Overwrite,
        ] {
            ch(&mut s, ' ');
            assert_eq!(conflict(&s), want, "space cycles");
        }
        ch(&mut s, 'c');
        assert_eq!(conflict(&s), Conflict::Resume, "c cycles too");
        ch(&mut s, 's');

        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].kind, Kind::Move);
        assert_eq!(jobs[0].conflict, Conflict::Skip);
    }

    #[test]
    fn f6_moves() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "docs");
        press(&mut s, KeyCode::F(6));
        assert_eq!(transfer(&s).kind, Kind::Move);
        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(jobs[0].kind, Kind::Move);
        assert!(jobs[0].recursive);
        assert_eq!(loc(&jobs[0].destination), "mirror-b:2121/in/docs");
        assert!(s.status.starts_with("moving 1 item(s)"), "{}", s.status);
    }

    #[test]
    fn f4_picks_a_target_and_appends_onto_it() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "PROG1.PL1");
        assert!(press(&mut s, KeyCode::F(4)).is_empty());
        let picker = |s: &State| match &s.dialog {
            Some(Dialog::AppendPicker {
                from,
                source,
                candidates,
                cursor,
            }) => (
                *from,
                source.name.clone(),
                item_names(candidates).join(","),
                *cursor,
            ),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            picker(&s),
            (
                Side::Left,
                "PROG1.PL1".into(),
                "log.txt,PROG2.PL1".into(),
                0
            ),
            "files only, in the pane's order"
        );
        press(&mut s, KeyCode::Down);
        assert_eq!(picker(&s).3, 1);
        press(&mut s, KeyCode::Down);
        assert_eq!(picker(&s).3, 1, "stops at the last");
        ch(&mut s, 'k');
        assert_eq!(picker(&s).3, 0);
        ch(&mut s, 'j');

        assert!(press(&mut s, KeyCode::Enter).is_empty());
        let d = transfer(&s);
        assert_eq!(d.kind, Kind::Append);
        assert_eq!(item_names(&d.items), ["PROG1.PL1"]);
        assert_eq!(d.append_target.as_ref().unwrap().name, "PROG2.PL1");
        assert_eq!(d.append_target.as_ref().unwrap().size, Some(3 * 1024));

        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].kind, Kind::Append);
        assert_eq!(loc(&jobs[0].source), "mirror-a:21/pub/PROG1.PL1");
        assert_eq!(
            loc(&jobs[0].destination),
            "mirror-b:2121/in/PROG2.PL1",
            "the target file, not the source's name"
        );
        assert!(!jobs[0].recursive);
    }

    #[test]
    fn f4_preselects_a_file_of_the_same_name_and_esc_cancels() {
        let mut s = state();
        let mut entries = vec![entry("a", false, 1), entry("notes.txt", false, 2)];
        entries.push(entry("z", false, 3));
        s.pane_mut(Side::Right).set_entries(entries);
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(4));
        assert!(matches!(
            s.dialog,
            Some(Dialog::AppendPicker { cursor: 1, .. })
        ));
        assert!(press(&mut s, KeyCode::Esc).is_empty());
        assert!(s.dialog.is_none());
    }

    #[test]
    fn f4_refuses_directories_and_empty_targets() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "docs");
        press(&mut s, KeyCode::F(4));
        assert!(s.dialog.is_none());
        assert!(s.status.contains("put it on a file"), "{}", s.status);

        cursor_on(&mut s, Side::Left, "big.iso");
        s.pane_mut(Side::Right)
            .set_entries(vec![entry("only-a-dir", true, 0)]);
        press(&mut s, KeyCode::F(4));
        match &s.dialog {
            Some(Dialog::Message { title, text }) => {
                assert_eq!(title, "Append");
                assert!(text.contains("no file"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn appending_a_directory_is_refused() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "docs");
        press(&mut s, KeyCode::F(5));
        press(&mut s, KeyCode::Tab);
        assert_eq!(transfer(&s).kind, Kind::Append);
        let fx = press(&mut s, KeyCode::Enter);
        assert!(fx.is_empty());
        assert!(matches!(&s.dialog, Some(Dialog::Message { title, .. }) if title == "Append"));
    }

    // ---- rename, mkdir, delete --------------------------------------------

    #[test]
    fn shift_f6_renames() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "big.iso");
        update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
        assert!(matches!(
            s.dialog,
            Some(Dialog::Input {
                purpose: InputPurpose::Rename(Side::Left),
                ..
            })
        ));
        assert_eq!(input_text(&s), "big.iso", "starts from the old name");
        for _ in 0..4 {
            press(&mut s, KeyCode::Backspace);
        }
        type_text(&mut s, ".img");
        assert_eq!(input_text(&s), "big.img");
        let fx = press(&mut s, KeyCode::Enter);
        assert!(s.dialog.is_none());
        match fx.as_slice() {
            [
                Effect::Rename {
                    side,
                    from,
                    to,
                    overwrite: false,
                },
            ] => {
                assert_eq!(*side, Side::Left);
                assert_eq!(from, b"/pub/big.iso");
                assert_eq!(to, b"/pub/big.img");
            }
            other => panic!("{other:?}"),
        }
        // On `..` there is nothing to rename.
        press(&mut s, KeyCode::Home);
        update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
        assert!(s.dialog.is_none());
    }

    #[test]
    fn f7_makes_a_directory() {
        let mut s = state();
        press(&mut s, KeyCode::F(7));
        assert!(matches!(
            s.dialog,
            Some(Dialog::Input {
                purpose: InputPurpose::Mkdir(Side::Left),
                ..
            })
        ));
        assert_eq!(input_text(&s), "");
        type_text(&mut s, "new dir");
        let fx = press(&mut s, KeyCode::Enter);
        match fx.as_slice() {
            [Effect::Mkdir { side, path }] => {
                assert_eq!(*side, Side::Left);
                assert_eq!(path, b"/pub/new dir");
            }
            other => panic!("{other:?}"),
        }
        press(&mut s, KeyCode::F(7));
        assert!(
            press(&mut s, KeyCode::Enter).is_empty(),
            "no name, no mkdir"
        );
        assert!(s.dialog.is_none());
    }

    #[test]
    fn arrow_keys_do_not_wipe_an_input_without_history() {
        let mut s = state();
        press(&mut s, KeyCode::F(7));
        type_text(&mut s, "abc");
        press(&mut s, KeyCode::Down);
        assert_eq!(input_text(&s), "abc");
        press(&mut s, KeyCode::Up);
        assert_eq!(input_text(&s), "abc");
    }

    #[test]
    fn f8_asks_then_deletes_with_directories_flagged() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "docs");
        press(&mut s, KeyCode::Insert);
        press(&mut s, KeyCode::Insert);
        press(&mut s, KeyCode::F(8));
        match &s.dialog {
            Some(Dialog::ConfirmDelete { side, items }) => {
                assert_eq!(*side, Side::Left);
                assert_eq!(item_names(items), ["docs", "big.iso"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(ch(&mut s, 'x').is_empty(), "other keys keep asking");
        assert!(matches!(s.dialog, Some(Dialog::ConfirmDelete { .. })));
        let fx = press(&mut s, KeyCode::Enter);
        match fx.as_slice() {
            [Effect::Delete { side, paths }] => {
                assert_eq!(*side, Side::Left);
                assert_eq!(
                    paths,
                    &vec![
                        (b"/pub/docs".to_vec(), true),
                        (b"/pub/big.iso".to_vec(), false)
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(s.dialog.is_none());
        assert!(s.pane(Side::Left).selected.is_empty());

        // Esc and n say no.
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(8));
        assert!(press(&mut s, KeyCode::Esc).is_empty());
        press(&mut s, KeyCode::F(8));
        assert!(ch(&mut s, 'n').is_empty());
        assert!(s.dialog.is_none());
        // Nothing under the cursor: no question.
        press(&mut s, KeyCode::Home);
        press(&mut s, KeyCode::F(8));
        assert!(s.dialog.is_none());
    }

    // ---- transfers panel and quit -----------------------------------------

    #[test]
    fn f9_cancels_retries_and_clears() {
        let mut s = state();
        s.transfers.jobs = vec![
            job(1, "big.iso", JobState::Running),
            job(2, "a.txt", JobState::Failed("550 No".into())),
            job(3, "b.txt", JobState::Verified),
            job(4, "c.txt", JobState::Queued),
            job(5, "d.txt", JobState::Cancelled),
        ];
        press(&mut s, KeyCode::F(9));
        assert_eq!(s.focus, Focus::Transfers);
        assert_eq!(s.transfers.selected, 0);
        assert!(ch(&mut s, 'r').is_empty(), "a running job is not retried");
        let fx = ch(&mut s, 'c');
        assert!(matches!(fx.as_slice(), [Effect::Cancel(1)]), "{fx:?}");
        assert_eq!(s.status, "cancelling big.iso");
        press(&mut s, KeyCode::Down);
        assert_eq!(s.transfers.selected, 1);
        assert!(ch(&mut s, 'c').is_empty(), "a failed job is over");
        let fx = ch(&mut s, 'r');
        assert!(matches!(fx.as_slice(), [Effect::Retry(2)]), "{fx:?}");
        ch(&mut s, 'j');
        assert!(ch(&mut s, 'r').is_empty(), "a verified job is not retried");
        ch(&mut s, 'j');
        let fx = press(&mut s, KeyCode::Delete);
        assert!(matches!(fx.as_slice(), [Effect::Cancel(4)]), "{fx:?}");
        ch(&mut s, 'j');
        let fx = ch(&mut s, 'r');
        assert!(
            matches!(fx.as_slice(), [Effect::Retry(5)]),
            "cancelled jobs retry"
        );
        ch(&mut s, 'j');
        assert_eq!(s.transfers.selected, 4, "stops at the last");
        ch(&mut s, 'k');
        assert_eq!(s.transfers.selected, 3);

        assert!(ch(&mut s, 'x').is_empty());
        let ids: Vec<JobId> = s.transfers.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, [1, 4], "only unfinished jobs stay");
        assert_eq!(s.transfers.selected, 0);
        // The pane keys are left alone meanwhile.
        assert_eq!(s.pane(Side::Left).cursor, 0);

        press(&mut s, KeyCode::Esc);
        assert_eq!(s.focus, Focus::Pane(Side::Left));
    }

    #[test]
    fn quitting_asks_only_while_transfers_run() {
        let mut s = state();
        s.transfers.jobs = vec![job(1, "big.iso", JobState::Running)];
        assert!(ch(&mut s, 'q').is_empty());
        assert!(matches!(s.dialog, Some(Dialog::ConfirmQuit)));
        assert!(press(&mut s, KeyCode::Esc).is_empty());
        assert!(s.dialog.is_none() && !s.quit);
        press(&mut s, KeyCode::F(10));
        assert!(matches!(s.dialog, Some(Dialog::ConfirmQuit)));
        let fx = press(&mut s, KeyCode::Enter);
        assert!(matches!(fx.as_slice(), [Effect::Quit]));
        assert!(s.quit);

        let mut s = state();
        s.transfers.jobs = vec![job(1, "done", JobState::Verified)];
        let fx = ch(&mut s, 'q');
        assert!(matches!(fx.as_slice(), [Effect::Quit]), "{fx:?}");
        assert!(s.quit && s.dialog.is_none());
    }

    #[test]
    fn help_opens_and_q_closes_it_without_quitting() {
        let mut s = state();
        ch(&mut s, '?');
        assert!(matches!(s.dialog, Some(Dialog::Help { .. })));
        assert!(ch(&mut s, 'j').is_empty());
        assert!(
            matches!(s.dialog, Some(Dialog::Help { .. })),
            "other keys keep it"
        );
        assert!(ch(&mut s, 'q').is_empty());
        assert!(s.dialog.is_none() && !s.quit);
        press(&mut s, KeyCode::F(1));
        assert!(matches!(s.dialog, Some(Dialog::Help { .. })));
    }

    // ---- engine events ----------------------------------------------------

    #[test]
    fn engine_events_drive_the_rows() {
        let mut s = state();
        queued(
            &mut s,
            7,
            "ftp://mirror-a:21/pub/big.iso",
            "ftp://mirror-b:2121/in/big.iso",
            Kind::Copy,
        );
        queued(
            &mut s,
            8,
            "ftp://mirror-b:2121/in/PROG2.PL1",
            "ftp://mirror-a:21/pub/PROG1.PL1",
            Kind::Append,
        );
        let r = row(&s, 7);
        assert_eq!(
            (r.name.as_str(), r.destination_name.as_str()),
            ("big.iso", "big.iso")
        );
        assert_eq!(r.direction, "a→b");
        assert_eq!(r.state, JobState::Queued);
        assert_eq!(r.mode, None);
        let r = row(&s, 8);
        assert_eq!(r.direction, "b→a");
        assert_eq!(
            (r.name.as_str(), r.destination_name.as_str()),
            ("PROG2.PL1", "PROG1.PL1")
        );
        assert_eq!(r.kind, Kind::Append);

        let fx = engine(
            &mut s,
            7,
            EventKind::Started {
                mode: Mode::LstnSock,
                total: Some(1000),
                offset: 250,
            },
        );
        assert!(fx.is_empty());
        let r = row(&s, 7);
        assert_eq!(r.state, JobState::Running);
        assert_eq!(r.mode, Some(Mode::LstnSock));
        assert_eq!(
            (r.done, r.total),
            (250, Some(1000)),
            "a resume starts at the offset"
        );

        engine(
            &mut s,
            7,
            EventKind::Progress {
                done: 680,
                total: None,
                rate: 1_500_000.0,
                eta: Some(Duration::from_secs(12)),
                measured: true,
                elapsed: Duration::from_secs(1),
            },
        );
        let r = row(&s, 7);
        assert_eq!((r.done, r.total), (680, Some(1000)), "total kept");
        assert_eq!(r.rate, 1_500_000.0);
        assert_eq!(r.eta, Some(12));
        assert!(r.measured);
        assert_eq!(r.rates.iter().copied().collect::<Vec<_>>(), [1_500_000]);

        engine(
            &mut s,
            7,
            EventKind::ModeChanged {
                from: Mode::LstnSock,
                to: Mode::Fxp {
                    source_passive: false,
                },
                reason: "502 LSTN not understood".into(),
            },
        );
        let r = row(&s, 7);
        assert_eq!(
            r.mode,
            Some(Mode::Fxp {
                source_passive: false
            })
        );
        assert_eq!(r.note.as_deref(), Some("502 LSTN not understood"));

        let fx = engine(
            &mut s,
            7,
            EventKind::Verified {
                mode: Mode::Fxp {
                    source_passive: false,
                },
                bytes: 1000,
                size: 1000,
                check: crate::transfer::Check::Size,
                source_deleted: false,
            },
        );
        assert!(fx.is_empty(), "job 8 is still queued: no reload yet");
        let r = row(&s, 7);
        assert_eq!(r.state, JobState::Verified);
        assert_eq!((r.done, r.total), (1000, Some(1000)));
        assert_eq!(r.rate, 0.0);
        assert_eq!(r.note, None, "a size check is the ordinary one");
        // A digest check is said.
        engine(
            &mut s,
            7,
            EventKind::Verified {
                mode: Mode::LstnSock,
                bytes: 1000,
                size: 1000,
                check: crate::transfer::Check::Hash(crate::ftp::hash::Algorithm::Sha256),
                source_deleted: false,
            },
        );
        assert_eq!(row(&s, 7).note.as_deref(), Some("sha-256 matches"));
        assert_eq!(s.transfers.running(), 1);

        let fx = engine(
            &mut s,
            8,
            EventKind::Failed {
                reason: "append refused".into(),
                replies: vec!["553 Could not create file.".into(), "421 Bye".into()],
            },
        );
        assert_eq!(
            row(&s, 8).state,
            JobState::Failed("append refused [553 Could not create file.; 421 Bye]".into())
        );
        assert_eq!(
            s.status,
            "PROG2.PL1 failed: append refused [553 Could not create file.; 421 Bye]"
        );
        assert_eq!(
            lists(&fx),
            ["left:/pub", "right:/in"],
            "the last job ended: both panes reload"
        );
    }

    #[test]
    fn cancelled_walked_skipped_and_unknown_jobs() {
        let mut s = state();
        queued(
            &mut s,
            1,
            "ftp://mirror-a:21/pub/big.iso",
            "ftp://mirror-b:2121/in/big.iso",
            Kind::Copy,
        );
        queued(
            &mut s,
            2,
            "ftp://mirror-a:21/pub/docs",
            "ftp://mirror-b:2121/in/docs",
            Kind::Copy,
        );
        queued(
            &mut s,
            3,
            "ftp://mirror-a:21/pub/x",
            "ftp://mirror-b:2121/in/x",
            Kind::Move,
        );

        let fx = engine(
            &mut s,
            1,
            EventKind::Cancelled {
                partial: Some(2048),
            },
        );
        assert!(fx.is_empty());
        assert_eq!(row(&s, 1).state, JobState::Cancelled);
        assert_eq!(
            row(&s, 1).note.as_deref(),
            Some("2.0 KiB kept at the destination")
        );

        engine(
            &mut s,
            2,
            EventKind::Walked {
                files: 3,
                directories: 2,
            },
        );
        assert_eq!(
            row(&s, 2).state,
            JobState::Walked("3 files in 2 directories".into())
        );

        assert!(engine(&mut s, 99, EventKind::Cancelled { partial: None }).is_empty());
        assert_eq!(
            s.transfers.jobs.len(),
            3,
            "events of unknown jobs are ignored"
        );

        let fx = engine(
            &mut s,
            3,
            EventKind::Skipped {
                path: "/in/x".into(),
                reason: "exists".into(),
            },
        );
        assert_eq!(row(&s, 3).state, JobState::Skipped("exists".into()));
        assert_eq!(s.status, "skipped /in/x: exists");
        assert_eq!(lists(&fx), ["left:/pub", "right:/in"]);
    }

    #[test]
    fn cancelled_without_partial_and_retrying_notes() {
        let mut s = state();
        queued(
            &mut s,
            1,
            "/home/u/a",
            "ftp://mirror-b:2121/in/a",
            Kind::Copy,
        );
        engine(
            &mut s,
            1,
            EventKind::Retrying {
                attempt: 2,
                reason: "421 Too many users".into(),
                after: None,
            },
        );
        assert_eq!(
            row(&s, 1).note.as_deref(),
            Some("retry 2: 421 Too many users")
        );
        engine(&mut s, 1, EventKind::Cancelled { partial: None });
        assert_eq!(row(&s, 1).note, None);
    }

    #[test]
    fn direction_letters_follow_the_panes() {
        let mut s = state();
        // The local disk on the left.
        s.sites[0] = None;
        queued(
            &mut s,
            1,
            "/home/u/a.txt",
            "ftp://mirror-b:2121/in/a.txt",
            Kind::Copy,
        );
        queued(
            &mut s,
            2,
            "ftp://mirror-b:2121/in/b",
            "/home/u/b",
            Kind::Copy,
        );
        assert_eq!(row(&s, 1).direction, "a→b");
        assert_eq!(row(&s, 2).direction, "b→a");
    }

    #[test]
    fn direction_is_not_fooled_by_a_port_that_prefixes_another() {
        // Same host, ports 21 and 2121: "ftp://h:21" is a string prefix of
        // "ftp://h:2121/...".
        let mut s = state();
        s.sites = [Some(site("h", 21)), Some(site("h", 2121))];
        queued(
            &mut s,
            1,
            "ftp://h:2121/in/x",
            "ftp://h:21/pub/x",
            Kind::Copy,
        );
        queued(
            &mut s,
            2,
            "ftp://h:21/pub/y",
            "ftp://h:2121/in/y",
            Kind::Copy,
        );
        assert_eq!(row(&s, 1).direction, "b→a");
        assert_eq!(row(&s, 2).direction, "a→b");
    }

    #[test]
    fn sparkline_history_is_bounded() {
        let mut s = state();
        queued(
            &mut s,
            1,
            "ftp://mirror-a:21/pub/a",
            "ftp://mirror-b:2121/in/a",
            Kind::Copy,
        );
        for i in 0..(SPARKLINE_POINTS as u64 + 5) {
            engine(
                &mut s,
                1,
                EventKind::Progress {
                    done: i,
                    total: Some(1000),
                    rate: i as f64,
                    eta: None,
                    measured: true,
                    elapsed: Duration::from_secs(1),
                },
            );
        }
        let r = row(&s, 1);
        assert_eq!(r.rates.len(), SPARKLINE_POINTS);
        assert_eq!(r.rates.front(), Some(&5), "oldest dropped");
        assert_eq!(r.eta, None);
    }

    // ---- connections and results ------------------------------------------

    fn typed_connect(s: &mut State, side: Side, url: &str) -> u64 {
        if side != s.active_side() {
            press(s, KeyCode::Tab);
        }
        press(s, KeyCode::F(2));
        clear_input(s);
        type_text(s, url);
        match press(s, KeyCode::Enter).as_slice() {
            [Effect::Connect { attempt, .. }] => *attempt,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn history_keeps_urls_without_passwords_and_only_those_that_worked() {
        let mut s = state();
        let attempt = typed_connect(&mut s, Side::Left, "ftp://bob:hunter2@127.0.0.2:2121/pub");
        assert!(s.history.is_empty(), "not before it worked");
        connected(&mut s, Side::Left, attempt);
        assert_eq!(s.history, ["ftp://bob@127.0.0.2:2121/pub"]);
        // A failed one and an invalid one are not added.
        let attempt = typed_connect(&mut s, Side::Left, "ftp://eve:pw@127.0.0.3/");
        update(
            &mut s,
            Action::ConnectFailed {
                side: Side::Left,
                attempt,
                error: "530 Login incorrect.".into(),
            },
        );
        press(&mut s, KeyCode::Esc);
        let attempt = typed_connect(&mut s, Side::Left, "ftp://[::1");
        update(
            &mut s,
            Action::ConnectFailed {
                side: Side::Left,
                attempt,
                error: "invalid URL".into(),
            },
        );
        assert_eq!(s.history, ["ftp://bob@127.0.0.2:2121/pub"]);
        assert!(!format!("{:?}", s.targets).contains("shown: \"ftp://eve:pw"));
    }

    #[test]
    fn both_panes_get_their_password_question_in_turn() {
        let mut s = state();
        let a = dialing(&mut s, Side::Left, "ftp://u@127.0.0.2/");
        let b = dialing(&mut s, Side::Right, "ftp://u@127.0.0.3/");
        for (side, attempt, url) in [
            (Side::Left, a, "ftp://u@127.0.0.2/"),
            (Side::Right, b, "ftp://u@127.0.0.3/"),
        ] {
            update(
                &mut s,
                Action::NeedPassword {
                    side,
                    attempt,
                    url: url.into(),
                },
            );
        }
        let asked = |s: &State| match &s.dialog {
            Some(Dialog::Input {
                purpose: InputPurpose::Password(side),
                title,
                ..
            }) => (*side, title.clone()),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            asked(&s),
            (
                Side::Left,
                "Password for ftp://u@127.0.0.2/ (left pane)".into()
            )
        );
        type_text(&mut s, "pw-a");
        match press(&mut s, KeyCode::Enter).as_slice() {
            [
                Effect::Connect {
                    side: Side::Left,
                    password: Some(p),
                    ..
                },
            ] => assert_eq!(p.expose(), "pw-a"),
            other => panic!("{other:?}"),
        }
        // The second question follows at once.
        assert_eq!(asked(&s).0, Side::Right);
        // Esc leaves that pane not connected, saying how to ask again.
        press(&mut s, KeyCode::Esc);
        assert!(s.dialog.is_none());
        assert!(
            s.pane(Side::Right)
                .error
                .as_deref()
                .is_some_and(|e| e.contains("Ctrl-R"))
        );
        assert!(!s.pane(Side::Right).loading);
        press(&mut s, KeyCode::Tab);
        let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
        match fx.as_slice() {
            [
                Effect::Connect {
                    side: Side::Right,
                    target,
                    password: None,
                    ..
                },
            ] => assert_eq!(target, "ftp://u@127.0.0.3/"),
            other => panic!("Ctrl-R dials again: {other:?}"),
        }
    }

    #[test]
    fn a_password_question_waits_behind_an_open_dialog() {
        let mut s = state();
        let a = dialing(&mut s, Side::Left, "ftp://u@127.0.0.2/");
        press(&mut s, KeyCode::F(1));
        update(
            &mut s,
            Action::NeedPassword {
                side: Side::Left,
                attempt: a,
                url: "ftp://u@127.0.0.2/".into(),
            },
        );
        assert!(matches!(s.dialog, Some(Dialog::Help { .. })));
        // A connect error elsewhere does not replace the open dialog either.
        let b = dialing(&mut s, Side::Right, "ftp://127.0.0.3/");
        update(
            &mut s,
            Action::ConnectFailed {
                side: Side::Right,
                attempt: b,
                error: "connection refused".into(),
            },
        );
        assert!(matches!(s.dialog, Some(Dialog::Help { .. })));
        press(&mut s, KeyCode::Esc);
        assert!(matches!(
            s.dialog,
            Some(Dialog::Input {
                purpose: InputPurpose::Password(Side::Left),
                ..
            })
        ));
    }

    #[test]
    fn esc_stops_a_pending_connect_and_its_late_result_is_dropped() {
        let mut s = state();
        let attempt = typed_connect(&mut s, Side::Right, "ftp://slow@127.0.0.9/");
        assert!(s.targets[1].as_ref().is_some_and(|t| t.connecting));
        let fx = press(&mut s, KeyCode::Esc);
        assert!(matches!(
            fx.as_slice(),
            [Effect::CancelConnect { side: Side::Right }]
        ));
        assert!(!s.pane(Side::Right).loading);
        assert!(
            s.status
                .contains("stopped connecting to ftp://slow@127.0.0.9/")
        );
        // The old pane stays as it was; the late answer changes nothing.
        let fx = connected(&mut s, Side::Right, attempt);
        assert!(fx.is_empty());
        assert_eq!(s.pane(Side::Right).cwd, b"/in");
        assert!(s.history.is_empty());
    }

    #[test]
    fn rename_onto_an_existing_name_asks() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "PROG1.PL1");
        update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
        clear_input(&mut s);
        type_text(&mut s, "notes.txt");
        assert!(
            press(&mut s, KeyCode::Enter).is_empty(),
            "nothing renamed yet"
        );
        assert!(matches!(s.dialog, Some(Dialog::ConfirmOverwrite { .. })));
        // Enter is not "yes".
        assert!(press(&mut s, KeyCode::Enter).is_empty());
        assert!(s.dialog.is_none());
        update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
        clear_input(&mut s);
        type_text(&mut s, "notes.txt");
        press(&mut s, KeyCode::Enter);
        match ch(&mut s, 'o').as_slice() {
            [
                Effect::Rename {
                    from,
                    to,
                    overwrite: true,
                    ..
                },
            ] => {
                assert_eq!(from, b"/pub/PROG1.PL1");
                assert_eq!(to, b"/pub/notes.txt");
            }
            other => panic!("{other:?}"),
        }
        // Renaming to its own name does nothing.
        update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
        assert!(press(&mut s, KeyCode::Enter).is_empty());
    }

    #[test]
    fn need_password_asks_masked_and_connects_with_it() {
        let mut s = state();
        let url = "ftp://user@mirror-a:21/pub".to_string();
        let attempt = dialing(&mut s, Side::Right, &url);
        assert!(
            update(
                &mut s,
                Action::NeedPassword {
                    side: Side::Right,
                    attempt,
                    url: url.clone(),
                },
            )
            .is_empty()
        );
        match &s.dialog {
            Some(Dialog::Input {
                purpose,
                masked,
                context,
                title,
                ..
            }) => {
                assert_eq!(*purpose, InputPurpose::Password(Side::Right));
                assert!(*masked);
                assert_eq!(context, &url);
                assert_eq!(
                    title,
                    "Password for ftp://user@mirror-a:21/pub (right pane)"
                );
            }
            other => panic!("{other:?}"),
        }
        type_text(&mut s, "hunter2");
        let fx = press(&mut s, KeyCode::Enter);
        match fx.as_slice() {
            [
                Effect::Connect {
                    side,
                    target,
                    password: Some(p),
                    ..
                },
            ] => {
                assert_eq!(*side, Side::Right);
                assert_eq!(target, &url);
                assert_eq!(p.expose(), "hunter2");
            }
            other => panic!("{other:?}"),
        }
        assert!(s.pane(Side::Right).loading);
        assert!(s.history.is_empty(), "passwords never reach the history");
    }

    #[test]
    fn connect_dialog_walks_the_history() {
        let mut s = state();
        s.history = vec!["ftp://a/".into(), "ftp://b/".into()];
        press(&mut s, KeyCode::F(2));
        assert!(matches!(
            s.dialog,
            Some(Dialog::Input {
                purpose: InputPurpose::Connect(Side::Left),
                ..
            })
        ));
        assert_eq!(input_text(&s), "ftp://");
        press(&mut s, KeyCode::Up);
        assert_eq!(input_text(&s), "ftp://a/", "newest first");
        press(&mut s, KeyCode::Up);
        assert_eq!(input_text(&s), "ftp://b/");
        press(&mut s, KeyCode::Up);
        assert_eq!(input_text(&s), "ftp://b/", "stops at the oldest");
        press(&mut s, KeyCode::Down);
        assert_eq!(input_text(&s), "ftp://a/");
        press(&mut s, KeyCode::Down);
        assert_eq!(input_text(&s), "", "past the newest: a blank line");
        type_text(&mut s, "ftp://c:2121/x");
        let fx = press(&mut s, KeyCode::Enter);
        match fx.as_slice() {
            [
                Effect::Connect {
                    side: Side::Left,
                    target,
                    password: None,
                    attempt,
                },
            ] => {
                assert_eq!(target, "ftp://c:2121/x");
                connected(&mut s, Side::Left, *attempt);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.history, ["ftp://c:2121/x", "ftp://a/", "ftp://b/"]);

        // Again with an old one: it moves to the front, once.
        press(&mut s, KeyCode::F(2));
        clear_input(&mut s);
        type_text(&mut s, "ftp://b/");
        let attempt = match press(&mut s, KeyCode::Enter).as_slice() {
            [Effect::Connect { attempt, .. }] => *attempt,
            other => panic!("{other:?}"),
        };
        assert!(s.pane(Side::Left).loading);
        connected(&mut s, Side::Left, attempt);
        assert_eq!(s.history, ["ftp://b/", "ftp://c:2121/x", "ftp://a/"]);

        // The bare prefix connects nowhere.
        press(&mut s, KeyCode::F(2));
        assert!(press(&mut s, KeyCode::Enter).is_empty());
        assert!(s.dialog.is_none());
    }

    /// The pane's connect worked (to the local disk, which is enough for
    /// the state's bookkeeping).
    fn connected(s: &mut State, side: Side, attempt: u64) -> Vec<Effect> {
        update(
            s,
            Action::Connected {
                side,
                attempt,
                place: Place::Local,
                site: None,
                cwd: b"/tmp".to_vec(),
                rfc438: false,
            },
        )
    }

    #[test]
    fn connected_failed_listed_and_op_done() {
        let mut s = state();
        let attempt = dialing(&mut s, Side::Right, "local:/tmp");
        let fx = update(
            &mut s,
            Action::Connected {
                side: Side::Right,
                attempt,
                place: Place::Local,
                site: None,
                cwd: b"/tmp".to_vec(),
                rfc438: false,
            },
        );
        assert_eq!(lists(&fx), ["right:/tmp"]);
        assert!(s.sites[1].is_none());
        assert!(s.pane(Side::Right).entries.is_empty() && s.pane(Side::Right).loading);

        update(
            &mut s,
            Action::Listed {
                side: Side::Right,
                path: b"/tmp".to_vec(),
                result: Err("550 No such directory".into()),
            },
        );
        assert_eq!(
            s.pane(Side::Right).error.as_deref(),
            Some("550 No such directory")
        );
        assert_eq!(s.status, "right pane: 550 No such directory");
        assert!(!s.pane(Side::Right).loading);

        let attempt = dialing(&mut s, Side::Left, "ftp://u:pw@mirror-a/");
        update(
            &mut s,
            Action::ConnectFailed {
                side: Side::Left,
                attempt,
                error: "530 Login incorrect.".into(),
            },
        );
        assert!(matches!(&s.dialog, Some(Dialog::Message { title, text })
            if title == "Cannot connect" && text == "530 Login incorrect."));
        assert_eq!(
            s.pane(Side::Left).error.as_deref(),
            Some("530 Login incorrect. (Ctrl-R tries again)")
        );
        press(&mut s, KeyCode::Enter);
        assert!(s.dialog.is_none());

        let fx = update(
            &mut s,
            Action::OpDone {
                side: Side::Left,
                result: Ok("made /pub/new".into()),
            },
        );
        assert_eq!(lists(&fx), ["left:/pub"]);
        assert_eq!(s.status, "made /pub/new");
        let fx = update(
            &mut s,
            Action::OpDone {
                side: Side::Left,
                result: Err("550 Permission denied".into()),
            },
        );
        assert_eq!(lists(&fx), ["left:/pub"]);
        assert!(
            matches!(&s.dialog, Some(Dialog::Message { title, .. }) if title == "Operation failed")
        );

        update(&mut s, Action::Notice("reconnected to mirror-a".into()));
        assert_eq!(s.status, "reconnected to mirror-a");
        update(&mut s, Action::Resize(100, 40));
        assert_eq!(s.size, (100, 40));
    }

    // ---- mouse ------------------------------------------------------------

    #[test]
    fn click_focuses_and_moves_the_cursor() {
        let mut s = state();
        let t = Instant::now();
        let p = row_point(&s, Side::Right, 2);
        assert!(down(&mut s, p, t).is_empty());
        up(&mut s, p, t);
        assert_eq!(s.focus, Focus::Pane(Side::Right));
        assert_eq!(cursor_name(&s, Side::Right).as_deref(), Some("log.txt"));
        assert!(s.drag.is_none());
        assert!(s.dialog.is_none());

        // Below the last row: focus, but the cursor stays.
        let r = areas(80, 24).rows[0];
        let below = (r.x + 3, r.y + 10);
        down(&mut s, below, t + Duration::from_secs(1));
        assert_eq!(s.focus, Focus::Pane(Side::Left));
        assert_eq!(s.pane(Side::Left).cursor, 0);
    }

    #[test]
    fn click_on_a_scrolled_pane_hits_the_row_shown() {
        let mut s = long_state();
        press(&mut s, KeyCode::End);
        let scroll = s.pane(Side::Left).scroll;
        assert_eq!(scroll, 28);
        let r = areas(80, 24).rows[0];
        down(&mut s, (r.x + 2, r.y), Instant::now());
        assert_eq!(s.pane(Side::Left).cursor, 28);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("f27"));
    }

    #[test]
    fn double_click_opens() {
        let mut s = state();
        let t = Instant::now();
        let p = row_point(&s, Side::Left, 1);
        assert!(down(&mut s, p, t).is_empty());
        up(&mut s, p, t + Duration::from_millis(80));
        let fx = down(&mut s, p, t + Duration::from_millis(300));
        assert_eq!(lists(&fx), ["left:/pub/docs"]);
        assert!(
            s.last_click.is_none(),
            "a third click is not another double"
        );

        // Too slow: two clicks.
        let mut s = state();
        down(&mut s, p, t);
        up(&mut s, p, t);
        assert!(down(&mut s, p, t + Duration::from_millis(500)).is_empty());

        // Another row: two clicks.
        let mut s = state();
        down(&mut s, p, t);
        up(&mut s, p, t);
        let q = row_point(&s, Side::Left, 2);
        assert!(down(&mut s, q, t + Duration::from_millis(100)).is_empty());
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));
    }

    #[test]
    fn wheel_moves_the_cursor_of_the_pane_under_it() {
        let mut s = long_state();
        let t = Instant::now();
        let p = row_point(&s, Side::Left, 5);
        update(&mut s, mouse(MouseEventKind::ScrollDown, p.0, p.1, t));
        assert_eq!(s.pane(Side::Left).cursor, 3);
        update(&mut s, mouse(MouseEventKind::ScrollDown, p.0, p.1, t));
        assert_eq!(s.pane(Side::Left).cursor, 6);
        update(&mut s, mouse(MouseEventKind::ScrollUp, p.0, p.1, t));
        assert_eq!(s.pane(Side::Left).cursor, 3);
        let q = row_point(&s, Side::Right, 1);
        update(&mut s, mouse(MouseEventKind::ScrollDown, q.0, q.1, t));
        assert_eq!(s.pane(Side::Right).cursor, 3, "clamped to the last row");
        assert_eq!(s.focus, Focus::Pane(Side::Left), "the wheel does not focus");
        assert_eq!(s.pane(Side::Left).cursor, 3);

        // Over the transfers panel it walks the rows.
        s.transfers.jobs = (1..=5).map(|i| job(i, "x", JobState::Queued)).collect();
        let tr = areas(80, 24).transfer_rows;
        update(&mut s, mouse(MouseEventKind::ScrollDown, tr.x + 1, tr.y, t));
        assert_eq!(s.transfers.selected, 3);
        update(&mut s, mouse(MouseEventKind::ScrollDown, tr.x + 1, tr.y, t));
        assert_eq!(s.transfers.selected, 4);
    }

    /// 30 rows: 0..20 verified, 20 running, the rest queued.
    fn busy_panel(s: &mut State) {
        s.transfers.jobs = (0..30)
            .map(|i| {
                let state = match i {
                    0..20 => JobState::Verified,
                    20 => JobState::Running,
                    _ => JobState::Queued,
                };
                job(i, &format!("f{i:02}"), state)
            })
            .collect();
    }

    #[test]
    fn the_panel_follows_the_running_work_and_says_what_is_hidden() {
        let mut s = state();
        busy_panel(&mut s);
        let a = areas(80, 24);
        assert_eq!(transfers_scroll(&s, &a), 20, "from the running row");
        // All done: the newest rows.
        for j in &mut s.transfers.jobs {
            j.state = JobState::Verified;
        }
        let h = a.transfer_rows.height as usize;
        assert_eq!(transfers_scroll(&s, &a), 30 - h);
        // A new one queued while others ended: it is in view.
        queued(
            &mut s,
            99,
            "ftp://mirror-a/pub/new",
            "ftp://mirror-b:2121/in/new",
            Kind::Copy,
        );
        let first = transfers_scroll(&s, &a);
        assert!((first..first + h).contains(&30), "the new row is shown");
    }

    #[test]
    fn with_the_panel_focused_movement_keys_move_its_selection_only() {
        let mut s = state();
        busy_panel(&mut s);
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(9));
        assert_eq!(s.focus, Focus::Transfers);
        assert_eq!(s.transfers.selected, 20, "on the running row in view");
        let a = areas(80, 24);
        let h = a.transfer_rows.height as usize;
        ch(&mut s, 'G');
        assert_eq!(s.transfers.selected, 29);
        assert_eq!(transfers_scroll(&s, &a), 30 - h, "scrolled with it");
        ch(&mut s, 'g');
        assert_eq!(s.transfers.selected, 0);
        assert_eq!(transfers_scroll(&s, &a), 0);
        press(&mut s, KeyCode::PageDown);
        assert_eq!(s.transfers.selected, h);
        press(&mut s, KeyCode::End);
        press(&mut s, KeyCode::PageUp);
        assert_eq!(s.transfers.selected, 29 - h);
        press(&mut s, KeyCode::Home);
        ch(&mut s, 'j');
        ch(&mut s, 'k');
        assert_eq!(s.transfers.selected, 0);
        // Keys that act on a file pane do not reach the hidden one.
        for c in ['h', 'l', ' ', '*', 'N'] {
            ch(&mut s, c);
        }
        press(&mut s, KeyCode::Backspace);
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("notes.txt"));
        assert!(s.pane(Side::Left).selected.is_empty());
        // G then c cancels the last row: the running one is untouched.
        press(&mut s, KeyCode::End);
        let fx = ch(&mut s, 'c');
        assert!(matches!(fx.as_slice(), [Effect::Cancel(29)]), "{fx:?}");
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::F(5));
        assert_eq!(item_names(&transfer(&s).items), ["notes.txt"]);
    }

    #[test]
    fn click_on_the_transfers_panel_selects_a_row() {
        let mut s = state();
        s.transfers.jobs = (1..=3).map(|i| job(i, "x", JobState::Queued)).collect();
        let tr = areas(80, 24).transfer_rows;
        down(&mut s, (tr.x + 5, tr.y + 2), Instant::now());
        assert_eq!(s.focus, Focus::Transfers);
        assert_eq!(s.transfers.selected, 2);
        down(
            &mut s,
            (tr.x + 5, tr.y + 4),
            Instant::now() + Duration::from_secs(1),
        );
        assert_eq!(s.transfers.selected, 2, "no row there");
    }

    #[test]
    fn fkey_bar_cells_run_their_commands() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "big.iso");
        let cells = layout::fkey_cells(areas(80, 24).fkeys);
        let cell = |label: &str| {
            let (r, ..) = cells.iter().find(|c| c.2 == label).unwrap();
            (r.x + 1, r.y)
        };
        let t = Instant::now();
        down(&mut s, cell("Copy"), t);
        let d = transfer(&s);
        assert_eq!(d.kind, Kind::Copy);
        assert_eq!(item_names(&d.items), ["big.iso"]);
        press(&mut s, KeyCode::Esc);

        down(&mut s, cell("Move"), t);
        assert_eq!(transfer(&s).kind, Kind::Move);
        press(&mut s, KeyCode::Esc);

        down(&mut s, cell("Help"), t);
        assert!(matches!(s.dialog, Some(Dialog::Help { .. })));
        press(&mut s, KeyCode::Esc);

        down(&mut s, cell("Transfers"), t);
        assert_eq!(s.focus, Focus::Transfers);

        let fx = down(&mut s, cell("Quit"), t);
        assert!(matches!(fx.as_slice(), [Effect::Quit]), "{fx:?}");
    }

    // ---- drag and drop ----------------------------------------------------

    #[test]
    fn dragging_an_entry_to_the_other_pane_opens_the_copy_dialog() {
        let mut s = state();
        let t = Instant::now();
        let start = row_point(&s, Side::Left, 2);
        down(&mut s, start, t);
        let d = s
            .drag
            .as_ref()
            .expect("a press on an entry may start a drag");
        assert_eq!(d.from, Side::Left);
        assert_eq!(item_names(&d.items), ["big.iso"]);
        assert!(!d.active);
        assert_eq!((d.start, d.pos), (start, start));

        drag_to(&mut s, (start.0 + 1, start.1), t);
        assert!(
            !s.drag.as_ref().unwrap().active,
            "one column is a shaky click"
        );
        let over = row_point(&s, Side::Right, 3);
        drag_to(&mut s, over, t);
        let d = s.drag.as_ref().unwrap();
        assert!(d.active);
        assert_eq!(d.pos, over);

        assert!(up(&mut s, over, t).is_empty());
        assert!(s.drag.is_none());
        let d = transfer(&s);
        assert_eq!(d.kind, Kind::Copy);
        assert_eq!(d.from, Side::Left);
        assert_eq!(item_names(&d.items), ["big.iso"]);
        assert_eq!(d.destination_dir, b"/in");
        assert_eq!(s.focus, Focus::Pane(Side::Left));
        let fx = press(&mut s, KeyCode::Enter);
        assert_eq!(
            loc(&submits(&fx)[0].destination),
            "mirror-b:2121/in/big.iso"
        );
    }

    #[test]
    fn a_drop_on_the_same_pane_or_a_mere_click_opens_nothing() {
        let mut s = state();
        let t = Instant::now();
        let start = row_point(&s, Side::Left, 2);
        down(&mut s, start, t);
        let same = row_point(&s, Side::Left, 4);
        drag_to(&mut s, same, t);
        assert!(s.drag.as_ref().unwrap().active);
        assert!(up(&mut s, same, t).is_empty());
        assert!(s.dialog.is_none());
        assert!(s.drag.is_none());
        assert_eq!(s.status, "drop on the other pane to copy there");

        // Press and release on the other pane without moving: a click.
        let mut s = state();
        down(&mut s, start, t);
        {
            let p = row_point(&s, Side::Right, 1);
            up(&mut s, p, t)
        };
        assert!(s.dialog.is_none());

        // No drag from `..`.
        {
            let p = row_point(&s, Side::Left, 0);
            down(&mut s, p, t + Duration::from_secs(1))
        };
        assert!(s.drag.is_none());
    }

    #[test]
    fn dragging_a_selected_entry_drags_the_selection() {
        let mut s = state();
        for name in ["docs", "notes.txt"] {
            s.pane_mut(Side::Left)
                .selected
                .insert(name.as_bytes().to_vec());
        }
        let t = Instant::now();
        {
            let p = row_point(&s, Side::Left, 3);
            down(&mut s, p, t)
        }; // notes.txt
        assert_eq!(
            item_names(&s.drag.as_ref().unwrap().items),
            ["docs", "notes.txt"]
        );
        let over = row_point(&s, Side::Right, 1);
        drag_to(&mut s, over, t);
        up(&mut s, over, t);
        assert_eq!(item_names(&transfer(&s).items), ["docs", "notes.txt"]);
        let fx = press(&mut s, KeyCode::Enter);
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 2);
        assert!(jobs[0].recursive && !jobs[1].recursive);

        // An unselected entry goes alone.
        let mut s = state();
        s.pane_mut(Side::Left).selected.insert(b"docs".to_vec());
        {
            let p = row_point(&s, Side::Left, 2);
            down(&mut s, p, t)
        };
        assert_eq!(item_names(&s.drag.as_ref().unwrap().items), ["big.iso"]);
    }

    #[test]
    fn dragging_from_right_to_left() {
        let mut s = state();
        let t = Instant::now();
        let start = row_point(&s, Side::Right, 3); // PROG2.PL1
        down(&mut s, start, t);
        let over = row_point(&s, Side::Left, 1);
        drag_to(&mut s, over, t);
        up(&mut s, over, t);
        let d = transfer(&s);
        assert_eq!(d.from, Side::Right);
        assert_eq!(item_names(&d.items), ["PROG2.PL1"]);
        assert_eq!(
            (d.source_dir.as_slice(), d.destination_dir.as_slice()),
            (&b"/in"[..], &b"/pub"[..])
        );
    }

    // ---- dialogs with the mouse -------------------------------------------

    #[test]
    fn transfer_dialog_buttons_click() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "big.iso");
        press(&mut s, KeyCode::F(5));
        let t = Instant::now();
        {
            let p = button(&s, Button::Kind(Kind::Move));
            down(&mut s, p, t)
        };
        assert_eq!(transfer(&s).kind, Kind::Move);
        {
            let p = button(&s, Button::Kind(Kind::Append));
            down(&mut s, p, t)
        };
        assert_eq!(transfer(&s).kind, Kind::Append);
        {
            let p = button(&s, Button::Kind(Kind::Copy));
            down(&mut s, p, t)
        };
        assert_eq!(transfer(&s).kind, Kind::Copy);
        for c in [
            Conflict::Overwrite,
            Conflict::Resume,
            Conflict::Append,
            Conflict::Skip,
            Conflict::Rename,
            Conflict::Ask,
        ] {
            {
                let p = button(&s, Button::Conflict(c));
                down(&mut s, p, t)
            };
            assert_eq!(transfer(&s).conflict, c);
        }
        {
            let p = button(&s, Button::Conflict(Conflict::Resume));
            down(&mut s, p, t)
        };
        // A click inside the dialog but on no button changes nothing.
        let (bx, by) = button(&s, Button::Kind(Kind::Copy));
        down(&mut s, (bx, by - 2), t);
        assert_eq!(transfer(&s).kind, Kind::Copy);
        // A click on a pane behind the dialog is ignored.
        down(&mut s, (2, 2), t);
        assert!(matches!(s.dialog, Some(Dialog::Transfer(_))));
        assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));

        let fx = {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        let jobs = submits(&fx);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].kind, Kind::Copy);
        assert_eq!(jobs[0].conflict, Conflict::Resume);
        assert!(s.dialog.is_none());

        press(&mut s, KeyCode::F(5));
        assert!(
            {
                let p = button(&s, Button::Cancel);
                down(&mut s, p, t)
            }
            .is_empty()
        );
        assert!(s.dialog.is_none());
    }

    #[test]
    fn transfer_dialog_buttons_all_fit_on_a_small_terminal() {
        let mut s = state();
        update(&mut s, Action::Resize(60, 20));
        cursor_on(&mut s, Side::Left, "big.iso");
        press(&mut s, KeyCode::F(5));
        let t = Instant::now();
        {
            let p = button(&s, Button::Conflict(Conflict::Rename));
            down(&mut s, p, t)
        };
        assert_eq!(transfer(&s).conflict, Conflict::Rename);
        {
            let p = button(&s, Button::Kind(Kind::Move));
            down(&mut s, p, t)
        };
        // Every button sits inside the dialog, none overlaps the next.
        let buttons = render::dialog_buttons(&s);
        assert_eq!(buttons.len(), 3 + 6 + 2);
        for pair in buttons.windows(2) {
            let (a, b) = (pair[0].0, pair[1].0);
            assert!(a.y != b.y || a.x + a.width < b.x, "{a:?} {b:?}");
            assert!(b.x + b.width <= 60);
        }
        let fx = {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        assert_eq!(submits(&fx)[0].kind, Kind::Move);

        // The question about an existing file, likewise.
        queued(
            &mut s,
            1,
            "ftp://mirror-a:21/pub/a",
            "ftp://mirror-b:2121/in/a",
            Kind::Copy,
        );
        conflict_event(&mut s, 1, "a");
        assert_eq!(render::dialog_buttons(&s).len(), 5 + 1);
        let p = button(&s, Button::Answer(Conflict::Rename));
        assert_eq!(answers(&down(&mut s, p, t)), [(1, Conflict::Rename)]);
    }

    #[test]
    fn append_picker_rows_click() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "PROG1.PL1");
        press(&mut s, KeyCode::F(4));
        let t = Instant::now();
        {
            let p = button(&s, Button::Pick(1));
            down(&mut s, p, t)
        };
        let d = transfer(&s);
        assert_eq!(d.kind, Kind::Append);
        assert_eq!(d.append_target.as_ref().unwrap().name, "PROG2.PL1");
        let fx = {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        assert_eq!(
            loc(&submits(&fx)[0].destination),
            "mirror-b:2121/in/PROG2.PL1"
        );
    }

    #[test]
    fn other_dialogs_answer_clicks() {
        let mut s = state();
        let t = Instant::now();
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(8));
        let fx = {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        assert!(matches!(fx.as_slice(), [Effect::Delete { .. }]), "{fx:?}");

        press(&mut s, KeyCode::F(7));
        type_text(&mut s, "d");
        let fx = {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        assert!(matches!(fx.as_slice(), [Effect::Mkdir { .. }]), "{fx:?}");

        press(&mut s, KeyCode::F(3));
        assert!(matches!(s.dialog, Some(Dialog::Message { .. })));
        {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        assert!(s.dialog.is_none());

        s.transfers.jobs = vec![job(1, "x", JobState::Running)];
        ch(&mut s, 'q');
        assert!(
            {
                let p = button(&s, Button::Cancel);
                down(&mut s, p, t)
            }
            .is_empty()
        );
        assert!(s.dialog.is_none() && !s.quit);
        ch(&mut s, 'q');
        let fx = {
            let p = button(&s, Button::Ok);
            down(&mut s, p, t)
        };
        assert!(matches!(fx.as_slice(), [Effect::Quit]));
    }

    // ---- "the destination exists" questions -------------------------------

    fn conflict_event(s: &mut State, job: JobId, name: &str) -> Vec<Effect> {
        engine(
            s,
            job,
            EventKind::Conflict {
                destination: format!("ftp://mirror-b:2121/in/{name}"),
                source_size: 2048,
                destination_size: 1024,
            },
        )
    }

    fn asked_job(s: &State) -> Option<(JobId, bool)> {
        match &s.dialog {
            Some(Dialog::Conflict { job, for_all, .. }) => Some((*job, *for_all)),
            _ => None,
        }
    }

    fn answers(fx: &[Effect]) -> Vec<(JobId, Conflict)> {
        fx.iter()
            .map(|e| match e {
                Effect::Answer(j, c) => (*j, *c),
                other => panic!("expected only answers, got {other:?}"),
            })
            .collect()
    }

    fn three_queued() -> State {
        let mut s = state();
        for (id, name) in [(1, "a"), (2, "b"), (3, "c")] {
            queued(
                &mut s,
                id,
                &format!("ftp://mirror-a:21/pub/{name}"),
                &format!("ftp://mirror-b:2121/in/{name}"),
                Kind::Copy,
            );
        }
        s
    }

    #[test]
    fn a_conflict_asks_and_each_key_answers() {
        for (code, want) in [
            (KeyCode::Char('o'), Conflict::Overwrite),
            (KeyCode::Enter, Conflict::Overwrite),
            (KeyCode::Char('r'), Conflict::Resume),
            (KeyCode::Char('a'), Conflict::Append),
            (KeyCode::Char('s'), Conflict::Skip),
            (KeyCode::Esc, Conflict::Skip),
            (KeyCode::Char('n'), Conflict::Rename),
        ] {
            let mut s = three_queued();
            assert!(conflict_event(&mut s, 2, "b").is_empty());
            match &s.dialog {
                Some(Dialog::Conflict {
                    job,
                    destination,
                    source_size,
                    destination_size,
                    for_all,
                }) => {
                    assert_eq!(*job, 2);
                    assert_eq!(destination, "ftp://mirror-b:2121/in/b");
                    assert_eq!((*source_size, *destination_size), (2048, 1024));
                    assert!(!for_all);
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(
                row(&s, 2).note.as_deref(),
                Some("the destination exists: waiting for a choice")
            );
            assert!(
                press(&mut s, KeyCode::Char('x')).is_empty(),
                "not an answer"
            );
            assert_eq!(asked_job(&s), Some((2, false)));
            let fx = press(&mut s, code);
            assert_eq!(answers(&fx), [(2, want)], "{code:?}");
            assert!(s.dialog.is_none());
        }
    }

    #[test]
    fn conflicts_queue_behind_the_open_question() {
        let mut s = three_queued();
        conflict_event(&mut s, 1, "a");
        conflict_event(&mut s, 2, "b");
        conflict_event(&mut s, 3, "c");
        assert_eq!(asked_job(&s), Some((1, false)));
        assert_eq!(s.pending_conflicts.len(), 2);
        let fx = ch(&mut s, 'r');
        assert_eq!(answers(&fx), [(1, Conflict::Resume)]);
        assert_eq!(asked_job(&s), Some((2, false)), "the next question");
        // "for all": this answer and every later one.
        ch(&mut s, 'f');
        assert_eq!(asked_job(&s), Some((2, true)));
        ch(&mut s, ' ');
        assert_eq!(asked_job(&s), Some((2, false)), "space toggles back");
        ch(&mut s, 'f');
        let fx = ch(&mut s, 's');
        assert_eq!(answers(&fx), [(2, Conflict::Skip), (3, Conflict::Skip)]);
        assert!(s.dialog.is_none());
        assert!(s.pending_conflicts.is_empty());
        assert_eq!(s.conflict_for_all, Some(Conflict::Skip));

        queued(
            &mut s,
            4,
            "ftp://mirror-a:21/pub/d",
            "ftp://mirror-b:2121/in/d",
            Kind::Copy,
        );
        let fx = conflict_event(&mut s, 4, "d");
        assert_eq!(
            answers(&fx),
            [(4, Conflict::Skip)],
            "answered without asking"
        );
        assert!(s.dialog.is_none());

        // A new copy asks again.
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(5));
        press(&mut s, KeyCode::Enter);
        assert_eq!(s.conflict_for_all, None);
        queued(
            &mut s,
            5,
            "ftp://mirror-a:21/pub/e",
            "ftp://mirror-b:2121/in/e",
            Kind::Copy,
        );
        assert!(conflict_event(&mut s, 5, "e").is_empty());
        assert_eq!(asked_job(&s), Some((5, false)));
    }

    #[test]
    fn a_conflict_arriving_under_another_dialog_is_asked_when_it_closes() {
        let mut s = three_queued();
        ch(&mut s, '?');
        assert!(conflict_event(&mut s, 1, "a").is_empty());
        assert!(
            matches!(s.dialog, Some(Dialog::Help { .. })),
            "help stays on top"
        );
        press(&mut s, KeyCode::Esc);
        assert_eq!(
            asked_job(&s),
            Some((1, false)),
            "the job waits for an answer: the question must not be lost"
        );

        // Same under a copy dialog that gets confirmed.
        let mut s = three_queued();
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(5));
        conflict_event(&mut s, 2, "b");
        let fx = press(&mut s, KeyCode::Enter);
        assert_eq!(submits(&fx).len(), 1);
        assert_eq!(asked_job(&s), Some((2, false)));
    }

    #[test]
    fn conflict_buttons_click() {
        let mut s = three_queued();
        conflict_event(&mut s, 1, "a");
        conflict_event(&mut s, 2, "b");
        let t = Instant::now();
        let p = button(&s, Button::Answer(Conflict::Rename));
        let fx = down(&mut s, p, t);
        assert_eq!(answers(&fx), [(1, Conflict::Rename)]);
        assert_eq!(asked_job(&s), Some((2, false)));
        let p = button(&s, Button::ForAll);
        down(&mut s, p, t);
        assert_eq!(asked_job(&s), Some((2, true)));
        let p = button(&s, Button::Answer(Conflict::Append));
        let fx = down(&mut s, p, t);
        assert_eq!(answers(&fx), [(2, Conflict::Append)]);
        assert_eq!(s.conflict_for_all, Some(Conflict::Append));
        for c in [Conflict::Overwrite, Conflict::Resume, Conflict::Skip] {
            let mut s = three_queued();
            conflict_event(&mut s, 3, "c");
            let p = button(&s, Button::Answer(c));
            assert_eq!(answers(&down(&mut s, p, t)), [(3, c)]);
        }
    }

    // ---- saved sites ------------------------------------------------------

    #[test]
    fn connect_dialog_offers_saved_sites_first_and_ctrl_s_saves() {
        let mut s = state();
        s.saved_sites = vec![SiteEntry {
            name: "mirror".into(),
            url: "ftp://mirror-a/pub".into(),
            ..SiteEntry::default()
        }];
        s.history = vec!["ftp://b/".into()];
        press(&mut s, KeyCode::F(2));
        press(&mut s, KeyCode::Up);
        assert_eq!(input_text(&s), "mirror");
        press(&mut s, KeyCode::Up);
        assert_eq!(input_text(&s), "ftp://b/");

        clear_input(&mut s);
        type_text(&mut s, "ftp://joe:secret@files.example:2121/pub");
        let fx = update(&mut s, key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
        match fx.as_slice() {
            [
                Effect::SaveSite {
                    site,
                    replaces: None,
                },
            ] => {
                assert_eq!(site.name, "files.example");
                assert_eq!(site.url, "ftp://joe@files.example:2121/pub");
                assert!(!site.url.contains("secret"), "never the password");
                assert_eq!(site.password, None, "Ctrl-S keeps no password");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            input_text(&s),
            "ftp://joe:secret@files.example:2121/pub",
            "Ctrl-S types nothing"
        );
        clear_input(&mut s);
        type_text(&mut s, "not a url");
        let fx = update(&mut s, key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(fx.is_empty());

        // Ctrl-S means nothing in other inputs.
        press(&mut s, KeyCode::Esc);
        press(&mut s, KeyCode::F(7));
        let fx = update(&mut s, key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(fx.is_empty());
        assert_eq!(input_text(&s), "");
    }

    #[test]
    fn site_editor_edits_saves_renames_and_deletes() {
        let mut s = state();
        s.saved_sites = vec![SiteEntry {
            name: "mirror".into(),
            url: "ftp://bob@mirror-a:2121/pub".into(),
            password: Some("pw".into()),
            max_connections: Some(3),
            passive: Some(false),
            allow_foreign_passive: Some(true),
        }];
        // Ctrl-E on a saved name opens its fields.
        press(&mut s, KeyCode::F(2));
        clear_input(&mut s);
        type_text(&mut s, "mirror");
        update(&mut s, key_with(KeyCode::Char('e'), KeyModifiers::CONTROL));
        match &s.dialog {
            Some(Dialog::SiteEdit {
                original,
                fields,
                focus: 0,
                ..
            }) => {
                assert_eq!(original.as_deref(), Some("mirror"));
                assert_eq!(
                    fields,
                    &["mirror", "ftp://bob@mirror-a:2121/pub", "pw", "3", "no"].map(String::from)
                );
            }
            other => panic!("{other:?}"),
        }
        // Rename it and change the limit; Enter saves, replacing the old name.
        press(&mut s, KeyCode::Backspace);
        type_text(&mut s, "X");
        for _ in 0..3 {
            press(&mut s, KeyCode::Tab);
        }
        press(&mut s, KeyCode::Backspace);
        type_text(&mut s, "5");
        let fx = press(&mut s, KeyCode::Enter);
        match fx.as_slice() {
            [Effect::SaveSite { site, replaces }] => {
                assert_eq!(site.name, "mirroX");
                assert_eq!(replaces.as_deref(), Some("mirror"));
                assert_eq!(site.max_connections, Some(5));
                assert_eq!(site.passive, Some(false));
                assert_eq!(site.password.as_deref(), Some("pw"));
                // A setting the dialog does not show survives the edit.
                assert_eq!(site.allow_foreign_passive, Some(true));
            }
            other => panic!("{other:?}"),
        }
        assert!(s.dialog.is_none());

        // A bad field keeps the editor open and says why.
        press(&mut s, KeyCode::F(2));
        clear_input(&mut s);
        type_text(&mut s, "ftp://new.example/");
        update(&mut s, key_with(KeyCode::Char('e'), KeyModifiers::CONTROL));
        for _ in 0..4 {
            press(&mut s, KeyCode::Tab);
        }
        press(&mut s, KeyCode::Backspace);
        press(&mut s, KeyCode::Backspace);
        press(&mut s, KeyCode::Backspace);
        type_text(&mut s, "maybe");
        assert!(press(&mut s, KeyCode::Enter).is_empty());
        assert!(matches!(s.dialog, Some(Dialog::SiteEdit { .. })));
        assert!(s.status.contains("passive"), "{}", s.status);
        press(&mut s, KeyCode::Esc);

        // Ctrl-D deletes a saved site by name, and only a saved one.
        press(&mut s, KeyCode::F(2));
        clear_input(&mut s);
        type_text(&mut s, "nope");
        assert!(update(&mut s, key_with(KeyCode::Char('d'), KeyModifiers::CONTROL)).is_empty());
        clear_input(&mut s);
        type_text(&mut s, "mirror");
        let fx = update(&mut s, key_with(KeyCode::Char('d'), KeyModifiers::CONTROL));
        assert!(matches!(fx.as_slice(), [Effect::DeleteSite(n)] if n == "mirror"));
        // The app answers with the new list.
        update(&mut s, Action::Sites(Vec::new()));
        assert!(s.saved_sites.is_empty());
    }

    #[test]
    fn site_fields_are_checked() {
        let f = |a: &str, b: &str, c: &str, d: &str, e: &str| [a, b, c, d, e].map(String::from);
        assert!(site_from_fields(&f("", "ftp://h/", "", "", "yes")).is_err());
        assert!(site_from_fields(&f("n", "http://h/", "", "", "yes")).is_err());
        assert!(site_from_fields(&f("n", "ftp://h/", "", "0", "yes")).is_err());
        let site = site_from_fields(&f("n", "ftp://u:secret@h/pub", "", "", "")).unwrap();
        assert_eq!(
            site.url, "ftp://u@h/pub",
            "the password never stays in the URL"
        );
        assert_eq!(site.password.as_deref(), Some("secret"));
        assert_eq!((site.max_connections, site.passive), (None, None));
    }

    #[test]
    fn the_viewer_shows_details_then_content_and_scrolls() {
        let mut s = state();
        cursor_on(&mut s, Side::Left, "notes.txt");
        press(&mut s, KeyCode::F(3));
        // A late answer for another file does not hijack the dialog.
        update(
            &mut s,
            Action::Peeked {
                name: "other".into(),
                result: Ok(b"x".to_vec()),
            },
        );
        assert!(matches!(s.dialog, Some(Dialog::Message { .. })));
        let body: Vec<u8> = (0..200)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        update(
            &mut s,
            Action::Peeked {
                name: "notes.txt".into(),
                result: Ok(body),
            },
        );
        let (lines, scroll) = match &s.dialog {
            Some(Dialog::View {
                title,
                lines,
                scroll,
            }) => {
                assert_eq!(title, "notes.txt");
                (lines.clone(), *scroll)
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(scroll, 0);
        assert_eq!(lines[0], "notes.txt", "details first");
        assert!(lines.iter().any(|l| l == "line 199"));
        press(&mut s, KeyCode::End);
        assert!(
            matches!(&s.dialog, Some(Dialog::View { scroll, .. }) if *scroll == lines.len() - 1)
        );
        press(&mut s, KeyCode::Home);
        press(&mut s, KeyCode::Down);
        assert!(matches!(&s.dialog, Some(Dialog::View { scroll: 1, .. })));
        press(&mut s, KeyCode::Esc);
        assert!(s.dialog.is_none());
        // A directory has nothing to peek at.
        cursor_on(&mut s, Side::Left, "docs");
        assert!(press(&mut s, KeyCode::F(3)).is_empty());
    }

    // ---- found reviewing the snapshots ------------------------------------

    #[test]
    fn help_scrolls_to_its_last_line() {
        let mut s = state();
        press(&mut s, KeyCode::F(1));
        let scroll = |s: &State| match s.dialog {
            Some(Dialog::Help { scroll }) => scroll,
            ref other => panic!("{other:?}"),
        };
        assert_eq!(scroll(&s), 0);
        let rows = render::help_rows(&s);
        let n = keymap::help_lines().len();
        assert_eq!(rows, 19, "80x24: 22-row box, borders, OK button");
        assert!(n > rows, "{n} lines need scrolling at 80x24");
        press(&mut s, KeyCode::Down);
        ch(&mut s, 'j');
        assert_eq!(scroll(&s), 2);
        ch(&mut s, 'k');
        assert_eq!(scroll(&s), 1);
        press(&mut s, KeyCode::End);
        assert_eq!(scroll(&s), n - rows);
        press(&mut s, KeyCode::Down);
        assert_eq!(scroll(&s), n - rows, "stops at the last line");
        press(&mut s, KeyCode::Home);
        press(&mut s, KeyCode::Up);
        assert_eq!(scroll(&s), 0);
        press(&mut s, KeyCode::PageDown);
        assert_eq!(scroll(&s), (n - rows).min(rows));
        press(&mut s, KeyCode::PageUp);
        assert_eq!(scroll(&s), 0);
        assert!(s.dialog.is_some() && !s.quit);

        // Tall enough: nothing to scroll.
        update(&mut s, Action::Resize(120, 50));
        press(&mut s, KeyCode::End);
        assert_eq!(scroll(&s), 0);
        assert!(render::help_rows(&s) >= n);
    }

    #[test]
    fn a_multi_line_error_is_one_status_line() {
        let mut s = state();
        let attempt = dialing(&mut s, Side::Left, "ftp://u@mirror-a/");
        update(
            &mut s,
            Action::ConnectFailed {
                side: Side::Left,
                attempt,
                error: "login refused:\n530 Login incorrect.\n".into(),
            },
        );
        assert_eq!(
            s.status,
            "Cannot connect: login refused: 530 Login incorrect."
        );
        match &s.dialog {
            Some(Dialog::Message { text, .. }) => {
                assert_eq!(
                    text, "login refused:\n530 Login incorrect.\n",
                    "the dialog keeps the lines"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn leaving_the_transfers_panel_returns_to_the_pane_that_had_focus() {
        let mut s = state();
        s.transfers.jobs = vec![job(1, "big.iso", JobState::Running)];
        press(&mut s, KeyCode::Tab);
        cursor_on(&mut s, Side::Right, "log.txt");
        press(&mut s, KeyCode::F(9));
        assert_eq!(s.focus, Focus::Transfers);
        assert_eq!(s.active_side(), Side::Right);
        // A pane command from the panel acts on that pane.
        press(&mut s, KeyCode::F(5));
        assert_eq!(transfer(&s).from, Side::Right);
        assert_eq!(item_names(&transfer(&s).items), ["log.txt"]);
        press(&mut s, KeyCode::Esc);
        assert_eq!(s.focus, Focus::Transfers, "Esc closed the dialog only");
        press(&mut s, KeyCode::Esc);
        assert_eq!(s.focus, Focus::Pane(Side::Right));
        // Clicked into the panel from the left pane, Tab goes back left.
        let t = Instant::now();
        let p = row_point(&s, Side::Left, 1);
        down(&mut s, p, t);
        up(&mut s, p, t);
        let tr = areas(80, 24).transfer_rows;
        down(&mut s, (tr.x + 1, tr.y), t + Duration::from_secs(1));
        assert_eq!(s.focus, Focus::Transfers);
        press(&mut s, KeyCode::Tab);
        assert_eq!(s.focus, Focus::Pane(Side::Left));
    }
}
