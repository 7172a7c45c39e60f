//! The exhaustive comparison: two policies compared over every request the input
//! schema allows, without requests.
//!
//! For each action, the requirements and rules of both policies become formulas over
//! shared atoms ([`atoms`]); the request space is cut into dimensions, each with one
//! candidate per class of values the atoms tell apart ([`dims`], the times by
//! [`times`]). A depth-first search assigns dimensions one by one and evaluates both
//! policies' decisions in three-valued logic; as soon as both are known, the rest of
//! the request cannot matter and one witness stands for the whole subtree. Every
//! witness is decided by the real evaluator under both policies (so each reported
//! witness reproduces by construction), and the search checks that the evaluator
//! agrees with the three-valued prediction. The combinations whose decisions differ are
//! merged into classes by the rules deciding them on each side, and described in words.
//!
//! `complete` is a promise: it is true only when every test of both policies was read
//! into atoms, the vocabularies are the same, no limit was reached, the evaluator
//! agreed with every prediction, and no fact that differs can fail differently.
//! Anything else is named in `incomplete`.

// `atoms`, `describe`, `dims`, `space` and `times` are also read by the permission
// matrix (`crate::matrix`), which partitions one policy's requests the same way.
pub(crate) mod atoms;
pub(crate) mod describe;
pub(crate) mod dims;
mod facts;
pub(crate) mod space;
pub(crate) mod times;
pub(crate) mod walk;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::limits::{DIFF_CANDIDATES, DIFF_CLASSES, DIFF_SEARCH_NODES};
use crate::policy::{CompiledPolicy, FieldKind};
use crate::Policy;
use atoms::{Formula, Table};
use describe::describe;
use dims::Dim;

/// A class of requests whose decision differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// The action.
    pub action: String,
    /// The old decision (true: allow).
    pub old: bool,
    /// The new decision.
    pub new: bool,
    /// The rules (or error codes) deciding it under the old policy.
    pub old_rules: Vec<String>,
    /// Under the new policy.
    pub new_rules: Vec<String>,
    /// A request of the class, as JSON, with its `at`.
    pub witness: String,
    /// The class in words.
    pub description: String,
    /// How many combinations of the search it merges.
    pub combinations: u64,
}

/// What the exhaustive comparison found.
#[derive(Debug, Clone, Default)]
pub struct Exhaustive {
    /// The classes, by action.
    pub classes: Vec<Class>,
    /// Whether no request outside the classes changes decision (a promise).
    pub complete: bool,
    /// Why not, when not.
    pub incomplete: Vec<String>,
}

impl Exhaustive {
    /// One `class` object per line, then the `summary`.
    pub fn write_json(&self, out: &mut String) {
        for c in &self.classes {
            out.push_str("{\"kind\":\"class\",\"action\":");
            crate::json::write_str(out, &c.action);
            let _ = write!(
                out,
                ",\"old\":\"{}\",\"new\":\"{}\",\"old_rules\":",
                verdict(c.old),
                verdict(c.new)
            );
            super::compare::write_list(out, &c.old_rules);
            out.push_str(",\"new_rules\":");
            super::compare::write_list(out, &c.new_rules);
            out.push_str(",\"witness\":");
            out.push_str(&c.witness);
            out.push_str(",\"description\":");
            crate::json::write_str(out, &c.description);
            let _ = writeln!(out, ",\"combinations\":{}}}", c.combinations);
        }
        let _ = write!(
            out,
            "{{\"kind\":\"summary\",\"classes\":{},\"complete\":{},\"incomplete\":",
            self.classes.len(),
            self.complete
        );
        super::compare::write_list(out, &self.incomplete);
        out.push_str("}\n");
    }

    /// The report for people: each class with its description and witness, then
    /// whether the comparison is complete.
    pub fn write_text(&self, out: &mut String) {
        for c in &self.classes {
            let side = |allow: bool, rules: &[String]| {
                let rules = crate::decision::visible(&rules.join(", ")).into_owned();
                if rules.is_empty() {
                    verdict(allow).to_string()
                } else {
                    format!("{} ({rules})", verdict(allow))
                }
            };
            let _ = writeln!(
                out,
                "{}: {} -> {}",
                crate::decision::visible(&c.action),
                side(c.old, &c.old_rules),
                side(c.new, &c.new_rules)
            );
            let _ = writeln!(out, "  {}", crate::decision::visible(&c.description));
            let _ = writeln!(out, "  witness: {}", crate::decision::visible(&c.witness));
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} class(es) of requests change decision; {}",
            self.classes.len(),
            if self.complete {
                "complete: no other request changes decision"
            } else {
                "incomplete:"
            }
        );
        for reason in &self.incomplete {
            let _ = writeln!(out, "  - {}", crate::decision::visible(reason));
        }
    }
}

