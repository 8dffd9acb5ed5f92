//! # ecs-image-arch-mismatch
//!
//! **What it detects:** containers of an ECS task that exit with
//! `exec format error` (`exec /usr/local/bin/docker-entrypoint.sh: exec
//! format error`, `exec user process caused: exec format error`), or a
//! `CannotPullContainerError` saying the image has no manifest for the
//! task's platform. The finding points at the task's
//! `runtimePlatform.cpuArchitecture` (or says it is unset, which means
//! `X86_64`). Without a failure seen, an `ARM64` task whose image is
//! pushed to ECR from elsewhere is a warning: such images are built on x86
//! laptops and CI runners for `linux/amd64` unless `--platform` says otherwise.
//!
//! **Why it breaks requests:** the kernel refuses to run a binary built for
//! another CPU; every task exits at once and the deploy times out.
//!
//! **Example:** an image built on an Apple Silicon Mac (`linux/arm64`)
//! deployed to Fargate without `runtimePlatform`, which runs `X86_64`.
//!
//! **Fix:** build for the task's platform
//! (`docker buildx build --platform linux/amd64 …`, or multi-arch
//! `--platform linux/amd64,linux/arm64`), or set
//! `"runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}`.

use super::support::{base, deploy_step, strong_events, tasks};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-image-arch-mismatch");

pub fn run(model: &StackModel) -> Vec<Finding> {
    // `exec format error` lines also support the compose cause; here they count for ECS only when ECS is in the stack.
    if model.ecs.is_empty() {
        return Vec::new();
    }
    let mut lines = strong_events(model, CAUSE);
    if lines.is_empty() {
        lines = strong_events(model, "container-image-arch-mismatch");
    }
    if lines.is_empty() {
        return arm64_risks(model);
    }
    let mut finding = base(model, CAUSE).log_lines(lines.iter().copied().take(2));
    let mut arch = "X86_64".to_string();
    for (_, task) in tasks(model) {
        match &task.cpu_architecture {
            Some(a) => {
                arch = a.value.clone();
                finding = finding.evidence(a.origin.clone(), msg("arch").with("arch", &a.value));
            }
            None => finding = finding.evidence(task.origin.clone(), msg("no-runtime-platform")),
        }
    }
    let platform = if arch.eq_ignore_ascii_case("ARM64") {
        "linux/arm64"
    } else {
        "linux/amd64"
    };
    vec![finding
        .param("arch", &arch)
        .fix(FixStep::run(
            msg("build").with("platform", platform),
            format!("docker buildx build --platform {platform} -t IMAGE --push ."),
        ))
        .fix(FixStep::say(msg("or-runtime-platform")))
        .fix(deploy_step(model))]
}

/// Without a failure seen: an ARM64 task whose image the team builds and
/// pushes to a registry elsewhere (ECR), which an x86 laptop or CI runner
/// builds for amd64 unless told otherwise.
fn arm64_risks(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        let Some(arch) = task
            .cpu_architecture
            .as_ref()
            .filter(|a| a.value.eq_ignore_ascii_case("ARM64"))
        else {
            continue;
        };
        let built_elsewhere: Vec<_> = task
            .containers
            .iter()
            .filter_map(|c| c.image.as_ref())
            .filter(|i| i.value.contains(".dkr.ecr.") && !i.value.contains("<unresolved:"))
            .collect();
        let Some(first) = built_elsewhere.first() else {
            continue;
        };
        let finding = super::support::base_for(model, deployment, CAUSE)
            .evidence(arch.origin.clone(), msg("arch").with("arch", &arch.value))
            .evidence(
                first.origin.clone(),
                msg("arm64-image").with("image", &first.value),
            )
            .param("arch", &arch.value)
            .fix(FixStep::run(
                msg("build").with("platform", "linux/arm64"),
                "docker buildx build --platform linux/arm64 -t IMAGE --push .".to_string(),
            ));
        findings.push(super::support::as_risk(finding));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn exec_format_error_is_told_to_build_for_the_task_platform() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-image-arch-mismatch",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/deploy.log",
                    "--logs",
                    "logs/app-logs.json",
                ],
            ),
            "logs/app-logs.json:6",
            &["docker buildx build --platform linux/amd64"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
