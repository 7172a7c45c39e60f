//! `csp-policy diff`: what an edit of a policy changes. Each side (`--old`, `--new`) is
//! read like `--policy` (files and folders), and may also be `@embedded` (the policy in
//! the binary) or `REV:PATH` (a folder or file at a git revision). With requests, each
//! is decided under both policies through the library's batch path; the changes are
//! written as JSON objects as they are found, or as a grouped report at the end.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use csp_policy::diff::git::{self, Revision};
use csp_policy::diff::requests::{self, Report, Settings};
use csp_policy::source::SourceMap;
use csp_policy::stream::Records;
use csp_policy::{load, Options, Policy};

use super::args::{DiffFormat, InputFormat};
use super::exit;
use super::output::{say, Recording};

/// How a side names the embedded policy.
pub const EMBEDDED: &str = "@embedded";

/// `diff`'s exit codes, after its options in `--help`.
pub const HELP: &str =
    "A side (--old, --new) is a policy file or folder (repeatable), REV:PATH for a
folder or file at a git revision (such as HEAD~1:policies/csp-software), or
@embedded for the policy in the binary; a side not given is the embedded policy.

With --decision-log, the requests are those of a decision log (masked fields are
gone from them; a YAML request is replayed as received): each is decided under --new
at its entry's time (for a request without `at`; --now overrides it) and compared
with the decision the log holds, or with one under --old when --old is given. The
text report's line N is the Nth entry replayed.

Exit codes:
  0  nothing changed
  1  something changed (a decision, a reason, an error or a fact; without requests,
     a decision); with --decision-log, also an entry that could not be replayed
  2  bad usage, an input, file or git revision that cannot be read, or output that
     cannot be written
  3  a policy has errors and nothing was compared
  141  the output is a closed pipe";

/// The command line of `diff`.
pub struct Args<'a> {
    /// The old side's policy paths.
    pub old: &'a [String],
    /// The new side's.
    pub new: &'a [String],
    /// `--old-at`: the old side as it stood at this time.
    pub old_at: Option<&'a str>,
    /// `--new-at`.
    pub new_at: Option<&'a str>,
    /// `--now`.
    pub now: Option<&'a str>,
    /// `--format`.
    pub format: DiffFormat,
    /// `--jobs`.
    pub jobs: Option<u16>,
    /// `--input`.
    pub input_format: Option<InputFormat>,
    /// The requests (none: exhaustive).
    pub input: Option<&'a Path>,
    /// `--decision-log` and its filters: the requests of a decision log, replayed.
    #[cfg(feature = "serve")]
    pub log: Option<LogSource<'a>>,
}

/// `--decision-log PATH [--from T] [--to T] [--action A]...`.
#[cfg(feature = "serve")]
pub struct LogSource<'a> {
    /// The log: an SQLite file or a PostgreSQL URL.
    pub target: &'a str,
    /// `--from`.
    pub from: Option<&'a str>,
    /// `--to`.
    pub to: Option<&'a str>,
    /// `--action`.
    pub actions: &'a [String],
}

/// Runs `diff` and returns the exit code.
pub fn run(args: Args<'_>) -> i32 {
    #[cfg(feature = "serve")]
    if let Some(log) = &args.log {
        return replay(&args, log);
    }
    let now = match super::time::now_or_current(args.now) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let (old_at, new_at) = match (
        super::time::option(args.old_at, "--old-at"),
        super::time::option(args.new_at, "--new-at"),
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let old = match side(args.old, "old") {
        Ok(p) => match old_at {
            Some(t) => p.as_of(t),
            None => p,
        },
        Err(code) => return code,
    };
    let new = match side(args.new, "new") {
        Ok(p) => match new_at {
            Some(t) => p.as_of(t),
            None => p,
        },
        Err(code) => return code,
    };
    match args.input {
        Some(input) => over_requests(&old, &new, now, &args, input),
        None => exhaustive(&old, &new, now, args.format),
    }
}

/// `diff --decision-log`: each logged request decided under the new side and compared
/// with its logged decision, or with a decision under the old side when `--old` (or
/// `--old-at`) is given. Requests without `at` are decided at their entry's time unless
/// `--now` says otherwise.
#[cfg(feature = "serve")]
fn replay(args: &Args<'_>, log: &LogSource<'_>) -> i32 {
    use csp_policy::decision_log::{Query, Target};
    use csp_policy::diff::replay::{self, Old};

    let times = (
        super::time::option(args.now, "--now"),
        super::time::option(log.from, "--from"),
        super::time::option(log.to, "--to"),
        super::time::option(args.old_at, "--old-at"),
        super::time::option(args.new_at, "--new-at"),
    );
    let (now, from, to, old_at, new_at) = match times {
        (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)) => (a, b, c, d, e),
        (Err(code), ..)
        | (_, Err(code), ..)
        | (_, _, Err(code), ..)
        | (.., Err(code), _)
        | (.., Err(code)) => return code,
    };
    let at = |p: Policy, t: Option<DateTime<Utc>>| match t {
        Some(t) => p.as_of(t),
        None => p,
    };
    let new = match side(args.new, "new") {
        Ok(p) => at(p, new_at),
        Err(code) => return code,
    };
    let old_policy = if args.old.is_empty() && old_at.is_none() {
        None
    } else {
        match side(args.old, "old") {
            Ok(p) => Some(at(p, old_at)),
            Err(code) => return code,
        }
    };
    let old = match &old_policy {
        Some(p) => Old::Policy(p),
        None => Old::Logged,
    };
    let query = Query {
        from,
        to,
        actions: log.actions.to_vec(),
        actors: Vec::new(),
        allow: None,
    };
    let report = match args.format {
        DiffFormat::Json => Report::Json,
        DiffFormat::Text => Report::Text,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, Recording::new(stdout.lock()));
    let replayed = match replay::run(
        &Target::parse(log.target),
        &query,
        old,
        &new,
        now,
        report,
        &mut out,
    ) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}\n");
            return exit::USAGE;
        }
    };
    if replayed.write_failed {
        return write_failed(&mut out);
    }
    if replayed.tally.requests == 0 && replayed.not_replayed == 0 {
        say!("error: no entry of the decision log matches\n");
        return exit::USAGE;
    }
    let mut text = String::new();
    match args.format {
        DiffFormat::Json => {
            replayed.tally.write_json(&mut text);
            if text.ends_with('}') {
                text.pop();
                text.push_str(&format!(",\"not_replayed\":{}}}", replayed.not_replayed));
            }
            text.push('\n');
        }
        DiffFormat::Text => {
            replayed.tally.write_text(&mut text);
            if replayed.not_replayed > 0 {
                text.push_str(&format!(
                    "{} log entries not replayed: the log does not hold their request\n",
                    replayed.not_replayed
                ));
            }
        }
    }
    if out.write_all(text.as_bytes()).is_err() || out.flush().is_err() {
        return write_failed(&mut out);
    }
    if replayed.tally.changed == 0 && replayed.not_replayed == 0 {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}

