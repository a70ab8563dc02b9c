//! Whole directories: what a tree copy walks, and what `fxpc mirror`
//! compares.
//!
//! - `compare.rs` says what differs between a directory at the source and
//!   the same directory at the destination.
//! - `mirror.rs` is `fxpc mirror`'s plan: both trees walked, each pair of
//!   listings compared.
//! - `skip.rs` holds the skip lists (names left alone) and the priority
//!   order of a directory's files.

pub mod compare;
pub mod mirror;
pub mod skip;
