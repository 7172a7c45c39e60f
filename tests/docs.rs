//! The documentation kept true: `docs/` is checked against the engine on every
//! `cargo test`.
//!
//! - Every ```` ```policy ```` block of `docs/language.md` is loaded after the default
//!   policy's files (or alone, when marked `standalone`) and must check with no
//!   diagnostic at all, and be in the canonical layout of `csp-policy fmt`; a block marked
//!   `error=CODE` or `warning=CODE` must give that diagnostic and no other.
//! - Every ```` ```console ```` block of `docs/*.md` is run: each `$ csp-policy ...`
//!   line is run from the repository root, and what it prints (standard output, then
//!   standard error) must be the lines below it; a line `...` stands for any lines.
//! - Every error code of `RequestError::code` is documented in `docs/decision.md`, and
//!   every option that `csp-policy COMMAND --help` lists is documented in that
//!   command's section of `docs/cli.md`.
//! - Every relative link of the documentation leads to a file (and heading) that exists.
//! - No file of the repository names a path of the machine it was written on.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};
use csp_policy::Severity;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository, as text.
fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// The documentation files: `docs/*.md`, in name order.
fn doc_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("the docs/ folder exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    files.sort();
    files
}

/// A fenced code block: its info string, its text and the line it starts on.
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// The fenced code blocks of a Markdown text.
fn code_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = markdown[..range.start].lines().count() + 1;
                current = Some(Block {
                    info: info.to_string(),
                    text: String::new(),
                    line,
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// What a ```` ```policy ```` block must give when checked.
#[derive(Debug, PartialEq)]
struct PolicyExpectation {
    standalone: bool,
    /// The one diagnostic code expected, with its severity; none: a clean check.
    diagnostic: Option<(Severity, String)>,
}

fn policy_expectation(info: &str) -> Option<PolicyExpectation> {
    let mut words = info.split_whitespace();
    if words.next() != Some("policy") {
        return None;
    }
    let mut expectation = PolicyExpectation {
        standalone: false,
        diagnostic: None,
    };
    for word in words {
        if word == "standalone" {
            expectation.standalone = true;
        } else if let Some(code) = word.strip_prefix("error=") {
            expectation.diagnostic = Some((Severity::Error, code.to_string()));
        } else if let Some(code) = word.strip_prefix("warning=") {
            expectation.diagnostic = Some((Severity::Warning, code.to_string()));
        } else {
            panic!("unknown word `{word}` in the info string `{info}`");
        }
    }
    Some(expectation)
}

/// Checks one policy example; returns what is wrong with it, if anything.
fn check_policy_block(file: &str, block: &Block, expected: &PolicyExpectation) -> Option<String> {
    let name = format!("{file}:{}", block.line);
    let mut sources = if expected.standalone {
        SourceMap::new()
    } else {
        load::embedded_sources()
    };
    sources.add(SourceFile::new(name.clone(), block.text.clone()));
    let loaded = load::compile(sources);
    let got: Vec<(Severity, &str)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code.as_str()))
        .collect();
    let rendered = || loaded.render_diagnostics().join("\n");
    match &expected.diagnostic {
        None if !got.is_empty() => {
            return Some(format!(
                "{name}: the example should check clean, but:\n{}",
                rendered()
            ));
        }
        Some((severity, code)) => {
            let fits = !got.is_empty() && got.iter().all(|(s, c)| s == severity && c == code);
            if !fits {
                return Some(format!(
                    "{name}: the example should give {severity:?} `{code}` only, but gives {got:?}:\n{}",
                    rendered()
                ));
            }
            return None;
        }
        None => {}
    }
    match csp_policy::fmt::format_source(&block.text) {
        Ok(formatted) if formatted == block.text => None,
        Ok(formatted) => Some(format!(
            "{name}: the example is not in the canonical layout; `csp-policy fmt` writes:\n{formatted}"
        )),
        Err(e) => Some(format!("{name}: cannot be formatted: {e}")),
    }
}

