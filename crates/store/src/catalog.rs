//! The canonical field catalog.

use rusqlite::{Connection, params};
use steward_domain::{CanonicalField, FieldKey, builtin_catalog};

use crate::Change;
use crate::error::StoreError;

pub(crate) fn insert_builtin(conn: &Connection) -> Result<(), StoreError> {
    for field in builtin_catalog() {
        upsert(conn, &field)?;
    }
    Ok(())
}

fn upsert(conn: &Connection, field: &CanonicalField) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO field_catalog (object, key, label, category, value_kind)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (object, key) DO UPDATE
           SET label = excluded.label, category = excluded.category, value_kind = excluded.value_kind",
        params![
            field.object.as_str(),
            field.key.as_str(),
            field.label,
            field.category.as_str(),
            field.value_kind.as_str()
        ],
    )?;
    Ok(())
}

/// The catalog, ordered by object then key.
pub fn list(conn: &Connection) -> Result<Vec<CanonicalField>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT object, key, label, category, value_kind FROM field_catalog ORDER BY object, key",
    )?;
    let mut rows = stmt.query([])?;
    let mut fields = Vec::new();
    while let Some(row) = rows.next()? {
        let text = |i: usize| -> Result<String, StoreError> { Ok(row.get::<_, String>(i)?) };
        let invalid = |e: String| StoreError::Invalid(format!("field catalog: {e}"));
        fields.push(CanonicalField {
            object: text(0)?.parse().map_err(invalid)?,
            key: FieldKey::parse(&text(1)?).map_err(invalid)?,
            label: text(2)?,
            category: text(3)?.parse().map_err(invalid)?,
            value_kind: text(4)?.parse().map_err(invalid)?,
        });
    }
    Ok(fields)
}

impl Change<'_> {
    /// Adds or relabels a field of the catalog.
    pub fn upsert_field(&self, field: &CanonicalField) -> Result<(), StoreError> {
        upsert(&self.tx, field)
    }
}
