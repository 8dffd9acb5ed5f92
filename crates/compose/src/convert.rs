//! From the merged YAML tree of one service to a [`Service`]: compose's
//! short and long syntaxes, typing of scalars, and container environment
//! provenance.

use crate::dotenv;
use crate::schema;
use crate::yaml::{Node, Value};
use crate::{
    Dependency, EnvVar, Error, Healthcheck, Located, Port, Position, Service, ServiceNetwork,
    Substitution, VarSource, Volume,
};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// What service conversion needs from the project.
pub struct Context<'a> {
    /// The interpolation environment (shell and `.env`).
    pub variables: &'a BTreeMap<String, (String, VarSource)>,
    /// The outermost substitution written in each YAML value (the last one
    /// when there are several), to tell where an `environment:` value came
    /// from. A map, so that a project with thousands of variables stays linear.
    pub last_substitution_in: HashMap<&'a Position, &'a Substitution>,
    /// Record a missing required `env_file` instead of failing (see [`crate::Options`]).
    pub record_missing_env_files: bool,
}

fn error(position: &Position, message: impl Into<String>) -> Error {
    Error::Syntax {
        position: position.clone(),
        message: message.into(),
    }
}

fn located<T>(value: T, node: &Node) -> Located<T> {
    Located {
        value,
        position: node.position.clone(),
    }
}

/// A scalar as a string (`None` for null); lists and mappings are type errors.
fn string(node: &Node, path: &str) -> Result<Option<Located<String>>, Error> {
    match &node.value {
        Value::Null => Ok(None),
        Value::Scalar { text, .. } => Ok(Some(located(text.clone(), node))),
        _ => Err(error(
            &node.position,
            format!("{path} must be a string, not {}", node.kind()),
        )),
    }
}

fn integer(node: &Node, path: &str) -> Result<Option<Located<u32>>, Error> {
    let Some(s) = string(node, path)? else {
        return Ok(None);
    };
    s.value
        .trim()
        .parse::<u32>()
        .map(|v| Some(located(v, node)))
        .map_err(|_| {
            error(
                &node.position,
                format!("{path} must be an integer, not \"{}\"", s.value),
            )
        })
}

/// compose's booleans: YAML 1.2 `true/false` plus the YAML 1.1 words it still accepts.
pub fn boolean(node: &Node, path: &str) -> Result<bool, Error> {
    let Some(s) = string(node, path)? else {
        return Ok(false);
    };
    match s.value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "on" => Ok(true),
        "false" | "no" | "n" | "off" => Ok(false),
        other => Err(error(
            &node.position,
            format!("{path} must be a boolean, not \"{other}\""),
        )),
    }
}

fn strings(node: &Node, path: &str) -> Result<Vec<Located<String>>, Error> {
    match &node.value {
        Value::Null => Ok(Vec::new()),
        Value::Scalar { .. } => Ok(string(node, path)?.into_iter().collect()),
        Value::Seq(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(string(item, path)?);
            }
            Ok(out)
        }
        Value::Map(_) => Err(error(
            &node.position,
            format!("{path} must be a list, not a mapping"),
        )),
    }
}

/// `command`/`entrypoint`: a list as is, a string split into words like a shell.
fn words(node: &Node, path: &str) -> Result<Option<Located<Vec<String>>>, Error> {
    match &node.value {
        Value::Null => Ok(None),
        Value::Scalar { text, .. } => split_words(text)
            .map(|w| Some(located(w, node)))
            .map_err(|m| error(&node.position, format!("{path}: {m}"))),
        Value::Seq(_) => Ok(Some(located(
            strings(node, path)?.into_iter().map(|s| s.value).collect(),
            node,
        ))),
        Value::Map(_) => Err(error(
            &node.position,
            format!("{path} must be a string or a list"),
        )),
    }
}

/// Splits a command line into words: quotes group, backslash escapes (go-shellwords style).
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single-quoted string".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => word.push(n),
                            Some(n) => {
                                word.push('\\');
                                word.push(n);
                            }
                            None => return Err("unterminated double-quoted string".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated double-quoted string".into()),
                    }
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    Ok(out)
}

fn map_of<'a>(node: &'a Node, path: &str) -> Result<&'a [crate::yaml::Entry], Error> {
    match &node.value {
        Value::Null => Ok(&[]),
        Value::Map(entries) => Ok(entries),
        _ => Err(error(
            &node.position,
            format!("{path} must be a mapping, not {}", node.kind()),
        )),
    }
}

