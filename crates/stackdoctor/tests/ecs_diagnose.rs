//! `stackdoctor diagnose` on ECS services deployed with ecspresso, end to
//! end through the binary: every config of ecspresso's own test corpus,
//! the flags ecspresso users know (`--config`, `ECSPRESSO_CONFIG`,
//! `--envfile`, `--ext-str`), captured output piped on stdin, a deploy
//! timeout grouped under the cause that stopped the tasks, secrets that
//! never reach the output, Japanese texts, and `--aws` against moto.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// ecspresso's test corpus; `None` (the test is skipped, or fails under
/// `CI=true`) when it is absent.
fn corpus() -> Option<PathBuf> {
    testcorpus::dir("ecspresso")
}

fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackdoctor"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("ECSPRESSO_CONFIG")
        .env_remove("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(dir, args, env).output().unwrap()
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn causes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect()
}

fn symptoms(finding: &Value) -> Vec<String> {
    finding["symptoms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect()
}

/// Every config of ecspresso's own tests loads: no exit 2, one config read,
/// and whatever needs AWS is a note, never an error of stackdoctor's.
#[test]
fn every_config_of_the_ecspresso_corpus_is_diagnosed() {
    let Some(root) = corpus() else {
        return;
    };
    if !root.is_dir() {
        eprintln!("skipped: {} is not here", root.display());
        return;
    }
    let root_text = root.to_str().unwrap().to_string();
    let env = [
        ("AWS_REGION", "ap-northeast-1"),
        ("PWD", root_text.as_str()),
        ("TAG", "v1"),
        ("SERVICE", "svc"),
        ("AWS_ACCOUNT_ID", "123456789012"),
        ("JSON", "{\"a\":1}"),
        ("OPTION", "x"),
        ("DEPLOYMENT_CONTROLLER", "ECS"),
    ];
    let mut configs = Vec::new();
    for dir in ["tests", "tests/ci", "tests/terraform", "newer/tests"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "yml" | "yaml" | "json" | "jsonnet") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains("task_definition") || text.contains("service_definition") {
                configs.push(path);
            }
        }
    }
    configs.sort();
    assert!(configs.len() >= 20, "{configs:?}");
    let mut failures = Vec::new();
    for config in &configs {
        let dir = config.parent().unwrap();
        let output = run(
            dir,
            &[
                "diagnose",
                ".",
                "--offline",
                "--config",
                config.to_str().unwrap(),
                "--ext-str",
                "WorkerID=1",
                "--ext-str",
                "EphemeralStorage=25",
                "--ext-code",
                "DEPLOYMENT_CONTROLLER=\"ECS\"",
                "--format",
                "json",
            ],
            &env,
        );
        if output.status.code() == Some(2) || output.stdout.is_empty() {
            failures.push(format!(
                "{}: exit {:?}: {}",
                config.display(),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            ));
            continue;
        }
        let report = report(&output);
        let read = report["inputs"]["ecspresso_configs"]
            .as_array()
            .map_or(0, Vec::len);
        if read != 1 {
            failures.push(format!("{}: {read} configs read", config.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed's scenario: the deploy log's timeout and the stopped tasks.
fn oom_example(extra: &[&str]) -> Output {
    let mut args = vec![
        "diagnose",
        ".",
        "--offline",
        "--envfile",
        "prod.env",
        "--logs",
        "logs/deploy.log",
        "--logs",
        "logs/describe-tasks.json",
    ];
    args.extend(extra);
    run(&examples().join("ecs-oom-timeout"), &args, &[])
}

/// The seed's "timeout waiting for service stable" is a symptom: the OOM
/// kills in describe-tasks come first, the timeout under them.
#[test]
fn a_deploy_timeout_goes_under_the_oom_that_caused_it() {
    let output = oom_example(&["--format", "json"]);
    let report = report(&output);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "ecs-container-oom", "{report:#}");
    assert!(
        symptoms(first).contains(&"ecs-deploy-timeout".to_string()),
        "{first:#}"
    );
    assert!(
        !causes(&report).contains(&"ecs-deploy-timeout".to_string()),
        "{report:#}"
    );
    // The evidence joins the stopped task to the file to change.
    let evidence = first["evidence"].to_string();
    assert!(evidence.contains("describe-tasks.json"), "{evidence}");
    assert!(evidence.contains("ecs-task-def.json"), "{evidence}");
    assert_eq!(output.status.code(), Some(1));
}

/// `aws ecs describe-tasks … | stackdoctor diagnose --logs -`.
#[test]
fn describe_tasks_output_piped_on_stdin_is_read_whole() {
    let dir = examples().join("ecs-oom-timeout");
    let input = std::fs::read(dir.join("logs/describe-tasks.json")).unwrap();
    let report = diagnose_stdin_with(&dir, &["--envfile", "prod.env"], &input);
    assert_eq!(
        report["findings"][0]["cause"], "ecs-container-oom",
        "{report:#}"
    );
    assert!(report["findings"][0]["evidence"]
        .to_string()
        .contains("<stdin>"));
}

/// A secret read from an `--envfile` never reaches any output.
#[test]
fn secrets_from_envfiles_never_reach_the_output() {
    let dir = examples().join("ecs-secrets-access-denied");
    let secret = "s3cr3t-Example-Value-123";
    assert!(std::fs::read_to_string(dir.join("prod.env"))
        .unwrap()
        .contains(secret));
    for format in ["text", "json"] {
        let output = run(
            &dir,
            &[
                "diagnose",
                ".",
                "--offline",
                "--envfile",
                "prod.env",
                "--logs",
                "logs/describe-tasks.json",
                "--format",
                format,
            ],
            &[],
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains(secret), "{format}: {all}");
        assert!(all.contains("ecs-secrets-pull-failed"), "{format}: {all}");
    }
    let model = run(
        &dir,
        &["model", ".", "--envfile", "prod.env", "--format", "json"],
        &[],
    );
    assert!(!String::from_utf8_lossy(&model.stdout).contains(secret));
}

/// `ECSPRESSO_CONFIG` picks the config like ecspresso does; `--config`
/// naming a file that does not parse is exit 2 with its position.
#[test]
fn the_config_comes_from_the_flag_or_ecspresso_config() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(
        dir.join("staging.yml"),
        "region: ap-northeast-1\ncluster: staging\nservice: api\ntask_definition: td.json\ntimeout: 90\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("td.json"),
        r#"{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "app", "image": "nginx:1.27"}]}"#,
    )
    .unwrap();
    let output = run(
        dir,
        &["diagnose", ".", "--offline", "--format", "json"],
        &[("ECSPRESSO_CONFIG", "staging.yml")],
    );
    let report = report(&output);
    assert_eq!(
        report["inputs"]["ecspresso_configs"],
        json!(["staging.yml"]),
        "{report:#}"
    );
    // `timeout: 90` is 90 ns in ecspresso v2.
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "ecs-deploy-timeout", "{report:#}");
    assert_eq!(first["evidence"][0]["line"], 5);

    std::fs::write(
        dir.join("broken.yml"),
        "region: ap-northeast-1\ncluster: [prod\n",
    )
    .unwrap();
    let output = run(
        dir,
        &["diagnose", ".", "--offline", "--config", "broken.yml"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yml:"), "{stderr}");
    assert!(stderr.lines().count() <= 3, "one clear error: {stderr}");
}

/// The Jsonnet example needs `--ext-str ENV=…` like ecspresso does; with it,
/// it is healthy.
#[test]
fn jsonnet_projects_take_ext_str_and_envfiles() {
    let dir = examples().join("ecs-jsonnet-healthy");
    let output = run(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--ext-str",
            "ENV=prod",
            "--envfile",
            "prod.env",
            "--format",
            "json",
        ],
        &[],
    );
    let report = report(&output);
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    let without = run(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--envfile",
            "prod.env",
            "--format",
            "json",
        ],
        &[],
    );
    let without = report_or_error(&without);
    assert!(without.contains("ENV"), "{without}");
}

fn report_or_error(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn ecs_texts_exist_in_japanese() {
    let output = oom_example(&["--lang", "ja"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("メモリ"), "{text}");
    assert!(text.contains("強制終了"), "{text}");
}

/// `--aws` asks ECS (moto): the running revision differs from the file's
/// image, so the drift is reported with what runs; the service's
/// deployments and the family's revisions reach the model.
#[test]
fn with_aws_the_running_revision_is_compared_with_the_files() {
    let Some(moto) = awsapi::testing::Moto::start() else {
        eprintln!("skipped: moto is not installed (.ci/run installs it)");
        return;
    };
    let client = moto.client("ap-northeast-1");
    let ecs = |target: &str, body: Value| {
        client
            .raw_json(awsapi::Service::Ecs, target, &body)
            .unwrap()
    };
    // moto checks the subnet and security group of an awsvpc service.
    let ec2 = |action: &str, params: &[(&str, &str)], tag: &str| {
        let reply = client
            .raw_query(awsapi::Service::Ec2, action, params)
            .unwrap();
        let open = format!("<{tag}>");
        let start = reply.find(&open).unwrap() + open.len();
        reply[start..].split('<').next().unwrap().to_string()
    };
    let vpc = ec2("CreateVpc", &[("CidrBlock", "10.0.0.0/16")], "vpcId");
    let subnet = ec2(
        "CreateSubnet",
        &[("VpcId", &vpc), ("CidrBlock", "10.0.1.0/24")],
        "subnetId",
    );
    let group = ec2(
        "CreateSecurityGroup",
        &[
            ("GroupName", "api"),
            ("GroupDescription", "api"),
            ("VpcId", &vpc),
        ],
        "groupId",
    );
    ecs("CreateCluster", json!({"clusterName": "prod"}));
    let container = |image: &str| {
        json!({"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
               "cpu": "256", "memory": "512",
               "containerDefinitions": [{"name": "app", "image": image, "essential": true,
                                         "portMappings": [{"containerPort": 8080}]}]})
    };
    ecs(
        "RegisterTaskDefinition",
        container("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:1.4.1"),
    );
    ecs(
        "RegisterTaskDefinition",
        container("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:1.4.2"),
    );
    ecs(
        "CreateService",
        json!({"cluster": "prod", "serviceName": "api", "taskDefinition": "api:2", "desiredCount": 1,
               "launchType": "FARGATE",
               "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet],
                                        "securityGroups": [group], "assignPublicIp": "ENABLED"}}}),
    );
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(
        dir.join("ecspresso.yml"),
        "region: ap-northeast-1\ncluster: prod\nservice: api\nservice_definition: sv.json\ntask_definition: td.json\ntimeout: 15m\n",
    )
    .unwrap();
    let mut local = container("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:1.4.3");
    local["executionRoleArn"] = json!("arn:aws:iam::123456789012:role/ecsTaskExecutionRole");
    std::fs::write(
        dir.join("td.json"),
        serde_json::to_string_pretty(&local).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("sv.json"),
        r#"{"launchType": "FARGATE", "desiredCount": 1,
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60001"], "securityGroups": ["sg-0123456789abcdef0"], "assignPublicIp": "ENABLED"}}}"#,
    )
    .unwrap();
    let env = [
        ("AWS_ENDPOINT_URL", moto.url.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIATESTMOTO0000"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "ap-northeast-1"),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let output = run(
        dir,
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
    );
    let report = report(&output);
    let drift = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "ecs-definition-drift")
        .unwrap_or_else(|| panic!("{report:#}"));
    let evidence = drift["evidence"].to_string();
    assert!(
        evidence.contains("api:1.4.3") && evidence.contains("api:1.4.2"),
        "{evidence}"
    );
    assert!(evidence.contains("td.json"), "{evidence}");
    assert!(
        drift["title"].as_str().unwrap().contains("api:2"),
        "{drift:#}"
    );
    let model = run(dir, &["model", ".", "--aws", "--format", "json"], &env);
    let model: Value = serde_json::from_slice(&model.stdout).unwrap();
    let runtime = &model["ecs"]["runtime"];
    assert_eq!(runtime["services"][0]["name"], "api", "{runtime:#}");
    assert_eq!(
        runtime["services"][0]["deployments"][0]["status"], "PRIMARY",
        "{runtime:#}"
    );
    let revisions: Vec<u64> = runtime["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(revisions.len(), 2, "{runtime:#}");
    assert!(revisions.contains(&1) && revisions.contains(&2));
    // moto starts no tasks for a service, so ECS has no stopped tasks to show: the note says so.
    assert!(
        runtime["api_notes"]
            .to_string()
            .contains("no stopped tasks"),
        "{runtime:#}"
    );
    // A service name ECS does not know: `ecspresso deploy` would create a second service.
    std::fs::write(
        dir.join("ecspresso.yml"),
        "region: ap-northeast-1\ncluster: prod\nservice: api-v2\nservice_definition: sv.json\ntask_definition: td.json\ntimeout: 15m\n",
    )
    .unwrap();
    let output = run(
        dir,
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
    );
    let second = self::report(&output);
    let missing = second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "ecspresso-config-invalid")
        .unwrap_or_else(|| panic!("{second:#}"));
    let evidence = missing["evidence"].to_string();
    assert!(
        evidence.contains("MISSING") && evidence.contains("api-v2"),
        "{evidence}"
    );
    assert!(evidence.contains("ecspresso.yml"), "{evidence}");
}

/// `stackdoctor diagnose . --offline --logs - --format json` (plus `extra`)
/// in `dir`, with `input` on standard input.
fn diagnose_stdin_with(dir: &Path, extra: &[&str], input: &[u8]) -> Value {
    let mut args = vec![
        "diagnose",
        ".",
        "--offline",
        "--logs",
        "-",
        "--format",
        "json",
    ];
    args.extend(extra);
    let mut child = command(dir, &args, &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    report(&child.wait_with_output().unwrap())
}

fn diagnose_stdin(dir: &Path, input: &str) -> Value {
    diagnose_stdin_with(dir, &[], input.as_bytes())
}

/// `ecspresso deploy 2>&1 | stackdoctor diagnose --logs -` with no project
/// files at hand: ecspresso's own lines (v2.8 slog format here) name the cause.
#[test]
fn ecspresso_output_alone_is_triaged() {
    let empty = tempfile::tempdir().unwrap();
    let register = "2026-01-29T06:56:10.956Z [INFO] [api/prod] Starting deploy\n\
        2026-01-29T06:56:12.001Z [ERROR] [api/prod] FAILED. failed to register task definition: operation error ECS: RegisterTaskDefinition, https response error StatusCode: 400, RequestID: 5f0c, ClientException: No Fargate configuration exists for given values.\n";
    let report = diagnose_stdin(empty.path(), register);
    assert_eq!(
        report["findings"][0]["cause"], "ecs-invalid-cpu-memory",
        "{report:#}"
    );
    let evidence = &report["findings"][0]["evidence"][0];
    assert_eq!(
        (evidence["file"].as_str(), evidence["line"].as_u64()),
        (Some("<stdin>"), Some(2)),
        "{evidence:#}"
    );

    // The seed guide's own wording: the timeout is all there is, so it is the
    // finding, and its fix says to look at the stopped tasks before raising it.
    let guide = "2026/11/20 10:25:03 api/prod [ERROR] FAILED. timeout waiting for service stable\n";
    let report = diagnose_stdin(empty.path(), guide);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "ecs-deploy-timeout", "{report:#}");
    let fix = first["fix"].to_string();
    assert!(
        fix.contains("describe-tasks") && fix.contains("--service-name api"),
        "{fix}"
    );
}

/// ECS's refusals as ecspresso relays them: each names its cause, and the
/// failed deploy goes under it; an unexplained one is still a finding.
#[test]
fn every_failed_step_of_ecspresso_is_a_finding() {
    let empty = tempfile::tempdir().unwrap();
    let chain = |step: &str, api: &str, message: &str| {
        format!(
            "2026/11/20 10:15:04 api/prod [ERROR] FAILED. {step}: operation error ECS: {api}, https response error StatusCode: 400, RequestID: 5f0c, {message}\n"
        )
    };
    let cases = [
        (chain("failed to update service tasks", "UpdateService", "InvalidParameterException: The container app did not have a container port 80 defined."), "ecs-lb-container-mismatch"),
        (chain("failed to create service", "CreateService", "InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified."), "ecs-network-config"),
        (chain("failed to register task definition", "RegisterTaskDefinition", "ClientException: Fargate only supports network mode ‘awsvpc’."), "ecs-fargate-invalid-parameter"),
        (chain("failed to register task definition", "RegisterTaskDefinition", "ClientException: Role is not valid"), "ecs-missing-execution-role"),
        (chain("failed to register task definition", "RegisterTaskDefinition", "ClientException: When networkMode=awsvpc, the host ports and container ports in port mappings must match."), "ecs-port-mapping-invalid"),
        ("2026/11/20 10:15:04 api/prod [ERROR] FAILED. service api is not found\n".to_string(), "ecspresso-config-invalid"),
    ];
    for (line, cause) in cases {
        let report = diagnose_stdin(empty.path(), &line);
        let first = &report["findings"][0];
        assert_eq!(first["cause"], cause, "{line}{report:#}");
        assert!(
            symptoms(first).contains(&"ecspresso-deploy-failed".to_string()),
            "{first:#}"
        );
    }
    let codedeploy = chain(
        "failed to update service attributes",
        "UpdateService",
        "InvalidParameterException: Unable to update load balancers on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.",
    );
    let report = diagnose_stdin(empty.path(), &codedeploy);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "ecspresso-deploy-failed", "{report:#}");
    assert!(
        first["fix"].to_string().contains("Use AWS CodeDeploy"),
        "{first:#}"
    );
}

/// A secret written in a task definition's plain `environment` is masked in
/// every output, the source snippets of findings on that line included.
#[test]
fn secrets_written_in_task_definitions_are_masked() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join("ecspresso.yml"), "region: ap-northeast-1\ncluster: prod\nservice: api\ntask_definition: td.json\ntimeout: 15m\n").unwrap();
    // The memory is on the secret's line, so the cpu/memory finding quotes it.
    std::fs::write(
        dir.join("td.json"),
        r#"{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256",
"containerDefinitions": [{"name": "app", "image": "nginx:1.27", "environment": [{"name": "API_TOKEN", "value": "tok-Example-7731"}]}], "memory": "4096"}
"#,
    )
    .unwrap();
    for args in [
        vec!["diagnose", ".", "--offline"],
        vec!["diagnose", ".", "--offline", "--format", "json"],
        vec!["model", ".", "--format", "json"],
    ] {
        let output = run(dir, &args, &[]);
        let all = report_or_error(&output);
        assert!(!all.contains("tok-Example-7731"), "{args:?}: {all}");
        if args[0] == "diagnose" {
            assert!(all.contains("ecs-invalid-cpu-memory"), "{all}");
        }
    }
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn finding<'a>(report: &'a Value, cause: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| f["cause"] == cause)
        .unwrap_or_else(|| panic!("no {cause}: {report:#}"))
}

