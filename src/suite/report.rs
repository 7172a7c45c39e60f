//! Writing the results of `csp-policy test`: text for people (failures with expected and
//! actual side by side, the coverage table, then `N passed, N failed`), one JSON
//! document, or JUnit XML (written by hand; [`xml_attr`] and [`xml_text`] keep it well-formed).

use std::fmt::Write as _;

use super::parse::ExpectedValue;
use super::run::{percent, CaseResult, Coverage, Mismatch, DEFAULT_DENY};
use crate::decision::{error_line, reason_line, Decision, FactValue};
use crate::json::write_str as json_str;
use crate::value::write_number;

/// The summary line CI reads: `N passed, N failed`.
pub fn summary(results: &[CaseResult<'_>]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    format!("{passed} passed, {} failed", results.len() - passed)
}

/// Where a case is written: `suite:line`.
fn place(result: &CaseResult<'_>) -> String {
    format!("{}:{}", result.suite.path.display(), result.case.line)
}

fn verdict(allow: bool) -> &'static str {
    if allow {
        "allow"
    } else {
        "deny"
    }
}

/// An expected fact value as JSON (so that `"84.66"` and `84.66` look different).
fn expected_json(out: &mut String, value: &ExpectedValue) {
    match value {
        ExpectedValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExpectedValue::Number(n) => write_number(out, *n),
        ExpectedValue::Text(t) => json_str(out, t),
        ExpectedValue::List(items) => string_list(out, items),
    }
}

/// An actual fact value as JSON, as the decision contract writes it.
fn actual_json(out: &mut String, value: &FactValue) {
    match value {
        FactValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        FactValue::Number(n) => write_number(out, *n),
        FactValue::Text(t) => json_str(out, t),
        FactValue::List(items) => string_list(out, items),
    }
}

fn string_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, item);
    }
    out.push(']');
}

fn joined<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    crate::value::join_or_none(&mut out, items);
    out
}

/// The rows of one failure: what is compared, expected, actual.
fn rows(result: &CaseResult<'_>) -> Vec<(String, String, String)> {
    let decision = &result.decision;
    result
        .mismatches
        .iter()
        .map(|m| match m {
            Mismatch::Decision { expected } => (
                "decision".to_string(),
                expected.as_str().to_string(),
                verdict(decision.allow).to_string(),
            ),
            Mismatch::Fact { name, expected } => {
                let mut e = String::new();
                expected_json(&mut e, expected);
                let mut a = String::new();
                match decision.fact(name) {
                    Some(v) => actual_json(&mut a, v),
                    None => a.push_str("(absent)"),
                }
                (format!("fact {name}"), e, a)
            }
            Mismatch::MissingRules(ids) => (
                "rules".to_string(),
                format!("{} (missing)", ids.join(", ")),
                joined(decision.reasons.iter().map(|r| r.rule.as_str())),
            ),
            Mismatch::MissingErrors(codes) => (
                "errors".to_string(),
                format!("{} (missing)", codes.join(", ")),
                joined(decision.errors.iter().map(|e| e.code())),
            ),
        })
        .collect()
}

/// One failure: a heading, the side-by-side table, then what the decision said.
pub fn failure_text(out: &mut String, result: &CaseResult<'_>) {
    let _ = writeln!(out, "FAIL {}: {}", place(result), result.case.name);
    if let Some(file) = &result.case.request_file {
        let _ = writeln!(out, "  request file: {}", file.display());
    }
    let mut table = vec![(
        "check".to_string(),
        "expected".to_string(),
        "actual".to_string(),
    )];
    table.extend(rows(result));
    let w0 = table.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = table.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (what, expected, actual) in &table {
        let line = format!("  {what:<w0$}  {expected:<w1$}  {actual}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if !result.unknown_rules.is_empty() {
        let _ = writeln!(
            out,
            "  note: not a rule of the policy: {}",
            result.unknown_rules.join(", ")
        );
    }
    decision_details(out, &result.decision);
}

/// The actual decision's reasons and errors with their messages: what a reader needs
/// to see why the decision came out as it did.
/// Text from the request is shown through `visible`, so that it cannot forge a line of
/// the report or drive the terminal.
fn decision_details(out: &mut String, decision: &Decision) {
    for r in &decision.reasons {
        reason_line(out, "  actual ", r);
    }
    for e in &decision.errors {
        error_line(out, "  actual ", e, false);
    }
}

/// The coverage table and the rules no case exercised.
pub fn coverage_text(out: &mut String, coverage: &Coverage) {
    let total = coverage.rules.len();
    let _ = writeln!(out, "coverage of {total} rule(s):");
    let w_id = coverage
        .rules
        .iter()
        .map(|r| r.id.chars().count())
        .chain(["rule".len(), DEFAULT_DENY.len()])
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "  {:<w_id$}  {:<7}  {:>7}  {:>7}  where",
        "rule", "effect", "reached", "decided"
    );
    for r in &coverage.rules {
        let _ = writeln!(
            out,
            "  {:<w_id$}  {:<7}  {:>7}  {:>7}  {}",
            r.id, r.effect, r.reached, r.decided, r.location
        );
    }
    let _ = writeln!(
        out,
        "  {:<w_id$}  {:<7}  {:>7}  {:>7}",
        DEFAULT_DENY, "deny", "-", coverage.default_deny
    );
    let reached = coverage.reached();
    let decided = coverage.decided();
    let _ = writeln!(
        out,
        "rules reached: {reached}/{total} ({}%); rules deciding a case: {decided}/{total} ({}%)",
        percent(reached, total),
        percent(decided, total)
    );
    let _ = writeln!(
        out,
        "never reached: {}",
        joined(coverage.never_reached().map(|r| r.id.as_str()))
    );
    let _ = writeln!(
        out,
        "reached but never deciding: {}",
        joined(coverage.never_decided().map(|r| r.id.as_str()))
    );
}

