//! Where a parser reads its files from: the disk ([`Disk`]) or a map of
//! files held in memory ([`MemoryFiles`]: for callers that have the files
//! already, and for fuzzing without disk I/O).
//!
//! Reads are bounded: `/dev/zero` or a pipe has no size in its metadata and
//! never ends, so [`FileSystem::read`] stops past the caller's limit.
//!
//! ```
//! use sourcefs::{FileSystem, MemoryFiles};
//! use std::path::Path;
//!
//! let mut files = MemoryFiles::new();
//! files.insert("/etc/nginx/conf.d/app.conf", "server {}\n");
//! assert!(files.is_dir(Path::new("/etc/nginx")));
//! assert_eq!(files.list_dir(Path::new("/etc/nginx/conf.d")).unwrap(), ["app.conf"]);
//! assert_eq!(files.read(Path::new("/etc/nginx/./conf.d/app.conf"), 100).unwrap(), b"server {}\n");
//! assert!(files.read(Path::new("/etc/nginx/conf.d/app.conf"), 4).is_err());
//! ```

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// The file operations the parsers need.
pub trait FileSystem {
    /// The bytes of a file; an `InvalidData` error when it holds more than `limit`.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// Whether something (file or folder) is at `path`.
    fn exists(&self, path: &Path) -> bool;
    /// Whether a file is at `path`.
    fn is_file(&self, path: &Path) -> bool;
    /// Whether a folder is at `path`.
    fn is_dir(&self, path: &Path) -> bool;
    /// The names in a folder, in no particular order.
    fn list_dir(&self, path: &Path) -> io::Result<Vec<String>>;
    /// The path with links and `.`/`..` resolved; an error when nothing is there.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("more than the {limit} bytes accepted"),
    )
}

/// The machine's file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl FileSystem for Disk {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(too_large(limit));
        }
        Ok(bytes)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        Ok(std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        path.canonicalize()
    }
}

/// Files held in memory under their paths. Paths are compared after `.`
/// and `..` are resolved; a folder exists when a file is under it. There
/// are no links. A relative path is looked up as given (there is no
/// current directory), except that `.` is the empty path's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryFiles {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFiles {
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// Adds or replaces the file at `path`.
    pub fn insert(&mut self, path: impl AsRef<Path>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(normalize(path.as_ref()), bytes.into());
    }

    /// Removes the file at `path`.
    pub fn remove(&mut self, path: impl AsRef<Path>) {
        self.files.remove(&normalize(path.as_ref()));
    }

    /// The files under `folder` (at any depth), from the first after it.
    fn under<'a>(&'a self, folder: &'a Path) -> impl Iterator<Item = &'a PathBuf> + 'a {
        self.files
            .range(folder.to_path_buf()..)
            .map(|(p, _)| p)
            .skip_while(move |p| p.as_path() == folder)
            .take_while(move |p| p.starts_with(folder))
    }
}

impl FileSystem for MemoryFiles {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let path = normalize(path);
        match self.files.get(&path) {
            Some(bytes) if bytes.len() as u64 > limit => Err(too_large(limit)),
            Some(bytes) => Ok(bytes.clone()),
            None if self.is_dir(&path) => Err(io::Error::from(io::ErrorKind::IsADirectory)),
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        let path = normalize(path);
        self.files.contains_key(&path) || self.is_dir(&path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn is_dir(&self, path: &Path) -> bool {
        let path = normalize(path);
        let found = self.under(&path).next().is_some();
        found
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let path = normalize(path);
        let mut names: Vec<String> = self
            .under(&path)
            .filter_map(|p| p.strip_prefix(&path).ok()?.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        names.dedup();
        if names.is_empty() {
            let kind = if self.files.contains_key(&path) {
                io::ErrorKind::NotADirectory
            } else {
                io::ErrorKind::NotFound
            };
            return Err(io::Error::from(kind));
        }
        Ok(names)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        if self.exists(path) {
            Ok(normalize(path))
        } else {
            Err(io::Error::from(io::ErrorKind::NotFound))
        }
    }
}

/// `path` with `.` dropped and `..` taking off the component before it.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_resolve_dots_and_know_their_folders() {
        let mut files = MemoryFiles::new();
        files.insert("/p/app/ecspresso.yml", "region: x\n");
        files.insert("/p/app/defs/task.json", "{}");
        files.insert("/p/app-x/other", "");
        assert!(files.is_file(Path::new("/p/app/./ecspresso.yml")));
        assert!(files.is_file(Path::new("/p/lib/../app/ecspresso.yml")));
        assert!(files.is_dir(Path::new("/p/app")));
        assert!(!files.is_file(Path::new("/p/app")));
        assert!(!files.exists(Path::new("/p/ap")));
        let mut names = files.list_dir(Path::new("/p/app")).unwrap();
        names.sort();
        assert_eq!(names, ["defs", "ecspresso.yml"]);
        assert_eq!(
            files
                .list_dir(Path::new("/p/app/ecspresso.yml"))
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotADirectory
        );
        assert_eq!(
            files.read(Path::new("/p/app"), 100).unwrap_err().kind(),
            io::ErrorKind::IsADirectory
        );
        assert_eq!(
            files.read(Path::new("/p/none"), 100).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(
            files
                .read(Path::new("/p/app/ecspresso.yml"), 3)
                .unwrap_err()
                .kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(
            files
                .canonicalize(Path::new("/p/x/../app/ecspresso.yml"))
                .unwrap(),
            Path::new("/p/app/ecspresso.yml")
        );
        files.remove("/p/app/ecspresso.yml");
        files.remove("/p/app/defs/task.json");
        assert!(!files.exists(Path::new("/p/app")));
    }

    #[test]
    fn the_disk_stops_reading_an_endless_file() {
        let error = Disk.read(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(Disk.is_dir(Path::new("/")));
        assert!(Disk
            .list_dir(Path::new("/"))
            .unwrap()
            .iter()
            .any(|n| n == "dev"));
    }
}
