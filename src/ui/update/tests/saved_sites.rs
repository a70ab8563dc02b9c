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
    url_line(&mut s);
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
