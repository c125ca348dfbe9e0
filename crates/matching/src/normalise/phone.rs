//! Phone numbers as E.164 ("+4930123456"), whatever way they were written: with the country
//! code or as dialled at home, spaced, dashed, bracketed, with an extension.
//!
//! `phonenumber::parse` takes 1.3–2.6 µs a number in a release build and serialises threads
//! on its regex cache's mutex (two threads only reach 1.45× one). The common shapes need no
//! regex: a fast path reads them with the metadata's plain facts (country calling code,
//! literal trunk and international prefixes, possible lengths), and only numbers written
//! nationally in a region whose trunk prefix is a pattern (carrier codes, Argentine mobile
//! tokens, NANP seven-digit locals…) go to `phonenumber::parse`. A test checks that both
//! agree on generated numbers of every region.

use std::sync::LazyLock;

use phonenumber::Mode;
use phonenumber::country::Id;
use phonenumber::metadata::{DATABASE, Database, Metadata};
use regex_free::Pattern;
use rustc_hash::FxHashMap;

/// A number in E.164 form and the extension written after it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    pub e164: String,
    pub extension: Option<String>,
}

/// The ISO 3166 alpha-2 region of a country written as a name (English or native: "Germany",
/// "Deutschland", "España"), a common short form ("UK", "USA", "U.S.") or an alpha-2/alpha-3
/// code, in any case and spacing. `None` when unknown.
pub fn region_of_country(country: &str) -> Option<&'static str> {
    let t = country.trim();
    if let [a, b] = t.as_bytes()
        && a.is_ascii_alphabetic()
        && b.is_ascii_alphabetic()
    {
        let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
        return match &code {
            b"UK" => Some("GB"),
            b"EL" => Some("GR"),
            _ => REGIONS.get(&code).map(|r| r.code),
        };
    }
    let mut key = super::name::fold(t);
    key.retain(|c| c != ' ');
    COUNTRIES.get(key.as_str()).copied()
}

/// The number in E.164, with `region` (ISO alpha-2 in any case, or a country name) the
/// default for numbers written nationally. "+…" and "00…" are international (so is the
/// region's own international prefix, e.g. "011" in the US); a national number loses its
/// trunk prefix ("0301 234567" in DE → "+49301234567"), and a "(0)" after the country code
/// goes too. Words before the number ("Tel.:") are skipped; an extension after it ("ext 12",
/// "x12", "#12", ";ext=12", "Durchwahl 12") is split off. Digits after an international prefix
/// that make no number of a length their country uses are read as national when that gives a
/// plausible length ("0" + "063 498910" in Germany).
///
/// `None` when there is no plausible number: fewer than 6 digits, an unknown country code, a
/// national number without a region, under 4 national digits, or more than 15 in all.
pub fn phone(raw: &str, region: Option<&str>) -> Option<Phone> {
    let scanned = scan(raw)?;
    let region = region.and_then(region_info);
    let e164 = resolve(scanned.digits(), scanned.plus, region).into_inner()?;
    Some(Phone {
        e164,
        extension: scanned.extension,
    })
}

/// What was read from the raw text: the main number's digits and the extension.
struct Scanned {
    plus: bool,
    digits: [u8; MAX_DIGITS],
    len: usize,
    extension: Option<String>,
}

/// More digits than this in the main number is no one number (E.164 allows 15, plus an
/// international prefix).
const MAX_DIGITS: usize = 20;

impl Scanned {
    fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

fn scan(raw: &str) -> Option<Scanned> {
    let mut s = Scanned {
        plus: false,
        digits: [0; MAX_DIGITS],
        len: 0,
        extension: None,
    };
    let mut tail = "";
    for (i, c) in raw.char_indices() {
        if let Some(d) = digit(c) {
            if s.len == MAX_DIGITS {
                return None;
            }
            s.digits[s.len] = d;
            s.len += 1;
        } else if s.len == 0 {
            // Before the number: labels ("Tel.:", "Mobile") are skipped, a plus remembered.
            if matches!(c, '+' | '\u{ff0b}') {
                s.plus = true;
            }
        } else if !is_separator(c) {
            tail = &raw[i..];
            break;
        }
    }
    if s.len < 6 {
        return None;
    }
    s.extension = extension(tail);
    Some(s)
}

/// ASCII digits as bytes; full-width, Arabic-Indic and Devanagari digits read as ASCII.
fn digit(c: char) -> Option<u8> {
    let zero = match c {
        '0'..='9' => '0',
        '\u{ff10}'..='\u{ff19}' => '\u{ff10}',
        '\u{660}'..='\u{669}' => '\u{660}',
        '\u{6f0}'..='\u{6f9}' => '\u{6f0}',
        '\u{966}'..='\u{96f}' => '\u{966}',
        _ => return None,
    };
    u8::try_from(u32::from(c) - u32::from(zero))
        .ok()
        .map(|d| b'0' + d)
}

/// Characters written between a number's digits.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '-'
            | '.'
            | '('
            | ')'
            | '['
            | ']'
            | '/'
            | '\u{a0}'
            | '\u{2007}'
            | '\u{202f}'
            | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{3000}'
                | '\u{30fc}'
                | '\u{ff08}'
                | '\u{ff09}'
                | '\u{ff0d}'
    )
}

