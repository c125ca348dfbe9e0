//! `steward merge …` on the demo workspace, against the sandbox company and its manifest:
//! proposals, the two-person rule, "not a duplicate" remembered, a reviewer's value written,
//! a MAP lead re-pointed at the survivor, a record changed since review sent back, a
//! merged-away record restored from its backup, and an erasure purging backups.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::{Value, json};
use support::{Demo, count, steward};

const SEED: u64 = 42;
const SIZE: usize = 2_000;

/// Contact id → its seeded duplicate cluster.
fn seeded_clusters() -> (HashMap<String, u32>, usize) {
    let world = steward_sandbox::seed::generate(SEED, SIZE);
    let mut of = HashMap::new();
    for c in &world.manifest.crm_duplicate_clusters {
        for id in std::iter::once(&c.original).chain(c.variants.iter().map(|v| &v.id)) {
            of.insert(id.clone(), c.cluster);
        }
    }
    (of, world.manifest.counts.crm_duplicate_records)
}

fn hub_ids(detail: &Value) -> Vec<String> {
    detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] != "copy")
        .map(|m| m["externalId"].as_str().unwrap().to_owned())
        .collect()
}

struct Crm {
    base: String,
    token: String,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Crm {
    fn new(line: &Value) -> Self {
        Self {
            base: line["crm"]["base_url"].as_str().unwrap().to_owned(),
            token: line["crm"]["token"].as_str().unwrap().to_owned(),
            runtime: tokio::runtime::Runtime::new().unwrap(),
            client: reqwest::Client::new(),
        }
    }

    fn get(&self, path: &str) -> (u16, Value) {
        self.runtime.block_on(async {
            let r = self
                .client
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json().await.unwrap_or(Value::Null))
        })
    }

