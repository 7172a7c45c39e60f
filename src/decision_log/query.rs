//! Reading the decision log (`csp-policy log`): entries in the order they were
//! committed, filtered by time range, action and outcome, streamed one at a time (a
//! log of any size is read in bounded memory), each written as one JSON line or one
//! text line.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use serde_json::value::RawValue;

use crate::json::write_str;
use crate::limits::LOG_BUSY_TIMEOUT;

/// Which entries to read. Empty fields filter nothing.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Entries made at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries made at or before this time.
    pub to: Option<DateTime<Utc>>,
    /// Entries whose action is one of these.
    pub actions: Vec<String>,
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
    /// The caller stopped the reading (writing an entry failed).
    #[error("{0}")]
    Stopped(std::io::Error),
}

/// One entry as read back.
pub type Stored = super::Entry<String>;

impl Query {
    /// Reads every matching entry, in commit order, into a vector (for small logs and
    /// tests; [`Query::each`] streams).
    pub fn run(&self, path: &Path) -> Result<Vec<Stored>, QueryError> {
        let mut all = Vec::new();
        self.each(path, &mut |s| {
            all.push(s);
            Ok(())
        })?;
        Ok(all)
    }

    /// Hands every matching entry to `each`, in commit order, one at a time; stops at
    /// the first error `each` returns.
    pub fn each(
        &self,
        path: &Path,
        each: &mut dyn FnMut(Stored) -> std::io::Result<()>,
    ) -> Result<(), QueryError> {
        if !path.is_file() {
            return Err(QueryError::Missing {
                path: path.to_path_buf(),
            });
        }
        let read = |source| QueryError::Read {
            path: path.to_path_buf(),
            source,
        };
        // Read-write without create: reading a WAL database may need its shared-memory
        // file; nothing is written.
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(read)?;
        connection.busy_timeout(LOG_BUSY_TIMEOUT).map_err(read)?;
        let mut sql = String::from(
            "SELECT decision_id, time_us, revision, action, outcome, request, request_format, decision
             FROM decisions WHERE 1 = 1",
        );
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(from) = self.from {
            sql.push_str(" AND time_us >= ?");
            values.push(from.timestamp_micros().into());
        }
        if let Some(to) = self.to {
            sql.push_str(" AND time_us <= ?");
            values.push(to.timestamp_micros().into());
        }
        if !self.actions.is_empty() {
            sql.push_str(" AND action IN (");
            for (i, action) in self.actions.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
                values.push(action.clone().into());
            }
            sql.push(')');
        }
        if let Some(allow) = self.allow {
            sql.push_str(" AND outcome = ?");
            values.push(String::from(if allow { "allow" } else { "deny" }).into());
        }
        sql.push_str(" ORDER BY seq");
        let mut statement = connection.prepare(&sql).map_err(read)?;
        let mut rows = statement
            .query(rusqlite::params_from_iter(values))
            .map_err(read)?;
        while let Some(row) = rows.next().map_err(read)? {
            let outcome: String = row.get(4).map_err(read)?;
            let stored = Stored {
                decision_id: row.get(0).map_err(read)?,
                time_us: row.get(1).map_err(read)?,
                revision: row.get(2).map_err(read)?,
                action: row.get(3).map_err(read)?,
                allow: outcome == "allow",
                request: row.get(5).map_err(read)?,
                request_format: row.get(6).map_err(read)?,
                decision: row.get(7).map_err(read)?,
            };
            each(stored).map_err(QueryError::Stopped)?;
        }
        Ok(())
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
