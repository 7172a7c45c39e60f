//! Unit tests of the formatter: layout rules, comment placement, idempotence.

use super::*;

/// Formats `text`, checks that formatting again changes nothing, and returns the result.
fn fmt(text: &str) -> String {
    let once = format_source(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let twice = format_source(&once).unwrap_or_else(|e| panic!("{e}\n{once}"));
    assert_eq!(once, twice, "not idempotent for:\n{text}");
    once
}

#[test]
fn declarations_are_separated_by_one_blank_line() {
    let text = "window w is 60 days from at\n\n\n\nlink l expires 14 days after a or after 50 uses counted in b otherwise deny because \"no\"";
    assert_eq!(
        fmt(text),
        "window w is 60 days from at\n\nlink l expires 14 days after a or after 50 uses counted in b\n\notherwise deny because \"no\"\n"
    );
}

#[test]
fn runs_of_let_and_fact_keep_the_authors_grouping() {
    let text = "let a = 1\nlet b = 2\nfact c for x = 3\n\n\nlet d = 4\n# about e\nlet e = 5\nwindow w is 1 day from at\nlet f = 6\n";
    assert_eq!(
        fmt(text),
        "let a = 1\nlet b = 2\nfact c for x = 3\n\nlet d = 4\n# about e\nlet e = 5\n\nwindow w is 1 day from at\n\nlet f = 6\n"
    );
    // Two lets on one line are a run too.
    assert_eq!(fmt("let a = 1 let b = 2"), "let a = 1\nlet b = 2\n");
}

#[test]
fn blocks_are_indented_and_their_first_column_aligned() {
    let text = "actions{purchase \"Buy\"\napply_hybrid_benefit    \"Apply\"}\nmarkets m \"M\" { AX \"Aland\" BQ \"Bonaire\" \"Saba\" XYZ \"Long\" }";
    assert_eq!(
        fmt(text),
        "actions {\n  purchase              \"Buy\"\n  apply_hybrid_benefit  \"Apply\"\n}\n\nmarkets m \"M\" {\n  AX   \"Aland\"\n  BQ   \"Bonaire\"  \"Saba\"\n  XYZ  \"Long\"\n}\n"
    );
}

#[test]
fn market_languages_and_own_spellings_keep_their_lines_and_comments() {
    let text = "markets m \"M\" { names in en ,ko # the seed's languages\n# Korean names\nVG \"British Virgin Islands\" \"영국령 버전 아일랜드\"(own   spelling) # seed\n CN \"China\" }";
    assert_eq!(
        fmt(text),
        "markets m \"M\" {\n  names in en, ko  # the seed's languages\n  # Korean names\n  VG  \"British Virgin Islands\"  \"영국령 버전 아일랜드\" (own spelling)  # seed\n  CN  \"China\"\n}\n"
    );
}

#[test]
fn input_fields_align_and_long_notes_continue_under_the_label() {
    let text = "input { a \"A\" is text, note \"short\" long.path is a count\nb \"B\" is money, note \"a note long enough to push this line past the hundred column limit, surely\" }";
    assert_eq!(
        fmt(text),
        "input {\n  a          \"A\" is text, note \"short\"\n  long.path  is a count\n  b          \"B\" is money,\n             note \"a note long enough to push this line past the hundred column limit, surely\"\n}\n"
    );
}

#[test]
fn every_field_type_is_written_canonically() {
    let text = "input { a is the action b is the time of the request c is the actor's side d is the actor's roles e is one of x,y f is an text g is time h is money i is number j is count k is yes or no l is guid m is market }";
    let out = fmt(text);
    for expected in [
        "is the action",
        "is the time of the request",
        "is the actor's side",
        "is the actor's roles",
        "is one of x, y",
        "f  is text",
        "is a time",
        "is money",
        "is a number",
        "is a count",
        "is yes or no",
        "is a guid",
        "is a market",
    ] {
        assert!(out.contains(expected), "{expected} missing in\n{out}");
    }
}

#[test]
fn empty_blocks_close_on_the_same_line() {
    assert_eq!(fmt("actions {\n\n}"), "actions {}\n");
    assert_eq!(fmt("input {\n}  # none"), "input {}  # none\n");
    assert_eq!(
        fmt("roles for partner { # later\n}"),
        "roles for partner {  # later\n}\n"
    );
    assert_eq!(
        fmt("require for every action {\n# nothing yet\n}"),
        "require for every action {\n  # nothing yet\n}\n"
    );
}

#[test]
fn rules_take_four_lines() {
    let text = "rule r permit cancel, exchange to partner admin_agent or global_admin, customer when a and b because \"m\"\nrule s forbid every action because \"n\"\nrule t reject x unless y because \"o\"";
    assert_eq!(
        fmt(text),
        "rule r\n  permit cancel, exchange to partner admin_agent or global_admin, customer\n  when a and b\n  because \"m\"\n\nrule s\n  forbid every action\n  because \"n\"\n\nrule t\n  reject x\n  unless y\n  because \"o\"\n"
    );
}

#[test]
fn long_values_go_on_a_continuation_line() {
    let value = "if full_credit then round(order.price, 2) else round(order.price * remaining_days / term_days, 2)";
    let text = format!("fact credit_amount for cancel = {value}\nlet short = 1");
    assert_eq!(
        fmt(&text),
        format!("fact credit_amount for cancel =\n  {value}\nlet short = 1\n")
    );
    // And back on one line when it fits.
    assert_eq!(fmt("let x =\n    a + b"), "let x = a + b\n");
}

#[test]
fn a_line_of_exactly_one_hundred_characters_stays_whole() {
    let name = "x".repeat(100 - "let  = 1".len());
    let text = format!("let {name} = 1");
    assert_eq!(text.len(), 100);
    assert_eq!(fmt(&text), format!("{text}\n"));
    let text = format!("let {name}x = 1");
    assert_eq!(fmt(&text), format!("let {name}x =\n  1\n"));
}

#[test]
fn require_items_and_their_conditions() {
    let text = "require for cancel, exchange { one of a, b.c product.publisher when (product.category) is software_plan x }";
    assert_eq!(
        fmt(text),
        "require for cancel, exchange {\n  one of a, b.c\n  product.publisher when product.category is software_plan\n  x\n}\n"
    );
}

#[test]
fn an_integer_before_an_item_named_like_a_unit_keeps_its_parentheses() {
    let text = "require for x {\n  a when (b = 5)\n  days\n  c when (d = 5)\n  e\n}\n";
    assert_eq!(
        fmt(text),
        "require for x {\n  a when (b = 5)\n  days\n  c when d = 5\n  e\n}\n"
    );
}

#[test]
fn durations_and_numbers() {
    assert_eq!(
        fmt("window w is 1 days from at let x = 007.50 + 1 weeks + 2 hour"),
        "window w is 1 day from at\n\nlet x = 007.50 + 1 week + 2 hours\n"
    );
    assert_eq!(
        fmt("link l expires 2 week after a or after 0050 uses counted in b"),
        "link l expires 2 weeks after a or after 50 uses counted in b\n"
    );
}

#[test]
fn strings_are_re_escaped() {
    let text = r#"otherwise deny because "a \"b\" \\ \{c\} \u{e9} \u{9} \n""#;
    assert_eq!(
        fmt(text),
        "otherwise deny because \"a \\\"b\\\" \\\\ \\{c\\} é \\t \\n\"\n"
    );
}

#[test]
fn full_line_comments_stay_above_what_follows() {
    let text = "# file\n\n# about a\nlet a = 1\n\nactions {\n  # about buy\n  buy \"Buy\"\n\n  # about sell\n\n  sell \"Sell\"\n  # the end\n}\nrule r\n  # who\n  permit x\n  # when\n  when y\n  # why\n  because \"m\"\n# last\n";
    assert_eq!(
        fmt(text),
        "# file\n\n# about a\nlet a = 1\n\nactions {\n  # about buy\n  buy   \"Buy\"\n\n  # about sell\n\n  sell  \"Sell\"\n  # the end\n}\n\nrule r\n  # who\n  permit x\n  # when\n  when y\n  # why\n  because \"m\"\n# last\n"
    );
}

#[test]
fn end_of_line_comments_stay_on_their_line() {
    let text = "rule r # id\n permit x to p # effect\n when y # condition\n because \"m\" # message\nlet a = 1 # a\nactions { # head\n buy \"Buy\" # item\n} # close\n";
    assert_eq!(
        fmt(text),
        "rule r  # id\n  permit x to p  # effect\n  when y  # condition\n  because \"m\"  # message\n\nlet a = 1  # a\n\nactions {  # head\n  buy  \"Buy\"  # item\n}  # close\n"
    );
}

#[test]
fn comments_inside_multi_line_parts_move_above_their_line() {
    let text = "let a = 1 +  # one\n  # two\n  2\nrule r\n  permit x\n  when y and  # three\n    z\n  because \"m\"\ninput {\n  f \"F\" is text,  # four\n    note \"n\"\n}\n";
    assert_eq!(
        fmt(text),
        "# one\n# two\nlet a = 1 + 2\n\nrule r\n  permit x\n  # three\n  when y and z\n  because \"m\"\n\ninput {\n  # four\n  f  \"F\" is text, note \"n\"\n}\n"
    );
}

#[test]
fn a_blank_line_between_comments_and_their_declaration_is_kept() {
    let text = "let a = 1\n# section\n\nlet b = 2 +\n# moved\n3\n";
    assert_eq!(
        fmt(text),
        "let a = 1\n# section\n\n# moved\nlet b = 2 + 3\n"
    );
}

#[test]
fn two_end_of_line_comments_on_one_output_line() {
    let text = "let a = # one\n  1 # two\n";
    assert_eq!(fmt(text), "# one\nlet a = 1  # two\n");
    let text = "rule r permit x # one\n to p # two\n because \"m\"";
    assert_eq!(
        fmt(text),
        "rule r\n  # one\n  permit x to p  # two\n  because \"m\"\n"
    );
}

#[test]
fn comments_in_a_block_head_move_above_the_declaration() {
    let text = "markets m # one\n  \"Title\"\n  # two\n  { AX \"Aland\" }";
    assert_eq!(
        fmt(text),
        "# one\n# two\nmarkets m \"Title\" {\n  AX  \"Aland\"\n}\n"
    );
}

#[test]
fn hashes_in_strings_are_not_comments() {
    let text = "otherwise deny because \"# not a comment\" # a comment";
    assert_eq!(
        fmt(text),
        "otherwise deny because \"# not a comment\"  # a comment\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
    assert_eq!(fmt("  # a\n\n\n# b  \n"), "# a\n\n# b\n");
}

#[test]
fn crlf_and_byte_order_mark_are_normalised() {
    assert_eq!(
        fmt("\u{FEFF}# head\r\nlet x = 1\r\n\r\n\r\nlet y = 2 # z\r\n"),
        "# head\nlet x = 1\n\nlet y = 2  # z\n"
    );
}

#[test]
fn syntax_errors_are_returned() {
    let err = format_source("let x = a && b").unwrap_err();
    let FormatError::Syntax(e) = err else {
        panic!("expected a syntax error")
    };
    assert_eq!(e.help(), Some("write `and`"));
}

#[test]
fn format_file_prints_a_tree_without_comments() {
    let file = crate::syntax::parse(0, "let a = 1 # c\nlet b = (a)").unwrap();
    assert_eq!(format_file(&file), "let a = 1\nlet b = a\n");
}

#[test]
fn constants_and_the_windows_and_links_that_name_them() {
    let text = "constant   days=7 days\nconstant uses = 50 constant note = \"a \\{b\\}\"\nwindow w is days   from at\nlink l expires days after a or after   uses uses counted in b\nconstant back = -   3\n";
    assert_eq!(
        fmt(text),
        "constant days = 7 days\nconstant uses = 50\nconstant note = \"a {b}\"\n\nwindow w is days from at\n\nlink l expires days after a or after uses uses counted in b\n\nconstant back = -3\n"
    );
}

#[test]
fn a_message_keeps_its_placeholders_and_brace_escapes_apart() {
    let text = "otherwise deny because \"path \\\\{action} \\{literal\\} \\u{e9}\"\n";
    assert_eq!(
        fmt(text),
        "otherwise deny because \"path \\\\{action} \\{literal\\} é\"\n"
    );
}
