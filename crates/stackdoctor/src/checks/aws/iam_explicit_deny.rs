//! # iam-explicit-deny
//!
//! **What it detects:** a `Deny` statement of the project's IAM policies
//! matches a call the app makes, on one of the ARNs the call needs. The
//! classic case is a region guard (`StringNotEquals` on
//! `aws:RequestedRegion`) that a cross-region inference profile trips: the
//! requested region of the model ARN is the profile's destination region,
//! not the app's. Also raised from `… with an explicit deny in …` in logs.
//!
//! **Why it breaks requests:** an explicit Deny wins over every Allow;
//! Bedrock answers `AccessDeniedException` for the calls routed to the
//! denied region, often only some of the time, as routing varies.
//!
//! **Example:** `"Condition": {"StringNotEquals": {"aws:RequestedRegion":
//! "ap-northeast-1"}}` on `"Action": "*"` while the app calls
//! `jp.anthropic.claude-sonnet-4-5-20250929-v1:0`, which also routes to
//! ap-northeast-3.
//!
//! **Fix:** add the profile's destination regions to the guard, or exempt
//! calls made through the profile (a `Null`/`StringLike` condition on
//! `bedrock:InferenceProfileArn`).

use super::support::{aws_log_events, policy_set, statement_origin};
use crate::checks::bedrock::support::bedrock_path;
use crate::checks::Facts;
use crate::finding::{Finding, FixStep, HopState};

cause!("iam-explicit-deny");

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let (_, files) = policy_set(model);
    let mut findings = Vec::new();
    let mut reported = Vec::new();
    for call in facts.iam_calls() {
        let client = call.verdict.client;
        let denied: Vec<_> = call
            .results
            .iter()
            .filter_map(|(e, arn)| match &e.decision {
                iampolicy::Decision::ExplicitDeny { statements } => Some((e, arn, statements)),
                _ => None,
            })
            .collect();
        if denied.is_empty() {
            continue;
        }
        reported.push(client.name.clone());
        let mut finding = Finding::new(CAUSE)
            .subject(&client.name)
            .param("service", &client.name)
            .param("model", &call.verdict.setting.id);
        let mut shown = Vec::new();
        for (_, _, statements) in &denied {
            for s in statements.iter() {
                if !shown.contains(&(s.policy, s.statement)) {
                    shown.push((s.policy, s.statement));
                    finding = finding.evidence(
                        statement_origin(&files, s.policy, s.span),
                        msg("deny-here").with("sid", s.sid.as_deref().unwrap_or("-")),
                    );
                }
            }
        }
        let mut regions: Vec<String> = Vec::new();
        for (evaluation, arn, _) in denied.iter().take(6) {
            finding = finding.evidence(
                call.verdict.setting.origin.clone(),
                msg("denied")
                    .with("action", &evaluation.action)
                    .with("arn", &arn.arn)
                    .with("reason", &arn.reason),
            );
            if let Some(r) = &arn.region {
                if !regions.contains(r) {
                    regions.push(r.clone());
                }
            }
        }
        finding = finding.log_lines(
            aws_log_events(model, &client.name, CAUSE)
                .events
                .iter()
                .copied()
                .take(2),
        );
        finding = finding.fix(FixStep::say(
            msg("allow-regions").with("regions", regions.join(", ")),
        ));
        findings.push(finding.path(bedrock_path(
            model,
            client,
            Some((&denied[0].1.arn, HopState::Broken)),
        )));
    }
    findings.extend(super::support::log_only_findings(model, CAUSE, &reported));
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};
    use crate::checks::Facts;

    #[test]
    fn a_region_deny_against_the_profile_destinations_is_shown_at_its_statement() {
        assert_example_finding(
            |model| super::run(&Facts::new(model)),
            super::CAUSE,
            ("bedrock-explicit-deny", &[]),
            "iam/assistant-role.json:13",
            &["iam-explicit-deny.allow-regions"],
        );
    }

    #[test]
    fn a_deny_sparing_every_destination_is_quiet() {
        assert_example_quiet(
            |model| super::run(&Facts::new(model)),
            ("bedrock-explicit-deny", &[]),
            &[(
                "iam/assistant-role.json",
                "\"aws:RequestedRegion\": \"ap-northeast-1\"",
                "\"aws:RequestedRegion\": [\"ap-northeast-1\", \"ap-northeast-3\"]",
            )],
        );
    }
}
