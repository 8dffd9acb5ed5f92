//! Snapshots of whole reports: every bundled example (examples/cases.toml)
//! in text and JSON, so a change in wording, ordering or grouping shows up
//! in review as a changed file under `tests/snapshots/`. Paths of this
//! checkout are written as `<examples>`, and "today" is fixed, so a
//! snapshot depends only on the code and the example.
//!
//! After an intended change: `INSTA_UPDATE=always cargo test -p stackdoctor
//! --test snapshots`, then review the diff. Under `CI=true` a difference fails.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    args: Vec<String>,
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .canonicalize()
        .unwrap()
}

fn report(case: &Case, format: &str) -> String {
    let dir = examples_dir().join(&case.name);
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(&dir)
        .args(["diagnose", ".", "--offline", "--format", format])
        .args(&case.args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1")
        .env("STACKDOCTOR_TODAY", "2026-12-01")
        .output()
        .unwrap();
    let text = format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.replace(&examples_dir().display().to_string(), "<examples>")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(examples_dir().join("cases.toml")).unwrap();
    toml::from_str::<Cases>(&text).unwrap().case
}

#[test]
fn every_example_report_matches_its_snapshot() {
    let cases = cases();
    assert!(cases.len() > 50, "only {} examples found", cases.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for case in &cases {
            for format in ["text", "json"] {
                insta::assert_snapshot!(format!("{}.{format}", case.name), report(case, format));
            }
        }
    });
}
