//! Making two servers exchange one file: the RFC 438 profile (`LSTN`/`SOCK`)
//! or FXP (`PASV`/`EPSV` on one, `PORT`/`EPRT` on the other), with the
//! choreography real servers need (rfc438-over-tcp.md, "The RSEXEC APPEND").

mod negotiate;
mod replies;
mod tls;

use negotiate::*;
use replies::*;
use tls::*;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;

use crate::ftp::{Client, FtpError, Reply, addr};
use crate::transfer::error::{End, Failure, no_space};
use crate::transfer::ways::progress::Watch;
use crate::transfer::ways::refusal::{Refusal, Refused};

/// How long the receiving side may take to say `1xx` when it is the one
/// that connects (pyftpdlib drops data that arrives before it did).
const RECEIVER_READY: Duration = Duration::from_secs(10);
/// How long the passive side may take to answer its transfer command with
/// `1xx` once the active side has said its own (it has connected, or is
/// connecting). Pure-FTPd drops a foreign peer and never answers `RETR`:
/// only this silence tells, and it must cost seconds, not the stall
/// timeout.
const PASSIVE_ANSWER: Duration = Duration::from_secs(5);
/// How long an `ABOR` of the other side may take: a server that answers
/// does so at once; one stuck waiting for a peer (Pure-FTPd after dropping
/// a foreign connection) never does, and its session is dropped anyway.
const ABORT_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Dialect {
    Lstn,
    /// Destination passive, source connects.
    FxpDestinationPassive,
    /// Source passive, destination connects.
    FxpSourcePassive,
}

/// What one attempt needs to know.
pub(crate) struct Plan<'a> {
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
    /// Set when the source answered a pipelined `PORT`+`RETR` out of
    /// order: the engine stops pipelining with it.
    pub pipelining_broken: &'a std::sync::atomic::AtomicBool,
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
pub(crate) async fn run(
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
                refusal: Box::new(Refusal::answered(
                    client.greeting(),
                    client.peer_addr(),
                    side,
                    refused,
                    &command,
                    &reply,
                )),
                clean,
            })
        }
    }
}

