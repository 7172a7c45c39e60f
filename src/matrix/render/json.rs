//! The matrix as one JSON object, in a stable shape:
//! `{"revision","generated","roles":[{"side","role","label"}],"actions":[{"name","label"}],
//! "cells":[{"side","role","action","verdict","conditions","unless","exact","rules":[{"rule",
//! "effect","at"}],"examples":{"allow","deny"}}],"complete","incomplete"}`.

use std::fmt::Write as _;

use crate::json::write_str;
use crate::matrix::Matrix;

/// A time as the matrix writes it (RFC 3339, UTC, `Z`).
pub fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    let mut out = String::new();
    crate::value::write_time(&mut out, t);
    out
}

fn opt(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

fn list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, s);
    }
    out.push(']');
}

/// The matrix as one JSON object, on one line.
pub fn json(m: &Matrix) -> String {
    let mut out = String::from("{\"revision\":");
    write_str(&mut out, &m.revision);
    out.push_str(",\"generated\":");
    write_str(&mut out, &time(&m.generated));
    out.push_str(",\"roles\":[");
    for (i, r) in m.rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"side\":");
        write_str(&mut out, &r.side);
        out.push_str(",\"role\":");
        opt(&mut out, r.role.as_deref());
        out.push_str(",\"label\":");
        write_str(&mut out, &r.label);
        out.push('}');
    }
    out.push_str("],\"actions\":[");
    for (i, a) in m.actions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        write_str(&mut out, &a.name);
        out.push_str(",\"label\":");
        write_str(&mut out, &a.label);
        out.push('}');
    }
    out.push_str("],\"cells\":[");
    for (i, c) in m.cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let row = m.rows.get(c.row);
        out.push_str("{\"side\":");
        opt(&mut out, row.map(|r| r.side.as_str()));
        out.push_str(",\"role\":");
        opt(&mut out, row.and_then(|r| r.role.as_deref()));
        out.push_str(",\"action\":");
        opt(&mut out, m.actions.get(c.action).map(|a| a.name.as_str()));
        let _ = write!(
            out,
            ",\"verdict\":\"{}\",\"conditions\":",
            c.verdict.as_str()
        );
        list(&mut out, &c.conditions);
        let _ = write!(
            out,
            ",\"unless\":{},\"exact\":{},\"rules\":[",
            c.unless, c.exact
        );
        for (k, r) in c.rules.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str("{\"rule\":");
            write_str(&mut out, &r.rule);
            out.push_str(",\"effect\":");
            write_str(&mut out, &r.effect);
            out.push_str(",\"at\":");
            opt(&mut out, r.at.as_deref());
            out.push('}');
        }
        out.push_str("],\"examples\":{\"allow\":");
        out.push_str(c.allowed_example.as_deref().unwrap_or("null"));
        out.push_str(",\"deny\":");
        out.push_str(c.denied_example.as_deref().unwrap_or("null"));
        out.push_str("}}");
    }
    let _ = write!(out, "],\"complete\":{},\"incomplete\":", m.complete);
    list(&mut out, &m.incomplete);
    out.push_str("}\n");
    out
}
