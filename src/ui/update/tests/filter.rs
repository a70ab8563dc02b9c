//! Filter.

use super::*;

#[test]
fn filter_narrows_as_you_type_enter_keeps_it_esc_clears() {
    let mut s = state();
    ch(&mut s, '/');
    assert!(s.pane(Side::Left).filtering);
    ch(&mut s, 'o');
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "big.iso", "notes.txt", "PROG1.PL1"]
    );
    ch(&mut s, 't');
    assert_eq!(names(s.pane(Side::Left)), ["notes.txt"]);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("notes.txt"));
    // Keys are text while filtering: q does not quit, j does not move.
    assert!(ch(&mut s, 'q').is_empty());
    assert!(!s.quit && s.dialog.is_none());
    assert_eq!(names(s.pane(Side::Left)), Vec::<String>::new());
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    ch(&mut s, 'i');
    ch(&mut s, 's');
    assert_eq!(s.pane(Side::Left).filter, "is");
    assert_eq!(names(s.pane(Side::Left)), ["big.iso"]);

    press(&mut s, KeyCode::Enter);
    let p = s.pane(Side::Left);
    assert!(!p.filtering);
    assert_eq!(p.filter, "is", "Enter keeps the filter");
    assert_eq!(p.cursor, 1, "on the first match, past ..");
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));

    // Now keys are commands again.
    ch(&mut s, 'k');
    assert_eq!(s.pane(Side::Left).cursor, 0);
    ch(&mut s, 'j');

    press(&mut s, KeyCode::Esc);
    let p = s.pane(Side::Left);
    assert_eq!(p.filter, "");
    assert_eq!(p.visible.len(), 4);
    assert_eq!(
        cursor_name(&s, Side::Left).as_deref(),
        Some("big.iso"),
        "clearing the filter keeps the cursor on the entry it was on"
    );
}

#[test]
fn esc_while_filtering_clears_it() {
    let mut s = state();
    ch(&mut s, '/');
    type_text(&mut s, "prog");
    assert_eq!(names(s.pane(Side::Left)), ["PROG1.PL1"]);
    press(&mut s, KeyCode::Esc);
    let p = s.pane(Side::Left);
    assert!(!p.filtering);
    assert_eq!(p.filter, "");
    assert_eq!(p.visible.len(), 4);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("PROG1.PL1"));
}

#[test]
fn a_filter_matching_nothing_leaves_the_cursor_on_dotdot() {
    let mut s = state();
    ch(&mut s, '/');
    type_text(&mut s, "zzz");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.pane(Side::Left).cursor, 0);
    assert_eq!(s.pane(Side::Left).row_count(), 1);
    assert!(press(&mut s, KeyCode::F(5)).is_empty());
    assert!(s.dialog.is_none(), "nothing to copy");
}
