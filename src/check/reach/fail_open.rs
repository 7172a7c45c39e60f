//! Fail-open rules: a `forbid` or `reject` whose condition is false when a field is
//! missing, for an action that does not require the field. A request escapes the rule
//! by leaving the field out (an embargo on `customer.country is in embargoed` lets a
//! purchase without a country through), so `check` warns (`fail-open`), naming the
//! field, the actions and both fixes: require the field, or write the condition so that
//! it holds when the field is missing (`customer.country is missing or ...`).
//!
//! A rule fails open on a field for an action when some case of its condition (the
//! `or` of `and`s that `reach.rs` reads) can hold for that action, needs the field given
//! (a test on it, on arithmetic or a function of it, or on a `let` that reads it, is
//! false when it is missing), and
//!
//! - the action does not require the field unconditionally, nor under a `when` that
//!   the rest of the case implies (`product.publisher when product.category is
//!   software_plan` covers `product.category is software_plan and product.publisher is
//!   "suse"`);
//! - no other case of the condition holds instead when the field is missing (the case
//!   `customer.country is missing` of `customer.country is missing or ...`).
//!
//! Not linted: permits (a missing value keeps a permit from allowing, which fails
//! closed); the request time and the action (never missing); and rules for `every
//! action`: they apply to requests of every kind, most of which do not carry the field
//! (a purchase has no purchase date), so it cannot be required for all of them; such a
//! rule checks what a request gives (the default policy's times out of order).

use super::sets::{Cons, Set};
use super::{audience_span, strip, Env, Kind, Lit};
use crate::check::code::DiagnosticCode as Code;
use crate::check::{Checker, Diagnostic};
use crate::limits::REACH_LET_DEPTH;
use crate::policy::{ActionPlan, CompiledRule, Effect, Expr, Node, Schema};
use crate::source::Span;
use crate::syntax::ast;

/// What the analysis of one rule reads: its condition's cases, and the checker's lets
/// (as [`Checker::plain_lets`]) and schema.
struct Analysis<'a> {
    cases: &'a [Vec<Lit>],
    env: &'a Env<'a>,
    lets: &'a [Option<Expr>],
    schema: &'a Schema,
}

/// A field whose absence turns a rule off: where it is tested, and for which actions.
struct Finding {
    field: u16,
    test: Option<Span>,
    actions: Vec<String>,
}

