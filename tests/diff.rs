//! `csp-policy diff`: two policies compared over requests (every exit code, the JSON
//! objects' shape, the text report, the embedded side, a side at a git revision) and
//! without requests (the exhaustive comparison: classes, witnesses that reproduce under
//! `eval`, `complete`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{
    bin, code, decisions as json_lines, default_policy, edited_copy, run, run_with_stdin, stderr,
    stdout, NOW,
};
use serde_json::Value;

/// The cancel window shortened from 60 to 30 days.
fn shorter_window(dir: &Path) -> PathBuf {
    edited_copy(
        dir,
        "07-cancel.policy",
        "window cancellation is 60 days",
        "window cancellation is 30 days",
    )
}

/// A cancel at 40 days after purchase (allowed by 60 days, not by 30), a purchase that
/// the window does not touch, and a YAML one.
const REQUESTS: &str = r#"{"action":"cancel","at":"2026-11-25T12:00:00Z","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"name":"Contoso"},"product":{"name":"Windows Server","category":"perpetual_software"},"order":{"id":"ORD-1","purchased_at":"2026-10-16T12:00:00Z","status":"active","price":"100.00"}}
{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"FR"},"product":{"category":"server_subscription"}}
"#;

/// Runs `csp-policy diff ARGS --now NOW` in `dir` (where given), with `input` on
/// standard input (read as `-`) or none at all.
fn diff(dir: Option<&Path>, args: &[&str], input: Option<&str>) -> Output {
    let mut command = bin();
    command.arg("diff").args(args).args(["--now", NOW]);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let Some(input) = input else {
        return command.stdin(Stdio::null()).output().unwrap();
    };
    let mut child = command
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `diff` with `--format json`: the exit code (`exit`, else the test fails with
/// standard error) and the JSON lines it printed.
fn diff_json(args: &[&str], input: Option<&str>, exit: i32) -> Vec<Value> {
    let args: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
    let output = diff(None, &args, input);
    assert_eq!(code(&output), exit, "{args:?}: {}", stderr(&output));
    json_lines(&output)
}

/// Asserts that `output` exited with `exit` and said `said` on standard error.
fn fails_saying(output: &Output, exit: i32, said: &str) {
    assert_eq!(code(output), exit, "{}", stderr(output));
    assert!(stderr(output).contains(said), "{}", stderr(output));
}

#[test]
fn the_same_policy_on_both_sides_changes_nothing_exit_0() {
    for args in [vec![], vec!["--old", "@embedded", "--new", "@embedded"]] {
        let lines = diff_json(&args, Some(REQUESTS), 0);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["kind"], "summary");
        assert_eq!(lines[0]["requests"], 2);
        assert_eq!(lines[0]["changed"], 0);
    }
    let path = default_policy();
    let output = diff(None, &["--old", path.to_str().unwrap()], Some(REQUESTS));
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "2 requests, 0 changed (0 changed decision)\n"
    );
}

