//! `fxpc sites import FILE`: the sites people already keep in the tools
//! they come from — FileZilla's `sitemanager.xml`, lftp's `bookmarks`,
//! `~/.netrc`. Which one a file is, its contents say. Nothing is dropped
//! in silence: a site fxpc cannot use (SFTP, WebDAV, …) is reported with
//! the reason, and one already saved is not saved twice.

use base64::Engine as _;
use quick_xml::events::Event;

use super::{Config, SiteEntry};
use crate::ftp::{FtpUrl, TlsMode};

/// What a file held.
#[derive(Debug, Default)]
pub struct Found {
    /// The tool the file came from, as a person names it.
    pub format: &'static str,
    pub sites: Vec<SiteEntry>,
    pub left_out: Vec<LeftOut>,
}

/// A site of the file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub name: String,
    pub why: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("not a FileZilla site manager file: {0}")]
    Xml(String),
    #[error("not a .netrc file: {0}")]
    Netrc(String),
}

/// Reads the sites of a FileZilla, lftp or netrc file.
pub fn read(text: &str) -> Result<Found, ImportError> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') {
        filezilla(text)
    } else if is_netrc(start) {
        netrc(text)
    } else {
        Ok(lftp(text))
    }
}

/// What importing did to the saved sites.
#[derive(Debug, Default)]
pub struct Outcome {
    /// (name, URL) of each new site, by the name it was saved under.
    pub added: Vec<(String, String)>,
    /// (the file's name, the saved site's name) for sites already saved.
    pub already: Vec<(String, String)>,
}

impl Config {
    /// Saves the sites found, but those already saved (the same scheme,
    /// user, host and port, and the same folder of the server). A name
    /// another site has gets a number.
    pub fn import(&mut self, found: Vec<SiteEntry>) -> Outcome {
        let mut outcome = Outcome::default();
        for mut site in found {
            if let Some(saved) = self.sites.iter().find(|s| same_place(s, &site)) {
                outcome.already.push((site.name, saved.name.clone()));
                continue;
            }
            let base = site.name.clone();
            let mut n = 2;
            while self.site(&site.name).is_some() {
                site.name = format!("{base} ({n})");
                n += 1;
            }
            outcome.added.push((site.name.clone(), site.url.clone()));
            self.sites.push(site);
        }
        outcome
    }
}

fn same_place(a: &SiteEntry, b: &SiteEntry) -> bool {
    match (FtpUrl::parse(&a.url), FtpUrl::parse(&b.url)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host.eq_ignore_ascii_case(&b.host)
                && a.port == b.port
                && a.user == b.user
                && a.path == b.path
        }
        _ => a.url == b.url,
    }
}

/// The folder a site sits in, `/` between levels.
fn folder_name(folders: &[String]) -> Option<String> {
    let named: Vec<&str> = folders
        .iter()
        .map(|f| f.as_str())
        .filter(|f| !f.is_empty())
        .collect();
    (!named.is_empty()).then(|| named.join("/"))
}

fn site_url(
    host: &str,
    port: Option<u16>,
    user: Option<&str>,
    path: &[u8],
    tls: Option<TlsMode>,
) -> String {
    let mut url = FtpUrl {
        host: host.to_string(),
        port: 0,
        user: user.filter(|u| !u.is_empty()).map(str::to_string),
        password: None,
        path: path.to_vec(),
        tls,
    };
    url.port = port.filter(|&p| p != 0).unwrap_or(url.default_port());
    url.to_string()
}

// ---------------------------------------------------------------- FileZilla

/// One `<Server>` element's fields, as text.
#[derive(Debug, Default)]
struct Server {
    fields: Vec<(String, String)>,
    password_encoding: Option<String>,
}

