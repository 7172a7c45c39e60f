//! Deciding a whole stream: documents are read in chunks, decided on several threads,
//! and the decisions written in input order, with memory bounded whatever the input's
//! length.
//!
//! The calling thread reads and writes: it splits the input into chunks (up to
//! [`crate::limits::CHUNK_RECORDS`] documents or [`crate::limits::CHUNK_BYTES`] of text), hands them to worker
//! threads, and writes the finished chunks strictly in sequence. A fixed pool of chunk
//! buffers is recycled (at most two per worker, plus one): the reader waits for a free
//! one, so at most that many chunks exist at once, and once they have grown to size
//! nothing is allocated per request. Each worker keeps one [`Context`].
//!
//! A live input that goes quiet (a pipe whose writer waits for an answer) ends the chunk
//! being filled at once, however small; and before the reader waits for more input,
//! every chunk in hand is decided, written and the output flushed. So a request written
//! to a pipe gets its decision while the pipe stays open. A file never goes quiet, so
//! files are read in full chunks as before.
//!
//! An input that fits in one chunk, or `jobs` = 1, is decided on the calling thread
//! with no thread started.

use crate::limits::{CHUNK_BYTES, CHUNK_KEEP_BYTES, CHUNK_RECORDS};
use std::fmt::Write as _;
use std::io::Write;
use std::sync::mpsc;
use std::sync::Mutex;

use super::{Context, Options};
use crate::policy::CompiledPolicy;
use crate::request::stream::{Input, Placed, Records};
use std::task::Poll;

/// How decisions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// One JSON object per line.
    Json,
    /// One YAML document per decision.
    Yaml,
    /// Text for people, each decision headed by the request's line.
    Text,
}

/// How to run a batch.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Worker threads (1: everything on the calling thread).
    pub jobs: usize,
    /// How to write decisions.
    pub rendering: Rendering,
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Documents decided (and written, unless writing failed).
    pub count: u64,
    /// Whether every decision was allow.
    pub all_allow: bool,
    /// Writing the decisions failed (a closed pipe): the batch stopped there.
    pub write_failed: bool,
}

/// What a batch does with each chunk of documents, on a worker thread: `eval` decides
/// and renders each document ([`run`]); `diff` decides each under two policies and
/// compares (`crate::diff`). The reading, the threads, the order of the output and the
/// bound on memory are the batch's and the same for every job.
pub(crate) trait Job: Sync {
    /// The state one thread keeps from chunk to chunk (its decision contexts).
    type Worker<'j>
    where
        Self: 'j;
    /// What a chunk adds to the run's totals, merged in input order.
    type Tally: Default + Send;

    /// A new worker's state.
    fn worker(&self) -> Self::Worker<'_>;

    /// Handles the documents of one chunk (`first`: it is the stream's first chunk),
    /// writing the output into `out` and adding to `tally`.
    fn decide(
        &self,
        worker: &mut Self::Worker<'_>,
        documents: Documents<'_>,
        out: &mut String,
        tally: &mut Self::Tally,
    );

    /// Adds a written chunk's tally to the run's.
    fn merge(total: &mut Self::Tally, part: &Self::Tally);

    /// Whether the run stops before writing a chunk with this tally (its output and
    /// everything after it unwritten); its tally is still merged.
    fn stops(_tally: &Self::Tally) -> bool {
        false
    }
}

/// Where each decision is kept before it is written (`eval --decision-log`): a chunk's
/// output is written only once every decision in it is kept; the first failure stops
/// the run before the chunk that holds it.
pub trait Keeper: Sync {
    /// What a chunk's decisions wait on until they are kept.
    type Pending: Default + Send;
    /// Why a decision could not be kept.
    type Error: Send;
    /// Takes one decision (queued: not kept yet).
    fn keep(
        &self,
        document: &crate::request::stream::Document<'_>,
        decision: &crate::Decision,
        pending: &mut Self::Pending,
    ) -> Result<(), Self::Error>;
    /// Waits until every decision taken into `pending` is kept.
    fn settle(&self, pending: Self::Pending) -> Result<(), Self::Error>;
}

