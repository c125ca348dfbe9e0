//! The normalising layer: each raw field of a lead record → one canonical spelling, so that
//! equality means "same value" and distances measure real differences.
//!
//! Every function here is pure, allocation-light and idempotent (normalising a normalised value
//! changes nothing), and none panics on any input: they run on every field of a million
//! records within the matching budget.
//!
//! - [`email`]: one address per mailbox (case, Gmail dots, "+tags"), free-mail and role flags.
//! - [`phone`]: E.164 whatever the writing, with the record's country as default region.
//! - [`name`]: folded spellings (umlauts, diacritics, scripts), nickname groups, blocking keys.
//! - [`company`]: names without their legal forms.

pub mod company;
pub mod email;
pub mod name;
mod nicknames;
pub mod phone;

pub use company::company;
pub use email::{Email, email, local_stem};
pub use name::{PersonName, canonical_first, fold, person, skeleton};
pub use phone::{Phone, phone, region_of_country};

/// The ASCII digits of `s`, in order.
pub fn digits(s: &str) -> String {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hint::black_box;
    use std::time::Instant;

    #[test]
    fn digits_only() {
        assert_eq!(digits("+49 (0)30 123-45"), "4903012345");
        assert_eq!(digits("n/a"), "");
    }

    /// Microseconds per call of each normaliser on sandbox-like values, one thread.
    #[test]
    #[ignore = "a benchmark: cargo test --release -p steward-matching normalise_speed -- --ignored --nocapture"]
    fn normalise_speed() {
        fn time<T>(label: &str, inputs: usize, mut f: impl FnMut(usize) -> T) {
            let rounds = 200_000 / inputs.max(1);
            let start = Instant::now();
            for _ in 0..rounds {
                for i in 0..inputs {
                    black_box(f(black_box(i)));
                }
            }
            let per = start.elapsed().as_secs_f64() * 1e6 / (rounds * inputs) as f64;
            eprintln!("{label:28} {per:6.3} µs");
        }
        let phones = [
            ("+49 301 234567", "DE"),
            ("0301 234567", "DE"),
            ("0049 301234567", "DE"),
            ("(555) 123-4567", "US"),
            ("+1 555 123 4567 ext 12", "US"),
            ("020 7946 0000", "GB"),
            ("(11) 98765-4321", "BR"),
            ("011 98765-4321", "BR"),
            ("03-1234-5678", "JP"),
            ("+33 1 23 45 67 89", "FR"),
        ];
        let emails = [
            "J.Smith+webinar@GoogleMail.com",
            "johannes.mueller@northwind-logistics.de",
            "info@acme.co.uk",
            "m.garcia@yahoo.es",
        ];
        let names = [
            "Müller",
            "JOHANSSON",
            " Lefèvre ",
            "van den Berg",
            "Élodie",
            "Jürgen",
        ];
        let people: [(Option<&str>, Option<&str>, Option<&str>); 4] = [
            (Some("Jürgen"), Some("Schäfer"), None),
            (Some("Bob "), Some("MILLER"), None),
            (None, None, Some("Dr. John Michael Smith Jr.")),
            (None, None, Some("de Jong, Daan")),
        ];
        let companies = [
            "Northwind Logistics GmbH & Co. KG",
            "Bluefin Analytics, Inc.",
            "Cobalt Systems S.A. de C.V.",
            "Summit Labs Ltd",
        ];
        let countries = ["Germany", "DE", "United States", "España"];
        time("phone (fast path mix)", phones.len(), |i| {
            phone(phones[i].0, Some(phones[i].1))
        });
        time("phonenumber::parse + E164", phones.len(), |i| {
            let id: phonenumber::country::Id = phones[i].1.parse().ok()?;
            phonenumber::parse(Some(id), phones[i].0)
                .ok()
                .map(|n| n.format().mode(phonenumber::Mode::E164).to_string())
        });
        time("region_of_country", countries.len(), |i| {
            region_of_country(countries[i])
        });
        time("email", emails.len(), |i| email(emails[i]));
        time("fold", names.len(), |i| fold(names[i]));
        time("person", people.len(), |i| {
            person(people[i].0, people[i].1, people[i].2)
        });
        time("canonical_first", names.len(), |i| {
            canonical_first(["bob", "johannes", "liz", "zebulon", "hans", "maria"][i]).len()
        });
        time("skeleton", names.len(), |i| {
            skeleton(
                [
                    "mueller",
                    "johansson",
                    "lefevre",
                    "van den berg",
                    "elodie",
                    "juergen",
                ][i],
            )
        });
        time("company", companies.len(), |i| company(companies[i]));
    }
}
