//! The text rule for whole numbers in requests (counts such as `link.downloads`), one
//! for JSON and YAML: a number's text as written (see `scalar`) is a count when it is
//! written as JSON writes a non-negative integer — decimal digits, no leading zero, no
//! sign, point, exponent, base prefix or `_` — and is at most [`COUNT_MAX`]. Decimals
//! (money, numbers) follow `value::read_decimal`.

use crate::limits::COUNT_MAX;

/// Why a number's text is not a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountError {
    /// A plain decimal that is not written as a whole number (`1.5`, `12.0`).
    NotWhole,
    /// Not written in decimal digits (`0x10`, `0o7`, `1_000`, `+5`, `012`, `1e2`).
    NotDecimalDigits,
    /// Below zero.
    Negative,
    /// Larger than [`COUNT_MAX`].
    TooLarge,
}

/// Reads a count from a number's text as written (see the module doc).
pub fn read_count(text: &str) -> Result<u64, CountError> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let decimal_digits = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !decimal_digits {
        let fraction = text.contains('.') && crate::value::read_decimal(text).is_ok();
        return Err(if fraction {
            CountError::NotWhole
        } else {
            CountError::NotDecimalDigits
        });
    }
    if negative && digits != "0" {
        return Err(CountError::Negative);
    }
    // More than 20 digits cannot be a u64; anything parsed is compared with the limit.
    match digits.parse::<u64>() {
        Ok(n) if n <= COUNT_MAX => Ok(n),
        _ => Err(CountError::TooLarge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_decimal_digits_up_to_the_limit() {
        assert_eq!(read_count("0"), Ok(0));
        assert_eq!(read_count("-0"), Ok(0), "JSON's -0 is zero");
        assert_eq!(read_count("12"), Ok(12));
        assert_eq!(read_count("9007199254740991"), Ok(COUNT_MAX));
        assert_eq!(read_count("9007199254740992"), Err(CountError::TooLarge));
        assert_eq!(
            read_count("100000000000000000000"),
            Err(CountError::TooLarge)
        );
        assert_eq!(read_count("-5"), Err(CountError::Negative));
        assert_eq!(read_count("1.5"), Err(CountError::NotWhole));
        assert_eq!(read_count("12.0"), Err(CountError::NotWhole));
        for form in [
            "0x10", "0o7", "0b1", "1_000", "+5", "012", "1e2", "", "-", ".5", "1.",
        ] {
            assert_eq!(
                read_count(form),
                Err(CountError::NotDecimalDigits),
                "{form}"
            );
        }
    }
}
