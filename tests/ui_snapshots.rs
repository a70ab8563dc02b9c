//! Whole screens, rendered from hand-built `State`s into ratatui's
//! `TestBackend` and kept as insta snapshots (tests/snapshots/). Colour is
//! off so the text is the whole story; entry times are in 2001 so that
//! `short_time` prints the year whatever today's date is.
//!
//! Besides the snapshots, every screen is walked cell by cell: each line
//! must be exactly as wide as the terminal, and no cell may hide under the
//! second half of a wide character (which a real terminal would not show).
//!
//! Regenerate: `INSTA_UPDATE=always cargo test --test ui_snapshots`, then
//! read the .snap files.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

use fxpc::ftp::{Entry, EntryKind, Login};
use fxpc::transfer::{FtpSite, Kind, Mode};
use fxpc::ui::layout::areas;
use fxpc::ui::pane::{Pane, Place};
use fxpc::ui::render::render;
use fxpc::ui::state::{Drag, Focus, Item, JobRow, JobState, Progress, Side, State};
use fxpc::ui::update::{Action, update};

// ---- fixtures -----------------------------------------------------------

fn at(month: u32, day: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(2001, month, day)?.and_hms_opt(12, 0, 0)
}

fn file(name: &str, size: u64, month: u32, day: u32) -> Entry {
    let mut entry = Entry::named(name.as_bytes(), EntryKind::File);
    entry.size = Some(size);
    entry.modified = at(month, day);
    entry
}

fn dir(name: &str, month: u32, day: u32) -> Entry {
    let mut entry = file(name, 0, month, day);
    entry.kind = EntryKind::Dir;
    entry.size = None;
    entry
}

fn site(host: &str, port: u16) -> Arc<FtpSite> {
    Arc::new(FtpSite {
        host: host.into(),
        port,
        login: Login::default(),
        options: Default::default(),
        max_connections: 2,
        allow_foreign_passive: false,
        allow_clear_data: false,
    })
}

fn pane(url: &str, cwd: &str, entries: Vec<Entry>) -> Pane {
    let mut p = Pane::new(Place::Ftp { url: url.into() }, cwd.as_bytes().to_vec());
    p.set_entries(entries);
    p
}

/// The product sheet's screen: mirror-a/pub on the left, mirror-b/in on the
/// right.
fn state(w: u16, h: u16) -> State {
    let left = pane(
        "ftp://mirror-a:21",
        "/pub",
        vec![
            dir("docs", 11, 3),
            file("PROG1.PL1", 12 * 1024, 11, 20),
            file("big.iso", 4_509_715_660, 11, 21),
            file("README", 1_234, 6, 1),
        ],
    );
    let right = pane(
        "ftp://mirror-b:2121",
        "/in",
        vec![dir("old", 10, 1), file("PROG2.PL1", 3 * 1024, 11, 21)],
    );
    let mut s = State::new(left, right, (w, h));
    s.sites = [Some(site("mirror-a", 21)), Some(site("mirror-b", 2121))];
    s.color = false;
    s
}

