//! Making two servers exchange one file: the RFC 438 profile (`LSTN`/`SOCK`)
//! or FXP (`PASV`/`EPSV` on one, `PORT`/`EPRT` on the other), with the
//! choreography real servers need (rfc438-over-tcp.md, "The RSEXEC APPEND").

use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;

use super::error::{End, Failure, no_space};
use super::progress::Watch;
use super::refusal::{self, Refused};
use crate::ftp::{Client, FtpError, Reply, addr};

/// How long the receiving side may take to say `1xx` when it is the one
/// that connects (pyftpdlib drops data that arrives before it did).
const RECEIVER_READY: Duration = Duration::from_secs(10);
/// How long an `ABOR` of the other side may take.
const ABORT_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Lstn,
    /// Destination passive, source connects.
    FxpDestinationPassive,
    /// Source passive, destination connects.
    FxpSourcePassive,
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
    /// How long the data connection may take to come up once both transfer
    /// commands went out. A passive side that drops a foreign peer without
    /// a word is only detected by this silence: it is a refusal of the
    /// dialect, not a reason to wait for the stall timeout.
    pub connect_timeout: Duration,
    /// Whether the source's (destination's) passive reply may name a host
    /// other than the one its control connection reaches (RFC 2577).
    pub source_may_redirect: bool,
    pub destination_may_redirect: bool,
    /// This dialect worked between these two servers before: commands that
    /// may be refused can go out without waiting for each answer.
    pub pipeline: bool,
    /// Both sites allow their data in the clear (`allow_clear_data`): when
    /// neither server can be a data connection's TLS client, `PROT C` on
    /// both (the control connections stay in TLS) rather than a relay.
    pub clear_data_allowed: bool,
}

/// How an attempt ended badly, before it is told to the engine: a refusal
/// keeps its parts until the server can be recognised from its greeting.
enum AttemptError {
    /// The servers would not connect to each other this way: try another.
    Refused {
        side: End,
        refused: Refused,
        command: String,
        reply: Reply,
        /// Both sessions answered everything they were asked: they can be
        /// used again (a refused `PORT` leaves a session as it was).
        clean: bool,
    },
    /// The transfer itself failed (a missing file, a broken connection …).
    Failed(Failure),
}

impl AttemptError {
    fn failed(side: End, e: &FtpError) -> AttemptError {
        AttemptError::Failed(Failure::ftp(side, e))
    }
}

/// How long the side that has not answered yet may take to give its own
/// final reply once the other failed: its words usually name the real cause
/// (a full disk) better than the broken connection the other side saw.
const LAST_WORD: Duration = Duration::from_secs(2);

/// Runs one server-to-server transfer. After a refusal with `clean` the
/// sessions may be used again; on any other error their state is unknown.
pub async fn run(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
) -> Result<Option<String>, Failure> {
    let tls = arrange_tls(dialect, source, destination, plan.clear_data_allowed).await?;
    match exchange(dialect, source, destination, plan, watch, tls.cpsv).await {
        Ok(()) => Ok(tls.description),
        Err(AttemptError::Failed(f)) => Err(f),
        Err(AttemptError::Refused {
            side,
            refused,
            command,
            reply,
            clean,
        }) => {
            let client: &Client = if side == End::Source {
                source
            } else {
                destination
            };
            Err(Failure::Refused {
                description: refusal::describe(
                    client.greeting(),
                    client.peer_addr(),
                    side,
                    refused,
                    &command,
                    &reply,
                ),
                clean,
            })
        }
    }
}

/// How a server-to-server copy's data connection is protected.
struct TlsPlan {
    /// The listening side is asked with `CPSV` (it is the TLS client).
    cpsv: bool,
    /// In words, for the verified event; `None` for plain FTP.
    description: Option<String>,
}