/// The extension in the text after the main number: a marker word ("ext", "x", "Durchwahl",
/// "poste", "ramal"…) or '#', then up to 8 digits. Anything else (a second number, a note) is
/// no extension.
fn extension(tail: &str) -> Option<String> {
    let t = tail.trim_start_matches([' ', ',', ';', '(', '[', '.', '-', '/', '\u{a0}']);
    let letters = t
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(t.len());
    let (marker, rest) = t.split_at(letters);
    let marked = if marker.is_empty() {
        rest.starts_with('#')
    } else {
        EXTENSION_MARKERS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(marker))
    };
    if !marked {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '.', ':', '=', '#', '-', '\u{a0}']);
    let ext: String = rest
        .chars()
        .map_while(digit)
        .take(8)
        .map(char::from)
        .collect();
    (!ext.is_empty()).then_some(ext)
}

const EXTENSION_MARKERS: &[&str] = &[
    "x",
    "ex",
    "ext",
    "extn",
    "extension",
    "dw",
    "durchwahl",
    "nebenstelle",
    "app",
    "apparat",
    "poste",
    "anexo",
    "ramal",
    "int",
    "interno",
    "toestel",
    "tst",
    "lokal",
];

/// An E.164 string and whether `phonenumber::parse` had to make it.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    Fast(Option<String>),
    Parsed(Option<String>),
}

impl Resolved {
    fn into_inner(self) -> Option<String> {
        match self {
            Resolved::Fast(s) | Resolved::Parsed(s) => s,
        }
    }
}

fn resolve(d: &[u8], plus: bool, region: Option<&RegionInfo>) -> Resolved {
    if plus {
        // "+00 49 …": a plus and an international prefix both.
        let rest = d.strip_prefix(b"00").unwrap_or(d);
        return Resolved::Fast(international(rest).map(|(e164, _)| e164));
    }
    let Some(r) = region else {
        let rest = d.strip_prefix(b"00");
        return Resolved::Fast(rest.and_then(international).map(|(e164, _)| e164));
    };
    // The ways the digits can start with an international prefix: the region's own literal
    // one ("011" in the US), "00", the region's own pattern (Brazil's "00" + carrier code).
    // A prefix followed by 0 is no prefix.
    let after = |n: usize| Some(&d[n..]).filter(|rest| rest.first().is_some_and(|&b| b != b'0'));
    let (own_literal, own_pattern) = match &r.idd {
        Idd::Literal(p) if d.starts_with(p.as_bytes()) => (after(p.len()), None),
        Idd::Pattern(p) if d.first() == Some(&b'0') => (None, p.prefix_len(d).and_then(after)),
        _ => (None, None),
    };
    let plain = if d.starts_with(b"00") { after(2) } else { None };
    let mut readings = [own_literal, plain, own_pattern].into_iter().flatten();
    let Some(first) = readings.next() else {
        return national(d, r);
    };
    let first = international(first);
    if let Some((e164, 0)) = first {
        return Resolved::Fast(Some(e164));
    }
    for rest in readings {
        if let Some((e164, 0)) = international(rest) {
            return Resolved::Fast(Some(e164));
        }
    }
    // No international reading has a length its country uses: the digits may be a national
    // number, trunk prefix "0" and all, that starts with zeros (not where the trunk prefix is
    // something else and the region's own prefix was written: "011 1 310…" in Canada). Take
    // whichever reading comes closer to a real length (the international one on a tie).
    let trunk_zero = matches!(
        r.trunk,
        Trunk::Literal("0") | Trunk::Carrier { prefix: "0", .. }
    );
    if own_literal.is_some() && !trunk_zero {
        return Resolved::Fast(first.map(|(e164, _)| e164));
    }
    let national = national(d, r);
    let national_miss = match &national {
        Resolved::Fast(Some(e)) | Resolved::Parsed(Some(e)) => {
            Some(miss(e.len() - 1 - r.cc.len(), r.min_len, r.max_len))
        }
        _ => None,
    };
    match (first, national_miss) {
        (Some((_, m)), Some(n)) if n < m => national,
        (Some((e164, _)), _) => Resolved::Fast(Some(e164)),
        (None, _) => national,
    }
}

/// How far a length is from `min..=max`.
fn miss(len: usize, min: usize, max: usize) -> usize {
    min.saturating_sub(len) + len.saturating_sub(max)
}

/// Country code + number, no international prefix: the code is the 1–3 digits the metadata
/// knows (codes are prefix-free). With the E.164 string comes how far the national number's
/// length is from one the country uses (0: a length it uses).
fn international(d: &[u8]) -> Option<(String, usize)> {
    if d.first() == Some(&b'0') {
        return None;
    }
    let mut code = 0u16;
    for (len, &b) in d.iter().take(3).enumerate() {
        code = code * 10 + u16::from(b - b'0');
        let Some(cc) = CALLING_CODES.get(usize::from(code)).filter(|cc| cc.known) else {
            continue;
        };
        let nsn = &d[len + 1..];
        let off = miss(significant(nsn, cc).len(), cc.min, cc.max);
        return compose(code, nsn).map(|e164| (e164, off));
    }
    None
}

/// The national significant number: where the trunk prefix is "0", no number starts with 0
/// (it would read as the prefix), so leading zeros are a trunk prefix written after the
/// country code ("+44 (0)20 …") and go.
fn significant<'a>(nsn: &'a [u8], cc: &CallingCode) -> &'a [u8] {
    if cc.trunk_zero {
        let zeros = nsn.iter().take_while(|&&b| b == b'0').count();
        &nsn[zeros..]
    } else {
        nsn
    }
}

