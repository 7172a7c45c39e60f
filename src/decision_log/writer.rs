//! The log's writer, the same for every backend: one thread owns the connection
//! ([`Backend`]: SQLite or PostgreSQL), takes what is queued and commits it as one group,
//! and answers every waiter; the queue is bounded (back-pressure, never a drop).

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::target::Target;
use super::Entry;
use crate::limits::{LOG_BATCH, LOG_GATHER_POLL, LOG_GATHER_WAIT, LOG_QUEUE};

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
    /// The PostgreSQL server could not be reached, refused the login, or the URL is
    /// not one it reads.
    #[error("cannot connect to the decision log {target}: {source}")]
    Connect {
        /// The URL, its password redacted.
        target: String,
        /// What the client said.
        source: postgres::Error,
    },
    /// The PostgreSQL log's table could not be created.
    #[error("cannot create the decision log's table in {target}: {source}")]
    Schema {
        /// The URL, its password redacted.
        target: String,
        /// What the server said.
        source: postgres::Error,
    },
    /// A transaction holding this entry failed; the entry is not in the log.
    #[error("the decision log could not commit: {0}")]
    Commit(String),
    /// The PostgreSQL server stayed unreachable while the writer retried; the entries
    /// of that group are not in the log.
    #[error("the decision log {target} could not be reached for {:.0} s (last: {last})", waited.as_secs_f64())]
    Unreachable {
        /// The URL, its password redacted.
        target: String,
        /// How long the writer tried.
        waited: std::time::Duration,
        /// The last error.
        last: String,
    },
    /// The writer thread is gone (the log was closed, or its thread failed).
    #[error("the decision log is closed")]
    Closed,
}

/// Where the writer commits: one connection of the target's kind.
pub(crate) enum Backend {
    /// An SQLite file.
    Sqlite(super::sqlite::Writer),
    /// A PostgreSQL database (boxed: its settings are large beside a connection handle).
    Postgres(Box<super::postgres::Writer>),
}

impl Backend {
    /// Connects to (or opens) the target and makes sure its schema exists.
    pub(crate) fn open(target: &Target) -> Result<Backend, LogError> {
        Ok(match target {
            Target::Sqlite(path) => Backend::Sqlite(super::sqlite::Writer::open(path)?),
            Target::Postgres(url) => {
                Backend::Postgres(Box::new(super::postgres::Writer::open(url)?))
            }
        })
    }