/// Keeps nothing (plain `eval`).
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepNothing;

impl Keeper for KeepNothing {
    type Pending = ();
    type Error = std::convert::Infallible;
    fn keep(
        &self,
        _: &crate::request::stream::Document<'_>,
        _: &crate::Decision,
        _: &mut (),
    ) -> Result<(), Self::Error> {
        Ok(())
    }
    fn settle(&self, _: ()) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// The documents of one chunk, in input order.
pub(crate) struct Documents<'c> {
    /// The chunk's text.
    text: &'c str,
    /// Where each document is.
    placed: &'c [Placed],
    /// Whether this is the stream's first chunk.
    pub(crate) first: bool,
}

impl<'c> Documents<'c> {
    /// The documents.
    pub(crate) fn iter(&self) -> impl Iterator<Item = crate::request::stream::Document<'c>> + '_ {
        let text = self.text;
        self.placed.iter().map(move |placed| placed.document(text))
    }
}

/// `eval`'s job: each decision rendered, and kept by the keeper.
struct Render<'p, K> {
    policy: &'p CompiledPolicy,
    options: &'p Options,
    rendering: Rendering,
    /// The policy revision each decision names (`eval --with-revision`).
    revision: Option<&'p str>,
    keeper: &'p K,
}

/// What a chunk of `eval` adds up to.
struct Rendered<E> {
    /// Whether some decision was deny.
    denied: bool,
    /// Why some decision could not be kept.
    not_kept: Option<E>,
}

impl<E> Default for Rendered<E> {
    fn default() -> Self {
        Rendered {
            denied: false,
            not_kept: None,
        }
    }
}

impl<K: Keeper> Job for Render<'_, K>
where
    K::Error: Clone,
{
    type Worker<'j>
        = Context<'j>
    where
        Self: 'j;
    type Tally = Rendered<K::Error>;

    fn worker(&self) -> Context<'_> {
        Context::for_compiled(self.policy)
    }

    fn decide(
        &self,
        context: &mut Context<'_>,
        documents: Documents<'_>,
        out: &mut String,
        tally: &mut Self::Tally,
    ) {
        let mut first = documents.first;
        let rendering = self.rendering;
        let revision = self.revision;
        let mut pending = K::Pending::default();
        context.decide_each(documents.iter(), self.options, |document, decision| {
            tally.denied |= !decision.allow;
            if tally.not_kept.is_none() {
                if let Err(e) = self.keeper.keep(document, decision, &mut pending) {
                    tally.not_kept = Some(e);
                }
            }
            match (rendering, revision) {
                (Rendering::Json, None) => {
                    decision.write_json(out);
                    out.push('\n');
                }
                (Rendering::Json, Some(revision)) => {
                    decision.write_json_with_revision(out, revision);
                    out.push('\n');
                }
                (Rendering::Yaml, None) => decision.write_yaml(out),
                (Rendering::Yaml, Some(revision)) => {
                    decision.write_yaml_with_revision(out, revision)
                }
                (Rendering::Text, revision) => {
                    if !first {
                        out.push('\n');
                    }
                    first = false;
                    let _ = write!(out, "request at line {}: ", document.line);
                    decision.write_text_with(out, revision);
                }
            }
        });
        if let Err(e) = self.keeper.settle(pending) {
            tally.not_kept.get_or_insert(e);
        }
        if tally.not_kept.is_some() {
            out.clear();
        }
    }

    fn merge(total: &mut Self::Tally, part: &Self::Tally) {
        total.denied |= part.denied;
        if total.not_kept.is_none() {
            total.not_kept.clone_from(&part.not_kept);
        }
    }

    fn stops(tally: &Self::Tally) -> bool {
        tally.not_kept.is_some()
    }
}

