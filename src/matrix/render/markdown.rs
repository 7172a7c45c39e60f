//! The matrix as a GitHub Markdown table: a column per action, a row per role, each
//! cell's conditions and rules as a footnote.

use std::fmt::Write as _;

use super::{action, notes, number, sentence, who, word, LEGEND};
use crate::matrix::Matrix;

/// Text safe inside a table cell: `|`, backticks, brackets, angle brackets and line
/// ends escaped so that nothing a policy names changes the table.
fn cell_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '`' | '[' | ']' | '*' | '_' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The matrix as Markdown.
pub fn markdown(m: &Matrix) -> String {
    let notes = notes(m);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Permission matrix\n\nPolicy revision `{}`, generated {}.\n",
        m.revision,
        super::json::time(&m.generated)
    );
    out.push_str("| side | role |");
    for a in &m.actions {
        let _ = write!(out, " {} |", cell_text(&a.name));
    }
    out.push_str("\n|---|---|");
    for _ in &m.actions {
        out.push_str(":---:|");
    }
    out.push('\n');
    for (r, row) in m.rows.iter().enumerate() {
        let role = match &row.role {
            Some(name) => format!("{} ({})", cell_text(name), cell_text(&row.label)),
            None => cell_text(&row.label),
        };
        let _ = write!(out, "| {} | {role} |", cell_text(&row.side));
        for a in 0..m.actions.len() {
            let cell = m.cell(r, a);
            let mut text = cell.map(word).unwrap_or("?").to_string();
            if let Some(n) = cell.and_then(|c| number(&notes, c)) {
                let _ = write!(text, " [^{n}]");
            }
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out.push('\n');
    for l in LEGEND {
        let _ = writeln!(out, "- {}", cell_text(l));
    }
    if m.complete {
        out.push_str("- complete: every cell is exact.\n");
    } else {
        out.push_str("- **incomplete**:\n");
        for why in &m.incomplete {
            let _ = writeln!(out, "  - {}", cell_text(why));
        }
    }
    out.push('\n');
    for n in &notes {
        let (what, rules) = sentence(n.cell);
        let _ = write!(
            out,
            "[^{}]: {} / {}: {}.",
            n.number,
            cell_text(&who(m, n.cell)),
            cell_text(&action(m, n.cell)),
            cell_text(&what)
        );
        if !rules.is_empty() {
            let _ = write!(out, " Rules: {}.", cell_text(&rules));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_syntax_in_names_is_escaped() {
        assert_eq!(cell_text("a|b [x]"), "a\\|b \\[x\\]");
        assert_eq!(cell_text("line\nbreak"), "line break");
    }
}
