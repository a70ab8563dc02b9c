//! What a file job will do, decided before any byte moves and without any
//! server: from the spec, what both ends said, the answer to a conflict
//! question, and what this pair of servers refused lately, one function
//! ([`plan`]) chooses the offsets, the destination's name, the expected
//! size and the ways to try in order; [`Plan::offsets_after`] says where a
//! retry starts from what this job itself wrote.
//!
//! These are the decisions where a copy tool loses data, so they live
//! apart from the I/O and are tested by tables: an overwrite replaces every
//! byte, a resume continues only from bytes that are the job's to continue
//! (what the person asked to resume, or what the job wrote), and a size is
//! expected that only the whole file has.

use std::collections::VecDeque;

use crate::transfer::local::beneath::Standing;
use crate::transfer::sessions::site::Site;
use crate::transfer::ways::Transport;
use crate::transfer::ways::fxp::Dialect;
use crate::transfer::ways::refusal::Refusal;
use crate::transfer::{Conflict, JobSpec, Kind};

/// Where an attempt starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offsets {
    /// REST on the source.
    pub source: u64,
    /// REST on the destination (resuming a STOR).
    pub destination: u64,
    pub append: bool,
}

/// What the ends said before the plan: the input the plan is made from.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub source_size: u64,
    /// The destination's size, when the policy needed to know
    /// ([`needs_destination_size`]); `None`: absent, or not asked.
    pub existing: Option<u64>,
    /// What stands at a local destination's name (`Absent` for a server).
    pub standing: Standing,
    /// The size of an earlier run's part file beside a local destination.
    pub part_size: Option<u64>,
    /// `Err(why)` when one end does not advertise LSTN and SOCK.
    pub lstn: Result<(), Refusal>,
    /// The destination's bytes are this job's own, written by an
    /// interrupted run of it (a resumed queue item): a resume continues
    /// them as it would its own retry.
    pub own_bytes: bool,
}

/// What the plan makes of the facts.
#[derive(Debug)]
pub(crate) enum Decision {
    /// The destination exists and the policy is `Ask`: plan again with the
    /// answer.
    Ask {
        destination_size: u64,
    },
    Skip {
        reason: String,
    },
    /// Not worth trying: the reason says why.
    Fail(String),
    Go(Box<Plan>),
}

#[derive(Debug)]
pub(crate) struct Plan {
    /// Where the first attempt starts, and every attempt until this job's
    /// own bytes are at the destination (its size then still measures
    /// somebody else's file).
    pub offsets: Offsets,
    /// Bytes an append adds to: the destination's size before.
    pub base: u64,
    /// The destination's size once the copy is whole.
    pub expected: u64,
    /// A resume found the destination whole: nothing moves.
    pub complete: bool,
    /// The destination exists and the policy renames: the copy takes a
    /// free name beside it.
    pub rename: bool,
    /// A local destination is written as its part file, promoted once it
    /// verified.
    pub part: bool,
    /// Whether the file the copy writes was there before: known only when
    /// the policy made us look (overwriting does not). A rename's free name
    /// was not: what is there after a cancel is the job's own.
    pub existed: Option<bool>,
    /// Bytes the copy keeps at the destination that no run of this job
    /// wrote (a resume the person asked for, onto a partial file from
    /// elsewhere). A size says nothing about them: only a digest vouches
    /// that they are the source's, so a move keeps its source without one.
    pub foreign_prefix: u64,
    /// The ways to try, in order.
    pub ways: VecDeque<Transport>,
    /// Why the ways left out were left out, said if nothing else carries
    /// the file.
    pub refused: Vec<Refusal>,
    /// Why LSTN/SOCK was left out: said only when no way remains.
    lstn_unavailable: Option<Refusal>,
}

impl Plan {
    /// Why no way is left, when none is.
    pub(crate) fn no_way(&self) -> Option<String> {
        self.ways.is_empty().then(|| {
            let mut why = self.refused.clone();
            why.extend(self.lstn_unavailable.clone());
            super::attempt::words(&why)
        })
    }

