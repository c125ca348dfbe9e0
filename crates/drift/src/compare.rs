//! When two systems' values of a field say the same thing. Drift is about values that mean
//! different things, so spelling is seen through the matching engine's normalisers: case,
//! whitespace and accents; a nickname for the same first name; a company's legal form; an
//! address's gmail dots and `+tag`; a phone number's format. A status compares through the
//! status model, and a value the model does not map is not compared at all (it is reported
//! as unmapped instead).

use steward_domain::{Timestamp, ValueKind};
use steward_matching::normalise;

use crate::input::Field;

/// Why a value was not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Empty,
    /// A status value the status model does not map.
    Unmapped,
}

/// The form of `raw` two values are compared in, as `system` writes it. `region` is the
/// record's country as an ISO region (for numbers dialled at home).
pub fn key(field: &Field, system: &str, raw: &str, region: Option<&str>) -> Result<String, Skip> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Skip::Empty);
    }
    if let Some(model) = &field.status {
        return model
            .canonical(system, raw)
            .map(str::to_owned)
            .ok_or(Skip::Unmapped);
    }
    let folded = || normalise::fold(raw);
    Ok(match field.key.as_str() {
        "first_name" => normalise::canonical_first(&folded()).to_owned(),
        "full_name" => normalise::person(None, None, Some(raw))
            .map_or_else(folded, |p| format!("{} {}", p.first_canonical, p.last)),
        "company_name" | "name" => normalise::company(raw).unwrap_or_else(folded),
        _ => match field.kind {
            ValueKind::Email => normalise::email(raw).map_or_else(folded, |e| e.address),
            ValueKind::Phone => {
                normalise::phone(raw, region).map_or_else(|| normalise::digits(raw), |p| p.e164)
            }
            ValueKind::Url => url_key(raw),
            ValueKind::Date => day_key(raw).unwrap_or_else(folded),
            ValueKind::Number => raw
                .replace([',', ' ', '_'], "")
                .parse::<f64>()
                .map_or_else(|_| folded(), |n| format!("{n}")),
            ValueKind::Text | ValueKind::Enumeration => folded(),
        },
    })
}

/// A domain or URL without scheme, `www.`, path slash or case.
fn url_key(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    let rest = lower
        .split_once("://")
        .map_or(lower.as_str(), |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    rest.trim_end_matches('/').to_owned()
}

/// The UTC day of an instant written as RFC 3339, `YYYY-MM-DD…` or epoch milliseconds: dates
/// compare by day, since one system's date is often another's midnight.
fn day_key(raw: &str) -> Option<String> {
    if let Ok(t) = Timestamp::parse_rfc3339(raw) {
        return Some(t.to_rfc3339()[..10].to_owned());
    }
    let b = raw.as_bytes();
    if b.len() >= 10
        && b[..10].is_ascii()
        && b[4] == b'-'
        && b[7] == b'-'
        && raw[..4]
            .bytes()
            .chain(raw[5..7].bytes())
            .chain(raw[8..10].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return Some(raw[..10].to_owned());
    }
    if raw.len() >= 11 && raw.bytes().all(|c| c.is_ascii_digit()) {
        let ms: i64 = raw.parse().ok()?;
        return Some(Timestamp::from_millis(ms).to_rfc3339()[..10].to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use steward_domain::{ConflictPolicy, FieldCategory, FieldKey, ObjectType, StatusModel};

    use super::*;
    use crate::input::Authority;

    fn field(key: &str, kind: ValueKind) -> Field {
        Field {
            object: ObjectType::Person,
            key: FieldKey::parse(key).unwrap(),
            kind,
            category: FieldCategory::Identity,
            policy: ConflictPolicy::AuthorityWins,
            authority: Authority::Hub,
            authority_name: "hub".into(),
            status: None,
        }
    }

    fn same(f: &Field, a: &str, b: &str) -> bool {
        key(f, "x", a, Some("GB")) == key(f, "x", b, Some("GB"))
    }

    #[test]
    fn spelling_is_not_drift() {
        assert!(same(
            &field("first_name", ValueKind::Text),
            "Robert",
            " bob "
        ));
        assert!(same(
            &field("last_name", ValueKind::Text),
            "Müller",
            "MUELLER"
        ));
        assert!(same(
            &field("full_name", ValueKind::Text),
            "Robert  Smith",
            "Bob smith"
        ));
        assert!(same(
            &field("company_name", ValueKind::Text),
            "Acme GmbH",
            "ACME"
        ));
        assert!(same(
            &field("email", ValueKind::Email),
            "J.Smith@Gmail.com ",
            "jsmith@gmail.com"
        ));
        assert!(same(
            &field("phone", ValueKind::Phone),
            "+44 20 7946 0018",
            "020 7946 0018"
        ));
        assert!(same(
            &field("domain", ValueKind::Url),
            "https://www.acme.test/",
            "acme.test"
        ));
        assert!(same(
            &field("created_at", ValueKind::Date),
            "2024-03-05T10:00:00Z",
            "2024-03-05"
        ));
    }

    #[test]
    fn odd_dates_never_panic() {
        let f = field("created_at", ValueKind::Date);
        for raw in [
            "2024-03-0é",
            "2024-0é-05",
            "é",
            "2024-03-05x",
            "99999999999999999999",
        ] {
            let _ = key(&f, "x", raw, None);
        }
    }

    #[test]
    fn different_values_stay_different() {
        assert!(!same(
            &field("first_name", ValueKind::Text),
            "Robert",
            "Richard"
        ));
        assert!(!same(
            &field("phone", ValueKind::Phone),
            "+44 20 7946 0018",
            "+44 20 7946 0099"
        ));
        assert!(!same(&field("job_title", ValueKind::Text), "CEO", "CFO"));
    }

    #[test]
    fn statuses_compare_through_the_model_and_unmapped_ones_are_skipped() {
        let mut f = field("lead_status", ValueKind::Enumeration);
        f.status = Some(StatusModel {
            object: ObjectType::Person,
            field: f.key.clone(),
            values: vec!["NEW".into(), "IN_PROGRESS".into()],
            systems: BTreeMap::from([(
                "MAP".into(),
                BTreeMap::from([("Working".into(), "IN_PROGRESS".into())]),
            )]),
        });
        assert_eq!(key(&f, "MAP", "Working", None), Ok("IN_PROGRESS".into()));
        assert_eq!(
            key(&f, "CRM", "IN_PROGRESS", None),
            Ok("IN_PROGRESS".into())
        );
        assert_eq!(key(&f, "MAP", "Nurture", None), Err(Skip::Unmapped));
        assert_eq!(key(&f, "MAP", "  ", None), Err(Skip::Empty));
    }
}
