//! The accept loop: HTTP/1.1 connections (keep-alive) served by hyper with the
//! server's limits: at most [`SERVE_CONNECTIONS`] at once (past it, new connections
//! wait in the kernel's queue), a request head of at most [`SERVE_HEADER_BYTES`]
//! (431 past it) that must arrive within [`SERVE_HEAD_TIMEOUT`] (which also closes an
//! idle keep-alive connection). On stop: the listener is closed (no new connection),
//! every connection finishes its request in flight and closes, for at most
//! [`SERVE_DRAIN_TIMEOUT`].

use std::sync::Arc;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::limits::{
    SERVE_CONNECTIONS, SERVE_DRAIN_TIMEOUT, SERVE_HEADER_BYTES, SERVE_HEAD_TIMEOUT,
};

/// Serves connections from `listener` with `router` until `stop` turns true, then
/// drains.
pub async fn accept_until(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(SERVE_CONNECTIONS));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(SERVE_HEAD_TIMEOUT)
        .max_buf_size(SERVE_HEADER_BYTES)
        .keep_alive(true);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, go on.
                    eprintln!("csp-policy serve: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SERVE_DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "csp-policy serve: connections still open after {} s are cut",
            SERVE_DRAIN_TIMEOUT.as_secs()
        );
    }
}
