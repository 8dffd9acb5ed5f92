//! Recognises the JSON documents (AWS CLI output, API responses, EventBridge
//! events, ecspresso `revisions --output json`) and turns them into records.

use serde_json::{Map, Value};

use crate::locate::Locator;
use crate::model::*;
use crate::time::Timestamp;
use crate::Parsed;

/// Where the document being read sits in the input (if it came from text).
pub(crate) struct Ctx<'a, 'b> {
    pub(crate) loc: Option<&'b Locator<'a>>,
    /// Byte range of the document in the input.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Ctx<'_, '_> {
    /// Finds `"key": value` at or after `from`; returns the offset.
    fn find(&self, from: usize, key: &str, value: Option<&Value>) -> Option<usize> {
        let loc = self.loc?;
        loc.find_key_value(from.max(self.start), self.end, key, value?)
    }

    /// Tries the anchors in order; returns (offset, line, column). Without a
    /// locator everything is 0; when nothing is found the position of `from`
    /// is used and the offset stays at `from`.
    fn anchor(&self, from: usize, obj: &Map<String, Value>, keys: &[&str]) -> (usize, u32, u32) {
        let Some(loc) = self.loc else {
            return (from, 0, 0);
        };
        for key in keys {
            if let Some(v) = obj.get(*key) {
                if v.is_string() || v.is_number() {
                    if let Some(at) = self.find(from, key, Some(v)) {
                        let p = loc.position(at);
                        return (at, p.line, p.column);
                    }
                }
            }
        }
        let p = loc.position(from.max(self.start));
        (from.max(self.start), p.line, p.column)
    }

    fn position_of(&self, from: usize, key: &str, value: Option<&Value>) -> Option<Position> {
        let at = self.find(from, key, value)?;
        self.loc.map(|l| l.position(at))
    }
}

fn s(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn n(obj: &Map<String, Value>, key: &str) -> Option<i64> {
    match obj.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn b(obj: &Map<String, Value>, key: &str) -> Option<bool> {
    match obj.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn ts(obj: &Map<String, Value>, key: &str) -> Option<Timestamp> {
    obj.get(key).and_then(Timestamp::from_json)
}

fn arr<'v>(obj: &'v Map<String, Value>, key: &str) -> &'v [Value] {
    match obj.get(key) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

fn get_any<'v>(obj: &'v Map<String, Value>, keys: &[&str]) -> Option<&'v Value> {
    keys.iter().find_map(|k| obj.get(*k))
}

/// Recognises `value` and appends what it holds to `out`. Returns whether
/// anything was recognised.
pub(crate) fn extract(value: &Value, ctx: &Ctx, out: &mut Parsed) -> bool {
    let mut cursor = ctx.start;
    extract_at(value, ctx, out, &mut cursor, 0)
}

fn extract_at(value: &Value, ctx: &Ctx, out: &mut Parsed, cursor: &mut usize, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    match value {
        Value::Array(items) => {
            let mut any = false;
            for item in items {
                any |= extract_at(item, ctx, out, cursor, depth + 1);
            }
            any
        }
        Value::Object(obj) => extract_object(obj, ctx, out, cursor, depth),
        _ => false,
    }
}

