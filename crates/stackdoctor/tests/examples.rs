//! Runs the `stackdoctor` binary on every bundled example (examples/cases.toml)
//! and asserts the first finding's cause, its evidence position and the exit
//! code; healthy examples must report no error. Also: secrets never reach any
//! output, and every text exists in Japanese.

use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[derive(Debug, Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    args: Vec<String>,
    cause: Option<String>,
    evidence: Option<String>,
    exit: i32,
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(examples_dir().join("cases.toml")).unwrap();
    toml::from_str::<Cases>(&text).unwrap().case
}

fn stackdoctor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn diagnose(case: &Case, extra: &[&str]) -> Output {
    // Offline: a test machine that happens to be an EC2 instance must not probe its IMDS.
    let mut args = vec!["diagnose", ".", "--offline"];
    args.extend(case.args.iter().map(String::as_str));
    args.extend(extra);
    stackdoctor(&examples_dir().join(&case.name), &args)
}

fn evidence_position(evidence: &Value) -> String {
    format!(
        "{}:{}:{}",
        evidence["file"].as_str().unwrap_or("?"),
        evidence["line"],
        evidence["column"]
    )
}

#[test]
fn every_example_reports_its_cause_first() {
    let mut failures = Vec::new();
    for case in cases() {
        let output = diagnose(&case, &["--format", "json"]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: Value = match serde_json::from_str(&stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{}: no JSON ({e}): {}",
                    case.name,
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
        };
        if output.status.code() != Some(case.exit) {
            failures.push(format!(
                "{}: exit {:?}, expected {}",
                case.name,
                output.status.code(),
                case.exit
            ));
        }
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        match (&case.cause, &case.evidence) {
            (Some(cause), Some(evidence)) => {
                let Some(first) = findings.first() else {
                    failures.push(format!("{}: no finding, expected {cause}", case.name));
                    continue;
                };
                if first["cause"] != cause.as_str() {
                    failures.push(format!(
                        "{}: first cause {}, expected {cause}",
                        case.name, first["cause"]
                    ));
                }
                let got = first["evidence"]
                    .get(0)
                    .map(evidence_position)
                    .unwrap_or_default();
                if &got != evidence {
                    failures.push(format!(
                        "{}: first evidence at {got}, expected {evidence}",
                        case.name
                    ));
                }
                for key in ["title", "summary"] {
                    if first[key].as_str().is_none_or(str::is_empty) {
                        failures.push(format!("{}: finding without {key}", case.name));
                    }
                }
                if first["fix"].as_array().is_none_or(Vec::is_empty) {
                    failures.push(format!("{}: finding without fix steps", case.name));
                }
            }
            _ => {
                let errors: Vec<&Value> = findings
                    .iter()
                    .filter(|f| f["severity"] == "error")
                    .collect();
                if !errors.is_empty() {
                    failures.push(format!(
                        "{}: healthy example has errors: {errors:?}",
                        case.name
                    ));
                }
                // Exit 2 without a cause: nothing could be read, never healthy.
                let status = if case.exit == 2 {
                    "inconclusive"
                } else {
                    "healthy"
                };
                if report["status"] != status {
                    failures.push(format!(
                        "{}: status {}, expected {status}",
                        case.name, report["status"]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seed_layout_groups_log_symptoms_under_the_root_cause() {
    let case = cases().into_iter().find(|c| c.name == "toybox").unwrap();
    let output = diagnose(&case, &["--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // Two wrong names (backend:4000, frontend:3000); the lookup errors Caddy logged sit under them.
    let roots: Vec<&str> = findings
        .iter()
        .map(|f| f["cause"].as_str().unwrap())
        .collect();
    assert_eq!(
        roots,
        ["upstream-unknown-host", "upstream-unknown-host"],
        "{report:#}"
    );
    for finding in findings {
        let symptoms = finding["symptoms"].as_array().unwrap();
        assert_eq!(symptoms.len(), 1, "{finding:#}");
        assert_eq!(symptoms[0]["cause"], "proxy-upstream-lookup-failed");
    }
    // The fix names the service that listens on the port the app serves.
    let fix = &findings[0]["fix"][0];
    assert_eq!(
        fix["edit"]["after"], "\t\treverse_proxy web:8000 {",
        "{fix:#}"
    );
    // The chain runs from the site to the broken hop.
    let path: Vec<&str> = findings[0]["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(path[0], "site toybox.ayatori-inc.co.jp");
    assert_eq!(path[1], "handle /api/*");
}

#[test]
fn terminal_output_shows_snippet_chain_and_fix() {
    let case = cases().into_iter().find(|c| c.name == "toybox").unwrap();
    let output = diagnose(&case, &[]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("error[upstream-unknown-host]"), "{text}");
    assert!(text.contains("--> Caddyfile:6:17"), "{text}");
    assert!(
        text.contains("^^^^^^^^^^^^ the proxy dials `backend:4000` here"),
        "{text}"
    );
    assert!(
        text.contains("site toybox.ayatori-inc.co.jp → handle /api/* → reverse_proxy backend:4000"),
        "{text}"
    );
    assert!(
        text.contains("+         reverse_proxy web:8000 {"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "colour with NO_COLOR set");
}

/// Secret values planted in the examples (`.env` files and compose files).
fn planted_secrets() -> Vec<String> {
    let mut secrets = Vec::new();
    let mut stack = vec![examples_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // Terraform's `http_tokens = "required"` is an IMDS setting, not a token.
            if path.extension().is_some_and(|e| e == "tf") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            // CloudFormation's `HttpTokens: required` is the same IMDS setting;
            // a Copilot manifest's `secrets:` name SSM parameters, not values.
            let copilot = path.components().any(|c| c.as_os_str() == "copilot");
            if text.contains("AWSTemplateFormatVersion") || copilot {
                continue;
            }
            for line in text.lines() {
                let line = line.trim().trim_start_matches("- ");
                let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(": "))
                else {
                    continue;
                };
                let upper = key.to_ascii_uppercase();
                let secret = ["PASSWORD", "SECRET", "TOKEN", "KEY"]
                    .iter()
                    .any(|w| upper.contains(w));
                let value = value.trim().trim_matches('"');
                if secret && value.len() >= 6 && !value.contains("${") {
                    secrets.push(value.to_string());
                }
            }
        }
    }
    secrets
}

#[test]
fn no_output_contains_a_planted_secret() {
    let secrets = planted_secrets();
    assert!(
        secrets.len() >= 8,
        "the examples plant secrets: {secrets:?}"
    );
    for case in cases() {
        let dir = examples_dir().join(&case.name);
        let outputs = [
            diagnose(&case, &[]),
            diagnose(&case, &["--format", "json"]),
            diagnose(&case, &["--lang", "ja"]),
            stackdoctor(&dir, &["model", ".", "--format", "json"]),
            stackdoctor(&dir, &["model", "."]),
        ];
        for output in outputs {
            let all = [output.stdout, output.stderr].concat();
            let all = String::from_utf8_lossy(&all);
            for secret in &secrets {
                assert!(
                    !all.contains(secret.as_str()),
                    "{}: output shows `{secret}`",
                    case.name
                );
            }
        }
    }
}

#[test]
fn japanese_output_has_every_text() {
    // A missing template renders as `[cause.key]`.
    let missing = regex::Regex::new(r"\[(?:common|[a-z]+(?:-[a-z]+)+)\.[a-z\-]+\]").unwrap();
    for case in cases() {
        let output = diagnose(&case, &["--lang", "ja", "--format", "json"]);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let text = report.to_string();
        assert!(!missing.is_match(&text), "{}: {text}", case.name);
        if let Some(first) = report["findings"].get(0) {
            let title = first["title"].as_str().unwrap();
            assert!(
                title.chars().any(|c| c > '\u{3000}'),
                "{}: not Japanese: {title}",
                case.name
            );
        }
    }
}
