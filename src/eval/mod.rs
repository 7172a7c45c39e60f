//! The decision procedure. Semantics (DESIGN.md, after Cedar's authorizer):
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

pub mod expr;

use chrono::{DateTime, Utc};

use crate::decision::{Decision, FactValue, Reason};
use crate::policy::{Audience, CompiledPolicy, CompiledRule, Requirement, Template, TemplatePart};
use crate::request::{Record, RequestError};
use crate::value::{self, Value};
use expr::{render, role_names, Env, EvalError};

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

/// Decides one decoded request.
pub fn decide(policy: &CompiledPolicy, mut record: Record<'_>, options: &Options) -> Decision {
    let schema = &policy.schema;
    if let Some(at) = record.values.get_mut(usize::from(schema.at)) {
        if !at.is_present() && !record_is_invalid(record.invalid, schema.at) {
            *at = Value::Time(options.now);
        }
    }
    let actor_roles = resolve_roles(policy, &mut record);
    let action = match record.get(schema.action) {
        Value::Action(a) => Some(*a),
        _ => None,
    };
    let mut errors = std::mem::take(&mut record.errors);
    let action_text = record.action_text.clone();
    if errors.iter().any(|e| {
        matches!(
            e,
            RequestError::Malformed { .. } | RequestError::TooLarge { .. }
        )
    }) {
        // Nothing of an unreadable document is used.
        return unusable(None, errors);
    }
    let Some(action) = action else {
        // No usable action: say what else is missing, and deny.
        let mut env = Env::new(policy, &record, actor_roles, 0, false);
        let label = action_text.clone().unwrap_or_else(|| "a request".into());
        check_required(&mut env, &policy.always_required, &label, &mut errors);
        return unusable(action_text, errors);
    };
    let Some(plan) = policy.plans.get(usize::from(action)) else {
        return unusable(action_text, errors);
    };
    let action_name = policy
        .actions
        .get(usize::from(action))
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let mut env = Env::new(policy, &record, actor_roles, action, options.explain);
    let mut explanation = Vec::new();
    check_required(&mut env, &plan.requirements, &action_name, &mut errors);

    let side = schema.side.map(|s| record.get(s).clone());
    let mut rejected = Vec::new();
    let mut forbids = Vec::new();
    let mut permits = Vec::new();
    let mut reached = Vec::new();
    for (list, effect) in [(&plan.rejects, 0), (&plan.forbids, 1), (&plan.permits, 2)] {
        for &index in list {
            let Some(rule) = policy.rules.get(usize::from(index)) else {
                continue;
            };
            let audience_ok = rule
                .audience
                .as_ref()
                .is_none_or(|a| audience_matches(&env, a, side.as_ref()));
            if options.coverage && audience_ok {
                reached.push(index);
            }
            match applies(&mut env, rule, side.as_ref(), &mut explanation) {
                Ok(true) => match effect {
                    0 => rejected.push(rule),
                    1 => forbids.push(rule),
                    _ => permits.push(rule),
                },
                Ok(false) => {}
                Err(e) => errors.push(RequestError::Evaluation {
                    message: format!("rule {}: {e}", rule.id),
                }),
            }
        }
    }
    // Facts that do not depend on the decision; they may feed messages.
    let errors_before_facts = !errors.is_empty() || !rejected.is_empty();
    let mut fact_errors = Vec::new();
    compute_facts(
        &mut env,
        &plan.facts,
        false,
        errors_before_facts,
        &mut fact_errors,
    );
    for rule in &rejected {
        errors.push(RequestError::Rejected {
            rule: rule.id.clone(),
            message: render_template(&mut env, &rule.message),
        });
    }
    errors.extend(fact_errors);
    let allow = errors.is_empty() && forbids.is_empty() && !permits.is_empty();
    env.allowed = Some(allow);
    let mut late_errors = Vec::new();
    compute_facts(&mut env, &plan.facts, true, !allow, &mut late_errors);
    let allow = allow && late_errors.is_empty();
    errors.extend(late_errors);

    let reasons = if allow {
        reasons(&mut env, &permits, "permit")
    } else if !forbids.is_empty() {
        reasons(&mut env, &forbids, "forbid")
    } else if errors.is_empty() {
        vec![Reason {
            rule: "default-deny".into(),
            effect: "deny",
            message: render_template(&mut env, &policy.default_deny),
        }]
    } else {
        Vec::new()
    };
    let facts = plan
        .facts
        .iter()
        .filter_map(|&i| {
            let fact = policy.facts.get(usize::from(i))?;
            let value = env.facts.get(usize::from(i))?.as_ref()?;
            let name = policy.fact_names.get(usize::from(fact.name))?.clone();
            Some((name, fact_value(policy, value)))
        })
        .collect();
    if options.explain {
        explanation.push(format!(
            "decision: {} ({} forbid, {} permit, {} error)",
            if allow { "allow" } else { "deny" },
            forbids.len(),
            permits.len(),
            errors.len()
        ));
    }
    Decision {
        allow,
        action: action_text,
        reasons,
        errors,
        facts,
        explanation,
        reached,
    }
}

/// A deny decided by errors alone, before any rule ran.
pub fn unusable(action: Option<String>, errors: Vec<RequestError>) -> Decision {
    Decision {
        allow: false,
        action,
        reasons: Vec::new(),
        errors,
        facts: Vec::new(),
        explanation: Vec::new(),
        reached: Vec::new(),
    }
}

