//! Decoding one request document straight into a [`Record`], driven by the schema: the
//! two entry points, JSON (serde_json) and YAML (serde-saphyr, read as `yaml.rs` says:
//! merge keys, unknown tags and duplicate keys refused, a budget on depth, aliases and
//! nodes). Both run the one schema-driven walk (`walk.rs`) over their format's
//! deserializer; each format hands a leaf's value over as written (`scalar.rs`), and
//! one set of rules converts it (`convert.rs`). JSON is first read on a fast path
//! (`json_fast.rs`) that gives up, for serde_json to read the document again, on
//! anything but the plain text requests are made of. A document the format refuses decides
//! nothing: the record keeps only that error, with its line and column in the input.

use super::json_fast;
use super::scalar::Json;
use super::walk::walk;
use super::yaml::{Reader, Yaml};
use super::{Record, RequestError};
use crate::limits::REQUEST_BYTES;
use crate::policy::CompiledPolicy;
use crate::value::Value;

pub(crate) use super::scalar::truncate;

/// Decodes a JSON document. `line` is where it starts in the input (1-based), for errors.
pub fn decode_json<'a>(policy: &CompiledPolicy, text: &'a str, line: usize) -> Record<'a> {
    let mut record = Record::default();
    decode_json_into(policy, text, line, &mut record);
    record
}

/// Decodes a JSON document into `record`, reusing its buffers (see [`Record::recycle`]).
pub fn decode_json_into<'a>(
    policy: &CompiledPolicy,
    text: &'a str,
    line: usize,
    record: &mut Record<'a>,
) {
    let read = |record: &mut Record<'a>| {
        if json_fast::read(policy, record, text) {
            return Ok(());
        }
        // Given up: serde_json reads the document from the start, and words any error.
        record.clear(policy.schema.fields.len());
        read_json(policy, record, text)
    };
    decode_into(policy, text, line, record, read, |e| json_error(&e, line));
}

/// Decodes a JSON document with serde_json alone, never the fast path
/// (`request/json_fast.rs`): the reference the fast path must agree with (its tests and
/// the `decide` fuzz target compare the two records).
pub fn decode_json_reference<'a>(
    policy: &CompiledPolicy,
    text: &'a str,
    line: usize,
) -> Record<'a> {
    let mut record = Record::default();
    let read = |record: &mut Record<'a>| read_json(policy, record, text);
    decode_into(policy, text, line, &mut record, read, |e| {
        json_error(&e, line)
    });
    record
}

/// The walk over serde_json's reading of `text`, to its end.
fn read_json<'a>(
    policy: &CompiledPolicy,
    record: &mut Record<'a>,
    text: &'a str,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    walk(policy, record, Json, &mut de).and_then(|()| de.end())
}

/// serde_json's error, located in the input (the document starts at `line`).
fn json_error(e: &serde_json::Error, line: usize) -> RequestError {
    RequestError::Malformed {
        message: format!("not valid JSON: {}", strip_position(&e.to_string())),
        line: Some(line + e.line().saturating_sub(1)),
        column: Some(e.column()),
    }
}

/// Decodes a YAML document. `line` is where it starts in the input (1-based).
pub fn decode_yaml<'a>(policy: &CompiledPolicy, text: &'a str, line: usize) -> Record<'a> {
    let mut record = Record::default();
    decode_yaml_into(policy, text, line, &mut record);
    record
}

/// Decodes a YAML document into `record`, reusing its buffers.
pub fn decode_yaml_into<'a>(
    policy: &CompiledPolicy,
    text: &'a str,
    line: usize,
    record: &mut Record<'a>,
) {
    let read = |record: &mut Record<'a>| {
        let options = Reader::Request.options();
        serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
            walk(policy, record, Yaml { text }, de)
        })
    };
    decode_into(policy, text, line, record, read, |e| yaml_error(&e, line));
}

