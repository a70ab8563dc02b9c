//! What the server remembers about each client address: how many sessions
//! it has open (`--max-per-ip`), and its recent failed logins, each of
//! which costs a growing delay (vsftpd's `delay_failed_login`, doubled for
//! every failure from the same address within the memory window).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long failed logins from an address are remembered.
const FAILURE_MEMORY: Duration = Duration::from_secs(600);
/// The longest a failed login is made to wait.
const MAX_DELAY: Duration = Duration::from_secs(30);

pub struct Guard {
    max_per_ip: usize,
    base_delay: Duration,
    addresses: Mutex<HashMap<IpAddr, Address>>,
}

#[derive(Default)]
struct Address {
    sessions: usize,
    failures: u32,
    last_failure: Option<Instant>,
}

/// A session's place among its address's sessions; given back on drop.
pub struct Admission {
    guard: Arc<Guard>,
    ip: IpAddr,
}

impl Guard {
    pub fn new(max_per_ip: usize, base_delay: Duration) -> Arc<Guard> {
        Arc::new(Guard {
            max_per_ip: max_per_ip.max(1),
            base_delay,
            addresses: Mutex::new(HashMap::new()),
        })
    }

    /// A place for one more session from `ip`, unless it has its maximum.
    pub fn admit(self: &Arc<Guard>, ip: IpAddr) -> Option<Admission> {
        let mut addresses = self.addresses.lock().expect("guard lock");
        let entry = addresses.entry(ip).or_default();
        if entry.sessions >= self.max_per_ip {
            return None;
        }
        entry.sessions += 1;
        Some(Admission {
            guard: self.clone(),
            ip,
        })
    }

    /// Records a failed login from `ip`; returns how long to wait before
    /// answering it: the base delay, doubled for each earlier failure from
    /// that address still remembered.
    pub fn failed_login(&self, ip: IpAddr) -> Duration {
        let mut addresses = self.addresses.lock().expect("guard lock");
        let entry = addresses.entry(ip).or_default();
        if entry
            .last_failure
            .is_some_and(|t| t.elapsed() > FAILURE_MEMORY)
        {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last_failure = Some(Instant::now());
        let doublings = (entry.failures - 1).min(16);
        (self.base_delay * 2u32.pow(doublings)).min(MAX_DELAY)
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut addresses = self.guard.addresses.lock().expect("guard lock");
        if let Some(entry) = addresses.get_mut(&self.ip) {
            entry.sessions = entry.sessions.saturating_sub(1);
            let forgotten = entry
                .last_failure
                .is_none_or(|t| t.elapsed() > FAILURE_MEMORY);
            if entry.sessions == 0 && forgotten {
                addresses.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_per_address_and_growing_delays() {
        let guard = Guard::new(2, Duration::from_secs(1));
        let ip: IpAddr = "127.0.0.9".parse().unwrap();
        let a = guard.admit(ip).unwrap();
        let _b = guard.admit(ip).unwrap();
        assert!(guard.admit(ip).is_none(), "a third from the same address");
        assert!(guard.admit("127.0.0.10".parse().unwrap()).is_some());
        drop(a);
        assert!(guard.admit(ip).is_some(), "a place was given back");
        let delays: Vec<u64> = (0..7).map(|_| guard.failed_login(ip).as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30]);
    }
}
