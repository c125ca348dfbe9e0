//! What to read from a SQL database: which table or view holds each object, and which of its
//! columns mean what. Parsed from TOML, checked by a pure [`SqlSettings::validate`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use steward_domain::ObjectType;

use crate::error::ConnectorError;
use crate::model::Crosswalk;

/// PostgreSQL truncates longer names (NAMEDATALEN - 1); SQLite has no limit but needs none.
const MAX_NAME_LEN: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlSettings {
    pub objects: Vec<SqlObject>,
}

/// One object (people or companies) and the table or view it is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlObject {
    pub object: ObjectType,
    /// A table or view, optionally schema-qualified (`crm.accounts`). Quoted as written, so
    /// in PostgreSQL it is case-sensitive: write it as the catalog spells it.
    pub table: String,
    /// The id column. It must be unique (a primary key): reads page through it.
    pub id: String,
    #[serde(default)]
    pub created_at: Option<String>,
    /// Enables incremental reads.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Column -> stored field name; when empty, every column of the table is read under its
    /// own name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// A column holding the hub's id of the same record (e.g. `accounts.crm_company_id`).
    #[serde(default)]
    pub crosswalk: Option<String>,
    /// A column holding the id of a record of another object in this database
    /// (`users.account_id` -> company), stored as the record's associations.
    #[serde(default)]
    pub association: Option<SqlAssociation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlAssociation {
    pub column: String,
    pub object: ObjectType,
}

impl SqlSettings {
    /// Parses and validates settings. Parse errors carry toml's line and column.
    pub fn from_toml(text: &str) -> Result<Self, ConnectorError> {
        let settings: Self = toml::from_str(text).map_err(|e| {
            ConnectorError::config(format!("SQL settings: {}", e.to_string().trim_end()))
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the settings without touching a database.
    pub fn validate(&self) -> Result<(), ConnectorError> {
        if self.objects.is_empty() {
            return Err(ConnectorError::config(
                "SQL settings name no table; add an [[objects]] entry",
            ));
        }
        let mut seen = BTreeSet::new();
        for object in &self.objects {
            if !seen.insert(object.object) {
                return Err(ConnectorError::config(format!(
                    "SQL settings name {} twice; read each object from one table",
                    object.object
                )));
            }
            object
                .validate()
                .map_err(|why| ConnectorError::config(format!("{}: {why}", object.object)))?;
        }
        Ok(())
    }

    /// The settings of one object, or a config error when it is not set up.
    pub(crate) fn object(&self, object: ObjectType) -> Result<&SqlObject, ConnectorError> {
        self.validate()?;
        self.objects
            .iter()
            .find(|o| o.object == object)
            .ok_or_else(|| {
                ConnectorError::config(format!("no table is set up for {object} in this database"))
            })
    }

    /// The configured objects, in the order they are read.
    pub(crate) fn object_types(&self) -> Vec<ObjectType> {
        self.objects.iter().map(|o| o.object).collect()
    }

    /// Incremental reads need a change-time column on every object.
    pub(crate) fn incremental(&self) -> bool {
        self.objects.iter().all(|o| o.updated_at.is_some())
    }

    pub(crate) fn crosswalks(&self) -> Vec<Crosswalk> {
        self.objects
            .iter()
            .filter_map(|o| {
                let column = o.crosswalk.as_ref()?;
                Some(Crosswalk {
                    object: o.object,
                    field: o.stored_name(column).to_owned(),
                })
            })
            .collect()
    }
}

impl SqlObject {
    fn validate(&self) -> Result<(), String> {
        check_table(&self.table)?;
        let columns = [
            ("id", Some(&self.id)),
            ("created_at", self.created_at.as_ref()),
            ("updated_at", self.updated_at.as_ref()),
            ("crosswalk", self.crosswalk.as_ref()),
            (
                "association.column",
                self.association.as_ref().map(|a| &a.column),
            ),
        ];
        for (what, column) in columns {
            if let Some(column) = column {
                check_name(column).map_err(|why| format!("{what}: {why}"))?;
            }
        }
        self.validate_fields()?;
        match &self.crosswalk {
            Some(column) if !self.fields.is_empty() && !self.fields.contains_key(column) => {
                Err(format!(
                    "the crosswalk column `{column}` is not among `fields`; map it to a field name"
                ))
            }
            _ => Ok(()),
        }
    }

    fn validate_fields(&self) -> Result<(), String> {
        let mut stored = BTreeSet::new();
        for (column, name) in &self.fields {
            check_name(column).map_err(|why| format!("fields: {why}"))?;
            if name.trim().is_empty() || name.trim() != name {
                return Err(format!(
                    "fields: column `{column}` needs a field name without surrounding spaces"
                ));
            }
            if !stored.insert(name.as_str()) {
                return Err(format!(
                    "fields: two columns are stored as `{name}`; give each its own field name"
                ));
            }
        }
        Ok(())
    }

    /// The field name a column's values are stored under.
    pub(crate) fn stored_name<'a>(&'a self, column: &'a str) -> &'a str {
        self.fields.get(column).map_or(column, String::as_str)
    }
}

/// `schema.table` or `table`, each part a plain SQL name.
fn check_table(table: &str) -> Result<(), String> {
    let mut parts = table.split('.');
    let valid = match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, None) => check_name(name).is_ok(),
        (Some(schema), Some(name), None) => check_name(schema).is_ok() && check_name(name).is_ok(),
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "table `{table}` is not a plain SQL name (letters, digits and _, not starting with a digit, at most {MAX_NAME_LEN} long; `schema.table` allowed)"
        ))
    }
}

