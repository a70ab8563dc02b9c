//! What a hostile client sends `fxpc serve`: the command-line parser the
//! session reads with (`fxpc::ftp::command::parse_line`), and the pure parts
//! of what the session does with a line: the virtual path of a path argument
//! (`Jail::virtual_path`, as CWD/CDUP/RETR/STOR/MKD… use it), REST's offset,
//! PORT/EPRT/SOCK addresses, and replies that echo client text (502 with the
//! verb, 257 with a quoted path). Also the client side's encoding
//! (`Command`), whose lines the server reads.
//!
//! Properties:
//! - never panics;
//! - `parse_line` takes exactly one line (through the first LF), refuses
//!   only lines over `MAX_COMMAND_LINE`, and gives an upper-case verb
//!   without spaces or leading blanks and an argument without LF;
//! - feeding the stream in two pieces (split anywhere) gives the same lines
//!   as all at once, as long as no line is too long (then the session drops
//!   its buffer, which depends on how the bytes arrived);
//! - a virtual path is absolute and normalized (no empty, `.` or `..`
//!   components), and normalizing it again changes nothing;
//! - a reply echoing client text is one well-formed reply;
//! - `Command::parse_text` and `Command::with_arg` encode one line only (the
//!   guard against smuggling a second command), which `parse_line` reads back
//!   as the same verb and argument.
#![no_main]

use fxpc::ftp::addr;
use fxpc::ftp::command::{Command, CommandLine, LineError, MAX_COMMAND_LINE, parse_line};
use fxpc::ftp::reply::{self, Reply, quote_path};
use fxpc::server::Jail;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
enum Event {
    Line(CommandLine),
    TooLong,
}

fn check_line(line: &CommandLine) {
    assert_eq!(line.verb, line.verb.to_ascii_uppercase());
    assert!(!line.verb.contains(' '), "space in verb {:?}", line.verb);
    assert!(
        !line.verb.starts_with(|c: char| c.is_ascii_whitespace()),
        "verb {:?} starts blank",
        line.verb
    );
    assert!(!line.verb.contains('\n') && !line.arg.contains(&b'\n'));
}

/// All bytes at once, as the session's loop reads a buffer already full.
fn all_at_once(data: &[u8]) -> Vec<Event> {
    let mut rest = data;
    let mut events = Vec::new();
    loop {
        let lf = rest.iter().position(|&b| b == b'\n');
        match parse_line(rest) {
            Ok((line, used)) => {
                assert_eq!(Some(used - 1), lf, "used {used} bytes");
                assert!(used <= MAX_COMMAND_LINE + 1);
                check_line(&line);
                events.push(Event::Line(line));
                rest = &rest[used..];
            }
            Err(LineError::Incomplete) => {
                assert!(lf.is_none() && rest.len() <= MAX_COMMAND_LINE);
                return events;
            }
            Err(LineError::TooLong) => {
                assert!(lf.map_or(rest.len(), |n| n) > MAX_COMMAND_LINE);
                events.push(Event::TooLong);
                return events;
            }
        }
    }
}

/// As `Session::next_line` reads: append, take whole lines off the front.
fn incremental(chunks: &[&[u8]]) -> Vec<Event> {
    let mut buf = Vec::new();
    let mut events = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match parse_line(&buf) {
                Ok((line, used)) => {
                    events.push(Event::Line(line));
                    buf.drain(..used);
                }
                Err(LineError::Incomplete) => break,
                Err(LineError::TooLong) => {
                    events.push(Event::TooLong);
                    buf.clear();
                    break;
                }
            }
        }
    }
    events
}

fn check_virtual(path: &[u8]) {
    assert!(path.starts_with(b"/"), "{path:?}");
    if path != b"/" {
        for part in path[1..].split(|&b| b == b'/') {
            assert!(!matches!(part, b"" | b"." | b".."), "{path:?}");
        }
    }
    assert_eq!(Jail::virtual_path(path, b""), path);
    assert_eq!(Jail::virtual_path(b"/", path), path);
    assert_eq!(Jail::virtual_path(b"/x/y", path), path);
}


