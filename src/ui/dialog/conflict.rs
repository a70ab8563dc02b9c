//! "The destination exists": a job waits for this answer.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::Button;
use crate::text::{human_bytes, printable};
use crate::transfer::{Conflict, JobId};
use crate::ui::format::fit;
use crate::ui::layout;

#[derive(Debug, Clone)]
pub struct ConflictQuestion {
    pub(crate) job: JobId,
    pub(crate) destination: String,
    pub(crate) source_size: u64,
    pub(crate) destination_size: u64,
    pub(crate) for_all: bool,
}

pub(crate) enum Outcome {
    Stay,
    Answer(Conflict),
}

impl ConflictQuestion {
    pub(crate) fn key(&mut self, key: KeyEvent) -> Outcome {
        let choice = match key.code {
            KeyCode::Char('o') | KeyCode::Enter => Conflict::Overwrite,
            KeyCode::Char('r') => Conflict::Resume,
            KeyCode::Char('a') => Conflict::Append,
            KeyCode::Char('s') | KeyCode::Esc => Conflict::Skip,
            KeyCode::Char('n') => Conflict::Rename,
            KeyCode::Char('f') | KeyCode::Char(' ') => {
                self.for_all = !self.for_all;
                return Outcome::Stay;
            }
            _ => return Outcome::Stay,
        };
        Outcome::Answer(choice)
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (72, 8)
    }

    pub(crate) fn buttons(&self, body: Rect) -> Vec<(Rect, Button)> {
        let mut b = layout::buttons(
            layout::from_end(body, 2),
            &[
                (Button::Answer(Conflict::Overwrite), "Overwrite"),
                (Button::Answer(Conflict::Resume), "Resume"),
                (Button::Answer(Conflict::Append), "Append"),
                (Button::Answer(Conflict::Skip), "Skip"),
                (Button::Answer(Conflict::Rename), "Rename"),
            ],
        );
        b.extend(layout::buttons(
            layout::from_end(body, 1),
            &[(Button::ForAll, "x for all")],
        ));
        b
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let w = body.width as usize;
        let lines = vec![
            Line::from(fit(&format!("{} exists.", printable(&self.destination)), w)),
            Line::from(fit(
                &format!(
                    "source {} ({} B), destination {} ({} B)",
                    human_bytes(self.source_size),
                    self.source_size,
                    human_bytes(self.destination_size),
                    self.destination_size
                ),
                w,
            )),
            Line::from(fit(
                "o overwrite, r resume, a append, s skip, n rename; f for all",
                w,
            )),
        ];
        frame.render_widget(Paragraph::new(lines), body);
    }
}
