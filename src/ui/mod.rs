//! The two-pane terminal UI. State is plain data (`state.rs`, `pane.rs`);
//! `update.rs` turns actions into new state and effects without touching
//! the network; `render.rs` draws from state alone into the rectangles of
//! `layout.rs` (which mouse hit-testing uses too); `app.rs` runs the event
//! loop and carries effects out; `browse.rs` holds each pane's connection.

pub mod app;
pub mod browse;
pub mod format;
pub mod keymap;
pub mod layout;
pub mod pane;
pub mod render;
pub mod state;
pub mod terminal;
pub mod update;

pub use app::{Options, run};
