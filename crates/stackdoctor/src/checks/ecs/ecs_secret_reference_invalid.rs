//! # ecs-secret-reference-invalid
//!
//! **What it detects:** a container `secrets` entry without `name` or
//! `valueFrom` (ecspresso verify: `secrets[%d] name is missing`,
//! `valueFrom is missing`); a `valueFrom` that starts with `arn:` but is
//! neither a Secrets Manager secret ARN
//! (`arn:aws:secretsmanager:<region>:<12 digits>:secret:<name>`, optionally
//! followed by `:<json-key>:<version-stage>:<version-id>`) nor an SSM
//! parameter ARN (`arn:aws:ssm:<region>:<12 digits>:parameter/<name>`);
//! and a Secrets Manager ARN with a JSON key or version fields while the
//! service pins a Fargate `platformVersion` below 1.4.0. Values left to an
//! AWS lookup offline (`<unresolved:…>`) are skipped.
//!
//! **Why it breaks requests:** ECS reads every secret with the execution
//! role before the container starts. A malformed reference is rejected by
//! `RegisterTaskDefinition`, or the task stops with
//! `ResourceInitializationError: unable to pull secrets or registry auth`
//! and never runs, so the deploy times out. Platform versions before 1.4.0
//! cannot select a JSON key or version of a secret.
//!
//! **Example:** `"valueFrom": "arn:aws:secretsmanager:ap-northeast-1:secret:prod/db"`
//! (the account is missing), or `"valueFrom": "arn:aws:ssm:ap-northeast-1:123456789012:prod/db"`
//! (no `parameter/`).
//!
//! **Fix:** copy the ARN from the console or `aws secretsmanager
//! describe-secret` / `aws ssm get-parameter`, give every entry both
//! `name` and `valueFrom`, and use platform version `LATEST` for JSON keys.

use super::support::{base_for, tasks, verify_step};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-secret-reference-invalid");

