//! `--probe-api`: the requests that check an API's error answers against its
//! contract, and their answers as model facts. Every request is one that
//! cannot change data: a `GET` without credentials, a `POST` whose body is
//! not JSON (no handler can act on it), and, with `--header`, a `GET` of an
//! ID that does not exist.

use crate::model::api::{AnswerSeen, ProbePurpose};
use crate::model::{Origin, Sourced, StackModel};
use liveprobe::api::{ApiAnswer, ApiOutcome, ApiRequest};
use std::hash::{BuildHasher, Hasher};

/// The body of the malformed request: JSON cut short.
pub const MALFORMED_BODY: &str = "{\"stackdoctor\": ";

/// Longest excerpt of a body kept for the report.
const EXCERPT_CHARS: usize = 200;

/// The conformance requests for the endpoint `url`; `headers` (credentials)
/// go with the requests that need them.
pub fn requests(url: &str, headers: &[(String, String)]) -> Vec<ApiRequest> {
    let accept = ("Accept".to_string(), "application/json".to_string());
    let mut with_headers = headers.to_vec();
    with_headers.push(accept.clone());
    let mut requests = vec![
        ApiRequest {
            purpose: ProbePurpose::Unauthenticated.name().to_string(),
            method: "GET".to_string(),
            url: url.to_string(),
            headers: vec![accept],
            body: Vec::new(),
        },
        ApiRequest {
            purpose: ProbePurpose::Malformed.name().to_string(),
            method: "POST".to_string(),
            url: url.to_string(),
            headers: with_headers
                .iter()
                .cloned()
                .chain([("Content-Type".to_string(), "application/json".to_string())])
                .collect(),
            body: MALFORMED_BODY.as_bytes().to_vec(),
        },
    ];
    if !headers.is_empty() {
        requests.push(ApiRequest {
            purpose: ProbePurpose::UnknownId.name().to_string(),
            method: "GET".to_string(),
            url: format!("{}/{}", url.trim_end_matches('/'), random_uuid()),
            headers: with_headers,
            body: Vec::new(),
        });
    }
    requests
}

/// A random version-4 UUID (std's randomly keyed hasher as the source).
fn random_uuid() -> String {
    let random = || {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.finish()
    };
    let (a, b) = (random(), random());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// The answers as facts, and one note per request with its outcome.
pub fn load(model: &mut StackModel, answers: &[ApiAnswer]) {
    // Only requests with `--header` values ask for an unknown ID.
    let credentials = answers
        .iter()
        .any(|a| a.purpose == ProbePurpose::UnknownId.name());
    for answer in answers {
        let asked = format!("{} {}", answer.method, answer.url);
        let outcome = match &answer.outcome {
            ApiOutcome::Answered { status, .. } => format!("answered {status}"),
            ApiOutcome::Failed { error } => error.to_string(),
        };
        model.notes.push(Sourced::new(
            format!(
                "probe API ({}) {asked}: {outcome} ({} ms)",
                answer.purpose, answer.elapsed_ms
            ),
            Origin::Probe {
                probe: asked.clone(),
            },
        ));
        let (
            ApiOutcome::Answered {
                status,
                content_type,
                body,
                ..
            },
            Some(purpose),
        ) = (&answer.outcome, ProbePurpose::from_name(&answer.purpose))
        else {
            continue;
        };
        model.api.answers.push(AnswerSeen {
            purpose: Some(purpose),
            origin: Origin::Probe {
                probe: format!("{asked} → {status}"),
            },
            status: *status,
            content_type: content_type.clone(),
            body: serde_json::from_str(body).ok(),
            excerpt: body.chars().take(EXCERPT_CHARS).collect(),
            authenticated: purpose != ProbePurpose::Unauthenticated && credentials,
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_requests_cannot_change_data_and_credentials_go_only_where_needed() {
        let headers = vec![("Authorization".to_string(), "Bearer x".to_string())];
        let requests = super::requests("http://127.0.0.1:8000/api/items/", &headers);
        let methods: Vec<_> = requests.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["GET", "POST", "GET"]);
        assert!(requests[0]
            .headers
            .iter()
            .all(|(n, _)| n != "Authorization"));
        assert!(serde_json::from_slice::<serde_json::Value>(&requests[1].body).is_err());
        let id = requests[2].url.rsplit('/').next().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4", "{id}");
        assert!(requests[2]
            .url
            .starts_with("http://127.0.0.1:8000/api/items/"));
        assert_ne!(
            super::requests("http://h/x", &headers)[2].url,
            requests[2].url.replace("127.0.0.1:8000/api/items", "h/x"),
            "a new ID each time"
        );
        assert_eq!(super::requests("http://h/x", &[]).len(), 2);
    }
}
