//! `csp-policy matrix`: the default policy's matrix cell by cell against the rules of
//! the design (R1–R16), every cell's example requests under `eval`, random requests
//! against every cell (an `allow` cell never denies a valid request of its row, a
//! `deny` cell never allows one, and a conditional cell's words, read back by a small
//! reader below, hold exactly when `eval` allows), the text and Markdown renderings
//! pinned as snapshots, the JSON shape, the HTML page self-contained, and every exit
//! code.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta, Utc};
use csp_corpus::ACTIONS;
use csp_policy::matrix::{self, render, Cell, Matrix, Verdict};
use csp_policy::Policy;
use serde_json::{json, Map, Value};

fn now() -> DateTime<Utc> {
    csp_policy::parse_time(common::NOW).unwrap()
}

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| Policy::embedded().unwrap())
}

fn default_matrix() -> &'static Matrix {
    static M: OnceLock<Matrix> = OnceLock::new();
    M.get_or_init(|| matrix::matrix(policy(), now()))
}

/// The design's answer for each row, action by action (A allow, D deny, C conditional):
/// R1/R2 purchase by partner admin agents and global admins unless an Azure reservation
/// in an unavailable market, never by a customer; R4/R5/R6/R14 keys and downloads by a
/// partner admin agent or a customer's own admins for server subscriptions, while the
/// order is active (and the link fresh); R8 the activity log by four partner roles;
/// R9/R10/R11 cancel by a partner admin agent within 60 days, never SUSE/RedHat plans;
/// no rule permits exchange; R16 the hybrid benefit by partner admin agents and global
/// admins for Windows Server with Software Assurance. A partner role without a permit
/// of its own is allowed only together with a role that has one (C); an actor with no
/// role is denied everything.
const EXPECTED: [(&str, Option<&str>, &str); 13] = [
    ("partner", Some("admin_agent"), "CCCCCDC"),
    ("partner", Some("sales_agent"), "CCCCCDC"),
    ("partner", Some("helpdesk_agent"), "CCCCCDC"),
    ("partner", Some("global_admin"), "CCCACDC"),
    ("partner", Some("account_admin"), "CCCACDC"),
    ("partner", Some("billing_admin"), "CCCCCDC"),
    ("partner", Some("referral_admin"), "CCCACDC"),
    ("partner", Some("marketing_content_admin"), "CCCACDC"),
    ("partner", None, "DDDDDDD"),
    ("customer", Some("global_admin"), "DCCDDDD"),
    ("customer", Some("billing_admin"), "DCCDDDD"),
    ("customer", Some("user"), "DCCDDDD"),
    ("customer", None, "DDDDDDD"),
];

fn cell(side: &str, role: Option<&str>, action: &str) -> &'static Cell {
    default_matrix()
        .find(side, role, action)
        .unwrap_or_else(|| panic!("no cell {side} {role:?} {action}"))
}

fn said(c: &Cell) -> String {
    format!(
        "{} {}",
        if c.unless { "unless" } else { "when" },
        c.conditions.join(" | ")
    )
}

#[test]
fn every_cell_of_the_default_policy_follows_the_design() {
    let m = default_matrix();
    assert!(m.complete, "incomplete: {:?}", m.incomplete);
    assert_eq!(m.rows.len(), EXPECTED.len());
    assert_eq!(
        m.actions
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ACTIONS
    );
    for (side, role, verdicts) in EXPECTED {
        for (action, v) in ACTIONS.iter().zip(verdicts.chars()) {
            let c = cell(side, role, action);
            let expected = match v {
                'A' => Verdict::Allow,
                'D' => Verdict::Deny,
                _ => Verdict::Conditional,
            };
            assert_eq!(c.verdict, expected, "{side} {role:?} {action}: {}", said(c));
            assert!(c.exact, "{side} {role:?} {action}");
        }
    }
}

