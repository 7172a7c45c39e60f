//! `POST /v1/decide` with `application/x-ndjson`: a stream in, one decision per line out,
//! in order, streamed both ways in bounded memory.
//!
//! Three parts: a task reads the body's pieces into a bounded channel (each piece
//! waited for at most [`SERVE_BODY_IDLE_TIMEOUT`]); a blocking thread splits them into
//! records with the library's splitter ([`Records`], JSON Lines, the framing `eval`
//! uses for `.ndjson`), decides each with one [`Context`] on the policy the stream
//! started with, and writes the answer lines in chunks into a second bounded channel,
//! which is the response body. A chunk is sent when it is full
//! ([`CHUNK_RECORDS`]/[`CHUNK_BYTES`]), when the client has sent nothing more for now
//! (so an interactive client gets each answer at once), and at the end; in the durable
//! mode only once every entry of the chunk is committed. A slow reader of answers
//! fills the second channel and so slows the reading of requests: memory stays bounded
//! whatever the stream's length. A body that fails or stops arriving ends the response
//! with an error (the client sees a broken transfer, never a stream silently short).

use std::io::{BufRead, Read};
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Buf, Bytes};
use http_body_util::BodyExt;
use tokio::sync::mpsc;

use super::answer::{entry, new_id, write_answer};
use super::state::State;
use crate::decision_log::Ticket;
use crate::limits::{CHUNK_BYTES, CHUNK_RECORDS, SERVE_BODY_IDLE_TIMEOUT, SERVE_STREAM_FRAMES};
use crate::stream::{Framing, Input, Records};
use crate::{Context, Options};

type Piece = Result<Bytes, std::io::Error>;

/// Starts deciding the stream `body` and answers with the stream of decisions.
pub fn respond(state: Arc<State>, explain: bool, body: Body) -> Response {
    let (in_tx, in_rx) = mpsc::channel::<Piece>(SERVE_STREAM_FRAMES);
    let (out_tx, out_rx) = mpsc::channel::<Piece>(SERVE_STREAM_FRAMES);
    tokio::spawn(pump(body, in_tx));
    tokio::task::spawn_blocking(move || decide_stream(&state, explain, in_rx, &out_tx));
    let answers = futures_util::stream::unfold(out_rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    });
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        Body::from_stream(answers),
    )
        .into_response()
}

/// Moves the body's pieces into `tx`; a failure or a timeout is sent as an error.
async fn pump(mut body: Body, tx: mpsc::Sender<Piece>) {
    loop {
        let frame = match tokio::time::timeout(SERVE_BODY_IDLE_TIMEOUT, body.frame()).await {
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "the stream stopped arriving for {} s",
                    SERVE_BODY_IDLE_TIMEOUT.as_secs()
                ),
            )),
            Ok(None) => return,
            Ok(Some(Err(e))) => Err(std::io::Error::other(e.to_string())),
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) if data.is_empty() => continue,
                Ok(data) => Ok(data),
                Err(_) => continue,
            },
        };
        let failed = frame.is_err();
        if tx.send(frame).await.is_err() || failed {
            return;
        }
    }
}

/// The body's pieces as the splitter's input: blocking reads on the channel.
struct ChannelInput {
    rx: mpsc::Receiver<Piece>,
    current: Bytes,
    ended: bool,
}

impl Read for ChannelInput {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ChannelInput {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.current.is_empty() && !self.ended {
            match self.rx.blocking_recv() {
                Some(Ok(piece)) => self.current = piece,
                Some(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                None => self.ended = true,
            }
        }
        Ok(&self.current)
    }

    fn consume(&mut self, amount: usize) {
        self.current.advance(amount.min(self.current.len()));
    }
}

impl Input for ChannelInput {
    /// Nothing in hand and nothing queued while the body is still open: reading on
    /// would wait for the client.
    fn stalled(&mut self) -> bool {
        self.current.is_empty() && !self.ended && self.rx.is_empty() && !self.rx.is_closed()
    }
}

/// The answers decided and not yet sent, with their log tickets.
struct Chunk {
    text: String,
    records: usize,
    tickets: Vec<Ticket>,
}

impl Chunk {
    /// Waits for the chunk's entries to be committed, then sends it; false when the
    /// stream must stop (a commit failed: the error ends the response; or the client is
    /// gone).
    fn send(&mut self, state: &State, out: &mpsc::Sender<Piece>) -> bool {
        for ticket in self.tickets.drain(..) {
            if let Err(e) = ticket.wait() {
                state.metrics.log_failed();
                let _ = out.blocking_send(Err(std::io::Error::other(format!(
                    "{e}; the decisions after the last line sent are not given"
                ))));
                return false;
            }
        }
        self.records = 0;
        if self.text.is_empty() {
            return true;
        }
        let text = std::mem::take(&mut self.text);
        out.blocking_send(Ok(Bytes::from(text))).is_ok()
    }
}

/// Splits, decides, logs and answers the whole stream (on a blocking thread).
fn decide_stream(
    state: &State,
    explain: bool,
    rx: mpsc::Receiver<Piece>,
    out: &mpsc::Sender<Piece>,
) {
    let serving = state.serving.load_full();
    let policy = &serving.policy;
    let mut context = Context::new(policy);
    let input = ChannelInput {
        rx,
        current: Bytes::new(),
        ended: false,
    };
    let mut records = Records::with_framing(input, Some(Framing::JsonLines));
    let mut text = String::new();
    let mut chunk = Chunk {
        text: String::new(),
        records: 0,
        tickets: Vec::new(),
    };
    let mut wait = false;
    loop {
        let next = if wait {
            Poll::Ready(records.next_into(&mut text))
        } else {
            records.poll_into(&mut text)
        };
        wait = false;
        match next {
            Poll::Ready(Some(placed)) => {
                let started = Instant::now();
                let document = placed.document(&text);
                let made = State::clock();
                let options = Options {
                    now: state.now_at(made),
                    explain,
                    coverage: false,
                };
                let decision = context.decide(&document, &options);
                let id = new_id();
                let plain = write_answer(decision, &id, &mut chunk.text, state.log.is_some());
                chunk.text.push('\n');
                chunk.records += 1;
                state
                    .metrics
                    .decided(policy, decision, started.elapsed().as_secs_f64());
                if let (Some(log), Some(entry)) = (
                    &state.log,
                    entry(state, policy, &document, decision, (id, made), plain),
                ) {
                    match log.submit_blocking(entry) {
                        Ok(ticket) => chunk.tickets.push(ticket),
                        Err(e) => {
                            state.metrics.log_failed();
                            let _ = out.blocking_send(Err(std::io::Error::other(e.to_string())));
                            return;
                        }
                    }
                }
                text.clear();
                if (chunk.records >= CHUNK_RECORDS || chunk.text.len() >= CHUNK_BYTES)
                    && !chunk.send(state, out)
                {
                    return;
                }
            }
            Poll::Ready(None) => {
                if chunk.send(state, out) {
                    if let Some(e) = records.io_error.take() {
                        let _ = out.blocking_send(Err(e));
                    }
                }
                return;
            }
            Poll::Pending => {
                if !chunk.send(state, out) {
                    return;
                }
                wait = true;
            }
        }
    }
}
