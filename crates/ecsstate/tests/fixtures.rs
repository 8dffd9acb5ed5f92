//! One fixture per input kind; fields and line numbers asserted.

use ecsstate::*;

fn fixture(name: &str) -> Parsed {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(&text)
}

#[test]
fn describe_services_with_failed_rollout() {
    let out = fixture("describe-services.json");
    assert!(out.other_lines.is_empty(), "{:?}", out.other_lines);
    assert_eq!(out.services.len(), 1);
    let sv = &out.services[0];
    assert_eq!(sv.service_name, "api");
    assert_eq!((sv.line, sv.column), (4, 13));
    assert_eq!(
        sv.cluster_arn.as_deref(),
        Some("arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod")
    );
    assert_eq!(sv.status.as_deref(), Some("ACTIVE"));
    assert_eq!(
        (sv.desired_count, sv.running_count, sv.pending_count),
        (Some(2), Some(2), Some(0))
    );
    assert_eq!(sv.launch_type.as_deref(), Some("FARGATE"));
    assert_eq!(sv.platform_version.as_deref(), Some("LATEST"));
    assert_eq!(sv.health_check_grace_period_seconds, Some(60));
    assert_eq!(sv.load_balancers.len(), 1);
    assert_eq!(sv.load_balancers[0].container_name.as_deref(), Some("api"));
    assert_eq!(sv.load_balancers[0].container_port, Some(8080));
    let dc = sv.deployment_configuration.as_ref().unwrap();
    assert_eq!(dc.circuit_breaker_enable, Some(true));
    assert_eq!(dc.circuit_breaker_rollback, Some(true));
    assert_eq!(
        (dc.minimum_healthy_percent, dc.maximum_percent),
        (Some(100), Some(200))
    );

    assert_eq!(sv.deployments.len(), 2);
    let primary = sv.primary().unwrap();
    assert_eq!(primary.id.as_deref(), Some("ecs-svc/5029344838216117652"));
    assert_eq!(primary.line, 33);
    assert!(!primary.is_failed());
    assert_eq!(primary.family_revision(), Some(("api".to_string(), 41)));
    let failed = &sv.deployments[1];
    assert!(failed.is_failed());
    assert_eq!(failed.status, "ACTIVE");
    assert_eq!(failed.failed_tasks, Some(10));
    assert_eq!(failed.line, 49);
    assert_eq!(
        failed.rollout_state_reason.as_deref(),
        Some("ECS deployment circuit breaker: tasks failed to start.")
    );
    assert_eq!(
        failed.created_at.as_ref().unwrap().text,
        "2024-03-26T15:58:33.901000+09:00"
    );
    assert_eq!(
        failed.created_at.as_ref().unwrap().unix_millis,
        Some(1_711_436_313_901)
    );

    assert_eq!(sv.events.len(), 5);
    assert_eq!(
        sv.events[0].message,
        "(service api) (deployment ecs-svc/7243896164389713466) deployment failed: tasks failed to start."
    );
    assert_eq!(sv.events[0].line, 68);
    assert!(sv.events[1]
        .message
        .contains("due to (reason Health checks failed with these codes: [404])."));
    assert_eq!(sv.events[1].line, 73);
    assert_eq!(
        sv.events[4].message,
        "(service api) has reached a steady state."
    );
    assert_eq!(sv.events[4].line, 88);

    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].reason.as_deref(), Some("MISSING"));
    assert_eq!(out.failures[0].line, 121);
}

