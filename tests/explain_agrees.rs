//! The fast path agrees with the slow one. Deciding a request without `--explain` tests
//! conditions on the evaluator's fast path (`holds`, which decides the common tests
//! without building values); with `--explain` every test goes through the slow path
//! (`eval`, which records each test's operands). Whatever the policy and the request,
//! both must give the same decision: allow or deny, the deciding rules and their
//! messages, the errors, the facts; only the explanation differs. The explanation itself
//! agrees with the policy and the decision (`explanation_agrees`): its rules exist,
//! those that applied are the decision's reasons, and its JSON and YAML read back alike.
//!
//! Policies: the default policy, and the default policy with one more file generated
//! from a small grammar (`explain_agrees/policies.rs`): windows, links, a market list
//! and lets, then rules, facts and requirements, or probes (`reject` rules whose
//! errors show whether each condition held); expressions are built by type over the
//! default policy's fields: comparisons, `and`/`or`/`not`, market-list membership,
//! windows, links, text tests with odd spellings, arithmetic that can divide by zero
//! or overflow. Only the files `check` accepts are used
//! (`generated_policies_are_mostly_accepted` keeps the generator honest).
//!
//! Requests (`explain_agrees/requests.rs`): a request of the corpus generator
//! (`csp-corpus`), every field at random, or an empty one, then random edits: a field
//! set to a well-formed value (times on the edges of the policy's windows, counts on
//! the link's limit, money with many decimals, text in odd spellings) or a malformed
//! one (wrong types, unknown words, null, empty, YAML-only spellings), whole objects
//! replaced, fields removed. Each is written as JSON or as YAML.
//!
//! Only the public library API is used (`Policy`, `Options`, `Decision`), so that
//! the evaluator's insides may move freely. `PROPTEST_CASES` scales the case counts
//! (default: 1,024 requests for the default policy, 64 generated policies of 32
//! requests each).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

#[path = "explain_agrees/policies.rs"]
mod policies;
#[path = "explain_agrees/requests.rs"]
mod requests;

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use csp_policy::decision::Outcome;
use csp_policy::source::SourceFile;
use csp_policy::stream::{Format, RawRecord};
use csp_policy::syntax::ast::Effect;
use csp_policy::Severity;
use csp_policy::{load, Decision, Options, Policy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

use policies::{generated_file, policy_seeds, Body};
use requests::{request, Request};

// ---- deciding both ways --------------------------------------------------------------

/// `--now` of every decision here (the request corpus's).
fn now() -> DateTime<Utc> {
    csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap()
}

/// Decides one document, explained or not.
fn decide(policy: &Policy, text: &str, format: Format, explain: bool) -> Decision {
    let options = Options {
        explain,
        ..Options::at(now())
    };
    let raw = RawRecord {
        text: text.to_string(),
        line: 1,
        format,
        oversized: None,
        not_utf8: false,
    };
    policy.decide_raw(&raw, &options)
}

/// Decides `text` with and without the explanation and says how they differ, if they do,
/// or how the explanation disagrees with the decision ([`explanation_agrees`]).
/// Returns the explained decision.
fn both_ways(policy: &Policy, text: &str, format: Format) -> Result<Decision, String> {
    let fast = decide(policy, text, format, false);
    let explained = decide(policy, text, format, true);
    if let Some(entries) = &fast.explanation {
        return Err(format!("an explanation without --explain: {entries:?}"));
    }
    let mut slow = explained.clone();
    slow.explanation = None;
    if fast != slow {
        return Err(format!(
            "the decisions differ for the {format:?} request\n{text}\n\
             without --explain: {fast:#?}\nwith --explain: {slow:#?}\nexplanation:\n{}",
            explanation_text(&explained)
        ));
    }
    explanation_agrees(policy, &explained)
        .map_err(|e| format!("{e} for the {format:?} request\n{text}\n{explained:#?}"))?;
    Ok(explained)
}

/// The explanation as the text rendering shows it.
fn explanation_text(decision: &Decision) -> String {
    let mut text = String::new();
    decision.write_text(&mut text);
    text
}

/// The structured explanation agrees with the policy and the decision: every entry is a
/// rule of the policy with its effect, considered once; the rules that applied are the
/// decision's reasons (the permits on allow, the forbids on a deny that has any), every
/// reject that applied is an error with its id, every rule that could not be computed
/// an `evaluation-error` naming it; and the JSON and YAML renderings read back as the
/// same entries.
fn explanation_agrees(policy: &Policy, decision: &Decision) -> Result<(), String> {
    let Some(entries) = &decision.explanation else {
        return Ok(());
    };
    let rules = &csp_policy::internals::compiled(policy).rules;
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        let Some(rule) = rules.iter().find(|r| r.id == entry.rule) else {
            return Err(format!("the explanation names no rule: {}", entry.rule));
        };
        if rule.effect != entry.effect {
            return Err(format!(
                "{}: effect {} explained as {}",
                entry.rule, rule.effect, entry.effect
            ));
        }
        if !seen.insert(entry.rule.as_str()) {
            return Err(format!("{} is explained twice", entry.rule));
        }
        if (entry.outcome == Outcome::Error) != entry.error.is_some() {
            return Err(format!(
                "{}: outcome {:?} with error {:?}",
                entry.rule, entry.outcome, entry.error
            ));
        }
        if entry.outcome == Outcome::AudienceNotMatched && !entry.tests.is_empty() {
            return Err(format!(
                "{}: tests of a rule whose audience did not match",
                entry.rule
            ));
        }
        for test in &entry.tests {
            if test.text.is_empty() || test.operands.iter().any(|o| o.text.is_empty()) {
                return Err(format!(
                    "{}: a test without its source text: {test:?}",
                    entry.rule
                ));
            }
        }
    }
    let applied = |effect: Effect| -> Vec<&str> {
        entries
            .iter()
            .filter(|e| e.effect == effect && e.outcome == Outcome::Applied)
            .map(|e| e.rule.as_str())
            .collect()
    };
    let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.rule.as_str()).collect();
    let (permits, forbids) = (applied(Effect::Permit), applied(Effect::Forbid));
    if decision.is_allow() && reasons != permits {
        return Err(format!(
            "allowed by {reasons:?}, but the permits that applied are {permits:?}"
        ));
    }
    if !decision.is_allow() && !forbids.is_empty() && reasons != forbids {
        return Err(format!(
            "denied by {reasons:?}, but the forbids that applied are {forbids:?}"
        ));
    }
    let codes: Vec<&str> = decision.errors.iter().map(|e| e.code()).collect();
    for reject in applied(Effect::Reject) {
        if !codes.contains(&reject) {
            return Err(format!(
                "the reject {reject} applied but is not an error: {codes:?}"
            ));
        }
    }
    let messages: Vec<String> = decision.errors.iter().map(|e| e.to_string()).collect();
    for entry in entries.iter().filter(|e| e.outcome == Outcome::Error) {
        let error = entry
            .error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default();
        // A dated rule's errors name its version, as its entry does.
        let name = match &entry.in_force {
            Some(version) => format!("{} (in force {version})", entry.rule),
            None => entry.rule.clone(),
        };
        let expected = format!("rule {name}: {error}");
        if !messages.contains(&expected) {
            return Err(format!("{expected} is not among the errors {messages:?}"));
        }
    }
    rendered_alike(decision, entries)
}

