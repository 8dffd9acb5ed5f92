//! Probes of the app's own HTTP endpoints: `GET /`, `GET /health`, and —
//! only when asked, because it may call a paid model — `POST /api/chat` with
//! a one-word message. All run at once, each bounded by the same deadline and
//! body cap. What the app says is read, not just its status: the JSON fields
//! apps like the seed's FastAPI backend return (`bedrock_client`, `region`,
//! `detail`) and the AWS error names in an error body.

use super::http::{self, HttpError, Request, Response, Url};
use secretmask::mask_patterns;
use serde::Serialize;
use serde_json::Value;
use std::thread;
use std::time::{Duration, Instant};

/// The chat request body: the smallest message the seed's API accepts.
pub const CHAT_BODY: &str = r#"{"message":"ping","conversation_history":[]}"#;

/// Default body cap of an app probe.
pub const DEFAULT_BODY_CAP: usize = 64 * 1024;

/// Longest excerpt of a non-JSON body kept in the report.
const EXCERPT_CHARS: usize = 300;

/// AWS and SDK error names looked for in error bodies, in report order.
const AWS_ERROR_NAMES: &[&str] = &[
    "AccessDeniedException",
    "ValidationException",
    "ResourceNotFoundException",
    "ThrottlingException",
    "ServiceQuotaExceededException",
    "ModelNotReadyException",
    "ModelTimeoutException",
    "ModelErrorException",
    "ModelStreamErrorException",
    "InternalServerException",
    "ServiceUnavailableException",
    "UnrecognizedClientException",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "NoCredentialsError",
    "PartialCredentialsError",
    "CredentialRetrievalError",
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "NoRegionError",
    "CredentialsProviderError",
];

/// Messages that name an error without its class: `str(e)` of a botocore
/// exception is often only the message (`Unable to locate credentials`).
const AWS_ERROR_MESSAGES: &[(&str, &str)] = &[
    ("Unable to locate credentials", "NoCredentialsError"),
    ("You must specify a region", "NoRegionError"),
    (
        "Could not connect to the endpoint URL",
        "EndpointConnectionError",
    ),
    ("Connect timeout on endpoint URL", "ConnectTimeoutError"),
    ("Read timeout on endpoint URL", "ReadTimeoutError"),
    ("Partial credentials found in", "PartialCredentialsError"),
    (
        "Error when retrieving credentials from",
        "CredentialRetrievalError",
    ),
    (
        "The security token included in the request is invalid",
        "UnrecognizedClientException",
    ),
    (
        "The security token included in the request is expired",
        "ExpiredTokenException",
    ),
    (
        "Could not load credentials from any providers",
        "CredentialsProviderError",
    ),
];

/// The paths probed.
#[derive(Debug, Clone, Serialize)]
pub struct AppPaths {
    /// Root (`/`), where the seed's API says whether its Bedrock client initialized.
    pub root: String,
    /// Health check (`/health`).
    pub health: String,
    /// Chat endpoint (`/api/chat`), probed only with [`AppOptions::probe_chat`].
    pub chat: String,
}

impl Default for AppPaths {
    fn default() -> Self {
        AppPaths {
            root: "/".to_string(),
            health: "/health".to_string(),
            chat: "/api/chat".to_string(),
        }
    }
}

/// How to probe an app.
#[derive(Debug, Clone, Serialize)]
pub struct AppOptions {
    /// The paths.
    pub paths: AppPaths,
    /// Also `POST` to the chat path. Off by default: it may invoke a paid model.
    pub probe_chat: bool,
    /// Deadline of each request (all run at once, so also of the whole probe).
    pub timeout: Duration,
    /// Body bytes kept per response.
    pub body_cap: usize,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            paths: AppPaths::default(),
            probe_chat: false,
            timeout: Duration::from_secs(3),
            body_cap: DEFAULT_BODY_CAP,
        }
    }
}

/// Which endpoint a probe asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// `GET /`.
    Root,
    /// `GET /health`.
    Health,
    /// `POST /api/chat`.
    Chat,
}

/// One request to the app and what came of it.
#[derive(Debug, Clone, Serialize)]
pub struct AppProbe {
    /// Which endpoint.
    pub kind: ProbeKind,
    /// `GET` or `POST`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The answer, or the phase that failed.
    pub outcome: AppOutcome,
    /// Wall time of the request.
    pub elapsed_ms: u64,
}

/// An answer or a failure.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppOutcome {
    /// The app answered (any status).
    Response(AppResponse),
    /// No complete answer.
    Failed {
        /// Which phase failed.
        error: HttpError,
    },
}

