//! F2: the site manager. Saved sites listed under their folders
//! (`Work/Customers` nests), filtered as the person types, the selected
//! site's details beside the list; a site's fields are edited in place
//! (`form.rs`). A filter that reads as a URL (or `local`, or a path)
//! connects to it, so F2 and typing an address still works; Ctrl-L opens
//! the one-line URL dialog with its history.
//!
//! The manager keeps its own copy of the sites (refreshed from
//! `Action::Sites`); what it decides comes out as an [`Outcome`].

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Button, TextField};
use crate::sites::SiteEntry;
use crate::text::printable;
use crate::ui::format::fit;
use crate::ui::layout;
use crate::ui::palette::Palette;
use crate::ui::side::Side;

pub(crate) mod form;

pub(crate) use form::SiteForm;

#[derive(Debug, Clone)]
pub(crate) enum Mode {
    Browse,
    Edit(Box<SiteForm>),
    /// Asked before a site is deleted: its name.
    ConfirmDelete(String),
}

#[derive(Clone)]
pub struct SiteManager {
    /// The pane F2 was pressed in: Enter connects it.
    pub(crate) side: Side,
    pub(crate) sites: Vec<SiteEntry>,
    pub(crate) filter: TextField,
    /// The selected site's name (names are unique in config.toml).
    pub(crate) selected: Option<String>,
    /// The first list row shown.
    pub(crate) scroll: usize,
    pub(crate) mode: Mode,
    /// Why the last key did nothing (a wrong field): shown in the
    /// dialog, since the status line is under it on small screens.
    pub(crate) problem: Option<String>,
}

/// Names only: the sites carry their passwords, and a dialog printed in a
/// test failure or a log must not.
impl std::fmt::Debug for SiteManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
        f.debug_struct("SiteManager")
            .field("side", &self.side)
            .field("sites", &names)
            .field("selected", &self.selected)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// A line of the list: a folder's heading, or a site (its index in
/// `sites`), each at a nesting depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Row {
    Folder { depth: usize, name: String },
    Site { depth: usize, index: usize },
}

pub(crate) enum Outcome {
    Stay,
    Close,
    /// Dial `target` (a saved site's name, or a typed URL: `typed`) in
    /// `side`.
    Connect {
        side: Side,
        target: String,
        typed: bool,
    },
    Save {
        site: Box<SiteEntry>,
        replaces: Option<String>,
    },
    Delete(String),
    /// Ctrl-L: the one-line URL dialog.
    UrlLine,
    /// F9: import the sites of the file whose path is in the filter.
    Import(String),
    /// Something the status line should say (a field that is wrong).
    Problem(String),
}

/// What the dialog's body holds, top to bottom.
struct Parts {
    filter: Rect,
    list: Rect,
    details: Rect,
    keys: Rect,
}

fn parts(body: Rect) -> Parts {
    let list_h = body.height.saturating_sub(4);
    let list_w = (body.width / 3).max(22).min(body.width);
    Parts {
        filter: Rect::new(body.x, body.y, body.width, 1),
        list: Rect::new(body.x, body.y + 1, list_w, list_h),
        details: Rect::new(
            body.x + list_w + 1,
            body.y + 1,
            body.width.saturating_sub(list_w + 1),
            list_h,
        ),
        keys: Rect::new(body.x, body.y + 1 + list_h, body.width, 2),
    }
}

/// Typed text that is an address rather than a filter.
fn looks_like_url(text: &str) -> bool {
    text.contains("://") || text == "local" || text.starts_with("local:") || text.starts_with('/')
}

fn folder_parts(site: &SiteEntry) -> Vec<&str> {
    site.folder
        .as_deref()
        .unwrap_or("")
        .split('/')
        .filter(|p| !p.is_empty())
        .collect()
}

impl SiteManager {
    pub(crate) fn new(side: Side, sites: Vec<SiteEntry>) -> SiteManager {
        let mut d = SiteManager {
            side,
            sites,
            filter: TextField::default(),
            selected: None,
            scroll: 0,
            mode: Mode::Browse,
            problem: None,
        };
        d.select_first();
        d
    }

    pub(crate) fn title(&self) -> String {
        format!("Sites · connect the {} pane", self.side.name())
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (100, 30)
    }

