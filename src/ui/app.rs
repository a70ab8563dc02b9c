//! The event loop: terminal events, engine events, pane results and a tick
//! go into one `select!`; everything pending is drained through `update`,
//! then the screen is drawn once. Effects are carried out here, as tasks
//! whose results come back as actions — the loop itself never waits on the
//! network.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::browse::{self, Request};
use super::pane::{Pane, Place};
use super::render::render;
use super::state::{Side, State};
use super::terminal::Guard;
use super::update::{Action, Effect, update};
use crate::ftp::{FtpUrl, Login, Secret};
use crate::sites::credentials;
use crate::sites::{Config, Session};
use crate::transfer::{Engine, Settings};

pub struct Options {
    /// What each pane opens: an ftp:// URL, a saved site's name, a local
    /// path, or `None` for the last session's (else the current directory).
    pub left: Option<String>,
    pub right: Option<String>,
    pub settings: Settings,
    /// Remember the panes for the next plain `fxpc` (off for the demo).
    pub remember: bool,
    /// The command line's TLS settings, over saved sites'.
    pub tls: crate::sites::TlsOverrides,
}

/// Each pane's browsing task, and the connect each pane waits for: a
/// connect that was cancelled (or overtaken) must not take over the pane's
/// browsing connection when it completes.
#[derive(Default)]
struct Slots {
    senders: [Option<UnboundedSender<Request>>; 2],
    wanted: [u64; 2],
}

/// Why the UI ended. A signal is reported rather than taken for a quit, so
/// the caller can exit as a process that signal ended would (a script
/// that ran `timeout fxpc` must not read "success").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit (or the terminal's input ended).
    Quit,
    /// SIGTERM.
    Terminated,
    /// SIGHUP: the terminal went away.
    HungUp,
}

type Browsers = Arc<Mutex<Slots>>;

struct Runtime {
    /// The journal of this run's transfers (`None` for the demo, whose
    /// servers do not outlive it).
    tap: Option<crate::transfer::journal::Recorder>,
    tls: Arc<crate::sites::TlsOverrides>,
    actions: UnboundedSender<Action>,
    browsers: Browsers,
    engine: Engine,
    config: Arc<Mutex<Config>>,
    /// Passwords typed in this run, by site (`ftp://user@host:port`): a
    /// resume uses them for sites no other source has a password for.
    typed_passwords: std::collections::HashMap<String, Secret>,
    /// Sites whose password the user would not give for a resume: not
    /// asked again in this run.
    declined: std::collections::HashSet<String>,
}

