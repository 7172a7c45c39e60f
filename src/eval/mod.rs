//! The decision procedure. Semantics (docs/decision.md and docs/language.md, after Cedar's authorizer):
//!
//! 1. The request is decoded against the schema; every malformed field is an error.
//! 2. The actor's roles are resolved against the actor's side (a role of the other side
//!    is an error); required fields of the action are checked; `reject` rules run.
//! 3. Every `forbid` and `permit` of the action is evaluated (audience, then condition).
//! 4. Facts that do not read `allowed` are computed; a fact that reads a missing field
//!    is left out; a failure is an error (when the request had none already).
//! 5. Allow exactly when there is no error, no forbid applies and some permit applies.
//!    Any forbid wins over any permit; no permit means the default deny.
//! 6. Facts that read `allowed` are computed; messages are rendered.
//!
//! Reasons are the permits (on allow), else every forbid that applied, else the default
//! deny (when there is no error to explain the deny).
//!
//! The other files: `env.rs` (the state of one evaluation), `holds.rs` and `expr.rs`
//! (conditions and values), `arith.rs`, `compare.rs`, `render.rs` (values in messages),
//! `roles.rs` (the actor), `error.rs`, `context.rs` (the buffers reused from request
//! to request) and `batch.rs` (a whole stream on several threads).

mod arith;
pub mod batch;
mod compare;
mod context;
mod env;
mod error;
mod expr;
mod holds;
mod render;
mod roles;

use chrono::{DateTime, Utc};

use crate::decision::{Actor, Decision, ExplainEntry, FactValue, Outcome, Reason, DEFAULT_DENY};
use crate::limits::REQUEST_BYTES;
use crate::policy::{CompiledPolicy, CompiledRule, Effect, Requirement, Template, TemplatePart};
use crate::request::stream::{Document, Format};
use crate::request::{decode, Record, RequestError};
use crate::value::Value;

use context::{Scratch, Session, Spares};
use env::{Env, Memo};
use render::{render, render_into, render_shown, role_names};
use roles::{audience_matches, resolve_roles};

pub use context::{decide_document, Context};
pub use error::{EvalError, ExprError};

/// How to evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The time used when a request has no `at`.
    pub now: DateTime<Utc>,
    /// Whether to record an explanation.
    pub explain: bool,
    /// Whether to record which rules were reached (for `test --coverage`).
    pub coverage: bool,
}

impl Options {
    /// Plain evaluation at `now`: no explanation, no coverage.
    pub fn at(now: DateTime<Utc>) -> Self {
        Options {
            now,
            explain: false,
            coverage: false,
        }
    }
}

/// The rules that applied to one request, by effect: indices into the policy's rules,
/// in the order they were evaluated.
#[derive(Debug, Default)]
struct Applied {
    rejects: Vec<u16>,
    forbids: Vec<u16>,
    permits: Vec<u16>,
}

impl Applied {
    /// No rule (allocates nothing until used).
    const fn new() -> Self {
        Applied {
            rejects: Vec::new(),
            forbids: Vec::new(),
            permits: Vec::new(),
        }
    }
}

/// Step 1: decodes one document into the session's record, then decides it into `out`
/// (emptied first).
fn decide_in<'v>(
    policy: &'v CompiledPolicy,
    document: &Document<'v>,
    options: &Options,
    session: &mut Session<'v>,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    scratch.spares.reclaim(out);
    if let Some(size) = document.oversized {
        out.errors.push(RequestError::TooLarge {
            size,
            limit: REQUEST_BYTES,
            line: Some(document.line),
        });
        return;
    }
    if document.not_utf8 {
        out.errors.push(RequestError::Malformed {
            message: "the request is not UTF-8 text".into(),
            line: Some(document.line),
            column: None,
        });
        return;
    }
    let record = &mut session.record;
    match document.format {
        Format::Json => decode::decode_json_into(policy, document.text, document.line, record),
        Format::Yaml => decode::decode_yaml_into(policy, document.text, document.line, record),
    }
    decide_record(policy, record, &mut session.memo, options, scratch, out);
}

