//! Engine events.

use super::*;

#[test]
fn engine_events_drive_the_rows() {
    let mut s = state();
    queued(
        &mut s,
        7,
        "ftp://mirror-a:21/pub/big.iso",
        "ftp://mirror-b:2121/in/big.iso",
        Kind::Copy,
    );
    queued(
        &mut s,
        8,
        "ftp://mirror-b:2121/in/PROG2.PL1",
        "ftp://mirror-a:21/pub/PROG1.PL1",
        Kind::Append,
    );
    let r = row(&s, 7);
    assert_eq!((&*r.name, &*r.destination_name), ("big.iso", "big.iso"));
    assert_eq!(&*r.direction, "a→b");
    assert_eq!(r.state, JobState::Queued);
    assert_eq!(r.mode, None);
    let r = row(&s, 8);
    assert_eq!(&*r.direction, "b→a");
    assert_eq!((&*r.name, &*r.destination_name), ("PROG2.PL1", "PROG1.PL1"));
    assert_eq!(r.kind, Kind::Append);

    let fx = engine(
        &mut s,
        7,
        EventKind::Started {
            mode: Mode::LstnSock,
            total: Some(1000),
            offset: 250,
        },
    );
    assert!(fx.is_empty());
    let r = row(&s, 7);
    assert_eq!(r.state, JobState::Running);
    assert_eq!(r.mode, Some(Mode::LstnSock));
    assert_eq!(
        (r.done, r.total),
        (250, Some(1000)),
        "a resume starts at the offset"
    );

    engine(
        &mut s,
        7,
        EventKind::Progress {
            done: 680,
            total: None,
            rate: 1_500_000.0,
            eta: Some(Duration::from_secs(12)),
            measured: true,
            elapsed: Duration::from_secs(1),
        },
    );
    let r = row(&s, 7);
    assert_eq!((r.done, r.total), (680, Some(1000)), "total kept");
    assert_eq!(r.progress().rate, 1_500_000.0);
    assert_eq!(r.progress().eta, Some(12));
    assert!(r.progress().measured);
    assert_eq!(
        r.progress().rates.iter().copied().collect::<Vec<_>>(),
        [1_500_000]
    );

    engine(
        &mut s,
        7,
        EventKind::ModeChanged {
            from: Mode::LstnSock,
            to: Mode::Fxp {
                source_passive: false,
            },
            reason: "502 LSTN not understood".into(),
        },
    );
    let r = row(&s, 7);
    assert_eq!(
        r.mode,
        Some(Mode::Fxp {
            source_passive: false
        })
    );
    assert_eq!(r.note.as_deref(), Some("502 LSTN not understood"));

    let fx = engine(
        &mut s,
        7,
        EventKind::Verified {
            mode: Mode::Fxp {
                source_passive: false,
            },
            bytes: 1000,
            size: 1000,
            check: crate::transfer::Check::Size,
            source_deleted: false,
            source_kept: None,
            renamed_to: None,
            protection: None,
        },
    );
    assert!(fx.is_empty(), "job 8 is still queued: no reload yet");
    let r = row(&s, 7);
    assert_eq!(r.state, JobState::Verified);
    assert_eq!((r.done, r.total), (1000, Some(1000)));
    assert_eq!(r.progress().rate, 0.0);
    assert_eq!(
        r.note.as_deref(),
        Some("FXP: 502 LSTN not understood, resumed from 250 B"),
        "why the way changed comes first (issue 24: say why); a size check \
         is the ordinary one; the resume is said"
    );
    // A digest check is said (the same row again, as if retried).
    engine(
        &mut s,
        7,
        EventKind::Started {
            mode: Mode::LstnSock,
            total: Some(1000),
            offset: 250,
        },
    );
    engine(
        &mut s,
        7,
        EventKind::Verified {
            mode: Mode::LstnSock,
            bytes: 1000,
            size: 1000,
            check: crate::transfer::Check::Hash(crate::ftp::hash::Algorithm::Sha256),
            source_deleted: false,
            source_kept: None,
            renamed_to: None,
            protection: None,
        },
    );
    assert_eq!(
        row(&s, 7).note.as_deref(),
        Some("resumed from 250 B, sha-256 matches")
    );
    assert_eq!(s.transfers.running(), 1);

    let fx = engine(
        &mut s,
        8,
        EventKind::Failed {
            reason: "append refused".into(),
            replies: vec!["553 Could not create file.".into(), "421 Bye".into()],
        },
    );
    assert_eq!(
        row(&s, 8).state,
        JobState::Failed("553 Could not create file.".into()),
        "the cause, not the summary"
    );
    assert_eq!(s.status, "PROG2.PL1 failed: 553 Could not create file.");
    assert_eq!(
        lists(&fx),
        ["left:/pub", "right:/in"],
        "the last job ended: both panes reload"
    );
}

