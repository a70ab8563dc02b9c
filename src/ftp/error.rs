use std::io;
use std::time::Duration;

use super::command::CommandError;
use super::reply::{ParseError, Reply};

/// Everything that can go wrong talking to an FTP server. Errors that come
/// from a reply carry the command that was sent (passwords masked) and the
/// server's reply, so the user sees exactly what the server said.
#[derive(Debug, thiserror::Error)]
pub enum FtpError {
    #[error("cannot connect to {host}: {source}")]
    Connect { host: String, source: io::Error },

    #[error("cannot resolve {host}: {source}")]
    Resolve { host: String, source: io::Error },

    #[error("{host} refused the session: {reply}")]
    Refused { host: String, reply: Reply },

    #[error("{command}: {reply}")]
    Reply { command: String, reply: Reply },

    #[error("no reply within {}s {waiting_for}", timeout.as_secs())]
    Timeout {
        waiting_for: String,
        timeout: Duration,
    },

    #[error("server closed the control connection{}", after.as_ref().map(|c| format!(" after {c}")).unwrap_or_default())]
    Closed { after: Option<String> },

    #[error("malformed reply from server: {0}")]
    Protocol(#[from] ParseError),

    #[error(transparent)]
    Command(#[from] CommandError),

    #[error("{command}: cannot parse {what} in reply {reply}")]
    BadReply {
        command: String,
        what: &'static str,
        reply: Reply,
    },

    #[error("data connection for {command}: {source}")]
    Data { command: String, source: io::Error },

    /// The server's certificate was refused (why, and its fingerprint).
    #[error("{host}: {rejected}")]
    Certificate {
        host: String,
        rejected: super::tls::CertRejected,
    },

    #[error("TLS with {host}: {source}")]
    Tls { host: String, source: io::Error },

    /// TLS was needed and the site or the server would not have it.
    #[error("{0}")]
    TlsSetting(String),

    /// The session's replies no longer match its commands and could not
    /// be brought back in step: a fresh session is needed.
    #[error("replies out of step with commands ({why}); the session was dropped")]
    OutOfStep { why: String },
    /// The server has no command for what was asked.
    #[error("the server cannot do it: {what}")]
    Unsupported { what: &'static str },
    /// A copy within one site needs more sessions at once than the site is
    /// allowed: no retry changes that.
    #[error("{site} allows {limit} transfer connection(s); this needs {needed}")]
    TooFewSessions {
        site: String,
        limit: usize,
        needed: usize,
    },

    #[error("{0}")]
    Io(#[from] io::Error),
}

impl FtpError {
    /// A failed TLS handshake: a refused certificate says so, with its
    /// fingerprint.
    pub(crate) fn tls(host: &str, source: io::Error) -> FtpError {
        match super::tls::rejection(&source) {
            Some(rejected) => FtpError::Certificate {
                host: host.to_string(),
                rejected,
            },
            None => FtpError::Tls {
                host: host.to_string(),
                source,
            },
        }
    }

    /// The server's reply, when the error came from one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            FtpError::Refused { reply, .. }
            | FtpError::Reply { reply, .. }
            | FtpError::BadReply { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// True for failures worth retrying on a new connection: the connection
    /// broke, the server said "try again later" (4xx), or a session spoke
    /// what is no FTP reply at all. A fresh session may not: pyftpdlib
    /// has been seen writing a file's bytes to a new control connection
    /// after a server-to-server attempt failed (see the README's
    /// interop notes); the copy then goes on to the real refusal.
    pub fn is_transient(&self) -> bool {
        match self {
            FtpError::Connect { .. }
            | FtpError::Timeout { .. }
            | FtpError::Closed { .. }
            | FtpError::OutOfStep { .. }
            | FtpError::Io(_)
            | FtpError::Protocol(ParseError::Malformed(_))
            | FtpError::Data { .. } => true,
            _ => self.reply().is_some_and(Reply::is_transient_failure),
        }
    }
}

pub type Result<T, E = FtpError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// What a fresh session may cure is retried: a broken or garbled
    /// session; a reply the server means is not.
    #[test]
    fn garbage_on_a_session_is_worth_a_fresh_one_a_refusal_is_not() {
        let garbled = FtpError::Protocol(ParseError::Malformed("\u{1}\u{2}".into()));
        assert!(garbled.is_transient());
        assert!(!FtpError::Protocol(ParseError::LineTooLong).is_transient());
        let refused = FtpError::Reply {
            command: "STOR f".into(),
            reply: Reply::new(553, "no"),
        };
        assert!(!refused.is_transient());
        let busy = FtpError::Reply {
            command: "STOR f".into(),
            reply: Reply::new(451, "later"),
        };
        assert!(busy.is_transient());
    }
}
