//! The playground (`serve --playground`): `GET /` serves the page (`web/playground.html`,
//! compiled in: no file to install, no CDN), `GET /v1/playground/start` the files of the
//! policy being served and a first request, `POST /v1/playground` one step of
//! [`crate::playground::run`] (the edited files checked, the request decided) on a
//! blocking thread. The `/v1/` endpoints sit behind the token like every other.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State as Shared;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::routes::{read_body_at_most, refusal, BodyError};
use super::state::State;
use crate::limits::PLAYGROUND_BYTES;
use crate::playground::{self, PlaygroundError};
use crate::source::SourceMap;

/// The page, compiled into the binary.
const PAGE: &str = include_str!("../../web/playground.html");

/// The first request the page shows with the embedded policy: one of the examples,
/// compiled in beside the policy.
const EMBEDDED_EXAMPLE: &str = include_str!("../../examples/purchase.yaml");

/// `GET /`: the page. Its content security policy allows nothing but this server and
/// the page's own inline script and style, so it works offline and cannot load code
/// from elsewhere.
pub async fn page() -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; connect-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
                ),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        PAGE,
    )
        .into_response()
}

/// `GET /v1/playground/start`: `{"files":[{"name","text"}],"request":TEXT}`, the files of
/// the policy being served (read again from where it was loaded) and a first request:
/// an example for the embedded policy, else the policy's first action at the current
/// time, for the author to fill in.
pub async fn start(Shared(state): Shared<Arc<State>>) -> Response {
    let paths = state.policies.clone();
    let serving = state.serving.load_full();
    let first_action = serving.policy.actions().next().unwrap_or("").to_string();
    let now = state.now();
    let read = tokio::task::spawn_blocking(move || -> Result<SourceMap, String> {
        if paths.is_empty() {
            Ok(crate::load::embedded_sources())
        } else {
            crate::load::read_sources(&paths).map_err(|e| e.to_string())
        }
    })
    .await;
    let sources = match read {
        Ok(Ok(sources)) => sources,
        Ok(Err(message)) => {
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "policy-unreadable",
                &message,
            )
        }
        Err(e) => {
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                &e.to_string(),
            )
        }
    };
    let request = if state.policies.is_empty() {
        EMBEDDED_EXAMPLE.to_string()
    } else {
        format!(
            "action: {first_action}\nat: {}\n",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    };
    let files: Vec<serde_json::Value> = sources
        .files()
        .iter()
        .map(|f| serde_json::json!({ "name": f.name, "text": f.text }))
        .collect();
    json(
        StatusCode::OK,
        serde_json::json!({ "files": files, "request": request }).to_string(),
    )
}

/// `POST /v1/playground`: one step. 400 for a body that is not a step's JSON, 413 past
/// the playground's caps.
pub async fn step(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body_at_most(&headers, body, PLAYGROUND_BYTES).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return too_large(&format!(
                "the body is larger than {PLAYGROUND_BYTES} bytes (the playground's limit)"
            ))
        }
        Err(e) => return e.response(),
    };
    let input: playground::Input = match serde_json::from_slice(&bytes) {
        Ok(input) => input,
        Err(e) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "bad-playground-step",
                &format!("not a playground step ({{\"files\":[{{\"name\",\"text\"}}],\"request\":TEXT}}): {e}"),
            )
        }
    };
    let now = state.now();
    let ran = tokio::task::spawn_blocking(move || playground::run(&input, now)).await;
    match ran {
        Ok(Ok(output)) => match serde_json::to_string(&output) {
            Ok(text) => json(StatusCode::OK, text),
            Err(e) => refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                &e.to_string(),
            ),
        },
        Ok(Err(e @ (PlaygroundError::TooLarge { .. } | PlaygroundError::TooManyFiles { .. }))) => {
            too_large(&e.to_string())
        }
        Ok(Err(e @ PlaygroundError::NoFiles)) => refusal(
            StatusCode::BAD_REQUEST,
            "bad-playground-step",
            &e.to_string(),
        ),
        Err(e) => refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            &e.to_string(),
        ),
    }
}

fn too_large(message: &str) -> Response {
    refusal(StatusCode::PAYLOAD_TOO_LARGE, "body-too-large", message)
}

fn json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
