//! Found reviewing the snapshots.

use super::*;

#[test]
fn help_scrolls_to_its_last_line() {
    let mut s = state();
    press(&mut s, KeyCode::F(1));
    let scroll = |s: &State| match s.dialog {
        Some(Dialog::Help(dialog::Help { scroll })) => scroll,
        ref other => panic!("{other:?}"),
    };
    assert_eq!(scroll(&s), 0);
    let rows = help_rows(s.size);
    let n = keymap::help_lines().len();
    assert_eq!(rows, 19, "80x24: 22-row box, borders, OK button");
    assert!(n > rows, "{n} lines need scrolling at 80x24");
    press(&mut s, KeyCode::Down);
    ch(&mut s, 'j');
    assert_eq!(scroll(&s), 2);
    ch(&mut s, 'k');
    assert_eq!(scroll(&s), 1);
    press(&mut s, KeyCode::End);
    assert_eq!(scroll(&s), n - rows);
    press(&mut s, KeyCode::Down);
    assert_eq!(scroll(&s), n - rows, "stops at the last line");
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Up);
    assert_eq!(scroll(&s), 0);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(scroll(&s), (n - rows).min(rows));
    press(&mut s, KeyCode::PageUp);
    assert_eq!(scroll(&s), 0);
    assert!(s.dialog.is_some() && !s.quit);

    // Tall enough: nothing to scroll.
    update(&mut s, Action::Resize(120, 50));
    press(&mut s, KeyCode::End);
    assert_eq!(scroll(&s), 0);
    assert!(help_rows(s.size) >= n);
}

#[test]
fn a_multi_line_error_is_one_status_line() {
    let mut s = state();
    let attempt = dialing(&mut s, Side::Left, "ftp://u@mirror-a/");
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Left,
            attempt,
            error: "login refused:\n530 Login incorrect.\n".into(),
        },
    );
    assert_eq!(
        s.status,
        "Cannot connect: login refused: 530 Login incorrect."
    );
    match &s.dialog {
        Some(Dialog::Message(dialog::Message { text, .. })) => {
            assert_eq!(
                text, "login refused:\n530 Login incorrect.\n",
                "the dialog keeps the lines"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn leaving_the_transfers_panel_returns_to_the_pane_that_had_focus() {
    let mut s = state();
    s.transfers
        .set_rows(vec![job(1, "big.iso", JobState::Running)]);
    press(&mut s, KeyCode::Tab);
    cursor_on(&mut s, Side::Right, "log.txt");
    press(&mut s, KeyCode::F(9));
    assert_eq!(s.focus, Focus::Transfers);
    assert_eq!(s.active_side(), Side::Right);
    // A pane command from the panel acts on that pane.
    press(&mut s, KeyCode::F(5));
    assert_eq!(transfer(&s).from, Side::Right);
    assert_eq!(item_names(&transfer(&s).items), ["log.txt"]);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.focus, Focus::Transfers, "Esc closed the dialog only");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.focus, Focus::Pane(Side::Right));
    // Clicked into the panel from the left pane, Tab goes back left.
    let t = Instant::now();
    let p = row_point(&s, Side::Left, 1);
    down(&mut s, p, t);
    up(&mut s, p, t);
    let tr = areas(80, 24).transfer_rows;
    down(&mut s, (tr.x + 1, tr.y), t + Duration::from_secs(1));
    assert_eq!(s.focus, Focus::Transfers);
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, Focus::Pane(Side::Left));
}
