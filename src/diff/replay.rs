//! `diff` from a decision log (replay): each logged request decided again under the new
//! policy and compared with the decision the log holds (the old side), or with a
//! decision under an old policy given instead. A request without `at` is decided at
//! the time its entry was made (the log keeps it to the microsecond, the time the
//! server decided at), so that a replay under the policy that made the log changes
//! nothing. The log is read through [`crate::decision_log::Query`], one entry at a
//! time (memory bounded whatever the log's size).
//!
//! What the log does not hold cannot be replayed, and is counted, never skipped
//! silently: an entry whose request was not stored (a YAML request under
//! `--log-mask`, a body that could not be read) or whose decision is not JSON. Fields
//! removed by `--log-mask` are gone from the stored request: the replay decides it
//! without them.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::compare::{Changed, Outcome};
use super::summary::{GroupKey, Tally};
use crate::decision_log::{Query, QueryError, Stored, Target};
use crate::stream::{Document, Format};
use crate::{Decision, Options, Policy};

pub use super::requests::Report;

/// What a replay found.
#[derive(Debug, Default)]
pub struct Replayed {
    /// The totals over the entries replayed (`line` is the entry's position, 1-based).
    pub tally: Tally,
    /// Entries that could not be replayed.
    pub not_replayed: u64,
    /// Writing failed (a closed pipe): the replay stopped there.
    pub write_failed: bool,
}

/// The old side of a replay.
#[derive(Debug, Clone, Copy)]
pub enum Old<'p> {
    /// The decision each entry holds.
    Logged,
    /// Each request decided again under this policy.
    Policy(&'p Policy),
}

/// A decision's parts as JSON text, to compare: the log's, or one made now written as
/// the log writes it.
#[derive(Deserialize)]
struct Parts<'a> {
    decision: String,
    action: Option<String>,
    #[serde(borrow)]
    reasons: &'a RawValue,
    #[serde(borrow)]
    errors: &'a RawValue,
    #[serde(borrow)]
    facts: &'a RawValue,
}

#[derive(Deserialize)]
struct Rule {
    rule: String,
}

#[derive(Deserialize)]
struct Code {
    code: String,
}

impl Parts<'_> {
    fn outcome(&self) -> Outcome {
        let rules: Vec<Rule> = serde_json::from_str(self.reasons.get()).unwrap_or_default();
        let codes: Vec<Code> = serde_json::from_str(self.errors.get()).unwrap_or_default();
        Outcome {
            allow: self.decision == "allow",
            rules: rules.into_iter().map(|r| r.rule).collect(),
            errors: codes.into_iter().map(|c| c.code).collect(),
        }
    }
}

/// Replays the entries of the log at `log` that `query` selects under `new`, compared
/// with `old`, writing each change (JSON: a `change` object per line, as `diff` over
/// requests writes them, plus the entry's `decision_id` and `time`; text: nothing until
/// the caller writes the tally). `now` replaces each entry's time for requests without
/// `at` (a log written by `serve --now`).
pub fn run(
    log: &Target,
    query: &Query,
    old: Old<'_>,
    new: &Policy,
    now: Option<DateTime<Utc>>,
    report: Report,
    out: &mut dyn Write,
) -> Result<Replayed, QueryError> {
    let mut replayed = Replayed::default();
    let mut position = 0usize;
    let mut line = String::with_capacity(1024);
    let result = query.each(log, &mut |entry| {
        position += 1;
        line.clear();
        if !replay(
            &entry,
            position,
            old,
            new,
            now,
            report,
            &mut replayed,
            &mut line,
        ) {
            replayed.not_replayed += 1;
            if report == Report::Json {
                not_replayed_json(&mut line, position, &entry);
            }
        }
        out.write_all(line.as_bytes())
    });
    match result {
        Ok(()) => Ok(replayed),
        Err(QueryError::Stopped(_)) => {
            replayed.write_failed = true;
            Ok(replayed)
        }
        Err(e) => Err(e),
    }
}

/// Replays one entry; false when it cannot be.
#[allow(clippy::too_many_arguments)]
fn replay(
    entry: &Stored,
    position: usize,
    old: Old<'_>,
    new: &Policy,
    now: Option<DateTime<Utc>>,
    report: Report,
    replayed: &mut Replayed,
    out: &mut String,
) -> bool {
    let Some(request) = &entry.request else {
        return false;
    };
    let format = match entry.request_format.as_str() {
        "json" => Format::Json,
        "yaml" => Format::Yaml,
        _ => return false,
    };
    let Some(time) = now.or_else(|| DateTime::<Utc>::from_timestamp_micros(entry.time_us)) else {
        return false;
    };
    let document = Document {
        text: request,
        line: 1,
        format,
        oversized: None,
        not_utf8: false,
    };
    let options = Options::at(time);
    let new_decision = new.decide_document(&document, &options);
    let mut new_json = String::with_capacity(512);
    new_decision.write_json(&mut new_json);
    let (old_json, changed, old_outcome, old_action) = match old {
        Old::Policy(policy) => {
            let old_decision: Decision = policy.decide_document(&document, &options);
            let mut json = String::with_capacity(512);
            old_decision.write_json(&mut json);
            (
                json,
                Changed::between(&old_decision, &new_decision),
                Outcome::of(&old_decision),
                old_decision.action.clone(),
            )
        }
        Old::Logged => {
            let (Ok(logged), Ok(made)) = (
                serde_json::from_str::<Parts<'_>>(&entry.decision),
                serde_json::from_str::<Parts<'_>>(&new_json),
            ) else {
                return false;
            };
            let changed = Changed {
                decision: logged.decision != made.decision,
                reasons: logged.reasons.get() != made.reasons.get(),
                facts: logged.facts.get() != made.facts.get(),
                errors: logged.errors.get() != made.errors.get(),
            };
            let mut json = String::with_capacity(entry.decision.len());
            crate::json::compact(&entry.decision, &mut json);
            (json, changed, logged.outcome(), logged.action)
        }
    };
    if !changed.any() {
        replayed.tally.add(None, position, changed);
        return true;
    }
    let key = GroupKey {
        action: new_decision.action.clone().or(old_action),
        old: old_outcome,
        new: Outcome::of(&new_decision),
    };
    replayed.tally.add(Some(key), position, changed);
    if report == Report::Json {
        out.push_str("{\"kind\":\"change\",\"line\":");
        out.push_str(&position.to_string());
        out.push_str(",\"decision_id\":");
        crate::json::write_str(out, &entry.decision_id);
        out.push_str(",\"time\":");
        crate::json::write_str(out, &crate::decision_log::query::time_text(entry.time_us));
        out.push_str(",\"request\":");
        if format == Format::Json && serde_json::from_str::<&RawValue>(request).is_ok() {
            crate::json::compact(request, out);
        } else {
            crate::json::write_str(out, request);
        }
        out.push_str(",\"old\":");
        out.push_str(&old_json);
        out.push_str(",\"new\":");
        out.push_str(&new_json);
        out.push_str(",\"changed\":[");
        for (i, name) in changed.names().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::json::write_str(out, name);
        }
        out.push_str("]}\n");
    }
    true
}

