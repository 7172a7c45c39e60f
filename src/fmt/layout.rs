//! The canonical lines of each declaration, built from the syntax tree alone. Each line
//! carries the keys of the source parts it prints ([`Key`]), so that comments found
//! next to a part in the source can be put back next to the same part; comments are
//! added to the lines afterwards (see `place.rs`) and everything is written out by
//! [`render`].

use super::expr::{duration, ends_with_integer, expr, quote, quote_message};
use crate::syntax::ast::*;

/// Lines longer than this get a `fact`/`let` value or a field note on a continuation line.
const MAX_WIDTH: usize = 100;

/// The indentation inside a block or a declaration.
const INDENT: usize = 2;

/// The part of a declaration a line prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// The first line: keyword and name, up to `{` for blocks.
    Head,
    /// A rule's `permit ACTIONS to ROLES` line.
    Effect,
    /// A rule's `when`/`unless` line.
    Condition,
    /// A rule's `because` line.
    Message,
    /// The value of a `let` or `fact`.
    Value,
    /// The item of a block with this index.
    Item(usize),
    /// The closing brace of a block.
    Close,
}

/// A comment placed above a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lead {
    /// The comment, from `#`.
    pub text: String,
    /// A blank line precedes it in the source.
    pub blank_before: bool,
    /// It was moved here from inside a part spread over several lines (or from the end of
    /// a line that already had a comment).
    pub moved: bool,
}

/// One output line and the comments around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// Spaces before the text.
    pub indent: usize,
    /// The text, without indentation.
    pub text: String,
    /// The parts it prints.
    pub keys: Vec<Key>,
    /// Spaces before the comments above it.
    pub comment_indent: usize,
    /// Comments above it, in source order.
    pub leading: Vec<Lead>,
    /// The comment at its end.
    pub trailing: Option<String>,
    /// A blank line separates its text from what comes before it in the source (the
    /// comment above it, or the code before).
    pub blank_before_text: bool,
    /// Whether a blank line comes before the whole group (first comment, else the text).
    pub group_blank: bool,
    /// Blank lines between its comments and before it are kept: declaration heads, the
    /// first line of a block item, a closing brace.
    pub keeps_blanks: bool,
}

impl Line {
    fn new(indent: usize, text: String, keys: Vec<Key>, keeps_blanks: bool) -> Line {
        Line {
            indent,
            text,
            keys,
            comment_indent: indent,
            leading: Vec::new(),
            trailing: None,
            blank_before_text: false,
            group_blank: false,
            keeps_blanks,
        }
    }

    /// Adds a comment above the line.
    pub fn lead(&mut self, text: String, blank_before: bool, moved: bool) {
        self.leading.push(Lead {
            text,
            blank_before,
            moved,
        });
    }

    /// Adds a comment at the end of the line; one already there moves above it.
    pub fn trail(&mut self, text: String) {
        if let Some(previous) = self.trailing.replace(text) {
            self.lead(previous, false, true);
        }
    }

    /// Settles the blank lines once every comment is placed: moved comments sit between
    /// the original comments and the text, so a blank line in the source between those
    /// two goes before the moved ones.
    pub fn settle(&mut self) {
        let first_original = self.leading.iter().position(|l| !l.moved);
        let first_moved = self.leading.iter().position(|l| l.moved);
        self.group_blank = match first_original {
            Some(i) => self.leading.get(i).is_some_and(|l| l.blank_before),
            None => self.blank_before_text,
        };
        if let Some(i) = first_moved {
            let after_original = first_original.is_some_and(|o| o < i);
            let blank = after_original && self.blank_before_text;
            if let Some(lead) = self.leading.get_mut(i) {
                lead.blank_before = blank;
            }
            self.blank_before_text = false;
        }
    }
}

