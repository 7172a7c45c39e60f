//! The dimensions of the request space for one action, and for each its candidates:
//! one request value (or several fields' values) per class of values that the atoms
//! tell apart, with the truth of each atom it decides. A single field's candidates are
//! its absence and one value per distinct signature of its tests (every word of a list,
//! every market class of the lists, each text literal and each set of contained
//! literals, numbers at, between and beyond every constant); the actor's are a side and
//! a set of the roles that audiences and role tests name; GUIDs compared with each
//! other are one dimension; times are the regions of `times.rs`.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::atoms::{field_path, Atom, Test};
use super::times::{self, Region};
use crate::market::MarketCode;
use crate::policy::expr::Order;
use crate::policy::{CompiledPolicy, FieldKind};
use crate::value::Value;

/// One class of values of a dimension.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// How a description names it.
    pub label: String,
    /// What it says, piece by piece (a class is described by the pieces all its
    /// candidates share).
    pub facets: Vec<String>,
    /// The fields it gives, with their JSON text.
    pub values: Vec<(u16, String)>,
    /// The truth of each atom of its dimension.
    pub truths: Vec<(usize, bool)>,
    /// For a time region: the sign of each split of the dimension (`None`: a field
    /// missing) and which time fields are given.
    pub signs: Vec<Option<u8>>,
    /// For a time region: the time fields given.
    pub given: Vec<u16>,
}

/// A dimension and its candidates.
#[derive(Debug, Clone)]
pub struct Dim {
    /// Its name in descriptions.
    pub name: String,
    /// The candidates (never empty).
    pub candidates: Vec<Candidate>,
    /// For the time dimension: the splits the signs are of, and the time fields.
    pub splits: Vec<super::atoms::Split>,
    /// The time fields (time dimension only).
    pub fields: Vec<u16>,
}

/// A concrete value of one field, as the atoms see it.
#[derive(Debug, Clone, PartialEq)]
enum Concrete {
    Absent,
    Value(Value<'static>),
    Text(String),
}

/// Keeps the first candidate of each signature; a value that has the signature of an
/// earlier one joins its label (up to a few).
fn dedupe(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut out: Vec<(Candidate, Vec<String>)> = Vec::new();
    for c in candidates {
        match out.iter_mut().find(|(o, _)| o.truths == c.truths) {
            Some((_, also)) => also.push(c.label),
            None => out.push((c, Vec::new())),
        }
    }
    out.into_iter()
        .map(|(mut c, also)| {
            if !also.is_empty() && also.len() <= 5 && !c.label.contains("(such as") {
                c.label = std::iter::once(c.label)
                    .chain(also)
                    .collect::<Vec<_>>()
                    .join(" or ");
                c.facets = vec![c.label.clone()];
            }
            c
        })
        .collect()
}

/// Whether a concrete value passes a test.
fn passes(test: &Test, value: &Concrete, sets: &[crate::market::MarketSet]) -> bool {
    match (test, value) {
        (_, Concrete::Absent) => false,
        (Test::OneOf(options), Concrete::Text(t)) => {
            let key = crate::text::key(t);
            options
                .iter()
                .any(|o| matches!(o, Value::Text(k) if *k == key))
        }
        (Test::Contains(needle), Concrete::Text(t)) => crate::text::contains_key(t, needle),
        (Test::OneOf(options), Concrete::Value(v)) => options.iter().any(|o| same(o, v)),
        (Test::InSet(i), Concrete::Value(Value::Market(m))) => {
            sets.get(*i).is_some_and(|s| s.contains(*m))
        }
        (Test::Order(order, c), Concrete::Value(v)) => {
            let ord = match (v, c) {
                (Value::Number(x) | Value::Money(x, _), Value::Number(y) | Value::Money(y, _)) => {
                    x.cmp(y)
                }
                _ => return false,
            };
            match order {
                Order::Less => ord.is_lt(),
                Order::LessOrEqual => ord.is_le(),
                Order::Greater => ord.is_gt(),
                Order::GreaterOrEqual => ord.is_ge(),
                Order::Equal => ord.is_eq(),
                Order::NotEqual => ord.is_ne(),
            }
        }
        _ => false,
    }
}

/// Equality as the evaluator sees it for non-text values (numbers and money by value).
fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Number(x) | Value::Money(x, _), Value::Number(y) | Value::Money(y, _)) => x == y,
        _ => a == b,
    }
}

