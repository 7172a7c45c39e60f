//! Comparing text (docs/request.md "Comparing text"): every text test of the language (`is`,
//! `is not`, `is one of`, `contains`) compares the **key** of its operands, never the text
//! as written. The key of a text is, in this order:
//!
//! 1. format characters removed (general category `Cf`: zero-width space, zero-width
//!    joiner and non-joiner, BOM, soft hyphen, bidi controls...);
//! 2. compatibility decomposition (NFKD): full-width letters, ligatures, `™`, no-break
//!    spaces become their plain forms *before* folding, so that `™` keys as `tm`;
//! 3. full Unicode case folding (`ß` → `ss`, `Σ`/`ς` → `σ`), not `to_lowercase`;
//! 4. NFKC, which recomposes what folding left decomposed;
//! 5. surrounding white space (Unicode `White_Space`) trimmed, each inner run of it one
//!    space (U+0020).
//!
//! Steps 2–4 are Unicode's NFKC_Casefold order (NFKC(fold(NFKD(x)))); with it the key is
//! idempotent, `key(key(s)) == key(s)` (tested on every character and by property).
//! Enumerated words, roles, actions and market codes are not text: they stay exact.
//!
//! The decision path mostly sees ASCII, so ASCII never touches the Unicode tables: a text
//! that is already its own key is returned borrowed, and comparing ASCII texts
//! ([`same`], [`matches_key`], [`contains_key`]) allocates nothing. The policy's
//! literals are keyed once, when the checker compiles them; at decision time only the
//! request's text is keyed.
//!
//! The tables come from maintained crates of one family: `unicode-normalization`
//! (NFKD/NFKC), `caseless` (full case folding from CaseFolding.txt) and
//! `unicode-properties` (general category).

use std::borrow::Cow;

use caseless::Caseless as _;
use unicode_normalization::UnicodeNormalization as _;
use unicode_properties::general_category::{GeneralCategory, UnicodeGeneralCategory as _};

/// The key of `text` (see the module documentation); borrowed when `text` is its own key.
pub fn key(text: &str) -> Cow<'_, str> {
    match ascii_shape(text.as_bytes()) {
        Some(Shape::Key) => Cow::Borrowed(text),
        Some(Shape::CaseOnly) => Cow::Owned(text.to_ascii_lowercase()),
        Some(Shape::Spaced) => Cow::Owned(AsciiKey::new(text).map(char::from).collect()),
        None => Cow::Owned(unicode_key(text)),
    }
}

/// Whether `a` and `b` have the same key.
pub fn same(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        // Texts equal but for ASCII case have the same key; else compare key bytes.
        a.eq_ignore_ascii_case(b) || AsciiKey::new(a).eq(AsciiKey::new(b))
    } else {
        key(a) == key(b)
    }
}

/// Whether the key of `text` is `key` (a text that is already a key, such as a policy
/// literal keyed by the checker). Allocates nothing when `text` is ASCII.
pub fn matches_key(text: &str, key: &str) -> bool {
    if text.is_ascii() {
        ascii_matches_key(text, key)
    } else {
        unicode_key(text) == key
    }
}

/// [`matches_key`] for ASCII `text`.
fn ascii_matches_key(text: &str, key: &str) -> bool {
    // Equal but for ASCII case: `key` is a key, so `text` is spaced as one and its key is
    // its lower case, `key`. Shorter than `key`: the key of ASCII text is never longer.
    // Else the bytes of the key, which stop at the first difference.
    text.eq_ignore_ascii_case(key)
        || (text.len() >= key.len() && AsciiKey::new(text).eq(key.bytes()))
}

/// Whether the key of `needle` occurs in the key of `haystack`.
pub fn contains(haystack: &str, needle: &str) -> bool {
    contains_key(haystack, &key(needle))
}

/// Whether `needle_key` (a key) occurs in the key of `haystack`. Allocates nothing when
/// `haystack` is ASCII with its spaces already as a key has them.
pub fn contains_key(haystack: &str, needle_key: &str) -> bool {
    if needle_key.is_empty() {
        return true;
    }
    if haystack.is_ascii() {
        if !needle_key.is_ascii() {
            return false; // the key of ASCII text is ASCII
        }
        // Found in the text as written, ignoring ASCII case: then it is in the key too,
        // since a key starts and ends with no space and has single spaces inside.
        let needle = needle_key.as_bytes();
        if haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
        {
            return true;
        }
        // Not found: final, unless the key's spaces differ from the text's.
        if ascii_shape(haystack.as_bytes()) != Some(Shape::Spaced) {
            return false;
        }
    }
    key(haystack).contains(needle_key)
}

