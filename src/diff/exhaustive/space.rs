//! One action's requests as the search sees them, for the exhaustive diff and the
//! permission matrix alike: a policy's requirements, rejects, forbids and permits read
//! into formulas ([`read`]), and the request space cut into dimensions ([`cut`]): the
//! fields the atoms read, less those the caller's formulas let it leave out, each with
//! its candidates; the GUIDs compared with each other; the times. The actor's
//! dimension is the caller's (the diff enumerates every actor, the matrix one row's).

use super::atoms::{self, Atom, Formula, Reader, Table};
use super::dims::{self, Dim};
use crate::limits::DIFF_CANDIDATES;
use crate::policy::{CompiledPolicy, Expr, Node};
use crate::source::Span;

/// One policy's requirements and rules for one action, as formulas (none for an action
/// the policy has no plan for).
#[derive(Default)]
pub(crate) struct Formulas {
    /// Each requirement unmet, then each reject applies: the request is invalid.
    pub validity: Vec<Formula>,
    /// Each forbid applies.
    pub forbids: Vec<Formula>,
    /// Each permit applies.
    pub permits: Vec<Formula>,
}

/// Reads one policy's requirements and rules for action `action` (named `name`) into
/// `table`; `side` (`old`, `new`) is added to the context of what cannot be read.
pub(crate) fn read(
    policy: &CompiledPolicy,
    action: usize,
    name: &str,
    side: Option<&str>,
    table: &mut Table,
) -> Formulas {
    let Some(plan) = policy.plans.get(action) else {
        return Formulas::default();
    };
    let of_side = side.map(|s| format!(" ({s} policy)")).unwrap_or_default();
    let mut reader = Reader {
        policy,
        action,
        table,
        context: String::new(),
    };
    let mut validity = Vec::new();
    for r in policy.always_required.iter().chain(&plan.requirements) {
        reader.context = format!("a requirement of `{name}`{of_side}");
        let mut all = Vec::new();
        if let Some(when) = &r.when {
            all.push(reader.formula(when, 0));
            reader.time_sums(when, 0);
        }
        for f in &r.any_of {
            let present = Expr::new(
                Node::Present(Box::new(Expr::new(Node::Field(*f), Span::default()))),
                Span::default(),
            );
            all.push(Formula::Not(Box::new(reader.formula(&present, 0))));
        }
        validity.push(Formula::All(all));
    }
    let rules = |ids: &[u16], reader: &mut Reader<'_, '_>| -> Vec<Formula> {
        ids.iter()
            .filter_map(|i| policy.rules.get(usize::from(*i)))
            .map(|rule| {
                reader.context = format!("rule `{}`{of_side}", rule.id);
                let mut all = Vec::new();
                if let Some(aud) = &rule.audience {
                    all.push(reader.audience(aud));
                }
                if let Some(c) = &rule.condition {
                    all.push(reader.formula(c, 0));
                    reader.time_sums(c, 0);
                }
                Formula::All(all)
            })
            .collect()
    };
    validity.extend(rules(&plan.rejects, &mut reader));
    let forbids = rules(&plan.forbids, &mut reader);
    let permits = rules(&plan.permits, &mut reader);
    for f in &plan.facts {
        if let Some(fact) = policy.facts.get(usize::from(*f)) {
            reader.time_sums(&fact.value, 0);
        }
    }
    Formulas {
        validity,
        forbids,
        permits,
    }
}

/// What decides whether a field may be left out of the search.
pub(crate) struct Reads<'a> {
    /// The formulas the search decides: every atom they read is used.
    pub decided: &'a [&'a Formula],
    /// Atoms that may decide a request differently: a field one of them reads is kept.
    pub elsewhere: &'a [usize],
    /// Denies that a field may only be read by if it is left out: each must be off
    /// whenever the field is missing.
    pub off_when_missing: &'a [&'a Formula],
}

/// Why a dimension could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unread {
    /// The values of the field at this path have too many classes.
    Values(String),
    /// Too many GUID fields are compared with each other.
    Guids,
    /// The times have too many regions.
    Times,
}

impl Unread {
    /// The reason in words, as `incomplete` says it.
    pub(crate) fn why(&self) -> String {
        match self {
            Unread::Values(path) => format!("the values of `{path}` cannot be enumerated"),
            Unread::Guids => "too many GUID fields are compared".into(),
            Unread::Times => format!("the times have more than {DIFF_CANDIDATES} regions"),
        }
    }
}

/// An action's request space, but the actor's dimension.
pub(crate) struct Cut {
    /// The fields left out of the search (requests searched never give them).
    pub dropped: Vec<u16>,
    /// The atoms the actor's dimension decides (audiences, role tests, side, roles).
    pub actor_atoms: Vec<usize>,
    /// Each field read on its own, with its dimension, in field order.
    pub singles: Vec<(u16, Dim)>,
    /// The GUID fields compared with each other, if any.
    pub guids: Option<Dim>,
    /// The times (`at` and every time field read).
    pub time: Option<Dim>,
    /// The dimensions that could not be built, in the order above.
    pub unread: Vec<Unread>,
}

