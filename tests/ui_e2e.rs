//! The real `fxpc` binary in a pseudo-terminal, driven as a person would:
//! keys and SGR mouse sequences go in, the output is parsed by a terminal
//! emulator (`vt100`), and the screen text is what the tests read. Two
//! `fxpc serve` processes on 127.0.0.2 and 127.0.0.3 are the sites; every
//! copy is checked byte for byte on disk.
//!
//! Every child (servers and the UI) is killed on drop, so a failing
//! assertion leaves no process behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const FXPC: &str = env!("CARGO_BIN_EXE_fxpc");
const COLS: u16 = 100;
const ROWS: u16 = 30;
/// Generous: two cores are shared with builds and other test binaries.
const TIMEOUT: Duration = Duration::from_secs(20);

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const F4: &str = "\x1b[14~";
const F5: &str = "\x1b[15~";
const F10: &str = "\x1b[21~";

/// `fxpc serve` as a child process; killed on drop.
struct Served {
    child: Child,
    url: String,
    /// With `--tls-self-signed`: the certificate's fingerprint it printed.
    fingerprint: Option<String>,
}

impl Served {
    /// On `ip` (any port), or on `ip:port` when given one.
    fn start(ip: &str, root: &Path, state: &Path, extra: &[&str]) -> Served {
        let listen = if ip.contains(':') {
            ip.to_string()
        } else {
            format!("{ip}:0")
        };
        let mut child = Command::new(FXPC)
            .args(["serve", "--root"])
            .arg(root)
            .args(["--listen", &listen])
            .args(if extra.contains(&"--anonymous") {
                &[][..]
            } else {
                &["--anonymous", "write"][..]
            })
            .args(extra)
            .env("XDG_STATE_HOME", state)
            // Every command in its log: tests count what a server was sent.
            .env("FXPC_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn fxpc serve");
        // "fxpc serve: DIR on ftp://ADDR/" (then, in TLS, "… certificate
        // SHA256:…").
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let fingerprint = extra.contains(&"--tls-self-signed").then(|| {
            let mut tls = String::new();
            out.read_line(&mut tls).unwrap();
            tls.trim()
                .rsplit(' ')
                .next()
                .unwrap_or_default()
                .to_string()
        });
        let Some(url) = line.split_whitespace().find(|w| w.starts_with("ftp://")) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no URL in {line:?}");
        };
        Served {
            url: url.to_string(),
            child,
            fingerprint,
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deterministic bytes that are not a repeating pattern.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

const BIG: &str = "big.bin";
const BIG_LEN: usize = 2 * 1024 * 1024 + 12_345;

/// Two served roots (left with a big file and small ones, right with a
/// couple of small files) and the UI in a PTY connected to both.
struct Session {
    // Fields drop in order: the UI first, then the servers, then the files.
    tui: Tui,
    _left: Served,
    _right: Served,
    left_root: PathBuf,
    right_root: PathBuf,
    dir: tempfile::TempDir,
}

impl Session {
    fn start() -> Session {
        let dir = tempfile::tempdir().unwrap();
        let left_root = dir.path().join("left");
        let right_root = dir.path().join("right");
        std::fs::create_dir_all(left_root.join("sub")).unwrap();
        std::fs::create_dir_all(right_root.join("incoming")).unwrap();
        std::fs::write(left_root.join("a-small.txt"), b"first small file\n").unwrap();
        std::fs::write(left_root.join(BIG), noise(BIG_LEN, 0x5eed)).unwrap();
        std::fs::write(left_root.join("notes.txt"), b"some notes\nmore notes\n").unwrap();
        std::fs::write(right_root.join("a-first.txt"), b"not this one\n").unwrap();
        std::fs::write(right_root.join("log.txt"), b"line 1\nline 2\n").unwrap();
        // The servers log apart from the UI, so a failure shows the UI's log.
        let servers_state = dir.path().join("servers");
        let left = Served::start("127.0.0.2", &left_root, &servers_state, &["--allow-fxp"]);
        let right = Served::start("127.0.0.3", &right_root, &servers_state, &[]);
        let tui = Tui::start(dir.path(), &[&left.url, &right.url]);
        let session = Session {
            tui,
            _left: left,
            _right: right,
            left_root,
            right_root,
            dir,
        };
        // Both panes list their entries.
        session.tui.wait_for("both panes listed", |s| {
            s.pane(0).contains(BIG)
                && s.pane(0).contains("4 entries")
                && s.pane(1).contains("log.txt")
                && s.pane(1).contains("3 entries")
        });
        session
    }

    /// Waits for the single transfer to end and checks it verified.
    fn wait_verified(&self, what: &str) -> Screen {
        let screen = self.tui.wait_for(what, |s| {
            s.text.contains("1 file verified") || s.text.contains("1 failed")
        });
        assert!(
            screen.text.contains("1 file verified") && screen.line_with("✓").is_some(),
            "{what}: the transfer did not verify\n{}",
            self.tui.dump()
        );
        screen
    }

    fn quit(mut self) {
        assert!(
            !self.tui.line_mode().contains("ICANON"),
            "raw mode while the UI runs: {}",
            self.tui.line_mode()
        );
        self.tui.send(F10);
        let status = self.tui.wait_exit(Duration::from_secs(15));
        assert!(status.success(), "fxpc exited with {status:?}");
        self.assert_restored();
    }

    /// After the UI exited: the terminal is as it was, and the session saved.
    fn assert_restored(&self) {
        // The terminal was given back: alternate screen left, mouse
        // capture off (crossterm's DisableMouseCapture ends with ?1000l).
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let out = self.tui.raw();
            let leave = find(&out, b"\x1b[?1049l");
            let mouse_off = find(&out, b"\x1b[?1000l");
            let enter = find(&out, b"\x1b[?1049h");
            if let (Some(leave), Some(mouse_off), Some(enter)) = (leave, mouse_off, enter) {
                assert!(
                    leave > enter,
                    "left the alternate screen before entering it"
                );
                assert!(mouse_off > enter);
                assert!(
                    find(&out, b"\x1b[?1006l").is_some(),
                    "SGR mouse mode not disabled"
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "terminal not restored: leave-alternate {leave:?}, mouse-off {mouse_off:?}; \
                 last output bytes: {:?}",
                String::from_utf8_lossy(&out[out.len().saturating_sub(400)..])
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // Raw mode undone: line editing and echo are back.
        let mode = self.tui.line_mode();
        assert!(
            mode.contains("ICANON") && mode.contains("ECHO"),
            "terminal left in raw mode: {mode}"
        );
        // The session was saved where FXPC_CONFIG points.
        let config = std::fs::read_to_string(self.dir.path().join("config.toml"))
            .expect("config.toml written on quit");
        assert!(config.contains("127.0.0.2"), "{config}");
    }
}

/// A signal ends the UI as it ends other programs: the terminal given back
/// and the session saved as on a quit, but the exit status says which
/// signal (128 + its number), so `timeout fxpc` or a service manager does
/// not read it as success.
#[test]
fn sigterm_and_sighup_restore_the_terminal_and_exit_128_plus_the_signal() {
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let mut s = Session::start();
        let pid = s.tui.child.process_id().expect("the UI's pid");
        let sent = Command::new("kill")
            .args([format!("-{signal}"), pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} {pid}");
        let status = s.tui.wait_exit(Duration::from_secs(15));
        assert_eq!(status.exit_code(), code, "SIG{signal}: {status:?}");
        s.assert_restored();
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The parsed screen: whole text and rows.
struct Screen {
    text: String,
    rows: Vec<String>,
}

impl Screen {
    /// The text of one pane's columns (0 left, 1 right), row by row.
    fn pane(&self, side: usize) -> String {
        let half = (COLS / 2) as usize;
        self.rows
            .iter()
            .map(|r| {
                let chars: Vec<char> = r.chars().collect();
                let (a, b) = if side == 0 {
                    (0, half.min(chars.len()))
                } else {
                    (half.min(chars.len()), chars.len())
                };
                chars[a..b].iter().collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn line_with(&self, needle: &str) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.contains(needle))
            .map(String::as_str)
    }

    /// 1-based (column, row) of the first place `needle` appears in a
    /// column range, as a mouse report wants it.
    fn locate(&self, needle: &str, cols: std::ops::Range<usize>) -> Option<(usize, usize)> {
        for (y, row) in self.rows.iter().enumerate() {
            let chars: Vec<char> = row.chars().collect();
            let n: Vec<char> = needle.chars().collect();
            for x in cols.clone() {
                if x + n.len() <= chars.len() && chars[x..x + n.len()] == n[..] {
                    return Some((x + 1, y + 1));
                }
            }
        }
        None
    }
}

/// The UI in a pseudo-terminal, its output parsed on a reader thread.
struct Tui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    log: PathBuf,
    // Kept open while the child runs; also tells the line mode.
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    /// SIGKILL (no chance to tidy up) once `ready` holds.
    fn kill_once(&mut self, ready: impl Fn() -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !ready() {
            assert!(
                Instant::now() < deadline,
                "not ready to kill\n{}",
                self.dump()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid = self.child.process_id().unwrap();
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        self.wait_exit(Duration::from_secs(10));
    }

    fn start(dir: &Path, panes: &[&str]) -> Tui {
        Tui::start_with(dir, panes, &[])
    }

    fn start_with(dir: &Path, panes: &[&str], env: &[(&str, &str)]) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(FXPC);
        cmd.args(panes);
        cmd.cwd(dir);
        cmd.env("FXPC_CONFIG", dir.join("config.toml"));
        cmd.env("XDG_STATE_HOME", dir);
        cmd.env("NETRC", "/nonexistent");
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        cmd.env("FXPC_LOG", "debug");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn fxpc in a pty");
        // Only the child holds the slave now: its exit ends our reads.
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            ROWS.try_into().unwrap(),
            COLS.try_into().unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let (p, r) = (parser.clone(), raw.clone());
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                        p.lock().unwrap().process(&buf[..n]);
                    }
                }
            }
        });
        let writer = pair.master.take_writer().expect("pty writer");
        Tui {
            child,
            writer,
            parser,
            raw,
            reader: Some(reader),
            log: dir.join("fxpc").join("fxpc.log"),
            master: pair.master,
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn screen(&self) -> Screen {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        Screen {
            text: screen.contents(),
            rows: screen.rows(0, COLS).collect(),
        }
    }

    /// The PTY's local flags as text (`ICANON`, `ECHO`, ...).
    fn line_mode(&self) -> String {
        format!("{:?}", self.master.get_termios().map(|t| t.local_flags))
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// The screen, framed, and the end of the UI's log: what a failure shows.
    fn dump(&self) -> String {
        let screen = self.screen();
        let mut out = String::from("---- screen ----\n");
        for (i, row) in screen.rows.iter().enumerate() {
            out.push_str(&format!("{i:2}|{row}\n"));
        }
        out.push_str("---- end of screen ----\n");
        if let Ok(log) = std::fs::read_to_string(&self.log) {
            let lines: Vec<&str> = log.lines().collect();
            out.push_str("---- fxpc.log (last 30 lines) ----\n");
            for l in &lines[lines.len().saturating_sub(30)..] {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// Polls the parsed screen until `ok` holds; panics with the screen on
    /// timeout.
    fn wait_for(&self, what: &str, ok: impl Fn(&Screen) -> bool) -> Screen {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}\n{}", self.dump());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn wait_text(&self, needle: &str) -> Screen {
        self.wait_for(&format!("{needle:?} on screen"), |s| {
            s.text.contains(needle)
        })
    }

    fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return status;
            }
            if Instant::now() > deadline {
                panic!("fxpc did not exit\n{}", self.dump());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// SGR mouse report: `press` M, `release` m, 1-based.
    fn mouse(&mut self, button: u8, col: usize, row: usize, release: bool) {
        let end = if release { 'm' } else { 'M' };
        self.send(&format!("\x1b[<{button};{col};{row}{end}"));
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn assert_same_file(a: &Path, b: &Path) {
    let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert_eq!(
        x.len(),
        y.len(),
        "{} vs {}: sizes",
        a.display(),
        b.display()
    );
    assert!(x == y, "{} and {} differ", a.display(), b.display());
}

#[test]
fn keys_copy_the_big_file_server_to_server_and_quit_restores_the_terminal() {
    let mut s = Session::start();
    // The cursor starts on sub/ (directories first): an arrow, then a vi
    // key, reach the big file.
    s.tui.send(DOWN);
    s.tui.wait_text("▸ a-small.txt");
    s.tui.send("j");
    s.tui.wait_text("▸ big.bin");
    s.tui.send(F5);
    let dialog = s.tui.wait_text("copy big.bin");
    assert!(
        dialog.text.contains("LSTN/SOCK"),
        "the dialog names the mode\n{}",
        s.tui.dump()
    );
    s.tui.send(ENTER);
    let screen = s.wait_verified("the keyboard copy");
    let row = screen.line_with("✓").unwrap();
    assert!(
        row.contains("big.bin") && row.contains("LSTN/SOCK") && row.contains("verified"),
        "{row}"
    );
    assert_same_file(&s.left_root.join(BIG), &s.right_root.join(BIG));
    // The right pane lists the new file once the transfer ended.
    s.tui.wait_for("the right pane relisted", |sc| {
        sc.pane(1).contains(BIG) && sc.pane(1).contains("4 entries")
    });
    s.quit();
}

#[test]
fn dragging_a_file_onto_the_other_pane_copies_it() {
    let mut s = Session::start();
    let screen = s.tui.screen();
    let half = (COLS / 2) as usize;
    let (col, row) = screen
        .locate(BIG, 0..half)
        .unwrap_or_else(|| panic!("{BIG} not in the left pane\n{}", s.tui.dump()));
    // Press on the name, drag across the divider in a few steps, drop in
    // the right pane on the same row.
    s.tui.mouse(0, col, row, false);
    for x in [col + 3, col + 15, half - 2, half + 5, half + 20] {
        s.tui.mouse(32, x, row, false);
        std::thread::sleep(Duration::from_millis(15));
    }
    // While dragging, the ghost of the name follows the pointer.
    s.tui.wait_for("the drag ghost in the right pane", |sc| {
        sc.locate(BIG, half..COLS as usize).is_some()
    });
    s.tui.mouse(0, half + 20, row, true);
    let dialog = s.tui.wait_text("copy big.bin");
    assert!(dialog.text.contains("LSTN/SOCK"), "{}", s.tui.dump());
    // Click the dialog's OK button.
    // (`[ OK ]`, or `[OK]` where a dialog had to save room.)
    let (ok_col, ok_row) = dialog
        .locate("[ OK ]", 0..COLS as usize)
        .or_else(|| dialog.locate("[OK]", 0..COLS as usize))
        .unwrap_or_else(|| panic!("no OK button\n{}", s.tui.dump()));
    s.tui.mouse(0, ok_col + 1, ok_row, false);
    s.tui.mouse(0, ok_col + 1, ok_row, true);
    s.wait_verified("the dragged copy");
    assert_same_file(&s.left_root.join(BIG), &s.right_root.join(BIG));
    s.quit();
}

#[test]
fn f4_appends_a_small_file_to_the_chosen_file_in_the_other_pane() {
    let mut s = Session::start();
    let source = std::fs::read(s.left_root.join("a-small.txt")).unwrap();
    let before = std::fs::read(s.right_root.join("log.txt")).unwrap();
    let untouched = std::fs::read(s.right_root.join("a-first.txt")).unwrap();
    // The cursor starts on sub/ (directories first).
    s.tui.send(DOWN);
    s.tui.wait_text("▸ a-small.txt");
    s.tui.send(F4);
    s.tui.wait_text("append a-small.txt to:");
    // The picker lists the right pane's files: a-first.txt, then log.txt.
    s.tui.send("j");
    std::thread::sleep(Duration::from_millis(50));
    s.tui.send(ENTER);
    let dialog = s.tui.wait_text("onto log.txt");
    assert!(
        dialog.text.contains("append a-small.txt"),
        "{}",
        s.tui.dump()
    );
    s.tui.send(ENTER);
    let screen = s.wait_verified("the append");
    let row = screen.line_with("✓").unwrap();
    assert!(row.contains("append"), "{row}");
    let after = std::fs::read(s.right_root.join("log.txt")).unwrap();
    assert_eq!(after.len(), before.len() + source.len());
    assert_eq!(after, [before, source].concat());
    assert_eq!(
        std::fs::read(s.right_root.join("a-first.txt")).unwrap(),
        untouched
    );
    s.quit();
}

/// Issue 24 item 5: F2's site manager with several saved sites in
/// folders; typing filters to one, Enter connects the pane F2 was pressed
/// in and it lists that server's files; Ctrl-O connects the other pane.
#[test]
fn the_site_manager_filters_to_a_saved_site_and_connects_either_pane() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a_root).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    std::fs::write(a_root.join("from-alpha.txt"), b"alpha\n").unwrap();
    std::fs::write(b_root.join("from-beta.txt"), b"beta\n").unwrap();
    let state = dir.path().join("servers");
    let a = Served::start("127.0.0.2", &a_root, &state, &[]);
    let b = Served::start("127.0.0.3", &b_root, &state, &[]);
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[[site]]\nname = \"alpha\"\nurl = \"{}\"\nfolder = \"Work/Customers\"\n\n\
             [[site]]\nname = \"beta\"\nurl = \"{}\"\nfolder = \"Work\"\n\n\
             [[site]]\nname = \"nowhere\"\nurl = \"ftp://127.0.0.9:1/\"\n",
            a.url, b.url
        ),
    )
    .unwrap();
    let mut tui = Tui::start(dir.path(), &[]);
    tui.wait_text("F1 help");

    tui.send(F2);
    tui.wait_for("the sites under their folders", |s| {
        s.text.contains("Sites · connect the left pane")
            && s.text.contains("Customers/")
            && s.text.contains("nowhere")
    });
    tui.send("bet");
    tui.wait_for("the filter down to beta", |s| {
        s.text.contains("▸ beta") && !s.text.contains("nowhere") && !s.text.contains("alpha")
    });
    tui.send(ENTER);
    tui.wait_for("the left pane on beta's server", |s| {
        s.pane(0).contains("from-beta.txt") && !s.text.contains("Sites ·")
    });

    // From the left pane, Ctrl-O connects the right one.
    tui.send(F2);
    tui.wait_text("Sites · connect the left pane");
    tui.send("ALPHA");
    tui.wait_text("▸ alpha");
    tui.send("\x0f");
    tui.wait_for("the right pane on alpha's server", |s| {
        s.pane(1).contains("from-alpha.txt") && s.pane(0).contains("from-beta.txt")
    });
    tui.send(F10);
    let status = tui.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
}

const CTRL_U: &str = "\x15";
const F2: &str = "\x1bOQ";
const SHIFT_F6: &str = "\x1b[17;2~";
const ESC: &str = "\x1b";

/// Items 1–3 of issue 9 as a person meets them: two sites that both need
/// a password, a URL typed with its password, a rename onto an existing
/// name.
#[test]
fn both_password_questions_come_secrets_stay_out_of_history_and_renames_ask() {
    let dir = tempfile::tempdir().unwrap();
    let (left_root, right_root) = (dir.path().join("left"), dir.path().join("right"));
    std::fs::create_dir_all(&left_root).unwrap();
    std::fs::create_dir_all(&right_root).unwrap();
    std::fs::write(left_root.join("only-left.txt"), b"left\n").unwrap();
    std::fs::write(right_root.join("a-first.txt"), b"keep me\n").unwrap();
    std::fs::write(right_root.join("log.txt"), b"line 1\nline 2\n").unwrap();
    let secret = dir.path().join("password");
    std::fs::write(&secret, "s3cret-pw\n").unwrap();
    let user = format!("bob:@{}", secret.display());
    let state = dir.path().join("servers");
    let left = Served::start("127.0.0.2", &left_root, &state, &["--user", &user]);
    let right = Served::start("127.0.0.3", &right_root, &state, &["--user", &user]);
    let with_user = |s: &Served| s.url.replace("ftp://", "ftp://bob@");
    let mut tui = Tui::start(dir.path(), &[&with_user(&left), &with_user(&right)]);

    // One question per pane, one after the other, each naming its site.
    for _ in 0..2 {
        let screen = tui.wait_for("a password question", |s| {
            s.text.contains("Password for ftp://bob@")
        });
        let asked = screen.line_with("Password for").unwrap().to_string();
        assert!(
            asked.contains("left pane") || asked.contains("right pane"),
            "{asked}"
        );
        tui.send("s3cret-pw");
        tui.wait_for("the typed password masked", |s| {
            s.text.contains("•••••••••") && !s.text.contains("s3cret-pw")
        });
        tui.send(ENTER);
        tui.wait_for("the question closed", |s| {
            s.line_with("Password for") != Some(asked.as_str())
        });
    }
    tui.wait_for("both panes listed", |s| {
        s.pane(0).contains("only-left.txt") && s.pane(1).contains("log.txt")
    });

    // A URL typed with its password: masked while typed, connected, and
    // kept in the history without it.
    tui.send(F2);
    // F2 is the site manager: a URL typed into its filter connects.
    tui.wait_text("Sites · connect the left pane");
    tui.send(CTRL_U);
    let typed = right.url.replace("ftp://", "ftp://bob:s3cret-pw@");
    tui.send(&typed);
    tui.wait_for("the URL's password masked", |s| {
        s.text.contains("bob:•••••••••@") && !s.text.contains("s3cret-pw")
    });
    tui.send(ENTER);
    tui.wait_for("the left pane on the right site", |s| {
        s.pane(0).contains("log.txt") && s.pane(0).contains("a-first.txt")
    });

    // Shift-F6 onto an existing name asks, and Esc keeps both files.
    let screen = tui.screen();
    let rows_before = screen.pane(0);
    assert!(rows_before.contains("▸"), "{}", tui.dump());
    for _ in 0..3 {
        if tui.screen().pane(0).contains("▸ log.txt") {
            break;
        }
        tui.send(DOWN);
        std::thread::sleep(Duration::from_millis(50));
    }
    tui.wait_text("▸ log.txt");
    tui.send(SHIFT_F6);
    tui.wait_text("Rename log.txt to");
    tui.send(CTRL_U);
    tui.send("a-first.txt");
    tui.send(ENTER);
    tui.wait_text("a-first.txt exists");
    tui.send(ESC);
    tui.wait_for("the question closed", |s| !s.text.contains("exists"));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        std::fs::read(right_root.join("a-first.txt")).unwrap(),
        b"keep me\n"
    );
    assert!(right_root.join("log.txt").exists());
    // Asked again and answered "overwrite": now it is replaced.
    tui.send(SHIFT_F6);
    tui.wait_text("Rename log.txt to");
    tui.send(CTRL_U);
    tui.send("a-first.txt");
    tui.send(ENTER);
    tui.wait_text("a-first.txt exists");
    tui.send("o");
    tui.wait_for("the left pane relisted", |s| {
        !s.pane(0).contains("log.txt") && s.pane(0).contains("a-first.txt")
    });
    assert_eq!(
        std::fs::read(right_root.join("a-first.txt")).unwrap(),
        b"line 1\nline 2\n"
    );

    tui.send(F10);
    let status = tui.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "fxpc exited with {status:?}");
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(
        !config.contains("s3cret"),
        "a password was saved:\n{config}"
    );
    let kept = right.url.replace("ftp://", "ftp://bob@");
    assert!(
        config.contains(&kept),
        "{kept} not in the history:\n{config}"
    );
}

/// Issue 9 item 6: with the transfers panel focused, movement keys move
/// its selection, never the hidden file pane's cursor.
#[test]
fn keys_in_the_transfers_panel_leave_the_file_cursor_alone() {
    let mut s = Session::start();
    // Copy a-small.txt so the panel has a row.
    s.tui.send(DOWN);
    s.tui.wait_text("▸ a-small.txt");
    s.tui.send(F5);
    s.tui.wait_text("copy a-small.txt");
    s.tui.send(ENTER);
    s.wait_verified("the first copy");
    // Cursor on notes.txt, then into the panel: G, k, g, j, Home, End.
    s.tui.send("jj");
    s.tui.wait_text("▸ notes.txt");
    s.tui.send("\x1b[20~"); // F9
    s.tui
        .wait_for("the panel focused", |sc| !sc.text.contains("▸ notes.txt"));
    for keys in ["G", "k", "g", "j", "\x1b[H", "\x1b[F", "\x1b[6~", "\x1b[5~"] {
        s.tui.send(keys);
        std::thread::sleep(Duration::from_millis(30));
    }
    s.tui.send("c");
    s.tui.send(ESC);
    s.tui.wait_text("▸ notes.txt");
    s.tui.send(F5);
    let dialog = s.tui.wait_text("copy notes.txt");
    assert!(!dialog.text.contains("copy big.bin"), "{}", s.tui.dump());
    s.tui.send(ESC);
    // A lone ESC right before F10's own ESC sequence reads as Alt-[.
    s.tui.wait_for("the dialog closed", |sc| {
        !sc.text.contains("copy notes.txt")
    });
    s.quit();
}

/// Issue 9 item 4: the UI looks for a password where the command line
/// does: `FXPC_PASSWORD`, and a saved site with the same user, host and
/// port, before it asks.
#[test]
fn the_ui_finds_passwords_where_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("found-it.txt"), b"x").unwrap();
    let secret = dir.path().join("password");
    std::fs::write(&secret, "env-pw\n").unwrap();
    let user = format!("bob:@{}", secret.display());
    let state = dir.path().join("servers");
    let a = Served::start("127.0.0.2", &root, &state, &["--user", &user]);
    let b = Served::start("127.0.0.3", &root, &state, &["--user", &user]);
    let url_b = b.url.replace("ftp://", "ftp://bob@");
    // The right pane's site is saved with its password under another name:
    // found by user, host and port.
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[[site]]\nname = \"saved\"\nurl = \"{url_b}\"\npassword = \"env-pw\"\n"),
    )
    .unwrap();
    let mut tui = Tui::start_with(
        dir.path(),
        &[&a.url.replace("ftp://", "ftp://bob@"), &url_b],
        &[("FXPC_PASSWORD", "env-pw")],
    );
    let screen = tui.wait_for("both panes listed without a question", |s| {
        s.pane(0).contains("found-it.txt") && s.pane(1).contains("found-it.txt")
    });
    assert!(!screen.text.contains("Password for"), "{}", tui.dump());
    tui.send(F10);
    let status = tui.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
}

