//! Email addresses: one spelling per mailbox, and what kind of mailbox it is.
//!
//! Case never matters in practice, Gmail ignores dots and every provider that supports
//! sub-addressing ignores "+tag", so `J.Smith+webinar@GoogleMail.com` and `jsmith@gmail.com`
//! are one mailbox. Free-mail domains say nothing about the employer, and shared role mailboxes
//! (info@, sales@) say nothing about the person: both flags let the matcher discount them.

/// A normalised address: `address` = `local` + "@" + `domain`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email {
    pub address: String,
    pub local: String,
    pub domain: String,
    /// The domain is a free or ISP mail provider (gmail.com, gmx.de, orange.fr…).
    pub free_provider: bool,
    /// The local part is a shared role mailbox (info, sales, kontakt…).
    pub role: bool,
}

/// `None` when empty or not an address: not exactly one '@', an empty local part or domain,
/// whitespace or control characters inside. Lowercased and trimmed (a leading "mailto:" and
/// surrounding angle brackets are dropped too); a "+tag" is dropped from the local part; for
/// gmail.com and googlemail.com the domain becomes gmail.com and dots leave the local part.
/// Normalising the result's `address` again gives the same result.
pub fn email(raw: &str) -> Option<Email> {
    let mut s = raw.trim();
    if s.len() > 7 && s.is_char_boundary(7) && s[..7].eq_ignore_ascii_case("mailto:") {
        s = s[7..].trim_start();
    }
    if let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        s = inner.trim();
    }
    let (local, domain) = s.split_once('@')?;
    // Characters that cannot stand unquoted in an address mean a display name, a list or
    // markup around it: not one address.
    if domain.contains('@')
        || s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';' | ':' | '"' | '\\'
                )
        })
    {
        return None;
    }
    let domain = lower(domain.trim_end_matches('.'));
    let domain = if domain == "googlemail.com" {
        "gmail.com".to_owned()
    } else {
        domain
    };
    let mut local = lower(local);
    // Sub-addressing: "name+tag" is delivered to "name". A local part that starts with '+'
    // has no name to keep, so it stays as written.
    if let Some(plus) = local.find('+')
        && plus > 0
    {
        local.truncate(plus);
    }
    if domain == "gmail.com" {
        local.retain(|c| c != '.');
    }
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    let mut address = String::with_capacity(local.len() + 1 + domain.len());
    address.push_str(&local);
    address.push('@');
    address.push_str(&domain);
    Some(Email {
        free_provider: is_free_provider(&domain),
        role: is_role(&local),
        address,
        local,
        domain,
    })
}

/// The local part without a trailing number: "john.smith2" → "john.smith",
/// "j_smith_07" → "j_smith". Numbered addresses are how providers tell namesakes apart, so two
/// addresses with the same stem hint at the same name, not at the same person. The trailing
/// run of digits and separators (`.`, `_`, `-`) goes only when it holds a digit, and never the
/// whole local part ("2024" stays "2024").
pub fn local_stem(local: &str) -> &str {
    let stem = local.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let run = &local[stem.len()..];
    if stem.is_empty() || !run.bytes().any(|b| b.is_ascii_digit()) {
        local
    } else {
        stem
    }
}

fn lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// A free or ISP mail domain: listed exactly, or a big provider's brand under any country
/// ending (yahoo.co.uk, hotmail.fr, gmx.at, outlook.com.br…).
fn is_free_provider(domain: &str) -> bool {
    if FREE_DOMAINS.binary_search(&domain).is_ok() {
        return true;
    }
    let Some((brand, rest)) = domain.split_once('.') else {
        return false;
    };
    BRANDS.binary_search(&brand).is_ok() && is_country_ending(rest)
}

/// "com", "de", "co.uk", "com.br", "ne.jp": a public ending rather than a company's own
/// subdomain (outlook.acme.com is Acme's).
fn is_country_ending(rest: &str) -> bool {
    match rest.split_once('.') {
        None => (2..=3).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_lowercase()),
        Some((second, country)) => {
            matches!(second, "co" | "com" | "ne" | "or" | "net" | "org")
                && country.len() == 2
                && country.bytes().all(|b| b.is_ascii_lowercase())
        }
    }
}

/// A role mailbox: the local part's stem (trailing digits gone) with separators removed is a
/// shared-mailbox word. `info2`, `no-reply`, `customer.service` all count.
fn is_role(local: &str) -> bool {
    let stem = local_stem(local);
    let mut key = [0u8; 24];
    let mut n = 0;
    for b in stem.bytes() {
        if matches!(b, b'.' | b'_' | b'-') {
            continue;
        }
        if !b.is_ascii() || n == key.len() {
            return false;
        }
        key[n] = b;
        n += 1;
    }
    std::str::from_utf8(&key[..n]).is_ok_and(|k| ROLES.binary_search(&k).is_ok())
}

