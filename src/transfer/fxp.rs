//! Making two servers exchange one file: the RFC 438 profile (`LSTN`/`SOCK`)
//! or FXP (`PASV`/`EPSV` on one, `PORT`/`EPRT` on the other), with the
//! choreography real servers need (rfc438-over-tcp.md, "The RSEXEC APPEND").

use std::net::SocketAddr;
use std::time::Duration;

use super::progress::Watch;
use super::refusal::Refused;
use crate::ftp::{Client, FtpError, Reply, addr};

/// How long the receiving side may take to say `1xx` when it is the one
/// that connects (pyftpdlib drops data that arrives before it did).
const RECEIVER_READY: Duration = Duration::from_secs(10);
/// How long an `ABOR` of the other side may take.
const ABORT_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Lstn,
    /// Destination passive, source connects.
    FxpDestinationPassive,
    /// Source passive, destination connects.
    FxpSourcePassive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Destination,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Source => "source",
            Side::Destination => "destination",
        }
    }
}

/// What one attempt needs to know.
pub struct Plan<'a> {
    pub source_path: &'a [u8],
    pub destination_path: &'a [u8],
    /// `APPE` instead of `STOR`.
    pub append: bool,
    /// `REST` on the source: where in the source file to start.
    pub source_offset: u64,
    /// `REST` on the destination too (resuming a `STOR`).
    pub destination_offset: u64,
    /// Give up when nothing has moved for this long.
    pub stall_timeout: Duration,
}

#[derive(Debug)]
pub enum AttemptError {
    /// The servers would not connect to each other this way: try another.
    Refused {
        side: Side,
        refused: Refused,
        command: String,
        reply: Reply,
    },
    /// The transfer itself failed (a missing file, a broken connection …).
    Failed {
        reason: String,
        replies: Vec<String>,
        transient: bool,
    },
}

impl AttemptError {
    fn failed(side: Side, e: &FtpError) -> AttemptError {
        AttemptError::Failed {
            reason: format!("{}: {e}", side.name()),
            replies: e
                .reply()
                .map(|r| vec![format!("{}: {r}", side.name())])
                .unwrap_or_default(),
            transient: e.is_transient(),
        }
    }
}

