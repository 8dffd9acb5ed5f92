//! `stackdoctor diagnose` on Bedrock stacks, end to end through the binary:
//! the seed's flow (region first, IAM denial grouped under it), live probes
//! of a local IMDS and app (instance without a role, IMDSv2 required, a 500
//! naming AccessDeniedException, everything hanging), `--iam-policy`,
//! `--bedrock-models`, and bad input.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackdoctor"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .env("NO_COLOR", "1")
        .env("STACKDOCTOR_TODAY", "2026-11-24");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn parse_report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)))
}

fn causes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect()
}

/// A one-route-table HTTP server: `answer(method, path)` gives status and
/// JSON body, or `None` to hold the connection and never answer.
fn serve(answer: fn(&str, &str) -> Option<(u16, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let Some((method, path)) = request_line(&stream) else {
                continue;
            };
            match answer(&method, &path) {
                Some((status, body)) => {
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                None => held.push(stream),
            }
        }
    });
    address
}

/// Reads the request line and headers (and drains a small body).
fn request_line(stream: &TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut parts = first.split_whitespace();
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// A project: `docker-compose.yml` and the app's code in `app/<file>`.
fn app_project(compose: &str, file: &str, code: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), compose).unwrap();
    std::fs::write(dir.path().join("app").join(file), code).unwrap();
    dir
}

/// A project on the host: one boto3 service with no credentials configured.
fn project_without_credentials() -> tempfile::TempDir {
    app_project(
        "services:\n  api:\n    build: ./app\n    ports:\n      - \"8000:8000\"\n    environment:\n      AWS_DEFAULT_REGION: us-east-1\n",
        "main.py",
        "import boto3\nclient = boto3.client(\"bedrock-runtime\")\nMODEL = \"amazon.nova-lite-v1:0\"\n\ndef ask(q):\n    return client.converse(modelId=MODEL, messages=[])\n",
    )
}

#[test]
fn the_seed_flow_puts_the_region_first_and_the_denial_under_it() {
    let out = run(
        &examples().join("bedrock-ui"),
        &[
            "diagnose",
            ".",
            "--logs",
            "logs/backend.log",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = parse_report(&out);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-region-mismatch");
    let symptoms: Vec<&str> = first["symptoms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cause"].as_str().unwrap())
        .collect();
    assert!(
        symptoms.contains(&"iam-missing-bedrock-permission"),
        "{symptoms:?}"
    );
    // The whole chain: compose default, the code's read, the container value, the missing .env, the policy.
    let labels: Vec<String> = first["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap_or_default().to_string())
        .collect();
    let text = labels.join("\n");
    for needle in [
        "so compose uses this default: `us-east-1`",
        "takes the region from `AWS_REGION`",
        ".env does not exist",
        "resources are in `ap-northeast-1`",
        "AccessDeniedException",
    ] {
        assert!(
            text.contains(needle) || report.to_string().contains(needle),
            "missing `{needle}` in {text}"
        );
    }
    let fix = first["fix"].to_string();
    assert!(
        fix.contains("printf 'AWS_REGION=ap-northeast-1\\\\n' >> .env"),
        "{fix}"
    );
    assert!(fix.contains("${AWS_REGION:-ap-northeast-1}"), "{fix}");
    // The model the guide uses is retired on the day of the diagnosis.
    assert!(causes(&report).contains(&"bedrock-model-end-of-life".to_string()));
    // Nothing written to disk.
    assert!(!examples().join("bedrock-ui/.env").exists());
}

#[test]
fn japanese_output_explains_the_region_chain() {
    let out = run(
        &examples().join("bedrock-ui"),
        &["diagnose", ".", "--offline", "--lang", "ja"],
        &[],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("`.env` で `AWS_REGION` が設定されていないため"),
        "{text}"
    );
    assert!(
        text.contains("プロジェクトのリソースは `ap-northeast-1` にあります"),
        "{text}"
    );
}

#[test]
fn an_instance_without_a_role_is_seen_by_the_imds_probe() {
    let imds = serve(|method, path| match (method, path) {
        ("PUT", "/latest/api/token") => Some((200, "token-value".into())),
        (_, "/latest/meta-data/iam/security-credentials/") => Some((404, String::new())),
        (_, "/latest/meta-data/placement/region") => Some((200, "us-east-1".into())),
        _ => Some((404, String::new())),
    });
    let project = project_without_credentials();
    let endpoint = format!("{imds}/");
    let out = run(
        project.path(),
        &["diagnose", ".", "--format", "json"],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)],
    );
    let report = parse_report(&out);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-no-credentials", "{report:#}");
    assert!(
        first["evidence"]
            .to_string()
            .contains("security-credentials/ → 404"),
        "{first:#}"
    );
    // Offline, the same project has no finding about credentials.
    let offline = parse_report(&run(
        project.path(),
        &["diagnose", ".", "--offline", "--format", "json"],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)],
    ));
    assert!(!causes(&offline).contains(&"aws-no-credentials".to_string()));
}