/// Servers whose data connections are in TLS (`PROT P`) can exchange data
/// only if one of them is the TLS client of that connection (`SSCN ON`):
/// most servers (vsftpd, Pure-FTPd, pyftpdlib) can only be its server, and
/// two TLS servers facing each other wait for a ClientHello until a
/// timeout. Decided from both `FEAT`s before anything starts; the side that
/// listens is asked first, as it receives the connection either way: with
/// `CPSV` where it offers it (one command for `SSCN ON` and `PASV`: `true`
/// is returned), else `SSCN ON`.
async fn arrange_tls(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    clear_data_allowed: bool,
) -> Result<TlsPlan, Failure> {
    let (source_tls, destination_tls) = (source.protection().1, destination.protection().1);
    if !source_tls && !destination_tls {
        return Ok(TlsPlan {
            cpsv: false,
            description: None,
        });
    }
    let refused = |description: String| Failure::Refused {
        description,
        clean: true,
    };
    if source_tls != destination_tls {
        let (tls, clear) = if source_tls {
            (&*source, &*destination)
        } else {
            (&*destination, &*source)
        };
        return Err(refused(format!(
            "{} keeps its data connections in TLS and {} in the clear: they cannot exchange data directly",
            tls.peer_addr(),
            clear.peer_addr()
        )));
    }
    let destination_listens = dialect != Dialect::FxpSourcePassive;
    let planned = |cpsv: bool, how: String| TlsPlan {
        cpsv,
        description: Some(how),
    };
    // The receiving side (the destination) as the TLS client first: a TLS
    // client that *sends* and closes without reading the peer's TLS 1.3
    // session tickets turns its close into a reset, and the receiving
    // server answers 426 (or 226 for a short file). The size check would
    // catch it; not provoking it is better. Then the source.
    let mut choice = None;
    for end in [End::Destination, End::Source] {
        let (client, listens) = match end {
            End::Destination => (&*destination, destination_listens),
            End::Source => (&*source, !destination_listens),
        };
        // LSTN has no CPSV form; a PASV can.
        if listens && dialect != Dialect::Lstn && client.features().cpsv {
            choice = Some((end, true));
            break;
        }
        if client.features().sscn {
            choice = Some((end, false));
            break;
        }
    }
    if let Some((client_end, cpsv)) = choice {
        let (client_side, server_side) = match client_end {
            End::Destination => (&mut *destination, &mut *source),
            End::Source => (&mut *source, &mut *destination),
        };
        let server_addr = server_side.peer_addr();
        if server_side.features().sscn {
            server_side
                .set_sscn(false)
                .await
                .map_err(|e| refused(format!("{server_addr}: {e}")))?;
        }
        let client_addr = client_side.peer_addr();
        // CPSV makes the listening side the client of that connection on
        // its own; an earlier SSCN ON must not linger for our transfers.
        client_side
            .set_sscn(!cpsv)
            .await
            .map_err(|e| refused(format!("{client_addr}: {e}")))?;
        let how = if cpsv { "CPSV" } else { "SSCN" };
        return Ok(planned(
            cpsv,
            format!("TLS; the {client_end} was the TLS client ({how})"),
        ));
    }
    if clear_data_allowed {
        // Both sites said their data may cross in the clear: it does, for
        // this copy only (our own transfers ask for PROT P again).
        for client in [&mut *source, &mut *destination] {
            let addr = client.peer_addr();
            client
                .set_data_protection(false)
                .await
                .map_err(|e| refused(format!("{addr}: {e}")))?;
        }
        return Ok(planned(
            false,
            "clear data (PROT C: both sites allow it), control in TLS".into(),
        ));
    }
    Err(refused(format!(
        "neither {} nor {} can be the TLS client of a data connection (neither offers SSCN or CPSV): \
         protected server-to-server copies need one that can (or allow_clear_data for both sites)",
        source.peer_addr(),
        destination.peer_addr()
    )))
}

