//! Expressions and string literals printed back as policy text, with the fewest
//! parentheses that keep the same syntax tree and make its reading plain.
//!
//! Some parentheses the tree does not need stay for the reader: around the operand of
//! `not` when it is a test or arithmetic (`not (a = b)`), and around an `and` inside an
//! `or` (`a or (b and c)`).
//!
//! Precedence, loosest first: `or` < `and` < `not` < tests (`is`, `is one of`,
//! `contains`, `<`, ...) < `+` `-` < `*` `/` < unary `-` < atoms. A child looser than its
//! place gets parentheses; so does the right operand of a left-associative operator at
//! the same level (`a - (b - c)`), and a nested `and`/`or` chain (the parser flattens
//! `a and b and c`, so `(a and b) and c` is a different tree).
//!
//! Two constructs are open on the right and need parentheses by what *follows* them,
//! not by precedence: `if ... else X` takes everything after `else` as `X`, so an `if`
//! followed by an operator is parenthesised; `is one of A, B` takes every `, C` after it,
//! so a `one of` test followed by a comma (a call argument) is parenthesised.

use crate::syntax::ast::{ArithOp, CompareOp, DurationLit, Expr, ExprKind};

const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const TEST: u8 = 4;
const SUM: u8 = 5;
const PRODUCT: u8 = 6;
const UNARY: u8 = 7;
const ATOM: u8 = 8;

/// What the printed expression is followed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Follow {
    /// Nothing that could continue it: the end, `)`, `then`, `else`, `because`, a new
    /// item or declaration.
    End,
    /// A comma (call arguments, `one of` options).
    Comma,
    /// An operator or a test keyword.
    Op,
}

/// The expression as policy text on one line.
pub(crate) fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write(&mut out, e, OR, Follow::End);
    out
}

/// A string literal: quotes, with `"`, `\`, line breaks and tabs escaped.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    push_escaped(&mut out, value);
    out.push('"');
    out
}

/// Appends `value` with `"`, `\`, line breaks and tabs escaped.
fn push_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
}

/// A message as written ([`Text::raw`](crate::syntax::ast::Text)), in quotes and in the
/// canonical spelling: placeholders and brace escapes (`\{`, `\}`) as written, every
/// other escape resolved and written as [`quote`] writes it (`\u{e9}` becomes `é`).
pub(crate) fn quote_message(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    out.push('"');
    out.push_str(&canonical_message(raw));
    out.push('"');
    out
}

/// The canonical spelling of a message's text as written (see [`quote_message`]).
pub(crate) fn canonical_message(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c != '\\' {
            out.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or("");
            continue;
        }
        let len = match rest.get(1..2) {
            Some("u") => rest.find('}').map_or(rest.len(), |i| i + 1),
            _ => {
                1 + rest
                    .get(1..)
                    .and_then(|r| r.chars().next())
                    .map_or(0, char::len_utf8)
            }
        };
        let written = rest.get(..len).unwrap_or(rest);
        match written {
            "\\{" | "\\}" => out.push_str(written),
            _ => match crate::syntax::unescape(written) {
                Ok(value) => push_escaped(&mut out, &value),
                Err(_) => out.push_str(written),
            },
        }
        rest = rest.get(len..).unwrap_or("");
    }
    out
}

/// A duration literal: `60 days`, `1 week`.
pub(crate) fn duration(d: &DurationLit) -> String {
    format!("{} {}", d.amount, d.unit.name(d.amount))
}

