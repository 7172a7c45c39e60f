//! `csp-policy eval`: read requests, decide each in input order, write decisions.
//!
//! The stream goes through [`csp_policy::batch`]: bounded memory whatever the input's
//! length, several threads for a large input, one decision per record in input order.
//! Its framing is `--input`, else the file's extension, else the content
//! ([`csp_policy::stream`]). Standard input is read through a
//! [`LiveInput`], so that a request written to a pipe is decided and its decision
//! written while the pipe stays open. A progress line is drawn on standard error only
//! when it is a terminal.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use csp_policy::batch::{self, Progress, Rendering, Settings, Summary};
use csp_policy::stream::{Input, Records};
use csp_policy::{Options, Policy};

use super::args::{EvalLogArgs, InputFormat, OutputFormat};
use super::exit;
use super::output::{say, Recording};

/// How long a run must last before a progress line appears (so that a short run never
/// flashes one).
const PROGRESS_AFTER: Duration = Duration::from_millis(300);

/// How `eval` writes each decision.
pub struct Show {
    /// `--format`.
    pub format: OutputFormat,
    /// `--explain`.
    pub explain: bool,
    /// `--with-revision`.
    pub with_revision: bool,
}

/// Runs `eval` and returns the exit code.
#[allow(clippy::too_many_arguments)]
pub fn run(
    policies: &[PathBuf],
    now: Option<&str>,
    show: Show,
    jobs: Option<u16>,
    input_format: Option<InputFormat>,
    log: EvalLogArgs,
    input: Option<&Path>,
) -> i32 {
    let now = match super::time::now_or_current(now) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let policy = match super::policy::load_policy(policies, "nothing was evaluated") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let log = match logging::open(log) {
        Ok(log) => log,
        Err(code) => return code,
    };
    let opened = match super::requests::open(input) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let (reader, path, input_size) = (opened.reader, opened.path, opened.size);
    let framing = super::requests::framing(input_format, path);
    let Show {
        format,
        explain,
        with_revision,
    } = show;
    let options = Options {
        now,
        explain,
        coverage: false,
    };
    let settings = Settings {
        jobs: jobs.map_or_else(default_jobs, usize::from),
        rendering: match format {
            OutputFormat::Json => Rendering::Json,
            OutputFormat::Yaml => Rendering::Yaml,
            OutputFormat::Text => Rendering::Text,
        },
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, Recording::new(stdout.lock()));
    let mut records = Records::with_framing(reader, framing);
    let mut bar = ProgressLine::new(input_size);
    let (summary, not_logged) = run_logged(
        &log,
        &policy,
        &mut records,
        &mut out,
        &options,
        settings,
        with_revision,
        &mut |p| bar.update(p),
    );
    bar.finish();
    if summary.write_failed || out.flush().is_err() {
        // A closed pipe stops quietly (141); any other write error is said (2).
        return match out.get_mut().take_error() {
            Some(e) => e.report("standard output"),
            None => super::output::WriteError::Failed(std::io::Error::other("write failed"))
                .report("standard output"),
        };
    }
    if let Some(e) = not_logged {
        let _ = out.flush();
        say!("error: {e}; the decisions from there on were not written\n");
        return exit::USAGE;
    }
    if let Err(e) = logging::close(log) {
        say!("error: {e}\n");
        return exit::USAGE;
    }
    if let Some(e) = records.io_error {
        say!("error: reading the requests failed: {e}\n");
        return exit::USAGE;
    }
    if summary.count == 0 {
        say!("error: the input holds no request\n");
        return exit::USAGE;
    }
    if summary.all_allow {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}

/// `--decision-log`: each decision logged before it is written (the `serve` feature).
#[cfg(feature = "serve")]
mod logging {
    use csp_policy::decision_log::mask::FieldPath;
    use csp_policy::decision_log::{DecisionLog, LogError, Target};

    use super::super::args::EvalLogArgs;
    use super::super::exit;
    use super::super::output::say;

    /// The open log and its masks, when `--decision-log` is given.
    pub(super) type Log = Option<(DecisionLog, Vec<FieldPath>)>;

    /// Opens the log (durable: a decision is written once its entry is committed).
    pub(super) fn open(args: EvalLogArgs) -> Result<Log, i32> {
        let Some(target) = args.decision_log else {
            return Ok(None);
        };
        let masks = super::super::serve_cmd::log_masks(&args.log_masks)?;
        match DecisionLog::open(&Target::parse(&target), true) {
            Ok(log) => Ok(Some((log, masks))),
            Err(e) => {
                say!("error: {e}; nothing was evaluated\n");
                Err(exit::USAGE)
            }
        }
    }

    /// Commits what is left and stops the writer.
    pub(super) fn close(log: Log) -> Result<(), LogError> {
        match log {
            Some((log, _)) => log.close(),
            None => Ok(()),
        }
    }
}

/// Without the `serve` feature there is no decision log.
#[cfg(not(feature = "serve"))]
mod logging {
    use super::super::args::EvalLogArgs;

    /// No log.
    pub(super) struct Log;

    /// Nothing to open.
    pub(super) fn open(_: EvalLogArgs) -> Result<Log, i32> {
        Ok(Log)
    }

    /// Nothing to close.
    pub(super) fn close(_: Log) -> Result<(), std::convert::Infallible> {
        Ok(())
    }
}

/// The batch, each decision kept in the log (when there is one) before it is written;
/// the reason the first one could not be, if any.
#[allow(clippy::too_many_arguments)] // batch::run_kept's, plus the log
fn run_logged<R: Input, W: Write>(
    log: &logging::Log,
    policy: &Policy,
    records: &mut Records<R>,
    out: &mut W,
    options: &Options,
    settings: Settings,
    with_revision: bool,
    progress: &mut dyn FnMut(Progress),
) -> (Summary, Option<String>) {
    #[cfg(feature = "serve")]
    if let Some((log, masks)) = log {
        let keeper =
            csp_policy::decision_log::keep::LogKeeper::new(log, policy.revision().as_str(), masks);
        let (summary, not_logged) = batch::run_kept(
            policy,
            records,
            out,
            options,
            settings,
            with_revision,
            &keeper,
            progress,
        );
        return (summary, not_logged.map(|e| e.to_string()));
    }
    #[cfg(not(feature = "serve"))]
    let logging::Log = log;
    let (summary, _) = batch::run_kept(
        policy,
        records,
        out,
        options,
        settings,
        with_revision,
        &batch::KeepNothing,
        progress,
    );
    (summary, None)
}

/// One thread per CPU, at most [`csp_policy::limits::JOBS`].
pub(super) fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(usize::from(csp_policy::limits::JOBS))
}