/// Converts one merged service definition.
pub fn service(
    name: &str,
    position: &Position,
    node: &Node,
    ctx: &Context<'_>,
) -> Result<Service, Error> {
    let p = format!("services.{name}");
    map_of(node, &p)?;
    schema::check_keys(node, schema::SERVICE, &p)?;
    let field = |key: &str| node.get(key);
    let path = |key: &str| format!("{p}.{key}");
    let opt_string = |key: &str| -> Result<Option<Located<String>>, Error> {
        field(key).map_or(Ok(None), |n| string(n, &path(key)))
    };

    let build_context = match field("build").and_then(|b| b.get("context")) {
        Some(c) => string(c, &path("build.context"))?.map(|s| Located {
            value: PathBuf::from(s.value),
            position: s.position,
        }),
        None => None,
    };

    let env_files = match field("env_file") {
        Some(n) => env_files(n, &path("env_file"))?,
        None => Vec::new(),
    };
    let (environment, missing_env_files) = environment(node, &env_files, ctx, &p)?;

    let mut ports = Vec::new();
    if let Some(n) = field("ports") {
        for item in n.as_seq().unwrap_or_default() {
            ports.extend(port(item, &path("ports"))?);
        }
        if n.as_seq().is_none() && !n.is_null() {
            return Err(error(
                &n.position,
                format!("{} must be a list", path("ports")),
            ));
        }
    }

    let network_mode = opt_string("network_mode")?;
    let mut networks = Vec::new();
    if let Some(n) = field("networks") {
        for e in map_of(n, &path("networks"))? {
            let mut aliases = Vec::new();
            if let Some(a) = e.value.get("aliases") {
                aliases = strings(a, &format!("{}.{}.aliases", path("networks"), e.key))?;
            } else {
                map_of(&e.value, &format!("{}.{}", path("networks"), e.key))?;
            }
            networks.push(ServiceNetwork {
                key: e.key.clone(),
                aliases,
                position: e.key_position.clone(),
                implicit: false,
            });
        }
    }
    if networks.is_empty() && network_mode.is_none() && field("provider").is_none() {
        networks.push(ServiceNetwork {
            key: "default".into(),
            aliases: Vec::new(),
            position: position.clone(),
            implicit: true,
        });
    }

    let mut depends_on = Vec::new();
    if let Some(n) = field("depends_on") {
        for e in map_of(n, &path("depends_on"))? {
            let dp = format!("{}.{}", path("depends_on"), e.key);
            map_of(&e.value, &dp)?;
            let condition = match e.value.get("condition") {
                Some(c) => string(c, &dp)?.map(|s| s.value),
                None => None,
            };
            let required = match e.value.get("required") {
                Some(r) => boolean(r, &dp)?,
                None => true,
            };
            depends_on.push(Dependency {
                service: e.key.clone(),
                condition: condition.unwrap_or_else(|| "service_started".into()),
                required,
                position: e.key_position.clone(),
            });
        }
    }

    let mut links = Vec::new();
    if let Some(n) = field("links") {
        for s in strings(n, &path("links"))? {
            let (svc, alias) = match s.value.split_once(':') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (s.value.clone(), s.value.clone()),
            };
            links.push(Located {
                value: (svc, alias),
                position: s.position,
            });
        }
    }

    let replicas = match field("deploy").and_then(|d| d.get("replicas")) {
        Some(r) => integer(r, &path("deploy.replicas"))?,
        None => match field("scale") {
            Some(s) => integer(s, &path("scale"))?,
            None => None,
        },
    };

    let mut extra_hosts = Vec::new();
    if let Some(n) = field("extra_hosts") {
        for e in map_of(n, &path("extra_hosts"))? {
            let ips = match &e.value.value {
                Value::Seq(_) => strings(&e.value, &path("extra_hosts"))?,
                _ => string(&e.value, &path("extra_hosts"))?
                    .into_iter()
                    .collect(),
            };
            for ip in ips {
                extra_hosts.push(Located {
                    value: format!("{}={}", e.key, ip.value),
                    position: e.key_position.clone(),
                });
            }
        }
    }

    let mut labels = BTreeMap::new();
    if let Some(n) = field("labels") {
        for e in map_of(n, &path("labels"))? {
            let value = string(&e.value, &path("labels"))?.map_or_else(String::new, |s| s.value);
            labels.insert(
                e.key.clone(),
                Located {
                    value,
                    position: e.key_position.clone(),
                },
            );
        }
    }

    let deploy_labels = match field("deploy").and_then(|d| d.get("labels")) {
        Some(n) => label_entries(n, &path("deploy.labels"))?,
        None => BTreeMap::new(),
    };

    let mut volumes = Vec::new();
    if let Some(n) = field("volumes") {
        for item in n.as_seq().unwrap_or_default() {
            volumes.push(volume(item, &path("volumes"))?);
        }
    }

    Ok(Service {
        name: name.to_string(),
        position: position.clone(),
        image: opt_string("image")?,
        build_context,
        container_name: opt_string("container_name")?,
        hostname: opt_string("hostname")?,
        command: field("command").map_or(Ok(None), |n| words(n, &path("command")))?,
        entrypoint: field("entrypoint").map_or(Ok(None), |n| words(n, &path("entrypoint")))?,
        environment,
        env_files: env_files.into_iter().map(|(f, _)| f).collect(),
        missing_env_files,
        ports,
        expose: field("expose").map_or(Ok(Vec::new()), |n| strings(n, &path("expose")))?,
        networks,
        network_mode,
        healthcheck: field("healthcheck")
            .map(|n| healthcheck(n, &path("healthcheck")))
            .transpose()?,
        depends_on,
        profiles: field("profiles").map_or(Ok(Vec::new()), |n| strings(n, &path("profiles")))?,
        restart: opt_string("restart")?,
        replicas,
        links,
        extra_hosts,
        labels,
        deploy_labels,
        volumes,
    })
}