#[test]
fn conditions_say_the_rules_of_the_design() {
    let expect = |side: &str, role: Option<&str>, action: &str, unless: bool, text: &[&str]| {
        let c = cell(side, role, action);
        assert_eq!(c.unless, unless, "{side} {role:?} {action}: {}", said(c));
        assert_eq!(c.conditions, text, "{side} {role:?} {action}");
    };
    // R1, R2.
    for role in ["admin_agent", "global_admin"] {
        expect(
            "partner",
            Some(role),
            "purchase",
            true,
            &["customer.market in azure_reservations_unavailable and product.category is azure_reservation"],
        );
    }
    // R4, R14.
    expect(
        "partner",
        Some("admin_agent"),
        "get_keys",
        false,
        &["order.status is not canceled"],
    );
    // R6: two weeks or 50 downloads.
    expect(
        "partner",
        Some("admin_agent"),
        "download",
        false,
        &["at is before link.issued_at + 14 days and order.status is not canceled and link.downloads < 50"],
    );
    // R5: a customer's own admins, server subscriptions of their own tenant; a customer
    // user only together with one of those roles.
    expect(
        "customer",
        Some("global_admin"),
        "get_keys",
        false,
        &["actor.tenant_id is customer.tenant_id and product.category is server_subscription and order.status is not canceled"],
    );
    expect(
        "customer",
        Some("user"),
        "get_keys",
        false,
        &["together with global_admin or billing_admin and actor.tenant_id is customer.tenant_id and product.category is server_subscription and order.status is not canceled"],
    );
    // R8: a multi-role actor: the role alone is not enough.
    expect(
        "partner",
        Some("admin_agent"),
        "view_activity_log",
        false,
        &["together with global_admin, account_admin, referral_admin or marketing_content_admin"],
    );
    // R9, R10, R11, R14.
    expect(
        "partner",
        Some("admin_agent"),
        "cancel",
        false,
        &[
            "at is not after order.purchased_at + 60 days and order.status is not canceled and product.category is not software_plan",
            "at is not after order.purchased_at + 60 days and product.publisher is none of \"suse\", \"redhat\", \"red hat\" and order.status is not canceled",
        ],
    );
    // R16.
    expect(
        "partner",
        Some("global_admin"),
        "apply_hybrid_benefit",
        false,
        &["product.name contains \"windows server\" and product.edition is one of \"datacenter\", \"standard\" and license.software_assurance is yes"],
    );
    // Rules named with where they are written.
    let c = cell("customer", Some("billing_admin"), "purchase");
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].rule, "customers-cannot-purchase");
    assert_eq!(c.rules[0].at.as_deref(), Some("04-purchase.policy:9"));
    let c = cell("partner", Some("admin_agent"), "cancel");
    let names: Vec<&str> = c.rules.iter().map(|r| r.rule.as_str()).collect();
    for r in [
        "cancel-within-window",
        "cancel-window-ended",
        "canceled-order-revoked",
        "suse-redhat-plans-are-final",
    ] {
        assert!(names.contains(&r), "{names:?}");
    }
}

#[test]
fn every_example_request_is_decided_as_its_cell_says() {
    let m = default_matrix();
    let mut checked = 0;
    for c in &m.cells {
        for (example, allow) in [(&c.allowed_example, true), (&c.denied_example, false)] {
            let Some(request) = example else { continue };
            let d = policy().decide_json(request, now());
            assert_eq!(d.allow, allow, "{request}: {:?}", d.reasons);
            assert!(d.errors.is_empty(), "{request}: {:?}", d.errors);
            checked += 1;
        }
        match c.verdict {
            Verdict::Allow => assert!(c.allowed_example.is_some() && c.denied_example.is_none()),
            Verdict::Deny => assert!(c.allowed_example.is_none()),
            Verdict::Conditional => {
                assert!(c.allowed_example.is_some() && c.denied_example.is_some())
            }
        }
    }
    assert!(checked > 60, "{checked}");
}

/// A tiny deterministic generator (xorshift), so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn time(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn days(d: i64) -> TimeDelta {
    TimeDelta::days(d)
}

const T1: &str = "3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f";
const T2: &str = "3F1C2B7E-8A9D-4C3B-9E2F-000000000000";

