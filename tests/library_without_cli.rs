//! The library does not need the command line: without the `cli` feature (on by
//! default, for the binary) neither clap nor indicatif is among its dependencies. Asked
//! of `cargo tree`, the graph cargo itself resolves; `.ci/run` also builds the library
//! that way (`cargo check --lib --no-default-features`).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// The normal (not dev, not build) dependencies of csp-policy, one `name version` a line.
fn dependencies(default_features: bool) -> String {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["-p", "csp-policy"]);
    if !default_features {
        command.arg("--no-default-features");
    }
    let output = command.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree prints UTF-8")
}

/// Whether `crate_name` is one of the lines of a `cargo tree --prefix none` listing.
fn lists(tree: &str, crate_name: &str) -> bool {
    tree.lines()
        .any(|line| line.split_whitespace().next() == Some(crate_name))
}

#[test]
fn the_library_alone_needs_neither_clap_nor_indicatif() {
    let library = dependencies(false);
    assert!(lists(&library, "serde"), "the listing is read:\n{library}");
    for cli_only in ["clap", "indicatif"] {
        assert!(
            !lists(&library, cli_only),
            "{cli_only} is a dependency of the library without the `cli` feature:\n{library}"
        );
    }
}

#[test]
fn the_binary_brings_the_command_line_crates() {
    let with_cli = dependencies(true);
    for cli_only in ["clap", "indicatif"] {
        assert!(
            lists(&with_cli, cli_only),
            "{cli_only} is missing:\n{with_cli}"
        );
    }
}
