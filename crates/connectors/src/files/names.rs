//! The header names Steward recognises, folded (see [`super::table::fold`]): lowercase,
//! `_ - .` as spaces.

pub(super) const CREATED_NAMES: &[&str] = &[
    "created",
    "created at",
    "created on",
    "created date",
    "createdat",
    "createddate",
    "date created",
    "creation date",
    "create date",
    "registered",
    "registered at",
    "registered on",
    "registration date",
    "date registered",
    "date added",
    "added",
    "added at",
    "added on",
    "signed up",
    "signup date",
    "sign up date",
];
pub(super) const UPDATED_NAMES: &[&str] = &[
    "updated",
    "updated at",
    "updated on",
    "updatedat",
    "last updated",
    "date updated",
    "modified",
    "modified at",
    "modified on",
    "last modified",
    "last modified date",
    "lastmodifieddate",
    "date modified",
    "last changed",
    "last touched",
    "last activity",
    "last activity date",
];
pub(super) const PERSON_NAMES: &[&str] = &[
    "name",
    "full name",
    "fullname",
    "first name",
    "firstname",
    "first",
    "given name",
    "last name",
    "lastname",
    "last",
    "surname",
    "family name",
    "contact",
    "contact name",
    "person",
    "attendee",
    "attendee name",
    "lead name",
    "prospect",
    "prospect name",
];
pub(super) const COMPANY_NAMES: &[&str] = &[
    "name",
    "company",
    "company name",
    "account",
    "account name",
    "organization",
    "organisation",
    "organization name",
    "organisation name",
    "business name",
];

/// `id`, `Registration ID`, `contact_id`.
pub(super) fn is_id_name(folded: &str) -> bool {
    folded == "id" || folded.ends_with(" id")
}

/// `Email`, `E-mail`, `Work email`, `Email address`; not `Email opt-out`.
pub(super) fn is_email_name(folded: &str) -> bool {
    folded == "mail"
        || folded == "emailaddress"
        || ["email", "e mail", "email address", "e mail address"]
            .iter()
            .any(|suffix| folded == *suffix || folded.ends_with(&format!(" {suffix}")))
}

#[cfg(test)]
mod tests {
    use super::super::table::fold;
    use super::*;

    #[test]
    fn ids_and_emails_are_recognised_by_name() {
        for id in ["ID", "Registration ID", "contact_id", "crm-id"] {
            assert!(is_id_name(&fold(id)), "{id}");
        }
        for not in ["Paid", "Valid", "Identity", "idea"] {
            assert!(!is_id_name(&fold(not)), "{not}");
        }
        for email in [
            "Email",
            "E-mail",
            "Work email",
            "Email address",
            "emailaddress",
            "mail",
        ] {
            assert!(is_email_name(&fold(email)), "{email}");
        }
        for not in ["Email opt-out", "Emails sent", "Company"] {
            assert!(!is_email_name(&fold(not)), "{not}");
        }
    }
}
