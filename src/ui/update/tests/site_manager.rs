//! F2's site manager: the list by folder, the filter, connecting either
//! pane, editing in place, duplicate, rename, delete.

use super::*;
use crate::ui::dialog::sites::{Row, SiteManager};

fn saved(name: &str, url: &str, folder: Option<&str>) -> SiteEntry {
    SiteEntry {
        name: name.into(),
        url: url.into(),
        folder: folder.map(str::to_string),
        ..SiteEntry::default()
    }
}

fn sites() -> Vec<SiteEntry> {
    vec![
        saved("gamma", "ftp://gamma.example/", Some("Work/Customers")),
        SiteEntry {
            password: Some("hunter2".into()),
            trust_fingerprint: vec!["SHA256:AB".into()],
            ..saved("beta", "ftp://bob@beta.example:2121/in", Some("Work"))
        },
        saved("zeta", "ftp://zeta.example/", Some("Home")),
        saved("alpha", "ftp://alice@alpha.example/pub", None),
        SiteEntry {
            password: Some("pw".into()),
            ..saved("delta", "ftps://[2001:db8::1]/", Some("Work/Customers"))
        },
    ]
}

/// The state with the sites saved and F2 pressed in `side`.
fn manager_open(side: Side) -> State {
    let mut s = state();
    s.saved_sites = sites();
    if side == Side::Right {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::F(2));
    s
}

fn manager(s: &State) -> &SiteManager {
    match &s.dialog {
        Some(Dialog::Sites(d)) => d,
        other => panic!("expected the site manager, got {other:?}"),
    }
}

/// The list as text: `Work/` for a heading, names indented by depth.
fn listed(s: &State) -> Vec<String> {
    let d = manager(s);
    d.rows()
        .iter()
        .map(|r| match r {
            Row::Folder { depth, name } => format!("{}{name}/", "  ".repeat(*depth)),
            Row::Site { depth, index } => {
                format!("{}{}", "  ".repeat(*depth), d.sites[*index].name)
            }
        })
        .collect()
}

fn selected_name(s: &State) -> Option<String> {
    manager(s).selected.clone()
}

fn ctrl_key(s: &mut State, c: char) -> Vec<Effect> {
    update(s, key_with(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn only_save(fx: &[Effect]) -> (&SiteEntry, Option<&str>) {
    match fx {
        [Effect::SaveSite { site, replaces }] => (site, replaces.as_deref()),
        other => panic!("expected one SaveSite, got {other:?}"),
    }
}

fn connect_of(fx: &[Effect]) -> (Side, &str) {
    match fx {
        [
            Effect::Connect {
                side,
                target,
                password: None,
                ..
            },
        ] => (*side, target.as_str()),
        other => panic!("expected one Connect, got {other:?}"),
    }
}

#[test]
fn sites_are_listed_under_nested_folders() {
    let s = manager_open(Side::Left);
    assert_eq!(
        listed(&s),
        [
            "alpha",
            "Home/",
            "  zeta",
            "Work/",
            "  beta",
            "  Customers/",
            "    delta",
            "    gamma",
        ]
    );
    assert_eq!(selected_name(&s).as_deref(), Some("alpha"));
}

#[test]
fn typing_filters_on_name_host_user_and_folder() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "CUST");
    assert_eq!(
        listed(&s),
        ["Work/", "  Customers/", "    delta", "    gamma"]
    );
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("delta"),
        "the first match"
    );
    clear_input(&mut s);
    type_text(&mut s, "Bob");
    assert_eq!(listed(&s), ["Work/", "  beta"], "the user");
    clear_input(&mut s);
    type_text(&mut s, "zeta.ex");
    assert_eq!(listed(&s), ["Home/", "  zeta"], "the host");
    press(&mut s, KeyCode::Esc);
    assert_eq!(listed(&s).len(), 8, "Esc drops the filter");
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("zeta"),
        "on the same site"
    );
    assert!(s.dialog.is_some());
    clear_input(&mut s);
    type_text(&mut s, "nothing like it");
    assert!(listed(&s).is_empty());
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(s.status.contains("no saved site matches"), "{}", s.status);
}

