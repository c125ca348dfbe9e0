//! Merging duplicate records in the hub: which record survives, which value each field keeps
//! and why, how a cluster becomes the sequence of calls a CRM's merge API accepts, and when
//! a proposal needs a second approver. Pure: the app feeds it cached and live values.

use serde::{Deserialize, Serialize};

use crate::authority::ConflictPolicy;
use crate::system::string_enum;

string_enum! {
    /// Where a merge proposal is in the queue.
    ProposalState ("proposal state") {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        Executing => "executing",
        Done => "done",
        Failed => "failed",
    }
}

/// A CRM's merge API, as far as planning is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeApi {
    /// `POST /crm/v3/objects/{type}/merge`: one record into another per call; a profile
    /// holds at most 250 identities; irreversible.
    HubSpot,
    /// SOAP `merge()`: a master and at most two more records per call.
    Salesforce,
}

impl MergeApi {
    /// Records one call may name, the survivor included.
    pub const fn records_per_call(self) -> usize {
        match self {
            Self::HubSpot => 2,
            Self::Salesforce => 3,
        }
    }

    /// Identities (its own id and every id merged into it) one record may hold.
    pub const fn max_identities(self) -> Option<usize> {
        match self {
            Self::HubSpot => Some(250),
            Self::Salesforce => None,
        }
    }
}

/// One API call: `absorbed` go into `survivor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeStep {
    pub survivor: String,
    pub absorbed: Vec<String>,
}

/// The calls that fold `absorbed` into `survivor`, in order, each within the API's limit
/// (a Salesforce cluster of five is two calls of master + two).
pub fn plan_steps(api: MergeApi, survivor: &str, absorbed: &[String]) -> Vec<MergeStep> {
    let per_call = api.records_per_call().saturating_sub(1).max(1);
    absorbed
        .chunks(per_call)
        .map(|chunk| MergeStep {
            survivor: survivor.to_owned(),
            absorbed: chunk.to_vec(),
        })
        .collect()
}

/// Refuses a merge the API would refuse: too many identities on the survivor afterwards.
/// `identities` is each record's own id plus the ids already merged into it.
pub fn check_identity_cap(api: MergeApi, identities: &[usize]) -> Result<(), String> {
    let Some(max) = api.max_identities() else {
        return Ok(());
    };
    let total: usize = identities.iter().sum();
    if total > max {
        return Err(format!(
            "the survivor would hold {total} identities and HubSpot allows at most {max} per \
             record (merges are irreversible, so this one is refused before any call)"
        ));
    }
    Ok(())
}

/// A member of a proposal as survivor choice sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurvivorCandidate {
    pub external_id: String,
    /// Milliseconds; `None` sorts last.
    pub created_at: Option<i64>,
    /// Non-empty fields.
    pub filled: usize,
}

/// The survivor: the oldest record (it carries the first touch and the longest history),
/// then the fullest, then the lowest id. Returns an index into `members`.
pub fn choose_survivor(members: &[SurvivorCandidate]) -> Option<usize> {
    (0..members.len()).min_by(|&a, &b| {
        let (x, y) = (&members[a], &members[b]);
        let created = |c: &SurvivorCandidate| c.created_at.unwrap_or(i64::MAX);
        created(x)
            .cmp(&created(y))
            .then(y.filled.cmp(&x.filled))
            .then(numeric_id(&x.external_id).cmp(&numeric_id(&y.external_id)))
    })
}

fn numeric_id(id: &str) -> (usize, &str) {
    (id.len(), id)
}

/// One candidate value for one field of the golden record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The system's name as the rules spell it.
    pub system: String,
    pub is_hub: bool,
    /// The hub record that survives the merge.
    pub is_survivor: bool,
    pub value: String,
    /// When the value was set (milliseconds), where known.
    pub at: Option<i64>,
}

/// The value a field keeps, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Index into the candidates.
    pub index: usize,
    /// authority, last_touch, earliest_touch, survivor, only_value
    pub rule: String,
    /// Whether a person should look (a manual policy, or an authority without a value).
    pub needs_review: bool,
}

