//! # aws-region-mismatch
//!
//! **What it detects:** a service's Bedrock client resolves no region, or a
//! region other than the one its resources are in. The region is resolved
//! the way the client's SDK does (boto3: `region_name=`, then
//! `AWS_DEFAULT_REGION` only; the JavaScript, Go, Java and Rust SDKs:
//! `AWS_REGION` first), following compose's interpolation to the `.env`
//! line or the `${VAR:-default}` that set it. It is compared with the
//! regions named in the project's IAM policies for Bedrock, the example env
//! file (`.env.example`), and the instance's region (live).
//!
//! A variable that looks like a region setting but that no SDK reads
//! (`AWS_DEFAULT_REGIONS`, `AWS_REGION_NAME`, `VITE_AWS_REGION`) is
//! evidence, with the name the client's SDK reads as the fix, once the app's
//! own code and the tools the service runs are known not to read it.
//!
//! **Why it breaks requests:** models, inference profiles, model access and
//! IAM grants are per region. A compose default such as
//! `AWS_REGION=${AWS_REGION:-us-east-1}` silently sends every call to
//! us-east-1 when `.env` is missing, where the role may not invoke the model
//! (`AccessDeniedException … on resource:
//! arn:aws:bedrock:us-east-1::foundation-model/…`); with no region at all
//! the client cannot be created (`NoRegionError`).
//!
//! **Example:** the seed's bedrock-ui: no `.env`, the compose default is
//! `us-east-1`, the IAM policy grants
//! `arn:aws:bedrock:ap-northeast-1::foundation-model/…`.
//!
//! **Fix:** create `.env` with `AWS_REGION=ap-northeast-1` (or change the
//! compose default), then recreate the service; for boto3 without
//! `region_name=`, set `AWS_DEFAULT_REGION`.

use super::support::aws_log_events;
use crate::checks::bedrock::support::bedrock_path;
use crate::checks::support::{recreate_service_step, replace_on_line};
use crate::finding::{Finding, FixStep, Message};
use crate::model::aws::{BedrockClient, RegionSource};
use crate::model::{Origin, StackModel};
use bedrock::Sdk;

cause!("aws-region-mismatch");

/// Regions the project's author meant, each with where it is written.
fn intended_regions(model: &StackModel, client: &BedrockClient) -> Vec<(String, Origin)> {
    let mut out = Vec::new();
    for (path, policy) in model.aws.all_policies() {
        for statement in &policy.statements {
            if statement.effect != iampolicy::Effect::Allow
                || !statement.matches_action("bedrock:InvokeModel")
            {
                continue;
            }
            if let iampolicy::ResourceMatch::Resource(resources) = &statement.resource {
                for r in resources {
                    let region = r.value.split(':').nth(3).unwrap_or_default();
                    if bedrock::is_region(region) {
                        out.push((
                            region.to_string(),
                            Origin::file(
                                path,
                                r.span.line as u32,
                                r.span.column as u32,
                                r.span.length as u32,
                            ),
                        ));
                    }
                }
            }
        }
    }
    let variables: Vec<&str> = client
        .region
        .steps
        .iter()
        .filter_map(|s| s.variable.as_deref())
        .collect();
    for example in &model.aws.env_examples {
        let (name, value) = &example.value;
        if (variables.contains(&name.as_str())
            || name == "AWS_REGION"
            || name == "AWS_DEFAULT_REGION")
            && bedrock::is_region(value)
        {
            out.push((value.clone(), example.origin.clone()));
        }
    }
    if let Some(region) = model.aws.imds().and_then(|i| i.region.clone()) {
        out.push((
            region,
            Origin::Probe {
                probe: "IMDS placement/region".into(),
            },
        ));
    }
    // A region under a name no SDK reads is what the author meant too.
    for (m, value) in misnamed_regions(model, client) {
        if bedrock::is_region(&value) {
            out.push((value, m.origin.clone()));
        }
    }
    out
}