/// Why [`Chunk::fill`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filled {
    /// The chunk is full.
    Full,
    /// The input is a live one gone quiet: reading on would wait.
    Quiet,
    /// The input is exhausted.
    Ended,
}

/// Progress so far, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Decisions written.
    pub decided: u64,
    /// Input bytes read.
    pub bytes_read: u64,
}

/// A run of documents and, once decided, their output and tally.
#[derive(Debug, Default)]
struct Chunk<T> {
    /// Position in the stream (0 for the first chunk).
    seq: u64,
    /// The documents' text, one after the other.
    text: String,
    /// Where each document is in `text`.
    documents: Vec<Placed>,
    /// The output of the chunk's job.
    out: String,
    /// What the chunk adds to the totals.
    tally: T,
}

impl<T: Default> Chunk<T> {
    /// Empties the chunk for position `seq`, releasing buffers that one huge document
    /// made large.
    fn reset(&mut self, seq: u64) {
        self.seq = seq;
        for buffer in [&mut self.text, &mut self.out] {
            buffer.clear();
            if buffer.capacity() > CHUNK_KEEP_BYTES {
                buffer.shrink_to(CHUNK_BYTES);
            }
        }
        self.documents.clear();
        self.tally = T::default();
    }

    /// Reads documents until the chunk is full, the input ends, or the input is a live
    /// one gone quiet. With `wait`, waits for the first document (the caller has
    /// written everything decided so far); else returns `Quiet` even with no document.
    fn fill<R: Input>(&mut self, records: &mut Records<R>, wait: bool) -> Filled {
        while self.documents.len() < CHUNK_RECORDS && self.text.len() < CHUNK_BYTES {
            let next = if wait && self.documents.is_empty() {
                Poll::Ready(records.next_into(&mut self.text))
            } else {
                records.poll_into(&mut self.text)
            };
            match next {
                Poll::Ready(Some(placed)) => self.documents.push(placed),
                Poll::Ready(None) => return Filled::Ended,
                Poll::Pending => return Filled::Quiet,
            }
        }
        Filled::Full
    }

    /// Runs the job over every document, its output into `out`.
    fn decide<J: Job<Tally = T>>(&mut self, job: &J, worker: &mut J::Worker<'_>) {
        self.out.clear();
        self.tally = T::default();
        let documents = Documents {
            text: &self.text,
            placed: &self.documents,
            first: self.seq == 0,
        };
        job.decide(worker, documents, &mut self.out, &mut self.tally);
    }
}

/// Decides every document of `records` and writes the decisions to `out` in input
/// order. Reading stops at the end of the input or at an I/O error (left in
/// `records.io_error`); writing stops at the first write error. `progress` is called
/// after each chunk is written. When a live input goes quiet, everything decided is
/// written and `out` flushed before reading waits.
pub fn run<R: Input, W: Write>(
    policy: &crate::Policy,
    records: &mut Records<R>,
    out: &mut W,
    options: &Options,
    settings: Settings,
    progress: &mut dyn FnMut(Progress),
) -> Summary {
    run_kept(
        policy,
        records,
        out,
        options,
        settings,
        false,
        &KeepNothing,
        progress,
    )
    .0
}

/// [`run`], with every decision kept by `keeper` before it is written: a chunk's
/// decisions are written only once all of them are kept. The first failure stops the
/// run before the chunk that holds it (the decisions written are all kept) and is
/// returned beside the summary. With `with_revision` every decision also names the
/// policy's revision (`policy_revision` after the facts in JSON and YAML, a `policy
/// revision` line in text): `eval --with-revision`.
#[allow(clippy::too_many_arguments)]
pub fn run_kept<R: Input, W: Write, K: Keeper>(
    policy: &crate::Policy,
    records: &mut Records<R>,
    out: &mut W,
    options: &Options,
    settings: Settings,
    with_revision: bool,
    keeper: &K,
    progress: &mut dyn FnMut(Progress),
) -> (Summary, Option<K::Error>)
where
    K::Error: Clone,
{
    let job = Render {
        policy: &policy.compiled,
        options,
        rendering: settings.rendering,
        revision: with_revision.then(|| policy.revision().as_str()),
        keeper,
    };
    let (run, tally) = run_job(&job, records, out, settings.jobs, progress);
    let summary = Summary {
        count: run.count,
        all_allow: !tally.denied,
        write_failed: run.write_failed,
    };
    (summary, tally.not_kept)
}

