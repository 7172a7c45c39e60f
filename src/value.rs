//! Runtime values: what a request field, a computed fact or a sub-expression holds while
//! a decision is made, and how each kind is written in messages and decisions.
//!
//! Money and numbers are [`Decimal`], never floats; times are UTC instants; durations
//! are exact (`chrono::TimeDelta`), never calendar arithmetic.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::limits::{TIME_FIRST_YEAR, TIME_FRACTION_DIGITS, TIME_LAST_YEAR};
use crate::market::MarketCode;

/// One value, borrowing text from the request it came from where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Not given, empty, or not valid: every test on it is false.
    Absent,
    /// `yes or no`.
    Bool(bool),
    /// A decimal number.
    Number(Decimal),
    /// A decimal amount of money (written with two decimals).
    Money(Decimal),
    /// Text.
    Text(Cow<'a, str>),
    /// A UTC instant.
    Time(DateTime<Utc>),
    /// An exact length of time.
    Duration(TimeDelta),
    /// A GUID as a 128-bit number (so comparison ignores case).
    Guid(u128),
    /// A market code.
    Market(MarketCode),
    /// One of the words of an enumerated field: (field index, word index).
    Enum(u16, u16),
    /// A side of the actor (index into the policy's sides).
    Side(u8),
    /// A set of roles as a bit mask over the policy's roles.
    Roles(u64),
    /// An action (index into the policy's actions).
    Action(u16),
}

impl Value<'_> {
    /// True unless the value is [`Value::Absent`].
    pub fn is_present(&self) -> bool {
        !matches!(self, Value::Absent)
    }

    /// The value as a boolean in a condition: absent counts as false.
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// A copy that no longer borrows from the request.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Absent => Value::Absent,
            Value::Bool(b) => Value::Bool(b),
            Value::Number(n) => Value::Number(n),
            Value::Money(m) => Value::Money(m),
            Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
            Value::Time(t) => Value::Time(t),
            Value::Duration(d) => Value::Duration(d),
            Value::Guid(g) => Value::Guid(g),
            Value::Market(m) => Value::Market(m),
            Value::Enum(f, i) => Value::Enum(f, i),
            Value::Side(s) => Value::Side(s),
            Value::Roles(r) => Value::Roles(r),
            Value::Action(a) => Value::Action(a),
        }
    }
}

/// Rounds half away from zero to `places` decimals, as the contract prescribes for money (docs/decision.md).
pub fn round_half_away(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Writes a time as RFC 3339 in UTC with `Z`, seconds always, fractions only when present.
pub fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Writes money with exactly two decimals (`1015.89`, `1200.00`).
pub fn format_money(amount: Decimal) -> String {
    let rounded = round_half_away(amount, 2);
    format!("{rounded:.2}")
}

/// Writes a number without trailing zeros (`84.66`, `100`, `4`).
pub fn format_number(number: Decimal) -> String {
    number.normalize().to_string()
}

/// Writes a duration in whole units where it can (`14 days`, `36 hours`, `90 seconds`).
pub fn format_duration(duration: TimeDelta) -> String {
    let seconds = duration.num_seconds();
    let (amount, unit) = if seconds != 0 && seconds % 86_400 == 0 {
        (seconds / 86_400, "day")
    } else if seconds != 0 && seconds % 3_600 == 0 {
        (seconds / 3_600, "hour")
    } else if seconds != 0 && seconds % 60 == 0 {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural}")
}

/// Writes a GUID in its canonical lower-case hyphenated form.
pub fn format_guid(guid: u128) -> String {
    let hex = format!("{guid:032x}");
    let mut out = String::with_capacity(36);
    for (i, c) in hex.chars().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// Parses a GUID (`8-4-4-4-12` hex digits, any case, optionally in braces).
pub fn parse_guid(text: &str) -> Option<u128> {
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
pub enum TimeError {
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

/// Whether a time can be written as RFC 3339 in UTC: its year is in
/// [`TIME_FIRST_YEAR`]..=[`TIME_LAST_YEAR`] and it is not a leap second. Every time the
/// engine holds is one: reading refuses the others, computing one is an error.
pub fn is_writable_time(time: &DateTime<Utc>) -> bool {
    use chrono::{Datelike as _, Timelike as _};
    (TIME_FIRST_YEAR..=TIME_LAST_YEAR).contains(&time.year()) && time.nanosecond() < 1_000_000_000
}

/// Reads an RFC 3339 timestamp with an offset (`T`/`Z` in either case; not a space for
/// `T`) into UTC, or says why it is not one: a leap second, more than nanoseconds, or a
/// year outside 0000-9999 once in UTC are refused, so that every time read is exact
/// and writable.
pub fn read_time(text: &str) -> Result<DateTime<Utc>, TimeError> {
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
pub enum DecimalError {
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
pub fn read_decimal(text: &str) -> Result<Decimal, DecimalError> {
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

/// Parses a plain decimal as [`read_decimal`] does, without the reason.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    read_decimal(text).ok()
}

/// Appends `items` joined by ", ", or "(none)" when there are none.
pub fn join_or_none<I: IntoIterator<Item = S>, S: AsRef<str>>(out: &mut String, items: I) {
    let mut first = true;
    for item in items {
        if !first {
            out.push_str(", ");
        }
        first = false;
        let _ = write!(out, "{}", item.as_ref());
    }
    if first {
        out.push_str("(none)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(format_money(dec("1015.885")), "1015.89");
        assert_eq!(format_money(dec("1015.884999")), "1015.88");
        assert_eq!(format_money(dec("-2.005")), "-2.01");
        assert_eq!(format_money(dec("1200")), "1200.00");
        assert_eq!(format_number(round_half_away(dec("84.6575"), 2)), "84.66");
        assert_eq!(format_number(dec("100.00")), "100");
    }

    #[test]
    fn times_parse_with_offsets_and_lower_case_letters() {
        let t = parse_time("2026-11-25t21:00:00+09:00");
        assert_eq!(
            t.map(|t| format_time(&t)).as_deref(),
            Some("2026-11-25T12:00:00Z")
        );
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
    fn guids_compare_case_insensitively_and_format_canonically() {
        let a = parse_guid("3F1C2B7E-8A9D-4C3B-9E2F-1A2B3C4D5E6F");
        let b = parse_guid("3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f");
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_eq!(
            a.map(format_guid).as_deref(),
            Some("3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f")
        );
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

    #[test]
    fn durations_are_written_in_whole_units() {
        assert_eq!(format_duration(TimeDelta::days(14)), "14 days");
        assert_eq!(format_duration(TimeDelta::hours(1)), "1 hour");
        assert_eq!(format_duration(TimeDelta::seconds(61)), "61 seconds");
    }
}