fn verdict(allow: bool) -> &'static str {
    if allow {
        "allow"
    } else {
        "deny"
    }
}

/// Compares `old` and `new` over every request; `now` stands in for a missing `at`
/// (every witness gives its `at`) and is the base of the witnesses' times.
pub fn compare(old: &Policy, new: &Policy, now: DateTime<Utc>) -> Exhaustive {
    let (o, n) = (old.compiled(), new.compiled());
    let mut result = Exhaustive::default();
    if let Some(why) = vocabulary_differs(o, n) {
        result.incomplete.push(why);
        return result;
    }
    // Amounts in a currency: the search enumerates amounts, not currencies, so the
    // classes where a request's currency differs from a limit's (an evaluation error)
    // would be missed.
    if !o.schema.currencies.is_empty() || !n.schema.currencies.is_empty() {
        result.incomplete.push(
            "money in a currency (`is money in FIELD`): requests in other currencies than a limit's are not enumerated".to_string(),
        );
    }
    for (a, action) in o.actions.iter().enumerate() {
        compare_action(old, new, a, &action.name, now, &mut result);
    }
    if result.classes.len() > DIFF_CLASSES {
        let more = result.classes.len() - DIFF_CLASSES;
        result.classes.truncate(DIFF_CLASSES);
        result.incomplete.push(format!(
            "{more} more classes past the limit of {DIFF_CLASSES} are not shown"
        ));
    }
    result.complete = result.incomplete.is_empty();
    result
}

/// Why the two policies' requests are not the same space (then nothing is compared).
fn vocabulary_differs(o: &CompiledPolicy, n: &CompiledPolicy) -> Option<String> {
    let fields = |p: &CompiledPolicy| -> Vec<(String, FieldKind)> {
        p.schema
            .fields
            .iter()
            .map(|f| (f.path.clone(), f.kind.clone()))
            .collect()
    };
    if fields(o) != fields(n) {
        return Some("the input schemas differ (fields, their order or their types): requests valid under one policy are malformed under the other; compare over requests instead".into());
    }
    let actions =
        |p: &CompiledPolicy| -> Vec<String> { p.actions.iter().map(|a| a.name.clone()).collect() };
    if actions(o) != actions(n) {
        return Some("the declared actions differ: compare over requests instead".into());
    }
    let roles = |p: &CompiledPolicy| -> Vec<(String, u8)> {
        p.roles.iter().map(|r| (r.name.clone(), r.side)).collect()
    };
    if o.sides != n.sides || roles(o) != roles(n) {
        return Some("the declared sides or roles differ: compare over requests instead".into());
    }
    None
}

