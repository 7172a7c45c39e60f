//! The totals of a `diff` over requests: how many requests, how many changed, by action
//! and by old → new outcome (at most [`DIFF_GROUPS`] groups, the rest counted as one),
//! with the first lines of each group for the text report.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::compare::{Changed, Outcome};
use crate::limits::{DIFF_GROUPS, DIFF_LINES_PER_GROUP};

/// One kind of change: an action, and the outcome under each policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    /// The request's action as written (`None`: no action, or the request unreadable).
    pub action: Option<String>,
    /// The outcome under the old policy.
    pub old: Outcome,
    /// The outcome under the new policy.
    pub new: Outcome,
}

/// The changes of one kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    /// How many requests.
    pub count: u64,
    /// The first requests' lines and what changed (at most [`DIFF_LINES_PER_GROUP`]).
    pub lines: Vec<(usize, Changed)>,
}

/// The totals of a run (or of a chunk of it, merged in input order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Requests decided.
    pub requests: u64,
    /// Requests with any change.
    pub changed: u64,
    /// Requests whose decision (allow / deny) changed.
    pub decisions_changed: u64,
    /// Changes by kind (at most [`DIFF_GROUPS`]).
    pub groups: BTreeMap<GroupKey, Group>,
    /// Changes past [`DIFF_GROUPS`] kinds, counted together.
    pub other: u64,
}

impl Tally {
    /// Counts one request.
    pub fn add(&mut self, key: Option<GroupKey>, line: usize, changed: Changed) {
        self.requests += 1;
        let Some(key) = key else { return };
        self.changed += 1;
        self.decisions_changed += u64::from(changed.decision);
        self.add_group(key, 1, &[(line, changed)]);
    }

    fn add_group(&mut self, key: GroupKey, count: u64, lines: &[(usize, Changed)]) {
        let len = self.groups.len();
        match self.groups.get_mut(&key) {
            Some(group) => group.absorb(count, lines),
            None if len < DIFF_GROUPS => {
                let mut group = Group::default();
                group.absorb(count, lines);
                self.groups.insert(key, group);
            }
            None => self.other += count,
        }
    }

    /// Adds a later part of the run.
    pub fn merge(&mut self, part: &Tally) {
        self.requests += part.requests;
        self.changed += part.changed;
        self.decisions_changed += part.decisions_changed;
        self.other += part.other;
        for (key, group) in &part.groups {
            self.add_group(key.clone(), group.count, &group.lines);
        }
    }

    /// Changes by action, in action order (`None`: no action).
    pub fn by_action(&self) -> BTreeMap<Option<&str>, u64> {
        let mut out: BTreeMap<Option<&str>, u64> = BTreeMap::new();
        for (key, group) in &self.groups {
            *out.entry(key.action.as_deref()).or_default() += group.count;
        }
        out
    }

    /// The summary object of `diff --format json` (one line, no newline).
    pub fn write_json(&self, out: &mut String) {
        let _ = write!(
            out,
            "{{\"kind\":\"summary\",\"requests\":{},\"changed\":{},\"decisions_changed\":{},\"by_action\":[",
            self.requests, self.changed, self.decisions_changed
        );
        for (i, (action, count)) in self.by_action().into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"action\":");
            write_action(out, action);
            let _ = write!(out, ",\"changed\":{count}}}");
        }
        out.push_str("],\"by_rule\":[");
        for (i, (key, group)) in self.groups.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"action\":");
            write_action(out, key.action.as_deref());
            out.push_str(",\"old\":");
            key.old.write_json(out);
            out.push_str(",\"new\":");
            key.new.write_json(out);
            let _ = write!(out, ",\"count\":{}}}", group.count);
        }
        let _ = write!(out, "],\"other\":{}}}", self.other);
    }

    /// The report of `diff --format text`: each action, then its kinds of change (old
    /// -> new outcome), those that change the decision first and then the largest, each
    /// with its count and its first lines; then the totals.
    pub fn write_text(&self, out: &mut String) {
        let by_action = self.by_action();
        for (n, (action, count)) in by_action.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{}: {} changed",
                action_text(*action),
                requests(*count)
            );
            let mut groups: Vec<(&GroupKey, &Group)> = self
                .groups
                .iter()
                .filter(|(key, _)| key.action.as_deref() == *action)
                .collect();
            groups.sort_by_key(|(key, group)| {
                (
                    key.old.allow == key.new.allow,
                    std::cmp::Reverse(group.count),
                )
            });
            for (key, group) in groups {
                let _ = writeln!(
                    out,
                    "  {} -> {}: {}",
                    key.old,
                    key.new,
                    requests(group.count)
                );
                for (line, changed) in &group.lines {
                    let parts: Vec<&str> = changed.names().collect();
                    let _ = writeln!(out, "    line {line}: {}", parts.join(", "));
                }
                let more = group.count.saturating_sub(group.lines.len() as u64);
                if more > 0 {
                    let _ = writeln!(out, "    and {more} more");
                }
            }
        }
        if self.other > 0 {
            let _ = writeln!(
                out,
                "\n{} of more than {DIFF_GROUPS} other kinds of change",
                requests(self.other)
            );
        }
        if !self.groups.is_empty() || self.other > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}, {} changed ({} changed decision)",
            requests(self.requests),
            self.changed,
            self.decisions_changed
        );
    }
}

