//! Running cases: each request is decided by the policy (with coverage recorded), and
//! the decision is compared with what the case expects. Only `decision` is compared
//! whole; facts, rule ids and error codes are subsets: each one listed must be there,
//! and anything else the decision says is allowed.

use chrono::{DateTime, Utc};

use super::parse::{Case, Expected, ExpectedValue, Suite, Verdict};
use crate::decision::{Decision, FactValue};
use crate::policy::Effect;
use crate::request::RequestError;
use crate::{eval, Policy};

/// The rule id of the default deny in decisions.
pub(crate) use crate::decision::DEFAULT_DENY;

/// A case, its decision, and how the decision differs from what was expected.
#[derive(Debug, Clone)]
pub struct CaseResult<'s> {
    /// The suite of the case.
    pub suite: &'s Suite,
    /// The case.
    pub case: &'s Case,
    /// The decision the policy gave.
    pub decision: Decision,
    /// Every difference; none means the case passed.
    pub mismatches: Vec<Mismatch>,
    /// Expected rule ids that are not rules of the policy (nor `default-deny`): most
    /// likely typos, pointed out next to the failure they cause.
    pub unknown_rules: Vec<String>,
}

impl CaseResult<'_> {
    /// Whether the decision says everything the case expects.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// One way a decision differs from what a case expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The decision is the other one.
    Decision {
        /// What was expected.
        expected: Verdict,
    },
    /// A fact is absent or has another value (the decision holds the actual one).
    Fact {
        /// The fact's name.
        name: String,
        /// The expected value.
        expected: ExpectedValue,
    },
    /// Rule ids expected among the reasons that are not there.
    MissingRules(Vec<String>),
    /// Error codes expected among the errors that are not there.
    MissingErrors(Vec<String>),
}

/// Decides every case of every suite, in order. `now` is the time for requests without
/// `at` in suites that give no `now`.
pub fn run<'s>(policy: &Policy, suites: &'s [Suite], now: DateTime<Utc>) -> Vec<CaseResult<'s>> {
    let mut results = Vec::new();
    for suite in suites {
        let options = eval::Options {
            now: suite.now.unwrap_or(now),
            explain: false,
            coverage: true,
        };
        for case in &suite.cases {
            let decision = policy.decide_raw(&case.request, &options);
            let mismatches = compare(&case.expect, &decision);
            let unknown_rules = case
                .expect
                .rules
                .iter()
                .flatten()
                .filter(|id| {
                    *id != DEFAULT_DENY && !policy.compiled().rules.iter().any(|r| r.id == **id)
                })
                .cloned()
                .collect();
            results.push(CaseResult {
                suite,
                case,
                decision,
                mismatches,
                unknown_rules,
            });
        }
    }
    results
}

/// Every way `decision` differs from `expected`.
pub fn compare(expected: &Expected, decision: &Decision) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if expected.decision.is_allow() != decision.allow {
        out.push(Mismatch::Decision {
            expected: expected.decision,
        });
    }
    for (name, value) in &expected.facts {
        if !fact_matches(value, decision.fact(name)) {
            out.push(Mismatch::Fact {
                name: name.clone(),
                expected: value.clone(),
            });
        }
    }
    if let Some(rules) = &expected.rules {
        let missing = missing(rules, decision.reasons.iter().map(|r| r.rule.as_str()));
        if !missing.is_empty() {
            out.push(Mismatch::MissingRules(missing));
        }
    }
    if let Some(codes) = &expected.errors {
        let missing = missing(codes, decision.errors.iter().map(RequestError::code));
        if !missing.is_empty() {
            out.push(Mismatch::MissingErrors(missing));
        }
    }
    out
}

/// The wanted items that are not among `actual` (each reported once).
fn missing<'a>(wanted: &[String], actual: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in wanted {
        if !actual.clone().any(|a| a == w) && !out.contains(w) {
            out.push(w.clone());
        }
    }
    out
}

