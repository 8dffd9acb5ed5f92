//! Bad input never panics: a clear error naming file, line and column,
//! exit code 2, and nothing changed on disk.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Every file below `dir` with its bytes, to prove nothing was written.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.display().to_string(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Writes `files` into a fresh folder, runs `diagnose`, and checks exit 2,
/// the message and that the folder is unchanged.
fn expect_error(files: &[(&str, &[u8])], args: &[&str], message: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let before = snapshot(dir.path());
    let mut all = vec!["diagnose", "."];
    all.extend(args);
    let output = run(dir.path(), &all);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains(message), "expected `{message}` in:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert_eq!(before, snapshot(dir.path()), "the folder changed");
    text
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    expect_error(
        &[(
            "compose.yaml",
            b"services:\n  web:\n    image: nginx\n   ports: [80\n",
        )],
        &[],
        "compose.yaml:4:",
    );
}

#[test]
fn unknown_compose_key_is_reported_with_position() {
    expect_error(
        &[(
            "compose.yaml",
            b"services:\n  web:\n    image: nginx\n    prots:\n      - \"80:80\"\n",
        )],
        &[],
        "compose.yaml:4:5",
    );
}

#[test]
fn unterminated_quote_in_env_file_is_reported() {
    expect_error(
        &[
            (
                "compose.yaml",
                b"services:\n  web:\n    image: nginx:${TAG}\n",
            ),
            (".env", b"TAG=\"1.27\nOTHER=1\n"),
        ],
        &[],
        ".env",
    );
}

#[test]
fn missing_compose_file_is_named() {
    expect_error(
        &[("compose.yaml", b"services: {}\n")],
        &["-f", "nope.yml"],
        "nope.yml",
    );
}

#[test]
fn required_variable_error_is_reported() {
    expect_error(
        &[("compose.yaml", b"services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD:?set it in .env}\n")],
        &[],
        "DB_PASSWORD",
    );
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let bomb = b"x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nx-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nx-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nx-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nx-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nx-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nx-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nx-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\nservices:\n  web:\n    image: nginx\n";
    expect_error(&[("compose.yaml", bomb)], &[], "compose.yaml");
}

#[test]
fn extends_cycle_is_reported() {
    expect_error(
        &[(
            "compose.yaml",
            b"services:\n  a:\n    extends: b\n    image: x\n  b:\n    extends: a\n",
        )],
        &[],
        "compose.yaml",
    );
}

#[test]
fn caddyfile_syntax_error_is_a_finding_with_position_and_exit_2() {
    let text = expect_error(
        &[("Caddyfile", b"example.org {\n\treverse_proxy web:80\n")],
        &[],
        "Caddyfile:2:16",
    );
    assert!(text.contains("proxy-config-invalid"), "{text}");
}

#[test]
fn caddyfile_import_cycle_is_reported() {
    let text = expect_error(
        &[
            ("Caddyfile", b"import a.caddy\n"),
            ("a.caddy", b"import b.caddy\n"),
            ("b.caddy", b"import a.caddy\n"),
        ],
        &["--caddyfile", "Caddyfile"],
        "proxy-config-invalid",
    );
    assert!(text.contains("cycle"), "{text}");
}

#[test]
fn missing_log_file_and_folder_are_named() {
    expect_error(
        &[("Caddyfile", b":80 {\n\trespond ok\n}\n")],
        &["--logs", "missing.log"],
        "missing.log",
    );
    let output = run(Path::new("."), &["diagnose", "/no/such/folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/folder"));
}

#[test]
fn bad_usage_exits_2() {
    let output = run(Path::new("."), &["diagnose", "--format", "xml"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(Path::new("."), &["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(Path::new("."), &["--help"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn binary_and_huge_inputs_do_not_panic() {
    // A compose file that is not text, and a log with a NUL and a 3 MiB line.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let output = run(dir.path(), &["diagnose", "."]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Caddyfile"), ":80 {\n\trespond ok\n}\n").unwrap();
    let mut log = vec![b'a'; 3 << 20];
    log.extend_from_slice(b"\n\0dial tcp: lookup web on 127.0.0.11:53: no such host\n");
    std::fs::write(dir.path().join("big.log"), log).unwrap();
    let output = run(
        dir.path(),
        &["diagnose", ".", "--logs", "big.log", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["findings"][0]["cause"],
        "proxy-upstream-lookup-failed"
    );
}

#[test]
fn errors_that_quote_input_mask_secrets() {
    let text = expect_error(
        &[(
            "compose.yaml",
            b"services:\n  web:\n    image: app\n    environment:\n      DATABASE_URL: \"postgres://app:s3cretpw@db/${ bad}\"\n",
        )],
        &[],
        "compose.yaml",
    );
    assert!(!text.contains("s3cretpw"), "{text}");
}

/// Jsonnet has no budget of its own: a discovered `ecspresso.jsonnet` that
/// would fill gigabytes or run for hours is stopped within the config budget
/// (5 s, 256 MiB) and reported at the file, and the diagnosis goes on.
#[test]
fn runaway_jsonnet_is_stopped_within_its_budget() {
    let header = "  region: 'ap-northeast-1', cluster: 'prod', service: 'api',\n  task_definition: 'td.json',\n";
    let huge = format!("{{\n{header}  tags: std.range(1, 1e8),\n}}\n");
    let exponential = format!(
        "local f(n) = if n == 0 then 1 else f(n - 1) + f(n - 1);\n{{\n{header}  timeout: std.toString(f(40)),\n}}\n"
    );
    for (source, budget) in [(huge, "memory budget"), (exponential, "time budget")] {
        let started = std::time::Instant::now();
        let text = expect_error(
            &[("ecspresso.jsonnet", source.as_bytes())],
            &["--offline"],
            budget,
        );
        assert!(text.contains("ecspresso.jsonnet:1:1"), "{text}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "took {:?}",
            started.elapsed()
        );
    }
}
