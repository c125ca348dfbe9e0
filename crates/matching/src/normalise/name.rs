//! Person names: one folded spelling per name, the formal first name behind a nickname, and a
//! coarse phonetic key for blocking.
//!
//! Systems that only take ASCII write "Müller" as "Mueller", CRMs shout "MUELLER", forms add
//! spaces: [`fold`] makes all of these one string, so that equality means "same spelling" and
//! edit distances measure real typos rather than encoding accidents.

use deunicode::deunicode_char;

use super::nicknames;

/// Lowercase, trim, collapse inner whitespace to one space; German umlauts ä/ö/ü → ae/oe/ue
/// and ß → ss (also uppercase and decomposed forms), other diacritics stripped (é → e,
/// ø → o), other scripts transliterated (deunicode); apostrophes removed (o'brien → obrien);
/// every other punctuation mark is a word break, except `&` and `+`, which are kept for
/// [`super::company`] to read as "and".
///
/// The output holds only `a-z`, `0-9`, `&`, `+` and single inner spaces, so folding it again
/// changes nothing.
pub fn fold(raw: &str) -> String {
    let mut out = Folder {
        out: String::with_capacity(raw.len() + 2),
        gap: false,
    };
    for c in raw.chars() {
        if c.is_ascii() {
            out.ascii(c as u8);
            continue;
        }
        match c {
            'ä' | 'Ä' => out.word("ae"),
            'ö' | 'Ö' => out.word("oe"),
            'ü' | 'Ü' => out.word("ue"),
            'ß' | 'ẞ' => out.word("ss"),
            // A decomposed umlaut ("u" + U+0308) folds like the composed one.
            '\u{308}' => {
                if !out.gap && matches!(out.out.as_bytes().last(), Some(b'a' | b'o' | b'u')) {
                    out.out.push('e');
                }
            }
            // Other combining marks, zero-width characters and the soft hyphen belong to the
            // letter around them: dropped without breaking the word.
            '\u{300}'..='\u{36f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{ad}' => {}
            // Typographic apostrophes and primes, like the ASCII one: removed.
            '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' | '\u{b4}' | '\u{2bb}'
            | '\u{2bc}' => {}
            _ => match deunicode_char(c) {
                Some(ascii) => {
                    for b in ascii.bytes() {
                        out.ascii(b);
                    }
                }
                None => out.gap = true,
            },
        }
    }
    out.out
}

struct Folder {
    out: String,
    /// A word break was seen since the last character written.
    gap: bool,
}

impl Folder {
    fn ascii(&mut self, b: u8) {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'&' | b'+' => self.push(char::from(b)),
            b'A'..=b'Z' => self.push(char::from(b.to_ascii_lowercase())),
            b'\'' | b'`' => {}
            _ => self.gap = true,
        }
    }

    fn word(&mut self, s: &str) {
        for b in s.bytes() {
            self.ascii(b);
        }
    }

    fn push(&mut self, c: char) {
        if self.gap && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.gap = false;
        self.out.push(c);
    }
}

/// A person's name, folded: `first` as written (titles dropped), `first_canonical` its
/// nickname group key ([`canonical_first`]), `last` with particles ("de jong", "van den berg").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PersonName {
    pub first: String,
    pub first_canonical: String,
    pub last: String,
}

/// From first/last/full-name columns (any may be missing or empty). A full name is read as
/// "Last, First" when it has a comma, else as "First [Middle] Last", with the last name
/// starting at a particle ("Daan de Jong" → "de jong"); it only fills what the first and last
/// columns leave empty. Titles (mr, dr, herr, mme, sra…) and generational suffixes (jr, iii…)
/// are dropped, but never the only word of a field. `None` when both first and last end up
/// empty.
pub fn person(first: Option<&str>, last: Option<&str>, full: Option<&str>) -> Option<PersonName> {
    let mut first = first.map(fold).unwrap_or_default();
    let mut last = last.map(fold).unwrap_or_default();
    if (first.is_empty() || last.is_empty())
        && let Some(full) = full
    {
        let (full_first, full_last) = split_full(full);
        if first.is_empty() && last.is_empty() {
            (first, last) = (full_first, full_last);
        } else if first.is_empty() {
            // The last name is known: the full name's first word is the best first name.
            first = if full_first.is_empty() {
                full_last
            } else {
                full_first
            };
            if first == last {
                first.clear();
            }
        } else if !full_last.is_empty() {
            last = full_last;
        }
    }
    let first = trim_words(&first).to_owned();
    let last = trim_words(&last).to_owned();
    if first.is_empty() && last.is_empty() {
        return None;
    }
    let first_canonical = canonical_first(&first).to_owned();
    Some(PersonName {
        first,
        first_canonical,
        last,
    })
}

