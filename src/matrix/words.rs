//! One dimension of an alternative in words. The words must hold every candidate the
//! region needs (`need`) and none that would let in a denied request (`bad`); the
//! candidates they hold are returned with them, so that the cover can check them.
//! A field's candidates are named (`product.category is azure_reservation`) or named
//! as excluded (`product.category is not azure_reservation`), whichever is shorter;
//! the actor by the other roles held with the row's (`together with global_admin`,
//! `without billing_admin`, `together with admin_agent or global_admin`); the times by
//! the fewest splits of the exhaustive diff (`at is not after order.purchased_at + 60
//! days`). Where no such words fit, the candidates are listed one by one.

use crate::diff::exhaustive::atoms::{field_path, Atom, Table, Test};
use crate::diff::exhaustive::describe::describe_split;
use crate::diff::exhaustive::dims::{Candidate, Dim};
use crate::policy::expr::Order;
use crate::policy::{CompiledPolicy, FieldKind};
use crate::value::Value;

/// What the words of a cell are made from.
pub(super) struct Said<'a> {
    /// The policy (names of fields, roles and lists).
    pub policy: &'a CompiledPolicy,
    /// The atoms of the action.
    pub table: &'a Table,
    /// The dimensions of the cell (the actor's first).
    pub dims: &'a [&'a Dim],
    /// What each dimension is.
    pub kinds: &'a [Kind],
    /// For each dimension, which candidates a valid request may have.
    pub live: &'a [Vec<bool>],
}

/// What a dimension is, for its words.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    /// The actor of a row: the roles each candidate holds, beside the row's own.
    Actor {
        /// The roles held by each candidate (bits).
        held: Vec<u64>,
        /// The other roles that matter (bit numbers).
        others: Vec<usize>,
    },
    /// The times: splits and fields given.
    Time,
    /// A field, or the GUIDs compared: its candidates by name.
    Plain,
}

/// The words for one dimension, and the candidates they hold.
pub(super) fn literal(
    said: &Said<'_>,
    dim: &Dim,
    kind: &Kind,
    need: &[bool],
    bad: &[bool],
) -> (Vec<bool>, String) {
    let policy = said.policy;
    let found = match kind {
        Kind::Actor { held, others } => actor(policy, held, others, need, bad),
        Kind::Time => time(policy, dim, need, bad),
        Kind::Plain => tests(said, dim, need, bad).or_else(|| plain(dim, need, bad)),
    };
    found.unwrap_or_else(|| listed(dim, need))
}

/// The candidates of a dimension that the region needs.
fn needed<'d>(dim: &'d Dim, need: &'d [bool]) -> impl Iterator<Item = &'d Candidate> + 'd {
    dim.candidates
        .iter()
        .zip(need)
        .filter(|(_, n)| **n)
        .map(|(c, _)| c)
}

/// The labels of the candidates the region needs, without their examples.
fn needed_labels(dim: &Dim, need: &[bool]) -> Vec<String> {
    needed(dim, need).map(|c| clean(&c.label)).collect()
}

/// The candidates the region needs, listed.
fn listed(dim: &Dim, need: &[bool]) -> (Vec<bool>, String) {
    (need.to_vec(), join_or(&needed_labels(dim, need)))
}

fn fits(matched: &[bool], need: &[bool], bad: &[bool]) -> bool {
    matched
        .iter()
        .zip(need)
        .zip(bad)
        .all(|((m, n), b)| (!*n || *m) && !(*m && *b))
}

/// Drops items one at a time, first to last, each for good when what is left still
/// `fits`: a short list that fits (not always the shortest).
fn fewest<T: Clone>(mut items: Vec<T>, fits: impl Fn(&[T]) -> bool) -> Vec<T> {
    let mut i = 0;
    while i < items.len() {
        let mut fewer = items.clone();
        fewer.remove(i);
        if fits(&fewer) {
            items = fewer;
        } else {
            i += 1;
        }
    }
    items
}