/// The JSON and YAML renderings of the explanation read back as the same data, one
/// object per entry with its rule, effect, outcome and tests.
fn rendered_alike(
    decision: &Decision,
    entries: &[csp_policy::decision::ExplainEntry],
) -> Result<(), String> {
    let json: serde_json::Value =
        serde_json::from_str(&decision.to_json()).map_err(|e| format!("JSON: {e}"))?;
    let mut yaml = String::new();
    decision.write_yaml(&mut yaml);
    let yaml: serde_json::Value =
        serde_saphyr::from_str(&yaml).map_err(|e| format!("YAML: {e}\n{yaml}"))?;
    let (from_json, from_yaml) = (&json["explanation"], &yaml["explanation"]);
    if from_json != from_yaml {
        return Err(format!("JSON {from_json:#} and YAML {from_yaml:#} differ"));
    }
    let listed = from_json.as_array().map_or(0, Vec::len);
    if listed != entries.len() {
        return Err(format!("{listed} entries written for {}", entries.len()));
    }
    for (written, entry) in from_json.as_array().into_iter().flatten().zip(entries) {
        let tests = written["tests"].as_array().map_or(0, Vec::len);
        if written["rule"] != entry.rule.as_str()
            || written["effect"] != entry.effect.as_str()
            || written["outcome"] != entry.outcome.as_str()
            || tests != entry.tests.len()
        {
            return Err(format!("{written:#} written for {entry:?}"));
        }
        for (test, traced) in written["tests"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(&entry.tests)
        {
            let operands = test["operands"].as_array().map_or(0, Vec::len);
            if test["text"] != traced.text.as_str()
                || test["holds"] != traced.holds
                || operands != traced.operands.len()
            {
                return Err(format!("{test:#} written for {traced:?}"));
            }
            for (operand, value) in test["operands"]
                .as_array()
                .into_iter()
                .flatten()
                .zip(&traced.operands)
            {
                if operand["type"] != value.value.type_name()
                    || (operand["value"].is_null() == value.value.is_present())
                {
                    return Err(format!("{operand:#} written for {value:?}"));
                }
            }
        }
    }
    Ok(())
}

/// [`both_ways`] for a property test; `context` names the policy.
fn agree(policy: &Policy, request: &Request, context: &str) -> Result<(), TestCaseError> {
    let (text, format) = request.text();
    both_ways(policy, &text, format)
        .map(drop)
        .map_err(|e| TestCaseError::fail(format!("{e}\npolicy:\n{context}")))
}

/// The embedded default policy, loaded once.
fn default_policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| match Policy::embedded() {
        Ok(p) => p,
        Err(e) => panic!("{}", e.render()),
    })
}

