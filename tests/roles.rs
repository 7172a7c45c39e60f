//! Roles in conditions, all-of audiences and per-action default-deny messages, decided
//! through the library after the default policy's files (issue 9): each test is the
//! regression test of a sentence the language could not say, or of a misleading
//! diagnostic.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::policy::{compile_with, policy_with};
use csp_policy::{Decision, Policy};

/// The messages of the diagnostics `extra` gets.
fn messages(extra: &str) -> Vec<String> {
    compile_with(extra)
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect()
}

/// A partner's purchase (allowed by the default policy for admin agents and global
/// admins) with these roles.
fn purchase(roles: &str) -> String {
    format!(
        "action: purchase\nat: 2026-11-25T12:00:00Z\nactor: {{ id: a@p.example, kind: partner, roles: [{roles}] }}\n\
         customer: {{ name: Fabrikam, tenant_id: 7b2e9c41-0d5a-4f3e-8c6b-2a1d9e4f7c30, domain: f.onmicrosoft.com, market: AU }}\n\
         product: {{ name: Azure Reserved VM Instances, category: azure_reservation, publisher: microsoft }}\n\
         order: {{ price: \"1240.00\", currency: AUD }}\n"
    )
}

fn decide(policy: &Policy, request: &str) -> Decision {
    let now = csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap();
    policy.decide_yaml(request, now)
}

fn rules(d: &Decision) -> Vec<&str> {
    d.reasons.iter().map(|r| r.rule.as_str()).collect()
}

#[test]
fn an_all_of_audience_needs_every_role() {
    let policy = policy_with(
        "rule both-admins\n  forbid purchase to partner admin_agent and global_admin\n  because \"both\"\n",
    );
    let both = decide(&policy, &purchase("admin_agent, global_admin"));
    assert!(!both.allow);
    assert_eq!(rules(&both), ["both-admins"]);
    for one in ["admin_agent", "global_admin"] {
        let d = decide(&policy, &purchase(one));
        assert!(d.allow, "{one}: {d:?}");
    }
}

#[test]
fn an_audience_with_and_is_never_told_it_expected_and() {
    // Before: "expected `and` or `or` or `when` or `unless`, found `and`".
    for audience in [
        "partner admin_agent and global_admin or sales_agent",
        "partner admin_agent or global_admin and sales_agent",
        "partner admin_agent and and global_admin",
        "partner admin_agent or or global_admin",
    ] {
        let text = format!("rule r\n  permit purchase to {audience}\n  because \"x\"\n");
        let found = messages(&text);
        assert_eq!(found.len(), 1, "{audience}: {found:?}");
        let message = &found[0];
        assert!(message.starts_with("syntax: expected"), "{message}");
        let found_word = message.rsplit("found ").next().unwrap();
        let expected = message
            .split(", found ")
            .next()
            .unwrap()
            .trim_start_matches("syntax: expected ");
        assert!(
            !expected.contains(found_word),
            "{audience}: the message expects what it found: {message}"
        );
    }
}

#[test]
fn roles_are_tested_in_conditions() {
    // Before: "expected text, but this is a list of roles".
    let policy = policy_with(concat!(
        "rule needs-global-admin\n",
        "  forbid purchase\n",
        "  when actor.roles does not contain \"global_admin\"\n",
        "    and not (actor.roles contains all of admin_agent, sales_agent)\n",
        "  because \"a global admin, or an admin agent who is also a sales agent\"\n",
        "rule helpdesk\n",
        "  forbid purchase to partner\n",
        "  when actor.roles contains any of helpdesk_agent, billing_admin\n",
        "  because \"helpdesk\"\n",
    ));
    assert!(decide(&policy, &purchase("global_admin")).allow);
    assert!(decide(&policy, &purchase("admin_agent, sales_agent")).allow);
    let d = decide(&policy, &purchase("admin_agent"));
    assert_eq!(rules(&d), ["needs-global-admin"]);
    let d = decide(&policy, &purchase("global_admin, billing_admin"));
    assert_eq!(rules(&d), ["helpdesk"]);
    // An unknown role is an error of the request, and the role test holds nothing.
    let d = decide(&policy, &purchase("global_admin, nobody"));
    assert!(!d.allow);
    assert_eq!(d.errors.len(), 1, "{d:?}");
}

#[test]
fn role_names_in_conditions_are_checked() {
    assert_eq!(
        messages(
            "rule r\n  forbid purchase\n  when actor.roles contains globl_admin\n  because \"x\"\n"
        ),
        ["unknown-role: `globl_admin` is not a declared role"]
    );
    assert_eq!(
        messages("rule r\n  permit purchase to partner admin_agent\n  when actor.roles contains user\n  because \"x\"\n"),
        ["role-of-other-side: `user` is a customer role, but this rule applies only to partner actors"]
    );
    // `global_admin` is a role of both sides: fine for a partner rule.
    policy_with("rule r\n  forbid purchase to partner admin_agent\n  when actor.roles contains global_admin\n  because \"x\"\n");
    assert_eq!(
        messages("rule r\n  forbid purchase\n  when product.name contains any of \"a\", \"b\"\n  because \"x\"\n"),
        ["type-mismatch: expected the actor's roles, but this is text"]
    );
}

#[test]
fn each_action_may_have_its_own_default_deny_message() {
    // Before: a syntax error ("expected something else, found `otherwise`").
    let policy = policy_with(
        "otherwise deny purchase because \"No rule lets a {actor.kind} buy; ask a global admin.\"\n",
    );
    let d = decide(&policy, &purchase("sales_agent"));
    assert_eq!(rules(&d), ["default-deny"]);
    assert_eq!(
        d.reasons[0].message,
        "No rule lets a partner buy; ask a global admin."
    );
    // Another action keeps the policy's fallback message.
    let view = purchase("sales_agent").replace("action: purchase", "action: view_activity_log")
        + "range: { from: 2026-11-01T00:00:00Z, to: 2026-11-20T00:00:00Z }\n";
    let d = decide(&policy, &view);
    assert!(
        d.reasons
            .iter()
            .any(|r| r.message.starts_with("No rule permits view_activity_log")),
        "{d:?}"
    );
}

#[test]
fn a_bad_otherwise_line_gives_one_diagnostic() {
    for (line, expected) in [
        (
            "otherwise deny purchse because \"x\"",
            "unknown-action: `purchse` is not a declared action",
        ),
        (
            "otherwise deny purchase \"x\"",
            "syntax: expected `because` and the message, found `\"`",
        ),
        (
            "otherwise purchase because \"x\"",
            "syntax: expected `deny`, found `purchase`",
        ),
        (
            "otherwise deny purchase because x",
            "syntax: expected a quoted string, found `x`",
        ),
        (
            "otherwise deny because \"again\"",
            "duplicate-otherwise: the policy already has an `otherwise deny` message",
        ),
    ] {
        for text in [
            format!("{line}\n"),
            format!("rule a\n  permit purchase\n  because \"x\"\n  {line}\nrule b\n  permit cancel\n  because \"y\"\n"),
        ] {
            assert_eq!(messages(&text), [expected], "{text}");
        }
    }
    assert_eq!(
        messages("otherwise deny purchase because \"a\"\notherwise deny cancel, purchase because \"b\"\n"),
        ["duplicate-otherwise: the policy already has an `otherwise deny` message for purchase"]
    );
}
