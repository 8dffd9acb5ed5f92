//! TLS for `https://` probes: rustls (ring provider, the webpki root store)
//! driven by hand over the request's own `TcpStream`, so that the handshake
//! and every record read or written get only what is left of the request's
//! deadline, like plain HTTP does.
//!
//! A handshake failure is evidence, not noise: an expired certificate, an
//! issuer no root vouches for (self-signed), a certificate for another name,
//! a port that answers plain HTTP, a handshake that does not finish in time.
//! Each is a [`TlsProblem`] with rustls's own words.

use super::http::{classify_io, read_plain, remaining, HttpError, IoFailure};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore};
use serde::Serialize;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// What went wrong in a TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsProblem {
    /// The certificate's validity period has ended (or not begun).
    CertificateExpired,
    /// No trusted root issued the certificate (self-signed, private CA).
    UnknownIssuer,
    /// The certificate is for other host names.
    NameMismatch,
    /// Any other certificate refusal (bad signature, wrong purpose, …).
    BadCertificate,
    /// The server does not speak TLS on that port (it answered plain HTTP, say).
    NotTls,
    /// The server sent a TLS alert (it refused the handshake).
    Alert,
    /// The server closed the connection during the handshake.
    Closed,
    /// The handshake did not finish before the deadline.
    Timeout,
    /// Anything else rustls refused.
    Other,
}

/// An established TLS session over the request's TCP stream.
pub struct TlsStream {
    conn: ClientConnection,
    tcp: TcpStream,
    /// Records received but not yet taken by rustls.
    pending: Vec<u8>,
}

/// The request's stream: plain TCP, or TLS over it.
pub enum Stream {
    /// `http://`.
    Plain(TcpStream),
    /// `https://`.
    Tls(Box<TlsStream>),
}

fn tls_error(problem: TlsProblem, message: impl Into<String>) -> HttpError {
    HttpError::Tls {
        problem,
        message: message.into(),
    }
}

/// The public web roots.
fn web_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

fn config(extra_roots: &[CertificateDer<'static>]) -> Result<Arc<ClientConfig>, HttpError> {
    static DEFAULT: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    let build = |roots: RootCertStore| -> Result<Arc<ClientConfig>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    };
    let result = if extra_roots.is_empty() {
        DEFAULT.get_or_init(|| build(web_roots())).clone()
    } else {
        let mut roots = web_roots();
        for certificate in extra_roots {
            roots
                .add(certificate.clone())
                .map_err(|e| tls_error(TlsProblem::Other, format!("extra root: {e}")))?;
        }
        build(roots)
    };
    result.map_err(|e| tls_error(TlsProblem::Other, e))
}

/// What a rustls error means for the report.
fn classify(error: &rustls::Error) -> TlsProblem {
    match error {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => TlsProblem::CertificateExpired,
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::NameMismatch
            }
            _ => TlsProblem::BadCertificate,
        },
        rustls::Error::InvalidMessage(_) => TlsProblem::NotTls,
        rustls::Error::AlertReceived(_) => TlsProblem::Alert,
        _ => TlsProblem::Other,
    }
}

fn describe(problem: TlsProblem, host: &str, error: &rustls::Error) -> String {
    let what = match problem {
        TlsProblem::CertificateExpired => "the certificate has expired or is not yet valid",
        TlsProblem::UnknownIssuer => {
            "the certificate is not signed by a trusted CA (self-signed or a private CA)"
        }
        TlsProblem::NameMismatch => "the certificate is not valid for this host name",
        TlsProblem::BadCertificate => "the certificate was refused",
        TlsProblem::NotTls => "the server did not answer with TLS",
        TlsProblem::Alert => "the server refused the handshake",
        _ => "the handshake failed",
    };
    format!("{what} ({host}: {error})")
}

