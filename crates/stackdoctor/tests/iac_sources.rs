//! ECS task and service definitions written outside ecspresso, end to end
//! through the binary: plain JSON found by its shape (register input,
//! describe output, service JSON), Terraform and CloudFormation. The same
//! broken definition gives the same findings, at the line of the user's own
//! file, whatever wrote it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("ECSPRESSO_CONFIG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn report(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec!["diagnose", ".", "--offline", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(dir, &all);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (value, output.status.code().unwrap_or(-1))
}

/// (cause, file, line) of the first evidence of every error-level finding.
fn errors(report: &Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let first = &f["evidence"][0];
            (
                f["cause"].as_str().unwrap().to_string(),
                first["file"].as_str().unwrap_or("").to_string(),
                first["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A Fargate task with three faults: 256 cpu with 4096 MiB, bridge
/// networking, and an ECR image with awslogs but no execution role.
const BROKEN_TASK: &str = r#"{
  "family": "api",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "bridge",
  "cpu": "256",
  "memory": "4096",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:v1",
      "essential": true,
      "portMappings": [{"containerPort": 8080, "hostPort": 8080}],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/api", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "api"}
      }
    }
  ]
}
"#;

const THREE_ERRORS: [&str; 3] = [
    "ecs-invalid-cpu-memory",
    "ecs-fargate-invalid-parameter",
    "ecs-missing-execution-role",
];

#[test]
fn a_standalone_task_definition_gives_the_errors_it_gives_inside_ecspresso() {
    let tmp = tempfile::tempdir().unwrap();
    let ecspresso = tmp.path().join("ecspresso-project");
    write(&ecspresso, "ecs-task-def.json", BROKEN_TASK);
    write(
        &ecspresso,
        "ecspresso.yml",
        "region: ap-northeast-1\ncluster: prod\nservice: api\ntask_definition: ecs-task-def.json\n",
    );
    let plain = tmp.path().join("plain");
    write(&plain, "deploy/taskdef.json", BROKEN_TASK);

    let (inside, code_inside) = report(&ecspresso, &[]);
    let (alone, code_alone) = report(&plain, &[]);
    assert_eq!((code_inside, code_alone), (1, 1));
    let strip = |found: Vec<(String, String, u64)>| -> Vec<(String, u64)> {
        found.into_iter().map(|(c, _, l)| (c, l)).collect()
    };
    let inside = errors(&inside);
    let alone_errors = errors(&alone);
    let mut causes: Vec<&str> = alone_errors.iter().map(|(c, _, _)| c.as_str()).collect();
    causes.sort_unstable();
    let mut expected = THREE_ERRORS.to_vec();
    expected.sort_unstable();
    assert_eq!(causes, expected, "{alone_errors:?}");
    assert!(alone_errors
        .iter()
        .all(|(_, file, _)| file == "deploy/taskdef.json"));
    assert_eq!(strip(inside), strip(alone_errors));
    // Found as a definition file, and no ecspresso-only finding about it.
    assert_eq!(alone["inputs"]["ecs_definitions"][0], "deploy/taskdef.json");
    assert_eq!(
        alone["inputs"]["ecspresso_configs"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(!alone.to_string().contains("ecspresso-config-invalid"));
    // The fix registers the file rather than running ecspresso.
    assert!(alone
        .to_string()
        .contains("aws ecs register-task-definition --cli-input-json file://deploy/taskdef.json"));
}

#[test]
fn describe_output_and_a_service_json_are_read_by_shape_under_any_name() {
    let tmp = tempfile::tempdir().unwrap();
    let indented: String = BROKEN_TASK.lines().map(|l| format!("  {l}\n")).collect();
    // `aws ecs describe-task-definition` output: the definition one level down.
    write(
        tmp.path(),
        "saved/current.json",
        &format!("{{\n  \"taskDefinition\":\n{indented}}}\n"),
    );
    write(
        tmp.path(),
        "saved/svc.json",
        r#"{
  "serviceName": "api",
  "cluster": "prod",
  "taskDefinition": "api:12",
  "launchType": "FARGATE",
  "loadBalancers": [
    {"containerName": "web", "containerPort": 8080, "targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/1"}
  ],
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}
}
"#,
    );
    write(
        tmp.path(),
        "package.json",
        r#"{"name": "web", "version": "1.0.0"}"#,
    );
    let (found, code) = report(tmp.path(), &[]);
    assert_eq!(code, 1);
    let errors = errors(&found);
    for cause in THREE_ERRORS {
        assert!(errors.iter().any(|(c, _, _)| c == cause), "{errors:?}");
    }
    // Positions are in the describe output (two lines lower than the bare file).
    let cpu = errors
        .iter()
        .find(|(c, _, _)| c == "ecs-invalid-cpu-memory")
        .unwrap();
    assert_eq!((cpu.1.as_str(), cpu.2), ("saved/current.json", 8));
    // The service of the same folder runs that family: its load balancer
    // names a container the task does not have.
    let mismatch = errors
        .iter()
        .find(|(c, _, _)| c == "ecs-lb-container-mismatch")
        .expect("the service is paired with the task");
    assert_eq!(mismatch.1, "saved/svc.json");
    assert_eq!(
        found["inputs"]["ecs_definitions"].as_array().unwrap().len(),
        1
    );
}

