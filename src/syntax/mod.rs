//! Policy text → syntax tree. Owns the pest grammar binding (`grammar/policy.pest`), the
//! limits checked before and after parsing, and the lowering of pest pairs into [`ast`].
//! `scan` is the one scanner of raw policy text (code, strings, comments); `template`
//! splits messages into text and placeholders. It never resolves names: that is the
//! checker's job.

pub mod ast;
mod lower;
pub(crate) use lower::unescape;
pub(crate) mod scan;
pub(crate) mod template;

use crate::limits::{POLICY_FILE_BYTES, POLICY_NESTING};
use pest::Parser as _;

use crate::source::Span;
use ast::PolicyFile;

/// The parser pest generates from the grammar, with its `Rule`s: the crate's own.
mod grammar {
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/policy.pest"]
    pub(crate) struct PolicyParser;
}
pub(crate) use grammar::{PolicyParser, Rule};

/// Why a policy file could not be turned into a syntax tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// The text does not follow the grammar.
    #[error("{message}")]
    Grammar {
        /// What was expected.
        message: String,
        /// Where.
        span: Span,
        /// How to fix it, when we can tell.
        help: Option<String>,
    },
    /// The file is larger than [`crate::limits::POLICY_FILE_BYTES`].
    #[error("the policy file is {size} bytes; the limit is {POLICY_FILE_BYTES} bytes")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The start of the file.
        span: Span,
    },
    /// Parentheses or expressions nest deeper than the limits.
    #[error("expressions nest deeper than {limit} levels")]
    TooDeep {
        /// The limit that was passed.
        limit: usize,
        /// Where it was passed.
        span: Span,
    },
    /// A literal that the grammar accepts but that cannot be used (a number too large,
    /// a bad escape).
    #[error("{message}")]
    BadLiteral {
        /// What is wrong.
        message: String,
        /// Where.
        span: Span,
    },
}

impl SyntaxError {
    /// Where the problem is.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Grammar { span, .. }
            | SyntaxError::TooLarge { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::BadLiteral { span, .. } => *span,
        }
    }

    /// A hint for the person fixing it, if any.
    pub fn help(&self) -> Option<&str> {
        match self {
            SyntaxError::Grammar { help, .. } => help.as_deref(),
            SyntaxError::TooDeep { .. } => Some("split the condition with `let` declarations"),
            SyntaxError::TooLarge { .. } => Some("split the policy into several files"),
            SyntaxError::BadLiteral { .. } => None,
        }
    }
}

/// Parses the text of one policy file (file index `file` in its source map).
pub fn parse(file: u32, text: &str) -> Result<PolicyFile, SyntaxError> {
    if text.len() > POLICY_FILE_BYTES {
        return Err(SyntaxError::TooLarge {
            size: text.len(),
            span: Span::new(file, 0, 0),
        });
    }
    check_nesting(file, text)?;
    let pairs = match PolicyParser::parse(Rule::file, text) {
        Ok(pairs) => pairs,
        Err(first) => {
            // Parse again with pest's record of the literal words it tried where it got
            // furthest (`counted` in a link without `counted in`): without it, an error
            // inside a declaration made only of literal words is placed at the
            // declaration's first word. The record costs (the default policy parses 2.5
            // times slower), so only a text that does not parse pays for it. Set and
            // never unset: the second parse of every thread has it.
            pest::set_error_detail(true);
            let error = PolicyParser::parse(Rule::file, text).err().unwrap_or(first);
            return Err(grammar_error(file, text, error));
        }
    };
    lower::file(file, pairs)
}

