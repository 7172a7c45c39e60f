//! A class of requests in words, for the reports: the candidates of each dimension
//! the class does not cover whole, and the time splits it narrows.

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
            if let Some(field) = policy.schema.fields.get(usize::from(*f)) {
                out.push(format!("{} missing", field.path));
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
            out.push(dims::describe_split(policy, split, held));
        }
    }
    out
}