/// Runs one server-to-server transfer. On any error the caller should
/// discard both sessions: their state is unknown.
pub async fn run(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
) -> Result<(), AttemptError> {
    let done_at_start = watch.done();
    // The destination's pinning `SOCK`, when it goes out pipelined with the
    // transfer command (its 255 is then read before the transfer's replies).
    let mut pin: Option<String> = None;
    match dialect {
        Dialect::Lstn => {
            let y = negotiate_lstn(source, destination).await?;
            let pin_command = format!("SOCK {y}");
            if plan.destination_offset > 0 {
                // REST reads its own reply: the pin must be answered first.
                sock_exchange(destination, Side::Destination, &pin_command).await?;
            } else {
                destination
                    .send_command(&pin_command)
                    .await
                    .map_err(|e| AttemptError::failed(Side::Destination, &e))?;
                pin = Some(pin_command);
            }
        }
        Dialect::FxpDestinationPassive => {
            negotiate_fxp(destination, Side::Destination, source, Side::Source).await?
        }
        Dialect::FxpSourcePassive => {
            negotiate_fxp(source, Side::Source, destination, Side::Destination).await?
        }
    }
    let receiver_connects = dialect == Dialect::FxpSourcePassive;

    // The receiving side first.
    let mut append = plan.append;
    if plan.destination_offset > 0 {
        match destination.rest(plan.destination_offset).await {
            Ok(()) => {}
            // A server that will not REST before STOR can still append.
            Err(FtpError::Reply { .. }) => append = true,
            Err(e) => return Err(AttemptError::failed(Side::Destination, &e)),
        }
    }
    let store_verb = if append { "APPE" } else { "STOR" };
    destination
        .send_with(store_verb, plan.destination_path)
        .await
        .map_err(|e| AttemptError::failed(Side::Destination, &e))?;
    // A reply before the sender starts: the receiver's 1xx when it is the
    // one that connects, or an early, unprompted answer (pyftpdlib's 425).
    let early = if receiver_connects {
        Some(Refused::Connect)
    } else if pin.is_none() && destination.has_buffered_reply() {
        Some(Refused::Accept)
    } else {
        None
    };
    if let Some(refused) = early {
        let reply = destination
            .read_reply_within(RECEIVER_READY)
            .await
            .map_err(|e| AttemptError::failed(Side::Destination, &e))?;
        if !reply.is_preliminary() {
            return Err(classify(Side::Destination, store_verb, reply, refused));
        }
    }

    if plan.source_offset > 0
        && let Err(e) = source.rest(plan.source_offset).await
    {
        abort(destination).await;
        return Err(AttemptError::failed(Side::Source, &e));
    }
    let first = match source.command_with("RETR", plan.source_path).await {
        Ok(r) => r,
        Err(e) => {
            abort(destination).await;
            return Err(AttemptError::failed(Side::Source, &e));
        }
    };
    if !first.is_preliminary() {
        abort(destination).await;
        let refused = if dialect == Dialect::FxpSourcePassive {
            Refused::Accept
        } else {
            Refused::Connect
        };
        return Err(classify(Side::Source, "RETR", first, refused));
    }

    // Both final replies, concurrently; whichever fails first aborts the other.
    let outcome = {
        let src = final_reply(source, watch, plan.stall_timeout);
        let dst = async {
            // The pipelined pin answers first. Our server handles it before
            // the STOR behind it, so the listening socket is pinned before
            // it accepts: pipelining loses none of the profile's safety.
            if let Some(command) = &pin {
                let reply = destination.read_reply().await?;
                if reply.code != 255 {
                    // Reported as the destination refusing the data
                    // connection, so the next dialect is tried.
                    return Ok(Reply::new(425, format!("{command} refused: {reply}")));
                }
            }
            final_reply(destination, watch, plan.stall_timeout).await
        };
        tokio::pin!(src, dst);
        tokio::select! {
            s = &mut src => match s {
                Ok(ref r) if r.is_completion() => Both(s, dst.await),
                _ => SourceFirst(s),
            },
            d = &mut dst => match d {
                Ok(ref r) if r.is_completion() => Both(src.await, d),
                _ => DestinationFirst(d),
            },
        }
    };
    let (src_result, dst_result) = match outcome {
        Both(s, d) => (s, d),
        SourceFirst(s) => {
            abort(destination).await;
            (
                s,
                Err(FtpError::Closed {
                    after: Some("ABOR".into()),
                }),
            )
        }
        DestinationFirst(d) => {
            abort(source).await;
            (
                Err(FtpError::Closed {
                    after: Some("ABOR".into()),
                }),
                d,
            )
        }
    };
    match (src_result, dst_result) {
        (Ok(s), Ok(d)) if s.is_completion() && d.is_completion() => Ok(()),
        (src_result, dst_result) => {
            // Nothing arrived and a side said it could not make or accept
            // the data connection: a refusal, so another dialect may work.
            let nothing_moved = watch.done() == done_at_start;
            let dst_listens = dialect != Dialect::FxpSourcePassive;
            if nothing_moved {
                // A 426 means the data connection was made and then closed
                // by the other end: that end gave up on it (as libunftp does
                // with any foreign host, whether it listened or connected),
                // not the side that reports the 426.
                for (result, side) in [
                    (&dst_result, Side::Destination),
                    (&src_result, Side::Source),
                ] {
                    if let Ok(r) = result
                        && r.code == 426
                    {
                        let peer = if side == Side::Destination {
                            Side::Source
                        } else {
                            Side::Destination
                        };
                        let peer_listened = (peer == Side::Destination) == dst_listens;
                        return Err(AttemptError::Refused {
                            side: peer,
                            refused: if peer_listened {
                                Refused::Accept
                            } else {
                                Refused::Connect
                            },
                            command: format!(
                                "the data connection (the {} answered {r})",
                                side.name()
                            ),
                            reply: Reply::new(425, "it dropped the data connection"),
                        });
                    }
                }
                if let Ok(d) = &dst_result
                    && d.code == 425
                {
                    let refused = if dst_listens {
                        Refused::Accept
                    } else {
                        Refused::Connect
                    };
                    return Err(classify(Side::Destination, store_verb, d.clone(), refused));
                }
                if let Ok(s) = &src_result
                    && s.code == 425
                {
                    let refused = if dst_listens {
                        Refused::Connect
                    } else {
                        Refused::Accept
                    };
                    return Err(classify(Side::Source, "RETR", s.clone(), refused));
                }
                if let Err(FtpError::Timeout { .. }) = &dst_result {
                    // Pure-FTPd closes a foreign peer silently and keeps
                    // waiting: only the silence tells.
                    return Err(AttemptError::Refused {
                        side: Side::Destination,
                        refused: Refused::Accept,
                        command: store_verb.into(),
                        reply: Reply::new(425, "no data connection was made (timed out)"),
                    });
                }
                if let Err(FtpError::Timeout { .. }) = &src_result {
                    // The same silence on the sending side. libunftp closes
                    // any data connection whose peer is not the control
                    // connection's host, yet answers RETR with 150 and then
                    // waits forever (its data task never started); the
                    // other server may even report 226 for 0 bytes.
                    // Retrying the same dialect cannot help: try the next.
                    return Err(AttemptError::Refused {
                        side: Side::Source,
                        refused: if dst_listens {
                            Refused::Connect
                        } else {
                            Refused::Accept
                        },
                        command: "RETR".into(),
                        reply: Reply::new(425, "no data was sent (timed out)"),
                    });
                }
            }
            let mut replies = Vec::new();
            let mut reasons = Vec::new();
            let mut transient = false;
            for (side, result) in [
                (Side::Source, &src_result),
                (Side::Destination, &dst_result),
            ] {
                match result {
                    Ok(r) if r.is_completion() => {}
                    Ok(r) => {
                        transient |= r.is_transient_failure();
                        reasons.push(format!("{} answered {r}", side.name()));
                        replies.push(format!("{}: {r}", side.name()));
                    }
                    Err(e) => {
                        transient |= e.is_transient();
                        reasons.push(format!("{}: {e}", side.name()));
                    }
                }
            }
            Err(AttemptError::Failed {
                reason: reasons.join("; "),
                replies,
                transient,
            })
        }
    }
}

