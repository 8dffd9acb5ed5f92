//! Reads what people already have about an ECS service that failed to
//! deploy, and returns typed records that remember the line and column each
//! came from.
//!
//! Inputs are detected from the text itself, and one input may mix several
//! kinds (for example `ecspresso deploy 2>&1` output, which holds a status
//! block, log lines and service events):
//!
//! * `aws ecs describe-services` / `describe-tasks` / `list-tasks` /
//!   `list-task-definitions` / `describe-task-definition` JSON (and the raw
//!   API responses, which have the same shape);
//! * `aws elbv2 describe-target-health` JSON;
//! * CloudWatch Logs exports (`aws logs filter-log-events`, `get-log-events`)
//!   and EventBridge "ECS Task State Change" / "ECS Service Action" events;
//! * `ecspresso status`, `ecspresso revisions` (table, tsv, json) and
//!   ecspresso log lines (`deploy`, `rollback`, `run`, `wait`), v1 to v2.8+.
//!
//! Nothing here panics or fails: text nobody recognised is returned in
//! [`Parsed::other_lines`] so the caller can scan it with its own signatures.
//!
//! ```
//! let out = ecsstate::parse(
//!     "2024/03/26 15:58:30 api/prod [INFO] Starting deploy\n\
//!      2024/03/26 16:08:31 api/prod [ERROR] FAILED. failed to wait for service stable: \
//!      exceeded max wait time for ServicesStable waiter\n",
//! );
//! assert_eq!(out.ecspresso.len(), 2);
//! let last = &out.ecspresso[1];
//! assert_eq!(last.line, 2);
//! assert_eq!(last.service.as_deref(), Some("api"));
//! assert!(matches!(
//!     last.kind,
//!     ecsstate::EcspressoStep::Failed { step: Some(ecsstate::FailedStep::WaiterTimeout), .. }
//! ));
//!
//! let json = r#"{"tasks": [{"taskArn": "arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0123abcd",
//!   "lastStatus": "STOPPED", "stoppedReason": "Essential container in task exited",
//!   "containers": [{"name": "app", "exitCode": 137,
//!                   "reason": "OutOfMemoryError: Container killed due to memory usage"}]}]}"#;
//! let out = ecsstate::parse(json);
//! let task = &out.tasks[0];
//! assert_eq!(task.essential_exit().unwrap().exit_code, Some(137));
//! assert_eq!((task.line, task.column), (1, 13));
//! ```

#![warn(missing_docs)]

mod ecspresso;
pub mod error;
mod json;
mod locate;
pub mod model;
mod text;
pub mod time;

use serde::Serialize;

pub use error::Error;
pub use model::*;
pub use time::Timestamp;

/// Everything recognised in one input.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Parsed {
    /// Services from `describe-services` (and `create-/update-service`).
    pub services: Vec<ServiceState>,
    /// Tasks from `describe-tasks`, `list-tasks`, EventBridge task state
    /// changes and `ecspresso run` output.
    pub tasks: Vec<TaskState>,
    /// Task definitions from `describe-task-definition`.
    pub task_definitions: Vec<TaskDefinitionState>,
    /// Targets from `elbv2 describe-target-health`.
    pub target_health: Vec<TargetHealth>,
    /// Revisions from `ecspresso revisions` and `list-task-definitions`.
    pub revisions: Vec<Revision>,
    /// ecspresso log lines, in input order.
    pub ecspresso: Vec<EcspressoLine>,
    /// The `ecspresso status` block (the last one when there are several).
    pub status: Option<StatusReport>,
    /// Messages from CloudWatch Logs exports.
    pub log_lines: Vec<LogLine>,
    /// `failures` entries of ECS API responses.
    pub failures: Vec<ApiFailure>,
    /// EventBridge "ECS Service Action" / "ECS Deployment State Change" events.
    pub service_actions: Vec<ServiceAction>,
    /// Non-blank text lines nothing above claimed.
    pub other_lines: Vec<Line>,
}

impl Parsed {
    /// Whether nothing at all was found (not even unrecognised lines).
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
            && self.tasks.is_empty()
            && self.task_definitions.is_empty()
            && self.target_health.is_empty()
            && self.revisions.is_empty()
            && self.ecspresso.is_empty()
            && self.status.is_none()
            && self.log_lines.is_empty()
            && self.failures.is_empty()
            && self.service_actions.is_empty()
            && self.other_lines.is_empty()
    }

    /// The last ecspresso `FAILED.` line, if any.
    pub fn ecspresso_failure(&self) -> Option<&EcspressoLine> {
        self.ecspresso
            .iter()
            .rev()
            .find(|l| matches!(l.kind, EcspressoStep::Failed { .. }))
    }
}

/// Reads any mix of the supported inputs. Never fails and never panics;
/// unrecognised non-blank lines go to [`Parsed::other_lines`].
///
/// A JSON document is recognised wherever a line starts with `{` or `[`
/// (one document per input, JSON Lines, or documents embedded in log output);
/// JSON that does not parse (e.g. truncated) is read as text lines.
pub fn parse(text: &str) -> Parsed {
    let loc = locate::Locator::new(text);
    text::scan(&loc)
}

/// Reads a JSON value the caller already has (an API response, an event).
/// Positions are 0. Unrecognised values give an empty [`Parsed`].
pub fn parse_value(value: &serde_json::Value) -> Parsed {
    let mut out = Parsed::default();
    let ctx = json::Ctx {
        loc: None,
        start: 0,
        end: 0,
    };
    json::extract(value, &ctx, &mut out);
    out
}

/// Reads `text` as exactly one JSON document, with positions, and fails when
/// it is not JSON or not a recognised shape. Use [`parse`] for anything that
/// may also be text.
pub fn parse_json(text: &str) -> Result<Parsed, Error> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Json {
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
        message: e.to_string(),
    })?;
    let loc = locate::Locator::new(text);
    let mut out = Parsed::default();
    let ctx = json::Ctx {
        loc: Some(&loc),
        start: 0,
        end: text.len(),
    };
    if json::extract(&value, &ctx, &mut out) {
        Ok(out)
    } else {
        Err(Error::Unrecognised)
    }
}
