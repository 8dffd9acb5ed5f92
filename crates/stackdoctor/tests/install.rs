//! The ways to install and run stackdoctor that the README documents, each
//! exercised on this machine:
//! - `cargo install --locked --path crates/stackdoctor` (into a temporary
//!   root; built static in `target/static`, the build the image reuses);
//! - the container image: `packaging/build-image.sh` builds the static binary
//!   and the `FROM scratch` image on the local Docker Engine, which then
//!   diagnoses an example project mounted at `/work`;
//! - `.pre-commit-hooks.yaml`, run by the real `pre-commit try-repo`;
//! - `action.yml`: its shell steps, run as the Actions runner would run them.
//!
//! Without Docker or pre-commit those parts print `skipped`; under CI=true
//! they fail instead (.ci/run installs pre-commit; the machine has Docker).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn host() -> String {
    let output = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_string()
}

/// One static release build at a time (the install and the image share it).
static BUILD: Mutex<()> = Mutex::new(());

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Whether a tool is there; under CI it must be.
fn available(program: &str, args: &[&str]) -> bool {
    let found = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "`{program} {}` must work under CI",
            args.join(" ")
        );
        eprintln!("skipped: `{program} {}` does not work here", args.join(" "));
    }
    found
}

fn example(name: &str) -> PathBuf {
    repository().join("examples").join(name)
}

#[test]
fn cargo_install_puts_a_working_binary_in_the_root() {
    let _build = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    // The README's command, with a root of its own, and the static build's
    // target folder and flags so that the image test reuses what it builds.
    let output = Command::new("cargo")
        .current_dir(repository())
        .args(["install", "--locked", "--path", "crates/stackdoctor"])
        .arg("--root")
        .arg(root.path())
        .args(["--target", &host(), "--target-dir", "target/static"])
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let installed = root.path().join("bin/stackdoctor");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("stackdoctor {}", env!("CARGO_PKG_VERSION"))
    );
    let diagnosis = Command::new(&installed)
        .current_dir(example("wrong-port"))
        .args(["diagnose", ".", "--offline", "--quiet"])
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .output()
        .unwrap();
    assert_eq!(diagnosis.status.code(), Some(1), "{}", text(&diagnosis));
    assert!(String::from_utf8_lossy(&diagnosis.stdout).starts_with("1 error(s)"));
}

#[test]
fn the_image_is_built_from_scratch_and_diagnoses_a_mounted_project() {
    if !available("docker", &["info"]) {
        return;
    }
    let _build = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let tag = format!("stackdoctor-test:{}", std::process::id());
    let build = Command::new(repository().join("packaging/build-image.sh"))
        .arg(&tag)
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", text(&build));
    let run = |args: &[&str]| {
        let mut command = Command::new("docker");
        command.args(["run", "--rm", "--network", "none", "-v"]);
        command.arg(format!("{}:/work:ro", example("wrong-port").display()));
        command.arg(&tag).args(args);
        command.output().unwrap()
    };
    let inspect = Command::new("docker")
        .args(["image", "inspect", "-f", "{{len .RootFS.Layers}} {{.Size}}"])
        .arg(&tag)
        .output()
        .unwrap();
    let json = run(&["diagnose", "/work", "--offline", "--format", "json"]);
    let default = run(&[]);
    let _ = Command::new("docker").args(["rmi", "-f", &tag]).output();
    // The binary, and the empty /work that WORKDIR creates: nothing else.
    let facts = String::from_utf8_lossy(&inspect.stdout).trim().to_string();
    let (layers, size) = facts.split_once(' ').unwrap();
    assert!(layers == "1" || layers == "2", "{facts}");
    let size: u64 = size.parse().unwrap();
    assert!(size < 64 << 20, "{size} bytes");
    assert_eq!(json.status.code(), Some(1), "{}", text(&json));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["root"], "/work");
    assert_eq!(report["findings"][0]["cause"], "upstream-wrong-port");
    assert_eq!(report["findings"][0]["evidence"][0]["file"], "Caddyfile");
    assert_eq!(report["findings"][0]["evidence"][0]["line"], 3);
    // The default command diagnoses /work.
    assert_eq!(default.status.code(), Some(1), "{}", text(&default));
    assert!(String::from_utf8_lossy(&default.stdout).contains("error[upstream-wrong-port]"));
}

