//! Steward's domain model: systems, canonical fields, records and links, and the rules
//! over them. Pure by design: no I/O, no async, no clock. Time and ids come in as
//! arguments so every rule can be reproduced exactly in a test.

pub mod audit;
pub mod authority;
pub mod cadence;
pub mod checklist;
pub mod field;
pub mod governance;
pub mod merge;
pub mod probe;
pub mod record;
pub mod ssot;
pub mod system;
pub mod time;

pub use audit::{AuditEvent, ChainBreak, ChainStatus, ChainedEntry, GENESIS_HASH};
pub use authority::{
    AuthorityRule, ConflictPolicy, HUB, RuleContext, RuleSet, Segment, StatusModel, SystemMapping,
};
pub use cadence::{Cadence, ChangeCounts};
pub use checklist::{
    Checklist, Item, ItemKind, MoveRefused, SignOff, Verdict, check_move, items_of,
};
pub use field::{CanonicalField, FieldCategory, FieldKey, ObjectType, ValueKind, builtin_catalog};
pub use governance::{Action, Duty, Refusal, permit};
pub use merge::{
    Candidate, Choice, MergeApi, MergeStep, ProposalState, SurvivorCandidate, TwoPersonRule,
    check_identity_cap, choose_survivor, choose_value, plan_steps,
};
pub use probe::{Leg, LegKind, ProbeLimits, ProbeVerdict, median, verdict};
pub use record::{Association, FieldValue, LinkBasis, PastValue, Record, RecordKey, RecordLink};
pub use ssot::{AuditInputs, Part, Quarter, Requirement, score};
pub use system::{
    Connection, CredentialKind, DomainError, Lifecycle, NewSystem, Population, Role, System,
    SystemKind, SystemName, Transport, ensure_can_add,
};
pub use time::Timestamp;
