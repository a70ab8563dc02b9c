//! Dialogs with the mouse.

use super::*;

#[test]
fn transfer_dialog_buttons_click() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "big.iso");
    press(&mut s, KeyCode::F(5));
    let t = Instant::now();
    {
        let p = button(&s, Button::Kind(Kind::Move));
        down(&mut s, p, t)
    };
    assert_eq!(transfer(&s).kind, Kind::Move);
    {
        let p = button(&s, Button::Kind(Kind::Append));
        down(&mut s, p, t)
    };
    assert_eq!(transfer(&s).kind, Kind::Append);
    {
        let p = button(&s, Button::Kind(Kind::Copy));
        down(&mut s, p, t)
    };
    assert_eq!(transfer(&s).kind, Kind::Copy);
    for c in [
        Conflict::Overwrite,
        Conflict::Resume,
        Conflict::Append,
        Conflict::Skip,
        Conflict::Rename,
        Conflict::Ask,
    ] {
        {
            let p = button(&s, Button::Conflict(c));
            down(&mut s, p, t)
        };
        assert_eq!(transfer(&s).conflict, c);
    }
    {
        let p = button(&s, Button::Conflict(Conflict::Resume));
        down(&mut s, p, t)
    };
    // A click inside the dialog but on no button changes nothing.
    let (bx, by) = button(&s, Button::Kind(Kind::Copy));
    down(&mut s, (bx, by - 2), t);
    assert_eq!(transfer(&s).kind, Kind::Copy);
    // A click on a pane behind the dialog is ignored.
    down(&mut s, (2, 2), t);
    assert!(matches!(s.dialog, Some(Dialog::Transfer(_))));
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));

    let fx = {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, Kind::Copy);
    assert_eq!(jobs[0].conflict, Conflict::Resume);
    assert!(s.dialog.is_none());

    press(&mut s, KeyCode::F(5));
    assert!(
        {
            let p = button(&s, Button::Cancel);
            down(&mut s, p, t)
        }
        .is_empty()
    );
    assert!(s.dialog.is_none());
}

#[test]
fn transfer_dialog_buttons_all_fit_on_a_small_terminal() {
    let mut s = state();
    update(&mut s, Action::Resize(60, 20));
    cursor_on(&mut s, Side::Left, "big.iso");
    press(&mut s, KeyCode::F(5));
    let t = Instant::now();
    {
        let p = button(&s, Button::Conflict(Conflict::Rename));
        down(&mut s, p, t)
    };
    assert_eq!(transfer(&s).conflict, Conflict::Rename);
    {
        let p = button(&s, Button::Kind(Kind::Move));
        down(&mut s, p, t)
    };
    // Every button sits inside the dialog, none overlaps the next.
    let buttons = s.dialog.as_ref().unwrap().buttons(s.size);
    assert_eq!(buttons.len(), 3 + 6 + 2);
    for pair in buttons.windows(2) {
        let (a, b) = (pair[0].0, pair[1].0);
        assert!(a.y != b.y || a.x + a.width < b.x, "{a:?} {b:?}");
        assert!(b.x + b.width <= 60);
    }
    let fx = {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    assert_eq!(submits(&fx)[0].kind, Kind::Move);

    // The question about an existing file, likewise.
    queued(
        &mut s,
        1,
        "ftp://mirror-a:21/pub/a",
        "ftp://mirror-b:2121/in/a",
        Kind::Copy,
    );
    conflict_event(&mut s, 1, "a");
    assert_eq!(s.dialog.as_ref().unwrap().buttons(s.size).len(), 5 + 1);
    let p = button(&s, Button::Answer(Conflict::Rename));
    assert_eq!(answers(&down(&mut s, p, t)), [(1, Conflict::Rename)]);
}

#[test]
fn append_picker_rows_click() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "PROG1.PL1");
    press(&mut s, KeyCode::F(4));
    let t = Instant::now();
    {
        let p = button(&s, Button::Pick(1));
        down(&mut s, p, t)
    };
    let d = transfer(&s);
    assert_eq!(d.kind, Kind::Append);
    assert_eq!(d.append_target.as_ref().unwrap().name, "PROG2.PL1");
    let fx = {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    assert_eq!(
        loc(&submits(&fx)[0].destination),
        "mirror-b:2121/in/PROG2.PL1"
    );
}

#[test]
fn other_dialogs_answer_clicks() {
    let mut s = state();
    let t = Instant::now();
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(8));
    let fx = {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    assert!(matches!(fx.as_slice(), [Effect::Delete { .. }]), "{fx:?}");

    press(&mut s, KeyCode::F(7));
    type_text(&mut s, "d");
    let fx = {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    assert!(matches!(fx.as_slice(), [Effect::Mkdir { .. }]), "{fx:?}");

    press(&mut s, KeyCode::F(3));
    assert!(matches!(s.dialog, Some(Dialog::View(_))));
    {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    assert!(s.dialog.is_none());

    s.transfers.set_rows(vec![job(1, "x", JobState::Running)]);
    ch(&mut s, 'q');
    assert!(
        {
            let p = button(&s, Button::Cancel);
            down(&mut s, p, t)
        }
        .is_empty()
    );
    assert!(s.dialog.is_none() && !s.quit);
    ch(&mut s, 'q');
    let fx = {
        let p = button(&s, Button::Ok);
        down(&mut s, p, t)
    };
    assert!(matches!(fx.as_slice(), [Effect::Quit]));
}
