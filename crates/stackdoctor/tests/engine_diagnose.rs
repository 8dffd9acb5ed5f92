//! `diagnose` asks the Docker Engine (not under `--offline`): a real compose
//! project on this machine's engine (docker-compose, an image built here
//! `FROM scratch` from a static C program), and an engine socket that
//! accepts and never answers, which must cost one probe timeout. Everything
//! a test creates is removed, even when it fails.

use serde_json::Value;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn stackdoctor(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackdoctor"));
    command.current_dir(dir).args(args).env("LANG", "C");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("stackdoctor runs")
}

const COMPOSE: &str = "name: sdsite\nservices:\n  web:\n    image: app\n    mem_limit: 32m\n";

#[test]
fn a_silent_engine_socket_costs_one_probe_timeout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    let socket = dir.path().join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let host = format!("unix://{}", socket.display());
    let env = [("DOCKER_HOST", host.as_str())];
    // The same run offline: what the process costs without the engine.
    let started = Instant::now();
    let offline = stackdoctor(dir.path(), &["diagnose", ".", "--offline"], &env);
    let baseline = started.elapsed();
    assert_eq!(offline.status.code(), Some(0));
    let started = Instant::now();
    let live = stackdoctor(
        dir.path(),
        &["diagnose", ".", "--probe-timeout", "1", "--format", "json"],
        &env,
    );
    let elapsed = started.elapsed();
    assert_eq!(
        live.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let waited = elapsed.saturating_sub(baseline);
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    // Two process runs differ by their start-up under load (2 cores shared):
    // the whole run is bounded loosely here, the engine's own time tightly below.
    assert!(
        waited < Duration::from_millis(1350),
        "{waited:?} over the offline run"
    );
    // `model --engine` says why nothing came, and how long the engine took.
    let model = stackdoctor(
        dir.path(),
        &[
            "model",
            ".",
            "--engine",
            "--probe-timeout",
            "1",
            "--format",
            "json",
        ],
        &env,
    );
    let model: Value = serde_json::from_slice(&model.stdout).unwrap();
    let live = &model["engine"]["live"];
    let problems = live["problems"].to_string();
    assert!(
        problems.contains("no answer within the probe timeout"),
        "{problems}"
    );
    let spent = live["elapsed_ms"].as_u64().unwrap();
    assert!((1000..1100).contains(&spent), "{spent} ms");
}

/// Removes what a test created when dropped.
struct Cleanup(Vec<Vec<String>>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for args in self.0.iter().rev() {
            let _ = Command::new(&args[0]).args(&args[1..]).output();
        }
    }
}

fn engine_reachable() -> bool {
    let ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Docker Engine is not reachable under CI=true"
        );
        eprintln!("skipped: Docker Engine not reachable");
    }
    ok
}

#[test]
fn a_compose_container_killed_by_oom_is_found_on_the_live_engine() {
    if !engine_reachable() {
        return;
    }
    let id = std::process::id();
    let project = format!("sdlive{id}");
    let image = format!("sd-live-test-{id}:1");
    let dir = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup(vec![vec![
        "docker".into(),
        "image".into(),
        "rm".into(),
        "-f".into(),
        image.clone(),
    ]]);
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dockerengine/tests/live/app.c"
    );
    let built = Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(dir.path().join("app"))
        .arg(source)
        .status()
        .unwrap();
    assert!(built.success());
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
    )
    .unwrap();
    let out = Command::new("docker")
        .args(["build", "-q", "-t", &image])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let compose = format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {image}\n    command: [\"oom\"]\n    mem_limit: 32m\n    memswap_limit: 32m\n    restart: \"no\"\n"
    );
    std::fs::write(dir.path().join("docker-compose.yml"), compose).unwrap();
    let folder = dir.path().display().to_string();
    cleanup.0.push(vec![
        "docker-compose".into(),
        "--project-directory".into(),
        folder.clone(),
        "-f".into(),
        format!("{folder}/docker-compose.yml"),
        "-p".into(),
        project.clone(),
        "down".into(),
    ]);
    let up = Command::new("docker-compose")
        .current_dir(dir.path())
        .args(["-p", &project, "up", "-d"])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let container = format!("{project}_web_1");
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        let state = Command::new("docker")
            .args(["inspect", "--format", "{{.State.Status}}", &container])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&state.stdout).trim() == "exited" {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let output = stackdoctor(
        dir.path(),
        &[
            "diagnose",
            ".",
            "-p",
            &project,
            "--probe-timeout",
            "5",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "container-oom-killed", "{report}");
    assert!(
        first["title"].as_str().unwrap().contains("`web`"),
        "{first}"
    );
    let evidence = &first["evidence"][0];
    assert_eq!(evidence["kind"], "engine");
    assert!(evidence["label"]
        .as_str()
        .unwrap()
        .contains(&format!("GET /containers/{container}/json")));
    // The exit is grouped under the OOM kill, with the engine's exit code meaning.
    let symptoms = first["symptoms"].as_array().unwrap();
    assert!(
        symptoms
            .iter()
            .any(|s| s["cause"] == "upstream-not-running"),
        "{first}"
    );
}
