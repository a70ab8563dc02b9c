//! The one error of the engine: why an attempt, or a whole job, did not
//! verify. It knows which end said what, so the reason a person reads is
//! written here once: "the destination answered 452 …", never a bare
//! "broken pipe" from the other side.

use crate::ftp::{FtpError, Reply};
use crate::transfer::EventKind;
use crate::transfer::ways::refusal::Refusal;
use crate::transfer::why::Why;

pub(crate) use crate::transfer::End;

/// `452`/`552`: out of space. Retrying the same file cannot help, nor can
/// any other file to that place.
pub(crate) fn no_space(reply: &Reply) -> bool {
    matches!(reply.code, 452 | 552)
}

/// The destination's reply that says it is full.
pub(crate) fn full(reply: Reply) -> Box<Why> {
    Box::new(Why::Answered {
        end: End::Destination,
        command: None,
        reply,
    })
}

pub(crate) enum Failure {
    /// The servers would not connect to each other the way they were
    /// asked to: the next way may work.
    Refused {
        /// Who refused, what, with their words, and the setting to change.
        refusal: Box<Refusal>,
        /// Both sessions answered everything: they can be used again (a
        /// refused `PORT` leaves a session as it was).
        clean: bool,
    },
    Failed {
        /// Boxed: a `Result` carrying it stays small.
        reason: Box<Why>,
        /// The servers' replies behind the failure, verbatim, each with its end.
        replies: Vec<String>,
        transient: bool,
        /// The destination said it has no space left: nothing more of
        /// this tree is sent there.
        out_of_space: Option<Box<Why>>,
        /// The end whose reply is the cause, and the reply.
        cause: Option<(End, Reply)>,
    },
    Cancelled,
}

impl Failure {
    /// An FTP error at one end.
    pub(crate) fn ftp(end: End, e: &FtpError) -> Failure {
        let reply = e.reply();
        let out_of_space = reply
            .filter(|r| end == End::Destination && no_space(r))
            .map(|r| full(r.clone()));
        Failure::Failed {
            reason: Box::new(Why::session(end, e)),
            replies: reply
                .map(|r| vec![format!("{end}: {r}")])
                .unwrap_or_default(),
            transient: e.is_transient() && out_of_space.is_none(),
            out_of_space,
            cause: reply.map(|r| (end, r.clone())),
        }
    }

    /// A reply that was not what the command needed.
    pub(crate) fn answered(end: End, command: &str, reply: &Reply) -> Failure {
        let out_of_space =
            (end == End::Destination && no_space(reply)).then(|| full(reply.clone()));
        Failure::Failed {
            reason: Box::new(Why::Answered {
                end,
                command: Some(command.to_string()),
                reply: reply.clone(),
            }),
            replies: vec![format!("{end}: {reply}")],
            transient: reply.is_transient_failure() && out_of_space.is_none(),
            out_of_space,
            cause: Some((end, reply.clone())),
        }
    }

    /// The local file at one end (a download's destination, an upload's
    /// source).
    pub(crate) fn local(end: End, e: std::io::Error) -> Failure {
        let out_of_space = (end == End::Destination && e.kind() == std::io::ErrorKind::StorageFull)
            .then(|| Box::new(Why::Said(format!("the local disk is full ({e})"))));
        Failure::Failed {
            reason: Box::new(Why::LocalFile {
                end,
                error: e.to_string(),
            }),
            replies: Vec::new(),
            transient: false,
            out_of_space,
            cause: None,
        }
    }

    /// Not worth trying again: the reason says why.
    pub(crate) fn permanent(reason: impl Into<Why>) -> Failure {
        Failure::Failed {
            reason: Box::new(reason.into()),
            replies: Vec::new(),
            transient: false,
            out_of_space: None,
            cause: None,
        }
    }

    /// Whether this names why a transfer stopped (a server's words, a full
    /// or unreadable file) rather than only its symptom at the other end (a
    /// broken pipe, a dropped connection).
    pub(crate) fn names_a_cause(&self) -> bool {
        match self {
            Failure::Failed {
                replies,
                transient,
                out_of_space,
                ..
            } => !replies.is_empty() || out_of_space.is_some() || !transient,
            _ => true,
        }
    }

    /// The same failure, with what it left behind said after its reason.
    pub(crate) fn noting(self, note: &str) -> Failure {
        self.with_reason(|why| Why::Leaving {
            why: Box::new(why),
            left: note.to_string(),
        })
    }

    /// The same failure, its reason prefixed with what was being done.
    pub(crate) fn context(self, doing: &str) -> Failure {
        self.with_reason(|why| Why::While {
            doing: doing.to_string(),
            why: Box::new(why),
        })
    }

    /// The same failure, never retried, and about no end's reply or space:
    /// what is left to do would repeat what was done.
    pub(crate) fn not_retried(self) -> Failure {
        match self {
            Failure::Failed {
                reason, replies, ..
            } => Failure::Failed {
                reason,
                replies,
                transient: false,
                out_of_space: None,
                cause: None,
            },
            other => other,
        }
    }

    fn with_reason(self, reword: impl FnOnce(Why) -> Why) -> Failure {
        match self {
            Failure::Failed {
                reason,
                replies,
                transient,
                out_of_space,
                cause,
            } => Failure::Failed {
                reason: Box::new(reword(*reason)),
                replies,
                transient,
                out_of_space,
                cause,
            },
            other => other,
        }
    }

    pub(crate) fn into_event(self) -> EventKind {
        match self {
            Failure::Refused { refusal, .. } => EventKind::Failed {
                reason: Why::Refused((*refusal).into()),
                replies: Vec::new(),
            },
            Failure::Failed {
                reason, replies, ..
            } => EventKind::Failed {
                reason: *reason,
                replies,
            },
            Failure::Cancelled => EventKind::Cancelled {
                partial: None,
                kept_because: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_destination_is_permanent_and_says_so() {
        let e = FtpError::Reply {
            command: "STOR a".into(),
            reply: Reply::new(452, "Insufficient storage space."),
        };
        match Failure::ftp(End::Destination, &e) {
            Failure::Failed {
                reason,
                transient,
                out_of_space,
                replies,
                ..
            } => {
                assert_eq!(
                    reason.to_string(),
                    "the destination: STOR a: 452 Insufficient storage space."
                );
                assert!(!transient);
                assert!(out_of_space.is_some());
                assert_eq!(
                    replies,
                    vec!["destination: 452 Insufficient storage space."]
                );
            }
            _ => panic!(),
        }
        // The same words from the source are a transient 4xx of its own.
        match Failure::ftp(End::Source, &e) {
            Failure::Failed {
                transient,
                out_of_space,
                ..
            } => assert!(transient && out_of_space.is_none()),
            _ => panic!(),
        }
    }
}
