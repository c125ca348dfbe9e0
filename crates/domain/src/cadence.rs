//! How often a system's records change, read from their modification times.

use serde::{Deserialize, Serialize};

use crate::system::string_enum;

string_enum! {
    Cadence ("update cadence") {
        Daily => "daily",
        Weekly => "weekly",
        Monthly => "monthly",
        Rarely => "rarely",
        Dormant => "dormant",
    }
}

/// Changed records in the 7, 30 and 90 days up to a reference instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub last_7_days: u64,
    pub last_30_days: u64,
    pub last_90_days: u64,
}

impl Cadence {
    /// The busiest pattern the counts support: at least one change a day over the last week
    /// is daily; one a week over the last month is weekly; one a month over the last quarter
    /// is monthly; anything less in the quarter is rarely; none is dormant.
    pub fn from_counts(c: ChangeCounts) -> Self {
        if c.last_7_days >= 7 {
            Self::Daily
        } else if c.last_30_days >= 4 {
            Self::Weekly
        } else if c.last_90_days >= 3 {
            Self::Monthly
        } else if c.last_90_days > 0 {
            Self::Rarely
        } else {
            Self::Dormant
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(counts: (u64, u64, u64), expected: Cadence) {
        let c = ChangeCounts {
            last_7_days: counts.0,
            last_30_days: counts.1,
            last_90_days: counts.2,
        };
        assert_eq!(Cadence::from_counts(c), expected, "{counts:?}");
    }

    #[test]
    fn thresholds() {
        check((7, 7, 7), Cadence::Daily);
        check((6, 30, 90), Cadence::Weekly);
        check((0, 4, 4), Cadence::Weekly);
        check((0, 3, 3), Cadence::Monthly);
        check((0, 0, 2), Cadence::Rarely);
        check((0, 0, 0), Cadence::Dormant);
    }
}
