//! The state of one evaluation ([`Env`]): the policy, the decoded request, the actor's
//! roles, the memoized `let`s and facts ([`Memo`], reused from request to request), and
//! the trace of tests when explaining. How expressions are computed is in `expr.rs`
//! (values, with the trace) and `holds.rs` (conditions, without building values).

use std::borrow::Cow;

use crate::decision::{Operand as Traced, TestKind, TestTrace};
use crate::policy::{CompiledPolicy, Expr, Node};
use crate::request::Record;
use crate::value::Value;

use super::error::ExprError;
use super::render::explain_value;

/// The values an evaluation computes once: `let`s (with whether they read an absent
/// field) and facts, by declaration index. Its vectors are reused from one request to
/// the next (see [`Memo::recycle`]).
#[derive(Debug, Default)]
pub(super) struct Memo<'v> {
    /// Memoized `let` values with whether they read an absent field.
    lets: Vec<Option<(Value<'v>, bool)>>,
    /// Fact values by declaration index, once computed.
    facts: Vec<Option<Value<'v>>>,
}

impl Memo<'_> {
    /// Empty buffers (allocates nothing until used).
    pub(super) const fn new() -> Self {
        Memo {
            lets: Vec::new(),
            facts: Vec::new(),
        }
    }

    /// The same buffers, emptied, for values of another lifetime (the vectors keep
    /// their allocations: see [`recycle`]).
    pub(super) fn recycle<'b>(self) -> Memo<'b> {
        Memo {
            lets: recycle(self.lets, |_| None),
            facts: recycle(self.facts, |_| None),
        }
    }
}

/// Empties a vector and reuses its allocation for elements of another lifetime (the
/// standard library collects an emptied `vec::IntoIter` in place when the layouts
/// agree, as they do between `Value<'a>` and `Value<'b>`).
fn recycle<T, U>(mut v: Vec<T>, fill: impl FnMut(T) -> U) -> Vec<U> {
    v.clear();
    v.into_iter().map(fill).collect()
}

/// The state of one evaluation. `'v` is the shorter of the policy's and the request
/// text's lifetimes: values borrow text from either (request fields, policy constants),
/// so evaluating copies no text; `'r` is the borrow of the decoded record.
pub(super) struct Env<'r, 'v> {
    /// The policy.
    pub(super) policy: &'v CompiledPolicy,
    /// The request.
    pub(super) record: &'r Record<'v>,
    /// The actor's roles, resolved against the side.
    pub(super) actor_roles: u64,
    /// The action's plan index.
    pub(super) action: u16,
    /// The `let`s and facts computed so far.
    pub(super) memo: Memo<'v>,
    /// The decision, once known (for facts that read `allowed`).
    pub(super) allowed: Option<bool>,
    /// Set when an absent field was read (outside `is present`/`is missing`).
    pub(super) touched_absent: bool,
    /// The tests of the rule being explained, with their operands, when explaining.
    pub(super) trace: Option<Vec<TestTrace>>,
}

/// Makes `slots` hold `len` empty slots, writing only the slots that are not empty.
fn reset<T>(slots: &mut Vec<Option<T>>, len: usize) {
    if slots.len() == len {
        for slot in slots.iter_mut().filter(|s| s.is_some()) {
            *slot = None;
        }
    } else {
        slots.clear();
        slots.resize_with(len, || None);
    }
}

/// An operand of a test: borrowed from the request or the policy, or computed.
pub(super) enum Operand<'r, 'v> {
    Borrowed(&'r Value<'v>),
    Computed(Value<'v>),
}

impl<'v> std::ops::Deref for Operand<'_, 'v> {
    type Target = Value<'v>;

    fn deref(&self) -> &Value<'v> {
        match self {
            Operand::Borrowed(v) => v,
            Operand::Computed(v) => v,
        }
    }
}

impl<'r, 'v> Env<'r, 'v> {
    /// An environment for one request, reusing `memo`'s buffers (emptied here; take
    /// them back with [`Env::into_memo`]).
    pub(super) fn new(
        policy: &'v CompiledPolicy,
        record: &'r Record<'v>,
        actor_roles: u64,
        action: u16,
        explain: bool,
        mut memo: Memo<'v>,
    ) -> Self {
        reset(&mut memo.lets, policy.lets.len());
        reset(&mut memo.facts, policy.facts.len());
        Env {
            policy,
            record,
            actor_roles,
            action,
            memo,
            allowed: None,
            touched_absent: false,
            trace: explain.then(Vec::new),
        }
    }