fn extract_object(
    obj: &Map<String, Value>,
    ctx: &Ctx,
    out: &mut Parsed,
    cursor: &mut usize,
    depth: u32,
) -> bool {
    let mut any = false;
    // EventBridge event.
    if let (Some(Value::String(dt)), Some(Value::Object(detail))) =
        (obj.get("detail-type"), obj.get("detail"))
    {
        return eventbridge(obj, dt, detail, ctx, out, cursor);
    }
    // describe-services / create-service / update-service.
    if let Some(Value::Array(services)) = obj.get("services") {
        for sv in services {
            if let Value::Object(sv) = sv {
                out.services.push(service(sv, ctx, cursor));
                any = true;
            }
        }
    }
    if let Some(Value::Object(sv)) = obj.get("service") {
        if sv.contains_key("serviceName") || sv.contains_key("serviceArn") {
            out.services.push(service(sv, ctx, cursor));
            any = true;
        }
    }
    // describe-tasks / run-task.
    if let Some(Value::Array(tasks)) = obj.get("tasks") {
        for t in tasks {
            if let Value::Object(t) = t {
                out.tasks
                    .push(task(t, ctx, cursor, TaskSource::DescribeTasks));
                any = true;
            }
        }
    }
    if let Some(Value::Array(arns)) = obj.get("taskArns") {
        for a in arns {
            if let Value::String(arn) = a {
                let (at, line, column) = ctx.anchor(*cursor, &Map::new(), &[]);
                let at = ctx
                    .loc
                    .and_then(|l| {
                        let hay = l.text.get(*cursor..ctx.end)?;
                        let enc = serde_json::to_string(arn).ok()?;
                        hay.find(&enc).map(|i| *cursor + i)
                    })
                    .unwrap_or(at);
                let (line, column) = match ctx.loc {
                    Some(l) => {
                        let p = l.position(at);
                        (p.line, p.column)
                    }
                    None => (line, column),
                };
                *cursor = at;
                let mut t = TaskState::new(TaskSource::ListTasks, line, column);
                t.task_arn = Some(arn.clone());
                out.tasks.push(t);
                any = true;
            }
        }
    }
    if let Some(Value::Array(arns)) = obj.get("taskDefinitionArns") {
        for a in arns {
            if let Value::String(arn) = a {
                let Some((family, revision)) = family_revision(arn) else {
                    continue;
                };
                let at = ctx.loc.and_then(|l| {
                    let hay = l.text.get(*cursor..ctx.end)?;
                    let enc = serde_json::to_string(arn).ok()?;
                    hay.find(&enc).map(|i| *cursor + i)
                });
                let p = match (ctx.loc, at) {
                    (Some(l), Some(at)) => {
                        *cursor = at;
                        l.position(at)
                    }
                    _ => Position::default(),
                };
                out.revisions.push(Revision {
                    source: RevisionSource::ListTaskDefinitions,
                    name: format!("{family}:{revision}"),
                    family: Some(family),
                    revision,
                    registered_at: None,
                    in_use: None,
                    arn: Some(arn.clone()),
                    line: p.line,
                    column: p.column,
                });
                any = true;
            }
        }
    }
    // describe-task-definition / register-task-definition.
    if let Some(Value::Object(td)) = obj.get("taskDefinition") {
        out.task_definitions.push(task_definition(td, ctx, cursor));
        any = true;
    }
    // elbv2 describe-target-health.
    if let Some(Value::Array(descs)) = obj.get("TargetHealthDescriptions") {
        for d in descs {
            if let Value::Object(d) = d {
                out.target_health.push(target_health(d, ctx, cursor));
                any = true;
            }
        }
    }
    // logs filter-log-events / get-log-events.
    if let Some(Value::Array(events)) = obj.get("events") {
        let log_like = events.iter().any(|e| {
            e.get("message").is_some_and(Value::is_string)
                && (e.get("timestamp").is_some()
                    || e.get("ingestionTime").is_some()
                    || e.get("logStreamName").is_some())
        });
        if log_like {
            for (i, e) in events.iter().enumerate() {
                if let Value::Object(e) = e {
                    if let Some(l) = log_event(e, u32::try_from(i).unwrap_or(u32::MAX), ctx, cursor)
                    {
                        out.log_lines.push(l);
                        any = true;
                    }
                }
            }
        }
    }
    if let Some(Value::Array(failures)) = obj.get("failures") {
        for f in failures {
            if let Value::Object(f) = f {
                let (at, line, column) = ctx.anchor(*cursor, f, &["arn", "reason"]);
                *cursor = at;
                out.failures.push(ApiFailure {
                    arn: s(f, "arn"),
                    reason: s(f, "reason"),
                    detail: s(f, "detail"),
                    line,
                    column,
                });
                any = true;
            }
        }
    }
    if any {
        return true;
    }
    // Bare records (e.g. `jq '.tasks[0]'`).
    if obj.contains_key("taskArn")
        && (obj.contains_key("lastStatus") || obj.contains_key("containers"))
    {
        out.tasks
            .push(task(obj, ctx, cursor, TaskSource::DescribeTasks));
        return true;
    }
    if (obj.contains_key("serviceName") || obj.contains_key("serviceArn"))
        && obj.contains_key("deployments")
    {
        out.services.push(service(obj, ctx, cursor));
        return true;
    }
    if obj.contains_key("family") && obj.contains_key("containerDefinitions") {
        out.task_definitions.push(task_definition(obj, ctx, cursor));
        return true;
    }
    if matches!(obj.get("Target"), Some(Value::Object(_))) && obj.contains_key("TargetHealth") {
        out.target_health.push(target_health(obj, ctx, cursor));
        return true;
    }
    if let Some(r) = revision_object(obj, ctx, cursor) {
        out.revisions.push(r);
        return true;
    }
    if obj.get("message").is_some_and(Value::is_string) && obj.contains_key("timestamp") {
        if let Some(l) = log_event(obj, 0, ctx, cursor) {
            out.log_lines.push(l);
            return true;
        }
    }
    // Wrappers such as `{"Records": [...]}` or `{"items": [...]}`: look one level down.
    let mut found = false;
    for v in obj.values() {
        if matches!(v, Value::Array(_)) {
            found |= extract_at(v, ctx, out, cursor, depth + 1);
        }
    }
    found
}

