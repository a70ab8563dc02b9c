//! Sort.

use super::*;

#[test]
fn sort_keys_toggle_and_reverse_with_directories_first() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "notes.txt");
    ch(&mut s, 'S');
    assert_eq!(s.pane(Side::Left).sort, pane::SortKey::Size);
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "notes.txt", "PROG1.PL1", "big.iso"]
    );
    assert_eq!(
        cursor_name(&s, Side::Left).as_deref(),
        Some("notes.txt"),
        "the cursor follows its entry"
    );
    ch(&mut s, 'S');
    assert!(s.pane(Side::Left).reverse);
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "big.iso", "PROG1.PL1", "notes.txt"]
    );
    ch(&mut s, 'N');
    assert!(!s.pane(Side::Left).reverse, "a new key starts ascending");
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "big.iso", "notes.txt", "PROG1.PL1"]
    );
    ch(&mut s, 'N');
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "PROG1.PL1", "notes.txt", "big.iso"]
    );
    // Times: oldest first, then reversed.
    let at = |y| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
    };
    let mut entries = left_entries();
    entries[1].modified = at(2003); // big.iso
    entries[2].modified = at(2001); // notes.txt
    entries[3].modified = at(2002); // PROG1.PL1
    s.pane_mut(Side::Left).set_entries(entries);
    ch(&mut s, 'T');
    assert_eq!(s.pane(Side::Left).sort, pane::SortKey::Time);
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "notes.txt", "PROG1.PL1", "big.iso"]
    );
    ch(&mut s, 'T');
    assert_eq!(
        names(s.pane(Side::Left)),
        ["docs", "big.iso", "PROG1.PL1", "notes.txt"]
    );
}
