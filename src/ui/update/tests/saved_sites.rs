//! Saved sites.

use super::*;

#[test]
fn connect_dialog_offers_saved_sites_first_and_ctrl_s_saves() {
    let mut s = state();
    s.saved_sites = vec![SiteEntry {
        name: "mirror".into(),
        url: "ftp://mirror-a/pub".into(),
        ..SiteEntry::default()
    }];
    s.history = vec!["ftp://b/".into()];
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Up);
    assert_eq!(input_text(&s), "mirror");
    press(&mut s, KeyCode::Up);
    assert_eq!(input_text(&s), "ftp://b/");

    clear_input(&mut s);
    type_text(&mut s, "ftp://joe:secret@files.example:2121/pub");
    let fx = update(&mut s, key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
    match fx.as_slice() {
        [
            Effect::SaveSite {
                site,
                replaces: None,
            },
        ] => {
            assert_eq!(site.name, "files.example");
            assert_eq!(site.url, "ftp://joe@files.example:2121/pub");
            assert!(!site.url.contains("secret"), "never the password");
            assert_eq!(site.password, None, "Ctrl-S keeps no password");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        input_text(&s),
        "ftp://joe:secret@files.example:2121/pub",
        "Ctrl-S types nothing"
    );
    clear_input(&mut s);
    type_text(&mut s, "not a url");
    let fx = update(&mut s, key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(fx.is_empty());

    // Ctrl-S means nothing in other inputs.
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::F(7));
    let fx = update(&mut s, key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(fx.is_empty());
    assert_eq!(input_text(&s), "");
}

#[test]
fn site_editor_edits_saves_renames_and_deletes() {
    let mut s = state();
    s.saved_sites = vec![SiteEntry {
        name: "mirror".into(),
        url: "ftp://bob@mirror-a:2121/pub".into(),
        password: Some("pw".into()),
        max_connections: Some(3),
        passive: Some(false),
        allow_foreign_passive: Some(true),
        trust_fingerprint: vec!["SHA256:AB".into()],
        exclude: vec!["*.tmp".into()],
        ..SiteEntry::default()
    }];
    // Ctrl-E on a saved name opens its fields.
    press(&mut s, KeyCode::F(2));
    clear_input(&mut s);
    type_text(&mut s, "mirror");
    update(&mut s, key_with(KeyCode::Char('e'), KeyModifiers::CONTROL));
    match &s.dialog {
        Some(Dialog::SiteEdit(f)) => {
            assert_eq!(f.original.as_deref(), Some("mirror"));
            assert_eq!(f.focus, dialog::site_edit::Field::Name);
            assert_eq!(
                [
                    f.name.text(),
                    f.url.text(),
                    f.password.text(),
                    f.connections.text()
                ],
                ["mirror", "ftp://bob@mirror-a:2121/pub", "pw", "3"]
            );
            assert!(!f.passive);
        }
        other => panic!("{other:?}"),
    }
    // Rename it and change the limit; Enter saves, replacing the old name.
    press(&mut s, KeyCode::Backspace);
    type_text(&mut s, "X");
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::Backspace);
    type_text(&mut s, "5");
    let fx = press(&mut s, KeyCode::Enter);
    match fx.as_slice() {
        [Effect::SaveSite { site, replaces }] => {
            assert_eq!(site.name, "mirroX");
            assert_eq!(replaces.as_deref(), Some("mirror"));
            assert_eq!(site.max_connections, Some(5));
            assert_eq!(site.passive, Some(false));
            assert_eq!(site.password.as_deref(), Some("pw"));
            // Settings the dialog does not show survive the edit.
            assert_eq!(site.allow_foreign_passive, Some(true));
            assert_eq!(site.trust_fingerprint, ["SHA256:AB"]);
            assert_eq!(site.exclude, ["*.tmp"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.dialog.is_none());

    // A bad field keeps the editor open and says why.
    press(&mut s, KeyCode::F(2));
    clear_input(&mut s);
    type_text(&mut s, "ftp://new.example/");
    update(&mut s, key_with(KeyCode::Char('e'), KeyModifiers::CONTROL));
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    type_text(&mut s, "many");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(matches!(
        s.dialog,
        Some(Dialog::SiteEdit(dialog::SiteForm { .. }))
    ));
    assert!(s.status.contains("transfer connections"), "{}", s.status);
    press(&mut s, KeyCode::Esc);

    // Ctrl-D deletes a saved site by name, and only a saved one.
    press(&mut s, KeyCode::F(2));
    clear_input(&mut s);
    type_text(&mut s, "nope");
    assert!(update(&mut s, key_with(KeyCode::Char('d'), KeyModifiers::CONTROL)).is_empty());
    clear_input(&mut s);
    type_text(&mut s, "mirror");
    let fx = update(&mut s, key_with(KeyCode::Char('d'), KeyModifiers::CONTROL));
    assert!(matches!(fx.as_slice(), [Effect::DeleteSite(n)] if n == "mirror"));
    // The app answers with the new list.
    update(&mut s, Action::Sites(Vec::new()));
    assert!(s.saved_sites.is_empty());
}

#[test]
fn the_viewer_shows_details_then_content_and_scrolls() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(3));
    // A late answer for another file does not hijack the dialog.
    update(
        &mut s,
        Action::Peeked {
            name: "other".into(),
            result: Ok(b"x".to_vec()),
        },
    );
    assert!(matches!(&s.dialog, Some(Dialog::View(v)) if v.loading));
    let body: Vec<u8> = (0..200)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    update(
        &mut s,
        Action::Peeked {
            name: "notes.txt".into(),
            result: Ok(body),
        },
    );
    let lines = match &s.dialog {
        Some(Dialog::View(v)) => {
            assert_eq!(v.name, "notes.txt");
            assert_eq!(v.scroll, 0);
            assert!(!v.loading);
            v.lines.clone()
        }
        other => panic!("{other:?}"),
    };
    assert!(lines[0].starts_with("size: 100 bytes"), "details first");
    // The file is 100 bytes by its listing: what came is more, so "all".
    assert!(lines.iter().any(|l| l.starts_with("all ")), "{lines:?}");
    assert!(lines.iter().any(|l| l == "line 199"));
    press(&mut s, KeyCode::End);
    let Some(Dialog::View(v)) = &s.dialog else {
        panic!()
    };
    assert_eq!(v.lines.last().map(String::as_str), Some("line 199"));
    assert!(
        v.scroll > 0 && v.scroll < lines.len() - 1,
        "the last page, not the last line alone"
    );
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Down);
    assert!(matches!(
        &s.dialog,
        Some(Dialog::View(dialog::Viewer { scroll: 1, .. }))
    ));
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
    // A directory has nothing to peek at.
    cursor_on(&mut s, Side::Left, "docs");
    assert!(press(&mut s, KeyCode::F(3)).is_empty());
}