#[test]
fn describe_tasks_three_stopped_kinds() {
    let out = fixture("describe-tasks.json");
    assert!(out.other_lines.is_empty());
    assert_eq!(out.tasks.len(), 3);

    let oom = &out.tasks[0];
    assert_eq!(oom.source, TaskSource::DescribeTasks);
    assert_eq!(oom.task_id(), Some("0123abcd4567ef890123abcd4567ef89"));
    assert_eq!(oom.service_name.as_deref(), Some("api"));
    assert_eq!(oom.stop_code.as_deref(), Some("EssentialContainerExited"));
    assert_eq!(
        oom.stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );
    assert_eq!(oom.line, 60, "anchored on the task-level stoppedReason");
    assert_eq!(
        oom.stopped_reason_position,
        Some(Position {
            line: 60,
            column: 13
        })
    );
    assert_eq!(
        (oom.cpu.as_deref(), oom.memory.as_deref()),
        (Some("256"), Some("512"))
    );
    assert_eq!(oom.containers.len(), 2);
    assert_eq!(oom.containers[0].name, "log_router");
    assert_eq!(oom.containers[0].line, 25);
    let exit = oom.essential_exit().unwrap();
    assert_eq!(exit.name, "api");
    assert_eq!(exit.exit_code, Some(137));
    assert_eq!(
        exit.reason.as_deref(),
        Some("OutOfMemoryError: Container killed due to memory usage")
    );
    assert_eq!(exit.line, 35);
    assert_eq!(
        oom.stopped_at.as_ref().unwrap().unix_seconds(),
        Some(1_711_436_398)
    );

    let pull = &out.tasks[1];
    assert_eq!(pull.stop_code.as_deref(), Some("TaskFailedToStart"));
    assert!(pull
        .stopped_reason
        .as_deref()
        .unwrap()
        .starts_with("ResourceInitializationError: unable to pull secrets or registry auth: "));
    assert_eq!(pull.line, 91);
    assert!(pull.containers[0]
        .reason
        .as_deref()
        .unwrap()
        .starts_with("CannotPullContainerError: "));
    assert_eq!(pull.containers[0].line, 71);
    assert!(pull.essential_exit().is_none(), "no exit code at all");

    let elb = &out.tasks[2];
    assert!(elb
        .stopped_reason
        .as_deref()
        .unwrap()
        .starts_with("Task failed ELB health checks in (target-group arn:"));
    assert_eq!(elb.line, 123);
    assert_eq!(elb.health_status.as_deref(), Some("UNHEALTHY"));
    assert_eq!(elb.essential_exit().unwrap().exit_code, Some(143));
}

#[test]
fn describe_task_definition() {
    let out = fixture("describe-task-definition.json");
    assert_eq!(out.task_definitions.len(), 1);
    let td = &out.task_definitions[0];
    assert_eq!(td.family.as_deref(), Some("api"));
    assert_eq!(td.revision, Some(42));
    assert_eq!(td.status.as_deref(), Some("ACTIVE"));
    assert_eq!(td.line, 3);
    assert_eq!(
        td.definition["containerDefinitions"][0]["portMappings"][0]["containerPort"],
        8080
    );
    assert_eq!(td.definition["cpu"], "256");
}

#[test]
fn target_health_unhealthy() {
    let out = fixture("describe-target-health.json");
    assert_eq!(out.target_health.len(), 3);
    let t = &out.target_health[0];
    assert_eq!(t.target_id, "10.0.1.23");
    assert_eq!(t.port, Some(8080));
    assert_eq!(t.state.as_deref(), Some("unhealthy"));
    assert_eq!(t.reason.as_deref(), Some("Target.ResponseCodeMismatch"));
    assert_eq!(
        t.description.as_deref(),
        Some("Health checks failed with these codes: [404]")
    );
    assert_eq!((t.line, t.column), (5, 17));
    assert_eq!(
        out.target_health[1].reason.as_deref(),
        Some("Target.Timeout")
    );
    assert_eq!(out.target_health[1].line, 18);
    assert_eq!(out.target_health[2].state.as_deref(), Some("draining"));
    assert_eq!(out.target_health[2].line, 31);
}

#[test]
fn cloudwatch_filter_log_events() {
    let out = fixture("filter-log-events.json");
    assert_eq!(out.log_lines.len(), 3);
    let l = &out.log_lines[1];
    assert_eq!(
        l.message,
        "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space"
    );
    assert_eq!(
        l.stream.as_deref(),
        Some("ecs/api/0123abcd4567ef890123abcd4567ef89")
    );
    assert_eq!(l.index, 1);
    assert_eq!(l.line, 13);
    assert_eq!(
        l.timestamp.as_ref().unwrap().unix_millis,
        Some(1_711_436_390_007)
    );
    assert_eq!(out.log_lines[2].message, "GET /healthz 404 0.412 ms - 9");
    assert_eq!(out.log_lines[2].line, 20);
}

