//! Hand-written requests, allow and deny for each action, through both peers (and
//! through `csp-policy`, which must give the same answers).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::{CedarPeer, RegoPeer};

const AT: &str = "2026-11-25T12:00:00Z";
const TENANT: &str = "3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f";

fn now() -> DateTime<Utc> {
    crate::time::parse(AT).expect("valid time")
}

fn partner(roles: &[&str]) -> Value {
    json!({ "id": "ops@partner.example", "kind": "partner", "roles": roles, "tenant_id": null })
}

fn customer_actor(role: &str, tenant: &str) -> Value {
    json!({ "id": "it@contoso.example", "kind": "customer", "roles": [role], "tenant_id": tenant })
}

/// The request of the contract's example (docs/decision.md), for `action`, by a partner admin agent.
fn base(action: &str) -> Value {
    json!({
        "action": action,
        "at": AT,
        "actor": partner(&["admin_agent"]),
        "customer": { "name": "Contoso", "tenant_id": TENANT,
                      "domain": "contoso.onmicrosoft.com", "market": "KR" },
        "product": { "name": "Windows Server 2022 Datacenter", "category": "server_subscription",
                     "publisher": "microsoft", "edition": "datacenter" },
        "order": { "id": "ORD-1001", "purchased_at": "2026-10-01T09:30:00Z", "status": "active",
                   "price": "1200.00", "currency": "USD", "term_end": "2027-10-01T09:30:00Z" },
        "link": { "issued_at": "2026-11-20T00:00:00Z", "downloads": 12 },
        "license": { "software_assurance": true },
        "range": { "from": "2026-11-01T00:00:00Z", "to": "2026-11-25T00:00:00Z" }
    })
}

/// `doc` with the field at JSON pointer `path` set to `value` (`Value::Null` removes it).
fn with(mut doc: Value, path: &str, value: Value) -> Value {
    let (parent, key) = path.rsplit_once('/').expect("a pointer");
    let obj = doc
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent object");
    if value.is_null() {
        obj.remove(key);
    } else {
        obj.insert(key.into(), value);
    }
    doc
}

