//! One site's fields, edited in place in the site manager. The URL in
//! config.toml stays the one record of host, port, user and directory: the
//! form splits it into fields when it opens and composes it again on save,
//! so nothing can disagree with it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ftp::{FtpUrl, TlsMode};
use crate::sites::SiteEntry;
use crate::text::printable;
use crate::ui::dialog::TextField;
use crate::ui::format::fit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Name,
    Folder,
    Host,
    Port,
    User,
    AskPassword,
    Password,
    Tls,
    Passive,
    Directory,
    Connections,
    Comment,
}

impl Field {
    pub(crate) const ALL: [Field; 12] = [
        Field::Name,
        Field::Folder,
        Field::Host,
        Field::Port,
        Field::User,
        Field::AskPassword,
        Field::Password,
        Field::Tls,
        Field::Passive,
        Field::Directory,
        Field::Connections,
        Field::Comment,
    ];

    fn label(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Folder => "folder",
            Field::Host => "host",
            Field::Port => "port",
            Field::User => "user",
            Field::AskPassword => "password is",
            Field::Password => "password",
            Field::Tls => "TLS",
            Field::Passive => "data mode",
            Field::Directory => "open at",
            Field::Connections => "connections",
            Field::Comment => "comment",
        }
    }

    /// A choice (Space and ←→ change it) rather than text.
    fn is_choice(self) -> bool {
        matches!(self, Field::AskPassword | Field::Tls | Field::Passive)
    }
}

const TLS_MODES: [TlsMode; 4] = [
    TlsMode::Off,
    TlsMode::IfAvailable,
    TlsMode::Required,
    TlsMode::Implicit,
];

#[derive(Clone)]
pub(crate) struct SiteForm {
    /// The entry as it was (a new site: a blank one). Settings the form
    /// does not show (pins, CA file, excludes, listing …) are kept from it.
    pub(crate) base: SiteEntry,
    /// The name the site had (a rename replaces it); `None`: a new site.
    pub(crate) original: Option<String>,
    pub(crate) name: TextField,
    pub(crate) folder: TextField,
    pub(crate) host: TextField,
    pub(crate) port: TextField,
    pub(crate) user: TextField,
    /// No password in config.toml: asked at every connect.
    pub(crate) ask_password: bool,
    pub(crate) password: TextField,
    pub(crate) tls: TlsMode,
    pub(crate) passive: bool,
    pub(crate) directory: TextField,
    pub(crate) connections: TextField,
    pub(crate) comment: TextField,
    pub(crate) focus: Field,
}

/// Without the fields: a form printed for a test failure or a log must not
/// carry the password typed into it.
impl std::fmt::Debug for SiteForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteForm")
            .field("original", &self.original)
            .field("focus", &self.focus)
            .finish_non_exhaustive()
    }
}

pub(crate) enum Outcome {
    Stay,
    Cancel,
    Save,
}

const LABEL_W: usize = 13;

