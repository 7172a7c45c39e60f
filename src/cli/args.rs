//! The command line's grammar (clap): the commands, their options, and the value lists of
//! `--format` and `--input`. Nothing here runs anything.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use super::exit::HELP as EXIT_CODES;

/// `--jobs` at most [`csp_policy::limits::JOBS`] (as clap's range wants it).
const JOBS_MAX: i64 = csp_policy::limits::JOBS as i64;

/// csp-policy: decide CSP software requests (purchase, keys, downloads, cancel, audit)
/// with a declarative policy.
#[derive(Debug, Parser)]
#[command(name = "csp-policy", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats of decisions and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per line.
    Json,
    /// One YAML document per decision.
    Yaml,
    /// Plain text for people.
    Text,
}

/// How `eval` reads its requests (`--input`); without it, the file's extension and
/// then the content decide (see [`csp_policy::stream`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// JSON text: one document, or several one after the other.
    Json,
    /// JSON Lines: one request per line that is not blank.
    Jsonl,
    /// YAML documents, separated by `---`.
    Yaml,
}

impl InputFormat {
    /// The library's framing.
    pub fn framing(self) -> csp_policy::stream::Framing {
        use csp_policy::stream::Framing;
        match self {
            InputFormat::Json => Framing::Json,
            InputFormat::Jsonl => Framing::JsonLines,
            InputFormat::Yaml => Framing::Yaml,
        }
    }
}

/// Output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuiteFormat {
    /// Failures side by side, then `N passed, N failed`.
    Text,
    /// One JSON document with every case and the coverage.
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

/// An outcome, for `log --decision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Outcome {
    /// Allow decisions.
    Allow,
    /// Deny decisions.
    Deny,
}

/// Output formats of `log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// One line per entry for people.
    Text,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A report for people, grouped by action and old -> new outcome.
    Text,
    /// One JSON object per line: each change (or class), then the summary.
    Json,
}