impl Checker<'_> {
    /// Warns about a forbid or reject that a request escapes by leaving out a field
    /// that its action does not require (`plans`: the actions' requirements).
    pub(in crate::check) fn fail_open(
        &mut self,
        decl: &ast::RuleDecl,
        rule: &CompiledRule,
        mask: u64,
        schema: &Schema,
        plans: &[ActionPlan],
    ) {
        if rule.effect == Effect::Permit || matches!(decl.actions, ast::ActionSet::Every(_)) {
            return;
        }
        let Some(condition) = &rule.condition else {
            return;
        };
        let findings = self.fail_open_findings(decl, rule, condition, mask, schema, plans);
        if !findings.is_empty() {
            self.report_fail_open(decl, rule, &findings, schema);
        }
    }

    fn fail_open_findings(
        &self,
        decl: &ast::RuleDecl,
        rule: &CompiledRule,
        condition: &Expr,
        mask: u64,
        schema: &Schema,
        plans: &[ActionPlan],
    ) -> Vec<Finding> {
        let env = Env {
            lets: &self.let_values,
            markets: &self.lists,
        };
        let Some(cases) = env.cases(condition, true, 0) else {
            return Vec::new();
        };
        let lets = self.plain_lets();
        let audience = match (&rule.audience, schema.side) {
            (Some(audience), Some(side)) => {
                Some(self.audience_lit(audience, audience_span(decl), side))
            }
            // No actor matches: `never_applies` says so.
            (Some(_), None) => return Vec::new(),
            (None, _) => None,
        };
        let mut fields: Vec<u16> = Vec::new();
        for lit in cases.iter().flatten() {
            for e in subjects(lit) {
                fields_in(e, &lets, 0, &mut fields);
            }
        }
        fields.retain(|f| *f != schema.at && *f != schema.action);
        // A field the condition tests for presence (`link.issued_at is present and ...`):
        // the author said what happens when it is missing.
        let mut tested = Vec::new();
        presence_tested(condition, &lets, 0, &mut tested);
        fields.retain(|f| !tested.contains(f));
        let mut findings: Vec<Finding> = Vec::new();
        for (a, plan) in plans.iter().enumerate() {
            let bit = u32::try_from(a)
                .ok()
                .and_then(|a| 1u64.checked_shl(a))
                .unwrap_or(0);
            if mask & bit == 0 {
                continue;
            }
            let mut scope = vec![self.actions_lit(bit, schema)];
            scope.extend(audience.iter().cloned());
            scope.extend(self.required_everywhere(bit, plans, schema));
            let action = self.action_names(bit).join(", ");
            for &field in &fields {
                if plan
                    .requirements
                    .iter()
                    .any(|r| r.when.is_none() && r.any_of == [field])
                {
                    continue;
                }
                let ask = Analysis {
                    cases: &cases,
                    env: &env,
                    lets: &lets,
                    schema,
                };
                let Some(test) = self.turned_off(&ask, field, &scope, plan) else {
                    continue;
                };
                match findings.iter_mut().find(|f| f.field == field) {
                    Some(f) => f.actions.push(action.clone()),
                    None => findings.push(Finding {
                        field,
                        test,
                        actions: vec![action.clone()],
                    }),
                }
            }
        }
        findings
    }

    /// Where a case of the condition that can hold for the action (`scope`) is turned
    /// off by `field` missing, with nothing to stand in for it; `None` when there is no
    /// such case.
    fn turned_off(
        &self,
        rule: &Analysis<'_>,
        field: u16,
        scope: &[Lit],
        plan: &ActionPlan,
    ) -> Option<Option<Span>> {
        let Analysis {
            cases,
            env,
            lets,
            schema,
        } = *rule;
        let can = |lits: &[Lit]| self.satisfiable(lits, schema, lets);
        for case in cases {
            let Some(first) = case.iter().find(|l| needs_lit(l, field, lets)) else {
                continue;
            };
            let mut can_hold = scope.to_vec();
            can_hold.extend(case.iter().cloned());
            if !can(&can_hold) {
                continue;
            }
            let stands_in = cases.iter().any(|other| {
                !other.iter().any(|l| needs_lit(l, field, lets))
                    && other.iter().all(|l| {
                        holds_without(l, field, lets) || case.iter().any(|k| k.kind == l.kind)
                    })
            });
            if stands_in {
                continue;
            }
            // Required whenever the rest of this case holds?
            let mut without: Vec<Lit> = scope.to_vec();
            without.extend(case.iter().filter(|l| !needs_lit(l, field, lets)).cloned());
            without.push(Lit {
                span: None,
                why: None,
                kind: Kind::Value(
                    strip(&Expr::new(Node::Field(field), Span::default())),
                    Cons {
                        absent_ok: true,
                        set: Set::nothing(),
                    },
                ),
            });
            let required = plan.requirements.iter().any(|r| {
                r.any_of == [field]
                    && r.when.as_ref().is_some_and(|when| {
                        // The requirement's condition does not hold: the cases of `not W`.
                        env.cases(when, false, 0).is_none_or(|not_when| {
                            not_when.iter().all(|n| {
                                let mut lits = without.clone();
                                lits.extend(n.iter().cloned());
                                !can(&lits)
                            })
                        })
                    })
            });
            if !required {
                return Some(first.span);
            }
        }
        None
    }

    /// One warning for the rule, naming every field that turns it off and the actions
    /// that do not require it.
    fn report_fail_open(
        &mut self,
        decl: &ast::RuleDecl,
        rule: &CompiledRule,
        findings: &[Finding],
        schema: &Schema,
    ) {
        let path = |f: &Finding| {
            schema
                .fields
                .get(usize::from(f.field))
                .map(|f| f.path.clone())
                .unwrap_or_default()
        };
        let paths: Vec<String> = findings.iter().map(path).collect();
        let mut actions: Vec<String> = Vec::new();
        for a in findings.iter().flat_map(|f| f.actions.iter()) {
            if !actions.contains(a) {
                actions.push(a.clone());
            }
        }
        let effect = match rule.effect {
            Effect::Reject => "reject",
            _ => "forbid",
        };
        let quoted: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
        let same_actions = findings.iter().all(|f| f.actions == actions);
        let why = if same_actions {
            let verb = if actions.len() == 1 { "does" } else { "do" };
            let them = if paths.len() == 1 { "it" } else { "them" };
            format!(
                "{} is missing, and {} {verb} not require {them}",
                or_list(&quoted),
                actions.join(", ")
            )
        } else {
            let each: Vec<String> = findings
                .iter()
                .zip(quoted.iter())
                .map(|(f, q)| format!("{q} (not required for {})", f.actions.join(", ")))
                .collect();
            format!("{} is missing", or_list(&each))
        };
        let message = format!(
            "{effect} `{}` does not apply when {why}: a request escapes the rule by leaving the field out",
            rule.id
        );
        let first = findings
            .first()
            .and_then(|f| f.test)
            .unwrap_or(decl.id.span);
        let first_path = paths.first().cloned().unwrap_or_default();
        let (fields_word, them) = if paths.len() == 1 {
            ("the field", "it is")
        } else {
            ("the fields", "they are")
        };
        // The requirements to add: actions that miss the same fields share a block.
        let mut blocks: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
        for action in &actions {
            let fields: Vec<&str> = findings
                .iter()
                .zip(paths.iter())
                .filter(|(f, _)| f.actions.contains(action))
                .map(|(_, p)| p.as_str())
                .collect();
            match blocks.iter_mut().find(|(_, f)| *f == fields) {
                Some((names, _)) => names.push(action),
                None => blocks.push((vec![action.as_str()], fields)),
            }
        }
        let requires: Vec<String> = blocks
            .iter()
            .map(|(names, fields)| {
                format!(
                    "`require for {} {{ {} }}`",
                    names.join(", "),
                    fields.join("  ")
                )
            })
            .collect();
        let mut d = Diagnostic::warning(Code::FailOpen, first, message)
            .with_label(format!("false when `{first_path}` is missing"))
            .with_help(format!(
                "require {fields_word} ({}), or make the rule apply when {them} missing (`when {first_path} is missing or ...`)",
                requires.join(", ")
            ));
        for (f, p) in findings.iter().zip(paths.iter()).skip(1) {
            if let Some(span) = f.test {
                if span != first {
                    d = d.with_related(span, format!("false when `{p}` is missing"));
                }
            }
        }
        self.report(d);
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Adds to `out` the fields whose presence `e` tests (`x is present`, `x is missing`),
/// wherever they are in it (through `let`s).
fn presence_tested(e: &Expr, lets: &[Option<Expr>], depth: usize, out: &mut Vec<u16>) {
    let walk = |x: &Expr, out: &mut Vec<u16>| presence_tested(x, lets, depth, out);
    match &e.node {
        Node::Present(a) | Node::Missing(a) => fields_in(a, lets, depth, out),
        Node::Let(i) if depth < REACH_LET_DEPTH => {
            if let Some(value) = lets.get(usize::from(*i)).and_then(Option::as_ref) {
                presence_tested(value, lets, depth + 1, out);
            }
        }
        Node::Not(a) | Node::MarketName(a) | Node::Negate(a) | Node::InList(a, _, _) => {
            walk(a, out)
        }
        Node::And(parts) | Node::Or(parts) | Node::Call(_, parts) => {
            for p in parts {
                walk(p, out);
            }
        }
        Node::Equal(a, b, _)
        | Node::Compare(_, a, b)
        | Node::Contains(a, b, _)
        | Node::Arith(_, a, b) => {
            walk(a, out);
            walk(b, out);
        }
        Node::OneOf(a, options, _) => {
            walk(a, out);
            for o in options {
                walk(o, out);
            }
        }
        Node::Range(a, b, c, _) | Node::If(a, b, c) => {
            walk(a, out);
            walk(b, out);
            walk(c, out);
        }
        _ => {}
    }
}

/// The expressions a constraint reads.
fn subjects(lit: &Lit) -> Vec<&Expr> {
    match &lit.kind {
        Kind::False => Vec::new(),
        Kind::Value(subject, _) => vec![subject],
        Kind::Rel(a, b, _, _) => vec![a, b],
    }
}

/// Whether the constraint can hold only when `field` is given.
fn needs_lit(lit: &Lit, field: u16, lets: &[Option<Expr>]) -> bool {
    match &lit.kind {
        Kind::False => false,
        Kind::Value(subject, cons) => !cons.absent_ok && needs(subject, field, lets, 0),
        Kind::Rel(a, b, absent_ok, _) => {
            !absent_ok && (needs(a, field, lets, 0) || needs(b, field, lets, 0))
        }
    }
}

/// Whether the constraint holds whenever `field` is missing (a test on a value that is
/// then missing, which allows a missing value: `x is missing`, `not (x is y)`).
fn holds_without(lit: &Lit, field: u16, lets: &[Option<Expr>]) -> bool {
    match &lit.kind {
        Kind::False => false,
        Kind::Value(subject, cons) => cons.absent_ok && needs(subject, field, lets, 0),
        Kind::Rel(a, b, absent_ok, _) => {
            *absent_ok && (needs(a, field, lets, 0) || needs(b, field, lets, 0))
        }
    }
}

/// Whether `e` is missing whenever `field` is: the field itself, arithmetic or a
/// function of it, a market's name, a `let` whose value is, or an `if` whose two
/// branches are.
fn needs(e: &Expr, field: u16, lets: &[Option<Expr>], depth: usize) -> bool {
    let needs = |x: &Expr| needs(x, field, lets, depth);
    match &e.node {
        Node::Field(slot) => *slot == field,
        Node::Arith(_, a, b) => needs(a) || needs(b),
        Node::Negate(a) | Node::MarketName(a) => needs(a),
        Node::Call(_, args) => args.iter().any(needs),
        Node::If(_, a, b) => needs(a) && needs(b),
        Node::Let(i) if depth < REACH_LET_DEPTH => lets
            .get(usize::from(*i))
            .and_then(Option::as_ref)
            .is_some_and(|value| self::needs(value, field, lets, depth + 1)),
        _ => false,
    }
}

/// Adds the fields `e` reads (through `let`s) to `out`, each once.
fn fields_in(e: &Expr, lets: &[Option<Expr>], depth: usize, out: &mut Vec<u16>) {
    match &e.node {
        Node::Field(slot) if !out.contains(slot) => out.push(*slot),
        Node::Let(i) if depth < REACH_LET_DEPTH => {
            if let Some(value) = lets.get(usize::from(*i)).and_then(Option::as_ref) {
                fields_in(value, lets, depth + 1, out);
            }
        }
        Node::Arith(_, a, b) => {
            fields_in(a, lets, depth, out);
            fields_in(b, lets, depth, out);
        }
        Node::Negate(a) | Node::MarketName(a) => fields_in(a, lets, depth, out),
        Node::Call(_, args) => {
            for a in args {
                fields_in(a, lets, depth, out);
            }
        }
        Node::If(c, a, b) => {
            for x in [c, a, b] {
                fields_in(x, lets, depth, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::load;
    use crate::source::SourceFile;

    /// The codes of the diagnostics a rule (added to the default policy) gets.
    fn codes(rule: &str) -> Vec<&'static str> {
        let mut sources = load::embedded_sources();
        sources.add(SourceFile::new(
            "t.policy",
            format!("{rule}\n  because \"t\"\n"),
        ));
        let loaded = load::compile(sources);
        loaded.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_rule_that_a_missing_field_turns_off_is_reported() {
        for rule in [
            // `product.edition` is required for no action.
            "rule t forbid purchase when product.edition is \"x\"",
            "rule t forbid purchase, cancel when product.edition is not \"x\"",
            // One case of the `or` needs it.
            "rule t forbid purchase when product.edition is \"x\" or product.category is azure_reservation",
            // A publisher is required for a cancel only for software plans.
            "rule t forbid cancel when product.publisher is \"x\"",
            // Rejects deny too.
            "rule t reject cancel when order.currency is \"EUR\"",
            // Arithmetic and functions on a missing value are missing.
            "rule t forbid purchase when at is after order.purchased_at + 1 day",
            "rule t forbid purchase when whole_days(order.purchased_at, at) > 3",
            // A let is read through.
            "let t_days = whole_days(order.term_end, at)\nrule t forbid cancel when t_days > 3",
            // One of several fields may be the one given.
            "rule t forbid cancel when customer.domain contains \"example\"",
            // Two fields: one warning.
            "rule t forbid purchase when product.edition is \"x\" and order.currency is \"EUR\"",
        ] {
            assert_eq!(codes(rule), ["fail-open"], "{rule}");
        }
    }

    #[test]
    fn a_rule_that_applies_or_is_not_needed_without_the_field_is_not_reported() {
        for rule in [
            // Required for every action of the rule.
            "rule t forbid purchase when product.category is azure_reservation",
            "rule t forbid download when download_link.expired",
            // The rule applies when the field is missing.
            "rule t forbid purchase when product.edition is missing or product.edition is \"x\"",
            "rule t forbid purchase when (product.edition is missing or product.edition is \"x\") and product.category is azure_reservation",
            "rule t forbid purchase unless product.edition is \"x\"",
            "rule t forbid purchase when not (product.edition is \"x\")",
            // Required whenever the rest of the condition holds.
            "rule t forbid cancel when product.category is software_plan and product.publisher is \"x\"",
            // A rule for every action checks what is given (the default policy's rejects).
            "rule t forbid every action when product.edition is \"x\"",
            // Permits fail closed.
            "rule t permit purchase to partner admin_agent when product.edition is \"x\"",
            // The condition says what happens when the field is missing.
            "rule t forbid cancel when link.issued_at is present and link.issued_at is before order.purchased_at",
            // The request time is never missing.
            "let t_yesterday = at - 1 day\nrule t forbid purchase when at is after t_yesterday and product.category is azure_reservation",
        ] {
            assert_eq!(codes(rule), Vec::<&str>::new(), "{rule}");
        }
    }
}
