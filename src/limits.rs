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

/// The longest duration literal, in seconds: a thousand years of 365 days. Times lie
/// between years 0000 and 9999 ([`TIME_FIRST_YEAR`], [`TIME_LAST_YEAR`]), so no
/// sensible window or link is longer; and a duration this size stays far inside the
/// range of exact durations (chrono's, about 292 million years) after the arithmetic a
/// policy may do with it (a time plus it, a few sums or products), so that an overflow
/// is a located evaluation error rather than a surprise. A longer literal is refused
/// where it is written. Test: `syntax::lower::tests::duration_literals_up_to_a_thousand_years`.
pub const DURATION_LITERAL_SECONDS: u64 = 1_000 * 365 * 86_400;

/// The most digits before the decimal point of a money literal (`999999999999999.99 USD`
/// at most): a quadrillion is beyond any price or limit a policy states, and it leaves
/// thirteen of the 28 digits a decimal holds for the arithmetic a policy does with it
/// (an amount times a percentage times a count of days), so that such products stay
/// exact instead of overflowing into an evaluation error. A larger literal is refused
/// where it is written. Test: `tests/money.rs`, `money_literals_are_refused_past_the_limits`.
pub const MONEY_LITERAL_INTEGER_DIGITS: u32 = 15;

/// The most decimals of a money literal in a currency that ISO 4217 gives no minor
/// unit (gold `XAU`, special drawing rights `XDR`): four, the most any ISO currency has
/// (`CLF`). Every other currency allows its own minor digits (2 for USD, 0 for JPY), so
/// that a literal never states an amount its currency cannot pay.
/// Test: `tests/money.rs`, `money_literals_are_refused_past_the_limits`.
pub const MONEY_LITERAL_SCALE: u32 = 4;

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

/// The most market display names a policy may write, all lists together. Each name is
/// compared with its code's names in the list's languages (every language CLDR has when
/// the list does not say: over two hundred), so the checker's work grows with the
/// count; real policies write a few hundred (the default policy: 222). The name past the
/// limit is refused where it is written. Test: `tests/market_names.rs`.
pub const POLICY_MARKET_NAMES: usize = 4_096;

/// The most display names per policy that the checker *searches* for: names that are
/// not one of their code's names in their languages as written or after normalisation
/// (a part of a name, a slip, another code's name). A search reads every name of the
/// list's languages (tens of thousands without `names in`) and ranks the closest ones;
/// the default policy needs 5. A name past the limit that needs a search is an error,
/// not an unchecked name. Test: `tests/market_names.rs`.
pub const MARKET_NAME_SEARCHES: usize = 64;

// ----------------------------------------------------------------------------------------
// Requests
// ----------------------------------------------------------------------------------------

/// The largest request document, in bytes. A request is a few hundred bytes; a larger
/// one is refused as its own error record (and a stream goes on after it).
pub const REQUEST_BYTES: usize = 1 << 20;

/// The deepest nesting of a YAML request (JSON requests have serde_json's own limit of
/// 128, which is also finite and refused as a malformed request).
pub const YAML_DEPTH: usize = 64;

/// The deepest nesting the fast path for JSON requests reads (`request/json_fast.rs`); a
/// deeper document is read by serde_json, whose own limit (128) then applies. Below
/// serde_json's limit, so that the fast path never reads a document serde_json refuses,
/// and at most 128, the bits of the fast path's stack of open lists and objects.
pub const JSON_FAST_DEPTH: usize = 100;

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
/// Tests: `value::read::tests::times_refuse_leap_seconds_years_past_9999_and_sub_nanosecond_digits`,
/// `eval::arith::tests::a_time_computed_outside_years_0000_to_9999_is_an_evaluation_error`.
pub const TIME_FIRST_YEAR: i32 = 0;

/// See [`TIME_FIRST_YEAR`].
pub const TIME_LAST_YEAR: i32 = 9999;

/// The most decimals of a second a time may give: times are held to the nanosecond, so
/// a tenth decimal would be dropped silently. Test: as for [`TIME_FIRST_YEAR`].
pub const TIME_FRACTION_DIGITS: usize = 9;

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
    // Each policy vocabulary fits the mask that holds it.
    assert!(POLICY_ACTIONS <= u64::BITS as usize);
    assert!(POLICY_ROLES <= u64::BITS as usize);
    assert!(POLICY_SIDES <= u8::BITS as usize);
    assert!(POLICY_FIELDS <= u128::BITS as usize);
    assert!(JSON_FAST_DEPTH < 128 && JSON_FAST_DEPTH <= u128::BITS as usize);
};

