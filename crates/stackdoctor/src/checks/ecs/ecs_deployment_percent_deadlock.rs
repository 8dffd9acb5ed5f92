//! # ecs-deployment-percent-deadlock
//!
//! **What it detects:** a REPLICA service with the ECS deployment
//! controller whose `deploymentConfiguration` leaves ECS no task it may
//! start and none it may stop for its `desiredCount`. ECS rounds the
//! minimum up and the maximum down: it may start
//! `floor(desired × maximumPercent / 100) − desired` tasks and stop
//! `desired − ceil(desired × minimumHealthyPercent / 100)`; when both are
//! 0 the deployment is stuck. Unset percents are ECS's defaults
//! (minimum 100, maximum 200); a `desiredCount` unset or 0 is skipped.
//!
//! **Why it breaks requests:** a rolling deployment never replaces a
//! task: ECS reports `(service api) was unable to stop or start tasks
//! during a deployment because of the service deployment configuration`,
//! the old revision keeps serving, and ecspresso waits until its timeout.
//!
//! **Example:** `"desiredCount": 1` with `"maximumPercent": 100,
//! "minimumHealthyPercent": 100`; or `"desiredCount": 3` with
//! `"maximumPercent": 120, "minimumHealthyPercent": 100`
//! (floor(3.6) = 3 leaves no room).
//!
//! **Fix:** raise `maximumPercent` so one more task fits (200 for one
//! task), or lower `minimumHealthyPercent` so ECS may stop one old task
//! first (0 for one task, accepting a short gap).

use super::support::{base_for, verify_step};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-deployment-percent-deadlock");

/// ECS's defaults for a REPLICA service.
const DEFAULT_MINIMUM: u32 = 100;
const DEFAULT_MAXIMUM: u32 = 200;

