//! The folder walk the file-finding sources share (until one inventory of the
//! project replaces them): sorted, bounded in depth, hidden and dependency
//! folders skipped, files and links to files offered to `accept`.

use std::path::{Path, PathBuf};

/// How deep below the project folder sources look for files.
pub const MAX_DEPTH: usize = 4;

/// Folders never searched (besides hidden ones): dependencies and build output.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "vendor",
    "venv",
    "__pycache__",
    "dist",
    "build",
];

/// Files below `dir` (which sits `depth` levels below the project) that
/// `accept` takes, in name order; a link is listed when it leads to a file.
pub fn files(dir: &Path, depth: usize, accept: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, depth, accept, &mut out);
    out
}

fn walk(dir: &Path, depth: usize, accept: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().to_string();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(&path, depth + 1, accept, out);
            }
        } else if (kind.is_file() || (kind.is_symlink() && path.is_file())) && accept(&path) {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_in_order_within_the_depth_and_outside_skipped_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "b/Caddyfile",
            "a/Caddyfile",
            "node_modules/x/Caddyfile",
            ".git/Caddyfile",
            "1/2/3/4/Caddyfile",
            "1/2/3/4/5/Caddyfile",
            "a/notes.txt",
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, "").unwrap();
        }
        let is_caddyfile = |p: &Path| p.file_name().is_some_and(|n| n == "Caddyfile");
        let found: Vec<String> = files(root, 0, &is_caddyfile)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["1/2/3/4/Caddyfile", "a/Caddyfile", "b/Caddyfile"]);
    }
}
