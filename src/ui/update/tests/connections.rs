//! Connections and results.

use super::*;

fn typed_connect(s: &mut State, side: Side, url: &str) -> u64 {
    if side != s.active_side() {
        press(s, KeyCode::Tab);
    }
    press(s, KeyCode::F(2));
    clear_input(s);
    type_text(s, url);
    match press(s, KeyCode::Enter).as_slice() {
        [Effect::Connect { attempt, .. }] => *attempt,
        other => panic!("{other:?}"),
    }
}

#[test]
fn history_keeps_urls_without_passwords_and_only_those_that_worked() {
    let mut s = state();
    let attempt = typed_connect(&mut s, Side::Left, "ftp://bob:hunter2@127.0.0.2:2121/pub");
    assert!(s.history.is_empty(), "not before it worked");
    connected(&mut s, Side::Left, attempt);
    assert_eq!(s.history, ["ftp://bob@127.0.0.2:2121/pub"]);
    // A failed one and an invalid one are not added.
    let attempt = typed_connect(&mut s, Side::Left, "ftp://eve:pw@127.0.0.3/");
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Left,
            attempt,
            error: "530 Login incorrect.".into(),
        },
    );
    press(&mut s, KeyCode::Esc);
    let attempt = typed_connect(&mut s, Side::Left, "ftp://[::1");
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Left,
            attempt,
            error: "invalid URL".into(),
        },
    );
    assert_eq!(s.history, ["ftp://bob@127.0.0.2:2121/pub"]);
    assert!(!format!("{:?}", s.targets).contains("shown: \"ftp://eve:pw"));
}

#[test]
fn both_panes_get_their_password_question_in_turn() {
    let mut s = state();
    let a = dialing(&mut s, Side::Left, "ftp://u@127.0.0.2/");
    let b = dialing(&mut s, Side::Right, "ftp://u@127.0.0.3/");
    for (side, attempt, url) in [
        (Side::Left, a, "ftp://u@127.0.0.2/"),
        (Side::Right, b, "ftp://u@127.0.0.3/"),
    ] {
        update(
            &mut s,
            Action::NeedPassword {
                side,
                attempt,
                url: url.into(),
            },
        );
    }
    let asked = |s: &State| match &s.dialog {
        Some(Dialog::Input(dialog::Input {
            purpose: InputPurpose::Password(side),
            title,
            ..
        })) => (*side, title.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        asked(&s),
        (
            Side::Left,
            "Password for ftp://u@127.0.0.2/ (left pane)".into()
        )
    );
    type_text(&mut s, "pw-a");
    match press(&mut s, KeyCode::Enter).as_slice() {
        [
            Effect::Connect {
                side: Side::Left,
                password: Some(p),
                ..
            },
        ] => assert_eq!(p.expose(), "pw-a"),
        other => panic!("{other:?}"),
    }
    // The second question follows at once.
    assert_eq!(asked(&s).0, Side::Right);
    // Esc leaves that pane not connected, saying how to ask again.
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
    assert!(
        s.pane(Side::Right)
            .error
            .as_deref()
            .is_some_and(|e| e.contains("Ctrl-R"))
    );
    assert!(!s.pane(Side::Right).loading);
    press(&mut s, KeyCode::Tab);
    let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
    match fx.as_slice() {
        [
            Effect::Connect {
                side: Side::Right,
                target,
                password: None,
                ..
            },
        ] => assert_eq!(target, "ftp://u@127.0.0.3/"),
        other => panic!("Ctrl-R dials again: {other:?}"),
    }
}

#[test]
fn a_password_question_waits_behind_an_open_dialog() {
    let mut s = state();
    let a = dialing(&mut s, Side::Left, "ftp://u@127.0.0.2/");
    press(&mut s, KeyCode::F(1));
    update(
        &mut s,
        Action::NeedPassword {
            side: Side::Left,
            attempt: a,
            url: "ftp://u@127.0.0.2/".into(),
        },
    );
    assert!(matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))));
    // A connect error elsewhere does not replace the open dialog either.
    let b = dialing(&mut s, Side::Right, "ftp://127.0.0.3/");
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Right,
            attempt: b,
            error: "connection refused".into(),
        },
    );
    assert!(matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))));
    press(&mut s, KeyCode::Esc);
    assert!(matches!(
        s.dialog,
        Some(Dialog::Input(dialog::Input {
            purpose: InputPurpose::Password(Side::Left),
            ..
        }))
    ));
}

