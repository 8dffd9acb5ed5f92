//! # ecspresso-deploy-failed
//!
//! **What it detects:** an ecspresso command that ended in `FAILED.` at a
//! step no more specific finding explains: registering the task definition,
//! creating or updating the service, finding the service, loading the
//! files, running a task. The finding quotes the line and names the step
//! and AWS's own message (the last part of ecspresso's error chain), so a
//! failed deploy never reads as healthy. When another finding explains the
//! failure (the cpu/memory table, a load balancer port, a role), this one
//! goes under it.
//!
//! **Why it breaks requests:** the deploy stopped before the new revision
//! ran: the service keeps the old revision (or, for a new service, runs
//! nothing).
//!
//! **Example:** `[ERROR] FAILED. failed to update service attributes: …
//! InvalidParameterException: Unable to update load balancers on services
//! with a CODE_DEPLOY deployment controller.`
//!
//! **Fix:** act on AWS's message (for CODE_DEPLOY services: deploy through
//! CodeDeploy, set `codedeploy:` in the config); check the files with
//! `ecspresso verify` and `ecspresso deploy --dry-run` before deploying
//! again.

use super::support::{base, verify_step};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecspresso-deploy-failed");

/// Failures other checks report themselves.
const OWN_CHECKS: &[&str] = &[
    "wait-stable-timeout",
    "wait-stable-failure",
    "deployment-failed",
    "rollback-target-not-found",
];

pub fn run(model: &StackModel) -> Vec<Finding> {
    model
        .ecs
        .runtime
        .ecspresso
        .iter()
        .filter(|e| e.step == "failed")
        .filter(|e| !OWN_CHECKS.contains(&e.failure.as_deref().unwrap_or("other")))
        .take(1)
        .map(|event| {
            let step = event.failure.as_deref().unwrap_or("other");
            // AWS's message is the last part of the chain (`…, ClientException: …`).
            let reason = event
                .text
                .rsplit(", ")
                .next()
                .unwrap_or(&event.text)
                .to_string();
            base(model, CAUSE)
                .param("step", step)
                .evidence(
                    event.origin.clone(),
                    msg(&format!("step-{step}")).with("line", &event.text),
                )
                .fix(FixStep::say(msg("act-on").with("reason", reason)))
                .fix(verify_step(model))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn a_failed_deploy_is_shown_at_its_failed_line() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecspresso-must-env-unset",
                &["--envfile", "prod.env", "--logs", "logs/deploy.log"],
            ),
            "logs/deploy.log:2",
            &["ecspresso-deploy-failed.act-on", "ecspresso verify"],
        );
    }

    #[test]
    fn a_deploy_that_ran_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