/// The object of an entry that cannot be replayed.
fn not_replayed_json(out: &mut String, position: usize, entry: &Stored) {
    out.push_str("{\"kind\":\"not_replayed\",\"line\":");
    out.push_str(&position.to_string());
    out.push_str(",\"decision_id\":");
    crate::json::write_str(out, &entry.decision_id);
    out.push_str(",\"reason\":");
    let reason = if entry.request.is_none() {
        "the log does not hold the request (a YAML request under --log-mask, or a body that could not be read)"
    } else {
        "the entry's request format, time or decision cannot be read"
    };
    crate::json::write_str(out, reason);
    out.push_str("}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision_log::{DecisionLog, Entry};
    use std::path::Path;

    const NOW_US: i64 = 1_795_593_600_123_456; // 2026-11-25T08:00:00.123456Z

    /// A log written through the writer API: each request decided under `policy` at
    /// the entry's time, as the server does.
    fn write_log(path: &Path, policy: &Policy, requests: &[(&str, &'static str)]) {
        let log = DecisionLog::open(&Target::Sqlite(path.to_path_buf()), true).unwrap();
        for (n, (request, format)) in requests.iter().enumerate() {
            let time_us = NOW_US + n as i64;
            let now = DateTime::<Utc>::from_timestamp_micros(time_us).unwrap();
            let document = Document {
                text: request,
                line: 1,
                format: if *format == "json" {
                    Format::Json
                } else {
                    Format::Yaml
                },
                oversized: None,
                not_utf8: false,
            };
            let decision = policy.decide_document(&document, &Options::at(now));
            let entry = Entry {
                decision_id: format!("id-{n}"),
                time_us,
                revision: policy.revision().as_str().to_string(),
                action: decision.action.clone(),
                allow: decision.allow,
                request: Some(request.to_string()),
                request_format: *format,
                decision: decision.to_json(),
                actor_id: None,
            };
            log.submit_blocking(entry).unwrap().wait().unwrap();
        }
        log.close().unwrap();
    }

    #[test]
    fn a_replay_under_the_same_policy_changes_nothing_and_under_another_shows_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("log.db");
        let target = Target::Sqlite(db.clone());
        let policy = Policy::embedded().unwrap();
        // get_keys without `at`: its fact is the decision's time + 14 days, to the
        // microsecond.
        let keys = r#"{"action":"get_keys","actor":{"kind":"partner","roles":["admin_agent"]},"order":{"status":"active"}}"#;
        write_log(
            &db,
            &policy,
            &[
                (keys, "json"),
                (
                    "action: exchange\nactor: {kind: partner, roles: [admin_agent]}\n",
                    "yaml",
                ),
            ],
        );
        let mut out = Vec::new();
        let same = run(
            &target,
            &Query::default(),
            Old::Logged,
            &policy,
            None,
            Report::Json,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            (same.tally.requests, same.tally.changed, same.not_replayed),
            (2, 0, 0)
        );
        assert!(out.is_empty());
        // Another time for requests without `at`: the fact changes.
        let later = crate::parse_time("2026-12-01T00:00:00Z").unwrap();
        let moved = run(
            &target,
            &Query::default(),
            Old::Logged,
            &policy,
            Some(later),
            Report::Json,
            &mut out,
        )
        .unwrap();
        assert_eq!(moved.tally.changed, 1);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("{\"kind\":\"change\",\"line\":1,\"decision_id\":\"id-0\",\"time\":\"2026-11-25T08:00:00.123456Z\",\"request\":{\"action\":\"get_keys\""), "{text}");
        assert!(
            text.trim_end().ends_with("\"changed\":[\"facts\"]}"),
            "{text}"
        );
        // Decided again under an old policy instead of the log's decisions.
        let mut out = Vec::new();
        let again = run(
            &target,
            &Query::default(),
            Old::Policy(&policy),
            &policy,
            None,
            Report::Json,
            &mut out,
        )
        .unwrap();
        assert_eq!(again.tally.changed, 0);
    }
}
