//! The AWS source: what each service needs from AWS and how it will get it.
//!
//! It reads the app's code for Bedrock clients (model IDs, regions, the SDK),
//! resolves each client's region the way its SDK does, reads how each
//! container gets credentials, and loads the project's IAM policies. It runs
//! after compose (it needs services, their environment and build contexts).

use super::aws_credentials::credentials_of;
use crate::model::aws::ServiceCredentials;
use crate::model::{Origin, Sourced, StackModel};

/// Example env files: what the project's author meant the values to be.
const ENV_EXAMPLES: &[&str] = &[".env.example", ".env.sample", ".env.template", ".env.dist", "env.example"];

/// Fills `model.aws` from the files (the live part is added by the probes).
pub fn load(model: &mut StackModel) {
    model.aws.credentials = model
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| uses_aws_config(s))
        .map(|(id, s)| ServiceCredentials {
            service: id,
            name: s.name.clone(),
            view: credentials_of(model, s),
        })
        .collect();
    model.aws.env_examples = env_examples(model);
}

/// A service whose environment or mounts say it talks to AWS.
fn uses_aws_config(service: &crate::model::Service) -> bool {
    service.environment.iter().any(|e| e.name.starts_with("AWS_"))
        || service.mounts.iter().any(|m| m.value.1.contains(".aws"))
}

/// `KEY=value` lines of the projects' example env files (secrets skipped).
fn env_examples(model: &StackModel) -> Vec<Sourced<(String, String)>> {
    let mut out = Vec::new();
    for project in &model.projects {
        for name in ENV_EXAMPLES {
            let path = project.dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(entries) = compose::dotenv::parse(&text, &|_| None) else {
                continue;
            };
            for e in entries {
                if crate::secrets::is_secret_name(&e.key) {
                    continue;
                }
                out.push(Sourced::new(
                    (e.key, e.value),
                    Origin::file(&path, e.line, e.column, 0),
                ));
            }
        }
    }
    out
}

/// Folders never searched for policy files.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target", "vendor", "venv", ".venv", "__pycache__", "dist", "build", ".git"];
/// Policy files are small; larger JSON files are data, not policies.
const MAX_POLICY_FILE: u64 = 1 << 20;

/// Loads the IAM policies of the project (JSON files that hold a `Statement`)
/// and those given with `--iam-policy`. A given file that does not parse is
/// an error; a found one that does not parse becomes a note.
pub fn load_policies(model: &mut StackModel, given: &[std::path::PathBuf]) -> Result<(), crate::Error> {
    for path in given {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read { path: path.clone(), source })?;
        let policies = iampolicy::find_policies(&text).map_err(|e| crate::Error::Data {
            path: path.clone(),
            line: e.line() as u32,
            column: e.column() as u32,
            message: e.to_string(),
        })?;
        if policies.is_empty() {
            return Err(crate::Error::Usage(format!("{}: no IAM policy (no `Statement`) in this file", path.display())));
        }
        model.sources.insert(path, &text);
        model.aws.policies.push(crate::model::aws::PolicyFile { path: path.clone(), policies, given: true });
    }
    let mut found = Vec::new();
    find_json_files(&model.root.clone(), 0, &mut found);
    for path in found {
        if given.iter().any(|g| g.canonicalize().ok() == path.canonicalize().ok()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if !text.contains("\"Statement\"") {
            continue;
        }
        match iampolicy::find_policies(&text) {
            Ok(policies) if !policies.is_empty() => {
                model.sources.insert(&path, &text);
                model.aws.policies.push(crate::model::aws::PolicyFile { path, policies, given: false });
            }
            Ok(_) => {}
            Err(e) => model.notes.push(Sourced::new(
                format!("not read as an IAM policy: {e}"),
                Origin::file(&path, e.line() as u32, e.column() as u32, 0),
            )),
        }
    }
    Ok(())
}

fn find_json_files(dir: &std::path::Path, depth: usize, out: &mut Vec<std::path::PathBuf>) {
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().to_string();
        // `file_type` does not follow symlinks: a link loop cannot trap the walk.
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                find_json_files(&entry.path(), depth + 1, out);
            }
        } else if kind.is_file()
            && name.ends_with(".json")
            && !matches!(name.as_str(), "package.json" | "package-lock.json" | "tsconfig.json" | "composer.json")
            && entry.metadata().is_ok_and(|m| m.len() <= MAX_POLICY_FILE)
        {
            out.push(entry.path());
        }
    }
}
