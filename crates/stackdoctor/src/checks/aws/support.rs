//! Helpers of the AWS and IAM checks: who calls AWS, their log lines, what the IMDS probe found, and the IAM evaluation of each Bedrock call.

use crate::checks::bedrock::support::ModelVerdict;
use crate::finding::{FixStep, Message};
use crate::model::{Origin, ServiceId, StackModel};
use std::path::Path;

/// Something that calls AWS: a service (by its code, credentials or logs) or a code folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSubject {
    pub name: String,
    pub service: Option<ServiceId>,
}

/// Whether a cause belongs to the AWS family (its log lines make a service an AWS caller).
fn is_aws_cause(cause: &str) -> bool {
    ["aws-", "bedrock-", "iam-"]
        .iter()
        .any(|p| cause.starts_with(p))
}

/// Every subject that calls AWS, in a stable order: code clients, services with
/// AWS credentials configured, then services whose logs show AWS errors.
pub fn aws_subjects(model: &StackModel) -> Vec<AwsSubject> {
    let mut out: Vec<AwsSubject> = Vec::new();
    let mut add = |name: &str, service: Option<ServiceId>| {
        if !out.iter().any(|s| s.name == name) {
            out.push(AwsSubject {
                name: name.to_string(),
                service,
            });
        }
    };
    for client in &model.aws.clients {
        add(&client.name, client.service);
    }
    for c in &model.aws.credentials {
        let view = &c.view;
        if !view.sources.is_empty() || !view.misplaced.is_empty() || !view.defects.is_empty() {
            add(&c.name, Some(c.service));
        }
    }
    for event in &model.log_events {
        if let Some(service) = &event.service {
            if event.causes.iter().any(|(c, _)| is_aws_cause(c)) {
                let id = model.services.iter().position(|s| &s.name == service);
                add(service, id);
            }
        }
    }
    out
}

/// Log lines of one service that support a cause, and their summed weight.
pub struct LogSupport<'a> {
    pub events: Vec<&'a crate::model::LogEvent>,
    pub weight: u32,
}

pub fn aws_log_events<'a>(model: &'a StackModel, service: &str, cause: &str) -> LogSupport<'a> {
    let events: Vec<_> = model
        .log_events_of(cause)
        .filter(|e| {
            // A line that names no service belongs to the only service there is.
            e.service.as_deref() == Some(service)
                || (e.service.is_none() && model.services.len() == 1)
        })
        .collect();
    let weight = events
        .iter()
        .flat_map(|e| &e.causes)
        .filter(|(c, _)| c == cause)
        .map(|(_, w)| u32::from(*w))
        .sum();
    LogSupport { events, weight }
}

/// Where the live IMDS probe found that the instance has no instance profile.
pub fn imds_says_no_role(model: &StackModel) -> Option<Origin> {
    let imds = model.aws.imds()?;
    matches!(imds.role, liveprobe::imds::RoleOutcome::NoInstanceProfile).then(|| Origin::Probe {
        probe: format!(
            "GET {}latest/meta-data/iam/security-credentials/ → 404",
            slash(&imds.endpoint)
        ),
    })
}

fn slash(endpoint: &str) -> String {
    if endpoint.ends_with('/') {
        endpoint.to_string()
    } else {
        format!("{endpoint}/")
    }
}

/// Where the live IMDS probe found that IMDSv2 tokens are required.
pub fn imds_requires_tokens(model: &StackModel) -> Option<Origin> {
    let imds = model.aws.imds()?;
    matches!(imds.imdsv1, liveprobe::imds::V1Outcome::TokenRequired).then(|| Origin::Probe {
        probe: format!(
            "GET {}latest/meta-data/iam/security-credentials/ without a token → 401",
            slash(&imds.endpoint)
        ),
    })
}

/// What the project's IAM policies say of one call a client needs.
pub struct IamCall<'a> {
    pub verdict: ModelVerdict<'a>,
    /// One evaluation per (action, required ARN), with why the ARN is needed.
    pub results: Vec<(iampolicy::Evaluation, bedrock::RequiredArn)>,
}

/// The policies of the project as one slice, with the file of each.
pub fn policy_set(model: &StackModel) -> (Vec<iampolicy::Policy>, Vec<&Path>) {
    model
        .aws
        .all_policies()
        .map(|(path, policy)| (policy.clone(), path.as_path()))
        .unzip()
}

/// The account the project's Bedrock ARNs name, when they agree on one.
fn policy_account(policies: &[iampolicy::Policy]) -> Option<String> {
    let mut accounts: Vec<String> = Vec::new();
    for statement in policies.iter().flat_map(|p| &p.statements) {
        if let iampolicy::ResourceMatch::Resource(resources) = &statement.resource {
            for r in resources {
                let account = r.value.split(':').nth(4).unwrap_or_default();
                if account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && !accounts.iter().any(|a| a == account)
                {
                    accounts.push(account.to_string());
                }
            }
        }
    }
    (accounts.len() == 1).then(|| accounts.remove(0))
}

