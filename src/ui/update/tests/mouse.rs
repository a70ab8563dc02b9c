//! Mouse.

use super::*;

#[test]
fn click_focuses_and_moves_the_cursor() {
    let mut s = state();
    let t = Instant::now();
    let p = row_point(&s, Side::Right, 2);
    assert!(down(&mut s, p, t).is_empty());
    up(&mut s, p, t);
    assert_eq!(s.focus, Focus::Pane(Side::Right));
    assert_eq!(cursor_name(&s, Side::Right).as_deref(), Some("log.txt"));
    assert!(s.drag.is_none());
    assert!(s.dialog.is_none());

    // Below the last row: focus, but the cursor stays.
    let r = areas(80, 24).rows[0];
    let below = (r.x + 3, r.y + 10);
    down(&mut s, below, t + Duration::from_secs(1));
    assert_eq!(s.focus, Focus::Pane(Side::Left));
    assert_eq!(s.pane(Side::Left).cursor, 0);
}

#[test]
fn click_on_a_scrolled_pane_hits_the_row_shown() {
    let mut s = long_state();
    press(&mut s, KeyCode::End);
    let scroll = s.pane(Side::Left).scroll;
    assert_eq!(scroll, 28);
    let r = areas(80, 24).rows[0];
    down(&mut s, (r.x + 2, r.y), Instant::now());
    assert_eq!(s.pane(Side::Left).cursor, 28);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("f27"));
}

#[test]
fn double_click_opens() {
    let mut s = state();
    let t = Instant::now();
    let p = row_point(&s, Side::Left, 1);
    assert!(down(&mut s, p, t).is_empty());
    up(&mut s, p, t + Duration::from_millis(80));
    let fx = down(&mut s, p, t + Duration::from_millis(300));
    assert_eq!(lists(&fx), ["left:/pub/docs"]);
    assert!(
        s.last_click.is_none(),
        "a third click is not another double"
    );

    // Too slow: two clicks.
    let mut s = state();
    down(&mut s, p, t);
    up(&mut s, p, t);
    assert!(down(&mut s, p, t + Duration::from_millis(500)).is_empty());

    // Another row: two clicks.
    let mut s = state();
    down(&mut s, p, t);
    up(&mut s, p, t);
    let q = row_point(&s, Side::Left, 2);
    assert!(down(&mut s, q, t + Duration::from_millis(100)).is_empty());
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("big.iso"));
}

#[test]
fn wheel_moves_the_cursor_of_the_pane_under_it() {
    let mut s = long_state();
    let t = Instant::now();
    let p = row_point(&s, Side::Left, 5);
    update(&mut s, mouse(MouseEventKind::ScrollDown, p.0, p.1, t));
    assert_eq!(s.pane(Side::Left).cursor, 3);
    update(&mut s, mouse(MouseEventKind::ScrollDown, p.0, p.1, t));
    assert_eq!(s.pane(Side::Left).cursor, 6);
    update(&mut s, mouse(MouseEventKind::ScrollUp, p.0, p.1, t));
    assert_eq!(s.pane(Side::Left).cursor, 3);
    let q = row_point(&s, Side::Right, 1);
    update(&mut s, mouse(MouseEventKind::ScrollDown, q.0, q.1, t));
    assert_eq!(s.pane(Side::Right).cursor, 3, "clamped to the last row");
    assert_eq!(s.focus, Focus::Pane(Side::Left), "the wheel does not focus");
    assert_eq!(s.pane(Side::Left).cursor, 3);

    // Over the transfers panel it walks the rows.
    s.transfers
        .set_rows((1..=5).map(|i| job(i, "x", JobState::Queued)).collect());
    let tr = areas(80, 24).transfer_rows;
    update(&mut s, mouse(MouseEventKind::ScrollDown, tr.x + 1, tr.y, t));
    assert_eq!(s.transfers.selected, 3);
    update(&mut s, mouse(MouseEventKind::ScrollDown, tr.x + 1, tr.y, t));
    assert_eq!(s.transfers.selected, 4);
}

/// 30 rows: 0..20 verified, 20 running, the rest queued.
fn busy_panel(s: &mut State) {
    s.transfers.set_rows(
        (0..30)
            .map(|i| {
                let state = match i {
                    0..20 => JobState::Verified,
                    20 => JobState::Running,
                    _ => JobState::Queued,
                };
                job(i, &format!("f{i:02}"), state)
            })
            .collect(),
    );
}

