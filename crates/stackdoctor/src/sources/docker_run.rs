//! The `docker run` source: finds shell scripts and Makefiles whose
//! commands start containers with `docker run` (or `docker container run`),
//! reads their options the way the docker CLI does, and adds each container
//! as a service of the model, with the same listeners, published ports,
//! networks, environment and mounts a compose service has, each value with
//! the file, line and column it was written at. Checks then treat those
//! containers like compose services.
//!
//! One file is one project. A run counts as a service when it is meant to
//! stay (`-d`, `--name`, `-p`, `--network` or `--restart`); `docker run --rm
//! node:20 npm test` is a task, not part of the stack. Variables assigned a
//! literal value in the file (shell `NAME=value`, make's `NAME := value`,
//! `include .env`) are substituted; `$PWD`, `$(pwd)`, `$(CURDIR)` and a
//! `SCRIPT_DIR=$(dirname "$0")` are the file's folder; anything else stays
//! as written and is left out of paths and ports.

use super::inventory::{File, Inventory, Kind};
use super::listen;
use super::shell::{self, Word};
use crate::model::{
    Activation, Attachment, Bind, EnvEntry, ListenEvidence, Listener, Network, NetworkDeclaration,
    Origin, Project, ProjectKind, Service, Sourced, StackModel, ValueFrom,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Scripts larger than this are not read.
const MAX_SCRIPT_SIZE: u64 = 1024 * 1024;

/// Options of `docker run` that take a value (long names; short ones are mapped first).
const VALUE_OPTIONS: &[&str] = &[
    "add-host",
    "annotation",
    "attach",
    "blkio-weight",
    "blkio-weight-device",
    "cap-add",
    "cap-drop",
    "cgroup-parent",
    "cgroupns",
    "cidfile",
    "cpu-count",
    "cpu-percent",
    "cpu-period",
    "cpu-quota",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "cpu-shares",
    "cpus",
    "cpuset-cpus",
    "cpuset-mems",
    "detach-keys",
    "device",
    "device-cgroup-rule",
    "device-read-bps",
    "device-read-iops",
    "device-write-bps",
    "device-write-iops",
    "dns",
    "dns-option",
    "dns-opt",
    "dns-search",
    "domainname",
    "entrypoint",
    "env",
    "env-file",
    "expose",
    "gpus",
    "group-add",
    "health-cmd",
    "health-interval",
    "health-retries",
    "health-start-interval",
    "health-start-period",
    "health-timeout",
    "hostname",
    "io-maxbandwidth",
    "io-maxiops",
    "ip",
    "ip6",
    "ipc",
    "isolation",
    "kernel-memory",
    "label",
    "label-file",
    "link",
    "link-local-ip",
    "log-driver",
    "log-opt",
    "mac-address",
    "memory",
    "memory-reservation",
    "memory-swap",
    "memory-swappiness",
    "mount",
    "name",
    "network",
    "network-alias",
    "oom-score-adj",
    "pid",
    "pids-limit",
    "platform",
    "publish",
    "pull",
    "restart",
    "runtime",
    "security-opt",
    "shm-size",
    "stop-signal",
    "stop-timeout",
    "storage-opt",
    "sysctl",
    "tmpfs",
    "ulimit",
    "user",
    "userns",
    "uts",
    "volume",
    "volume-driver",
    "volumes-from",
    "workdir",
];

/// Short options and their long names; the boolean ones take no value.
const SHORT_VALUE: &[(char, &str)] = &[
    ('a', "attach"),
    ('c', "cpu-shares"),
    ('e', "env"),
    ('h', "hostname"),
    ('l', "label"),
    ('m', "memory"),
    ('p', "publish"),
    ('u', "user"),
    ('v', "volume"),
    ('w', "workdir"),
];
const SHORT_BOOLEAN: &[(char, &str)] = &[
    ('d', "detach"),
    ('i', "interactive"),
    ('t', "tty"),
    ('P', "publish-all"),
    ('q', "quiet"),
];

/// One option of a `docker run` command: its long name and value.
#[derive(Debug, Clone)]
struct RunOption {
    name: String,
    value: Option<Word>,
}

/// A `docker run` command as the CLI reads it.
#[derive(Debug, Clone)]
struct RunCommand {
    docker: Word,
    options: Vec<RunOption>,
    image: Option<Word>,
    args: Vec<Word>,
}

impl RunCommand {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Word> + 'a {
        self.options
            .iter()
            .filter(move |o| o.name == name)
            .filter_map(|o| o.value.as_ref())
    }

    fn value<'a>(&'a self, name: &'a str) -> Option<&'a Word> {
        self.values(name).last()
    }

    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|o| o.name == name)
    }
}

/// Finds the scripts of the tree and adds their `docker run` containers.
pub fn load(inventory: &Inventory, model: &mut StackModel) {
    for file in inventory.of(Kind::Script) {
        load_file(&file.path, model);
    }
}

