//! The drift engine: links every spoke record to its hub record (shared ids, then email,
//! then the matching engine's clusters), compares each canonical field against the
//! field-authority rules, and reconciles segment counts system by system.
//!
//! Pure: it sees a [`Snapshot`] built by the app from the workspace cache and the rule set,
//! and returns findings that name records by index and fields by slot, never copying values.

pub mod compare;
pub mod engine;
pub mod finding;
pub mod input;
pub mod link;
pub mod segments;

pub use engine::{Quality, Report, run};
pub use finding::{Evidence, Finding, Fix, Kind, ValueFrom};
pub use input::{Authority, Field, Past, Rec, Snapshot, Span, System, Value};
pub use link::{Link, LinkBasis};
