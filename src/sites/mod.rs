//! Sites and their passwords, for the command line and the UI alike:
//! `config.toml` in the platform's config directory (saved sites, the last
//! session's panes, the connect history), written with mode 0600 since a
//! site may carry a password (`~/.netrc` or a prompt are better places);
//! `credentials.rs` is the one order in which a password is looked for.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub mod credentials;
pub mod import;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    /// Names `fxpc mirror` skips on every site (`*.tmp`, `.DS_Store`,
    /// `cache/`); first, since TOML wants plain keys before tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// A directory's files matching these go first, in this order
    /// (`*.sfv`, `*.nfo`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) priority: Vec<String>,
    /// Whether copies keep their source's modification time: `true` for
    /// every copy, `false` for none; unset, the files of tree copies and
    /// mirrors do (the command line's `--preserve-times` and
    /// `--no-preserve-times` win over it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_times: Option<bool>,
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteEntry>,
    #[serde(default)]
    pub(crate) session: Session,
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SiteEntry {
    pub(crate) name: String,
    /// `ftp://user@host:port/dir` — without the password.
    pub(crate) url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_connections: Option<usize>,
    /// Prefer passive mode for this site's own transfers (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) passive: Option<bool>,
    /// Trust a passive reply naming another host than the one this site is
    /// reached at, for server-to-server copies and the client's own data
    /// connections (default false: RFC 2577; our own connections then go
    /// to the control connection's host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) allow_foreign_passive: Option<bool>,
    /// `off`, `if-available` (the default), `required`, `implicit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tls: Option<String>,
    /// Certificates trusted for this site whatever the roots say
    /// (`SHA256:AB:CD:…`): what "trust this certificate" saves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) trust_fingerprint: Vec<String>,
    /// Extra CA certificates (PEM) for this site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ca_file: Option<PathBuf>,
    /// Server-to-server copies may ask for clear data connections (`PROT
    /// C`) when no protected way exists (default false: relayed in TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) allow_clear_data: Option<bool>,
    /// How the server's LIST output is read: `auto` (the default: the
    /// SYST reply and the listing's headings decide), `unix`, `dos`,
    /// `vms`, `mvs`, `zvm`, `tandem`, `as400`, `os2`, `netware`,
    /// `netpresenz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) listing: Option<String>,
    /// The most entries one directory of this site may list (default
    /// 1,000,000): past it the listing is stopped, saying so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_listing_entries: Option<usize>,
    /// The folder the site is filed in (`Work/Customers`), as the site
    /// managers people come from keep them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) folder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
    /// Names `fxpc mirror` skips when this site is either end, on top of
    /// the top-level `exclude`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

/// Never the password: a saved site may end up in a log line or a test's
/// failure message.
impl SiteEntry {
    /// The most sessions the site was saved to take, if it says.
    pub fn max_connections(&self) -> Option<usize> {
        self.max_connections
    }
}

impl std::fmt::Debug for SiteEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteEntry")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "(saved)"))
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) left: Option<String>,
    pub(crate) right: Option<String>,
    #[serde(default)]
    pub(crate) history: Vec<String>,
}

pub(crate) fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FXPC_CONFIG") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "fxpc").map(|d| d.config_dir().join("config.toml"))
}

/// A queued item's site as it was reached when queued (`--tls off`,
/// `--ca-file`, pinned certificates, connections), unless this run's own
/// command line says otherwise; `build` makes the site from a URL and TLS
/// settings (asking for a password or not).
pub fn site_as_queued(
    url: &crate::ftp::FtpUrl,
    stored: Option<&crate::transfer::journal::EndSettings>,
    tls: &TlsOverrides,
    build: &dyn Fn(&crate::ftp::FtpUrl, &TlsOverrides) -> Result<crate::transfer::FtpSite, String>,
) -> Result<crate::transfer::FtpSite, String> {
    let mut overrides = tls.clone();
    if let Some(stored) = stored {
        if overrides.mode.is_none() {
            overrides.mode = crate::ftp::TlsMode::parse(&stored.tls);
        }
        if overrides.ca_file.is_none() {
            overrides.ca_file = stored.ca_file.clone();
        }
        overrides.pinned.extend(
            stored
                .pinned
                .iter()
                .filter_map(|f| crate::ftp::Fingerprint::parse(f)),
        );
    }
    let mut site = build(url, &overrides)?;
    if let Some(stored) = stored {
        site.max_connections = stored.connections.max(1);
        site.allow_clear_data |= stored.allow_clear_data;
    }
    Ok(site)
}

