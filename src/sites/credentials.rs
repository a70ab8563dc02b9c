//! Where a password comes from, in one order for the command line and the
//! UI alike: the URL itself, `~/.netrc` (or `$NETRC`), the saved site the
//! user named, a saved site with the same user, host and port,
//! `FXPC_PASSWORD`, and only then a question (a prompt on a terminal, a
//! dialog in the UI). The two used to look in different orders, and the UI
//! ignored `FXPC_PASSWORD` and sites matched by host.

use std::path::PathBuf;

use super::SiteEntry;
use crate::ftp::{FtpUrl, Login, Secret};

/// Everything besides the URL that may hold a password.
pub struct Sources<'a> {
    pub(crate) netrc: Option<PathBuf>,
    /// `FXPC_PASSWORD`.
    pub(crate) env_password: Option<Secret>,
    pub(crate) sites: &'a [SiteEntry],
}

impl<'a> Sources<'a> {
    /// The sources this process has: `$NETRC` or `~/.netrc`, and
    /// `FXPC_PASSWORD`.
    pub fn from_env(sites: &'a [SiteEntry]) -> Sources<'a> {
        Sources {
            netrc: netrc_path(),
            env_password: std::env::var("FXPC_PASSWORD").ok().map(Secret::new),
            sites,
        }
    }
}

pub(crate) fn netrc_path() -> Option<PathBuf> {
    std::env::var_os("NETRC")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".netrc")))
}

#[derive(Debug)]
pub enum Credentials {
    Ready(Login),
    /// A user name is known and no source has its password: ask.
    NeedPassword {
        user: String,
    },
}

/// The login for `url`; `named` is the saved site the user chose by name,
/// if any (its URL is `url`).
pub fn find(url: &FtpUrl, named: Option<&SiteEntry>, sources: &Sources) -> Credentials {
    let user = match (&url.user, &url.password) {
        (Some(user), Some(password)) => {
            return Credentials::Ready(login(user, password.clone()));
        }
        (user, _) => user.clone(),
    };
    if let Some(found) = sources
        .netrc
        .as_deref()
        .and_then(|p| crate::ftp::url::netrc_lookup(p, &url.host, user.as_deref()))
    {
        return Credentials::Ready(found);
    }
    let Some(user) = user.filter(|u| u != "anonymous" && u != "ftp") else {
        return Credentials::Ready(Login {
            user: url.user.clone().unwrap_or_else(|| Login::default().user),
            ..Login::default()
        });
    };
    let same_account = |site: &&SiteEntry| {
        FtpUrl::parse(&site.url).is_ok_and(|saved| {
            saved.host == url.host && saved.port == url.port && saved.user == url.user
        })
    };
    let saved = named
        .into_iter()
        .chain(sources.sites.iter().filter(same_account))
        .find_map(|site| site.password.clone());
    if let Some(password) = saved {
        return Credentials::Ready(login(&user, Secret::new(password)));
    }
    if let Some(password) = &sources.env_password {
        return Credentials::Ready(login(&user, password.clone()));
    }
    Credentials::NeedPassword { user }
}

fn login(user: &str, password: Secret) -> Login {
    Login {
        user: user.to_string(),
        password,
        account: None,
    }
}

/// `text` as it may be kept in the history or shown: an ftp:// URL loses
/// its password; anything else (a saved site's name, a local path) stays.
pub(crate) fn without_password(text: &str) -> String {
    let text = text.trim();
    if text.contains("://") {
        // Display leaves the password out.
        FtpUrl::parse(text).map_or_else(|_| mask_password(text), |url| url.to_string())
    } else {
        text.to_string()
    }
}

