//! Unit tests of the stream splitter: each framing, the content rule, line ends and
//! byte-order marks, limits, and live inputs that go quiet.

use super::*;
use crate::limits::REQUEST_BYTES;
use std::path::Path;
use std::task::Poll;

fn split(input: &str) -> Vec<(usize, String, Format)> {
    Records::new(input.as_bytes())
        .map(|r| (r.line, r.text.trim().to_string(), r.format))
        .collect()
}

#[test]
fn json_lines_skip_blank_lines_and_keep_line_numbers() {
    let got = split("{\"a\":1}\n\n{\"a\":2}\nnot json\n");
    assert_eq!(
        got,
        vec![
            (1, "{\"a\":1}".into(), Format::Json),
            (3, "{\"a\":2}".into(), Format::Json),
            (4, "not json".into(), Format::Json),
        ]
    );
}

#[test]
fn yaml_documents_split_on_separators() {
    let got = split("a: 1\n---\nb: 2\n--- # comment\n\n---\nc: 3\n...\n");
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    assert_eq!(lines, vec![1, 2, 6]);
    assert!(got.iter().all(|g| g.2 == Format::Yaml));
    assert!(got[1].1.contains("b: 2"));
}

#[test]
fn a_pretty_printed_json_object_is_one_document() {
    let got = split("{\n  \"action\": \"purchase\"\n}\n");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, 1);
}

#[test]
fn an_oversized_line_becomes_its_own_record() {
    let big = format!(
        "{{\"a\":\"{}\"}}\n{{\"b\":1}}\n{{\"c\":1}}\n",
        "x".repeat(REQUEST_BYTES + 10)
    );
    let records: Vec<RawRecord> = Records::new(big.as_bytes()).collect();
    assert_eq!(
        records.len(),
        3,
        "an oversized first line still opens JSON Lines"
    );
    assert!(records[0].oversized.is_some());
    let big = format!(
        "{{\"b\":1}}\n{{\"a\":\"{}\"}}\n{{\"c\":1}}\n",
        "x".repeat(REQUEST_BYTES + 10)
    );
    let records: Vec<RawRecord> = Records::new(big.as_bytes()).collect();
    assert_eq!(records.len(), 3);
    assert!(records[1].oversized.is_some());
    assert_eq!(records[2].line, 3);
}

// ---- Issue 7 ("Records lost or invented"): each case below failed before the fix.

fn lines_of(input: &str) -> Vec<usize> {
    split(input).iter().map(|r| r.0).collect()
}

#[test]
fn a_flow_style_yaml_stream_is_yaml() {
    let got = split("{action: cancel, n: 1}\n---\n{action: purchase}\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|g| g.2 == Format::Yaml), "{got:?}");
    assert_eq!(
        lines_of("{action: cancel, n: 1}\n---\n{action: purchase}\n"),
        [1, 2]
    );
}

#[test]
fn a_json_style_yaml_stream_is_yaml() {
    let input = "{\"action\": \"cancel\"}\n---\n{\"action\": \"purchase\"}\n";
    let got = split(input);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|g| g.2 == Format::Yaml), "{got:?}");
    assert_eq!(lines_of(input), [1, 2]);
}

#[test]
fn a_yaml_directive_belongs_to_the_next_document() {
    let input = "%YAML 1.2\n---\na: 1\n---\nb: 2\n";
    let got = split(input);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(lines_of(input), [1, 4]);
    assert!(got[0].1.starts_with("%YAML 1.2\n---"), "{got:?}");
    let input = "a: 1\n...\n%YAML 1.2\n---\nb: 2\n";
    assert_eq!(lines_of(input), [1, 3]);
}

#[test]
fn a_bom_before_a_later_separator_does_not_merge_documents() {
    let got = split("a: 1\n\u{feff}---\nb: 2\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(!got[1].1.contains('\u{feff}'), "{got:?}");
}

#[test]
fn a_bom_at_the_start_of_a_json_line_is_dropped() {
    let got = split("{\"a\":1}\n\u{feff}{\"b\":2}\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].1, "{\"b\":2}");
}

#[test]
fn cr_alone_and_crlf_end_lines() {
    assert_eq!(lines_of("{\"a\":1}\r{\"b\":2}\r{\"c\":3}"), [1, 2, 3]);
    assert_eq!(lines_of("{\"a\":1}\r\n\r\n{\"b\":2}\r\n"), [1, 3]);
    assert_eq!(lines_of("a: 1\r---\rb: 2\r"), [1, 2]);
    assert_eq!(lines_of("a: 1\r\n---\r\nb: 2\r\n"), [1, 2]);
}

#[test]
fn two_json_objects_on_one_line_are_one_record() {
    let got = split("{\"a\":1}{\"b\":2}\n{\"c\":3}\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].1, "{\"a\":1}{\"b\":2}");
    assert_eq!(got[0].2, Format::Json);
}

#[test]
fn a_plain_text_first_line_does_not_swallow_json_lines() {
    let got = split("not json\n{\"a\":1}\n{\"b\":2}\n");
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|g| g.2 == Format::Json), "{got:?}");
    assert_eq!(lines_of("not json\n{\"a\":1}\n{\"b\":2}\n"), [1, 2, 3]);
}

#[test]
fn concatenated_pretty_printed_json_keeps_every_object() {
    // What `jq . requests.jsonl` writes.
    let input = "{\n  \"a\": 1\n}\n{\n  \"b\": {\n    \"c\": \"}\"\n  }\n}\n";
    assert_eq!(lines_of(input), [1, 4]);
}

#[test]
fn a_document_end_marker_ends_the_document() {
    let got = split("a: 1\n...\nb: 2\n");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1], (3, "b: 2".to_string(), Format::Yaml));
}