    /// Where a new attempt starts. `written`: the destination's size now,
    /// when this job has written there (`None`: it has not, and whatever is
    /// there is not its own to continue).
    pub(crate) fn offsets_after(&self, written: Option<u64>, source_size: u64) -> Offsets {
        let Some(now) = written else {
            return self.offsets;
        };
        if self.offsets.append {
            let arrived = now.saturating_sub(self.base).min(source_size);
            Offsets {
                source: arrived,
                destination: 0,
                append: true,
            }
        } else if now <= source_size {
            Offsets {
                source: now,
                destination: now,
                append: false,
            }
        } else {
            // More than the source has: not a prefix of it, start over.
            Offsets {
                source: 0,
                destination: 0,
                append: false,
            }
        }
    }
}

/// Whether the plan needs the destination's size: an overwrite replaces
/// whatever is there and need not ask.
pub(crate) fn needs_destination_size(spec: &JobSpec) -> bool {
    spec.kind == Kind::Append || spec.conflict != Conflict::Overwrite
}

/// Whether the destination is on the local disk and written beside its
/// name (an append writes into the file itself).
pub(crate) fn local_beside(spec: &JobSpec) -> bool {
    matches!(spec.destination.site, Site::Local) && spec.kind != Kind::Append
}

/// The plan for one file. `answer`: the person's answer to an `Ask`;
/// `refused`: the ways this pair of servers refused lately, with why.
pub(crate) fn plan(
    spec: &JobSpec,
    facts: &Facts,
    answer: Option<Conflict>,
    refused: &[(Dialect, Refusal)],
) -> Decision {
    let source_size = facts.source_size;
    // A link is never written through: an overwrite replaces the link
    // itself (the part file is renamed over it), a new name leaves it be.
    if facts.standing == Standing::Link
        && !matches!(spec.conflict, Conflict::Overwrite | Conflict::Rename)
    {
        return Decision::Skip {
            reason: "a symbolic link stands there: not followed (only an overwrite replaces it)"
                .into(),
        };
    }
    let local = local_beside(spec);
    let mut in_place = facts.standing == Standing::Other;
    let part_size = facts.part_size.filter(|_| local && !in_place);
    // A resume continues an earlier run's part file first.
    let existing = match (spec.conflict, part_size) {
        (Conflict::Resume, Some(n)) => Some(n),
        _ => facts.existing,
    };
    let mut append = spec.kind == Kind::Append;
    let mut offsets = Offsets {
        source: 0,
        destination: 0,
        append,
    };
    let mut complete = false;
    let mut rename = false;
    let mut foreign_prefix = 0;
    let meeting = match existing.filter(|_| !append) {
        None => Meeting::Replace,
        Some(size) => match meet(answer.unwrap_or(spec.conflict), size, source_size) {
            Ok(meeting) => meeting,
            Err(decision) => return decision,
        },
    };
    match meeting {
        Meeting::Replace => {}
        Meeting::Append => {
            append = true;
            offsets.append = true;
            in_place = true;
        }
        Meeting::Rename => rename = true,
        Meeting::Continue(size) => {
            // Without a part file, the target is the partial file
            // (another tool's, or one the person chose to continue).
            in_place |= part_size.is_none();
            offsets.source = size;
            offsets.destination = size;
            complete = size == source_size;
            if !facts.own_bytes {
                foreign_prefix = size;
            }
        }
    }
    let base = if append { existing.unwrap_or(0) } else { 0 };
    let (ways, refused, lstn_unavailable) = ways(spec, facts, refused);
    Decision::Go(Box::new(Plan {
        offsets,
        base,
        expected: base + source_size,
        complete,
        rename,
        part: local && !in_place,
        existed: needs_destination_size(spec).then_some(facts.existing.is_some() && !rename),
        foreign_prefix,
        ways,
        refused,
        lstn_unavailable,
    }))
}