impl AppProbe {
    /// The response, when the app answered.
    pub fn response(&self) -> Option<&AppResponse> {
        match &self.outcome {
            AppOutcome::Response(response) => Some(response),
            AppOutcome::Failed { .. } => None,
        }
    }
}

/// What the app answered, read for diagnosis. Texts are masked for secrets.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AppResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Body bytes read (at most the cap).
    pub body_bytes: usize,
    /// The body was longer than the cap.
    pub truncated: bool,
    /// The body parsed as JSON.
    pub json: bool,
    /// JSON `message` (`Bedrock UI API is running`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// JSON `bedrock_client` (`initialized` / `not initialized`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bedrock_client: Option<String>,
    /// JSON `region`: the region the app says it uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// JSON `detail` (FastAPI's error field; validation lists joined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// JSON `error` (a string, or an object's `message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// AWS/SDK error names found in an error (4xx/5xx) body.
    pub aws_errors: Vec<String>,
    /// The start of a body that is not JSON, for the reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

impl AppResponse {
    /// Whether the app says its Bedrock client did not initialize.
    pub fn bedrock_client_not_initialized(&self) -> bool {
        self.bedrock_client
            .as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("not initialized"))
    }
}

/// Probes the app at `base` (`http://localhost:8000`): root and health, and
/// chat when `opts.probe_chat`; all at once, within `opts.timeout`.
pub fn probe_app(base: &str, opts: &AppOptions) -> Vec<AppProbe> {
    let (deadline, _) = super::deadlines(Instant::now(), opts.timeout);
    probe_app_until(base, opts, deadline)
}

/// [`probe_app`] with an explicit deadline.
pub(crate) fn probe_app_until(base: &str, opts: &AppOptions, deadline: Instant) -> Vec<AppProbe> {
    let mut plan = vec![
        (ProbeKind::Root, "GET", opts.paths.root.as_str()),
        (ProbeKind::Health, "GET", opts.paths.health.as_str()),
    ];
    if opts.probe_chat {
        plan.push((ProbeKind::Chat, "POST", opts.paths.chat.as_str()));
    }
    let base_url = Url::parse(base);
    thread::scope(|scope| {
        let handles: Vec<_> = plan
            .iter()
            .map(|&(kind, method, path)| {
                let base_url = &base_url;
                let handle = scope.spawn(move || {
                    let start = Instant::now();
                    let (url, result) = match base_url {
                        Ok(base_url) => {
                            let url = base_url.join(path);
                            let mut request = Request::new(method, url.clone())
                                .header("Accept", "application/json, */*;q=0.5");
                            if kind == ProbeKind::Chat {
                                request = request
                                    .header("Content-Type", "application/json")
                                    .body(CHAT_BODY);
                            }
                            (
                                url.to_string(),
                                http::send(&request, deadline, opts.body_cap),
                            )
                        }
                        Err(error) => (
                            format!("{}{}", base.trim_end_matches('/'), path),
                            Err(error.clone()),
                        ),
                    };
                    (url, result, start.elapsed())
                });
                (kind, method, path, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(kind, method, path, handle)| {
                let (url, result, elapsed) = handle.join().unwrap_or_else(|_| {
                    (
                        path.to_string(),
                        Err(HttpError::BadResponse {
                            message: "probe panicked".to_string(),
                        }),
                        Duration::ZERO,
                    )
                });
                AppProbe {
                    kind,
                    method: method.to_string(),
                    url,
                    outcome: match result {
                        Ok(response) => AppOutcome::Response(read_response(&response)),
                        Err(error) => AppOutcome::Failed { error },
                    },
                    elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                }
            })
            .collect()
    })
}

/// Reads what the app said.
pub fn read_response(response: &Response) -> AppResponse {
    let text = response.text();
    let mut out = AppResponse {
        status: response.status,
        content_type: response.header("content-type").map(str::to_string),
        body_bytes: response.body.len(),
        truncated: response.truncated,
        ..AppResponse::default()
    };
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(value) => {
            out.json = true;
            if let Value::Object(map) = &value {
                let field = |name: &str| map.get(name).and_then(text_of).map(|t| mask_patterns(&t));
                out.message = field("message");
                out.bedrock_client = field("bedrock_client");
                out.region = field("region");
                out.detail = field("detail");
                out.error = field("error");
            }
        }
        Err(_) => {
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                let mut excerpt: String = trimmed.chars().take(EXCERPT_CHARS).collect();
                if excerpt.len() < trimmed.len() {
                    excerpt.push('…');
                }
                out.excerpt = Some(mask_patterns(&excerpt));
            }
        }
    }
    if response.status >= 400 {
        out.aws_errors = aws_error_names(&text);
    }
    out
}

