use std::time::{SystemTime, UNIX_EPOCH};

use steward_domain::Timestamp;

/// Where "now" comes from. The domain takes time as an argument; this is the one place the
/// app reads the real clock, so tests can pin it.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl Clock {
    pub fn now(self) -> Timestamp {
        match self {
            Self::System => {
                let millis = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                Timestamp::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
            }
            Self::Fixed(at) => at,
        }
    }
}
