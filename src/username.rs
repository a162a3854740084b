//! Usernames as identifiers: the form two names are compared in (uniqueness, login lookup,
//! throttling, the reserved-word check), after RFC 8265's UsernameCaseMapped profile as far as
//! it can go without Unicode's normalization tables (which would add about 70 KB gzipped to
//! the wasm):
//!
//! 1. width mapping: full-width ASCII forms (`ａｄｍｉｎ`) become ASCII, the ideographic space a
//!    space (which the whitespace rule then refuses);
//! 2. refused: control and format characters, invisible and default-ignorable ones (zero-width
//!    spaces and joiners, bidirectional overrides, soft hyphens, variation selectors, tags),
//!    combining diacritical marks (U+0300–U+036F: their precomposed letters exist, so a
//!    decomposed name would be a look-alike), and the compatibility blocks NFKC would fold
//!    onto other characters (ligatures, super- and subscripts, letter-like and enclosed forms,
//!    mathematical alphanumerics, presentation forms, private use);
//! 3. case mapping: lower case.
//!
//! The display form is kept as given; only comparisons use the prepared form.

/// Why a username cannot be prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disallowed(pub char);

/// Code point ranges refused in usernames (inclusive).
const DISALLOWED: &[(u32, u32)] = &[
    (0x00A0, 0x00A0), // no-break space
    (0x00AA, 0x00AA), // ordinal indicators, superscripts, fractions, micro sign (compatibility)
    (0x00AD, 0x00AD), // soft hyphen
    (0x00B2, 0x00B3),
    (0x00B5, 0x00B5),
    (0x00B9, 0x00BA),
    (0x00BC, 0x00BE),
    (0x0132, 0x0133), // ligatures and digraphs with compatibility decompositions
    (0x013F, 0x0140),
    (0x0149, 0x0149),
    (0x017F, 0x017F),
    (0x01C4, 0x01CC),
    (0x01F1, 0x01F3),
    (0x02B0, 0x02B8), // modifier letters
    (0x0300, 0x036F), // combining diacritical marks
    (0x0600, 0x0605), // Arabic number signs (format characters)
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x08E2, 0x08E2),
    (0x1AB0, 0x1AFF), // combining diacritical marks extended
    (0x1DC0, 0x1DFF), // combining diacritical marks supplement
    (0x20D0, 0x20FF), // combining marks for symbols
    (0x2800, 0x2800), // Braille blank
    (0x034F, 0x034F), // combining grapheme joiner
    (0x061C, 0x061C), // Arabic letter mark
    (0x115F, 0x1160), // Hangul fillers
    (0x17B4, 0x17B5),
    (0x180B, 0x180F), // Mongolian variation selectors and vowel separator
    (0x1D2C, 0x1D6A), // phonetic modifier letters
    (0x2000, 0x206F), // general punctuation: spaces, zero-width characters, bidi controls
    (0x2070, 0x209F), // super- and subscripts
    (0x2100, 0x218F), // letter-like symbols, number forms
    (0x2460, 0x24FF), // enclosed alphanumerics
    (0x2C7C, 0x2C7D),
    (0x2D6F, 0x2D6F),
    (0x2E80, 0x2FDF),   // CJK radicals (compatibility)
    (0x3164, 0x3164),   // Hangul filler
    (0x3200, 0x33FF),   // enclosed CJK letters, CJK compatibility
    (0xE000, 0xF8FF),   // private use
    (0xF900, 0xFAFF),   // CJK compatibility ideographs
    (0xFB00, 0xFB4F),   // alphabetic presentation forms (ligatures)
    (0xFB50, 0xFDFF),   // Arabic presentation forms A
    (0xFE00, 0xFE6F),   // variation selectors, vertical, half-marks, compatibility, small forms
    (0xFE70, 0xFEFF),   // Arabic presentation forms B, byte order mark
    (0xFF00, 0xFFEF),   // half- and full-width forms (after the width mapping below)
    (0xFFF0, 0xFFFF),   // specials
    (0x110BD, 0x110BD), // Kaithi number signs (format)
    (0x110CD, 0x110CD),
    (0x13430, 0x1345F),  // Egyptian hieroglyph format controls
    (0x16FE4, 0x16FE4),  // Khitan filler
    (0x1BCA0, 0x1BCA3),  // shorthand format controls
    (0x1D173, 0x1D17A),  // musical symbol format controls
    (0x1D400, 0x1D7FF),  // mathematical alphanumerics
    (0x1F100, 0x1F1FF),  // enclosed alphanumeric supplement
    (0xE0000, 0xE0FFF),  // tags, variation selectors supplement
    (0xF0000, 0x10FFFF), // private use planes
];

fn disallowed(c: char) -> bool {
    let cp = c as u32;
    c.is_control() || DISALLOWED.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp))
}

/// Width mapping: full-width ASCII forms to ASCII, the ideographic space to a space.
fn narrow(c: char) -> char {
    match c as u32 {
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFF01 + 0x21).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// The prepared (comparison) form of a username, or the first character that is refused.
pub fn prepare(name: &str) -> Result<String, Disallowed> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().map(narrow) {
        if disallowed(c) {
            return Err(Disallowed(c));
        }
        out.extend(c.to_lowercase());
    }
    Ok(out)
}

/// The comparison form where there is one; a name that cannot be prepared compares as given
/// (no such name can be created, so it matches nothing new).
pub fn comparable(name: &str) -> String {
    prepare(name).unwrap_or_else(|_| name.to_string())
}

/// Do two usernames name the same account?
pub fn same(a: &str, b: &str) -> bool {
    a == b || comparable(a) == comparable(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_are_refused_or_folded() {
        assert_eq!(prepare("ａｄｍｉｎ").unwrap(), "admin");
        assert_eq!(prepare("Alice").unwrap(), "alice");
        assert_eq!(prepare("Łukasz.Żółć").unwrap(), "łukasz.żółć");
        assert_eq!(prepare("пётр").unwrap(), "пётр");
        assert_eq!(prepare("山田").unwrap(), "山田");
        for bad in [
            "ad\u{1BCA0}min",
            "ad\u{1D173}min",
            "ad\u{16FE4}min",
            "ad\u{0600}min",
            "ad\u{13430}min",
            "ad\u{2800}min",
            "e\u{1DC4}",
            "a\u{20E3}",
            "ad\u{1AB0}min",
            "ad\u{200b}min",
            "alice\u{200b}",
            "a\u{202e}b",
            "x\u{00ad}y",
            "e\u{0301}",
            "ﬁne",
            "x²",
            "ⓐ",
            "𝐚dmin",
            "a\u{fe0f}",
            "tab\tname",
            "\u{feff}bom",
        ] {
            assert!(prepare(bad).is_err(), "{bad:?}");
        }
        // The ideographic space becomes a space, which the whitespace rule refuses.
        assert_eq!(prepare("a\u{3000}b").unwrap(), "a b");
        assert!(same("Admin", "ADMIN") && same("ａｄｍｉｎ", "admin") && !same("admin", "admin2"));
    }
}
