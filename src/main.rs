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
mod cli_queue;

use fxpc::sites::credentials;
use fxpc::transfer::{self, Conflict, Engine, EventKind, FtpSite, Kind, Location, Via};
use fxpc::ui::app::Ended;
use fxpc::ui::format::{human_bytes, human_duration, human_rate, printable};

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
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Run an FTP server that speaks the RFC 438 LSTN/SOCK profile.
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
    /// Allow data connections to and from hosts other than the client (FXP).
    #[arg(long)]
    allow_fxp: bool,
    /// Passive and LSTN ports, e.g. 50000-50100.
    #[arg(long, value_name = "A-B")]
    pasv_range: Option<String>,
    /// Limit each data connection, bytes per second (suffixes K, M, G).
    #[arg(long, value_name = "BYTES_PER_S")]
    rate: Option<String>,
    /// Do not offer LSTN/SOCK (behave like a plain FXP-capable server).
    #[arg(long)]
    no_lstn: bool,
    /// Sessions one client address may have at once.
    #[arg(long, default_value_t = 16)]
    max_per_ip: usize,
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
            eprintln!("fxpc: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let done = |()| ExitCode::SUCCESS;
    match cli.command {
        Some(Command::Ls { url, tls }) => ls(&url, &tls.overrides()?).await,
        Some(Command::Serve(args)) => serve(args).await.map(done),
        Some(Command::Cp(args)) => cp(args).await.map(done),
        Some(Command::Mirror(args)) => mirror(args).await.map(done),
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
        settings: transfer::Settings::default(),
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

async fn ls(text: &str, tls: &fxpc::sites::TlsOverrides) -> Result<ExitCode> {
    let url = FtpUrl::parse(text)?;
    let site = ftp_site(&url, tls)?;
    let mut client = site.open().await.with_context(|| site.to_string())?;
    let site = site.to_string();
    let path = (!url.path.is_empty()).then_some(url.path.as_slice());
    let mut entries = client
        .list(path)
        .await
        .with_context(|| format!("listing {site}"))?;
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

async fn serve(args: ServeArgs) -> Result<()> {
    let mut config = server::Config::new(&args.root, args.listen);
    for spec in &args.users {
        let (name, pass) = spec.split_once(':').with_context(|| {
            format!(
                "--user {:?}: expected NAME:PASS or NAME:@FILE",
                spec.split(':').next().unwrap_or("")
            )
        })?;
        let pass = match pass.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .with_context(|| format!("reading the password for {name} from {file}"))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
            None => {
                eprintln!(
                    "fxpc serve: the password of --user {name} is visible in process listings; --user {name}:@FILE reads it from a file"
                );
                pass.to_string()
            }
        };
        config.users.push((name.to_string(), Secret::new(pass)));
    }
    config.anonymous = match args.anonymous {
        Some(AnonymousArg::None) => None,
        Some(AnonymousArg::Read) => Some(Anonymous::Read),
        Some(AnonymousArg::Write) => Some(Anonymous::Write),
        None if args.users.is_empty() => Some(Anonymous::Read),
        None => None,
    };
    config.allow_fxp = args.allow_fxp;
    config.lstn = !args.no_lstn;
    config.max_per_ip = args.max_per_ip.max(1);
    if let Some(range) = &args.pasv_range {
        config.pasv_range = Some(parse_range(range)?);
    }
    if let Some(rate) = &args.rate {
        config.rate = Some(parse_bytes(rate)?);
    }
    let mut tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            server::TlsConfig::from_pem_files(cert, key)
                .context("--tls-cert/--tls-key cannot be used")?,
        ),
        _ if args.tls_self_signed => {
            // Clients can only pin it by its fingerprint; the names are
            // for clients that show them.
            let mut names = vec!["localhost".to_string()];
            if !args.listen.ip().is_unspecified() {
                names.push(args.listen.ip().to_string());
            }
            Some(server::TlsConfig::self_signed(&names).context("cannot make a certificate")?)
        }
        _ => None,
    };
    if let Some(t) = &mut tls {
        if args.tls.as_deref() == Some("required") {
            t.policy = server::TlsPolicy::Required;
        }
        t.require_reuse = args.require_tls_reuse;
    } else if args.tls.is_some() || args.require_tls_reuse {
        bail!(
            "--tls and --require-tls-reuse need a certificate: --tls-cert and --tls-key, or --tls-self-signed"
        );
    }
    let shown_tls = tls.as_ref().map(|t| {
        let policy = match t.policy {
            server::TlsPolicy::Required => "required",
            server::TlsPolicy::Optional => "optional",
        };
        let reuse = if t.require_reuse {
            ", session reuse required"
        } else {
            ""
        };
        format!("TLS {policy}{reuse}; certificate {}", t.fingerprint())
    });
    config.tls = tls;
    let srv = server::Server::bind(config)
        .await
        .with_context(|| format!("cannot serve {} on {}", args.root.display(), args.listen))?;
    println!(
        "fxpc serve: {} on ftp://{}/",
        args.root.display(),
        srv.local_addr()?
    );
    if let Some(shown) = shown_tls {
        println!("fxpc serve: {shown}");
    }
    srv.run(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}

fn parse_range(text: &str) -> Result<(u16, u16)> {
    let (a, b) = text
        .split_once('-')
        .context("--pasv-range: expected A-B, e.g. 50000-50100")?;
    let (a, b): (u16, u16) = (a.trim().parse()?, b.trim().parse()?);
    if a < 1024 || b < a {
        bail!("--pasv-range {text}: ports must be 1024 or above, and A ≤ B");
    }
    Ok((a, b))
}

fn parse_bytes(text: &str) -> Result<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits
        .parse()
        .with_context(|| format!("{text:?} is not a number of bytes"))?;
    let mult = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("/S")
        .trim_end_matches('B')
        .trim_end_matches('I')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => bail!("{text:?}: unknown unit (use K, M or G)"),
    };
    Ok(n * mult)
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

