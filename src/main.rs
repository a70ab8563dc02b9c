//! The `fxpc` command line: argument parsing and wiring. The only place that
//! uses `anyhow`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use fxpc::ftp::{self, EntryKind, FtpUrl, Login, Secret};
use fxpc::server::{self, Anonymous};
mod cli;

use cli::queue as cli_queue;
use cli::run::OnInterrupt;
use cli::view::CpView;

use fxpc::sites::credentials;
use fxpc::text::{human_bytes, human_duration, human_rate, printable};
use fxpc::transfer::{self, Conflict, Engine, EventKind, FtpSite, Kind, Location, Via};
use fxpc::ui::app::Ended;

#[derive(Parser)]
#[command(
    name = "fxpc",
    version,
    about = "FXP Commander: make FTP servers exchange files directly (RFC 438 LSTN/SOCK, FXP)"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// What the left and right panes open: ftp:// URLs, saved site names or
    /// local paths. Without them, the last session's panes.
    #[arg(num_args = 0..=2, value_name = "SITE")]
    panes: Vec<String>,
    #[command(flatten)]
    tls: TlsArgs,
}

/// TLS for the sites named on the command line (saved sites keep their
/// own settings under these).
#[derive(clap::Args, Clone, Default)]
struct TlsArgs {
    /// TLS for ftp:// URLs: off, if-available (the default), required.
    /// ftps:// (implicit) and ftpes:// (required) say it themselves.
    #[arg(long, value_name = "MODE")]
    tls: Option<String>,
    /// Trust a server certificate by its SHA-256 fingerprint
    /// (SHA256:AB:CD:…; colons optional, any case). Repeatable.
    #[arg(long = "trust-fingerprint", value_name = "SHA256")]
    trust_fingerprint: Vec<String>,
    /// Extra CA certificates (PEM) to verify servers with.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
}

