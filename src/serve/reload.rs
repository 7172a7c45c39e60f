//! Reloading the policy: on SIGHUP and when its files change (notify, debounced by
//! [`RELOAD_DEBOUNCE`]). The new policy is read and checked off the request path; only
//! a policy without errors replaces the one served, in one atomic swap, so a request
//! is decided wholly by the old policy or wholly by the new one, and requests in
//! flight finish on the policy they started with. A broken policy is refused: its
//! diagnostics are written to standard error and shown by `/health`, the refusal is
//! counted in `/metrics`, and the old policy keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};

use super::state::{Refused, Serving, State};
use crate::limits::RELOAD_DEBOUNCE;
use crate::load::{self, LoadError};
use crate::Policy;

/// Reads and checks the policy at `policies` (the embedded one when empty).
pub fn load(policies: &[PathBuf]) -> Result<Policy, LoadError> {
    if policies.is_empty() {
        Policy::embedded()
    } else {
        Policy::from_sources(load::read_sources(policies)?)
    }
}

/// Reloads the policy; `trigger` says why (for the log and `/health`).
pub async fn reload(state: &Arc<State>, trigger: &str) {
    let _one_at_a_time = state.reloading.lock().await;
    let policies = state.policies.clone();
    let loaded = tokio::task::spawn_blocking(move || load(&policies)).await;
    let current = state.serving.load_full();
    match loaded {
        Ok(Ok(policy)) => {
            state.set_refused(None);
            if policy.revision() == current.policy.revision() {
                eprintln!(
                    "csp-policy serve: {trigger}: the policy is unchanged (revision {})",
                    policy.revision()
                );
                return;
            }
            let revision = policy.revision().to_string();
            state.serving.store(Arc::new(Serving {
                policy,
                loaded_at: Utc::now(),
            }));
            state.metrics.reloaded(&revision);
            eprintln!("csp-policy serve: {trigger}: reloaded the policy, revision {revision}");
        }
        Ok(Err(error)) => {
            state.metrics.refused();
            let (text, diagnostics) = rendered(&error);
            eprintln!(
                "csp-policy serve: {trigger}: the new policy is refused; still serving revision {}\n{}",
                current.policy.revision(),
                text
            );
            state.set_refused(Some(Refused {
                at: Utc::now(),
                trigger: trigger.to_string(),
                diagnostics,
            }));
        }
        Err(join) => {
            state.metrics.refused();
            eprintln!("csp-policy serve: {trigger}: reloading failed: {join}");
            state.set_refused(Some(Refused {
                at: Utc::now(),
                trigger: trigger.to_string(),
                diagnostics: vec![message_record(&join.to_string())],
            }));
        }
    }
}

/// The error as `check` prints it (without colour), and as JSON records (`check
/// --format json`'s, or one with the message).
fn rendered(error: &LoadError) -> (String, Vec<String>) {
    match error {
        LoadError::Invalid {
            sources,
            diagnostics,
        } => {
            let (text, records): (Vec<String>, Vec<String>) = diagnostics
                .iter()
                .map(|d| {
                    let mut record = String::new();
                    d.write_record(sources, &mut record, false);
                    (d.render_styled(sources, false), record)
                })
                .unzip();
            (text.join("\n"), records)
        }
        other => (
            format!("error: {other}"),
            vec![message_record(&other.to_string())],
        ),
    }
}

fn message_record(message: &str) -> String {
    let mut out = String::from("{\"severity\":\"error\",\"message\":");
    crate::json::write_str(&mut out, message);
    out.push('}');
    out
}

/// Watches the policy's files and folders; a change to a `.policy` file (or to a file
/// named on the command line) reloads, once the changes have settled. Each file is
/// watched through its folder, so that an editor replacing it (write and rename) is
/// seen. The watcher stops when the returned value is dropped.
pub fn watch(
    state: Arc<State>,
    policies: &[PathBuf],
) -> Result<Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>, String> {
    let named: Vec<PathBuf> = policies
        .iter()
        .filter(|p| !p.is_dir())
        .map(|p| absolute(p))
        .collect();
    let runtime = tokio::runtime::Handle::current();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<()>(1);
    let mut debouncer = new_debouncer(RELOAD_DEBOUNCE, move |events: DebounceEventResult| {
        let relevant = match &events {
            Ok(events) => events.iter().any(|e| {
                e.path.extension().is_some_and(|x| x == "policy") || named.contains(&e.path)
            }),
            Err(_) => true,
        };
        if relevant {
            // A reload already waiting covers this change too.
            let _ = tx.try_send(());
        }
    })
    .map_err(|e| format!("cannot watch the policy files: {e}"))?;
    for path in policies {
        let folder = if path.is_dir() {
            absolute(path)
        } else {
            absolute(path)
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        debouncer
            .watcher()
            .watch(&folder, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", folder.display()))?;
    }
    runtime.spawn(async move {
        while rx.recv().await.is_some() {
            reload(&state, "file change").await;
        }
    });
    Ok(debouncer)
}

/// `path` made absolute (as notify reports paths), without resolving links.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
