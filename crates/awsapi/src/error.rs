//! The one error type of the crate.

use std::fmt;

use serde::Serialize;

/// Which step of a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The configuration (region, endpoint URL, profile files) is unusable.
    Config,
    /// No usable credentials.
    Credentials,
    /// The endpoint's host name did not resolve.
    Resolve,
    /// The TCP connection failed (refused, unreachable, reset during setup).
    Connect,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// A time limit ran out (the message says which).
    Timeout,
    /// HTTP-level failure: malformed response, connection closed mid-way,
    /// body over the size cap.
    Http,
    /// The service answered with an error (a non-2xx status).
    Api,
    /// A 2xx reply could not be understood.
    Parse,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Config => "config",
            Phase::Credentials => "credentials",
            Phase::Resolve => "resolve",
            Phase::Connect => "connect",
            Phase::Tls => "tls",
            Phase::Timeout => "timeout",
            Phase::Http => "http",
            Phase::Api => "api",
            Phase::Parse => "parse",
        })
    }
}

/// Everything that can go wrong. No variant carries a secret: credentials
/// appear only as the name of their source.
///
/// `operation` fields name the call as IAM spells the action, for example
/// `sts:GetCallerIdentity` or `bedrock:ListFoundationModels`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Error {
    /// No region was given or found in the environment or profile.
    #[error(
        "no AWS region: pass one, or set AWS_REGION or AWS_DEFAULT_REGION, or `region` in the profile"
    )]
    NoRegion,
    /// No source produced credentials.
    #[error("no AWS credentials found (tried: {})", tried.join("; "))]
    NoCredentials {
        /// What was looked at, in order.
        tried: Vec<String>,
    },
    /// A source holds an access key ID without a secret key, or the reverse.
    #[error("partial AWS credentials in {origin}: missing {missing}")]
    PartialCredentials {
        /// The source (`environment variables`, `profile x in /path`).
        origin: String,
        /// The missing variable or key name.
        missing: String,
    },
    /// A profile named by the caller, `AWS_PROFILE` or `AWS_DEFAULT_PROFILE`
    /// is in neither shared file.
    #[error("AWS profile `{profile}` not found in {files}")]
    ProfileNotFound {
        /// The profile name.
        profile: String,
        /// The files looked at.
        files: String,
    },
    /// The profile gets its credentials in a way this crate does not
    /// implement (`role_arn`, `sso_session`, `credential_process`, …).
    #[error("AWS profile `{profile}` in {file} uses {kind}, which awsapi does not support (static keys only)")]
    UnsupportedProfile {
        /// The profile name.
        profile: String,
        /// What the profile uses, for example `assume role (role_arn)`.
        kind: String,
        /// The file holding that setting.
        file: String,
    },
    /// The caller-supplied credentials provider failed.
    #[error("credentials provider `{name}` failed: {message}")]
    Provider {
        /// [`ProvideCredentials::name`](crate::ProvideCredentials::name).
        name: String,
        /// Its error text.
        message: String,
    },
    /// A configured credentials source could not give credentials: an STS
    /// call failed, the SSO token expired, `credential_process` failed, the
    /// container endpoint refused. Never quotes a secret.
    #[error("AWS credentials from {origin}: {message}")]
    CredentialSource {
        /// The source, as specific as known (`assume role ARN (profile x)`).
        origin: String,
        /// Why it failed, with what to do when known.
        message: String,
    },
    /// Bad configuration: an endpoint URL that does not parse, an unreadable
    /// shared file.
    #[error("invalid AWS client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The request did not get a response: resolve, connect, TLS or HTTP
    /// failure.
    #[error("{operation}: {phase} error calling {url}: {message}")]
    Transport {
        /// The operation.
        operation: String,
        /// The URL called (no secrets: query strings hold paging tokens only).
        url: String,
        /// [`Phase::Resolve`], [`Phase::Connect`], [`Phase::Tls`] or [`Phase::Http`].
        phase: Phase,
        /// What happened.
        message: String,
    },
    /// A time limit ran out.
    #[error("{operation}: {which} timeout after {timeout_ms} ms calling {url}")]
    Timeout {
        /// The operation.
        operation: String,
        /// The URL called.
        url: String,
        /// `connect` or `overall`.
        which: String,
        /// The limit that ran out.
        timeout_ms: u64,
    },
    /// The response body is larger than the configured cap; reading stopped there.
    #[error(
        "{operation}: response body from {url} exceeds the cap of {limit} bytes (HTTP {status})"
    )]
    BodyTooLarge {
        /// The operation.
        operation: String,
        /// The URL called.
        url: String,
        /// The HTTP status of the response.
        status: u16,
        /// The cap in bytes.
        limit: usize,
    },
    /// The service answered with an error status.
    #[error("{operation}: HTTP {status}{}: {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Api {
        /// The operation.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The AWS error code (`AccessDenied`, `ExpiredToken`,
        /// `ValidationException`, …) when the body or headers name one.
        code: Option<String>,
        /// The AWS error message, or the start of a body that is not an AWS error.
        message: String,
        /// The request ID, for AWS support.
        request_id: Option<String>,
        /// Server `Date` minus the local clock in seconds, when the response
        /// had a `Date` header: a signature refused for clock skew shows here.
        clock_skew_seconds: Option<i64>,
    },
    /// A 2xx reply could not be parsed.
    #[error("{operation}: cannot parse the reply (HTTP {status}): {message}")]
    Parse {
        /// The operation.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        message: String,
    },
    /// The reply was well formed but lacked the requested item (for example
    /// an instance ID absent from `DescribeInstances`).
    #[error("{operation}: {what} not found in the reply")]
    NotFound {
        /// The operation.
        operation: String,
        /// What was missing.
        what: String,
    },
}

