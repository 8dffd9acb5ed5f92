//! A loader for [ecspresso](https://github.com/kayac/ecspresso) projects (the ECS
//! deploy tool) that keeps the file, line and column of every value.
//!
//! It reads a project the way ecspresso v2 does:
//!
//! * the config is discovered (`ecspresso.yml`, `.yaml`, `.json`, `.jsonnet`) or given;
//! * a YAML config is rendered as a Go `text/template` first and then parsed; a
//!   `.json`/`.jsonnet` config is evaluated as Jsonnet (with `--ext-str`/`--ext-code`
//!   variables and ecspresso's native functions), then template-rendered;
//! * the task and service definitions it names (relative to the config's directory) are
//!   read: `.jsonnet` → Jsonnet → template → JSON, anything else → template → JSON; a
//!   describe-output wrapper (`{"taskDefinition": …}`, `{"services": […]}`) is removed;
//! * template functions `env`, `must_env`, `json_escape`, the `tfstate` plugin's
//!   `tfstate`/`tfstatef` (with `func_prefix`), and `ssm`, `secretsmanager_arn`,
//!   `cfn_output`, `cfn_export` are provided. A local Terraform state is read; anything
//!   that needs AWS or a remote state becomes the placeholder
//!   `<unresolved:FUNCTION:ARGUMENT>` and a [`Problem`].
//!
//! Only a config that cannot be read or parsed is an [`Error`]; everything else (missing
//! definition files, unset `must_env` variables, unknown keys, unresolved lookups,
//! definitions that do not parse) is reported in [`Project::problems`] and loading goes on.
//!
//! Positions point into the original source files, not the rendered text. Values that
//! come out of Jsonnet are located approximately (by searching for the key in the
//! Jsonnet sources) and have [`Position::exact`] set to false.
//!
//! Key names are matched exactly against ECS's camelCase names when reading values
//! ([`Node::get`]); for the unknown-key check a key that differs from a known key only in
//! letter case is accepted, as ecspresso's Go JSON decoder accepts it.
//!
//! # Example
//!
//! ```
//! use ecspresso::{load, LoadOptions, ProblemKind};
//! use std::collections::BTreeMap;
//!
//! let dir = std::env::temp_dir().join(format!("ecspresso-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(
//!     dir.join("ecspresso.yml"),
//!     "region: ap-northeast-1\ncluster: default\nservice: web\n\
//!      task_definition: td.json\nservice_definition: sv.json\ntimeout: 10m\n",
//! )
//! .unwrap();
//! std::fs::write(
//!     dir.join("td.json"),
//!     "{\n  \"family\": \"web\",\n  \"cpu\": \"{{ must_env `CPU` }}\"\n}\n",
//! )
//! .unwrap();
//!
//! let options = LoadOptions {
//!     dir: dir.clone(),
//!     env: BTreeMap::from([("CPU".to_string(), "256".to_string())]),
//!     ..LoadOptions::default()
//! };
//! let project = load(&options).unwrap();
//! let td = project.task_definition.as_ref().unwrap();
//! let cpu = td.root.get("cpu").unwrap();
//! assert_eq!(cpu.as_u64(), Some(256));
//! assert_eq!((cpu.position.line, cpu.position.column), (3, 10));
//! // sv.json does not exist: a problem, not an error.
//! assert!(project
//!     .problems
//!     .iter()
//!     .any(|p| matches!(p.kind, ProblemKind::MissingFile { .. })));
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

#![forbid(unsafe_code)]

mod config;
mod definition;
mod duration;
mod error;
mod funcs;
mod json;
mod jsonnet;
mod loader;
mod node;
mod problem;
mod template;
mod tfstate;
mod units;
mod yaml;