pub async fn run(options: Options) -> std::io::Result<Ended> {
    let loaded = Config::load();
    let (engine, mut engine_events) = Engine::new(options.settings.clone());
    let (tx, mut rx) = unbounded_channel::<Action>();
    let mut guard = Guard::enter()?;
    let size = guard.terminal.size()?;
    let nowhere = || Pane::new(Place::Nowhere, Vec::new());
    let mut state = State::new(nowhere(), nowhere(), (size.width, size.height));
    state.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    state.history = loaded.session.history.clone();
    state.saved_sites = loaded.sites.clone();
    let (saved_left, saved_right) = (loaded.session.left.clone(), loaded.session.right.clone());
    let config = Arc::new(Mutex::new(loaded));
    let mut runtime = Runtime {
        tap: options
            .remember
            .then(crate::transfer::journal::Recorder::open),
        tls: Arc::new(options.tls.clone()),
        actions: tx,
        browsers: Arc::new(Mutex::new(Slots::default())),
        engine: engine.clone(),
        config: config.clone(),
        typed_passwords: Default::default(),
        declined: Default::default(),
    };
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let start = |given: &Option<String>, saved: &Option<String>| {
        given
            .clone()
            .or_else(|| saved.clone())
            .unwrap_or_else(|| format!("local:{}", here.display()))
    };
    let left = start(&options.left, &saved_left);
    let right = start(&options.right, &saved_right);
    for (side, target) in [(Side::Left, left), (Side::Right, right)] {
        for effect in update(&mut state, Action::Open { side, target }) {
            runtime.execute(effect);
        }
    }

    if options.remember {
        for effect in update(&mut state, Action::Unfinished(unfinished())) {
            runtime.execute(effect);
        }
    }

    let mut session_saver = SessionSaver::new(config.clone());
    let mut terminal_events = EventStream::new();
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut ended = Ended::Quit;
    loop {
        guard.terminal.draw(|frame| render(&state, frame))?;
        let first = tokio::select! {
            e = terminal_events.next() => match e {
                Some(Ok(e)) => match terminal_action(e) {
                    Some(a) => a,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(a) = rx.recv() => a,
            Some(e) = engine_events.recv() => {
                runtime.tap_event(&e);
                Action::Engine(e)
            }
            _ = tick.tick() => continue,
            _ = sigterm.recv() => {
                ended = Ended::Terminated;
                break;
            }
            _ = sighup.recv() => {
                ended = Ended::HungUp;
                break;
            }
        };
        let mut pending = vec![first];
        // Drain what else is waiting, then draw once.
        while pending.len() < 4096 {
            if let Ok(a) = rx.try_recv() {
                pending.push(a);
            } else if let Ok(e) = engine_events.try_recv() {
                runtime.tap_event(&e);
                pending.push(Action::Engine(e));
            } else {
                break;
            }
        }
        for action in pending {
            for effect in update(&mut state, action) {
                runtime.execute(effect);
            }
        }
        if state.quit {
            break;
        }
        if options.remember {
            session_saver.keep(&state);
        }
    }
    drop(guard);
    if options.remember {
        let mut config = config.lock().map(|c| c.clone()).unwrap_or_default();
        config.session = session_of(&state);
        if let Err(e) = config.save() {
            tracing::warn!("cannot save the session: {e}");
        }
    }
    // Quitting with transfers running was confirmed: stop them politely.
    for job in state.transfers.jobs.iter().filter(|j| !j.state.is_over()) {
        engine.cancel(job.id);
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), engine.wait_idle()).await;
    // Kept times sent without waiting are read (and so carried out)
    // before the sessions close.
    let _ = tokio::time::timeout(Duration::from_secs(5), engine.close_idle_sessions()).await;
    Ok(ended)
}

/// A site as the passwords typed in this run are kept: scheme, user,
/// host and port, whatever the path.
fn site_key(url: &FtpUrl) -> String {
    let mut site = url.clone();
    site.path.clear();
    site.password = None;
    site.to_string()
}

/// What the next plain `fxpc` opens: each pane's site and directory, and
/// the command history.
fn session_of(state: &State) -> Session {
    let place = |side: Side| match &state.pane(side).place {
        Place::Local => Some(format!(
            "local:{}",
            String::from_utf8_lossy(&state.pane(side).cwd)
        )),
        // The working directory is what PWD said: absolute, so written
        // from the root (`/%2F…`), not the login directory.
        Place::Ftp { url } => Some(format!(
            "{url}{}",
            crate::ftp::url::url_path(&state.pane(side).cwd)
        )),
        // Never connected: what it was asked to open, without a password.
        Place::Nowhere => state.targets[side.index()]
            .as_ref()
            .map(|t| t.shown.clone()),
    };
    Session {
        left: place(Side::Left),
        right: place(Side::Right),
        history: state.history.clone(),
    }
}

/// Saves the session as it changes, not only at a clean quit: after a
/// crash or a `kill -9` (the very case a resume is for), the panes open
/// where they were. One save at a time, off the runtime's workers; a
/// change made while one is being written is saved after it.
struct SessionSaver {
    last: Session,
    wanted: tokio::sync::watch::Sender<Session>,
}

impl SessionSaver {
    fn new(config: Arc<Mutex<Config>>) -> SessionSaver {
        let last = config.lock().map(|c| c.session.clone()).unwrap_or_default();
        let (wanted, mut changes) = tokio::sync::watch::channel(last.clone());
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                let session = changes.borrow_and_update().clone();
                let config = config.clone();
                let saved = tokio::task::spawn_blocking(move || {
                    let mut config = config.lock().map_err(|_| {
                        std::io::Error::other("the configuration's lock is poisoned")
                    })?;
                    config.session = session;
                    config.save()
                })
                .await;
                if let Ok(Err(e)) = saved {
                    tracing::warn!("cannot save the session: {e}");
                }
            }
        });
        SessionSaver { last, wanted }
    }

    fn keep(&mut self, state: &State) {
        let now = session_of(state);
        if now != self.last {
            self.last = now.clone();
            let _ = self.wanted.send(now);
        }
    }
}

