//! "the destination exists" questions.

use super::*;

fn asked_job(s: &State) -> Option<(JobId, bool)> {
    match &s.dialog {
        Some(Dialog::Conflict(dialog::ConflictQuestion { job, for_all, .. })) => {
            Some((*job, *for_all))
        }
        _ => None,
    }
}

fn three_queued() -> State {
    let mut s = state();
    for (id, name) in [(1, "a"), (2, "b"), (3, "c")] {
        queued(
            &mut s,
            id,
            &format!("ftp://mirror-a:21/pub/{name}"),
            &format!("ftp://mirror-b:2121/in/{name}"),
            Kind::Copy,
        );
    }
    s
}

#[test]
fn a_conflict_asks_and_each_key_answers() {
    for (code, want) in [
        (KeyCode::Char('o'), Conflict::Overwrite),
        (KeyCode::Enter, Conflict::Overwrite),
        (KeyCode::Char('r'), Conflict::Resume),
        (KeyCode::Char('a'), Conflict::Append),
        (KeyCode::Char('s'), Conflict::Skip),
        (KeyCode::Esc, Conflict::Skip),
        (KeyCode::Char('n'), Conflict::Rename),
    ] {
        let mut s = three_queued();
        assert!(conflict_event(&mut s, 2, "b").is_empty());
        match &s.dialog {
            Some(Dialog::Conflict(dialog::ConflictQuestion {
                job,
                destination,
                source_size,
                destination_size,
                for_all,
            })) => {
                assert_eq!(*job, 2);
                assert_eq!(destination, "ftp://mirror-b:2121/in/b");
                assert_eq!((*source_size, *destination_size), (2048, 1024));
                assert!(!for_all);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            row(&s, 2).note.as_deref(),
            Some("the destination exists: waiting for a choice")
        );
        assert!(
            press(&mut s, KeyCode::Char('x')).is_empty(),
            "not an answer"
        );
        assert_eq!(asked_job(&s), Some((2, false)));
        let fx = press(&mut s, code);
        assert_eq!(answers(&fx), [(2, want)], "{code:?}");
        assert!(s.dialog.is_none());
    }
}

#[test]
fn conflicts_queue_behind_the_open_question() {
    let mut s = three_queued();
    conflict_event(&mut s, 1, "a");
    conflict_event(&mut s, 2, "b");
    conflict_event(&mut s, 3, "c");
    assert_eq!(asked_job(&s), Some((1, false)));
    assert_eq!(s.pending_conflicts.len(), 2);
    let fx = ch(&mut s, 'r');
    assert_eq!(answers(&fx), [(1, Conflict::Resume)]);
    assert_eq!(asked_job(&s), Some((2, false)), "the next question");
    // "for all": this answer and every later one.
    ch(&mut s, 'f');
    assert_eq!(asked_job(&s), Some((2, true)));
    ch(&mut s, ' ');
    assert_eq!(asked_job(&s), Some((2, false)), "space toggles back");
    ch(&mut s, 'f');
    let fx = ch(&mut s, 's');
    assert_eq!(answers(&fx), [(2, Conflict::Skip), (3, Conflict::Skip)]);
    assert!(s.dialog.is_none());
    assert!(s.pending_conflicts.is_empty());
    assert_eq!(s.conflict_for_all, Some(Conflict::Skip));

    queued(
        &mut s,
        4,
        "ftp://mirror-a:21/pub/d",
        "ftp://mirror-b:2121/in/d",
        Kind::Copy,
    );
    let fx = conflict_event(&mut s, 4, "d");
    assert_eq!(
        answers(&fx),
        [(4, Conflict::Skip)],
        "answered without asking"
    );
    assert!(s.dialog.is_none());

    // A new copy asks again.
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(5));
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.conflict_for_all, None);
    queued(
        &mut s,
        5,
        "ftp://mirror-a:21/pub/e",
        "ftp://mirror-b:2121/in/e",
        Kind::Copy,
    );
    assert!(conflict_event(&mut s, 5, "e").is_empty());
    assert_eq!(asked_job(&s), Some((5, false)));
}

#[test]
fn a_conflict_arriving_under_another_dialog_is_asked_when_it_closes() {
    let mut s = three_queued();
    ch(&mut s, '?');
    assert!(conflict_event(&mut s, 1, "a").is_empty());
    assert!(
        matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))),
        "help stays on top"
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(
        asked_job(&s),
        Some((1, false)),
        "the job waits for an answer: the question must not be lost"
    );

    // Same under a copy dialog that gets confirmed.
    let mut s = three_queued();
    cursor_on(&mut s, Side::Left, "notes.txt");
    press(&mut s, KeyCode::F(5));
    conflict_event(&mut s, 2, "b");
    let fx = press(&mut s, KeyCode::Enter);
    assert_eq!(submits(&fx).len(), 1);
    assert_eq!(asked_job(&s), Some((2, false)));
}

#[test]
fn conflict_buttons_click() {
    let mut s = three_queued();
    conflict_event(&mut s, 1, "a");
    conflict_event(&mut s, 2, "b");
    let t = Instant::now();
    let p = button(&s, Button::Answer(Conflict::Rename));
    let fx = down(&mut s, p, t);
    assert_eq!(answers(&fx), [(1, Conflict::Rename)]);
    assert_eq!(asked_job(&s), Some((2, false)));
    let p = button(&s, Button::ForAll);
    down(&mut s, p, t);
    assert_eq!(asked_job(&s), Some((2, true)));
    let p = button(&s, Button::Answer(Conflict::Append));
    let fx = down(&mut s, p, t);
    assert_eq!(answers(&fx), [(2, Conflict::Append)]);
    assert_eq!(s.conflict_for_all, Some(Conflict::Append));
    for c in [Conflict::Overwrite, Conflict::Resume, Conflict::Skip] {
        let mut s = three_queued();
        conflict_event(&mut s, 3, "c");
        let p = button(&s, Button::Answer(c));
        assert_eq!(answers(&down(&mut s, p, t)), [(3, c)]);
    }
}
