//! Rules that can never apply: a condition that contradicts itself (`x is a and x is b`,
//! `x is missing and x is after y`, `at is before t and at is after t`, `n < 5 and
//! n > 10`), that contradicts the rule's audience (a rule for partner actors that needs
//! `actor.kind is customer`) or action (`permit cancel when action is exchange`), or a
//! permit that needs a field missing that its action requires.
//!
//! The analysis is sound and small: it never calls a rule dead that can apply. It reads
//! the compiled condition (with `let`s inlined) as an `or` of `and`s of tests (at most
//! [`crate::limits::REACH_CASES`] cases, else it gives up), turns each test into a constraint on one value
//! (the set of values it allows, and whether it allows the value to be absent) or on
//! the order of two values, and reports the rule when every case has a value that no
//! value, given or absent, satisfies. The semantics follow the evaluator: every test is
//! false on an absent value, negated or not; `not` is plain negation; text compares
//! by its key ([`crate::text`]: `"SUSE"` and `"suse "` are one value). Times are also
//! ordered across tests (`reach/order.rs`: `at is before order.purchased_at and at is
//! after cancellation.end`).
//!
//! `reach/cases.rs` turns a condition into its cases, `reach/sets.rs` holds the value
//! sets and order relations; this file judges the cases against the rule's audience,
//! action and requirements, and words the warning.
//!
//! The same reading finds forbids and rejects that a missing field turns off
//! (`reach/fail_open.rs`, the `fail-open` warning).

mod cases;
mod fail_open;
mod order;
mod sets;

use super::code::DiagnosticCode as Code;
use super::{Checker, Diagnostic};
use crate::policy::{ActionPlan, Audience, CompiledRule, Expr, FieldKind, Node, Schema};
use crate::source::Span;
use crate::syntax::ast;
use crate::value::Value;
pub(super) use cases::same_shape;
use cases::{present, strip, Env, Kind, Lit};
use sets::{flip, Cons, Set, EQ, GT, LT};

/// How a requirement reads in messages (and how they are told apart).
const REQUIRED: &str = "is required for";

/// Why a case can never hold: the constraints that cannot hold together.
#[derive(Debug)]
struct Conflict {
    lits: Vec<Lit>,
}