/// `fxpc queue resume`: the unfinished items, claimed and run again.
async fn queue_resume(jobs: usize, json: bool, tls: &fxpc::sites::TlsOverrides) -> Result<()> {
    let claimed = cli_queue::claim_all(tls, &ftp_site)?;
    if claimed.is_empty() {
        println!("nothing unfinished");
        return Ok(());
    }
    let (engine, mut events) = Engine::new(transfer::Settings {
        parallel: jobs.max(1),
        ..transfer::Settings::default()
    });
    let mut tap = transfer::journal::Tap::open();
    for (row, spec) in claimed {
        let job = engine.submit(spec.clone());
        tap.submitted(job, &spec, Some(row));
    }
    let mut view = CpView::new(json);
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    loop {
        tokio::select! {
            Some(event) = events.recv() => {
                tap.event(&event);
                view.show(&event);
            }
            () = &mut idle => break,
        }
    }
    while let Ok(event) = events.try_recv() {
        tap.event(&event);
        view.show(&event);
    }
    view.finish(engine.client_data_bytes())
}

async fn cp(args: CpArgs) -> Result<()> {
    let tls = args.tls.overrides()?;
    let source = location(&args.source, args.connections, &tls)?;
    let mut destination = location(&args.destination, args.connections, &tls)?;
    // Both operands on the same server and login share one pool of sessions.
    if let (transfer::Site::Ftp(a), transfer::Site::Ftp(b)) = (&source.site, &destination.site)
        && a.key() == b.key()
    {
        destination.site = source.site.clone();
    }
    let settings = transfer::Settings {
        parallel: args.jobs.max(1),
        retries: args.retries,
        stall_timeout: std::time::Duration::from_secs(args.stall_timeout.max(1)),
        connect_timeout: std::time::Duration::from_secs(args.connect_timeout.max(1)),
        verify: args.verify.into(),
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
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    let mut interrupted = false;
    loop {
        tokio::select! {
            Some(event) = events.recv() => {
                tap.event(&event);
                view.show(&event);
            }
            () = &mut idle => break,
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                for job in view.running() {
                    engine.cancel(job);
                }
                engine.cancel(root);
            }
        }
    }
    while let Ok(event) = events.try_recv() {
        tap.event(&event);
        view.show(&event);
    }
    view.finish(engine.client_data_bytes())
}

