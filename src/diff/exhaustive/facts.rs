//! Facts in the exhaustive comparison. A fact never decides, but a fact that cannot be
//! computed is an error, and an error is a deny. A fact the same in both policies fails
//! on the same requests under both (both deny), so it changes no decision; a fact that
//! differs changes none either unless it can fail: its times plus durations are split
//! on the years a time may have (`atoms::Reader::time_sums`), and any other arithmetic
//! that may overflow or divide by zero makes the comparison incomplete.

use rust_decimal::Decimal;

use crate::policy::expr::{Arith, Func};
use crate::policy::{CompiledPolicy, Expr, Fact, FieldKind, Node};
use crate::value::Value;

/// Why the facts of `action` keep the comparison from being complete.
pub fn differing(o: &CompiledPolicy, n: &CompiledPolicy, action: usize, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let names: Vec<&String> = o.fact_names.iter().chain(&n.fact_names).collect();
    for fact in names {
        let text = |p: &CompiledPolicy| -> Option<(String, bool)> {
            let i = p.fact_names.iter().position(|x| x == fact)?;
            let plan = p.plans.get(action)?;
            let index = (*plan.fact_by_name.get(i)?)?;
            let value = &p.facts.get(usize::from(index))?.value;
            let mut s = String::new();
            canonical(p, action, value, &mut s, 0);
            Some((s, may_fail(p, action, value, 0)))
        };
        let (a, b) = (text(o), text(n));
        if a.as_ref().map(|x| &x.0) == b.as_ref().map(|x| &x.0) {
            continue;
        }
        if a.is_some_and(|x| x.1) || b.is_some_and(|x| x.1) {
            let why = format!("fact `{fact}` of `{name}` differs and computes arithmetic that may fail on some requests (an error is a deny)");
            if !out.contains(&why) {
                out.push(why);
            }
        }
    }
    out
}

/// The expression as text, `let`s, facts and lists inlined, spans left out.
fn canonical(p: &CompiledPolicy, action: usize, e: &Expr, out: &mut String, depth: usize) {
    if depth > crate::limits::EXPR_DEPTH {
        out.push('…');
        return;
    }
    let sub = |x: &Expr, out: &mut String| canonical(p, action, x, out, depth + 1);
    match &e.node {
        Node::Let(i) => match p.lets.get(usize::from(*i)) {
            Some(l) => sub(&l.value, out),
            None => out.push('?'),
        },
        Node::Fact(f) => {
            let value = fact_value(p, action, *f);
            match value {
                Some(v) => sub(&v.value, out),
                None => out.push('?'),
            }
        }
        Node::InList(x, list, neg) => {
            out.push_str(&format!("InList({neg},"));
            sub(x, out);
            if let Some(l) = p.market_lists.get(usize::from(*list)) {
                for c in l.codes.iter() {
                    out.push_str(&c.as_str());
                }
            }
            out.push(')');
        }
        _ => {
            // The node's own kind and constants, then its children in order.
            let mut head = format!("{:?}", e.node);
            if let Some(cut) = head.find('(') {
                head.truncate(cut);
            }
            out.push_str(&head);
            out.push('(');
            match &e.node {
                Node::Const(v) => out.push_str(&format!("{v:?}")),
                Node::Field(f) => out.push_str(&f.to_string()),
                Node::Equal(_, _, n)
                | Node::OneOf(_, _, n)
                | Node::Contains(_, _, n)
                | Node::Range(_, _, _, n) => out.push_str(&format!("{n}")),
                Node::HasRoles(_, m, all, n) => out.push_str(&format!("{m:?}{all}{n}")),
                Node::Compare(o, ..) => out.push_str(&format!("{o:?}")),
                Node::Arith(o, ..) => out.push_str(&format!("{o:?}")),
                Node::Call(f, _) => out.push_str(&format!("{f:?}")),
                _ => {}
            }
            let mut children: Vec<&Expr> = Vec::new();
            e.for_each_child(&mut |c| children.push(c));
            for c in children {
                out.push(',');
                sub(c, out);
            }
            out.push(')');
        }
    }
}

