//! The dialogs, one file each (the site manager, larger, a folder): its
//! state, its keys (returning what the
//! person chose, for `update` to act on — dialogs never touch the rest of
//! the state), its buttons and its drawing. This file only dispatches, and
//! frames every dialog the same way.
//!
//! Adding a dialog: a file with a struct, `key`, `size`, `buttons`,
//! `draw`; a variant below; what its outcome does in `update/dialogs.rs`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::layout;
use super::palette::Palette;
use crate::transfer::{Conflict, Kind};

pub(crate) mod append_picker;
pub(crate) mod confirm;
pub(crate) mod conflict;
pub(crate) mod input;
pub mod message;
pub(crate) mod sites;
pub(crate) mod text_field;
pub(crate) mod transfer;
pub(crate) mod trust;
pub(crate) mod unfinished;
pub(crate) mod view;

pub(crate) use append_picker::AppendPicker;
pub(crate) use confirm::{ConfirmDelete, ConfirmOverwrite, ConfirmQuit};
pub(crate) use conflict::ConflictQuestion;
pub(crate) use input::{Input, InputPurpose};
pub(crate) use message::{Help, Message};
pub(crate) use sites::SiteManager;
pub(crate) use text_field::TextField;
pub(crate) use transfer::TransferDialog;
pub(crate) use trust::TrustQuestion;
pub(crate) use unfinished::Unfinished;
pub(crate) use view::Viewer;

#[derive(Debug, Clone)]
pub enum Dialog {
    Transfer(TransferDialog),
    AppendPicker(AppendPicker),
    Input(Input),
    ConfirmDelete(ConfirmDelete),
    ConfirmOverwrite(ConfirmOverwrite),
    ConfirmQuit(ConfirmQuit),
    /// F3: the first part of a file (text, or a hex dump).
    View(Viewer),
    /// F2: the saved sites, to connect, edit, add and delete.
    Sites(SiteManager),
    /// A job found its destination existing and waits for a choice.
    Conflict(ConflictQuestion),
    Message(Message),
    Help(Help),
    /// A refused certificate: trust it for the site, or not.
    Trust(TrustQuestion),
    /// Work an earlier run left: resume, review, discard.
    Unfinished(Unfinished),
}

/// What a click inside a dialog hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Button {
    Ok,
    Cancel,
    Kind(Kind),
    Conflict(Conflict),
    /// A row of the append picker.
    Pick(usize),
    /// A choice in the "destination exists" question.
    Answer(Conflict),
    /// The question's "for all" toggle.
    ForAll,
}

impl Dialog {
    pub(crate) fn message(title: &str, text: impl Into<String>) -> Dialog {
        Dialog::Message(Message {
            title: title.to_string(),
            text: text.into(),
        })
    }

    fn title(&self, screen: (u16, u16)) -> String {
        match self {
            Dialog::Transfer(d) => d.title().into(),
            Dialog::AppendPicker(_) => "Append to which file?".into(),
            Dialog::Input(d) => d.purpose.title().into(),
            Dialog::ConfirmDelete(_) => "Delete".into(),
            Dialog::ConfirmOverwrite(_) => "Target exists".into(),
            Dialog::ConfirmQuit(_) => "Quit".into(),
            Dialog::View(d) => d.title.clone(),
            Dialog::Sites(d) => d.title(),
            Dialog::Conflict(_) => "Target exists".into(),
            Dialog::Message(d) => d.title.clone(),
            Dialog::Help(d) => d.title(screen).into(),
            Dialog::Trust(_) => "Certificate not trusted".into(),
            Dialog::Unfinished(_) => "Unfinished transfers".into(),
        }
    }

    /// Where the dialog sits on a screen of `screen` columns and rows.
    pub(crate) fn area(&self, screen: (u16, u16)) -> Rect {
        let (w, h) = match self {
            Dialog::Transfer(d) => d.size(),
            Dialog::AppendPicker(d) => d.size(),
            Dialog::Input(d) => d.size(),
            Dialog::ConfirmDelete(d) => d.size(),
            Dialog::ConfirmOverwrite(d) => d.size(),
            Dialog::ConfirmQuit(d) => d.size(screen),
            Dialog::View(_) => view::size(screen),
            Dialog::Sites(d) => d.size(),
            Dialog::Conflict(d) => d.size(),
            Dialog::Message(d) => d.size(),
            Dialog::Help(_) => message::help_size(),
            Dialog::Trust(d) => d.size(),
            Dialog::Unfinished(d) => d.size(),
        };
        layout::dialog_rect(screen.0, screen.1, w, h)
    }

    /// The clickable parts, for drawing and for the mouse alike.
    pub(crate) fn buttons(&self, screen: (u16, u16)) -> Vec<(Rect, Button)> {
        let body = layout::dialog_body(self.area(screen));
        match self {
            Dialog::Transfer(d) => d.buttons(body),
            Dialog::AppendPicker(d) => d.buttons(body),
            Dialog::ConfirmOverwrite(_) => layout::buttons(
                layout::from_end(body, 1),
                &[
                    (Button::Answer(Conflict::Overwrite), "Overwrite"),
                    (Button::Cancel, "Cancel"),
                ],
            ),
            Dialog::Conflict(d) => d.buttons(body),
            Dialog::Unfinished(_) => layout::buttons(
                layout::from_end(body, 1),
                &[(Button::Ok, "Resume"), (Button::Cancel, "Later")],
            ),
            Dialog::Trust(_) => layout::buttons(
                layout::from_end(body, 1),
                &[
                    (Button::Answer(Conflict::Overwrite), "Trust"),
                    (Button::Cancel, "Cancel"),
                ],
            ),
            Dialog::Sites(d) => d.buttons(body),
            Dialog::Input(_) | Dialog::ConfirmDelete(_) | Dialog::ConfirmQuit(_) => {
                ok_cancel(body, "OK")
            }
            Dialog::Message(_) | Dialog::Help(_) | Dialog::View(_) => {
                layout::buttons(layout::from_end(body, 1), &[(Button::Ok, "OK")])
            }
        }
    }

