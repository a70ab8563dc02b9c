//! Setting a file's modification time, so that a copy keeps its source's
//! date. No command does it everywhere: `MFMT` (draft-somers-ftp-mfxx:
//! pyftpdlib, ProFTPD, FileZilla Server, `fxpc serve`) where `FEAT` lists
//! it, else `SITE UTIME` (ProFTPD's mod_site_misc, Pure-FTPd) in its two
//! spellings, else `MDTM` with a time before the name (vsftpd's
//! `mdtm_write`). What a server refused is not asked of it again.

use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;

use super::Client;
use crate::ftp::command::Command;
use crate::ftp::error::{FtpError, Result};
use crate::ftp::reply::Reply;

/// The command that set a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeWay {
    Mfmt,
    /// `SITE UTIME YYYYMMDDhhmmss path`
    SiteUtime,
    /// `SITE UTIME path atime mtime ctime UTC`
    SiteUtimeFive,
    /// `MDTM YYYYMMDDhhmmss path`
    MdtmWrite,
}

impl TimeWay {
    const ALL: [TimeWay; 4] = [
        TimeWay::Mfmt,
        TimeWay::SiteUtime,
        TimeWay::SiteUtimeFive,
        TimeWay::MdtmWrite,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TimeWay::Mfmt => "MFMT",
            TimeWay::SiteUtime | TimeWay::SiteUtimeFive => "SITE UTIME",
            TimeWay::MdtmWrite => "MDTM",
        }
    }

    fn command(self, path: &[u8], time: &str) -> Result<Command> {
        let spaced = |before: &str, after: &str| -> Vec<u8> {
            [before.as_bytes(), path, after.as_bytes()].concat()
        };
        Ok(match self {
            TimeWay::Mfmt => Command::with_arg("MFMT", spaced(&format!("{time} "), ""))?,
            TimeWay::SiteUtime => Command::with_arg("SITE", spaced(&format!("UTIME {time} "), ""))?,
            TimeWay::SiteUtimeFive => Command::with_arg(
                "SITE",
                spaced("UTIME ", &format!(" {time} {time} {time} UTC")),
            )?,
            TimeWay::MdtmWrite => Command::with_arg("MDTM", spaced(&format!("{time} "), ""))?,
        })
    }
}

/// The ways a server refused as commands it does not know (5xx but 550),
/// or never offered.
#[derive(Debug, Default, Clone)]
pub(super) struct Ways {
    refused: Vec<TimeWay>,
    /// The way this server took last.
    worked: Option<TimeWay>,
}

/// The answers to a time set without waiting, gathered until the last.
struct Judging {
    tried: Vec<(TimeWay, Command)>,
    replies: Vec<Reply>,
    on_done: Option<Box<dyn FnOnce(Result<TimeWay>) + Send + Sync>>,
}

impl Ways {
    /// The first of `tried` whose answer set the time `text`, learning
    /// from the others: a command the server does not know (`500`-`504`)
    /// is refused for good; an ambiguous `550` once a later way worked.
    fn judge(
        &mut self,
        tried: Vec<(TimeWay, Command)>,
        replies: Vec<Reply>,
        text: &str,
    ) -> Result<TimeWay> {
        let mut last = None;
        let mut ambiguous = Vec::new();
        for ((way, command), reply) in tried.into_iter().zip(replies) {
            if took(way, &reply, text) {
                self.refused.extend(ambiguous);
                self.worked = Some(way);
                return Ok(way);
            }
            let unknown = (500..=504).contains(&reply.code);
            let code = reply.code;
            last = Some(FtpError::Reply {
                command: command.to_string(),
                reply,
            });
            if unknown {
                self.refused.push(way);
            } else if way == TimeWay::Mfmt && (code == 550 || code == 553) {
                break;
            } else {
                ambiguous.push(way);
            }
        }
        Err(last.unwrap_or(FtpError::Unsupported {
            what: "setting a file's time (no MFMT, SITE UTIME or MDTM with a time)",
        }))
    }
}

/// Whether `reply` to `way` set the time `text`.
fn took(way: TimeWay, reply: &crate::ftp::reply::Reply, text: &str) -> bool {
    match way {
        // A server that reads `MDTM time name` as a query may answer `213`
        // with the file's own, unchanged time: that is no success.
        TimeWay::MdtmWrite => {
            let said = reply.message();
            let said = said.trim();
            let a_time = said.len() >= 14 && said.bytes().take(14).all(|b| b.is_ascii_digit());
            reply.code == 213 && (!a_time || said.starts_with(text))
        }
        _ => reply.is_completion(),
    }
}

