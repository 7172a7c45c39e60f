//! The currency of an amount of money, as a decision knows it: an ISO 4217 code (a
//! money literal's, or the request's currency field), or why it is not known. Codes and
//! their minor digits come from ISO 4217 through the `iso_currency` crate.

pub use iso_currency::Currency as Iso;

/// Where an amount's currency comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Currency {
    /// A money field whose currency the policy does not declare (`is money`).
    Undeclared,
    /// A known ISO 4217 currency.
    Code(#[serde(with = "crate::policy::serial::iso")] Iso),
    /// Its currency field (this slot) is not given.
    Missing(u16),
    /// Its currency field (this slot) holds text that is not an ISO 4217 code.
    Unknown(u16),
}

/// The ISO 4217 currency a request writes: three letters, any case, blanks around
/// them ignored; `None` for anything else.
pub fn read_code(text: &str) -> Option<Iso> {
    let text = text.trim();
    if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Iso::from_code(&text.to_ascii_uppercase())
}

/// How many decimals an amount in `currency` has (2 for USD, 0 for JPY and KRW, 3 for
/// BHD); two for the codes ISO gives none (gold, special drawing rights).
pub fn minor_digits(currency: Iso) -> u32 {
    currency.exponent().map_or(2, u32::from)
}

/// Every ISO 4217 code, for "did you mean" (the crate lists them by their numeric
/// codes, which have three digits).
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    (0..1000u16).filter_map(|n| Iso::from_numeric(n).map(|c| c.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_any_case_and_minor_digits_follow_iso() {
        assert_eq!(read_code("USD"), Some(Iso::USD));
        assert_eq!(read_code(" eur "), Some(Iso::EUR));
        assert_eq!(read_code("US"), None);
        assert_eq!(read_code("XYZ"), None);
        assert_eq!(read_code("dollars"), None);
        assert_eq!(minor_digits(Iso::USD), 2);
        assert_eq!(minor_digits(Iso::JPY), 0);
        assert_eq!(minor_digits(Iso::KRW), 0);
        assert_eq!(minor_digits(Iso::BHD), 3);
        assert!(all_codes().any(|c| c == "KRW"));
        assert!(all_codes().count() > 150);
    }
}