impl TlsArgs {
    fn overrides(&self) -> Result<fxpc::sites::TlsOverrides> {
        let mode = match &self.tls {
            Some(text) => Some(ftp::TlsMode::parse(text).with_context(|| {
                format!("--tls {text:?}: off, if-available, required or implicit")
            })?),
            None => None,
        };
        let pinned = self
            .trust_fingerprint
            .iter()
            .map(|text| {
                ftp::Fingerprint::parse(text).with_context(|| {
                    format!("--trust-fingerprint {text:?}: not a SHA-256 fingerprint")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(file) = &self.ca_file {
            ftp::tls::read_pem_certs(file).context("--ca-file")?;
        }
        Ok(fxpc::sites::TlsOverrides {
            mode,
            pinned,
            ca_file: self.ca_file.clone(),
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// List a remote directory: type, size in bytes, modification time, name.
    Ls {
        /// ftp://[user[:password]@]host[:port]/path (or ftps://, ftpes://)
        url: String,
        /// Say on stderr how the listing was read: MLSD, or the server
        /// type LIST output was read as and where that came from (the
        /// site's setting, the SYST reply, a heading in the first lines).
        #[arg(short, long)]
        verbose: bool,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Run an FTP server that speaks the RFC 438 LSTN/SOCK profile.
    #[command(after_help = server::PEER_RULES)]
    Serve(ServeArgs),
    /// Two built-in demo servers on loopback, and the UI connected to both.
    Demo,
    /// Copy (or append, or move) between FTP sites and the local disk.
    /// Between two FTP sites the servers exchange the data themselves.
    Cp(CpArgs),
    /// Work a run left unfinished (it quit or was killed): list it, resume
    /// it, or forget it.
    Queue {
        #[command(subcommand)]
        action: Option<QueueAction>,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Make a destination directory like a source directory: copy what is
    /// new or differs (server to server where possible); with --delete,
    /// delete what is only at the destination.
    Mirror(MirrorArgs),
}

#[derive(Subcommand)]
enum QueueAction {
    /// Continue the unfinished items (files this run had started writing
    /// continue from where they are; the rest start over).
    Resume {
        /// Files at once.
        #[arg(short = 'j', long, default_value_t = 2)]
        jobs: usize,
        /// Print events as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Forget everything unfinished and finished.
    Clear,
}

#[derive(clap::Args)]
struct MirrorArgs {
    /// ftp:// URL or local path of a directory.
    source: String,
    /// ftp:// URL or local path of a directory (created if missing).
    destination: String,
    /// Print the plan and copy nothing.
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// Delete what is only at the destination, once every copy verified.
    #[arg(long)]
    delete: bool,
    /// A file whose source is newer than the destination's differs even at
    /// the same size (only where both ends give UTC times: MLSD, the disk).
    #[arg(long, conflicts_with = "size_only")]
    newer: bool,
    /// Compare sizes only, never times.
    #[arg(long)]
    size_only: bool,
    /// Skip names matching this glob (`*.tmp`; `cache/` for a directory),
    /// at both ends. Repeatable; adds to config.toml's `exclude`.
    #[arg(long = "exclude", value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Never skip names matching this glob, whatever an exclude says.
    /// Repeatable.
    #[arg(long = "include", value_name = "PATTERN")]
    include: Vec<String>,
    /// Files at once.
    #[arg(short = 'j', long, default_value_t = 2)]
    jobs: usize,
    /// Transfer connections per site.
    #[arg(long, default_value_t = 2)]
    connections: usize,
    /// How a copy is checked (as for cp).
    #[arg(long, value_enum, default_value = "auto")]
    verify: VerifyArg,
    /// Print the copies' events as JSON lines on stdout (the plan and the
    /// deletions stay text).
    #[arg(long)]
    json: bool,
    /// Directories deeper than this below the roots are not walked (each
    /// such directory is printed as not copied, with why).
    #[arg(long, value_name = "N", default_value_t = transfer::MAX_DEPTH)]
    max_depth: usize,
    #[command(flatten)]
    tls: TlsArgs,
}

#[derive(clap::Args)]
struct CpArgs {
    /// ftp:// URL or local path.
    source: String,
    /// ftp:// URL or local path; an existing directory (or a trailing /)
    /// receives the source under its own name.
    destination: String,
    /// Copy directories recursively.
    #[arg(short, long)]
    recursive: bool,
    /// Append the source to the destination file.
    #[arg(long, conflicts_with = "move_")]
    append: bool,
    /// Continue a partial copy from the destination's size.
    #[arg(long)]
    resume: bool,
    /// Leave an existing destination alone.
    #[arg(long, conflicts_with = "resume")]
    skip_existing: bool,
    /// Delete the source once the copy verified.
    #[arg(long = "move")]
    move_: bool,
    /// How the two servers exchange data.
    #[arg(long, value_enum, default_value = "auto")]
    via: ViaArg,
    /// Files at once.
    #[arg(short = 'j', long, default_value_t = 2)]
    jobs: usize,
    /// Transfer connections per site.
    #[arg(long, default_value_t = 2)]
    connections: usize,
    /// Tries after a transient failure.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// Seconds without progress before a transfer counts as failed.
    #[arg(long, default_value_t = 60)]
    stall_timeout: u64,
    /// Seconds two servers may take to open their data connection before
    /// that way counts as refused and the next is tried.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
    /// How a copy is checked: the size; both ends' digests (HASH, XSHA256 …);
    /// or digests when both ends offer a common one, else the size.
    #[arg(long, value_enum, default_value = "auto")]
    verify: VerifyArg,
    /// Print events as JSON lines on stdout instead of progress bars.
    #[arg(long)]
    json: bool,
    /// In a tree, skip names matching this glob (`*.tmp`; `cache/` for a
    /// directory); reported, never silently dropped. Repeatable; adds to
    /// config.toml's `exclude`.
    #[arg(long = "exclude", value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Never skip names matching this glob. Repeatable.
    #[arg(long = "include", value_name = "PATTERN")]
    include: Vec<String>,
    /// In a tree, directories deeper than this below the source are not
    /// walked (each is reported as skipped, with why).
    #[arg(long, value_name = "N", default_value_t = transfer::MAX_DEPTH)]
    max_depth: usize,
    #[command(flatten)]
    tls: TlsArgs,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Directory to serve; clients can never leave it.
    #[arg(long)]
    root: PathBuf,
    #[arg(long, default_value = "127.0.0.1:2121")]
    listen: SocketAddr,
    /// NAME:PASS, or NAME:@FILE to read the password from a file (keeps it
    /// out of process listings). Repeatable. Users get read and write access.
    #[arg(long = "user", value_name = "NAME:PASS")]
    users: Vec<String>,
    /// What anonymous users may do (default: read, or none when --user is given).
    #[arg(long, value_enum)]
    anonymous: Option<AnonymousArg>,
    /// Trust these hosts or networks as the other end of data connections
    /// besides the client (FXP); bare (or `*`): any host (a warning at
    /// start).
    #[arg(long, value_name = "ADDR|CIDR[,…]", num_args = 0..=1, default_missing_value = "*")]
    allow_fxp: Option<String>,
    /// Passive and LSTN ports, e.g. 50000-50100.
    #[arg(long, value_name = "A-B")]
    pasv_range: Option<String>,
    /// Limit each data connection, bytes per second (suffixes K, M, G).
    #[arg(long, value_name = "BYTES_PER_S")]
    rate: Option<String>,
    /// Do not offer LSTN/SOCK (behave like a plain FXP-capable server).
    #[arg(long)]
    no_lstn: bool,
    /// Sessions one client address (IPv6: one /64) may have at once.
    #[arg(long, default_value_t = 16)]
    max_per_ip: usize,
    /// Sessions at once, from all clients.
    #[arg(long, default_value_t = 256)]
    max_sessions: usize,
    /// Seconds a logged-in client may stay without a command (NOOP alone
    /// does not keep it).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    idle_timeout: u64,
    /// Seconds a client has to log in after connecting.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    login_timeout: u64,
    /// Failed logins from one address (IPv6: one /64) within 10 minutes
    /// that get it refused for 15 minutes; 0: never.
    #[arg(long, value_name = "N", default_value_t = 10)]
    ban_after: u32,
    /// Stop uploads when the file system's free space falls under this
    /// share of its size.
    #[arg(long, value_name = "PERCENT", default_value_t = 1.0)]
    min_free: f64,
    /// Offer FTPS (AUTH TLS, RFC 4217) with this certificate chain (PEM,
    /// leaf first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Offer FTPS with a certificate made at start; its fingerprint is
    /// printed for clients to pin.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    tls_self_signed: bool,
    /// Whether clients must use TLS: `required` refuses a login before
    /// AUTH TLS and transfers without PROT P (default: optional).
    #[arg(
        long,
        value_name = "required|optional",
        value_parser = ["required", "optional"],
        num_args = 0..=1,
        default_missing_value = "optional"
    )]
    tls: Option<String>,
    /// TLS data connections must resume a TLS session this server gave a
    /// control connection from the same client address (like vsftpd's
    /// require_ssl_reuse).
    #[arg(long)]
    require_tls_reuse: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ViaArg {
    Auto,
    Lstn,
    Fxp,
    Relay,
}

impl From<ViaArg> for Via {
    fn from(v: ViaArg) -> Via {
        match v {
            ViaArg::Auto => Via::Auto,
            ViaArg::Lstn => Via::Lstn,
            ViaArg::Fxp => Via::Fxp,
            ViaArg::Relay => Via::Relay,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum VerifyArg {
    Size,
    Hash,
    Auto,
}

impl From<VerifyArg> for transfer::Verify {
    fn from(v: VerifyArg) -> transfer::Verify {
        match v {
            VerifyArg::Size => transfer::Verify::Size,
            VerifyArg::Hash => transfer::Verify::Hash,
            VerifyArg::Auto => transfer::Verify::Auto,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum AnonymousArg {
    None,
    Read,
    Write,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fxpc: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e:#}");
            // An error may quote a server: escaped like everything it says.
            eprintln!("fxpc: {}", cli::view::escaped(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let done = |()| ExitCode::SUCCESS;
    match cli.command {
        Some(Command::Ls { url, verbose, tls }) => ls(&url, verbose, &tls.overrides()?).await,
        Some(Command::Serve(args)) => cli::serve::serve(args).await.map(done),
        Some(Command::Cp(args)) => cp(args).await.map(done),
        Some(Command::Mirror(args)) => cli::mirror::mirror(args).await.map(done),
        Some(Command::Demo) => demo().await,
        Some(Command::Queue { action, tls }) => match action {
            None => cli_queue::list().map(done),
            Some(QueueAction::Clear) => cli_queue::clear().map(done),
            Some(QueueAction::Resume { jobs, json }) => {
                queue_resume(jobs, json, &tls.overrides()?).await.map(done)
            }
        },
        None => {
            let tls = cli.tls.overrides()?;
            let mut panes = cli.panes.into_iter();
            tui(panes.next(), panes.next(), true, tls).await
        }
    }
}

async fn tui(
    left: Option<String>,
    right: Option<String>,
    remember: bool,
    tls: fxpc::sites::TlsOverrides,
) -> Result<ExitCode> {
    let ended = fxpc::ui::run(fxpc::ui::Options {
        left,
        right,
        settings: {
            let (skip, priority) =
                fxpc::sites::copy_rules(&fxpc::sites::Config::load(), &[], &[], &[])
                    .map_err(anyhow::Error::msg)?;
            transfer::Settings {
                skip,
                priority,
                ..transfer::Settings::default()
            }
        },
        remember,
        tls,
    })
    .await
    .context("terminal UI")?;
    // 128 + the signal's number: what a shell reports for a process that
    // signal ended, now that the terminal has been given back.
    Ok(match ended {
        Ended::Quit => ExitCode::SUCCESS,
        Ended::Terminated => ExitCode::from(128 + 15),
        Ended::HungUp => ExitCode::from(128 + 1),
    })
}

async fn demo() -> Result<ExitCode> {
    let demo = fxpc::demo::Demo::start()
        .await
        .context("starting the demo servers")?;
    let (left, right) = demo.urls();
    // The demo's own certificates, trusted for its sites only.
    let tls = fxpc::sites::TlsOverrides {
        pinned: demo.fingerprints.clone(),
        ..Default::default()
    };
    tui(Some(left), Some(right), false, tls).await
}

/// Logs go to a file under the state (or cache) directory, never to the
/// terminal, which belongs to the UI and to command output.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dirs = directories::ProjectDirs::from("", "", "fxpc")?;
    let dir = dirs.state_dir().unwrap_or(dirs.cache_dir()).to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "fxpc.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FXPC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Some(guard)
}

/// Credentials for a URL, in the order `fxpc::sites::credentials` keeps
/// for the CLI and the UI alike; a prompt only where someone can answer.
fn login_for(url: &FtpUrl) -> Result<Login> {
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

/// What a shell reports for a tool that SIGPIPE ended (128 + 13). Rust
/// ignores SIGPIPE, so writing to a pipe whose reader left (`| head -1`)
/// fails with EPIPE instead; `ls` then ends as coreutils' `ls` does under
/// the default disposition: no message, and a status that `set -o
/// pipefail` sees as a cut listing. Handled at the write rather than by
/// restoring SIGPIPE, so the session still says QUIT, and `cp` (see
/// `CpView::show`) is not killed in the middle of a copy.
const READER_GONE: u8 = 128 + 13;

async fn ls(text: &str, verbose: bool, tls: &fxpc::sites::TlsOverrides) -> Result<ExitCode> {
    let url = FtpUrl::parse(text)?;
    let site = ftp_site(&url, tls)?;
    let mut client = site.open().await.with_context(|| site.to_string())?;
    if let Some(why) = client.clear_because() {
        eprintln!(
            "fxpc: {site}: not encrypted: {}",
            fxpc::text::printable(why)
        );
    }
    let site = site.to_string();
    let path = (!url.path.is_empty()).then_some(url.path.as_slice());
    let mut entries = client
        .list(path)
        .await
        .with_context(|| format!("listing {site}"))?;
    if verbose {
        match client.last_listing_style() {
            Some(style) => eprintln!("fxpc: server type: {}", printable(&style.to_string())),
            None => eprintln!("fxpc: listing: MLSD (no server type needed)"),
        }
    }
    // Servers list in any order (ours streams in the directory's): by name.
    entries.sort_by(|a, b| a.raw_name.cmp(&b.raw_name));
    let mut out = std::io::stdout().lock();
    for e in &entries {
        let kind = match e.kind {
            EntryKind::File => '-',
            EntryKind::Dir => 'd',
            EntryKind::Link => 'l',
            EntryKind::Special(c) => c,
            EntryKind::Other(_) | EntryKind::Unparsed => '?',
        };
        let size = e.size.map_or_else(|| "-".to_string(), |s| s.to_string());
        let time = e.modified.map_or_else(
            || "-".to_string(),
            |t| t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        );
        let name = match (&e.kind, &e.link_target) {
            (EntryKind::Unparsed, _) => {
                format!("(unparsed) {}", e.raw.as_deref().unwrap_or(&e.name))
            }
            (_, Some(target)) => format!("{} -> {target}", e.name),
            _ => e.name.clone(),
        };
        // A hostile server's name must not drive the terminal (escape codes).
        let name = printable(&name);
        if let Err(e) = writeln!(out, "{kind} {size:>12} {time:<19} {name}") {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(e.into());
            }
            let _ = client.quit().await;
            return Ok(ExitCode::from(READER_GONE));
        }
    }
    let _ = client.quit().await;
    Ok(ExitCode::SUCCESS)
}

/// The site a URL names, logged in as the URL, netrc or a prompt say, in
/// TLS as its scheme, the command line and a saved site say.
fn ftp_site(url: &FtpUrl, tls: &fxpc::sites::TlsOverrides) -> Result<FtpSite> {
    let login = login_for(url)?;
    let config = fxpc::sites::Config::load();
    fxpc::sites::build_site(url, login, None, &config.sites, tls).map_err(anyhow::Error::msg)
}

/// A command-line operand: an ftp://, ftps:// or ftpes:// URL, or a local
/// path.
fn location(text: &str, connections: usize, tls: &fxpc::sites::TlsOverrides) -> Result<Location> {
    if ["ftp://", "ftps://", "ftpes://"]
        .iter()
        .any(|scheme| text.starts_with(scheme))
    {
        let url = FtpUrl::parse(text)?;
        let mut site = ftp_site(&url, tls)?;
        site.max_connections = connections.max(1);
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
fn with_stall(mut location: Location, stall: std::time::Duration) -> Location {
    if let transfer::Site::Ftp(site) = &location.site {
        let mut site = (**site).clone();
        site.options.data_idle_timeout = stall;
        location.site = transfer::Site::Ftp(std::sync::Arc::new(site));
    }
    location
}

/// `fxpc queue resume`: the unfinished items, claimed and run again.
async fn queue_resume(jobs: usize, json: bool, tls: &fxpc::sites::TlsOverrides) -> Result<()> {
    let (claimed, problems, earlier) = cli_queue::claim_all(tls, &ftp_site)?;
    if claimed.is_empty() && problems.is_empty() {
        println!("nothing unfinished");
        return Ok(());
    }
    // Items that could not be claimed stay in the queue, and the run says
    // so by its status: a script must not take half-copied files for done.
    let left = problems.len();
    let (engine, mut events) = Engine::new(transfer::Settings {
        parallel: jobs.max(1),
        ..transfer::Settings::default()
    });
    let mut tap = transfer::journal::Tap::open();
    for (destination, verified) in earlier {
        engine.note_earlier(&destination, verified);
    }
    for (row, spec) in claimed {
        let job = engine.submit(spec.clone());
        tap.submitted(job, &spec, Some(row));
    }
    let mut view = CpView::new(json);
    cli::run::follow(&engine, &mut events, &mut tap, &mut view, OnInterrupt::Exit).await;
    view.finish(engine.client_data_bytes())?;
    if left > 0 {
        bail!(
            "{left} item(s) left in the queue (see above): give each site's password in ~/.netrc, a saved site (config.toml) or FXPC_PASSWORD, or run `fxpc queue resume` on a terminal to be asked"
        );
    }
    Ok(())
}

async fn cp(args: CpArgs) -> Result<()> {
    let tls = args.tls.overrides()?;
    let (skip, priority) = fxpc::sites::copy_rules(
        &fxpc::sites::Config::load(),
        &[&args.source, &args.destination],
        &args.exclude,
        &args.include,
    )
    .map_err(anyhow::Error::msg)?;
    let stall = std::time::Duration::from_secs(args.stall_timeout.max(1));
    let source = with_stall(location(&args.source, args.connections, &tls)?, stall);
    let mut destination = with_stall(location(&args.destination, args.connections, &tls)?, stall);
    cli::run::share_pool(&source, &mut destination);
    let settings = transfer::Settings {
        parallel: args.jobs.max(1),
        retries: args.retries,
        stall_timeout: std::time::Duration::from_secs(args.stall_timeout.max(1)),
        connect_timeout: std::time::Duration::from_secs(args.connect_timeout.max(1)),
        verify: args.verify.into(),
        skip,
        priority,
        max_depth: args.max_depth,
        ..transfer::Settings::default()
    };
    let (engine, mut events) = Engine::new(settings);
    // Both ends log in at once.
    let (resolved, ()) = tokio::join!(
        engine.resolve_destination(&source, &destination),
        engine.warm_up(&source)
    );
    // The location, not the argument: a URL's password stays out of errors.
    let destination = resolved.with_context(|| format!("destination {destination}"))?;
    let kind = if args.append {
        Kind::Append
    } else if args.move_ {
        Kind::Move
    } else {
        Kind::Copy
    };
    let conflict = if args.resume {
        Conflict::Resume
    } else if args.skip_existing {
        Conflict::Skip
    } else {
        Conflict::Overwrite
    };
    let spec = transfer::JobSpec {
        source,
        destination,
        kind,
        recursive: args.recursive,
        conflict,
        via: args.via.into(),
    };
    let root = engine.submit(spec.clone());
    // Journaled: a run that is killed can be resumed (`fxpc queue resume`).
    let mut tap = transfer::journal::Tap::open();
    tap.submitted(root, &spec, None);

    let mut view = CpView::new(args.json);
    cli::run::follow(
        &engine,
        &mut events,
        &mut tap,
        &mut view,
        OnInterrupt::Cancel(&[root]),
    )
    .await;
    view.finish(engine.client_data_bytes())
}