/// A text about to be compared in a test: either a key already (a policy literal, or a
/// non-ASCII text keyed once here, for all the comparisons of one test), or ASCII text
/// that is keyed on the fly, byte by byte, while it is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed<'a> {
    /// A key.
    Key(Cow<'a, str>),
    /// ASCII text, not yet keyed.
    Ascii(&'a str),
}

impl<'a> Keyed<'a> {
    /// A text that is a key already (a literal the checker keyed).
    pub fn key(key: &'a str) -> Self {
        Keyed::Key(Cow::Borrowed(key))
    }

    /// Any text: ASCII is kept as it is, anything else is keyed now.
    pub fn text(text: &'a str) -> Self {
        if text.is_ascii() {
            Keyed::Ascii(text)
        } else {
            Keyed::Key(Cow::Owned(unicode_key(text)))
        }
    }

    /// Whether the two have the same key.
    pub fn same(&self, other: &Keyed<'_>) -> bool {
        match (self, other) {
            (Keyed::Key(a), Keyed::Key(b)) => a == b,
            (Keyed::Ascii(a), Keyed::Key(k)) | (Keyed::Key(k), Keyed::Ascii(a)) => {
                ascii_matches_key(a, k)
            }
            (Keyed::Ascii(a), Keyed::Ascii(b)) => same(a, b),
        }
    }

    /// Whether the key of `needle` occurs in this one's key.
    pub fn contains(&self, needle: &Keyed<'_>) -> bool {
        let needle = match needle {
            Keyed::Key(k) => Cow::Borrowed(k.as_ref()),
            Keyed::Ascii(text) => key(text),
        };
        match self {
            Keyed::Key(k) => k.contains(needle.as_ref()),
            Keyed::Ascii(text) => contains_key(text, &needle),
        }
    }
}

/// Whether the key of `text` is empty: it has nothing but white space and format
/// characters (such text counts as missing, like the empty string).
#[inline]
pub fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        // The common case, decided by the first byte: printable ASCII (not white space).
        Some(&b) if b > b' ' && b.is_ascii() => false,
        _ => is_blank_from_start(text),
    }
}

/// [`is_blank`], character by character.
#[cold]
fn is_blank_from_start(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_format(c))
}

