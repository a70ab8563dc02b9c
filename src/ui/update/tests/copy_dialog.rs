//! Copy / move / append.

use super::*;

#[test]
fn f5_opens_the_copy_dialog_for_the_selection() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "docs");
    press(&mut s, KeyCode::Insert);
    press(&mut s, KeyCode::Insert);
    assert!(press(&mut s, KeyCode::F(5)).is_empty());
    let d = transfer(&s);
    assert_eq!(d.kind, Kind::Copy);
    assert_eq!(d.from, Side::Left);
    assert_eq!(item_names(&d.items), ["docs", "big.iso"]);
    assert!(d.items[0].is_dir && !d.items[1].is_dir);
    assert_eq!(d.items[1].size, Some(4_509_715_660));
    assert_eq!(d.source_dir, b"/pub");
    assert_eq!(d.destination_dir, b"/in");
    assert_eq!(d.conflict, Conflict::Ask, "asks per file by default");
    assert_eq!(d.append_target, None);
    assert_eq!(
        d.mode_hint,
        "FXP (PASV on destination, PORT on source); relay if refused"
    );

    let fx = press(&mut s, KeyCode::Enter);
    assert!(s.dialog.is_none());
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 2, "one job per item");
    assert_eq!(loc(&jobs[0].source), "mirror-a:21/pub/docs");
    assert_eq!(loc(&jobs[0].destination), "mirror-b:2121/in/docs");
    assert!(jobs[0].recursive, "directories copy recursively");
    assert_eq!(loc(&jobs[1].source), "mirror-a:21/pub/big.iso");
    assert_eq!(loc(&jobs[1].destination), "mirror-b:2121/in/big.iso");
    assert!(!jobs[1].recursive);
    for j in &jobs {
        assert_eq!(j.kind, Kind::Copy);
        assert_eq!(j.conflict, Conflict::Ask);
        assert_eq!(j.via, Via::Auto);
    }
    assert!(s.pane(Side::Left).selected.is_empty(), "selection consumed");
    assert!(s.status.starts_with("copying 2 items: FXP"), "{}", s.status);
}

/// A hostile server may list `../../x`: such a name is never joined
/// to a destination, and the status says it was left out.
#[test]
fn f5_leaves_out_names_that_are_not_plain() {
    let mut s = state();
    *s.pane_mut(Side::Left) = pane_with(
        Place::Ftp {
            url: "ftp://mirror-a:21/".into(),
        },
        "/pub",
        vec![entry("../../escape", false, 5), entry("ok.txt", false, 5)],
    );
    for name in ["../../escape", "ok.txt"] {
        cursor_on(&mut s, Side::Left, name);
        press(&mut s, KeyCode::Insert);
    }
    press(&mut s, KeyCode::F(5));
    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(loc(&jobs[0].destination), "mirror-b:2121/in/ok.txt");
    assert!(
        s.status.contains("1 left out: their names are not plain"),
        "{}",
        s.status
    );
}

#[test]
fn f5_without_selection_copies_the_cursor_entry_the_other_way_too() {
    let mut s = state();
    press(&mut s, KeyCode::Tab);
    cursor_on(&mut s, Side::Right, "log.txt");
    press(&mut s, KeyCode::F(5));
    let d = transfer(&s);
    assert_eq!(d.from, Side::Right);
    assert_eq!(item_names(&d.items), ["log.txt"]);
    assert_eq!(
        (d.source_dir.as_slice(), d.destination_dir.as_slice()),
        (&b"/in"[..], &b"/pub"[..])
    );
    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(loc(&jobs[0].source), "mirror-b:2121/in/log.txt");
    assert_eq!(loc(&jobs[0].destination), "mirror-a:21/pub/log.txt");
}