/// The files the `docker run` source reads: shell scripts and Makefiles (an
/// extensionless file by its shebang). A link out of the project is not opened.
pub fn claims(file: &File) -> bool {
    !file.outside && script_kind(&file.path).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptKind {
    Shell,
    Makefile,
}

fn script_kind(path: &Path) -> Option<ScriptKind> {
    let name = path.file_name()?.to_string_lossy().to_string();
    if matches!(name.as_str(), "Makefile" | "makefile" | "GNUmakefile") || name.ends_with(".mk") {
        return Some(ScriptKind::Makefile);
    }
    if name.ends_with(".sh") || name.ends_with(".bash") {
        return Some(ScriptKind::Shell);
    }
    // An executable without extension (`deploy`, `bin/start`) with a shell shebang.
    if !name.contains('.') {
        let mut head = [0u8; 64];
        let n = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .unwrap_or(0);
        let first = String::from_utf8_lossy(&head[..n]);
        let first = first.lines().next().unwrap_or_default();
        if first.starts_with("#!") && (first.ends_with("sh") || first.contains("sh ")) {
            return Some(ScriptKind::Shell);
        }
    }
    None
}

fn read_small(path: &Path) -> Option<String> {
    let size = std::fs::metadata(path).ok()?.len();
    if size > MAX_SCRIPT_SIZE {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Reads one script and adds the containers it runs.
fn load_file(file: &Path, model: &mut StackModel) {
    let Some(kind) = script_kind(file) else {
        return;
    };
    let Some(text) = read_small(file) else {
        return;
    };
    if !text.contains("docker") || !text.contains("run") {
        return;
    }
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let dir_text = dir.display().to_string();
    // Each command with the `make` target it belongs to (none for shell scripts).
    let mut commands: Vec<(Option<String>, Vec<Word>)> = Vec::new();
    match kind {
        ScriptKind::Shell => {
            for command in shell::commands(shell::tokenize(&shell::script_chars(&text))) {
                commands.push((None, command));
            }
        }
        ScriptKind::Makefile => {
            let preset = BTreeMap::from([
                ("CURDIR".to_string(), dir_text.clone()),
                ("PWD".to_string(), dir_text.clone()),
            ]);
            let read_include = |name: &str| read_small(&dir.join(name));
            for recipe in shell::makefile_recipes(&text, &preset, &read_include) {
                for command in shell::commands(shell::tokenize(&recipe.chars)) {
                    commands.push((Some(recipe.target.clone()), command));
                }
            }
        }
    }
    let mut variables: BTreeMap<String, String> =
        BTreeMap::from([("PWD".to_string(), dir_text.clone())]);
    let mut runs = Vec::new();
    let mut created_networks = Vec::new();
    // The folder the script is in when it runs each command: it is assumed
    // to start in its own folder, and `cd DIR` moves it (shell scripts only;
    // each recipe line of a Makefile starts again in the Makefile's folder).
    let mut cwd = dir.clone();
    for (target, words) in commands {
        let cwd_text = cwd.display().to_string();
        let lookup = |name: &str| lookup_variable(name, &variables, &cwd_text, &dir_text);
        let words: Vec<Word> = words.iter().map(|w| w.resolved(&lookup)).collect();
        if let [cd, path] = words.as_slice() {
            if cd.text == "cd" && kind == ScriptKind::Shell {
                if !path.has_expansion() && !path.text.starts_with(['~', '-']) {
                    cwd = normalize(&cwd.join(&path.text));
                }
                continue;
            }
        }
        // `source .env` / `. ./.env`: the file's variables become the script's.
        if let [dot, path] = words.as_slice() {
            if matches!(dot.text.as_str(), "source" | ".") && !path.has_expansion() {
                let sourced = host_path(&cwd, &path.text).unwrap_or_else(|| cwd.join(&path.text));
                if let Some(entries) = read_small(&sourced)
                    .and_then(|text| compose::dotenv::parse(&text, &|_| None).ok())
                {
                    for entry in entries {
                        variables.insert(entry.key, entry.value);
                    }
                }
                continue;
            }
        }
        if let Some(assignments) = only_assignments(&words) {
            for (name, value) in assignments {
                let value = if is_script_dir_value(&value) {
                    Some(dir_text.clone())
                } else {
                    (!value.has_expansion()).then(|| value.text.clone())
                };
                match value {
                    Some(value) => variables.insert(name, value),
                    None => variables.remove(&name),
                };
            }
            continue;
        }
        let Some(rest) = docker_subcommand(&words) else {
            continue;
        };
        match rest {
            Subcommand::Run(index) => {
                let run = parse_run(&words[index - 1], &words[index + 1..]);
                if is_service(&run) {
                    runs.push((target, run, cwd.clone()));
                }
            }
            Subcommand::NetworkCreate(name) => created_networks.push(name),
        }
    }
    if runs.is_empty() {
        return;
    }
    model.sources.insert(file, &text);
    let project = model.projects.len();
    let shown_name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    model.projects.push(Project {
        name: shown_name.clone(),
        dir: dir.clone(),
        files: vec![file.to_path_buf()],
        env_files: Vec::new(),
        kind: ProjectKind::Script,
        default_files: false,
    });
    for (target, run, cwd) in runs {
        let run_command = match (&target, kind) {
            (Some(target), _) => format!("cd {} && make {target}", shell_quote(&dir_text)),
            (None, _) => {
                let interpreter = if text.starts_with("#!")
                    && text.lines().next().is_some_and(|l| l.contains("bash"))
                {
                    "bash"
                } else {
                    "sh"
                };
                format!(
                    "cd {} && {interpreter} {}",
                    shell_quote(&dir_text),
                    shell_quote(&shown_name)
                )
            }
        };
        let service = to_service(
            file,
            &cwd,
            project,
            &run,
            run_command,
            &created_networks,
            model,
        );
        // The same container started again further down (a `restart` target),
        // by another script, or named by compose's `container_name`, is one container.
        let duplicate = model.services.iter().any(|s| {
            (s.project == project && s.name == service.name)
                || (service.container_name.is_some()
                    && s.container_name.as_ref().map(|c| &c.value)
                        == service.container_name.as_ref().map(|c| &c.value))
        });
        if !duplicate {
            model.services.push(service);
        }
    }
}

/// The value of an expansion the file defines, the current folder for `$(pwd)`
/// forms, or the script's folder for `$(dirname "$0")` forms.
fn lookup_variable(
    name: &str,
    variables: &BTreeMap<String, String>,
    cwd: &str,
    dir: &str,
) -> Option<String> {
    match name {
        "$(pwd)" | "`pwd`" | "$(pwd -P)" | "$PWD" | "${PWD}" => Some(cwd.to_string()),
        _ => {
            if name.starts_with("$(dirname") || name.starts_with("$(cd") {
                return is_script_dir_text(name).then(|| dir.to_string());
            }
            variables.get(name).cloned()
        }
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `$(cd "$(dirname "$0")" && pwd)`, `$(dirname "${BASH_SOURCE[0]}")` and friends.
fn is_script_dir_text(text: &str) -> bool {
    text.contains("dirname") && (text.contains("$0") || text.contains("BASH_SOURCE"))
}

fn is_script_dir_value(value: &Word) -> bool {
    is_script_dir_text(&value.text)
}

/// A command made only of `NAME=value` words (after `export`, `readonly`, `local`).
fn only_assignments(words: &[Word]) -> Option<Vec<(String, Word)>> {
    let words = match words.first().map(|w| w.text.as_str()) {
        Some("export" | "readonly" | "local" | "declare" | "typeset") => &words[1..],
        _ => words,
    };
    let assignments: Vec<(String, Word)> = words.iter().map_while(shell::assignment).collect();
    (!assignments.is_empty() && assignments.len() == words.len()).then_some(assignments)
}

enum Subcommand {
    /// The index of the `run` word.
    Run(usize),
    NetworkCreate(String),
}

/// Finds `docker [global options] run` or `docker container run` (after
/// `sudo`, `exec`, `time`, `env`, assignments) or `docker network create NAME`.
fn docker_subcommand(words: &[Word]) -> Option<Subcommand> {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let text = word.text.as_str();
        if shell::assignment(word).is_some()
            || matches!(
                text,
                "sudo"
                    | "exec"
                    | "time"
                    | "command"
                    | "nohup"
                    | "env"
                    | "then"
                    | "do"
                    | "else"
                    | "if"
                    | "!"
                    | "{"
                    | "xargs"
            )
        {
            i += 1;
            continue;
        }
        // Options of sudo and env before the program.
        if text.starts_with('-') && i > 0 {
            i += if matches!(text, "-u" | "-g" | "-C") {
                2
            } else {
                1
            };
            continue;
        }
        break;
    }
    let program = words.get(i)?;
    if program.text != "docker" && !program.text.ends_with("/docker") {
        return None;
    }
    i += 1;
    // Global options: `docker --context prod run`, `docker -H ssh://host run`.
    while let Some(word) = words.get(i) {
        match word.text.as_str() {
            "-H" | "--host" | "-c" | "--context" | "--config" | "-l" | "--log-level" => i += 2,
            t if t.starts_with('-') => i += 1,
            _ => break,
        }
    }
    match words.get(i).map(|w| w.text.as_str()) {
        Some("run") => Some(Subcommand::Run(i)),
        Some("container") if words.get(i + 1).is_some_and(|w| w.text == "run") => {
            Some(Subcommand::Run(i + 1))
        }
        Some("network") if words.get(i + 1).is_some_and(|w| w.text == "create") => {
            let mut j = i + 2;
            let mut name = None;
            while let Some(word) = words.get(j) {
                let t = word.text.as_str();
                if t.starts_with('-') {
                    let takes_value = !t.contains('=')
                        && !matches!(
                            t,
                            "--internal"
                                | "--attachable"
                                | "--ipv6"
                                | "--ingress"
                                | "--config-only"
                        );
                    j += if takes_value { 2 } else { 1 };
                } else {
                    name = Some(t.to_string());
                    break;
                }
            }
            name.map(Subcommand::NetworkCreate)
        }
        _ => None,
    }
}

/// Reads the options after `run`, up to the image; the rest are the command's arguments.
fn parse_run(run_word: &Word, words: &[Word]) -> RunCommand {
    let mut options = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let text = &word.text;
        i += 1;
        if text == "--" {
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, _)) => (name, Some(word.from_char(name.chars().count() + 3))),
                None => (long, None),
            };
            let name = canonical(name);
            let value = if inline.is_some() {
                inline
            } else if VALUE_OPTIONS.contains(&name.as_str()) {
                i += 1;
                words.get(i - 1).cloned()
            } else {
                None
            };
            options.push(RunOption { name, value });
            continue;
        }
        if text.len() > 1 && text.starts_with('-') {
            // A cluster of short options: `-it`, `-dit`, `-eKEY=1`, `-p8080:80`.
            for (n, c) in text.chars().enumerate().skip(1) {
                if let Some((_, long)) = SHORT_VALUE.iter().find(|(s, _)| *s == c) {
                    let attached = word.from_char(n + 1);
                    let value = if !attached.text.is_empty() {
                        Some(attached)
                    } else {
                        i += 1;
                        words.get(i - 1).cloned()
                    };
                    options.push(RunOption {
                        name: (*long).to_string(),
                        value,
                    });
                    break;
                }
                let name = SHORT_BOOLEAN
                    .iter()
                    .find(|(s, _)| *s == c)
                    .map_or_else(|| c.to_string(), |(_, long)| (*long).to_string());
                options.push(RunOption { name, value: None });
            }
            continue;
        }
        return RunCommand {
            docker: run_word.clone(),
            options,
            image: Some(word.clone()),
            args: words[i..].to_vec(),
        };
    }
    RunCommand {
        docker: run_word.clone(),
        options,
        image: words.get(i).cloned(),
        args: words.get(i + 1..).unwrap_or_default().to_vec(),
    }
}

