//! Drag and drop.

use super::*;

#[test]
fn dragging_an_entry_to_the_other_pane_opens_the_copy_dialog() {
    let mut s = state();
    let t = Instant::now();
    let start = row_point(&s, Side::Left, 2);
    down(&mut s, start, t);
    let d = s
        .drag
        .as_ref()
        .expect("a press on an entry may start a drag");
    assert_eq!(d.from, Side::Left);
    assert_eq!(item_names(&d.items), ["big.iso"]);
    assert!(!d.active);
    assert_eq!((d.start, d.pos), (start, start));

    drag_to(&mut s, (start.0 + 1, start.1), t);
    assert!(
        !s.drag.as_ref().unwrap().active,
        "one column is a shaky click"
    );
    let over = row_point(&s, Side::Right, 3);
    drag_to(&mut s, over, t);
    let d = s.drag.as_ref().unwrap();
    assert!(d.active);
    assert_eq!(d.pos, over);

    assert!(up(&mut s, over, t).is_empty());
    assert!(s.drag.is_none());
    let d = transfer(&s);
    assert_eq!(d.kind, Kind::Copy);
    assert_eq!(d.from, Side::Left);
    assert_eq!(item_names(&d.items), ["big.iso"]);
    assert_eq!(d.destination_dir, b"/in");
    assert_eq!(s.focus, Focus::Pane(Side::Left));
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(
        loc(&submits(&fx)[0].destination),
        "mirror-b:2121/in/big.iso"
    );
}

#[test]
fn a_drop_on_the_same_pane_or_a_mere_click_opens_nothing() {
    let mut s = state();
    let t = Instant::now();
    let start = row_point(&s, Side::Left, 2);
    down(&mut s, start, t);
    let same = row_point(&s, Side::Left, 4);
    drag_to(&mut s, same, t);
    assert!(s.drag.as_ref().unwrap().active);
    assert!(up(&mut s, same, t).is_empty());
    assert!(s.dialog.is_none());
    assert!(s.drag.is_none());
    assert_eq!(s.status, "drop on the other pane to copy there");

    // Press and release on the other pane without moving: a click.
    let mut s = state();
    down(&mut s, start, t);
    {
        let p = row_point(&s, Side::Right, 1);
        up(&mut s, p, t)
    };
    assert!(s.dialog.is_none());

    // No drag from `..`.
    {
        let p = row_point(&s, Side::Left, 0);
        down(&mut s, p, t + Duration::from_secs(1))
    };
    assert!(s.drag.is_none());
}

#[test]
fn dragging_a_selected_entry_drags_the_selection() {
    let mut s = state();
    for name in ["docs", "notes.txt"] {
        s.pane_mut(Side::Left)
            .selected
            .insert(name.as_bytes().to_vec());
    }
    let t = Instant::now();
    {
        let p = row_point(&s, Side::Left, 3);
        down(&mut s, p, t)
    }; // notes.txt
    assert_eq!(
        item_names(&s.drag.as_ref().unwrap().items),
        ["docs", "notes.txt"]
    );
    let over = row_point(&s, Side::Right, 1);
    drag_to(&mut s, over, t);
    up(&mut s, over, t);
    assert_eq!(item_names(&transfer(&s).items), ["docs", "notes.txt"]);
    let fx = press(&mut s, KeyCode::Enter);
    let jobs = submits(&fx);
    assert_eq!(jobs.len(), 2);
    assert!(jobs[0].recursive && !jobs[1].recursive);

    // An unselected entry goes alone.
    let mut s = state();
    s.pane_mut(Side::Left).selected.insert(b"docs".to_vec());
    {
        let p = row_point(&s, Side::Left, 2);
        down(&mut s, p, t)
    };
    assert_eq!(item_names(&s.drag.as_ref().unwrap().items), ["big.iso"]);
}

#[test]
fn dragging_from_right_to_left() {
    let mut s = state();
    let t = Instant::now();
    let start = row_point(&s, Side::Right, 3); // PROG2.PL1
    down(&mut s, start, t);
    let over = row_point(&s, Side::Left, 1);
    drag_to(&mut s, over, t);
    up(&mut s, over, t);
    let d = transfer(&s);
    assert_eq!(d.from, Side::Right);
    assert_eq!(item_names(&d.items), ["PROG2.PL1"]);
    assert_eq!(
        (d.source_dir.as_slice(), d.destination_dir.as_slice()),
        (&b"/in"[..], &b"/pub"[..])
    );
}
