//! Probe of the EC2 instance metadata service (IMDS), the way an AWS SDK in
//! the container would use it.
//!
//! Cost: at most about one timeout, even when the endpoint hangs. The token
//! `PUT /latest/api/token` and an IMDSv1 `GET
//! /latest/meta-data/iam/security-credentials/` go out at the same time, both
//! bounded by `start + timeout`. Follow-ups (role credentials' `Code` and
//! `Expiration`, `iam/info`, `placement/region`, the identity document) run
//! concurrently too, and only once something answered, all bounded by
//! `start + timeout × 1.1`:
//!
//! - when IMDSv1 answers (200 or 404) they start at once without a token, so
//!   a token PUT that never answers (hop limit 1 seen from a bridge network)
//!   does not delay them;
//! - when IMDSv1 is refused (401, `HttpTokens=required`) they wait for the
//!   token and send it.
//!
//! Secrets: the token lives only on the stack of the probe; of the role's
//! credentials document only `Code`, `Message`, `Expiration` and
//! `LastUpdated` are parsed, the keys are never kept or printed.
//!
//! The probe connects directly: an `HTTP_PROXY` the app's SDK would use is
//! not applied.

use super::http::{self, HttpError, Request, Response, Url};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The IPv4 endpoint.
pub const DEFAULT_ENDPOINT: &str = "http://169.254.169.254/";
/// The IPv6 endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`).
pub const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]/";

const TOKEN_PATH: &str = "/latest/api/token";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const ROLES_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const INFO_PATH: &str = "/latest/meta-data/iam/info";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
const IDENTITY_PATH: &str = "/latest/dynamic/instance-identity/document";
/// IMDS documents are small; anything bigger is not IMDS.
const BODY_CAP: usize = 16 * 1024;

/// The endpoint an AWS SDK in an environment with these variables would use,
/// or `None` when `AWS_EC2_METADATA_DISABLED=true` turns IMDS off.
pub fn imds_endpoint(env: &HashMap<String, String>) -> Option<String> {
    let get = |name: &str| env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    if get("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return None;
    }
    if let Some(endpoint) = get("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        return Some(endpoint.to_string());
    }
    if get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").is_some_and(|v| v.eq_ignore_ascii_case("ipv6"))
    {
        return Some(IPV6_ENDPOINT.to_string());
    }
    Some(DEFAULT_ENDPOINT.to_string())
}

/// Whether anything answered at the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Reachability {
    /// At least one request got an HTTP response.
    Answered,
    /// Connections were refused: nothing listens there.
    Refused,
    /// No TCP connection before the deadline: not on EC2, IMDS turned off, or blocked.
    ConnectTimeout,
    /// Connected, but no response before the deadline.
    NoAnswer,
    /// Any other failure (bad endpoint URL, no route, not HTTP).
    Failed {
        /// What went wrong.
        error: HttpError,
    },
}

/// What became of the IMDSv2 token request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TokenOutcome {
    /// A token was issued (its value is not kept).
    Issued {
        /// TTL the service confirmed, when it said.
        #[serde(skip_serializing_if = "Option::is_none")]
        ttl_seconds: Option<u64>,
    },
    /// No answer before the deadline. With `connected`, the request went out
    /// and the answer never came: the hop-limit symptom inside a container.
    Timeout {
        /// Whether the TCP connection was established.
        connected: bool,
    },
    /// The connection was refused.
    Refused,
    /// The service answered with another status (403: IMDS off, 400: bad TTL, …).
    HttpStatus {
        /// The status.
        status: u16,
    },
    /// Anything else (reset, bad response, empty token).
    Failed {
        /// What went wrong.
        message: String,
    },
}

/// Whether an unauthenticated (IMDSv1) GET is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum V1Outcome {
    /// Served (200, or 404 for a missing path): `HttpTokens=optional`.
    Allowed,
    /// 401: `HttpTokens=required`, only IMDSv2 (token) requests are served.
    TokenRequired,
    /// Another status.
    HttpStatus {
        /// The status.
        status: u16,
    },
    /// No response.
    NoAnswer {
        /// Why.
        error: HttpError,
    },
}

