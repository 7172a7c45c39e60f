//! The endpoints. `POST /v1/decide` (one JSON or YAML request, or an NDJSON stream),
//! `POST /v1/data/csp/decision` (OPA's data API shape), `GET /v1/policy`, `GET /health`
//! and `GET /metrics`. A request that cannot be decided is still a `200` deny (as
//! `eval` decides it); only transport problems get 4xx: 400 a bad query or OPA
//! envelope, 401 a missing or wrong token, 405 a wrong method (axum's method router),
//! 408 a body that stopped arriving, 413 a body over [`SERVE_BODY_BYTES`], 415 an
//! unsupported content type. 503: the decision's log entry could not be committed, so
//! the decision is not given.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::value::RawValue;

use super::answer::{entry, new_id, write_answer};
use super::state::State;
use crate::json::write_str;
use crate::limits::{SERVE_BODY_BYTES, SERVE_BODY_IDLE_TIMEOUT};
use crate::stream::{Document, Format, Framing, Records};
use crate::Options;

/// The router with every endpoint; `/v1/*` behind the token when one is set.
pub fn router(state: Arc<State>) -> Router {
    let mut v1 = Router::new()
        .route("/v1/decide", post(decide))
        .route("/v1/data/csp/decision", post(opa_decision))
        .route("/v1/policy", get(policy_info));
    if state.playground {
        v1 = v1
            .route("/v1/playground", post(super::playground::step))
            .route("/v1/playground/start", get(super::playground::start));
    }
    let mut router = v1
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .route("/health", get(health))
        .route("/metrics", get(metrics));
    if state.playground {
        router = router.route("/", get(super::playground::page));
    }
    router.with_state(state)
}

/// A transport-level refusal: a status and a JSON body naming the problem.
pub fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let mut body = String::from("{\"error\":{\"code\":");
    write_str(&mut body, code);
    body.push_str(",\"message\":");
    write_str(&mut body, message);
    body.push_str("}}\n");
    (status, json_headers(), body).into_response()
}

fn json_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )]
}

/// `/v1/*` needs `Authorization: Bearer TOKEN` when the server has a token.
async fn require_token(
    Shared(state): Shared<Arc<State>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer);
        if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
            let mut response = refusal(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this endpoint needs the header `Authorization: Bearer TOKEN` with the server's token",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

/// The token of an `Authorization: Bearer TOKEN` value (the scheme in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Compares two byte strings in time that depends only on their lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a body's `Content-Type` says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Yaml,
    Ndjson,
}

fn kind(headers: &HeaderMap) -> Option<Kind> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value.split(';').next()?.trim().to_ascii_lowercase();
    match media.as_str() {
        "application/json" => Some(Kind::Json),
        "application/yaml" | "application/x-yaml" | "text/yaml" => Some(Kind::Yaml),
        "application/x-ndjson" | "application/jsonl" | "application/jsonlines" => {
            Some(Kind::Ndjson)
        }
        _ => None,
    }
}

fn unsupported(allowed: &str) -> Response {
    refusal(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        &format!("the body's Content-Type must be {allowed}"),
    )
}

/// The `?explain=` query parameter of a decide endpoint, read before the body: a query
/// with anything else is refused with 400 (`bad-query`).
struct Explain(bool);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Explain {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        explain(parts.uri.query()).map(Explain).map_err(|r| *r)
    }
}

/// `?explain=true|false`; anything else is a 400.
fn explain(query: Option<&str>) -> Result<bool, Box<Response>> {
    let mut explain = false;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, "true"));
        match (key, value) {
            ("explain", "true" | "1") => explain = true,
            ("explain", "false" | "0") => explain = false,
            _ => {
                return Err(Box::new(refusal(
                    StatusCode::BAD_REQUEST,
                    "bad-query",
                    &format!(
                        "unknown query parameter {pair:?}: the only one is explain=true|false"
                    ),
                )))
            }
        }
    }
    Ok(explain)
}

/// Why a body could not be read.
pub enum BodyError {
    /// Over the limit.
    TooLarge,
    /// The client stopped sending.
    Timeout,
    /// The connection failed.
    Failed(String),
}

