//! The `fxpc` command line: parses the arguments (`cli/args.rs`) and hands
//! each subcommand to its file in `cli/`; `ls`, the TUI and the demo are
//! short enough to stay here. The binary is the only place that uses
//! `anyhow`.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use fxpc::ftp::{EntryKind, FtpUrl};
use fxpc::text::printable;
use fxpc::transfer;
use fxpc::ui::app::Ended;

mod cli;

use cli::args::{Cli, Command, QueueAction, SitesAction};
use cli::operands::ftp_site;
use cli::queue as cli_queue;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Some(Command::Serve(_))) {
        one_malloc_arena();
    }
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
            let said = in_words(&e);
            tracing::error!("{said}");
            // An error may quote a server: escaped like everything it says.
            eprintln!("fxpc: {}", cli::view::escaped(&said));
            ExitCode::FAILURE
        }
    }
}

/// glibc gives each thread that allocates an arena of its own (up to
/// eight per core), each holding its freed memory apart: a tree copy's
/// runtime workers, blocking pool, journal and log threads kept 0.7–1.1
/// MiB more resident than one arena holds for them all. A client's
/// threads seldom allocate at once, and small blocks come from each
/// thread's cache without the arena's lock. `fxpc serve` keeps the
/// default: its sessions allocate on every worker at once.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; no other
    // thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// An error and its causes on one line, each said once: an error that
/// already quotes its cause (`data connection for MLSD: listing larger
/// …`) is not followed by the cause again.
fn in_words(e: &anyhow::Error) -> String {
    let mut said = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if said.contains(&text) {
            continue;
        }
        if !said.is_empty() {
            said.push_str(": ");
        }
        said.push_str(&text);
    }
    said
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let done = |()| ExitCode::SUCCESS;
    match cli.command {
        Some(Command::Ls { url, verbose, tls }) => ls(&url, verbose, &tls.overrides()?).await,
        Some(Command::Serve(args)) => cli::serve::serve(args).await.map(done),
        Some(Command::Cp(args)) => cli::cp::cp(args).await.map(done),
        Some(Command::Mirror(args)) => cli::mirror::mirror(args).await.map(done),
        Some(Command::Demo) => demo().await,
        Some(Command::Sites {
            action: SitesAction::Import { file },
        }) => cli::sites::import(&file).map(done),
        Some(Command::Queue { action, tls }) => match action {
            None => cli_queue::list().map(done),
            Some(QueueAction::Clear) => cli_queue::clear().map(done),
            Some(QueueAction::Resume { jobs, json }) => {
                cli_queue::resume(jobs, json, &tls.overrides()?)
                    .await
                    .map(done)
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
            let config = fxpc::sites::Config::load();
            let (skip, priority) =
                fxpc::sites::copy_rules(&config, &[], &[], &[]).map_err(anyhow::Error::msg)?;
            transfer::Settings {
                skip,
                priority,
                keep_times: config.keep_times(),
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
    let asked = tracing_subscriber::EnvFilter::try_from_env("FXPC_LOG").ok();
    // The line buffer is allocated whole at start (the default, 128,000
    // lines, was 4 MB, a quarter of a tree copy's heap); the writer thread
    // keeps up with far fewer. A burst beyond them is dropped, not waited
    // for: logging never slows a copy. At the default level a copy that
    // goes well logs nothing, and 8,192 lines would be a quarter of a
    // megabyte held for nothing; a level asked for (debug: every command)
    // gets them.
    let lines = if asked.is_some() { 8_192 } else { 512 };
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(lines)
        .lossy(true)
        .finish(appender);
    let filter = asked.unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Some(guard)
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
    // Unstable: a stable sort would borrow memory for half the listing.
    entries.sort_unstable_by(|a, b| a.raw_name().cmp(b.raw_name()));
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
                format!("(unparsed) {}", e.name)
            }
            (_, Some(target)) => format!("{} -> {target}", e.name),
            _ => e.name.to_string(),
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