// ----------------------------------------------------------------------------------------
// Files, threads and output of the command line
// ----------------------------------------------------------------------------------------

/// The most `.policy` files read from one policy folder. A policy is written by people
/// (the default one has eight files); without a cap a folder of 100,000 files would be
/// read whole into memory (each file may hold [`POLICY_FILE_BYTES`]) before anything is
/// said. The folder is refused, with this number, when it holds more.
/// Test: `tests/cli_hardening.rs`, `a_policy_folder_with_too_many_files_is_refused`.
pub const POLICY_FILES: usize = 1_000;

/// The most bytes of policy text read for one command, all files together (enforced
/// while reading, file by file). Sixteen times the largest file: far beyond a real
/// policy, and it bounds what the parser and the checker hold at once.
pub const POLICY_TOTAL_BYTES: usize = 16 * POLICY_FILE_BYTES;

/// The most policy files one playground step carries (`serve --playground`,
/// `src/playground.rs`). A page edits a handful; the cap keeps one step's work bounded
/// before anything is parsed. Test: `playground::tests::the_caps_are_checked_before_anything_else`.
pub const PLAYGROUND_FILES: usize = 64;

/// The most bytes of policy and request text one playground step carries, all files
/// together: four of the largest policy files, far beyond what a person edits in a
/// page, and a bound on the work one step asks of the server (whose body limit comes
/// first). Test: `playground::tests::the_caps_are_checked_before_anything_else`.
pub const PLAYGROUND_BYTES: usize = 4 * POLICY_FILE_BYTES;

/// The most threads `eval --jobs` accepts (and the most it uses by default, on a machine
/// with more CPUs). Every job holds a thread stack and two chunk buffers of up to
/// [`CHUNK_BYTES`] + [`REQUEST_BYTES`], so 64 jobs may hold about 160 MiB at worst; a
/// count like 65,535 made thread creation fail and the process abort.
/// Test: `tests/cli_hardening.rs`, `an_absurd_jobs_count_is_a_usage_error`.
pub const JOBS: u16 = 64;

/// The longest source line a diagnostic draws whole, in characters. A longer line is
/// drawn as a window of this many characters around the offending column, its cut
/// ends marked `…`: the output stays readable and bounded, and miette's drawing (which
/// panics on columns past 65,535) never sees a wide line. The `file:line:col` first
/// line is always exact. Test: `check::render::tests::a_very_long_line_is_cut_around_the_column`.
pub const DIAGNOSTIC_LINE_CHARS: usize = 400;

const _: () = {
    // Every policy file at its largest, up to the total.
    assert!(POLICY_TOTAL_BYTES >= POLICY_FILE_BYTES);
    // miette draws columns up to u16::MAX; a window counts tabs as up to 4 columns and
    // wide characters as 2.
    assert!(DIAGNOSTIC_LINE_CHARS * 4 < u16::MAX as usize);
};

/// The most declared names a "did you mean" hint compares an unknown name with (the
/// first ones in name order, whatever order the checker's tables hand them over in). A
/// policy has a few hundred names at most; without a cap, a policy with thousands of
/// unknown names made `check` quadratic (3,000 took minutes).
/// Test: `tests/cli_hardening.rs`, `thousands_of_unknown_names_are_checked_in_bounded_time`.
pub const SUGGESTION_CANDIDATES: usize = 1_000;

// ----------------------------------------------------------------------------------------
// The decision server (`csp-policy serve`) and the decision log
// ----------------------------------------------------------------------------------------

/// The largest body of one request to `POST /v1/decide` (JSON or YAML) or
/// `POST /v1/data/csp/decision`: one request's limit, [`REQUEST_BYTES`]; a larger body
/// is refused with 413 before it is read whole (its `Content-Length`, or while reading).
/// An NDJSON stream has no total limit (it is decided as it is read, in bounded
/// memory); each of its records is at most [`REQUEST_BYTES`], a larger one its own deny,
/// as in `eval`. Test: `tests/serve.rs`, `a_body_over_the_limit_is_413`.
pub const SERVE_BODY_BYTES: usize = REQUEST_BYTES;