/// What a policy makes of an existing destination.
enum Meeting {
    /// Every byte replaced.
    Replace,
    /// Added to, after what is there.
    Append,
    /// Left as it is: the copy takes a free name beside it.
    Rename,
    /// Continued from its size, a prefix of the source.
    Continue(u64),
}

/// `policy` against a destination of `size` bytes; `Err`: the plan's
/// decision without a copy (a question, a skip, a failure).
fn meet(policy: Conflict, size: u64, source_size: u64) -> Result<Meeting, Decision> {
    match policy {
        Conflict::Ask => Err(Decision::Ask {
            destination_size: size,
        }),
        Conflict::Overwrite => Ok(Meeting::Replace),
        Conflict::Append => Ok(Meeting::Append),
        Conflict::Skip => Err(Decision::Skip {
            reason: format!("exists ({size} bytes)"),
        }),
        Conflict::Rename => Ok(Meeting::Rename),
        Conflict::Resume if size <= source_size => Ok(Meeting::Continue(size)),
        Conflict::Resume => Err(Decision::Fail(format!(
            "cannot resume: the destination has {size} bytes, more than the source's {source_size}"
        ))),
    }
}

/// The ways `--via` allows, less what these servers cannot speak or
/// refused lately.
fn ways(
    spec: &JobSpec,
    facts: &Facts,
    refused: &[(Dialect, Refusal)],
) -> (VecDeque<Transport>, Vec<Refusal>, Option<Refusal>) {
    let mut ways = VecDeque::new();
    let mut why = Vec::new();
    let mut lstn_unavailable = None;
    for t in crate::transfer::ways::transports(spec) {
        match t {
            // Neither FEAT lists it: not announced as a way, only said when
            // nothing else remains.
            Transport::Servers(Dialect::Lstn) if facts.lstn.is_err() => {
                lstn_unavailable = facts.lstn.clone().err();
            }
            // Refused moments ago for this pair of servers: asking again
            // for every file of a tree only costs time.
            Transport::Servers(d) => match refused.iter().find(|(r, _)| *r == d) {
                Some((_, reason)) => why.push(reason.clone()),
                None => ways.push_back(t),
            },
            _ => ways.push_back(t),
        }
    }
    (ways, why, lstn_unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::{FtpSite, Location, Via};

    const SOURCE: u64 = 1000;

    fn ftp(path: &str) -> Location {
        let url = crate::ftp::FtpUrl::parse("ftp://example.org/").unwrap();
        let site = FtpSite::new(&url, crate::ftp::Login::default());
        Location::ftp(std::sync::Arc::new(site), path.as_bytes().to_vec())
    }

    fn spec(kind: Kind, conflict: Conflict, local: bool) -> JobSpec {
        JobSpec {
            source: ftp("/src/a"),
            destination: if local {
                Location::local("/tmp/dst/a")
            } else {
                ftp("/dst/a")
            },
            kind,
            recursive: false,
            conflict,
            via: Via::Auto,
        }
    }

    fn facts(existing: Option<u64>) -> Facts {
        Facts {
            source_size: SOURCE,
            existing,
            standing: Standing::Absent,
            part_size: None,
            lstn: Ok(()),
            own_bytes: false,
        }
    }

    /// The destination as the table names it.
    const ABSENT: Option<u64> = None;
    const SMALLER: Option<u64> = Some(400);
    const SAME: Option<u64> = Some(SOURCE);
    const LARGER: Option<u64> = Some(2500);

    /// What a plan is, in one comparable line: `go <source REST>/<dest
    /// REST> <append?> expect <n> [complete] [rename] [part]`, or
    /// `skip`/`fail`/`ask <n>`.
    fn outcome(d: &Decision) -> String {
        match d {
            Decision::Ask { destination_size } => format!("ask {destination_size}"),
            Decision::Skip { .. } => "skip".into(),
            Decision::Fail(_) => "fail".into(),
            Decision::Go(p) => {
                let mut s = format!(
                    "go {}/{}{} expect {}",
                    p.offsets.source,
                    p.offsets.destination,
                    if p.offsets.append { " append" } else { "" },
                    p.expected
                );
                for (on, word) in [
                    (p.complete, " complete"),
                    (p.rename, " rename"),
                    (p.part, " part"),
                ] {
                    if on {
                        s.push_str(word);
                    }
                }
                s
            }
        }
    }

    fn check(table: &[(Kind, Conflict, Option<u64>, &str)], local: bool) {
        for (kind, conflict, existing, want) in table {
            let s = spec(*kind, *conflict, local);
            let mut f = facts(*existing);
            if local {
                f.standing = existing.map_or(Standing::Absent, Standing::File);
            }
            let got = outcome(&plan(&s, &f, None, &[]));
            assert_eq!(
                &got, want,
                "{kind:?} {conflict:?} destination {existing:?} (local: {local})"
            );
        }
    }

    /// Every policy against every state of an FTP destination. An
    /// overwrite starts at byte 0 whatever is there; only a resume (asked
    /// for) continues, and never from more than the source has; an append
    /// expects what was there plus the whole source.
    #[test]
    fn every_policy_against_every_destination() {
        use Conflict::*;
        use Kind::{Append as Appending, Copy, Move};
        #[rustfmt::skip]
        let table = [
            (Copy, Overwrite, ABSENT,  "go 0/0 expect 1000"),
            (Copy, Overwrite, SMALLER, "go 0/0 expect 1000"),
            (Copy, Overwrite, SAME,    "go 0/0 expect 1000"),
            (Copy, Overwrite, LARGER,  "go 0/0 expect 1000"),
            (Copy, Resume,    ABSENT,  "go 0/0 expect 1000"),
            (Copy, Resume,    SMALLER, "go 400/400 expect 1000"),
            (Copy, Resume,    SAME,    "go 1000/1000 expect 1000 complete"),
            (Copy, Resume,    LARGER,  "fail"),
            (Copy, Append,    ABSENT,  "go 0/0 expect 1000"),
            (Copy, Append,    SMALLER, "go 0/0 append expect 1400"),
            (Copy, Append,    SAME,    "go 0/0 append expect 2000"),
            (Copy, Append,    LARGER,  "go 0/0 append expect 3500"),
            (Copy, Skip,      ABSENT,  "go 0/0 expect 1000"),
            (Copy, Skip,      SMALLER, "skip"),
            (Copy, Skip,      SAME,    "skip"),
            (Copy, Skip,      LARGER,  "skip"),
            (Copy, Rename,    ABSENT,  "go 0/0 expect 1000"),
            (Copy, Rename,    SMALLER, "go 0/0 expect 1000 rename"),
            (Copy, Rename,    SAME,    "go 0/0 expect 1000 rename"),
            (Copy, Rename,    LARGER,  "go 0/0 expect 1000 rename"),
            (Copy, Ask,       ABSENT,  "go 0/0 expect 1000"),
            (Copy, Ask,       SMALLER, "ask 400"),
            (Copy, Ask,       SAME,    "ask 1000"),
            (Copy, Ask,       LARGER,  "ask 2500"),
            (Move, Overwrite, LARGER,  "go 0/0 expect 1000"),
            (Move, Resume,    SMALLER, "go 400/400 expect 1000"),
            (Move, Resume,    LARGER,  "fail"),
            // An append job appends whatever its policy says.
            (Appending, Overwrite, ABSENT,  "go 0/0 append expect 1000"),
            (Appending, Overwrite, SMALLER, "go 0/0 append expect 1400"),
            (Appending, Skip,      SAME,    "go 0/0 append expect 2000"),
            (Appending, Resume,    LARGER,  "go 0/0 append expect 3500"),
            (Appending, Ask,       LARGER,  "go 0/0 append expect 3500"),
        ];
        check(&table, false);
    }

    /// The same on the local disk, where a copy is written as its part
    /// file beside the name unless it continues or appends to the file
    /// itself.
    #[test]
    fn every_policy_against_every_local_destination() {
        use Conflict::*;
        use Kind::{Append as Appending, Copy};
        #[rustfmt::skip]
        let table = [
            (Copy, Overwrite, ABSENT,  "go 0/0 expect 1000 part"),
            (Copy, Overwrite, LARGER,  "go 0/0 expect 1000 part"),
            (Copy, Resume,    ABSENT,  "go 0/0 expect 1000 part"),
            (Copy, Resume,    SMALLER, "go 400/400 expect 1000"),
            (Copy, Resume,    SAME,    "go 1000/1000 expect 1000 complete"),
            (Copy, Resume,    LARGER,  "fail"),
            (Copy, Append,    SMALLER, "go 0/0 append expect 1400"),
            (Copy, Skip,      SAME,    "skip"),
            (Copy, Rename,    SAME,    "go 0/0 expect 1000 rename part"),
            (Copy, Ask,       SMALLER, "ask 400"),
            (Appending, Overwrite, SMALLER, "go 0/0 append expect 1400"),
        ];
        check(&table, true);
    }

    /// An answered question plans as the policy answered.
    #[test]
    fn an_answer_plans_as_its_policy() {
        let s = spec(Kind::Copy, Conflict::Ask, false);
        for (answer, want) in [
            (Conflict::Overwrite, "go 0/0 expect 1000"),
            (Conflict::Resume, "go 400/400 expect 1000"),
            (Conflict::Append, "go 0/0 append expect 1400"),
            (Conflict::Skip, "skip"),
            (Conflict::Rename, "go 0/0 expect 1000 rename"),
        ] {
            let got = outcome(&plan(&s, &facts(SMALLER), Some(answer), &[]));
            assert_eq!(got, want, "{answer:?}");
        }
    }

    /// What a size cannot vouch for: the bytes a resume keeps that no run
    /// of this job wrote (a move keeps its source unless a digest matched).
    /// An interrupted run's own bytes, continued on `queue resume`, are the
    /// job's as its retry's are; an append writes every byte of the source.
    #[test]
    fn a_resume_onto_bytes_from_elsewhere_is_not_vouched_for_by_size() {
        #[rustfmt::skip]
        let table = [
            // kind, policy, destination, the job's own bytes, foreign prefix
            (Kind::Move, Conflict::Resume,    SMALLER, false, 400),
            (Kind::Move, Conflict::Resume,    SAME,    false, 1000),
            (Kind::Move, Conflict::Resume,    SMALLER, true,  0),
            (Kind::Move, Conflict::Resume,    SAME,    true,  0),
            (Kind::Move, Conflict::Resume,    ABSENT,  false, 0),
            (Kind::Copy, Conflict::Resume,    SMALLER, false, 400),
            (Kind::Move, Conflict::Overwrite, SAME,    false, 0),
            (Kind::Move, Conflict::Append,    SMALLER, false, 0),
            (Kind::Move, Conflict::Rename,    SAME,    false, 0),
        ];
        for (kind, conflict, existing, own_bytes, want) in table {
            let mut f = facts(existing);
            f.own_bytes = own_bytes;
            let p = go(plan(&spec(kind, conflict, false), &f, None, &[]));
            assert_eq!(
                p.foreign_prefix, want,
                "{kind:?} {conflict:?} {existing:?} own {own_bytes}"
            );
        }
        // The answer to a question is the person's resume too.
        let asked = spec(Kind::Move, Conflict::Ask, false);
        let p = go(plan(&asked, &facts(SMALLER), Some(Conflict::Resume), &[]));
        assert_eq!(p.foreign_prefix, 400);
        // A local part file left by some earlier run is not vouched for
        // either, unless that run was this job's.
        let mut f = facts(None);
        f.part_size = Some(300);
        let local = spec(Kind::Move, Conflict::Resume, true);
        assert_eq!(go(plan(&local, &f, None, &[])).foreign_prefix, 300);
        f.own_bytes = true;
        assert_eq!(go(plan(&local, &f, None, &[])).foreign_prefix, 0);
    }

    /// What a cancel that discards may remove: a rename writes a name that
    /// was free, so what is there is the job's own, never a file that
    /// "existed before".
    #[test]
    fn a_renamed_copy_writes_a_name_that_did_not_exist() {
        let p = go(plan(
            &spec(Kind::Copy, Conflict::Rename, false),
            &facts(SAME),
            None,
            &[],
        ));
        assert_eq!(p.existed, Some(false));
        let p = go(plan(
            &spec(Kind::Copy, Conflict::Resume, false),
            &facts(SMALLER),
            None,
            &[],
        ));
        assert_eq!(p.existed, Some(true));
    }

    /// An earlier run's part file is what a resume continues, not the file
    /// at the name; any other policy ignores it and starts the part anew.
    #[test]
    fn a_resume_continues_the_part_file() {
        let mut f = facts(SAME);
        f.standing = Standing::File(SOURCE);
        f.part_size = Some(300);
        let resume = plan(&spec(Kind::Copy, Conflict::Resume, true), &f, None, &[]);
        assert_eq!(outcome(&resume), "go 300/300 expect 1000 part");
        let overwrite = plan(&spec(Kind::Copy, Conflict::Overwrite, true), &f, None, &[]);
        assert_eq!(outcome(&overwrite), "go 0/0 expect 1000 part");
    }

    /// A link is replaced only by an overwrite (or left beside a new
    /// name); a device is written in place, never renamed over.
    #[test]
    fn links_and_devices_at_a_local_destination() {
        let mut f = facts(None);
        f.standing = Standing::Link;
        for (conflict, want) in [
            (Conflict::Overwrite, "go 0/0 expect 1000 part"),
            (Conflict::Rename, "go 0/0 expect 1000 part"),
            (Conflict::Resume, "skip"),
            (Conflict::Skip, "skip"),
            (Conflict::Append, "skip"),
            (Conflict::Ask, "skip"),
        ] {
            let got = outcome(&plan(&spec(Kind::Copy, conflict, true), &f, None, &[]));
            assert_eq!(got, want, "{conflict:?}");
        }
        f.standing = Standing::Other;
        let p = plan(&spec(Kind::Copy, Conflict::Overwrite, true), &f, None, &[]);
        assert_eq!(outcome(&p), "go 0/0 expect 1000");
    }

    fn go(d: Decision) -> Plan {
        match d {
            Decision::Go(p) => *p,
            other => panic!("{other:?}"),
        }
    }

    /// A retry continues only from bytes this job wrote: until it has
    /// written, every attempt starts where the policy said (an overwrite
    /// at 0, however large the file it is replacing); after, from the
    /// destination's size — and from 0 when that is more than the source.
    #[test]
    fn a_retry_continues_only_what_this_job_wrote() {
        use Conflict::*;
        #[rustfmt::skip]
        let table = [
            // policy, kind, destination before, written now, where the retry starts
            (Overwrite, Kind::Copy,   LARGER,  None,       (0, 0, false)),
            (Overwrite, Kind::Copy,   LARGER,  Some(0),    (0, 0, false)),
            (Overwrite, Kind::Copy,   LARGER,  Some(600),  (600, 600, false)),
            (Overwrite, Kind::Copy,   ABSENT,  Some(1000), (1000, 1000, false)),
            (Overwrite, Kind::Copy,   ABSENT,  Some(1200), (0, 0, false)),
            (Resume,    Kind::Copy,   SMALLER, None,       (400, 400, false)),
            (Resume,    Kind::Copy,   SMALLER, Some(700),  (700, 700, false)),
            (Append,    Kind::Copy,   SMALLER, None,       (0, 0, true)),
            (Append,    Kind::Copy,   SMALLER, Some(900),  (500, 0, true)),
            (Append,    Kind::Copy,   SMALLER, Some(5000), (1000, 0, true)),
            (Overwrite, Kind::Append, SAME,    Some(1300), (300, 0, true)),
            (Overwrite, Kind::Append, ABSENT,  Some(200),  (200, 0, true)),
            (Rename,    Kind::Copy,   SAME,    Some(250),  (250, 250, false)),
        ];
        for (conflict, kind, before, written, (source, destination, append)) in table {
            let p = go(plan(
                &spec(kind, conflict, false),
                &facts(before),
                None,
                &[],
            ));
            let o = p.offsets_after(written, SOURCE);
            assert_eq!(
                (o.source, o.destination, o.append),
                (source, destination, append),
                "{conflict:?} {kind:?} before {before:?} written {written:?}"
            );
        }
    }

    /// `--via`, whether both speak LSTN, what the pair refused lately; the
    /// ways left, and why none is when none is.
    type WaysRow = (
        Via,
        Result<(), Refusal>,
        Vec<(Dialect, Refusal)>,
        Vec<Transport>,
        Option<&'static str>,
    );

    /// The ways in order, less those these two servers refused lately and
    /// LSTN when one does not speak it; with none left, every reason.
    #[test]
    fn ways_follow_via_and_what_the_pair_refused() {
        use Dialect::*;
        use Transport::*;
        let short = |arrived| Refusal::ArrivedShort {
            arrived,
            expected: SOURCE,
        };
        let dp = || (FxpDestinationPassive, short(1));
        let sp = || (FxpSourcePassive, short(2));
        let lstn = || (Lstn, short(3));
        let no_lstn: Result<(), Refusal> = Err(Refusal::NoLstn {
            end: crate::transfer::End::Source,
        });
        #[rustfmt::skip]
        let table: Vec<WaysRow> = vec![
            (Via::Auto, Ok(()), vec![], vec![Servers(Lstn), Servers(FxpDestinationPassive), Servers(FxpSourcePassive), Relay], None),
            (Via::Auto, no_lstn.clone(), vec![], vec![Servers(FxpDestinationPassive), Servers(FxpSourcePassive), Relay], None),
            (Via::Auto, Ok(()), vec![lstn(), dp()], vec![Servers(FxpSourcePassive), Relay], None),
            (Via::Auto, no_lstn.clone(), vec![dp(), sp()], vec![Relay], None),
            (Via::Fxp, Ok(()), vec![dp()], vec![Servers(FxpSourcePassive)], None),
            (Via::Fxp, Ok(()), vec![dp(), sp()], vec![], Some("the data arrived short over TLS (1 of 1000 bytes), although both servers reported success; the data arrived short over TLS (2 of 1000 bytes), although both servers reported success")),
            (Via::Lstn, no_lstn.clone(), vec![], vec![], Some("the source does not advertise LSTN and SOCK in FEAT")),
            (Via::Lstn, Ok(()), vec![lstn()], vec![], Some("the data arrived short over TLS (3 of 1000 bytes), although both servers reported success")),
            (Via::Relay, Ok(()), vec![dp(), sp(), lstn()], vec![Relay], None),
        ];
        for (via, lstn, refused, want, no_way) in table {
            let mut s = spec(Kind::Copy, Conflict::Overwrite, false);
            s.via = via;
            let mut f = facts(None);
            f.lstn = lstn;
            let p = go(plan(&s, &f, None, &refused));
            assert_eq!(Vec::from(p.ways.clone()), want, "{via:?} {refused:?}");
            assert_eq!(p.no_way().as_deref(), no_way, "{via:?} {refused:?}");
        }
    }

    /// Between the local disk and a server there is one way, whatever was
    /// refused between servers.
    #[test]
    fn one_way_with_the_local_disk() {
        let refused = [(
            Dialect::FxpDestinationPassive,
            Refusal::NoLstn {
                end: crate::transfer::End::Source,
            },
        )];
        let p = go(plan(
            &spec(Kind::Copy, Conflict::Overwrite, true),
            &facts(None),
            None,
            &refused,
        ));
        assert_eq!(Vec::from(p.ways), vec![Transport::Download]);
    }
}
