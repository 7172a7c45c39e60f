//! The decision log: every decision the server (or `eval --decision-log`) makes, with
//! its `decision_id`, the time it was made, the policy revision, the request as received
//! (fields removed by `--log-mask`), its actor and the decision, in an SQLite database
//! (WAL; a file path) or a PostgreSQL database (a `postgres://` URL, which lets several
//! servers write one log).
//!
//! Writing ([`writer`]): one thread owns the connection ([`writer::Backend`]: `sqlite`
//! or `postgres`) and commits in groups: it takes every entry queued while the previous
//! group was committing and commits them together, so a busy server pays one `fsync`
//! for many decisions. The queue is bounded ([`crate::limits::LOG_QUEUE`]): a full
//! queue makes the deciders wait (back-pressure), never drops an entry. In the durable
//! mode (the default) a decision is answered only once its entry is committed
//! ([`Ticket`]). Reading ([`query`]) is `csp-policy log`. Masking ([`mask`]) removes
//! request fields before the entry is queued; [`record`] makes an entry of a decision;
//! [`keep`] logs `eval`'s decisions; [`target`] tells the two kinds of target apart and
//! never prints a password.

pub mod keep;
pub mod mask;
mod postgres;
pub mod query;
pub mod record;
mod sqlite;
pub mod target;
pub mod writer;

pub use query::{Query, QueryError, Stored};
pub use target::Target;
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
    /// The request's `actor.id` when it is text, read from the stored request (so never
    /// a masked one), for `log --actor`.
    pub actor_id: Option<String>,
}

impl<Format> Entry<Format> {
    /// The outcome as the log stores it: `allow` or `deny`.
    pub fn outcome(&self) -> &'static str {
        Self::outcome_of(self.allow)
    }

    /// `allow` for true, `deny` for false.
    pub fn outcome_of(allow: bool) -> &'static str {
        if allow {
            "allow"
        } else {
            "deny"
        }
    }
}