fn national(d: &[u8], r: &RegionInfo) -> Resolved {
    let nsn = match r.trunk {
        Trunk::None => d,
        // Only when what is left is long enough to be a number here ("123 456789" in the US
        // keeps its 1).
        Trunk::Literal(p) => d
            .strip_prefix(p.as_bytes())
            .filter(|rest| rest.len() >= r.min_len)
            .unwrap_or(d),
        Trunk::Carrier { prefix, plain_max } => match d.strip_prefix(prefix.as_bytes()) {
            Some(rest) if rest.len() <= plain_max => rest,
            Some(_) => return parsed(d, r),
            None if d.starts_with(b"90") => return parsed(d, r),
            None => d,
        },
        Trunk::Pattern => return parsed(d, r),
    };
    // The country code without "+" or "00" ("49 30 1234567" in Germany): only when the digits
    // are too many for a national number of the region.
    if nsn.len() == d.len() && d.len() > r.max_len && d.starts_with(r.cc.as_bytes()) {
        return Resolved::Fast(international(d).map(|(e164, _)| e164));
    }
    Resolved::Fast(compose(r.code_value, nsn))
}

/// The slow path: `phonenumber::parse` for the region's national forms the fast path cannot
/// read (its trunk prefix is a pattern).
fn parsed(d: &[u8], r: &RegionInfo) -> Resolved {
    let parse = || {
        let digits = std::str::from_utf8(d).ok()?;
        let number = phonenumber::parse(Some(r.id), digits).ok()?;
        let e164 = number.format().mode(Mode::E164).to_string();
        let nsn = e164
            .strip_prefix('+')?
            .strip_prefix(number.code().value().to_string().as_str())?;
        compose(number.code().value(), nsn.as_bytes())
    };
    Resolved::Parsed(parse())
}

/// "+" + code + national significant number ([`significant`]), when plausible: 4 or more
/// national digits and 6 to 15 digits in all.
fn compose(code: u16, nsn: &[u8]) -> Option<String> {
    let cc = CALLING_CODES.get(usize::from(code)).filter(|cc| cc.known)?;
    let nsn = significant(nsn, cc);
    let code = code.to_string();
    if nsn.len() < 4
        || !(6..=15).contains(&(code.len() + nsn.len()))
        || !nsn.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut out = String::with_capacity(1 + code.len() + nsn.len());
    out.push('+');
    out.push_str(&code);
    out.extend(nsn.iter().map(|&b| char::from(b)));
    Some(out)
}

/// What the fast path needs to know about a region, read once from the metadata.
struct RegionInfo {
    code: &'static str,
    id: Id,
    /// The country calling code, as digits and as a number.
    cc: String,
    code_value: u16,
    trunk: Trunk,
    idd: Idd,
    /// The shortest and longest national significant numbers of any type (4 and 17 when
    /// unknown).
    min_len: usize,
    max_len: usize,
}

/// How a national number's trunk prefix is written.
#[derive(Clone, Copy)]
enum Trunk {
    None,
    Literal(&'static str),
    /// Brazil: the trunk "0" may carry a carrier code, but only before 10–11 more digits:
    /// with at most `plain_max` digits after it, it is the plain prefix.
    Carrier {
        prefix: &'static str,
        plain_max: usize,
    },
    /// A pattern (carrier codes, mobile tokens, area-code insertion): `phonenumber` reads it.
    Pattern,
}

/// How the region's international prefix is written.
enum Idd {
    None,
    Literal(&'static str),
    Pattern(Pattern),
}

/// What a country calling code says about the numbers behind it (its main country's rules,
/// for codes several countries share: +1, +7, +44…).
#[derive(Clone, Copy, Default)]
struct CallingCode {
    known: bool,
    /// The trunk prefix is "0".
    trunk_zero: bool,
    /// Lengths of national significant numbers.
    min: usize,
    max: usize,
}

/// Calling code (0–999) → what it says.
static CALLING_CODES: LazyLock<Vec<CallingCode>> = LazyLock::new(|| {
    let db: &Database = &DATABASE;
    let mut codes = vec![CallingCode::default(); 1000];
    for meta in db.iter() {
        let Some(slot) = codes.get_mut(usize::from(meta.country_code())) else {
            continue;
        };
        let main = db
            .by_code(&meta.country_code())
            .and_then(|metas| {
                metas
                    .iter()
                    .find(|m| m.is_main_country_for_code())
                    .or_else(|| metas.first())
                    .copied()
            })
            .unwrap_or(meta);
        let (min, max) = lengths(main);
        *slot = CallingCode {
            known: true,
            trunk_zero: main.national_prefix() == Some("0"),
            min,
            max,
        };
    }
    codes
});

/// The shortest and longest national significant number of any type (4 and 17 when the
/// metadata does not say).
fn lengths(meta: &Metadata) -> (usize, usize) {
    let d = meta.descriptors();
    let all = || {
        [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .flat_map(|desc| desc.possible_length().iter().copied())
        .map(usize::from)
    };
    (all().min().unwrap_or(4), all().max().unwrap_or(17))
}

static REGIONS: LazyLock<FxHashMap<[u8; 2], RegionInfo>> = LazyLock::new(|| {
    let db: &'static Database = &DATABASE;
    db.iter()
        .filter_map(|meta| {
            let code: &'static str = meta.id();
            let key: [u8; 2] = code.as_bytes().try_into().ok()?;
            let id: Id = code.parse().ok()?;
            Some((key, region(meta, code, id)))
        })
        .collect()
});

fn region(meta: &'static Metadata, code: &'static str, id: Id) -> RegionInfo {
    let compact = |s: &str| s.split_whitespace().collect::<String>();
    let trunk = match (meta.national_prefix(), meta.national_prefix_for_parsing()) {
        (None, None) => Trunk::None,
        (Some(p), None) => Trunk::Literal(p),
        (Some(p), Some(re)) if compact(re.as_str()) == p => Trunk::Literal(p),
        // Great Britain's other alternative is the text-relay prefix; Japan's only apply to
        // numbers starting "00", which are international here. Both read "0" plainly.
        (Some(p), Some(_)) if matches!(code, "GB" | "JP") => Trunk::Literal(p),
        (Some(p), Some(_)) if code == "BR" => Trunk::Carrier {
            prefix: p,
            plain_max: 11,
        },
        _ => Trunk::Pattern,
    };
    let idd = match meta.international_prefix().map(|re| re.as_str().trim()) {
        None => Idd::None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Idd::Literal(p),
        Some(p) => Pattern::new(p).map_or(Idd::None, Idd::Pattern),
    };
    let (min_len, max_len) = lengths(meta);
    RegionInfo {
        code,
        id,
        cc: meta.country_code().to_string(),
        code_value: meta.country_code(),
        trunk,
        idd,
        min_len,
        max_len,
    }
}

/// The region of a code ("DE", "de") or, failing that, of a country name.
fn region_info(region: &str) -> Option<&'static RegionInfo> {
    let code = region_of_country(region)?;
    let key: [u8; 2] = code.as_bytes().try_into().ok()?;
    REGIONS.get(&key)
}

/// Country names (English, native, common short forms, alpha-3 codes) → alpha-2, keyed by
/// their folded form without spaces.
static COUNTRIES: LazyLock<FxHashMap<String, &'static str>> = LazyLock::new(|| {
    COUNTRY_NAMES
        .iter()
        .flat_map(|(code, names)| {
            names.iter().map(move |name| {
                let mut key = super::name::fold(name);
                key.retain(|c| c != ' ');
                (key, *code)
            })
        })
        .collect()
});