/// The skip list for a mirror: config.toml's top-level `exclude`, each
/// saved site's own for the operands it matches, then the command line's.
fn skip_list(args: &MirrorArgs) -> Result<transfer::skip::SkipList> {
    let config = fxpc::sites::Config::load();
    let mut exclude = config.exclude.clone();
    for text in [&args.source, &args.destination] {
        if let Ok(url) = FtpUrl::parse(text)
            && let Some(saved) = fxpc::sites::site_for(&config.sites, None, &url)
        {
            exclude.extend(saved.exclude.iter().cloned());
        }
    }
    exclude.extend(args.exclude.iter().cloned());
    transfer::skip::SkipList::new(&exclude, &args.include).map_err(anyhow::Error::msg)
}

async fn mirror(args: MirrorArgs) -> Result<()> {
    use transfer::mirror::{self, Change, Tree};
    let tls = args.tls.overrides()?;
    let source = location(&args.source, args.connections, &tls)?;
    let mut destination = location(&args.destination, args.connections, &tls)?;
    if let (transfer::Site::Ftp(a), transfer::Site::Ftp(b)) = (&source.site, &destination.site)
        && a.key() == b.key()
    {
        destination.site = source.site.clone();
    }
    let options = mirror::Options {
        rules: transfer::compare::Rules {
            size_only: args.size_only,
            newer: args.newer,
        },
        delete: args.delete,
        skip: skip_list(&args)?,
    };
    let (mut from, mut to) =
        tokio::try_join!(Tree::open(&source.site), Tree::open(&destination.site))?;
    let plan = mirror::plan(&source, &destination, &mut from, &mut to, &options).await?;
    from.close().await;
    {
        let mut out = std::io::stdout().lock();
        for item in &plan.items {
            writeln!(out, "{item}")?;
        }
        writeln!(out, "{}", plan.summary())?;
    }
    if args.dry_run || plan.is_empty() {
        to.close().await;
        return Ok(());
    }

    // Directories first, parents before children (the plan is sorted), so
    // the copies find them; one that cannot be made stops the mirror
    // before anything is written into the wrong place.
    let mut new_dirs = Vec::new();
    if plan.create_root {
        new_dirs.push(destination.clone());
    }
    for item in &plan.items {
        if item.change == Change::NewDir {
            new_dirs.push(mirror::under(&destination, &item.path));
        }
    }
    for dir in new_dirs {
        if let Err(e) = to.make_dir(&dir.path).await {
            to.close().await;
            bail!("cannot create directory {dir}: {e}");
        }
    }
    to.close().await;

    let settings = transfer::Settings {
        parallel: args.jobs.max(1),
        verify: args.verify.into(),
        ..transfer::Settings::default()
    };
    let (engine, mut events) = Engine::new(settings);
    let mut jobs = Vec::new();
    for item in plan.copies() {
        jobs.push(engine.submit(transfer::JobSpec {
            source: mirror::under(&source, &item.path),
            destination: mirror::under(&destination, &item.path),
            kind: Kind::Copy,
            recursive: false,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
        }));
    }
    let mut view = CpView::new(false);
    let mut verified = 0;
    let idle = engine.wait_idle();
    tokio::pin!(idle);
    let mut interrupted = false;
    loop {
        tokio::select! {
            Some(event) = events.recv() => {
                verified += usize::from(matches!(event.kind, EventKind::Verified { .. }));
                view.show(&event);
            }
            () = &mut idle => break,
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                for &job in &jobs {
                    engine.cancel(job);
                }
            }
        }
    }
    while let Ok(event) = events.try_recv() {
        verified += usize::from(matches!(event.kind, EventKind::Verified { .. }));
        view.show(&event);
    }
    let all_verified = view.failed == 0 && !interrupted && verified == jobs.len();
    view.finish(engine.client_data_bytes())?;

    let extras: Vec<_> = plan
        .items
        .iter()
        .filter_map(|i| match i.change {
            Change::Extra { is_dir } => Some((i, is_dir)),
            _ => None,
        })
        .collect();
    if extras.is_empty() {
        return Ok(());
    }
    // A mirror that did not finish must not also lose the destination's
    // only copy of something.
    if !all_verified {
        bail!(
            "{} extra(s) not deleted: not every copy verified",
            extras.len()
        );
    }
    let mut to = Tree::open(&destination.site).await?;
    let mut failed = 0;
    let mut out = std::io::stdout().lock();
    // Deepest first: what a directory holds goes before it.
    for (item, is_dir) in extras.into_iter().rev() {
        let at = mirror::under(&destination, &item.path);
        match to.remove(&at.path, is_dir).await {
            Ok(()) => writeln!(out, "✓ {}  deleted", printable(&at.to_string()))?,
            Err(e) => {
                failed += 1;
                writeln!(
                    out,
                    "✗ {}  FAILED to delete: {e}",
                    printable(&at.to_string())
                )?;
            }
        }
    }
    drop(out);
    to.close().await;
    if failed > 0 {
        bail!("{failed} deletion(s) failed");
    }
    Ok(())
}

