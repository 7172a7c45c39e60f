//! `csp-policy eval`: read requests, decide each in input order, write decisions.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{exit, OutputFormat};
use crate::request::stream::Records;
use crate::{eval, Policy};

/// Runs `eval` and returns the exit code.
pub fn run(
    policies: &[PathBuf],
    now: Option<&str>,
    format: OutputFormat,
    explain: bool,
    input: Option<&Path>,
) -> i32 {
    let now: DateTime<Utc> = match now {
        None => Utc::now(),
        Some(text) => match crate::value::parse_time(text) {
            Some(t) => t,
            None => {
                eprintln!("error: --now {text:?} is not an RFC 3339 time with an offset (such as 2026-11-25T12:00:00Z)");
                return exit::USAGE;
            }
        },
    };
    let sources = match super::sources(policies) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let policy = match crate::load::load(sources) {
        Ok(compiled) => Policy::from_compiled(compiled),
        Err(e) => {
            eprint!("{}", e.render());
            eprintln!("error: the policy has errors; nothing was evaluated");
            return exit::BAD_POLICY;
        }
    };
    let reader: Box<dyn BufRead> = match input {
        None => Box::new(BufReader::new(std::io::stdin().lock())),
        Some(p) if p.as_os_str() == "-" => Box::new(BufReader::new(std::io::stdin().lock())),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return exit::USAGE;
            }
        },
    };
    let options = eval::Options {
        now,
        explain,
        coverage: false,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut records = Records::new(reader);
    let mut all_allow = true;
    let mut count = 0usize;
    let mut buf = String::with_capacity(512);
    for raw in records.by_ref() {
        let decision = policy.decide_raw(&raw, &options);
        all_allow &= decision.allow;
        count += 1;
        buf.clear();
        match format {
            OutputFormat::Json => {
                decision.write_json(&mut buf);
                buf.push('\n');
            }
            OutputFormat::Yaml => decision.write_yaml(&mut buf),
            OutputFormat::Text => {
                if count > 1 {
                    buf.push('\n');
                }
                buf.push_str(&format!("request at line {}: ", raw.line));
                decision.write_text(&mut buf);
            }
        }
        if out.write_all(buf.as_bytes()).is_err() {
            // The reader of our output went away (a closed pipe): stop quietly.
            return exit::USAGE;
        }
    }
    if out.flush().is_err() {
        return exit::USAGE;
    }
    if let Some(e) = records.io_error {
        eprintln!("error: reading the requests failed: {e}");
        return exit::USAGE;
    }
    if count == 0 {
        eprintln!("error: the input holds no request");
        return exit::USAGE;
    }
    if all_allow {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}