// ---- Framings named by the caller.

fn framed(input: &str, framing: Framing) -> Vec<(usize, String, Format)> {
    Records::with_framing(input.as_bytes(), Some(framing))
        .map(|r| (r.line, r.text, r.format))
        .collect()
}

#[test]
fn the_extension_names_the_framing() {
    let of = |name: &str| Framing::from_extension(Path::new(name));
    assert_eq!(of("a.jsonl"), Some(Framing::JsonLines));
    assert_eq!(of("dir.d/a.NDJSON"), Some(Framing::JsonLines));
    assert_eq!(of("a.json"), Some(Framing::Json));
    assert_eq!(of("a.yaml"), Some(Framing::Yaml));
    assert_eq!(of("a.YML"), Some(Framing::Yaml));
    assert_eq!(of("a.txt"), None);
    assert_eq!(of("-"), None);
    assert_eq!(of("jsonl"), None);
}

#[test]
fn json_lines_makes_every_non_blank_line_a_record() {
    let got = framed("---\na: 1\n\n{\"b\": 2}\n  # c\n", Framing::JsonLines);
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    assert_eq!(lines, [1, 2, 4, 5]);
    assert!(got.iter().all(|g| g.2 == Format::Json));
}

#[test]
fn json_text_cuts_values_where_their_brackets_balance() {
    let got = framed(
        "{\"a\": \"}\\\"{\"}\n  {\"b\":\n [1,\n 2]} {\"c\": 3}\n\n[1] 42 x\n",
        Framing::Json,
    );
    assert_eq!(
        got,
        [
            (1, "{\"a\": \"}\\\"{\"}".to_string(), Format::Json),
            (2, "{\"b\":\n [1,\n 2]}".to_string(), Format::Json),
            (4, "{\"c\": 3}".to_string(), Format::Json),
            (6, "[1]".to_string(), Format::Json),
            (6, "42 x".to_string(), Format::Json),
        ]
    );
}

#[test]
fn an_unclosed_json_value_runs_to_the_end_of_the_input() {
    let got = framed("{\"a\": {\"b\": 1}\n{\"c\": 2}\n", Framing::Json);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 1);
}

#[test]
fn an_oversized_json_value_is_its_own_record_and_the_next_goes_on() {
    let big = format!(
        "{{\"a\": [\n{}\n]}}\n{{\"b\": 1}}\n",
        "\"xxxxxxxx\",\n".repeat(REQUEST_BYTES / 10)
    );
    let records: Vec<RawRecord> =
        Records::with_framing(big.as_bytes(), Some(Framing::Json)).collect();
    assert_eq!(records.len(), 2);
    assert!(records[0].oversized.is_some_and(|n| n > REQUEST_BYTES));
    assert_eq!(records[1].text, "{\"b\": 1}");
    assert_eq!(records[1].line, REQUEST_BYTES / 10 + 4);
}

#[test]
fn yaml_framing_reads_json_lines_as_one_flow_document_each() {
    let got = framed("{\"a\": 1}\n{\"b\": 2}\n\n{\"c\": 3}\n", Framing::Yaml);
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    assert_eq!(lines, [1, 2, 4]);
}

#[test]
fn a_flow_collection_at_column_0_after_block_content_starts_a_document() {
    let got = framed("a: 1\nb:\n  {c: 2}\n{d: 3}\ne: 4\n", Framing::Yaml);
    assert_eq!(
        got,
        [
            (1, "a: 1\nb:\n  {c: 2}\n".to_string(), Format::Yaml),
            (4, "{d: 3}\n".to_string(), Format::Yaml),
            (5, "e: 4\n".to_string(), Format::Yaml),
        ]
    );
}

