//! The requests of one action, cut into classes the way the exhaustive `diff` cuts
//! them ([`crate::diff::exhaustive`]'s atoms and dimensions), for one policy: its
//! requirements and rejects say whether a request is *valid*, its forbids and permits
//! whether a valid request is allowed. A depth-first search assigns the dimensions one
//! by one and stops as soon as both are known; each leaf stands for a whole box of
//! requests, and its witness is decided by the real evaluator, which must agree with
//! the prediction (else the matrix is incomplete).

use chrono::{DateTime, Utc};

use crate::diff::exhaustive::atoms::{Atom, Formula, Table};
use crate::diff::exhaustive::dims::{self, Candidate, Dim};
use crate::diff::exhaustive::{space, walk};
use crate::limits::DIFF_ROLE_BITS;
use crate::policy::{CompiledPolicy, Effect};
use crate::Policy;

/// One action's formulas and the dimensions of its requests, but the actor's.
pub(super) struct Space {
    /// The atoms (shared by all the formulas).
    pub table: Table,
    /// Every requirement met and no reject applies.
    pub valid: Formula,
    /// No forbid applies and some permit does.
    pub allow: Formula,
    /// Each forbid and permit: its id, its effect and when it applies.
    pub rules: Vec<(String, Effect, Formula)>,
    /// The dimensions after the actor: fields, GUIDs, the times.
    pub dims: Vec<Dim>,
    /// The atoms read by the actor's dimension.
    pub actor_atoms: Vec<usize>,
    /// Atoms whose truth is the same for every request searched: those on fields left
    /// out (false: those fields are missing), and the action given (true: every
    /// request searched names the action).
    pub fixed: Vec<Option<bool>>,
    /// Why the classes may not be exact.
    pub incomplete: Vec<String>,
}

/// What the evaluator made of a leaf's witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// An error (a missing field, a reject, an evaluation error): not a valid request.
    Invalid,
    /// Valid and allowed.
    Allow,
    /// Valid and denied.
    Deny,
}

/// A box of requests: one candidate per assigned dimension (`None`: any candidate).
#[derive(Debug, Clone)]
pub(super) struct Leaf {
    /// The candidate of each dimension (the actor's first).
    pub chosen: Vec<Option<usize>>,
    /// What the evaluator decided for the witness.
    pub outcome: Outcome,
    /// The rules that decide it by the analysis: the forbids that apply to the whole
    /// box, or the permits when it is allowed, or the default deny.
    pub rules: Vec<(String, Effect)>,
    /// A request of the box, as JSON.
    pub witness: String,
    /// Whether the witness is a valid request (a box of denials may hold invalid ones).
    pub valid: bool,
}