/// Runs the TLS handshake on `tcp` before `deadline`.
pub fn handshake(
    mut tcp: TcpStream,
    host: &str,
    extra_roots: &[CertificateDer<'static>],
    deadline: Instant,
) -> Result<Stream, HttpError> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| {
        tls_error(
            TlsProblem::Other,
            format!("{host} is not a valid TLS server name: {e}"),
        )
    })?;
    let mut conn = ClientConnection::new(config(extra_roots)?, name)
        .map_err(|e| tls_error(TlsProblem::Other, e.to_string()))?;
    let timeout = || {
        tls_error(
            TlsProblem::Timeout,
            format!("the handshake with {host} did not finish before the deadline"),
        )
    };
    let mut first_bytes: Option<Vec<u8>> = None;
    while conn.is_handshaking() {
        if conn.wants_write() {
            flush(&mut conn, &mut tcp, deadline).map_err(|e| match e {
                IoFailure::Timeout => timeout(),
                IoFailure::Reset => tls_error(
                    TlsProblem::Closed,
                    format!("{host} closed the connection during the handshake"),
                ),
                IoFailure::Tls(e) => e,
            })?;
            continue;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = read_plain(&mut tcp, &mut chunk, deadline).map_err(|e| match e {
            IoFailure::Timeout => timeout(),
            _ => tls_error(
                TlsProblem::Closed,
                format!("{host} reset the connection during the handshake"),
            ),
        })?;
        if first_bytes.is_none() {
            first_bytes = Some(chunk[..n.min(8)].to_vec());
        }
        if first_bytes
            .as_deref()
            .is_some_and(|b| b.starts_with(b"HTTP/"))
        {
            return Err(tls_error(
                TlsProblem::NotTls,
                format!("{host} answered plain HTTP to the TLS handshake (an http:// port?)"),
            ));
        }
        if n == 0 {
            return Err(tls_error(
                TlsProblem::Closed,
                format!("{host} closed the connection during the handshake"),
            ));
        }
        feed(&mut conn, &chunk[..n]).map_err(|e| {
            let problem = classify(&e);
            tls_error(problem, describe(problem, host, &e))
        })?;
    }
    // The client's last handshake flight (Finished) may still be queued.
    let mut stream = TlsStream {
        conn,
        tcp,
        pending: Vec::new(),
    };
    stream.flush_tls(deadline).map_err(|e| match e {
        IoFailure::Timeout => timeout(),
        IoFailure::Reset => tls_error(
            TlsProblem::Closed,
            format!("{host} closed the connection during the handshake"),
        ),
        IoFailure::Tls(e) => e,
    })?;
    Ok(Stream::Tls(Box::new(stream)))
}

/// Gives rustls every byte of `bytes`, processing records as they complete.
fn feed(conn: &mut ClientConnection, mut bytes: &[u8]) -> Result<(), rustls::Error> {
    while !bytes.is_empty() {
        // Reading from a slice cannot fail; rustls takes what its buffer holds.
        match conn.read_tls(&mut bytes) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        conn.process_new_packets()?;
    }
    Ok(())
}

/// Writes the queued TLS records, each write bounded by the deadline.
fn flush(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    deadline: Instant,
) -> Result<(), IoFailure> {
    while conn.wants_write() {
        let left = remaining(deadline).ok_or(IoFailure::Timeout)?;
        tcp.set_write_timeout(Some(left))
            .map_err(|_| IoFailure::Reset)?;
        match conn.write_tls(tcp) {
            Ok(0) => return Err(IoFailure::Reset),
            Ok(_) => {}
            Err(e) => classify_io(e)?,
        }
    }
    Ok(())
}

impl TlsStream {
    fn flush_tls(&mut self, deadline: Instant) -> Result<(), IoFailure> {
        flush(&mut self.conn, &mut self.tcp, deadline)
    }

    /// Encrypts and sends `bytes` before `deadline`.
    pub(super) fn write_all(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), IoFailure> {
        self.conn
            .writer()
            .write_all(bytes)
            .map_err(|_| IoFailure::Reset)?;
        self.flush_tls(deadline)
    }

