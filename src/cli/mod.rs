//! The subcommands that need more than a few lines, one file each; `main.rs`
//! keeps the argument definitions and the wiring.

pub(crate) mod mirror;
pub(crate) mod queue;
pub(crate) mod run;
pub(crate) mod serve;
pub(crate) mod view;
