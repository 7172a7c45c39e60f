//! Effective dates (issue 10) through the library: versions selected at the
//! boundaries (`from` inclusive, `until` exclusive), a window selected by the time of
//! the purchase, a missing selecting field (deny, naming it), overlaps and gaps
//! diagnosed, the version named in reasons, errors and explanations, and
//! `Policy::as_of`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};
use csp_policy::stream::{Document, Format};
use csp_policy::{Decision, Options, Policy};

use common::policy::NOW_UTC;

/// The example policy history (`policies/examples/history`).
fn history() -> Policy {
    let folder =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/examples/history");
    match Policy::from_paths(&[folder]) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn purchase(policy: &Policy, at: &str, role: &str, market: &str) -> Decision {
    policy.decide_json(
        &format!(
            r#"{{"action":"purchase","at":"{at}","actor":{{"kind":"partner","roles":["{role}"]}},"customer":{{"market":"{market}"}}}}"#
        ),
        NOW_UTC,
    )
}

fn cancel(policy: &Policy, at: &str, purchased_at: &str) -> Decision {
    policy.decide_json(
        &format!(
            r#"{{"action":"cancel","at":"{at}","actor":{{"kind":"partner","roles":["admin_agent"]}},"order":{{"id":"A-1","purchased_at":"{purchased_at}"}}}}"#
        ),
        NOW_UTC,
    )
}

fn rules(d: &Decision) -> Vec<(&str, Option<&str>)> {
    d.reasons
        .iter()
        .map(|r| (r.rule.as_str(), r.in_force.as_deref()))
        .collect()
}

/// A standalone policy (vocabulary included) with `extra` text, and its diagnostics'
/// codes.
fn codes(extra: &str) -> Vec<&'static str> {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("base.policy", BASE));
    sources.add(SourceFile::new("extra.policy", extra));
    load::compile(sources)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

fn standalone(extra: &str) -> Policy {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("base.policy", BASE));
    sources.add(SourceFile::new("extra.policy", extra));
    let loaded = load::compile(sources);
    let rendered = loaded.render_diagnostics();
    match loaded.policy {
        Some(p) if rendered.is_empty() => p,
        _ => panic!("{}", rendered.join("\n")),
    }
}

const BASE: &str = r#"
actions {
  cancel  "Cancel an order"
}

roles for partner {
  admin_agent  "Admin agent"
}

input {
  action              is the action
  at                  is the time of the request
  actor.kind          is the actor's side
  actor.roles         is the actor's roles
  order.purchased_at  is a time
  link.issued_at      is a time
  link.downloads      is a count
}
"#;

const RULE_VERSIONS: &str = r#"
rule cancel-ok in force until 2021-02-01
  permit cancel to partner admin_agent
  because "old"

rule cancel-ok in force from 2021-02-01
  permit cancel to partner admin_agent
  because "new"
"#;

