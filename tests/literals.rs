//! Literals and arithmetic of the policy language (issue 9): date and instant literals,
//! durations as numbers (`duration / duration`, `duration * number`, `whole UNIT in d`),
//! and number literals the engine cannot hold refused with the reason. Each policy here
//! is loaded after the default policy's files, as a second file a compliance author
//! would add.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::policy::{codes_with as codes, try_policy_with as with_extra};
use csp_policy::decision::FactValue;
use csp_policy::{Decision, Policy};
use rust_decimal::Decimal;
use std::str::FromStr;

fn decide(policy: &Policy, request: &str) -> Decision {
    let now = csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap();
    policy.decide_yaml(request, now)
}

fn number(text: &str) -> FactValue {
    FactValue::Number(Decimal::from_str(text).unwrap())
}

/// A cancel inside its window: purchased 2026-10-01T09:30:00Z (window end 60 days later,
/// 2026-11-30T09:30:00Z), `at` as given.
fn cancel_at(at: &str) -> String {
    format!(
        "action: cancel\nat: {at}\nactor: {{ kind: partner, roles: [admin_agent] }}\n\
         customer: {{ name: Contoso }}\nproduct: {{ name: Office, category: perpetual_software }}\n\
         order: {{ id: ORD-1, purchased_at: 2026-10-01T09:30:00Z, status: active, price: \"1200.00\" }}\n"
    )
}

#[test]
fn hours_left_in_a_window_divide_a_duration_by_a_duration() {
    // Issue 9: `(cancellation.end - at) / 1 hour` was "cannot divide a duration and a duration".
    let policy = with_extra(
        "fact hours_left for cancel = (cancellation.end - at) / 1 hour\n\
         fact whole_hours_left for cancel = whole hours in (cancellation.end - at)\n\
         fact minutes_left for cancel = whole minutes in (cancellation.end - at)\n",
    )
    .unwrap();
    let d = decide(&policy, &cancel_at("2026-11-25T12:00:00Z"));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    // 4 days 21 h 30 min = 117.5 hours.
    assert_eq!(d.fact("hours_left"), Some(&number("117.5")));
    assert_eq!(d.fact("whole_hours_left"), Some(&number("117")));
    assert_eq!(d.fact("minutes_left"), Some(&number("7050")));
}

#[test]
fn a_duration_times_a_number_is_a_duration() {
    // Issue 9: `duration * 24` was refused.
    let policy = with_extra(
        "fact doubled for cancel = (cancellation.end - at) * 2\n\
         fact per_day for cancel = 24 * 1 hour / 8\n",
    )
    .unwrap();
    let d = decide(&policy, &cancel_at("2026-11-29T09:30:00Z"));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(d.fact("doubled"), Some(&FactValue::Text("2 days".into())));
    assert_eq!(d.fact("per_day"), Some(&FactValue::Text("3 hours".into())));
}

#[test]
fn durations_are_negative_when_the_end_is_before_the_start_and_whole_units_floor() {
    let policy = with_extra(
        "fact hours_left for cancel = (cancellation.end - at) / 1 hour\n\
         fact whole_hours_left for cancel = whole hours in (cancellation.end - at)\n",
    )
    .unwrap();
    // 90 minutes past the window's end.
    let d = decide(&policy, &cancel_at("2026-11-30T11:00:00Z"));
    assert_eq!(d.fact("hours_left"), Some(&number("-1.5")));
    assert_eq!(
        d.fact("whole_hours_left"),
        Some(&number("-2")),
        "floor, not truncation"
    );
}

#[test]
fn a_fraction_of_an_hour_is_exact_to_28_significant_digits() {
    let policy = with_extra("fact thirds for cancel = 1 hour / 3 hours\n").unwrap();
    let d = decide(&policy, &cancel_at("2026-11-25T12:00:00Z"));
    assert_eq!(
        d.fact("thirds"),
        Some(&number("0.3333333333333333333333333333"))
    );
}

#[test]
fn dividing_by_a_zero_duration_is_a_named_evaluation_error() {
    let policy = with_extra(
        "fact per_hour for cancel = 1 hour / (order.purchased_at - order.purchased_at)\n",
    )
    .unwrap();
    let d = decide(&policy, &cancel_at("2026-11-25T12:00:00Z"));
    assert!(!d.is_allow());
    assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
    assert!(
        d.errors[0].to_string().contains("division by zero"),
        "{}",
        d.errors[0]
    );
}

