//! The command line: one client of the library. Argument parsing ([`args`]), one driver
//! per command (`check_cmd`, `diff_cmd`, `eval_cmd`, `fmt_cmd`, `test_cmd`), the policy a command
//! runs ([`policy`]), output that never panics ([`output`]) and the exit codes
//! ([`exit`]). Each command asks the library for values (decisions, diagnostics,
//! formatted files, case results and reports), prints them and returns an exit code;
//! nothing here decides, validates or formats a decision by itself.

mod args;
mod check_cmd;
mod diff_cmd;
mod eval_cmd;
pub mod exit;
mod fmt_cmd;
pub mod output;
mod policy;
mod test_cmd;

use clap::Parser;

use args::{Cli, Command};

/// Runs the command line and returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // A usage error goes to standard error; `--help` and `--version` to standard
            // output, whose failure is reported like any other output's.
            let printed = e.print();
            if e.use_stderr() {
                return exit::USAGE;
            }
            return match printed {
                Ok(()) => exit::OK,
                Err(error) => output::WriteError::from_io(error).report("standard output"),
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
            input_format,
            input,
        } => eval_cmd::run(
            &policies,
            now.as_deref(),
            format,
            explain,
            jobs,
            input_format,
            input.as_deref(),
        ),
        Command::Check {
            policies,
            deny_warnings,
            format,
        } => check_cmd::run(&policies, deny_warnings, format),
        Command::Fmt { check, files } => fmt_cmd::run(&files, check),
        Command::Test {
            policies,
            coverage,
            format,
            suites,
        } => test_cmd::run(&policies, &suites, coverage, format),
        Command::Diff {
            old,
            new,
            now,
            format,
            jobs,
            input_format,
            input,
        } => diff_cmd::run(diff_cmd::Args {
            old: &old,
            new: &new,
            now: now.as_deref(),
            format,
            jobs,
            input_format,
            input: input.as_deref(),
        }),
    }
}
