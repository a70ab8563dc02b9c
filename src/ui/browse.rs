//! What a pane asks of its site, run away from the UI: each FTP pane has its
//! own browsing control connection driven by a task (commands queued,
//! results sent back as actions; a dropped connection reconnects and says
//! so; idle connections get a NOOP now and then). Local panes use blocking
//! file-system calls on tokio's blocking pool.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::state::Side;
use super::update::Action;
use crate::ftp::{Client, Entry, EntryKind, FtpError};
use crate::transfer::FtpSite;

/// Keeps idle browsing connections alive past servers' idle timeouts.
const KEEPALIVE: Duration = Duration::from_secs(60);

pub enum Request {
    List(Vec<u8>),
    Mkdir(Vec<u8>),
    Delete(Vec<(Vec<u8>, bool)>),
    /// From, to, and whether replacing an existing `to` was confirmed.
    Rename(Vec<u8>, Vec<u8>, bool),
    /// The first bytes of a file, for the viewer.
    Peek(Vec<u8>, String),
}

/// How much of a file the viewer fetches.
pub(crate) const PEEK_BYTES: usize = 64 * 1024;

/// Starts the browsing task for an FTP pane around an open session.
pub fn spawn_ftp(
    side: Side,
    site: Arc<FtpSite>,
    client: Client,
    actions: UnboundedSender<Action>,
) -> UnboundedSender<Request> {
    let (tx, mut rx) = unbounded_channel::<Request>();
    tokio::spawn(async move {
        let mut client = Some(client);
        loop {
            let request = tokio::select! {
                r = rx.recv() => match r {
                    Some(r) => r,
                    None => break,
                },
                () = tokio::time::sleep(KEEPALIVE) => {
                    if let Some(c) = &mut client && c.noop().await.is_err() {
                        client = None;
                    }
                    continue;
                }
            };
            let mut result = serve(client.as_mut(), &request).await;
            if result.as_ref().err().is_none_or(|e| e.is_transient())
                && (client.is_none() || result.is_err())
            {
                // The connection is gone (or never was): reconnect once and
                // try again.
                match site.open().await {
                    Ok(c) => {
                        client = Some(c);
                        let _ = actions.send(Action::Notice(format!(
                            "{} pane: reconnected to {site}",
                            side.name()
                        )));
                        result = serve(client.as_mut(), &request).await;
                    }
                    Err(e) => {
                        client = None;
                        result = Err(e);
                    }
                }
            }
            let _ = actions.send(answer(side, request, result.map_err(|e| e.to_string())));
        }
        if let Some(c) = client {
            let _ = tokio::time::timeout(Duration::from_secs(2), c.quit()).await;
        }
    });
    tx
}

enum Done {
    Listed(Vec<Entry>),
    Did(String),
    /// Not done, for a reason of ours (not the server's).
    Refused(String),
    Peeked(Vec<u8>),
}

async fn serve(client: Option<&mut Client>, request: &Request) -> Result<Done, FtpError> {
    let Some(client) = client else {
        return Err(FtpError::Closed { after: None });
    };
    match request {
        Request::List(path) => client.list(Some(path)).await.map(Done::Listed),
        Request::Peek(path, _) => {
            // Read the start and hang up the data connection: the server
            // answers 426 (or 226), and the session stays usable.
            let mut head = Capped(Vec::new());
            match client.retrieve(path, 0, &mut head).await {
                Ok(_) => Ok(Done::Peeked(head.0)),
                Err(_) if head.0.len() >= PEEK_BYTES => Ok(Done::Peeked(head.0)),
                Err(e) => Err(e),
            }
        }
        Request::Mkdir(path) => {
            let done = Done::Did(format!("created {}", String::from_utf8_lossy(path)));
            if client.mkd(path).await.is_ok() {
                return Ok(done);
            }
            // `a/b/c` with `a` or `a/b` missing: each part in turn, a part
            // that is already a directory being fine; the error names the
            // part that could not be made.
            let mut at = 0;
            while let Some(next) = path[at + 1..].iter().position(|b| *b == b'/') {
                at += 1 + next;
                let part = &path[..at];
                if client.cwd(part).await.is_err()
                    && let Err(e) = client.mkd(part).await
                {
                    return Ok(Done::Refused(format!(
                        "cannot create {}: {e}",
                        String::from_utf8_lossy(part)
                    )));
                }
            }
            match client.mkd(path).await {
                Ok(_) => Ok(done),
                Err(e) => Ok(Done::Refused(format!(
                    "cannot create {}: {e}",
                    String::from_utf8_lossy(path)
                ))),
            }
        }
        Request::Rename(from, to, overwrite) => {
            // The pane's listing may be old: a file that appeared since
            // must not be replaced unasked. SIZE sees files (a directory
            // in the way makes RNTO fail on its own).
            if !overwrite && client.size(to).await.is_ok() {
                return Ok(Done::Refused(exists_message(to)));
            }
            client
                .rename(from, to)
                .await
                .map(|()| Done::Did(format!("renamed to {}", String::from_utf8_lossy(to))))
        }
        Request::Delete(paths) => {
            for (path, is_dir) in paths {
                if *is_dir {
                    delete_tree(client, path.clone()).await?;
                } else {
                    client.dele(path).await?;
                }
            }
            Ok(Done::Did(format!("deleted {} item(s)", paths.len())))
        }
    }
}