async fn exchange(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
    cpsv: bool,
) -> Result<(), AttemptError> {
    let mut negotiated = negotiate(dialect, source, destination, plan, cpsv).await?;
    let receiver_connects = dialect == Dialect::FxpSourcePassive;
    let passive_side = passive_side(receiver_connects);
    let pinned = negotiated.pin.is_some();
    let store_verb = receive(destination, plan, watch, pinned, receiver_connects).await?;
    send(dialect, source, destination, plan, watch, &mut negotiated).await?;
    let pin = negotiated.pin.as_ref();
    let (src_result, dst_result) =
        final_replies(source, destination, plan, watch, pin, passive_side).await;
    // A side without a final reply (or one we stopped waiting for) is
    // aborted, so the servers stop at once rather than at their timeouts.
    if src_result.as_ref().is_none_or(|r| r.is_err()) {
        abort(source).await;
    }
    if dst_result.as_ref().is_none_or(|r| r.is_err()) {
        abort(destination).await;
    }
    let completed = |r: &Last| matches!(r, Some(Ok(reply)) if reply.is_completion());
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

/// The side that listens: the source when the receiver connects.
fn passive_side(receiver_connects: bool) -> End {
    if receiver_connects {
        End::Source
    } else {
        End::Destination
    }
}

/// What the negotiation leaves for the transfer commands.
#[derive(Default)]
struct Negotiated {
    /// The destination's pinning `SOCK`, when it goes out pipelined with
    /// the transfer command (its 255 is then read before the transfer's
    /// replies).
    pin: Option<String>,
    /// The source's `PORT`, sent in one write with its `RETR`.
    deferred_port: Option<String>,
    /// Where a passive destination waits for the source's connection.
    destination_listens_at: Option<SocketAddr>,
}

/// Makes one server listen and tells the other where.
async fn negotiate(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    cpsv: bool,
) -> Result<Negotiated, AttemptError> {
    let mut n = Negotiated::default();
    match dialect {
        Dialect::Lstn => {
            let y = negotiate_lstn(source, destination, plan.destination_may_redirect).await?;
            let pin_command = format!("SOCK {y}");
            if plan.destination_offset > 0 {
                // REST reads its own reply: the pin must be answered first.
                sock_exchange(destination, End::Destination, &pin_command).await?;
            } else {
                destination
                    .in_step()
                    .await
                    .map_err(|e| AttemptError::failed(End::Destination, &e))?;
                destination
                    .send_command(&pin_command)
                    .await
                    .map_err(|e| AttemptError::failed(End::Destination, &e))?;
                n.pin = Some(pin_command);
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
            n.deferred_port = Some(port_command(target));
            n.destination_listens_at = Some(target);
        }
        Dialect::FxpDestinationPassive => {
            pret(destination, End::Destination, &store_line(plan)).await?;
            n.destination_listens_at = Some(
                negotiate_fxp(
                    destination,
                    End::Destination,
                    plan.destination_may_redirect,
                    source,
                    End::Source,
                    cpsv,
                )
                .await?,
            );
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
            .await?;
        }
    }
    Ok(n)
}

/// The receiving side first: `REST`, `STOR` or `APPE`, and a reply
/// before the sender starts. Returns the verb sent.
async fn receive(
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
    pinned: bool,
    receiver_connects: bool,
) -> Result<&'static str, AttemptError> {
    let passive_side = passive_side(receiver_connects);
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
    if !pinned {
        destination
            .in_step()
            .await
            .map_err(|e| AttemptError::failed(End::Destination, &e))?;
    }
    destination
        .send_with(store_verb, plan.destination_path)
        .await
        .map_err(|e| AttemptError::failed(End::Destination, &e))?;
    // A reply before the sender starts: the receiver's 1xx when it is the
    // one that connects, or an early, unprompted answer (pyftpdlib's 425,
    // after which the answer to STOR is still to come).
    let early = if receiver_connects {
        Some((Refused::Connect, true))
    } else if !pinned && destination.has_buffered_reply() {
        Some((Refused::Accept, false))
    } else {
        None
    };
    if let Some((refused, clean)) = early {
        let ready = RECEIVER_READY.min(plan.connect_timeout + PASSIVE_ANSWER);
        let reply = destination
            .read_reply_within(ready)
            .await
            .map_err(|e| silence_refuses(End::Destination, refused, store_verb, e))?;
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
    Ok(store_verb)
}

/// The sender's `RETR` (with its `PORT`, when pipelined): its first reply
/// says it is sending.
async fn send(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
    negotiated: &mut Negotiated,
) -> Result<(), AttemptError> {
    let receiver_connects = dialect == Dialect::FxpSourcePassive;
    let passive_side = passive_side(receiver_connects);
    let first = match negotiated.deferred_port.take() {
        Some(port) => pipelined_retr(source, destination, &port, plan).await?,
        None => {
            if plan.source_offset > 0
                && let Err(e) = source.rest(plan.source_offset).await
            {
                abort(destination).await;
                return Err(AttemptError::failed(End::Source, &e));
            }
            let asked = async {
                // No resynchronisation here: a passive source that refused
                // the other server's connection says so unprompted (425)
                // before it answers RETR, and that is the refusal to read.
                source.send_with("RETR", plan.source_path).await?;
                // The passive source answers once the destination's
                // connection is taken; silence is its refusal.
                let limit = if receiver_connects {
                    PASSIVE_ANSWER.min(plan.connect_timeout)
                } else {
                    plan.connect_timeout.max(PASSIVE_ANSWER) + RECEIVER_READY
                };
                source.read_reply_within(limit).await
            };
            match asked.await {
                Ok(r) => r,
                Err(FtpError::Timeout { timeout, .. }) if receiver_connects => {
                    abort(destination).await;
                    return Err(AttemptError::Refused {
                        side: End::Source,
                        refused: Refused::Accept,
                        command: "RETR".into(),
                        reply: Reply::new(
                            425,
                            format!(
                                "no answer within {}s once the destination had connected (timed out)",
                                timeout.as_secs()
                            ),
                        ),
                        clean: false,
                    });
                }
                Err(e) => {
                    abort(destination).await;
                    return Err(AttemptError::failed(End::Source, &e));
                }
            }
        }
    };
    if !first.is_preliminary() {
        release_passive(negotiated.destination_listens_at).await;
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
    Ok(())
}

/// A side's last reply, if it gave one in time.
type Last = Option<Result<Reply, FtpError>>;

/// Both final replies, concurrently. When one side fails, the other gets
/// a moment for its own last word before it is aborted.
async fn final_replies(
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
    pin: Option<&String>,
    passive_side: End,
) -> (Last, Last) {
    // The active side has said 1xx: the passive side's own follows at once
    // from a server that accepted the connection.
    let connect_deadline = Instant::now() + PASSIVE_ANSWER.min(plan.connect_timeout);
    let src = final_reply(source, watch, plan.stall_timeout, || {
        if passive_side == End::Source {
            watch.mark_connected();
        }
    });
    let dst = destination_final_reply(destination, plan, watch, pin, passive_side);
    let watchdog = unconnected_at(watch, connect_deadline);
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
        () = &mut watchdog => match passive_side {
            End::Source => (silent(), None),
            End::Destination => (None, silent()),
        },
    }
}

/// The destination's final reply, after the pipelined pin's.
async fn destination_final_reply(
    destination: &mut Client,
    plan: &Plan<'_>,
    watch: &Watch,
    pin: Option<&String>,
    passive_side: End,
) -> Result<Reply, FtpError> {
    // The pipelined pin answers first. Our server handles it before
    // the STOR behind it, so the listening socket is pinned before
    // it accepts: pipelining loses none of the profile's safety.
    if let Some(command) = pin {
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
}

/// Returns once `deadline` passed without a data connection; never, once
/// one was made.
async fn unconnected_at(watch: &Watch, deadline: Instant) {
    loop {
        if watch.is_connected() {
            std::future::pending::<()>().await;
        }
        if Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
