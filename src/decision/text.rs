//! The decision as text for people: one line for the verdict and action, then one per
//! reason, error and fact, then the explanation's entries when asked for; text from the request or the policy is shown through
//! [`visible`], so it cannot start a line of its own or drive the terminal.

use std::fmt::Write as _;

use super::escape::terminal_hides;
use super::explain::{ExplainEntry, ExplainValue, Outcome, TestKind, TestTrace};
use super::{Decision, FactValue, Reason};
use crate::policy::Effect;
use crate::request::RequestError;
use crate::value::{join_or_none, write_number};

impl Decision {
    /// Writes the decision for a person to read.
    pub fn write_text(&self, out: &mut String) {
        self.write_text_with(out, None);
    }

    /// Writes the decision for a person to read, with a `policy revision` line after
    /// the facts when given (`eval --with-revision`).
    pub fn write_text_with(&self, out: &mut String, revision: Option<&str>) {
        // Text from the request or the policy is shown through `visible`: it cannot
        // start a line of its own or drive the terminal.
        let _ = writeln!(
            out,
            "{} {}",
            self.verdict().to_uppercase(),
            visible(self.action.as_deref().unwrap_or("(no action)"))
        );
        for r in &self.reasons {
            reason_line(out, "  ", r);
        }
        for e in &self.errors {
            error_line(out, "  ", e, true);
        }
        for (name, value) in &self.facts {
            let _ = write!(out, "  fact {} = ", visible(name));
            match value {
                FactValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                FactValue::Number(n) => write_number(out, *n),
                FactValue::Text(t) => out.push_str(&visible(t)),
                FactValue::List(items) => out.push_str(&visible(&items.join(", "))),
            }
            out.push('\n');
        }
        if let Some(revision) = revision {
            let _ = writeln!(out, "  policy revision {}", visible(revision));
        }
        if let Some(entries) = &self.explanation {
            out.push_str("  explanation:\n");
            let mut line = String::new();
            for entry in entries {
                line.clear();
                entry_line(&mut line, entry);
                let _ = writeln!(out, "    {}", visible(&line));
                for test in &entry.tests {
                    line.clear();
                    test_line(&mut line, test);
                    let _ = writeln!(out, "      {}", visible(&line));
                }
            }
            let applied = |effect: Effect| {
                entries
                    .iter()
                    .filter(|e| e.effect == effect && e.outcome == Outcome::Applied)
                    .count()
            };
            let _ = writeln!(
                out,
                "    decision: {} ({} forbid, {} permit, {} error)",
                self.verdict(),
                applied(Effect::Forbid),
                applied(Effect::Permit),
                self.errors.len()
            );
        }
    }
}

