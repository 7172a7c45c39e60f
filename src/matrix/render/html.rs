//! The matrix as one self-contained HTML page for an auditor: no script, no external
//! resource (inline CSS, printable on A4 landscape), with the policy's revision and the
//! date it was generated. Every text from the policy is escaped.

use std::fmt::Write as _;

use super::{action, notes, number, sentence, who, word, LEGEND};
use crate::matrix::Matrix;
use crate::suite::report::xml_text as esc;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#111}
h1{font-size:1.4em;margin-bottom:.2em}
.meta{color:#444;margin-top:0}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #999;padding:.3em .6em;text-align:center}
th.role,td.role{text-align:left}
tr.side th{background:#eee;text-align:left}
td.allow{background:#d9f2d9}
td.deny{background:#f6d6d6}
td.when,td.unless{background:#fff3c4}
sup{font-size:.75em}
ol.notes li{margin-bottom:.4em}
.rules{color:#444;font-size:.9em}
.incomplete{border:2px solid #b00;padding:.5em 1em}
@media print{body{margin:0}@page{size:A4 landscape;margin:1.5cm}td.allow,td.deny,td.when,td.unless,tr.side th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// The matrix as a self-contained HTML page.
pub fn html(m: &Matrix) -> String {
    let notes = notes(m);
    let generated = super::json::time(&m.generated);
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>Permission matrix {}</title>", esc(&m.revision));
    let _ = writeln!(out, "<style>\n{STYLE}\n</style>\n</head>\n<body>");
    out.push_str("<h1>Permission matrix</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Policy revision <code>{}</code> &middot; generated {}</p>",
        esc(&m.revision),
        esc(&generated)
    );
    if !m.complete {
        out.push_str("<div class=\"incomplete\"><strong>Incomplete:</strong> some cells are not exact.<ul>\n");
        for why in &m.incomplete {
            let _ = writeln!(out, "<li>{}</li>", esc(why));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("<table>\n<thead><tr><th class=\"role\">role</th>");
    for a in &m.actions {
        let _ = write!(
            out,
            "<th title=\"{}\">{}</th>",
            crate::suite::report::xml_attr(&a.label),
            esc(&a.name)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut side: Option<&str> = None;
    for (r, row) in m.rows.iter().enumerate() {
        if side != Some(row.side.as_str()) {
            side = Some(row.side.as_str());
            let _ = writeln!(
                out,
                "<tr class=\"side\"><th colspan=\"{}\">{}</th></tr>",
                m.actions.len() + 1,
                esc(&row.side)
            );
        }
        let role = match &row.role {
            Some(name) => format!("<code>{}</code> {}", esc(name), esc(&row.label)),
            None => esc(&row.label),
        };
        let _ = write!(out, "<tr><td class=\"role\">{role}</td>");
        for a in 0..m.actions.len() {
            let Some(cell) = m.cell(r, a) else {
                out.push_str("<td></td>");
                continue;
            };
            let w = word(cell);
            let _ = write!(out, "<td class=\"{w}\">{w}");
            if let Some(n) = number(&notes, cell) {
                let _ = write!(out, "<sup><a href=\"#n{n}\">[{n}]</a></sup>");
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<ol class=\"notes\">\n");
    for n in &notes {
        let (what, rules) = sentence(n.cell);
        let _ = write!(
            out,
            "<li id=\"n{}\"><strong>{} &middot; {}</strong>: {}",
            n.number,
            esc(&who(m, n.cell)),
            esc(&action(m, n.cell)),
            esc(&what)
        );
        if !rules.is_empty() {
            let _ = write!(
                out,
                "<br><span class=\"rules\">Rules: {}</span>",
                esc(&rules)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n<ul>\n");
    for l in LEGEND {
        let _ = writeln!(out, "<li>{}</li>", esc(l));
    }
    out.push_str("</ul>\n</body>\n</html>\n");
    out
}
