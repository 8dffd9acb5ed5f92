//! Evidence is never dropped: a recognised log line gives a finding for its
//! cause even when no file of the project shows that cause; a check that
//! knows the config adds to the same finding; and nothing read is never
//! reported as healthy.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn stackdoctor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .output()
        .unwrap()
}

fn json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["diagnose", ".", "--offline", "--format", "json"];
    all.extend(args);
    let output = stackdoctor(dir, &all);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}

fn causes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect()
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

// Caddy's JSON error log when it speaks plain HTTP to a TLS port (Go crypto/tls text).
const CADDY_TLS: &str = r#"{"level":"error","ts":1718000000.1,"logger":"http.log.error","msg":"tls: first record does not look like a TLS handshake","request":{"remote_ip":"172.18.0.1","method":"GET","host":"app.example.com","uri":"/"},"duration":0.01,"status":502}"#;

// nginx's error.log wording (ngx_event_connect.c / ngx_http_upstream.c).
const NGINX_REFUSED: &str = r#"2024/05/01 10:00:00 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.19.0.1, server: example.com, request: "GET / HTTP/1.1", upstream: "http://172.19.0.3:8000/", host: "example.com""#;

// botocore's wording of a missing credential chain.
const BOTO_NO_CREDENTIALS: &str =
    "botocore.exceptions.NoCredentialsError: Unable to locate credentials";

#[test]
fn a_recognised_line_without_its_config_still_gives_its_finding() {
    // No Caddyfile, no compose file, no code: only the lines.
    let dir = project(&[
        ("caddy.log", &format!("{CADDY_TLS}\n")),
        ("nginx-error.log", &format!("{NGINX_REFUSED}\n")),
        ("backend.log", &format!("{BOTO_NO_CREDENTIALS}\n")),
    ]);
    let (code, report) = json(
        dir.path(),
        &[
            "--logs",
            "caddy.log",
            "--logs",
            "nginx-error.log",
            "--logs",
            "backend.log",
        ],
    );
    assert_eq!(code, Some(1), "{report:#}");
    let found = causes(&report);
    for cause in [
        "upstream-scheme-mismatch",
        "proxy-upstream-refused",
        "aws-no-credentials",
    ] {
        assert!(
            found.iter().any(|c| c == cause),
            "{cause} missing: {found:?}"
        );
    }
    // Each finding quotes its line as log evidence and has a title without placeholders.
    for finding in report["findings"].as_array().unwrap() {
        let title = finding["title"].as_str().unwrap();
        assert!(
            !title.contains("{upstream}") && !title.contains("{port}"),
            "{title}"
        );
        assert_eq!(finding["evidence"][0]["kind"], "log", "{finding:#}");
        assert!(!finding["fix"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_check_that_knows_the_config_adds_to_the_same_finding() {
    // The proxy dials plain HTTP to a port that speaks TLS, and Caddy's log says so.
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  api:\n    image: nginx\n    expose:\n      - \"443\"\n",
        ),
        ("Caddyfile", "example.com {\n\treverse_proxy api:443\n}\n"),
        ("caddy.log", &format!("{CADDY_TLS}\n")),
    ]);
    let (code, report) = json(dir.path(), &["--logs", "caddy.log"]);
    assert_eq!(code, Some(1), "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    let same: Vec<&Value> = findings
        .iter()
        .filter(|f| f["cause"] == "upstream-scheme-mismatch")
        .collect();
    assert_eq!(
        same.len(),
        1,
        "one finding per cause and subject: {report:#}"
    );
    let kinds: Vec<&str> = same[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"file") && kinds.contains(&"log"),
        "{kinds:?}"
    );
    // The exact fix of the check, not only "see explain".
    assert!(
        same[0]["fix"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["text"].as_str().unwrap().contains("https://")),
        "{:#}",
        same[0]
    );
}

#[test]
fn a_failure_seen_outranks_a_problem_read_only_in_files() {
    // A route to a retired service (read in the Caddyfile, priority 20) and
    // the app's database refusing its password (seen in its log, priority 50):
    // what the logs show breaks requests now, so it comes first.
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  web:\n    image: python:3.12\n    command: gunicorn -b 0.0.0.0:8000 app:app\n  db:\n    image: postgres:16\n",
        ),
        (
            "Caddyfile",
            "example.com {\n\thandle /old/* {\n\t\treverse_proxy legacy:9000\n\t}\n\treverse_proxy web:8000\n}\n",
        ),
        (
            "web.log",
            "psycopg2.OperationalError: connection to server at \"db\" (172.18.0.2), port 5432 failed: FATAL:  password authentication failed for user \"app\"\n",
        ),
    ]);
    let (code, report) = json(dir.path(), &["--logs", "web.log"]);
    assert_eq!(code, Some(1), "{report:#}");
    let found = causes(&report);
    assert_eq!(
        found.first().map(String::as_str),
        Some("app-database-auth-failed"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|c| c == "upstream-unknown-host"),
        "{found:?}"
    );
}

