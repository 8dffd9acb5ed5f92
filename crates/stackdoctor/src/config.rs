//! The project's own settings: `.stackdoctor.toml`, found in the diagnosed
//! folder or the nearest folder above it (for `logs` and `signatures`: from
//! the current folder upward), or named with `--config-file`.
//!
//! ```toml
//! # Extra log signatures, relative to this file.
//! signatures = ["ops/signatures.toml"]
//! # Causes never reported.
//! ignore = ["ecs-network-config"]
//! # Defaults for flags; a flag on the command line wins.
//! fail-on = "error"          # error, warning, info, never
//! probe-timeout = 5          # seconds
//! lang = "ja"                # en, ja
//!
//! # Causes not reported where the finding's first place is in a matching
//! # path (relative to this file; `*` within a folder, `**` across folders,
//! # `?` one character; a pattern without `/` matches the file name anywhere).
//! [per-path-ignores]
//! "legacy/**" = ["upstream-wrong-port"]
//! "docker-compose.dev.yml" = ["upstream-listens-on-localhost"]
//!
//! # Another severity for a cause: error, warning or info.
//! [severity]
//! ecs-network-config = "info"
//! ```
//!
//! Unknown keys, unknown cause IDs and wrong values are errors that point at
//! the file, line and column.

use crate::cli::FailOn;
use crate::error::Error;
use crate::finding::Severity;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = ".stackdoctor.toml";

/// The settings of one configuration file (all empty when there is none).
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The file they were read from.
    pub file: Option<PathBuf>,
    /// Extra signature files (made absolute: relative to the config file).
    pub signatures: Vec<PathBuf>,
    /// Causes ignored everywhere.
    pub ignore: BTreeSet<String>,
    /// Causes ignored under path patterns.
    pub per_path_ignores: Vec<PathIgnore>,
    /// Severity overrides by cause.
    pub severity: BTreeMap<String, Severity>,
    pub probe_timeout: Option<f64>,
    pub lang: Option<String>,
    pub fail_on: Option<FailOn>,
}

/// Causes ignored for the files a pattern matches.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    /// The pattern as written.
    pub pattern: String,
    /// The folder the pattern is relative to (the config file's).
    pub base: PathBuf,
    pub causes: Vec<String>,
}

impl PathIgnore {
    /// Whether `file` is one of the pattern's files.
    pub fn matches(&self, file: &Path) -> bool {
        let relative = file.strip_prefix(&self.base).unwrap_or(file);
        let text = relative.to_string_lossy();
        if glob_match(&self.pattern, &text) {
            return true;
        }
        // `Caddyfile` or `*.yml` (no folder named): the file name anywhere.
        !self.pattern.contains('/')
            && file
                .file_name()
                .is_some_and(|name| glob_match(&self.pattern, &name.to_string_lossy()))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    signatures: Vec<PathBuf>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    probe_timeout: Option<Spanned<f64>>,
    #[serde(default)]
    lang: Option<Spanned<String>>,
    #[serde(default)]
    fail_on: Option<FailOn>,
}

impl Config {
    /// `--config-file` when given (it must exist), else the nearest
    /// `.stackdoctor.toml` in `start` or a folder above it, else none.
    pub fn resolve(explicit: Option<&Path>, start: &Path) -> Result<Config, Error> {
        match explicit {
            Some(path) => Config::load_file(path),
            None => match find(start) {
                Some(path) => Config::load_file(&path),
                None => Ok(Config::default()),
            },
        }
    }