fn canonical(name: &str) -> String {
    match name {
        "net" => "network".to_string(),
        "net-alias" => "network-alias".to_string(),
        other => other.to_string(),
    }
}

/// Whether the run starts a container meant to stay, rather than a one-off task.
fn is_service(run: &RunCommand) -> bool {
    run.image.is_some()
        && ["detach", "name", "publish", "network", "restart"]
            .iter()
            .any(|o| run.has(o))
}

fn origin(file: &Path, word: &Word) -> Origin {
    let pos = word.pos();
    let length = u32::try_from(word.text.chars().count()).unwrap_or(0);
    Origin::file(file, pos.line, pos.column, length)
}

fn to_service(
    file: &Path,
    dir: &Path,
    project: usize,
    run: &RunCommand,
    run_command: String,
    created_networks: &[String],
    model: &mut StackModel,
) -> Service {
    let at = |w: &Word| origin(file, w);
    let image = run
        .image
        .as_ref()
        .map(|w| Sourced::new(w.text.clone(), at(w)));
    let container_name = run
        .value("name")
        .map(|w| Sourced::new(w.text.clone(), at(w)));
    let name = match &container_name {
        Some(n) => n.value.clone(),
        // Unnamed: a random container name no other container can use.
        None => format!(
            "{} (unnamed)",
            image
                .as_ref()
                .map(|i| listen::image_repository(&i.value))
                .unwrap_or_default()
        ),
    };
    let mut missing_env_files = Vec::new();
    let mut environment: Vec<EnvEntry> = Vec::new();
    for env_file in run.values("env-file") {
        let path = host_path(dir, &env_file.text).unwrap_or_else(|| dir.join(&env_file.text));
        match read_small(&path) {
            Some(text) => {
                if let Ok(entries) = compose::dotenv::parse(&text, &|_| None) {
                    for entry in entries {
                        let origin = Origin::file(&path, entry.line, entry.column, 0);
                        if crate::secrets::is_secret_name(&entry.key) {
                            model.secret_values.push(entry.value.clone());
                        }
                        set_env(
                            &mut environment,
                            EnvEntry {
                                name: entry.key,
                                value: Some(entry.value),
                                origin: origin.clone(),
                                value_origin: Some(origin),
                                value_from: ValueFrom::EnvFile,
                                variable: None,
                            },
                        );
                    }
                }
                model.sources.insert(&path, &text);
            }
            None => missing_env_files.push(Sourced::new(path, at(env_file))),
        }
    }
    for entry in run.values("env") {
        let origin = at(entry);
        let env = match shell::assignment(entry) {
            Some((name, value)) if value.has_expansion() => EnvEntry {
                variable: Some(variable_name(&value.text).unwrap_or_else(|| name.clone())),
                name,
                value: None,
                origin: origin.clone(),
                value_origin: Some(Origin::implied("the shell that runs the script")),
                value_from: ValueFrom::Shell,
            },
            Some((name, value)) => EnvEntry {
                name,
                value: Some(value.text.clone()),
                origin: origin.clone(),
                value_origin: Some(origin.clone()),
                value_from: ValueFrom::ComposeFile,
                variable: None,
            },
            // `-e NAME`: the value of the shell that runs `docker run`.
            None => EnvEntry {
                name: entry.text.clone(),
                value: None,
                origin: origin.clone(),
                value_origin: Some(Origin::implied("the shell that runs the script")),
                value_from: ValueFrom::Shell,
                variable: Some(entry.text.clone()),
            },
        };
        set_env(&mut environment, env);
    }
    environment.sort_by(|a, b| a.name.cmp(&b.name));

    let mut network_mode = None;
    let mut attachments = Vec::new();
    let aliases: Vec<Sourced<String>> = run
        .values("network-alias")
        .map(|w| Sourced::new(w.text.clone(), at(w)))
        .collect();
    for network in run.values("network") {
        // `--network name=web,alias=api` (the long form) names the network first.
        let name = network
            .text
            .split(',')
            .next()
            .unwrap_or_default()
            .trim_start_matches("name=")
            .to_string();
        if name.is_empty() || network.has_expansion() {
            continue;
        }
        if matches!(name.as_str(), "host" | "none" | "bridge" | "default")
            || name.starts_with("container:")
        {
            network_mode = Some(Sourced::new(name, at(network)));
            continue;
        }
        let index = network_index(
            model,
            &name,
            project,
            created_networks.contains(&name),
            at(network),
        );
        attachments.push(Attachment {
            network: index,
            aliases: aliases.clone(),
            origin: at(network),
        });
    }
    if attachments.is_empty()
        && network_mode
            .as_ref()
            .is_none_or(|m| m.value == "bridge" || m.value == "default")
    {
        model.notes.push(Sourced::new(
            format!("`{name}` runs on Docker's default bridge network, where containers cannot reach each other by name"),
            at(&run.docker),
        ));
        network_mode = None;
    }

    let mut mounts = Vec::new();
    for volume in run.values("volume") {
        let mut parts = volume.text.splitn(3, ':');
        let (Some(source), Some(target)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Some(path) = host_path(dir, source) {
            mounts.push(Sourced::new((path, target.to_string()), at(volume)));
        }
    }
    for mount in run.values("mount") {
        let field = |keys: &[&str]| {
            mount.text.split(',').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                keys.contains(&k).then(|| v.to_string())
            })
        };
        if field(&["type"]).as_deref() != Some("bind") {
            continue;
        }
        if let (Some(source), Some(target)) = (
            field(&["source", "src"]),
            field(&["target", "destination", "dst"]),
        ) {
            if let Some(path) = host_path(dir, &source) {
                mounts.push(Sourced::new((path, target), at(mount)));
            }
        }
    }

    let published_words: Vec<(&Word, Option<String>, Vec<u16>)> = run
        .values("publish")
        .filter(|w| {
            !w.has_expansion() || w.text.rsplit(':').next().is_some_and(|t| !t.contains('$'))
        })
        .filter_map(|w| {
            let (host, targets) = split_publish(&w.text)?;
            Some((w, host, targets))
        })
        .collect();
    let published = published_words
        .iter()
        .filter_map(|(w, host, targets)| {
            let host = host.clone().filter(|h| !h.contains('$'))?;
            let target = *targets.first()?;
            (targets.len() == 1).then(|| Sourced::new((host, target), at(w)))
        })
        .collect();

    let command = (!run.args.is_empty()).then(|| {
        Sourced::new(
            run.args.iter().map(|w| w.text.clone()).collect::<Vec<_>>(),
            at(&run.args[0]),
        )
    });
    let entrypoint = run.value("entrypoint").map(|w| {
        Sourced::new(
            w.text.split_whitespace().map(str::to_string).collect(),
            at(w),
        )
    });
    let mut listeners = Vec::new();
    let env_lookup = |n: &str| {
        environment
            .iter()
            .find(|e| e.name == n)
            .and_then(|e| e.value.clone())
    };
    for words in [&command, &entrypoint].into_iter().flatten() {
        if let Some(l) = listen::listener_from_command(&words.value, &words.origin, &env_lookup) {
            listeners.push(l);
        }
    }
    if listeners.is_empty() {
        for variable in &crate::knowledge::servers().port_env {
            let in_command = [&command, &entrypoint]
                .into_iter()
                .flatten()
                .find_map(|words| {
                    let (_, value) = listen::command_assignments(&words.value)
                        .into_iter()
                        .find(|(n, _)| n == variable)?;
                    Some((value, words.origin.clone()))
                });
            let in_environment = || {
                let entry = environment.iter().find(|e| &e.name == variable)?;
                Some((entry.value.clone()?, entry.origin.clone()))
            };
            if let Some((value, origin)) = in_command.or_else(in_environment) {
                if let Ok(port) = value.parse() {
                    listeners.push(Listener {
                        port,
                        bind: Bind::All,
                        tls: false,
                        evidence: ListenEvidence::Environment,
                        origin,
                        detail: format!("{variable}={port}"),
                        server: None,
                    });
                }
            }
        }
    }
    for expose in run.values("expose") {
        if let Ok(port) = expose.text.split('/').next().unwrap_or_default().parse() {
            listeners.push(declared(
                port,
                at(expose),
                format!("--expose {}", expose.text),
            ));
        }
    }
    for (word, _, targets) in &published_words {
        for &port in targets {
            listeners.push(declared(port, at(word), format!("-p {}", word.text)));
        }
    }
    if let (true, Some(image)) = (listeners.is_empty(), &image) {
        listeners.extend(listen::image_listeners(&image.value, &image.origin));
    }

    Service {
        name,
        project,
        origin: at(&run.docker),
        image,
        build_context: None,
        container_name,
        command,
        entrypoint,
        activation: Activation::Active,
        restart: run
            .value("restart")
            .map(|w| Sourced::new(w.text.clone(), at(w))),
        network_mode,
        attachments,
        links: run
            .values("link")
            .map(|w| {
                let (service, alias) = w.text.split_once(':').unwrap_or((&w.text, &w.text));
                Sourced::new((service.to_string(), alias.to_string()), at(w))
            })
            .collect(),
        extra_hosts: run
            .values("add-host")
            .map(|w| Sourced::new(w.text.replacen(':', "=", 1), at(w)))
            .collect(),
        listeners,
        published,
        environment,
        mounts,
        missing_env_files,
        labels: Vec::new(),
        run_command: Some(run_command),
        sockets_read: None,
    }
}

