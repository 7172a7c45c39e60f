//! Random requests for `explain_agrees.rs`: a request of the corpus generator
//! (`csp-corpus`), every field of the default policy's schema drawn at random, or an
//! empty request; then random edits. A field gets a well-formed value (times on the
//! edges of the policy's windows and links, counts on the link's limit, money with many
//! decimals or the largest decimal, text in spellings the text key folds together) or a
//! malformed one (wrong types, unknown words, YAML's own spellings), a whole object is
//! replaced by a scalar, a field is removed. The request is written as JSON or YAML.

use std::collections::BTreeMap;

use chrono::{SecondsFormat, TimeDelta};
use csp_corpus::{data, ACTIONS};
use csp_policy::stream::Format;
use proptest::prelude::*;
use proptest::sample::select;

use super::now;

/// One value of a request as written in JSON and in YAML (the same text, except for
/// the spellings only YAML has).
#[derive(Debug, Clone)]
struct Raw {
    json: String,
    yaml: String,
}

impl Raw {
    /// The same text in both formats (JSON text is YAML flow text).
    fn same(text: impl Into<String>) -> Raw {
        let text = text.into();
        Raw {
            json: text.clone(),
            yaml: text,
        }
    }

    /// A string.
    fn string(s: &str) -> Raw {
        Raw::same(serde_json::to_string(s).unwrap())
    }

    /// A YAML-only spelling; in JSON, the same words as a string.
    fn yaml_only(yaml: &str) -> Raw {
        Raw {
            json: serde_json::to_string(yaml).unwrap(),
            yaml: yaml.to_string(),
        }
    }
}

/// A request document: nested mappings with values as text.
#[derive(Debug, Clone, Default)]
struct Tree(BTreeMap<String, Node>);

#[derive(Debug, Clone)]
enum Node {
    Leaf(Raw),
    Map(Tree),
}

impl Tree {
    /// From a JSON object (the corpus generator's requests).
    fn from_json(value: &serde_json::Value) -> Tree {
        let mut tree = Tree::default();
        if let serde_json::Value::Object(map) = value {
            for (key, v) in map {
                let node = match v {
                    serde_json::Value::Object(_) => Node::Map(Tree::from_json(v)),
                    other => Node::Leaf(Raw::same(other.to_string())),
                };
                tree.0.insert(key.clone(), node);
            }
        }
        tree
    }

    /// Sets a dotted path (replacing a value that is in the way).
    fn set(&mut self, path: &str, value: Raw) {
        match path.split_once('.') {
            None => {
                self.0.insert(path.to_string(), Node::Leaf(value));
            }
            Some((head, rest)) => {
                let node = self
                    .0
                    .entry(head.to_string())
                    .or_insert_with(|| Node::Map(Tree::default()));
                if let Node::Leaf(_) = node {
                    *node = Node::Map(Tree::default());
                }
                if let Node::Map(tree) = node {
                    tree.set(rest, value);
                }
            }
        }
    }

    /// Removes a dotted path, if it is there.
    fn remove(&mut self, path: &str) {
        match path.split_once('.') {
            None => {
                self.0.remove(path);
            }
            Some((head, rest)) => {
                if let Some(Node::Map(tree)) = self.0.get_mut(head) {
                    tree.remove(rest);
                }
            }
        }
    }

    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (key, node)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(key).unwrap());
            out.push(':');
            match node {
                Node::Leaf(raw) => out.push_str(&raw.json),
                Node::Map(tree) => tree.write_json(out),
            }
        }
        out.push('}');
    }

    fn write_yaml(&self, out: &mut String, indent: usize) {
        for (key, node) in &self.0 {
            out.push_str(&" ".repeat(indent));
            out.push_str(&serde_json::to_string(key).unwrap());
            match node {
                Node::Leaf(raw) => {
                    out.push_str(": ");
                    out.push_str(&raw.yaml);
                    out.push('\n');
                }
                Node::Map(tree) if tree.0.is_empty() => out.push_str(": {}\n"),
                Node::Map(tree) => {
                    out.push_str(":\n");
                    tree.write_yaml(out, indent + 2);
                }
            }
        }
    }
}

/// A request and the format it is written in.
#[derive(Debug, Clone)]
pub struct Request {
    tree: Tree,
    yaml: bool,
}

impl Request {
    /// The request's text, and how it is written.
    pub fn text(&self) -> (String, Format) {
        let mut out = String::new();
        if self.yaml {
            self.tree.write_yaml(&mut out, 0);
            if out.is_empty() {
                out.push_str("{}\n");
            }
            (out, Format::Yaml)
        } else {
            self.tree.write_json(&mut out);
            (out, Format::Json)
        }
    }
}

