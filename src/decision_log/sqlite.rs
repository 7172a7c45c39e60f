//! The SQLite backend of the decision log (the default kind: a file path). The writer's
//! connection uses WAL and `synchronous = FULL` (a committed entry survives a crash of
//! the process and of the machine); a new file is readable by its owner only. Reading
//! opens the file without creating it and streams the rows.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags};

use super::query::{Query, QueryError, Stored};
use super::writer::LogError;
use super::Entry;
use crate::limits::LOG_BUSY_TIMEOUT;

/// The SQL that creates the log's table and indexes (idempotent). `actor_id` is added
/// to a log written before it had the column ([`migrate`]).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL UNIQUE,
    time_us INTEGER NOT NULL,
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
";

/// The index of `log --actor`, created once the column exists.
const ACTOR_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS decisions_actor_time ON decisions (actor_id, time_us);";

/// The writer's connection to one database file.
pub(crate) struct Writer(Connection);

impl Writer {
    /// Opens (creating it with mode 0600 if needed) the database at `path` for writing:
    /// WAL, `synchronous = FULL`, the schema created or brought up to date.
    pub(crate) fn open(path: &Path) -> Result<Writer, LogError> {
        // A new log holds requests (people's ids, tenants): readable by its owner only.
        // SQLite gives its WAL and shared-memory files the database file's permissions.
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|source| LogError::Create {
                    path: path.to_path_buf(),
                    source,
                })?;
        }
        let sqlite = |source| LogError::Open {
            path: path.to_path_buf(),
            source,
        };
        let connection = Connection::open(path).map_err(sqlite)?;
        connection.busy_timeout(LOG_BUSY_TIMEOUT).map_err(sqlite)?;
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(sqlite)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(LogError::NotWal {
                path: path.to_path_buf(),
                mode,
            });
        }
        connection
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(sqlite)?;
        connection.execute_batch(SCHEMA).map_err(sqlite)?;
        migrate(&connection).map_err(sqlite)?;
        Ok(Writer(connection))
    }

    /// Inserts the entries in one transaction.
    pub(crate) fn commit(&mut self, entries: &[&Entry]) -> Result<(), LogError> {
        insert(&mut self.0, entries).map_err(|e| LogError::Commit(e.to_string()))
    }
}

/// Adds the `actor_id` column (and its index) to a log written before it existed; its
/// old entries keep no actor (they cannot be found by `--actor`).
fn migrate(connection: &Connection) -> Result<(), rusqlite::Error> {
    let has_actor: bool = connection.query_row(
        "SELECT count(*) FROM pragma_table_info('decisions') WHERE name = 'actor_id'",
        [],
        |row| row.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !has_actor {
        connection.execute_batch("ALTER TABLE decisions ADD COLUMN actor_id TEXT;")?;
    }
    connection.execute_batch(ACTOR_INDEX)
}

fn insert(connection: &mut Connection, entries: &[&Entry]) -> Result<(), rusqlite::Error> {
    let transaction = connection.transaction()?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO decisions (decision_id, time_us, revision, action, outcome, request, request_format, decision, actor_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for e in entries {
            insert.execute(params![
                e.decision_id,
                e.time_us,
                e.revision,
                e.action,
                e.outcome(),
                e.request,
                e.request_format,
                e.decision,
                e.actor_id,
            ])?;
        }
    }
    transaction.commit()
}

/// Hands every entry of the log at `path` that `query` matches to `each`, in commit
/// order, one row at a time.
pub(crate) fn each(
    query: &Query,
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
    // A log written before `actor_id` existed has no such column: its entries have no actor.
    let has_actor: bool = connection
        .query_row(
            "SELECT count(*) FROM pragma_table_info('decisions') WHERE name = 'actor_id'",
            [],
            |row| row.get::<_, i64>(0).map(|n| n > 0),
        )
        .map_err(read)?;
    let mut sql = format!(
        "SELECT decision_id, time_us, revision, action, outcome, request, request_format, decision, {}
         FROM decisions WHERE 1 = 1",
        if has_actor { "actor_id" } else { "NULL" }
    );
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let mut next = |sql: &mut String, value: rusqlite::types::Value| {
        values.push(value);
        sql.push_str(&format!("?{}", values.len()));
    };
    if let Some(from) = query.from {
        sql.push_str(" AND time_us >= ");
        next(&mut sql, from.timestamp_micros().into());
    }
    if let Some(to) = query.to {
        sql.push_str(" AND time_us <= ");
        next(&mut sql, to.timestamp_micros().into());
    }
    if !query.actions.is_empty() {
        sql.push_str(" AND action IN (");
        for (i, action) in query.actions.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            next(&mut sql, action.clone().into());
        }
        sql.push(')');
    }
    if !query.actors.is_empty() {
        if !has_actor {
            return Ok(());
        }
        sql.push_str(" AND actor_id IN (");
        for (i, actor) in query.actors.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            next(&mut sql, actor.clone().into());
        }
        sql.push(')');
    }
    if let Some(allow) = query.allow {
        sql.push_str(" AND outcome = ");
        next(
            &mut sql,
            String::from(Entry::<&str>::outcome_of(allow)).into(),
        );
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
            actor_id: row.get(8).map_err(read)?,
        };
        each(stored).map_err(QueryError::Stopped)?;
    }
    Ok(())
}
