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

/// Issue 11: `=` (or mc's Ctrl-X d) selects in each pane what the other
/// lacks or has at another size; F5 then copies the selection.
#[test]
fn compare_selects_what_differs_in_both_panes() {
    let mut s = state();
    // Right: big.iso the same size, notes.txt at another, old/ and log.txt
    // only there.
    *s.pane_mut(Side::Right) = pane_with(
        Place::Ftp {
            url: "ftp://mirror-b:2121".into(),
        },
        "/in",
        vec![
            entry("old", true, 0),
            entry("big.iso", false, 4_509_715_660),
            entry("notes.txt", false, 99),
            entry("log.txt", false, 7),
        ],
    );
    ch(&mut s, '=');
    let mut left = selected(&s, Side::Left);
    left.sort();
    assert_eq!(left, ["PROG1.PL1", "docs", "notes.txt"]);
    let mut right = selected(&s, Side::Right);
    right.sort();
    assert_eq!(right, ["log.txt", "notes.txt", "old"]);
    assert!(
        s.status
            .contains("3 to copy from the left, 3 from the right"),
        "{}",
        s.status
    );
    // The chord does the same.
    s.pane_mut(Side::Left).selected.clear();
    update(&mut s, key_with(KeyCode::Char('x'), KeyModifiers::CONTROL));
    ch(&mut s, 'd');
    assert_eq!(selected(&s, Side::Left).len(), 3);
    press(&mut s, KeyCode::F(5));
    assert_eq!(transfer(&s).items.len(), 3);
}