/// The kinds of fields of the default policy's input schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Action,
    Time,
    Side,
    Roles,
    Guid,
    Text,
    Market,
    Category,
    Status,
    Money,
    /// An ISO 4217 code as requests write it, or text that is none.
    Currency,
    Count,
    Flag,
}

/// Every field of the default policy's input schema.
pub const FIELDS: &[(&str, Kind)] = &[
    ("action", Kind::Action),
    ("at", Kind::Time),
    ("actor.id", Kind::Text),
    ("actor.kind", Kind::Side),
    ("actor.roles", Kind::Roles),
    ("actor.tenant_id", Kind::Guid),
    ("customer.name", Kind::Text),
    ("customer.tenant_id", Kind::Guid),
    ("customer.domain", Kind::Text),
    ("customer.market", Kind::Market),
    ("product.name", Kind::Text),
    ("product.category", Kind::Category),
    ("product.publisher", Kind::Text),
    ("product.edition", Kind::Text),
    ("order.id", Kind::Text),
    ("order.purchased_at", Kind::Time),
    ("order.status", Kind::Status),
    ("order.price", Kind::Money),
    ("order.currency", Kind::Currency),
    ("order.limit", Kind::Money),
    ("order.term_end", Kind::Time),
    ("link.issued_at", Kind::Time),
    ("link.downloads", Kind::Count),
    ("license.software_assurance", Kind::Flag),
    ("range.from", Kind::Time),
    ("range.to", Kind::Time),
];

/// Paths that are not fields: whole objects (replaced by a scalar) and unknown fields.
const OTHER_PATHS: &[&str] = &[
    "actor",
    "customer",
    "product",
    "order",
    "link",
    "license",
    "range",
    "extra",
    "actor.nickname",
    "order.items.first",
];

/// Words that are not actions (the actions are `csp_corpus::ACTIONS`).
const NOT_ACTIONS: &[&str] = &["Purchase", "refund", " cancel"];

/// Text in the spellings the text key folds together, and some it keeps apart.
const ODD_TEXT: &[&str] = &[
    "SUSE",
    "suse",
    "SUSE ",
    "ＳＵＳＥ",
    "SU\u{200B}SE",
    "\u{FEFF}suse",
    "Red Hat",
    "RED  HAT",
    "red\u{A0}hat",
    "redhat",
    "RedHat",
    "microsoft",
    "Windows Server 2022 Datacenter",
    "WINDOWS\u{A0}server 2019",
    "windows  server",
    "Windows Serve",
    "datacenter",
    "ＤＡＴＡＣＥＮＴＥＲ",
    "Standard",
    " standard\t",
    "e\u{301}dition",
    "édition",
    "ﬁle",
    "ORD-1001",
    "ord-1001",
    "Contoso",
    "contoso.onmicrosoft.com",
    "USD",
    "\u{200B}",
    " ",
    "",
    "\u{202E}evil",
    "a\u{0}b",
    "日本語",
    "😀",
];

/// Markets: codes in any case and display names as the lists write them.
fn market() -> BoxedStrategy<Raw> {
    let mut words: Vec<String> = data::UNAVAILABLE_MARKETS
        .iter()
        .take(12)
        .flat_map(|(code, name)| [code.to_string(), name.to_string()])
        .collect();
    words.extend(
        data::AVAILABLE_MARKETS
            .iter()
            .take(12)
            .map(|(c, _)| c.to_string()),
    );
    words.extend(
        [
            "au",
            "Au",
            "BR",
            "XK",
            "xk",
            "Australia",
            "Brazil",
            "Saba",
            "China",
        ]
        .map(String::from),
    );
    select(words).prop_map(|w| Raw::string(&w)).boxed()
}

/// What is not a market: unknown codes and names, a name in another case, a number.
fn bad_market() -> BoxedStrategy<Raw> {
    let mut words: Vec<&str> = data::UNKNOWN_MARKETS.to_vec();
    words.extend(["australia", "china", "CN ", "", "A"]);
    prop_oneof![
        4 => select(words).prop_map(Raw::string),
        1 => Just(Raw::yaml_only("NO")),
        1 => Just(Raw::same("61")),
    ]
    .boxed()
}