/// What [`run_job`] did, besides the job's own tally.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Ran {
    /// Documents handled and written.
    pub(crate) count: u64,
    /// Writing failed (a closed pipe): the run stopped there.
    pub(crate) write_failed: bool,
}

/// Runs `job` over every document of `records` on `jobs` threads, writing each chunk's
/// output to `out` in input order; returns the count and the merged tally (of the
/// chunks written).
pub(crate) fn run_job<J: Job, R: Input, W: Write>(
    job: &J,
    records: &mut Records<R>,
    out: &mut W,
    jobs: usize,
    progress: &mut dyn FnMut(Progress),
) -> (Ran, J::Tally) {
    let mut writer = Writer {
        out,
        ran: Ran::default(),
        tally: J::Tally::default(),
        progress,
    };
    let mut first = Chunk::default();
    first.reset(0);
    let filled = first.fill(records, true);
    if filled == Filled::Ended || jobs <= 1 {
        sequential(job, records, first, filled, &mut writer);
    } else {
        parallel(job, records, first, filled, jobs, &mut writer);
    }
    (writer.ran, writer.tally)
}

/// Writes finished chunks and keeps the tally.
struct Writer<'w, W, T> {
    out: &'w mut W,
    ran: Ran,
    tally: T,
    progress: &'w mut dyn FnMut(Progress),
}

impl<W: Write, T> Writer<'_, W, T> {
    /// Writes one finished chunk; false when writing failed.
    fn write<R, J: Job<Tally = T>>(&mut self, chunk: &Chunk<T>, records: &Records<R>) -> bool {
        if J::stops(&chunk.tally) {
            J::merge(&mut self.tally, &chunk.tally);
            return false;
        }
        if self.out.write_all(chunk.out.as_bytes()).is_err() {
            self.ran.write_failed = true;
            return false;
        }
        self.ran.count += chunk.documents.len() as u64;
        J::merge(&mut self.tally, &chunk.tally);
        (self.progress)(Progress {
            decided: self.ran.count,
            bytes_read: records.bytes_read(),
        });
        true
    }

    /// Flushes what was written (the input went quiet); false when that failed.
    fn flush(&mut self) -> bool {
        if self.out.flush().is_err() {
            self.ran.write_failed = true;
            return false;
        }
        true
    }
}

fn sequential<J: Job, R: Input, W: Write>(
    job: &J,
    records: &mut Records<R>,
    mut chunk: Chunk<J::Tally>,
    mut filled: Filled,
    writer: &mut Writer<'_, W, J::Tally>,
) {
    let mut worker = job.worker();
    loop {
        if !chunk.documents.is_empty() {
            chunk.decide(job, &mut worker);
            if !writer.write::<R, J>(&chunk, records) {
                return;
            }
        }
        if filled == Filled::Ended {
            return;
        }
        chunk.reset(chunk.seq + 1);
        filled = chunk.fill(records, false);
        if filled == Filled::Quiet && chunk.documents.is_empty() {
            // Everything decided is written: show it before waiting for the writer.
            if !writer.flush() {
                return;
            }
            filled = chunk.fill(records, true);
        }
    }
}

