//! Turning a text file's bytes into text, whatever wrote it.
//!
//! Which encoding: a byte-order mark decides (UTF-8, UTF-16 LE/BE), then the configured
//! label, then UTF-16 without a BOM (text never holds NUL bytes, UTF-16 of Latin text is
//! half NULs), then UTF-8. A file that is not valid UTF-8 is still read as UTF-8 when its
//! valid multi-byte sequences outnumber the invalid ones (a UTF-8 export with a few corrupt
//! lines: those lines are reported); otherwise it is a legacy export, read as windows-1252,
//! which every byte decodes in.

use std::collections::BTreeSet;

use encoding_rs::{DecoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Text, and the 1-based lines that held bytes the encoding could not decode (each such
/// sequence is a U+FFFD in `text`).
#[derive(Debug)]
pub(super) struct Decoded {
    pub text: String,
    pub bad_lines: BTreeSet<u64>,
}

/// The encoding a user's label names (`utf-8`, `latin1`, `windows-1252`, `utf-16le` …).
pub(super) fn encoding_for(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label_no_replacement(label.trim().as_bytes())
}

pub(super) fn decode(bytes: &[u8], configured: Option<&'static Encoding>) -> Decoded {
    let (encoding, bom) = choose(bytes, configured);
    decode_with(encoding, bytes.get(bom..).unwrap_or_default())
}

/// The encoding and how many leading bytes (a BOM) to skip.
fn choose(bytes: &[u8], configured: Option<&'static Encoding>) -> (&'static Encoding, usize) {
    if let Some(found) = Encoding::for_bom(bytes) {
        return found;
    }
    if let Some(encoding) = configured {
        return (encoding, 0);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        return (encoding, 0);
    }
    if mostly_utf8(bytes) {
        (UTF_8, 0)
    } else {
        (WINDOWS_1252, 0)
    }
}

fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = bytes.get(..256).unwrap_or(bytes);
    let pairs = sample.len() / 2;
    let nul_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    if pairs < 2 {
        None
    } else if even == 0 && odd * 2 >= pairs {
        Some(UTF_16LE)
    } else if odd == 0 && even * 2 >= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    invalid == 0 || multibyte > invalid
}

/// Decodes everything, marking each malformed sequence with U+FFFD and noting its line.
fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::new();
    let mut bad_lines = BTreeSet::new();
    let (mut line, mut counted) = (1u64, 0usize);
    let mut rest = bytes;
    loop {
        let room = decoder
            .max_utf8_buffer_length_without_replacement(rest.len())
            .unwrap_or(rest.len().saturating_mul(3).saturating_add(16));
        text.reserve(room);
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => {
                // Count only the text decoded since the last bad sequence.
                let fresh = text.get(counted..).unwrap_or_default();
                line += fresh.bytes().filter(|b| *b == b'\n').count() as u64;
                counted = text.len();
                bad_lines.insert(line);
                text.push('\u{FFFD}');
            }
        }
    }
    Decoded { text, bad_lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = if bom { vec![0xFEFF] } else { vec![] };
        for unit in units.into_iter().chain(text.encode_utf16()) {
            let bytes = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&bytes);
        }
        out
    }

    #[test]
    fn a_bom_decides_and_is_dropped() {
        let utf8 = decode("\u{feff}Name,Café\r\n".as_bytes(), None);
        assert_eq!(utf8.text, "Name,Café\r\n");
        for big_endian in [false, true] {
            let decoded = decode(&utf16("Name,Zoë\n", big_endian, true), None);
            assert_eq!(decoded.text, "Name,Zoë\n");
            assert!(decoded.bad_lines.is_empty());
        }
        // A BOM outranks a configured label.
        let labelled = decode("\u{feff}é".as_bytes(), encoding_for("windows-1252"));
        assert_eq!(labelled.text, "é");
    }

    #[test]
    fn utf16_without_a_bom_is_recognised_by_its_nul_bytes() {
        assert_eq!(
            decode(&utf16("a,b\n1,2\n", false, false), None).text,
            "a,b\n1,2\n"
        );
        assert_eq!(
            decode(&utf16("a,b\n1,2\n", true, false), None).text,
            "a,b\n1,2\n"
        );
    }

    #[test]
    fn legacy_bytes_fall_back_to_windows_1252() {
        // "Müller;Café €" as windows-1252.
        let decoded = decode(b"M\xfcller;Caf\xe9 \x80\n", None);
        assert_eq!(decoded.text, "Müller;Café €\n");
        assert!(decoded.bad_lines.is_empty());
    }

    #[test]
    fn a_configured_label_is_used_without_a_bom() {
        let decoded = decode(b"Gr\xfc\xdfe", encoding_for(" Latin1 "));
        assert_eq!(decoded.text, "Grüße");
        assert!(encoding_for("klingon").is_none());
        assert!(
            encoding_for("iso-2022-kr").is_none(),
            "the replacement encoding"
        );
    }

    #[test]
    fn utf8_with_a_corrupt_line_marks_that_line() {
        let bytes = b"Name\nZo\xc3\xab\nM\xfcller\n\xc3\xa9t\xc3\xa9\nok\n";
        let decoded = decode(bytes, None);
        assert_eq!(decoded.text, "Name\nZoë\nM\u{FFFD}ller\nété\nok\n");
        assert_eq!(decoded.bad_lines, BTreeSet::from([3]));
    }

    #[test]
    fn malformed_sequences_on_several_lines_are_all_noted() {
        let bytes = b"a\xe9\xc3\xa9\xc3\xa9\n\nb\xff\xfe\n\xc3\xa9\xc3\xa9";
        let decoded = decode(bytes, None);
        assert_eq!(decoded.bad_lines, BTreeSet::from([1, 3]));
    }
}
