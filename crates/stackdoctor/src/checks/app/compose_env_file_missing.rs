//! # compose-env-file-missing
//!
//! **What it detects:** a service's `env_file:` entry (or a `docker run
//! --env-file` of a script) names a file that does not exist, and the entry
//! is not marked `required: false`.
//!
//! **Why it breaks requests:** compose reads every env file while loading the
//! project and stops with `env file /srv/app/.env.production not found: stat
//! …: no such file or directory` before creating any container; `docker run`
//! stops with `open ./app.env: no such file or directory`. The service never
//! runs, so a proxy in front of it cannot resolve or reach it and answers 502.
//! The file is usually one kept out of git (`.env`, `.env.production`) and
//! never created on the server, or a path written relative to the wrong folder
//! (compose resolves `env_file` against the compose file's folder).
//!
//! **Example:** `env_file: ./config/api.env` while only
//! `config/api.env.example` is in the repository.
//!
//! **Fix:** create the file (copy the example next to it and fill in the
//! values), or correct the path; if the service can start without it, mark
//! it optional (`- path: ./config/api.env` with `required: false`, compose
//! 2.24 and later).

use crate::checks::support::{recreate_service_step, service_hop, shown};
use crate::finding::{Finding, FixStep, HopState};
use crate::model::StackModel;
use std::path::{Path, PathBuf};

cause!("compose-env-file-missing");

/// Suffixes of the example files people keep next to an env file they do not commit.
const EXAMPLE_SUFFIXES: &[&str] = &[".example", ".sample", ".dist", ".template", ".tmpl"];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, service) in model.services.iter().enumerate() {
        for missing in &service.missing_env_files {
            let file = shown(model, &missing.value);
            let mut finding = Finding::new(CAUSE)
                .subject(&service.name)
                .param("service", &service.name)
                .param("file", &file)
                .evidence(
                    missing.origin.clone(),
                    msg("names-file").with("file", &file),
                );
            // What compose or docker said about this file (`env file … not found`).
            let name = missing
                .value
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let said = model.log_events.iter().filter(|e| {
                e.causes.iter().any(|(c, _)| c == CAUSE)
                    && !name.is_empty()
                    && e.text.contains(&name)
            });
            finding = finding.log_lines(said.take(3));
            finding = match example_of(&missing.value) {
                Some(example) => finding.fix(FixStep::run(
                    msg("copy-example").with("example", shown(model, &example)),
                    format!(
                        "cp {} {}",
                        shell_word(&shown(model, &example)),
                        shell_word(&file)
                    ),
                )),
                None if service.run_command.is_some() => {
                    finding.fix(FixStep::say(msg("create-file-run").with("file", &file)))
                }
                None => finding.fix(FixStep::say(msg("create-file").with("file", &file))),
            };
            // Only compose knows optional env files.
            if service.run_command.is_none() {
                finding = finding.fix(FixStep::say(msg("or-optional")));
            }
            finding = finding.fix(recreate_service_step(model, id));
            findings.push(finding.path(vec![service_hop(model, id, HopState::Broken)]));
        }
    }
    findings
}

/// An example file kept next to the missing one (`.env.example` for `.env`,
/// `api.env.sample` for `api.env`, `.env.example` for `.env.production`).
fn example_of(missing: &Path) -> Option<PathBuf> {
    let dir = missing.parent()?;
    let name = missing.file_name()?.to_string_lossy().to_string();
    let mut bases = vec![name.clone()];
    // `.env.production` is usually made from `.env.example`.
    if let Some((stem, _)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) {
        bases.push(stem.to_string());
    }
    bases.iter().find_map(|base| {
        EXAMPLE_SUFFIXES
            .iter()
            .map(|suffix| dir.join(format!("{base}{suffix}")))
            .find(|p| p.is_file())
    })
}

/// A path as one shell word.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    #[test]
    fn a_missing_env_file_is_a_finding_at_its_entry() {
        let (_dir, model) = test_tree(&[
            (
                "docker-compose.yml",
                "services:\n  api:\n    image: node:20-alpine\n    env_file:\n      - .env.production\n    ports:\n      - \"3000:3000\"\n  worker:\n    image: node:20-alpine\n    env_file:\n      - path: ./worker.env\n        required: false\n",
            ),
            (".env.example", "DATABASE_URL=postgres://app@db/app\n"),
        ]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.subject.as_deref(), Some("api"));
        let at = f.evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (5, 9));
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("cp .env.example .env.production")
        );
    }

    #[test]
    fn nothing_when_the_file_exists() {
        let (_dir, model) = test_tree(&[
            (
                "compose.yaml",
                "services:\n  api:\n    image: node:20\n    env_file: api.env\n",
            ),
            ("api.env", "PORT=3000\n"),
        ]);
        assert!(super::run(&model).is_empty());
    }
}
