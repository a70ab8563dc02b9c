//! The command line's side of the journal (`fxpc::transfer::journal`):
//! `cp` records its work as it goes, and `fxpc queue` lists, resumes or
//! clears what a run that quit or was killed left unfinished.

use anyhow::{Context, Result, bail};
use fxpc::transfer::journal::{Item, Journal};
use fxpc::transfer::{self, Engine};

use crate::cli::operands::ftp_site;
use crate::cli::run::{OnInterrupt, follow};
use crate::cli::view::CpView;

/// `fxpc queue`: what is unfinished.
pub(crate) fn list() -> Result<()> {
    let journal = open()?;
    let pending = journal.pending()?;
    if pending.is_empty() {
        println!("nothing unfinished");
        return Ok(());
    }
    for item in &pending {
        println!("{}", describe(item));
    }
    println!(
        "{} unfinished: `fxpc queue resume` continues them, `fxpc queue clear` forgets them",
        pending.len()
    );
    Ok(())
}

/// A pending item was left by a process that is gone: one that was
/// running is not running any more.
fn state(item: &Item) -> String {
    match (item.state.as_str(), item.owner) {
        ("running", Some(pid)) => format!("interrupted (pid {pid} is gone)"),
        ("running", None) => "interrupted".to_string(),
        ("sent", _) => "sent, not yet verified".to_string(),
        (state, _) => state.to_string(),
    }
}

fn describe(item: &Item) -> String {
    let path = |p: &[u8]| fxpc::text::printable(&String::from_utf8_lossy(p));
    format!(
        "{:<8} {}{} {}{} → {}{}{}",
        state(item),
        match item.kind {
            transfer::Kind::Copy => "",
            transfer::Kind::Append => "append ",
            transfer::Kind::Move => "move ",
        },
        if item.recursive { "tree" } else { "file" },
        item.source_url.trim_end_matches('/'),
        path(&item.source_path),
        item.destination_url.trim_end_matches('/'),
        path(&item.destination_path),
        if item.wrote { " (partly there)" } else { "" }
    )
}

fn open() -> Result<Journal> {
    let path = Journal::default_path().context("no state directory for the journal")?;
    Journal::open(&path).with_context(|| format!("journal {}", path.display()))
}

/// `fxpc queue clear`.
pub(crate) fn clear() -> Result<()> {
    let n = open()?.clear()?;
    println!("forgot {n} item(s)");
    Ok(())
}

/// The unfinished items, claimed for this run, as jobs to submit.
pub(crate) fn claim_all(
    tls: &fxpc::sites::TlsOverrides,
    site_of: &dyn Fn(&fxpc::ftp::FtpUrl, &fxpc::sites::TlsOverrides) -> Result<transfer::FtpSite>,
) -> Result<transfer::journal::Claimed> {
    let mut journal = open()?;
    // One answer per site, whatever its number of items: a password is
    // asked once, and a site without one is named once.
    let known = std::cell::RefCell::new(std::collections::HashMap::new());
    let claimed = transfer::journal::claim_all(&mut journal, &|url, stored| {
        let key = format!("{url} {stored:?}");
        if let Some(answer) = known.borrow().get(&key) {
            return Clone::clone(answer);
        }
        let answer = fxpc::sites::site_as_queued(url, stored, tls, &|url, tls| {
            site_of(url, tls).map_err(|e| format!("{e:#}"))
        });
        known.borrow_mut().insert(key, answer.clone());
        answer
    })?;
    let mut said = std::collections::HashSet::new();
    for problem in &claimed.1 {
        if said.insert(problem.clone()) {
            eprintln!("fxpc: left in the queue: {problem}");
        }
    }
    Ok(claimed)
}

/// `fxpc queue resume`: the unfinished items, claimed and run again.
pub(crate) async fn resume(jobs: usize, json: bool, tls: &fxpc::sites::TlsOverrides) -> Result<()> {
    let (claimed, problems, earlier) = claim_all(tls, &ftp_site)?;
    if claimed.is_empty() && problems.is_empty() {
        println!("nothing unfinished");
        return Ok(());
    }
    // Items that could not be claimed stay in the queue, and the run says
    // so by its status: a script must not take half-copied files for done.
    let left = problems.len();
    let (engine, mut events) = Engine::new(transfer::Settings {
        parallel: jobs.max(1),
        ..transfer::Settings::default()
    });
    let mut tap = transfer::journal::Recorder::open();
    for (destination, verified) in earlier {
        engine.note_earlier(&destination, verified);
    }
    for (row, spec) in claimed {
        let job = engine.submit(spec.clone());
        // Resumed rows are on disk already: nothing to wait for.
        drop(tap.submitted(job, &spec, Some(row)));
    }
    let mut view = CpView::new(json);
    follow(&engine, &mut events, &mut tap, &mut view, OnInterrupt::Exit).await;
    view.finish(engine.client_data_bytes())?;
    if left > 0 {
        bail!(
            "{left} item(s) left in the queue (see above): give each site's password in ~/.netrc, a saved site (config.toml) or FXPC_PASSWORD, or run `fxpc queue resume` on a terminal to be asked"
        );
    }
    Ok(())
}