/// A full name → (first, last), both folded. A lone word is taken as the first name.
fn split_full(raw: &str) -> (String, String) {
    if let Some((before, after)) = raw.split_once(',') {
        let last = words(before);
        let first = words(after);
        // "John Smith, Jr." or "Smith, Dr.": the part after the comma is no first name.
        if first.iter().all(|w| is_suffix(w) || is_title(w)) {
            return first_last(last);
        }
        if last.is_empty() {
            return first_last(first);
        }
        let first = first.into_iter().next().unwrap_or_default();
        return (first, last.join(" "));
    }
    first_last(words(raw))
}

/// "First [Middle…] Last" from words already stripped of titles and suffixes.
fn first_last(words: Vec<String>) -> (String, String) {
    let n = words.len();
    let mut it = words.into_iter();
    let first = it.next().unwrap_or_default();
    if n < 2 {
        return (first, String::new());
    }
    let rest: Vec<String> = it.collect();
    // The last name starts at its first particle ("van", "de", …), else it is the last word.
    let start = rest[..rest.len() - 1]
        .iter()
        .position(|w| is_particle(w))
        .unwrap_or(rest.len() - 1);
    (first, rest[start..].join(" "))
}

/// A full name's words, folded, with leading titles and trailing suffixes dropped (never the
/// last word left). Words split at spaces, commas and dots; a hyphenated name stays one word
/// ("Jean-Pierre" → "jean pierre").
fn words(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = raw
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    while out.len() > 1 && is_title(&out[0]) {
        out.remove(0);
    }
    while out.len() > 1 && out.last().is_some_and(|w| is_suffix(w)) {
        out.pop();
    }
    out
}

/// A folded field without leading titles and trailing generational suffixes, keeping at least
/// one word: "dr anna" → "anna", "smith jr" → "smith", "dr" → "dr".
fn trim_words(folded: &str) -> &str {
    let mut s = folded;
    while let Some((head, rest)) = s.split_once(' ')
        && is_title(head)
    {
        s = rest;
    }
    while let Some((rest, tail)) = s.rsplit_once(' ')
        && is_suffix(tail)
    {
        s = rest;
    }
    s
}

fn is_title(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "mx"
            | "dr"
            | "prof"
            | "professor"
            | "herr"
            | "frau"
            | "m"
            | "mme"
            | "mlle"
            | "sr"
            | "sra"
            | "srta"
            | "sir"
            | "dott"
            | "dssa"
            | "mevr"
            | "dhr"
    )
}

fn is_suffix(w: &str) -> bool {
    matches!(
        w,
        "jr" | "jnr" | "sr" | "snr" | "ii" | "iii" | "iv" | "phd" | "md" | "esq" | "mba"
    )
}

fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "van"
            | "von"
            | "vom"
            | "zu"
            | "zum"
            | "zur"
            | "de"
            | "der"
            | "den"
            | "del"
            | "della"
            | "dei"
            | "degli"
            | "di"
            | "da"
            | "dal"
            | "das"
            | "dos"
            | "do"
            | "du"
            | "la"
            | "le"
            | "ter"
            | "ten"
            | "bin"
            | "ibn"
            | "al"
            | "el"
    )
}

/// The nickname group key of a folded first name, or the name itself when the table does not
/// know it.
///
/// The table pairs formal names with their short forms across languages. A short form can
/// stand for several formal names ("chris": christopher, christian, christine), so every name
/// connected through the table, transitively, gets one key: the alphabetically smallest
/// *formal* name of its group ("bob" → "robert", "liz" → "elizabeth", "hans" → "johannes").
/// Equal keys mean "could be the same first name", never "is".
pub fn canonical_first(folded: &str) -> &str {
    nicknames::group_key(folded).unwrap_or(folded)
}

