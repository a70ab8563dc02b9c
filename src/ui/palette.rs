//! Colours, or none (`NO_COLOR`): every style the screen uses comes from
//! here, so a monochrome terminal still tells the cursor from a selection.

use ratatui::style::{Color, Modifier, Style};

pub(crate) struct Palette {
    pub(crate) color: bool,
}

impl Palette {
    pub(crate) fn style(&self, fg: Color) -> Style {
        if self.color {
            Style::default().fg(fg)
        } else {
            Style::default()
        }
    }
    pub(crate) fn cursor(&self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::default().bg(Color::Cyan).fg(Color::Black),
            (_, true) | (false, false) => Style::default().add_modifier(Modifier::REVERSED),
            (true, false) => Style::default().bg(Color::DarkGray),
        }
    }
    pub(crate) fn selected(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }
}
