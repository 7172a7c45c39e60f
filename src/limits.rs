//! Every limit of the engine, in one place: how large, how deep, how many. Each limit has
//! its value and the reason for it; the code that enforces it has the test. Nothing else in the code defines
//! a limit: code that reads input refers to these constants, and enforces them *while*
//! reading, never after reading everything.
//!
//! The README's "Limits" table lists the same limits for users; keep both in step.
//!
//! regorus's `utils/limits` is the model: a limit is a documented decision, not a number
//! buried in the code that happens to read the input.

// ----------------------------------------------------------------------------------------
// Policy text
// ----------------------------------------------------------------------------------------

/// The largest policy file accepted, in bytes. A policy is written by people; a file of
/// a megabyte is far beyond any real one, and the parser's work grows with the text.
pub const POLICY_FILE_BYTES: usize = 1 << 20;

/// The deepest nesting of parentheses in a policy file. Checked before pest runs, so that
/// its recursive descent cannot exhaust the stack.
/// Test: `syntax::tests::deep_parentheses_are_refused_before_parsing`.
pub const POLICY_NESTING: usize = 32;

/// The most operands of one `and`/`or` or arithmetic chain, and the deepest expression
/// tree: keeps the checker's and evaluator's recursion bounded whatever the input.
pub const EXPR_DEPTH: usize = 64;

/// The most syntax errors reported for one file; after that the rest of it is skipped
/// (recovery re-parses the file once per error).
pub const SYNTAX_ERRORS_PER_FILE: usize = 20;

/// The most cases (alternatives of `or`) the reachability analysis expands a condition
/// into; a larger condition is not analysed (no warning rather than a slow `check`).
pub const REACH_CASES: usize = 32;

/// How deep `let`s are inlined by the reachability analysis.
pub const REACH_LET_DEPTH: usize = 8;

/// The most actions a policy may declare: the checker keeps the actions a rule or a
/// requirement applies to as one 64-bit mask. The action past the limit is refused
/// where it is declared. Test: `tests/policy_limits.rs`.
pub const POLICY_ACTIONS: usize = 64;

/// The most roles a policy may declare, all sides together: an audience and an actor's
/// roles are 64-bit masks, one bit per role. The role past the limit is refused where
/// it is declared. Test: `tests/policy_limits.rs`.
pub const POLICY_ROLES: usize = 64;

/// The most sides (`roles for SIDE`) a policy may declare: an audience keeps its sides
/// as one 8-bit mask. Test: `tests/policy_limits.rs`.
pub const POLICY_SIDES: usize = 8;

/// The most input fields a policy may declare: a decoded request marks the fields whose
/// value was given but invalid (so that they are not also called missing) in one
/// 128-bit word. The field past the limit is refused where it is declared. A real
/// request schema has a few dozen fields (the default policy: 26).
/// Test: `tests/policy_limits.rs`.
pub const POLICY_FIELDS: usize = 128;

// ----------------------------------------------------------------------------------------
// Requests
// ----------------------------------------------------------------------------------------

/// The largest request document, in bytes. A request is a few hundred bytes; a larger
/// one is refused as its own error record (and a stream goes on after it).
pub const REQUEST_BYTES: usize = 1 << 20;

/// The deepest nesting of a YAML request (JSON requests have serde_json's own limit of
/// 128, which is also finite and refused as a malformed request).
pub const YAML_DEPTH: usize = 64;

/// The most aliases one YAML request may use (a defence against alias bombs).
pub const YAML_ALIASES: usize = 64;

/// The most YAML nodes one request may hold, aliases counted as the nodes they stand for.
pub const YAML_NODES: usize = 100_000;

/// The most roles one actor may list (a policy has at most [`POLICY_ROLES`] roles).
pub const ROLES_PER_ACTOR: usize = 64;

/// The largest count a request may give (`link.downloads`): 2^53 - 1, the largest
/// whole number that every JSON reader, JavaScript's included, reads exactly, so that a
/// count written back in a decision (a fact, a message) means what the request said. A
/// larger count is refused with the value as written, never clamped.
/// Test: `request::number::tests::counts_are_decimal_digits_up_to_the_limit`.
pub const COUNT_MAX: u64 = (1 << 53) - 1;

/// The first and last years of a time, in UTC. RFC 3339 writes a year in four digits:
/// a time outside them could be neither read back nor written. A request time outside
/// them (`9999-12-31T23:00:00-05:00` is in year 10000 in UTC) is refused; a computed
/// time outside them (a link expiring after 9999) is an evaluation error.
/// Tests: `value::tests::times_refuse_leap_seconds_years_past_9999_and_sub_nanosecond_digits`,
/// `eval::expr::tests::a_time_computed_outside_years_0000_to_9999_is_an_evaluation_error`.
pub const TIME_FIRST_YEAR: i32 = 0;

/// See [`TIME_FIRST_YEAR`].
pub const TIME_LAST_YEAR: i32 = 9999;

/// The most decimals of a second a time may give: times are held to the nanosecond, so
/// a tenth decimal would be dropped silently. Test: as for [`TIME_FIRST_YEAR`].
pub const TIME_FRACTION_DIGITS: usize = 9;

// ----------------------------------------------------------------------------------------
// Suites (`csp-policy test`)
// ----------------------------------------------------------------------------------------

/// The largest suite file read, in bytes (enforced while reading).
pub const SUITE_BYTES: u64 = 16 << 20;

/// The most YAML nodes a suite may hold, aliases counted as the nodes they stand for.
pub const SUITE_NODES: usize = 1_000_000;

/// How deep a suite file may nest: a request's own limit plus the suite's levels around
/// it (the suite, its cases, a case, `request`), so that an over-deep request reaches the
/// request decoder and is refused there, as `eval` would refuse it.
pub const SUITE_DEPTH: usize = YAML_DEPTH + 8;

// ----------------------------------------------------------------------------------------
// The batch path (`eval` on a stream)
// ----------------------------------------------------------------------------------------

/// Most documents in one chunk of the batch path.
pub const CHUNK_RECORDS: usize = 512;

/// Text of one chunk after which no further document is added (a document is at most
/// [`REQUEST_BYTES`], so a chunk holds at most that more).
pub const CHUNK_BYTES: usize = 256 << 10;

/// A chunk buffer that grew past this (one huge document) is released after use, so
/// that one large request does not keep its memory for the rest of the stream.
pub const CHUNK_KEEP_BYTES: usize = 4 << 20;

/// Spare message strings a thread keeps for reuse between decisions.
pub const SPARE_STRINGS: usize = 64;

/// A spare string longer than this is not kept.
pub const SPARE_STRING_BYTES: usize = 16 << 10;

// The limits agree with each other: checked when the crate compiles.
const _: () = {
    // A chunk closes after CHUNK_BYTES, so it may hold one request more: the buffer kept
    // between chunks must hold a full chunk with the largest request in it.
    assert!(CHUNK_KEEP_BYTES >= CHUNK_BYTES + REQUEST_BYTES);
    // A suite can hold the deepest and the largest request.
    assert!(SUITE_DEPTH > YAML_DEPTH);
    assert!(SUITE_BYTES >= REQUEST_BYTES as u64);
    // Each policy vocabulary fits the mask that holds it.
    assert!(POLICY_ACTIONS <= u64::BITS as usize);
    assert!(POLICY_ROLES <= u64::BITS as usize);
    assert!(POLICY_SIDES <= u8::BITS as usize);
    assert!(POLICY_FIELDS <= u128::BITS as usize);
};
