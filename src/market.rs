//! Market codes: ISO 3166-1 alpha-2 (from the `rust_iso3166` data) plus the
//! user-assigned `XK` (Kosovo), stored as a compact number, and sets of them as bit sets.
//! Which markets a policy lists, and under which display names, is the policy's business.

use std::fmt;

/// A two-letter market code, upper case, stored as an index `0..676`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct MarketCode(u16);

/// The user-assigned code in common use for Kosovo, accepted beside the ISO codes.
const USER_ASSIGNED: &[&str] = &["XK"];

impl MarketCode {
    /// The code for two ASCII letters in any case, if it is an assigned ISO 3166-1
    /// alpha-2 code or `XK`.
    pub fn parse(text: &str) -> Option<MarketCode> {
        let code = Self::from_letters(text)?;
        code.is_assigned().then_some(code)
    }

    /// The code for any two ASCII letters, assigned or not.
    pub fn from_letters(text: &str) -> Option<MarketCode> {
        let bytes = text.as_bytes();
        let [a, b] = bytes else { return None };
        if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
            return None;
        }
        let a = u16::from(a.to_ascii_uppercase() - b'A');
        let b = u16::from(b.to_ascii_uppercase() - b'A');
        Some(MarketCode(a * 26 + b))
    }

    /// Whether ISO 3166-1 assigns this code (or it is `XK`).
    pub fn is_assigned(self) -> bool {
        // One lookup in a table built on first use (676 codes), not a hash per call.
        static ASSIGNED: std::sync::OnceLock<MarketSet> = std::sync::OnceLock::new();
        ASSIGNED
            .get_or_init(|| {
                let mut set = MarketSet::default();
                for code in (0..26 * 26).map(MarketCode) {
                    let letters = code.letters();
                    let text = std::str::from_utf8(&letters).unwrap_or("");
                    if USER_ASSIGNED.contains(&text) || rust_iso3166::from_alpha2(text).is_some() {
                        set.insert(code);
                    }
                }
                set
            })
            .contains(self)
    }

    /// Every assigned code (ISO 3166-1 alpha-2 and `XK`), in order.
    pub fn all() -> impl Iterator<Item = MarketCode> {
        (0..26 * 26).map(MarketCode).filter(|c| c.is_assigned())
    }

    /// The ISO short name of the country or territory, when ISO assigns the code.
    pub fn iso_name(self) -> Option<String> {
        rust_iso3166::from_alpha2(&self.as_str()).map(|c| c.name.to_string())
    }

    /// The two upper-case letters.
    pub fn as_str(self) -> String {
        self.letters().iter().map(|&b| char::from(b)).collect()
    }

    /// The two upper-case letters as ASCII bytes (no allocation).
    fn letters(self) -> [u8; 2] {
        [b'A' + (self.0 / 26) as u8, b'A' + (self.0 % 26) as u8]
    }

    fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for MarketCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters = self.letters();
        f.write_str(std::str::from_utf8(&letters).unwrap_or(""))
    }
}

/// A set of market codes: one bit per possible code, so membership is one lookup.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct MarketSet([u64; 11]);

impl fmt::Debug for MarketSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl MarketSet {
    /// Adds a code; returns false when it was already there.
    pub fn insert(&mut self, code: MarketCode) -> bool {
        let (word, bit) = (code.index() / 64, code.index() % 64);
        match self.0.get_mut(word) {
            Some(w) => {
                let fresh = *w & (1 << bit) == 0;
                *w |= 1 << bit;
                fresh
            }
            None => false,
        }
    }

    /// Whether the set holds the code.
    pub fn contains(&self, code: MarketCode) -> bool {
        let (word, bit) = (code.index() / 64, code.index() % 64);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// How many codes the set holds.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The codes in order.
    pub fn iter(&self) -> impl Iterator<Item = MarketCode> + '_ {
        (0..676u16)
            .map(MarketCode)
            .filter(move |c| self.contains(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_any_case_and_must_be_assigned() {
        assert_eq!(
            MarketCode::parse("kr").map(|c| c.as_str()),
            Some("KR".into())
        );
        assert!(
            MarketCode::parse("XK").is_some(),
            "Kosovo's user-assigned code"
        );
        assert!(MarketCode::parse("ZZ").is_none());
        assert!(MarketCode::parse("K").is_none());
        assert!(MarketCode::parse("KOR").is_none());
        assert!(MarketCode::parse("é1").is_none());
    }

    #[test]
    fn sets_hold_each_code_once() {
        let mut set = MarketSet::default();
        let bq = MarketCode::parse("BQ").unwrap_or(MarketCode(0));
        assert!(set.insert(bq));
        assert!(!set.insert(bq));
        assert!(set.contains(bq));
        assert!(!set.contains(MarketCode::parse("KR").unwrap_or(MarketCode(0))));
        assert_eq!(set.len(), 1);
        assert!(MarketSet::default().insert(MarketCode(675)));
    }
}