/// TLS settings given for this run (the command line's `--tls`,
/// `--trust-fingerprint`, `--ca-file`), over those of saved sites.
#[derive(Debug, Clone, Default)]
pub struct TlsOverrides {
    pub mode: Option<crate::ftp::TlsMode>,
    pub pinned: Vec<crate::ftp::Fingerprint>,
    pub ca_file: Option<PathBuf>,
}

/// The TLS settings for `url`: its scheme (`ftps://`, `ftpes://`) first,
/// then the command line, then the saved site, then "if available". Pinned
/// certificates add up; a fingerprint in config.toml that does not parse
/// is an error that names it, not a silent "trust nothing".
pub(crate) fn tls_settings(
    url: &crate::ftp::FtpUrl,
    saved: Option<&SiteEntry>,
    given: &TlsOverrides,
) -> Result<crate::ftp::TlsSettings, String> {
    use crate::ftp::{Fingerprint, TlsMode};
    let saved_mode = match saved.and_then(|s| s.tls.as_deref()) {
        Some(text) => Some(TlsMode::parse(text).ok_or_else(|| {
            format!("site tls = {text:?}: off, if-available, required or implicit")
        })?),
        None => None,
    };
    let mut pinned = given.pinned.clone();
    for text in saved
        .map(|s| s.trust_fingerprint.as_slice())
        .unwrap_or_default()
    {
        pinned.push(Fingerprint::parse(text).ok_or_else(|| {
            format!("site trust_fingerprint {text:?}: not a SHA-256 fingerprint")
        })?);
    }
    Ok(crate::ftp::TlsSettings {
        mode: url.tls.or(given.mode).or(saved_mode).unwrap_or_default(),
        ca_file: given
            .ca_file
            .clone()
            .or_else(|| saved.and_then(|s| s.ca_file.clone())),
        pinned,
    })
}

/// The FTP site `url` names, logged in as `login`, with what its saved
/// site says (transfer connections, passive, foreign passive replies,
/// clear data, listing style, TLS) under the command line's TLS settings. The one place
/// the command line, the UI and a resumed queue make a site.
pub fn build_site(
    url: &crate::ftp::FtpUrl,
    login: crate::ftp::Login,
    named: Option<&SiteEntry>,
    sites: &[SiteEntry],
    tls: &TlsOverrides,
) -> Result<crate::transfer::FtpSite, String> {
    let saved = site_for(sites, named, url);
    let mut site = crate::transfer::FtpSite::new(url, login);
    if let Some(n) = saved.and_then(|s| s.max_connections) {
        site.max_connections = n.max(1);
    }
    if let Some(passive) = saved.and_then(|s| s.passive) {
        site.options.passive = passive;
    }
    site.allow_foreign_passive = saved.and_then(|s| s.allow_foreign_passive).unwrap_or(false);
    site.options.trust_passive_address = site.allow_foreign_passive;
    site.allow_clear_data = saved.and_then(|s| s.allow_clear_data).unwrap_or(false);
    site.options.allow_clear_data = site.allow_clear_data;
    if let Some(text) = saved.and_then(|s| s.listing.as_deref()) {
        site.options.listing = crate::ftp::listing::ListingStyle::parse(text).ok_or_else(|| {
            format!(
                "site listing = {text:?}: auto, unix, dos, vms, mvs, zvm, tandem, as400, os2, netware or netpresenz"
            )
        })?;
    }
    if let Some(entries) = saved.and_then(|s| s.max_listing_entries) {
        site.options.listing_limits.entries = entries.max(1);
    }
    let settings = tls_settings(url, saved, tls)?;
    site.set_tls(settings)
        .map_err(|e| format!("{site}: TLS settings: {e}"))?;
    Ok(site)
}

/// The site `url` names, with `typed` as its password when no other
/// source has one; `None` when the password is all that is missing (the
/// UI then asks for it).
pub fn site_unless_password_missing(
    url: &crate::ftp::FtpUrl,
    typed: Option<&crate::ftp::Secret>,
    tls: &TlsOverrides,
) -> Result<Option<crate::transfer::FtpSite>, String> {
    let config = Config::load();
    let sources = credentials::Sources::from_env(&config.sites);
    let login = match (credentials::find(url, None, &sources), typed) {
        (credentials::Credentials::Ready(login), _) => login,
        (credentials::Credentials::NeedPassword { user }, Some(password)) => crate::ftp::Login {
            user,
            password: password.clone(),
            account: None,
        },
        (credentials::Credentials::NeedPassword { .. }, None) => return Ok(None),
    };
    build_site(url, login, None, &config.sites, tls).map(Some)
}