fn check_reply(sent: &Reply) {
    let wire = sent.encode();
    let (back, used) = reply::parse(&wire).unwrap_or_else(|e| panic!("{e}: {wire:?}"));
    assert_eq!(used, wire.len(), "{wire:?} is more than one reply");
    assert_eq!(back.code, sent.code);
}

/// The pure part of what the session does with a line.
fn serve(cwd: &mut Vec<u8>, line: &CommandLine) {
    let arg = &line.arg;
    let text = String::from_utf8_lossy(arg);
    match line.verb.as_str() {
        "CWD" | "XCWD" => *cwd = Jail::virtual_path(cwd, arg),
        "CDUP" | "XCUP" => *cwd = Jail::virtual_path(cwd, b".."),
        "PWD" | "XPWD" => check_reply(&Reply::multiline(
            257,
            vec![[&quote_path(cwd)[..], b" is the current directory"].concat()],
        )),
        "MKD" | "XMKD" => {
            let path = Jail::virtual_path(cwd, arg);
            check_virtual(&path);
            check_reply(&Reply::multiline(257, vec![[&quote_path(&path)[..], b" created"].concat()]));
        }
        "RETR" | "STOR" | "APPE" | "STOU" | "SIZE" | "MDTM" | "DELE" | "RMD" | "XRMD" | "RNFR"
        | "RNTO" | "MLST" | "LIST" | "NLST" | "MLSD" | "STAT" => {
            check_virtual(&Jail::virtual_path(cwd, arg));
        }
        "REST" => {
            let _ = std::str::from_utf8(arg).ok().and_then(|s| s.trim().parse::<u64>().ok());
        }
        "PORT" => {
            let _ = addr::parse_rfc959(&text);
        }
        "EPRT" => {
            let _ = addr::parse_rfc2428(&text);
        }
        "SOCK" => {
            let _ = addr::parse_any(&text);
        }
        verb => check_reply(&Reply::new(502, format!("Command {verb} not implemented."))),
    }
    check_virtual(cwd);
}

fn check_client_encoding(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(command) = Command::parse_text(&text) {
        let wire = command.encode();
        assert!(
            wire.ends_with(b"\r\n") && !wire[..wire.len() - 2].iter().any(|b| matches!(b, b'\r' | b'\n' | 0)),
            "parse_text({text:?}) encodes to more than one line: {wire:?}"
        );
        if command.verb() == "PASS" && command.arg().is_some() {
            assert_eq!(command.to_string(), "PASS ****");
        }
    }
    // A path argument (any bytes) with a well-formed verb.
    let (verb, arg) = match data.iter().position(|&b| b == b' ') {
        Some(sp) => (&data[..sp], &data[sp + 1..]),
        None => (&b"STOR"[..], data),
    };
    if verb.is_empty() || !verb.iter().all(u8::is_ascii_alphabetic) {
        return;
    }
    let verb = std::str::from_utf8(verb).expect("ASCII");
    match Command::with_arg(verb, arg) {
        Ok(command) => {
            let wire = command.encode();
            let (line, used) = parse_line(&wire).unwrap_or_else(|e| panic!("{e}: {wire:?}"));
            assert_eq!(used, wire.len(), "{wire:?} is more than one line");
            assert_eq!(line.verb, verb.to_ascii_uppercase());
            assert_eq!(line.arg, arg);
        }
        Err(_) => assert!(arg.iter().any(|b| matches!(b, b'\r' | b'\n' | 0))),
    }
}

fuzz_target!(|data: &[u8]| {
    let whole = all_at_once(data);
    let mut cwd = b"/".to_vec();
    for event in &whole {
        if let Event::Line(line) = event {
            serve(&mut cwd, line);
        }
    }
    if !whole.contains(&Event::TooLong) {
        let len = data.len();
        let points: Vec<usize> = if len <= 256 {
            (0..=len).collect()
        } else {
            (0..=len).step_by(len / 31 + 1).collect()
        };
        for at in points {
            assert_eq!(incremental(&[&data[..at], &data[at..]]), whole, "split at {at}");
        }
    }
    check_client_encoding(data);
});
