//! What TLS costs a tree copy: sessions are pooled and data connections
//! resume their control connection's TLS session, so 40 files between two
//! TLS vsftpd (relayed: neither can be a TLS client) make a handful of
//! full handshakes, not 120. Alone in its binary: the counters are the
//! process's.

mod common;

use fxpc::ftp::{Fingerprint, Options, Tls, TlsMode, TlsSettings};
use fxpc::transfer::{Engine, JobSpec, Location, Mode, Via};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tree_copy_costs_a_handful_of_full_handshakes() {
    let (a, b) = (common::next_addr(), common::next_addr());
    let (cert_a, cert_b) = (
        common::test_cert(&[&a], 1, 30),
        common::test_cert(&[&b], 1, 30),
    );
    let (root_a, root_b) = (common::temp_root(), common::temp_root());
    let conf = |c| common::vsftpd_tls(c, true, true, false);
    let Some(va) = common::Vsftpd::start_with(&a, root_a.path(), true, &conf(&cert_a)) else {
        return;
    };
    let Some(vb) = common::Vsftpd::start_with(&b, root_b.path(), true, &conf(&cert_b)) else {
        return;
    };
    const FILES: usize = 40;
    for i in 0..FILES {
        common::seed(
            &va.files().join("tree"),
            &format!("f{i:02}.bin"),
            &common::pseudo_random(2000 + i, i as u64),
        );
    }
    let site = |addr, der: &[u8]| {
        let mut site = (*common::jobs::site(addr)).clone();
        site.options = Options {
            tls: Some(
                Tls::new(TlsSettings {
                    mode: TlsMode::Required,
                    ca_file: None,
                    pinned: vec![Fingerprint::of(der)],
                })
                .unwrap(),
            ),
            ..site.options
        };
        std::sync::Arc::new(site)
    };
    let (engine, mut rx) = Engine::new(common::jobs::settings());
    let before = fxpc::ftp::stream::handshakes();
    let events = common::jobs::run(
        &engine,
        &mut rx,
        JobSpec {
            recursive: true,
            ..common::jobs::copy(
                Location::ftp(site(va.socket_addr(), &cert_a.der), "/pub/tree"),
                Location::ftp(site(vb.socket_addr(), &cert_b.der), "/pub/tree"),
                Via::Auto,
            )
        },
    )
    .await;
    let after = fxpc::ftp::stream::handshakes();
    let verified = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                fxpc::transfer::EventKind::Verified {
                    mode: Mode::Relay,
                    ..
                }
            )
        })
        .count();
    assert_eq!(verified, FILES, "{events:#?}");
    for i in 0..FILES {
        let name = format!("tree/f{i:02}.bin");
        assert_eq!(
            std::fs::read(vb.files().join(&name)).unwrap(),
            std::fs::read(va.files().join(&name)).unwrap(),
            "{name}"
        );
    }
    let (full, resumed) = (after.0 - before.0, after.1 - before.1);
    eprintln!("{FILES} files relayed in TLS: {full} full handshakes, {resumed} resumed");
    // Control connections: a few per site (pooled); every data connection
    // (two per file, plus listings) resumes.
    assert!(full <= 10, "{full} full handshakes");
    assert!(resumed >= 2 * FILES as u64, "{resumed} resumed");
}
