//! The permission matrix (`csp-policy matrix`): who may do what, roles × actions, from
//! the policy itself.
//!
//! A row is every actor of one side holding one role (whatever other roles it holds),
//! or an actor of one side with no role; a column is an action. Each cell is found
//! with the exhaustive analysis of `diff` ([`crate::diff::exhaustive`]): the action's
//! requirements, rejects, forbids and permits become formulas over atoms, the requests
//! of the row are cut into boxes ([`space`]) and each box's witness is decided by the
//! real evaluator. Over *valid* requests (every required field given, no reject: any
//! other request is denied with its error, whatever the role) a cell is `allow` (every
//! one allowed), `deny` (none) or `conditional`, with the allowed region in words
//! ([`cover`], [`words`]): a few alternatives, each a conjunction of the exhaustive
//! diff's descriptions, said as "allowed when" or, when shorter, "allowed unless". The
//! words are checked against every box, so a conditional cell is exact or says that
//! it is not. `complete` is a promise like `diff`'s: false, with the reasons in
//! `incomplete`, whenever a construct was not read, a limit was reached, the evaluator
//! disagreed with the analysis or a region could not be said exactly.

mod cover;
pub mod render;
mod space;
mod words;

use chrono::{DateTime, Utc};

use crate::policy::{CompiledPolicy, Effect};
use crate::Policy;
use space::{Leaf, Outcome};
use words::Kind;

/// A row: an actor of one side holding one role, or no role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The side (`partner`).
    pub side: String,
    /// The role (`admin_agent`); `None` for an actor of the side with no role.
    pub role: Option<String>,
    /// The role's display name ("Admin agent"), or "(no role)".
    pub label: String,
}

/// An action of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name in requests.
    pub name: String,
    /// Its display name.
    pub label: String,
}

/// What a cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every valid request of the row is allowed.
    Allow,
    /// No valid request of the row is allowed.
    Deny,
    /// Some are: see the cell's conditions.
    Conditional,
}

impl Verdict {
    /// `allow`, `deny` or `conditional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::Conditional => "conditional",
        }
    }
}

/// A rule that decides requests of a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    /// The rule id (`default-deny` when no rule permits).
    pub rule: String,
    /// `permit`, `forbid` or `deny` (the default).
    pub effect: String,
    /// Where it is written (`04-purchase.policy:4`); `None` for the default deny.
    pub at: Option<String>,
}

/// One cell: a row and an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The row's index in [`Matrix::rows`].
    pub row: usize,
    /// The action's index in [`Matrix::actions`].
    pub action: usize,
    /// Allow, deny or conditional.
    pub verdict: Verdict,
    /// For a conditional cell: the alternatives (any one of them), each in words.
    pub conditions: Vec<String>,
    /// Whether the conditions say when the action is denied ("allowed unless") rather
    /// than when it is allowed ("allowed when").
    pub unless: bool,
    /// Whether the cell is exact: every request of the row decided as it says (false:
    /// the analysis could not decide some requests, or could not say the region).
    pub exact: bool,
    /// The rules that allow or deny valid requests of the cell.
    pub rules: Vec<RuleRef>,
    /// A valid request of the cell that is allowed, as JSON, if any.
    pub allowed_example: Option<String>,
    /// A valid request of the cell that is denied, as JSON, if any.
    pub denied_example: Option<String>,
}

/// The permission matrix of a policy.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// The rows, side by side, each side's roles in declaration order and then the
    /// side's actor with no role.
    pub rows: Vec<Row>,
    /// The actions, in declaration order.
    pub actions: Vec<Column>,
    /// One cell per row and action, row by row.
    pub cells: Vec<Cell>,
    /// Whether every cell is exact (a promise).
    pub complete: bool,
    /// Why not, when not.
    pub incomplete: Vec<String>,
    /// The policy's revision.
    pub revision: String,
    /// When the matrix was made (`--now`).
    pub generated: DateTime<Utc>,
}

impl Matrix {
    /// The cell of a row and an action.
    pub fn cell(&self, row: usize, action: usize) -> Option<&Cell> {
        self.cells
            .get(row.checked_mul(self.actions.len())?.checked_add(action)?)
    }

    /// The cell of a side's role (`None`: the row with no role) and an action, by name.
    pub fn find(&self, side: &str, role: Option<&str>, action: &str) -> Option<&Cell> {
        let r = self
            .rows
            .iter()
            .position(|x| x.side == side && x.role.as_deref() == role)?;
        let a = self.actions.iter().position(|x| x.name == action)?;
        self.cell(r, a)
    }
}

