//! AWS credentials that never show their secret parts.

use std::fmt;

use serde::Serialize;

/// An access key pair, with a session token for temporary credentials.
///
/// The secret access key and the session token can be given to this crate but
/// never read back: they have no accessor, `Debug` prints them as
/// `"<redacted>"`, and the type does not implement `Serialize`. The access key
/// ID is an identifier rather than a secret; [`Credentials::access_key_id_hint`]
/// still shortens it for reports.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    /// Other secrets used to obtain these (tokens, process output), kept
    /// only so that output maskers can hide them.
    pub(crate) related: Vec<String>,
}

impl Credentials {
    /// Credentials from their parts. An empty session token counts as none.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into().trim().to_owned(),
            secret_access_key: secret_access_key.into().trim().to_owned(),
            session_token: session_token
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            related: Vec::new(),
        }
    }

    /// The secret key, the session token and the secrets used to get them.
    pub(crate) fn secret_values(&self) -> Vec<String> {
        let mut values = vec![self.secret_access_key.clone()];
        values.extend(self.session_token.clone());
        values.extend(self.related.iter().cloned());
        values.retain(|v| !v.trim().is_empty());
        values
    }

    /// The access key ID (`AKIA…` for long-term keys, `ASIA…` for temporary ones).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The first four and last four characters of the access key ID, for
    /// reports: `AKIA…MPLE`.
    pub fn access_key_id_hint(&self) -> String {
        key_hint(&self.access_key_id)
    }

    /// Whether these are temporary credentials (they carry a session token).
    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }

    pub(crate) fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }
}

pub(crate) fn key_hint(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id_hint())
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A source of credentials supplied by the caller, tried after the
/// environment and the shared files: stackdoctor passes the instance role's
/// credentials read from IMDS this way.
pub trait ProvideCredentials: Send + Sync {
    /// A short name for reports, such as `"imds"`.
    fn name(&self) -> &str;
    /// Fetches credentials. The error text is reported as is, so it must not
    /// contain secrets.
    fn provide(&self) -> Result<Credentials, String>;
}

/// A [`ProvideCredentials`] made from a name and a closure.
pub struct FnProvider<F> {
    name: String,
    f: F,
}

impl<F> FnProvider<F>
where
    F: Fn() -> Result<Credentials, String> + Send + Sync,
{
    /// Wraps `f` under the name `name`.
    pub fn new(name: impl Into<String>, f: F) -> Self {
        FnProvider {
            name: name.into(),
            f,
        }
    }
}

impl<F> ProvideCredentials for FnProvider<F>
where
    F: Fn() -> Result<Credentials, String> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }
    fn provide(&self) -> Result<Credentials, String> {
        (self.f)()
    }
}

impl<F> fmt::Debug for FnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnProvider")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Where the client's credentials came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CredentialsSource {
    /// Given to [`ClientConfig::credentials`](crate::ClientConfig::credentials).
    Explicit,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    Environment,
    /// Static keys of a profile in a shared file.
    Profile {
        /// The profile name.
        profile: String,
        /// The file that held the keys.
        file: String,
    },
    /// The caller-supplied provider with this name.
    Provider {
        /// [`ProvideCredentials::name`].
        name: String,
    },
    /// `sts:AssumeRole` of a profile's `role_arn`, with credentials from `source`.
    AssumeRole {
        /// The role assumed.
        role_arn: String,
        /// The profile naming it.
        profile: String,
        /// Where the credentials that assumed it came from.
        source: Box<CredentialsSource>,
    },
    /// `sts:AssumeRoleWithWebIdentity` with a token file.
    WebIdentity {
        /// The role assumed.
        role_arn: String,
        /// The token file.
        token_file: String,
        /// The profile, when a profile (not the environment) set it.
        #[serde(skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
    },
    /// A profile's `credential_process`.
    Process {
        /// The profile.
        profile: String,
    },
    /// IAM Identity Center: the cached `sso login` token and the portal's
    /// `GetRoleCredentials`.
    Sso {
        /// The profile.
        profile: String,
        /// `sso_account_id`.
        account_id: String,
        /// `sso_role_name`.
        role_name: String,
    },
    /// The ECS container credentials endpoint.
    Container {
        /// The endpoint URL.
        url: String,
    },
    /// The EC2 instance role, from the instance metadata service.
    InstanceMetadata {
        /// The role name.
        role: String,
    },
}

impl fmt::Display for CredentialsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsSource::Explicit => f.write_str("explicit credentials"),
            CredentialsSource::Environment => f.write_str("environment variables"),
            CredentialsSource::Profile { profile, file } => {
                write!(f, "profile `{profile}` in {file}")
            }
            CredentialsSource::Provider { name } => write!(f, "provider `{name}`"),
            CredentialsSource::AssumeRole {
                role_arn,
                profile,
                source,
            } => write!(
                f,
                "role {role_arn} assumed through STS (profile `{profile}`, with {source})"
            ),
            CredentialsSource::WebIdentity {
                role_arn,
                token_file,
                profile,
            } => {
                write!(f, "web identity token {token_file} for role {role_arn}")?;
                match profile {
                    Some(p) => write!(f, " (profile `{p}`)"),
                    None => f.write_str(" (AWS_WEB_IDENTITY_TOKEN_FILE)"),
                }
            }
            CredentialsSource::Process { profile } => {
                write!(f, "credential_process of profile `{profile}`")
            }
            CredentialsSource::Sso {
                profile,
                account_id,
                role_name,
            } => write!(
                f,
                "IAM Identity Center role {role_name} in account {account_id} (profile `{profile}`)"
            ),
            CredentialsSource::Container { url } => {
                write!(f, "container credentials endpoint {url}")
            }
            CredentialsSource::InstanceMetadata { role } => {
                write!(f, "instance metadata role `{role}`")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("session-token-value".into()),
        );
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("wJalr"), "{shown}");
        assert!(!shown.contains("session-token-value"), "{shown}");
        assert!(!shown.contains("AKIDEXAMPLE"), "{shown}");
        assert!(shown.contains("AKID…MPLE"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn empty_token_is_none_and_short_ids_are_masked() {
        let c = Credentials::new("AKID", "s", Some(" ".into()));
        assert!(!c.has_session_token());
        assert_eq!(c.access_key_id_hint(), "****");
    }
}
