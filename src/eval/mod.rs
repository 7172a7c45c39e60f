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

pub mod batch;
pub mod expr;

use crate::limits::{REQUEST_BYTES, SPARE_STRINGS, SPARE_STRING_BYTES};
use std::cell::RefCell;

use chrono::{DateTime, Utc};

use crate::decision::{Decision, FactValue, Reason};
use crate::policy::{
    Audience, CompiledPolicy, CompiledRule, Effect, Requirement, Template, TemplatePart,
};
use crate::request::stream::{Document, Format};
use crate::request::{decode, Record, RequestError};
use crate::value::Value;
use expr::{render, render_into, role_names, Env, EvalError};

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

/// The buffers one thread reuses from decision to decision, so that deciding a request
/// allocates nothing but what the decision itself holds: the decoded record, the
/// memoized `let`s, the facts, the rules that applied, and spare strings for messages.
/// With [`Context`] (which also reuses the decision), a batch allocates nothing per
/// request in the common case.
#[derive(Debug, Default)]
pub struct Scratch {
    record: Record<'static>,
    lets: Vec<Option<(Value<'static>, bool)>>,
    facts: Vec<Option<Value<'static>>>,
    rejected: Vec<u16>,
    forbids: Vec<u16>,
    permits: Vec<u16>,
    fact_errors: Vec<RequestError>,
    /// Emptied strings of earlier decisions, reused for the next ones.
    strings: Vec<String>,
}

impl Scratch {
    /// Empty buffers (allocates nothing until used).
    pub const fn new() -> Self {
        Scratch {
            record: Record {
                values: Vec::new(),
                invalid: 0,
                action_text: None,
                role_candidates: Vec::new(),
                errors: Vec::new(),
            },
            lets: Vec::new(),
            facts: Vec::new(),
            rejected: Vec::new(),
            forbids: Vec::new(),
            permits: Vec::new(),
            fact_errors: Vec::new(),
            strings: Vec::new(),
        }
    }

    /// An empty string, from the spares when there is one.
    fn string(&mut self) -> String {
        self.strings.pop().unwrap_or_default()
    }

    fn spare(&mut self, mut s: String) {
        if self.strings.len() < SPARE_STRINGS && s.capacity() <= SPARE_STRING_BYTES {
            s.clear();
            self.strings.push(s);
        }
    }

    /// Empties `decision`, keeping its strings as spares and its vectors' capacity.
    fn reclaim(&mut self, decision: &mut Decision) {
        decision.allow = false;
        if let Some(action) = decision.action.take() {
            self.spare(action);
        }
        for reason in decision.reasons.drain(..) {
            self.spare(reason.rule);
            self.spare(reason.message);
        }
        for (name, value) in decision.facts.drain(..) {
            self.spare(name);
            match value {
                FactValue::Text(text) => self.spare(text),
                FactValue::List(items) => items.into_iter().for_each(|i| self.spare(i)),
                FactValue::Bool(_) | FactValue::Number(_) => {}
            }
        }
        decision.errors.clear();
        decision.explanation.clear();
        decision.reached.clear();
    }
}

/// Everything one thread needs to decide requests one after the other without
/// allocating: the policy, the [`Scratch`] buffers and the decision it refills.
#[derive(Debug)]
pub struct Context<'p> {
    policy: &'p CompiledPolicy,
    scratch: Scratch,
    decision: Decision,
}

impl<'p> Context<'p> {
    /// A context for `policy`.
    pub fn new(policy: &'p CompiledPolicy) -> Self {
        Context {
            policy,
            scratch: Scratch::new(),
            decision: Decision::default(),
        }
    }

    /// Decides one document; the decision is valid until the next call.
    pub fn decide(&mut self, document: &Document<'_>, options: &Options) -> &Decision {
        decide_document_into(
            self.policy,
            document,
            options,
            &mut self.scratch,
            &mut self.decision,
        );
        &self.decision
    }

