//! Comparing a snapshot with the decisions made now, request by request: which parts
//! changed ([`Changed`], the same parts `diff` compares: decision, reasons, facts,
//! errors) and each side's outcome ([`Outcome`], allow or deny and what decided it), read
//! back from the snapshot text. The text is the one [`super::render`] writes: a header,
//! then one document per request (`--- # line N`), each key of the decision at the start
//! of a line and its contents indented, every string double-quoted on one line.

use super::render::is_ours;
use crate::diff::{Changed, Outcome};

/// One request's document in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The request's first line in its file, as the document's marker says.
    pub line: Option<usize>,
    /// The document's text, marker included.
    pub text: String,
}

impl Record {
    /// The text of one top-level key (`decision`, `reasons`, ...): its line and the
    /// indented lines under it; empty when absent.
    pub fn part(&self, key: &str) -> String {
        let mut out = String::new();
        let mut inside = false;
        for line in self.text.lines().skip(1) {
            if !line.starts_with([' ', '\t']) {
                inside = line
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(':'));
            }
            if inside {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The decision's outcome as the text says it: `decision: allow`, the rules of the
    /// reasons, the codes of the errors.
    pub fn outcome(&self) -> Outcome {
        Outcome {
            allow: self.part("decision").trim() == "decision: allow",
            rules: quoted_values(&self.part("reasons"), "- rule:"),
            errors: quoted_values(&self.part("errors"), "- code:"),
        }
    }
}

/// The values of the lines of `part` that start (after indentation) with `key`, read as
/// the double-quoted strings the snapshot writes (JSON's escapes).
fn quoted_values(part: &str, key: &str) -> Vec<String> {
    part.lines()
        .filter_map(|line| line.trim_start().strip_prefix(key))
        .map(|value| {
            let value = value.trim();
            serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
        })
        .collect()
}

/// The header (the lines before the first document) and the documents of a snapshot.
pub fn split(text: &str) -> (String, Vec<Record>) {
    let mut header = String::new();
    let mut records: Vec<Record> = Vec::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") {
            let line_number = line
                .trim_end()
                .strip_prefix("--- # line ")
                .and_then(|n| n.parse().ok());
            records.push(Record {
                line: line_number,
                text: line.to_string(),
            });
        } else if let Some(record) = records.last_mut() {
            record.text.push_str(line);
        } else {
            header.push_str(line);
        }
    }
    (header, records)
}

/// How one request's decision differs from its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordChange {
    /// The document differs.
    Changed {
        /// The request's position in its file (1-based).
        index: usize,
        /// The snapshot's document.
        old: Record,
        /// Today's.
        new: Record,
        /// The parts of the decision that differ.
        changed: Changed,
        /// The action as written differs (the request itself was edited).
        action: bool,
    },
    /// A request the snapshot does not have (the file has more requests).
    Added {
        /// Its position.
        index: usize,
        /// Its document.
        new: Record,
    },
    /// A document of the snapshot for a request the file no longer has.
    Removed {
        /// Its position.
        index: usize,
        /// The snapshot's document.
        old: Record,
    },
}

impl RecordChange {
    /// Whether the decision itself (allow / deny) changed.
    pub fn decision_changed(&self) -> bool {
        match self {
            RecordChange::Changed { changed, .. } => changed.decision,
            RecordChange::Added { .. } | RecordChange::Removed { .. } => false,
        }
    }
}

/// How a request file's decisions differ from its snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileChanges {
    /// The header differs (the fixed time, or the file's name).
    pub header: bool,
    /// The requests whose document differs, in order.
    pub records: Vec<RecordChange>,
}

impl FileChanges {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        !self.header && self.records.is_empty()
    }
}

/// Compares a snapshot (`old`) with the snapshot text of today's decisions (`new`),
/// request by request, in order.
pub fn compare(old: &str, new: &str) -> FileChanges {
    let (old_header, old_records) = split(old);
    let (new_header, new_records) = split(new);
    let mut changes = FileChanges {
        header: old_header != new_header || !is_ours(old),
        records: Vec::new(),
    };
    let count = old_records.len().max(new_records.len());
    for i in 0..count {
        let index = i + 1;
        match (old_records.get(i), new_records.get(i)) {
            (Some(o), Some(n)) if o == n => {}
            (Some(o), Some(n)) => {
                let differ = |key: &str| o.part(key) != n.part(key);
                changes.records.push(RecordChange::Changed {
                    index,
                    old: o.clone(),
                    new: n.clone(),
                    changed: Changed {
                        decision: differ("decision"),
                        reasons: differ("reasons"),
                        facts: differ("facts"),
                        errors: differ("errors"),
                    },
                    action: differ("action"),
                });
            }
            (None, Some(n)) => changes.records.push(RecordChange::Added {
                index,
                new: n.clone(),
            }),
            (Some(o), None) => changes.records.push(RecordChange::Removed {
                index,
                old: o.clone(),
            }),
            (None, None) => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    fn snapshot_of(policy: &Policy, requests: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, requests).unwrap();
        let now = crate::parse_time("2026-11-25T12:00:00Z").unwrap();
        super::super::render::render(policy, &path, "r.jsonl", now, true).unwrap()
    }

    const PURCHASE: &str = r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"AU"},"product":{"category":"server_subscription"}}"#;
    const MISSING: &str =
        r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]}}"#;

    #[test]
    fn the_outcome_read_back_is_the_decisions() {
        let policy = Policy::embedded().unwrap();
        let now = crate::parse_time("2026-11-25T12:00:00Z").unwrap();
        let text = snapshot_of(&policy, &format!("{PURCHASE}\n{MISSING}\n"));
        let (header, records) = split(&text);
        assert!(header.starts_with("# csp-policy snapshot of r.jsonl\n"));
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].line, Some(2));
        for (record, request) in records.iter().zip([PURCHASE, MISSING]) {
            let decision = policy.decide_json(request, now);
            assert_eq!(record.outcome(), Outcome::of(&decision));
        }
        assert_eq!(records[0].part("decision"), "decision: allow\n");
        assert!(records[0]
            .part("facts")
            .starts_with("facts:\n  price_includes_tax: true\n"));
    }

    #[test]
    fn each_changed_part_is_named_and_added_or_removed_requests_are_told() {
        let policy = Policy::embedded().unwrap();
        let old = snapshot_of(&policy, &format!("{PURCHASE}\n{PURCHASE}\n"));
        assert!(compare(&old, &old).is_empty());
        let new = snapshot_of(&policy, &format!("{PURCHASE}\n{MISSING}\n{PURCHASE}\n"));
        let changes = compare(&old, &new);
        assert!(!changes.header);
        assert_eq!(changes.records.len(), 2, "{changes:?}");
        match &changes.records[0] {
            RecordChange::Changed {
                index,
                changed,
                action,
                ..
            } => {
                assert_eq!(*index, 2);
                assert_eq!(
                    changed.names().collect::<Vec<_>>(),
                    ["decision", "reasons", "facts", "errors"]
                );
                assert!(!action);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            changes.records[1],
            RecordChange::Added { index: 3, .. }
        ));
        let back = compare(&new, &old);
        assert!(matches!(
            back.records[1],
            RecordChange::Removed { index: 3, .. }
        ));
        let other_time = old.replace("2026-11-25", "2026-11-26");
        assert!(compare(&old, &other_time).header);
    }
}