/// serde-saphyr's error as `yaml.rs` words it, located in the input (the document
/// starts at `line`).
fn yaml_error(e: &serde_saphyr::Error, line: usize) -> RequestError {
    let e = Reader::Request.error(e);
    RequestError::Malformed {
        message: format!("not valid YAML: {}", e.message),
        line: e.line_from(line),
        column: e.column(),
    }
}

/// What both entry points do around their format's walk (`read`): the record emptied,
/// the size limit, and a document the format refuses reduced to that one error
/// (`refused` words it; a malformed document decides nothing, whatever a failed walk
/// half-decoded).
fn decode_into<'a, E>(
    policy: &CompiledPolicy,
    text: &'a str,
    line: usize,
    record: &mut Record<'a>,
    read: impl FnOnce(&mut Record<'a>) -> Result<(), E>,
    refused: impl FnOnce(E) -> RequestError,
) {
    record.clear(policy.schema.fields.len());
    if text.len() > REQUEST_BYTES {
        record.errors.push(RequestError::TooLarge {
            size: text.len(),
            limit: REQUEST_BYTES,
            line: Some(line),
        });
        return;
    }
    if let Err(e) = read(record) {
        record.clear(policy.schema.fields.len());
        record.errors.push(refused(e));
        return;
    }
    attach_currencies(policy, record);
}