#[test]
fn required_tokens_on_a_bridge_network_warn_of_the_hop_limit() {
    let imds = serve(|method, path| match (method, path) {
        ("PUT", "/latest/api/token") => Some((200, "token-value".into())),
        ("GET", "/latest/meta-data/iam/security-credentials/") => Some((401, String::new())),
        _ => Some((401, String::new())),
    });
    let project = project_without_credentials();
    let endpoint = format!("{imds}/");
    let report = parse_report(&run(
        project.path(),
        &["diagnose", ".", "--format", "json"],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)],
    ));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "aws-imds-hop-limit")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["evidence"]
            .to_string()
            .contains("without a token → 401"),
        "{finding:#}"
    );
}

#[test]
fn the_apps_500_is_evidence_like_a_log_line() {
    let app = serve(|_, path| {
        match path {
        "/" => Some((200, r#"{"message":"Bedrock UI API is running","region":"us-east-1","bedrock_client":"initialized"}"#.into())),
        "/health" => Some((200, r#"{"status":"healthy"}"#.into())),
        _ => Some((500, r#"{"detail":"An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::123456789012:assumed-role/bedrock-ui-ec2-role/i-0abc is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0 because no identity-based policy allows the bedrock:InvokeModel action"}"#.into())),
    }
    });
    // The seed's app publishes 8000; point --url at the emulator through a copy whose port matches.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&examples().join("bedrock-ui"), dir.path());
    let port = app.rsplit(':').next().unwrap();
    let compose = std::fs::read_to_string(dir.path().join("docker-compose.yml"))
        .unwrap()
        .replace("\"8000:8000\"", &format!("\"{port}:8000\""));
    std::fs::write(dir.path().join("docker-compose.yml"), compose).unwrap();
    let out = run(
        dir.path(),
        &[
            "diagnose",
            ".",
            "--url",
            &app,
            "--probe-chat",
            "--format",
            "json",
        ],
        &[],
    );
    let report = parse_report(&out);
    let text = report.to_string();
    assert!(
        text.contains("POST ") && text.contains("/api/chat → 500"),
        "{report:#}"
    );
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-region-mismatch");
    // The denial seen by the probe is grouped under the region mismatch.
    assert!(
        first["symptoms"].to_string().contains("/api/chat → 500"),
        "{first:#}"
    );
}

#[test]
fn hanging_endpoints_cost_one_timeout() {
    let hang = serve(|_, _| None);
    let imds = format!("{hang}/");
    let start = Instant::now();
    let out = run(
        &examples().join("bedrock-ui"),
        &[
            "diagnose",
            ".",
            "--url",
            &hang,
            "--probe-timeout",
            "1",
            "--format",
            "json",
        ],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)],
    );
    let elapsed = start.elapsed();
    println!("diagnose with every endpoint hanging: {elapsed:?}");
    let report = parse_report(&out);
    assert_eq!(report["findings"][0]["cause"], "aws-region-mismatch");
    // One timeout (+10%) plus the process's own work; generous for slow machines.
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
}

#[test]
fn a_given_policy_is_used_and_a_broken_one_is_named_with_its_position() {
    let dir = project_without_credentials();
    let policy = dir.path().join("role.json");
    std::fs::write(&policy, "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}").unwrap();
    let outside = tempfile::tempdir().unwrap();
    let given = outside.path().join("role.json");
    std::fs::rename(&policy, &given).unwrap();
    let report = parse_report(&run(
        dir.path(),
        &[
            "diagnose",
            ".",
            "--offline",
            "--iam-policy",
            given.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    ));
    assert!(
        causes(&report).contains(&"iam-missing-bedrock-permission".to_string()),
        "{report:#}"
    );
    std::fs::write(
        &given,
        "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",, }\n  ]\n}\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "diagnose",
            ".",
            "--offline",
            "--iam-policy",
            given.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("role.json:3:"), "{stderr}");
    // The position is said once, after the file name.
    assert!(!stderr.contains(": 3:"), "{stderr}");
}

#[test]
fn a_user_catalogue_extends_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&examples().join("bedrock-invalid-model-id"), dir.path());
    let before = parse_report(&run(
        dir.path(),
        &["diagnose", ".", "--offline", "--format", "json"],
        &[],
    ));
    assert_eq!(before["findings"][0]["cause"], "bedrock-invalid-model-id");
    let catalogue = dir.path().join("models.toml");
    std::fs::write(&catalogue, "as_of = \"2026-11-24\"\n\n[[models]]\nid = \"anthropic.claude-3-hiaku-20240307-v1:0\"\nprovider = \"anthropic\"\nname = \"In-house alias\"\non_demand = [\"us-east-1\"]\nmarketplace = false\nlifecycle = { status = \"active\" }\n").unwrap();
    let after = parse_report(&run(
        dir.path(),
        &[
            "diagnose",
            ".",
            "--bedrock-models",
            catalogue.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    ));
    assert!(
        !causes(&after).contains(&"bedrock-invalid-model-id".to_string()),
        "{after:#}"
    );
    std::fs::write(&catalogue, "as_of = \n").unwrap();
    let out = run(
        dir.path(),
        &[
            "diagnose",
            ".",
            "--bedrock-models",
            catalogue.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("models.toml:1:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The instance moto runs for the `--aws` test, served by the IMDS emulator.
static INSTANCE_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[test]
fn with_aws_the_hop_limit_comes_from_ec2() {
    let Some(moto) = awsapi::testing::Moto::start() else {
        return;
    };
    let client = moto.client("us-east-1");
    let reply = client
        .raw_query(
            awsapi::Service::Ec2,
            "RunInstances",
            &[
                ("ImageId", "ami-12c6146b"),
                ("MinCount", "1"),
                ("MaxCount", "1"),
            ],
        )
        .unwrap();
    let start = reply.find("<instanceId>").unwrap() + "<instanceId>".len();
    let id = reply[start..].split('<').next().unwrap().to_string();
    INSTANCE_ID.set(id.clone()).unwrap();
    let imds = serve(|method, path| match (method, path) {
        ("PUT", "/latest/api/token") => Some((200, "token-value".into())),
        (_, "/latest/dynamic/instance-identity/document") => Some((
            200,
            format!(
                r#"{{"instanceId":"{}","region":"us-east-1","accountId":"123456789012"}}"#,
                INSTANCE_ID.get().unwrap()
            ),
        )),
        (_, "/latest/meta-data/placement/region") => Some((200, "us-east-1".into())),
        _ => Some((401, String::new())),
    });
    let project = project_without_credentials();
    let imds = format!("{imds}/");
    let env = [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.as_str()),
        ("AWS_ENDPOINT_URL", moto.url.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIATESTMOTO0000"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let report = parse_report(&run(
        project.path(),
        &[
            "diagnose",
            ".",
            "--aws",
            "--probe-timeout",
            "5",
            "--format",
            "json",
        ],
        &env,
    ));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "aws-imds-hop-limit")
        .unwrap_or_else(|| panic!("{report:#}"));
    // EC2 says the hop limit is 1 (moto's default): an error, not a guess.
    assert_eq!(finding["severity"], "error", "{finding:#}");
    assert!(
        finding["evidence"]
            .to_string()
            .contains(&format!("ec2:DescribeInstances {id}")),
        "{finding:#}"
    );
    assert!(
        finding["fix"].to_string().contains(&format!(
            "--instance-id {id} --http-put-response-hop-limit 2"
        )),
        "{finding:#}"
    );
    // After raising it to 2, as the fix says, the finding is gone.
    client
        .raw_query(
            awsapi::Service::Ec2,
            "ModifyInstanceMetadataOptions",
            &[
                ("InstanceId", &id),
                ("HttpPutResponseHopLimit", "2"),
                ("HttpTokens", "required"),
            ],
        )
        .unwrap();
    let report = parse_report(&run(
        project.path(),
        &[
            "diagnose",
            ".",
            "--aws",
            "--probe-timeout",
            "5",
            "--format",
            "json",
        ],
        &env,
    ));
    assert!(
        !causes(&report).contains(&"aws-imds-hop-limit".to_string()),
        "{report:#}"
    );
    // --aws and --offline exclude each other.
    let out = run(
        project.path(),
        &["diagnose", ".", "--aws", "--offline"],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_missing_statement_names_each_action_and_arn_once() {
    // Two operations (two IAM actions) on a profile (three ARNs), and a policy for S3 only.
    let dir = app_project(
        "services:\n  bot:\n    build: ./app\n    environment:\n      AWS_DEFAULT_REGION: ap-northeast-1\n",
        "bot.py",
        "import boto3\nrt = boto3.client(\"bedrock-runtime\")\nMODEL = \"jp.anthropic.claude-sonnet-4-5-20250929-v1:0\"\n\ndef once(m):\n    return rt.converse(modelId=MODEL, messages=m)\n\ndef stream(m):\n    return rt.converse_stream(modelId=MODEL, messages=m)\n",
    );
    std::fs::write(
        dir.path().join("policy.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let report = parse_report(&run(
        dir.path(),
        &["diagnose", ".", "--offline", "--format", "json"],
        &[],
    ));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "iam-missing-bedrock-permission")
        .unwrap_or_else(|| panic!("{report:#}"));
    let fix = finding["fix"][0]["text"].as_str().unwrap();
    let statement: Value = serde_json::from_str(&fix[fix.find('{').unwrap()..]).unwrap();
    assert_eq!(
        statement["Action"],
        serde_json::json!([
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream"
        ])
    );
    let resources: Vec<&str> = statement["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        resources,
        [
            "arn:aws:bedrock:ap-northeast-1:*:inference-profile/jp.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:ap-northeast-3::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        ]
    );
}

#[test]
fn a_log_without_service_names_belongs_to_the_only_service() {
    let project = project_without_credentials();
    // A plain log (no compose prefix, a file name that is no service).
    let log = project.path().join("app.log");
    std::fs::write(&log, "Traceback (most recent call last):\n  File \"/app/main.py\", line 6, in ask\nbotocore.exceptions.NoCredentialsError: Unable to locate credentials\n").unwrap();
    let report = parse_report(&run(
        project.path(),
        &[
            "diagnose",
            ".",
            "--offline",
            "--logs",
            "app.log",
            "--format",
            "json",
        ],
        &[],
    ));
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-no-credentials", "{report:#}");
    assert_eq!(first["evidence"][0]["file"], "app.log", "{first:#}");
}

#[test]
fn boto3_ignores_aws_region_so_the_client_has_none() {
    let dir = app_project(
        "services:\n  api:\n    build: ./app\n    environment:\n      AWS_REGION: us-west-2\n",
        "main.py",
        "import boto3\nclient = boto3.client(\"bedrock-runtime\")\n\ndef ask(m):\n    return client.converse(modelId=\"amazon.nova-lite-v1:0\", messages=m)\n",
    );
    let report = parse_report(&run(
        dir.path(),
        &["diagnose", ".", "--offline", "--format", "json"],
        &[],
    ));
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-region-mismatch", "{report:#}");
    let evidence = first["evidence"].to_string();
    assert!(
        evidence.contains("boto3 creates the client without a region"),
        "{evidence}"
    );
    assert!(
        evidence.contains("`AWS_REGION=us-west-2` is set, but this SDK does not read it"),
        "{evidence}"
    );
    assert!(
        first["fix"]
            .to_string()
            .contains("Set `AWS_DEFAULT_REGION`"),
        "{first:#}"
    );
}

/// A Jupyter notebook as nbformat 4 writes it: one JSON string per source line.
const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Summarise tickets with Claude 3 Sonnet (`anthropic.claude-3-sonnet-20240229-v1:0`)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import json\n",
    "import boto3\n",
    "\n",
    "bedrock = boto3.client(\"bedrock-runtime\", region_name=\"us-west-2\")\n",
    "MODEL_ID = \"anthropic.claude-3-sonnet-20240229-v1:0\"\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [],
   "source": [
    "body = {\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": 512,\n",
    "        \"messages\": [{\"role\": \"user\", \"content\": \"Summarise\"}]}\n",
    "response = bedrock.invoke_model(modelId=MODEL_ID, body=json.dumps(body))"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

#[test]
fn a_retired_model_in_a_notebook_cell_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("notebooks")).unwrap();
    std::fs::write(dir.path().join("notebooks/summarise.ipynb"), NOTEBOOK).unwrap();
    let report = parse_report(&run(
        dir.path(),
        &["diagnose", ".", "--offline", "--format", "json"],
        &[],
    ));
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "bedrock-model-end-of-life", "{report:#}");
    assert_eq!(first["severity"], "error", "{first:#}");
    let evidence = &first["evidence"][0];
    // The code cell's line in the .ipynb file, not the markdown cell's mention.
    assert_eq!(evidence["file"], "notebooks/summarise.ipynb", "{first:#}");
    assert_eq!(evidence["line"], 20, "{first:#}");
    assert_eq!(evidence["column"], 19, "{first:#}");
}

#[test]
fn a_model_list_in_an_env_file_is_checked_without_any_client() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "# models the batch job may use\nBEDROCK_MODELS=anthropic.claude-3-haiku-20240307-v1:0,amazon.titan-embd-text-v2:0\nLOG_LEVEL=info\n",
    )
    .unwrap();
    let report = parse_report(&run(
        dir.path(),
        &["diagnose", ".", "--offline", "--format", "json"],
        &[],
    ));
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "bedrock-invalid-model-id", "{report:#}");
    assert_eq!(first["severity"], "error", "{first:#}");
    let evidence = &first["evidence"][0];
    assert_eq!(evidence["file"], ".env", "{first:#}");
    assert_eq!(
        (evidence["line"].as_u64(), evidence["column"].as_u64()),
        (Some(2), Some(55)),
        "{first:#}"
    );
    assert!(
        first.to_string().contains("amazon.titan-embed-text-v2:0"),
        "{first:#}"
    );
    // The good ID of the same list raises nothing.
    assert_eq!(
        causes(&report)
            .iter()
            .filter(|c| *c == "bedrock-invalid-model-id")
            .count(),
        1,
        "{report:#}"
    );
}

#[test]
fn an_invalid_model_log_line_without_files_still_yields_its_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  gateway:\n    image: ghcr.io/berriai/litellm:main-stable\n    ports:\n      - \"4000:4000\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("gateway.log"),
        "gateway-1  | botocore.errorfactory.ValidationException: An error occurred (ValidationException) when calling the InvokeModel operation: The provided model identifier is invalid.\n\
         gateway-1  | DEBUG Sending http request: <AWSPreparedRequest method=POST, url=https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-hiaku-20240307-v1%3A0/invoke> The provided model identifier is invalid.\n",
    )
    .unwrap();
    let report = parse_report(&run(
        dir.path(),
        &[
            "diagnose",
            ".",
            "--offline",
            "--logs",
            "gateway.log",
            "--format",
            "json",
        ],
        &[],
    ));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "bedrock-invalid-model-id")
        .unwrap_or_else(|| panic!("{report:#}"));
    let text = finding.to_string();
    // The ID in the (percent-encoded) URL is checked against the catalogue.
    assert!(
        text.contains("anthropic.claude-3-haiku-20240307-v1:0"),
        "{finding:#}"
    );
    assert_eq!(finding["evidence"][0]["file"], "gateway.log", "{finding:#}");
}

