//! The `csp-policy` binary: all of it lives in the library's `cli` module.

fn main() {
    std::process::exit(csp_policy::cli::run());
}
