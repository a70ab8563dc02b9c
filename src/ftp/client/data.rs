//! The data connections of a session's own transfers and listings:
//! passive (`EPSV`/`PASV`) or active (`EPRT`/`PORT`), in TLS after `PROT
//! P` (resuming the control connection's session), read and written with
//! an idle limit.

use super::*;

impl Client {
    /// Opens a passive data connection: `EPSV` when the server advertises it
    /// or we talk IPv6, otherwise `PASV`.
    pub async fn open_passive(&mut self) -> Result<TcpStream> {
        let peer = self.peer_addr();
        let use_epsv = self.epsv_works && (self.features.epsv || peer.is_ipv6());
        let target = if use_epsv {
            let command = Command::new("EPSV");
            let reply = self.control.execute(&command).await?;
            if reply.code == 229 {
                let port = addr::parse_epsv_reply(&reply.message()).ok_or(FtpError::BadReply {
                    command: command.to_string(),
                    what: "the port",
                    reply,
                })?;
                SocketAddr::new(peer.ip(), port)
            } else if peer.is_ipv4() && reply.is_permanent_failure() {
                self.epsv_works = false;
                self.pasv_target().await?
            } else {
                return Err(FtpError::Reply {
                    command: command.to_string(),
                    reply,
                });
            }
        } else {
            self.pasv_target().await?
        };
        let stream = tokio::time::timeout(self.options.connect_timeout, TcpStream::connect(target))
            .await
            .map_err(|_| FtpError::Data {
                command: "PASV".into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("connecting to {target} timed out"),
                ),
            })?
            .map_err(|e| FtpError::Data {
                command: format!("connect to {target}"),
                source: e,
            })?;
        Ok(stream)
    }

    /// `PASV` for our own data connection: the port from the reply, the
    /// host of the control connection (the address in the reply is the
    /// server's word, and a hostile one names a third host), unless the
    /// site trusts its passive address.
    pub async fn pasv_target(&mut self) -> Result<SocketAddr> {
        let command = Command::new("PASV");
        let reply = self.expect(command.clone(), &[227]).await?;
        let advertised = addr::parse_pasv_reply(&reply.text()).ok_or(FtpError::BadReply {
            command: command.to_string(),
            what: "the address",
            reply,
        })?;
        if self.options.trust_passive_address {
            return Ok(self.fix_passive_address(SocketAddr::V4(advertised)));
        }
        let peer = self.peer_addr().ip();
        if IpAddr::V4(*advertised.ip()) != peer {
            tracing::info!(
                host = %self.host,
                "PASV named {advertised}; connecting to the server's own address {peer} instead"
            );
        }
        Ok(SocketAddr::new(peer, advertised.port()))
    }

    /// See `addr::is_unusable_passive_address`.
    pub fn fix_passive_address(&self, advertised: SocketAddr) -> SocketAddr {
        let peer: IpAddr = self.peer_addr().ip();
        if addr::is_unusable_passive_address(advertised.ip(), peer) {
            tracing::info!(
                host = %self.host,
                "passive reply named {advertised}, unreachable from here; using the control peer {peer} instead"
            );
            SocketAddr::new(peer, advertised.port())
        } else {
            advertised
        }
    }

    /// Downloads `path` into `out`, starting at `offset` (`REST`). Returns
    /// the bytes written. Both the end of the data and the server's final
    /// reply are awaited: a transfer is only done when the server says so.
    pub async fn retrieve<W: AsyncWrite + Unpin>(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut W,
    ) -> Result<u64> {
        let command = Command::with_arg("RETR", path)?;
        let mut data = self.start_transfer(&command, offset, None).await?;
        let copied = copy_idle(&mut data, out, self.options.data_idle_timeout)
            .await
            .map_err(|source| FtpError::Data {
                command: command.to_string(),
                source,
            });
        drop(data);
        let done = if is_stall(&copied) {
            self.give_up_stalled().await
        } else {
            self.finish_transfer(&command).await.map(drop)
        };
        let n = copied?;
        done?;
        out.flush().await?;
        Ok(n)
    }

    /// After a data connection stalled: `ABOR`, a moment for its answer,
    /// and the session is given up. The stall already cost the stall
    /// timeout; waiting the reply timeout on top of it (a server that
    /// stalled will likely not answer either) doubled every attempt.
    async fn give_up_stalled(&mut self) -> Result<()> {
        let _ = tokio::time::timeout(STALLED_ABORT_WAIT, self.abort()).await;
        self.control
            .abandon("its data connection stalled and the transfer was abandoned");
        Ok(())
    }

    /// Uploads from `input` with `STOR`/`APPE`/`STOU`, after `REST offset`
    /// when `offset > 0`. Returns the bytes sent.
    pub async fn store<R: AsyncRead + Unpin>(
        &mut self,
        path: impl AsRef<[u8]>,
        mode: StoreMode,
        offset: u64,
        input: &mut R,
    ) -> Result<u64> {
        let command = match mode {
            StoreMode::Unique if path.as_ref().is_empty() => Command::new("STOU"),
            _ => Command::with_arg(mode.verb(), path)?,
        };
        let mut data = self.start_transfer(&command, offset, None).await?;
        let copied = copy_idle(input, &mut data, self.options.data_idle_timeout).await;
        let shut = data.shutdown().await;
        if data.is_tls() {
            // A TLS 1.3 server sends session tickets we never read on an
            // upload; closing with them unread makes our close a reset,
            // and vsftpd answers 426 for a file it had whole. Read to its
            // close first.
            drain(
                &mut data,
                self.options.data_idle_timeout.min(Duration::from_secs(5)),
            )
            .await;
        }
        drop(data);
        let stalled = matches!(&copied, Err(e) if e.kind() == std::io::ErrorKind::TimedOut);
        let done = if stalled {
            self.give_up_stalled().await
        } else {
            self.finish_transfer(&command).await.map(drop)
        };
        let n = copied
            .and_then(|n| shut.map(|()| n))
            .map_err(|source| FtpError::Data {
                command: command.to_string(),
                source,
            });
        // The server's verdict explains a broken data stream better than
        // "broken pipe", so it wins when both failed.
        done?;
        n
    }

    /// Lists a directory (the working one when `path` is `None`): `MLSD` when
    /// the server offers MLST, else `LIST` read as the server's type says
    /// (see [`listing_style`](Self::listing_style)).
    pub async fn list(&mut self, path: Option<&[u8]>) -> Result<Vec<Entry>> {
        let limits = self.options.listing_limits;
        if self.features.mlst {
            let command = match path {
                Some(p) => Command::with_arg("MLSD", p)?,
                None => Command::new("MLSD"),
            };
            let mut reader = ListingReader::mlsd(limits);
            self.read_listing(&command, &mut reader, None).await?;
            return Ok(self.finish_listing(&command, reader)?.entries);
        }
        let mut style = self.listing_style().await?;
        if !style.style.takes_ls_options() {
            self.list_all_works = false;
        }
        // LIST's argument is often taken as `ls` options ("-a", names with
        // spaces), so list the directory by entering it instead. Passive,
        // the `CWD` goes out with the data connection's first command, its
        // answer read before `LIST` goes; the `CWD` back is a gate: no
        // command naming a path follows before its answer, but nothing
        // else waits for it. Two round trips fewer than one at a time.
        let entered = match path {
            Some(p) => {
                let here = self.pwd().await?;
                let cwd = if self.options.passive {
                    self.here = None;
                    Some(self.send_ahead(Command::with_arg("CWD", p)?).await?)
                } else {
                    self.cwd(p).await?;
                    None
                };
                Some((here, cwd))
            }
            None => None,
        };
        let today = chrono::Local::now().date_naive();
        let mut reader = ListingReader::list(style.style, today, limits);
        let ahead = entered.as_ref().and_then(|(_, cwd)| cwd.as_ref());
        let read = self.read_hidden_too(&mut reader, ahead).await;
        if let Some((here, _)) = entered {
            self.return_to(here).await;
        }
        let command = read?;
        let listing = self.finish_listing(&command, reader)?;
        if let Some(found) = listing.heading_style {
            style = listing::DetectedStyle {
                style: found,
                source: listing::StyleSource::FirstLines,
            };
        }
        self.last_style = Some(style);
        Ok(listing.entries)
    }

    fn finish_listing(&self, command: &Command, reader: ListingReader) -> Result<Listing> {
        reader.finish().map_err(|too_large| FtpError::Data {
            command: command.to_string(),
            source: std::io::Error::other(too_large),
        })
    }

    /// `LIST -a`, so that names beginning with a dot (`.keep`,
    /// `.htaccess`) are listed too: vsftpd, ProFTPD and Pure-FTPd hide them
    /// from a plain `LIST`. A server that does not take the option gets a
    /// plain `LIST` from then on. Returns the command that was answered.
    /// `entered`: the `CWD` sent ahead into the listed directory, whose
    /// answer must be a success before `LIST` goes out.
    pub(super) async fn read_hidden_too(
        &mut self,
        reader: &mut ListingReader,
        entered: Option<&Ahead>,
    ) -> Result<Command> {
        let mut entered = entered;
        if self.list_all_works {
            let command = Command::with_arg("LIST", "-a")?;
            let said = command.to_string();
            match self.read_listing(&command, reader, entered).await {
                Err(FtpError::Reply { command, reply })
                    if command == said && !reply.is_preliminary() =>
                {
                    tracing::info!(host = %self.host, "LIST -a refused ({reply}); using LIST");
                    self.list_all_works = false;
                    // It went out after the way in had succeeded.
                    entered = None;
                }
                other => return other.map(|()| command),
            }
        }
        let command = Command::new("LIST");
        self.read_listing(&command, reader, entered).await?;
        Ok(command)
    }

    /// Back where a listing entered from, as a gate (see
    /// [`Control::send_gate`]). A session that cannot even send it is given
    /// up: its relative paths would name other files.
    async fn return_to(&mut self, here: Vec<u8>) {
        let sent = match Command::with_arg("CWD", &here) {
            Ok(command) => self.control.send_gate(&command).await,
            Err(e) => Err(e.into()),
        };
        match sent {
            Ok(()) => self.here = Some(here),
            Err(e) => self.control.abandon(&format!(
                "it could not return to its working directory: {e}"
            )),
        }
    }

    /// Runs `command` and hands what its data connection brings to
    /// `reader` as it arrives.
    pub(super) async fn read_listing(
        &mut self,
        command: &Command,
        reader: &mut ListingReader,
        entered: Option<&Ahead>,
    ) -> Result<()> {
        let data = self.start_transfer(command, 0, entered).await?;
        let read = read_into(data, reader, self.options.data_idle_timeout).await;
        if let Err(source) = read {
            // We stopped reading (too large, or silent): the server's
            // answer to that (`426`) would only hide why.
            self.give_up_stalled().await?;
            return Err(FtpError::Data {
                command: command.to_string(),
                source,
            });
        }
        self.finish_transfer(command).await?;
        Ok(())
    }

    /// Opens the data connection, sends `REST` if needed and the transfer
    /// command, and waits for its `1xx`. `ahead`: a command sent before
    /// (passive only), whose success the transfer command waits for.
    pub(super) async fn start_transfer(
        &mut self,
        command: &Command,
        offset: u64,
        ahead: Option<&Ahead>,
    ) -> Result<Stream> {
        // Our own data connections have us as the TLS client: a session
        // left in SSCN mode by a server-to-server copy would have two.
        if self.sscn {
            self.set_sscn(false).await?;
        }
        if self.data_tls_wanted && !self.data_tls {
            self.set_data_protection(true).await?;
        }
        let data = if !self.options.passive {
            self.start_active_transfer(command, offset).await?
        } else {
            let mut line = command.encode();
            line.truncate(line.len().saturating_sub(2));
            self.pret(&line).await?;
            let data = self.open_passive().await?;
            if let Some(ahead) = ahead {
                ahead.succeeded()?;
            }
            if offset > 0 {
                self.rest(offset).await?;
            }
            let reply = self.control.execute(command).await?;
            if !reply.is_preliminary() {
                return Err(FtpError::Reply {
                    command: command.to_string(),
                    reply,
                });
            }
            data
        };
        self.secure_data(data, command).await
    }

    /// The data connection in TLS after `PROT P`, resuming the control
    /// connection's session. After the `1xx`: servers start their side of
    /// the handshake once they have the transfer command.
    pub(super) async fn secure_data(
        &mut self,
        data: TcpStream,
        command: &Command,
    ) -> Result<Stream> {
        let Some(tls) = self.options.tls.as_ref().filter(|_| self.data_tls) else {
            return Ok(Stream::Plain(data));
        };
        let secured = tokio::time::timeout(
            self.options.connect_timeout,
            Stream::tls(data, tls, &self.host),
        )
        .await
        .map_err(|_| FtpError::Data {
            command: command.to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no TLS handshake on the data connection",
            ),
        })?;
        match secured {
            Ok(stream) => {
                if !stream.resumed() {
                    tracing::debug!(host = %self.host, "data connection: a new TLS session");
                }
                Ok(stream)
            }
            Err(e) => {
                // The server's reply (vsftpd's "522 SSL connection failed;
                // session reuse required") says more than the handshake.
                if let Ok(reply) = self.control.read_reply_within(Duration::from_secs(2)).await {
                    return Err(FtpError::Reply {
                        command: command.to_string(),
                        reply,
                    });
                }
                Err(FtpError::Data {
                    command: command.to_string(),
                    source: std::io::Error::other(FtpError::tls(&self.host, e).to_string()),
                })
            }
        }
    }

    /// Active mode: we listen on the control connection's local address,
    /// name it with `EPRT` (or `PORT`, for servers without EPRT), and accept
    /// the server's connection after the transfer command.
    pub(super) async fn start_active_transfer(
        &mut self,
        command: &Command,
        offset: u64,
    ) -> Result<TcpStream> {
        let local = self.local_addr();
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(local.ip(), 0)).await?;
        let bound = listener.local_addr()?;
        let port_command = match bound {
            SocketAddr::V4(v4) if !self.features.eprt => {
                Command::with_arg("PORT", addr::format_rfc959(v4))?
            }
            _ => Command::with_arg("EPRT", addr::format_rfc2428(bound))?,
        };
        self.expect(port_command, &[200]).await?;
        if offset > 0 {
            self.rest(offset).await?;
        }
        let reply = self.control.execute(command).await?;
        if !reply.is_preliminary() {
            return Err(FtpError::Reply {
                command: command.to_string(),
                reply,
            });
        }
        let peer = self.peer_addr().ip();
        let deadline = tokio::time::Instant::now() + self.options.connect_timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, listener.accept()).await;
            match accepted {
                Ok(Ok((stream, from))) if from.ip().to_canonical() == peer.to_canonical() => {
                    return Ok(stream);
                }
                // Only the server may connect: anyone else could inject data.
                Ok(Ok((_, from))) => {
                    tracing::warn!("refused a data connection from {from}, not the server {peer}")
                }
                Ok(Err(e)) => {
                    return Err(FtpError::Data {
                        command: command.to_string(),
                        source: e,
                    });
                }
                Err(_) => {
                    return Err(FtpError::Data {
                        command: command.to_string(),
                        source: std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            format!("the server did not connect to {bound}"),
                        ),
                    });
                }
            }
        }
    }

    pub(super) async fn finish_transfer(&mut self, command: &Command) -> Result<Reply> {
        let reply = self.control.read_reply().await?;
        if reply.is_completion() {
            Ok(reply)
        } else {
            Err(FtpError::Reply {
                command: command.to_string(),
                reply,
            })
        }
    }
}

