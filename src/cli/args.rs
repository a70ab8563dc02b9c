//! The command line's arguments (clap): what each subcommand takes, and
//! the TLS options every one of them shares.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use fxpc::transfer::{self, Via};
use fxpc::{ftp, server};

#[derive(Parser)]
#[command(
    name = "fxpc",
    version,
    about = "FXP Commander: make FTP servers exchange files directly (RFC 438 LSTN/SOCK, FXP)"
)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// What the left and right panes open: ftp:// URLs, saved site names or
    /// local paths. Without them, the last session's panes.
    #[arg(num_args = 0..=2, value_name = "SITE")]
    pub(crate) panes: Vec<String>,
    #[command(flatten)]
    pub(crate) tls: TlsArgs,
}

/// TLS for the sites named on the command line (saved sites keep their
/// own settings under these).
#[derive(clap::Args, Clone, Default)]
pub(crate) struct TlsArgs {
    /// TLS for ftp:// URLs: off, if-available (the default), required.
    /// ftps:// (implicit) and ftpes:// (required) say it themselves.
    #[arg(long, value_name = "MODE")]
    pub(crate) tls: Option<String>,
    /// Trust a server certificate by its SHA-256 fingerprint
    /// (SHA256:AB:CD:…; colons optional, any case). Repeatable.
    #[arg(long = "trust-fingerprint", value_name = "SHA256")]
    pub(crate) trust_fingerprint: Vec<String>,
    /// Extra CA certificates (PEM) to verify servers with.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,
}

