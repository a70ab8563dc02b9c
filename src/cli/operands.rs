//! The operands of `cp`, `mirror` and `ls`: a URL made a site (logged in
//! as the URL, `~/.netrc`, a saved site or a prompt say) or a local path.

use anyhow::{Context, Result, bail};
use fxpc::ftp::{FtpUrl, Login, Secret};
use fxpc::sites::credentials;
use fxpc::transfer::{self, FtpSite, Location, Site};

/// Credentials for a URL, in the order `fxpc::sites::credentials` keeps
/// for the CLI and the UI alike; a prompt only where someone can answer.
pub(crate) fn login_for(url: &FtpUrl) -> Result<Login> {
    let config = fxpc::sites::Config::load();
    let sources = credentials::Sources::from_env(&config.sites);
    match credentials::find(url, None, &sources) {
        credentials::Credentials::Ready(login) => Ok(login),
        // A script gets an error, not a hang.
        credentials::Credentials::NeedPassword { user }
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) =>
        {
            let password =
                rpassword::prompt_password(format!("Password for {user}@{}: ", url.host))
                    .context("cannot read a password")?;
            Ok(Login {
                user,
                password: Secret::new(password),
                account: None,
            })
        }
        credentials::Credentials::NeedPassword { user } => bail!(
            "no password for {user}@{}: give it in the URL, ~/.netrc, a saved site (config.toml) or FXPC_PASSWORD",
            url.host
        ),
    }
}

/// The site a URL names, logged in as the URL, netrc or a prompt say, in
/// TLS as its scheme, the command line and a saved site say.
pub(crate) fn ftp_site(url: &FtpUrl, tls: &fxpc::sites::TlsOverrides) -> Result<FtpSite> {
    let login = login_for(url)?;
    let config = fxpc::sites::Config::load();
    fxpc::sites::build_site(url, login, None, &config.sites, tls).map_err(anyhow::Error::msg)
}

/// How many sessions a site may have: `--connections` when given; else
/// `-j`'s files at once, or fewer where a saved site says its server takes
/// no more (a limit per address, say).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Connections {
    pub(crate) given: Option<usize>,
    pub(crate) jobs: usize,
}

impl Connections {
    fn for_site(self, saved: Option<usize>) -> usize {
        let limit = match (self.given, saved) {
            (Some(given), _) => given,
            (None, Some(saved)) => saved.min(self.jobs),
            (None, None) => self.jobs,
        };
        limit.max(1)
    }
}

/// A command-line operand: an ftp://, ftps:// or ftpes:// URL, or a local
/// path.
pub(crate) fn location(
    text: &str,
    connections: Connections,
    tls: &fxpc::sites::TlsOverrides,
) -> Result<Location> {
    if ["ftp://", "ftps://", "ftpes://"]
        .iter()
        .any(|scheme| text.starts_with(scheme))
    {
        let url = FtpUrl::parse(text)?;
        let mut site = ftp_site(&url, tls)?;
        let config = fxpc::sites::Config::load();
        let saved =
            fxpc::sites::site_for(&config.sites, None, &url).and_then(|s| s.max_connections());
        site.max_connections = connections.for_site(saved);
        let mut path = url.path.clone();
        if text.ends_with('/') && !path.ends_with(b"/") {
            path.push(b'/');
        }
        Ok(Location::ftp(std::sync::Arc::new(site), path))
    } else {
        Ok(Location::local(text))
    }
}

/// `--stall-timeout` for the client's own data connections too (a relay,
/// a download, an upload): silence on one ends its attempt after that long.
pub(crate) fn with_stall(mut location: Location, stall: std::time::Duration) -> Location {
    if let transfer::Site::Ftp(site) = &location.site {
        let mut site = (**site).clone();
        site.options.data_idle_timeout = stall;
        location.site = transfer::Site::Ftp(std::sync::Arc::new(site));
    }
    location
}

/// Both operands on the same server and login share one pool of sessions,
/// so `--connections` caps the site, not each operand. A copy within one
/// site needs two sessions at once: unless `--connections` said fewer,
/// the site has at least two (`-j 1` alone would allow one).
pub(crate) fn share_pool(
    source: &mut Location,
    destination: &mut Location,
    connections: Connections,
) {
    if let (Site::Ftp(a), Site::Ftp(b)) = (&source.site, &destination.site)
        && a.key() == b.key()
    {
        if connections.given.is_none() && a.max_connections < 2 {
            let mut site = (**a).clone();
            site.max_connections = 2;
            source.site = Site::Ftp(std::sync::Arc::new(site));
        }
        destination.site = source.site.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::Connections;

    /// `-j 4` alone gives each site four sessions (it ran two copies at a
    /// time under a silent cap of two); `--connections` says otherwise,
    /// either way; a saved site's own limit is never exceeded unasked.
    #[test]
    fn the_session_limit_follows_jobs_unless_told() {
        let limit = |given, jobs, saved| Connections { given, jobs }.for_site(saved);
        assert_eq!(limit(None, 4, None), 4);
        assert_eq!(limit(None, 2, None), 2);
        assert_eq!(limit(Some(1), 4, None), 1);
        assert_eq!(limit(Some(8), 4, None), 8);
        assert_eq!(limit(None, 4, Some(1)), 1);
        assert_eq!(limit(None, 2, Some(6)), 2);
        assert_eq!(limit(Some(3), 4, Some(1)), 3);
        assert_eq!(limit(Some(0), 4, None), 1);
    }
}