#[test]
fn a_flow_key_is_not_the_end_of_a_document() {
    let got = framed("{a: 1}: x\nb: 2\n---\nc: 3\n", Framing::Yaml);
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    assert_eq!(lines, [1, 3]);
}

#[test]
fn markers_inside_an_open_quote_still_end_the_document() {
    // YAML forbids `---` at column 0 inside a document: it always separates.
    let got = framed("a: \"open\n---\nb: 2\n", Framing::Yaml);
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn empty_documents_and_comments_alone_are_not_records() {
    let got = framed(
        "# only a comment\n---\n---\n# c\n...\n---\nz: 1\n---\n",
        Framing::Yaml,
    );
    assert_eq!(got, [(6, "---\nz: 1\n".to_string(), Format::Yaml)]);
}

#[test]
fn an_oversized_yaml_document_is_its_own_record() {
    let big = format!(
        "a: 1\n---\nlist:\n{}---\nb: 2\n",
        "  - xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(REQUEST_BYTES / 20)
    );
    let records: Vec<RawRecord> = Records::new(big.as_bytes()).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[1].line, 2);
    assert!(records[1].oversized.is_some_and(|n| n > REQUEST_BYTES));
    assert_eq!(records[2].text, "---\nb: 2\n");
}

#[test]
fn a_yaml_document_that_is_not_utf8_is_marked_at_its_first_line() {
    let records: Vec<RawRecord> = Records::new(&b"a: 1\n---\nb: \xff\n---\nc: 3\n"[..]).collect();
    assert_eq!(records.len(), 3);
    assert!(records[1].not_utf8 && !records[0].not_utf8 && !records[2].not_utf8);
    assert_eq!(records[1].line, 2);
}

#[test]
fn the_lookahead_is_bounded() {
    // Blank lines: each costs its bookkeeping, so this is well past the limit.
    let blanks = "\n".repeat(crate::limits::FRAMING_LOOKAHEAD_BYTES / 16);
    // Plain text then a JSON line would be JSON Lines, but the JSON line comes after
    // the look-ahead: plain text alone says YAML.
    let input = format!("plain\n{blanks}{{\"a\": 1}}\n");
    let mut records = Records::new(input.as_bytes());
    assert!(records.next().is_some());
    assert_eq!(records.framing(), Some(Framing::Yaml));
    // A line of JSON then a `---` would be YAML; past the look-ahead, JSON Lines.
    let input = format!("{{\"a\": 1}}\n{blanks}---\n");
    let mut records = Records::new(input.as_bytes());
    assert_eq!(records.next().map(|r| r.line), Some(1));
    assert_eq!(records.framing(), Some(Framing::JsonLines));
    assert_eq!(
        records.next().map(|r| r.line),
        Some(crate::limits::FRAMING_LOOKAHEAD_BYTES / 16 + 2)
    );
}

#[test]
fn a_broken_first_line_of_any_kind_keeps_json_lines() {
    for first in [
        "{\"a\": 1",
        "{\"a\": x}",
        "{a: 1}{",
        "plain text",
        "{",
        "\"a\"",
    ] {
        let input = format!("{first}\n{{\"b\": 2}}\n{{\"c\": 3}}\n");
        let got = split(&input);
        assert_eq!(got.len(), 3, "{first}: {got:?}");
        assert!(got.iter().all(|g| g.2 == Format::Json), "{first}: {got:?}");
    }
}

#[test]
fn a_lone_document_of_any_style_is_one_record() {
    for input in [
        "{a: 1}\n",
        "{\"a\": 1}",
        "{\n  \"a\": 1\n}\n",
        "{a: 1,\n b: 2}\n",
        "a: 1\nb: 2\n",
        "# c\n\na: 1\n",
        "[1, 2]\n",
        "[\n1]\n",
    ] {
        assert_eq!(split(input).len(), 1, "{input:?}");
    }
    assert!(split("").is_empty());
    assert!(split("\n  \n# c\n").is_empty());
}

// ---- Live input: never waiting on a quiet writer.

#[test]
fn poll_never_waits_and_resumes_a_record_cut_by_a_quiet_input() {
    use testing::Scripted;
    let input = Scripted::new(&["{\"a\":1}\n{\"b\"", ":2}\r", "\n{\"c\":3}\n"]);
    let waits = input.waits.clone();
    let mut records = Records::with_framing(input, Some(Framing::JsonLines));
    let mut buffer = String::new();
    let mut poll = |records: &mut Records<Scripted>| match records.poll_into(&mut buffer) {
        Poll::Ready(Some(placed)) => Some(Some((placed.line, buffer[placed.range].to_string()))),
        Poll::Ready(None) => Some(None),
        Poll::Pending => None,
    };
    assert_eq!(poll(&mut records), Some(Some((1, "{\"a\":1}".into()))));
    assert_eq!(poll(&mut records), None, "quiet in the middle of line 2");
    assert!(waits.borrow().is_empty(), "polling never waits");
    assert!(records
        .next_into(&mut String::new())
        .is_some_and(|p| p.line == 2));
    assert_eq!(*waits.borrow(), [1]);
    assert_eq!(poll(&mut records), None, "quiet after the CR");
    let third = records.next_into(&mut String::new());
    assert_eq!(
        third.map(|p| p.line),
        Some(3),
        "the LF of the CRLF is not a line"
    );
    assert_eq!(poll(&mut records), Some(None));
}

