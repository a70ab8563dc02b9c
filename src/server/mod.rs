//! `fxpc serve`: a small, strict FTP server. It is the reference
//! implementation of the RFC 438 `LSTN`/`SOCK` profile
//! (`shared/docs/rfc438-over-tcp.md`), the demo's two sites, and a peer for
//! tests. It shares only reply, command and address parsing with the client.
//!
//! `session/` holds one control connection (`mod.rs`: the loop, login,
//! data connections, transfers; `files.rs`: the file and listing
//! commands); `data.rs` how data connections are made and who may make
//! them; `transfer.rs` moves the bytes; `upload.rs` is where uploads
//! write (a hidden name, renamed over the target once whole); `vfs.rs` is
//! the jail, enforced by the kernel; `listing.rs` streams LIST/MLSD;
//! `guard.rs` limits sessions per client, prices failed logins and bans
//! guessers; `net.rs` is the trusted networks and the IPv6 /64 that
//! limits count by; `throttle.rs` paces `--rate`;
//! `tls.rs` is FTPS (RFC 4217): the certificate, the configuration one
//! server's sessions share, and which side of a data connection's
//! handshake we take (`SSCN`, `CPSV`).

mod data;
mod guard;
mod listing;
mod net;
mod session;
mod throttle;
mod tls;
mod transfer;
mod upload;
mod vfs;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::ftp::reply::Reply;
use crate::ftp::secret::Secret;

pub use data::PEER_RULES;
pub use net::Cidr;
pub use tls::{TlsConfig, TlsPolicy};
pub use vfs::Jail;

/// What anonymous users (`anonymous`, `ftp`) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anonymous {
    Read,
    Write,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) root: PathBuf,
    pub(crate) listen: SocketAddr,
    pub users: Vec<(String, Secret)>,
    /// `None`: anonymous login refused.
    pub anonymous: Option<Anonymous>,
    /// Allow data connections with any host, not only the client (FXP):
    /// a bare `--allow-fxp`.
    pub allow_fxp: bool,
    /// Hosts and networks that may be the other end of a data connection
    /// besides the client: `--allow-fxp ADDR|CIDR[,…]`.
    pub trusted_peers: Arc<[net::Cidr]>,
    /// Passive (and LSTN) ports, inclusive.
    pub pasv_range: Option<(u16, u16)>,
    /// Bytes per second per data connection.
    pub rate: Option<u64>,
    /// Speak the RFC 438 profile (LSTN/SOCK, advertised in FEAT).
    pub lstn: bool,
    pub idle_timeout: Duration,
    /// How long a listening data socket waits for its peer (profile: 30 s).
    pub data_accept_timeout: Duration,
    /// How long a data connection may stall.
    pub(crate) data_idle_timeout: Duration,
    pub max_sessions: usize,
    /// Sessions one client address may have at once.
    pub max_per_ip: usize,
    /// How long a client may take to log in after connecting.
    pub login_timeout: Duration,
    /// How long a reply may take to be written: a client that stops
    /// reading is disconnected after this, not kept for ever.
    pub write_timeout: Duration,
    /// What a failed login costs before its answer; doubled for every
    /// recent failure from the same address.
    pub failed_login_delay: Duration,
    /// Failed logins from one address (IPv6: one /64) within
    /// `ban_window` that get it refused (`421`) for `ban_time`; 0: never.
    pub ban_after: u32,
    pub ban_window: Duration,
    pub ban_time: Duration,
    /// Uploads stop (`452`) when the file system's free space falls
    /// under this share of its size, in percent.
    pub min_free_percent: f64,
    /// FTPS: `AUTH TLS`, `PROT P`, `SSCN`, `CPSV`. `None`: plain FTP only.
    pub tls: Option<TlsConfig>,
}

