//! FTP commands on the wire: encoding for the client (with the guards that
//! keep a hostile file name from smuggling a second command) and line parsing
//! for the server.

use std::fmt;

/// Telnet "Interpret As Command" (RFC 854): the FTP control connection is a
/// Telnet NVT, so a literal 0xFF in a file name must be doubled.
const IAC: u8 = 0xFF;
/// Longest command line the server accepts (RFC 959 sets none; paths rarely
/// exceed 4 KiB).
pub const MAX_COMMAND_LINE: usize = 8 * 1024;

#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    verb: String,
    arg: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// CR or LF would end the command early and let the rest run as another
    /// command (e.g. a file named "x\r\nDELE y"); NUL truncates paths in C servers.
    #[error("{verb} argument {arg:?} contains CR, LF or NUL and cannot be sent")]
    ForbiddenByte { verb: String, arg: String },
}

impl Command {
    pub(crate) fn new(verb: &str) -> Command {
        Command {
            verb: verb.to_ascii_uppercase(),
            arg: None,
        }
    }

    pub fn with_arg(verb: &str, arg: impl AsRef<[u8]>) -> Result<Command, CommandError> {
        let arg = arg.as_ref();
        if arg.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(CommandError::ForbiddenByte {
                verb: verb.to_ascii_uppercase(),
                arg: String::from_utf8_lossy(arg).into_owned(),
            });
        }
        Ok(Command {
            verb: verb.to_ascii_uppercase(),
            arg: Some(arg.to_vec()),
        })
    }

    /// Parses a raw command string such as `"PASV"` or `"PORT 1,2,3,4,5,6"`.
    pub fn parse_text(line: &str) -> Result<Command, CommandError> {
        let line = line.trim_end_matches(['\r', '\n']);
        // The verb is guarded like the argument: "NOOP\r\nDELE x" would go
        // out as two commands.
        let verb = line.split_once(' ').map_or(line, |(verb, _)| verb);
        if verb.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(CommandError::ForbiddenByte {
                verb: verb.escape_debug().to_string(),
                arg: line.to_string(),
            });
        }
        match line.split_once(' ') {
            Some((verb, arg)) => Command::with_arg(verb, arg),
            None => Command::with_arg(line, b"").map(|c| Command { arg: None, ..c }),
        }
    }

    pub fn verb(&self) -> &str {
        &self.verb
    }

    pub fn arg(&self) -> Option<&[u8]> {
        self.arg.as_deref()
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.verb.as_bytes().to_vec();
        if let Some(arg) = &self.arg {
            out.push(b' ');
            for &b in arg {
                out.push(b);
                if b == IAC {
                    out.push(IAC);
                }
            }
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// For logs and error messages: never shows a password.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.arg, self.verb.as_str()) {
            (Some(_), "PASS" | "ACCT") => write!(f, "{} ****", self.verb),
            (Some(arg), _) => write!(f, "{} {}", self.verb, String::from_utf8_lossy(arg)),
            (None, _) => f.write_str(&self.verb),
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Command({self})")
    }
}

/// A command line as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// Upper-cased verb.
    pub verb: String,
    /// The argument with Telnet escapes undone; empty when absent.
    pub arg: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("incomplete command line")]
    Incomplete,
    #[error("command line longer than {MAX_COMMAND_LINE} bytes")]
    TooLong,
}

