//! The command line: one client of the library. Argument parsing ([`args`]), one driver
//! per command (`check_cmd`, `diff_cmd`, `eval_cmd`, `fmt_cmd`, `log_cmd`, `matrix_cmd`,
//! `serve_cmd`, `snapshot_cmd`, `test_cmd`), the policy a command
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
#[cfg(feature = "serve")]
mod log_cmd;
mod matrix_cmd;
pub mod output;
mod policy;
mod requests;
#[cfg(feature = "serve")]
mod serve_cmd;
mod snapshot_cmd;
mod test_cmd;
mod time;

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
            with_revision,
            jobs,
            input_format,
            log,
            input,
        } => eval_cmd::run(
            &policies,
            now.as_deref(),
            eval_cmd::Show {
                format,
                explain,
                with_revision,
            },
            jobs,
            input_format,
            log,
            input.as_deref(),
        ),
        Command::Check {
            policies,
            deny_warnings,
            format,
        } => check_cmd::run(&policies, deny_warnings, format),
        Command::Fmt { check, files } => fmt_cmd::run(&files, check),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve_cmd::run(args),
        #[cfg(feature = "serve")]
        Command::Log {
            decision_log,
            from,
            to,
            actions,
            actors,
            decision,
            format,
        } => log_cmd::run(
            &decision_log,
            from.as_deref(),
            to.as_deref(),
            actions,
            actors,
            decision,
            format,
        ),
        Command::Test {
            policies,
            coverage,
            require_full_coverage,
            format,
            suites,
        } => {
            let coverage = if require_full_coverage {
                test_cmd::Coverage::Required
            } else if coverage {
                test_cmd::Coverage::Reported
            } else {
                test_cmd::Coverage::Off
            };
            test_cmd::run(&policies, &suites, coverage, format)
        }
        Command::Snapshot { action } => {
            let (mode, args) = match &action {
                args::SnapshotAction::Record(a) => (snapshot_cmd::Mode::Record, a),
                args::SnapshotAction::Check(a) => (snapshot_cmd::Mode::Check, a),
                args::SnapshotAction::Update(a) => (snapshot_cmd::Mode::Update, a),
            };
            snapshot_cmd::run(
                mode,
                snapshot_cmd::Args {
                    policies: &args.policies,
                    now: args.now.as_deref(),
                    snapshots: args.snapshots.as_deref(),
                    requests: &args.requests,
                },
            )
        }
        Command::Matrix {
            policies,
            now,
            format,
            output,
        } => matrix_cmd::run(&policies, now.as_deref(), format, output.as_deref()),
        Command::Diff {
            old,
            new,
            old_at,
            new_at,
            now,
            format,
            jobs,
            input_format,
            input,
            #[cfg(feature = "serve")]
            replay,
        } => diff_cmd::run(diff_cmd::Args {
            old: &old,
            new: &new,
            old_at: old_at.as_deref(),
            new_at: new_at.as_deref(),
            now: now.as_deref(),
            format,
            jobs,
            input_format,
            input: input.as_deref(),
            #[cfg(feature = "serve")]
            log: replay
                .decision_log
                .as_ref()
                .map(|target| diff_cmd::LogSource {
                    target,
                    from: replay.from.as_deref(),
                    to: replay.to.as_deref(),
                    actions: &replay.actions,
                }),
        }),
    }
}
