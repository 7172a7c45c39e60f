//! The one table of characters the decision's renderings do not write as themselves:
//! what every rendering escapes (controls and line breaks), plus what YAML readers
//! refuse or misread, plus what would reorder text on a person's terminal. YAML writes
//! them as `\uXXXX` in a double-quoted scalar (`yaml.rs`); text for people as `\u{..}`
//! (`text.rs`).

/// C0 controls (line breaks included), DEL, the C1 controls (NEL among them) and the
/// Unicode line and paragraph separators: characters no rendering writes raw, since
/// each can break a line or drive a terminal.
fn breaks_or_controls(c: char) -> bool {
    let code = c as u32;
    code < 0x20 || (0x7f..=0x9f).contains(&code) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Whether YAML writes a character as a `\uXXXX` escape (beyond `"`, `\\` and the named
/// escapes): [`breaks_or_controls`], and U+FEFF, U+FFFE, U+FFFF, which YAML does not
/// allow raw or some readers take for a byte order mark.
pub(super) fn yaml_escapes(c: char) -> bool {
    breaks_or_controls(c) || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// Whether text for a person's terminal shows a character as an escape:
/// [`breaks_or_controls`], and the bidirectional controls, which reorder what follows.
pub(super) fn terminal_hides(c: char) -> bool {
    breaks_or_controls(c)
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_says_which_rendering_escapes_what() {
        for c in [
            '\0', '\n', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{2028}', '\u{2029}',
        ] {
            assert!(yaml_escapes(c) && terminal_hides(c), "{c:?}");
        }
        for c in ['\u{feff}', '\u{fffe}', '\u{ffff}'] {
            assert!(yaml_escapes(c) && !terminal_hides(c), "{c:?}");
        }
        for c in ['\u{061c}', '\u{200e}', '\u{202e}', '\u{2066}', '\u{2069}'] {
            assert!(!yaml_escapes(c) && terminal_hides(c), "{c:?}");
        }
        for c in [
            ' ',
            'a',
            '"',
            '\\',
            '\u{a0}',
            'é',
            '日',
            '\u{2027}',
            '\u{10ffff}',
        ] {
            assert!(!yaml_escapes(c) && !terminal_hides(c), "{c:?}");
        }
    }
}
