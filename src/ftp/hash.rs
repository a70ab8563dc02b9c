//! File digests a server can compute for us: `HASH` (draft-bryan-ftpext-
//! hash: `FEAT` line `HASH SHA-256;SHA-1*;MD5;CRC32`, `OPTS HASH <algo>`,
//! `213 <algo> <start>-<end> <hex> <path>`) and the older one-algorithm
//! commands `XSHA256`, `XSHA1`, `XMD5`, `XCRC` (`213`/`250 <hex>`). Also the
//! same digests computed here, for bytes on the local disk.

use std::fmt;

use sha2::Digest;

/// The algorithms both kinds of command name, strongest first: the order
/// in which a common one is picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha1,
    Md5,
    Crc32,
}

impl Algorithm {
    pub(crate) const ALL: [Algorithm; 4] = [
        Algorithm::Sha256,
        Algorithm::Sha1,
        Algorithm::Md5,
        Algorithm::Crc32,
    ];

    /// The name `HASH` and `OPTS HASH` use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha1 => "SHA-1",
            Algorithm::Md5 => "MD5",
            Algorithm::Crc32 => "CRC32",
        }
    }

    /// The older command that computes this digest alone.
    pub(crate) fn x_command(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "XSHA256",
            Algorithm::Sha1 => "XSHA1",
            Algorithm::Md5 => "XMD5",
            Algorithm::Crc32 => "XCRC",
        }
    }

    /// From a `HASH` name (any case, with or without the dash).
    pub(crate) fn from_name(name: &str) -> Option<Algorithm> {
        let n: String = name
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        Some(match n.as_str() {
            "SHA256" => Algorithm::Sha256,
            "SHA1" => Algorithm::Sha1,
            "MD5" => Algorithm::Md5,
            "CRC32" => Algorithm::Crc32,
            _ => return None,
        })
    }

    pub(crate) fn from_x_command(verb: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.x_command().eq_ignore_ascii_case(verb))
    }

    pub fn hasher(self) -> Hasher {
        match self {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Algorithm::Md5 => Hasher::Md5(md5::Md5::new()),
            Algorithm::Crc32 => Hasher::Crc32(crc32fast::Hasher::new()),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name().to_ascii_lowercase())
    }
}

/// A running digest of one of the algorithms.
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
    Crc32(crc32fast::Hasher),
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Md5(h) => h.update(bytes),
            Hasher::Crc32(h) => h.update(bytes),
        }
    }

    /// Lower-case hex, as servers write it (CRC32: 8 digits).
    pub fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => hex(&h.finalize()),
            Hasher::Sha1(h) => hex(&h.finalize()),
            Hasher::Md5(h) => hex(&h.finalize()),
            Hasher::Crc32(h) => format!("{:08x}", h.finalize()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The algorithms a `FEAT` line `HASH SHA-256;SHA-1*;MD5` offers, and the
/// one marked current.
pub(crate) fn parse_feat(params: &str) -> (Vec<Algorithm>, Option<Algorithm>) {
    let mut offered = Vec::new();
    let mut current = None;
    for item in params.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, marked) = match item.strip_suffix('*') {
            Some(n) => (n, true),
            None => (item, false),
        };
        if let Some(a) = Algorithm::from_name(name) {
            offered.push(a);
            if marked {
                current = Some(a);
            }
        }
    }
    (offered, current)
}

/// The digest in a reply to `HASH` (`<algo> <start>-<end> <hex> <path>`)
/// or to an `X…` command (`<hex>`, sometimes followed by the path, or the
/// path first as some servers write it), normalised to lower case. `None`
/// when no token looks like a digest of the expected length.
pub(crate) fn parse_digest(message: &str, algorithm: Algorithm) -> Option<String> {
    let digits = match algorithm {
        Algorithm::Sha256 => 64,
        Algorithm::Sha1 => 40,
        Algorithm::Md5 => 32,
        Algorithm::Crc32 => 8,
    };
    message
        .split_whitespace()
        .find(|t| t.len() == digits && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests_of_abc() {
        let digest = |a: Algorithm| {
            let mut h = a.hasher();
            h.update(b"ab");
            h.update(b"c");
            h.finish()
        };
        assert_eq!(
            digest(Algorithm::Sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest(Algorithm::Sha1),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(digest(Algorithm::Md5), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(digest(Algorithm::Crc32), "352441c2");
    }

    #[test]
    fn feat_line_and_current_marker() {
        let (offered, current) = parse_feat("SHA-256;SHA-1*;MD5;CRC32;BLAKE9");
        assert_eq!(
            offered,
            vec![
                Algorithm::Sha256,
                Algorithm::Sha1,
                Algorithm::Md5,
                Algorithm::Crc32
            ]
        );
        assert_eq!(current, Some(Algorithm::Sha1));
    }

    #[test]
    fn digests_in_replies_of_both_kinds() {
        let sha1 = "A9993E364706816ABA3E25717850C26C9CD0D89D";
        assert_eq!(
            parse_digest(&format!("SHA-1 0-3 {sha1} /a b.txt"), Algorithm::Sha1).as_deref(),
            Some("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
        assert_eq!(
            parse_digest("352441C2", Algorithm::Crc32).as_deref(),
            Some("352441c2")
        );
        // A path that happens to be hex of another length is not the digest.
        assert_eq!(parse_digest("/deadbeef 0-3", Algorithm::Md5), None);
    }
}
