//! The `csp-policy` binary: the command line ([`cli`]), one client of the `csp_policy`
//! library. Built with the `cli` feature (on by default), which brings clap and
//! indicatif; the library needs neither.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod cli;

fn main() {
    std::process::exit(cli::run());
}