const SIZED_TASK: &str = r#"variable "cpu" {
  default = 256
}

variable "memory" {
  default = 512
}

resource "aws_ecs_task_definition" "api" {
  family                   = "api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = "arn:aws:iam::123456789012:role/exec"
  container_definitions = jsonencode([
    { name = "app", image = "nginx:1.27", essential = true }
  ])
}
"#;

#[test]
fn terraform_variables_come_from_defaults_tfvars_auto_tfvars_and_the_tfvars_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "main.tf", SIZED_TASK);
    // Valid pairs from the files Terraform reads by itself, later winning.
    write(dir, "terraform.tfvars", "memory = 1024\n");
    write(dir, "b.auto.tfvars", "memory = 2048\n");
    let (found, code) = report(dir, &[]);
    assert_eq!(code, 0, "{found}");
    // a.auto.tfvars sorts before b.auto.tfvars: b's 2048 stays.
    write(dir, "a.auto.tfvars", "memory = 4096\n");
    let (_, code) = report(dir, &[]);
    assert_eq!(code, 0);
    // --tfvars comes last and wins: 4096 with 256 cpu is refused, at its line.
    write(dir, "env/prod.tfvars", "# prod sizes\nmemory = 4096\n");
    let (found, code) = report(dir, &["--tfvars", "env/prod.tfvars"]);
    assert_eq!(code, 1);
    let errors = errors(&found);
    assert_eq!(
        errors[0],
        (
            "ecs-invalid-cpu-memory".to_string(),
            "env/prod.tfvars".to_string(),
            2
        )
    );
    // Without any override the default 512 is valid.
    for name in ["terraform.tfvars", "a.auto.tfvars", "b.auto.tfvars"] {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    let (found, code) = report(dir, &[]);
    assert_eq!(code, 0, "{found}");
}

#[test]
fn values_terraform_knows_only_at_apply_time_are_info_never_guessed() {
    let tmp = tempfile::tempdir().unwrap();
    let text = SIZED_TASK.replace(
        "memory                   = var.memory",
        "memory                   = data.aws_ssm_parameter.memory.value",
    );
    write(tmp.path(), "main.tf", &text);
    let (found, code) = report(tmp.path(), &[]);
    assert_eq!(code, 0, "{found}");
    let findings = found["findings"].as_array().unwrap();
    let note = findings
        .iter()
        .find(|f| f["cause"] == "ecspresso-unresolved-value")
        .expect("the unresolved value is reported");
    assert_eq!(note["severity"], "info");
    assert_eq!(note["evidence"][0]["file"], "main.tf");
    assert_eq!(note["evidence"][0]["line"], 14);
    assert!(note
        .to_string()
        .contains("data.aws_ssm_parameter.memory.value"));
    assert!(findings.iter().all(|f| f["severity"] != "error"));
}

#[test]
fn every_file_of_the_iac_corpus_loads_and_its_examples_have_no_error() {
    let Some(corpus) = testcorpus::dir("iac") else {
        return;
    };
    // The whole tree, and the folder of each form.
    let folders = vec![
        corpus.clone(),
        corpus.join("terraform-aws-ecs"),
        corpus.join("cloudformation"),
        corpus.join("copilot"),
        corpus.join("cdk"),
    ];
    let mut definitions = 0;
    for folder in &folders {
        let (found, code) = report(folder, &[]);
        assert_ne!(code, 2, "{}: {found}", folder.display());
        let errors = errors(&found);
        assert!(errors.is_empty(), "{}: {errors:?}", folder.display());
        if folder == &corpus {
            definitions = found["inputs"]["ecs_definitions"]
                .as_array()
                .map_or(0, Vec::len);
        }
    }
    // terraform-aws-ecs's service module and examples, the CloudFormation
    // ECS samples (YAML and JSON), Copilot's manifests and generated
    // stacks, and the CDK samples define task definitions.
    assert!(definitions >= 50, "{definitions} definition files read");
}

