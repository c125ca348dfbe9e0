//! The property catalog (`GET /crm/v3/properties/{objectType}`) and the checks writes get
//! against it.

use serde_json::{Value, json};

use super::objects::ObjectType;
use crate::seed::names::{INDUSTRIES, LEAD_STATUSES, LIFECYCLE_STAGES};

pub struct PropertyDef {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub field_type: &'static str,
    pub group: &'static str,
    pub options: &'static [&'static str],
    pub read_only: bool,
    pub unique: bool,
}

const fn def(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    field_type: &'static str,
    group: &'static str,
) -> PropertyDef {
    PropertyDef {
        name,
        label,
        kind,
        field_type,
        group,
        options: &[],
        read_only: false,
        unique: false,
    }
}

const fn read_only(mut d: PropertyDef) -> PropertyDef {
    d.read_only = true;
    d
}

const fn options(mut d: PropertyDef, options: &'static [&'static str]) -> PropertyDef {
    d.options = options;
    d
}

const fn unique(mut d: PropertyDef) -> PropertyDef {
    d.unique = true;
    d
}

/// A custom property of the sandbox company: is this account a paying customer now?
pub const ACCOUNT_STATUSES: &[&str] = &["active", "churned", "prospect"];

const CONTACT: &[PropertyDef] = &[
    unique(def(
        "email",
        "Email",
        "string",
        "text",
        "contactinformation",
    )),
    def(
        "firstname",
        "First Name",
        "string",
        "text",
        "contactinformation",
    ),
    def(
        "lastname",
        "Last Name",
        "string",
        "text",
        "contactinformation",
    ),
    def(
        "phone",
        "Phone Number",
        "string",
        "phonenumber",
        "contactinformation",
    ),
    def(
        "company",
        "Company Name",
        "string",
        "text",
        "contactinformation",
    ),
    def(
        "jobtitle",
        "Job Title",
        "string",
        "text",
        "contactinformation",
    ),
    def(
        "country",
        "Country/Region",
        "string",
        "text",
        "contactinformation",
    ),
    def("city", "City", "string", "text", "contactinformation"),
    options(
        def(
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            "contactinformation",
        ),
        LIFECYCLE_STAGES,
    ),
    options(
        def(
            "hs_lead_status",
            "Lead Status",
            "enumeration",
            "radio",
            "sales_properties",
        ),
        LEAD_STATUSES,
    ),
    read_only(def(
        "createdate",
        "Create Date",
        "datetime",
        "date",
        "contactinformation",
    )),
    read_only(def(
        "lastmodifieddate",
        "Last Modified Date",
        "datetime",
        "date",
        "contactinformation",
    )),
    read_only(def(
        "hs_lastmodifieddate",
        "Object last modified date/time",
        "datetime",
        "date",
        "contactinformation",
    )),
    read_only(def(
        "hs_object_id",
        "Record ID",
        "number",
        "number",
        "contactinformation",
    )),
    read_only(def(
        "hs_merged_object_ids",
        "Merged Contact IDs",
        "enumeration",
        "checkbox",
        "contactinformation",
    )),
];

const COMPANY: &[PropertyDef] = &[
    def(
        "name",
        "Company name",
        "string",
        "text",
        "companyinformation",
    ),
    unique(def(
        "domain",
        "Company Domain Name",
        "string",
        "text",
        "companyinformation",
    )),
    def(
        "country",
        "Country/Region",
        "string",
        "text",
        "companyinformation",
    ),
    def("city", "City", "string", "text", "companyinformation"),
    options(
        def(
            "industry",
            "Industry",
            "enumeration",
            "select",
            "companyinformation",
        ),
        INDUSTRIES,
    ),
    def(
        "numberofemployees",
        "Number of Employees",
        "number",
        "number",
        "companyinformation",
    ),
    options(
        def(
            "account_status",
            "Account status",
            "enumeration",
            "select",
            "companyinformation",
        ),
        ACCOUNT_STATUSES,
    ),
    read_only(def(
        "createdate",
        "Create Date",
        "datetime",
        "date",
        "companyinformation",
    )),
    read_only(def(
        "hs_lastmodifieddate",
        "Last Modified Date",
        "datetime",
        "date",
        "companyinformation",
    )),
    read_only(def(
        "hs_object_id",
        "Record ID",
        "number",
        "number",
        "companyinformation",
    )),
    read_only(def(
        "hs_merged_object_ids",
        "Merged Company IDs",
        "enumeration",
        "checkbox",
        "companyinformation",
    )),
];

pub fn catalog(object: ObjectType) -> &'static [PropertyDef] {
    match object {
        ObjectType::Contacts => CONTACT,
        ObjectType::Companies => COMPANY,
    }
}

fn label_of(option: &str) -> String {
    let mut label = option.replace('_', " ").to_lowercase();
    if let Some(first) = label.get(..1) {
        label.replace_range(..1, &first.to_uppercase());
    }
    label
}

pub fn to_json(d: &PropertyDef, order: usize) -> Value {
    let options: Vec<Value> = d
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| json!({"label": label_of(o), "value": o, "displayOrder": i, "hidden": false}))
        .collect();
    json!({
        "name": d.name,
        "label": d.label,
        "type": d.kind,
        "fieldType": d.field_type,
        "description": "",
        "groupName": d.group,
        "options": options,
        "displayOrder": order,
        "calculated": d.name == "hs_merged_object_ids",
        "externalOptions": false,
        "hasUniqueValue": d.unique,
        "hidden": false,
        "hubspotDefined": true,
        "formField": !d.read_only,
        "modificationMetadata": {
            "archivable": false,
            "readOnlyDefinition": true,
            "readOnlyValue": d.read_only,
        },
        "createdAt": "2024-01-01T00:00:00.000Z",
        "updatedAt": "2024-01-01T00:00:00.000Z",
        "archived": false,
    })
}

/// Why a written value is refused, in HubSpot's per-property shape.
pub fn check_write(object: ObjectType, name: &str, value: &str) -> Option<Value> {
    let Some(d) = catalog(object).iter().find(|d| d.name == name) else {
        return Some(
            json!({"isValid": false, "message": format!("Property \"{name}\" does not exist"), "error": "PROPERTY_DOESNT_EXIST", "name": name}),
        );
    };
    if d.read_only {
        return Some(
            json!({"isValid": false, "message": format!("\"{name}\" is a read only property; its value cannot be set."), "error": "READ_ONLY_VALUE", "name": name}),
        );
    }
    if !d.options.is_empty() && !value.is_empty() && !d.options.contains(&value) {
        return Some(
            json!({"isValid": false, "message": format!("{value} was not one of the allowed options: {}", d.options.join(", ")), "error": "INVALID_OPTION", "name": name}),
        );
    }
    if d.kind == "number" && !value.is_empty() && value.parse::<f64>().is_err() {
        return Some(
            json!({"isValid": false, "message": format!("{value} is not a valid number"), "error": "INVALID_INTEGER", "name": name}),
        );
    }
    None
}