/// A git repository holding a copy of an example (pre-commit runs in one).
fn git_project(example_name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", example(example_name).display()))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(copy.status.success());
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "x",
        ],
    ] {
        let git = Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(git.status.success(), "{}", text(&git));
    }
    dir
}

/// PATH with the tested binary first.
fn path_with_binary() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .parent()
        .unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn the_pre_commit_hook_runs_stackdoctor_on_the_repository() {
    if !available("pre-commit", &["--version"]) {
        return;
    }
    let project = git_project("wrong-port");
    let hook = |project: &Path| {
        Command::new("pre-commit")
            .current_dir(project)
            .arg("try-repo")
            .arg(repository())
            .args(["stackdoctor", "--all-files", "--color", "never"])
            .env("PATH", path_with_binary())
            .env("PRE_COMMIT_HOME", project.join(".cache"))
            .env("NO_COLOR", "1")
            .env_remove("LANG")
            .output()
            .unwrap()
    };
    let failed = hook(project.path());
    let said = text(&failed);
    assert_eq!(failed.status.code(), Some(1), "{said}");
    assert!(said.contains("Failed"), "{said}");
    assert!(said.contains("1 error(s), 0 warning(s)"), "{said}");
    // Fixed, the hook passes.
    let caddyfile = project.path().join("Caddyfile");
    let fixed = std::fs::read_to_string(&caddyfile)
        .unwrap()
        .replace("api:8080", "api:8000");
    std::fs::write(&caddyfile, fixed).unwrap();
    let passed = hook(project.path());
    assert_eq!(passed.status.code(), Some(0), "{}", text(&passed));
    assert!(text(&passed).contains("Passed"));
}

/// The `run:` script and `env:` of a step of action.yml (read with PyYAML).
fn action_step(name: &str) -> Option<(String, Vec<String>)> {
    let program = format!(
        "import json, yaml\nsteps = yaml.safe_load(open('{}'))['runs']['steps']\nstep = next(s for s in steps if s['name'] == '{name}')\nprint(json.dumps([step['run'], sorted(step.get('env', {{}}))]))",
        repository().join("action.yml").display()
    );
    let output = Command::new("python3")
        .args(["-c", &program])
        .output()
        .ok()?;
    if !output.status.success() {
        assert!(std::env::var("CI").is_err(), "{}", text(&output));
        eprintln!("skipped: python3 with PyYAML is needed to read action.yml");
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

#[test]
fn the_action_steps_diagnose_write_sarif_and_fail_by_the_threshold() {
    let Some((install, _)) = action_step("Install stackdoctor") else {
        return;
    };
    assert!(
        install.contains("cargo install --locked --path \"$ACTION_PATH/crates/stackdoctor\""),
        "{install}"
    );
    let (diagnose, env) = action_step("Diagnose").unwrap();
    assert_eq!(env, ["EXTRA_ARGS", "FAIL_ON", "PROJECT", "SARIF_FILE"]);
    let work = tempfile::tempdir().unwrap();
    let (output_file, summary_file) = (
        work.path().join("github_output"),
        work.path().join("step_summary"),
    );
    let step = |fail_on: &str| {
        std::fs::write(&output_file, "").unwrap();
        let run = Command::new("bash")
            .args(["-e", "-c", &diagnose])
            .current_dir(work.path())
            .env("PATH", path_with_binary())
            .env("PROJECT", example("wrong-port"))
            .env("FAIL_ON", fail_on)
            .env("EXTRA_ARGS", "")
            .env("SARIF_FILE", "stackdoctor.sarif")
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .env_remove("LANG")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "the step itself never fails: {}",
            text(&run)
        );
        std::fs::read_to_string(&output_file).unwrap()
    };
    assert_eq!(step("warning"), "exit-code=1\n");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("stackdoctor.sarif")).unwrap())
            .unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "upstream-wrong-port"
    );
    let summary = std::fs::read_to_string(&summary_file).unwrap();
    assert!(summary.contains("error[upstream-wrong-port]"), "{summary}");
    assert_eq!(step("never"), "exit-code=0\n");
    // The last step exits with the code the threshold gave.
    let (fail, env) = action_step("Fail by the threshold").unwrap();
    assert_eq!(env, ["CODE"]);
    let code = |value: &str| {
        Command::new("bash")
            .args(["-c", &fail])
            .env("CODE", value)
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(code("1"), Some(1));
    assert_eq!(code("2"), Some(2));
}
