//! The PostgreSQL backend of the decision log (`--decision-log postgres://...`): several
//! servers (and `eval`s) can write one log.
//!
//! - **Schema**: created if missing, in one transaction holding an advisory lock, so
//!   servers starting at once do not race (`CREATE TABLE IF NOT EXISTS` alone may fail
//!   when two run together); the same columns as the SQLite log, with indexes for time,
//!   action and actor.
//! - **Writing**: a group is one `INSERT ... SELECT FROM UNNEST(...)` (one round trip,
//!   atomic), with `synchronous_commit = on` for the session whatever the server's
//!   default, so that a committed entry is on the server's disk.
//! - **A lost connection** (or a server shutting down, out of resources, a serialization
//!   failure): the writer reconnects with backoff ([`LOG_RETRY_FIRST`] doubling up to
//!   [`LOG_RETRY_MAX`]) and commits the same group again, with `ON CONFLICT
//!   (decision_id) DO NOTHING` (the lost attempt may have committed). Meanwhile nothing
//!   is acknowledged: the queue fills and deciders wait. After [`LOG_RETRY_FOR`] the
//!   group fails (its decisions are refused, never answered unlogged) and the next
//!   group starts trying again. Any other error fails the group at once.
//! - PostgreSQL text cannot hold the NUL character: one in a request or an action is
//!   stored as U+FFFD.
//! - The URL's password is never printed ([`Target::redacted`]). The connection has no
//!   TLS in this build (`sslmode=require` is refused when connecting).

use std::borrow::Cow;
use std::time::Instant;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Statement};

use super::query::{Query, QueryError, Stored};
use super::target::Target;
use super::writer::LogError;
use super::Entry;
use crate::limits::{
    LOG_CONNECT_TIMEOUT, LOG_READ_ROWS, LOG_RETRY_FIRST, LOG_RETRY_FOR, LOG_RETRY_MAX,
};

/// The advisory lock held while the schema is created ("csp_log" in ASCII).
const SCHEMA_LOCK: i64 = 0x0063_7370_5f6c_6f67;

/// The log's table and indexes (idempotent; run under [`SCHEMA_LOCK`]).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id TEXT NOT NULL UNIQUE,
    time_us BIGINT NOT NULL,
    revision TEXT NOT NULL,
    action TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'deny')),
    request TEXT,
    request_format TEXT NOT NULL,
    decision TEXT NOT NULL,
    actor_id TEXT
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time_us);
CREATE INDEX IF NOT EXISTS decisions_action_time ON decisions (action, time_us);
CREATE INDEX IF NOT EXISTS decisions_actor_time ON decisions (actor_id, time_us);
";

/// One group of entries, in order (`WITH ORDINALITY`: the identity follows the order).
const INSERT: &str = "INSERT INTO decisions
    (decision_id, time_us, revision, action, outcome, request, request_format, decision, actor_id)
    SELECT d, t, r, a, o, q, f, x, c FROM UNNEST(
        $1::text[], $2::int8[], $3::text[], $4::text[], $5::text[],
        $6::text[], $7::text[], $8::text[], $9::text[])
        WITH ORDINALITY AS u(d, t, r, a, o, q, f, x, c, n)
    ORDER BY n";

/// The connection settings read from `url`, with a connect timeout when it gives none.
fn config(url: &str, target: &str) -> Result<Config, LogError> {
    let config: Config = url.parse().map_err(|source| LogError::Connect {
        target: target.to_string(),
        source,
    })?;
    Ok(with_defaults(config))
}

/// A connect timeout and an application name, when the URL gives none.
fn with_defaults(mut config: Config) -> Config {
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(LOG_CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("csp-policy");
    }
    config
}

/// A connection ready to insert.
struct Connected {
    client: Client,
    insert: Statement,
    insert_again: Statement,
}

impl Connected {
    fn new(config: &Config) -> Result<Connected, postgres::Error> {
        let mut client = config.connect(NoTls)?;
        client.batch_execute("SET synchronous_commit = on")?;
        let insert = client.prepare(INSERT)?;
        let insert_again =
            client.prepare(&format!("{INSERT} ON CONFLICT (decision_id) DO NOTHING"))?;
        Ok(Connected {
            client,
            insert,
            insert_again,
        })
    }
}

