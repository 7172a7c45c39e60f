//! `eval --decision-log`: every decision `eval` makes is logged before it is written
//! (the batch's [`Keeper`]): a chunk's entries are queued as it is decided and its
//! output is written once all of them are committed, so that every decision printed is
//! in the log. `eval`'s output is unchanged (the ids are in the log only).

use super::mask::FieldPath;
use super::{record, DecisionLog, Ticket};
use crate::batch::Keeper;
use crate::stream::Document;
use crate::Decision;

/// Why a decision of `eval` could not be logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the decision of the request at line {line} could not be logged: {reason}")]
pub struct NotLogged {
    /// The request's first line in the input.
    pub line: usize,
    /// What the log said.
    pub reason: String,
}

/// Logs each decision of a batch into a durable [`DecisionLog`].
#[derive(Debug)]
pub struct LogKeeper<'a> {
    log: &'a DecisionLog,
    revision: String,
    masks: &'a [FieldPath],
}

impl<'a> LogKeeper<'a> {
    /// Logs into `log` (which must be durable: its tickets are what is waited for) the
    /// decisions of the policy `revision`, the requests without `masks`.
    pub fn new(log: &'a DecisionLog, revision: &str, masks: &'a [FieldPath]) -> LogKeeper<'a> {
        LogKeeper {
            log,
            revision: revision.to_string(),
            masks,
        }
    }
}

impl Keeper for LogKeeper<'_> {
    /// Each queued entry's line and ticket.
    type Pending = Vec<(usize, Ticket)>;
    type Error = NotLogged;

    fn keep(
        &self,
        document: &Document<'_>,
        decision: &Decision,
        pending: &mut Self::Pending,
    ) -> Result<(), NotLogged> {
        let mut plain = String::with_capacity(256);
        decision.write_json(&mut plain);
        let id = crate::serve::answer::new_id();
        let entry = record::entry(
            document,
            decision,
            &self.revision,
            self.masks,
            (id, chrono::Utc::now()),
            plain,
        );
        let ticket = self.log.submit_blocking(entry).map_err(|e| NotLogged {
            line: document.line,
            reason: e.to_string(),
        })?;
        pending.push((document.line, ticket));
        Ok(())
    }

    fn settle(&self, pending: Self::Pending) -> Result<(), NotLogged> {
        for (line, ticket) in pending {
            ticket.wait().map_err(|e| NotLogged {
                line,
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }
}
