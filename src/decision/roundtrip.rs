//! Property test: a decision with arbitrary Unicode text in every string (controls, DEL,
//! C1, NEL, U+2028/9, U+FEFF, U+FFFE/F, quotes, backslashes, YAML indicators) is written
//! as JSON and as YAML, and each reads back (serde_json; serde-saphyr as a generic value)
//! as the same data, built here from the decision's fields, not from either writer. The
//! explanation's entries (arbitrary text in every rule, test and operand) are part of it.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use strum::VariantArray as _;

use super::{
    Actor, Decision, ExplainEntry, ExplainValue, FactValue, Operand, Outcome, Reason, TestKind,
    TestTrace, ValueKind,
};
use crate::eval::{EvalError, ExprError};
use crate::policy::Effect;
use crate::request::RequestError;

/// Characters that a writer must escape or quote, and some that it must not touch.
const AWKWARD: &[char] = &[
    '\0',
    '\u{1}',
    '\u{8}',
    '\t',
    '\n',
    '\u{b}',
    '\u{c}',
    '\r',
    '\u{1b}',
    '\u{1f}',
    ' ',
    '"',
    '\'',
    '\\',
    ':',
    '#',
    '-',
    '?',
    '&',
    '*',
    '!',
    '|',
    '>',
    '%',
    '@',
    '`',
    '{',
    '}',
    '[',
    ']',
    ',',
    '\u{7f}',
    '\u{80}',
    '\u{85}',
    '\u{9f}',
    '\u{a0}',
    '\u{2028}',
    '\u{2029}',
    '\u{feff}',
    '\u{fffe}',
    '\u{ffff}',
    '\u{10ffff}',
    'é',
    '日',
    '😀',
];

/// Arbitrary text, biased towards [`AWKWARD`] characters and YAML's special words.
fn text() -> impl Strategy<Value = String> {
    let character = prop_oneof![any::<char>(), proptest::sample::select(AWKWARD)];
    prop_oneof![
        4 => proptest::collection::vec(character, 0..24).prop_map(String::from_iter),
        1 => proptest::sample::select(&[
            "", "null", "~", "true", "No", "yes", "off", "y", "1", "-1.5", "0x1f", ".inf",
            "---", "...", "- a", "a: b", "#c", " lead", "trail ", "&a", "*a", "!!str",
        ][..])
        .prop_map(str::to_string),
    ]
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..=6).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

fn fact_value() -> impl Strategy<Value = FactValue> {
    prop_oneof![
        any::<bool>().prop_map(FactValue::Bool),
        decimal().prop_map(FactValue::Number),
        text().prop_map(FactValue::Text),
        proptest::collection::vec(text(), 0..4).prop_map(FactValue::List),
    ]
}

fn error() -> impl Strategy<Value = RequestError> {
    prop_oneof![
        (
            text(),
            proptest::option::of(1usize..10_000),
            proptest::option::of(1usize..500)
        )
            .prop_map(|(message, line, column)| RequestError::Malformed {
                message,
                line,
                column
            }),
        (text(), text()).prop_map(|(field, value)| RequestError::UnknownMarket { field, value }),
        (text(), text()).prop_map(|(rule, message)| RequestError::Rejected { rule, message }),
        (text(), text()).prop_map(|(rule, expr)| RequestError::Evaluation(EvalError::Rule {
            rule,
            error: ExprError::DivisionByZero { expr }
        })),
        (text(), text()).prop_map(|(fact, expr)| RequestError::Evaluation(EvalError::Fact {
            fact,
            error: ExprError::Overflow { expr }
        })),
    ]
}

fn explain_value() -> impl Strategy<Value = ExplainValue> {
    prop_oneof![
        Just(ExplainValue::Absent),
        any::<bool>().prop_map(ExplainValue::Bool),
        (proptest::sample::select(ValueKind::VARIANTS), text())
            .prop_map(|(kind, text)| ExplainValue::Written { kind, text }),
        proptest::collection::vec(text(), 0..3).prop_map(ExplainValue::Roles),
    ]
}

fn test_trace() -> impl Strategy<Value = TestTrace> {
    let kinds = [
        TestKind::Compare,
        TestKind::OneOf,
        TestKind::Range,
        TestKind::Presence,
        TestKind::Membership,
    ];
    (
        text(),
        proptest::sample::select(kinds.to_vec()),
        any::<bool>(),
        proptest::collection::vec((text(), explain_value()), 0..4),
    )
        .prop_map(|(text, kind, holds, operands)| TestTrace {
            text,
            kind,
            holds,
            operands: operands
                .into_iter()
                .map(|(text, value)| Operand { text, value })
                .collect(),
        })
}

fn explain_entry() -> impl Strategy<Value = ExplainEntry> {
    let outcomes = [
        Outcome::Applied,
        Outcome::ConditionFalse,
        Outcome::AudienceNotMatched,
        Outcome::Error,
        Outcome::NotInForce,
    ];
    let effects = [Effect::Permit, Effect::Forbid, Effect::Reject];
    (
        text(),
        proptest::sample::select(effects.to_vec()),
        proptest::sample::select(outcomes.to_vec()),
        any::<bool>(),
        proptest::option::of((
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..3),
        )),
        proptest::option::of(text()),
        proptest::collection::vec(test_trace(), 0..3),
    )
        .prop_map(
            |(rule, effect, outcome, has_condition, actor, error, tests)| ExplainEntry {
                in_force: has_condition.then(|| format!("from {rule}")),
                rule,
                effect,
                outcome,
                has_condition,
                actor: actor.map(|(side, roles)| Actor { side, roles }),
                error: error.map(|expr| ExprError::DivisionByZero { expr }),
                tests,
            },
        )
}