/// Instants around 2026-11-25T12:00:00Z: edges of the 14-day link, the 60-day window
/// and a year's term, plus a jitter of a nanosecond to half a day, in several
/// spellings; and the first and last instants RFC 3339 writes.
fn time() -> BoxedStrategy<Raw> {
    let day = 86_400i64;
    let edges = vec![
        0,
        -day,
        -14 * day,
        14 * day,
        -60 * day,
        60 * day,
        -61 * day,
        -365 * day,
        365 * day,
        -2 * 365 * day,
    ];
    let jitters = vec![
        0i64,
        1,
        -1,
        1_000_000_000,
        -1_000_000_000,
        3_600_000_000_000,
        -43_200_000_000_000,
    ];
    let near = (select(edges), select(jitters), 0u8..6).prop_map(|(edge, nanos, style)| {
        let t = now() + TimeDelta::seconds(edge) + TimeDelta::nanoseconds(nanos);
        let text = match style {
            0 => t
                .to_rfc3339_opts(SecondsFormat::AutoSi, true)
                .to_lowercase(),
            1 => t
                .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
                .to_rfc3339_opts(SecondsFormat::AutoSi, false),
            2 => t
                .with_timezone(&chrono::FixedOffset::west_opt(5 * 3600 + 1800).unwrap())
                .to_rfc3339_opts(SecondsFormat::Nanos, false),
            _ => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        };
        if style == 5 {
            Raw::yaml_only(&text)
        } else {
            Raw::string(&text)
        }
    });
    let far = select(vec![
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:59Z",
    ])
    .prop_map(Raw::string);
    prop_oneof![12 => near, 1 => far].boxed()
}

/// What is not a time.
fn bad_time() -> BoxedStrategy<Raw> {
    prop_oneof![
        select(vec![
            "2016-12-31T23:59:60Z",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T12:00:00",
            "2026-11-25",
            "2026-11-25 12:00:00Z",
            "+12026-11-25T12:00:00Z",
            "yesterday",
        ])
        .prop_map(Raw::string),
        Just(Raw::same("1795608000")),
    ]
    .boxed()
}

/// Counts on both sides of the link's limit of 50.
fn count() -> BoxedStrategy<Raw> {
    raws(&[
        "0",
        "1",
        "48",
        "49",
        "50",
        "51",
        "1000",
        "18446744073709551615",
    ])
}

/// What is not a count: negative, fractions, exponents, text, too large.
fn bad_count() -> BoxedStrategy<Raw> {
    raws(&[
        "-1",
        "-0",
        "1.5",
        "50.0",
        "5e1",
        "\"49\"",
        "18446744073709551616",
        "79228162514264337593543950335",
        "100000000000000000000000000000000",
    ])
}

/// Amounts: many decimals, the largest and smallest decimals.
fn money() -> BoxedStrategy<Raw> {
    raws(&[
        "\"1200.00\"",
        "\"0\"",
        "\"0.005\"",
        "\"1234.565\"",
        "1200.5",
        "1200",
        "0",
        "\"0.0000000000000000000000000001\"",
        "\"79228162514264337593543950335\"",
        "79228162514264337593543950335",
    ])
}

/// What is not money: too large, negative, exponents, words.
fn bad_money() -> BoxedStrategy<Raw> {
    prop_oneof![
        6 => raws(&[
            "\"79228162514264337593543950336\"",
            "\"-1\"",
            "-0.01",
            "\"1e3\"",
            "1E3",
            "\"12,00\"",
            "\" 5\"",
            "\"abc\"",
        ]),
        1 => Just(Raw::yaml_only("1_000")),
    ]
    .boxed()
}

/// Role lists of either side (a role of the other side is an error too).
fn roles() -> BoxedStrategy<Raw> {
    let mut names: Vec<&'static str> = data::PARTNER_ROLES.to_vec();
    names.extend(data::CUSTOMER_ROLES);
    role_list(names)
}

fn role_list(names: Vec<&'static str>) -> BoxedStrategy<Raw> {
    proptest::collection::vec(select(names), 0..4)
        .prop_map(|roles| {
            let items: Vec<String> = roles
                .iter()
                .map(|r| serde_json::to_string(r).unwrap())
                .collect();
            Raw::same(format!("[{}]", items.join(", ")))
        })
        .boxed()
}

/// What is not a list of roles.
fn bad_roles() -> BoxedStrategy<Raw> {
    let mut names = data::BAD_ROLES.to_vec();
    names.extend(["", "admin_agent"]);
    prop_oneof![
        3 => role_list(names),
        1 => Just(Raw::string("admin_agent")),
        1 => Just(Raw::same("[[\"admin_agent\"]]")),
        1 => Just(Raw::same("[1, true]")),
    ]
    .boxed()
}

