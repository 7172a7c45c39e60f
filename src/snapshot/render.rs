//! A request file's snapshot: every request of the file decided, in input order, written
//! as plain text a reviewer reads in a pull request. The text is a YAML stream: a header
//! of comments (the request file's name, and the time used for requests without `at`
//! when one was fixed), then one document per request, headed by the request's first
//! line (`--- # line 3`), holding the decision as `eval --format yaml` writes it
//! (decision, action, reasons, errors, facts). Nothing in it depends on the machine or
//! the moment: no absolute path, no time but the fixed one, no policy revision (it would
//! change every snapshot at every edit of the policy, decisions changed or not).

use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::SnapshotError;
use crate::limits::SNAPSHOT_RECORDS;
use crate::stream::{Framing, Records};
use crate::{Options, Policy};

/// The first words of every snapshot file: how a snapshot is told from any other
/// `.snap` file (which is never compared, rewritten or removed).
pub const MARK: &str = "# csp-policy snapshot of ";

/// The header line that holds the fixed time.
const NOW: &str = "# now: ";

/// Decides every request of the file at `path` (named `name` in the header) and
/// returns its snapshot text. `now` is the time of requests without `at`; `fixed`
/// says whether it is written in the header (a time given by the user or recorded
/// before, not the current time).
pub fn render(
    policy: &Policy,
    path: &Path,
    name: &str,
    now: DateTime<Utc>,
    fixed: bool,
) -> Result<String, SnapshotError> {
    let file = crate::files::open_regular(path)?;
    let framing = Framing::from_extension(path);
    let mut records = Records::with_framing(BufReader::with_capacity(1 << 16, file), framing);
    let options = Options::at(now);
    let mut out = header(name, fixed.then_some(now));
    let mut count = 0usize;
    let mut yaml = String::new();
    for record in records.by_ref() {
        count += 1;
        if count > SNAPSHOT_RECORDS {
            return Err(SnapshotError::TooManyRecords {
                path: path.to_path_buf(),
                limit: SNAPSHOT_RECORDS,
            });
        }
        let decision = policy.decide_raw(&record, &options);
        yaml.clear();
        decision.write_yaml(&mut yaml);
        out.push_str("--- # line ");
        out.push_str(&record.line.to_string());
        out.push('\n');
        // `write_yaml` starts the document itself: its body follows our marker.
        out.push_str(yaml.strip_prefix("---\n").unwrap_or(&yaml));
    }
    if let Some(source) = records.io_error.take() {
        return Err(SnapshotError::Read {
            path: path.to_path_buf(),
            source,
        });
    }
    if count == 0 {
        out.push_str("# (the file holds no request)\n");
    }
    Ok(out)
}

/// The header: the mark with the request file's name, what the file is, and the fixed
/// time if any.
fn header(name: &str, now: Option<DateTime<Utc>>) -> String {
    let mut out = String::from(MARK);
    out.push_str(&crate::decision::visible(name));
    out.push('\n');
    out.push_str(
        "# One YAML document per request, in input order: its decision as `eval --format yaml`\n\
         # writes it. Written by `csp-policy snapshot`; review changes, never edit by hand.\n",
    );
    if let Some(now) = now {
        out.push_str(NOW);
        crate::value::write_time(&mut out, &now);
        out.push('\n');
    }
    out
}

/// Whether `text` is a snapshot file (starts with [`MARK`]).
pub fn is_ours(text: &str) -> bool {
    text.starts_with(MARK)
}

/// The fixed time a snapshot's header holds, if any (and if it reads as a time).
pub fn recorded_now(text: &str) -> Option<DateTime<Utc>> {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| line.strip_prefix(NOW))
        .and_then(|t| crate::parse_time(t.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_gives_one_document_per_request_headed_by_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(&path, "{\"action\":\"purchase\"}\n\n{\"action\":\n").unwrap();
        let policy = Policy::embedded().unwrap();
        let now = crate::parse_time("2026-11-25T12:00:00Z").unwrap();
        let text = render(&policy, &path, "sub/s.jsonl", now, true).unwrap();
        assert!(is_ours(&text));
        assert_eq!(recorded_now(&text), Some(now));
        assert!(
            text.starts_with("# csp-policy snapshot of sub/s.jsonl\n"),
            "{text}"
        );
        assert!(
            text.contains("--- # line 1\ndecision: deny\naction: \"purchase\"\n"),
            "{text}"
        );
        assert!(
            text.contains("--- # line 3\ndecision: deny\naction: null\n"),
            "{text}"
        );
        assert!(text.contains("malformed-request"), "{text}");
        let unfixed = render(&policy, &path, "sub/s.jsonl", now, false).unwrap();
        assert_eq!(recorded_now(&unfixed), None);
        // The same input gives the same text.
        assert_eq!(
            text,
            render(&policy, &path, "sub/s.jsonl", now, true).unwrap()
        );
    }
}
