//! Which environment variables are AWS settings, and what a name that looks
//! like one but is read by no SDK was meant to be (`data/aws/variables.toml`):
//! misspellings (`AWS_DEFAULT_REGIONS`, `AWS_SECRET_KEY`), names with a
//! tool's prefix (`VITE_AWS_REGION`), and the tools that do read names of
//! their own (LiteLLM's `AWS_REGION_NAME`).

use serde::Deserialize;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../../data/aws/variables.toml");

/// What an AWS setting is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SettingKind {
    Credentials,
    Region,
}

#[derive(Debug, Deserialize)]
struct Setting {
    name: String,
    kind: SettingKind,
}

#[derive(Debug, Deserialize)]
struct Wrong {
    name: String,
    expected: String,
}

/// A tool that reads AWS settings under names of its own.
#[derive(Debug, Deserialize)]
pub struct Tool {
    pub name: String,
    /// Found in a service's image name or dependency files when it runs the tool.
    pub markers: Vec<String>,
    pub variables: Vec<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
pub struct VariableTable {
    #[allow(dead_code)]
    as_of: String,
    sdk: Vec<String>,
    settings: Vec<Setting>,
    wrong: Vec<Wrong>,
    pub tools: Vec<Tool>,
}

/// The setting a variable was probably meant to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misnamed {
    /// The name the SDKs read.
    pub expected: String,
    pub kind: SettingKind,
    /// The SDK's name with something in front (`BEDROCK_AWS_REGION`).
    pub prefixed: bool,
}

/// The embedded table, parsed once.
pub fn table() -> &'static VariableTable {
    static TABLE: OnceLock<VariableTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(EMBEDDED).unwrap_or_else(|e| panic!("embedded data/aws/variables.toml: {e}"))
    })
}

impl VariableTable {
    /// Whether an AWS SDK reads this name.
    pub fn is_sdk_name(&self, name: &str) -> bool {
        self.sdk.iter().any(|s| s == name)
    }

    fn kind_of(&self, setting: &str) -> Option<SettingKind> {
        self.settings
            .iter()
            .find(|s| s.name == setting)
            .map(|s| s.kind)
    }

    /// The known misspelling `name` is, as (expected, kind).
    fn wrong(&self, name: &str) -> Option<(String, SettingKind)> {
        let w = self.wrong.iter().find(|w| w.name == name)?;
        Some((w.expected.clone(), self.kind_of(&w.expected)?))
    }

    /// What `name` was meant to be, when it looks like an AWS setting no SDK
    /// reads; `None` for the SDKs' own names and for names like no setting.
    pub fn misnamed(&self, name: &str) -> Option<Misnamed> {
        if self.is_sdk_name(name) {
            return None;
        }
        let found = |expected: String, kind, prefixed| Misnamed {
            expected,
            kind,
            prefixed,
        };
        if let Some((expected, kind)) = self.wrong(name) {
            return Some(found(expected, kind, false));
        }
        // Environment names are case-sensitive: `aws_region` is not read.
        let upper = name.to_ascii_uppercase();
        if upper != name {
            if let Some(kind) = self.kind_of(&upper) {
                return Some(found(upper, kind, false));
            }
        }
        // A prefix in front of a setting (`VITE_AWS_REGION`, `LLM_AWS_REGION_NAME`).
        for (at, _) in upper.match_indices("_AWS_") {
            let rest = &upper[at + 1..];
            if let Some(kind) = self.kind_of(rest) {
                return Some(found(rest.to_string(), kind, true));
            }
            if let Some((expected, kind)) = self.wrong(rest) {
                return Some(found(expected, kind, true));
            }
        }
        // A misspelling close to one setting only (`AWS_ACCES_KEY_ID`).
        if upper.starts_with("AWS_") && upper.len() >= 8 {
            let mut best: Option<(usize, &Setting)> = None;
            let mut tie = false;
            for s in &self.settings {
                let d = crate::names::edit_distance(&upper, &s.name);
                match best {
                    Some((bd, _)) if d > bd => {}
                    Some((bd, _)) if d == bd => tie = true,
                    _ => {
                        best = Some((d, s));
                        tie = false;
                    }
                }
            }
            if let Some((d, s)) = best {
                if d <= 2 && !tie {
                    return Some(found(s.name.clone(), s.kind, false));
                }
            }
        }
        None
    }

    /// The tools (of those given) that read `name` themselves.
    pub fn tool_reading<'a>(&self, tools: &[&'a Tool], name: &str) -> Option<&'a Tool> {
        tools
            .iter()
            .copied()
            .find(|t| t.variables.iter().any(|v| v == name))
    }

    /// The tools a text (an image name, a dependency file) shows.
    pub fn tools_in<'a>(&'a self, text: &str) -> Vec<&'a Tool> {
        let lower = text.to_ascii_lowercase();
        self.tools
            .iter()
            .filter(|t| t.markers.iter().any(|m| lower.contains(m.as_str())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meant(name: &str) -> Option<(String, bool)> {
        table().misnamed(name).map(|m| (m.expected, m.prefixed))
    }

    #[test]
    fn misspellings_prefixes_and_sdk_names() {
        let t = table();
        assert_eq!(
            meant("AWS_DEFAULT_REGIONS"),
            Some(("AWS_DEFAULT_REGION".into(), false))
        );
        assert_eq!(
            meant("AWS_ACCESS_KEY"),
            Some(("AWS_ACCESS_KEY_ID".into(), false))
        );
        assert_eq!(
            meant("AWS_SECRET_KEY"),
            Some(("AWS_SECRET_ACCESS_KEY".into(), false))
        );
        assert_eq!(meant("AWS_REGION_NAME"), Some(("AWS_REGION".into(), false)));
        assert_eq!(
            meant("AWS_ACCES_KEY_ID"),
            Some(("AWS_ACCESS_KEY_ID".into(), false))
        );
        assert_eq!(meant("aws_region"), Some(("AWS_REGION".into(), false)));
        assert_eq!(meant("VITE_AWS_REGION"), Some(("AWS_REGION".into(), true)));
        assert_eq!(
            meant("LLM_AWS_REGION_NAME"),
            Some(("AWS_REGION".into(), true))
        );
        assert_eq!(
            t.misnamed("BEDROCK_AWS_SECRET_ACCESS_KEY").map(|m| m.kind),
            Some(SettingKind::Credentials)
        );
        for name in [
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_SECURITY_TOKEN",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ROLE_ARN",
            "AWS_S3_BUCKET",
            "AWS_ACCOUNT_ID",
            "DATABASE_URL",
            "AWS_LAMBDA_FUNCTION_NAME",
        ] {
            assert_eq!(t.misnamed(name), None, "{name}");
        }
    }

    #[test]
    fn tools_read_their_own_names() {
        let t = table();
        let tools = t.tools_in("ghcr.io/berriai/litellm:main-stable");
        assert_eq!(tools.len(), 1);
        assert!(t.tool_reading(&tools, "AWS_REGION_NAME").is_some());
        assert!(t.tool_reading(&tools, "AWS_DEFAULT_REGIONS").is_none());
        assert!(t.tools_in("python:3.12-slim").is_empty());
    }
}
