//! Decision snapshots: every request in `tests/requests/` is decided by the embedded
//! default policy at 2026-11-25T12:00:00Z (for requests without `at`), and the whole
//! decision is pinned. `tests/requests/README.md` gives the expected decision of each
//! file, computed by hand from the rules (docs/); every snapshot was checked against it.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::stream::{Format, RawRecord};
use csp_policy::{Options, Policy};

#[test]
fn decisions() {
    let policy = match Policy::embedded() {
        Ok(p) => p,
        Err(e) => panic!("{}", e.render()),
    };
    let now = csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap_or_default();
    let options = Options::at(now);
    insta::glob!("requests/*.{yaml,json}", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let format = if path.extension().is_some_and(|e| e == "json") {
            Format::Json
        } else {
            Format::Yaml
        };
        let raw = RawRecord {
            text,
            line: 1,
            format,
            oversized: None,
            not_utf8: false,
        };
        let decision = policy.decide_raw(&raw, &options);
        let value: serde_json::Value =
            serde_json::from_str(&decision.to_json()).unwrap_or_default();
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        insta::assert_snapshot!(pretty);
    });
}