/// Appends a reason on its own line after `lead`: `effect rule: message`.
pub(crate) fn reason_line(out: &mut String, lead: &str, r: &Reason) {
    let version = r
        .in_force
        .as_ref()
        .map(|v| format!(" (in force {})", visible(v)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{lead}{} {}{version}: {}",
        r.effect,
        visible(&r.rule),
        visible(&r.message)
    );
}

/// Appends an error on its own line after `lead`: `error code: message`, with its
/// place in the input (`(line L, column C)`) after the code when `place`.
pub(crate) fn error_line(out: &mut String, lead: &str, e: &RequestError, place: bool) {
    let _ = write!(out, "{lead}error {}", e.code());
    if place {
        match (e.line(), e.column()) {
            (Some(l), Some(c)) => {
                let _ = write!(out, " (line {l}, column {c})");
            }
            (Some(l), None) => {
                let _ = write!(out, " (line {l})");
            }
            _ => {}
        }
    }
    let _ = writeln!(out, ": {}", visible(&e.to_string()));
}

/// How a rule went, on one line: `id (effect) → verdict`.
fn entry_line(out: &mut String, entry: &ExplainEntry) {
    let _ = write!(out, "{}", entry.rule);
    if let Some(in_force) = &entry.in_force {
        let _ = write!(out, " (in force {in_force})");
    }
    let _ = write!(out, " ({})", entry.effect);
    match (&entry.outcome, &entry.actor, &entry.error) {
        (Outcome::AudienceNotMatched, actor, _) => {
            let side = actor.as_ref().and_then(|a| a.side.as_deref());
            let roles = actor.as_ref().map_or(&[][..], |a| a.roles.as_slice());
            let _ = write!(
                out,
                ": does not apply to a {} with roles [{}] → skipped",
                side.unwrap_or(NOT_GIVEN),
                roles.join(", ")
            );
        }
        (Outcome::Error, _, Some(error)) => {
            let _ = write!(out, " → error: {error}");
        }
        (Outcome::Error, _, None) => out.push_str(" → error"),
        (Outcome::NotInForce, _, _) => out.push_str(": not in force → skipped"),
        (Outcome::Applied | Outcome::ConditionFalse, _, _) => {
            if !entry.has_condition {
                out.push_str(" (no condition)");
            }
            out.push_str(" → ");
            out.push_str(if entry.outcome == Outcome::Applied {
                entry.effect.as_str()
            } else {
                "no match"
            });
        }
    }
}

/// A test and the values it compared, on one line: `test: a vs b → yes`.
fn test_line(out: &mut String, test: &TestTrace) {
    let _ = write!(out, "{}: ", test.text);
    let operands = &test.operands;
    let value = |i: usize| operands.get(i).map(|o| &o.value);
    match test.kind {
        TestKind::Compare => {
            write_shown(out, value(0));
            out.push_str(" vs ");
            write_shown(out, value(1));
        }
        TestKind::OneOf => {
            write_shown(out, value(0));
            out.push_str(" among [");
            for (i, option) in operands.iter().skip(1).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_shown(out, Some(&option.value));
            }
            out.push(']');
        }
        TestKind::Version => {
            out.push_str("at ");
            write_shown(out, value(0));
        }
        TestKind::Range => {
            write_shown(out, value(0));
            out.push_str(" in ");
            write_shown(out, value(1));
            out.push_str(" .. ");
            write_shown(out, value(2));
        }
        TestKind::Presence => out.push_str(if value(0).is_some_and(ExplainValue::is_present) {
            "given"
        } else {
            "not given"
        }),
        TestKind::Membership => write_shown(out, value(0)),
    }
    out.push_str(if test.holds { " → yes" } else { " → no" });
}

/// How messages and explanations show an absent value.
const NOT_GIVEN: &str = "(not given)";

/// Appends a value as messages show it (absent as `(not given)`, a condition as
/// `yes`/`no`, roles joined by commas or `(none)`).
fn write_shown(out: &mut String, value: Option<&ExplainValue>) {
    match value {
        None | Some(ExplainValue::Absent) => out.push_str(NOT_GIVEN),
        Some(ExplainValue::Bool(b)) => out.push_str(if *b { "yes" } else { "no" }),
        Some(ExplainValue::Written { text, .. }) => out.push_str(text),
        Some(ExplainValue::Roles(roles)) => join_or_none(out, roles),
    }
}

/// Text for a person's terminal: every character that would break the line, move the
/// cursor, start a terminal escape sequence or reorder the text (C0 controls, line
/// breaks included, DEL, C1 controls, U+2028/9, the bidirectional controls) is shown as
/// `\u{..}`, or `\n`, `\r`, `\t`; everything else as itself. Borrowed when there is
/// nothing to show differently.
pub(crate) fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(terminal_hides) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if terminal_hides(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_for_people_shows_what_would_act_on_the_terminal() {
        assert!(matches!(
            visible("plain é 日"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            visible("a\nb\rc\td\u{1b}[2J\u{7f}\u{85}\u{2028}\u{202e}\u{2066}e"),
            "a\\nb\\rc\\td\\u{1b}[2J\\u{7f}\\u{85}\\u{2028}\\u{202e}\\u{2066}e"
        );
        let d = Decision {
            action: Some("x\nALLOW y".into()),
            ..Decision::default()
        };
        let mut out = String::new();
        d.write_text(&mut out);
        assert_eq!(out, "DENY x\\nALLOW y\n");
    }
}
