//! Transfers over the data connection: `RETR`, `STOR`/`APPE`/`STOU`, and
//! the control connection watched for `ABOR` and `STAT` meanwhile.

use super::*;

impl Session {
    pub(super) async fn retr(&mut self, arg: &[u8], offset: u64) -> std::io::Result<()> {
        let target = self.virtual_path(arg);
        let opened = self
            .in_jail(move |j| {
                let file = j.open_read(&target)?;
                let len = file.metadata()?.len();
                Ok::<_, std::io::Error>((tokio::fs::File::from_std(file), len))
            })
            .await
            .map_err(|e| Reply::new(550, format!("Failed to open file: {e}.")));
        let (file, len) = match opened {
            Ok(x) => x,
            Err(r) => {
                self.data = DataSetup::None;
                return self.send(&r).await;
            }
        };
        let name = String::from_utf8_lossy(vfs::file_name(&self.virtual_path(arg))).into_owned();
        let text = format!("Opening BINARY mode data connection for {name} ({len} bytes).");
        self.transfer(
            Job::Send {
                file,
                offset,
                text: self.text,
            },
            text,
        )
        .await
    }

    pub(super) async fn store(
        &mut self,
        arg: &[u8],
        how: Write,
        offset: u64,
    ) -> std::io::Result<()> {
        if matches!(self.data, DataSetup::None) {
            // Nothing is created for a transfer that cannot happen.
            return self.reply(425, "Use PORT, PASV or LSTN first.").await;
        }
        let checked = match self.require_write() {
            Err(r) => Err(r),
            Ok(()) if how == Write::Unique => {
                let base = self.virtual_path(if arg.is_empty() { b"stou" } else { arg });
                self.in_jail(move |j| reserve_unique(j, &base)).await
            }
            Ok(()) if arg.is_empty() => Err(Reply::new(501, "A file name is required.")),
            Ok(()) => Ok((self.virtual_path(arg), String::new())),
        };
        let (path, unique_name) = match checked {
            Ok(x) => x,
            Err(r) => {
                self.data = DataSetup::None;
                return self.send(&r).await;
            }
        };
        let looked = path.clone();
        if self
            .in_jail(move |j| j.metadata(&looked).is_ok_and(|m| m.is_dir()))
            .await
        {
            self.data = DataSetup::None;
            return self
                .reply(553, "Could not create file: is a directory.")
                .await;
        }
        let text = if how == Write::Unique {
            format!("FILE: {unique_name}")
        } else {
            "Ok to send data.".to_string()
        };
        self.transfer(
            Job::Receive {
                jail: self.jail.clone(),
                path,
                how,
                offset,
                text: self.text,
            },
            text,
        )
        .await
    }

    /// Runs a transfer while still answering `ABOR`, `STAT` and `QUIT` on
    /// the control connection; other commands wait until it ends.
    pub(super) async fn transfer(&mut self, job: Job, opened_text: String) -> std::io::Result<()> {
        let protection = self.data_protection();
        let setup = std::mem::take(&mut self.data);
        let progress = Arc::new(AtomicU64::new(0));
        let (opened_tx, mut opened_rx) = tokio::sync::oneshot::channel();
        let limits = Limits {
            accept_timeout: self.config.data_accept_timeout,
            idle_timeout: self.config.data_idle_timeout,
            rate: self.config.rate,
            min_free_percent: self.config.min_free_percent,
        };
        let work = transfer::run(
            job,
            setup,
            protection,
            limits,
            transfer::Opened {
                text: opened_text,
                tell: opened_tx,
            },
            progress.clone(),
        );
        tokio::pin!(work);
        let mut opened_sent = false;
        let mut hold_commands = false;
        let mut shutdown = self.shutdown.clone();
        loop {
            tokio::select! {
                biased;
                Ok(reply) = &mut opened_rx, if !opened_sent => {
                    opened_sent = true;
                    self.send(&reply).await?;
                }
                finished = &mut work => {
                    // The 150 may still sit in the channel if the transfer
                    // finished at once.
                    if !opened_sent && let Ok(r) = opened_rx.try_recv() {
                        self.send(&r).await?;
                    }
                    let reply = match finished.upload {
                        None => finished.reply,
                        // A client killed mid-upload closes its data
                        // connection as cleanly as a finished one; its
                        // closed control connection tells them apart.
                        Some(_) if self.control.peer_closed() => {
                            return Err(client_left("the upload"));
                        }
                        Some(upload) => match tokio::task::spawn_blocking(move || upload.commit()).await {
                            Ok(Ok(())) => finished.reply,
                            Ok(Err(e)) => Reply::new(451, format!("Cannot store the upload: {e}.")),
                            Err(e) => Reply::new(451, format!("Cannot store the upload: {e}.")),
                        },
                    };
                    return self.send(&reply).await;
                }
                urgent = self.watch_control(hold_commands) => match urgent {
                    Urgent::Abort => {
                        if opened_sent {
                            self.reply(426, "Transfer aborted.").await?;
                        }
                        return self.reply(226, "ABOR successful.").await;
                    }
                    Urgent::Stat => {
                        let n = progress.load(Ordering::Relaxed);
                        self.reply(213, format!("Status: {n} bytes transferred.")).await?;
                    }
                    Urgent::Other => hold_commands = true,
                    Urgent::Gone => return Err(client_left("a transfer")),
                },
                _ = shutdown.changed() => {
                    return self.reply(421, "Server shutting down.").await;
                }
            }
        }
    }

    /// While a transfer runs: `ABOR` and `STAT` are answered, the client's
    /// leaving ends the transfer; once another command is waiting, only
    /// the leaving is watched for.
    async fn watch_control(&mut self, hold_commands: bool) -> Urgent {
        if hold_commands {
            self.control_closed().await;
            return Urgent::Gone;
        }
        self.next_urgent_line().await
    }

    /// Reads while a transfer runs; only ABOR and STAT are taken out of the
    /// buffer, anything else is left for after the transfer.
    pub(super) async fn next_urgent_line(&mut self) -> Urgent {
        loop {
            match parse_line(&self.buf) {
                Ok((line, used)) => {
                    return match line.verb.as_str() {
                        "ABOR" => {
                            self.buf.advance(used);
                            Urgent::Abort
                        }
                        "STAT" if line.arg.is_empty() => {
                            self.buf.advance(used);
                            Urgent::Stat
                        }
                        _ => Urgent::Other,
                    };
                }
                Err(LineError::TooLong) => return Urgent::Other,
                Err(LineError::Incomplete) => {}
            }
            match self.control.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return Urgent::Gone,
                Ok(_) => {}
            }
        }
    }
}

/// STOU: creates an empty file under a name nobody has (`base`, then
/// `base.1` …), so that two sessions never pick the same one.
fn reserve_unique(jail: &Jail, base: &[u8]) -> Result<(Vec<u8>, String), Reply> {
    for n in 0..10_000u32 {
        let path: Vec<u8> = if n == 0 {
            base.to_vec()
        } else {
            [base, format!(".{n}").as_bytes()].concat()
        };
        match jail.create_new(&path) {
            Ok(_) => {
                let name = String::from_utf8_lossy(vfs::file_name(&path)).into_owned();
                return Ok((path, name));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Reply::new(553, format!("Could not create file: {e}."))),
        }
    }
    Err(Reply::new(553, "Could not find a unique name."))
}
