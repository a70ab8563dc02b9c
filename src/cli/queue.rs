//! The command line's side of the journal (`fxpc::transfer::journal`):
//! `cp` records its work as it goes, and `fxpc queue` lists, resumes or
//! clears what a run that quit or was killed left unfinished.

use anyhow::{Context, Result};
use fxpc::transfer;
use fxpc::transfer::journal::{Item, Journal};

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

fn describe(item: &Item) -> String {
    let path = |p: &[u8]| fxpc::text::printable(&String::from_utf8_lossy(p));
    format!(
        "{:<8} {}{} {}{} → {}{}{}",
        item.state,
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
