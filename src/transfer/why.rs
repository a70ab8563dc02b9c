//! Why a job failed, a try is repeated, a way was left or a file skipped,
//! as data: which end, which command, which reply (code and text), which
//! way the servers refused. The events carry it; `Display` says it in
//! words, once, for whoever shows it. A server's words stay its own here:
//! whatever prints them passes them through [`crate::text::printable`].

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::ftp::{FtpError, Reply};
use crate::transfer::End;
use crate::transfer::ways::refusal::Refusal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// An end answered with a reply that was not what the command needed.
    Answered {
        end: End,
        /// `None` when the reply closed a transfer both servers took part in.
        command: Option<String>,
        reply: Reply,
    },
    /// An end's session failed: a reply, a broken or silent connection.
    Session {
        end: End,
        command: Option<String>,
        reply: Option<Reply>,
        /// The session's error, in words (it names the command and reply).
        error: String,
    },
    /// The local file at one end could not be read or written.
    LocalFile { end: End, error: String },
    /// The servers would not carry the file this way.
    Refused(WayRefused),
    /// No way was left: each refusal, in the order met.
    EveryWayRefused(Vec<WayRefused>),
    /// Both ends failed: the most telling first.
    Each(Vec<Why>),
    /// What was being done when it failed.
    While { doing: String, why: Box<Why> },
    /// What the failure left behind.
    Leaving { why: Box<Why>, left: String },
    /// The destination has no space left: not tried again.
    NoSpace(Box<Why>),
    /// An earlier file of the same tree found the destination full.
    NotSent(Box<Why>),
    /// The servers refused the transfer command, and the relay met the
    /// same reply: it is about the file, not the way.
    AboutTheFile {
        end: End,
        reply: Reply,
        why: Box<Why>,
        refusals: Vec<WayRefused>,
    },
    /// The engine's own finding, in its words (a size that does not
    /// match, a source that is a directory, a policy's skip).
    Said(String),
}

impl Why {
    /// An error of one end's session.
    pub(crate) fn session(end: End, error: &FtpError) -> Why {
        let command = match error {
            FtpError::Reply { command, .. }
            | FtpError::BadReply { command, .. }
            | FtpError::Data { command, .. } => Some(command.clone()),
            _ => None,
        };
        Why::Session {
            end,
            command,
            reply: error.reply().cloned(),
            error: error.to_string(),
        }
    }

    /// The end whose words are the cause, when one end's are.
    pub fn end(&self) -> Option<End> {
        match self {
            Why::Answered { end, .. }
            | Why::Session { end, .. }
            | Why::LocalFile { end, .. }
            | Why::AboutTheFile { end, .. } => Some(*end),
            Why::Refused(refusal) => refusal.end(),
            _ => self.inner().and_then(Why::end),
        }
    }

    /// The command the cause answered, when it was one.
    pub fn command(&self) -> Option<&str> {
        match self {
            Why::Answered { command, .. } | Why::Session { command, .. } => command.as_deref(),
            Why::Refused(refusal) => refusal.command(),
            _ => self.inner().and_then(Why::command),
        }
    }

    /// The server's reply behind the cause, when one is.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Why::Answered { reply, .. } | Why::AboutTheFile { reply, .. } => Some(reply),
            Why::Session { reply, .. } => reply.as_ref(),
            Why::Refused(refusal) => refusal.reply(),
            _ => self.inner().and_then(Why::reply),
        }
    }

    /// The way refused, when that is the cause.
    pub fn refused(&self) -> Option<&WayRefused> {
        match self {
            Why::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// The cause a wrapper says more about; the first of several.
    fn inner(&self) -> Option<&Why> {
        match self {
            Why::While { why, .. }
            | Why::Leaving { why, .. }
            | Why::NoSpace(why)
            | Why::NotSent(why) => Some(why),
            Why::Each(whys) => whys.first(),
            _ => None,
        }
    }
}

impl From<String> for Why {
    fn from(words: String) -> Why {
        Why::Said(words)
    }
}

impl From<&str> for Why {
    fn from(words: &str) -> Why {
        Why::Said(words.to_string())
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Answered {
                end,
                command: Some(command),
                reply,
            } => write!(f, "the {end} answered {command} with {reply}"),
            Why::Answered {
                end,
                command: None,
                reply,
            } => write!(f, "the {end} answered {reply}"),
            Why::Session { end, error, .. } => write!(f, "the {end}: {error}"),
            Why::LocalFile { end, error } => write!(f, "the {end} (local file): {error}"),
            Why::Refused(refusal) => refusal.fmt(f),
            Why::EveryWayRefused(refusals) => each(f, refusals),
            Why::Each(whys) => each(f, whys),
            Why::While { doing, why } => write!(f, "{doing}: {why}"),
            Why::Leaving { why, left } => write!(f, "{why}; {left}"),
            Why::NoSpace(why) => write!(f, "{why} (not retried: no space left there)"),
            Why::NotSent(full) => write!(
                f,
                "not sent: an earlier file of this copy found the destination full ({full})"
            ),
            Why::AboutTheFile {
                end,
                reply,
                why,
                refusals,
            } => {
                write!(
                    f,
                    "the {end} answered {reply} server to server and through fxpc alike ({why}; "
                )?;
                each(f, refusals)?;
                f.write_str(")")
            }
            Why::Said(words) => f.write_str(words),
        }
    }
}