fn key(s: &mut State, code: KeyCode) {
    update(s, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn select(s: &mut State, side: Side, names: &[&str]) {
    for n in names {
        s.pane_mut(side).selected.insert(n.as_bytes().to_vec());
    }
}

fn cursor_on(s: &mut State, side: Side, name: &str) {
    s.pane_mut(side).cursor_to(name.as_bytes());
    let p = s.pane(side);
    assert_eq!(p.cursor_entry().map(|e| e.name.as_str()), Some(name));
}

fn job(id: u64, name: &str, kind: Kind, state: JobState) -> JobRow {
    JobRow {
        id,
        name: name.into(),
        destination_name: name.into(),
        direction: "a→b".into(),
        kind,
        mode: Some(Mode::LstnSock),
        done: 0,
        total: None,
        state,
        progress: None,
        note: None,
        parent: None,
        protected: false,
        paused: false,
        story: None,
        fallback: None,
        tree: false,
    }
}

/// A transfer at 68%, a verified append and a failure with the server's
/// reply.
fn transfers() -> Vec<JobRow> {
    const GIB42: u64 = 4_509_715_660;
    let running = JobRow {
        done: GIB42 * 68 / 100,
        total: Some(GIB42),
        progress: Some(Box::new(Progress {
            rate: 112_000_000.0,
            eta: Some(12),
            rates: (0..40).map(|i| 90_000_000 + i * 700_000).collect(),
            ..Progress::default()
        })),
        ..job(1, "big.iso", Kind::Copy, JobState::Running)
    };
    let appended = JobRow {
        destination_name: "PROG2.PL1".into(),
        mode: Some(Mode::Fxp {
            source_passive: false,
        }),
        done: 15 * 1024,
        total: Some(15 * 1024),
        ..job(2, "PROG1.PL1", Kind::Append, JobState::Verified)
    };
    let failed = JobRow {
        direction: "b→a".into(),
        mode: Some(Mode::Fxp {
            source_passive: true,
        }),
        ..job(
            3,
            "secret.tar",
            Kind::Copy,
            JobState::Failed("RETR refused [550 secret.tar: Permission denied]".into()),
        )
    };
    let checked = JobRow {
        mode: Some(Mode::LstnSock),
        done: 160 << 20,
        total: Some(160 << 20),
        note: Some("sha-256 matches".into()),
        ..job(4, "demo.iso", Kind::Copy, JobState::Verified)
    };
    vec![running, appended, failed, checked]
}

// ---- drawing and checking -------------------------------------------------

fn draw(s: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(s.size.0, s.size.1)).unwrap();
    // The frame as rendered: the backend only receives what ratatui's diff
    // sends, which already leaves out cells under wide characters.
    let frame = t.draw(|f| render(s, f)).unwrap();
    check_cells(frame.buffer);
    check_cells(t.backend().buffer());
    t
}

/// Every line as wide as the terminal, and nothing hidden under the second
/// half of a wide character.
fn check_cells(buf: &Buffer) {
    let w = buf.area.width;
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                assert_eq!(
                    sym, " ",
                    "row {y} col {x}: {sym:?} is hidden under a wide character"
                );
                skip -= 1;
                continue;
            }
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        assert_eq!(line.width(), w as usize, "row {y} is {line:?}");
    }
}

/// The text of a screen row, with wide characters once.
fn row_text(buf: &Buffer, y: u16) -> String {
    let mut line = String::new();
    let mut skip = 0usize;
    for x in 0..buf.area.width {
        let sym = buf[(x, y)].symbol();
        if skip > 0 {
            skip -= 1;
            continue;
        }
        line.push_str(sym);
        skip = sym.width().saturating_sub(1);
    }
    line
}

// ---- screens --------------------------------------------------------------

#[test]
fn main_screen_with_a_selection() {
    let mut s = state(80, 24);
    select(&mut s, Side::Left, &["PROG1.PL1", "big.iso"]);
    cursor_on(&mut s, Side::Left, "big.iso");
    let t = draw(&s);
    let buf = t.backend().buffer();
    let a = areas(80, 24);
    let left_footer = row_text(buf, a.panes[0].y + a.panes[0].height - 1);
    assert!(
        left_footer.contains(" 2 of 4 selected, 4.2 GiB "),
        "{left_footer}"
    );
    let right_footer = row_text(buf, a.panes[1].y + a.panes[1].height - 1);
    assert!(right_footer.contains(" 2 entries "), "{right_footer}");
    insta::assert_snapshot!("main_80x24", t.backend());
}

#[test]
fn copy_dialog() {
    let mut s = state(80, 24);
    select(&mut s, Side::Left, &["PROG1.PL1", "big.iso", "docs"]);
    key(&mut s, KeyCode::F(5));
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("copy 3 items"), "{text}");
    assert!(
        text.contains("to   right: ftp://mirror-b:2121/in"),
        "{text}"
    );
    insta::assert_snapshot!("copy_dialog_80x24", t.backend());
}

#[test]
fn append_dialog_after_the_picker() {
    let mut s = state(80, 24);
    cursor_on(&mut s, Side::Left, "PROG1.PL1");
    key(&mut s, KeyCode::F(4));
    insta::assert_snapshot!("append_picker_80x24", draw(&s).backend());
    key(&mut s, KeyCode::Enter);
    let t = draw(&s);
    assert!(
        t.backend()
            .to_string()
            .contains("onto PROG2.PL1 in right: ftp://mirror-b:2121/in"),
        "{}",
        t.backend()
    );
    insta::assert_snapshot!("append_dialog_80x24", t.backend());
}

