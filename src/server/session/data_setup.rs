//! Setting up a data connection: `PASV`/`EPSV`/`CPSV` (we listen),
//! `PORT`/`EPRT` (we connect), and RFC 438's `LSTN`/`SOCK`.

use super::*;

impl Session {
    /// Who may connect to a socket we listen on without a pinned peer.
    pub(super) fn default_peers(&self) -> Peers {
        if self.config.allow_fxp {
            Peers::Any
        } else {
            Peers::Client(self.peer.ip(), self.config.trusted_peers.clone())
        }
    }

    /// PASV, EPSV, and CPSV (`tls_client`: PASV where we take the TLS
    /// client's side of the data connection).
    pub(super) async fn pasv(&mut self, extended: bool, tls_client: bool) -> std::io::Result<()> {
        self.data = DataSetup::None;
        if !extended && !self.local.is_ipv4() && self.local.ip().to_canonical().is_ipv6() {
            return self.reply(425, "PASV is IPv4 only; use EPSV.").await;
        }
        let listener = match data::listen(self.local.ip(), self.config.pasv_range).await {
            Ok(l) => l,
            Err(e) => {
                return self
                    .reply(425, format!("Cannot listen for data: {e}."))
                    .await;
            }
        };
        let bound = listener.local_addr()?;
        self.data = DataSetup::Passive {
            listener,
            peers: self.default_peers(),
            tls_client,
        };
        if extended {
            self.reply(
                229,
                format!("Entering Extended Passive Mode (|||{}|).", bound.port()),
            )
            .await
        } else {
            let SocketAddr::V4(v4) = bound else {
                return self.reply(425, "PASV is IPv4 only; use EPSV.").await;
            };
            self.reply(
                227,
                format!("Entering Passive Mode ({}).", addr::format_rfc959(v4)),
            )
            .await
        }
    }

    pub(super) async fn port(&mut self, arg: &[u8], form: AddrForm) -> std::io::Result<()> {
        self.data = DataSetup::None;
        let text = String::from_utf8_lossy(arg);
        let target = match form {
            AddrForm::Rfc959 => addr::parse_rfc959(&text).map(SocketAddr::V4),
            AddrForm::Rfc2428 => addr::parse_rfc2428(&text),
        };
        let Some(target) = target else {
            return self.reply(501, "Syntax error in address.").await;
        };
        if let Err(refusal) = data::check_target(target, self.peer.ip(), &self.default_peers()) {
            return self.send(&refusal).await;
        }
        // Connect from our own address, as real servers do: the peer then
        // sees this server, not whatever address the kernel would pick.
        let socket = match self.bind_data_socket(target) {
            Ok((socket, _)) => socket,
            Err(e) => {
                return self
                    .reply(425, format!("Cannot allocate a socket: {e}."))
                    .await;
            }
        };
        self.data = DataSetup::Active { target, socket };
        let verb = if form == AddrForm::Rfc959 {
            "PORT"
        } else {
            "EPRT"
        };
        self.reply(200, format!("{verb} command successful.")).await
    }

    /// RFC 438 profile: `LSTN S|R` → `255 SOCK <addr>`.
    pub(super) async fn lstn(&mut self, arg: &[u8]) -> std::io::Result<()> {
        self.data = DataSetup::None;
        let direction = match arg {
            b"S" | b"s" => Direction::Send,
            b"R" | b"r" => Direction::Receive,
            _ => {
                return self
                    .reply(501, "LSTN needs a direction: S (send) or R (receive).")
                    .await;
            }
        };
        let listener = match data::listen(self.local.ip(), self.config.pasv_range).await {
            Ok(l) => l,
            Err(e) => {
                return self
                    .reply(425, format!("Cannot allocate a socket: {e}."))
                    .await;
            }
        };
        let bound = listener.local_addr()?;
        let form = if bound.is_ipv4() {
            AddrForm::Rfc959
        } else {
            AddrForm::Rfc2428
        };
        self.data = DataSetup::Listen {
            listener,
            direction,
            pin: None,
            peers: self.default_peers(),
        };
        self.reply(255, format!("SOCK {}", addr::format(bound, form)))
            .await
    }

    /// RFC 438 profile: `SOCK <addr>` pins the peer of a pending LSTN, or
    /// (without one) binds the socket we will connect from and names it.
    pub(super) async fn sock(&mut self, arg: &[u8]) -> std::io::Result<()> {
        let Some((target, form)) = addr::parse_any(&String::from_utf8_lossy(arg)) else {
            return self.reply(501, "Syntax error in address.").await;
        };
        if let DataSetup::Listen { listener, pin, .. } = &mut self.data {
            let bound = listener.local_addr()?;
            *pin = Some(target);
            tracing::info!(peer = %self.peer, "LSTN socket {bound} pinned to {target}");
            return self
                .reply(255, format!("SOCK {}", addr::format(bound, form)))
                .await;
        }
        self.data = DataSetup::None;
        if let Err(refusal) = data::check_target(target, self.peer.ip(), &self.default_peers()) {
            return self.send(&refusal).await;
        }
        match self.bind_data_socket(target) {
            Ok((socket, local)) => {
                self.data = DataSetup::Active { target, socket };
                self.reply(255, format!("SOCK {}", addr::format(local, form)))
                    .await
            }
            Err(e) => {
                self.reply(425, format!("Cannot allocate a socket: {e}."))
                    .await
            }
        }
    }

    pub(super) fn bind_data_socket(
        &self,
        target: SocketAddr,
    ) -> std::io::Result<(tokio::net::TcpSocket, SocketAddr)> {
        let socket = data::new_socket(target)?;
        socket.bind(SocketAddr::new(self.local.ip(), 0))?;
        let local = socket.local_addr()?;
        Ok((socket, local))
    }
}
