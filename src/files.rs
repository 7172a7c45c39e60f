//! Reading the files a user names: every size limit applied *while* reading (at most the
//! limit and one byte are read, so `/dev/zero` or an endless pipe costs nothing), regular
//! files required where a path comes from a file rather than from the user (a FIFO or a
//! device would hang or never end), and folders listed without following a symbolic link
//! out of them.
//!
//! Used by the policy loader (`load.rs`), `fmt`, and `test` (suite folders and
//! `request_file`s). A folder's files are those with the wanted extension that are
//! regular files, or symbolic links to regular files inside the folder (after every link
//! is resolved); any other entry with that extension is skipped with a [`Skipped`] note
//! for the user. A file named directly on the command line is read whatever it is
//! (`--policy <(generate)` works), still bounded.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file or folder could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The operating system refused.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file holds more than the limit (only the limit and one byte were read).
    #[error("cannot read {}: larger than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("cannot read {}: the file is not UTF-8 text", path.display())]
    NotText {
        /// The path.
        path: PathBuf,
    },
    /// A regular file was expected (a FIFO or a device may never end, or block).
    #[error("cannot read {}: not a regular file ({kind})", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// A folder holds more files of the kind than the limit.
    #[error("{} holds more than {limit} .{extension} files", folder.display())]
    TooMany {
        /// The folder.
        folder: PathBuf,
        /// The limit.
        limit: usize,
        /// The extension counted.
        extension: String,
    },
}

/// An entry of a folder that has the wanted extension but was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The entry, as the folder's path joined with its name.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipped {}: {}", self.path.display(), self.reason)
    }
}

/// Reads all of `file` as UTF-8 text, refusing it as soon as it holds more than `limit`
/// bytes. `path` is the name used in errors.
pub fn read_text_from(file: impl Read, path: &Path, limit: u64) -> Result<String, FileError> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| FileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|_| FileError::NotText {
        path: path.to_path_buf(),
    })
}

/// Reads a file named by the user as UTF-8 text, at most `limit` bytes (whatever kind of
/// file it is: a pipe or `/dev/zero` is read up to the limit and refused past it).
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    let file = File::open(path).map_err(|source| FileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_text_from(file, path, limit)
}

/// Opens `path` for reading only if it is a regular file (links followed): a FIFO, a
/// device or a socket is refused before it is opened (opening a FIFO blocks until a
/// writer comes), and the open file is checked again (it may have been swapped).
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let io = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    regular(path, &metadata)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Never block in `open` should the path become a FIFO after the check.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    regular(path, &file.metadata().map_err(io)?)?;
    Ok(file)
}

fn regular(path: &Path, metadata: &std::fs::Metadata) -> Result<(), FileError> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(FileError::NotRegular {
        path: path.to_path_buf(),
        kind: kind_of(metadata.file_type()),
    })
}

/// What a file is, in words.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

/// Whether `path`, with every symbolic link and `..` resolved, lies inside `folder`
/// (itself resolved); the resolved path when it does. `None` when it is outside or
/// cannot be resolved (it does not exist).
pub fn resolve_inside(folder: &Path, path: &Path) -> Result<Option<PathBuf>, std::io::Error> {
    let folder = std::fs::canonicalize(folder)?;
    let resolved = std::fs::canonicalize(path)?;
    Ok(resolved.starts_with(&folder).then_some(resolved))
}

/// The files of a folder: what [`list`] found, in name order, and what it skipped.
#[derive(Debug, Default)]
pub struct Listing {
    /// The files taken, as the folder's path joined with their names, in name order.
    pub files: Vec<PathBuf>,
    /// Entries with a wanted extension that were not taken.
    pub skipped: Vec<Skipped>,
}