impl Server {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn filezilla(text: &str) -> Result<Found, ImportError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut found = Found {
        format: "FileZilla",
        ..Found::default()
    };
    // Open elements' names; the folders' names; the server being read.
    let mut open: Vec<String> = Vec::new();
    let mut folders: Vec<String> = Vec::new();
    let mut server: Option<Server> = None;
    let mut saw_filezilla = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ImportError::Xml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                match name.as_str() {
                    "FileZilla3" => saw_filezilla = true,
                    "Folder" => folders.push(String::new()),
                    "Server" if server.is_none() => server = Some(Server::default()),
                    "Pass" => {
                        if let Some(server) = server.as_mut() {
                            server.password_encoding = start
                                .try_get_attribute("encoding")
                                .ok()
                                .flatten()
                                .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                        }
                    }
                    _ => {}
                }
                open.push(name);
            }
            Event::End(_) => match open.pop().as_deref() {
                Some("Folder") => {
                    folders.pop();
                }
                Some("Server") => {
                    if let Some(read) = server.take() {
                        site_of(&read, folder_name(&folders), &mut found);
                    }
                }
                _ => {}
            },
            Event::Text(text) => {
                let value = text.decode().map_err(|e| ImportError::Xml(e.to_string()))?;
                let value = quick_xml::escape::unescape(&value)
                    .map_err(|e| ImportError::Xml(e.to_string()))?;
                take_text(&open, &value, &mut folders, server.as_mut());
            }
            Event::GeneralRef(entity) => {
                // `&amp;` and its kin arrive apart from the text around them.
                let name = String::from_utf8_lossy(&entity).into_owned();
                let value = quick_xml::escape::unescape(&format!("&{name};"))
                    .map(|v| v.into_owned())
                    .unwrap_or_default();
                take_text(&open, &value, &mut folders, server.as_mut());
            }
            Event::Eof if open.is_empty() => break,
            Event::Eof => {
                return Err(ImportError::Xml(format!(
                    "<{}> is never closed",
                    open.join("><")
                )));
            }
            _ => {}
        }
    }
    if !saw_filezilla {
        return Err(ImportError::Xml("no <FileZilla3> element".into()));
    }
    Ok(found)
}

/// Text inside an element: a folder's own text is its name, a server's
/// field's text its value (perhaps in pieces, around entities).
fn take_text(open: &[String], value: &str, folders: &mut [String], server: Option<&mut Server>) {
    match (open.last().map(String::as_str), server) {
        (Some("Folder"), _) => {
            if let Some(folder) = folders.last_mut() {
                folder.push_str(value.trim_matches(['\r', '\n', '\t']));
                *folder = folder.trim().to_string();
            }
        }
        (Some(field), Some(server)) if open.len() >= 2 && open[open.len() - 2] == "Server" => {
            match server.fields.iter_mut().find(|(k, _)| k == field) {
                Some((_, v)) => v.push_str(value),
                None => server.fields.push((field.to_string(), value.to_string())),
            }
        }
        _ => {}
    }
}

/// FileZilla's `Protocol` numbers (its `ServerProtocol`): those fxpc can
/// reach, with the TLS each means.
fn protocol(number: &str) -> Result<(Option<TlsMode>, Option<&'static str>), String> {
    match number {
        // "Use explicit FTP over TLS if available": fxpc's own default.
        "0" => Ok((None, None)),
        "3" => Ok((Some(TlsMode::Implicit), None)),
        "4" => Ok((Some(TlsMode::Required), None)),
        // "Only use plain FTP (insecure)".
        "6" => Ok((None, Some("off"))),
        "1" => Err("SFTP is not supported (fxpc speaks FTP and FTPS)".into()),
        "2" | "5" => Err("HTTP is not FTP".into()),
        "7" => Err("Amazon S3 is not supported".into()),
        "8" | "11" => Err("Storj is not supported".into()),
        "9" => Err("WebDAV is not supported".into()),
        other => Err(format!("protocol {other} is not FTP")),
    }
}

