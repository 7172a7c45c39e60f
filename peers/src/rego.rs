//! The Rego peer: `policies/csp.rego` on a `regorus::Engine` loaded once; each
//! request becomes `input` and `data.csp.allow` is evaluated.
//!
//! All validation and every rule are in the policy (Rego has types, regexes and RFC 3339
//! parsing built in); the host supplies the market lists and the fallback time as
//! `data`, and hands the policy each free-text field as its text key
//! (`csp_policy::text::key`, docs/request.md "Comparing text"), which Rego cannot compute: it
//! has no Unicode normalization or case folding.

use std::borrow::Cow;
use std::cell::RefCell;

use chrono::{DateTime, Utc};
use csp_policy::text;
use regorus::{Engine, Value};

use crate::{time, PeerError, TEXT_FIELDS};

/// The policy text.
pub const POLICY: &str = include_str!("../policies/csp.rego");

/// The rule whose value is the decision.
const ALLOW_RULE: &str = "data.csp.allow";

/// The default policy in Rego, ready to evaluate requests.
pub struct RegoPeer {
    /// `Engine::eval_rule` needs `&mut`; the peer is used from one thread.
    engine: RefCell<Engine>,
}

impl RegoPeer {
    /// Loads the policy and its data; `now` stands in for a missing `at`.
    pub fn new(now: DateTime<Utc>) -> Result<Self, PeerError> {
        let mut engine = Engine::new();
        // OPA semantics: a builtin that fails (e.g. an unparsable time) is undefined.
        engine.set_strict_builtin_errors(false);
        engine
            .add_policy("csp.rego".into(), POLICY.into())
            .map_err(|e| PeerError::new("rego policy", e))?;
        let data = format!(
            r#"{{"markets": {}, "runtime": {{"now_ns": {}}}}}"#,
            crate::markets::embedded()?,
            time::unix_nanos(now)
        );
        let data = Value::from_json_str(&data).map_err(|e| PeerError::new("rego data", e))?;
        engine
            .add_data(data)
            .map_err(|e| PeerError::new("rego data", e))?;
        Ok(RegoPeer {
            engine: RefCell::new(engine),
        })
    }

    /// Allow (`true`) or deny for one request given as JSON text.
    pub fn decide_json(&self, line: &str) -> bool {
        let Ok(mut input) = Value::from_json_str(line) else {
            return false; // not JSON: deny
        };
        key_text_fields(&mut input);
        let mut engine = self.engine.borrow_mut();
        engine.set_input(input);
        matches!(engine.eval_rule(ALLOW_RULE.into()), Ok(Value::Bool(true)))
    }

    /// The names of the errors, forbids and permits that applied (for diagnostics).
    pub fn explain(&self, line: &str) -> String {
        let Ok(mut input) = Value::from_json_str(line) else {
            return "not JSON".into();
        };
        key_text_fields(&mut input);
        let mut engine = self.engine.borrow_mut();
        engine.set_input(input);
        ["errors", "forbid", "permit"]
            .iter()
            .map(|rule| match engine.eval_rule(format!("data.csp.{rule}")) {
                Ok(v) => format!("{rule}={}", serde_json::to_string(&v).unwrap_or_default()),
                Err(e) => format!("{rule}: {e}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Replaces each free-text field of the request (a string in [`TEXT_FIELDS`]) by its text
/// key; a blank one becomes `""`, which the policy counts as missing. The market, a
/// string, becomes its [`market_key`](crate::markets::market_key). Other values are left
/// for the policy to judge.
fn key_text_fields(input: &mut Value) {
    let Ok(doc) = input.as_object_mut() else {
        return;
    };
    if let Some(Ok(customer)) = doc
        .get_mut(&Value::from("customer"))
        .map(Value::as_object_mut)
    {
        if let Some(value) = customer.get_mut(&Value::from("market")) {
            let key = match &*value {
                Value::String(text) => match crate::markets::market_key(text) {
                    Cow::Borrowed(_) => None,
                    Cow::Owned(key) => Some(key),
                },
                _ => None,
            };
            if let Some(key) = key {
                *value = Value::from(key);
            }
        }
    }
    for (section, field) in TEXT_FIELDS {
        let Some(Ok(fields)) = doc.get_mut(&Value::from(section)).map(Value::as_object_mut) else {
            continue;
        };
        let Some(value) = fields.get_mut(&Value::from(field)) else {
            continue;
        };
        let key = match &*value {
            Value::String(text) => match text::key(text) {
                Cow::Borrowed(_) => continue,
                Cow::Owned(key) => key,
            },
            _ => continue,
        };
        *value = Value::from(key);
    }
}