/// A random request over values on the edges of the default policy's rules.
fn request(rng: &mut Rng) -> Value {
    let now = now();
    let mut r = Map::new();
    let put = |r: &mut Map<String, Value>, path: &str, v: Option<Value>| {
        let Some(v) = v else { return };
        let (head, tail) = path.split_once('.').unwrap();
        r.entry(head)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap()
            .insert(tail.to_string(), v);
    };
    r.insert("action".into(), json!(rng.pick(&ACTIONS)));
    r.insert("at".into(), time(now));
    let side = rng.pick(&["partner", "customer"]);
    let roles: &[&str] = if side == "partner" {
        &csp_corpus::data::PARTNER_ROLES
    } else {
        &csp_corpus::data::CUSTOMER_ROLES
    };
    let held: Vec<&str> = roles.iter().copied().filter(|_| rng.chance(30)).collect();
    put(&mut r, "actor.kind", Some(json!(side)));
    put(&mut r, "actor.roles", Some(json!(held)));
    let some = |rng: &mut Rng, percent: u64, v: Value| rng.chance(percent).then_some(v);
    let tenant = rng.pick(&[T1, T2]);
    put(&mut r, "actor.tenant_id", some(rng, 80, json!(tenant)));
    let name = rng.pick(&["Contoso", "Fabrikam"]);
    put(&mut r, "customer.name", some(rng, 90, json!(name)));
    let tenant = rng.pick(&[T1, T2]);
    put(&mut r, "customer.tenant_id", some(rng, 80, json!(tenant)));
    let market = rng.pick(&["AX", "FR", "AU", "KR", "Aland Islands"]);
    put(&mut r, "customer.market", some(rng, 92, json!(market)));
    let product = rng.pick(&[
        "Windows Server 2022 Datacenter",
        "SQL Server 2022",
        "WINDOWS  SERVER",
    ]);
    put(&mut r, "product.name", some(rng, 92, json!(product)));
    let category = rng.pick(&[
        "azure_reservation",
        "server_subscription",
        "perpetual_software",
        "software_plan",
    ]);
    put(&mut r, "product.category", some(rng, 95, json!(category)));
    let publisher = rng.pick(&["SUSE", "Red Hat", "redhat", "Microsoft"]);
    put(&mut r, "product.publisher", some(rng, 80, json!(publisher)));
    let edition = rng.pick(&["Datacenter", "standard", "Enterprise"]);
    put(&mut r, "product.edition", some(rng, 85, json!(edition)));
    put(&mut r, "order.id", some(rng, 95, json!("ORD-1")));
    let status = rng.pick(&["active", "canceled"]);
    put(&mut r, "order.status", some(rng, 95, json!(status)));
    put(&mut r, "order.price", some(rng, 95, json!("1200.00")));
    let age = rng.pick(&[
        TimeDelta::zero(),
        days(30),
        days(60),
        days(60) + TimeDelta::seconds(1),
        days(61),
    ]);
    let purchased = now - age;
    put(&mut r, "order.purchased_at", some(rng, 92, time(purchased)));
    let term = rng.pick(&[days(365), days(30), TimeDelta::hours(12)]);
    put(
        &mut r,
        "order.term_end",
        some(rng, 90, time(purchased + term)),
    );
    let issued = rng.pick(&[
        TimeDelta::zero(),
        days(13),
        days(14) - TimeDelta::seconds(1),
        days(14),
        days(15),
    ]);
    put(&mut r, "link.issued_at", some(rng, 90, time(now - issued)));
    let downloads = rng.pick(&[0, 1, 49, 50, 51]);
    put(&mut r, "link.downloads", some(rng, 90, json!(downloads)));
    let sa = rng.pick(&[true, false]);
    put(
        &mut r,
        "license.software_assurance",
        some(rng, 80, json!(sa)),
    );
    put(&mut r, "range.from", some(rng, 92, time(now - days(10))));
    put(&mut r, "range.to", some(rng, 92, time(now)));
    Value::Object(r)
}

/// Reads one condition of the matrix back, as the words say, over a request.
fn holds(words: &str, r: &Value) -> bool {
    let mut literals: Vec<String> = Vec::new();
    for piece in words.split(" and ") {
        // A role named after "together with A and": part of the previous literal.
        let joins = !piece.contains(' ') && !piece.contains('.');
        match (joins, literals.last_mut()) {
            (true, Some(last)) => {
                last.push_str(" and ");
                last.push_str(piece);
            }
            _ => literals.push(piece.to_string()),
        }
    }
    literals.iter().all(|l| literal(l, r))
}

fn get<'a>(r: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = r;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    Some(v)
}

