//! The decision as a YAML document, and the YAML string writer every YAML output uses:
//! every string reads back as the same data (property-tested in `roundtrip.rs`).

use std::fmt::Write as _;

use super::{Decision, FactValue};
use crate::value::write_number;

impl Decision {
    /// Writes the decision as a YAML document (starting with `---`). Every string is a
    /// double-quoted YAML scalar escaped by [`yaml_str`], so the document reads back as
    /// the same data as the JSON form.
    pub fn write_yaml(&self, out: &mut String) {
        out.push_str("---\ndecision: ");
        out.push_str(self.verdict());
        out.push_str("\naction: ");
        match &self.action {
            Some(a) => yaml_str(out, a),
            None => out.push_str("null"),
        }
        out.push_str("\nreasons:");
        if self.reasons.is_empty() {
            out.push_str(" []");
        }
        for r in &self.reasons {
            out.push_str("\n  - rule: ");
            yaml_str(out, &r.rule);
            if let Some(in_force) = &r.in_force {
                out.push_str("\n    in_force: ");
                yaml_str(out, in_force);
            }
            out.push_str("\n    effect: ");
            yaml_key(out, r.effect.as_str());
            out.push_str("\n    message: ");
            yaml_str(out, &r.message);
        }
        out.push_str("\nerrors:");
        if self.errors.is_empty() {
            out.push_str(" []");
        }
        for e in &self.errors {
            out.push_str("\n  - code: ");
            yaml_str(out, e.code());
            if let Some(field) = e.field() {
                out.push_str("\n    field: ");
                yaml_str(out, field);
            }
            if let Some(line) = e.line() {
                let _ = write!(out, "\n    line: {line}");
            }
            if let Some(column) = e.column() {
                let _ = write!(out, "\n    column: {column}");
            }
            out.push_str("\n    message: ");
            yaml_display(out, e);
        }
        out.push_str("\nfacts:");
        if self.facts.is_empty() {
            out.push_str(" {}");
        }
        for (name, value) in &self.facts {
            out.push_str("\n  ");
            yaml_key(out, name);
            out.push_str(": ");
            match value {
                FactValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                FactValue::Number(n) => {
                    write_number(out, *n);
                }
                FactValue::Text(t) => yaml_str(out, t),
                FactValue::List(items) => {
                    out.push('[');
                    for (j, item) in items.iter().enumerate() {
                        if j > 0 {
                            out.push_str(", ");
                        }
                        yaml_str(out, item);
                    }
                    out.push(']');
                }
            }
        }
        if !self.explanation.is_empty() {
            out.push_str("\nexplanation:");
            for line in &self.explanation {
                out.push_str("\n  - ");
                yaml_str(out, line);
            }
        }
        out.push('\n');
    }
}

/// Writes a YAML 1.2 double-quoted scalar that any YAML reader (1.1 ones too) reads back
/// as exactly `s`: JSON's escapes, plus `\uXXXX` for every character YAML does not
/// allow raw (DEL and the C1 controls, U+FFFE, U+FFFF) and for those some readers take
/// for line breaks or a byte order mark (NEL U+0085, U+2028, U+2029, U+FEFF).
pub fn yaml_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_yaml_escaped(out, s);
    out.push('"');
}

/// Whether a character is written as a `\uXXXX` escape in YAML (beyond `"`, `\\` and
/// the named escapes).
fn yaml_escapes(c: char) -> bool {
    let code = c as u32;
    code < 0x20
        || (0x7f..=0x9f).contains(&code)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Appends `s` escaped for the inside of a YAML double-quoted scalar.
fn push_yaml_escaped(out: &mut String, s: &str) {
    if !s.chars().any(|c| c == '"' || c == '\\' || yaml_escapes(c)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if yaml_escapes(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Writes a mapping key (or a word such as an effect): plain when it is a name that
/// every YAML reader takes as that text (letters, digits and `_`, not starting with a
/// digit, and not a word YAML 1.1 or 1.2 reads as null or a boolean, in any case), else
/// quoted with [`yaml_str`].
fn yaml_key(out: &mut String, key: &str) {
    const SPECIAL: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !SPECIAL.iter().any(|word| key.eq_ignore_ascii_case(word));
    if plain {
        out.push_str(key);
    } else {
        yaml_str(out, key);
    }
}

/// Writes a value's `Display` as a YAML double-quoted scalar.
fn yaml_display(out: &mut String, value: &dyn std::fmt::Display) {
    yaml_str(out, &value.to_string());
}