/// Issue 10 in the UI: two FTPS `fxpc serve` (self-signed, trusted with
/// `--trust-fingerprint`), locks in the headers, a server-to-server copy in
/// TLS, then a download to the local disk in TLS; bytes checked.
#[test]
fn the_ui_browses_and_copies_in_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (left_root, right_root) = (dir.path().join("left"), dir.path().join("right"));
    let local = dir.path().join("local");
    for d in [&left_root, &right_root, &local] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(left_root.join(BIG), noise(BIG_LEN, 7)).unwrap();
    let state = dir.path().join("servers");
    let tls = ["--tls-self-signed", "--tls", "required", "--allow-fxp"];
    let left = Served::start("127.0.0.2", &left_root, &state, &tls);
    let right = Served::start("127.0.0.3", &right_root, &state, &tls);
    let secure = |s: &Served| s.url.replace("ftp://", "ftpes://");
    let (fa, fb) = (
        left.fingerprint.clone().unwrap(),
        right.fingerprint.clone().unwrap(),
    );
    let mut tui = Tui::start(
        dir.path(),
        &[
            "--trust-fingerprint",
            &fa,
            "--trust-fingerprint",
            &fb,
            &secure(&left),
            &secure(&right),
        ],
    );
    let screen = tui.wait_for("both panes listed", |s| {
        s.pane(0).contains(BIG) && s.pane(1).contains("(empty)")
    });
    assert!(
        screen.rows[0].matches("🔒").count() == 2,
        "a lock on each header: {}",
        screen.rows[0]
    );
    tui.send(F5);
    tui.wait_text("copy big.bin");
    tui.send(ENTER);
    let screen = tui.wait_for("the copy verified", |s| {
        s.text.contains("1 file verified") || s.text.contains("1 failed")
    });
    let row = screen.line_with("✓").unwrap_or_default().to_string();
    assert!(screen.text.contains("1 file verified"), "{}", tui.dump());
    assert!(row.contains("🔒LSTN/SOCK"), "{row}");
    assert_same_file(&left_root.join(BIG), &right_root.join(BIG));

    // The right pane to the local disk, then the same file downloaded.
    tui.send("\t");
    tui.send(F2);
    tui.wait_text("Sites · connect the right pane");
    tui.send(CTRL_U);
    tui.send(&format!("local:{}", local.display()));
    tui.send(ENTER);
    tui.wait_for("the right pane local", |s| s.rows[0].contains("local:"));
    tui.send("\t");
    tui.wait_text("▸ big.bin");
    tui.send(F5);
    tui.wait_text("mode: download");
    tui.send(ENTER);
    tui.wait_for("the download verified", |s| {
        s.text.contains("2 files verified")
    });
    assert_same_file(&left_root.join(BIG), &local.join(BIG));
    tui.send(F10);
    let status = tui.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
}