fn parallel<J: Job, R: Input, W: Write>(
    job: &J,
    records: &mut Records<R>,
    first: Chunk<J::Tally>,
    filled: Filled,
    jobs: usize,
    writer: &mut Writer<'_, W, J::Tally>,
) {
    // Every chunk that exists is free, queued, being decided or waiting to be written.
    let pool = 2 * jobs + 1;
    let (work_tx, work_rx) = mpsc::channel::<Chunk<J::Tally>>();
    let (done_tx, done_rx) = mpsc::channel::<Chunk<J::Tally>>();
    let work_rx = Mutex::new(work_rx);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            scope.spawn(move || {
                let mut worker = job.worker();
                loop {
                    let next = match work_rx.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    let Ok(mut chunk) = next else { return };
                    chunk.decide(job, &mut worker);
                    if done_tx.send(chunk).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);

        let mut order = Order {
            waiting: (0..pool).map(|_| None).collect(),
            next: 0,
            in_flight: 0,
            free: Vec::with_capacity(pool),
        };
        let mut created = 1;
        let mut next_seq = 1;
        let mut failed = false;
        let mut filled = filled;
        if work_tx.send(first).is_err() {
            return;
        }
        order.in_flight += 1;
        while filled != Filled::Ended && !failed {
            let mut chunk = match order.free.pop() {
                Some(chunk) => chunk,
                None if created < pool => {
                    created += 1;
                    Chunk::default()
                }
                None => {
                    // Every chunk is busy: wait for one to finish and write what is in order.
                    let Ok(done) = done_rx.recv() else { break };
                    failed = !order.finish::<J, R, W>(done, writer, records);
                    continue;
                }
            };
            chunk.reset(next_seq);
            filled = chunk.fill(records, false);
            if filled == Filled::Quiet && chunk.documents.is_empty() {
                // The input is quiet: write every decision before waiting for it.
                while order.in_flight > 0 && !failed {
                    let Ok(done) = done_rx.recv() else { break };
                    failed = !order.finish::<J, R, W>(done, writer, records);
                }
                if failed || !writer.flush() {
                    break;
                }
                filled = chunk.fill(records, true);
            }
            if chunk.documents.is_empty() {
                order.free.push(chunk);
                continue;
            }
            if work_tx.send(chunk).is_err() {
                break;
            }
            order.in_flight += 1;
            next_seq += 1;
            while let Ok(done) = done_rx.try_recv() {
                failed |= !order.finish::<J, R, W>(done, writer, records);
            }
        }
        drop(work_tx);
        while order.in_flight > 0 && !failed {
            let Ok(done) = done_rx.recv() else { break };
            failed = !order.finish::<J, R, W>(done, writer, records);
        }
    });
}

/// Puts finished chunks back in input order.
struct Order<T> {
    /// Finished chunks waiting for their turn, at `seq % len`.
    waiting: Vec<Option<Chunk<T>>>,
    /// The next chunk to write.
    next: u64,
    /// Chunks handed to the workers and not yet back.
    in_flight: usize,
    /// Written chunks, ready for reuse.
    free: Vec<Chunk<T>>,
}

impl<T> Order<T> {
    /// Takes a finished chunk and writes every chunk now in order; false when writing
    /// failed.
    fn finish<J: Job<Tally = T>, R, W: Write>(
        &mut self,
        done: Chunk<T>,
        writer: &mut Writer<'_, W, T>,
        records: &Records<R>,
    ) -> bool {
        self.in_flight = self.in_flight.saturating_sub(1);
        let len = self.waiting.len() as u64;
        if let Some(slot) = self.waiting.get_mut((done.seq % len) as usize) {
            *slot = Some(done);
        }
        loop {
            let next = self.next;
            let Some(chunk) = self
                .waiting
                .get_mut((next % len) as usize)
                .and_then(|slot| slot.take_if(|c| c.seq == next))
            else {
                return true;
            };
            let written = writer.write::<R, J>(&chunk, records);
            self.free.push(chunk);
            self.next += 1;
            if !written {
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests;
