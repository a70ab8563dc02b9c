//! Clicks, double-clicks, the wheel and drag-and-drop.

use super::*;

pub(super) fn on_mouse(state: &mut State, event: MouseEvent, at: Instant, fx: &mut Vec<Effect>) {
    let (col, row) = (event.column, event.row);
    let a = areas(state.size.0, state.size.1);
    if state.dialog.is_some() {
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => dialog_click(state, col, row, at, fx),
            // The site manager's list is the one long list in a dialog.
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
                if matches!(state.dialog, Some(Dialog::Sites(_))) =>
            {
                let code = if event.kind == MouseEventKind::ScrollUp {
                    KeyCode::Up
                } else {
                    KeyCode::Down
                };
                for _ in 0..WHEEL_STEP {
                    dialog_key(state, KeyEvent::new(code, KeyModifiers::NONE), fx);
                }
            }
            _ => {}
        }
        return;
    }
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if let Some(side) = layout::pane_at(&a, col, row) {
                state.focus = Focus::Pane(side);
                let double = state.last_click.is_some_and(|(t, c, r)| {
                    at.duration_since(t) < DOUBLE_CLICK && c == col && r == row
                });
                state.last_click = Some((at, col, row));
                if let Some(index) = row_at(state, side, &a, col, row) {
                    state.pane_mut(side).cursor = index;
                    if double {
                        state.last_click = None;
                        run_command(state, Command::Open, fx);
                        return;
                    }
                    // A press on an entry may start a drag: the selection if
                    // the entry is part of it, else the entry alone.
                    let pane = state.pane(side);
                    if let Some(e) = pane.cursor_entry() {
                        let items = if pane.selected.contains(e.raw_name()) {
                            items_of(pane)
                        } else {
                            vec![item_of(e)]
                        };
                        state.drag = Some(Drag {
                            from: side,
                            items,
                            start: (col, row),
                            pos: (col, row),
                            active: false,
                        });
                    }
                }
            } else if layout::contains(a.transfers, col, row) {
                if state.focus != Focus::Transfers {
                    focus_transfers(state);
                }
                if layout::contains(a.transfer_rows, col, row) {
                    let index = (row - a.transfer_rows.y) as usize + transfers_scroll(state, &a);
                    if index < state.transfers.jobs.len() {
                        state.transfers.selected = index;
                    }
                }
            } else if let Some((_, _, _, command)) = layout::fkey_cells(a.fkeys)
                .into_iter()
                .find(|(r, ..)| layout::contains(*r, col, row))
            {
                run_command(state, command, fx);
            }
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if let Some(drag) = &mut state.drag {
                drag.pos = (col, row);
                if !drag.active && (col.abs_diff(drag.start.0) > 1 || row != drag.start.1) {
                    drag.active = true;
                }
            }
        }
        MouseEventKind::Up(MouseButton::Left) => {
            if let Some(drag) = state.drag.take()
                && drag.active
            {
                match layout::pane_at(&a, col, row) {
                    Some(target) if target != drag.from => {
                        state.focus = Focus::Pane(drag.from);
                        open_transfer(state, drag.from, Kind::Copy, Some(drag.items));
                    }
                    _ => state.status = "drop on the other pane to copy there".into(),
                }
            }
        }
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let delta = if event.kind == MouseEventKind::ScrollUp {
                -WHEEL_STEP
            } else {
                WHEEL_STEP
            };
            if let Some(side) = layout::pane_at(&a, col, row) {
                state.pane_mut(side).move_cursor(delta);
            } else if layout::contains(a.transfers, col, row) {
                if state.focus != Focus::Transfers {
                    focus_transfers(state);
                }
                let t = &mut state.transfers;
                t.selected = (t.selected as isize + delta)
                    .clamp(0, t.jobs.len().saturating_sub(1) as isize)
                    as usize;
            }
        }
        _ => {}
    }
}

/// The pane row under a point, if there is an entry (or `..`) there.
pub(super) fn row_at(
    state: &State,
    side: Side,
    a: &layout::Areas,
    col: u16,
    row: u16,
) -> Option<usize> {
    let rows = a.rows[side.index()];
    if !layout::contains(rows, col, row) {
        return None;
    }
    let index = (row - rows.y) as usize + state.pane(side).scroll;
    (index < state.pane(side).row_count()).then_some(index)
}
