//! Discovery and loading: files, `.env`, project name, per-file
//! interpolation, `include`, `extends`, merging, profiles and networks.

use crate::convert::{self, Context};
use crate::interpolate::{interpolate_tree, OutputBudget};
use crate::merge::{self, normalize_service};
use crate::yaml::{self, Entry, Node, Value};
use crate::{
    dotenv, schema, Error, NameSource, Network, Position, Project, Service, Substitution,
    VarSource, Warning,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Compose files larger than this are refused rather than parsed.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// How to load a project: the equivalent of `docker compose` flags and environment.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--project-directory`, else the folder of the first file, else this.
    pub working_dir: PathBuf,
    /// `-f` files in order (relative ones are taken from `working_dir`); empty = discover
    /// (or `COMPOSE_FILE`).
    pub files: Vec<PathBuf>,
    /// `--env-file` files; empty = `<working_dir>/.env` when present.
    pub env_files: Vec<PathBuf>,
    /// `-p`.
    pub project_name: Option<String>,
    /// `--profile` (plus `COMPOSE_PROFILES` from the environment).
    pub profiles: Vec<String>,
    /// The shell environment (`std::env::vars()` for the CLI; explicit in tests).
    pub environment: BTreeMap<String, String>,
    /// A required service `env_file` that does not exist is recorded in
    /// `Service::missing_env_files` instead of failing the load as compose
    /// does, so that a diagnosis can report it with the rest of the project.
    pub record_missing_env_files: bool,
}

impl Options {
    /// Options for the project in `dir`, with an empty shell environment.
    pub fn for_dir(dir: impl AsRef<Path>) -> Self {
        Options {
            working_dir: dir.as_ref().to_path_buf(),
            ..Options::default()
        }
    }
}

/// The compose files `docker compose` would use in `dir`: the first of
/// compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml, then the
/// matching override file. Empty when there is none.
pub fn discover_files(dir: &Path) -> Vec<PathBuf> {
    let Some(base) = DEFAULT_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
    else {
        return Vec::new();
    };
    let stem = if base
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("docker-"))
    {
        "docker-compose"
    } else {
        "compose"
    };
    let mut files = vec![base];
    if let Some(o) = ["override.yml", "override.yaml"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
    {
        files.push(o);
    }
    files
}