#[test]
fn a_shorter_window_changes_the_late_cancel_exit_1_json() {
    let dir = tempfile::tempdir().unwrap();
    let new = shorter_window(dir.path());
    let output = diff(
        None,
        &["--new", new.to_str().unwrap(), "--format", "json"],
        Some(REQUESTS),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2, "one change, then the summary");
    let change = &lines[0];
    let keys: Vec<&str> = change
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 6);
    let raw = stdout(&output);
    let at = |key: &str| raw.find(&format!("\"{key}\":")).unwrap();
    assert!(raw.starts_with(r#"{"kind":"change","line":1,"request":{"#));
    assert!(at("request") < at("old") && at("old") < at("new") && at("new") < at("changed"));
    assert_eq!(change["kind"], "change");
    assert_eq!(change["line"], 1);
    assert_eq!(change["request"]["order"]["id"], "ORD-1");
    assert_eq!(change["old"]["decision"], "allow");
    assert_eq!(change["new"]["decision"], "deny");
    assert_eq!(change["new"]["reasons"][0]["rule"], "cancel-window-ended");
    assert_eq!(
        change["changed"],
        serde_json::json!(["decision", "reasons", "facts"])
    );
    let summary = &lines[1];
    assert_eq!(summary["kind"], "summary");
    assert_eq!(summary["requests"], 2);
    assert_eq!(summary["changed"], 1);
    assert_eq!(summary["decisions_changed"], 1);
    assert_eq!(
        summary["by_action"],
        serde_json::json!([{"action": "cancel", "changed": 1}])
    );
    assert_eq!(
        summary["by_rule"],
        serde_json::json!([{
            "action": "cancel",
            "old": {"decision": "allow", "rules": ["cancel-within-window"], "errors": []},
            "new": {"decision": "deny", "rules": ["cancel-window-ended"], "errors": []},
            "count": 1
        }])
    );
}

#[test]
fn the_text_report_groups_and_counts_with_each_line() {
    let dir = tempfile::tempdir().unwrap();
    let new = shorter_window(dir.path());
    let input = dir.path().join("requests.jsonl");
    std::fs::write(&input, format!("{REQUESTS}{REQUESTS}")).unwrap();
    let output = diff(
        None,
        &["--new", new.to_str().unwrap(), input.to_str().unwrap()],
        None,
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "cancel: 2 requests changed\n  \
         allow (cancel-within-window) -> deny (cancel-window-ended): 2 requests\n    \
         line 1: decision, reasons, facts\n    \
         line 3: decision, reasons, facts\n\
         \n\
         4 requests, 2 changed (2 changed decision)\n"
    );
}

#[test]
fn a_yaml_request_is_shown_as_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let new = shorter_window(dir.path());
    let yaml = "action: cancel\nat: 2026-11-25T12:00:00Z\nactor: {kind: partner, roles: [admin_agent]}\n\
                customer: {name: Contoso}\nproduct: {name: W, category: perpetual_software}\n\
                order: {id: O-1, purchased_at: 2026-10-16T12:00:00Z, status: active, price: 100.10}\n";
    let args = ["--new", new.to_str().unwrap(), "--input", "yaml"];
    let lines = diff_json(&args, Some(yaml), 1);
    assert_eq!(
        lines[0]["request"], yaml,
        "the text as written: 100.10 stays 100.10"
    );
}

#[test]
fn usage_and_unreadable_inputs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.jsonl");
    for (args, said) in [
        (
            vec!["diff", "--now", NOW, missing.to_str().unwrap()],
            "cannot read",
        ),
        (vec!["diff", "--now", "yesterday", "-"], "--now"),
        (
            vec!["diff", "--old", missing.to_str().unwrap(), "-"],
            "nothing.jsonl",
        ),
        (vec!["diff", "--format", "yaml", "-"], "invalid value"),
    ] {
        fails_saying(&run(&args), 2, said);
    }
    fails_saying(&diff(None, &[], Some("\n\n")), 2, "holds no request");
}

#[test]
fn a_broken_policy_on_either_side_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let broken = edited_copy(
        dir.path(),
        "07-cancel.policy",
        "window cancellation is 60 days",
        "window cancellation is 60 dayz",
    );
    for side in ["--old", "--new"] {
        let output = diff(None, &[side, broken.to_str().unwrap()], Some(REQUESTS));
        let which = side.trim_start_matches("--");
        fails_saying(&output, 3, &format!("the {which} policy has errors"));
    }
}

/// Runs git in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A repository whose first commit holds the default policy in `policy/`, edited (a
/// shorter window) in the working tree.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let folder = edited_copy(dir.path(), "07-cancel.policy", "", "");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "policy"]);
    let cancel = folder.join("07-cancel.policy");
    let text = std::fs::read_to_string(&cancel).unwrap();
    std::fs::write(&cancel, text.replace("is 60 days", "is 30 days")).unwrap();
    dir
}