/// A `must_env` variable CI sets is unset in the diagnosing shell: that is
/// `info` naming the placeholder and how to pass the value, and it never
/// outranks the OOM the deploy's output shows. Only ecspresso's own output
/// failing on the variable makes it the error.
#[test]
fn a_deploy_time_variable_never_outranks_a_failure_seen() {
    let dir = examples().join("ecs-must-env-with-oom");
    let mut cmd = command(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--logs",
            "logs/deploy.log",
            "--logs",
            "logs/describe-tasks.json",
            "--format",
            "json",
        ],
        &[],
    );
    let output = cmd.env_remove("IMAGE_TAG").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = report(&output);
    assert_eq!(causes(&report)[0], "ecs-container-oom", "{report:#}");
    let unset = finding(&report, "ecspresso-config-invalid");
    assert_eq!(unset["severity"], "info", "{unset:#}");
    assert!(unset["title"].as_str().unwrap().contains("IMAGE_TAG"));
    let evidence = unset["evidence"].to_string();
    assert!(
        evidence.contains("ecs-task-def.json")
            && evidence.contains("<unresolved:must_env:IMAGE_TAG>"),
        "{evidence}"
    );
    let fix = unset["fix"].to_string();
    assert!(
        fix.contains("--envfile") && fix.contains("export IMAGE_TAG"),
        "{fix}"
    );

    // Files only, nothing failing seen: healthy, the variable a note.
    let dir = examples().join("ecspresso-must-env-unset");
    let output = run(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--envfile",
            "prod.env",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(
        finding(&report_of(&output), "ecspresso-config-invalid")["severity"],
        "info"
    );

    // ecspresso's deploy failed on that very variable: the error, first, with its line.
    let output = run(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--envfile",
            "prod.env",
            "--logs",
            "logs/deploy.log",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let report = report_of(&output);
    let first = &findings(&report)[0];
    assert_eq!(first["cause"], "ecspresso-config-invalid", "{report:#}");
    assert_eq!(first["severity"], "error");
    let evidence = first["evidence"].to_string();
    assert!(
        evidence.contains("ecs-task-def.json") && evidence.contains("logs/deploy.log"),
        "{evidence}"
    );
}

fn report_of(output: &Output) -> Value {
    report(output)
}

/// Private subnets with `assignPublicIp: DISABLED` are AWS's recommended
/// layout: a healthy project exits 0 with an `info`; a pull timeout in the
/// stopped tasks makes the same setting the error.
#[test]
fn the_recommended_network_layout_is_healthy_until_timeouts_are_seen() {
    let dir = examples().join("ecs-private-subnets-healthy");
    let output = run(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--envfile",
            "prod.env",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = report(&output);
    let network = finding(&report, "ecs-network-config");
    assert_eq!(network["severity"], "info");
    assert!(network["fix"].to_string().contains("describe-route-tables"));

    let stopped = r#"{"tasks": [{"taskArn": "arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9",
  "lastStatus": "STOPPED", "stopCode": "TaskFailedToStart",
  "stoppedReason": "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:1.4.2: failed to do request: Head \"https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/v2/api/manifests/1.4.2\": dial tcp 10.0.3.17:443: i/o timeout"}]}