const COUNTRY_NAMES: &[(&str, &[&str])] = &[
    (
        "US",
        &[
            "United States",
            "United States of America",
            "USA",
            "U.S.A.",
            "U.S.",
            "America",
            "Estados Unidos",
            "États-Unis",
            "Vereinigte Staaten",
            "Stati Uniti",
            "Verenigde Staten",
        ],
    ),
    (
        "GB",
        &[
            "United Kingdom",
            "Great Britain",
            "Britain",
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
            "GBR",
            "U.K.",
            "Royaume-Uni",
            "Vereinigtes Königreich",
            "Großbritannien",
            "Reino Unido",
            "Regno Unito",
            "Verenigd Koninkrijk",
        ],
    ),
    (
        "DE",
        &[
            "Germany",
            "Deutschland",
            "DEU",
            "Allemagne",
            "Alemania",
            "Germania",
            "Duitsland",
            "Alemanha",
            "Tyskland",
            "Saksa",
            "Niemcy",
        ],
    ),
    (
        "FR",
        &[
            "France",
            "FRA",
            "Frankreich",
            "Francia",
            "Frankrijk",
            "França",
            "Frankrike",
        ],
    ),
    (
        "ES",
        &[
            "Spain", "España", "ESP", "Spanien", "Espagne", "Spagna", "Spanje", "Espanha",
        ],
    ),
    (
        "IT",
        &[
            "Italy", "Italia", "ITA", "Italien", "Italie", "Italië", "Itália",
        ],
    ),
    (
        "NL",
        &[
            "Netherlands",
            "The Netherlands",
            "Nederland",
            "Holland",
            "NLD",
            "Niederlande",
            "Pays-Bas",
            "Países Bajos",
            "Paesi Bassi",
            "Holanda",
            "Nederländerna",
        ],
    ),
    (
        "BE",
        &[
            "Belgium", "België", "Belgique", "Belgien", "BEL", "Bélgica", "Belgio",
        ],
    ),
    (
        "LU",
        &[
            "Luxembourg",
            "Luxemburg",
            "LUX",
            "Lussemburgo",
            "Luxemburgo",
        ],
    ),
    (
        "CH",
        &[
            "Switzerland",
            "Schweiz",
            "Suisse",
            "Svizzera",
            "Svizra",
            "CHE",
            "Suiza",
            "Zwitserland",
            "Suíça",
        ],
    ),
    (
        "AT",
        &[
            "Austria",
            "Österreich",
            "AUT",
            "Autriche",
            "Oostenrijk",
            "Áustria",
        ],
    ),
    (
        "IE",
        &[
            "Ireland",
            "Éire",
            "Eire",
            "Republic of Ireland",
            "IRL",
            "Irland",
            "Irlande",
            "Irlanda",
            "Ierland",
        ],
    ),
    ("PT", &["Portugal", "PRT"]),
    (
        "SE",
        &[
            "Sweden", "Sverige", "SWE", "Schweden", "Suède", "Suecia", "Svezia", "Zweden", "Suécia",
        ],
    ),
    (
        "NO",
        &[
            "Norway",
            "Norge",
            "Noreg",
            "NOR",
            "Norwegen",
            "Norvège",
            "Noruega",
            "Norvegia",
            "Noorwegen",
        ],
    ),
    (
        "DK",
        &[
            "Denmark",
            "Danmark",
            "DNK",
            "Dänemark",
            "Danemark",
            "Dinamarca",
            "Danimarca",
            "Denemarken",
        ],
    ),
    (
        "FI",
        &[
            "Finland",
            "Suomi",
            "FIN",
            "Finnland",
            "Finlande",
            "Finlandia",
            "Finlândia",
        ],
    ),
    ("IS", &["Iceland", "Ísland", "ISL", "Island"]),
    (
        "PL",
        &[
            "Poland", "Polska", "POL", "Polen", "Pologne", "Polonia", "Polónia",
        ],
    ),
    (
        "CZ",
        &[
            "Czech Republic",
            "Czechia",
            "Česko",
            "Česká republika",
            "CZE",
            "Tschechien",
        ],
    ),
    ("SK", &["Slovakia", "Slovensko", "SVK", "Slowakei"]),
    ("HU", &["Hungary", "Magyarország", "HUN", "Ungarn"]),
    ("RO", &["Romania", "România", "ROU", "Rumänien"]),
    ("BG", &["Bulgaria", "България", "BGR", "Bulgarien"]),
    (
        "GR",
        &[
            "Greece",
            "Ελλάδα",
            "Hellas",
            "GRC",
            "Griechenland",
            "Grèce",
            "Grecia",
        ],
    ),
    (
        "TR",
        &["Turkey", "Türkiye", "TUR", "Türkei", "Turquie", "Turquía"],
    ),
    (
        "RU",
        &[
            "Russia",
            "Russian Federation",
            "Россия",
            "RUS",
            "Russland",
            "Russie",
            "Rusia",
        ],
    ),
    ("UA", &["Ukraine", "Україна", "UKR", "Ucrania"]),
    ("HR", &["Croatia", "Hrvatska", "HRV", "Kroatien"]),
    ("SI", &["Slovenia", "Slovenija", "SVN", "Slowenien"]),
    ("RS", &["Serbia", "Србија", "Srbija", "SRB", "Serbien"]),
    ("EE", &["Estonia", "Eesti", "EST", "Estland"]),
    ("LV", &["Latvia", "Latvija", "LVA", "Lettland"]),
    ("LT", &["Lithuania", "Lietuva", "LTU", "Litauen"]),
    ("BR", &["Brazil", "Brasil", "BRA", "Brasilien", "Brésil"]),
    (
        "MX",
        &["Mexico", "México", "MEX", "Mexiko", "Mexique", "Messico"],
    ),
    ("AR", &["Argentina", "ARG", "Argentinien", "Argentine"]),
    ("CL", &["Chile", "CHL"]),
    ("CO", &["Colombia", "COL", "Kolumbien"]),
    ("PE", &["Peru", "Perú", "PER"]),
    ("CA", &["Canada", "CAN", "Kanada", "Canadá"]),
    ("AU", &["Australia", "AUS", "Australien", "Australie"]),
    ("NZ", &["New Zealand", "Aotearoa", "NZL", "Neuseeland"]),
    (
        "JP",
        &[
            "Japan", "日本", "Nippon", "Nihon", "JPN", "Japon", "Japón", "Giappone", "Japão",
        ],
    ),
    (
        "CN",
        &[
            "China",
            "中国",
            "People's Republic of China",
            "PRC",
            "CHN",
            "Chine",
            "Cina",
        ],
    ),
    ("HK", &["Hong Kong", "HKG", "Hongkong"]),
    ("TW", &["Taiwan", "TWN"]),
    (
        "KR",
        &[
            "South Korea",
            "Korea",
            "Republic of Korea",
            "대한민국",
            "KOR",
            "Südkorea",
        ],
    ),
    ("SG", &["Singapore", "SGP", "Singapur"]),
    ("MY", &["Malaysia", "MYS"]),
    ("TH", &["Thailand", "THA"]),
    ("VN", &["Vietnam", "Viet Nam", "VNM"]),
    ("PH", &["Philippines", "PHL"]),
    ("ID", &["Indonesia", "IDN", "Indonesien"]),
    ("IN", &["India", "Bharat", "भारत", "IND", "Indien", "Inde"]),
    ("PK", &["Pakistan", "PAK"]),
    (
        "AE",
        &["United Arab Emirates", "UAE", "U.A.E.", "ARE", "Emirates"],
    ),
    ("SA", &["Saudi Arabia", "KSA", "SAU", "Saudi-Arabien"]),
    ("IL", &["Israel", "ISR"]),
    ("EG", &["Egypt", "EGY", "Ägypten"]),
    ("ZA", &["South Africa", "ZAF", "RSA", "Südafrika"]),
    ("NG", &["Nigeria", "NGA"]),
    ("KE", &["Kenya", "KEN"]),
    ("MA", &["Morocco", "Maroc", "MAR", "Marokko"]),
];

