//! FTP replies (RFC 959 §4.2): parsing in two steps, mini-redis style.
//!
//! [`parse`] first looks for a complete reply in the buffer and answers
//! [`ParseError::Incomplete`] when more bytes are needed, so a reply split
//! across reads — or several replies in one read — is the normal case rather
//! than an error path. Limits cap a line and a whole reply, so a hostile or
//! broken server cannot make us buffer without bound.

use std::fmt;

/// Longest reply line we accept. RFC 959 sets no limit; real servers stay far
/// below this, and anything longer is a broken or hostile peer.
pub const MAX_LINE: usize = 8 * 1024;
/// Largest whole reply (a multi-line `STAT dir` can be long).
pub const MAX_REPLY: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// Raw lines without CR LF. The first and last carry their `123-` / `123 `
    /// prefix stripped; lines in between are kept exactly as sent.
    lines: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("incomplete reply")]
    Incomplete,
    #[error("malformed reply line {0:?}")]
    Malformed(String),
    #[error("reply line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("reply longer than {MAX_REPLY} bytes")]
    ReplyTooLong,
}

impl Reply {
    pub fn new(code: u16, text: impl Into<String>) -> Reply {
        let text: String = text.into();
        let lines = text.split('\n').map(|l| l.as_bytes().to_vec()).collect();
        Reply { code, lines }
    }

    /// Builds a reply from raw lines (e.g. a FEAT list), for the server side.
    pub fn multiline(code: u16, lines: Vec<Vec<u8>>) -> Reply {
        let lines = if lines.is_empty() {
            vec![Vec::new()]
        } else {
            lines
        };
        Reply { code, lines }
    }

    pub fn lines(&self) -> &[Vec<u8>] {
        &self.lines
    }

    /// The first line's text, without the code: what a one-line reply says.
    pub fn message(&self) -> String {
        String::from_utf8_lossy(self.lines.first().map(Vec::as_slice).unwrap_or(b"")).into_owned()
    }

    /// All lines, lossily decoded, joined with `\n`.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| String::from_utf8_lossy(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn is_preliminary(&self) -> bool {
        (100..200).contains(&self.code)
    }
    pub fn is_completion(&self) -> bool {
        (200..300).contains(&self.code)
    }
    pub(crate) fn is_transient_failure(&self) -> bool {
        (400..500).contains(&self.code)
    }
    pub(crate) fn is_permanent_failure(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// Wire form. Continuation lines that could be mistaken for the end line
    /// (they start with the code and a space) get a leading space, as RFC 959
    /// suggests.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let code = format!("{:03}", self.code);
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let line: Vec<u8> = line
                .iter()
                .copied()
                .filter(|b| *b != b'\r' && *b != b'\n')
                .collect();
            if i == 0 && last > 0 {
                out.extend_from_slice(code.as_bytes());
                out.push(b'-');
            } else if i == last {
                out.extend_from_slice(code.as_bytes());
                out.push(b' ');
            } else if line.first().is_some_and(u8::is_ascii_digit) {
                // Judged after CR/LF are dropped: "\r123" goes out as "123".
                out.push(b' ');
            }
            out.extend_from_slice(&line);
            out.extend_from_slice(b"\r\n");
        }
        out
    }
}

