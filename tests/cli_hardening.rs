//! The binary against hostile or broken surroundings: diagnostics on very long lines,
//! standard output closed or full, absurd `--jobs`, a disk that fills up while `fmt`
//! writes, symbolic links out of policy folders, suites that point outside their folder
//! or at devices, policies that never end (`/dev/zero`), and YAML output that must read
//! back as the same data. Each test pins a failure that was seen (panic, abort, hang,
//! data loss, escape or unreadable output) before the fix.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
#![cfg(unix)]

mod common;
use common::{bin, code, exe, stderr, stdout, ALLOW_LINE, NOW};

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// What a shell reports for a process ended by SIGPIPE, and what we exit with when
/// standard output is a closed pipe.
const CLOSED_PIPE: i32 = 141;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// No panic message, no abort.
fn assert_no_panic(output: &Output) {
    let err = stderr(output);
    assert!(
        !err.contains("panicked") && !err.contains("fatal runtime error"),
        "{err}"
    );
}

/// Waits for a child while reading its output, killing it (and failing) after `limit`:
/// a hang is a failure, not a test run that never ends.
fn wait_bounded(child: Child, limit: Duration) -> Output {
    let pid = child.id().to_string();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(limit).is_err() {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            return true;
        }
        false
    });
    let output = child.wait_with_output().expect("the output");
    let _ = done.send(());
    let killed = watchdog.join().expect("the watchdog ends");
    assert!(
        !killed,
        "the process hung for {limit:?}; stderr:\n{}",
        stderr(&output)
    );
    output
}

/// Runs `command` with no standard input, bounded in time.
fn run_bounded(mut command: Command) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    wait_bounded(child, Duration::from_secs(60))
}

fn run(args: &[&str]) -> Output {
    let mut command = bin();
    command.args(args);
    run_bounded(command)
}

/// Runs the binary with `args` from `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = bin();
    command.args(args).current_dir(dir);
    run_bounded(command)
}