    /// Commits the entries as one group: all of them or none.
    fn commit(&mut self, entries: &[&Entry]) -> Result<(), LogError> {
        match self {
            Backend::Sqlite(w) => w.commit(entries),
            Backend::Postgres(w) => w.commit(entries),
        }
    }
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
    /// Opens the log at `target` (an SQLite file, created if needed, or a PostgreSQL
    /// database, its table created if needed) and starts its writer. `durable`: a
    /// [`Ticket`] resolves only once its entry is committed; otherwise at once (entries
    /// still queued when the process dies are lost: at most [`LOG_QUEUE`] +
    /// [`LOG_BATCH`]).
    pub fn open(target: &Target, durable: bool) -> Result<DecisionLog, LogError> {
        let backend = Backend::open(target)?;
        let (queue, rx) = mpsc::channel(LOG_QUEUE);
        let thread = std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || write_loop(backend, rx))
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

/// The writer: takes what is queued (up to [`LOG_BATCH`] entries), commits it in one
/// transaction, answers every waiter, and goes on until the queue is closed and empty.
fn write_loop(mut backend: Backend, mut rx: mpsc::Receiver<Message>) {
    let mut batch: Vec<Message> = Vec::with_capacity(LOG_BATCH);
    // Callers answered by the last commit: in the durable mode each is likely to come
    // back with its next decision while the next group is gathered.
    let mut expected = 0;
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        take_queued(&mut rx, &mut batch);
        gather(&mut rx, &mut batch, expected, LOG_GATHER_WAIT);
        let entries: Vec<&Entry> = batch
            .iter()
            .filter_map(|m| match m {
                Message::Entry(e, _) => Some(e),
                Message::Flush(_) => None,
            })
            .collect();
        let result = if entries.is_empty() {
            Ok(())
        } else {
            backend.commit(&entries).map_err(|e| e.to_string())
        };
        expected = batch
            .iter()
            .filter(|m| matches!(m, Message::Entry(_, Some(_))))
            .count();
        let unwaited = batch
            .iter()
            .filter(|m| matches!(m, Message::Entry(_, None)))
            .count();
        if let (Err(e), true) = (&result, unwaited > 0) {
            // The asynchronous mode: nobody waits for these entries; say that they are lost.
            eprintln!("csp-policy: {unwaited} decision-log entries are lost: {e}");
        }
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

/// Moves what is queued into `batch`, up to [`LOG_BATCH`] messages, without waiting.
fn take_queued(rx: &mut mpsc::Receiver<Message>, batch: &mut Vec<Message>) {
    while batch.len() < LOG_BATCH {
        match rx.try_recv() {
            Ok(message) => batch.push(message),
            Err(_) => break,
        }
    }
}

/// Group commit's gathering: while the group is smaller than the number of callers the
/// last commit answered (`expected`, who come back with their next decisions within a
/// round trip), waits for them, at most `wait` ([`LOG_GATHER_WAIT`]). Without it, under
/// closed-loop load, the first caller back is committed alone (one `fsync`), the
/// others wait for the next commit, and the callers split into groups that each wait
/// for the other's `fsync`. A caller that waits alone (`expected` is 0 or 1) never
/// waits here; the asynchronous mode never does (no caller waits for a commit).
fn gather(
    rx: &mut mpsc::Receiver<Message>,
    batch: &mut Vec<Message>,
    expected: usize,
    wait: Duration,
) {
    let target = expected.min(LOG_BATCH);
    if batch.len() >= target || wait.is_zero() {
        return;
    }
    let deadline = Instant::now() + wait;
    while batch.len() < target {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // tokio's timers tick in milliseconds: poll the queue instead, briefly.
        std::thread::sleep(LOG_GATHER_POLL.min(deadline - now));
        let before = batch.len();
        take_queued(rx, batch);
        if batch.len() == before && rx.is_closed() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision_log::{Query, Stored};
    use rusqlite::Connection;

    fn sqlite(path: &std::path::Path) -> Target {
        Target::Sqlite(path.to_path_buf())
    }

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
            actor_id: Some(format!("actor-{}", n % 3)),
        }
    }

    #[test]
    fn every_entry_submitted_is_committed_before_its_ticket_resolves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(&sqlite(&path), true).unwrap();
        let tickets: Vec<_> = (0..3000)
            .map(|n| log.submit_blocking(entry(n)).unwrap())
            .collect();
        for t in tickets {
            t.wait().unwrap();
        }
        let stored: Vec<Stored> = Query::default().run(&sqlite(&path)).unwrap();
        assert_eq!(stored.len(), 3000);
        assert_eq!(stored[2999].decision_id, "id-2999");
    }

