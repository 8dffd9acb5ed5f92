//! Seeds: files of the repository (examples, test fixtures) and of the
//! public corpora next to it, read in place and never copied.

use std::path::{Path, PathBuf};

/// Larger files are skipped as seeds (the mutants would be slow to write).
pub const MAX_SEED_BYTES: usize = 128 << 10;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where seeds are looked for: the repository's examples and crate tests,
/// then `../shared/corpus` (or `$STACKDOCTOR_CORPUS`) when present.
pub fn roots() -> Vec<PathBuf> {
    let root = repo_root();
    let mut roots = vec![root.join("examples")];
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        let mut tests: Vec<PathBuf> = crates
            .flatten()
            .map(|e| e.path().join("tests"))
            .filter(|p| p.is_dir())
            .collect();
        tests.sort();
        roots.extend(tests);
    }
    let corpus = std::env::var_os("STACKDOCTOR_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    if corpus.is_dir() {
        roots.push(corpus);
    }
    roots
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 12 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if kind.is_dir() {
            if !matches!(
                name.as_ref(),
                ".git" | "target" | "node_modules" | "crashes"
            ) {
                walk(&path, out, depth + 1);
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// Every file under the roots, sorted, once per process.
pub fn all_files() -> &'static [PathBuf] {
    static FILES: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let mut files = Vec::new();
        for root in roots() {
            walk(&root, &mut files, 0);
        }
        files.sort();
        files.dedup();
        files
    })
}

/// The files `wanted` accepts, at most `limit` of them (spread evenly over
/// the sorted list), read.
pub fn collect(wanted: fn(&Path) -> bool, limit: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let chosen: Vec<&PathBuf> = all_files().iter().filter(|p| wanted(p)).collect();
    let step = chosen.len().div_ceil(limit.max(1)).max(1);
    chosen
        .into_iter()
        .step_by(step)
        .filter_map(|p| {
            let bytes = std::fs::read(p).ok()?;
            (bytes.len() <= MAX_SEED_BYTES).then(|| (p.clone(), bytes))
        })
        .collect()
}

/// The file name of `path`, or "".
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
