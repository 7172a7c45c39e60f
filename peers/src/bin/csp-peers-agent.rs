//! `csp-corpus ... | csp-peers-agent DIR > bodies.jsonl`: prepares cedar-agent for the
//! load benchmark (`benches/load/run.sh`). Writes `DIR/policies.json` (its `--policies`
//! file) and `DIR/data.json` (its `--data` file: the market entities), then reads
//! requests (JSON Lines) on stdin and writes, for each one the Cedar host can map, the
//! body of cedar-agent's `POST /v1/is_authorized` as one line on stdout. Says on stderr
//! how many requests were left out (those the host denies without asking Cedar).

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use csp_peers::agent;

const USAGE: &str = "usage: csp-corpus ... | csp-peers-agent DIR > bodies.jsonl";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match run(&PathBuf::from(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("csp-peers-agent: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(dir.join("policies.json"), agent::policies_json()?)?;
    std::fs::write(dir.join("data.json"), agent::data_json()?)?;
    // Every corpus request has `at`; this (2026-11-25T12:00:00Z) only stands in for a missing one.
    let now = DateTime::<Utc>::from_timestamp(1_795_608_000, 0).unwrap_or_default();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (mut written, mut left_out) = (0usize, 0usize);
    for line in std::io::stdin().lock().lines() {
        match agent::is_authorized_body(&line?, now) {
            Some(body) => {
                writeln!(out, "{body}")?;
                written += 1;
            }
            None => left_out += 1,
        }
    }
    out.flush()?;
    eprintln!(
        "csp-peers-agent: {written} bodies; {left_out} requests left out (the Cedar host denies them without asking Cedar)"
    );
    Ok(())
}