/// The writer's connection, remade when it is lost.
pub(crate) struct Writer {
    config: Config,
    /// The URL as it may be printed.
    target: String,
    connected: Option<Connected>,
}

impl Writer {
    /// Connects, creates the schema if needed, and prepares the insert. A server that
    /// cannot be reached, a refused login, a missing database: an error naming the
    /// (redacted) target.
    pub(crate) fn open(url: &str) -> Result<Writer, LogError> {
        let target = Target::Postgres(url.to_string()).redacted();
        let config = config(url, &target)?;
        let connect = |source| LogError::Connect {
            target: target.clone(),
            source,
        };
        let mut client = config.connect(NoTls).map_err(connect)?;
        create_schema(&mut client).map_err(|source| LogError::Schema {
            target: target.clone(),
            source,
        })?;
        drop(client);
        let connected = Connected::new(&config).map_err(connect)?;
        Ok(Writer {
            config,
            target,
            connected: Some(connected),
        })
    }

    /// Commits the entries as one statement; on a lost connection reconnects and tries
    /// again (see the module doc), for at most [`LOG_RETRY_FOR`].
    pub(crate) fn commit(&mut self, entries: &[&Entry]) -> Result<(), LogError> {
        let columns = Columns::of(entries);
        let started = Instant::now();
        let mut delay = LOG_RETRY_FIRST;
        let mut again = false;
        loop {
            let error = match self.try_commit(&columns, again) {
                Ok(()) => {
                    if again {
                        eprintln!(
                            "csp-policy: the decision log {} is reachable again; {} entries committed after {:.1} s",
                            self.target,
                            entries.len(),
                            started.elapsed().as_secs_f64()
                        );
                    }
                    return Ok(());
                }
                Err(e) => e,
            };
            let closed = self.connected.as_ref().is_none_or(|c| c.client.is_closed());
            if !closed && !retryable(&error) {
                return Err(LogError::Commit(error.to_string()));
            }
            if !again {
                eprintln!(
                    "csp-policy: the decision log {} cannot be written ({error}); retrying for up to {} s, decisions wait",
                    self.target,
                    LOG_RETRY_FOR.as_secs()
                );
            }
            if started.elapsed() + delay > LOG_RETRY_FOR {
                return Err(LogError::Unreachable {
                    target: self.target.clone(),
                    waited: started.elapsed(),
                    last: error.to_string(),
                });
            }
            again = true;
            self.connected = None;
            std::thread::sleep(delay);
            delay = (delay * 2).min(LOG_RETRY_MAX);
        }
    }

    fn try_commit(&mut self, columns: &Columns<'_>, again: bool) -> Result<(), postgres::Error> {
        if self.connected.is_none() {
            self.connected = Some(Connected::new(&self.config)?);
        }
        let Some(c) = self.connected.as_mut() else {
            return Ok(());
        };
        let statement = if again { &c.insert_again } else { &c.insert };
        c.client.execute(statement, &columns.params())?;
        Ok(())
    }
}

/// Whether an error is worth a new connection and another try: the connection's
/// errors (class 08), a server shutting down (57P01-57P03), insufficient resources
/// (class 53), a serialization failure or deadlock (class 40), or an error that is not
/// the server's (the socket).
fn retryable(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.as_db_error() {
        None => true,
        Some(db) => {
            let code = db.code().code();
            ["08", "53", "40", "57P"]
                .iter()
                .any(|class| code.starts_with(class))
        }
    }
}

/// Creates the table and indexes under the advisory lock, in one transaction.
fn create_schema(client: &mut Client) -> Result<(), postgres::Error> {
    let mut transaction = client.transaction()?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    transaction.batch_execute(SCHEMA)?;
    transaction.commit()
}

/// Text PostgreSQL can hold: a NUL character becomes U+FFFD.
fn pg_text(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A group of entries as the insert's nine arrays.
struct Columns<'e> {
    ids: Vec<Cow<'e, str>>,
    times: Vec<i64>,
    revisions: Vec<Cow<'e, str>>,
    actions: Vec<Option<Cow<'e, str>>>,
    outcomes: Vec<&'static str>,
    requests: Vec<Option<Cow<'e, str>>>,
    formats: Vec<&'static str>,
    decisions: Vec<Cow<'e, str>>,
    actors: Vec<Option<Cow<'e, str>>>,
}

