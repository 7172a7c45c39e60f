//! The matrix as an aligned text table, with numbered notes below it for the
//! conditions and the rules.

use std::fmt::Write as _;

use super::{action, notes, number, sentence, who, word, LEGEND};
use crate::decision::visible;
use crate::matrix::Matrix;

/// The matrix as text for people.
pub fn text(m: &Matrix) -> String {
    let notes = notes(m);
    // The table: a header, then a line per row, grouped by side.
    let mut header = vec!["role".to_string()];
    header.extend(m.actions.iter().map(|a| visible(&a.name).into_owned()));
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut side: Option<&str> = None;
    for (r, row) in m.rows.iter().enumerate() {
        if side != Some(row.side.as_str()) {
            side = Some(row.side.as_str());
            lines.push(vec![format!("{}:", visible(&row.side))]);
        }
        let mut line = vec![match &row.role {
            Some(role) => format!("  {} ({})", visible(role), visible(&row.label)),
            None => format!("  {}", visible(&row.label)),
        }];
        for a in 0..m.actions.len() {
            let cell = m.cell(r, a);
            let mut text = cell.map(word).unwrap_or("?").to_string();
            if let Some(n) = cell.and_then(|c| number(&notes, c)) {
                let _ = write!(text, " [{n}]");
            }
            line.push(text);
        }
        lines.push(line);
    }
    let columns = header.len();
    let mut widths = vec![0usize; columns];
    for line in std::iter::once(&header).chain(lines.iter().filter(|l| l.len() == columns)) {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Permission matrix of policy {} (generated {})",
        m.revision,
        crate::matrix::render::json::time(&m.generated)
    );
    out.push('\n');
    for line in std::iter::once(&header).chain(&lines) {
        let mut text = String::new();
        for (k, cell) in line.iter().enumerate() {
            let w = widths.get(k).copied().unwrap_or(0);
            if k + 1 == line.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<w$}  ");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out.push('\n');
    for n in &notes {
        let (what, rules) = sentence(n.cell);
        let _ = writeln!(
            out,
            "[{}] {} / {}: {}.",
            n.number,
            visible(&who(m, n.cell)),
            visible(&action(m, n.cell)),
            visible(&what)
        );
        if !rules.is_empty() {
            let _ = writeln!(out, "    rules: {}", visible(&rules));
        }
    }
    out.push('\n');
    for l in LEGEND {
        let _ = writeln!(out, "{l}");
    }
    if m.complete {
        out.push_str("complete: every cell is exact.\n");
    } else {
        out.push_str("incomplete:\n");
        for why in &m.incomplete {
            let _ = writeln!(out, "  - {}", visible(why));
        }
    }
    out
}