/// Which IAM role the instance profile gives, as far as the probe could see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RoleOutcome {
    /// The role name listed under `iam/security-credentials/`.
    Role {
        /// Role name.
        name: String,
    },
    /// 404 on `iam/security-credentials/`: no instance profile is attached.
    NoInstanceProfile,
    /// The listing could not be read.
    Unknown,
}

/// The non-secret part of the role's credentials document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialStatus {
    /// `Success`, or why EC2 could not assume the role (e.g. `AssumeRoleUnauthorizedAccess`).
    pub code: Option<String>,
    /// The service's message, when it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the current credentials expire (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// When they were last refreshed (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
}

impl CredentialStatus {
    /// Whether the instance can hand out credentials of the role.
    pub fn is_success(&self) -> bool {
        self.code.as_deref() == Some("Success")
    }
}

/// The probe's conclusion, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImdsVerdict {
    /// Nothing answered: not on EC2, IMDS off, or blocked from here.
    NotReachable,
    /// The token never arrives and IMDSv1 is refused: SDKs find no
    /// credentials (`NoCredentialsError`). Hop limit 1 with `HttpTokens=required`.
    TokenUnreachableTokensRequired,
    /// No instance profile is attached: no role credentials.
    NoInstanceProfile,
    /// A role is attached but its credentials `Code` is not `Success`.
    RoleCredentialsFailed,
    /// Credentials work, but only by IMDSv1 after the token request times
    /// out: botocore waits about 1 s and falls back; SDKs without fallback fail.
    TokenUnreachableV1Fallback,
    /// Role credentials are available.
    CredentialsAvailable,
    /// Something answered, but the probe could not tell (other statuses, timeouts of follow-ups).
    Inconclusive,
}

/// What the metadata service said.
#[derive(Debug, Clone, Serialize)]
pub struct ImdsReport {
    /// The endpoint probed.
    pub endpoint: String,
    /// Whether anything answered.
    pub reachability: Reachability,
    /// The token request.
    pub token: TokenOutcome,
    /// The unauthenticated GET.
    pub imdsv1: V1Outcome,
    /// The role of the instance profile.
    pub role: RoleOutcome,
    /// The role's credentials status (never the keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialStatus>,
    /// `InstanceProfileArn` from `iam/info`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_profile_arn: Option<String>,
    /// `placement/region` (or the identity document's region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// From the identity document, for `aws ec2 modify-instance-metadata-options --instance-id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// From the identity document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Follow-up requests that failed, one line each (`iam/info: timed out …`).
    pub problems: Vec<String>,
    /// The conclusion.
    pub verdict: ImdsVerdict,
    /// Wall time of the whole probe.
    pub elapsed_ms: u64,
}

/// Probes the metadata service at `endpoint`; returns after at most about
/// `timeout × 1.1`.
pub fn probe_imds(endpoint: &str, timeout: Duration) -> ImdsReport {
    let start = Instant::now();
    let (first, last) = super::deadlines(start, timeout);
    probe_imds_until(endpoint, start, first, last)
}