/// One policy's requirements and rules for one action, as formulas.
pub(super) fn space(policy: &CompiledPolicy, action: usize, name: &str, now: i128) -> Space {
    let mut table = Table::default();
    let space::Formulas {
        validity,
        forbids,
        permits,
    } = space::read(policy, action, name, None, &mut table);
    let ids = |list: &[u16]| -> Vec<(String, Effect)> {
        list.iter()
            .filter_map(|i| policy.rules.get(usize::from(*i)))
            .map(|r| (r.id.clone(), r.effect))
            .collect()
    };
    let rules: Vec<(String, Effect, Formula)> = policy
        .plans
        .get(action)
        .map(|plan| {
            ids(&plan.forbids)
                .into_iter()
                .zip(forbids.iter().cloned())
                .chain(ids(&plan.permits).into_iter().zip(permits.iter().cloned()))
                .map(|((id, effect), f)| (id, effect, f))
                .collect()
        })
        .unwrap_or_default();
    let valid = Formula::Not(Box::new(Formula::Any(validity.clone())));
    let allow = Formula::All(vec![
        Formula::Not(Box::new(Formula::Any(forbids.clone()))),
        Formula::Any(permits.clone()),
    ]);
    let mut incomplete = std::mem::take(&mut table.opaque);
    if !policy.schema.currencies.is_empty() {
        incomplete.push("money in a currency (`is money in FIELD`): requests in other currencies than a limit's are not enumerated".to_string());
    }
    let mut elsewhere: Vec<usize> = Vec::new();
    for f in forbids.iter().chain(&permits) {
        f.atoms(&mut elsewhere);
    }
    // A field that no forbid or permit reads, and whose absence never makes a request
    // invalid (every requirement and reject reading it is off when it is missing), is
    // left out: a valid request with it is decided like the same request without it,
    // which is valid too.
    let denies: Vec<&Formula> = validity.iter().collect();
    let reads = space::Reads {
        decided: &[&valid, &allow],
        elsewhere: &elsewhere,
        off_when_missing: &denies,
    };
    let cut = space::cut(policy, &table, &reads, now);
    let fixed: Vec<Option<bool>> = table
        .atoms
        .iter()
        .map(|a| match a {
            Atom::Present(f) if *f == policy.schema.action => Some(true),
            a if cut.is_dropped(a) => Some(false),
            _ => None,
        })
        .collect();
    for why in &cut.unread {
        incomplete.push(format!("`{name}` was not analysed: {}", why.why()));
    }
    // The times first: a region with times out of order is invalid whatever the
    // fields, so the search cuts it at once.
    let mut dims: Vec<Dim> = cut.time.into_iter().chain(cut.guids).collect();
    let mut singles: Vec<Dim> = cut
        .singles
        .into_iter()
        .map(|(f, d)| pin(d, f, &elsewhere, &validity, &table))
        .collect();
    singles.sort_by_key(|d| d.candidates.len());
    dims.append(&mut singles);
    Space {
        table,
        valid,
        allow,
        rules,
        dims,
        actor_atoms: cut.actor_atoms,
        fixed,
        incomplete,
    }
}

/// A field that no forbid or permit reads, with a candidate under which every
/// requirement and reject reading it is off (a required field given), is pinned to
/// that candidate: a valid request is decided like the same request with the field
/// set so, which is valid too. Else the dimension is kept whole.
fn pin(mut dim: Dim, f: u16, elsewhere: &[usize], validity: &[Formula], table: &Table) -> Dim {
    let mentions = |i: usize| table.atoms.get(i).is_some_and(|a| a.fields().contains(&f));
    if elsewhere.iter().any(|i| mentions(*i))
        || table.splitters.iter().any(|s| s.fields().any(|g| g == f))
    {
        return dim;
    }
    let reading: Vec<&Formula> = validity
        .iter()
        .filter(|d| {
            let mut read = Vec::new();
            d.atoms(&mut read);
            read.into_iter().any(mentions)
        })
        .collect();
    let off = |c: &Candidate| {
        reading.iter().all(|d| {
            d.kleene(&|i| c.truths.iter().find(|(a, _)| *a == i).map(|(_, t)| *t)) == Some(false)
        })
    };
    if let Some(keep) = dim.candidates.iter().position(off) {
        let c = dim.candidates.swap_remove(keep);
        dim.candidates = vec![c];
    }
    dim
}

