//! The one walk of the project. Every folder is read once; every file found
//! is classified once against the [`REGISTRY`], by name, path and, where the
//! name says nothing, a cheap look at its first bytes; each source then takes
//! the files it claimed. One skip list, one depth limit, one file cap, and
//! links handled once: a link to a folder is followed when it stays inside
//! the project (each real folder once, so loops end), a link to a file is
//! listed and marked when it leads outside.
//!
//! A new source is one module with a `claims` function plus one line in
//! [`REGISTRY`].

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How many folders below the project the walk goes.
pub const MAX_DEPTH: usize = 8;

/// Files listed at most; the rest of a larger tree is not walked (and the
/// report says so).
pub const MAX_FILES: usize = 100_000;

/// Bytes of file contents kept for the run, so that sources claiming the
/// same file (a JSON file is an IAM policy, an ECS definition and config to
/// scan for model IDs) read it once; past it, files are read each time.
pub const CONTENT_CACHE: u64 = 64 << 20;

/// Folders never walked (besides hidden ones and virtualenvs): dependencies
/// and build output.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "venv",
    "__pycache__",
    "dist",
    "build",
    "site-packages",
];

/// Folder reads done through [`read_dir`] in this process, for tests.
static FOLDER_READS: AtomicUsize = AtomicUsize::new(0);

/// How many folders this process has listed so far (tests compare it
/// before and after a run).
pub fn folder_reads() -> usize {
    FOLDER_READS.load(Ordering::Relaxed)
}

/// Lists a folder, counted. Every folder listing of the sources goes through
/// here: the walk, and the few folders outside the project a mount names.
pub fn read_dir(dir: &Path) -> std::io::Result<std::fs::ReadDir> {
    FOLDER_READS.fetch_add(1, Ordering::Relaxed);
    std::fs::read_dir(dir)
}

/// What a file is to the sources that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Compose,
    Caddyfile,
    Nginx,
    Script,
    Ecspresso,
    /// Code and config files the Bedrock scan reads.
    Code,
    /// JSON files that may hold IAM policies.
    Json,
    /// API error contracts: markdown catalogues, OpenAPI documents.
    Contract,
    /// TypeScript/JavaScript code read for API client checks.
    ClientCode,
    /// Terraform `.tf` files.
    Terraform,
    /// JSON files that may be ECS task or service definitions.
    EcsDefinition,
    /// YAML, JSON and `.template` files that may be CloudFormation templates.
    CloudFormation,
    /// AWS Copilot manifests (`copilot/<name>/manifest.yml`).
    Copilot,
    /// TypeScript, JavaScript and Python files that may be CDK apps.
    Cdk,
}

/// A source's claim: which files it reads.
pub struct Claim {
    pub kind: Kind,
    pub claims: fn(&File) -> bool,
}

/// Which files each source reads: one line per source.
pub const REGISTRY: &[Claim] = &[
    Claim {
        kind: Kind::Compose,
        claims: super::compose::claims,
    },
    Claim {
        kind: Kind::Caddyfile,
        claims: super::caddy::claims,
    },
    Claim {
        kind: Kind::Nginx,
        claims: super::nginx::claims,
    },
    Claim {
        kind: Kind::Script,
        claims: super::docker_run::claims,
    },
    Claim {
        kind: Kind::Ecspresso,
        claims: super::ecspresso::claims,
    },
    Claim {
        kind: Kind::Code,
        claims: super::bedrock_use::claims,
    },
    Claim {
        kind: Kind::Json,
        claims: super::aws::claims,
    },
    Claim {
        kind: Kind::Contract,
        claims: super::contracts::claims,
    },
    Claim {
        kind: Kind::ClientCode,
        claims: super::api_clients::claims,
    },
    Claim {
        kind: Kind::Terraform,
        claims: super::terraform::claims,
    },
    Claim {
        kind: Kind::EcsDefinition,
        claims: super::ecs_definitions::claims,
    },
    Claim {
        kind: Kind::CloudFormation,
        claims: super::cloudformation::claims,
    },
    Claim {
        kind: Kind::Copilot,
        claims: super::copilot::claims,
    },
    Claim {
        kind: Kind::Cdk,
        claims: super::cdk::claims,
    },
];

/// One file of the project.
#[derive(Debug, Clone)]
pub struct File {
    /// The path under the project folder (`root.join(relative)`).
    pub path: PathBuf,
    pub name: String,
    /// Folders between the project and the file (0: in the project folder).
    pub depth: usize,
    /// Its size in bytes (of the target, for a link).
    pub size: u64,
    /// A link that leads out of the project: listed, never read.
    pub outside: bool,
    kinds: Vec<Kind>,
}