fn level(kind: &ExprKind) -> u8 {
    match kind {
        ExprKind::Or(_) => OR,
        ExprKind::And(_) => AND,
        ExprKind::Not(_) => NOT,
        ExprKind::Present(_)
        | ExprKind::Missing(_)
        | ExprKind::Is(..)
        | ExprKind::OneOf(..)
        | ExprKind::In(..)
        | ExprKind::Within(..)
        | ExprKind::Before(..)
        | ExprKind::After(..)
        | ExprKind::Contains(..)
        | ExprKind::ContainsOf(..)
        | ExprKind::Compare(..) => TEST,
        ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => SUM,
        ExprKind::Arith(ArithOp::Mul | ArithOp::Div, ..) => PRODUCT,
        ExprKind::Negate(_) | ExprKind::Whole(..) => UNARY,
        ExprKind::Number(_)
        | ExprKind::Money(..)
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::Duration(_)
        | ExprKind::Instant(_)
        | ExprKind::Date(_)
        | ExprKind::Path(_)
        | ExprKind::Call(..)
        | ExprKind::If(..) => ATOM,
    }
}

/// Writes `e` where the grammar expects level `min` and `follow` comes next.
fn write(out: &mut String, e: &Expr, min: u8, follow: Follow) {
    let open_right = matches!(
        (&e.kind, follow),
        (ExprKind::If(..), Follow::Op)
            | (
                ExprKind::OneOf(..) | ExprKind::ContainsOf(..),
                Follow::Comma
            )
    );
    if level(&e.kind) < min || open_right {
        out.push('(');
        write_bare(out, e, Follow::End);
        out.push(')');
    } else {
        write_bare(out, e, follow);
    }
}

fn write_bare(out: &mut String, e: &Expr, follow: Follow) {
    match &e.kind {
        ExprKind::Number(n) => out.push_str(n),
        // The amount as written, one space, the code: `10000.00 USD`.
        ExprKind::Money(n, code) => {
            out.push_str(n);
            out.push(' ');
            out.push_str(&code.text);
        }
        ExprKind::Text(t) => out.push_str(&quote(t)),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Duration(d) => out.push_str(&duration(d)),
        // As written (the parser puts the RFC 3339 letters in capitals); the offset is
        // kept, and the checker converts it exactly.
        ExprKind::Instant(t) => out.push_str(t),
        ExprKind::Date(t) => out.push_str(t),
        ExprKind::Whole(unit, x) => {
            out.push_str("whole ");
            out.push_str(unit.name(2));
            out.push_str(" in ");
            write(out, x, UNARY, follow);
        }
        ExprKind::Path(p) => out.push_str(&p.dotted()),
        ExprKind::Call(name, args) => {
            out.push_str(&name.text);
            out.push('(');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let next = if i + 1 == args.len() {
                    Follow::End
                } else {
                    Follow::Comma
                };
                write(out, arg, OR, next);
            }
            out.push(')');
        }
        ExprKind::If(cond, then, other) => {
            out.push_str("if ");
            write(out, cond, OR, Follow::End);
            out.push_str(" then ");
            write(out, then, OR, Follow::End);
            out.push_str(" else ");
            write(out, other, OR, follow);
        }
        ExprKind::Negate(x) => {
            out.push('-');
            write(out, x, UNARY, follow);
        }
        ExprKind::Arith(op, lhs, rhs) => {
            let (symbol, left, right) = match op {
                ArithOp::Add => ("+", SUM, PRODUCT),
                ArithOp::Sub => ("-", SUM, PRODUCT),
                ArithOp::Mul => ("*", PRODUCT, UNARY),
                ArithOp::Div => ("/", PRODUCT, UNARY),
            };
            write(out, lhs, left, Follow::Op);
            out.push(' ');
            out.push_str(symbol);
            out.push(' ');
            write(out, rhs, right, follow);
        }
        ExprKind::Not(x) => {
            out.push_str("not ");
            // `not a = b` reads as `(not a) = b`: a test or arithmetic under `not` keeps
            // its parentheses for the reader.
            let min = if matches!(level(&x.kind), TEST | SUM | PRODUCT) {
                UNARY
            } else {
                NOT
            };
            write(out, x, min, follow);
        }
        ExprKind::And(parts) => chain(out, parts, " and ", NOT, follow),
        // `a or b and c` relies on `and` binding tighter: a reader sees `a or (b and c)`.
        ExprKind::Or(parts) => chain(out, parts, " or ", NOT, follow),
        ExprKind::Present(x) => {
            write(out, x, SUM, Follow::Op);
            out.push_str(" is present");
        }
        ExprKind::Missing(x) => {
            write(out, x, SUM, Follow::Op);
            out.push_str(" is missing");
        }
        ExprKind::Is(x, y, negated) => {
            binary_test(out, x, if *negated { "is not" } else { "is" }, y, follow);
        }
        ExprKind::Before(x, y, negated) => {
            let word = if *negated {
                "is not before"
            } else {
                "is before"
            };
            binary_test(out, x, word, y, follow);
        }
        ExprKind::After(x, y, negated) => {
            let word = if *negated { "is not after" } else { "is after" };
            binary_test(out, x, word, y, follow);
        }
        ExprKind::Contains(x, y, negated) => {
            let word = if *negated {
                "does not contain"
            } else {
                "contains"
            };
            binary_test(out, x, word, y, follow);
        }
        ExprKind::Compare(op, x, y) => binary_test(out, x, compare_symbol(*op), y, follow),
        ExprKind::OneOf(x, options, negated) => {
            let word = if *negated {
                " is not one of "
            } else {
                " is one of "
            };
            list_test(out, x, word, options, follow);
        }
        ExprKind::ContainsOf(x, options, all) => {
            let word = if *all {
                " contains all of "
            } else {
                " contains any of "
            };
            list_test(out, x, word, options, follow);
        }
        ExprKind::In(x, list, negated) => {
            write(out, x, SUM, Follow::Op);
            out.push_str(if *negated { " is not in " } else { " is in " });
            out.push_str(&list.text);
        }
        ExprKind::Within(x, window, negated) => {
            write(out, x, SUM, Follow::Op);
            out.push_str(if *negated {
                " is not within "
            } else {
                " is within "
            });
            out.push_str(&window.text);
        }
    }
}

