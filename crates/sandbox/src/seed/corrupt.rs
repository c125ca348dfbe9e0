//! The ways one person's record comes out different in a second entry: what a matching
//! engine has to see through. Each returns `None` when it does not apply to the record.

use std::collections::BTreeMap;

use super::names::{NICKNAMES, TRANSLITERATIONS};
use super::rng::Rng;

pub type Props = BTreeMap<String, String>;

/// Every kind of corruption, by the name the manifest records.
pub const KINDS: &[&str] = &[
    "typo",
    "nickname",
    "case_whitespace",
    "email_variant",
    "phone_format",
    "company_suffix",
    "transliteration",
    "missing_fields",
    "missing_email",
];

pub fn apply(kind: &str, props: &mut Props, rng: &mut Rng) -> bool {
    match kind {
        "typo" => typo(props, rng),
        "nickname" => nickname(props, rng),
        "case_whitespace" => case_whitespace(props, rng),
        "email_variant" => email_variant(props, rng),
        "phone_format" => phone_format(props),
        "company_suffix" => company_suffix(props),
        "transliteration" => transliteration(props),
        "missing_fields" => missing_fields(props, rng),
        "missing_email" => props.remove("email").is_some(),
        _ => false,
    }
}

fn typo(props: &mut Props, rng: &mut Rng) -> bool {
    let field = if rng.chance(50) {
        "lastname"
    } else {
        "firstname"
    };
    let Some(value) = props.get(field) else {
        return false;
    };
    let mut chars: Vec<char> = value.chars().collect();
    if chars.len() < 4 {
        return false;
    }
    let at = 1 + rng.index(chars.len() - 2);
    if rng.chance(50) {
        chars.swap(at, at + 1);
    } else {
        chars.remove(at);
    }
    let typo: String = chars.into_iter().collect();
    if &typo == value {
        return false;
    }
    props.insert(field.into(), typo);
    true
}

fn nickname(props: &mut Props, rng: &mut Rng) -> bool {
    let Some(first) = props.get("firstname") else {
        return false;
    };
    let Some((_, short)) = NICKNAMES.iter().find(|(formal, _)| formal == first) else {
        return false;
    };
    let short = rng.pick(short).to_string();
    props.insert("firstname".into(), short);
    true
}

fn case_whitespace(props: &mut Props, rng: &mut Rng) -> bool {
    let Some(last) = props.get_mut("lastname") else {
        return false;
    };
    *last = if rng.chance(50) {
        last.to_uppercase()
    } else {
        format!(" {} ", last.to_lowercase())
    };
    if let Some(first) = props.get_mut("firstname")
        && rng.chance(50)
    {
        *first = format!("{first}  ");
    }
    true
}

/// Gmail ignores dots and `+tags` in the local part, so one mailbox has many spellings; at
/// work the same person signs up as `j.mueller@` one day and `johannes.mueller@` the next.
/// (Never a mere change of case: the CRM treats addresses case-insensitively as unique.)
fn email_variant(props: &mut Props, rng: &mut Rng) -> bool {
    let Some(email) = props.get("email") else {
        return false;
    };
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let variant = if domain == "gmail.com" {
        if rng.chance(50) {
            let plain: String = local.chars().filter(|c| *c != '.').collect();
            let mut dotted = String::new();
            for (i, c) in plain.chars().enumerate() {
                if i > 0 && i % 3 == 0 {
                    dotted.push('.');
                }
                dotted.push(c);
            }
            format!("{dotted}@gmail.com")
        } else {
            let tag = rng.pick(&["events", "webinar", "news", "crm"]);
            format!("{local}+{tag}@gmail.com")
        }
    } else {
        let initial: String = local.chars().take(1).collect();
        let rest = local.split_once('.').map_or(local, |(_, last)| last);
        format!("{initial}.{rest}@{domain}")
    };
    if variant.eq_ignore_ascii_case(email) {
        return false;
    }
    props.insert("email".into(), variant);
    true
}

/// The same number written with or without its country code, spaced differently.
fn phone_format(props: &mut Props) -> bool {
    let (Some(phone), Some(trunk)) = (props.get("phone"), props.get("x_trunk")) else {
        return false;
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let Some(dial) = props.get("x_dial") else {
        return false;
    };
    let national = if phone.starts_with('+') {
        digits
            .strip_prefix(dial.as_str())
            .unwrap_or(&digits)
            .to_owned()
    } else {
        digits
            .strip_prefix(trunk.as_str())
            .unwrap_or(&digits)
            .to_owned()
    };
    let variant = if phone.starts_with('+') {
        format!("{trunk}{national}")
    } else {
        format!("00{dial} {national}")
    };
    props.insert("phone".into(), variant);
    true
}

/// "Northwind GmbH" ↔ "Northwind" ↔ "NORTHWIND GMBH".
fn company_suffix(props: &mut Props) -> bool {
    let Some(company) = props.get("company") else {
        return false;
    };
    let Some((stem, _suffix)) = company.rsplit_once(' ') else {
        return false;
    };
    let variant = if stem.contains(' ') {
        company.to_uppercase()
    } else {
        stem.to_owned()
    };
    if &variant == company {
        return false;
    }
    props.insert("company".into(), variant);
    true
}

fn transliteration(props: &mut Props) -> bool {
    let mut changed = false;
    for field in ["firstname", "lastname", "city"] {
        let Some(value) = props.get(field) else {
            continue;
        };
        let mut out = String::with_capacity(value.len());
        for c in value.chars() {
            match TRANSLITERATIONS.iter().find(|(from, _)| *from == c) {
                Some((_, to)) => out.push_str(to),
                None => out.push(c),
            }
        }
        if &out != value {
            props.insert(field.into(), out);
            changed = true;
        }
    }
    changed
}

fn missing_fields(props: &mut Props, rng: &mut Rng) -> bool {
    let candidates = ["phone", "jobtitle", "company", "city"];
    let mut changed = false;
    for field in candidates {
        if rng.chance(50) && props.remove(field).is_some() {
            changed = true;
        }
    }
    changed || props.remove("phone").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Props {
        [
            ("firstname", "Johannes"),
            ("lastname", "Müller"),
            ("email", "johannes.mueller@gmail.com"),
            ("phone", "+49 30 1234567"),
            ("x_dial", "49"),
            ("x_trunk", "0"),
            ("company", "Northwind Logistics GmbH"),
            ("city", "München"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn each_kind_changes_what_it_names() {
        let mut rng = Rng::new(3);
        for kind in KINDS {
            let mut props = person();
            assert!(apply(kind, &mut props, &mut rng), "{kind}");
            assert_ne!(props, person(), "{kind}");
        }
    }

    #[test]
    fn specific_variants_look_like_real_ones() {
        let mut props = person();
        assert!(phone_format(&mut props));
        assert_eq!(props["phone"], "0301234567");
        let mut props = person();
        assert!(transliteration(&mut props));
        assert_eq!(props["lastname"], "Mueller");
        assert_eq!(props["city"], "Muenchen");
        let mut props = person();
        assert!(company_suffix(&mut props));
        assert_eq!(props["company"], "NORTHWIND LOGISTICS GMBH");
        let mut props = person();
        assert!(nickname(&mut props, &mut Rng::new(1)));
        assert!(["Hans", "Jo"].contains(&props["firstname"].as_str()));
    }
}