impl BodyError {
    /// The refusal for it.
    pub fn response(&self) -> Response {
        match self {
            BodyError::TooLarge => refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                &format!("the body is larger than {SERVE_BODY_BYTES} bytes (one request's limit); send a stream as application/x-ndjson"),
            ),
            BodyError::Timeout => refusal(
                StatusCode::REQUEST_TIMEOUT,
                "body-timeout",
                &format!("the body stopped arriving for {} s", SERVE_BODY_IDLE_TIMEOUT.as_secs()),
            ),
            BodyError::Failed(e) => refusal(StatusCode::BAD_REQUEST, "body-unreadable", e),
        }
    }
}

/// Reads a whole body of at most [`SERVE_BODY_BYTES`], refusing a larger one by its
/// `Content-Length` before reading, or as soon as it is past the limit.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, BodyError> {
    read_body_at_most(headers, body, SERVE_BODY_BYTES).await
}

/// Reads a whole body of at most `limit` bytes, as [`read_body`] does.
pub async fn read_body_at_most(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = body;
    let mut bytes = Vec::with_capacity(declared.map_or(1024, |n| n as usize));
    loop {
        let frame = tokio::time::timeout(SERVE_BODY_IDLE_TIMEOUT, body.frame())
            .await
            .map_err(|_| BodyError::Timeout)?;
        match frame {
            None => return Ok(bytes),
            Some(Err(e)) => return Err(BodyError::Failed(e.to_string())),
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    if bytes.len() + data.len() > limit {
                        return Err(BodyError::TooLarge);
                    }
                    bytes.extend_from_slice(data);
                }
            }
        }
    }
}

/// `POST /v1/decide`.
async fn decide(
    Shared(state): Shared<Arc<State>>,
    Explain(explain): Explain,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let format = match kind(&headers) {
        Some(Kind::Ndjson) => return super::ndjson::respond(state, explain, body),
        Some(Kind::Json) => Format::Json,
        Some(Kind::Yaml) => Format::Yaml,
        None => return unsupported("application/json, application/yaml or application/x-ndjson"),
    };
    let bytes = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(e) => return e.response(),
    };
    match decide_one(&state, &bytes, format, explain).await {
        Ok((line, _)) => (StatusCode::OK, json_headers(), line).into_response(),
        Err(response) => *response,
    }
}

/// Decides one request body, logs it (waiting for the commit in the durable mode) and
/// returns the answer line (with a newline) and the id.
async fn decide_one(
    state: &State,
    bytes: &[u8],
    format: Format,
    explain: bool,
) -> Result<(String, String), Box<Response>> {
    let started = Instant::now();
    let serving = state.serving.load_full();
    let made = State::clock();
    let options = Options {
        now: state.now_at(made),
        explain,
        coverage: false,
    };
    // The body goes through the splitter `eval` uses for a `.json` or `.yaml` file, so
    // that the request is read (and its errors located) exactly as `eval` reads it.
    let framing = match format {
        Format::Json => Framing::Json,
        Format::Yaml => Framing::Yaml,
    };
    let mut records = Records::with_framing(bytes, Some(framing));
    let first = records.next();
    let whole;
    let document = match (&first, records.next()) {
        (Some(record), None) => record.document(),
        // No request, or more than one: the body as one document, which the decoder
        // refuses with the reason (one request per body; send a stream as NDJSON).
        _ => {
            whole = String::from_utf8_lossy(bytes);
            Document {
                text: &whole,
                line: 1,
                format,
                oversized: None,
                not_utf8: std::str::from_utf8(bytes).is_err(),
            }
        }
    };
    let decision = serving.policy.decide_document(&document, &options);
    let id = new_id();
    let mut line = String::with_capacity(512);
    let plain = write_answer(&decision, &id, &mut line, state.log.is_some());
    line.push('\n');
    state
        .metrics
        .decided(&serving.policy, &decision, started.elapsed().as_secs_f64());
    if let (Some(log), Some(entry)) = (
        &state.log,
        entry(
            state,
            &serving.policy,
            &document,
            &decision,
            (id.clone(), made),
            plain,
        ),
    ) {
        let committed = match log.submit(entry).await {
            Ok(ticket) => ticket.committed().await,
            Err(e) => Err(e),
        };
        if let Err(e) = committed {
            state.metrics.log_failed();
            return Err(Box::new(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "decision-log-failed",
                &format!("{e}; the decision is not given"),
            )));
        }
    }
    Ok((line, id))
}

