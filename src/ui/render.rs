//! Drawing: reads the state, draws only the visible rows, and lays out
//! dialogs with the same functions mouse hit-testing uses.

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Sparkline};

use super::format::{fit, gauge, short_time};
use super::keymap;
use super::layout::{self, areas};
use super::palette::Palette;
use super::pane::{Pane, Place, Row};
use super::state::{Focus, JobRow, JobState, Side, State};
use crate::ftp::EntryKind;
use crate::text::{human_bytes, human_duration, human_rate, printable};
use crate::transfer::Kind;

pub fn render(state: &State, frame: &mut Frame) {
    let (w, h) = state.size;
    let a = areas(w, h);
    let p = Palette { color: state.color };
    for side in [Side::Left, Side::Right] {
        render_pane(state, side, a.panes[side.index()], frame, &p);
    }
    render_transfers(state, a.transfers, frame, &p);
    let status = Paragraph::new(fit(&printable(&state.status), w as usize));
    frame.render_widget(status, a.status);
    render_fkeys(a.fkeys, frame, &p);
    if let Some(dialog) = &state.dialog {
        dialog.draw(state.size, frame, &p);
    }
    if let Some(drag) = state.drag.as_ref().filter(|d| d.active) {
        // The ghost: the dragged name follows the pointer.
        let label = match drag.items.as_slice() {
            [one] => format!(" {} ", printable(&one.name)),
            many => format!(" {} items ", many.len()),
        };
        let width = (unicode_width::UnicodeWidthStr::width(label.as_str()) as u16)
            .min(w.saturating_sub(drag.pos.0));
        if width > 0 && drag.pos.1 < h {
            let r = Rect::new(drag.pos.0, drag.pos.1, width, 1);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(fit(&label, width as usize))
                    .style(Style::default().add_modifier(Modifier::REVERSED)),
                r,
            );
        }
    }
    cut_covered_wide_chars(frame.buffer_mut());
}

/// A dialog or the drag ghost may start on the second half of a wide
/// character (CJK, emoji) in a pane row. The terminal would draw that
/// character over the overlay's first cell (its border), and ratatui skips
/// that cell when flushing: the border went missing on every such row
/// (found by the ui_snapshots tests). Blank the half-covered character.
fn cut_covered_wide_chars(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let w = unicode_width::UnicodeWidthStr::width(buf[(x, y)].symbol()).max(1) as u16;
            let covered = (1..w).any(|i| x + i < area.right() && buf[(x + i, y)].symbol() != " ");
            if covered {
                buf[(x, y)].set_symbol(" ");
                x += 1;
            } else {
                x += w;
            }
        }
    }
}

/// The header, or while the pane dials, what it dials: the old place's
/// name over a connect to a new one misled (issue 9).
fn pane_title(state: &State, side: Side, width: usize) -> String {
    match state.targets[side.index()]
        .as_ref()
        .filter(|t| t.connecting)
    {
        Some(t) => format!(" {}: connecting to {} … ", side.name(), printable(&t.shown)),
        None => {
            let pane = state.pane(side);
            let mut title = pane.header(side);
            // The lock says the session is in TLS; an open one says the
            // files themselves cross in the clear.
            let clear = state.clear_because[side.index()].as_deref().map(|why| {
                // The reply itself is in the log; the header keeps what
                // happened, or only that, when the path would not fit
                // beside it.
                let short = why.split(" (").next().unwrap_or(why);
                let said = format!("not encrypted: {} · ", printable(short));
                if unicode_width::UnicodeWidthStr::width(said.as_str())
                    + unicode_width::UnicodeWidthStr::width(title.as_str())
                    <= width
                {
                    said
                } else {
                    "not encrypted · ".to_string()
                }
            });
            let lock = match state.protection[side.index()] {
                _ if !matches!(pane.place, Place::Ftp { .. }) => "",
                (true, true) => "🔒 ",
                (true, false) => "🔒 control only · ",
                (false, _) => clear.as_deref().unwrap_or(""),
            };
            if !lock.is_empty() {
                let prefix = format!(" {}: ", side.name());
                title = format!("{prefix}{lock}{}", &title[prefix.len()..]);
            }
            if !matches!(pane.place, Place::Nowhere) {
                // Which order, and which way: N, S, T again reverse it.
                let key = match pane.sort {
                    super::pane::SortKey::Name => "name",
                    super::pane::SortKey::Size => "size",
                    super::pane::SortKey::Time => "time",
                };
                title.push_str(&format!("{key}{} ", if pane.reverse { "↓" } else { "↑" }));
            }
            title
        }
    }
}