    /// Reads some plaintext before `deadline`; `Ok(0)` at the end of the
    /// stream (a close without `close_notify` counts as the end too: many
    /// servers skip it after `Connection: close`).
    pub(super) fn read(&mut self, out: &mut [u8], deadline: Instant) -> Result<usize, IoFailure> {
        loop {
            match self.conn.reader().read(out) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(_) => return Err(IoFailure::Reset),
            }
            if self.pending.is_empty() {
                let mut chunk = [0u8; 16 * 1024];
                let n = read_plain(&mut self.tcp, &mut chunk, deadline)?;
                if n == 0 {
                    return Ok(0);
                }
                self.pending.extend_from_slice(&chunk[..n]);
            }
            // rustls takes what fits in its buffers; the rest waits for the
            // next round, after the caller has drained some plaintext.
            let mut unread = &self.pending[..];
            let taken = self.conn.read_tls(&mut unread).unwrap_or(0);
            self.pending.drain(..taken);
            if let Err(e) = self.conn.process_new_packets() {
                let problem = classify(&e);
                return Err(IoFailure::Tls(tls_error(problem, e.to_string())));
            }
            if taken == 0 {
                // rustls's buffer is full: hand out plaintext, or give up if
                // there is none (no progress is possible).
                return match self.conn.reader().read(out) {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(IoFailure::Reset),
                };
            }
            // Answers to the server's messages (key updates) go out at once.
            self.flush_tls(deadline)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{probe_app, AppOptions, AppOutcome};
    use crate::http::{send, Request, Url};
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use rustls::pki_types::PrivateKeyDer;
    use rustls::{ServerConfig, ServerConnection};
    use std::net::TcpListener;
    use std::thread;
    use std::time::Duration;

    /// A test CA: its certificate (to trust) and an issuer to sign leaves.
    struct TestCa {
        der: CertificateDer<'static>,
        issuer: Issuer<'static, KeyPair>,
    }

    fn test_ca() -> TestCa {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "stackdoctor test CA");
        let cert = params.self_signed(&key).expect("ca");
        TestCa {
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate for `names`, signed by `ca` (or self-signed), and its key.
    fn leaf(
        names: &[&str],
        ca: Option<&TestCa>,
        expired: bool,
    ) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().expect("key");
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("params");
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let cert = match ca {
            Some(ca) => params.signed_by(&key, &ca.issuer).expect("signed"),
            None => params.self_signed(&key).expect("self-signed"),
        };
        let key_der = PrivateKeyDer::Pkcs8(key.serialize_der().into());
        (cert.der().clone(), key_der)
    }

    /// An HTTPS server on 127.0.0.1 that answers every request with `body`.
    fn https_server(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>, body: &str) -> u16 {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = Arc::new(
            ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)
                .expect("server config"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let body = body.to_string();
        thread::spawn(move || {
            while let Ok((tcp, _)) = listener.accept() {
                let config = config.clone();
                let body = body.clone();
                thread::spawn(move || {
                    let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                    let conn = ServerConnection::new(config).expect("conn");
                    let mut tls = rustls::StreamOwned::new(conn, tcp);
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(answer.as_bytes());
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        port
    }

    /// A plain TCP server that plays `reply` (after reading a little) or stays silent.
    fn plain_server(reply: Option<&'static [u8]>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        thread::spawn(move || {
            while let Ok((mut tcp, _)) = listener.accept() {
                thread::spawn(move || {
                    let mut buf = [0u8; 1024];
                    let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                    let _ = tcp.read(&mut buf);
                    match reply {
                        Some(bytes) => {
                            let _ = tcp.write_all(bytes);
                        }
                        None => thread::sleep(Duration::from_secs(5)),
                    }
                });
            }
        });
        port
    }

    fn get(url: &str, roots: &[&CertificateDer<'static>]) -> Result<String, HttpError> {
        let mut request = Request::new("GET", Url::parse(url).expect("url"));
        for root in roots {
            request = request.trust((*root).clone());
        }
        let response = send(&request, Instant::now() + Duration::from_secs(5), 4096)?;
        Ok(format!("{} {}", response.status, response.text()))
    }

    fn problem(result: Result<String, HttpError>) -> TlsProblem {
        match result {
            Err(HttpError::Tls { problem, message }) => {
                assert!(!message.is_empty());
                problem
            }
            other => panic!("expected a TLS error, got {other:?}"),
        }
    }

    #[test]
    fn a_certificate_under_a_trusted_ca_is_probed_over_tls() {
        let ca = test_ca();
        let (cert, key) = leaf(&["localhost"], Some(&ca), false);
        let port = https_server(cert, key, r#"{"status":"healthy"}"#);
        let answer = get(&format!("https://localhost:{port}/health"), &[&ca.der]).expect("ok");
        assert_eq!(answer, r#"200 {"status":"healthy"}"#);
        // Without the test CA among the roots the same server is refused.
        let refused = get(&format!("https://localhost:{port}/health"), &[]);
        assert_eq!(problem(refused), TlsProblem::UnknownIssuer);
    }

    #[test]
    fn certificate_errors_are_named() {
        let ca = test_ca();
        let (cert, key) = leaf(&["localhost"], None, false);
        let self_signed = https_server(cert, key, "{}");
        let (cert, key) = leaf(&["localhost"], Some(&ca), true);
        let expired = https_server(cert, key, "{}");
        let (cert, key) = leaf(&["api.example.com"], Some(&ca), false);
        let wrong_name = https_server(cert, key, "{}");

        let err = get(&format!("https://localhost:{self_signed}/"), &[&ca.der]);
        assert_eq!(problem(err), TlsProblem::UnknownIssuer);
        let err = get(&format!("https://localhost:{expired}/"), &[&ca.der]);
        assert_eq!(problem(err), TlsProblem::CertificateExpired);
        let err = get(&format!("https://localhost:{wrong_name}/"), &[&ca.der]);
        let shown = err
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(problem(err), TlsProblem::NameMismatch);
        assert!(shown.contains("not valid for this host name"), "{shown}");
    }

    #[test]
    fn a_plain_http_port_and_a_silent_one() {
        let plain = plain_server(Some(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ));
        let err = get(&format!("https://127.0.0.1:{plain}/"), &[]);
        let shown = err
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(problem(err), TlsProblem::NotTls);
        assert!(shown.contains("plain HTTP"), "{shown}");

        let silent = plain_server(None);
        let start = Instant::now();
        let request = Request::new(
            "GET",
            Url::parse(&format!("https://127.0.0.1:{silent}/")).expect("url"),
        );
        let err = send(&request, Instant::now() + Duration::from_millis(300), 64)
            .expect_err("no handshake");
        assert!(err.is_timeout(), "{err:?}");
        assert!(matches!(
            err,
            HttpError::Tls {
                problem: TlsProblem::Timeout,
                ..
            }
        ));
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn app_probes_report_the_tls_failure() {
        let (cert, key) = leaf(&["localhost"], None, false);
        let port = https_server(cert, key, "{}");
        let probes = probe_app(
            &format!("https://localhost:{port}"),
            &AppOptions {
                timeout: Duration::from_secs(5),
                ..AppOptions::default()
            },
        );
        assert_eq!(probes.len(), 2);
        for probe in &probes {
            assert!(probe.url.starts_with("https://localhost:"), "{}", probe.url);
            let AppOutcome::Failed { error } = &probe.outcome else {
                panic!("{probe:?}");
            };
            let json = serde_json::to_value(error).expect("json");
            assert_eq!(json["kind"], "tls");
            assert_eq!(json["problem"], "unknown_issuer");
        }
    }
}