/// The candidates of one field (not a time, not the actor) from the atoms on it.
pub fn field(
    policy: &CompiledPolicy,
    slot: u16,
    atoms: &[(usize, &Atom)],
    sets: &[crate::market::MarketSet],
    limit: usize,
) -> Option<Dim> {
    let field = policy.schema.fields.get(usize::from(slot))?;
    let tests: Vec<&Test> = atoms
        .iter()
        .filter_map(|(_, a)| match a {
            Atom::Test(_, t) => Some(t),
            _ => None,
        })
        .collect();
    let mut values: Vec<Concrete> = vec![Concrete::Absent];
    match &field.kind {
        FieldKind::Enum(words) => {
            for i in 0..words.len() {
                values.push(Concrete::Value(Value::Enum(slot, u16::try_from(i).ok()?)));
            }
        }
        FieldKind::Flag => {
            values.push(Concrete::Value(Value::Bool(true)));
            values.push(Concrete::Value(Value::Bool(false)));
        }
        FieldKind::Market => {
            values.extend(MarketCode::all().map(|m| Concrete::Value(Value::Market(m))));
        }
        FieldKind::Text => values.extend(texts(&tests)?.into_iter().map(Concrete::Text)),
        FieldKind::Number | FieldKind::Money | FieldKind::Count => {
            values.extend(numbers(&field.kind, &tests).into_iter().map(|d| {
                Concrete::Value(match field.kind {
                    FieldKind::Money => Value::Money(d, crate::value::Currency::Undeclared),
                    _ => Value::Number(d),
                })
            }));
        }
        FieldKind::Guid => {
            for t in &tests {
                if let Test::OneOf(options) = t {
                    values.extend(options.iter().map(|o| Concrete::Value(o.clone())));
                }
            }
            values.push(Concrete::Value(Value::Guid(FRESH_GUID)));
        }
        _ => return None,
    }
    let candidates: Vec<Candidate> = values
        .into_iter()
        .map(|v| {
            let truths = atoms
                .iter()
                .map(|(i, a)| {
                    let t = match a {
                        Atom::Present(_) => v != Concrete::Absent,
                        Atom::Flag(_) => v == Concrete::Value(Value::Bool(true)),
                        Atom::Test(_, t) => passes(t, &v, sets),
                        _ => false,
                    };
                    (*i, t)
                })
                .collect();
            let json = json_of(policy, &field.kind, &v);
            let label = label_of(policy, &field.path, &field.kind, &v, sets, atoms);
            Candidate {
                facets: vec![label.clone()],
                label,
                values: json.map(|j| vec![(slot, j)]).unwrap_or_default(),
                truths,
                signs: Vec::new(),
                given: Vec::new(),
            }
        })
        .collect();
    let candidates = dedupe(candidates);
    (candidates.len() <= limit).then(|| Dim {
        name: field.path.clone(),
        candidates,
        splits: Vec::new(),
        fields: Vec::new(),
    })
}

/// A GUID no policy names (used for "some other value").
const FRESH_GUID: u128 = 0x1111_1111_1111_4111_8111_1111_1111_1111;

/// Text candidates: each literal of an equality, and for each set of contained
/// literals their concatenation with a separator that no literal holds (so that it
/// holds exactly the literals of the set and those inside them), ending with the
/// separator so that it equals no literal. `None` when no separator fits or there are
/// too many contained literals.
fn texts(tests: &[&Test]) -> Option<Vec<String>> {
    let mut equal: Vec<String> = Vec::new();
    let mut contained: Vec<String> = Vec::new();
    for t in tests {
        match t {
            Test::OneOf(options) => equal.extend(options.iter().filter_map(|o| match o {
                Value::Text(k) => Some(k.to_string()),
                _ => None,
            })),
            Test::Contains(k) => contained.push(k.clone()),
            _ => {}
        }
    }
    contained.sort();
    contained.dedup();
    if contained.len() > crate::limits::DIFF_CONTAINED_TEXTS {
        return None;
    }
    let separator = ['#', '~', '^', '|', '%', '@']
        .into_iter()
        .find(|s| equal.iter().chain(&contained).all(|l| !l.contains(*s)))?;
    let mut out = equal;
    for subset in 0u32..(1u32 << contained.len()) {
        let mut text = String::new();
        for (i, literal) in contained.iter().enumerate() {
            if subset & (1 << i) != 0 {
                text.push_str(literal);
                text.push(separator);
            }
        }
        if text.is_empty() {
            let other = "other";
            let clean = out.iter().all(|l| l != other)
                && contained
                    .iter()
                    .all(|c| !crate::text::contains_key(other, c));
            if clean {
                text.push_str(other);
            } else {
                text.push(separator);
            }
        }
        out.push(text);
    }
    Some(out)
}