/// The default policy with `extra` as one more file, when `check` accepts it (warnings
/// are fine); otherwise the rendered diagnostics.
fn with_extra(extra: &str) -> Result<Policy, String> {
    let mut sources = load::embedded_sources();
    sources.add(SourceFile::new("generated.policy", extra.to_string()));
    let loaded = load::compile(sources);
    match loaded.policy {
        Some(policy) => Ok(policy),
        None => Err(loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.render(&loaded.sources))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// Proptest's configuration: the case count `PROPTEST_CASES` gives (or the default,
/// 256) scaled by `times / per`, and room for the rare generated policy `check` refuses.
fn config(times: u32, per: u32) -> Config {
    let base = Config::default();
    let cases = (base.cases.saturating_mul(times) / per).max(1);
    Config {
        cases,
        max_global_rejects: cases.max(1024),
        ..base
    }
}

// ---- the properties ---------------------------------------------------------------------

proptest! {
    #![proptest_config(config(4, 1))]

    /// The default policy decides every request the same with and without `--explain`.
    #[test]
    fn default_policy_decides_alike_with_and_without_explain(request in request()) {
        agree(default_policy(), &request, "(the default policy)")?;
    }
}

proptest! {
    #![proptest_config(config(1, 4))]

    /// Generated policies decide every request the same with and without `--explain`.
    /// A policy holds generated rules, facts and requirements, or probes: `reject`
    /// rules whose errors show on every request whether each generated condition held.
    /// (Checking a policy takes a while: many requests per policy.)
    #[test]
    fn generated_policies_decide_alike_with_and_without_explain(
        body in prop_oneof![Just(Body::Declarations), Just(Body::Probes)],
        (prelude, seeds) in policy_seeds(1..16),
        requests in proptest::collection::vec(request(), 32),
    ) {
        let extra = generated_file(body, prelude, &seeds);
        let policy = with_extra(&extra);
        prop_assume!(policy.is_ok());
        let policy = policy.map_err(TestCaseError::fail)?;
        for request in &requests {
            agree(&policy, request, &extra)?;
        }
    }
}

/// The generator writes policies `check` accepts, so that the property above is about
/// generated policies and not about the few that happen to check.
#[test]
fn generated_policies_are_mostly_accepted() {
    let total = 40u64;
    let mut refused = Vec::new();
    for seed in 0..total {
        let declarations: Vec<u64> = (1..=6).map(|i| seed * 1_000 + i).collect();
        let body = if seed % 2 == 0 {
            Body::Declarations
        } else {
            Body::Probes
        };
        let extra = generated_file(body, seed, &declarations);
        if let Err(diagnostics) = with_extra(&extra) {
            refused.push(format!("{extra}\n{diagnostics}"));
        }
    }
    assert!(
        refused.len() * 20 <= total as usize + 1,
        "{} of {total} generated policies were refused; the first:\n{}",
        refused.len(),
        refused.first().map_or("", String::as_str)
    );
}

/// Every request of the snapshot corpus and every example agrees both ways, and the
/// explanation is really there (the slow path ran).
#[test]
fn the_request_corpus_and_the_examples_decide_alike() {
    let mut explained = 0;
    let mut count = 0;
    for (path, text, format) in common::request_files() {
        let decision = both_ways(default_policy(), &text, format)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        count += 1;
        if decision.explanation.as_ref().is_some_and(|e| !e.is_empty()) {
            explained += 1;
        }
    }
    assert!(count >= 200, "{count} requests");
    assert!(explained * 2 > count, "{explained} of {count} explained");
}

/// The corpus generator's traffic (with its malformed records) agrees both ways.
#[test]
fn generated_traffic_decides_alike() {
    for line in csp_corpus::generate(20_261_125, 3_000) {
        both_ways(default_policy(), &line, Format::Json).unwrap_or_else(|e| panic!("{e}"));
    }
}
