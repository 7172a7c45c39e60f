//! One decision into what the server answers and what it logs: the decision's JSON
//! line exactly as `eval --format json` writes it ([`Decision::write_json`]), with a
//! `"decision_id"` (a UUID v7: time-ordered, unique) added as its last member; and the
//! log entry (the request as received, masked).

use chrono::{DateTime, Utc};

use super::state::State;
use crate::decision_log::{record, Entry};
use crate::json::write_str;
use crate::stream::Document;
use crate::{Decision, Policy};

/// A new decision id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Appends `decision` as `eval`'s JSON line with `"decision_id":ID` as its last member
/// (no newline); returns the plain line (without the id) when `keep_plain`, for the log.
pub fn write_answer(
    decision: &Decision,
    id: &str,
    out: &mut String,
    keep_plain: bool,
) -> Option<String> {
    let start = out.len();
    decision.write_json(out);
    let plain = keep_plain.then(|| out.get(start..).unwrap_or("").to_string());
    // The line ends with the object's closing brace: the id goes before it.
    if out.ends_with('}') {
        out.pop();
    }
    out.push_str(",\"decision_id\":");
    write_str(out, id);
    out.push('}');
    plain
}

/// The log entry of a decision made at `made` ([`State::clock`]), or `None` without a
/// log. `plain` is the decision's line without its id; the request is `document`'s
/// text, masked ([`record::entry`]).
pub fn entry(
    state: &State,
    policy: &Policy,
    document: &Document<'_>,
    decision: &Decision,
    (id, made): (String, DateTime<Utc>),
    plain: Option<String>,
) -> Option<Entry> {
    let plain = plain?;
    state.log.as_ref()?;
    Some(record::entry(
        document,
        decision,
        policy.revision().as_str(),
        &state.masks,
        (id, made),
        plain,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_evals_line_with_the_id_last() {
        let policy = Policy::embedded().unwrap();
        let now = crate::parse_time("2026-11-25T12:00:00Z").unwrap();
        let decision = policy.decide_json(r#"{"action":"purchase"}"#, now);
        let mut out = String::new();
        let plain = write_answer(&decision, "0190-x", &mut out, true).unwrap();
        assert_eq!(plain, decision.to_json());
        assert_eq!(
            out,
            format!("{},\"decision_id\":\"0190-x\"}}", &plain[..plain.len() - 1])
        );
    }

    #[test]
    fn ids_are_uuid_v7_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'7');
        assert!(a < b);
    }
}