    /// config.toml's sites after a change: the selection stays on its
    /// site, or lands on the one just saved.
    pub(crate) fn set_sites(&mut self, sites: Vec<SiteEntry>) {
        self.sites = sites;
        if !self.site_rows().iter().any(|i| self.is_selected(*i)) {
            self.select_first();
        }
    }

    fn matches(&self, site: &SiteEntry) -> bool {
        let wanted = self.filter.text().trim().to_lowercase();
        if wanted.is_empty() || looks_like_url(&wanted) {
            return true;
        }
        let url = crate::ftp::FtpUrl::parse(&site.url).ok();
        [
            Some(site.name.as_str()),
            url.as_ref().map(|u| u.host.as_str()),
            url.as_ref().and_then(|u| u.user.as_deref()),
            site.folder.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(&wanted))
    }

    /// The list as shown: matching sites sorted by folder then name,
    /// with a heading wherever a folder begins.
    pub(crate) fn rows(&self) -> Vec<Row> {
        let mut order: Vec<usize> = (0..self.sites.len())
            .filter(|i| self.matches(&self.sites[*i]))
            .collect();
        let key = |i: &usize| {
            let s = &self.sites[*i];
            let folder: Vec<String> = folder_parts(s).iter().map(|p| p.to_lowercase()).collect();
            (folder, s.name.to_lowercase())
        };
        order.sort_by_key(key);
        let mut rows = Vec::new();
        let mut open: Vec<&str> = Vec::new();
        for index in order {
            let folder = folder_parts(&self.sites[index]);
            let same = open.iter().zip(&folder).take_while(|(a, b)| a == b).count();
            for (depth, name) in folder.iter().enumerate().skip(same) {
                rows.push(Row::Folder {
                    depth,
                    name: name.to_string(),
                });
            }
            open = folder.clone();
            rows.push(Row::Site {
                depth: folder.len(),
                index,
            });
        }
        rows
    }

    /// Row positions of the sites in `rows()`.
    fn site_rows(&self) -> Vec<usize> {
        self.rows()
            .iter()
            .filter_map(|r| match r {
                Row::Site { index, .. } => Some(*index),
                Row::Folder { .. } => None,
            })
            .collect()
    }

    fn is_selected(&self, index: usize) -> bool {
        self.selected.as_deref() == Some(self.sites[index].name.as_str())
    }

    fn select_first(&mut self) {
        self.selected = self
            .site_rows()
            .first()
            .map(|i| self.sites[*i].name.clone());
        self.scroll = 0;
    }

    pub(crate) fn selected_site(&self) -> Option<&SiteEntry> {
        let name = self.selected.as_deref()?;
        self.site_rows()
            .into_iter()
            .map(|i| &self.sites[i])
            .find(|s| s.name == name)
    }

    /// Moves the selection `by` sites (clamped).
    fn move_by(&mut self, by: isize) {
        let sites = self.site_rows();
        if sites.is_empty() {
            return;
        }
        let at = sites.iter().position(|i| self.is_selected(*i)).unwrap_or(0) as isize;
        let to = (at + by).clamp(0, sites.len() as isize - 1) as usize;
        self.selected = Some(self.sites[sites[to]].name.clone());
    }

    /// Selects the site on list row `row` (a click).
    pub(crate) fn select_row(&mut self, row: usize) {
        if let Some(Row::Site { index, .. }) = self.rows().get(row) {
            self.selected = Some(self.sites[*index].name.clone());
        }
    }

    /// Keeps the selected row (and the heading above it) on screen.
    fn keep_visible(&mut self, height: usize) {
        self.scroll = self.shown_scroll(height);
    }

    /// The first row shown in a list `height` rows high: the stored one,
    /// moved as little as brings the selection into view. Drawing and
    /// clicks both use it, so a list refreshed from config.toml (which
    /// moves no scroll) still shows, and clicks, what is drawn.
    fn shown_scroll(&self, height: usize) -> usize {
        let rows = self.rows();
        let Some(at) = rows
            .iter()
            .position(|r| matches!(r, Row::Site { index, .. } if self.is_selected(*index)))
        else {
            return 0;
        };
        let height = height.max(1);
        let mut scroll = self.scroll;
        if at < scroll {
            scroll = at;
        } else if at >= scroll + height {
            scroll = at + 1 - height;
        }
        // A first site under headings shows them too.
        if rows[..at].iter().all(|r| matches!(r, Row::Folder { .. })) {
            scroll = 0;
        }
        scroll.min(rows.len().saturating_sub(height))
    }