    /// The `let` and fact buffers, for the next request.
    pub(super) fn into_memo(self) -> Memo<'v> {
        self.memo
    }

    /// The value of the fact declared at `index`, once computed (absent or failed:
    /// `None`).
    pub(super) fn fact(&self, index: u16) -> Option<&Value<'v>> {
        self.memo.facts.get(usize::from(index))?.as_ref()
    }

    /// Sets the value of the fact declared at `index`.
    pub(super) fn set_fact(&mut self, index: u16, value: Option<Value<'v>>) {
        if let Some(slot) = self.memo.facts.get_mut(usize::from(index)) {
            *slot = value;
        }
    }

    /// The memoized value of the `let` declared at `index`, with whether it read an
    /// absent field.
    pub(super) fn memoized_let(&self, index: usize) -> Option<&(Value<'v>, bool)> {
        self.memo.lets.get(index)?.as_ref()
    }

    /// Memoizes the value of the `let` declared at `index`.
    pub(super) fn memoize_let(&mut self, index: usize, value: Value<'v>, absent: bool) {
        if let Some(slot) = self.memo.lets.get_mut(index) {
            *slot = Some((value, absent));
        }
    }

    /// A field's value (text borrowed from the request stays borrowed).
    pub(super) fn field(&self, slot: u16) -> Value<'v> {
        match self.record.values.get(usize::from(slot)) {
            // Roles are resolved against the side after decoding.
            Some(Value::Roles(_)) => Value::Roles(self.actor_roles),
            Some(v) => v.clone(),
            None => Value::Absent,
        }
    }

    /// An operand of a test: a field or a constant is looked at where it is, anything
    /// else is computed.
    pub(super) fn operand(&mut self, e: &'v Expr) -> Result<Operand<'r, 'v>, ExprError> {
        match &e.node {
            Node::Field(slot) => Ok(match self.record.values.get(usize::from(*slot)) {
                // Roles are resolved against the side after decoding.
                Some(Value::Roles(_)) => Operand::Computed(Value::Roles(self.actor_roles)),
                Some(v) => {
                    if !v.is_present() {
                        self.touched_absent = true;
                    }
                    Operand::Borrowed(v)
                }
                None => {
                    self.touched_absent = true;
                    Operand::Computed(Value::Absent)
                }
            }),
            Node::Const(v) => Ok(Operand::Borrowed(v)),
            _ => self.eval(e).map(Operand::Computed),
        }
    }

    /// An operand that is a field (other than the roles, which are resolved) or a
    /// constant, looked at where it is, as [`Env::operand`] would give it; `None` for
    /// anything else (computed by [`Env::operand`]). The fast path of [`Env::holds`]'s
    /// comparisons: nothing is wrapped or copied.
    #[inline]
    pub(super) fn in_place(&mut self, e: &'v Expr) -> Option<&'r Value<'v>> {
        match &e.node {
            Node::Field(slot) => match self.record.values.get(usize::from(*slot)) {
                Some(Value::Roles(_)) | None => None,
                Some(v) => {
                    if !v.is_present() {
                        self.touched_absent = true;
                    }
                    Some(v)
                }
            },
            Node::Const(v) => Some(v),
            _ => None,
        }
    }

    /// Records a test, whether it held and its operands' values, when explaining.
    #[inline]
    pub(super) fn note(
        &mut self,
        e: &Expr,
        kind: TestKind,
        holds: bool,
        operands: &[(&Expr, &Value<'_>)],
    ) {
        if self.trace.is_some() {
            self.note_test(e, kind, holds, operands);
        }
    }

    /// Records which version of a dated value a time selected (with `--explain`).
    #[cold]
    pub(super) fn note_version(
        &mut self,
        text: String,
        found: bool,
        time: &Expr,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        let policy = self.policy;
        let test = TestTrace {
            text,
            kind: TestKind::Version,
            holds: found,
            operands: vec![Traced {
                text: source_text(policy, time),
                value: explain_value(policy, &Value::Time(at)),
            }],
        };
        if let Some(trace) = self.trace.as_mut() {
            trace.push(test);
        }
    }

    #[cold]
    fn note_test(
        &mut self,
        e: &Expr,
        kind: TestKind,
        holds: bool,
        operands: &[(&Expr, &Value<'_>)],
    ) {
        let policy = self.policy;
        let test = TestTrace {
            text: source_text(policy, e),
            kind,
            holds,
            operands: operands
                .iter()
                .map(|(expr, value)| Traced {
                    text: source_text(policy, expr),
                    value: explain_value(policy, value),
                })
                .collect(),
        };
        if let Some(trace) = self.trace.as_mut() {
            trace.push(test);
        }
    }
}

/// An expression as the policy writes it, its spaces collapsed.
fn source_text(policy: &CompiledPolicy, e: &Expr) -> String {
    let mut out = String::new();
    for word in policy.sources.snippet(e.span).split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A value that borrows the text of `v` instead of copying it.
pub(super) fn view<'v>(v: &'v Value<'_>) -> Value<'v> {
    match v {
        Value::Text(t) => Value::Text(Cow::Borrowed(t.as_ref())),
        other => other.clone(),
    }
}