#[test]
fn an_empty_folder_is_not_healthy() {
    let dir = project(&[]);
    let (code, report) = json(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert_eq!(report["status"], "inconclusive");
    let why = report["nothing_diagnosed"].as_str().unwrap();
    assert!(why.contains("compose") && why.contains("--logs"), "{why}");
    let text = stackdoctor(dir.path(), &["diagnose", ".", "--offline"]);
    assert_eq!(text.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("Nothing to diagnose"), "{stdout}");
    assert!(!stdout.contains("healthy"), "{stdout}");
    let ja = stackdoctor(dir.path(), &["diagnose", ".", "--offline", "--lang", "ja"]);
    assert!(String::from_utf8_lossy(&ja.stdout).contains("診断できるものがありません"));
}

#[test]
fn files_it_does_not_understand_are_not_healthy() {
    let dir = project(&[
        ("README.md", "# my app\n"),
        ("main.go", "package main\nfunc main() {}\n"),
        (
            "app.log",
            "2024-05-01 10:00:00 ERROR payment worker crashed: code 7\nok\n",
        ),
    ]);
    let (code, report) = json(dir.path(), &["--logs", "app.log"]);
    assert_eq!(code, Some(2), "{report:#}");
    assert_eq!(report["status"], "inconclusive");
    assert_eq!(report["inputs"]["log_lines"], 2);
    assert_eq!(report["inputs"]["unrecognised_errors"], 1);
    let sample = &report["inputs"]["unrecognised_samples"][0];
    assert_eq!(sample["line"], 1);
    assert!(sample["label"].as_str().unwrap().contains("payment worker"));
}

#[test]
fn a_readable_stack_without_problems_is_healthy() {
    let dir = project(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n",
    )]);
    let (code, report) = json(dir.path(), &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["status"], "healthy");
    assert!(report.get("nothing_diagnosed").is_none());
}

#[test]
fn two_faults_on_one_hop_are_both_reported_with_fixes_that_agree() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/two-faults-one-hop");
    let (code, report) = json(&examples, &[]);
    assert_eq!(code, Some(1));
    let found = causes(&report);
    assert_eq!(
        found,
        ["upstream-wrong-port", "upstream-listens-on-localhost"],
        "{report:#}"
    );
    let fixes = |i: usize| report["findings"][i]["fix"].to_string();
    // The port fix names the second fault; the bind fix keeps the port the first one dials.
    assert!(
        fixes(0).contains("web:8000") && fixes(0).contains("127.0.0.1"),
        "{}",
        fixes(0)
    );
    assert!(fixes(1).contains("0.0.0.0:8000"), "{}", fixes(1));
}

#[test]
fn a_swag_typo_is_fixed_on_the_line_that_names_the_host() {
    // SWAG writes the host on `set $upstream_app …;`, not in `proxy_pass`.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nginx-swag-typo");
    let (code, report) = json(&example, &[]);
    assert_eq!(code, Some(1), "{report:#}");
    let edit = &report["findings"][0]["fix"][0]["edit"];
    assert_eq!(
        edit["file"], "config/nginx/proxy-confs/nextcloud.subdomain.conf",
        "{report:#}"
    );
    assert_eq!(
        edit["after"].as_str().map(str::trim),
        Some("set $upstream_app nextcloud;")
    );
}

/// The API's own error code in a log is evidence: with the seed's contract,
/// `AI_SERVICE_ERROR` responses next to a Bedrock throttling line go under
/// the throttling, which (seen in the log) outranks the client's bugs read
/// in files; a code of no known kind stays a finding of its own.
#[test]
fn an_api_error_code_in_a_log_goes_under_the_deeper_cause_seen() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/api-retry-unreachable");
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("backend.log");
    std::fs::write(
        &log,
        "botocore.errorfactory.ThrottlingException: An error occurred (ThrottlingException) when calling the InvokeModel operation (reached max retries: 4): Too many requests, please wait before trying again.\n\
         {\"level\":\"error\",\"msg\":\"POST /api/ai/generate/actions 503\",\"body\":{\"success\":false,\"error\":{\"code\":\"AI_SERVICE_ERROR\",\"retryable\":true}}}\n\
         {\"level\":\"warn\",\"msg\":\"POST /api/ai/generate/actions 400\",\"body\":{\"success\":false,\"error\":{\"code\":\"VALIDATION_ERROR\",\"retryable\":false}}}\n",
    )
    .unwrap();
    let (code, report) = json(&seed, &["--logs", log.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "bedrock-throttled", "{report}");
    let symptom = &first["symptoms"][0];
    assert_eq!(symptom["cause"], "api-error-observed", "{first}");
    assert!(
        symptom["title"]
            .as_str()
            .unwrap()
            .contains("`AI_SERVICE_ERROR`"),
        "{symptom}"
    );
    let validation = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "api-error-observed")
        .unwrap_or_else(|| panic!("VALIDATION_ERROR is not a root: {report}"));
    assert!(
        validation["title"]
            .as_str()
            .unwrap()
            .contains("`VALIDATION_ERROR`"),
        "{validation}"
    );
    // Its evidence: the log line and the contract's section for the code.
    let kinds: Vec<&str> = validation["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["log", "file"], "{validation}");
}
