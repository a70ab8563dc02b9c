//! The two-pane terminal UI. State is plain data (`state.rs`, `pane.rs`,
//! `side.rs`); `update/` turns actions into new state and effects without
//! touching the network; `render.rs` draws from state alone into the
//! rectangles of `layout.rs` (which mouse hit-testing uses too);
//! `dialog/` holds one file per dialog (`sites/`, F2's site manager, a
//! folder) (its state, keys, buttons and
//! drawing); `app.rs` runs the event loop and carries effects out;
//! `browse.rs` holds each pane's connection.

pub mod app;
pub mod browse;
pub mod dialog;
pub(crate) mod format;
pub mod keymap;
pub mod layout;
pub(crate) mod palette;
pub mod pane;
pub mod render;
pub(crate) mod side;
pub mod state;
pub(crate) mod terminal;
pub mod update;

pub use app::{Options, run};
