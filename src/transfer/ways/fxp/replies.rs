//! What an attempt's final replies say: a refusal of the way it was
//! asked (try another), or a failure with the words that name its cause.

use super::*;
use crate::transfer::why::Why;

/// Reads the final replies of an attempt that moved nothing for a refusal
/// of the data connection.
pub(crate) fn refusal_in(
    src_result: &Option<Result<Reply, FtpError>>,
    dst_result: &Option<Result<Reply, FtpError>>,
    dst_listens: bool,
    store_verb: &str,
) -> Option<AttemptError> {
    let finals = Finals {
        src_result,
        dst_result,
        dst_listens,
        store_verb,
    };
    if finals.a_reason_of_its_own().is_some() {
        return finals.refused_transfer();
    }
    finals
        .dropped()
        .or_else(|| finals.no_data_connection())
        .or_else(|| finals.silence())
}

/// Both ends' final replies of an attempt, and who listened.
struct Finals<'a> {
    src_result: &'a Option<Result<Reply, FtpError>>,
    dst_result: &'a Option<Result<Reply, FtpError>>,
    dst_listens: bool,
    store_verb: &'a str,
}

impl Finals<'_> {
    /// Each end's result, the destination's first.
    fn ends(&self) -> [(End, &Option<Result<Reply, FtpError>>); 2] {
        [
            (End::Destination, self.dst_result),
            (End::Source, self.src_result),
        ]
    }

    /// The transfer command an end was sent.
    fn verb(&self, end: End) -> &str {
        match end {
            End::Destination => self.store_verb,
            End::Source => "RETR",
        }
    }

    /// What an end refused of the data connection: to accept a peer when
    /// it listened, else to connect to one.
    fn refused(&self, end: End) -> Refused {
        match (end == End::Destination) == self.dst_listens {
            true => Refused::Accept,
            false => Refused::Connect,
        }
    }

    /// The first end that failed for a reason of its own (452 full, 553
    /// not allowed), and its reply: it had its data connection, so what
    /// the other end saw of it afterwards (a 426) is no refusal.
    fn a_reason_of_its_own(&self) -> Option<(End, &Reply)> {
        self.ends()
            .into_iter()
            .find_map(|(end, result)| match result {
                Some(Ok(reply)) if !reply.is_completion() && !matches!(reply.code, 425 | 426) => {
                    Some((end, reply))
                }
                _ => None,
            })
    }

    /// Nothing moved, so even a reply of its own (`522` for a TLS data
    /// connection that failed, `550 Remote addresses do not match`) may be
    /// about the way: the next way, or the relay, tells.
    fn refused_transfer(&self) -> Option<AttemptError> {
        let (end, reply) = self.a_reason_of_its_own()?;
        match classify(end, self.verb(end), reply.clone(), Refused::Transfer, false) {
            refused @ AttemptError::Refused { .. } => Some(refused),
            AttemptError::Failed(_) => None,
        }
    }

    /// A 426 means the data connection was made and then closed by the
    /// other end: that end gave up on it (as libunftp does with any foreign
    /// host, whether it listened or connected), not the end that reports
    /// the 426.
    fn dropped(&self) -> Option<AttemptError> {
        self.ends()
            .into_iter()
            .find_map(|(end, result)| match result {
                Some(Ok(r)) if r.code == 426 => {
                    let peer = match end {
                        End::Destination => End::Source,
                        End::Source => End::Destination,
                    };
                    Some(AttemptError::Refused {
                        side: peer,
                        refused: self.refused(peer),
                        command: format!("the data connection (the {end} answered {r})"),
                        reply: Reply::new(425, "it dropped the data connection"),
                        clean: false,
                    })
                }
                _ => None,
            })
    }

    /// A 425: the end could not make or take the data connection.
    fn no_data_connection(&self) -> Option<AttemptError> {
        self.ends()
            .into_iter()
            .find_map(|(end, result)| match result {
                Some(Ok(r)) if r.code == 425 => Some(classify(
                    end,
                    self.verb(end),
                    r.clone(),
                    self.refused(end),
                    false,
                )),
                _ => None,
            })
    }

    /// Silence. Pure-FTPd closes a foreign peer on its passive port without
    /// a word and keeps waiting; libunftp closes any data connection whose
    /// peer is not its client's host, yet answers 150 and then waits for
    /// ever (the other server may even report 226 for 0 bytes). Retrying
    /// the same dialect cannot help: try the next.
    fn silence(&self) -> Option<AttemptError> {
        self.ends()
            .into_iter()
            .find_map(|(end, result)| match result {
                Some(Err(FtpError::Timeout { timeout, .. })) => Some(AttemptError::Refused {
                    side: end,
                    refused: self.refused(end),
                    command: self.verb(end).into(),
                    reply: Reply::new(
                        425,
                        format!(
                            "no data connection was made within {}s (timed out)",
                            timeout.as_secs()
                        ),
                    ),
                    clean: false,
                }),
                _ => None,
            })
    }
}

