//! Time options of the command line (`--now`, `--from`, `--to`, `--old-at`,
//! `--new-at`): RFC 3339 with an offset; a bad one is said, naming the option, and is a
//! usage error.

use chrono::{DateTime, Utc};

use super::exit;
use super::output::say;

/// The time an option gives, if given; a bad one is said and gives the exit code.
pub fn option(text: Option<&str>, option: &str) -> Result<Option<DateTime<Utc>>, i32> {
    match text {
        None => Ok(None),
        Some(text) => match csp_policy::parse_time(text) {
            Some(t) => Ok(Some(t)),
            None => {
                say!("error: {option} {text:?} is not an RFC 3339 time with an offset (such as 2026-11-25T12:00:00Z)\n");
                Err(exit::USAGE)
            }
        },
    }
}

/// `--now`, or the current time when it is absent.
pub fn now_or_current(text: Option<&str>) -> Result<DateTime<Utc>, i32> {
    Ok(option(text, "--now")?.unwrap_or_else(Utc::now))
}