impl Cut {
    /// Whether an atom reads a field left out (it is false for every request searched).
    pub(crate) fn is_dropped(&self, atom: &Atom) -> bool {
        atom.fields().iter().any(|f| self.dropped.contains(f))
    }
}

/// The atoms at these indexes of `table`, with their indexes.
pub(crate) fn indexed<'t>(table: &'t Table, at: &[usize]) -> Vec<(usize, &'t Atom)> {
    at.iter()
        .filter_map(|i| table.atoms.get(*i).map(|a| (*i, a)))
        .collect()
}

/// Cuts the requests of one action into dimensions from the atoms of `table` that
/// `reads.decided` reads; `base` (nanoseconds) is the time the witnesses start from.
pub(crate) fn cut(policy: &CompiledPolicy, table: &Table, reads: &Reads<'_>, base: i128) -> Cut {
    let mut used = Vec::new();
    for f in reads.decided {
        f.atoms(&mut used);
    }
    used.sort_unstable();
    used.dedup();
    let schema = &policy.schema;
    let atoms::FieldUse {
        guid_group,
        mut time_fields,
        mut single,
        mut splits,
    } = atoms::FieldUse::of(table, schema, &used);
    let is_time = |f: u16| atoms::is_time_field(schema, f);
    let is_actor = |f: u16| atoms::is_actor_field(schema, f);
    // A field that no other atom reads, and whose absence turns off every deny reading
    // it, is left out: a request is decided like the same request without it.
    let droppable = |f: u16| -> bool {
        let mentions = |i: usize| table.atoms.get(i).is_some_and(|a| a.fields().contains(&f));
        // A time plus a duration may fail (an error is a deny): a field in one is kept.
        let summed = table.splitters.iter().any(|s| s.fields().any(|g| g == f));
        if f == schema.at || summed || reads.elsewhere.iter().any(|i| mentions(*i)) {
            return false;
        }
        reads.off_when_missing.iter().all(|d| {
            let mut read = Vec::new();
            d.atoms(&mut read);
            !read.into_iter().any(mentions)
                || d.kleene(&|i| match table.atoms.get(i) {
                    Some(a) if a.fields().contains(&f) => Some(false),
                    _ => None,
                }) == Some(false)
        })
    };
    let dropped: Vec<u16> = time_fields
        .iter()
        .chain(&single)
        .copied()
        .filter(|f| droppable(*f))
        .collect();
    time_fields.retain(|f| !dropped.contains(f));
    single.retain(|f| !dropped.contains(f));
    splits.retain(|s| s.fields().all(|f| time_fields.contains(&f)));
    for s in &table.splitters {
        if s.fields().all(|f| time_fields.contains(&f)) && !splits.contains(s) {
            splits.push(*s);
        }
    }
    let atoms_of = |pred: &dyn Fn(&Atom) -> bool| -> Vec<(usize, &Atom)> {
        used.iter()
            .filter_map(|i| table.atoms.get(*i).map(|a| (*i, a)))
            .filter(|(_, a)| !a.fields().iter().any(|f| dropped.contains(f)))
            .filter(|(_, a)| pred(a))
            .collect()
    };
    let actor_atoms = atoms_of(&|a| {
        matches!(a, Atom::Audience(_) | Atom::Roles(..)) || a.fields().iter().any(|f| is_actor(*f))
    })
    .into_iter()
    .map(|(i, _)| i)
    .collect();
    let mut unread = Vec::new();
    let mut singles = Vec::new();
    for f in &single {
        let field_atoms = atoms_of(&|a| a.fields() == [*f]);
        match dims::field(policy, *f, &field_atoms, &table.sets, DIFF_CANDIDATES) {
            Some(d) => singles.push((*f, d)),
            None => {
                let path = atoms::field_path(schema, *f).unwrap_or_default();
                unread.push(Unread::Values(path.to_string()));
            }
        }
    }
    let guids = if guid_group.is_empty() {
        None
    } else {
        let guid_atoms = atoms_of(&|a| a.fields().iter().any(|f| guid_group.contains(f)));
        let d = dims::guids(
            &guid_group,
            &guid_atoms,
            &table.sets,
            policy,
            DIFF_CANDIDATES,
        );
        if d.is_none() {
            unread.push(Unread::Guids);
        }
        d
    };
    let time_atoms =
        atoms_of(&|a| matches!(a, Atom::Time(..)) || a.fields().iter().any(|f| is_time(*f)));
    let time = dims::time(
        policy,
        &time_fields,
        &splits,
        &time_atoms,
        base,
        DIFF_CANDIDATES,
    );
    if time.is_none() {
        unread.push(Unread::Times);
    }
    Cut {
        dropped,
        actor_atoms,
        singles,
        guids,
        time,
        unread,
    }
}