#[test]
fn effective_dates_are_instants_and_dates() {
    // Issue 9: `at is after 2026-01-01T00:00:00Z` was read as arithmetic (`2026-01`).
    let policy = with_extra(
        "fact effective for cancel = at is after 2026-01-01T00:00:00Z\n\
         fact bought_early for cancel = order.purchased_at is before 2026-07-01\n\
         fact same_instant for cancel = 2026-01-01T09:00:00+09:00 = 2026-01-01\n\
         fact since_new_year for cancel = whole days in (at - 2026-01-01)\n",
    )
    .unwrap();
    let d = decide(&policy, &cancel_at("2026-11-25T12:00:00Z"));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(d.fact("effective"), Some(&FactValue::Bool(true)));
    assert_eq!(d.fact("bought_early"), Some(&FactValue::Bool(false)));
    assert_eq!(d.fact("same_instant"), Some(&FactValue::Bool(true)));
    assert_eq!(d.fact("since_new_year"), Some(&number("328")));
}

#[test]
fn a_rule_with_an_effective_date_allows_and_denies() {
    let policy = with_extra(
        "rule new-terms-from-2027\n  forbid cancel when at is not before 2027-01-01\n  because \"new terms\"\n",
    )
    .unwrap();
    assert!(decide(&policy, &cancel_at("2026-11-25T12:00:00Z")).is_allow());
    let d = decide(&policy, &cancel_at("2027-01-01T00:00:00Z"));
    assert!(!d.is_allow());
    assert!(
        d.reasons.iter().any(|r| r.rule == "new-terms-from-2027"),
        "{:?}",
        d.reasons
    );
}

#[test]
fn bad_dates_and_times_are_located_checker_errors() {
    for (literal, code) in [
        ("2026-02-30", "bad-time"),
        ("2026-13-01T00:00:00Z", "bad-time"),
        ("2026-01-01T12:00:60Z", "bad-time"),
        ("2026-01-01T24:00:00Z", "bad-time"),
        ("2026-01-01T12:00:00", "bad-time"),
        ("10000-01-01", "bad-time"),
        ("2026-01-01T12:00:00.1234567891Z", "bad-time"),
    ] {
        let text = format!("fact f for cancel = at is after {literal}\n");
        assert_eq!(codes(&text), [code], "{literal}");
    }
}

#[test]
fn numbers_a_decimal_cannot_hold_exactly_are_refused_with_the_reason() {
    // Issue 9: a 38-digit number was not refused with what is wrong. A literal with
    // more than 28 significant digits used to be rounded silently.
    let err =
        with_extra("fact f for cancel = 12345678901234567890123456789012345678\n").unwrap_err();
    assert!(err.contains("bad-number"), "{err}");
    assert!(err.contains("larger than the largest decimal"), "{err}");
    let err = with_extra("fact f for cancel = 1.00000000000000000000000000001\n").unwrap_err();
    assert!(err.contains("bad-number"), "{err}");
    assert!(err.contains("28 significant digits"), "{err}");
}

#[test]
fn whole_units_need_a_duration_and_durations_do_not_divide_numbers() {
    assert_eq!(
        codes("fact f for cancel = whole hours in 3\n"),
        ["type-mismatch"]
    );
    assert_eq!(codes("fact f for cancel = 3 / 1 hour\n"), ["type-mismatch"]);
    assert_eq!(codes("fact f for cancel = 1 hour + 3\n"), ["type-mismatch"]);
}

#[test]
fn fmt_writes_the_canonical_form_of_each_literal_and_is_idempotent() {
    let written = "fact a for cancel = at is after 2026-01-01t09:00:00+09:00\n\
                   fact b for cancel = order.purchased_at is before 2026-07-01\n\
                   fact c for cancel = whole   hour in(cancellation.end-at)\n\
                   fact d for cancel = (whole days in (at - 2026-01-01)) * 2\n\
                   fact e for cancel = -(whole minutes in (at - at))\n\
                   fact f for cancel = (cancellation.end - at) / 1 hour * 24\n";
    let formatted = csp_policy::fmt::format_source(written).unwrap();
    assert_eq!(
        formatted,
        "fact a for cancel = at is after 2026-01-01T09:00:00+09:00\n\
         fact b for cancel = order.purchased_at is before 2026-07-01\n\
         fact c for cancel = whole hours in (cancellation.end - at)\n\
         fact d for cancel = whole days in (at - 2026-01-01) * 2\n\
         fact e for cancel = -whole minutes in (at - at)\n\
         fact f for cancel = (cancellation.end - at) / 1 hour * 24\n"
    );
    assert_eq!(
        csp_policy::fmt::format_source(&formatted).unwrap(),
        formatted
    );
}

/// The suite `tests/literals/hourly-refund.yaml` passes on the default policy plus
/// `tests/literals/hourly-refund.policy` (allow and deny cases of each construct), and
/// that policy is formatted.
#[test]
fn the_hourly_refund_suite_passes_and_its_policy_is_formatted() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_csp-policy"))
            .args(args)
            .current_dir(root)
            .output()
            .unwrap()
    };
    let out = run(&[
        "test",
        "--policy",
        "policies/csp-software",
        "--policy",
        "tests/literals/hourly-refund.policy",
        "tests/literals/hourly-refund.yaml",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("5 passed, 0 failed"), "{stdout}");
    let out = run(&["fmt", "--check", "tests/literals/hourly-refund.policy"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
