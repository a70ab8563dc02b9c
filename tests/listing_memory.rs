//! A directory listing cannot make fxpc use more than 256 MiB, however
//! many names a server sends or however long they are (issue: a hostile
//! server's 10 million entries took 2.7 GB). In a test binary of its own:
//! the peak memory read here is that of this process's children only.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{Hostile, next_addr, temp_root};

const CEILING_KIB: i64 = 256 * 1024;

/// The largest resident size any child of this process reached, in KiB.
fn children_peak_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is
    // always a valid argument.
    let usage = unsafe {
        assert_eq!(
            libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()),
            0
        );
        usage.assume_init()
    };
    usage.ru_maxrss
}

/// `fxpc ls` of a directory of `entries` names of `name_length` bytes:
/// the lines it printed, what it said on stderr, and whether it succeeded.
fn ls(entries: Option<usize>, name_length: usize) -> (usize, String, bool) {
    let count = entries.map(|n| n.to_string());
    let length = name_length.to_string();
    let mut flags = vec![
        "--evil-listing",
        "--endless-listing",
        "--listing-name-length",
        &length,
    ];
    if let Some(count) = &count {
        flags.extend(["--listing-entries", count]);
    }
    let hostile = Hostile::start(&next_addr(), &flags);
    let at = hostile.socket_addr();
    let state = temp_root();
    let mut child = common::fxpc_in(state.path())
        .arg("ls")
        .arg(format!("ftp://{}:{}/", at.ip(), at.port()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let said = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let printed = stdout.split(b'\n').count();
    let status = child.wait().unwrap();
    (printed, said.join().unwrap(), status.success())
}

#[test]
fn a_million_names_are_listed_within_256_mib() {
    let (printed, said, ok) = ls(Some(1_000_000), 8);
    assert!(ok, "{said}");
    assert_eq!(printed, 1_000_000, "{said}");
    let peak = children_peak_kib();
    eprintln!("children peak: {} MiB", peak / 1024);
    assert!(peak < CEILING_KIB, "peak {} MiB", peak / 1024);
}

/// Long names cost what a count of entries does not show: the memory
/// limit stops the listing first, and says so.
#[test]
fn endless_long_names_stop_within_256_mib() {
    let (printed, said, ok) = ls(None, 200);
    assert!(!ok);
    assert_eq!(printed, 0, "{said}");
    assert!(
        said.contains("listing larger than 160 MiB in memory: stopped"),
        "{said}"
    );
    assert!(!said.contains("426"), "{said}");
    let peak = children_peak_kib();
    eprintln!("children peak: {} MiB", peak / 1024);
    assert!(peak < CEILING_KIB, "peak {} MiB", peak / 1024);
}

/// One line that never ends is stopped at the line limit.
#[test]
fn an_endless_line_is_stopped() {
    let (printed, said, ok) = ls(None, 64 * 1024);
    assert!(!ok);
    assert_eq!(printed, 0, "{said}");
    assert!(
        said.contains("listing line longer than 16 KiB: stopped"),
        "{said}"
    );
    let peak = children_peak_kib();
    eprintln!("children peak: {} MiB", peak / 1024);
    assert!(peak < CEILING_KIB, "peak {} MiB", peak / 1024);
}
