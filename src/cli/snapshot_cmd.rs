//! `csp-policy snapshot record|check|update`: decision snapshots of a folder of request
//! files, through [`csp_policy::snapshot`]. `record` writes every snapshot, `check`
//! compares and changes nothing, `update` rewrites what changed, adds what is new and
//! removes orphans. This driver loads the policy, runs the survey, prints what the
//! library reports and picks the exit code.

use std::path::{Path, PathBuf};

use chrono::Utc;

use csp_policy::snapshot::{self, report, FileResult, Layout, Now, SnapshotError, Status};

use super::exit;
use super::output::{say, Stdout};

/// `snapshot`'s workflow and exit codes, after its options in `--help`.
pub const HELP: &str =
    "Each request file (*.yaml, *.yml, *.json, *.jsonl, *.ndjson, found recursively,
hidden folders left out) has one snapshot, FILE.snap: the decision of each of its
requests, in order, as plain YAML text to review in a pull request. Snapshots sit next
to the request files, or under --snapshots DIR (the same relative paths).

  record  decide every request file and write every snapshot
  check   compare today's decisions with the snapshots; change nothing. Shows each
          changed request (the parts that changed, old -> new, the lines), new
          request files without a snapshot, and orphan snapshots without a request
  update  rewrite the snapshots that changed, add the new ones, remove the orphans

Requests without `at` are decided at --now, which every snapshot then records; without
--now, at the time a snapshot recorded, else the current time (not reproducible: give
--now, or `at` in every request).

Exit codes:
  0  record, update: done; check: every decision is as its snapshot
  1  check: a decision changed, a request file has no snapshot, or a snapshot is an
     orphan
  2  bad usage, a request file or folder that cannot be read, a snapshot that cannot
     be written, or output that cannot be written
  3  the policy has errors; nothing was decided
  141  the output is a closed pipe";

/// What `snapshot` was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write every snapshot.
    Record,
    /// Compare; write nothing.
    Check,
    /// Write what changed, remove orphans.
    Update,
}

/// The command line of `snapshot`.
pub struct Args<'a> {
    /// `--policy`.
    pub policies: &'a [PathBuf],
    /// `--now`.
    pub now: Option<&'a str>,
    /// `--snapshots`.
    pub snapshots: Option<&'a Path>,
    /// The requests folder.
    pub requests: &'a Path,
}

/// Totals of a run.
#[derive(Debug, Default)]
struct Totals {
    requests: usize,
    same: usize,
    changed_files: usize,
    changed_requests: usize,
    changed_decisions: usize,
    new_files: usize,
    written: usize,
}

/// Runs `snapshot` and returns the exit code.
pub fn run(mode: Mode, args: Args<'_>) -> i32 {
    let now = match super::time::option(args.now, "--now") {
        Ok(Some(t)) => Now::Given(t),
        Ok(None) => Now::Recorded(Utc::now()),
        Err(code) => return code,
    };
    let policy = match super::policy::load_policy(args.policies, "nothing was decided") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let layout = Layout::new(args.requests, args.snapshots);
    let mut out = Stdout::new();
    let mut totals = Totals::default();
    let mut text = String::new();
    let surveyed = snapshot::survey(&policy, &layout, now, &mut |file| {
        text.clear();
        handle(mode, &file, &mut totals, &mut text)?;
        out.write(&text);
        Ok(())
    });
    let survey = match surveyed {
        Ok(survey) => survey,
        Err(e) => {
            say!("error: {e}\n");
            return out.finish().unwrap_or(exit::USAGE);
        }
    };
    for skipped in &survey.skipped {
        say!("warning: skipped {skipped}\n");
    }
    text.clear();
    let mut removed = 0usize;
    for orphan in &survey.orphans {
        let shown = orphan.path.display();
        match mode {
            Mode::Update => {
                if let Err(e) = snapshot::remove(&orphan.path) {
                    say!("error: {e}\n");
                    return out.finish().unwrap_or(exit::USAGE);
                }
                removed += 1;
                text.push_str(&format!(
                    "removed {shown}: its request file {} is gone\n",
                    orphan.name
                ));
            }
            Mode::Check | Mode::Record => text.push_str(&format!(
                "orphan: {shown}: its request file {} is gone{}\n",
                orphan.name,
                if mode == Mode::Record {
                    " (left alone; `snapshot update` removes it)"
                } else {
                    ""
                }
            )),
        }
    }
    summary(
        mode,
        &totals,
        survey.files,
        survey.orphans.len(),
        removed,
        &mut text,
    );
    out.write(&text);
    if let Some(code) = out.finish() {
        return code;
    }
    let differs = totals.changed_files > 0 || totals.new_files > 0 || !survey.orphans.is_empty();
    if mode == Mode::Check && differs {
        exit::DENIED_OR_FAILED
    } else {
        exit::OK
    }
}

/// Says (and in `record` and `update`, writes) one request file.
fn handle(
    mode: Mode,
    file: &FileResult,
    totals: &mut Totals,
    text: &mut String,
) -> Result<(), SnapshotError> {
    totals.requests += file.requests;
    let shown = file.snapshot.display();
    let write = match (&file.status, mode) {
        (Status::Same, Mode::Record) => true,
        (Status::Same, _) => {
            totals.same += 1;
            false
        }
        (Status::New, _) => {
            totals.new_files += 1;
            text.push_str(&format!(
                "new: {} ({}, no snapshot{})\n",
                file.name,
                report::requests(file.requests),
                if mode == Mode::Check { "" } else { "; written" }
            ));
            mode != Mode::Check
        }
        (Status::Changed(changes), _) => {
            totals.changed_files += 1;
            totals.changed_requests += changes.records.len();
            totals.changed_decisions += changes
                .records
                .iter()
                .filter(|r| r.decision_changed())
                .count();
            let old = file.old.as_deref().unwrap_or("");
            report::write_changes(text, &file.name, changes, old, &file.new);
            if mode != Mode::Check {
                text.push_str(&format!("  rewrote {shown}\n"));
            }
            mode != Mode::Check
        }
    };
    if write {
        snapshot::write(&file.snapshot, &file.new)?;
        totals.written += 1;
    }
    Ok(())
}

/// The last line: what was compared and what differs or was done.
fn summary(
    mode: Mode,
    totals: &Totals,
    files: usize,
    orphans: usize,
    removed: usize,
    out: &mut String,
) {
    if totals.changed_files + totals.new_files + orphans > 0 {
        out.push('\n');
    }
    out.push_str(&format!(
        "{}, {}: ",
        report::files(files),
        report::requests(totals.requests)
    ));
    match mode {
        Mode::Record => out.push_str(&format!(
            "{} recorded\n",
            report::files(totals.written)
        )),
        Mode::Check if totals.changed_files + totals.new_files + orphans == 0 => {
            out.push_str("every decision is as its snapshot\n")
        }
        Mode::Check => out.push_str(&format!(
            "{} changed in {} ({} of them allow <-> deny), {} without a snapshot, {} orphan snapshot{}\n\
             (review the changes; `csp-policy snapshot update` accepts them)\n",
            report::requests(totals.changed_requests),
            report::files(totals.changed_files),
            totals.changed_decisions,
            report::files(totals.new_files),
            orphans,
            if orphans == 1 { "" } else { "s" }
        )),
        Mode::Update => out.push_str(&format!(
            "{} rewritten, {} added, {} removed, {} unchanged\n",
            totals.changed_files, totals.new_files, removed, totals.same
        )),
    }
}