impl File {
    /// Whether a source claimed the file as `kind`.
    pub fn is(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The folder the file is in.
    pub fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

/// A folder the walk read.
#[derive(Debug, Clone)]
pub struct Folder {
    pub path: PathBuf,
    pub depth: usize,
}

/// Every folder and file of the project, in walk order (names sorted, each
/// folder's files and subfolders interleaved by name).
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub root: PathBuf,
    pub files: Vec<File>,
    pub folders: Vec<Folder>,
    /// Why the walk stopped early, if it did.
    pub cut: Option<String>,
    /// The files of each folder, as indexes into `files`.
    by_folder: HashMap<PathBuf, Vec<usize>>,
    /// Contents read so far ([`Inventory::read`]), and their total size.
    contents: RefCell<HashMap<PathBuf, Arc<[u8]>>>,
    cached: Cell<u64>,
}

impl Inventory {
    /// Walks `root` once and classifies every file.
    pub fn scan(root: &Path) -> Inventory {
        let mut walk = Walk {
            real_root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            visited: HashSet::new(),
            inventory: Inventory {
                root: root.to_path_buf(),
                ..Inventory::default()
            },
        };
        walk.folder(root, 0);
        let mut inventory = walk.inventory;
        for (index, file) in inventory.files.iter().enumerate() {
            inventory
                .by_folder
                .entry(file.folder().to_path_buf())
                .or_default()
                .push(index);
        }
        inventory
    }

    /// The bytes of `path`, read once per run whichever sources ask (within
    /// [`CONTENT_CACHE`]); `None` when it cannot be read.
    pub fn read(&self, path: &Path) -> Option<Arc<[u8]>> {
        if let Some(bytes) = self.contents.borrow().get(path) {
            return Some(bytes.clone());
        }
        let bytes: Arc<[u8]> = std::fs::read(path).ok()?.into();
        let total = self.cached.get() + bytes.len() as u64;
        if total <= CONTENT_CACHE {
            self.cached.set(total);
            self.contents
                .borrow_mut()
                .insert(path.to_path_buf(), bytes.clone());
        }
        Some(bytes)
    }

    /// The text of `path` (see [`Inventory::read`]); `None` when it cannot be
    /// read or is not UTF-8.
    pub fn text(&self, path: &Path) -> Option<String> {
        String::from_utf8(self.read(path)?.to_vec()).ok()
    }

    /// The files a source claimed as `kind`, in walk order.
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &File> {
        self.files.iter().filter(move |f| f.is(kind))
    }

    /// The files directly in `dir`, in name order.
    pub fn files_in<'a>(&'a self, dir: &Path) -> impl Iterator<Item = &'a File> + 'a {
        self.by_folder
            .get(dir)
            .into_iter()
            .flatten()
            .map(|&index| &self.files[index])
    }

    /// The files below `dir`, at most `depth` folders down: from the walk
    /// when `dir` is one of its folders, else by listing `dir` itself (a
    /// mount source outside the project: its names are listed, and the
    /// readers decide whether its files may be read).
    pub fn files_below(&self, dir: &Path, depth: usize) -> Vec<PathBuf> {
        if let Some(folder) = self.folders.iter().find(|f| f.path == dir) {
            let base = folder.depth;
            return self
                .files
                .iter()
                .filter(|f| f.path.starts_with(dir) && f.depth <= base + depth)
                .map(|f| f.path.clone())
                .collect();
        }
        let mut out = Vec::new();
        list_outside(dir, depth, &mut out);
        out
    }
}