impl Group {
    fn absorb(&mut self, count: u64, lines: &[(usize, Changed)]) {
        self.count += count;
        let room = DIFF_LINES_PER_GROUP.saturating_sub(self.lines.len());
        self.lines.extend(lines.iter().take(room).copied());
    }
}

/// `1 request`, `3 requests`.
fn requests(n: u64) -> String {
    if n == 1 {
        "1 request".to_string()
    } else {
        format!("{n} requests")
    }
}

fn action_text(action: Option<&str>) -> String {
    match action {
        Some(a) => crate::decision::visible(a).into_owned(),
        None => "(no action)".to_string(),
    }
}

fn write_action(out: &mut String, action: Option<&str>) {
    match action {
        Some(a) => crate::json::write_str(out, a),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(allow: bool, rule: &str) -> Outcome {
        Outcome {
            allow,
            rules: vec![rule.to_string()],
            errors: Vec::new(),
        }
    }

    fn key(action: &str, n: usize) -> GroupKey {
        GroupKey {
            action: Some(action.to_string()),
            old: outcome(false, &format!("r{n}")),
            new: outcome(true, "p"),
        }
    }

    const DECISION: Changed = Changed {
        decision: true,
        reasons: true,
        facts: false,
        errors: false,
    };

    #[test]
    fn groups_past_the_limit_are_counted_as_other() {
        let mut tally = Tally::default();
        for n in 0..DIFF_GROUPS + 5 {
            tally.add(Some(key("cancel", n)), n + 1, DECISION);
        }
        tally.add(None, 9_999, Changed::default());
        assert_eq!(tally.groups.len(), DIFF_GROUPS);
        assert_eq!(tally.other, 5);
        assert_eq!(tally.changed, DIFF_GROUPS as u64 + 5);
        assert_eq!(tally.requests, DIFF_GROUPS as u64 + 6);
        let mut text = String::new();
        tally.write_text(&mut text);
        assert!(text.contains("5 requests of more than 1000 other kinds of change"));
    }

    #[test]
    fn merging_parts_gives_the_whole_and_lines_are_capped() {
        let mut whole = Tally::default();
        let mut parts = [Tally::default(), Tally::default()];
        for n in 0..3 * DIFF_LINES_PER_GROUP {
            let k = key(if n % 2 == 0 { "cancel" } else { "purchase" }, n % 3);
            whole.add(Some(k.clone()), n + 1, DECISION);
            parts[n * 2 / (3 * DIFF_LINES_PER_GROUP)].add(Some(k), n + 1, DECISION);
        }
        let mut merged = Tally::default();
        merged.merge(&parts[0]);
        merged.merge(&parts[1]);
        assert_eq!(merged, whole);
        assert!(whole
            .groups
            .values()
            .all(|g| g.lines.len() <= DIFF_LINES_PER_GROUP));
        let mut text = String::new();
        whole.write_text(&mut text);
        assert!(text.starts_with("cancel: 30 requests changed\n  deny (r0) -> allow (p): 10 requests\n    line 1: decision, reasons\n"), "{text}");
        let mut json = String::new();
        whole.write_json(&mut json);
        assert!(json.starts_with(r#"{"kind":"summary","requests":60,"changed":60,"decisions_changed":60,"by_action":[{"action":"cancel","changed":30},{"action":"purchase","changed":30}],"by_rule":[{"action":"cancel","old":{"decision":"deny","rules":["r0"],"errors":[]},"new":{"decision":"allow","rules":["p"],"errors":[]},"count":10}"#), "{json}");
    }
}