#[test]
fn transfers_mid_transfer() {
    let mut s = state(80, 24);
    s.transfers.set_rows(transfers());
    s.focus = Focus::Transfers;
    s.transfers.selected = 2;
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains(" 68%"), "{text}");
    assert!(text.contains("failed: RETR refused [550"), "{text}");
    insta::assert_snapshot!("transfers_80x24", t.backend());
}

#[test]
fn transfers_wide_with_sparkline() {
    let mut s = state(120, 30);
    s.transfers.set_rows(transfers());
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("107 MiB/s  12s"), "{text}");
    insta::assert_snapshot!("transfers_120x30", t.backend());
}

#[test]
fn error_message_quotes_the_server() {
    let mut s = state(80, 24);
    let attempt = match update(
        &mut s,
        Action::Open {
            side: Side::Right,
            target: "ftp://mirror-b:2121".into(),
        },
    )
    .as_slice()
    {
        [fxpc::ui::update::Effect::Connect { attempt, .. }] => *attempt,
        other => panic!("{other:?}"),
    };
    update(
        &mut s,
        Action::ConnectFailed {
            side: Side::Right,
            attempt,
            error: "ftp://mirror-b:2121: login refused by the server:\n\
                    530 Login incorrect.\n\
                    (user anonymous; set a password in config.toml or ~/.netrc)"
                .into(),
        },
    );
    let t = draw(&s);
    assert!(t.backend().to_string().contains("530 Login incorrect."));
    insta::assert_snapshot!("error_message_80x24", t.backend());
}

#[test]
fn small_terminal() {
    let mut s = state(60, 20);
    s.transfers.set_rows(transfers());
    select(&mut s, Side::Left, &["big.iso"]);
    let t = draw(&s);
    insta::assert_snapshot!("small_60x20", t.backend());
    cursor_on(&mut s, Side::Left, "big.iso");
    key(&mut s, KeyCode::F(5));
    let t = draw(&s);
    let text = t.backend().to_string();
    for b in ["[Ask]", "[Rename]", "[ OK ]", "[ Cancel ]"] {
        assert!(text.contains(b), "{b} missing:\n{text}");
    }
    insta::assert_snapshot!("small_60x20_copy_dialog", t.backend());
}

#[test]
fn wide_and_combining_names_keep_columns() {
    let mut s = state(80, 24);
    let names = [
        "日本語ファイル名がとても長いです.txt",
        "日本語.txt",
        "🎉🎉 party 🎉🎉 photos.zip",
        "👨‍👩‍👧‍👦 family photos from the trip.jpg",
        "❤️❤️❤️ hearts and more hearts.txt",
        "e\u{301}te\u{301} re\u{301}sume\u{301}.pdf",
        "Zoë Ünïcödé ﬁle.txt",
        "한국어 파일 이름입니다 정말로.doc",
        "x日本語日本語日本語日本語日本語",
    ];
    let mut entries: Vec<Entry> = names
        .iter()
        .enumerate()
        .map(|(i, n)| file(n, 1000 + i as u64 * 4000, 1, 1))
        .collect();
    entries.push(dir("文件夹", 2, 2));
    *s.pane_mut(Side::Left) = pane("ftp://mirror-a:21", "/unicode", entries.clone());
    *s.pane_mut(Side::Right) = pane("ftp://mirror-b:2121", "/", entries);
    cursor_on(&mut s, Side::Right, "日本語.txt");
    select(&mut s, Side::Right, &["日本語.txt"]);
    let t = draw(&s);
    let buf = t.backend().buffer();
    // Every entry row ends its size column and its time column at the
    // same screen column, whatever the name.
    let a = areas(80, 24);
    for side in [Side::Left, Side::Right] {
        let rows = a.rows[side.index()];
        let last = rows.x + rows.width - 1;
        let first_entry = usize::from(s.pane(side).has_parent()) as u16;
        let n = s.pane(side).visible.len() as u16;
        for y in rows.y + first_entry..rows.y + first_entry + n {
            let text = row_text(buf, y);
            assert_eq!(buf[(last, y)].symbol(), "1", "time column, row {y}: {text}");
            let size_end = buf[(last - 6, y)].symbol();
            assert!(
                size_end == "B" || size_end == ">",
                "size column, row {y}: {text}"
            );
            assert_eq!(buf[(last + 1, y)].symbol(), "│", "border, row {y}: {text}");
        }
    }
    insta::assert_snapshot!("unicode_names_80x24", t.backend());
}