#[test]
fn a_rule_version_is_in_force_from_its_from_inclusive_until_its_until_exclusive() {
    let p = history();
    let before = purchase(&p, "2022-12-31T23:59:59Z", "sales_agent", "KR");
    assert!(!before.allow, "{}", before.to_json());
    let at_from = purchase(&p, "2023-01-01T00:00:00Z", "sales_agent", "KR");
    assert!(at_from.allow, "{}", at_from.to_json());
    assert_eq!(
        rules(&at_from),
        [("purchase-by-sales-agent", Some("from 2023-01-01"))]
    );

    let p = standalone(RULE_VERSIONS);
    let decide = |at: &str| {
        p.decide_json(
            &format!(r#"{{"action":"cancel","at":"{at}","actor":{{"kind":"partner","roles":["admin_agent"]}}}}"#),
            NOW_UTC,
        )
    };
    assert_eq!(
        rules(&decide("2021-01-31T23:59:59Z")),
        [("cancel-ok", Some("until 2021-02-01"))]
    );
    // At `until` exactly the old version is no longer in force; the new one is.
    assert_eq!(
        rules(&decide("2021-02-01T00:00:00Z")),
        [("cancel-ok", Some("from 2021-02-01"))]
    );
}

#[test]
fn a_market_list_version_is_selected_by_the_request_time() {
    let p = history();
    let old = purchase(&p, "2024-05-31T23:59:59Z", "admin_agent", "RU");
    assert!(old.allow, "{}", old.to_json());
    let new = purchase(&p, "2024-06-01T00:00:00Z", "admin_agent", "RU");
    assert!(!new.allow);
    assert_eq!(rules(&new), [("embargo", None)]);
    // In both versions.
    assert!(!purchase(&p, "2020-01-01T00:00:00Z", "admin_agent", "KP").allow);
}

#[test]
fn a_window_as_in_force_at_the_purchase_is_the_one_in_force_then() {
    let p = history();
    // Purchased one second before 2021-02-01: the 72-hour window, even at a request
    // time when 60 days are in force.
    let d = cancel(&p, "2021-02-04T00:00:00Z", "2021-01-31T23:59:59Z");
    assert!(!d.allow, "{}", d.to_json());
    let d = cancel(&p, "2021-02-03T23:59:59Z", "2021-01-31T23:59:59Z");
    assert!(d.allow, "{}", d.to_json());
    // Purchased at 2021-02-01 exactly: 60 days.
    let d = cancel(&p, "2021-04-02T00:00:00Z", "2021-02-01T00:00:00Z");
    assert!(d.allow, "{}", d.to_json());
    let d = cancel(&p, "2021-04-02T00:00:01Z", "2021-02-01T00:00:00Z");
    assert!(!d.allow, "{}", d.to_json());
}

#[test]
fn a_missing_selecting_field_is_an_error_that_names_it() {
    let p = standalone(
        r#"
window grace is 72 hours from order.purchased_at, in force until 2021-02-01,
  as in force at order.purchased_at

window grace is 60 days from order.purchased_at, in force from 2021-02-01,
  as in force at order.purchased_at

rule cancel-in-grace
  permit cancel to partner admin_agent
  when at is within grace
  because "ok"
"#,
    );
    let d = p.decide_json(
        r#"{"action":"cancel","at":"2021-03-01T00:00:00Z","actor":{"kind":"partner","roles":["admin_agent"]}}"#,
        NOW_UTC,
    );
    assert!(!d.allow);
    let error = d
        .errors
        .first()
        .map(|e| (e.code().to_string(), e.to_string()));
    let (code, message) = error.unwrap_or_default();
    assert_eq!(code, "evaluation-error", "{}", d.to_json());
    assert!(
        message.contains("`order.purchased_at` is not given") && message.contains("grace"),
        "{message}"
    );
}

#[test]
fn overlapping_versions_are_an_error_and_gaps_a_warning_unless_again() {
    let overlap = r#"
rule cancel-ok in force from 2021-02-01
  permit cancel to partner admin_agent
  because "a"

rule cancel-ok in force until 2021-03-01
  permit cancel to partner admin_agent
  because "b"
"#;
    assert_eq!(codes(overlap), ["in-force-overlap"]);
    let gap = RULE_VERSIONS.replace("from 2021-02-01", "from 2021-02-02");
    assert_eq!(codes(&gap), ["in-force-gap"]);
    let intended = RULE_VERSIONS.replace("from 2021-02-01", "again from 2021-02-02");
    assert_eq!(codes(&intended), Vec::<&str>::new());
    let empty =
        "rule r in force from 2021-02-01 until 2021-02-01\n  permit cancel\n  because \"x\"\n";
    assert_eq!(codes(empty), ["in-force-empty"]);
    // A dated and an undated rule with one id are still a duplicate.
    let mixed = format!("{RULE_VERSIONS}\nrule cancel-ok\n  permit cancel\n  because \"c\"\n");
    assert_eq!(codes(&mixed), ["duplicate-rule"]);
}

#[test]
fn reasons_errors_and_explanations_name_the_version() {
    let p = standalone(
        r#"
rule cancel-ok in force from 2021-02-01
  permit cancel to partner admin_agent
  when 1 / 0 > 0
  because "never"
"#,
    );
    let mut options = Options::at(NOW_UTC);
    options.explain = true;
    let document = Document::whole(
        r#"{"action":"cancel","at":"2021-03-01T00:00:00Z","actor":{"kind":"partner","roles":["admin_agent"]}}"#,
        Format::Json,
    );
    let d = p.decide_document(&document, &options);
    let error = d
        .errors
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        error.contains("cancel-ok (in force from 2021-02-01)"),
        "{error}"
    );

    let d = standalone(RULE_VERSIONS).decide_document(&document, &options);
    let entries = d.explanation.clone().unwrap_or_default();
    let firsts: Vec<(Option<&str>, &str)> = entries
        .iter()
        .take(2)
        .map(|e| (e.in_force.as_deref(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        firsts,
        [
            (Some("until 2021-02-01"), "not-in-force"),
            (Some("from 2021-02-01"), "applied"),
        ]
    );
    let mut text = String::new();
    d.write_text(&mut text);
    for line in [
        "cancel-ok (in force until 2021-02-01) (permit): not in force → skipped",
        "cancel-ok (in force from 2021-02-01) (permit) (no condition) → permit",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(
        d.to_json()
            .contains(r#"{"rule":"cancel-ok","in_force":"until 2021-02-01","effect":"permit","outcome":"not-in-force""#),
        "{}",
        d.to_json()
    );

    let p = history();
    let d = purchase(&p, "2023-06-01T00:00:00Z", "sales_agent", "KR");
    assert!(
        d.to_json().contains(
            r#"{"rule":"purchase-by-sales-agent","in_force":"from 2023-01-01","effect":"permit""#
        ),
        "{}",
        d.to_json()
    );
    // An undated rule's reason has no `in_force`.
    let d = purchase(&p, "2023-06-01T00:00:00Z", "admin_agent", "KR");
    assert!(!d.to_json().contains("in_force"), "{}", d.to_json());
}

fn time(s: &str) -> DateTime<Utc> {
    match s.parse() {
        Ok(t) => t,
        Err(e) => panic!("{s}: {e}"),
    }
}

#[test]
fn as_of_fixes_the_versions_in_force_at_a_time() {
    let p = history();
    let before = p.as_of(time("2022-06-01T00:00:00Z"));
    let after = p.as_of(time("2024-06-01T00:00:00Z"));
    // The request's own time no longer selects: the policy of the date does.
    let sales = |policy: &Policy| purchase(policy, "2026-01-01T00:00:00Z", "sales_agent", "KR");
    assert!(!sales(&before).allow);
    assert!(sales(&after).allow);
    assert_eq!(
        rules(&sales(&after)),
        [("purchase-by-sales-agent", Some("from 2023-01-01"))]
    );
    let russia = |policy: &Policy| purchase(policy, "2020-01-01T00:00:00Z", "admin_agent", "RU");
    assert!(russia(&before).allow);
    assert!(!russia(&after).allow);
    // The order ID is required from 2022-01-01.
    let no_id = |policy: &Policy| {
        policy.decide_json(
            r#"{"action":"cancel","at":"2021-02-02T00:00:00Z","actor":{"kind":"partner","roles":["admin_agent"]},"order":{"purchased_at":"2021-02-01T00:00:00Z"}}"#,
            NOW_UTC,
        )
    };
    assert!(no_id(&p.as_of(time("2021-12-31T23:59:59Z"))).allow);
    assert!(!no_id(&p.as_of(time("2022-01-01T00:00:00Z"))).allow);
    // A window selected by the purchase stays a choice per request.
    let old_order =
        |policy: &Policy| cancel(policy, "2021-02-04T00:00:00Z", "2021-01-31T23:59:59Z");
    assert!(!old_order(&after).allow);
}

#[test]
fn a_dated_link_is_selected_by_the_time_it_names() {
    let p = standalone(
        r#"
link share expires 14 days after link.issued_at or after 50 uses counted in link.downloads,
  in force until 2021-02-01, as in force at link.issued_at

link share expires 7 days after link.issued_at or after 5 uses counted in link.downloads,
  in force from 2021-02-01, as in force at link.issued_at

rule cancel-while-shared
  permit cancel to partner admin_agent
  when not share.expired and not share.used_up
  because "{share.uses_left} uses left"
"#,
    );
    let decide = |issued: &str, downloads: u32| {
        p.decide_json(
            &format!(
                r#"{{"action":"cancel","at":"2021-02-10T00:00:00Z","actor":{{"kind":"partner","roles":["admin_agent"]}},"link":{{"issued_at":"{issued}","downloads":{downloads}}}}}"#
            ),
            NOW_UTC,
        )
    };
    // Issued under the old link: 14 days and 50 uses.
    let d = decide("2021-01-31T23:59:59Z", 10);
    assert!(d.allow, "{}", d.to_json());
    assert_eq!(
        d.reasons.first().map(|r| r.message.as_str()),
        Some("40 uses left")
    );
    // Issued under the new one: 7 days (expired on 2021-02-08) and 5 uses.
    assert!(!decide("2021-02-01T00:00:00Z", 1).allow);
    let d = decide("2021-02-05T00:00:00Z", 1);
    assert_eq!(
        d.reasons.first().map(|r| r.message.as_str()),
        Some("4 uses left")
    );
    assert!(!decide("2021-02-05T00:00:00Z", 5).allow);
}

/// Regression: a fact declared twice for one action (both undated) was accepted, and
/// the decision wrote its key twice (`"f":1,"f":2`). Dated versions of a fact for the
/// same actions are not duplicates; an undated declaration beside them is.
#[test]
fn a_fact_declared_twice_for_one_action_is_a_duplicate_unless_dated_versions() {
    let twice = "fact f for cancel = 1\nfact f for cancel = 2\n";
    assert_eq!(codes(twice), ["duplicate-fact"]);
    let versions = "fact f for cancel in force until 2021-02-01 = 1\nfact f for cancel in force from 2021-02-01 = 2\n";
    assert_eq!(codes(versions), Vec::<&str>::new());
    let mixed = format!("{versions}fact f for cancel = 3\n");
    assert_eq!(codes(&mixed), ["duplicate-fact"]);
}
