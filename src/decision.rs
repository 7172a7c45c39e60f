//! The decision: what the engine answers for one request, and how it is written as
//! JSON (one line), YAML or text. The JSON shape is the contract in docs/decision.md:
//! `decision`, `action`, `reasons`, `errors`, `facts` (and `explanation` on request).

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::request::RequestError;
use crate::value::format_number;

/// Allow or deny, with why, what went wrong, and the computed facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// True for allow.
    pub allow: bool,
    /// The action as written in the request, if any.
    pub action: Option<String>,
    /// The rules that decided it.
    pub reasons: Vec<Reason>,
    /// What made the request unusable (any error means deny).
    pub errors: Vec<RequestError>,
    /// Computed facts, in the policy's declaration order.
    pub facts: Vec<(String, FactValue)>,
    /// Each rule considered and how it went, when asked for.
    pub explanation: Vec<String>,
    /// Indices of the rules whose audience matched, so that their condition was
    /// evaluated (only when coverage was asked for; never written out).
    pub reached: Vec<u16>,
}

/// One rule that decided a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The rule id (`default-deny` when no rule permits the action).
    pub rule: String,
    /// `permit`, `forbid`, or `deny` for the default.
    pub effect: &'static str,
    /// The rule's message with its values filled in.
    pub message: String,
}

/// A fact's value as it appears in the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number (written exactly from a decimal).
    Number(Decimal),
    /// A JSON string (money, times, words, text).
    Text(String),
    /// A JSON array of strings.
    List(Vec<String>),
}

impl Decision {
    /// True when the decision is allow.
    pub fn is_allow(&self) -> bool {
        self.allow
    }

