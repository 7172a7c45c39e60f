//! Helpers shared by the integration tests: running the built binary with arguments and
//! standard input and reading what it printed (the command-line tests), and compiling the
//! default policy with extra text (`policy`, the library-level tests). Each test file uses
//! the part it needs.
#![allow(dead_code)]

pub mod policy;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The `--now` of the command-line tests.
pub const NOW: &str = "2026-11-25T12:00:00Z";

/// One request the default policy allows, as a JSON line.
pub const ALLOW_LINE: &str = r#"{"action":"purchase","at":"2026-11-25T12:00:00Z","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"KR"},"product":{"category":"server_subscription"}}"#;

/// The default policy's folder.
pub fn default_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/csp-software")
}

/// A copy of the default policy's files in `dir/policy`, with `from` replaced by `to`
/// in the file `name` (which must hold it).
pub fn edited_copy(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let folder = dir.join("policy");
    std::fs::create_dir_all(&folder).unwrap();
    for entry in std::fs::read_dir(default_policy()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "policy") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.file_name().is_some_and(|n| n == name) {
                assert!(text.contains(from), "{name} holds {from:?}");
                text = text.replace(from, to);
            }
            std::fs::write(folder.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    folder
}

/// Every request file of `tests/requests/` and `examples/` (JSON and YAML, each whole
/// document one request), sorted: its path, its text and its format.
pub fn request_files() -> Vec<(PathBuf, String, csp_policy::stream::Format)> {
    use csp_policy::stream::Format;
    let mut files = Vec::new();
    for folder in ["tests/requests", "examples"] {
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(folder))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
        paths.sort();
        for path in paths {
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("json") => Format::Json,
                Some("yaml") => Format::Yaml,
                _ => continue,
            };
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path, text, format));
        }
    }
    files
}

/// The built binary.
pub fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_csp-policy")
}

/// The binary as a command, colour off.
pub fn bin() -> Command {
    let mut command = Command::new(exe());
    command.env("NO_COLOR", "1");
    command
}

/// Runs the binary with `args` and no standard input.
pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Runs the binary with `args`, writing `input` to its standard input.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    // Write from another thread so that a large input cannot deadlock against stdout.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("the writer thread ends");
    output
}

/// What the binary printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the binary printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code; a process killed by a signal (a crash, an abort) fails here.
pub fn code(output: &Output) -> i32 {
    match output.status.code() {
        Some(c) => c,
        None => panic!(
            "the process did not exit normally ({:?}); stderr:\n{}",
            output.status,
            stderr(output)
        ),
    }
}

/// Each stdout line parsed as a JSON decision.
pub fn decisions(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}
