//! The FTP protocol client. Knows nothing of transfers between sites or of
//! the UI: it speaks to one server at a time.

pub mod addr;
pub mod client;
pub mod command;
pub(crate) mod control;
pub(crate) mod error;
pub(crate) mod features;
pub mod hash;
pub mod listing;
pub mod reply;
pub(crate) mod secret;
pub mod stream;
pub mod tls;
pub(crate) mod url;

pub use client::{Client, Login, Options, StoreMode, TimeWay};
pub use error::{FtpError, Result};
pub use listing::{Entry, EntryKind};
pub use reply::Reply;
pub use secret::Secret;
pub use tls::{Fingerprint, Tls, TlsMode, TlsSettings};
pub use url::FtpUrl;