/// The service's region-like variables that nothing reads, with their values.
fn misnamed_regions<'a>(
    model: &'a StackModel,
    client: &BedrockClient,
) -> Vec<(&'a crate::model::aws::MisplacedCredential, String)> {
    let Some(id) = client.service else {
        return Vec::new();
    };
    let service = &model.services[id];
    model
        .aws
        .credentials_of(&service.name)
        .map(|c| {
            c.view
                .region_misnamed
                .iter()
                .map(|m| {
                    (
                        m,
                        service
                            .env(&m.variable)
                            .and_then(|e| e.value.clone())
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Evidence and an exact fix for each region variable no SDK reads: the name
/// the client's SDK reads instead.
fn add_misnamed(model: &StackModel, client: &BedrockClient, mut finding: Finding) -> Finding {
    let expected = client
        .sdk
        .and_then(|s| s.region_variables().first().copied());
    for (m, _) in misnamed_regions(model, client) {
        let expected = expected.unwrap_or(m.expected.as_str());
        let label = if m.problem == "tool-prefix" {
            "misnamed-prefix"
        } else {
            "misnamed"
        };
        finding = finding.evidence(
            m.origin.clone(),
            msg(label)
                .with("variable", &m.variable)
                .with("expected", expected),
        );
        let message = msg("rename")
            .with("variable", &m.variable)
            .with("expected", expected);
        finding = match replace_on_line(model, &m.origin, &m.variable, expected) {
            Some(edit) => finding.fix(FixStep::edit(message, edit)),
            None => finding.fix(FixStep::say(message)),
        };
    }
    finding
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for client in &model.aws.clients {
        let decided = client.region.decided();
        if decided.is_some_and(|s| s.source == RegionSource::CodeExpression) {
            continue;
        }
        let logs = aws_log_events(model, &client.name, CAUSE);
        let Some(region) = client.region.value.clone() else {
            // No region at all: the client cannot be created.
            if let Some(sdk) = client.sdk {
                findings.push(no_region(model, client, sdk, &logs.events));
            }
            continue;
        };
        let intended = intended_regions(model, client);
        if intended.is_empty() || intended.iter().any(|(r, _)| *r == region) {
            continue;
        }
        // The region most sources name (policies first on a tie).
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (r, _) in &intended {
            match counts.iter_mut().find(|(c, _)| c == r) {
                Some((_, n)) => *n += 1,
                None => counts.push((r, 1)),
            }
        }
        let target = counts
            .iter()
            .max_by_key(|(_, n)| *n)
            .map(|(r, _)| r.to_string())
            .unwrap_or_default();
        let mut finding = Finding::new(CAUSE)
            .subject(&client.name)
            .param("service", &client.name)
            .param("region", &region)
            .param("intended", &target);
        // The value to change comes first: a compose default, else the deciding step.
        let steps = &client.region.steps;
        let missing_env = steps
            .iter()
            .any(|s| s.source == RegionSource::MissingEnvFile);
        let default_at = steps
            .iter()
            .position(|s| s.source == RegionSource::ComposeValue)
            .filter(|_| missing_env);
        if let Some(step) = default_at.map(|i| &steps[i]) {
            finding = finding.evidence(
                step.origin.clone(),
                msg("compose-default")
                    .with("region", &region)
                    .with("variable", step.variable.as_deref().unwrap_or("?")),
            );
        }
        for (i, step) in steps.iter().enumerate() {
            if Some(i) != default_at {
                finding = finding.evidence(step.origin.clone(), step_label(step));
            }
        }
        for (r, origin) in intended.iter().filter(|(r, _)| *r == target).take(3) {
            finding = finding.evidence(origin.clone(), msg("intended-here").with("region", r));
        }
        // Lines that name a Bedrock ARN in the wrong region show where the calls went.
        let arn_prefix = format!("arn:aws:bedrock:{region}:");
        let in_wrong_region = model.log_events.iter().filter(|e| {
            e.service.as_deref() == Some(client.name.as_str()) && e.text.contains(&arn_prefix)
        });
        finding = finding.log_lines(logs.events.iter().copied().chain(in_wrong_region).take(3));
        let renamed = !misnamed_regions(model, client).is_empty();
        finding = add_misnamed(model, client, finding);
        if !renamed {
            finding = add_fix(model, client, finding, &region, &target);
        } else if let Some(id) = client.service {
            finding = finding.fix(recreate_service_step(model, id));
        }
        findings.push(finding.path(bedrock_path(model, client, None)));
    }
    findings
}

fn step_label(step: &crate::model::aws::RegionStep) -> Message {
    let name = match step.source {
        RegionSource::CodeLiteral => "step-code-literal",
        RegionSource::CodeReadsVariable => "step-code-reads",
        RegionSource::CodeDefault => "step-code-default",
        RegionSource::ContainerVariable => "step-container",
        RegionSource::ComposeValue => "step-compose-value",
        RegionSource::MissingEnvFile => "step-missing-env",
        RegionSource::InstanceMetadata => "step-imds",
        RegionSource::IgnoredVariable => "step-ignored",
        RegionSource::SdkDefault => "step-sdk-default",
        RegionSource::CodeExpression => "step-expression",
    };
    msg(name)
        .with("variable", step.variable.as_deref().unwrap_or("?"))
        .with("value", step.value.as_deref().unwrap_or("?"))
}

fn add_fix(
    model: &StackModel,
    client: &BedrockClient,
    mut finding: Finding,
    region: &str,
    target: &str,
) -> Finding {
    let steps = &client.region.steps;
    let missing_env = steps
        .iter()
        .find(|s| s.source == RegionSource::MissingEnvFile);
    let default_step = steps
        .iter()
        .find(|s| s.source == RegionSource::ComposeValue);
    if let (Some(missing), Some(id)) = (missing_env, client.service) {
        let variable = missing
            .variable
            .clone()
            .unwrap_or_else(|| "AWS_REGION".into());
        let dir = model.projects[model.services[id].project]
            .dir
            .display()
            .to_string();
        finding = finding.fix(FixStep::run(
            msg("write-env")
                .with("variable", &variable)
                .with("region", target),
            format!("cd {dir} && printf '{variable}={target}\\n' >> .env"),
        ));
        if let Some(step) = default_step {
            let message = msg("change-default").with("region", target);
            finding = match replace_on_line(model, &step.origin, region, target) {
                Some(edit) => finding.fix(FixStep::edit(message, edit)),
                None => finding.fix(FixStep::say(message)),
            };
        }
    } else if let Some(step) = client.region.decided() {
        let message = msg("change-value").with("region", target);
        finding = match replace_on_line(model, &step.origin, region, target) {
            Some(edit) => finding.fix(FixStep::edit(message, edit)),
            None => finding.fix(FixStep::say(message)),
        };
    }
    if let Some(id) = client.service {
        finding = finding.fix(recreate_service_step(model, id));
    }
    finding
}

fn no_region(
    model: &StackModel,
    client: &BedrockClient,
    sdk: Sdk,
    logs: &[&crate::model::LogEvent],
) -> Finding {
    let mut finding = Finding::new(CAUSE)
        .subject(&client.name)
        .param("service", &client.name)
        .param("region", "-")
        .param("intended", "?")
        .evidence(
            client.origin.clone(),
            msg("no-region").with("sdk", sdk.name()),
        );
    for step in &client.region.steps {
        finding = finding.evidence(step.origin.clone(), step_label(step));
    }
    finding = finding.log_lines(logs.iter().copied().take(3));
    let renamed = !misnamed_regions(model, client).is_empty();
    finding = add_misnamed(model, client, finding);
    // The first variable this SDK reads (boto3: AWS_DEFAULT_REGION only).
    let variable = sdk
        .region_variables()
        .first()
        .copied()
        .unwrap_or("AWS_REGION");
    if !renamed {
        finding = finding.fix(FixStep::say(
            msg("set-region")
                .with("variable", variable)
                .with("service", &client.name),
        ));
    }
    if let Some(id) = client.service {
        finding = finding.fix(recreate_service_step(model, id));
    }
    finding.path(bedrock_path(model, client, None))
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_misspelt_region_variable_is_renamed() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("aws-misspelt-region-variable", &[]),
            "app/main.py:8",
            &["AWS_DEFAULT_REGION: ap-northeast-1", "--force-recreate api"],
        );
    }

    #[test]
    fn the_region_variable_spelt_right_is_quiet() {
        assert_example_quiet(
            super::run,
            ("aws-misspelt-region-variable", &[]),
            &[(
                "docker-compose.yml",
                "AWS_DEFAULT_REGIONS:",
                "AWS_DEFAULT_REGION:",
            )],
        );
    }
}
