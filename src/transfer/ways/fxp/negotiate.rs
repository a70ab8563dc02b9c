//! The commands that set up the data connection: `LSTN`/`SOCK`, `PASV`/
//! `EPSV` and `PORT`/`EPRT`, `PRET`, and the pipelined `RETR`.

use super::*;

/// `LSTN R` to the destination and `SOCK` with its address to the source;
/// returns the source's socket, which the caller pins on the destination.
pub(crate) async fn negotiate_lstn(
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
pub(crate) async fn sock_exchange(
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
pub(crate) async fn pipelined_retr(
    source: &mut Client,
    destination: &mut Client,
    port: &str,
    plan: &Plan<'_>,
) -> Result<Reply, AttemptError> {
    let sent = send_port_and_retr(source, port, plan).await;
    let (port_reply, rest_reply, retr_reply) = match sent {
        Ok((port_reply, _, None)) => {
            return Err(out_of_order(source, destination, plan, port_reply).await);
        }
        Ok((port_reply, rest_reply, Some(retr_reply))) => (port_reply, rest_reply, retr_reply),
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

/// Sends `PORT`, (`REST`,) `RETR` without waiting, then reads their
/// replies: `PORT`'s, `REST`'s, and `RETR`'s first (`None` when the
/// source answered `RETR` before `PORT`).
async fn send_port_and_retr(
    source: &mut Client,
    port: &str,
    plan: &Plan<'_>,
) -> Result<(Reply, Option<Reply>, Option<Reply>), FtpError> {
    source.in_step().await?;
    source.send_command(port).await?;
    if plan.source_offset > 0 {
        source
            .send_command(&format!("REST {}", plan.source_offset))
            .await?;
    }
    source.send_with("RETR", plan.source_path).await?;
    let port_reply = source.read_reply().await?;
    if port_reply.is_preliminary() {
        // RETR answered before PORT: the server took the transfer
        // command before its own data connection was up (pyftpdlib),
        // and then never sends the file.
        return Ok((port_reply, None, None));
    }
    let rest_reply = if plan.source_offset > 0 {
        Some(source.read_reply().await?)
    } else {
        None
    };
    let retr_reply = source.read_reply().await?;
    Ok((port_reply, rest_reply, Some(retr_reply)))
}

/// The source answered `RETR` before `PORT`. Not a refusal of the way: the
/// same way works with `PORT` and `RETR` sent one after the other, as they
/// are for this source from now on.
async fn out_of_order(
    source: &mut Client,
    destination: &mut Client,
    plan: &Plan<'_>,
    port_reply: Reply,
) -> AttemptError {
    plan.pipelining_broken
        .store(true, std::sync::atomic::Ordering::Relaxed);
    source.abandon("it answered RETR before a pipelined PORT");
    abort(destination).await;
    AttemptError::Failed(Failure::Failed {
        reason: Box::new(
            format!(
                "the source answered RETR ({port_reply}) before PORT: PORT and RETR go to it one after the other from now on"
            )
            .into(),
        ),
        replies: Vec::new(),
        transient: true,
        out_of_space: None,
        cause: None,
    })
}

/// The destination's transfer command, as `PRET` announces it.
pub(crate) fn store_line(plan: &Plan<'_>) -> Vec<u8> {
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
pub(crate) async fn pret(client: &mut Client, side: End, line: &[u8]) -> Result<(), AttemptError> {
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

/// A command of the negotiation that got no answer in time refuses this
/// way (some servers answer `PORT` only once they tried the address); its
/// session is out of step and is not used again.
pub(crate) fn silence_refuses(
    side: End,
    refused: Refused,
    command: &str,
    e: FtpError,
) -> AttemptError {
    match e {
        FtpError::Timeout { timeout, .. } => AttemptError::Refused {
            side,
            refused,
            command: command.into(),
            reply: Reply::new(
                425,
                format!("no reply within {}s (timed out)", timeout.as_secs()),
            ),
            clean: false,
        },
        other => AttemptError::failed(side, &other),
    }
}

/// Frees a passive destination left waiting for a peer that will not come
/// (the source refused its transfer command): vsftpd, waiting in `accept`,
/// reads no `ABOR` and keeps the upload's file locked for its accept
/// timeout, so every next `STOR` of that file would hang behind it. A
/// connection that closes at once ends its wait.
pub(crate) async fn release_passive(target: Option<SocketAddr>) {
    if let Some(target) = target {
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(target),
        )
        .await;
    }
}

pub(crate) fn port_command(target: SocketAddr) -> String {
    match target {
        SocketAddr::V4(v4) => format!("PORT {}", addr::format_rfc959(v4)),
        SocketAddr::V6(_) => format!("EPRT {}", addr::format_rfc2428(target)),
    }
}

/// `PASV` (or `EPSV`) on one side, `PORT` (or `EPRT`) with that address on
/// the other.
pub(crate) async fn negotiate_fxp(
    passive: &mut Client,
    passive_side: End,
    may_redirect: bool,
    active: &mut Client,
    active_side: End,
    cpsv: bool,
) -> Result<SocketAddr, AttemptError> {
    let target = passive_address(passive, passive_side, may_redirect, cpsv).await?;
    let command = port_command(target);
    let reply = active
        .command(&command)
        .await
        .map_err(|e| silence_refuses(active_side, Refused::Connect, &command, e))?;
    if reply.code == 200 {
        return Ok(target);
    }
    // The passive side now listens for a peer that will never come; some
    // servers say so later, unprompted (a second reply to PASV, seconds
    // on), which would answer whatever is asked then. That session is
    // replaced; the active one answered everything and goes on.
    passive.abandon("its passive port was left waiting for a peer that never came");
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
pub(crate) async fn passive_address(
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
            .map_err(|e| silence_refuses(side, Refused::Negotiate, verb, e))?;
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
        .map_err(|e| silence_refuses(side, Refused::Negotiate, "EPSV", e))?;
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
pub(crate) fn own_address(
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