    /// Decides documents one after the other and hands each decision to `each`; the
    /// buffers are set up once for all of them (cheaper than [`Context::decide`] per
    /// document).
    pub fn decide_each<'t, I, F>(&mut self, documents: I, options: &Options, mut each: F)
    where
        'p: 't,
        I: IntoIterator<Item = Document<'t>>,
        F: FnMut(&Document<'t>, &Decision),
    {
        let policy: &'t CompiledPolicy = self.policy;
        let mut session = self.scratch.open();
        for document in documents {
            decide_in(
                policy,
                &document,
                options,
                &mut session,
                &mut self.scratch,
                &mut self.decision,
            );
            each(&document, &self.decision);
        }
        self.scratch.close(session);
    }
}

/// The buffers that hold values of the requests being decided (`'v`): taken from a
/// [`Scratch`] for a run of documents and given back after.
struct Session<'v> {
    record: Record<'v>,
    lets: Vec<Option<(Value<'v>, bool)>>,
    facts: Vec<Option<Value<'v>>>,
}

impl Scratch {
    fn open<'v>(&mut self) -> Session<'v> {
        Session {
            record: std::mem::take(&mut self.record).recycle(),
            lets: recycle(std::mem::take(&mut self.lets), |_| None),
            facts: recycle(std::mem::take(&mut self.facts), |_| None),
        }
    }

    fn close(&mut self, session: Session<'_>) {
        self.record = session.record.recycle();
        self.lets = recycle(session.lets, |_| None);
        self.facts = recycle(session.facts, |_| None);
    }
}

thread_local! {
    /// The scratch buffers of the one-request entry points ([`decide_document`]).
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// Decides one document (JSON or YAML text, or a document the stream splitter marked
/// as oversized or not UTF-8) with this thread's scratch buffers: only the returned
/// decision is allocated.
pub fn decide_document(
    policy: &CompiledPolicy,
    document: &Document<'_>,
    options: &Options,
) -> Decision {
    let mut decision = Decision::default();
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            decide_document_into(policy, document, options, &mut scratch, &mut decision)
        }
        Err(_) => decide_document_into(
            policy,
            document,
            options,
            &mut Scratch::new(),
            &mut decision,
        ),
    });
    decision
}

/// Decides one document into `out` (emptied first), reusing `scratch`.
pub fn decide_document_into(
    policy: &CompiledPolicy,
    document: &Document<'_>,
    options: &Options,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    let mut session = scratch.open();
    decide_in(policy, document, options, &mut session, scratch, out);
    scratch.close(session);
}

/// Decodes and decides one document with the session's buffers.
fn decide_in<'v>(
    policy: &'v CompiledPolicy,
    document: &Document<'v>,
    options: &Options,
    session: &mut Session<'v>,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    scratch.reclaim(out);
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
    decide_into(
        policy,
        record,
        options,
        (&mut session.lets, &mut session.facts),
        scratch,
        out,
    );
}

/// Decides one decoded request.
pub fn decide<'v>(
    policy: &'v CompiledPolicy,
    mut record: Record<'v>,
    options: &Options,
) -> Decision {
    let mut decision = Decision::default();
    let (mut lets, mut facts) = (Vec::new(), Vec::new());
    decide_into(
        policy,
        &mut record,
        options,
        (&mut lets, &mut facts),
        &mut Scratch::new(),
        &mut decision,
    );
    decision
}

/// The `let` and fact buffers of an evaluation.
type EnvBuffers<'b, 'v> = (
    &'b mut Vec<Option<(Value<'v>, bool)>>,
    &'b mut Vec<Option<Value<'v>>>,
);

