//! `diagnose --url URL --probe-api` against real servers run by the test: a
//! FastAPI app under uvicorn and a Node `http` server, each in a variant that
//! answers errors as the contract says and one that drifts from it. The
//! servers are in `tests/api_servers/`; the project is only the contract.
//! Without Python's FastAPI and uvicorn or Node the test is skipped, except
//! under `CI=true`, where it fails.

use serde_json::Value;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "Bearer sekret-token-123";

fn servers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api_servers")
}

/// Skips (returns false) when `what` is missing, or fails under `CI=true`.
fn available(what: &str, check: &mut Command) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "{what} is needed under CI=true (.ci/run installs it)"
        );
        eprintln!("skipped: {what} is not installed");
    }
    ok
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` and waits until it accepts connections on `port`.
fn start(mut command: Command, port: u16) -> Server {
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let server = Server(child);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn fastapi(module: &str) -> Option<(Server, u16)> {
    let mut check = Command::new("python3");
    check.args(["-c", "import fastapi, uvicorn"]);
    if !available("Python's fastapi and uvicorn", &mut check) {
        return None;
    }
    let port = free_port();
    let mut command = Command::new("python3");
    command.args([
        "-m",
        "uvicorn",
        &format!("{module}:app"),
        "--port",
        &port.to_string(),
    ]);
    command.args(["--host", "127.0.0.1", "--log-level", "warning"]);
    command.current_dir(servers());
    Some((start(command, port), port))
}

fn node(script: &str) -> Option<(Server, u16)> {
    if !available("node", Command::new("node").arg("--version")) {
        return None;
    }
    let port = free_port();
    let mut command = Command::new("node");
    command.arg(servers().join(script)).arg(port.to_string());
    Some((start(command, port), port))
}

/// The report of `--probe-api` on the endpoint, with the contract as the project.
fn probe(port: u16) -> (Value, String) {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join("docs")).unwrap();
    std::fs::copy(
        servers().join("contract.md"),
        project.path().join("docs/errors.md"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .arg("diagnose")
        .arg(project.path())
        .args(["--url", &format!("http://127.0.0.1:{port}/api/items")])
        .args([
            "--probe-api",
            "--header",
            &format!("Authorization: {TOKEN}"),
        ])
        .args(["--probe-timeout", "10", "--format", "json", "--verbose"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let secret = TOKEN.trim_start_matches("Bearer ");
    assert!(!stdout.contains(secret), "the token leaked: {stdout}");
    assert!(!stderr.contains(secret), "the token leaked: {stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (report, stderr)
}

/// The labels of every probe evidence of the contract-mismatch findings.
fn probe_labels(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["cause"] == "api-server-contract-mismatch")
        .flat_map(|f| f["evidence"].as_array().unwrap().iter())
        .filter(|e| e["kind"] == "probe")
        .map(|e| {
            format!(
                "{} :: {}",
                e["probe"].as_str().unwrap_or(""),
                e["label"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn has(labels: &[String], probe: &str, label: &str) -> bool {
    labels
        .iter()
        .any(|l| l.contains(probe) && l.contains(label))
}

/// Every request was answered (the notes say so), none timed out.
fn assert_answered(report: &Value, count: usize) {
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["text"].as_str().or(n.as_str()))
        .filter(|n| n.starts_with("probe API"))
        .collect();
    assert_eq!(notes.len(), count, "{notes:#?}");
    assert!(notes.iter().all(|n| n.contains("answered")), "{notes:#?}");
}

/// The report of the server's probe and the labels of its mismatch
/// evidence, after checking every request was answered; `None` when skipped.
fn probed(server: Option<(Server, u16)>) -> Option<(Value, Vec<String>)> {
    let (_server, port) = server?;
    let (report, _) = probe(port);
    assert_answered(&report, 3);
    let labels = probe_labels(&report);
    Some((report, labels))
}

#[test]
fn fastapi_that_follows_the_contract_passes() {
    if let Some((_, labels)) = probed(fastapi("fastapi_conforming")) {
        assert!(labels.is_empty(), "{labels:#?}");
    }
}

#[test]
fn fastapi_defaults_drift_from_the_contract() {
    let Some((report, labels)) = probed(fastapi("fastapi_drifting")) else {
        return;
    };
    // No credentials: 401 with `{"detail": …}`, not the envelope.
    assert!(has(&labels, "GET", "the body lacks `error`"), "{labels:#?}");
    assert!(
        has(&labels, "→ 401", "`detail` is not part of the envelope"),
        "{labels:#?}"
    );
    // A body that is not JSON: FastAPI's 422, documented as 400.
    assert!(
        has(
            &labels,
            "POST",
            "a body that is not JSON should get the documented `VALIDATION_ERROR` (HTTP 400)"
        ),
        "{labels:#?}"
    );
    assert!(
        has(&labels, "→ 422", "the body lacks `error`"),
        "{labels:#?}"
    );
    // An unknown ID: 404 with `detail`.
    assert!(
        has(&labels, "→ 404", "the body lacks `success`"),
        "{labels:#?}"
    );
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "api-server-contract-mismatch");
    assert_eq!(first["severity"], "error");
}

#[test]
fn a_node_server_that_follows_the_contract_passes() {
    if let Some((_, labels)) = probed(node("node_conforming.js")) {
        assert!(labels.is_empty(), "{labels:#?}");
    }
}

#[test]
fn a_node_server_with_text_and_html_errors_drifts() {
    let Some((_, labels)) = probed(node("node_drifting.js")) else {
        return;
    };
    assert!(
        has(
            &labels,
            "→ 401",
            "the error body is not JSON (Content-Type: text/plain)"
        ),
        "{labels:#?}"
    );
    assert!(
        has(
            &labels,
            "→ 500",
            "the error body is not JSON (Content-Type: text/html"
        ),
        "{labels:#?}"
    );
    assert!(
        has(
            &labels,
            "→ 500",
            "a body that is not JSON should get the documented `VALIDATION_ERROR` (HTTP 400)"
        ),
        "{labels:#?}"
    );
    // `{"error": "not found"}`: a string where the envelope has an object.
    assert!(
        has(
            &labels,
            "→ 404",
            "`error` is string here; the envelope has object"
        ),
        "{labels:#?}"
    );
}

#[test]
fn a_dead_endpoint_costs_one_timeout_and_is_said() {
    let port = free_port();
    let project = tempfile::tempdir().unwrap();
    std::fs::copy(
        servers().join("contract.md"),
        project.path().join("errors.md"),
    )
    .unwrap();
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .arg("diagnose")
        .arg(project.path())
        .args([
            "--url",
            &format!("http://127.0.0.1:{port}/api/items"),
            "--probe-api",
        ])
        .args(["--probe-timeout", "1", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = report["notes"].to_string();
    assert!(text.contains("probe API (malformed) POST"), "{text}");
    assert!(text.contains("refused"), "{text}");
    assert_ne!(report["status"], "healthy", "{report:#}");
    assert_eq!(
        report["findings"][0]["cause"], "url-unreachable",
        "{report:#}"
    );
}

#[test]
fn probe_api_needs_a_url_and_headers_need_probe_api() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
            .arg("diagnose")
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(run(&["--probe-api"]).status.code(), Some(2));
    assert_eq!(run(&["--header", "A: b"]).status.code(), Some(2));
    let bad = run(&[
        "--url",
        "http://127.0.0.1:1/x",
        "--probe-api",
        "--header",
        "no colon",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let offline = run(&["--url", "http://127.0.0.1:1/x", "--probe-api", "--offline"]);
    assert_eq!(offline.status.code(), Some(2));
}
