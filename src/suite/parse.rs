//! Reading suite files: YAML with unknown keys refused, every problem located as
//! `file:line:col`, inline requests turned into request documents (see [`super::node`])
//! and `request_file:` requests read the way `csp-policy eval` reads its input, confined
//! to the suite's folder tree, regular files only, bounded by the request limit.

use crate::files::{self, FileError};
use crate::limits::{REQUEST_BYTES, SUITE_BYTES};
use std::collections::HashSet;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::node::{self, Node};
use crate::request::stream::{Format, Framing, RawRecord, Records};
use crate::request::yaml::{self, column_of, line_of, Reader};
use crate::value;

/// A suite: requests with the decisions expected for them.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file, as named on the command line (or found in a folder named there).
    pub path: PathBuf,
    /// The time used for requests without `at`; the current time when absent.
    pub now: Option<DateTime<Utc>>,
    /// The cases, in written order.
    pub cases: Vec<Case>,
}

/// One request and what its decision must say.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's name, unique in its suite.
    pub name: String,
    /// The line of the case in the suite file.
    pub line: usize,
    /// The request document, ready for [`crate::Policy::decide_raw`].
    pub request: RawRecord,
    /// The request file, when the request is not inline.
    pub request_file: Option<PathBuf>,
    /// What the decision must say.
    pub expect: Expected,
}

/// What a decision must say. Everything but `decision` is a subset check.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// Allow or deny.
    pub decision: Verdict,
    /// Facts that must be present with exactly these values.
    pub facts: Vec<(String, ExpectedValue)>,
    /// Rule ids that must be among the decision's reasons.
    pub rules: Option<Vec<String>>,
    /// Error codes that must be among the decision's errors.
    pub errors: Option<Vec<String>>,
}

/// `allow` or `deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The request is allowed.
    Allow,
    /// The request is denied.
    Deny,
}

impl Verdict {
    /// `allow` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        }
    }

    /// Whether this is allow.
    pub fn is_allow(self) -> bool {
        self == Verdict::Allow
    }
}

/// An expected fact value, typed as the decision contract types facts: a YAML number
/// matches only a number fact (compared as decimals, so `100` matches `100.00`), YAML
/// text only a text fact (money and times are text: `"1015.89"`), compared exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedValue {
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Decimal),
    /// Text.
    Text(String),
    /// A list of text.
    List(Vec<String>),
}

/// A suite file that cannot be used, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteError {
    /// The file.
    pub file: String,
    /// Line, 1-based, when known.
    pub line: Option<usize>,
    /// Column, 1-based, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteDoc {
    #[serde(default)]
    now: Option<Spanned<String>>,
    cases: Vec<Spanned<CaseDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseDoc {
    name: Spanned<String>,
    #[serde(default, deserialize_with = "present")]
    request: Option<Spanned<Node>>,
    #[serde(default)]
    request_file: Option<Spanned<String>>,
    expect: ExpectDoc,
}

/// A key that is present, even with a null value (`request: ~` is a request: null).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Spanned<Node>>, D::Error> {
    Spanned::<Node>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectDoc {
    decision: Verdict,
    #[serde(default)]
    facts: Option<FactsDoc>,
    #[serde(default)]
    rules: Option<Vec<String>>,
    #[serde(default)]
    errors: Option<Vec<String>>,
}

/// `facts:`, a mapping kept in written order, each value with its location.
struct FactsDoc(Vec<(String, Spanned<Node>)>);

impl<'de> Deserialize<'de> for FactsDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FactsVisitor;
        impl<'de> Visitor<'de> for FactsVisitor {
            type Value = FactsDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of fact names to values")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<FactsDoc, M::Error> {
                let mut facts = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, Spanned<Node>>()? {
                    facts.push((name, value));
                }
                Ok(FactsDoc(facts))
            }
        }
        d.deserialize_map(FactsVisitor)
    }
}

/// Reads and checks one suite file; every problem found is returned.
pub fn load(path: &Path) -> Result<Suite, Vec<SuiteError>> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|message| {
        vec![SuiteError {
            file: file.clone(),
            line: None,
            column: None,
            message,
        }]
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    parse(path, &text, base)
}