#[test]
fn keys_move_over_sites_not_headings() {
    let mut s = manager_open(Side::Left);
    press(&mut s, KeyCode::Down);
    assert_eq!(selected_name(&s).as_deref(), Some("zeta"));
    press(&mut s, KeyCode::Down);
    assert_eq!(selected_name(&s).as_deref(), Some("beta"));
    press(&mut s, KeyCode::End);
    assert_eq!(selected_name(&s).as_deref(), Some("gamma"));
    press(&mut s, KeyCode::Down);
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("gamma"),
        "stays at the end"
    );
    press(&mut s, KeyCode::PageUp);
    assert_eq!(selected_name(&s).as_deref(), Some("alpha"));
    press(&mut s, KeyCode::PageDown);
    assert_eq!(selected_name(&s).as_deref(), Some("gamma"));
    press(&mut s, KeyCode::Home);
    assert_eq!(selected_name(&s).as_deref(), Some("alpha"));
}

#[test]
fn enter_connects_the_pane_f2_was_pressed_in_ctrl_o_the_other() {
    let mut s = manager_open(Side::Right);
    type_text(&mut s, "gam");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(connect_of(&fx), (Side::Right, "gamma"));
    assert!(s.dialog.is_none());
    assert!(s.pane(Side::Right).loading);

    let mut s = manager_open(Side::Right);
    type_text(&mut s, "beta");
    let fx = ctrl_key(&mut s, 'o');
    assert_eq!(connect_of(&fx), (Side::Left, "beta"));
    assert!(s.pane(Side::Left).loading);
    assert!(!s.pane(Side::Right).loading);
}

#[test]
fn a_typed_url_connects_and_joins_the_history_once_it_worked() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "ftp://carol:secret@h9:2121/x");
    let fx = press(&mut s, KeyCode::Enter);
    let attempt = match fx.as_slice() {
        [
            Effect::Connect {
                side: Side::Left,
                target,
                attempt,
                ..
            },
        ] => {
            assert_eq!(target, "ftp://carol:secret@h9:2121/x");
            *attempt
        }
        other => panic!("{other:?}"),
    };
    update(
        &mut s,
        Action::Connected {
            side: Side::Left,
            attempt,
            place: Place::Local,
            site: None,
            cwd: b"/tmp".to_vec(),
            rfc438: false,
            protection: (false, false),
            clear_because: None,
        },
    );
    assert_eq!(s.history, ["ftp://carol@h9:2121/x"], "without the password");
    // Ctrl-L: the URL line, with the history.
    press(&mut s, KeyCode::F(2));
    ctrl_key(&mut s, 'l');
    assert!(matches!(
        &s.dialog,
        Some(Dialog::Input(d)) if d.purpose == InputPurpose::Connect(Side::Left)
    ));
}

#[test]
fn editing_host_and_port_composes_the_url() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "beta");
    press(&mut s, KeyCode::F(4));
    match &manager(&s).mode {
        dialog::sites::Mode::Edit(f) => {
            assert_eq!(
                [
                    f.host.text(),
                    f.port.text(),
                    f.user.text(),
                    f.directory.text()
                ],
                ["beta.example", "2121", "bob", "in"]
            );
            assert_eq!(f.focus, dialog::sites::form::Field::Host);
        }
        other => panic!("{other:?}"),
    }
    clear_input(&mut s);
    type_text(&mut s, "2001:db8::5");
    press(&mut s, KeyCode::Tab);
    clear_input(&mut s);
    type_text(&mut s, "2222");
    // Down to the directory: user, password is, password, TLS, mode, dir.
    for _ in 0..6 {
        press(&mut s, KeyCode::Down);
    }
    clear_input(&mut s);
    type_text(&mut s, "/srv/up");
    let fx = press(&mut s, KeyCode::Enter);
    let (site, replaces) = only_save(&fx);
    assert_eq!(replaces, Some("beta"));
    assert_eq!(site.url, "ftp://bob@[2001:db8::5]:2222/%2Fsrv/up");
    assert_eq!(site.password.as_deref(), Some("hunter2"), "kept");
    assert_eq!(
        site.trust_fingerprint,
        ["SHA256:AB"],
        "what the form hides stays"
    );
    assert_eq!(site.folder.as_deref(), Some("Work"));
    assert!(matches!(manager(&s).mode, dialog::sites::Mode::Browse));

    // The app answers with config.toml's sites: the list shows the change.
    let mut after = sites();
    after[1] = site.clone();
    update(&mut s, Action::Sites(after));
    assert_eq!(selected_name(&s).as_deref(), Some("beta"));
    assert_eq!(
        manager(&s).selected_site().map(|x| x.url.as_str()),
        Some("ftp://bob@[2001:db8::5]:2222/%2Fsrv/up")
    );
}