#[test]
fn every_policy_example_of_the_language_reference_checks() {
    let file = "docs/language.md";
    let mut problems = Vec::new();
    let mut count = 0;
    for block in code_blocks(&read(file)) {
        let Some(expected) = policy_expectation(&block.info) else {
            continue;
        };
        count += 1;
        problems.extend(check_policy_block(file, &block, &expected));
    }
    assert!(count >= 20, "only {count} policy examples in {file}");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_policy_example_with_a_mistake_is_caught() {
    // The harness itself: a clean example passes, a broken one or a wrong expectation
    // does not.
    let block = |text: &str| Block {
        info: String::new(),
        text: text.to_string(),
        line: 1,
    };
    let clean = PolicyExpectation {
        standalone: false,
        diagnostic: None,
    };
    let good =
        "rule doc-example\n  forbid cancel\n  when order.status is canceled\n  because \"x\"\n";
    assert_eq!(check_policy_block("t.md", &block(good), &clean), None);
    let typo = good.replace("order.status", "order.stauts");
    assert!(check_policy_block("t.md", &block(&typo), &clean).is_some());
    let messy = good.replace("\n  when", " when");
    assert!(check_policy_block("t.md", &block(&messy), &clean).is_some());
    let unknown_field = policy_expectation("policy error=unknown-field").unwrap();
    assert_eq!(
        check_policy_block("t.md", &block(&typo), &unknown_field),
        None
    );
    assert!(check_policy_block("t.md", &block(good), &unknown_field).is_some());
}

/// Runs the binary as a console block shows it: `line` is what follows `$ `.
fn run_console_command(line: &str) -> Result<String, String> {
    if line.contains(['|', '>', '<', '"', '\'', '`', '$', ';', '&']) {
        return Err(format!(
            "`{line}`: console examples run the binary with plain arguments only"
        ));
    }
    let mut words = line.split_whitespace();
    if words.next() != Some("csp-policy") {
        return Err(format!("`{line}`: console examples run `csp-policy` only"));
    }
    let output = Command::new(env!("CARGO_BIN_EXE_csp-policy"))
        .args(words)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("`{line}`: cannot run: {e}"))?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok(text)
}

/// The lines of a text, without trailing spaces and trailing blank lines.
fn lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Whether `actual` is `expected`, where an expected line `...` stands for any lines.
fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((line, rest)) => actual
            .split_first()
            .is_some_and(|(first, others)| first == line && matches(rest, others)),
    }
}

#[test]
fn the_console_matcher_skips_only_where_told() {
    assert!(matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "..."], &["a"]));
    assert!(!matches(&["a", "d"], &["a", "b", "d"]));
    assert!(!matches(&["a"], &["a", "b"]));
}

#[test]
fn every_console_example_prints_what_the_binary_prints() {
    let mut problems = Vec::new();
    let mut count = 0;
    for file in doc_files() {
        for block in code_blocks(&read(&file)) {
            if block.info.trim() != "console" {
                continue;
            }
            // Split the block into commands and the output expected from each.
            let mut commands: Vec<(String, Vec<&str>)> = Vec::new();
            for line in lines(&block.text) {
                match line.strip_prefix("$ ") {
                    Some(command) => commands.push((command.to_string(), Vec::new())),
                    None => match commands.last_mut() {
                        Some((_, expected)) => expected.push(line),
                        None => problems.push(format!(
                            "{file}:{}: a console block starts with `$ `",
                            block.line
                        )),
                    },
                }
            }
            for (command, expected) in commands {
                count += 1;
                match run_console_command(&command) {
                    Err(e) => problems.push(format!("{file}:{}: {e}", block.line)),
                    Ok(actual) if !matches(&expected, &lines(&actual)) => problems.push(format!(
                        "{file}:{}: `{command}` prints:\n{actual}\nbut the documentation says:\n{}",
                        block.line,
                        expected.join("\n")
                    )),
                    Ok(_) => {}
                }
            }
        }
    }
    assert!(count >= 10, "only {count} console examples in docs/");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The error codes `RequestError::code` returns, read from its source.
fn request_error_codes() -> Vec<String> {
    let source = read("src/request/mod.rs");
    let start = source
        .find("pub fn code(&self)")
        .expect("RequestError::code is in src/request/mod.rs");
    let body = &source[start..];
    let end = body
        .find("\n    }\n")
        .expect("the end of RequestError::code");
    body[..end]
        .lines()
        .filter_map(|line| line.split_once("=> \"").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once('"').map(|(code, _)| code.to_string()))
        .collect()
}

#[test]
fn every_request_error_code_is_documented() {
    let codes = request_error_codes();
    assert!(
        codes.len() >= 10,
        "read only {codes:?} from RequestError::code"
    );
    let decision = read("docs/decision.md");
    let missing: Vec<&String> = codes
        .iter()
        .filter(|code| !decision.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes not documented in docs/decision.md: {missing:?}"
    );
}

/// The long options that `csp-policy ARGS --help` lists (`--help` aside).
fn help_options(args: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_csp-policy"))
        .args(args)
        .arg("--help")
        .output()
        .expect("the binary runs");
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut options: Vec<String> = help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| w.trim_end_matches(',').to_string())
        .filter(|w| w != "--help" && w != "--version")
        .collect();
    options.dedup();
    options
}

