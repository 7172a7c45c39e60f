//! The matrix written out: an aligned text table with notes ([`text`]), a Markdown table
//! with footnotes ([`markdown`]), one JSON object ([`json`]) and a self-contained HTML
//! page ([`html`]). What they share lives here: the short word of a cell, its notes
//! (the conditions and the rules, numbered in row order), and the legend.

mod html;
mod json;
mod markdown;
mod text;

pub use html::html;
pub use json::json;
pub use markdown::markdown;
pub use text::text;

use super::{Cell, Matrix, Verdict};

/// What every rendering says about the cells.
pub const LEGEND: &[&str] = &[
    "A row is every actor of its side holding its role, whatever other roles it holds (\"together with ROLE\": only while also holding ROLE); \"(no role)\" is an actor of the side whose roles list is empty.",
    "A cell speaks of valid requests: every required field given and no reject rule applying (times in order). Any other request is denied with its error, whatever the role.",
    "allow: every valid request is allowed; deny: none is; when/unless: allowed exactly when (or unless) one of the numbered conditions holds.",
];

/// One note: the cell it is for, and its lines.
pub struct Note<'a> {
    /// Its number, from 1.
    pub number: usize,
    /// The cell.
    pub cell: &'a Cell,
}

/// The cells with a note (conditions, or rules other than the default deny), numbered
/// in row order.
pub fn notes(m: &Matrix) -> Vec<Note<'_>> {
    m.cells
        .iter()
        .filter(|c| has_note(c))
        .enumerate()
        .map(|(i, cell)| Note {
            number: i + 1,
            cell,
        })
        .collect()
}

/// The number of a cell's note, if it has one.
pub fn number(notes: &[Note<'_>], cell: &Cell) -> Option<usize> {
    notes
        .iter()
        .find(|n| n.cell.row == cell.row && n.cell.action == cell.action)
        .map(|n| n.number)
}

fn has_note(c: &Cell) -> bool {
    c.verdict == Verdict::Conditional || !c.exact || c.rules.iter().any(|r| r.effect != "deny")
}

/// The short word of a cell: `allow`, `deny`, `when`, `unless`.
pub fn word(c: &Cell) -> &'static str {
    match c.verdict {
        Verdict::Allow => "allow",
        Verdict::Deny => "deny",
        Verdict::Conditional if c.unless => "unless",
        Verdict::Conditional => "when",
    }
}

/// Who a row is, in a note: `partner admin_agent`, `customer with no role`.
pub fn who(m: &Matrix, c: &Cell) -> String {
    match m.rows.get(c.row) {
        Some(r) => match &r.role {
            Some(role) => format!("{} {role}", r.side),
            None => format!("{} with no role", r.side),
        },
        None => String::new(),
    }
}

/// The action of a cell.
pub fn action(m: &Matrix, c: &Cell) -> String {
    m.actions
        .get(c.action)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

/// A note's sentence: what is allowed, then the rules.
pub fn sentence(c: &Cell) -> (String, String) {
    let what = match c.verdict {
        Verdict::Allow => "allowed for every valid request".to_string(),
        Verdict::Deny => "denied for every valid request".to_string(),
        Verdict::Conditional => {
            let head = if c.unless {
                "allowed unless"
            } else {
                "allowed when"
            };
            match c.conditions.as_slice() {
                [one] => format!("{head} {one}"),
                many => format!(
                    "{head} any of: {}",
                    many.iter()
                        .enumerate()
                        .map(|(i, x)| format!("({}) {x}", i + 1))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            }
        }
    };
    let what = if c.exact {
        what
    } else {
        format!("{what} (not exact: the analysis could not decide every request of this cell; see incomplete)")
    };
    let rules: Vec<String> = c
        .rules
        .iter()
        .map(|r| match &r.at {
            Some(at) => format!("{} {} ({at})", r.effect, r.rule),
            None => format!("{} {}", r.effect, r.rule),
        })
        .collect();
    (what, rules.join(", "))
}