/// OPA's request body: `{"input": REQUEST}`.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    input: Option<&'a RawValue>,
}

/// `POST /v1/data/csp/decision`: `{"input": REQUEST}` → `{"result": DECISION,
/// "decision_id": ID}`.
async fn opa_decision(
    Shared(state): Shared<Arc<State>>,
    Explain(explain): Explain,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if kind(&headers) != Some(Kind::Json) {
        return unsupported("application/json (a body {\"input\": REQUEST})");
    }
    let bytes = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(e) => return e.response(),
    };
    let object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let envelope = match serde_json::from_slice::<Envelope<'_>>(&bytes) {
        Ok(e) if object => e,
        Ok(_) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "the body must be a JSON object {\"input\": REQUEST}",
            )
        }
        Err(e) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                &format!("the body must be a JSON object {{\"input\": REQUEST}}: {e}"),
            )
        }
    };
    let Some(input) = envelope.input else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "the body has no \"input\": send {\"input\": REQUEST}",
        );
    };
    match decide_one(&state, input.get().as_bytes(), Format::Json, explain).await {
        Ok((line, id)) => {
            // The answer line is the decision with `,"decision_id":"ID"` before its
            // closing brace: the result is the decision alone, the id beside it.
            let suffix = format!(",\"decision_id\":\"{id}\"}}");
            let decision = line.trim_end();
            let decision = decision.strip_suffix(&suffix).unwrap_or(decision);
            let mut out = String::with_capacity(decision.len() + 64);
            out.push_str("{\"result\":");
            out.push_str(decision);
            out.push_str("},\"decision_id\":");
            write_str(&mut out, &id);
            out.push_str("}\n");
            (StatusCode::OK, json_headers(), out).into_response()
        }
        Err(response) => *response,
    }
}

/// `GET /v1/policy`: the revision, the files, when it was loaded, its actions.
async fn policy_info(Shared(state): Shared<Arc<State>>) -> Response {
    let serving = state.serving.load_full();
    let mut out = String::from("{\"revision\":");
    write_str(&mut out, serving.policy.revision().as_str());
    out.push_str(",\"files\":[");
    for (i, f) in serving.policy.files().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(&mut out, f);
    }
    out.push_str("],\"loaded_at\":");
    write_str(&mut out, &rfc3339(serving.loaded_at));
    out.push_str(",\"actions\":[");
    for (i, a) in serving.policy.actions().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(&mut out, a);
    }
    out.push_str("]}\n");
    (StatusCode::OK, json_headers(), out).into_response()
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `GET /health`: 200 with the revision served (a valid policy is always loaded: the
/// server does not start without one and refuses a broken reload), and the last
/// refused reload with its diagnostics, if the last reload was refused.
async fn health(Shared(state): Shared<Arc<State>>) -> Response {
    let serving = state.serving.load_full();
    let mut out = String::from("{\"status\":\"ok\",\"revision\":");
    write_str(&mut out, serving.policy.revision().as_str());
    out.push_str(",\"loaded_at\":");
    write_str(&mut out, &rfc3339(serving.loaded_at));
    out.push_str(",\"refused_reload\":");
    match state.refused() {
        None => out.push_str("null"),
        Some(r) => {
            out.push_str("{\"at\":");
            write_str(&mut out, &rfc3339(r.at));
            out.push_str(",\"trigger\":");
            write_str(&mut out, &r.trigger);
            out.push_str(",\"diagnostics\":[");
            for (i, d) in r.diagnostics.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(d);
            }
            out.push_str("]}");
        }
    }
    out.push_str("}\n");
    (StatusCode::OK, json_headers(), out).into_response()
}

/// `GET /metrics`.
async fn metrics(Shared(state): Shared<Arc<State>>) -> Response {
    let text = state
        .metrics
        .render(state.log.as_ref().map(|l| l.backlog()));
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearerabc"), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }

    #[test]
    fn explain_takes_true_or_false_and_nothing_else() {
        assert_eq!(explain(None).ok(), Some(false));
        assert_eq!(explain(Some("explain=true")).ok(), Some(true));
        assert_eq!(explain(Some("explain=false")).ok(), Some(false));
        assert!(explain(Some("explain=yes")).is_err());
        assert!(explain(Some("verbose=1")).is_err());
    }
}
