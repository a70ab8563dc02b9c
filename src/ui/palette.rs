//! Colours, or none (`NO_COLOR`): every style the screen uses comes from
//! here, so a monochrome terminal still tells the cursor from a selection.

use ratatui::style::{Color, Modifier, Style};

pub struct Palette {
    pub color: bool,
}

impl Palette {
    pub fn style(&self, fg: Color) -> Style {
        if self.color {
            Style::default().fg(fg)
        } else {
            Style::default()
        }
    }
    pub fn cursor(&self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::default().bg(Color::Cyan).fg(Color::Black),
            (_, true) | (false, false) => Style::default().add_modifier(Modifier::REVERSED),
            (true, false) => Style::default().bg(Color::DarkGray),
        }
    }
    pub fn selected(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }
}