/// `deploy.labels` in the mapping or the `KEY=value` list form (not
/// normalised by the merge, which only knows top-level keys).
fn label_entries(node: &Node, path: &str) -> Result<BTreeMap<String, Located<String>>, Error> {
    let mut labels = BTreeMap::new();
    if let Some(items) = node.as_seq() {
        for item in items {
            if let Some(text) = item.as_str() {
                let (key, value) = text.split_once('=').unwrap_or((text, ""));
                labels.insert(
                    key.to_string(),
                    Located {
                        value: value.to_string(),
                        position: item.position.clone(),
                    },
                );
            }
        }
        return Ok(labels);
    }
    for e in map_of(node, path)? {
        let value = string(&e.value, path)?.map_or_else(String::new, |s| s.value);
        labels.insert(
            e.key.clone(),
            Located {
                value,
                position: e.key_position.clone(),
            },
        );
    }
    Ok(labels)
}

/// `env_file` in its three forms, as `(path, required)`.
fn env_files(node: &Node, path: &str) -> Result<Vec<(Located<PathBuf>, bool)>, Error> {
    let items: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        _ => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        let (file, required) = match &item.value {
            Value::Map(_) => {
                let file = item
                    .get("path")
                    .ok_or_else(|| error(&item.position, format!("{path}: missing path")))?;
                let required = match item.get("required") {
                    Some(r) => boolean(r, path)?,
                    None => true,
                };
                (file, required)
            }
            _ => (item, true),
        };
        if let Some(s) = string(file, path)? {
            out.push((
                Located {
                    value: PathBuf::from(s.value),
                    position: s.position,
                },
                required,
            ));
        }
    }
    Ok(out)
}

