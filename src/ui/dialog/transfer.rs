//! F5, F6, F4 (after the picker) and a drop: copy, move or append, and
//! what to do where the target exists. Three rows — the operation, the
//! "if the target exists" choice, OK/Cancel — that Tab (or ↑↓) walks and
//! ←→ choose within; F5/F4/F6 pick the operation and o r a s n ? the
//! choice from anywhere, as the hint line says.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Button, conflict_name};
use crate::text::printable;
use crate::transfer::{Conflict, Kind};
use crate::ui::format::fit;
use crate::ui::layout;
use crate::ui::palette::Palette;
use crate::ui::side::{Item, Side};

/// Names listed before "… and N more".
const LISTED: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Row {
    Kind,
    Conflict,
    Ok,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct TransferDialog {
    pub(crate) kind: Kind,
    pub(crate) from: Side,
    pub(crate) items: Vec<Item>,
    pub(crate) source_dir: Vec<u8>,
    pub(crate) destination_dir: Vec<u8>,
    /// For an append: the file in the other pane that grows.
    pub(crate) append_target: Option<Item>,
    pub(crate) conflict: Conflict,
    /// What will be tried first, in words.
    pub(crate) mode_hint: String,
    /// Where from and where to, as the panes' headers said when it opened.
    pub(crate) from_place: String,
    pub(crate) to_place: String,
    pub(crate) row: Row,
}

pub(crate) enum Outcome {
    Stay,
    Cancel,
    Confirm,
}

const KINDS: [Kind; 3] = [Kind::Copy, Kind::Append, Kind::Move];
const CONFLICTS: [Conflict; 6] = [
    Conflict::Ask,
    Conflict::Overwrite,
    Conflict::Resume,
    Conflict::Append,
    Conflict::Skip,
    Conflict::Rename,
];

fn step<T: PartialEq + Copy>(all: &[T], now: T, by: isize) -> T {
    let at = all.iter().position(|x| *x == now).unwrap_or(0) as isize;
    all[(at + by).rem_euclid(all.len() as isize) as usize]
}

impl TransferDialog {
    pub(crate) fn title(&self) -> &'static str {
        match self.kind {
            Kind::Copy => "Copy",
            Kind::Append => "Append",
            Kind::Move => "Move",
        }
    }

    pub(crate) fn key(&mut self, key: KeyEvent) -> Outcome {
        const ROWS: [Row; 3] = [Row::Kind, Row::Conflict, Row::Ok];
        let row_step = |row: Row, by: isize| match row {
            Row::Cancel => step(&ROWS, Row::Ok, by),
            r => step(&ROWS, r, by),
        };
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter if self.row == Row::Cancel => return Outcome::Cancel,
            KeyCode::Enter => return Outcome::Confirm,
            KeyCode::Tab | KeyCode::Down => self.row = row_step(self.row, 1),
            KeyCode::BackTab | KeyCode::Up => self.row = row_step(self.row, -1),
            KeyCode::Right | KeyCode::Left | KeyCode::Char(' ') => {
                let by = if key.code == KeyCode::Left { -1 } else { 1 };
                match self.row {
                    Row::Kind => self.kind = step(&KINDS, self.kind, by),
                    Row::Conflict => self.conflict = step(&CONFLICTS, self.conflict, by),
                    Row::Ok => self.row = Row::Cancel,
                    Row::Cancel => self.row = Row::Ok,
                }
            }
            KeyCode::F(5) => self.kind = Kind::Copy,
            KeyCode::F(4) => self.kind = Kind::Append,
            KeyCode::F(6) => self.kind = Kind::Move,
            KeyCode::Char(c) => {
                if let Some(choice) = conflict_for_letter(c) {
                    self.conflict = choice;
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// Lines above the rows: what, from, to, mode.
    fn text_lines(&self) -> usize {
        let listed = if self.items.len() > 1 {
            self.items.len().min(LISTED) + usize::from(self.items.len() > LISTED)
        } else {
            0
        };
        4 + listed
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        // Text, the hint, the kind row, the label, the conflict row, the
        // buttons, and the border.
        (72, self.text_lines() as u16 + 5 + 2)
    }

    fn row_rect(body: Rect, from_end: u16) -> Rect {
        let line = layout::from_end(body, from_end);
        // Two columns for the focus mark.
        Rect::new(line.x + 2, line.y, line.width.saturating_sub(2), 1)
    }

    pub(crate) fn buttons(&self, body: Rect) -> Vec<(Rect, Button)> {
        let mut b = layout::buttons(
            Self::row_rect(body, 4),
            &[
                (Button::Kind(Kind::Copy), "Copy F5"),
                (Button::Kind(Kind::Append), "Append F4"),
                (Button::Kind(Kind::Move), "Move F6"),
            ],
        );
        b.extend(layout::buttons(
            Self::row_rect(body, 2),
            &[
                (Button::Conflict(Conflict::Ask), "Ask"),
                (Button::Conflict(Conflict::Overwrite), "Overwrite"),
                (Button::Conflict(Conflict::Resume), "Resume"),
                (Button::Conflict(Conflict::Append), "Append"),
                (Button::Conflict(Conflict::Skip), "Skip"),
                (Button::Conflict(Conflict::Rename), "Rename"),
            ],
        ));
        b.extend(layout::buttons(
            Self::row_rect(body, 1),
            &[(Button::Ok, "OK"), (Button::Cancel, "Cancel")],
        ));
        b
    }

    pub(crate) fn label(&self, button: Button) -> Option<(String, bool)> {
        Some(match button {
            Button::Kind(k) => (
                format!(
                    "{} {}",
                    match k {
                        Kind::Copy => "Copy",
                        Kind::Append => "Append",
                        Kind::Move => "Move",
                    },
                    match k {
                        Kind::Copy => "F5",
                        Kind::Append => "F4",
                        Kind::Move => "F6",
                    }
                ),
                self.kind == k,
            ),
            Button::Conflict(c) => (conflict_name(c).to_string(), self.conflict == c),
            Button::Ok => ("OK".into(), self.row != Row::Cancel),
            Button::Cancel => ("Cancel".into(), self.row == Row::Cancel),
            _ => return None,
        })
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect, _p: &Palette) {
        let w = body.width as usize;
        let names: Vec<String> = self
            .items
            .iter()
            .map(|i| printable(&i.name) + if i.is_dir { "/" } else { "" })
            .collect();
        let what = match names.as_slice() {
            [one] => one.clone(),
            many => format!("{} items", many.len()),
        };
        let verb = match self.kind {
            Kind::Copy => "copy",
            Kind::Append => "append",
            Kind::Move => "move",
        };
        let mut lines = vec![Line::from(fit(&format!("{verb} {what}"), w))];
        if names.len() > 1 {
            for n in names.iter().take(LISTED) {
                lines.push(Line::from(fit(&format!("  {n}"), w)));
            }
            if names.len() > LISTED {
                lines.push(Line::from(fit(
                    &format!("  … and {} more", names.len() - LISTED),
                    w,
                )));
            }
        }
        lines.push(Line::from(fit(&format!("from {}", self.from_place), w)));
        let dest = match (&self.append_target, self.kind) {
            (Some(t), Kind::Append) => {
                format!("onto {} in {}", printable(&t.name), self.to_place)
            }
            _ => format!("to   {}", self.to_place),
        };
        lines.push(Line::from(fit(&dest, w)));
        lines.push(Line::from(fit(&format!("mode: {}", self.mode_hint), w)));
        frame.render_widget(Paragraph::new(lines), body);
        let mut line = |n: u16, text: &str| {
            frame.render_widget(Paragraph::new(fit(text, w)), layout::from_end(body, n));
        };
        line(5, "Tab/↑↓ row · ←→ choose · letters and F-keys pick");
        // Between the operation row and the choices it introduces.
        line(3, "  if a target exists (any file; keys ? o r a s n):");
        let mark = match self.row {
            Row::Kind => 4,
            Row::Conflict => 2,
            Row::Ok | Row::Cancel => 1,
        };
        frame.render_widget(Paragraph::new("▸"), layout::from_end(body, mark));
    }
}

fn letter_of(c: Conflict) -> char {
    match c {
        Conflict::Ask => '?',
        Conflict::Overwrite => 'o',
        Conflict::Resume => 'r',
        Conflict::Append => 'a',
        Conflict::Skip => 's',
        Conflict::Rename => 'n',
    }
}

fn conflict_for_letter(c: char) -> Option<Conflict> {
    CONFLICTS.into_iter().find(|x| letter_of(*x) == c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn dialog() -> TransferDialog {
        TransferDialog {
            kind: Kind::Copy,
            from: Side::Left,
            items: Vec::new(),
            source_dir: Vec::new(),
            destination_dir: Vec::new(),
            append_target: None,
            conflict: Conflict::Ask,
            mode_hint: String::new(),
            from_place: String::new(),
            to_place: String::new(),
            row: Row::Kind,
        }
    }

    fn press(d: &mut TransferDialog, code: KeyCode) -> Outcome {
        d.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn tab_walks_the_rows_and_arrows_choose_within_them() {
        let mut d = dialog();
        press(&mut d, KeyCode::Right);
        assert_eq!(d.kind, Kind::Append);
        press(&mut d, KeyCode::Left);
        press(&mut d, KeyCode::Left);
        assert_eq!(d.kind, Kind::Move);
        press(&mut d, KeyCode::Tab);
        assert_eq!(d.row, Row::Conflict);
        press(&mut d, KeyCode::Right);
        press(&mut d, KeyCode::Right);
        assert_eq!(d.conflict, Conflict::Resume);
        assert_eq!(d.kind, Kind::Move, "the other row stays");
        press(&mut d, KeyCode::Tab);
        assert_eq!(d.row, Row::Ok);
        press(&mut d, KeyCode::Right);
        assert_eq!(d.row, Row::Cancel);
        assert!(matches!(press(&mut d, KeyCode::Enter), Outcome::Cancel));
        press(&mut d, KeyCode::Tab);
        assert_eq!(d.row, Row::Kind, "round again");
        press(&mut d, KeyCode::BackTab);
        assert_eq!(d.row, Row::Ok);
        assert!(matches!(press(&mut d, KeyCode::Enter), Outcome::Confirm));
        // Letters and F-keys from any row.
        press(&mut d, KeyCode::Char('n'));
        assert_eq!(d.conflict, Conflict::Rename);
        press(&mut d, KeyCode::F(5));
        assert_eq!(d.kind, Kind::Copy);
    }
}