/// The probe with explicit deadlines: the first requests end by `first`,
/// everything by `last`.
pub(crate) fn probe_imds_until(
    endpoint: &str,
    start: Instant,
    first: Instant,
    last: Instant,
) -> ImdsReport {
    let mut report = ImdsReport {
        endpoint: endpoint.to_string(),
        reachability: Reachability::NoAnswer,
        token: TokenOutcome::Failed {
            message: "not sent".to_string(),
        },
        imdsv1: V1Outcome::NoAnswer {
            error: HttpError::Timeout {
                received: 0,
                status: None,
            },
        },
        role: RoleOutcome::Unknown,
        credentials: None,
        instance_profile_arn: None,
        region: None,
        instance_id: None,
        account_id: None,
        problems: Vec::new(),
        verdict: ImdsVerdict::NotReachable,
        elapsed_ms: 0,
    };
    let base = match Url::parse(endpoint) {
        Ok(base) => base,
        Err(error) => {
            report.token = TokenOutcome::Failed {
                message: error.to_string(),
            };
            report.imdsv1 = V1Outcome::NoAnswer {
                error: error.clone(),
            };
            report.reachability = Reachability::Failed { error };
            report.elapsed_ms = millis(start.elapsed());
            return report;
        }
    };

    let (token_tx, token_rx) = mpsc::channel::<Option<String>>();
    let base = &base;
    let (token_result, reader) = thread::scope(|scope| {
        // `move` so the sender drops when the thread ends, even by a panic.
        let token_thread = scope.spawn(move || {
            let request = Request::new("PUT", base.join(TOKEN_PATH)).header(TTL_HEADER, "21600");
            let result = http::send(&request, first, BODY_CAP);
            let token = issued_token(&result);
            // The reader may be waiting for it; it may also have gone (nothing to do then).
            let _ = token_tx.send(token);
            result
        });
        let reader_thread = scope.spawn(move || read_metadata(base, first, last, &token_rx));
        let token_result = token_thread.join().unwrap_or_else(|_| {
            Err(HttpError::BadResponse {
                message: "token probe panicked".to_string(),
            })
        });
        let reader = reader_thread.join().unwrap_or_default();
        (token_result, reader)
    });

    report.token = token_outcome(&token_result);
    report.reachability = reachability(&token_result, &reader.v1);
    report.imdsv1 = match &reader.v1 {
        Ok(response) => match response.status {
            200 | 404 => V1Outcome::Allowed,
            401 => V1Outcome::TokenRequired,
            status => V1Outcome::HttpStatus { status },
        },
        Err(error) => V1Outcome::NoAnswer {
            error: error.clone(),
        },
    };
    report.role = reader.role;
    report.credentials = reader.credentials;
    report.instance_profile_arn = reader.instance_profile_arn;
    report.region = reader.region;
    report.instance_id = reader.instance_id;
    report.account_id = reader.account_id;
    report.problems = reader.problems;
    report.verdict = verdict(&report);
    report.elapsed_ms = millis(start.elapsed());
    report
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What the metadata reader thread found.
struct Reader {
    v1: Result<Response, HttpError>,
    role: RoleOutcome,
    credentials: Option<CredentialStatus>,
    instance_profile_arn: Option<String>,
    region: Option<String>,
    instance_id: Option<String>,
    account_id: Option<String>,
    problems: Vec<String>,
}

impl Default for Reader {
    fn default() -> Self {
        Reader {
            v1: Err(HttpError::BadResponse {
                message: "metadata probe panicked".to_string(),
            }),
            role: RoleOutcome::Unknown,
            credentials: None,
            instance_profile_arn: None,
            region: None,
            instance_id: None,
            account_id: None,
            problems: Vec::new(),
        }
    }
}

fn issued_token(result: &Result<Response, HttpError>) -> Option<String> {
    let response = result.as_ref().ok().filter(|r| r.status == 200)?;
    let token = String::from_utf8(response.body.clone()).ok()?;
    let token = token.trim();
    // Header values must be visible ASCII; anything else is not a token.
    (!token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())).then(|| token.to_string())
}

fn token_outcome(result: &Result<Response, HttpError>) -> TokenOutcome {
    match result {
        Ok(response) if response.status == 200 => {
            if issued_token(result).is_some() {
                TokenOutcome::Issued {
                    ttl_seconds: response
                        .header(TTL_HEADER)
                        .and_then(|v| v.trim().parse().ok()),
                }
            } else {
                TokenOutcome::Failed {
                    message: "200 without a usable token".to_string(),
                }
            }
        }
        Ok(response) => TokenOutcome::HttpStatus {
            status: response.status,
        },
        Err(HttpError::Refused) => TokenOutcome::Refused,
        Err(HttpError::ConnectTimeout) => TokenOutcome::Timeout { connected: false },
        Err(HttpError::Timeout { .. }) => TokenOutcome::Timeout { connected: true },
        Err(error) => TokenOutcome::Failed {
            message: error.to_string(),
        },
    }
}

