//! `config.toml` in the platform's config directory: saved sites, the last
//! session's panes, and the connect history. Written with mode 0600 since a
//! site may carry a password (`~/.netrc` or a prompt are better places).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteEntry>,
    #[serde(default)]
    pub session: Session,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteEntry {
    pub name: String,
    /// `ftp://user@host:port/dir` — without the password.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<usize>,
    /// Prefer passive mode for this site's own transfers (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive: Option<bool>,
    /// Trust a passive reply naming another host than the one this site is
    /// reached at, for server-to-server copies (default false: RFC 2577).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_foreign_passive: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Session {
    pub left: Option<String>,
    pub right: Option<String>,
    #[serde(default)]
    pub history: Vec<String>,
}

pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FXPC_CONFIG") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "fxpc").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    pub fn load() -> Config {
        let Some(path) = path() else {
            return Config::default();
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!("ignoring {}: {e}", path.display());
                Config::default()
            }),
            Err(_) => Config::default(),
        }
    }

    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = path() else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(text.as_bytes())
    }

    /// A saved site by name, for `fxpc NAME` and the connect dialog.
    pub fn site(&self, name: &str) -> Option<&SiteEntry> {
        self.sites.iter().find(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        // SAFETY: the test sets a variable only this process reads.
        unsafe { std::env::set_var("FXPC_CONFIG", &file) };
        let config = Config {
            sites: vec![SiteEntry {
                name: "mirror-a".into(),
                url: "ftp://bob@127.0.0.2:2121/pub".into(),
                password: Some("pw".into()),
                max_connections: Some(3),
                passive: None,
                allow_foreign_passive: Some(true),
            }],
            session: Session {
                left: Some("local:/tmp".into()),
                right: None,
                history: vec!["ftp://x/".into()],
            },
        };
        config.save().unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let back = Config::load();
        assert_eq!(back.site("mirror-a").unwrap().max_connections, Some(3));
        assert_eq!(back.session.history, ["ftp://x/"]);
    }
}
