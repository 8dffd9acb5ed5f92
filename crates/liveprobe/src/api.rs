//! Conformance probes of an API endpoint: requests that cannot change data
//! (no credentials, a body that is not JSON, an ID that does not exist),
//! sent at once under the run's deadline, and what the API answered to
//! each: status, `Content-Type` and body (capped, masked for secrets). Which
//! requests to send and how to judge the answers is the caller's business.

use super::http::{self, HttpError, Request, Url};
use secretmask::mask_patterns;
use serde::Serialize;
use std::thread;
use std::time::{Duration, Instant};

/// One request of a conformance probe.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// What the request tries (`unauthenticated`, `malformed`, `unknown-id`).
    pub purpose: String,
    pub method: String,
    pub url: String,
    /// Headers to send; their values never appear in the report.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What came of one request.
#[derive(Debug, Clone, Serialize)]
pub struct ApiAnswer {
    pub purpose: String,
    pub method: String,
    pub url: String,
    /// The answer, or the phase that failed.
    pub outcome: ApiOutcome,
    pub elapsed_ms: u64,
}

/// An answer or a failure.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiOutcome {
    Answered {
        status: u16,
        #[serde(skip_serializing_if = "Option::is_none")]
        content_type: Option<String>,
        /// The body (at most the cap; secrets masked).
        body: String,
        truncated: bool,
    },
    Failed {
        error: HttpError,
    },
}

/// Sends every request at once, each ending by `deadline`, keeping at most
/// `body_cap` bytes of each body.
pub fn send_all(requests: &[ApiRequest], deadline: Instant, body_cap: usize) -> Vec<ApiAnswer> {
    thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .map(|request| scope.spawn(move || send_one(request, deadline, body_cap)))
            .collect();
        handles
            .into_iter()
            .zip(requests)
            .map(|(handle, request)| {
                handle.join().unwrap_or_else(|_| ApiAnswer {
                    purpose: request.purpose.clone(),
                    method: request.method.clone(),
                    url: request.url.clone(),
                    outcome: ApiOutcome::Failed {
                        error: HttpError::BadResponse {
                            message: "probe panicked".to_string(),
                        },
                    },
                    elapsed_ms: 0,
                })
            })
            .collect()
    })
}

fn send_one(request: &ApiRequest, deadline: Instant, body_cap: usize) -> ApiAnswer {
    let start = Instant::now();
    let outcome = match Url::parse(&request.url) {
        Ok(url) => {
            let mut built = Request::new(&request.method, url).body(request.body.clone());
            for (name, value) in &request.headers {
                built = built.header(name, value);
            }
            match http::send(&built, deadline, body_cap) {
                Ok(response) => {
                    let mut body = response.text();
                    // A server that echoes a header back must not leak it.
                    for (_, value) in &request.headers {
                        if !value.is_empty() {
                            body = body.replace(value.as_str(), "****");
                        }
                    }
                    ApiOutcome::Answered {
                        status: response.status,
                        content_type: response.header("content-type").map(str::to_string),
                        body: mask_patterns(&body),
                        truncated: response.truncated,
                    }
                }
                Err(error) => ApiOutcome::Failed { error },
            }
        }
        Err(error) => ApiOutcome::Failed { error },
    };
    ApiAnswer {
        purpose: request.purpose.clone(),
        method: request.method.clone(),
        url: request.url.clone(),
        outcome,
        elapsed_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

/// `send_all` with a timeout from now.
pub fn probe_api(requests: &[ApiRequest], timeout: Duration, body_cap: usize) -> Vec<ApiAnswer> {
    let (deadline, _) = super::deadlines(Instant::now(), timeout);
    send_all(requests, deadline, body_cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A server that answers every connection with `answer`, echoing nothing.
    fn serve(answer: &'static str, connections: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming().take(connections) {
                let mut stream = stream.unwrap();
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        format!("http://{address}/api/items")
    }

    #[test]
    fn answers_keep_status_type_and_body_and_a_dead_endpoint_costs_one_timeout() {
        let url = serve(
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"error\":{\"code\":\"GONE\"}}\r\n",
            1,
        );
        // A listener that never answers.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_url = format!("http://{}/x", silent.local_addr().unwrap());
        let requests = [
            ApiRequest {
                purpose: "unknown-id".into(),
                method: "GET".into(),
                url,
                headers: vec![("Authorization".into(), "Bearer t0ken-value".into())],
                body: Vec::new(),
            },
            ApiRequest {
                purpose: "unauthenticated".into(),
                method: "GET".into(),
                url: silent_url.clone(),
                headers: Vec::new(),
                body: Vec::new(),
            },
            ApiRequest {
                purpose: "malformed".into(),
                method: "POST".into(),
                url: silent_url,
                headers: Vec::new(),
                body: b"{\"".to_vec(),
            },
        ];
        let start = Instant::now();
        let answers = probe_api(&requests, Duration::from_millis(600), 1024);
        let took = start.elapsed();
        assert!(
            took < Duration::from_millis(1100),
            "{took:?}: the timeouts added up"
        );
        match &answers[0].outcome {
            ApiOutcome::Answered {
                status,
                content_type,
                body,
                ..
            } => {
                assert_eq!(*status, 404);
                assert_eq!(content_type.as_deref(), Some("application/json"));
                assert!(body.contains("GONE"), "{body}");
            }
            other => panic!("{other:?}"),
        }
        for answer in &answers[1..] {
            assert!(
                matches!(answer.outcome, ApiOutcome::Failed { .. }),
                "{answer:?}"
            );
        }
    }

    #[test]
    fn an_echoed_header_value_is_masked() {
        let url = serve(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 30\r\n\r\nbad token Bearer t0ken-value!!",
            1,
        );
        let requests = [ApiRequest {
            purpose: "unauthenticated".into(),
            method: "GET".into(),
            url,
            headers: vec![("Authorization".into(), "Bearer t0ken-value".into())],
            body: Vec::new(),
        }];
        let answers = probe_api(&requests, Duration::from_secs(2), 1024);
        let json = serde_json::to_string(&answers).unwrap();
        assert!(!json.contains("t0ken-value"), "{json}");
        assert!(json.contains("****"), "{json}");
    }
}
