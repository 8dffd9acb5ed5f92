//! Hostile and broken input through the binary: files outside the project
//! are never read (a note says so, no content is printed), and broken input
//! is a finding or a note in every output format, never `healthy` in silence.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

fn stackdoctor(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .output()
        .unwrap()
}

fn all_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `diagnose` text, JSON and Japanese, `model` text and JSON.
fn every_format(dir: &Path, extra: &[&str]) -> Vec<(String, Output)> {
    let mut runs = Vec::new();
    for (name, args) in [
        ("diagnose text", vec!["diagnose", ".", "--offline"]),
        (
            "diagnose json",
            vec!["diagnose", ".", "--offline", "--format", "json"],
        ),
        (
            "diagnose ja",
            vec!["diagnose", ".", "--offline", "--lang", "ja"],
        ),
        ("model text", vec!["model", "."]),
        ("model json", vec!["model", ".", "--format", "json"]),
    ] {
        let mut args = args;
        args.extend(extra);
        runs.push((name.to_string(), stackdoctor(dir, &args)));
    }
    runs
}

const OUTSIDE_SECRET: &str = "OUTSIDE-FILE-CONTENT-7f3a";

/// A folder outside the project with a Caddyfile and a snippet whose content must never show.
fn outside_files() -> tempfile::TempDir {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "sites.caddy",
        &format!("respond \"{OUTSIDE_SECRET}\"\n"),
    );
    write(
        outside.path(),
        "Caddyfile",
        &format!("example.com {{\n\trespond \"{OUTSIDE_SECRET}\"\n}}\n"),
    );
    outside
}

/// `import /abs/…`, `import ../../…` and a glob outside the project, from
/// a Caddyfile inside it: not read, a note says so in every format.
#[test]
fn caddyfile_imports_outside_the_project_are_not_read() {
    let outside = outside_files();
    let project = tempfile::tempdir().unwrap();
    let root = project.path().canonicalize().unwrap();
    let absolute = outside.path().join("sites.caddy").display().to_string();
    let relative = format!(
        "{}{}",
        "../".repeat(root.components().count() - 1),
        outside
            .path()
            .canonicalize()
            .unwrap()
            .join("sites.caddy")
            .strip_prefix("/")
            .unwrap()
            .display()
    );
    let glob = format!("{}/*.caddy", outside.path().display());
    for import in [absolute, relative, glob] {
        write(
            &root,
            "Caddyfile",
            &format!("example.com {{\n\timport {import}\n\treverse_proxy web:8000\n}}\n"),
        );
        for (name, output) in every_format(&root, &[]) {
            let text = all_text(&output);
            assert!(!text.contains(OUTSIDE_SECRET), "{name} ({import}): {text}");
            assert!(!text.contains("panicked"), "{text}");
            if name != "model text" {
                assert!(
                    text.contains("(outside the project, not read)"),
                    "{name} ({import}): {text}"
                );
            }
        }
        let output = stackdoctor(&root, &["diagnose", ".", "--offline", "--format", "json"]);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let note = &report["notes"][0];
        assert!(
            note["text"]
                .as_str()
                .unwrap()
                .ends_with("(outside the project, not read)"),
            "{report}"
        );
        assert_eq!(note["at"], "Caddyfile:2:2", "{report}");
    }
}

