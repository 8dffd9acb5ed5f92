//! Helpers several check families share: line edits of a value's line, fix steps that run compose, the service hop, shown paths and grouping.

use crate::finding::{Edit, FixStep, Hop, HopState, Message};
use crate::model::{Origin, ServiceId, StackModel};
use std::path::Path;

/// The hop for a service, e.g. `service web (project backend)`.
pub fn service_hop(model: &StackModel, id: ServiceId, state: HopState) -> Hop {
    let service = &model.services[id];
    Hop {
        label: format!(
            "service {} (project {})",
            service.name, model.projects[service.project].name
        ),
        state,
        origin: Some(service.origin.clone()),
    }
}

pub use crate::names::edit_distance;

/// How many lines after a value's start a word may be on (YAML block scalars).
const VALUE_LINES: u32 = 8;

/// The first line at or after `origin` (within [`VALUE_LINES`]) holding `needle`, with its number.
fn line_with<'a>(model: &'a StackModel, origin: &Origin, needle: &str) -> Option<(u32, &'a str)> {
    let position = origin.position()?;
    (position.line..position.line.saturating_add(VALUE_LINES))
        .filter_map(|n| Some((n, model.sources.line(&position.file, n)?)))
        .find(|(_, line)| line.contains(needle))
}

fn edit_at(origin: &Origin, line_number: u32, before: &str, after: String) -> Edit {
    let mut origin = origin.clone();
    if let Origin::File(p) = &mut origin {
        p.line = line_number;
    }
    Edit {
        origin,
        before: before.to_string(),
        after,
    }
}

/// An edit that replaces `old` by `new` on the line of `origin` (or a line of its value).
pub fn replace_on_line(model: &StackModel, origin: &Origin, old: &str, new: &str) -> Option<Edit> {
    let (number, line) = line_with(model, origin, old)?;
    let position = origin.position()?;
    // On the value's own line, prefer the occurrence at the recorded column.
    let start = if number == position.line {
        let column = position.column.saturating_sub(1) as usize;
        line.char_indices().nth(column).map_or(0, |(i, _)| i)
    } else {
        0
    };
    let at = line[start..]
        .find(old)
        .map(|i| i + start)
        .or_else(|| line.find(old))?;
    let after = format!("{}{}{}", &line[..at], new, &line[at + old.len()..]);
    Some(edit_at(origin, number, line, after))
}

/// An edit that replaces the port number `old` (a whole number) by `new` on
/// the line of `origin` itself: a label or variable that holds only the port.
pub fn replace_port_on_line(
    model: &StackModel,
    origin: &Origin,
    old: u16,
    new: u16,
) -> Option<Edit> {
    let position = origin.position()?;
    let line = model.sources.line(&position.file, position.line)?;
    let old_text = old.to_string();
    let bytes = line.as_bytes();
    let at = line
        .match_indices(old_text.as_str())
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = i.checked_sub(1).map(|b| bytes[b]);
            let after = bytes.get(i + old_text.len()).copied();
            !before.is_some_and(|b| b.is_ascii_digit())
                && !after.is_some_and(|b| b.is_ascii_digit())
        })
        .last()?;
    let after = format!("{}{new}{}", &line[..at], &line[at + old_text.len()..]);
    Some(edit_at(origin, position.line, line, after))
}

/// An edit that inserts `addition` right after `word` on the line of `origin` (or a line of its value).
pub fn insert_after_word(
    model: &StackModel,
    origin: &Origin,
    word: &str,
    addition: &str,
) -> Option<Edit> {
    let (number, line) = line_with(model, origin, word)?;
    let at = line.find(word)? + word.len();
    let after = format!("{} {}{}", &line[..at], addition, &line[at..]);
    Some(edit_at(origin, number, line, after))
}

/// `cd DIR && docker compose [-f …]` for the project of a service; plain
/// `docker` for containers a script runs (`docker restart NAME`, `docker logs NAME`).
pub fn compose_command(model: &StackModel, project: usize) -> String {
    let project = &model.projects[project];
    if project.kind == crate::model::ProjectKind::Script {
        return "docker".to_string();
    }
    let dir = project.dir.display();
    let mut command = format!("cd {dir} && docker compose");
    if !project.default_files {
        for file in &project.files {
            let name = file.strip_prefix(&project.dir).unwrap_or(file);
            command.push_str(&format!(" -f {}", name.display()));
        }
    }
    command
}

/// The fix step that (re)creates a service.
pub fn recreate_service_step(model: &StackModel, id: ServiceId) -> FixStep {
    let service = &model.services[id];
    FixStep::run(
        Message::new("common.recreate-service").with("service", &service.name),
        start_service_command(model, id, "up -d --force-recreate"),
    )
}

