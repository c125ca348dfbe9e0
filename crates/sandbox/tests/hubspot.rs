//! The sandbox CRM on the wire, against HubSpot's public reference. Each test names the page
//! its expectations were transcribed from (developers.hubspot.com unless noted):
//! - "CRM API | Contacts" (objects list/get/batch/merge/gdpr-delete reference)
//! - "CRM search" (docs/api-reference/search/guide)
//! - "Error handling" (docs/api-reference/error-handling)
//! - "Usage guidelines" (developer-tooling/platform/usage-guidelines)
//! - "CRM API | Properties"

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_sandbox::hubspot::rate_limit::Tier;
use steward_sandbox::server::{Config, Running, start};

async fn sandbox(size: usize, tier: Tier) -> (Running, reqwest::Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        tier,
        ..Config::with_defaults(42, size, dir.path().to_owned())
    };
    let running = start(&config).await.unwrap();
    (running, reqwest::Client::new(), dir)
}

fn url(running: &Running, path: &str) -> String {
    format!("{}{path}", running.endpoints.crm.base_url)
}

async fn get(
    running: &Running,
    client: &reqwest::Client,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = client
        .get(url(running, path))
        .bearer_auth(&running.endpoints.crm.token)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn post(
    running: &Running,
    client: &reqwest::Client,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = client
        .post(url(running, path))
        .bearer_auth(&running.endpoints.crm.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// "Error handling": a missing or wrong token is a 401 with category INVALID_AUTHENTICATION.
#[tokio::test]
async fn a_bad_token_is_refused() {
    let (running, client, _dir) = sandbox(100, Tier::Pro).await;
    for token in [None, Some("pat-na1-wrong")] {
        let mut request = client.get(url(&running, "/crm/v3/objects/contacts"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "error");
        assert_eq!(body["category"], "INVALID_AUTHENTICATION");
        assert!(body["correlationId"].is_string());
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("Authentication credentials not found.")
        );
    }
    let stats: Value = client
        .get(url(&running, "/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["unauthorized"], 2);
}

/// "CRM API | Contacts", list: `results[]` with id, properties (defaults: createdate, email,
/// firstname, hs_object_id, lastmodifieddate, lastname), createdAt, updatedAt, archived, and
/// `paging.next.after`/`link` until the last page.
#[tokio::test]
async fn the_list_pages_through_every_contact_once() {
    let (running, client, _dir) = sandbox(300, Tier::Pro).await;
    let (status, headers, first) =
        get(&running, &client, "/crm/v3/objects/contacts?limit=100").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-hubspot-ratelimit-max"], "190");
    assert_eq!(
        headers["x-hubspot-ratelimit-interval-milliseconds"],
        "10000"
    );
    let record = &first["results"][0];
    let keys: Vec<&str> = record["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname"
        ]
    );
    assert_eq!(record["properties"]["hs_object_id"], record["id"]);
    assert_eq!(record["archived"], false);
    assert!(record["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(
        first["paging"]["next"]["link"]
            .as_str()
            .unwrap()
            .contains("after=")
    );

    let mut seen = std::collections::BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/crm/v3/objects/contacts?limit=100&after={a}"),
            None => "/crm/v3/objects/contacts?limit=100".into(),
        };
        let (_, _, page) = get(&running, &client, &path).await;
        for r in page["results"].as_array().unwrap() {
            assert!(
                seen.insert(r["id"].as_str().unwrap().to_owned()),
                "a contact came twice"
            );
        }
        match page["paging"]["next"]["after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), running.manifest.counts.crm_contacts);

    let (status, _, body) = get(&running, &client, "/crm/v3/objects/contacts?limit=101").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["category"], "VALIDATION_ERROR");
}

/// "CRM API | Contacts": `properties`, `propertiesWithHistory` (value, timestamp, sourceType)
/// and `associations` (companies.results[].id/type).
#[tokio::test]
async fn properties_history_and_associations_come_as_asked() {
    let (running, client, _dir) = sandbox(100, Tier::Pro).await;
    let (_, _, page) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts?limit=5&properties=email,phone&properties=nosuchproperty&propertiesWithHistory=lifecyclestage&associations=companies",
    )
    .await;
    let record = &page["results"][0];
    let props = record["properties"].as_object().unwrap();
    for key in [
        "email",
        "phone",
        "nosuchproperty",
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
    ] {
        assert!(props.contains_key(key), "{key}");
    }
    assert_eq!(props["nosuchproperty"], Value::Null);
    let history = record["propertiesWithHistory"]["lifecyclestage"]
        .as_array()
        .unwrap();
    assert_eq!(history[0]["sourceType"], "IMPORT");
    assert!(history[0]["timestamp"].is_string());
    let company = &record["associations"]["companies"]["results"][0];
    assert_eq!(company["type"], "contact_to_company");
    let (status, _, company_record) = get(
        &running,
        &client,
        &format!(
            "/crm/v3/objects/companies/{}",
            company["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(company_record["properties"]["hs_lastmodifieddate"].is_string());
}

/// "CRM API | Contacts", get by id; the 404 body is HubSpot's observed one.
#[tokio::test]
async fn an_unknown_id_is_a_404_object_not_found() {
    let (running, client, _dir) = sandbox(100, Tier::Pro).await;
    let (status, _, body) = get(&running, &client, "/crm/v3/objects/contacts/101").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], "101");
    let (status, _, body) = get(&running, &client, "/crm/v3/objects/contacts/99999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["category"], "OBJECT_NOT_FOUND");
    assert_eq!(
        body["message"],
        "Object not found.  objectId are usually numeric."
    );
    assert_eq!(body["context"], json!({"id": ["99999999"]}));
}

/// "CRM API | Contacts" batch endpoints and "Error handling" (207 multi-status).
#[tokio::test]
async fn batches_create_read_update_and_archive_with_partial_success() {
    let (running, client, _dir) = sandbox(100, Tier::Pro).await;
    let (status, created) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/create",
        json!({"inputs": [
            {"properties": {"email": "new.lead@example.test", "firstname": "New", "lifecyclestage": "lead"},
             "associations": [{"to": {"id": "5001"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}]},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["status"], "COMPLETE");
    let new_id = created["results"][0]["id"].as_str().unwrap().to_owned();
    assert!(created["startedAt"].is_string() && created["completedAt"].is_string());

    let (status, body) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/create",
        json!({"inputs": [{"properties": {"email": "NEW.LEAD@example.test"}}]}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "emails are unique without regard to case"
    );
    assert!(body["message"].as_str().unwrap().contains(&new_id));

    let (status, body) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/create",
        json!({"inputs": [{"properties": {"favourite_food": "x", "lifecyclestage": "bogus"}}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Property values were not valid"),
        "{message}"
    );
    assert!(
        message.contains("PROPERTY_DOESNT_EXIST") && message.contains("INVALID_OPTION"),
        "{message}"
    );

    let too_many: Vec<Value> = (0..101).map(|i| json!({"id": i.to_string()})).collect();
    let (status, _) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/read",
        json!({"inputs": too_many}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, read) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/read",
        json!({"properties": ["email"], "inputs": [{"id": new_id}, {"id": "424242"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    assert_eq!(read["numErrors"], 1);
    assert_eq!(read["errors"][0]["category"], "OBJECT_NOT_FOUND");
    assert_eq!(read["errors"][0]["context"]["ids"], json!(["424242"]));
    assert_eq!(
        read["results"][0]["properties"]["email"],
        "new.lead@example.test"
    );

    let (status, updated) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/update",
        json!({"inputs": [{"id": new_id, "properties": {"lifecyclestage": "customer"}}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        updated["results"][0]["properties"]["lifecyclestage"],
        "customer"
    );
    let (_, _, history) = get(
        &running,
        &client,
        &format!("/crm/v3/objects/contacts/{new_id}?propertiesWithHistory=lifecyclestage"),
    )
    .await;
    let values: Vec<&str> = history["propertiesWithHistory"]["lifecyclestage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["customer", "lead"], "newest first");

    let response = client
        .post(url(&running, "/crm/v3/objects/contacts/batch/archive"))
        .bearer_auth(&running.endpoints.crm.token)
        .json(&json!({"inputs": [{"id": new_id}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = get(
        &running,
        &client,
        &format!("/crm/v3/objects/contacts/{new_id}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, archived) = get(
        &running,
        &client,
        &format!("/crm/v3/objects/contacts/{new_id}?archived=true"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(archived["archived"], true);
    assert!(archived["archivedAt"].is_string());

    let stats = running.crm.stats.snapshot();
    assert_eq!(
        (
            stats.records_created,
            stats.records_updated,
            stats.records_archived
        ),
        (1, 1, 1)
    );
}

/// "CRM search": filter groups OR'ed, filters AND'ed, operators, one sort, limit ≤ 200,
/// `total`, `paging.next.after`, a 400 past 10,000 results and past the filter limits.
#[tokio::test]
async fn search_filters_sorts_pages_and_enforces_its_limits() {
    let (running, client, _dir) = sandbox(2_000, Tier::Pro).await;
    let path = "/crm/v3/objects/contacts/search";
    // Search allows five requests a second: pace this test under it.
    let post = |running, client, path, body| async move {
        tokio::time::sleep(std::time::Duration::from_millis(210)).await;
        post(running, client, path, body).await
    };
    let (status, gmail) = post(&running, &client, path, json!({
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@gmail.com"}]}],
        "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
        "properties": ["email", "createdate"],
        "limit": 50,
    })).await;
    assert_eq!(status, StatusCode::OK);
    let total = gmail["total"].as_u64().unwrap();
    assert!(total > 50, "{total}");
    let results = gmail["results"].as_array().unwrap();
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(|r| {
        r["properties"]["email"]
            .as_str()
            .unwrap()
            .ends_with("@gmail.com")
    }));
    let dates: Vec<&str> = results
        .iter()
        .map(|r| r["properties"]["createdate"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "sorted newest first"
    );
    assert_eq!(gmail["paging"]["next"]["after"], "50");

    let email = results[0]["properties"]["email"]
        .as_str()
        .unwrap()
        .to_uppercase();
    let (_, exact) = post(
        &running,
        &client,
        path,
        json!({
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]},
                {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": "101"}]},
            ],
        }),
    )
    .await;
    assert_eq!(exact["total"], 2, "two groups are OR'ed; EQ ignores case");

    let (_, none) = post(
        &running,
        &client,
        path,
        json!({
            "filterGroups": [{"filters": [
                {"propertyName": "hs_object_id", "operator": "EQ", "value": "101"},
                {"propertyName": "hs_object_id", "operator": "EQ", "value": "102"},
            ]}],
        }),
    )
    .await;
    assert_eq!(none["total"], 0, "filters in a group are AND'ed");

    let (_, missing_phone) = post(&running, &client, path, json!({"filterGroups": [{"filters": [{"propertyName": "phone", "operator": "NOT_HAS_PROPERTY"}]}]})).await;
    assert!(missing_phone["total"].as_u64().unwrap() > 0);

    for (body, fragment) in [
        (json!({"limit": 201}), "200"),
        (json!({"after": "10000"}), "10000"),
        (
            json!({"filterGroups": (0..6).map(|_| json!({"filters": []})).collect::<Vec<_>>()}),
            "filter groups",
        ),
        (
            json!({"sorts": [{"propertyName": "email"}, {"propertyName": "createdate"}]}),
            "one sort",
        ),
        (
            json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE", "value": "x"}]}]}),
            "operator",
        ),
    ] {
        let (status, error) = post(&running, &client, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["category"], "VALIDATION_ERROR");
        assert!(
            error["message"].as_str().unwrap().contains(fragment),
            "{error}"
        );
    }
}

/// "CRM API | Contacts" merge; "Error handling": 250 identities per profile, refused with 414.
#[tokio::test]
async fn merges_are_irreversible_resolve_to_the_survivor_and_are_capped() {
    let (running, client, _dir) = sandbox(200, Tier::Pro).await;
    let (status, merged) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/merge",
        json!({"primaryObjectId": "101", "objectIdToMerge": "102"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(merged["id"], "101");
    let (status, _, resolved) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts/102?properties=hs_merged_object_ids",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        resolved["id"], "101",
        "a merged id resolves to the survivor"
    );
    assert_eq!(resolved["properties"]["hs_merged_object_ids"], "102");
    let (status, again) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/merge",
        json!({"primaryObjectId": "101", "objectIdToMerge": "102"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");

    // Give 103 a history of 249 identities, so one more merge would make 251.
    {
        let mut crm = running.crm.crm.write().unwrap();
        crm.contacts.records.get_mut(&103).unwrap().merged_ids = (1_000_000..1_000_249).collect();
    }
    let (status, refused) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/merge",
        json!({"primaryObjectId": "103", "objectIdToMerge": "104"}),
    )
    .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("Cannot have more than 250 identities on a profile")
    );
    let (status, _, untouched) = get(&running, &client, "/crm/v3/objects/contacts/104").await;
    assert_eq!(
        (status, untouched["id"].as_str()),
        (StatusCode::OK, Some("104"))
    );
    let stats = running.crm.stats.snapshot();
    assert_eq!((stats.merges_performed, stats.merges_refused), (1, 1));
}

/// "CRM API | Contacts" GDPR delete: 204, and the contact is gone for good.
#[tokio::test]
async fn gdpr_delete_erases_by_id_or_email() {
    let (running, client, _dir) = sandbox(100, Tier::Pro).await;
    let (_, _, record) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts/105?properties=email",
    )
    .await;
    let email = record["properties"]["email"].as_str().unwrap().to_owned();
    let response = client
        .post(url(&running, "/crm/v3/objects/contacts/gdpr-delete"))
        .bearer_auth(&running.endpoints.crm.token)
        .json(&json!({"objectId": email, "idProperty": "email"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts/105?archived=true",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = client
        .post(url(&running, "/crm/v3/objects/contacts/gdpr-delete"))
        .bearer_auth(&running.endpoints.crm.token)
        .json(&json!({"objectId": "106"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(running.crm.stats.snapshot().records_erased, 2);
}

/// "Usage guidelines": 100 requests per rolling 10 s on Starter, the X-HubSpot-RateLimit-*
/// headers, and a 429 whose body names policyName TEN_SECONDLY_ROLLING.
#[tokio::test]
async fn the_ten_second_window_refuses_the_101st_request() {
    let (running, client, _dir) = sandbox(100, Tier::Starter).await;
    for i in 0..100 {
        let (status, headers, _) = get(&running, &client, "/crm/v3/objects/contacts?limit=1").await;
        assert_eq!(status, StatusCode::OK, "request {i}");
        assert_eq!(
            headers["x-hubspot-ratelimit-remaining"],
            (99 - i).to_string().as_str()
        );
    }
    let (status, headers, body) = get(&running, &client, "/crm/v3/objects/contacts?limit=1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry));
    assert_eq!(running.crm.stats.snapshot().rate_limited, 1);
}

/// "CRM search": five requests per second, outside the ten-second window, no rate headers.
#[tokio::test]
async fn search_has_its_own_per_second_limit() {
    let (running, client, _dir) = sandbox(100, Tier::Starter).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = client
            .post(url(&running, "/crm/v3/objects/contacts/search"))
            .bearer_auth(&running.endpoints.crm.token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::OK {
            assert!(
                response
                    .headers()
                    .get("x-hubspot-ratelimit-remaining")
                    .is_none()
            );
        } else {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["policyName"], "SECONDLY");
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 5);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

/// "CRM API | Properties": name, label, type, fieldType, groupName, options, hasUniqueValue.
#[tokio::test]
async fn the_properties_catalog_describes_each_property() {
    let (running, client, _dir) = sandbox(100, Tier::Pro).await;
    let (status, _, body) = get(&running, &client, "/crm/v3/properties/contacts").await;
    assert_eq!(status, StatusCode::OK);
    let results = body["results"].as_array().unwrap();
    let email = results.iter().find(|p| p["name"] == "email").unwrap();
    assert_eq!(
        (
            email["type"].as_str(),
            email["fieldType"].as_str(),
            email["hasUniqueValue"].as_bool()
        ),
        (Some("string"), Some("text"), Some(true))
    );
    let stage = results
        .iter()
        .find(|p| p["name"] == "lifecyclestage")
        .unwrap();
    assert_eq!(stage["type"], "enumeration");
    assert!(
        stage["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["value"] == "customer")
    );
    let stats = running.crm.stats.snapshot();
    assert_eq!(stats.requests["GET /crm/v3/properties/{objectType}"], 1);
}

/// The manifest matches the served data: every seeded duplicate is there, and the corruption
/// the manifest names can be seen in what the CRM serves.
#[tokio::test]
async fn each_manifest_duplicate_is_visible_in_the_served_data() {
    let (running, client, _dir) = sandbox(1_000, Tier::Pro).await;
    let manifest = running.manifest.clone();
    assert!(!manifest.crm_duplicate_clusters.is_empty());
    let properties = [
        "email",
        "firstname",
        "lastname",
        "phone",
        "company",
        "city",
        "jobtitle",
    ];
    for cluster in &manifest.crm_duplicate_clusters {
        let mut inputs = vec![json!({"id": cluster.original})];
        inputs.extend(cluster.variants.iter().map(|v| json!({"id": v.id})));
        let (status, read) = post(
            &running,
            &client,
            "/crm/v3/objects/contacts/batch/read",
            json!({"properties": properties, "inputs": inputs}),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "cluster {} is served whole",
            cluster.cluster
        );
        let by_id: std::collections::BTreeMap<&str, &Value> = read["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap(), &r["properties"]))
            .collect();
        let original = by_id[cluster.original.as_str()];
        for variant in &cluster.variants {
            let copy = by_id[variant.id.as_str()];
            for kind in &variant.corruptions {
                let differs = |field: &str| copy[field] != original[field];
                let visible = match *kind {
                    "typo" | "case_whitespace" => differs("firstname") || differs("lastname"),
                    "nickname" => differs("firstname"),
                    "email_variant" => differs("email") && !copy["email"].is_null(),
                    "missing_email" => copy["email"].is_null(),
                    "phone_format" => differs("phone") || copy["phone"].is_null(),
                    "company_suffix" => differs("company") || copy["company"].is_null(),
                    "transliteration" => {
                        differs("firstname") || differs("lastname") || differs("city")
                    }
                    "missing_fields" => ["phone", "jobtitle", "company", "city"]
                        .iter()
                        .any(|f| copy[*f].is_null() && !original[*f].is_null()),
                    other => panic!("unknown corruption {other}"),
                };
                assert!(
                    visible,
                    "cluster {}: {kind} not visible in {}",
                    cluster.cluster, variant.id
                );
            }
        }
    }
}

/// Edge cases a client trips on: a cursor at the end of the id space, a numeric search
/// cursor, sorting a property whose values mix numbers and text, and email uniqueness
/// within a batch and on update. GDPR delete by email reaches archived holders too.
#[tokio::test]
async fn edges_of_paging_sorting_uniqueness_and_erasure() {
    let (running, client, _dir) = sandbox(300, Tier::Pro).await;
    let (status, _, page) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts?after=18446744073709551615",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["results"], json!([]));

    let (status, sorted) = post(&running, &client, "/crm/v3/objects/contacts/search", json!({"sorts": [{"propertyName": "phone", "direction": "ASCENDING"}], "after": 0, "limit": 200, "properties": ["phone"]})).await;
    assert_eq!(status, StatusCode::OK, "{sorted}");
    assert_eq!(sorted["results"].as_array().unwrap().len(), 200);

    let (status, _) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/create",
        json!({"inputs": [
            {"properties": {"email": "twice@example.test"}},
            {"properties": {"email": "TWICE@example.test"}},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, _, taken) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts/101?properties=email",
    )
    .await;
    let (status, _) = post(
        &running,
        &client,
        "/crm/v3/objects/contacts/batch/update",
        json!({"inputs": [{"id": "102", "properties": {"email": taken["properties"]["email"]}}]}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an email cannot move onto a second contact"
    );

    let (_, _, victim) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts/103?properties=email",
    )
    .await;
    let email = victim["properties"]["email"].as_str().unwrap().to_owned();
    let response = client
        .post(url(&running, "/crm/v3/objects/contacts/batch/archive"))
        .bearer_auth(&running.endpoints.crm.token)
        .json(&json!({"inputs": [{"id": "103"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = client
        .post(url(&running, "/crm/v3/objects/contacts/gdpr-delete"))
        .bearer_auth(&running.endpoints.crm.token)
        .json(&json!({"objectId": email, "idProperty": "email"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = get(
        &running,
        &client,
        "/crm/v3/objects/contacts/103?archived=true",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the archived holder is erased too"
    );
}
