//! The one YAML path (`src/request/yaml.rs`), run as a user runs the binary: a suite's
//! expected numbers follow the request's decimal rule (read from their text, no
//! exponent, never through a float), and `eval` and `test` refuse the same YAML
//! features, each in its own words and located. Fixtures in `tests/yaml_path/`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{decisions, run, stderr, stdout, NOW};
use serde_json::Value;

#[test]
fn an_expected_number_with_an_exponent_is_refused_where_it_is_written() {
    let output = run(&["test", "tests/yaml_path/exponent.yaml"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}{}", stdout(&output));
    assert!(
        err.contains(
            "tests/yaml_path/exponent.yaml:7:32: fact `credit_percent`: the number 8.466e1 is not a plain decimal number (digits with an optional decimal point; no exponent)"
        ),
        "{err}"
    );
}

/// A float would hold 84.660000000000000001 as 84.66 and let the case pass.
#[test]
fn an_expected_number_is_compared_exactly_as_written() {
    let output = run(&["test", "tests/yaml_path/exact.yaml"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{}", stderr(&output));
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed"), "{out}");
    assert!(
        out.contains("FAIL tests/yaml_path/exact.yaml:15: one digit more than a float keeps"),
        "{out}"
    );
    let row = out
        .lines()
        .find(|l| l.trim_start().starts_with("fact credit_percent"))
        .unwrap_or_else(|| panic!("a row for the fact: {out}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        ["fact", "credit_percent", "84.660000000000000001", "84.66"]
    );
}

/// Each refused feature, as a request given to `eval` (a deny naming it, located in the
/// stream) and as the same request inline in a suite (the suite refused, located).
#[test]
fn eval_and_test_refuse_the_same_yaml_features() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("yaml-path");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, request, words, at) in [
        (
            "merge",
            "base: &b {kind: partner}\nactor:\n  <<: *b\n",
            (
                "YAML merge keys (`<<`) are not allowed in requests: write each field out",
                "YAML merge keys (`<<`) are not allowed in suites (requests refuse them): write each field out",
            ),
            (3, 3),
        ),
        (
            "duplicate",
            "action: cancel\naction: purchase\n",
            ("duplicate", "duplicate"),
            (2, 1),
        ),
        (
            "tag",
            "action: !!python/object cancel\n",
            ("tag", "tag"),
            (1, 25),
        ),
    ] {
        // As a request: the second document of a stream, so its lines count from 3.
        let stream = dir.join(format!("{name}.yaml"));
        std::fs::write(&stream, format!("action: cancel\n---\n{request}")).unwrap();
        let output = run(&["eval", "--now", NOW, stream.to_str().unwrap()]);
        let decisions: Vec<Value> = decisions(&output);
        assert_eq!(decisions.len(), 2, "{name}");
        let error = &decisions[1]["errors"][0];
        assert_eq!(error["code"], "malformed-request", "{name}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("not valid YAML: "), "{name}: {message}");
        assert!(message.contains(words.0), "{name}: {message}");
        assert_eq!(error["line"], at.0 + 2, "{name}: {error}");
        assert_eq!(error["column"], at.1, "{name}: {error}");

        // Inline in a suite: the request starts on line 5, indented by 6.
        let indented: String = request.lines().map(|l| format!("      {l}\n")).collect();
        let suite = dir.join(format!("{name}-suite.yaml"));
        std::fs::write(
            &suite,
            format!("cases:\n  - name: a\n    expect: {{ decision: deny }}\n    request:\n{indented}"),
        )
        .unwrap();
        let output = run(&["test", suite.to_str().unwrap()]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {err}");
        let place = format!("{}:{}:{}: ", suite.display(), at.0 + 4, at.1 + 6);
        let line = err
            .lines()
            .find(|l| l.contains(&place))
            .unwrap_or_else(|| panic!("{name}: {place} in {err}"));
        assert!(line.contains(words.1), "{name}: {line}");
        assert!(!line.contains("DuplicateKeyPolicy"), "{name}: {line}");
    }
}
