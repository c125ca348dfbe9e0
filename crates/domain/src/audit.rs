//! The tamper-evident audit log: each entry's hash covers its contents and the hash of the
//! entry before it, so an edit, a deletion or a reordering breaks the chain at a row that
//! verification can name.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::time::Timestamp;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Something that happened, before it is sealed into the chain. `details` must hold no
/// customer field values and no secrets: ids, counts, kinds and names of systems only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: serde_json::Value,
}

/// An entry as stored: its place in the chain and the hashes that bind it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// Canonical JSON text (keys sorted), hashed exactly as stored.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainedEntry {
    /// Seals an event as entry `seq`, chained to `prev_hash`.
    pub fn seal(seq: i64, prev_hash: &str, event: &AuditEvent) -> Self {
        // serde_json's map is ordered by key, so this text is canonical.
        let details = event.details.to_string();
        let mut entry = Self {
            seq,
            at: event.at,
            actor: event.actor.clone(),
            action: event.action.clone(),
            subject: event.subject.clone(),
            details,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        entry.hash = entry.expected_hash();
        entry
    }

    /// The hash these contents should carry. Fields are length-prefixed so that moving text
    /// from one field into the next changes the hash.
    pub fn expected_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let seq = self.seq.to_string();
        let at = self.at.millis().to_string();
        for part in [
            self.prev_hash.as_str(),
            seq.as_str(),
            at.as_str(),
            self.actor.as_str(),
            self.action.as_str(),
            self.subject.as_str(),
            self.details.as_str(),
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// The first entry at which the chain stops holding, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
    /// Entries that passed before this one. When the break is a broken link, the entry just
    /// before it is the one that was changed, even though it passed its own check.
    pub verified: u64,
}

/// The outcome of verifying a whole log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainStatus {
    /// Every entry checks out. `head_hash` can be written down elsewhere: a log cut short at
    /// its end is only detectable against a head recorded outside the workspace.
    Intact {
        entries: u64,
        head_hash: String,
    },
    Broken(ChainBreak),
}

/// Verifies entries one at a time, in `seq` order, so a long log needs no memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    entries: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            entries: 0,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, entry: &ChainedEntry) -> Result<(), ChainBreak> {
        let broken = |reason: String| {
            Err(ChainBreak {
                seq: entry.seq,
                reason,
                verified: self.entries,
            })
        };
        if entry.seq != self.expected_seq {
            return broken(format!(
                "expected entry {} here; entries are missing or out of order",
                self.expected_seq
            ));
        }
        if entry.prev_hash != self.prev_hash {
            return broken(format!(
                "its link to entry {} does not match: that entry was changed, or entries were removed",
                entry.seq - 1
            ));
        }
        if entry.hash != entry.expected_hash() {
            return broken("its contents do not match its hash: this entry was edited".into());
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        self.entries += 1;
        Ok(())
    }

    pub fn finish(self) -> ChainStatus {
        ChainStatus::Intact {
            entries: self.entries,
            head_hash: self.prev_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<ChainedEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent {
                    at: Timestamp::from_millis(1_000 * seq),
                    actor: "owner".into(),
                    action: "system.added".into(),
                    subject: format!("system:{seq}"),
                    details: json!({"role": "spoke", "kind": "csv"}),
                };
                let entry = ChainedEntry::seal(seq, &prev, &event);
                prev.clone_from(&entry.hash);
                entry
            })
            .collect()
    }

    fn verify(entries: &[ChainedEntry]) -> ChainStatus {
        let mut verifier = ChainVerifier::default();
        for entry in entries {
            if let Err(at) = verifier.push(entry) {
                return ChainStatus::Broken(at);
            }
        }
        verifier.finish()
    }

    fn broken_at(entries: &[ChainedEntry]) -> Option<(i64, u64)> {
        match verify(entries) {
            ChainStatus::Intact { .. } => None,
            ChainStatus::Broken(b) => Some((b.seq, b.verified)),
        }
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let entries = chain(5);
        assert_eq!(
            verify(&entries),
            ChainStatus::Intact {
                entries: 5,
                head_hash: entries[4].hash.clone()
            }
        );
        assert!(matches!(
            verify(&[]),
            ChainStatus::Intact { entries: 0, .. }
        ));
    }

    #[test]
    fn details_are_canonical() {
        assert_eq!(chain(1)[0].details, r#"{"kind":"csv","role":"spoke"}"#);
    }

    #[test]
    fn an_edit_is_pinned_to_its_row() {
        let mut entries = chain(5);
        entries[2].actor = "intruder".into();
        assert_eq!(broken_at(&entries), Some((3, 2)));
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[1].subject = "system:99".into();
        entries[1].hash = entries[1].expected_hash();
        assert_eq!(broken_at(&entries), Some((3, 2)));
    }

    #[test]
    fn a_deleted_row_is_a_gap() {
        let mut entries = chain(5);
        entries.remove(3);
        assert_eq!(broken_at(&entries), Some((5, 3)));
        let mut headless = chain(3);
        headless.remove(0);
        assert_eq!(
            broken_at(&headless),
            Some((2, 0)),
            "a log must start at entry 1"
        );
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let mut entries = chain(1);
        entries[0].action = "system.added:x".into();
        entries[0].subject = "1".into();
        let mut other = chain(1);
        other[0].action = "system.added".into();
        other[0].subject = "x:1".into();
        assert_ne!(entries[0].expected_hash(), other[0].expected_hash());
    }
}