/// The progress line on standard error: drawn only when standard error is a terminal,
/// and only once the run has lasted [`PROGRESS_AFTER`].
struct ProgressLine {
    enabled: bool,
    started: Instant,
    total: Option<u64>,
    bar: Option<ProgressBar>,
}

impl ProgressLine {
    fn new(total: Option<u64>) -> Self {
        ProgressLine {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            total,
            bar: None,
        }
    }

    fn update(&mut self, progress: Progress) {
        if !self.enabled || self.started.elapsed() < PROGRESS_AFTER {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let (bar, template) = match self.total {
                Some(total) => (ProgressBar::new(total), "{bar:25} {percent:>3}% {msg}"),
                None => (ProgressBar::new_spinner(), "{spinner} {msg}"),
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        // Rates over the whole run (indicatif's own estimate starts when the line appears).
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut message = format!(
            "{} requests, {:.0}/s",
            progress.decided,
            progress.decided as f64 / seconds
        );
        if let Some(total) = self.total {
            let bytes_per_second = progress.bytes_read as f64 / seconds;
            if bytes_per_second > 0.0 {
                let left = total.saturating_sub(progress.bytes_read) as f64 / bytes_per_second;
                message.push_str(&format!(", {left:.0} s left"));
            }
        }
        bar.set_position(progress.bytes_read);
        bar.set_message(message);
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