#[test]
fn a_password_can_be_asked_each_time_instead_of_stored() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "delta");
    press(&mut s, KeyCode::F(4));
    // Host → port → user → "password is".
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    ch(&mut s, ' ');
    let fx = press(&mut s, KeyCode::Enter);
    let (site, _) = only_save(&fx);
    assert_eq!(site.password, None);
    assert_eq!(site.url, "ftps://[2001:db8::1]/", "implicit TLS stays");
    assert_eq!(site.tls.as_deref(), Some("implicit"));
}

#[test]
fn a_bad_field_keeps_the_form_open_and_says_which() {
    let mut s = manager_open(Side::Left);
    press(&mut s, KeyCode::F(4));
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "x");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(s.status.starts_with("port"), "{}", s.status);
    assert!(
        manager(&s)
            .problem
            .as_deref()
            .is_some_and(|p| p.starts_with("port")),
        "said in the dialog too: the status line may be under it"
    );
    assert!(matches!(manager(&s).mode, dialog::sites::Mode::Edit(_)));
    press(&mut s, KeyCode::Esc);
    assert!(matches!(manager(&s).mode, dialog::sites::Mode::Browse));
    assert!(s.dialog.is_some(), "Esc leaves the form, not the manager");
}

#[test]
fn duplicate_names_the_copy() {
    let mut s = manager_open(Side::Left);
    let fx = press(&mut s, KeyCode::F(5));
    let (copy, replaces) = only_save(&fx);
    assert_eq!((copy.name.as_str(), replaces), ("alpha (copy)", None));
    assert_eq!(copy.url, "ftp://alice@alpha.example/pub");
    let mut after = sites();
    after.push(copy.clone());
    update(&mut s, Action::Sites(after));
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("alpha (copy)"),
        "the selection goes to the copy"
    );
    press(&mut s, KeyCode::Home);
    let fx = press(&mut s, KeyCode::F(5));
    assert_eq!(only_save(&fx).0.name, "alpha (copy 2)");
}

#[test]
fn rename_replaces_the_old_name_and_refuses_a_taken_one() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "beta");
    press(&mut s, KeyCode::F(6));
    clear_input(&mut s);
    type_text(&mut s, "alpha");
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.status.contains("another site is called alpha"),
        "{}",
        s.status
    );
    clear_input(&mut s);
    type_text(&mut s, "omega");
    let fx = press(&mut s, KeyCode::Enter);
    let (site, replaces) = only_save(&fx);
    assert_eq!((site.name.as_str(), replaces), ("omega", Some("beta")));
    assert_eq!(site.url, "ftp://bob@beta.example:2121/in");
}

#[test]
fn delete_asks_first() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "zeta");
    assert!(press(&mut s, KeyCode::F(8)).is_empty());
    assert!(press(&mut s, KeyCode::Esc).is_empty(), "kept");
    assert!(s.dialog.is_some());
    press(&mut s, KeyCode::F(8));
    let fx = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [Effect::DeleteSite(n)] if n == "zeta"),
        "{fx:?}"
    );
    let after: Vec<SiteEntry> = sites().into_iter().filter(|x| x.name != "zeta").collect();
    update(&mut s, Action::Sites(after.clone()));
    assert!(!listed(&s).iter().any(|l| l.contains("zeta")));

    // Unfiltered, the next site takes the deleted one's place.
    let mut s = state();
    s.saved_sites = after;
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Down);
    assert_eq!(selected_name(&s).as_deref(), Some("beta"));
    press(&mut s, KeyCode::F(8));
    let fx = ch(&mut s, 'y');
    assert!(matches!(fx.as_slice(), [Effect::DeleteSite(n)] if n == "beta"));
    let fewer: Vec<SiteEntry> = s
        .saved_sites
        .iter()
        .filter(|x| x.name != "beta")
        .cloned()
        .collect();
    update(&mut s, Action::Sites(fewer));
    assert_eq!(selected_name(&s).as_deref(), Some("delta"));
}