fn chain(out: &mut String, parts: &[Expr], separator: &str, min: u8, follow: Follow) {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        let next = if i + 1 == parts.len() {
            follow
        } else {
            Follow::Op
        };
        write(out, part, min, next);
    }
}

/// `x WORD a, b, c`: a test of one operand against a comma-separated list.
fn list_test(out: &mut String, x: &Expr, word: &str, options: &[Expr], follow: Follow) {
    write(out, x, SUM, Follow::Op);
    out.push_str(word);
    for (i, option) in options.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let next = if i + 1 == options.len() {
            follow
        } else {
            Follow::Comma
        };
        write(out, option, SUM, next);
    }
}

fn binary_test(out: &mut String, x: &Expr, word: &str, y: &Expr, follow: Follow) {
    write(out, x, SUM, Follow::Op);
    out.push(' ');
    out.push_str(word);
    out.push(' ');
    write(out, y, SUM, follow);
}

fn compare_symbol(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Less => "<",
        CompareOp::LessOrEqual => "<=",
        CompareOp::Greater => ">",
        CompareOp::GreaterOrEqual => ">=",
        CompareOp::Equal => "=",
        CompareOp::NotEqual => "!=",
    }
}

/// Whether the printed expression ends with an integer (`5`, `-5`): such an expression
/// followed by a time unit word (`days`) would read back as a duration.
pub(crate) fn ends_with_integer(printed: &str) -> bool {
    let last = printed
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .trim_start_matches('-');
    !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Declaration;
    use crate::syntax::parse;

    /// Parses `let v = TEXT` and prints the value back.
    fn round(text: &str) -> String {
        let file = parse(0, &format!("let v = {text}")).unwrap();
        let Some(Declaration::Let(decl)) = file.declarations.first() else {
            panic!("not a let")
        };
        expr(&decl.value)
    }

    #[test]
    fn redundant_parentheses_go() {
        assert_eq!(round("((a))"), "a");
        assert_eq!(round("(a * b) + c"), "a * b + c");
        assert_eq!(round("(a - b) - c"), "a - b - c");
        assert_eq!(round("(not a) and b"), "not a and b");
        assert_eq!(round("(a + 1) < (b)"), "a + 1 < b");
        assert_eq!(round("f((a), (b or c))"), "f(a, b or c)");
        assert_eq!(round("-(x)"), "-x");
        assert_eq!(round("(if a then b else c)"), "if a then b else c");
        assert_eq!(round("1 + (if a then b else c)"), "1 + if a then b else c");
    }

    #[test]
    fn needed_parentheses_stay() {
        assert_eq!(round("a - (b - c)"), "a - (b - c)");
        assert_eq!(round("a / (b * c)"), "a / (b * c)");
        assert_eq!(round("(a + b) * c"), "(a + b) * c");
        assert_eq!(round("(a or b) and c"), "(a or b) and c");
        assert_eq!(round("(a or b) or c"), "(a or b) or c");
        assert_eq!(round("a and (b and c)"), "a and (b and c)");
        assert_eq!(round("not (a and b)"), "not (a and b)");
        assert_eq!(round("a or (b and c)"), "a or (b and c)");
        assert_eq!(round("a and b or c"), "(a and b) or c");
        assert_eq!(round("not (order.price = 7)"), "not (order.price = 7)");
        assert_eq!(round("not (a is present)"), "not (a is present)");
        assert_eq!(round("not (a contains \"x\")"), "not (a contains \"x\")");
        assert_eq!(round("not (a + b)"), "not (a + b)");
        assert_eq!(round("not (a)"), "not a");
        assert_eq!(round("not (not a)"), "not not a");
        assert_eq!(round("(a is b) is c"), "(a is b) is c");
        assert_eq!(round("x is (not y)"), "x is (not y)");
        assert_eq!(round("-(a + b)"), "-(a + b)");
        assert_eq!(
            round("(if a then b else c) + 1"),
            "(if a then b else c) + 1"
        );
        assert_eq!(
            round("x < (if a then b else c) and d"),
            "x < (if a then b else c) and d"
        );
        assert_eq!(round("f((x is one of a), b)"), "f((x is one of a), b)");
        assert_eq!(round("f(x is one of a, b)"), "f(x is one of a, b)");
        assert_eq!(
            round("-(if a then 1 else 2) * 3"),
            "-(if a then 1 else 2) * 3"
        );
    }

    #[test]
    fn tests_print_with_their_words() {
        for text in [
            "x is present",
            "x is missing",
            "x is not one of a, \"b\", 3",
            "x is in unavailable",
            "x is not within w",
            "x is before y + 2 days",
            "x is not after y",
            "x is not y",
            "x contains \"windows server\"",
            "x does not contain \"a\"",
            "x <= 3",
            "x != -1",
            "if a then 1 week else 3 hours",
            "round(100 * a / b, 2)",
            "f()",
            "true and not false",
        ] {
            assert_eq!(round(text), text);
        }
    }

    #[test]
    fn strings_are_re_escaped() {
        assert_eq!(quote("plain é"), "\"plain é\"");
        assert_eq!(quote("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(quote("line\nbreak\ttab"), r#""line\nbreak\ttab""#);
        // A backslash is always a backslash; braces need no escape outside messages.
        assert_eq!(quote("\\{x\\}"), r#""\\{x\\}""#);
        assert_eq!(quote("{x}"), "\"{x}\"");
        // Messages keep their placeholders and brace escapes; other escapes are
        // resolved and written canonically.
        assert_eq!(
            quote_message(r#"a \"b\" \\{x} \{y\} \u{e9}\t{z}"#),
            r#""a \"b\" \\{x} \{y\} é\t{z}""#
        );
        assert_eq!(
            round(r#""a \"b\" \\ \{c\} \u{e9} \n""#),
            r#""a \"b\" \\ {c} é \n""#
        );
    }

    #[test]
    fn integers_at_the_end_are_seen() {
        assert!(ends_with_integer("x = 5"));
        assert!(ends_with_integer("x = -5"));
        assert!(!ends_with_integer("x = 5.5"));
        assert!(!ends_with_integer("x = a1"));
        assert!(!ends_with_integer("f(5)"));
    }
}
