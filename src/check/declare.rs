//! Declarations of the vocabulary: actions, roles, input fields (and the schema tree
//! built from them), and the one namespace of lets, facts, windows, links and market
//! lists (the lists themselves are `markets.rs`'s). Each name declared twice is reported
//! at the second declaration, pointing at the first.

use std::collections::{HashMap, HashSet};

use super::code::DiagnosticCode as Code;
use super::{ty_of, Checker, Diagnostic};
use crate::limits::{POLICY_ACTIONS, POLICY_FIELDS, POLICY_ROLES, POLICY_SIDES};
use crate::policy::{Action, Field, FieldKind, Role, Schema, SchemaNode};
use crate::source::Span;
use crate::syntax::ast::{self, FieldType};

impl Checker<'_> {
    /// Reports a name declared twice (lets, facts, windows, links and market lists
    /// share one namespace). A name read in expressions (`reads_fields`: all but market
    /// lists) must not be a field, the first part of a field's path, or `allowed`:
    /// it would hide the field.
    pub(super) fn unique_name(
        &mut self,
        seen: &mut HashMap<String, Span>,
        name: &ast::Name,
        reads_fields: bool,
    ) {
        if let Some(first) = seen.get(&name.text).copied() {
            let location = self.sources.location(first);
            self.report(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("`{}` is already declared at {location}", name.text),
                )
                .with_related(first, "first declared here")
                .with_help("lets, facts, windows, links and market lists need names of their own: rename one"),
            );
            return;
        }
        seen.insert(name.text.clone(), name.span);
        if !reads_fields {
            return;
        }
        let field = self
            .fields
            .iter()
            .find(|f| f.path == name.text || f.path.split('.').next() == Some(name.text.as_str()));
        if let Some(field) = field {
            let message = if field.path == name.text {
                format!("`{}` is already a field of the input schema", name.text)
            } else {
                format!(
                    "`{}` is already the start of input fields such as `{}`",
                    name.text, field.path
                )
            };
            self.report(
                Diagnostic::error(Code::DuplicateName, name.span, message)
                    .with_label("hides the input field")
                    .with_help("a name that is also a field would hide the field from every condition and message: rename it"),
            );
        } else if name.text == "allowed" {
            self.report(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    "`allowed` is the decision itself, read by facts",
                )
                .with_help("choose another name"),
            );
        }
    }

    /// A declaration made twice (`key` as in `declared_at`), pointing at the first one.
    pub(super) fn declared_twice(&mut self, key: String, code: Code, span: Span, what: String) {
        let mut d = Diagnostic::error(code, span, what);
        if let Some(first) = self.declared_at.get(&key).copied() {
            d.message = format!("{} (first at {})", d.message, self.sources.location(first));
            d = d.with_related(first, "first declared here");
        }
        self.report(d.with_help("remove one of the two declarations"));
    }

    /// Reports a declaration refused for a limit of `limits.rs`; its uses are then not
    /// reported as unknown (the policy does not check either way).
    fn refuse_over_limit(&mut self, diagnostic: Diagnostic) {
        self.report(
            diagnostic
                .with_help("this limit is the engine's (see Limits in the README): declare fewer"),
        );
        self.over_limit = true;
    }

    pub(super) fn declare_actions(&mut self, list: &ast::NamedList) {
        for (name, label) in &list.items {
            let key = format!("action:{}", name.text);
            if self.action_index.contains_key(&name.text) {
                let what = format!("the action `{}` is declared twice", name.text);
                self.declared_twice(key, Code::DuplicateAction, name.span, what);
                continue;
            }
            self.declared_at.entry(key).or_insert(name.span);
            if self.actions.len() >= POLICY_ACTIONS {
                self.refuse_over_limit(Diagnostic::error(
                    Code::TooManyActions,
                    name.span,
                    format!("a policy may declare at most {POLICY_ACTIONS} actions"),
                ));
                continue;
            }
            self.action_index.insert(
                name.text.clone(),
                u16::try_from(self.actions.len()).unwrap_or(u16::MAX),
            );
            self.actions.push(Action {
                name: name.text.clone(),
                label: label.value.clone(),
            });
        }
    }

    pub(super) fn declare_roles(&mut self, side: &ast::Name, roles: &ast::NamedList) {
        let side_index = match self.sides.iter().position(|s| *s == side.text) {
            Some(i) => i,
            None => {
                if self.sides.len() >= POLICY_SIDES {
                    self.refuse_over_limit(Diagnostic::error(
                        Code::TooManySides,
                        side.span,
                        format!("a policy may declare at most {POLICY_SIDES} sides"),
                    ));
                    return;
                }
                self.sides.push(side.text.clone());
                self.sides.len() - 1
            }
        };
        let side_index = u8::try_from(side_index).unwrap_or(u8::MAX);
        for (name, label) in &roles.items {
            let key = format!("role:{}:{}", side.text, name.text);
            if self
                .roles
                .iter()
                .any(|r| r.side == side_index && r.name == name.text)
            {
                let what = format!(
                    "the role `{}` is declared twice for {}",
                    name.text, side.text
                );
                self.declared_twice(key, Code::DuplicateRole, name.span, what);
                continue;
            }
            self.declared_at.entry(key).or_insert(name.span);
            if self.roles.len() >= POLICY_ROLES {
                self.refuse_over_limit(Diagnostic::error(
                    Code::TooManyRoles,
                    name.span,
                    format!(
                        "a policy may declare at most {POLICY_ROLES} roles, all sides together"
                    ),
                ));
                continue;
            }
            self.roles.push(Role {
                side: side_index,
                name: name.text.clone(),
                label: label.value.clone(),
            });
        }
    }

    pub(super) fn declare_field(&mut self, decl: &ast::FieldDecl) {
        let path = decl.path.dotted();
        let key = format!("field:{path}");
        if self.field_index.contains_key(&path) {
            let what = format!("the field `{path}` is declared twice");
            self.declared_twice(key, Code::DuplicateField, decl.path.span, what);
            return;
        }
        self.declared_at.entry(key).or_insert(decl.path.span);
        let clash = self.field_index.keys().find(|other| {
            other.starts_with(&format!("{path}.")) || path.starts_with(&format!("{other}."))
        });
        if let Some(other) = clash {
            let message =
                format!("`{path}` and `{other}` cannot both be fields: one would hold the other");
            self.report(Diagnostic::error(Code::FieldClash, decl.path.span, message));
            return;
        }
        let kind = match &decl.ty {
            FieldType::Action => FieldKind::Action,
            FieldType::RequestTime => FieldKind::RequestTime,
            FieldType::Side => FieldKind::Side,
            FieldType::Roles => FieldKind::Roles,
            FieldType::OneOf(words) => {
                let mut seen = HashSet::new();
                for word in words {
                    if !seen.insert(word.text.as_str()) {
                        self.report(Diagnostic::error(
                            Code::DuplicateValue,
                            word.span,
                            format!("`{}` is listed twice", word.text),
                        ));
                    }
                }
                FieldKind::Enum(words.iter().map(|w| w.text.clone()).collect())
            }
            FieldType::Text => FieldKind::Text,
            FieldType::Time => FieldKind::Time,
            FieldType::Money(_) => FieldKind::Money,
            FieldType::Number => FieldKind::Number,
            FieldType::Count => FieldKind::Count,
            FieldType::Flag => FieldKind::Flag,
            FieldType::Guid => FieldKind::Guid,
            FieldType::Market => FieldKind::Market,
        };
        if self.fields.len() >= POLICY_FIELDS {
            self.refuse_over_limit(Diagnostic::error(
                Code::TooManyFields,
                decl.path.span,
                format!("a policy may declare at most {POLICY_FIELDS} input fields"),
            ));
            return;
        }
        let special = matches!(
            kind,
            FieldKind::Action | FieldKind::RequestTime | FieldKind::Side | FieldKind::Roles
        );
        if special && self.fields.iter().any(|f| f.kind == kind) {
            self.report(Diagnostic::error(
                Code::DuplicateField,
                decl.ty_span,
                "only one field can have this role in a request",
            ));
            return;
        }
        let slot = u16::try_from(self.fields.len()).unwrap_or(u16::MAX);
        if let FieldType::Money(Some(currency)) = &decl.ty {
            self.money_in.push((slot, currency.clone()));
        }
        self.field_index.insert(path.clone(), slot);
        self.field_types.push(ty_of(&kind, slot));
        self.fields.push(Field {
            path,
            label: decl.label.as_ref().map(|l| l.value.clone()),
            kind,
            note: decl.note.as_ref().map(|n| n.value.clone()),
            currency: None,
        });
    }

    /// Builds the schema tree; reports a missing `input` block or special fields.
    pub(super) fn schema(&mut self, input_seen: bool) -> Option<Schema> {
        let start = Span::new(0, 0, 0);
        if !input_seen {
            self.report(Diagnostic::error(Code::NoInput, start, "the policy has no `input` block")
                .with_label("no file of this policy declares `input { ... }`")
                .with_help("declare the request's fields: `input { action is the action  at is the time of the request ... }`"));
            return None;
        }
        let find = |kind: FieldKind| {
            self.fields
                .iter()
                .position(|f| f.kind == kind)
                .and_then(|i| u16::try_from(i).ok())
        };
        let (action, at, side, roles) = (
            find(FieldKind::Action),
            find(FieldKind::RequestTime),
            find(FieldKind::Side),
            find(FieldKind::Roles),
        );
        let (Some(action), Some(at)) = (action, at) else {
            self.report(
                Diagnostic::error(
                    Code::NoInput,
                    start,
                    "the `input` block must declare `the action` and `the time of the request`",
                )
                .with_label("the policy starts here")
                .with_help("add `action is the action` and `at is the time of the request`"),
            );
            return None;
        };
        if self.actions.is_empty() {
            self.report(
                Diagnostic::error(Code::NoActions, start, "the policy declares no actions")
                    .with_label("the policy starts here")
                    .with_help("add `actions { name \"label\" ... }`"),
            );
        }
        let currencies = self.currency_fields();
        let mut root: Vec<(String, SchemaNode)> = Vec::new();
        for (slot, field) in self.fields.iter().enumerate() {
            let slot = u16::try_from(slot).unwrap_or(u16::MAX);
            let segments: Vec<&str> = field.path.split('.').collect();
            insert_path(&mut root, "", &segments, slot);
        }
        Some(Schema {
            fields: self.fields.clone(),
            root,
            action,
            at,
            side,
            roles,
            currencies,
        })
    }

    /// Resolves `money in FIELD`: the currency field must be text or one of a list of
    /// words, each an ISO 4217 code. Returns (amount slot, currency slot) pairs and sets
    /// each money field's currency.
    fn currency_fields(&mut self) -> Vec<(u16, u16)> {
        let mut pairs = Vec::new();
        for (amount, path) in std::mem::take(&mut self.money_in) {
            let Some(slot) = self.field_slot(&path) else {
                continue;
            };
            let kind = self.fields.get(usize::from(slot)).map(|f| f.kind.clone());
            let problem = match &kind {
                Some(FieldKind::Text) => None,
                Some(FieldKind::Enum(words)) => words
                    .iter()
                    .find(|w| {
                        crate::value::currency::read_code(w)
                            .as_ref()
                            .map(|c| c.code())
                            != Some(w.as_str())
                    })
                    .map(|w| {
                        format!(
                            "`{}` can be `{w}`, which is not an ISO 4217 currency code",
                            path.dotted()
                        )
                    }),
                _ => Some(format!("`{}` is not text", path.dotted())),
            };
            if let Some(problem) = problem {
                self.report(
                    Diagnostic::error(Code::CurrencyField, path.span, format!("the currency of an amount comes from a text field or a list of ISO 4217 codes: {problem}"))
                        .with_label("not a currency field")
                        .with_help("declare the currency field as text (`order.currency is text`) or as codes (`order.currency is one of USD, EUR`)"),
                );
                continue;
            }
            if let Some(field) = self.fields.get_mut(usize::from(amount)) {
                field.currency = Some(slot);
            }
            pairs.push((amount, slot));
        }
        pairs
    }
}

fn insert_path(nodes: &mut Vec<(String, SchemaNode)>, prefix: &str, segments: &[&str], slot: u16) {
    let [first, rest @ ..] = segments else { return };
    if rest.is_empty() {
        nodes.push(((*first).to_string(), SchemaNode::Leaf(slot)));
        return;
    }
    let path = if prefix.is_empty() {
        (*first).to_string()
    } else {
        format!("{prefix}.{first}")
    };
    let position = nodes
        .iter()
        .position(|(k, n)| k == first && matches!(n, SchemaNode::Group(..)));
    let index = match position {
        Some(i) => i,
        None => {
            nodes.push((
                (*first).to_string(),
                SchemaNode::Group(path.clone(), Vec::new()),
            ));
            nodes.len() - 1
        }
    };
    if let Some((_, SchemaNode::Group(_, children))) = nodes.get_mut(index) {
        insert_path(children, &path, rest, slot);
    }
}