fn reachability(
    token: &Result<Response, HttpError>,
    v1: &Result<Response, HttpError>,
) -> Reachability {
    let errors: Vec<&HttpError> = match (token, v1) {
        (Ok(_), _) | (_, Ok(_)) => return Reachability::Answered,
        (Err(a), Err(b)) => vec![a, b],
    };
    if errors
        .iter()
        .any(|e| matches!(e, HttpError::Timeout { .. }))
    {
        Reachability::NoAnswer
    } else if errors
        .iter()
        .any(|e| matches!(e, HttpError::ConnectTimeout))
    {
        Reachability::ConnectTimeout
    } else if errors.iter().all(|e| matches!(e, HttpError::Refused)) {
        Reachability::Refused
    } else {
        let error = errors
            .into_iter()
            .find(|e| !matches!(e, HttpError::Refused))
            .cloned()
            .unwrap_or(HttpError::Refused);
        Reachability::Failed { error }
    }
}

/// The IMDSv1 listing, then (once the service has answered) the follow-ups.
fn read_metadata(
    base: &Url,
    first: Instant,
    last: Instant,
    token_rx: &mpsc::Receiver<Option<String>>,
) -> Reader {
    let v1 = http::send(&Request::new("GET", base.join(ROLES_PATH)), first, BODY_CAP);
    let mut reader = Reader {
        v1,
        ..Reader::default()
    };
    let token = match &reader.v1 {
        // Served without a token: no need to wait for one.
        Ok(response) if matches!(response.status, 200 | 404) => None,
        // Refused (401) or no answer: a token may still open the door.
        _ => {
            let wait = last.saturating_duration_since(Instant::now());
            match token_rx.recv_timeout(wait) {
                Ok(Some(token)) => Some(token),
                _ => return reader,
            }
        }
    };
    let listing = match (&token, &reader.v1) {
        (None, Ok(response)) => Ok(response.clone()),
        (None, Err(error)) => Err(error.clone()),
        (Some(token), _) => http::send(&get(base, ROLES_PATH, Some(token)), last, BODY_CAP),
    };
    reader.role = match &listing {
        Ok(response) if response.status == 200 => match role_name(&response.text()) {
            Some(name) => RoleOutcome::Role { name },
            None => {
                reader
                    .problems
                    .push("iam/security-credentials/: no usable role name listed".to_string());
                RoleOutcome::Unknown
            }
        },
        Ok(response) if response.status == 404 => RoleOutcome::NoInstanceProfile,
        Ok(response) => {
            reader.problems.push(format!(
                "iam/security-credentials/: HTTP {}",
                response.status
            ));
            RoleOutcome::Unknown
        }
        Err(error) => {
            reader
                .problems
                .push(format!("iam/security-credentials/: {error}"));
            RoleOutcome::Unknown
        }
    };
    follow_up(base, token.as_deref(), last, &mut reader);
    reader
}

fn get(base: &Url, path: &str, token: Option<&str>) -> Request {
    let request = Request::new("GET", base.join(path));
    match token {
        Some(token) => request.header(TOKEN_HEADER, token),
        None => request,
    }
}

/// Role names are `[\w+=,.@-]+`; anything else is not followed into a path.
fn role_name(listing: &str) -> Option<String> {
    let name = listing.lines().map(str::trim).find(|l| !l.is_empty())?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
        .then(|| name.to_string())
}