/// The failure of an attempt whose data connection worked (or whose sides
/// failed for other reasons), with the most telling reply first.
pub(crate) fn failure(
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
                    Why::Answered {
                        end: *side,
                        command: None,
                        reply: r.clone(),
                    },
                    r.is_transient_failure() && !no_space(r),
                )
            }
            Some(Err(e)) => {
                if let Some(r) = e.reply() {
                    replies.push(format!("{}: {r}", side));
                    cause.get_or_insert((*side, r.clone()));
                }
                (
                    Why::session(*side, e),
                    e.is_transient() && !e.reply().is_some_and(no_space),
                )
            }
            None => continue,
        };
        reasons.push(text);
        // The first (most telling) cause decides whether trying again helps.
        transient.get_or_insert(is_transient);
    }
    let reason = match reasons.len() {
        0 => Why::from("the transfer ended without a final reply"),
        1 => reasons.remove(0),
        _ => Why::Each(reasons),
    };
    let out_of_space = cause
        .as_ref()
        .filter(|(side, r)| *side == End::Destination && no_space(r))
        .map(|(_, r)| crate::transfer::error::full(r.clone()));
    AttemptError::Failed(Failure::Failed {
        reason: Box::new(reason),
        replies,
        transient: transient.unwrap_or(true) && out_of_space.is_none(),
        out_of_space,
        cause,
    })
}

pub(crate) fn classify(
    side: End,
    command: &str,
    reply: Reply,
    refused: Refused,
    clean: bool,
) -> AttemptError {
    // Once the other server is involved, any refusal of the transfer
    // command may be about this way of copying (a server that checks the
    // peer only now, a TLS data connection that failed): the next way is
    // tried, and the relay tells whether it was about the file. A full
    // disk is the file's failure whichever way it goes.
    let at_transfer = matches!(command, "RETR" | "STOR" | "APPE");
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
    } else if at_transfer && !reply.is_completion() && !no_space(&reply) && reply.code != 421 {
        // (421: the server is closing the session, whatever the way.)
        AttemptError::Refused {
            side,
            refused: Refused::Transfer,
            command: command.into(),
            reply,
            clean: false,
        }
    } else {
        AttemptError::Failed(Failure::answered(side, command, &reply))
    }
}

/// The transfer's final reply. It may take as long as the file takes, so
/// the limit is on silence: no byte arriving at the destination for
/// `stall` (measured by the size poller) ends the wait. `preliminary` is
/// told of each `1xx`.
pub(crate) async fn final_reply(
    client: &mut Client,
    watch: &Watch,
    stall: Duration,
    preliminary: impl Fn(),
) -> Result<Reply, FtpError> {
    loop {
        match client.poll_reply_within(Duration::from_millis(500)).await {
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
pub(crate) async fn last_word(first_succeeded: bool) {
    if first_succeeded {
        std::future::pending::<()>().await
    } else {
        tokio::time::sleep(LAST_WORD).await
    }
}

/// Best effort: the session is discarded afterwards anyway.
pub(crate) async fn abort(client: &mut Client) {
    let _ = tokio::time::timeout(ABORT_WAIT, client.abort()).await;
}
