//! Company names without their legal form: "Northwind GmbH", "NORTHWIND G.m.b.H." and
//! "Northwind" are one company to a person typing a form, so they are one string here.
//! Words that tell companies apart ("group", "holding", "labs") stay.

use std::borrow::Cow;

use super::name::fold;

/// Folded ([`fold`]), "&" and "+" read as "and", punctuation removed, letters written with dots
/// or spaces joined ("S.A." → "sa", "G.m.b.H." → "gmbh"), a leading "the" dropped, and trailing
/// legal forms of many countries removed repeatedly ("GmbH & Co. KG", "Co., Ltd.", "S.A. de
/// C.V.", "Sp. z o.o."…). A name that is nothing but such words keeps its last one ("AG" stays
/// "ag"). `None` when nothing is left of the input.
pub fn company(raw: &str) -> Option<String> {
    let folded = fold(raw);
    let words = tokens(&folded);
    let mut start = 0;
    while words.len() - start > 1 && words[start] == "the" {
        start += 1;
    }
    let mut end = words.len();
    while end - start > 1 {
        let tail = &words[start..end];
        let cut = MULTI_WORD_FORMS
            .iter()
            .find(|form| form.len() < tail.len() && ends_with(tail, form))
            .map_or_else(
                || usize::from(is_legal_form(&tail[tail.len() - 1])),
                |form| form.len(),
            );
        if cut == 0 {
            break;
        }
        end -= cut;
    }
    let kept = &words[start..end];
    if kept.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(folded.len());
    for (i, w) in kept.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    Some(out)
}

fn ends_with(words: &[Cow<'_, str>], form: &[&str]) -> bool {
    words.len() >= form.len()
        && words[words.len() - form.len()..]
            .iter()
            .zip(form)
            .all(|(w, f)| w == f)
}

/// The words of a folded name, with "&"/"+" as "and" and runs of single letters joined into one
/// word ("s a de c v" → "sa", "de", "cv").
fn tokens(folded: &str) -> Vec<Cow<'_, str>> {
    let mut words: Vec<Cow<'_, str>> = Vec::with_capacity(8);
    // The last word is a single letter, or single letters joined: the next one joins it.
    let mut letters = false;
    for part in folded.split(' ') {
        for piece in part.split_inclusive(['&', '+']) {
            let (word, and) = match piece.strip_suffix(['&', '+']) {
                Some(word) => (word, true),
                None => (piece, false),
            };
            if !word.is_empty() {
                let single = word.len() == 1 && word.as_bytes()[0].is_ascii_lowercase();
                match words.last_mut() {
                    Some(last) if single && letters => last.to_mut().push_str(word),
                    _ => words.push(Cow::Borrowed(word)),
                }
                letters = single;
            }
            if and {
                words.push(Cow::Borrowed("and"));
                letters = false;
            }
        }
    }
    words
}

/// Legal forms written as several words (after joining single letters), checked before
/// single words so that "gmbh and co kg" goes as a whole.
const MULTI_WORD_FORMS: &[&[&str]] = &[
    &["sa", "de", "cv"],
    &["s", "de", "rl"],
    &["de", "cv"],
    &["sp", "zoo"],
    &["sp", "z", "oo"],
    &["and", "co"],
    &["and", "cie"],
    &["et", "cie"],
    &["y", "cia"],
    &["and", "company"],
    &["private", "limited"],
    &["sdn", "bhd"],
    &["pty", "ltd"],
    &["pte", "ltd"],
    &["pvt", "ltd"],
    &["co", "ltd"],
    &["gesellschaft", "mbh"],
    &["naamloze", "vennootschap"],
    &["besloten", "vennootschap"],
    &["sociedad", "anonima"],
    &["sociedade", "anonima"],
    &["sociedad", "limitada"],
    &["societe", "anonyme"],
];

