//! Comparing two decisions of one request: which parts changed (the decision, the
//! reasons, the errors, the facts), and each decision's outcome (allow or deny and what
//! decided it), by which changes are grouped.

use std::fmt;

use crate::decision::Decision;

/// The parts of a decision that differ between the two policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Changed {
    /// Allow on one side, deny on the other.
    pub decision: bool,
    /// The deciding rules or their messages.
    pub reasons: bool,
    /// The facts (a value, or which facts are given).
    pub facts: bool,
    /// The errors.
    pub errors: bool,
}

impl Changed {
    /// What differs between `old` and `new` (the explanation is not compared).
    pub fn between(old: &Decision, new: &Decision) -> Changed {
        Changed {
            decision: old.allow != new.allow,
            reasons: old.reasons != new.reasons,
            facts: old.facts != new.facts,
            errors: old.errors != new.errors,
        }
    }

    /// Whether anything differs.
    pub fn any(self) -> bool {
        self.decision || self.reasons || self.facts || self.errors
    }

    /// The names of the parts that differ, in the contract's order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        [
            (self.decision, "decision"),
            (self.reasons, "reasons"),
            (self.facts, "facts"),
            (self.errors, "errors"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
    }
}

/// What a decision came to: allow or deny, and the rules (or, when only errors
/// explain it, the error codes) that decided it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outcome {
    /// True for allow.
    pub allow: bool,
    /// The deciding rules' ids, in the decision's order.
    pub rules: Vec<String>,
    /// The errors' codes, in the decision's order.
    pub errors: Vec<String>,
}

impl Outcome {
    /// The outcome of a decision.
    pub fn of(decision: &Decision) -> Outcome {
        Outcome {
            allow: decision.allow,
            rules: decision.reasons.iter().map(|r| r.rule.clone()).collect(),
            errors: decision
                .errors
                .iter()
                .map(|e| e.code().to_string())
                .collect(),
        }
    }

    /// `allow` or `deny`.
    pub fn verdict(&self) -> &'static str {
        if self.allow {
            "allow"
        } else {
            "deny"
        }
    }

    /// Appends the outcome as a JSON object: `{"decision","rules","errors"}`.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"decision\":\"");
        out.push_str(self.verdict());
        out.push_str("\",\"rules\":");
        write_list(out, &self.rules);
        out.push_str(",\"errors\":");
        write_list(out, &self.errors);
        out.push('}');
    }
}

/// A JSON list of strings.
pub(super) fn write_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::json::write_str(out, item);
    }
    out.push(']');
}

impl fmt::Display for Outcome {
    /// `deny (cancel-window-ended)`, `deny (errors: missing-field)`, `allow (r1, r2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = self.verdict();
        let rules = crate::decision::visible(&self.rules.join(", ")).into_owned();
        let errors = crate::decision::visible(&self.errors.join(", ")).into_owned();
        match (rules.is_empty(), errors.is_empty()) {
            (true, true) => write!(f, "{verdict}"),
            (false, true) => write!(f, "{verdict} ({rules})"),
            (true, false) => write!(f, "{verdict} (errors: {errors})"),
            (false, false) => write!(f, "{verdict} ({rules}; errors: {errors})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(policy: &crate::Policy, json: &str) -> Decision {
        let now = crate::parse_time("2026-11-25T12:00:00Z").unwrap();
        policy.decide_json(json, now)
    }

    #[test]
    fn the_same_decision_changes_nothing_and_each_part_is_told_apart() {
        let policy = crate::Policy::embedded().unwrap();
        let allow = decide(
            &policy,
            r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"AU"},"product":{"category":"server_subscription"}}"#,
        );
        assert!(!Changed::between(&allow, &allow.clone()).any());
        let other_market = decide(
            &policy,
            r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"FR"},"product":{"category":"server_subscription"}}"#,
        );
        let changed = Changed::between(&allow, &other_market);
        assert_eq!(changed.names().collect::<Vec<_>>(), ["facts"]);
        let missing = decide(
            &policy,
            r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]}}"#,
        );
        let changed = Changed::between(&allow, &missing);
        assert_eq!(
            changed.names().collect::<Vec<_>>(),
            ["decision", "reasons", "facts", "errors"]
        );
        assert_eq!(
            Outcome::of(&allow).to_string(),
            "allow (partner-admins-purchase)"
        );
        assert_eq!(
            Outcome::of(&missing).to_string(),
            "deny (errors: missing-field, missing-field)"
        );
        let mut json = String::new();
        Outcome::of(&missing).write_json(&mut json);
        assert_eq!(
            json,
            r#"{"decision":"deny","rules":[],"errors":["missing-field","missing-field"]}"#
        );
    }
}
