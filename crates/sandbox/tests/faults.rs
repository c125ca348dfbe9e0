//! Injected faults: the share asked for, each in the system's own dialect, counted in the
//! server's stats, and never on the stats endpoint itself.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use std::time::{Duration, Instant};

use serde_json::Value;
use steward_sandbox::faults::FaultRates;
use steward_sandbox::server::{Config, start};

#[tokio::test]
async fn faults_arrive_at_the_rates_asked_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let faults = FaultRates {
        too_many_requests: 15,
        server_error: 15,
        slow: 10,
        dropped: 10,
        lost_reply: 0,
        slow_by: Duration::from_millis(30),
    };
    let config = Config {
        faults,
        ..Config::with_defaults(5, 200, dir.path().to_owned())
    };
    let running = start(&config).await.unwrap();
    let client = reqwest::Client::new();
    let crm = &running.endpoints.crm;
    let (mut ok, mut limited, mut failed, mut dropped, mut slow) = (0, 0, 0, 0, 0);
    for _ in 0..150 {
        let started = Instant::now();
        let response = client
            .get(format!("{}/crm/v3/objects/contacts?limit=1", crm.base_url))
            .bearer_auth(&crm.token)
            .send()
            .await;
        let Ok(response) = response else {
            dropped += 1;
            continue;
        };
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").cloned();
        match response.text().await {
            Err(_) => dropped += 1,
            Ok(body) => match status {
                200 => {
                    ok += 1;
                    if started.elapsed() >= Duration::from_millis(30) {
                        slow += 1;
                    }
                }
                429 => {
                    limited += 1;
                    assert!(retry_after.is_some());
                    let body: Value = serde_json::from_str(&body).unwrap();
                    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
                }
                502 => failed += 1,
                other => panic!("unexpected status {other}"),
            },
        }
    }
    // 150 draws at 15/15/10/10 %: each class well away from zero and from everything.
    for (name, n) in [
        ("429", limited),
        ("5xx", failed),
        ("dropped", dropped),
        ("slow", slow),
    ] {
        assert!((3..=45).contains(&n), "{name}: {n}");
    }
    assert_eq!(ok + limited + failed + dropped, 150);
    let stats = running.crm.stats.snapshot();
    assert!(
        stats.faults_injected >= limited + failed + dropped,
        "every fault is counted"
    );
    assert_eq!(
        stats.rate_limited, 0,
        "injected 429s are faults, not the real limiter"
    );

    // The stats endpoint is never faulted.
    for _ in 0..30 {
        let response = client
            .get(format!("{}/_sandbox/stats", crm.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

#[test]
fn rates_over_100_percent_are_refused() {
    let rates = FaultRates {
        too_many_requests: 60,
        server_error: 50,
        ..FaultRates::none()
    };
    assert!(rates.validate().unwrap_err().contains("110%"));
}