/// Parses one command line from the front of `buf` (server side). Telnet
/// escapes are undone: `IAC IAC` is a literal 0xFF, `IAC IP`/`IAC DM` (sent
/// before `ABOR` by clients that follow RFC 959's "Telnet Synch") and option
/// negotiations are dropped.
pub fn parse_line(buf: &[u8]) -> Result<(CommandLine, usize), LineError> {
    let Some(end) = buf.iter().position(|&b| b == b'\n') else {
        return if buf.len() > MAX_COMMAND_LINE {
            Err(LineError::TooLong)
        } else {
            Err(LineError::Incomplete)
        };
    };
    if end > MAX_COMMAND_LINE {
        return Err(LineError::TooLong);
    }
    let raw = &buf[..end];
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let mut line = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (raw[i], raw.get(i + 1)) {
            (IAC, Some(&IAC)) => {
                line.push(IAC);
                i += 2;
            }
            // WILL, WONT, DO, DONT carry an option byte.
            (IAC, Some(251..=254)) => i += 3,
            // SE .. SB: two-byte Telnet commands (IP, DM, AO …).
            (IAC, Some(240..=250)) => i += 2,
            // A lone IAC: the DM that followed it went as TCP urgent data
            // and never reached the stream (lftp sends IAC IP IAC <DM> STAT).
            // The next byte is the command's, not Telnet's.
            (IAC, _) => i += 1,
            (b, _) => {
                line.push(b);
                i += 1;
            }
        }
    }
    // Stray leading bytes (a Telnet DM can leave none, but some clients send
    // a lone space) are not part of the verb.
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let line = &line[start..];
    let (verb, arg) = match line.iter().position(|&b| b == b' ') {
        Some(sp) => (&line[..sp], line[sp + 1..].to_vec()),
        None => (line, Vec::new()),
    };
    let verb = String::from_utf8_lossy(verb).to_ascii_uppercase();
    Ok((CommandLine { verb, arg }, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encodes_verb_and_argument() {
        let c = Command::with_arg("retr", "a b.txt").unwrap();
        assert_eq!(c.encode(), b"RETR a b.txt\r\n");
        assert_eq!(Command::new("pwd").encode(), b"PWD\r\n");
    }

    #[test]
    fn refuses_cr_lf_nul_and_names_the_argument() {
        for bad in ["x\r\nDELE y", "x\ny", "a\0b"] {
            let err = Command::with_arg("STOR", bad).unwrap_err();
            assert!(err.to_string().contains("STOR"), "{err}");
            assert!(err.to_string().contains(&format!("{bad:?}")[1..3]), "{err}");
        }
    }

    #[test]
    fn doubles_iac_rfc959() {
        let c = Command::with_arg("RETR", b"a\xffb").unwrap();
        assert_eq!(c.encode(), b"RETR a\xff\xffb\r\n");
        let (parsed, _) = parse_line(&c.encode()).unwrap();
        assert_eq!(parsed.arg, b"a\xffb");
    }

    #[test]
    fn display_masks_passwords() {
        let c = Command::with_arg("PASS", "hunter2").unwrap();
        assert_eq!(c.to_string(), "PASS ****");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(
            Command::with_arg("USER", "bob").unwrap().to_string(),
            "USER bob"
        );
    }

    #[test]
    fn parse_text_splits_verb() {
        let c = Command::parse_text("port 1,2,3,4,5,6").unwrap();
        assert_eq!(c.encode(), b"PORT 1,2,3,4,5,6\r\n");
        assert_eq!(Command::parse_text("PASV").unwrap().arg(), None);
    }

    /// Found by the `server_command` fuzz target: `parse_text` checked only
    /// the argument, so CR, LF or NUL in the verb went onto the wire.
    #[test]
    fn parse_text_refuses_cr_lf_nul_in_the_verb() {
        for bad in [
            "ST\u{16}\0 dir/file name.txt",
            "NOOP\r\nDELE x",
            "NOOP\nDELE",
            "A\rB",
        ] {
            assert!(Command::parse_text(bad).is_err(), "{bad:?}");
        }
        assert!(Command::parse_text("NOOP\r\n").is_ok());
    }

    #[test]
    fn server_parses_lines_and_telnet_sync() {
        let (l, n) = parse_line(b"retr  two  spaces \r\nNOOP\r\n").unwrap();
        assert_eq!(l.verb, "RETR");
        assert_eq!(l.arg, b" two  spaces ");
        assert_eq!(n, 20);
        let (l, _) = parse_line(b"\xff\xf4\xff\xf2ABOR\r\n").unwrap();
        assert_eq!(l.verb, "ABOR");
        assert_eq!(parse_line(b"NOO"), Err(LineError::Incomplete));
        let (l, _) = parse_line(b"QUIT\n").unwrap();
        assert_eq!(l.verb, "QUIT");
    }

    #[test]
    fn telnet_synch_with_the_urgent_dm_lost() {
        // lftp: IAC IP, then IAC + DM as urgent data (DM not in the stream).
        let (l, _) = parse_line(b"\xff\xf4\xffSTAT\r\n").unwrap();
        assert_eq!(l.verb, "STAT");
        let (l, _) = parse_line(b"\xff\xf4\xffABOR\r\n").unwrap();
        assert_eq!(l.verb, "ABOR");
        // Option negotiation is dropped whole.
        let (l, _) = parse_line(b"\xff\xfb\x01NOOP\r\n").unwrap();
        assert_eq!(l.verb, "NOOP");
    }

    #[test]
    fn server_refuses_endless_lines() {
        let long = vec![b'a'; MAX_COMMAND_LINE + 1];
        assert_eq!(parse_line(&long), Err(LineError::TooLong));
    }

    proptest! {
        #[test]
        fn any_safe_argument_round_trips(arg in proptest::collection::vec(any::<u8>(), 0..300)) {
            let clean: Vec<u8> = arg.into_iter().filter(|b| !matches!(b, b'\r' | b'\n' | 0)).collect();
            let c = Command::with_arg("STOR", &clean).unwrap();
            let (l, n) = parse_line(&c.encode()).unwrap();
            prop_assert_eq!(n, c.encode().len());
            prop_assert_eq!(l.verb, "STOR");
            prop_assert_eq!(l.arg, clean);
        }

        #[test]
        fn arbitrary_lines_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_line(&data);
        }
    }
}
