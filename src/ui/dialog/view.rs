//! F3: a file's details and its first bytes (text, or a hex dump), the
//! name shown whole above them, scrolled with the usual keys.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::text::printable;
use crate::ui::format::fit;
use crate::ui::layout;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub(crate) title: String,
    /// The whole name, wrapped above the lines (a title has room for
    /// little of a long one).
    pub(crate) name: String,
    /// The file's size from its listing, to say how much of it is shown.
    pub(crate) size: Option<u64>,
    /// Its first bytes are on their way.
    pub(crate) loading: bool,
    pub(crate) lines: Vec<String>,
    pub(crate) scroll: usize,
}

pub(crate) fn size(screen: (u16, u16)) -> (u16, u16) {
    (
        screen.0.saturating_sub(4).max(20),
        screen.1.saturating_sub(2),
    )
}

fn body_for(screen: (u16, u16)) -> Rect {
    let (w, h) = size(screen);
    layout::dialog_body(layout::dialog_rect(screen.0, screen.1, w, h))
}

impl Viewer {
    fn name_rows(&self, width: u16) -> u16 {
        let w = unicode_width::UnicodeWidthStr::width(printable(&self.name).as_str()).max(1);
        w.div_ceil(width.max(1) as usize) as u16
    }

    /// Lines of content that fit under the name, above the hint and the
    /// OK button.
    fn rows(&self, body: Rect) -> usize {
        body.height
            .saturating_sub(self.name_rows(body.width) + 2)
            .max(1) as usize
    }

    /// `false` when the key closes the viewer.
    pub(crate) fn key(&mut self, key: KeyEvent, screen: (u16, u16)) -> bool {
        let rows = self.rows(body_for(screen));
        // The last line is at the bottom of the last page, not alone at the
        // top of an empty one.
        let last = self.lines.len().saturating_sub(rows);
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Enter | KeyCode::F(3) | KeyCode::F(10) | KeyCode::Char('q')
        ) {
            return false;
        }
        self.scroll = super::scrolled(key.code, self.scroll, rows, last);
        true
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let w = body.width as usize;
        let name_rows = self.name_rows(body.width);
        frame.render_widget(
            Paragraph::new(printable(&self.name)).wrap(Wrap { trim: false }),
            Rect::new(body.x, body.y, body.width, name_rows.min(body.height)),
        );
        let rows = self.rows(body);
        let lines: Vec<Line> = self
            .lines
            .iter()
            .skip(self.scroll)
            .take(rows)
            .map(|l| Line::from(fit(l, w)))
            .collect();
        let area = Rect::new(
            body.x,
            body.y + name_rows,
            body.width,
            (rows as u16).min(body.height.saturating_sub(name_rows)),
        );
        frame.render_widget(Paragraph::new(lines), area);
        let hint = if self.lines.len() > rows {
            format!(
                "↑↓ PgUp PgDn Home End · lines {}–{} of {} · Esc closes",
                self.scroll + 1,
                (self.scroll + rows).min(self.lines.len()),
                self.lines.len()
            )
        } else {
            "Esc closes".into()
        };
        frame.render_widget(Paragraph::new(fit(&hint, w)), layout::from_end(body, 2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn end_shows_the_last_page() {
        let mut v = Viewer {
            title: "x".into(),
            name: "x".into(),
            size: None,
            loading: false,
            lines: (0..100).map(|i| i.to_string()).collect(),
            scroll: 0,
        };
        let screen = (80, 24);
        v.key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE), screen);
        let rows = v.rows(body_for(screen));
        assert_eq!(v.scroll + rows, 100, "the last line at the bottom");
        v.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE), screen);
        assert_eq!(v.scroll + rows, 100, "no further");
    }
}
