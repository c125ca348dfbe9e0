//! The engine as a library: progress in stage order, cancellation, explanations that add up,
//! and a rules file's extra columns and linkage mode.
#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use steward_matching::{MatchError, Records, Rules, Stage, run};

fn records(text: &str) -> Records {
    Records::from_csv(text.as_bytes()).unwrap()
}

/// People with a date of birth and a member number; some entered twice with a typo.
fn members() -> String {
    let firsts = [
        "anna", "bruno", "chloe", "dmitri", "elena", "farid", "greta", "hugo",
    ];
    let lasts = [
        "adler", "becker", "costa", "dubois", "ericsson", "fischer", "garcia", "horvat",
    ];
    let mut out = String::from("id,first_name,last_name,dob,member,source\n");
    for i in 0..64 {
        let (first, last) = (firsts[i % 8], lasts[(i / 8 + i) % 8]);
        let dob = format!("19{:02}{:02}{:02}", 50 + i % 40, 1 + i % 12, 1 + i % 28);
        out.push_str(&format!(
            "a{i},{first},{last},{dob},M{:05},a\n",
            10_000 + i * 7
        ));
        if i % 4 == 0 {
            let typo = format!("{}{}", &last[..last.len() - 1], "x");
            out.push_str(&format!(
                "b{i},{first},{typo},{dob},M{:05},b\n",
                10_000 + i * 7
            ));
        }
    }
    out
}

const RULES: &str = r#"
[[compare]]
column = "dob"
kind = "date"
[[compare]]
column = "member"
kind = "text"
[[block]]
on = ["member"]
"#;

#[test]
fn extra_columns_link_what_names_alone_would_not() {
    let records = records(&members());
    let rules = Rules::from_toml(RULES).unwrap();
    let stages = Mutex::new(Vec::new());
    let progress = |stage: Stage, _done: u64, _total: u64| {
        let mut seen = stages.lock().unwrap();
        if seen.last() != Some(&stage) {
            seen.push(stage);
        }
    };
    let outcome = run(&records, &rules, None, &progress, &|| false).unwrap();
    assert_eq!(
        *stages.lock().unwrap(),
        vec![
            Stage::Normalising,
            Stage::Blocking,
            Stage::Comparing,
            Stage::Learning,
            Stage::Clustering
        ]
    );
    let cluster_of = |id: &str| {
        let i = (0..records.len()).find(|&i| records.id(i) == id).unwrap() as u32;
        outcome
            .clusters
            .iter()
            .position(|c| c.members.contains(&i))
            .unwrap()
    };
    for i in (0..64).step_by(4) {
        assert_eq!(
            cluster_of(&format!("a{i}")),
            cluster_of(&format!("b{i}")),
            "{i}"
        );
    }
    assert_eq!(outcome.duplicate_clusters(), 16);
    // Same names, other person (a different member number and date of birth) stay apart.
    assert_ne!(cluster_of("a0"), cluster_of("a8"));

    let explanation = outcome.matcher.explain(0, 1);
    let total = explanation.prior_bits + explanation.evidence.iter().map(|e| e.bits).sum::<f64>();
    assert!((explanation.probability - 1.0 / (1.0 + (-total).exp2())).abs() < 1e-12);
    assert!(
        explanation
            .evidence
            .iter()
            .any(|e| e.comparison == "member")
    );
}

#[test]
fn across_sources_only_never_links_within_a_source() {
    let text = "id,first_name,last_name,email,source\n\
        1,Ann,Lee,ann.lee@acme.io,a\n2,Ann,Lee,ann.lee@acme.io,a\n3,Ann,Lee,ann.lee@acme.io,b\n";
    let rules = Rules {
        across_sources_only: true,
        ..Rules::default()
    };
    let outcome = run(&records(text), &rules, None, &|_, _, _| {}, &|| false).unwrap();
    for pair in &outcome.candidates {
        let (a, b) = steward_matching::blocking::unpack(*pair);
        assert_ne!(
            outcome.matcher.features.source[a],
            outcome.matcher.features.source[b]
        );
    }
    for cluster in &outcome.clusters {
        assert!(!(cluster.members.contains(&0) && cluster.members.contains(&1)));
    }
}

#[test]
fn a_cancelled_run_stops_with_cancelled() {
    let records = records(&members());
    let asked = AtomicUsize::new(0);
    let cancel = || asked.fetch_add(1, Ordering::Relaxed) >= 1;
    let result = run(&records, &Rules::default(), None, &|_, _, _| {}, &cancel);
    assert!(matches!(result, Err(MatchError::Cancelled)));
}

#[test]
fn a_threshold_outside_0_1_is_refused() {
    let result = run(
        &records(&members()),
        &Rules::default(),
        Some(1.0),
        &|_, _, _| {},
        &|| false,
    );
    assert!(matches!(result, Err(MatchError::Rules(_))));
}