/// Steps 2 to 6 for one decoded request, into `out` (empty).
fn decide_record<'v>(
    policy: &'v CompiledPolicy,
    record: &mut Record<'v>,
    memo: &mut Memo<'v>,
    options: &Options,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    // The time defaults to `now`; the roles are read against the side.
    let schema = &policy.schema;
    let at_invalid = record.is_invalid(schema.at);
    if let Some(at) = record.values.get_mut(usize::from(schema.at)) {
        if !at.is_present() && !at_invalid {
            *at = Value::Time(options.now);
        }
    }
    let actor_roles = resolve_roles(policy, record);
    let action = match record.get(schema.action) {
        Value::Action(a) => Some(*a),
        _ => None,
    };
    out.errors.append(&mut record.errors);
    if out.errors.iter().any(|e| {
        matches!(
            e,
            RequestError::Malformed { .. } | RequestError::TooLarge { .. }
        )
    }) {
        // Nothing of an unreadable document is used.
        return;
    }
    let Scratch {
        applied,
        fact_errors,
        spares,
        ..
    } = scratch;
    if let Some(text) = &record.action_text {
        out.action = Some(spares.copy(text));
    }
    let record: &Record<'v> = record;
    let Some(action) = action else {
        // No usable action: say what else is missing, and deny.
        let mut env = Env::new(policy, record, actor_roles, 0, false, std::mem::take(memo));
        let label = record.action_text.as_deref().unwrap_or("a request");
        check_required(&mut env, &policy.always_required, label, &mut out.errors);
        *memo = env.into_memo();
        return;
    };
    let Some(plan) = policy.plans.get(usize::from(action)) else {
        return;
    };
    let action_name = policy
        .actions
        .get(usize::from(action))
        .map_or("", |a| a.name.as_str());
    let explain = options.explain;
    let mut env = Env::new(
        policy,
        record,
        actor_roles,
        action,
        explain,
        std::mem::take(memo),
    );
    check_required(&mut env, &plan.requirements, action_name, &mut out.errors);
    if explain {
        out.explanation = Some(Vec::new());
    }

    // Rules (steps 2 and 3): every reject, then every forbid, then every permit, in declaration order.
    let side = schema.side.map(|s| record.get(s).clone());
    for (rules, applying) in [
        (&plan.rejects, &mut applied.rejects),
        (&plan.forbids, &mut applied.forbids),
        (&plan.permits, &mut applied.permits),
    ] {
        run_rules(
            &mut env,
            rules,
            side.as_ref(),
            options.coverage,
            applying,
            out,
        );
    }

    // Facts that do not read the decision (step 4; they may feed messages); a reject's
    // message is its error.
    let errors_before_facts = !out.errors.is_empty() || !applied.rejects.is_empty();
    compute_facts(
        &mut env,
        &plan.facts,
        false,
        errors_before_facts,
        fact_errors,
    );
    for rule in rules(policy, &applied.rejects) {
        let mut message = String::new();
        render_template(&mut env, &rule.message, &mut message);
        out.errors.push(RequestError::Rejected {
            rule: rule.id.clone(),
            message,
        });
    }
    out.errors.append(fact_errors);

    // The verdict (step 5), then the facts that read it (step 6): one that fails makes
    // it deny.
    let allow = out.errors.is_empty() && applied.forbids.is_empty() && !applied.permits.is_empty();
    env.allowed = Some(allow);
    compute_facts(&mut env, &plan.facts, true, !allow, fact_errors);
    let allow = allow && fact_errors.is_empty();
    out.errors.append(fact_errors);
    out.allow = allow;

    write_reasons(&mut env, applied, spares, out);
    write_facts(&env, &plan.facts, spares, out);
    *memo = env.into_memo();
}

