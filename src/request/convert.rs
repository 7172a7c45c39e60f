//! Converting one value of a request, as the document wrote it ([`Raw`]), into the
//! typed value of its field, or into the error that says why it cannot be one. The
//! rules are the same for JSON and YAML: docs/request.md, "Validation".

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::number::{self, CountError};
use super::scalar::{truncate, Raw};
use super::{Record, RequestError};
use crate::limits::COUNT_MAX;
use crate::policy::{CompiledPolicy, Field, FieldKind};
use crate::value::{self, Currency, Value};

/// Stores a converted value in its slot, or records why there is none.
pub(super) fn put<'a>(record: &mut Record<'a>, slot: u16, result: Result<Value<'a>, RequestError>) {
    match result {
        Ok(v) => {
            if let Some(place) = record.values.get_mut(usize::from(slot)) {
                *place = v;
            }
        }
        Err(e) => refuse(record, slot, e),
    }
}

/// Marks a slot as holding a value that is not valid, and records why.
#[cold]
fn refuse(record: &mut Record<'_>, slot: u16, error: RequestError) {
    record.mark_invalid(slot);
    record.errors.push(error);
}

/// Converts a raw value to the field's type and stores it, or records why not.
pub(super) fn store<'a>(policy: &CompiledPolicy, record: &mut Record<'a>, slot: u16, raw: Raw<'a>) {
    let Some(field) = policy.schema.fields.get(usize::from(slot)) else {
        return;
    };
    // Null and empty text count as missing.
    if matches!(raw, Raw::Null) || matches!(&raw, Raw::Str(s) if s.is_empty()) {
        return;
    }
    if let Some(value) = convert(policy, field, slot, raw, record) {
        if let Some(place) = record.values.get_mut(usize::from(slot)) {
            *place = value;
        }
    }
}