/// A boto3 app (client without a region) and its compose file.
fn boto3_project(environment: &str, code_extra: &str) -> tempfile::TempDir {
    app_project(
        &format!("services:\n  api:\n    build: ./app\n    ports:\n      - \"8000:8000\"\n    environment:\n{environment}"),
        "main.py",
        &format!("import os\nimport boto3\n{code_extra}client = boto3.client(\"bedrock-runtime\"{})\n\ndef ask(m):\n    return client.converse(modelId=\"amazon.nova-lite-v1:0\", messages=m)\n",
            if code_extra.is_empty() { "" } else { ", aws_access_key_id=KEY, aws_secret_access_key=SECRET" }),
    )
}

fn diagnose_json(dir: &Path, env: &[(&str, &str)]) -> Value {
    parse_report(&run(
        dir,
        &["diagnose", ".", "--offline", "--format", "json"],
        env,
    ))
}

fn finding_of<'a>(report: &'a Value, cause: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == cause)
}

#[test]
fn misspelt_key_names_are_no_credentials_unless_the_code_reads_them() {
    let env = "      AWS_DEFAULT_REGION: us-east-1\n      AWS_ACCESS_KEY: AKIAIOSFODNN7EXAMPLE\n      AWS_SECRET_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    let dir = boto3_project(env, "");
    let report = diagnose_json(dir.path(), &[]);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-no-credentials", "{report:#}");
    let text = first.to_string();
    assert!(
        text.contains("`AWS_ACCESS_KEY` is read by no AWS SDK; the name is `AWS_ACCESS_KEY_ID`"),
        "{first:#}"
    );
    assert!(
        text.contains(
            "`AWS_SECRET_KEY` is read by no AWS SDK; the name is `AWS_SECRET_ACCESS_KEY`"
        ),
        "{first:#}"
    );
    // The fix renames the line itself.
    assert!(
        text.contains("\"after\":\"      AWS_ACCESS_KEY_ID: ****\""),
        "{first:#}"
    );
    assert!(
        !text.contains("AKIAIOSFODNN7EXAMPLE"),
        "key printed: {first:#}"
    );
    assert!(!text.contains("EXAMPLEKEY"), "secret printed: {first:#}");

    // The same names read by the app's own code, which hands them to boto3: nothing to say.
    let dir = boto3_project(
        env,
        "KEY = os.environ[\"AWS_ACCESS_KEY\"]\nSECRET = os.getenv(\"AWS_SECRET_KEY\")\n",
    );
    let report = diagnose_json(dir.path(), &[]);
    assert!(
        finding_of(&report, "aws-no-credentials").is_none(),
        "{report:#}"
    );
}

#[test]
fn a_region_under_a_name_no_sdk_reads_is_renamed_to_the_sdks() {
    let dir = boto3_project("      AWS_REGION_NAME: ap-northeast-1\n", "");
    let report = diagnose_json(dir.path(), &[]);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-region-mismatch", "{report:#}");
    let text = first.to_string();
    assert!(
        text.contains("`AWS_REGION_NAME` is read by no AWS SDK"),
        "{first:#}"
    );
    // boto3 reads AWS_DEFAULT_REGION only: that is the name to use.
    assert!(
        text.contains("Rename `AWS_REGION_NAME` to `AWS_DEFAULT_REGION`"),
        "{first:#}"
    );
    assert!(
        text.contains("AWS_DEFAULT_REGION: ap-northeast-1"),
        "{first:#}"
    );
}

#[test]
fn litellm_reads_aws_region_name_itself() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  gateway:\n    image: ghcr.io/berriai/litellm:main-stable\n    command: [\"--config\", \"/app/config.yaml\"]\n    volumes:\n      - ./config.yaml:/app/config.yaml:ro\n    environment:\n      AWS_REGION_NAME: us-west-2\n      AWS_SECRET_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        "model_list:\n  - model_name: haiku\n    litellm_params:\n      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0\n",
    )
    .unwrap();
    let report = diagnose_json(dir.path(), &[]);
    let text = report.to_string();
    // AWS_REGION_NAME is LiteLLM's own; AWS_SECRET_KEY is read by nobody.
    assert!(!text.contains("`AWS_REGION_NAME`"), "{report:#}");
    let finding = finding_of(&report, "aws-no-credentials").unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        finding
            .to_string()
            .contains("`AWS_SECRET_KEY` is read by no AWS SDK"),
        "{finding:#}"
    );
}

