//! Allocations per decision, counted by a wrapping global allocator (`stats_alloc`),
//! over 20,000 corpus requests: `Policy::decide_json` (one JSON text to one owned
//! `Decision`), `eval::Context` (the decision reused), the `Records` iterator with
//! `decide_raw` (an owned record and decision each), and `eval::batch::run` (what
//! `csp-policy eval` runs). Runs with `cargo bench --bench allocations`; prints a
//! table, asserts nothing.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::hint::black_box;

use csp_policy::batch::{self, Rendering, Settings};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const COUNT: usize = 20_000;

fn main() {
    let policy = csp_policy::Policy::embedded().expect("the embedded policy loads");
    let now = csp_policy::parse_time("2026-11-25T12:00:00Z").expect("a time");
    let corpus: Vec<String> = csp_corpus::generate(42, COUNT).collect();
    // Warm up (thread-local scratch, lazily built tables).
    for line in corpus.iter().take(1_000) {
        black_box(policy.decide_json(line, now));
    }

    let region = Region::new(GLOBAL);
    for line in &corpus {
        black_box(policy.decide_json(black_box(line), now));
    }
    let single = region.change();

    let mut context = csp_policy::Context::new(&policy);
    let options = csp_policy::Options::at(now);
    for line in corpus.iter().take(1_000) {
        black_box(context.decide(&json(line), &options));
    }
    let region = Region::new(GLOBAL);
    for line in &corpus {
        black_box(context.decide(&json(black_box(line)), &options));
    }
    let reused = region.change();

    let input = corpus.join("\n");
    let mut out = String::with_capacity(1 << 20);
    let region = Region::new(GLOBAL);
    let records = csp_policy::stream::Records::new(input.as_bytes());
    for raw in records {
        let decision = policy.decide_raw(&raw, &options);
        out.clear();
        decision.write_json(&mut out);
        black_box(&out);
    }
    let stream = region.change();

    // The `eval` batch path on one thread: chunks, one context, JSON Lines to a sink.
    // A first run grows the buffers; the second is counted.
    let settings = Settings {
        jobs: 1,
        rendering: Rendering::Json,
    };
    let batch_run = || {
        let mut records = csp_policy::stream::Records::new(input.as_bytes());
        batch::run(
            &policy,
            &mut records,
            &mut std::io::sink(),
            &options,
            settings,
            &mut |_| {},
        )
    };
    batch_run();
    let region = Region::new(GLOBAL);
    black_box(batch_run());
    let batch_whole = region.change();

    println!("allocations per decision over {COUNT} corpus requests (seed 42)");
    println!("| path | allocations/decision | bytes allocated/decision |");
    println!("|---|---:|---:|");
    for (name, stats) in [
        ("Policy::decide_json (owned Decision)", single),
        ("eval::Context (decision reused)", reused),
        ("Records iterator + decide_raw + write_json", stream),
        (
            "eval::batch::run, jobs=1 (whole run, incl. setup)",
            batch_whole,
        ),
    ] {
        println!(
            "| {name} | {:.2} | {:.0} |",
            stats.allocations as f64 / COUNT as f64,
            stats.bytes_allocated as f64 / COUNT as f64
        );
    }
}

fn json(text: &str) -> csp_policy::stream::Document<'_> {
    csp_policy::stream::Document {
        text,
        line: 1,
        format: csp_policy::stream::Format::Json,
        oversized: None,
        not_utf8: false,
    }
}