/// International-prefix patterns from the metadata, matched without a regex engine: they are
/// alternations of digit sequences with groups, classes (`[14-689]`, `\d`) and `?`.
mod regex_free {
    /// A parsed pattern: alternatives of items.
    pub struct Pattern {
        alternatives: Vec<Vec<Item>>,
    }

    enum Item {
        Class([bool; 10], bool),
        Group(Pattern, bool),
    }

    impl Pattern {
        /// `None` for syntax beyond digits, `\d`, classes, non-capturing or plain groups,
        /// `|` and `?`.
        pub fn new(source: &str) -> Option<Pattern> {
            let bytes: Vec<u8> = source
                .bytes()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let mut at = 0;
            let p = parse_alternation(&bytes, &mut at)?;
            (at == bytes.len()).then_some(p)
        }

        /// The length of the longest prefix of `digits` the pattern matches.
        pub fn prefix_len(&self, digits: &[u8]) -> Option<usize> {
            self.ends(digits, 0).into_iter().max()
        }

        fn ends(&self, d: &[u8], from: usize) -> Vec<usize> {
            let mut out = Vec::new();
            for alt in &self.alternatives {
                let mut positions = vec![from];
                for item in alt {
                    let mut next = Vec::new();
                    for &p in &positions {
                        match item {
                            Item::Class(set, optional) => {
                                if *optional {
                                    next.push(p);
                                }
                                if let Some(&c) = d.get(p)
                                    && c.is_ascii_digit()
                                    && set[usize::from(c - b'0')]
                                {
                                    next.push(p + 1);
                                }
                            }
                            Item::Group(g, optional) => {
                                if *optional {
                                    next.push(p);
                                }
                                next.extend(g.ends(d, p));
                            }
                        }
                    }
                    next.sort_unstable();
                    next.dedup();
                    positions = next;
                    if positions.is_empty() {
                        break;
                    }
                }
                out.extend(positions);
            }
            out
        }
    }