/// Whether a fact has the expected value, with the contract's types: numbers equal as
/// decimals (`100` = `100.00`), text equal exactly, and a number never equal to text.
pub fn fact_matches(expected: &ExpectedValue, actual: Option<&FactValue>) -> bool {
    match (expected, actual) {
        (ExpectedValue::Bool(e), Some(FactValue::Bool(a))) => e == a,
        (ExpectedValue::Number(e), Some(FactValue::Number(a))) => e == a,
        (ExpectedValue::Text(e), Some(FactValue::Text(a))) => e == a,
        (ExpectedValue::List(e), Some(FactValue::List(a))) => e == a,
        _ => false,
    }
}

/// How often each rule was reached and how often it decided a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Every rule of the policy, in declaration order.
    pub rules: Vec<RuleCoverage>,
    /// Cases decided by the default deny (no rule permitted the action, no error).
    pub default_deny: usize,
}

/// One rule's coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCoverage {
    /// The rule id.
    pub id: String,
    /// `permit`, `forbid` or `reject`.
    pub effect: &'static str,
    /// Where it is written (`file:line:col`).
    pub location: String,
    /// Cases in which its audience matched, so that its condition was evaluated.
    pub reached: usize,
    /// Cases it decided: a permit or forbid among the reasons, a reject among the errors.
    pub decided: usize,
}

impl Coverage {
    /// Rules reached by at least one case.
    pub fn reached(&self) -> usize {
        self.rules.iter().filter(|r| r.reached > 0).count()
    }

    /// Rules that decided at least one case.
    pub fn decided(&self) -> usize {
        self.rules.iter().filter(|r| r.decided > 0).count()
    }

    /// Rules no case reached.
    pub fn never_reached(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules.iter().filter(|r| r.reached == 0)
    }

    /// Rules reached by some case but deciding none.
    pub fn never_decided(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules
            .iter()
            .filter(|r| r.reached > 0 && r.decided == 0)
    }

    /// Whether every rule was reached by some case and decided some case.
    pub fn is_full(&self) -> bool {
        self.rules.iter().all(|r| r.reached > 0 && r.decided > 0)
    }
}

/// A share as a whole percentage, rounded down (so 100% means all), of `total`.
pub fn percent(part: usize, total: usize) -> usize {
    part.saturating_mul(100).checked_div(total).unwrap_or(100)
}