#[test]
fn cancelled_walked_skipped_and_unknown_jobs() {
    let mut s = state();
    queued(
        &mut s,
        1,
        "ftp://mirror-a:21/pub/big.iso",
        "ftp://mirror-b:2121/in/big.iso",
        Kind::Copy,
    );
    queued(
        &mut s,
        2,
        "ftp://mirror-a:21/pub/docs",
        "ftp://mirror-b:2121/in/docs",
        Kind::Copy,
    );
    queued(
        &mut s,
        3,
        "ftp://mirror-a:21/pub/x",
        "ftp://mirror-b:2121/in/x",
        Kind::Move,
    );

    let fx = engine(
        &mut s,
        1,
        EventKind::Cancelled {
            partial: Some(2048),
            kept_because: None,
        },
    );
    assert!(fx.is_empty());
    assert_eq!(row(&s, 1).state, JobState::Cancelled);
    assert_eq!(
        row(&s, 1).note.as_deref(),
        Some("2.0 KiB kept at the destination")
    );

    engine(
        &mut s,
        2,
        EventKind::Walked {
            files: 3,
            directories: 2,
        },
    );
    assert_eq!(
        row(&s, 2).state,
        JobState::Walked("3 files in 2 directories".into())
    );

    assert!(
        engine(
            &mut s,
            99,
            EventKind::Cancelled {
                partial: None,
                kept_because: None,
            }
        )
        .is_empty()
    );
    assert_eq!(
        s.transfers.jobs.len(),
        3,
        "events of unknown jobs are ignored"
    );

    let fx = engine(
        &mut s,
        3,
        EventKind::Skipped {
            path: "/in/x".into(),
            reason: "exists".into(),
        },
    );
    assert_eq!(row(&s, 3).state, JobState::Skipped("exists".into()));
    assert_eq!(s.status, "skipped /in/x: exists");
    assert_eq!(lists(&fx), ["left:/pub", "right:/in"]);
}

#[test]
fn cancelled_without_partial_and_retrying_notes() {
    let mut s = state();
    queued(
        &mut s,
        1,
        "/home/u/a",
        "ftp://mirror-b:2121/in/a",
        Kind::Copy,
    );
    engine(
        &mut s,
        1,
        EventKind::Retrying {
            attempt: 2,
            reason: "421 Too many users".into(),
            after: None,
        },
    );
    assert_eq!(
        row(&s, 1).note.as_deref(),
        Some("retry 2: 421 Too many users")
    );
    // A retry that waits says how long, as it happens (issue 24).
    engine(
        &mut s,
        1,
        EventKind::Retrying {
            attempt: 3,
            reason: "the source: cannot connect".into(),
            after: Some(std::time::Duration::from_secs(8)),
        },
    );
    let note = row(&s, 1).note.as_deref().unwrap_or_default().to_string();
    assert!(note.starts_with("retrying in 8"), "{note}");
    assert!(
        note.ends_with("the source: cannot connect (retry 3)"),
        "{note}"
    );
    engine(
        &mut s,
        1,
        EventKind::Cancelled {
            partial: None,
            kept_because: None,
        },
    );
    assert_eq!(
        row(&s, 1).note.as_deref(),
        Some("nothing left at the destination")
    );
}

#[test]
fn direction_letters_follow_the_panes() {
    let mut s = state();
    // The local disk on the left.
    s.sites[0] = None;
    queued(
        &mut s,
        1,
        "/home/u/a.txt",
        "ftp://mirror-b:2121/in/a.txt",
        Kind::Copy,
    );
    queued(
        &mut s,
        2,
        "ftp://mirror-b:2121/in/b",
        "/home/u/b",
        Kind::Copy,
    );
    assert_eq!(&*row(&s, 1).direction, "a→b");
    assert_eq!(&*row(&s, 2).direction, "b→a");
}

