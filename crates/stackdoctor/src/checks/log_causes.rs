//! # Causes seen only in logs
//!
//! **What it detects:** log lines whose signatures support a cause that no
//! other check reports (AWS credentials, Bedrock access, ECS stopped tasks,
//! database errors, …), when their weights add up to a strong signal for
//! one service.
//!
//! **Why it breaks requests:** each such cause is documented in the cause
//! catalogue (`stackdoctor explain <cause>`); here the logs are the evidence.
//!
//! **Example:** `botocore.exceptions.NoCredentialsError: Unable to locate
//! credentials` logged by `backend` raises `aws-no-credentials` for `backend`.
//!
//! **Fix:** the cause's own fix (`stackdoctor explain <cause>`); the finding
//! names the lines and the service.

use crate::finding::{Finding, FixStep, Message};
use crate::model::{LogEvent, StackModel};

/// Total weight of lines that makes a finding of a log-only cause.
const THRESHOLD: u32 = 60;

/// Causes some check reports itself; their log lines are evidence there.
fn has_own_check(cause: &str) -> bool {
    super::ALL.iter().any(|c| c.cause == cause)
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    // (cause, service) → events, in first-seen order.
    let pairs = model.log_events.iter().flat_map(|event| {
        event
            .causes
            .iter()
            .filter(|(cause, _)| !has_own_check(cause))
            .map(move |(cause, _)| (cause.clone(), event))
    });
    let groups = super::support::group_by(pairs, |(cause, event)| {
        (cause.clone(), event.service.clone())
    });
    groups
        .into_iter()
        .filter_map(|((cause, service), pairs)| {
            let events: Vec<&LogEvent> = pairs.into_iter().map(|(_, event)| event).collect();
            let weight: u32 = events
                .iter()
                .flat_map(|e| &e.causes)
                .filter(|(c, _)| *c == cause)
                .map(|(_, w)| u32::from(*w))
                .sum();
            if weight < THRESHOLD {
                return None;
            }
            let mut finding = Finding::new(&cause)
                .param("count", events.len().to_string())
                .param(
                    "service",
                    service.clone().unwrap_or_else(|| "?".to_string()),
                );
            if let Some(service) = &service {
                finding = finding.subject(service);
            }
            finding = finding.log_lines(events.iter().copied().take(3));
            Some(finding.fix(FixStep::run(
                Message::new("common.see-explain"),
                format!("stackdoctor explain {cause}"),
            )))
        })
        .collect()
}