#[test]
fn eventbridge_task_state_change() {
    let out = fixture("eventbridge-task-state-change.json");
    assert_eq!(out.tasks.len(), 1);
    let t = &out.tasks[0];
    assert_eq!(t.source, TaskSource::EventBridge);
    assert_eq!(t.stop_code.as_deref(), Some("TaskFailedToStart"));
    assert!(t
        .stopped_reason
        .as_deref()
        .unwrap()
        .starts_with("CannotPullContainerError: "));
    assert_eq!(t.line, 37);
    assert_eq!(t.containers[0].line, 18);
    assert_eq!(
        t.task_definition_arn.as_deref(),
        Some("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:42")
    );
}

#[test]
fn eventbridge_one_per_line() {
    let out = fixture("eventbridge-lines.jsonl");
    assert!(out.other_lines.is_empty());
    assert_eq!(out.service_actions.len(), 2);
    let a = &out.service_actions[0];
    assert_eq!(
        a.event_name.as_deref(),
        Some("SERVICE_TASK_PLACEMENT_FAILURE")
    );
    assert_eq!(a.reason.as_deref(), Some("RESOURCE:MEMORY"));
    assert_eq!(
        a.service_arn.as_deref(),
        Some("arn:aws:ecs:ap-northeast-1:123456789012:service/prod/api")
    );
    assert_eq!(a.line, 1);
    let d = &out.service_actions[1];
    assert_eq!(d.detail_type, "ECS Deployment State Change");
    assert_eq!(d.event_name.as_deref(), Some("SERVICE_DEPLOYMENT_FAILED"));
    assert_eq!(
        d.deployment_id.as_deref(),
        Some("ecs-svc/7243896164389713466")
    );
    assert_eq!(d.line, 2);
    assert_eq!(out.tasks.len(), 1);
    assert_eq!(
        out.tasks[0].stopped_reason.as_deref(),
        Some("Task failed container health checks")
    );
    assert_eq!(out.tasks[0].line, 3);
}

#[test]
fn ecspresso_status() {
    let out = fixture("ecspresso-status.txt");
    assert!(out.other_lines.is_empty(), "{:?}", out.other_lines);
    let st = out.status.as_ref().unwrap();
    assert_eq!(st.service.as_deref(), Some("api"));
    assert_eq!(st.cluster.as_deref(), Some("prod"));
    assert_eq!(st.task_definition.as_deref(), Some("api:41"));
    assert_eq!(st.deployments.len(), 2);
    let p = st.primary().unwrap();
    assert_eq!(p.task_definition.as_deref(), Some("api:41"));
    assert_eq!(
        (p.desired_count, p.pending_count, p.running_count),
        (Some(2), Some(0), Some(2))
    );
    assert_eq!(p.rollout_state.as_deref(), Some("IN_PROGRESS"));
    assert_eq!((p.line, p.column), (5, 4));
    let a = &st.deployments[1];
    assert_eq!(a.status, "ACTIVE");
    assert!(a.is_failed());
    assert_eq!(
        a.rollout_state_reason.as_deref(),
        Some("ECS deployment circuit breaker: tasks failed to start.")
    );
    assert_eq!((a.line, a.column), (6, 5));
    assert_eq!(st.auto_scaling.len(), 2);
    assert_eq!(st.auto_scaling[0].text, "Capacity min:2 max:8");
    assert_eq!(st.events.len(), 4);
    assert_eq!(st.events[1].line, 12);
    assert_eq!(
        st.events[1].message,
        "(service api) was unable to place a task because no container instance met all of its requirements."
    );
    assert_eq!(
        st.events[3].created_at.as_ref().unwrap().text,
        "2024/03/26 16:03:12"
    );
    assert!(out.ecspresso.is_empty());
}