/// One-word legal forms across the countries in the data. Not "group" or "holding": those tell
/// a group from its subsidiaries.
fn is_legal_form(w: &str) -> bool {
    matches!(
        w,
        // English-speaking countries
        "inc" | "incorporated" | "corp" | "corporation" | "co" | "company" | "llc" | "llp" | "lp"
            | "lllp" | "pllc" | "ltd" | "limited" | "plc" | "pty" | "pte" | "pvt" | "ulc"
            // German-speaking countries
            | "gmbh" | "mbh" | "ag" | "aktiengesellschaft" | "kg" | "kgaa" | "ohg" | "ug"
            | "haftungsbeschraenkt"
            | "ev" | "eg" | "ek" | "gbr" | "se"
            // Benelux
            | "bv" | "nv" | "vof" | "bvba" | "sprl" | "cvba" | "scrl"
            // French, Spanish, Portuguese, Italian
            | "sa" | "sas" | "sasu" | "sarl" | "eurl" | "snc" | "sca" | "scs" | "sl" | "slu"
            | "sll" | "sau" | "srl" | "spa" | "sapa" | "ltda" | "lda" | "me" | "eireli" | "cia"
            | "cie"
            // Nordic
            | "ab" | "aktiebolag" | "publ" | "as" | "asa" | "aps" | "aktieselskab" | "aksjeselskap"
            | "oy" | "oyj" | "osakeyhtio" | "hf" | "ehf"
            // Central and Eastern Europe
            | "sro" | "spol" | "kft" | "zrt" | "nyrt" | "bt" | "doo" | "dd" | "ood" | "eood"
            // Asia
            | "kk" | "gk" | "bhd" | "tbk"
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(raw: &str) -> String {
        company(raw).unwrap()
    }

    #[test]
    fn legal_forms_go() {
        for (raw, want) in [
            ("Northwind GmbH", "northwind"),
            ("NORTHWIND G.m.b.H.", "northwind"),
            ("Northwind GmbH & Co. KG", "northwind"),
            ("Northwind AG", "northwind"),
            ("Northwind, Inc.", "northwind"),
            ("Northwind Corp", "northwind"),
            ("Northwind LLC", "northwind"),
            ("Northwind Ltd", "northwind"),
            ("Northwind PLC", "northwind"),
            ("Northwind Limited", "northwind"),
            ("Northwind SA", "northwind"),
            ("Northwind S.A.", "northwind"),
            ("Northwind SAS", "northwind"),
            ("Northwind SARL", "northwind"),
            ("Northwind S.L.", "northwind"),
            ("Northwind B.V.", "northwind"),
            ("Northwind N.V.", "northwind"),
            ("Northwind AB", "northwind"),
            ("Northwind AB (publ)", "northwind"),
            ("Northwind Ltda", "northwind"),
            ("Northwind Pvt Ltd", "northwind"),
            ("Northwind Private Limited", "northwind"),
            ("Northwind K.K.", "northwind"),
            ("Northwind Co., Ltd.", "northwind"),
            ("Northwind S.A. de C.V.", "northwind"),
            ("Northwind Sp. z o.o.", "northwind"),
            ("Northwind sp z oo", "northwind"),
            ("Northwind S.p.A.", "northwind"),
            ("Northwind S.r.l.", "northwind"),
            ("Northwind A/S", "northwind"),
            ("Northwind ApS", "northwind"),
            ("Northwind Oy", "northwind"),
            ("Northwind Pty Ltd", "northwind"),
            ("Northwind UG (haftungsbeschränkt)", "northwind"),
            ("Northwind e.V.", "northwind"),
            ("Northwind s.r.o.", "northwind"),
            ("Northwind Kft.", "northwind"),
            ("Northwind & Co.", "northwind"),
            ("The Northwind Company", "northwind"),
        ] {
            assert_eq!(c(raw), want, "{raw}");
        }
    }

    /// The lead benchmark's `SUFFIX_FORMS` (crates/sandbox/src/leads/pools.rs): both spellings
    /// of each legal form go.
    #[test]
    fn benchmark_suffix_spellings_go() {
        const SUFFIX_FORMS: &[(&str, &str)] = &[
            ("Inc", "Inc."),
            ("LLC", "L.L.C."),
            ("Corp", "Corporation"),
            ("Ltd", "Limited"),
            ("PLC", "plc"),
            ("Limited", "Ltd."),
            ("GmbH", "G.m.b.H."),
            ("AG", "A.G."),
            ("GmbH & Co. KG", "GmbH & Co KG"),
            ("SA", "S.A."),
            ("SAS", "S.A.S."),
            ("SARL", "S.à r.l."),
            ("S.A.", "SA"),
            ("S.L.", "SL"),
            ("B.V.", "BV"),
            ("N.V.", "NV"),
            ("AB", "Aktiebolag"),
            ("Ltda", "Ltda."),
            ("Pvt Ltd", "Private Limited"),
            ("Private Limited", "Pvt. Ltd."),
            ("K.K.", "KK"),
            ("Co., Ltd.", "Co. Ltd"),
        ];
        for (a, b) in SUFFIX_FORMS {
            assert_eq!(c(&format!("Cobalt Robotics {a}")), "cobalt robotics", "{a}");
            assert_eq!(c(&format!("Cobalt Robotics {b}")), "cobalt robotics", "{b}");
        }
    }

    #[test]
    fn distinguishing_words_stay() {
        assert_eq!(c("Northwind Group"), "northwind group");
        assert_eq!(c("Northwind Holding AG"), "northwind holding");
        assert_eq!(c("Northwind Holdings, Inc."), "northwind holdings");
        assert_eq!(c("Müller Logistik GmbH"), "mueller logistik");
        assert_eq!(c("Procter & Gamble Co."), "procter and gamble");
        assert_eq!(c("Procter and Gamble"), "procter and gamble");
        assert_eq!(c("AT&T Inc."), "at and t");
        assert_eq!(c("A.B.C. Logistics"), "abc logistics");
        assert_eq!(c("McDonald's Corporation"), "mcdonalds");
        assert_eq!(c("3M Company"), "3m");
        assert_eq!(c("Yahoo!"), "yahoo");
    }

    #[test]
    fn a_name_that_is_only_a_legal_form_keeps_it() {
        assert_eq!(c("AG"), "ag");
        assert_eq!(c("The Company"), "company");
        assert_eq!(c("GmbH & Co. KG"), "gmbh");
        assert_eq!(c("The"), "the");
        assert_eq!(c("Co"), "co");
        assert_eq!(company(""), None);
        assert_eq!(company(" .,- "), None);
    }

    proptest! {
        #[test]
        fn company_is_idempotent(raw in "(The )?[A-Za-zÄÖÜäöüé&+.,' -]{0,20}( (GmbH|AG|Inc\\.?|S\\.A\\.|Co\\.|Ltd|& Co\\. KG|de C\\.V\\.|Group|sp\\. z o\\.o\\.)){0,3}") {
            if let Some(once) = company(&raw) {
                prop_assert_eq!(company(&once), Some(once.clone()));
            }
        }

        #[test]
        fn company_never_panics_and_is_idempotent_on_anything(raw in any::<String>()) {
            if let Some(once) = company(&raw) {
                prop_assert!(!once.is_empty());
                prop_assert_eq!(company(&once), Some(once.clone()));
            }
        }
    }
}
