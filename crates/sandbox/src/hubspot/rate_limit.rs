//! HubSpot's limits: a rolling ten-second window per app (100 requests on Free/Starter, 190
//! on Professional), and search's own five per second, which search responses don't report
//! in headers. Source: developers.hubspot.com, "Usage guidelines" and "CRM search".

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(10);
pub const SEARCH_WINDOW: Duration = Duration::from_secs(1);
pub const SEARCH_MAX: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Starter,
    Pro,
}

impl Tier {
    pub fn per_ten_seconds(self) -> usize {
        match self {
            Self::Starter => 100,
            Self::Pro => 190,
        }
    }
}

impl std::str::FromStr for Tier {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "starter" | "free" => Ok(Self::Starter),
            "pro" | "professional" | "enterprise" => Ok(Self::Pro),
            other => Err(format!(
                "unknown rate tier \"{other}\" (expected starter or pro)"
            )),
        }
    }
}

/// A rolling window: admits a request if fewer than `max` were admitted in the last `span`.
#[derive(Debug)]
pub struct Window {
    span: Duration,
    max: usize,
    admitted: VecDeque<Instant>,
}

pub enum Verdict {
    Admitted {
        remaining: usize,
    },
    /// Refused; the oldest admitted request leaves the window after this long.
    Refused {
        retry_after: Duration,
    },
}

impl Window {
    pub fn new(span: Duration, max: usize) -> Self {
        Self {
            span,
            max,
            admitted: VecDeque::with_capacity(max),
        }
    }

    pub fn max(&self) -> usize {
        self.max
    }

    pub fn admit(&mut self, now: Instant) -> Verdict {
        while self
            .admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.span)
        {
            self.admitted.pop_front();
        }
        if self.admitted.len() >= self.max {
            let oldest = self.admitted.front().copied().unwrap_or(now);
            return Verdict::Refused {
                retry_after: self.span.saturating_sub(now.duration_since(oldest)),
            };
        }
        self.admitted.push_back(now);
        Verdict::Admitted {
            remaining: self.max - self.admitted.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_rolls() {
        let start = Instant::now();
        let mut window = Window::new(WINDOW, 3);
        for left in [2, 1, 0] {
            assert!(
                matches!(window.admit(start), Verdict::Admitted { remaining } if remaining == left)
            );
        }
        match window.admit(start + Duration::from_secs(4)) {
            Verdict::Refused { retry_after } => assert_eq!(retry_after, Duration::from_secs(6)),
            Verdict::Admitted { .. } => panic!("a fourth request in the window was admitted"),
        }
        assert!(matches!(
            window.admit(start + WINDOW),
            Verdict::Admitted { .. }
        ));
    }
}