/// Loads the project described by `options`.
pub fn load(options: &Options) -> Result<Project, Error> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut working_dir = if !options.working_dir.as_os_str().is_empty() {
        absolute(&cwd, &options.working_dir)
    } else if let Some(first) = options.files.first() {
        absolute(&cwd, first)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(cwd.clone())
    } else {
        cwd.clone()
    };

    // Interpolation environment: the shell wins over env files.
    let shell = &options.environment;
    let mut variables: Variables = shell
        .iter()
        .map(|(k, v)| (k.clone(), (v.clone(), VarSource::Shell)))
        .collect();
    let env_files: Vec<PathBuf> = if !options.env_files.is_empty() {
        options
            .env_files
            .iter()
            .map(|f| absolute(&working_dir, f))
            .collect()
    } else {
        let disabled = shell
            .get("COMPOSE_DISABLE_ENV_FILE")
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true"));
        let dot_env = working_dir.join(".env");
        if !disabled && dot_env.is_file() {
            vec![dot_env]
        } else {
            Vec::new()
        }
    };
    for file in &env_files {
        read_env_file(file, shell, &mut variables)?;
    }
    let var = |name: &str| {
        variables
            .get(name)
            .map(|(v, _)| v.as_str())
            .filter(|v| !v.is_empty())
    };

    // Compose files: -f, else COMPOSE_FILE, else discovery (upwards).
    let files: Vec<PathBuf> = if !options.files.is_empty() {
        options
            .files
            .iter()
            .map(|f| absolute(&working_dir, f))
            .collect()
    } else if let Some(list) = var("COMPOSE_FILE") {
        let sep = var("COMPOSE_PATH_SEPARATOR").unwrap_or(":");
        list.split(sep)
            .filter(|s| !s.is_empty())
            .map(|f| absolute(&working_dir, Path::new(f)))
            .collect()
    } else {
        let mut dir = Some(working_dir.as_path());
        let mut found = Vec::new();
        while let Some(d) = dir {
            found = discover_files(d);
            if !found.is_empty() {
                break;
            }
            dir = d.parent();
        }
        if let Some(parent) = found.first().and_then(|f| f.parent()) {
            working_dir = parent.to_path_buf();
        }
        found
    };
    if files.is_empty() {
        return Err(Error::Project {
            message: "no configuration file provided: not found".into(),
        });
    }

    let mut profiles: Vec<String> = options.profiles.clone();
    if let Some(p) = var("COMPOSE_PROFILES") {
        profiles.extend(
            p.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        );
    }

    // Project name: -p > COMPOSE_PROJECT_NAME > top-level `name:` > directory.
    // Files parsed to find a `name:` are kept for loading, not parsed twice.
    let mut parsed = HashMap::new();
    let (name, name_source) = if let Some(n) = &options.project_name {
        (validate_name(n)?, NameSource::Flag)
    } else if let Some(n) = var("COMPOSE_PROJECT_NAME") {
        (validate_name(n)?, NameSource::EnvVar)
    } else if let Some((n, at)) = top_level_name(&files, &variables, &mut parsed)? {
        (normalize_name(&n), NameSource::TopLevelName(at))
    } else {
        let base = working_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (normalize_name(&base), NameSource::Directory)
    };
    if name.is_empty() {
        return Err(Error::Project {
            message: format!(
                "project name must not be empty (derived from {})",
                working_dir.display()
            ),
        });
    }
    let name_var_source = match &name_source {
        NameSource::TopLevelName(at) => VarSource::ComposeFile(at.clone()),
        _ => VarSource::Shell,
    };
    variables
        .entry("COMPOSE_PROJECT_NAME".into())
        .or_insert((name.clone(), name_var_source));

    let mut loader = FileLoader {
        variables: variables.clone(),
        substitutions: Vec::new(),
        budget: OutputBudget::default(),
        include_stack: Vec::new(),
        cache: HashMap::new(),
        parsed,
    };
    let mut merged: Option<Node> = None;
    for file in &files {
        let tree = loader.load_file(file, &working_dir)?;
        match &mut merged {
            None => merged = Some(tree),
            Some(base) => merge::merge(base, tree, &mut Vec::new()),
        }
    }
    let mut root = merged.unwrap_or_else(|| empty_map(&files[0]));
    // Compose refuses a project whose files hold nothing at all (`empty compose file`).
    if root.as_map().is_some_and(|entries| entries.is_empty()) {
        return Err(Error::Syntax {
            position: Position {
                file: Arc::new(files[0].clone()),
                line: 1,
                column: 1,
            },
            message: "empty compose file".to_string(),
        });
    }
    merge::strip_resets(&mut root);
    let substitutions = loader.substitutions;
    let mut warnings = Vec::new();

    let ctx = Context {
        variables: &variables,
        // Later substitutions overwrite earlier ones: the last one written wins.
        last_substitution_in: substitutions
            .iter()
            .map(|s| (&s.value_position, s))
            .collect(),
        record_missing_env_files: options.record_missing_env_files,
    };
    let mut services = Vec::new();
    let mut disabled_services = Vec::new();
    if let Some(s) = root.get("services") {
        for e in map_entries(s, "services")? {
            let service = convert::service(&e.key, &e.key_position, &e.value, &ctx)?;
            if is_enabled(&service, &profiles) {
                services.push(service);
            } else {
                disabled_services.push(service);
            }
        }
    }
    let networks = networks(&root, &name, &services)?;
    validate(&services, &disabled_services, &networks, &mut warnings)?;

    if let Some(v) = root.get_entry("version") {
        warnings.push(Warning {
            message: "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion".into(),
            position: Some(v.key_position.clone()),
        });
    }
    let mut unset: Vec<&Substitution> = Vec::new();
    let mut warned = HashSet::new();
    for s in &substitutions {
        if s.source == VarSource::Unset && warned.insert(s.variable.as_str()) {
            unset.push(s);
        }
    }
    warnings.extend(unset.into_iter().map(|s| Warning {
        message: format!(
            "The \"{}\" variable is not set. Defaulting to a blank string.",
            s.variable
        ),
        position: Some(s.position.clone()),
    }));

    Ok(Project {
        name,
        name_source,
        working_dir,
        files,
        env_files,
        services,
        disabled_services,
        networks,
        substitutions,
        variables,
        warnings,
    })
}

/// The interpolation environment: each variable's value and source.
type Variables = BTreeMap<String, (String, VarSource)>;

