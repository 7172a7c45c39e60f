//! The decision log: every decision the server makes, with its `decision_id`, the time
//! it was made, the policy revision, the request as received (fields removed by
//! `--log-mask`) and the decision, in an SQLite database (WAL).
//!
//! Writing ([`writer`]): one thread owns the connection and commits in groups: it takes
//! every entry queued while the previous transaction was committing and commits them
//! together, so a busy server pays one `fsync` for many decisions. The queue is bounded
//! ([`crate::limits::LOG_QUEUE`]): a full queue makes the deciders wait (back-pressure),
//! never drops an entry. In the durable mode (the default) a decision is answered only
//! once its entry is committed ([`Ticket`]). Reading ([`query`]) is `csp-policy log`.
//! Masking ([`mask`]) removes request fields before the entry is queued.

pub mod mask;
pub mod query;
pub mod writer;

pub use query::{Query, QueryError, Stored};
pub use writer::{DecisionLog, LogError, Ticket};

/// One decision as the log keeps it: written with its format as a fixed word, read
/// back ([`Stored`]) with the word the log holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<Format = &'static str> {
    /// The decision's id (a UUID v7, as the answer gives it).
    pub decision_id: String,
    /// When it was made, in microseconds since 1970-01-01T00:00:00Z (UTC).
    pub time_us: i64,
    /// The policy revision that made it.
    pub revision: String,
    /// The action as the request wrote it, if any.
    pub action: Option<String>,
    /// True for allow.
    pub allow: bool,
    /// The request as received (after masking); `None` when a mask could not be
    /// applied to it (a YAML request: never stored unmasked).
    pub request: Option<String>,
    /// How the request was written: `json` or `yaml`.
    pub request_format: Format,
    /// The decision as `eval --format json` writes it (one line, no `decision_id`).
    pub decision: String,
}

/// The SQL that creates the log's table and indexes (idempotent).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL UNIQUE,
    time_us INTEGER NOT NULL,
    revision TEXT NOT NULL,
    action TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'deny')),
    request TEXT,
    request_format TEXT NOT NULL,
    decision TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time_us);
CREATE INDEX IF NOT EXISTS decisions_action_time ON decisions (action, time_us);
";