impl Config {
    pub fn new(root: impl Into<PathBuf>, listen: SocketAddr) -> Config {
        Config {
            root: root.into(),
            listen,
            users: Vec::new(),
            anonymous: Some(Anonymous::Read),
            allow_fxp: false,
            trusted_peers: Arc::new([]),
            pasv_range: None,
            rate: None,
            lstn: true,
            idle_timeout: Duration::from_secs(300),
            data_accept_timeout: Duration::from_secs(30),
            data_idle_timeout: Duration::from_secs(300),
            max_sessions: 256,
            max_per_ip: 16,
            login_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            failed_login_delay: Duration::from_secs(1),
            ban_after: 10,
            ban_window: Duration::from_secs(600),
            ban_time: Duration::from_secs(15 * 60),
            min_free_percent: 1.0,
            tls: None,
        }
    }
}

pub struct Server {
    listener: TcpListener,
    config: Arc<Config>,
    jail: Arc<Jail>,
    /// One per server: data connections resume sessions its control
    /// connections were given.
    tls: Option<Arc<tls::Tls>>,
}

impl Server {
    pub async fn bind(config: Config) -> std::io::Result<Server> {
        let jail = Arc::new(Jail::new(&config.root)?);
        let tls = match &config.tls {
            Some(t) => Some(Arc::new(tls::Tls::prepare(t)?)),
            None => None,
        };
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Server {
            listener,
            config: Arc::new(config),
            jail,
            tls,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves; then every session is told `421`
    /// and closed.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let slots = Arc::new(Semaphore::new(self.config.max_sessions));
        let guard = guard::Guard::new(
            self.config.max_per_ip,
            self.config.failed_login_delay,
            guard::BanRule {
                after: self.config.ban_after,
                window: self.config.ban_window,
                time: self.config.ban_time,
            },
        );
        let mut sessions = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // EMFILE and friends: wait a moment instead of spinning.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                // Said in the log: an operator sizing the limits needs to
                // know who met them.
                tracing::warn!(%peer, "refused a session: too many sessions at once");
                refuse(stream, "Too many connections, try again later.");
                continue;
            };
            let admission = match guard.admit(peer.ip()) {
                Ok(a) => a,
                Err(guard::Refused::TooMany) => {
                    tracing::warn!(%peer, "refused a session: too many sessions from its address");
                    refuse(stream, "Too many connections from your address.");
                    continue;
                }
                Err(guard::Refused::Banned) => {
                    refuse(stream, guard::BANNED);
                    continue;
                }
            };
            tracing::info!("session from {peer}");
            let session = session::Session::new(
                stream,
                self.config.clone(),
                self.jail.clone(),
                self.tls.clone(),
                guard.clone(),
                stop_rx.clone(),
            );
            sessions.spawn(async move {
                let _permit = permit;
                let _admission = admission;
                match session {
                    Ok(s) => {
                        if let Err(e) = s.run().await {
                            tracing::debug!("session from {peer} ended: {e}");
                        }
                    }
                    Err(e) => tracing::debug!("session from {peer} failed to start: {e}"),
                }
            });
            // Reap finished sessions so the set does not grow forever.
            while sessions.try_join_next().is_some() {}
        }
        let _ = stop_tx.send(true);
        let drain = async { while sessions.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(5), drain)
            .await
            .is_err()
        {
            sessions.abort_all();
        }
        Ok(())
    }
}

/// Tells a client it cannot have a session, without waiting on it: a
/// client that does not read must not hold up the accept loop.
fn refuse(mut stream: tokio::net::TcpStream, why: &str) {
    let busy = Reply::new(421, why);
    tokio::spawn(async move {
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::io::AsyncWriteExt::write_all(&mut stream, &busy.encode()),
        )
        .await;
    });
}

/// A server running in the background of the current runtime; dropping the
/// handle stops it. For the demo and for tests.
pub struct Handle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Handle {
    pub async fn spawn(config: Config) -> std::io::Result<Handle> {
        let server = Server::bind(config).await?;
        let addr = server.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Ok(Handle {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits until every session has closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