#[test]
fn a_side_at_a_git_revision() {
    let repo = repository();
    let output = diff(
        Some(repo.path()),
        &[
            "--old",
            "HEAD:policy",
            "--new",
            "policy",
            "--format",
            "json",
        ],
        Some(REQUESTS),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let lines = json_lines(&output);
    assert_eq!(lines[0]["old"]["decision"], "allow");
    assert_eq!(lines[0]["new"]["decision"], "deny");
    // The committed folder against the embedded policy: the same files, no change.
    let output = diff(
        Some(repo.path()),
        &["--old", "HEAD:policy/"],
        Some(REQUESTS),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // One file at a revision, after the others from disk.
    let output = diff(
        Some(repo.path()),
        &[
            "--old",
            "HEAD:policy/07-cancel.policy",
            "--new",
            "policy/07-cancel.policy",
        ],
        Some(REQUESTS),
    );
    // Alone, the cancel file is not a whole policy: the old side has errors.
    fails_saying(&output, 3, "HEAD:policy/07-cancel.policy");
}

#[test]
fn git_errors_exit_2_with_the_reason() {
    let repo = repository();
    for (spec, said) in [
        ("nosuchrev:policy", "cannot read nosuchrev:policy from git"),
        (
            "HEAD:nosuchfolder",
            "cannot read HEAD:nosuchfolder from git",
        ),
        ("HEAD:policy/00-vocabulary.policy", "cannot read"),
    ] {
        let output = diff(Some(repo.path()), &["--old", spec], Some(REQUESTS));
        fails_saying(&output, 2, said);
    }
    // A folder without policy files.
    std::fs::create_dir(repo.path().join("empty")).unwrap();
    std::fs::write(repo.path().join("empty/readme.txt"), "x").unwrap();
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "empty"]);
    let output = diff(Some(repo.path()), &["--old", "HEAD:empty"], Some(REQUESTS));
    fails_saying(&output, 2, "HEAD:empty holds no .policy file");
    // Not a repository.
    let elsewhere = tempfile::tempdir().unwrap();
    let output = diff(
        Some(elsewhere.path()),
        &["--old", "HEAD:policy"],
        Some(REQUESTS),
    );
    fails_saying(&output, 2, "cannot read HEAD:policy from git");
    // No git at all.
    let output = bin()
        .args(["diff", "--old", "HEAD:policy", "--now", NOW, "-"])
        .current_dir(repo.path())
        .env("PATH", "")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    fails_saying(&output, 2, "cannot run git to read HEAD:policy");
}

// ----------------------------------------------------------------------------------------
// Without requests: the exhaustive comparison
// ----------------------------------------------------------------------------------------

/// Runs `eval` on one request with a policy folder (or the embedded one).
fn eval_with(policy: Option<&Path>, request: &str) -> Value {
    let mut args = vec!["eval", "--now", NOW];
    if let Some(p) = policy {
        args.extend(["--policy", p.to_str().unwrap()]);
    }
    args.push("-");
    let output = run_with_stdin(&args, request.as_bytes());
    serde_json::from_str(stdout(&output).trim()).unwrap()
}

/// The exhaustive JSON of the embedded policy against `new`, and the exit code.
fn exhaustive(new: &Path) -> (Vec<Value>, i32) {
    let output = diff(
        None,
        &["--new", new.to_str().unwrap(), "--format", "json"],
        None,
    );
    (json_lines(&output), code(&output))
}

/// The exhaustive comparison of the embedded policy against a copy of it with `from`
/// replaced by `to` in `file`: the temporary folder that holds the copy, the copy, the
/// JSON lines and the exit code.
fn exhaustive_edit(
    file: &str,
    from: &str,
    to: &str,
) -> (tempfile::TempDir, PathBuf, Vec<Value>, i32) {
    let dir = tempfile::tempdir().unwrap();
    let new = edited_copy(dir.path(), file, from, to);
    let (lines, exit) = exhaustive(&new);
    (dir, new, lines, exit)
}

