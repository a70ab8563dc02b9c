//! `fxpc serve`: the command line's options made into a server config.

use std::io::Write as _;

use anyhow::{Context, Result, bail};
use fxpc::ftp::Secret;
use fxpc::server::{self, Anonymous};

use crate::cli::args::{AnonymousArg, ServeArgs};

pub(crate) async fn serve(args: ServeArgs) -> Result<()> {
    let mut config = server::Config::new(&args.root, args.listen);
    for spec in &args.users {
        let (name, pass) = spec.split_once(':').with_context(|| {
            format!(
                "--user {:?}: expected NAME:PASS or NAME:@FILE",
                spec.split(':').next().unwrap_or("")
            )
        })?;
        let pass = match pass.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .with_context(|| format!("reading the password for {name} from {file}"))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
            None => {
                eprintln!(
                    "fxpc serve: the password of --user {name} is visible in process listings; --user {name}:@FILE reads it from a file"
                );
                pass.to_string()
            }
        };
        config.users.push((name.to_string(), Secret::new(pass)));
    }
    config.anonymous = match args.anonymous {
        Some(AnonymousArg::None) => None,
        Some(AnonymousArg::Read) => Some(Anonymous::Read),
        Some(AnonymousArg::Write) => Some(Anonymous::Write),
        None if args.users.is_empty() => Some(Anonymous::Read),
        None => None,
    };
    match args.allow_fxp.as_deref().map(str::trim) {
        None => {}
        Some("*") => {
            config.allow_fxp = true;
            eprintln!(
                "fxpc serve: warning: --allow-fxp without addresses lets any host take data connections (RFC 2577's port stealing); name the peers: --allow-fxp ADDR|CIDR[,…]"
            );
        }
        Some(list) => {
            let peers = list
                .split(',')
                .map(|p| p.trim().parse::<server::Cidr>().map_err(anyhow::Error::msg))
                .collect::<Result<Vec<_>>>()
                .context("--allow-fxp")?;
            config.trusted_peers = peers.into();
        }
    }
    config.lstn = !args.no_lstn;
    config.max_per_ip = args.max_per_ip.max(1);
    config.max_sessions = args.max_sessions.max(1);
    config.idle_timeout = std::time::Duration::from_secs(args.idle_timeout.max(1));
    config.login_timeout = std::time::Duration::from_secs(args.login_timeout.max(1));
    config.ban_after = args.ban_after;
    if !(0.0..100.0).contains(&args.min_free) {
        bail!("--min-free {}: a percentage from 0 to 100", args.min_free);
    }
    config.min_free_percent = args.min_free;
    if let Some(range) = &args.pasv_range {
        config.pasv_range = Some(parse_range(range)?);
    }
    if let Some(rate) = &args.rate {
        config.rate = Some(parse_bytes(rate)?);
    }
    let mut tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            server::TlsConfig::from_pem_files(cert, key)
                .context("--tls-cert/--tls-key cannot be used")?,
        ),
        _ if args.tls_self_signed => {
            // Clients can only pin it by its fingerprint; the names are
            // for clients that show them.
            let mut names = vec!["localhost".to_string()];
            if !args.listen.ip().is_unspecified() {
                names.push(args.listen.ip().to_string());
            }
            Some(server::TlsConfig::self_signed(&names).context("cannot make a certificate")?)
        }
        _ => None,
    };
    if let Some(t) = &mut tls {
        if args.tls.as_deref() == Some("required") {
            t.policy = server::TlsPolicy::Required;
        }
        t.require_reuse = args.require_tls_reuse;
    } else if args.tls.is_some() || args.require_tls_reuse {
        bail!(
            "--tls and --require-tls-reuse need a certificate: --tls-cert and --tls-key, or --tls-self-signed"
        );
    }
    let shown_tls = tls.as_ref().map(|t| {
        let policy = match t.policy {
            server::TlsPolicy::Required => "required",
            server::TlsPolicy::Optional => "optional",
        };
        let reuse = if t.require_reuse {
            ", session reuse required"
        } else {
            ""
        };
        format!("TLS {policy}{reuse}; certificate {}", t.fingerprint())
    });
    config.tls = tls;
    let defaults = defaults(&config);
    let srv = server::Server::bind(config)
        .await
        .with_context(|| format!("cannot serve {} on {}", args.root.display(), args.listen))?;
    let mut said = vec![format!(
        "{} on ftp://{}/",
        args.root.display(),
        srv.local_addr()?
    )];
    said.extend(shown_tls);
    said.extend(defaults);
    // In one write, and never fatal: whoever started the server may
    // read only its first line and close the pipe (println! would panic).
    let said: String = said.iter().map(|l| format!("fxpc serve: {l}\n")).collect();
    let mut out = std::io::stdout();
    let _ = out.write_all(said.as_bytes()).and_then(|()| out.flush());
    srv.run(shutdown_signal()).await?;
    Ok(())
}

/// What the server allows and limits, said at start: nobody should learn
/// from a client that anonymous access was on.
fn defaults(config: &server::Config) -> Vec<String> {
    let anonymous = match config.anonymous {
        None => "off",
        Some(Anonymous::Read) => "read-only",
        Some(Anonymous::Write) => "read-write",
    };
    let tls = match &config.tls {
        None => "off",
        Some(t) if t.policy == server::TlsPolicy::Required => "required",
        Some(_) => "optional",
    };
    let peers = if config.allow_fxp {
        "any host".to_string()
    } else if config.trusted_peers.is_empty() {
        "the client only".to_string()
    } else {
        let named: Vec<String> = config.trusted_peers.iter().map(|p| p.to_string()).collect();
        format!("the client and {}", named.join(", "))
    };
    let ban = match config.ban_after {
        0 => "never".to_string(),
        n => format!(
            "after {n} failed logins in {} min, for {} min",
            config.ban_window.as_secs() / 60,
            config.ban_time.as_secs() / 60
        ),
    };
    vec![
        format!("anonymous: {anonymous}"),
        format!("TLS: {tls}"),
        format!("data connections: with {peers}"),
        format!(
            "limits: {} sessions, {} per address, login within {} s, idle {} s, ban {ban}, uploads stop under {}% free space",
            config.max_sessions,
            config.max_per_ip,
            config.login_timeout.as_secs(),
            config.idle_timeout.as_secs(),
            config.min_free_percent
        ),
    ]
}

pub(crate) async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}

pub(crate) fn parse_range(text: &str) -> Result<(u16, u16)> {
    let (a, b) = text
        .split_once('-')
        .context("--pasv-range: expected A-B, e.g. 50000-50100")?;
    let (a, b): (u16, u16) = (a.trim().parse()?, b.trim().parse()?);
    if a < 1024 || b < a {
        bail!("--pasv-range {text}: ports must be 1024 or above, and A ≤ B");
    }
    Ok((a, b))
}

pub(crate) fn parse_bytes(text: &str) -> Result<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits
        .parse()
        .with_context(|| format!("{text:?} is not a number of bytes"))?;
    let mult = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("/S")
        .trim_end_matches('B')
        .trim_end_matches('I')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => bail!("{text:?}: unknown unit (use K, M or G)"),
    };
    Ok(n * mult)
}