/// What `fxpc cp` prints: progress bars on stderr and a summary, or JSON
/// events on stdout.
struct CpView {
    json: bool,
    bars: indicatif::MultiProgress,
    /// All files together, below the per-file bars.
    total: Option<indicatif::ProgressBar>,
    files: std::collections::BTreeMap<transfer::JobId, FileLine>,
    failed: usize,
    /// The JSON events' reader went away (`| grep -q`): no more lines.
    stdout_gone: bool,
}

struct FileLine {
    name: String,
    done: u64,
    size: u64,
    bar: Option<indicatif::ProgressBar>,
    mode: Option<transfer::Mode>,
    outcome: Option<String>,
    /// The engine's rate (`Progress`): measured from where this attempt
    /// started, so bytes already at the destination never count.
    rate: f64,
    /// Where this run began (the first `Started`): its offset and when.
    run: Option<(u64, std::time::Instant)>,
}

impl CpView {
    fn new(json: bool) -> CpView {
        let bars = indicatif::MultiProgress::with_draw_target(if json {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            indicatif::ProgressDrawTarget::stderr()
        });
        CpView {
            json,
            bars,
            total: None,
            files: Default::default(),
            failed: 0,
            stdout_gone: false,
        }
    }

    fn running(&self) -> Vec<transfer::JobId> {
        self.files
            .iter()
            .filter(|(_, f)| f.outcome.is_none())
            .map(|(id, _)| *id)
            .collect()
    }

