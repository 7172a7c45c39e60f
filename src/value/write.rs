//! The one way each kind of value is written, in messages and in every rendering of a
//! decision (JSON, YAML, text): numbers without trailing zeros, money with two decimals
//! rounded half away from zero, times as RFC 3339 in UTC with `Z`, GUIDs in lower-case
//! 8-4-4-4-12 form, durations in whole units. Each writer appends to a `String` and
//! allocates nothing beyond the text it appends.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::round_half_away;

/// Appends a number without trailing zeros (`84.66`, `100`, `4`); integers are written
/// without going through the decimal formatter.
pub(crate) fn write_number(out: &mut String, n: Decimal) {
    let n = n.normalize();
    if n.scale() == 0 {
        let _ = write!(out, "{}", n.mantissa());
    } else {
        let _ = write!(out, "{n}");
    }
}

/// Appends an amount of money in its currency: with the currency's decimals and its
/// code when known (`1200.00 USD`, `150000 KRW`), else as [`write_money`] does
/// (`1200.00`).
pub(crate) fn write_money_in(out: &mut String, amount: Decimal, currency: super::Currency) {
    write_amount_in(out, amount, currency);
    if let super::Currency::Code(code) = currency {
        out.push(' ');
        out.push_str(code.code());
    }
}

/// Appends an amount of money with its currency's decimals when the currency is known
/// (`150000` for KRW), else two; rounded half away from zero; without the code (facts
/// are data: the request gives the currency).
pub(crate) fn write_amount_in(out: &mut String, amount: Decimal, currency: super::Currency) {
    let digits = match currency {
        super::Currency::Code(code) => super::currency::minor_digits(code),
        _ => 2,
    };
    if digits == 2 {
        write_money(out, amount);
    } else {
        let rounded = round_half_away(amount, digits);
        let _ = write!(out, "{rounded:.prec$}", prec = digits as usize);
    }
}

/// Appends an amount of money rounded half away from zero to two decimals, both written
/// (`1015.89`, `1200.00`); without the decimal formatter when the amount is not zero and
/// not huge.
pub(crate) fn write_money(out: &mut String, amount: Decimal) {
    let rounded = round_half_away(amount, 2);
    let cents = rounded.mantissa() * if rounded.scale() == 1 { 10 } else { 1 };
    let cents = if rounded.scale() == 0 {
        cents * 100
    } else {
        cents
    };
    if rounded.is_zero() || rounded.scale() > 2 || cents.unsigned_abs() >= 10u128.pow(26) {
        let _ = write!(out, "{rounded:.2}");
        return;
    }
    if cents < 0 {
        out.push('-');
    }
    let cents = cents.unsigned_abs();
    let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
}

/// Appends a time as RFC 3339 in UTC with `Z`, seconds always, fractions only when
/// present (in groups of three digits). Written digit by digit for the years 0000-9999
/// outside leap seconds (every time the engine holds, see [`super::is_writable_time`]);
/// through chrono otherwise.
pub(crate) fn write_time(out: &mut String, time: &DateTime<Utc>) {
    use chrono::{Datelike as _, Timelike as _};
    let naive = time.naive_utc();
    let (year, nano) = (naive.year(), naive.nanosecond());
    if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
        out.push_str(&time.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        return;
    }
    let year = year.unsigned_abs();
    push_two_digits(out, year / 100);
    push_two_digits(out, year % 100);
    out.push('-');
    push_two_digits(out, naive.month());
    out.push('-');
    push_two_digits(out, naive.day());
    out.push('T');
    push_two_digits(out, naive.hour());
    out.push(':');
    push_two_digits(out, naive.minute());
    out.push(':');
    push_two_digits(out, naive.second());
    let _ = if nano == 0 {
        Ok(())
    } else if nano % 1_000_000 == 0 {
        write!(out, ".{:03}", nano / 1_000_000)
    } else if nano % 1_000 == 0 {
        write!(out, ".{:06}", nano / 1_000)
    } else {
        write!(out, ".{nano:09}")
    };
    out.push('Z');
}

/// Appends a number below 100 as two digits.
fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Appends a GUID in its canonical lower-case hyphenated form (8-4-4-4-12).
pub(crate) fn write_guid(out: &mut String, guid: u128) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in 0..32u32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        let nibble = (guid >> (4 * (31 - i))) & 0xf;
        out.push(char::from(
            HEX.get(nibble as usize).copied().unwrap_or(b'0'),
        ));
    }
}

/// Appends a duration in the largest whole unit that divides it (`14 days`, `36 hours`,
/// `90 seconds`).
pub(crate) fn write_duration(out: &mut String, duration: TimeDelta) {
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
    let _ = write!(out, "{amount} {unit}{plural}");
}