/// Output formats of `matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    /// An aligned table with numbered notes, for people.
    Text,
    /// A GitHub Markdown table with footnotes.
    Markdown,
    /// One JSON object (roles, actions, cells, complete, incomplete).
    Json,
    /// A self-contained HTML page (no external resource), printable.
    Html,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide requests: one YAML/JSON document, a multi-document YAML stream, or JSON Lines.
    #[command(after_help = EXIT_CODES)]
    Eval {
        /// Policy files or folders (repeatable); the embedded CSP policy when absent.
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
        /// The time used for requests without `at` (RFC 3339); the current time when absent.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// How to write decisions.
        #[arg(long, value_enum, default_value = "json")]
        format: OutputFormat,
        /// Explain each rule considered and the values that decided it.
        #[arg(long)]
        explain: bool,
        /// Add the policy revision (the SHA-256 of its files, as the decision log and
        /// /v1/policy give it) to every decision: `policy_revision` after the facts.
        #[arg(long)]
        with_revision: bool,
        /// Threads deciding a large input (decisions stay in input order); the number of
        /// CPUs when absent (at most 64).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=JOBS_MAX))]
        jobs: Option<u16>,
        /// How the requests are written; by default the file's extension decides
        /// (.jsonl/.ndjson, .json, .yaml/.yml), else the content.
        #[arg(long = "input", value_enum, value_name = "FORMAT")]
        input_format: Option<InputFormat>,
        /// The decision log.
        #[command(flatten)]
        log: EvalLogArgs,
        /// The requests: a file, or `-` (or nothing) for standard input.
        #[arg(value_name = "FILE")]
        input: Option<PathBuf>,
    },
    /// Parse and check a policy; print every problem with its location.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Policy files or folders (repeatable); the embedded CSP policy when absent.
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
    /// Rewrite policy files in the canonical layout (comments kept).
    #[command(after_help = EXIT_CODES)]
    Fmt {
        /// Only check: print a diff and exit 1 when a file would change.
        #[arg(long)]
        check: bool,
        /// Policy files or folders.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    #[cfg(feature = "serve")]
    /// Serve decisions over HTTP (POST /v1/decide, GET /health, /metrics, /v1/policy),
    /// with hot reload and an optional decision log; stops on SIGTERM.
    #[command(after_help = super::serve_cmd::HELP)]
    Serve(ServeArgs),
    #[cfg(feature = "serve")]
    /// Print decision-log entries, oldest first, one per line.
    #[command(after_help = super::log_cmd::HELP)]
    Log {
        /// The decision log: an SQLite file or a postgres:// URL (as given to `serve
        /// --decision-log`).
        #[arg(long, value_name = "TARGET")]
        decision_log: String,
        /// Only entries made at or after this time (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        from: Option<String>,
        /// Only entries made at or before this time (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        to: Option<String>,
        /// Only entries of this action (repeatable).
        #[arg(long = "action", value_name = "ACTION")]
        actions: Vec<String>,
        /// Only entries whose actor.id is this (repeatable; a masked actor.id was not
        /// logged and matches nothing).
        #[arg(long = "actor", value_name = "ID")]
        actors: Vec<String>,
        /// Only allow or only deny decisions.
        #[arg(long, value_enum)]
        decision: Option<Outcome>,
        /// How to write entries.
        #[arg(long, value_enum, default_value = "json")]
        format: LogFormat,
    },
    /// Run YAML suites of requests with expected decisions, facts and rules.
    #[command(after_help = EXIT_CODES)]
    Test {
        /// Policy files or folders (repeatable); the embedded CSP policy when absent.
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
        /// Report, per rule, how many cases reached it and how many it decided.
        #[arg(long)]
        coverage: bool,
        /// Report coverage (as `--coverage`) and exit 1 unless every rule was reached by
        /// some case and decided some case.
        #[arg(long)]
        require_full_coverage: bool,
        /// How to write results.
        #[arg(long, value_enum, default_value = "text")]
        format: SuiteFormat,
        /// Suite files or folders of suites.
        #[arg(value_name = "SUITE", required = true)]
        suites: Vec<PathBuf>,
    },
    /// Decision snapshots: record the decisions of a folder of request files as
    /// reviewable text, check them (exit 1 on any change), update them.
    #[command(after_help = super::snapshot_cmd::HELP)]
    Snapshot {
        /// record, check or update.
        #[command(subcommand)]
        action: SnapshotAction,
    },
    /// Who may do what: every role × every action, allow, deny or the conditions in
    /// words, from the policy itself (the exhaustive analysis of `diff`).
    #[command(after_help = super::matrix_cmd::HELP)]
    Matrix {
        /// Policy files or folders (repeatable); the embedded CSP policy when absent.
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
        /// The date the matrix says it was made, and the base of its example requests'
        /// times (RFC 3339); the current time when absent.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// How to write the matrix.
        #[arg(long, value_enum, default_value = "text")]
        format: MatrixFormat,
        /// Write the matrix to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Compare two policies: over requests (each decided under both), or, without
    /// requests, over every request the input schema allows.
    #[command(after_help = super::diff_cmd::HELP)]
    Diff {
        /// The policy before the change (repeatable): a file, a folder, REV:PATH (a
        /// git revision of a folder or file), or @embedded; the embedded policy when absent.
        #[arg(long = "old", value_name = "PATH")]
        old: Vec<String>,
        /// The policy after the change (repeatable), spelled as --old; the embedded
        /// policy when absent.
        #[arg(long = "new", value_name = "PATH")]
        new: Vec<String>,
        /// The old policy as it stood at this time (RFC 3339): its dated declarations
        /// fixed to the versions in force then, whatever a request's own `at`.
        #[arg(long, value_name = "RFC3339")]
        old_at: Option<String>,
        /// The new policy as it stands at this time, as --old-at.
        #[arg(long, value_name = "RFC3339")]
        new_at: Option<String>,
        /// The time used for requests without `at` (RFC 3339); the current time when absent.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// How to write the changes.
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
        /// Threads deciding a large input; the number of CPUs when absent (at most 64).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=JOBS_MAX))]
        jobs: Option<u16>,
        /// How the requests are written; by default the file's extension decides, else
        /// the content.
        #[arg(long = "input", value_enum, value_name = "FORMAT")]
        input_format: Option<InputFormat>,
        /// The requests: a file, or `-` for standard input. Without it, the policies are
        /// compared over every request the input schema allows.
        #[arg(value_name = "FILE")]
        input: Option<PathBuf>,
        #[cfg(feature = "serve")]
        #[command(flatten)]
        replay: ReplayArgs,
    },
}

/// `diff --decision-log`: the requests of a decision log, replayed.
#[cfg(feature = "serve")]
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Replay the requests of this decision log (an SQLite file or a postgres:// URL,
    /// written by `serve` or `eval --decision-log`) instead of FILE: each decided under
    /// --new and compared with its logged decision (or, with --old, with a decision
    /// under --old); a request without `at` is decided at its entry's time.
    #[arg(long, value_name = "TARGET", conflicts_with = "input")]
    pub decision_log: Option<String>,
    /// Only entries made at or after this time (RFC 3339).
    #[arg(long, value_name = "RFC3339", requires = "decision_log")]
    pub from: Option<String>,
    /// Only entries made at or before this time (RFC 3339).
    #[arg(long, value_name = "RFC3339", requires = "decision_log")]
    pub to: Option<String>,
    /// Only entries of this action (repeatable).
    #[arg(long = "action", value_name = "ACTION", requires = "decision_log")]
    pub actions: Vec<String>,
}

/// What `snapshot` does.
#[derive(Debug, Subcommand)]
pub enum SnapshotAction {
    /// Decide every request file and write every snapshot (existing ones rewritten).
    #[command(after_help = super::snapshot_cmd::HELP)]
    Record(SnapshotArgs),
    /// Compare today's decisions with the snapshots, change nothing: exit 1 on any
    /// change, new request file or orphan snapshot.
    #[command(after_help = super::snapshot_cmd::HELP)]
    Check(SnapshotArgs),
    /// Rewrite the snapshots that changed, add the new ones, remove the orphans.
    #[command(after_help = super::snapshot_cmd::HELP)]
    Update(SnapshotArgs),
}

/// `snapshot`'s options.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// Policy files or folders (repeatable); the embedded CSP policy when absent.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// The time of requests without `at` (RFC 3339), written in every snapshot; without
    /// it, the time a snapshot recorded, else the current time.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Keep the snapshots in this folder (the request files' relative paths, plus
    /// `.snap`) instead of next to the request files.
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// The folder of request files (read recursively).
    #[arg(value_name = "REQUESTS_DIR")]
    pub requests: PathBuf,
}

