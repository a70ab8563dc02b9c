//! A server's certificate was refused: say why, show its fingerprint, and
//! let the person trust it for the site (saved with the site, as a pinned
//! fingerprint). Never a silent accept.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::text::printable;
use crate::ui::side::Side;

#[derive(Debug, Clone)]
pub struct TrustQuestion {
    pub(crate) side: Side,
    /// What the pane was dialling (it is dialled again once trusted).
    pub(crate) target: String,
    /// The site, as shown (no password).
    pub(crate) site: String,
    pub(crate) reason: String,
    pub(crate) fingerprint: String,
}

pub(crate) enum Outcome {
    Stay,
    Cancel,
    Trust,
}

impl TrustQuestion {
    pub(crate) fn key(&self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('t') => Outcome::Trust,
            // Enter is not "trust": a certificate is trusted on purpose.
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('n') => Outcome::Cancel,
            _ => Outcome::Stay,
        }
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (74, 12)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let lines = vec![
            Line::from(format!(
                "{} presented a certificate that is",
                printable(&self.site)
            )),
            Line::from(format!("not trusted: {}.", printable(&self.reason))),
            Line::from(""),
            Line::from("Its SHA-256 fingerprint (compare it with the one the"),
            Line::from("server's administrator gives you):"),
            Line::from(printable(&self.fingerprint)),
            Line::from(""),
            Line::from("t trust it for this site (saved in config.toml) · Esc don't"),
        ];
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            Rect::new(body.x, body.y, body.width, body.height.saturating_sub(1)),
        );
    }
}
