//! How the next data connection is made: PASV/EPSV (we listen), PORT/EPRT
//! (we connect), and the RFC 438 profile's LSTN (we listen, optionally pinned
//! to one peer by SOCK) and SOCK without LSTN (we connect, from a socket
//! bound in advance). One negotiation serves one transfer.

use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::net::Cidr;
use crate::ftp::reply::Reply;

/// Who may be on the other end of a data connection, command by command;
/// `fxpc serve --help` and the README say the same.
pub const PEER_RULES: &str = "\
Who may be on the other end of a data connection:
  PORT, EPRT   connect to the client's own address; to another host only
               if --allow-fxp names it (or is given bare); never to a port
               below 1024
  PASV, EPSV   accept one connection, from the client's own address or a
               host --allow-fxp names (any host with a bare --allow-fxp);
               then the port closes
  LSTN         like PASV, until SOCK names the one peer to accept; a
               stranger is closed unused and the socket keeps waiting
  SOCK         after LSTN: accept only the host (and port, unless 0) it
               names, whatever --allow-fxp says: the client chose it;
               without LSTN: connect there, as PORT does, under PORT's rule";

/// Which way data will flow, from the server's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `LSTN S`: RETR, LIST, NLST, MLSD.
    Send,
    /// `LSTN R`: STOR, APPE, STOU.
    Receive,
}

/// Who may be the other end of a data connection, unless SOCK names it.
#[derive(Debug, Clone)]
pub(crate) enum Peers {
    /// The control connection's peer address, and the networks
    /// `--allow-fxp` trusts.
    Client(IpAddr, Arc<[Cidr]>),
    /// A bare `--allow-fxp`: any host.
    Any,
}

impl Peers {
    pub(crate) fn admits(&self, ip: IpAddr) -> bool {
        match self {
            Peers::Client(c, trusted) => {
                same_host(*c, ip) || trusted.iter().any(|n| n.contains(ip))
            }
            Peers::Any => true,
        }
    }
}

#[derive(Default)]
pub(crate) enum DataSetup {
    #[default]
    None,
    /// PASV/EPSV: a foreign peer is turned away at once with 425, as
    /// vsftpd and pyftpdlib do, so the other side learns quickly.
    /// `tls_client`: CPSV, we take the client's side of the TLS handshake.
    Passive {
        listener: TcpListener,
        peers: Peers,
        tls_client: bool,
    },
    /// PORT/EPRT or SOCK "connect there": the socket is bound when the
    /// command is answered, so the address SOCK names is the one we use.
    Active {
        target: SocketAddr,
        socket: TcpSocket,
    },
    /// LSTN, waiting for SOCK to pin a peer or for the transfer command.
    Listen {
        listener: TcpListener,
        direction: Direction,
        pin: Option<SocketAddr>,
        peers: Peers,
    },
}

