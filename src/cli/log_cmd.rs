//! `csp-policy log`: prints decision-log entries through [`csp_policy::decision_log`],
//! one per line (JSON or text), oldest first, streamed.

/// `log`'s exit codes, after its options in `--help`.
pub const HELP: &str = "Exit codes:
  0  the entries were printed (none, when nothing matches)
  2  bad usage (such as a --from that is not RFC 3339), or a decision log that does not
     exist or cannot be read (a PostgreSQL server that cannot be reached)
  141  the output is a closed pipe";

use csp_policy::decision_log::{Query, QueryError, Target};
use std::io::{BufWriter, Write};

use super::args::{LogFormat, Outcome};
use super::exit;
use super::output::{say, Recording};

/// Runs `log` and returns the exit code.
pub fn run(
    target: &str,
    from: Option<&str>,
    to: Option<&str>,
    actions: Vec<String>,
    actors: Vec<String>,
    decision: Option<Outcome>,
    format: LogFormat,
) -> i32 {
    let (from, to) = match (
        super::time::option(from, "--from"),
        super::time::option(to, "--to"),
    ) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let query = Query {
        from,
        to,
        actions,
        actors,
        allow: decision.map(|d| d == Outcome::Allow),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, Recording::new(stdout.lock()));
    let mut line = String::with_capacity(1024);
    let result = query.each(&Target::parse(target), &mut |entry| {
        line.clear();
        match format {
            LogFormat::Json => entry.write_json(&mut line),
            LogFormat::Text => entry.write_text(&mut line),
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    });
    let flushed = out.flush();
    match result {
        Ok(()) if flushed.is_ok() => exit::OK,
        Err(QueryError::Stopped(_)) | Ok(()) => match out.get_mut().take_error() {
            Some(e) => e.report("standard output"),
            None => super::output::WriteError::Failed(std::io::Error::other("write failed"))
                .report("standard output"),
        },
        Err(e) => {
            say!("error: {e}\n");
            exit::USAGE
        }
    }
}
