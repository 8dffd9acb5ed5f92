//! The ecspresso config (`ecspresso.yml` and friends).

use crate::duration::parse_go_duration;
use crate::node::{Node, NodeValue, Position};
use crate::problem::{Problem, ProblemKind};
use std::time::Duration;

/// Top-level config keys ecspresso v2 knows (plus newer `ignore` and `express_definition`).
pub const CONFIG_KEYS: &[&str] = &[
    "region",
    "cluster",
    "service",
    "service_definition",
    "task_definition",
    "timeout",
    "plugins",
    "appspec",
    "filter_command",
    "required_version",
    "codedeploy",
    "ignore",
    "express_definition",
];

/// Plugin names ecspresso knows.
pub const PLUGIN_NAMES: &[&str] = &[
    "tfstate",
    "cloudformation",
    "ssm",
    "secretsmanager",
    "external",
];

/// The rendered config and its well-known fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The whole rendered config.
    pub root: Node,
    /// `region` (ecspresso falls back to `AWS_REGION`).
    pub region: Option<Node>,
    /// `cluster` (ecspresso's default is `default`).
    pub cluster: Option<Node>,
    /// `service`.
    pub service: Option<Node>,
    /// `service_definition` (a path, or `{path: …}` in newer configs).
    pub service_definition: Option<Node>,
    /// `task_definition` (a path, or `{path: …}` in newer configs).
    pub task_definition: Option<Node>,
    /// `timeout` (default `10m`).
    pub timeout: Option<Node>,
    /// `required_version`.
    pub required_version: Option<Node>,
    /// `plugins`, in order.
    pub plugins: Vec<Plugin>,
}

/// One entry of `plugins`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plugin {
    /// `name` (`tfstate`, `cloudformation`, …).
    pub name: String,
    /// `config`.
    pub config: Option<Node>,
    /// `func_prefix`.
    pub func_prefix: Option<String>,
    /// Where the entry is written.
    pub position: Position,
}

/// How `timeout` reads.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeoutSetting {
    /// A valid Go duration string.
    Duration(Duration),
    /// A bare number: ecspresso v2 reads it as nanoseconds (v3 as seconds).
    BareNumber {
        /// The number, i.e. the nanoseconds v2 waits.
        nanoseconds: f64,
    },
    /// Not a duration; the text says why.
    Invalid(String),
}

impl Config {
    /// Builds the config view of a rendered root.
    pub(crate) fn from_root(root: Node) -> Config {
        let field = |k: &str| root.get(k).filter(|n| !n.is_null()).cloned();
        let mut plugins = Vec::new();
        for p in root.get("plugins").and_then(Node::as_array).unwrap_or(&[]) {
            plugins.push(Plugin {
                name: p
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
                config: p.get("config").cloned(),
                func_prefix: p
                    .get("func_prefix")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                position: p.position.clone(),
            });
        }
        Config {
            region: field("region"),
            cluster: field("cluster"),
            service: field("service"),
            service_definition: field("service_definition"),
            task_definition: field("task_definition"),
            timeout: field("timeout"),
            required_version: field("required_version"),
            plugins,
            root,
        }
    }

    /// How `timeout` reads, with its node; `None` when not set.
    pub fn timeout_setting(&self) -> Option<(TimeoutSetting, &Node)> {
        let node = self.timeout.as_ref()?;
        let setting = match &node.value {
            NodeValue::String(s) => match parse_go_duration(s) {
                Ok(d) => TimeoutSetting::Duration(d),
                Err(e) => TimeoutSetting::Invalid(e),
            },
            NodeValue::Number(n) => TimeoutSetting::BareNumber { nanoseconds: *n },
            other => {
                TimeoutSetting::Invalid(format!("timeout must be a duration string, not {other:?}"))
            }
        };
        Some((setting, node))
    }

    /// The path named by `task_definition` / `service_definition` (a string or `{path: …}`).
    pub fn definition_path(node: &Node) -> Option<&Node> {
        match &node.value {
            NodeValue::String(_) => Some(node),
            NodeValue::Object(_) => node.get("path").filter(|p| p.as_str().is_some()),
            _ => None,
        }
    }

    pub(crate) fn check(&self, problems: &mut Vec<Problem>) {
        for (key, _) in self.root.entries() {
            if key.name == "filter_command" {
                problems.push(Problem::new(
                    ProblemKind::DeprecatedKey {
                        key: key.name.clone(),
                    },
                    "filter_command is deprecated. use ECSPRESSO_FILTER_COMMAND environment variable instead",
                    Some(key.position.clone()),
                ));
            } else if !CONFIG_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&key.name))
            {
                problems.push(Problem::new(
                    ProblemKind::UnknownKey {
                        key: key.name.clone(),
                    },
                    format!("json: unknown field \"{}\"", key.name),
                    Some(key.position.clone()),
                ));
            }
        }
        if let Some((setting, node)) = self.timeout_setting() {
            match setting {
                TimeoutSetting::Duration(d) if d.is_zero() => problems.push(Problem::new(
                    ProblemKind::InvalidTimeout,
                    "timeout is zero: the wait gives up at once (maximum wait time for waiter must be greater than zero)",
                    Some(node.position.clone()),
                )),
                TimeoutSetting::Duration(_) => {}
                TimeoutSetting::BareNumber { nanoseconds } => problems.push(Problem::new(
                    ProblemKind::BareNumberTimeout,
                    format!("timeout {nanoseconds} is a bare number: ecspresso v2 reads it as {nanoseconds} nanoseconds (write a duration such as \"10m\")"),
                    Some(node.position.clone()),
                )),
                TimeoutSetting::Invalid(why) => problems.push(Problem::new(
                    ProblemKind::InvalidTimeout,
                    format!("invalid timeout: {why}"),
                    Some(node.position.clone()),
                )),
            }
        }
        if let Some(rv) = &self.required_version {
            let ok = rv.as_str().is_some_and(valid_constraints);
            if !ok {
                problems.push(Problem::new(
                    ProblemKind::InvalidRequiredVersion,
                    "required_version has invalid format",
                    Some(rv.position.clone()),
                ));
            }
        }
        if self.service.is_some() && self.service_definition.is_none() {
            let pos = self.root.get_key("service").map(|k| k.position.clone());
            problems.push(Problem::new(
                ProblemKind::ServiceDefinitionNotDefined,
                "service_definition is not defined",
                pos,
            ));
        }
    }
}

/// hashicorp/go-version constraint syntax: comma-separated `[op] version`.
pub(crate) fn valid_constraints(text: &str) -> bool {
    let parts: Vec<&str> = text.split(',').collect();
    !text.trim().is_empty()
        && parts.iter().all(|p| {
            let p = p.trim();
            let rest = ["~>", ">=", "<=", "!=", "=", ">", "<"]
                .iter()
                .find_map(|op| p.strip_prefix(op))
                .unwrap_or(p)
                .trim();
            valid_version(rest)
        })
}

fn valid_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, _meta) = v.split_once('+').unwrap_or((v, ""));
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let nums: Vec<&str> = core.split('.').collect();
    !core.is_empty()
        && nums
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && pre.is_none_or(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints() {
        assert!(valid_constraints(">= 2.0.0"));
        assert!(valid_constraints(">=v2.0.0, < 3"));
        assert!(valid_constraints("~> 2.3"));
        assert!(valid_constraints("2.0.0-beta.1"));
        assert!(!valid_constraints(">= two"));
        assert!(!valid_constraints(""));
        assert!(!valid_constraints(">= 2..0"));
    }
}
