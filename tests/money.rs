//! Money literals with a currency (issue 9): `10000.00 USD`, `money in FIELD` in the
//! input schema, amounts in two currencies never compared or added silently (an
//! evaluation error, so deny), money whose currency is not declared refused next to
//! money in a currency, and messages that print the currency. Each policy here is loaded
//! after the default policy's files, as a second file a compliance author would add;
//! the default policy declares `order.currency is text`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::decision::FactValue;
use csp_policy::source::SourceFile;
use csp_policy::{load, Decision, Policy, Severity};

/// The default policy's files with `order.price` declared `money in order.currency`
/// (its input file rewritten so), and `extra`: the policy, or every error.
fn with_currency(extra: &str) -> Result<Policy, String> {
    compile(true, extra)
}

/// The default policy's files as they are, and `extra`.
fn with_extra(extra: &str) -> Result<Policy, String> {
    compile(false, extra)
}

fn compile(in_currency: bool, extra: &str) -> Result<Policy, String> {
    let mut sources = csp_policy::source::SourceMap::new();
    for file in load::embedded_sources().files() {
        let text = if in_currency {
            file.text.replace(
                "\"order price\" is money",
                "\"order price\" is money in order.currency",
            )
        } else {
            file.text.clone()
        };
        sources.add(SourceFile::new(file.name.clone(), text));
    }
    sources.add(SourceFile::new("extra.policy", extra));
    let loaded = load::compile(sources);
    // Warnings (a forbid on an optional field, an unused `let`) are not what these
    // tests are about.
    let rendered: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.code.as_str(), d.render(&loaded.sources)))
        .collect();
    match loaded.policy {
        Some(p) if rendered.is_empty() => Ok(p),
        _ => Err(rendered.join("\n")),
    }
}

fn decide(policy: &Policy, request: &str) -> Decision {
    let now = csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap();
    policy.decide_yaml(request, now)
}

/// A purchase of a perpetual product by an admin agent for a KR customer, at `price`
/// in `currency` (`None`: no currency field).
fn purchase(price: &str, currency: Option<&str>) -> String {
    let currency = currency.map_or(String::new(), |c| format!(", currency: {c}"));
    format!(
        "action: purchase\nat: 2026-11-25T12:00:00Z\nactor: {{ kind: partner, roles: [admin_agent] }}\n\
         customer: {{ name: Contoso, market: KR }}\nproduct: {{ name: Office, category: perpetual_software }}\n\
         order: {{ price: \"{price}\"{currency} }}\n"
    )
}

/// A forbid over 10,000.00 USD, with a message that prints the price.
const LIMIT: &str = "rule over-limit forbid purchase when order.price > 10000.00 USD\n  because \"{order.price as money} is over the limit\"\n";

fn errors(d: &Decision) -> Vec<String> {
    d.errors.iter().map(ToString::to_string).collect()
}

#[test]
fn an_amount_can_be_written_with_its_currency() {
    // Issue 9: `order.price > 10000.00` was "cannot compare money with a number", and
    // `"10000.00"` "cannot compare money with text": no amount could be written.
    let policy = with_currency(LIMIT).unwrap();
    let d = decide(&policy, &purchase("12000.00", Some("USD")));
    assert!(!d.allow);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let messages: Vec<&str> = d.reasons.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, ["12000.00 USD is over the limit"]);
    let d = decide(&policy, &purchase("9999.99", Some("usd")));
    assert!(d.allow, "{:?}", d.errors);
    let d = decide(&policy, &purchase("10000", Some("USD")));
    assert!(d.allow, "10000 is not over 10000.00");
}

#[test]
fn an_amount_in_another_currency_is_an_error_never_a_silent_false() {
    let policy = with_currency(LIMIT).unwrap();
    let d = decide(&policy, &purchase("12000.00", Some("EUR")));
    assert!(!d.allow);
    assert_eq!(
        errors(&d),
        ["rule over-limit: `order.price > 10000.00 USD` meets amounts in EUR and in USD; amounts in two currencies never compare or add"]
    );
    assert_eq!(d.errors[0].code(), "evaluation-error");
    assert!(
        d.to_json().contains("amounts in two currencies"),
        "{}",
        d.to_json()
    );
    // Under the limit too: the error is not only where the test would hold.
    let d = decide(&policy, &purchase("1.00", Some("EUR")));
    assert!(!d.allow);
    assert_eq!(d.errors.len(), 1);
}