/// An explanation entry as the contract shapes it.
fn expected_entry(e: &ExplainEntry) -> Value {
    let mut m = Map::new();
    m.insert("rule".into(), json!(e.rule));
    if let Some(in_force) = &e.in_force {
        m.insert("in_force".into(), json!(in_force));
    }
    m.insert("effect".into(), json!(e.effect.as_str()));
    m.insert("outcome".into(), json!(e.outcome.as_str()));
    m.insert("has_condition".into(), json!(e.has_condition));
    if let Some(actor) = &e.actor {
        m.insert(
            "actor".into(),
            json!({ "side": actor.side, "roles": actor.roles }),
        );
    }
    if let Some(error) = &e.error {
        m.insert(
            "error".into(),
            json!({ "code": error.code(), "message": error.to_string() }),
        );
    }
    let tests: Vec<Value> = e
        .tests
        .iter()
        .map(|t| {
            let operands: Vec<Value> = t
                .operands
                .iter()
                .map(|o| {
                    let value = match &o.value {
                        ExplainValue::Absent => Value::Null,
                        ExplainValue::Bool(b) => json!(b),
                        ExplainValue::Written { text, .. } => json!(text),
                        ExplainValue::Roles(roles) => json!(roles),
                    };
                    json!({ "text": o.text, "type": o.value.type_name(), "value": value })
                })
                .collect();
            json!({ "text": t.text, "kind": t.kind.as_str(), "holds": t.holds, "operands": operands })
        })
        .collect();
    m.insert("tests".into(), json!(tests));
    Value::Object(m)
}

prop_compose! {
    fn decision()(
        allow in any::<bool>(),
        action in proptest::option::of(text()),
        reasons in proptest::collection::vec(
            (text(), proptest::option::of(text()), proptest::sample::select(&[Effect::Permit, Effect::Forbid, Effect::Deny][..]), text()),
            0..3,
        ),
        errors in proptest::collection::vec(error(), 0..3),
        facts in proptest::collection::vec((text(), fact_value()), 0..4),
        explanation in proptest::option::of(proptest::collection::vec(explain_entry(), 0..3)),
    ) -> Decision {
        let mut seen = std::collections::HashSet::new();
        Decision {
            allow,
            action,
            reasons: reasons
                .into_iter()
                .map(|(rule, in_force, effect, message)| Reason { rule, in_force, effect, message })
                .collect(),
            errors,
            // A mapping has each key once.
            facts: facts.into_iter().filter(|(name, _)| seen.insert(name.clone())).collect(),
            explanation,
            reached: Vec::new(),
        }
    }
}

/// The data a decision stands for, as the contract shapes it.
fn expected(d: &Decision) -> Value {
    let reasons: Vec<Value> = d
        .reasons
        .iter()
        .map(|r| {
            let mut m =
                json!({ "rule": r.rule, "effect": r.effect.as_str(), "message": r.message });
            if let Some(in_force) = &r.in_force {
                m["in_force"] = json!(in_force);
            }
            m
        })
        .collect();
    let errors: Vec<Value> = d
        .errors
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("code".into(), json!(e.code()));
            if let Some(field) = e.field() {
                m.insert("field".into(), json!(field));
            }
            if let Some(line) = e.line() {
                m.insert("line".into(), json!(line));
            }
            if let Some(column) = e.column() {
                m.insert("column".into(), json!(column));
            }
            m.insert("message".into(), json!(e.to_string()));
            Value::Object(m)
        })
        .collect();
    let facts: Map<String, Value> = d
        .facts
        .iter()
        .map(|(name, value)| {
            let value = match value {
                FactValue::Bool(b) => json!(b),
                FactValue::Number(n) => number(&n.to_string()),
                FactValue::Text(t) => json!(t),
                FactValue::List(items) => json!(items),
            };
            (name.clone(), value)
        })
        .collect();
    let mut out = json!({
        "decision": d.verdict(),
        "action": d.action,
        "reasons": reasons,
        "errors": errors,
        "facts": facts,
    });
    if let Some(entries) = &d.explanation {
        out["explanation"] = Value::Array(entries.iter().map(expected_entry).collect());
    }
    out
}

/// A number as a 64-bit float (how both readers' numbers are compared).
fn number(text: &str) -> Value {
    text.parse::<f64>().map_or(Value::Null, |f| json!(f))
}

/// Numbers as floats, whatever the reader made of them (YAML ints and floats, JSON's
/// exact text).
fn normalise(value: Value) -> Value {
    match value {
        Value::Number(n) => number(&n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalise(v))).collect())
        }
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn yaml_reads_back_as_the_same_data(d in decision()) {
        let mut yaml = String::new();
        d.write_yaml(&mut yaml);
        let read: Value = serde_saphyr::from_str(&yaml)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(normalise(read), normalise(expected(&d)), "{}", yaml);
    }

    #[test]
    fn json_reads_back_as_the_same_data(d in decision()) {
        let line = d.to_json();
        prop_assert!(!line.contains('\n'), "one line: {}", line);
        let read: Value = serde_json::from_str(&line)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{line}")))?;
        prop_assert_eq!(normalise(read), normalise(expected(&d)), "{}", line);
    }
}

#[test]
fn every_awkward_character_reads_back_from_yaml() {
    let all: String = AWKWARD.iter().collect();
    let d = Decision {
        action: Some(all.clone()),
        facts: vec![
            (all.clone(), FactValue::Text(all.clone())),
            ("null".into(), FactValue::Bool(true)),
        ],
        ..Decision::default()
    };
    let mut yaml = String::new();
    d.write_yaml(&mut yaml);
    assert!(
        !yaml.contains(['\u{7f}', '\u{85}', '\u{2028}', '\u{feff}', '\u{fffe}']),
        "written escaped: {yaml}"
    );
    let read: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(read, expected(&d));
}