/// FTP has no recursive delete: empty the directory depth-first, then RMD.
async fn delete_tree(client: &mut Client, dir: Vec<u8>) -> Result<(), FtpError> {
    let mut stack = vec![(dir, false)];
    while let Some((path, emptied)) = stack.pop() {
        if emptied {
            client.rmd(&path).await?;
            continue;
        }
        stack.push((path.clone(), true));
        for e in client.list(Some(&path)).await? {
            let child = super::pane::join(&path, e.raw_name());
            match e.kind {
                EntryKind::Dir => stack.push((child, false)),
                EntryKind::Unparsed => {
                    return Err(FtpError::Io(std::io::Error::other(format!(
                        "cannot delete {}: unparsed listing line {:?}",
                        String::from_utf8_lossy(&path),
                        e.name
                    ))));
                }
                _ => client.dele(&child).await?,
            }
        }
    }
    Ok(())
}

/// A writer that takes `PEEK_BYTES` and then refuses more.
struct Capped(Vec<u8>);

impl tokio::io::AsyncWrite for Capped {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let room = PEEK_BYTES - self.0.len().min(PEEK_BYTES);
        if room == 0 {
            return std::task::Poll::Ready(Err(std::io::Error::other("enough for the viewer")));
        }
        let n = buf.len().min(room);
        self.0.extend_from_slice(&buf[..n]);
        std::task::Poll::Ready(Ok(n))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

fn answer(side: Side, request: Request, result: Result<Done, String>) -> Action {
    match (request, result) {
        (Request::Peek(_, name), Ok(Done::Peeked(bytes))) => Action::Peeked {
            name,
            result: Ok(bytes),
        },
        (Request::Peek(_, name), Err(e)) => Action::Peeked {
            name,
            result: Err(e),
        },
        (Request::List(path), Ok(Done::Listed(entries))) => Action::Listed {
            side,
            path,
            result: Ok(entries),
        },
        (Request::List(path), Err(e)) => Action::Listed {
            side,
            path,
            result: Err(e),
        },
        (_, Ok(Done::Did(text))) => Action::OpDone {
            side,
            result: Ok(text),
        },
        (_, Ok(Done::Refused(text))) => Action::OpDone {
            side,
            result: Err(text),
        },
        // Each request gets its own kind of answer; these pairs never meet.
        (_, Ok(Done::Listed(_) | Done::Peeked(_))) => Action::OpDone {
            side,
            result: Ok(String::new()),
        },
        (_, Err(e)) => Action::OpDone {
            side,
            result: Err(e),
        },
    }
}

/// Local-disk requests, on the blocking pool.
pub fn local(side: Side, request: Request, actions: UnboundedSender<Action>) {
    tokio::task::spawn_blocking(move || {
        let action = match request {
            Request::List(path) => Action::Listed {
                side,
                result: crate::transfer::list_local(&path)
                    .map_err(|e| format!("{}: {e}", String::from_utf8_lossy(&path))),
                path,
            },
            Request::Mkdir(path) => Action::OpDone {
                side,
                result: mkdir_parts(&path),
            },
            Request::Peek(path, name) => Action::Peeked {
                name,
                result: std::fs::File::open(os(&path))
                    .and_then(|f| {
                        use std::io::Read;
                        let mut head = Vec::new();
                        f.take(PEEK_BYTES as u64)
                            .read_to_end(&mut head)
                            .map(|_| head)
                    })
                    .map_err(|e| e.to_string()),
            },
            Request::Rename(from, to, overwrite) => Action::OpDone {
                side,
                result: if !overwrite && std::fs::symlink_metadata(os(&to)).is_ok() {
                    Err(exists_message(&to))
                } else {
                    std::fs::rename(os(&from), os(&to))
                        .map(|()| format!("renamed to {}", String::from_utf8_lossy(&to)))
                        .map_err(|e| format!("{}: {e}", String::from_utf8_lossy(&from)))
                },
            },
            Request::Delete(paths) => {
                let mut result = Ok(format!("deleted {} item(s)", paths.len()));
                for (path, is_dir) in &paths {
                    let r = if *is_dir {
                        std::fs::remove_dir_all(os(path))
                    } else {
                        std::fs::remove_file(os(path))
                    };
                    if let Err(e) = r {
                        result = Err(format!("{}: {e}", String::from_utf8_lossy(path)));
                        break;
                    }
                }
                Action::OpDone { side, result }
            }
        };
        let _ = actions.send(action);
    });
}

/// `a/b/c` part by part, so that the error names the part that failed.
fn mkdir_parts(path: &[u8]) -> Result<String, String> {
    let full = os(path);
    let mut missing: Vec<&std::path::Path> = full
        .ancestors()
        .take_while(|p| std::fs::symlink_metadata(p).is_err())
        .collect();
    missing.reverse();
    if missing.is_empty() {
        return Err(format!("{}: it exists", full.display()));
    }
    for part in missing {
        std::fs::create_dir(part).map_err(|e| format!("cannot create {}: {e}", part.display()))?;
    }
    Ok(format!("created {}", full.display()))
}

fn exists_message(to: &[u8]) -> String {
    format!(
        "{} exists now: not renamed (rename again to be asked whether to replace it)",
        String::from_utf8_lossy(to)
    )
}

fn os(path: &[u8]) -> PathBuf {
    PathBuf::from(std::ffi::OsStr::from_bytes(path))
}
