//! What checks produce: findings with evidence, fix steps and the request path.
//!
//! Texts are not written here: a [`Message`] names a template of the cause
//! catalogue (`data/causes/*.toml`, English and Japanese) and its parameters,
//! so every text a user reads exists in both languages.

use crate::model::Origin;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks requests.
    Error,
    /// Risky: breaks requests under some conditions.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A reference to a template of the catalogue with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// `<cause>.<name>`, or `common.<name>` for texts shared by causes.
    pub key: String,
    pub params: BTreeMap<String, String>,
}

impl Message {
    pub fn new(key: impl Into<String>) -> Self {
        Message {
            key: key.into(),
            params: BTreeMap::new(),
        }
    }

    /// A message of a cause's own templates: `<cause>.<name>`.
    pub fn of(cause: &str, name: &str) -> Self {
        Message::new(format!("{cause}.{name}"))
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }
}

/// One piece of evidence: where, and what it shows.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub origin: Origin,
    pub label: Message,
}

/// A line to change, shown as a one-line diff.
#[derive(Debug, Clone, Serialize)]
pub struct Edit {
    pub origin: Origin,
    pub before: String,
    pub after: String,
}

/// One step of a fix.
#[derive(Debug, Clone, Serialize)]
pub struct FixStep {
    pub message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<Edit>,
    /// A command to run, when the step is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl FixStep {
    pub fn say(message: Message) -> Self {
        FixStep {
            message,
            edit: None,
            command: None,
        }
    }

    pub fn edit(message: Message, edit: Edit) -> Self {
        FixStep {
            message,
            edit: Some(edit),
            command: None,
        }
    }

    pub fn run(message: Message, command: impl Into<String>) -> Self {
        FixStep {
            message,
            edit: None,
            command: Some(command.into()),
        }
    }
}

/// Whether a hop of the request path works, as far as the files tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HopState {
    Ok,
    Broken,
    Unknown,
}

/// One hop of the request path: site → route → upstream → service → network.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    pub label: String,
    pub state: HopState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A cause found in the stack.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The stable cause ID, e.g. `upstream-wrong-port`.
    pub cause: String,
    pub severity: Severity,
    /// What the finding is about (an upstream host or a service), used to
    /// group symptoms under their root cause.
    pub subject: Option<String>,
    /// Parameters of the cause's title template.
    pub params: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<FixStep>,
    pub path: Vec<Hop>,
    /// Findings that follow from this one.
    pub symptoms: Vec<Finding>,
    /// About a setting in the files (a risk, or a value read wrong), not a
    /// failure seen: such a finding neither explains failures seen in logs
    /// or probes nor is explained by them.
    #[serde(skip)]
    pub setting: bool,
    /// Raised from recognised log lines alone (see `checks::log_causes`);
    /// the diagnosis merges it into a check's finding of the same cause.
    #[serde(skip)]
    pub seen_in_logs: bool,
}

impl Finding {
    /// A finding of `cause` with the cause's default severity from the catalogue.
    pub fn new(cause: &str) -> Self {
        let severity = crate::knowledge::catalogue()
            .rank(cause)
            .map_or(Severity::Error, |(severity, _)| severity);
        Finding {
            cause: cause.to_string(),
            severity,
            subject: None,
            params: BTreeMap::new(),
            evidence: Vec::new(),
            fix: Vec::new(),
            path: Vec::new(),
            symptoms: Vec::new(),
            setting: false,
            seen_in_logs: false,
        }
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Marks the finding as about a setting (see [`Finding::setting`]).
    pub fn about_setting(mut self) -> Self {
        self.setting = true;
        self
    }

    /// Marks the finding as raised from log lines alone.
    pub fn seen_in_logs(mut self) -> Self {
        self.seen_in_logs = true;
        self
    }

    /// Whether a log line or a probe answer shows this finding or one of its symptoms.
    pub fn observed(&self) -> bool {
        self.evidence.iter().any(|e| {
            matches!(
                e.origin,
                Origin::Log(_) | Origin::Probe { .. } | Origin::Engine { .. }
            )
        }) || self.symptoms.iter().any(Finding::observed)
    }

    pub fn evidence(mut self, origin: Origin, label: Message) -> Self {
        self.evidence.push(Evidence { origin, label });
        self
    }

    /// Adds each log line (or probe answer) as evidence, quoting its message.
    pub fn log_lines<'a>(
        mut self,
        events: impl IntoIterator<Item = &'a crate::model::LogEvent>,
    ) -> Self {
        for event in events {
            // One line can match several signatures: it is shown once.
            if self.evidence.iter().any(|e| e.origin == event.origin) {
                continue;
            }
            self = self.evidence(
                event.origin.clone(),
                Message::new("common.log-line").with("line", &event.message),
            );
        }
        self
    }

    pub fn fix(mut self, step: FixStep) -> Self {
        self.fix.push(step);
        self
    }

    pub fn path(mut self, path: Vec<Hop>) -> Self {
        self.path = path;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::log_causes::tests::event;

    /// A line that two signatures recognised is two events with one origin:
    /// the finding quotes it once.
    #[test]
    fn a_log_line_matched_twice_is_quoted_once() {
        let events = [
            event(1, None, &[("app-dependency-unreachable", 70)]),
            event(1, None, &[("app-dials-localhost", 70)]),
            event(2, None, &[]),
        ];
        let finding = Finding::new("app-dependency-unreachable").log_lines(&events);
        let lines: Vec<&str> = finding
            .evidence
            .iter()
            .map(|e| e.label.params["line"].as_str())
            .collect();
        assert_eq!(lines, ["line 1", "line 2"]);
    }
}
