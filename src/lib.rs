//! fxpc — FXP Commander: a two-pane terminal file manager whose copies between
//! two FTP sites make the *servers* exchange the data directly, by RFC 438's
//! `LSTN`/`SOCK` or its modern spelling FXP (`PASV` on one, `PORT` on the
//! other).
//!
//! # Layout
//!
//! - [`ftp`] — the protocol client. `reply.rs` parses replies (with an explicit
//!   "incomplete"), `command.rs` encodes commands and refuses CR/LF in
//!   arguments, `control.rs` is the buffered control connection (upgraded
//!   in place by `AUTH TLS`), `stream.rs` plain and TLS streams behind one
//!   type, `tls.rs` FTPS settings and certificate checks (roots, CA file,
//!   pinned fingerprints), `client/` the logged-in session (`mod.rs`: login,
//!   FEAT, file operations; `secure.rs`: AUTH TLS, PROT, SSCN, PRET;
//!   `data.rs`: data connections and listings; `times.rs`: setting a
//!   file's time), `addr.rs` the PORT/EPRT/PASV/EPSV address forms,
//!   `listing/` the listing parsers, one file per family (MLSD; LIST as
//!   Unix, DOS, EPLF, VMS, OS/2, NetWare, AS/400, Connect:Enterprise,
//!   OS-9, VxWorks, name-first DOS (WFTPD), and, when the server type
//!   says so, MVS data sets and PDS members, z/VM, HP NonStop; tests
//!   only for NetPresenz and VShell, which are `ls`-like), `stream.rs`
//!   the reader that takes a listing line by line within its limits, and `style.rs`
//!   the server type (SYST, a heading, the site's `listing`), `url.rs` ftp:// URLs
//!   and `~/.netrc`, `hash.rs` the digests servers compute (`HASH`,
//!   `XSHA256` …) and the same computed locally. Errors are typed
//!   ([`ftp::FtpError`]) and carry the command sent and the server's reply.
//! - [`server`] — `fxpc serve`, our own FTP server: the reference
//!   implementation of the LSTN/SOCK profile, the demo's sites and a test
//!   peer. It shares only reply, command and address parsing (and the
//!   digest algorithms' names) with [`ftp`].
//!
//! - [`transfer`] — the engine: jobs (copy, append, move; files and trees)
//!   behind a queue with per-site connection pools, reported as events on
//!   a channel; knows no UI. Its folders follow a job: `engine.rs` takes
//!   it, `tree/` walks and compares directories (and `fxpc mirror`'s
//!   plan), `queue/` holds what waits (the line, the SQLite journal a
//!   later run resumes), `job/` runs one file (open, a pure `plan.rs`
//!   tested by tables, attempts, verification by size — a tree's asked per
//!   directory together (`batch.rs`) — or digest,
//!   finish), `ways/` is how bytes travel (LSTN/SOCK and FXP between
//!   servers, the relay through the client, progress), `sessions/` the
//!   ends (sites, pools, a job's two sessions, FTP or local disk behind
//!   one type), `local/` the local disk (listings, opens beneath the
//!   copy's root without following a link, a download's part file until
//!   it verified). `error.rs` is the one engine error (which end said
//!   what). A new way of copying goes in `ways/`, a new verification in
//!   `job/verify.rs`, a new conflict policy in `job/plan.rs`.
//! - [`ui`] — the two-pane terminal UI: plain-data state, a pure
//!   `update(state, action) -> effects`, `render(&state)`, keymap, layout
//!   shared by drawing and mouse hit-testing, and the event loop that runs
//!   effects as tasks. Never awaits the network in the loop. `format.rs`
//!   is the screen's own text (names cut to a display width, gauges,
//!   previews); `side.rs` the pane names every part of the UI uses.
//! - [`sites`] — saved sites (`config.toml`, 0600) and `credentials.rs`, the
//!   one order in which a password is looked for, used by the command line
//!   and the UI alike; `import.rs` reads FileZilla's, lftp's and netrc's
//!   sites.
//! - [`text`] — words for people, whoever prints them: sizes, rates and
//!   durations in human units, and `printable`, the one door through which
//!   a server's string reaches a terminal or a log. Belongs to no UI: the
//!   engine, the command line and the TUI all use it.
//! - [`demo`] — `fxpc demo`'s two seeded, rate-limited servers.
//!
//! The binary (`main.rs`, `cli/`) holds the command line and the wiring; it
//! is the only place that uses `anyhow`. `main.rs` dispatches; in `cli/`,
//! `args.rs` holds the arguments, `operands.rs` what a URL or a path
//! becomes (and one pool for two operands on the same login), one file per
//! larger subcommand (`cp`, `mirror`, `queue`, `serve`), `run.rs` the loop
//! that follows the engine's events until it is idle, `view.rs` what the
//! copying subcommands print.

// `unreachable_pub`: what no other crate (the binary, tests/, benches/, fuzz/)
// can reach says `pub(crate)`, so the dead-code lint sees it once nobody
// calls it. `transfer/` gets it when its restructuring lands.
#[warn(unreachable_pub)]
pub mod demo;
#[warn(unreachable_pub)]
pub mod ftp;
#[warn(unreachable_pub)]
pub mod server;
#[warn(unreachable_pub)]
pub mod sites;
#[warn(unreachable_pub)]
pub mod text;
pub mod transfer;
#[warn(unreachable_pub)]
pub mod ui;