#[derive(Deserialize)]
struct CredentialDocument {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
    #[serde(rename = "LastUpdated")]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct InfoDocument {
    #[serde(rename = "InstanceProfileArn")]
    instance_profile_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentityDocument {
    instance_id: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
}

/// Credentials, `iam/info`, region and identity document, concurrently.
fn follow_up(base: &Url, token: Option<&str>, last: Instant, reader: &mut Reader) {
    let role = match &reader.role {
        RoleOutcome::Role { name } => Some(name.clone()),
        _ => None,
    };
    let fetch = |path: String| http::send(&get(base, &path, token), last, BODY_CAP);
    let (credentials, info, region, identity) = thread::scope(|scope| {
        let credentials = role
            .as_ref()
            .map(|name| scope.spawn(move || fetch(format!("{ROLES_PATH}{name}"))));
        let info = role
            .as_ref()
            .map(|_| scope.spawn(|| fetch(INFO_PATH.to_string())));
        let region = scope.spawn(|| fetch(REGION_PATH.to_string()));
        let identity = scope.spawn(|| fetch(IDENTITY_PATH.to_string()));
        let join = |handle: thread::ScopedJoinHandle<'_, Result<Response, HttpError>>| {
            handle.join().unwrap_or_else(|_| {
                Err(HttpError::BadResponse {
                    message: "probe panicked".to_string(),
                })
            })
        };
        (
            credentials.map(join),
            info.map(join),
            join(region),
            join(identity),
        )
    });
    let mut problems = Vec::new();
    if let Some(response) = credentials.and_then(|r| ok_body("role credentials", r, &mut problems))
    {
        // Parsed into a struct of the non-secret fields only: the keys are never kept.
        match serde_json::from_slice::<CredentialDocument>(&response.body) {
            Ok(doc) => {
                reader.credentials = Some(CredentialStatus {
                    code: doc.code,
                    message: doc.message,
                    expiration: doc.expiration,
                    last_updated: doc.last_updated,
                })
            }
            Err(_) => problems.push("role credentials: not a JSON document".to_string()),
        }
    }
    if let Some(response) = info.and_then(|r| ok_body("iam/info", r, &mut problems)) {
        match serde_json::from_slice::<InfoDocument>(&response.body) {
            Ok(doc) => reader.instance_profile_arn = doc.instance_profile_arn,
            Err(_) => problems.push("iam/info: not a JSON document".to_string()),
        }
    }
    if let Some(response) = ok_body("placement/region", region, &mut problems) {
        let text = response.text();
        let text = text.trim();
        if !text.is_empty() {
            reader.region = Some(text.to_string());
        }
    }
    // The identity document is a bonus (some emulators lack it): not a problem when absent.
    if let Ok(response) = identity {
        if response.status == 200 {
            if let Ok(doc) = serde_json::from_slice::<IdentityDocument>(&response.body) {
                reader.instance_id = doc.instance_id;
                reader.account_id = doc.account_id;
                if reader.region.is_none() {
                    reader.region = doc.region;
                }
            }
        }
    }
    reader.problems.extend(problems);
}

/// The response when it is a 200; otherwise a line in `problems`.
fn ok_body(
    what: &str,
    result: Result<Response, HttpError>,
    problems: &mut Vec<String>,
) -> Option<Response> {
    match result {
        Ok(response) if response.status == 200 => Some(response),
        Ok(response) => {
            problems.push(format!("{what}: HTTP {}", response.status));
            None
        }
        Err(error) => {
            problems.push(format!("{what}: {error}"));
            None
        }
    }
}