/// Appends `items` joined by ", ", or "(none)" when there are none.
pub(crate) fn join_or_none<I: IntoIterator<Item = S>, S: AsRef<str>>(out: &mut String, items: I) {
    let mut first = true;
    for item in items {
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(item.as_ref());
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

    fn written(write: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        write(&mut out);
        out
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        let money = |s: &str| written(|out| write_money(out, dec(s)));
        assert_eq!(money("1015.885"), "1015.89");
        assert_eq!(money("1015.884999"), "1015.88");
        assert_eq!(money("-2.005"), "-2.01");
        assert_eq!(money("1200"), "1200.00");
        assert_eq!(money("0"), "0.00");
        assert_eq!(money("-0.004"), "0.00");
        assert_eq!(money("-0.005"), "-0.01");
        assert_eq!(money("7.5"), "7.50");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        let number = |s: &str| written(|out| write_number(out, dec(s)));
        assert_eq!(number("84.6600"), "84.66");
        assert_eq!(number("100.00"), "100");
        assert_eq!(number("4"), "4");
        assert_eq!(number("-0"), "0");
        assert_eq!(number("-0.10"), "-0.1");
        assert_eq!(
            written(|out| write_number(out, round_half_away(dec("84.6575"), 2))),
            "84.66"
        );
    }

    /// The fast paths agree with the decimal formatter (the reference: normalized
    /// `Display`, and `{:.2}` of the rounded amount) over the edges of the decimal type.
    #[test]
    fn numbers_and_money_agree_with_the_decimal_formatter() {
        for text in [
            "0",
            "-0",
            "0.000",
            "1",
            "-1",
            "50",
            "49.0",
            "84.6575",
            "1015.885",
            "-2.005",
            "0.005",
            "1200",
            "1200.1",
            "19957.55",
            "0.1",
            "-0.1",
            "123456789012345678901234.56",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "0.0000000000000000000000000001",
        ] {
            let d = dec(text);
            assert_eq!(
                written(|out| write_number(out, d)),
                d.normalize().to_string(),
                "number {text}"
            );
            assert_eq!(
                written(|out| write_money(out, d)),
                format!("{:.2}", round_half_away(d, 2)),
                "money {text}"
            );
        }
    }

    #[test]
    fn times_are_rfc_3339_in_utc_with_fractions_only_when_present() {
        let time = |s: &str| {
            let t = super::super::parse_time(s).unwrap();
            let out = written(|out| write_time(out, &t));
            assert_eq!(
                out,
                t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                "chrono agrees on {s}"
            );
            out
        };
        assert_eq!(time("2026-11-25T21:00:00+09:00"), "2026-11-25T12:00:00Z");
        assert_eq!(time("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
        assert_eq!(time("9999-12-31T23:59:59Z"), "9999-12-31T23:59:59Z");
        assert_eq!(time("2026-11-25T12:00:00.5Z"), "2026-11-25T12:00:00.500Z");
        assert_eq!(
            time("2026-11-25T12:00:00.000123Z"),
            "2026-11-25T12:00:00.000123Z"
        );
        assert_eq!(
            time("2026-11-25T12:00:00.000000001Z"),
            "2026-11-25T12:00:00.000000001Z"
        );
        // Outside the years RFC 3339 writes (never held): still written, by chrono.
        let far = DateTime::<Utc>::MAX_UTC;
        assert_eq!(
            written(|out| write_time(out, &far)),
            far.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
    }

    #[test]
    fn guids_are_lower_case_8_4_4_4_12() {
        let guid = |g: u128| written(|out| write_guid(out, g));
        assert_eq!(
            guid(0x3f1c2b7e_8a9d_4c3b_9e2f_1a2b3c4d5e6f),
            "3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f"
        );
        assert_eq!(guid(0), "00000000-0000-0000-0000-000000000000");
        assert_eq!(guid(u128::MAX), "ffffffff-ffff-ffff-ffff-ffffffffffff");
        assert_eq!(guid(1), "00000000-0000-0000-0000-000000000001");
    }

    #[test]
    fn durations_are_written_in_whole_units() {
        let duration = |d: TimeDelta| written(|out| write_duration(out, d));
        assert_eq!(duration(TimeDelta::days(14)), "14 days");
        assert_eq!(duration(TimeDelta::hours(1)), "1 hour");
        assert_eq!(duration(TimeDelta::hours(36)), "36 hours");
        assert_eq!(duration(TimeDelta::minutes(2)), "2 minutes");
        assert_eq!(duration(TimeDelta::seconds(61)), "61 seconds");
        assert_eq!(duration(TimeDelta::zero()), "0 seconds");
    }

    #[test]
    fn lists_are_joined_or_none() {
        assert_eq!(written(|out| join_or_none(out, ["a", "b"])), "a, b");
        assert_eq!(written(|out| join_or_none(out, [""; 0])), "(none)");
    }
}