/// The text of the `##` section of a Markdown file whose heading is `heading`.
fn section<'a>(markdown: &'a str, heading: &str) -> Option<&'a str> {
    let start = markdown.find(&format!("\n## {heading}\n"))? + 1;
    let rest = &markdown[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    Some(&rest[..end])
}

#[test]
fn every_command_and_option_is_documented() {
    let cli = read("docs/cli.md");
    let mut missing = Vec::new();
    for command in ["eval", "check", "fmt", "test", "diff", "serve", "log"] {
        let Some(text) = section(&cli, &format!("`{command}`")) else {
            missing.push(format!("a section ## `{command}`"));
            continue;
        };
        let options = help_options(&[command]);
        assert!(
            !options.is_empty() || command == "fmt",
            "{command}: {options:?}"
        );
        for option in options {
            if !text.contains(&format!("`{option}")) {
                missing.push(format!("{command} {option}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not documented in docs/cli.md: {missing:?}"
    );
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown text's headings (repeats get `-1`, `-2`... as on GitHub).
fn anchors(markdown: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let base = slug(&heading.take().unwrap_or_default());
                let repeats = out
                    .iter()
                    .filter(|a| {
                        **a == base
                            || a.strip_prefix(&format!("{base}-"))
                                .is_some_and(|n| n.parse::<u32>().is_ok())
                    })
                    .count();
                out.push(if repeats == 0 {
                    base
                } else {
                    format!("{base}-{repeats}")
                });
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_anchor_of_a_heading_is_githubs() {
    assert_eq!(
        slug("The `eval` command: options"),
        "the-eval-command-options"
    );
    assert_eq!(
        anchors("# A\n## Comparing text\n## A\n"),
        ["a", "comparing-text", "a-1"]
    );
}

#[test]
fn every_relative_link_of_the_documentation_resolves() {
    let mut files = doc_files();
    files.extend(
        ["README.md", "ARCHITECTURE.md", "tests/requests/README.md"]
            .iter()
            .map(|s| s.to_string()),
    );
    let mut broken = Vec::new();
    let mut count = 0;
    for file in &files {
        let markdown = read(file);
        let dir = Path::new(file).parent().unwrap_or(Path::new(""));
        for event in Parser::new(&markdown) {
            let Event::Start(Tag::Link { dest_url, .. }) = event else {
                continue;
            };
            let url = dest_url.to_string();
            if url.contains("://") || url.starts_with("mailto:") {
                continue;
            }
            count += 1;
            let (path, anchor) = match url.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (url.as_str(), None),
            };
            let target = if path.is_empty() {
                PathBuf::from(file)
            } else {
                dir.join(path)
            };
            let full = root().join(&target);
            if !full.exists() {
                broken.push(format!("{file}: `{url}`: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                let text = std::fs::read_to_string(&full).unwrap_or_default();
                if !anchors(&text).iter().any(|a| a == anchor) {
                    broken.push(format!("{file}: `{url}`: no such heading"));
                }
            }
        }
    }
    assert!(count >= 20, "only {count} relative links");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Folders that are not the repository's text: build output, git's own files, and what
/// the fuzzer writes (corpora, findings, logs: ignored by git, see `.gitignore`).
fn skipped(path: &Path) -> bool {
    let relative = path.strip_prefix(root()).unwrap_or(path);
    let name = relative.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(name, "target" | ".git" | "node_modules")
        || [
            "fuzz/corpus",
            "fuzz/artifacts",
            "fuzz/coverage",
            "fuzz/logs",
        ]
        .iter()
        .any(|ignored| relative == Path::new(ignored))
}

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !skipped(&path) {
                text_files(&path, out);
            }
        } else if name != ".git" {
            out.push(path);
        }
    }
}

#[test]
fn no_file_names_a_path_of_the_machine_it_was_written_on() {
    // Built here so that this file does not hold them.
    let machine_paths: Vec<String> = ["work", "home", "root", "Users"]
        .iter()
        .map(|d| format!("/{d}/"))
        .collect();
    let mut files = Vec::new();
    text_files(&root(), &mut files);
    assert!(files.len() > 100, "only {} files found", files.len());
    let mut found = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not text
        };
        for (number, line) in text.lines().enumerate() {
            if machine_paths.iter().any(|p| line.contains(p.as_str())) {
                let relative = path.strip_prefix(root()).unwrap_or(&path);
                found.push(format!("{}:{}: {line}", relative.display(), number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "machine paths (a clone does not have them; link to docs/ instead):\n{}",
        found.join("\n")
    );
}
