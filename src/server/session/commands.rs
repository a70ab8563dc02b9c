//! Every command `fxpc serve` knows, in one table: its verbs, whether it is
//! open before login, when it is offered (always, with LSTN, with TLS), its
//! `FEAT` lines, and its handler. `FEAT`, `HELP`, the login gate and the
//! dispatch are all derived from the table, so a new command is one row
//! (and the handler it calls).

use super::*;

/// What a handler gets: the command's argument, and the state the previous
/// command left for it (`REST`'s offset, `RNFR`'s path).
pub(super) struct Call {
    pub(crate) verb: String,
    pub(crate) arg: Vec<u8>,
    pub(crate) rest: u64,
    pub(crate) rename_from: Option<Vec<u8>>,
}

/// When a command is offered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Needs {
    Always,
    /// The RFC 438 profile (`--no-lstn` turns it off).
    Lstn,
    /// A certificate (`--tls-cert`, `--tls-self-signed`).
    Tls,
}

pub(super) struct Spec {
    pub(crate) verbs: &'static [&'static str],
    /// Answered before login (`USER`, `FEAT`, `AUTH` …).
    pub(crate) open: bool,
    pub(crate) needs: Needs,
    /// Lines it adds to `FEAT` (without the leading space).
    pub(crate) feat: &'static [&'static str],
}

fn done(r: std::io::Result<()>) -> std::io::Result<Flow> {
    r.map(|()| Flow::Continue)
}

macro_rules! commands {
    ($( [$($verb:literal)|+] $open:literal $needs:ident [$($feat:literal),*]
        => |$s:ident, $c:ident| $body:expr ; )*) => {
        pub(super) const COMMANDS: &[Spec] = &[$(Spec {
            verbs: &[$($verb),+],
            open: $open,
            needs: Needs::$needs,
            feat: &[$($feat),*],
        }),*];

        impl Session {
            /// Runs a command the table knows (and the session offers).
            pub(super) async fn dispatch(&mut self, call: Call) -> std::io::Result<Flow> {
                match call.verb.as_str() {
                    $( $($verb)|+ => {
                        let $s = &mut *self;
                        let $c = call;
                        $body
                    } )*
                    // `handle` answers what the table does not know.
                    _ => unreachable!("{} is not in the table", call.verb),
                }
            }
        }
    };
}

