//! What the keymap's commands do to the panes, and the dialogs they open.

use super::*;
use crate::text::{human_bytes, printable};

pub(super) fn run_command(state: &mut State, command: Command, fx: &mut Vec<Effect>) {
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
                state.dialog = Some(Dialog::ConfirmDelete(dialog::ConfirmDelete { side, items }));
            }
        }
        Command::Connect => {
            state.dialog = Some(Dialog::Sites(dialog::SiteManager::new(
                side,
                state.saved_sites.clone(),
            )))
        }
        Command::View => view(state, side, fx),
        Command::Transfers => focus_transfers(state),
        Command::Reload => reload(state, side, fx),
        Command::Filter => state.pane_mut(side).filtering = true,
        Command::Compare => compare_panes(state),
        Command::SortName => state.pane_mut(side).set_sort(pane::SortKey::Name),
        Command::SortSize => state.pane_mut(side).set_sort(pane::SortKey::Size),
        Command::SortTime => state.pane_mut(side).set_sort(pane::SortKey::Time),
        Command::Help => state.dialog = Some(Dialog::Help(dialog::Help::default())),
        Command::Quit => {
            let running = state.transfers.running();
            if running > 0 {
                state.dialog = Some(Dialog::ConfirmQuit(dialog::ConfirmQuit { running }));
            } else {
                state.quit = true;
                fx.push(Effect::Quit);
            }
        }
    }
}

pub(super) fn input(purpose: InputPurpose, title: &str, text: &str) -> Dialog {
    Dialog::Input(dialog::Input::new(purpose, title, text))
}

/// The one-line URL dialog (the site manager's Ctrl-L): Up and Down walk
/// the saved sites' names, then recent URLs.
pub(super) fn connect_line(state: &State, side: Side) -> Dialog {
    let mut d = dialog::Input::new(
        InputPurpose::Connect(side),
        &format!(
            "Connect the {} pane (ftp://user@host:port/path or local)",
            side.name()
        ),
        "ftp://",
    );
    d.history = state
        .saved_sites
        .iter()
        .map(|site| site.name.clone())
        .collect();
    d.history.extend(state.history.iter().cloned());
    d.hint = Some("↑↓ saved sites and recent URLs · Ctrl-S saves the URL as a site".into());
    Dialog::Input(d)
}