/// Decides one decoded request into `out` (which must be empty), reusing `scratch`.
fn decide_into<'v>(
    policy: &'v CompiledPolicy,
    record: &mut Record<'v>,
    options: &Options,
    buffers: EnvBuffers<'_, 'v>,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    let schema = &policy.schema;
    if let Some(at) = record.values.get_mut(usize::from(schema.at)) {
        if !at.is_present() && !record_is_invalid(record.invalid, schema.at) {
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
    if let Some(text) = &record.action_text {
        let mut action_text = scratch.string();
        action_text.push_str(text);
        out.action = Some(action_text);
    }
    let record: &Record<'v> = record;
    let Some(action) = action else {
        // No usable action: say what else is missing, and deny.
        let mut env = Env::new(policy, record, actor_roles, 0, false);
        let label = record.action_text.as_deref().unwrap_or("a request");
        check_required(&mut env, &policy.always_required, label, &mut out.errors);
        return;
    };
    let Some(plan) = policy.plans.get(usize::from(action)) else {
        return;
    };
    let action_name = policy
        .actions
        .get(usize::from(action))
        .map_or("", |a| a.name.as_str());
    let (lets, facts) = (std::mem::take(buffers.0), std::mem::take(buffers.1));
    let mut env = Env::with_buffers(
        policy,
        record,
        actor_roles,
        action,
        options.explain,
        lets,
        facts,
    );
    check_required(&mut env, &plan.requirements, action_name, &mut out.errors);

    let side = schema.side.map(|s| record.get(s).clone());
    let (mut rejected, mut forbids, mut permits) = (
        std::mem::take(&mut scratch.rejected),
        std::mem::take(&mut scratch.forbids),
        std::mem::take(&mut scratch.permits),
    );
    rejected.clear();
    forbids.clear();
    permits.clear();
    for (list, effect) in [(&plan.rejects, 0), (&plan.forbids, 1), (&plan.permits, 2)] {
        for &index in list {
            let Some(rule) = policy.rules.get(usize::from(index)) else {
                continue;
            };
            if options.coverage
                && rule
                    .audience
                    .as_ref()
                    .is_none_or(|a| audience_matches(&env, a, side.as_ref()))
            {
                out.reached.push(index);
            }
            match applies(&mut env, rule, side.as_ref(), &mut out.explanation) {
                Ok(true) => match effect {
                    0 => rejected.push(index),
                    1 => forbids.push(index),
                    _ => permits.push(index),
                },
                Ok(false) => {}
                Err(e) => out.errors.push(RequestError::Evaluation {
                    message: format!("rule {}: {e}", rule.id),
                }),
            }
        }
    }
    // Facts that do not depend on the decision; they may feed messages.
    let errors_before_facts = !out.errors.is_empty() || !rejected.is_empty();
    let mut fact_errors = std::mem::take(&mut scratch.fact_errors);
    compute_facts(
        &mut env,
        &plan.facts,
        false,
        errors_before_facts,
        &mut fact_errors,
    );
    for rule in rejected
        .iter()
        .filter_map(|&i| policy.rules.get(usize::from(i)))
    {
        let mut message = String::new();
        render_template(&mut env, &rule.message, &mut message);
        out.errors.push(RequestError::Rejected {
            rule: rule.id.clone(),
            message,
        });
    }
    out.errors.append(&mut fact_errors);
    let allow = out.errors.is_empty() && forbids.is_empty() && !permits.is_empty();
    env.allowed = Some(allow);
    compute_facts(&mut env, &plan.facts, true, !allow, &mut fact_errors);
    let allow = allow && fact_errors.is_empty();
    out.errors.append(&mut fact_errors);
    out.allow = allow;

    let (deciding, effect) = if allow {
        (&permits, Effect::Permit)
    } else {
        (&forbids, Effect::Forbid)
    };
    for rule in deciding
        .iter()
        .filter_map(|&i| policy.rules.get(usize::from(i)))
    {
        let mut message = scratch.string();
        render_template(&mut env, &rule.message, &mut message);
        let mut id = scratch.string();
        id.push_str(&rule.id);
        out.reasons.push(Reason {
            rule: id,
            effect,
            message,
        });
    }
    if !allow && forbids.is_empty() && out.errors.is_empty() {
        let mut message = scratch.string();
        render_template(&mut env, &policy.default_deny, &mut message);
        let mut id = scratch.string();
        id.push_str("default-deny");
        out.reasons.push(Reason {
            rule: id,
            effect: Effect::Deny,
            message,
        });
    }
    for &i in &plan.facts {
        let Some(fact) = policy.facts.get(usize::from(i)) else {
            continue;
        };
        let Some(Some(value)) = env.facts.get(usize::from(i)) else {
            continue;
        };
        let Some(name) = policy.fact_names.get(usize::from(fact.name)) else {
            continue;
        };
        let mut fact_name = scratch.string();
        fact_name.push_str(name);
        let value = fact_value(policy, value, scratch);
        out.facts.push((fact_name, value));
    }
    if options.explain {
        out.explanation.push(format!(
            "decision: {} ({} forbid, {} permit, {} error)",
            if allow { "allow" } else { "deny" },
            forbids.len(),
            permits.len(),
            out.errors.len()
        ));
    }
    (*buffers.0, *buffers.1) = env.into_buffers();
    scratch.rejected = rejected;
    scratch.forbids = forbids;
    scratch.permits = permits;
    scratch.fact_errors = fact_errors;
}

/// Empties a vector and reuses its allocation for elements of another lifetime (the
/// standard library collects an emptied `vec::IntoIter` in place when the layouts
/// agree, as they do between `Value<'a>` and `Value<'b>`).
fn recycle<T, U>(mut v: Vec<T>, fill: impl FnMut(T) -> U) -> Vec<U> {
    v.clear();
    v.into_iter().map(fill).collect()
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
            .take(64)
            .filter(|(_, r)| r.side == side)
            .fold(0, |m, (bit, _)| m | (1u64 << bit)),
        None => u64::MAX,
    };
    let mut mask = 0u64;
    let mut unknown = false;
    for (candidate, name) in &record.role_candidates {
        let own = candidate & side_mask;
        if own != 0 {
            mask |= own;
            continue;
        }
        unknown = true;
        let role = decode::truncate(name);
        let other_side = policy
            .roles
            .iter()
            .find(|r| r.name == role)
            .and_then(|r| policy.sides.get(usize::from(r.side)).cloned());
        record.errors.push(RequestError::UnknownRole {
            role,
            side: side.and_then(|s| policy.sides.get(usize::from(s)).cloned()),
            other_side,
        });
    }
    record.role_candidates.clear();
    if unknown {
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

fn audience_matches(env: &Env<'_, '_>, audience: &Audience, side: Option<&Value<'_>>) -> bool {
    let side_ok = match side {
        Some(Value::Side(s)) => audience.any_of_sides & (1 << s) != 0,
        _ => false,
    };
    side_ok || audience.roles & env.actor_roles != 0
}

fn applies<'v>(
    env: &mut Env<'_, 'v>,
    rule: &'v CompiledRule,
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
                    rule.effect.as_str(),
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
            rule.effect.as_str()
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
            rule.effect.as_str()
        ));
        if let Some(trace) = env.trace.as_mut() {
            explanation.extend(trace.drain(..).map(|t| format!("  {t}")));
        }
    }
    Ok(holds)
}

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
        }
    }
    env.trace = trace;
}

