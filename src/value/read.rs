//! Reading the kinds of values a request writes as text: RFC 3339 times, plain
//! decimals and GUIDs. Each reader refuses what it cannot hold exactly and says why.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::is_writable_time;
use crate::limits::{TIME_FIRST_YEAR, TIME_FRACTION_DIGITS, TIME_LAST_YEAR};

/// Parses a GUID (`8-4-4-4-12` hex digits, any case, optionally in braces).
pub(crate) fn parse_guid(text: &str) -> Option<u128> {
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let bytes: &[u8; 36] = text.as_bytes().try_into().ok()?;
    let [a @ .., b'-'] = *bytes.first_chunk::<9>()? else {
        return None;
    };
    let [b @ .., b'-'] = *bytes.get(9..14)?.first_chunk::<5>()? else {
        return None;
    };
    let [c @ .., b'-'] = *bytes.get(14..19)?.first_chunk::<5>()? else {
        return None;
    };
    let [d @ .., b'-'] = *bytes.get(19..24)?.first_chunk::<5>()? else {
        return None;
    };
    let e = bytes.last_chunk::<12>()?;
    // Two 64-bit halves: cheaper than shifting a 128-bit value per digit.
    let high = hex(&a)? << 32 | hex(&b)? << 16 | hex(&c)?;
    let low = hex(&d)? << 48 | hex(e)?;
    Some(u128::from(high) << 64 | u128::from(low))
}

/// The value of each byte as a hex digit (any case), or 0xFF.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The value of up to 16 hex digits, any case. Without a branch per digit: GUID
/// digits are random, so a branch on "digit or letter" would be mispredicted half the time.
fn hex(digits: &[u8]) -> Option<u64> {
    let mut value = 0u64;
    let mut invalid = 0u8;
    for &b in digits {
        let digit = HEX_DIGITS.get(usize::from(b)).copied().unwrap_or(0xFF);
        invalid |= digit;
        value = value << 4 | u64::from(digit & 0x0F);
    }
    (invalid & 0x80 == 0).then_some(value)
}

/// Why a text is not a time of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TimeError {
    /// Not RFC 3339 with an offset.
    #[error("is not an RFC 3339 time with an offset (such as 2026-11-25T12:00:00Z)")]
    NotRfc3339,
    /// A second of 60.
    #[error(
        "has a second of 60 (a leap second): times are exact UTC instants, and a leap second has no instant of its own"
    )]
    LeapSecond,
    /// More decimals of a second than a time holds.
    #[error(
        "has more than {TIME_FRACTION_DIGITS} decimals of a second: times are exact to the nanosecond"
    )]
    TooPrecise,
    /// Outside the years RFC 3339 can write, once in UTC.
    #[error(
        "is outside the years {TIME_FIRST_YEAR:04}-{TIME_LAST_YEAR} in UTC, which RFC 3339 cannot write"
    )]
    OutOfRange,
}

/// Reads an RFC 3339 timestamp with an offset (`T`/`Z` in either case; not a space for
/// `T`) into UTC, or says why it is not one: a leap second, more than nanoseconds, or a
/// year outside 0000-9999 once in UTC are refused, so that every time read is exact
/// and writable.
pub(crate) fn read_time(text: &str) -> Result<DateTime<Utc>, TimeError> {
    if text.len() > 64 {
        return Err(TimeError::NotRfc3339);
    }
    let owned;
    let text = if text.bytes().any(|b| b == b't' || b == b'z') {
        owned = text.replace('t', "T").replace('z', "Z");
        owned.as_str()
    } else {
        text
    };
    // RFC 3339's grammar separates date and time with `T` (chrono also takes a space).
    if text.as_bytes().get(10) != Some(&b'T') {
        return Err(TimeError::NotRfc3339);
    }
    let time = DateTime::parse_from_rfc3339(text)
        .map_err(|_| TimeError::NotRfc3339)?
        .with_timezone(&Utc);
    if fraction_digits(text) > TIME_FRACTION_DIGITS {
        return Err(TimeError::TooPrecise);
    }
    if chrono::Timelike::nanosecond(&time) >= 1_000_000_000 {
        return Err(TimeError::LeapSecond);
    }
    if !is_writable_time(&time) {
        return Err(TimeError::OutOfRange);
    }
    Ok(time)
}

/// Parses an RFC 3339 timestamp as [`read_time`] does, without the reason.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    read_time(text).ok()
}

/// The number of digits after the seconds' decimal point of an RFC 3339 time.
fn fraction_digits(text: &str) -> usize {
    // `YYYY-MM-DDTHH:MM:SS` is 19 bytes; a fraction starts with a point there.
    match text.as_bytes().get(19..) {
        Some([b'.', rest @ ..]) => rest.iter().take_while(|b| b.is_ascii_digit()).count(),
        _ => 0,
    }
}

/// Why a text is not a plain decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecimalError {
    /// Not digits with an optional point and digits (and an optional leading `-`).
    #[error("is not a plain decimal number (digits with an optional decimal point; no exponent)")]
    NotPlain,
    /// Larger than a decimal holds.
    #[error("is larger than the largest decimal (79228162514264337593543950335)")]
    TooLarge,
    /// More digits than a decimal holds exactly: reading it would round it.
    #[error(
        "has more digits than a decimal holds exactly (28 significant digits, at most 28 after the point)"
    )]
    TooPrecise,
}