/// A field's candidates: named, or named as excluded.
fn plain(dim: &Dim, need: &[bool], bad: &[bool]) -> Option<(Vec<bool>, String)> {
    // Only a candidate that is the field missing and nothing else.
    let missing = format!("{} missing", dim.name);
    let absent: Vec<bool> = dim
        .candidates
        .iter()
        .map(|c| c.values.is_empty() && c.label == missing)
        .collect();
    let named = needed_labels(dim, need);
    let positive = (need.to_vec(), join_or(&named));
    // Excluded: every candidate but the bad ones and the field missing (a test on a
    // missing field is false).
    let excluded: Vec<String> = dim
        .candidates
        .iter()
        .zip(bad)
        .zip(&absent)
        .filter(|((_, b), a)| **b && !**a)
        .map(|((c, _), _)| clean(&c.label))
        .collect();
    let matched: Vec<bool> = bad.iter().zip(&absent).map(|(b, a)| !b && !a).collect();
    if fits(&matched, need, bad) && excluded.len() < named.len() {
        let words = if excluded.is_empty() {
            format!("{} given", dim.name)
        } else {
            negate(&excluded)
        };
        return Some((matched, words));
    }
    Some(positive)
}

/// A field by its tests: the fewest tests of the policy (true or false) that every
/// needed candidate passes alike and that keep out the bad ones.
fn tests(said: &Said<'_>, dim: &Dim, need: &[bool], bad: &[bool]) -> Option<(Vec<bool>, String)> {
    let first = dim.candidates.first()?;
    let atoms: Vec<usize> = first.truths.iter().map(|(i, _)| *i).collect();
    let truth = |c: usize, i: usize| -> Option<bool> {
        dim.candidates
            .get(c)?
            .truths
            .iter()
            .find(|(a, _)| *a == i)
            .map(|(_, t)| *t)
    };
    let needed: Vec<usize> = (0..dim.candidates.len())
        .filter(|c| need.get(*c).copied().unwrap_or(false))
        .collect();
    let mut literals: Vec<(usize, bool)> = Vec::new();
    for i in &atoms {
        let values: Vec<Option<bool>> = needed.iter().map(|c| truth(*c, *i)).collect();
        if let Some(Some(t)) = values.first() {
            if values.iter().all(|v| *v == Some(*t)) {
                literals.push((*i, *t));
            }
        }
    }
    let matched = |lits: &[(usize, bool)]| -> Vec<bool> {
        (0..dim.candidates.len())
            .map(|c| lits.iter().all(|(i, t)| truth(c, *i) == Some(*t)))
            .collect()
    };
    if !fits(&matched(&literals), need, bad) {
        return None;
    }
    let literals = fewest(literals, |l| fits(&matched(l), need, bad));
    let words: Option<Vec<String>> = literals
        .iter()
        .map(|(i, t)| atom_words(said, said.table.atoms.get(*i)?, *t))
        .collect();
    Some((matched(&literals), words?.join(" and ")))
}