/// The classes of a complete exhaustive comparison (the summary, last, says `complete`).
fn complete_classes(lines: &[Value]) -> &[Value] {
    let (summary, classes) = lines.split_last().unwrap();
    assert_eq!(summary["kind"], "summary");
    assert_eq!(summary["complete"], true, "{summary}");
    assert_eq!(summary["classes"], classes.len());
    classes
}

/// Every class's witness gets the class's decisions under `eval`, old and new.
fn witnesses_reproduce(classes: &[Value], new: &Path) {
    for class in classes {
        let witness = class["witness"].to_string();
        let old = eval_with(None, &witness);
        let now = eval_with(Some(new), &witness);
        assert_eq!(old["decision"], class["old"], "{class}");
        assert_eq!(now["decision"], class["new"], "{class}");
    }
}

#[test]
fn exhaustive_without_change_is_complete_and_exits_0() {
    assert_eq!(
        diff_json(&[], None, 0),
        [serde_json::json!({"kind": "summary", "classes": 0, "complete": true, "incomplete": []})]
    );
    let output = diff(None, &["--old", default_policy().to_str().unwrap()], None);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "0 class(es) of requests change decision; complete: no other request changes decision\n"
    );
}

#[test]
fn exhaustive_a_shorter_window() {
    let dir = tempfile::tempdir().unwrap();
    let new = shorter_window(dir.path());
    let (lines, exit) = exhaustive(&new);
    assert_eq!(exit, 1);
    let classes = complete_classes(&lines);
    for class in classes {
        let keys: Vec<&str> = class
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "action",
                "combinations",
                "description",
                "kind",
                "new",
                "new_rules",
                "old",
                "old_rules",
                "witness"
            ]
        );
        assert_eq!(class["kind"], "class");
        assert_eq!(class["action"], "cancel");
    }
    // Inside days 30 to 60: allow → deny; and where purchase + 60 days leaves the
    // years a time may have while + 30 days does not: deny (an error) → allow.
    let late = classes
        .iter()
        .find(|c| c["old"] == "allow" && c["new"] == "deny")
        .unwrap();
    assert_eq!(
        late["old_rules"],
        serde_json::json!(["cancel-within-window"])
    );
    assert_eq!(
        late["new_rules"],
        serde_json::json!(["cancel-window-ended"])
    );
    let words = late["description"].as_str().unwrap();
    assert!(words.contains("a partner admin_agent"), "{words}");
    assert!(
        words.contains("at is after order.purchased_at + 30 days"),
        "{words}"
    );
    assert!(
        words.contains("at is not after order.purchased_at + 60 days"),
        "{words}"
    );
    witnesses_reproduce(classes, &new);
}

#[test]
fn exhaustive_a_role_added_to_a_permit() {
    let (_dir, new, lines, exit) = exhaustive_edit(
        "07-cancel.policy",
        "permit cancel to partner admin_agent",
        "permit cancel to partner admin_agent or sales_agent",
    );
    assert_eq!(exit, 1);
    let classes = complete_classes(&lines);
    assert_eq!(classes.len(), 1, "{classes:?}");
    assert_eq!(classes[0]["old"], "deny");
    assert_eq!(classes[0]["new"], "allow");
    assert_eq!(
        classes[0]["witness"]["actor"]["roles"],
        serde_json::json!(["sales_agent"])
    );
    witnesses_reproduce(classes, &new);
}

#[test]
fn exhaustive_a_lower_link_limit() {
    let (_dir, new, lines, _) = exhaustive_edit(
        "05-keys-and-downloads.policy",
        "or after 50 uses",
        "or after 40 uses",
    );
    let classes = complete_classes(&lines);
    assert!(!classes.is_empty());
    for class in classes {
        assert_eq!(class["action"], "download");
        assert_eq!(
            class["new_rules"],
            serde_json::json!(["download-link-used-up"])
        );
        let used = class["witness"]["link"]["downloads"].as_u64().unwrap();
        assert!((40..50).contains(&used), "{class}");
    }
    witnesses_reproduce(classes, &new);
}

