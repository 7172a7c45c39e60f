//! The limits of a policy's vocabulary (`src/limits.rs`), tested on both sides: a
//! policy at the limit checks and decides correctly, one past it is refused by the
//! checker with a diagnostic at the declaration that exceeds it.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::limits::{POLICY_ACTIONS, POLICY_FIELDS, POLICY_ROLES, POLICY_SIDES};
use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};
use csp_policy::Policy;

/// Loads one policy file: the policy, or the rendered diagnostics.
fn load(text: &str) -> Result<Policy, Vec<(&'static str, String)>> {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("limits.policy", text));
    let loaded = load::compile(sources);
    match loaded.policy {
        Some(policy) if loaded.diagnostics.is_empty() => Ok(policy),
        _ => Err(loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.render(&loaded.sources)))
            .collect()),
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap()
}

/// A policy with `fields` input fields in all: the action, the time, and counts
/// `f.c2`, `f.c3`, ... of which the last is required for `go`.
fn with_fields(fields: usize) -> String {
    let mut text = String::from(
        "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n",
    );
    for i in 2..fields {
        text.push_str(&format!("  f.c{i} \"c{i}\" is a count\n"));
    }
    let last = fields - 1;
    text.push_str(&format!(
        "}}\nrequire for go {{\n  f.c{last}\n}}\nrule ok\n  permit go when f.c{last} is present\n  because \"ok\"\n"
    ));
    text
}

