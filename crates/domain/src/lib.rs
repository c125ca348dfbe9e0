//! Steward's domain model: systems, canonical fields, records and links, and the rules
//! over them. Pure by design: no I/O, no async, no clock. Time and ids come in as
//! arguments so every rule can be reproduced exactly in a test.

pub mod audit;
pub mod authority;
pub mod cadence;
pub mod field;
pub mod merge;
pub mod record;
pub mod system;
pub mod time;

pub use audit::{AuditEvent, ChainBreak, ChainStatus, ChainedEntry, GENESIS_HASH};
pub use authority::{
    AuthorityRule, ConflictPolicy, HUB, RuleContext, RuleSet, Segment, StatusModel, SystemMapping,
};
pub use cadence::{Cadence, ChangeCounts};
pub use field::{CanonicalField, FieldCategory, FieldKey, ObjectType, ValueKind, builtin_catalog};
pub use merge::{
    Candidate, Choice, MergeApi, MergeStep, ProposalState, SurvivorCandidate, TwoPersonRule,
    check_identity_cap, choose_survivor, choose_value, plan_steps,
};
pub use record::{Association, FieldValue, LinkBasis, PastValue, Record, RecordKey, RecordLink};
pub use system::{
    Connection, CredentialKind, DomainError, Lifecycle, NewSystem, Population, Role, System,
    SystemKind, SystemName, Transport, ensure_can_add,
};
pub use time::Timestamp;