/// What a `valueFrom` names.
#[derive(Debug, PartialEq, Eq)]
pub enum Reference {
    /// A Secrets Manager ARN; `selects` when it has the json-key/version
    /// fields (more than 7 `:`-separated fields), which need platform 1.4.0.
    SecretsManager { selects: bool },
    /// An SSM parameter ARN.
    Parameter,
    /// A parameter name without an ARN (the task's region).
    Name,
    /// Starts with `arn:` but is neither.
    Invalid,
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_region(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Reads a `valueFrom` the way ECS does.
pub fn reference(value: &str) -> Reference {
    if !value.starts_with("arn:") {
        return Reference::Name;
    }
    let fields: Vec<&str> = value.split(':').collect();
    let head_ok = fields.len() >= 6
        && fields[1].starts_with("aws")
        && is_region(fields[3])
        && is_account(fields[4]);
    if !head_ok {
        return Reference::Invalid;
    }
    match fields[2] {
        "secretsmanager" => {
            let named = fields[5] == "secret" && fields.get(6).is_some_and(|n| !n.is_empty());
            if named && fields.len() <= 10 {
                Reference::SecretsManager {
                    selects: fields.len() > 7,
                }
            } else {
                Reference::Invalid
            }
        }
        "ssm" => {
            let named = fields[5]
                .strip_prefix("parameter/")
                .is_some_and(|n| !n.is_empty());
            if named && fields.len() == 6 {
                Reference::Parameter
            } else {
                Reference::Invalid
            }
        }
        _ => Reference::Invalid,
    }
}

/// `1.3.0` → `(1, 3, 0)`; `LATEST` and other names → `None`.
fn version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        let old_platform = deployment
            .service_definition
            .as_ref()
            .and_then(|s| s.platform_version.as_ref())
            .filter(|v| version(&v.value).is_some_and(|v| v < (1, 4, 0)));
        let mut finding = base_for(model, deployment, CAUSE);
        let mut problems = 0;
        let mut malformed = false;
        let mut incomplete = false;
        let mut selects = false;
        for container in &task.containers {
            let name = &container.name.value;
            for secret in &container.secrets {
                let label = match (&secret.name, &secret.value_from) {
                    (None, _) => Some(msg("no-name").with("container", name)),
                    (Some(n), None) => Some(
                        msg("no-value-from")
                            .with("container", name)
                            .with("secret", &n.value),
                    ),
                    _ => None,
                };
                if let Some(label) = label {
                    problems += 1;
                    incomplete = true;
                    finding = finding.evidence(secret.origin.clone(), label);
                }
                let Some(value) = &secret.value_from else {
                    continue;
                };
                if value.value.contains("<unresolved:") {
                    continue;
                }
                match reference(&value.value) {
                    Reference::Invalid => {
                        problems += 1;
                        malformed = true;
                        finding = finding.evidence(
                            value.origin.clone(),
                            msg("bad-arn")
                                .with("container", name)
                                .with("arn", &value.value),
                        );
                    }
                    Reference::SecretsManager { selects: true } if old_platform.is_some() => {
                        problems += 1;
                        selects = true;
                        finding = finding.evidence(
                            value.origin.clone(),
                            msg("json-key")
                                .with("container", name)
                                .with("arn", &value.value),
                        );
                    }
                    _ => {}
                }
            }
        }
        if problems == 0 {
            continue;
        }
        if incomplete {
            finding = finding.fix(FixStep::say(msg("complete")));
        }
        if malformed {
            finding = finding.fix(FixStep::say(msg("arn-forms")));
        }
        if let (true, Some(platform)) = (selects, old_platform) {
            finding = finding.evidence(
                platform.origin.clone(),
                msg("platform-version").with("version", &platform.value),
            );
            let edit = replace_on_line(model, &platform.origin, &platform.value, "LATEST");
            finding = match edit {
                Some(edit) => finding.fix(FixStep::edit(msg("use-latest"), edit)),
                None => finding.fix(FixStep::say(msg("use-latest"))),
            };
        }
        findings.push(finding.fix(verify_step(model)));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::{reference, run, Reference};
    use crate::model::StackModel;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\n\
        service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 15m\n";
    const SM: &str = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/api/db-AbCdEf";

    fn project(secret: &str, platform: &str) -> (tempfile::TempDir, StackModel) {
        let task = format!(
            r#"{{
  "family": "api",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {{
      "name": "app",
      "image": "nginx:1.27",
      "secrets": [
        {secret}
      ]
    }}
  ]
}}
"#
        );
        let service = format!(
            r#"{{
  "launchType": "FARGATE",
  "platformVersion": "{platform}",
  "desiredCount": 1,
  "networkConfiguration": {{
    "awsvpcConfiguration": {{
      "assignPublicIp": "ENABLED",
      "subnets": ["subnet-0a1b2c3d4e5f60001"]
    }}
  }}
}}
"#
        );
        crate::checks::ecs::support::test_project(CONFIG, &task, &service)
    }

    fn evidence(dir: &tempfile::TempDir, model: &StackModel) -> Vec<String> {
        let findings = run(model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0]
            .evidence
            .iter()
            .map(|e| e.origin.display(dir.path()))
            .collect()
    }

    #[test]
    fn references_are_read_like_ecs() {
        assert_eq!(reference(SM), Reference::SecretsManager { selects: false });
        assert_eq!(
            reference(&format!("{SM}:password::")),
            Reference::SecretsManager { selects: true }
        );
        assert_eq!(
            reference("arn:aws:ssm:ap-northeast-1:123456789012:parameter/prod/db"),
            Reference::Parameter
        );
        assert_eq!(reference("/prod/db"), Reference::Name);
        assert_eq!(
            reference("arn:aws:secretsmanager:ap-northeast-1:secret:prod/db"),
            Reference::Invalid
        );
        assert_eq!(
            reference("arn:aws:ssm:ap-northeast-1:123456789012:prod/db"),
            Reference::Invalid
        );
        assert_eq!(
            reference("arn:aws:kms:ap-northeast-1:123456789012:key/abc"),
            Reference::Invalid
        );
        assert_eq!(reference(&format!("{SM}:a:b:c:d")), Reference::Invalid);
    }

    #[test]
    fn a_malformed_arn_is_found() {
        let (dir, model) = project(
            r#"{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:ap-northeast-1:123456789012:prod/db"}"#,
            "LATEST",
        );
        assert_eq!(evidence(&dir, &model), ["ecs-task-def.json:11:46"]);
    }

    #[test]
    fn a_missing_name_or_value_from_is_found() {
        let (dir, model) = project(r#"{"name": "DB_PASSWORD"}"#, "LATEST");
        assert_eq!(evidence(&dir, &model), ["ecs-task-def.json:11:9"]);
        let (dir, model) = project(&format!(r#"{{"valueFrom": "{SM}"}}"#), "LATEST");
        assert_eq!(evidence(&dir, &model), ["ecs-task-def.json:11:9"]);
    }

    #[test]
    fn json_keys_need_platform_1_4() {
        let secret = format!(r#"{{"name": "DB_PASSWORD", "valueFrom": "{SM}:password::"}}"#);
        let (dir, model) = project(&secret, "1.3.0");
        assert_eq!(
            evidence(&dir, &model),
            ["ecs-task-def.json:11:46", "ecs-service-def.json:3:22"]
        );
        let (_dir, model) = project(&secret, "1.4.0");
        assert!(run(&model).is_empty());
    }

    #[test]
    fn valid_and_unresolved_references_are_fine() {
        let (_dir, model) = project(
            &format!(r#"{{"name": "DB_PASSWORD", "valueFrom": "{SM}"}}"#),
            "LATEST",
        );
        assert!(run(&model).is_empty());
        let (_dir, model) = project(
            r#"{"name": "DB_PASSWORD", "valueFrom": "arn:<unresolved:ssm /x>"}"#,
            "LATEST",
        );
        assert!(run(&model).is_empty());
    }
}