/// The lines of one declaration, without comments.
pub(crate) fn declaration(d: &Declaration) -> Vec<Line> {
    match d {
        Declaration::Actions(list) => named_block("actions {".to_string(), list),
        Declaration::Roles { side, roles } => {
            named_block(format!("roles for {} {{", side.text), roles)
        }
        Declaration::Input(fields) => input(fields),
        Declaration::Markets(m) => markets(m),
        Declaration::Window(w) => with_dating(
            format!(
                "window {} is {} from {}",
                w.name.text,
                fixed_duration(&w.length),
                w.start.dotted(),
            ),
            w.dated.as_ref(),
        ),
        Declaration::Link(l) => with_dating(
            format!(
                "link {} expires {} after {} or after {} uses counted in {}",
                l.name.text,
                fixed_duration(&l.lifetime),
                l.issued.dotted(),
                match &l.limit {
                    Fixed::Literal(n) => n.to_string(),
                    Fixed::Named(name) => name.text.clone(),
                },
                l.used.dotted(),
            ),
            l.dated.as_ref(),
        ),
        Declaration::Require(r) => require(r),
        Declaration::Constant(c) => valued(format!("constant {} =", c.name.text), &c.value),
        Declaration::Let(l) => valued(format!("let {} =", l.name.text), &l.value),
        Declaration::Fact(f) => valued(
            format!(
                "fact {} for {}{} =",
                f.name.text,
                action_set(&f.actions),
                clause(f.in_force.as_ref())
            ),
            &f.value,
        ),
        Declaration::Rule(r) => rule(r),
        Declaration::Otherwise(o) => {
            let actions = o
                .actions
                .as_ref()
                .map(|a| format!("{} ", action_set(a)))
                .unwrap_or_default();
            vec![head(format!(
                "otherwise deny {actions}because {}",
                quote_message(&o.message.raw)
            ))]
        }
    }
}

/// ` in force [again] from DATE [until DATE]`, or nothing for an undated declaration.
fn clause(in_force: Option<&InForce>) -> String {
    let Some(c) = in_force else {
        return String::new();
    };
    let mut text = " in force".to_string();
    if let Some(from) = &c.from {
        if c.again {
            text.push_str(" again");
        }
        text.push_str(" from ");
        text.push_str(&from.text);
    }
    if let Some(until) = &c.until {
        text.push_str(" until ");
        text.push_str(&until.text);
    }
    text
}

/// A window's or link's line, and its dating (`, in force ...[, as in force at
/// FIELD]`): on the same line when it fits, else on the next, indented.
fn with_dating(lead: String, dated: Option<&Dated>) -> Vec<Line> {
    let Some(d) = dated else {
        return vec![head(lead)];
    };
    let mut dating = clause(Some(&d.in_force)).trim_start().to_string();
    if let Some(path) = &d.selected_at {
        dating.push_str(", as in force at ");
        dating.push_str(&path.dotted());
    }
    let one_line = format!("{lead}, {dating}");
    if one_line.chars().count() <= MAX_WIDTH {
        return vec![head(one_line)];
    }
    vec![
        head(format!("{lead},")),
        Line::new(INDENT, dating, vec![Key::Head], false),
    ]
}

/// A duration as written: a literal, or a constant's name.
fn fixed_duration(d: &Fixed<DurationLit>) -> String {
    match d {
        Fixed::Literal(d) => duration(d),
        Fixed::Named(name) => name.text.clone(),
    }
}

fn head(text: String) -> Line {
    Line::new(0, text, vec![Key::Head], true)
}

fn close() -> Line {
    let mut line = Line::new(0, "}".to_string(), vec![Key::Close], true);
    line.comment_indent = INDENT;
    line
}

fn item(index: usize, text: String) -> Line {
    Line::new(INDENT, text, vec![Key::Item(index)], true)
}

fn action_set(set: &ActionSet) -> String {
    match set {
        ActionSet::Every(_) => "every action".to_string(),
        ActionSet::Listed(names) => join_names(names, ", "),
    }
}

fn join_names(names: &[Name], separator: &str) -> String {
    names
        .iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

/// `text` padded with spaces to `width` characters.
fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_string();
    let len = text.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(len)));
    out
}

/// The width of a name column: the longest name and two spaces.
fn column<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|n| n.chars().count()).max().unwrap_or(0) + 2
}

fn named_block(header: String, list: &NamedList) -> Vec<Line> {
    let width = column(list.items.iter().map(|(n, _)| n.text.as_str()));
    let mut lines = vec![head(header)];
    for (i, (name, label)) in list.items.iter().enumerate() {
        lines.push(item(
            i,
            format!("{}{}", pad(&name.text, width), quote(&label.value)),
        ));
    }
    lines.push(close());
    lines
}

