//! Rename, mkdir, delete.

use super::*;

#[test]
fn shift_f6_renames() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "big.iso");
    update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
    assert!(matches!(
        s.dialog,
        Some(Dialog::Input(dialog::Input {
            purpose: InputPurpose::Rename(Side::Left),
            ..
        }))
    ));
    assert_eq!(input_text(&s), "big.iso", "starts from the old name");
    for _ in 0..4 {
        press(&mut s, KeyCode::Backspace);
    }
    type_text(&mut s, ".img");
    assert_eq!(input_text(&s), "big.img");
    let fx = press(&mut s, KeyCode::Enter);
    assert!(s.dialog.is_none());
    match fx.as_slice() {
        [
            Effect::Rename {
                side,
                from,
                to,
                overwrite: false,
            },
        ] => {
            assert_eq!(*side, Side::Left);
            assert_eq!(from, b"/pub/big.iso");
            assert_eq!(to, b"/pub/big.img");
        }
        other => panic!("{other:?}"),
    }
    // On `..` there is nothing to rename.
    press(&mut s, KeyCode::Home);
    update(&mut s, key_with(KeyCode::F(6), KeyModifiers::SHIFT));
    assert!(s.dialog.is_none());
}

#[test]
fn f7_makes_a_directory() {
    let mut s = state();
    press(&mut s, KeyCode::F(7));
    assert!(matches!(
        s.dialog,
        Some(Dialog::Input(dialog::Input {
            purpose: InputPurpose::Mkdir(Side::Left),
            ..
        }))
    ));
    assert_eq!(input_text(&s), "");
    type_text(&mut s, "new dir");
    let fx = press(&mut s, KeyCode::Enter);
    match fx.as_slice() {
        [Effect::Mkdir { side, path }] => {
            assert_eq!(*side, Side::Left);
            assert_eq!(path, b"/pub/new dir");
        }
        other => panic!("{other:?}"),
    }
    press(&mut s, KeyCode::F(7));
    assert!(
        press(&mut s, KeyCode::Enter).is_empty(),
        "no name, no mkdir"
    );
    assert!(s.dialog.is_some(), "the dialog stays to be given a name");
    assert_eq!(s.status, "a directory needs a name");
    type_text(&mut s, "a//b");
    assert!(press(&mut s, KeyCode::Enter).is_empty(), "an empty part");
    clear_input(&mut s);
    type_text(&mut s, "a/b/c");
    match press(&mut s, KeyCode::Enter).as_slice() {
        [Effect::Mkdir { path, .. }] => assert_eq!(path, b"/pub/a/b/c"),
        other => panic!("{other:?}"),
    }
    // The relisting puts the cursor on the new directory.
    update(
        &mut s,
        Action::Listed {
            side: Side::Left,
            path: b"/pub".to_vec(),
            result: Ok(vec![entry("a", true, 0), entry("zz", false, 1)]),
        },
    );
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("a"));
}

#[test]
fn arrow_keys_do_not_wipe_an_input_without_history() {
    let mut s = state();
    press(&mut s, KeyCode::F(7));
    type_text(&mut s, "abc");
    press(&mut s, KeyCode::Down);
    assert_eq!(input_text(&s), "abc");
    press(&mut s, KeyCode::Up);
    assert_eq!(input_text(&s), "abc");
}

#[test]
fn f8_asks_then_deletes_with_directories_flagged() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "docs");
    press(&mut s, KeyCode::Insert);
    press(&mut s, KeyCode::Insert);
    press(&mut s, KeyCode::F(8));
    match &s.dialog {
        Some(Dialog::ConfirmDelete(dialog::ConfirmDelete { side, items })) => {
            assert_eq!(*side, Side::Left);
            assert_eq!(item_names(items), ["docs", "big.iso"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(ch(&mut s, 'x').is_empty(), "other keys keep asking");
    assert!(matches!(
        s.dialog,
        Some(Dialog::ConfirmDelete(dialog::ConfirmDelete { .. }))
    ));
    let fx = press(&mut s, KeyCode::Enter);
    match fx.as_slice() {
        [Effect::Delete { side, paths }] => {
            assert_eq!(*side, Side::Left);
            assert_eq!(
                paths,
                &vec![
                    (b"/pub/docs".to_vec(), true),
                    (b"/pub/big.iso".to_vec(), false)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(s.dialog.is_none());
    assert!(s.pane(Side::Left).selected.is_empty());

    // Esc and n say no.
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(8));
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    press(&mut s, KeyCode::F(8));
    assert!(ch(&mut s, 'n').is_empty());
    assert!(s.dialog.is_none());
    // Nothing under the cursor: no question.
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::F(8));
    assert!(s.dialog.is_none());
}
