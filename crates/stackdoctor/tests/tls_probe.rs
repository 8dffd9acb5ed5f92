//! `diagnose --url https://…`: the probe speaks TLS, and a certificate the
//! probe refuses is evidence of a finding, like a log line would be.

use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::PrivateKeyDer;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// An HTTPS server with a self-signed certificate for `localhost`, answering
/// `{"status":"ok"}`. (Expired and wrong-name certificates under a trusted
/// CA are tested in `live::tls`.)
fn https_server() -> u16 {
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        while let Ok((tcp, _)) = listener.accept() {
            let config = config.clone();
            thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut buf = [0u8; 2048];
                if matches!(tls.read(&mut buf), Ok(n) if n > 0) {
                    let body = r#"{"status":"ok"}"#;
                    let _ = write!(
                        tls,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
        }
    });
    port
}

fn diagnose(port: u16) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        format!("services:\n  web:\n    image: caddy:2\n    ports:\n      - \"{port}:443\"\n"),
    )
    .unwrap();
    let url = format!("https://localhost:{port}");
    let out = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir.path())
        .args(["diagnose", ".", "--url", &url, "--format", "json"])
        .args(["--probe-timeout", "5"])
        .env("NO_COLOR", "1")
        .env_remove("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn certificate_finding(report: &Value) -> Option<&Value> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["cause"] == "tls-certificate-invalid")
}

#[test]
fn a_self_signed_certificate_is_a_finding_with_the_probe_as_evidence() {
    let port = https_server();
    let report = diagnose(port);
    let finding = certificate_finding(&report).unwrap_or_else(|| panic!("{report:#}"));
    let evidence = finding["evidence"].to_string();
    assert!(evidence.contains("\"probe\""), "{finding:#}");
    assert!(
        evidence.contains("not signed by a trusted CA"),
        "{finding:#}"
    );
    assert!(
        evidence.contains(&format!("https://localhost:{port}/")),
        "{finding:#}"
    );
    assert!(
        finding["fix"].to_string().contains("openssl s_client"),
        "{finding:#}"
    );
}
