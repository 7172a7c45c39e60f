//! `csp-policy serve`: the decision server (docs: DESIGN's "Decision server" contract).
//!
//! tokio + axum over hyper's HTTP/1.1 connections, with the limits of
//! [`crate::limits`] (body, head, timeouts, connections). Every decision goes through
//! the library's one path ([`crate::Policy::decide_document`], the batch's
//! [`crate::Context`] for NDJSON) and is written by [`crate::Decision::write_json`], so
//! an answer is `eval --format json`'s line for the same request plus a
//! `"decision_id"`. The modules:
//!
//! - [`state`]: what the handlers share: the policy being served (swapped whole on
//!   reload), the options, the decision log, the metrics;
//! - [`answer`]: one decision into its answer line and its log entry;
//! - [`routes`]: the endpoints, the token check, the status codes;
//! - [`ndjson`]: `POST /v1/decide` as a stream, both ways, in bounded memory;
//! - [`playground`]: the playground's page and its two endpoints (`--playground`);
//! - [`reload`]: SIGHUP and file changes; a broken policy is refused;
//! - [`metrics`]: the Prometheus text of `GET /metrics`;
//! - [`listen`]: the accept loop, the connection limits and the graceful drain.

pub mod answer;
pub mod listen;
pub mod metrics;
pub mod ndjson;
pub mod playground;
pub mod reload;
pub mod routes;
pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::decision_log::mask::FieldPath;
use crate::decision_log::{DecisionLog, LogError, Target};

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Policy files and folders; the embedded policy when empty.
    pub policies: Vec<PathBuf>,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The time used for requests without `at` (tests and replays); the current time
    /// of each request when absent.
    pub now: Option<DateTime<Utc>>,
    /// The bearer token required on `/v1/*`, when given.
    pub token: Option<String>,
    /// The decision log's target (an SQLite file path or a PostgreSQL URL), when given.
    pub decision_log: Option<String>,
    /// Answer before the log entry is committed (the asynchronous mode).
    pub log_async: bool,
    /// Request fields removed before logging.
    pub masks: Vec<FieldPath>,
    /// Watch the policy files and reload when they change.
    pub watch: bool,
    /// Serve the playground (`GET /`, `/v1/playground`).
    pub playground: bool,
}

/// Why the server could not start or stopped badly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The policy could not be loaded.
    #[error("{0}")]
    Policy(#[from] crate::LoadError),
    /// The decision log could not be opened.
    #[error("{0}")]
    Log(#[from] LogError),
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime, a signal handler or the file watcher could not be set up.
    #[error("cannot start the server: {0}")]
    Setup(String),
    /// The decision log could not be flushed at shutdown.
    #[error("the decision log could not be flushed at shutdown: {0}")]
    Flush(LogError),
}

/// Loads the policy, opens the log, listens, and serves until SIGTERM or SIGINT; then
/// stops accepting, drains the requests in flight, flushes the log and returns.
/// `ready` is called with the address bound (port 0 becomes a real port) once the
/// server accepts connections and its signal handlers are installed.
pub fn run(config: Config, ready: &mut dyn FnMut(SocketAddr)) -> Result<(), ServeError> {
    let policy = reload::load(&config.policies)?;
    let log = match &config.decision_log {
        Some(target) => Some(Arc::new(DecisionLog::open(
            &Target::parse(target),
            !config.log_async,
        )?)),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("csp-serve")
        .build()
        .map_err(|e| ServeError::Setup(e.to_string()))?;
    let state = Arc::new(state::State::new(policy, &config, log.clone()));
    let result = runtime.block_on(serve(state, &config, ready));
    drop(runtime);
    if let Some(log) = log {
        // Every handler is done: this is the last handle. Commit what is left.
        match Arc::try_unwrap(log) {
            Ok(log) => log.close().map_err(ServeError::Flush)?,
            Err(log) => log.flush_blocking().map_err(ServeError::Flush)?,
        }
    }
    result
}

async fn serve(
    state: Arc<state::State>,
    config: &Config,
    ready: &mut dyn FnMut(SocketAddr),
) -> Result<(), ServeError> {
    use tokio::signal::unix::{signal, SignalKind};
    let setup = |e: std::io::Error| ServeError::Setup(e.to_string());
    let mut term = signal(SignalKind::terminate()).map_err(setup)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(setup)?;
    let mut hangup = signal(SignalKind::hangup()).map_err(setup)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: config.listen,
        source,
    })?;
    let _watcher = if config.watch && !config.policies.is_empty() {
        Some(reload::watch(state.clone(), &config.policies).map_err(ServeError::Setup)?)
    } else {
        None
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let signals = {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => break,
                    _ = interrupt.recv() => break,
                    _ = hangup.recv() => reload::reload(&state, "SIGHUP").await,
                }
            }
            eprintln!(
                "csp-policy serve: stopping: no new connections; draining requests in flight"
            );
            let _ = stop_tx.send(true);
        })
    };
    ready(addr);
    listen::accept_until(listener, routes::router(state.clone()), stop_rx).await;
    signals.abort();
    match &state.log {
        Some(log) => {
            log.flush().await.map_err(ServeError::Flush)?;
            eprintln!("csp-policy serve: stopped; the decision log is flushed");
        }
        None => eprintln!("csp-policy serve: stopped"),
    }
    Ok(())
}
