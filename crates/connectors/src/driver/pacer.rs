//! Keeps requests under a rolling-window rate limit ("N requests per rolling T").
//!
//! Written here rather than taken from a GCRA crate (governor): GCRA spaces requests
//! evenly, and a server that counts a *rolling* window sees up to N+1 of them in one window
//! unless the spacing is padded. A log of send times matches the server's own rule exactly,
//! so the driver can run at the ceiling without ever tripping it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Requests take a moment to reach the server; counting the window this much longer than
/// the server does keeps arrivals inside the limit.
const MARGIN: Duration = Duration::from_millis(120);

#[derive(Debug)]
struct State {
    max: usize,
    window: Duration,
    sent: VecDeque<Instant>,
    /// A server asked for a pause (429 with `Retry-After`): nothing goes out before this.
    paused_until: Option<Instant>,
}

#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

impl Pacer {
    /// At most `max` requests in any rolling `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                max: max.max(1),
                window,
                sent: VecDeque::new(),
                paused_until: None,
            }),
        }
    }

    /// Waits until one more request may go out, and counts it. Returns `false` when
    /// cancelled first.
    pub async fn acquire(&self, cancel: &CancellationToken) -> bool {
        loop {
            let wait = {
                let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let span = s.window + MARGIN;
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= span)
                {
                    s.sent.pop_front();
                }
                match s.paused_until {
                    Some(until) if until > now => until - now,
                    _ if s.sent.len() < s.max => {
                        s.sent.push_back(now);
                        return true;
                    }
                    _ => s.sent.front().map_or(Duration::ZERO, |t| {
                        (*t + span).saturating_duration_since(now)
                    }),
                }
            };
            tokio::select! {
                () = cancel.cancelled() => return false,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Adopts the limit a server announces in its headers.
    pub fn observe(&self, max: Option<usize>, window: Option<Duration>, remaining: Option<usize>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(max) = max.filter(|m| *m > 0) {
            s.max = max;
        }
        if let Some(window) = window.filter(|w| !w.is_zero()) {
            s.window = window;
        }
        // Another client shares the budget: the server's count is higher than ours, so
        // hold off until our oldest request leaves the window.
        if remaining == Some(0) && s.sent.len() < s.max {
            let until = s.sent.front().map(|t| *t + s.window + MARGIN);
            s.paused_until = s.paused_until.max(until);
        }
    }

    /// Sends nothing for `pause` (a server's `Retry-After`).
    pub fn pause(&self, pause: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + pause;
        s.paused_until = Some(s.paused_until.map_or(until, |u| u.max(until)));
    }

    pub fn limit(&self) -> (usize, Duration) {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (s.max, s.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_max_in_any_window() {
        let pacer = Pacer::new(5, Duration::from_secs(1));
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..12 {
            assert!(pacer.acquire(&cancel).await);
            sent.push(Instant::now() - start);
        }
        for (i, t) in sent.iter().enumerate() {
            let in_window = sent[i..]
                .iter()
                .filter(|u| **u - *t < Duration::from_secs(1))
                .count();
            assert!(in_window <= 5, "{in_window} requests within 1 s of #{i}");
        }
        // And no slower than the limit allows: 12 requests need two full windows.
        let last = *sent.last().unwrap();
        assert!(last < Duration::from_millis(2 * 1120 + 10), "{last:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_and_cancel_wins() {
        let pacer = Pacer::new(100, Duration::from_secs(10));
        let cancel = CancellationToken::new();
        pacer.pause(Duration::from_secs(3));
        let start = Instant::now();
        assert!(pacer.acquire(&cancel).await);
        assert!(Instant::now() - start >= Duration::from_secs(3));
        pacer.pause(Duration::from_secs(60));
        cancel.cancel();
        assert!(!pacer.acquire(&cancel).await);
    }

    #[tokio::test(start_paused = true)]
    async fn adopts_the_announced_limit() {
        let pacer = Pacer::new(10, Duration::from_secs(1));
        pacer.observe(Some(190), Some(Duration::from_secs(10)), Some(150));
        assert_eq!(pacer.limit(), (190, Duration::from_secs(10)));
    }
}
