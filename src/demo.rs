//! `fxpc demo`: two `fxpc serve` sites in-process on loopback, seeded from
//! `assets/demo/` (embedded in the binary) plus a large generated file, both
//! speaking LSTN/SOCK over TLS (self-signed certificates, pinned for the
//! demo's sites: the first copy a newcomer sees is a secure server-to-server
//! one) and rate-limited so a copy takes long enough to watch. The
//! temporary roots go away when the demo ends.

use std::path::Path;

use crate::ftp::Fingerprint;
use crate::server::{Anonymous, Config, Handle, TlsConfig};

/// About 20 MiB/s per data connection: a 160 MiB copy takes ~8 s.
pub(crate) const DEMO_RATE: u64 = 20 << 20;
const BIG_FILE_SIZE: usize = 160 << 20;

const LEFT: &[(&str, &[u8])] = &[
    (
        "README.txt",
        include_bytes!("../assets/demo/left/README.txt"),
    ),
    ("PROG1.PL1", include_bytes!("../assets/demo/left/PROG1.PL1")),
    (
        "docs/rfc438.txt",
        include_bytes!("../assets/demo/left/docs/rfc438.txt"),
    ),
    (
        "日本語/メモ.txt",
        include_bytes!("../assets/demo/left/日本語/メモ.txt"),
    ),
    (
        "🎵 playlist.m3u",
        include_bytes!("../assets/demo/left/🎵 playlist.m3u"),
    ),
    (
        "a name with spaces.txt",
        include_bytes!("../assets/demo/left/a name with spaces.txt"),
    ),
];
const RIGHT: &[(&str, &[u8])] = &[
    (
        "PROG2.PL1",
        include_bytes!("../assets/demo/right/PROG2.PL1"),
    ),
    (
        "old/report-2025.txt",
        include_bytes!("../assets/demo/right/old/report-2025.txt"),
    ),
];

pub struct Demo {
    pub(crate) left: Handle,
    pub(crate) right: Handle,
    /// The two servers' certificates, for the UI to trust.
    pub fingerprints: Vec<Fingerprint>,
    _roots: (tempfile::TempDir, tempfile::TempDir),
}

impl Demo {
    pub async fn start() -> std::io::Result<Demo> {
        let left_root = tempfile::Builder::new().prefix("fxpc-demo-a.").tempdir()?;
        let right_root = tempfile::Builder::new().prefix("fxpc-demo-b.").tempdir()?;
        seed(left_root.path(), LEFT)?;
        seed(right_root.path(), RIGHT)?;
        write_big_file(&left_root.path().join("big.iso"), BIG_FILE_SIZE)?;
        let tls = TlsConfig::self_signed(&["127.0.0.1".to_string()])?;
        let fingerprints = vec![tls.fingerprint()];
        let left = Handle::spawn(config(left_root.path(), "127.0.0.1", &tls)).await?;
        let right = Handle::spawn(config(right_root.path(), "127.0.0.1", &tls)).await?;
        Ok(Demo {
            left,
            right,
            fingerprints,
            _roots: (left_root, right_root),
        })
    }

    pub fn urls(&self) -> (String, String) {
        (
            format!("ftpes://{}/", self.left.addr()),
            format!("ftpes://{}/", self.right.addr()),
        )
    }
}

fn config(root: &Path, ip: &str, tls: &TlsConfig) -> Config {
    let mut c = Config::new(root, format!("{ip}:0").parse().expect("a loopback address"));
    c.tls = Some(tls.clone());
    c.anonymous = Some(Anonymous::Write);
    // Copies go both ways, so both sites may send to a peer.
    c.allow_fxp = true;
    c.rate = Some(DEMO_RATE);
    c
}

fn seed(root: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    for (name, body) in files {
        let path = root.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, body)?;
    }
    Ok(())
}

/// Cheap, deterministic, incompressible-looking bytes.
fn write_big_file(path: &Path, size: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len());
        file.write_all(&block[..n])?;
        left -= n;
    }
    file.flush()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn demo_sites_are_seeded_and_speak_lstn() {
        let demo = super::Demo::start().await.unwrap();
        let a = demo.left.addr();
        let options = crate::ftp::Options {
            tls: Some(
                crate::ftp::Tls::new(crate::ftp::TlsSettings {
                    mode: crate::ftp::TlsMode::Required,
                    ca_file: None,
                    pinned: demo.fingerprints.clone(),
                })
                .unwrap(),
            ),
            ..Default::default()
        };
        let mut c =
            crate::ftp::Client::open(&a.ip().to_string(), a.port(), &Default::default(), options)
                .await
                .unwrap();
        assert!(c.features().rfc438());
        assert_eq!(c.protection(), (true, true), "the demo is in TLS");
        let names: Vec<String> = c
            .list(None)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.name.into())
            .collect();
        for want in ["big.iso", "PROG1.PL1", "日本語", "🎵 playlist.m3u"] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        assert_eq!(
            c.size("big.iso").await.unwrap(),
            super::BIG_FILE_SIZE as u64
        );
    }
}
