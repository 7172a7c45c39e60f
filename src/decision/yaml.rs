//! The decision as a YAML document (the shape is `shape.rs`'s, the syntax `emit.rs`'s),
//! and the YAML string writer every YAML output uses: every string reads back as the
//! same data (property-tested in `roundtrip.rs`).

use super::emit::Yaml;
use super::escape::yaml_escapes;
use super::Decision;
use crate::json::push_quoted_char;

impl Decision {
    /// Writes the decision as a YAML document (starting with `---`). Every string is a
    /// double-quoted YAML scalar escaped by [`yaml_str`], so the document reads back as
    /// the same data as the JSON form.
    pub fn write_yaml(&self, out: &mut String) {
        out.push_str("---\n");
        self.emit(&mut Yaml::new(out));
        out.push('\n');
    }

    /// Writes the decision as a YAML document with `policy_revision` after the facts
    /// (`eval --with-revision`).
    pub fn write_yaml_with_revision(&self, out: &mut String, revision: &str) {
        out.push_str("---\n");
        self.emit_with(&mut Yaml::new(out), Some(revision));
        out.push('\n');
    }
}

/// Writes a YAML 1.2 double-quoted scalar that any YAML reader (1.1 ones too) reads back
/// as exactly `s`: JSON's escapes, plus `\uXXXX` for every character YAML does not
/// allow raw (DEL and the C1 controls, U+FFFE, U+FFFF) and for those some readers take
/// for line breaks or a byte order mark (NEL U+0085, U+2028, U+2029, U+FEFF).
pub fn yaml_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_yaml_escaped(out, s);
    out.push('"');
}

/// Appends `s` escaped for the inside of a YAML double-quoted scalar.
fn push_yaml_escaped(out: &mut String, s: &str) {
    if !s.chars().any(|c| c == '"' || c == '\\' || yaml_escapes(c)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        push_quoted_char(out, c, yaml_escapes(c));
    }
}

/// Writes a mapping key (or a word such as an effect): plain when it is a name that
/// every YAML reader takes as that text (letters, digits and `_`, not starting with a
/// digit, and not a word YAML 1.1 or 1.2 reads as null or a boolean, in any case), else
/// quoted with [`yaml_str`].
pub(super) fn yaml_key(out: &mut String, key: &str) {
    const SPECIAL: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !SPECIAL.iter().any(|word| key.eq_ignore_ascii_case(word));
    if plain {
        out.push_str(key);
    } else {
        yaml_str(out, key);
    }
}