/// The most bytes of a request's head (request line and headers) the server buffers: a
/// larger head is refused (431) instead of growing a buffer for a client that never
/// ends its headers. Real heads are well under a kibibyte (the token is one header).
/// Test: `tests/serve.rs`, `headers_over_the_limit_are_refused`.
pub const SERVE_HEADER_BYTES: usize = 16 << 10;

/// How long a connection may take to send a request's head, counted from when the
/// server starts waiting for it: a keep-alive connection idle this long is closed too.
/// A slow or silent client cannot hold a connection (nor its place among
/// [`SERVE_CONNECTIONS`]) for longer.
pub const SERVE_HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long the server waits for the next piece of a request's body: a client that
/// stops sending in the middle of a body is cut off (a single request: 408; an NDJSON
/// stream: the response ends with an error, never silently short).
pub const SERVE_BODY_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The most connections served at once. Past it, new connections wait in the kernel's
/// listen queue until one closes: a flood of connections cannot exhaust file
/// descriptors or memory (each connection holds buffers of about
/// [`SERVE_HEADER_BYTES`]).
pub const SERVE_CONNECTIONS: usize = 1_024;

/// How long SIGTERM waits for requests in flight to finish before the server stops
/// anyway (the decision log is flushed either way). Long enough for any single request;
/// an NDJSON stream still open after it is cut.
pub const SERVE_DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Body pieces of an NDJSON stream read ahead of the decider, and decision chunks
/// written ahead of the client: bounds a stream's memory at both ends whatever its
/// length (a slow reader of answers slows the reading of requests).
pub const SERVE_STREAM_FRAMES: usize = 8;

/// How long file changes must settle before the policy is reloaded: an editor's save
/// (write, rename, several files at once) is one reload, not several half-written ones.
pub const RELOAD_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(250);

/// The most entries queued for the decision log and not yet taken by its writer. A
/// full queue makes deciders wait (back-pressure): nothing is ever dropped. Also the
/// bound of what the asynchronous mode (`--decision-log-async`) can lose when the
/// process dies, with one batch being committed ([`LOG_BATCH`]).
pub const LOG_QUEUE: usize = 8_192;

/// The most entries committed in one transaction (group commit): one `fsync` for many
/// decisions under load, and a bound on how long one commit holds the writer.
pub const LOG_BATCH: usize = 1_024;

/// The longest the log's writer waits to gather a group before committing it, while
/// fewer entries are queued than callers were answered by the last commit (they come
/// back with their next decisions within a round trip). Short beside one commit's
/// `fsync` (milliseconds on most disks): it is added to a decision's latency only when
/// its callers are slow to come back.
pub const LOG_GATHER_WAIT: std::time::Duration = std::time::Duration::from_micros(500);

/// How often the writer looks at the queue while it gathers ([`LOG_GATHER_WAIT`]).
pub const LOG_GATHER_POLL: std::time::Duration = std::time::Duration::from_micros(50);

/// How long a writer or reader of the log waits for another process's lock on the
/// same SQLite file (`eval` and `serve` on one log, `log` reading it) before failing.
pub const LOG_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long connecting to a PostgreSQL decision log may take when its URL sets no
/// `connect_timeout`: a server that does not answer is reported, not waited for forever.
pub const LOG_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The first wait before the writer reconnects to a PostgreSQL log it lost; each
/// further wait doubles, up to [`LOG_RETRY_MAX`].
pub const LOG_RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(100);

/// The longest wait between two reconnections to a PostgreSQL log.
pub const LOG_RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(5);