pub use config::{Config, Plugin, TimeoutSetting, CONFIG_KEYS, PLUGIN_NAMES};
pub use definition::{
    Definition, DefinitionKind, CONTAINER_DEFINITION_KEYS, SERVICE_DEFINITION_DESCRIBE_ONLY,
    SERVICE_DEFINITION_KEYS, TASK_DEFINITION_DESCRIBE_ONLY, TASK_DEFINITION_KEYS,
};
pub use duration::parse_go_duration;
pub use error::Error;
pub use node::{placeholder, Key, Node, NodeValue, Position, PLACEHOLDER_PREFIX};
pub use problem::{Problem, ProblemKind};
pub use sourcefs::{Disk, FileSystem, MemoryFiles};
pub use units::{cpu_units, memory_mib};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest file read (config, definition, envfile, tfstate, Jsonnet import).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A file of at most [`MAX_FILE_BYTES`] (`/dev/zero` or a pipe has no size
/// in its metadata and never ends), as UTF-8 (an `InvalidData` error otherwise, like
/// `std::fs::read_to_string`).
pub(crate) fn read_text_bounded(files: &dyn FileSystem, path: &Path) -> std::io::Result<String> {
    String::from_utf8(files.read(path, MAX_FILE_BYTES)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Config file names ecspresso looks for, in order.
pub const CONFIG_FILE_NAMES: &[&str] = &[
    "ecspresso.yml",
    "ecspresso.yaml",
    "ecspresso.json",
    "ecspresso.jsonnet",
];

/// What to load and the environment to render it with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Explicit config file (`--config` or `ECSPRESSO_CONFIG`); when None, discover in `dir`.
    /// A relative path that does not exist as given is taken relative to `dir`.
    pub config: Option<PathBuf>,
    /// The directory to discover the config in (usually the working directory).
    pub dir: PathBuf,
    /// `--envfile` files (KEY=VALUE lines, `#` comments, optional `export `, quotes), read
    /// in order, later wins; they override `env` like ecspresso does.
    pub envfiles: Vec<PathBuf>,
    /// The process environment.
    pub env: BTreeMap<String, String>,
    /// `--ext-str NAME=value` Jsonnet external variables.
    pub ext_str: BTreeMap<String, String>,
    /// `--ext-code NAME=code` Jsonnet external variables (Jsonnet code).
    pub ext_code: BTreeMap<String, String>,
    /// Which files the config may make the loader read (Jsonnet imports,
    /// definitions, local tfstate); the default reads every file, like ecspresso.
    pub bounds: ReadBounds,
}

/// Files the loader may read besides the config and the envfiles: those
/// under one of `dirs` or among `files`, after symlinks are resolved. Both
/// empty: no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadBounds {
    /// Canonical folders.
    pub dirs: Vec<PathBuf>,
    /// Canonical files allowed wherever they are.
    pub files: Vec<PathBuf>,
}

impl ReadBounds {
    /// Whether `path` may be read. A path that does not resolve is allowed:
    /// reading it fails with the usual error, which shows no content.
    pub fn allows(&self, path: &Path) -> bool {
        self.allows_in(path, &Disk)
    }

    /// [`ReadBounds::allows`] with paths resolved in `files`.
    pub fn allows_in(&self, path: &Path, files: &dyn FileSystem) -> bool {
        if self.dirs.is_empty() && self.files.is_empty() {
            return true;
        }
        match files.canonicalize(path) {
            Ok(real) => self.dirs.iter().any(|d| real.starts_with(d)) || self.files.contains(&real),
            Err(_) => true,
        }
    }
}

/// A loaded ecspresso project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The config file read.
    pub config_path: PathBuf,
    /// The rendered config.
    pub config: Config,
    /// The task definition, when named, found and parsed.
    pub task_definition: Option<Definition>,
    /// The service definition, when named, found and parsed.
    pub service_definition: Option<Definition>,
    /// Everything found wrong or unresolvable while loading.
    pub problems: Vec<Problem>,
    /// Values taken from the environment/envfiles while rendering (name, value), first use
    /// first — the caller masks secret ones.
    pub env_used: Vec<(String, String)>,
}

/// First existing of `ecspresso.yml`, `ecspresso.yaml`, `ecspresso.json`,
/// `ecspresso.jsonnet` in `dir`.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    discover_in(dir, &Disk)
}

/// [`discover`] among `files`.
pub fn discover_in(dir: &Path, files: &dyn FileSystem) -> Option<PathBuf> {
    CONFIG_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| files.is_file(p))
}

/// Loads the config and the task and service definitions it names.
///
/// `Err` only when the config itself cannot be found, read or parsed (a syntax error
/// carries the file, 1-based line and column). Everything else (missing definition file,
/// unset `must_env`, unknown keys, unresolved AWS lookups, a definition that does not
/// parse) becomes a [`Problem`] and loading goes on.
pub fn load(options: &LoadOptions) -> Result<Project, Error> {
    loader::load(options, &Disk)
}

/// [`load`] with every file (config, envfiles, definitions, tfstate, Jsonnet
/// imports) read from `files` instead of the disk, e.g. a [`MemoryFiles`].
pub fn load_in(options: &LoadOptions, files: &dyn FileSystem) -> Result<Project, Error> {
    loader::load(options, files)
}

/// Loads one definition file alone (task or service definition; `.json`/`.jsonnet`,
/// template rendered) with the same rules, for callers that have no config.
///
/// The kind is guessed (`taskDefinition`, `containerDefinitions` or `family` ⇒ task).
/// Without a config there are no plugins: `tfstate`-like functions are reported as
/// [`ProblemKind::Unresolved`]. `Err` when the file cannot be read or does not parse.
pub fn load_definition(
    path: &Path,
    options: &LoadOptions,
) -> Result<(Definition, Vec<Problem>), Error> {
    loader::load_definition(path, options, &Disk)
}

/// [`load_definition`] with every file read from `files` instead of the disk.
pub fn load_definition_in(
    path: &Path,
    options: &LoadOptions,
    files: &dyn FileSystem,
) -> Result<(Definition, Vec<Problem>), Error> {
    loader::load_definition(path, options, files)
}
