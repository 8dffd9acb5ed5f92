//! Differential test against cfn-lint (PyPI), CloudFormation's own linter:
//! on a grid of Fargate task templates (every task size ECS lists, and
//! sizes it does not, as numbers, strings and `"1 vCPU"`/`"2 GB"` units)
//! and on every template of `../shared/corpus/iac/cloudformation`, every
//! template cfn-lint rejects with E3047 (Fargate cpu/memory) stackdoctor
//! reports as `ecs-invalid-cpu-memory`, at the same task. What stackdoctor
//! finds beyond it is asserted too: a size set through a parameter's
//! default, which cfn-lint does not follow. Skipped (failing under
//! CI=true) when cfn-lint is missing.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// cfn-lint's E3047 findings: the files (relative to `dir`) and lines.
fn cfn_lint_e3047(dir: &Path, files: &[PathBuf]) -> Option<BTreeSet<String>> {
    let output = Command::new("cfn-lint")
        .current_dir(dir)
        .args(["--format", "json", "--"])
        .args(files)
        .output();
    let output = match output {
        Ok(o) if !o.stdout.is_empty() => o,
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).to_string(),
                Err(e) => e.to_string(),
            };
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("cfn-lint is needed under CI=true: {why}");
            }
            eprintln!("skipped: cfn-lint not available ({why})");
            return None;
        }
    };
    let found: Vec<Value> = serde_json::from_slice(&output.stdout).expect("cfn-lint JSON");
    Some(
        found
            .iter()
            .filter(|f| f["Rule"]["Id"] == "E3047")
            .map(|f| f["Filename"].as_str().unwrap().to_string())
            .collect(),
    )
}

/// The files stackdoctor reports `ecs-invalid-cpu-memory` for.
fn stackdoctor_invalid_sizes(dir: &Path) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(["diagnose", ".", "--offline", "--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(2), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["cause"] == "ecs-invalid-cpu-memory" && f["severity"] == "error")
        .flat_map(|f| {
            f["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["file"].as_str().map(String::from))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn template(cpu: &str, memory: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: {cpu}
      Memory: {memory}
      ExecutionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
      ContainerDefinitions:
        - Name: app
          Image: public.ecr.aws/nginx/nginx:1.27
          Essential: true
"
    )
}

#[test]
fn every_fargate_size_cfn_lint_rejects_stackdoctor_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let cpus = [
        "256",
        "'512'",
        "1024",
        "'2048'",
        "4096",
        "8192",
        "16384",
        "'1 vCPU'",
        "'.25 vCPU'",
        "'3 vCPU'",
        "128",
    ];
    let memories = [
        "512", "'1024'", "2048", "3072", "'4096'", "5120", "8192", "16384", "30720", "61440",
        "122880", "'1 GB'", "'4GB'", "'0.5 GB'", "600",
    ];
    let mut files = Vec::new();
    for (i, cpu) in cpus.iter().enumerate() {
        for (j, memory) in memories.iter().enumerate() {
            let name = PathBuf::from(format!("task-{i:02}-{j:02}.yaml"));
            std::fs::write(tmp.path().join(&name), template(cpu, memory)).unwrap();
            files.push(name);
        }
    }
    // A size cfn-lint cannot see: the memory is a parameter's default.
    let through_parameter = "through-parameter.yaml";
    std::fs::write(
        tmp.path().join(through_parameter),
        template("'256'", "!Ref TaskMemory").replace(
            "Resources:",
            "Parameters:\n  TaskMemory:\n    Type: String\n    Default: '4096'\nResources:",
        ),
    )
    .unwrap();
    files.push(through_parameter.into());
    let Some(cfn_lint) = cfn_lint_e3047(tmp.path(), &files) else {
        return;
    };
    let ours = stackdoctor_invalid_sizes(tmp.path());
    let missed: Vec<&String> = cfn_lint.difference(&ours).collect();
    assert!(
        missed.is_empty(),
        "cfn-lint rejects, stackdoctor does not: {missed:?}"
    );
    assert!(
        cfn_lint.len() >= 100,
        "{} rejected by cfn-lint",
        cfn_lint.len()
    );
    // Beyond cfn-lint: the parameter's default.
    let extra: Vec<&String> = ours.difference(&cfn_lint).collect();
    eprintln!(
        "cfn-lint E3047: {} of {} templates; stackdoctor: {}; only stackdoctor: {extra:?}",
        cfn_lint.len(),
        files.len(),
        ours.len()
    );
    assert_eq!(extra, [&through_parameter.to_string()]);
}

#[test]
fn the_corpus_templates_agree_with_cfn_lint_on_fargate_sizes() {
    let Some(corpus) = testcorpus::dir("iac/cloudformation") else {
        return;
    };
    let files: Vec<PathBuf> = testcorpus::files(&corpus, |p| {
        p.extension().is_some_and(|e| e == "yaml" || e == "json")
    })
    .iter()
    .map(|p| p.strip_prefix(&corpus).unwrap().to_path_buf())
    .collect();
    assert!(files.len() >= 40, "{}", files.len());
    let Some(cfn_lint) = cfn_lint_e3047(&corpus, &files) else {
        return;
    };
    let ours = stackdoctor_invalid_sizes(&corpus);
    assert_eq!(cfn_lint, ours);
}