#[test]
fn a_missing_or_unknown_currency_is_an_error() {
    let policy = with_currency(LIMIT).unwrap();
    let d = decide(&policy, &purchase("12000.00", None));
    assert!(!d.allow);
    assert_eq!(
        errors(&d),
        ["rule over-limit: `order.price > 10000.00 USD` needs the currency of the amount, but `order.currency` is not given"]
    );
    let d = decide(&policy, &purchase("1.00", Some("dollars")));
    assert!(!d.allow);
    assert_eq!(
        errors(&d),
        ["rule over-limit: `order.price > 10000.00 USD` needs the currency of the amount, but `order.currency` is not an ISO 4217 currency code"]
    );
    // No price: the test is false, as every test on an absent value.
    let request = purchase("1", None).replace("order: { price: \"1\" }\n", "");
    let d = decide(&policy, &request);
    assert!(d.allow, "{:?}", d.errors);
}

#[test]
fn arithmetic_keeps_the_currency_and_refuses_two() {
    let policy = with_currency(
        "let doubled = order.price * 2\n\
         rule big forbid purchase when doubled + 1.00 USD >= 100.00 USD\n  because \"{doubled as money}\"\n\
         fact ratio for purchase = order.price / 10.00 USD\n\
         fact in_euros for purchase = order.price - 1.00 EUR\n",
    )
    .unwrap();
    let d = decide(&policy, &purchase("60.00", Some("USD")));
    let messages: Vec<&str> = d.reasons.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, ["120.00 USD"]);
    assert_eq!(
        d.fact("ratio"),
        Some(&FactValue::Number("6".parse().unwrap()))
    );
    // Money - money in another currency: the fact fails, so the decision denies.
    assert_eq!(
        errors(&d),
        ["cannot compute in_euros: `order.price - 1.00 EUR` meets amounts in USD and in EUR; amounts in two currencies never compare or add"]
    );
    let d = decide(&policy, &purchase("10.00", Some("EUR")));
    // A fact is data: the amount with its currency's decimals, without the code (the
    // request gives it).
    assert_eq!(d.fact("in_euros"), Some(&FactValue::Text("9.00".into())));
}

#[test]
fn amounts_of_two_currency_fields_are_compared_only_in_one_currency() {
    let policy = with_currency(
        "input { order.budget is money in order.budget_currency  order.budget_currency is one of USD, EUR, KRW }\n\
         rule over-budget forbid purchase when order.price > order.budget\n  because \"over budget\"\n",
    )
    .unwrap();
    let request = |budget: &str, currency: &str| {
        purchase("100.00", Some("USD")).replace(
            "currency: USD }",
            &format!("currency: USD, budget: \"{budget}\", budget_currency: {currency} }}"),
        )
    };
    let d = decide(&policy, &request("50.00", "USD"));
    assert!(!d.allow);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let d = decide(&policy, &request("50000", "KRW"));
    assert_eq!(
        errors(&d),
        ["rule over-budget: `order.price > order.budget` meets amounts in USD and in KRW; amounts in two currencies never compare or add"]
    );
}

#[test]
fn the_checker_refuses_decimals_past_the_currency_and_unknown_codes() {
    let err = with_currency("let x = order.price > 10.005 USD\n").unwrap_err();
    assert!(err.starts_with("money-decimals: "), "{err}");
    assert!(err.contains("USD has 2 decimals"), "{err}");
    let err = with_currency("let x = order.price > 100.5 JPY\n").unwrap_err();
    assert!(err.contains("JPY has no decimals"), "{err}");
    assert!(with_currency("let x = order.price > 100 JPY\n").is_ok());
    let err = with_currency("let x = order.price > 10 USX\n").unwrap_err();
    assert!(err.starts_with("unknown-currency: "), "{err}");
    assert!(err.contains("USD"), "a suggestion: {err}");
}

