//! What `snapshot check` and `snapshot update` say, as text for people: each changed
//! request with the parts that changed, its outcome before and after, and the lines of
//! its document that differ (a few lines of context, like a pull request's diff); new
//! request files, orphan snapshots, and the totals.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

use super::compare::{split, FileChanges, Record, RecordChange};
use crate::decision::visible;

/// Lines of unchanged context around each changed line of a document.
const CONTEXT: usize = 2;

/// Appends the report of one changed request file: `name`, then each changed request.
pub fn write_changes(out: &mut String, name: &str, changes: &FileChanges, old: &str, new: &str) {
    let _ = writeln!(out, "changed: {}", visible(name));
    if changes.header {
        let (old_header, _) = split(old);
        let (new_header, _) = split(new);
        out.push_str("  the header (the fixed time, or the file's name):\n");
        write_diff(out, &old_header, &new_header);
    }
    for change in &changes.records {
        match change {
            RecordChange::Changed {
                index,
                old,
                new,
                changed,
                action,
            } => {
                let mut parts: Vec<&str> = changed.names().collect();
                if *action {
                    parts.insert(0, "action");
                }
                if parts.is_empty() {
                    parts.push("its line");
                }
                let _ = writeln!(
                    out,
                    "  request {index}{}: {} changed: {} -> {}",
                    at_line(new),
                    parts.join(", "),
                    old.outcome(),
                    new.outcome()
                );
                write_diff(out, &old.text, &new.text);
            }
            RecordChange::Added { index, new } => {
                let _ = writeln!(
                    out,
                    "  request {index}{}: new: {}",
                    at_line(new),
                    new.outcome()
                );
            }
            RecordChange::Removed { index, old } => {
                let _ = writeln!(
                    out,
                    "  request {index}{}: gone from the file (was {})",
                    at_line(old),
                    old.outcome()
                );
            }
        }
    }
}

/// ` (line N)` when the document says its line.
fn at_line(record: &Record) -> String {
    record
        .line
        .map(|n| format!(" (line {n})"))
        .unwrap_or_default()
}

/// The lines that differ between two texts, `-` old and `+` new, with [`CONTEXT`]
/// lines around them, indented by four spaces; `...` between distant changes.
fn write_diff(out: &mut String, old: &str, new: &str) {
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(old, new);
    for (n, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if n > 0 {
            out.push_str("    ...\n");
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let line = change.value();
                let _ = writeln!(
                    out,
                    "    {sign}{}",
                    visible(line.strip_suffix('\n').unwrap_or(line))
                );
            }
        }
    }
}

/// `1 request`, `3 requests`.
pub fn requests(n: usize) -> String {
    if n == 1 {
        "1 request".to_string()
    } else {
        format!("{n} requests")
    }
}

/// `1 file`, `3 files`.
pub fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_string()
    } else {
        format!("{n} files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_request_shows_its_parts_outcomes_and_lines() {
        let old = "# csp-policy snapshot of a.yaml\n--- # line 1\ndecision: allow\naction: \"cancel\"\nreasons:\n  - rule: \"in-window\"\n    effect: permit\n    message: \"ok\"\nerrors: []\nfacts:\n  days: 4\n";
        let new = "# csp-policy snapshot of a.yaml\n--- # line 1\ndecision: deny\naction: \"cancel\"\nreasons:\n  - rule: \"window-ended\"\n    effect: forbid\n    message: \"no\"\nerrors: []\nfacts:\n  days: 4\n";
        let changes = super::super::compare::compare(old, new);
        let mut out = String::new();
        write_changes(&mut out, "a.yaml", &changes, old, new);
        assert!(out.starts_with("changed: a.yaml\n  request 1 (line 1): decision, reasons changed: allow (in-window) -> deny (window-ended)\n     --- # line 1\n    -decision: allow\n    +decision: deny\n"), "{out}");
        assert!(out.contains("    -  - rule: \"in-window\"\n"), "{out}");
        assert!(!out.contains("days: 4"), "{out}");
    }
}