fn verdict(report: &ImdsReport) -> ImdsVerdict {
    if report.reachability != Reachability::Answered {
        return ImdsVerdict::NotReachable;
    }
    let token_lost = matches!(report.token, TokenOutcome::Timeout { .. });
    if token_lost && report.imdsv1 == V1Outcome::TokenRequired {
        return ImdsVerdict::TokenUnreachableTokensRequired;
    }
    if report.role == RoleOutcome::NoInstanceProfile {
        return ImdsVerdict::NoInstanceProfile;
    }
    match &report.credentials {
        Some(c) if !c.is_success() => ImdsVerdict::RoleCredentialsFailed,
        Some(_) if token_lost && report.imdsv1 == V1Outcome::Allowed => {
            ImdsVerdict::TokenUnreachableV1Fallback
        }
        Some(_) => ImdsVerdict::CredentialsAvailable,
        None => ImdsVerdict::Inconclusive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn endpoint_follows_the_sdk_variables() {
        assert_eq!(imds_endpoint(&env(&[])).as_deref(), Some(DEFAULT_ENDPOINT));
        assert_eq!(
            imds_endpoint(&env(&[(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                "http://127.0.0.1:1338/"
            )]))
            .as_deref(),
            Some("http://127.0.0.1:1338/")
        );
        assert_eq!(
            imds_endpoint(&env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")])).as_deref(),
            Some(IPV6_ENDPOINT)
        );
        assert_eq!(
            imds_endpoint(&env(&[("AWS_EC2_METADATA_DISABLED", "TRUE")])),
            None
        );
        assert_eq!(
            imds_endpoint(&env(&[("AWS_EC2_METADATA_DISABLED", "false")])).as_deref(),
            Some(DEFAULT_ENDPOINT)
        );
    }

    #[test]
    fn role_names_are_checked_before_use_in_a_path() {
        assert_eq!(
            role_name("bedrock-ui-ec2-role\n").as_deref(),
            Some("bedrock-ui-ec2-role")
        );
        assert_eq!(role_name("\n  r+=,.@_-1 \n"), Some("r+=,.@_-1".to_string()));
        assert_eq!(role_name("../../etc"), None);
        assert_eq!(role_name(""), None);
    }

    fn response(status: u16, body: &str) -> Result<Response, HttpError> {
        Ok(Response {
            status,
            reason: String::new(),
            headers: vec![(TTL_HEADER.to_string(), "21600".to_string())],
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Duration::ZERO,
        })
    }

    #[test]
    fn token_outcomes() {
        assert_eq!(
            token_outcome(&response(200, "AQAEAtok==\n")),
            TokenOutcome::Issued {
                ttl_seconds: Some(21600)
            }
        );
        assert!(matches!(
            token_outcome(&response(200, "")),
            TokenOutcome::Failed { .. }
        ));
        assert_eq!(
            token_outcome(&response(403, "")),
            TokenOutcome::HttpStatus { status: 403 }
        );
        assert_eq!(
            token_outcome(&Err(HttpError::Refused)),
            TokenOutcome::Refused
        );
        assert_eq!(
            token_outcome(&Err(HttpError::Timeout {
                received: 0,
                status: None
            })),
            TokenOutcome::Timeout { connected: true }
        );
        assert_eq!(
            token_outcome(&Err(HttpError::ConnectTimeout)),
            TokenOutcome::Timeout { connected: false }
        );
    }

    #[test]
    fn reachability_prefers_any_answer() {
        let timeout = || {
            Err(HttpError::Timeout {
                received: 0,
                status: None,
            })
        };
        assert_eq!(
            reachability(&timeout(), &response(401, "")),
            Reachability::Answered
        );
        assert_eq!(
            reachability(&timeout(), &Err(HttpError::Refused)),
            Reachability::NoAnswer
        );
        assert_eq!(
            reachability(&Err(HttpError::Refused), &Err(HttpError::Refused)),
            Reachability::Refused
        );
        assert_eq!(
            reachability(
                &Err(HttpError::ConnectTimeout),
                &Err(HttpError::ConnectTimeout)
            ),
            Reachability::ConnectTimeout
        );
    }

    #[test]
    fn a_bad_endpoint_is_reported_not_panicked() {
        let report = probe_imds("ftp://169.254.169.254/", Duration::from_millis(100));
        assert!(matches!(
            report.reachability,
            Reachability::Failed {
                error: HttpError::Unsupported { .. }
            }
        ));
        assert_eq!(report.verdict, ImdsVerdict::NotReachable);
    }

    #[test]
    fn credential_status_never_holds_keys() {
        let doc: CredentialDocument = serde_json::from_str(
            r#"{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAEXAMPLEEXAMPLE12","SecretAccessKey":"s3cr3t","Token":"tok","Expiration":"2026-01-01T06:00:00Z"}"#,
        )
        .expect("json");
        let status = CredentialStatus {
            code: doc.code,
            message: doc.message,
            expiration: doc.expiration,
            last_updated: doc.last_updated,
        };
        let json = serde_json::to_string(&status).expect("json");
        assert!(status.is_success());
        assert!(
            !json.contains("ASIA") && !json.contains("s3cr3t") && !json.contains("tok\""),
            "{json}"
        );
    }
}
