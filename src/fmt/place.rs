//! Putting the source's comments back onto the canonical lines.
//!
//! The syntax tree has no span for a whole declaration, for a block's braces or for a
//! block item of every kind, so the extents come from the parser's pairs: each
//! declaration is cut into *anchors*, source ranges that print on known lines (a rule's
//! id, its `permit ... to ...` part, its condition, its message; a block's head, each
//! item, its closing brace; a `let`'s name and value). A comment then goes:
//!
//! - inside an anchor (an expression or item spread over several lines): above the first
//!   line that anchor prints;
//! - on a line of its own: above the line of the next anchor (the next item or closing
//!   brace in a block, the next part of a rule), or above the next declaration, or at
//!   the end of the file;
//! - at the end of a line: at the end of the line that prints the last anchor ending
//!   before it on that source line (else the next anchor's line, else the declaration's
//!   last line).

use std::collections::HashMap;

use pest::iterators::Pair;
use pest::Parser as _;

use super::comments::{find_open_brace, Comment, Lines};
use super::layout::{Key, Lead, Line, Placed};
use crate::syntax::{PolicyParser, Rule};

/// A source range that prints on the lines holding `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    start: usize,
    end: usize,
    key: Key,
}

/// Where one declaration stands in the source, and its anchors in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Extent {
    start: usize,
    end: usize,
    anchors: Vec<Anchor>,
}

/// The source text and its comments, to find where pairs really end.
struct Source<'a> {
    text: &'a str,
    comments: &'a [Comment],
}

impl Source<'_> {
    /// Where a pair's code ends. A pest rule that ends with an optional or repeated part
    /// has already skipped the whitespace and comments after it when that part is absent,
    /// so its span runs over them: step back over both.
    fn code_end(&self, start: usize, end: usize) -> usize {
        let mut end = end;
        loop {
            let trimmed = self
                .text
                .get(start..end)
                .map_or(0, |s| s.trim_end_matches(is_space).len());
            end = start + trimmed;
            // The last comment starting before `end` (comments are in source order).
            let before = self.comments.partition_point(|c| c.start < end);
            match before.checked_sub(1).and_then(|i| self.comments.get(i)) {
                Some(c) if start <= c.start && end <= c.end => end = c.start,
                _ => return end,
            }
        }
    }

    fn anchor(&self, pair: &Pair<'_, Rule>, key: Key) -> Anchor {
        let start = pair.as_span().start();
        Anchor {
            start,
            end: self.code_end(start, pair.as_span().end()),
            key,
        }
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// The extents of every declaration of `text`, which must parse.
fn extents(text: &str, comments: &[Comment]) -> Option<Vec<Extent>> {
    let root = PolicyParser::parse(Rule::file, text).ok()?.next()?;
    let source = Source { text, comments };
    Some(
        root.into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| extent(&source, p))
            .collect(),
    )
}

fn extent(source: &Source<'_>, decl: Pair<'_, Rule>) -> Extent {
    let text = source.text;
    let start = decl.as_span().start();
    let end = source.code_end(start, decl.as_span().end());
    let rule = decl.as_rule();
    let inner: Vec<Pair<'_, Rule>> = decl.into_inner().collect();
    let mut anchors = Vec::new();
    match rule {
        Rule::actions_decl
        | Rule::roles_decl
        | Rule::input_decl
        | Rule::markets_decl
        | Rule::require_decl => {
            let brace = find_open_brace(text, start).map_or(start, |b| b + 1);
            anchors.push(Anchor {
                start,
                end: brace,
                key: Key::Head,
            });
            let items = inner.iter().filter(|p| {
                matches!(
                    p.as_rule(),
                    Rule::named_item
                        | Rule::field_decl
                        | Rule::name_languages
                        | Rule::market_item
                        | Rule::require_item
                )
            });
            for (i, item) in items.enumerate() {
                anchors.push(source.anchor(item, Key::Item(i)));
            }
            anchors.push(Anchor {
                start: end.saturating_sub(1),
                end,
                key: Key::Close,
            });
        }
        Rule::let_decl | Rule::fact_decl => {
            // The value is the last pair; the head runs from the keyword to the pair
            // before it (the name, or the action set of a fact).
            if let [.., before, value] = inner.as_slice() {
                anchors.push(Anchor {
                    start,
                    end: source.code_end(start, before.as_span().end()),
                    key: Key::Head,
                });
                anchors.push(source.anchor(value, Key::Value));
            }
        }
        Rule::rule_decl => {
            let mut effect: Option<Anchor> = None;
            for part in &inner {
                match part.as_rule() {
                    Rule::rule_id => anchors.push(Anchor {
                        start,
                        end: source.code_end(start, part.as_span().end()),
                        key: Key::Head,
                    }),
                    // `in force ...` is printed on the rule's first line.
                    Rule::in_force => {
                        if let Some(head) = anchors.last_mut() {
                            head.end = source.code_end(start, part.as_span().end());
                        }
                    }
                    Rule::effect | Rule::action_set | Rule::audience => {
                        let this = source.anchor(part, Key::Effect);
                        effect = Some(match effect {
                            Some(e) => Anchor { end: this.end, ..e },
                            None => this,
                        });
                    }
                    Rule::condition => {
                        anchors.extend(effect.take());
                        anchors.push(source.anchor(part, Key::Condition));
                    }
                    _ => {
                        anchors.extend(effect.take());
                        anchors.push(source.anchor(part, Key::Message));
                    }
                }
            }
        }
        _ => {}
    }
    if anchors.is_empty() {
        anchors.push(Anchor {
            start,
            end,
            key: Key::Head,
        });
    }
    Extent {
        start,
        end,
        anchors,
    }
}