impl Checker<'_> {
    /// Warns about a rule that can never apply. `plans` gives the requirements of its
    /// actions (a permit cannot allow when a field it needs missing is required).
    pub(super) fn never_applies(
        &mut self,
        decl: &ast::RuleDecl,
        rule: &CompiledRule,
        mask: u64,
        schema: &Schema,
        plans: &[ActionPlan],
    ) {
        let mut fixed: Vec<Lit> = Vec::new();
        if let Some(audience) = &rule.audience {
            let span = audience_span(decl);
            let Some(side_slot) = schema.side else {
                self.report(
                    Diagnostic::warning(
                        Code::NeverApplies,
                        span.unwrap_or(decl.id.span),
                        format!("rule `{}` can never apply: no actor matches an audience, because the input has no field for the actor's side", rule.id),
                    )
                    .with_label("no actor can match this")
                    .with_help("declare `actor.kind is the actor's side` (and `actor.roles is the actor's roles`) in the input, or remove `to ...`"),
                );
                return;
            };
            fixed.push(self.audience_lit(audience, span, side_slot));
        }
        fixed.push(self.actions_lit(mask, schema));
        if rule.effect == crate::policy::Effect::Permit {
            fixed.extend(self.required_everywhere(mask, plans, schema));
        }
        let cases = match &rule.condition {
            None => vec![Vec::new()],
            Some(condition) => {
                let env = Env {
                    lets: &self.let_values,
                    markets: &self.lists,
                };
                match env.cases(condition, true, 0) {
                    Some(cases) => cases,
                    None => return,
                }
            }
        };
        let lets = self.plain_lets();
        let mut conflicts = Vec::new();
        for case in cases {
            let mut lits = fixed.clone();
            lits.extend(case);
            match self.conflict(&lits, schema, &lets) {
                Some(c) => conflicts.push(c),
                None => return,
            }
        }
        let [conflict] = conflicts.as_slice() else {
            let span = match &decl.condition {
                Some(ast::Condition::When(e) | ast::Condition::Unless(e)) => e.span,
                None => decl.id.span,
            };
            self.report(
                Diagnostic::warning(
                    Code::NeverApplies,
                    span,
                    format!("rule `{}` can never apply: none of the cases of its condition can hold", rule.id),
                )
                .with_label("never true")
                .with_help("a rule that can never apply decides nothing: fix the condition, or remove the rule"),
            );
            return;
        };
        self.report_conflict(decl, rule, conflict);
    }

    /// The constraint an audience puts on the actor's side (`span`: where the audience is
    /// written).
    fn audience_lit(&self, audience: &Audience, span: Option<Span>, side_slot: u16) -> Lit {
        let mut sides: Vec<Value<'static>> = Vec::new();
        for (i, _) in self.sides.iter().enumerate() {
            let bit = u8::try_from(i).unwrap_or(u8::MAX);
            let by_side =
                audience.any_of_sides & (1u8.checked_shl(u32::from(bit)).unwrap_or(0)) != 0;
            let held = audience.all_of.iter().fold(audience.roles, |m, g| m | g);
            let by_role = self
                .roles
                .iter()
                .enumerate()
                .any(|(r, role)| role.side == bit && held & (1u64 << r) != 0);
            if by_side || by_role {
                sides.push(Value::Side(bit));
            }
        }
        let names: Vec<&str> = sides
            .iter()
            .filter_map(|v| match v {
                Value::Side(s) => self.sides.get(usize::from(*s)).map(String::as_str),
                _ => None,
            })
            .collect();
        Lit {
            span,
            why: Some(format!(
                "the rule is only for {} actors",
                names.join(" and ")
            )),
            kind: Kind::Value(
                strip(&Expr::new(Node::Field(side_slot), Span::default())),
                Cons {
                    absent_ok: false,
                    set: Set::only(sides),
                },
            ),
        }
    }

    /// The constraint that the request's action is one of `mask`.
    fn actions_lit(&self, mask: u64, schema: &Schema) -> Lit {
        let actions: Vec<Value<'static>> = (0..self.actions.len())
            .filter(|a| mask & (1u64 << a) != 0)
            .filter_map(|a| u16::try_from(a).ok())
            .map(Value::Action)
            .collect();
        Lit {
            span: None,
            why: Some(format!(
                "the rule is only for {}",
                self.action_names(mask).join(", ")
            )),
            kind: Kind::Value(
                strip(&Expr::new(Node::Field(schema.action), Span::default())),
                Cons {
                    absent_ok: false,
                    set: Set::only(actions),
                },
            ),
        }
    }

    fn action_names(&self, mask: u64) -> Vec<String> {
        (0..self.actions.len())
            .filter(|a| mask & (1u64 << a) != 0)
            .filter_map(|a| self.actions.get(a).map(|x| x.name.clone()))
            .collect()
    }

    /// Fields that every action of `mask` requires unconditionally, alone: a permit
    /// cannot allow without them (a missing required field is an error, so a deny).
    fn required_everywhere(&self, mask: u64, plans: &[ActionPlan], schema: &Schema) -> Vec<Lit> {
        let mut common: Option<Vec<u16>> = None;
        for (a, plan) in plans.iter().enumerate() {
            if mask & (1u64 << a) == 0 {
                continue;
            }
            let here: Vec<u16> = plan
                .requirements
                .iter()
                .filter(|r| r.when.is_none())
                .filter_map(|r| match r.any_of.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                })
                .collect();
            common = Some(match common {
                None => here,
                Some(before) => before.into_iter().filter(|s| here.contains(s)).collect(),
            });
        }
        let actions = self.action_names(mask).join(", ");
        common
            .unwrap_or_default()
            .into_iter()
            .filter(|slot| Some(*slot) != schema.side)
            .map(|slot| {
                let path = schema
                    .fields
                    .get(usize::from(slot))
                    .map(|f| f.path.clone())
                    .unwrap_or_default();
                Lit {
                    span: None,
                    why: Some(format!(
                        "`{path}` {REQUIRED} {actions}, and a request without it is denied"
                    )),
                    kind: present(&Expr::new(Node::Field(slot), Span::default())),
                }
            })
            .collect()
    }

    /// The constraints of one case that cannot hold together, if any.
    fn conflict(&self, lits: &[Lit], schema: &Schema, lets: &[Option<Expr>]) -> Option<Conflict> {
        if self.satisfiable(lits, schema, lets) {
            return None;
        }
        for (k, l) in lits.iter().enumerate() {
            if matches!(l.kind, Kind::False) {
                return Some(Conflict {
                    lits: vec![l.clone()],
                });
            }
            if !self.satisfiable(lits.get(..=k).unwrap_or(&[]), schema, lets) {
                // The smallest explanation: this one alone, or with one earlier.
                if !self.satisfiable(std::slice::from_ref(l), schema, lets) {
                    return Some(Conflict {
                        lits: vec![l.clone()],
                    });
                }
                for earlier in lits.get(..k).unwrap_or(&[]) {
                    let pair = [earlier.clone(), l.clone()];
                    if !self.satisfiable(&pair, schema, lets) {
                        return Some(Conflict {
                            lits: pair.to_vec(),
                        });
                    }
                }
                return Some(Conflict {
                    lits: lits.get(..=k).unwrap_or(&[]).to_vec(),
                });
            }
        }
        None
    }

    /// The compiled lets that the order analysis may read through: not one named like
    /// an input field (or `allowed`), whose uses are an error already and whose value is
    /// not what the name is read as elsewhere.
    fn plain_lets(&self) -> Vec<Option<Expr>> {
        self.let_values
            .iter()
            .zip(self.let_decls.iter())
            .map(|(value, decl)| {
                let name = decl.name.text.as_str();
                let hides = name == "allowed"
                    || self
                        .field_index
                        .keys()
                        .any(|path| path.split('.').next() == Some(name));
                if hides {
                    None
                } else {
                    value.clone()
                }
            })
            .collect()
    }

    /// Whether some request satisfies all of `lits` (`lets`: as [`Self::plain_lets`]).
    fn satisfiable(&self, lits: &[Lit], schema: &Schema, lets: &[Option<Expr>]) -> bool {
        let mut values: Vec<(&Expr, Cons)> = Vec::new();
        let mut relations: Vec<(&Expr, &Expr, bool, u8)> = Vec::new();
        for l in lits {
            match &l.kind {
                Kind::False => return false,
                Kind::Value(subject, cons) => {
                    match values.iter_mut().find(|(s, _)| *s == subject) {
                        Some((_, c)) => {
                            c.absent_ok &= cons.absent_ok;
                            c.set = c.set.intersect(&cons.set);
                        }
                        None => values.push((subject, cons.clone())),
                    }
                }
                Kind::Rel(a, b, absent_ok, bits) => {
                    let same_value = if a == b { EQ } else { LT | EQ | GT };
                    let found = relations.iter_mut().find_map(|(x, y, ok, r)| {
                        if *x == a && *y == b {
                            Some((ok, r, *bits))
                        } else if *x == b && *y == a {
                            Some((ok, r, flip(*bits)))
                        } else {
                            None
                        }
                    });
                    match found {
                        Some((ok, r, bits)) => {
                            *ok &= *absent_ok;
                            *r &= bits;
                        }
                        None => relations.push((a, b, *absent_ok, bits & same_value)),
                    }
                }
            }
        }
        let values_ok = values.iter().all(|(subject, cons)| {
            cons.absent_ok || !cons.set.is_empty(self.universe(subject, schema).as_deref())
        });
        let relations_ok = relations.iter().all(|(_, _, ok, bits)| *ok || *bits != 0);
        values_ok && relations_ok && order::consistent(&values, &relations, lets)
    }

    /// Every value a field can take, when it is a closed list.
    fn universe(&self, subject: &Expr, schema: &Schema) -> Option<Vec<Value<'static>>> {
        let Node::Field(slot) = subject.node else {
            return None;
        };
        match &schema.fields.get(usize::from(slot))?.kind {
            FieldKind::Enum(words) => Some(
                (0..words.len())
                    .filter_map(|i| u16::try_from(i).ok())
                    .map(|i| Value::Enum(slot, i))
                    .collect(),
            ),
            FieldKind::Side => Some(
                (0..self.sides.len())
                    .filter_map(|i| u8::try_from(i).ok())
                    .map(Value::Side)
                    .collect(),
            ),
            FieldKind::Action => Some(
                (0..self.actions.len())
                    .filter_map(|i| u16::try_from(i).ok())
                    .map(Value::Action)
                    .collect(),
            ),
            FieldKind::Flag => Some(vec![Value::Bool(true), Value::Bool(false)]),
            _ => None,
        }
    }

    fn report_conflict(&mut self, decl: &ast::RuleDecl, rule: &CompiledRule, conflict: &Conflict) {
        let text = |l: &Lit| match (l.span, &l.why) {
            (_, Some(why)) => why.clone(),
            (Some(span), None) => format!("`{}`", short(self.sources.snippet(span))),
            (None, None) => "the rule".to_string(),
        };
        let help =
            "a rule that can never apply decides nothing: fix the condition, or remove the rule";
        // A permit that needs a required field missing does apply, but only to requests
        // that are denied as incomplete.
        let needs_missing_required = conflict
            .lits
            .iter()
            .any(|l| l.span.is_none() && l.why.as_deref().is_some_and(|w| w.contains(REQUIRED)));
        let verb = if needs_missing_required {
            format!("permit `{}` can never allow anything", rule.id)
        } else {
            format!("rule `{}` can never apply", rule.id)
        };
        let (primary, message, label) = match conflict.lits.as_slice() {
            [only] => (
                only.span.unwrap_or(decl.id.span),
                format!("{verb}: {} never holds", text(only)),
                "never true".to_string(),
            ),
            [first, second] => {
                let (tested, other) = if second.span.is_some() && second.why.is_none() {
                    (second, first)
                } else {
                    (first, second)
                };
                let message = if other.why.is_some() {
                    format!("{verb}: it needs {}, but {}", text(tested), text(other))
                } else {
                    format!(
                        "{verb}: {} and {} cannot both hold",
                        text(other),
                        text(tested)
                    )
                };
                let label = if other.why.is_some() {
                    "never true for this rule".to_string()
                } else {
                    "contradicts the other marked test".to_string()
                };
                (tested.span.unwrap_or(decl.id.span), message, label)
            }
            many => (
                decl.id.span,
                format!(
                    "{verb}: {} cannot all hold",
                    many.iter().map(text).collect::<Vec<_>>().join(", ")
                ),
                "never applies".to_string(),
            ),
        };
        let mut d = Diagnostic::warning(Code::NeverApplies, primary, message)
            .with_label(label)
            .with_help(help);
        for l in &conflict.lits {
            if let Some(span) = l.span {
                if span != primary {
                    let label = if l.why.is_some() {
                        "the audience"
                    } else {
                        "this test"
                    };
                    d = d.with_related(span, label);
                }
            }
        }
        self.report(d);
    }
}

