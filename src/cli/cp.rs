//! `fxpc cp`: one job (a file or a tree) from the two operands, journaled
//! so that a run that is killed can be resumed.

use anyhow::{Context, Result};
use fxpc::transfer::{self, Conflict, Engine, Kind};

use crate::cli::args::CpArgs;
use crate::cli::operands::{Connections, location, share_pool, with_stall};
use crate::cli::run::{OnInterrupt, follow};
use crate::cli::view::CpView;

pub(crate) async fn cp(args: CpArgs) -> Result<()> {
    let tls = args.tls.overrides()?;
    let config = fxpc::sites::Config::load();
    let (skip, priority) = fxpc::sites::copy_rules(
        &config,
        &[&args.source, &args.destination],
        &args.exclude,
        &args.include,
    )
    .map_err(anyhow::Error::msg)?;
    let stall = std::time::Duration::from_secs(args.stall_timeout.max(1));
    let connections = Connections {
        given: args.connections,
        jobs: args.jobs.max(1),
    };
    let mut source = with_stall(location(&args.source, connections, &tls)?, stall);
    let mut destination = with_stall(location(&args.destination, connections, &tls)?, stall);
    share_pool(&mut source, &mut destination, connections);
    let settings = transfer::Settings {
        parallel: args.jobs.max(1),
        retries: args.retries,
        stall_timeout: std::time::Duration::from_secs(args.stall_timeout.max(1)),
        connect_timeout: std::time::Duration::from_secs(args.connect_timeout.max(1)),
        verify: args.verify.into(),
        skip,
        priority,
        max_depth: args.max_depth,
        keep_times: match (args.preserve_times, args.no_preserve_times) {
            (true, _) => transfer::KeepTimes::Always,
            (_, true) => transfer::KeepTimes::Never,
            _ => config.keep_times(),
        },
        ..transfer::Settings::default()
    };
    let (engine, mut events) = Engine::new(settings);
    // Both ends log in at once.
    let (resolved, ()) = tokio::join!(
        engine.resolve_destination(&source, &destination),
        engine.warm_up(&source)
    );
    // The location, not the argument: a URL's password stays out of errors.
    let destination = resolved.with_context(|| format!("destination {destination}"))?;
    let kind = if args.append {
        Kind::Append
    } else if args.move_ {
        Kind::Move
    } else {
        Kind::Copy
    };
    let conflict = if args.resume {
        Conflict::Resume
    } else if args.skip_existing {
        Conflict::Skip
    } else {
        Conflict::Overwrite
    };
    let spec = transfer::JobSpec {
        source,
        destination,
        kind,
        recursive: args.recursive,
        conflict,
        via: args.via.into(),
    };
    // Journaled: a run that is killed can be resumed (`fxpc queue resume`).
    // The journal is opened first, and the job is on disk before its
    // first file can be: a kill at any moment leaves it to resume.
    let mut tap = transfer::journal::Recorder::open();
    engine.pause_all(true);
    let root = engine.submit(spec.clone());
    tap.submitted(root, &spec, None).on_disk().await;
    engine.pause_all(false);

    let mut view = CpView::new(args.json);
    follow(
        &engine,
        &mut events,
        &mut tap,
        &mut view,
        OnInterrupt::Cancel(&[root]),
    )
    .await;
    view.finish(engine.client_data_bytes())
}