impl TlsArgs {
    pub(crate) fn overrides(&self) -> Result<fxpc::sites::TlsOverrides> {
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
pub(crate) enum Command {
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
    /// The saved sites.
    Sites {
        #[command(subcommand)]
        action: SitesAction,
    },
}

#[derive(Subcommand)]
pub(crate) enum SitesAction {
    /// Save the sites of FileZilla's sitemanager.xml, lftp's bookmarks or
    /// a .netrc file (which one, the file says); sites already saved are
    /// not saved twice.
    Import {
        /// The file to read.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum QueueAction {
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
pub(crate) struct MirrorArgs {
    /// ftp:// URL or local path of a directory.
    pub(crate) source: String,
    /// ftp:// URL or local path of a directory (created if missing).
    pub(crate) destination: String,
    /// Print the plan and copy nothing.
    #[arg(short = 'n', long)]
    pub(crate) dry_run: bool,
    /// Delete what is only at the destination, once every copy verified.
    #[arg(long)]
    pub(crate) delete: bool,
    /// A file whose source is newer than the destination's differs even at
    /// the same size (only where both ends give UTC times: MLSD, the disk).
    #[arg(long, conflicts_with = "size_only")]
    pub(crate) newer: bool,
    /// Compare sizes only, never times.
    #[arg(long)]
    pub(crate) size_only: bool,
    /// Skip names matching this glob (`*.tmp`; `cache/` for a directory),
    /// at both ends. Repeatable; adds to config.toml's `exclude`.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub(crate) exclude: Vec<String>,
    /// Never skip names matching this glob, whatever an exclude says.
    /// Repeatable.
    #[arg(long = "include", value_name = "PATTERN")]
    pub(crate) include: Vec<String>,
    /// Files at once (and as many sessions per site, unless --connections
    /// says otherwise).
    #[arg(short = 'j', long, default_value_t = 2)]
    pub(crate) jobs: usize,
    /// Sessions per site, at most: every login fxpc makes there counts,
    /// progress polling included (servers limit sessions per address).
    /// Default: -j's, or fewer where a saved site says so.
    #[arg(long, value_name = "N")]
    pub(crate) connections: Option<usize>,
    /// How a copy is checked (as for cp).
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) verify: VerifyArg,
    /// Print the copies' events as JSON lines on stdout (the plan and the
    /// deletions stay text).
    #[arg(long)]
    pub(crate) json: bool,
    /// Directories deeper than this below the roots are not walked (each
    /// such directory is printed as not copied, with why).
    #[arg(long, value_name = "N", default_value_t = transfer::MAX_DEPTH)]
    pub(crate) max_depth: usize,
    /// Leave each copy with the time it was made (a mirror gives each copy
    /// its source's modification time, so a second `--newer` run copies
    /// nothing).
    #[arg(long)]
    pub(crate) no_preserve_times: bool,
    #[command(flatten)]
    pub(crate) tls: TlsArgs,
}

#[derive(clap::Args)]
pub(crate) struct CpArgs {
    /// ftp:// URL or local path.
    pub(crate) source: String,
    /// ftp:// URL or local path; an existing directory (or a trailing /)
    /// receives the source under its own name.
    pub(crate) destination: String,
    /// Copy directories recursively.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Append the source to the destination file.
    #[arg(long, conflicts_with = "move_")]
    pub(crate) append: bool,
    /// Continue a partial copy from the destination's size.
    #[arg(long)]
    pub(crate) resume: bool,
    /// Leave an existing destination alone.
    #[arg(long, conflicts_with = "resume")]
    pub(crate) skip_existing: bool,
    /// Delete the source once the copy verified.
    #[arg(long = "move")]
    pub(crate) move_: bool,
    /// How the two servers exchange data.
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) via: ViaArg,
    /// Files at once (and as many sessions per site, unless --connections
    /// says otherwise).
    #[arg(short = 'j', long, default_value_t = 2)]
    pub(crate) jobs: usize,
    /// Sessions per site, at most: every login fxpc makes there counts,
    /// progress polling included (servers limit sessions per address).
    /// Default: -j's, or fewer where a saved site says so.
    #[arg(long, value_name = "N")]
    pub(crate) connections: Option<usize>,
    /// Tries after a transient failure (a lost connection, a server that
    /// cannot be reached), each after a pause doubling from 1 s.
    #[arg(long, default_value_t = 4)]
    pub(crate) retries: u32,
    /// Seconds without progress before a transfer counts as failed.
    #[arg(long, default_value_t = 60)]
    pub(crate) stall_timeout: u64,
    /// Seconds two servers may take to open their data connection before
    /// that way counts as refused and the next is tried.
    #[arg(long, default_value_t = 10)]
    pub(crate) connect_timeout: u64,
    /// How a copy is checked: the size; both ends' digests (HASH, XSHA256 …);
    /// or digests when both ends offer a common one, else the size.
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) verify: VerifyArg,
    /// Print events as JSON lines on stdout instead of progress bars.
    #[arg(long)]
    pub(crate) json: bool,
    /// In a tree, skip names matching this glob (`*.tmp`; `cache/` for a
    /// directory); reported, never silently dropped. Repeatable; adds to
    /// config.toml's `exclude`.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub(crate) exclude: Vec<String>,
    /// Never skip names matching this glob. Repeatable.
    #[arg(long = "include", value_name = "PATTERN")]
    pub(crate) include: Vec<String>,
    /// In a tree, directories deeper than this below the source are not
    /// walked (each is reported as skipped, with why).
    #[arg(long, value_name = "N", default_value_t = transfer::MAX_DEPTH)]
    pub(crate) max_depth: usize,
    /// Give each copy its source's modification time (the default for the
    /// files of a tree, `-r`).
    #[arg(long, overrides_with = "no_preserve_times")]
    pub(crate) preserve_times: bool,
    /// Leave each copy with the time it was made (the default for a single
    /// file).
    #[arg(long, overrides_with = "preserve_times")]
    pub(crate) no_preserve_times: bool,
    #[command(flatten)]
    pub(crate) tls: TlsArgs,
}

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Directory to serve; clients can never leave it.
    #[arg(long)]
    pub(crate) root: PathBuf,
    #[arg(long, default_value = "127.0.0.1:2121")]
    pub(crate) listen: SocketAddr,
    /// NAME:PASS, or NAME:@FILE to read the password from a file (keeps it
    /// out of process listings). Repeatable. Users get read and write access.
    #[arg(long = "user", value_name = "NAME:PASS")]
    pub(crate) users: Vec<String>,
    /// What anonymous users may do (default: read, or none when --user is given).
    #[arg(long, value_enum)]
    pub(crate) anonymous: Option<AnonymousArg>,
    /// Trust these hosts or networks as the other end of data connections
    /// besides the client (FXP); bare (or `*`): any host (a warning at
    /// start).
    #[arg(long, value_name = "ADDR|CIDR[,…]", num_args = 0..=1, default_missing_value = "*")]
    pub(crate) allow_fxp: Option<String>,
    /// Passive and LSTN ports, e.g. 50000-50100.
    #[arg(long, value_name = "A-B")]
    pub(crate) pasv_range: Option<String>,
    /// Limit each data connection, bytes per second (suffixes K, M, G).
    #[arg(long, value_name = "BYTES_PER_S")]
    pub(crate) rate: Option<String>,
    /// Do not offer LSTN/SOCK (behave like a plain FXP-capable server).
    #[arg(long)]
    pub(crate) no_lstn: bool,
    /// Sessions one client address (IPv6: one /64) may have at once.
    #[arg(long, default_value_t = 16)]
    pub(crate) max_per_ip: usize,
    /// Sessions at once, from all clients.
    #[arg(long, default_value_t = 256)]
    pub(crate) max_sessions: usize,
    /// Seconds a logged-in client may stay without a command (NOOP alone
    /// does not keep it).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub(crate) idle_timeout: u64,
    /// Seconds a client has to log in after connecting.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub(crate) login_timeout: u64,
    /// Failed logins from one address (IPv6: one /64) within 10 minutes
    /// that get it refused for 15 minutes; 0: never.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) ban_after: u32,
    /// Stop uploads when the file system's free space falls under this
    /// share of its size.
    #[arg(long, value_name = "PERCENT", default_value_t = 1.0)]
    pub(crate) min_free: f64,
    /// Offer FTPS (AUTH TLS, RFC 4217) with this certificate chain (PEM,
    /// leaf first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Offer FTPS with a certificate made at start; its fingerprint is
    /// printed for clients to pin.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    pub(crate) tls_self_signed: bool,
    /// Whether clients must use TLS: `required` refuses a login before
    /// AUTH TLS and transfers without PROT P (default: optional).
    #[arg(
        long,
        value_name = "required|optional",
        value_parser = ["required", "optional"],
        num_args = 0..=1,
        default_missing_value = "optional"
    )]
    pub(crate) tls: Option<String>,
    /// TLS data connections must resume a TLS session this server gave a
    /// control connection from the same client address (like vsftpd's
    /// require_ssl_reuse).
    #[arg(long)]
    pub(crate) require_tls_reuse: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ViaArg {
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
pub(crate) enum VerifyArg {
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
pub(crate) enum AnonymousArg {
    None,
    Read,
    Write,
}