/// The text keys of the market display names that the two policies read differently.
fn renamed_markets(o: &CompiledPolicy, n: &CompiledPolicy) -> Vec<String> {
    let mut out: Vec<String> = o
        .market_by_name
        .iter()
        .filter(|(k, v)| n.market_by_name.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(
            n.market_by_name
                .keys()
                .filter(|k| !o.market_by_name.contains_key(*k))
                .cloned(),
        )
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One policy's constructs for one action, as formulas.
struct Parts {
    /// Each requirement unmet; each reject, each forbid applies.
    denies: Vec<Formula>,
    /// Each permit applies.
    permits: Vec<Formula>,
}

impl Parts {
    /// The decision: no requirement unmet, no reject, no forbid, some permit.
    fn decision(&self) -> Formula {
        Formula::All(vec![
            Formula::Not(Box::new(Formula::Any(self.denies.clone()))),
            Formula::Any(self.permits.clone()),
        ])
    }
}

/// One policy's requirements and rules for one action, read into `table`.
fn parts(
    policy: &CompiledPolicy,
    action: usize,
    name: &str,
    side: &str,
    table: &mut Table,
) -> Parts {
    let read = space::read(policy, action, name, Some(side), table);
    let mut denies = read.validity;
    denies.extend(read.forbids);
    Parts {
        denies,
        permits: read.permits,
    }
}

/// The search state of one action.
struct Search<'a> {
    old: &'a Policy,
    new: &'a Policy,
    old_formula: &'a Formula,
    new_formula: &'a Formula,
    dims: &'a [Dim],
    /// Atom index → its dimension.
    atom_dim: Vec<Option<usize>>,
    /// Atoms of the fields left out (always false: those fields are missing).
    dropped: Vec<bool>,
    /// How many leading dimensions every leaf assigns (markets written by a display
    /// name that the two policies read differently: their decisions are not predicted).
    forced: usize,
    fields: &'a [(u16, String)],
    action: &'a str,
    now: DateTime<Utc>,
    classes: BTreeMap<(bool, bool, Vec<String>, Vec<String>), Found>,
    incomplete: Vec<String>,
}

/// A class being gathered.
struct Found {
    witness: String,
    cells: Vec<Vec<Option<usize>>>,
}

impl Search<'_> {
    /// A node of the walk ([`walk::walk`]) is a leaf, recorded here, once both decisions
    /// are known (past the forced dimensions).
    fn visit(&mut self, chosen: &[Option<usize>], d: usize) -> bool {
        let old = self.old_formula.kleene(&|i| self.truth(chosen, i));
        let new = self.new_formula.kleene(&|i| self.truth(chosen, i));
        let known = old.is_some() && new.is_some() && d >= self.forced;
        if known || d >= self.dims.len() {
            self.leaf(chosen, old, new);
            return true;
        }
        false
    }

    fn truth(&self, chosen: &[Option<usize>], atom: usize) -> Option<bool> {
        if self.dropped.get(atom).copied().unwrap_or(false) {
            return Some(false);
        }
        let d = (*self.atom_dim.get(atom)?)?;
        let c = (*chosen.get(d)?)?;
        let cand = self.dims.get(d)?.candidates.get(c)?;
        cand.truths
            .iter()
            .find(|(i, _)| *i == atom)
            .map(|(_, t)| *t)
    }

    fn leaf(&mut self, chosen: &[Option<usize>], old: Option<bool>, new: Option<bool>) {
        let witness = self.witness(chosen);
        let old_d = self.old.decide_json(&witness, self.now);
        let new_d = self.new.decide_json(&witness, self.now);
        let failed = walk::evaluation_errors;
        let (old_failed, new_failed) = (failed(&old_d), failed(&new_d));
        if old_failed.is_empty() && new_failed.is_empty() {
            for (predicted, decision, side) in [(old, &old_d, "old"), (new, &new_d, "new")] {
                if predicted.is_some_and(|p| p != decision.allow) {
                    self.incomplete.push(format!(
                        "`{}`: the analysis predicted {} under the {side} policy but eval decides {} for {witness}",
                        self.action,
                        verdict(predicted.unwrap_or(false)),
                        decision.verdict()
                    ));
                }
            }
        } else {
            // A time out of range is decided by the time regions (the sums of times
            // and durations are splits), so a whole combination fails alike; any
            // other failure may hide a change in the rest of the combination.
            let full = chosen.iter().all(Option::is_some);
            let uniform = full
                && old_failed
                    .iter()
                    .chain(&new_failed)
                    .all(|c| *c == "time-out-of-range");
            let both_deny = old == Some(false) && new == Some(false);
            if !uniform && !both_deny && old_d.allow == new_d.allow {
                let why = format!("`{}`: a request gets an evaluation error ({}) that may hide a change in other requests like it: {witness}", self.action, old_failed.iter().chain(&new_failed).copied().collect::<Vec<_>>().join(", "));
                if !self.incomplete.contains(&why) {
                    self.incomplete.push(why);
                }
            }
        }
        if old_d.allow == new_d.allow {
            return;
        }
        let rules = |d: &crate::Decision| -> Vec<String> {
            if d.reasons.is_empty() {
                d.errors.iter().map(|e| e.code().to_string()).collect()
            } else {
                d.reasons.iter().map(|r| r.rule.clone()).collect()
            }
        };
        let key = (old_d.allow, new_d.allow, rules(&old_d), rules(&new_d));
        let found = self.classes.entry(key).or_insert_with(|| Found {
            witness: witness.clone(),
            cells: Vec::new(),
        });
        found.cells.push(chosen.to_vec());
    }

    /// The request of an assignment, as one JSON object.
    fn witness(&self, chosen: &[Option<usize>]) -> String {
        walk::witness(&self.old.compiled().schema, self.dims, chosen, self.fields)
    }
}

