//! The log's writer: one thread, one SQLite connection, group commit, a bounded queue.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use rusqlite::{params, Connection};
use tokio::sync::{mpsc, oneshot};

use super::{Entry, SCHEMA};
use crate::limits::{LOG_BATCH, LOG_BUSY_TIMEOUT, LOG_QUEUE};

/// Why the log could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The database could not be opened or set up.
    #[error("cannot open the decision log {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// SQLite would not put the database in WAL mode (a file system without shared
    /// memory, a database another program uses in another mode).
    #[error("the decision log {} cannot use WAL mode (journal_mode = {mode})", path.display())]
    NotWal {
        /// The database file.
        path: PathBuf,
        /// The mode SQLite kept.
        mode: String,
    },
    /// The database file could not be created.
    #[error("cannot create the decision log {}: {source}", path.display())]
    Create {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A transaction holding this entry failed; the entry is not in the log.
    #[error("the decision log could not commit: {0}")]
    Commit(String),
    /// The writer thread is gone (the log was closed, or its thread failed).
    #[error("the decision log is closed")]
    Closed,
    /// The target is a kind of log this build cannot write.
    #[error("{0}")]
    Unsupported(String),
}

/// What the queue carries.
enum Message {
    /// An entry, with whom to tell once it is committed (none in the asynchronous mode).
    Entry(Entry, Option<oneshot::Sender<Result<(), LogError>>>),
    /// Commit everything queued before this, then answer.
    Flush(oneshot::Sender<Result<(), LogError>>),
}

/// A queued entry's promise: resolves once the entry is committed (or its transaction
/// failed).
#[derive(Debug)]
pub struct Ticket(Option<oneshot::Receiver<Result<(), LogError>>>);

impl Ticket {
    /// Waits (asynchronously) until the entry is committed.
    pub async fn committed(self) -> Result<(), LogError> {
        match self.0 {
            None => Ok(()),
            Some(rx) => rx.await.unwrap_or(Err(LogError::Closed)),
        }
    }

    /// Waits (blocking the thread: not on an async runtime's worker) until the entry is
    /// committed.
    pub fn wait(self) -> Result<(), LogError> {
        match self.0 {
            None => Ok(()),
            Some(rx) => rx.blocking_recv().unwrap_or(Err(LogError::Closed)),
        }
    }
}

/// The handle to the decision log: cheap to share (`Arc`), many deciders submit, one
/// thread writes.
#[derive(Debug)]
pub struct DecisionLog {
    queue: mpsc::Sender<Message>,
    durable: bool,
    thread: JoinHandle<()>,
}

impl DecisionLog {
    /// Opens (creating it if needed) the SQLite log at `target` and starts its writer.
    /// `durable`: a [`Ticket`] resolves only once its entry is committed; otherwise at
    /// once (entries still queued when the process dies are lost: at most
    /// [`LOG_QUEUE`] + [`LOG_BATCH`]). A `postgres://` target is refused in this build.
    pub fn open(target: &str, durable: bool) -> Result<DecisionLog, LogError> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            return Err(LogError::Unsupported(
                "a PostgreSQL decision log is not supported yet: give a file path (SQLite)".into(),
            ));
        }
        let path = Path::new(target);
        let connection = open_for_writing(path)?;
        let (queue, rx) = mpsc::channel(LOG_QUEUE);
        let thread = std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || write_loop(connection, rx))
            .map_err(|e| LogError::Commit(format!("cannot start the writer thread: {e}")))?;
        Ok(DecisionLog {
            queue,
            durable,
            thread,
        })
    }

    /// Whether tickets wait for the commit.
    pub fn is_durable(&self) -> bool {
        self.durable
    }

    /// Entries queued and not yet taken by the writer.
    pub fn backlog(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    fn message(&self, entry: Entry) -> (Message, Ticket) {
        if self.durable {
            let (tx, rx) = oneshot::channel();
            (Message::Entry(entry, Some(tx)), Ticket(Some(rx)))
        } else {
            (Message::Entry(entry, None), Ticket(None))
        }
    }

    /// Queues an entry, waiting (asynchronously) while the queue is full.
    pub async fn submit(&self, entry: Entry) -> Result<Ticket, LogError> {
        let (message, ticket) = self.message(entry);
        self.queue
            .send(message)
            .await
            .map_err(|_| LogError::Closed)?;
        Ok(ticket)
    }

    /// Queues an entry, blocking the thread while the queue is full (not on an async
    /// runtime's worker).
    pub fn submit_blocking(&self, entry: Entry) -> Result<Ticket, LogError> {
        let (message, ticket) = self.message(entry);
        self.queue
            .blocking_send(message)
            .map_err(|_| LogError::Closed)?;
        Ok(ticket)
    }

    /// Commits everything queued so far and waits for it (asynchronously).
    pub async fn flush(&self) -> Result<(), LogError> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send(Message::Flush(tx))
            .await
            .map_err(|_| LogError::Closed)?;
        rx.await.unwrap_or(Err(LogError::Closed))
    }

    /// Closes the queue, lets the writer commit everything left in it, and waits for the
    /// writer to stop (blocking the thread). Every clone of the handle's users must be
    /// done submitting (the queue closes only when this handle is gone).
    pub fn close(self) -> Result<(), LogError> {
        let DecisionLog { queue, thread, .. } = self;
        drop(queue);
        thread.join().map_err(|_| LogError::Closed)
    }

    /// Commits everything queued so far and waits for it (blocking the thread).
    pub fn flush_blocking(&self) -> Result<(), LogError> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .blocking_send(Message::Flush(tx))
            .map_err(|_| LogError::Closed)?;
        rx.blocking_recv().unwrap_or(Err(LogError::Closed))
    }
}

