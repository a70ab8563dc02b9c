//! The ways bytes travel from one end to the other.
//!
//! - `fxp/` makes two servers exchange a file directly, by LSTN/SOCK or
//!   FXP both ways round, with the choreography real servers need (its
//!   commands in `negotiate.rs`, who is the TLS client in `tls.rs`, what
//!   the final replies mean in `replies.rs`).
//! - `relay.rs` carries the bytes through the client when the servers
//!   cannot, and does plain uploads, downloads and local copies (stopping
//!   a source that sends far more than it announced).
//! - `refusal.rs` recognises servers and names the setting that would
//!   allow what they refused.
//! - `learned.rs` is what the ways taught about pairs of servers (what
//!   they refused lately, what worked, who answers pipelined commands out
//!   of order).
//! - `progress.rs` measures a running copy: counted bytes, or the
//!   destination's size polled while two servers exchange.

pub(crate) mod fxp;
pub(crate) mod learned;
pub(crate) mod progress;
pub(crate) mod refusal;
pub(crate) mod relay;

use crate::transfer::sessions::site::Site;
use crate::transfer::{JobSpec, Mode, Via};
use fxp::Dialect;

/// How the bytes travel for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Servers(Dialect),
    Relay,
    Download,
    Upload,
    Local,
}

impl Transport {
    pub(crate) fn mode(self) -> Mode {
        match self {
            Transport::Servers(Dialect::Lstn) => Mode::LstnSock,
            Transport::Servers(Dialect::FxpDestinationPassive) => Mode::Fxp {
                source_passive: false,
            },
            Transport::Servers(Dialect::FxpSourcePassive) => Mode::Fxp {
                source_passive: true,
            },
            Transport::Relay => Mode::Relay,
            Transport::Download => Mode::Download,
            Transport::Upload => Mode::Upload,
            Transport::Local => Mode::Local,
        }
    }

    /// Whether two servers exchange the bytes directly (the client then
    /// sees none of them).
    pub(crate) fn between_servers(self) -> bool {
        matches!(self, Transport::Servers(_))
    }
}

/// The ways to try, in order, for this pair of sites and `--via`.
pub(crate) fn transports(spec: &JobSpec) -> Vec<Transport> {
    use Transport::*;
    match (&spec.source.site, &spec.destination.site) {
        (Site::Local, Site::Local) => vec![Local],
        (Site::Ftp(_), Site::Local) => vec![Download],
        (Site::Local, Site::Ftp(_)) => vec![Upload],
        (Site::Ftp(_), Site::Ftp(_)) => match spec.via {
            // Whether LSTN is possible is known only once connected: the
            // plan leaves it out for servers without it.
            Via::Auto => vec![
                Servers(Dialect::Lstn),
                Servers(Dialect::FxpDestinationPassive),
                Servers(Dialect::FxpSourcePassive),
                Relay,
            ],
            Via::Lstn => vec![Servers(Dialect::Lstn)],
            Via::Fxp => vec![
                Servers(Dialect::FxpDestinationPassive),
                Servers(Dialect::FxpSourcePassive),
            ],
            Via::Relay => vec![Relay],
        },
    }
}
