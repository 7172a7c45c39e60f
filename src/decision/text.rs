//! The decision as text for people: one line for the verdict and action, then one per
//! reason, error and fact; text from the request or the policy is shown through
//! [`visible`], so it cannot start a line of its own or drive the terminal.

use std::fmt::Write as _;

use super::{Decision, FactValue};
use crate::value::write_number;

impl Decision {
    /// Writes the decision for a person to read.
    pub fn write_text(&self, out: &mut String) {
        // Text from the request or the policy is shown through `visible`: it cannot
        // start a line of its own or drive the terminal.
        let _ = writeln!(
            out,
            "{} {}",
            self.verdict().to_uppercase(),
            visible(self.action.as_deref().unwrap_or("(no action)"))
        );
        for r in &self.reasons {
            let version = r
                .in_force
                .as_ref()
                .map(|v| format!(" (in force {})", visible(v)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {}{version}: {}",
                r.effect,
                visible(&r.rule),
                visible(&r.message)
            );
        }
        for e in &self.errors {
            let place = match (e.line(), e.column()) {
                (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                (Some(l), None) => format!(" (line {l})"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  error {}{place}: {}",
                e.code(),
                visible(&e.to_string())
            );
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
        if !self.explanation.is_empty() {
            out.push_str("  explanation:\n");
            for line in &self.explanation {
                let _ = writeln!(out, "    {}", visible(line));
            }
        }
    }
}

/// Text for a person's terminal: every character that would break the line, move the
/// cursor, start a terminal escape sequence or reorder the text (C0 controls, line
/// breaks included, DEL, C1 controls, U+2028/9, the bidirectional controls) is shown as
/// `\u{..}`, or `\n`, `\r`, `\t`; everything else as itself. Borrowed when there is
/// nothing to show differently.
pub(crate) fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    fn hidden(c: char) -> bool {
        let code = c as u32;
        code < 0x20
            || (0x7f..=0x9f).contains(&code)
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}'
                    | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    }
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
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