fn site_of(server: &Server, folder: Option<String>, found: &mut Found) {
    let name = server
        .get("Name")
        .or(server.get("Host"))
        .unwrap_or("unnamed")
        .to_string();
    let full_name = match &folder {
        Some(folder) => format!("{folder}/{name}"),
        None => name.clone(),
    };
    let left_out = |why: String| LeftOut {
        name: full_name.clone(),
        why,
    };
    let Some(host) = server.get("Host") else {
        found.left_out.push(left_out("no host".into()));
        return;
    };
    let (tls, tls_setting) = match protocol(server.get("Protocol").unwrap_or("0")) {
        Ok(p) => p,
        Err(why) => {
            found.left_out.push(left_out(why));
            return;
        }
    };
    let port = match server.get("Port").map(str::parse::<u16>) {
        Some(Ok(port)) => Some(port),
        Some(Err(_)) => {
            found
                .left_out
                .push(left_out("its port is not a number".into()));
            return;
        }
        None => None,
    };
    // Logontype: 0 anonymous, 1 normal, 2 ask, 3 interactive, 4 account.
    let logon = server.get("Logontype").unwrap_or("1");
    let user = match logon {
        "0" => None,
        _ => server.get("User"),
    };
    let password = match (logon, server.password_encoding.as_deref()) {
        ("1" | "4", Some("base64")) => server.get("Pass").and_then(|p| {
            base64::engine::general_purpose::STANDARD
                .decode(p)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
        }),
        ("1" | "4", None | Some("plain")) => server.get("Pass").map(str::to_string),
        _ => None,
    };
    let path = remote_dir(server.get("RemoteDir").unwrap_or(""));
    let passive = match server.get("PasvMode") {
        Some("MODE_ACTIVE") => Some(false),
        Some("MODE_PASSIVE") => Some(true),
        _ => None,
    };
    let max_connections = server
        .get("MaximumMultipleConnections")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0);
    // An IPv6 host may come bracketed.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    found.sites.push(SiteEntry {
        name: full_name,
        url: site_url(host, port, user, &path, tls),
        password,
        max_connections,
        passive,
        tls: tls_setting.map(str::to_string),
        folder,
        comment: server.get("Comments").map(str::to_string),
        ..SiteEntry::default()
    });
}

/// FileZilla's `RemoteDir`: `TYPE PREFIXLEN [PREFIX] (LEN SEGMENT)*`, each
/// segment preceded by its length (segments may hold spaces). Only Unix
/// style paths (type 1, or 0 for the default) become a path; any other
/// server type's path is left for the user to set.
fn remote_dir(text: &str) -> Vec<u8> {
    let mut rest = text.trim();
    let mut number = || -> Option<usize> {
        let end = rest.find(' ').unwrap_or(rest.len());
        let n = rest[..end].parse().ok()?;
        rest = rest[end..].strip_prefix(' ').unwrap_or(&rest[end..]);
        Some(n)
    };
    let (Some(kind), Some(prefix)) = (number(), number()) else {
        return Vec::new();
    };
    if !matches!(kind, 0 | 1) || prefix != 0 {
        return Vec::new();
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        let end = rest.find(' ').unwrap_or(rest.len());
        let Ok(len) = rest[..end].parse::<usize>() else {
            return Vec::new();
        };
        let after = rest.get(end + 1..).unwrap_or("");
        let Some(segment) = after.get(..len) else {
            return Vec::new();
        };
        path.push(b'/');
        path.extend_from_slice(segment.as_bytes());
        rest = after[len..].trim_start();
    }
    path
}

// ---------------------------------------------------------------- lftp

/// lftp's `bookmarks`: a name, white space, a URL, a line each.
fn lftp(text: &str) -> Found {
    let mut found = Found {
        format: "lftp bookmarks",
        ..Found::default()
    };
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let Some((name, url)) = line.split_once([' ', '\t']) else {
            found.left_out.push(LeftOut {
                name: line.to_string(),
                why: "no URL after the name".into(),
            });
            continue;
        };
        let url = url.trim();
        match FtpUrl::parse(url) {
            Ok(parsed) => found.sites.push(SiteEntry {
                name: name.to_string(),
                url: parsed.to_string(),
                password: parsed.password.as_ref().map(|p| p.expose().to_string()),
                ..SiteEntry::default()
            }),
            Err(_) => {
                let scheme = url.split_once("://").map_or("", |(s, _)| s);
                let why = match scheme {
                    "sftp" | "fish" => format!(
                        "{} is not supported (fxpc speaks FTP and FTPS)",
                        scheme.to_uppercase()
                    ),
                    "" => "not a URL".to_string(),
                    other => format!("{other}:// is not FTP"),
                };
                found.left_out.push(LeftOut {
                    name: name.to_string(),
                    why,
                });
            }
        }
    }
    found
}

// ---------------------------------------------------------------- netrc

fn is_netrc(text: &str) -> bool {
    text.split_whitespace()
        .next()
        .is_some_and(|w| matches!(w, "machine" | "default" | "macdef"))
}