/// `eval`'s decision-log options (none without the `serve` feature, which holds the log).
#[derive(Debug, Default, clap::Args)]
pub struct EvalLogArgs {
    /// Log every decision to this SQLite file or postgres:// URL (as `serve`); a
    /// decision is written only once its entry is committed. The output is unchanged.
    #[cfg(feature = "serve")]
    #[arg(long, value_name = "TARGET")]
    pub decision_log: Option<String>,
    /// Remove this request field (such as actor.id) from logged requests (repeatable).
    #[cfg(feature = "serve")]
    #[arg(long = "log-mask", value_name = "FIELD", requires = "decision_log")]
    pub log_masks: Vec<String>,
}

/// `serve`'s options.
#[cfg(feature = "serve")]
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Policy files or folders (repeatable); the embedded CSP policy when absent.
    /// Reloaded on SIGHUP and when the files change.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// The address to listen on (ADDR:PORT); loopback by default.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8181")]
    pub listen: String,
    /// Log every decision to this SQLite file (created if needed) or PostgreSQL
    /// database (a postgres:// URL; the table is created if needed).
    #[arg(long, value_name = "TARGET")]
    pub decision_log: Option<String>,
    /// Answer before the decision's log entry is committed (faster; entries still
    /// queued are lost if the process dies).
    #[arg(long, requires = "decision_log")]
    pub decision_log_async: bool,
    /// Remove this request field (such as actor.id) from logged requests (repeatable).
    #[arg(long = "log-mask", value_name = "FIELD", requires = "decision_log")]
    pub log_masks: Vec<String>,
    /// Require `Authorization: Bearer TOKEN` on /v1/*, the token read from this file.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// The time used for requests without `at` (RFC 3339; for tests and replays).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Do not watch the policy files (reload on SIGHUP only).
    #[arg(long)]
    pub no_watch: bool,
    /// Serve the policy playground at `/` (edit policy files and a request, see the
    /// diagnostics and the decision live); its endpoints are under /v1/playground.
    #[arg(long)]
    pub playground: bool,
}