/// A plain SQL name: `[A-Za-z_][A-Za-z0-9_]*`. Names are still quoted when used; this keeps
/// settings to names every database and every reader of them agree on.
fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = name.len() <= MAX_NAME_LEN
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a plain SQL name (letters, digits and _, not starting with a digit, at most {MAX_NAME_LEN} long)"
        ))
    }
}

/// Quotes an identifier for SQL. Safe for any text, validated or not.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a possibly schema-qualified table name part by part.
pub(crate) fn quote_table(table: &str) -> String {
    table.split('.').map(quote).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn portal() -> String {
        include_str!("../../tests/fixtures/portal.toml").replace("SCHEMA.", "main.")
    }

    fn error(text: &str) -> String {
        SqlSettings::from_toml(text).unwrap_err().to_string()
    }

    #[test]
    fn the_portal_settings_parse() {
        let settings = SqlSettings::from_toml(&portal()).unwrap();
        assert_eq!(settings.objects.len(), 2);
        let users = &settings.objects[1];
        assert_eq!(users.object, ObjectType::Person);
        assert_eq!(users.fields["full_name"], "name");
        assert_eq!(
            users.association,
            Some(SqlAssociation {
                column: "account_id".into(),
                object: ObjectType::Company
            })
        );
        assert_eq!(
            settings.crosswalks(),
            vec![Crosswalk {
                object: ObjectType::Company,
                field: "crm_company_id".into()
            }]
        );
        let round_trip = toml::to_string(&settings).unwrap();
        assert_eq!(SqlSettings::from_toml(&round_trip).unwrap(), settings);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let text = portal().replace("updated_at = ", "modified_at = ");
        let err = error(&text);
        assert!(err.contains("unknown field `modified_at`"), "{err}");
        assert!(err.contains("line 8"), "{err}");
        let err = error("[[objects]]\nobject = \"lead\"\ntable = \"t\"\nid = \"id\"\n");
        assert!(err.contains("unknown variant `lead`"), "{err}");
    }

    #[test]
    fn names_that_are_not_plain_sql_are_refused() {
        for (from, to) in [
            ("table = \"accounts\"", "table = \"accounts; DROP TABLE x\""),
            ("table = \"accounts\"", "table = \"a.b.c\""),
            ("table = \"accounts\"", "table = \"\""),
            ("id = \"id\"", "id = \"1id\""),
            ("id = \"id\"", "id = \"id\\\"\""),
            ("email = \"email\"", "\"e mail\" = \"email\""),
            ("crosswalk = \"crm_company_id\"", "crosswalk = \"crm-id\""),
        ] {
            assert!(portal().contains(from), "{from}");
            let err = error(&portal().replacen(from, to, 1));
            assert!(err.contains("not a plain SQL name"), "{to}: {err}");
        }
        assert!(error(&portal().replace("\"account_id\"", "\"a\u{e9}\"")).contains("association"));
        let long = "x".repeat(64);
        assert!(
            error(&portal().replace("id = \"id\"", &format!("id = \"{long}\""))).contains(&long)
        );
    }

    #[test]
    fn each_object_is_read_from_one_table() {
        let text = portal().replace("object = \"person\"", "object = \"company\"");
        assert!(error(&text).contains("company twice"), "{}", error(&text));
        let err = error("objects = []");
        assert!(err.contains("add an [[objects]] entry"), "{err}");
    }

    #[test]
    fn stored_field_names_are_real_and_distinct() {
        let err = error(&portal().replace("\"name\"", "\" \""));
        assert!(
            err.contains("column `full_name` needs a field name"),
            "{err}"
        );
        let err = error(&portal().replace("\"last_login\"", "\"email\""));
        assert!(err.contains("two columns are stored as `email`"), "{err}");
    }

    #[test]
    fn a_mapped_object_maps_its_crosswalk() {
        let text = portal().replace(
            "crosswalk = \"crm_company_id\"",
            "crosswalk = \"crm_company_id\"\nfields = { name = \"name\" }",
        );
        let err = error(&text);
        assert!(err.contains("crosswalk column `crm_company_id`"), "{err}");
        let text = text.replace("{ name = \"name\" }", "{ crm_company_id = \"hub_id\" }");
        let settings = SqlSettings::from_toml(&text).unwrap();
        assert_eq!(settings.crosswalks()[0].field, "hub_id");
    }

    #[test]
    fn identifiers_are_quoted_whatever_they_hold() {
        assert_eq!(quote("order"), "\"order\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_table("crm.accounts"), "\"crm\".\"accounts\"");
    }
}