/// The largest magnitude a number expression can have, when it is bounded and cannot
/// fail (no division by a value that may be zero); `None` otherwise.
fn bound(p: &CompiledPolicy, e: &Expr, depth: usize) -> Option<Decimal> {
    if depth > crate::limits::EXPR_DEPTH {
        return None;
    }
    let b = |x: &Expr| bound(p, x, depth + 1);
    match &e.node {
        Node::Const(Value::Number(n) | Value::Money(n, _)) => Some(n.abs()),
        Node::Field(f) => match p.schema.fields.get(usize::from(*f)).map(|x| &x.kind) {
            Some(FieldKind::Count) => Some(Decimal::from(crate::limits::COUNT_MAX)),
            _ => None,
        },
        Node::Let(i) => b(&p.lets.get(usize::from(*i))?.value),
        Node::Call(Func::WholeDays | Func::WholeIn, _) => Some(Decimal::from(4_000_000_000_000i64)),
        Node::Call(Func::Round, args) => b(args.first()?),
        Node::Call(Func::Clamp | Func::Min | Func::Max, args) => args
            .iter()
            .map(b)
            .try_fold(Decimal::ZERO, |m, x| Some(m.max(x?))),
        Node::If(_, x, y) => Some(b(x)?.max(b(y)?)),
        Node::Negate(x) => b(x),
        Node::Arith(op, x, y) => {
            let (x, y) = (b(x)?, b(y)?);
            match op {
                Arith::Add | Arith::Sub => x.checked_add(y),
                Arith::Mul => x.checked_mul(y),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether computing `e` may fail for some request: number arithmetic that is not
/// bounded well inside a decimal's range, or a division. Times plus durations are
/// split by the search, so they count as safe here.
fn may_fail(p: &CompiledPolicy, action: usize, e: &Expr, depth: usize) -> bool {
    let limit = Decimal::from(10u64.pow(18)) * Decimal::from(10u64.pow(9));
    let mut fails = false;
    e.visit(&mut |x: &Expr| match &x.node {
        Node::Arith(op, a, b) => {
            let timely = |y: &Expr| {
                matches!(
                    y.node,
                    Node::Const(Value::Duration(_)) | Node::Const(Value::Time(_))
                ) || is_time(p, y)
            };
            if timely(a) || timely(b) {
                return;
            }
            if matches!(op, Arith::Div) || bound(p, x, depth).is_none_or(|m| m > limit) {
                fails = true;
            }
        }
        Node::Let(i) => {
            if let Some(l) = p.lets.get(usize::from(*i)) {
                if depth >= crate::limits::EXPR_DEPTH || may_fail(p, action, &l.value, depth + 1) {
                    fails = true;
                }
            }
        }
        Node::Fact(f) => {
            let value = fact_value(p, action, *f);
            if let Some(v) = value {
                if depth >= crate::limits::EXPR_DEPTH || may_fail(p, action, &v.value, depth + 1) {
                    fails = true;
                }
            }
        }
        _ => {}
    });
    fails
}

/// Whether an expression is a time (a time field, or a time plus or minus something).
fn is_time(p: &CompiledPolicy, e: &Expr) -> bool {
    match &e.node {
        Node::Field(f) => matches!(
            p.schema.fields.get(usize::from(*f)).map(|x| &x.kind),
            Some(FieldKind::Time | FieldKind::RequestTime)
        ),
        Node::Arith(Arith::Add | Arith::Sub, a, _) => is_time(p, a),
        _ => false,
    }
}

/// The fact `f` as action `action` computes it, if that action has it.
fn fact_value(p: &CompiledPolicy, action: usize, f: u16) -> Option<&Fact> {
    p.plans
        .get(action)
        .and_then(|plan| plan.fact_by_name.get(usize::from(f)).copied().flatten())
        .and_then(|i| p.facts.get(usize::from(i)))
}