/// Rejects parenthesis nesting deeper than [`crate::limits::POLICY_NESTING`] before pest sees the text, so
/// that the recursive-descent parser cannot exhaust the stack.
fn check_nesting(file: u32, text: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    for region in scan::regions(text).filter(scan::Region::is_code) {
        for (i, b) in region.text.bytes().enumerate() {
            match b {
                b'(' => {
                    depth += 1;
                    if depth > POLICY_NESTING {
                        let at = region.start + i;
                        return Err(SyntaxError::TooDeep {
                            limit: POLICY_NESTING,
                            span: Span::new(file, at, at + 1),
                        });
                    }
                }
                b')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Turns pest's error into one a policy author can act on.
fn grammar_error(file: u32, text: &str, error: pest::error::Error<Rule>) -> SyntaxError {
    let (start, end) = match error.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span((s, e)) => (s, e),
    };
    if let Some(unclosed) = unclosed_string(file, text, start) {
        return unclosed;
    }
    // pest places the error at the furthest rule it tried; a literal word tried further
    // on (`uses` read, `counted` expected) is the real place, and what it expected there.
    // Only at the start of a word or sign: a place right after a letter is inside a name
    // (pest tries keywords there, to tell names from them).
    let further = error
        .parse_attempts()
        .filter(|attempts| {
            attempts.max_position > start
                && text.get(..attempts.max_position).is_some_and(|before| {
                    !before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                })
        })
        .map(|attempts| {
            (
                attempts.max_position,
                expected_words(&attempts.expected_tokens()),
            )
        });
    let (start, end, words) = match further {
        Some((at, words)) if !words.is_empty() => (at, at, Some(words)),
        _ => (start, end, None),
    };
    // Point at the whole offending word, not just its first byte.
    let word_end = text
        .get(start..)
        .map(|rest| {
            start
                + rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')')
                    .unwrap_or(rest.len())
        })
        .unwrap_or(start);
    let mut end = end.max(word_end).max(start);
    if end == start {
        // Punctuation (a quote, a parenthesis): show that one character.
        end = text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8());
    }
    let found = text.get(start..end).unwrap_or("");
    let expected = match (&words, &error.variant) {
        (Some(words), _) => words.clone(),
        (None, pest::error::ErrorVariant::ParsingError { positives, .. }) => {
            describe_expected(positives)
        }
        (None, pest::error::ErrorVariant::CustomError { message }) => message.clone(),
    };
    let continues_expression = words.is_none()
        && matches!(&error.variant, pest::error::ErrorVariant::ParsingError { positives, .. }
        if positives.contains(&Rule::kw_and) || positives.contains(&Rule::add_op));
    let expected = if continues_expression {
        "more of the condition, or `because \"message\"` to finish the rule".to_string()
    } else {
        expected
    };
    let message = if found.is_empty() {
        format!("expected {expected}, found the end of the file")
    } else if found.trim().is_empty() {
        format!("expected {expected}, found the end of the line")
    } else {
        format!("expected {expected}, found `{found}`")
    };
    SyntaxError::Grammar {
        message,
        span: Span::new(file, start, end),
        help: help_for(found).or_else(|| after_a_closed_message(text, start)),
    }
}

/// The literal words and signs pest tried where it got furthest (its tokens, as it
/// displays them), as a readable list (`` `counted` ``); layout (spaces, line breaks,
/// comments), character classes and ranges left out. Empty when it tried none.
fn expected_words<T: std::fmt::Display>(tokens: &[T]) -> String {
    let mut words: Vec<String> = tokens
        .iter()
        .map(ToString::to_string)
        .filter(|token| {
            let layout = token.chars().all(|c| c.is_whitespace() || c == '\u{FEFF}');
            let class = token == "BUILTIN_RULE"
                || (token.chars().count() == 4 && token.chars().skip(1).take(2).all(|c| c == '.'));
            // One letter, digit or `_`: a character of a name, not a word.
            let name_char = token.chars().count() == 1
                && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            !layout && !class && !name_char && token != "#"
        })
        .map(|token| format!("`{token}`"))
        .collect();
    words.sort_unstable();
    words.dedup();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A string that starts at `start` and does not end on its line: the usual cause of
/// "expected a quoted string".
fn unclosed_string(file: u32, text: &str, start: usize) -> Option<SyntaxError> {
    let rest = text.get(start..)?;
    let line = rest.split('\n').next().unwrap_or("");
    let first = scan::regions(line).next()?;
    if first.kind != (scan::Kind::String { closed: false }) {
        return None;
    }
    let end = start + line.trim_end().len();
    Some(SyntaxError::Grammar {
        message: "this string is never closed".to_string(),
        span: Span::new(file, start, end),
        help: Some(
            "a string ends with `\"` on the line where it starts; write `\\\"` for a quote inside it"
                .to_string(),
        ),
    })
}

/// Hints for common slips.
fn help_for(found: &str) -> Option<String> {
    let hint = match found {
        "&&" | "&" => "write `and`",
        "||" | "|" => "write `or`",
        "!" => "write `not`",
        "==" => "write `is` (or `=` to compare numbers)",
        "allow" | "allows" | "grant" => "a rule allows with `permit`",
        "deny" | "denies" => "a rule denies with `forbid` (or `reject` for an unusable request)",
        "'" => "strings use double quotes: \"...\"",
        _ if found.starts_with('\'') => "strings use double quotes: \"...\"",
        _ if found.starts_with("//") => "comments start with `#`",
        _ => return None,
    };
    Some(hint.to_string())
}

/// The hint for a word right after a message's closing quote on a `because` line: a
/// quote inside the message (a quoted fallback, `{x or "none"}`) ended it early.
fn after_a_closed_message(text: &str, at: usize) -> Option<String> {
    let before = text.get(..at)?;
    let line = before.rsplit('\n').next().unwrap_or(before);
    if !line.trim_end().ends_with('"') || !line.contains("because \"") {
        return None;
    }
    Some(
        "the message ended at the `\"` before this word: write `\\\"` for a quote inside a message, \
         and a fallback without quotes, such as `{customer.name or the customer}`"
            .to_string(),
    )
}

/// A readable list of what the grammar expected; a rule without a description is left
/// out when others say what was expected.
fn describe_expected(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = rules.iter().map(|r| describe_rule(*r)).collect();
    names.sort_unstable();
    names.dedup();
    if names.len() > 1 {
        names.retain(|name| *name != SOMETHING_ELSE);
    }
    match names.as_slice() {
        [] => SOMETHING_ELSE.to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

fn describe_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::actions_decl
        | Rule::roles_decl
        | Rule::input_decl
        | Rule::markets_decl
        | Rule::window_decl
        | Rule::link_decl
        | Rule::require_decl
        | Rule::let_decl
        | Rule::fact_decl
        | Rule::rule_decl
        | Rule::constant_decl
        | Rule::otherwise_decl => "a declaration (rule, fact, let, constant, window, link, markets, roles, actions, input, require, otherwise)",
        Rule::ident | Rule::name_raw => "a name",
        Rule::path => "a name or field path",
        Rule::rule_id => "a rule id",
        Rule::string | Rule::string_body => "a quoted string",
        Rule::number | Rule::integer => "a number",
        Rule::time_unit => "a unit of time (seconds, minutes, hours, days, weeks)",
        Rule::duration => "a duration such as `60 days`",
        Rule::effect => "`permit`, `forbid` or `reject`",
        Rule::audience => "`to` and the roles",
        Rule::condition | Rule::when_clause | Rule::unless_clause => "`when` or `unless`",
        Rule::named_item => "a name and its display name in quotes",
        Rule::field_decl => "a field declaration such as `order.id \"order ID\" is text`",
        Rule::market_item | Rule::market_code | Rule::market_name => {
            "a market code and its display name"
        }
        Rule::name_languages => "`names in` and the languages of the names, such as `names in en, ko`",
        Rule::language_tag => "a language tag such as `en`, `ko` or `zh-Hant`",
        Rule::own_spelling => "`(own spelling)`",
        Rule::require_item | Rule::require_any => "a field path or `one of` fields",
        Rule::action_set | Rule::every_action => "action names or `every action`",
        Rule::role_group | Rule::role_all | Rule::role_any => "a side and its roles",
        Rule::type_action
        | Rule::type_request_time
        | Rule::type_side
        | Rule::type_roles
        | Rule::type_one_of
        | Rule::type_text
        | Rule::type_time
        | Rule::type_money
        | Rule::type_number
        | Rule::type_count
        | Rule::type_flag
        | Rule::type_guid
        | Rule::type_market => "a field type (text, a time, money, a number, a count, yes or no, a guid, a market, one of ...)",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::sum
        | Rule::product
        | Rule::unary
        | Rule::call
        | Rule::if_expr => "an expression",
        Rule::test_present
        | Rule::test_missing
        | Rule::test_one_of
        | Rule::test_in
        | Rule::test_within
        | Rule::test_before
        | Rule::test_after
        | Rule::test_is
        | Rule::test_contains
        | Rule::test_contains_of
        | Rule::test_not_contains
        | Rule::test_compare
        | Rule::compare_op => "a test (is, is not, is one of, is in, is before, is after, is within, contains, <, >, =)",
        Rule::add_op | Rule::mul_op => "an operator",
        // Each word names itself alone: "expected `and` or `or`, found `and`" contradicted
        // itself where only `or` was expected (an audience).
        Rule::kw_and | Rule::role_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_deny => "`deny`",
        Rule::kw_because => "`because` and the message",
        Rule::kw_any | Rule::kw_all => "`any of` or `all of`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_is => "`is`",
        Rule::in_force | Rule::kw_force => "`in force from DATE` or `in force until DATE`",
        Rule::kw_again => "`again from DATE`",
        Rule::in_force_from | Rule::kw_from => "`from` and a date",
        Rule::in_force_until | Rule::kw_until => "`until` and a date",
        Rule::dated_value => "`, in force from DATE`",
        Rule::as_in_force | Rule::kw_as | Rule::kw_at => "`as in force at` and a time field",
        _ => SOMETHING_ELSE,
    }
}

/// What a grammar rule without a description is called in "expected ...".
const SOMETHING_ELSE: &str = "something else";

#[cfg(test)]
mod tests {
    use super::*;

    /// An `in force` clause without its date says what may follow, in words.
    #[test]
    fn an_in_force_clause_without_a_date_is_explained() {
        let err = parse(0, "rule r in force permit cancel because \"x\"\n").unwrap_err();
        let SyntaxError::Grammar { message, .. } = err else {
            panic!("expected a grammar error");
        };
        assert_eq!(
            message,
            "expected `again from DATE`, `from` and a date or `until` and a date, found `permit`"
        );
    }

    /// Regression (issue 9): a quoted fallback inside a message ended the message, and
    /// the error said "expected a declaration (...), something else or the end of the
    /// file, found `the`" with no hint.
    #[test]
    fn a_quote_inside_a_message_is_explained() {
        let text = "rule r\n  forbid purchase\n  when x is \"AU\"\n  because \"Hello {c.name or \"the customer\"} no\"\n";
        let err = parse(0, text).unwrap_err();
        let SyntaxError::Grammar { message, help, .. } = err else {
            panic!("expected a grammar error");
        };
        assert!(!message.contains("something else"), "{message}");
        assert!(message.contains("constant"), "{message}");
        let help = help.unwrap_or_default();
        assert!(help.contains("the message ended"), "{help}");
    }

    #[test]
    fn a_missing_because_is_reported_where_it_belongs() {
        let text = "rule r permit cancel to partner admin_agent\n  when at is after x\n";
        let err = parse(0, text).unwrap_err();
        let SyntaxError::Grammar { span, message, .. } = err else {
            panic!("expected a grammar error");
        };
        assert_eq!(span.start as usize, text.len());
        assert!(message.contains("end of the file"), "{message}");
    }

    #[test]
    fn deep_parentheses_are_refused_before_parsing() {
        let text = format!("let x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let err = parse(0, &text).unwrap_err();
        assert!(matches!(err, SyntaxError::TooDeep { .. }));
        assert_eq!(err.span().start, 8 + POLICY_NESTING as u32);
    }

    #[test]
    fn long_chains_are_refused_after_parsing() {
        let text = format!("let x = {}", vec!["a"; 500].join(" and "));
        let err = parse(0, &text).unwrap_err();
        assert!(matches!(err, SyntaxError::TooDeep { .. }), "{err:?}");
    }

    #[test]
    fn parentheses_in_strings_and_comments_do_not_count() {
        let text = format!(
            "# {}\notherwise deny because \"{}\"\n",
            "(".repeat(100),
            "(".repeat(100)
        );
        assert!(parse(0, &text).is_ok());
    }

    #[test]
    fn an_unclosed_string_is_named() {
        let err = parse(0, "otherwise deny because \"No rule\n").unwrap_err();
        assert_eq!(err.to_string(), "this string is never closed");
        assert_eq!(err.span().start, 23);
    }

    #[test]
    fn a_missing_keyword_is_named_where_it_is_missing() {
        // Regression: pest placed these at the declaration's first word ("expected a
        // declaration, found `link`").
        let err = parse(0, "link l expires 7 days after at or after 3 uses in x\n").unwrap_err();
        assert_eq!(err.to_string(), "expected `counted`, found `in`");
        assert_eq!(err.span().start, 47);
        let err = parse(0, "window w is 7 days order.purchased_at\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected `from`, found `order.purchased_at`"
        );
        // Not inside a name, where pest tries keywords to tell names from them.
        let err = parse(0, "rule s forbid cancel when a is b or because \"y\"\n").unwrap_err();
        assert_eq!(err.to_string(), "expected an expression, found `because`");
    }

    #[test]
    fn c_style_operators_get_a_hint() {
        let err = parse(0, "let x = a && b").unwrap_err();
        assert_eq!(err.help(), Some("write `and`"));
        assert_eq!(err.span().start, 10);
    }
}
