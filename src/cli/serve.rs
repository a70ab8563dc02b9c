//! `fxpc serve`: the command line's options made into a server config.

use crate::*;

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
    config.allow_fxp = args.allow_fxp;
    config.lstn = !args.no_lstn;
    config.max_per_ip = args.max_per_ip.max(1);
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
    let srv = server::Server::bind(config)
        .await
        .with_context(|| format!("cannot serve {} on {}", args.root.display(), args.listen))?;
    println!(
        "fxpc serve: {} on ftp://{}/",
        args.root.display(),
        srv.local_addr()?
    );
    if let Some(shown) = shown_tls {
        println!("fxpc serve: {shown}");
    }
    srv.run(shutdown_signal()).await?;
    Ok(())
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
