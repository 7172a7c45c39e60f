//! `csp-policy fmt`: snapshots of messy inputs formatted (`tests/fmt/messy_*.policy`),
//! the default policy being formatted, the command line (`--check` with a diff, rewriting
//! in place, broken and unreadable files, folders), and property tests: random syntax
//! trees printed, parsed back to the same tree and formatted idempotently, with and
//! without comments and stray whitespace added.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path as FsPath, PathBuf};
use std::process::{Command, Output, Stdio};

use csp_policy::fmt::{format_file, format_source, without_spans};
use csp_policy::source::Span;
use csp_policy::syntax::ast::*;
use csp_policy::syntax::parse;
use proptest::prelude::*;

fn manifest(path: &str) -> PathBuf {
    FsPath::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Formats `text`; checks that the result parses to the same tree and formats to itself.
fn format_checked(text: &str) -> String {
    let out = format_source(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let before = without_spans(&parse(0, text).unwrap());
    let after = without_spans(&parse(0, &out).unwrap());
    assert_eq!(before, after, "the meaning changed:\n{out}");
    assert_eq!(format_source(&out).unwrap(), out, "not idempotent:\n{out}");
    out
}

#[test]
fn formatted() {
    insta::glob!("fmt/messy_*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(format_checked(&text));
    });
}

#[test]
fn the_default_policy_is_formatted() {
    let folder = manifest("policies/csp-software");
    let mut count = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "policy") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                format_checked(&text),
                text,
                "{} is not formatted: run `csp-policy fmt {}`",
                path.display(),
                folder.display()
            );
            count += 1;
        }
    }
    assert!(count > 0, "no policy file in {}", folder.display());
}