#[test]
fn direction_is_not_fooled_by_a_port_that_prefixes_another() {
    // Same host, ports 21 and 2121: "ftp://h:21" is a string prefix of
    // "ftp://h:2121/...".
    let mut s = state();
    s.sites = [Some(site("h", 21)), Some(site("h", 2121))];
    queued(
        &mut s,
        1,
        "ftp://h:2121/in/x",
        "ftp://h:21/pub/x",
        Kind::Copy,
    );
    queued(
        &mut s,
        2,
        "ftp://h:21/pub/y",
        "ftp://h:2121/in/y",
        Kind::Copy,
    );
    assert_eq!(&*row(&s, 1).direction, "b→a");
    assert_eq!(&*row(&s, 2).direction, "a→b");
}

#[test]
fn sparkline_history_is_bounded() {
    let mut s = state();
    queued(
        &mut s,
        1,
        "ftp://mirror-a:21/pub/a",
        "ftp://mirror-b:2121/in/a",
        Kind::Copy,
    );
    for i in 0..(SPARKLINE_POINTS as u64 + 5) {
        engine(
            &mut s,
            1,
            EventKind::Progress {
                done: i,
                total: Some(1000),
                rate: i as f64,
                eta: None,
                measured: true,
                elapsed: Duration::from_secs(1),
            },
        );
    }
    let r = row(&s, 1);
    assert_eq!(r.progress().rates.len(), SPARKLINE_POINTS);
    assert_eq!(r.progress().rates.front(), Some(&5), "oldest dropped");
    assert_eq!(r.progress().eta, None);
}

/// Issue 9 item 7: the row's reason is the cause, the tree row follows its
/// files, rows say what happened, a discard that kept the file says why.
#[test]
fn rows_say_the_cause_and_what_happened() {
    let mut s = state();
    queued(
        &mut s,
        1,
        "ftp://mirror-a/pub/big.iso",
        "ftp://mirror-b:2121/in/big.iso",
        Kind::Copy,
    );
    engine(
        &mut s,
        1,
        EventKind::Failed {
            reason: "the source: the connection broke (broken pipe)".into(),
            replies: vec!["destination: 452 Insufficient storage space".into()],
        },
    );
    let r = row(&s, 1);
    assert_eq!(
        r.state,
        JobState::Failed("destination: 452 Insufficient storage space".into())
    );
    assert!(
        r.story.as_deref().unwrap().contains("broken pipe"),
        "Enter has it all"
    );
    s.focus = Focus::Transfers;
    s.transfers.selected = 0;
    press(&mut s, KeyCode::Enter);
    let Some(Dialog::Message(m)) = &s.dialog else {
        panic!("{:?}", s.dialog)
    };
    assert!(
        m.text.contains("broken pipe") && m.text.contains("452"),
        "{}",
        m.text
    );
    press(&mut s, KeyCode::Esc);

    // A tree: its row follows its two files.
    let tree = |s: &mut State, id: JobId, parent: JobId, name: &str| {
        queued_between_mirrors(s, id, Some(parent), &format!("docs/{name}"));
    };
    queued(
        &mut s,
        10,
        "ftp://mirror-a/pub/docs",
        "ftp://mirror-b:2121/in/docs",
        Kind::Copy,
    );
    tree(&mut s, 11, 10, "a.txt");
    tree(&mut s, 12, 10, "b.txt");
    engine(
        &mut s,
        10,
        EventKind::Walked {
            files: 2,
            directories: 1,
        },
    );
    let verified = |bytes: u64, renamed_to: Option<&str>| EventKind::Verified {
        mode: Mode::LstnSock,
        bytes,
        size: bytes,
        check: crate::transfer::Check::Size,
        source_deleted: false,
        source_kept: None,
        renamed_to: renamed_to.map(str::to_string),
        protection: None,
    };
    engine(&mut s, 11, verified(5, None));
    assert!(
        matches!(row(&s, 10).state, JobState::Walked(_)),
        "one file to go"
    );
    engine(&mut s, 12, verified(7, Some("b.txt.1")));
    assert_eq!(row(&s, 10).state, JobState::Verified, "not left \"walked\"");
    assert_eq!(row(&s, 12).note.as_deref(), Some("renamed to b.txt.1"));

    // An append says how much it added.
    queued(
        &mut s,
        20,
        "ftp://mirror-a/pub/x",
        "ftp://mirror-b:2121/in/log.txt",
        Kind::Append,
    );
    engine(&mut s, 20, verified(12, None));
    assert_eq!(row(&s, 20).note.as_deref(), Some("appended 12 B"));

    // Cancel and discard, where the file existed before: the row says it
    // was kept, and why, as the status does.
    queued(
        &mut s,
        30,
        "ftp://mirror-a/pub/y",
        "ftp://mirror-b:2121/in/y",
        Kind::Copy,
    );
    s.transfers.selected = s.transfers.jobs.len() - 1;
    ch(&mut s, 'D');
    engine(
        &mut s,
        30,
        EventKind::Cancelled {
            partial: Some(2048),
            kept_because: Some("it existed before this copy".into()),
        },
    );
    let note = row(&s, 30).note.as_deref().unwrap().to_string();
    assert_eq!(
        note,
        "2.0 KiB kept at the destination: it existed before this copy"
    );
    assert!(s.status.contains(&note), "{}", s.status);
}

