//! AWS Copilot workload manifests (`copilot/<name>/manifest.yml`).
//!
//! A manifest is read into the positioned YAML tree of [`yamltree`]; the
//! tree for one environment is the manifest with `environments.<env>` laid
//! over it the way Copilot applies overrides (mappings merge key by key,
//! anything else replaces), every value keeping the line where it is
//! written. [`defaults`] are Copilot's own for what a manifest leaves out
//! (aws/copilot-cli `internal/pkg/manifest`, site docs `manifest/*.en.md`,
//! v1.33).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use yamltree::{Entry, Node, Position, Value};

/// Largest manifest read (real ones are a few KB).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Yaml(#[from] yamltree::Error),
    #[error("{}: the manifest is larger than {MAX_FILE_BYTES} bytes", file.display())]
    TooLarge { file: PathBuf },
}

/// The workload types that run as ECS services or tasks.
pub const ECS_WORKLOADS: &[&str] = &[
    "Load Balanced Web Service",
    "Backend Service",
    "Worker Service",
    "Scheduled Job",
];

/// A workload manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub file: PathBuf,
    /// `name:` (the folder's name when absent, as Copilot names it).
    pub name: String,
    /// `type:` (`Load Balanced Web Service`, …).
    pub kind: String,
    /// The whole manifest as written.
    pub root: Node,
}

/// Copilot's defaults for a workload (v1.33).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    pub cpu: u32,
    pub memory: u32,
    /// `http.healthcheck.grace_period`, seconds.
    pub grace_period: u32,
    /// `image.healthcheck` interval, retries, timeout, start period (seconds).
    pub health_interval: u32,
    pub health_retries: u32,
    pub health_timeout: u32,
    pub health_start_period: u32,
}

/// Copilot's defaults: cpu 256, memory 512, grace period 60 s, container
/// health check every 10 s, 2 retries, 5 s timeout, no start period
/// (`lb_web_svc.go`, `manifest/include/image-healthcheck.en.md`).
pub fn defaults() -> Defaults {
    Defaults {
        cpu: 256,
        memory: 512,
        grace_period: 60,
        health_interval: 10,
        health_retries: 2,
        health_timeout: 5,
        health_start_period: 0,
    }
}

/// Reads a manifest. `Ok(None)` when the YAML is not a workload manifest
/// (an environment's, a pipeline's, or no `type:`).
pub fn parse(text: &str, file: &Path) -> Result<Option<Manifest>, Error> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Error::TooLarge {
            file: file.to_path_buf(),
        });
    }
    let Some(root) = yamltree::parse(text, &Arc::new(file.to_path_buf()))? else {
        return Ok(None);
    };
    let Some(kind) = root.get("type").and_then(Node::as_str) else {
        return Ok(None);
    };
    if !ECS_WORKLOADS.contains(&kind) {
        return Ok(None);
    }
    let folder = file
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = root
        .get("name")
        .and_then(Node::as_str)
        .map_or(folder, String::from);
    Ok(Some(Manifest {
        file: file.to_path_buf(),
        name,
        kind: kind.to_string(),
        root: root.clone(),
    }))
}

impl Manifest {
    /// The environments the manifest overrides values for, in order.
    pub fn environments(&self) -> Vec<String> {
        self.root
            .get("environments")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .map(|e| e.key.clone())
            .collect()
    }

    /// The manifest as deployed to `environment` (its overrides applied),
    /// or as written when `None`; `environments:` itself is left out.
    pub fn for_environment(&self, environment: Option<&str>) -> Node {
        let mut base = self.root.clone();
        if let Value::Map(entries) = &mut base.value {
            entries.retain(|e| e.key != "environments");
        }
        let overrides = environment.and_then(|env| self.root.get("environments")?.get(env));
        match overrides {
            Some(o) if o.as_map().is_some() => merge(base, o),
            _ => base,
        }
    }

    /// Whether the service gets a public IP (`network.vpc.placement`,
    /// default `public`).
    pub fn public_placement(node: &Node) -> bool {
        let placement = node
            .get("network")
            .and_then(|n| n.get("vpc"))
            .and_then(|v| v.get("placement"));
        match placement {
            None => true,
            Some(p) => p.as_str().is_some_and(|s| s == "public"),
        }
    }
}

/// `over` laid on `base`: mappings merge key by key, the rest replaces.
fn merge(mut base: Node, over: &Node) -> Node {
    match (&mut base.value, &over.value) {
        (Value::Map(entries), Value::Map(overrides)) => {
            for o in overrides {
                match entries.iter_mut().find(|e| e.key == o.key) {
                    Some(existing) => {
                        let merged = merge(existing.value.clone(), &o.value);
                        existing.value = merged;
                        existing.key_position = o.key_position.clone();
                    }
                    None => entries.push(o.clone()),
                }
            }
            base
        }
        // An empty override (`cpu:`) keeps the base value.
        (_, Value::Null) => base,
        _ => over.clone(),
    }
}

/// A Copilot duration (`10s`, `1m30s`, `2m`) in seconds.
pub fn duration_seconds(text: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u32 = number.parse().ok()?;
        number.clear();
        total = total.checked_add(match c {
            'h' => n.checked_mul(3600)?,
            'm' => n.checked_mul(60)?,
            's' => n,
            _ => return None,
        })?;
        any = true;
    }
    if !number.is_empty() {
        // A bare number: seconds.
        total = total.checked_add(number.parse().ok()?)?;
        any = true;
    }
    any.then_some(total)
}

/// The application a Copilot workspace belongs to: `application:` in
/// `copilot/.workspace`.
pub fn workspace_application(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("application:")?;
        let value = value.trim().trim_matches(['"', '\'']);
        (!value.is_empty()).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests;