    #[test]
    fn closing_the_log_commits_what_is_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(&sqlite(&path), false).unwrap();
        for n in 0..500 {
            log.submit_blocking(entry(n)).unwrap().wait().unwrap();
        }
        log.close().unwrap();
        assert_eq!(Query::default().run(&sqlite(&path)).unwrap().len(), 500);
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
        let log = Arc::new(DecisionLog::open(&sqlite(&path), true).unwrap());
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
        assert_eq!(Query::default().run(&sqlite(&path)).unwrap().len(), total);
    }

    /// Entries of every shape (no action, no request, no actor, YAML) committed as one
    /// group: each is stored as it was given, in order.
    #[test]
    fn every_entry_of_a_group_is_stored_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(&sqlite(&path), true).unwrap();
        let entries: Vec<Entry> = (0..69)
            .map(|n| {
                let mut e = entry(n);
                if n % 3 == 0 {
                    e.action = None;
                }
                if n % 5 == 0 {
                    e.request = None;
                    e.request_format = "yaml";
                }
                if n % 7 == 0 {
                    e.actor_id = None;
                }
                e
            })
            .collect();
        // Queued while the writer is held up, so that they are committed as one group.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let tickets: Vec<_> = entries
            .iter()
            .map(|e| log.submit_blocking(e.clone()).unwrap())
            .collect();
        other.execute_batch("COMMIT").unwrap();
        for t in tickets {
            t.wait().unwrap();
        }
        let stored: Vec<Stored> = Query::default().run(&sqlite(&path)).unwrap();
        assert_eq!(stored.len(), entries.len());
        for (stored, given) in stored.iter().zip(&entries) {
            assert_eq!(stored.decision_id, given.decision_id);
            assert_eq!(stored.time_us, given.time_us);
            assert_eq!(stored.action, given.action);
            assert_eq!(stored.allow, given.allow);
            assert_eq!(stored.request, given.request);
            assert_eq!(stored.request_format, given.request_format);
            assert_eq!(stored.decision, given.decision);
            assert_eq!(stored.revision, given.revision);
            assert_eq!(stored.actor_id, given.actor_id);
        }
    }

    fn queue_with(n: i64) -> (mpsc::Sender<Message>, mpsc::Receiver<Message>, Vec<Message>) {
        let (tx, rx) = mpsc::channel(LOG_QUEUE);
        let batch = (0..n).map(|n| Message::Entry(entry(n), None)).collect();
        (tx, rx, batch)
    }

    /// The callers answered by the last commit come back one by one: the writer waits
    /// for them (the group is whole) rather than committing the first alone, and stops
    /// waiting as soon as they are all there.
    #[test]
    fn the_writer_waits_for_the_callers_of_the_last_commit() {
        let (tx, mut rx, mut batch) = queue_with(1);
        let sender = std::thread::spawn(move || {
            for n in 1..4 {
                std::thread::sleep(Duration::from_millis(20));
                tx.blocking_send(Message::Entry(entry(n), None)).unwrap();
            }
            tx // kept open: the writer must not wait for the channel to close
        });
        let started = Instant::now();
        gather(&mut rx, &mut batch, 4, Duration::from_secs(60));
        assert_eq!(batch.len(), 4);
        assert!(started.elapsed() < Duration::from_secs(30));
        drop(sender.join().unwrap());
    }

    /// A caller alone, or a group already whole, is committed at once; a caller who
    /// does not come back is waited for at most the given time.
    #[test]
    fn the_writer_never_waits_for_more_than_it_expects_or_longer_than_allowed() {
        let (_tx, mut rx, mut batch) = queue_with(1);
        let started = Instant::now();
        gather(&mut rx, &mut batch, 1, Duration::from_secs(60));
        gather(&mut rx, &mut batch, 0, Duration::from_secs(60));
        assert!(started.elapsed() < Duration::from_secs(30));
        gather(&mut rx, &mut batch, 2, Duration::from_millis(30));
        assert_eq!(batch.len(), 1);
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn a_new_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let log = DecisionLog::open(&sqlite(&path), true).unwrap();
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

    /// A PostgreSQL server that cannot be reached: the log is not opened, and the error
    /// names the target without its password.
    #[test]
    fn an_unreachable_postgres_target_is_refused_without_its_password() {
        // Port 1 on loopback: nothing listens there.
        let target = Target::parse("postgres://csp:s3cret-pw@127.0.0.1:1/log");
        let e = DecisionLog::open(&target, true).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, LogError::Connect { .. }), "{e:?}");
        assert!(
            text.contains("postgres://csp:***@127.0.0.1:1/log"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
        assert!(!format!("{e:?}").contains("s3cret"), "{e:?}");
    }
}
