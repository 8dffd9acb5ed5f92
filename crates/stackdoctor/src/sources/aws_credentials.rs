//! How each container will get AWS credentials, read from its compose
//! configuration: which sources of the SDK chain are present, which
//! credential-like variables sit where no SDK reads them, and which keys are
//! unusable as written. Values are looked at, never kept: the view holds
//! variable names and positions only.

use super::aws_variables::{self, SettingKind, Tool};
use crate::model::aws::{
    CredentialDefect, CredentialKind, CredentialSource, CredentialsView, MisplacedCredential,
};
use crate::model::{Origin, Service, StackModel, ValueFrom};

/// Variables that carry credentials under the names the SDKs read.
const SDK_NAMES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Reads the credential view of one service.
pub fn credentials_of(model: &StackModel, service: &Service) -> CredentialsView {
    let mut view = CredentialsView {
        bridge_network: !service.uses_host_network(),
        ..CredentialsView::default()
    };
    // An empty value counts as unset, as botocore's `if access_key:` does.
    let set = |name: &str| {
        service
            .env(name)
            .filter(|e| e.value.as_deref().is_some_and(|v| !v.trim().is_empty()))
    };
    let key_id = set("AWS_ACCESS_KEY_ID");
    let secret = set("AWS_SECRET_ACCESS_KEY");
    let token = set("AWS_SESSION_TOKEN").or_else(|| set("AWS_SECURITY_TOKEN"));
    // Keys taken from the shell that runs compose (`- AWS_ACCESS_KEY_ID`,
    // `AWS_ACCESS_KEY_ID: ${AWS_ACCESS_KEY_ID}`): their value is only known
    // then. SSO and assume-role keys are temporary and need their token too.
    let forwarded = |name: &str| {
        service.env(name).filter(|e| {
            e.variable.as_deref() == Some(name)
                && matches!(e.value_from, ValueFrom::Shell | ValueFrom::Unset)
        })
    };
    let token_named = ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]
        .iter()
        .any(|n| service.env(n).is_some());
    if let (Some(id), Some(_)) = (
        forwarded("AWS_ACCESS_KEY_ID"),
        forwarded("AWS_SECRET_ACCESS_KEY"),
    ) {
        let value = id.value.as_deref().unwrap_or_default().trim();
        // A visible `AKIA…` key is long-term; `ASIA…` is handled below.
        if value.is_empty() {
            view.sources.push(CredentialSource {
                kind: CredentialKind::EnvironmentKeys,
                origin: id.origin.clone(),
                detail:
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the shell that runs compose"
                        .into(),
            });
            if !token_named {
                view.defects
                    .push(defect(id, "forwarded-keys-without-session-token"));
            }
        }
    }
    match (key_id, secret) {
        (Some(id), Some(secret)) => {
            view.sources.push(CredentialSource {
                kind: CredentialKind::EnvironmentKeys,
                origin: id.origin.clone(),
                detail: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            });
            let id_value = id.value.as_deref().unwrap_or_default().trim();
            if !is_access_key_id(id_value) {
                view.defects.push(defect(id, "malformed-access-key-id"));
            } else if id_value.starts_with("ASIA") && token.is_none() {
                view.defects
                    .push(defect(id, "temporary-key-without-session-token"));
            }
            if !is_secret_key(secret.value.as_deref().unwrap_or_default().trim()) {
                view.defects.push(defect(secret, "malformed-secret-key"));
            }
        }
        (Some(one), None) | (None, Some(one)) => {
            view.defects.push(defect(one, "partial-keys"));
        }
        (None, None) => {}
    }
    if let Some(e) = set("AWS_BEARER_TOKEN_BEDROCK") {
        view.sources.push(CredentialSource {
            kind: CredentialKind::BedrockApiKey,
            origin: e.origin.clone(),
            detail: "AWS_BEARER_TOKEN_BEDROCK".into(),
        });
    }
    let profile = set("AWS_PROFILE").or_else(|| set("AWS_DEFAULT_PROFILE"));
    let aws_mount = service
        .mounts
        .iter()
        .find(|m| is_aws_dir(&m.value.1) || m.value.1.ends_with("/.aws/credentials"));
    let selected = profile
        .and_then(|p| p.value.as_deref())
        .unwrap_or("default")
        .trim()
        .to_string();
    // The mounted folder is on this machine: a profile it lacks is no source.
    let missing_profile = aws_mount.and_then(|mount| {
        let present = profiles_in(&mount.value.0)?;
        (!present.contains(&selected)).then_some((mount, present))
    });
    if let Some((mount, present)) = &missing_profile {
        view.defects.push(CredentialDefect {
            variable: profile.map_or_else(|| "AWS_PROFILE".to_string(), |p| p.name.clone()),
            origin: mount.origin.clone(),
            problem: "profile-not-in-files".into(),
            detail: Some(format!(
                "{selected}|{}",
                if present.is_empty() {
                    "-".to_string()
                } else {
                    present.join(", ")
                }
            )),
        });
    }
    match (profile, aws_mount.filter(|_| missing_profile.is_none())) {
        (_, Some(mount)) => view.sources.push(CredentialSource {
            kind: CredentialKind::SharedProfile,
            origin: mount.origin.clone(),
            detail: format!(
                "{} mounted at {}{}",
                mount.value.0.display(),
                mount.value.1,
                profile
                    .and_then(|p| p.value.as_deref())
                    .map(|p| format!(", profile {p}"))
                    .unwrap_or_default()
            ),
        }),
        (Some(p), None) if aws_mount.is_none() => {
            view.defects.push(defect(p, "profile-without-files"))
        }
        _ => {}
    }
    if let (Some(file), Some(_)) = (set("AWS_WEB_IDENTITY_TOKEN_FILE"), set("AWS_ROLE_ARN")) {
        view.sources.push(CredentialSource {
            kind: CredentialKind::WebIdentity,
            origin: file.origin.clone(),
            detail: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN".into(),
        });
    }
    for name in [
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        if let Some(e) = set(name) {
            view.sources.push(CredentialSource {
                kind: CredentialKind::ContainerEndpoint,
                origin: e.origin.clone(),
                detail: name.into(),
            });
        }
    }
    if let Some(e) = set("AWS_EC2_METADATA_DISABLED") {
        if e.value
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            view.imds_disabled = Some(e.origin.clone());
        }
    }
    // Names that look like AWS settings but that no SDK reads, unless the
    // app's own code or a tool the service runs reads them.
    let table = aws_variables::table();
    let tools = tools_of(model, service);
    let service_id = model.services.iter().position(|s| std::ptr::eq(s, service));
    for entry in &service.environment {
        let Some(meant) = table.misnamed(&entry.name) else {
            continue;
        };
        let read_by_code =
            model.aws.code_env_reads.iter().any(|r| {
                r.variable == entry.name && (r.service.is_none() || r.service == service_id)
            });
        if read_by_code
            || table.tool_reading(&tools, &entry.name).is_some()
            || set(&meant.expected).is_some()
        {
            continue;
        }
        let misnamed = MisplacedCredential {
            variable: entry.name.clone(),
            expected: meant.expected,
            origin: entry.origin.clone(),
            problem: if meant.prefixed {
                "tool-prefix"
            } else {
                "wrong-name"
            }
            .into(),
        };
        match meant.kind {
            SettingKind::Credentials => view.misplaced.push(misnamed),
            SettingKind::Region => view.region_misnamed.push(misnamed),
        }
    }
    // Keys in the project's `.env` that the service does not pass on: compose
    // reads `.env` for `${…}` only, it does not give it to containers.
    if let Some(project) = model.projects.get(service.project) {
        for file in &project.env_files {
            // The compose source kept the env file's text: no second read.
            let text = model.sources.text(file).unwrap_or_default();
            for (name, line, column) in env_file_keys(text) {
                if SDK_NAMES.contains(&name.as_str()) && service.env(&name).is_none() {
                    view.misplaced.push(MisplacedCredential {
                        variable: name.clone(),
                        expected: name,
                        origin: Origin::file(file, line, column, 0),
                        problem: "not-passed".into(),
                    });
                }
            }
        }
    }
    view
}