#[test]
fn the_content_rule_settles_on_json_lines_when_a_json_line_is_followed_by_quiet() {
    use testing::Scripted;
    let input = Scripted::new(&["{\"a\":1}\n", "---\n{\"b\":2}\n"]);
    let mut records = Records::new(input);
    let mut buffer = String::new();
    assert!(matches!(
        records.poll_into(&mut buffer),
        Poll::Ready(Some(_))
    ));
    assert_eq!(records.framing(), Some(Framing::JsonLines));
    // A plain first line, though, waits for the line that decides.
    let input = Scripted::new(&["plain\n", "{\"b\":2}\n"]);
    let mut records = Records::new(input);
    assert!(records.poll_into(&mut buffer).is_pending());
    assert_eq!(records.framing(), None);
    assert!(records.next_into(&mut buffer).is_some());
    assert_eq!(records.framing(), Some(Framing::JsonLines));
}

#[test]
fn a_yaml_document_is_complete_at_dots_or_when_its_flow_closes() {
    use testing::Scripted;
    let input = Scripted::new(&["a: 1\n...\n", "{b: [2,\n 3]}\n", "c: 3\n"]);
    let mut records = Records::with_framing(input, Some(Framing::Yaml));
    let mut buffer = String::new();
    assert!(matches!(
        records.poll_into(&mut buffer),
        Poll::Ready(Some(_))
    ));
    assert!(records.poll_into(&mut buffer).is_pending());
    assert!(records.next_into(&mut buffer).is_some_and(|p| p.line == 3));
    assert!(
        records.poll_into(&mut buffer).is_pending(),
        "a block document waits for its end"
    );
    assert!(records.next_into(&mut buffer).is_some_and(|p| p.line == 5));
}

#[test]
fn error_lines_count_from_the_record_first_line() {
    let policy = crate::Policy::embedded().unwrap();
    let options =
        crate::eval::Options::at(crate::value::parse_time("2026-11-25T12:00:00Z").unwrap());
    let input = "a: 1\n...\n%YAML 1.2\n---\naction: purchase\naction: cancel\n";
    let records: Vec<RawRecord> = Records::new(input.as_bytes()).collect();
    assert_eq!(records.len(), 2);
    let decision = policy.decide_raw(&records[1], &options);
    assert_eq!(
        decision.errors.first().and_then(|e| e.line()),
        Some(6),
        "{decision:?}"
    );
}

#[test]
fn a_comment_before_the_deciding_line_means_yaml() {
    // Found by the property test: a comment then one JSON line made the comment a record.
    let got = split("# the request\n{\"a\": 1}\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].0, got[0].2), (1, Format::Yaml));
    let got = split("{\"a\": 1}\n# the next\n{\"b\": 2}\n{\"c\": 3}\n");
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [1, 2, 4]);
}

#[test]
fn an_object_left_open_does_not_swallow_the_objects_after_it() {
    // Fuzz finding `framing-stray-cr-merges-records`: a CR inside a string ends the
    // first line, so its object never closes on that line, and quotes off balance in a
    // later line kept the document open: every request at column 0 after it was merged
    // into one broken record.
    let input = "{\"action\":\"purchase\",\"at\":\"2026\r-11-25T12:00:00Z\"}\n\
                 {\"p\":{\"c\":\"s,\"p\":{\"c\":\"s\"}}\n\
                 {\"a\": 2}\n\
                 {\"a\": 3}\n";
    let got = split(input);
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    assert_eq!(lines, [1, 3, 4, 5], "{got:?}");
    assert!(got.iter().all(|g| g.2 == Format::Yaml));
    assert!(got[0].1.ends_with("12:00:00Z\"}"), "{got:?}");
}

#[test]
fn a_nested_object_indented_in_a_flow_document_is_not_a_new_document() {
    let got = framed(
        "{\"a\":\n  {\"b\": 1},\n \"c\": \"open\n{still the string\"}\n",
        Framing::Yaml,
    );
    // A `{` at column 0 always starts a request, even inside an open quote; indented,
    // it is content.
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    assert_eq!(lines, [1, 4], "{got:?}");
}