impl<'e> Columns<'e> {
    fn of(entries: &[&'e Entry]) -> Columns<'e> {
        let n = entries.len();
        let mut c = Columns {
            ids: Vec::with_capacity(n),
            times: Vec::with_capacity(n),
            revisions: Vec::with_capacity(n),
            actions: Vec::with_capacity(n),
            outcomes: Vec::with_capacity(n),
            requests: Vec::with_capacity(n),
            formats: Vec::with_capacity(n),
            decisions: Vec::with_capacity(n),
            actors: Vec::with_capacity(n),
        };
        for e in entries {
            c.ids.push(pg_text(&e.decision_id));
            c.times.push(e.time_us);
            c.revisions.push(pg_text(&e.revision));
            c.actions.push(e.action.as_deref().map(pg_text));
            c.outcomes.push(e.outcome());
            c.requests.push(e.request.as_deref().map(pg_text));
            c.formats.push(e.request_format);
            c.decisions.push(pg_text(&e.decision));
            c.actors.push(e.actor_id.as_deref().map(pg_text));
        }
        c
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 9] {
        [
            &self.ids,
            &self.times,
            &self.revisions,
            &self.actions,
            &self.outcomes,
            &self.requests,
            &self.formats,
            &self.decisions,
            &self.actors,
        ]
    }
}

/// Hands every entry of the log at `url` that `query` matches to `each`, in commit
/// order, through a cursor read [`LOG_READ_ROWS`] rows at a time (a log of any size in
/// bounded memory).
pub(crate) fn each(
    query: &Query,
    url: &str,
    each: &mut dyn FnMut(Stored) -> std::io::Result<()>,
) -> Result<(), QueryError> {
    let target = Target::Postgres(url.to_string()).redacted();
    let failed = |source| QueryError::Postgres {
        target: target.clone(),
        source,
    };
    let config: Config = url.parse().map_err(failed)?;
    let config = with_defaults(config);
    let mut client = config.connect(NoTls).map_err(failed)?;
    let mut sql = String::from(
        "SELECT decision_id, time_us, revision, action, outcome, request, request_format, decision, actor_id
         FROM decisions WHERE true",
    );
    let from = query.from.map(|t| t.timestamp_micros());
    let to = query.to.map(|t| t.timestamp_micros());
    let outcome = query.allow.map(Entry::<&str>::outcome_of);
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    if let Some(from) = &from {
        params.push(from);
        sql.push_str(&format!(" AND time_us >= ${}", params.len()));
    }
    if let Some(to) = &to {
        params.push(to);
        sql.push_str(&format!(" AND time_us <= ${}", params.len()));
    }
    if !query.actions.is_empty() {
        params.push(&query.actions);
        sql.push_str(&format!(" AND action = ANY(${})", params.len()));
    }
    if !query.actors.is_empty() {
        params.push(&query.actors);
        sql.push_str(&format!(" AND actor_id = ANY(${})", params.len()));
    }
    if let Some(outcome) = &outcome {
        params.push(outcome);
        sql.push_str(&format!(" AND outcome = ${}", params.len()));
    }
    sql.push_str(" ORDER BY seq");
    let mut transaction = client.transaction().map_err(failed)?;
    let portal = transaction.bind(&sql, &params).map_err(failed)?;
    loop {
        let rows = transaction
            .query_portal(&portal, LOG_READ_ROWS)
            .map_err(failed)?;
        let got = rows.len();
        for row in rows {
            let outcome: String = row.try_get(4).map_err(failed)?;
            let format: String = row.try_get(6).map_err(failed)?;
            let stored = Stored {
                decision_id: row.try_get(0).map_err(failed)?,
                time_us: row.try_get(1).map_err(failed)?,
                revision: row.try_get(2).map_err(failed)?,
                action: row.try_get(3).map_err(failed)?,
                allow: outcome == "allow",
                request: row.try_get(5).map_err(failed)?,
                request_format: format,
                decision: row.try_get(7).map_err(failed)?,
                actor_id: row.try_get(8).map_err(failed)?,
            };
            each(stored).map_err(QueryError::Stopped)?;
        }
        if got < LOG_READ_ROWS as usize {
            break;
        }
    }
    Ok(())
}
