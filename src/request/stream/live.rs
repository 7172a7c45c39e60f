//! A live input (standard input, a pipe, a socket) read by its own thread, so that the
//! reader of requests can ask whether more input is ready *without waiting for it*: the
//! batch path then writes every decision it has before it waits for a quiet writer.
//!
//! Standard library readers cannot say whether a read would block, and a non-blocking
//! check of the file descriptor needs `unsafe` or a platform crate; a thread reading
//! blocks into a bounded channel is portable and safe. The channel holds at most
//! [`LIVE_BLOCKS`] blocks of [`LIVE_BLOCK_BYTES`], so a fast writer is held back (the
//! pipe fills) rather than memory growing.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::Input;
use crate::limits::{LIVE_BLOCKS, LIVE_BLOCK_BYTES};

/// An [`Input`] fed by a thread that reads blocks from a live reader.
#[derive(Debug)]
pub struct LiveInput {
    /// Blocks (or the error that ended the reading) from the thread.
    blocks: Receiver<io::Result<Vec<u8>>>,
    /// The block being read.
    block: Vec<u8>,
    /// How much of `block` was consumed.
    pos: usize,
    /// An error received, returned by the next read.
    error: Option<io::Error>,
    /// The thread has finished: end of input (after any error).
    ended: bool,
}

impl LiveInput {
    /// Starts the thread that reads `reader` (standard input, say) until its end.
    pub fn spawn<R: Read + Send + 'static>(mut reader: R) -> io::Result<LiveInput> {
        let (sender, blocks) = mpsc::sync_channel(LIVE_BLOCKS);
        std::thread::Builder::new()
            .name("csp-policy input".into())
            .spawn(move || loop {
                let mut block = vec![0; LIVE_BLOCK_BYTES];
                match reader.read(&mut block) {
                    Ok(0) => return,
                    Ok(n) => {
                        block.truncate(n);
                        if sender.send(Ok(block)).is_err() {
                            return; // the input is no longer wanted
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = sender.send(Err(e));
                        return;
                    }
                }
            })?;
        Ok(LiveInput {
            blocks,
            block: Vec::new(),
            pos: 0,
            error: None,
            ended: false,
        })
    }

    fn receive(&mut self, item: io::Result<Vec<u8>>) {
        match item {
            Ok(block) => {
                self.block = block;
                self.pos = 0;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn has_bytes(&self) -> bool {
        self.pos < self.block.len()
    }
}

impl Read for LiveInput {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for LiveInput {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if !self.has_bytes() && !self.ended {
            if self.error.is_none() {
                match self.blocks.recv() {
                    Ok(item) => self.receive(item),
                    Err(_) => self.ended = true,
                }
            }
            if let Some(e) = self.error.take() {
                self.ended = true;
                return Err(e);
            }
        }
        Ok(self.block.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.block.len());
    }
}

impl Input for LiveInput {
    fn stalled(&mut self) -> bool {
        if self.has_bytes() || self.ended || self.error.is_some() {
            return false;
        }
        match self.blocks.try_recv() {
            Ok(item) => {
                self.receive(item);
                false
            }
            Err(TryRecvError::Empty) => true,
            Err(TryRecvError::Disconnected) => {
                self.ended = true;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A reader over the read end of a channel of byte blocks: a pipe the test writes to.
    struct Pipe(Receiver<Vec<u8>>, Vec<u8>);

    impl Read for Pipe {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.1.is_empty() {
                match self.0.recv() {
                    Ok(bytes) => self.1 = bytes,
                    Err(_) => return Ok(0),
                }
            }
            let n = self.1.len().min(out.len());
            out[..n].copy_from_slice(&self.1[..n]);
            self.1.drain(..n);
            Ok(n)
        }
    }

    /// Waits (boundedly) until the input has taken in what was written.
    fn until_not_stalled(input: &mut LiveInput) {
        let start = Instant::now();
        while input.stalled() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the reader thread never delivered"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_quiet_writer_stalls_and_the_end_does_not() {
        let (tx, rx) = mpsc::channel();
        let mut input = LiveInput::spawn(Pipe(rx, Vec::new())).unwrap();
        assert!(input.stalled(), "nothing written yet");
        tx.send(b"one\n".to_vec()).unwrap();
        until_not_stalled(&mut input);
        let mut line = String::new();
        input.read_line(&mut line).unwrap();
        assert_eq!(line, "one\n");
        assert!(input.stalled(), "all read, the writer is quiet");
        drop(tx);
        until_not_stalled(&mut input);
        assert_eq!(input.fill_buf().unwrap(), b"", "the end of the input");
        assert!(!input.stalled());
    }

    #[test]
    fn everything_written_is_read_in_order() {
        let (tx, rx) = mpsc::channel();
        let mut input = LiveInput::spawn(Pipe(rx, Vec::new())).unwrap();
        let mut expected = Vec::new();
        for i in 0..2_000 {
            let chunk = format!("line {i}\n").repeat(i % 7 + 1).into_bytes();
            expected.extend_from_slice(&chunk);
            tx.send(chunk).unwrap();
        }
        drop(tx);
        let mut got = Vec::new();
        input.read_to_end(&mut got).unwrap();
        assert_eq!(got, expected);
    }
}