/// Opens the database for the writer (a new file is created with mode 0600): WAL, `synchronous = FULL` (a committed entry
/// survives a crash of the process and of the machine), the schema created if needed.
fn open_for_writing(path: &Path) -> Result<Connection, LogError> {
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
    Ok(connection)
}

/// The writer: takes what is queued (up to [`LOG_BATCH`] entries), commits it in one
/// transaction, answers every waiter, and goes on until the queue is closed and empty.
fn write_loop(mut connection: Connection, mut rx: mpsc::Receiver<Message>) {
    let mut batch: Vec<Message> = Vec::with_capacity(LOG_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < LOG_BATCH {
            match rx.try_recv() {
                Ok(message) => batch.push(message),
                Err(_) => break,
            }
        }
        let result = commit(&mut connection, &batch).map_err(|e| e.to_string());
        for message in batch.drain(..) {
            let waiter = match message {
                Message::Entry(_, waiter) => waiter,
                Message::Flush(waiter) => Some(waiter),
            };
            if let Some(waiter) = waiter {
                let _ = waiter.send(result.clone().map_err(LogError::Commit));
            }
        }
    }
}

/// Inserts the batch's entries in one transaction.
fn commit(connection: &mut Connection, batch: &[Message]) -> Result<(), rusqlite::Error> {
    let transaction = connection.transaction()?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO decisions (decision_id, time_us, revision, action, outcome, request, request_format, decision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for message in batch {
            if let Message::Entry(e, _) = message {
                insert.execute(params![
                    e.decision_id,
                    e.time_us,
                    e.revision,
                    e.action,
                    if e.allow { "allow" } else { "deny" },
                    e.request,
                    e.request_format,
                    e.decision,
                ])?;
            }
        }
    }
    transaction.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision_log::{Query, Stored};

    fn entry(n: i64) -> Entry {
        Entry {
            decision_id: format!("id-{n}"),
            time_us: n,
            revision: "rev".into(),
            action: Some("purchase".into()),
            allow: n % 2 == 0,
            request: Some(format!("{{\"n\":{n}}}")),
            request_format: "json",
            decision: "{\"decision\":\"deny\"}".into(),
        }
    }

    #[test]
    fn every_entry_submitted_is_committed_before_its_ticket_resolves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(path.to_str().unwrap(), true).unwrap();
        let tickets: Vec<_> = (0..3000)
            .map(|n| log.submit_blocking(entry(n)).unwrap())
            .collect();
        for t in tickets {
            t.wait().unwrap();
        }
        let stored: Vec<Stored> = Query::default().run(&path).unwrap();
        assert_eq!(stored.len(), 3000);
        assert_eq!(stored[2999].decision_id, "id-2999");
    }

    #[test]
    fn closing_the_log_commits_what_is_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(path.to_str().unwrap(), false).unwrap();
        for n in 0..500 {
            log.submit_blocking(entry(n)).unwrap().wait().unwrap();
        }
        log.close().unwrap();
        assert_eq!(Query::default().run(&path).unwrap().len(), 500);
    }

    /// While the database is locked by another process's writer, the queue fills and
    /// submitting waits (back-pressure); once the lock is released everything queued is
    /// committed: nothing is dropped.
    #[test]
    fn a_full_queue_makes_submitters_wait_and_drops_nothing() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = Arc::new(DecisionLog::open(path.to_str().unwrap(), true).unwrap());
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let total = LOG_QUEUE + 2 * LOG_BATCH + 10;
        let submitted = Arc::new(AtomicUsize::new(0));
        let submitter = {
            let (log, submitted) = (log.clone(), submitted.clone());
            std::thread::spawn(move || {
                let mut tickets = Vec::new();
                for n in 0..total {
                    tickets.push(log.submit_blocking(entry(n as i64)).unwrap());
                    submitted.fetch_add(1, Ordering::SeqCst);
                }
                tickets
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(700));
        let waiting_at = submitted.load(Ordering::SeqCst);
        assert!(
            waiting_at < total,
            "the queue did not hold back: {waiting_at}"
        );
        assert!(waiting_at >= LOG_QUEUE, "{waiting_at}");
        other.execute_batch("COMMIT").unwrap();
        for ticket in submitter.join().unwrap() {
            ticket.wait().unwrap();
        }
        assert_eq!(Query::default().run(&path).unwrap().len(), total);
    }

    #[test]
    fn a_new_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(path.to_str().unwrap(), true).unwrap();
        log.submit_blocking(entry(1)).unwrap().wait().unwrap();
        for file in ["log.db", "log.db-wal"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
        }
        log.close().unwrap();
    }

    #[test]
    fn a_postgres_target_is_refused_with_a_reason() {
        let e = DecisionLog::open("postgres://localhost/log", true).unwrap_err();
        assert!(e.to_string().contains("PostgreSQL"), "{e}");
    }
}