fn service(sv: &Map<String, Value>, ctx: &Ctx, cursor: &mut usize) -> ServiceState {
    let region = *cursor;
    let (at, line, column) = ctx.anchor(region, sv, &["serviceArn", "serviceName"]);
    *cursor = at + 1;
    let service_arn = s(sv, "serviceArn");
    let service_name = s(sv, "serviceName")
        .or_else(|| {
            service_arn
                .as_deref()
                .and_then(|a| a.rsplit('/').next())
                .map(str::to_string)
        })
        .unwrap_or_default();
    let load_balancers = arr(sv, "loadBalancers")
        .iter()
        .filter_map(Value::as_object)
        .map(|lb| LoadBalancer {
            target_group_arn: s(lb, "targetGroupArn"),
            load_balancer_name: s(lb, "loadBalancerName"),
            container_name: s(lb, "containerName"),
            container_port: n(lb, "containerPort"),
        })
        .collect();
    let deployment_configuration = sv
        .get("deploymentConfiguration")
        .and_then(Value::as_object)
        .map(|dc| {
            let cb = dc
                .get("deploymentCircuitBreaker")
                .and_then(Value::as_object);
            DeploymentConfiguration {
                circuit_breaker_enable: cb.and_then(|c| b(c, "enable")),
                circuit_breaker_rollback: cb.and_then(|c| b(c, "rollback")),
                minimum_healthy_percent: n(dc, "minimumHealthyPercent"),
                maximum_percent: n(dc, "maximumPercent"),
            }
        });
    let mut dcur = region;
    let deployments = arr(sv, "deployments")
        .iter()
        .filter_map(Value::as_object)
        .map(|d| {
            let (at, line, column) = ctx.anchor(dcur, d, &["id", "taskDefinition"]);
            dcur = at + 1;
            Deployment {
                id: s(d, "id"),
                status: s(d, "status").unwrap_or_default(),
                task_definition: s(d, "taskDefinition"),
                desired_count: n(d, "desiredCount"),
                pending_count: n(d, "pendingCount"),
                running_count: n(d, "runningCount"),
                failed_tasks: n(d, "failedTasks"),
                rollout_state: s(d, "rolloutState"),
                rollout_state_reason: s(d, "rolloutStateReason"),
                created_at: ts(d, "createdAt"),
                updated_at: ts(d, "updatedAt"),
                line,
                column,
            }
        })
        .collect();
    let mut ecur = region;
    let events = arr(sv, "events")
        .iter()
        .filter_map(Value::as_object)
        .map(|e| {
            let (at, line, column) = ctx.anchor(ecur, e, &["id", "message"]);
            ecur = at + 1;
            ServiceEvent {
                id: s(e, "id"),
                created_at: ts(e, "createdAt"),
                message: s(e, "message").unwrap_or_default(),
                line,
                column,
            }
        })
        .collect();
    ServiceState {
        service_name,
        service_arn,
        cluster_arn: s(sv, "clusterArn"),
        status: s(sv, "status"),
        desired_count: n(sv, "desiredCount"),
        running_count: n(sv, "runningCount"),
        pending_count: n(sv, "pendingCount"),
        task_definition: s(sv, "taskDefinition"),
        launch_type: s(sv, "launchType"),
        platform_version: s(sv, "platformVersion"),
        health_check_grace_period_seconds: n(sv, "healthCheckGracePeriodSeconds"),
        load_balancers,
        deployment_configuration,
        deployments,
        events,
        line,
        column,
    }
}