/// One of `texts`, written as it is (JSON text, which YAML reads the same).
fn raws(texts: &[&'static str]) -> BoxedStrategy<Raw> {
    select(texts.to_vec()).prop_map(Raw::same).boxed()
}

/// One of `words`, as a string.
fn strings(words: &[&'static str]) -> BoxedStrategy<Raw> {
    select(words.to_vec()).prop_map(Raw::string).boxed()
}

/// A well-formed value for a field of this kind (empty text counts as missing).
fn well_formed(kind: Kind) -> BoxedStrategy<Raw> {
    match kind {
        Kind::Action => strings(&ACTIONS),
        Kind::Time => time(),
        Kind::Side => strings(&["partner", "customer"]),
        Kind::Roles => roles(),
        Kind::Guid => strings(&[
            "3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f",
            "3F1C2B7E-8A9D-4C3B-9E2F-1A2B3C4D5E6F",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ]),
        Kind::Text => strings(ODD_TEXT),
        Kind::Market => market(),
        Kind::Category => strings(&[
            "azure_reservation",
            "server_subscription",
            "perpetual_software",
            "software_plan",
        ]),
        Kind::Status => strings(&["active", "canceled"]),
        Kind::Money => money(),
        Kind::Currency => strings(&["USD", "usd", " EUR ", "JPY", "dollars", "XAU"]),
        Kind::Count => count(),
        Kind::Flag => raws(&["true", "false"]),
    }
}

/// A malformed value for a field of this kind.
fn malformed(kind: Kind) -> BoxedStrategy<Raw> {
    match kind {
        Kind::Action => strings(NOT_ACTIONS),
        Kind::Time => bad_time(),
        Kind::Side => strings(&["Partner", "robot", "partner "]),
        Kind::Roles => bad_roles(),
        Kind::Guid => strings(&[
            "{3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f}",
            "3f1c2b7e8a9d4c3b9e2f1a2b3c4d5e6f",
            "3f1c2b7e-8a9d-4c3b-9e2f",
            "not-a-guid",
        ]),
        Kind::Text | Kind::Currency => raws(&["5", "true", "[\"suse\"]", "{\"name\": \"suse\"}"]),
        Kind::Market => bad_market(),
        Kind::Category => strings(&["Software_Plan", "plan", "software plan"]),
        Kind::Status => strings(&["cancelled", "ACTIVE"]),
        Kind::Money => bad_money(),
        Kind::Count => bad_count(),
        Kind::Flag => prop_oneof![
            raws(&["\"true\"", "1", "0"]),
            select(vec!["yes", "No", "True"]).prop_map(Raw::yaml_only),
        ]
        .boxed(),
    }
}

/// A value for a field of this kind: mostly well-formed, sometimes malformed or
/// anything at all.
fn value_of(kind: Kind) -> BoxedStrategy<Raw> {
    prop_oneof![12 => well_formed(kind), 1 => malformed(kind), 1 => any_value()].boxed()
}

/// Anything at all: null, empty, other types, YAML's own spellings.
fn any_value() -> BoxedStrategy<Raw> {
    prop_oneof![
        raws(&[
            "null",
            "\"\"",
            "true",
            "0",
            "-1",
            "1.5",
            "[]",
            "{}",
            "[\"a\"]",
            "{\"a\": 1}",
        ]),
        Just(Raw::yaml_only("~")),
        Just(Raw::yaml_only("!!str 5")),
        Just(Raw::yaml_only("&a 1")),
        strings(ODD_TEXT),
    ]
    .boxed()
}

/// One change to a request.
#[derive(Debug, Clone)]
enum Edit {
    Set(&'static str, Raw),
    Remove(&'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let field = (0..FIELDS.len()).prop_flat_map(|i| {
        let (path, kind) = FIELDS[i];
        value_of(kind).prop_map(move |v| Edit::Set(path, v))
    });
    let other = (select(OTHER_PATHS.to_vec()), any_value()).prop_map(|(p, v)| Edit::Set(p, v));
    let remove = prop_oneof![
        select(FIELDS.iter().map(|(p, _)| *p).collect::<Vec<_>>()),
        select(OTHER_PATHS.to_vec()),
    ]
    .prop_map(Edit::Remove);
    prop_oneof![8 => field, 1 => other, 2 => remove]
}

/// A request: a corpus request (or nothing, or every field at random), then edits.
pub fn request() -> impl Strategy<Value = Request> {
    let corpus = any::<u64>().prop_map(|seed| {
        let line = csp_corpus::generate(seed, 1).next().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        Tree::from_json(&value)
    });
    let every_field = FIELDS
        .iter()
        .map(|&(path, kind)| {
            let value = prop_oneof![40 => well_formed(kind), 1 => malformed(kind)];
            proptest::option::weighted(0.85, value).prop_map(move |v| (path, v))
        })
        .collect::<Vec<_>>()
        .prop_map(|values| {
            let mut tree = Tree::default();
            for (path, value) in values {
                if let Some(value) = value {
                    tree.set(path, value);
                }
            }
            tree
        });
    let base = prop_oneof![6 => corpus, 3 => every_field, 1 => Just(Tree::default())];
    (base, proptest::collection::vec(edit(), 0..5), any::<bool>()).prop_map(
        |(mut tree, edits, yaml)| {
            for edit in edits {
                match edit {
                    Edit::Set(path, value) => tree.set(path, value),
                    Edit::Remove(path) => tree.remove(path),
                }
            }
            Request { tree, yaml }
        },
    )
}
