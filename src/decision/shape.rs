//! The decision's data, key by key, written once for both JSON and YAML through
//! [`Emit`]: the keys and their order are the contract of docs/decision.md
//! (`decision`, `action`, `reasons`, `errors`, `facts`, and `explanation` when asked
//! for).

use super::emit::{key, Emit};
use super::explain::{ExplainEntry, ExplainValue, Operand, TestTrace};
use super::{Decision, FactValue};

impl Decision {
    /// Writes the decision's data.
    pub(super) fn emit(&self, e: &mut impl Emit) {
        self.emit_with(e, None);
    }

    /// Writes the decision's data, with `policy_revision` after the facts when given
    /// (`eval --with-revision`).
    pub(super) fn emit_with(&self, e: &mut impl Emit, revision: Option<&str>) {
        e.begin_map();
        e.key(key!("decision"));
        e.word(self.verdict());
        e.key(key!("action"));
        match &self.action {
            Some(a) => e.str(a),
            None => e.null(),
        }
        e.key(key!("reasons"));
        e.begin_list();
        for r in &self.reasons {
            e.item();
            e.begin_map();
            e.key(key!("rule"));
            e.str(&r.rule);
            if let Some(in_force) = &r.in_force {
                e.key(key!("in_force"));
                e.str(in_force);
            }
            e.key(key!("effect"));
            e.word(r.effect.as_str());
            e.key(key!("message"));
            e.str(&r.message);
            e.end();
        }
        e.end();
        e.key(key!("errors"));
        e.begin_list();
        for error in &self.errors {
            e.item();
            e.begin_map();
            e.key(key!("code"));
            e.str(error.code());
            if let Some(field) = error.field() {
                e.key(key!("field"));
                e.str(field);
            }
            if let Some(line) = error.line() {
                e.key(key!("line"));
                e.count(line);
            }
            if let Some(column) = error.column() {
                e.key(key!("column"));
                e.count(column);
            }
            e.key(key!("message"));
            e.display(error);
            e.end();
        }
        e.end();
        e.key(key!("facts"));
        e.begin_map();
        for (name, value) in &self.facts {
            e.name(name);
            match value {
                FactValue::Bool(b) => e.bool(*b),
                FactValue::Number(n) => e.number(*n),
                FactValue::Text(t) => e.str(t),
                FactValue::List(items) => strings(e, items),
            }
        }
        e.end();
        if let Some(revision) = revision {
            e.key(key!("policy_revision"));
            e.str(revision);
        }
        if let Some(entries) = &self.explanation {
            e.key(key!("explanation"));
            e.begin_list();
            for entry in entries {
                e.item();
                entry.emit(e);
            }
            e.end();
        }
        e.end();
    }
}

/// A list of strings, on one line.
fn strings(e: &mut impl Emit, items: &[String]) {
    e.begin_flow_list();
    for item in items {
        e.item();
        e.str(item);
    }
    e.end();
}

impl ExplainEntry {
    /// Writes the entry's data (docs/decision.md, `--explain`).
    fn emit(&self, e: &mut impl Emit) {
        e.begin_map();
        e.key(key!("rule"));
        e.str(&self.rule);
        if let Some(in_force) = &self.in_force {
            e.key(key!("in_force"));
            e.str(in_force);
        }
        e.key(key!("effect"));
        e.word(self.effect.as_str());
        e.key(key!("outcome"));
        e.word(self.outcome.as_str());
        e.key(key!("has_condition"));
        e.bool(self.has_condition);
        if let Some(actor) = &self.actor {
            e.key(key!("actor"));
            e.begin_map();
            e.key(key!("side"));
            match &actor.side {
                Some(side) => e.str(side),
                None => e.null(),
            }
            e.key(key!("roles"));
            strings(e, &actor.roles);
            e.end();
        }
        if let Some(error) = &self.error {
            e.key(key!("error"));
            e.begin_map();
            e.key(key!("code"));
            e.word(error.code());
            e.key(key!("message"));
            e.display(error);
            e.end();
        }
        e.key(key!("tests"));
        e.begin_list();
        for test in &self.tests {
            e.item();
            test.emit(e);
        }
        e.end();
        e.end();
    }
}