/// Lists a folder the walk did not read (sorted, links to folders not followed).
fn list_outside(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if kind.is_dir() {
            if depth > 0 && !skipped(&name.to_string_lossy()) {
                list_outside(&path, depth - 1, out);
            }
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
}

fn skipped(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

struct Walk {
    real_root: PathBuf,
    visited: HashSet<PathBuf>,
    inventory: Inventory,
}

impl Walk {
    fn folder(&mut self, dir: &Path, depth: usize) {
        if depth > MAX_DEPTH || self.inventory.cut.is_some() {
            return;
        }
        let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if !self.visited.insert(real) {
            return;
        }
        let Ok(entries) = read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        // A virtualenv is dependencies, whatever its folder is called.
        if depth > 0 && entries.iter().any(|e| e.file_name() == "pyvenv.cfg") {
            return;
        }
        entries.sort_by_key(|e| e.file_name());
        self.inventory.folders.push(Folder {
            path: dir.to_path_buf(),
            depth,
        });
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let (is_dir, is_file, outside, size) = if kind.is_symlink() {
                // A link counts as what it leads to, and only inside the project.
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                let inside = path
                    .canonicalize()
                    .is_ok_and(|real| real.starts_with(&self.real_root));
                (meta.is_dir() && inside, meta.is_file(), !inside, meta.len())
            } else {
                let size = entry.metadata().map_or(0, |m| m.len());
                (kind.is_dir(), kind.is_file(), false, size)
            };
            if is_dir {
                if !skipped(&name) {
                    self.folder(&path, depth + 1);
                }
            } else if is_file {
                if self.inventory.files.len() >= MAX_FILES {
                    self.inventory.cut = Some(format!(
                        "more than {MAX_FILES} files in the project: the walk stopped at {}",
                        path.display()
                    ));
                    return;
                }
                let mut file = File {
                    path,
                    name,
                    depth,
                    size,
                    outside,
                    kinds: Vec::new(),
                };
                file.kinds = REGISTRY
                    .iter()
                    .filter(|claim| (claim.claims)(&file))
                    .map(|claim| claim.kind)
                    .collect();
                self.inventory.files.push(file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for path in paths {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, "").unwrap();
        }
        dir
    }

    fn relative(inventory: &Inventory, kind: Kind) -> Vec<String> {
        inventory
            .of(kind)
            .map(|f| {
                f.path
                    .strip_prefix(&inventory.root)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn files_are_classified_in_walk_order_within_the_depth_and_outside_skipped_folders() {
        let deep = format!("{}/Caddyfile", ["d"; MAX_DEPTH].join("/"));
        let too_deep = format!("{}/Caddyfile", ["d"; MAX_DEPTH + 1].join("/"));
        let dir = tree(&[
            "b/Caddyfile",
            "a/Caddyfile",
            "node_modules/x/Caddyfile",
            ".git/Caddyfile",
            "env/pyvenv.cfg",
            "env/lib/Caddyfile",
            &deep,
            &too_deep,
            "a/notes.txt",
            "a/compose.yaml",
        ]);
        let inventory = Inventory::scan(dir.path());
        assert_eq!(
            relative(&inventory, Kind::Caddyfile),
            ["a/Caddyfile", "b/Caddyfile", deep.as_str()]
        );
        assert_eq!(relative(&inventory, Kind::Compose), ["a/compose.yaml"]);
        assert!(inventory.files.iter().any(|f| f.name == "notes.txt"));
        assert!(inventory.cut.is_none());
    }

    #[test]
    fn each_folder_is_read_once_and_link_loops_end() {
        let dir = tree(&["a/b/Caddyfile", "c/Caddyfile"]);
        std::os::unix::fs::symlink(dir.path(), dir.path().join("a/b/loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("c"), dir.path().join("c2")).unwrap();
        let inventory = Inventory::scan(dir.path());
        // root, a, a/b, c: the links lead to folders already read.
        // (tests/one_walk.rs counts the reads, alone in its process.)
        assert_eq!(inventory.folders.len(), 4);
        assert_eq!(
            relative(&inventory, Kind::Caddyfile),
            ["a/b/Caddyfile", "c/Caddyfile"]
        );
    }

    #[test]
    fn links_out_of_the_project_are_listed_as_outside_and_not_walked() {
        let outside = tree(&["Caddyfile", "sub/Caddyfile"]);
        let dir = tree(&["Caddyfile"]);
        std::os::unix::fs::symlink(outside.path().join("sub"), dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("Caddyfile"),
            dir.path().join("other.caddyfile"),
        )
        .unwrap();
        let inventory = Inventory::scan(dir.path());
        let files: Vec<(&str, bool)> = inventory
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.outside))
            .collect();
        assert_eq!(files, [("Caddyfile", false), ("other.caddyfile", true)]);
    }

    #[test]
    fn a_file_several_sources_claim_is_read_once_within_the_cache() {
        let dir = tree(&["policy.json"]);
        let policy = dir.path().join("policy.json");
        std::fs::write(&policy, "{\"Statement\": []}").unwrap();
        let inventory = Inventory::scan(dir.path());
        assert_eq!(
            inventory.text(&policy).as_deref(),
            Some("{\"Statement\": []}")
        );
        // A second source gets what the first read, not the disk again.
        std::fs::write(&policy, "changed").unwrap();
        assert_eq!(
            inventory.text(&policy).as_deref(),
            Some("{\"Statement\": []}")
        );
        // Past the cache, a file is read each time (and never held).
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; CONTENT_CACHE as usize]).unwrap();
        assert_eq!(inventory.read(&big).unwrap().len() as u64, CONTENT_CACHE);
        std::fs::write(&big, "{}").unwrap();
        assert_eq!(inventory.text(&big).as_deref(), Some("{}"));
        assert!(inventory.text(&dir.path().join("missing.json")).is_none());
    }

    #[test]
    fn the_walk_stops_at_the_file_cap_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..3 {
            std::fs::write(dir.path().join(format!("f{i}")), "").unwrap();
        }
        let mut walk = Walk {
            real_root: dir.path().canonicalize().unwrap(),
            visited: HashSet::new(),
            inventory: Inventory {
                root: dir.path().to_path_buf(),
                ..Inventory::default()
            },
        };
        walk.inventory.files = vec![
            File {
                path: PathBuf::new(),
                name: String::new(),
                depth: 0,
                size: 0,
                outside: false,
                kinds: Vec::new(),
            };
            MAX_FILES - 1
        ];
        walk.folder(dir.path(), 0);
        assert_eq!(walk.inventory.files.len(), MAX_FILES);
        assert!(walk.inventory.cut.as_deref().unwrap().contains("f1"));
    }
}