fn input(fields: &[FieldDecl]) -> Vec<Line> {
    let paths: Vec<String> = fields.iter().map(|f| f.path.dotted()).collect();
    let width = column(paths.iter().map(String::as_str));
    let mut lines = vec![head("input {".to_string())];
    for (i, (field, path)) in fields.iter().zip(&paths).enumerate() {
        let mut text = pad(path, width);
        if let Some(label) = &field.label {
            text.push_str(&quote(&label.value));
            text.push(' ');
        }
        text.push_str("is ");
        text.push_str(&field_type(&field.ty));
        match &field.note {
            None => lines.push(item(i, text)),
            Some(note) => {
                let note = format!("note {}", quote(&note.value));
                let one_line = format!("{text}, {note}");
                if INDENT + one_line.chars().count() <= MAX_WIDTH {
                    lines.push(item(i, one_line));
                } else {
                    lines.push(item(i, format!("{text},")));
                    lines.push(Line::new(INDENT + width, note, vec![Key::Item(i)], false));
                }
            }
        }
    }
    lines.push(close());
    lines
}

fn field_type(ty: &FieldType) -> String {
    match ty {
        FieldType::Action => "the action".to_string(),
        FieldType::RequestTime => "the time of the request".to_string(),
        FieldType::Side => "the actor's side".to_string(),
        FieldType::Roles => "the actor's roles".to_string(),
        FieldType::OneOf(words) => format!("one of {}", join_names(words, ", ")),
        FieldType::Text => "text".to_string(),
        FieldType::Time => "a time".to_string(),
        FieldType::Money(None) => "money".to_string(),
        FieldType::Money(Some(currency)) => format!("money in {}", currency.segments.join(".")),
        FieldType::Number => "a number".to_string(),
        FieldType::Count => "a count".to_string(),
        FieldType::Flag => "yes or no".to_string(),
        FieldType::Guid => "a guid".to_string(),
        FieldType::Market => "a market".to_string(),
    }
}

fn markets(m: &MarketsDecl) -> Vec<Line> {
    let width = column(m.entries.iter().map(|e| e.code.text.as_str()));
    let mut lines = vec![head(format!(
        "markets {} {}{} {{",
        m.name.text,
        quote(&m.title.value),
        clause(m.in_force.as_ref())
    ))];
    // The `names in` line is the block's first item, as `place.rs` counts them.
    let first = usize::from(!m.languages.is_empty());
    if !m.languages.is_empty() {
        lines.push(item(
            0,
            format!("names in {}", join_names(&m.languages, ", ")),
        ));
    }
    for (i, entry) in m.entries.iter().enumerate() {
        let names: Vec<String> = entry
            .names
            .iter()
            .map(|n| {
                let mut text = quote(&n.text.value);
                if n.own_spelling {
                    text.push_str(" (own spelling)");
                }
                text
            })
            .collect();
        lines.push(item(
            first + i,
            format!("{}{}", pad(&entry.code.text, width), names.join("  ")),
        ));
    }
    lines.push(close());
    lines
}

/// The time unit words that, after an integer, make a duration.
const UNIT_WORDS: [&str; 10] = [
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
];

fn require(r: &RequireDecl) -> Vec<Line> {
    let mut lines = vec![head(format!(
        "require for {}{} {{",
        action_set(&r.actions),
        clause(r.in_force.as_ref())
    ))];
    for (i, req) in r.items.iter().enumerate() {
        let mut text = match req.any_of.as_slice() {
            [one] => one.dotted(),
            many => format!(
                "one of {}",
                many.iter().map(Path::dotted).collect::<Vec<_>>().join(", ")
            ),
        };
        if let Some(when) = &req.when {
            let mut condition = expr(when);
            // `x when a = 5` before an item `days` would read back as `a = 5 days`.
            let next_is_unit = r.items.get(i + 1).is_some_and(|next| {
                next.any_of.len() == 1
                    && next
                        .any_of
                        .first()
                        .and_then(|p| p.segments.first())
                        .is_some_and(|s| UNIT_WORDS.contains(&s.as_str()))
            });
            if next_is_unit && ends_with_integer(&condition) {
                condition = format!("({condition})");
            }
            text.push_str(" when ");
            text.push_str(&condition);
        }
        lines.push(item(i, text));
    }
    lines.push(close());
    lines
}

/// `let NAME = VALUE` or `fact ... = VALUE`, the value on a continuation line when the
/// declaration does not fit on one.
fn valued(lead: String, value: &Expr) -> Vec<Line> {
    let value = expr(value);
    let one_line = format!("{lead} {value}");
    if one_line.chars().count() <= MAX_WIDTH {
        vec![Line::new(0, one_line, vec![Key::Head, Key::Value], true)]
    } else {
        vec![
            head(lead),
            Line::new(INDENT, value, vec![Key::Value], false),
        ]
    }
}

