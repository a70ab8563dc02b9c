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
    let refused = |refusal: Refusal| Failure::Refused {
        refusal: Box::new(refusal),
        clean: true,
    };
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
    let destination_listens = dialect != Dialect::FxpSourcePassive;
    let planned = |cpsv: bool, how: String| TlsPlan {
        cpsv,
        description: Some(how),
    };
    // The receiving side (the destination) as the TLS client first: a TLS
    // client that *sends* and closes without reading the peer's TLS 1.3
    // session tickets turns its close into a reset, and the receiving
    // server answers 426 (or 226 for a short file). The size check would
    // catch it; not provoking it is better. Then the source.
    let mut choice = None;
    for end in [End::Destination, End::Source] {
        let (client, listens) = match end {
            End::Destination => (&*destination, destination_listens),
            End::Source => (&*source, !destination_listens),
        };
        // LSTN has no CPSV form; a PASV can.
        if listens && dialect != Dialect::Lstn && client.features().cpsv {
            choice = Some((end, true));
            break;
        }
        if client.features().sscn {
            choice = Some((end, false));
            break;
        }
    }
    if let Some((client_end, cpsv)) = choice {
        let (client_side, server_side) = match client_end {
            End::Destination => (&mut *destination, &mut *source),
            End::Source => (&mut *source, &mut *destination),
        };
        let server_addr = server_side.peer_addr();
        if server_side.features().sscn {
            server_side.set_sscn(false).await.map_err(|e| {
                refused(Refusal::TlsArrangement {
                    at: server_addr,
                    error: e.to_string(),
                })
            })?;
        }
        let client_addr = client_side.peer_addr();
        // CPSV makes the listening side the client of that connection on
        // its own; an earlier SSCN ON must not linger for our transfers.
        client_side.set_sscn(!cpsv).await.map_err(|e| {
            refused(Refusal::TlsArrangement {
                at: client_addr,
                error: e.to_string(),
            })
        })?;
        let how = if cpsv { "CPSV" } else { "SSCN" };
        return Ok(planned(
            cpsv,
            format!("TLS; the {client_end} was the TLS client ({how})"),
        ));
    }
    if clear_data_allowed {
        // Both sites said their data may cross in the clear: it does, for
        // this copy only (our own transfers ask for PROT P again).
        for client in [&mut *source, &mut *destination] {
            let addr = client.peer_addr();
            client.set_data_protection(false).await.map_err(|e| {
                refused(Refusal::TlsArrangement {
                    at: addr,
                    error: e.to_string(),
                })
            })?;
        }
        return Ok(planned(
            false,
            "clear data (PROT C: both sites allow it), control in TLS".into(),
        ));
    }
    Err(refused(Refusal::NoTlsClient {
        source: source.peer_addr(),
        destination: destination.peer_addr(),
    }))
}
