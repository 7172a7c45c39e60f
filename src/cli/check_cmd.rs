//! `csp-policy check`: every diagnostic of the policy, then the counts. Text goes to
//! standard error, drawn by miette (colours only when standard error is a terminal and
//! `NO_COLOR` is not set); JSON (or YAML) goes to standard output, one diagnostic per
//! line (a YAML list item in YAML) with `file`, `line`, `column`, `severity`, `code`,
//! `message` and `help`. A write that fails ends it ([`super::output`]).

use std::path::PathBuf;

use csp_policy::Severity;

use super::args::OutputFormat;
use super::exit;
use super::output;

/// Runs `check` and returns the exit code.
pub fn run(policies: &[PathBuf], deny_warnings: bool, format: OutputFormat) -> i32 {
    let sources = match super::policy::sources(policies) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let loaded = csp_policy::load::compile(sources);
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = loaded.diagnostics.len() - errors;
    let written = match format {
        OutputFormat::Json | OutputFormat::Yaml => {
            let mut out = output::Stdout::new();
            let mut line = String::new();
            for d in &loaded.diagnostics {
                line.clear();
                d.write_record(&loaded.sources, &mut line, format == OutputFormat::Yaml);
                line.push('\n');
                if !out.write(&line) {
                    break;
                }
            }
            out.finish()
        }
        OutputFormat::Text => {
            let colour = stderr_wants_colour();
            let mut out = String::new();
            for d in &loaded.diagnostics {
                out.push_str(&d.render_styled(&loaded.sources, colour));
                out.push('\n');
            }
            let files = loaded.sources.files().len();
            out.push_str(&format!(
                "checked {files} file(s): {errors} error(s), {warnings} warning(s)\n"
            ));
            output::stderr_all(out.as_bytes())
                .err()
                .map(|e| e.report("standard error"))
        }
    };
    if let Some(code) = written {
        return code;
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        exit::DENIED_OR_FAILED
    } else {
        exit::OK
    }
}

/// Whether diagnostics on standard error may use colours: it is a terminal, and
/// `NO_COLOR` (<https://no-color.org>) is not set.
fn stderr_wants_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