/// The skip list and priority order for copies between `urls` (source,
/// destination; local paths have no site): config.toml's lists, each
/// saved site's excludes, then the command line's.
pub fn copy_rules(
    config: &Config,
    urls: &[&str],
    exclude: &[String],
    include: &[String],
) -> Result<
    (
        crate::transfer::skip::SkipList,
        crate::transfer::skip::Priority,
    ),
    String,
> {
    let mut excluded = config.exclude.clone();
    for text in urls {
        if let Ok(url) = crate::ftp::FtpUrl::parse(text)
            && let Some(saved) = site_for(&config.sites, None, &url)
        {
            excluded.extend(saved.exclude.iter().cloned());
        }
    }
    excluded.extend(exclude.iter().cloned());
    Ok((
        crate::transfer::skip::SkipList::new(&excluded, include)?,
        crate::transfer::skip::Priority::new(&config.priority)?,
    ))
}

/// The saved site for `url`: the one named, else one with the same user,
/// host and port.
pub fn site_for<'a>(
    sites: &'a [SiteEntry],
    named: Option<&'a SiteEntry>,
    url: &crate::ftp::FtpUrl,
) -> Option<&'a SiteEntry> {
    named.or_else(|| {
        sites.iter().find(|site| {
            crate::ftp::FtpUrl::parse(&site.url).is_ok_and(|saved| {
                saved.host == url.host && saved.port == url.port && saved.user == url.user
            })
        })
    })
}

impl Config {
    pub fn load() -> Config {
        match path() {
            Some(path) => Config::load_from(&path),
            None => Config::default(),
        }
    }