    /// `allow` or `deny`.
    pub fn verdict(&self) -> &'static str {
        if self.allow {
            "allow"
        } else {
            "deny"
        }
    }

    /// The value of a fact, if given.
    pub fn fact(&self, name: &str) -> Option<&FactValue> {
        self.facts.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Writes the decision as one line of JSON (no trailing newline).
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"decision\":");
        json_str(out, self.verdict());
        out.push_str(",\"action\":");
        match &self.action {
            Some(a) => json_str(out, a),
            None => out.push_str("null"),
        }
        out.push_str(",\"reasons\":[");
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"rule\":");
            json_str(out, &r.rule);
            out.push_str(",\"effect\":");
            json_str(out, r.effect);
            out.push_str(",\"message\":");
            json_str(out, &r.message);
            out.push('}');
        }
        out.push_str("],\"errors\":[");
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"code\":");
            json_str(out, e.code());
            if let Some(field) = e.field() {
                out.push_str(",\"field\":");
                json_str(out, field);
            }
            if let Some(line) = e.line() {
                let _ = write!(out, ",\"line\":{line}");
            }
            if let Some(column) = e.column() {
                let _ = write!(out, ",\"column\":{column}");
            }
            out.push_str(",\"message\":");
            json_display(out, e);
            out.push('}');
        }
        out.push_str("],\"facts\":{");
        for (i, (name, value)) in self.facts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_str(out, name);
            out.push(':');
            match value {
                FactValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                FactValue::Number(n) => {
                    write_number(out, *n);
                }
                FactValue::Text(t) => json_str(out, t),
                FactValue::List(items) => {
                    out.push('[');
                    for (j, item) in items.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        json_str(out, item);
                    }
                    out.push(']');
                }
            }
        }
        out.push('}');
        if !self.explanation.is_empty() {
            out.push_str(",\"explanation\":[");
            for (i, line) in self.explanation.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(out, line);
            }
            out.push(']');
        }
        out.push('}');
    }

    /// The decision as one line of JSON.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write_json(&mut out);
        out
    }

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
            out.push_str("\n    effect: ");
            yaml_key(out, r.effect);
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
            let _ = writeln!(
                out,
                "  {} {}: {}",
                visible(r.effect),
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
            let shown = match value {
                FactValue::Bool(b) => b.to_string(),
                FactValue::Number(n) => format_number(*n),
                FactValue::Text(t) => visible(t).into_owned(),
                FactValue::List(items) => visible(&items.join(", ")).into_owned(),
            };
            let _ = writeln!(out, "  fact {} = {shown}", visible(name));
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
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
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

/// Appends a number as [`crate::value::format_number`] writes it (no trailing zeros),
/// integers without going through the decimal formatter.
pub fn write_number(out: &mut String, n: Decimal) {
    let n = n.normalize();
    if n.scale() == 0 {
        let _ = write!(out, "{}", n.mantissa());
    } else {
        let _ = write!(out, "{n}");
    }
}

/// Appends an amount of money as [`crate::value::format_money`] writes it (rounded half
/// away from zero to two decimals, both written), without the decimal formatter when
/// the amount is not zero and not huge.
pub fn write_money(out: &mut String, amount: Decimal) {
    let rounded = crate::value::round_half_away(amount, 2);
    let cents = rounded.mantissa() * if rounded.scale() == 1 { 10 } else { 1 };
    let cents = if rounded.scale() == 0 {
        cents * 100
    } else {
        cents
    };
    if rounded.is_zero() || rounded.scale() > 2 || cents.unsigned_abs() >= 10u128.pow(26) {
        let _ = write!(out, "{rounded:.2}");
        return;
    }
    if cents < 0 {
        out.push('-');
    }
    let cents = cents.unsigned_abs();
    let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
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

/// Writes a mapping key (or a word such as an effect): plain when it is a name that every YAML reader takes as that
/// text (letters, digits and `_`, not starting with a digit, and not a word YAML 1.1 or
/// 1.2 reads as null or a boolean), else quoted with [`yaml_str`].
fn yaml_key(out: &mut String, key: &str) {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
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

/// Writes a JSON string literal (also valid YAML).
pub fn json_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

/// Appends `s` escaped for the inside of a JSON string: quotes, backslashes, control
/// characters, and U+2028/U+2029 (which some JavaScript readers take for line ends).
/// Runs of plain text are copied at once.
fn push_escaped(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(at) = first_special(rest.as_bytes()) {
        // `at` is an ASCII byte or the lead byte of a character: a boundary.
        let Some((plain, special)) = rest.split_at_checked(at) else {
            break;
        };
        out.push_str(plain);
        let mut chars = special.chars();
        match chars.next() {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some(c) if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            Some(c) => out.push(c),
            None => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// The first byte that [`push_escaped`] must look at: a control character, `"`, `\\`,
/// or 0xE2 (the lead byte of U+2028 and U+2029). Eight bytes at a time: in each word,
/// a byte equal to `c` becomes a zero byte of `x ^ c…c`, and `(v - 0x01…) & !v & 0x80…`
/// marks zero bytes (and bytes below 0x20 with 0x20… in place of 0x01…); borrows can
/// only mark bytes *after* a real match, so the lowest mark is exact.
fn first_special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for word in words.by_ref() {
        let x = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let marks = zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | zero(x ^ (ONES * 0xE2))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if marks != 0 {
            return Some(offset + (marks.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\' || b == 0xE2)
        .map(|i| offset + i)
}

/// A `fmt::Write` that escapes what it is given for the inside of a JSON string, so
/// that a value's `Display` goes into the output without an intermediate string.
struct Escaping<'a>(&'a mut String);

impl std::fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        push_escaped(self.0, s);
        Ok(())
    }
}

/// Writes a value's `Display` as a JSON string literal.
fn json_display(out: &mut String, value: &dyn std::fmt::Display) {
    out.push('"');
    let _ = write!(Escaping(out), "{value}");
    out.push('"');
}

#[cfg(test)]
mod roundtrip;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_the_contract_shape() {
        let d = Decision {
            allow: true,
            action: Some("cancel".into()),
            reasons: vec![Reason {
                rule: "cancel-within-window".into(),
                effect: "permit",
                message: "ok \"quoted\"".into(),
            }],
            errors: vec![],
            facts: vec![
                (
                    "days_left_to_cancel".into(),
                    FactValue::Number(Decimal::from(4)),
                ),
                ("early_termination_fee".into(), FactValue::Bool(false)),
                ("credit_amount".into(), FactValue::Text("1015.89".into())),
            ],
            explanation: vec![],
            reached: vec![],
        };
        assert_eq!(
            d.to_json(),
            r#"{"decision":"allow","action":"cancel","reasons":[{"rule":"cancel-within-window","effect":"permit","message":"ok \"quoted\""}],"errors":[],"facts":{"days_left_to_cancel":4,"early_termination_fee":false,"credit_amount":"1015.89"}}"#
        );
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&d.to_json());
        assert!(parsed.is_ok());
    }

    #[test]
    fn escaping_copies_plain_runs_and_escapes_the_rest() {
        // The reference: one character at a time.
        fn reference(s: &str) -> String {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        for s in [
            "",
            "plain",
            "a\"b\\c\nd\re\tf",
            "\u{0}\u{1f}\u{7f}",
            "€ costs ‰ – “quoted” \u{2028}x\u{2029}",
            "\u{2027}\u{202a}é日本",
            "\"",
            "ends with \u{2029}",
        ] {
            let mut out = String::new();
            json_str(&mut out, s);
            assert_eq!(out, reference(s), "{s:?}");
        }
        let mut out = String::new();
        json_display(&mut out, &"a\"b");
        assert_eq!(out, "\"a\\\"b\"");
    }

    #[test]
    fn the_word_scan_finds_the_first_special_byte() {
        let specials = [0u8, 0x1f, b'"', b'\\', 0xE2];
        for len in 0..24 {
            for at in 0..=len {
                for &special in &specials {
                    // Bytes around the special one that are close to it in value.
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|i| [b'a', 0x20, 0xE3, b'!', 0x7f][i % 5])
                        .collect();
                    if at < len {
                        bytes[at] = special;
                    }
                    let expected = bytes
                        .iter()
                        .position(|&b| b < 0x20 || b == b'"' || b == b'\\' || b == 0xE2);
                    assert_eq!(first_special(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn numbers_and_money_are_written_as_value_writes_them() {
        use std::str::FromStr;
        let samples = [
            "0",
            "-0",
            "0.000",
            "1",
            "-1",
            "4",
            "50",
            "49.0",
            "84.66",
            "84.6575",
            "100.00",
            "1015.885",
            "1015.884999",
            "-2.005",
            "-0.004",
            "-0.005",
            "0.005",
            "1200",
            "1200.1",
            "19957.55",
            "0.1",
            "-0.1",
            "7.5",
            "123456789012345678901234.56",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "0.0000000000000000000000000001",
        ];
        for text in samples {
            let d = Decimal::from_str(text).unwrap();
            let mut out = String::new();
            write_number(&mut out, d);
            assert_eq!(out, crate::value::format_number(d), "number {text}");
            let mut out = String::new();
            write_money(&mut out, d);
            assert_eq!(out, crate::value::format_money(d), "money {text}");
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        json_str(&mut out, "a\u{1}b\u{2028}");
        assert_eq!(out, "\"a\\u0001b\\u2028\"");
    }

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
