//! # iam-missing-bedrock-permission
//!
//! **What it detects:** the project's IAM identity policies (JSON files with
//! a `Statement`, or `--iam-policy FILE`) allow no call the app makes: for
//! each model, in the client's region, every action the code needs
//! (`bedrock:InvokeModel` for InvokeModel and Converse,
//! `bedrock:InvokeModelWithResponseStream` for the streams) on every ARN the
//! call needs (the foundation-model ARN in the region; for an inference
//! profile, the profile ARN and the model's ARN in each destination
//! region). Policies are evaluated offline with IAM's rules; conditions
//! whose keys are unknown offline are named, not guessed. Also raised from
//! `AccessDeniedException … because no identity-based policy allows` in logs.
//!
//! **Why it breaks requests:** Bedrock answers `AccessDeniedException` and
//! the app answers 500.
//!
//! **Example:** the policy allows `bedrock:InvokeModel` only, while the app
//! calls `converse_stream` (which needs `bedrock:InvokeModelWithResponseStream`).
//!
//! **Fix:** add the statement the finding prints (the missing actions on
//! the missing ARNs) to the role's policy.

use super::support::{aws_log_events, policy_set, statement_origin};
use crate::checks::bedrock::support::bedrock_path;
use crate::checks::Facts;
use crate::finding::{Finding, FixStep, HopState, Message};
use crate::model::StackModel;

cause!("iam-missing-bedrock-permission");

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let (policies, files) = policy_set(model);
    let mut findings = Vec::new();
    let mut reported = Vec::new();
    for call in facts.iam_calls() {
        let client = call.verdict.client;
        let missing: Vec<_> = call
            .results
            .iter()
            .filter(|(e, _)| matches!(e.decision, iampolicy::Decision::ImplicitDeny))
            .collect();
        if missing.is_empty() {
            continue;
        }
        reported.push(client.name.clone());
        let first = &missing[0];
        let mut finding = Finding::new(CAUSE)
            .subject(&client.name)
            .param("service", &client.name)
            .param("model", &call.verdict.setting.id);
        // The Allow statements that grant the action elsewhere: the ones to extend.
        let mut shown = Vec::new();
        for (evaluation, _) in &missing {
            for outcome in evaluation
                .considered
                .iter()
                .filter(|o| o.effect == iampolicy::Effect::Allow)
            {
                if !shown.contains(&(outcome.policy, outcome.statement)) {
                    shown.push((outcome.policy, outcome.statement));
                    finding = finding.evidence(
                        statement_origin(&files, outcome.policy, outcome.span),
                        msg("statement-misses").with("sid", outcome.sid.as_deref().unwrap_or("-")),
                    );
                }
            }
        }
        // No statement allows the action at all: show those that grant other Bedrock actions.
        if shown.is_empty() {
            for (p, policy) in policies.iter().enumerate() {
                for statement in &policy.statements {
                    let grants_bedrock = match &statement.action {
                        iampolicy::ActionMatch::Action(actions) => actions
                            .iter()
                            .any(|a| a.value.to_ascii_lowercase().starts_with("bedrock:")),
                        iampolicy::ActionMatch::NotAction(_) => false,
                    };
                    if statement.effect == iampolicy::Effect::Allow && grants_bedrock {
                        let label = msg("statement-lacks-action")
                            .with("sid", statement.sid().unwrap_or("-"))
                            .with("action", &first.0.action);
                        finding =
                            finding.evidence(statement_origin(&files, p, statement.span), label);
                    }
                }
            }
        }
        for (evaluation, arn) in missing.iter().take(6) {
            finding = finding.evidence(
                call.verdict.setting.origin.clone(),
                msg("not-allowed")
                    .with("action", &evaluation.action)
                    .with("arn", &arn.arn)
                    .with("reason", &arn.reason),
            );
        }
        finding = finding.log_lines(
            aws_log_events(model, &client.name, CAUSE)
                .events
                .iter()
                .copied()
                .take(2),
        );
        let mut actions: Vec<&str> = missing.iter().map(|(e, _)| e.action.as_str()).collect();
        actions.sort();
        actions.dedup();
        // Every missing ARN once, in the order the call needs them (actions repeat them).
        let mut arns: Vec<&str> = Vec::new();
        for (_, a) in &missing {
            if !arns.contains(&a.arn.as_str()) {
                arns.push(&a.arn);
            }
        }
        let statement = iampolicy::Statement::new(iampolicy::Effect::Allow, &actions, &arns);
        finding = finding
            .fix(FixStep::say(msg("add-statement").with("statement", statement.to_json_pretty())))
            .fix(FixStep::run(msg("verify"), format!("aws iam simulate-principal-policy --policy-source-arn <role-arn> --action-names {} --resource-arns {}", actions.join(" "), arns.join(" "))));
        findings.push(finding.path(bedrock_path(
            model,
            client,
            Some((&first.1.arn, HopState::Broken)),
        )));
    }
    // Without policy files, the logs alone say it.
    findings.extend(simulated(model, &reported));
    for mut finding in super::support::log_only_findings(model, CAUSE, &reported) {
        let subject = finding.subject.clone().unwrap_or_default();
        let events = aws_log_events(model, &subject, CAUSE).events;
        if let Some((actions, arns)) = denied_in_lines(events.iter().map(|e| e.text.as_str())) {
            // The line names the action and the ARN: the statement to add is exact.
            let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
            let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
            finding.fix = vec![
                FixStep::say(msg("add-statement").with("statement", iampolicy::Statement::new(iampolicy::Effect::Allow, &actions, &arns).to_json_pretty())),
                FixStep::run(msg("verify"), format!("aws iam simulate-principal-policy --policy-source-arn <role-arn> --action-names {} --resource-arns {}", actions.join(" "), arns.join(" "))),
            ];
        }
        findings.push(finding);
    }
    findings
}

