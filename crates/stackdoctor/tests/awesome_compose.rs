//! Runs stackdoctor over every project of the awesome-compose corpus
//! (../shared/corpus/awesome-compose, CC0): no panic, a report every time,
//! and every error-level finding is one listed here with why it is right.
//!
//! awesome-compose has no Caddyfile, so routes come only from what compose
//! says; the list below records what the corpus projects really contain.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The corpus; `None` (the test is skipped, or fails under `CI=true`) when absent.
fn corpus() -> Option<PathBuf> {
    testcorpus::dir("awesome-compose")
}

/// (project, cause, why this finding is right).
const EXPECTED_ERRORS: &[(&str, &str, &str)] = &[];

#[test]
fn every_awesome_compose_project_is_diagnosed_without_panic() {
    let Some(root) = corpus() else {
        return;
    };
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    assert!(projects.len() >= 39, "{} projects", projects.len());
    let mut errors_seen = Vec::new();
    let mut failures = Vec::new();
    for project in &projects {
        let name = project.file_name().unwrap().to_string_lossy().to_string();
        let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
            .args(["diagnose", ".", "--format", "json"])
            .current_dir(project)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("panicked") || !matches!(output.status.code(), Some(0..=2)) {
            failures.push(format!("{name}: exit {:?}: {stderr}", output.status.code()));
            continue;
        }
        let Ok(report) = serde_json::from_slice::<Value>(&output.stdout) else {
            failures.push(format!(
                "{name}: exit {:?}, no report: {stderr}",
                output.status.code()
            ));
            continue;
        };
        let services = report["inputs"]["services"].as_u64().unwrap_or(0);
        if services == 0 {
            failures.push(format!("{name}: no service understood"));
        }
        for finding in report["findings"].as_array().unwrap() {
            if finding["severity"] == "error" {
                errors_seen.push((name.clone(), finding["cause"].as_str().unwrap().to_string()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let expected: Vec<(String, String)> = EXPECTED_ERRORS
        .iter()
        .map(|(p, c, _)| (p.to_string(), c.to_string()))
        .collect();
    assert_eq!(
        errors_seen, expected,
        "error findings changed; list each with the reason it is right"
    );
}
