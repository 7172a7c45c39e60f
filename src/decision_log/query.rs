//! Reading the decision log (`csp-policy log`): entries in the order they were
//! committed, filtered by time range, action, actor and outcome, streamed one at a time
//! (a log of any size is read in bounded memory), each written as one JSON line or one
//! text line. The backend's own reading is in `sqlite.rs` and `postgres.rs`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde_json::value::RawValue;

use super::target::Target;
use crate::json::write_str;

/// Which entries to read. Empty fields filter nothing.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Entries made at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries made at or before this time.
    pub to: Option<DateTime<Utc>>,
    /// Entries whose action is one of these.
    pub actions: Vec<String>,
    /// Entries whose actor (`actor.id`, as stored when the entry was written: never a
    /// masked one) is one of these.
    pub actors: Vec<String>,
    /// Entries with this outcome (true: allow).
    pub allow: Option<bool>,
}

/// Why the log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// There is no log file there.
    #[error("{}: no decision log there", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file is not a decision log SQLite can read.
    #[error("cannot read the decision log {}: {source}", path.display())]
    Read {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The PostgreSQL log could not be reached or read.
    #[error("cannot read the decision log {target}: {source}")]
    Postgres {
        /// The URL, its password redacted.
        target: String,
        /// What the client said.
        source: postgres::Error,
    },
    /// The caller stopped the reading (writing an entry failed).
    #[error("{0}")]
    Stopped(std::io::Error),
}

/// One entry as read back.
pub type Stored = super::Entry<String>;

impl Query {
    /// Reads every matching entry, in commit order, into a vector (for small logs and
    /// tests; [`Query::each`] streams).
    pub fn run(&self, target: &Target) -> Result<Vec<Stored>, QueryError> {
        let mut all = Vec::new();
        self.each(target, &mut |s| {
            all.push(s);
            Ok(())
        })?;
        Ok(all)
    }

    /// Hands every matching entry to `each`, in commit order, one at a time; stops at
    /// the first error `each` returns. Reading never creates a log.
    pub fn each(
        &self,
        target: &Target,
        each: &mut dyn FnMut(Stored) -> std::io::Result<()>,
    ) -> Result<(), QueryError> {
        match target {
            Target::Sqlite(path) => super::sqlite::each(self, path, each),
            Target::Postgres(url) => super::postgres::each(self, url, each),
        }
    }
}

/// A time in microseconds since 1970 as RFC 3339 UTC with microseconds.
pub fn time_text(time_us: i64) -> String {
    match DateTime::<Utc>::from_timestamp_micros(time_us) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        None => time_us.to_string(),
    }
}

/// Appends `text` as a JSON value when it is one (on one line), else as a JSON string.
fn write_json_or_string(out: &mut String, text: &str) {
    match serde_json::from_str::<&RawValue>(text) {
        Ok(raw) => crate::json::compact(raw.get(), out),
        Err(_) => write_str(out, text),
    }
}

impl Stored {
    /// The entry as one JSON line (no newline): `decision_id`, `time`, `revision`,
    /// `action`, `outcome`, `request` (the JSON request itself; a YAML request as a
    /// string; `null` when not stored), `request_format`, `decision`.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"decision_id\":");
        write_str(out, &self.decision_id);
        out.push_str(",\"time\":");
        write_str(out, &time_text(self.time_us));
        out.push_str(",\"revision\":");
        write_str(out, &self.revision);
        out.push_str(",\"action\":");
        match &self.action {
            Some(a) => write_str(out, a),
            None => out.push_str("null"),
        }
        out.push_str(",\"outcome\":");
        write_str(out, if self.allow { "allow" } else { "deny" });
        out.push_str(",\"request\":");
        match &self.request {
            Some(r) if self.request_format == "json" => write_json_or_string(out, r),
            Some(r) => write_str(out, r),
            None => out.push_str("null"),
        }
        out.push_str(",\"request_format\":");
        write_str(out, &self.request_format);
        out.push_str(",\"decision\":");
        write_json_or_string(out, &self.decision);
        out.push('}');
    }

    /// The entry as one line for people: time, outcome, action, id, revision (short).
    pub fn write_text(&self, out: &mut String) {
        out.push_str(&time_text(self.time_us));
        out.push_str(if self.allow { "  ALLOW " } else { "  DENY  " });
        out.push_str(&crate::decision::visible(
            self.action.as_deref().unwrap_or("(no action)"),
        ));
        out.push_str("  ");
        out.push_str(&self.decision_id);
        out.push_str("  revision ");
        out.push_str(self.revision.get(..12).unwrap_or(&self.revision));
    }
}
