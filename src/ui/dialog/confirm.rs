//! Yes-or-no questions: delete, replace an existing name, quit with
//! transfers running.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::text::{human_bytes, printable};
use crate::ui::format::fit;
use crate::ui::side::{Item, Side};

pub(crate) enum Outcome {
    Stay,
    Yes,
    No,
}

fn yes_no(key: KeyEvent) -> Outcome {
    match key.code {
        KeyCode::Enter | KeyCode::Char('y') => Outcome::Yes,
        KeyCode::Esc | KeyCode::Char('n') => Outcome::No,
        _ => Outcome::Stay,
    }
}

fn draw_lines(frame: &mut Frame, body: Rect, lines: Vec<String>) {
    let w = body.width as usize;
    let lines: Vec<Line> = lines.iter().map(|l| Line::from(fit(l, w))).collect();
    frame.render_widget(Paragraph::new(lines), body);
}

#[derive(Debug, Clone)]
pub struct ConfirmDelete {
    pub(crate) side: Side,
    pub(crate) items: Vec<Item>,
}

impl ConfirmDelete {
    pub(crate) fn key(&self, key: KeyEvent) -> Outcome {
        yes_no(key)
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (
            60,
            6 + self.items.len().min(6) as u16 + u16::from(self.items.len() > 6),
        )
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let mut lines = vec![format!(
            "Delete {}? Directories go with their contents.",
            match self.items.len() {
                1 => "1 item".to_string(),
                n => format!("{n} items"),
            }
        )];
        for i in self.items.iter().take(6) {
            lines.push(format!(
                "  {}{}",
                printable(&i.name),
                if i.is_dir { "/" } else { "" }
            ));
        }
        if self.items.len() > 6 {
            lines.push(format!("  … and {} more", self.items.len() - 6));
        }
        draw_lines(frame, body, lines);
    }
}

/// Rename/move onto a name that exists: overwrite or cancel.
#[derive(Debug, Clone)]
pub struct ConfirmOverwrite {
    pub(crate) side: Side,
    pub(crate) from: Vec<u8>,
    pub(crate) to: Vec<u8>,
    pub(crate) name: String,
    pub(crate) existing: Item,
}

impl ConfirmOverwrite {
    pub(crate) fn key(&self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('o') | KeyCode::Char('y') => Outcome::Yes,
            // Enter is Cancel here: replacing a file is never the default.
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('n') | KeyCode::Char('c') => Outcome::No,
            _ => Outcome::Stay,
        }
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (64, 7)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        draw_lines(
            frame,
            body,
            vec![
                format!(
                    "{} exists{}.",
                    printable(&self.existing.name),
                    self.existing
                        .size
                        .map(|s| format!(" ({})", human_bytes(s)))
                        .unwrap_or_default()
                ),
                format!("Replace it with {}?", printable(&self.name)),
                "o overwrite · Esc/Enter cancel".into(),
            ],
        );
    }
}

#[derive(Debug, Clone)]
pub struct ConfirmQuit {
    /// Transfers running or queued when it was asked.
    pub(crate) running: usize,
}

impl ConfirmQuit {
    pub(crate) fn key(&self, key: KeyEvent) -> Outcome {
        yes_no(key)
    }

    /// Two short lines: one long one was cut at 60 columns.
    pub(crate) fn size(&self, _screen: (u16, u16)) -> (u16, u16) {
        (50, 7)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let what = match self.running {
            1 => "1 transfer is".to_string(),
            n => format!("{n} transfers are"),
        };
        draw_lines(
            frame,
            body,
            vec![
                format!("{what} not finished."),
                "Quit and cancel them? (y/n)".into(),
            ],
        );
    }
}