/// Runs `rules` (all of one effect) and records in `applying` those that apply; with
/// `coverage`, records in the decision every rule whose audience matched.
fn run_rules<'v>(
    env: &mut Env<'_, 'v>,
    rules: &[u16],
    side: Option<&Value<'_>>,
    coverage: bool,
    applying: &mut Vec<u16>,
    out: &mut Decision,
) {
    let policy = env.policy;
    applying.clear();
    for &index in rules {
        let Some(rule) = policy.rules.get(usize::from(index)) else {
            continue;
        };
        if let Some(in_force) = &rule.in_force {
            // A dated version applies only at a request time in its interval (an
            // invalid time is already an error: deny). Undated rules never look.
            let at = match env.record.get(policy.schema.at) {
                Value::Time(t) => Some(*t),
                _ => None,
            };
            if !at.is_some_and(|t| in_force.contains(t)) {
                if let Some(entries) = out.explanation.as_mut() {
                    entries.push(ExplainEntry {
                        rule: rule.id.clone(),
                        in_force: rule.version.clone(),
                        effect: rule.effect,
                        outcome: Outcome::NotInForce,
                        has_condition: rule.condition.is_some(),
                        actor: None,
                        error: None,
                        tests: Vec::new(),
                    });
                }
                continue;
            }
        }
        if coverage
            && rule
                .audience
                .as_ref()
                .is_none_or(|a| audience_matches(env, a, side))
        {
            out.reached.push(index);
        }
        match applies(env, rule, side, &mut out.explanation) {
            Ok(true) => applying.push(index),
            Ok(false) => {}
            Err(error) => out.errors.push(
                EvalError::Rule {
                    rule: versioned_id(rule),
                    error,
                }
                .into(),
            ),
        }
    }
}

/// The decision's reasons: the permits on allow, else the forbids, else the default
/// deny (when no error explains the deny), each with its message.
fn write_reasons(
    env: &mut Env<'_, '_>,
    applied: &Applied,
    spares: &mut Spares,
    out: &mut Decision,
) {
    let policy = env.policy;
    let deciding = if out.allow {
        &applied.permits
    } else {
        &applied.forbids
    };
    for rule in rules(policy, deciding) {
        let mut message = spares.take();
        render_template(env, &rule.message, &mut message);
        out.reasons.push(Reason {
            rule: spares.copy(&rule.id),
            in_force: rule.version.as_deref().map(|v| spares.copy(v)),
            effect: rule.effect,
            message,
        });
    }
    if !out.allow && applied.forbids.is_empty() && out.errors.is_empty() {
        let mut message = spares.take();
        let template = policy
            .plans
            .get(usize::from(env.action))
            .and_then(|plan| plan.default_deny.as_ref())
            .unwrap_or(&policy.default_deny);
        render_template(env, template, &mut message);
        out.reasons.push(Reason {
            rule: spares.copy(DEFAULT_DENY),
            in_force: None,
            effect: Effect::Deny,
            message,
        });
    }
}

/// The decision's facts, in declaration order: those computed (not absent, not failed).
fn write_facts(env: &Env<'_, '_>, facts: &[u16], spares: &mut Spares, out: &mut Decision) {
    let policy = env.policy;
    for &index in facts {
        let Some(fact) = policy.facts.get(usize::from(index)) else {
            continue;
        };
        let Some(value) = env.fact(index) else {
            continue;
        };
        let Some(name) = policy.fact_names.get(usize::from(fact.name)) else {
            continue;
        };
        let name = spares.copy(name);
        let value = fact_value(policy, value, spares);
        out.facts.push((name, value));
    }
}

/// A rule as errors and explanations name it: its id, and the version of a dated rule
/// (`cancel-within-window (in force from 2021-02-01)`).
fn versioned_id(rule: &CompiledRule) -> String {
    match &rule.version {
        None => rule.id.clone(),
        Some(v) => format!("{} (in force {v})", rule.id),
    }
}

/// The rules at `indices`.
fn rules<'p, 'i>(
    policy: &'p CompiledPolicy,
    indices: &'i [u16],
) -> impl Iterator<Item = &'p CompiledRule> + use<'p, 'i> {
    indices
        .iter()
        .filter_map(|&i| policy.rules.get(usize::from(i)))
}

/// Adds an error for each requirement that applies and that the request does not meet.
fn check_required<'v>(
    env: &mut Env<'_, 'v>,
    requirements: &'v [Requirement],
    action: &str,
    errors: &mut Vec<RequestError>,
) {
    for req in requirements {
        if let Some(when) = &req.when {
            if !env.holds(when).unwrap_or(false) {
                continue;
            }
        }
        let given = req
            .any_of
            .iter()
            .any(|&slot| env.record.get(slot).is_present() || env.record.is_invalid(slot));
        if !given {
            let fields = req
                .any_of
                .iter()
                .filter_map(|&slot| env.policy.schema.fields.get(usize::from(slot)))
                .map(|f| f.describe())
                .collect();
            errors.push(RequestError::MissingField {
                action: action.to_string(),
                fields,
            });
        }
    }
}

