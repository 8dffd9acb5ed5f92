//! `stackdoctor logs` and `stackdoctor signatures` on real-looking inputs:
//! files, folders, .gz, stdin, masking, user signatures, bad input.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn stackdoctor(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

const COMPOSE_LOGS: &str = "\
caddy-1  | {\"level\":\"error\",\"ts\":1763715631.512,\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup web on 127.0.0.11:53: no such host\",\"status\":502}
web-1    | [2026-11-21 09:30:01 +0000] [1] [INFO] Starting gunicorn 23.0.0
web-1    | django.db.utils.OperationalError: connection to server at \"db\" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user \"app\"
caddy-1  | {\"level\":\"error\",\"ts\":1763715702.930,\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup web on 127.0.0.11:53: no such host\",\"status\":502}
web-1    | ERROR something nobody has a signature for DB_PASSWORD=hunter2-secret
";

#[test]
fn groups_by_cause_with_counts_times_services_and_samples() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.log"), COMPOSE_LOGS).unwrap();
    let output = stackdoctor(
        dir.path(),
        &["logs", "compose.log", "--format", "json"],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["schema"], "stackdoctor.logs/1");
    let lookup = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["cause"] == "proxy-upstream-lookup-failed")
        .expect("lookup group");
    assert_eq!(lookup["count"], 2);
    assert_eq!(lookup["services"], serde_json::json!(["caddy"]));
    assert_eq!(lookup["first_seen"], "2025-11-21T09:00:31.512Z");
    assert_eq!(lookup["last_seen"], "2025-11-21T09:01:42.930Z");
    assert_eq!(lookup["samples"][0]["line"], 1);
    assert!(lookup["causes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["cause"] == "proxy-upstream-lookup-failed"));
    assert_eq!(report["unrecognised"]["count"], 1);
    let all = String::from_utf8_lossy(&output.stdout);
    assert!(!all.contains("hunter2-secret"), "{all}");
}

#[test]
fn reads_stdin_folders_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let output = stackdoctor(
        dir.path(),
        &["logs", "-", "--format", "json"],
        Some(COMPOSE_LOGS.as_bytes()),
    );
    assert!(!json(&output)["groups"].as_array().unwrap().is_empty());

    std::fs::create_dir_all(dir.path().join("logs/old")).unwrap();
    std::fs::write(dir.path().join("logs/web.log"), COMPOSE_LOGS).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(COMPOSE_LOGS.as_bytes()).unwrap();
    std::fs::write(
        dir.path().join("logs/old/web.log.1.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
    let output = stackdoctor(dir.path(), &["logs", "logs", "--format", "json"], None);
    let report = json(&output);
    let lookup = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["cause"] == "proxy-upstream-lookup-failed")
        .unwrap();
    assert_eq!(
        lookup["count"], 4,
        "two from the plain file, two from the .gz"
    );
}

#[test]
fn user_signatures_extend_the_library_and_bad_ones_name_their_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.log"),
        "billing-1  | PaymentGatewayDown: upstream psp timed out\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        r#"[[signatures]]
id = "billing-psp-down"
components = ["billing"]
source = "our runbook"
literal = "PaymentGatewayDown"
causes = [["upstream-timeout", 80]]
meaning.en = "The payment provider does not answer."
meaning.ja = "決済代行会社が応答しません。"
examples = ["PaymentGatewayDown: upstream psp timed out"]
near_misses = ["PaymentGateway up"]
"#,
    )
    .unwrap();
    let output = stackdoctor(
        dir.path(),
        &[
            "logs",
            "app.log",
            "--signatures",
            "mine.toml",
            "--format",
            "json",
        ],
        None,
    );
    let report = json(&output);
    assert_eq!(
        report["groups"][0]["signatures"][0]["id"],
        "billing-psp-down"
    );
    assert_eq!(report["groups"][0]["services"][0], "billing");

    std::fs::write(
        dir.path().join("bad.toml"),
        "[[signatures]]\nid = \"x\"\nliteral = 3\n",
    )
    .unwrap();
    let output = stackdoctor(
        dir.path(),
        &["logs", "app.log", "--signatures", "bad.toml"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.toml:3:11"), "{stderr}");
}

#[test]
fn signatures_lists_and_exports_patterns_ripgrep_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let output = stackdoctor(dir.path(), &["signatures", "--format", "json"], None);
    let list = json(&output);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 150, "only {} signatures", list.len());
    let output = stackdoctor(
        dir.path(),
        &["signatures", "--export-patterns", "patterns.txt"],
        None,
    );
    assert_eq!(output.status.code(), Some(0));
    let patterns = std::fs::read_to_string(dir.path().join("patterns.txt")).unwrap();
    assert_eq!(patterns.lines().count(), list.len());
    // ripgrep reads the same file and finds the same lines.
    std::fs::write(dir.path().join("compose.log"), COMPOSE_LOGS).unwrap();
    match Command::new("rg")
        .current_dir(dir.path())
        .args(["-c", "-f", "patterns.txt", "compose.log"])
        .output()
    {
        Ok(rg) => assert_eq!(
            String::from_utf8_lossy(&rg.stdout).trim(),
            "3",
            "{}",
            String::from_utf8_lossy(&rg.stderr)
        ),
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("ripgrep not installed: pattern check skipped")
        }
        Err(e) => panic!("ripgrep is needed in CI (apt-get install ripgrep): {e}"),
    }
}

