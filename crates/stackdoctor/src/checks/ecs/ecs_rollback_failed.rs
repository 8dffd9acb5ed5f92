//! # ecs-rollback-failed
//!
//! **What it detects:** `ecspresso rollback` that failed: `rollback target
//! is not found` (no ACTIVE revision older than the one the service runs,
//! because earlier rollbacks deregistered them), or a rollback whose wait
//! for a stable service failed or timed out. From `ecspresso revisions`
//! output or the API, it names the revision to deploy instead.
//!
//! **Why it breaks requests:** the service stays on the broken revision
//! (or keeps replacing tasks), so the outage the rollback was meant to end
//! goes on.
//!
//! **Example:** `rollback target is not found` after two rollbacks in a
//! row: each one deregistered the revision it left.
//!
//! **Fix:** list what exists (`ecspresso revisions`) and deploy a known good
//! one by number: `ecspresso deploy --revision 41` (or `--latest-task-definition`
//! after re-registering the old definition from version control). When the
//! rollback's wait failed, the old revision fails too: fix the cause the
//! stopped tasks name first. Keep revisions with
//! `ecspresso rollback --no-deregister-task-definition`.

use super::support::{base, config_flag};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-rollback-failed");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let runtime = &model.ecs.runtime;
    let not_found = runtime
        .ecspresso
        .iter()
        .find(|e| e.failure.as_deref() == Some("rollback-target-not-found"));
    let rolling_back = runtime.ecspresso.iter().any(|e| e.step == "rolling-back");
    let wait_failed = rolling_back
        .then(|| {
            runtime.ecspresso.iter().find(|e| {
                matches!(
                    e.failure.as_deref(),
                    Some("wait-stable-timeout" | "wait-stable-failure" | "deployment-failed")
                )
            })
        })
        .flatten();
    let Some(event) = not_found.or(wait_failed) else {
        return Vec::new();
    };
    let flag = model
        .ecs
        .deployments
        .first()
        .map(|d| config_flag(model, d))
        .unwrap_or_default();
    let current = current_revision(model);
    let mut finding = base(model, CAUSE).param("reason", &event.text).evidence(
        event.origin.clone(),
        msg(if not_found.is_some() {
            "no-target"
        } else {
            "not-stable"
        })
        .with("line", &event.text),
    );
    if let Some((revision, origin)) = &current {
        finding = finding.evidence(
            origin.clone(),
            msg("current").with("revision", revision.to_string()),
        );
    }
    let candidate = runtime
        .revisions
        .iter()
        .filter(|r| current.as_ref().is_none_or(|(c, _)| r.revision < *c))
        .max_by_key(|r| {
            // A revision still running somewhere is the last one known to work.
            let running = r.in_use.as_deref().is_some_and(|u| !u.is_empty());
            (running, r.revision)
        });
    match candidate {
        Some(revision) => {
            finding = finding
                .evidence(
                    revision.origin.clone(),
                    msg("candidate").with("revision", revision.revision.to_string()),
                )
                .fix(FixStep::run(
                    msg("deploy-revision").with("revision", revision.revision.to_string()),
                    format!("ecspresso deploy{flag} --revision {}", revision.revision),
                ));
        }
        None if not_found.is_some() => {
            finding = finding
                .fix(FixStep::run(
                    msg("list-revisions"),
                    format!("ecspresso revisions{flag}"),
                ))
                .fix(FixStep::say(msg("reregister")));
        }
        None => {}
    }
    if not_found.is_none() {
        finding = finding.fix(FixStep::say(msg("fix-cause-first")));
    }
    vec![finding.fix(FixStep::say(msg("keep-revisions")))]
}

/// The revision the service runs: its PRIMARY deployment, else the newest registered.
fn current_revision(model: &StackModel) -> Option<(u32, crate::model::Origin)> {
    let runtime = &model.ecs.runtime;
    let from_service = runtime.services.iter().find_map(|s| {
        let primary = s.deployments.iter().find(|d| d.status == "PRIMARY")?;
        Some((
            revision_of(&primary.task_definition)?,
            primary.origin.clone(),
        ))
    });
    from_service
        .or_else(|| {
            runtime
                .revisions
                .iter()
                .filter(|r| r.in_use.as_deref().is_some_and(|u| u.contains("PRIMARY")))
                .map(|r| (r.revision, r.origin.clone()))
                .max_by_key(|(r, _)| *r)
        })
        .or_else(|| {
            runtime
                .ecspresso
                .iter()
                .filter_map(|e| Some((revision_of(e.revision.as_deref()?)?, e.origin.clone())))
                .max_by_key(|(r, _)| *r)
        })
}

/// `12` of `family:12` or a task definition ARN.
fn revision_of(text: &str) -> Option<u32> {
    text.rsplit(':').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn a_rollback_without_a_target_is_told_to_list_revisions() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-rollback-no-target",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/rollback.log",
                    "--logs",
                    "logs/revisions.txt",
                ],
            ),
            "logs/rollback.log:24",
            &["ecspresso revisions", "keep-revisions"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