#[test]
fn a_mounted_aws_folder_without_the_selected_profile_is_no_source() {
    let dir = boto3_project(
        "      AWS_DEFAULT_REGION: us-east-1\n    volumes:\n      - ./aws:/root/.aws:ro\n",
        "",
    );
    std::fs::create_dir(dir.path().join("aws")).unwrap();
    std::fs::write(
        dir.path().join("aws/credentials"),
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("aws/config"),
        "[profile dev]\nregion = us-east-1\n",
    )
    .unwrap();
    let report = diagnose_json(dir.path(), &[]);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "aws-no-credentials", "{report:#}");
    let text = first.to_string();
    assert!(
        text.contains("it has no profile `default` (profiles: dev)"),
        "{first:#}"
    );
    assert!(!text.contains("EXAMPLE"), "a key was read: {first:#}");

    // AWS_PROFILE=dev selects the mounted profile: a working source.
    let compose = dir.path().join("docker-compose.yml");
    let text = std::fs::read_to_string(&compose).unwrap();
    std::fs::write(
        &compose,
        text.replace(
            "AWS_DEFAULT_REGION: us-east-1\n",
            "AWS_DEFAULT_REGION: us-east-1\n      AWS_PROFILE: dev\n",
        ),
    )
    .unwrap();
    let report = diagnose_json(dir.path(), &[]);
    assert!(
        finding_of(&report, "aws-no-credentials").is_none(),
        "{report:#}"
    );
}

