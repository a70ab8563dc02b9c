//! `fxpc mirror`: the plan (`transfer::mirror`), then the copies it asks
//! for, then — only if everything verified — the deletions.

use std::io::Write as _;

use anyhow::{Result, bail};
use fxpc::ftp::FtpUrl;
use fxpc::text::printable;
use fxpc::transfer::{self, Conflict, Engine, Kind, Via};

use crate::cli::args::MirrorArgs;
use crate::cli::operands::{Connections, location, share_pool};
use crate::cli::run::{OnInterrupt, follow};
use crate::cli::view::CpView;

/// The skip list for a mirror: config.toml's top-level `exclude`, each
/// saved site's own for the operands it matches, then the command line's.
pub(crate) fn skip_list(args: &MirrorArgs) -> Result<transfer::skip::SkipList> {
    let config = fxpc::sites::Config::load();
    let mut exclude = config.exclude.clone();
    for text in [&args.source, &args.destination] {
        if let Ok(url) = FtpUrl::parse(text)
            && let Some(saved) = fxpc::sites::site_for(&config.sites, None, &url)
        {
            exclude.extend(saved.exclude.iter().cloned());
        }
    }
    exclude.extend(args.exclude.iter().cloned());
    transfer::skip::SkipList::new(&exclude, &args.include).map_err(anyhow::Error::msg)
}

pub(crate) async fn mirror(args: MirrorArgs) -> Result<()> {
    use transfer::mirror::{self, Change, Tree};
    let tls = args.tls.overrides()?;
    let connections = Connections {
        given: args.connections,
        jobs: args.jobs.max(1),
    };
    let mut source = location(&args.source, connections, &tls)?;
    let mut destination = location(&args.destination, connections, &tls)?;
    share_pool(&mut source, &mut destination, connections);
    let options = mirror::Options {
        rules: transfer::compare::Rules {
            size_only: args.size_only,
            newer: args.newer,
        },
        delete: args.delete,
        skip: skip_list(&args)?,
        max_depth: args.max_depth,
    };
    let (mut from, mut to) =
        tokio::try_join!(Tree::open(&source.site), Tree::open(&destination.site))?;
    let plan = mirror::plan(&source, &destination, &mut from, &mut to, &options).await?;
    from.close().await;
    {
        let mut out = text_out(args.json);
        for item in &plan.items {
            writeln!(out, "{}", crate::cli::view::escaped(&item.to_string()))?;
        }
        writeln!(out, "{}", plan.summary())?;
    }
    if args.dry_run || plan.is_empty() {
        to.close().await;
        return Ok(());
    }

    // Directories first, parents before children (the plan is sorted), so
    // the copies find them; one that cannot be made stops the mirror
    // before anything is written into the wrong place.
    let mut new_dirs = Vec::new();
    if plan.create_root {
        new_dirs.push(destination.clone());
    }
    for item in &plan.items {
        if item.change == Change::NewDir {
            new_dirs.push(mirror::under(&destination, &item.path));
        }
    }
    for dir in new_dirs {
        if let Err(e) = to.make_dir(&dir.path).await {
            to.close().await;
            bail!("cannot create directory {dir}: {e}");
        }
    }
    to.close().await;

    let settings = transfer::Settings {
        parallel: args.jobs.max(1),
        verify: args.verify.into(),
        // A mirror's files are submitted one by one, not as a tree: they
        // keep their times unless asked not to.
        keep_times: if args.no_preserve_times
            || fxpc::sites::Config::load().preserve_times == Some(false)
        {
            transfer::KeepTimes::Never
        } else {
            transfer::KeepTimes::Always
        },
        ..transfer::Settings::default()
    };
    let (engine, mut events) = Engine::new(settings);
    // Journaled like cp: a mirror that is killed resumes with `fxpc queue
    // resume` (its deletions are not journaled: run the mirror again).
    let mut tap = transfer::journal::Recorder::open();
    let mut jobs = Vec::new();
    let mut last = None;
    // No file starts before every copy is on disk to resume.
    engine.pause_all(true);
    for item in plan.copies() {
        let spec = transfer::JobSpec {
            source: mirror::under(&source, &item.path),
            destination: mirror::under(&destination, &item.path),
            kind: Kind::Copy,
            recursive: false,
            conflict: Conflict::Overwrite,
            via: Via::Auto,
        };
        let job = engine.submit(spec.clone());
        last = Some(tap.submitted(job, &spec, None));
        jobs.push(job);
    }
    // Recorded in order: the last on disk, all are.
    if let Some(last) = last {
        last.on_disk().await;
    }
    engine.pause_all(false);
    let mut view = CpView::new(args.json);
    let interrupted = follow(
        &engine,
        &mut events,
        &mut tap,
        &mut view,
        OnInterrupt::Cancel(&jobs),
    )
    .await;
    let all_verified = view.failed == 0 && !interrupted && view.verified == jobs.len();
    view.finish(engine.client_data_bytes())?;

    let extras: Vec<_> = plan
        .items
        .iter()
        .filter_map(|i| match i.change {
            Change::Extra { is_dir } => Some((i, is_dir)),
            _ => None,
        })
        .collect();
    if extras.is_empty() {
        return Ok(());
    }
    // A mirror that did not finish must not also lose the destination's
    // only copy of something.
    if !all_verified {
        bail!(
            "{} extra(s) not deleted: not every copy verified",
            extras.len()
        );
    }
    let mut to = Tree::open(&destination.site).await?;
    let mut failed = 0;
    let mut out = text_out(args.json);
    // Deepest first: what a directory holds goes before it.
    for (item, is_dir) in extras.into_iter().rev() {
        let at = mirror::under(&destination, &item.path);
        match to.remove(&at.path, is_dir).await {
            Ok(()) => writeln!(out, "✓ {}  deleted", printable(&at.to_string()))?,
            Err(e) => {
                failed += 1;
                writeln!(
                    out,
                    "✗ {}  FAILED to delete: {}",
                    printable(&at.to_string()),
                    printable(&e.to_string())
                )?;
            }
        }
    }
    drop(out);
    to.close().await;
    if failed > 0 {
        bail!("{failed} deletion(s) failed");
    }
    Ok(())
}

/// Where the plan and the deletions are written: stdout, or stderr when
/// stdout carries `--json` events (one kind of line per stream).
fn text_out(json: bool) -> Box<dyn std::io::Write> {
    if json {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    }
}
