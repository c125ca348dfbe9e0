//! Steward's matching engine: finds the records that are one person, within one system and
//! across systems, and says why.
//!
//! normalise → block (several keys, no quadratic blocks) → compare (per-field levels) →
//! learn (Fellegi–Sunter, m and the match share by EM over the candidates, u from random
//! pairs, no labels) → cluster (average linkage with a veto, so weak links don't chain).

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod engine;
pub mod error;
pub mod features;
pub mod input;
pub mod model;
pub mod normalise;
pub mod output;
pub mod rules;
pub mod similarity;

pub use engine::{Evidence, Explanation, Matcher, Outcome, Stage, run};
pub use error::MatchError;
pub use input::{Known, Records, Row, Schema};
pub use rules::Rules;