pub(super) fn reload(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
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

pub(super) fn open(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    let pane = state.pane(side);
    match pane.row(pane.cursor) {
        Some(pane::Row::Parent) => go_parent(state, side, fx),
        Some(pane::Row::Entry(e)) if Pane::is_openable(e) => {
            let path = pane.child_path(e.raw_name());
            state.pane_mut(side).loading = true;
            fx.push(Effect::List { side, path });
        }
        Some(pane::Row::Entry(_)) => view(state, side, fx),
        None => {}
    }
}

pub(super) fn go_parent(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    if state.pane(side).has_parent() {
        let path = state.pane(side).parent_path();
        state.pane_mut(side).loading = true;
        fx.push(Effect::List { side, path });
    }
}

/// The viewer's first page: the entry's details at once, its content
/// when the bytes arrive (`Action::Peeked`).
pub(super) fn view(state: &mut State, side: Side, fx: &mut Vec<Effect>) {
    let Some(e) = state.pane(side).cursor_entry() else {
        return;
    };
    let loading = matches!(e.kind, EntryKind::File | EntryKind::Link);
    if loading {
        fx.push(Effect::Peek {
            side,
            path: state.pane(side).child_path(e.raw_name()),
            name: e.name.to_string(),
        });
    }
    let mut lines = vec![format!(
        "size: {}",
        e.size
            .map_or("-".into(), |s| format!("{s} bytes ({})", human_bytes(s)))
    )];
    lines.push(format!(
        "modified: {}",
        e.modified
            .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
    ));
    if let Some(p) = &e.perm {
        lines.push(format!("permissions: {}", spell_permissions(p)));
    }
    if let Some(t) = &e.link_target {
        lines.push(format!("link to: {}", printable(t)));
    }
    if e.kind == EntryKind::Unparsed {
        lines.push(format!("unparsed listing line: {}", printable(&e.name)));
    }
    if loading {
        lines.push(String::new());
        lines.push("reading its first bytes …".into());
    }
    state.dialog = Some(Dialog::View(dialog::Viewer {
        title: "View".into(),
        name: e.name.to_string(),
        size: e.size,
        loading,
        lines,
        scroll: 0,
    }));
}

/// A listing's permissions in words: an ls mode string stays as it is
/// (people read those), MLSD's perm letters are spelled out.
pub(super) fn spell_permissions(perm: &str) -> String {
    let unix = perm.len() >= 9 && perm.chars().all(|c| "-rwxsStTdlcbp".contains(c));
    if unix {
        return perm.to_string();
    }
    let words: Vec<&str> = perm
        .chars()
        .filter_map(|c| {
            Some(match c.to_ascii_lowercase() {
                'r' => "read",
                'w' => "write",
                'a' => "append",
                'd' => "delete",
                'f' => "rename",
                'c' => "create files",
                'm' => "make directories",
                'e' => "enter",
                'l' => "list",
                'p' => "delete contents",
                _ => return None,
            })
        })
        .collect();
    if words.is_empty() {
        printable(perm)
    } else {
        format!("{} ({})", words.join(", "), printable(perm))
    }
}

/// Adds the file's first bytes to the open viewer of `name`.
pub(super) fn show_peek(state: &mut State, name: &str, result: Result<Vec<u8>, String>) {
    let Some(Dialog::View(v)) = &mut state.dialog else {
        return;
    };
    if !v.loading || v.name != name {
        return;
    }
    v.loading = false;
    v.lines.pop();
    match result {
        Ok(bytes) => {
            let got = bytes.len() as u64;
            v.lines.push(match v.size {
                Some(size) if size > got => {
                    format!("the first {} of {}:", human_bytes(got), human_bytes(size))
                }
                _ => format!("all {}:", human_bytes(got)),
            });
            v.lines.extend(crate::ui::format::preview_lines(&bytes));
        }
        Err(e) => v.lines.push(format!("cannot read it: {}", printable(&e))),
    }
}

pub(super) fn item_of(e: &Entry) -> Item {
    Item {
        raw_name: e.raw_name().to_vec(),
        name: e.name.to_string(),
        is_dir: e.is_dir(),
        size: e.size,
    }
}

pub(super) fn items_of(pane: &Pane) -> Vec<Item> {
    pane.targets().into_iter().map(item_of).collect()
}

pub(super) fn mode_hint(state: &State, from: Side) -> String {
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
pub(super) fn open_transfer(state: &mut State, from: Side, kind: Kind, items: Option<Vec<Item>>) {
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
        from_place: state.pane(from).header(from).trim().to_string(),
        to_place: state
            .pane(from.other())
            .header(from.other())
            .trim()
            .to_string(),
        row: dialog::transfer::Row::Kind,
    }));
}

pub(super) fn open_append_picker(state: &mut State, from: Side) {
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
    state.dialog = Some(Dialog::AppendPicker(dialog::AppendPicker {
        from,
        source,
        candidates,
        cursor,
    }));
}

pub(super) fn open_rename(state: &mut State, side: Side) {
    if let Some(e) = state.pane(side).cursor_entry() {
        let name = e.name.clone();
        state.dialog = Some(input(
            InputPurpose::Rename(side),
            &format!("Rename {name} to"),
            &name,
        ));
    }
}

pub(super) fn location(state: &State, side: Side, path: Vec<u8>) -> Location {
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
pub(crate) fn jobs_for(state: &State, d: &TransferDialog) -> Vec<JobSpec> {
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

/// Selects, in each pane, what the other lacks or has at another size (by
/// size: the panes' times may be a `LIST`'s, with no timezone); then F5
/// copies the selection. Directories on one side only are selected whole;
/// directories on both are not entered (`fxpc mirror` walks trees).
pub(super) fn compare_panes(state: &mut State) {
    use crate::transfer::compare::{Rules, Side as Listing, Verdict, compare};
    if state
        .panes
        .iter()
        .any(|p| matches!(p.place, Place::Nowhere) || p.loading)
    {
        state.status = "compare: both panes must be listed first".into();
        return;
    }
    let mut counts = [0usize; 2];
    for side in [Side::Left, Side::Right] {
        let (this, other) = (state.pane(side), state.pane(side.other()));
        let differing: Vec<Vec<u8>> = compare(
            &Listing {
                entries: &this.entries,
                utc_times: false,
            },
            &Listing {
                entries: &other.entries,
                utc_times: false,
            },
            Rules::default(),
        )
        .into_iter()
        .filter(|c| matches!(c.verdict, Verdict::New | Verdict::Differs { .. }))
        .map(|c| c.raw_name)
        .collect();
        counts[side.index()] = differing.len();
        let pane = state.pane_mut(side);
        pane.selected = differing.into_iter().collect();
    }
    state.status = format!(
        "compare (by size): {} to copy from the left, {} from the right; F5 copies the selection",
        counts[0], counts[1]
    );
}
