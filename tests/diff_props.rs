//! The exhaustive `diff` against brute force, on generated small edits of the default
//! policy (a window's length, a link's lifetime and uses, a market removed from a list,
//! a role added to a permit, a word of a condition changed): every witness reproduces
//! under the evaluator, and when the comparison says it is complete, random requests
//! (the generators of `tests/explain_agrees/`) that change decision fall in a reported
//! class (same action, same old and new decisions). On these edits the comparison must
//! say it is complete.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "explain_agrees/requests.rs"]
mod requests;

use chrono::{DateTime, Utc};
use csp_corpus::data::PARTNER_ROLES;
use csp_policy::diff::exhaustive;
use csp_policy::source::{SourceFile, SourceMap};
use csp_policy::stream::{Document, Format};
use csp_policy::{load, Options, Policy};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn now() -> DateTime<Utc> {
    csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap()
}

/// One edit of the default policy's text: in a file, `from` becomes `to`.
#[derive(Debug, Clone)]
struct Edit {
    file: &'static str,
    from: String,
    to: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    let window = (1u32..=120).prop_map(|d| Edit {
        file: "07-cancel.policy",
        from: "window cancellation is 60 days".into(),
        to: format!("window cancellation is {d} days"),
    });
    let uses = (1u32..=80).prop_map(|n| Edit {
        file: "05-keys-and-downloads.policy",
        from: "or after 50 uses".into(),
        to: format!("or after {n} uses"),
    });
    let lifetime = (1u32..=30).prop_map(|d| Edit {
        file: "05-keys-and-downloads.policy",
        from: "expires 14 days after".into(),
        to: format!("expires {d} days after"),
    });
    let market = (0usize..108).prop_map(|i| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/csp-software/03-markets.policy"
        ))
        .unwrap();
        let line = text
            .lines()
            .filter(|l| {
                l.len() > 4
                    && l.starts_with("  ")
                    && l.as_bytes()[4] == b' '
                    && l[2..4].chars().all(|c| c.is_ascii_uppercase())
            })
            .nth(i)
            .unwrap_or("  AD  \"Andorra\"  \"안도라\"")
            .to_string();
        Edit {
            file: "03-markets.policy",
            from: format!("{line}\n"),
            to: String::new(),
        }
    });
    let role = (
        prop::sample::select(vec![
            (
                "04-purchase.policy",
                "permit purchase to partner admin_agent or global_admin",
            ),
            (
                "05-keys-and-downloads.policy",
                "permit get_keys, download to partner admin_agent",
            ),
            ("07-cancel.policy", "permit cancel to partner admin_agent"),
            (
                "08-hybrid-benefit.policy",
                "permit apply_hybrid_benefit to partner admin_agent or global_admin",
            ),
        ]),
        prop::sample::select(PARTNER_ROLES.to_vec()),
    )
        .prop_map(|((file, permit), role)| Edit {
            file,
            from: permit.to_string(),
            to: format!("{permit} or {role}"),
        });
    let word = prop::sample::select(vec![
        "azure_reservation",
        "server_subscription",
        "perpetual_software",
    ])
    .prop_map(|w| Edit {
        file: "07-cancel.policy",
        from: "when product.category is software_plan and".into(),
        to: format!("when product.category is {w} and"),
    });
    prop_oneof![window, uses, lifetime, market, role, word]
}

/// The default policy with the edits applied (an edit whose text is not there any
/// more, after an earlier one, changes nothing).
fn edited(edits: &[Edit]) -> Policy {
    let mut sources = SourceMap::new();
    for file in load::embedded_sources().files() {
        let mut text = file.text.clone();
        for e in edits {
            if file.name.ends_with(e.file) {
                text = text.replacen(&e.from, &e.to, 1);
            }
        }
        sources.add(SourceFile::new(file.name.clone(), text));
    }
    Policy::from_sources(sources).expect("an edited policy checks")
}

fn decide(policy: &Policy, text: &str, format: Format) -> csp_policy::Decision {
    let document = Document::whole(text, format);
    policy.decide_document(&document, &Options::at(now()))
}

proptest! {
    #![proptest_config(Config { cases: 8, ..Config::default() })]

    #[test]
    fn witnesses_reproduce_and_complete_means_no_other_change(
        edits in proptest::collection::vec(edit(), 1..3),
        probes in proptest::collection::vec(requests::request(), 200),
    ) {
        let old = Policy::embedded().unwrap();
        let new = edited(&edits);
        let found = exhaustive::compare(&old, &new, now());
        for class in &found.classes {
            let o = old.decide_json(&class.witness, now());
            let n = new.decide_json(&class.witness, now());
            prop_assert_eq!(o.is_allow(), class.old, "{:?}: {}", edits, class.witness);
            prop_assert_eq!(n.is_allow(), class.new, "{:?}: {}", edits, class.witness);
        }
        // These edits use nothing the comparison cannot enumerate: it must be complete.
        prop_assert!(found.complete, "{:?}: {:?}", edits, found.incomplete);
        if found.complete {
            for probe in &probes {
                let (text, format) = probe.text();
                let (o, n) = (decide(&old, &text, format), decide(&new, &text, format));
                if o.is_allow() != n.is_allow() {
                    let action = n.action.clone().or(o.action.clone()).unwrap_or_default();
                    prop_assert!(
                        found.classes.iter().any(|c| c.action == action && c.old == o.is_allow() && c.new == n.is_allow()),
                        "{:?}: {} changes ({} -> {}) outside the classes {:?}",
                        edits, text, o.verdict(), n.verdict(), found.classes
                    );
                }
            }
        }
    }
}