/// The permission matrix of `policy`; `now` stands in for a missing `at` (every
/// example gives its `at`), is the base of the examples' times and is the date the
/// matrix says it was made.
pub fn matrix(policy: &Policy, now: DateTime<Utc>) -> Matrix {
    let compiled = policy.compiled();
    let mut m = Matrix {
        rows: rows(compiled),
        actions: compiled
            .actions
            .iter()
            .map(|a| Column {
                name: a.name.clone(),
                label: a.label.clone(),
            })
            .collect(),
        revision: policy.revision().to_string(),
        generated: now,
        ..Matrix::default()
    };
    if compiled.schema.side.is_none() || compiled.schema.roles.is_none() {
        m.incomplete
            .push("the input schema declares no actor's side and roles: there are no rows".into());
    }
    let base = crate::diff::exhaustive::atoms::nanos(&now).unwrap_or(0);
    let mut cells: Vec<Cell> = Vec::new();
    let spaces: Vec<space::Space> = compiled
        .actions
        .iter()
        .enumerate()
        .map(|(a, action)| space::space(compiled, a, &action.name, base))
        .collect();
    for s in &spaces {
        for why in &s.incomplete {
            note(&mut m.incomplete, why.clone());
        }
    }
    for (r, row) in m.rows.iter().enumerate() {
        for (a, (column, space)) in m.actions.iter().zip(&spaces).enumerate() {
            let (cell, why) = cell(policy, space, row, r, a, &column.name, now);
            for w in why {
                note(&mut m.incomplete, w);
            }
            cells.push(cell);
        }
    }
    m.cells = cells;
    m.complete = m.incomplete.is_empty();
    m
}

fn note(list: &mut Vec<String>, why: String) {
    if !list.contains(&why) {
        list.push(why);
    }
}

/// The rows: each side's roles, then the side with no role.
fn rows(policy: &CompiledPolicy) -> Vec<Row> {
    if policy.schema.side.is_none() || policy.schema.roles.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (s, side) in policy.sides.iter().enumerate() {
        for role in policy.roles.iter().filter(|r| usize::from(r.side) == s) {
            out.push(Row {
                side: side.clone(),
                role: Some(role.name.clone()),
                label: role.label.clone(),
            });
        }
        out.push(Row {
            side: side.clone(),
            role: None,
            label: "(no role)".to_string(),
        });
    }
    out
}

