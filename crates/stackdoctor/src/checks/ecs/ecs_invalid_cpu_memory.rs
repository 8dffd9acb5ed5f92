//! # ecs-invalid-cpu-memory
//!
//! **What it detects:** a task definition whose cpu and memory ECS will
//! refuse: on Fargate, task-level `cpu`/`memory` missing or not one of the
//! valid pairs (units such as `"1 vCPU"` and `"2 GB"` are converted first);
//! containers whose `memory` (or `cpu`) adds up to more than the task's,
//! as when a module call's task-level and container-level sizes are
//! swapped; on EC2, a
//! container with neither `memory` nor `memoryReservation`, or a
//! `memoryReservation` above its `memory`. Also ECS's own answers in
//! ecspresso's output (`No Fargate configuration exists for given values`).
//!
//! **Why it breaks requests:** `RegisterTaskDefinition` fails, so ecspresso
//! stops at `failed to register task definition` and the new revision never
//! runs.
//!
//! **Example:** `"cpu": "256", "memory": "4096"` with
//! `"requiresCompatibilities": ["FARGATE"]`: 256 units allow 512, 1024 or
//! 2048 MiB.
//!
//! **Fix:** pick a valid pair (cpu 256 → 512–2048; 512 → 1024–4096;
//! 1024 → 2048–8192; 2048 → 4096–16384; 4096 → 8192–30720), keep the
//! containers' `memory` within the task's, then `ecspresso verify` and
//! `ecspresso deploy`.

