//! Writing to standard output and standard error without ever panicking (`println!` and
//! `eprintln!` panic when a write fails), and what a failed write means for the exit code.
//!
//! - **A closed pipe** (`csp-policy eval big.jsonl | head -1`): nobody reads any more, so
//!   there is nothing to say. The command stops writing and exits with
//!   [`exit::CLOSED_PIPE`] (141 = 128 + SIGPIPE), the status a shell reports for a Unix
//!   tool ended by SIGPIPE, so `set -o pipefail` sees what it sees for `cat`.
//! - **Any other write error** (a full disk, `> /dev/full`, an I/O error): the output is
//!   incomplete, which the reader must learn: `error: cannot write to standard output:
//!   ...` on standard error and exit [`exit::USAGE`] (2).
//! - **Standard error itself** cannot be written: there is nowhere to say so; the
//!   message is dropped and the exit code still tells.

use std::fmt;
use std::io::{self, Write};

use super::exit;

/// Writes a message to standard error; a write error is ignored (there is nowhere left to
/// report it). Use through the `say!` macro.
pub fn to_stderr(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `eprint!` that never panics: the message goes to standard error if it can.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::to_stderr(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// How writing some output went.
#[derive(Debug)]
pub enum WriteError {
    /// The reader went away (EPIPE): stop quietly.
    Closed,
    /// Any other error: the output is incomplete.
    Failed(io::Error),
}

impl WriteError {
    /// Classifies an I/O error from a write.
    pub fn from_io(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            WriteError::Closed
        } else {
            WriteError::Failed(error)
        }
    }

    /// Says what went wrong (nothing for a closed pipe) and gives the exit code.
    /// `stream` is `standard output` or `standard error`.
    pub fn report(&self, stream: &str) -> i32 {
        match self {
            WriteError::Closed => exit::CLOSED_PIPE,
            WriteError::Failed(e) => {
                say!("error: cannot write to {stream}: {e}\n");
                exit::USAGE
            }
        }
    }
}

/// Writes all of `bytes` to standard output and flushes it.
pub fn stdout_all(bytes: &[u8]) -> Result<(), WriteError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(WriteError::from_io)
}

/// Writes all of `bytes` to standard error and flushes it.
pub fn stderr_all(bytes: &[u8]) -> Result<(), WriteError> {
    let mut err = io::stderr().lock();
    err.write_all(bytes)
        .and_then(|()| err.flush())
        .map_err(WriteError::from_io)
}

/// Standard output for a command that writes as it goes: after the first failed write
/// nothing more is written, and [`Stdout::finish`] gives the outcome.
#[derive(Debug, Default)]
pub struct Stdout {
    error: Option<WriteError>,
}

impl Stdout {
    /// Nothing written yet.
    pub fn new() -> Self {
        Stdout::default()
    }

    /// Writes `text`; false once any write has failed (then nothing is written).
    pub fn write(&mut self, text: &str) -> bool {
        if self.error.is_some() {
            return false;
        }
        match stdout_all(text.as_bytes()) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// Whether a write has failed.
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// The exit code a failed write calls for (after saying what failed), if one did.
    pub fn finish(self) -> Option<i32> {
        self.error.map(|e| e.report("standard output"))
    }
}

/// A writer that remembers the first error its inner writer gave, so that a caller that
/// only learns "writing failed" (the batch path) can still tell a closed pipe from a full
/// disk.
#[derive(Debug)]
pub struct Recording<W> {
    inner: W,
    error: Option<WriteError>,
}

impl<W: Write> Recording<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Recording { inner, error: None }
    }

    /// The first error, if any.
    pub fn take_error(&mut self) -> Option<WriteError> {
        self.error.take()
    }

    fn keep<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            if self.error.is_none() && e.kind() != io::ErrorKind::Interrupted {
                self.error = Some(WriteError::from_io(io::Error::new(e.kind(), e.to_string())));
            }
        }
        result
    }
}

impl<W: Write> Write for Recording<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.keep(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.keep(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails every write with `kind`.
    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(self.0, "no"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_told_apart_from_other_errors() {
        let mut w = Recording::new(Failing(io::ErrorKind::BrokenPipe));
        assert!(w.write_all(b"x").is_err());
        assert!(matches!(w.take_error(), Some(WriteError::Closed)));
        assert_eq!(
            WriteError::Closed.report("standard output"),
            exit::CLOSED_PIPE
        );

        let mut w = Recording::new(Failing(io::ErrorKind::StorageFull));
        assert!(w.write_all(b"x").is_err());
        assert!(matches!(w.take_error(), Some(WriteError::Failed(_))));
    }

    #[test]
    fn only_the_first_error_is_kept() {
        let mut w = Recording::new(Failing(io::ErrorKind::StorageFull));
        let _ = w.write_all(b"x");
        w.inner = Failing(io::ErrorKind::BrokenPipe);
        let _ = w.write_all(b"x");
        assert!(matches!(w.take_error(), Some(WriteError::Failed(_))));
    }
}
