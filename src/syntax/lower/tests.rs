//! Unit tests of lowering: escapes, literals and shapes the grammar promises.
use super::super::parse;
use super::*;

fn only(text: &str) -> Declaration {
    let file = parse(0, text).unwrap_or_else(|e| panic!("{e}: {text}"));
    file.declarations
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no declaration"))
}

#[test]
fn a_rule_with_audience_condition_and_message() {
    let Declaration::Rule(rule) = only(
        "rule cancel-within-window\n  permit cancel to partner admin_agent or global_admin, customer\n  when at is within cancellation and not order.status is canceled\n  because \"ok {order.id}\"",
    ) else {
        panic!("not a rule")
    };
    assert_eq!(rule.id.text, "cancel-within-window");
    assert_eq!(rule.effect, Effect::Permit);
    let audience = rule.audience.unwrap_or_default();
    assert_eq!(audience.len(), 2);
    assert_eq!(audience[0].roles.len(), 2);
    assert!(audience[1].roles.is_empty());
    let Some(Condition::When(expr)) = rule.condition else {
        panic!("no condition")
    };
    assert!(matches!(expr.kind, ExprKind::And(ref parts) if parts.len() == 2));
    assert_eq!(rule.message.value, "ok {order.id}");
}

#[test]
fn tests_parse_to_their_kinds() {
    let cases = [
        ("x is present", "Present"),
        ("x is missing", "Missing"),
        ("x is not one of a, \"b\"", "OneOf"),
        ("x is in unavailable", "In"),
        ("x is not within w", "Within"),
        ("x is before y + 2 days", "Before"),
        ("x is not after y", "After"),
        ("x is not y", "Is"),
        ("x contains \"windows server\"", "Contains"),
        ("x does not contain \"a\"", "Contains"),
        ("x <= 3", "Compare"),
    ];
    for (text, kind) in cases {
        let Declaration::Let(decl) = only(&format!("let v = {text}")) else {
            panic!("not a let")
        };
        let debug = format!("{:?}", decl.value.kind);
        assert!(debug.starts_with(kind), "{text}: {debug}");
    }
}

#[test]
fn arithmetic_is_left_associative_with_precedence() {
    let Declaration::Let(decl) = only("let v = round(100 * a / b, 2) - 1") else {
        panic!("not a let")
    };
    let ExprKind::Arith(ArithOp::Sub, lhs, _) = decl.value.kind else {
        panic!("expected a subtraction")
    };
    let ExprKind::Call(name, args) = lhs.kind else {
        panic!("expected a call")
    };
    assert_eq!(name.text, "round");
    assert!(matches!(args[0].kind, ExprKind::Arith(ArithOp::Div, _, _)));
}