#[test]
fn exhaustive_a_market_removed_from_a_list() {
    let (_dir, new, lines, _) =
        exhaustive_edit("03-markets.policy", "  AD  \"Andorra\"  \"안도라\"\n", "");
    let classes = complete_classes(&lines);
    // Andorra can now buy Azure reservations...
    assert!(classes.iter().any(|c| c["action"] == "purchase"
        && c["old_rules"] == serde_json::json!(["reservation-unavailable-market"])
        && c["new"] == "allow"));
    // ... and its names are no longer markets of the policy: an unknown market.
    assert!(classes
        .iter()
        .any(|c| c["new_rules"] == serde_json::json!(["unknown-market"])));
    witnesses_reproduce(classes, &new);
}

#[test]
fn exhaustive_says_what_it_cannot_decide_and_never_claims_complete() {
    // Arithmetic over a request value in a condition: not enumerated.
    let (_dir, _, lines, exit) = exhaustive_edit(
        "07-cancel.policy",
        "rule cancel-window-ended",
        "rule big-refund\n  forbid cancel\n  when link.downloads * 2 > 10\n  because \"too big\"\n\nrule cancel-window-ended",
    );
    assert_eq!(exit, 1);
    let summary = lines.last().unwrap();
    assert_eq!(summary["complete"], false);
    let reasons = summary["incomplete"].to_string();
    assert!(reasons.contains("rule `big-refund`"), "{reasons}");
    // Another schema: nothing is compared.
    let (_dir, _, lines, exit) = exhaustive_edit(
        "02-input.policy",
        "  range.to ",
        "  range.until                \"x\" is a time\n  range.to ",
    );
    assert_eq!(exit, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0]["incomplete"][0]
        .as_str()
        .unwrap()
        .contains("input schemas differ"));
}

#[test]
fn exhaustive_text_names_each_class_with_its_witness() {
    let dir = tempfile::tempdir().unwrap();
    let new = edited_copy(
        dir.path(),
        "07-cancel.policy",
        "permit cancel to partner admin_agent",
        "permit cancel to partner admin_agent or sales_agent",
    );
    let output = diff(None, &["--new", new.to_str().unwrap()], None);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.starts_with("cancel: deny (default-deny) -> allow (cancel-within-window)\n  `cancel`; a partner sales_agent;"), "{text}");
    assert!(
        text.contains("\n  witness: {\"action\":\"cancel\""),
        "{text}"
    );
    assert!(text.ends_with("1 class(es) of requests change decision; complete: no other request changes decision\n"), "{text}");
}

/// Issue 10: a policy compared with itself at two dates ("what changed on
/// 2023-01-01"): sales agents may buy from that date on in the history example.
#[test]
fn a_policy_compared_with_itself_at_two_dates() {
    let history = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/examples/history");
    let history = history.to_str().unwrap();
    let at = |old: &'static str, new: &'static str| {
        [
            "--old", history, "--old-at", old, "--new", history, "--new-at", new,
        ]
    };
    let lines = diff_json(&at("2022-12-31T00:00:00Z", "2023-01-02T00:00:00Z"), None, 1);
    let class = lines
        .iter()
        .find(|l| l["kind"] == "class" && l["action"] == "purchase")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(class["old"], "deny");
    assert_eq!(class["new"], "allow");
    assert_eq!(class["witness"]["actor"]["roles"][0], "sales_agent");
    // The same dates on both sides: nothing changes, whatever else is dated.
    let lines = diff_json(&at("2023-01-02T00:00:00Z", "2023-01-02T00:00:00Z"), None, 1);
    assert!(!lines.iter().any(|l| l["kind"] == "class"), "{lines:?}");
    // A date that is not RFC 3339 is a usage error.
    fails_saying(
        &diff(None, &["--old-at", "2023-01-02"], None),
        2,
        "--old-at",
    );
}
