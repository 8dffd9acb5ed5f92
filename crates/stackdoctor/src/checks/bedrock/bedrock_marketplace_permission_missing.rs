//! # bedrock-marketplace-permission-missing
//!
//! **What it detects:** the app calls a model sold through AWS Marketplace
//! (Anthropic, Meta, Mistral, Cohere …; Amazon's own models are not) and
//! the project's IAM policies do not allow `aws-marketplace:Subscribe` and
//! `aws-marketplace:ViewSubscriptions` (evaluated with
//! `aws:CalledViaLast = bedrock.amazonaws.com`, as Bedrock makes that call).
//! Offline this is `info`: the account may already be subscribed. Logs with
//! `Model access is denied due to … aws-marketplace:…` make it an error.
//!
//! **Why it breaks requests:** the first call of such a model in an account
//! subscribes it on the caller's behalf; without those permissions Bedrock
//! answers `AccessDeniedException` until someone allowed subscribes once.
//!
//! **Example:** a role that may invoke `us.anthropic.claude-opus-4-1-…` but
//! has no `aws-marketplace:*` permission, in a new account.
//!
//! **Fix:** allow both actions (they can be limited with
//! `aws:CalledViaLast`), or have an administrator invoke the model once;
//! retry after about 2 to 15 minutes.

use crate::checks::aws::support::{aws_log_events, aws_subjects, policy_set};
use crate::checks::Facts;
use crate::finding::{Finding, FixStep, Severity};

cause!("bedrock-marketplace-permission-missing");

const ACTIONS: [&str; 2] = [
    "aws-marketplace:ViewSubscriptions",
    "aws-marketplace:Subscribe",
];

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    if facts.model_verdicts().is_empty() {
        return Vec::new();
    }
    let (policies, _) = policy_set(model);
    let catalogue = model.aws.catalogue();
    let mut findings = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    for verdict in facts.model_verdicts() {
        let client = verdict.client;
        let marketplace = catalogue
            .lookup(&verdict.setting.id)
            .is_some_and(|m| m.marketplace);
        if !marketplace || policies.is_empty() || reported.contains(&client.name) {
            continue;
        }
        let context = iampolicy::Context::new().with("aws:CalledViaLast", "bedrock.amazonaws.com");
        let missing: Vec<&str> = ACTIONS
            .iter()
            .copied()
            .filter(|action| {
                !iampolicy::evaluate(
                    &policies,
                    &iampolicy::Request::new(*action, "*").with_context(context.clone()),
                )
                .is_allowed()
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        reported.push(client.name.clone());
        let logs = aws_log_events(model, &client.name, CAUSE);
        let severity = if logs.weight >= 60 {
            Severity::Error
        } else {
            Severity::Info
        };
        let mut finding = Finding::new(CAUSE)
            .subject(&client.name)
            .severity(severity)
            .evidence(
                verdict.setting.origin.clone(),
                msg("marketplace-model")
                    .with("model", &verdict.setting.id)
                    .with("actions", missing.join(", ")),
            );
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        let statement = iampolicy::Statement::new(iampolicy::Effect::Allow, &ACTIONS, &["*"]);
        findings.push(finding.fix(FixStep::say(
            msg("add-statement").with("statement", statement.to_json_pretty()),
        )));
    }
    for subject in aws_subjects(model) {
        if reported.contains(&subject.name) {
            continue;
        }
        let logs = aws_log_events(model, &subject.name, CAUSE);
        if logs.weight < 60 {
            continue;
        }
        let mut finding = Finding::new(CAUSE).subject(&subject.name);
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        let statement = iampolicy::Statement::new(iampolicy::Effect::Allow, &ACTIONS, &["*"]);
        findings.push(finding.fix(FixStep::say(
            msg("add-statement").with("statement", statement.to_json_pretty()),
        )));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};
    use crate::checks::Facts;

    #[test]
    fn a_policy_without_marketplace_actions_is_reported_at_the_model() {
        assert_example_finding(
            |model| super::run(&Facts::new(model)),
            super::CAUSE,
            ("bedrock-marketplace", &["--logs", "logs/backend.log"]),
            "app/app.py:11",
            &["add-statement"],
        );
    }

    #[test]
    fn a_policy_with_the_marketplace_actions_is_quiet() {
        assert_example_quiet(|model| super::run(&Facts::new(model)), ("bedrock-marketplace", &[]), &[("iam/backend-role-policy.json", "\"Statement\": [", "\"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"aws-marketplace:ViewSubscriptions\", \"aws-marketplace:Subscribe\"], \"Resource\": \"*\"},")]);
    }
}