/// Issue 11 in the UI: a tree copy between two rate-limited servers, the
/// UI killed with SIGKILL half-way; the next start asks about the work
/// left, "r" resumes it, every file arrives whole and none that had
/// verified is stored again (the destination's log counts STORs).
#[test]
fn a_killed_ui_asks_and_resumes_its_unfinished_transfers() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a_root.join("tree")).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    const FILES: usize = 20;
    let size = |i: usize| 150_000 + i * 1000;
    for i in 0..FILES {
        std::fs::write(
            a_root.join(format!("tree/f{i:02}.bin")),
            noise(size(i), i as u64 + 1),
        )
        .unwrap();
    }
    let (a_state, b_state) = (dir.path().join("a-state"), dir.path().join("b-state"));
    let a = Served::start(
        "127.0.0.2",
        &a_root,
        &a_state,
        &["--allow-fxp", "--rate", "1M"],
    );
    // The destination logs every command (its STORs are counted).
    let b = Served::start("127.0.0.3", &b_root, &b_state, &[]);
    let whole = |i: usize| {
        std::fs::metadata(b_root.join(format!("tree/f{i:02}.bin")))
            .is_ok_and(|m| m.len() as usize == size(i))
    };
    {
        let mut tui = Tui::start(dir.path(), &[&a.url, &b.url]);
        copy_tree_then_kill(&mut tui, || (0..FILES).filter(|i| whole(*i)).count() >= 4);
    }
    assert!(
        (0..FILES).filter(|i| whole(*i)).count() < FILES,
        "killed too late"
    );

    let mut tui = Tui::start(dir.path(), &[&a.url, &b.url]);
    tui.wait_text("left unfinished by an earlier run");
    tui.send("r");
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..FILES).filter(|i| whole(*i)).count() < FILES {
        assert!(Instant::now() < deadline, "not resumed\n{}", tui.dump());
        std::thread::sleep(Duration::from_millis(50));
    }
    tui.wait_for("the transfers done", |s| s.text.contains("0 running"));
    for i in 0..FILES {
        let name = format!("tree/f{i:02}.bin");
        assert_same_file(&a_root.join(&name), &b_root.join(&name));
    }
    let log = std::fs::read_to_string(b_state.join("fxpc/fxpc.log")).unwrap();
    let mut again = 0;
    for i in 0..FILES {
        let name = format!("f{i:02}.bin");
        let n = log
            .lines()
            .filter(|l| l.contains(">> STOR") && l.contains(&name))
            .count();
        assert!((1..=2).contains(&n), "{name} stored {n} times");
        again += n - 1;
    }
    assert!(again <= 2, "{again} sent again");
    tui.send(F10);
    tui.wait_exit(Duration::from_secs(15));
}

