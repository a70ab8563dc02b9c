//! The ends of a copy, and the sessions that reach them.
//!
//! - `site.rs` names sites (an FTP server with its login and TLS settings,
//!   or the local disk) and paths on them.
//! - `pool.rs` keeps each site's logged-in sessions within its connection
//!   limit: the transfers', the one that polls sizes for progress, and
//!   those a cancel or a failure asks with; it says `QUIT` on the idle ones
//!   when a run ends.
//! - `ends.rs` takes a job's two sessions from the pools, in an order that
//!   cannot deadlock.
//! - `endpoint.rs` puts an FTP session and the local disk behind one type:
//!   what the engine asks of an end (a size, a digest, a delete).

pub(crate) mod endpoint;
pub(crate) mod ends;
pub(crate) mod pool;
pub(crate) mod site;
