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
use crate::ftp::Entry;
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
    Listed {
        side: Side,
        path: Vec<u8>,
        result: Result<Vec<Entry>, String>,
    },
    Connected {
        side: Side,
        place: Place,
        site: Option<Arc<FtpSite>>,
        cwd: Vec<u8>,
        rfc438: bool,
    },
    ConnectFailed {
        side: Side,
        error: String,
    },
    NeedPassword {
        side: Side,
        url: String,
    },
    Engine(Event),
    OpDone {
        side: Side,
        result: Result<String, String>,
    },
    /// Something worth a line in the status bar (a reconnect, say).
    Notice(String),
}

#[derive(Debug)]
pub enum Effect {
    Connect {
        side: Side,
        target: String,
        password: Option<crate::ftp::Secret>,
    },
    List {
        side: Side,
        path: Vec<u8>,
    },
    Submit(JobSpec),
    Cancel(JobId),
    Retry(JobId),
    /// The answer to a job's question about an existing destination.
    Answer(JobId, Conflict),
    /// Remember a URL as a named site in config.toml.
    SaveSite {
        name: String,
        url: String,
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
        Action::Connected {
            side,
            place,
            site,
            cwd,
            rfc438,
        } => {
            let mut pane = Pane::new(place, cwd.clone());
            pane.loading = true;
            *state.pane_mut(side) = pane;
            state.sites[side.index()] = site;
            state.rfc438[side.index()] = rfc438;
            fx.push(Effect::List { side, path: cwd });
        }
        Action::ConnectFailed { side, error } => {
            state.pane_mut(side).loading = false;
            state.pane_mut(side).error = Some(error.clone());
            message(state, "Cannot connect", error);
        }
        Action::NeedPassword { side, url } => {
            state.dialog = Some(Dialog::Input {
                purpose: InputPurpose::Password(side),
                title: format!("Password for {url}"),
                text: String::new(),
                masked: true,
                history: Vec::new(),
                history_pos: None,
                context: url,
            });
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
    }
    keep_cursors_visible(state);
    fx
}

fn message(state: &mut State, title: &str, text: String) {
    state.status = format!("{title}: {text}");
    state.dialog = Some(Dialog::Message {
        title: title.to_string(),
        text,
    });
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
    if state.focus == Focus::Transfers && transfers_key(state, key, fx) {
        return;
    }
    if key.code == KeyCode::F(6) && key.modifiers.contains(KeyModifiers::SHIFT) {
        open_rename(state, side);
        return;
    }
    if key.code == KeyCode::Esc {
        let pane = state.pane_mut(side);
        if !pane.filter.is_empty() {
            pane.filter.clear();
            pane.refilter();
        }
        return;
    }
    if let Some(command) = keymap::command_for(&key) {
        run_command(state, command, fx);
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
            pane.filter.clear();
            pane.refilter();
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
    let t = &mut state.transfers;
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => t.selected = t.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            t.selected = (t.selected + 1).min(t.jobs.len().saturating_sub(1));
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
        }
        KeyCode::Esc | KeyCode::Tab | KeyCode::F(9) => state.focus = Focus::Pane(Side::Left),
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
                    .map(|(name, _)| name.clone())
                    .collect();
                history.extend(state.history.iter().cloned());
            }
            state.dialog = Some(d);
        }
        Command::View => view(state, side),
        Command::Transfers => state.focus = Focus::Transfers,
        Command::Reload => reload(state, side, fx),
        Command::Filter => state.pane_mut(side).filtering = true,
        Command::SortName => state.pane_mut(side).set_sort(pane::SortKey::Name),
        Command::SortSize => state.pane_mut(side).set_sort(pane::SortKey::Size),
        Command::SortTime => state.pane_mut(side).set_sort(pane::SortKey::Time),
        Command::Help => state.dialog = Some(Dialog::Help),
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
        Some(pane::Row::Entry(_)) => view(state, side),
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

fn view(state: &mut State, side: Side) {
    if let Some(e) = state.pane(side).cursor_entry() {
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
pub fn jobs_for(state: &State, d: &TransferDialog) -> Vec<JobSpec> {
    let to = d.from.other();
    d.items
        .iter()
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
                confirm_transfer(state, &d, fx);
                None
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
            KeyCode::Esc => None,
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
                    KeyCode::Down => {
                        history_pos = history_pos.and_then(|p| p.checked_sub(1));
                        text = history_pos.map_or_else(String::new, |p| history[p].clone());
                    }
                    KeyCode::Char('s')
                        if key.modifiers.contains(KeyModifiers::CONTROL)
                            && matches!(purpose, InputPurpose::Connect(_)) =>
                    {
                        // Ctrl-S: keep this URL as a site named after its host.
                        if let Ok(url) = crate::ftp::FtpUrl::parse(text.trim()) {
                            fx.push(Effect::SaveSite {
                                name: url.host.clone(),
                                url: url.to_string(),
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
        Dialog::Help => {
            if esc
                || enter
                || matches!(
                    key.code,
                    KeyCode::F(1) | KeyCode::Char('q') | KeyCode::Char('?')
                )
            {
                None
            } else {
                Some(Dialog::Help)
            }
        }
    };
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
            if let Some(e) = state.pane(side).cursor_entry() {
                let from = state.pane(side).child_path(&e.raw_name);
                let to = state.pane(side).child_path(text.as_bytes());
                fx.push(Effect::Rename { side, from, to });
            }
        }
        InputPurpose::Connect(side) if !text.trim().is_empty() && text.trim() != "ftp://" => {
            let target = text.trim().to_string();
            state.history.retain(|h| *h != target);
            state.history.insert(0, target.clone());
            state.history.truncate(20);
            state.pane_mut(side).loading = true;
            fx.push(Effect::Connect {
                side,
                target,
                password: None,
            });
        }
        InputPurpose::Password(side) => {
            state.pane_mut(side).loading = true;
            fx.push(Effect::Connect {
                side,
                target: context,
                password: Some(crate::ftp::Secret::new(text)),
            });
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
        let direction = direction_of(state, source, destination);
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
            started: None,
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
        } => {
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
        EventKind::Verified { mode, size, .. } => {
            job.mode = Some(mode);
            job.done = job.total.unwrap_or(size);
            job.total = Some(job.done);
            job.state = JobState::Verified;
            job.rate = 0.0;
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
fn direction_of(state: &State, source: &str, destination: &str) -> String {
    let side_of = |s: &str| {
        [Side::Left, Side::Right]
            .into_iter()
            .find(|side| match &state.sites[side.index()] {
                Some(site) => s.starts_with(&site.to_string()),
                None => s.starts_with('/'),
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
                state.focus = Focus::Transfers;
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

/// The first transfer row shown: the selected row stays in view.
pub fn transfers_scroll(state: &State, a: &layout::Areas) -> usize {
    let h = a.transfer_rows.height as usize;
    state.transfers.selected.saturating_sub(h.saturating_sub(1))
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
        Button::Answer(policy) => {
            if let Some(Dialog::Conflict { job, for_all, .. }) = state.dialog.take() {
                answer_conflict(state, job, policy, for_all, fx);
            }
        }
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