fn each(f: &mut fmt::Formatter<'_>, items: &[impl fmt::Display]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// In `--json`: `reason` in words, as it always was, and beside it the
/// cause as data when one end's reply is it: `end`, `command`, `code`,
/// `reply` (the reply's text).
impl Serialize for Why {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("reason", &self.to_string())?;
        if let Some(end) = self.end() {
            map.serialize_entry("end", &end.to_string())?;
        }
        if let Some(command) = self.command() {
            map.serialize_entry("command", command)?;
        }
        if let Some(reply) = self.reply() {
            map.serialize_entry("code", &reply.code)?;
            map.serialize_entry("reply", &reply.text())?;
        }
        map.end()
    }
}

/// A way the servers refused: who refused, what, with which reply. Its
/// words name the setting that would allow it, when the server is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WayRefused(Arc<Refusal>);

impl WayRefused {
    pub fn end(&self) -> Option<End> {
        match &*self.0 {
            Refusal::Answered { end, .. } | Refusal::NoLstn { end } => Some(*end),
            _ => None,
        }
    }

    pub fn command(&self) -> Option<&str> {
        match &*self.0 {
            Refusal::Answered { command, .. } => Some(command),
            _ => None,
        }
    }

    pub fn reply(&self) -> Option<&Reply> {
        match &*self.0 {
            Refusal::Answered { reply, .. } => Some(reply),
            _ => None,
        }
    }
}

impl From<Refusal> for WayRefused {
    fn from(refusal: Refusal) -> WayRefused {
        WayRefused(Arc::new(refusal))
    }
}

impl fmt::Display for WayRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::{Event, EventKind};

    fn full() -> Why {
        Why::session(
            End::Destination,
            &FtpError::Reply {
                command: "STOR a".into(),
                reply: Reply::new(452, "Insufficient storage space."),
            },
        )
    }

    #[test]
    fn the_words_are_those_the_events_always_said() {
        assert_eq!(
            Why::NoSpace(Box::new(full())).to_string(),
            "the destination: STOR a: 452 Insufficient storage space. (not retried: no space left there)"
        );
        let both = Why::Each(vec![
            Why::Answered {
                end: End::Destination,
                command: None,
                reply: Reply::new(553, "Could not create file."),
            },
            Why::from("the source: gone"),
        ]);
        assert_eq!(
            both.to_string(),
            "the destination answered 553 Could not create file.; the source: gone"
        );
        let doing = Why::While {
            doing: "checking the copy".into(),
            why: Box::new(full()),
        };
        assert!(
            doing
                .to_string()
                .starts_with("checking the copy: the destination: STOR a")
        );
        assert_eq!(doing.end(), Some(End::Destination));
        assert_eq!(doing.command(), Some("STOR a"));
        assert_eq!(doing.reply().map(|r| r.code), Some(452));
    }

    #[test]
    fn json_keeps_the_reason_and_adds_the_cause_as_data() {
        let event = Event {
            job: 3,
            kind: EventKind::Failed {
                reason: full(),
                replies: vec!["destination: 452 Insufficient storage space.".into()],
            },
        };
        let v: serde_json::Value = serde_json::to_value(&event).unwrap();
        assert_eq!(v["event"], "failed");
        assert_eq!(v["job"], 3);
        assert_eq!(
            v["reason"],
            "the destination: STOR a: 452 Insufficient storage space."
        );
        assert_eq!(
            v["replies"][0],
            "destination: 452 Insufficient storage space."
        );
        assert_eq!(v["end"], "destination");
        assert_eq!(v["command"], "STOR a");
        assert_eq!(v["code"], 452);
        assert_eq!(v["reply"], "Insufficient storage space.");
        // The engine's own words carry no cause to add.
        let skipped = serde_json::to_value(EventKind::Skipped {
            path: "/a".into(),
            reason: "exists".into(),
        })
        .unwrap();
        assert_eq!(
            skipped,
            serde_json::json!({"event": "skipped", "path": "/a", "reason": "exists"})
        );
    }
}