/// Free and ISP mail domains, exact (sorted: binary search).
const FREE_DOMAINS: &[&str] = &[
    "126.com",
    "139.com",
    "163.com",
    "aim.com",
    "alice.it",
    "arcor.de",
    "att.net",
    "bahnhof.se",
    "bell.net",
    "bellsouth.net",
    "bigpond.com",
    "bigpond.net.au",
    "bk.ru",
    "bluewin.ch",
    "bol.com.br",
    "bredband.net",
    "btinternet.com",
    "charter.net",
    "chello.nl",
    "comcast.net",
    "cox.net",
    "daum.net",
    "docomo.ne.jp",
    "earthlink.net",
    "eircom.net",
    "email.com",
    "ezweb.ne.jp",
    "fastmail.com",
    "fastmail.fm",
    "foxmail.com",
    "free.fr",
    "freenet.de",
    "gmail.com",
    "gmx.com",
    "hanmail.net",
    "hetnet.nl",
    "hey.com",
    "home.nl",
    "hushmail.com",
    "i.softbank.jp",
    "icloud.com",
    "ig.com.br",
    "inbox.com",
    "inbox.ru",
    "interia.pl",
    "iol.pt",
    "juno.com",
    "kpnmail.nl",
    "laposte.net",
    "libero.it",
    "list.ru",
    "mac.com",
    "mail.com",
    "mail.ru",
    "mailbox.org",
    "me.com",
    "msn.com",
    "naver.com",
    "neuf.fr",
    "nifty.com",
    "ntlworld.com",
    "o2.pl",
    "ocn.ne.jp",
    "onet.pl",
    "online.no",
    "optusnet.com.au",
    "orange.fr",
    "planet.nl",
    "pm.me",
    "posteo.de",
    "proton.me",
    "qq.com",
    "quicknet.nl",
    "rambler.ru",
    "rediffmail.com",
    "rocketmail.com",
    "rogers.com",
    "sapo.pt",
    "sbcglobal.net",
    "seznam.cz",
    "sfr.fr",
    "shaw.ca",
    "sina.cn",
    "sina.com",
    "sky.com",
    "skynet.be",
    "sohu.com",
    "spray.se",
    "sympatico.ca",
    "t-online.de",
    "talktalk.net",
    "telefonica.net",
    "telenet.be",
    "telia.com",
    "telus.net",
    "terra.com.br",
    "tin.it",
    "tiscali.co.uk",
    "tiscali.it",
    "tuta.io",
    "tutanota.com",
    "tutanota.de",
    "uol.com.br",
    "upcmail.nl",
    "usa.com",
    "verizon.net",
    "videotron.ca",
    "virgilio.it",
    "virginmedia.com",
    "wanadoo.fr",
    "web.de",
    "wp.pl",
    "xs4all.nl",
    "ya.ru",
    "yahoo.com",
    "yeah.net",
    "ymail.com",
    "ziggo.nl",
    "zoho.com",
    "zohomail.com",
];

/// Providers whose brand is free mail under every country ending (sorted).
const BRANDS: &[&str] = &[
    "aol",
    "gmx",
    "hotmail",
    "live",
    "outlook",
    "protonmail",
    "windowslive",
    "yahoo",
    "yandex",
];

