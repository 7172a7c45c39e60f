//! `fmt_roundtrip`: policy text that parses is formatted by `fmt::format_source` (the
//! code behind `csp-policy fmt`), which must succeed; the formatted text parses to the
//! same syntax tree, spans aside (`fmt::without_spans`), and formatting it again
//! changes nothing.

#![no_main]

use csp_policy::{fmt, syntax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(tree) = syntax::parse(0, &text) else {
        return;
    };
    let formatted = match fmt::format_source(&text) {
        Ok(formatted) => formatted,
        Err(e) => panic!("a policy that parses could not be formatted: {e}"),
    };
    let again = match syntax::parse(0, &formatted) {
        Ok(again) => again,
        Err(e) => panic!("the formatted text does not parse: {e}\n{formatted}"),
    };
    assert!(
        fmt::without_spans(&again) == fmt::without_spans(&tree),
        "the formatted text means something else:\n{formatted}"
    );
    match fmt::format_source(&formatted) {
        Ok(twice) => assert_eq!(twice, formatted, "formatting is not idempotent"),
        Err(e) => panic!("the formatted text could not be formatted again: {e}"),
    }
});