/// How long the writer keeps trying to commit one group to a PostgreSQL log it cannot
/// reach. Meanwhile nothing is acknowledged and deciders wait (back-pressure); after it,
/// that group's decisions are refused (never answered unlogged), and a server being
/// stopped does not hang for ever on a log that is gone.
pub const LOG_RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Rows fetched at a time when `csp-policy log` reads a PostgreSQL log (through a
/// cursor): a log of any size is read in bounded memory.
pub const LOG_READ_ROWS: i32 = 1_000;

/// The largest token file read by `--token-file`: a bearer token is a line of text.
pub const TOKEN_FILE_BYTES: u64 = 4 << 10;

const _: () = {
    // hyper's smallest read buffer is 8 KiB.
    assert!(SERVE_HEADER_BYTES >= 8 << 10);
    // A batch is taken from the queue.
    assert!(LOG_BATCH <= LOG_QUEUE);
    // A reconnection is tried more than once before a group is refused.
    assert!(LOG_RETRY_MAX.as_millis() * 2 < LOG_RETRY_FOR.as_millis());
};

// ----------------------------------------------------------------------------------------
// Change impact (`diff`)
// ----------------------------------------------------------------------------------------

/// The most groups (an action, and an old → new outcome) a `diff` over requests counts
/// one by one. The groups come from the requests (an unknown action, any mix of error
/// codes), so a hostile stream could make millions; past the limit, changes are counted
/// in one "other" group, said as such, and nothing is lost from the totals.
/// Test: `diff::summary::tests::groups_past_the_limit_are_counted_as_other`.
pub const DIFF_GROUPS: usize = 1_000;

/// The most changed requests whose line `diff --format text` lists in one group; the
/// rest of the group is counted ("and 1,234 more"). A reviewer reads a few lines per
/// kind of change, and the text output keeps memory bounded on a stream of any length
/// (the JSON output streams every change).
pub const DIFF_LINES_PER_GROUP: usize = 20;

/// The most literals one text field is tested to contain in the policies compared by
/// an exhaustive `diff`: each set of them is a class of texts (2^n candidates). Past
/// it, the field is not enumerated and the comparison says it is incomplete.
pub const DIFF_CONTAINED_TEXTS: usize = 6;

/// The most roles of one side that audiences and role tests name, for an exhaustive
/// `diff`: each set of them is a candidate actor (2^n). Past it, the comparison of the
/// action says it is incomplete.
pub const DIFF_ROLE_BITS: usize = 12;

/// The most candidates of one dimension of an exhaustive `diff` (the regions of the
/// times, the classes of a field's values): the search multiplies them. Past it, the
/// action is not compared and the comparison says it is incomplete.
pub const DIFF_CANDIDATES: usize = 4_096;

/// The most combinations an exhaustive `diff` searches for one action (nodes of the
/// search; most are cut early, when both decisions are known). Keeps a pathological
/// policy from running for hours; past it, the comparison says it is incomplete.
pub const DIFF_SEARCH_NODES: usize = 2_000_000;

/// The most classes an exhaustive `diff` reports; past it, the rest are counted and
/// the comparison says it is incomplete.
pub const DIFF_CLASSES: usize = 1_000;

// ----------------------------------------------------------------------------------------
// Decision snapshots (`snapshot`)
// ----------------------------------------------------------------------------------------

/// The most request files one `snapshot` run reads from a folder tree. A policy
/// repository keeps a few hundred; without a cap a tree of millions of files would be
/// listed whole before anything is said. The run stops (exit 2) with this number.
/// Test: `snapshot::tree::tests::a_tree_past_the_limits_is_refused`.
pub const SNAPSHOT_FILES: usize = 10_000;

/// How deep `snapshot` descends into the requests folder (and the snapshots folder):
/// deeper folders are not read, and the run says so. Keeps a link loop or a generated
/// tree from being walked for ever. Test: as [`SNAPSHOT_FILES`].
pub const SNAPSHOT_DEPTH: usize = 32;

/// The most requests one request file may hold for `snapshot`: each one's decision is
/// kept in memory (as snapshot text) while its file is compared or written. A snapshot
/// is reviewed by people; a stream of millions belongs to `diff`, which streams.
/// Test: `tests/snapshot_cmd.rs`, `a_request_file_past_the_record_limit_is_refused`.
pub const SNAPSHOT_RECORDS: usize = 10_000;

/// The largest snapshot file read back (enforced while reading): far above what
/// [`SNAPSHOT_RECORDS`] decisions take, so only a file that is not ours reaches it.
pub const SNAPSHOT_BYTES: u64 = 64 << 20;

// ----------------------------------------------------------------------------------------
// The permission matrix (`matrix`)
// ----------------------------------------------------------------------------------------

/// The most alternatives (boxes of requests, each said as one conjunction) a cell of
/// the permission matrix says. A cell needing more is not readable as words: it says
/// how many, and the matrix says it is incomplete.
/// Test: `matrix::cover::tests::too_many_alternatives_are_refused`.
pub const MATRIX_ALTERNATIVES: usize = 12;