/// A short phonetic-ish blocking key of a folded name: its first letter, then the consonants
/// that follow with vowels, h, w and y dropped, look-alike consonants merged (c/k/q, d/t,
/// s/z, v/f) and repeats collapsed; at most 4 characters. "mueller" and "muller" → "mlr";
/// "meyer", "meier", "maier" → "mr"; "schmidt", "schmitt" → "skmt". Only for blocking, so it
/// favours recall: a typo in a later vowel, h or doubled letter does not change it.
pub fn skeleton(folded: &str) -> String {
    let mut out = String::with_capacity(4);
    let mut last = 0u8;
    for b in folded.bytes() {
        if !b.is_ascii_alphabetic() {
            continue;
        }
        let b = b.to_ascii_lowercase();
        if out.is_empty() {
            let c = class(b);
            out.push(char::from(c));
            last = c;
            continue;
        }
        if matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'h' | b'w' | b'y') {
            continue;
        }
        let c = class(b);
        if c != last {
            out.push(char::from(c));
            last = c;
            if out.len() == 4 {
                break;
            }
        }
    }
    out
}

/// Consonants that spellings swap for one another collapse to one letter.
fn class(b: u8) -> u8 {
    match b {
        b'c' | b'q' => b'k',
        b'd' => b't',
        b'z' => b's',
        b'v' => b'f',
        _ => b,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The sandbox's `TRANSLITERATIONS` (crates/sandbox/src/seed/names.rs): letters and what
    /// ASCII-only systems write instead.
    const TRANSLITERATIONS: &[(char, &str)] = &[
        ('ü', "ue"),
        ('ö', "oe"),
        ('ä', "ae"),
        ('ß', "ss"),
        ('Ü', "Ue"),
        ('Ö', "Oe"),
        ('Ä', "Ae"),
        ('é', "e"),
        ('è', "e"),
        ('É', "E"),
        ('á', "a"),
        ('í', "i"),
        ('ó', "o"),
        ('ú', "u"),
        ('ñ', "n"),
        ('ç', "c"),
        ('ã', "a"),
        ('õ', "o"),
        ('å', "a"),
        ('ø', "o"),
        ('Á', "A"),
    ];

    #[test]
    fn fold_examples() {
        for s in ["Müller", "MUELLER", " mueller ", "MÜLLER", "Mu\u{308}ller"] {
            assert_eq!(fold(s), "mueller", "{s:?}");
        }
        assert_eq!(fold("  Anna   Maria \t"), "anna maria");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("O’Brien"), "obrien");
        assert_eq!(fold("Jean-Pierre"), "jean pierre");
        assert_eq!(fold("Smith, J.R."), "smith j r");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("José Núñez"), "jose nunez");
        assert_eq!(fold("Renée"), "renee");
        assert_eq!(fold("Rene\u{301}e"), "renee");
        assert_eq!(fold("Søren Ångström"), "soren angstroem");
        assert_eq!(fold("François Lefèvre"), "francois lefevre");
        assert_eq!(fold("Łukasz Żółć"), "lukasz zolc");
        assert_eq!(fold("Дмитрий"), "dmitrii");
        assert_eq!(fold("AT&T"), "at&t");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" -., "), "");
    }

    #[test]
    fn fold_makes_sandbox_transliterations_equal() {
        for (c, ascii) in TRANSLITERATIONS {
            let word = format!("X{c}y");
            assert_eq!(fold(&word), fold(&format!("X{ascii}y")), "{c}");
        }
    }

    #[test]
    fn person_from_columns_and_full_names() {
        let p = person(Some(" Bob "), Some("MÜLLER"), Some("ignored")).unwrap();
        assert_eq!(
            p,
            PersonName {
                first: "bob".into(),
                first_canonical: "robert".into(),
                last: "mueller".into()
            }
        );
        let p = person(None, None, Some("Müller, Hans")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("hans", "mueller"));
        assert_eq!(p.first_canonical, "johannes");
        let p = person(None, None, Some("Dr. John Michael Smith Jr.")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("john", "smith"));
        let p = person(None, Some(""), Some("Daan de Jong")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("daan", "de jong"));
        let p = person(None, None, Some("Pieter van den Berg")).unwrap();
        assert_eq!(p.last, "van den berg");
        let p = person(None, None, Some("Jean-Pierre Dupont")).unwrap();
        assert_eq!(
            (p.first.as_str(), p.last.as_str()),
            ("jean pierre", "dupont")
        );
        let p = person(None, None, Some("John Smith, Jr.")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("john", "smith"));
        let p = person(None, None, Some("Mme Élodie Martin")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("elodie", "martin"));
        let p = person(None, None, Some("Sra. María García")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("maria", "garcia"));
        let p = person(None, None, Some("Madonna")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("madonna", ""));
        // A first name only in the full-name column fills the gap.
        let p = person(None, Some("Smith"), Some("Kate Smith")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("kate", "smith"));
        let p = person(Some("Kate"), None, Some("Kate Smith")).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("kate", "smith"));
        let p = person(Some("Herr Jürgen"), Some("Schäfer"), None).unwrap();
        assert_eq!((p.first.as_str(), p.last.as_str()), ("juergen", "schaefer"));
        assert_eq!(person(None, None, None), None);
        assert_eq!(person(Some(" "), Some(""), Some(" , ")), None);
    }

    #[test]
    fn canonical_first_examples() {
        assert_eq!(canonical_first("bob"), "robert");
        assert_eq!(canonical_first("robert"), "robert");
        assert_eq!(canonical_first("liz"), "elizabeth");
        assert_eq!(canonical_first("hans"), "johannes");
        assert_eq!(canonical_first("pepe"), "jose");
        assert_eq!(canonical_first("zebulon"), "zebulon");
        assert_eq!(canonical_first(""), "");
        assert_eq!(canonical_first("chris"), canonical_first("christine"));
        assert_eq!(canonical_first("chris"), canonical_first("christopher"));
    }

    #[test]
    fn skeleton_examples() {
        assert_eq!(skeleton("mueller"), "mlr");
        assert_eq!(skeleton("muller"), "mlr");
        assert_eq!(skeleton("meyer"), "mr");
        assert_eq!(skeleton("meier"), "mr");
        assert_eq!(skeleton("maier"), "mr");
        assert_eq!(skeleton("schmidt"), skeleton("schmitt"));
        assert_eq!(skeleton("anderson"), "antr");
        assert_eq!(skeleton("de jong"), "tjng");
        assert_eq!(skeleton(""), "");
        assert!(skeleton("wolfeschlegelsteinhausen").len() <= 4);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in any::<String>()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(once.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'&' | b'+' | b' ')));
        }

        #[test]
        fn fold_is_idempotent_on_names(s in "[ A-Za-zÄÖÜäöüßéèñçøå'’.,-]{0,24}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn person_is_idempotent(
            first in proptest::option::of("[ A-Za-zÄÖÜäöüé.'-]{0,16}"),
            last in proptest::option::of("[ A-Za-zÄÖÜäöüé.'-]{0,16}"),
            full in proptest::option::of("(Dr\\.? |Mr |Frau )?[A-Za-zé' -]{0,20}(, [A-Za-z ]{0,10})?( Jr\\.?)?"),
        ) {
            if let Some(p) = person(first.as_deref(), last.as_deref(), full.as_deref()) {
                let again = person(Some(&p.first), Some(&p.last), None);
                prop_assert_eq!(again, Some(p));
            }
        }

        #[test]
        fn person_never_panics(a in any::<Option<String>>(), b in any::<Option<String>>(), c in any::<Option<String>>()) {
            let _ = person(a.as_deref(), b.as_deref(), c.as_deref());
        }

        #[test]
        fn canonical_first_is_idempotent(s in "[a-z]{0,12}") {
            let once = canonical_first(&s);
            prop_assert_eq!(canonical_first(once), once);
        }

        #[test]
        fn skeleton_is_idempotent_and_short(s in any::<String>()) {
            let once = skeleton(&fold(&s));
            prop_assert!(once.len() <= 4);
            prop_assert_eq!(skeleton(&once), once);
        }
    }
}