/// The actor's dimension for one row: the actor on `side` holding `role` (a role bit,
/// or none for the row of an actor with no role), with each set of the other roles of
/// that side that the action's audiences and role tests name. Also gives the roles
/// each candidate holds, and the other roles that matter (their bits).
pub(super) fn actor(
    policy: &CompiledPolicy,
    space: &Space,
    side: u8,
    role: Option<usize>,
) -> Option<(Dim, Vec<u64>, Vec<usize>)> {
    let side_slot = policy.schema.side?;
    let roles_slot = policy.schema.roles;
    let atoms = space::indexed(&space.table, &space.actor_atoms);
    let relevant = dims::named_roles(&atoms);
    let own = role.map_or(0, |b| 1u64 << b);
    let others: Vec<usize> = match role {
        // The row of an actor with no role holds no role at all.
        None => Vec::new(),
        Some(r) => (0..policy.roles.len())
            .filter(|&b| {
                b != r
                    && policy.roles.get(b).is_some_and(|x| x.side == side)
                    && relevant & (1u64 << b) != 0
            })
            .collect(),
    };
    if others.len() > DIFF_ROLE_BITS {
        return None;
    }
    let mut side_json = String::new();
    crate::json::write_str(&mut side_json, policy.sides.get(usize::from(side))?);
    let mut candidates = Vec::new();
    let mut held_of = Vec::new();
    for subset in 0u64..(1u64 << others.len()) {
        let mut held = own;
        for (k, b) in others.iter().enumerate() {
            if subset & (1 << k) != 0 {
                held |= 1u64 << b;
            }
        }
        let names: Vec<&str> = (0..policy.roles.len())
            .filter(|b| held & (1u64 << b) != 0)
            .filter_map(|b| policy.roles.get(b).map(|r| r.name.as_str()))
            .collect();
        let values = dims::actor_values(side_slot, roles_slot, &side_json, &names);
        let truths = dims::actor_truths(policy, &atoms, Some(side), Some(held));
        let label = super::words::roles_label(policy, held & !own, &others);
        candidates.push(Candidate {
            facets: vec![label.clone()],
            label,
            values,
            truths,
            signs: Vec::new(),
            given: Vec::new(),
        });
        held_of.push(held);
    }
    let dim = Dim {
        name: "the actor".to_string(),
        candidates,
        splits: Vec::new(),
        fields: Vec::new(),
    };
    Some((dim, held_of, others))
}

/// The search of one cell.
pub(super) struct Search<'a> {
    /// The policy deciding the witnesses.
    pub policy: &'a Policy,
    /// The action's space.
    pub space: &'a Space,
    /// The actor's dimension, then the space's.
    pub dims: Vec<&'a Dim>,
    /// The action's name (for the witnesses and the reasons).
    pub action: &'a str,
    /// Stands in for a missing `at`.
    pub now: DateTime<Utc>,
    /// The boxes found.
    pub leaves: Vec<Leaf>,
    /// Why the cell may not be exact.
    pub incomplete: Vec<String>,
}

