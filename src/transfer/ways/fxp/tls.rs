//! Who is the TLS client of a protected server-to-server data connection.

use super::*;

/// How a server-to-server copy's data connection is protected.
pub(crate) struct TlsPlan {
    /// The listening side is asked with `CPSV` (it is the TLS client).
    pub(crate) cpsv: bool,
    /// In words, for the verified event; `None` for plain FTP.
    pub(crate) description: Option<String>,
}

/// Servers whose data connections are in TLS (`PROT P`) can exchange data
/// only if one of them is the TLS client of that connection (`SSCN ON`):
/// most servers (vsftpd, Pure-FTPd, pyftpdlib) can only be its server, and
/// two TLS servers facing each other wait for a ClientHello until a
/// timeout. Decided from both `FEAT`s before anything starts; the side that
/// listens is asked first, as it receives the connection either way: with
/// `CPSV` where it offers it (one command for `SSCN ON` and `PASV`: `true`
/// is returned), else `SSCN ON`.
pub(crate) async fn arrange_tls(
    dialect: Dialect,
    source: &mut Client,
    destination: &mut Client,
    clear_data_allowed: bool,
) -> Result<TlsPlan, Failure> {
    let (source_tls, destination_tls) = (source.protection().1, destination.protection().1);
    if !source_tls && !destination_tls {
        return Ok(TlsPlan {
            cpsv: false,
            description: None,
        });
    }
    if source_tls != destination_tls {
        let (tls, clear) = if source_tls {
            (&*source, &*destination)
        } else {
            (&*destination, &*source)
        };
        return Err(refused(Refusal::TlsOnOneEnd {
            tls: tls.peer_addr(),
            clear: clear.peer_addr(),
        }));
    }
    if let Some((client_end, cpsv)) = tls_client(dialect, source, destination) {
        return make_tls_client(client_end, cpsv, source, destination).await;
    }
    if clear_data_allowed {
        return clear_data(source, destination).await;
    }
    Err(refused(Refusal::NoTlsClient {
        source: source.peer_addr(),
        destination: destination.peer_addr(),
    }))
}

/// A way refused before anything was sent: both sessions stay usable.
fn refused(refusal: Refusal) -> Failure {
    Failure::Refused {
        refusal: Box::new(refusal),
        clean: true,
    }
}

/// A command arranging the data connection's TLS failed at `at`.
fn not_arranged(at: std::net::SocketAddr, error: &FtpError) -> Failure {
    refused(Refusal::TlsArrangement {
        at,
        error: error.to_string(),
    })
}

/// Which end can be the TLS client, and whether by `CPSV`. The receiving
/// side (the destination) first: a TLS client that *sends* and closes
/// without reading the peer's TLS 1.3 session tickets turns its close into
/// a reset, and the receiving server answers 426 (or 226 for a short
/// file). The size check would catch it; not provoking it is better. Then
/// the source.
fn tls_client(dialect: Dialect, source: &Client, destination: &Client) -> Option<(End, bool)> {
    let destination_listens = dialect != Dialect::FxpSourcePassive;
    [
        (End::Destination, destination, destination_listens),
        (End::Source, source, !destination_listens),
    ]
    .into_iter()
    .find_map(|(end, client, listens)| {
        // LSTN has no CPSV form; a PASV can.
        if listens && dialect != Dialect::Lstn && client.features().cpsv {
            Some((end, true))
        } else if client.features().sscn {
            Some((end, false))
        } else {
            None
        }
    })
}

/// Makes `client_end` the TLS client of the data connection, and the other
/// end its server.
async fn make_tls_client(
    client_end: End,
    cpsv: bool,
    source: &mut Client,
    destination: &mut Client,
) -> Result<TlsPlan, Failure> {
    let (client_side, server_side) = match client_end {
        End::Destination => (destination, source),
        End::Source => (source, destination),
    };
    if server_side.features().sscn {
        let at = server_side.peer_addr();
        server_side
            .set_sscn(false)
            .await
            .map_err(|e| not_arranged(at, &e))?;
    }
    let at = client_side.peer_addr();
    // CPSV makes the listening side the client of that connection on
    // its own; an earlier SSCN ON must not linger for our transfers.
    client_side
        .set_sscn(!cpsv)
        .await
        .map_err(|e| not_arranged(at, &e))?;
    let how = if cpsv { "CPSV" } else { "SSCN" };
    Ok(TlsPlan {
        cpsv,
        description: Some(format!("TLS; the {client_end} was the TLS client ({how})")),
    })
}

/// Both sites said their data may cross in the clear: it does, for this
/// copy only (our own transfers ask for PROT P again).
async fn clear_data(source: &mut Client, destination: &mut Client) -> Result<TlsPlan, Failure> {
    for client in [source, destination] {
        let at = client.peer_addr();
        client
            .set_data_protection(false)
            .await
            .map_err(|e| not_arranged(at, &e))?;
    }
    Ok(TlsPlan {
        cpsv: false,
        description: Some("clear data (PROT C: both sites allow it), control in TLS".into()),
    })
}
