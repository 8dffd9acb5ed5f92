//! Shared helpers: where the corpus is, and how adapt tests are split.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The folder Caddy's adapt tests run in (`import testdata/…` resolves here),
/// from the shared corpus; `None` (the test is skipped) when it is absent.
pub fn adapt_dir() -> Option<PathBuf> {
    testcorpus::dir("caddy-adapt")
}

/// One adapt test: file name, Caddyfile (trimmed plus newline), expected part (trimmed).
pub struct AdaptCase {
    pub name: String,
    pub caddyfile: String,
    pub expected: String,
}

/// Every file of `caddyfile_adapt/` under `adapt_dir`, split like Caddy's harness does.
pub fn adapt_cases(adapt_dir: &Path) -> Vec<AdaptCase> {
    let dir = adapt_dir.join("caddyfile_adapt");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            let (caddyfile, expected) = text.split_once("----------").unwrap_or((&text, ""));
            AdaptCase {
                name,
                caddyfile: format!("{}\n", caddyfile.trim()),
                expected: expected.trim().to_string(),
            }
        })
        .collect()
}
