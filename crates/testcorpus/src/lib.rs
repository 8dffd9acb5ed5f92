//! Test-only helper: where the public test corpora are (Caddy's adapt tests,
//! compose-go's fixtures, ecspresso's tests, awesome-compose; see the README's
//! "Test data"), and what a test does when one is absent.
//!
//! The corpora are not in the repository. They are read from
//! `$STACKDOCTOR_CORPUS` when set, else from `shared/corpus` next to the
//! repository (`../shared/corpus` from its root). A test that needs one asks
//! [`dir`]: when the folder is missing it prints why and the test returns
//! early (a fresh clone runs everything else), except under `CI=true`,
//! where a missing corpus fails the test instead of passing silently.
//!
//! ```no_run
//! let Some(dir) = testcorpus::dir("caddy-adapt") else { return };
//! assert!(dir.join("Caddyfile").is_file());
//! ```

use std::path::{Path, PathBuf};

/// The environment variable that overrides where the corpora are.
pub const ENV: &str = "STACKDOCTOR_CORPUS";

/// The folder holding every corpus: `$STACKDOCTOR_CORPUS`, else
/// `../shared/corpus` from the repository's root.
pub fn root() -> PathBuf {
    match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    }
}

/// Whether a missing corpus must fail the test (`CI=true`).
fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The corpus folder `name` (canonical), or `None` after printing a skip
/// message when it is absent. Under `CI=true` an absent corpus panics.
pub fn dir(name: &str) -> Option<PathBuf> {
    let path = root().join(name);
    if path.is_dir() {
        return Some(path.canonicalize().unwrap_or(path));
    }
    let message = format!(
        "test corpus `{name}` not found at {} (set {ENV} to the folder holding the corpora; see the README's \"Test data\")",
        path.display()
    );
    if required() {
        panic!("{message}; CI=true, so a missing corpus is a failure");
    }
    eprintln!("skipped: {message}");
    None
}

/// Every file below `dir` whose path `keep` accepts, sorted.
pub fn files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test changes the process environment, so everything is checked in it.
    #[test]
    fn absent_corpus_skips_or_fails_under_ci() {
        let here = std::env::temp_dir().join(format!("testcorpus-{}", std::process::id()));
        std::fs::create_dir_all(here.join("present")).unwrap();
        std::env::set_var(ENV, &here);
        std::env::remove_var("CI");
        assert_eq!(
            dir("present"),
            Some(here.join("present").canonicalize().unwrap())
        );
        assert_eq!(dir("absent"), None);
        std::env::set_var("CI", "true");
        let failed = std::panic::catch_unwind(|| dir("absent"));
        let message = *failed.unwrap_err().downcast::<String>().unwrap();
        assert!(message.contains("`absent` not found"), "{message}");
        assert!(message.contains("CI=true"), "{message}");
        assert!(dir("present").is_some());
        std::env::remove_var("CI");
        std::env::remove_var(ENV);
        assert!(root().ends_with("shared/corpus"));
        std::fs::remove_dir_all(&here).unwrap();
    }
}
