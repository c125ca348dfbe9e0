//! Canonical objects and fields: the one vocabulary every system's fields map onto.

use serde::{Deserialize, Serialize};

use crate::system::string_enum;

string_enum! {
    /// The kinds of thing Steward keeps true. A lead is a person not yet a customer.
    ObjectType ("object type") { Person => "person", Company => "company" }
}

string_enum! {
    /// Decides how conflicts on a field resolve by default (see field authority).
    FieldCategory ("field category") {
        Identity => "identity",
        Status => "status",
        Behavioural => "behavioural",
        Attribution => "attribution",
        Custom => "custom",
    }
}

string_enum! {
    /// How a field's values are normalised and compared.
    ValueKind ("value kind") {
        Text => "text",
        Email => "email",
        Phone => "phone",
        Url => "url",
        Date => "date",
        Number => "number",
        Enumeration => "enumeration",
    }
}

/// A canonical field's key, e.g. `email` or `lifecycle_stage`: lowercase ASCII, digits, `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldKey(String);

impl FieldKey {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "field key \"{raw}\" must be 1–64 characters of a-z, 0-9 and _, starting with a letter"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FieldKey {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<FieldKey> for String {
    fn from(key: FieldKey) -> Self {
        key.0
    }
}

impl std::fmt::Display for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One field of the canonical model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalField {
    pub object: ObjectType,
    pub key: FieldKey,
    pub label: String,
    pub category: FieldCategory,
    pub value_kind: ValueKind,
}

/// The fields every workspace starts with. Users add custom fields beside them.
pub fn builtin_catalog() -> Vec<CanonicalField> {
    use FieldCategory::{Attribution, Behavioural, Identity, Status};
    use ObjectType::{Company, Person};
    use ValueKind::{Date, Email, Enumeration, Number, Phone, Text, Url};
    #[rustfmt::skip]
    let rows: &[(ObjectType, &str, &str, FieldCategory, ValueKind)] = &[
        (Person,  "email",                "Email",                Identity,    Email),
        (Person,  "first_name",           "First name",           Identity,    Text),
        (Person,  "last_name",            "Last name",            Identity,    Text),
        (Person,  "full_name",            "Full name",            Identity,    Text),
        (Person,  "phone",                "Phone",                Identity,    Phone),
        (Person,  "company_name",         "Company",              Identity,    Text),
        (Person,  "job_title",            "Job title",            Identity,    Text),
        (Person,  "country",              "Country",              Identity,    Text),
        (Person,  "city",                 "City",                 Identity,    Text),
        (Person,  "lifecycle_stage",      "Lifecycle stage",      Status,      Enumeration),
        (Person,  "lead_status",          "Lead status",          Status,      Enumeration),
        (Person,  "last_activity_at",     "Last activity",        Behavioural, Date),
        (Person,  "email_opt_out",        "Email opt-out",        Behavioural, Enumeration),
        (Person,  "original_source",      "Original source",      Attribution, Enumeration),
        (Person,  "first_touch_campaign", "First-touch campaign", Attribution, Text),
        (Person,  "created_at",           "Created",              Attribution, Date),
        (Company, "name",                 "Name",                 Identity,    Text),
        (Company, "domain",               "Domain",               Identity,    Url),
        (Company, "country",              "Country",              Identity,    Text),
        (Company, "industry",             "Industry",             Identity,    Enumeration),
        (Company, "employee_count",       "Employees",            Identity,    Number),
        (Company, "account_status",       "Account status",       Status,      Enumeration),
        (Company, "last_activity_at",     "Last activity",        Behavioural, Date),
        (Company, "original_source",      "Original source",      Attribution, Enumeration),
        (Company, "created_at",           "Created",              Attribution, Date),
    ];
    rows.iter()
        .map(
            |&(object, key, label, category, value_kind)| CanonicalField {
                object,
                key: FieldKey(key.to_owned()),
                label: label.to_owned(),
                category,
                value_kind,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn builtin_keys_are_valid_and_unique_per_object() {
        let catalog = builtin_catalog();
        let mut seen = HashSet::new();
        for field in &catalog {
            assert_eq!(FieldKey::parse(field.key.as_str()).as_ref(), Ok(&field.key));
            assert!(
                seen.insert((field.object, field.key.clone())),
                "{}",
                field.key
            );
        }
        for category in FieldCategory::ALL {
            let custom = *category == FieldCategory::Custom;
            assert_eq!(
                catalog.iter().any(|f| f.category == *category),
                !custom,
                "{category}"
            );
        }
    }

    #[test]
    fn field_keys_reject_what_would_break_a_column_name() {
        for bad in ["", "Email", "first name", "1st", "e-mail", &"a".repeat(65)] {
            assert!(FieldKey::parse(bad).is_err(), "{bad:?}");
        }
    }
}