impl Search<'_> {
    /// A node of the walk ([`walk::walk`]) is a leaf, recorded here, once its box is
    /// known to hold no allowed request, or whether it is valid and allowed is known.
    pub fn visit(&mut self, chosen: &[Option<usize>], d: usize) -> bool {
        let valid = self.space.valid.kleene(&|i| self.truth(chosen, i));
        let allow = self.space.allow.kleene(&|i| self.truth(chosen, i));
        // Not allowed, valid or not: the box holds no allowed request, and the valid
        // ones it holds are denied.
        let known =
            valid == Some(false) || allow == Some(false) || valid.is_some() && allow.is_some();
        if known || d >= self.dims.len() {
            self.leaf(chosen, valid, allow);
            return true;
        }
        false
    }

    fn truth(&self, chosen: &[Option<usize>], atom: usize) -> Option<bool> {
        if let Some(t) = self.space.fixed.get(atom).copied().flatten() {
            return Some(t);
        }
        for (d, dim) in self.dims.iter().enumerate() {
            let Some(c) = chosen.get(d).copied().flatten() else {
                continue;
            };
            if let Some((_, t)) = dim
                .candidates
                .get(c)
                .and_then(|cand| cand.truths.iter().find(|(i, _)| *i == atom))
            {
                return Some(*t);
            }
        }
        None
    }

    fn leaf(&mut self, chosen: &[Option<usize>], valid: Option<bool>, allow: Option<bool>) {
        let witness = self.witness(chosen);
        let decision = self.policy.decide_json(&witness, self.now);
        let failed = walk::evaluation_errors(&decision);
        let outcome = if allow == Some(false) && valid != Some(false) && !decision.allow {
            // Denied whatever the rest of the box: a box of denials (its witness may
            // happen to be invalid).
            Outcome::Deny
        } else if !decision.errors.is_empty() {
            Outcome::Invalid
        } else if decision.allow {
            Outcome::Allow
        } else {
            Outcome::Deny
        };
        let predicted = match (valid, allow) {
            (Some(false), _) => Some(Outcome::Invalid),
            (None, Some(false)) => Some(Outcome::Deny),
            (Some(true), Some(true)) => Some(Outcome::Allow),
            (Some(true), Some(false)) => Some(Outcome::Deny),
            _ => None,
        };
        if failed.is_empty() {
            if predicted.is_some_and(|p| p != outcome) {
                self.incomplete.push(format!(
                    "`{}`: the analysis predicted {} but eval decides {} for {witness}",
                    self.action,
                    outcome_word(predicted),
                    outcome_word(Some(outcome))
                ));
            } else if predicted.is_none() {
                self.note(format!("`{}`: a class of requests could not be predicted (its decision is known only for the request {witness})", self.action));
            }
        } else if predicted != Some(Outcome::Invalid) && allow != Some(false) {
            // A time out of range is decided by the time regions (the sums of times
            // and durations are splits), so a whole box fails alike; any other failure
            // may hide a decision in the rest of the box.
            let full = chosen.iter().all(Option::is_some);
            let uniform = full && failed.iter().all(|c| *c == "time-out-of-range");
            if !uniform {
                self.note(format!(
                    "`{}`: a request gets an evaluation error ({}) that may hide the decision of other requests like it: {witness}",
                    self.action,
                    failed.join(", ")
                ));
            }
        }
        let rules = self.rules(chosen, outcome);
        self.leaves.push(Leaf {
            chosen: chosen.to_vec(),
            outcome,
            rules,
            witness,
            valid: decision.errors.is_empty(),
        });
    }

    /// The rules deciding a box: for an allowed one, the permits that apply to all of
    /// it; for a denied one, the forbids that do, or the default deny.
    fn rules(&self, chosen: &[Option<usize>], outcome: Outcome) -> Vec<(String, Effect)> {
        let applies = |effect: Effect| -> Vec<(String, Effect)> {
            self.space
                .rules
                .iter()
                .filter(|(_, e, f)| {
                    *e == effect && f.kleene(&|i| self.truth(chosen, i)) == Some(true)
                })
                .map(|(id, e, _)| (id.clone(), *e))
                .collect()
        };
        match outcome {
            Outcome::Invalid => Vec::new(),
            Outcome::Allow => applies(Effect::Permit),
            Outcome::Deny => {
                let forbids = applies(Effect::Forbid);
                if forbids.is_empty() {
                    vec![("default-deny".to_string(), Effect::Deny)]
                } else {
                    forbids
                }
            }
        }
    }

    /// A valid request inside a box (the box's own witness may be invalid), found by
    /// assigning the dimensions it leaves open, within `budget` nodes.
    pub fn valid_in(&self, chosen: &mut Vec<Option<usize>>, budget: &mut usize) -> Option<String> {
        *budget = budget.checked_sub(1)?;
        let valid = self.space.valid.kleene(&|i| self.truth(chosen, i));
        if valid == Some(false) {
            return None;
        }
        let open = chosen.iter().position(Option::is_none);
        if valid == Some(true) || open.is_none() {
            let witness = self.witness(chosen);
            let d = self.policy.decide_json(&witness, self.now);
            return d.errors.is_empty().then_some(witness);
        }
        let d = open?;
        let count = self.dims.get(d).map_or(0, |x| x.candidates.len());
        for c in 0..count {
            if let Some(slot) = chosen.get_mut(d) {
                *slot = Some(c);
            }
            if let Some(w) = self.valid_in(chosen, budget) {
                return Some(w);
            }
        }
        if let Some(slot) = chosen.get_mut(d) {
            *slot = None;
        }
        None
    }

    fn note(&mut self, why: String) {
        if !self.incomplete.contains(&why) {
            self.incomplete.push(why);
        }
    }

    /// The request of an assignment, as one JSON object.
    fn witness(&self, chosen: &[Option<usize>]) -> String {
        let mut action = String::new();
        crate::json::write_str(&mut action, self.action);
        let schema = &self.policy.compiled().schema;
        walk::witness(
            schema,
            self.dims.iter().copied(),
            chosen,
            &[(schema.action, action)],
        )
    }
}

fn outcome_word(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Allow) => "allow",
        Some(Outcome::Deny) => "deny",
        Some(Outcome::Invalid) => "an invalid request",
        None => "nothing",
    }
}