/// Whether a rule applies: its audience takes in the actor and its condition holds;
/// with `--explain`, adds an entry saying how it went (also when the condition cannot
/// be computed).
fn applies<'v>(
    env: &mut Env<'_, 'v>,
    rule: &'v CompiledRule,
    side: Option<&Value<'_>>,
    explanation: &mut Option<Vec<ExplainEntry>>,
) -> Result<bool, ExprError> {
    if let Some(trace) = env.trace.as_mut() {
        trace.clear();
    }
    let entry = |outcome| ExplainEntry {
        rule: rule.id.clone(),
        in_force: rule.version.clone(),
        effect: rule.effect,
        outcome,
        has_condition: rule.condition.is_some(),
        actor: None,
        error: None,
        tests: Vec::new(),
    };
    if let Some(audience) = &rule.audience {
        if !audience_matches(env, audience, side) {
            if let Some(entries) = explanation.as_mut() {
                let side = side.filter(|s| s.is_present());
                entries.push(ExplainEntry {
                    actor: Some(Actor {
                        side: side.map(|s| render(env.policy, s)),
                        roles: role_names(env.policy, env.actor_roles)
                            .map(String::from)
                            .collect(),
                    }),
                    ..entry(Outcome::AudienceNotMatched)
                });
            }
            return Ok(false);
        }
    }
    let holds = match &rule.condition {
        None => Ok(true),
        Some(c) => env.holds(c),
    };
    if let Some(entries) = explanation.as_mut() {
        let tests = env.trace.as_mut().map(std::mem::take).unwrap_or_default();
        entries.push(match &holds {
            Ok(true) => ExplainEntry {
                tests,
                ..entry(Outcome::Applied)
            },
            Ok(false) => ExplainEntry {
                tests,
                ..entry(Outcome::ConditionFalse)
            },
            Err(error) => ExplainEntry {
                error: Some(error.clone()),
                tests,
                ..entry(Outcome::Error)
            },
        });
    }
    holds
}

/// Computes the plan's facts that read the decision (`after_decision`) or that do not;
/// a fact that read an absent value is left out. A failure is an error unless `quiet`
/// (the request already has one).
fn compute_facts(
    env: &mut Env<'_, '_>,
    facts: &[u16],
    after_decision: bool,
    quiet: bool,
    errors: &mut Vec<RequestError>,
) {
    for &index in facts {
        let Some(fact) = env.policy.facts.get(usize::from(index)) else {
            continue;
        };
        if fact.after_decision != after_decision {
            continue;
        }
        env.touched_absent = false;
        let trace = env.trace.take();
        let result = env.eval(&fact.value);
        env.trace = trace;
        let value = match result {
            Ok(v) if v.is_present() && !env.touched_absent => Some(v),
            Ok(_) => None,
            Err(error) => {
                if !quiet {
                    let fact = env
                        .policy
                        .fact_names
                        .get(usize::from(fact.name))
                        .cloned()
                        .unwrap_or_default();
                    errors.push(EvalError::Fact { fact, error }.into());
                }
                None
            }
        };
        env.set_fact(index, value);
    }
}

/// Appends a message with its values filled in.
fn render_template<'v>(env: &mut Env<'_, 'v>, template: &'v Template, out: &mut String) {
    let trace = env.trace.take();
    for part in &template.parts {
        match part {
            TemplatePart::Literal(text) => out.push_str(text),
            TemplatePart::Value(e) => match env.eval(e) {
                Ok(v) => render_into(out, env.policy, &v),
                Err(_) => out.push_str("(cannot be computed)"),
            },
            TemplatePart::Shown(shown) => match env.eval(&shown.value) {
                Ok(v) => render_shown(out, env.policy, &v, shown),
                Err(_) => out.push_str("(cannot be computed)"),
            },
        }
    }
    env.trace = trace;
}