fn key(v: &Value) -> Option<String> {
    Some(
        v.as_str()?
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches('"').to_string()
}

fn list(s: &str) -> Vec<String> {
    s.split(", ")
        .flat_map(|x| x.split(" or "))
        .flat_map(|x| x.split(" and "))
        .map(unquote)
        .collect()
}

fn instant(r: &Value, term: &str) -> Option<DateTime<Utc>> {
    let (path, offset) = match term.split_once(" + ") {
        Some((p, d)) => {
            let (n, unit) = d.split_once(' ').unwrap();
            let n: i64 = n.parse().unwrap();
            let delta = match unit {
                "days" | "day" => days(n),
                "weeks" | "week" => days(7 * n),
                "hours" | "hour" => TimeDelta::hours(n),
                other => panic!("unit {other}"),
            };
            (p, delta)
        }
        None => (term, TimeDelta::zero()),
    };
    Some(csp_policy::parse_time(get(r, path)?.as_str()?)? + offset)
}

fn literal(l: &str, r: &Value) -> bool {
    let held: Vec<String> = get(r, "actor.roles")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(rest) = l.strip_prefix("together with ") {
        let names = list(rest);
        return if rest.contains(" or ") {
            names.iter().any(|n| held.contains(n))
        } else {
            names.iter().all(|n| held.contains(n))
        };
    }
    if let Some(rest) = l.strip_prefix("without ") {
        let rest = rest.strip_prefix("any of ").unwrap_or(rest);
        return list(rest).iter().all(|n| !held.contains(n));
    }
    for (verb, sign) in [
        (" is not after ", "<="),
        (" is not before ", ">="),
        (" is before ", "<"),
        (" is after ", ">"),
    ] {
        if let Some((a, b)) = l.split_once(verb) {
            let (Some(x), Some(y)) = (instant(r, a), instant(r, b)) else {
                return false;
            };
            return match sign {
                "<=" => x <= y,
                ">=" => x >= y,
                "<" => x < y,
                _ => x > y,
            };
        }
    }
    if let Some(path) = l.strip_suffix(" given") {
        return get(r, path).is_some();
    }
    if let Some(path) = l.strip_suffix(" missing") {
        return get(r, path).is_none();
    }
    if let Some((path, needle)) = l.split_once(" does not contain ") {
        return get(r, path)
            .and_then(key)
            .is_some_and(|k| !k.contains(&unquote(needle)));
    }
    if let Some((path, needle)) = l.split_once(" contains ") {
        return get(r, path)
            .and_then(key)
            .is_some_and(|k| k.contains(&unquote(needle)));
    }
    let market = |r: &Value, path: &str| -> Option<bool> {
        let m = get(r, path)?.as_str()?;
        // The pool's markets: only Aland Islands (AX) is in azure_reservations_unavailable.
        Some(m == "AX" || m == "Aland Islands")
    };
    if let Some((path, l)) = l.split_once(" not in ") {
        assert_eq!(l, "azure_reservations_unavailable");
        return market(r, path).is_some_and(|m| !m);
    }
    if let Some((path, l)) = l.split_once(" in ") {
        assert_eq!(l, "azure_reservations_unavailable");
        return market(r, path).unwrap_or(false);
    }
    let value = |path: &str| get(r, path);
    let same = |v: &Value, word: &str| -> bool {
        match v {
            Value::Bool(b) => (word == "yes") == *b,
            Value::String(_) => key(v).as_deref() == Some(word) || v.as_str() == Some(word),
            Value::Number(n) => n.to_string() == word,
            _ => false,
        }
    };
    if let Some((path, rest)) = l.split_once(" is none of ") {
        return value(path).is_some_and(|v| list(rest).iter().all(|w| !same(v, w)));
    }
    if let Some((path, rest)) = l.split_once(" is one of ") {
        return value(path).is_some_and(|v| list(rest).iter().any(|w| same(v, w)));
    }
    for op in [" < ", " <= ", " > ", " >= ", " = "] {
        if let Some((path, n)) = l.split_once(op) {
            let (Some(x), Ok(y)) = (value(path).and_then(Value::as_i64), n.parse::<i64>()) else {
                return false;
            };
            return match op {
                " < " => x < y,
                " <= " => x <= y,
                " > " => x > y,
                " >= " => x >= y,
                _ => x == y,
            };
        }
    }
    if let Some((path, rest)) = l.split_once(" is not ") {
        if rest.contains('.') {
            let (Some(a), Some(b)) = (value(path).and_then(key), value(rest).and_then(key)) else {
                return false;
            };
            return a != b;
        }
        return value(path).is_some_and(|v| !same(v, &unquote(rest)));
    }
    if let Some((path, rest)) = l.split_once(" is ") {
        if rest.contains('.') {
            let (Some(a), Some(b)) = (value(path).and_then(key), value(rest).and_then(key)) else {
                return false;
            };
            return a == b;
        }
        return value(path).is_some_and(|v| same(v, &unquote(rest)));
    }
    panic!("a condition this reader does not know: {l}");
}

#[test]
fn random_requests_agree_with_every_cell() {
    let m = default_matrix();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut valid, mut allowed, mut conditional) = (0, 0, 0);
    for _ in 0..4_000 {
        let r = request(&mut rng);
        let text = r.to_string();
        let d = policy().decide_json(&text, now());
        if !d.errors.is_empty() {
            assert!(!d.allow);
            continue;
        }
        valid += 1;
        allowed += usize::from(d.allow);
        let side = get(&r, "actor.kind").unwrap().as_str().unwrap();
        let action = get(&r, "action").unwrap().as_str().unwrap();
        let roles: Vec<&str> = get(&r, "actor.roles")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let rows: Vec<Option<&str>> = if roles.is_empty() {
            vec![None]
        } else {
            roles.iter().map(|x| Some(*x)).collect()
        };
        for role in rows {
            let c = m.find(side, role, action).unwrap();
            let expected = match c.verdict {
                Verdict::Allow => true,
                Verdict::Deny => false,
                Verdict::Conditional => {
                    conditional += 1;
                    let any = c.conditions.iter().any(|w| holds(w, &r));
                    any != c.unless
                }
            };
            assert_eq!(
                d.allow,
                expected,
                "{side} {role:?} {action} ({}): {text}",
                said(c)
            );
        }
    }
    // The generator reaches both outcomes and the conditional cells often.
    assert!(
        valid > 800 && allowed > 100 && conditional > 500,
        "{valid} {allowed} {conditional}"
    );
}