#[test]
fn a_policy_with_the_most_fields_decides_on_its_last_field() {
    let policy = load(&with_fields(POLICY_FIELDS)).unwrap_or_else(|d| panic!("{d:?}"));
    let last = POLICY_FIELDS - 1;
    let d = policy.decide_json(&format!(r#"{{"action":"go","f":{{"c{last}":3}}}}"#), now());
    assert!(d.is_allow(), "{}", d.to_json());
    // Invalid, the last field is named once, as invalid, not also as missing.
    let d = policy.decide_json(
        &format!(r#"{{"action":"go","f":{{"c{last}":"three"}}}}"#),
        now(),
    );
    let codes: Vec<&str> = d.errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["wrong-type"], "{}", d.to_json());
}

#[test]
fn a_policy_with_one_field_too_many_is_refused_at_that_field() {
    let diagnostics = load(&with_fields(POLICY_FIELDS + 1)).expect_err("refused");
    let (code, rendered) = &diagnostics[0];
    assert_eq!(*code, "too-many-fields", "{diagnostics:?}");
    // Field k (from 0: `action`, `at`, `f.c2`, ...) is on line 5 + k, after
    // `actions { go }` and `input {`.
    let line = 5 + POLICY_FIELDS;
    assert!(
        rendered.contains(&format!("limits.policy:{line}:")),
        "{rendered}"
    );
    assert!(rendered.contains(&POLICY_FIELDS.to_string()), "{rendered}");
    // The refused field's uses are not reported again as unknown.
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
}

/// A policy with `roles` partner roles `r0`, `r1`, ..., of which the last may `go`.
fn with_roles(roles: usize) -> String {
    let mut text = String::from("actions {\n  go \"Go\"\n}\nroles for partner {\n");
    for i in 0..roles {
        text.push_str(&format!("  r{i} \"Role {i}\"\n"));
    }
    let last = roles - 1;
    text.push_str(&format!(
        "}}\ninput {{\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  actor.kind \"kind\" is the actor's side\n  actor.roles \"roles\" is the actor's roles\n}}\nrule ok\n  permit go to partner r{last}\n  because \"ok\"\n"
    ));
    text
}

#[test]
fn a_policy_with_the_most_roles_decides_on_its_last_role() {
    let policy = load(&with_roles(POLICY_ROLES)).unwrap_or_else(|d| panic!("{d:?}"));
    let last = POLICY_ROLES - 1;
    let request = format!(r#"{{"action":"go","actor":{{"kind":"partner","roles":["r{last}"]}}}}"#);
    assert!(policy.decide_json(&request, now()).is_allow());
    let request = r#"{"action":"go","actor":{"kind":"partner","roles":["r0"]}}"#;
    assert!(!policy.decide_json(request, now()).is_allow());
}

#[test]
fn a_policy_with_one_role_too_many_is_refused_at_that_role() {
    let diagnostics = load(&with_roles(POLICY_ROLES + 1)).expect_err("refused");
    let (code, rendered) = &diagnostics[0];
    assert_eq!(*code, "too-many-roles", "{diagnostics:?}");
    let line = 4 + POLICY_ROLES + 1;
    assert!(
        rendered.contains(&format!("limits.policy:{line}:")),
        "{rendered}"
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
}

/// A policy with `actions` actions `a0`, `a1`, ..., of which the last is permitted.
fn with_actions(actions: usize) -> String {
    let mut text = String::from("actions {\n");
    for i in 0..actions {
        text.push_str(&format!("  a{i} \"Action {i}\"\n"));
    }
    let last = actions - 1;
    text.push_str(&format!(
        "}}\ninput {{\n  action \"action\" is the action\n  at \"time\" is the time of the request\n}}\nrule ok\n  permit a{last}\n  because \"ok\"\n"
    ));
    text
}

#[test]
fn a_policy_with_the_most_actions_decides_its_last_action() {
    let policy = load(&with_actions(POLICY_ACTIONS)).unwrap_or_else(|d| panic!("{d:?}"));
    let last = POLICY_ACTIONS - 1;
    assert!(policy
        .decide_json(&format!(r#"{{"action":"a{last}"}}"#), now())
        .is_allow());
    assert!(!policy.decide_json(r#"{"action":"a0"}"#, now()).is_allow());
}

#[test]
fn a_policy_with_one_action_too_many_is_refused_at_that_action() {
    let diagnostics = load(&with_actions(POLICY_ACTIONS + 1)).expect_err("refused");
    let (code, rendered) = &diagnostics[0];
    assert_eq!(*code, "too-many-actions", "{diagnostics:?}");
    let line = 1 + POLICY_ACTIONS + 1;
    assert!(
        rendered.contains(&format!("limits.policy:{line}:")),
        "{rendered}"
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
}

/// A policy with `sides` sides `s0`, `s1`, ..., each with one role; the last side's
/// role is permitted.
fn with_sides(sides: usize) -> String {
    let mut text = String::from("actions {\n  go \"Go\"\n}\n");
    for i in 0..sides {
        text.push_str(&format!("roles for s{i} {{\n  r{i} \"Role {i}\"\n}}\n"));
    }
    let last = sides - 1;
    text.push_str(&format!(
        "input {{\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  actor.kind \"kind\" is the actor's side\n  actor.roles \"roles\" is the actor's roles\n}}\nrule ok\n  permit go to s{last} r{last}\n  because \"ok\"\n"
    ));
    text
}

#[test]
fn a_policy_with_the_most_sides_decides_on_its_last_side() {
    let policy = load(&with_sides(POLICY_SIDES)).unwrap_or_else(|d| panic!("{d:?}"));
    let last = POLICY_SIDES - 1;
    let request = format!(r#"{{"action":"go","actor":{{"kind":"s{last}","roles":["r{last}"]}}}}"#);
    assert!(policy.decide_json(&request, now()).is_allow());
}

#[test]
fn a_policy_with_one_side_too_many_is_refused_at_that_side() {
    let diagnostics = load(&with_sides(POLICY_SIDES + 1)).expect_err("refused");
    let (code, rendered) = &diagnostics[0];
    assert_eq!(*code, "too-many-sides", "{diagnostics:?}");
    let line = 3 + 3 * POLICY_SIDES + 1;
    assert!(
        rendered.contains(&format!("limits.policy:{line}:")),
        "{rendered}"
    );
}