/// Later `-e` entries of the same name win, as in the CLI.
fn set_env(environment: &mut Vec<EnvEntry>, entry: EnvEntry) {
    environment.retain(|e| e.name != entry.name);
    environment.push(entry);
}

/// `FOO` in `$FOO`, `${FOO}`, `${FOO:-x}`.
fn variable_name(text: &str) -> Option<String> {
    let rest = text.split_once('$')?.1.trim_start_matches('{');
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn declared(port: u16, origin: Origin, detail: String) -> Listener {
    Listener {
        port,
        bind: Bind::All,
        tls: port == 443,
        evidence: ListenEvidence::Declared,
        origin,
        detail,
        server: None,
    }
}

/// The engine network `name`, added to the model when new.
fn network_index(
    model: &mut StackModel,
    name: &str,
    project: usize,
    created_here: bool,
    origin: Origin,
) -> usize {
    let index = match model.networks.iter().position(|n| n.name == name) {
        Some(i) => i,
        None => {
            model.networks.push(Network {
                name: name.to_string(),
                created_by: None,
                declarations: Vec::new(),
            });
            model.networks.len() - 1
        }
    };
    let network = &mut model.networks[index];
    if created_here && network.created_by.is_none() {
        network.created_by = Some(project);
    }
    if !network.declarations.iter().any(|d| d.project == project) {
        network.declarations.push(NetworkDeclaration {
            project,
            key: name.to_string(),
            // `docker run --network` never creates the network.
            external: !created_here,
            origin,
        });
    }
    index
}

/// `-p` as (host port, container ports): `8080:80`, `127.0.0.1:8080:80/tcp`,
/// `[::1]:8080:80`, `80` (random host port), `8000-8002:8000-8002`.
fn split_publish(text: &str) -> Option<(Option<String>, Vec<u16>)> {
    let text = text.split('/').next()?;
    let (rest, target) = match text.rsplit_once(':') {
        Some((rest, target)) => (Some(rest), target),
        None => (None, text),
    };
    let targets = port_range(target);
    if targets.is_empty() {
        return None;
    }
    let host = rest.and_then(|rest| {
        let host = match rest.rsplit_once(':') {
            Some((_, port)) if !rest.ends_with(']') => port,
            _ if rest.starts_with('[') => return None,
            _ => rest,
        };
        (!host.is_empty()).then(|| host.to_string())
    });
    Some((host, targets))
}

fn port_range(text: &str) -> Vec<u16> {
    match text.split_once('-') {
        Some((a, b)) => match (a.parse::<u16>(), b.parse::<u16>()) {
            (Ok(a), Ok(b)) if a <= b => (a..=b).take(64).collect(),
            _ => Vec::new(),
        },
        None => text.parse().map(|p| vec![p]).unwrap_or_default(),
    }
}

/// The host side of a bind mount as a path, when it is one (`/srv/x`,
/// `./Caddyfile`, the file's folder substituted); named volumes and
/// unresolved variables give `None`.
fn host_path(dir: &Path, source: &str) -> Option<PathBuf> {
    if source.contains('$') || source.contains('`') {
        return None;
    }
    if source.starts_with('/') {
        Some(PathBuf::from(source))
    } else if source == "." || source.starts_with("./") || source.starts_with("../") {
        Some(dir.join(source))
    } else {
        None
    }
}

fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+@:=".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Word> {
        shell::commands(shell::tokenize(&shell::script_chars(text))).remove(0)
    }

    fn run_of(text: &str) -> RunCommand {
        let words = words(text);
        let Some(Subcommand::Run(i)) = docker_subcommand(&words) else {
            panic!("no run in {text}");
        };
        parse_run(&words[i], &words[i + 1..])
    }

    #[test]
    fn options_with_and_without_values_find_the_image() {
        let run = run_of("sudo docker run -dit --rm --name api -e A=1 --env=B=2 -eC=3 -p 127.0.0.1:8080:80/tcp --publish=9000:9000 --net web --network-alias backend -v /srv/data:/data --restart unless-stopped --init --read-only ghcr.io/acme/api:1.2 gunicorn -b 0.0.0.0:80 app:app");
        assert_eq!(run.image.as_ref().unwrap().text, "ghcr.io/acme/api:1.2");
        assert_eq!(run.args[0].text, "gunicorn");
        let env: Vec<&str> = run.values("env").map(|w| w.text.as_str()).collect();
        assert_eq!(env, ["A=1", "B=2", "C=3"]);
        let publish: Vec<&str> = run.values("publish").map(|w| w.text.as_str()).collect();
        assert_eq!(publish, ["127.0.0.1:8080:80/tcp", "9000:9000"]);
        assert_eq!(run.value("network").unwrap().text, "web");
        assert_eq!(run.value("restart").unwrap().text, "unless-stopped");
        assert!(run.has("detach") && run.has("interactive") && run.has("tty") && run.has("rm"));
        // `--env=B=2`: the value starts after `=`.
        assert_eq!(run.values("env").nth(1).unwrap().pos().column, 51);
        let run = run_of("docker container run --rm -it -v \"$PWD\":/app -w /app node:20 npm test");
        assert_eq!(run.image.unwrap().text, "node:20");
        assert!(!is_service(&run_of(
            "docker run --rm -v \"$PWD\":/app node:20 npm test"
        )));
    }

    #[test]
    fn publish_forms() {
        assert_eq!(
            split_publish("8080:80"),
            Some((Some("8080".into()), vec![80]))
        );
        assert_eq!(
            split_publish("127.0.0.1:8080:80/tcp"),
            Some((Some("8080".into()), vec![80]))
        );
        assert_eq!(
            split_publish("[::1]:8080:80"),
            Some((Some("8080".into()), vec![80]))
        );
        assert_eq!(split_publish("127.0.0.1::80"), Some((None, vec![80])));
        assert_eq!(split_publish("3000"), Some((None, vec![3000])));
        assert_eq!(
            split_publish("8000-8001:8000-8001"),
            Some((Some("8000-8001".into()), vec![8000, 8001]))
        );
        assert_eq!(split_publish("${PORT}:x"), None);
    }

    #[test]
    fn network_create_and_global_options() {
        let w = words("docker network create --driver bridge web");
        assert!(matches!(docker_subcommand(&w), Some(Subcommand::NetworkCreate(n)) if n == "web"));
        let w = words("docker --context prod run -d --name x nginx");
        assert!(matches!(docker_subcommand(&w), Some(Subcommand::Run(3))));
        let w = words("docker ps -a");
        assert!(docker_subcommand(&w).is_none());
    }
}