impl Error {
    /// The phase that failed.
    pub fn phase(&self) -> Phase {
        match self {
            Error::NoRegion | Error::Config { .. } => Phase::Config,
            Error::NoCredentials { .. }
            | Error::PartialCredentials { .. }
            | Error::ProfileNotFound { .. }
            | Error::UnsupportedProfile { .. }
            | Error::Provider { .. }
            | Error::CredentialSource { .. } => Phase::Credentials,
            Error::Transport { phase, .. } => *phase,
            Error::Timeout { .. } => Phase::Timeout,
            Error::BodyTooLarge { .. } => Phase::Http,
            Error::Api { .. } => Phase::Api,
            Error::Parse { .. } | Error::NotFound { .. } => Phase::Parse,
        }
    }

    /// The AWS error code, for [`Error::Api`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Parse { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_json() {
        let e = Error::Api {
            operation: "sts:GetCallerIdentity".into(),
            status: 403,
            code: Some("SignatureDoesNotMatch".into()),
            message: "Signature expired".into(),
            request_id: Some("r-1".into()),
            clock_skew_seconds: Some(-400),
        };
        assert_eq!(
            e.to_string(),
            "sts:GetCallerIdentity: HTTP 403 SignatureDoesNotMatch: Signature expired"
        );
        assert_eq!(e.phase(), Phase::Api);
        assert_eq!(e.code(), Some("SignatureDoesNotMatch"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["error"], "api");
        assert_eq!(json["clock_skew_seconds"], -400);
        let t = Error::Transport {
            operation: "x".into(),
            url: "http://h/".into(),
            phase: Phase::Connect,
            message: "refused".into(),
        };
        assert_eq!(t.phase(), Phase::Connect);
        assert_eq!(serde_json::to_value(&t).unwrap()["phase"], "connect");
        // Every variant serializes (internally tagged enums reject newtype
        // variants of primitives at run time).
        let all = [
            Error::NoRegion,
            Error::NoCredentials {
                tried: vec!["a".into()],
            },
            Error::PartialCredentials {
                origin: "o".into(),
                missing: "m".into(),
            },
            Error::ProfileNotFound {
                profile: "p".into(),
                files: "f".into(),
            },
            Error::UnsupportedProfile {
                profile: "p".into(),
                kind: "k".into(),
                file: "f".into(),
            },
            Error::Provider {
                name: "n".into(),
                message: "m".into(),
            },
            Error::CredentialSource {
                origin: "o".into(),
                message: "m".into(),
            },
            Error::Config {
                message: "m".into(),
            },
            t,
            Error::Timeout {
                operation: "o".into(),
                url: "u".into(),
                which: "overall".into(),
                timeout_ms: 1,
            },
            Error::BodyTooLarge {
                operation: "o".into(),
                url: "u".into(),
                status: 200,
                limit: 1,
            },
            e,
            Error::Parse {
                operation: "o".into(),
                status: 200,
                message: "m".into(),
            },
            Error::NotFound {
                operation: "o".into(),
                what: "w".into(),
            },
        ];
        for e in all {
            let v = serde_json::to_value(&e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
            assert!(v["error"].is_string(), "{v}");
            assert!(!e.to_string().is_empty());
        }
    }
}