#[test]
fn a_terraform_policy_document_is_evaluated_with_positions_in_the_tf_file() {
    let tmp = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let (found, code) = report(&examples.join("bedrock-explicit-deny-terraform"), &[]);
    assert_eq!(code, 1);
    let first = &found["findings"][0];
    assert_eq!(first["cause"], "iam-explicit-deny");
    assert_eq!(first["evidence"][0]["file"], "infra/iam.tf");
    assert_eq!(first["evidence"][0]["line"], 8);
    // With the Deny gone the call is allowed: nothing about IAM remains.
    let text =
        std::fs::read_to_string(examples.join("bedrock-explicit-deny-terraform/infra/iam.tf"))
            .unwrap()
            .replace("effect      = \"Deny\"", "effect      = \"Allow\"");
    let copy = tmp.path();
    write(copy, "infra/iam.tf", &text);
    for name in ["docker-compose.yml", "app/assistant.py", "app/Dockerfile"] {
        let source = examples.join("bedrock-explicit-deny-terraform").join(name);
        write(copy, name, &std::fs::read_to_string(source).unwrap());
    }
    let (found, _) = report(copy, &[]);
    assert!(!found.to_string().contains("iam-explicit-deny"));
}

/// [`BROKEN_TASK`] as CloudFormation writes it: short forms, a parameter
/// with a default for the memory, `!GetAtt` for the task role.
const BROKEN_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  TaskMemory:
    Type: String
    Default: '4096'
Resources:
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: api
      RequiresCompatibilities: [FARGATE]
      NetworkMode: bridge
      Cpu: '256'
      Memory: !Ref TaskMemory
      TaskRoleArn: !GetAtt TaskRole.Arn
      ContainerDefinitions:
        - Name: app
          Image: !Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/api:v1'
          Essential: true
          PortMappings:
            - ContainerPort: 8080
              HostPort: 8080
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: /ecs/api
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: api
";

