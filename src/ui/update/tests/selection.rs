//! Selection.

use super::*;

#[test]
fn insert_and_space_toggle_and_move_down() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "big.iso");
    press(&mut s, KeyCode::Insert);
    assert_eq!(selected(&s, Side::Left), ["big.iso"]);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("notes.txt"));
    ch(&mut s, ' ');
    assert_eq!(selected(&s, Side::Left), ["big.iso", "notes.txt"]);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("PROG1.PL1"));
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Insert);
    assert_eq!(selected(&s, Side::Left), ["big.iso"], "toggled off");
    // `..` cannot be selected.
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Insert);
    assert_eq!(selected(&s, Side::Left), ["big.iso"]);
    assert_eq!(s.pane(Side::Left).cursor, 1);
}

#[test]
fn plus_minus_star_select_by_pattern_and_invert() {
    let mut s = state();
    ch(&mut s, '+');
    match &s.dialog {
        Some(Dialog::Input(d)) => {
            assert_eq!(d.purpose, InputPurpose::SelectPattern(Side::Left));
            assert_eq!(d.text(), "*");
        }
        other => panic!("{other:?}"),
    }
    press(&mut s, KeyCode::Backspace);
    type_text(&mut s, "*.pl1");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(s.dialog.is_none());
    assert_eq!(selected(&s, Side::Left), ["PROG1.PL1"], "case-insensitive");
    assert_eq!(s.status, "1 match for *.pl1");

    ch(&mut s, '+');
    press(&mut s, KeyCode::Enter);
    assert_eq!(selected(&s, Side::Left).len(), 4, "* matches all");

    ch(&mut s, '-');
    assert!(matches!(
        s.dialog,
        Some(Dialog::Input(dialog::Input {
            purpose: InputPurpose::UnselectPattern(Side::Left),
            ..
        }))
    ));
    clear_input(&mut s);
    type_text(&mut s, "*.iso");
    press(&mut s, KeyCode::Enter);
    assert_eq!(selected(&s, Side::Left), ["PROG1.PL1", "docs", "notes.txt"]);

    ch(&mut s, '*');
    assert_eq!(selected(&s, Side::Left), ["big.iso"]);

    // Esc leaves the selection alone.
    ch(&mut s, '+');
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
    assert_eq!(selected(&s, Side::Left), ["big.iso"]);
}
