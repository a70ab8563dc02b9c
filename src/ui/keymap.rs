//! Keys to commands: Midnight Commander habits plus vi keys. The help
//! overlay is generated from this table, so it cannot drift from the code.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Parent,
    OtherPane,
    Select,
    SelectPattern,
    UnselectPattern,
    InvertSelection,
    Copy,
    Append,
    Move,
    Mkdir,
    Delete,
    Connect,
    View,
    Transfers,
    Reload,
    Filter,
    SortName,
    SortSize,
    SortTime,
    Compare,
    Help,
    Quit,
}

/// (keys as shown in help, what they do, the command, the key codes).
pub(crate) struct Binding {
    pub(crate) keys: &'static str,
    pub(crate) help: &'static str,
    pub(crate) command: Command,
    matches: fn(&KeyEvent) -> bool,
}

fn plain(k: &KeyEvent) -> bool {
    !k.modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

macro_rules! bind {
    ($keys:expr, $help:expr, $cmd:ident, |$k:ident| $test:expr) => {
        Binding {
            keys: $keys,
            help: $help,
            command: Command::$cmd,
            matches: |$k: &KeyEvent| $test,
        }
    };
}

pub(crate) const BINDINGS: &[Binding] = &[
    bind!("↑ k", "move up", Up, |k| matches!(k.code, KeyCode::Up)
        || (plain(k) && k.code == KeyCode::Char('k'))),
    bind!("↓ j", "move down", Down, |k| matches!(
        k.code,
        KeyCode::Down
    ) || (plain(k)
        && k.code == KeyCode::Char('j'))),
    bind!("PgUp", "page up", PageUp, |k| k.code == KeyCode::PageUp),
    bind!("PgDn", "page down", PageDown, |k| k.code
        == KeyCode::PageDown),
    bind!("Home g", "first entry", Home, |k| k.code == KeyCode::Home
        || (plain(k) && k.code == KeyCode::Char('g'))),
    bind!("End G", "last entry", End, |k| k.code == KeyCode::End
        || (plain(k) && k.code == KeyCode::Char('G'))),
    bind!("Enter l", "open directory / view file", Open, |k| k.code
        == KeyCode::Enter
        || (plain(k) && k.code == KeyCode::Char('l'))),
    bind!("Backspace h", "parent directory", Parent, |k| k.code
        == KeyCode::Backspace
        || (plain(k) && k.code == KeyCode::Char('h'))),
    bind!("Tab", "other pane", OtherPane, |k| k.code == KeyCode::Tab),
    bind!("Insert Space", "select and move down", Select, |k| k.code
        == KeyCode::Insert
        || k.code == KeyCode::Char(' ')),
    bind!("+", "select by pattern", SelectPattern, |k| k.code
        == KeyCode::Char('+')),
    bind!("-", "unselect by pattern", UnselectPattern, |k| k.code
        == KeyCode::Char('-')),
    bind!("*", "invert selection", InvertSelection, |k| k.code
        == KeyCode::Char('*')),
    bind!("F5", "copy to the other pane", Copy, |k| k.code
        == KeyCode::F(5)),
    bind!("F4", "append to a file in the other pane", Append, |k| k
        .code
        == KeyCode::F(4)),
    bind!("F6", "move / rename", Move, |k| k.code == KeyCode::F(6)),
    bind!("F7", "make directory", Mkdir, |k| k.code == KeyCode::F(7)),
    bind!("F8", "delete", Delete, |k| k.code == KeyCode::F(8)),
    bind!("F2", "site manager / connect", Connect, |k| k.code
        == KeyCode::F(2)),
    bind!("F3", "view entry details", View, |k| k.code
        == KeyCode::F(3)),
    bind!("F9", "transfers: cancel, retry, clear", Transfers, |k| k
        .code
        == KeyCode::F(9)),
    bind!("Ctrl-R", "reload pane", Reload, |k| k
        .modifiers
        .contains(KeyModifiers::CONTROL)
        && k.code == KeyCode::Char('r')),
    bind!("/", "filter by substring", Filter, |k| k.code
        == KeyCode::Char('/')),
    bind!("N", "sort by name (again: reverse)", SortName, |k| k.code
        == KeyCode::Char('N')),
    bind!("S", "sort by size (again: reverse)", SortSize, |k| k.code
        == KeyCode::Char('S')),
    bind!("T", "sort by time (again: reverse)", SortTime, |k| k.code
        == KeyCode::Char('T')),
    bind!(
        "= Ctrl-X d",
        "compare the panes: select what differs",
        Compare,
        |k| k.code == KeyCode::Char('=')
    ),
    bind!("F1 ?", "help", Help, |k| k.code == KeyCode::F(1)
        || k.code == KeyCode::Char('?')),
    bind!("F10 q", "quit", Quit, |k| k.code == KeyCode::F(10)
        || (plain(k) && k.code == KeyCode::Char('q'))),
];

pub(crate) fn command_for(key: &KeyEvent) -> Option<Command> {
    BINDINGS
        .iter()
        .find(|b| (b.matches)(key))
        .map(|b| b.command)
}

/// The F-key bar: (number, label, command).
pub(crate) const FKEYS: &[(u8, &str, Command)] = &[
    (1, "Help", Command::Help),
    (2, "Site", Command::Connect),
    (3, "View", Command::View),
    (4, "Append", Command::Append),
    (5, "Copy", Command::Copy),
    (6, "Move", Command::Move),
    (7, "Mkdir", Command::Mkdir),
    (8, "Delete", Command::Delete),
    (9, "Transfers", Command::Transfers),
    (10, "Quit", Command::Quit),
];

/// An F-key label in four letters or fewer, for a narrow bar.
pub(crate) fn short_label(label: &str) -> &str {
    match label {
        "Append" => "Apnd",
        "Mkdir" => "MkDr",
        "Delete" => "Del",
        "Transfers" => "Xfer",
        other => other,
    }
}

/// Lines of the help overlay.
pub fn help_lines() -> Vec<String> {
    let mut lines: Vec<String> = BINDINGS
        .iter()
        .map(|b| format!("{:<13} {}", b.keys, b.help))
        .collect();
    lines.push(String::new());
    lines.push("Mouse: click to focus and move, double-click opens, wheel scrolls,".into());
    lines.push("drag entries onto the other pane to copy, append or move them.".into());
    // Two lines: as one (74 columns) it was cut in the 80-column help box
    // (found reviewing the snapshots).
    lines.push("Transfers (F9): ↑↓ choose, Enter details, c cancel (D: and delete".into());
    lines.push("the partial file it created), r retry, K J move a waiting one".into());
    lines.push("up or down, p holds it back, P holds the queue, x clears the".into());
    lines.push("finished ones, Esc goes back.".into());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn mc_and_vi_keys() {
        assert_eq!(command_for(&key(KeyCode::F(5))), Some(Command::Copy));
        assert_eq!(command_for(&key(KeyCode::Char('j'))), Some(Command::Down));
        assert_eq!(command_for(&key(KeyCode::Char('G'))), Some(Command::End));
        assert_eq!(
            command_for(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            Some(Command::Reload)
        );
        assert_eq!(command_for(&key(KeyCode::Char('z'))), None);
    }

    #[test]
    fn every_fkey_has_help() {
        for (_, _, c) in FKEYS {
            assert!(BINDINGS.iter().any(|b| b.command == *c));
        }
        assert!(help_lines().iter().any(|l| l.starts_with("F5")));
    }
}
