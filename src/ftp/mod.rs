//! The FTP protocol client. Knows nothing of transfers between sites or of
//! the UI: it speaks to one server at a time.

pub mod addr;
pub mod client;
pub mod command;
pub mod control;
pub mod error;
pub mod features;
pub mod hash;
pub mod listing;
pub mod reply;
pub mod secret;
pub mod stream;
pub mod tls;
pub mod url;

pub use client::{Client, Login, Options, StoreMode, TimeWay};
pub use error::{FtpError, Result};
pub use features::Features;
pub use listing::{Entry, EntryKind};
pub use reply::Reply;
pub use secret::Secret;
pub use stream::Stream;
pub use tls::{Fingerprint, Tls, TlsMode, TlsSettings};
pub use url::FtpUrl;