fn read_text(path: &Path) -> Result<String, String> {
    let handle = std::fs::File::open(path).map_err(|e| format!("cannot read the suite: {e}"))?;
    let mut bytes = Vec::new();
    handle
        .take(SUITE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the suite: {e}"))?;
    if bytes.len() as u64 > SUITE_BYTES {
        return Err(format!(
            "the suite is larger than the limit of {SUITE_BYTES} bytes"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "the suite is not UTF-8 text".to_string())
}

/// Parses a suite's text; `base` is the folder `request_file:` paths are relative to.
pub fn parse(path: &Path, text: &str, base: &Path) -> Result<Suite, Vec<SuiteError>> {
    let file = path.display().to_string();
    // The request's YAML rules (`Reader::Suite`), so that an inline request reads as the
    // same request would in a file given to `eval`.
    let doc: SuiteDoc = serde_saphyr::from_str_with_options(text, Reader::Suite.options())
        .map_err(|e| {
            let e = Reader::Suite.error(&e);
            vec![SuiteError {
                file: file.clone(),
                line: e.line(),
                column: e.column(),
                message: e.message,
            }]
        })?;
    let mut errors = Vec::new();
    let at = |location: &Location, message: String| SuiteError {
        file: file.clone(),
        line: line_of(location),
        column: column_of(location),
        message,
    };
    let now = match &doc.now {
        None => None,
        Some(spanned) => match value::parse_time(&spanned.value) {
            Some(t) => Some(t),
            None => {
                errors.push(at(
                    &spanned.referenced,
                    format!(
                        "`now`: {:?} is not an RFC 3339 time with an offset (such as 2026-11-25T12:00:00Z)",
                        spanned.value
                    ),
                ));
                None
            }
        },
    };
    let mut names = HashSet::new();
    let mut cases = Vec::new();
    for spanned in doc.cases {
        let case = spanned.value;
        let case_location = spanned.referenced;
        let name = case.name.value;
        if name.trim().is_empty() {
            errors.push(at(&case.name.referenced, "a case needs a name".into()));
        } else if !names.insert(name.clone()) {
            errors.push(at(
                &case.name.referenced,
                format!("two cases are named {name:?}: give each case its own name"),
            ));
        }
        let request = match (case.request, case.request_file) {
            (Some(_), Some(file_ref)) => Err(at(
                &file_ref.referenced,
                format!("case {name:?} has both `request` and `request_file`: keep one"),
            )),
            (None, None) => Err(at(
                &case_location,
                format!("case {name:?} needs `request` (the request itself) or `request_file` (a path relative to the suite)"),
            )),
            (Some(node), None) => Ok((
                RawRecord {
                    text: node.value.to_flow(text),
                    line: line_of(&node.referenced).unwrap_or(1),
                    format: Format::Yaml,
                    oversized: None,
                    not_utf8: false,
                },
                None,
            )),
            (None, Some(file_ref)) => {
                let request_path = base.join(&file_ref.value);
                read_request(base, &request_path)
                    .map(|raw| (raw, Some(request_path)))
                    .map_err(|message| at(&file_ref.referenced, message))
            }
        };
        let facts = expected_facts(case.expect.facts, text, &mut |location, message| {
            errors.push(at(location, message));
        });
        match request {
            Ok((request, request_file)) => cases.push(Case {
                name,
                line: line_of(&case_location).unwrap_or(1),
                request,
                request_file,
                expect: Expected {
                    decision: case.expect.decision,
                    facts,
                    rules: case.expect.rules,
                    errors: case.expect.errors,
                },
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(Suite {
            path: path.to_path_buf(),
            now,
            cases,
        })
    } else {
        Err(errors)
    }
}

/// Reads a request file as `eval` reads its input (framed by its extension, else by its
/// content); it must hold exactly one request. It must lie in the suite's folder or
/// below it (`base`, after every `..` and link is resolved), be a regular file, and hold
/// at most [`REQUEST_BYTES`] (checked before reading, and enforced while reading).
fn read_request(base: &Path, path: &Path) -> Result<RawRecord, String> {
    let handle = open_request_file(base, path)?;
    let mut records = Records::with_framing(BufReader::new(handle), Framing::from_extension(path));
    let first = records.next();
    let second = records.next();
    if let Some(e) = records.io_error {
        return Err(format!(
            "cannot read the request file {}: {e}",
            path.display()
        ));
    }
    if records.bytes_read() > REQUEST_BYTES as u64 {
        return Err(too_large(path));
    }
    match (first, second) {
        (Some(raw), None) => Ok(raw),
        (None, _) => Err(format!(
            "the request file {} holds no request",
            path.display()
        )),
        (Some(_), Some(_)) => Err(format!(
            "the request file {} holds more than one request; a case has one",
            path.display()
        )),
    }
}

/// Opens a request file for [`read_request`], read at most up to one byte past the
/// request limit.
fn open_request_file(base: &Path, path: &Path) -> Result<std::io::Take<std::fs::File>, String> {
    let cannot =
        |e: &dyn fmt::Display| format!("cannot read the request file {}: {e}", path.display());
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let resolved = match files::resolve_inside(base, path) {
        Ok(Some(resolved)) => resolved,
        Ok(None) => {
            return Err(format!(
                "the request file {} is outside the suite's folder ({}): a request file must be in the suite's folder or below it",
                path.display(),
                base.display()
            ))
        }
        Err(e) => return Err(cannot(&e)),
    };
    let file = files::open_regular(&resolved).map_err(|e| match e {
        FileError::Io { source, .. } => cannot(&source),
        FileError::NotRegular { kind, .. } => cannot(&format!("not a regular file ({kind})")),
        other => other.to_string(),
    })?;
    let size = file.metadata().map_err(|e| cannot(&e))?.len();
    if size > REQUEST_BYTES as u64 {
        return Err(too_large(path));
    }
    Ok(file.take(REQUEST_BYTES as u64 + 1))
}

fn too_large(path: &Path) -> String {
    format!(
        "the request file {} is larger than the request limit of {REQUEST_BYTES} bytes",
        path.display()
    )
}

fn expected_facts(
    facts: Option<FactsDoc>,
    source: &str,
    error: &mut dyn FnMut(&Location, String),
) -> Vec<(String, ExpectedValue)> {
    let mut out = Vec::new();
    for (name, spanned) in facts.map(|f| f.0).unwrap_or_default() {
        let location = spanned.referenced;
        match expected_value(&node::written(spanned), source) {
            Ok(v) => out.push((name, v)),
            Err(problem) => error(&location, format!("fact `{name}`: {problem}")),
        }
    }
    out
}

/// The expected value of a fact, typed by its YAML form; a number is read from its text
/// in `source`, the suite, by the request's decimal rule (`yaml::number`).
pub(crate) fn expected_value(node: &Node, source: &str) -> Result<ExpectedValue, String> {
    match node {
        Node::Bool(b) => Ok(ExpectedValue::Bool(*b)),
        Node::Int(digits, at) => {
            yaml::number(at.text(source).unwrap_or(digits)).map(ExpectedValue::Number)
        }
        Node::Float(f, at) => match at.text(source) {
            Some(written) => yaml::number(written).map(ExpectedValue::Number),
            None => Err(format!("the number {f} cannot be read as written")),
        },
        Node::Str(s) => Ok(ExpectedValue::Text(s.clone())),
        Node::Seq(items) => items
            .iter()
            .map(|item| match item {
                Node::Str(s) => Ok(s.clone()),
                other => Err(format!(
                    "a list fact holds text, not {}; quote the item",
                    other.kind()
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(ExpectedValue::List),
        Node::Null => Err("null is not a fact value (list only facts that must be present)".into()),
        Node::Map(_) => Err("a mapping is not a fact value".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::node::Written;

    fn parse_text(text: &str) -> Result<Suite, Vec<SuiteError>> {
        parse(Path::new("s.yaml"), text, Path::new("."))
    }

    #[test]
    fn a_suite_with_an_inline_request_parses() {
        let suite = parse_text(
            "now: 2026-11-25T12:00:00Z\n\
             cases:\n\
             \x20 - name: first\n\
             \x20   request: { action: buy, price: 12.50, count: 3, flag: true }\n\
             \x20   expect:\n\
             \x20     decision: deny\n\
             \x20     facts: { total: \"12.50\", percent: 84.66, days: 4, ok: false, who: [a, b] }\n\
             \x20     rules: [some-rule]\n\
             \x20     errors: [missing-field]\n",
        )
        .unwrap();
        assert_eq!(suite.now, value::parse_time("2026-11-25T12:00:00Z"));
        let case = &suite.cases[0];
        assert_eq!(case.name, "first");
        assert_eq!(case.line, 3);
        assert_eq!(case.request.line, 4);
        assert_eq!(case.request.format, Format::Yaml);
        assert_eq!(
            case.request.text,
            r#"{"action": "buy", "price": 12.50, "count": 3, "flag": true}"#
        );
        assert_eq!(case.expect.decision, Verdict::Deny);
        assert_eq!(
            case.expect.facts,
            vec![
                ("total".into(), ExpectedValue::Text("12.50".into())),
                (
                    "percent".into(),
                    ExpectedValue::Number("84.66".parse().unwrap())
                ),
                ("days".into(), ExpectedValue::Number(4.into())),
                ("ok".into(), ExpectedValue::Bool(false)),
                (
                    "who".into(),
                    ExpectedValue::List(vec!["a".into(), "b".into()])
                ),
            ]
        );
        assert_eq!(case.expect.rules, Some(vec!["some-rule".to_string()]));
        assert_eq!(case.expect.errors, Some(vec!["missing-field".to_string()]));
    }

    #[test]
    fn unknown_keys_are_refused_with_their_location() {
        let errors =
            parse_text("cases:\n  - name: a\n    requst: {}\n    expect: { decision: allow }\n")
                .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert_eq!(errors[0].column, Some(5));
        assert!(
            errors[0].message.contains("unknown field `requst`"),
            "{}",
            errors[0].message
        );
        assert!(errors[0].to_string().starts_with("s.yaml:3:5: "));
    }

    #[test]
    fn unknown_keys_in_expect_and_the_top_level_are_refused() {
        let errors = parse_text(
            "cases:\n  - name: a\n    request: {}\n    expect: { decision: allow, fact: {} }\n",
        )
        .unwrap_err();
        assert!(errors[0].message.contains("unknown field `fact`"));
        let errors = parse_text("now_: x\ncases: []\n").unwrap_err();
        assert!(errors[0].message.contains("unknown field `now_`"));
    }

    #[test]
    fn a_decision_must_be_allow_or_deny() {
        let errors =
            parse_text("cases:\n  - name: a\n    request: {}\n    expect: { decision: permit }\n")
                .unwrap_err();
        assert_eq!(errors[0].line, Some(4));
        assert!(
            errors[0].message.contains("permit"),
            "{}",
            errors[0].message
        );
        let errors =
            parse_text("cases:\n  - name: a\n    request: {}\n    expect: { facts: {} }\n")
                .unwrap_err();
        assert!(
            errors[0].message.contains("decision"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn semantic_problems_are_all_reported() {
        let errors = parse_text(
            "now: yesterday\n\
             cases:\n\
             \x20 - name: a\n\
             \x20   expect: { decision: allow }\n\
             \x20 - name: a\n\
             \x20   request: {}\n\
             \x20   request_file: x.json\n\
             \x20   expect: { decision: allow, facts: { f: null, g: {x: 1}, h: [1] } }\n",
        )
        .unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(messages[0].starts_with("s.yaml:1:6: `now`"), "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("s.yaml:3:") && m.contains("needs `request`")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("two cases are named \"a\"")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("s.yaml:7:") && m.contains("both")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("fact `f`: null")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("fact `g`: a mapping")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("fact `h`: a list fact holds text")),
            "{messages:?}"
        );
    }

    #[test]
    fn a_null_request_is_a_request() {
        let suite =
            parse_text("cases:\n  - name: a\n    request: ~\n    expect: { decision: deny }\n")
                .unwrap();
        assert_eq!(suite.cases[0].request.text, "null");
    }

    #[test]
    fn merge_keys_and_duplicate_keys_are_refused() {
        let errors = parse_text(
            "cases:\n  - name: a\n    request: { <<: {a: 1} }\n    expect: { decision: deny }\n",
        )
        .unwrap_err();
        assert!(
            errors[0].message.contains("merge keys"),
            "{}",
            errors[0].message
        );
        let errors = parse_text(
            "cases:\n  - name: a\n    request: { a: 1, a: 2 }\n    expect: { decision: deny }\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].line, Some(3));
    }

    #[test]
    fn anchors_may_be_reused_but_an_alias_bomb_is_refused() {
        let mut text = String::from(
            "cases:\n  - name: a0\n    request: &r0 {action: x}\n    expect: { decision: deny }\n",
        );
        for i in 1..200 {
            text.push_str(&format!(
                "  - name: a{i}\n    request: *r0\n    expect: {{ decision: deny }}\n"
            ));
        }
        assert_eq!(parse_text(&text).unwrap().cases.len(), 200);
        let mut bomb = String::from(
            "cases:\n  - name: bomb\n    expect: { decision: deny }\n    request:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        );
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!("      a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let errors = parse_text(&bomb).unwrap_err();
        assert!(
            errors[0].message.contains("budget"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn malformed_yaml_is_located() {
        let errors = parse_text("cases:\n  - name: a\n    request: {\n").unwrap_err();
        assert!(errors[0].line.is_some(), "{:?}", errors[0]);
    }

    #[test]
    fn a_missing_request_file_is_reported_at_its_key() {
        let errors = parse_text(
            "cases:\n  - name: a\n    request_file: does-not-exist.json\n    expect: { decision: deny }\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].line, Some(3));
        assert!(errors[0].message.contains("cannot read the request file"));
    }

    /// An expected number is read from its text by the request's decimal rule (a plain
    /// decimal, no exponent, exactly as written), never through a float.
    #[test]
    fn expected_numbers_follow_the_request_decimal_rule() {
        let case = |facts: &str| {
            format!("cases:\n  - name: a\n    request: {{}}\n    expect: {{ decision: deny, facts: {facts} }}\n")
        };
        for written in ["1e2", "1.5E3", "0x10", "0o7", "1_000", "+5", ".5", "1200."] {
            let errors = parse_text(&case(&format!("{{ f: {written} }}"))).unwrap_err();
            assert_eq!(errors.len(), 1, "{written}: {errors:?}");
            assert_eq!(
                (errors[0].line, errors[0].column),
                (Some(4), Some(43)),
                "{written}"
            );
            assert_eq!(
                errors[0].message,
                format!("fact `f`: the number {written} is not a plain decimal number (digits with an optional decimal point; no exponent)"),
            );
        }
        let suite = parse_text(&case(
            "{ a: 0.12345678901234567, b: 1015.89499999999999, c: -12.50, d: 012, e: &n 7.25, g: *n }",
        ))
        .unwrap();
        let numbers: Vec<String> = suite.cases[0]
            .expect
            .facts
            .iter()
            .map(|(name, value)| match value {
                ExpectedValue::Number(d) => format!("{name}={d}"),
                other => panic!("{name}: {other:?}"),
            })
            .collect();
        assert_eq!(
            numbers,
            [
                "a=0.12345678901234567",
                "b=1015.89499999999999",
                "c=-12.50",
                "d=12",
                "e=7.25",
                "g=7.25"
            ]
        );
        let errors = parse_text(&case("{ f: 100000000000000000000000000000 }")).unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("larger than the largest decimal"),
            "{errors:?}"
        );
    }

    #[test]
    fn numbers_and_text_keep_their_contract_types() {
        let at = |text: &str, number: &str| {
            let start = text.find(number).unwrap();
            Written::at(start, start + number.len())
        };
        let source = "f: 84.66\ng: 0.12345678901234567\n";
        assert_eq!(
            expected_value(&Node::Float(84.66, at(source, "84.66")), source),
            Ok(ExpectedValue::Number("84.66".parse().unwrap()))
        );
        assert_eq!(
            expected_value(&Node::Float(0.1, at(source, "0.12345678901234567")), source),
            Ok(ExpectedValue::Number(
                "0.12345678901234567".parse().unwrap()
            )),
            "read from its text, not from the float"
        );
        assert_eq!(
            expected_value(&Node::Str("84.66".into()), source),
            Ok(ExpectedValue::Text("84.66".into()))
        );
        assert_eq!(
            expected_value(&Node::Int("12".into(), Written::default()), source),
            Ok(ExpectedValue::Number(12.into()))
        );
        assert!(expected_value(&Node::Float(f64::NAN, Written::default()), source).is_err());
    }
}