#[test]
fn the_panel_follows_the_running_work_and_says_what_is_hidden() {
    let mut s = state();
    busy_panel(&mut s);
    let a = areas(80, 24);
    assert_eq!(transfers_scroll(&s, &a), 20, "from the running row");
    // All done: the newest rows.
    for j in &mut s.transfers.jobs {
        j.state = JobState::Verified;
    }
    let h = a.transfer_rows.height as usize;
    assert_eq!(transfers_scroll(&s, &a), 30 - h);
    // A new one queued while others ended: it is in view.
    queued(
        &mut s,
        99,
        "ftp://mirror-a/pub/new",
        "ftp://mirror-b:2121/in/new",
        Kind::Copy,
    );
    let first = transfers_scroll(&s, &a);
    assert!((first..first + h).contains(&30), "the new row is shown");
}

#[test]
fn with_the_panel_focused_movement_keys_move_its_selection_only() {
    let mut s = state();
    busy_panel(&mut s);
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(9));
    assert_eq!(s.focus, Focus::Transfers);
    assert_eq!(s.transfers.selected, 20, "on the running row in view");
    let a = areas(80, 24);
    let h = a.transfer_rows.height as usize;
    ch(&mut s, 'G');
    assert_eq!(s.transfers.selected, 29);
    assert_eq!(transfers_scroll(&s, &a), 30 - h, "scrolled with it");
    ch(&mut s, 'g');
    assert_eq!(s.transfers.selected, 0);
    assert_eq!(transfers_scroll(&s, &a), 0);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.transfers.selected, h);
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(s.transfers.selected, 29 - h);
    press(&mut s, KeyCode::Home);
    ch(&mut s, 'j');
    ch(&mut s, 'k');
    assert_eq!(s.transfers.selected, 0);
    // Keys that act on a file pane do not reach the hidden one.
    for c in ['h', 'l', ' ', '*', 'N'] {
        ch(&mut s, c);
    }
    press(&mut s, KeyCode::Backspace);
    assert_eq!(cursor_name(&s, Side::Left).as_deref(), Some("notes.txt"));
    assert!(s.pane(Side::Left).selected.is_empty());
    // G then c cancels the last row: the running one is untouched.
    press(&mut s, KeyCode::End);
    let fx = ch(&mut s, 'c');
    assert!(matches!(fx.as_slice(), [Effect::Cancel(29)]), "{fx:?}");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::F(5));
    assert_eq!(item_names(&transfer(&s).items), ["notes.txt"]);
}

#[test]
fn click_on_the_transfers_panel_selects_a_row() {
    let mut s = state();
    s.transfers
        .set_rows((1..=3).map(|i| job(i, "x", JobState::Queued)).collect());
    let tr = areas(80, 24).transfer_rows;
    down(&mut s, (tr.x + 5, tr.y + 2), Instant::now());
    assert_eq!(s.focus, Focus::Transfers);
    assert_eq!(s.transfers.selected, 2);
    down(
        &mut s,
        (tr.x + 5, tr.y + 4),
        Instant::now() + Duration::from_secs(1),
    );
    assert_eq!(s.transfers.selected, 2, "no row there");
}

#[test]
fn fkey_bar_cells_run_their_commands() {
    let mut s = state();
    cursor_on(&mut s, Side::Left, "big.iso");
    let cells = layout::fkey_cells(areas(80, 24).fkeys);
    let cell = |label: &str| {
        let (r, ..) = cells.iter().find(|c| c.2 == label).unwrap();
        (r.x + 1, r.y)
    };
    let t = Instant::now();
    down(&mut s, cell("Copy"), t);
    let d = transfer(&s);
    assert_eq!(d.kind, Kind::Copy);
    assert_eq!(item_names(&d.items), ["big.iso"]);
    press(&mut s, KeyCode::Esc);

    down(&mut s, cell("Move"), t);
    assert_eq!(transfer(&s).kind, Kind::Move);
    press(&mut s, KeyCode::Esc);

    down(&mut s, cell("Help"), t);
    assert!(matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))));
    press(&mut s, KeyCode::Esc);

    down(&mut s, cell("Transfers"), t);
    assert_eq!(s.focus, Focus::Transfers);

    let fx = down(&mut s, cell("Quit"), t);
    assert!(matches!(fx.as_slice(), [Effect::Quit]), "{fx:?}");
}