/// `(name, request, allowed?)`, by action.
#[rustfmt::skip]
fn cases() -> Vec<(&'static str, Value, bool)> {
    let purchase = || base("purchase");
    let reservation = || with(purchase(), "/product/category", json!("azure_reservation"));
    let keys = || base("get_keys");
    let download = || base("download");
    let cancel = || base("cancel");
    let log = || with(base("view_activity_log"), "/actor/roles", json!(["account_admin"]));
    let hybrid = || base("apply_hybrid_benefit");
    let plan = |publisher: &str| with(with(cancel(), "/product/category", json!("software_plan")), "/product/publisher", json!(publisher));
    let own = customer_actor("global_admin", &TENANT.to_uppercase());
    let other = customer_actor("billing_admin", "00000000-0000-4000-8000-000000000000");
    vec![
        ("purchase by admin agent", reservation(), true),
        ("purchase by global admin", with(reservation(), "/actor/roles", json!(["global_admin"])), true),
        ("purchase by sales agent", with(reservation(), "/actor/roles", json!(["sales_agent"])), false),
        ("purchase by a customer", with(reservation(), "/actor", own.clone()), false),
        ("reservation in cn", with(reservation(), "/customer/market", json!("cn")), false),
        ("reservation in XK", with(reservation(), "/customer/market", json!("XK")), false),
        ("server subscription in CN", with(purchase(), "/customer/market", json!("CN")), true),
        ("reservation by display name", with(reservation(), "/customer/market", json!("Svalbard")), false),
        ("purchase in Brazil by name", with(reservation(), "/customer/market", json!("Brazil")), true),
        // Display names in any language the policy writes, compared by text key.
        ("reservation by Korean name", with(reservation(), "/customer/market", json!("중국")), false),
        ("reservation by decomposed Korean name", with(reservation(), "/customer/market", json!("\u{110C}\u{116E}\u{11BC}\u{1100}\u{116E}\u{11A8}")), false),
        ("reservation by name in another case", with(reservation(), "/customer/market", json!("CHINA")), false),
        ("reservation by own spelling", with(reservation(), "/customer/market", json!("영국령 버전 아일랜드")), false),
        ("purchase in Australia by Korean name", with(reservation(), "/customer/market", json!("오스트레일리아")), true),
        ("unknown Korean name", with(purchase(), "/customer/market", json!("중화인민공화국")), false),
        ("unknown market", with(purchase(), "/customer/market", json!("ZZ")), false),
        ("purchase without market", with(purchase(), "/customer/market", Value::Null), false),
        ("purchase with empty category", with(purchase(), "/product/category", json!("")), false),
        ("downloads wrong type on purchase", with(purchase(), "/link/downloads", json!("many")), false),
        ("partner with a customer role", with(purchase(), "/actor/roles", json!(["admin_agent", "user"])), false),
        ("unknown role", with(purchase(), "/actor/roles", json!(["superuser"])), false),
        ("roles not a list", with(purchase(), "/actor/roles", json!("admin_agent")), false),
        ("bad tenant id", with(purchase(), "/customer/tenant_id", json!("not-a-guid")), false),
        ("unknown fields ignored", with(purchase(), "/note", json!("hello")), true),
        ("no at: now is used", with(purchase(), "/at", Value::Null), true),
        ("unknown action", with(purchase(), "/action", json!("refund")), false),
        ("get_keys by admin agent", keys(), true),
        ("get_keys of a perpetual product", with(keys(), "/product/category", json!("perpetual_software")), true),
        ("get_keys by partner global admin", with(keys(), "/actor/roles", json!(["global_admin"])), false),
        ("get_keys by own customer admin", with(keys(), "/actor", own.clone()), true),
        ("get_keys by customer user", with(keys(), "/actor", customer_actor("user", TENANT)), false),
        ("get_keys by other tenant", with(keys(), "/actor", other), false),
        ("get_keys of canceled order", with(keys(), "/order/status", json!("canceled")), false),
        ("get_keys with pending status", with(keys(), "/order/status", json!("pending")), false),
        ("get_keys before purchase", with(keys(), "/order/purchased_at", json!("2026-12-01T00:00:00Z")), false),
        ("download", download(), true),
        ("download 49 made", with(download(), "/link/downloads", json!(49)), true),
        ("download 50 made", with(download(), "/link/downloads", json!(50)), false),
        ("download negative count", with(download(), "/link/downloads", json!(-1)), false),
        ("download link 14 days old", with(download(), "/link/issued_at", json!("2026-11-11T12:00:00Z")), false),
        ("download link 1s younger", with(download(), "/link/issued_at", json!("2026-11-11T12:00:01Z")), true),
        ("download link issued later", with(download(), "/link/issued_at", json!("2026-11-26T00:00:00Z")), false),
        ("download without link count", with(download(), "/link/downloads", Value::Null), false),
        ("activity log by account admin", log(), true),
        ("activity log by admin agent", with(log(), "/actor/roles", json!(["admin_agent"])), false),
        ("activity log reversed range", with(log(), "/range/from", json!("2026-11-26T00:00:00Z")), false),
        ("activity log bad time", with(log(), "/range/to", json!("yesterday")), false),
        ("cancel (the contract's example)", cancel(), true),
        ("cancel at exactly 60 days", with(cancel(), "/order/purchased_at", json!("2026-09-26T12:00:00Z")), true),
        ("cancel 1s past 60 days", with(cancel(), "/order/purchased_at", json!("2026-09-26T11:59:59Z")), false),
        ("cancel by global admin", with(cancel(), "/actor/roles", json!(["global_admin"])), false),
        ("cancel a SUSE plan", plan("SUSE"), false),
        ("cancel a RedHat plan", plan("redhat"), false),
        ("cancel an Ubuntu plan", plan("canonical"), true),
        // docs/request.md "Comparing text": the publisher is compared by its text key.
        ("cancel a \"SUSE \" plan", plan("SUSE "), false),
        ("cancel a full-width SUSE plan", plan("ＳＵＳＥ"), false),
        ("cancel a SUSE plan with a zero-width space", plan("SU\u{200B}SE"), false),
        ("cancel a \"Red Hat\" plan", plan("Red Hat"), false),
        ("cancel a \"RED  HAT\" plan", plan("RED  HAT"), false),
        ("cancel a \"Canonical \" plan", plan("Canonical "), true),
        ("cancel a plan with a blank publisher", plan(" \u{200B}\u{FEFF} "), false),
        ("cancel named by a blank name only", with(with(with(cancel(), "/customer/name", json!(" \u{00A0}")), "/customer/tenant_id", Value::Null), "/customer/domain", Value::Null), false),
        ("cancel without order id", with(cancel(), "/order/id", Value::Null), false),
        ("cancel named by domain only", with(with(cancel(), "/customer/name", Value::Null), "/customer/tenant_id", Value::Null), true),
        ("cancel without customer identity", with(with(with(cancel(), "/customer/name", Value::Null), "/customer/tenant_id", Value::Null), "/customer/domain", json!("")), false),
        ("cancel prorated without term end", with(cancel(), "/order/term_end", Value::Null), false),
        ("cancel perpetual without term end", with(with(cancel(), "/order/term_end", Value::Null), "/product/category", json!("perpetual_software")), true),
        ("cancel with a term under a day", with(cancel(), "/order/term_end", json!("2026-10-02T09:29:59Z")), false),
        ("cancel with a one-day term", with(cancel(), "/order/term_end", json!("2026-10-02T09:30:00Z")), true),
        ("cancel a canceled order", with(cancel(), "/order/status", json!("canceled")), false),
        ("cancel with numeric price", with(cancel(), "/order/price", json!(1200)), true),
        ("cancel with exponent price", with(cancel(), "/order/price", json!("1e3")), false),
        ("cancel with negative price", with(cancel(), "/order/price", json!("-5.00")), false),
        ("exchange is never permitted", base("exchange"), false),
        ("exchange of a SUSE plan", with(plan("suse"), "/action", json!("exchange")), false),
        ("exchange of a \"Red\u{A0}Hat\" plan", with(plan("Red\u{A0}Hat"), "/action", json!("exchange")), false),
        ("hybrid benefit", hybrid(), true),
        ("hybrid benefit, standard, any case", with(hybrid(), "/product/edition", json!("Standard")), true),
        ("hybrid benefit on a canceled order", with(hybrid(), "/order/status", json!("canceled")), true),
        ("hybrid benefit, name and edition by text key", with(with(hybrid(), "/product/name", json!("Ｗｉｎｄｏｗｓ\u{A0} SERVER 2022")), "/product/edition", json!(" Data\u{200B}center ")), true),
        ("hybrid benefit, a blank edition", with(hybrid(), "/product/edition", json!("\u{3000}")), false),
        ("hybrid benefit without SA", with(hybrid(), "/license/software_assurance", json!(false)), false),
        ("hybrid benefit SA not a bool", with(hybrid(), "/license/software_assurance", json!("yes")), false),
        ("hybrid benefit for SQL Server", with(hybrid(), "/product/name", json!("SQL Server 2022 Standard")), false),
        ("hybrid benefit by sales agent", with(hybrid(), "/actor/roles", json!(["sales_agent"])), false),
    ]
}