fn fact_value(policy: &CompiledPolicy, v: &Value<'_>, scratch: &mut Scratch) -> FactValue {
    match v {
        Value::Bool(b) => FactValue::Bool(*b),
        Value::Number(n) => FactValue::Number(*n),
        Value::Money(m) => {
            let mut text = scratch.string();
            crate::value::write_money(&mut text, *m);
            FactValue::Text(text)
        }
        Value::Roles(mask) => FactValue::List(
            role_names(policy, *mask)
                .map(|name| {
                    let mut text = scratch.string();
                    text.push_str(name);
                    text
                })
                .collect(),
        ),
        other => {
            let mut text = scratch.string();
            render_into(&mut text, policy, other);
            FactValue::Text(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::request::RequestError;

    /// Decides a YAML request with a policy whose rule divides by `d` and whose facts
    /// divide by `m` = `n - 2` and multiply `n` by itself.
    fn decide(request: &str) -> crate::Decision {
        let text = "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  n \"n\" is a number\n  d \"d\" is a number\n}\nrule halves\n  permit go\n  when n / d > 1\n  because \"n is large\"\nfact square for go = n * n\nlet m = n - 2\nfact share for go = 100 / m\n";
        let mut sources = crate::source::SourceMap::new();
        sources.add(crate::source::SourceFile::new("t.policy", text));
        let policy = crate::load::load(sources).map_err(|e| e.render()).unwrap();
        let now = crate::value::parse_time("2026-11-25T12:00:00Z").unwrap();
        crate::Policy::from_compiled(policy).decide_yaml(request, now)
    }

    #[test]
    fn a_rule_or_fact_that_cannot_be_computed_is_an_error_naming_it() {
        let d = decide("action: go\nn: 3\nd: 0\n");
        assert!(!d.allow);
        let messages: Vec<(&str, String)> =
            d.errors.iter().map(|e| (e.code(), e.to_string())).collect();
        assert_eq!(
            messages,
            [(
                "evaluation-error",
                "rule halves: division by zero in `n / d`".to_string()
            )],
            "a fact is quiet once the request has an error"
        );
        let d = decide("action: go\nn: 2\nd: 1\n");
        assert!(!d.allow);
        let messages: Vec<(&str, String)> =
            d.errors.iter().map(|e| (e.code(), e.to_string())).collect();
        assert_eq!(
            messages,
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
}