/// Chooses a field's surviving value among non-empty candidates.
///
/// - authority wins: the authority's values only (for the hub: the survivor's, else the
///   newest hub value); none there → the survivor's value, flagged for review;
/// - last touch / earliest touch: the newest / oldest dated value in any system (undated
///   values lose to dated ones; ties go to the survivor, then the hub);
/// - manual: the survivor's value (else the newest), flagged for a person's decision.
pub fn choose_value(
    policy: ConflictPolicy,
    authority: &str,
    candidates: &[Candidate],
) -> Option<Choice> {
    let filled: Vec<usize> = (0..candidates.len())
        .filter(|&i| !candidates[i].value.trim().is_empty())
        .collect();
    if filled.is_empty() {
        return None;
    }
    let choice = |index: usize, rule: &str, needs_review: bool| Choice {
        index,
        rule: rule.to_owned(),
        needs_review,
    };
    if filled.len() == 1 {
        return Some(choice(
            filled[0],
            "only_value",
            policy == ConflictPolicy::Manual,
        ));
    }
    let all_agree = filled
        .iter()
        .all(|&i| candidates[i].value.trim() == candidates[filled[0]].value.trim());
    let preference = |i: usize| {
        let c = &candidates[i];
        (!c.is_survivor, !c.is_hub, i)
    };
    let survivor_first = || filled.iter().copied().min_by_key(|&i| preference(i));
    let by_time = |newest: bool| {
        filled.iter().copied().min_by(|&a, &b| {
            let (x, y) = (candidates[a].at, candidates[b].at);
            let order = match (x, y) {
                (Some(x), Some(y)) if newest => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            order.then(preference(a).cmp(&preference(b)))
        })
    };
    match policy {
        ConflictPolicy::AuthorityWins => {
            let hub = authority.eq_ignore_ascii_case(crate::authority::HUB);
            let owned: Vec<usize> = filled
                .iter()
                .copied()
                .filter(|&i| {
                    if hub {
                        candidates[i].is_hub
                    } else {
                        candidates[i].system.eq_ignore_ascii_case(authority)
                    }
                })
                .collect();
            let pick = owned
                .iter()
                .copied()
                .find(|&i| candidates[i].is_survivor)
                .or_else(|| {
                    owned.iter().copied().max_by(|&a, &b| {
                        candidates[a]
                            .at
                            .cmp(&candidates[b].at)
                            .then(preference(b).cmp(&preference(a)))
                    })
                });
            match pick {
                Some(i) => Some(choice(i, "authority", false)),
                None => survivor_first().map(|i| choice(i, "survivor", !all_agree)),
            }
        }
        ConflictPolicy::LastTouch => by_time(true).map(|i| choice(i, "last_touch", false)),
        ConflictPolicy::EarliestTouch => by_time(false).map(|i| choice(i, "earliest_touch", false)),
        ConflictPolicy::Manual => survivor_first().map(|i| choice(i, "survivor", !all_agree)),
    }
}

/// When a proposal needs two different people to approve it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoPersonRule {
    /// Clusters of at least this many hub records need a second approver (0: never by size).
    pub min_size: u32,
    /// Clusters whose weakest link scores below this need a second approver (0: never).
    pub below_score: f64,
}

impl Default for TwoPersonRule {
    fn default() -> Self {
        Self {
            min_size: 3,
            below_score: 0.9,
        }
    }
}