#[test]
fn wide_names_under_dialogs_and_ghosts() {
    // Overlays start at fixed columns; a wide character under their left
    // or right edge must not swallow the border.
    let mut s = state(80, 24);
    let entries: Vec<Entry> = (0..14)
        .map(|i| {
            let lead = if i % 2 == 0 { "" } else { "x" };
            file(
                &format!("{lead}日本語日本語日本語日本語日本語日本語{i:02}"),
                1,
                1,
                1,
            )
        })
        .collect();
    *s.pane_mut(Side::Left) = pane("ftp://mirror-a:21", "/", entries.clone());
    *s.pane_mut(Side::Right) = pane("ftp://mirror-b:2121", "/", entries);
    for x in 0..6 {
        for y in [1, 2] {
            s.drag = Some(Drag {
                from: Side::Left,
                items: vec![Item {
                    raw_name: b"a".to_vec(),
                    name: "a".into(),
                    is_dir: false,
                    size: Some(1),
                }],
                start: (3, 1),
                pos: (x, y),
                active: true,
            });
            draw(&s);
        }
    }
    s.drag = None;
    s.pane_mut(Side::Left).cursor = 3;
    for code in [KeyCode::F(8), KeyCode::F(5), KeyCode::F(7), KeyCode::F(1)] {
        key(&mut s, code);
        assert!(s.dialog.is_some(), "{code:?}");
        draw(&s);
        key(&mut s, KeyCode::Esc);
    }
    s.transfers
        .set_rows(vec![job(1, "x", Kind::Copy, JobState::Running)]);
    key(&mut s, KeyCode::Char('q'));
    draw(&s);
}

#[test]
fn help_overlay() {
    let mut s = state(80, 24);
    key(&mut s, KeyCode::F(1));
    let t = draw(&s);
    let first = t.backend().to_string();
    assert!(first.contains("Help (↑↓ scroll)"));
    insta::assert_snapshot!("help_80x24", t.backend());
    key(&mut s, KeyCode::End);
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("F10 q         quit"), "{text}");
    assert!(text.contains("Esc goes back."), "{text}");
    // Between the two screens every help line shows, uncut.
    let all = fxpc::ui::keymap::help_lines();
    let rows = fxpc::ui::dialog::message::help_rows(s.size);
    for l in &all[all.len() - rows..] {
        assert!(text.contains(l.as_str()), "{l:?} missing:\n{text}");
    }
    for l in &all[..rows] {
        assert!(first.contains(l.as_str()), "{l:?} missing:\n{first}");
    }
    insta::assert_snapshot!("help_80x24_end", t.backend());
}

#[test]
fn drag_ghost() {
    let mut s = state(80, 24);
    select(&mut s, Side::Left, &["PROG1.PL1", "big.iso"]);
    let items = ["PROG1.PL1", "big.iso"]
        .iter()
        .map(|n| Item {
            raw_name: n.as_bytes().to_vec(),
            name: n.to_string(),
            is_dir: false,
            size: Some(1),
        })
        .collect();
    s.drag = Some(Drag {
        from: Side::Left,
        items,
        start: (5, 3),
        pos: (52, 4),
        active: true,
    });
    let t = draw(&s);
    assert!(row_text(t.backend().buffer(), 4).contains(" 2 items "));
    insta::assert_snapshot!("drag_ghost_80x24", t.backend());

    // One item shows its name; at the right edge the ghost is cut, not
    // wrapped.
    let d = s.drag.as_mut().unwrap();
    d.items.truncate(1);
    d.pos = (75, 6);
    let t = draw(&s);
    insta::assert_snapshot!("drag_ghost_edge_80x24", t.backend());
}

