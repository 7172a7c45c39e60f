//! `framing`: stream bytes through the stream splitter (`request::stream::Records`) and
//! the batch path (`eval::batch::run`, as `csp-policy eval` runs it). The records' first
//! lines strictly increase; pure JSON Lines gives one record per non-blank line; the
//! batch writes exactly one decision per record, in order: line `i` of its output is
//! the decision of record `i` decided alone. An input of more than one chunk is also
//! run on two threads, which must write the same bytes.
//!
//! Written against today's splitter API (`Records::new(reader)`, the format found from
//! the content); when the framing gets an explicit format, only `split` and `batch`
//! below change.

#![no_main]

use csp_policy::batch::{self, Rendering, Settings};
use csp_policy::Options;
use csp_policy::limits::CHUNK_RECORDS;
use csp_policy::stream::{RawRecord, Records};
use csp_policy_fuzz::lines::json_lines_records;
use csp_policy_fuzz::{now, policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let records = split(data);
    for pair in records.windows(2) {
        assert!(
            pair[0].line < pair[1].line,
            "first lines must strictly increase: {} then {}",
            pair[0].line,
            pair[1].line
        );
    }
    if let Some(expected) = json_lines_records(data) {
        assert_eq!(
            records.len(),
            expected,
            "JSON Lines: one record per non-blank line"
        );
    }

    let options = Options::at(now());
    let out = batch(data, 1, &options, records.len());
    let decisions: Vec<&str> = out.lines().collect();
    assert_eq!(decisions.len(), records.len(), "one decision per record");
    for (record, written) in records.iter().zip(&decisions) {
        let alone = policy().decide_raw(record, &options).to_json();
        assert_eq!(*written, alone, "record at line {}", record.line);
    }
    if records.len() > CHUNK_RECORDS {
        assert_eq!(batch(data, 2, &options, records.len()), out, "two threads");
    }
});

/// The records of `data`, as the splitter makes them.
fn split(data: &[u8]) -> Vec<RawRecord> {
    Records::new(data).collect()
}

/// The batch path's JSON output for `data` on `jobs` threads; checks its count.
fn batch(data: &[u8], jobs: usize, options: &Options, records: usize) -> String {
    let mut out = Vec::new();
    let settings = Settings {
        jobs,
        rendering: Rendering::Json,
    };
    let summary = batch::run(
        policy(),
        &mut Records::new(data),
        &mut out,
        options,
        settings,
        &mut |_| {},
    );
    assert_eq!(summary.count, records as u64, "the batch's count");
    assert!(!summary.write_failed);
    match String::from_utf8(out) {
        Ok(out) => out,
        Err(e) => panic!("the batch wrote bytes that are not UTF-8: {e}"),
    }
}
