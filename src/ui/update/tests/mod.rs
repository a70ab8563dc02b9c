//! `update` as a person drives it: keys, clicks and results in, state and
//! effects out. Fixtures here; the tests, by area, in the files beside.

use std::time::Duration;

use crossterm::event::{KeyEventState, MouseButton, MouseEventKind};

use super::*;
use crate::ftp::Login;
use crate::transfer::Mode;
use crate::ui::dialog::{self, message::help_rows};
use crate::ui::pane::tests::entry;

mod conflict_questions;
mod connections;
mod copy_dialog;
mod dialog_clicks;
mod drag_and_drop;
mod engine_events;
mod file_operations;
mod filter;
mod mouse;
mod navigation;
mod saved_sites;
mod selection;
mod site_manager;
mod snapshot_findings;
mod sort;
mod transfers_panel;

fn site(host: &str, port: u16) -> Arc<FtpSite> {
    Arc::new(FtpSite {
        host: host.into(),
        port,
        login: Login::default(),
        options: Default::default(),
        max_connections: 2,
        allow_foreign_passive: false,
        allow_clear_data: false,
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

/// F2, then Ctrl-L: the one-line URL dialog with its history.
fn url_line(s: &mut State) {
    press(s, KeyCode::F(2));
    update(s, key_with(KeyCode::Char('l'), KeyModifiers::CONTROL));
}

fn clear_input(s: &mut State) {
    update(s, key_with(KeyCode::Char('u'), KeyModifiers::CONTROL));
}

fn names(p: &Pane) -> Vec<String> {
    p.visible
        .iter()
        .map(|&i| p.entries[i].name.to_string())
        .collect()
}

fn cursor_name(s: &State, side: Side) -> Option<String> {
    s.pane(side).cursor_entry().map(|e| e.name.to_string())
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
        Some(Dialog::Input(d)) => d.text(),
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
    let (r, _) = s
        .dialog
        .as_ref()
        .unwrap()
        .buttons(s.size)
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
        state,
        progress: None,
        note: None,
        parent: None,
        protected: false,
        paused: false,
        story: None,
        fallback: None,
        tree: false,
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

/// A copy from mirror-a's `/pub/NAME` to mirror-b's `/in/NAME`: a tree's
/// file when `parent` is given, else a tree.
fn queued_between_mirrors(s: &mut State, id: JobId, parent: Option<JobId>, name: &str) {
    engine(
        s,
        id,
        EventKind::Queued {
            source: format!("ftp://mirror-a/pub/{name}"),
            destination: format!("ftp://mirror-b:2121/in/{name}"),
            source_site: site_key("ftp://mirror-a/"),
            destination_site: site_key("ftp://mirror-b:2121/"),
            source_path: format!("/pub/{name}").into_bytes(),
            destination_path: format!("/in/{name}").into_bytes(),
            parent,
            kind: Kind::Copy,
            recursive: parent.is_none(),
        },
    );
}

/// The raw path an engine's `Queued` event carries beside its text.
fn raw_path(shown: &str) -> Vec<u8> {
    match shown.strip_prefix("ftp://") {
        Some(rest) => rest.find('/').map_or("", |i| &rest[i..]).into(),
        None => shown.into(),
    }
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
            source_path: raw_path(source),
            destination_path: raw_path(destination),
            parent: None,
            kind,
            recursive: false,
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
}

fn row(s: &State, id: JobId) -> &JobRow {
    s.transfers.jobs.iter().find(|j| j.id == id).unwrap()
}

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

fn answers(fx: &[Effect]) -> Vec<(JobId, Conflict)> {
    fx.iter()
        .map(|e| match e {
            Effect::Answer(j, c) => (*j, *c),
            other => panic!("expected only answers, got {other:?}"),
        })
        .collect()
}