/// A test of the policy, held or not, in words.
fn atom_words(said: &Said<'_>, atom: &Atom, held: bool) -> Option<String> {
    let policy = said.policy;
    let path = |f: u16| field_path(&policy.schema, f);
    Some(match atom {
        Atom::Present(f) => format!("{} {}", path(*f)?, if held { "given" } else { "missing" }),
        Atom::Flag(f) => format!("{} is {}", path(*f)?, if held { "yes" } else { "not yes" }),
        Atom::SameGuid(x, y) => format!(
            "{} {} {}",
            path(*x)?,
            if held { "is" } else { "is not" },
            path(*y)?
        ),
        Atom::Test(f, test) => {
            let p = path(*f)?;
            let kind = &policy.schema.fields.get(usize::from(*f))?.kind;
            match test {
                Test::OneOf(values) => {
                    let words: Vec<String> = values.iter().map(|v| value_words(kind, v)).collect();
                    match (held, words.as_slice()) {
                        (true, [one]) => format!("{p} is {one}"),
                        (false, [one]) => format!("{p} is not {one}"),
                        (true, _) => format!("{p} is one of {}", words.join(", ")),
                        (false, _) => format!("{p} is none of {}", words.join(", ")),
                    }
                }
                Test::InSet(i) => {
                    let set = said.table.sets.get(*i)?;
                    let list = policy
                        .market_lists
                        .iter()
                        .find(|l| l.codes == *set)
                        .map(|l| l.name.clone())?;
                    format!("{p} {} {list}", if held { "in" } else { "not in" })
                }
                Test::Order(order, c) => {
                    let order = if held { *order } else { negate_order(*order) };
                    let op = match order {
                        Order::Less => "<",
                        Order::LessOrEqual => "<=",
                        Order::Greater => ">",
                        Order::GreaterOrEqual => ">=",
                        Order::Equal => "=",
                        Order::NotEqual => "is not",
                    };
                    format!("{p} {op} {}", value_words(kind, c))
                }
                Test::Contains(k) => format!(
                    "{p} {} \"{k}\"",
                    if held { "contains" } else { "does not contain" }
                ),
            }
        }
        Atom::Time(..) | Atom::Audience(_) | Atom::Roles(..) => return None,
    })
}

/// The order that holds exactly when `order` does not (both operands given).
fn negate_order(order: Order) -> Order {
    match order {
        Order::Less => Order::GreaterOrEqual,
        Order::LessOrEqual => Order::Greater,
        Order::Greater => Order::LessOrEqual,
        Order::GreaterOrEqual => Order::Less,
        Order::Equal => Order::NotEqual,
        Order::NotEqual => Order::Equal,
    }
}

/// A constant as a condition names it.
fn value_words(kind: &FieldKind, v: &Value<'_>) -> String {
    match v {
        Value::Enum(_, i) => match kind {
            FieldKind::Enum(words) => words.get(usize::from(*i)).cloned().unwrap_or_default(),
            _ => i.to_string(),
        },
        Value::Text(t) => format!("\"{t}\""),
        Value::Number(d) | Value::Money(d, _) => d.normalize().to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Market(m) => m.as_str().to_string(),
        Value::Guid(g) => {
            let mut s = String::new();
            crate::value::write_guid(&mut s, *g);
            s
        }
        other => format!("{other:?}"),
    }
}

