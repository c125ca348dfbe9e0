//! String similarity for the hot path: tens of millions of name pairs per run. strsim's
//! functions allocate on every call (Damerau-Levenshtein builds a matrix and a map); these
//! work on the stack for the short, folded strings names are, and fall back to strsim for
//! anything long. Tests check they agree with strsim.

/// Names longer than this go to strsim.
const STACK: usize = 48;

/// Optimal-string-alignment distance ≤ 1: equal, one substitution, one insertion or
/// deletion, or one swap of neighbours.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) else {
                return true;
            };
            // One substitution, or a swap of i and i + 1.
            a[i + 1..] == b[i + 1..]
                || (i + 1 < a.len()
                    && a[i] == b[i + 1]
                    && a[i + 1] == b[i]
                    && a[i + 2..] == b[i + 2..])
        }
        1 => {
            let start = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[start..] == long[start + 1..]
        }
        _ => false,
    }
}

/// Whether Jaro-Winkler similarity reaches `threshold`. Most name pairs compared are plainly
/// different ("anna" / "thomas"), so an upper bound from the letters the two share settles
/// them before the full computation.
pub fn jaro_winkler_at_least(a: &str, b: &str, threshold: f64) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.is_empty() || y.is_empty() || !a.is_ascii() || !b.is_ascii() {
        return jaro_winkler(a, b) >= threshold;
    }
    let mut counts = [0i16; 128];
    for &c in x {
        counts[usize::from(c & 0x7f)] += 1;
    }
    let mut shared = 0usize;
    for &c in y {
        let slot = &mut counts[usize::from(c & 0x7f)];
        if *slot > 0 {
            *slot -= 1;
            shared += 1;
        }
    }
    // Jaro counts matches within a window, so they can't exceed the shared letters.
    let m = shared as f64;
    let jaro_max = (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0;
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    let bound = if jaro_max > 0.7 {
        jaro_max + 0.1 * prefix as f64 * (1.0 - jaro_max)
    } else {
        jaro_max
    };
    bound >= threshold && jaro_winkler(a, b) >= threshold
}

/// Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters), as strsim computes it.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !a.is_ascii() || !b.is_ascii() || a.len() > STACK || b.len() > STACK {
        return strsim::jaro_winkler(a, b);
    }
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let jaro = jaro_bytes(x, y);
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

fn jaro_bytes(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a.len() == 1 && b.len() == 1 {
        return if a[0] == b[0] { 1.0 } else { 0.0 };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags = [false; STACK];
    let mut b_flags = [false; STACK];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_flags[j] && b[j] == ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags[i] {
            while !b_flags[j] {
                j += 1;
            }
            if ca != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert!(within_one_edit("lewis", "lewsi"));
        assert!(within_one_edit("carvalho", "caralho"));
        assert!(within_one_edit("ana", "anna"));
        assert!(within_one_edit("smith", "smyth"));
        assert!(!within_one_edit("smith", "smiht2"));
        assert!(!within_one_edit("adnreia", "andreai"));
        assert!(
            (jaro_winkler("martha", "marhta") - strsim::jaro_winkler("martha", "marhta")).abs()
                < 1e-12
        );
    }

    proptest! {
        #[test]
        fn agrees_with_strsim(a in "[a-e]{0,9}", b in "[a-e]{0,9}") {
            prop_assert_eq!(within_one_edit(&a, &b), strsim::osa_distance(&a, &b) <= 1);
            prop_assert!((jaro_winkler(&a, &b) - strsim::jaro_winkler(&a, &b)).abs() < 1e-9);
            for t in [0.7, 0.85, 0.88, 0.92, 0.94] {
                prop_assert_eq!(jaro_winkler_at_least(&a, &b, t), strsim::jaro_winkler(&a, &b) >= t);
            }
        }
    }
}
