//! The playground's endpoints (`serve --playground`), over HTTP: the page is served only
//! when asked for, self-contained (a content security policy that forbids any other
//! origin); `start` hands over the served policy's files; a step checks edited files
//! (diagnostics located in characters) and decides the request as `eval` does; the
//! caps, malformed steps and the token. The page itself is tested in a real browser by
//! `tests/browser/playground.mjs` (run by `.ci/run`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

use csp_policy::limits::PLAYGROUND_FILES;
use harness::*;
use serde_json::json;

fn step(server: &Server, body: &serde_json::Value, token: Option<&str>) -> Reply {
    post(
        &server.url("/v1/playground"),
        "application/json",
        &body.to_string(),
        token,
    )
}

#[test]
fn the_playground_is_off_unless_asked_for() {
    let server = Server::start(&[]);
    assert_eq!(get(&server.url("/"), None).status, 404);
    assert_eq!(get(&server.url("/v1/playground/start"), None).status, 404);
}

#[test]
fn the_page_is_self_contained() {
    let server = Server::start(&["--playground"]);
    let page = get(&server.url("/"), None);
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let csp = page
        .headers
        .iter()
        .find(|(k, _)| k == "content-security-policy")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    // No other origin is named anywhere in the page.
    assert!(
        !page.body.contains("https://"),
        "the page names another origin"
    );
    assert!(
        !page.body.contains("http://"),
        "the page names another origin"
    );
}

#[test]
fn a_step_checks_the_edited_files_and_decides_as_eval_does() {
    let server = Server::start(&["--playground"]);
    let start = json(&get(&server.url("/v1/playground/start"), None).body);
    let files = start["files"].as_array().unwrap().clone();
    assert!(files.len() >= 8, "{start}");
    let request = start["request"].as_str().unwrap().to_string();

    // The served policy as it is: decided exactly as eval decides the example.
    let answer = json(
        &step(
            &server,
            &json!({ "files": files, "request": request }),
            None,
        )
        .body,
    );
    assert_eq!(answer["errors"], 0, "{answer}");
    let evaluated = eval(
        &root().join("examples/purchase.yaml"),
        &["--format", "json"],
    );
    assert_eq!(
        answer["decision"],
        json(evaluated.trim()),
        "the playground decides as eval does"
    );

    // A mistake in a new file: located (in characters, after Korean text), nothing decided.
    let mut edited = files.clone();
    edited.push(json!({ "name": "mine.policy", "text": "# 한국어\nfact late for cancel = order.purchase_at\n" }));
    let answer = json(
        &step(
            &server,
            &json!({ "files": edited, "request": request }),
            None,
        )
        .body,
    );
    assert_eq!(answer["errors"], 1, "{answer}");
    assert!(answer["decision"].is_null());
    let d = &answer["diagnostics"][0];
    assert_eq!(d["code"], "unknown-field");
    assert_eq!(d["at"]["file"], "mine.policy");
    assert_eq!(d["at"]["file_index"], files.len());
    assert_eq!(
        (d["at"]["line"].as_u64(), d["at"]["column"].as_u64()),
        (Some(2), Some(24))
    );
    assert!(d["help"].as_str().unwrap().contains("order.purchased_at"));
}

#[test]
fn malformed_and_oversized_steps_are_refused_with_the_reason() {
    let server = Server::start(&["--playground"]);
    let not_json = post(&server.url("/v1/playground"), "application/json", "{", None);
    assert_eq!(not_json.status, 400);
    assert!(not_json.body.contains("bad-playground-step"));
    let unknown_key = step(
        &server,
        &json!({ "files": [], "request": "", "extra": 1 }),
        None,
    );
    assert_eq!(unknown_key.status, 400);
    let no_files = step(&server, &json!({ "files": [], "request": "" }), None);
    assert_eq!(no_files.status, 400);
    let many: Vec<serde_json::Value> = (0..=PLAYGROUND_FILES)
        .map(|i| json!({ "name": format!("{i}.policy"), "text": "" }))
        .collect();
    let too_many = step(&server, &json!({ "files": many, "request": "" }), None);
    assert_eq!(too_many.status, 413, "{}", too_many.body);
}

#[test]
fn the_playground_endpoints_need_the_token_but_the_page_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret\n").unwrap();
    let server = Server::start(&["--playground", "--token-file", token_file.to_str().unwrap()]);
    assert_eq!(get(&server.url("/"), None).status, 200);
    assert_eq!(get(&server.url("/v1/playground/start"), None).status, 401);
    assert_eq!(
        get(&server.url("/v1/playground/start"), Some("s3cret")).status,
        200
    );
    let body = json!({ "files": [{ "name": "a.policy", "text": "" }], "request": "" });
    assert_eq!(step(&server, &body, None).status, 401);
    assert_eq!(step(&server, &body, Some("s3cret")).status, 200);
}
