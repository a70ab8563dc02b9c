//! `--rate`: paces a data connection to a number of bytes per second, so a
//! demo copy takes long enough to watch its progress.

use std::time::Duration;

use tokio::time::Instant;

pub(crate) struct Throttle {
    rate: Option<u64>,
    start: Instant,
    bytes: u64,
}

impl Throttle {
    pub(crate) fn new(rate: Option<u64>) -> Throttle {
        Throttle {
            rate: rate.filter(|r| *r > 0),
            start: Instant::now(),
            bytes: 0,
        }
    }

    /// How many bytes to move at a time: small enough that pacing is smooth
    /// (about ten steps a second).
    pub(crate) fn chunk(&self) -> usize {
        match self.rate {
            Some(r) => (r / 10).clamp(1024, 256 * 1024) as usize,
            None => 256 * 1024,
        }
    }

    /// Call after moving `n` bytes: sleeps until the average rate since the
    /// start is back under the limit.
    pub(crate) async fn pace(&mut self, n: usize) {
        self.bytes += n as u64;
        if let Some(rate) = self.rate {
            let due = self.start + Duration::from_secs_f64(self.bytes as f64 / rate as f64);
            tokio::time::sleep_until(due).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn keeps_the_average_rate() {
        let mut t = Throttle::new(Some(100_000));
        let start = Instant::now();
        for _ in 0..10 {
            t.pace(t.chunk()).await;
        }
        // 10 chunks of 10,000 bytes at 100,000 B/s: one second.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(999) && elapsed < Duration::from_millis(1100));
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_never_sleeps() {
        let mut t = Throttle::new(None);
        let start = Instant::now();
        t.pace(1 << 30).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
