//! The search the exhaustive diff and the permission matrix both run over an action's
//! dimensions: depth first, one dimension at a time, each node asked whether it is a
//! leaf (its box decided), within [`DIFF_SEARCH_NODES`] nodes; the request an
//! assignment stands for (its witness), as one JSON object; and what failed in its
//! decision.

use super::dims::Dim;
use crate::limits::DIFF_SEARCH_NODES;
use crate::policy::Schema;

/// Walks the assignments of dimensions of these `sizes` (candidates each) depth first,
/// one dimension at a time. At each node, `visit` is given the candidates chosen (the
/// dimensions before the node's depth assigned, the rest open) and the depth, and says
/// whether the node is a leaf (then it records it, and the walk goes no deeper). False
/// when the walk stopped at [`DIFF_SEARCH_NODES`] nodes.
pub(crate) fn walk(
    sizes: &[usize],
    visit: &mut dyn FnMut(&[Option<usize>], usize) -> bool,
) -> bool {
    let mut chosen = vec![None; sizes.len()];
    let mut nodes = 0;
    step(sizes, &mut chosen, 0, &mut nodes, visit)
}

/// Assigns dimension `d` onward.
fn step(
    sizes: &[usize],
    chosen: &mut [Option<usize>],
    d: usize,
    nodes: &mut usize,
    visit: &mut dyn FnMut(&[Option<usize>], usize) -> bool,
) -> bool {
    *nodes += 1;
    if *nodes > DIFF_SEARCH_NODES {
        return false;
    }
    if visit(chosen, d) {
        return true;
    }
    for c in 0..sizes.get(d).copied().unwrap_or(0) {
        if let Some(slot) = chosen.get_mut(d) {
            *slot = Some(c);
        }
        if !step(sizes, chosen, d + 1, nodes, visit) {
            return false;
        }
    }
    if let Some(slot) = chosen.get_mut(d) {
        *slot = None;
    }
    true
}

/// The codes of the evaluation errors a witness's decision holds (a test that could
/// not be evaluated, not a malformed request).
pub(crate) fn evaluation_errors(decision: &crate::Decision) -> Vec<&'static str> {
    decision
        .errors
        .iter()
        .filter_map(|e| match e {
            crate::request::RequestError::Evaluation(x) => Some(x.code()),
            _ => None,
        })
        .collect()
}

/// The request of an assignment (the first candidate of every dimension not
/// assigned), with `fields` (slot and JSON text) where no dimension gives them, as one
/// JSON object, its top-level keys in the schema's order.
pub(crate) fn witness<'d>(
    schema: &Schema,
    dims: impl IntoIterator<Item = &'d Dim>,
    chosen: &[Option<usize>],
    fields: &[(u16, String)],
) -> String {
    let mut values: Vec<(u16, String)> = Vec::new();
    for (d, dim) in dims.into_iter().enumerate() {
        let c = chosen.get(d).copied().flatten().unwrap_or(0);
        if let Some(cand) = dim.candidates.get(c) {
            values.extend(cand.values.iter().cloned());
        }
    }
    for (slot, json) in fields {
        if !values.iter().any(|(s, _)| s == slot) {
            values.push((*slot, json.clone()));
        }
    }
    let mut paths: Vec<(Vec<&str>, &str)> = Vec::new();
    for (slot, json) in &values {
        if let Some(f) = schema.fields.get(usize::from(*slot)) {
            paths.push((f.path.split('.').collect(), json.as_str()));
        }
    }
    paths.sort_by_key(|(p, _)| {
        schema
            .fields
            .iter()
            .position(|f| f.path.split('.').next() == p.first().copied())
            .unwrap_or(usize::MAX)
    });
    let mut out = String::new();
    nest(&mut out, &paths, 0);
    out
}

/// Writes `{"a":{"b":..}}` from dotted paths (grouped by their first parts, in order).
fn nest(out: &mut String, entries: &[(Vec<&str>, &str)], depth: usize) {
    out.push('{');
    let mut written: Vec<&str> = Vec::new();
    for (path, json) in entries {
        let Some(head) = path.get(depth) else {
            continue;
        };
        if written.contains(head) {
            continue;
        }
        if !written.is_empty() {
            out.push(',');
        }
        written.push(head);
        crate::json::write_str(out, head);
        out.push(':');
        if path.len() == depth + 1 {
            out.push_str(json);
        } else {
            let inner: Vec<(Vec<&str>, &str)> = entries
                .iter()
                .filter(|(p, _)| p.get(depth) == Some(head) && p.len() > depth + 1)
                .cloned()
                .collect();
            nest(out, &inner, depth + 1);
        }
    }
    out.push('}');
}