    pub(crate) fn draw(&self, screen: (u16, u16), frame: &mut Frame, p: &Palette) {
        let r = self.area(screen);
        if let Dialog::View(_) = self {
            // The viewer has the whole screen: a column of the panes at
            // each side read as part of the file.
            frame.render_widget(Clear, frame.area());
        }
        frame.render_widget(Clear, r);
        let title = self.title(screen);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(p.style(Color::Yellow))
            .title(fit_title(
                &format!(" {} ", title.trim()),
                r.width.saturating_sub(2) as usize,
            ));
        frame.render_widget(block, r);
        let body = layout::dialog_body(r);
        match self {
            Dialog::Transfer(d) => d.draw(frame, body, p),
            Dialog::AppendPicker(d) => d.draw(frame, body, p),
            Dialog::Input(d) => d.draw(frame, body),
            Dialog::ConfirmDelete(d) => d.draw(frame, body),
            Dialog::ConfirmOverwrite(d) => d.draw(frame, body),
            Dialog::ConfirmQuit(d) => d.draw(frame, body),
            Dialog::View(d) => d.draw(frame, body),
            Dialog::Sites(d) => d.draw(frame, body, p),
            Dialog::Conflict(d) => d.draw(frame, body),
            Dialog::Message(d) => d.draw(frame, body),
            Dialog::Help(d) => d.draw(frame, body),
            Dialog::Trust(d) => d.draw(frame, body),
            Dialog::Unfinished(d) => d.draw(frame, body),
        }
        for (rect, button) in self.buttons(screen) {
            let Some((label, active)) = self.label(button) else {
                continue;
            };
            draw_button(frame, rect, &label, active, p);
        }
    }

    /// A button's text and whether it shows as chosen.
    fn label(&self, button: Button) -> Option<(String, bool)> {
        Some(match (button, self) {
            (_, Dialog::Transfer(d)) => d.label(button)?,
            (Button::Ok, Dialog::AppendPicker(_)) => ("Append".into(), true),
            (Button::Ok, Dialog::Unfinished(_)) => ("Resume".into(), true),
            (Button::Cancel, Dialog::Unfinished(_)) => ("Later".into(), false),
            (Button::Pick(_), _) => return None,
            (Button::Ok, Dialog::Sites(d)) => (d.ok_label().into(), true),
            (Button::Cancel, Dialog::Sites(d)) => (d.cancel_label().into(), false),
            (Button::Ok, _) => ("OK".into(), true),
            (Button::Cancel, _) => ("Cancel".into(), false),
            (Button::Answer(_), Dialog::Trust(_)) => ("Trust".into(), false),
            (Button::Answer(c), _) => (conflict_name(c).into(), false),
            (Button::ForAll, Dialog::Conflict(d)) => (
                format!("{} for all", if d.for_all { "x" } else { " " }),
                d.for_all,
            ),
            _ => return None,
        })
    }
}

/// Cut to the border's room, never padded (padding hid the border line).
fn fit_title(text: &str, width: usize) -> String {
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        text.to_string()
    } else {
        super::format::fit(text, width)
    }
}

/// The first line shown after a scrolling key, in a list of `rows` lines
/// a page whose last first line is `last`.
fn scrolled(code: crossterm::event::KeyCode, scroll: usize, rows: usize, last: usize) -> usize {
    use crossterm::event::KeyCode;
    match code {
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => scroll + 1,
        KeyCode::PageUp => scroll.saturating_sub(rows),
        KeyCode::PageDown | KeyCode::Char(' ') => scroll + rows,
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => scroll,
    }
    .min(last)
}

fn ok_cancel(body: Rect, ok: &'static str) -> Vec<(Rect, Button)> {
    layout::buttons(
        layout::from_end(body, 1),
        &[(Button::Ok, ok), (Button::Cancel, "Cancel")],
    )
}

/// `[ label ]`, or the narrow `[label]` where `layout::buttons` had to save
/// room.
pub(crate) fn draw_button(frame: &mut Frame, rect: Rect, label: &str, active: bool, p: &Palette) {
    let style = if active {
        p.cursor(true)
    } else {
        Style::default()
    };
    let text = if rect.width as usize >= label.chars().count() + 4 {
        format!("[ {label} ]")
    } else {
        format!("[{label}]")
    };
    frame.render_widget(Paragraph::new(text).style(style), rect);
}

pub(crate) fn conflict_name(c: Conflict) -> &'static str {
    match c {
        Conflict::Overwrite => "Overwrite",
        Conflict::Resume => "Resume",
        Conflict::Append => "Append",
        Conflict::Skip => "Skip",
        Conflict::Rename => "Rename",
        Conflict::Ask => "Ask",
    }
}