/// How long a stalled transfer's `ABOR` may take before its session is
/// given up anyway.
const STALLED_ABORT_WAIT: Duration = Duration::from_secs(2);

fn is_stall<T>(copied: &Result<T>) -> bool {
    matches!(copied, Err(FtpError::Data { source, .. }) if source.kind() == std::io::ErrorKind::TimedOut)
}

/// Copies until EOF; fails if no byte moves for `idle`.
pub async fn copy_idle<R, W>(input: &mut R, output: &mut W, idle: Duration) -> std::io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match tokio::time::timeout(idle, input.read(&mut buf)).await {
            Ok(r) => r?,
            Err(_) => return Err(idle_error(idle)),
        };
        if n == 0 {
            return Ok(total);
        }
        match tokio::time::timeout(idle, output.write_all(&buf[..n])).await {
            Ok(r) => r?,
            Err(_) => return Err(idle_error(idle)),
        }
        total += n as u64;
    }
}

/// Reads and drops what the peer still sends, until it closes (or `limit`).
async fn drain(data: &mut Stream, limit: Duration) {
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(limit, async {
        while let Ok(n) = data.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

fn idle_error(idle: Duration) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("no data for {}s", idle.as_secs()),
    )
}

async fn read_into(
    mut data: Stream,
    reader: &mut ListingReader,
    idle: Duration,
) -> std::io::Result<()> {
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match tokio::time::timeout(idle, data.read(&mut chunk)).await {
            Ok(r) => r?,
            Err(_) => return Err(idle_error(idle)),
        };
        if n == 0 {
            return Ok(());
        }
        reader.feed(&chunk[..n]).map_err(std::io::Error::other)?;
    }
}
