//! The command line: argument parsing and the thin commands over the library. Every
//! command returns an exit code; nothing here decides anything by itself.

mod eval_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes, shared by every command.
pub mod exit {
    /// Success: every decision is allow / the policy is clean.
    pub const OK: i32 = 0;
    /// At least one decision is deny / the policy has errors / a test failed.
    pub const DENIED_OR_FAILED: i32 = 1;
    /// Bad usage, or an input that could not be read.
    pub const USAGE: i32 = 2;
    /// The policy could not be loaded (syntax or checking errors).
    pub const BAD_POLICY: i32 = 3;
}

const EXIT_CODES: &str = "Exit codes:
  0  eval: every decision is allow; check: no error (no warning with --deny-warnings);
     fmt --check: every file is formatted; test: every case passed
  1  eval: at least one decision is deny; check: errors found (or warnings with --deny-warnings);
     fmt --check: a file would change; test: a case failed
  2  bad usage, or an input or file that cannot be read
  3  the policy has errors and nothing was evaluated";

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
        /// Threads deciding a large input (decisions stay in input order); the number of
        /// CPUs when absent.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
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
    /// Run YAML suites of requests with expected decisions, facts and rules.
    #[command(after_help = EXIT_CODES)]
    Test {
        /// Policy files or folders (repeatable); the embedded CSP policy when absent.
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
        /// Report, per rule, how many cases reached it and how many it decided.
        #[arg(long)]
        coverage: bool,
        /// How to write results.
        #[arg(long, value_enum, default_value = "text")]
        format: SuiteFormat,
        /// Suite files or folders of suites.
        #[arg(value_name = "SUITE", required = true)]
        suites: Vec<PathBuf>,
    },
}

/// Runs the command line and returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    match cli.command {
        Command::Eval {
            policies,
            now,
            format,
            explain,
            jobs,
            input,
        } => eval_cmd::run(
            &policies,
            now.as_deref(),
            format,
            explain,
            jobs,
            input.as_deref(),
        ),
        Command::Check {
            policies,
            deny_warnings,
            format,
        } => check(&policies, deny_warnings, format),
        Command::Fmt { check, files } => crate::fmt::run_cli(&files, check),
        Command::Test {
            policies,
            coverage,
            format,
            suites,
        } => crate::suite::run_cli(&policies, &suites, coverage, format),
    }
}

/// Loads the sources named on the command line, or the embedded policy.
pub(crate) fn sources(policies: &[PathBuf]) -> Result<crate::source::SourceMap, i32> {
    if policies.is_empty() {
        return Ok(crate::load::embedded_sources());
    }
    crate::load::read_sources(policies).map_err(|e| {
        eprint!("{}", e.render());
        exit::USAGE
    })
}

/// `check`: every diagnostic of the policy, then the counts. Text goes to standard
/// error, drawn by miette (colours only when standard error is a terminal and
/// `NO_COLOR` is not set); JSON (or YAML) goes to standard output, one diagnostic per
/// line with `file`, `line`, `column`, `severity`, `code`, `message` and `help`.
/// Loads the policy named on the command line (or the embedded one) for a command that
/// runs it; on errors prints every diagnostic and says what was not done.
pub(crate) fn load_policy(policies: &[PathBuf], not_done: &str) -> Result<crate::Policy, i32> {
    let sources = sources(policies)?;
    match crate::load::load(sources) {
        Ok(compiled) => Ok(crate::Policy::from_compiled(compiled)),
        Err(e) => {
            eprint!("{}", e.render());
            eprintln!("error: the policy has errors; {not_done}");
            Err(exit::BAD_POLICY)
        }
    }
}

fn check(policies: &[PathBuf], deny_warnings: bool, format: OutputFormat) -> i32 {
    let sources = match sources(policies) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let loaded = crate::load::compile(sources);
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::check::Severity::Error)
        .count();
    let warnings = loaded.diagnostics.len() - errors;
    match format {
        OutputFormat::Json | OutputFormat::Yaml => {
            for d in &loaded.diagnostics {
                let location = d.location(&loaded.sources);
                let mut line = String::from("{\"file\":");
                crate::decision::json_str(&mut line, &location.file);
                line.push_str(&format!(
                    ",\"line\":{},\"column\":{},\"severity\":\"{}\",\"code\":",
                    location.line,
                    location.column,
                    d.severity.as_str()
                ));
                crate::decision::json_str(&mut line, d.code.as_str());
                line.push_str(",\"message\":");
                crate::decision::json_str(&mut line, &d.message);
                line.push_str(",\"help\":");
                match &d.help {
                    Some(h) => crate::decision::json_str(&mut line, h),
                    None => line.push_str("null"),
                }
                line.push('}');
                if format == OutputFormat::Yaml {
                    // JSON is YAML: each diagnostic is one item of a YAML list.
                    line.insert_str(0, "- ");
                }
                line.push('\n');
                // A closed pipe (`| head`) ends the listing quietly.
                if std::io::Write::write_all(&mut std::io::stdout().lock(), line.as_bytes())
                    .is_err()
                {
                    break;
                }
            }
        }
        OutputFormat::Text => {
            let colour = stderr_wants_colour();
            let mut out = String::new();
            for d in &loaded.diagnostics {
                out.push_str(&d.render_styled(&loaded.sources, colour));
                out.push('\n');
            }
            let files = loaded.sources.files().len();
            out.push_str(&format!(
                "checked {files} file(s): {errors} error(s), {warnings} warning(s)\n"
            ));
            // A closed pipe ends the listing quietly.
            let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), out.as_bytes());
        }
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        exit::DENIED_OR_FAILED
    } else {
        exit::OK
    }
}

/// Whether diagnostics on standard error may use colours: it is a terminal, and
/// `NO_COLOR` (<https://no-color.org>) is not set.
fn stderr_wants_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