impl TestTrace {
    fn emit(&self, e: &mut impl Emit) {
        e.begin_map();
        e.key(key!("text"));
        e.str(&self.text);
        e.key(key!("kind"));
        e.word(self.kind.as_str());
        e.key(key!("holds"));
        e.bool(self.holds);
        e.key(key!("operands"));
        e.begin_list();
        for operand in &self.operands {
            e.item();
            operand.emit(e);
        }
        e.end();
        e.end();
    }
}

impl Operand {
    fn emit(&self, e: &mut impl Emit) {
        e.begin_map();
        e.key(key!("text"));
        e.str(&self.text);
        e.key(key!("type"));
        e.word(self.value.type_name());
        e.key(key!("value"));
        match &self.value {
            ExplainValue::Absent => e.null(),
            ExplainValue::Bool(b) => e.bool(*b),
            ExplainValue::Written { text, .. } => e.str(text),
            ExplainValue::Roles(roles) => strings(e, roles),
        }
        e.end();
    }
}

#[cfg(test)]
mod tests {
    use super::super::emit::{Json, Yaml};
    use super::*;

    /// A writer that records what it is given, to check the shape's calls balance.
    #[derive(Default)]
    struct Depth {
        open: i32,
        deepest: i32,
    }

    impl Emit for Depth {
        fn begin_map(&mut self) {
            self.open += 1;
            self.deepest = self.deepest.max(self.open);
        }
        fn begin_list(&mut self) {
            self.begin_map();
        }
        fn begin_flow_list(&mut self) {
            self.begin_map();
        }
        fn end(&mut self) {
            self.open -= 1;
        }
        fn key(&mut self, key: super::super::emit::Key) {
            // JSON writes these names as they are.
            assert!(
                key.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{key:?}"
            );
        }
        fn name(&mut self, _: &str) {}
        fn item(&mut self) {}
        fn null(&mut self) {}
        fn bool(&mut self, _: bool) {}
        fn str(&mut self, _: &str) {}
        fn display(&mut self, _: &dyn std::fmt::Display) {}
        fn word(&mut self, word: &'static str) {
            assert!(super::super::emit::is_word(word), "{word:?}");
        }
        fn number(&mut self, _: rust_decimal::Decimal) {}
        fn count(&mut self, _: usize) {}
    }

    #[test]
    fn every_container_is_closed_and_the_nesting_fits_the_writers() {
        use super::super::explain::{Actor, Outcome, TestKind};
        use crate::policy::Effect;
        let d = Decision {
            facts: vec![("roles".into(), FactValue::List(vec!["a".into()]))],
            explanation: Some(vec![ExplainEntry {
                rule: "r".into(),
                in_force: Some("from 2021-02-01".into()),
                effect: Effect::Permit,
                outcome: Outcome::AudienceNotMatched,
                has_condition: true,
                actor: Some(Actor {
                    side: None,
                    roles: vec![],
                }),
                error: None,
                tests: vec![TestTrace {
                    text: "t".into(),
                    kind: TestKind::Membership,
                    holds: false,
                    operands: vec![Operand {
                        text: "actor.roles".into(),
                        value: ExplainValue::Roles(vec!["x".into(), "y".into()]),
                    }],
                }],
            }]),
            ..Decision::default()
        };
        let mut depth = Depth::default();
        d.emit(&mut depth);
        assert_eq!(depth.open, 0);
        assert!(depth.deepest as usize <= super::super::emit::DEPTH);
        let mut json = String::new();
        d.emit(&mut Json::new(&mut json));
        let mut yaml = String::new();
        d.emit(&mut Yaml::new(&mut yaml));
        let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let from_yaml: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(from_json, from_yaml, "{yaml}");
        assert!(
            yaml.contains("\n            value: [\"x\", \"y\"]"),
            "{yaml}"
        );
    }
}
