//! Write-back probes: a tagged test lead sent spoke → hub, then status changes sent
//! hub → spoke, each leg timed against a target. The verdict says whether the integration
//! works, is slow, or loses data.

use serde::{Deserialize, Serialize};

use crate::system::string_enum;

string_enum! {
    /// A probe run's outcome.
    ProbeVerdict ("verdict") {
        Running => "running",
        Passed => "passed",
        Slow => "slow",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

string_enum! {
    /// Which way a leg goes.
    LegKind ("leg") { Inbound => "inbound", Outbound => "outbound" }
}

/// One leg of a run: the test lead reaching the hub (inbound), or one status reaching the
/// spoke (outbound). `ms` is `None` when it never arrived within the timeout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub leg: LegKind,
    /// The canonical status sent (outbound legs).
    pub status: Option<String>,
    pub ms: Option<u64>,
    /// What arrived instead, or why it could not be sent (no customer value: the test
    /// lead's own fields only).
    pub detail: Option<String>,
}

impl Leg {
    pub fn arrived(&self) -> bool {
        self.ms.is_some()
    }
}

/// The verdict of finished legs: failed when one never arrived (or was not sent), slow
/// when one took longer than the target, else passed.
pub fn verdict(legs: &[Leg], target_ms: u64) -> ProbeVerdict {
    if legs.is_empty() || legs.iter().any(|l| !l.arrived()) {
        ProbeVerdict::Failed
    } else if legs.iter().any(|l| l.ms.is_some_and(|ms| ms > target_ms)) {
        ProbeVerdict::Slow
    } else {
        ProbeVerdict::Passed
    }
}

/// A probe's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeLimits {
    pub target_ms: u64,
    pub timeout_ms: u64,
    pub every_minutes: Option<u32>,
}

impl ProbeLimits {
    pub fn check(&self) -> Result<(), String> {
        if self.target_ms == 0 || self.target_ms > 86_400_000 {
            return Err("target: must be between 1 ms and 24 hours".into());
        }
        if self.timeout_ms < self.target_ms || self.timeout_ms > 3_600_000 {
            return Err(
                "timeout: must be at least the target and at most an hour (a run waits this long for each leg)"
                    .into(),
            );
        }
        if self
            .every_minutes
            .is_some_and(|m| !(5..=10_080).contains(&m))
        {
            return Err("every: must be between 5 minutes and a week".into());
        }
        Ok(())
    }
}

/// The median of some latencies.
pub fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        u64::midpoint(values[mid - 1], values[mid])
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(ms: Option<u64>) -> Leg {
        Leg {
            leg: LegKind::Outbound,
            status: Some("CONNECTED".into()),
            ms,
            detail: None,
        }
    }

    #[test]
    fn a_lost_leg_fails_and_a_late_one_is_slow() {
        assert_eq!(
            verdict(&[leg(Some(900)), leg(Some(1000))], 1000),
            ProbeVerdict::Passed
        );
        assert_eq!(
            verdict(&[leg(Some(900)), leg(Some(1001))], 1000),
            ProbeVerdict::Slow
        );
        assert_eq!(
            verdict(&[leg(Some(1)), leg(None)], 1000),
            ProbeVerdict::Failed
        );
        assert_eq!(verdict(&[], 1000), ProbeVerdict::Failed);
    }

    #[test]
    fn limits_and_medians() {
        let ok = ProbeLimits {
            target_ms: 5000,
            timeout_ms: 20_000,
            every_minutes: Some(60),
        };
        assert!(ok.check().is_ok());
        assert!(
            ProbeLimits {
                timeout_ms: 10,
                ..ok.clone()
            }
            .check()
            .is_err()
        );
        assert!(
            ProbeLimits {
                every_minutes: Some(1),
                ..ok
            }
            .check()
            .is_err()
        );
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
        assert_eq!(median(&mut []), None);
    }
}