    fn parse_alternation(b: &[u8], at: &mut usize) -> Option<Pattern> {
        let mut alternatives = vec![Vec::new()];
        while *at < b.len() {
            let item = match b[*at] {
                b'|' => {
                    *at += 1;
                    alternatives.push(Vec::new());
                    continue;
                }
                b')' => break,
                b'(' => {
                    *at += 1;
                    if b.get(*at..*at + 2) == Some(b"?:") {
                        *at += 2;
                    }
                    let inner = parse_alternation(b, at)?;
                    if b.get(*at) != Some(&b')') {
                        return None;
                    }
                    *at += 1;
                    Item::Group(inner, false)
                }
                b'[' => {
                    let mut set = [false; 10];
                    *at += 1;
                    while *at < b.len() && b[*at] != b']' {
                        let lo = b[*at];
                        if b.get(*at + 1) == Some(&b'-')
                            && b.get(*at + 2).is_some_and(|c| *c != b']')
                        {
                            let hi = b[*at + 2];
                            for c in lo..=hi {
                                set[usize::from(c.checked_sub(b'0').filter(|d| *d < 10)?)] = true;
                            }
                            *at += 3;
                        } else {
                            set[usize::from(lo.checked_sub(b'0').filter(|d| *d < 10)?)] = true;
                            *at += 1;
                        }
                    }
                    if b.get(*at) != Some(&b']') {
                        return None;
                    }
                    *at += 1;
                    Item::Class(set, false)
                }
                b'\\' if b.get(*at + 1) == Some(&b'd') => {
                    *at += 2;
                    Item::Class([true; 10], false)
                }
                c if c.is_ascii_digit() => {
                    *at += 1;
                    let mut set = [false; 10];
                    set[usize::from(c - b'0')] = true;
                    Item::Class(set, false)
                }
                _ => return None,
            };
            let item = if b.get(*at) == Some(&b'?') {
                *at += 1;
                match item {
                    Item::Class(s, _) => Item::Class(s, true),
                    Item::Group(g, _) => Item::Group(g, true),
                }
            } else {
                item
            };
            if let Some(last) = alternatives.last_mut() {
                last.push(item);
            }
        }
        Some(Pattern { alternatives })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::normalise::digits;
    use proptest::prelude::*;

    fn e164(raw: &str, region: Option<&str>) -> Option<String> {
        phone(raw, region).map(|p| p.e164)
    }

    #[test]
    fn one_number_in_all_its_forms() {
        for (raw, region) in [
            ("+49 301 234567", Some("DE")),
            ("0301 234567", Some("DE")),
            ("0049 301234567", Some("DE")),
            ("+49 (0)301 234567", Some("DE")),
            ("+49-301-234567", None),
            ("0049 301 234567", None),
            ("Tel.: +49 301 234567", Some("US")),
            ("0301 234567", Some("de")),
            ("0301/234567", Some("Germany")),
        ] {
            assert_eq!(
                e164(raw, region).as_deref(),
                Some("+49301234567"),
                "{raw} {region:?}"
            );
        }
        for (raw, region) in [
            ("(555) 123-4567", Some("US")),
            ("555.123.4567", Some("US")),
            ("1 555 123 4567", Some("US")),
            ("+1 555 123 4567 ext 12", Some("US")),
            ("+1 (555) 123-4567", Some("DE")),
            ("011 1 555 123 4567", Some("US")),
            ("001 555 123 4567", Some("GB")),
        ] {
            assert_eq!(
                e164(raw, region).as_deref(),
                Some("+15551234567"),
                "{raw} {region:?}"
            );
        }
        assert_eq!(
            e164("+44 (0)20 7946 0000", None).as_deref(),
            Some("+442079460000")
        );
        assert_eq!(
            e164("020 7946 0000", Some("GB")).as_deref(),
            Some("+442079460000")
        );
        assert_eq!(
            e164("06 1234 5678", Some("IT")).as_deref(),
            Some("+390612345678")
        );
        assert_eq!(
            e164("+39 06 1234 5678", None).as_deref(),
            Some("+390612345678")
        );
        assert_eq!(
            e164("(11) 98765-4321", Some("BR")).as_deref(),
            Some("+5511987654321")
        );
        assert_eq!(
            e164("011 98765-4321", Some("BR")).as_deref(),
            Some("+5511987654321")
        );
        assert_eq!(
            e164("03-1234-5678", Some("JP")).as_deref(),
            Some("+81312345678")
        );
        assert_eq!(
            e164("010 81 3 1234 5678", Some("JP")).as_deref(),
            Some("+81312345678")
        );
        assert_eq!(
            e164("98765 43210", Some("IN")).as_deref(),
            Some("+919876543210")
        );
        assert_eq!(
            e164("44 20 7946 0000", Some("GB")).as_deref(),
            Some("+442079460000")
        );
        assert_eq!(
            e164("０３０ １２３４５６７", Some("DE")).as_deref(),
            Some("+49301234567")
        );
    }

    #[test]
    fn extensions() {
        for raw in [
            "+1 555 123 4567 ext 12",
            "+1 555 123 4567 ext. 12",
            "+1 555 123 4567 x12",
            "+1 555 123 4567 X 12",
            "+1 555 123 4567 #12",
            "+1 555 123 4567;ext=12",
            "+1 555 123 4567 (ext. 12)",
            "+1 555 123 4567, Durchwahl: 12",
            "+1 555 123 4567 DW 12",
        ] {
            let p = phone(raw, None).unwrap();
            assert_eq!(p.e164, "+15551234567", "{raw}");
            assert_eq!(p.extension.as_deref(), Some("12"), "{raw}");
        }
        let p = phone("+1 555 123 4567 or +1 555 765 4321", None).unwrap();
        assert_eq!((p.e164.as_str(), p.extension), ("+15551234567", None));
        // A German direct dial written with a dash is part of the number.
        assert_eq!(
            e164("030 1234-56", Some("DE")).as_deref(),
            Some("+4930123456")
        );
    }

    #[test]
    fn implausible_numbers() {
        for (raw, region) in [
            ("", Some("DE")),
            ("n/a", Some("DE")),
            ("12345", Some("DE")),
            ("+49 301", None),
            ("0301 234567", None),
            ("+999 1234567", None),
            ("+0 301 234567", None),
            ("0049 3", Some("DE")),
            ("+49 3012345678901234", None),
            ("123456789012345678901234", Some("DE")),
        ] {
            assert_eq!(e164(raw, region), None, "{raw} {region:?}");
        }
    }

    #[test]
    fn regions_of_countries() {
        for (name, want) in [
            ("Germany", "DE"),
            ("Deutschland", "DE"),
            ("DE", "DE"),
            ("de", "DE"),
            (" germany ", "DE"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("U.K.", "GB"),
            ("Great Britain", "GB"),
            ("England", "GB"),
            ("USA", "US"),
            ("United States", "US"),
            ("U.S.A.", "US"),
            ("France", "FR"),
            ("Spain", "ES"),
            ("España", "ES"),
            ("ESPANA", "ES"),
            ("Italy", "IT"),
            ("Netherlands", "NL"),
            ("The Netherlands", "NL"),
            ("Sweden", "SE"),
            ("Brazil", "BR"),
            ("Brasil", "BR"),
            ("Canada", "CA"),
            ("Australia", "AU"),
            ("Japan", "JP"),
            ("India", "IN"),
            ("Ireland", "IE"),
            ("Austria", "AT"),
            ("Österreich", "AT"),
            ("Switzerland", "CH"),
            ("Schweiz", "CH"),
            ("Belgium", "BE"),
            ("Portugal", "PT"),
            ("Mexico", "MX"),
            ("México", "MX"),
            ("Poland", "PL"),
            ("Denmark", "DK"),
            ("Norway", "NO"),
            ("Finland", "FI"),
            ("DEU", "DE"),
            ("gbr", "GB"),
            ("jp", "JP"),
        ] {
            assert_eq!(region_of_country(name), Some(want), "{name}");
        }
        for name in ["", "Atlantis", "XX", "ZZ", "Germany and France"] {
            assert_eq!(region_of_country(name), None, "{name}");
        }
    }

    #[test]
    fn every_country_name_is_a_known_region() {
        for (code, _) in COUNTRY_NAMES {
            assert_eq!(region_of_country(code), Some(*code), "{code}");
        }
    }

    #[test]
    fn idd_patterns_match_without_a_regex_engine() {
        let re = |s: &str| Pattern::new(s).unwrap();
        let au = re("001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011");
        assert_eq!(au.prefix_len(b"0011493012345"), Some(4));
        assert_eq!(au.prefix_len(b"1414001149"), Some(8));
        assert_eq!(au.prefix_len(b"0212345678"), None);
        let hk = re("00(?:30|5[09]|[126-9]?)");
        assert_eq!(hk.prefix_len(b"0049"), Some(2));
        assert_eq!(hk.prefix_len(b"001"), Some(3));
        assert_eq!(hk.prefix_len(b"0030"), Some(4));
        // Every pattern in the metadata is understood.
        for meta in DATABASE.iter() {
            if let Some(p) = meta.international_prefix() {
                assert!(
                    Pattern::new(p.as_str()).is_some(),
                    "{}: {}",
                    meta.id(),
                    p.as_str()
                );
            }
        }
    }

    /// The fast path agrees with `phonenumber::parse` on numbers built from each region's
    /// example numbers, written internationally ("+cc", and the region's own literal
    /// international prefix) and nationally (with the trunk prefix), with the region given.
    /// Left out: national numbers of regions without a trunk prefix that start with the
    /// country code's digits (`phonenumber` then takes them for the code: "393 123 4567" in
    /// Italy becomes +39 31234567), and the international forms of regions whose prefix is a
    /// pattern.
    #[test]
    fn fast_path_agrees_with_phonenumber() {
        let db: &Database = &DATABASE;
        let mut checked = 0;
        let mut fast = 0;
        let mut disagreements = Vec::new();
        let mut parse_wrong = 0;
        for meta in db.iter() {
            let Some(info) = REGIONS.get(meta.id().as_bytes()) else {
                continue;
            };
            let d = meta.descriptors();
            let examples = [
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.voip(),
                d.personal_number(),
                d.uan(),
            ]
            .into_iter()
            .flatten()
            .filter_map(|desc| desc.example());
            for example in examples {
                // The example and variants of it with other final digits.
                for variant in 0..4u8 {
                    let mut nsn = example.as_bytes().to_vec();
                    if let Some(last) = nsn.last_mut() {
                        *last = b'0' + (*last - b'0' + variant * 3) % 10;
                    }
                    let nsn = String::from_utf8(nsn).unwrap();
                    let truth = format!("+{}{}", info.cc, nsn);
                    let valid =
                        phonenumber::parse(None, &truth).is_ok_and(|n| phonenumber::is_valid(&n));
                    if variant > 0 && !valid {
                        continue;
                    }
                    let mut forms = vec![(format!("+{} {}", info.cc, nsn), true)];
                    if let Idd::Literal(p) = &info.idd {
                        forms.push((format!("{p} {} {}", info.cc, nsn), true));
                    }
                    let national = match meta.national_prefix() {
                        Some(p) => Some(format!("{p}{nsn}")),
                        None if nsn.starts_with(&info.cc) => None,
                        None => Some(nsn.clone()),
                    };
                    if let Some(n) = national {
                        forms.push((n, false));
                    }
                    for (form, international) in forms {
                        let ours = scan(&form).map(|s| resolve(s.digits(), s.plus, Some(info)));
                        let theirs = phonenumber::parse(Some(info.id), &form)
                            .ok()
                            .map(|n| n.format().mode(Mode::E164).to_string());
                        checked += 1;
                        let ours = match ours {
                            Some(Resolved::Fast(s)) => {
                                fast += 1;
                                s
                            }
                            Some(Resolved::Parsed(s)) => s,
                            None => None,
                        };
                        // Ours may differ in two ways only: no number where the spec wants
                        // none (under 6 digits), or the true number where parse errs (it
                        // strips a trunk "8" after +7, +375, +370: "+7 800…" is toll-free).
                        let short = digits(&form).len() < 6;
                        let agree = ours == theirs
                            || (ours.is_none() && short)
                            || (ours.as_ref() == Some(&truth) && theirs.as_ref() != Some(&truth));
                        if ours != theirs && agree && !short {
                            parse_wrong += 1;
                        }
                        if !agree {
                            disagreements.push(format!(
                                "{} {form:?} intl={international}: ours {ours:?}, parse {theirs:?}",
                                meta.id()
                            ));
                        }
                    }
                }
            }
        }
        assert!(checked > 2000, "{checked}");
        assert!(parse_wrong < 30, "parse erred on {parse_wrong}");
        assert!(
            fast * 10 > checked * 9,
            "fast path only {fast} of {checked}"
        );
        assert!(
            disagreements.is_empty(),
            "{} of {checked}:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        );
    }

    /// The sandbox writes random nine-digit numbers (crates/sandbox/src/seed: `phone_number`,
    /// corrupt.rs `phone_format`) as "+{dial} 123 456789", "{trunk}123 456789" and
    /// "00{dial} 123456789". Each must give one E.164 string. Numbers that start with 0 exist
    /// in no country with trunk prefix 0, and written nationally ("0" + "012…") they read as
    /// international ("0012…" is +1 2…); where that reading is implausible the national one
    /// wins, which rescues most of them.
    #[test]
    fn sandbox_forms_agree() {
        let countries = [
            ("US", "1", ""),
            ("GB", "44", "0"),
            ("DE", "49", "0"),
            ("FR", "33", "0"),
            ("ES", "34", ""),
            ("NL", "31", "0"),
            ("SE", "46", "0"),
            ("BR", "55", "0"),
            ("IN", "91", "0"),
            ("JP", "81", "0"),
        ];
        let (mut zero_heads, mut zero_failures) = (0, 0);
        let mut failures = Vec::new();
        for (region, dial, trunk) in countries {
            for head in 0..1000 {
                let digits = format!("{head:03}{:06}", (head * 7919 + 13) % 1_000_000);
                let (a, b) = digits.split_at(3);
                let forms = [
                    format!("+{dial} {a} {b}"),
                    format!("{trunk}{a} {b}"),
                    format!("00{dial} {a}{b}"),
                ];
                let results: Vec<Option<String>> =
                    forms.iter().map(|f| e164(f, Some(region))).collect();
                let agree = results[0].is_some() && results.iter().all(|r| *r == results[0]);
                // Also no number: Japanese ones starting 10, which written nationally
                // begin with Japan's international prefix 010.
                if head < 100 || (region == "JP" && head / 10 == 10) {
                    zero_heads += 1;
                    zero_failures += usize::from(!agree);
                } else if !agree {
                    failures.push(format!("{region} {forms:?} → {results:?}"));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{}:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(
            zero_failures * 5 < zero_heads,
            "{zero_failures} of {zero_heads} leading-zero numbers"
        );
    }

    proptest! {
        #[test]
        fn phone_never_panics(raw in any::<String>(), region in proptest::option::of("[A-Za-z]{2}")) {
            let _ = phone(&raw, region.as_deref());
        }

        #[test]
        fn phone_never_panics_on_digits(raw in "[+]?[0-9 ()-]{0,24}", region in proptest::sample::select(vec!["DE", "GB", "US", "BR", "JP", "AR", "AU", "CN", "KR", "CO", "MX", "AG", "IT", "RU", "HU"])) {
            let _ = phone(&raw, Some(region));
        }

        /// Normalising an E.164 result again gives it back, whatever the region.
        #[test]
        fn phone_is_idempotent(
            raw in "(\\+|00)?[0-9 ()/.-]{6,20}( ?(ext|x|#) ?[0-9]{1,4})?",
            region in proptest::option::of(proptest::sample::select(vec!["DE", "GB", "US", "FR", "ES", "NL", "SE", "BR", "IN", "JP", "IT", "AU"])),
            other in proptest::option::of(proptest::sample::select(vec!["DE", "US", "JP"])),
        ) {
            if let Some(p) = phone(&raw, region) {
                let again = phone(&p.e164, other).unwrap();
                prop_assert_eq!(&again.e164, &p.e164);
            }
        }
    }
}