/// One cell, and why it may not be exact.
fn cell(
    policy: &Policy,
    space: &space::Space,
    row: &Row,
    r: usize,
    a: usize,
    action: &str,
    now: DateTime<Utc>,
) -> (Cell, Vec<String>) {
    let compiled = policy.compiled();
    let mut why = Vec::new();
    let mut out = Cell {
        row: r,
        action: a,
        verdict: Verdict::Deny,
        conditions: Vec::new(),
        unless: false,
        exact: true,
        rules: Vec::new(),
        allowed_example: None,
        denied_example: None,
    };
    let who = match &row.role {
        Some(role) => format!("a {} {role}", row.side),
        None => format!("a {} with no role", row.side),
    };
    let side = compiled
        .sides
        .iter()
        .position(|s| *s == row.side)
        .and_then(|s| u8::try_from(s).ok());
    let bit = row.role.as_ref().and_then(|name| {
        compiled
            .roles
            .iter()
            .position(|x| x.name == *name && Some(x.side) == side)
    });
    let Some(side) = side else {
        out.exact = false;
        why.push(format!("`{action}` for {who}: the side is not declared"));
        return (out, why);
    };
    let Some((actor, held, others)) = space::actor(compiled, space, side, bit) else {
        out.exact = false;
        why.push(format!(
            "`{action}` for {who}: more than {} other roles matter",
            crate::limits::DIFF_ROLE_BITS
        ));
        return (out, why);
    };
    let mut dims = vec![&actor];
    dims.extend(space.dims.iter());
    let mut search = space::Search {
        policy,
        space,
        dims,
        action,
        now,
        leaves: Vec::new(),
        incomplete: Vec::new(),
    };
    let sizes: Vec<usize> = search.dims.iter().map(|d| d.candidates.len()).collect();
    if !crate::diff::exhaustive::walk::walk(&sizes, &mut |chosen, d| search.visit(chosen, d)) {
        search.incomplete.push(format!(
            "`{action}` for {who}: the search stopped at the limit of {} combinations",
            crate::limits::DIFF_SEARCH_NODES
        ));
        out.exact = false;
    }
    // A cell is exact when every box was predicted by the analysis and the evaluator
    // agreed (a prediction from the audience alone holds whatever the rest reads).
    if !search.incomplete.is_empty() {
        out.exact = false;
    }
    why.append(&mut search.incomplete);
    let leaves = std::mem::take(&mut search.leaves);
    let of = |o: Outcome| -> Vec<&Leaf> { leaves.iter().filter(|l| l.outcome == o).collect() };
    let (on, off) = (of(Outcome::Allow), of(Outcome::Deny));
    out.allowed_example = on.first().map(|l| l.witness.clone());
    out.denied_example = off.iter().find(|l| l.valid).map(|l| l.witness.clone());
    if out.denied_example.is_none() {
        let mut budget = crate::limits::DIFF_SEARCH_NODES;
        out.denied_example = off.iter().find_map(|l| {
            let mut chosen = l.chosen.clone();
            search.valid_in(&mut chosen, &mut budget)
        });
    }
    out.rules = rules(compiled, on.iter().chain(&off).copied());
    out.verdict = match (on.is_empty(), off.is_empty()) {
        (true, _) => Verdict::Deny,
        (false, true) => Verdict::Allow,
        (false, false) => Verdict::Conditional,
    };
    if out.verdict != Verdict::Conditional {
        return (out, why);
    }
    let mut kinds = vec![Kind::Actor { held, others }];
    kinds.extend(space.dims.iter().map(|d| {
        if d.splits.is_empty() && d.fields.is_empty() {
            Kind::Plain
        } else {
            Kind::Time
        }
    }));
    let boxes =
        |list: &[&Leaf]| -> Vec<cover::Boxed> { list.iter().map(|l| l.chosen.clone()).collect() };
    let (on_boxes, off_boxes) = (boxes(&on), boxes(&off));
    let live = live(space, &search);
    let said = words::Said {
        policy: compiled,
        table: &space.table,
        dims: &search.dims,
        kinds: &kinds,
        live: &live,
    };
    let when = cover::cover(&said, &on_boxes, &off_boxes);
    let unless = cover::cover(&said, &off_boxes, &on_boxes);
    // "Allowed unless" only when it takes fewer alternatives.
    let chosen = match (when, unless) {
        (Ok(w), Ok(u)) => {
            if u.len() < w.len() {
                Ok((u, true))
            } else {
                Ok((w, false))
            }
        }
        (Ok(w), Err(_)) => Ok((w, false)),
        (Err(_), Ok(u)) => Ok((u, true)),
        (Err(e), Err(_)) => Err(e),
    };
    match chosen {
        Ok((alts, negated)) => {
            out.unless = negated;
            out.conditions = alts
                .iter()
                .map(|x| {
                    if x.words.is_empty() {
                        "any valid request".to_string()
                    } else {
                        x.words.join(" and ")
                    }
                })
                .collect();
        }
        Err(e) => {
            out.exact = false;
            let said = match e {
                cover::Undescribed::TooMany(n) => format!(
                    "allowed for some requests: {n} alternatives, more than the {} a cell says",
                    crate::limits::MATRIX_ALTERNATIVES
                ),
                cover::Undescribed::Inexact => {
                    "allowed for some requests that cannot be said exactly".to_string()
                }
            };
            why.push(format!("`{action}` for {who}: {said}"));
            out.conditions = vec![said];
        }
    }
    (out, why)
}

/// For each dimension of a search, which candidates a valid request may have: those
/// that alone do not make the request invalid.
fn live(space: &space::Space, search: &space::Search<'_>) -> Vec<Vec<bool>> {
    search
        .dims
        .iter()
        .map(|dim| {
            dim.candidates
                .iter()
                .map(|c| {
                    let truth = |i: usize| {
                        space
                            .fixed
                            .get(i)
                            .copied()
                            .flatten()
                            .or_else(|| c.truths.iter().find(|(a, _)| *a == i).map(|(_, t)| *t))
                    };
                    space.valid.kleene(&truth) != Some(false)
                })
                .collect()
        })
        .collect()
}

/// The rules deciding the leaves, permits first, each once, where written.
fn rules<'a>(policy: &CompiledPolicy, leaves: impl Iterator<Item = &'a Leaf>) -> Vec<RuleRef> {
    let mut found: Vec<(String, Effect)> = Vec::new();
    for leaf in leaves {
        for r in &leaf.rules {
            if !found.contains(r) {
                found.push(r.clone());
            }
        }
    }
    let rank = |e: Effect| match e {
        Effect::Permit => 0,
        Effect::Forbid => 1,
        Effect::Reject => 2,
        Effect::Deny => 3,
    };
    found.sort_by_key(|(_, e)| rank(*e));
    found
        .into_iter()
        .map(|(rule, effect)| {
            let at = policy.rules.iter().find(|x| x.id == rule).map(|x| {
                let loc = policy.sources.location(x.span);
                format!("{}:{}", crate::revision::file_name(&loc.file), loc.line)
            });
            RuleRef {
                rule,
                effect: effect.as_str().to_string(),
                at,
            }
        })
        .collect()
}
