//! ecspresso log lines: prefixes, step classification, `FAILED.` chains,
//! deployment lines and `ecspresso run` lines.

use crate::model::{family_revision, Deployment, EcspressoStep, FailedStep, LogFormat};
use crate::time::Timestamp;

/// The prefix-split parts of an ecspresso log line.
pub(crate) struct Prefixed<'a> {
    pub(crate) format: LogFormat,
    pub(crate) timestamp: Option<&'a str>,
    pub(crate) level: Option<&'a str>,
    pub(crate) service: Option<&'a str>,
    pub(crate) cluster: Option<&'a str>,
    pub(crate) message: &'a str,
}

/// ecspresso subcommands; v1 printed `<command> FAILED. <err>`.
const COMMANDS: [&str; 19] = [
    "deploy",
    "rollback",
    "run",
    "create",
    "delete",
    "status",
    "verify",
    "wait",
    "diff",
    "scale",
    "refresh",
    "register",
    "deregister",
    "revisions",
    "exec",
    "tasks",
    "init",
    "render",
    "appspec",
];

const LEVELS: [&str; 7] = [
    "INFO", "ERROR", "WARNING", "WARN", "DEBUG", "NOTICE", "FATAL",
];

/// `[LEVEL] rest` → (`LEVEL`, `rest`).
fn strip_level(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let level = &inner[..close];
    if !LEVELS.contains(&level) {
        return None;
    }
    Some((
        level,
        inner[close + 1..]
            .strip_prefix(' ')
            .unwrap_or(&inner[close + 1..]),
    ))
}