/// The URL field as it is shown while typed: the password between
/// `user:` and `@` becomes bullets. Before the `@` is typed, what follows a
/// `:` may be a port or a password: it is masked until a `/` shows it was a
/// port (a moment of a masked port beats a moment of a shown password).
pub(crate) fn mask_password(text: &str) -> String {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.to_string();
    };
    let rest = &text[start..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (userinfo, at) = match authority.rfind('@') {
        Some(i) => (&authority[..i], true),
        // No `@` and a `/` typed: `host:port`, nothing secret.
        None if authority_end < rest.len() => return text.to_string(),
        None => (authority, false),
    };
    let Some(colon) = userinfo.find(':') else {
        return text.to_string();
    };
    let secret = &userinfo[colon + 1..];
    if secret.is_empty() || (!at && authority.starts_with('[')) {
        return text.to_string();
    }
    format!(
        "{}{}{}",
        &text[..start + colon + 1],
        "•".repeat(secret.chars().count()),
        &text[start + colon + 1 + secret.len()..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str, url: &str, password: Option<&str>) -> SiteEntry {
        SiteEntry {
            name: name.into(),
            url: url.into(),
            password: password.map(str::to_string),
            ..SiteEntry::default()
        }
    }

    fn password_of(c: Credentials) -> Option<String> {
        match c {
            Credentials::Ready(l) => Some(l.password.expose().to_string()),
            Credentials::NeedPassword { .. } => None,
        }
    }

    #[test]
    fn the_readme_order() {
        let dir = tempfile::tempdir().unwrap();
        let netrc = dir.path().join("netrc");
        std::fs::write(&netrc, "machine 127.0.0.2 login bob password from-netrc\n").unwrap();
        let sites = [
            site("other-user", "ftp://eve@127.0.0.2:2121/", Some("eve-pw")),
            site("by-host", "ftp://bob@127.0.0.2:2121/pub", Some("from-site")),
        ];
        let all = Sources {
            netrc: Some(netrc.clone()),
            env_password: Some(Secret::new("from-env".to_string())),
            sites: &sites,
        };
        let url = |t: &str| FtpUrl::parse(t).unwrap();
        // 1. The URL.
        assert_eq!(
            password_of(find(&url("ftp://bob:in-url@127.0.0.2:2121/"), None, &all)).as_deref(),
            Some("in-url")
        );
        // 2. netrc (for its host).
        assert_eq!(
            password_of(find(&url("ftp://bob@127.0.0.2:2121/"), None, &all)).as_deref(),
            Some("from-netrc")
        );
        let no_netrc = Sources { netrc: None, ..all };
        // 3. The site named, then a site with the same user, host and port.
        let named = site("named", "ftp://bob@127.0.0.2:2121/", Some("named-pw"));
        assert_eq!(
            password_of(find(
                &url("ftp://bob@127.0.0.2:2121/"),
                Some(&named),
                &no_netrc
            ))
            .as_deref(),
            Some("named-pw")
        );
        assert_eq!(
            password_of(find(&url("ftp://bob@127.0.0.2:2121/"), None, &no_netrc)).as_deref(),
            Some("from-site")
        );
        // 4. FXPC_PASSWORD: another port matches no site.
        assert_eq!(
            password_of(find(&url("ftp://bob@127.0.0.2:2122/"), None, &no_netrc)).as_deref(),
            Some("from-env")
        );
        // 5. Ask.
        let nothing = Sources {
            netrc: None,
            env_password: None,
            sites: &sites,
        };
        assert!(matches!(
            find(&url("ftp://bob@127.0.0.2:2122/"), None, &nothing),
            Credentials::NeedPassword { user } if user == "bob"
        ));
        // Anonymous needs nothing.
        let anon = find(&url("ftp://127.0.0.3/"), None, &nothing);
        assert!(matches!(anon, Credentials::Ready(l) if l.user == "anonymous"));
    }

    #[test]
    fn history_keeps_no_password() {
        assert_eq!(
            without_password("ftp://bob:s3cret@127.0.0.2:2121/pub/x"),
            "ftp://bob@127.0.0.2:2121/pub/x"
        );
        assert_eq!(without_password("  mirror-a "), "mirror-a");
        assert_eq!(without_password("local:/tmp"), "local:/tmp");
        assert!(!without_password("ftp://bob:s3cret@[::1/").contains("s3cret"));
    }

    #[test]
    fn typed_passwords_are_masked() {
        assert_eq!(mask_password("ftp://u:pass@host/"), "ftp://u:••••@host/");
        assert_eq!(mask_password("ftp://u:pa"), "ftp://u:••");
        assert_eq!(mask_password("ftp://host:2121/"), "ftp://host:2121/");
        assert_eq!(mask_password("ftp://u@host/"), "ftp://u@host/");
        assert_eq!(mask_password("ftp://u:p@ss@host/"), "ftp://u:••••@host/");
        assert_eq!(mask_password("local:/a:b"), "local:/a:b");
        assert_eq!(mask_password("ftp://[::1]:21/"), "ftp://[::1]:21/");
    }
}