/// Number candidates: every constant, one between each two, one below (not under 0
/// for money and counts) and one above; whole numbers for counts.
fn numbers(kind: &FieldKind, tests: &[&Test]) -> Vec<Decimal> {
    let mut constants: Vec<Decimal> = Vec::new();
    for t in tests {
        let values: Vec<&Value<'_>> = match t {
            Test::OneOf(options) => options.iter().collect(),
            Test::Order(_, c) => vec![c],
            _ => Vec::new(),
        };
        for v in values {
            if let Value::Number(d) | Value::Money(d, _) = v {
                constants.push(*d);
            }
        }
    }
    constants.sort();
    constants.dedup();
    let whole = matches!(kind, FieldKind::Count);
    let non_negative = matches!(kind, FieldKind::Count | FieldKind::Money);
    let mut out: Vec<Decimal> = vec![Decimal::ONE];
    for (i, c) in constants.iter().enumerate() {
        out.push(*c);
        if whole {
            out.push(c.floor() + Decimal::ONE);
            if let Some(below) = c.ceil().checked_sub(Decimal::ONE) {
                out.push(below);
            }
        } else {
            if let Some(next) = constants.get(i + 1) {
                if let Some(mid) = c
                    .checked_add(*next)
                    .and_then(|s| s.checked_div(Decimal::TWO))
                {
                    out.push(mid);
                }
            }
            if let Some(above) = c.checked_add(Decimal::ONE) {
                out.push(above);
            }
            if let Some(below) = c.checked_sub(Decimal::ONE) {
                out.push(below);
            }
        }
    }
    if non_negative {
        out.push(Decimal::ZERO);
    }
    let max = Decimal::from(crate::limits::COUNT_MAX);
    out.retain(|d| {
        (!non_negative || !d.is_sign_negative()) && (!whole || (d.fract().is_zero() && *d <= max))
    });
    let mut unique: Vec<Decimal> = Vec::new();
    for d in out {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    unique
}

/// The JSON text of a value of a field (`None`: not given).
fn json_of(policy: &CompiledPolicy, kind: &FieldKind, v: &Concrete) -> Option<String> {
    let mut out = String::new();
    match v {
        Concrete::Absent => return None,
        Concrete::Text(t) => crate::json::write_str(&mut out, t),
        Concrete::Value(value) => match value {
            Value::Enum(_, i) => match kind {
                FieldKind::Enum(words) => {
                    crate::json::write_str(&mut out, words.get(usize::from(*i))?)
                }
                _ => return None,
            },
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Market(m) => crate::json::write_str(&mut out, &m.as_str()),
            Value::Number(d) | Value::Money(d, _) => {
                if matches!(kind, FieldKind::Count) {
                    let _ = write!(out, "{}", d.normalize());
                } else {
                    crate::json::write_str(&mut out, &d.normalize().to_string());
                }
            }
            Value::Guid(g) => {
                let mut s = String::new();
                crate::value::write_guid(&mut s, *g);
                crate::json::write_str(&mut out, &s);
            }
            Value::Side(s) => crate::json::write_str(&mut out, policy.sides.get(usize::from(*s))?),
            _ => return None,
        },
    }
    Some(out)
}

