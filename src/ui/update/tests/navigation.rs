//! Navigation.

use super::*;

#[test]
fn arrows_and_vi_keys_move_the_cursor() {
    let mut s = state();
    assert_eq!(s.pane(Side::Left).cursor, 0, "starts on ..");
    press(&mut s, KeyCode::Down);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("docs"));
    ch(&mut s, 'j');
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));
    ch(&mut s, 'k');
    assert_eq!(s.pane(Side::Left).cursor, 1);
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Up);
    assert_eq!(s.pane(Side::Left).cursor, 0, "stops at the top");
    press(&mut s, KeyCode::End);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("PROG1.PL1"));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.pane(Side::Left).cursor, 4, "stops at the bottom");
    press(&mut s, KeyCode::Home);
    assert_eq!(s.pane(Side::Left).cursor, 0);
    ch(&mut s, 'G');
    assert_eq!(s.pane(Side::Left).cursor, 4);
    ch(&mut s, 'g');
    assert_eq!(s.pane(Side::Left).cursor, 0);
    assert_eq!(s.pane(Side::Right).cursor, 0, "the other pane stays");
}

#[test]
fn pages_move_by_the_visible_height_and_scroll_follows() {
    let mut s = long_state();
    let page = areas(80, 24).rows[0].height as usize;
    assert_eq!(page, 13);
    assert_eq!(s.pane(Side::Left).row_count(), 41);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.pane(Side::Left).cursor, 13);
    assert_eq!(s.pane(Side::Left).scroll, 1, "cursor on the last row");
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.pane(Side::Left).cursor, 26);
    assert_eq!(s.pane(Side::Left).scroll, 14);
    press(&mut s, KeyCode::PageDown);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.pane(Side::Left).cursor, 40, "clamped at the end");
    assert_eq!(s.pane(Side::Left).scroll, 28);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(s.pane(Side::Left).cursor, 27);
    assert_eq!(s.pane(Side::Left).scroll, 27);
    press(&mut s, KeyCode::Home);
    assert_eq!(
        (s.pane(Side::Left).cursor, s.pane(Side::Left).scroll),
        (0, 0)
    );
    press(&mut s, KeyCode::End);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("f39"));
    assert_eq!(s.pane(Side::Left).scroll, 41 - 13);
}

#[test]
fn enter_on_a_directory_lists_it_and_backspace_returns_to_it() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "docs");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(lists(&fx), ["left:/pub/docs"]);
    assert!(s.pane(Side::Left).loading);
    assert_eq!(
        s.pane(Side::Left).cwd,
        b"/pub",
        "cwd changes with the listing"
    );

    let fx = update(
        &mut s,
        Action::Listed {
            side: Side::Left,
            path: b"/pub/docs".to_vec(),
            result: Ok(vec![entry("readme", false, 1)]),
        },
    );
    assert!(fx.is_empty());
    let p = s.pane(Side::Left);
    assert_eq!(p.cwd, b"/pub/docs");
    assert!(!p.loading);
    assert_eq!(names(p), ["readme"]);
    assert_eq!(p.cursor, 0);

    let fx = press(&mut s, KeyCode::Backspace);
    assert_eq!(lists(&fx), ["left:/pub"]);
    update(
        &mut s,
        Action::Listed {
            side: Side::Left,
            path: b"/pub".to_vec(),
            result: Ok(left_entries()),
        },
    );
    assert_eq!(
        cursor_name(&s, Side::Left).as_deref(),
        Some("docs"),
        "back on the directory we came from"
    );
}

#[test]
fn enter_on_dotdot_and_h_and_l() {
    let mut s = state();
    assert_eq!(s.pane(Side::Left).cursor, 0);
    assert_eq!(lists(&press(&mut s, KeyCode::Enter)), ["left:/"]);
    assert_eq!(lists(&ch(&mut s, 'h')), ["left:/"]);
    cursor_on(&mut s, Side::Left, "docs");
    assert_eq!(lists(&ch(&mut s, 'l')), ["left:/pub/docs"]);

    // At the root there is no parent.
    let mut s = state();
    *s.pane_mut(Side::Left) = pane_with(Place::Local, "/", left_entries());
    assert!(press(&mut s, KeyCode::Backspace).is_empty());
    assert_eq!(s.pane(Side::Left).row_count(), 4, "no .. at /");
}

#[test]
fn enter_on_a_file_shows_its_details() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "notes.txt");
    assert!(matches!(
        press(&mut s, KeyCode::Enter).as_slice(),
        [Effect::Peek { name, .. }] if name == "notes.txt"
    ));
    match &s.dialog {
        Some(Dialog::View(v)) => {
            assert_eq!(v.name, "notes.txt");
            assert_eq!(v.lines[0], "size: 100 bytes (100 B)");
        }
        other => panic!("{other:?}"),
    }
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
    press(&mut s, KeyCode::F(3));
    assert!(matches!(s.dialog, Some(Dialog::View(_))), "F3 views");
}

#[test]
fn tab_switches_the_pane_that_keys_move() {
    let mut s = state();
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, Focus::Pane(Side::Right));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.pane(Side::Right).cursor, 1);
    assert_eq!(s.pane(Side::Left).cursor, 0);
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, Focus::Pane(Side::Left));
}

#[test]
fn ctrl_r_reloads_the_pane() {
    let mut s = state();
    let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(lists(&fx), ["left:/pub"]);
    assert!(s.pane(Side::Left).loading);
    *s.pane_mut(Side::Left) = Pane::new(Place::Nowhere, Vec::new());
    let fx = update(&mut s, key_with(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert!(fx.is_empty(), "nothing to reload when not connected");
}

#[test]
fn key_releases_are_ignored() {
    let mut s = state();
    let mut k = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    k.kind = KeyEventKind::Release;
    k.state = KeyEventState::NONE;
    assert!(update(&mut s, Action::Key(k)).is_empty());
    assert!(!s.quit);
}