#[test]
fn the_default_policy_matrix_as_text_and_markdown() {
    insta::assert_snapshot!("matrix_text", render::text(default_matrix()));
    insta::assert_snapshot!("matrix_markdown", render::markdown(default_matrix()));
}

#[test]
fn json_has_the_documented_shape() {
    let out = common::run(&["matrix", "--now", common::NOW, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["complete"], json!(true));
    assert_eq!(v["incomplete"], json!([]));
    assert_eq!(v["generated"], json!(common::NOW));
    assert_eq!(v["revision"], json!(policy().revision().to_string()));
    assert_eq!(v["roles"].as_array().unwrap().len(), 13);
    assert_eq!(
        v["roles"][8],
        json!({"side":"partner","role":null,"label":"(no role)"})
    );
    assert_eq!(v["actions"][0]["name"], json!("purchase"));
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 13 * 7);
    let c = cells
        .iter()
        .find(|c| c["role"] == json!("admin_agent") && c["action"] == json!("purchase"))
        .unwrap();
    assert_eq!(c["side"], json!("partner"));
    assert_eq!(c["verdict"], json!("conditional"));
    assert_eq!(c["unless"], json!(true));
    assert_eq!(c["exact"], json!(true));
    assert_eq!(
        c["rules"][0],
        json!({"rule":"partner-admins-purchase","effect":"permit","at":"04-purchase.policy:4"})
    );
    let allowed = c["examples"]["allow"].to_string();
    assert!(policy().decide_json(&allowed, now()).allow);
    // The keys in their documented order.
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("{\"revision\":"), "{text}");
    assert!(text.contains("{\"side\":\"partner\",\"role\":\"admin_agent\",\"action\":\"purchase\",\"verdict\":\"conditional\",\"conditions\":[\"customer.market in azure_reservations_unavailable and product.category is azure_reservation\"],\"unless\":true,\"exact\":true,\"rules\":[{\"rule\":\"partner-admins-purchase\","));
    assert!(text.ends_with("],\"complete\":true,\"incomplete\":[]}\n"));
}

