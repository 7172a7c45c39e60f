//! Deciding requests one after the other without allocating: the buffers one thread
//! reuses ([`Scratch`]), the run of documents they serve ([`Session`]), the reusable
//! [`Context`] of the batch path, and the thread-local scratch behind
//! [`decide_document`]. None of this changes what is decided: the procedure itself is
//! in `mod.rs`.

use std::cell::RefCell;

use crate::decision::{Decision, FactValue};
use crate::limits::{SPARE_STRINGS, SPARE_STRING_BYTES};
use crate::policy::CompiledPolicy;
use crate::request::stream::Document;
use crate::request::{Record, RequestError};

use super::env::Memo;
use super::{decide_in, Applied, Options};

/// The buffers one thread reuses from decision to decision, so that deciding a request
/// allocates nothing but what the decision itself holds: the decoded record, the
/// memoized `let`s and facts, the rules that applied, and spare strings for the
/// decision's text. With [`Context`] (which also reuses the decision), a batch
/// allocates nothing per request in the common case.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// The record's buffers between sessions.
    record: Record<'static>,
    /// The `let` and fact buffers between sessions.
    memo: Memo<'static>,
    /// The rules that applied to the request being decided.
    pub(super) applied: Applied,
    /// The facts that failed, before they join the decision's errors.
    pub(super) fact_errors: Vec<RequestError>,
    /// Emptied strings of earlier decisions.
    pub(super) spares: Spares,
}

/// The buffers that hold values of the requests being decided (`'v`): taken from a
/// [`Scratch`] for a run of documents and given back after.
pub(super) struct Session<'v> {
    /// The decoded request.
    pub(super) record: Record<'v>,
    /// Its `let`s and facts.
    pub(super) memo: Memo<'v>,
}

impl Scratch {
    /// Empty buffers (allocates nothing until used).
    pub(super) const fn new() -> Self {
        Scratch {
            record: Record {
                values: Vec::new(),
                invalid: 0,
                action_text: None,
                role_candidates: Vec::new(),
                errors: Vec::new(),
            },
            memo: Memo::new(),
            applied: Applied::new(),
            fact_errors: Vec::new(),
            spares: Spares {
                strings: Vec::new(),
            },
        }
    }

    /// Lends the record and memo buffers to a run of documents.
    fn open<'v>(&mut self) -> Session<'v> {
        Session {
            record: std::mem::take(&mut self.record).recycle(),
            memo: std::mem::take(&mut self.memo).recycle(),
        }
    }

    /// Takes the buffers back after a run.
    fn close(&mut self, session: Session<'_>) {
        self.record = session.record.recycle();
        self.memo = session.memo.recycle();
    }
}

/// Emptied strings of earlier decisions, reused for the text of the next ones (at most
/// [`SPARE_STRINGS`], none larger than [`SPARE_STRING_BYTES`]).
#[derive(Debug, Default)]
pub(super) struct Spares {
    strings: Vec<String>,
}

impl Spares {
    /// An empty string, from the spares when there is one.
    pub(super) fn take(&mut self) -> String {
        self.strings.pop().unwrap_or_default()
    }

    /// A copy of `text`, in a spare string when there is one.
    pub(super) fn copy(&mut self, text: &str) -> String {
        let mut copy = self.take();
        copy.push_str(text);
        copy
    }

    fn keep(&mut self, mut s: String) {
        if self.strings.len() < SPARE_STRINGS && s.capacity() <= SPARE_STRING_BYTES {
            s.clear();
            self.strings.push(s);
        }
    }

    /// Empties `decision`, keeping its strings as spares and its vectors' capacity.
    pub(super) fn reclaim(&mut self, decision: &mut Decision) {
        decision.allow = false;
        if let Some(action) = decision.action.take() {
            self.keep(action);
        }
        for reason in decision.reasons.drain(..) {
            self.keep(reason.rule);
            self.keep(reason.message);
        }
        for (name, value) in decision.facts.drain(..) {
            self.keep(name);
            match value {
                FactValue::Text(text) => self.keep(text),
                FactValue::List(items) => items.into_iter().for_each(|i| self.keep(i)),
                FactValue::Bool(_) | FactValue::Number(_) => {}
            }
        }
        decision.errors.clear();
        decision.explanation = None;
        decision.reached.clear();
    }
}

/// Everything one thread needs to decide requests one after the other without
/// allocating: the policy, the scratch buffers and the decision it refills.
#[derive(Debug)]
pub struct Context<'p> {
    policy: &'p CompiledPolicy,
    scratch: Scratch,
    decision: Decision,
}

impl<'p> Context<'p> {
    /// A context for `policy`.
    pub fn new(policy: &'p crate::Policy) -> Self {
        Context::for_compiled(&policy.compiled)
    }

    /// A context for a compiled policy.
    pub(crate) fn for_compiled(policy: &'p CompiledPolicy) -> Self {
        Context {
            policy,
            scratch: Scratch::new(),
            decision: Decision::default(),
        }
    }

    /// Decides one document; the decision is valid until the next call.
    pub fn decide(&mut self, document: &Document<'_>, options: &Options) -> &Decision {
        decide_with(
            self.policy,
            document,
            options,
            &mut self.scratch,
            &mut self.decision,
        );
        &self.decision
    }

    /// Decides documents one after the other and hands each decision to `each`; the
    /// buffers are set up once for all of them (cheaper than [`Context::decide`] per
    /// document).
    pub fn decide_each<'t, I, F>(&mut self, documents: I, options: &Options, mut each: F)
    where
        'p: 't,
        I: IntoIterator<Item = Document<'t>>,
        F: FnMut(&Document<'t>, &Decision),
    {
        let policy: &'t CompiledPolicy = self.policy;
        let mut session = self.scratch.open();
        for document in documents {
            decide_in(
                policy,
                &document,
                options,
                &mut session,
                &mut self.scratch,
                &mut self.decision,
            );
            each(&document, &self.decision);
        }
        self.scratch.close(session);
    }
}

thread_local! {
    /// The scratch buffers of the one-request entry point ([`decide_document`]).
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// Decides one document (JSON or YAML text, or a document the stream splitter marked
/// as oversized or not UTF-8) with this thread's scratch buffers: only the returned
/// decision is allocated.
pub fn decide_document(
    policy: &CompiledPolicy,
    document: &Document<'_>,
    options: &Options,
) -> Decision {
    let mut decision = Decision::default();
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => decide_with(policy, document, options, &mut scratch, &mut decision),
        Err(_) => decide_with(
            policy,
            document,
            options,
            &mut Scratch::new(),
            &mut decision,
        ),
    });
    decision
}

/// Decides one document into `out` (emptied first), reusing `scratch`.
fn decide_with(
    policy: &CompiledPolicy,
    document: &Document<'_>,
    options: &Options,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    let mut session = scratch.open();
    decide_in(policy, document, options, &mut session, scratch, out);
    scratch.close(session);
}