    /// Reads and checks one configuration file.
    pub fn load_file(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Parses `text`, the content of `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_column(text, span.start);
            Error::Data {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let cause = |id: &Spanned<String>| -> Result<String, Error> {
            if crate::knowledge::catalogue().cause(id.get_ref()).is_some() {
                Ok(id.get_ref().clone())
            } else {
                Err(at(
                    id.span(),
                    format!(
                        "unknown cause `{}`; `stackdoctor explain` lists them",
                        id.get_ref()
                    ),
                ))
            }
        };
        let mut config = Config {
            file: Some(path.to_path_buf()),
            signatures: raw.signatures.iter().map(|f| base.join(f)).collect(),
            fail_on: raw.fail_on,
            ..Config::default()
        };
        for id in &raw.ignore {
            config.ignore.insert(cause(id)?);
        }
        for (pattern, causes) in &raw.per_path_ignores {
            if pattern.get_ref().is_empty() {
                return Err(at(pattern.span(), "an empty path pattern".into()));
            }
            config.per_path_ignores.push(PathIgnore {
                pattern: pattern
                    .get_ref()
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string(),
                base: base.clone(),
                causes: causes.iter().map(cause).collect::<Result<_, _>>()?,
            });
        }
        for (id, severity) in &raw.severity {
            config.severity.insert(cause(id)?, *severity);
        }
        if let Some(timeout) = &raw.probe_timeout {
            let seconds = *timeout.get_ref();
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(at(
                    timeout.span(),
                    format!("probe-timeout {seconds}: give a positive number of seconds"),
                ));
            }
            config.probe_timeout = Some(seconds);
        }
        if let Some(lang) = &raw.lang {
            if !matches!(lang.get_ref().as_str(), "en" | "ja") {
                return Err(at(
                    lang.span(),
                    format!("lang `{}`: write \"en\" or \"ja\"", lang.get_ref()),
                ));
            }
            config.lang = Some(lang.get_ref().clone());
        }
        Ok(config)
    }
}

/// The nearest `.stackdoctor.toml` in `start` or a folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let start = start.canonicalize().unwrap_or(start);
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|file| file.is_file())
}

/// Line and column (1-based, columns in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

/// A TOML error with the file, line and column it points at.
pub fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let (line, column) = line_column(text, error.span().map_or(0, |span| span.start));
    Error::Data {
        path: path.to_path_buf(),
        line,
        column,
        message: error.message().to_string(),
    }
}

/// Whether `text` (a `/`-separated path) matches `pattern`: `*` is any run of
/// characters but `/`, `**` any run including `/` (`**/` also none), `?` one
/// character but `/`; the rest is literal.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p {
            [] => t.is_empty(),
            ['*', '*', '/', rest @ ..] => {
                go(rest, t) || (0..t.len()).any(|i| t[i] == '/' && go(rest, &t[i + 1..]))
            }
            ['*', '*', rest @ ..] => (0..=t.len()).any(|i| go(rest, &t[i..])),
            ['*', rest @ ..] => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != '/')
                .any(|i| go(rest, &t[i..])),
            ['?', rest @ ..] => t.first().is_some_and(|&c| c != '/') && go(rest, &t[1..]),
            [c, rest @ ..] => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        Config::parse(Path::new("/p/.stackdoctor.toml"), text)
    }

    fn error_at(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn every_key_is_read() {
        let config = parse(
            r#"
signatures = ["ops/sig.toml"]
ignore = ["ecs-network-config"]
fail-on = "error"
probe-timeout = 5.0
lang = "ja"
[per-path-ignores]
"legacy/**" = ["upstream-wrong-port"]
[severity]
upstream-wrong-port = "info"
"#,
        )
        .unwrap();
        assert_eq!(config.signatures, [PathBuf::from("/p/ops/sig.toml")]);
        assert!(config.ignore.contains("ecs-network-config"));
        assert_eq!(config.fail_on, Some(FailOn::Error));
        assert_eq!(config.probe_timeout, Some(5.0));
        assert_eq!(config.lang.as_deref(), Some("ja"));
        assert_eq!(config.per_path_ignores[0].causes, ["upstream-wrong-port"]);
        assert!(config.per_path_ignores[0].matches(Path::new("/p/legacy/a/Caddyfile")));
        assert!(!config.per_path_ignores[0].matches(Path::new("/p/Caddyfile")));
        assert_eq!(
            config.severity.get("upstream-wrong-port"),
            Some(&Severity::Info)
        );
    }

    #[test]
    fn unknown_keys_causes_and_values_point_at_their_place() {
        assert_eq!(
            error_at("ignore = []\nfail_on = \"error\"\n")
                .split(": ")
                .next()
                .unwrap(),
            "/p/.stackdoctor.toml:2:1"
        );
        let unknown = error_at("ignore = [\n  \"upstream-wrong-prot\",\n]\n");
        assert!(
            unknown.starts_with("/p/.stackdoctor.toml:2:3: unknown cause `upstream-wrong-prot`"),
            "{unknown}"
        );
        let severity = error_at("[severity]\nupstream-wrong-port = \"fatal\"\n");
        assert!(
            severity.starts_with("/p/.stackdoctor.toml:2:"),
            "{severity}"
        );
        let key = error_at("[severity]\nno-such-cause = \"info\"\n");
        assert!(
            key.starts_with("/p/.stackdoctor.toml:2:1: unknown cause `no-such-cause`"),
            "{key}"
        );
        let path = error_at("[per-path-ignores]\n\"a/*\" = [\"nope\"]\n");
        assert!(
            path.starts_with("/p/.stackdoctor.toml:2:10: unknown cause `nope`"),
            "{path}"
        );
        assert!(error_at("fail-on = \"sometimes\"").contains(":1:11"));
        assert!(error_at("probe-timeout = -1.0").contains(":1:17: probe-timeout"));
        assert!(error_at("lang = \"fr\"").contains(":1:8: lang `fr`"));
    }

    #[test]
    fn the_old_signatures_only_file_still_reads() {
        let config = parse("signatures = [\"extra.toml\"]\n").unwrap();
        assert_eq!(config.signatures, [PathBuf::from("/p/extra.toml")]);
        assert!(config.ignore.is_empty() && config.fail_on.is_none());
    }

    #[test]
    fn the_nearest_file_upward_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.path().join("a").join(FILE_NAME), "").unwrap();
        let found = find(&deep).unwrap();
        assert_eq!(
            found,
            dir.path().join("a").join(FILE_NAME).canonicalize().unwrap()
        );
        std::fs::write(deep.join(FILE_NAME), "").unwrap();
        assert_eq!(
            find(&deep).unwrap(),
            deep.join(FILE_NAME).canonicalize().unwrap()
        );
    }

    #[test]
    fn globs_match_like_gitignore_patterns() {
        assert!(glob_match("legacy/**", "legacy/a/b.yml"));
        assert!(glob_match("**/Caddyfile", "Caddyfile"));
        assert!(glob_match("**/Caddyfile", "x/y/Caddyfile"));
        assert!(glob_match("*.yml", "compose.yml"));
        assert!(!glob_match("*.yml", "a/compose.yml"));
        assert!(glob_match(
            "deploy/*/ecspresso.yml",
            "deploy/prod/ecspresso.yml"
        ));
        assert!(!glob_match(
            "deploy/*/ecspresso.yml",
            "deploy/a/b/ecspresso.yml"
        ));
        assert!(glob_match("docker-compose.?.yml", "docker-compose.1.yml"));
        let any = PathIgnore {
            pattern: "*.dev.yml".into(),
            base: PathBuf::from("/p"),
            causes: vec![],
        };
        assert!(any.matches(Path::new("/p/sub/compose.dev.yml")));
    }
}
