//! The merge queue's tables (see 0005_merge_queue.sql): proposals and their members,
//! approvals, value overrides, "not a duplicate" pairs, the journal of merge calls and the
//! pre-merge backups.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::{ObjectType, ProposalState, Timestamp, TwoPersonRule};

use crate::{Change, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalRow {
    pub id: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub system_id: i64,
    pub object: ObjectType,
    pub match_run_id: Option<i64>,
    pub cluster: Option<i64>,
    pub score: f64,
    pub survivor: String,
    pub state: ProposalState,
    pub second_reason: Option<String>,
    pub detail: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    /// The golden record's digest when it was approved.
    pub approved_digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRow {
    pub system_id: i64,
    pub external_id: String,
    pub record_id: Option<i64>,
    /// survivor, absorbed, copy
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideRow {
    pub field: String,
    /// `None` once the merge is done (the CRM holds the value then).
    pub value: Option<String>,
    pub reason: String,
    pub actor: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRow {
    pub proposal_id: i64,
    pub seq: i64,
    /// merge, values, repoint
    pub kind: String,
    pub survivor: String,
    pub absorbed: Vec<String>,
    /// planned, sent, confirmed, failed
    pub state: String,
    pub detail: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub confirmed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupRow {
    pub id: i64,
    pub proposal_id: i64,
    pub system_id: i64,
    pub object: ObjectType,
    pub external_id: String,
    pub taken_at: Timestamp,
    pub content: serde_json::Value,
    pub restored_as: Option<String>,
    pub restored_at: Option<Timestamp>,
    pub restored_by: Option<String>,
}

/// A proposal to store.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub system_id: i64,
    pub object: ObjectType,
    pub match_run_id: Option<i64>,
    pub cluster: Option<i64>,
    pub score: f64,
    pub survivor: String,
    pub second_reason: Option<String>,
    pub members: Vec<MemberRow>,
}

/// A planned call, as stored in the journal.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub kind: &'static str,
    pub survivor: String,
    pub absorbed: Vec<String>,
}

fn object_of(text: &str) -> ObjectType {
    text.parse().unwrap_or(ObjectType::Person)
}

const PROPOSAL_COLUMNS: &str = "id, created_at, updated_at, system_id, object, match_run_id, \
     cluster, score, survivor, state, second_reason, detail, decided_by, decided_at, \
     approved_digest";

fn proposal_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<ProposalRow> {
    let object: String = row.get(4)?;
    let state: String = row.get(9)?;
    Ok(ProposalRow {
        id: row.get(0)?,
        created_at: Timestamp::from_millis(row.get(1)?),
        updated_at: Timestamp::from_millis(row.get(2)?),
        system_id: row.get(3)?,
        object: object_of(&object),
        match_run_id: row.get(5)?,
        cluster: row.get(6)?,
        score: row.get(7)?,
        survivor: row.get(8)?,
        state: state.parse().unwrap_or(ProposalState::Failed),
        second_reason: row.get(10)?,
        detail: row.get(11)?,
        decided_by: row.get(12)?,
        decided_at: row.get::<_, Option<i64>>(13)?.map(Timestamp::from_millis),
        approved_digest: row.get(14)?,
    })
}

/// Proposals in `states` (all when empty), strongest first, then oldest.
pub fn list_proposals(
    conn: &Connection,
    states: &[ProposalState],
    limit: u32,
    offset: u32,
) -> Result<Vec<ProposalRow>, StoreError> {
    let filter = if states.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
        format!("WHERE state IN ({})", list.join(", "))
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {PROPOSAL_COLUMNS} FROM merge_proposals {filter}
         ORDER BY score DESC, id LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = stmt.query_map(params![limit, offset], proposal_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_proposal(conn: &Connection, id: i64) -> Result<Option<ProposalRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {PROPOSAL_COLUMNS} FROM merge_proposals WHERE id = ?1"),
            [id],
            proposal_from,
        )
        .optional()?)
}

/// How many proposals are in each state.
pub fn proposal_counts(conn: &Connection) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut stmt = conn.prepare("SELECT state, count(*) FROM merge_proposals GROUP BY state")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.unsigned_abs()))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn proposal_members(conn: &Connection, id: i64) -> Result<Vec<MemberRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT system_id, external_id, record_id, role FROM merge_members WHERE proposal_id = ?1
         ORDER BY role DESC, system_id, length(external_id), external_id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(MemberRow {
            system_id: r.get(0)?,
            external_id: r.get(1)?,
            record_id: r.get(2)?,
            role: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Hub records (system id, external id) in proposals someone has acted on and that are not
/// finished or rejected, or that failed after a merge call: a new proposal leaves them alone.
/// (Untouched pending proposals are rebuilt from each matching run; one that failed before
/// any call may be proposed again.)
pub fn records_in_open_proposals(conn: &Connection) -> Result<HashSet<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT m.system_id, m.external_id FROM merge_members m
         JOIN merge_proposals p ON p.id = m.proposal_id
         WHERE m.role <> 'copy'
           AND (p.state IN ('approved', 'executing')
                OR (p.state = 'failed'
                    AND EXISTS (SELECT 1 FROM merge_steps s WHERE s.proposal_id = p.id
                                AND s.kind = 'merge' AND s.state IN ('sent', 'confirmed')))
                OR (p.state = 'pending'
                    AND (EXISTS (SELECT 1 FROM merge_approvals a WHERE a.proposal_id = p.id)
                         OR EXISTS (SELECT 1 FROM merge_overrides o WHERE o.proposal_id = p.id))))",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn approvals(conn: &Connection, id: i64) -> Result<Vec<(String, Timestamp)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT actor, at FROM merge_approvals WHERE proposal_id = ?1 ORDER BY at")?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, Timestamp::from_millis(r.get(1)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn overrides(conn: &Connection, id: i64) -> Result<Vec<OverrideRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT field, value, reason, actor, at FROM merge_overrides WHERE proposal_id = ?1
         ORDER BY field",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(OverrideRow {
            field: r.get(0)?,
            value: r.get(1)?,
            reason: r.get(2)?,
            actor: r.get(3)?,
            at: Timestamp::from_millis(r.get(4)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Pairs marked "not a duplicate" in one system, lower id first.
pub fn not_duplicates(
    conn: &Connection,
    system_id: i64,
) -> Result<HashSet<(String, String)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT left_id, right_id FROM merge_not_duplicates WHERE system_id = ?1")?;
    let rows = stmt.query_map([system_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A pair as stored: the smaller id first.
pub fn ordered_pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

fn step_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<StepRow> {
    let absorbed: String = row.get(4)?;
    Ok(StepRow {
        proposal_id: row.get(0)?,
        seq: row.get(1)?,
        kind: row.get(2)?,
        survivor: row.get(3)?,
        absorbed: serde_json::from_str(&absorbed).unwrap_or_default(),
        state: row.get(5)?,
        detail: row.get(6)?,
        sent_at: row.get::<_, Option<i64>>(7)?.map(Timestamp::from_millis),
        confirmed_at: row.get::<_, Option<i64>>(8)?.map(Timestamp::from_millis),
    })
}

pub fn merge_steps(conn: &Connection, proposal_id: i64) -> Result<Vec<StepRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT proposal_id, seq, kind, survivor, absorbed, state, detail, sent_at, confirmed_at
         FROM merge_steps WHERE proposal_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([proposal_id], step_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const BACKUP_COLUMNS: &str = "id, proposal_id, system_id, object, external_id, taken_at, content, \
     restored_as, restored_at, restored_by";

fn backup_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<BackupRow> {
    let object: String = row.get(3)?;
    let content: String = row.get(6)?;
    Ok(BackupRow {
        id: row.get(0)?,
        proposal_id: row.get(1)?,
        system_id: row.get(2)?,
        object: object_of(&object),
        external_id: row.get(4)?,
        taken_at: Timestamp::from_millis(row.get(5)?),
        content: serde_json::from_str(&content).unwrap_or_default(),
        restored_as: row.get(7)?,
        restored_at: row.get::<_, Option<i64>>(8)?.map(Timestamp::from_millis),
        restored_by: row.get(9)?,
    })
}

pub fn proposal_backups(conn: &Connection, proposal_id: i64) -> Result<Vec<BackupRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {BACKUP_COLUMNS} FROM merge_backups WHERE proposal_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([proposal_id], backup_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_backup(conn: &Connection, id: i64) -> Result<Option<BackupRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {BACKUP_COLUMNS} FROM merge_backups WHERE id = ?1"),
            [id],
            backup_from,
        )
        .optional()?)
}

/// Every backup, oldest first (`limit` at most): for listings and an erasure's search.
pub fn list_backups(conn: &Connection, limit: u32) -> Result<Vec<BackupRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {BACKUP_COLUMNS} FROM merge_backups ORDER BY id LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], backup_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn merge_policy(conn: &Connection) -> Result<TwoPersonRule, StoreError> {
    Ok(conn
        .query_row(
            "SELECT min_size, below_score FROM merge_policy WHERE id = 1",
            [],
            |r| {
                Ok(TwoPersonRule {
                    min_size: r.get::<_, i64>(0)?.clamp(0, i64::from(u32::MAX)) as u32,
                    below_score: r.get(1)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

impl Change<'_> {
    pub fn insert_proposal(&self, p: &NewProposal, at: Timestamp) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO merge_proposals (created_at, updated_at, system_id, object, match_run_id,
                                          cluster, score, survivor, state, second_reason)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
            params![
                at.millis(),
                p.system_id,
                p.object.as_str(),
                p.match_run_id,
                p.cluster,
                p.score,
                p.survivor,
                p.second_reason,
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        let mut insert = self.tx.prepare(
            "INSERT OR IGNORE INTO merge_members (proposal_id, system_id, external_id, record_id,
                                                  role)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for m in &p.members {
            insert.execute(params![id, m.system_id, m.external_id, m.record_id, m.role])?;
        }
        Ok(id)
    }

    /// Deletes proposals nobody has acted on yet (pending, no approval, no override), except
    /// `keep`; returns how many went.
    pub fn drop_untouched_proposals(&self, keep: &HashSet<i64>) -> Result<u64, StoreError> {
        let ids: Vec<i64> = {
            let mut stmt = self.tx.prepare(
                "SELECT id FROM merge_proposals p WHERE state = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM merge_approvals a WHERE a.proposal_id = p.id)
                   AND NOT EXISTS (SELECT 1 FROM merge_overrides o WHERE o.proposal_id = p.id)",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut gone = 0;
        for id in ids.into_iter().filter(|id| !keep.contains(id)) {
            gone += self
                .tx
                .execute("DELETE FROM merge_proposals WHERE id = ?1", [id])?;
        }
        Ok(gone as u64)
    }

    pub fn set_proposal_state(
        &self,
        id: i64,
        state: ProposalState,
        detail: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_proposals SET state = ?2, detail = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, state.as_str(), detail, at.millis()],
        )?;
        Ok(())
    }

    /// Moves a proposal to `to` only if it is in one of `from` (someone may have rejected or
    /// edited it meanwhile, in another window). True when it moved.
    pub fn transition(
        &self,
        id: i64,
        from: &[ProposalState],
        to: ProposalState,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let list: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        Ok(self.tx.execute(
            &format!(
                "UPDATE merge_proposals SET state = ?2, detail = NULL, updated_at = ?3
                 WHERE id = ?1 AND state IN ({})",
                list.join(", ")
            ),
            params![id, to.as_str(), at.millis()],
        )? > 0)
    }

    /// Records the decision (approve or reject) and who made it, if the proposal is still
    /// pending or approved. True when it was recorded.
    pub fn decide_proposal(
        &self,
        id: i64,
        state: ProposalState,
        actor: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self.tx.execute(
            "UPDATE merge_proposals SET state = ?2, decided_by = ?3, decided_at = ?4,
                                        updated_at = ?4
             WHERE id = ?1 AND state IN ('pending', 'approved')",
            params![id, state.as_str(), actor, at.millis()],
        )? > 0)
    }

    pub fn set_second_reason(&self, id: i64, reason: Option<&str>) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_proposals SET second_reason = ?2 WHERE id = ?1",
            params![id, reason],
        )?;
        Ok(())
    }

    pub fn set_approved_digest(&self, id: i64, digest: Option<&str>) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_proposals SET approved_digest = ?2 WHERE id = ?1",
            params![id, digest],
        )?;
        Ok(())
    }

    /// Gives an executing proposal nothing was sent for back to the approved queue (a
    /// cancelled run): its plan and backups go, a later run makes them again.
    pub fn unclaim(&self, id: i64, at: Timestamp) -> Result<bool, StoreError> {
        let sent: i64 = self.tx.query_row(
            "SELECT count(*) FROM merge_steps WHERE proposal_id = ?1 AND sent_at IS NOT NULL",
            [id],
            |r| r.get(0),
        )?;
        if sent > 0 {
            return Ok(false);
        }
        self.tx
            .execute("DELETE FROM merge_steps WHERE proposal_id = ?1", [id])?;
        self.tx
            .execute("DELETE FROM merge_backups WHERE proposal_id = ?1", [id])?;
        self.transition(id, &[ProposalState::Executing], ProposalState::Approved, at)
    }

    /// Returns false when this person had already approved it.
    pub fn add_approval(&self, id: i64, actor: &str, at: Timestamp) -> Result<bool, StoreError> {
        Ok(self.tx.execute(
            "INSERT OR IGNORE INTO merge_approvals (proposal_id, actor, at) VALUES (?1, ?2, ?3)",
            params![id, actor, at.millis()],
        )? > 0)
    }

    pub fn clear_approvals(&self, id: i64) -> Result<(), StoreError> {
        self.tx
            .execute("DELETE FROM merge_approvals WHERE proposal_id = ?1", [id])?;
        Ok(())
    }

    /// Drops a reviewer's value: the rules choose again.
    pub fn clear_override(&self, id: i64, field: &str) -> Result<bool, StoreError> {
        Ok(self.tx.execute(
            "DELETE FROM merge_overrides WHERE proposal_id = ?1 AND field = ?2",
            params![id, field],
        )? > 0)
    }

    pub fn set_override(&self, id: i64, row: &OverrideRow) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO merge_overrides (proposal_id, field, value, reason, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (proposal_id, field) DO UPDATE SET value = excluded.value,
               reason = excluded.reason, actor = excluded.actor, at = excluded.at",
            params![
                id,
                row.field,
                row.value,
                row.reason,
                row.actor,
                row.at.millis()
            ],
        )?;
        Ok(())
    }

    /// Once merged, the overrides' values live in the CRM; the queue keeps field and why.
    pub fn blank_overrides(&self, id: i64) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_overrides SET value = NULL WHERE proposal_id = ?1",
            [id],
        )?;
        Ok(())
    }

    pub fn add_not_duplicate(
        &self,
        system_id: i64,
        a: &str,
        b: &str,
        actor: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (left, right) = ordered_pair(a, b);
        self.tx.execute(
            "INSERT OR IGNORE INTO merge_not_duplicates (system_id, left_id, right_id, actor, at,
                                                        reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![system_id, left, right, actor, at.millis(), reason],
        )?;
        Ok(())
    }

    /// Plans a proposal's calls; a proposal already planned keeps its journal.
    pub fn plan_steps(&self, id: i64, steps: &[NewStep]) -> Result<bool, StoreError> {
        let planned: i64 = self.tx.query_row(
            "SELECT count(*) FROM merge_steps WHERE proposal_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        if planned > 0 {
            return Ok(false);
        }
        let mut insert = self.tx.prepare(
            "INSERT INTO merge_steps (proposal_id, seq, kind, survivor, absorbed, state)
             VALUES (?1, ?2, ?3, ?4, ?5, 'planned')",
        )?;
        for (seq, s) in steps.iter().enumerate() {
            insert.execute(params![
                id,
                seq as i64,
                s.kind,
                s.survivor,
                serde_json::to_string(&s.absorbed).unwrap_or_else(|_| "[]".into()),
            ])?;
        }
        Ok(true)
    }

    /// Marks a planned step sent, unless another run already did. True when claimed.
    pub fn claim_step(&self, id: i64, seq: i64, at: Timestamp) -> Result<bool, StoreError> {
        Ok(self.tx.execute(
            "UPDATE merge_steps SET state = 'sent', sent_at = ?3
             WHERE proposal_id = ?1 AND seq = ?2 AND state = 'planned'",
            params![id, seq, at.millis()],
        )? > 0)
    }

    pub fn set_step_state(
        &self,
        id: i64,
        seq: i64,
        state: &str,
        detail: Option<&str>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let column = match state {
            "sent" => "sent_at",
            _ => "confirmed_at",
        };
        self.tx.execute(
            &format!(
                "UPDATE merge_steps SET state = ?3, detail = ?4, {column} = ?5
                 WHERE proposal_id = ?1 AND seq = ?2"
            ),
            params![id, seq, state, detail, at.millis()],
        )?;
        Ok(())
    }

    /// Stores a record's pre-merge state unless this proposal already holds one for it
    /// (a resumed run must not replace it with the post-merge state). True when stored.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_backup(
        &self,
        proposal_id: i64,
        system_id: i64,
        object: ObjectType,
        external_id: &str,
        content: &serde_json::Value,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self.tx.execute(
            "INSERT INTO merge_backups (proposal_id, system_id, object, external_id, taken_at,
                                        content)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (proposal_id, system_id, external_id) DO NOTHING",
            params![
                proposal_id,
                system_id,
                object.as_str(),
                external_id,
                at.millis(),
                content.to_string()
            ],
        )? > 0)
    }

    /// A restore is about to create the record: the marker a crash leaves behind, so the
    /// next attempt looks for what it made before creating another.
    pub fn mark_restoring(
        &self,
        backup_id: i64,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_backups SET restored_at = ?2, restored_by = ?3 WHERE id = ?1
               AND restored_as IS NULL",
            params![backup_id, at.millis(), actor],
        )?;
        Ok(())
    }

    pub fn mark_restored(
        &self,
        backup_id: i64,
        new_id: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_backups SET restored_as = ?2, restored_at = COALESCE(restored_at, ?3),
                                      restored_by = ?4
             WHERE id = ?1",
            params![backup_id, new_id, at.millis(), actor],
        )?;
        Ok(())
    }

    /// Backups of a proposal nothing was merged for (it went back to a person, or was
    /// refused before any call): they would only keep customer values for nothing. Never
    /// once a merge call was sent: it may have happened.
    pub fn delete_proposal_backups(&self, proposal_id: i64) -> Result<u64, StoreError> {
        Ok(self.tx.execute(
            "DELETE FROM merge_backups WHERE proposal_id = ?1
               AND NOT EXISTS (SELECT 1 FROM merge_steps s WHERE s.proposal_id = ?1
                               AND s.kind = 'merge' AND s.sent_at IS NOT NULL)",
            [proposal_id],
        )? as u64)
    }

    /// An erasure: backups that hold the erased person go for good.
    pub fn delete_backups(&self, ids: &[i64]) -> Result<u64, StoreError> {
        let mut gone = 0;
        for id in ids {
            gone += self
                .tx
                .execute("DELETE FROM merge_backups WHERE id = ?1", [id])?;
        }
        Ok(gone as u64)
    }

    pub fn set_merge_policy(&self, rule: &TwoPersonRule) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE merge_policy SET min_size = ?1, below_score = ?2 WHERE id = 1",
            params![rule.min_size, rule.below_score],
        )?;
        Ok(())
    }

    /// A merged-away record leaves the cache (the CRM answers its id with the survivor's).
    pub fn remove_cached_record(
        &self,
        system_id: i64,
        object: ObjectType,
        external_id: &str,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM records WHERE system_id = ?1 AND object = ?2 AND external_id = ?3",
            params![system_id, object.as_str(), external_id],
        )?;
        Ok(())
    }
}

/// Every record of one system with its value of one field (a crosswalk: the hub id it
/// keeps), as (record id, external id, value).
pub fn field_values_of(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
    field: &str,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT r.id, r.external_id, f.value FROM records r
         JOIN record_fields f ON f.record_id = r.id AND f.field = ?3
         WHERE r.system_id = ?1 AND r.object = ?2 AND r.archived = 0",
    )?;
    let rows = stmt.query_map(params![system_id, object.as_str(), field], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
