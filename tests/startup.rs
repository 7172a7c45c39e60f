//! The embedded policy's start: `Policy::embedded()` reads the prepared compiled form
//! (`policies/csp-software.prepared`, `src/load/prepared.rs`) instead of parsing and
//! checking the sources. Its decisions must be those of the policy compiled from the
//! same sources, byte for byte, in every rendering, with explanations and coverage, at
//! any date; and the command line must answer alike with the embedded policy and with
//! the same files named by `--policy`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use csp_policy::stream::{Format, RawRecord};
use csp_policy::{Decision, Options, Policy};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every rendering of a decision, one after the other.
fn rendered(decision: &Decision) -> String {
    let mut out = String::new();
    decision.write_json(&mut out);
    out.push('\n');
    decision.write_yaml(&mut out);
    out.push('\n');
    decision.write_text(&mut out);
    out
}

fn raw(text: String, format: Format) -> RawRecord {
    RawRecord {
        text,
        line: 1,
        format,
        oversized: None,
        not_utf8: false,
    }
}

/// The requests compared: 1,000 corpus requests (some malformed), every request of
/// `tests/requests/` and every example.
fn requests() -> Vec<RawRecord> {
    let mut all: Vec<RawRecord> = csp_corpus::generate(7, 1_000)
        .map(|line| raw(line, Format::Json))
        .collect();
    for (_, text, format) in common::request_files() {
        all.push(raw(text, format));
    }
    all
}

fn compiled_from_sources() -> Policy {
    Policy::from_sources(csp_policy::load::embedded_sources())
        .unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn the_prepared_policy_decides_like_the_policy_compiled_from_its_sources() {
    let prepared = Policy::embedded().unwrap_or_else(|e| panic!("{}", e.render()));
    let compiled = compiled_from_sources();
    assert_eq!(prepared.revision(), compiled.revision());
    assert_eq!(prepared.files(), compiled.files());
    assert!(prepared.actions().eq(compiled.actions()));

    let requests = requests();
    assert!(requests.len() > 1_200, "{}", requests.len());
    // Explained and with coverage at the corpus date; plainly at dates long before and
    // after it (windows and links closed), and as the policy stood then (`diff`'s view).
    let now = csp_policy::parse_time(common::NOW).unwrap();
    let full = Options {
        now,
        explain: true,
        coverage: true,
    };
    for request in &requests {
        let a = rendered(&prepared.decide_raw(request, &full));
        let b = rendered(&compiled.decide_raw(request, &full));
        assert_eq!(a, b, "{}", request.text);
    }
    for then in ["2019-06-01T00:00:00Z", "2031-01-01T00:00:00Z"] {
        let then = csp_policy::parse_time(then).unwrap();
        let options = Options::at(then);
        let (a_then, b_then) = (prepared.as_of(then), compiled.as_of(then));
        for request in requests.iter().step_by(4) {
            assert_eq!(
                rendered(&prepared.decide_raw(request, &options)),
                rendered(&compiled.decide_raw(request, &options)),
                "{}",
                request.text
            );
            assert_eq!(
                rendered(&a_then.decide_raw(request, &full)),
                rendered(&b_then.decide_raw(request, &full)),
                "{}",
                request.text
            );
        }
    }
}

/// `csp-policy eval` answers a stream alike with the embedded policy (prepared) and with
/// the same files named by `--policy` (parsed and checked), explanations included.
#[test]
fn eval_answers_alike_with_the_embedded_policy_and_its_files() {
    let mut stream = String::new();
    for line in csp_corpus::generate(11, 500) {
        stream.push_str(&line);
        stream.push('\n');
    }
    let folder = root().join("policies/csp-software");
    let folder = folder.to_str().unwrap();
    for extra in [&[][..], &["--explain"][..], &["--format", "yaml"][..]] {
        let mut embedded = vec!["eval", "--now", common::NOW, "-"];
        embedded.extend_from_slice(extra);
        let mut named = embedded.clone();
        named.extend_from_slice(&["--policy", folder]);
        let a = common::run_with_stdin(&embedded, stream.as_bytes());
        let b = common::run_with_stdin(&named, stream.as_bytes());
        assert_eq!(a.status.code(), b.status.code());
        assert!(!a.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&a.stdout),
            String::from_utf8_lossy(&b.stdout),
            "{extra:?}"
        );
        assert_eq!(a.stderr, b.stderr, "{extra:?}");
    }
}