use super::support::{
    base, base_for, fargate_sizes, memory_choices, strong_events, tasks, verify_step,
};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-invalid-cpu-memory");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        let fargate = deployment.is_fargate();
        let mut finding = base_for(model, deployment, CAUSE);
        let mut problems = 0;
        let cpu = task.cpu.as_ref().and_then(|c| c.value.value);
        let memory = task.memory.as_ref().and_then(|m| m.value.value);
        let unresolved = |text: &str| text.contains("<unresolved:");
        if fargate {
            match (&task.cpu, &task.memory) {
                (None, _) | (_, None) => {
                    problems += 1;
                    finding = finding.evidence(task.origin.clone(), msg("fargate-needs-task-size"));
                }
                (Some(c), Some(m)) if unresolved(&c.value.text) || unresolved(&m.value.text) => {}
                (Some(c), Some(m)) => match (cpu, memory) {
                    (Some(cpu), Some(memory)) => {
                        match fargate_sizes().get(&cpu) {
                            None => {
                                problems += 1;
                                finding = finding.evidence(
                                    c.origin.clone(),
                                    msg("no-fargate-cpu").with("cpu", &c.value.text),
                                );
                            }
                            Some(allowed) if !allowed.contains(&memory) => {
                                problems += 1;
                                finding = finding
                                    .evidence(
                                        m.origin.clone(),
                                        msg("no-fargate-pair")
                                            .with("cpu", &c.value.text)
                                            .with("memory", &m.value.text)
                                            .with("allowed", memory_choices(allowed)),
                                    )
                                    .evidence(
                                        c.origin.clone(),
                                        msg("task-cpu").with("cpu", &c.value.text),
                                    );
                                let nearest = allowed
                                    .iter()
                                    .copied()
                                    .min_by_key(|a| a.abs_diff(memory))
                                    .unwrap_or(memory);
                                if let Some(edit) = replace_on_line(
                                    model,
                                    &m.origin,
                                    &m.value.text,
                                    &nearest.to_string(),
                                ) {
                                    finding = finding.fix(FixStep::edit(
                                        msg("set-memory").with("memory", nearest.to_string()),
                                        edit,
                                    ));
                                }
                                // Or keep the memory and take the smallest cpu that allows it.
                                if let Some((bigger, _)) =
                                    fargate_sizes().iter().find(|(_, m)| m.contains(&memory))
                                {
                                    finding = finding.fix(FixStep::say(
                                        msg("or-cpu")
                                            .with("cpu", bigger.to_string())
                                            .with("memory", memory.to_string()),
                                    ));
                                }
                            }
                            Some(_) => {}
                        }
                    }
                    (None, _) => {
                        problems += 1;
                        finding = finding.evidence(
                            c.origin.clone(),
                            msg("unreadable").with("value", &c.value.text),
                        );
                    }
                    (_, None) => {
                        problems += 1;
                        finding = finding.evidence(
                            m.origin.clone(),
                            msg("unreadable").with("value", &m.value.text),
                        );
                    }
                },
            }
        }
        // Containers cannot ask for more than the task has.
        if let Some(task_memory) = memory {
            let total: u32 = task
                .containers
                .iter()
                .filter_map(|c| c.memory.as_ref().map(|m| m.value))
                .sum();
            if total > task_memory {
                problems += 1;
                for container in &task.containers {
                    if let Some(m) = &container.memory {
                        finding = finding.evidence(
                            m.origin.clone(),
                            msg("container-memory")
                                .with("container", &container.name.value)
                                .with("memory", m.value.to_string())
                                .with("task", task_memory.to_string()),
                        );
                    }
                }
                finding = finding.fix(raise_task(&task.memory, "memory", total));
            }
        }
        // Nor for more CPU units than the task has.
        if let Some(task_cpu) = cpu {
            let total: u32 = task
                .containers
                .iter()
                .filter_map(|c| c.cpu.as_ref().map(|c| c.value))
                .sum();
            if total > task_cpu {
                problems += 1;
                for container in &task.containers {
                    if let Some(c) = &container.cpu {
                        finding = finding.evidence(
                            c.origin.clone(),
                            msg("container-cpu")
                                .with("container", &container.name.value)
                                .with("cpu", c.value.to_string())
                                .with("task", task_cpu.to_string()),
                        );
                    }
                }
                finding = finding.fix(raise_task(&task.cpu, "cpu", total));
            }
        } else if !fargate {
            for container in &task.containers {
                if container.memory.is_none() && container.memory_reservation.is_none() {
                    problems += 1;
                    finding = finding.evidence(
                        container.origin.clone(),
                        msg("container-needs-memory").with("container", &container.name.value),
                    );
                }
            }
        }
        for container in &task.containers {
            if let (Some(hard), Some(soft)) = (&container.memory, &container.memory_reservation) {
                if soft.value > hard.value {
                    problems += 1;
                    finding = finding.evidence(
                        soft.origin.clone(),
                        msg("reservation-above-memory")
                            .with("container", &container.name.value)
                            .with("reservation", soft.value.to_string())
                            .with("memory", hard.value.to_string()),
                    );
                }
            }
        }
        if problems > 0 {
            finding = finding.log_lines(strong_events(model, CAUSE).into_iter().take(2));
            findings.push(finding.fix(verify_step(model)));
        }
    }
    if findings.is_empty() {
        let lines = strong_events(model, CAUSE);
        if !lines.is_empty() {
            findings.push(
                base(model, CAUSE)
                    .log_lines(lines.into_iter().take(3))
                    .fix(FixStep::say(msg("fix-table")))
                    .fix(verify_step(model)),
            );
        }
    }
    findings
}

/// Raise the task's `field` to the containers' sum (task-level and
/// container-level sizes are easily swapped, as in a module call's `cpu`
/// and `memory` beside its `container_definitions`).
fn raise_task(
    task_value: &Option<crate::model::Sourced<crate::model::ecs::Units>>,
    field: &str,
    total: u32,
) -> FixStep {
    let text = task_value
        .as_ref()
        .map_or(String::new(), |v| v.value.text.clone());
    FixStep::say(
        msg("raise-task")
            .with("field", field)
            .with("total", total.to_string())
            .with("task", text),
    )
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_memory_size_fargate_lacks_is_given_a_valid_one() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-invalid-cpu-memory",
                &["--envfile", "prod.env", "--logs", "logs/deploy.log"],
            ),
            "ecs-task-def.json:8",
            &["\"memory\": \"2048\"", "ecspresso verify"],
        );
    }

    #[test]
    fn a_valid_size_is_quiet() {
        assert_example_quiet(
            super::run,
            ("ecs-invalid-cpu-memory", &["--envfile", "prod.env"]),
            &[(
                "ecs-task-def.json",
                "\"memory\": \"4 GB\"",
                "\"memory\": \"2048\"",
            )],
        );
    }
}