#[test]
fn revisions_table_tsv_json_and_arns() {
    for (name, source) in [
        ("revisions-table.txt", RevisionSource::Table),
        ("revisions.tsv", RevisionSource::Tsv),
    ] {
        let out = fixture(name);
        assert!(out.other_lines.is_empty(), "{name}: {:?}", out.other_lines);
        assert_eq!(out.revisions.len(), 4, "{name}");
        let first_row = if source == RevisionSource::Table {
            3
        } else {
            1
        };
        assert_eq!(out.revisions[0].revision, 42);
        assert_eq!(out.revisions[0].in_use, None);
        assert_eq!(out.revisions[0].line, first_row);
        assert_eq!(
            out.revisions[1].in_use.as_deref(),
            Some("PRIMARY deployment")
        );
        assert_eq!(out.revisions[1].family.as_deref(), Some("api"));
        assert_eq!(out.revisions[2].in_use.as_deref(), Some("RUNNING task"));
        assert!(out.revisions.iter().all(|r| r.source == source));
    }

    let out = fixture("revisions.json");
    assert!(out.other_lines.is_empty(), "{:?}", out.other_lines);
    assert_eq!(out.revisions.len(), 3);
    assert_eq!(out.revisions[0].name, "api:42");
    assert_eq!(out.revisions[0].in_use, None);
    assert_eq!(out.revisions[0].line, 2);
    assert_eq!(
        out.revisions[1].in_use.as_deref(),
        Some("PRIMARY deployment")
    );
    assert_eq!(out.revisions[1].line, 6);
    assert_eq!(out.revisions[2].revision, 40);
    assert_eq!(out.revisions[2].family, None);
    assert_eq!(
        out.revisions[2].registered_at.as_deref(),
        Some("2024-03-20T11:02:03+09:00")
    );
    assert_eq!(out.revisions[2].in_use.as_deref(), Some("RUNNING task"));
    assert_eq!(out.revisions[2].line, 9);

    let out = fixture("list-task-definitions.json");
    assert_eq!(out.revisions.len(), 3);
    assert_eq!(out.revisions[2].revision, 42);
    assert_eq!(out.revisions[2].source, RevisionSource::ListTaskDefinitions);
    assert_eq!(out.revisions[2].line, 5);

    let out = parse(
        "TASKDEFINITIONARNS\tarn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:41\n",
    );
    assert_eq!(out.revisions[0].revision, 41);
}

#[test]
fn deploy_v2_waiter_timeout() {
    let out = fixture("deploy-v2.txt");
    assert!(out.other_lines.is_empty(), "{:?}", out.other_lines);
    let e = &out.ecspresso;
    assert_eq!(e[0].kind, EcspressoStep::StartingDeploy);
    assert_eq!(e[0].service.as_deref(), Some("api"));
    assert_eq!(e[0].cluster.as_deref(), Some("prod"));
    assert_eq!(e[0].level, None);
    assert_eq!(e[1].kind, EcspressoStep::Registering);
    assert_eq!(e[1].line, 8);
    assert_eq!(e[1].level.as_deref(), Some("INFO"));
    assert_eq!(
        e[2].kind,
        EcspressoStep::Registered {
            family: "api".into(),
            revision: 42
        }
    );
    assert_eq!(e[4].kind, EcspressoStep::UpdatingService);
    assert_eq!(e[5].kind, EcspressoStep::WaitingStable);
    let EcspressoStep::Progress(d) = &e[6].kind else {
        panic!("{:?}", e[6].kind)
    };
    assert_eq!(d.task_definition.as_deref(), Some("api:42"));
    assert_eq!(d.pending_count, Some(1));
    assert_eq!(d.line, 13);
    let last = e.last().unwrap();
    assert_eq!(last.line, 17);
    assert_eq!(last.level.as_deref(), Some("ERROR"));
    assert_eq!(last.timestamp.as_ref().unwrap().text, "2024/03/26 16:08:20");
    assert_eq!(
        last.kind,
        EcspressoStep::Failed {
            chain: "failed to wait for service stable: exceeded max wait time for ServicesStable waiter".into(),
            step: Some(FailedStep::WaiterTimeout),
        }
    );
    assert_eq!(
        last.kind.chain_parts(),
        [
            "failed to wait for service stable",
            "exceeded max wait time for ServicesStable waiter"
        ]
    );
    assert_eq!(out.ecspresso_failure().unwrap().line, 17);
    let st = out.status.as_ref().unwrap();
    assert_eq!(st.deployments.len(), 1);
    assert_eq!(st.events.len(), 2);
    assert_eq!(st.events[1].line, 16);
    assert!(st.events[1]
        .message
        .contains("is unhealthy in (target-group"));
}

