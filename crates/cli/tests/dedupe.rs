//! `steward dedupe` as CLI.md specifies it: CSV in, `id,cluster_id,score` out, a JSON
//! summary, and bad input refused with its line and reason, leaving nothing behind.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn dedupe(dir: &Path, input: &str, extra: &[&str]) -> Output {
    let path = dir.join("in.csv");
    std::fs::write(&path, input).unwrap();
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["dedupe", "--input"])
        .arg(&path)
        .arg("--out")
        .arg(dir.join("out.csv"))
        .args(extra)
        .output()
        .unwrap()
}

fn clusters(dir: &Path) -> HashMap<String, (String, f64)> {
    let mut reader = csv::Reader::from_path(dir.join("out.csv")).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["id", "cluster_id", "score"]);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), (r[1].to_owned(), r[2].parse().unwrap()))
        })
        .collect()
}

/// A small company's leads: people at a few firms, some entered twice with the usual
/// corruptions, colleagues sharing a switchboard.
fn leads() -> String {
    let firms = [
        (
            "Northwind Logistics GmbH",
            "northwind.de",
            "Germany",
            "+49 30 5550000",
        ),
        (
            "Acme Widgets Ltd",
            "acme.co.uk",
            "United Kingdom",
            "+44 20 7946 0000",
        ),
        ("Contoso Inc", "contoso.com", "USA", "+1 415 555 0100"),
    ];
    let firsts = [
        "Johannes",
        "Anna",
        "Robert",
        "Maria",
        "Thomas",
        "Elizabeth",
        "Daniel",
        "Sofia",
        "Michael",
        "Laura",
        "Peter",
        "Julia",
    ];
    let lasts = [
        "Müller", "Schmidt", "Taylor", "Brown", "García", "Rossi", "Nowak", "Jensen", "Dubois",
        "Kowalski", "Svensson", "Tanaka", "Okafor", "Silva", "Novak", "Horvat",
    ];
    let mut out = String::from("id,first_name,last_name,email,phone,company,country,source\n");
    let mut n = 0;
    for (f, (company, domain, country, switchboard)) in firms.iter().enumerate() {
        for p in 0..16 {
            let first = firsts[(p * 5 + f) % firsts.len()];
            let last = lasts[(p * 3 + f * 7) % lasts.len()];
            let local = format!(
                "{}.{}",
                first.to_lowercase(),
                last.to_lowercase().replace('ü', "ue").replace('í', "i")
            );
            let phone = if p % 3 == 0 {
                switchboard.to_string()
            } else {
                format!(
                    "{} {:04}",
                    &switchboard[..switchboard.len() - 4],
                    1000 + p * 37 + f
                )
            };
            n += 1;
            out.push_str(&format!(
                "p{f}-{p},{first},{last},{local}@{domain},{phone},{company},{country},crm\n"
            ));
            if p % 4 == 0 {
                // The same person again, from the marketing platform: a nickname or case
                // change, the company without its legal form, no phone.
                let first2 = match first {
                    "Robert" => "Bob",
                    "Elizabeth" => "Liz",
                    "Michael" => "Mike",
                    other => other,
                };
                let stem = company.rsplit_once(' ').map_or(*company, |(s, _)| s);
                out.push_str(&format!(
                    "p{f}-{p}-map,{first2},{},{}@{domain},,{stem},{country},map\n",
                    last.to_uppercase(),
                    local
                ));
            }
        }
    }
    assert!(n > 40);
    out
}