#[test]
fn keys_forwarded_from_the_shell_without_a_session_token_are_a_warning() {
    let env = "      AWS_DEFAULT_REGION: us-east-1\n      AWS_ACCESS_KEY_ID: ${AWS_ACCESS_KEY_ID}\n      AWS_SECRET_ACCESS_KEY: ${AWS_SECRET_ACCESS_KEY}\n";
    let dir = boto3_project(env, "");
    // The shell that runs the diagnosis has no keys: their kind is unknown.
    let unset = [
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_SESSION_TOKEN", ""),
    ];
    let report = diagnose_json(dir.path(), &unset);
    let finding =
        finding_of(&report, "aws-credentials-invalid").unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(finding["severity"], "warning", "{finding:#}");
    assert!(
        finding
            .to_string()
            .contains("no `AWS_SESSION_TOKEN` goes with it"),
        "{finding:#}"
    );
    assert!(
        finding_of(&report, "aws-no-credentials").is_none(),
        "{report:#}"
    );

    // The bare `- NAME` form with the token forwarded too: nothing to say.
    let dir = boto3_project(
        "      - AWS_DEFAULT_REGION=us-east-1\n      - AWS_ACCESS_KEY_ID\n      - AWS_SECRET_ACCESS_KEY\n      - AWS_SESSION_TOKEN\n",
        "",
    );
    let report = diagnose_json(dir.path(), &unset);
    assert!(
        finding_of(&report, "aws-credentials-invalid").is_none(),
        "{report:#}"
    );
}
