//! Reading, rendering and parsing configs and definitions.

use crate::config::Config;
use crate::definition::{self, Definition, DefinitionKind};
use crate::funcs::{FuncCtx, Locator, Mode, TfPlugin, TfSource, TplHost};
use crate::node::{Mapped, Node, NodeValue, Position, SourceText};
use crate::problem::{Problem, ProblemKind};
use crate::{json, jsonnet, template, yaml, Error, FileSystem, LoadOptions, Project};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A failure to render or parse, with a position when known.
#[derive(Debug)]
pub(crate) struct Fail {
    pub position: Option<Position>,
    pub message: String,
}

impl Fail {
    fn into_error(self, path: &Path) -> Error {
        match self.position {
            Some(p) => Error::Syntax {
                path: p.file,
                line: p.line,
                column: p.column,
                message: self.message,
            },
            None => Error::Syntax {
                path: path.to_path_buf(),
                line: 0,
                column: 0,
                message: self.message,
            },
        }
    }

    fn into_problem(self, path: &Path) -> Problem {
        Problem::new(
            ProblemKind::DefinitionSyntax,
            format!("{}: {}", path.display(), self.message),
            self.position,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
    Jsonnet,
}

fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// Renders a file's own text as a template.
fn render_source(src: &SourceText, ctx: &mut FuncCtx<'_>) -> Result<template::Rendered, Fail> {
    let mut host = TplHost {
        ctx,
        locator: Locator::File(src),
    };
    template::render(&src.chars, &mut host).map_err(|e| Fail {
        position: Some(src.position(e.pos, 0, true)),
        message: format!("template: {}", e.message),
    })
}

fn parse_yaml(src: &SourceText, rendered: &template::Rendered) -> Result<Node, Fail> {
    let mapped = Mapped {
        source: src,
        map: &rendered.map,
    };
    let locate = |s: usize, e: usize| mapped.position(s, e);
    yaml::parse(&rendered.text, &locate).map_err(|e| Fail {
        position: Some(mapped.position(e.pos, e.pos)),
        message: format!("failed to parse yaml: {}", e.message),
    })
}

fn parse_json(src: &SourceText, rendered: &template::Rendered) -> Result<Node, Fail> {
    let mapped = Mapped {
        source: src,
        map: &rendered.map,
    };
    let locate = |s: usize, e: usize| mapped.position(s, e);
    let chars: Vec<char> = rendered.text.chars().collect();
    json::parse(&chars, &locate).map_err(|e| Fail {
        position: Some(mapped.position(e.pos, e.pos)),
        message: e.message,
    })
}

/// Jsonnet → template → JSON, with approximate positions.
fn eval_jsonnet(
    path: &Path,
    text: &str,
    options: &LoadOptions,
    files: &dyn FileSystem,
    ctx: &mut FuncCtx<'_>,
) -> Result<Node, Fail> {
    let out = jsonnet::evaluate(path, text, options, files, ctx).map_err(|e| Fail {
        position: e.position,
        message: format!("failed to evaluate jsonnet file: {}", e.message),
    })?;
    let fallback = Position::file_start(path);
    let tpl: Vec<char> = out.json.chars().collect();
    let rendered = {
        let mut host = TplHost {
            ctx,
            locator: Locator::Search {
                template: &tpl,
                sources: &out.sources,
            },
        };
        template::render(&tpl, &mut host).map_err(|e| Fail {
            position: Some(fallback.clone()),
            message: format!("template: {}", e.message),
        })?
    };
    let chars: Vec<char> = rendered.text.chars().collect();
    let locate = |_: usize, _: usize| fallback.clone();
    let mut node = json::parse(&chars, &locate).map_err(|e| Fail {
        position: Some(fallback.clone()),
        message: e.message,
    })?;
    jsonnet::locate_tree(&mut node, &out.sources);
    Ok(node)
}

fn parse_config(
    format: Format,
    src: &SourceText,
    text: &str,
    options: &LoadOptions,
    files: &dyn FileSystem,
    ctx: &mut FuncCtx<'_>,
) -> Result<Node, Fail> {
    match format {
        Format::Yaml => {
            let rendered = render_source(src, ctx)?;
            parse_yaml(src, &rendered)
        }
        Format::Json | Format::Jsonnet => {
            // Plain JSON evaluates to itself in Jsonnet: read it directly to keep exact positions.
            if format == Format::Json {
                let dummy = |_: usize, _: usize| Position::file_start(&src.path);
                if json::parse(&src.chars, &dummy).is_ok() {
                    let rendered = render_source(src, ctx)?;
                    return parse_json(src, &rendered);
                }
            }
            eval_jsonnet(&src.path, text, options, files, ctx)
        }
    }
}

/// Reads `KEY=VALUE` lines (`#` comments, optional `export `, quotes).
pub(crate) fn parse_envfile(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let key = k.trim().to_string();
        if key.is_empty() {
            continue;
        }
        let v = v.trim();
        let value = if let Some(inner) = v
            .strip_prefix('"')
            .and_then(|r| r.rfind('"').map(|i| &r[..i]))
        {
            inner
                .replace("\\n", "\n")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\")
        } else if let Some(inner) = v
            .strip_prefix('\'')
            .and_then(|r| r.rfind('\'').map(|i| &r[..i]))
        {
            inner.to_string()
        } else {
            match v.find(" #") {
                Some(i) => v[..i].trim_end().to_string(),
                None => v.to_string(),
            }
        };
        out.push((key, value));
    }
    out
}

fn merged_env(
    options: &LoadOptions,
    files: &dyn FileSystem,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, String> {
    let mut env = options.env.clone();
    for f in &options.envfiles {
        let path = if f.is_relative() && !files.exists(f) {
            options.dir.join(f)
        } else {
            f.clone()
        };
        match crate::read_text_bounded(files, &path) {
            Ok(text) => {
                for (k, v) in parse_envfile(&text) {
                    env.insert(k, v);
                }
            }
            Err(e) => problems.push(Problem::new(
                ProblemKind::MissingFile { path: path.clone() },
                format!("failed to read envfile {}: {e}", path.display()),
                None,
            )),
        }
    }
    env
}

/// Reads the tfstate plugins of a (first-pass) config root.
fn setup_plugins(
    root: &Node,
    base: &Path,
    bounds: &crate::ReadBounds,
    files: &dyn FileSystem,
) -> (Vec<TfPlugin>, Vec<Problem>) {
    let mut plugins: Vec<TfPlugin> = Vec::new();
    let mut problems = Vec::new();
    for p in root.get("plugins").and_then(Node::as_array).unwrap_or(&[]) {
        let name = p.get("name").and_then(Node::as_str).unwrap_or("");
        let pos = Some(
            p.get("name")
                .map(|n| n.position.clone())
                .unwrap_or_else(|| p.position.clone()),
        );
        match name {
            "tfstate" => {
                let prefix = p
                    .get("func_prefix")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                if plugins.iter().any(|t| t.prefix == prefix) {
                    problems.push(Problem::new(
                        ProblemKind::DuplicatePlugin {
                            name: name.to_string(),
                        },
                        format!("template function {prefix}tfstate already exists. set func_prefix to tfstate plugin"),
                        pos,
                    ));
                    continue;
                }
                let config = p.get("config");
                let path = config.and_then(|c| c.get("path"));
                let url = config.and_then(|c| c.get("url")).and_then(Node::as_str);
                let local = match (path.and_then(Node::as_str), url) {
                    (Some(path), _) => Some((path.to_string(), path_pos(config, "path", &pos))),
                    (None, Some(u)) if !u.contains("://") || u.starts_with("file://") => Some((
                        u.trim_start_matches("file://").to_string(),
                        path_pos(config, "url", &pos),
                    )),
                    (None, Some(u)) => {
                        problems.push(Problem::new(
                            ProblemKind::Unresolved {
                                function: format!("{prefix}tfstate"),
                                argument: u.to_string(),
                            },
                            format!(
                                "tfstate plugin: the state {u} is remote and is not read offline"
                            ),
                            path_pos(config, "url", &pos),
                        ));
                        plugins.push(TfPlugin {
                            prefix,
                            source: TfSource::Remote { url: u.to_string() },
                        });
                        continue;
                    }
                    (None, None) => {
                        problems.push(Problem::new(
                            ProblemKind::InvalidPlugin {
                                name: name.to_string(),
                            },
                            "tfstate plugin requires path or url for tfstate location",
                            pos,
                        ));
                        continue;
                    }
                };
                let Some((rel, vpos)) = local else { continue };
                let full = resolve(base, Path::new(&rel));
                let state = if !bounds.allows_in(&full, files) {
                    problems.push(Problem::new(
                        ProblemKind::OutsideBounds { path: full.clone() },
                        format!("tfstate {} (outside the project, not read)", full.display()),
                        vpos,
                    ));
                    None
                } else {
                    match crate::read_text_bounded(files, &full) {
                        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                            Ok(v) => Some(v),
                            Err(e) => {
                                problems.push(Problem::new(
                                    ProblemKind::DefinitionSyntax,
                                    format!("failed to read tfstate {}: {e}", full.display()),
                                    vpos,
                                ));
                                None
                            }
                        },
                        Err(e) => {
                            problems.push(Problem::new(
                                ProblemKind::MissingFile { path: full.clone() },
                                format!("failed to read tfstate {}: {e}", full.display()),
                                vpos,
                            ));
                            None
                        }
                    }
                };
                plugins.push(TfPlugin {
                    prefix,
                    source: TfSource::Local { path: full, state },
                });
            }
            n if crate::config::PLUGIN_NAMES.contains(&n) => {}
            n => problems.push(Problem::new(
                ProblemKind::UnknownPlugin {
                    name: n.to_string(),
                },
                format!("plugin {n} is not available"),
                pos,
            )),
        }
    }
    (plugins, problems)
}

fn path_pos(config: Option<&Node>, key: &str, fallback: &Option<Position>) -> Option<Position> {
    config
        .and_then(|c| c.get(key))
        .map(|n| n.position.clone())
        .or_else(|| fallback.clone())
}

pub(crate) enum DefFail {
    Read(std::io::Error),
    Syntax(Fail, Vec<Problem>),
}

pub(crate) struct LoadedDef {
    pub definition: Definition,
    pub problems: Vec<Problem>,
    pub env_used: Vec<(String, String)>,
}

pub(crate) fn load_def(
    path: &Path,
    kind: Option<DefinitionKind>,
    env: &BTreeMap<String, String>,
    tfstate: &[TfPlugin],
    mode: Mode,
    options: &LoadOptions,
    files: &dyn FileSystem,
) -> Result<LoadedDef, DefFail> {
    let text = crate::read_text_bounded(files, path).map_err(DefFail::Read)?;
    let mut ctx = FuncCtx::new(env, tfstate, mode);
    let is_jsonnet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonnet"));
    let parsed = if is_jsonnet {
        eval_jsonnet(path, &text, options, files, &mut ctx)
    } else {
        let src = SourceText::new(path, &text);
        render_source(&src, &mut ctx).and_then(|r| parse_json(&src, &r))
    };
    let root = match parsed {
        Ok(r) => r,
        Err(f) => return Err(DefFail::Syntax(f, ctx.problems)),
    };
    let kind = kind.unwrap_or_else(|| definition::guess_kind(&root));
    let (root, wrapped) = definition::unwrap(root, kind);
    let definition = Definition {
        path: path.to_path_buf(),
        root,
        wrapped,
        kind,
    };
    let mut problems = ctx.problems;
    definition::check(&definition, &mut problems);
    Ok(LoadedDef {
        definition,
        problems,
        env_used: ctx.env_used,
    })
}

pub(crate) fn load_definition(
    path: &Path,
    options: &LoadOptions,
    files: &dyn FileSystem,
) -> Result<(Definition, Vec<Problem>), Error> {
    let path = if path.is_relative() && !files.exists(path) {
        options.dir.join(path)
    } else {
        path.to_path_buf()
    };
    let mut problems = Vec::new();
    let env = merged_env(options, files, &mut problems);
    match load_def(&path, None, &env, &[], Mode::NoConfig, options, files) {
        Ok(l) => {
            problems.extend(l.problems);
            Ok((l.definition, problems))
        }
        Err(DefFail::Read(source)) => Err(Error::Read { path, source }),
        Err(DefFail::Syntax(f, _)) => Err(f.into_error(&path)),
    }
}

pub(crate) fn load(options: &LoadOptions, files: &dyn FileSystem) -> Result<Project, Error> {
    let config_path = match &options.config {
        Some(p) if p.is_relative() && !files.exists(p) => options.dir.join(p),
        Some(p) => p.clone(),
        None => crate::discover_in(&options.dir, files).ok_or_else(|| Error::NotFound {
            dir: options.dir.clone(),
        })?,
    };
    let mut problems = Vec::new();
    let env = merged_env(options, files, &mut problems);
    let text = crate::read_text_bounded(files, &config_path).map_err(|source| Error::Read {
        path: config_path.clone(),
        source,
    })?;
    let ext = config_path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match ext.as_str() {
        "yml" | "yaml" => Format::Yaml,
        "json" => Format::Json,
        "jsonnet" => Format::Jsonnet,
        other => {
            problems.push(Problem::new(
                ProblemKind::UnsupportedExtension {
                    extension: other.to_string(),
                },
                format!("unsupported config file extension: {other}"),
                None,
            ));
            Format::Yaml
        }
    };
    let src = SourceText::new(&config_path, &text);
    let base = config_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();

    // Pass 1: find the plugins (plugin functions render as placeholders, silently).
    let first = {
        let mut ctx = FuncCtx::new(&env, &[], Mode::Lenient);
        parse_config(format, &src, &text, options, files, &mut ctx)
            .map_err(|f| f.into_error(&config_path))?
    };
    let (tfstate, plugin_problems) = setup_plugins(&first, &base, &options.bounds, files);

    // Pass 2: render with the plugins.
    let mut ctx = FuncCtx::new(&env, &tfstate, Mode::Strict);
    let root = parse_config(format, &src, &text, options, files, &mut ctx)
        .map_err(|f| f.into_error(&config_path))?;
    problems.extend(plugin_problems);
    problems.append(&mut ctx.problems);
    let mut env_used = std::mem::take(&mut ctx.env_used);

    if !matches!(root.value, NodeValue::Object(_)) {
        problems.push(Problem::new(
            ProblemKind::NotAnObject,
            format!("{} is not a mapping of config keys", config_path.display()),
            Some(root.position.clone()),
        ));
    }
    let config = Config::from_root(root);
    config.check(&mut problems);

    let mut defs: [Option<Definition>; 2] = [None, None];
    let wanted = [
        (config.task_definition.as_ref(), DefinitionKind::Task),
        (config.service_definition.as_ref(), DefinitionKind::Service),
    ];
    for (slot, (node, kind)) in defs.iter_mut().zip(wanted) {
        let Some(node) = node else { continue };
        let Some(pnode) = Config::definition_path(node) else {
            problems.push(Problem::new(
                ProblemKind::MissingFile {
                    path: PathBuf::new(),
                },
                "definition path must be a string".to_string(),
                Some(node.position.clone()),
            ));
            continue;
        };
        let Some(rel) = pnode.as_str() else { continue };
        if pnode.is_unresolved() {
            continue;
        }
        let path = resolve(&base, Path::new(rel));
        if !options.bounds.allows_in(&path, files) {
            let what = match kind {
                DefinitionKind::Task => "task definition",
                DefinitionKind::Service => "service definition",
            };
            problems.push(Problem::new(
                ProblemKind::OutsideBounds { path: path.clone() },
                format!("{what} {} (outside the project, not read)", path.display()),
                Some(pnode.position.clone()),
            ));
            continue;
        }
        match load_def(
            &path,
            Some(kind),
            &env,
            &tfstate,
            Mode::Strict,
            options,
            files,
        ) {
            Ok(l) => {
                problems.extend(l.problems);
                for (k, v) in l.env_used {
                    if !env_used.iter().any(|(n, _)| *n == k) {
                        env_used.push((k, v));
                    }
                }
                *slot = Some(l.definition);
            }
            Err(DefFail::Read(e)) => {
                let what = match kind {
                    DefinitionKind::Task => "task definition",
                    DefinitionKind::Service => "service definition",
                };
                problems.push(Problem::new(
                    ProblemKind::MissingFile { path: path.clone() },
                    format!("failed to load {what} {}: {e}", path.display()),
                    Some(pnode.position.clone()),
                ));
            }
            Err(DefFail::Syntax(f, more)) => {
                problems.extend(more);
                problems.push(f.into_problem(&path));
            }
        }
    }
    let [task_definition, service_definition] = defs;
    Ok(Project {
        config_path,
        config,
        task_definition,
        service_definition,
        problems,
        env_used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envfile_lines() {
        let v =
            parse_envfile("# c\nexport A=1\nB=\"x y\\n\"\nC='q'\nD=v # comment\n\nbad\n E = e \n");
        assert_eq!(
            v,
            vec![
                ("A".to_string(), "1".to_string()),
                ("B".to_string(), "x y\n".to_string()),
                ("C".to_string(), "q".to_string()),
                ("D".to_string(), "v".to_string()),
                ("E".to_string(), "e".to_string()),
            ]
        );
    }
}