/// The container environment: `env_file` entries, then `environment:` (later wins),
/// and the required env files that could not be read (when they are recorded).
fn environment(
    node: &Node,
    env_files: &[(Located<PathBuf>, bool)],
    ctx: &Context<'_>,
    p: &str,
) -> Result<(Vec<EnvVar>, Vec<Located<PathBuf>>), Error> {
    let mut env: BTreeMap<String, EnvVar> = BTreeMap::new();
    let mut missing = Vec::new();
    for (file, required) in env_files {
        let read = crate::loader::read_bounded(&file.value).and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        });
        let text = match read {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && ctx.record_missing_env_files => {
                missing.push(file.clone());
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(error(
                    &file.position,
                    format!("env file {} not found: {e}", file.value.display()),
                ))
            }
            Err(e) => {
                return Err(error(
                    &file.position,
                    format!("env file {} cannot be read: {e}", file.value.display()),
                ))
            }
        };
        let lookup = |name: &str| ctx.variables.get(name).map(|(v, _)| v.clone());
        let entries = dotenv::parse(&text, &lookup).map_err(|e| {
            error(
                &file.position,
                format!("failed to read {}: {e}", file.value.display()),
            )
        })?;
        let source_file = Arc::new(file.value.clone());
        for entry in entries {
            let at = Position {
                file: source_file.clone(),
                line: entry.line,
                column: entry.column,
            };
            env.insert(
                entry.key.clone(),
                EnvVar {
                    name: entry.key,
                    value: Some(entry.value),
                    position: at.clone(),
                    source: VarSource::EnvFile(at),
                    variable: None,
                },
            );
        }
    }
    if let Some(n) = node.get("environment") {
        for e in map_of(n, &format!("{p}.environment"))? {
            let var = match &e.value.value {
                Value::Null => {
                    // A bare `NAME` takes its value from the project environment.
                    let (value, source) = match ctx.variables.get(&e.key) {
                        Some((v, s)) => (Some(v.clone()), s.clone()),
                        None => (None, VarSource::Unset),
                    };
                    EnvVar {
                        name: e.key.clone(),
                        value,
                        position: e.key_position.clone(),
                        source,
                        variable: Some(e.key.clone()),
                    }
                }
                Value::Scalar { text, .. } => {
                    // The outermost substitution written in this value (the last
                    // one when there are several), if any.
                    let substitution = ctx.last_substitution_in.get(&e.value.position).copied();
                    let source = substitution.map_or_else(
                        || VarSource::ComposeFile(e.value.position.clone()),
                        |s| s.source.clone(),
                    );
                    EnvVar {
                        name: e.key.clone(),
                        value: Some(text.clone()),
                        position: e.key_position.clone(),
                        source,
                        variable: substitution.map(|s| s.variable.clone()),
                    }
                }
                _ => {
                    return Err(error(
                        &e.value.position,
                        format!("{p}.environment.{} must be a string", e.key),
                    ))
                }
            };
            env.insert(e.key.clone(), var);
        }
    }
    Ok((env.into_values().collect(), missing))
}

/// One `ports:` item; a target range gives one port per target.
fn port(node: &Node, path: &str) -> Result<Vec<Port>, Error> {
    let bad = |what: &str| error(&node.position, format!("{path}: invalid port {what}"));
    match &node.value {
        Value::Map(_) => {
            let get = |k: &str| -> Result<Option<String>, Error> {
                node.get(k)
                    .map_or(Ok(None), |n| string(n, &format!("{path}.{k}")))
                    .map(|s| s.map(|s| s.value))
            };
            let target = get("target")?.ok_or_else(|| bad("(missing target)"))?;
            let target = target.parse::<u16>().map_err(|_| bad(&target))?;
            Ok(vec![Port {
                target,
                published: get("published")?.filter(|s| !s.is_empty()),
                host_ip: get("host_ip")?.filter(|s| !s.is_empty()),
                protocol: get("protocol")?.unwrap_or_else(|| "tcp".into()),
                position: node.position.clone(),
            }])
        }
        Value::Scalar { text, .. } => {
            let (spec, protocol) = match text.split_once('/') {
                Some((s, p)) => (s, p.to_string()),
                None => (text.as_str(), "tcp".to_string()),
            };
            let (host_ip, rest) = if let Some(r) = spec.strip_prefix('[') {
                let (ip, r) = r.split_once("]:").ok_or_else(|| bad(text))?;
                (Some(ip.to_string()), r)
            } else {
                match spec.matches(':').count() {
                    0 | 1 => (None, spec),
                    _ => {
                        // The last two fields are published:target; anything before is the IP.
                        let i = spec[..spec.rfind(':').unwrap_or(0)].rfind(':').unwrap_or(0);
                        (Some(spec[..i].to_string()), &spec[i + 1..])
                    }
                }
            };
            let (published, target) = match rest.split_once(':') {
                Some((p, t)) => (Some(p), t),
                None => (None, rest),
            };
            let targets = range(target).ok_or_else(|| bad(text))?;
            let published = published.filter(|p| !p.is_empty());
            let host_ip = host_ip.filter(|ip| !ip.is_empty());
            let make = |target: u16, published: Option<String>| Port {
                target,
                published,
                host_ip: host_ip.clone(),
                protocol: protocol.clone(),
                position: node.position.clone(),
            };
            if targets.0 == targets.1 {
                if let Some(p) = published {
                    range(p).ok_or_else(|| bad(text))?;
                }
                return Ok(vec![make(targets.0, published.map(str::to_string))]);
            }
            let published = match published {
                Some(p) => {
                    let r = range(p).ok_or_else(|| bad(text))?;
                    if r.1 - r.0 != targets.1 - targets.0 {
                        return Err(bad(text));
                    }
                    Some(r.0)
                }
                None => None,
            };
            Ok((targets.0..=targets.1)
                .enumerate()
                .map(|(i, t)| make(t, published.map(|p| (p as usize + i).to_string())))
                .collect())
        }
        _ => Err(error(
            &node.position,
            format!("{path} items must be strings, numbers or mappings"),
        )),
    }
}

