//! `csp-policy serve`: reads the options, then hands over to the library's server
//! ([`csp_policy::serve`]) and turns its outcome into an exit code. The address bound
//! is written to standard error once the server accepts connections (so that
//! `--listen 127.0.0.1:0` can be used by scripts).

use csp_policy::decision_log::mask::FieldPath;
use csp_policy::serve::{self, Config, ServeError};
use csp_policy::{limits, LoadError};

use super::args::ServeArgs;
use super::exit;
use super::output::say;

/// What `serve` prints after its options: the endpoints, signals and exit codes.
pub const HELP: &str = "Endpoints:
  POST /v1/decide             one request (application/json or application/yaml) or a
                              stream (application/x-ndjson); ?explain=true
  POST /v1/data/csp/decision  {\"input\": REQUEST} -> {\"result\": DECISION, \"decision_id\": ID}
  GET  /v1/policy             the revision, files, load time and actions
  GET  /health                200 with the revision; the last refused reload
  GET  /metrics               Prometheus (OpenMetrics) text
Signals: SIGHUP reloads the policy; SIGTERM or SIGINT stops accepting, drains the
requests in flight, flushes the decision log and exits 0.

Exit codes:
  0  stopped by SIGTERM or SIGINT, everything answered and logged
  2  bad usage, an address that cannot be listened on, a token file or decision log
     that cannot be read or opened
  3  the policy has errors and the server did not start";

/// Runs `serve` and returns the exit code.
pub fn run(args: ServeArgs) -> i32 {
    let listen: std::net::SocketAddr = match args.listen.parse() {
        Ok(addr) => addr,
        Err(_) => {
            say!(
                "error: --listen {:?} is not ADDR:PORT (such as 127.0.0.1:8181)\n",
                args.listen
            );
            return exit::USAGE;
        }
    };
    let now = match super::time::option(args.now.as_deref(), "--now") {
        Ok(now) => now,
        Err(code) => return code,
    };
    let masks = match log_masks(&args.log_masks) {
        Ok(masks) => masks,
        Err(code) => return code,
    };
    let token = match &args.token_file {
        None => None,
        Some(path) => match read_token(path) {
            Ok(token) => Some(token),
            Err(message) => {
                say!("error: --token-file {}: {message}\n", path.display());
                return exit::USAGE;
            }
        },
    };
    if !listen.ip().is_loopback() && token.is_none() {
        say!("warning: --listen {listen} is reachable from other machines and no --token-file is given: anyone who can reach it can ask for decisions\n");
    }
    let config = Config {
        policies: args.policies,
        listen,
        now,
        token,
        decision_log: args.decision_log,
        log_async: args.decision_log_async,
        masks,
        watch: !args.no_watch,
        playground: args.playground,
    };
    let result = serve::run(config, &mut |addr| {
        say!("csp-policy serve: listening on http://{addr}\n");
    });
    match result {
        Ok(()) => exit::OK,
        Err(ServeError::Policy(e @ LoadError::Invalid { .. })) => {
            say!("{}", e.render());
            say!("error: the policy has errors; the server did not start\n");
            exit::BAD_POLICY
        }
        Err(e) => {
            say!("error: {e}\n");
            exit::USAGE
        }
    }
}

/// The token: the file's text without surrounding whitespace; it must not be empty.
fn read_token(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut text = String::new();
    file.take(limits::TOKEN_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > limits::TOKEN_FILE_BYTES {
        return Err(format!("larger than {} bytes", limits::TOKEN_FILE_BYTES));
    }
    let token = text.trim();
    if token.is_empty() {
        return Err("the file holds no token".into());
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a token is one word (no spaces, no control characters)".into());
    }
    Ok(token.to_string())
}

/// `--log-mask` paths (`serve` and `eval`), each read as a field path; the first that is
/// not one is said, with the usage exit code.
pub(super) fn log_masks(texts: &[String]) -> Result<Vec<FieldPath>, i32> {
    texts
        .iter()
        .map(|text| {
            FieldPath::parse(text).map_err(|e| {
                say!("error: {e}\n");
                exit::USAGE
            })
        })
        .collect()
}
