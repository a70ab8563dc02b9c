//! Work that waits: in memory for this run, on disk for the next.
//!
//! - `line.rs` is the line of files waiting for a transfer slot (moved,
//!   paused), plain items until their turn.
//! - `journal/` is the SQLite journal of queued work that a later run
//!   resumes (`fxpc queue resume`).

pub mod journal;
mod line;

pub(crate) use line::*;
