//! `csp-peers-compare --count N --seed S`: runs `csp-policy`, Cedar and Rego on the same
//! generated corpus, reports every disagreement (exit 1 on any), then times each engine
//! from JSON text to decision, single-threaded, after a warm-up, and prints one table.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Utc};
use csp_peers::Engines;

const USAGE: &str = "usage: csp-peers-compare [--count N] [--seed S]   (defaults: 100000, 42)";

/// Requests decided by each engine before its timing starts.
const WARM_UP: usize = 2_000;

/// One engine: its name and its JSON-text-to-decision function.
type Engine<'a> = (&'static str, &'a dyn Fn(&str) -> bool);

fn main() -> ExitCode {
    let Some((count, seed)) = args() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // Every corpus request has `at`; this (2026-11-25T12:00:00Z) only stands in for a missing one.
    let now = DateTime::<Utc>::from_timestamp(1_795_608_000, 0).unwrap_or_default();
    let peers = match Engines::new(now) {
        Ok(engines) => engines,
        Err(e) => return fail(&e),
    };
    let corpus: Vec<String> = csp_corpus::generate(seed, count).collect();
    let engines: [Engine; 3] = [
        ("csp-policy", &|line| peers.ours(line)),
        ("cedar", &|line| peers.cedar().decide_json(line)),
        ("rego (regorus)", &|line| peers.rego().decide_json(line)),
    ];

    let (allowed, disagreements) = compare(&corpus, &peers);
    println!(
        "{count} requests (seed {seed}): {allowed} allowed by csp-policy ({:.1} %), \
         {disagreements} disagreement(s)",
        100.0 * allowed as f64 / count.max(1) as f64
    );
    print_timings(&corpus, &engines);
    if disagreements > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(2)
}

/// Decides every request with every engine; prints each disagreement (the request,
/// the three answers, and the Rego rules that applied). Returns (allowed by ours,
/// disagreements).
fn compare(corpus: &[String], peers: &Engines) -> (usize, usize) {
    let (mut allowed, mut disagreements) = (0, 0);
    for (i, line) in corpus.iter().enumerate() {
        let answers = peers.answers(line);
        allowed += usize::from(answers.ours);
        if answers.agree() {
            continue;
        }
        disagreements += 1;
        println!(
            "disagreement #{disagreements} (request {i}): {}",
            peers.describe(line, answers)
        );
    }
    (allowed, disagreements)
}

/// Times each engine over the whole corpus and prints one Markdown table.
fn print_timings(corpus: &[String], engines: &[Engine]) {
    let mut rows = Vec::new();
    for (name, decide) in engines {
        for line in corpus.iter().cycle().take(WARM_UP.min(corpus.len() * 10)) {
            black_box(decide(black_box(line)));
        }
        let start = Instant::now();
        for line in corpus {
            black_box(decide(black_box(line)));
        }
        let ns = start.elapsed().as_nanos() as f64 / corpus.len().max(1) as f64;
        rows.push((*name, ns));
    }
    let ours_ns = rows.first().map_or(1.0, |(_, ns)| *ns);
    println!("\n| engine | decisions/s | ns/decision | csp-policy is faster by |");
    println!("|---|---:|---:|---:|");
    for (name, ns) in &rows {
        println!(
            "| {name} | {:.0} | {ns:.0} | {:.1}x |",
            1e9 / ns,
            ns / ours_ns
        );
    }
}

/// `(count, seed)` from the command line.
fn args() -> Option<(usize, u64)> {
    let (mut count, mut seed) = (100_000usize, 42u64);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next()?;
        match flag.as_str() {
            "--count" => count = value.parse().ok()?,
            "--seed" => seed = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((count, seed))
}