/// The panes are remembered as they change, not only at a clean quit:
/// after a `kill -9` (the crash a resume is for), a plain `fxpc` opens
/// both where they were — a local directory and a server's directory.
#[test]
fn a_killed_ui_reopens_its_panes_where_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local");
    std::fs::create_dir_all(local.join("inner")).unwrap();
    std::fs::write(local.join("inner/deep.txt"), b"deep").unwrap();
    let remote = dir.path().join("remote");
    std::fs::create_dir_all(remote.join("far-sub")).unwrap();
    std::fs::write(remote.join("far-sub/far.txt"), b"far").unwrap();
    let served = Served::start("127.0.0.5", &remote, &dir.path().join("served-state"), &[]);
    {
        let mut tui = Tui::start(dir.path(), &[local.to_str().unwrap(), &served.url]);
        tui.wait_text("▸ ..");
        tui.send("\x1b[B");
        tui.wait_text("▸ inner/");
        tui.send(ENTER);
        tui.wait_for("the left pane entered inner/", |s| {
            s.pane(0).contains("deep.txt")
        });
        tui.wait_for("the right pane listed", |s| s.pane(1).contains("far-sub/"));
        tui.send("\t");
        tui.wait_text("▸ far-sub/");
        tui.send(ENTER);
        tui.wait_for("the right pane entered far-sub/", |s| {
            s.pane(1).contains("far.txt")
        });
        // The save is not instant: it follows the change.
        let config = dir.path().join("config.toml");
        tui.kill_once(|| std::fs::read_to_string(&config).is_ok_and(|c| c.contains("far-sub")));
    }
    let mut tui = Tui::start(dir.path(), &[]);
    tui.wait_for("both panes where they were", |s| {
        s.pane(0).contains("deep.txt") && s.pane(1).contains("far.txt")
    });
    tui.send(F10);
    tui.wait_exit(Duration::from_secs(15));
}