/// Adds the entries of an env file to `variables`, except those set in
/// `first` (which also wins inside the file's own `${…}`).
fn read_env_file(
    file: &Path,
    first: &BTreeMap<String, String>,
    variables: &mut Variables,
) -> Result<(), Error> {
    let text = read_text(file)?;
    let lookup = |name: &str| first.get(name).cloned();
    let earlier = |name: &str| variables.get(name).map(|(v, _)| v.clone());
    let entries = dotenv::parse_layered(&text, &lookup, &earlier).map_err(|e| Error::Syntax {
        position: Position {
            file: Arc::new(file.to_path_buf()),
            line: e.line,
            column: 1,
        },
        message: e.message.clone(),
    })?;
    let shared = Arc::new(file.to_path_buf());
    for e in entries {
        if !first.contains_key(&e.key) {
            let at = Position {
                file: shared.clone(),
                line: e.line,
                column: e.column,
            };
            variables.insert(e.key, (e.value, VarSource::EnvFile(at)));
        }
    }
    Ok(())
}

/// Reads at most [`MAX_FILE_SIZE`] bytes of a file and fails past that.
///
/// The size in the metadata is not enough: `/dev/zero`, `/dev/urandom` or a
/// pipe report 0 bytes and never end, so the read itself is bounded.
pub(crate) fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("more than the {MAX_FILE_SIZE} bytes accepted"),
        ));
    }
    Ok(bytes)
}

/// Reads a file as UTF-8, refusing files over [`MAX_FILE_SIZE`].
fn read_text(path: &Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_SIZE {
        return Err(Error::Project {
            message: format!(
                "{}: file is {size} bytes, more than the {MAX_FILE_SIZE} bytes accepted",
                path.display()
            ),
        });
    }
    let bytes = read_bounded(path).map_err(io)?;
    String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(before);
        Error::Syntax {
            position: Position {
                file: Arc::new(path.to_path_buf()),
                line: text.matches('\n').count() as u32 + 1,
                column: text.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1,
            },
            message: "file is not valid UTF-8".into(),
        }
    })
}

/// Joins a relative path to `base` and removes `.` and `..` lexically.
fn absolute(base: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn empty_map(file: &Path) -> Node {
    Node::new(
        Value::Map(Vec::new()),
        Position {
            file: Arc::new(file.to_path_buf()),
            line: 1,
            column: 1,
        },
    )
}

fn map_entries<'a>(node: &'a Node, path: &str) -> Result<&'a [Entry], Error> {
    match &node.value {
        Value::Null => Ok(&[]),
        Value::Map(entries) => Ok(entries),
        _ => Err(Error::Syntax {
            position: node.position.clone(),
            message: format!("{path} must be a mapping, not {}", node.kind()),
        }),
    }
}