/// Whether `s` starts with a Go `log` timestamp `YYYY/MM/DD hh:mm:ss`.
pub(crate) fn go_log_timestamp(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let shape = b"0000/00/00 00:00:00";
    for (i, want) in shape.iter().enumerate() {
        let ok = if *want == b'0' {
            b[i].is_ascii_digit()
        } else {
            b[i] == *want
        };
        if !ok {
            return None;
        }
    }
    // Optional microseconds (`log.Lmicroseconds`).
    let mut end = 19;
    if b.get(19) == Some(&b'.') {
        end = 20;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    let rest = &s[end..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((&s[..end], rest.strip_prefix(' ').unwrap_or(rest)))
}

/// RFC 3339 timestamp at the start of `s` (`2026-01-29T06:56:10.956Z`).
fn rfc3339_timestamp(s: &str) -> Option<(&str, &str)> {
    let end = s.find(' ').unwrap_or(s.len());
    let ts = &s[..end];
    let b = ts.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    Timestamp::from_text(ts).unix_millis?;
    Some((ts, s[end..].strip_prefix(' ').unwrap_or(&s[end..])))
}

/// `service/cluster` token (no spaces, one `/`, not a `(service …)` event).
fn service_cluster(token: &str) -> Option<(&str, &str)> {
    if token.starts_with('(') || token.starts_with('[') || token.contains("://") {
        return None;
    }
    let (svc, cluster) = token.split_once('/')?;
    if svc.is_empty() || cluster.is_empty() || cluster.contains('/') {
        return None;
    }
    Some((svc, cluster))
}

/// Splits the prefixes of an ecspresso log line. Returns `None` when the line
/// does not look like one of ecspresso's layouts (bare messages are checked by
/// the caller with [`classify`]).
pub(crate) fn split_prefix(line: &str) -> Option<Prefixed<'_>> {
    if let Some((ts, rest)) = go_log_timestamp(line) {
        // `<svc>/<cluster> [LEVEL] msg`, `<svc>/<cluster> msg`, `[LEVEL] msg`,
        // or `deploy FAILED. …` (v1).
        let (token, after) = match rest.split_once(' ') {
            Some((t, a)) => (t, a),
            None => (rest, ""),
        };
        if let Some((svc, cluster)) = service_cluster(token) {
            let (level, message) = match strip_level(after) {
                Some((l, m)) => (Some(l), m),
                None => (None, after),
            };
            return Some(Prefixed {
                format: LogFormat::GoLog,
                timestamp: Some(ts),
                level,
                service: Some(svc),
                cluster: Some(cluster),
                message,
            });
        }
        if let Some((level, message)) = strip_level(rest) {
            return Some(Prefixed {
                format: LogFormat::GoLog,
                timestamp: Some(ts),
                level: Some(level),
                service: None,
                cluster: None,
                message,
            });
        }
        if rest.contains("FAILED.") {
            return Some(Prefixed {
                format: LogFormat::GoLog,
                timestamp: Some(ts),
                level: None,
                service: None,
                cluster: None,
                message: rest,
            });
        }
        return None;
    }
    if let Some((ts, rest)) = rfc3339_timestamp(line) {
        let (level, rest) = strip_level(rest)?;
        let (service, cluster, message) = match rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .and_then(|(inner, m)| service_cluster(inner).map(|(s, c)| (s, c, m)))
        {
            Some((s, c, m)) => (Some(s), Some(c), m.strip_prefix(' ').unwrap_or(m)),
            None => (None, None, rest),
        };
        return Some(Prefixed {
            format: LogFormat::Slog,
            timestamp: Some(ts),
            level: Some(level),
            service,
            cluster,
            message,
        });
    }
    if let Some((level, message)) = strip_level(line) {
        let (service, cluster, message) = match message
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .and_then(|(inner, m)| service_cluster(inner).map(|(s, c)| (s, c, m)))
        {
            Some((s, c, m)) => (Some(s), Some(c), m.strip_prefix(' ').unwrap_or(m)),
            None => (None, None, message),
        };
        return Some(Prefixed {
            format: LogFormat::Bare,
            timestamp: None,
            level: Some(level),
            service,
            cluster,
            message,
        });
    }
    None
}

fn lower_starts(msg: &str, prefix: &str) -> bool {
    msg.len() >= prefix.len()
        && msg.is_char_boundary(prefix.len())
        && msg[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// First whitespace-separated token of `s`.
fn first_token(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

/// Value of `key=` in slog-style attributes (`rolling back target=app:3`).
fn attr<'a>(msg: &'a str, key: &str) -> Option<&'a str> {
    msg.split_whitespace()
        .find_map(|t| t.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .map(|v| v.trim_matches('"'))
}

/// Classifies one ecspresso message. `after_rollback` tells whether a
/// `Rolling back to …` line was seen earlier in the same input.
pub(crate) fn classify(message: &str, after_rollback: bool) -> EcspressoStep {
    let msg = message.trim();
    if let Some(i) = msg.find("FAILED.") {
        let head = msg[..i].trim();
        // `FAILED. …` or `deploy FAILED. …` (v1: one command word before it).
        if head.is_empty() || COMMANDS.contains(&head) {
            let chain = msg[i + "FAILED.".len()..].trim().to_string();
            let step = failed_step(&chain);
            return EcspressoStep::Failed { chain, step };
        }
    }
    if lower_starts(msg, "starting deploy") {
        return EcspressoStep::StartingDeploy;
    }
    if lower_starts(msg, "starting rollback") {
        return EcspressoStep::StartingRollback;
    }
    if lower_starts(msg, "registering a new task definition") {
        return EcspressoStep::Registering;
    }
    if lower_starts(msg, "task definition is registered") {
        let rest = msg["task definition is registered".len()..].trim();
        let name = attr(rest, "task_definition").unwrap_or_else(|| first_token(rest));
        if let Some((family, revision)) = family_revision(name) {
            return EcspressoStep::Registered { family, revision };
        }
    }
    if let Some(i) = msg.find(" not found. Creating a new service") {
        let service = msg[..i]
            .strip_prefix("Service ")
            .or_else(|| msg[..i].strip_prefix("service "))
            .unwrap_or("")
            .trim()
            .to_string();
        return EcspressoStep::CreatingService { service };
    }
    if lower_starts(msg, "creating a new service") {
        return EcspressoStep::CreatingService {
            service: attr(msg, "service").unwrap_or("").to_string(),
        };
    }
    if lower_starts(msg, "updating service")
        || lower_starts(msg, "service attributes will not change")
    {
        return EcspressoStep::UpdatingService;
    }
    if lower_starts(msg, "waiting for service stable")
        || lower_starts(msg, "waiting for service deploy")
    {
        return EcspressoStep::WaitingStable;
    }
    if lower_starts(msg, "service is stable now")
        || lower_starts(msg, "service is deployed now")
        || lower_starts(msg, "service completed")
    {
        return if after_rollback {
            EcspressoStep::RolledBack {
                family: None,
                revision: None,
            }
        } else {
            EcspressoStep::Stable
        };
    }
    if lower_starts(msg, "rolling back") {
        let rest = msg["rolling back".len()..].trim();
        let name = attr(rest, "target").unwrap_or_else(|| {
            first_token(rest.strip_prefix("to").map(str::trim_start).unwrap_or(rest))
        });
        if let Some((family, revision)) = family_revision(name) {
            return EcspressoStep::RollingBack { family, revision };
        }
    }
    if lower_starts(msg, "deregistering the rolled-back task definition")
        || lower_starts(msg, "deregistering rolled-back task definition")
    {
        let rest = msg
            .split_once("task definition")
            .map(|(_, r)| r.trim())
            .unwrap_or("");
        let name = attr(rest, "task_definition").unwrap_or_else(|| first_token(rest));
        let fr = family_revision(name);
        return EcspressoStep::RolledBack {
            family: fr.as_ref().map(|(f, _)| f.clone()),
            revision: fr.map(|(_, r)| r),
        };
    }
    if msg.eq_ignore_ascii_case("interrupted") {
        return EcspressoStep::Interrupted;
    }
    if let Some(d) = parse_deployment_line(msg) {
        return EcspressoStep::Progress(Box::new(d));
    }
    EcspressoStep::Other(msg.to_string())
}

/// Recognises the failed step from a `FAILED.` chain: the outermost
/// (leftmost) recognised marker wins; a wait-for-stable failure is refined by
/// its tail.
pub(crate) fn failed_step(chain: &str) -> Option<FailedStep> {
    let lower = chain.to_ascii_lowercase();
    let mut best: Option<(usize, FailedStep)> = None;
    let mut consider = |pos: Option<usize>, step: FailedStep| {
        if let Some(p) = pos {
            if best.as_ref().is_none_or(|(bp, _)| p < *bp) {
                best = Some((p, step));
            }
        }
    };
    let find = |needle: &str| lower.find(needle);
    consider(
        find("failed to wait for service stable"),
        FailedStep::WaitServiceStable,
    );
    consider(
        find("timeout waiting for service stable"),
        FailedStep::WaiterTimeout,
    );
    consider(
        find("exceeded max wait time for servicesstable waiter"),
        FailedStep::WaiterTimeout,
    );
    consider(
        find("failed to register task definition"),
        FailedStep::RegisterTaskDefinition,
    );
    // Longer phrases first at the same position: only the attribute/tasks
    // variants are kept when they match.
    let upd = find("failed to update service");
    let upd_attr = find("failed to update service attributes");
    let upd_tasks = find("failed to update service tasks");
    if upd_attr.is_some() && upd_attr == upd {
        consider(upd_attr, FailedStep::UpdateServiceAttributes);
    } else if upd_tasks.is_some() && upd_tasks == upd {
        consider(upd_tasks, FailedStep::UpdateServiceTasks);
    } else {
        consider(upd, FailedStep::UpdateService);
    }
    consider(find("failed to create service"), FailedStep::CreateService);
    consider(
        find("rollback target is not found"),
        FailedStep::RollbackTargetNotFound,
    );
    consider(find("failed to load config file"), FailedStep::LoadConfig);
    consider(
        find("failed to load task definition"),
        FailedStep::LoadTaskDefinition,
    );
    consider(
        find("failed to load service definition"),
        FailedStep::LoadServiceDefinition,
    );
    if let Some(p) = find("service deployment failed") {
        let state = chain[p + "service deployment failed".len()..]
            .split(|c: char| c.is_whitespace() || c == ':')
            .find(|s| !s.is_empty())
            .unwrap_or("")
            .to_string();
        consider(Some(p), FailedStep::DeploymentFailed { state });
    }
    consider(
        find("service deployment has been rolled back"),
        FailedStep::DeploymentRolledBack,
    );
    if let Some(p) = find("is not deployed yet. primary deployment is ") {
        let before = &chain[..p];
        let start = before.to_ascii_lowercase().rfind("task definition ");
        if let Some(s) = start {
            let task_definition = before[s + "task definition ".len()..].trim().to_string();
            let primary = chain[p + "is not deployed yet. primary deployment is ".len()..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            consider(
                Some(s),
                FailedStep::NotDeployedYet {
                    task_definition,
                    primary,
                },
            );
        }
    }
    // `service NAME is not found` / `service NAME is INACTIVE`, one chain part.
    let mut offset = 0;
    for part in chain.split(": ") {
        let p = part.trim();
        let lp = p.to_ascii_lowercase();
        if lp.starts_with("service ") {
            let name =
                |suffix_len: usize| p["service ".len()..p.len() - suffix_len].trim().to_string();
            if lp.ends_with(" is not found") && p.len() > "service  is not found".len() {
                consider(
                    Some(offset),
                    FailedStep::ServiceNotFound {
                        service: name(" is not found".len()),
                    },
                );
            } else if lp.ends_with(" is inactive") && p.len() > "service  is inactive".len() {
                consider(
                    Some(offset),
                    FailedStep::ServiceInactive {
                        service: name(" is inactive".len()),
                    },
                );
            }
        }
        offset += part.len() + 2;
    }
    consider(
        find("context deadline exceeded"),
        FailedStep::ContextDeadlineExceeded,
    );
    consider(find("failed to run task"), FailedStep::RunTask);
    consider(find("task failed to start"), FailedStep::TaskFailedToStart);

    let (_, step) = best?;
    if step == FailedStep::WaitServiceStable || step == FailedStep::ContextDeadlineExceeded {
        let waiting = step == FailedStep::WaitServiceStable;
        if lower.contains("exceeded max wait time")
            || lower.contains("timeout waiting for service stable")
            || (waiting && lower.contains("context deadline exceeded"))
        {
            return Some(FailedStep::WaiterTimeout);
        }
        if waiting && lower.contains("waiter state transitioned to failure") {
            return Some(FailedStep::WaiterFailure);
        }
    }
    Some(step)
}

fn count(token: &str, key: &str) -> Option<i64> {
    token.strip_prefix(key)?.parse().ok()
}

/// Parses `%8s %s desired:%d pending:%d running:%d %s(%s)` (the rollout part
/// is optional: older ecspresso did not print it).
pub(crate) fn parse_deployment_line(s: &str) -> Option<Deployment> {
    let s = s.trim();
    let mut it = s.splitn(6, ' ').filter(|t| !t.is_empty());
    let status = it.next()?;
    if !status.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
        return None;
    }
    let td = it.next()?;
    let desired = count(it.next()?, "desired:")?;
    let pending = count(it.next()?, "pending:")?;
    let running = count(it.next()?, "running:")?;
    let rest = it.next().unwrap_or("").trim();
    let (rollout_state, reason) = match rest.find('(') {
        Some(open) if rest.ends_with(')') => {
            let state = rest[..open].trim();
            let reason = rest[open + 1..rest.len() - 1].trim();
            (
                (!state.is_empty()).then(|| state.to_string()),
                (!reason.is_empty()).then(|| reason.to_string()),
            )
        }
        _ => ((!rest.is_empty()).then(|| rest.to_string()), None),
    };
    Some(Deployment {
        id: None,
        status: status.to_string(),
        task_definition: Some(td.to_string()),
        desired_count: Some(desired),
        pending_count: Some(pending),
        running_count: Some(running),
        failed_tasks: None,
        rollout_state,
        rollout_state_reason: reason,
        created_at: None,
        updated_at: None,
        line: 0,
        column: 0,
    })
}

/// What an `ecspresso run` line says about the task.
pub(crate) enum RunLine {
    /// `task failed to start: <stoppedReason>`.
    FailedToStart(String),
    /// `container: NAME, exit code: CODE, reason: REASON`.
    Container {
        name: String,
        exit_code: Option<i64>,
        reason: Option<String>,
    },
}

pub(crate) fn run_line(message: &str) -> Option<RunLine> {
    if let Some(i) = message.find("task failed to start: ") {
        return Some(RunLine::FailedToStart(
            message[i + "task failed to start: ".len()..]
                .trim()
                .to_string(),
        ));
    }
    let i = message.find("container: ")?;
    let rest = &message[i + "container: ".len()..];
    let (name, rest) = rest.split_once(", exit code: ")?;
    let (code, reason) = rest.split_once(", reason:").unwrap_or((rest, ""));
    let code = code.trim();
    let reason = reason.trim();
    let none = |s: &str| s.is_empty() || s == "<nil>" || s == "null";
    Some(RunLine::Container {
        name: name.trim().to_string(),
        exit_code: if none(code) { None } else { code.parse().ok() },
        reason: (!none(reason)).then(|| reason.to_string()),
    })
}