/// Gives each amount declared `money in FIELD` its currency: the code its currency field
/// holds, else that the field is not given or holds no ISO 4217 code (an error only
/// where the amount meets an amount in a currency: `eval`'s `currency-mismatch` and
/// kin).
fn attach_currencies(policy: &CompiledPolicy, record: &mut Record<'_>) {
    use crate::value::currency::{read_code, Currency};
    for &(amount, currency) in &policy.schema.currencies {
        let known = match record.get(currency) {
            Value::Absent => Currency::Missing(currency),
            Value::Text(text) => {
                read_code(text).map_or(Currency::Unknown(currency), Currency::Code)
            }
            Value::Enum(field, word) => policy
                .schema
                .fields
                .get(usize::from(*field))
                .and_then(|f| match &f.kind {
                    crate::policy::FieldKind::Enum(words) => words.get(usize::from(*word)),
                    _ => None,
                })
                .and_then(|w| read_code(w))
                .map_or(Currency::Unknown(currency), Currency::Code),
            _ => Currency::Unknown(currency),
        };
        if let Some(Value::Money(_, c)) = record.values.get_mut(usize::from(amount)) {
            *c = known;
        }
    }
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::CompiledPolicy;
    use crate::source::{SourceFile, SourceMap};
    use crate::value::Value;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    /// A small policy with one field of each number kind (and a time and a flag).
    const POLICY: &str = r#"
actions {
  go "Go"
}
roles for partner {
  boss "Boss"
}
input {
  action "action" is the action
  at "time" is the time of the request
  actor.kind "kind" is the actor's side
  actor.roles "roles" is the actor's roles
  n "n" is a number
  c "c" is a count
  m "m" is money
  f "f" is yes or no
  t "t" is a time
}
rule ok
  permit go to partner boss
  because "ok"
fact later for go = t + 1 days
"#;

    fn compile(text: &str) -> CompiledPolicy {
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new("test.policy", text));
        let loaded = crate::load::compile(sources);
        let rendered = loaded.render_diagnostics();
        loaded
            .policy
            .unwrap_or_else(|| panic!("the test policy checks: {}", rendered.join("\n")))
            .compiled
    }

    fn policy() -> CompiledPolicy {
        compile(POLICY)
    }

    fn slot(policy: &CompiledPolicy, path: &str) -> u16 {
        let i = policy.schema.fields.iter().position(|f| f.path == path);
        u16::try_from(i.unwrap_or_else(|| panic!("no field {path}"))).unwrap()
    }

    fn json<'a>(policy: &CompiledPolicy, text: &'a str) -> Record<'a> {
        decode_json(policy, text, 1)
    }

    fn yaml<'a>(policy: &CompiledPolicy, text: &'a str) -> Record<'a> {
        decode_yaml(policy, text, 1)
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    /// The one error of a record that decoded one field, with that field absent and
    /// marked invalid (so that "missing" is not said too).
    fn only_error(policy: &CompiledPolicy, record: &Record<'_>, path: &str) -> String {
        assert_eq!(record.errors.len(), 1, "{:?}", record.errors);
        let error = &record.errors[0];
        assert_eq!(error.field(), Some(path), "{error}");
        let slot = slot(policy, path);
        assert!(!record.get(slot).is_present(), "{path} was accepted");
        assert!(record.is_invalid(slot), "{path} is not marked invalid");
        error.to_string()
    }

    #[test]
    fn an_object_spelling_serde_jsons_number_key_is_an_object_in_json() {
        let p = policy();
        for path in ["c", "m", "n"] {
            let text = format!(r#"{{"{path}": {{"$serde_json::private::Number": "7"}}}}"#);
            let record = json(&p, &text);
            let message = only_error(&p, &record, path);
            assert!(message.contains("not an object"), "{message}");
        }
    }

    #[test]
    fn an_object_spelling_serde_jsons_number_key_is_an_object_in_yaml() {
        let p = policy();
        for path in ["c", "m", "n"] {
            let text = format!("{path}: {{\"$serde_json::private::Number\": \"7\"}}\n");
            let record = yaml(&p, &text);
            let message = only_error(&p, &record, path);
            assert!(message.contains("not an object"), "{message}");
        }
    }

    /// Also a guard: with serde_json's `arbitrary_precision` (which no crate of the
    /// build may turn on), a number would reach a group as a one-key object and be
    /// ignored.
    #[test]
    fn a_number_or_text_for_an_object_is_the_wrong_type() {
        let p = policy();
        for (text, found) in [
            (r#"{"actor": 5}"#, "not a number"),
            (r#"{"actor": 1.5}"#, "not a number"),
            (r#"{"actor": "x"}"#, "not text"),
            (r#"{"actor": [1]}"#, "not a list"),
        ] {
            let record = json(&p, text);
            assert_eq!(record.errors.len(), 1, "{text}");
            let message = record.errors[0].to_string();
            assert!(message.contains("actor must be an object"), "{message}");
            assert!(message.contains(found), "{message}");
        }
        let record = json(&p, r#"{"actor": {"$serde_json::private::Number": "7"}}"#);
        assert!(record.errors.is_empty(), "an object with an unknown key");
    }

    #[test]
    fn json_numbers_reach_the_decimal_exactly() {
        let p = policy();
        let record = json(
            &p,
            r#"{"m": 1015.89499999999999, "n": -0.0000000000000000000000000001, "c": 12}"#,
        );
        assert!(record.errors.is_empty(), "{:?}", record.errors);
        assert_eq!(
            record.get(slot(&p, "m")),
            &Value::Money(
                dec("1015.89499999999999"),
                crate::value::Currency::Undeclared
            )
        );
        assert_eq!(
            record.get(slot(&p, "n")),
            &Value::Number(dec("-0.0000000000000000000000000001"))
        );
        assert_eq!(record.get(slot(&p, "c")), &Value::Number(dec("12")));
    }

    #[test]
    fn yaml_plain_numbers_follow_the_json_text_rule() {
        let p = policy();
        for (path, written) in [
            ("m", "1.2e3"),
            ("m", "0x4B0"),
            ("m", "1_200"),
            ("m", ".5"),
            ("m", "+1200"),
            ("m", "1200."),
            ("n", "1.2E3"),
            ("n", "0o7"),
            ("n", ".inf"),
            ("c", "0x10"),
            ("c", "0o7"),
            ("c", "1_000"),
            ("c", "+5"),
            ("c", "012"),
            ("c", "1e2"),
        ] {
            let text = format!("{path}: {written}\n");
            let record = yaml(&p, &text);
            if record.errors.len() == 1
                && matches!(record.errors[0], RequestError::Malformed { .. })
            {
                continue; // refused by the YAML reader itself (`.inf`)
            }
            let message = only_error(&p, &record, path);
            assert!(message.contains(written), "{written}: {message}");
        }
    }

    #[test]
    fn yaml_plain_numbers_are_read_from_their_text_exactly() {
        let p = policy();
        let record = yaml(&p, "m: 1015.89499999999999\nn: 0.1\nc: 12\n");
        assert!(record.errors.is_empty(), "{:?}", record.errors);
        assert_eq!(
            record.get(slot(&p, "m")),
            &Value::Money(
                dec("1015.89499999999999"),
                crate::value::Currency::Undeclared
            )
        );
        assert_eq!(record.get(slot(&p, "n")), &Value::Number(dec("0.1")));
        assert_eq!(record.get(slot(&p, "c")), &Value::Number(dec("12")));
        // Quoted, a number is text: money and numbers take text, counts do not.
        let record = yaml(&p, "m: \"1015.89499999999999\"\n");
        assert_eq!(
            record.get(slot(&p, "m")),
            &Value::Money(
                dec("1015.89499999999999"),
                crate::value::Currency::Undeclared
            )
        );
        let record = yaml(&p, "c: \"12\"\n");
        let message = only_error(&p, &record, "c");
        assert!(message.contains("not the text \"12\""), "{message}");
    }

    #[test]
    fn a_count_out_of_range_is_an_error_with_the_value_as_written() {
        let p = policy();
        for record in [
            json(&p, r#"{"c": 100000000000000000000}"#),
            yaml(&p, "c: 100000000000000000000\n"),
        ] {
            let message = only_error(&p, &record, "c");
            assert!(
                message.contains("100000000000000000000"),
                "the value as written: {message}"
            );
        }
    }

    #[test]
    fn a_leap_second_is_refused_and_says_why() {
        let p = policy();
        for record in [
            json(&p, r#"{"t": "2026-12-31T23:59:60Z"}"#),
            yaml(&p, "t: 2026-11-25T12:00:60Z\n"),
            yaml(&p, "t: 2026-11-25T12:00:60.5+01:00\n"),
        ] {
            let message = only_error(&p, &record, "t");
            assert!(message.contains("leap second"), "{message}");
        }
    }

    #[test]
    fn a_time_outside_years_0000_to_9999_in_utc_is_refused() {
        let p = policy();
        for text in [
            "t: 9999-12-31T23:00:00-05:00\n",
            "t: 0000-01-01T00:30:00+01:00\n",
        ] {
            let record = yaml(&p, text);
            let message = only_error(&p, &record, "t");
            assert!(message.contains("9999"), "{message}");
        }
        let record = yaml(&p, "t: 9999-12-31T23:59:59.999999999Z\n");
        assert!(record.errors.is_empty(), "{:?}", record.errors);
    }

    /// A policy whose `g` group has `count` fields `g.f0`, `g.f1`, ...
    fn wide_policy(count: usize) -> CompiledPolicy {
        let mut text = String::from(
            "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n",
        );
        for i in 0..count {
            text.push_str(&format!("  g.f{i} \"f{i}\" is a count\n"));
        }
        text.push_str("}\n");
        compile(&text)
    }

    #[test]
    fn a_duplicate_key_is_found_at_any_position_of_a_json_object() {
        // The widest group a policy may declare: `action`, `at` and 126 fields.
        let p = wide_policy(crate::limits::POLICY_FIELDS - 2);
        for i in [0, 63, 64, 65, 99, 125] {
            let text = format!(r#"{{"g": {{"f{i}": 1, "f{i}": 2}}}}"#);
            let record = json(&p, &text);
            assert_eq!(
                record.errors,
                [RequestError::DuplicateKey {
                    field: format!("g.f{i}")
                }],
                "key {i}"
            );
        }
        let record = yaml(&p, "g: {f64: 1, f64: 2}\n");
        assert_eq!(record.errors.len(), 1, "YAML refuses it too");
    }
}