#[test]
fn hand_written_requests() {
    let (cedar, rego) = (
        CedarPeer::new(now()).unwrap(),
        RegoPeer::new(now()).unwrap(),
    );
    let ours = csp_policy::Policy::embedded().unwrap();
    let mut failures = Vec::new();
    for (name, doc, expected) in cases() {
        let line = doc.to_string();
        let (c, r) = (cedar.decide_json(&line), rego.decide_json(&line));
        let o = ours.decide_json(&line, now()).is_allow();
        if c != expected || r != expected || o != expected {
            failures.push(format!(
                "{name}: expected {expected}, cedar {c}, rego {r}, csp-policy {o} [{}]",
                rego.explain(&line)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn text_fields_are_the_schemas_free_text() {
    let ours = csp_policy::Policy::embedded().unwrap();
    let mut schema: Vec<String> = csp_policy::internals::compiled(&ours)
        .schema
        .fields
        .iter()
        .filter(|f| f.kind == csp_policy::internals::FieldKind::Text)
        .map(|f| f.path.clone())
        .collect();
    let listed = |fields: &mut dyn Iterator<Item = (&str, &str)>| {
        let mut out: Vec<String> = fields.map(|(s, f)| format!("{s}.{f}")).collect();
        out.sort();
        out
    };
    schema.sort();
    assert_eq!(listed(&mut crate::TEXT_FIELDS.into_iter()), schema);
    // Cedar maps each of them as text, except the actor's id (the principal's entity id).
    let mut cedar = listed(&mut crate::cedar::text_fields());
    cedar.push("actor.id".into());
    cedar.sort();
    assert_eq!(cedar, schema);
}

#[test]
fn broken_json_is_denied() {
    let (cedar, rego) = (
        CedarPeer::new(now()).unwrap(),
        RegoPeer::new(now()).unwrap(),
    );
    for line in ["", "not json", "[]", "42", "{\"action\": \"purchase\""] {
        assert!(
            !cedar.decide_json(line) && !rego.decide_json(line),
            "{line}"
        );
    }
}

#[test]
fn cedar_policy_validates_against_schema() {
    use cedar_policy::{ValidationMode, Validator};
    let cedar = CedarPeer::new(now()).unwrap();
    let result =
        Validator::new(cedar.schema().clone()).validate(cedar.policies(), ValidationMode::Strict);
    let errors: Vec<String> = result.validation_errors().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn peers_agree_on_a_corpus_sample() {
    let (cedar, rego) = (
        CedarPeer::new(now()).unwrap(),
        RegoPeer::new(now()).unwrap(),
    );
    let mut allowed = 0;
    for line in csp_corpus::generate(11, 3_000) {
        let (c, r) = (cedar.decide_json(&line), rego.decide_json(&line));
        assert_eq!(c, r, "{line}\n{}", rego.explain(&line));
        allowed += usize::from(c);
    }
    assert!(
        (1_650..=2_250).contains(&allowed),
        "allowed {allowed} of 3000"
    );
}