async fn exchange(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
    cpsv: bool,
) -> Result<(), AttemptError> {
    // The destination's pinning `SOCK`, when it goes out pipelined with the
    // transfer command (its 255 is then read before the transfer's replies).
    let mut pin: Option<String> = None;
    let mut deferred_port: Option<String> = None;
    match dialect {
        Dialect::Lstn => {
            let y = negotiate_lstn(source, destination, plan.destination_may_redirect).await?;
            let pin_command = format!("SOCK {y}");
            if plan.destination_offset > 0 {
                // REST reads its own reply: the pin must be answered first.
                sock_exchange(destination, End::Destination, &pin_command).await?;
            } else {
                destination
                    .send_command(&pin_command)
                    .await
                    .map_err(|e| AttemptError::failed(End::Destination, &e))?;
                pin = Some(pin_command);
            }
        }
        // Known to work between these two: the source's PORT goes out
        // with its RETR in one write, a round trip less per file.
        Dialect::FxpDestinationPassive if plan.pipeline => {
            pret(destination, End::Destination, &store_line(plan)).await?;
            let target = passive_address(
                destination,
                End::Destination,
                plan.destination_may_redirect,
                cpsv,
            )
            .await?;
            deferred_port = Some(port_command(target));
        }
        Dialect::FxpDestinationPassive => {
            pret(destination, End::Destination, &store_line(plan)).await?;
            negotiate_fxp(
                destination,
                End::Destination,
                plan.destination_may_redirect,
                source,
                End::Source,
                cpsv,
            )
            .await?
        }
        Dialect::FxpSourcePassive => {
            let mut retr = b"RETR ".to_vec();
            retr.extend_from_slice(plan.source_path);
            pret(source, End::Source, &retr).await?;
            negotiate_fxp(
                source,
                End::Source,
                plan.source_may_redirect,
                destination,
                End::Destination,
                cpsv,
            )
            .await?
        }
    }
    let receiver_connects = dialect == Dialect::FxpSourcePassive;
    let passive_side = if receiver_connects {
        End::Source
    } else {
        End::Destination
    };

    // The receiving side first.
    let mut append = plan.append;
    if plan.destination_offset > 0 {
        match destination.rest(plan.destination_offset).await {
            Ok(()) => {}
            // A server that will not REST before STOR can still append.
            Err(FtpError::Reply { .. }) => append = true,
            Err(e) => return Err(AttemptError::failed(End::Destination, &e)),
        }
    }
    let store_verb = if append { "APPE" } else { "STOR" };
    destination
        .send_with(store_verb, plan.destination_path)
        .await
        .map_err(|e| AttemptError::failed(End::Destination, &e))?;
    // A reply before the sender starts: the receiver's 1xx when it is the
    // one that connects, or an early, unprompted answer (pyftpdlib's 425,
    // after which the answer to STOR is still to come).
    let early = if receiver_connects {
        Some((Refused::Connect, true))
    } else if pin.is_none() && destination.has_buffered_reply() {
        Some((Refused::Accept, false))
    } else {
        None
    };
    if let Some((refused, clean)) = early {
        let reply = destination
            .read_reply_within(RECEIVER_READY)
            .await
            .map_err(|e| AttemptError::failed(End::Destination, &e))?;
        if !reply.is_preliminary() {
            return Err(classify(
                End::Destination,
                store_verb,
                reply,
                refused,
                clean,
            ));
        }
        // The receiver has opened (and, for STOR, emptied) the file.
        watch.mark_writing();
        if passive_side == End::Destination {
            watch.mark_connected();
        }
    }

    let first = match deferred_port {
        Some(port) => pipelined_retr(source, destination, &port, plan).await?,
        None => {
            if plan.source_offset > 0
                && let Err(e) = source.rest(plan.source_offset).await
            {
                abort(destination).await;
                return Err(AttemptError::failed(End::Source, &e));
            }
            match source.command_with("RETR", plan.source_path).await {
                Ok(r) => r,
                Err(e) => {
                    abort(destination).await;
                    return Err(AttemptError::failed(End::Source, &e));
                }
            }
        }
    };
    if !first.is_preliminary() {
        abort(destination).await;
        let refused = if dialect == Dialect::FxpSourcePassive {
            Refused::Accept
        } else {
            Refused::Connect
        };
        return Err(classify(End::Source, "RETR", first, refused, false));
    }
    if passive_side == End::Source {
        watch.mark_connected();
    }

    // Both final replies, concurrently. When one side fails, the other gets
    // a moment for its own last word before it is aborted.
    let connect_deadline = Instant::now() + plan.connect_timeout;
    let (src_result, dst_result) = {
        let src = final_reply(source, watch, plan.stall_timeout, || {
            if passive_side == End::Source {
                watch.mark_connected();
            }
        });
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
            let r = final_reply(destination, watch, plan.stall_timeout, || {
                watch.mark_writing();
                if passive_side == End::Destination {
                    watch.mark_connected();
                }
            })
            .await;
            if r.as_ref().is_ok_and(Reply::is_completion) {
                watch.mark_writing();
            }
            r
        };
        let watchdog = async {
            loop {
                if watch.is_connected() {
                    std::future::pending::<()>().await;
                }
                if Instant::now() >= connect_deadline {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        tokio::pin!(src, dst, watchdog);
        let silent = || {
            Some(Err(FtpError::Timeout {
                waiting_for: "for the data connection".into(),
                timeout: plan.connect_timeout,
            }))
        };
        tokio::select! {
            s = &mut src => {
                let ok = s.as_ref().is_ok_and(Reply::is_completion);
                tokio::select! {
                    d = &mut dst => (Some(s), Some(d)),
                    () = last_word(ok) => (Some(s), None),
                    () = &mut watchdog, if ok => (Some(s), silent()),
                }
            }
            d = &mut dst => {
                let ok = d.as_ref().is_ok_and(Reply::is_completion);
                tokio::select! {
                    s = &mut src => (Some(s), Some(d)),
                    () = last_word(ok) => (None, Some(d)),
                    () = &mut watchdog, if ok => (silent(), Some(d)),
                }
            }
            () = &mut watchdog => {
                let (s, d) = if passive_side == End::Source { (silent(), None) } else { (None, silent()) };
                (s, d)
            }
        }
    };
    // A side without a final reply (or one we stopped waiting for) is
    // aborted, so the servers stop at once rather than at their timeouts.
    if src_result.as_ref().is_none_or(|r| r.is_err()) {
        abort(source).await;
    }
    if dst_result.as_ref().is_none_or(|r| r.is_err()) {
        abort(destination).await;
    }
    let completed =
        |r: &Option<Result<Reply, FtpError>>| matches!(r, Some(Ok(reply)) if reply.is_completion());
    if completed(&src_result) && completed(&dst_result) {
        return Ok(());
    }
    // Nothing arrived and a side said it could not make or accept the data
    // connection: a refusal, so another dialect may work.
    if !watch.saw_growth() {
        let dst_listens = passive_side == End::Destination;
        if let Some(refusal) = refusal_in(&src_result, &dst_result, dst_listens, store_verb) {
            return Err(refusal);
        }
    }
    Err(failure(src_result, dst_result))
}

/// Reads the final replies of an attempt that moved nothing for a refusal
/// of the data connection.
fn refusal_in(
    src_result: &Option<Result<Reply, FtpError>>,
    dst_result: &Option<Result<Reply, FtpError>>,
    dst_listens: bool,
    store_verb: &str,
) -> Option<AttemptError> {
    // A side that failed for a reason of its own (452 full, 553 not
    // allowed) had its data connection: what the other side saw of it
    // afterwards (a 426) is no refusal.
    let own_reason = |r: &Option<Result<Reply, FtpError>>| matches!(r, Some(Ok(reply)) if !reply.is_completion() && !matches!(reply.code, 425 | 426));
    if own_reason(src_result) || own_reason(dst_result) {
        return None;
    }
    // A 426 means the data connection was made and then closed by the other
    // end: that end gave up on it (as libunftp does with any foreign host,
    // whether it listened or connected), not the side that reports the 426.
    for (result, side) in [(dst_result, End::Destination), (src_result, End::Source)] {
        if let Some(Ok(r)) = result
            && r.code == 426
        {
            let peer = if side == End::Destination {
                End::Source
            } else {
                End::Destination
            };
            let peer_listened = (peer == End::Destination) == dst_listens;
            return Some(AttemptError::Refused {
                side: peer,
                refused: if peer_listened {
                    Refused::Accept
                } else {
                    Refused::Connect
                },
                command: format!("the data connection (the {} answered {r})", side),
                reply: Reply::new(425, "it dropped the data connection"),
                clean: false,
            });
        }
    }
    if let Some(Ok(d)) = dst_result
        && d.code == 425
    {
        let refused = if dst_listens {
            Refused::Accept
        } else {
            Refused::Connect
        };
        return Some(classify(
            End::Destination,
            store_verb,
            d.clone(),
            refused,
            false,
        ));
    }
    if let Some(Ok(s)) = src_result
        && s.code == 425
    {
        let refused = if dst_listens {
            Refused::Connect
        } else {
            Refused::Accept
        };
        return Some(classify(End::Source, "RETR", s.clone(), refused, false));
    }
    // Silence. Pure-FTPd closes a foreign peer on its passive port without
    // a word and keeps waiting; libunftp closes any data connection whose
    // peer is not its client's host, yet answers 150 and then waits for
    // ever (the other server may even report 226 for 0 bytes). Retrying
    // the same dialect cannot help: try the next.
    for (result, side) in [(dst_result, End::Destination), (src_result, End::Source)] {
        if let Some(Err(FtpError::Timeout { timeout, .. })) = result {
            let listened = (side == End::Destination) == dst_listens;
            return Some(AttemptError::Refused {
                side,
                refused: if listened {
                    Refused::Accept
                } else {
                    Refused::Connect
                },
                command: if side == End::Destination {
                    store_verb.into()
                } else {
                    "RETR".into()
                },
                reply: Reply::new(
                    425,
                    format!(
                        "no data connection was made within {}s (timed out)",
                        timeout.as_secs()
                    ),
                ),
                clean: false,
            });
        }
    }
    None
}

/// The failure of an attempt whose data connection worked (or whose sides
/// failed for other reasons), with the most telling reply first.
fn failure(
    src_result: Option<Result<Reply, FtpError>>,
    dst_result: Option<Result<Reply, FtpError>>,
) -> AttemptError {
    // How much a side's outcome says about the cause: a specific reply
    // (452 full, 553 not allowed) says most; a dropped data connection
    // (425/426) less; a broken or silent control connection least; a side
    // that succeeded, or that we aborted before it answered, nothing.
    fn weight(r: &Option<Result<Reply, FtpError>>) -> u8 {
        match r {
            Some(Ok(reply)) if reply.is_completion() => 0,
            Some(Ok(reply)) if matches!(reply.code, 425 | 426) => 2,
            Some(Ok(_)) => 3,
            Some(Err(e)) if e.reply().is_some() => 3,
            Some(Err(_)) => 1,
            None => 0,
        }
    }
    let mut sides = [(End::Destination, dst_result), (End::Source, src_result)];
    // Stable: on a tie the destination, which holds the file, speaks first.
    sides.sort_by_key(|(_, r)| std::cmp::Reverse(weight(r)));
    let mut replies = Vec::new();
    let mut reasons = Vec::new();
    let mut transient = None;
    let mut cause = None;
    for (side, result) in &sides {
        let (text, is_transient) = match result {
            Some(Ok(r)) if r.is_completion() => continue,
            Some(Ok(r)) => {
                replies.push(format!("{}: {r}", side));
                cause.get_or_insert((*side, r.clone()));
                (
                    format!("the {} answered {r}", side),
                    r.is_transient_failure() && !no_space(r),
                )
            }
            Some(Err(e)) => {
                if let Some(r) = e.reply() {
                    replies.push(format!("{}: {r}", side));
                    cause.get_or_insert((*side, r.clone()));
                }
                (
                    format!("the {}: {e}", side),
                    e.is_transient() && !e.reply().is_some_and(no_space),
                )
            }
            None => continue,
        };
        reasons.push(text);
        // The first (most telling) cause decides whether trying again helps.
        transient.get_or_insert(is_transient);
    }
    if reasons.is_empty() {
        reasons.push("the transfer ended without a final reply".into());
    }
    let out_of_space = cause
        .filter(|(side, r)| *side == End::Destination && no_space(r))
        .map(|(_, r)| format!("the destination answered {r}"));
    AttemptError::Failed(Failure::Failed {
        reason: reasons.join("; "),
        replies,
        transient: transient.unwrap_or(true) && out_of_space.is_none(),
        out_of_space,
    })
}

fn classify(side: End, command: &str, reply: Reply, refused: Refused, clean: bool) -> AttemptError {
    if matches!(reply.code, 425 | 426)
        || (reply.is_permanent_failure() && refused == Refused::Negotiate)
    {
        AttemptError::Refused {
            side,
            refused,
            command: command.into(),
            reply,
            clean,
        }
    } else {
        AttemptError::Failed(Failure::answered(side, command, &reply))
    }
}

/// The transfer's final reply. It may take as long as the file takes, so
/// the limit is on silence: no byte arriving at the destination for
/// `stall` (measured by the size poller) ends the wait. `preliminary` is
/// told of each `1xx`.
async fn final_reply(
    client: &mut Client,
    watch: &Watch,
    stall: Duration,
    preliminary: impl Fn(),
) -> Result<Reply, FtpError> {
    loop {
        match client.read_reply_within(Duration::from_millis(500)).await {
            Ok(r) if r.is_preliminary() => preliminary(),
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

/// How long to wait for the second final reply: as long as it takes when
/// the first side succeeded (the second has its own stall limit), a moment
/// when it failed.
async fn last_word(first_succeeded: bool) {
    if first_succeeded {
        std::future::pending::<()>().await
    } else {
        tokio::time::sleep(LAST_WORD).await
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
    destination_may_redirect: bool,
) -> Result<String, AttemptError> {
    let (x, reply) = sock_exchange(destination, End::Destination, "LSTN R").await?;
    let (advertised, form) = addr::parse_any(&x).expect("checked by sock_exchange");
    let target = own_address(
        destination,
        End::Destination,
        destination_may_redirect,
        advertised,
        "LSTN R",
        reply,
    )?;
    let x = if target == advertised {
        x
    } else {
        addr::format(target, form)
    };
    Ok(sock_exchange(source, End::Source, &format!("SOCK {x}"))
        .await?
        .0)
}

/// Sends a command that must answer `255 SOCK <addr>`; returns the address
/// text as the server wrote it, and the reply.
async fn sock_exchange(
    client: &mut Client,
    side: End,
    command: &str,
) -> Result<(String, Reply), AttemptError> {
    let reply = client
        .command(command)
        .await
        .map_err(|e| AttemptError::failed(side, &e))?;
    let text = reply.message();
    match text.strip_prefix("SOCK ").map(str::trim) {
        Some(a) if reply.code == 255 && addr::parse_any(a).is_some() => Ok((a.to_string(), reply)),
        _ => Err(AttemptError::Refused {
            side,
            refused: if command.starts_with("SOCK") && side == End::Source {
                Refused::Connect
            } else {
                Refused::Negotiate
            },
            command: command.into(),
            reply,
            clean: true,
        }),
    }
}

/// `PORT` and (`REST` and) `RETR` to the source in one go, then their
/// replies in order; returns the `RETR`'s first reply. A refused `PORT`
/// is a refusal as in the careful order, but the destination's `STOR` has
/// gone out already and is aborted, so the sessions are not clean.
async fn pipelined_retr(
    source: &mut Client,
    destination: &mut Client,
    port: &str,
    plan: &Plan<'_>,
) -> Result<Reply, AttemptError> {
    let sent = async {
        source.send_command(port).await?;
        if plan.source_offset > 0 {
            source
                .send_command(&format!("REST {}", plan.source_offset))
                .await?;
        }
        source.send_with("RETR", plan.source_path).await?;
        let port_reply = source.read_reply().await?;
        let rest_reply = if plan.source_offset > 0 {
            Some(source.read_reply().await?)
        } else {
            None
        };
        let retr_reply = source.read_reply().await?;
        Ok::<_, FtpError>((port_reply, rest_reply, retr_reply))
    }
    .await;
    let (port_reply, rest_reply, retr_reply) = match sent {
        Ok(replies) => replies,
        Err(e) => {
            abort(destination).await;
            return Err(AttemptError::failed(End::Source, &e));
        }
    };
    if port_reply.code != 200 {
        abort(destination).await;
        return Err(AttemptError::Refused {
            side: End::Source,
            refused: Refused::Connect,
            command: port.to_string(),
            reply: port_reply,
            clean: false,
        });
    }
    if let Some(r) = rest_reply
        && r.code != 350
    {
        abort(destination).await;
        if retr_reply.is_preliminary() {
            abort(source).await;
        }
        return Err(AttemptError::Failed(Failure::answered(
            End::Source,
            &format!("REST {}", plan.source_offset),
            &r,
        )));
    }
    Ok(retr_reply)
}

/// The destination's transfer command, as `PRET` announces it.
fn store_line(plan: &Plan<'_>) -> Vec<u8> {
    let mut line = if plan.append {
        b"APPE ".to_vec()
    } else {
        b"STOR ".to_vec()
    };
    line.extend_from_slice(plan.destination_path);
    line
}

/// `PRET` where the passive side asks for it; its refusal is a refusal of
/// this way of connecting the servers.
async fn pret(client: &mut Client, side: End, line: &[u8]) -> Result<(), AttemptError> {
    client.pret(line).await.map_err(|e| match e {
        FtpError::Reply { command, reply } => AttemptError::Refused {
            side,
            refused: Refused::Negotiate,
            command,
            reply,
            clean: true,
        },
        other => AttemptError::failed(side, &other),
    })
}

fn port_command(target: SocketAddr) -> String {
    match target {
        SocketAddr::V4(v4) => format!("PORT {}", addr::format_rfc959(v4)),
        SocketAddr::V6(_) => format!("EPRT {}", addr::format_rfc2428(target)),
    }
}

/// `PASV` (or `EPSV`) on one side, `PORT` (or `EPRT`) with that address on
/// the other.
async fn negotiate_fxp(
    passive: &mut Client,
    passive_side: End,
    may_redirect: bool,
    active: &mut Client,
    active_side: End,
    cpsv: bool,
) -> Result<(), AttemptError> {
    let target = passive_address(passive, passive_side, may_redirect, cpsv).await?;
    let command = port_command(target);
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
        clean: true,
    })
}

/// Where the passive side listens. `PASV` for IPv4 (with an unroutable
/// address replaced by the control peer's); `EPSV` for IPv6 or when `PASV`
/// is refused, with the host taken from the control connection's peer.
/// `cpsv`: `CPSV` in place of `PASV`, the passive side being the TLS client
/// of the protected data connection.
async fn passive_address(
    passive: &mut Client,
    side: End,
    may_redirect: bool,
    cpsv: bool,
) -> Result<SocketAddr, AttemptError> {
    let peer = passive.peer_addr();
    let verb = if cpsv { "CPSV" } else { "PASV" };
    if peer.is_ipv4() || cpsv {
        let reply = passive
            .command(verb)
            .await
            .map_err(|e| AttemptError::failed(side, &e))?;
        if reply.code == 227 {
            return match addr::parse_pasv_reply(&reply.text()) {
                Some(a) => own_address(passive, side, may_redirect, SocketAddr::V4(a), verb, reply),
                None => Err(AttemptError::Failed(Failure::permanent(format!(
                    "the {side} answered {verb} with an address that cannot be read: {reply}"
                )))),
            };
        }
        if cpsv || !passive.features().epsv {
            return Err(AttemptError::Refused {
                side,
                refused: Refused::Negotiate,
                command: verb.into(),
                reply,
                clean: true,
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
            clean: true,
        }),
    }
}

/// The address a passive reply named, as the other server may be sent to
/// it. RFC 2577: a server-to-server data connection goes to the passive
/// server's own address, or the other server could be made to connect to
/// (and send a file to) any third host. An unroutable or private address
/// from a server reached at another one is its NAT's doing and is replaced
/// by the control peer's; any other foreign host is refused unless the
/// site allows it.
fn own_address(
    passive: &Client,
    side: End,
    may_redirect: bool,
    advertised: SocketAddr,
    command: &str,
    reply: Reply,
) -> Result<SocketAddr, AttemptError> {
    let target = passive.fix_passive_address(advertised);
    let peer = passive.peer_addr().ip();
    if target.ip().to_canonical() == peer.to_canonical() || may_redirect {
        return Ok(target);
    }
    tracing::warn!(
        "the {} ({peer}) answered {command} with another host's address {target}: not used",
        side
    );
    Err(AttemptError::Refused {
        side,
        refused: Refused::Redirect(target),
        command: command.into(),
        reply,
        clean: true,
    })
}
