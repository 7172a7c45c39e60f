//! The decision as one line of JSON: the contract of docs/decision.md. The shape is
//! `shape.rs`'s, the syntax `emit.rs`'s.

use super::emit::Json;
use super::Decision;

impl Decision {
    /// Writes the decision as one line of JSON (no trailing newline).
    pub fn write_json(&self, out: &mut String) {
        self.emit(&mut Json::new(out));
    }

    /// Writes the decision as one line of JSON with `"policy_revision"` after the
    /// facts (`eval --with-revision`).
    pub fn write_json_with_revision(&self, out: &mut String, revision: &str) {
        self.emit_with(&mut Json::new(out), Some(revision));
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::decision::{FactValue, Reason};
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
            explanation: None,
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