#[test]
fn conflict_question() {
    let mut s = state(80, 24);
    s.transfers.set_rows(vec![JobRow {
        mode: None,
        ..job(9, "big.iso", Kind::Copy, JobState::Queued)
    }]);
    update(
        &mut s,
        Action::Engine(fxpc::transfer::Event {
            job: 9,
            kind: fxpc::transfer::EventKind::Conflict {
                destination: "ftp://mirror-b:2121/in/big.iso".into(),
                source_size: 4_509_715_660,
                destination_size: 1_073_741_824,
            },
        }),
    );
    insta::assert_snapshot!("conflict_80x24", draw(&s).backend());
}

/// Below the supported 60x20 the layout is cramped, but nothing may panic
/// (a terminal can be resized to anything): every screen and dialog drawn
/// at tiny sizes, and hit-testing a click at every cell.
#[test]
fn tiny_terminals_never_panic() {
    for (w, h) in [(1, 1), (2, 3), (10, 5), (20, 8), (40, 10), (59, 19)] {
        for open in [
            None,
            Some(KeyCode::F(5)),
            Some(KeyCode::F(1)),
            Some(KeyCode::F(7)),
            Some(KeyCode::F(8)),
        ] {
            let mut s = state(w, h);
            s.transfers.set_rows(transfers());
            if let Some(k) = open {
                key(&mut s, k);
            }
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| render(&s, f)).unwrap();
            for col in 0..w {
                for row in 0..h {
                    let mut c = state(w, h);
                    let click = crossterm::event::MouseEvent {
                        kind: crossterm::event::MouseEventKind::Down(
                            crossterm::event::MouseButton::Left,
                        ),
                        column: col,
                        row,
                        modifiers: KeyModifiers::NONE,
                    };
                    update(
                        &mut c,
                        Action::Mouse {
                            event: click,
                            at: std::time::Instant::now(),
                        },
                    );
                }
            }
        }
    }
}

/// Issue 9 item 5: rows that do not fit are counted on the border, and the
/// running row is in view whatever came before it.
#[test]
fn transfers_panel_counts_what_does_not_fit() {
    let mut s = state(80, 24);
    s.transfers.set_rows(
        (0..30)
            .map(|i| {
                let st = match i {
                    0..12 => JobState::Verified,
                    12 => JobState::Running,
                    _ => JobState::Queued,
                };
                job(i, &format!("file{i:02}.bin"), Kind::Copy, st)
            })
            .collect(),
    );
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(
        text.contains("file12.bin"),
        "the running row is shown\n{text}"
    );
    assert!(text.contains("↑ 12 more · ↓ 13 more"), "{text}");
    insta::assert_snapshot!("transfers_more_80x24", t.backend());
}

fn type_keys(s: &mut State, text: &str) {
    for c in text.chars() {
        update(
            s,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

/// Issue 9 items 1 and 11: a password typed into the connect dialog's URL
/// shows as bullets; while the pane dials, its header names what it dials.
#[test]
fn connect_masks_the_password_and_the_header_names_the_dialled_url() {
    let mut s = state(80, 24);
    // F2 is the site manager; Ctrl-L there is the one-line URL dialog.
    key(&mut s, KeyCode::F(2));
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)),
    );
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    type_keys(&mut s, "ftp://bob:hunter2@h9/pub");
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("ftp://bob:•••••••@h9/pub"), "{text}");
    insta::assert_snapshot!("connect_masked_80x24", t.backend());
    key(&mut s, KeyCode::Enter);
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(
        text.contains("left: connecting to ftp://bob@h9/pub"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    insta::assert_snapshot!("connecting_80x24", t.backend());
}

/// Issue 9 item 2: Shift-F6 onto an existing name asks.
#[test]
fn rename_onto_an_existing_name_asks_first() {
    let mut s = state(80, 24);
    cursor_on(&mut s, Side::Left, "PROG1.PL1");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::F(6), KeyModifiers::SHIFT)),
    );
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    type_keys(&mut s, "README");
    key(&mut s, KeyCode::Enter);
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("README exists (1.2 KiB)."), "{text}");
    assert!(
        text.contains("[ Overwrite ]") && text.contains("[ Cancel ]"),
        "{text}"
    );
    insta::assert_snapshot!("rename_overwrite_80x24", t.backend());
}

