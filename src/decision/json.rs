//! The decision as one line of JSON: the contract of docs/decision.md.

use std::fmt::Write as _;

use super::{Decision, FactValue};
use crate::json::{write_display, write_str};
use crate::value::write_number;

impl Decision {
    /// Writes the decision as one line of JSON (no trailing newline).
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"decision\":");
        write_str(out, self.verdict());
        out.push_str(",\"action\":");
        match &self.action {
            Some(a) => write_str(out, a),
            None => out.push_str("null"),
        }
        out.push_str(",\"reasons\":[");
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"rule\":");
            write_str(out, &r.rule);
            if let Some(in_force) = &r.in_force {
                out.push_str(",\"in_force\":");
                write_str(out, in_force);
            }
            out.push_str(",\"effect\":");
            write_str(out, r.effect.as_str());
            out.push_str(",\"message\":");
            write_str(out, &r.message);
            out.push('}');
        }
        out.push_str("],\"errors\":[");
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"code\":");
            write_str(out, e.code());
            if let Some(field) = e.field() {
                out.push_str(",\"field\":");
                write_str(out, field);
            }
            if let Some(line) = e.line() {
                let _ = write!(out, ",\"line\":{line}");
            }
            if let Some(column) = e.column() {
                let _ = write!(out, ",\"column\":{column}");
            }
            out.push_str(",\"message\":");
            write_display(out, e);
            out.push('}');
        }
        out.push_str("],\"facts\":{");
        for (i, (name, value)) in self.facts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(out, name);
            out.push(':');
            match value {
                FactValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                FactValue::Number(n) => {
                    write_number(out, *n);
                }
                FactValue::Text(t) => write_str(out, t),
                FactValue::List(items) => {
                    out.push('[');
                    for (j, item) in items.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        write_str(out, item);
                    }
                    out.push(']');
                }
            }
        }
        out.push('}');
        if !self.explanation.is_empty() {
            out.push_str(",\"explanation\":[");
            for (i, line) in self.explanation.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, line);
            }
            out.push(']');
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::decision::Reason;
    use crate::policy::Effect;

    #[test]
    fn json_matches_the_contract_shape() {
        let d = Decision {
            allow: true,
            action: Some("cancel".into()),
            reasons: vec![Reason {
                in_force: None,
                rule: "cancel-within-window".into(),
                effect: Effect::Permit,
                message: "ok \"quoted\"".into(),
            }],
            errors: vec![],
            facts: vec![
                (
                    "days_left_to_cancel".into(),
                    FactValue::Number(Decimal::from(4)),
                ),
                ("early_termination_fee".into(), FactValue::Bool(false)),
                ("credit_amount".into(), FactValue::Text("1015.89".into())),
            ],
            explanation: vec![],
            reached: vec![],
        };
        assert_eq!(
            d.to_json(),
            r#"{"decision":"allow","action":"cancel","reasons":[{"rule":"cancel-within-window","effect":"permit","message":"ok \"quoted\""}],"errors":[],"facts":{"days_left_to_cancel":4,"early_termination_fee":false,"credit_amount":"1015.89"}}"#
        );
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&d.to_json());
        assert!(parsed.is_ok());
    }
}
