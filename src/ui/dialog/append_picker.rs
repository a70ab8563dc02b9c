//! F4's first step: which file in the other pane grows.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Button;
use crate::text::{human_bytes, printable};
use crate::ui::format::fit;
use crate::ui::layout;
use crate::ui::palette::Palette;
use crate::ui::side::{Item, Side};

#[derive(Debug, Clone)]
pub struct AppendPicker {
    pub(crate) from: Side,
    pub(crate) source: Item,
    pub(crate) candidates: Vec<Item>,
    pub(crate) cursor: usize,
}

pub(crate) enum Outcome {
    Stay,
    Cancel,
    /// The file under the cursor.
    Pick,
}

impl AppendPicker {
    pub(crate) fn key(&mut self, key: KeyEvent) -> Outcome {
        let last = self.candidates.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => return Outcome::Pick,
            KeyCode::Up | KeyCode::Char('k') => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Home | KeyCode::Char('g') => self.cursor = 0,
            KeyCode::End | KeyCode::Char('G') => self.cursor = last,
            _ => {}
        }
        Outcome::Stay
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (60, 5 + self.candidates.len().min(12) as u16)
    }

    /// The rows shown: the first ones, or those around the cursor.
    fn shown(&self, body: Rect) -> std::ops::Range<usize> {
        let rows = body.height.saturating_sub(2) as usize;
        let first = self.cursor.saturating_sub(rows.saturating_sub(1));
        first..(first + rows).min(self.candidates.len())
    }

    pub(crate) fn buttons(&self, body: Rect) -> Vec<(Rect, Button)> {
        let mut b: Vec<(Rect, Button)> = self
            .shown(body)
            .enumerate()
            .map(|(row, i)| {
                (
                    Rect::new(body.x, body.y + 1 + row as u16, body.width, 1),
                    Button::Pick(i),
                )
            })
            .collect();
        b.extend(layout::buttons(
            layout::from_end(body, 1),
            &[(Button::Ok, "Append"), (Button::Cancel, "Cancel")],
        ));
        b
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect, p: &Palette) {
        let w = body.width as usize;
        let mut lines = vec![Line::from(fit(
            &format!("append {} to:", printable(&self.source.name)),
            w,
        ))];
        for i in self.shown(body) {
            let c = &self.candidates[i];
            let style = if i == self.cursor {
                p.cursor(true)
            } else {
                Style::default()
            };
            let size = c.size.map(human_bytes).unwrap_or_default();
            lines.push(Line::from(Span::styled(
                fit(&format!("{} ({size})", printable(&c.name)), w),
                style,
            )));
        }
        frame.render_widget(Paragraph::new(lines), body);
    }
}
