//! The command line below `main.rs` (which dispatches): `args.rs` the
//! arguments, `operands.rs` what a URL or a path on it becomes, one file
//! per larger subcommand (`cp`, `mirror`, `queue`, `serve`), `run.rs` the
//! event loop the copying ones share and `view.rs` what they print. Each
//! imports what it uses by name, never the crate root: the root imports
//! them.

pub(crate) mod args;
pub(crate) mod cp;
pub(crate) mod mirror;
pub(crate) mod operands;
pub(crate) mod queue;
pub(crate) mod run;
pub(crate) mod serve;
pub(crate) mod sites;
pub(crate) mod view;