/// `80` or `8000-8005` as an inclusive range.
fn range(text: &str) -> Option<(u16, u16)> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let (a, b) = (a.parse::<u16>().ok()?, b.parse::<u16>().ok()?);
    (a <= b).then_some((a, b))
}

fn volume(node: &Node, path: &str) -> Result<Volume, Error> {
    match &node.value {
        Value::Scalar { text, .. } => {
            let parts = crate::merge::split_volume(text);
            let (source, target, mode) = match parts.as_slice() {
                [t] => (None, t.to_string(), ""),
                [s, t] => (Some(s.to_string()), t.to_string(), ""),
                [s, t, m, ..] => (Some(s.to_string()), t.to_string(), *m),
                [] => unreachable!("split_volume returns at least one part"),
            };
            let kind = match &source {
                Some(s) if is_path(s) => "bind",
                _ => "volume",
            };
            Ok(Volume {
                kind: kind.into(),
                source,
                target,
                read_only: mode.split(',').any(|m| m == "ro"),
                position: node.position.clone(),
            })
        }
        Value::Map(_) => {
            let get = |k: &str| -> Result<Option<String>, Error> {
                node.get(k)
                    .map_or(Ok(None), |n| string(n, &format!("{path}.{k}")))
                    .map(|s| s.map(|s| s.value))
            };
            Ok(Volume {
                kind: get("type")?.unwrap_or_else(|| "volume".into()),
                source: get("source")?,
                target: get("target")?.unwrap_or_default(),
                read_only: match node.get("read_only") {
                    Some(r) => boolean(r, path)?,
                    None => false,
                },
                position: node.position.clone(),
            })
        }
        _ => Err(error(
            &node.position,
            format!("{path} items must be strings or mappings"),
        )),
    }
}

/// A short-syntax volume source that is a host path rather than a volume name.
pub fn is_path(source: &str) -> bool {
    source.starts_with(['/', '.', '~', '\\'])
        || (source.len() > 2
            && source.as_bytes()[1] == b':'
            && source.as_bytes()[0].is_ascii_alphabetic())
}

fn healthcheck(node: &Node, path: &str) -> Result<Healthcheck, Error> {
    map_of(node, path)?;
    schema::check_keys(node, schema::HEALTHCHECK, path)?;
    let opt = |k: &str| {
        node.get(k)
            .map_or(Ok(None), |n| string(n, &format!("{path}.{k}")))
    };
    let test = match node.get("test") {
        Some(t) => match &t.value {
            Value::Scalar { text, .. } => Some(located(vec!["CMD-SHELL".into(), text.clone()], t)),
            _ => words(t, &format!("{path}.test"))?,
        },
        None => None,
    };
    Ok(Healthcheck {
        disable: match node.get("disable") {
            Some(d) => boolean(d, &format!("{path}.disable"))?,
            None => false,
        } || test.as_ref().is_some_and(|t| t.value == ["NONE"]),
        test,
        interval: opt("interval")?,
        timeout: opt("timeout")?,
        retries: node
            .get("retries")
            .map_or(Ok(None), |n| integer(n, &format!("{path}.retries")))?,
        start_period: opt("start_period")?,
        position: node.position.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(
            split_words(r#"sh -c 'echo "hi there"' "a b" c\ d"#).unwrap(),
            ["sh", "-c", "echo \"hi there\"", "a b", "c d"]
        );
        assert!(split_words("echo 'oops").is_err());
    }

    #[test]
    fn port_ranges() {
        assert_eq!(range("8000-8005"), Some((8000, 8005)));
        assert_eq!(range("80"), Some((80, 80)));
        assert_eq!(range("x"), None);
    }
}
