//! CRM search: filter groups (OR) of filters (AND), one sort, a free-text query, pages of at
//! most 200 and no further than the 10,000th result, as HubSpot's search guide describes.

use std::cmp::Ordering;

use serde::Deserialize;

use super::objects::{CrmObject, ObjectType};
use crate::clock::parse_instant;

pub const MAX_GROUPS: usize = 5;
pub const MAX_FILTERS_PER_GROUP: usize = 6;
pub const MAX_FILTERS: usize = 18;
pub const MAX_LIMIT: usize = 200;
pub const RESULT_CAP: usize = 10_000;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    #[serde(default)]
    pub filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    pub sorts: Vec<Sort>,
    pub query: Option<String>,
    #[serde(default)]
    pub properties: Vec<String>,
    pub limit: Option<usize>,
    /// A string in HubSpot's examples; a number is accepted too.
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterGroup {
    #[serde(default)]
    pub filters: Vec<Filter>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    pub property_name: String,
    pub operator: String,
    pub value: Option<serde_json::Value>,
    pub high_value: Option<serde_json::Value>,
    pub values: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sort {
    pub property_name: String,
    #[serde(default = "ascending")]
    pub direction: String,
}

fn ascending() -> String {
    "ASCENDING".into()
}

const OPERATORS: &[&str] = &[
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
];

/// Checks the request against HubSpot's limits; the message says which one.
pub fn validate(request: &SearchRequest) -> Result<(usize, usize), String> {
    if request.filter_groups.len() > MAX_GROUPS {
        return Err(format!(
            "There are too many filter groups; the maximum is {MAX_GROUPS}."
        ));
    }
    let mut total = 0;
    for group in &request.filter_groups {
        if group.filters.len() > MAX_FILTERS_PER_GROUP {
            return Err(format!(
                "There are too many filters in a filter group; the maximum is {MAX_FILTERS_PER_GROUP}."
            ));
        }
        total += group.filters.len();
        for filter in &group.filters {
            if !OPERATORS.contains(&filter.operator.as_str()) {
                return Err(format!(
                    "Unknown operator {} for property {}.",
                    filter.operator, filter.property_name
                ));
            }
            let needs_value = !matches!(
                filter.operator.as_str(),
                "HAS_PROPERTY" | "NOT_HAS_PROPERTY" | "IN" | "NOT_IN"
            );
            if needs_value && filter.value.is_none() {
                return Err(format!(
                    "Filter on {} with operator {} needs a value.",
                    filter.property_name, filter.operator
                ));
            }
            if matches!(filter.operator.as_str(), "IN" | "NOT_IN") && filter.values.is_none() {
                return Err(format!(
                    "Filter on {} with operator {} needs values.",
                    filter.property_name, filter.operator
                ));
            }
            if filter.operator == "BETWEEN" && filter.high_value.is_none() {
                return Err(format!(
                    "Filter on {} with operator BETWEEN needs a highValue.",
                    filter.property_name
                ));
            }
        }
    }
    if total > MAX_FILTERS {
        return Err(format!(
            "There are too many filters; the maximum is {MAX_FILTERS}."
        ));
    }
    if request.sorts.len() > 1 {
        return Err("Only one sort is allowed.".into());
    }
    let limit = request.limit.unwrap_or(10);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(format!("limit must be between 1 and {MAX_LIMIT}."));
    }
    let after = match &request.after {
        None | Some(serde_json::Value::Null) => 0,
        Some(serde_json::Value::String(text)) if text.is_empty() => 0,
        Some(value) => {
            let text = text(value);
            text.parse::<usize>()
                .map_err(|_| format!("after must be an integer, got \"{text}\"."))?
        }
    };
    if after >= RESULT_CAP {
        return Err(format!(
            "The search endpoint returns at most {RESULT_CAP} results; page beyond it with a narrower filter."
        ));
    }
    Ok((limit, after))
}

fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Orders two property values the way HubSpot does for its types: dates and numbers by
/// value, text without regard to case.
fn compare(a: &str, b: &str) -> Ordering {
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    if let (Some(x), Some(y)) = (parse_instant(a), parse_instant(b)) {
        return x.cmp(&y);
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

/// A total order for sorting: numbers, then dates, then text. (`compare` mixes kinds pair by
/// pair, which is right for a filter but not transitive, and a sort needs transitivity.)
fn sort_key(value: &str) -> (u8, f64, i64, String) {
    if let Ok(n) = value.parse::<f64>()
        && n.is_finite()
    {
        return (0, n, 0, String::new());
    }
    if let Some(at) = parse_instant(value) {
        return (1, 0.0, at, String::new());
    }
    (2, 0.0, 0, value.to_lowercase())
}

fn sort_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (sort_key(a), sort_key(b));
    x.0.cmp(&y.0)
        .then(x.1.total_cmp(&y.1))
        .then(x.2.cmp(&y.2))
        .then(x.3.cmp(&y.3))
}

/// `*` matches any run of characters; everything else literally, without regard to case.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (
        pattern.to_lowercase().chars().collect(),
        text.to_lowercase().chars().collect(),
    );
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A token is a word of the value; the whole value counts too (so `*@gmail.com` works).
fn contains_token(pattern: &str, value: &str) -> bool {
    wildcard(pattern, value)
        || value
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .any(|token| wildcard(pattern, token))
}