impl SiteForm {
    /// The form for `site` (`original`: its name, for a rename; `None`
    /// for a site not saved yet).
    pub(crate) fn new(site: &SiteEntry, original: Option<String>) -> SiteForm {
        let url = FtpUrl::parse(&site.url).ok();
        let tls = url
            .as_ref()
            .and_then(|u| u.tls)
            .or_else(|| site.tls.as_deref().and_then(TlsMode::parse))
            .unwrap_or_default();
        let port = url
            .as_ref()
            .filter(|u| u.port != u.default_port())
            .map(|u| u.port.to_string())
            .unwrap_or_default();
        SiteForm {
            base: site.clone(),
            original,
            name: TextField::new(site.name.clone()),
            folder: TextField::new(site.folder.clone().unwrap_or_default()),
            // A URL that does not parse is shown whole in the host field:
            // the person sees it and fixes it rather than losing it.
            host: TextField::new(url.as_ref().map_or(site.url.clone(), |u| u.host.clone())),
            port: TextField::new(port),
            user: TextField::new(
                url.as_ref()
                    .and_then(|u| u.user.clone())
                    .unwrap_or_default(),
            ),
            ask_password: site.password.is_none(),
            password: TextField::new(site.password.clone().unwrap_or_default()),
            tls,
            passive: site.passive != Some(false),
            directory: TextField::new(
                url.as_ref()
                    .map(|u| String::from_utf8_lossy(&u.path).into_owned())
                    .unwrap_or_default(),
            ),
            connections: TextField::new(
                site.max_connections
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            comment: TextField::new(site.comment.clone().unwrap_or_default()),
            focus: Field::Host,
        }
    }

    fn text_mut(&mut self, f: Field) -> Option<&mut TextField> {
        Some(match f {
            Field::Name => &mut self.name,
            Field::Folder => &mut self.folder,
            Field::Host => &mut self.host,
            Field::Port => &mut self.port,
            Field::User => &mut self.user,
            Field::Password => &mut self.password,
            Field::Directory => &mut self.directory,
            Field::Connections => &mut self.connections,
            Field::Comment => &mut self.comment,
            Field::AskPassword | Field::Tls | Field::Passive => return None,
        })
    }

    fn text(&self, f: Field) -> &TextField {
        match f {
            Field::Name => &self.name,
            Field::Folder => &self.folder,
            Field::Host => &self.host,
            Field::Port => &self.port,
            Field::User => &self.user,
            Field::Password => &self.password,
            Field::Directory => &self.directory,
            Field::Connections => &self.connections,
            _ => &self.comment,
        }
    }

    /// The fields Tab visits: the password only when it is stored.
    fn visible(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| *f != Field::Password || !self.ask_password)
            .collect()
    }