fn compare_action(
    old: &Policy,
    new: &Policy,
    a: usize,
    name: &str,
    now: DateTime<Utc>,
    result: &mut Exhaustive,
) {
    let (o, n) = (old.compiled(), new.compiled());
    let mut table = Table::default();
    let old_parts = parts(o, a, name, "old", &mut table);
    let new_parts = parts(n, a, name, "new", &mut table);
    let old_formula = old_parts.decision();
    let new_formula = new_parts.decision();
    // Denies the same in both policies: where one applies, both deny.
    let shared: Vec<&Formula> = old_parts
        .denies
        .iter()
        .filter(|f| new_parts.denies.contains(f))
        .collect();
    let mut elsewhere: Vec<usize> = Vec::new();
    for f in old_parts
        .denies
        .iter()
        .chain(&new_parts.denies)
        .filter(|f| !shared.contains(f))
    {
        f.atoms(&mut elsewhere);
    }
    for f in old_parts.permits.iter().chain(&new_parts.permits) {
        f.atoms(&mut elsewhere);
    }
    result.incomplete.append(&mut table.opaque);
    result.incomplete.extend(facts::differing(o, n, a, name));
    // A field read only by denies the same in both policies, which all stay off when it
    // is missing, is left out: a request that changes decision still changes it without
    // the field (those denies were off), so the search need not vary it.
    let reads = space::Reads {
        decided: &[&old_formula, &new_formula],
        elsewhere: &elsewhere,
        off_when_missing: &shared,
    };
    let base = atoms::nanos(&now).unwrap_or(0);
    let cut = space::cut(o, &table, &reads, base);
    let dropped_atoms: Vec<bool> = table.atoms.iter().map(|a| cut.is_dropped(a)).collect();
    let schema = &o.schema;
    let fail = |why: String, result: &mut Exhaustive| {
        result
            .incomplete
            .push(format!("`{name}` was not compared: {why}"));
    };
    let actor = if cut.actor_atoms.is_empty() {
        None
    } else {
        let actor_atoms = space::indexed(&table, &cut.actor_atoms);
        match dims::actor(o, &actor_atoms, DIFF_CANDIDATES) {
            Some(d) => Some(d),
            None => return fail("the actor has too many classes of roles".into(), result),
        }
    };
    if let Some(first) = cut.unread.first() {
        return fail(first.why(), result);
    }
    let mut singles: Vec<Dim> = cut.singles.into_iter().map(|(_, d)| d).collect();
    singles.sort_by_key(|d| d.candidates.len());
    // Display names the two policies read differently (a market added to or removed
    // from a list with its names): a request may write any market field with one, on
    // any action (an unknown market is an error everywhere).
    let renamed = renamed_markets(o, n);
    let mut forced_dims: Vec<Dim> = Vec::new();
    if !renamed.is_empty() {
        for (slot, field) in schema.fields.iter().enumerate() {
            if field.kind != FieldKind::Market {
                continue;
            }
            let Ok(slot) = u16::try_from(slot) else {
                continue;
            };
            let mut dim = match singles.iter().position(|d| d.name == field.path) {
                Some(i) => singles.remove(i),
                None => dims::plain(&field.path),
            };
            dims::add_names(&mut dim, slot, &field.path, &renamed);
            forced_dims.push(dim);
        }
    }
    let forced = forced_dims.len();
    let mut dims = forced_dims;
    dims.extend(actor);
    dims.extend(singles);
    dims.extend(cut.guids);
    dims.extend(cut.time);
    // Every atom belongs to one dimension.
    let mut atom_dim = vec![None; table.atoms.len()];
    for (d, dim) in dims.iter().enumerate() {
        for c in &dim.candidates {
            for (i, _) in &c.truths {
                if let Some(slot) = atom_dim.get_mut(*i) {
                    *slot = Some(d);
                }
            }
        }
    }
    let mut action_json = String::new();
    crate::json::write_str(&mut action_json, name);
    let fields = vec![(schema.action, action_json)];
    let mut search = Search {
        old,
        new,
        old_formula: &old_formula,
        new_formula: &new_formula,
        dims: &dims,
        atom_dim,
        dropped: dropped_atoms,
        forced,
        fields: &fields,
        action: name,
        now,
        classes: BTreeMap::new(),
        incomplete: Vec::new(),
    };
    let sizes: Vec<usize> = dims.iter().map(|d| d.candidates.len()).collect();
    if !walk::walk(&sizes, &mut |chosen, d| search.visit(chosen, d)) {
        search.incomplete.push(format!(
            "`{name}`: the search stopped at the limit of {DIFF_SEARCH_NODES} combinations"
        ));
    }
    result.incomplete.append(&mut search.incomplete);
    for ((old_allow, new_allow, old_rules, new_rules), found) in search.classes {
        let description = describe(o, name, &dims, &found.cells);
        result.classes.push(Class {
            action: name.to_string(),
            old: old_allow,
            new: new_allow,
            old_rules,
            new_rules,
            witness: found.witness,
            description,
            combinations: found.cells.len() as u64,
        });
    }
}