/// Issue 10: a job whose ends both keep their data in TLS shows a lock;
/// one clear end, and it does not.
#[test]
fn a_row_is_locked_when_both_ends_protect_their_data() {
    let mut s = state();
    s.protection = [(true, true), (true, true)];
    queued(
        &mut s,
        1,
        "ftp://mirror-a/pub/x",
        "ftp://mirror-b:2121/in/x",
        Kind::Copy,
    );
    assert!(row(&s, 1).protected);
    s.protection[1] = (true, false);
    queued(
        &mut s,
        2,
        "ftp://mirror-a/pub/y",
        "ftp://mirror-b:2121/in/y",
        Kind::Copy,
    );
    assert!(!row(&s, 2).protected);
}

/// Issue 11: a tree's row, with files that all ended before its walk did,
/// and names its walk left out (`Skipped` on the tree: about a file, not
/// the tree). "transfers done" counts files, not the trees.
#[test]
fn a_tree_row_is_settled_by_its_files_whatever_the_order_and_skips_do_not_end_it() {
    let mut s = state();
    // As a submission leaves it.
    s.status = "copying 1 item".into();
    s.status_of_transfers = Some(s.status.clone());
    let queued = queued_between_mirrors;
    queued(&mut s, 1, None, "docs");
    engine(
        &mut s,
        1,
        EventKind::Skipped {
            path: "ftp://mirror-a/pub/docs/x.tmp".into(),
            reason: "excluded by a skip pattern".into(),
        },
    );
    assert_eq!(row(&s, 1).state, JobState::Queued, "the tree goes on");
    assert_eq!(
        s.status,
        "skipped ftp://mirror-a/pub/docs/x.tmp: excluded by a skip pattern"
    );
    s.status = "copying 1 item".into();
    queued(&mut s, 3, Some(1), "docs/b");
    // Out of order: a second walk's file queued between.
    queued(&mut s, 2, Some(1), "docs/a");
    assert_eq!(
        s.transfers.jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let verified = |bytes: u64| EventKind::Verified {
        mode: Mode::LstnSock,
        bytes,
        size: bytes,
        check: crate::transfer::Check::Size,
        source_deleted: false,
        source_kept: None,
        renamed_to: None,
        protection: None,
    };
    engine(&mut s, 2, verified(5));
    engine(&mut s, 3, verified(7));
    assert_eq!(s.transfers.unfinished, 1, "the walk has not ended");
    let fx = engine(
        &mut s,
        1,
        EventKind::Walked {
            files: 2,
            directories: 1,
        },
    );
    let tree = row(&s, 1);
    assert_eq!(tree.state, JobState::Verified);
    assert_eq!((tree.done, tree.note.as_deref()), (12, Some("2 files")));
    // The way its files went, not "queued" (issue 24: say it right).
    assert_eq!(tree.mode, Some(Mode::LstnSock));
    assert_eq!(s.status, "transfers done: 2 files verified, 0 failed");
    assert!(
        fx.iter().any(|f| matches!(f, Effect::List { .. })),
        "{fx:?}"
    );
}
