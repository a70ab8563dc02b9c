//! UI performance: a pane of 100,000 entries and key-to-frame latency while
//! transfers report progress. Plain `Instant` timing, no harness:
//!
//!     cargo bench --bench ui
//!
//! Prints a table (median, p99, max and the target of each measurement)
//! and exits non-zero only if something panics: the numbers are for
//! README.md's "Benchmarks" section, not a pass/fail gate.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use fxpc::ftp::listing::parse_list;
use fxpc::transfer::{Event, EventKind, Kind, Mode};
use fxpc::ui::pane::{Pane, Place};
use fxpc::ui::render::render;
use fxpc::ui::state::State;
use fxpc::ui::update::{Action, update};

const ENTRIES: usize = 100_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
const JOBS: u64 = 8;

/// A Unix `ls -l` body: mostly files, every 50th a directory, dates in
/// both forms (`HH:MM` this year, a year otherwise), names in no order.
fn list_body(n: usize) -> Vec<u8> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut out = String::with_capacity(n * 72);
    out.push_str(&format!("total {}\r\n", n * 4));
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let dir = i % 50 == 0;
        let month = MONTHS[(x % 12) as usize];
        let day = 1 + (x >> 8) % 28;
        let when = if i % 3 == 0 {
            format!("{:02}:{:02}", (x >> 16) % 24, (x >> 24) % 60)
        } else {
            format!(" {}", 2000 + (x >> 32) % 25)
        };
        let (perm, size, name) = if dir {
            ("drwxr-xr-x", 4096, format!("dir_{:016x}", x))
        } else {
            (
                "-rw-r--r--",
                (x >> 20) % 5_000_000_000,
                format!("file_{:016x}_{i}.dat", x),
            )
        };
        out.push_str(&format!(
            "{perm}    1 ftp      ftp      {size:>12} {month} {day:>2} {when:>5} {name}\r\n"
        ));
    }
    out.into_bytes()
}