// ---- the command line ----------------------------------------------------------------

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("csp-policy-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `csp-policy ARGS` in `dir`.
fn run_in(dir: &FsPath, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csp-policy"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const MESSY: &str = "# Buying.\nrule buy permit purchase to partner admin_agent when at is present because \"Yes.\"\nlet a=1\nlet b = (a)\n";

#[test]
fn check_prints_a_diff_and_exits_1_without_touching_the_file() {
    let dir = scratch("check");
    std::fs::write(dir.join("messy.policy"), MESSY).unwrap();
    let output = run_in(&dir, &["fmt", "--check", "messy.policy"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
    assert!(stderr(&output).contains("1 of 1 file(s) would be reformatted"));
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.policy")).unwrap(),
        MESSY
    );
}

#[test]
fn fmt_rewrites_changed_files_in_place_and_says_which() {
    let dir = scratch("rewrite");
    let formatted = format_source(MESSY).unwrap();
    std::fs::write(dir.join("messy.policy"), MESSY).unwrap();
    std::fs::write(dir.join("clean.policy"), &formatted).unwrap();
    let output = run_in(&dir, &["fmt", "messy.policy", "clean.policy"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "formatted messy.policy\n");
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.policy")).unwrap(),
        formatted
    );
    // Now everything is formatted.
    let output = run_in(&dir, &["fmt", "--check", "messy.policy", "clean.policy"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_untouched() {
    let dir = scratch("broken");
    let broken = std::fs::read_to_string(manifest("tests/fmt/err_broken.policy")).unwrap();
    std::fs::write(dir.join("broken.policy"), &broken).unwrap();
    std::fs::write(dir.join("messy.policy"), MESSY).unwrap();
    for check in [true, false] {
        let mut args = vec!["fmt"];
        if check {
            args.push("--check");
        }
        args.push("broken.policy");
        let output = run_in(&dir, &args);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(stdout(&output), "");
        // Reported as `check` reports it: the location first, then the line and the hint.
        let err = stderr(&output);
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("broken.policy:4:34: error[syntax]"),
            "{err}"
        );
        assert!(err.contains("cancellation && order.id"), "{err}");
        assert!(err.contains("write `and`"), "{err}");
        let check = stderr(&run_in(&dir, &["check", "--policy", "broken.policy"]));
        assert!(check.contains(err.trim_end()), "{check}\n---\n{err}");
        assert_eq!(
            std::fs::read_to_string(dir.join("broken.policy")).unwrap(),
            broken
        );
    }
    // The other files are still formatted.
    let output = run_in(&dir, &["fmt", "broken.policy", "messy.policy"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "formatted messy.policy\n");
}

#[test]
fn an_unreadable_file_exits_2() {
    let dir = scratch("unreadable");
    std::fs::write(dir.join("messy.policy"), MESSY).unwrap();
    std::fs::write(dir.join("latin1.policy"), b"let x = \"\xe9\"\n").unwrap();
    let output = run_in(&dir, &["fmt", "--check", "missing.policy", "messy.policy"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("error: cannot read missing.policy"));
    // The readable file was still checked.
    assert!(stdout(&output).contains("+++ messy.policy (formatted)"));
    let output = run_in(&dir, &["fmt", "latin1.policy"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not UTF-8"), "{}", stderr(&output));
}

#[test]
fn folders_are_formatted_file_by_file_without_recursion() {
    let dir = scratch("folder");
    let policies = dir.join("policies");
    std::fs::create_dir_all(policies.join("nested")).unwrap();
    std::fs::write(policies.join("b.policy"), MESSY).unwrap();
    std::fs::write(policies.join("a.policy"), "let x=1").unwrap();
    std::fs::write(policies.join("notes.txt"), "let x=1").unwrap();
    std::fs::write(policies.join("nested/c.policy"), "let x=1").unwrap();
    let output = run_in(&dir, &["fmt", "policies"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let sep = std::path::MAIN_SEPARATOR;
    assert_eq!(
        stdout(&output),
        format!("formatted policies{sep}a.policy\nformatted policies{sep}b.policy\n")
    );
    assert_eq!(
        std::fs::read_to_string(policies.join("a.policy")).unwrap(),
        "let x = 1\n"
    );
    assert_eq!(
        std::fs::read_to_string(policies.join("notes.txt")).unwrap(),
        "let x=1"
    );
    assert_eq!(
        std::fs::read_to_string(policies.join("nested/c.policy")).unwrap(),
        "let x=1"
    );
    // A folder without policy files cannot be formatted.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let output = run_in(&dir, &["fmt", "empty"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("holds no .policy file"));
}

#[test]
fn the_default_policy_folder_passes_check() {
    let output = run_in(&manifest("."), &["fmt", "--check", "policies/csp-software"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

// ---- property tests ------------------------------------------------------------------

/// Names that are not keywords, some of them awkward: unit words, `one`, article-like
/// and keyword-prefixed names.
fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "an", "x1", "_y", "order", "days", "week", "one", "the", "text", "note", "rule",
        "let", "input", "action", "partner", "isx", "notable", "order_id", "oregon",
    ])
    .prop_map(str::to_string)
}

fn name() -> impl Strategy<Value = Name> {
    ident().prop_map(|text| Name {
        text,
        span: Span::default(),
    })
}

/// A path: an identifier, then segments that may be keywords.
fn path() -> impl Strategy<Value = Path> {
    let segment = prop_oneof![
        ident(),
        prop::sample::select(vec!["is", "in", "and", "not", "end", "days_left"])
            .prop_map(str::to_string),
    ];
    (ident(), prop::collection::vec(segment, 0..3)).prop_map(|(first, rest)| {
        let mut segments = vec![first];
        segments.extend(rest);
        Path {
            segments,
            span: Span::default(),
        }
    })
}

/// Any string value: quotes, backslashes, brace escapes, line breaks, tabs, hashes.
fn string() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a", " ", "\"", "\\", "\\{", "\\}", "{", "}", "{x}", "\n", "\t", "#", "é", "😀", "\r",
        "u{1}",
    ]);
    prop::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// A string that is not a message: only its value counts (`without_spans` drops its
/// spelling).
fn text() -> impl Strategy<Value = Text> {
    string().prop_map(|value| Text {
        value,
        raw: String::new(),
        span: Span::default(),
    })
}

/// A message: its spelling as written counts (placeholders and brace escapes), in the
/// canonical form the formatter writes.
fn message() -> impl Strategy<Value = Text> {
    let piece = prop::sample::select(vec![
        "a", " ", "\\\"", "\\\\", "\\{", "\\}", "{", "}", "{x}", "\\n", "\\t", "#", "é", "😀", "\r",
    ]);
    prop::collection::vec(piece, 0..6).prop_map(|pieces| {
        let raw = pieces.concat();
        let mut value = String::new();
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(other) => value.push(other),
                None => {}
            }
        }
        Text {
            value,
            raw,
            span: Span::default(),
        }
    })
}

/// A duration written out or named by a constant.
fn fixed_duration() -> impl Strategy<Value = Fixed<DurationLit>> {
    prop_oneof![
        duration().prop_map(Fixed::Literal),
        name().prop_map(Fixed::Named),
    ]
}

/// A count written out or named by a constant.
fn fixed_count() -> impl Strategy<Value = Fixed<u64>> {
    prop_oneof![
        any::<u64>().prop_map(Fixed::Literal),
        name().prop_map(Fixed::Named)
    ]
}

fn duration() -> impl Strategy<Value = DurationLit> {
    let unit = prop::sample::select(vec![
        TimeUnit::Second,
        TimeUnit::Minute,
        TimeUnit::Hour,
        TimeUnit::Day,
        TimeUnit::Week,
    ]);
    (0u64..1000, unit).prop_map(|(amount, unit)| DurationLit {
        amount,
        unit,
        span: Span::default(),
    })
}

fn ex(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// Expressions of every kind, a few levels deep.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        "[0-9]{1,3}(\\.[0-9]{1,2})?".prop_map(ExprKind::Number),
        ("[0-9]{1,6}(\\.[0-9]{1,3})?", "[A-Z]{3}").prop_map(|(amount, code)| {
            ExprKind::Money(
                amount,
                Name {
                    text: code,
                    span: Span::default(),
                },
            )
        }),
        string().prop_map(ExprKind::Text),
        any::<bool>().prop_map(ExprKind::Bool),
        duration().prop_map(ExprKind::Duration),
        path().prop_map(ExprKind::Path),
        path().prop_map(ExprKind::Path),
    ]
    .prop_map(ex);
    leaf.prop_recursive(4, 24, 3, |inner| {
        let arith =
            prop::sample::select(vec![ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div]);
        let compare = prop::sample::select(vec![
            CompareOp::Less,
            CompareOp::LessOrEqual,
            CompareOp::Greater,
            CompareOp::GreaterOrEqual,
            CompareOp::Equal,
            CompareOp::NotEqual,
        ]);
        let two = (inner.clone(), inner.clone(), any::<bool>());
        prop_oneof![
            3 => (name(), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(n, args)| ExprKind::Call(n, args)),
            2 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| ExprKind::If(bx(c), bx(a), bx(b))),
            1 => inner.clone().prop_map(|x| ExprKind::Negate(bx(x))),
            1 => (arith, inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| ExprKind::Arith(op, bx(a), bx(b))),
            1 => inner.clone().prop_map(|x| ExprKind::Not(bx(x))),
            1 => prop::collection::vec(inner.clone(), 2..4).prop_map(ExprKind::And),
            1 => prop::collection::vec(inner.clone(), 2..4).prop_map(ExprKind::Or),
            1 => inner.clone().prop_map(|x| ExprKind::Present(bx(x))),
            1 => inner.clone().prop_map(|x| ExprKind::Missing(bx(x))),
            1 => two.clone()
                .prop_map(|(a, b, n)| ExprKind::Is(bx(a), bx(b), n)),
            1 => two.clone()
                .prop_map(|(a, b, n)| ExprKind::Before(bx(a), bx(b), n)),
            1 => two.clone()
                .prop_map(|(a, b, n)| ExprKind::After(bx(a), bx(b), n)),
            1 => two.prop_map(|(a, b, n)| ExprKind::Contains(bx(a), bx(b), n)),
            1 => (
                inner.clone(),
                prop::collection::vec(inner.clone(), 1..3),
                any::<bool>()
            )
                .prop_map(|(x, roles, all)| ExprKind::ContainsOf(bx(x), roles, all)),
            2 => (
                inner.clone(),
                prop::collection::vec(inner.clone(), 1..3),
                any::<bool>()
            )
                .prop_map(|(x, options, n)| ExprKind::OneOf(bx(x), options, n)),
            1 => (inner.clone(), name(), any::<bool>())
                .prop_map(|(x, list, n)| ExprKind::In(bx(x), list, n)),
            1 => (inner.clone(), name(), any::<bool>())
                .prop_map(|(x, w, n)| ExprKind::Within(bx(x), w, n)),
            1 => (compare, inner.clone(), inner)
                .prop_map(|(op, a, b)| ExprKind::Compare(op, bx(a), bx(b))),
        ]
        .prop_map(ex)
    })
}

fn actions() -> impl Strategy<Value = ActionSet> {
    prop_oneof![
        1 => Just(ActionSet::Every(Span::default())),
        3 => prop::collection::vec(name(), 1..3).prop_map(ActionSet::Listed),
    ]
}

fn named_list() -> impl Strategy<Value = NamedList> {
    prop::collection::vec((name(), text()), 0..4).prop_map(|items| NamedList {
        items,
        span: Span::default(),
    })
}

fn field_type() -> impl Strategy<Value = FieldType> {
    prop_oneof![
        Just(FieldType::Action),
        Just(FieldType::RequestTime),
        Just(FieldType::Side),
        Just(FieldType::Roles),
        prop::collection::vec(name(), 1..3).prop_map(FieldType::OneOf),
        Just(FieldType::Text),
        Just(FieldType::Time),
        Just(FieldType::Money(None)),
        path().prop_map(|p| FieldType::Money(Some(p))),
        Just(FieldType::Number),
        Just(FieldType::Count),
        Just(FieldType::Flag),
        Just(FieldType::Guid),
        Just(FieldType::Market),
    ]
}

fn field() -> impl Strategy<Value = FieldDecl> {
    (
        path(),
        prop::option::of(text()),
        field_type(),
        prop::option::of(text()),
    )
        .prop_map(|(path, label, ty, note)| FieldDecl {
            path,
            label,
            // The grammar cannot read a note after a `one of` list (the list takes the
            // comma), so the parser never produces one.
            note: if matches!(ty, FieldType::OneOf(_)) {
                None
            } else {
                note
            },
            ty,
            ty_span: Span::default(),
        })
}

fn requirement() -> impl Strategy<Value = Requirement> {
    (
        prop::collection::vec(path(), 1..3),
        prop::option::of(expr()),
    )
        .prop_map(|(any_of, when)| Requirement {
            any_of,
            when,
            span: Span::default(),
        })
}

fn rule() -> impl Strategy<Value = RuleDecl> {
    let effect = prop::sample::select(vec![Effect::Permit, Effect::Forbid, Effect::Reject]);
    // `and` joins two roles or more; one role or none reads as any-of.
    let group = (name(), prop::collection::vec(name(), 0..3), any::<bool>()).prop_map(
        |(side, roles, all)| RoleGroup {
            all: all && roles.len() > 1,
            side,
            roles,
        },
    );
    let condition = prop_oneof![
        expr().prop_map(Condition::When),
        expr().prop_map(Condition::Unless),
    ];
    (
        "[a-z][a-z0-9_-]{0,8}",
        effect,
        actions(),
        prop::option::of(prop::collection::vec(group, 1..3)),
        prop::option::of(condition),
        message(),
        in_force(),
    )
        .prop_map(
            |(id, effect, actions, audience, condition, message, in_force)| RuleDecl {
                id: Name {
                    text: id,
                    span: Span::default(),
                },
                in_force,
                effect,
                effect_span: Span::default(),
                actions,
                audience,
                condition,
                message,
                span: Span::default(),
            },
        )
}

/// An optional `in force` clause: dates and instants (written as the lowering keeps
/// them), `again` only with `from`.
fn in_force() -> impl Strategy<Value = Option<InForce>> {
    let moment = prop_oneof![
        "20[0-9]{2}-0[1-9]-[12][0-9]",
        "20[0-9]{2}-0[1-9]-[12][0-9]T[01][0-9]:[0-5][0-9]:[0-5][0-9]Z",
    ]
    .prop_map(|text| Name {
        text,
        span: Span::default(),
    });
    prop::option::of(
        (
            prop::option::of(moment.clone()),
            prop::option::of(moment),
            any::<bool>(),
        )
            .prop_map(|(from, until, again)| {
                let until = if from.is_none() && until.is_none() {
                    Some(Name {
                        text: "2030-01-01".into(),
                        span: Span::default(),
                    })
                } else {
                    until
                };
                InForce {
                    again: again && from.is_some(),
                    from,
                    until,
                    span: Span::default(),
                }
            }),
    )
}

/// An optional dating of a window or link.
fn dated() -> impl Strategy<Value = Option<Dated>> {
    (in_force(), prop::option::of(path())).prop_map(|(in_force, selected_at)| {
        in_force.map(|in_force| Dated {
            in_force,
            selected_at,
        })
    })
}

fn declaration() -> impl Strategy<Value = Declaration> {
    let market_name =
        (text(), any::<bool>()).prop_map(|(text, own_spelling)| MarketName { text, own_spelling });
    let entry = (
        "[A-Z][A-Z0-9]{0,2}",
        prop::collection::vec(market_name, 1..3),
    )
        .prop_map(|(code, names)| MarketEntry {
            code: Name {
                text: code,
                span: Span::default(),
            },
            names,
        });
    let language = "[a-z]{2,3}(-[A-Za-z0-9]{2,4})?".prop_map(|text| Name {
        text,
        span: Span::default(),
    });
    prop_oneof![
        named_list().prop_map(Declaration::Actions),
        (name(), named_list()).prop_map(|(side, roles)| Declaration::Roles { side, roles }),
        prop::collection::vec(field(), 0..4).prop_map(Declaration::Input),
        (
            name(),
            text(),
            prop::collection::vec(language, 0..3),
            prop::collection::vec(entry, 0..4),
            in_force(),
        )
            .prop_map(|(name, title, languages, entries, in_force)| {
                Declaration::Markets(MarketsDecl {
                    name,
                    title,
                    in_force,
                    languages,
                    entries,
                })
            }),
        (name(), fixed_duration(), path(), dated()).prop_map(|(name, length, start, dated)| {
            Declaration::Window(WindowDecl {
                name,
                length,
                start,
                dated,
            })
        }),
        (
            name(),
            fixed_duration(),
            path(),
            fixed_count(),
            path(),
            dated()
        )
            .prop_map(
                |(name, lifetime, issued, limit, used, dated)| Declaration::Link(LinkDecl {
                    name,
                    lifetime,
                    issued,
                    limit,
                    limit_span: Span::default(),
                    used,
                    dated,
                })
            ),
        (
            actions(),
            in_force(),
            prop::collection::vec(requirement(), 0..4)
        )
            .prop_map(
                |(actions, in_force, items)| Declaration::Require(RequireDecl {
                    actions,
                    in_force,
                    items
                })
            ),
        (name(), expr()).prop_map(|(name, value)| Declaration::Let(LetDecl { name, value })),
        (name(), expr())
            .prop_map(|(name, value)| Declaration::Constant(ConstantDecl { name, value })),
        (name(), actions(), in_force(), expr()).prop_map(|(name, actions, in_force, value)| {
            Declaration::Fact(FactDecl {
                name,
                actions,
                in_force,
                value,
            })
        }),
        rule().prop_map(Declaration::Rule),
        (prop::option::of(actions()), message()).prop_map(|(actions, message)| {
            Declaration::Otherwise(OtherwiseDecl { actions, message })
        }),
    ]
}

fn policy() -> impl Strategy<Value = PolicyFile> {
    prop::collection::vec(declaration(), 0..6).prop_map(|declarations| PolicyFile { declarations })
}

/// Spoils a formatted text without changing its meaning: random indentation, blank
/// lines, and comments on their own lines and at the ends of lines. Lines never start or
/// end inside a string, so this is always safe.
fn spoil(text: &str, noise: &[u8]) -> (String, usize) {
    let mut out = String::new();
    let mut comments = 0;
    for (i, line) in text.lines().enumerate() {
        let n = noise.get(i % noise.len().max(1)).copied().unwrap_or(0);
        if n & 1 == 1 {
            out.push_str(&format!("{}# above {i}\n", " ".repeat(usize::from(n % 5))));
            comments += 1;
        }
        if n & 2 == 2 {
            out.push('\n');
        }
        out.push_str(&" ".repeat(usize::from(n / 16)));
        out.push_str(line.trim_start());
        if n & 4 == 4 {
            out.push_str(&format!(" # after {i}"));
            comments += 1;
        }
        out.push('\n');
    }
    (out, comments)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printed_trees_parse_back_to_themselves(file in policy()) {
        let printed = format_file(&file);
        let parsed = parse(0, &printed).map_err(|e| TestCaseError::fail(format!("{e}\n{printed}")))?;
        prop_assert_eq!(without_spans(&parsed), file, "{}", printed);
        let again = format_source(&printed).map_err(|e| TestCaseError::fail(format!("{e}\n{printed}")))?;
        prop_assert_eq!(again, printed);
    }

    #[test]
    fn comments_and_stray_whitespace_change_nothing_but_layout(
        file in policy(),
        noise in prop::collection::vec(any::<u8>(), 1..16),
    ) {
        let (messy, comments) = spoil(&format_file(&file), &noise);
        // `format_source` itself checks the tree and that every comment is kept.
        let formatted = format_source(&messy).map_err(|e| TestCaseError::fail(format!("{e}\n{messy}")))?;
        prop_assert_eq!(formatted.matches("# above ").count() + formatted.matches("# after ").count(), comments);
        let parsed = parse(0, &formatted).map_err(|e| TestCaseError::fail(format!("{e}\n{formatted}")))?;
        prop_assert_eq!(without_spans(&parsed), file);
        let again = format_source(&formatted).map_err(|e| TestCaseError::fail(format!("{e}\n{formatted}")))?;
        prop_assert_eq!(again, formatted, "{}", messy);
    }
}
