//! Finding the files of a snapshot run: the request files of the requests folder and
//! the snapshot files of the snapshots folder, recursively (at most
//! [`SNAPSHOT_DEPTH`] folders deep and [`SNAPSHOT_FILES`] files), each named by its path
//! relative to its folder with `/` between components, sorted, so that a run is the same
//! on every machine. Hidden entries (a name starting with `.`, such as `.git`) are not
//! read; a symbolic link is taken only when it resolves to a regular file inside the
//! folder; anything else with a wanted name is skipped and said.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::SnapshotError;
use crate::limits::{SNAPSHOT_DEPTH, SNAPSHOT_FILES};
use crate::stream::Framing;

/// The extension of snapshot files (after the request file's own name).
pub const SNAPSHOT_EXTENSION: &str = "snap";

/// The files found under one folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    /// The files taken, relative to the folder, `/`-separated, sorted.
    pub files: Vec<String>,
    /// Entries with a wanted name that were not taken (or folders not entered).
    pub skipped: Vec<Skipped>,
}

/// An entry not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The entry.
    pub path: PathBuf,
    /// Why, in words.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl Found {
    fn skip(&mut self, path: &Path, reason: String) {
        self.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason,
        });
    }
}

/// A request file: one whose extension names a framing (`.yaml`, `.yml`, `.json`,
/// `.jsonl`, `.ndjson`, any case).
pub fn is_request(path: &Path) -> bool {
    Framing::from_extension(path).is_some()
}

/// A snapshot file: `NAME.snap`.
pub fn is_snapshot(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(SNAPSHOT_EXTENSION))
}

/// The request files under `root`, which must be a readable folder.
pub fn requests(root: &Path) -> Result<Found, SnapshotError> {
    if !root.is_dir() {
        return Err(SnapshotError::NotAFolder {
            path: root.to_path_buf(),
        });
    }
    walk(root, is_request)
}

/// The snapshot files under `root`; none when the folder does not exist yet.
pub fn snapshots(root: &Path) -> Result<Found, SnapshotError> {
    if !root.exists() {
        return Ok(Found::default());
    }
    if !root.is_dir() {
        return Err(SnapshotError::NotAFolder {
            path: root.to_path_buf(),
        });
    }
    walk(root, is_snapshot)
}

/// The files under `root` whose path `wanted` accepts.
fn walk(root: &Path, wanted: fn(&Path) -> bool) -> Result<Found, SnapshotError> {
    let mut found = Found::default();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .max_depth(SNAPSHOT_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|e| SnapshotError::Folder {
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e.into(),
        })?;
        let path = entry.path();
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if entry.depth() == SNAPSHOT_DEPTH {
                found.skip(path, format!("deeper than {SNAPSHOT_DEPTH} folders"));
            }
            continue;
        }
        if !wanted(path) {
            continue;
        }
        let Some(name) = relative_name(root, path) else {
            found.skip(path, "its name is not UTF-8".into());
            continue;
        };
        if file_type.is_file() {
            found.files.push(name);
        } else if file_type.is_symlink() {
            match crate::files::resolve_inside(root, path) {
                Ok(Some(target)) if target.is_file() => found.files.push(name),
                Ok(Some(_)) => found.skip(
                    path,
                    "a symbolic link to something other than a file".into(),
                ),
                Ok(None) => found.skip(
                    path,
                    format!("a symbolic link to a file outside {}", root.display()),
                ),
                Err(_) => found.skip(path, "a symbolic link to nothing".into()),
            }
        } else {
            found.skip(path, "not a regular file".into());
        }
        if found.files.len() > SNAPSHOT_FILES {
            return Err(SnapshotError::TooManyFiles {
                path: root.to_path_buf(),
                limit: SNAPSHOT_FILES,
            });
        }
    }
    found.files.sort();
    Ok(found)
}

/// `path` relative to `root`, its components joined by `/`; `None` when a component is
/// not UTF-8.
fn relative_name(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in relative.components() {
        parts.push(component.as_os_str().to_str()?);
    }
    Some(parts.join("/"))
}

/// Where the file named `name` (relative, `/`-separated) is under `root`.
pub fn join(root: &Path, name: &str) -> PathBuf {
    let mut path = root.to_path_buf();
    for part in name.split('/') {
        path.push(part);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_found_recursively_sorted_and_hidden_ones_left() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for name in [
            "z.yaml",
            "a.JSON",
            "b/c/d.jsonl",
            "b/x.yml",
            "notes.md",
            "a.json.snap",
            ".git/e.yaml",
        ] {
            std::fs::write(join(root, name), "").unwrap();
        }
        let found = requests(root).unwrap();
        assert_eq!(found.files, ["a.JSON", "b/c/d.jsonl", "b/x.yml", "z.yaml"]);
        assert_eq!(snapshots(root).unwrap().files, ["a.json.snap"]);
        assert!(snapshots(&root.join("none")).unwrap().files.is_empty());
        assert!(matches!(
            requests(&root.join("none")),
            Err(SnapshotError::NotAFolder { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_skipped_and_said() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("r");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(dir.path().join("out.yaml"), "").unwrap();
        std::fs::write(root.join("in.yaml"), "").unwrap();
        symlink("../out.yaml", root.join("a-out.yaml")).unwrap();
        symlink("in.yaml", root.join("b-in.yaml")).unwrap();
        symlink(dir.path(), root.join("loop.yaml")).unwrap();
        let found = requests(&root).unwrap();
        assert_eq!(found.files, ["b-in.yaml", "in.yaml"]);
        assert_eq!(found.skipped.len(), 2, "{:?}", found.skipped);
        assert!(
            found.skipped[0].reason.contains("outside"),
            "{:?}",
            found.skipped
        );
    }

    #[test]
    fn a_tree_past_the_limits_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut deep = dir.path().to_path_buf();
        for _ in 0..SNAPSHOT_DEPTH + 1 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("x.yaml"), "").unwrap();
        let found = requests(dir.path()).unwrap();
        assert!(found.files.is_empty());
        assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
        let many = tempfile::tempdir().unwrap();
        for n in 0..=SNAPSHOT_FILES {
            std::fs::write(many.path().join(format!("{n}.json")), "").unwrap();
        }
        assert!(matches!(
            requests(many.path()),
            Err(SnapshotError::TooManyFiles { .. })
        ));
    }
}