fn matches(filter: &Filter, record: &CrmObject, object: ObjectType) -> bool {
    let actual = record.property(object, &filter.property_name);
    let value = filter.value.as_ref().map(text).unwrap_or_default();
    match (filter.operator.as_str(), actual.as_deref()) {
        ("HAS_PROPERTY", v) => v.is_some(),
        ("NOT_HAS_PROPERTY", v) => v.is_none(),
        ("NEQ", None) | ("NOT_IN", None) | ("NOT_CONTAINS_TOKEN", None) => true,
        (_, None) => false,
        ("EQ", Some(v)) => compare(v, &value) == Ordering::Equal,
        ("NEQ", Some(v)) => compare(v, &value) != Ordering::Equal,
        ("LT", Some(v)) => compare(v, &value) == Ordering::Less,
        ("LTE", Some(v)) => compare(v, &value) != Ordering::Greater,
        ("GT", Some(v)) => compare(v, &value) == Ordering::Greater,
        ("GTE", Some(v)) => compare(v, &value) != Ordering::Less,
        ("BETWEEN", Some(v)) => {
            let high = filter.high_value.as_ref().map(text).unwrap_or_default();
            compare(v, &value) != Ordering::Less && compare(v, &high) != Ordering::Greater
        }
        ("IN", Some(v)) => filter
            .values
            .iter()
            .flatten()
            .any(|x| compare(v, &text(x)) == Ordering::Equal),
        ("NOT_IN", Some(v)) => !filter
            .values
            .iter()
            .flatten()
            .any(|x| compare(v, &text(x)) == Ordering::Equal),
        ("CONTAINS_TOKEN", Some(v)) => contains_token(&value, v),
        ("NOT_CONTAINS_TOKEN", Some(v)) => !contains_token(&value, v),
        _ => false,
    }
}

/// The free-text query looks at the default searchable text properties.
fn matches_query(query: &str, record: &CrmObject, object: ObjectType) -> bool {
    let fields: &[&str] = match object {
        ObjectType::Contacts => &["firstname", "lastname", "email", "phone", "company"],
        ObjectType::Companies => &["name", "domain", "phone", "website"],
    };
    let query = query.to_lowercase();
    fields.iter().any(|f| {
        record.property(object, f).is_some_and(|v| {
            v.to_lowercase()
                .split(|c: char| c.is_whitespace())
                .any(|w| w.starts_with(&query))
                || v.to_lowercase().starts_with(&query)
        })
    })
}

/// Every live record that matches, in the requested order.
pub fn run<'a>(
    request: &SearchRequest,
    records: impl Iterator<Item = &'a CrmObject>,
    object: ObjectType,
) -> Vec<&'a CrmObject> {
    let mut hits: Vec<&CrmObject> = records
        .filter(|r| {
            request.filter_groups.is_empty()
                || request
                    .filter_groups
                    .iter()
                    .any(|g| g.filters.iter().all(|f| matches(f, r, object)))
        })
        .filter(|r| {
            request
                .query
                .as_deref()
                .is_none_or(|q| q.trim().is_empty() || matches_query(q.trim(), r, object))
        })
        .collect();
    if let Some(sort) = request.sorts.first() {
        hits.sort_by(|a, b| {
            let (x, y) = (
                a.property(object, &sort.property_name),
                b.property(object, &sort.property_name),
            );
            let order = match (x, y) {
                (Some(x), Some(y)) => sort_order(&x, &y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then(a.id.cmp(&b.id));
            if sort.direction.eq_ignore_ascii_case("DESCENDING") {
                order.reverse()
            } else {
                order
            }
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_hubspot_tokens() {
        assert!(contains_token("*@gmail.com", "ana.silva@gmail.com"));
        assert!(contains_token("silva", "ana.silva@gmail.com"));
        assert!(contains_token("sil*", "Ana Silva"));
        assert!(!contains_token("silvan", "Ana Silva"));
        assert!(wildcard("a*c*e", "abcde"));
        assert!(!wildcard("a*c*f", "abcde"));
    }

    #[test]
    fn values_compare_by_type() {
        assert_eq!(compare("10", "9"), Ordering::Greater);
        assert_eq!(
            compare("2024-01-02T00:00:00.000Z", "1704067200000"),
            Ordering::Greater
        );
        assert_eq!(compare("Ana@X.test", "ana@x.test"), Ordering::Equal);
    }

    #[test]
    fn limits_are_enforced() {
        let mut request = SearchRequest {
            limit: Some(201),
            ..Default::default()
        };
        assert!(validate(&request).unwrap_err().contains("200"));
        request.limit = Some(200);
        request.after = Some("10000".into());
        assert!(validate(&request).unwrap_err().contains("10000"));
        request.after = Some("9800".into());
        assert_eq!(validate(&request), Ok((200, 9800)));
    }
}