#[test]
fn bad_log_inputs_warn_or_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    // A binary file, a truncated .gz, invalid UTF-8, and a folder loop.
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::write(
        dir.path().join("logs/core.bin"),
        [0u8, 159, 146, 150, 0, 1, 2],
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(COMPOSE_LOGS.repeat(50).as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    std::fs::write(
        dir.path().join("logs/cut.log.gz"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    std::fs::write(
        dir.path().join("logs/latin1.log"),
        b"web-1 exited with code 1 \xe9\xff\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("logs"), dir.path().join("logs/loop")).unwrap();
    let output = stackdoctor(dir.path(), &["logs", "logs", "--format", "json"], None);
    let report = json(&output);
    let warnings = report["scanned"]["warnings"].to_string();
    assert!(warnings.contains("core.bin"), "{warnings}");
    assert!(warnings.contains("cut.log.gz"), "{warnings}");
    assert!(report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["cause"] == "upstream-not-running"));

    let output = stackdoctor(dir.path(), &["logs", "missing.log"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.log"));
}

#[test]
fn the_project_config_names_signature_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("ops")).unwrap();
    std::fs::write(
        dir.path().join("app.log"),
        "queue-1  | LedgerLockTimeout after 30s\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ops/extra.toml"),
        r#"[[signatures]]
id = "ledger-lock-timeout"
components = ["queue"]
source = "our runbook"
literal = "LedgerLockTimeout"
causes = [["upstream-timeout", 70]]
meaning.en = "The ledger lock was not granted in time."
meaning.ja = "台帳のロックが時間内に取得できませんでした。"
examples = ["LedgerLockTimeout after 30s"]
near_misses = ["LedgerLock acquired"]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".stackdoctor.toml"),
        "signatures = [\"ops/extra.toml\"]\n",
    )
    .unwrap();
    let output = stackdoctor(dir.path(), &["logs", "app.log", "--format", "json"], None);
    assert_eq!(
        json(&output)["groups"][0]["signatures"][0]["id"],
        "ledger-lock-timeout"
    );

    std::fs::write(
        dir.path().join(".stackdoctor.toml"),
        "signatures = []\nsignature = 1\n",
    )
    .unwrap();
    let output = stackdoctor(dir.path(), &["logs", "app.log"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(".stackdoctor.toml:2:1"), "{stderr}");
}
