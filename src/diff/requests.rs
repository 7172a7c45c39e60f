//! `diff` over requests: each request of a stream decided under both policies, through
//! the batch path `eval` uses (chunks decided on several threads, written in input
//! order, memory bounded), and each request whose decision changed in any part written
//! as a `change` object (JSON) or counted for the text report.

use std::io::Write;

use super::compare::{Changed, Outcome};
use super::summary::{GroupKey, Tally};
use crate::eval::batch::{self, Documents, Job, Progress};
use crate::eval::{Context, Options};
use crate::policy::CompiledPolicy;
use crate::request::stream::{Document, Format, Input, Records};

/// How the changes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// One `change` object per line as each is found, then the `summary` object.
    Json,
    /// Nothing while running; the grouped report ([`Tally::write_text`]) at the end.
    Text,
}

/// How to run a diff over requests.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Worker threads (1: everything on the calling thread).
    pub jobs: usize,
    /// How to write the changes.
    pub report: Report,
}

/// What a run over requests found.
#[derive(Debug, Default)]
pub struct Compared {
    /// The totals.
    pub tally: Tally,
    /// Writing failed (a closed pipe): the run stopped there.
    pub write_failed: bool,
}

/// The job of the batch path: decide under both policies, compare.
struct Compare<'p> {
    old: &'p CompiledPolicy,
    new: &'p CompiledPolicy,
    options: &'p Options,
    report: Report,
}

impl Job for Compare<'_> {
    type Worker<'j>
        = (Context<'j>, Context<'j>, Vec<crate::Decision>)
    where
        Self: 'j;
    type Tally = Tally;

    fn worker(&self) -> Self::Worker<'_> {
        (
            Context::for_compiled(self.old),
            Context::for_compiled(self.new),
            Vec::new(),
        )
    }

    fn decide(
        &self,
        (old, new, olds): &mut (Context<'_>, Context<'_>, Vec<crate::Decision>),
        documents: Documents<'_>,
        out: &mut String,
        tally: &mut Tally,
    ) {
        // The old decisions of the chunk first, then each new one against its old one:
        // each context decides its documents in one session.
        olds.clear();
        old.decide_each(documents.iter(), self.options, |_, d| olds.push(d.clone()));
        let mut olds = olds.iter();
        new.decide_each(documents.iter(), self.options, |document, new| {
            let Some(old) = olds.next() else { return };
            let changed = Changed::between(old, new);
            if !changed.any() {
                tally.add(None, document.line, changed);
                return;
            }
            let key = GroupKey {
                action: new.action.clone().or_else(|| old.action.clone()),
                old: Outcome::of(old),
                new: Outcome::of(new),
            };
            tally.add(Some(key), document.line, changed);
            if self.report == Report::Json {
                write_change(out, document, old, new, changed);
            }
        });
    }

    fn merge(total: &mut Tally, part: &Tally) {
        total.merge(part);
    }
}

/// One `change` object and its newline.
fn write_change(
    out: &mut String,
    document: &Document<'_>,
    old: &crate::Decision,
    new: &crate::Decision,
    changed: Changed,
) {
    out.push_str("{\"kind\":\"change\",\"line\":");
    out.push_str(&document.line.to_string());
    out.push_str(",\"request\":");
    write_request(out, document);
    out.push_str(",\"old\":");
    old.write_json(out);
    out.push_str(",\"new\":");
    new.write_json(out);
    out.push_str(",\"changed\":[");
    for (i, name) in changed.names().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push('"');
    }
    out.push_str("]}\n");
}

/// The request as the change object shows it: a JSON document as itself (on one line),
/// anything else (YAML, a record that cannot be read) as its text in a JSON string, so
/// that no value is rewritten (a YAML number stays as written).
fn write_request(out: &mut String, document: &Document<'_>) {
    let is_json = document.format == Format::Json
        && serde_json::from_str::<&serde_json::value::RawValue>(document.text).is_ok();
    if is_json {
        crate::json::compact(document.text, out);
    } else {
        crate::json::write_str(out, document.text);
    }
}

/// Decides every request of `records` under `old` and `new` on `jobs` threads and
/// writes the changes to `out` (as `report` says; the summary is the caller's to write,
/// from the returned tally). Reading stops at the end of the input or at an I/O error
/// (left in `records.io_error`).
pub fn run<R: Input, W: Write>(
    old: &crate::Policy,
    new: &crate::Policy,
    records: &mut Records<R>,
    out: &mut W,
    options: &Options,
    settings: Settings,
    progress: &mut dyn FnMut(Progress),
) -> Compared {
    let job = Compare {
        old: old.compiled(),
        new: new.compiled(),
        options,
        report: settings.report,
    };
    let (ran, tally) = batch::run_job(&job, records, out, settings.jobs, progress);
    Compared {
        tally,
        write_failed: ran.write_failed,
    }
}