/// How a description names a value of a field.
fn label_of(
    policy: &CompiledPolicy,
    path: &str,
    kind: &FieldKind,
    v: &Concrete,
    sets: &[crate::market::MarketSet],
    atoms: &[(usize, &Atom)],
) -> String {
    match v {
        Concrete::Absent => format!("{path} missing"),
        Concrete::Value(Value::Market(m)) => {
            let lists: Vec<&str> = policy
                .market_lists
                .iter()
                .filter(|l| l.codes.contains(*m))
                .filter(|l| atoms.iter().any(|(_, a)| matches!(a, Atom::Test(_, Test::InSet(i)) if sets.get(*i) == Some(&l.codes))))
                .map(|l| l.name.as_str())
                .collect();
            if lists.is_empty() {
                format!("{path} in none of the lists (such as {m})")
            } else {
                format!("{path} in {} (such as {m})", lists.join(" and "))
            }
        }
        Concrete::Text(t) => {
            let tests: Vec<String> = atoms
                .iter()
                .filter_map(|(_, a)| match a {
                    Atom::Test(_, Test::Contains(k)) if crate::text::contains_key(t, k) => {
                        Some(format!("contains \"{k}\""))
                    }
                    _ => None,
                })
                .collect();
            let equal = atoms.iter().any(
                |(_, a)| matches!(a, Atom::Test(_, t2 @ Test::OneOf(_)) if passes(t2, v, sets)),
            );
            if equal {
                format!("{path} is \"{}\"", crate::text::key(t))
            } else if tests.is_empty() {
                format!("{path} given (no literal the rules name)")
            } else {
                format!("{path} {}", tests.join(" and "))
            }
        }
        Concrete::Value(value) => {
            let text = json_of(policy, kind, v).unwrap_or_default();
            let text = text.trim_matches('"');
            match value {
                Value::Number(_) | Value::Money(..) => format!("{path} = {text}"),
                _ => format!("{path} is {text}"),
            }
        }
    }
}

/// The actor's candidates: no actor, then each side with each set of the roles that
/// matter (at most [`crate::limits::DIFF_ROLE_BITS`] of a side), one per signature.
pub fn actor(policy: &CompiledPolicy, atoms: &[(usize, &Atom)], limit: usize) -> Option<Dim> {
    let side_slot = policy.schema.side?;
    let roles_slot = policy.schema.roles;
    let relevant = named_roles(atoms);
    let truths = |side: Option<u8>, held: Option<u64>| actor_truths(policy, atoms, side, held);
    let mut candidates = vec![Candidate {
        facets: vec!["no actor".to_string()],
        label: "no actor".to_string(),
        values: Vec::new(),
        truths: truths(None, None),
        signs: Vec::new(),
        given: Vec::new(),
    }];
    for (s, side_name) in policy.sides.iter().enumerate() {
        let s8 = u8::try_from(s).ok()?;
        let bits: Vec<usize> = (0..policy.roles.len())
            .filter(|&b| {
                policy.roles.get(b).is_some_and(|r| r.side == s8) && relevant & (1u64 << b) != 0
            })
            .collect();
        if bits.len() > crate::limits::DIFF_ROLE_BITS {
            return None;
        }
        let mut side_json = String::new();
        crate::json::write_str(&mut side_json, side_name);
        for subset in 0u64..(1u64 << bits.len()) {
            let mut held = 0u64;
            let mut names = Vec::new();
            for (k, b) in bits.iter().enumerate() {
                if subset & (1 << k) != 0 {
                    held |= 1u64 << b;
                    names.push(policy.roles.get(*b).map_or("", |r| r.name.as_str()));
                }
            }
            let values = actor_values(side_slot, roles_slot, &side_json, &names);
            let label = if names.is_empty() {
                format!("a {side_name} with none of the roles that matter")
            } else {
                format!("a {side_name} {}", names.join(" and "))
            };
            candidates.push(Candidate {
                facets: vec![format!("a {side_name}"), label.clone()],
                label,
                values,
                truths: truths(Some(s8), Some(held)),
                signs: Vec::new(),
                given: Vec::new(),
            });
        }
    }
    let candidates = dedupe(candidates);
    (candidates.len() <= limit).then(|| Dim {
        name: "the actor".to_string(),
        candidates,
        splits: Vec::new(),
        fields: Vec::new(),
    })
}

/// The roles (bits) that the audiences and role tests among `atoms` name.
pub(crate) fn named_roles(atoms: &[(usize, &Atom)]) -> u64 {
    let mut relevant = 0u64;
    for (_, a) in atoms {
        match a {
            Atom::Audience(aud) => {
                relevant |= aud.roles | aud.all_of.iter().fold(0, |m, g| m | g);
            }
            Atom::Roles(masks, _) => relevant |= masks.iter().fold(0, |m, g| m | g),
            _ => {}
        }
    }
    relevant
}

