//! Exit codes, shared by every command: the numbers belong to the command line. The
//! library reports outcomes as values (decisions, diagnostics, case results, formatted
//! files); each command turns them into one of these.

/// Success: every decision is allow / the policy is clean.
pub const OK: i32 = 0;
/// At least one decision is deny / the policy has errors / a test failed.
pub const DENIED_OR_FAILED: i32 = 1;
/// Bad usage, or an input that could not be read.
pub const USAGE: i32 = 2;
/// The policy could not be loaded (syntax or checking errors).
pub const BAD_POLICY: i32 = 3;
/// Standard output (or, for `check`'s text, standard error) is a closed pipe: what a
/// shell reports for a tool ended by SIGPIPE (128 + 13). See [`super::output`].
pub const CLOSED_PIPE: i32 = 141;

/// The exit codes as `--help` lists them, after every command's options.
pub const HELP: &str = "Exit codes:
  0  eval: every decision is allow; check: no error (no warning with --deny-warnings);
     fmt --check: every file is formatted; test: every case passed
  1  eval: at least one decision is deny; check: errors found (or warnings with --deny-warnings);
     fmt --check: a file would change; test: a case failed (or coverage is short
     of --require-full-coverage)
  2  bad usage, an input or file that cannot be read, or output that cannot be written
  3  the policy has errors and nothing was evaluated
  141  the output is a closed pipe (`| head`): the command stopped quietly, as a
       Unix tool ended by SIGPIPE does";
