//! What a server says it can do, from its `FEAT` reply (RFC 2389).

use super::hash::{self, Algorithm};
use super::reply::Reply;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// Every feature line, trimmed, as sent (`"MLST type*;size*;"`, `"LSTN"`).
    pub lines: Vec<String>,
    /// MLST facts the server offers, lower-cased, without the `*` marker.
    pub mlst_facts: Vec<String>,
    pub mlst: bool,
    pub size: bool,
    pub mdtm: bool,
    /// `MFMT` (draft-somers-ftp-mfxx): sets a file's modification time.
    pub mfmt: bool,
    pub rest_stream: bool,
    pub utf8: bool,
    pub epsv: bool,
    pub eprt: bool,
    pub lstn: bool,
    pub sock: bool,
    pub(crate) sscn: bool,
    pub(crate) cpsv: bool,
    /// `PRET`: the server wants to hear the transfer command before
    /// `PASV` (drftpd refuses `PASV` without it).
    pub(crate) pret: bool,
    /// `AUTH TLS`, `AUTH SSL` … mechanisms.
    pub(crate) auth: Vec<String>,
    /// Algorithms of the `HASH` command, and the one currently selected.
    pub(crate) hash: Vec<Algorithm>,
    pub(crate) hash_current: Option<Algorithm>,
    /// Algorithms offered as `XSHA256`, `XSHA1`, `XMD5`, `XCRC`.
    pub(crate) x_hash: Vec<Algorithm>,
}

impl Features {
    /// Whether `AUTH TLS` is offered (`AUTH TLS`, `AUTH TLS;SSL`, …).
    pub(crate) fn auth_tls(&self) -> bool {
        self.auth
            .iter()
            .flat_map(|m| m.split(';'))
            .any(|m| m.eq_ignore_ascii_case("TLS") || m.eq_ignore_ascii_case("TLS-C"))
    }

    /// From a 211 reply. Feature lines start with a space (RFC 2389 §3.2);
    /// lines that don't (the header, "End") are not features.
    pub(crate) fn from_reply(reply: &Reply) -> Features {
        let mut f = Features::default();
        let n = reply.lines().len();
        for (i, raw) in reply.lines().iter().enumerate() {
            // The first and last lines are the reply's own text.
            if i == 0 || (i + 1 == n && n > 1) {
                continue;
            }
            let line = String::from_utf8_lossy(raw).trim().to_string();
            if line.is_empty() {
                continue;
            }
            f.add(&line);
        }
        f
    }

    fn add(&mut self, line: &str) {
        let (name, params) = match line.split_once(' ') {
            Some((n, p)) => (n.to_ascii_uppercase(), p.trim()),
            None => (line.to_ascii_uppercase(), ""),
        };
        match name.as_str() {
            "MLST" | "MLSD" => {
                self.mlst = true;
                self.mlst_facts.extend(
                    params
                        .split(';')
                        .filter(|s| !s.is_empty())
                        .map(|s| s.trim_end_matches('*').to_ascii_lowercase()),
                );
            }
            "SIZE" => self.size = true,
            "MDTM" => self.mdtm = true,
            "MFMT" => self.mfmt = true,
            "REST" => self.rest_stream |= params.eq_ignore_ascii_case("STREAM"),
            "UTF8" => self.utf8 = true,
            "EPSV" => self.epsv = true,
            "EPRT" => self.eprt = true,
            "LSTN" => self.lstn = true,
            "SOCK" => self.sock = true,
            "SSCN" => self.sscn = true,
            "CPSV" => self.cpsv = true,
            "PRET" => self.pret = true,
            "AUTH" => self
                .auth
                .extend(params.split_whitespace().map(str::to_string)),
            "HASH" => (self.hash, self.hash_current) = hash::parse_feat(params),
            other => {
                if let Some(a) = Algorithm::from_x_command(other) {
                    self.x_hash.push(a);
                }
            }
        }
        self.lines.push(line.to_string());
    }

    /// Every digest the server can compute, by either kind of command.
    pub(crate) fn hash_algorithms(&self) -> Vec<Algorithm> {
        let mut all: Vec<Algorithm> = self.hash.iter().chain(&self.x_hash).copied().collect();
        all.sort();
        all.dedup();
        all
    }

    /// Both halves of the RFC 438 profile; a client must not send `LSTN` otherwise.
    pub fn rfc438(&self) -> bool {
        self.lstn && self.sock
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::reply::parse;

    fn feat(raw: &[u8]) -> Features {
        Features::from_reply(&parse(raw).unwrap().0)
    }

    #[test]
    fn vsftpd_feat() {
        let f = feat(b"211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n");
        assert!(f.eprt && f.epsv && f.mdtm && f.rest_stream && f.size && f.utf8);
        assert!(!f.mlst && !f.lstn && !f.rfc438());
    }

    #[test]
    fn pyftpdlib_feat_with_mlst_facts() {
        let f = feat(b"211-Features supported:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End FEAT.\r\n");
        assert!(f.mlst);
        assert_eq!(
            &f.mlst_facts[..5],
            ["type", "perm", "size", "modify", "unique"]
        );
    }

    #[test]
    fn rfc438_needs_both_words() {
        let f = feat(b"211-Features:\r\n LSTN\r\n SOCK\r\n AUTH TLS SSL\r\n SSCN\r\n211 End\r\n");
        assert!(f.rfc438() && f.sscn);
        assert_eq!(f.auth, ["TLS", "SSL"]);
        let f = feat(b"211-Features:\r\n LSTN\r\n211 End\r\n");
        assert!(!f.rfc438());
    }

    #[test]
    fn header_and_end_are_not_features() {
        let f = feat(b"211-SIZE is not a feature here\r\n MDTM\r\n211 SIZE\r\n");
        assert!(f.mdtm && !f.size);
    }
}