impl DataSetup {
    /// Makes the data connection. Errors are the reply to send instead.
    pub(crate) async fn establish(
        self,
        direction: Direction,
        accept_timeout: Duration,
    ) -> Result<TcpStream, Reply> {
        match self {
            DataSetup::None => Err(Reply::new(
                425,
                "Use PORT, EPRT, PASV, EPSV, LSTN or SOCK first.",
            )),
            DataSetup::Passive {
                listener, peers, ..
            } => {
                let (stream, from) = accept_within(&listener, accept_timeout).await?;
                if peers.admits(from.ip()) {
                    Ok(stream)
                } else {
                    tracing::warn!("rejected passive data connection from foreign address {from}");
                    Err(Reply::new(
                        425,
                        format!(
                            "Rejected data connection from foreign address {}.",
                            from.ip()
                        ),
                    ))
                }
            }
            DataSetup::Active { target, socket } => {
                match tokio::time::timeout(Duration::from_secs(10), socket.connect(target)).await {
                    Ok(Ok(stream)) => Ok(stream),
                    Ok(Err(e)) => Err(cannot_open(e)),
                    Err(_) => Err(Reply::new(
                        425,
                        format!("Can't open data connection to {target}: timed out."),
                    )),
                }
            }
            DataSetup::Listen {
                listener,
                direction: wanted,
                pin,
                peers,
            } => {
                if wanted != direction {
                    return Err(Reply::new(
                        503,
                        "Bad sequence of commands: LSTN was for the other direction.",
                    ));
                }
                let deadline = tokio::time::Instant::now() + accept_timeout;
                loop {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    let (stream, from) = accept_within(&listener, left).await.map_err(|_| {
                        let who = pin.map_or_else(|| "the client".to_string(), |p| p.to_string());
                        Reply::new(
                            425,
                            format!(
                                "No data connection from {who} within {}s.",
                                accept_timeout.as_secs()
                            ),
                        )
                    })?;
                    let allowed = match pin {
                        Some(p) => {
                            same_host(p.ip(), from.ip())
                                && (p.port() == 0 || p.port() == from.port())
                        }
                        None => peers.admits(from.ip()),
                    };
                    if allowed {
                        return Ok(stream);
                    }
                    // RFC 438 profile: a stranger is closed unused and the
                    // socket keeps waiting for the pinned peer.
                    tracing::warn!(
                        "LSTN socket: closed a connection from {from}, not the expected peer"
                    );
                    drop(stream);
                }
            }
        }
    }
}

/// IPv4 and IPv4-mapped IPv6 spellings of one host compare equal.
pub(crate) fn same_host(a: IpAddr, b: IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

async fn accept_within(
    listener: &TcpListener,
    timeout: Duration,
) -> Result<(TcpStream, SocketAddr), Reply> {
    match tokio::time::timeout(timeout, listener.accept()).await {
        Ok(Ok(pair)) => Ok(pair),
        Ok(Err(e)) => Err(cannot_open(e)),
        Err(_) => Err(Reply::new(
            425,
            format!("No data connection within {}s.", timeout.as_secs()),
        )),
    }
}

fn cannot_open(e: std::io::Error) -> Reply {
    Reply::new(425, format!("Can't open data connection: {e}."))
}

pub(crate) fn new_socket(like: SocketAddr) -> std::io::Result<TcpSocket> {
    let socket = if like.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    Ok(socket)
}

/// A listening socket on our own address, inside `range` when one is set.
pub(crate) async fn listen(ip: IpAddr, range: Option<(u16, u16)>) -> std::io::Result<TcpListener> {
    let Some((low, high)) = range else {
        return TcpListener::bind(SocketAddr::new(ip, 0)).await;
    };
    let span = u32::from(high - low) + 1;
    // A random start: a port nobody can guess is one nobody can be
    // waiting on (RFC 2577's port stealing), and two sessions do not race
    // for the same one.
    let offset =
        (std::collections::hash_map::RandomState::new().hash_one(ip) % u64::from(span)) as u32;
    for i in 0..span {
        let port = low + ((offset + i) % span) as u16;
        if let Ok(l) = TcpListener::bind(SocketAddr::new(ip, port)).await {
            return Ok(l);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!("every port in {low}-{high} is in use"),
    ))
}

/// Checks a PORT/EPRT/SOCK target against the profile's policy. `Err` is
/// the refusal to send.
pub(crate) fn check_target(target: SocketAddr, client: IpAddr, peers: &Peers) -> Result<(), Reply> {
    if target.port() < 1024 {
        return Err(Reply::new(
            504,
            format!(
                "Refusing to connect to privileged port {} on {}.",
                target.port(),
                target.ip()
            ),
        ));
    }
    if !peers.admits(target.ip()) {
        return Err(Reply::new(
            504,
            format!(
                "Refusing to connect to foreign address {} (only to {client}); the server must trust it: --allow-fxp ADDR.",
                target.ip()
            ),
        ));
    }
    Ok(())
}