/// How many tasks ECS may start and stop: `(start, stop)`.
pub fn room(desired: u32, minimum: u32, maximum: u32) -> (i64, i64) {
    let desired = i64::from(desired);
    let most = desired * i64::from(maximum) / 100;
    let least = (desired * i64::from(minimum) + 99) / 100;
    (most - desired, desired - least)
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for deployment in &model.ecs.deployments {
        let Some(service) = &deployment.service_definition else {
            continue;
        };
        let daemon = service
            .scheduling_strategy
            .as_ref()
            .is_some_and(|s| s.value.eq_ignore_ascii_case("DAEMON"));
        let other_controller = service
            .deployment_controller
            .as_ref()
            .is_some_and(|c| !c.value.eq_ignore_ascii_case("ECS"));
        if daemon || other_controller {
            continue;
        }
        let Some(desired) = service.desired_count.as_ref().filter(|d| d.value > 0) else {
            continue;
        };
        let minimum = service.minimum_healthy_percent.as_ref();
        let maximum = service.maximum_percent.as_ref();
        let min = minimum.map_or(DEFAULT_MINIMUM, |m| m.value);
        let max = maximum.map_or(DEFAULT_MAXIMUM, |m| m.value);
        let d = desired.value;
        let (start, stop) = room(d, min, max);
        if start > 0 || stop > 0 {
            continue;
        }
        let dv = d.to_string();
        let mut finding = base_for(model, deployment, CAUSE)
            .param("desired", &dv)
            .param("min", min.to_string())
            .param("max", max.to_string());
        // The maximum is below 200 only when written, so it has an origin.
        let most = i64::from(d) * i64::from(max) / 100;
        let least = (i64::from(d) * i64::from(min) + 99) / 100;
        if let Some(m) = maximum {
            finding = finding.evidence(
                m.origin.clone(),
                msg("maximum")
                    .with("max", max.to_string())
                    .with("desired", &dv)
                    .with("most", most.max(0).to_string()),
            );
        }
        finding = match minimum {
            Some(m) => finding.evidence(
                m.origin.clone(),
                msg("minimum")
                    .with("min", min.to_string())
                    .with("desired", &dv)
                    .with("least", least.to_string()),
            ),
            None => finding.evidence(
                desired.origin.clone(),
                msg("minimum-default").with("desired", &dv),
            ),
        };
        if minimum.is_some() {
            finding = finding.evidence(desired.origin.clone(), msg("desired").with("desired", &dv));
        }
        // The smallest maximum that fits one more task, and the largest minimum that lets one stop.
        let needed_max = ((d + 1) * 100).div_ceil(d);
        let allowed_min = (d - 1) * 100 / d;
        let raise = msg("raise-maximum")
            .with("max", needed_max.to_string())
            .with("desired", &dv);
        let edit = maximum.and_then(|m| {
            replace_on_line(
                model,
                &m.origin,
                &m.value.to_string(),
                &needed_max.to_string(),
            )
        });
        finding = match edit {
            Some(edit) => finding.fix(FixStep::edit(raise, edit)),
            None => finding.fix(FixStep::say(raise)),
        };
        finding = finding.fix(FixStep::say(
            msg("or-lower-minimum").with("min", allowed_min.to_string()),
        ));
        findings.push(finding.fix(verify_step(model)));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::{room, run};
    use crate::model::StackModel;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\n\
        service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 15m\n";
    const TASK: &str = r#"{
  "family": "api",
  "networkMode": "awsvpc",
  "containerDefinitions": [
    {"name": "app", "image": "nginx:1.27", "memory": 512}
  ]
}
"#;

    fn project(desired: u32, percents: &str) -> (tempfile::TempDir, StackModel) {
        let service = format!(
            r#"{{
  "launchType": "FARGATE",
  "desiredCount": {desired},
  "deploymentConfiguration": {{
    {percents}
  }},
  "networkConfiguration": {{
    "awsvpcConfiguration": {{
      "assignPublicIp": "ENABLED",
      "subnets": ["subnet-0a1b2c3d4e5f60001"]
    }}
  }}
}}
"#
        );
        crate::checks::ecs::support::test_project(CONFIG, TASK, &service)
    }

    #[test]
    fn room_rounds_like_ecs() {
        assert_eq!(room(1, 100, 100), (0, 0));
        assert_eq!(room(3, 100, 120), (0, 0));
        assert_eq!(room(3, 50, 100), (0, 1));
        assert_eq!(room(2, 100, 150), (1, 0));
        assert_eq!(room(1, 100, 200), (1, 0));
        assert_eq!(room(4, 90, 110), (0, 0));
    }

    #[test]
    fn max_100_min_100_is_a_deadlock() {
        let (dir, model) = project(
            1,
            r#""maximumPercent": 100,
    "minimumHealthyPercent": 100"#,
        );
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let at: Vec<String> = findings[0]
            .evidence
            .iter()
            .map(|e| e.origin.display(dir.path()))
            .collect();
        assert_eq!(
            at,
            [
                "ecs-service-def.json:5:23",
                "ecs-service-def.json:6:30",
                "ecs-service-def.json:3:19"
            ]
        );
        let edit = findings[0].fix[0].edit.as_ref().expect("an edit");
        assert_eq!(edit.after.trim(), r#""maximumPercent": 200,"#);
    }

    #[test]
    fn the_default_minimum_counts_too() {
        let (dir, model) = project(3, r#""maximumPercent": 120"#);
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(
            findings[0].evidence[1].origin.display(dir.path()),
            "ecs-service-def.json:3:19"
        );
    }

    #[test]
    fn room_to_start_or_stop_or_no_tasks_is_fine() {
        let (_dir, model) = project(1, r#""maximumPercent": 200, "minimumHealthyPercent": 100"#);
        assert!(run(&model).is_empty());
        let (_dir, model) = project(1, r#""maximumPercent": 100, "minimumHealthyPercent": 0"#);
        assert!(run(&model).is_empty());
        let (_dir, model) = project(0, r#""maximumPercent": 100, "minimumHealthyPercent": 100"#);
        assert!(run(&model).is_empty());
    }
}
