//! # ecs-image-pull-failed
//!
//! **What it detects:** tasks that stopped with `CannotPullContainerError`
//! (`manifest unknown`, `not found`, `pull access denied`, `403
//! Forbidden`, `toomanyrequests`), and images a task definition names that
//! cannot be pulled as written (empty, or an unresolved template value).
//! The finding points at the container's `image` in the task definition.
//!
//! **Why it breaks requests:** the task stops before its container starts,
//! so no new task ever runs and the deploy times out.
//!
//! **Example:** `"image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:{{ must_env `TAG` }}"`
//! deployed with a `TAG` whose image was never pushed: `CannotPullContainerError:
//! … api:1.4.2: not found`.
//!
//! **Fix:** push the image and tag (`aws ecr describe-images
//! --repository-name api --image-ids imageTag=1.4.2`), correct the
//! repository or tag, give the execution role ECR read access
//! (`AmazonECSTaskExecutionRolePolicy`), and for Docker Hub limits mirror
//! the image to ECR.

use super::support::{base, deploy_step, strong_events, tasks};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-image-pull-failed");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, task) in tasks(model) {
        for container in &task.containers {
            let problem = match &container.image {
                None => Some((container.origin.clone(), msg("no-image"))),
                Some(image) if image.value.trim().is_empty() => {
                    Some((image.origin.clone(), msg("no-image")))
                }
                _ => None,
            };
            if let Some((origin, label)) = problem {
                findings.push(
                    base(model, CAUSE)
                        .param("image", "")
                        .evidence(origin, label.with("container", &container.name.value))
                        .fix(FixStep::say(msg("fix-reference"))),
                );
            }
        }
    }
    let lines = strong_events(model, CAUSE);
    if !lines.is_empty() {
        let mut finding = base(model, CAUSE).log_lines(lines.iter().copied().take(2));
        let mut image_param = String::new();
        for (_, task) in tasks(model) {
            for container in &task.containers {
                if let Some(image) = &container.image {
                    // The image the stopped task names, or every image when the line does not say.
                    let named = lines.iter().any(|e| {
                        image_repository(&image.value).is_some_and(|r| e.text.contains(r))
                    });
                    if named || task.containers.len() == 1 {
                        image_param = image.value.clone();
                        finding = finding.evidence(
                            image.origin.clone(),
                            msg("image-here").with("image", &image.value),
                        );
                    }
                }
            }
        }
        let check = if image_param.contains(".dkr.ecr.") {
            let (repository, tag) = split_image(&image_param);
            FixStep::run(
                msg("check-ecr"),
                format!("aws ecr describe-images --repository-name {repository} --image-ids imageTag={tag}"),
            )
        } else {
            FixStep::say(msg("fix-reference"))
        };
        findings.push(
            finding
                .param("image", image_param)
                .fix(check)
                .fix(deploy_step(model)),
        );
    }
    findings
}

/// `repo/name` of `registry/repo/name:tag`.
fn image_repository(image: &str) -> Option<&str> {
    let without_tag = image.split('@').next()?;
    let without_tag = match without_tag.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => without_tag,
    };
    without_tag
        .split_once('/')
        .map(|(_, r)| r)
        .or(Some(without_tag))
}

/// (repository, tag) of an ECR image reference.
fn split_image(image: &str) -> (String, String) {
    let repository = image_repository(image).unwrap_or(image).to_string();
    let tag = image
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .map_or("latest".to_string(), |(_, t)| t.to_string());
    (repository, tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_and_tags_of_image_references() {
        let ecr = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/team/api:1.4.2";
        assert_eq!(image_repository(ecr), Some("team/api"));
        assert_eq!(split_image(ecr), ("team/api".into(), "1.4.2".into()));
        assert_eq!(
            split_image("localhost:5000/api"),
            ("api".into(), "latest".into())
        );
        assert_eq!(image_repository("nginx"), Some("nginx"));
    }

    #[test]
    fn an_image_that_cannot_be_pulled_is_shown_in_the_stopped_task() {
        crate::checks::support::assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-image-pull-not-found",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/deploy.log",
                    "--logs",
                    "logs/describe-tasks.json",
                ],
            ),
            "logs/describe-tasks.json:58",
            &["aws ecr describe-images --repository-name api --image-ids imageTag=1.4.2"],
        );
        crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment(super::run);
    }
}
