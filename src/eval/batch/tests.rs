//! The batch path's tests: output and order with one thread or several, bounded
//! chunks, live inputs, and a keeper that fails part way.

use super::*;
use crate::request::stream::RawRecord;

fn policy() -> crate::Policy {
    crate::Policy::embedded().expect("the embedded policy loads")
}

fn options() -> Options {
    Options::at(crate::value::parse_time("2026-11-25T12:00:00Z").expect("a time"))
}

fn run_batch(input: &str, jobs: usize, rendering: Rendering) -> (String, Summary) {
    let policy = policy();
    let mut out = Vec::new();
    let mut records = Records::new(input.as_bytes());
    let summary = run(
        &policy,
        &mut records,
        &mut out,
        &options(),
        Settings { jobs, rendering },
        &mut |_| {},
    );
    (String::from_utf8(out).expect("UTF-8 output"), summary)
}

/// Several chunks' worth of corpus requests (some malformed), with blank lines.
fn stream() -> String {
    let mut input = String::new();
    for (i, line) in csp_corpus::generate(5, 3 * CHUNK_RECORDS + 17).enumerate() {
        input.push_str(&line);
        input.push('\n');
        if i % 100 == 0 {
            input.push('\n');
        }
    }
    input
}

#[test]
fn every_thread_count_writes_the_same_decisions_in_input_order() {
    let input = stream();
    let policy = policy();
    let expected: String = Records::new(input.as_bytes())
        .map(|raw: RawRecord| {
            let mut line = policy.decide_raw(&raw, &options()).to_json();
            line.push('\n');
            line
        })
        .collect();
    for jobs in [1, 2, 3] {
        let (out, summary) = run_batch(&input, jobs, Rendering::Json);
        assert_eq!(out, expected, "jobs = {jobs}");
        assert_eq!(summary.count, 3 * CHUNK_RECORDS as u64 + 17);
        assert!(!summary.all_allow);
        assert!(!summary.write_failed);
    }
}

#[test]
fn text_decisions_are_separated_across_chunks() {
    let input = stream();
    let (one, _) = run_batch(&input, 1, Rendering::Text);
    let (two, _) = run_batch(&input, 2, Rendering::Text);
    assert_eq!(one, two);
    assert!(one.starts_with("request at line 1: "));
    assert_eq!(
        one.matches("\n\nrequest at line ").count(),
        3 * CHUNK_RECORDS + 16,
        "one blank line between decisions, none before the first"
    );
}

#[test]
fn an_input_in_one_chunk_and_an_empty_input() {
    let (out, summary) = run_batch(&stream()[..2_000], 2, Rendering::Yaml);
    assert!(out.starts_with("---\ndecision: "));
    assert!(summary.count >= 2);
    let (out, summary) = run_batch("\n\n", 2, Rendering::Json);
    assert_eq!((out.as_str(), summary.count), ("", 0));
}

/// A writer that fails after `room` bytes.
struct Closing {
    room: usize,
}

impl Write for Closing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.room {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        self.room -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_closed_output_stops_the_batch() {
    let input = stream();
    let policy = policy();
    for jobs in [1, 2] {
        let mut records = Records::new(input.as_bytes());
        let summary = run(
            &policy,
            &mut records,
            &mut Closing { room: 1_000 },
            &options(),
            Settings {
                jobs,
                rendering: Rendering::Json,
            },
            &mut |_| {},
        );
        assert!(summary.write_failed, "jobs = {jobs}");
        assert_eq!(summary.count, 0);
    }
}

/// A writer that logs, at each flush, how many waits for input had happened and how
/// many decisions (lines) had been written.
struct Logged {
    lines: usize,
    waits: std::rc::Rc<std::cell::RefCell<Vec<usize>>>,
    flushes: Vec<(usize, usize)>,
}

impl Write for Logged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.lines += buf.iter().filter(|&&b| b == b'\n').count();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.flushes.push((self.waits.borrow().len(), self.lines));
        Ok(())
    }
}