#[test]
fn the_html_page_is_self_contained() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("matrix.html");
    let out = common::run(&[
        "matrix",
        "--now",
        common::NOW,
        "--format",
        "html",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(&policy().revision().to_string()));
    assert!(page.contains("generated 2026-11-25T12:00:00Z"));
    assert!(page.contains("<style>"));
    let lower = page.to_lowercase();
    for forbidden in [
        "http:", "https:", "src=", "<script", "<link", "@import", "url(",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden}");
    }
    for attr in ["href=\"", "src=\""] {
        for (i, _) in lower.match_indices(attr) {
            let target = &lower[i + attr.len()..];
            assert!(
                target.starts_with('#'),
                "{}",
                &target[..20.min(target.len())]
            );
        }
    }
    // The same matrix as the library's page.
    assert_eq!(page, render::html(default_matrix()));
}

#[test]
fn exit_codes() {
    let out = common::run(&["matrix", "--now", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now"));
    let out = common::run(&["matrix", "--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
    let folder = tempfile::tempdir().unwrap();
    let broken = folder.path().join("broken.policy");
    std::fs::write(&broken, "rule r permit purchase when order.nope\n").unwrap();
    let out = common::run(&["matrix", "--policy", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no matrix was made"));
    assert!(out.stdout.is_empty());
    let missing = folder.path().join("no-such-folder").join("m.txt");
    let out = common::run(&[
        "matrix",
        "--now",
        common::NOW,
        "--output",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

/// A small policy of its own: a permit for two roles together, and a forbid the
/// analysis cannot read (arithmetic over two fields) unless `readable`.
fn two_roles(readable: bool) -> Policy {
    let forbid = if readable {
        "amount > 100"
    } else {
        "amount > limit * 2"
    };
    let text = format!(
        r#"actions {{
  approve  "Approve a payment"
}}

roles for staff {{
  clerk    "Clerk"
  manager  "Manager"
}}

input {{
  action        "action" is the action
  at            "request time" is the time of the request
  actor.kind    "actor kind" is the actor's side
  actor.roles   "actor roles" is the actor's roles
  amount        "amount" is a number
  limit         "limit" is a number
}}

require for every action {{
  action
  actor.kind
  actor.roles
  amount
  limit
}}

rule clerk-and-manager
  permit approve to staff clerk and manager
  because "A clerk who is also a manager approves."

rule too-large
  forbid approve
  when {forbid}
  because "Too large."
"#
    );
    let mut sources = csp_policy::source::SourceMap::new();
    sources.add(csp_policy::source::SourceFile::new("approve.policy", text));
    Policy::from_sources(sources).unwrap()
}

#[test]
fn a_permit_for_two_roles_together_is_said_in_each_row() {
    let p = two_roles(true);
    let m = matrix::matrix(&p, now());
    assert!(m.complete, "{:?}", m.incomplete);
    let clerk = m.find("staff", Some("clerk"), "approve").unwrap();
    assert_eq!(clerk.verdict, Verdict::Conditional);
    assert_eq!(
        clerk.conditions,
        ["together with manager and amount <= 100"]
    );
    let manager = m.find("staff", Some("manager"), "approve").unwrap();
    assert_eq!(
        manager.conditions,
        ["together with clerk and amount <= 100"]
    );
    assert_eq!(
        m.find("staff", None, "approve").unwrap().verdict,
        Verdict::Deny
    );
}

#[test]
fn a_cell_the_analysis_cannot_decide_is_not_exact() {
    let p = two_roles(false);
    let m = matrix::matrix(&p, now());
    assert!(!m.complete);
    assert!(
        m.incomplete
            .iter()
            .any(|w| w.contains("`amount > limit * 2` compares computed values")),
        "{:?}",
        m.incomplete
    );
    let clerk = m.find("staff", Some("clerk"), "approve").unwrap();
    assert!(!clerk.exact, "{clerk:?}");
    let text = render::text(&m);
    assert!(text.contains("not exact"), "{text}");
    // The row with no role is denied by the audience alone: still exact.
    assert!(m.find("staff", None, "approve").unwrap().exact);
}