/// A Caddyfile in the project that is a link to a file outside it (found
/// in the tree and mounted by compose) is not read; named with
/// `--caddyfile`, it is.
#[test]
fn a_caddyfile_linked_outside_is_not_read_unless_named() {
    let outside = outside_files();
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    std::os::unix::fs::symlink(outside.path().join("Caddyfile"), root.join("Caddyfile")).unwrap();
    write(
        root,
        "compose.yaml",
        "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n",
    );
    for (name, output) in every_format(root, &[]) {
        let text = all_text(&output);
        assert!(!text.contains(OUTSIDE_SECRET), "{name}: {text}");
        assert!(
            text.contains("outside the project, not read"),
            "{name}: {text}"
        );
    }
    let output = stackdoctor(root, &["diagnose", ".", "--offline", "--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["inputs"]["proxies"], serde_json::json!([]));
    // The compose line that mounts it is where the note points.
    assert_eq!(report["notes"][0]["at"], "compose.yaml:5:9", "{report}");
    // Named on the command line, the file is read.
    let named = outside.path().join("Caddyfile");
    let output = stackdoctor(
        root,
        &[
            "model",
            ".",
            "--format",
            "json",
            "--caddyfile",
            named.to_str().unwrap(),
        ],
    );
    let text = all_text(&output);
    assert!(!text.contains("outside the project"), "{text}");
    assert!(text.contains("example.com"), "{text}");
}

/// A link inside the project to a Caddyfile inside it is read, once.
#[test]
fn a_caddyfile_linked_inside_the_project_is_read_once() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    write(
        root,
        "Caddyfile.prod",
        "example.com {\n\treverse_proxy web:8000\n}\n",
    );
    std::os::unix::fs::symlink("Caddyfile.prod", root.join("Caddyfile")).unwrap();
    let output = stackdoctor(root, &["diagnose", ".", "--offline", "--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["inputs"]["proxies"],
        serde_json::json!(["Caddyfile"])
    );
    assert_eq!(report["notes"], serde_json::json!([]));
}

/// Jsonnet `importstr '/path'` of a file outside the project: ecspresso's
/// evaluation fails without reading it; the error never holds its content.
#[test]
fn jsonnet_importstr_outside_the_project_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.txt", &format!("{OUTSIDE_SECRET}\n"));
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    write(
        root,
        "ecspresso.jsonnet",
        &format!(
            "{{\n  region: 'ap-northeast-1',\n  cluster: 'prod',\n  service: 'api',\n  task_definition: 'td.json',\n  x: error importstr '{}',\n}}\n",
            outside.path().join("secret.txt").display()
        ),
    );
    write(
        root,
        "td.json",
        "{\"family\": \"api\", \"containerDefinitions\": []}\n",
    );
    for (name, output) in every_format(root, &[]) {
        let text = all_text(&output);
        assert!(!text.contains(OUTSIDE_SECRET), "{name}: {text}");
        assert!(
            text.contains("outside the project, not read"),
            "{name}: {text}"
        );
    }
}

/// An empty compose file: compose refuses it (`empty compose file`,
/// compose-go TestEmptyFile); it was reported `healthy`.
#[test]
fn an_empty_compose_file_is_an_input_error() {
    let project = tempfile::tempdir().unwrap();
    write(project.path(), "compose.yaml", "");
    for (name, output) in every_format(project.path(), &[]) {
        assert_eq!(output.status.code(), Some(2), "{name}");
        let text = all_text(&output);
        assert!(
            text.contains("compose.yaml:1:1: empty compose file"),
            "{name}: {text}"
        );
        assert!(!text.contains("healthy"), "{name}: {text}");
    }
}

/// Caddyfiles `caddy adapt` (2.6.2) refuses: a stray `}` after a site
/// (`subject does not qualify for certificate: '}'`) and `header_up` with
/// four arguments (`Wrong argument count …`). Both were `healthy`; now they
/// are `proxy-config-invalid` (exit 2) in every format.
#[test]
fn caddyfiles_caddy_refuses_are_findings() {
    for (caddyfile, message, at) in [
        (
            "example.com {\n\treverse_proxy web:8000\n}\n}\n",
            "subject does not qualify for certificate: '}'",
            "Caddyfile:4:1",
        ),
        (
            "example.com {\n\treverse_proxy web:8000 {\n\t\theader_up Host a b c\n\t}\n}\n",
            "wrong argument count or unexpected line ending after 'c'",
            "Caddyfile:3:22",
        ),
    ] {
        let project = tempfile::tempdir().unwrap();
        write(project.path(), "Caddyfile", caddyfile);
        for (name, output) in every_format(project.path(), &[]) {
            assert_eq!(output.status.code(), Some(2), "{name}");
            let text = all_text(&output);
            assert!(text.contains(message), "{name}: {text}");
            if name.starts_with("diagnose") {
                assert!(text.contains("proxy-config-invalid"), "{name}: {text}");
            }
        }
        let output = stackdoctor(
            project.path(),
            &["diagnose", ".", "--offline", "--format", "json"],
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let e = &report["findings"][0]["evidence"][0];
        assert_eq!(
            format!(
                "{}:{}:{}",
                e["file"].as_str().unwrap(),
                e["line"],
                e["column"]
            ),
            at
        );
    }
}

/// A malformed IAM policy found in the tree was only in `model --format json`;
/// now the note is in the diagnose report too.
#[test]
fn a_malformed_iam_policy_in_the_tree_is_a_note_everywhere() {
    let project = tempfile::tempdir().unwrap();
    write(
        project.path(),
        "iam/role-policy.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"bedrock:InvokeModel\", \"Resource\": \"*\",}\n  ]\n}\n",
    );
    write(
        project.path(),
        "compose.yaml",
        "services:\n  web:\n    image: python:3.12\n",
    );
    for (name, output) in every_format(project.path(), &[]) {
        let text = all_text(&output);
        assert!(text.contains("not read as an IAM policy"), "{name}: {text}");
        assert!(text.contains("role-policy.json"), "{name}: {text}");
        if name.starts_with("diagnose") {
            assert!(text.contains("iam/role-policy.json:4:"), "{name}: {text}");
        }
    }
}

/// The app's endpoints refused, answering 404, or never answering: each
/// outcome is a note of the report (text and JSON); they showed nowhere.
#[test]
fn probe_outcomes_are_notes() {
    let refused = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        port
    };
    let not_found = TcpListener::bind("127.0.0.1:0").unwrap();
    let not_found_port = not_found.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in not_found.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
        }
    });
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
        }
    });
    let project = tempfile::tempdir().unwrap();
    write(
        project.path(),
        "compose.yaml",
        "services:\n  web:\n    image: python:3.12\n",
    );
    for (port, outcome) in [
        (refused, "connection refused"),
        (not_found_port, "answered 404"),
        (silent_port, "timed out"),
    ] {
        let url = format!("http://127.0.0.1:{port}");
        for format in ["text", "json"] {
            let output = stackdoctor(
                project.path(),
                &[
                    "diagnose",
                    ".",
                    "--url",
                    &url,
                    "--probe-timeout",
                    "0.5",
                    "--format",
                    format,
                ],
            );
            let text = all_text(&output);
            assert!(
                text.contains(&format!("probe GET {url}/health: {outcome}")),
                "{format}: {text}"
            );
            assert!(
                text.contains(&format!("probe GET {url}/: {outcome}")),
                "{format}: {text}"
            );
        }
    }
}

/// Input errors in ecspresso files exit 2 like a Caddyfile that does not
/// parse (they exited 1); the finding still shows.
#[test]
fn ecspresso_input_errors_exit_2() {
    for (files, message) in [
        (
            vec![("ecspresso.yml", "region: ap-northeast-1\ncluster: [prod\nservice: api\n")],
            "ecspresso.yml",
        ),
        (
            vec![
                ("ecspresso.yml", "region: ap-northeast-1\ncluster: prod\nservice: api\ntask_definition: td.json\n"),
                ("td.json", "{\"family\": \"api\",, \"containerDefinitions\": []}\n"),
            ],
            "td.json",
        ),
    ] {
        let project = tempfile::tempdir().unwrap();
        for (name, text) in &files {
            write(project.path(), name, text);
        }
        for format in ["text", "json"] {
            let output = stackdoctor(project.path(), &["diagnose", ".", "--offline", "--format", format]);
            let text = all_text(&output);
            assert_eq!(output.status.code(), Some(2), "{text}");
            assert!(text.contains("ecspresso-config-invalid"), "{text}");
            assert!(text.contains(message), "{text}");
        }
    }
}