/// The span of a rule's `to ...` list.
fn audience_span(decl: &ast::RuleDecl) -> Option<Span> {
    let groups = decl.audience.as_ref()?;
    let first = groups.first()?.side.span;
    let last = groups
        .last()
        .map(|g| g.roles.last().map_or(g.side.span, |r| r.span))
        .unwrap_or(first);
    Some(first.to(last))
}

/// Source text on one line, shortened for a message.
fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use crate::check::DiagnosticCode as Code;
    use crate::load;
    use crate::source::SourceFile;

    /// The codes of the warnings a rule (added to the default policy) gets, but
    /// `fail-open` (`reach/fail_open.rs` tests it).
    fn warnings(rule: &str) -> Vec<Code> {
        let mut sources = load::embedded_sources();
        sources.add(SourceFile::new(
            "t.policy",
            format!("{rule}\n  because \"t\"\n"),
        ));
        let loaded = load::compile(sources);
        loaded
            .diagnostics
            .iter()
            .map(|d| d.code)
            .filter(|c| *c != Code::FailOpen)
            .collect()
    }

    #[test]
    fn conditions_that_can_hold_are_not_reported() {
        for rule in [
            // `not` is plain negation: it holds on a missing value.
            "rule t forbid cancel when not (order.status is canceled) and order.status is missing",
            "rule t forbid cancel unless order.status is active and order.status is canceled",
            "rule t forbid cancel when order.status is active or order.status is canceled",
            // Text compares by its key.
            "rule t forbid cancel when product.publisher is \"suse\" and product.publisher is \"SUSE\"",
            "rule t forbid cancel when product.publisher is \"ＳＵＳＥ\" and product.publisher is \" su\\u{AD}se\"",
            "rule t forbid cancel when product.publisher is not \"red hat\" and product.publisher is \"redhat\"",
            "rule t forbid cancel when at is after order.term_end and at is after order.purchased_at",
            "rule t forbid download when link.downloads >= 5 and link.downloads <= 5",
            "rule t forbid purchase to customer when actor.kind is customer",
            "rule t forbid cancel when at is within cancellation and at is after cancellation.start",
            // Times in order: each pair can hold together.
            "rule t forbid cancel when at is after order.purchased_at and at is before cancellation.end",
            "rule t forbid cancel when at is before order.purchased_at and at is after order.term_end",
            "rule t forbid download when download_link.expired and at is before link.issued_at + 15 days",
            // `not` holds when a time is missing: no order is known between them.
            "rule t forbid cancel when not (at is after order.term_end) and at is after order.purchased_at",
            "rule t forbid cancel when order.term_end is missing and not (at is before order.term_end) and at is before order.purchased_at",
            // Required only for some categories: the permit can still apply.
            "rule t permit cancel to partner admin_agent when order.term_end is missing",
            "rule t forbid cancel when action is cancel",
            "rule t forbid cancel when not license.software_assurance and license.software_assurance is missing",
        ] {
            assert_eq!(warnings(rule), Vec::<Code>::new(), "{rule}");
        }
    }

    #[test]
    fn conditions_that_cannot_hold_are_reported() {
        for rule in [
            "rule t forbid cancel when order.status is not active and order.status is not canceled",
            "rule t forbid cancel when (order.status is active or order.status is canceled) and order.status is missing",
            "rule t forbid download when link.downloads >= 5 and link.downloads < 5",
            "rule t forbid cancel when license.software_assurance and not license.software_assurance",
            "rule t forbid cancel when at is after at",
            "rule t reject cancel when false",
            "rule t forbid cancel when at is within cancellation and at is after cancellation.end",
            // Times in order (issue 9): a window's end is after its start.
            "rule t forbid cancel when at is before order.purchased_at and at is after cancellation.end",
            "rule t forbid cancel when at is within cancellation and at is before order.purchased_at",
            "rule t forbid cancel when at is before cancellation.start and at is after cancellation.start",
            "rule t forbid download when download_link.expired and at is before link.issued_at + 7 days",
            "rule t forbid download when at is before download_link.expires_at - 15 days and at is after link.issued_at",
            "rule t forbid cancel when at is after order.term_end and order.term_end is after order.purchased_at and at is before order.purchased_at",
            "let t_grace_end = order.purchased_at + 10 days\nrule t forbid cancel when at is after cancellation.end and at is before t_grace_end",
            // Given times keep their order under `not`.
            "rule t forbid cancel when at is after order.purchased_at and not (at is after order.term_end) and order.term_end is before order.purchased_at",
            "rule t forbid cancel when not (at is after order.purchased_at) and at is after cancellation.end",
            "rule t forbid cancel when customer.market is in tax_inclusive_markets and customer.market is \"CN\"",
            "rule t forbid purchase to customer when actor.kind is partner",
            // Text compares by its key (docs/request.md "Comparing text"): one value, four spellings.
            "rule t forbid cancel when product.publisher is \"SUSE\" and product.publisher is not \"suse \"",
            "rule t forbid cancel when product.publisher is \"ＳＵＳＥ\" and product.publisher is not one of \"su\\u{200B}se\", \"x\"",
            "rule t forbid cancel when product.publisher is one of \"Red  Hat\", \"RED\\u{A0}HAT\" and product.publisher is not \" red hat\"",
        ] {
            assert_eq!(warnings(rule), [Code::NeverApplies], "{rule}");
        }
    }

    #[test]
    fn a_forbid_for_other_actors_does_not_shadow_a_permit() {
        assert_eq!(
            warnings("rule t forbid cancel to partner global_admin"),
            Vec::<Code>::new()
        );
        assert_eq!(
            warnings("rule t forbid cancel to partner admin_agent or global_admin"),
            [Code::ShadowedRule]
        );
    }
}