#[test]
fn mode_hint_names_what_will_be_tried() {
    let mut s = state();
    s.rfc438 = [true, true];
    cursor_on(&mut s, Side::Left, "big.iso");
    press(&mut s, KeyCode::F(5));
    assert_eq!(transfer(&s).mode_hint, "LSTN/SOCK (server to server)");
    press(&mut s, KeyCode::Esc);

    s.sites[1] = None;
    s.pane_mut(Side::Right).place = Place::Local;
    press(&mut s, KeyCode::F(5));
    assert_eq!(transfer(&s).mode_hint, "download");
    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(loc(&jobs[0].destination), "local:/in/big.iso");

    press(&mut s, KeyCode::Tab);
    cursor_on(&mut s, Side::Right, "log.txt");
    press(&mut s, KeyCode::F(5));
    assert_eq!(transfer(&s).mode_hint, "upload");
    s.sites[0] = None;
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::F(5));
    assert_eq!(transfer(&s).mode_hint, "local copy");
}

#[test]
fn f5_needs_a_connected_other_pane() {
    let mut s = state();
    *s.pane_mut(Side::Right) = Pane::new(Place::Nowhere, Vec::new());
    cursor_on(&mut s, Side::Left, "big.iso");
    assert!(press(&mut s, KeyCode::F(5)).is_empty());
    match &s.dialog {
        Some(Dialog::Message(dialog::Message { title, .. })) => assert_eq!(title, "No destination"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn esc_cancels_the_transfer_dialog() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "big.iso");
    press(&mut s, KeyCode::Insert);
    press(&mut s, KeyCode::F(5));
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.dialog.is_none());
    assert_eq!(selected(&s, Side::Left), ["big.iso"], "selection kept");
}

#[test]
fn rows_arrows_and_letters_pick_the_kind_and_the_conflict_policy() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "big.iso");
    press(&mut s, KeyCode::F(5));
    let kind = |s: &State| transfer(s).kind;
    // The operation row has the keys first: arrows choose within it.
    press(&mut s, KeyCode::Right);
    assert_eq!(kind(&s), Kind::Append);
    press(&mut s, KeyCode::Right);
    assert_eq!(kind(&s), Kind::Move);
    press(&mut s, KeyCode::Right);
    assert_eq!(kind(&s), Kind::Copy);
    press(&mut s, KeyCode::Left);
    assert_eq!(kind(&s), Kind::Move);
    press(&mut s, KeyCode::F(4));
    assert_eq!(kind(&s), Kind::Append, "F4 picks append");
    press(&mut s, KeyCode::F(6));
    assert_eq!(kind(&s), Kind::Move);

    let conflict = |s: &State| transfer(s).conflict;
    for (c, want) in [
        ('r', Conflict::Resume),
        ('a', Conflict::Append),
        ('s', Conflict::Skip),
        ('n', Conflict::Rename),
        ('o', Conflict::Overwrite),
        ('?', Conflict::Ask),
        ('o', Conflict::Overwrite),
    ] {
        ch(&mut s, c);
        assert_eq!(conflict(&s), want, "key {c}");
    }
    // Tab to the "if the target exists" row: arrows and Space move there.
    press(&mut s, KeyCode::Tab);
    for want in [
        Conflict::Resume,
        Conflict::Append,
        Conflict::Skip,
        Conflict::Rename,
        Conflict::Ask,
        Conflict::Overwrite,
    ] {
        ch(&mut s, ' ');
        assert_eq!(conflict(&s), want, "space cycles");
    }
    press(&mut s, KeyCode::Right);
    assert_eq!(conflict(&s), Conflict::Resume, "→ too");
    assert_eq!(kind(&s), Kind::Move, "the operation row stays");
    ch(&mut s, 's');
    // Tab to OK/Cancel: → Cancel, Enter cancels; ← OK, Enter copies.
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Right);
    let mut cancelled = s.dialog.clone();
    if let Some(Dialog::Transfer(d)) = &mut cancelled {
        let mut copy = State::new(
            s.pane(Side::Left).clone(),
            s.pane(Side::Right).clone(),
            s.size,
        );
        copy.dialog = Some(Dialog::Transfer(d.clone()));
        assert!(
            press(&mut copy, KeyCode::Enter).is_empty(),
            "Cancel has the focus"
        );
        assert!(copy.dialog.is_none());
    }
    press(&mut s, KeyCode::Left);

    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, Kind::Move);
    assert_eq!(jobs[0].conflict, Conflict::Skip);
}

