//! How each container will get AWS credentials, read from its compose
//! configuration: which sources of the SDK chain are present, which
//! credential-like variables sit where no SDK reads them, and which keys are
//! unusable as written. Values are looked at, never kept: the view holds
//! variable names and positions only.

use crate::model::aws::{
    CredentialDefect, CredentialKind, CredentialSource, CredentialsView, MisplacedCredential,
};
use crate::model::{Origin, Service, StackModel};

/// Names people use for keys that no AWS SDK reads, and the name it does read.
const WRONG_NAMES: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
    ("AWS_ACCESS_ID", "AWS_ACCESS_KEY_ID"),
    ("AWS_KEY_ID", "AWS_ACCESS_KEY_ID"),
    ("ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
    ("AWS_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"),
    ("AWS_SECRET", "AWS_SECRET_ACCESS_KEY"),
    ("AWS_SECRET_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
    ("AWS_ACCESS_KEY_SECRET", "AWS_SECRET_ACCESS_KEY"),
    ("SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
    ("AWS_TOKEN", "AWS_SESSION_TOKEN"),
];

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
    match (profile, aws_mount) {
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
        (Some(p), None) => view.defects.push(defect(p, "profile-without-files")),
        (None, None) => {}
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
    for (wrong, expected) in WRONG_NAMES {
        if let (Some(e), None) = (set(wrong), set(expected)) {
            view.misplaced.push(MisplacedCredential {
                variable: wrong.to_string(),
                expected: expected.to_string(),
                origin: e.origin.clone(),
                problem: "wrong-name".into(),
            });
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
    }
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
    fn aws_folders_are_recognised_as_mount_targets() {
        assert!(is_aws_dir("/root/.aws"));
        assert!(is_aws_dir("/home/app/.aws/"));
        assert!(!is_aws_dir("/app/aws"));
    }
}