/// A format character (general category `Cf`), removed from keys.
fn is_format(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

/// White space as the key sees it: Unicode `White_Space`, as [`char::is_whitespace`].
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The key of any text, through the Unicode tables.
fn unicode_key(text: &str) -> String {
    let chars = text
        .chars()
        .filter(|c| !is_format(*c))
        .nfkd()
        .default_case_fold()
        .nfkc();
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in chars {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// How far an ASCII text is from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// It is its own key.
    Key,
    /// Its key is its lower case (its white space is already single spaces inside).
    CaseOnly,
    /// Its white space needs trimming or collapsing.
    Spaced,
}

/// How far ASCII text is from its key; `None` for text that is not ASCII.
fn ascii_shape(bytes: &[u8]) -> Option<Shape> {
    let mut upper = false;
    let mut spaced = false;
    // Whether the previous byte was a space (true at the start: a space there leads).
    let mut after_space = true;
    for &b in bytes {
        if b > b' ' {
            if !b.is_ascii() {
                return None;
            }
            upper |= b.is_ascii_uppercase();
            after_space = false;
        } else if is_ascii_space(b) {
            spaced |= b != b' ' || after_space;
            after_space = true;
        } else {
            after_space = false; // a control character is kept as it is
        }
    }
    Some(if spaced || (after_space && !bytes.is_empty()) {
        Shape::Spaced
    } else if upper {
        Shape::CaseOnly
    } else {
        Shape::Key
    })
}

/// The key of an ASCII text, byte by byte, without allocating: lower case, white space
/// trimmed and collapsed. (ASCII has no format characters and is its own NFKC, and its
/// full case folding is `A-Z` → `a-z`.)
struct AsciiKey<'a> {
    bytes: std::slice::Iter<'a, u8>,
    /// A space is owed before the next byte that is not white space.
    space: bool,
    /// Something has been given (so a space may follow).
    started: bool,
    /// A byte read after an owed space, to give next.
    held: Option<u8>,
}

impl<'a> AsciiKey<'a> {
    fn new(text: &'a str) -> Self {
        AsciiKey {
            bytes: text.as_bytes().iter(),
            space: false,
            started: false,
            held: None,
        }
    }
}

impl Iterator for AsciiKey<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if let Some(b) = self.held.take() {
            return Some(b);
        }
        for &b in self.bytes.by_ref() {
            if is_ascii_space(b) {
                self.space = self.started;
                continue;
            }
            self.started = true;
            let b = b.to_ascii_lowercase();
            if self.space {
                self.space = false;
                self.held = Some(b);
                return Some(b' ');
            }
            return Some(b);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_design_examples() {
        assert_eq!(key("SUSE "), "suse");
        assert_eq!(key("ＳＵＳＥ"), "suse");
        assert_eq!(key("SU\u{200B}SE"), "suse");
        assert_eq!(key("RED  HAT"), "red hat");
        assert_eq!(key("Red Hat"), "red hat");
        for spelling in ["SUSE ", "ＳＵＳＥ", "SU\u{200B}SE", "suse", "\u{FEFF}Suse"] {
            assert!(same(spelling, "suse"), "{spelling:?}");
            assert!(matches_key(spelling, "suse"), "{spelling:?}");
        }
        assert!(!same("SUSE", "RedHat"));
        // Other white space of the same length as the key's spaces (found by proptest).
        assert!(matches_key("B\tA", "b a"));
        assert!(Keyed::text("RED\tHAT").same(&Keyed::key("red hat")));
        assert!(!matches_key("red hat", "redhat"));
    }

    #[test]
    fn each_step() {
        // Format characters: zero-width space, joiners, BOM, soft hyphen, word joiner.
        assert_eq!(
            key("a\u{200B}b\u{200C}c\u{200D}d\u{FEFF}e\u{00AD}f\u{2060}g"),
            "abcdefg"
        );
        // NFKC: full width, ligatures, compatibility forms, composed accents.
        assert_eq!(key("Ｗｉｎｄｏｗｓ"), "windows");
        assert_eq!(key("ﬁle"), "file");
        assert_eq!(key("e\u{301}"), "é");
        assert_eq!(key("Ⅻ"), "xii");
        // Compatibility decomposition before folding: `™` is `tm`, not `TM`.
        assert_eq!(key("™"), "tm");
        assert_eq!(key("㎒"), "mhz");
        // Full case folding, not lower-casing.
        assert_eq!(key("STRASSE"), key("straße"));
        assert_eq!(key("ΣΊΣΥΦΟΣ"), key("σίσυφος"));
        assert_eq!(key("ς"), "σ");
        assert_eq!(key("İ"), "i\u{307}");
        // White space: trimmed, runs collapsed, every kind (tab, no-break, ideographic).
        assert_eq!(key("  a \t\n b\u{00A0}\u{3000}c  "), "a b c");
        assert_eq!(key("\u{2028}x\u{2029}"), "x");
        // A format character between spaces leaves one space.
        assert_eq!(key("a \u{200B} b"), "a b");
        assert_eq!(key(""), "");
        assert_eq!(key(" \u{200B} "), "");
    }

    #[test]
    fn a_key_is_borrowed_when_the_text_is_one() {
        for text in [
            "suse",
            "red hat",
            "windows server 2022 datacenter",
            "",
            "a-b_c.d",
        ] {
            assert!(matches!(key(text), Cow::Borrowed(_)), "{text:?}");
        }
        for text in ["SUSE", " suse", "suse ", "red  hat", "red\that", "ＳＵＳＥ"] {
            assert!(matches!(key(text), Cow::Owned(_)), "{text:?}");
        }
    }

    #[test]
    fn contains_compares_keys() {
        assert!(contains("Windows Server 2022 Datacenter", "windows server"));
        assert!(contains("WINDOWS  SERVER 2022", "windows server"));
        assert!(contains("Ｗｉｎｄｏｗｓ\u{00A0}Server", "WINDOWS SERVER"));
        assert!(contains("Win\u{200B}dows Server", "windows server"));
        assert!(!contains("Windows 11", "windows server"));
        assert!(!contains("Windows", "windows server"));
        assert!(contains("anything", ""));
        assert!(contains("anything", " \u{200B}"));
        assert!(contains_key("Straße", "strasse"));
        assert!(!contains_key("plain ascii", "ß"));
    }

    #[test]
    fn blank_text() {
        for text in [
            "",
            " ",
            "\t\n",
            "\u{200B}",
            " \u{FEFF}\u{00A0} ",
            "\u{3000}",
        ] {
            assert!(is_blank(text), "{text:?}");
            assert!(key(text).is_empty(), "{text:?}");
        }
        for text in ["a", " a ", "\u{0301}", "\u{3164}", "´"] {
            assert!(!is_blank(text), "{text:?}");
            assert!(!key(text).is_empty(), "{text:?}");
        }
    }

    /// Every character: its key is a key (idempotence), blank exactly when its key is
    /// empty, and no step brings a format character back.
    #[test]
    fn every_character() {
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            let text = c.to_string();
            let k = key(&text);
            if k != text {
                assert_eq!(key(&k), k, "U+{:04X}", u32::from(c));
                assert!(!k.chars().any(is_format), "U+{:04X}", u32::from(c));
            }
            assert_eq!(is_blank(&text), k.is_empty(), "U+{:04X}", u32::from(c));
        }
    }

    /// Text that mixes the characters keys care about.
    fn tricky_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just(" ".to_string()),
            Just("\t".to_string()),
            Just("\u{00A0}".to_string()),
            Just("\u{3000}".to_string()),
            Just("\u{200B}".to_string()),
            Just("\u{200D}".to_string()),
            Just("\u{FEFF}".to_string()),
            Just("\u{0301}".to_string()),
            Just("\u{0345}".to_string()),
            Just("ß".to_string()),
            Just("ς".to_string()),
            Just("İ".to_string()),
            Just("™".to_string()),
            Just("ﬃ".to_string()),
            Just("Ａ".to_string()),
            "[a-zA-Z]{1,3}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn the_key_is_idempotent(text in tricky_text()) {
            let k = key(&text);
            prop_assert_eq!(key(&k), k.clone());
            prop_assert!(matches!(key(&k), Cow::Borrowed(_)) || !k.is_ascii());
            prop_assert_eq!(is_blank(&text), k.is_empty());
            prop_assert!(matches_key(&text, &k));
        }

        #[test]
        fn comparisons_agree_with_keys(a in tricky_text(), b in tricky_text()) {
            let (ka, kb) = (key(&a), key(&b));
            prop_assert_eq!(same(&a, &b), ka == kb);
            prop_assert_eq!(matches_key(&a, &kb), ka == kb);
            prop_assert_eq!(contains(&a, &b), ka.contains(&*kb));
            prop_assert_eq!(contains_key(&a, &kb), ka.contains(&*kb));
        }

        #[test]
        fn keyed_texts_compare_as_their_keys(a in tricky_text(), b in tricky_text()) {
            let (ka, kb) = (key(&a), key(&b));
            for x in [Keyed::text(&a), Keyed::key(&ka)] {
                for y in [Keyed::text(&b), Keyed::key(&kb)] {
                    prop_assert_eq!(x.same(&y), ka == kb);
                    prop_assert_eq!(x.contains(&y), ka.contains(&*kb));
                }
            }
        }

        /// Short ASCII texts over a tiny alphabet, so that equal keys are frequent.
        #[test]
        fn ascii_comparisons_agree_with_keys(a in "[aAbB \t]{0,6}", b in "[aAbB \t]{0,6}") {
            let (ka, kb) = (unicode_key(&a), unicode_key(&b));
            prop_assert_eq!(same(&a, &b), ka == kb);
            prop_assert_eq!(matches_key(&a, &kb), ka == kb);
            prop_assert_eq!(Keyed::text(&a).same(&Keyed::key(&kb)), ka == kb);
            prop_assert_eq!(contains_key(&a, &kb), ka.contains(&kb));
            prop_assert_eq!(Keyed::text(&a).contains(&Keyed::text(&b)), ka.contains(&kb));
        }

        /// The ASCII path gives what the Unicode path gives.
        #[test]
        fn ascii_keys_are_unicode_keys(text in "[ -~\t\n\r\u{b}\u{c}]{0,24}") {
            prop_assert_eq!(key(&text).into_owned(), unicode_key(&text));
        }

        #[test]
        fn same_spelling_differences_match(word in "[a-z]{1,8}( [a-z]{1,8}){0,2}") {
            let shouted = format!("  {}\u{200B} ", word.to_uppercase().replace(' ', "  "));
            prop_assert!(same(&shouted, &word));
            prop_assert!(matches_key(&shouted, &word));
            let haystack = format!("x {shouted} y");
            prop_assert!(contains_key(&haystack, &word));
        }
    }
}