/// Shared-mailbox words, separators removed (sorted): English, German, French, Spanish,
/// Italian, Dutch, Portuguese and Nordic.
const ROLES: &[&str] = &[
    "abuse",
    "accounting",
    "accounts",
    "accueil",
    "admin",
    "administracion",
    "administratie",
    "administration",
    "administrator",
    "amministrazione",
    "asiakaspalvelu",
    "atendimento",
    "billing",
    "booking",
    "bookings",
    "buchhaltung",
    "buero",
    "bureau",
    "careers",
    "comercial",
    "commercial",
    "commerciale",
    "compliance",
    "compta",
    "comptabilite",
    "contact",
    "contacto",
    "contacts",
    "contato",
    "contatti",
    "customercare",
    "customerservice",
    "customersupport",
    "donotreply",
    "einkauf",
    "email",
    "empfang",
    "enquiries",
    "enquiry",
    "events",
    "facturacion",
    "finance",
    "financeiro",
    "hello",
    "help",
    "helpdesk",
    "hola",
    "hostmaster",
    "hr",
    "info",
    "informacion",
    "information",
    "inquiries",
    "inquiry",
    "invoice",
    "invoices",
    "jobs",
    "karriere",
    "klantenservice",
    "kontakt",
    "kontor",
    "kundenservice",
    "kundeservice",
    "kundservice",
    "legal",
    "mail",
    "marketing",
    "media",
    "myynti",
    "news",
    "newsletter",
    "noreply",
    "office",
    "orders",
    "partners",
    "personal",
    "post",
    "postmaster",
    "press",
    "presse",
    "privacy",
    "procurement",
    "purchasing",
    "reception",
    "recruiting",
    "recruitment",
    "rh",
    "rrhh",
    "sales",
    "salg",
    "secretariat",
    "segreteria",
    "service",
    "shop",
    "suporte",
    "support",
    "team",
    "toimisto",
    "vendas",
    "vendite",
    "ventas",
    "verkauf",
    "verkoop",
    "vertrieb",
    "verwaltung",
    "webmaster",
    "welcome",
    "zentrale",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for table in [FREE_DOMAINS, BRANDS, ROLES] {
            assert!(
                table.windows(2).all(|w| w[0] < w[1]),
                "{:?}",
                table.windows(2).find(|w| w[0] >= w[1])
            );
        }
    }

    #[test]
    fn gmail_spellings_are_one_mailbox() {
        let want = email("jsmith@gmail.com").unwrap();
        for raw in [
            " J.Smith@Gmail.com ",
            "j.s.m.i.t.h+webinar@googlemail.com",
            "JSMITH+crm@GMAIL.COM",
            "mailto:jsmith@gmail.com",
            "<jsmith@gmail.com>",
            "jsmith@gmail.com.",
        ] {
            assert_eq!(email(raw).unwrap(), want, "{raw}");
        }
        assert_eq!(want.address, "jsmith@gmail.com");
        assert_eq!(
            (want.local.as_str(), want.domain.as_str()),
            ("jsmith", "gmail.com")
        );
        assert!(want.free_provider);
        assert!(!want.role);
    }

    #[test]
    fn other_domains_keep_dots_but_drop_tags() {
        let e = email("Johannes.Mueller+events@Acme.de").unwrap();
        assert_eq!(e.address, "johannes.mueller@acme.de");
        assert!(!e.free_provider);
        assert_eq!(email("+tag@acme.de").unwrap().address, "+tag@acme.de");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for raw in [
            "",
            "  ",
            "john",
            "john@",
            "@acme.com",
            "a@b@c.com",
            "john smith@acme.com",
            "a@b.com; c@d.com",
            ".@gmail.com",
            "mailto:",
        ] {
            assert_eq!(email(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn free_providers() {
        for d in [
            "yahoo.co.uk",
            "yahoo.de",
            "hotmail.fr",
            "outlook.com",
            "live.nl",
            "gmx.de",
            "gmx.net",
            "web.de",
            "t-online.de",
            "orange.fr",
            "free.fr",
            "libero.it",
            "protonmail.com",
            "proton.me",
            "yandex.ru",
            "mail.ru",
            "qq.com",
            "163.com",
            "icloud.com",
            "me.com",
            "aol.com",
            "yahoo.com.br",
            "hotmail.co.jp",
        ] {
            assert!(email(&format!("x@{d}")).unwrap().free_provider, "{d}");
        }
        for d in [
            "acme.com",
            "outlook.acme.com",
            "liveperson.com",
            "orange.com",
            "mail.acme.de",
            "gmx",
        ] {
            assert!(!email(&format!("x@{d}")).unwrap().free_provider, "{d}");
        }
    }

    #[test]
    fn role_mailboxes() {
        for l in [
            "info",
            "info2",
            "sales",
            "no-reply",
            "noreply",
            "do_not_reply",
            "kontakt",
            "vertrieb",
            "bureau",
            "customer.service",
            "support01",
            "hr",
            "enquiries",
        ] {
            assert!(email(&format!("{l}@acme.de")).unwrap().role, "{l}");
        }
        for l in ["john.smith", "informatics.lead", "jsales", "hrvoje"] {
            assert!(!email(&format!("{l}@acme.de")).unwrap().role, "{l}");
        }
    }

    #[test]
    fn local_stems() {
        assert_eq!(local_stem("john.smith2"), "john.smith");
        assert_eq!(local_stem("john.smith"), "john.smith");
        assert_eq!(local_stem("j_smith_07"), "j_smith");
        assert_eq!(local_stem("a1_2"), "a");
        assert_eq!(local_stem("trailing."), "trailing.");
        assert_eq!(local_stem("2024"), "2024");
        assert_eq!(local_stem(""), "");
    }

    proptest! {
        #[test]
        fn email_is_idempotent(raw in "[ A-Za-z0-9._+<>-]{0,12}@?[A-Za-z0-9.-]{0,12}(\\.(com|de))?") {
            if let Some(e) = email(&raw) {
                prop_assert_eq!(email(&e.address), Some(e.clone()));
            }
        }

        #[test]
        fn email_never_panics_and_is_idempotent_on_anything(raw in any::<String>()) {
            if let Some(e) = email(&raw) {
                prop_assert_eq!(email(&e.address), Some(e.clone()));
            }
        }

        #[test]
        fn local_stem_is_idempotent(local in "[a-z0-9._-]{0,12}") {
            let once = local_stem(&local);
            prop_assert_eq!(local_stem(once), once);
        }
    }
}