/// The whole text report; the last line is the summary.
pub fn text(results: &[CaseResult<'_>], coverage: Option<&Coverage>) -> String {
    let mut out = String::new();
    for result in results.iter().filter(|r| !r.passed()) {
        failure_text(&mut out, result);
        out.push('\n');
    }
    if let Some(coverage) = coverage {
        coverage_text(&mut out, coverage);
        out.push('\n');
    }
    out.push_str(&summary(results));
    out.push('\n');
    out
}

/// The whole report as one JSON document (`coverage` is null unless asked for).
pub fn json(results: &[CaseResult<'_>], coverage: Option<&Coverage>) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    let mut out = String::new();
    let _ = write!(
        out,
        "{{\"passed\":{passed},\"failed\":{},\"cases\":[",
        results.len() - passed
    );
    for (i, result) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        case_json(&mut out, result);
    }
    out.push_str("],\"coverage\":");
    match coverage {
        None => out.push_str("null"),
        Some(c) => coverage_json(&mut out, c),
    }
    out.push_str("}\n");
    out
}

fn case_json(out: &mut String, result: &CaseResult<'_>) {
    let expect = &result.case.expect;
    out.push_str("{\"suite\":");
    json_str(out, &result.suite.path.display().to_string());
    let _ = write!(out, ",\"line\":{},\"name\":", result.case.line);
    json_str(out, &result.case.name);
    out.push_str(",\"request_file\":");
    match &result.case.request_file {
        Some(file) => json_str(out, &file.display().to_string()),
        None => out.push_str("null"),
    }
    let _ = write!(out, ",\"passed\":{}", result.passed());
    out.push_str(",\"expected\":{\"decision\":");
    json_str(out, expect.decision.as_str());
    out.push_str(",\"facts\":{");
    for (i, (name, value)) in expect.facts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, name);
        out.push(':');
        expected_json(out, value);
    }
    out.push_str("},\"rules\":");
    optional_list(out, expect.rules.as_deref());
    out.push_str(",\"errors\":");
    optional_list(out, expect.errors.as_deref());
    out.push_str("},\"actual\":");
    result.decision.write_json(out);
    out.push_str(",\"unknown_rules\":");
    string_list(out, &result.unknown_rules);
    out.push_str(",\"mismatches\":[");
    for (i, (what, expected, actual)) in rows(result).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"check\":");
        json_str(out, what);
        out.push_str(",\"expected\":");
        json_str(out, expected);
        out.push_str(",\"actual\":");
        json_str(out, actual);
        out.push('}');
    }
    out.push_str("]}");
}

fn optional_list(out: &mut String, items: Option<&[String]>) {
    match items {
        None => out.push_str("null"),
        Some(items) => string_list(out, items),
    }
}

