//! Property tests of the framing: streams of random valid requests, written as JSON
//! Lines (blank lines, LF/CRLF/CR, byte-order marks, padding) and as YAML documents
//! (block, flow, multi-line flow, JSON and pretty-printed JSON styles, `---` with or
//! without a comment, `%YAML 1.2` directives, comments), are split into exactly the
//! records written, each at its first line, each decided allow; named framings and the
//! content rule agree; and a live input going quiet at any byte changes nothing.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::testing::Scripted;
use super::{Framing, Input, Records};
use crate::eval::batch::{self, Rendering, Settings};
use crate::eval::Options;
use crate::Policy;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::embedded().expect("the embedded policy loads"))
}

fn options() -> Options {
    Options::at(crate::value::parse_time("2026-11-25T12:00:00Z").expect("a time"))
}

/// A purchase the default policy allows, with free text full of YAML and JSON syntax.
fn request() -> impl Strategy<Value = Value> {
    let text = "[a-zA-Z0-9 {}\\[\\]'\"#:,\\\\é€-]{1,16}";
    (
        prop::sample::select(vec!["KR", "AU", "br", "Brazil"]),
        prop::sample::select(vec!["admin_agent", "global_admin"]),
        text,
        text,
    )
        .prop_map(|(market, role, name, product)| {
            json!({
                "action": "purchase",
                "at": "2026-11-25T12:00:00Z",
                "actor": {"kind": "partner", "roles": [role]},
                "customer": {"market": market, "name": name},
                "product": {"category": "server_subscription", "name": product},
            })
        })
}

/// A value in YAML flow style, on one line: bare keys, strings double-quoted.
fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// An object in YAML block style.
fn block(map: &Map<String, Value>, indent: usize, out: &mut Vec<String>) {
    for (key, value) in map {
        match value {
            Value::Object(inner) => {
                out.push(format!("{:indent$}{key}:", ""));
                block(inner, indent + 2, out);
            }
            other => out.push(format!("{:indent$}{key}: {}", "", flow(other))),
        }
    }
}

/// The lines of one request in a YAML style (0 block, 1 flow, 2 multi-line flow,
/// 3 JSON on one line, 4 pretty-printed JSON).
fn yaml_lines(value: &Value, style: u8) -> Vec<String> {
    match style {
        0 => {
            let mut out = Vec::new();
            if let Value::Object(map) = value {
                block(map, 0, &mut out);
            }
            out
        }
        1 => vec![flow(value)],
        2 => {
            let Value::Object(map) = value else {
                return vec![flow(value)];
            };
            let last = map.len().saturating_sub(1);
            map.iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let open = if i == 0 { "{" } else { "  " };
                    let close = if i == last { "}" } else { "," };
                    format!("{open}{k}: {}{close}", flow(v))
                })
                .collect()
        }
        3 => vec![value.to_string()],
        _ => serde_json::to_string_pretty(value)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
    }
}

/// Writes lines with line ends taken in turn from `ends` (0 LF, 1 CRLF, 2 CR), and
/// counts them.
struct Writer {
    text: String,
    next_line: usize,
    ends: Vec<u8>,
    turn: usize,
    after_cr: bool,
}

impl Writer {
    fn new(ends: Vec<u8>) -> Self {
        Writer {
            text: String::new(),
            next_line: 1,
            ends,
            turn: 0,
            after_cr: false,
        }
    }

    /// Writes a line and returns its number.
    fn line(&mut self, text: &str) -> usize {
        let number = self.next_line;
        self.text.push_str(text);
        let mut end = self
            .ends
            .get(self.turn % self.ends.len().max(1))
            .copied()
            .unwrap_or(0);
        self.turn += 1;
        if self.after_cr && text.is_empty() && end == 0 {
            end = 1; // CR then LF would be one CRLF, not two line ends
        }
        self.text
            .push_str(["\n", "\r\n", "\r"][usize::from(end.min(2))]);
        self.after_cr = end == 2;
        self.next_line += 1;
        number
    }
}

/// One JSON Lines record as written: the request, blank lines before it, a BOM, padding.
type JsonLine = (Value, usize, bool, bool);

fn json_lines_stream(records: &[JsonLine], ends: Vec<u8>, last_end: bool) -> (String, Vec<usize>) {
    let mut w = Writer::new(ends);
    let mut firsts = Vec::new();
    for (value, blanks, bom, pad) in records {
        for b in 0..*blanks {
            w.line(if b % 2 == 0 { "" } else { " \t " });
        }
        let bom = if *bom { "\u{feff}" } else { "" };
        let pad = if *pad { "  " } else { "" };
        firsts.push(w.line(&format!("{bom}{pad}{value}{pad}")));
    }
    if !last_end {
        // No line end after the last line.
        let trimmed = w.text.trim_end_matches(['\r', '\n']).len();
        w.text.truncate(trimmed);
    }
    (w.text, firsts)
}

/// One YAML document as written: the request, its style, a `%YAML 1.2` directive, a
/// comment (1 on the `---` line, 2 after it, 3 after block content), blank lines
/// before it, a BOM on its first line.
type YamlDoc = (Value, u8, bool, u8, usize, bool);

