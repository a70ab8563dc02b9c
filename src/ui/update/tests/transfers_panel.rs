//! Transfers panel and quit.

use super::*;

#[test]
fn f9_cancels_retries_and_clears() {
    let mut s = state();
    s.transfers.set_rows(vec![
        job(1, "big.iso", JobState::Running),
        job(2, "a.txt", JobState::Failed("550 No".into())),
        job(3, "b.txt", JobState::Verified),
        job(4, "c.txt", JobState::Queued),
        job(5, "d.txt", JobState::Cancelled),
    ]);
    press(&mut s, KeyCode::F(9));
    assert_eq!(s.focus, Focus::Transfers);
    assert_eq!(s.transfers.selected, 0);
    assert!(ch(&mut s, 'r').is_empty(), "a running job is not retried");
    let fx = ch(&mut s, 'c');
    assert!(matches!(fx.as_slice(), [Effect::Cancel(1)]), "{fx:?}");
    assert_eq!(s.status, "cancelling big.iso");
    press(&mut s, KeyCode::Down);
    assert_eq!(s.transfers.selected, 1);
    assert!(ch(&mut s, 'c').is_empty(), "a failed job is over");
    let fx = ch(&mut s, 'r');
    assert!(matches!(fx.as_slice(), [Effect::Retry(2)]), "{fx:?}");
    ch(&mut s, 'j');
    assert!(ch(&mut s, 'r').is_empty(), "a verified job is not retried");
    ch(&mut s, 'j');
    let fx = press(&mut s, KeyCode::Delete);
    assert!(matches!(fx.as_slice(), [Effect::Cancel(4)]), "{fx:?}");
    ch(&mut s, 'j');
    let fx = ch(&mut s, 'r');
    assert!(
        matches!(fx.as_slice(), [Effect::Retry(5)]),
        "cancelled jobs retry"
    );
    ch(&mut s, 'j');
    assert_eq!(s.transfers.selected, 4, "stops at the last");
    ch(&mut s, 'k');
    assert_eq!(s.transfers.selected, 3);

    assert!(ch(&mut s, 'x').is_empty());
    let ids: Vec<JobId> = s.transfers.jobs.iter().map(|j| j.id).collect();
    assert_eq!(ids, [1, 4], "only unfinished jobs stay");
    assert_eq!(s.transfers.selected, 0);
    // The pane keys are left alone meanwhile.
    assert_eq!(s.pane(Side::Left).cursor, 0);

    press(&mut s, KeyCode::Esc);
    assert_eq!(s.focus, Focus::Pane(Side::Left));
}

#[test]
fn quitting_asks_only_while_transfers_run() {
    let mut s = state();
    s.transfers
        .set_rows(vec![job(1, "big.iso", JobState::Running)]);
    assert!(ch(&mut s, 'q').is_empty());
    assert!(matches!(s.dialog, Some(Dialog::ConfirmQuit(_))));
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.dialog.is_none() && !s.quit);
    press(&mut s, KeyCode::F(10));
    assert!(matches!(s.dialog, Some(Dialog::ConfirmQuit(_))));
    let fx = press(&mut s, KeyCode::Enter);
    assert!(matches!(fx.as_slice(), [Effect::Quit]));
    assert!(s.quit);

    let mut s = state();
    s.transfers
        .set_rows(vec![job(1, "done", JobState::Verified)]);
    let fx = ch(&mut s, 'q');
    assert!(matches!(fx.as_slice(), [Effect::Quit]), "{fx:?}");
    assert!(s.quit && s.dialog.is_none());
}

#[test]
fn help_opens_and_q_closes_it_without_quitting() {
    let mut s = state();
    ch(&mut s, '?');
    assert!(matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))));
    assert!(ch(&mut s, 'j').is_empty());
    assert!(
        matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))),
        "other keys keep it"
    );
    assert!(ch(&mut s, 'q').is_empty());
    assert!(s.dialog.is_none() && !s.quit);
    press(&mut s, KeyCode::F(1));
    assert!(matches!(s.dialog, Some(Dialog::Help(dialog::Help { .. }))));
}

/// Issue 11: in the panel, K and J move a waiting row past its waiting
/// neighbour, p holds one back, P the whole queue.
#[test]
fn waiting_rows_move_and_pause() {
    let mut s = state();
    s.transfers.set_rows(vec![
        job(1, "running", JobState::Running),
        job(2, "a", JobState::Queued),
        job(3, "done", JobState::Verified),
        job(4, "b", JobState::Queued),
    ]);
    press(&mut s, KeyCode::F(9));
    s.transfers.selected = 3;
    let fx = ch(&mut s, 'K');
    assert!(
        matches!(fx.as_slice(), [Effect::Nudge { job: 4, up: true }]),
        "{fx:?}"
    );
    let names: Vec<&str> = s.transfers.jobs.iter().map(|j| &*j.name).collect();
    assert_eq!(names, ["running", "b", "done", "a"]);
    assert_eq!(s.transfers.selected, 1, "the selection follows the row");
    // The running row does not move.
    s.transfers.selected = 0;
    assert!(ch(&mut s, 'J').is_empty());
    s.transfers.selected = 1;
    let fx = ch(&mut s, 'p');
    assert!(matches!(
        fx.as_slice(),
        [Effect::Pause {
            job: 4,
            paused: true
        }]
    ));
    assert!(s.transfers.jobs[1].paused);
    let fx = ch(&mut s, 'P');
    assert!(matches!(fx.as_slice(), [Effect::PauseAll(true)]));
    assert!(s.transfers.paused);
}