/// Issue 9 item 14: the viewer names the file whole (wrapped), says how
/// much of it it loaded, and the pane behind does not show through.
#[test]
fn viewer_names_the_file_whole_and_says_how_much_it_loaded() {
    let mut s = state(80, 24);
    let long = format!(
        "{}日本語 — the last part.txt",
        "a-very-long-name-".repeat(5)
    );
    let mut big = file(&long, 160 << 20, 1, 1);
    big.kind = EntryKind::File;
    *s.pane_mut(Side::Left) = pane("ftp://mirror-a:21", "/pub", vec![big]);
    s.pane_mut(Side::Left).cursor = 1;
    key(&mut s, KeyCode::F(3));
    let text: Vec<u8> = (0..3000)
        .flat_map(|i| format!("line {i}\t日本語 text\n").into_bytes())
        .collect();
    update(
        &mut s,
        Action::Peeked {
            name: long.clone(),
            result: Ok(text[..64 * 1024].to_vec()),
        },
    );
    let t = draw(&s);
    let screen = t.backend().to_string();
    assert!(screen.contains("the first 64 KiB of 160 MiB:"), "{screen}");
    assert!(
        screen.contains("the last part.txt"),
        "the name's end: {screen}"
    );
    insta::assert_snapshot!("viewer_80x24", t.backend());
    key(&mut s, KeyCode::End);
    let t = draw(&s);
    let screen = t.backend().to_string();
    let last_line = String::from_utf8_lossy(&text[..64 * 1024])
        .lines()
        .last()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    assert!(
        screen.contains(&last_line),
        "End shows {last_line}: {screen}"
    );
    assert!(screen.contains("Esc closes"), "{screen}");
    insta::assert_snapshot!("viewer_end_80x24", t.backend());
}

/// Issue 9 item 15: a copy of 100 files lists four and counts the rest;
/// the quit question fits at 60 columns.
#[test]
fn long_lists_are_counted_and_the_quit_question_fits_small() {
    let mut s = state(60, 20);
    let files: Vec<Entry> = (0..100)
        .map(|i| file(&format!("f{i:03}"), 1, 1, 1))
        .collect();
    *s.pane_mut(Side::Left) = pane("ftp://mirror-a:21", "/pub", files);
    key(&mut s, KeyCode::Char('*'));
    key(&mut s, KeyCode::F(5));
    let text = draw(&s).backend().to_string();
    assert!(text.contains("copy 100 items"), "{text}");
    assert!(text.contains("… and 96 more"), "{text}");
    key(&mut s, KeyCode::Esc);
    s.transfers
        .set_rows(vec![job(1, "x", Kind::Copy, JobState::Running)]);
    key(&mut s, KeyCode::F(10));
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("1 transfer is not finished."), "{text}");
    assert!(text.contains("Quit and cancel them? (y/n)"), "{text}");
    insta::assert_snapshot!("quit_60x20", t.backend());
}

/// A site that takes TLS when offered, whose server refused `AUTH TLS`: the
/// pane header says the session is not encrypted (the reply itself is in
/// the log), and the other pane says nothing of the kind.
#[test]
fn a_pane_in_clear_says_so_in_its_header() {
    let mut s = state(80, 24);
    s.clear_because[Side::Left.index()] =
        Some("the server refused AUTH TLS (500 This security scheme is not implemented)".into());
    let t = draw(&s);
    let buf = t.backend().buffer();
    let rows: Vec<String> = (0..buf.area.height).map(|y| row_text(buf, y)).collect();
    let header = rows
        .iter()
        .find(|r| r.contains("not encrypted"))
        .unwrap_or_else(|| panic!("{rows:#?}"));
    // At 80 columns the path comes first; wider, the reason fits too.
    assert!(header.contains("ftp://mirror-a"), "{header}");
    insta::assert_snapshot!("clear_header_80x24", t.backend());
    let wide = draw(&{
        let mut w = state(160, 24);
        w.clear_because = s.clear_because.clone();
        w
    });
    let wide_rows: Vec<String> = (0..wide.backend().buffer().area.height)
        .map(|y| row_text(wide.backend().buffer(), y))
        .collect();
    assert!(
        wide_rows
            .iter()
            .any(|r| r.contains("not encrypted: the server refused AUTH TLS")),
        "{wide_rows:#?}"
    );
    assert_eq!(
        rows.iter()
            .map(|r| r.matches("not encrypted").count())
            .sum::<usize>(),
        1,
        "only the left pane: {rows:#?}"
    );
    check_cells(buf);
}