#[test]
fn deploy_v2_8_slog() {
    let out = fixture("deploy-v2.8.txt");
    assert!(out.other_lines.is_empty(), "{:?}", out.other_lines);
    let e = &out.ecspresso;
    assert_eq!(e.len(), 8);
    assert!(e.iter().all(|l| l.format == LogFormat::Slog));
    assert_eq!(e[0].kind, EcspressoStep::StartingDeploy);
    assert_eq!(
        e[0].timestamp.as_ref().unwrap().unix_millis,
        Some(1_769_669_770_956)
    );
    assert_eq!(e[0].service.as_deref(), Some("api"));
    assert_eq!(
        e[2].kind,
        EcspressoStep::Registered {
            family: "api".into(),
            revision: 43
        }
    );
    assert_eq!(e[5].level.as_deref(), Some("WARNING"));
    assert_eq!(e[6].level.as_deref(), Some("DEBUG"));
    let last = &e[7];
    assert_eq!(last.service, None);
    assert_eq!(last.line, 8);
    assert!(matches!(
        last.kind,
        EcspressoStep::Failed {
            step: Some(FailedStep::WaiterTimeout),
            ..
        }
    ));
}

#[test]
fn rollback_target_not_found_and_rollback_ok() {
    let out = fixture("rollback-failed.txt");
    assert!(out.other_lines.is_empty(), "{:?}", out.other_lines);
    assert_eq!(out.ecspresso[0].kind, EcspressoStep::StartingRollback);
    let f = out.ecspresso_failure().unwrap();
    assert_eq!(f.line, 8);
    assert!(matches!(
        f.kind,
        EcspressoStep::Failed {
            step: Some(FailedStep::RollbackTargetNotFound),
            ..
        }
    ));
    assert_eq!(
        out.status.as_ref().unwrap().task_definition.as_deref(),
        Some("api:1")
    );

    let out = fixture("rollback-ok.txt");
    let kinds: Vec<&EcspressoStep> = out.ecspresso.iter().map(|l| &l.kind).collect();
    assert_eq!(
        kinds[0],
        &EcspressoStep::RollingBack {
            family: "api".into(),
            revision: 41
        }
    );
    assert_eq!(kinds[1], &EcspressoStep::WaitingStable);
    assert_eq!(
        kinds[2],
        &EcspressoStep::RolledBack {
            family: None,
            revision: None
        }
    );
    assert_eq!(
        kinds[3],
        &EcspressoStep::RolledBack {
            family: Some("api".into()),
            revision: Some(42)
        }
    );
    assert!(matches!(kinds[4], EcspressoStep::Other(_)));
}

#[test]
fn register_failure() {
    let out = fixture("register-failed.txt");
    let f = out.ecspresso_failure().unwrap();
    assert_eq!(f.line, 3);
    let EcspressoStep::Failed { chain, step } = &f.kind else {
        unreachable!()
    };
    assert_eq!(step, &Some(FailedStep::RegisterTaskDefinition));
    assert!(chain.ends_with("ClientException: No Fargate configuration exists for given values."));
    let parts = f.kind.chain_parts();
    assert_eq!(parts[0], "failed to register task definition");
    assert_eq!(
        parts.last().copied(),
        Some("No Fargate configuration exists for given values.")
    );
}

#[test]
fn ecspresso_run_failure_becomes_a_task() {
    let out = fixture("run-failed.txt");
    assert_eq!(out.tasks.len(), 1);
    let t = &out.tasks[0];
    assert_eq!(t.source, TaskSource::EcspressoRun);
    assert_eq!(
        t.stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );
    assert_eq!(t.stopped_reason_position.unwrap().line, 5);
    assert_eq!(t.containers[0].name, "api");
    assert_eq!(t.containers[0].exit_code, Some(1));
    assert_eq!(t.containers[0].reason, None);
    assert_eq!(t.line, 4);
    assert_eq!(t.essential_exit().unwrap().name, "api");
    let f = out.ecspresso_failure().unwrap();
    assert!(matches!(
        f.kind,
        EcspressoStep::Failed {
            step: Some(FailedStep::RunTask),
            ..
        }
    ));
}

#[test]
fn v1_and_bare_lines() {
    let out = fixture("v1-and-bare.txt");
    let e = &out.ecspresso;
    assert_eq!(e.len(), 4, "{e:#?}");
    assert!(matches!(e[0].kind, EcspressoStep::Other(_)));
    assert!(matches!(
        e[1].kind,
        EcspressoStep::Failed {
            step: Some(FailedStep::WaiterTimeout),
            ..
        }
    ));
    assert_eq!(e[1].line, 2);
    assert_eq!(e[2].kind, EcspressoStep::Interrupted);
    assert_eq!(e[2].format, LogFormat::Bare);
    assert!(matches!(
        &e[3].kind,
        EcspressoStep::Failed { step: Some(FailedStep::ServiceNotFound { service }), .. } if service == "api"
    ));
    assert_eq!(out.other_lines.len(), 1);
    assert_eq!(out.other_lines[0].number, 5);
    assert_eq!(out.other_lines[0].text, "make: *** [deploy] Error 1");
}

