//! Start-up benchmarks (`cargo bench --bench startup`; numbers in BENCHMARKS.md), in
//! process, from nothing to the first decision:
//!
//! - `startup/embedded`: `Policy::embedded()` (the prepared compiled form,
//!   `src/load/prepared.rs`) and one decision: what `csp-policy eval` does before its
//!   first answer;
//! - `startup/from-sources`: the same policy parsed and checked from its embedded
//!   sources (`Policy::from_sources`) and one decision: what a start cost before, and
//!   what a user's own policy still costs. CLDR's names are read once per process, so
//!   after the first iteration this one no longer pays for them (a real start does);
//! - `startup/read-prepared`: `Policy::embedded()` alone.
//!
//! `benches/startup.sh` measures the whole process with hyperfine (and callgrind).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use csp_policy::Policy;

/// One corpus request, as `csp-policy eval` would read it.
fn request() -> String {
    csp_corpus::generate(42, 1).next().expect("one request")
}

fn startup(c: &mut Criterion) {
    let line = request();
    let now = csp_policy::parse_time("2026-11-25T12:00:00Z").expect("a time");
    let mut group = c.benchmark_group("startup");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("embedded", |b| {
        b.iter(|| {
            let policy = Policy::embedded().expect("loads");
            black_box(policy.decide_json(&line, now))
        })
    });
    group.bench_function("from-sources", |b| {
        b.iter(|| {
            let policy = Policy::from_sources(csp_policy::load::embedded_sources()).expect("loads");
            black_box(policy.decide_json(&line, now))
        })
    });
    group.bench_function("read-prepared", |b| {
        b.iter(|| black_box(Policy::embedded().expect("loads")))
    });
    group.finish();
}

criterion_group!(benches, startup);
criterion_main!(benches);