/// The typed value of a field given `raw`, or `None` when it is not valid: then the
/// slot is marked invalid and the error recorded, where it is found, so that the common
/// case moves only a small value (not a `Result` as large as the error) to its slot.
#[inline]
fn convert<'a>(
    policy: &CompiledPolicy,
    field: &Field,
    slot: u16,
    raw: Raw<'a>,
    record: &mut Record<'a>,
) -> Option<Value<'a>> {
    let wrong = |expected: &'static str, raw: &Raw<'_>| RequestError::WrongType {
        field: field.path.clone(),
        expected,
        found: raw.describe(),
        note: field.note.clone(),
    };
    let invalid = |problem: String| RequestError::InvalidValue {
        field: field.path.clone(),
        problem,
        note: field.note.clone(),
    };
    let refused = |record: &mut Record<'a>, error: RequestError| {
        refuse(record, slot, error);
        None
    };
    match (&field.kind, raw) {
        (FieldKind::Action, Raw::Str(s)) => {
            let index = policy.action_index(&s);
            let error = index.is_none().then(|| RequestError::UnknownAction {
                value: truncate(&s),
                known: policy
                    .actions
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
            record.action_text = Some(s);
            match (index, error) {
                (Some(a), _) => Some(Value::Action(a)),
                (None, error) => refused(record, error?),
            }
        }
        (FieldKind::RequestTime | FieldKind::Time, Raw::Str(s)) => match read_time(&s) {
            Ok(t) => Some(Value::Time(t)),
            Err(e) => refused(record, invalid(format!("\"{}\" {e}", truncate(&s)))),
        },
        (FieldKind::Side, Raw::Str(s)) => match policy.sides.iter().position(|x| **x == *s) {
            Some(i) => Some(Value::Side(u8::try_from(i).unwrap_or(u8::MAX))),
            None => refused(
                record,
                invalid(format!(
                    "\"{}\" is not one of {}",
                    truncate(&s),
                    policy.sides.join(", ")
                )),
            ),
        },
        (FieldKind::Enum(words), Raw::Str(s)) => match words.iter().position(|w| **w == *s) {
            Some(i) => Some(Value::Enum(slot, u16::try_from(i).unwrap_or(u16::MAX))),
            None => refused(
                record,
                invalid(format!(
                    "\"{}\" is not one of {}",
                    truncate(&s),
                    words.join(", ")
                )),
            ),
        },
        // Free text whose key is empty (only white space and format characters,
        // docs/request.md "Comparing text", `crate::text`) counts as missing, like empty text.
        (FieldKind::Text, Raw::Str(s)) if crate::text::is_blank(&s) => None,
        (FieldKind::Text, Raw::Str(s)) => Some(Value::Text(s)),
        (FieldKind::Money | FieldKind::Number, raw @ (Raw::Str(_) | Raw::Number(_))) => {
            match decimal(&raw) {
                Err(problem) => refused(record, invalid(problem)),
                Ok(d) if field.kind == FieldKind::Money && d.is_sign_negative() && !d.is_zero() => {
                    refused(
                        record,
                        invalid(format!(
                            "{} is negative; an amount of money is zero or more",
                            raw.describe()
                        )),
                    )
                }
                Ok(d) if field.kind == FieldKind::Money => {
                    Some(Value::Money(d, Currency::Undeclared))
                }
                Ok(d) => Some(Value::Number(d)),
            }
        }
        (FieldKind::Count, raw @ Raw::Number(_)) => {
            let text = match &raw {
                Raw::Number(s) => s.as_ref(),
                _ => "",
            };
            let error = match number::read_count(text) {
                Ok(n) => return Some(Value::Number(Decimal::from(n))),
                Err(CountError::NotWhole) => wrong(expected_for(&field.kind), &raw),
                Err(CountError::NotDecimalDigits) => invalid(format!(
                    "{} is not a whole number written in decimal digits (no sign, leading zero, base prefix, `_`, point or exponent)",
                    raw.describe()
                )),
                Err(CountError::Negative) => invalid(format!(
                    "{} is negative; a count is zero or more",
                    truncate(text)
                )),
                Err(CountError::TooLarge) => invalid(format!(
                    "{} is larger than the largest count, {COUNT_MAX}",
                    truncate(text)
                )),
            };
            refused(record, error)
        }
        (FieldKind::Flag, Raw::Bool(b)) => Some(Value::Bool(b)),
        (FieldKind::Guid, Raw::Str(s)) => match value::parse_guid(&s) {
            Some(g) => Some(Value::Guid(g)),
            None => refused(
                record,
                invalid(format!(
                    "\"{}\" is not a GUID (such as 3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f)",
                    truncate(&s)
                )),
            ),
        },
        (FieldKind::Market, Raw::Str(s)) => match policy.market_named(&s) {
            Some(code) => Some(Value::Market(code)),
            None => refused(
                record,
                RequestError::UnknownMarket {
                    field: field.path.clone(),
                    value: truncate(&s),
                },
            ),
        },
        (kind, raw) => refused(record, wrong(expected_for(kind), &raw)),
    }
}

/// The decimal rule, one for JSON and YAML (and a suite's expected numbers): a number or
/// text as written is a plain decimal (`value::read_decimal`: digits with an optional
/// point, a leading `-` only, no exponent, never rounded); the error names the value.
#[inline]
pub(super) fn decimal(raw: &Raw<'_>) -> Result<Decimal, String> {
    let text = match raw {
        Raw::Str(s) | Raw::Number(s) => s.as_ref(),
        _ => "",
    };
    match value::read_decimal(text) {
        Ok(d) => Ok(d),
        Err(e) => Err(not_a_decimal(raw, e)),
    }
}

/// Why a value is not a decimal, naming it.
#[cold]
fn not_a_decimal(raw: &Raw<'_>, e: value::DecimalError) -> String {
    format!("{} {e}", raw.describe())
}

/// Reads a request time: the common exact form `YYYY-MM-DDTHH:MM:SSZ` directly (the
/// same instant chrono reads, without its general parser), anything else through
/// [`value::read_time`].
fn read_time(text: &str) -> Result<DateTime<Utc>, value::TimeError> {
    match plain_utc_time(text) {
        Some(time) => Ok(time),
        None => value::read_time(text),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (`t` and `z` in either case), seconds 00-59; `None` for any
/// other shape, which the general parser then reads (or refuses). Every such time is in
/// the years 0000-9999 and is no leap second, as [`value::read_time`] requires.
fn plain_utc_time(text: &str) -> Option<DateTime<Utc>> {
    let bytes: [u8; 20] = text.as_bytes().try_into().ok()?;
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T' | b't', h0, h1, b':', mi0, mi1, b':', s0, s1, b'Z' | b'z'] =
        bytes
    else {
        return None;
    };
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&[y0, y1, y2, y3])?).ok()?;
    let (month, day) = (number(&[mo0, mo1])?, number(&[d0, d1])?);
    let (hour, minute) = (number(&[h0, h1])?, number(&[mi0, mi1])?);
    let second = number(&[s0, s1])?;
    if second > 59 {
        return None; // a leap second: refused, with its reason, by `value::read_time`
    }
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    Some(date.and_hms_opt(hour, minute, second)?.and_utc())
}

/// What a field of a kind must be, for "must be ..., not ..." messages.
fn expected_for(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Action => "an action name",
        FieldKind::RequestTime | FieldKind::Time => "a time (RFC 3339 text)",
        FieldKind::Side => "a side name",
        FieldKind::Roles => "a list of roles",
        FieldKind::Enum(_) => "one of the listed words",
        FieldKind::Text => "text",
        FieldKind::Money => "an amount (a decimal, as text or a number)",
        FieldKind::Number => "a decimal number",
        FieldKind::Count => "a whole number, zero or more",
        FieldKind::Flag => "true or false",
        FieldKind::Guid => "a GUID",
        FieldKind::Market => "a market code or name",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_form_reads_the_same_instant_as_the_general_parser() {
        for text in [
            "2026-11-25T12:00:00Z",
            "2026-11-25t12:00:00z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
        ] {
            assert_eq!(plain_utc_time(text), value::read_time(text).ok(), "{text}");
            assert!(plain_utc_time(text).is_some(), "{text}");
        }
        assert_eq!(plain_utc_time("2026-11-25T12:00:60Z"), None);
        assert_eq!(
            read_time("2026-11-25T12:00:60Z"),
            Err(value::TimeError::LeapSecond)
        );
        assert_eq!(plain_utc_time("2026-02-29T00:00:00Z"), None);
    }
}