#[test]
fn f6_moves() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "docs");
    press(&mut s, KeyCode::F(6));
    assert_eq!(transfer(&s).kind, Kind::Move);
    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(jobs[0].kind, Kind::Move);
    assert!(jobs[0].recursive);
    assert_eq!(loc(&jobs[0].destination), "mirror-b:2121/in/docs");
    assert!(s.status.starts_with("moving 1 item:"), "{}", s.status);
}

#[test]
fn f4_picks_a_target_and_appends_onto_it() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "PROG1.PL1");
    assert!(press(&mut s, KeyCode::F(4)).is_empty());
    let picker = |s: &State| match &s.dialog {
        Some(Dialog::AppendPicker(dialog::AppendPicker {
            from,
            source,
            candidates,
            cursor,
        })) => (
            *from,
            source.name.clone(),
            item_names(candidates).join(","),
            *cursor,
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        picker(&s),
        (
            Side::Left,
            "PROG1.PL1".into(),
            "log.txt,PROG2.PL1".into(),
            0
        ),
        "files only, in the pane's order"
    );
    press(&mut s, KeyCode::Down);
    assert_eq!(picker(&s).3, 1);
    press(&mut s, KeyCode::Down);
    assert_eq!(picker(&s).3, 1, "stops at the last");
    ch(&mut s, 'k');
    assert_eq!(picker(&s).3, 0);
    ch(&mut s, 'j');

    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let d = transfer(&s);
    assert_eq!(d.kind, Kind::Append);
    assert_eq!(item_names(&d.items), ["PROG1.PL1"]);
    assert_eq!(d.append_target.as_ref().unwrap().name, "PROG2.PL1");
    assert_eq!(d.append_target.as_ref().unwrap().size, Some(3 * 1024));

    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, Kind::Append);
    assert_eq!(loc(&jobs[0].source), "mirror-a:21/pub/PROG1.PL1");
    assert_eq!(
        loc(&jobs[0].destination),
        "mirror-b:2121/in/PROG2.PL1",
        "the target file, not the source's name"
    );
    assert!(!jobs[0].recursive);
}

#[test]
fn f4_preselects_a_file_of_the_same_name_and_esc_cancels() {
    let mut s = state();
    let mut entries = vec![entry("a", false, 1), entry("notes.txt", false, 2)];
    entries.push(entry("z", false, 3));
    s.pane_mut(Side::Right).set_entries(entries);
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(4));
    assert!(matches!(
        s.dialog,
        Some(Dialog::AppendPicker(dialog::AppendPicker { cursor: 1, .. }))
    ));
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.dialog.is_none());
}

#[test]
fn f4_refuses_directories_and_empty_targets() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "docs");
    press(&mut s, KeyCode::F(4));
    assert!(s.dialog.is_none());
    assert!(s.status.contains("put it on a file"), "{}", s.status);

    cursor_on(&mut s, Side::Left, "big.iso");
    s.pane_mut(Side::Right)
        .set_entries(vec![entry("only-a-dir", true, 0)]);
    press(&mut s, KeyCode::F(4));
    match &s.dialog {
        Some(Dialog::Message(dialog::Message { title, text })) => {
            assert_eq!(title, "Append");
            assert!(text.contains("no file"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn appending_a_directory_is_refused() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "docs");
    press(&mut s, KeyCode::F(5));
    press(&mut s, KeyCode::Right);
    assert_eq!(transfer(&s).kind, Kind::Append);
    let fx = press(&mut s, KeyCode::Enter);
    assert!(fx.is_empty());
    assert!(
        matches!(&s.dialog, Some(Dialog::Message(dialog::Message { title, .. })) if title == "Append")
    );
}
