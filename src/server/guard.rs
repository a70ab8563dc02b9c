//! What the server remembers about each client (an IPv4 address, an IPv6
//! /64): how many sessions it has open (`--max-per-ip`), and its recent
//! failed logins. Each failure costs a growing delay (vsftpd's
//! `delay_failed_login`, doubled for every failure within the window);
//! enough of them within the window get the client refused for a while
//! (ProFTPD's `mod_ban`, FileZilla Server's autoban).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::net::client_key;

/// The longest a failed login is made to wait.
const MAX_DELAY: Duration = Duration::from_secs(30);
/// Clients remembered before the forgotten ones are swept out: bans and
/// failures outlive their sessions, so something must let them go.
const SWEEP_ABOVE: usize = 4096;

/// When failed logins get a client refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BanRule {
    /// Failures within `window`; 0: never.
    pub(crate) after: u32,
    pub(crate) window: Duration,
    pub(crate) time: Duration,
}

pub(crate) struct Guard {
    max_per_ip: usize,
    base_delay: Duration,
    ban: BanRule,
    clients: Mutex<HashMap<IpAddr, Client>>,
}

#[derive(Default)]
struct Client {
    sessions: usize,
    failures: u32,
    last_failure: Option<Instant>,
    banned_until: Option<Instant>,
}

impl Client {
    fn banned(&self) -> bool {
        self.banned_until.is_some_and(|t| Instant::now() < t)
    }
}

/// What a banned client is told.
pub(crate) const BANNED: &str = "Too many failed logins from your address; try again later.";

/// Why a client gets no session.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    TooMany,
    Banned,
}

/// A failed login's consequence: how long to wait before answering, and
/// whether the client is now refused.
pub(crate) struct Verdict {
    pub(crate) delay: Duration,
    pub(crate) banned: bool,
}

/// A session's place among its client's sessions; given back on drop.
pub(crate) struct Admission {
    guard: Arc<Guard>,
    key: IpAddr,
}

impl Guard {
    pub(crate) fn new(max_per_ip: usize, base_delay: Duration, ban: BanRule) -> Arc<Guard> {
        Arc::new(Guard {
            max_per_ip: max_per_ip.max(1),
            base_delay,
            ban,
            clients: Mutex::new(HashMap::new()),
        })
    }

    /// A place for one more session from `ip`, unless its client has its
    /// maximum or is banned.
    pub(crate) fn admit(self: &Arc<Guard>, ip: IpAddr) -> Result<Admission, Refused> {
        let key = client_key(ip);
        let mut clients = self.clients.lock().expect("guard lock");
        let entry = clients.entry(key).or_default();
        if entry.banned() {
            return Err(Refused::Banned);
        }
        if entry.sessions >= self.max_per_ip {
            return Err(Refused::TooMany);
        }
        entry.sessions += 1;
        Ok(Admission {
            guard: self.clone(),
            key,
        })
    }

    pub(crate) fn is_banned(&self, ip: IpAddr) -> bool {
        let clients = self.clients.lock().expect("guard lock");
        clients.get(&client_key(ip)).is_some_and(Client::banned)
    }

    /// Records a failed login from `ip`: the base delay, doubled for each
    /// earlier failure still within the window; and the ban, once there
    /// are enough of them.
    pub(crate) fn failed_login(&self, ip: IpAddr) -> Verdict {
        let key = client_key(ip);
        let mut clients = self.clients.lock().expect("guard lock");
        if clients.len() > SWEEP_ABOVE {
            let window = self.ban.window;
            clients.retain(|_, c| {
                c.sessions > 0
                    || c.banned()
                    || c.last_failure.is_some_and(|t| t.elapsed() <= window)
            });
        }
        let entry = clients.entry(key).or_default();
        if entry
            .last_failure
            .is_some_and(|t| t.elapsed() > self.ban.window)
        {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last_failure = Some(Instant::now());
        let doublings = (entry.failures - 1).min(16);
        let delay = (self.base_delay * 2u32.pow(doublings)).min(MAX_DELAY);
        let banned = self.ban.after > 0 && entry.failures >= self.ban.after;
        if banned && !entry.banned() {
            entry.banned_until = Some(Instant::now() + self.ban.time);
            entry.failures = 0;
            tracing::warn!(
                "refusing {key} for {} s: {} failed logins within {} s",
                self.ban.time.as_secs(),
                self.ban.after,
                self.ban.window.as_secs()
            );
        }
        Verdict { delay, banned }
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let window = self.guard.ban.window;
        let mut clients = self.guard.clients.lock().expect("guard lock");
        if let Some(entry) = clients.get_mut(&self.key) {
            entry.sessions = entry.sessions.saturating_sub(1);
            let forgotten = entry.last_failure.is_none_or(|t| t.elapsed() > window);
            if entry.sessions == 0 && forgotten && !entry.banned() {
                clients.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: BanRule = BanRule {
        after: 10,
        window: Duration::from_secs(600),
        time: Duration::from_secs(900),
    };

    #[test]
    fn sessions_per_address_and_growing_delays() {
        let guard = Guard::new(2, Duration::from_secs(1), RULE);
        let ip: IpAddr = "127.0.0.9".parse().unwrap();
        let a = guard.admit(ip).unwrap();
        let _b = guard.admit(ip).unwrap();
        assert_eq!(guard.admit(ip).err(), Some(Refused::TooMany));
        assert!(guard.admit("127.0.0.10".parse().unwrap()).is_ok());
        drop(a);
        assert!(guard.admit(ip).is_ok(), "a place was given back");
        let delays: Vec<u64> = (0..7)
            .map(|_| guard.failed_login(ip).delay.as_secs())
            .collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn ipv6_counts_per_64_for_sessions_and_bans() {
        let rule = BanRule { after: 3, ..RULE };
        let guard = Guard::new(2, Duration::ZERO, rule);
        let ip = |s: &str| -> IpAddr { s.parse().unwrap() };
        let _a = guard.admit(ip("2001:db8:0:1::1")).unwrap();
        let _b = guard.admit(ip("2001:db8:0:1::2")).unwrap();
        assert_eq!(
            guard.admit(ip("2001:db8:0:1:ffff::3")).err(),
            Some(Refused::TooMany)
        );
        assert!(guard.admit(ip("2001:db8:0:2::1")).is_ok());
        for (n, host) in ["::a", "::b", "::c"].iter().enumerate() {
            let v = guard.failed_login(ip(&format!("2001:db8:0:1{host}")));
            assert_eq!(v.banned, n == 2);
        }
        assert!(guard.is_banned(ip("2001:db8:0:1::99")));
        assert!(!guard.is_banned(ip("2001:db8:0:2::1")));
        assert_eq!(
            guard.admit(ip("2001:db8:0:1::77")).err(),
            Some(Refused::Banned)
        );
    }
}
