//! Differential test against python-hcl2 (PyPI), on every `.tf` file of the
//! terraform-aws-modules/terraform-aws-ecs corpus: every attribute it reads
//! is read here too, at the same block path, and every literal value
//! (strings, numbers, booleans, null, heredocs, lists and objects of them)
//! is equal. Expressions python-hcl2 prints as `${…}` must not be literals
//! here. Skipped (failing under CI=true) when python-hcl2 is missing.

use serde_json::{Map, Value as J};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use terraform::{Block, Node, Value};

fn python_hcl2(files: &[PathBuf]) -> Option<Vec<J>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hcl2_values.py");
    let output = Command::new("python3").arg(script).args(files).output();
    match output {
        Ok(o) if o.status.success() => Some(
            String::from_utf8(o.stdout)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        ),
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).to_string(),
                Err(e) => e.to_string(),
            };
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("python-hcl2 is needed under CI=true: {why}");
            }
            eprintln!("skipped: python3 with python-hcl2 not available ({why})");
            None
        }
    }
}

fn flatten(blocks: &[Block], prefix: &str, out: &mut BTreeMap<String, Node>) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for block in blocks {
        let index = counts.entry(block.kind.as_str()).or_default();
        let mut path = format!("{prefix}{}#{index}", block.kind);
        *index += 1;
        for label in &block.labels {
            path.push('/');
            path.push_str(label);
        }
        path.push('/');
        for attribute in &block.attributes {
            out.insert(format!("{path}{}", attribute.name), attribute.value.clone());
        }
        flatten(&block.blocks, &path, out);
    }
}

/// python-hcl2's value holds an expression somewhere.
fn has_expression(value: &J) -> bool {
    match value {
        J::Object(o) if o.contains_key("expression") && o.len() == 1 => true,
        J::Object(o) => o.values().any(has_expression),
        J::Array(a) => a.iter().any(has_expression),
        _ => false,
    }
}

fn literal(node: &Node) -> Option<J> {
    Some(match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(_) => node.to_json(),
        Value::String(s) => J::String(s.clone()),
        Value::Array(items) => J::Array(items.iter().map(literal).collect::<Option<_>>()?),
        Value::Object(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(k.name.clone(), literal(v)?);
            }
            J::Object(map)
        }
        _ => return None,
    })
}

/// python-hcl2's heredocs as their text.
fn normalise(value: &J) -> J {
    match value {
        J::Object(o) if o.len() == 1 && o.contains_key("heredoc") => o["heredoc"].clone(),
        J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        J::Array(a) => J::Array(a.iter().map(normalise).collect()),
        J::Number(n) => n.as_f64().map_or(J::Null, |f| serde_json::json!(f)),
        other => other.clone(),
    }
}

#[test]
fn every_tf_file_of_the_ecs_modules_reads_as_python_hcl2_reads_it() {
    let Some(corpus) = testcorpus::dir("iac/terraform-aws-ecs") else {
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![corpus.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "tf") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 60, "{} .tf files", files.len());
    let Some(oracle) = python_hcl2(&files) else {
        return;
    };
    let (mut attributes, mut literals, mut expressions) = (0, 0, 0);
    let mut mismatches = Vec::new();
    for (file, theirs) in files.iter().zip(&oracle) {
        let parsed = terraform::parse_file(file).unwrap_or_else(|e| panic!("{e}"));
        let mut ours = BTreeMap::new();
        flatten(&terraform::evaluate_alone(&parsed), "", &mut ours);
        let theirs = theirs["values"].as_object().unwrap();
        let name = file.strip_prefix(&corpus).unwrap().display().to_string();
        let their_paths: Vec<&String> = theirs.keys().collect();
        let our_paths: Vec<&String> = ours.keys().collect();
        let mut sorted_theirs = their_paths.clone();
        sorted_theirs.sort();
        if sorted_theirs != our_paths {
            mismatches.push(format!(
                "{name}: attribute paths differ: only python-hcl2 {:?}, only here {:?}",
                sorted_theirs
                    .iter()
                    .filter(|p| !ours.contains_key(**p))
                    .take(5)
                    .collect::<Vec<_>>(),
                our_paths
                    .iter()
                    .filter(|p| !theirs.contains_key(**p))
                    .take(5)
                    .collect::<Vec<_>>()
            ));
        }
        for (path, value) in theirs {
            let Some(node) = ours.get(path) else { continue };
            attributes += 1;
            if has_expression(value) {
                expressions += 1;
                if let Some(mine) = literal(node) {
                    mismatches.push(format!(
                        "{name} {path}: an expression there, literal {mine} here"
                    ));
                }
                continue;
            }
            literals += 1;
            match literal(node) {
                Some(mine) if normalise(&mine) == normalise(value) => {}
                mine => mismatches.push(format!(
                    "{name} {path}: python-hcl2 {value}, here {mine:?} ({:?})",
                    node.value
                )),
            }
        }
    }
    eprintln!(
        "python-hcl2: {} files, {attributes} attributes, {literals} literal values compared, {expressions} expressions, {} mismatches",
        files.len(),
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(literals > 500, "{literals} literal values compared");
}