fn pane_footer(state: &State, side: Side) -> String {
    if state.targets[side.index()]
        .as_ref()
        .is_some_and(|t| t.connecting)
    {
        return " Esc stops connecting ".into();
    }
    footer(state.pane(side))
}

fn footer(pane: &Pane) -> String {
    if let Some(e) = &pane.error {
        return format!(" {} ", printable(e));
    }
    if pane.filtering || !pane.filter.is_empty() {
        let cursor = if pane.filtering { "▏" } else { "" };
        let n = pane.visible.len();
        return format!(
            " filter: {}{cursor} ({n} {}) ",
            printable(&pane.filter),
            if n == 1 { "match" } else { "matches" }
        );
    }
    let n = pane.entries.len();
    if pane.selected.is_empty() {
        format!(" {n} {} ", if n == 1 { "entry" } else { "entries" })
    } else {
        format!(
            " {} of {n} selected, {} ",
            pane.selected.len(),
            human_bytes(pane.selected_bytes())
        )
    }
}

fn render_pane(state: &State, side: Side, area: Rect, frame: &mut Frame, p: &Palette) {
    let pane = state.pane(side);
    let focused = state.focus == Focus::Pane(side);
    let border = if focused {
        p.style(Color::Cyan)
    } else {
        Style::default()
    };
    let inner_w = area.width.saturating_sub(2) as usize;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(fit_title(&pane_title(state, side, inner_w), inner_w))
        .title_bottom(fit_title(&pane_footer(state, side), inner_w));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let this_year = chrono::Local::now().year();
    let (size_w, time_w) = if inner_w >= 30 {
        (9, 6)
    } else if inner_w >= 20 {
        (8, 0)
    } else {
        (0, 0)
    };
    let name_w = inner_w.saturating_sub(2 + size_w + time_w);
    let height = inner.height as usize;
    let mut lines = Vec::with_capacity(height);
    for i in pane.scroll..(pane.scroll + height).min(pane.row_count()) {
        let Some(row) = pane.row(i) else { break };
        let (mark, name, size, time, selected, kind) = match row {
            Row::Parent => (
                ' ',
                "..".to_string(),
                "<UP>".to_string(),
                String::new(),
                false,
                None,
            ),
            Row::Entry(e) => {
                let selected = pane.selected.contains(e.raw_name());
                let (name, size) = match &e.kind {
                    EntryKind::Dir => (format!("{}/", e.name), "<DIR>".to_string()),
                    EntryKind::Link => (
                        format!("{}@", e.name),
                        e.size.map(human_bytes).unwrap_or_default(),
                    ),
                    EntryKind::Unparsed => (e.name.to_string(), "?".into()),
                    _ => (
                        e.name.to_string(),
                        e.size.map(human_bytes).unwrap_or_default(),
                    ),
                };
                (
                    if selected { '*' } else { ' ' },
                    name,
                    size,
                    short_time(e.modified, this_year),
                    selected,
                    Some(e.kind.clone()),
                )
            }
        };
        let is_cursor = i == pane.cursor;
        let mut text = format!("{}{}", if is_cursor && focused { '▸' } else { mark }, ' ');
        if mark == '*' && is_cursor && focused {
            text = "*▸".to_string();
        }
        text.push_str(&fit(&name, name_w));
        if size_w > 0 {
            text.push_str(&format!("{:>w$}", size, w = size_w));
        }
        if time_w > 0 {
            text.push_str(&format!(" {:>5}", time));
        }
        let mut style = match kind {
            Some(EntryKind::Dir) => p.style(Color::White).add_modifier(Modifier::BOLD),
            Some(EntryKind::Unparsed) => p.style(Color::Red),
            Some(EntryKind::Link) => p.style(Color::LightCyan),
            _ => Style::default(),
        };
        if selected {
            style = style.patch(p.selected());
        }
        if is_cursor {
            style = style.patch(p.cursor(focused));
        }
        lines.push(Line::from(Span::styled(text, style)));
    }
    if pane.row_count() == 0 && !pane.loading && !matches!(pane.place, Place::Nowhere) {
        lines.push(Line::from(" (empty)"));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Cuts a border title to the space there is.
fn fit_title(text: &str, width: usize) -> String {
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        text.to_string()
    } else {
        fit(text, width)
    }
}

fn job_symbol(job: &JobRow) -> char {
    match job.state {
        JobState::Queued => '·',
        JobState::Running => '⇄',
        JobState::Verified => '✓',
        JobState::Failed(_) => '✗',
        JobState::Cancelled => '⊘',
        JobState::Skipped(_) => '↷',
        JobState::Walked(_) => '▣',
    }
}

fn job_line(job: &JobRow, width: usize) -> String {
    let name = if job.kind == Kind::Append || job.name != job.destination_name {
        let arrow = if job.kind == Kind::Append {
            "⇒"
        } else {
            "→"
        };
        format!("{} {arrow} {}", job.name, job.destination_name)
    } else {
        job.name.to_string()
    };
    // A tree has no way of its own until its files say (see
    // `settle_tree_row`); a file waiting for its turn has none yet.
    let mode = match (job.mode, job.tree) {
        (Some(m), _) => m.to_string(),
        (None, true) => "tree".into(),
        (None, false) => "queued".into(),
    };
    let mode = if job.protected {
        format!("🔒{mode}")
    } else {
        mode
    };
    let kind = match job.kind {
        Kind::Copy => "",
        Kind::Append => " append",
        Kind::Move => " move",
    };
    let name_w = (width / 4).clamp(8, 30);
    let head = format!(
        "{} {} {}{kind} {} ",
        job_symbol(job),
        fit(&name, name_w),
        job.direction,
        mode
    );
    let rest = match &job.state {
        JobState::Queued if job.paused => "held back (p)".into(),
        // A waiting file says why it waits (a retry's pause), if it does.
        JobState::Queued => job.note.as_deref().unwrap_or_default().to_string(),
        JobState::Running => {
            let total = job.total.unwrap_or(0);
            let frac = if total > 0 {
                job.done as f64 / total as f64
            } else {
                0.0
            };
            let eta = job.progress().eta.map(human_duration).unwrap_or_default();
            if job.progress().measured {
                let tail = format!(
                    " {:>3}%  {}/{}  {}  {}",
                    (frac * 100.0).round() as u64,
                    human_bytes(job.done),
                    human_bytes(total),
                    human_rate(job.progress().rate),
                    eta
                );
                let room = width.saturating_sub(
                    unicode_width::UnicodeWidthStr::width(head.as_str()) + tail.chars().count(),
                );
                format!("{}{tail}", gauge(frac, room.clamp(0, 20)))
            } else {
                let secs = job.progress().elapsed;
                format!(
                    "running {} (destination size not measurable)",
                    human_duration(secs)
                )
            }
        }
        JobState::Verified => format!(
            "verified {}{}",
            human_bytes(job.total.unwrap_or(job.done)),
            job.note
                .as_ref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default()
        ),
        JobState::Failed(reason) => format!("failed: {reason}"),
        JobState::Cancelled => format!(
            "cancelled{}",
            job.note
                .as_ref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ),
        JobState::Skipped(reason) => format!("skipped: {reason}"),
        JobState::Walked(text) => text.to_string(),
    };
    fit(&format!("{head}{rest}"), width)
}

fn render_transfers(state: &State, area: Rect, frame: &mut Frame, p: &Palette) {
    let t = &state.transfers;
    // Files, as the status line counts them: a tree's row is not one more.
    let files = || t.jobs.iter().filter(|j| !j.tree);
    let count = |st: &JobState| files().filter(|j| j.state == *st).count();
    let running = count(&JobState::Running);
    // Queued rows counted as running read as 18 transfers at once.
    let queued = match count(&JobState::Queued) {
        0 => String::new(),
        n => format!("{n} queued, "),
    };
    let done = count(&JobState::Verified);
    let failed = files()
        .filter(|j| matches!(j.state, JobState::Failed(_)))
        .count();
    let rate: f64 = t
        .jobs
        .iter()
        .filter(|j| j.state == JobState::Running)
        .map(|j| j.progress().rate)
        .sum();
    let title = format!(
        " transfers{}: {running} running, {queued}{done} {} verified, {failed} failed{} ",
        if t.paused { " (paused: P)" } else { "" },
        if done == 1 { "file" } else { "files" },
        if rate > 0.0 {
            format!(", {}", human_rate(rate))
        } else {
            String::new()
        }
    );
    let focused = state.focus == Focus::Transfers;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            p.style(Color::Cyan)
        } else {
            Style::default()
        })
        .title(fit_title(&title, area.width.saturating_sub(2) as usize));
    let a = areas(state.size.0, state.size.1);
    let scroll = super::update::transfers_scroll(state, &a);
    // Rows that do not fit are counted on the border, so nothing is hidden
    // without a word.
    let below = t
        .jobs
        .len()
        .saturating_sub(scroll + a.transfer_rows.height as usize);
    let more = match (scroll, below) {
        (0, 0) => String::new(),
        (0, b) => format!(" ↓ {b} more "),
        (u, 0) => format!(" ↑ {u} more "),
        (u, b) => format!(" ↑ {u} more · ↓ {b} more "),
    };
    let block = if more.is_empty() {
        block
    } else {
        let hint = if focused { "" } else { "(F9 scrolls) " };
        block.title_bottom(fit_title(
            &format!("{more}{hint}"),
            area.width.saturating_sub(2) as usize,
        ))
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // A sparkline of the selected job's rate, when there is room.
    let spark_w: u16 = if inner.width >= 90 { 20 } else { 0 };
    let rows_w = inner.width.saturating_sub(spark_w + u16::from(spark_w > 0));
    let mut lines = Vec::new();
    for (i, job) in t
        .jobs
        .iter()
        .enumerate()
        .skip(scroll)
        .take(inner.height as usize)
    {
        let mut style = match job.state {
            JobState::Failed(_) => p.style(Color::Red),
            JobState::Verified => p.style(Color::Green),
            _ => Style::default(),
        };
        if focused && i == t.selected {
            style = style.patch(p.cursor(true));
        }
        lines.push(Line::from(Span::styled(
            job_line(job, rows_w as usize),
            style,
        )));
    }
    if t.jobs.is_empty() {
        lines.push(Line::from(
            " no transfers yet: F5 copies, F4 appends, or drag entries across",
        ));
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, rows_w, inner.height),
    );
    if spark_w > 0
        && let Some(job) = t.jobs.get(t.selected)
    {
        let data: Vec<u64> = job.progress().rates.iter().copied().collect();
        // On the selected job's own row, so it cannot pass for another
        // job's gauge.
        let row = (t.selected.saturating_sub(scroll) as u16).min(inner.height.saturating_sub(1));
        let r = Rect::new(inner.x + rows_w + 1, inner.y + row, spark_w, 1);
        frame.render_widget(
            Sparkline::default().data(&data).style(p.style(Color::Cyan)),
            r,
        );
    }
}