/// Reads and loads one side; on failure says why and gives the exit code.
fn side(specs: &[String], which: &str) -> Result<Policy, i32> {
    let sources = if specs.is_empty() {
        load::embedded_sources()
    } else {
        let mut sources = SourceMap::new();
        for spec in specs {
            for file in read_side(spec)?.files() {
                sources.add(file.clone());
            }
        }
        sources
    };
    Policy::from_sources(sources).map_err(|e| {
        say!("{}", e.render());
        say!("error: the {which} policy has errors; nothing was compared\n");
        exit::BAD_POLICY
    })
}

/// The sources one `--old`/`--new` value names: `@embedded`, a path that exists, else
/// `REV:PATH`, else a path (which then cannot be read).
fn read_side(spec: &str) -> Result<SourceMap, i32> {
    if spec == EMBEDDED {
        return Ok(load::embedded_sources());
    }
    let path = PathBuf::from(spec);
    if !path.exists() {
        if let Some(revision) = Revision::parse(spec) {
            return git::sources(&revision).map_err(|e| {
                say!("error: {e}\n");
                exit::USAGE
            });
        }
    }
    load::read_sources_reporting(&[path], &mut |skipped| say!("warning: {skipped}\n")).map_err(
        |e| {
            say!("{}", e.render());
            exit::USAGE
        },
    )
}

/// `diff` over the requests of a file or standard input.
fn over_requests(
    old: &Policy,
    new: &Policy,
    now: DateTime<Utc>,
    args: &Args<'_>,
    input: &Path,
) -> i32 {
    let opened = match super::requests::open(Some(input)) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let (reader, path) = (opened.reader, opened.path);
    let framing = super::requests::framing(args.input_format, path);
    let options = Options::at(now);
    let settings = Settings {
        jobs: args
            .jobs
            .map_or_else(super::eval_cmd::default_jobs, usize::from),
        report: match args.format {
            DiffFormat::Json => Report::Json,
            DiffFormat::Text => Report::Text,
        },
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, Recording::new(stdout.lock()));
    let mut records = Records::with_framing(reader, framing);
    let compared = requests::run(
        old,
        new,
        &mut records,
        &mut out,
        &options,
        settings,
        &mut |_| {},
    );
    if compared.write_failed {
        return write_failed(&mut out);
    }
    if let Some(e) = records.io_error {
        say!("error: reading the requests failed: {e}\n");
        return exit::USAGE;
    }
    if compared.tally.requests == 0 {
        say!("error: the input holds no request\n");
        return exit::USAGE;
    }
    let mut text = String::new();
    match args.format {
        DiffFormat::Json => {
            compared.tally.write_json(&mut text);
            text.push('\n');
        }
        DiffFormat::Text => compared.tally.write_text(&mut text),
    }
    if out.write_all(text.as_bytes()).is_err() || out.flush().is_err() {
        return write_failed(&mut out);
    }
    if compared.tally.changed == 0 {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}

/// `diff` without requests: every request the input schema allows. Exit 0 only when the
/// comparison is complete and found no class; 1 when it found a class or cannot
/// promise that nothing changed.
fn exhaustive(old: &Policy, new: &Policy, now: DateTime<Utc>, format: DiffFormat) -> i32 {
    let found = csp_policy::diff::exhaustive::compare(old, new, now);
    let mut text = String::new();
    match format {
        DiffFormat::Json => found.write_json(&mut text),
        DiffFormat::Text => found.write_text(&mut text),
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(Recording::new(stdout.lock()));
    if out.write_all(text.as_bytes()).is_err() || out.flush().is_err() {
        return write_failed(&mut out);
    }
    if found.complete && found.classes.is_empty() {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}

/// A closed pipe stops quietly (141); any other write error is said (2).
pub(super) fn write_failed<W: Write>(out: &mut BufWriter<Recording<W>>) -> i32 {
    match out.get_mut().take_error() {
        Some(e) => e.report("standard output"),
        None => super::output::WriteError::Failed(std::io::Error::other("write failed"))
            .report("standard output"),
    }
}