fn yaml_stream(
    docs: &[YamlDoc],
    lead_comment: bool,
    first_marker: bool,
    ends: Vec<u8>,
) -> (String, Vec<usize>) {
    let mut w = Writer::new(ends);
    let mut firsts = Vec::new();
    let mut stream_first = None;
    if lead_comment {
        stream_first = Some(w.line("# requests, one per document"));
    }
    for (i, (value, style, directive, comment, blanks, bom)) in docs.iter().enumerate() {
        for _ in 0..*blanks {
            w.line("");
        }
        let mut bom = if *bom { "\u{feff}" } else { "" };
        let mut first = None;
        if *directive {
            first = Some(w.line(&format!("{bom}%YAML 1.2")));
            bom = "";
        }
        if i > 0 || first_marker || *directive {
            let marker = if *comment == 1 {
                "--- # the next request"
            } else {
                "---"
            };
            let n = w.line(&format!("{bom}{marker}"));
            first = first.or(Some(n));
            bom = "";
            if *comment == 2 {
                w.line("# a comment after the marker");
            }
        }
        for line in yaml_lines(value, *style) {
            let n = w.line(&format!("{bom}{line}"));
            first = first.or(Some(n));
            bom = "";
        }
        if *style == 0 && *comment == 3 {
            w.line("# a comment after the content");
        }
        let first = first.unwrap_or(0);
        firsts.push(if i == 0 {
            stream_first.unwrap_or(first)
        } else {
            first
        });
    }
    (w.text, firsts)
}

/// Splits `input` in `framing` (or by content) and checks the records against `firsts`.
fn check(input: &str, framing: Option<Framing>, firsts: &[usize]) -> Result<(), TestCaseError> {
    let records: Vec<_> = Records::with_framing(input.as_bytes(), framing).collect();
    let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
    prop_assert_eq!(&lines, firsts, "{:?} framing of {:?}", framing, input);
    for record in &records {
        let decision = policy().decide_raw(record, &options());
        prop_assert!(
            decision.is_allow(),
            "{:?} record at line {} ({:?}): {:?}",
            framing,
            record.line,
            record.text,
            decision.errors
        );
    }
    Ok(())
}

/// The `eval` output of `input` read whole, and read as a live input that goes quiet
/// at each of `cuts` (byte offsets).
fn whole_and_cut(input: &str, framing: Option<Framing>, cuts: &[usize]) -> (String, String) {
    let whole = eval(Records::with_framing(input.as_bytes(), framing));
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    bounds.sort_unstable();
    let bytes = input.as_bytes();
    let mut parts = Vec::new();
    let mut from = 0;
    for &to in bounds.iter().chain([input.len()].iter()) {
        parts.push(bytes.get(from..to).unwrap_or_default().to_vec());
        from = to;
    }
    let cut = eval(Records::with_framing(Scripted::from_bytes(parts), framing));
    (whole, cut)
}

/// What `eval` writes for `records` (JSON, one thread).
fn eval<R: Input>(mut records: Records<R>) -> String {
    let mut out = Vec::new();
    let settings = Settings {
        jobs: 1,
        rendering: Rendering::Json,
    };
    batch::run(
        policy(),
        &mut records,
        &mut out,
        &options(),
        settings,
        &mut |_| {},
    );
    String::from_utf8_lossy(&out).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn json_lines_give_one_record_per_request_at_its_line(
        records in prop::collection::vec((request(), 0usize..3, any::<bool>(), any::<bool>()), 1..10),
        ends in prop::collection::vec(0u8..3, 1..12),
        last_end in any::<bool>(),
    ) {
        let (input, firsts) = json_lines_stream(&records, ends, last_end);
        check(&input, Some(Framing::JsonLines), &firsts)?;
        check(&input, None, &firsts)?;
    }

    #[test]
    fn yaml_documents_give_one_record_per_request_at_its_first_line(
        docs in prop::collection::vec(
            (request(), 0u8..5, any::<bool>(), 0u8..4, 0usize..2, any::<bool>()),
            1..7,
        ),
        lead_comment in any::<bool>(),
        first_marker in any::<bool>(),
        ends in prop::collection::vec(0u8..3, 1..12),
    ) {
        let (input, firsts) = yaml_stream(&docs, lead_comment, first_marker, ends);
        check(&input, Some(Framing::Yaml), &firsts)?;
        check(&input, None, &firsts)?;
    }

    #[test]
    fn a_live_input_going_quiet_anywhere_changes_no_decision(
        records in prop::collection::vec((request(), 0usize..2, any::<bool>(), any::<bool>()), 1..6),
        docs in prop::collection::vec(
            (request(), 0u8..5, any::<bool>(), 0u8..4, 0usize..2, any::<bool>()),
            1..5,
        ),
        ends in prop::collection::vec(0u8..3, 1..8),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let (lines, _) = json_lines_stream(&records, ends.clone(), true);
        let (whole, cut) = whole_and_cut(&lines, Some(Framing::JsonLines), &cuts);
        prop_assert_eq!(whole, cut);
        let (documents, _) = yaml_stream(&docs, false, false, ends);
        let (whole, cut) = whole_and_cut(&documents, Some(Framing::Yaml), &cuts);
        prop_assert_eq!(whole, cut);
        let json_text: String = records.iter().map(|r| format!("{:#}\n", r.0)).collect();
        let (whole, cut) = whole_and_cut(&json_text, Some(Framing::Json), &cuts);
        prop_assert_eq!(whole, cut);
    }
}
