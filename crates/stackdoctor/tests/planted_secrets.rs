//! A secret of every well-known form, planted where each output could show
//! it (compose environment under harmless names, a quoted source line, log
//! lines, a line whose 200-character cut falls inside a secret, errors), must
//! reach no output: `diagnose` text, JSON, SARIF, `--verbose` and Japanese, `model` text and
//! JSON, `logs` text and JSON, `explain`, and error messages.

use std::path::Path;
use std::process::{Command, Output};

/// Each form, and the part of it that must never be shown.
const SECRETS: &[(&str, &str)] = &[
    ("redis://:Sup3rPassw0rdQ@redis:6379/0", "Sup3rPassw0rdQ"),
    ("ghp_R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0", "R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0"),
    (
        "github_pat_11AAAAAAA0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuv",
        "11AAAAAAA0aBcDeFgHiJkL",
    ),
    ("sk-proj-Qw3rTy8UiOp4AsDf6GhJk2LzXc", "Qw3rTy8UiOp4AsDf6GhJk2LzXc"),
    ("sk_live_51HxYzAbCdEfGhIjKlMnOp", "51HxYzAbCdEfGhIjKlMnOp"),
    ("xoxb-283746512093-4857392018475-QpWoEiRuTyAl", "4857392018475-QpWoEiRuTyAl"),
    ("xoxp-918273645501-1029384756102-ZmXnCbVlKjHg", "1029384756102-ZmXnCbVlKjHg"),
    ("AKIAQ7XZ4TPLANTEDK3Y", "AKIAQ7XZ4TPLANTEDK3Y"),
    ("ASIAQ7XZ4TPLANTEDS3Z", "ASIAQ7XZ4TPLANTEDS3Z"),
    (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.Zk9vQmFyQmF6UGxhbnRlZFNpZw",
        "Zk9vQmFyQmF6UGxhbnRlZFNpZw",
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktcGxhbnRlZEFBQUE\\n-----END OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktcGxhbnRlZEFBQUE",
    ),
    ("https://hooks.example.com/x?token=Tq8PlantedT0kenVal", "Tq8PlantedT0kenVal"),
];

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

/// A project whose proxy dials a port the app does not listen on, every
/// secret in the app's environment under names that say nothing secret, one
/// on the quoted `command:` line, and every secret in its logs.
fn planted_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut env = String::new();
    for (i, (secret, _)) in SECRETS.iter().enumerate() {
        env.push_str(&format!("      SETTING_{i}: \"{secret}\"\n"));
    }
    let compose = format!(
        "services:\n  proxy:\n    image: caddy:2\n    ports: [\"80:80\"]\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  web:\n    image: python:3.12\n    command: gunicorn app:app --bind 0.0.0.0:8000 --env CACHE=redis://:Sup3rPassw0rdQ@redis:6379/0 --env GH=ghp_R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0\n    environment:\n{env}"
    );
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    std::fs::write(
        dir.path().join("Caddyfile"),
        "example.com {\n\treverse_proxy web:9000\n}\n",
    )
    .unwrap();
    let mut log = String::new();
    for (secret, _) in SECRETS {
        let secret = secret.replace("\\n", "\n");
        log.push_str(&format!(
            "web-1  | ERROR upstream call failed with {secret} (giving up)\n"
        ));
        log.push_str(&format!("caddy-1  | {{\"level\":\"error\",\"ts\":1763715631.5,\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup web on 127.0.0.11:53: no such host {secret}\",\"status\":502}}\n"));
        // The 200-character cut of the message falls inside the secret.
        let head = "dial tcp: lookup web on 127.0.0.11:53: no such host; retried";
        log.push_str(&format!(
            "web-1  | {head}{} {secret} and gave up\n",
            " x".repeat((190 - head.len()) / 2)
        ));
    }
    std::fs::write(dir.path().join("app.log"), log).unwrap();
    dir
}

fn assert_no_secret(what: &str, output: &Output) {
    let all =
        String::from_utf8_lossy(&[&output.stdout[..], &output.stderr[..]].concat()).into_owned();
    assert!(!all.contains("panicked"), "{what}: {all}");
    for (_, hidden) in SECRETS {
        assert!(!all.contains(hidden), "{what} shows `{hidden}`:\n{all}");
    }
}

#[test]
fn no_output_shows_a_planted_secret() {
    let dir = planted_project();
    let d = dir.path();
    let diagnose = ["diagnose", ".", "--offline", "--logs", "app.log"];
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("diagnose text", diagnose.to_vec()),
        (
            "diagnose json",
            [&diagnose[..], &["--format", "json"]].concat(),
        ),
        ("diagnose ja", [&diagnose[..], &["--lang", "ja"]].concat()),
        (
            "diagnose sarif",
            [&diagnose[..], &["--format", "sarif"]].concat(),
        ),
        ("diagnose verbose", [&diagnose[..], &["--verbose"]].concat()),
        ("model text", vec!["model", "."]),
        ("model json", vec!["model", ".", "--format", "json"]),
        ("logs text", vec!["logs", "app.log"]),
        ("logs json", vec!["logs", "app.log", "--format", "json"]),
    ];
    for (what, args) in runs {
        let output = stackdoctor(d, &args);
        assert!(
            matches!(output.status.code(), Some(0..=2)),
            "{what}: {output:?}"
        );
        assert!(!output.stdout.is_empty(), "{what} printed nothing");
        assert_no_secret(what, &output);
    }
    // The log lines did reach the outputs, masked.
    let logs = stackdoctor(d, &["logs", "app.log", "--format", "json"]);
    let text = String::from_utf8_lossy(&logs.stdout);
    assert!(text.contains("no such host"), "{text}");
    assert!(text.contains("****"), "{text}");
    let model =
        String::from_utf8_lossy(&stackdoctor(d, &["model", ".", "--format", "json"]).stdout)
            .into_owned();
    assert!(model.contains("redis://:****@redis:6379/0"), "{model}");
}

/// Masking `?token=…` used to take the `)` that closes the text around it.
#[test]
fn masking_keeps_the_bracket_after_a_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.log"),
        "web-1  | ERROR webhook failed (https://hooks.example.com/x?token=Tq8PlantedT0kenVal) status 403\n",
    )
    .unwrap();
    for format in ["text", "json"] {
        let output = stackdoctor(dir.path(), &["logs", "app.log", "--format", format]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("?token=****) status 403"), "{text}");
    }
}

#[test]
fn errors_and_explain_show_no_planted_secret() {
    let dir = planted_project();
    for (secret, _) in SECRETS {
        let secret = secret.replace("\\n", "\n");
        // An unknown cause quotes the argument.
        assert_no_secret("explain", &stackdoctor(dir.path(), &["explain", &secret]));
        // A usage error quotes the argument.
        assert_no_secret(
            "usage error",
            &stackdoctor(dir.path(), &["diagnose", ".", "--probe-timeout", &secret]),
        );
        // A compose file that does not parse is quoted in the error.
        let broken = tempfile::tempdir().unwrap();
        std::fs::write(
            broken.path().join("compose.yaml"),
            format!("services:\n  web:\n    image: app\n    environment:\n      X: \"{}\n      bad: [\n", secret.replace('\n', "\\n")),
        )
        .unwrap();
        let output = stackdoctor(broken.path(), &["diagnose", ".", "--offline"]);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert_no_secret("compose error", &output);
    }
}