"#;
    let report = diagnose_stdin_with(&dir, &["--envfile", "prod.env"], stopped.as_bytes());
    let first = &findings(&report)[0];
    assert_eq!(first["cause"], "ecs-network-config", "{report:#}");
    assert_eq!(first["severity"], "error");
    let evidence = first["evidence"].to_string();
    assert!(
        evidence.contains("assignPublicIp") || evidence.contains("ecs-service-def.json"),
        "{evidence}"
    );
    assert!(evidence.contains("<stdin>"), "{evidence}");
    // The Go dial timeout the reason quotes is no proxy's upstream timeout.
    assert!(
        !causes(&report).iter().any(|c| c == "upstream-timeout"),
        "{report:#}"
    );
}

/// A bare `describe-tasks` answer on stdin, no project files: every
/// documented form of the stopped-task errors names its cause, also when
/// the reason is cut short (console width, copilot's wrap).
#[test]
fn every_documented_stopped_reason_names_its_cause_without_project_files() {
    let empty = tempfile::tempdir().unwrap();
    let cases = [
        // AWS "CannotPullContainer task errors"
        ("CannotPullContainerError: API error (500): Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request canceled while waiting for connection", "ecs-network-config"),
        ("CannotPullContainerError: context canceled", "ecs-network-config"),
        ("CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/api/web not found", "ecs-image-pull-failed"),
        ("CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob111111111: no space left on device", "ecs-image-pull-failed"),
        ("CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: failed open: unexpected status code", "ecs-image-pull-failed"),
        ("CannotPullContainerError: inspect image has been retried 5 time(s): httpReaderSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/manifests/sha256:2bb501e6429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.", "ecs-image-pull-failed"),
        ("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref", "ecs-image-pull-failed"),
        // ResourceInitializationError: secrets and registry auth
        ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed", "ecs-network-config"),
        ("ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3", "ecs-network-config"),
        ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/0a1b is not authorized to perform: ssm:GetParameters", "ecs-secrets-pull-failed"),
        ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:ap-southeast-2:220711411889:secret:app-i464n3 from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", "ecs-secrets-pull-failed"),
        ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:ap-northeast-1:5394593...", "ecs-secrets-pull-failed"),
        ("ResourceInitializationError: failed to initialize logging driver: failed to create Cloudwatch log stream: RequestError: send request failed", "ecs-network-config"),
        ("ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 1m: pull image", "ecs-network-config"),
        ("CannotStartContainerError: failed to get container status: context deadline exceeded", "ecs-container-exited"),
    ];
    let mut wrong = Vec::new();
    for (index, (reason, cause)) in cases.into_iter().enumerate() {
        let task = json!({
            "taskArn": "arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9",
            "lastStatus": "STOPPED",
            "stopCode": "TaskFailedToStart",
            "stoppedReason": reason,
        });
        // `aws ecs describe-tasks` as printed, or one EventBridge event per line.
        let json = if index % 2 == 0 {
            serde_json::to_string_pretty(&json!({"tasks": [task]})).unwrap()
        } else {
            serde_json::to_string(&json!({"detail-type": "ECS Task State Change", "source": "aws.ecs", "detail": task}))
                .unwrap()
        };
        let report = diagnose_stdin(empty.path(), &format!("{json}\n"));
        let first = report["findings"][0]["cause"]
            .as_str()
            .unwrap_or("none")
            .to_string();
        if first != cause {
            wrong.push(format!("{cause} expected, {first} found: {reason}"));
            continue;
        }
        let evidence = &report["findings"][0]["evidence"];
        assert!(evidence.to_string().contains("<stdin>"), "{evidence:#}");
        assert!(
            !causes(&report).iter().any(|c| c == "upstream-timeout"),
            "{report:#}"
        );
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The wording of other deploy tools for a deploy that never stabilised is
/// the deploy timeout, and what stopped the tasks comes first: copilot's
/// output on stdin with no project files, a CDK deploy with describe-tasks.
#[test]
fn deploy_tools_that_never_stabilise_go_under_the_cause() {
    let empty = tempfile::tempdir().unwrap();
    let copilot =
        std::fs::read_to_string(examples().join("ecs-copilot-deploy-failed/logs/svc-deploy.log"))
            .unwrap();
    let report = diagnose_stdin(empty.path(), &copilot);
    let first = &findings(&report)[0];
    assert_eq!(first["cause"], "ecs-image-pull-failed", "{report:#}");
    assert_eq!(first["evidence"][0]["file"], "<stdin>");
    assert!(
        symptoms(first).contains(&"ecs-deploy-timeout".to_string()),
        "{first:#}"
    );
    // copilot is not ecspresso: the fix does not tell to run it.
    assert!(
        !first["fix"].to_string().contains("ecspresso deploy"),
        "{first:#}"
    );

    let dir = examples().join("ecs-cloudformation-not-stabilized");
    let output = run(
        &dir,
        &[
            "diagnose",
            ".",
            "--offline",
            "--logs",
            "logs/cdk-deploy.log",
            "--logs",
            "logs/describe-tasks.json",
            "--format",
            "json",
        ],
        &[],
    );
    let report = report_of(&output);
    let first = &findings(&report)[0];
    assert_eq!(first["cause"], "ecs-network-config", "{report:#}");
    assert!(
        symptoms(first).contains(&"ecs-deploy-timeout".to_string()),
        "{first:#}"
    );
    assert!(
        !causes(&report).iter().any(|c| c == "upstream-timeout"),
        "{report:#}"
    );

    // Each tool's own words alone are the deploy timeout.
    for line in [
        "ApiStack | 1/4 | 1:02:41 PM | UPDATE_FAILED        | AWS::ECS::Service | Service/Service (ServiceD69D759B) Resource handler returned message: \"Exceeded attempts to wait\" (RequestToken: 9c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f, HandlerErrorCode: NotStabilized)",
        "Service arn:aws:ecs:us-west-2:845828040396:service/hacko-integration-transportService-67KME5SFWBJO-Service-1OVJNMOPH8ZH2 did not stabilize.",
        "##[error]Resource is not in the state servicesStable",
        "      PRIMARY  7         [failed]  1        0        10      1",
        "    CS Deployment Circuit Breaker was triggered'.\" (RequestToken: 3363df6b",
    ] {
        let report = diagnose_stdin(empty.path(), &format!("{line}\n"));
        assert_eq!(report["findings"][0]["cause"], "ecs-deploy-timeout", "{line}: {report:#}");
    }
}