#[cfg(test)]
mod model_tests {
    use crate::checks::support::test_tree;
    use crate::model::ProjectKind;

    /// A compose app, and Caddy started by a script on the app's compose
    /// network (the shape of many VPS setups), dialling the wrong port.
    #[test]
    fn a_proxy_run_by_a_script_joins_the_compose_stack() {
        let (_dir, model) = test_tree(&[
            (
                "docker-compose.yml",
                "name: shop\nservices:\n  web:\n    build: .\n    command: uvicorn shop.main:app --host 0.0.0.0 --port 8000\n",
            ),
            (
                "caddy.sh",
                "#!/bin/bash\n\ndocker run -d \\\n  --name caddy \\\n  --network shop_default \\\n  -p 80:80 -p 443:443 \\\n  -v \"$PWD/Caddyfile\":/etc/caddy/Caddyfile:ro \\\n  -v caddy_data:/data \\\n  caddy:2-alpine\n",
            ),
            ("Caddyfile", "shop.example.com {\n\treverse_proxy web:80\n}\n"),
        ]);
        let caddy = model
            .services
            .iter()
            .position(|s| s.name == "caddy")
            .unwrap();
        assert_eq!(
            model.projects[model.services[caddy].project].kind,
            ProjectKind::Script
        );
        assert_eq!(model.proxies[0].service, Some(caddy));
        let network = &model.networks[model.services[caddy].attachments[0].network];
        assert_eq!(
            (network.name.as_str(), network.created_by),
            ("shop_default", Some(0))
        );
        let findings = crate::checks::run_all(&model);
        let wrong = findings
            .iter()
            .find(|f| f.cause == "upstream-wrong-port")
            .unwrap();
        assert_eq!(wrong.params["listening"], "8000");
        // The mount's position: line 7, the value after `-v`.
        let mount = &model.services[caddy].mounts[0];
        let at = mount.origin.position().unwrap();
        assert_eq!((at.line, at.column), (7, 6));
    }