    pub(crate) fn key(&mut self, key: KeyEvent) -> Outcome {
        let fields = self.visible();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = fields.len();
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => return Outcome::Save,
            KeyCode::Tab | KeyCode::Down => self.focus = fields[(at + 1) % n],
            KeyCode::BackTab | KeyCode::Up => self.focus = fields[(at + n - 1) % n],
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right if self.focus.is_choice() => {
                let back = key.code == KeyCode::Left;
                match self.focus {
                    Field::AskPassword => self.ask_password = !self.ask_password,
                    Field::Passive => self.passive = !self.passive,
                    _ => {
                        let i = TLS_MODES.iter().position(|m| *m == self.tls).unwrap_or(1);
                        let by = if back { TLS_MODES.len() - 1 } else { 1 };
                        self.tls = TLS_MODES[(i + by) % TLS_MODES.len()];
                    }
                }
            }
            _ => {
                let focus = self.focus;
                if let Some(field) = self.text_mut(focus) {
                    field.key(&key);
                }
            }
        }
        Outcome::Stay
    }

    /// The entry the form describes, its URL composed from the fields;
    /// `Err` says which field is wrong.
    pub(crate) fn to_site(&self) -> Result<SiteEntry, String> {
        let name = self.name.text().trim();
        if name.is_empty() {
            return Err("name: a site needs one".into());
        }
        let host = self.host.text().trim();
        // `[::1]` typed as a URL would write it: the brackets are the URL's.
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if host.is_empty() {
            return Err("host: a site needs one".into());
        }
        let scheme_tls = match self.tls {
            TlsMode::Implicit => Some(TlsMode::Implicit),
            TlsMode::Required => Some(TlsMode::Required),
            TlsMode::Off | TlsMode::IfAvailable => None,
        };
        let default_port = if self.tls == TlsMode::Implicit {
            990
        } else {
            21
        };
        let port = match self.port.text().trim() {
            "" => default_port,
            p => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or("port: a number from 1 to 65535")?,
        };
        let user = Some(self.user.text().trim().to_string()).filter(|u| !u.is_empty());
        let url = FtpUrl {
            host: host.to_string(),
            port,
            user,
            password: None,
            path: self.directory.text().trim().as_bytes().to_vec(),
            tls: scheme_tls,
        };
        let text = url.to_string();
        // The composed URL must read back as the fields: a host with a
        // `/` or a user with an `@` would otherwise save another site.
        let back = FtpUrl::parse(&text).map_err(|e| format!("host: {e}"))?;
        if !back.host.eq_ignore_ascii_case(&url.host) && !url.host.contains(':') {
            return Err(format!("host: {} is not a host name", printable(host)));
        }
        if back.user != url.user {
            return Err("user: a : or / cannot be part of it".into());
        }
        if back.port != url.port || back.path != url.path {
            return Err("host: not a host name".into());
        }
        let connections = match self.connections.text().trim() {
            "" => None,
            n => Some(
                n.parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("connections: a number from 1")?,
            ),
        };
        let some = |t: &TextField| Some(t.text().trim().to_string()).filter(|t| !t.is_empty());
        Ok(SiteEntry {
            name: name.to_string(),
            url: text,
            password: (!self.ask_password)
                .then(|| self.password.text().to_string())
                .filter(|p| !p.is_empty()),
            max_connections: connections,
            passive: (!self.passive).then_some(false),
            tls: (self.tls != TlsMode::default()).then(|| tls_name(self.tls).to_string()),
            folder: some(&self.folder).map(|f| f.trim_matches('/').to_string()),
            comment: some(&self.comment),
            ..self.base.clone()
        })
    }

    pub(crate) fn draw(&self, frame: &mut Frame, area: Rect) {
        let w = area.width as usize;
        let value_w = w.saturating_sub(LABEL_W);
        let lines: Vec<Line> = self
            .visible()
            .into_iter()
            .map(|field| {
                let focused = field == self.focus;
                let mark = if focused { "▏" } else { "" };
                let shown = match field {
                    Field::AskPassword => format!(
                        "{}{mark}",
                        if self.ask_password {
                            "asked when connecting"
                        } else {
                            "stored in config.toml"
                        }
                    ),
                    Field::Tls => format!("{}{mark}", tls_words(self.tls)),
                    Field::Passive => {
                        format!("{}{mark}", if self.passive { "passive" } else { "active" })
                    }
                    _ => {
                        let masked = field == Field::Password;
                        let show = |t: &str| {
                            if masked {
                                "•".repeat(t.chars().count())
                            } else {
                                printable(t)
                            }
                        };
                        let f = self.text(field);
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
                Line::from(vec![
                    Span::raw(fit(&format!("{}:", field.label()), LABEL_W)),
                    Span::styled(shown, style),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// The name config.toml uses for a mode.
pub(crate) fn tls_name(mode: TlsMode) -> &'static str {
    match mode {
        TlsMode::Off => "off",
        TlsMode::IfAvailable => "if-available",
        TlsMode::Required => "required",
        TlsMode::Implicit => "implicit",
    }
}

/// A mode as the person reads it.
pub(crate) fn tls_words(mode: TlsMode) -> &'static str {
    match mode {
        TlsMode::Off => "off (passwords in the clear)",
        TlsMode::IfAvailable => "if the server offers it",
        TlsMode::Required => "required (AUTH TLS)",
        TlsMode::Implicit => "implicit (ftps://)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(url: &str) -> SiteEntry {
        SiteEntry {
            name: "s".into(),
            url: url.into(),
            ..SiteEntry::default()
        }
    }

    #[test]
    fn fields_split_and_compose_the_url() {
        let f = SiteForm::new(&site("ftp://bob@[2001:db8::7]:2121/%2Fsrv/x y"), None);
        assert_eq!(
            [
                f.host.text(),
                f.port.text(),
                f.user.text(),
                f.directory.text()
            ],
            ["2001:db8::7", "2121", "bob", "/srv/x y"]
        );
        let saved = f.to_site().unwrap();
        assert_eq!(saved.url, "ftp://bob@[2001:db8::7]:2121/%2Fsrv/x y");
        let mut f = SiteForm::new(&site("ftp://h/pub"), None);
        assert_eq!(f.directory.text(), "pub", "relative to the login directory");
        f.tls = TlsMode::Implicit;
        let saved = f.to_site().unwrap();
        assert_eq!(saved.url, "ftps://h/pub", "990 is implicit TLS's own port");
        assert_eq!(saved.tls.as_deref(), Some("implicit"));
        assert_eq!(
            SiteForm::new(&saved, None).tls,
            TlsMode::Implicit,
            "reads back"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = SiteForm::new(&site("ftp://h/"), None);
        f.port.set("70000");
        assert!(f.to_site().unwrap_err().starts_with("port"));
        f.port.set("");
        f.host.set("h/x");
        assert!(f.to_site().is_err());
        f.host.set("h");
        f.user.set("a:b");
        assert!(f.to_site().unwrap_err().starts_with("user"));
        f.user.set("");
        f.connections.set("0");
        assert!(f.to_site().unwrap_err().starts_with("connections"));
    }
}
