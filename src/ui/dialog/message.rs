//! A message (an error quoting the server, a transfer's whole story) and
//! the help, generated from the keymap.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::text::printable;
use crate::ui::format::fit;
use crate::ui::keymap;
use crate::ui::layout;

#[derive(Debug, Clone)]
pub struct Message {
    pub(crate) title: String,
    pub(crate) text: String,
}

/// Whether a key closes a message or the help.
pub(crate) fn closes(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char(' '))
}

impl Message {
    pub(crate) fn size(&self) -> (u16, u16) {
        (72, 5 + self.text.lines().count().min(12) as u16)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let lines: Vec<Line> = self
            .text
            .lines()
            .map(|l| Line::from(printable(l)))
            .collect();
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            Rect::new(body.x, body.y, body.width, body.height.saturating_sub(1)),
        );
    }
}

/// The key list; `scroll` is its first line shown (at 80x24 it does not
/// fit: Up/Down scroll it).
#[derive(Debug, Clone, Default)]
pub struct Help {
    pub(crate) scroll: usize,
}

pub(crate) fn help_size() -> (u16, u16) {
    (72, keymap::help_lines().len() as u16 + 3)
}

/// How many lines of the help fit above its OK button.
pub fn help_rows(screen: (u16, u16)) -> usize {
    let (w, h) = help_size();
    let r = layout::dialog_rect(screen.0, screen.1, w, h);
    r.height.saturating_sub(3) as usize
}

impl Help {
    pub(crate) fn title(&self, screen: (u16, u16)) -> &'static str {
        if help_rows(screen) < keymap::help_lines().len() {
            "Help (↑↓ scroll)"
        } else {
            "Help"
        }
    }

    /// `false` when the key closes the help.
    pub(crate) fn key(&mut self, key: KeyEvent, screen: (u16, u16)) -> bool {
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Enter | KeyCode::F(1) | KeyCode::Char('q') | KeyCode::Char('?')
        ) {
            return false;
        }
        let rows = help_rows(screen);
        let last = keymap::help_lines().len().saturating_sub(rows);
        self.scroll = super::scrolled(key.code, self.scroll, rows, last);
        true
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        // Only the rows above the OK button: the list used to run under
        // it, and past the box's end at 80x24 (found reviewing the
        // snapshots); Up/Down scroll it now.
        let all = keymap::help_lines();
        let rows = body.height.saturating_sub(1) as usize;
        let first = self.scroll.min(all.len().saturating_sub(rows));
        let w = body.width as usize;
        let lines: Vec<Line> = all
            .iter()
            .skip(first)
            .take(rows)
            .map(|l| Line::from(fit(l, w)))
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
    }
}
