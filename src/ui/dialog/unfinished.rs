//! At start: work an earlier run left unfinished (it quit or was killed).
//! Resume it, review it, or discard it — or decide later (`fxpc queue`).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::ui::format::fit;

#[derive(Debug, Clone)]
pub struct Unfinished {
    /// One line per item, as `fxpc queue` lists them.
    pub(crate) items: Vec<String>,
}

pub(crate) enum Outcome {
    Stay,
    Later,
    Resume,
    Review,
    Discard,
}

impl Unfinished {
    pub(crate) fn key(&self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('r') | KeyCode::Enter => Outcome::Resume,
            KeyCode::Char('v') => Outcome::Review,
            KeyCode::Char('d') => Outcome::Discard,
            KeyCode::Esc | KeyCode::Char('l') => Outcome::Later,
            _ => Outcome::Stay,
        }
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (66, 8)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let w = body.width as usize;
        let n = self.items.len();
        let lines = vec![
            Line::from(fit(
                &format!(
                    "{n} {} left unfinished by an earlier run.",
                    if n == 1 {
                        "transfer was"
                    } else {
                        "transfers were"
                    }
                ),
                w,
            )),
            Line::from(""),
            Line::from(fit(
                "r resume · v review · d discard · Esc later (fxpc queue)",
                w,
            )),
        ];
        frame.render_widget(Paragraph::new(lines), body);
    }
}