enum Finals {
    Both(Result<Reply, FtpError>, Result<Reply, FtpError>),
    SourceFirst(Result<Reply, FtpError>),
    DestinationFirst(Result<Reply, FtpError>),
}
use Finals::{Both, DestinationFirst, SourceFirst};

fn classify(side: Side, command: &str, reply: Reply, refused: Refused) -> AttemptError {
    if matches!(reply.code, 425 | 426)
        || (reply.is_permanent_failure() && refused == Refused::Negotiate)
    {
        AttemptError::Refused {
            side,
            refused,
            command: command.into(),
            reply,
        }
    } else {
        AttemptError::Failed {
            reason: format!("{} answered {command} with {reply}", side.name()),
            replies: vec![format!("{}: {reply}", side.name())],
            transient: reply.is_transient_failure(),
        }
    }
}

/// The transfer's final reply. It may take as long as the file takes, so
/// the limit is on silence: no byte arriving at the destination for
/// `stall` (measured by the size poller) ends the wait.
async fn final_reply(
    client: &mut Client,
    watch: &Watch,
    stall: Duration,
) -> Result<Reply, FtpError> {
    loop {
        match client.read_reply_within(Duration::from_millis(500)).await {
            Ok(r) if r.is_preliminary() => continue,
            Ok(r) => return Ok(r),
            Err(FtpError::Timeout { .. }) if watch.stalled_for() < watch.stall_limit(stall) => {
                continue;
            }
            Err(FtpError::Timeout { .. }) => {
                return Err(FtpError::Timeout {
                    waiting_for: "for the transfer to make progress".into(),
                    timeout: watch.stall_limit(stall),
                });
            }
            Err(e) => return Err(e),
        }
    }
}

