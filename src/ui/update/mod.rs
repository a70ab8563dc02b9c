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
mod tests;