/// A computed fact as the decision holds it: money and other values as text, roles as a
/// list of names.
fn fact_value(policy: &CompiledPolicy, v: &Value<'_>, spares: &mut Spares) -> FactValue {
    match v {
        Value::Bool(b) => FactValue::Bool(*b),
        Value::Number(n) => FactValue::Number(*n),
        Value::Money(m, c) => {
            let mut text = spares.take();
            crate::value::write_amount_in(&mut text, *m, *c);
            FactValue::Text(text)
        }
        Value::Roles(mask) => FactValue::List(
            role_names(policy, *mask)
                .map(|name| spares.copy(name))
                .collect(),
        ),
        other => {
            let mut text = spares.take();
            render_into(&mut text, policy, other);
            FactValue::Text(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{EvalError, ExprError};
    use crate::request::RequestError;

    /// Decides a YAML request at 2026-11-25T12:00:00Z with the one-file policy `text`
    /// (the evaluator's unit tests write their own small policies).
    pub(crate) fn decide_with(text: &str, request: &str) -> crate::Decision {
        let mut sources = crate::source::SourceMap::new();
        sources.add(crate::source::SourceFile::new("t.policy", text));
        let policy = crate::load::load(sources).map_err(|e| e.render()).unwrap();
        let now = crate::value::parse_time("2026-11-25T12:00:00Z").unwrap();
        policy.decide_yaml(request, now)
    }

    /// Each error of a decision: its code and its message.
    fn errors_of(d: &crate::Decision) -> Vec<(&str, String)> {
        d.errors.iter().map(|e| (e.code(), e.to_string())).collect()
    }

    /// Decides a YAML request with a policy whose rule divides by `d` and whose facts
    /// divide by `m` = `n - 2` and multiply `n` by itself.
    fn decide(request: &str) -> crate::Decision {
        decide_with("actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  n \"n\" is a number\n  d \"d\" is a number\n}\nrule halves\n  permit go\n  when n / d > 1\n  because \"n is large\"\nfact square for go = n * n\nlet m = n - 2\nfact share for go = 100 / m\n", request)
    }

    #[test]
    fn a_rule_or_fact_that_cannot_be_computed_is_an_error_naming_it() {
        let d = decide("action: go\nn: 3\nd: 0\n");
        assert!(!d.allow);
        assert_eq!(
            errors_of(&d),
            [(
                "evaluation-error",
                "rule halves: division by zero in `n / d`".to_string()
            )],
            "a fact is quiet once the request has an error"
        );
        let d = decide("action: go\nn: 2\nd: 1\n");
        assert!(!d.allow);
        assert_eq!(
            errors_of(&d),
            [(
                "evaluation-error",
                "cannot compute share: division by zero in `100 / m`".to_string()
            )]
        );
        let d = decide("action: go\nn: 79228162514264337593543950335\nd: 1\n");
        let messages: Vec<String> = d.errors.iter().map(RequestError::to_string).collect();
        assert_eq!(
            messages,
            ["cannot compute square: `n * n` is out of range".to_string()]
        );
    }

    #[test]
    fn evaluation_errors_say_where_and_what_failed() {
        let failure = |request: &str| match decide(request).errors.as_slice() {
            [RequestError::Evaluation(error)] => error.clone(),
            other => panic!("one evaluation error expected: {other:?}"),
        };
        let error = failure("action: go\nn: 3\nd: 0\n");
        assert_eq!(
            error,
            EvalError::Rule {
                rule: "halves".into(),
                error: ExprError::DivisionByZero {
                    expr: "n / d".into()
                }
            }
        );
        assert_eq!(error.code(), "division-by-zero");
        let error = failure("action: go\nn: 79228162514264337593543950335\nd: 1\n");
        assert_eq!(
            error,
            EvalError::Fact {
                fact: "square".into(),
                error: ExprError::Overflow {
                    expr: "n * n".into()
                }
            }
        );
        assert_eq!(error.code(), "overflow");
        assert_eq!(
            ExprError::TimeOutOfRange { expr: "t".into() }.code(),
            "time-out-of-range"
        );
    }
}