    pub(crate) fn load_from(path: &std::path::Path) -> Config {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut config: Config = toml::from_str(&text).unwrap_or_else(|e| {
                    tracing::warn!("ignoring {}: {e}", path.display());
                    Config::default()
                });
                // Versions before 0.3 kept typed passwords in the history.
                for entry in &mut config.session.history {
                    *entry = credentials::without_password(entry);
                }
                config
            }
            Err(_) => Config::default(),
        }
    }

    /// Which copies keep their times, as the setting says.
    pub fn keep_times(&self) -> crate::transfer::KeepTimes {
        match self.preserve_times {
            Some(true) => crate::transfer::KeepTimes::Always,
            Some(false) => crate::transfer::KeepTimes::Never,
            None => crate::transfer::KeepTimes::Trees,
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
        // Written beside and renamed over: a crash or a full disk halfway
        // must not leave the saved sites truncated.
        let mut partial = path.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&partial, &path)
    }

    /// A saved site by name, for `fxpc NAME` and the connect dialog.
    pub fn site(&self, name: &str) -> Option<&SiteEntry> {
        self.sites.iter().find(|s| s.name == name)
    }

    /// Trusts a certificate for the site `target` names: a saved site by
    /// name, else the saved site with the URL's user, host and port, else a
    /// new site for the URL (named after its host; no password kept).
    pub(crate) fn trust(&mut self, target: &str, fingerprint: &str) {
        let target = target.trim();
        let url = crate::ftp::FtpUrl::parse(target).ok();
        let existing = self
            .sites
            .iter()
            .position(|s| s.name == target)
            .or_else(|| {
                let url = url.as_ref()?;
                let named = site_for(&self.sites, None, url)?.name.clone();
                self.sites.iter().position(|s| s.name == named)
            });
        let at = match existing {
            Some(at) => at,
            None => {
                let Some(url) = url else { return };
                let name = if self.site(&url.host).is_none() {
                    url.host.clone()
                } else {
                    format!("{}:{}", url.host, url.port)
                };
                self.sites.push(SiteEntry {
                    name,
                    url: url.to_string(),
                    ..SiteEntry::default()
                });
                self.sites.len() - 1
            }
        };
        let pins = &mut self.sites[at].trust_fingerprint;
        if !pins.iter().any(|p| p.eq_ignore_ascii_case(fingerprint)) {
            pins.push(fingerprint.to_string());
        }
    }

    /// Saves `site` where the site called `replaces` (a rename's old name)
    /// or one of the same name was, else at the end; any other site with
    /// either name goes. A rename used to add a second entry, and the
    /// password lookup then found the first, stale one.
    pub(crate) fn put_site(&mut self, site: SiteEntry, replaces: Option<&str>) {
        let same = |s: &SiteEntry| s.name == site.name || Some(s.name.as_str()) == replaces;
        match self.sites.iter().position(same) {
            Some(at) => {
                let mut i = 0;
                self.sites.retain(|s| {
                    let keep = i == at || !same(s);
                    i += 1;
                    keep
                });
                let at = at.min(self.sites.len() - 1);
                self.sites[at] = site;
            }
            None => self.sites.push(site),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_setting_reaches_the_client_options() {
        use crate::ftp::listing::ListingStyle;
        let url = crate::ftp::FtpUrl::parse("ftp://127.0.0.2/").unwrap();
        let build = |listing: Option<&str>| {
            let saved = SiteEntry {
                name: "host".into(),
                url: "ftp://127.0.0.2/".into(),
                listing: listing.map(String::from),
                ..SiteEntry::default()
            };
            build_site(
                &url,
                crate::ftp::Login::default(),
                Some(&saved),
                &[],
                &TlsOverrides::default(),
            )
        };
        assert_eq!(build(None).unwrap().options.listing, ListingStyle::Auto);
        assert_eq!(
            build(Some("mvs")).unwrap().options.listing,
            ListingStyle::Mvs
        );
        assert_eq!(
            build(Some("Tandem")).unwrap().options.listing,
            ListingStyle::Tandem
        );
        let err = build(Some("cobol")).unwrap_err();
        assert!(err.contains("listing = \"cobol\""), "{err}");
        let parsed: Config = toml::from_str(
            "[[site]]\nname = \"mainframe\"\nurl = \"ftp://127.0.0.2/\"\nlisting = \"mvs\"\n",
        )
        .unwrap();
        assert_eq!(parsed.sites[0].listing.as_deref(), Some("mvs"));
    }

    #[test]
    fn round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        // SAFETY: the test sets a variable only this process reads.
        unsafe { std::env::set_var("FXPC_CONFIG", &file) };
        let config = Config {
            exclude: vec!["*.tmp".into(), "cache/".into()],
            priority: Vec::new(),
            preserve_times: Some(false),
            sites: vec![SiteEntry {
                name: "mirror-a".into(),
                url: "ftp://bob@127.0.0.2:2121/pub".into(),
                password: Some("pw".into()),
                max_connections: Some(3),
                passive: None,
                allow_foreign_passive: Some(true),
                exclude: vec![".DS_Store".into()],
                ..SiteEntry::default()
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
        assert_eq!(back.exclude, ["*.tmp", "cache/"]);
        assert_eq!(back.site("mirror-a").unwrap().exclude, [".DS_Store"]);
    }

    #[test]
    fn a_renamed_site_stays_one_entry_in_its_place() {
        let entry = |name: &str, password: Option<&str>| SiteEntry {
            name: name.into(),
            url: format!("ftp://bob@{name}/"),
            password: password.map(str::to_string),
            ..SiteEntry::default()
        };
        let mut config = Config {
            sites: vec![entry("a", None), entry("b", None), entry("c", None)],
            ..Config::default()
        };
        config.put_site(entry("b2", Some("pw")), Some("b"));
        let names: Vec<&str> = config.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b2", "c"]);
        // Renaming onto another existing name keeps one of them.
        config.put_site(entry("a", Some("new")), Some("c"));
        let names: Vec<&str> = config.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b2"]);
        assert_eq!(config.site("a").unwrap().password.as_deref(), Some("new"));
        config.put_site(entry("d", None), None);
        assert_eq!(config.sites.len(), 3);
    }

    #[test]
    fn trusting_a_certificate_pins_it_with_the_site() {
        let mut config = Config::default();
        config.trust("ftp://bob:pw@127.0.0.2:2121/pub", "SHA256:AA");
        assert_eq!(config.sites.len(), 1);
        let site = &config.sites[0];
        assert_eq!(site.name, "127.0.0.2");
        assert_eq!(site.url, "ftp://bob@127.0.0.2:2121/pub", "no password kept");
        assert_eq!(site.trust_fingerprint, ["SHA256:AA"]);
        // The same account again: the same site, the pin once.
        config.trust("ftp://bob@127.0.0.2:2121/", "sha256:aa");
        config.trust("127.0.0.2", "SHA256:BB");
        assert_eq!(config.sites.len(), 1);
        assert_eq!(
            config.sites[0].trust_fingerprint,
            ["SHA256:AA", "SHA256:BB"]
        );
    }

    #[test]
    fn passwords_in_an_old_history_are_dropped_on_load() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[session]\nhistory = [\"ftp://u:hunter2@127.0.0.2/\", \"local:/tmp\"]\n",
        )
        .unwrap();
        let back = Config::load_from(&file);
        assert_eq!(back.session.history, ["ftp://u@127.0.0.2/", "local:/tmp"]);
    }
}

#[cfg(test)]
mod debug_tests {
    use super::SiteEntry;

    #[test]
    fn a_saved_sites_debug_never_shows_its_password() {
        let site = SiteEntry {
            name: "box".into(),
            url: "ftp://me@box/".into(),
            password: Some("hunter2".into()),
            ..SiteEntry::default()
        };
        let shown = format!("{site:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("(saved)"), "{shown}");
    }
}