#[test]
fn finds_the_re_entries_and_keeps_colleagues_apart() {
    let dir = tempfile::tempdir().unwrap();
    let output = dedupe(
        dir.path(),
        &leads(),
        &[
            "--json",
            "--explain",
            "p0-0,p0-0-map",
            "--explain",
            "p0-0,p0-3",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "records",
        "clusters",
        "duplicate_clusters",
        "pairs_compared",
        "seconds",
        "peak_rss_mb",
    ] {
        assert!(summary.get(key).is_some(), "{key} in {summary}");
    }
    let clusters = clusters(dir.path());
    assert_eq!(clusters.len() as u64, summary["records"].as_u64().unwrap());
    let mut wrong = Vec::new();
    for (id, (cluster, score)) in &clusters {
        let person = id.trim_end_matches("-map");
        let expected_together = clusters.contains_key(&format!("{person}-map"));
        let partner = if id.ends_with("-map") {
            person.to_owned()
        } else {
            format!("{person}-map")
        };
        let together = clusters.get(&partner).is_some_and(|(c, _)| c == cluster);
        if expected_together != together {
            wrong.push(id.clone());
        }
        let size = clusters.values().filter(|(c, _)| c == cluster).count();
        assert!(
            size <= 2,
            "colleagues merged into {cluster}: {size} records"
        );
        assert!((0.0..=1.0).contains(score));
        if size == 1 {
            assert_eq!(*score, 1.0, "a record alone scores 1");
        } else {
            assert!(*score >= 0.5, "{id} {score}");
        }
    }
    assert!(wrong.is_empty(), "misplaced: {wrong:?}");
    // Each explanation adds up: prior + Σ evidence = the log-odds of its probability.
    let explanations = summary["explanations"].as_array().unwrap();
    assert_eq!(explanations[0]["same_cluster"], true);
    assert_eq!(
        explanations[1]["same_cluster"], false,
        "colleagues stay apart"
    );
    for e in explanations {
        let p = e["probability"].as_f64().unwrap();
        let bits: f64 = e["prior_bits"].as_f64().unwrap()
            + e["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["bits"].as_f64().unwrap())
                .sum::<f64>();
        let expected = 1.0 / (1.0 + (-bits).exp2());
        assert!((p - expected).abs() < 1e-9, "{e}");
        assert!(e["alternative"].is_string());
    }
    assert!(
        explanations[1]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["comparison"] == "first_name" && x["bits"].as_f64().unwrap() < 0.0),
        "{}",
        explanations[1]
    );
    assert_eq!(summary["duplicate_clusters"], 12);
}

#[test]
fn bad_input_exits_2_naming_the_line_and_writes_nothing() {
    let cases = [
        ("name,email\nAnn,a@x.io\n", "no `id` column"),
        (
            "id,name\n1,Ann\n2,Bo\n1,Cy\n",
            "line 4: the id is the same as line 2's",
        ),
        (
            "id,name\n1,Ann\n2,Bo,extra\n",
            "line 3: the row has 3 fields where the header has 2",
        ),
        ("id,name\n1,Ann\n ,Bo\n", "line 3: the id is empty"),
    ];
    for (input, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let output = dedupe(dir.path(), input, &[]);
        assert_eq!(output.status.code(), Some(2), "{input:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{stderr:?} should say {reason:?}");
        assert!(!dir.path().join("out.csv").exists(), "nothing written");
    }
    // Invalid UTF-8, and a rules file naming a column the input lacks.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.csv"), b"id,name\n1,\xff\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["dedupe", "--input"])
        .arg(dir.path().join("in.csv"))
        .arg("--out")
        .arg(dir.path().join("out.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("line 2: column `name` is not valid UTF-8")
    );
    std::fs::write(
        dir.path().join("rules.toml"),
        "[[compare]]\ncolumn = \"dob\"\nkind = \"date\"\n",
    )
    .unwrap();
    let rules = dir.path().join("rules.toml");
    let output = dedupe(
        dir.path(),
        "id,name\n1,Ann\n",
        &["--rules", rules.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the input has no column `dob`"));
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn an_existing_clusters_file_is_replaced_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.csv"), "keep me\n").unwrap();
    let output = dedupe(dir.path(), "id,name\n1,Ann\n1,Bo\n", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "keep me\n"
    );
    let output = dedupe(dir.path(), "id,first_name\n1,Ann\n2,Bo\n", &[]);
    assert!(output.status.success());
    assert_eq!(clusters(dir.path()).len(), 2);
}