#[test]
fn failed_step_recognition() {
    let step = |line: &str| match parse(line).ecspresso.pop().map(|l| l.kind) {
        Some(EcspressoStep::Failed { step, .. }) => step,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(
        step("FAILED. failed to wait for service stable: waiter state transitioned to Failure"),
        Some(FailedStep::WaiterFailure)
    );
    assert_eq!(step("FAILED. failed to update service attributes: InvalidParameterException: Unable to update load balancers on services with a CODE_DEPLOY deployment controller"), Some(FailedStep::UpdateServiceAttributes));
    assert_eq!(
        step("FAILED. failed to update service tasks: x"),
        Some(FailedStep::UpdateServiceTasks)
    );
    assert_eq!(
        step("FAILED. failed to update service: x"),
        Some(FailedStep::UpdateService)
    );
    assert_eq!(
        step("FAILED. failed to create service: x"),
        Some(FailedStep::CreateService)
    );
    assert_eq!(
        step("FAILED. service api is INACTIVE"),
        Some(FailedStep::ServiceInactive {
            service: "api".into()
        })
    );
    assert_eq!(
        step("FAILED. failed to load config file ecspresso.yml: failed to read template file"),
        Some(FailedStep::LoadConfig)
    );
    assert_eq!(
        step("FAILED. failed to load task definition ecs-task-def.json: open: no such file"),
        Some(FailedStep::LoadTaskDefinition)
    );
    assert_eq!(
        step("FAILED. Service deployment failed ROLLBACK_FAILED"),
        Some(FailedStep::DeploymentFailed {
            state: "ROLLBACK_FAILED".into()
        })
    );
    assert_eq!(step("FAILED. service deployment has been rolled back before reaching the target lifecycle stage"), Some(FailedStep::DeploymentRolledBack));
    assert_eq!(
        step("FAILED. task definition api:42 is not deployed yet. PRIMARY deployment is api:41"),
        Some(FailedStep::NotDeployedYet {
            task_definition: "api:42".into(),
            primary: "api:41".into()
        })
    );
    assert_eq!(
        step("FAILED. context deadline exceeded"),
        Some(FailedStep::ContextDeadlineExceeded)
    );
    assert_eq!(
        step("FAILED. timeout waiting for service stable"),
        Some(FailedStep::WaiterTimeout)
    );
    assert_eq!(step("FAILED. something new"), None);
}

#[test]
fn family_revision_helper() {
    assert_eq!(family_revision("api:42"), Some(("api".into(), 42)));
    assert_eq!(
        family_revision("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/my_app-v2:7"),
        Some(("my_app-v2".into(), 7))
    );
    assert_eq!(
        family_revision("arn:aws:ecs:ap-northeast-1:123456789012:service/prod/api"),
        None
    );
    assert_eq!(family_revision("api:"), None);
    assert_eq!(family_revision("api:x"), None);
    assert_eq!(family_revision(""), None);
}

#[test]
fn parse_value_and_parse_json() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/describe-tasks.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let out = parse_value(&value);
    assert_eq!(out.tasks.len(), 3);
    assert_eq!((out.tasks[0].line, out.tasks[0].column), (0, 0));
    // Raw API response: epoch-second timestamps.
    let raw = serde_json::json!({"services": [{"serviceName": "api", "deployments": [
        {"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "FAILED", "createdAt": 1711436313.901}]}]});
    let out = parse_value(&raw);
    let d = out.services[0].primary().unwrap();
    assert!(d.is_failed());
    assert_eq!(
        d.created_at.as_ref().unwrap().unix_millis,
        Some(1_711_436_313_901)
    );

    assert_eq!(parse_json(&text).unwrap().tasks[2].line, 123);
    assert!(matches!(parse_json("{\"a\": 1}"), Err(Error::Unrecognised)));
    assert!(matches!(
        parse_json("{\"tasks\": ["),
        Err(Error::Json { line: 1, .. })
    ));
}
