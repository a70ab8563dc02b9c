//! Ctrl-E in the connect dialog: a saved site's settings as a form — name,
//! URL, password (masked), transfer connections, passive or active.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::TextField;
use crate::sites::SiteEntry;
use crate::text::printable;
use crate::ui::format::fit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Name,
    Url,
    Password,
    Connections,
    Passive,
    Tls,
}

impl Field {
    pub(crate) const ALL: [Field; 6] = [
        Field::Name,
        Field::Url,
        Field::Password,
        Field::Connections,
        Field::Passive,
        Field::Tls,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Url => "URL",
            Field::Password => "password (optional)",
            Field::Connections => "transfer connections",
            Field::Passive => "passive (Space: toggle)",
            Field::Tls => "TLS (Space: change)",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SiteForm {
    /// The name the site had when editing began (a rename replaces it).
    pub(crate) original: Option<String>,
    pub(crate) name: TextField,
    pub(crate) url: TextField,
    pub(crate) password: TextField,
    pub(crate) connections: TextField,
    pub(crate) passive: bool,
    /// `tls = …` for the site (the URL's scheme still wins).
    pub(crate) tls: crate::ftp::TlsMode,
    pub(crate) focus: Field,
}

pub(crate) enum Outcome {
    Stay,
    Cancel,
    Save,
}

const LABEL_W: usize = 24;

impl SiteForm {
    /// The form for a saved site, or for a new one from a typed URL.
    pub(crate) fn new(existing: Option<&SiteEntry>, typed: &str) -> SiteForm {
        match existing {
            Some(site) => SiteForm {
                original: Some(site.name.clone()),
                name: TextField::new(site.name.clone()),
                url: TextField::new(site.url.clone()),
                password: TextField::new(site.password.clone().unwrap_or_default()),
                connections: TextField::new(
                    site.max_connections
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ),
                passive: site.passive != Some(false),
                tls: site
                    .tls
                    .as_deref()
                    .and_then(crate::ftp::TlsMode::parse)
                    .unwrap_or_default(),
                focus: Field::Name,
            },
            None => {
                let url = crate::ftp::FtpUrl::parse(typed).ok();
                SiteForm {
                    original: None,
                    name: TextField::new(url.as_ref().map(|u| u.host.clone()).unwrap_or_default()),
                    url: TextField::new(
                        url.as_ref()
                            .map(|u| u.to_string())
                            .unwrap_or_else(|| "ftp://".into()),
                    ),
                    password: TextField::new(
                        url.and_then(|u| u.password)
                            .map(|p| p.expose().to_string())
                            .unwrap_or_default(),
                    ),
                    connections: TextField::default(),
                    passive: true,
                    tls: crate::ftp::TlsMode::default(),
                    focus: Field::Name,
                }
            }
        }
    }

    fn field_mut(&mut self, f: Field) -> Option<&mut TextField> {
        match f {
            Field::Name => Some(&mut self.name),
            Field::Url => Some(&mut self.url),
            Field::Password => Some(&mut self.password),
            Field::Connections => Some(&mut self.connections),
            Field::Passive | Field::Tls => None,
        }
    }

    pub(crate) fn key(&mut self, key: KeyEvent) -> Outcome {
        let at = Field::ALL
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0);
        let n = Field::ALL.len();
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => return Outcome::Save,
            KeyCode::Tab | KeyCode::Down => self.focus = Field::ALL[(at + 1) % n],
            KeyCode::BackTab | KeyCode::Up => self.focus = Field::ALL[(at + n - 1) % n],
            _ if self.focus == Field::Passive => match key.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => self.passive = !self.passive,
                KeyCode::Char('y') => self.passive = true,
                KeyCode::Char('n') => self.passive = false,
                _ => {}
            },
            _ if self.focus == Field::Tls => {
                use crate::ftp::TlsMode::*;
                const MODES: [crate::ftp::TlsMode; 4] = [IfAvailable, Required, Implicit, Off];
                let at = MODES.iter().position(|m| *m == self.tls).unwrap_or(0);
                let by = match key.code {
                    KeyCode::Char(' ') | KeyCode::Right => 1,
                    KeyCode::Left => MODES.len() - 1,
                    _ => 0,
                };
                self.tls = MODES[(at + by) % MODES.len()];
            }
            _ => {
                if let Some(field) = self.field_mut(self.focus) {
                    field.key(&key);
                }
            }
        }
        Outcome::Stay
    }

    /// The site the form describes; `Err` says what is wrong.
    pub(crate) fn to_site(&self) -> Result<SiteEntry, String> {
        let name = self.name.text().trim();
        if name.is_empty() {
            return Err("a site needs a name".into());
        }
        let url = crate::ftp::FtpUrl::parse(self.url.text().trim()).map_err(|e| e.to_string())?;
        let max_connections = match self.connections.text().trim() {
            "" => None,
            n => Some(
                n.parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("transfer connections: a number from 1")?,
            ),
        };
        Ok(SiteEntry {
            name: name.to_string(),
            // The password lives in its own field, never inside the URL.
            url: url.to_string(),
            password: Some(self.password.text().to_string())
                .filter(|p| !p.is_empty())
                .or_else(|| url.password.as_ref().map(|p| p.expose().to_string())),
            max_connections,
            passive: (!self.passive).then_some(false),
            tls: (self.tls != crate::ftp::TlsMode::default())
                .then(|| tls_name(self.tls).to_string()),
            ..SiteEntry::default()
        })
    }

    pub(crate) fn size(&self) -> (u16, u16) {
        (72, 10)
    }

    pub(crate) fn draw(&self, frame: &mut Frame, body: Rect) {
        let w = body.width as usize;
        let value_w = w.saturating_sub(LABEL_W);
        let mut lines = Vec::new();
        for field in Field::ALL {
            let focused = field == self.focus;
            let shown = match field {
                Field::Passive => format!(
                    "{}{}",
                    if self.passive {
                        "yes (passive)"
                    } else {
                        "no (active)"
                    },
                    if focused { "▏" } else { "" }
                ),
                Field::Tls => format!(
                    "{}{}",
                    match self.tls {
                        crate::ftp::TlsMode::IfAvailable => "if the server offers it",
                        crate::ftp::TlsMode::Required => "required (AUTH TLS)",
                        crate::ftp::TlsMode::Implicit => "implicit (ftps://, port 990)",
                        crate::ftp::TlsMode::Off => "off (passwords in the clear)",
                    },
                    if focused { "▏" } else { "" }
                ),
                _ => {
                    let f = match field {
                        Field::Name => &self.name,
                        Field::Url => &self.url,
                        Field::Password => &self.password,
                        _ => &self.connections,
                    };
                    let masked = field == Field::Password;
                    let show = |t: &str| {
                        if masked {
                            "•".repeat(t.chars().count())
                        } else {
                            printable(t)
                        }
                    };
                    if focused {
                        f.view(value_w, show)
                    } else {
                        fit(&show(f.text()), value_w)
                    }
                }
            };
            let style = if focused {
                Style::default().add_modifier(Modifier::UNDERLINED)
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::raw(fit(&format!("{}:", field.label()), LABEL_W)),
                Span::styled(shown, style),
            ]));
        }
        lines.push(Line::from(fit(
            "Tab next field · Enter saves to config.toml (0600) · Esc",
            w,
        )));
        frame.render_widget(Paragraph::new(lines), body);
    }
}

