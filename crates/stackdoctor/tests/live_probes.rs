//! Live probes against real local servers speaking HTTP on 127.0.0.1: an IMDS
//! emulator in the modes that break containers on EC2, the seed's FastAPI
//! app, and misbehaving servers (hang, slowloris, 10 MB body, chunked).

use liveprobe::app::{probe_app, AppOptions, AppOutcome, AppProbe, ProbeKind};
use liveprobe::http::HttpError;
use liveprobe::imds::{
    imds_endpoint, probe_imds, ImdsVerdict, Reachability, RoleOutcome, TokenOutcome, V1Outcome,
};
use liveprobe::{run, ProbePlan};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- test server

/// A request as the test server saw it.
struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
enum Reply {
    Http {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Bytes as they are (for chunked and odd framings).
    Raw(Vec<u8>),
    /// Hold the connection open and never answer.
    Hang,
    /// Send these bytes one at a time, one every 100 ms.
    Trickle(Vec<u8>),
}

fn json(status: u16, body: &str) -> Reply {
    Reply::Http {
        status,
        content_type: "application/json",
        body: body.as_bytes().to_vec(),
    }
}

fn text(status: u16, body: &str) -> Reply {
    Reply::Http {
        status,
        content_type: "text/plain",
        body: body.as_bytes().to_vec(),
    }
}

/// Starts a server on 127.0.0.1:0; returns its base URL (`http://127.0.0.1:port`).
fn serve(handler: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("local addr").port();
    let handler = Arc::new(handler);
    thread::spawn(move || {
        while let Ok((stream, _)) = listener.accept() {
            let handler = Arc::clone(&handler);
            thread::spawn(move || handle(stream, &*handler));
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn handle(mut stream: TcpStream, handler: &(dyn Fn(&Req) -> Reply + Send + Sync)) {
    let Some(req) = read_request(&mut stream) else {
        return;
    };
    match handler(&req) {
        Reply::Http {
            status,
            content_type,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reason(status),
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Hang => thread::sleep(Duration::from_secs(30)),
        Reply::Trickle(bytes) => {
            for byte in bytes {
                if stream.write_all(&[byte]).is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Req> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = data[head_end..].to_vec();
    Some(Req {
        method,
        path,
        headers,
        body,
    })
}

/// A port nothing listens on.
fn refused_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

// ---------------------------------------------------------------- IMDS emulator

const ROLE: &str = "bedrock-ui-ec2-role";
const TOKEN: &str = "AQAEAFakeTokenForTests==";
const ACCESS_KEY: &str = "ASIAEXAMPLEEXAMPLE12";
const SECRET_KEY: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRET";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEFAKESESSIONTOKEN";

#[derive(Clone, Copy, PartialEq)]
enum Imds {
    /// Tokens optional, role attached.
    Normal,
    /// `HttpTokens=required`: GETs without a token get 401.
    V2Required,
    /// No instance profile: the credentials listing is 404.
    NoInstanceProfile,
    /// The token PUT never answers (hop limit 1 seen from a bridge network); IMDSv1 works.
    TokenHangs,
    /// The token PUT never answers and tokens are required.
    TokenHangsV2Required,
    /// The role exists but EC2 cannot assume it.
    RoleNotAssumable,
    /// Nothing ever answers.
    AllHang,
}

fn imds_server(mode: Imds) -> (String, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    let base = serve(move |req| {
        counter.fetch_add(1, Ordering::SeqCst);
        imds_reply(mode, req)
    });
    (format!("{base}/"), requests)
}

fn imds_reply(mode: Imds, req: &Req) -> Reply {
    if mode == Imds::AllHang {
        return Reply::Hang;
    }
    if req.method == "PUT" && req.path == "/latest/api/token" {
        if matches!(mode, Imds::TokenHangs | Imds::TokenHangsV2Required) {
            return Reply::Hang;
        }
        return match req.header("x-aws-ec2-metadata-token-ttl-seconds") {
            Some("21600") => text(200, TOKEN),
            _ => text(400, ""),
        };
    }
    if req.method != "GET" {
        return text(405, "");
    }
    match req.header("x-aws-ec2-metadata-token") {
        Some(TOKEN) => {}
        Some(_) => return text(401, ""),
        None if matches!(mode, Imds::V2Required | Imds::TokenHangsV2Required) => {
            return text(401, "")
        }
        None => {}
    }
    let no_profile = mode == Imds::NoInstanceProfile;
    match req.path.as_str() {
        "/latest/meta-data/iam/security-credentials/" if !no_profile => text(200, ROLE),
        "/latest/meta-data/iam/security-credentials/bedrock-ui-ec2-role" if !no_profile => {
            if mode == Imds::RoleNotAssumable {
                json(
                    200,
                    r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role bedrock-ui-ec2-role.","LastUpdated":"2026-05-01T00:00:00Z"}"#,
                )
            } else {
                json(
                    200,
                    &format!(
                        r#"{{"Code":"Success","LastUpdated":"2026-05-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}","Token":"{SESSION_TOKEN}","Expiration":"2026-05-01T06:00:00Z"}}"#
                    ),
                )
            }
        }
        "/latest/meta-data/iam/info" if !no_profile => json(
            200,
            r#"{"Code":"Success","LastUpdated":"2026-05-01T00:00:00Z","InstanceProfileArn":"arn:aws:iam::123456789012:instance-profile/bedrock-ui-ec2-role","InstanceProfileId":"AIPAEXAMPLE"}"#,
        ),
        "/latest/meta-data/placement/region" => text(200, "ap-northeast-1"),
        "/latest/dynamic/instance-identity/document" => json(
            200,
            r#"{"accountId":"123456789012","instanceId":"i-0123456789abcdef0","region":"ap-northeast-1","availabilityZone":"ap-northeast-1a"}"#,
        ),
        _ => text(404, ""),
    }
}

fn assert_no_secrets<T: serde::Serialize + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("serializes");
    let debug = format!("{value:?}");
    for secret in [TOKEN, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN] {
        assert!(!json.contains(secret), "{secret} in {json}");
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

const QUICK: Duration = Duration::from_secs(5);

#[test]
fn imds_normal_v2_gives_role_credentials_and_region() {
    let (endpoint, _) = imds_server(Imds::Normal);
    let report = probe_imds(&endpoint, QUICK);
    assert_eq!(report.reachability, Reachability::Answered);
    assert!(
        matches!(report.token, TokenOutcome::Issued { .. }),
        "{:?}",
        report.token
    );
    assert_eq!(report.imdsv1, V1Outcome::Allowed);
    assert_eq!(
        report.role,
        RoleOutcome::Role {
            name: ROLE.to_string()
        }
    );
    let credentials = report.credentials.clone().expect("credentials status");
    assert_eq!(credentials.code.as_deref(), Some("Success"));
    assert_eq!(
        credentials.expiration.as_deref(),
        Some("2026-05-01T06:00:00Z")
    );
    assert_eq!(
        credentials.last_updated.as_deref(),
        Some("2026-05-01T00:00:00Z")
    );
    assert_eq!(
        report.instance_profile_arn.as_deref(),
        Some("arn:aws:iam::123456789012:instance-profile/bedrock-ui-ec2-role")
    );
    assert_eq!(report.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(report.instance_id.as_deref(), Some("i-0123456789abcdef0"));
    assert_eq!(report.account_id.as_deref(), Some("123456789012"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.verdict, ImdsVerdict::CredentialsAvailable);
    assert_no_secrets(&report);
}

#[test]
fn imds_v2_required_refuses_v1_and_works_with_the_token() {
    let (endpoint, _) = imds_server(Imds::V2Required);
    let report = probe_imds(&endpoint, QUICK);
    assert_eq!(report.imdsv1, V1Outcome::TokenRequired);
    assert!(matches!(report.token, TokenOutcome::Issued { .. }));
    assert_eq!(
        report.role,
        RoleOutcome::Role {
            name: ROLE.to_string()
        }
    );
    assert!(report.credentials.as_ref().is_some_and(|c| c.is_success()));
    assert_eq!(report.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(report.verdict, ImdsVerdict::CredentialsAvailable);
    assert_no_secrets(&report);
}

#[test]
fn imds_without_instance_profile_says_so() {
    let (endpoint, _) = imds_server(Imds::NoInstanceProfile);
    let report = probe_imds(&endpoint, QUICK);
    assert_eq!(report.imdsv1, V1Outcome::Allowed);
    assert_eq!(report.role, RoleOutcome::NoInstanceProfile);
    assert!(report.credentials.is_none());
    assert!(report.instance_profile_arn.is_none());
    assert_eq!(report.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(report.verdict, ImdsVerdict::NoInstanceProfile);
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["role"]["state"], "no_instance_profile");
}

#[test]
fn imds_role_that_cannot_be_assumed() {
    let (endpoint, _) = imds_server(Imds::RoleNotAssumable);
    let report = probe_imds(&endpoint, QUICK);
    let credentials = report.credentials.clone().expect("credentials status");
    assert_eq!(
        credentials.code.as_deref(),
        Some("AssumeRoleUnauthorizedAccess")
    );
    assert!(credentials
        .message
        .as_deref()
        .is_some_and(|m| m.contains("cannot assume")));
    assert!(!credentials.is_success());
    assert_eq!(report.verdict, ImdsVerdict::RoleCredentialsFailed);
}

#[test]
fn imds_token_put_that_never_answers_is_the_hop_limit_symptom() {
    let timeout = Duration::from_millis(600);
    let (endpoint, _) = imds_server(Imds::TokenHangs);
    let start = Instant::now();
    let report = probe_imds(&endpoint, timeout);
    let took = start.elapsed();
    println!("token hangs, IMDSv1 works: {took:?} (timeout {timeout:?})");
    assert_eq!(report.token, TokenOutcome::Timeout { connected: true });
    assert_eq!(report.imdsv1, V1Outcome::Allowed);
    // The v1 follow-ups did not wait for the token.
    assert_eq!(
        report.role,
        RoleOutcome::Role {
            name: ROLE.to_string()
        }
    );
    assert!(report.credentials.as_ref().is_some_and(|c| c.is_success()));
    assert_eq!(report.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(report.verdict, ImdsVerdict::TokenUnreachableV1Fallback);
    assert!(took < timeout.mul_f64(1.5), "took {took:?}");
    assert_no_secrets(&report);
}

#[test]
fn imds_token_lost_with_tokens_required_means_no_credentials() {
    let timeout = Duration::from_millis(600);
    let (endpoint, _) = imds_server(Imds::TokenHangsV2Required);
    let start = Instant::now();
    let report = probe_imds(&endpoint, timeout);
    let took = start.elapsed();
    println!("token hangs, tokens required: {took:?} (timeout {timeout:?})");
    assert_eq!(report.reachability, Reachability::Answered);
    assert_eq!(report.token, TokenOutcome::Timeout { connected: true });
    assert_eq!(report.imdsv1, V1Outcome::TokenRequired);
    assert_eq!(report.role, RoleOutcome::Unknown);
    assert_eq!(report.verdict, ImdsVerdict::TokenUnreachableTokensRequired);
    assert!(took < timeout.mul_f64(1.5), "took {took:?}");
}

#[test]
fn imds_that_hangs_costs_one_timeout() {
    let timeout = Duration::from_millis(600);
    let (endpoint, requests) = imds_server(Imds::AllHang);
    let start = Instant::now();
    let report = probe_imds(&endpoint, timeout);
    let took = start.elapsed();
    println!(
        "IMDS all hang: {took:?} (timeout {timeout:?}, budget {:?})",
        timeout.mul_f64(1.1)
    );
    assert_eq!(report.reachability, Reachability::NoAnswer);
    assert_eq!(report.token, TokenOutcome::Timeout { connected: true });
    assert!(matches!(
        report.imdsv1,
        V1Outcome::NoAnswer {
            error: HttpError::Timeout { received: 0, .. }
        }
    ));
    assert_eq!(report.verdict, ImdsVerdict::NotReachable);
    // Token and IMDSv1 went out together; nothing followed.
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    assert!(took >= timeout.mul_f64(0.9), "gave up early: {took:?}");
    assert!(took < timeout.mul_f64(1.5), "took {took:?}");
    assert!(report.elapsed_ms <= u64::try_from(took.as_millis()).unwrap_or(u64::MAX));
}

#[test]
fn imds_refused() {
    let endpoint = format!("{}/", refused_base());
    let start = Instant::now();
    let report = probe_imds(&endpoint, QUICK);
    assert_eq!(report.reachability, Reachability::Refused);
    assert_eq!(report.token, TokenOutcome::Refused);
    assert_eq!(
        report.imdsv1,
        V1Outcome::NoAnswer {
            error: HttpError::Refused
        }
    );
    assert_eq!(report.verdict, ImdsVerdict::NotReachable);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn imds_endpoint_override_is_used() {
    let (endpoint, _) = imds_server(Imds::Normal);
    let env: HashMap<String, String> = [(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT".to_string(),
        endpoint.clone(),
    )]
    .into();
    let chosen = imds_endpoint(&env).expect("not disabled");
    assert_eq!(chosen, endpoint);
    assert_eq!(
        probe_imds(&chosen, QUICK).verdict,
        ImdsVerdict::CredentialsAvailable
    );
}

// ---------------------------------------------------------------- app emulator

const ROOT_BODY: &str = r#"{"message":"Bedrock UI API is running","region":"us-east-1","bedrock_client":"not initialized"}"#;
const CHAT_ERROR: &str = r#"{"detail":"An error occurred (AccessDeniedException) when calling the InvokeModel operation: User: arn:aws:sts::123456789012:assumed-role/bedrock-ui-ec2-role/i-0123456789abcdef0 is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0 because no identity-based policy allows the bedrock:InvokeModel action"}"#;

/// The seed's FastAPI backend; counts chat calls.
fn seed_app() -> (String, Arc<AtomicUsize>) {
    let chats = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&chats);
    let base = serve(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/") => json(200, ROOT_BODY),
        ("GET", "/health") => json(200, r#"{"status":"healthy"}"#),
        ("POST", "/api/chat") => {
            counter.fetch_add(1, Ordering::SeqCst);
            let body: serde_json::Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(_) => return json(422, r#"{"detail":[{"msg":"invalid json"}]}"#),
            };
            let well_formed = body["message"] == "ping"
                && body["conversation_history"]
                    .as_array()
                    .is_some_and(|a| a.is_empty())
                && req.header("content-type") == Some("application/json");
            if well_formed {
                json(500, CHAT_ERROR)
            } else {
                json(422, r#"{"detail":[{"msg":"field required"}]}"#)
            }
        }
        _ => json(404, r#"{"detail":"Not Found"}"#),
    });
    (base, chats)
}

fn find(probes: &[AppProbe], kind: ProbeKind) -> &AppProbe {
    probes
        .iter()
        .find(|p| p.kind == kind)
        .expect("probe of that kind")
}

fn opts(timeout: Duration, probe_chat: bool) -> AppOptions {
    AppOptions {
        probe_chat,
        timeout,
        ..AppOptions::default()
    }
}

#[test]
fn app_seed_shape_is_read() {
    let (base, chats) = seed_app();
    let probes = probe_app(&base, &opts(QUICK, true));
    assert_eq!(probes.len(), 3);
    let root = find(&probes, ProbeKind::Root)
        .response()
        .expect("root answered");
    assert_eq!(root.status, 200);
    assert_eq!(root.content_type.as_deref(), Some("application/json"));
    assert!(root.bedrock_client_not_initialized());
    assert_eq!(root.region.as_deref(), Some("us-east-1"));
    let health = find(&probes, ProbeKind::Health)
        .response()
        .expect("health answered");
    assert_eq!(health.status, 200);
    let chat = find(&probes, ProbeKind::Chat);
    assert_eq!(chat.method, "POST");
    assert!(chat.url.ends_with("/api/chat"));
    let chat = chat.response().expect("chat answered");
    assert_eq!(chat.status, 500, "{chat:?}");
    assert_eq!(chat.aws_errors, ["AccessDeniedException"]);
    assert!(chat
        .detail
        .as_deref()
        .is_some_and(|d| d.contains("bedrock:InvokeModel")));
    assert_eq!(chats.load(Ordering::SeqCst), 1);
}

#[test]
fn app_chat_is_not_called_unless_asked() {
    let (base, chats) = seed_app();
    let probes = probe_app(&format!("{base}/"), &opts(QUICK, false));
    assert_eq!(probes.len(), 2);
    assert!(probes.iter().all(|p| p.kind != ProbeKind::Chat));
    assert_eq!(chats.load(Ordering::SeqCst), 0);
}

#[test]
fn app_paths_are_configurable() {
    let base = serve(|req| match req.path.as_str() {
        "/api/" => json(200, r#"{"message":"up"}"#),
        "/api/healthz" => text(200, "ok"),
        _ => text(404, "no"),
    });
    let mut options = opts(QUICK, false);
    options.paths.root = "/api/".to_string();
    options.paths.health = "/api/healthz".to_string();
    let probes = probe_app(&base, &options);
    assert!(
        probes
            .iter()
            .all(|p| p.response().is_some_and(|r| r.status == 200)),
        "{probes:?}"
    );
}

#[test]
fn app_hang_slowloris_and_refused() {
    let timeout = Duration::from_millis(600);
    let hang = serve(|_| Reply::Hang);
    let slow =
        serve(|_| Reply::Trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec()));
    let refused = refused_base();
    for (base, name) in [(&hang, "hang"), (&slow, "slowloris"), (&refused, "refused")] {
        let start = Instant::now();
        let probes = probe_app(base, &opts(timeout, true));
        let took = start.elapsed();
        println!("app {name}: {took:?} (timeout {timeout:?})");
        assert_eq!(probes.len(), 3);
        assert!(took < timeout.mul_f64(1.5), "{name} took {took:?}");
        for probe in &probes {
            let AppOutcome::Failed { error } = &probe.outcome else {
                panic!("{name}: {probe:?} should fail");
            };
            match name {
                "hang" => assert_eq!(
                    error,
                    &HttpError::Timeout {
                        received: 0,
                        status: None
                    }
                ),
                "slowloris" => {
                    // One byte per 100 ms: a few bytes of the status line, never the end of the headers.
                    assert!(
                        matches!(error, HttpError::Timeout { received, status: None } if (2..=9).contains(received)),
                        "{error:?}"
                    );
                }
                _ => assert_eq!(error, &HttpError::Refused),
            }
        }
    }
}

#[test]
fn app_huge_body_is_capped() {
    let base = serve(|_| Reply::Http {
        status: 500,
        content_type: "text/html",
        body: vec![b'x'; 10 * 1024 * 1024],
    });
    let start = Instant::now();
    let probes = probe_app(&base, &opts(QUICK, false));
    let took = start.elapsed();
    println!("10 MB body, 64 KiB cap: {took:?}");
    for probe in &probes {
        let response = probe.response().expect("answered");
        assert_eq!(response.status, 500);
        assert!(response.truncated);
        assert_eq!(response.body_bytes, 64 * 1024);
        assert!(!response.json);
        assert!(response
            .excerpt
            .as_deref()
            .is_some_and(|e| e.starts_with("xxx")));
    }
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn app_chunked_responses() {
    let base = serve(|req| {
        let body = if req.path == "/" {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
             10\r\n{\"message\":\"Bedr\r\n\
             50\r\nock UI API is running\",\"region\":\"ap-northeast-1\",\"bedrock_client\":\"initialized\"}\r\n\
             0\r\n\r\n"
        } else {
            "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
        };
        Reply::Raw(body.as_bytes().to_vec())
    });
    let probes = probe_app(&base, &opts(QUICK, false));
    let root = find(&probes, ProbeKind::Root)
        .response()
        .expect("root answered");
    assert!(root.json, "{root:?}");
    assert_eq!(root.message.as_deref(), Some("Bedrock UI API is running"));
    assert_eq!(root.region.as_deref(), Some("ap-northeast-1"));
    assert!(!root.bedrock_client_not_initialized());
    let health = find(&probes, ProbeKind::Health)
        .response()
        .expect("health answered");
    assert_eq!((health.status, health.body_bytes), (503, 0));
}

#[test]
fn app_chunked_body_is_capped_too() {
    let base = serve(|_| {
        let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..64 {
            raw.extend_from_slice(b"400\r\n");
            raw.extend_from_slice(&[b'y'; 0x400]);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
        Reply::Raw(raw)
    });
    let mut options = opts(QUICK, false);
    options.body_cap = 10_000;
    let probes = probe_app(&base, &options);
    let root = find(&probes, ProbeKind::Root).response().expect("answered");
    assert!(root.truncated);
    assert_eq!(root.body_bytes, 10_000);
}

// ---------------------------------------------------------------- whole run

#[test]
fn run_with_everything_hanging_ends_by_the_deadline() {
    let timeout = Duration::from_millis(800);
    let (imds, _) = imds_server(Imds::AllHang);
    let hang = serve(|_| Reply::Hang);
    let slow = serve(|_| Reply::Trickle(vec![b'H'; 1000]));
    let (seed, _) = seed_app();
    let plan = ProbePlan {
        imds: Some(imds),
        apps: vec![hang, slow, seed],
        probe_chat: true,
        timeout,
        ..ProbePlan::default()
    };
    let start = Instant::now();
    let report = run(&plan);
    let took = start.elapsed();
    println!(
        "run, all hanging: {took:?} (timeout {timeout:?}, budget {:?}, reported {} ms)",
        timeout.mul_f64(1.1),
        report.elapsed_ms
    );
    assert!(took < timeout.mul_f64(1.5), "took {took:?}");
    assert!(took >= timeout.mul_f64(0.9), "gave up early: {took:?}");
    let imds = report.imds.as_ref().expect("imds probed");
    assert_eq!(imds.verdict, ImdsVerdict::NotReachable);
    assert_eq!(report.apps.len(), 3);
    assert!(report.apps[0].probes.iter().all(|p| matches!(
        p.outcome,
        AppOutcome::Failed {
            error: HttpError::Timeout { .. }
        }
    )));
    // The trickle sends `HHH…`: not HTTP.
    assert!(report.apps[1].probes.iter().all(|p| matches!(
        p.outcome,
        AppOutcome::Failed {
            error: HttpError::BadResponse { .. }
        }
    )));
    // The healthy app is not held back by the others.
    let seed_probes = &report.apps[2].probes;
    assert_eq!(seed_probes.len(), 3);
    assert!(
        seed_probes.iter().all(|p| p.response().is_some()),
        "{seed_probes:?}"
    );
    assert!(
        seed_probes.iter().all(|p| p.elapsed_ms < 500),
        "{seed_probes:?}"
    );
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["timeout_ms"], 800);
    assert_eq!(json["imds"]["reachability"]["state"], "no_answer");
    assert_eq!(
        json["apps"][0]["probes"][0]["outcome"]["error"]["kind"],
        "timeout"
    );
}

#[test]
fn run_on_a_healthy_stack_is_quick() {
    let (imds, _) = imds_server(Imds::V2Required);
    let (seed, chats) = seed_app();
    let plan = ProbePlan {
        imds: Some(imds),
        apps: vec![seed],
        timeout: QUICK,
        ..ProbePlan::default()
    };
    let report = run(&plan);
    assert!(report.elapsed_ms < 2000, "{}", report.elapsed_ms);
    assert_eq!(
        report.imds.as_ref().map(|r| r.verdict),
        Some(ImdsVerdict::CredentialsAvailable)
    );
    assert_eq!(report.apps[0].probes.len(), 2);
    assert_eq!(chats.load(Ordering::SeqCst), 0);
    assert_no_secrets(&report);
}