/// Counts, per rule, the cases that reached it and the cases it decided.
pub fn coverage(policy: &crate::Policy, results: &[CaseResult<'_>]) -> Coverage {
    let policy = &policy.compiled;
    let mut rules: Vec<RuleCoverage> = policy
        .rules
        .iter()
        .map(|rule| RuleCoverage {
            id: rule.id.clone(),
            effect: rule.effect.as_str(),
            location: policy.sources.location(rule.span).to_string(),
            reached: 0,
            decided: 0,
        })
        .collect();
    let mut default_deny = 0;
    for result in results {
        let decision = &result.decision;
        for &index in &decision.reached {
            if let Some(entry) = rules.get_mut(usize::from(index)) {
                entry.reached += 1;
            }
        }
        for (index, (entry, rule)) in rules.iter_mut().zip(&policy.rules).enumerate() {
            // Versions of a dated rule share its id: the one that decided is the one
            // the case reached (only one is in force at the request's time).
            let this_version = rule.version.is_none()
                || u16::try_from(index).is_ok_and(|i| decision.reached.contains(&i));
            let decided = this_version
                && match rule.effect {
                    Effect::Permit | Effect::Forbid | Effect::Deny => {
                        decision.reasons.iter().any(|r| r.rule == rule.id)
                    }
                    Effect::Reject => decision.errors.iter().any(
                        |e| matches!(e, RequestError::Rejected { rule: id, .. } if *id == rule.id),
                    ),
                };
            if decided {
                entry.decided += 1;
            }
        }
        if decision
            .reasons
            .iter()
            .any(|r| r.effect == Effect::Deny && r.rule == DEFAULT_DENY)
        {
            default_deny += 1;
        }
    }
    Coverage {
        rules,
        default_deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Reason;
    use rust_decimal::Decimal;

    fn decision() -> Decision {
        Decision {
            allow: false,
            action: Some("act".into()),
            reasons: vec![Reason {
                rule: "r1".into(),
                in_force: None,
                effect: Effect::Forbid,
                message: String::new(),
            }],
            errors: vec![RequestError::Rejected {
                rule: "too-early".into(),
                message: String::new(),
            }],
            facts: vec![
                ("n".into(), FactValue::Number("84.660".parse().unwrap())),
                ("m".into(), FactValue::Text("1015.89".into())),
                ("b".into(), FactValue::Bool(true)),
            ],
            explanation: None,
            reached: vec![],
        }
    }

    fn expected() -> Expected {
        Expected {
            decision: Verdict::Deny,
            facts: vec![],
            rules: None,
            errors: None,
        }
    }

    #[test]
    fn an_empty_expectation_checks_only_the_decision() {
        assert!(compare(&expected(), &decision()).is_empty());
        let mut allow = expected();
        allow.decision = Verdict::Allow;
        assert_eq!(
            compare(&allow, &decision()),
            vec![Mismatch::Decision {
                expected: Verdict::Allow
            }]
        );
    }

    #[test]
    fn facts_are_a_subset_compared_with_their_types() {
        let mut e = expected();
        e.facts = vec![
            ("n".into(), ExpectedValue::Number("84.66".parse().unwrap())),
            ("m".into(), ExpectedValue::Text("1015.89".into())),
        ];
        assert!(compare(&e, &decision()).is_empty());
        // A number where the contract writes text, and text where it writes a number.
        e.facts = vec![
            ("n".into(), ExpectedValue::Text("84.66".into())),
            (
                "m".into(),
                ExpectedValue::Number("1015.89".parse().unwrap()),
            ),
            ("gone".into(), ExpectedValue::Bool(true)),
            ("b".into(), ExpectedValue::Bool(false)),
        ];
        let names: Vec<String> = compare(&e, &decision())
            .into_iter()
            .filter_map(|m| match m {
                Mismatch::Fact { name, .. } => Some(name),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["n", "m", "gone", "b"]);
    }

    #[test]
    fn numbers_compare_as_decimals() {
        assert!(fact_matches(
            &ExpectedValue::Number(Decimal::from(100)),
            Some(&FactValue::Number("100.00".parse().unwrap()))
        ));
        assert!(!fact_matches(
            &ExpectedValue::Number(Decimal::from(100)),
            Some(&FactValue::Number("100.01".parse().unwrap()))
        ));
        assert!(!fact_matches(&ExpectedValue::Bool(true), None));
    }

    #[test]
    fn rules_and_errors_are_subsets() {
        let mut e = expected();
        e.rules = Some(vec!["r1".into()]);
        e.errors = Some(vec!["too-early".into()]);
        assert!(compare(&e, &decision()).is_empty());
        e.rules = Some(vec!["r1".into(), "r2".into(), "r2".into()]);
        e.errors = Some(vec!["missing-field".into()]);
        assert_eq!(
            compare(&e, &decision()),
            vec![
                Mismatch::MissingRules(vec!["r2".into()]),
                Mismatch::MissingErrors(vec!["missing-field".into()]),
            ]
        );
        // An empty list is trivially a subset.
        e.rules = Some(vec![]);
        e.errors = Some(vec![]);
        assert!(compare(&e, &decision()).is_empty());
    }

    #[test]
    fn percentages_round_down() {
        assert_eq!(percent(19, 20), 95);
        assert_eq!(percent(199, 200), 99);
        assert_eq!(percent(20, 20), 100);
        assert_eq!(percent(0, 0), 100);
    }
}