#[test]
fn esc_stops_a_pending_connect_and_its_late_result_is_dropped() {
    let mut s = state();
    let attempt = typed_connect(&mut s, Side::Right, "ftp://slow@127.0.0.9/");
    assert!(s.targets[1].as_ref().is_some_and(|t| t.connecting));
    let fx = press(&mut s, KeyCode::Esc);
    assert!(matches!(
        fx.as_slice(),
        [Effect::CancelConnect { side: Side::Right }]
    ));
    assert!(!s.pane(Side::Right).loading);
    assert!(
        s.status
            .contains("stopped connecting to ftp://slow@127.0.0.9/")
    );
    // The old pane stays as it was; the late answer changes nothing.
    let fx = connected(&mut s, Side::Right, attempt);
    assert!(fx.is_empty());
    assert_eq!(s.pane(Side::Right).cwd, b"/in");
    assert!(s.history.is_empty());
}

#[test]
fn rename_onto_an_existing_name_asks() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "PROG1.PL1");
    update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
    clear_input(&mut s);
    type_text(&mut s, "notes.txt");
    assert!(
        press(&mut s, KeyCode::Enter).is_empty(),
        "nothing renamed yet"
    );
    assert!(matches!(
        s.dialog,
        Some(Dialog::ConfirmOverwrite(dialog::ConfirmOverwrite { .. }))
    ));
    // Enter is not "yes".
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(s.dialog.is_none());
    update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
    clear_input(&mut s);
    type_text(&mut s, "notes.txt");
    press(&mut s, KeyCode::Enter);
    match ch(&mut s, 'o').as_slice() {
        [
            Effect::Rename {
                from,
                to,
                overwrite: true,
                ..
            },
        ] => {
            assert_eq!(from, b"/pub/PROG1.PL1");
            assert_eq!(to, b"/pub/notes.txt");
        }
        other => panic!("{other:?}"),
    }
    // Renaming to its own name does nothing.
    update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
    assert!(press(&mut s, KeyCode::Enter).is_empty());
}

#[test]
fn need_password_asks_masked_and_connects_with_it() {
    let mut s = state();
    let url = "ftp://user@mirror-a:21/pub".to_string();
    let attempt = dialing(&mut s, Side::Right, &url);
    assert!(
        update(
            &mut s,
            Action::NeedPassword {
                side: Side::Right,
                attempt,
                url: url.clone(),
            },
        )
        .is_empty()
    );
    match &s.dialog {
        Some(Dialog::Input(dialog::Input {
            purpose,
            masked,
            context,
            title,
            ..
        })) => {
            assert_eq!(*purpose, InputPurpose::Password(Side::Right));
            assert!(*masked);
            assert_eq!(context, &url);
            assert_eq!(
                title,
                "Password for ftp://user@mirror-a:21/pub (right pane)"
            );
        }
        other => panic!("{other:?}"),
    }
    type_text(&mut s, "hunter2");
    let fx = press(&mut s, KeyCode::Enter);
    match fx.as_slice() {
        [
            Effect::Connect {
                side,
                target,
                password: Some(p),
                ..
            },
        ] => {
            assert_eq!(*side, Side::Right);
            assert_eq!(target, &url);
            assert_eq!(p.expose(), "hunter2");
        }
        other => panic!("{other:?}"),
    }
    assert!(s.pane(Side::Right).loading);
    assert!(s.history.is_empty(), "passwords never reach the history");
}