    fn post(&self, path: &str, body: &Value) -> u16 {
        self.runtime.block_on(async {
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    }

    fn stats(&self) -> Value {
        self.get("/_sandbox/stats").1
    }
}

#[test]
fn the_merge_queue_from_proposal_to_restore() {
    let Some(keychain) = support::keychain("steward-merge") else {
        return;
    };
    let service = keychain.service().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.db");
    let Some(demo) = Demo::start(&ws, &service, &[]) else {
        return;
    };
    let crm = Crm::new(&demo.line);
    let run = |args: &[&str]| steward(&ws, &service, args, &[]);
    let as_second = |args: &[&str]| steward(&ws, &service, args, &[("USER", "second-reviewer")]);
    // The demo names ci-owner admin; the second reviewer needs the ops role.
    assert_eq!(
        run(&["role", "grant", "second-reviewer", "--role", "ops"]).code,
        0
    );
    let json_of = |args: &[&str]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = run(&all);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        r.json()
    };

    // The demo built the queue. Every proposal one person may approve alone merges one
    // seeded person's records only; together they find nearly every seeded duplicate.
    let (seeded, seeded_records) = seeded_clusters();
    let queue = json_of(&["merge", "queue", "--limit", "1000"]);
    let proposals = queue["proposals"].as_array().unwrap().clone();
    assert!(proposals.len() > 50, "{}", proposals.len());
    let mut found = 0;
    let mut details: HashMap<i64, Value> = HashMap::new();
    for p in &proposals {
        let id = p["id"].as_i64().unwrap();
        let detail = json_of(&["merge", "show", &id.to_string()]);
        let ids = hub_ids(&detail);
        assert!(ids.len() >= 2);
        let clusters: BTreeSet<Option<&u32>> = ids.iter().map(|i| seeded.get(i)).collect();
        let one_person = clusters.len() == 1 && !clusters.contains(&None);
        if p["secondReason"].is_null() {
            assert!(
                one_person,
                "proposal {id} merges {ids:?}, not one seeded person"
            );
        }
        if one_person {
            found += ids.len() - 1;
        }
        // The survivor is the oldest record.
        let created = |role: &str| -> Vec<String> {
            detail["members"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["role"] == role)
                .filter_map(|m| m["createdAt"].as_str().map(str::to_owned))
                .collect()
        };
        let survivor = created("survivor");
        assert!(
            created("absorbed")
                .iter()
                .all(|a| survivor.iter().all(|s| s <= a))
        );
        details.insert(id, detail);
    }
    // (Variants with neither address nor number are left to a person: too little to merge.)
    assert!(
        found * 100 >= seeded_records * 85,
        "{found} of {seeded_records} seeded duplicates proposed"
    );
    // Every golden field names its rule, and its source when it has a value.
    for d in details.values() {
        for g in d["golden"].as_array().unwrap() {
            assert!(!g["rule"].as_str().unwrap().is_empty(), "{g}");
            if g["rule"] != "override" && !g["value"].is_null() && g["note"].is_null() {
                assert!(!g["sourceRecord"].is_null(), "{g}");
            }
        }
    }

    // The two-person rule: the same person twice is refused; a second person completes it.
    let two = proposals
        .iter()
        .find(|p| !p["secondReason"].is_null())
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let first = json_of(&["merge", "approve", &two]);
    assert_eq!(
        first["awaitingSecond"],
        json!([two.parse::<i64>().unwrap()])
    );
    let again = run(&["merge", "approve", &two]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stdout.contains("someone else"), "{}", again.stdout);
    let second = as_second(&["--json", "merge", "approve", &two]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    let shown = json_of(&["merge", "show", &two]);
    assert_eq!(shown["summary"]["state"], "approved");
    assert_eq!(
        shown["summary"]["approvals"],
        json!(["ci-owner", "second-reviewer"])
    );

    // Three proposals one person may approve.
    let conn = rusqlite::Connection::open(&ws).unwrap();
    let single: Vec<i64> = proposals
        .iter()
        .filter(|p| p["secondReason"].is_null())
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let (rejected, changed, x, bad) = (single[0], single[1], single[2], single[3]);
    // A MAP lead linked to X's record that will be merged away (as an integration links a
    // lead to whichever duplicate it met first); its title emptied, so the sandbox's
    // integration has nothing to copy back.
    let absorbed_id = details[&x]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "absorbed")
        .unwrap()["externalId"]
        .as_str()
        .unwrap()
        .to_owned();
    let map_system = run(&["--json", "system", "list"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "marketing")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let lead: String = conn
        .query_row(
            "SELECT r.external_id FROM records r JOIN systems s ON s.id = r.system_id
             WHERE s.kind = 'marketing' AND r.archived = 0 ORDER BY r.external_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let map = &demo.line["map"];
    crm.runtime.block_on(async {
        let base = map["base_url"].as_str().unwrap();
        let token: Value = crm
            .client
            .get(format!(
                "{base}/identity/oauth/token?grant_type=client_credentials&client_id={}&client_secret={}",
                map["client_id"].as_str().unwrap(),
                map["client_secret"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let written: Value = crm
            .client
            .post(format!(
                "{base}/rest/v1/leads.json?access_token={}",
                token["access_token"].as_str().unwrap()
            ))
            .json(&json!({"action": "updateOnly", "lookupField": "id", "input": [
                {"id": lead.parse::<u64>().unwrap(), "crmContactId": absorbed_id, "title": ""}
            ]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(written["result"][0]["status"], "updated", "{written}");
    });
    json_of(&["sync", "--system", &map_system]);
    let repointed = (x, lead, absorbed_id);

    // Reject: remembered as "not a duplicate"; matching again does not bring the pair back.
    let r = run(&[
        "merge",
        "reject",
        &rejected.to_string(),
        "--why",
        "two people, one name",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rejected_ids = hub_ids(&details[&rejected]);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM merge_not_duplicates"),
        1,
        "one pair remembered"
    );
    json_of(&["duplicates"]);
    json_of(&["merge", "propose"]);
    let open: Vec<Value> =
        json_of(&["merge", "queue", "--state", "pending", "--limit", "1000"])["proposals"]
            .as_array()
            .unwrap()
            .clone();
    for p in &open {
        let ids = hub_ids(&json_of(&["merge", "show", &p["id"].to_string()]));
        assert!(
            !rejected_ids.iter().all(|r| ids.contains(r)),
            "the rejected pair {rejected_ids:?} came back as proposal {}",
            p["id"]
        );
    }

    // A reviewer's value: set with why, approvals withdrawn, written after the merge, and
    // never in the audit log.
    let title = "Head of Data Stewardship";
    json_of(&["merge", "approve", &x.to_string()]);
    let edited = json_of(&[
        "merge",
        "set",
        &x.to_string(),
        "--field",
        "job_title",
        "--value",
        title,
        "--why",
        "confirmed on a call",
    ]);
    assert_eq!(
        edited["summary"]["state"], "pending",
        "an edit withdraws approvals"
    );
    let row = edited["golden"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "job_title")
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["value"].as_str(),
            row["rule"].as_str(),
            row["written"].as_bool()
        ),
        (Some(title), Some("override"), Some(true))
    );
    // A cleared value goes back to the rules.
    let set = json_of(&[
        "merge",
        "set",
        &x.to_string(),
        "--field",
        "city",
        "--value",
        "Lisbon",
        "--why",
        "moved",
    ]);
    assert!(
        set["golden"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["key"] == "city" && g["rule"] == "override")
    );
    let cleared = json_of(&[
        "merge",
        "set",
        &x.to_string(),
        "--field",
        "city",
        "--clear",
        "--why",
        "the rules decide",
    ]);
    let city = cleared["golden"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "city")
        .unwrap()
        .clone();
    assert_ne!(city["rule"], "override", "{city}");
    json_of(&["merge", "approve", &x.to_string()]);

    // Changed in the CRM since review: back to pending, nothing merged.
    json_of(&["merge", "approve", &changed.to_string()]);
    let changed_survivor = details[&changed]["summary"]["survivor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        crm.post(
            "/crm/v3/objects/contacts/batch/update",
            &json!({"inputs": [{"id": changed_survivor, "properties": {"jobtitle": "Changed Meanwhile"}}]}),
        ),
        200
    );
    // A value HubSpot would refuse (not one of the lead status options): caught before the
    // merge, not after it.
    json_of(&[
        "merge",
        "set",
        &bad.to_string(),
        "--field",
        "lead_status",
        "--value",
        "MAYBE_LATER",
        "--why",
        "typed in a hurry",
    ]);
    json_of(&["merge", "approve", &bad.to_string()]);
    let merges_before = crm.stats()["merges_performed"].as_u64().unwrap();
    let report = json_of(&[
        "merge",
        "execute",
        "--yes",
        &x.to_string(),
        &changed.to_string(),
        &two,
        &bad.to_string(),
    ]);
    let mut back: Vec<(i64, String)> = report["backToPending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b[0].as_i64().unwrap(), b[1].as_str().unwrap().to_owned()))
        .collect();
    back.sort();
    let mut expected = vec![changed, bad];
    expected.sort_unstable();
    assert_eq!(
        back.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        expected,
        "{report}"
    );
    let refused = &back.iter().find(|(id, _)| *id == bad).unwrap().1;
    assert!(
        refused.contains("lead_status is not one of hs_lead_status's options")
            && !refused.contains("MAYBE_LATER"),
        "{refused}"
    );
    assert_eq!(report["failed"], json!([]), "{report}");
    let x_detail = json_of(&["merge", "show", &x.to_string()]);
    let two_detail = json_of(&["merge", "show", &two]);
    let merged = (hub_ids(&x_detail).len() - 1 + hub_ids(&two_detail).len() - 1) as u64;
    assert_eq!(
        crm.stats()["merges_performed"].as_u64().unwrap() - merges_before,
        merged
    );
    let changed_ids = hub_ids(&details[&changed]);
    for id in &changed_ids {
        let (status, o) = crm.get(&format!("/crm/v3/objects/contacts/{id}"));
        assert_eq!(
            (status, o["id"].as_str()),
            (200, Some(id.as_str())),
            "not merged"
        );
    }
    assert_eq!(
        json_of(&["merge", "show", &changed.to_string()])["summary"]["state"],
        "pending"
    );

    // X: merged, its value written, the MAP lead pointed at the survivor.
    assert_eq!(x_detail["summary"]["state"], "done");
    let survivor = x_detail["summary"]["survivor"].as_str().unwrap().to_owned();
    let (_, contact) = crm.get(&format!(
        "/crm/v3/objects/contacts/{survivor}?properties=jobtitle"
    ));
    assert_eq!(contact["properties"]["jobtitle"], title);
    let (status, absorbed) = crm.get(&format!("/crm/v3/objects/contacts/{}", repointed.2));
    assert_eq!(
        (status, absorbed["id"].as_str()),
        (200, Some(survivor.as_str()))
    );
    json_of(&["sync", "--system", &map_system, "--full"]);
    let lead_points_at: String = conn
        .query_row(
            "SELECT f.value FROM records r JOIN record_fields f ON f.record_id = r.id
             WHERE r.external_id = ?1 AND f.field = 'crmContactId'",
            [&repointed.1],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lead_points_at, survivor);
    // The lead also takes the golden values of the fields it does not own (the hub owns the
    // job title): the reviewer's value reached it.
    let lead_title: String = conn
        .query_row(
            "SELECT f.value FROM records r JOIN record_fields f ON f.record_id = r.id
             WHERE r.external_id = ?1 AND f.field = 'title'",
            [&repointed.1],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lead_title, title);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM audit_log WHERE details LIKE '%{title}%'")
        ),
        0,
        "a reviewer's value never reaches the audit log"
    );
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM merge_overrides WHERE proposal_id = {x} AND value IS NOT NULL"
            )
        ),
        0,
        "the CRM holds the value now"
    );

    // Restore the merged-away record from its backup: a new record, its company attached.
    let backup = x_detail["backups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["externalId"] == repointed.2.as_str())
        .unwrap()
        .clone();
    let backup_id = backup["id"].to_string();
    let content: Value = serde_json::from_str(
        &conn
            .query_row(
                "SELECT content FROM merge_backups WHERE id = ?1",
                [backup["id"].as_i64().unwrap()],
                |r| r.get::<_, String>(0),
            )
            .unwrap(),
    )
    .unwrap();
    let refused = run(&["merge", "restore", &backup_id, "--why", "merged by mistake"]);
    assert_ne!(refused.code, 0, "a restore needs --yes");
    let restored = json_of(&[
        "merge",
        "restore",
        &backup_id,
        "--why",
        "merged by mistake",
        "--yes",
    ]);
    let new_id = restored["newId"].as_str().unwrap().to_owned();
    assert_ne!(new_id, repointed.2);
    let (status, again) = crm.get(&format!(
        "/crm/v3/objects/contacts/{new_id}?properties=firstname,lastname&associations=companies"
    ));
    assert_eq!(status, 200);
    assert_eq!(
        again["properties"]["firstname"],
        content["properties"]["firstname"]
    );
    assert_eq!(
        again["properties"]["lastname"],
        content["properties"]["lastname"]
    );
    let companies: Vec<String> = again
        .pointer("/associations/companies/results")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let backed_up: Vec<String> = content["associations"]["companies"]
        .as_array()
        .map(|l| l.iter().map(|c| c.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(companies, backed_up);
    let twice = run(&["merge", "restore", &backup_id, "--why", "again", "--yes"]);
    assert_ne!(twice.code, 0);
    assert!(
        twice.stderr.contains("already restored"),
        "{}",
        twice.stderr
    );
    // A restore killed after its create call (the journal has only its start): the next
    // attempt finds the record it made instead of making another.
    let created_before = crm.stats()["records_created"].as_u64().unwrap();
    rusqlite::Connection::open(&ws)
        .unwrap()
        .execute(
            "UPDATE merge_backups SET restored_as = NULL WHERE id = ?1",
            [backup["id"].as_i64().unwrap()],
        )
        .unwrap();
    let again = json_of(&[
        "merge",
        "restore",
        &backup_id,
        "--why",
        "merged by mistake",
        "--yes",
    ]);
    assert_eq!(again["newId"].as_str(), Some(new_id.as_str()));
    assert_eq!(
        crm.stats()["records_created"].as_u64().unwrap(),
        created_before,
        "no second record"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit_log WHERE action = 'merge.restore'"
        ),
        2,
        "the restore, and its completion after the interruption"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit_log WHERE action = 'merge.restore_started'"
        ),
        1,
        "one create call"
    );

    // An erasure of the restored person purges the backups that hold them too.
    let email = content["properties"]["email"].as_str().unwrap().to_owned();
    let holding = |email: &str| {
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM merge_backups WHERE content LIKE '%{}%'",
                email.replace('\'', "")
            ),
        )
    };
    assert!(holding(&email) >= 1);
    let erased = run(&[
        "erasure",
        "request",
        "--email",
        &email,
        "--reference",
        "DSR-7",
    ]);
    assert_eq!(erased.code, 0, "{}{}", erased.stdout, erased.stderr);
    assert_eq!(holding(&email), 0, "no backup keeps an erased person");
    drop(demo);
    let _ = Path::new(&ws);
}