#[test]
fn money_literals_are_refused_past_the_limits() {
    assert!(with_currency("let x = order.price > 999999999999999.99 USD\n").is_ok());
    let err = with_currency("let x = order.price > 1000000000000000 USD\n").unwrap_err();
    assert!(err.starts_with("bad-number: "), "{err}");
    assert!(err.contains("15 digits"), "{err}");
    // Gold has no minor unit in ISO 4217: at most four decimals.
    assert!(with_currency("let x = 1.2345 XAU\n").is_ok());
    let err = with_currency("let x = 1.23456 XAU\n").unwrap_err();
    assert!(err.starts_with("money-decimals: "), "{err}");
}

#[test]
fn money_without_a_declared_currency_never_meets_money_in_a_currency() {
    // The default policy declares `order.price is money`, without its currency.
    let err = with_extra("let x = order.price > 10000.00 USD\n").unwrap_err();
    assert!(err.starts_with("currency-not-declared: "), "{err}");
    assert!(
        err.contains("order.price is money in order.currency"),
        "the help says how to declare it: {err}"
    );
    let err = with_extra("let y = order.price * 2\nlet x = min(y, 5.00 EUR)\n").unwrap_err();
    assert!(err.starts_with("currency-not-declared: "), "{err}");
    // Money without currency with itself and with numbers keeps working.
    assert!(with_extra("let x = order.price * 2 > order.price\n").is_ok());
}

#[test]
fn the_default_policy_decides_alike_when_its_price_is_declared_in_its_currency() {
    // The default policy never meets its price with money in a currency: declaring
    // `order.price is money in order.currency` changes none of its verdicts, errors or
    // facts, with or without a currency in the request. (Its cancel message shows
    // `{credit_amount}`, money, which would then carry the code: the default policy keeps
    // `is money`, so that its decisions stay byte-identical.)
    let plain = with_extra("").unwrap();
    let declared = with_currency("").unwrap();
    for currency in [None, Some("USD"), Some("EUR"), Some("dollars")] {
        let cancel = format!(
            "action: cancel\nat: 2026-11-25T12:00:00Z\nactor: {{ kind: partner, roles: [admin_agent] }}\n\
             customer: {{ name: Contoso }}\nproduct: {{ name: Office, category: server_subscription }}\n\
             order: {{ id: ORD-1, purchased_at: 2026-10-01T09:30:00Z, status: active, price: \"1200.00\"{}, term_end: 2027-10-01T09:30:00Z }}\n",
            currency.map_or(String::new(), |c| format!(", currency: {c}"))
        );
        for request in [cancel, purchase("1200.00", currency)] {
            let (a, b) = (decide(&plain, &request), decide(&declared, &request));
            assert_eq!(a.allow, b.allow, "{request}");
            assert_eq!(errors(&a), errors(&b), "{request}");
            assert_eq!(a.facts, b.facts, "{request}");
            if currency == Some("USD") && request.starts_with("action: cancel") {
                assert!(a.allow, "{:?}", a.errors);
                assert_eq!(
                    a.fact("credit_amount"),
                    Some(&FactValue::Text("1015.89".into()))
                );
                let message = &b.reasons[0].message;
                assert!(
                    message.contains("credit of 1015.89 USD appears"),
                    "{message}"
                );
            }
        }
    }
}

#[test]
fn fmt_writes_money_literals_and_currency_fields_canonically() {
    let written = "input {\n  order.limit \"limit\" is money   in\n order.currency\n}\n\
                   let over = order.limit >   10000.00\n   USD   and order.limit < 1500000 KRW\n";
    let formatted = csp_policy::fmt::format_source(written).unwrap();
    assert_eq!(
        formatted,
        "input {\n  order.limit  \"limit\" is money in order.currency\n}\n\n\
         let over = order.limit > 10000.00 USD and order.limit < 1500000 KRW\n"
    );
    assert_eq!(
        csp_policy::fmt::format_source(&formatted).unwrap(),
        formatted
    );
    // A code in lower case is no money literal: a syntax error, not a silent name.
    assert!(csp_policy::fmt::format_source("let x = 10 usd\n").is_err());
}
