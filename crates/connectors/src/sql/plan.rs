//! Settings met with the table as the database describes it: which columns a read selects,
//! in what order, and what each one means.

use steward_domain::ObjectType;

use super::settings::{SqlObject, quote_table};
use crate::error::ConnectorError;
use crate::model::SourceField;

/// How a column's values are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Rendered as the database writes it.
    Text,
    /// An instant, rendered as RFC 3339 when it parses.
    Timestamp,
    /// A truth value stored as a number (SQLite's 0 and 1), rendered `true` / `false`.
    Boolean,
    /// Bytes; never read.
    Binary,
}

/// A column as the database's catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub name: String,
    /// The declared type, for `describe`.
    pub sql_type: String,
    pub kind: Kind,
    /// The quoted type a text parameter is cast to when compared with this column
    /// (PostgreSQL); empty where values bind natively (SQLite).
    pub cast: String,
}

/// A selected column and the field name it is stored (and reported) under.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    pub column: Column,
    pub stored: String,
}

/// What one object's reads select. The id is always the first column.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub object: ObjectType,
    /// The quoted table name.
    pub table: String,
    pub select: Vec<Selected>,
    pub updated_at: Option<usize>,
    pub created_at: Option<usize>,
    pub association: Option<(usize, ObjectType)>,
    /// Indices into `select` of the columns stored as fields.
    pub fields: Vec<usize>,
}

impl Plan {
    /// Matches the settings against the table's columns. `fold_case`: the database compares
    /// names case-insensitively (SQLite).
    pub fn resolve(
        settings: &SqlObject,
        catalog: &[Column],
        fold_case: bool,
    ) -> Result<Self, ConnectorError> {
        let config = |why: String| ConnectorError::config(format!("{}: {why}", settings.object));
        if catalog.is_empty() {
            return Err(config(format!(
                "there is no table or view `{}` (or it has no columns)",
                settings.table
            )));
        }
        let find = |name: &str, role: &str| -> Result<Selected, String> {
            let column = catalog
                .iter()
                .find(|c| c.name == name || (fold_case && c.name.eq_ignore_ascii_case(name)))
                .ok_or_else(|| missing(name, &settings.table, catalog))?;
            if column.kind == Kind::Binary {
                return Err(format!(
                    "the {role} column `{name}` holds binary data, which Steward does not read"
                ));
            }
            Ok(Selected {
                column: column.clone(),
                stored: settings.stored_name(name).to_owned(),
            })
        };
        let mut plan = Self {
            object: settings.object,
            table: quote_table(&settings.table),
            select: vec![find(&settings.id, "id").map_err(config)?],
            updated_at: None,
            created_at: None,
            association: None,
            fields: Vec::new(),
        };
        if let Some(name) = &settings.updated_at {
            plan.updated_at = Some(plan.push(find(name, "updated_at").map_err(config)?));
        }
        if let Some(name) = &settings.created_at {
            plan.created_at = Some(plan.push(find(name, "created_at").map_err(config)?));
        }
        if let Some(association) = &settings.association {
            let column = find(&association.column, "association").map_err(config)?;
            plan.association = Some((plan.push(column), association.object));
        }
        for selected in field_columns(settings, catalog, &find).map_err(config)? {
            let index = plan.push(selected);
            plan.fields.push(index);
        }
        Ok(plan)
    }

    fn push(&mut self, selected: Selected) -> usize {
        self.select.push(selected);
        self.select.len() - 1
    }

    /// The stored fields as the database names and types them.
    pub fn describe(&self) -> Vec<SourceField> {
        self.fields
            .iter()
            .map(|&i| {
                let selected = &self.select[i];
                SourceField {
                    name: selected.stored.clone(),
                    label: selected.column.name.clone(),
                    value_type: selected.column.sql_type.clone(),
                    read_only: false,
                }
            })
            .collect()
    }
}

/// The mapped columns, or every readable column when nothing is mapped. Binary columns are
/// left out of an unmapped read silently (there is nothing to store) and refused when mapped.
fn field_columns(
    settings: &SqlObject,
    catalog: &[Column],
    find: &dyn Fn(&str, &str) -> Result<Selected, String>,
) -> Result<Vec<Selected>, String> {
    if settings.fields.is_empty() {
        return Ok(catalog
            .iter()
            .filter(|c| c.kind != Kind::Binary)
            .map(|c| Selected {
                column: c.clone(),
                stored: c.name.clone(),
            })
            .collect());
    }
    settings
        .fields
        .keys()
        .map(|name| find(name, "field"))
        .collect()
}

fn missing(name: &str, table: &str, catalog: &[Column]) -> String {
    let names: Vec<&str> = catalog.iter().map(|c| c.name.as_str()).collect();
    format!(
        "there is no column `{name}` in `{table}` (its columns: {})",
        names.join(", ")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sql::SqlSettings;

    fn column(name: &str, sql_type: &str, kind: Kind) -> Column {
        Column {
            name: name.into(),
            sql_type: sql_type.into(),
            kind,
            cast: String::new(),
        }
    }

    fn users() -> Vec<Column> {
        vec![
            column("id", "BIGINT", Kind::Text),
            column("account_id", "BIGINT", Kind::Text),
            column("email", "TEXT", Kind::Text),
            column("photo", "BLOB", Kind::Binary),
            column("created_at", "TIMESTAMP", Kind::Timestamp),
        ]
    }

    fn object(extra: &str) -> SqlObject {
        let text = format!(
            "[[objects]]\nobject = \"person\"\ntable = \"users\"\nid = \"id\"\ncreated_at = \"created_at\"\n{extra}"
        );
        SqlSettings::from_toml(&text).unwrap().objects.remove(0)
    }

    #[test]
    fn an_unmapped_table_reads_every_readable_column() {
        let plan = Plan::resolve(&object(""), &users(), false).unwrap();
        let fields: Vec<String> = plan.describe().into_iter().map(|f| f.name).collect();
        assert_eq!(fields, ["id", "account_id", "email", "created_at"]);
        assert_eq!(plan.created_at, Some(1));
        assert_eq!(plan.table, "\"users\"");
    }

    #[test]
    fn a_mapped_table_reads_its_mapped_columns_under_their_names() {
        let settings = object("fields = { EMAIL = \"mail\" }");
        assert!(Plan::resolve(&settings, &users(), false).is_err());
        let plan = Plan::resolve(&settings, &users(), true).unwrap();
        assert_eq!(
            plan.describe(),
            vec![SourceField {
                name: "mail".into(),
                label: "email".into(),
                value_type: "TEXT".into(),
                read_only: false
            }]
        );
    }

    #[test]
    fn missing_and_binary_columns_are_named() {
        let err = Plan::resolve(&object("fields = { emial = \"email\" }"), &users(), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no column `emial` in `users`"), "{err}");
        assert!(err.contains("its columns: id, account_id, email"), "{err}");
        let err = Plan::resolve(&object("fields = { photo = \"photo\" }"), &users(), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`photo` holds binary data"), "{err}");
        let err = Plan::resolve(&object(""), &[], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no table or view `users`"), "{err}");
    }
}