/// The actor: the other roles held with the row's.
fn actor(
    policy: &CompiledPolicy,
    held: &[u64],
    others: &[usize],
    need: &[bool],
    bad: &[bool],
) -> Option<(Vec<bool>, String)> {
    let name = |b: usize| {
        policy
            .roles
            .get(b)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    // All of: the roles every needed candidate holds, or lacks.
    let needed: Vec<u64> = held
        .iter()
        .zip(need)
        .filter(|(_, n)| **n)
        .map(|(h, _)| *h)
        .collect();
    let mut with: Vec<usize> = others
        .iter()
        .copied()
        .filter(|b| needed.iter().all(|h| h & (1u64 << b) != 0))
        .collect();
    let mut without: Vec<usize> = others
        .iter()
        .copied()
        .filter(|b| needed.iter().all(|h| h & (1u64 << b) == 0))
        .collect();
    let conj = |with: &[usize], without: &[usize]| -> Vec<bool> {
        held.iter()
            .map(|h| {
                with.iter().all(|b| h & (1u64 << b) != 0)
                    && without.iter().all(|b| h & (1u64 << b) == 0)
            })
            .collect()
    };
    if fits(&conj(&with, &without), need, bad) {
        with = fewest(with, |w| fits(&conj(w, &without), need, bad));
        without = fewest(without, |wo| fits(&conj(&with, wo), need, bad));
        let mut parts = Vec::new();
        if !with.is_empty() {
            let names: Vec<String> = with.iter().map(|b| name(*b)).collect();
            parts.push(format!("together with {}", join_and(&names)));
        }
        if !without.is_empty() {
            let names: Vec<String> = without.iter().map(|b| name(*b)).collect();
            parts.push(if names.len() == 1 {
                format!("without {}", join_and(&names))
            } else {
                format!("without any of {}", join_or_plain(&names))
            });
        }
        return Some((conj(&with, &without), parts.join(" and ")));
    }
    // Any of: some of these roles held beside the row's.
    let any: Vec<usize> = others
        .iter()
        .copied()
        .filter(|b| needed.iter().any(|h| h & (1u64 << b) != 0))
        .collect();
    let disj = |any: &[usize]| -> Vec<bool> {
        held.iter()
            .map(|h| any.iter().any(|b| h & (1u64 << b) != 0))
            .collect()
    };
    if !fits(&disj(&any), need, bad) {
        return None;
    }
    let any = fewest(any, |a| fits(&disj(a), need, bad));
    let names: Vec<String> = any.iter().map(|b| name(*b)).collect();
    Some((
        disj(&any),
        format!("together with {}", join_or_plain(&names)),
    ))
}

/// One constraint on a time region.
#[derive(Debug, Clone, Copy)]
enum TimeTest {
    /// The split's sign is one of these (and its times are given).
    Sign(usize, u8),
    /// The field is missing.
    Missing(u16),
}

/// The times: the fewest splits (and missing fields) that say the region.
fn time(
    policy: &CompiledPolicy,
    dim: &Dim,
    need: &[bool],
    bad: &[bool],
) -> Option<(Vec<bool>, String)> {
    let needed: Vec<&Candidate> = needed(dim, need).collect();
    let mut tests = Vec::new();
    for f in &dim.fields {
        let lacking = needed.iter().all(|c| !c.given.contains(f));
        if lacking && dim.candidates.iter().any(|c| c.given.contains(f)) {
            tests.push(TimeTest::Missing(*f));
        }
    }
    for i in 0..dim.splits.len() {
        let mut held = 0u8;
        let mut all_given = true;
        for c in &needed {
            match c.signs.get(i).copied().flatten() {
                Some(s) => held |= s,
                None => all_given = false,
            }
        }
        if all_given && !needed.is_empty() {
            tests.push(TimeTest::Sign(i, held));
        }
    }
    let matched = |tests: &[TimeTest]| -> Vec<bool> {
        dim.candidates
            .iter()
            .map(|c| {
                tests.iter().all(|t| match t {
                    TimeTest::Missing(f) => !c.given.contains(f),
                    TimeTest::Sign(i, held) => c
                        .signs
                        .get(*i)
                        .copied()
                        .flatten()
                        .is_some_and(|s| s & held != 0),
                })
            })
            .collect()
    };
    if !fits(&matched(&tests), need, bad) {
        return None;
    }
    let tests = fewest(tests, |t| fits(&matched(t), need, bad));
    let words: Vec<String> = tests
        .iter()
        .filter_map(|t| match t {
            TimeTest::Missing(f) => field_path(&policy.schema, *f).map(|p| format!("{p} missing")),
            TimeTest::Sign(i, held) => dim.splits.get(*i).map(|s| describe_split(policy, s, *held)),
        })
        .collect();
    Some((matched(&tests), words.join(" and ")))
}

/// How a row's actor is named by the other roles it holds.
pub(super) fn roles_label(policy: &CompiledPolicy, extra: u64, others: &[usize]) -> String {
    let names: Vec<String> = others
        .iter()
        .filter(|b| extra & (1u64 << *b) != 0)
        .filter_map(|b| policy.roles.get(*b).map(|r| r.name.clone()))
        .collect();
    if names.is_empty() {
        if others.is_empty() {
            "the role alone".to_string()
        } else {
            "with none of the other roles that matter".to_string()
        }
    } else {
        format!("together with {}", join_and(&names))
    }
}

/// A candidate's label without its example (`(such as AX)`).
fn clean(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(i) = rest.find(" (such as ") {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        match after.find(')') {
            Some(j) => rest = after.get(j + 1..).unwrap_or_default(),
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Labels joined with "or", and `P is a or P is b` said `P is a or b`.
fn join_or(labels: &[String]) -> String {
    let parts: Vec<&str> = labels.iter().flat_map(|l| l.split(" or ")).collect();
    match common_subject(&parts) {
        Some((subject, values)) => format!("{subject}{}", join_or_plain(&values)),
        None => join_or_plain(&parts.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
    }
}

/// Excluded labels: `P is not a`, `P is neither a nor b`, `P not in L`, else `not (..)`.
fn negate(labels: &[String]) -> String {
    let parts: Vec<&str> = labels.iter().flat_map(|l| l.split(" or ")).collect();
    if let Some((subject, values)) = common_subject(&parts) {
        let trimmed = subject.trim_end();
        let (front, verb) = trimmed.rsplit_once(' ').unwrap_or(("", trimmed));
        return match (verb, values.len()) {
            ("is", 1) => format!("{front} is not {}", values.join("")),
            ("is", _) => format!("{front} is neither {}", join_nor(&values)),
            ("in", 1) => format!("{front} not in {}", values.join("")),
            ("in", _) => format!("{front} in none of {}", join_and(&values)),
            _ => format!("not ({})", join_or_plain(&values)),
        };
    }
    format!(
        "not ({})",
        join_or_plain(&parts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    )
}

/// `P is ` and the values, when every part is `P is VALUE` (or `P in VALUE`) for one P.
fn common_subject(parts: &[&str]) -> Option<(String, Vec<String>)> {
    let first = parts.first()?;
    for verb in [" is ", " in "] {
        let Some(i) = first.find(verb) else {
            continue;
        };
        let subject = first.get(..i + verb.len())?;
        if subject.contains(" not ") {
            continue;
        }
        let values: Option<Vec<String>> = parts
            .iter()
            .map(|p| {
                p.strip_prefix(subject)
                    .filter(|v| !v.starts_with("not ") && !v.contains(' '))
                    .map(str::to_string)
            })
            .collect();
        if let Some(values) = values {
            return Some((subject.to_string(), values));
        }
    }
    None
}

fn join_with(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

fn join_or_plain(items: &[String]) -> String {
    join_with(items, "or")
}

fn join_and(items: &[String]) -> String {
    join_with(items, "and")
}

fn join_nor(items: &[String]) -> String {
    join_with(items, "nor")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_one_field_are_said_once() {
        let labels = vec![
            "product.category is server_subscription or product.category is software_plan"
                .to_string(),
        ];
        assert_eq!(
            join_or(&labels),
            "product.category is server_subscription or software_plan"
        );
        assert_eq!(
            negate(&["product.category is azure_reservation".to_string()]),
            "product.category is not azure_reservation"
        );
        assert_eq!(
            negate(&[clean(
                "customer.market in azure_reservations_unavailable (such as AX)"
            )]),
            "customer.market not in azure_reservations_unavailable"
        );
        assert_eq!(
            negate(&["a is x".to_string(), "a is y".to_string()]),
            "a is neither x nor y"
        );
    }

    #[test]
    fn fewest_drops_what_is_not_needed_first_to_last() {
        assert_eq!(fewest(vec![1, 2, 3], |l| l.contains(&2)), vec![2]);
        // Either of 1 and 3 would do: the first is dropped, the second kept.
        assert_eq!(
            fewest(vec![1, 2, 3], |l| l.contains(&1) || l.contains(&3)),
            vec![3]
        );
        assert_eq!(fewest(vec![1, 2], |_| false), vec![1, 2]);
    }

    #[test]
    fn examples_are_left_out() {
        assert_eq!(
            clean("customer.market in none of the lists (such as FR)"),
            "customer.market in none of the lists"
        );
    }
}