/// The truth of each actor atom for an actor of `side` (`None`: no actor) holding the
/// roles `held` (`None`: no roles given).
pub(crate) fn actor_truths(
    policy: &CompiledPolicy,
    atoms: &[(usize, &Atom)],
    side: Option<u8>,
    held: Option<u64>,
) -> Vec<(usize, bool)> {
    let (side_slot, roles_slot) = (policy.schema.side, policy.schema.roles);
    atoms
        .iter()
        .map(|(i, a)| {
            let t = match a {
                Atom::Present(f) if Some(*f) == side_slot => side.is_some(),
                Atom::Present(f) if Some(*f) == roles_slot => held.is_some(),
                Atom::Audience(aud) => {
                    aud.admits(side, if side.is_some() { held.unwrap_or(0) } else { 0 })
                }
                Atom::Roles(masks, all) => match (side, held) {
                    (Some(_), Some(h)) if *all => masks.iter().all(|m| h & m != 0),
                    (Some(_), Some(h)) => masks.iter().any(|m| h & m != 0),
                    _ => false,
                },
                _ => false,
            };
            (*i, t)
        })
        .collect()
}

/// The fields an actor gives: its side (as JSON) and, where the schema has them, its
/// roles by name.
pub(crate) fn actor_values(
    side_slot: u16,
    roles_slot: Option<u16>,
    side_json: &str,
    roles: &[&str],
) -> Vec<(u16, String)> {
    let mut values = vec![(side_slot, side_json.to_string())];
    if let Some(r) = roles_slot {
        let mut roles_json = String::from("[");
        for (k, n) in roles.iter().enumerate() {
            if k > 0 {
                roles_json.push(',');
            }
            crate::json::write_str(&mut roles_json, n);
        }
        roles_json.push(']');
        values.push((r, roles_json));
    }
    values
}

/// GUID fields compared with each other: each absent or one of as many distinct values
/// as there are fields (so that every pattern of equalities appears), one per signature.
pub fn guids(
    slots: &[u16],
    atoms: &[(usize, &Atom)],
    sets: &[crate::market::MarketSet],
    policy: &CompiledPolicy,
    limit: usize,
) -> Option<Dim> {
    let k = slots.len();
    let choices = k + 1;
    let total = choices.checked_pow(u32::try_from(k).ok()?)?;
    if total > limit.saturating_mul(64) {
        return None;
    }
    let mut candidates = Vec::new();
    for n in 0..total {
        let mut rest = n;
        let mut values: Vec<Concrete> = Vec::new();
        for _ in 0..k {
            let c = rest % choices;
            rest /= choices;
            values.push(if c == 0 {
                Concrete::Absent
            } else {
                Concrete::Value(Value::Guid(FRESH_GUID + c as u128))
            });
        }
        let value = |f: u16| {
            slots
                .iter()
                .position(|s| *s == f)
                .and_then(|i| values.get(i))
        };
        let truths = atoms
            .iter()
            .map(|(i, a)| {
                let t = match a {
                    Atom::Present(f) => value(*f).is_some_and(|v| *v != Concrete::Absent),
                    Atom::Test(f, t) => value(*f).is_some_and(|v| passes(t, v, sets)),
                    Atom::SameGuid(x, y) => match (value(*x), value(*y)) {
                        (Some(a), Some(b)) => *a != Concrete::Absent && a == b,
                        _ => false,
                    },
                    _ => false,
                };
                (*i, t)
            })
            .collect();
        let mut json = Vec::new();
        let mut label = Vec::new();
        for (slot, v) in slots.iter().zip(&values) {
            let path = field_path(&policy.schema, *slot).unwrap_or_default();
            match json_of(policy, &FieldKind::Guid, v) {
                Some(j) => json.push((*slot, j)),
                None => label.push(format!("{path} missing")),
            }
        }
        for (_, a) in atoms {
            if let Atom::SameGuid(x, y) = a {
                if let (Some(a), Some(b)) = (value(*x), value(*y)) {
                    if *a != Concrete::Absent && *b != Concrete::Absent {
                        let name = |f: u16| field_path(&policy.schema, f).unwrap_or_default();
                        let verb = if a == b { "is" } else { "is not" };
                        label.push(format!("{} {verb} {}", name(*x), name(*y)));
                    }
                }
            }
        }
        candidates.push(Candidate {
            facets: label.clone(),
            label: label.join(", "),
            values: json,
            truths,
            signs: Vec::new(),
            given: Vec::new(),
        });
    }
    let candidates = dedupe(candidates);
    (candidates.len() <= limit).then(|| Dim {
        name: "the GUIDs".to_string(),
        candidates,
        splits: Vec::new(),
        fields: Vec::new(),
    })
}

