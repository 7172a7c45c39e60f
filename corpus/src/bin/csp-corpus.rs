//! `csp-corpus --seed 42 --count 1000000 > corpus.jsonl`: writes a request corpus to stdout.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: csp-corpus [--seed N] [--count N]   (defaults: seed 42, count 1000)";

fn main() -> ExitCode {
    let (mut seed, mut count) = (42u64, 1000usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next();
        let ok = match (flag.as_str(), value.as_deref().map(str::parse::<u64>)) {
            ("--seed", Some(Ok(v))) => {
                seed = v;
                true
            }
            ("--count", Some(Ok(v))) => usize::try_from(v).map(|v| count = v).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in csp_corpus::generate(seed, count) {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE; // e.g. a closed pipe
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