/// `"/a ""b"""`: a path as RFC 959 quotes it in 257 replies (`PWD`,
/// `MKD`); [`parse_quoted_path`](super::client::parse_quoted_path) reads
/// it back.
pub fn quote_path(path: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in path {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

impl fmt::Display for Reply {
    /// One line, for error messages: `550 No such file` (further lines joined
    /// with " | " so an error never spans screen rows).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self
            .lines
            .iter()
            // Control characters from a hostile server must not reach a
            // terminal as escape sequences.
            .map(|l| {
                String::from_utf8_lossy(l)
                    .trim()
                    .replace(|c: char| c.is_control(), "?")
            })
            .filter(|l| !l.is_empty())
            .collect();
        write!(f, "{} {}", self.code, text.join(" | "))
    }
}

/// Parses one reply from the front of `buf`; returns it with the number of
/// bytes it used.
pub fn parse(buf: &[u8]) -> Result<(Reply, usize), ParseError> {
    let mut pos = 0;
    let (first, next) = next_line(buf, pos)?;
    pos = next;
    let (code, sep) = code_prefix(first).ok_or_else(|| {
        ParseError::Malformed(String::from_utf8_lossy(&first[..first.len().min(80)]).into_owned())
    })?;
    let rest = first.get(4..).unwrap_or(b"");
    let mut lines = vec![rest.to_vec()];
    if sep != Some(b'-') {
        return Ok((Reply { code, lines }, pos));
    }
    loop {
        let (line, next) = next_line(buf, pos)?;
        pos = next;
        if pos > MAX_REPLY {
            return Err(ParseError::ReplyTooLong);
        }
        // Only "<same code><space>" (or the bare code) ends the reply; lines
        // beginning with other digits or "<code>-" are text.
        if let Some((c, s)) = code_prefix(line)
            && c == code
            && s != Some(b'-')
        {
            lines.push(line.get(4..).unwrap_or(b"").to_vec());
            return Ok((Reply { code, lines }, pos));
        }
        lines.push(line.to_vec());
    }
}

/// The line starting at `pos` without its CR LF (a bare LF is accepted too),
/// and where the next one starts.
fn next_line(buf: &[u8], pos: usize) -> Result<(&[u8], usize), ParseError> {
    let rest = &buf[pos..];
    match rest.iter().position(|&b| b == b'\n') {
        Some(n) if n > MAX_LINE => Err(ParseError::LineTooLong),
        Some(n) => {
            let line = &rest[..n];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            Ok((line, pos + n + 1))
        }
        None if rest.len() > MAX_LINE => Err(ParseError::LineTooLong),
        None => Err(ParseError::Incomplete),
    }
}

/// `Some((code, separator))` when the line starts with three digits followed
/// by a space, a dash, or nothing.
fn code_prefix(line: &[u8]) -> Option<(u16, Option<u8>)> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'5').contains(&digits[0]) {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    match line.get(3) {
        None => Some((code, None)),
        Some(b' ') => Some((code, Some(b' '))),
        Some(b'-') => Some((code, Some(b'-'))),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_paths_read_back() {
        for path in [
            &b"/"[..],
            b"/a \"b\" c",
            b"\"\"",
            b"/x\"",
            "/日本".as_bytes(),
        ] {
            let line = [&quote_path(path)[..], b" created"].concat();
            assert_eq!(
                crate::ftp::client::parse_quoted_path(&line).as_deref(),
                Some(path)
            );
        }
    }
    use proptest::prelude::*;

    #[test]
    fn single_line() {
        let (r, n) = parse(b"220 Service ready\r\n").unwrap();
        assert_eq!(r.code, 220);
        assert_eq!(r.message(), "Service ready");
        assert_eq!(n, 19);
    }

    #[test]
    fn incomplete_until_line_ends() {
        assert_eq!(parse(b"220 Serv"), Err(ParseError::Incomplete));
        assert_eq!(parse(b""), Err(ParseError::Incomplete));
        assert_eq!(
            parse(b"211-Features:\r\n MDTM\r\n"),
            Err(ParseError::Incomplete)
        );
    }

    #[test]
    fn rfc959_multiline_with_misleading_inner_lines() {
        // RFC 959 §4.2's example: inner lines that begin with digits, even
        // with the same code followed by a dash, do not end the reply.
        let raw = b"123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123-still inside\r\n456 other code\r\n123 The last line\r\n200 next\r\n";
        let (r, n) = parse(raw).unwrap();
        assert_eq!(r.code, 123);
        assert_eq!(r.lines().len(), 6);
        assert_eq!(r.message(), "First line");
        assert_eq!(r.lines()[5], b"The last line");
        let (next, _) = parse(&raw[n..]).unwrap();
        assert_eq!(next.code, 200);
    }

    #[test]
    fn several_replies_in_one_buffer() {
        let raw = b"150 Opening\r\n226 Done\r\n";
        let (a, n) = parse(raw).unwrap();
        let (b, m) = parse(&raw[n..]).unwrap();
        assert_eq!((a.code, b.code), (150, 226));
        assert_eq!(n + m, raw.len());
    }

    #[test]
    fn bare_lf_and_bare_code_accepted() {
        let (r, _) = parse(b"200\n").unwrap();
        assert_eq!(r.code, 200);
        assert_eq!(r.message(), "");
    }

    #[test]
    fn malformed_first_line() {
        assert!(matches!(parse(b"hello\r\n"), Err(ParseError::Malformed(_))));
        assert!(matches!(
            parse(b"2x0 no\r\n"),
            Err(ParseError::Malformed(_))
        ));
        assert!(matches!(parse(b"220x\r\n"), Err(ParseError::Malformed(_))));
    }

    #[test]
    fn overlong_line_is_an_error_not_growth() {
        let mut raw = b"220 ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', MAX_LINE + 10));
        assert_eq!(parse(&raw), Err(ParseError::LineTooLong));
        raw.extend_from_slice(b"\r\n");
        assert_eq!(parse(&raw), Err(ParseError::LineTooLong));
    }

    #[test]
    fn overlong_reply_is_an_error() {
        let mut raw = b"211-start\r\n".to_vec();
        while raw.len() <= MAX_REPLY {
            raw.extend_from_slice(b" some feature line that goes on\r\n");
        }
        raw.extend_from_slice(b"211 End\r\n");
        assert_eq!(parse(&raw), Err(ParseError::ReplyTooLong));
    }

    #[test]
    fn non_utf8_is_kept_raw_and_displayed_lossily() {
        let (r, _) = parse(b"257 \"/caf\xe9\" created\r\n").unwrap();
        assert_eq!(r.lines()[0], b"\"/caf\xe9\" created");
        assert!(r.to_string().starts_with("257 \"/caf\u{fffd}\""));
    }

    #[test]
    fn display_defuses_control_characters() {
        let (r, _) = parse(b"550 evil\x1b[2J name\r\n").unwrap();
        assert_eq!(r.to_string(), "550 evil?[2J name");
    }

    #[test]
    fn encode_round_trips() {
        let r = Reply::multiline(
            211,
            vec![
                b"Features:".to_vec(),
                b" MLST type*;size*;".to_vec(),
                b"211 inner line that looks final".to_vec(),
                b"End".to_vec(),
            ],
        );
        let wire = r.encode();
        let (back, n) = parse(&wire).unwrap();
        assert_eq!(n, wire.len());
        assert_eq!(back.code, 211);
        assert_eq!(back.lines().len(), 4);
        assert_eq!(back.lines()[2], b" 211 inner line that looks final");
    }

    /// Found by the `reply` fuzz target (input `17 00 00 0d 31 32 33 00`:
    /// code 123, lines "", "\r123", ""): the leading space was decided
    /// before CR/LF were dropped, so the middle line went out as the bare
    /// "123" and ended the reply early.
    #[test]
    fn encode_escapes_digit_lines_that_start_with_cr() {
        let r = Reply::multiline(123, vec![b"".to_vec(), b"\r123".to_vec(), b"".to_vec()]);
        let wire = r.encode();
        let (back, n) = parse(&wire).unwrap();
        assert_eq!(n, wire.len(), "{wire:?}");
        assert_eq!(back.lines().len(), 3);
        assert_eq!(back.lines()[1], b" 123");
        // The same reply as a server sent it: parsing keeps the CR.
        let (parsed, _) = parse(b"123-\r\n\r123\r\n123 \r\n").unwrap();
        assert_eq!(parsed, r);
        assert_eq!(parse(&parsed.encode()).unwrap().1, wire.len());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut rest: &[u8] = &data;
            while let Ok((_, n)) = parse(rest) {
                prop_assert!(n > 0 && n <= rest.len());
                rest = &rest[n..];
            }
        }

        #[test]
        fn split_anywhere_gives_same_reply(split in 0usize..60) {
            let raw = b"230-Welcome\r\n  to the\r\n230 server\r\n";
            let split = split.min(raw.len());
            if split < raw.len() {
                prop_assert_eq!(parse(&raw[..split]), Err(ParseError::Incomplete));
            }
            prop_assert_eq!(parse(raw).unwrap().1, raw.len());
        }
    }
}
