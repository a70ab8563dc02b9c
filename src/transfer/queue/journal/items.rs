//! What a row of the journal holds, and the words its columns use.

use crate::transfer::{Conflict, Kind, Via};

/// What the journal remembers of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub source_url: String,
    pub source_path: Vec<u8>,
    pub destination_url: String,
    pub destination_path: Vec<u8>,
    pub kind: Kind,
    pub conflict: Conflict,
    pub via: Via,
    pub recursive: bool,
    pub state: String,
    /// This item's own bytes reached the destination: a resume may
    /// continue from the destination's size.
    pub wrote: bool,
    /// The tree it is a file of.
    pub parent: Option<i64>,
    /// The process that had it last (gone, or it would not be pending).
    pub owner: Option<i64>,
    /// How its sites were reached when it was queued (TLS, trusted
    /// certificates, connections): a resume reaches them the same way.
    pub settings: Option<ItemSettings>,
}

/// One end's settings, as a run was started with them (`--tls off`,
/// `--ca-file`, `--trust-fingerprint`, `--connections`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EndSettings {
    /// `off`, `if-available`, `required`, `implicit`.
    pub tls: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<std::path::PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<String>,
    pub connections: usize,
    #[serde(default)]
    pub allow_clear_data: bool,
}

/// What an item was queued with, beyond its sites' URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<EndSettings>,
}

impl ItemSettings {
    pub fn of(spec: &crate::transfer::JobSpec) -> ItemSettings {
        let end = |location: &crate::transfer::Location| match &location.site {
            crate::transfer::Site::Ftp(site) => Some(EndSettings {
                tls: match site.options.tls.as_ref().map(|t| t.settings.mode) {
                    None | Some(crate::ftp::TlsMode::Off) => "off",
                    Some(crate::ftp::TlsMode::IfAvailable) => "if-available",
                    Some(crate::ftp::TlsMode::Required) => "required",
                    Some(crate::ftp::TlsMode::Implicit) => "implicit",
                }
                .to_string(),
                ca_file: site
                    .options
                    .tls
                    .as_ref()
                    .and_then(|t| t.settings.ca_file.clone()),
                pinned: site
                    .options
                    .tls
                    .as_ref()
                    .map(|t| t.settings.pinned.iter().map(|f| f.to_string()).collect())
                    .unwrap_or_default(),
                connections: site.max_connections,
                allow_clear_data: site.allow_clear_data,
            }),
            crate::transfer::Site::Local => None,
        };
        ItemSettings {
            source: end(&spec.source),
            destination: end(&spec.destination),
        }
    }
}

/// How a new item is described when its job is queued.
pub struct NewItem<'a> {
    pub source_url: &'a str,
    pub source_path: &'a [u8],
    pub destination_url: &'a str,
    pub destination_path: &'a [u8],
    pub kind: Kind,
    pub conflict: Conflict,
    pub via: Via,
    pub recursive: bool,
    pub parent: Option<i64>,
    /// `ItemSettings` as JSON.
    pub settings: Option<&'a str>,
}

pub(super) fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Copy => "copy",
        Kind::Append => "append",
        Kind::Move => "move",
    }
}

pub(super) fn kind_of(s: &str) -> Kind {
    match s {
        "append" => Kind::Append,
        "move" => Kind::Move,
        _ => Kind::Copy,
    }
}

pub(super) fn conflict_name(c: Conflict) -> &'static str {
    match c {
        Conflict::Ask => "ask",
        Conflict::Overwrite => "overwrite",
        Conflict::Resume => "resume",
        Conflict::Append => "append",
        Conflict::Skip => "skip",
        Conflict::Rename => "rename",
    }
}

pub(super) fn conflict_of(s: &str) -> Conflict {
    match s {
        "overwrite" => Conflict::Overwrite,
        "resume" => Conflict::Resume,
        "append" => Conflict::Append,
        "skip" => Conflict::Skip,
        "rename" => Conflict::Rename,
        _ => Conflict::Ask,
    }
}

pub(super) fn via_name(v: Via) -> &'static str {
    match v {
        Via::Auto => "auto",
        Via::Lstn => "lstn",
        Via::Fxp => "fxp",
        Via::Relay => "relay",
    }
}

pub(super) fn via_of(s: &str) -> Via {
    match s {
        "lstn" => Via::Lstn,
        "fxp" => Via::Fxp,
        "relay" => Via::Relay,
        _ => Via::Auto,
    }
}
