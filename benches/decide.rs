//! Criterion benchmarks of `csp-policy` (`cargo bench --bench decide`; numbers and
//! machine in BENCHMARKS.md):
//!
//! - `decide/<action>`: one decision, JSON text to `Decision` (`Policy::decide_json`),
//!   cycling through the corpus requests of that action;
//! - `batch/jobs=1`, `batch/jobs=2`: the `eval` stream path end to end on 1,000,000
//!   corpus requests held in memory as JSON Lines (split, decode, decide, write JSON
//!   Lines to a sink), on one and two worker threads;
//! - `batch/parse-floor`: only decoding the same 1,000,000 requests into records
//!   (`decode::decode_json`, a new record each, one thread), the floor the batch is
//!   compared with; `batch/parse-floor-reused` decodes into one reused record
//!   (`decode::decode_json_into`), the stricter floor; `batch/parse-floor-serde-json`
//!   decodes them with serde_json alone (`decode::decode_json_reference`, the engine's
//!   decode before its fast path); `batch/typed-parse-floor` only reads them into plain
//!   derived structs with serde_json (`support/typed_floor.rs`), the fixed reference
//!   the issue-12 aim is measured against;
//! - `load/embedded`: `Policy::embedded()` (the default policy's prepared compiled form;
//!   `benches/startup.rs` compares it with parsing and checking the sources);
//! - `cli/first-decision`: spawning the release binary on a one-line input, to its exit.
//!
//! `CSP_TYPED_FLOOR_FILE=FILE` only reads FILE's lines with the typed parse floor, once
//! (for callgrind). The corpus is `csp-corpus` with seed 42. Set `CSP_BENCH_BATCH` to another count to
//! change the batch size (the default keeps `cargo bench` to a few minutes on two cores).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/typed_floor.rs"]
mod typed_floor;

use std::hint::black_box;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};

use csp_policy::batch::{self, Rendering, Settings};
use csp_policy::internals::decode;
use csp_policy::internals::Record;
use csp_policy::stream::Records;
use csp_policy::Options;
use csp_policy::Policy;

/// Requests in the batch benchmarks.
fn batch_size() -> usize {
    std::env::var("CSP_BENCH_BATCH")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}

/// Requests per action for the single-decision benchmarks.
const PER_ACTION: usize = 2_000;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::embedded().expect("the embedded policy loads"))
}

fn now() -> chrono::DateTime<chrono::Utc> {
    csp_policy::parse_time("2026-11-25T12:00:00Z").expect("a time")
}

/// The batch corpus as one JSON Lines text.
fn batch_input() -> &'static str {
    static INPUT: OnceLock<String> = OnceLock::new();
    INPUT.get_or_init(|| {
        let mut text = String::new();
        for line in csp_corpus::generate(42, batch_size()) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    })
}

fn single_decisions(c: &mut Criterion) {
    let policy = policy();
    let now = now();
    let mut group = c.benchmark_group("decide");
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    for action in csp_corpus::ACTIONS {
        let needle = format!("\"action\":\"{action}\"");
        let requests: Vec<String> = csp_corpus::generate(7, 200_000)
            .filter(|line| line.contains(&needle))
            .take(PER_ACTION)
            .collect();
        assert!(!requests.is_empty(), "no {action} request in the corpus");
        let mut next = 0usize;
        group.bench_function(BenchmarkId::from_parameter(action), |b| {
            b.iter(|| {
                next = (next + 1) % requests.len();
                black_box(policy.decide_json(black_box(&requests[next]), now))
            })
        });
    }
    group.finish();
}

fn batches(c: &mut Criterion) {
    let policy = policy();
    let input = batch_input();
    let count = batch_size();
    let options = Options::at(now());
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(count as u64));
    for jobs in [1, 2] {
        group.bench_function(format!("jobs={jobs}"), |b| {
            b.iter(|| {
                let mut records = Records::new(input.as_bytes());
                let summary = batch::run(
                    policy,
                    &mut records,
                    &mut std::io::sink(),
                    &options,
                    Settings {
                        jobs,
                        rendering: Rendering::Json,
                    },
                    &mut |_| {},
                );
                assert_eq!(summary.count, count as u64);
            })
        });
    }
    let lines: Vec<&str> = input.lines().collect();
    group.bench_function("parse-floor", |b| {
        let compiled = csp_policy::internals::compiled(policy);
        b.iter(|| {
            for (i, line) in lines.iter().enumerate() {
                black_box(decode::decode_json(compiled, line, i + 1));
            }
        })
    });
    group.bench_function("parse-floor-serde-json", |b| {
        let compiled = csp_policy::internals::compiled(policy);
        b.iter(|| {
            for (i, line) in lines.iter().enumerate() {
                black_box(decode::decode_json_reference(compiled, line, i + 1));
            }
        })
    });
    let read = lines.iter().filter(|line| typed_floor::parse(line)).count();
    eprintln!(
        "typed parse floor: {read} of {} lines read as the typed structs",
        lines.len()
    );
    group.bench_function("typed-parse-floor", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(typed_floor::parse(line));
            }
        })
    });
    group.bench_function("parse-floor-reused", |b| {
        let compiled = csp_policy::internals::compiled(policy);
        let mut spare = Some(Record::default());
        b.iter(|| {
            let mut record = spare.take().unwrap_or_default();
            for (i, line) in lines.iter().enumerate() {
                decode::decode_json_into(compiled, line, i + 1, &mut record);
                black_box(&record);
            }
            spare = Some(record.recycle());
        })
    });
    group.finish();
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("embedded", |b| {
        b.iter(|| black_box(Policy::embedded().expect("loads")))
    });
    group.finish();
}

fn cli_start(c: &mut Criterion) {
    let binary = env!("CARGO_BIN_EXE_csp-policy");
    let line = csp_corpus::generate(42, 1).next().expect("one request");
    let mut group = c.benchmark_group("cli");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("first-decision", |b| {
        b.iter(|| {
            let mut child = Command::new(binary)
                .args(["eval", "--now", "2026-11-25T12:00:00Z", "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("the binary starts");
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(line.as_bytes()).expect("write");
            drop(stdin);
            let out = child.wait_with_output().expect("it exits");
            assert!(out.stdout.starts_with(b"{\"decision\""));
        })
    });
    group.finish();
}

criterion_group!(benches, single_decisions, batches, loading, cli_start);
fn main() {
    // `CSP_TYPED_FLOOR_FILE=FILE`: read FILE's lines once with the typed parse floor and
    // exit, for counting its instructions with callgrind beside `csp-policy eval`'s
    // (BENCHMARKS.md, "Where the time goes").
    if let Ok(path) = std::env::var("CSP_TYPED_FLOOR_FILE") {
        let text = std::fs::read_to_string(&path).expect("the file reads");
        let read = text.lines().filter(|line| typed_floor::parse(line)).count();
        eprintln!(
            "typed parse floor: {read} of {} lines",
            text.lines().count()
        );
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