fn terminal_action(e: TermEvent) -> Option<Action> {
    match e {
        TermEvent::Key(k) => Some(Action::Key(k)),
        TermEvent::Mouse(m) => Some(Action::Mouse {
            event: m,
            at: Instant::now(),
        }),
        TermEvent::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

fn open_journal() -> Option<crate::transfer::journal::Journal> {
    let path = crate::transfer::journal::Journal::default_path()?;
    crate::transfer::journal::Journal::open(&path).ok()
}

/// What an earlier run left unfinished, one line each.
fn unfinished() -> Vec<String> {
    let Some(journal) = open_journal() else {
        return Vec::new();
    };
    journal
        .pending()
        .unwrap_or_default()
        .iter()
        .map(|item| {
            format!(
                "{} {}{} → {}{}{}",
                item.state,
                item.source_url.trim_end_matches('/'),
                String::from_utf8_lossy(&item.source_path),
                item.destination_url.trim_end_matches('/'),
                String::from_utf8_lossy(&item.destination_path),
                if item.wrote { " (partly there)" } else { "" }
            )
        })
        .collect()
}

impl Runtime {
    fn tap_event(&mut self, event: &crate::transfer::Event) {
        if let Some(tap) = &mut self.tap {
            tap.event(event);
        }
    }

    /// Claims the journal's unfinished items and runs them; an item whose
    /// password cannot be found without asking stays in the journal, said.
    fn resume_unfinished(&mut self) {
        let Some(mut journal) = open_journal() else {
            return;
        };
        let tls = self.tls.clone();
        let missing = std::cell::RefCell::new(Vec::<String>::new());
        let claimed = crate::transfer::journal::claim_all(&mut journal, &|url, stored| {
            crate::sites::site_as_queued(url, stored, &tls, &|url, tls| {
                let site = site_key(url);
                let typed = self.typed_passwords.get(&site);
                match crate::sites::site_unless_password_missing(url, typed, tls)? {
                    Some(found) => Ok(found),
                    None => {
                        let mut missing = missing.borrow_mut();
                        if !self.declined.contains(&site) && !missing.contains(&site) {
                            missing.push(site.clone());
                        }
                        Err(format!("no password for {site}"))
                    }
                }
            })
        });
        let missing = missing.into_inner();
        let (jobs, problems, earlier) = match claimed {
            Ok(found) => found,
            Err(e) => {
                let _ = self
                    .actions
                    .send(Action::Notice(format!("the journal: {e}")));
                return;
            }
        };
        for (destination, verified) in earlier {
            self.engine.note_earlier(&destination, verified);
        }
        for (row, spec) in jobs {
            let job = self.engine.submit(spec.clone());
            if let Some(tap) = &mut self.tap {
                drop(tap.submitted(job, &spec, Some(row)));
            }
        }
        if !missing.is_empty() {
            // Asked once each; the answers bring the resume back here.
            let _ = self.actions.send(Action::QueueNeedsPasswords(missing));
        } else if let Some(problem) = problems.first() {
            let _ = self.actions.send(Action::Notice(format!(
                "{} left in the queue: {problem}",
                problems.len()
            )));
        }
    }

    fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::Connect {
                side,
                target,
                password,
                attempt,
            } => {
                if let (Some(password), Ok(url)) = (&password, FtpUrl::parse(&target)) {
                    self.typed_passwords
                        .insert(site_key(&url), password.clone());
                }
                let (actions, browsers) = (self.actions.clone(), self.browsers.clone());
                if let Ok(mut slots) = browsers.lock() {
                    slots.wanted[side.index()] = attempt;
                }
                let config = self.config.lock().map(|c| c.clone()).unwrap_or_default();
                let tls = self.tls.clone();
                tokio::spawn(async move {
                    let (action, browser) =
                        match connect(side, attempt, &target, password, &actions, &config, &tls)
                            .await
                        {
                            Ok(done) => done,
                            Err(error) => (
                                Action::ConnectFailed {
                                    side,
                                    attempt,
                                    error,
                                },
                                None,
                            ),
                        };
                    let connected = matches!(action, Action::Connected { .. });
                    if let Ok(mut slots) = browsers.lock() {
                        if slots.wanted[side.index()] != attempt {
                            // Cancelled: the browser (if any) is dropped
                            // here and its task hangs up.
                            return;
                        }
                        if connected {
                            slots.senders[side.index()] = browser;
                        }
                    }
                    let _ = actions.send(action);
                });
            }
            Effect::CancelConnect { side } => {
                if let Ok(mut slots) = self.browsers.lock() {
                    slots.wanted[side.index()] = 0;
                }
            }
            Effect::SaveSite { site, replaces } => {
                let name = site.name.clone();
                self.change_sites(format!("saved site {name}"), |config| {
                    config.put_site(*site, replaces.as_deref())
                });
            }
            Effect::TrustCertificate {
                target,
                fingerprint,
            } => {
                self.change_sites(
                    format!(
                        "trusted {fingerprint} for {}",
                        crate::sites::credentials::without_password(&target)
                    ),
                    |config| config.trust(&target, &fingerprint),
                );
            }
            Effect::DeleteSite(name) => {
                self.change_sites(format!("deleted site {name}"), |config| {
                    config.sites.retain(|s| s.name != name)
                });
            }
            Effect::List { side, path } => self.request(side, Request::List(path)),
            Effect::Peek { side, path, name } => self.request(side, Request::Peek(path, name)),
            Effect::Mkdir { side, path } => self.request(side, Request::Mkdir(path)),
            Effect::Delete { side, paths } => self.request(side, Request::Delete(paths)),
            Effect::Rename {
                side,
                from,
                to,
                overwrite,
            } => self.request(side, Request::Rename(from, to, overwrite)),
            Effect::Submit(spec) => {
                let job = self.engine.submit(spec.clone());
                if let Some(tap) = &mut self.tap {
                    // Recorded on the journal's thread, at most a quarter
                    // of a second behind; the UI does not wait for a disk.
                    drop(tap.submitted(job, &spec, None));
                }
            }
            Effect::ResumeUnfinished => self.resume_unfinished(),
            Effect::ImportSites(path) => self.import_sites(path),
            Effect::QueuePassword { site, password } => match password {
                Some(password) => {
                    self.typed_passwords.insert(site, password);
                }
                None => {
                    self.declined.insert(site);
                }
            },
            Effect::DiscardUnfinished => {
                if let Some(journal) = open_journal() {
                    let _ = journal.discard_pending();
                }
            }
            Effect::Cancel(job) => self.engine.cancel(job),
            Effect::CancelDiscard(job) => self.engine.cancel_and_discard(job),
            Effect::Answer(job, policy) => self.engine.answer(job, policy),
            Effect::Nudge { job, up } => {
                self.engine.nudge(job, up);
            }
            Effect::Pause { job, paused } => {
                self.engine.pause(job, paused);
            }
            Effect::PauseAll(paused) => self.engine.pause_all(paused),
            Effect::Retry(job) => {
                self.engine.retry(job);
            }
            Effect::Quit => {}
        }
    }

    /// Reads another tool's sites off the runtime's workers, then saves
    /// them as `fxpc sites import` does and says what came and what not.
    fn import_sites(&self, path: String) {
        let (config, actions) = (self.config.clone(), self.actions.clone());
        tokio::task::spawn_blocking(move || {
            let said = match std::fs::read(&path) {
                Err(e) => format!("import {path}: {e}"),
                Ok(bytes) => match crate::sites::import::read(&String::from_utf8_lossy(&bytes)) {
                    Err(e) => format!("import {path}: {e}"),
                    Ok(found) => {
                        let left_out = found.left_out;
                        let saved = config
                            .lock()
                            .map_err(|_| "config lock".to_string())
                            .and_then(|mut c| {
                                let outcome = c.import(found.sites);
                                c.save().map_err(|e| e.to_string())?;
                                let _ = actions.send(Action::Sites(c.sites.clone()));
                                Ok(outcome)
                            });
                        match saved {
                            Err(e) => format!("cannot save config.toml: {e}"),
                            Ok(outcome) => format!(
                                "{} sites imported from {}, {} already saved, {} left out{}",
                                outcome.added.len(),
                                found.format,
                                outcome.already.len(),
                                left_out.len(),
                                left_out
                                    .first()
                                    .map(|l| format!(" ({}: {})", l.name, l.why))
                                    .unwrap_or_default()
                            ),
                        }
                    }
                },
            };
            let _ = actions.send(Action::Notice(crate::text::printable(&said)));
        });
    }

    /// Changes config.toml's sites, saves the file, and tells the UI.
    fn change_sites(&self, done: String, change: impl FnOnce(&mut Config)) {
        let result = self
            .config
            .lock()
            .map_err(|_| "config lock".to_string())
            .and_then(|mut c| {
                change(&mut c);
                c.save()
                    .map(|()| c.sites.clone())
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok(sites) => {
                let _ = self.actions.send(Action::Sites(sites));
                let _ = self.actions.send(Action::Notice(done));
            }
            Err(e) => {
                let _ = self
                    .actions
                    .send(Action::Notice(format!("cannot save config.toml: {e}")));
            }
        }
    }

    fn request(&self, side: Side, request: Request) {
        let browser = self
            .browsers
            .lock()
            .ok()
            .and_then(|b| b.senders[side.index()].clone());
        match browser {
            Some(b) => {
                if let Err(e) = b.send(request) {
                    browse::local(side, e.0, self.actions.clone());
                }
            }
            None => browse::local(side, request, self.actions.clone()),
        }
    }
}

/// Opens a pane's site: a local directory, or an FTP server whose browsing
/// connection then lives in its own task (returned, for the caller to
/// install if the pane still wants this connect).
async fn connect(
    side: Side,
    attempt: u64,
    target: &str,
    password: Option<Secret>,
    actions: &UnboundedSender<Action>,
    config: &Config,
    tls: &crate::sites::TlsOverrides,
) -> Result<(Action, Option<UnboundedSender<Request>>), String> {
    let target = target.trim();
    let local_path = target
        .strip_prefix("local:")
        .or((target == "local").then_some(""))
        .or(target.starts_with('/').then_some(target));
    if let Some(path) = local_path {
        let path = if path.is_empty() {
            std::env::current_dir().map_err(|e| e.to_string())?
        } else {
            PathBuf::from(path)
        };
        let cwd = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let connected = Action::Connected {
            side,
            attempt,
            place: Place::Local,
            site: None,
            cwd: std::os::unix::ffi::OsStrExt::as_bytes(cwd.as_os_str()).to_vec(),
            rfc438: false,
            protection: (false, false),
            clear_because: None,
        };
        return Ok((connected, None));
    }
    let saved = config.site(target);
    let text = saved.map_or(target, |s| s.url.as_str());
    let url = FtpUrl::parse(text).map_err(|e| e.to_string())?;
    let login = match password {
        // Typed into the password question: it answers for this user.
        Some(password) => Login {
            user: url.user.clone().unwrap_or_default(),
            password,
            account: None,
        },
        None => {
            let sources = credentials::Sources::from_env(&config.sites);
            match credentials::find(&url, saved, &sources) {
                credentials::Credentials::Ready(login) => login,
                credentials::Credentials::NeedPassword { .. } => {
                    let ask = Action::NeedPassword {
                        side,
                        attempt,
                        url: url.to_string(),
                    };
                    return Ok((ask, None));
                }
            }
        }
    };
    let site = crate::sites::build_site(&url, login, saved, &config.sites, tls)?;
    let site = Arc::new(site);
    let mut client = match site.open().await {
        Ok(client) => client,
        Err(crate::ftp::FtpError::Certificate { rejected, .. }) => {
            // Not a plain failure: the person may trust it (and it is
            // saved with the site).
            return Ok((
                Action::CertificateRefused {
                    side,
                    attempt,
                    target: target.to_string(),
                    site: site.to_string(),
                    reason: rejected.reason,
                    fingerprint: rejected.fingerprint.to_string(),
                },
                None,
            ));
        }
        Err(e) => return Err(format!("{site}: {e}")),
    };
    if !url.path.is_empty() {
        client
            .cwd(&url.path)
            .await
            .map_err(|e| format!("{site}: {e}"))?;
    }
    let cwd = client.pwd().await.map_err(|e| format!("{site}: {e}"))?;
    let rfc438 = client.features().rfc438();
    let protection = client.protection();
    let clear_because = client.clear_because().map(str::to_string);
    let browser = browse::spawn_ftp(side, site.clone(), client, actions.clone());
    let connected = Action::Connected {
        side,
        attempt,
        place: Place::Ftp {
            url: site.to_string(),
        },
        site: Some(site),
        cwd,
        rfc438,
        protection,
        clear_because,
    };
    Ok((connected, Some(browser)))
}