/// After a crash, the sites' passwords were only in the killed UI: the
/// resume asks each site's once (in the password dialog), then every item
/// runs and arrives whole — it used to stay waiting, saying there was no
/// password, without asking.
#[test]
fn a_resume_after_a_crash_asks_each_sites_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let (a_root, b_root) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(a_root.join("tree")).unwrap();
    std::fs::create_dir_all(&b_root).unwrap();
    const FILES: usize = 12;
    let size = |i: usize| 150_000 + i * 1000;
    for i in 0..FILES {
        std::fs::write(
            a_root.join(format!("tree/f{i:02}.bin")),
            noise(size(i), i as u64 + 7),
        )
        .unwrap();
    }
    let private = ["--user", "bob:a-pw", "--anonymous", "none"];
    let a = Served::start(
        "127.0.0.6",
        &a_root,
        &dir.path().join("a-state"),
        &[&private[..], &["--allow-fxp", "--rate", "1M"]].concat(),
    );
    let private_b = ["--user", "bob:b-pw", "--anonymous", "none"];
    let b = Served::start(
        "127.0.0.7",
        &b_root,
        &dir.path().join("b-state"),
        &private_b,
    );
    let with_user = |url: &str| url.replacen("ftp://", "ftp://bob@", 1);
    let (a_url, b_url) = (with_user(&a.url), with_user(&b.url));
    let whole = |i: usize| {
        std::fs::metadata(b_root.join(format!("tree/f{i:02}.bin")))
            .is_ok_and(|m| m.len() as usize == size(i))
    };
    {
        let mut tui = Tui::start(dir.path(), &[&a_url, &b_url]);
        // Both panes connect at once: whichever asks first is answered
        // first.
        for _ in 0..2 {
            let screen = tui.wait_for("a pane's password question", |s| {
                s.line_with("Password for")
                    .is_some_and(|l| l.contains("pane)"))
            });
            let line = screen.line_with("Password for").unwrap().to_string();
            tui.send(if line.contains("(left pane)") {
                "a-pw"
            } else {
                "b-pw"
            });
            tui.send(ENTER);
            tui.wait_for("the question answered", |s| {
                s.line_with("Password for") != Some(line.as_str())
            });
        }
        copy_tree_then_kill(&mut tui, || (0..FILES).filter(|i| whole(*i)).count() >= 2);
    }
    assert!(
        (0..FILES).filter(|i| whole(*i)).count() < FILES,
        "killed too late"
    );
    // Two local panes: nothing else asks for a password.
    let here = dir.path().to_str().unwrap();
    let mut tui = Tui::start(dir.path(), &[here, here]);
    tui.wait_text("left unfinished by an earlier run");
    tui.send("r");
    let mut asked = Vec::new();
    for _ in 0..2 {
        let screen = tui.wait_text("(unfinished transfers)");
        let line = screen
            .line_with("(unfinished transfers)")
            .unwrap()
            .to_string();
        let pw = if line.contains("127.0.0.6") {
            "a-pw"
        } else {
            "b-pw"
        };
        asked.push(pw);
        tui.send(pw);
        tui.send(ENTER);
        tui.wait_for("the question answered", |s| {
            s.line_with("(unfinished transfers)") != Some(line.as_str())
        });
    }
    asked.sort_unstable();
    assert_eq!(asked, ["a-pw", "b-pw"], "each site asked once");
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..FILES).filter(|i| whole(*i)).count() < FILES {
        assert!(Instant::now() < deadline, "not resumed\n{}", tui.dump());
        std::thread::sleep(Duration::from_millis(50));
    }
    for i in 0..FILES {
        let name = format!("tree/f{i:02}.bin");
        assert_same_file(&a_root.join(&name), &b_root.join(&name));
    }
    tui.wait_for("the transfers done", |s| {
        s.text.contains("0 running") && s.text.contains(&format!("{FILES} files verified"))
    });
    assert!(!tui.dump().contains("(unfinished transfers)"));
    tui.send(F10);
    tui.wait_exit(Duration::from_secs(15));
}

