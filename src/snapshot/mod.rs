//! Decision snapshots for policy authors (`csp-policy snapshot`): the decisions of a
//! folder of request files, kept as plain text next to them (or in a folder of their
//! own) and reviewed like code, so that a policy change shows up as a diff of decisions.
//!
//! [`tree`] finds the request files (recursively, sorted) and the snapshot files;
//! [`render`] decides every request of a file and writes its snapshot text; [`compare`]
//! tells which requests' decisions differ from a snapshot and in which parts (the parts
//! `diff` compares, [`crate::diff::Changed`]); [`report`] says it for people. [`survey`]
//! runs over the whole folder, a file at a time (memory bounded by the largest file),
//! and [`write`] and [`remove`] change snapshot files without ever leaving one
//! half-written. Nothing here prints or exits: the command does.

pub mod compare;
pub mod render;
pub mod report;
pub mod tree;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::files::FileError;
use crate::limits::SNAPSHOT_BYTES;
use crate::Policy;

pub use compare::{FileChanges, Record, RecordChange};

/// Why a snapshot run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The requests folder (or the snapshots folder) is not a folder.
    #[error("{}: not a folder", path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// A folder could not be listed.
    #[error("cannot read the folder {}: {source}", path.display())]
    Folder {
        /// The folder or entry.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A folder tree holds more request or snapshot files than the limit.
    #[error("{} holds more than {limit} files to snapshot", path.display())]
    TooManyFiles {
        /// The folder.
        path: PathBuf,
        /// [`crate::limits::SNAPSHOT_FILES`].
        limit: usize,
    },
    /// A request file holds more requests than the limit.
    #[error("{} holds more than {limit} requests: too many to snapshot (compare a stream with `csp-policy diff`)", path.display())]
    TooManyRecords {
        /// The request file.
        path: PathBuf,
        /// [`crate::limits::SNAPSHOT_RECORDS`].
        limit: usize,
    },
    /// An entry of the requests folder that looks like a request file cannot be read
    /// (a link out of the folder or to nothing, a FIFO, a folder too deep): its
    /// decisions would go unchecked.
    #[error(
        "cannot read {skipped} (every request file must be a readable file inside the folder)"
    )]
    Unreadable {
        /// The entry and why.
        skipped: tree::Skipped,
    },
    /// A file could not be read (or is not a regular file, or is too large).
    #[error(transparent)]
    File(#[from] FileError),
    /// Reading a request file failed part way.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The request file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file where a snapshot belongs is not one: it is never compared or overwritten.
    #[error("{} is not a csp-policy snapshot (it does not start with `{}`); move it away, it is never overwritten", path.display(), render::MARK.trim_end())]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// A snapshot could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The snapshot file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A snapshot could not be removed.
    #[error("cannot remove {}: {source}", path.display())]
    Remove {
        /// The snapshot file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Where the requests are and where their snapshots go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The requests folder.
    pub requests: PathBuf,
    /// The snapshots folder (the requests folder itself: each snapshot next to its
    /// request file).
    pub snapshots: PathBuf,
}

impl Layout {
    /// The layout of `requests`, with the snapshots in `snapshots` or else next to the
    /// request files.
    pub fn new(requests: &Path, snapshots: Option<&Path>) -> Layout {
        Layout {
            requests: requests.to_path_buf(),
            snapshots: snapshots.unwrap_or(requests).to_path_buf(),
        }
    }

    /// The snapshot file of the request file `name` (relative, `/`-separated).
    pub fn snapshot_of(&self, name: &str) -> PathBuf {
        tree::join(
            &self.snapshots,
            &format!("{name}.{}", tree::SNAPSHOT_EXTENSION),
        )
    }
}

/// How a request file's decisions stand against its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The snapshot is today's text.
    Same,
    /// There is no snapshot yet.
    New,
    /// The snapshot differs.
    Changed(FileChanges),
}

/// One request file, decided.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// Its name, relative to the requests folder.
    pub name: String,
    /// Its snapshot file.
    pub snapshot: PathBuf,
    /// Against the snapshot.
    pub status: Status,
    /// The snapshot as it stands (`None`: there is none).
    pub old: Option<String>,
    /// The snapshot of today's decisions.
    pub new: String,
    /// How many requests the file holds.
    pub requests: usize,
}