struct Stats {
    median: Duration,
    p99: Duration,
    max: Duration,
    n: usize,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let n = samples.len();
    let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    Stats {
        median: at(0.5),
        p99: at(0.99),
        max: samples[n - 1],
        n,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

struct Row {
    what: &'static str,
    stats: Stats,
    target: Option<Duration>,
    /// Which statistic the target applies to.
    on_p99: bool,
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal")
}

/// (a) parse + set_entries + first frame, and its parts.
fn big_pane(body: &[u8], today: NaiveDate, rows: &mut Vec<Row>) -> State {
    const RUNS: usize = 11;
    let (mut parse, mut set, mut first, mut total) = (vec![], vec![], vec![], vec![]);
    let mut state = None;
    // One warm-up run, then RUNS measured.
    for run in 0..=RUNS {
        let t0 = Instant::now();
        let entries = parse_list(black_box(body), today);
        let t1 = Instant::now();
        let mut pane = Pane::new(
            Place::Ftp {
                url: "ftp://mirror.example:21".into(),
            },
            b"/pub/big".to_vec(),
        );
        pane.set_entries(entries);
        let t2 = Instant::now();
        let s = State::new(
            pane,
            Pane::new(Place::Local, b"/tmp".to_vec()),
            (WIDTH, HEIGHT),
        );
        let mut term = terminal();
        term.draw(|f| render(&s, f)).unwrap();
        let t3 = Instant::now();
        assert_eq!(s.panes[0].entries.len(), ENTRIES);
        if run > 0 {
            parse.push(t1 - t0);
            set.push(t2 - t1);
            first.push(t3 - t2);
            total.push(t3 - t0);
        }
        state = Some(s);
    }
    rows.push(Row {
        what: "(a) 100k LIST: parse_list",
        stats: stats(parse),
        target: None,
        on_p99: false,
    });
    rows.push(Row {
        what: "(a)   Pane::set_entries (sort, refilter)",
        stats: stats(set),
        target: None,
        on_p99: false,
    });
    // Where set_entries' time goes: the sort alone, on the same entries in
    // the same (listing) order.
    let mut sort = Vec::new();
    let parsed = parse_list(body, today);
    for run in 0..=RUNS {
        let mut pane = Pane::new(Place::Local, b"/".to_vec());
        pane.entries = parsed.clone();
        let t = Instant::now();
        pane.sort_entries();
        if run > 0 {
            sort.push(t.elapsed());
        }
    }
    rows.push(Row {
        what: "(a)     of which Pane::sort_entries",
        stats: stats(sort),
        target: None,
        on_p99: false,
    });
    rows.push(Row {
        what: "(a)   first frame (200x60)",
        stats: stats(first),
        target: None,
        on_p99: false,
    });
    rows.push(Row {
        what: "(a) parse + set_entries + first frame",
        stats: stats(total),
        target: Some(Duration::from_millis(300)),
        on_p99: false,
    });
    state.unwrap()
}

/// (b) one frame with the 100k pane, the cursor moving each frame.
fn frames(state: &mut State, rows: &mut Vec<Row>) {
    let mut term = terminal();
    let mut samples = Vec::new();
    for i in 0..250 {
        // Page down through the listing: every frame draws new rows.
        update(state, key(KeyCode::PageDown));
        let t = Instant::now();
        term.draw(|f| render(state, f)).unwrap();
        if i >= 50 {
            samples.push(t.elapsed());
        }
    }
    rows.push(Row {
        what: "(b) one frame, 100k pane (200 frames)",
        stats: stats(samples),
        target: Some(Duration::from_millis(5)),
        on_p99: false,
    });
}

fn event(job: u64, kind: EventKind) -> Action {
    Action::Engine(Event { job, kind })
}

/// (c) 8 transfers reporting at 2 Hz each, and keys in between.
fn latency(state: &mut State, rows: &mut Vec<Row>) {
    const TOTAL: u64 = 4 << 30;
    for job in 1..=JOBS {
        update(
            state,
            event(
                job,
                EventKind::Queued {
                    source: format!("ftp://mirror.example:21/pub/big/file_{job}.iso"),
                    destination: format!("ftp://backup.example:21/in/file_{job}.iso"),
                    source_site: Some("anonymous@mirror.example:21".into()),
                    destination_site: Some("anonymous@backup.example:21".into()),
                    source_path: format!("/pub/big/file_{job}.iso").into_bytes(),
                    destination_path: format!("/in/file_{job}.iso").into_bytes(),
                    parent: None,
                    kind: Kind::Copy,
                    recursive: false,
                },
            ),
        );
        update(
            state,
            event(
                job,
                EventKind::Started {
                    mode: Mode::LstnSock,
                    total: Some(TOTAL),
                    offset: 0,
                },
            ),
        );
    }
    let mut term = terminal();
    term.draw(|f| render(state, f)).unwrap();
    let (mut key_alone, mut batch) = (Vec::new(), Vec::new());
    // Simulated 0.5 s ticks: every job reports once per tick (2 Hz), the
    // loop draws, then a key arrives — alone, or in the same drain as the
    // tick's progress events (the worst case the event loop sees).
    for tick in 0..1100u64 {
        let progress: Vec<Action> = (1..=JOBS)
            .map(|job| {
                let done = (tick * 50_000_000 + job * 1_000_000).min(TOTAL);
                event(
                    job,
                    EventKind::Progress {
                        done,
                        total: Some(TOTAL),
                        rate: 100e6 + (tick % 17) as f64 * 1e6,
                        eta: Some(Duration::from_secs((TOTAL - done) / 100_000_000)),
                        measured: true,
                        elapsed: Duration::from_secs(1),
                    },
                )
            })
            .collect();
        let code = if tick % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        if tick % 2 == 0 {
            for a in progress {
                update(state, a);
            }
            term.draw(|f| render(state, f)).unwrap();
            let t = Instant::now();
            update(state, key(code));
            term.draw(|f| render(state, f)).unwrap();
            if tick >= 100 {
                key_alone.push(t.elapsed());
            }
        } else {
            let t = Instant::now();
            for a in progress {
                update(state, a);
            }
            update(state, key(code));
            term.draw(|f| render(state, f)).unwrap();
            if tick >= 100 {
                batch.push(t.elapsed());
            }
        }
    }
    assert_eq!(state.transfers.running(), JOBS as usize);
    rows.push(Row {
        what: "(c) key -> frame, 8 transfers (update+render)",
        stats: stats(key_alone),
        target: Some(Duration::from_millis(50)),
        on_p99: true,
    });
    rows.push(Row {
        what: "(c) 8 progress + key -> frame, one drain",
        stats: stats(batch),
        target: Some(Duration::from_millis(50)),
        on_p99: true,
    });
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and
    // ignored (three measurements, run them all).
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let body = list_body(ENTRIES);
    println!(
        "fxpc UI benchmarks: {ENTRIES} entries ({:.1} MiB of LIST), {WIDTH}x{HEIGHT} TestBackend, {JOBS} transfers",
        body.len() as f64 / (1 << 20) as f64
    );
    let mut rows = Vec::new();
    let mut state = big_pane(&body, today, &mut rows);
    frames(&mut state, &mut rows);
    latency(&mut state, &mut rows);

    println!();
    println!(
        "| {:<46} | {:>5} | {:>11} | {:>11} | {:>11} | {:>14} |",
        "measurement", "n", "median", "p99", "max", "target"
    );
    println!(
        "|{:-<48}|{:-<7}|{:-<13}|{:-<13}|{:-<13}|{:-<16}|",
        "", "", "", "", "", ""
    );
    for r in &rows {
        let target = match r.target {
            Some(t) => {
                let got = if r.on_p99 {
                    r.stats.p99
                } else {
                    r.stats.median
                };
                format!(
                    "{} {:>4}{}",
                    if got <= t { "ok" } else { "MISS" },
                    format!("≤{}", t.as_millis()),
                    if r.on_p99 { "ms p99" } else { "ms" }
                )
            }
            None => String::new(),
        };
        println!(
            "| {:<46} | {:>5} | {:>11} | {:>11} | {:>11} | {:>14} |",
            r.what,
            r.stats.n,
            ms(r.stats.median),
            ms(r.stats.p99),
            ms(r.stats.max),
            target
        );
    }
}