/// Issue 24 item 5: F2's site manager, with folders, details and the
/// edit form; passwords never on screen, control characters defused.
fn saved_sites() -> Vec<fxpc::sites::SiteEntry> {
    let config: fxpc::sites::Config = toml::from_str(
        r#"
[[site]]
name = "archive"
url = "ftp://anonymous@archive.example/pub"

[[site]]
name = "printshop"
url = "ftp://lena@print.example:2121/%2Fjobs/in"
password = "hunter2"
folder = "Work/Customers"
comment = "night shift only\u001b[31m"
max_connections = 2
passive = false

[[site]]
name = "broadcast"
url = "ftps://tx@[2001:db8::20]/"
password = "s3cret"
folder = "Work"
tls = "implicit"

[[site]]
name = "lab board"
url = "ftp://10.0.0.7/"
folder = "Home"
"#,
    )
    .unwrap();
    config.sites
}

fn ctrl(s: &mut State, c: char) {
    update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

#[test]
fn site_manager_lists_folders_details_and_edits_in_place() {
    let mut s = state(80, 24);
    update(&mut s, Action::Sites(saved_sites()));
    key(&mut s, KeyCode::F(2));
    type_keys(&mut s, "print");
    let t = draw(&s);
    let text = t.backend().to_string();
    for wanted in [
        "Sites · connect the left pane",
        "Work/",
        "Customers/",
        "printshop",
        "ftp://lena@print.example:2121/%2Fjobs/in",
        "stored (not shown)",
        "active",
        "night shift only?[31m",
        "F4 edit",
    ] {
        assert!(text.contains(wanted), "{wanted} missing:\n{text}");
    }
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains("archive"), "filtered out:\n{text}");
    insta::assert_snapshot!("site_manager_80x24", t.backend());

    key(&mut s, KeyCode::F(4));
    for _ in 0..3 {
        key(&mut s, KeyCode::Tab);
    }
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("•••••••"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    for wanted in ["print.example", "2121", "lena", "/jobs/in", "Enter: save"] {
        assert!(text.contains(wanted), "{wanted} missing:\n{text}");
    }
    insta::assert_snapshot!("site_manager_edit_80x24", t.backend());
}

#[test]
fn site_manager_everything_and_a_typed_url() {
    let mut s = state(80, 24);
    update(&mut s, Action::Sites(saved_sites()));
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::F(2));
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Up);
    let t = draw(&s);
    let text = t.backend().to_string();
    for wanted in [
        "archive",
        "Home/",
        "lab board",
        "broadcast",
        "ftps://tx@[2001:db8::20]/",
        "implicit",
        "Ctrl-O: the left pane",
    ] {
        assert!(text.contains(wanted), "{wanted} missing:\n{text}");
    }
    assert!(!text.contains("s3cret"), "{text}");
    insta::assert_snapshot!("site_manager_all_80x24", t.backend());
    ctrl(&mut s, 'u');
    type_keys(&mut s, "ftp://bob:hunter2@h9/pub");
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("no site matches") || text.contains("ftp://bob:"),
        "{text}"
    );
    key(&mut s, KeyCode::F(8));
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn site_manager_delete_asks_small() {
    let mut s = state(60, 20);
    update(&mut s, Action::Sites(saved_sites()));
    key(&mut s, KeyCode::F(2));
    key(&mut s, KeyCode::F(8));
    let t = draw(&s);
    let text = t.backend().to_string();
    assert!(text.contains("Delete the site archive?"), "{text}");
    insta::assert_snapshot!("site_manager_delete_60x20", t.backend());
}
