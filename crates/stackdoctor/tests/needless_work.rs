//! No work that the inputs do not need: a diagnosis of compose files, a
//! Caddyfile and an `.env` compiles none of the code scanner's patterns,
//! loads no signature library and parses no Bedrock model catalogue; its
//! report parses only the causes it shows and compiles no secret pattern
//! when no text looks like a secret. A Python file that calls Bedrock
//! compiles the patterns it needs, and a log loads the library once.
//! Counted, not timed (alone in this test binary, so the counters are this
//! test's).

use stackdoctor::sources::logs::SignatureSet;
use stackdoctor::sources::{bedrock_use, build_model, Inputs};
use std::path::Path;

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn diagnose(root: &Path, logs: Vec<std::path::PathBuf>) -> stackdoctor::model::StackModel {
    build_model(&Inputs {
        root: root.to_path_buf(),
        logs,
        ..Inputs::default()
    })
    .unwrap()
}

/// The JSON report of a model, as `diagnose --format json` writes it.
fn report(model: &stackdoctor::model::StackModel) -> serde_json::Value {
    let diagnosis = stackdoctor::diagnosis::diagnose(model);
    let report = stackdoctor::report::build(model, &diagnosis, stackdoctor::knowledge::Lang::En);
    serde_json::to_value(&report).unwrap()
}

#[test]
fn only_what_the_inputs_need_is_compiled_or_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "compose.yaml",
        "services:\n  proxy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  web:\n    build: .\n    command: gunicorn -b 0.0.0.0:8000 app:app\n    environment:\n      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app\n  db:\n    image: postgres:16\n",
    );
    write(
        root,
        "Caddyfile",
        "example.com {\n\treverse_proxy web:8000\n}\n",
    );
    write(
        root,
        ".env",
        "DB_PASSWORD=not-a-secret-42\nTAG=2.3.1\nWORKERS=4\n",
    );

    let model = diagnose(root, Vec::new());
    assert_eq!(model.services.len(), 3, "the stack was read");
    assert_eq!(model.proxies.len(), 1, "the Caddyfile was read");
    assert_eq!(bedrock_use::compiled_patterns(), 0, ".env is not code");
    assert_eq!(
        SignatureSet::loads(),
        0,
        "no logs, no probes: no signatures"
    );
    assert!(
        !bedrock::Catalogue::embedded_is_parsed(),
        "no model to look up: no model catalogue"
    );

    // The report of a stack with one fault: one cause parsed, no secret pattern.
    let healthy = report(&model);
    assert_eq!(healthy["status"], "healthy", "{healthy}");
    write(
        root,
        "Caddyfile",
        "example.com {\n\treverse_proxy webapp:8000\n}\n",
    );
    let model = diagnose(root, Vec::new());
    let broken = report(&model);
    let causes: std::collections::BTreeSet<&str> = broken["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| std::iter::once(f).chain(f["symptoms"].as_array().unwrap()))
        .map(|f| f["cause"].as_str().unwrap())
        .collect();
    assert!(causes.contains("upstream-unknown-host"), "{broken}");
    assert_eq!(
        stackdoctor::knowledge::catalogue().parsed_causes(),
        causes.iter().copied().collect::<Vec<_>>(),
        "only the causes shown are parsed"
    );
    assert_eq!(secretmask::compiled_patterns(), 0, "{broken}");

    // A Python file that calls Bedrock needs the scanner: it finds the call.
    write(
        root,
        "app/chat.py",
        "import boto3\nclient = boto3.client('bedrock-runtime', region_name='us-east-1')\nclient.converse(modelId='anthropic.claude-3-haiku-20240307-v1:0', messages=[])\n",
    );
    let model = diagnose(root, Vec::new());
    assert!(!model.aws.clients.is_empty(), "the Bedrock call is found");
    let compiled = bedrock_use::compiled_patterns();
    assert!(compiled > 0, "Python is scanned with patterns");
    assert_eq!(SignatureSet::loads(), 0);

    // A log loads the signature library, once per run.
    write(
        root,
        "caddy.log",
        "{\"level\":\"error\",\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup web on 127.0.0.11:53: no such host\"}\n",
    );
    let model = diagnose(root, vec![root.join("caddy.log")]);
    assert!(!model.log_events.is_empty(), "the log line is recognised");
    assert_eq!(SignatureSet::loads(), 1);
    // Patterns compile once per process, not per run.
    assert_eq!(bedrock_use::compiled_patterns(), compiled);
}