fn record_is_invalid(invalid: u128, slot: u16) -> bool {
    slot < 128 && invalid & (1u128 << slot) != 0
}

/// Turns the role names of the request into a mask of the actor's side's roles;
/// unknown roles and roles of the other side are errors.
fn resolve_roles(policy: &CompiledPolicy, record: &mut Record<'_>) -> u64 {
    let side = policy.schema.side.and_then(|s| match record.get(s) {
        Value::Side(side) => Some(*side),
        _ => None,
    });
    let side_mask: u64 = match side {
        Some(side) => policy
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.side == side)
            .fold(0, |m, (bit, _)| m | (1u64 << bit)),
        None => u64::MAX,
    };
    let mut mask = 0u64;
    let candidates = std::mem::take(&mut record.role_candidates);
    for (candidate, name) in candidates {
        let own = candidate & side_mask;
        if own != 0 {
            mask |= own;
            continue;
        }
        let other_side = policy
            .roles
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| policy.sides.get(usize::from(r.side)).cloned());
        record.errors.push(RequestError::UnknownRole {
            role: name,
            side: side.and_then(|s| policy.sides.get(usize::from(s)).cloned()),
            other_side,
        });
        if let Some(slot) = policy.schema.roles {
            if slot < 128 {
                record.invalid |= 1u128 << slot;
            }
        }
    }
    if side.is_none() {
        // Without a valid side no role can be trusted.
        mask = 0;
    }
    mask
}

fn check_required(
    env: &mut Env<'_, '_, '_>,
    requirements: &[Requirement],
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

fn audience_matches(env: &Env<'_, '_, '_>, audience: &Audience, side: Option<&Value<'_>>) -> bool {
    let side_ok = match side {
        Some(Value::Side(s)) => audience.any_of_sides & (1 << s) != 0,
        _ => false,
    };
    side_ok || audience.roles & env.actor_roles != 0
}

fn applies(
    env: &mut Env<'_, '_, '_>,
    rule: &CompiledRule,
    side: Option<&Value<'_>>,
    explanation: &mut Vec<String>,
) -> Result<bool, EvalError> {
    let explain = env.trace.is_some();
    if let Some(trace) = env.trace.as_mut() {
        trace.clear();
    }
    if let Some(audience) = &rule.audience {
        if !audience_matches(env, audience, side) {
            if explain {
                let roles: Vec<&str> = role_names(env.policy, env.actor_roles).collect();
                let who = side
                    .map(|s| render(env.policy, s))
                    .unwrap_or_else(|| "(no side)".into());
                explanation.push(format!(
                    "{} ({}): does not apply to a {who} with roles [{}] → skipped",
                    rule.id,
                    rule.effect.keyword(),
                    roles.join(", ")
                ));
            }
            return Ok(false);
        }
    }
    let holds = match &rule.condition {
        None => true,
        Some(c) => env.holds(c)?,
    };
    if explain {
        let verdict = if holds {
            rule.effect.keyword()
        } else {
            "no match"
        };
        let condition = if rule.condition.is_some() {
            ""
        } else {
            " (no condition)"
        };
        explanation.push(format!(
            "{} ({}){condition} → {verdict}",
            rule.id,
            rule.effect.keyword()
        ));
        if let Some(trace) = env.trace.as_mut() {
            explanation.extend(trace.drain(..).map(|t| format!("  {t}")));
        }
    }
    Ok(holds)
}

fn compute_facts(
    env: &mut Env<'_, '_, '_>,
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
            Err(e) => {
                if !quiet {
                    let name = env
                        .policy
                        .fact_names
                        .get(usize::from(fact.name))
                        .cloned()
                        .unwrap_or_default();
                    errors.push(RequestError::Evaluation {
                        message: format!("cannot compute {name}: {e}"),
                    });
                }
                None
            }
        };
        if let Some(slot) = env.facts.get_mut(usize::from(index)) {
            *slot = value;
        }
    }
}

fn reasons(
    env: &mut Env<'_, '_, '_>,
    rules: &[&CompiledRule],
    effect: &'static str,
) -> Vec<Reason> {
    rules
        .iter()
        .map(|rule| Reason {
            rule: rule.id.clone(),
            effect,
            message: render_template(env, &rule.message),
        })
        .collect()
}

fn render_template(env: &mut Env<'_, '_, '_>, template: &Template) -> String {
    let mut out = String::new();
    let trace = env.trace.take();
    for part in &template.parts {
        match part {
            TemplatePart::Literal(text) => out.push_str(text),
            TemplatePart::Value(e) => match env.eval(e) {
                Ok(v) => out.push_str(&render(env.policy, &v)),
                Err(_) => out.push_str("(cannot be computed)"),
            },
        }
    }
    env.trace = trace;
    out
}

fn fact_value(policy: &CompiledPolicy, v: &Value<'_>) -> FactValue {
    match v {
        Value::Bool(b) => FactValue::Bool(*b),
        Value::Number(n) => FactValue::Number(*n),
        Value::Money(m) => FactValue::Text(value::format_money(*m)),
        Value::Roles(mask) => {
            FactValue::List(role_names(policy, *mask).map(str::to_string).collect())
        }
        other => FactValue::Text(render(policy, other)),
    }
}