    /// A name not yet taken: `NAME (copy)`, then `NAME (copy 2)` …
    fn copy_name(&self, name: &str) -> String {
        let taken = |n: &str| self.sites.iter().any(|s| s.name == n);
        let mut candidate = format!("{name} (copy)");
        let mut n = 2;
        while taken(&candidate) {
            candidate = format!("{name} (copy {n})");
            n += 1;
        }
        candidate
    }

    /// A key; `body` is the dialog's text area (for the list's height).
    pub(crate) fn key(&mut self, key: KeyEvent, body: Rect) -> Outcome {
        let height = parts(body).list.height as usize;
        self.problem = None;
        let outcome = match std::mem::replace(&mut self.mode, Mode::Browse) {
            Mode::Browse => self.browse_key(key, height),
            Mode::ConfirmDelete(name) => match key.code {
                KeyCode::Enter | KeyCode::Char('y') => {
                    // The next site (else the one before) takes its place
                    // once the list comes back without it.
                    self.move_by(1);
                    if self.selected.as_deref() == Some(name.as_str()) {
                        self.move_by(-1);
                    }
                    Outcome::Delete(name)
                }
                KeyCode::Esc | KeyCode::Char('n') => Outcome::Stay,
                _ => {
                    self.mode = Mode::ConfirmDelete(name);
                    Outcome::Stay
                }
            },
            Mode::Edit(mut form) => match form.key(key) {
                form::Outcome::Stay => {
                    self.mode = Mode::Edit(form);
                    Outcome::Stay
                }
                form::Outcome::Cancel => Outcome::Stay,
                form::Outcome::Save => self.save(form),
            },
        };
        self.keep_visible(height);
        if let Outcome::Problem(problem) = &outcome {
            self.problem = Some(problem.clone());
        }
        outcome
    }

    fn save(&mut self, form: Box<SiteForm>) -> Outcome {
        match form.to_site() {
            Ok(site) => {
                let taken = self.sites.iter().any(|s| {
                    s.name == site.name && Some(s.name.as_str()) != form.original.as_deref()
                });
                if taken {
                    let problem = format!("name: another site is called {}", printable(&site.name));
                    self.mode = Mode::Edit(form);
                    return Outcome::Problem(problem);
                }
                // The list comes back from config.toml with the site in
                // it; the selection waits for it there.
                self.selected = Some(site.name.clone());
                self.filter.set("");
                Outcome::Save {
                    site: Box::new(site),
                    replaces: form.original.clone(),
                }
            }
            Err(problem) => {
                self.mode = Mode::Edit(form);
                Outcome::Problem(problem)
            }
        }
    }