#[test]
fn a_quiet_live_input_gets_every_decision_written_and_flushed_before_the_wait() {
    use crate::request::stream::{testing::Scripted, Framing};
    // Regression (fixed): decisions were held back until 512 records arrived.
    let corpus: Vec<String> = csp_corpus::generate(9, 3 + 2 + 700 + 1).collect();
    let part = |range: std::ops::Range<usize>| {
        corpus[range]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    let parts = [part(0..3), part(3..5) + "\n", part(5..705), part(705..706)];
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let yaml_parts = [
        "a: 1\n...\n",
        "{b: 2}\n",
        "---\nc: 3\n...\n---\nd: 4\n...\n",
    ];
    let policy = policy();
    for (parts, framing, expected) in [
        (&parts[..], Framing::JsonLines, vec![3, 5, 705]),
        (&yaml_parts[..], Framing::Yaml, vec![1, 2]),
    ] {
        for jobs in [1, 2] {
            let input = Scripted::new(parts);
            let waits = input.waits.clone();
            let mut out = Logged {
                lines: 0,
                waits: waits.clone(),
                flushes: Vec::new(),
            };
            let mut records = Records::with_framing(input, Some(framing));
            let summary = run(
                &policy,
                &mut records,
                &mut out,
                &options(),
                Settings {
                    jobs,
                    rendering: Rendering::Json,
                },
                &mut |_| {},
            );
            assert_eq!(
                waits.borrow().len(),
                expected.len(),
                "{framing:?}, jobs = {jobs}"
            );
            for (k, &decided) in expected.iter().enumerate() {
                assert!(
                    out.flushes.contains(&(k, decided)),
                    "{framing:?}, jobs = {jobs}: before wait {k}, {decided} decisions \
                     flushed; flushes (waits, decisions): {:?}",
                    out.flushes
                );
            }
            assert_eq!(summary.count as usize, out.lines);
        }
    }
}

#[test]
fn a_file_is_read_in_full_chunks() {
    // Files never stall: the chunks are as large as before (no flush on the way).
    let input = stream();
    let policy = policy();
    let waits = std::rc::Rc::default();
    let mut out = Logged {
        lines: 0,
        waits,
        flushes: Vec::new(),
    };
    let mut records = Records::new(input.as_bytes());
    let mut chunks = 0;
    run(
        &policy,
        &mut records,
        &mut out,
        &options(),
        Settings {
            jobs: 2,
            rendering: Rendering::Json,
        },
        &mut |_| chunks += 1,
    );
    assert_eq!(chunks, 4, "3 full chunks and the rest");
    assert!(out.flushes.is_empty());
}

/// Keeps every decision until the request at line `fails_at`, then fails.
struct FailingKeeper {
    fails_at: usize,
    kept: std::sync::atomic::AtomicUsize,
}

impl Keeper for FailingKeeper {
    type Pending = Vec<usize>;
    type Error = usize;
    fn keep(
        &self,
        document: &crate::request::stream::Document<'_>,
        _: &crate::Decision,
        pending: &mut Vec<usize>,
    ) -> Result<(), usize> {
        if document.line >= self.fails_at {
            return Err(document.line);
        }
        pending.push(document.line);
        Ok(())
    }
    fn settle(&self, pending: Vec<usize>) -> Result<(), usize> {
        self.kept
            .fetch_add(pending.len(), std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// A decision that cannot be kept stops the run before the chunk that holds it: what
/// is written is whole chunks, all kept, in order; the failure is returned.
#[test]
fn a_decision_not_kept_stops_the_run_before_its_chunk() {
    let input = stream();
    let lines = input.lines().count();
    let fails_at = CHUNK_RECORDS + CHUNK_RECORDS / 2;
    let (full, _) = run_batch(&input, 1, Rendering::Json);
    for jobs in [1, 3] {
        let policy = policy();
        let keeper = FailingKeeper {
            fails_at,
            kept: Default::default(),
        };
        let mut out = Vec::new();
        let mut records = Records::new(input.as_bytes());
        let (summary, error) = run_kept(
            &policy,
            &mut records,
            &mut out,
            &options(),
            Settings {
                jobs,
                rendering: Rendering::Json,
            },
            false,
            &keeper,
            &mut |_| {},
        );
        assert!(lines > fails_at);
        assert_eq!(error, Some(fails_at), "jobs = {jobs}");
        let out = String::from_utf8(out).unwrap();
        assert!(full.starts_with(&out), "jobs = {jobs}");
        let written = out.lines().count() as u64;
        assert_eq!(written, summary.count);
        assert!(written > 0 && (written as usize) < fails_at, "{written}");
        assert!(!summary.write_failed);
    }
}