impl TwoPersonRule {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.below_score) {
            return Err("below_score must be between 0 and 1".into());
        }
        if self.min_size == 1 {
            return Err(
                "min_size 1 would ask two people for a merge of nothing; use 0 or ≥ 2".into(),
            );
        }
        Ok(())
    }

    /// Why this proposal needs a second approver, or `None`.
    pub fn reason(&self, size: u32, score: f64) -> Option<String> {
        if self.min_size >= 2 && size >= self.min_size {
            return Some(format!(
                "{size} records (clusters of {} or more need two approvers)",
                self.min_size
            ));
        }
        if self.below_score > 0.0 && score < self.below_score {
            return Some(format!(
                "score {score:.2} (below {:.2} needs two approvers)",
                self.below_score
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn salesforce_takes_a_master_and_two_more_per_call() {
        let steps = plan_steps(MergeApi::Salesforce, "1", &ids(&["2", "3", "4", "5"]));
        assert_eq!(
            steps,
            vec![
                MergeStep {
                    survivor: "1".into(),
                    absorbed: ids(&["2", "3"])
                },
                MergeStep {
                    survivor: "1".into(),
                    absorbed: ids(&["4", "5"])
                },
            ]
        );
        let steps = plan_steps(MergeApi::HubSpot, "1", &ids(&["2", "3", "4", "5"]));
        assert_eq!(steps.len(), 4);
        assert!(steps.iter().all(|s| s.absorbed.len() == 1));
        assert!(plan_steps(MergeApi::HubSpot, "1", &[]).is_empty());
    }

    #[test]
    fn the_identity_cap_is_checked_before_any_call() {
        assert!(check_identity_cap(MergeApi::HubSpot, &[200, 50]).is_ok());
        let refused = check_identity_cap(MergeApi::HubSpot, &[200, 51]).unwrap_err();
        assert!(
            refused.contains("251") && refused.contains("250"),
            "{refused}"
        );
        assert!(check_identity_cap(MergeApi::Salesforce, &[5000, 1]).is_ok());
    }

    #[test]
    fn the_oldest_record_survives_then_the_fullest() {
        let c = |id: &str, created: Option<i64>, filled: usize| SurvivorCandidate {
            external_id: id.into(),
            created_at: created,
            filled,
        };
        assert_eq!(
            choose_survivor(&[c("9", Some(5), 1), c("10", Some(3), 1)]),
            Some(1)
        );
        assert_eq!(
            choose_survivor(&[c("9", Some(3), 1), c("10", Some(3), 4)]),
            Some(1)
        );
        assert_eq!(
            choose_survivor(&[c("10", None, 9), c("9", None, 9)]),
            Some(1)
        );
        assert_eq!(choose_survivor(&[]), None);
    }

    fn cand(system: &str, hub: bool, survivor: bool, value: &str, at: Option<i64>) -> Candidate {
        Candidate {
            system: system.into(),
            is_hub: hub,
            is_survivor: survivor,
            value: value.into(),
            at,
        }
    }

    #[test]
    fn each_policy_picks_its_value_and_says_why() {
        let list = [
            cand("CRM", true, true, "Ann", Some(10)),
            cand("CRM", true, false, "Anne", Some(30)),
            cand("MAP", false, false, "Annie", Some(50)),
            cand("Sheet", false, false, "", Some(90)),
        ];
        let pick = |policy, authority| choose_value(policy, authority, &list).unwrap();
        let c = pick(ConflictPolicy::AuthorityWins, "hub");
        assert_eq!(
            (c.index, c.rule.as_str(), c.needs_review),
            (0, "authority", false)
        );
        let c = pick(ConflictPolicy::AuthorityWins, "MAP");
        assert_eq!((c.index, c.rule.as_str()), (2, "authority"));
        // An authority without a value: the survivor's, and a person should look.
        let c = pick(ConflictPolicy::AuthorityWins, "Portal");
        assert_eq!(
            (c.index, c.rule.as_str(), c.needs_review),
            (0, "survivor", true)
        );
        // Empty values never win, however new.
        let c = pick(ConflictPolicy::LastTouch, "hub");
        assert_eq!((c.index, c.rule.as_str()), (2, "last_touch"));
        let c = pick(ConflictPolicy::EarliestTouch, "hub");
        assert_eq!((c.index, c.rule.as_str()), (0, "earliest_touch"));
        let c = pick(ConflictPolicy::Manual, "hub");
        assert_eq!((c.index, c.needs_review), (0, true));
    }

    #[test]
    fn hub_authority_without_a_survivor_value_takes_the_newest_hub_value() {
        let list = [
            cand("CRM", true, true, "", None),
            cand("CRM", true, false, "old", Some(1)),
            cand("CRM", true, false, "new", Some(2)),
            cand("MAP", false, false, "map", Some(9)),
        ];
        let c = choose_value(ConflictPolicy::AuthorityWins, "hub", &list).unwrap();
        assert_eq!(c.index, 2);
        assert!(
            choose_value(
                ConflictPolicy::LastTouch,
                "hub",
                &[cand("CRM", true, true, " ", None)]
            )
            .is_none()
        );
        // Undated values lose to dated ones in touch policies.
        let list = [
            cand("CRM", true, true, "a", None),
            cand("MAP", false, false, "b", Some(1)),
        ];
        assert_eq!(
            choose_value(ConflictPolicy::LastTouch, "hub", &list)
                .unwrap()
                .index,
            1
        );
        assert_eq!(
            choose_value(ConflictPolicy::EarliestTouch, "hub", &list)
                .unwrap()
                .index,
            1
        );
    }

    #[test]
    fn two_person_rule_by_size_and_score() {
        let rule = TwoPersonRule::default();
        assert!(rule.reason(2, 0.95).is_none());
        assert!(rule.reason(3, 0.99).unwrap().contains("3 records"));
        assert!(rule.reason(2, 0.5).unwrap().contains("0.50"));
        let off = TwoPersonRule {
            min_size: 0,
            below_score: 0.0,
        };
        assert!(off.reason(40, 0.1).is_none());
        assert!(off.validate().is_ok());
        assert!(
            TwoPersonRule {
                min_size: 1,
                below_score: 0.5
            }
            .validate()
            .is_err()
        );
    }
}