fn defect(entry: &crate::model::EnvEntry, problem: &str) -> CredentialDefect {
    CredentialDefect {
        variable: entry.name.clone(),
        origin: entry.origin.clone(),
        problem: problem.into(),
        detail: None,
    }
}

/// The tools a service runs, from its image name and its build context's
/// dependency files.
fn tools_of<'a>(model: &StackModel, service: &Service) -> Vec<&'a Tool> {
    let table = aws_variables::table();
    let mut out: Vec<&Tool> = Vec::new();
    let mut add = |found: Vec<&'a Tool>| {
        for t in found {
            if !out.iter().any(|o| o.name == t.name) {
                out.push(t);
            }
        }
    };
    if let Some(image) = &service.image {
        add(table.tools_in(&image.value));
    }
    let _ = model;
    if let Some(dir) = &service.build_context {
        for name in [
            "requirements.txt",
            "requirements-prod.txt",
            "pyproject.toml",
            "package.json",
        ] {
            if let Ok(text) = std::fs::read_to_string(dir.value.join(name)) {
                add(table.tools_in(&text));
            }
        }
    }
    out
}

/// The profile names a mounted AWS folder (or credentials file) defines:
/// `[name]` in `credentials`, `[default]` and `[profile name]` in `config`.
/// Only section headers are read, never values. `None` when nothing is
/// readable here (the folder is on another machine).
fn profiles_in(host_path: &std::path::Path) -> Option<Vec<String>> {
    let files: Vec<std::path::PathBuf> = if host_path.is_dir() {
        vec![host_path.join("credentials"), host_path.join("config")]
    } else {
        vec![host_path.to_path_buf()]
    };
    let mut read_any = false;
    let mut names: Vec<String> = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        read_any = true;
        for line in text.lines() {
            let line = line.trim();
            let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
                continue;
            };
            let section = section.trim();
            let name = section
                .strip_prefix("profile ")
                .map(str::trim)
                .unwrap_or(section);
            // `[sso-session x]` and `[services x]` are no profiles.
            if section.starts_with("sso-session ") || section.starts_with("services ") {
                continue;
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    read_any.then_some(names)
}

/// A container path that is an `.aws` folder (`/root/.aws`, `/home/app/.aws`).
fn is_aws_dir(target: &str) -> bool {
    target.trim_end_matches('/').ends_with("/.aws")
}

/// Access key IDs are 16 to 128 upper-case letters and digits (IAM's
/// `accessKeyIdType`); real ones start with a 4-letter type prefix.
fn is_access_key_id(value: &str) -> bool {
    (16..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && ["AKIA", "ASIA", "ABIA", "ACCA"]
            .iter()
            .any(|p| value.starts_with(p))
}

/// Secret access keys are 40 base64 characters.
fn is_secret_key(value: &str) -> bool {
    value.len() == 40
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
}

/// The keys of an env file with their positions (values are not kept).
fn env_file_keys(text: &str) -> Vec<(String, u32, u32)> {
    compose::dotenv::parse(text, &|_| None)
        .map(|entries| {
            entries
                .into_iter()
                .map(|e| (e.key, e.line, e.column))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_and_secrets_are_checked_by_shape() {
        assert!(is_access_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(is_access_key_id("ASIAIOSFODNN7EXAMPLE"));
        assert!(!is_access_key_id("your-access-key-id"));
        assert!(!is_access_key_id("AKIA123"));
        assert!(!is_access_key_id("\"AKIAIOSFODNN7EXAMPLE\""));
        assert!(is_secret_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(!is_secret_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "));
        assert!(!is_secret_key("changeme"));
    }

    #[test]
    fn profiles_are_read_from_section_headers_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n[ci ]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("config"),
            "[profile dev]\nsso_session = corp\n[sso-session corp]\nsso_region = us-east-1\n[services local]\n",
        )
        .unwrap();
        assert_eq!(
            profiles_in(dir.path()),
            Some(vec![
                "default".to_string(),
                "ci".to_string(),
                "dev".to_string()
            ])
        );
        // A single mounted credentials file.
        assert_eq!(
            profiles_in(&dir.path().join("credentials")).map(|p| p.len()),
            Some(2)
        );
        // Not on this machine: nothing can be said.
        assert_eq!(profiles_in(&dir.path().join("missing")), None);
    }

    #[test]
    fn aws_folders_are_recognised_as_mount_targets() {
        assert!(is_aws_dir("/root/.aws"));
        assert!(is_aws_dir("/home/app/.aws/"));
        assert!(!is_aws_dir("/app/aws"));
    }
}