/// Reads a plain decimal (`1200.00`, `-3`; `.5`, `5.`, `+1`, `1e3` are refused):
/// digits, an optional point and digits, no exponent, no sign other than a leading
/// `-`. A value the decimal type cannot hold exactly is refused, never rounded.
pub(crate) fn read_decimal(text: &str) -> Result<Decimal, DecimalError> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(DecimalError::NotPlain);
    }
    let frac_len = frac.map_or(0, str::len);
    let value = text.parse::<Decimal>().map_err(|_| {
        let int_digits = int.trim_start_matches('0').len();
        if int_digits > 28 || frac_len == 0 {
            DecimalError::TooLarge
        } else {
            DecimalError::TooPrecise
        }
    })?;
    // rust_decimal rounds what does not fit; the scale tells: it keeps every decimal
    // written exactly when it does not round.
    if usize::try_from(value.scale()).ok() != Some(frac_len) {
        return Err(DecimalError::TooPrecise);
    }
    Ok(value)
}

/// Parses a plain decimal as [`read_decimal`] does, without the reason (its tests read
/// the rule through it; the library reads decimals with the reason).
#[cfg(test)]
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    read_decimal(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn times_parse_with_offsets_and_lower_case_letters() {
        let t = parse_time("2026-11-25t21:00:00+09:00");
        let utc = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc());
        assert_eq!(t, utc);
        assert!(parse_time("2026-11-25T12:00:00z").is_some());
        assert!(
            parse_time("2026-11-25T12:00:00").is_none(),
            "an offset is required"
        );
        assert!(parse_time("2026-11-25").is_none());
    }

    #[test]
    fn decimals_refuse_exponents_and_odd_forms() {
        assert_eq!(parse_decimal("1200.00"), Some(dec("1200.00")));
        assert_eq!(parse_decimal("-1"), Some(dec("-1")));
        for bad in [
            "1e3", "1.2E3", ".5", "5.", "+1", "", "1,000", "0x10", "NaN", "1 000",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(
            parse_decimal("99999999999999999999999999999999"),
            None,
            "overflow is refused"
        );
    }

    #[test]
    fn decimals_that_a_decimal_cannot_hold_exactly_are_refused() {
        // rust_decimal would round these silently (to 0, to ...034).
        assert_eq!(parse_decimal("0.00000000000000000000000000001"), None);
        assert_eq!(parse_decimal("1.00000000000000000000000000001"), None);
        assert_eq!(parse_decimal("7922816251426433759354395033.55"), None);
        assert_eq!(parse_decimal("79228162514264337593543950336"), None);
        // The extremes that fit are kept as written.
        assert_eq!(
            parse_decimal("0.0000000000000000000000000001"),
            Some(dec("0.0000000000000000000000000001"))
        );
        assert_eq!(
            parse_decimal("79228162514264337593543950335"),
            Some(Decimal::MAX)
        );
        assert_eq!(
            parse_decimal("1015.89499999999999"),
            Some(dec("1015.89499999999999"))
        );
    }

    #[test]
    fn times_refuse_leap_seconds_years_past_9999_and_sub_nanosecond_digits() {
        for bad in [
            "2026-12-31T23:59:60Z",
            "2026-11-25T12:00:60Z",
            "2026-11-25T12:00:60.5+01:00",
            "9999-12-31T23:00:00-05:00",
            "0000-01-01T00:30:00+01:00",
            "2026-11-25T12:00:00.1234567891Z",
            "2026-11-25 12:00:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(
            read_time("2026-11-25T12:00:60Z"),
            Err(TimeError::LeapSecond)
        );
        assert_eq!(
            read_time("9999-12-31T23:00:00-05:00"),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            read_time("2026-11-25T12:00:00.1234567891Z"),
            Err(TimeError::TooPrecise)
        );
        assert_eq!(
            read_time("2026-11-25 12:00:00Z"),
            Err(TimeError::NotRfc3339),
            "RFC 3339 separates date and time with `T` (`t` is accepted too)"
        );
        for good in [
            "9999-12-31T23:59:59.999999999Z",
            "0000-01-01T00:00:00Z",
            "2026-11-25T12:00:00.123456789Z",
        ] {
            assert!(parse_time(good).is_some(), "{good}");
        }
    }

    #[test]
    fn guids_compare_case_insensitively_and_read_any_case() {
        let a = parse_guid("3F1C2B7E-8A9D-4C3B-9E2F-1A2B3C4D5E6F");
        let b = parse_guid("3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f");
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_eq!(a, Some(0x3f1c2b7e_8a9d_4c3b_9e2f_1a2b3c4d5e6f));
        assert_eq!(parse_guid("3f1c2b7e8a9d4c3b9e2f1a2b3c4d5e6f"), None);
        assert_eq!(parse_guid("3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6g"), None);
        assert_eq!(parse_guid("3f1c2b7e8-a9d-4c3b-9e2f-1a2b3c4d5e6f"), None);
        assert_eq!(parse_guid("3f1c2b7e-8a9d-4c3b-9e2f1-a2b3c4d5e6f"), None);
        assert_eq!(parse_guid("3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f-"), None);
        assert_eq!(parse_guid("{3F1C2B7E-8A9D-4C3B-9E2F-1A2B3C4D5E6F}"), a);
        assert_eq!(
            parse_guid("00000000-0000-0000-0000-000000000001"),
            Some(1),
            "the last digit is the lowest"
        );
        assert_eq!(
            parse_guid("10000000-0000-0000-0000-000000000000"),
            Some(1u128 << 124)
        );
    }
}