/// Evaluates, for every callable model of every client, each IAM action the
/// client needs on each ARN the call needs (the profile and its destinations).
///
/// Read through [`Facts::iam_calls`](crate::checks::Facts::iam_calls), which computes it once a run.
pub(in crate::checks) fn iam_calls<'m>(
    model: &'m StackModel,
    verdicts: &[ModelVerdict<'m>],
) -> Vec<IamCall<'m>> {
    #[cfg(test)]
    crate::checks::facts::count("iam_calls");
    let (policies, _) = policy_set(model);
    if policies.is_empty() {
        return Vec::new();
    }
    let account = policy_account(&policies);
    let catalogue = model.aws.catalogue();
    let mut out = Vec::new();
    for verdict in verdicts.iter().cloned() {
        let required = catalogue.required_arns(&verdict.model, &verdict.region, account.as_deref());
        let profile_arn = required
            .iter()
            .find(|r| r.arn.contains(":inference-profile/"))
            .map(|r| r.arn.clone());
        let mut results = Vec::new();
        for action in &verdict.client.actions {
            for arn in &required {
                let mut context = iampolicy::Context::new();
                // Under cross-region inference the requested region is the destination's.
                if let Some(region) = &arn.region {
                    context = context.with("aws:RequestedRegion", region.clone());
                }
                match (&profile_arn, arn.arn.contains(":foundation-model/")) {
                    (Some(profile), true) => {
                        context = context.with("bedrock:InferenceProfileArn", profile.clone())
                    }
                    (None, true) => context = context.absent("bedrock:InferenceProfileArn"),
                    _ => {}
                }
                let request =
                    iampolicy::Request::new(action.clone(), arn.arn.clone()).with_context(context);
                results.push((iampolicy::evaluate(&policies, &request), arn.clone()));
            }
        }
        out.push(IamCall { verdict, results });
    }
    out
}

/// The origin of a statement of the policy set.
pub fn statement_origin(files: &[&Path], policy: usize, span: iampolicy::Span) -> Origin {
    let path = files.get(policy).copied().unwrap_or(Path::new("?"));
    Origin::file(path, span.line as u32, span.column as u32, 0)
}

/// Findings of `cause` from log lines alone, for the AWS callers no check
/// reported yet (a project without policy files still has its logs).
pub fn log_only_findings(
    model: &StackModel,
    cause: &str,
    reported: &[String],
) -> Vec<crate::finding::Finding> {
    let mut findings = Vec::new();
    for subject in aws_subjects(model) {
        if reported.contains(&subject.name) {
            continue;
        }
        let logs = aws_log_events(model, &subject.name, cause);
        if logs.weight < 60 {
            continue;
        }
        let mut finding = crate::finding::Finding::new(cause)
            .subject(&subject.name)
            .param("service", &subject.name)
            .param("model", "?");
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        findings.push(finding.fix(FixStep::run(
            Message::new("common.see-explain"),
            format!("stackdoctor explain {cause}"),
        )));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::support::test_tree;

    #[test]
    fn the_policy_account_is_the_one_all_bedrock_arns_name() {
        let policy = |arns: &str| {
            iampolicy::parse_policy(&format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": [{arns}]}}]}}"#
            ))
            .unwrap()
        };
        let one = policy(
            r#""arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x", "arn:aws:bedrock:*::foundation-model/x""#,
        );
        assert_eq!(policy_account(&[one]).as_deref(), Some("123456789012"));
        let two = policy(
            r#""arn:aws:bedrock:us-east-1:123456789012:inference-profile/a", "arn:aws:bedrock:us-east-1:210987654321:inference-profile/b""#,
        );
        assert_eq!(policy_account(&[two]), None);
        assert_eq!(policy_account(&[policy(r#""*""#)]), None);
    }

    #[test]
    fn an_endpoint_gets_one_trailing_slash() {
        assert_eq!(slash("http://169.254.169.254"), "http://169.254.169.254/");
        assert_eq!(slash("http://169.254.169.254/"), "http://169.254.169.254/");
    }

    /// Code clients come first; a line naming no service belongs to the only service.
    #[test]
    fn aws_callers_and_their_log_lines() {
        let (_dir, model) = test_tree(&[
            ("compose.yaml", "services:\n  app:\n    build: .\n    environment:\n      AWS_REGION: us-east-1\n"),
            ("app.py", "import boto3\nclient = boto3.client(\"bedrock-runtime\")\nclient.converse(modelId=\"amazon.nova-micro-v1:0\", messages=[])\n"),
        ]);
        let subjects = aws_subjects(&model);
        assert_eq!(subjects[0].name, "app");
        assert_eq!(subjects[0].service, Some(0));
        assert!(is_aws_cause("bedrock-invalid-model-id") && !is_aws_cause("upstream-timeout"));
        let none = aws_log_events(&model, "app", "aws-no-credentials");
        assert!(none.events.is_empty());
        assert_eq!(none.weight, 0);
    }

    #[test]
    fn a_statement_origin_is_in_its_policy_file() {
        let files = [Path::new("/p/a.json"), Path::new("/p/b.json")];
        let origin = statement_origin(
            &files,
            1,
            iampolicy::Span {
                line: 4,
                column: 5,
                ..Default::default()
            },
        );
        let at = origin.position().unwrap();
        assert_eq!(
            (at.file.as_path(), at.line, at.column),
            (Path::new("/p/b.json"), 4, 5)
        );
    }
}