fn task(t: &Map<String, Value>, ctx: &Ctx, cursor: &mut usize, source: TaskSource) -> TaskState {
    // Sub-records are searched from the end of the previous task's anchor:
    // the CLI prints `containers` before `taskArn`.
    let region = *cursor;
    // Containers repeat the task's `taskArn`; then a task-only field anchors.
    let arn = t.get("taskArn");
    let repeated = arn.is_some() && arr(t, "containers").iter().any(|c| c.get("taskArn") == arn);
    let keys: &[&str] = if repeated {
        &[
            "stoppedReason",
            "taskDefinitionArn",
            "desiredStatus",
            "taskArn",
        ]
    } else {
        &["taskArn", "stoppedReason", "taskDefinitionArn"]
    };
    let (at, line, column) = ctx.anchor(region, t, keys);
    *cursor = at + 1;
    let mut out = TaskState::new(source, line, column);
    out.task_arn = s(t, "taskArn");
    out.task_definition_arn = s(t, "taskDefinitionArn");
    out.cluster_arn = s(t, "clusterArn");
    out.group = s(t, "group");
    out.service_name = out
        .group
        .as_deref()
        .and_then(|g| g.strip_prefix("service:"))
        .map(str::to_string);
    out.launch_type = s(t, "launchType");
    out.last_status = s(t, "lastStatus");
    out.desired_status = s(t, "desiredStatus");
    out.stop_code = s(t, "stopCode");
    out.stopped_reason = s(t, "stoppedReason");
    out.stopped_reason_position = ctx.position_of(region, "stoppedReason", t.get("stoppedReason"));
    out.stopped_at = ts(t, "stoppedAt");
    out.started_at = ts(t, "startedAt");
    out.health_status = s(t, "healthStatus");
    out.cpu = s(t, "cpu");
    out.memory = s(t, "memory");
    let mut ccur = region;
    out.containers = arr(t, "containers")
        .iter()
        .filter_map(Value::as_object)
        .map(|c| {
            let (at, line, column) = ctx.anchor(ccur, c, &["containerArn", "name"]);
            ccur = at + 1;
            ContainerState {
                name: s(c, "name")
                    .or_else(|| s(c, "containerName"))
                    .unwrap_or_default(),
                image: s(c, "image"),
                last_status: s(c, "lastStatus"),
                exit_code: n(c, "exitCode"),
                reason: s(c, "reason"),
                health_status: s(c, "healthStatus"),
                line,
                column,
            }
        })
        .collect();
    out
}

fn task_definition(td: &Map<String, Value>, ctx: &Ctx, cursor: &mut usize) -> TaskDefinitionState {
    let (at, line, column) = ctx.anchor(*cursor, td, &["taskDefinitionArn", "family"]);
    *cursor = at + 1;
    TaskDefinitionState {
        family: s(td, "family"),
        revision: n(td, "revision").and_then(|r| u32::try_from(r).ok()),
        status: s(td, "status"),
        task_definition_arn: s(td, "taskDefinitionArn"),
        definition: Value::Object(td.clone()),
        line,
        column,
    }
}

fn target_health(d: &Map<String, Value>, ctx: &Ctx, cursor: &mut usize) -> TargetHealth {
    let empty = Map::new();
    let target = d.get("Target").and_then(Value::as_object).unwrap_or(&empty);
    let health = d
        .get("TargetHealth")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let (at, line, column) = ctx.anchor(*cursor, target, &["Id"]);
    *cursor = at + 1;
    TargetHealth {
        target_id: s(target, "Id").unwrap_or_default(),
        port: n(target, "Port"),
        availability_zone: s(target, "AvailabilityZone"),
        health_check_port: s(d, "HealthCheckPort"),
        state: s(health, "State"),
        reason: s(health, "Reason"),
        description: s(health, "Description"),
        line,
        column,
    }
}

