//! Whole directories: what a tree copy walks, and what `fxpc mirror`
//! compares.
//!
//! - `compare.rs` says what differs between a directory at the source and
//!   the same directory at the destination.
//! - `mirror.rs` is `fxpc mirror`'s plan: both trees walked, each pair of
//!   listings compared.
//! - `walk.rs` is a tree copy's walk: directories made as they are met,
//!   files queued for the line, anything else reported; and the check of
//!   every name a server lists.
//! - `earlier.rs` is what an interrupted run left, for a tree resumed.
//! - `skip.rs` holds the skip lists (names left alone) and the priority
//!   order of a directory's files.

pub mod compare;
pub(crate) mod earlier;
pub mod mirror;
pub mod skip;
pub(crate) mod walk;