/// Best effort: the session is discarded afterwards anyway.
async fn abort(client: &mut Client) {
    let _ = tokio::time::timeout(ABORT_WAIT, client.abort()).await;
}

/// `LSTN R` to the destination and `SOCK` with its address to the source;
/// returns the source's socket, which the caller pins on the destination.
async fn negotiate_lstn(
    source: &mut Client,
    destination: &mut Client,
) -> Result<String, AttemptError> {
    let x = sock_exchange(destination, Side::Destination, "LSTN R").await?;
    sock_exchange(source, Side::Source, &format!("SOCK {x}")).await
}

/// Sends a command that must answer `255 SOCK <addr>`; returns the address
/// text as the server wrote it.
async fn sock_exchange(
    client: &mut Client,
    side: Side,
    command: &str,
) -> Result<String, AttemptError> {
    let reply = client
        .command(command)
        .await
        .map_err(|e| AttemptError::failed(side, &e))?;
    let text = reply.message();
    match text.strip_prefix("SOCK ").map(str::trim) {
        Some(a) if reply.code == 255 && addr::parse_any(a).is_some() => Ok(a.to_string()),
        _ => Err(AttemptError::Refused {
            side,
            refused: if command.starts_with("SOCK") && side == Side::Source {
                Refused::Connect
            } else {
                Refused::Negotiate
            },
            command: command.into(),
            reply,
        }),
    }
}

/// `PASV` (or `EPSV`) on one side, `PORT` (or `EPRT`) with that address on
/// the other.
async fn negotiate_fxp(
    passive: &mut Client,
    passive_side: Side,
    active: &mut Client,
    active_side: Side,
) -> Result<(), AttemptError> {
    let target = passive_address(passive, passive_side).await?;
    let command = match target {
        SocketAddr::V4(v4) => format!("PORT {}", addr::format_rfc959(v4)),
        SocketAddr::V6(_) => format!("EPRT {}", addr::format_rfc2428(target)),
    };
    let reply = active
        .command(&command)
        .await
        .map_err(|e| AttemptError::failed(active_side, &e))?;
    if reply.code == 200 {
        return Ok(());
    }
    // libunftp knows no EPRT; an IPv4 peer can still be named with PORT.
    Err(AttemptError::Refused {
        side: active_side,
        refused: Refused::Connect,
        command,
        reply,
    })
}

/// Where the passive side listens. `PASV` for IPv4 (with an unroutable
/// address replaced by the control peer's); `EPSV` for IPv6 or when `PASV`
/// is refused, with the host taken from the control connection's peer.
async fn passive_address(passive: &mut Client, side: Side) -> Result<SocketAddr, AttemptError> {
    let peer = passive.peer_addr();
    if peer.is_ipv4() {
        let reply = passive
            .command("PASV")
            .await
            .map_err(|e| AttemptError::failed(side, &e))?;
        if reply.code == 227 {
            return match addr::parse_pasv_reply(&reply.text()) {
                Some(a) => Ok(passive.fix_passive_address(SocketAddr::V4(a))),
                None => Err(AttemptError::Failed {
                    reason: format!("{}: cannot read the address in {reply}", side.name()),
                    replies: vec![format!("{}: {reply}", side.name())],
                    transient: false,
                }),
            };
        }
        if !passive.features().epsv {
            return Err(AttemptError::Refused {
                side,
                refused: Refused::Negotiate,
                command: "PASV".into(),
                reply,
            });
        }
    }
    let reply = passive
        .command("EPSV")
        .await
        .map_err(|e| AttemptError::failed(side, &e))?;
    match (reply.code, addr::parse_epsv_reply(&reply.message())) {
        (229, Some(port)) => Ok(SocketAddr::new(peer.ip(), port)),
        _ => Err(AttemptError::Refused {
            side,
            refused: Refused::Negotiate,
            command: "EPSV".into(),
            reply,
        }),
    }
}
