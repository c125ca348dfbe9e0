//! What a sandbox server saw, for `GET /_sandbox/stats`: tests and benchmarks read these
//! instead of trusting the client's own counts.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Snapshot {
    /// Requests per endpoint, e.g. `"GET /crm/v3/objects/{objectType}"`.
    pub requests: BTreeMap<String, u64>,
    pub unauthorized: u64,
    pub rate_limited: u64,
    pub faults_injected: u64,
    pub merges_performed: u64,
    pub merges_refused: u64,
    /// Merge requests naming a record that had already been merged away: a client that
    /// sent a merge twice.
    pub merges_repeated: u64,
    pub records_created: u64,
    pub records_updated: u64,
    pub records_archived: u64,
    pub records_erased: u64,
    /// Writes the CRM↔MAP bridge made into this system.
    pub bridge_writes: u64,
    /// Values the bridge should have carried here and lost (the broken write-back).
    pub bridge_dropped: u64,
}

#[derive(Debug, Default)]
pub struct Stats(Mutex<Snapshot>);

impl Stats {
    pub fn update(&self, change: impl FnOnce(&mut Snapshot)) {
        if let Ok(mut snapshot) = self.0.lock() {
            change(&mut snapshot);
        }
    }

    pub fn request(&self, endpoint: &str) {
        self.update(|s| *s.requests.entry(endpoint.to_owned()).or_default() += 1);
    }

    pub fn snapshot(&self) -> Snapshot {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
