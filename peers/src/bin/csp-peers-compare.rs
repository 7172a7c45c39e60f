//! `csp-peers-compare --count N --seed S`: runs `csp-policy`, Cedar and Rego on the same
//! generated corpus, reports every disagreement (exit 1 on any), then times each engine
//! from JSON text to decision, single-threaded, after a warm-up, and prints one table.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Utc};
use csp_peers::{CedarPeer, RegoPeer};

const USAGE: &str = "usage: csp-peers-compare [--count N] [--seed S]   (defaults: 100000, 42)";

/// Requests decided before timing starts.
const WARM_UP: usize = 2_000;

fn main() -> ExitCode {
    let Some((count, seed)) = args() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // Every corpus request has `at`; this only stands in for a missing one.
    let now = DateTime::<Utc>::from(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_608_000),
    );
    let (ours, cedar, rego) = match (
        csp_policy::Policy::embedded(),
        CedarPeer::new(now),
        RegoPeer::new(now),
    ) {
        (Ok(o), Ok(c), Ok(r)) => (o, c, r),
        (o, c, r) => {
            for e in [
                o.err().map(|e| e.to_string()),
                c.err().map(|e| e.to_string()),
                r.err().map(|e| e.to_string()),
            ]
            .into_iter()
            .flatten()
            {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let corpus: Vec<String> = csp_corpus::generate(seed, count).collect();

    let decide_ours = |line: &str| ours.decide_json(line, now).is_allow();
    let engines: [(&str, &dyn Fn(&str) -> bool); 3] = [
        ("csp-policy", &decide_ours),
        ("cedar", &|line: &str| cedar.decide_json(line)),
        ("rego (regorus)", &|line: &str| rego.decide_json(line)),
    ];

    // 1. Agreement.
    let (mut disagreements, mut allowed) = (0usize, 0usize);
    for (i, line) in corpus.iter().enumerate() {
        let answers: Vec<bool> = engines.iter().map(|(_, decide)| decide(line)).collect();
        allowed += usize::from(answers[0]);
        if answers.iter().any(|a| *a != answers[0]) {
            disagreements += 1;
            println!("disagreement #{disagreements} (request {i}): {line}");
            for ((name, _), answer) in engines.iter().zip(&answers) {
                println!("  {name:<15} {}", if *answer { "allow" } else { "deny" });
            }
            println!("  rego detail     {}", rego.explain(line));
        }
    }
    println!(
        "{count} requests (seed {seed}): {allowed} allowed by csp-policy ({:.1} %), {disagreements} disagreement(s)",
        100.0 * allowed as f64 / count.max(1) as f64
    );

    // 2. Speed, JSON text to decision.
    let mut rows = Vec::new();
    for (name, decide) in &engines {
        for line in corpus.iter().cycle().take(WARM_UP.min(corpus.len() * 10)) {
            black_box(decide(black_box(line)));
        }
        let start = Instant::now();
        for line in &corpus {
            black_box(decide(black_box(line)));
        }
        rows.push((
            *name,
            start.elapsed().as_nanos() as f64 / corpus.len().max(1) as f64,
        ));
    }
    let ours_ns = rows[0].1;
    println!("\n| engine | decisions/s | ns/decision | csp-policy speed-up |");
    println!("|---|---:|---:|---:|");
    for (name, ns) in &rows {
        println!(
            "| {name} | {:.0} | {ns:.0} | {:.1}x |",
            1e9 / ns,
            ns / ours_ns
        );
    }

    if disagreements > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
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