#[test]
fn connect_dialog_walks_the_history() {
    let mut s = state();
    s.history = vec!["ftp://a/".into(), "ftp://b/".into()];
    url_line(&mut s);
    assert!(matches!(
        s.dialog,
        Some(Dialog::Input(dialog::Input {
            purpose: InputPurpose::Connect(Side::Left),
            ..
        }))
    ));
    assert_eq!(input_text(&s), "ftp://");
    press(&mut s, KeyCode::Up);
    assert_eq!(input_text(&s), "ftp://a/", "newest first");
    press(&mut s, KeyCode::Up);
    assert_eq!(input_text(&s), "ftp://b/");
    press(&mut s, KeyCode::Up);
    assert_eq!(input_text(&s), "ftp://b/", "stops at the oldest");
    press(&mut s, KeyCode::Down);
    assert_eq!(input_text(&s), "ftp://a/");
    press(&mut s, KeyCode::Down);
    assert_eq!(input_text(&s), "", "past the newest: a blank line");
    type_text(&mut s, "ftp://c:2121/x");
    let fx = press(&mut s, KeyCode::Enter);
    match fx.as_slice() {
        [
            Effect::Connect {
                side: Side::Left,
                target,
                password: None,
                attempt,
            },
        ] => {
            assert_eq!(target, "ftp://c:2121/x");
            connected(&mut s, Side::Left, *attempt);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.history, ["ftp://c:2121/x", "ftp://a/", "ftp://b/"]);

    // Again with an old one: it moves to the front, once.
    press(&mut s, KeyCode::F(2));
    clear_input(&mut s);
    type_text(&mut s, "ftp://b/");
    let attempt = match press(&mut s, KeyCode::Enter).as_slice() {
        [Effect::Connect { attempt, .. }] => *attempt,
        other => panic!("{other:?}"),
    };
    assert!(s.pane(Side::Left).loading);
    connected(&mut s, Side::Left, attempt);
    assert_eq!(s.history, ["ftp://b/", "ftp://c:2121/x", "ftp://a/"]);

    // The bare prefix connects nowhere.
    url_line(&mut s);
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(s.dialog.is_none());
}

/// The pane's connect worked (to the local disk, which is enough for
/// the state's bookkeeping).
fn connected(s: &mut State, side: Side, attempt: u64) -> Vec<Effect> {
    update(
        s,
        Action::Connected {
            side,
            attempt,
            place: Place::Local,
            site: None,
            cwd: b"/tmp".to_vec(),
            rfc438: false,
            protection: (false, false),
            clear_because: None,
        },
    )
}

#[test]
fn connected_failed_listed_and_op_done() {
    let mut s = state();
    let attempt = dialing(&mut s, Side::Right, "local:/tmp");
    let fx = update(
        &mut s,
        Action::Connected {
            side: Side::Right,
            attempt,
            place: Place::Local,
            site: None,
            cwd: b"/tmp".to_vec(),
            rfc438: false,
            protection: (false, false),
            clear_because: None,
        },
    );
    assert_eq!(lists(&fx), ["right:/tmp"]);
    assert!(s.sites[1].is_none());
    assert!(s.pane(Side::Right).entries.is_empty() && s.pane(Side::Right).loading);

    update(
        &mut s,
        Action::Listed {
            side: Side::Right,
            path: b"/tmp".to_vec(),
            result: Err("550 No such directory".into()),
        },
    );
    assert_eq!(
        s.pane(Side::Right).error.as_deref(),
        Some("550 No such directory")
    );
    assert_eq!(s.status, "right pane: 550 No such directory");
    assert!(!s.pane(Side::Right).loading);

    let attempt = dialing(&mut s, Side::Left, "ftp://u:pw@mirror-a/");
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Left,
            attempt,
            error: "530 Login incorrect.".into(),
        },
    );
    assert!(
        matches!(&s.dialog, Some(Dialog::Message(dialog::Message { title, text }))
        if title == "Cannot connect" && text == "530 Login incorrect.")
    );
    assert_eq!(
        s.pane(Side::Left).error.as_deref(),
        Some("530 Login incorrect. (Ctrl-R tries again)")
    );
    press(&mut s, KeyCode::Enter);
    assert!(s.dialog.is_none());

    let fx = update(
        &mut s,
        Action::OpDone {
            side: Side::Left,
            result: Ok("made /pub/new".into()),
        },
    );
    assert_eq!(lists(&fx), ["left:/pub"]);
    assert_eq!(s.status, "made /pub/new");
    let fx = update(
        &mut s,
        Action::OpDone {
            side: Side::Left,
            result: Err("550 Permission denied".into()),
        },
    );
    assert_eq!(lists(&fx), ["left:/pub"]);
    assert!(
        matches!(&s.dialog, Some(Dialog::Message(dialog::Message { title, .. })) if title == "Operation failed")
    );

    update(&mut s, Action::Notice("reconnected to mirror-a".into()));
    assert_eq!(s.status, "reconnected to mirror-a");
    update(&mut s, Action::Resize(100, 40));
    assert_eq!(s.size, (100, 40));
}

