//! FTP reply parsing (`fxpc::ftp::reply::parse`), fed what a hostile or
//! broken server might send.
//!
//! Properties:
//! - never panics; an `Ok` consumes at least one byte and no more than given;
//! - a differential check: the bytes fed all at once, split in two at every
//!   point (every point for short inputs, a sample for long ones), one byte
//!   at a time (up to 1 KiB), and in chunks, give the same replies and stop the same way
//!   (the way `ftp::control` reads: parse the whole buffer after each read);
//! - `Display` never lets a control character through (it reaches the
//!   terminal);
//! - `encode` of a parsed reply parses back to the same code, the same number
//!   of lines and the same text (RFC 959's leading space aside), consuming
//!   the whole encoding.
//!
//! The same checks run on a `Reply::multiline` built from the input's
//! NUL-separated pieces, as the server builds FEAT and STAT replies.
//!
//! Input: `data[0] == EXPAND` turns on an expansion, `EXPAND k` becoming
//! `(k + 1) * 128` filler bytes, so the line and reply limits (8 KiB, 1 MiB)
//! are within reach of short inputs.
#![no_main]

use fxpc::ftp::reply::{MAX_LINE, MAX_REPLY, ParseError, Reply, parse};
use libfuzzer_sys::fuzz_target;

const EXPAND: u8 = 0xFE;

#[derive(Debug, PartialEq)]
enum End {
    /// Ran out of bytes with this many left over (an unfinished reply).
    Incomplete(usize),
    Error(ParseError),
}

#[derive(Debug, PartialEq)]
struct Outcome {
    replies: Vec<Reply>,
    end: End,
}

/// All bytes at once: parse replies off the front until that fails.
fn all_at_once(data: &[u8]) -> Outcome {
    let mut rest = data;
    let mut replies = Vec::new();
    loop {
        match parse(rest) {
            Ok((reply, used)) => {
                assert!(used > 0 && used <= rest.len(), "used {used} of {}", rest.len());
                replies.push(reply);
                rest = &rest[used..];
            }
            Err(ParseError::Incomplete) => {
                return Outcome {
                    replies,
                    end: End::Incomplete(rest.len()),
                };
            }
            Err(e) => {
                return Outcome {
                    replies,
                    end: End::Error(e),
                };
            }
        }
    }
}

/// As `ftp::control` reads: append each chunk, then take every whole reply
/// off the front of the buffer.
fn incremental<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut buf: Vec<u8> = Vec::new();
    let mut replies = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match parse(&buf) {
                Ok((reply, used)) => {
                    assert!(used > 0 && used <= buf.len());
                    replies.push(reply);
                    buf.drain(..used);
                }
                Err(ParseError::Incomplete) => break,
                Err(e) => {
                    return Outcome {
                        replies,
                        end: End::Error(e),
                    };
                }
            }
        }
    }
    Outcome {
        replies,
        end: End::Incomplete(buf.len()),
    }
}

fn expand(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < data.len() {
        if data[i] == EXPAND && i + 1 < data.len() {
            let n = (usize::from(data[i + 1]) + 1) * 128;
            out.extend(std::iter::repeat_n(b'x', n));
            i += 2;
            // Past the largest reply plus a line: nothing more to learn.
            if out.len() > MAX_REPLY + 2 * MAX_LINE {
                break;
            }
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

fn check_display(reply: &Reply) {
    let shown = reply.to_string();
    assert!(
        !shown.chars().any(char::is_control),
        "control character in {shown:?}"
    );
}

fn check_encode(reply: &Reply) {
    let wire = reply.encode();
    let (back, used) = parse(&wire).unwrap_or_else(|e| panic!("{e} for {wire:?}"));
    assert_eq!(used, wire.len(), "encoding {wire:?} parsed short");
    assert_eq!(back.code, reply.code);
    assert_eq!(
        back.lines().len(),
        reply.lines().len(),
        "line count changed: {reply:?} -> {wire:?} -> {back:?}"
    );
    let last = reply.lines().len() - 1;
    for (i, (orig, got)) in reply.lines().iter().zip(back.lines()).enumerate() {
        let clean: Vec<u8> = orig
            .iter()
            .copied()
            .filter(|b| *b != b'\r' && *b != b'\n')
            .collect();
        let middle = i != 0 && i != last;
        let ok = *got == clean || (middle && got.first() == Some(&b' ') && got[1..] == clean[..]);
        assert!(ok, "line {i} {orig:?} came back as {got:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let owned;
    let data: &[u8] = if data.first() == Some(&EXPAND) {
        owned = expand(data);
        &owned
    } else {
        data
    };

    let whole = all_at_once(data);
    for reply in &whole.replies {
        assert!((100..600).contains(&reply.code), "code {}", reply.code);
        assert!(!reply.lines().is_empty());
        check_display(reply);
        check_encode(reply);
    }

    // Replies the server side builds (FEAT, STAT bodies) from any lines.
    if (2..=4096).contains(&data.len()) {
        let code = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
        let lines = data[2..].split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        let built = Reply::multiline(code, lines);
        check_display(&built);
        check_encode(&built);
    }

    let len = data.len();
    let check = |outcome: Outcome, how: &str, n: usize| {
        assert_eq!(outcome, whole, "{how} {n} differs from all at once");
    };
    if len <= 4096 {
        // Every split point for short inputs, a sample of 64 otherwise.
        let step = if len <= 256 { 1 } else { len / 64 + 1 };
        for at in (0..=len).step_by(step).chain([len.saturating_sub(1)]) {
            check(incremental([&data[..at], &data[at..]]), "split at", at);
        }
        if len <= 1024 {
            check(incremental(data.chunks(1)), "chunks of", 1);
        }
        for size in [3usize, 7, 100, 1460] {
            check(incremental(data.chunks(size)), "chunks of", size);
        }
    } else {
        // Expanded input (up to ~1 MiB): every check re-reads all of it, so
        // only a few.
        for at in [1, len / 3, len / 2 + 1, len - 1] {
            check(incremental([&data[..at], &data[at..]]), "split at", at);
        }
        check(incremental(data.chunks(len / 8 + 1)), "chunks of", len / 8 + 1);
    }
});