impl Client {
    /// Sets `path`'s modification time to `time` (UTC), by the first way
    /// this server takes. A command the server does not know (`500`-`504`)
    /// is not sent to it again. `550` is ambiguous: vsftpd refuses any
    /// `SITE` so, others a file that is not there; such a way is only
    /// given up once a later one worked on the same file. Where `FEAT`
    /// lists `MFMT`, its `550` is about the file and ends the attempt.
    ///
    /// The ways still open go out together and their answers are read in
    /// order: one round trip to find the way instead of one per way
    /// (three on vsftpd). The ways after the one that took set the same
    /// time again, or fail; either is harmless.
    pub async fn set_modified(&mut self, path: &[u8], time: NaiveDateTime) -> Result<TimeWay> {
        let text = time.format("%Y%m%d%H%M%S").to_string();
        let tried = self.ways_to_try(path, &text)?;
        self.control.ensure_in_step().await?;
        for (_, command) in &tried {
            self.control.send(command).await?;
        }
        let mut replies = Vec::with_capacity(tried.len());
        for _ in &tried {
            replies.push(self.control.read_reply().await?);
        }
        let mut ways = self.time_ways.lock().expect("time ways lock");
        ways.judge(tried, replies, &text)
    }

    /// The ways not refused here, with their commands for `path`. MFMT only
    /// where FEAT names it: elsewhere a server may read it as nothing, or
    /// as something else.
    fn ways_to_try(&self, path: &[u8], text: &str) -> Result<Vec<(TimeWay, Command)>> {
        let ways = self.time_ways.lock().expect("time ways lock");
        TimeWay::ALL
            .into_iter()
            .filter(|way| !ways.refused.contains(way))
            .filter(|way| *way != TimeWay::Mfmt || self.features.mfmt)
            .map(|way| Ok((way, way.command(path, text)?)))
            .collect()
    }

    /// Sets `path`'s time without waiting: the replies are read before the
    /// next command's own and the outcome told to `on_done`. By the way
    /// this server took before; until one has, by every way still open,
    /// as [`set_modified`](Self::set_modified) asks them, the answers
    /// judged when the last comes. `false` (nothing sent) when no way is
    /// left.
    pub async fn set_modified_unawaited(
        &mut self,
        path: &[u8],
        time: NaiveDateTime,
        on_done: impl FnOnce(Result<TimeWay>) + Send + Sync + 'static,
    ) -> Result<bool> {
        let text = time.format("%Y%m%d%H%M%S").to_string();
        let worked = self.time_ways.lock().expect("time ways lock").worked;
        let tried = match worked {
            Some(way) => vec![(way, way.command(path, &text)?)],
            None => self.ways_to_try(path, &text)?,
        };
        if tried.is_empty() {
            return Ok(false);
        }
        let commands: Vec<Command> = tried.iter().map(|(_, c)| c.clone()).collect();
        let judging = Arc::new(Mutex::new(Judging {
            tried,
            replies: Vec::new(),
            on_done: Some(Box::new(on_done)),
        }));
        for command in commands {
            let (judging, ways, text) = (judging.clone(), self.time_ways.clone(), text.clone());
            let on_reply = move |reply: Result<Reply>| {
                let mut judging = judging.lock().expect("time judging lock");
                match reply {
                    Ok(reply) => judging.replies.push(reply),
                    // A lost answer: the outcome is that error, once.
                    Err(e) => {
                        if let Some(done) = judging.on_done.take() {
                            done(Err(e));
                        }
                    }
                }
                if judging.replies.len() < judging.tried.len() {
                    return;
                }
                let Some(done) = judging.on_done.take() else {
                    return;
                };
                let (tried, replies) = (
                    std::mem::take(&mut judging.tried),
                    std::mem::take(&mut judging.replies),
                );
                let judged = ways
                    .lock()
                    .expect("time ways lock")
                    .judge(tried, replies, &text);
                done(judged);
            };
            self.control
                .send_unawaited(&command, Box::new(on_reply))
                .await?;
        }
        Ok(true)
    }

    /// Whether some way of setting times may still work here.
    pub fn may_set_times(&self) -> bool {
        let ways = self.time_ways.lock().expect("time ways lock");
        TimeWay::ALL
            .iter()
            .any(|w| !ways.refused.contains(w) && (*w != TimeWay::Mfmt || self.features.mfmt))
    }
}