commands! {
    ["USER"] true Always [] => |s, c| done(s.user(&c.arg).await);
    ["PASS"] true Always [] => |s, c| s.pass(&c.arg).await;
    ["QUIT"] true Always [] => |s, _c| {
        s.reply(221, "Goodbye.").await?;
        Ok(Flow::Quit)
    };
    ["SYST"] true Always [] => |s, _c| done(s.reply(215, "UNIX Type: L8").await);
    ["FEAT"] true Always [] => |s, _c| done(s.feat().await);
    ["OPTS"] true Always ["UTF8"] => |s, c| done(s.opts(&c.arg).await);
    ["NOOP"] true Always [] => |s, _c| done(s.reply(200, "NOOP ok.").await);
    ["HELP"] true Always [] => |s, _c| done(s.help().await);
    ["AUTH"] true Tls ["AUTH TLS"] => |s, c| s.auth(&c.arg).await;
    ["PBSZ"] true Tls ["PBSZ"] => |s, c| done(s.pbsz(&c.arg).await);
    ["PROT"] true Tls ["PROT"] => |s, c| done(s.prot(&c.arg).await);
    ["SSCN"] false Tls ["SSCN"] => |s, c| done(s.sscn(&c.arg).await);
    ["CPSV"] false Tls ["CPSV"] => |s, _c| done(s.pasv(false, true).await);
    ["TYPE"] false Always [] => |s, c| done(s.type_(&c.arg).await);
    ["MODE"] false Always [] => |s, c| done(s.only(&c.arg, b"S", "MODE").await);
    ["STRU"] false Always [] => |s, c| done(s.only(&c.arg, b"F", "STRU").await);
    ["PWD" | "XPWD"] false Always [] => |s, _c| done(s.pwd().await);
    ["CWD" | "XCWD"] false Always ["TVFS"] => |s, c| done(s.cwd(&c.arg).await);
    ["CDUP" | "XCUP"] false Always [] => |s, _c| done(s.cwd(b"..").await);
    ["REST"] false Always ["REST STREAM"] => |s, c| done(s.rest_(&c.arg).await);
    ["SIZE"] false Always ["SIZE"] => |s, c| done(s.size(&c.arg).await);
    ["HASH"] false Always ["HASH SHA-256*;SHA-1;MD5;CRC32"] => |s, c| done(s.hash(s.hash, &c.arg, true).await);
    ["XSHA256" | "XSHA1" | "XMD5" | "XCRC"] false Always ["XCRC", "XMD5", "XSHA1", "XSHA256"] => |s, c| {
        let algorithm = Algorithm::from_x_command(&c.verb).expect("one of the X commands");
        done(s.hash(algorithm, &c.arg, false).await)
    };
    ["MDTM"] false Always ["MDTM"] => |s, c| done(s.mdtm(&c.arg).await);
    ["MFMT"] false Always ["MFMT"] => |s, c| done(s.mfmt(&c.arg).await);
    ["MKD" | "XMKD"] false Always [] => |s, c| done(s.mkd(&c.arg).await);
    ["RMD" | "XRMD"] false Always [] => |s, c| done(s.rmd(&c.arg).await);
    ["DELE"] false Always [] => |s, c| done(s.dele(&c.arg).await);
    ["RNFR"] false Always [] => |s, c| done(s.rnfr(&c.arg).await);
    ["RNTO"] false Always [] => |s, c| done(s.rnto(&c.arg, c.rename_from).await);
    ["STAT"] false Always [] => |s, c| done(s.stat(&c.arg).await);
    ["ABOR"] false Always [] => |s, _c| done(s.reply(225, "No transfer to abort.").await);
    ["MLST"] false Always ["MLST type*;size*;modify*;perm*;unique*;UNIX.mode;"] => |s, c| done(s.mlst(&c.arg).await);
    ["PASV"] false Always ["PASV"] => |s, _c| done(s.pasv(false, false).await);
    ["EPSV"] false Always ["EPSV"] => |s, _c| done(s.pasv(true, false).await);
    ["PORT"] false Always [] => |s, c| done(s.port(&c.arg, AddrForm::Rfc959).await);
    ["EPRT"] false Always ["EPRT"] => |s, c| done(s.port(&c.arg, AddrForm::Rfc2428).await);
    ["LSTN"] false Lstn ["LSTN"] => |s, c| done(s.lstn(&c.arg).await);
    ["SOCK"] false Lstn ["SOCK"] => |s, c| done(s.sock(&c.arg).await);
    ["RETR"] false Always [] => |s, c| done(s.retr(&c.arg, c.rest).await);
    ["STOR"] false Always [] => |s, c| done(s.store(&c.arg, Write::Replace, c.rest).await);
    ["APPE"] false Always [] => |s, c| done(s.store(&c.arg, Write::Append, 0).await);
    ["STOU"] false Always [] => |s, c| done(s.store(&c.arg, Write::Unique, 0).await);
    ["LIST" | "NLST" | "MLSD"] false Always [] => |s, c| done(s.list(&c.verb, &c.arg).await);
}

impl Session {
    /// The table's row for `verb`, if this session offers it.
    pub(super) fn command(&self, verb: &str) -> Option<&'static Spec> {
        COMMANDS
            .iter()
            .find(|spec| spec.verbs.contains(&verb))
            .filter(|spec| self.offers(spec))
    }

    fn offers(&self, spec: &Spec) -> bool {
        match spec.needs {
            Needs::Always => true,
            Needs::Lstn => self.config.lstn,
            Needs::Tls => self.security.is_some(),
        }
    }

    /// `FEAT`: the lines of every command offered, sorted.
    pub(super) async fn feat(&mut self) -> std::io::Result<()> {
        let mut feats: Vec<&str> = COMMANDS
            .iter()
            .filter(|spec| self.offers(spec))
            .flat_map(|spec| spec.feat.iter().copied())
            .collect();
        feats.sort_unstable();
        feats.dedup();
        let mut lines: Vec<Vec<u8>> = vec![b"Features:".to_vec()];
        lines.extend(feats.into_iter().map(|f| format!(" {f}").into_bytes()));
        lines.push(b"End".to_vec());
        self.send(&Reply::multiline(211, lines)).await
    }

    /// `HELP`: the verbs this session knows, as RFC 959's 214 lists them.
    pub(super) async fn help(&mut self) -> std::io::Result<()> {
        let verbs: Vec<&str> = COMMANDS
            .iter()
            .filter(|spec| self.offers(spec))
            .flat_map(|spec| spec.verbs.iter().copied())
            .collect();
        let mut lines: Vec<Vec<u8>> = vec![b"The following commands are recognized:".to_vec()];
        lines.extend(
            verbs
                .chunks(8)
                .map(|row| format!(" {}", row.join(" ")).into_bytes()),
        );
        lines.push(b"Help OK.".to_vec());
        self.send(&Reply::multiline(214, lines)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_is_in_one_row() {
        let mut seen = std::collections::HashSet::new();
        for spec in COMMANDS {
            for verb in spec.verbs {
                assert!(seen.insert(*verb), "{verb} twice");
                assert_eq!(*verb, verb.to_ascii_uppercase());
            }
        }
        assert!(seen.contains("SSCN") && seen.contains("LSTN") && seen.contains("RETR"));
    }
}