/// A snapshot whose request file is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    /// The request file's name it stood for.
    pub name: String,
    /// The snapshot file.
    pub path: PathBuf,
}

/// What a run over the folder found besides each file.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    /// Request files decided.
    pub files: usize,
    /// Snapshots without their request file.
    pub orphans: Vec<Orphan>,
    /// Entries of the snapshots folder not read, and why (for the user).
    pub skipped: Vec<tree::Skipped>,
}

/// The time used for requests without `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Now {
    /// Given by the user: used for every file and written in every snapshot.
    Given(DateTime<Utc>),
    /// Not given: each file uses the time its snapshot recorded, else this one (the
    /// current time, not written).
    Recorded(DateTime<Utc>),
}

/// Decides every request file under `layout.requests`, in name order, and hands each
/// with its status to `each` (which may write or print it); returns the orphans and
/// what was skipped. A request file that cannot be read (or an entry that looks like
/// one and is not a readable file inside the folder) stops the run before anything is
/// decided or written.
pub fn survey(
    policy: &Policy,
    layout: &Layout,
    now: Now,
    each: &mut dyn FnMut(FileResult) -> Result<(), SnapshotError>,
) -> Result<Survey, SnapshotError> {
    let requests = tree::requests(&layout.requests)?;
    if let Some(skipped) = requests.skipped.first().cloned() {
        return Err(SnapshotError::Unreadable { skipped });
    }
    let snapshots = tree::snapshots(&layout.snapshots)?;
    let mut survey = Survey {
        skipped: snapshots.skipped,
        ..Survey::default()
    };
    for name in &requests.files {
        let snapshot = layout.snapshot_of(name);
        let old = read_snapshot(&snapshot)?;
        let (time, fixed) = match (now, old.as_deref().and_then(render::recorded_now)) {
            (Now::Given(t), _) => (t, true),
            (Now::Recorded(_), Some(t)) => (t, true),
            (Now::Recorded(t), None) => (t, false),
        };
        let path = tree::join(&layout.requests, name);
        let new = render::render(policy, &path, name, time, fixed)?;
        let status = match &old {
            None => Status::New,
            Some(old) if *old == new => Status::Same,
            Some(old) => Status::Changed(compare::compare(old, &new)),
        };
        survey.files += 1;
        let requests = compare::split(&new).1.len();
        each(FileResult {
            name: name.clone(),
            snapshot,
            status,
            old,
            new,
            requests,
        })?;
    }
    let extension = format!(".{}", tree::SNAPSHOT_EXTENSION);
    for file in &snapshots.files {
        let name = file
            .strip_suffix(&extension)
            .or_else(|| file.get(..file.len().saturating_sub(extension.len())))
            .unwrap_or(file);
        let path = tree::join(&layout.snapshots, file);
        let stands_for_a_request = requests.files.iter().any(|r| r == name);
        if stands_for_a_request {
            continue;
        }
        let text = crate::files::read_text(&path, SNAPSHOT_BYTES)?;
        if render::is_ours(&text) {
            survey.orphans.push(Orphan {
                name: name.to_string(),
                path,
            });
        }
    }
    Ok(survey)
}

/// The snapshot at `path`, `None` when there is none; a file there that is not a
/// snapshot is an error (it is never compared or overwritten).
pub fn read_snapshot(path: &Path) -> Result<Option<String>, SnapshotError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let file = crate::files::open_regular(path)?;
    let text = crate::files::read_text_from(file, path, SNAPSHOT_BYTES)?;
    if !render::is_ours(&text) {
        return Err(SnapshotError::Foreign {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(text))
}

/// Writes `text` to the snapshot file `path` (its folders created): a temporary file in
/// the same folder, renamed over the old snapshot, so that a failed write loses nothing.
pub fn write(path: &Path, text: &str) -> Result<(), SnapshotError> {
    use std::io::Write as _;
    let failed = |source| SnapshotError::Write {
        path: path.to_path_buf(),
        source,
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder).map_err(failed)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".csp-policy-snapshot-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(failed)?;
    temporary.write_all(text.as_bytes()).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    temporary
        .persist(path)
        .map_err(|e| failed(e.error))
        .map(|_| ())
}

/// Removes the snapshot file `path`.
pub fn remove(path: &Path) -> Result<(), SnapshotError> {
    std::fs::remove_file(path).map_err(|source| SnapshotError::Remove {
        path: path.to_path_buf(),
        source,
    })
}
