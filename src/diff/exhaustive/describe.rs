//! A class of requests in words, for the reports: the candidates of each dimension
//! the class does not cover whole, and the time splits it narrows (also the labels of
//! the time candidates).

use crate::policy::CompiledPolicy;

use super::dims::{self, Dim};

/// A class in words: for each dimension that the class does not cover whole, the
/// candidates it holds; for the times, each split whose signs the class narrows, and
/// the time fields it always lacks.
pub(super) fn describe(
    policy: &CompiledPolicy,
    action: &str,
    dims: &[Dim],
    cells: &[Vec<Option<usize>>],
) -> String {
    let mut parts = vec![format!("`{action}`")];
    for (d, dim) in dims.iter().enumerate() {
        let mut seen: Vec<usize> = Vec::new();
        let mut any = false;
        for cell in cells {
            match cell.get(d).copied().flatten() {
                Some(c) => {
                    if !seen.contains(&c) {
                        seen.push(c);
                    }
                }
                None => any = true,
            }
        }
        if any || seen.len() == dim.candidates.len() {
            continue;
        }
        seen.sort_unstable();
        let chosen: Vec<&dims::Candidate> =
            seen.iter().filter_map(|c| dim.candidates.get(*c)).collect();
        if !dim.splits.is_empty() || !dim.fields.is_empty() {
            parts.extend(describe_times(policy, dim, &chosen));
            continue;
        }
        let labels: Vec<&str> = chosen
            .iter()
            .map(|x| x.label.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        if labels.len() > 6 {
            parts.push(format!("{} ({} kinds)", dim.name, labels.len()));
        } else if !labels.is_empty() {
            parts.push(labels.join(" or "));
        }
    }
    parts.join("; ")
}

/// The times of a class: the fields it always lacks, and for each split the signs it
/// holds when they are fewer than the whole dimension's.
fn describe_times(policy: &CompiledPolicy, dim: &Dim, chosen: &[&dims::Candidate]) -> Vec<String> {
    let mut out = Vec::new();
    for f in &dim.fields {
        let lacking = chosen.iter().all(|c| !c.given.contains(f));
        let sometimes = dim.candidates.iter().any(|c| c.given.contains(f));
        if lacking && sometimes {
            if let Some(path) = super::atoms::field_path(&policy.schema, *f) {
                out.push(format!("{path} missing"));
            }
        }
    }
    for (i, split) in dim.splits.iter().enumerate() {
        let signs_of = |cands: &mut dyn Iterator<Item = &dims::Candidate>| -> Option<u8> {
            let mut all = 0u8;
            for c in cands {
                all |= (*c.signs.get(i)?)?;
            }
            Some(all)
        };
        let Some(held) = signs_of(&mut chosen.iter().copied()) else {
            continue;
        };
        let everywhere = dim
            .candidates
            .iter()
            .filter_map(|c| c.signs.get(i).copied().flatten())
            .fold(0u8, |m, s| m | s);
        if held != everywhere {
            out.push(describe_split(policy, split, held));
        }
    }
    out
}

/// A split's signs in words: `at is after order.purchased_at + 30 days`, `at is not
/// after ...` (two signs), `order.purchased_at + 60 days is past the latest time`.
pub fn describe_split(policy: &CompiledPolicy, split: &super::atoms::Split, signs: u8) -> String {
    use super::atoms::{EQ, GT, LT};
    let name = |f: Option<u16>| match f {
        Some(f) => super::atoms::field_path(&policy.schema, f)
            .unwrap_or_default()
            .to_string(),
        None => "the epoch".to_string(),
    };
    let verb = match signs {
        LT => "is before",
        EQ => "is exactly",
        GT => "is after",
        s if s == LT | EQ => "is not after",
        s if s == GT | EQ => "is not before",
        s if s == LT | GT => "is not exactly",
        _ => "is any time relative to",
    };
    let term = |f: Option<u16>, offset: i128| {
        if offset == 0 {
            name(f)
        } else if offset < 0 {
            format!("{} - {}", name(f), duration_text(-offset))
        } else {
            format!("{} + {}", name(f), duration_text(offset))
        }
    };
    match split.b {
        None => {
            // x_a - c: a time plus a duration against the first or the last time.
            let (first, last) = super::atoms::time_range();
            let (offset, bound) = if (last - split.c).abs() <= (split.c - first).abs() {
                (
                    last - split.c,
                    "the latest time a request may hold (9999-12-31T23:59:59.999999999Z)",
                )
            } else {
                (
                    first - split.c,
                    "the earliest time a request may hold (0000-01-01T00:00:00Z)",
                )
            };
            format!("{} {verb} {bound}", term(split.a, offset))
        }
        Some(_) => format!("{} {verb} {}", name(split.a), term(split.b, split.c)),
    }
}

fn duration_text(ns: i128) -> String {
    if ns % 1_000_000_000 == 0 {
        let d = i64::try_from(ns / 1_000_000_000)
            .ok()
            .map(chrono::TimeDelta::seconds);
        if let Some(d) = d {
            let mut s = String::new();
            crate::value::write_duration(&mut s, d);
            return s;
        }
    }
    format!("{ns} ns")
}