fn rule(r: &RuleDecl) -> Vec<Line> {
    let mut lines = vec![head(format!(
        "rule {}{}",
        r.id.text,
        clause(r.in_force.as_ref())
    ))];
    let mut effect = format!("{} {}", r.effect.as_str(), action_set(&r.actions));
    if let Some(groups) = &r.audience {
        let groups: Vec<String> = groups
            .iter()
            .map(|g| {
                if g.roles.is_empty() {
                    g.side.text.clone()
                } else {
                    let joiner = if g.all { " and " } else { " or " };
                    format!("{} {}", g.side.text, join_names(&g.roles, joiner))
                }
            })
            .collect();
        effect.push_str(" to ");
        effect.push_str(&groups.join(", "));
    }
    lines.push(Line::new(INDENT, effect, vec![Key::Effect], false));
    if let Some(condition) = &r.condition {
        let text = match condition {
            Condition::When(e) => format!("when {}", expr(e)),
            Condition::Unless(e) => format!("unless {}", expr(e)),
        };
        lines.push(Line::new(INDENT, text, vec![Key::Condition], false));
    }
    lines.push(Line::new(
        INDENT,
        format!("because {}", quote_message(&r.message.raw)),
        vec![Key::Message],
        false,
    ));
    lines
}

/// One declaration's lines with its comments, and what the file layout needs to know
/// about it.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    /// Its lines, comments placed and blank lines settled.
    pub lines: Vec<Line>,
    /// A `let` or `fact`: runs of these may go without blank lines between them.
    pub let_or_fact: bool,
}

/// Writes the declarations and the comments at the end of the file as policy text.
pub(crate) fn render(decls: &[Placed], end: &[Lead]) -> String {
    let mut out: Vec<String> = Vec::new();
    for (d, decl) in decls.iter().enumerate() {
        let group_blank = decl.lines.first().is_some_and(|l| l.group_blank);
        if d > 0 {
            let joined =
                decl.let_or_fact && decls.get(d - 1).is_some_and(|p| p.let_or_fact) && !group_blank;
            if !joined {
                out.push(String::new());
            }
        }
        render_decl(&mut out, &decl.lines);
    }
    for (i, lead) in end.iter().enumerate() {
        if lead.blank_before && (i > 0 || !decls.is_empty()) {
            out.push(String::new());
        }
        out.push(lead.text.clone());
    }
    if out.is_empty() {
        return String::new();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn render_decl(out: &mut Vec<String>, lines: &[Line]) {
    // An empty block without comments inside: `actions {}`.
    if let [first, last] = lines {
        if last.keys == [Key::Close] && last.leading.is_empty() && first.trailing.is_none() {
            leading(out, first);
            let text = format!("{}}}", first.text);
            out.push(with_trailing(first.indent, &text, last.trailing.as_deref()));
            return;
        }
    }
    let mut seen_item = false;
    for line in lines {
        let first_of_item =
            line.keeps_blanks && line.keys.first().is_some_and(|k| matches!(k, Key::Item(_)));
        if first_of_item {
            if seen_item && line.group_blank {
                out.push(String::new());
            }
            seen_item = true;
        }
        if line.keys == [Key::Close] && seen_item && line.group_blank && !line.leading.is_empty() {
            out.push(String::new());
        }
        leading(out, line);
        out.push(with_trailing(
            line.indent,
            &line.text,
            line.trailing.as_deref(),
        ));
    }
}

/// Writes the comments above `line`, with the blank lines kept between them (on lines
/// that keep blanks). The blank line before the first one is the caller's business.
fn leading(out: &mut Vec<String>, line: &Line) {
    let keep = line.keeps_blanks;
    for (i, lead) in line.leading.iter().enumerate() {
        if keep && i > 0 && lead.blank_before {
            out.push(String::new());
        }
        out.push(format!("{}{}", " ".repeat(line.comment_indent), lead.text));
    }
    if keep && line.blank_before_text && !line.leading.is_empty() && line.keys != [Key::Close] {
        out.push(String::new());
    }
}

fn with_trailing(indent: usize, text: &str, trailing: Option<&str>) -> String {
    let mut line = " ".repeat(indent);
    line.push_str(text);
    if let Some(comment) = trailing {
        line.push_str("  ");
        line.push_str(comment);
    }
    line
}