    /// A Makefile with `include .env` (a frequent pattern) and a missing env file.
    #[test]
    fn makefile_with_include_and_missing_env_file() {
        let (_dir, model) = test_tree(&[
            (".env", "IMAGE_NAME=hello\nCONTAINER_NAME=hello-api\nPORT=8000\n"),
            (
                "Makefile",
                "include .env\n\n.PHONY: run\nrun:\n\tdocker run --rm --name $(CONTAINER_NAME) --env-file .env.local -p $(PORT):$(PORT) $(IMAGE_NAME)\n",
            ),
        ]);
        assert_eq!(model.services.len(), 1);
        let service = &model.services[0];
        assert_eq!(service.name, "hello-api");
        assert_eq!(service.image.as_ref().unwrap().value, "hello");
        assert_eq!(service.published[0].value, ("8000".to_string(), 8000));
        assert_eq!(
            service
                .run_command
                .as_deref()
                .map(|c| c.ends_with("make run")),
            Some(true)
        );
        let findings = crate::checks::run_all(&model);
        let missing = findings
            .iter()
            .find(|f| f.cause == "compose-env-file-missing")
            .unwrap();
        let at = missing.evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (5, 54));
    }

    /// `source .env` then `docker run` with the file's variables, the image
    /// before `-v` (which then belongs to the container's command), and the
    /// same container started by a second script counted once.
    #[test]
    fn sourced_env_files_and_options_after_the_image() {
        let (_dir, model) = test_tree(&[
            (".env", "DOCKER_CONTAINER_NAME=levens\nENV_FILE=prod.env\nHOST_PORT=8001\nDOCKER_IMAGE_TAG=levens:latest\n"),
            ("prod.env", "DEBUG=0\nSECRET_KEY=abc123\n"),
            (
                "deploy/run.sh",
                "cd ..\nsource .env\ndocker run --name ${DOCKER_CONTAINER_NAME} --env DEBUG=0 --env-file ${ENV_FILE} -p ${HOST_PORT}:8000 --detach ${DOCKER_IMAGE_TAG} -v db:/db\n",
            ),
            ("restart.sh", "#!/bin/sh\ndocker rm -f levens\ndocker run -d --name levens -p 8001:8000 levens:latest\n"),
        ]);
        let levens: Vec<_> = model
            .services
            .iter()
            .filter(|s| s.name == "levens")
            .collect();
        assert_eq!(
            levens.len(),
            1,
            "{:?}",
            model.services.iter().map(|s| &s.name).collect::<Vec<_>>()
        );
        let service = levens[0];
        assert_eq!(service.published[0].value, ("8001".to_string(), 8000));
        assert_eq!(service.command.as_ref().unwrap().value, ["-v", "db:/db"]);
        assert!(service.mounts.is_empty());
        // The script runs `cd ..` first: `.env` and `prod.env` are read from there.
        assert_eq!(service.image.as_ref().unwrap().value, "levens:latest");
        assert!(service.missing_env_files.is_empty());
        let secret = service.env("SECRET_KEY").unwrap();
        assert_eq!(secret.value_from, crate::model::ValueFrom::EnvFile);
        // `--env DEBUG=0` after `--env-file` wins.
        assert_eq!(
            service.env("DEBUG").unwrap().value_from,
            crate::model::ValueFrom::ComposeFile
        );
    }

    /// Garbage made of the characters that matter to sh and make never panics.
    #[test]
    fn scrambled_scripts_never_panic() {
        let pieces = [
            "docker",
            " run",
            " -d",
            " --name",
            " x",
            " -p",
            " 80:80",
            " -e",
            " A=$B",
            " \\\n",
            "\\",
            "'",
            "\"",
            "$(",
            "${",
            "}",
            ")",
            "`",
            "$$",
            "$(X)",
            ";",
            "&&",
            "|",
            ">",
            "<<E\n",
            "\n",
            "\t",
            "#",
            "=",
            ":",
            "--env=",
            "-eX",
            " nginx",
            " -v",
            " ./a:/b",
            " --env-file",
            " .e",
            " cd ..",
            "source .env",
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut seed = 0x2545_f491_u64;
        for round in 0..400 {
            let mut text = String::new();
            for _ in 0..40 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let name = if round % 2 == 0 { "run.sh" } else { "Makefile" };
            let text = if round % 2 == 0 {
                text
            } else {
                format!("X := 1\nall:\n\t{text}\n")
            };
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let mut model = crate::model::StackModel::default();
            super::load_file(&path, &mut model);
            let _ = crate::checks::run_all(&model);
        }
    }

    /// One-off tasks (`docker run --rm … npm test`) are not services; a
    /// variable-only image and `-e NAME` without value keep their text.
    #[test]
    fn tasks_are_skipped_and_unknown_values_stay_unresolved() {
        let (_dir, model) = test_tree(&[(
            "scripts/ci.sh",
            "#!/usr/bin/env bash\nset -e\ndocker run --rm -v \"$(pwd)\":/src -w /src node:20 npm test\ndocker run -d --name worker -e AWS_REGION -e QUEUE_URL=$QUEUE_URL \"$WORKER_IMAGE\"\n",
        )]);
        assert_eq!(model.services.len(), 1);
        let worker = &model.services[0];
        assert_eq!(worker.image.as_ref().unwrap().value, "$WORKER_IMAGE");
        let region = worker.env("AWS_REGION").unwrap();
        assert_eq!(
            (region.value.as_deref(), region.value_from),
            (None, crate::model::ValueFrom::Shell)
        );
        assert_eq!(
            worker.env("QUEUE_URL").unwrap().variable.as_deref(),
            Some("QUEUE_URL")
        );
    }
}