fn netrc(text: &str) -> Result<Found, ImportError> {
    let parsed = netrc::Netrc::parse(std::io::Cursor::new(text.as_bytes()))
        .map_err(|e| ImportError::Netrc(format!("{e:?}")))?;
    let mut found = Found {
        format: ".netrc",
        ..Found::default()
    };
    for (host, machine) in &parsed.hosts {
        let user = Some(machine.login.as_str()).filter(|u| !u.is_empty());
        let mut name = host.clone();
        if found.sites.iter().any(|s| s.name == name) {
            name = format!("{host} ({})", machine.login);
        }
        found.sites.push(SiteEntry {
            name,
            url: site_url(host, machine.port, user, b"", None),
            password: machine.password.clone(),
            ..SiteEntry::default()
        });
    }
    if parsed.default.is_some() {
        found.left_out.push(LeftOut {
            name: "default".into(),
            why: "the default login is for any host, not a site (it is still used for hosts without a site)".into(),
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As FileZilla 3 writes it: folders nest, a folder's name is its own
    /// text, passwords are base64, SFTP and WebDAV sites sit beside FTP ones.
    const SITEMANAGER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.4" platform="*nix">
    <Servers>
        <Server>
            <Host>ftp.example.org</Host>
            <Port>21</Port>
            <Protocol>0</Protocol>
            <Type>0</Type>
            <User>bob</User>
            <Pass encoding="base64">czNjcjN0ICZ4</Pass>
            <Logontype>1</Logontype>
            <PasvMode>MODE_ACTIVE</PasvMode>
            <Name>Top &amp; level</Name>
            <Comments>the old box</Comments>
            <RemoteDir>1 0 4 home 6 my dir</RemoteDir>
            <MaximumMultipleConnections>3</MaximumMultipleConnections>
        </Server>
        <Folder expanded="1">Work
            <Folder>Customers
                <Server>
                    <Host>files.customer.test</Host>
                    <Port>990</Port>
                    <Protocol>3</Protocol>
                    <User>alice</User>
                    <Logontype>2</Logontype>
                    <Name>customer</Name>
                </Server>
            </Folder>
            <Server>
                <Host>sftp.example.org</Host>
                <Port>22</Port>
                <Protocol>1</Protocol>
                <User>carol</User>
                <Name>shell box</Name>
            </Server>
            <Server>
                <Host>plain.example.org</Host>
                <Port>2121</Port>
                <Protocol>6</Protocol>
                <Logontype>0</Logontype>
                <Name>mirror</Name>
            </Server>
            <Server>
                <Host>tls.example.org</Host>
                <Protocol>4</Protocol>
                <User>dave</User>
                <Pass encoding="crypt" pubkey="abc">zzz</Pass>
                <Logontype>1</Logontype>
                <Name>explicit</Name>
            </Server>
            <Server>
                <Host>dav.example.org</Host>
                <Protocol>9</Protocol>
                <Name>dav</Name>
            </Server>
        </Folder>
    </Servers>
</FileZilla3>
"#;

    #[test]
    fn filezilla_sites_keep_their_folders_logins_and_tls() {
        let found = read(SITEMANAGER).unwrap();
        assert_eq!(found.format, "FileZilla");
        let by_name = |n: &str| found.sites.iter().find(|s| s.name == n).unwrap();

        let top = by_name("Top & level");
        assert_eq!(top.url, "ftp://bob@ftp.example.org/%2Fhome/my dir");
        assert_eq!(top.password.as_deref(), Some("s3cr3t &x"));
        assert_eq!(top.passive, Some(false));
        assert_eq!(top.max_connections, Some(3));
        assert_eq!(top.comment.as_deref(), Some("the old box"));
        assert_eq!(top.folder, None);

        let customer = by_name("Work/Customers/customer");
        assert_eq!(customer.url, "ftps://alice@files.customer.test/");
        assert_eq!(customer.folder.as_deref(), Some("Work/Customers"));
        // "Ask for password": none is kept.
        assert_eq!(customer.password, None);

        let mirror = by_name("Work/mirror");
        assert_eq!(mirror.url, "ftp://plain.example.org:2121/");
        assert_eq!(mirror.tls.as_deref(), Some("off"));

        // A master-password-encrypted password cannot be read: the site
        // comes without it (asked when connecting).
        let explicit = by_name("Work/explicit");
        assert_eq!(explicit.url, "ftpes://dave@tls.example.org/");
        assert_eq!(explicit.password, None);

        assert_eq!(
            found.left_out,
            [
                LeftOut {
                    name: "Work/shell box".into(),
                    why: "SFTP is not supported (fxpc speaks FTP and FTPS)".into()
                },
                LeftOut {
                    name: "Work/dav".into(),
                    why: "WebDAV is not supported".into()
                },
            ]
        );
        assert_eq!(found.sites.len(), 4);
    }

    #[test]
    fn a_file_that_is_not_filezillas_is_refused() {
        assert!(matches!(
            read("<html><body/></html>"),
            Err(ImportError::Xml(_))
        ));
        assert!(matches!(
            read("<FileZilla3><Servers>"),
            Err(ImportError::Xml(_))
        ));
    }

    #[test]
    fn lftp_bookmarks_are_ftp_urls_and_the_rest_is_said() {
        let found = read(
            "# lftp bookmarks\n\
             pub\tftp://ftp.example.org/pub\n\
             mine ftp://me:pa%40ss@box.example.org:2121/%2Fsrv\n\
             secure\tftps://me@tls.example.org\n\
             shell\tsftp://me@shell.example.org\n\
             web\thttp://www.example.org/\n",
        )
        .unwrap();
        assert_eq!(found.format, "lftp bookmarks");
        let urls: Vec<(&str, &str, Option<&str>)> = found
            .sites
            .iter()
            .map(|s| (s.name.as_str(), s.url.as_str(), s.password.as_deref()))
            .collect();
        assert_eq!(
            urls,
            [
                ("pub", "ftp://ftp.example.org/pub", None),
                (
                    "mine",
                    "ftp://me@box.example.org:2121/%2Fsrv",
                    Some("pa@ss")
                ),
                ("secure", "ftps://me@tls.example.org/", None),
            ]
        );
        let left: Vec<&str> = found.left_out.iter().map(|l| l.why.as_str()).collect();
        assert_eq!(
            left,
            [
                "SFTP is not supported (fxpc speaks FTP and FTPS)",
                "http:// is not FTP"
            ]
        );
    }

    #[test]
    fn netrc_machines_become_sites_and_the_default_is_said() {
        let found = read(
            "machine ftp.example.org login bob password pw1\n\
             machine ftp.example.org login eve password pw2\n\
             machine other.example.org login amy password pw3 port 2121\n\
             default login anonymous password me@example.org\n",
        )
        .unwrap();
        assert_eq!(found.format, ".netrc");
        let sites: Vec<(&str, &str, Option<&str>)> = found
            .sites
            .iter()
            .map(|s| (s.name.as_str(), s.url.as_str(), s.password.as_deref()))
            .collect();
        assert_eq!(
            sites,
            [
                ("ftp.example.org", "ftp://bob@ftp.example.org/", Some("pw1")),
                (
                    "ftp.example.org (eve)",
                    "ftp://eve@ftp.example.org/",
                    Some("pw2")
                ),
                (
                    "other.example.org",
                    "ftp://amy@other.example.org:2121/",
                    Some("pw3")
                ),
            ]
        );
        assert_eq!(found.left_out.len(), 1);
        assert_eq!(found.left_out[0].name, "default");
    }

    #[test]
    fn a_site_already_saved_is_not_saved_twice_and_names_stay_unique() {
        let mut config = Config::default();
        let site = |name: &str, url: &str| SiteEntry {
            name: name.into(),
            url: url.into(),
            ..SiteEntry::default()
        };
        config.sites.push(site("pub", "ftp://ftp.example.org/pub"));
        config.sites.push(site("box", "ftp://me@box.example.org"));
        let outcome = config.import(vec![
            // The same place, written as lftp writes it.
            site("pub-again", "ftp://ftp.example.org:21/pub"),
            // Another place under a name already taken.
            site("box", "ftp://you@box.example.org"),
            site("box", "ftp://them@box.example.org"),
        ]);
        assert_eq!(
            outcome.already,
            [("pub-again".to_string(), "pub".to_string())]
        );
        let added: Vec<&str> = outcome.added.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(added, ["box (2)", "box (3)"]);
        assert_eq!(config.sites.len(), 4);
    }

    #[test]
    fn filezilla_remote_dirs_read_with_their_spaces() {
        assert_eq!(remote_dir("1 0 4 home 6 my dir"), b"/home/my dir");
        assert_eq!(remote_dir("1 0"), b"");
        assert_eq!(remote_dir(""), b"");
        // A VMS or MVS path is not a Unix one: left for the user.
        assert_eq!(remote_dir("3 0 4 DISK"), b"");
        // Lengths past the end are not trusted.
        assert_eq!(remote_dir("1 0 40 home"), b"");
    }
}