#[test]
fn a_cloudformation_task_gives_the_errors_of_the_same_json_at_its_own_lines() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "infra/service.yaml", BROKEN_TEMPLATE);
    let (found, code) = report(tmp.path(), &[]);
    assert_eq!(code, 1, "{found}");
    let mut found_errors = errors(&found);
    found_errors.sort();
    assert_eq!(
        found_errors,
        [
            (
                "ecs-fargate-invalid-parameter".to_string(),
                "infra/service.yaml".to_string(),
                20
            ),
            (
                "ecs-invalid-cpu-memory".to_string(),
                "infra/service.yaml".to_string(),
                5
            ),
            (
                "ecs-missing-execution-role".to_string(),
                "infra/service.yaml".to_string(),
                26
            ),
        ],
        "{found}"
    );
    assert_eq!(found["inputs"]["ecs_definitions"][0], "infra/service.yaml");
    // The memory's line is the parameter's default, where it is decided;
    // the fixes name CloudFormation's tools.
    let text = found.to_string();
    assert!(text.contains("cfn-lint infra/service.yaml"), "{text}");
    // The image's account and region are deploy-time values: info, never guessed.
    let unresolved = found["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "ecspresso-unresolved-value")
        .expect("unresolved values are reported");
    assert_eq!(unresolved["severity"], "info");
    assert!(unresolved.to_string().contains("Fn::GetAtt TaskRole.Arn"));
    // The same template as JSON gives the same causes.
    let json_dir = tmp.path().join("json");
    let as_json = r#"{"Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
  "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "bridge", "Cpu": "256", "Memory": "4096",
  "ContainerDefinitions": [{"Name": "app", "Image": {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/api:v1"},
    "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "/ecs/api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api"}}}]}}}}"#;
    write(&json_dir, "stack.template", as_json);
    let (found_json, _) = report(&json_dir, &[]);
    let mut causes: Vec<String> = errors(&found_json).into_iter().map(|(c, _, _)| c).collect();
    causes.sort();
    let mut expected: Vec<String> = THREE_ERRORS.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(causes, expected, "{found_json}");
}

#[test]
fn a_cloudformation_launch_template_and_policy_are_read_with_positions() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "stack.yaml",
        "Resources:
  Hosts:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: required
          HttpPutResponseHopLimit: 1
  AppPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: app
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Deny
            Action: bedrock:InvokeModel
            Resource: '*'
",
    );
    let output = run(tmp.path(), &["model", ".", "--format", "json"]);
    let model: Value = serde_json::from_slice(&output.stdout).unwrap();
    let setting = &model["aws"]["metadata_settings"][0];
    assert_eq!(setting["resource"], "Hosts");
    assert_eq!(setting["hop_limit"]["value"], 1);
    assert_eq!(setting["hop_limit"]["origin"]["line"], 8);
    assert_eq!(setting["http_tokens"]["value"], "required");
    let policies = model["aws"]["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 1, "{model}");
    assert!(policies[0].to_string().contains("bedrock:InvokeModel"));
    // With a log and a compose service: examples/aws-imds-hop-limit-cloudformation.
}

#[test]
fn a_copilot_manifest_is_checked_per_environment_at_its_own_lines() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "copilot/.workspace", "application: shop\n");
    write(
        tmp.path(),
        "copilot/api/manifest.yml",
        "name: api
type: Load Balanced Web Service
image:
  location: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1
  port: 8080
platform: linux/arm64
cpu: 256
memory: 512
environments:
  prod:
    memory: 4096
",
    );
    let (found, code) = report(tmp.path(), &[]);
    assert_eq!(code, 1, "{found}");
    // Only prod's override breaks the size table, at the override's line.
    assert_eq!(
        errors(&found),
        [(
            "ecs-invalid-cpu-memory".to_string(),
            "copilot/api/manifest.yml".to_string(),
            11
        )],
        "{found}"
    );
    let text = found.to_string();
    assert!(
        text.contains("copilot svc package --name api --env prod"),
        "{text}"
    );
    // ARM64 with an image pushed from elsewhere: a warning naming the build flag.
    let arch = found["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "ecs-image-arch-mismatch")
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(arch["severity"], "warning");
    assert_eq!(arch["evidence"][0]["line"], 6);
    assert!(arch
        .to_string()
        .contains("docker buildx build --platform linux/arm64"));
    // A manifest.yml elsewhere under a `copilot` folder is not a workload manifest.
    write(
        tmp.path(),
        "copilot/api/deploy/manifest.yml",
        "type: Backend Service\ncpu: 256\nmemory: 4096\n",
    );
    let (again, _) = report(tmp.path(), &[]);
    assert_eq!(errors(&again).len(), 1, "{again}");
    std::fs::remove_file(tmp.path().join("copilot/api/deploy/manifest.yml")).unwrap();
    // The manifest as a whole: one deployment per environment.
    let output = run(tmp.path(), &["model", ".", "--format", "json"]);
    let model: Value = serde_json::from_slice(&output.stdout).unwrap();
    let deployments = model["ecs"]["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0]["copilot"]["application"], "shop");
    assert_eq!(deployments[0]["copilot"]["environment"], "prod");
    assert_eq!(deployments[0]["source"], "copilot");
}

#[test]
fn a_copilot_secret_without_copilot_tags_is_told_to_be_tagged() {
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ecs-copilot-secret-untagged");
    let (found, code) = report(&example, &["--logs", "logs/svc-deploy.log"]);
    assert_eq!(code, 1);
    let first = &found["findings"][0];
    assert_eq!(first["cause"], "ecs-secrets-pull-failed");
    assert!(first["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["file"] == "copilot/api/manifest.yml" && e["line"] == 22));
    let commands: Vec<&str> = first["fix"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["command"].as_str())
        .collect();
    assert_eq!(
        commands[0],
        "aws ssm add-tags-to-resource --resource-type Parameter --resource-id /shop/prod/db-password --tags Key=copilot-application,Value=shop Key=copilot-environment,Value=prod"
    );
    assert!(commands.contains(&"copilot svc deploy --name api --env prod"));
}

const CDK_TS: &str = r#"import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';

const TASK_MEMORY = 4096;

export class ApiStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const taskDef = new ecs.FargateTaskDefinition(this, 'Api', {
      cpu: 256,
      memoryLimitMiB: TASK_MEMORY,
    });
    taskDef.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim'),
      portMappings: [{ containerPort: 8000 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'api' }),
    });
    taskDef.addToTaskRolePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['bedrock:InvokeModel'],
      resources: ['*'],
    }));
  }
}
"#;