/// The command that (re)starts a service: `docker compose <verb> NAME`, or
/// for a container a script runs, removing it and running the script again.
pub fn start_service_command(model: &StackModel, id: ServiceId, compose_verb: &str) -> String {
    let service = &model.services[id];
    match &service.run_command {
        Some(run) => match &service.container_name {
            Some(name) => format!("docker rm -f {} ; {run}", name.value),
            None => run.clone(),
        },
        None => format!(
            "{} {compose_verb} {}",
            compose_command(model, service.project),
            service.name
        ),
    }
}

/// A path shown relative to the diagnosed folder.
pub fn shown(model: &StackModel, path: &Path) -> String {
    crate::model::origin::relative(path, &model.root)
        .display()
        .to_string()
}

/// Items grouped by a key, groups in the order their first item came.
pub fn group_by<T, K: PartialEq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for item in items {
        let k = key(&item);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(item),
            None => groups.push((k, vec![item])),
        }
    }
    groups
}

/// A tree of files on disk (`(relative path, text)`) and the model built from
/// it offline, for check tests.
#[cfg(test)]
pub fn test_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, StackModel) {
    test_tree_with(files, &[])
}

/// As [`test_tree`], with `args` (see [`test_model`]), e.g. `["--logs", "caddy.log"]`.
#[cfg(test)]
pub fn test_tree_with(files: &[(&str, &str)], args: &[&str]) -> (tempfile::TempDir, StackModel) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let model = test_model(dir.path(), args);
    (dir, model)
}

/// The model of a folder built offline, with `args` as the command line
/// gives them (`--logs FILE`, `--envfile FILE`, `-f FILE`, relative to it).
#[cfg(test)]
fn test_model(root: &Path, args: &[&str]) -> StackModel {
    let mut inputs = crate::sources::Inputs {
        root: root.to_path_buf(),
        ..Default::default()
    };
    for pair in args.chunks(2) {
        let file = root.join(pair[1]);
        match pair[0] {
            "--logs" => inputs.logs.push(file),
            "--envfile" => inputs.ecspresso.envfiles.push(file),
            "-f" => inputs.compose.files.push(file),
            other => panic!("test_model does not take {other}"),
        }
    }
    crate::sources::build_model(&inputs).unwrap()
}

/// The example `examples/<name>` copied to a temporary folder with `edits`
/// made (`(file, old, new)`: `old` must be in the file), and its model built
/// with `args` (see [`test_model`]): the example as it is for a check's
/// finding, and with the fix made for no finding.
#[cfg(test)]
pub fn example_tree(
    name: &str,
    args: &[&str],
    edits: &[(&str, &str, &str)],
) -> (tempfile::TempDir, StackModel) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    copy(&example, dir.path());
    for (file, old, new) in edits {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(old), "{name}/{file} has no {old:?}");
        std::fs::write(path, text.replacen(old, new, 1)).unwrap();
    }
    let model = test_model(dir.path(), args);
    (dir, model)
}

/// The one finding of `findings`, checked to be of `cause`: its first
/// evidence as `file:line` (relative to `root`) and its fix steps as text
/// (each step's message key, command and edited line), for check tests.
#[cfg(test)]
pub fn the_finding(
    root: &Path,
    findings: &[crate::finding::Finding],
    cause: &str,
) -> (String, String) {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding.cause, cause);
    let at = finding.evidence[0].origin.position().expect("a position");
    let file = at.file.strip_prefix(root).unwrap_or(&at.file);
    let fix: Vec<String> = finding
        .fix
        .iter()
        .map(|step| {
            let edit = step.edit.as_ref().map(|e| e.after.trim());
            format!(
                "{} {} {}",
                step.message.key,
                step.command.as_deref().unwrap_or(""),
                edit.unwrap_or("")
            )
        })
        .collect();
    (format!("{}:{}", file.display(), at.line), fix.join("\n"))
}

/// Runs a check (`run`) on an example (see [`example_tree`]) and checks its
/// one finding: of `cause`, first evidence at `at` (`file:line`), and each
/// text of `fix` in its fix steps.
#[cfg(test)]
pub fn assert_example_finding(
    run: impl Fn(&StackModel) -> Vec<crate::finding::Finding>,
    cause: &str,
    (example, args): (&str, &[&str]),
    at: &str,
    fix: &[&str],
) {
    let (dir, model) = example_tree(example, args, &[]);
    let (evidence, steps) = the_finding(dir.path(), &run(&model), cause);
    assert_eq!(evidence, at);
    for text in fix {
        assert!(steps.contains(text), "no {text:?} in the fix:\n{steps}");
    }
}

/// Runs a check (`run`) on an example with `edits` made (the fix, see
/// [`example_tree`]) and checks that it finds nothing.
#[cfg(test)]
pub fn assert_example_quiet(
    run: impl Fn(&StackModel) -> Vec<crate::finding::Finding>,
    (example, args): (&str, &[&str]),
    edits: &[(&str, &str, &str)],
) {
    let (_dir, model) = example_tree(example, args, edits);
    let findings = run(&model);
    assert!(findings.is_empty(), "{findings:#?}");
}
