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
//! - `progress.rs` measures a running copy: counted bytes, or the
//!   destination's size polled while two servers exchange.

pub(crate) mod fxp;
pub(crate) mod progress;
pub(crate) mod refusal;
pub(crate) mod relay;