/// `NormalizeProjectName`: lowercase, keep `[a-z0-9_-]`, no leading `_`/`-`.
fn normalize_name(name: &str) -> String {
    let kept: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

fn validate_name(name: &str) -> Result<String, Error> {
    if normalize_name(name) != name || name.is_empty() {
        return Err(Error::Project {
            message: format!(
                "invalid project name \"{name}\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"
            ),
        });
    }
    Ok(name.to_string())
}

/// The interpolated top-level `name:` of the last file that sets one. The
/// parsed files are left in `parsed` for the loader.
fn top_level_name(
    files: &[PathBuf],
    variables: &Variables,
    parsed: &mut HashMap<PathBuf, Option<Node>>,
) -> Result<Option<(String, Position)>, Error> {
    let mut found = None;
    for file in files {
        if !parsed.contains_key(file) {
            let root = yaml::parse(&read_text(file)?, &Arc::new(file.clone()))?;
            parsed.insert(file.clone(), root);
        }
        let Some(root) = parsed.get(file).and_then(Option::as_ref) else {
            continue;
        };
        if let Some(mut n) = root.get("name").cloned() {
            let lookup = |name: &str| variables.get(name).cloned();
            interpolate_tree(
                &mut n,
                &mut vec!["name".into()],
                &lookup,
                &mut Vec::new(),
                &mut OutputBudget::default(),
            )?;
            if let Some(s) = n.as_str() {
                found = Some((s.to_string(), n.position.clone()));
            }
        }
    }
    Ok(found)
}

/// Loads single files: parse, check, interpolate, include, extends.
struct FileLoader {
    /// The interpolation environment of the file being loaded (an included
    /// project adds its own `.env` underneath the parent's variables).
    variables: Variables,
    substitutions: Vec<Substitution>,
    /// What interpolation may still produce for the project, all files together.
    budget: OutputBudget,
    include_stack: Vec<PathBuf>,
    /// Files read for `extends`, by path (already interpolated and normalised).
    cache: HashMap<PathBuf, Node>,
    /// Files already parsed (not interpolated) while looking for the project name.
    parsed: HashMap<PathBuf, Option<Node>>,
}

impl FileLoader {
    /// Parses, validates and interpolates one file; relative paths in it are
    /// resolved against `base_dir`.
    fn parse_file(&mut self, path: &Path, base_dir: &Path) -> Result<Node, Error> {
        let file = Arc::new(path.to_path_buf());
        let root = match self.parsed.remove(path) {
            Some(root) => root,
            None => yaml::parse(&read_text(path)?, &file)?,
        };
        let mut root = root.unwrap_or_else(|| empty_map(path));
        if root.is_null() {
            root = empty_map(path);
        }
        if root.as_map().is_none() {
            return Err(Error::Syntax {
                position: root.position.clone(),
                message: format!("top-level object must be a mapping, not {}", root.kind()),
            });
        }
        schema::check_keys(&root, schema::TOP_LEVEL, "")?;
        let vars = &self.variables;
        let lookup = |name: &str| vars.get(name).cloned();
        interpolate_tree(
            &mut root,
            &mut Vec::new(),
            &lookup,
            &mut self.substitutions,
            &mut self.budget,
        )?;
        if let Value::Map(entries) = &mut root.value {
            for e in entries.iter_mut().filter(|e| e.key == "services") {
                if let Value::Map(services) = &mut e.value.value {
                    for s in services.iter_mut() {
                        if s.value.is_null() {
                            s.value.value = Value::Map(Vec::new());
                        }
                        normalize_service(&mut s.value);
                        resolve_relative(&mut s.value, base_dir, vars);
                    }
                }
            }
        }
        Ok(root)
    }

    /// A main or included file: parsed, then its `include` and `extends` applied.
    fn load_file(&mut self, path: &Path, base_dir: &Path) -> Result<Node, Error> {
        let mut root = self.parse_file(path, base_dir)?;
        self.include(&mut root, path)?;
        self.extends_all(&mut root, path)?;
        Ok(root)
    }

    fn include(&mut self, root: &mut Node, path: &Path) -> Result<(), Error> {
        let Some(entry) = root.get_entry("include").cloned() else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        self.include_stack.push(path.to_path_buf());
        for item in entry.value.as_seq().unwrap_or_default() {
            let (paths, project_dir) = match &item.value {
                Value::Map(_) => {
                    let paths: Vec<&Node> = match item.get("path") {
                        Some(p) if p.as_seq().is_some() => {
                            p.as_seq().unwrap_or_default().iter().collect()
                        }
                        Some(p) => vec![p],
                        None => Vec::new(),
                    };
                    (paths, item.get("project_directory").and_then(Node::as_str))
                }
                _ => (vec![item], None),
            };
            let mut included: Option<Node> = None;
            let mut project_dir_path = None;
            for p in paths {
                let Some(text) = p.as_str() else { continue };
                let file = absolute(&dir, Path::new(text));
                if self.include_stack.contains(&file) {
                    return Err(Error::Syntax {
                        position: p.position.clone(),
                        message: format!("include cycle detected: {}", file.display()),
                    });
                }
                if !file.is_file() {
                    return Err(Error::Syntax {
                        position: p.position.clone(),
                        message: format!("included file {} not found", file.display()),
                    });
                }
                let pd = project_dir_path
                    .get_or_insert_with(|| match project_dir {
                        Some(d) => absolute(&dir, Path::new(d)),
                        None => file.parent().unwrap_or(Path::new("/")).to_path_buf(),
                    })
                    .clone();
                // The included project's own .env, under the parent's variables.
                let mut extended = self.variables.clone();
                let dot_env = pd.join(".env");
                if dot_env.is_file() {
                    let parent: BTreeMap<String, String> = self
                        .variables
                        .iter()
                        .map(|(k, (v, _))| (k.clone(), v.clone()))
                        .collect();
                    read_env_file(&dot_env, &parent, &mut extended)?;
                }
                let saved = std::mem::replace(&mut self.variables, extended);
                let tree = self.load_file(&file, &pd);
                self.variables = saved;
                let tree = tree?;
                match &mut included {
                    None => included = Some(tree),
                    Some(base) => merge::merge(base, tree, &mut Vec::new()),
                }
            }
            let Some(included) = included else { continue };
            // The including file wins on a name clash (compose-go `importResources`).
            let Value::Map(sections) = included.value else {
                continue;
            };
            let Value::Map(entries) = &mut root.value else {
                continue;
            };
            for section in sections.into_iter().filter(|s| {
                matches!(
                    s.key.as_str(),
                    "services" | "networks" | "volumes" | "configs" | "secrets"
                )
            }) {
                match entries.iter_mut().find(|e| e.key == section.key) {
                    None => entries.push(section),
                    Some(existing) => {
                        let mut combined = section.value;
                        let mine = std::mem::replace(&mut existing.value, empty_map(path));
                        merge::merge(&mut combined, mine, &mut vec![section.key.clone()]);
                        existing.value = combined;
                    }
                }
            }
        }
        self.include_stack.pop();
        if let Value::Map(entries) = &mut root.value {
            entries.retain(|e| e.key != "include");
        }
        Ok(())
    }

    fn extends_all(&mut self, root: &mut Node, path: &Path) -> Result<(), Error> {
        let Some(services) = root.get("services") else {
            return Ok(());
        };
        let extending = |e: &Entry| e.value.get("extends").is_some();
        if !services.as_map().unwrap_or_default().iter().any(extending) {
            return Ok(());
        }
        // Resolution reads the services as written while the result replaces them.
        let services = services.clone();
        let mut resolved = HashMap::new();
        for e in services.as_map().unwrap_or_default() {
            if e.value.get("extends").is_some() {
                let mut chain = Vec::new();
                let node = self.resolve(&services, &e.key, path, &mut chain)?;
                resolved.insert(e.key.clone(), node);
            }
        }
        if let Value::Map(top) = &mut root.value {
            if let Some(Value::Map(entries)) = top
                .iter_mut()
                .find(|e| e.key == "services")
                .map(|e| &mut e.value.value)
            {
                for e in entries.iter_mut() {
                    if let Some(node) = resolved.remove(&e.key) {
                        e.value = node;
                    }
                }
            }
        }
        Ok(())
    }

    /// The service `name` of `file` with its `extends` chain applied.
    fn resolve(
        &mut self,
        services: &Node,
        name: &str,
        file: &Path,
        chain: &mut Vec<(PathBuf, String)>,
    ) -> Result<Node, Error> {
        let link = (file.to_path_buf(), name.to_string());
        let Some(service) = services.get(name) else {
            return Err(Error::Project {
                message: format!(
                    "cannot extend service \"{name}\" in {}: service not found",
                    file.display()
                ),
            });
        };
        let Some(extends) = service.get("extends") else {
            return Ok(service.clone());
        };
        if chain.contains(&link) {
            let names: Vec<String> = chain
                .iter()
                .chain(std::iter::once(&link))
                .map(|(f, s)| format!("{}:{s}", f.display()))
                .collect();
            return Err(Error::Syntax {
                position: extends.position.clone(),
                message: format!("Circular reference: {}", names.join(" -> ")),
            });
        }
        chain.push(link);
        let (base_name, base_file) = match &extends.value {
            Value::Scalar { text, .. } => (text.clone(), None),
            Value::Map(_) => {
                let s = extends
                    .get("service")
                    .and_then(Node::as_str)
                    .ok_or_else(|| Error::Syntax {
                        position: extends.position.clone(),
                        message: format!("services.{name}.extends.service is required"),
                    })?;
                (s.to_string(), extends.get("file"))
            }
            _ => {
                return Err(Error::Syntax {
                    position: extends.position.clone(),
                    message: format!("services.{name}.extends must be a string or a mapping"),
                })
            }
        };
        let base = match base_file {
            None => self.resolve(services, &base_name, file, chain)?,
            Some(f) => {
                let text = f.as_str().unwrap_or_default();
                let dir = file.parent().unwrap_or(Path::new("/"));
                let target = absolute(dir, Path::new(text));
                if !target.is_file() {
                    return Err(Error::Syntax {
                        position: f.position.clone(),
                        message: format!("extends file {} not found", target.display()),
                    });
                }
                let tree = match self.cache.get(&target) {
                    Some(t) => t.clone(),
                    None => {
                        let base_dir = target.parent().unwrap_or(Path::new("/")).to_path_buf();
                        let t = self.parse_file(&target, &base_dir)?;
                        self.cache.insert(target.clone(), t.clone());
                        t
                    }
                };
                let other = tree
                    .get("services")
                    .cloned()
                    .unwrap_or_else(|| empty_map(&target));
                self.resolve(&other, &base_name, &target, chain)?
            }
        };
        chain.pop();
        let mut own = service.clone();
        if let Value::Map(entries) = &mut own.value {
            entries.retain(|e| e.key != "extends");
        }
        let mut merged = base;
        merge::merge(
            &mut merged,
            own,
            &mut vec!["services".into(), name.to_string()],
        );
        merged.position = service.position.clone();
        Ok(merged)
    }
}

/// Resolves relative host paths of a service against `base_dir` (the project
/// directory, or the directory of an `extends`/`include` file).
fn resolve_relative(service: &mut Node, base_dir: &Path, vars: &Variables) {
    let home = vars.get("HOME").map(|(v, _)| v.clone());
    let fix = |text: &mut String| {
        if let (Some(rest), Some(home)) = (text.strip_prefix('~'), &home) {
            *text = format!("{home}{rest}");
        } else if !text.starts_with('/') && !text.contains("://") && !text.starts_with("git@") {
            *text = absolute(base_dir, Path::new(text.as_str()))
                .to_string_lossy()
                .into_owned();
        }
    };
    let Value::Map(entries) = &mut service.value else {
        return;
    };
    for e in entries.iter_mut() {
        match e.key.as_str() {
            "build" => {
                if let Value::Map(b) = &mut e.value.value {
                    match b.iter_mut().find(|c| c.key == "context") {
                        Some(c) => {
                            if let Value::Scalar { text, .. } = &mut c.value.value {
                                fix(text);
                            }
                        }
                        // No context: the build uses the project directory.
                        None => b.push(Entry {
                            key: "context".into(),
                            key_position: e.key_position.clone(),
                            value: Node::new(
                                Value::Scalar {
                                    text: base_dir.to_string_lossy().into_owned(),
                                    plain: false,
                                },
                                e.key_position.clone(),
                            ),
                        }),
                    }
                }
            }
            "env_file" | "label_file" => for_each_item(&mut e.value, &mut |n| {
                let target = match &mut n.value {
                    Value::Map(m) => m.iter_mut().find(|x| x.key == "path").map(|x| &mut x.value),
                    _ => Some(n),
                };
                if let Some(Node {
                    value: Value::Scalar { text, .. },
                    ..
                }) = target
                {
                    fix(text);
                }
            }),
            "volumes" => for_each_item(&mut e.value, &mut |n| match &mut n.value {
                Value::Scalar { text, .. } => {
                    let parts = merge::split_volume(text);
                    if parts.len() > 1 && convert::is_path(parts[0]) && !parts[0].starts_with('/') {
                        let mut source = parts[0].to_string();
                        let rest = text[parts[0].len()..].to_string();
                        fix(&mut source);
                        *text = source + &rest;
                    }
                }
                Value::Map(m) => {
                    let bind = m
                        .iter()
                        .any(|x| x.key == "type" && x.value.as_str() == Some("bind"));
                    if bind {
                        for x in m.iter_mut().filter(|x| x.key == "source") {
                            if let Value::Scalar { text, .. } = &mut x.value.value {
                                if !text.contains(":\\") {
                                    fix(text);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }),
            _ => {}
        }
    }
}

fn for_each_item(node: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(f),
        Value::Null => {}
        _ => f(node),
    }
}

/// Services without profiles are always on; others need one of `profiles` (or `*`).
fn is_enabled(service: &Service, profiles: &[String]) -> bool {
    service.profiles.is_empty()
        || profiles.iter().any(|p| p == "*")
        || service.profiles.iter().any(|p| profiles.contains(&p.value))
}

/// Top-level networks with engine names, plus the implied `default` when used.
fn networks(
    root: &Node,
    project: &str,
    services: &[Service],
) -> Result<BTreeMap<String, Network>, Error> {
    let mut out = BTreeMap::new();
    if let Some(n) = root.get("networks") {
        for e in map_entries(n, "networks")? {
            let path = format!("networks.{}", e.key);
            map_entries(&e.value, &path)?;
            schema::check_keys(&e.value, schema::NETWORK, &path)?;
            let get = |k: &str| e.value.get(k).and_then(Node::as_str).map(str::to_string);
            let (external, external_name) = match e.value.get("external") {
                Some(x) if x.as_map().is_some() => (
                    true,
                    x.get("name").and_then(Node::as_str).map(str::to_string),
                ),
                Some(x) => (convert::boolean(x, &format!("{path}.external"))?, None),
                None => (false, None),
            };
            let name = get("name").or(external_name).unwrap_or_else(|| {
                if external {
                    e.key.clone()
                } else {
                    format!("{project}_{}", e.key)
                }
            });
            let internal = match e.value.get("internal") {
                Some(x) => convert::boolean(x, &format!("{path}.internal"))?,
                None => false,
            };
            out.insert(
                e.key.clone(),
                Network {
                    key: e.key.clone(),
                    name,
                    external,
                    driver: get("driver"),
                    internal,
                    position: Some(e.key_position.clone()),
                },
            );
        }
    }
    let uses_default = services
        .iter()
        .any(|s| s.networks.iter().any(|n| n.key == "default"));
    if uses_default && !out.contains_key("default") {
        out.insert(
            "default".into(),
            Network {
                key: "default".into(),
                name: format!("{project}_default"),
                external: false,
                driver: None,
                internal: false,
                position: None,
            },
        );
    }
    Ok(out)
}

/// Cross-references compose checks. Dangling references are compose errors
/// but are reported as warnings (with compose's wording) so that the rest of
/// the project can still be diagnosed; dependency cycles are errors.
fn validate(
    services: &[Service],
    disabled: &[Service],
    networks: &BTreeMap<String, Network>,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let enabled: HashMap<&str, &Service> = services.iter().map(|s| (s.name.as_str(), s)).collect();
    let disabled: HashSet<&str> = disabled.iter().map(|s| s.name.as_str()).collect();
    for s in services {
        for n in &s.networks {
            if !networks.contains_key(&n.key) {
                warnings.push(Warning {
                    message: format!(
                        "service \"{}\" refers to undefined network {}: invalid compose project",
                        s.name, n.key
                    ),
                    position: Some(n.position.clone()),
                });
            }
        }
        for d in &s.depends_on {
            if enabled.contains_key(d.service.as_str()) || !d.required {
                continue;
            }
            let message = if disabled.contains(d.service.as_str()) {
                format!(
                    "service \"{}\" depends on service \"{}\" which is disabled by its profiles",
                    s.name, d.service
                )
            } else {
                format!(
                    "service \"{}\" depends on undefined service \"{}\": invalid compose project",
                    s.name, d.service
                )
            };
            warnings.push(Warning {
                message,
                position: Some(d.position.clone()),
            });
        }
    }
    match dependency_cycle(services, &enabled) {
        Some((cycle, position)) => Err(Error::Syntax {
            position,
            message: format!("dependency cycle detected: {}", cycle.join(" -> ")),
        }),
        None => Ok(()),
    }
}

/// The first `depends_on` cycle, found depth first in service order.
/// Iterative, so a chain of thousands of services cannot exhaust the stack.
fn dependency_cycle(
    services: &[Service],
    by_name: &HashMap<&str, &Service>,
) -> Option<(Vec<String>, Position)> {
    let mut done: HashSet<&str> = HashSet::new();
    for root in services {
        if done.contains(root.name.as_str()) {
            continue;
        }
        // The path from the root: each service with the index of its next dependency.
        let mut path: Vec<(&Service, usize)> = vec![(root, 0)];
        let mut on_path: HashMap<&str, usize> = HashMap::from([(root.name.as_str(), 0)]);
        while let Some((service, next)) = path.last_mut() {
            let service: &Service = service;
            let Some(d) = service.depends_on.get(*next) else {
                on_path.remove(service.name.as_str());
                done.insert(service.name.as_str());
                path.pop();
                continue;
            };
            *next += 1;
            if let Some(&start) = on_path.get(d.service.as_str()) {
                let mut cycle: Vec<String> =
                    path[start..].iter().map(|(s, _)| s.name.clone()).collect();
                cycle.push(d.service.clone());
                return Some((cycle, d.position.clone()));
            }
            if done.contains(d.service.as_str()) {
                continue;
            }
            if let Some(dependency) = by_name.get(d.service.as_str()) {
                on_path.insert(dependency.name.as_str(), path.len());
                path.push((dependency, 0));
            }
        }
    }
    None
}