fn log_event(e: &Map<String, Value>, index: u32, ctx: &Ctx, cursor: &mut usize) -> Option<LogLine> {
    let message = s(e, "message")?;
    let (at, line, column) = ctx.anchor(*cursor, e, &["message", "eventId"]);
    *cursor = at + 1;
    Some(LogLine {
        message,
        stream: s(e, "logStreamName"),
        timestamp: ts(e, "timestamp"),
        index,
        line,
        column,
    })
}

/// `ecspresso revisions --output json` objects. Accepted keys:
/// name/revision: `name`, `Name`, `revision`, `Revision`, `task_definition`,
/// `taskDefinitionArn`, `arn`; registration time: `registered_at`,
/// `RegisteredAt`, `registeredAt`, `registered`; in use: `in_use`, `InUse`,
/// `inUse`, `In Use`.
fn revision_object(obj: &Map<String, Value>, ctx: &Ctx, cursor: &mut usize) -> Option<Revision> {
    let name_keys = [
        "name",
        "Name",
        "revision",
        "Revision",
        "task_definition",
        "taskDefinitionArn",
        "arn",
    ];
    let in_use_keys = ["in_use", "InUse", "inUse", "In Use"];
    let reg_keys = [
        "registered_at",
        "RegisteredAt",
        "registeredAt",
        "registered",
    ];
    let in_use = get_any(obj, &in_use_keys);
    let registered = get_any(obj, &reg_keys);
    if in_use.is_none() && registered.is_none() {
        return None;
    }
    let mut family = None;
    let mut number = None;
    let mut arn = None;
    let mut name = String::new();
    for key in name_keys {
        match obj.get(key) {
            Some(Value::Number(n)) if number.is_none() => {
                number = n.as_u64().and_then(|v| u32::try_from(v).ok());
                name = n.to_string();
            }
            Some(Value::String(v)) => {
                if let Some((f, r)) = family_revision(v) {
                    if v.starts_with("arn:") {
                        arn = Some(v.clone());
                    }
                    if family.is_none() {
                        family = Some(f);
                        number = Some(r);
                        name = v.rsplit('/').next().unwrap_or(v).to_string();
                    }
                } else if number.is_none() {
                    if let Ok(r) = v.trim().parse::<u32>() {
                        number = Some(r);
                        name = v.clone();
                    }
                }
            }
            _ => {}
        }
    }
    let revision = number?;
    let anchor_keys: Vec<&str> = name_keys
        .iter()
        .copied()
        .filter(|k| obj.contains_key(*k))
        .collect();
    let (at, line, column) = ctx.anchor(*cursor, obj, &anchor_keys);
    *cursor = at + 1;
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Array(a)) => {
            let parts: Vec<String> = a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    };
    Some(Revision {
        source: RevisionSource::Json,
        name,
        family,
        revision,
        registered_at: text(registered),
        in_use: text(in_use),
        arn,
        line,
        column,
    })
}

fn eventbridge(
    obj: &Map<String, Value>,
    detail_type: &str,
    detail: &Map<String, Value>,
    ctx: &Ctx,
    out: &mut Parsed,
    cursor: &mut usize,
) -> bool {
    if detail_type == "ECS Task State Change" {
        out.tasks
            .push(task(detail, ctx, cursor, TaskSource::EventBridge));
        return true;
    }
    if detail_type.starts_with("ECS ") {
        let (at, line, column) = ctx.anchor(*cursor, obj, &["id", "detail-type"]);
        *cursor = at + 1;
        let service_arn = arr(obj, "resources")
            .iter()
            .filter_map(Value::as_str)
            .find(|r| r.contains(":service/"))
            .map(str::to_string);
        out.service_actions.push(ServiceAction {
            detail_type: detail_type.to_string(),
            event_type: s(detail, "eventType"),
            event_name: s(detail, "eventName"),
            service_arn,
            cluster_arn: s(detail, "clusterArn"),
            reason: s(detail, "reason"),
            deployment_id: s(detail, "deploymentId"),
            time: ts(obj, "time").or_else(|| ts(detail, "createdAt")),
            line,
            column,
        });
        return true;
    }
    false
}