#[test]
fn strings_resolve_every_escape_and_keep_the_text_as_written() {
    let Declaration::Otherwise(text) = only(r#"otherwise deny because "a \"b\" \\ \{c\} \u{e9}""#)
    else {
        panic!("not otherwise")
    };
    assert_eq!(text.message.value, "a \"b\" \\ {c} é");
    assert_eq!(text.message.raw, r#"a \"b\" \\ \{c\} \u{e9}"#);
}

#[test]
fn declarations_of_every_kind_parse() {
    let text = r#"
actions { purchase "Buy" cancel "Cancel" }
roles for partner { admin_agent "Admin agent" }
input {
  action is the action
  at is the time of the request
  actor.kind is the actor's side
  actor.roles is the actor's roles
  order.id "order ID" is text, note "one order per request"
  order.status is one of active, canceled
  order.price is money
  link.downloads is a count
  license.sa is yes or no
  customer.market is a market
}
markets unavailable "Unavailable" { names in en, ko AX "Aland Islands" BQ "Bonaire" "Saba" "보네르" (own spelling) }
window cancellation is 60 days from order.purchased_at
link download expires 2 weeks after link.issued_at or after 50 uses counted in link.downloads
require for cancel { one of customer.name, customer.domain  order.id  order.term_end when product.category is not perpetual }
fact days for cancel = cancellation.days_left
otherwise deny because "no"
"#;
    let file = parse(3, text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.declarations.len(), 9);
    let Some(Declaration::Require(req)) = file.declarations.get(6) else {
        panic!("no require")
    };
    assert_eq!(req.items.len(), 3);
    assert_eq!(req.items[0].any_of.len(), 2);
    let Some(Declaration::Markets(markets)) = file.declarations.get(3) else {
        panic!("no markets")
    };
    let tags: Vec<&str> = markets.languages.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(tags, ["en", "ko"]);
    let own: Vec<(&str, bool)> = markets.entries[1]
        .names
        .iter()
        .map(|n| (n.text.value.as_str(), n.own_spelling))
        .collect();
    assert_eq!(own, [("Bonaire", false), ("Saba", false), ("보네르", true)]);
    assert!(req.items[2].when.is_some());
}

#[test]
fn keywords_need_word_boundaries() {
    // `everyaction` is an action name, not `every action`.
    let Declaration::Fact(fact) = only("fact f for everyaction = 1") else {
        panic!("not a fact")
    };
    assert!(matches!(fact.actions, ActionSet::Listed(ref names) if names[0].text == "everyaction"));
    // `ordinal` is not `or dinal`.
    assert!(parse(0, "rule r permit a to partner x ordinal because \"m\"").is_err());
    // A `one of` field may carry a note.
    let Declaration::Input(fields) = only("input { x is one of a, b, note \"n\" }") else {
        panic!("not an input")
    };
    assert!(matches!(&fields[0].ty, FieldType::OneOf(words) if words.len() == 2));
    assert_eq!(fields[0].note.as_ref().map(|n| n.value.as_str()), Some("n"));
}

#[test]
fn unknown_escape_is_located() {
    let err = parse(0, r#"otherwise deny because "bad \q""#).unwrap_err();
    assert!(matches!(err, SyntaxError::BadLiteral { .. }));
    assert_eq!(err.span().start, 23);
}

/// The text of the value of the `let` that `text` declares.
fn let_value_text(text: &str) -> String {
    let Declaration::Let(decl) = only(text) else {
        panic!("not a let")
    };
    let (start, end) = (decl.value.span.start as usize, decl.value.span.end as usize);
    text[start..end].to_string()
}

#[test]
fn an_arithmetic_span_takes_in_the_parentheses_of_its_operands() {
    // Issue 8: `100 / (n - 2)` was quoted as `100 / (n - 2` (the span stopped before `)`).
    assert_eq!(let_value_text("let f = 100 / (n - 2)"), "100 / (n - 2)");
    assert_eq!(let_value_text("let f = (n - 2) / 100"), "(n - 2) / 100");
    assert_eq!(
        let_value_text("let f = (a + b) * (c - d) + (e)"),
        "(a + b) * (c - d) + (e)"
    );
    assert_eq!(
        let_value_text("let f = -(a) * round(b, 2)"),
        "-(a) * round(b, 2)"
    );
}

#[test]
fn spans_end_at_the_last_token_not_at_the_layout_after_it() {
    // Issue 8: an expression followed by a line break and indentation was quoted with them.
    assert_eq!(
        let_value_text("let v = customer.domain contains \"x\"\n  \nlet w = 1"),
        "customer.domain contains \"x\""
    );
    assert_eq!(
        let_value_text("let v = a or b  # a comment \"with a quote\n  # another\n\nlet w = 1"),
        "a or b"
    );
    assert_eq!(let_value_text("let v = x is present\t\r\n"), "x is present");
    assert_eq!(let_value_text("let v = \"a # b\"  # c"), "\"a # b\"");
    // A rule's condition too.
    let text = "rule r permit a when x is 1 and y is 2\n    because \"m\"";
    let Declaration::Rule(rule) = only(text) else {
        panic!("not a rule")
    };
    let Some(Condition::When(expr)) = rule.condition else {
        panic!("no condition")
    };
    assert_eq!(
        &text[expr.span.start as usize..expr.span.end as usize],
        "x is 1 and y is 2"
    );
}

#[test]
fn duration_literals_up_to_a_thousand_years() {
    // 52,142 weeks is under 1,000 × 365 days; 52,143 weeks is over.
    assert!(parse(0, "let d = 365000 days").is_ok());
    assert!(parse(0, "let d = 52142 weeks").is_ok());
    for text in [
        "let d = 365001 days",
        "let d = 52143 weeks",
        "let d = 99999999999999 hours",
    ] {
        let err = parse(0, text).unwrap_err();
        assert!(
            matches!(&err, SyntaxError::BadLiteral { message, .. } if message.contains("thousand years")),
            "{text}: {err:?}"
        );
        assert_eq!(err.span().start, 8, "{text}");
    }
}