/// Issue 9 item 13: a status line stops saying what stopped being true.
#[test]
fn messages_stop_when_they_stop_being_true() {
    let mut s = state();
    let attempt = dialing(&mut s, Side::Right, "ftp://u:pw@mirror-b:2121/");
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Right,
            attempt,
            error: "connection refused".into(),
        },
    );
    press(&mut s, KeyCode::Esc);
    assert!(s.status.contains("connection refused"));
    // The left pane working says nothing about the right one.
    update(
        &mut s,
        Action::Listed {
            side: Side::Left,
            path: b"/pub".to_vec(),
            result: Ok(left_entries()),
        },
    );
    assert!(s.status.contains("connection refused"));
    assert!(
        s.pane(Side::Left).error.is_none(),
        "nor in the other footer"
    );
    // Ctrl-R on the right: it connects, and the error goes.
    press(&mut s, KeyCode::Tab);
    let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let [Effect::Connect { attempt, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    connected(&mut s, Side::Right, *attempt);
    assert_eq!(s.status, crate::ui::state::IDLE_STATUS);

    // "copying 1 item" gives way to the outcome once nothing runs.
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::F(5));
    press(&mut s, KeyCode::Enter);
    assert!(s.status.starts_with("copying 1 item:"), "{}", s.status);
    queued(
        &mut s,
        1,
        "ftp://mirror-a/pub/notes.txt",
        "local:/tmp/notes.txt",
        Kind::Copy,
    );
    engine(
        &mut s,
        1,
        EventKind::Verified {
            mode: Mode::LstnSock,
            bytes: 100,
            size: 100,
            check: crate::transfer::Check::Size,
            source_deleted: false,
            source_kept: None,
            renamed_to: None,
            protection: None,
        },
    );
    assert_eq!(s.status, "transfers done: 1 file verified, 0 failed");
}

/// Issue 10: a refused certificate asks whether to trust it; trusting saves
/// the fingerprint and dials again.
#[test]
fn a_refused_certificate_can_be_trusted_for_the_site() {
    let mut s = state();
    let attempt = dialing(&mut s, Side::Right, "ftps://bob:pw@127.0.0.3/");
    update(
        &mut s,
        Action::CertificateRefused {
            side: Side::Right,
            attempt,
            target: "ftps://bob:pw@127.0.0.3/".into(),
            site: "ftps://bob@127.0.0.3:990".into(),
            reason: "self-signed".into(),
            fingerprint: "SHA256:AB".into(),
        },
    );
    assert!(matches!(s.dialog, Some(Dialog::Trust(_))));
    assert!(
        s.pane(Side::Right)
            .error
            .as_deref()
            .unwrap()
            .contains("self-signed")
    );
    // Enter is not "trust".
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(s.dialog.is_none());
    // Ctrl-R dials again and the question comes back; t trusts.
    press(&mut s, KeyCode::Tab);
    let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let [Effect::Connect { attempt, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    update(
        &mut s,
        Action::CertificateRefused {
            side: Side::Right,
            attempt: *attempt,
            target: "ftps://bob:pw@127.0.0.3/".into(),
            site: "ftps://bob@127.0.0.3:990".into(),
            reason: "self-signed".into(),
            fingerprint: "SHA256:AB".into(),
        },
    );
    let fx = ch(&mut s, 't');
    match fx.as_slice() {
        [
            Effect::TrustCertificate {
                target,
                fingerprint,
            },
            Effect::Connect {
                side: Side::Right,
                target: again,
                ..
            },
        ] => {
            assert_eq!(fingerprint, "SHA256:AB");
            assert_eq!(target, again);
        }
        other => panic!("{other:?}"),
    }
}
