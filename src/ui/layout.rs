//! Where everything is on the screen, computed from the terminal size
//! alone: render draws into these rectangles and mouse hit-testing reads
//! them, so the two always agree.

use ratatui::layout::Rect;

use super::keymap::{Command, FKEYS};
use super::side::Side;

pub struct Areas {
    /// Each pane with its border.
    pub panes: [Rect; 2],
    /// Each pane's list rows (inside the border).
    pub rows: [Rect; 2],
    pub(crate) transfers: Rect,
    pub(crate) transfer_rows: Rect,
    pub(crate) status: Rect,
    pub(crate) fkeys: Rect,
}

pub fn areas(width: u16, height: u16) -> Areas {
    let h = height.max(6);
    let transfers_h: u16 = if h >= 30 {
        10
    } else if h >= 24 {
        7
    } else {
        5
    };
    let panes_h = h.saturating_sub(2 + transfers_h).max(3);
    let left_w = width / 2;
    let panes = [
        Rect::new(0, 0, left_w, panes_h),
        Rect::new(left_w, 0, width - left_w, panes_h),
    ];
    let inner = |r: Rect| {
        Rect::new(
            r.x + 1,
            r.y + 1,
            r.width.saturating_sub(2),
            r.height.saturating_sub(2),
        )
    };
    let transfers = Rect::new(0, panes_h, width, transfers_h);
    Areas {
        rows: [inner(panes[0]), inner(panes[1])],
        panes,
        transfer_rows: inner(transfers),
        transfers,
        status: Rect::new(0, panes_h + transfers_h, width, 1),
        fkeys: Rect::new(0, panes_h + transfers_h + 1, width, 1),
    }
}

/// The F-key bar's cells: ten equal slices, as mc draws it.
pub(crate) fn fkey_cells(bar: Rect) -> Vec<(Rect, u8, &'static str, Command)> {
    let n = FKEYS.len() as u16;
    FKEYS
        .iter()
        .enumerate()
        .map(|(i, (num, label, cmd))| {
            let i = i as u16;
            let x0 = bar.x + i * bar.width / n;
            let x1 = bar.x + (i + 1) * bar.width / n;
            (Rect::new(x0, bar.y, x1 - x0, 1), *num, *label, *cmd)
        })
        .collect()
}

pub(crate) fn contains(r: Rect, col: u16, row: u16) -> bool {
    col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// Which pane a point is in.
pub(crate) fn pane_at(a: &Areas, col: u16, row: u16) -> Option<Side> {
    [Side::Left, Side::Right]
        .into_iter()
        .find(|s| contains(a.panes[s.index()], col, row))
}

/// A centred dialog box.
pub(crate) fn dialog_rect(width: u16, height: u16, want_w: u16, want_h: u16) -> Rect {
    let w = want_w.min(width.saturating_sub(2)).max(10.min(width));
    let h = want_h.min(height.saturating_sub(2)).max(3.min(height));
    Rect::new((width - w) / 2, (height - h) / 2, w, h)
}

/// A dialog's text area: inside its border, a column of margin each side.
pub(crate) fn dialog_body(r: Rect) -> Rect {
    Rect::new(
        r.x + 2,
        r.y + 1,
        r.width.saturating_sub(4),
        r.height.saturating_sub(2),
    )
}

/// The `n`th line from the bottom of a dialog's body (1: the last).
pub(crate) fn from_end(body: Rect, n: u16) -> Rect {
    Rect::new(
        body.x,
        body.y + body.height.saturating_sub(n),
        body.width,
        1,
    )
}

/// Buttons along one line of a dialog: `[ label ]` boxes, left to right.
/// `[ label ]` when the whole row fits, else the narrow `[label]`: at 60
/// columns the transfer dialog's six conflict choices only fit narrow, and
/// the last ones used to be dropped, out of the mouse's reach (found by the
/// update tests). `render` draws whichever form the rectangle's width says.
pub(crate) fn buttons<T: Copy>(line: Rect, labels: &[(T, &str)]) -> Vec<(Rect, T)> {
    let row = |pad: usize| -> usize {
        labels
            .iter()
            .map(|(_, l)| l.chars().count() + pad + 1)
            .sum::<usize>()
            .saturating_sub(1)
    };
    let pad = if row(4) <= line.width as usize { 4 } else { 2 };
    let mut x = line.x;
    let mut out = Vec::new();
    for (value, label) in labels {
        let w = label.chars().count() as u16 + pad;
        if x + w > line.x + line.width {
            break;
        }
        out.push((Rect::new(x, line.y, w, 1), *value));
        x += w + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_tile_the_screen() {
        for (w, h) in [(60, 20), (80, 24), (200, 60)] {
            let a = areas(w, h);
            assert_eq!(a.fkeys.y, h - 1);
            assert_eq!(a.status.y, h - 2);
            assert_eq!(a.panes[0].width + a.panes[1].width, w);
            assert_eq!(a.transfers.y + a.transfers.height, a.status.y);
            assert!(a.rows[0].height >= 5, "{w}x{h}: room for rows");
        }
    }

    #[test]
    fn fkeys_cover_the_bar() {
        let cells = fkey_cells(Rect::new(0, 23, 80, 1));
        assert_eq!(cells.len(), 10);
        assert_eq!(cells[0].0.x, 0);
        assert_eq!(cells[9].0.x + cells[9].0.width, 80);
    }
}