fn coverage_json(out: &mut String, coverage: &Coverage) {
    let total = coverage.rules.len();
    out.push_str("{\"rules\":[");
    for (i, r) in coverage.rules.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"rule\":");
        json_str(out, &r.id);
        out.push_str(",\"effect\":");
        json_str(out, r.effect);
        out.push_str(",\"location\":");
        json_str(out, &r.location);
        let _ = write!(
            out,
            ",\"reached\":{},\"decided\":{}}}",
            r.reached, r.decided
        );
    }
    let reached = coverage.reached();
    let decided = coverage.decided();
    let _ = write!(
        out,
        "],\"default_deny\":{},\"total\":{total},\"reached\":{reached},\"decided\":{decided},\"reached_percent\":{},\"decided_percent\":{},\"never_reached\":",
        coverage.default_deny,
        percent(reached, total),
        percent(decided, total)
    );
    let never: Vec<String> = coverage.never_reached().map(|r| r.id.clone()).collect();
    string_list(out, &never);
    out.push_str(",\"never_decided\":");
    let never: Vec<String> = coverage.never_decided().map(|r| r.id.clone()).collect();
    string_list(out, &never);
    out.push('}');
}

/// Escapes text for an XML 1.0 attribute value (in double or single quotes): markup
/// characters and quotes become entities, and so do newlines, carriage returns and tabs,
/// which a parser would otherwise turn into spaces. See [`xml_text`] for the rest.
pub fn xml_attr(text: &str) -> String {
    escape(text, true)
}

/// Escapes text for XML 1.0 element content: `&`, `<` and `>` (so `]]>` cannot appear)
/// and quotes become entities. Characters XML 1.0 cannot hold at all, even as character
/// references (control characters other than tab, newline and carriage return; U+FFFE
/// and U+FFFF), are written as visible `\u{..}` text instead.
pub fn xml_text(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The whole report as JUnit XML: one `testsuite` per suite file, one `testcase` per
/// case, a `failure` (with the side-by-side text) per failed case; the coverage, when
/// asked for, in the `system-out` of the `testsuites` element.
pub fn junit(results: &[CaseResult<'_>], coverage: Option<&Coverage>) -> String {
    let failed = results.iter().filter(|r| !r.passed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"csp-policy test\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">",
        results.len()
    );
    let mut start = 0;
    while let Some(first) = results.get(start) {
        let end = results
            .iter()
            .skip(start)
            .position(|r| !std::ptr::eq(r.suite, first.suite))
            .map_or(results.len(), |n| start + n);
        let group = results.get(start..end).unwrap_or_default();
        let suite_name = first.suite.path.display().to_string();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            xml_attr(&suite_name),
            group.len(),
            group.iter().filter(|r| !r.passed()).count()
        );
        for result in group {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_attr(&result.case.name),
                xml_attr(&suite_name)
            );
            if result.passed() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            let message = rows(result)
                .iter()
                .map(|(what, expected, actual)| {
                    format!("{what}: expected {expected}, actual {actual}")
                })
                .collect::<Vec<_>>()
                .join("; ");
            let mut body = String::new();
            failure_text(&mut body, result);
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"mismatch\">{}</failure>",
                xml_attr(&message),
                xml_text(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
        start = end;
    }
    if let Some(coverage) = coverage {
        let mut text = String::new();
        coverage_text(&mut text, coverage);
        let _ = writeln!(out, "  <system-out>{}</system-out>", xml_text(&text));
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::parse::Verdict;

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(
            xml_attr(r#"a<b>&"c" 'd'"#),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(xml_text("a<b>&c"), "a&lt;b&gt;&amp;c");
    }

    #[test]
    fn line_breaks_survive_in_attributes_and_stay_plain_in_text() {
        assert_eq!(xml_attr("x\ny\tz\r"), "x&#10;y&#9;z&#13;");
        assert_eq!(xml_text("x\ny\tz\r"), "x\ny\tz&#13;");
    }

    #[test]
    fn characters_xml_cannot_hold_become_visible_text() {
        assert_eq!(
            xml_text("a\u{1}b\u{1b}c\u{ffff}"),
            "a\\u{1}b\\u{1b}c\\u{ffff}"
        );
        // Everything else passes through, non-ASCII included.
        assert_eq!(xml_attr("é 😀 \u{85}"), "é 😀 \u{85}");
    }

    #[test]
    fn escaped_text_holds_no_markup() {
        for escaped in [
            xml_text("]]></failure><x a='1'>&lt;"),
            xml_attr("]]></failure><x a='1'>&lt;"),
        ] {
            assert!(!escaped.contains('<') && !escaped.contains('>') && !escaped.contains('\''));
            assert!(escaped.contains("&amp;lt;"));
        }
    }

    #[test]
    fn verdicts_read_as_words() {
        assert_eq!(verdict(true), Verdict::Allow.as_str());
        assert_eq!(verdict(false), Verdict::Deny.as_str());
    }
}