    fn browse_key(&mut self, key: KeyEvent, height: usize) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let page = height.saturating_sub(1).max(1) as isize;
        let edit = |site: &SiteEntry, focus| {
            let mut form = SiteForm::new(site, Some(site.name.clone()));
            form.focus = focus;
            Mode::Edit(Box::new(form))
        };
        match key.code {
            // As in a pane's filter: Esc drops the filter first, and the
            // selection stays on the site it was on.
            KeyCode::Esc if !self.filter.text().is_empty() => self.filter.set(""),
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Enter => return self.connect(self.side),
            KeyCode::Char('o') if ctrl => return self.connect(self.side.other()),
            KeyCode::Char('l') if ctrl => return Outcome::UrlLine,
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::PageUp => self.move_by(-page),
            KeyCode::PageDown => self.move_by(page),
            KeyCode::Home => self.move_by(isize::MIN / 2),
            KeyCode::End => self.move_by(isize::MAX / 2),
            KeyCode::F(4) => {
                if let Some(site) = self.selected_site() {
                    self.mode = edit(site, form::Field::Host);
                }
            }
            KeyCode::F(6) => {
                if let Some(site) = self.selected_site() {
                    self.mode = edit(site, form::Field::Name);
                }
            }
            KeyCode::F(7) => {
                let folder = self.selected_site().and_then(|s| s.folder.clone());
                let blank = SiteEntry {
                    folder,
                    ..SiteEntry::default()
                };
                let mut form = SiteForm::new(&blank, None);
                form.focus = form::Field::Name;
                self.mode = Mode::Edit(Box::new(form));
            }
            KeyCode::Char('n') if ctrl => {
                return self.browse_key(KeyEvent::from(KeyCode::F(7)), height);
            }
            KeyCode::F(5) => {
                if let Some(site) = self.selected_site() {
                    let copy = SiteEntry {
                        name: self.copy_name(&site.name),
                        ..site.clone()
                    };
                    self.selected = Some(copy.name.clone());
                    return Outcome::Save {
                        site: Box::new(copy),
                        replaces: None,
                    };
                }
            }
            KeyCode::F(8) => {
                if let Some(site) = self.selected_site() {
                    self.mode = Mode::ConfirmDelete(site.name.clone());
                }
            }
            KeyCode::F(9) => {
                let path = self.filter.text().trim();
                if path.is_empty() {
                    return Outcome::Problem(
                        "import: type the file's path in the filter, then F9 (FileZilla's \
                         sitemanager.xml, lftp's bookmarks or a .netrc)"
                            .into(),
                    );
                }
                return Outcome::Import(path.to_string());
            }
            _ => {
                let before = self.filter.text().to_string();
                self.filter.key(&key);
                if self.filter.text() != before {
                    self.select_first();
                }
            }
        }
        Outcome::Stay
    }

    fn connect(&self, side: Side) -> Outcome {
        let typed = self.filter.text().trim();
        if looks_like_url(typed) {
            return Outcome::Connect {
                side,
                target: typed.to_string(),
                typed: true,
            };
        }
        match self.selected_site() {
            Some(site) => Outcome::Connect {
                side,
                target: site.name.clone(),
                typed: false,
            },
            None if typed.is_empty() => Outcome::Stay,
            None => Outcome::Problem(format!(
                "no saved site matches {}: a URL (ftp://…) connects to it",
                printable(typed)
            )),
        }
    }

    /// The site rows under the pointer, and the two buttons.
    pub(crate) fn buttons(&self, body: Rect) -> Vec<(Rect, Button)> {
        let p = parts(body);
        let mut out = Vec::new();
        if matches!(self.mode, Mode::Browse) {
            let scroll = self.shown_scroll(p.list.height as usize);
            for (i, row) in self.rows().iter().enumerate().skip(scroll) {
                let y = (i - scroll) as u16;
                if y >= p.list.height {
                    break;
                }
                if let Row::Site { .. } = row {
                    out.push((
                        Rect::new(p.list.x, p.list.y + y, p.list.width, 1),
                        Button::Pick(i),
                    ));
                }
            }
        }
        out.extend(layout::buttons(
            layout::from_end(body, 1),
            &[
                (Button::Ok, self.ok_label()),
                (Button::Cancel, self.cancel_label()),
            ],
        ));
        out
    }

    pub(crate) fn ok_label(&self) -> &'static str {
        match self.mode {
            Mode::Browse => "Connect",
            Mode::Edit(_) => "Save",
            Mode::ConfirmDelete(_) => "Delete",
        }
    }

    pub(crate) fn cancel_label(&self) -> &'static str {
        match self.mode {
            Mode::Browse => "Close",
            Mode::Edit(_) | Mode::ConfirmDelete(_) => "Back",
        }
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect, p: &Palette) {
        let parts = parts(body);
        let filter = self
            .filter
            .view(parts.filter.width.saturating_sub(8) as usize, |t| {
                // A URL's password typed here is as secret as anywhere.
                printable(&crate::sites::credentials::mask_password(t))
            });
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::raw("filter or URL: "),
                Span::styled(filter, Style::default().add_modifier(Modifier::UNDERLINED)),
            ])),
            parts.filter,
        );
        self.draw_list(frame, parts.list, p);
        match &self.mode {
            Mode::Edit(form) => form.draw(frame, parts.details),
            Mode::ConfirmDelete(name) => {
                let w = parts.details.width as usize;
                let lines = vec![
                    Line::from(fit(&format!("Delete the site {}?", printable(name)), w)),
                    Line::from(fit("Its settings and password", w)),
                    Line::from(fit("leave config.toml.", w)),
                ];
                frame.render_widget(Paragraph::new(lines), parts.details);
            }
            Mode::Browse => self.draw_details(frame, parts.details),
        }
        let keys = match self.mode {
            Mode::Browse => [
                format!(
                    "Enter: connect the {} pane · Ctrl-O: the {} pane · Ctrl-L: URL line",
                    self.side.name(),
                    self.side.other().name()
                ),
                "F4 edit · F5 duplicate · F6 rename · F7 new · F8 delete · F9 import · Esc".into(),
            ],
            Mode::Edit(_) => [
                "Tab ↑↓: field · Space ←→: change a choice".into(),
                "Enter: save to config.toml (0600) · Esc: back to the list".into(),
            ],
            Mode::ConfirmDelete(_) => [
                "Enter or y: delete the site".into(),
                "Esc or n: keep it".into(),
            ],
        };
        let w = parts.keys.width as usize;
        let mut lines: Vec<Line> = keys.iter().map(|k| Line::from(fit(k, w))).collect();
        if let Some(problem) = &self.problem {
            lines[0] = Line::from(Span::styled(
                fit(problem, w),
                Style::default().add_modifier(Modifier::BOLD),
            ));
        }
        frame.render_widget(Paragraph::new(lines), parts.keys);
    }

    fn draw_list(&self, frame: &mut Frame, area: Rect, p: &Palette) {
        let w = area.width as usize;
        let rows = self.rows();
        if rows.is_empty() {
            let text = if self.sites.is_empty() {
                "no saved sites: F7 makes one"
            } else {
                "no site matches"
            };
            frame.render_widget(Paragraph::new(fit(text, w)), area);
            return;
        }
        let lines: Vec<Line> = rows
            .iter()
            .skip(self.shown_scroll(area.height as usize))
            .take(area.height as usize)
            .map(|row| match row {
                Row::Folder { depth, name } => Line::from(Span::styled(
                    fit(&format!("{}▾ {}/", "  ".repeat(*depth), printable(name)), w),
                    Style::default().add_modifier(Modifier::BOLD),
                )),
                Row::Site { depth, index } => {
                    let selected = self.is_selected(*index);
                    // A mark as well as the colour: without colour the
                    // selection must still show.
                    let text = format!(
                        "{}{}{}",
                        "  ".repeat(*depth),
                        if selected { "▸ " } else { "  " },
                        printable(&self.sites[*index].name)
                    );
                    let style = if selected {
                        p.cursor(true)
                    } else {
                        Style::default()
                    };
                    Line::from(Span::styled(format!("{:<w$}", fit(&text, w)), style))
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn draw_details(&self, frame: &mut Frame, area: Rect) {
        let Some(site) = self.selected_site() else {
            return;
        };
        let w = area.width as usize;
        let url = crate::ftp::FtpUrl::parse(&site.url).ok();
        let tls = url
            .as_ref()
            .and_then(|u| u.tls)
            .or_else(|| site.tls.as_deref().and_then(crate::ftp::TlsMode::parse))
            .unwrap_or_default();
        let shown_url = crate::sites::credentials::without_password(&site.url);
        let anonymous = url
            .as_ref()
            .and_then(|u| u.user.as_deref())
            .is_none_or(|u| u == "anonymous" || u == "ftp");
        let mut lines = vec![
            ("name", site.name.clone()),
            ("folder", site.folder.clone().unwrap_or_else(|| "—".into())),
            (
                "user",
                url.as_ref()
                    .and_then(|u| u.user.clone())
                    .unwrap_or_else(|| "anonymous".into()),
            ),
            (
                "password",
                if site.password.is_some() {
                    "stored (not shown)"
                } else if anonymous {
                    "none (anonymous)"
                } else {
                    "asked when connecting"
                }
                .into(),
            ),
            ("TLS", form::tls_words(tls).into()),
            (
                "data mode",
                if site.passive == Some(false) {
                    "active"
                } else {
                    "passive"
                }
                .into(),
            ),
            (
                "open at",
                url.as_ref()
                    .map(|u| String::from_utf8_lossy(&u.path).into_owned())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "the login directory".into()),
            ),
            (
                "connections",
                site.max_connections
                    .map_or_else(|| "default".into(), |n| n.to_string()),
            ),
        ];
        if let Some(comment) = &site.comment {
            lines.push(("comment", comment.clone()));
        }
        // The URL on a line of its own: aligned with the rest it was cut.
        let url_line = Line::from(fit(&format!("URL: {}", printable(&shown_url)), w));
        let lines: Vec<Line> = std::iter::once(url_line)
            .chain(lines.into_iter().map(|(label, value)| {
                Line::from(fit(
                    &format!("{:<12} {}", format!("{label}:"), printable(&value)),
                    w,
                ))
            }))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}