fn render_fkeys(bar: Rect, frame: &mut Frame, p: &Palette) {
    let mut spans = Vec::new();
    let cells = layout::fkey_cells(bar);
    let count = cells.len();
    for (i, (r, num, label, _)) in cells.into_iter().enumerate() {
        let is_last = i + 1 == count;
        let num = num.to_string();
        let label_w = (r.width as usize).saturating_sub(num.len());
        spans.push(Span::styled(
            num,
            Style::default().add_modifier(Modifier::BOLD),
        ));
        let style = if p.color {
            Style::default().bg(Color::Cyan).fg(Color::Black)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        };
        // Where the whole label does not fit, its short form (at 60
        // columns "Appe", "Dele", "Tran" were hard to read); cut without an
        // ellipsis, as mc does: the digits already say which key.
        let gap = if is_last { 1 } else { 2 };
        let label = if label.chars().count() + gap > label_w {
            keymap::short_label(label)
        } else {
            label
        };
        let mut cut = String::new();
        for c in label.chars() {
            // One column stays blank so that labels never run together;
            // the last label has no neighbour to run into.
            let gap = if is_last { 1 } else { 2 };
            if unicode_width::UnicodeWidthStr::width(cut.as_str()) + gap > label_w {
                break;
            }
            cut.push(c);
        }
        spans.push(Span::styled(format!("{cut:<label_w$}"), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), bar);
}