/// The time dimension: one candidate per region.
pub fn time(
    policy: &CompiledPolicy,
    fields: &[u16],
    splits: &[super::atoms::Split],
    atoms: &[(usize, &Atom)],
    base: i128,
    limit: usize,
) -> Option<Dim> {
    let always = [policy.schema.at];
    let regions = times::regions(fields, &always, splits, base, limit)?;
    let candidates = regions
        .into_iter()
        .map(|region| candidate_of(policy, fields, splits, atoms, &region))
        .collect();
    Some(Dim {
        name: "the times".to_string(),
        candidates,
        splits: splits.to_vec(),
        fields: fields.to_vec(),
    })
}

fn candidate_of(
    policy: &CompiledPolicy,
    fields: &[u16],
    splits: &[super::atoms::Split],
    atoms: &[(usize, &Atom)],
    region: &Region,
) -> Candidate {
    let given = |f: u16| region.times.iter().any(|(g, _)| *g == f);
    let truths = atoms
        .iter()
        .map(|(i, a)| {
            let t = match a {
                Atom::Present(f) => given(*f),
                Atom::Time(split, signs) => {
                    split.fields().all(given)
                        && times::sign_of(split, &region.times).is_some_and(|s| s & signs != 0)
                }
                _ => false,
            };
            (*i, t)
        })
        .collect();
    let mut values = Vec::new();
    for (f, ns) in &region.times {
        let secs = ns.div_euclid(1_000_000_000);
        let sub = ns.rem_euclid(1_000_000_000);
        let time = i64::try_from(secs)
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, u32::try_from(sub).unwrap_or(0)));
        if let Some(t) = time {
            let mut text = String::new();
            crate::value::write_time(&mut text, &t);
            let mut json = String::new();
            crate::json::write_str(&mut json, &text);
            values.push((*f, json));
        }
    }
    let mut label = Vec::new();
    for f in fields {
        if !given(*f) {
            if let Some(path) = field_path(&policy.schema, *f) {
                label.push(format!("{path} missing"));
            }
        }
    }
    for (split, sign) in splits.iter().zip(&region.signs) {
        if let Some(sign) = sign {
            label.push(super::describe::describe_split(policy, split, *sign));
        }
    }
    Candidate {
        facets: label.clone(),
        label: label.join(", "),
        values,
        truths,
        signs: region.signs.clone(),
        given: region.times.iter().map(|(f, _)| *f).collect(),
    }
}

/// A dimension of a field no test reads: only missing (so far).
pub fn plain(path: &str) -> Dim {
    Dim {
        name: path.to_string(),
        candidates: vec![Candidate {
            label: format!("{path} missing"),
            facets: vec![format!("{path} missing")],
            values: Vec::new(),
            truths: Vec::new(),
            signs: Vec::new(),
            given: Vec::new(),
        }],
        splits: Vec::new(),
        fields: Vec::new(),
    }
}

/// Adds a candidate per display name the policies read differently: no atom's truth is
/// known for it (the policies disagree on its market), so the search decides every
/// combination with it by eval.
pub fn add_names(dim: &mut Dim, slot: u16, path: &str, names: &[String]) {
    for name in names {
        let mut json = String::new();
        crate::json::write_str(&mut json, name);
        dim.candidates.push(Candidate {
            label: format!("{path} written as \"{name}\""),
            facets: vec![format!("{path} written as \"{name}\"")],
            values: vec![(slot, json)],
            truths: Vec::new(),
            signs: Vec::new(),
            given: Vec::new(),
        });
    }
}
