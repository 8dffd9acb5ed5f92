//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The corpus folder `name` of the shared corpora (never copied into the
/// repository); `None` (the test is skipped, or fails under `CI=true`) when absent.
pub fn corpus(name: &str) -> Option<PathBuf> {
    testcorpus::dir(name)
}

/// The file `path` of corpus `name`, for helpers of a test that checked
/// [`corpus`] first.
pub fn corpus_file(name: &str, path: &str) -> PathBuf {
    corpus(name)
        .unwrap_or_else(|| panic!("corpus {name} missing"))
        .join(path)
}

/// A JSON file of corpus `name`; `None` when the corpus is absent.
pub fn json(name: &str, path: &str) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(corpus(name)?.join(path)).unwrap();
    Some(serde_json::from_str(&text).unwrap())
}

pub fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A fresh scratch directory under the system temp dir, unique to this test process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("compose-tests-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