    fn show(&mut self, event: &transfer::Event) {
        if self.json
            && !self.stdout_gone
            && let Ok(line) = serde_json::to_string(event)
            && let Err(e) = writeln!(std::io::stdout().lock(), "{line}")
        {
            // A reader that left ends the report, not the copy: a file left
            // half copied because `grep -q` found its line would be a
            // surprise. The copy goes on and its outcome is the exit status
            // (a failure still says so on stderr).
            self.stdout_gone = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("fxpc: cannot write the events ({e}); the copy goes on");
            }
        }
        let file = self.files.entry(event.job).or_insert_with(|| FileLine {
            name: String::new(),
            done: 0,
            size: 0,
            bar: None,
            mode: None,
            outcome: None,
            rate: 0.0,
            run: None,
        });
        match &event.kind {
            EventKind::Queued { source, .. } => file.name = printable(source),
            EventKind::Started {
                mode,
                total,
                offset,
            } => {
                file.mode = Some(*mode);
                file.rate = 0.0;
                file.run
                    .get_or_insert_with(|| (*offset, std::time::Instant::now()));
                let bar = self
                    .bars
                    .add(indicatif::ProgressBar::new(total.unwrap_or(0)));
                bar.set_style(bar_style());
                bar.set_message(format!("{} {mode}", short_name(&file.name)));
                bar.set_position(*offset);
                file.bar = Some(bar);
            }
            EventKind::Progress {
                done,
                total,
                rate,
                eta,
                ..
            } => {
                file.rate = *rate;
                if let Some(bar) = &file.bar {
                    if let Some(t) = total {
                        bar.set_length(*t);
                    }
                    bar.set_position(*done);
                    bar.set_prefix(rate_and_eta(*rate, *eta));
                }
            }
            EventKind::ModeChanged { to, reason, .. } => {
                file.mode = Some(*to);
                let _ = self
                    .bars
                    .println(format!("{}: {reason}; trying {to}", short_name(&file.name)));
                if let Some(bar) = &file.bar {
                    bar.set_message(format!("{} {to}", short_name(&file.name)));
                }
            }
            EventKind::Retrying {
                attempt, reason, ..
            } => {
                let _ = self.bars.println(format!(
                    "{}: {reason}; retry {attempt}",
                    short_name(&file.name)
                ));
            }
            EventKind::Skipped { path, reason } => {
                let _ = self.bars.println(format!("skipped {path}: {reason}"));
                if file.outcome.is_none() && file.mode.is_none() {
                    file.outcome = Some(format!("skipped: {reason}"));
                }
            }
            EventKind::Verified {
                mode,
                size,
                check,
                source_deleted,
                renamed_to,
                protection,
                ..
            } => {
                file.outcome = Some(format!(
                    "{mode}{}  verified {check} {}{}{}{}",
                    protection
                        .as_ref()
                        .map(|how| format!(" ({how})"))
                        .unwrap_or_default(),
                    human_bytes(*size),
                    renamed_to
                        .as_ref()
                        .map(|n| format!(", renamed to {}", printable(n)))
                        .unwrap_or_default(),
                    if *source_deleted {
                        ", source deleted"
                    } else {
                        ""
                    },
                    this_run(file.run, file.size)
                ));
            }
            EventKind::Failed { reason, replies } => {
                self.failed += 1;
                let mut text = format!("FAILED: {reason}");
                for r in replies {
                    text.push_str(&format!("\n      {r}"));
                }
                file.outcome = Some(text);
            }
            EventKind::Cancelled {
                partial,
                kept_because,
            } => {
                self.failed += 1;
                file.outcome = Some(match (partial, kept_because) {
                    (Some(p), Some(why)) => format!(
                        "cancelled; {} kept at the destination: {why}",
                        human_bytes(*p)
                    ),
                    (Some(p), None) => {
                        format!("cancelled; {} kept at the destination", human_bytes(*p))
                    }
                    (None, _) => "cancelled".into(),
                });
            }
            // `cp` never asks (its policy comes from the flags); listed
            // for completeness.
            EventKind::Conflict { destination, .. } => {
                let _ = self.bars.println(format!("{destination} exists"));
            }
            EventKind::Writing => {}
            EventKind::Walked { files, directories } => {
                file.outcome = Some(format!("{files} files in {directories} directories"));
            }
        }
        match &event.kind {
            EventKind::Started { total, offset, .. } => {
                file.size = total.unwrap_or(0);
                file.done = *offset;
            }
            EventKind::Progress { done, .. } => file.done = *done,
            EventKind::Verified { .. } => file.done = file.size,
            _ => {}
        }
        if matches!(
            event.kind,
            EventKind::Verified { .. } | EventKind::Failed { .. } | EventKind::Cancelled { .. }
        ) && let Some(bar) = file.bar.take()
        {
            bar.finish_and_clear();
        }
        self.update_total();
    }

    /// The total bar appears once two files are known, as a sum of them.
    fn update_total(&mut self) {
        let sized: Vec<&FileLine> = self.files.values().filter(|f| f.size > 0).collect();
        if sized.len() < 2 {
            return;
        }
        let (done, size) = sized
            .iter()
            .fold((0, 0), |(d, s), f| (d + f.done, s + f.size));
        let rate: f64 = sized
            .iter()
            .filter(|f| f.outcome.is_none())
            .map(|f| f.rate)
            .sum();
        let eta = (rate > 0.0)
            .then(|| std::time::Duration::from_secs_f64(size.saturating_sub(done) as f64 / rate));
        let total = self.total.get_or_insert_with(|| {
            let bar = self.bars.add(indicatif::ProgressBar::new(size));
            bar.set_style(bar_style());
            bar
        });
        total.set_length(size);
        total.set_position(done);
        total.set_prefix(rate_and_eta(rate, eta));
        total.set_message(format!("total ({} files)", sized.len()));
    }

    fn finish(self, client_bytes: u64) -> Result<()> {
        if let Some(total) = &self.total {
            total.finish_and_clear();
        }
        let _ = self.bars.clear();
        if !self.json {
            let mut out = std::io::stdout().lock();
            for file in self.files.values() {
                if let Some(outcome) = &file.outcome {
                    let mark = if outcome.starts_with("FAILED") || outcome.starts_with("cancelled")
                    {
                        '✗'
                    } else {
                        '✓'
                    };
                    let _ = writeln!(out, "{mark} {}  {outcome}", file.name);
                }
            }
            if client_bytes > 0 {
                let _ = writeln!(
                    out,
                    "  (the client carried {} of file data)",
                    human_bytes(client_bytes)
                );
            }
        }
        if self.failed > 0 {
            bail!("{} transfer(s) failed", self.failed);
        }
        Ok(())
    }
}

