//! The README's "Try it" block is what a newcomer runs first: every command
//! in it runs from the repository's root and exits as the README says.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The command lines of the first code block after `heading`.
fn code_block(readme: &str, heading: &str) -> Vec<String> {
    let after = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README has no `{heading}`"))
        .1;
    let block = after
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a ```sh block")
        .0;
    block
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Splits a command line at spaces (the README's commands use no quoting).
fn words(line: &str) -> Vec<&str> {
    assert!(
        !line.contains(['\'', '"', '$', '|']),
        "write README commands without shell syntax: {line}"
    );
    line.split_whitespace().collect()
}

#[test]
fn every_try_it_command_runs_from_the_root_and_reports_the_problems() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let commands = code_block(&readme, "## Try it");
    assert!(!commands.is_empty());
    for line in &commands {
        let args = words(line);
        let args = args
            .strip_prefix(&["cargo", "run", "--release", "--"])
            .unwrap_or_else(|| panic!("a Try-it command runs the tool with cargo run: {line}"));
        let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
            .current_dir(repository())
            .args(args)
            .arg("--offline")
            .env("NO_COLOR", "1")
            .env_remove("LANG")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        // The bundled examples are broken on purpose: exit 1 with findings.
        assert_eq!(
            output.status.code(),
            Some(1),
            "{line}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("error["), "{line}: {stdout}");
    }
}

#[test]
fn the_test_command_is_the_ci_script() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let commands = code_block(&readme, "## Run the tests");
    assert_eq!(commands, [".ci/run"]);
    assert!(repository().join(".ci/run").exists());
}

#[test]
fn relative_files_are_relative_to_the_current_folder() {
    // From the folder above the project, as `docker compose -f sub/compose.yaml` would.
    let examples = repository().join("examples").canonicalize().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(&examples)
        .args([
            "diagnose",
            "wrong-port",
            "-f",
            "wrong-port/compose.yaml",
            "--offline",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("upstream-wrong-port"), "{stdout}");
    // A file that is nowhere is named as the user wrote it, from the current folder.
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(&examples)
        .args(["diagnose", "wrong-port", "-f", "nowhere.yml", "--offline"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&examples.join("nowhere.yml").display().to_string()),
        "{stderr}"
    );
}