/// The first and last line holding each key, for one declaration's lines.
#[derive(Debug, Default)]
struct KeyLines(HashMap<Key, (usize, usize)>);

impl KeyLines {
    fn new(lines: &[Line]) -> KeyLines {
        let mut map: HashMap<Key, (usize, usize)> = HashMap::new();
        for (i, line) in lines.iter().enumerate() {
            for key in &line.keys {
                map.entry(*key)
                    .and_modify(|(_, last)| *last = i)
                    .or_insert((i, i));
            }
        }
        KeyLines(map)
    }

    /// The first line of `key`; the first line of all when it has none.
    fn first(&self, key: Key) -> usize {
        self.0.get(&key).map_or(0, |(first, _)| *first)
    }

    /// The last line of `key`; `fallback` when it has none.
    fn last(&self, key: Key, fallback: usize) -> usize {
        self.0.get(&key).map_or(fallback, |(_, last)| *last)
    }
}

/// Places `comments` of `text` on the declarations' `layouts` (one per declaration, in
/// order, with whether it is a `let` or `fact`); returns the placed declarations and the
/// comments that end the file. `None` when `text` does not parse or does not match the
/// layouts.
pub(crate) fn place(
    text: &str,
    layouts: Vec<(Vec<Line>, bool)>,
    comments: &[Comment],
    lines: &Lines<'_>,
) -> Option<(Vec<Placed>, Vec<Lead>)> {
    let extents = extents(text, comments)?;
    if extents.len() != layouts.len() {
        return None;
    }
    let mut decls: Vec<Placed> = layouts
        .into_iter()
        .map(|(lines, let_or_fact)| Placed { lines, let_or_fact })
        .collect();
    let keys: Vec<KeyLines> = decls.iter().map(|d| KeyLines::new(&d.lines)).collect();
    // Blank lines before each declaration and each item.
    for ((decl, extent), keys) in decls.iter_mut().zip(&extents).zip(&keys) {
        if let Some(line) = decl.lines.first_mut() {
            line.blank_before_text = lines.blank_before(extent.start);
        }
        for anchor in &extent.anchors {
            if let Key::Item(_) = anchor.key {
                if let Some(line) = decl.lines.get_mut(keys.first(anchor.key)) {
                    line.blank_before_text = lines.blank_before(anchor.start);
                }
            }
        }
    }
    let mut end = Vec::new();
    for comment in comments {
        // Declarations are in source order and do not overlap: the candidates are the
        // last one starting at or before the comment, and the one after it.
        let after = extents.partition_point(|x| x.start <= comment.start);
        let before = after.checked_sub(1);
        if let Some(d) = before.filter(|&d| extents.get(d).is_some_and(|x| comment.start < x.end)) {
            if let (Some(decl), Some(extent), Some(keys)) =
                (decls.get_mut(d), extents.get(d), keys.get(d))
            {
                place_inside(&mut decl.lines, extent, keys, comment, lines);
            }
            continue;
        }
        let previous_on_line = before.filter(|&d| {
            !comment.own_line
                && extents
                    .get(d)
                    .is_some_and(|x| lines.line_of(x.end.saturating_sub(1)) == comment.line)
        });
        if let Some(last) = previous_on_line
            .and_then(|d| decls.get_mut(d))
            .and_then(|decl| decl.lines.last_mut())
        {
            last.trail(comment.text.clone());
            continue;
        }
        match decls.get_mut(after).and_then(|decl| decl.lines.first_mut()) {
            Some(first) => first.lead(comment.text.clone(), comment.blank_before, false),
            None => end.push(Lead {
                text: comment.text.clone(),
                blank_before: comment.blank_before,
                moved: false,
            }),
        }
    }
    for decl in &mut decls {
        for line in &mut decl.lines {
            line.settle();
        }
    }
    Some((decls, end))
}

/// Places a comment that stands inside a declaration's extent.
fn place_inside(
    layout: &mut [Line],
    extent: &Extent,
    keys: &KeyLines,
    comment: &Comment,
    lines: &Lines<'_>,
) {
    let text = comment.text.clone();
    let at = comment.start;
    let last_of_all = layout.len().saturating_sub(1);
    // Anchors are in source order and do not overlap.
    let after = extent.anchors.partition_point(|a| a.start < at);
    let before = after.checked_sub(1).and_then(|i| extent.anchors.get(i));
    let next = extent.anchors.get(after);
    if let Some(a) = before.filter(|a| at < a.end) {
        if let Some(line) = layout.get_mut(keys.first(a.key)) {
            line.lead(text, false, true);
        }
        return;
    }
    if comment.own_line {
        let i = next.map_or(last_of_all, |a| keys.first(a.key));
        if let Some(line) = layout.get_mut(i) {
            line.lead(text, comment.blank_before, false);
        }
        return;
    }
    let on_line = before.filter(|a| lines.line_of(a.end.saturating_sub(1)) == comment.line);
    let i = on_line
        .or(next)
        .map_or(last_of_all, |a| keys.last(a.key, last_of_all));
    if let Some(line) = layout.get_mut(i) {
        line.trail(text);
    }
}
