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

/// The most roles one actor may list (roles are a bit mask of at most 64 roles).
pub const ROLES_PER_ACTOR: usize = 64;

/// How much memory the content rule may hold back before it decides the framing of a
/// stream that names none (standard input, other file names): the first request's line
/// and the blank lines around it, up to the line that settles the question (each line
/// counted with its bookkeeping, so that blank lines cannot get past it). One request's
/// worth: a request is at most [`REQUEST_BYTES`] anyway; past this the rule decides with
/// what it has (`request::stream`'s module doc).
/// Test: `request::stream::tests::the_lookahead_is_bounded`.
pub const FRAMING_LOOKAHEAD_BYTES: usize = REQUEST_BYTES;

/// Standard input is read by its own thread in blocks of at most this size, so that the
/// batch path can tell a quiet pipe (nothing read yet) from a busy one without waiting.
/// The size of a pipe's buffer on Linux: a fast writer fills whole blocks.
pub const LIVE_BLOCK_BYTES: usize = 64 << 10;

/// Blocks of standard input read ahead and not yet split: bounds the memory of a fast
/// writer feeding a slower decider (at most this many × [`LIVE_BLOCK_BYTES`]).
pub const LIVE_BLOCKS: usize = 4;

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
};