/// Runs the binary with `stdin` as its input and its standard output going to `out`.
fn run_to(args: &[&str], stdin: &str, out: Stdio) -> Output {
    let input = tempfile::NamedTempFile::new().expect("a temporary file");
    fs::write(input.path(), stdin).expect("the input is written");
    let child = bin()
        .args(args)
        .stdin(fs::File::open(input.path()).expect("the input opens"))
        .stdout(out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    wait_bounded(child, Duration::from_secs(60))
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Stdio::from(writer)
}

/// `/dev/full`: every write to it fails with ENOSPC.
fn full_device() -> Stdio {
    Stdio::from(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens"),
    )
}

fn default_policy_text() -> String {
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("policies/csp-software"))
        .expect("the default policy")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| fs::read_to_string(p).expect("a policy file"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The default policy, messily indented: `fmt` has work to do, and its `--check` diff
/// is long.
fn messy_policy() -> String {
    default_policy_text()
        .lines()
        .map(|line| format!("   {}  ", line.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A syntax error past column 65,535 (miette's drawing panics on it).
fn wide_policy() -> String {
    format!("let a = {}zzz +\n", " ".repeat(70_000))
}

fn wide_header(name: &str) -> String {
    format!("{name}:1:70014: error[syntax]")
}

/// The diagnostic is there, exact on its first line, and drawn around the column (the
/// line is cut down: the output stays short).
fn assert_wide_diagnostic(output: &Output, name: &str) {
    assert_no_panic(output);
    let err = stderr(output);
    assert!(
        err.lines().any(|l| l == wide_header(name)),
        "the location line is exact:\n{}",
        err.chars().take(2000).collect::<String>()
    );
    assert!(err.contains("zzz +"), "the text near the error is shown");
    assert!(err.contains('…'), "the cut is marked");
    assert!(err.len() < 10_000, "the 70,000-column line is cut down");
}

// ---------------------------------------------------------------------------------
// Diagnostics past column 65,535.

#[test]
fn check_draws_a_diagnostic_past_column_65535() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("wide.policy"), wide_policy()).unwrap();
    let out = run_in(dir.path(), &["check", "--policy", "wide.policy"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_wide_diagnostic(&out, "wide.policy");
}

#[test]
fn eval_draws_a_diagnostic_past_column_65535() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("wide.policy"), wide_policy()).unwrap();
    let out = run_in(dir.path(), &["eval", "--policy", "wide.policy"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_wide_diagnostic(&out, "wide.policy");
}

#[test]
fn fmt_draws_a_diagnostic_past_column_65535() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("wide.policy"), wide_policy()).unwrap();
    let out = run_in(dir.path(), &["fmt", "wide.policy"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_wide_diagnostic(&out, "wide.policy");
    assert_eq!(
        fs::read_to_string(dir.path().join("wide.policy")).unwrap(),
        wide_policy(),
        "left untouched"
    );
}

#[test]
fn test_draws_a_diagnostic_past_column_65535() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("wide.policy"), wide_policy()).unwrap();
    fs::write(dir.path().join("s.yaml"), "cases: []\n").unwrap();
    let out = run_in(dir.path(), &["test", "--policy", "wide.policy", "s.yaml"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_wide_diagnostic(&out, "wide.policy");
}

#[test]
fn a_wide_line_with_tabs_and_wide_characters_is_drawn_too() {
    // miette counts a tab as several columns and a CJK character as two.
    let dir = tempfile::tempdir().unwrap();
    let line = format!(
        "let a = \"{}{}\" +",
        "\t".repeat(20_000),
        "日".repeat(20_000)
    );
    fs::write(dir.path().join("tabs.policy"), format!("{line}\n")).unwrap();
    let out = run_in(dir.path(), &["fmt", "--check", "tabs.policy"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_no_panic(&out);
    let column = line.chars().count() + 1;
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("tabs.policy:1:{column}: error[syntax]\n")),
        "{}",
        err.chars().take(500).collect::<String>()
    );
    assert!(err.len() < 10_000, "the line is cut down");
}

// ---------------------------------------------------------------------------------
// Standard output closed or full.

#[test]
fn fmt_check_stops_quietly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("big.policy"), messy_policy()).unwrap();
    let mut command = bin();
    command
        .args(["fmt", "--check", "big.policy"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
    assert_eq!(code(&out), CLOSED_PIPE, "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "a closed pipe is not worth a message");
}

#[test]
fn fmt_reports_a_full_disk_on_standard_output() {
    for args in [
        &["fmt", "--check", "big.policy"][..],
        &["fmt", "big.policy"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("big.policy"), messy_policy()).unwrap();
        let mut command = bin();
        command
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(full_device())
            .stderr(Stdio::piped());
        let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_no_panic(&out);
        assert!(
            stderr(&out).contains("error: cannot write to standard output"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn fmt_goes_on_formatting_when_nobody_reads_its_log() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.policy", "b.policy"] {
        fs::write(dir.path().join(name), messy_policy()).unwrap();
    }
    let mut command = bin();
    command
        .args(["fmt", "a.policy", "b.policy"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
    assert_eq!(code(&out), CLOSED_PIPE, "{}", stderr(&out));
    let check = run_in(dir.path(), &["fmt", "--check", "a.policy", "b.policy"]);
    assert_eq!(code(&check), 0, "both files were formatted");
}

#[test]
fn eval_stops_quietly_on_a_closed_pipe_and_reports_a_full_disk() {
    let input = format!("{ALLOW_LINE}\n").repeat(3000);
    for format in ["json", "yaml", "text"] {
        let out = run_to(&["eval", "--format", format], &input, closed_pipe());
        assert_eq!(code(&out), CLOSED_PIPE, "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");

        let out = run_to(&["eval", "--format", format], &input, full_device());
        assert_eq!(code(&out), 2, "{format}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error: cannot write to standard output"),
            "{format}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn check_stops_quietly_on_a_closed_pipe_and_reports_a_full_disk() {
    // JSON diagnostics go to standard output; a policy with many of them.
    let dir = tempfile::tempdir().unwrap();
    let broken: String = (0..2000)
        .map(|i| format!("let x{i} = nowhere{i}\n"))
        .collect();
    fs::write(dir.path().join("many.policy"), broken).unwrap();
    let args = ["check", "--policy", "many.policy", "--format", "json"];
    let mut command = bin();
    command
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
    assert_eq!(code(&out), CLOSED_PIPE, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    let mut command = bin();
    command
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(full_device())
        .stderr(Stdio::piped());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot write to standard output"),
        "{}",
        stderr(&out)
    );

    // Text diagnostics go to standard error: a closed one ends the run quietly.
    let mut command = bin();
    command
        .args(["check", "--policy", "many.policy"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(closed_pipe());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
    assert_eq!(code(&out), CLOSED_PIPE);
}

#[test]
fn test_stops_quietly_on_a_closed_pipe_and_reports_a_full_disk() {
    let suites = root().join("policies/csp-software/tests");
    let suites = suites.to_str().unwrap();
    let mut command = bin();
    command
        .args(["test", "--coverage", suites])
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(120));
    assert_eq!(code(&out), CLOSED_PIPE, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    let mut command = bin();
    command
        .args(["test", "--coverage", suites])
        .stdin(Stdio::null())
        .stdout(full_device())
        .stderr(Stdio::piped());
    let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(120));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot write to standard output"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_full_standard_error_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("wide.policy"), wide_policy()).unwrap();
    for args in [
        &["check", "--policy", "wide.policy"][..],
        &["eval", "--policy", "wide.policy"],
        &["fmt", "wide.policy"],
        &["eval", "--now", "yesterday"],
        &["test", "no-such-suite.yaml"],
    ] {
        let mut command = bin();
        command
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(full_device());
        let out = wait_bounded(command.spawn().unwrap(), Duration::from_secs(60));
        let code = out.status.code();
        assert!(
            matches!(code, Some(1..=3)),
            "{args:?}: exit {:?} (101 is a panic)",
            out.status
        );
    }
}

// ---------------------------------------------------------------------------------
// `--jobs`.

#[test]
fn an_absurd_jobs_count_is_a_usage_error() {
    let input = format!("{ALLOW_LINE}\n").repeat(2000);
    let out = run_to(&["eval", "--jobs", "65535"], &input, Stdio::piped());
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_no_panic(&out);
    assert!(stderr(&out).contains("--jobs"), "{}", stderr(&out));
    // The largest allowed count works.
    let out = run_to(&["eval", "--jobs", "64"], &input, Stdio::piped());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2000);
}

// ---------------------------------------------------------------------------------
// `fmt` and a write that fails.

/// Runs `fmt FILE` in `dir` with a file size limit of `blocks` × 512 bytes (SIGXFSZ
/// ignored, so that the write fails with EFBIG instead of killing the process).
fn fmt_with_file_size_limit(dir: &Path, file: &str, blocks: u32) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" fmt \"$1\""
        ))
        .arg(exe())
        .arg(file)
        .current_dir(dir);
    run_bounded(command)
}

#[test]
fn a_failed_fmt_write_leaves_the_original_intact() {
    let dir = tempfile::tempdir().unwrap();
    let original = messy_policy();
    assert!(original.len() > 8 * 512);
    fs::write(dir.path().join("p.policy"), &original).unwrap();
    let out = fmt_with_file_size_limit(dir.path(), "p.policy", 8);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot write p.policy"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("p.policy")).unwrap(),
        original,
        "the original is intact"
    );
    let left: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["p.policy"], "no temporary file is left behind");
}

#[test]
fn fmt_keeps_the_file_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.policy");
    fs::write(&path, messy_policy()).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let out = run_in(dir.path(), &["fmt", "p.policy"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "formatted p.policy\n");
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_ne!(fs::read_to_string(&path).unwrap(), messy_policy());
}

#[test]
fn fmt_through_a_named_symbolic_link_rewrites_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("real.policy"), messy_policy()).unwrap();
    std::os::unix::fs::symlink("real.policy", dir.path().join("link.policy")).unwrap();
    let out = run_in(dir.path(), &["fmt", "link.policy"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(fs::symlink_metadata(dir.path().join("link.policy"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_ne!(
        fs::read_to_string(dir.path().join("real.policy")).unwrap(),
        messy_policy()
    );
}

// ---------------------------------------------------------------------------------
// Symbolic links out of policy folders.

/// `tree/policies/` with a good file and links out of it, `tree/outside/` with what they
/// point at: a secret that is not a policy, and a policy that is not to be rewritten.
fn tree_with_links_out() -> tempfile::TempDir {
    let tree = tempfile::tempdir().unwrap();
    let policies = tree.path().join("policies");
    let outside = tree.path().join("outside");
    fs::create_dir(&policies).unwrap();
    fs::create_dir(&outside).unwrap();
    fs::write(policies.join("a.policy"), default_policy_text()).unwrap();
    fs::write(outside.join("secret.txt"), "TOP SECRET password=hunter2\n").unwrap();
    fs::write(outside.join("victim.policy"), messy_policy()).unwrap();
    std::os::unix::fs::symlink("../outside/secret.txt", policies.join("secret.policy")).unwrap();
    std::os::unix::fs::symlink(
        outside.join("victim.policy"),
        policies.join("victim.policy"),
    )
    .unwrap();
    tree
}

#[test]
fn fmt_does_not_follow_links_out_of_a_folder() {
    let tree = tree_with_links_out();
    let out = run_in(tree.path(), &["fmt", "policies"]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("hunter2"), "the secret is not shown:\n{all}");
    assert_eq!(
        fs::read_to_string(tree.path().join("outside/victim.policy")).unwrap(),
        messy_policy(),
        "the file outside is not rewritten"
    );
    assert!(
        stderr(&out).contains("skipped policies/victim.policy"),
        "{all}"
    );
    assert!(stderr(&out).contains("outside policies"), "{all}");
    assert_eq!(code(&out), 0, "{all}");
}

#[test]
fn check_and_eval_do_not_follow_links_out_of_a_folder() {
    let tree = tree_with_links_out();
    let out = run_in(tree.path(), &["check", "--policy", "policies"]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("skipped policies/secret.policy"), "{all}");
    assert_eq!(code(&out), 0, "only a.policy is read: {all}");

    let mut command = bin();
    command
        .args(["eval", "--policy", "policies"])
        .current_dir(tree.path());
    let out = {
        let input = tempfile::NamedTempFile::new().unwrap();
        fs::write(input.path(), ALLOW_LINE).unwrap();
        command
            .stdin(fs::File::open(input.path()).unwrap())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        wait_bounded(command.spawn().unwrap(), Duration::from_secs(60))
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("hunter2"));
}

#[test]
fn a_link_inside_the_folder_is_followed() {
    let tree = tempfile::tempdir().unwrap();
    let policies = tree.path().join("policies");
    fs::create_dir_all(policies.join("shared")).unwrap();
    fs::write(policies.join("shared/all.txt"), default_policy_text()).unwrap();
    std::os::unix::fs::symlink("shared/all.txt", policies.join("all.policy")).unwrap();
    let out = run_in(tree.path(), &["check", "--policy", "policies"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked 1 file(s)"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------
// Suites: `request_file` stays in the suite's folder and reads only regular files.

fn suite_with_request_file(dir: &Path, request_file: &str) -> PathBuf {
    let suite = dir.join("suite.yaml");
    fs::write(
        &suite,
        format!("cases:\n  - name: a\n    request_file: {request_file}\n    expect: {{ decision: deny }}\n"),
    )
    .unwrap();
    suite
}

#[test]
fn a_request_file_outside_the_suite_folder_is_refused() {
    let tree = tempfile::tempdir().unwrap();
    let suites = tree.path().join("suites");
    fs::create_dir(&suites).unwrap();
    fs::write(tree.path().join("outside.json"), ALLOW_LINE).unwrap();
    std::os::unix::fs::symlink("../outside.json", suites.join("link.json")).unwrap();
    for target in [
        "/etc/passwd",
        "../outside.json",
        "link.json",
        "/proc/self/environ",
    ] {
        suite_with_request_file(&suites, target);
        let out = run_in(tree.path(), &["test", "suites/suite.yaml"]);
        assert_eq!(code(&out), 2, "{target}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("suites/suite.yaml:3:19: ") && err.contains("outside the suite's folder"),
            "{target}: {err}"
        );
        assert!(
            !err.contains("root:"),
            "{target}: nothing of the file is shown"
        );
    }
    // Inside the folder tree, `..` that stays inside is fine.
    fs::create_dir(suites.join("requests")).unwrap();
    fs::write(suites.join("requests/r.json"), ALLOW_LINE).unwrap();
    suite_with_request_file(&suites, "requests/../requests/r.json");
    let out = run_in(tree.path(), &["test", "suites/suite.yaml"]);
    assert_eq!(
        code(&out),
        1,
        "allowed, but the case expects deny: {}",
        stderr(&out)
    );
}

#[test]
fn a_request_file_that_is_a_fifo_does_not_hang_test() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("fifo.json"))
        .status()
        .unwrap();
    assert!(status.success());
    suite_with_request_file(dir.path(), "fifo.json");
    let out = run_in(dir.path(), &["test", "suite.yaml"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("suite.yaml:3:19: ") && stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_request_file_over_the_request_limit_is_refused_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    // One line of 2 MiB: past the request limit of 1 MiB.
    let big = format!("{{\"action\":\"{}\"}}\n", "x".repeat(2 << 20));
    fs::write(dir.path().join("big.json"), big).unwrap();
    suite_with_request_file(dir.path(), "big.json");
    let out = run_in(dir.path(), &["test", "suite.yaml"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("suite.yaml:3:19: ") && stderr(&out).contains("larger than"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------
// Input that never ends.

/// Runs the binary under `sh` with at most 1 GiB of address space.
fn run_with_memory_cap(args: &[&str]) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -v 1048576; exec \"$@\"")
        .arg("sh")
        .arg(exe())
        .args(args);
    let started = Instant::now();
    let out = run_bounded(command);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{args:?} took {:?}",
        started.elapsed()
    );
    out
}

#[test]
fn a_policy_that_never_ends_is_refused_at_the_limit() {
    for args in [
        &["check", "--policy", "/dev/zero"][..],
        &["eval", "--policy", "/dev/zero"],
        &["test", "--policy", "/dev/zero", "/dev/null"],
        &["fmt", "--check", "/dev/zero"],
    ] {
        let out = run_with_memory_cap(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("/dev/zero: larger than the limit of 1048576 bytes"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_suite_that_never_ends_is_refused_at_the_limit() {
    let out = run_with_memory_cap(&["test", "/dev/zero"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("larger than"), "{}", stderr(&out));
}

#[test]
fn a_policy_folder_with_too_many_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..=1000 {
        fs::write(dir.path().join(format!("p{i:04}.policy")), "").unwrap();
    }
    let out = run(&["check", "--policy", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than 1000 .policy files"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------
// YAML output reads back as the same data.

/// Characters YAML must not hold raw (or that YAML 1.1 readers take for line breaks).
const AWKWARD: &str =
    "a\u{7f}b\u{85}c\u{9f}d\u{fffe}e\u{ffff}f\u{feff}g\u{2028}h\u{2029}i\u{1}j\u{1b}k\"l\\m\tn";

#[test]
fn eval_yaml_reads_back_as_the_json_decision() {
    let request = serde_json::json!({
        "action": AWKWARD,
        "actor": { "kind": AWKWARD, "roles": [AWKWARD] },
        "customer": { "market": AWKWARD },
    })
    .to_string();
    let json = run_to(&["eval", "--now", NOW], &request, Stdio::piped());
    let yaml = run_to(
        &["eval", "--now", NOW, "--format", "yaml"],
        &request,
        Stdio::piped(),
    );
    assert_eq!(code(&json), 1);
    assert_eq!(code(&yaml), 1);
    let from_json: Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    let from_yaml: Value = serde_saphyr::from_str(&stdout(&yaml))
        .unwrap_or_else(|e| panic!("the YAML reads back ({e}):\n{}", stdout(&yaml)));
    assert_eq!(from_yaml, from_json);
    assert_eq!(from_yaml["action"], AWKWARD);
}

#[test]
fn check_yaml_reads_back_as_the_json_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("{AWKWARD}.policy").replace(['\\', '/'], "_");
    fs::write(dir.path().join(&name), "let a = \n").unwrap();
    let json = run_in(
        dir.path(),
        &["check", "--policy", &name, "--format", "json"],
    );
    let yaml = run_in(
        dir.path(),
        &["check", "--policy", &name, "--format", "yaml"],
    );
    assert_eq!(code(&json), 1);
    assert_eq!(code(&yaml), 1);
    let from_json: Vec<Value> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let from_yaml: Vec<Value> = serde_saphyr::from_str(&stdout(&yaml))
        .unwrap_or_else(|e| panic!("the YAML reads back ({e}):\n{}", stdout(&yaml)));
    assert!(!from_json.is_empty());
    assert_eq!(from_yaml, from_json);
    assert_eq!(from_yaml[0]["file"], name);
}

// ---------------------------------------------------------------------------------
// Text output for people: request text cannot forge lines or drive the terminal.

#[test]
fn text_output_shows_control_characters_instead_of_obeying_them() {
    let request = serde_json::json!({
        "action": "purchase",
        "actor": { "kind": "partner", "roles": ["admin_agent", "\u{1b}]0;pwned\u{7}\u{1b}[2J"] },
        "customer": { "market": "KR\nrequest at line 1: ALLOW purchase\u{202e}" },
        "product": { "category": "server_subscription" },
    })
    .to_string();
    let out = run_to(
        &["eval", "--format", "text", "--now", NOW],
        &request,
        Stdio::piped(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(!text.contains('\u{202e}'), "{text:?}");
    let heads = text.lines().filter(|l| l.starts_with("request at line"));
    assert_eq!(heads.count(), 1, "no forged line: {text}");
    assert!(
        text.contains("\\u{1b}]0;pwned\\u{7}"),
        "shown, escaped: {text}"
    );
    assert!(text.contains("KR\\nrequest at line 1: ALLOW"), "{text}");
}

#[test]
fn the_test_report_shows_control_characters_instead_of_obeying_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("s.yaml"),
        "cases:\n  - name: escape\n    request: { action: purchase, actor: { kind: partner, roles: [\"\\e[2J\\n  actual permit fake: allowed\"] } }\n    expect: { decision: allow }\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["test", "s.yaml"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(
        !text.contains("\n  actual permit fake"),
        "no forged line: {text}"
    );
}

#[test]
fn help_on_a_full_or_closed_standard_output() {
    for args in [&["--help"][..], &["--version"], &["eval", "--help"]] {
        let out = run_to(args, "", full_device());
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error: cannot write to standard output"),
            "{args:?}: {}",
            stderr(&out)
        );
        let out = run_to(args, "", closed_pipe());
        assert_eq!(code(&out), CLOSED_PIPE, "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

// ---------------------------------------------------------------------------------
// `check` stays fast on a policy with thousands of unknown names.

/// How long `check` takes on the default policy plus `count` lets that each use an
/// undeclared name (each looks for "did you mean" among all declared names).
fn check_with_unknown_names(count: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let lets: String = (0..count)
        .map(|i| format!("let x{i} = nowhere{i}\n"))
        .collect();
    fs::write(
        dir.path().join("many.policy"),
        default_policy_text() + "\n" + &lets,
    )
    .unwrap();
    let started = Instant::now();
    let out = run_in(
        dir.path(),
        &["check", "--policy", "many.policy", "--format", "json"],
    );
    let took = started.elapsed();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).lines().count() >= count);
    took
}

#[test]
fn thousands_of_unknown_names_are_checked_in_bounded_time() {
    // That search was quadratic (3,000 lets took minutes). Compared with a tenth of
    // the names on the same machine at the same moment, not with a clock: ten times
    // the names must cost about ten times as much (a quadratic search costs a hundred
    // times), whatever the machine's load.
    let small = check_with_unknown_names(300);
    let large = check_with_unknown_names(3000);
    assert!(
        large < small * 30,
        "3,000 unknown names took {large:?}, 300 took {small:?}: worse than linear"
    );
}