const CDK_PY: &str = r#"from aws_cdk import Stack, aws_ecs as ecs

TASK_MEMORY = 4096


class ApiStack(Stack):
    def __init__(self, scope, id, **kwargs):
        super().__init__(scope, id, **kwargs)
        task_def = ecs.FargateTaskDefinition(
            self, "Api",
            cpu=256,
            memory_limit_mib=TASK_MEMORY,
        )
        task_def.add_container(
            "app",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.12-slim"),
            port_mappings=[ecs.PortMapping(container_port=8000)],
        )
"#;

#[test]
fn a_cdk_app_in_typescript_or_python_gives_the_same_errors_at_its_lines() {
    for (name, text, memory_line) in [("lib/api-stack.ts", CDK_TS, 5), ("app.py", CDK_PY, 3)] {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), name, text);
        let (found, code) = report(tmp.path(), &[]);
        assert_eq!(code, 1, "{name}: {found}");
        // The size comes from the constant, where it is decided.
        assert_eq!(
            errors(&found),
            [(
                "ecs-invalid-cpu-memory".to_string(),
                name.to_string(),
                memory_line
            )],
            "{name}: {found}"
        );
        assert!(found.to_string().contains("cdk synth"), "{name}: {found}");
        assert_eq!(found["inputs"]["ecs_definitions"][0], name);
    }
    // The TypeScript app's policy statement reaches the IAM evaluator.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "lib/api-stack.ts", CDK_TS);
    let output = run(tmp.path(), &["model", ".", "--format", "json"]);
    let model: Value = serde_json::from_slice(&output.stdout).unwrap();
    let policies = model["aws"]["policies"].to_string();
    assert!(
        policies.contains("bedrock:InvokeModel") && policies.contains("Deny"),
        "{policies}"
    );
    // A file that does not import the CDK is not read as one.
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "server.ts", "const x = new Map();\n");
    let output = run(plain.path(), &["model", ".", "--format", "json"]);
    let model: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(model["ecs"]["deployments"]
        .as_array()
        .is_none_or(Vec::is_empty));
}

#[test]
fn a_terraform_ecs_module_call_with_container_sizes_above_the_task_is_found_at_the_call() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "main.tf",
        r#"module "api" {
  source  = "terraform-aws-modules/ecs/aws//modules/service"
  version = "~> 6.0"

  name        = "api"
  cluster_arn = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
  subnet_ids  = ["subnet-0123456789abcdef0"]

  # Meant for the container, written for the task.
  cpu    = 256
  memory = 512

  container_definitions = {
    api = {
      cpu       = 1024
      memory    = 2048
      essential = true
      image     = "public.ecr.aws/docker/library/python:3.12-slim"
      portMappings = [{ containerPort = 8000, protocol = "tcp" }]
    }
  }
}

module "disabled" {
  source = "terraform-aws-modules/ecs/aws//modules/service"
  create = false
}
"#,
    );
    let (found, code) = report(tmp.path(), &[]);
    assert_eq!(code, 1, "{found}");
    let found_errors = errors(&found);
    assert_eq!(found_errors.len(), 1, "{found}");
    assert_eq!(found_errors[0].0, "ecs-invalid-cpu-memory");
    assert_eq!(found_errors[0].1, "main.tf");
    // The evidence names the container's cpu and memory; the fix says the
    // task needs their sum.
    let lines: Vec<u64> = found["findings"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert!(lines.contains(&15) && lines.contains(&16), "{lines:?}");
    let fixes = found["findings"][0]["fix"].to_string();
    assert!(
        fixes.contains("at least 2048") && fixes.contains("at least 1024"),
        "{fixes}"
    );
    // The module's defaults (cpu 1024, memory 2048) are valid on their own.
    let ok = tempfile::tempdir().unwrap();
    write(
        ok.path(),
        "main.tf",
        "module \"api\" {\n  source = \"terraform-aws-modules/ecs/aws//modules/service\"\n  subnet_ids = [\"subnet-1\"]\n  container_definitions = {\n    api = { essential = true, image = \"nginx:1.27\" }\n  }\n}\n",
    );
    let (found, _) = report(ok.path(), &[]);
    assert!(errors(&found).is_empty(), "{found}");
}