/// F5 on `tree/` (the cursor's) into the other pane, then SIGKILL once
/// `far_enough` says the copy is under way: the crash a resume is for.
fn copy_tree_then_kill(tui: &mut Tui, far_enough: impl Fn() -> bool) {
    tui.wait_text("▸ tree/");
    tui.wait_for("the right pane listed", |s| s.pane(1).contains("(empty)"));
    tui.send(F5);
    tui.wait_text("copy tree/");
    tui.send(ENTER);
    tui.kill_once(far_enough);
}

/// A server that went away and came back: the pane that lost its
/// connection dials again when the user next acts in it, and says so.
#[test]
fn a_pane_reconnects_when_its_server_came_back() {
    let dir = tempfile::tempdir().unwrap();
    let remote = dir.path().join("remote");
    std::fs::create_dir_all(remote.join("one")).unwrap();
    std::fs::write(remote.join("one/x.txt"), b"x").unwrap();
    let state = dir.path().join("served-state");
    let served = Served::start("127.0.0.8", &remote, &state, &[]);
    let url = served.url.clone();
    let here = dir.path().to_str().unwrap();
    let mut tui = Tui::start(dir.path(), &[here, &url]);
    tui.wait_for("the right pane listed", |s| s.pane(1).contains("one/"));
    drop(served);
    let addr = url.trim_start_matches("ftp://").trim_end_matches('/');
    let _back = Served::start(addr, &remote, &state, &[]);
    tui.send("\t");
    tui.wait_text("▸ one/");
    tui.send(ENTER);
    let screen = tui.wait_for("the right pane entered one/", |s| {
        s.pane(1).contains("x.txt")
    });
    assert!(screen.text.contains("reconnected"), "{}", tui.dump());
    tui.send(F10);
    tui.wait_exit(Duration::from_secs(15));
}
