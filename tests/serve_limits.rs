//! The connection limits of `csp-policy serve`: a client that does not finish its
//! request head is cut after `SERVE_HEAD_TIMEOUT` (an idle keep-alive connection too),
//! and past `SERVE_CONNECTIONS` a new connection waits for a place instead of
//! exhausting the server.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use csp_policy::limits::{SERVE_CONNECTIONS, SERVE_HEAD_TIMEOUT};
use harness::*;

/// Reads until the server closes the connection; how long that took.
fn closed_after(mut stream: TcpStream) -> (Duration, String) {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(SERVE_HEAD_TIMEOUT * 3))
        .unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    (
        started.elapsed(),
        String::from_utf8_lossy(&out).into_owned(),
    )
}

#[test]
fn a_slow_or_silent_client_is_cut_after_the_head_timeout() {
    let server = Server::start(&[]);
    let addr = server.base.strip_prefix("http://").unwrap().to_string();
    let silent = TcpStream::connect(&addr).unwrap();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // An idle keep-alive connection, after one request.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let threads: Vec<_> = [silent, slow, idle]
        .into_iter()
        .map(|s| std::thread::spawn(move || closed_after(s)))
        .collect();
    for (n, thread) in threads.into_iter().enumerate() {
        let (took, answer) = thread.join().unwrap();
        assert!(
            took >= SERVE_HEAD_TIMEOUT - Duration::from_millis(500)
                && took < SERVE_HEAD_TIMEOUT * 2,
            "connection {n} closed after {took:?}"
        );
        if n == 2 {
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    }
    // The server is fine.
    assert_eq!(get(&server.url("/health"), None).status, 200);
}

#[test]
fn past_the_connection_limit_a_new_client_waits_for_a_place() {
    let server = Server::start(&[]);
    let addr = server.base.strip_prefix("http://").unwrap().to_string();
    let started = Instant::now();
    // Every place taken by a connection that sends nothing.
    let idle: Vec<TcpStream> = (0..SERVE_CONNECTIONS)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    // Let the server accept them all.
    std::thread::sleep(Duration::from_millis(500));
    let reply = get(&server.url("/health"), None);
    let took = started.elapsed();
    assert_eq!(reply.status, 200);
    // Answered only once the idle ones were cut by the head timeout.
    assert!(
        took >= SERVE_HEAD_TIMEOUT - Duration::from_millis(500),
        "{took:?}"
    );
    drop(idle);
    let started = Instant::now();
    assert_eq!(get(&server.url("/health"), None).status, 200);
    assert!(started.elapsed() < Duration::from_secs(2));
}
