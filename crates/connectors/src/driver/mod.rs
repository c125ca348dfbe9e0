//! The shared HTTP driver: every API connector sends through it, so pacing to the rate
//! limit, retries with backoff that honour `Retry-After`, cancellation and call counting live
//! in one place.

mod http;
mod pacer;

pub use http::{HttpDriver, RateHeaders, Reply, Verdict, default_verdict};
pub use pacer::Pacer;