#[test]
fn a_click_selects_and_a_double_click_connects() {
    let mut s = manager_open(Side::Left);
    let at = |s: &State, row: usize| {
        let (r, _) = s
            .dialog
            .as_ref()
            .unwrap()
            .buttons(s.size)
            .into_iter()
            .find(|(_, b)| *b == Button::Pick(row))
            .unwrap_or_else(|| panic!("row {row} is not clickable"));
        (r.x + 2, r.y)
    };
    // Row 7 is gamma (the headings are rows too, and not clickable).
    let t0 = Instant::now();
    let gamma = at(&s, 7);
    assert!(down(&mut s, gamma, t0).is_empty());
    assert_eq!(selected_name(&s).as_deref(), Some("gamma"));
    let fx = down(&mut s, gamma, t0 + Duration::from_millis(150));
    assert_eq!(connect_of(&fx), (Side::Left, "gamma"));
}

#[test]
fn forty_sites_scroll_and_clicks_follow_the_scroll() {
    let mut s = state();
    s.saved_sites = (0..40)
        .map(|i| {
            saved(
                &format!("site{i:02}"),
                "ftp://h/",
                Some(if i < 20 { "A" } else { "B" }),
            )
        })
        .collect();
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::End);
    assert_eq!(selected_name(&s).as_deref(), Some("site39"));
    let d = manager(&s);
    assert!(d.scroll > 0, "the end of the list is shown");
    // The last site's row is clickable where it is drawn.
    let last = d.rows().len() - 1;
    assert!(
        s.dialog
            .as_ref()
            .unwrap()
            .buttons(s.size)
            .iter()
            .any(|(_, b)| *b == Button::Pick(last))
    );
    // A copy of the last site lands below the rows shown: the list
    // that comes back shows it, and clicks reach it.
    let fx = press(&mut s, KeyCode::F(5));
    let mut after = s.saved_sites.clone();
    after.push(only_save(&fx).0.clone());
    update(&mut s, Action::Sites(after));
    assert_eq!(selected_name(&s).as_deref(), Some("site39 (copy)"));
    let last = manager(&s).rows().len() - 1;
    assert!(
        s.dialog
            .as_ref()
            .unwrap()
            .buttons(s.size)
            .iter()
            .any(|(_, b)| *b == Button::Pick(last))
    );
    press(&mut s, KeyCode::PageUp);
    let page_up = selected_name(&s);
    assert!(page_up.as_deref() < Some("site39") && page_up.as_deref() > Some("site00"));
    press(&mut s, KeyCode::Home);
    assert_eq!(manager(&s).scroll, 0);
    // The wheel moves the selection too.
    update(
        &mut s,
        mouse(MouseEventKind::ScrollDown, 10, 10, Instant::now()),
    );
    assert_eq!(selected_name(&s).as_deref(), Some("site03"));
}

#[test]
fn f7_adds_a_site_in_the_selected_folder() {
    let mut s = manager_open(Side::Left);
    type_text(&mut s, "beta");
    press(&mut s, KeyCode::F(7));
    type_text(&mut s, "new one");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "files.example");
    let fx = press(&mut s, KeyCode::Enter);
    let (site, replaces) = only_save(&fx);
    assert_eq!(replaces, None);
    assert_eq!(
        (
            site.name.as_str(),
            site.url.as_str(),
            site.folder.as_deref()
        ),
        ("new one", "ftp://files.example/", Some("Work"))
    );
    assert_eq!(site.password, None, "no password typed: asked each time");
    assert!(
        !format!("{:?}", s.dialog).contains("hunter2"),
        "the dialog prints no password"
    );
}

/// F9 imports another tool's sites from the path typed in the filter (the
/// work is the runtime's); without a path it says what to type.
#[test]
fn f9_imports_the_file_whose_path_is_typed() {
    let mut s = manager_open(Side::Left);
    let fx = press(&mut s, KeyCode::F(9));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.status.contains("type the file's path"), "{}", s.status);
    type_text(&mut s, "/home/me/.config/filezilla/sitemanager.xml");
    let fx = press(&mut s, KeyCode::F(9));
    assert!(
        matches!(&fx[..], [Effect::ImportSites(p)] if p == "/home/me/.config/filezilla/sitemanager.xml"),
        "{fx:?}"
    );
    assert!(
        matches!(s.dialog, Some(Dialog::Sites(_))),
        "the manager stays open"
    );
}
