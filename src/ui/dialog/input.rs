//! One line of text: mkdir, rename, connect (the site manager's Ctrl-L:
//! a URL, with the history and the saved sites' names), a password, a
//! selection pattern.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::TextField;
use crate::text::printable;
use crate::ui::format::fit;
use crate::ui::side::Side;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputPurpose {
    Mkdir(Side),
    Rename(Side),
    Connect(Side),
    Password(Side),
    /// A site's password for the unfinished transfers being resumed.
    QueuePassword,
    SelectPattern(Side),
    UnselectPattern(Side),
}

impl InputPurpose {
    pub(crate) fn title(&self) -> &'static str {
        match self {
            InputPurpose::Mkdir(_) => "Make directory",
            InputPurpose::Rename(_) => "Rename",
            InputPurpose::Connect(_) => "Connect",
            InputPurpose::Password(_) | InputPurpose::QueuePassword => "Password",
            InputPurpose::SelectPattern(_) => "Select",
            InputPurpose::UnselectPattern(_) => "Unselect",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Input {
    pub(crate) purpose: InputPurpose,
    /// The question, above the field.
    pub(crate) title: String,
    pub(crate) field: TextField,
    pub(crate) masked: bool,
    /// For Connect: saved sites, then earlier URLs, newest first; Up/Down
    /// walk them.
    pub(crate) history: Vec<String>,
    pub(crate) history_pos: Option<usize>,
    /// For Password: the URL waiting for it.
    pub(crate) context: String,
    /// A line of keys under the question.
    pub(crate) hint: Option<String>,
}

pub(crate) enum Outcome {
    Stay,
    Cancel,
    Submit,
    /// Ctrl-S in Connect: keep the URL as a site.
    SaveUrl,
}

impl Input {
    pub(crate) fn new(purpose: InputPurpose, title: &str, text: &str) -> Input {
        Input {
            purpose,
            title: title.to_string(),
            field: TextField::new(text),
            masked: false,
            history: Vec::new(),
            history_pos: None,
            context: String::new(),
            hint: None,
        }
    }

    pub(crate) fn text(&self) -> &str {
        self.field.text()
    }

    pub(crate) fn key(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let connect = matches!(self.purpose, InputPurpose::Connect(_));
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => return Outcome::Submit,
            KeyCode::Char('s') if ctrl && connect => return Outcome::SaveUrl,
            KeyCode::Up if !self.history.is_empty() => {
                let pos = self
                    .history_pos
                    .map_or(0, |p| (p + 1).min(self.history.len() - 1));
                self.history_pos = Some(pos);
                self.field.set(self.history[pos].clone());
            }
            // Only while walking the history: Down must not wipe a typed
            // (or prefilled, as in Rename) text (found by the update tests).
            KeyCode::Down if self.history_pos.is_some() => {
                self.history_pos = self.history_pos.and_then(|p| p.checked_sub(1));
                let text = self
                    .history_pos
                    .map_or_else(String::new, |p| self.history[p].clone());
                self.field.set(text);
            }
            _ => {
                self.field.key(&key);
            }
        }
        Outcome::Stay
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (70, 7)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let w = body.width as usize;
        let mut lines = vec![Line::from(fit(&self.title, w))];
        if let Some(hint) = &self.hint {
            lines.push(Line::from(fit(hint, w)));
        }
        let masked = self.masked;
        let connect = matches!(self.purpose, InputPurpose::Connect(_));
        let shown = self.field.view(w, |text| {
            if masked {
                "•".repeat(text.chars().count())
            } else if connect {
                // A password typed into the URL is as secret as one typed
                // into the password question.
                printable(&crate::sites::credentials::mask_password(text))
            } else {
                printable(text)
            }
        });
        lines.push(Line::from(Span::styled(
            shown,
            Style::default().add_modifier(Modifier::UNDERLINED),
        )));
        frame.render_widget(Paragraph::new(lines), body);
    }
}