/// Text of a JSON value: a string; an object's `message`/`msg`/`detail`; a
/// list's texts joined (FastAPI's 422 `detail` is a list of `{loc, msg}`).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
        Value::Object(map) => ["message", "Message", "msg", "detail"]
            .iter()
            .find_map(|k| map.get(*k).and_then(text_of))
            .or_else(|| Some(value.to_string())),
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!texts.is_empty()).then(|| texts.join("; "))
        }
    }
}

/// AWS error names in `text`, each once, in catalogue order. Case-insensitive
/// because event-stream errors start lower-case (`throttlingException`).
pub fn aws_error_names(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut names: Vec<String> = Vec::new();
    for name in AWS_ERROR_NAMES {
        if lower.contains(&name.to_ascii_lowercase()) {
            names.push((*name).to_string());
        }
    }
    for (message, name) in AWS_ERROR_MESSAGES {
        if lower.contains(&message.to_ascii_lowercase()) && !names.iter().any(|n| n == name) {
            names.push((*name).to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> Response {
        Response {
            status,
            reason: String::new(),
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.as_bytes().to_vec(),
            truncated: false,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn reads_the_seed_root_answer() {
        let r = read_response(&response(
            200,
            "application/json",
            r#"{"message":"Bedrock UI API is running","region":"us-east-1","bedrock_client":"not initialized"}"#,
        ));
        assert!(r.json);
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert!(r.bedrock_client_not_initialized());
        assert_eq!(r.message.as_deref(), Some("Bedrock UI API is running"));
        assert!(r.aws_errors.is_empty());
    }

    #[test]
    fn reads_errors_of_every_shape() {
        let r = read_response(&response(
            500,
            "application/json",
            r#"{"detail":"An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::123456789012:assumed-role/r/i is not authorized"}"#,
        ));
        assert_eq!(r.aws_errors, ["AccessDeniedException"]);
        assert!(r
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("InvokeModel")));

        let r = read_response(&response(
            500,
            "application/json",
            r#"{"detail":"Unable to locate credentials"}"#,
        ));
        assert_eq!(r.aws_errors, ["NoCredentialsError"]);

        let r = read_response(&response(
            422,
            "application/json",
            r#"{"detail":[{"loc":["body","message"],"msg":"field required","type":"value_error.missing"}]}"#,
        ));
        assert_eq!(r.detail.as_deref(), Some("field required"));

        let r = read_response(&response(
            502,
            "application/json",
            r#"{"error":{"message":"throttlingException: Too many tokens","code":429}}"#,
        ));
        assert_eq!(
            r.error.as_deref(),
            Some("throttlingException: Too many tokens")
        );
        assert_eq!(r.aws_errors, ["ThrottlingException"]);

        let r = read_response(&response(500, "text/plain", "Internal Server Error"));
        assert!(!r.json);
        assert_eq!(r.excerpt.as_deref(), Some("Internal Server Error"));
        assert!(r.aws_errors.is_empty());
    }

    #[test]
    fn names_in_a_success_body_are_not_errors() {
        let r = read_response(&response(
            200,
            "application/json",
            r#"{"message":"ValidationException is a word"}"#,
        ));
        assert!(r.aws_errors.is_empty());
    }

    #[test]
    fn secrets_in_bodies_are_masked() {
        let r = read_response(&response(
            500,
            "text/plain",
            "boom AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY key AKIAIOSFODNN7EXAMPLE",
        ));
        let excerpt = r.excerpt.unwrap_or_default();
        assert!(
            !excerpt.contains("wJalrXUtnFEMI") && !excerpt.contains("AKIAIOSFODNN7EXAMPLE"),
            "{excerpt}"
        );
    }

    #[test]
    fn a_bad_base_fails_every_probe_without_panicking() {
        let opts = AppOptions {
            probe_chat: true,
            ..AppOptions::default()
        };
        let probes = probe_app("gopher://example.invalid", &opts);
        assert_eq!(probes.len(), 3);
        assert!(probes.iter().all(|p| matches!(
            p.outcome,
            AppOutcome::Failed {
                error: HttpError::Unsupported { .. }
            }
        )));
        let kinds: Vec<_> = probes.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProbeKind::Root, ProbeKind::Health, ProbeKind::Chat]);
    }

    #[test]
    fn chat_is_off_by_default() {
        assert!(!AppOptions::default().probe_chat);
        let probes = probe_app("http://[", &AppOptions::default());
        assert_eq!(probes.len(), 2);
    }
}
