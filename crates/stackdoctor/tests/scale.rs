//! A project of 2,000 services (the benchmark's generator, examples/gen_project.rs):
//! the four planted faults are found, each once, with the fix that names the
//! right service, and nothing else is reported. Timing is in BENCHMARKS.md,
//! not here.

#[allow(dead_code)]
#[path = "../examples/gen_project.rs"]
mod gen_project;

use serde_json::Value;
use std::process::Command;

const SERVICES: usize = 2000;

fn diagnose(dir: &std::path::Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .args(["diagnose", "--offline", "--format", "json"])
        .arg(dir)
        .output()
        .expect("stackdoctor runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "problems found: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON report")
}

fn finding<'a>(report: &'a Value, cause: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == cause)
        .unwrap_or_else(|| panic!("no {cause} in {report:#}"))
}

fn fix_texts(finding: &Value) -> String {
    finding["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| format!("{} {}", step["text"], step["edit"]["after"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_planted_faults_of_a_2000_service_project_are_found_with_the_right_fixes() {
    let dir = tempfile::tempdir().unwrap();
    gen_project::write_project(SERVICES, dir.path()).unwrap();
    let report = diagnose(dir.path());

    let mut causes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap())
        .collect();
    causes.sort_unstable();
    let mut planted = gen_project::PLANTED_CAUSES.to_vec();
    planted.sort_unstable();
    assert_eq!(causes, planted, "exactly the planted faults, each once");

    // The typo'd upstream names the service it is a variant of, not the
    // first service that listens on the same port.
    let typo = SERVICES / 2;
    let unknown = finding(&report, "upstream-unknown-host");
    assert_eq!(unknown["evidence"][0]["file"], "Caddyfile");
    assert!(fix_texts(unknown).contains(&format!("reverse_proxy svc{typo}:8000")));
    // A stack this large lists the closest names, not all 2,004.
    let names = unknown["evidence"][1]["label"].as_str().unwrap();
    assert!(
        names.contains(&format!("{} services", SERVICES + 5)),
        "{names}"
    );
    assert!(names.contains(&format!("svc{typo},")), "{names}");
    assert!(names.len() < 400, "{names}");

    // Both services are in the one project: join the network by its key.
    let network = finding(&report, "proxy-upstream-no-shared-network");
    let steps = fix_texts(network);
    assert!(
        steps.contains("add `back` to `proxy`'s `networks:`"),
        "{steps}"
    );
    assert!(!steps.contains("external: true"), "{steps}");

    let port = finding(&report, "upstream-wrong-port");
    assert!(
        fix_texts(port).contains("legacy:8000"),
        "{}",
        fix_texts(port)
    );

    // The host is written in compose.yaml; only the password came from .env.
    let env = finding(&report, "app-env-unknown-host");
    let files: Vec<&str> = env["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert_eq!(files, ["compose.yaml"]);
    assert!(
        fix_texts(env).contains("@db:5432/app"),
        "{}",
        fix_texts(env)
    );
}