/// The bars' columns in the units the TUI shows (`ui::format`), never
/// indicatif's own: one program, one way to write a size or a rate. The
/// rate and ETA (the prefix) are the engine's, not indicatif's estimate:
/// that one counts a resumed file's first position as moved in an instant
/// and showed GiB/s where the server sent 256 KiB/s.
fn bar_style() -> indicatif::ProgressStyle {
    use indicatif::ProgressState;
    indicatif::ProgressStyle::with_template("{msg:30!} {bar:25} {done:>9}/{size:<9} {prefix:>17}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key("done", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human_bytes(s.pos()));
        })
        .with_key("size", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human_bytes(s.len().unwrap_or(0)));
        })
}

fn rate_and_eta(rate: f64, eta: Option<std::time::Duration>) -> String {
    format!(
        "{:>11} {:>5}",
        human_rate(rate),
        eta.map(|e| human_duration(e.as_secs())).unwrap_or_default()
    )
}

/// What this run moved of a file and how fast, for the summary: from the
/// first `Started` (its offset: a resume's bytes already there are not this
/// run's) to the verification.
fn this_run(run: Option<(u64, std::time::Instant)>, size: u64) -> String {
    let Some((offset, started)) = run else {
        return String::new();
    };
    let moved = size.saturating_sub(offset);
    if moved == 0 {
        return "; nothing to move".into();
    }
    let secs = started.elapsed().as_secs_f64();
    format!(
        "; {} moved in {} ({})",
        human_bytes(moved),
        human_duration(secs.round() as u64),
        human_rate(moved as f64 / secs.max(0.001))
    )
}

fn short_name(name: &str) -> &str {
    name.rsplit('/').find(|s| !s.is_empty()).unwrap_or(name)
}