/// The name config.toml uses for a mode.
fn tls_name(mode: crate::ftp::TlsMode) -> &'static str {
    match mode {
        crate::ftp::TlsMode::Off => "off",
        crate::ftp::TlsMode::IfAvailable => "if-available",
        crate::ftp::TlsMode::Required => "required",
        crate::ftp::TlsMode::Implicit => "implicit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, url: &str, connections: &str) -> SiteForm {
        let mut f = SiteForm::new(None, "");
        f.name.set(name);
        f.url.set(url);
        f.connections.set(connections);
        f
    }

    #[test]
    fn the_form_is_checked() {
        assert!(form("", "ftp://h/", "").to_site().is_err());
        assert!(form("n", "http://h/", "").to_site().is_err());
        assert!(form("n", "ftp://h/", "0").to_site().is_err());
        let site = form("n", "ftp://u:secret@h/pub", "").to_site().unwrap();
        assert_eq!(
            site.url, "ftp://u@h/pub",
            "the password never stays in the URL"
        );
        assert_eq!(site.password.as_deref(), Some("secret"));
        assert_eq!((site.max_connections, site.passive), (None, None));
        let mut f = form("n", "ftp://h/", "4");
        f.passive = false;
        let site = f.to_site().unwrap();
        assert_eq!((site.max_connections, site.passive), (Some(4), Some(false)));
        assert_eq!(site.tls, None, "the default is not written");
        f.focus = Field::Tls;
        f.key(KeyEvent::new(
            KeyCode::Char(' '),
            crossterm::event::KeyModifiers::NONE,
        ));
        assert_eq!(f.to_site().unwrap().tls.as_deref(), Some("required"));
        assert_eq!(
            crate::ftp::TlsMode::parse(&f.to_site().unwrap().tls.unwrap()),
            Some(crate::ftp::TlsMode::Required),
            "what it writes reads back"
        );
    }
}
