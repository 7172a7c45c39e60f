//! Where `eval` and `diff` read requests from: standard input (no file, or `-`) or a
//! file, and how the stream is framed (`--input`, else the file's extension, else the
//! content). Says what cannot be opened and returns the usage exit code.

use std::io::BufReader;
use std::path::Path;

use csp_policy::stream::{Framing, Input, LiveInput};

use super::args::InputFormat;
use super::exit;
use super::output::say;

/// An opened source of requests.
pub struct Opened<'p> {
    /// The bytes.
    pub reader: Box<dyn Input>,
    /// The file read, `None` for standard input.
    pub path: Option<&'p Path>,
    /// The file's size when it has one (for a progress line).
    pub size: Option<u64>,
}

/// Opens `input`: standard input when absent or `-`, else the file.
pub fn open(input: Option<&Path>) -> Result<Opened<'_>, i32> {
    let path = input.filter(|p| p.as_os_str() != "-");
    match path {
        None => match LiveInput::spawn(std::io::stdin()) {
            Ok(live) => Ok(Opened {
                reader: Box::new(live),
                path,
                size: None,
            }),
            Err(e) => {
                say!("error: cannot read standard input: {e}\n");
                Err(exit::USAGE)
            }
        },
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Ok(Opened {
                size: f.metadata().ok().map(|m| m.len()).filter(|&n| n > 0),
                reader: Box::new(BufReader::with_capacity(1 << 16, f)),
                path,
            }),
            Err(e) => {
                say!("error: cannot read {}: {e}\n", p.display());
                Err(exit::USAGE)
            }
        },
    }
}

/// The framing `--input` names, else the one the file's extension says; `None`: by
/// content.
pub fn framing(format: Option<InputFormat>, path: Option<&Path>) -> Option<Framing> {
    format
        .map(InputFormat::framing)
        .or_else(|| path.and_then(Framing::from_extension))
}