/// Lists the files of `folder` (not its subfolders) whose extension is one of
/// `extensions`: regular files, and symbolic links that resolve to a regular file inside
/// the folder; each file once (a link to a file already listed is skipped). At most
/// `max` files, else [`FileError::TooMany`] (counted while listing, so a folder of
/// 100,000 files costs no more than `max` names).
pub fn list(folder: &Path, extensions: &[&str], max: Option<usize>) -> Result<Listing, FileError> {
    let io = |source| FileError::Io {
        path: folder.to_path_buf(),
        source,
    };
    let resolved_folder = std::fs::canonicalize(folder).map_err(io)?;
    let mut listing = Listing::default();
    let mut taken: Vec<(PathBuf, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        if !wanted {
            continue;
        }
        let skip = |reason: String| Skipped {
            path: path.clone(),
            reason,
        };
        let file_type = entry.file_type().map_err(io)?;
        if file_type.is_dir() {
            continue;
        }
        let resolved = if file_type.is_file() {
            Ok(resolved_folder.join(entry.file_name()))
        } else if file_type.is_symlink() {
            match std::fs::canonicalize(&path) {
                Err(_) => Err(skip("a symbolic link to nothing".into())),
                Ok(target) if !target.starts_with(&resolved_folder) => Err(skip(format!(
                    "a symbolic link to a file outside {}",
                    folder.display()
                ))),
                Ok(target) => match std::fs::metadata(&target) {
                    Ok(m) if m.is_file() => Ok(target),
                    Ok(m) => Err(skip(format!(
                        "a symbolic link to {}",
                        kind_of(m.file_type())
                    ))),
                    Err(e) => Err(skip(format!("cannot read: {e}"))),
                },
            }
        } else {
            Err(skip(format!("not a regular file ({})", kind_of(file_type))))
        };
        match resolved {
            Ok(target) => {
                if let Some(max) = max {
                    if taken.len() >= max {
                        return Err(FileError::TooMany {
                            folder: folder.to_path_buf(),
                            limit: max,
                            extension: extensions.first().copied().unwrap_or("").to_string(),
                        });
                    }
                }
                taken.push((path, target));
            }
            Err(skipped) => listing.skipped.push(skipped),
        }
    }
    taken.sort();
    let mut first_of: std::collections::HashMap<PathBuf, PathBuf> = Default::default();
    for (path, target) in taken {
        match first_of.get(&target) {
            Some(first) => listing.skipped.push(Skipped {
                reason: format!("the same file as {}", first.display()),
                path,
            }),
            None => {
                first_of.insert(target, path.clone());
                listing.files.push(path);
            }
        }
    }
    listing.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        // An endless source: only limit + 1 bytes are ever taken from it.
        let endless = std::io::repeat(b'a');
        let err = read_text_from(endless, Path::new("zero"), 10).unwrap_err();
        assert!(
            matches!(err, FileError::TooLarge { limit: 10, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "cannot read zero: larger than the limit of 10 bytes"
        );
        assert_eq!(
            read_text_from(&b"0123456789"[..], Path::new("x"), 10).unwrap(),
            "0123456789"
        );
        let err = read_text_from(&b"\xff"[..], Path::new("x"), 10).unwrap_err();
        assert!(matches!(err, FileError::NotText { .. }));
    }

    #[cfg(unix)]
    #[test]
    fn folders_are_listed_without_leaving_them() {
        use std::os::unix::fs::symlink;
        let tree = tempfile::tempdir().unwrap();
        let folder = tree.path().join("f");
        std::fs::create_dir_all(folder.join("sub")).unwrap();
        std::fs::write(tree.path().join("out.policy"), "").unwrap();
        std::fs::write(folder.join("b.policy"), "").unwrap();
        std::fs::write(folder.join("sub/in.txt"), "").unwrap();
        std::fs::write(folder.join("note.txt"), "").unwrap();
        symlink("../out.policy", folder.join("a-out.policy")).unwrap();
        symlink("sub/in.txt", folder.join("c-in.policy")).unwrap();
        symlink("b.policy", folder.join("d-same.policy")).unwrap();
        symlink("nowhere", folder.join("e-dangling.policy")).unwrap();
        symlink("sub", folder.join("f-folder.policy")).unwrap();
        std::fs::create_dir(folder.join("g.policy")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(folder.join("h-fifo.policy"))
            .status()
            .unwrap();
        assert!(fifo.success());

        let listing = list(&folder, &["policy"], None).unwrap();
        let names = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(&listing.files), ["b.policy", "c-in.policy"]);
        let skipped: Vec<String> = listing.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(skipped.len(), 5, "{skipped:?}");
        let shown = |name: &str| folder.join(name).display().to_string();
        assert_eq!(
            skipped[0],
            format!(
                "skipped {}: a symbolic link to a file outside {}",
                shown("a-out.policy"),
                folder.display()
            )
        );
        assert_eq!(
            skipped[1],
            format!(
                "skipped {}: the same file as {}",
                shown("d-same.policy"),
                shown("b.policy")
            )
        );
        assert!(
            skipped[2].contains("a symbolic link to nothing"),
            "{skipped:?}"
        );
        assert!(
            skipped[3].contains("a symbolic link to a folder"),
            "{skipped:?}"
        );
        assert!(
            skipped[4].contains("not a regular file (a FIFO)"),
            "{skipped:?}"
        );

        let err = list(&folder, &["policy"], Some(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{} holds more than 1 .policy files", folder.display())
        );
        // A FIFO is refused before it is opened (opening it would block).
        let err = open_regular(&folder.join("h-fifo.policy")).unwrap_err();
        assert!(
            matches!(err, FileError::NotRegular { kind: "a FIFO", .. }),
            "{err}"
        );
        assert!(open_regular(&folder.join("b.policy")).is_ok());
        // Inside or outside, after links and `..`.
        assert!(resolve_inside(&folder, &folder.join("sub/../b.policy"))
            .unwrap()
            .is_some());
        assert!(resolve_inside(&folder, &folder.join("a-out.policy"))
            .unwrap()
            .is_none());
        assert!(resolve_inside(&folder, &folder.join("../out.policy"))
            .unwrap()
            .is_none());
    }
}