/// The actions and resources AWS said were not allowed, from its own wording:
/// `… is not authorized to perform: bedrock:InvokeModel on resource: arn:… because …`.
fn denied_in_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Option<(Vec<String>, Vec<String>)> {
    let mut actions: Vec<String> = Vec::new();
    let mut arns: Vec<String> = Vec::new();
    for line in lines {
        let Some((_, rest)) = line.split_once("not authorized to perform: ") else {
            continue;
        };
        let action = rest.split_whitespace().next().unwrap_or_default();
        let Some((_, resource)) = rest.split_once(" on resource: ") else {
            continue;
        };
        let arn = resource
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_end_matches(['.', ',', '"', '\'', ')']);
        if !action.contains(':') || !arn.starts_with("arn:") {
            continue;
        }
        if !actions.iter().any(|a| a == action) {
            actions.push(action.to_string());
        }
        if !arns.iter().any(|a| a == arn) {
            arns.push(arn.to_string());
        }
    }
    (!actions.is_empty()).then_some((actions, arns))
}

/// `--aws`: what IAM's policy simulator says of the caller's role, for the
/// clients no local policy file covered.
fn simulated(model: &StackModel, reported: &[String]) -> Vec<Finding> {
    let Some(api) = &model.aws.api else {
        return Vec::new();
    };
    let denied: Vec<_> = api
        .simulations
        .iter()
        .filter(|(_, _, decision)| decision != "allowed")
        .collect();
    if denied.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for client in model
        .aws
        .clients
        .iter()
        .filter(|c| !reported.contains(&c.name))
    {
        let mut finding = Finding::new(CAUSE)
            .subject(&client.name)
            .param("service", &client.name)
            .param(
                "model",
                client.models.first().map_or("?", |m| m.id.as_str()),
            );
        for (action, resource, decision) in denied.iter().take(6) {
            finding = finding.evidence(
                crate::model::Origin::Probe {
                    probe: format!(
                        "iam:SimulatePrincipalPolicy {}",
                        api.caller_arn.as_deref().unwrap_or("?")
                    ),
                },
                msg("simulated")
                    .with("action", action)
                    .with("arn", resource)
                    .with("decision", decision),
            );
        }
        findings.push(finding.fix(FixStep::run(
            Message::new("common.see-explain"),
            format!("stackdoctor explain {CAUSE}"),
        )));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::denied_in_lines;

    #[test]
    fn the_denied_action_and_resource_come_from_aws_wording() {
        // botocore's ClientError text, and the JS SDK v3's AccessDeniedException message.
        let lines = [
            "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0 because no identity-based policy allows the bedrock:InvokeModel action",
            "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "unrelated line",
        ];
        let (actions, arns) = denied_in_lines(lines.into_iter()).unwrap();
        assert_eq!(
            actions,
            [
                "bedrock:InvokeModel",
                "bedrock:InvokeModelWithResponseStream"
            ]
        );
        assert_eq!(arns, ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]);
        assert!(denied_in_lines(
            ["is not authorized to perform: on resource: nothing"].into_iter()
        )
        .is_none());
    }

    #[test]
    fn a_policy_without_the_stream_action_is_shown_at_its_statement() {
        let run = |model: &crate::model::StackModel| super::run(&crate::checks::Facts::new(model));
        crate::checks::support::assert_example_finding(
            run,
            super::CAUSE,
            ("bedrock-iam-stream-denied", &[]),
            "iam/chat-task-policy.json:4",
            &["iam-missing-bedrock-permission.add-statement"],
        );
        crate::checks::support::assert_example_quiet(run, ("bedrock-ui-fixed", &[]), &[]);
    }
}
