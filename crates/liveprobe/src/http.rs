//! A small HTTP/1.1 client for `http://` and `https://` URLs, over
//! `std::net::TcpStream` (and rustls, see [`super::tls`], for `https://`).
//!
//! Built for probing broken services, so it never trusts the server: every
//! request has ONE deadline, and each step (name lookup, connect, write, each
//! read) gets only what is left of it. A server that trickles one byte at a
//! time cannot stretch the request past the deadline, and a body larger than
//! the cap is cut (the first bytes are kept) instead of being read to the end.
//! Errors say which phase failed, which is what a diagnosis needs.
//!
//! For `https://` the TLS handshake runs on the same stream under the same
//! deadline, and its failures (expired certificate, unknown issuer, wrong
//! name, a plain-HTTP port, a stalled handshake) are [`HttpError::Tls`].
//!
//! Out of scope: proxies, redirects, keep-alive (every request sends
//! `Connection: close`).

use super::tls::{self, Stream, TlsProblem};
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest status line plus headers accepted, so a server cannot make us buffer without end.
const MAX_HEAD: usize = 64 * 1024;
/// Longest chunk-size or trailer line accepted.
const MAX_LINE: usize = 4 * 1024;

/// Why a request failed, by the phase that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HttpError {
    /// The URL cannot be parsed.
    #[error("invalid URL: {message}")]
    InvalidUrl {
        /// What is wrong with it.
        message: String,
    },
    /// The URL asks for something this client does not do (`https://`, credentials).
    #[error("unsupported: {message}")]
    Unsupported {
        /// What is not supported.
        message: String,
    },
    /// The host name did not resolve (or not before the deadline).
    #[error("name lookup failed: {message}")]
    Dns {
        /// The resolver's answer.
        message: String,
    },
    /// Nothing listens there: the connection was refused.
    #[error("connection refused")]
    Refused,
    /// The network said the address cannot be reached (no route, network down).
    #[error("unreachable: {message}")]
    Unreachable {
        /// The system's error.
        message: String,
    },
    /// The TCP connection was not established before the deadline.
    #[error("connect timed out")]
    ConnectTimeout,
    /// Connected, but the response was not complete before the deadline.
    #[error("timed out after connecting ({received} bytes received{})", status_suffix(*.status))]
    Timeout {
        /// Bytes of response received before the deadline.
        received: usize,
        /// The status, when the status line had arrived.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
    /// The server reset or closed the connection before the response was complete.
    #[error("connection reset or closed by the server ({received} bytes received{})", status_suffix(*.status))]
    Reset {
        /// Bytes of response received before the connection ended.
        received: usize,
        /// The status, when the status line had arrived.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
    /// The server answered something that is not valid HTTP/1.x.
    #[error("bad response: {message}")]
    BadResponse {
        /// What is wrong with it.
        message: String,
    },
    /// The TLS handshake of an `https://` request failed: the certificate
    /// was refused, the port does not speak TLS, or the deadline passed.
    #[error("TLS handshake failed: {message}")]
    Tls {
        /// What kind of failure.
        problem: TlsProblem,
        /// rustls's words, or what happened.
        message: String,
    },
}

fn status_suffix(status: Option<u16>) -> String {
    status.map(|s| format!(", status {s}")).unwrap_or_default()
}

impl HttpError {
    /// Whether the failure was a deadline (connect or response).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            HttpError::ConnectTimeout
                | HttpError::Timeout { .. }
                | HttpError::Tls {
                    problem: TlsProblem::Timeout,
                    ..
                }
        )
    }
}

/// A parsed `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// `https://`: the request goes over TLS.
    pub tls: bool,
    /// Host name or IP address; IPv6 literals without brackets.
    pub host: String,
    /// Port (80 or 443 when the URL has none).
    pub port: u16,
    /// Path and query, always starting with `/`; no fragment.
    pub path: String,
}

impl Url {
    /// Parses `http[s]://host[:port][/path][?query][#fragment]`.
    pub fn parse(text: &str) -> Result<Url, HttpError> {
        let invalid = |message: &str| HttpError::InvalidUrl {
            message: format!("{message}: {text:?}"),
        };
        let text = text.trim();
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| invalid("no scheme (expected http://)"))?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "http" => false,
            "https" => true,
            other => {
                return Err(HttpError::Unsupported {
                    message: format!("scheme {other:?} (only http:// and https://)"),
                })
            }
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(HttpError::Unsupported {
                message: "credentials in the URL are not sent".to_string(),
            });
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (inside, after) = bracketed
                .split_once(']')
                .ok_or_else(|| invalid("unclosed [ in the host"))?;
            inside
                .parse::<Ipv6Addr>()
                .map_err(|_| invalid("not an IPv6 address in [ ]"))?;
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| invalid("junk after ]"))?,
                ),
            };
            (inside.to_string(), port)
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host.to_string(), Some(port)),
                None => (authority.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '[' || c == ']')
        {
            return Err(invalid("bad character in the host"));
        }
        let port = match port {
            None | Some("") if tls => 443,
            None | Some("") => 80,
            Some(p) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(invalid("bad port")),
                Ok(n) => n,
            },
        };
        let tail = tail.split('#').next().unwrap_or("");
        let path = if tail.starts_with('/') {
            tail.to_string()
        } else {
            format!("/{tail}")
        };
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("spaces or control characters in the path"));
        }
        // The request line is ASCII: send other characters percent-encoded.
        let path = path.chars().fold(String::new(), |mut out, c| {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut utf8 = [0u8; 4];
                for b in c.encode_utf8(&mut utf8).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        });
        Ok(Url {
            tls,
            host: host.to_ascii_lowercase(),
            port,
            path,
        })
    }

    /// This URL with `path` appended to its path (its query dropped):
    /// `http://h/app/` joined with `/health` is `http://h/app/health`.
    pub fn join(&self, path: &str) -> Url {
        let base = self.path.split('?').next().unwrap_or("");
        let base = base.trim_end_matches('/');
        let path = path.trim_start_matches('/');
        Url {
            tls: self.tls,
            host: self.host.clone(),
            port: self.port,
            path: format!("{base}/{path}"),
        }
    }

    /// `host[:port]` as sent in the `Host` header (brackets around IPv6, no
    /// default port).
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == self.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl Url {
    fn default_port(&self) -> u16 {
        if self.tls {
            443
        } else {
            80
        }
    }

    fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme(), self.authority(), self.path)
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `PUT`, `POST`, …
    pub method: String,
    /// Where to.
    pub url: Url,
    /// Extra headers (`Host`, `Content-Length` and `Connection` are added).
    pub headers: Vec<(String, String)>,
    /// The body; `Content-Length` is sent for it (also 0 for `POST`/`PUT`).
    pub body: Vec<u8>,
    /// Certificates trusted for `https://` besides the public web roots
    /// (a private CA; tests).
    pub extra_roots: Vec<CertificateDer<'static>>,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: &str, url: Url) -> Request {
        Request {
            method: method.to_string(),
            url,
            headers: Vec::new(),
            body: Vec::new(),
            extra_roots: Vec::new(),
        }
    }

    /// Also trusts `certificate` (DER) as a root for `https://`.
    pub fn trust(mut self, certificate: CertificateDer<'static>) -> Request {
        self.extra_roots.push(certificate);
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n",
            self.method,
            self.url.path,
            self.url.authority()
        );
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        if !has("user-agent") {
            head.push_str(concat!(
                "User-Agent: stackdoctor/",
                env!("CARGO_PKG_VERSION"),
                "\r\n"
            ));
        }
        if !has("accept") {
            head.push_str("Accept: */*\r\n");
        }
        for (name, value) in &self.headers {
            // A header value with a line break would smuggle a header in; drop it.
            if value.contains(['\r', '\n']) || name.contains(['\r', '\n', ':']) {
                continue;
            }
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.body.is_empty() || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH") {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A response, read to its end or to the body cap.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Reason phrase (may be empty).
    pub reason: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (decoded from chunked), at most the cap.
    pub body: Vec<u8>,
    /// The body was longer than the cap; the rest was not read.
    pub truncated: bool,
    /// From the start of the request to the end of reading.
    pub elapsed: Duration,
}

impl Response {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` and reads the response, all before `deadline`; keeps at
/// most `body_cap` bytes of body.
pub fn send(request: &Request, deadline: Instant, body_cap: usize) -> Result<Response, HttpError> {
    let start = Instant::now();
    let addrs = resolve(&request.url.host, request.url.port, deadline)?;
    let tcp = connect(&addrs, deadline)?;
    let stream = if request.url.tls {
        tls::handshake(tcp, &request.url.host, &request.extra_roots, deadline)?
    } else {
        Stream::Plain(tcp)
    };
    let mut conn = Conn {
        stream,
        deadline,
        buf: Vec::new(),
        pos: 0,
        received: 0,
        status: None,
    };
    conn.write_all(&request.to_bytes())?;
    let mut response = conn.read_response(request.method == "HEAD", body_cap)?;
    response.elapsed = start.elapsed();
    Ok(response)
}

pub(super) fn remaining(deadline: Instant) -> Option<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    // Socket timeouts of zero are rejected by std; treat sub-millisecond as spent.
    (left >= Duration::from_millis(1)).then_some(left)
}

/// Resolves on a helper thread so a hanging resolver cannot pass the deadline;
/// the thread is left to finish on its own if it is late.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, HttpError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    let spawned = std::thread::Builder::new()
        .name("stackdoctor-dns".to_string())
        .spawn(move || {
            let result = (name.as_str(), port)
                .to_socket_addrs()
                .map(|addrs| addrs.collect::<Vec<_>>());
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(HttpError::Dns {
            message: format!("cannot start the lookup: {e}"),
        });
    }
    let Some(left) = remaining(deadline) else {
        return Err(HttpError::Dns {
            message: format!("no time left to look up {host}"),
        });
    };
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(HttpError::Dns {
            message: format!("{host} has no addresses"),
        }),
        Ok(Err(e)) => Err(HttpError::Dns {
            message: format!("{host}: {e}"),
        }),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(HttpError::Dns {
            message: format!("looking up {host} did not finish before the deadline"),
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(HttpError::Dns {
            message: format!("looking up {host} failed"),
        }),
    }
}

/// Tries each address in turn. All but the last get half of the time left,
/// so one black-holed address (say, IPv6) cannot use up the whole deadline.
fn connect(addrs: &[SocketAddr], deadline: Instant) -> Result<TcpStream, HttpError> {
    let mut last = HttpError::ConnectTimeout;
    for (i, addr) in addrs.iter().enumerate() {
        let Some(left) = remaining(deadline) else {
            break;
        };
        let budget = if i + 1 < addrs.len() { left / 2 } else { left };
        match TcpStream::connect_timeout(addr, budget) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => {
                last = match e.kind() {
                    ErrorKind::ConnectionRefused => HttpError::Refused,
                    ErrorKind::TimedOut | ErrorKind::WouldBlock => HttpError::ConnectTimeout,
                    _ => HttpError::Unreachable {
                        message: e.to_string(),
                    },
                }
            }
        }
    }
    Err(last)
}

enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

/// A connection with a read buffer, bounded by the request's deadline.
struct Conn {
    stream: Stream,
    deadline: Instant,
    /// Bytes read and not yet consumed start at `pos`.
    buf: Vec<u8>,
    pos: usize,
    /// Total bytes received, for error reports.
    received: usize,
    /// The status, once parsed, for error reports.
    status: Option<u16>,
}

impl Conn {
    fn timeout(&self) -> HttpError {
        HttpError::Timeout {
            received: self.received,
            status: self.status,
        }
    }

    fn reset(&self) -> HttpError {
        HttpError::Reset {
            received: self.received,
            status: self.status,
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        let result = match &mut self.stream {
            Stream::Plain(stream) => write_plain(stream, bytes, self.deadline),
            Stream::Tls(tls) => tls.write_all(bytes, self.deadline),
        };
        result.map_err(|e| self.io_error(e))
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Reads once with what is left of the deadline; `Ok(0)` at end of stream.
    fn fill(&mut self) -> Result<usize, HttpError> {
        if self.pos > 0 && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        let result = match &mut self.stream {
            Stream::Plain(stream) => read_plain(stream, &mut chunk, self.deadline),
            Stream::Tls(tls) => tls.read(&mut chunk, self.deadline),
        };
        let n = result.map_err(|e| self.io_error(e))?;
        self.received += n;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    fn io_error(&self, e: IoFailure) -> HttpError {
        match e {
            IoFailure::Timeout => self.timeout(),
            IoFailure::Reset => self.reset(),
            IoFailure::Tls(e) => e,
        }
    }

    /// Reads up to and including the blank line after the headers.
    fn read_head(&mut self) -> Result<String, HttpError> {
        let mut searched = 0;
        loop {
            let avail = self.available();
            if avail.len() >= 5 && !avail.starts_with(b"HTTP/") {
                return Err(HttpError::BadResponse {
                    message: format!(
                        "not an HTTP response (starts with {})",
                        escape(&avail[..avail.len().min(16)])
                    ),
                });
            }
            if let Some(end) = find_head_end(avail, searched) {
                let head = String::from_utf8_lossy(&avail[..end]).into_owned();
                self.consume(end);
                return Ok(head);
            }
            // The terminator may straddle reads: search again from a little before the end.
            searched = avail.len().saturating_sub(3);
            if avail.len() > MAX_HEAD {
                return Err(HttpError::BadResponse {
                    message: format!("headers longer than {MAX_HEAD} bytes"),
                });
            }
            if self.fill()? == 0 {
                return Err(self.reset());
            }
        }
    }

    /// Reads one line (without its line break) of at most `MAX_LINE` bytes.
    fn read_line(&mut self) -> Result<String, HttpError> {
        loop {
            if let Some(nl) = self.available().iter().position(|&b| b == b'\n') {
                let line = String::from_utf8_lossy(&self.available()[..nl])
                    .trim_end_matches('\r')
                    .to_string();
                self.consume(nl + 1);
                return Ok(line);
            }
            if self.available().len() > MAX_LINE {
                return Err(HttpError::BadResponse {
                    message: "chunk line too long".to_string(),
                });
            }
            if self.fill()? == 0 {
                return Err(self.reset());
            }
        }
    }

    fn read_response(&mut self, head_request: bool, cap: usize) -> Result<Response, HttpError> {
        let (status, reason, headers) = loop {
            let head = self.read_head()?;
            let (status, reason, headers) = parse_head(&head)?;
            self.status = Some(status);
            // Interim responses (100 Continue, 103 Early Hints) precede the real one.
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            break (status, reason, headers);
        };
        let framing = framing(status, head_request, &headers)?;
        let mut body = Vec::new();
        let truncated = match framing {
            Framing::Empty => false,
            Framing::Length(len) => self.read_length(len, cap, &mut body)?,
            Framing::Chunked => self.read_chunked(cap, &mut body)?,
            Framing::UntilClose => self.read_until_close(cap, &mut body)?,
        };
        Ok(Response {
            status,
            reason,
            headers,
            body,
            truncated,
            elapsed: Duration::ZERO,
        })
    }

    /// Moves up to `want` bytes into `body`, reading if nothing is buffered.
    /// Returns how many were taken; 0 only at end of stream.
    fn take(&mut self, want: usize, body: &mut Vec<u8>) -> Result<usize, HttpError> {
        if self.available().is_empty() && self.fill()? == 0 {
            return Ok(0);
        }
        let n = want.min(self.available().len());
        body.extend_from_slice(&self.available()[..n]);
        self.consume(n);
        Ok(n)
    }

    fn read_length(&mut self, len: u64, cap: usize, body: &mut Vec<u8>) -> Result<bool, HttpError> {
        let keep = usize::try_from(len).unwrap_or(usize::MAX).min(cap);
        while body.len() < keep {
            if self.take(keep - body.len(), body)? == 0 {
                return Err(self.reset());
            }
        }
        Ok((keep as u64) < len)
    }

    fn read_chunked(&mut self, cap: usize, body: &mut Vec<u8>) -> Result<bool, HttpError> {
        loop {
            let line = self.read_line()?;
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(size_text, 16).map_err(|_| HttpError::BadResponse {
                message: format!("bad chunk size {:?}", truncate_text(&line, 40)),
            })?;
            if size == 0 {
                // Trailers end with a blank line; a server that closes instead is tolerated.
                loop {
                    match self.read_line() {
                        Ok(line) if line.is_empty() => return Ok(false),
                        Ok(_) => {}
                        Err(HttpError::Reset { .. }) => return Ok(false),
                        Err(e) => return Err(e),
                    }
                }
            }
            let mut left = size;
            while left > 0 {
                let room = cap - body.len();
                if room == 0 {
                    return Ok(true);
                }
                let want = usize::try_from(left).unwrap_or(usize::MAX).min(room);
                let n = self.take(want, body)?;
                if n == 0 {
                    return Err(self.reset());
                }
                left -= n as u64;
            }
            let end = self.read_line()?;
            if !end.is_empty() {
                return Err(HttpError::BadResponse {
                    message: "chunk data longer than its size".to_string(),
                });
            }
        }
    }

    fn read_until_close(&mut self, cap: usize, body: &mut Vec<u8>) -> Result<bool, HttpError> {
        loop {
            if body.len() == cap {
                // One byte more tells a body of exactly `cap` bytes from a longer one.
                if self.available().is_empty() && self.fill()? == 0 {
                    return Ok(false);
                }
                return Ok(true);
            }
            if self.take(cap - body.len(), body)? == 0 {
                return Ok(false);
            }
        }
    }
}

/// End of the head (after `\r\n\r\n`, or a bare `\n\n` from sloppy servers).
/// Why reading or writing the stream stopped.
pub(super) enum IoFailure {
    /// The deadline passed.
    Timeout,
    /// The peer reset or closed the connection.
    Reset,
    /// A TLS failure after the handshake (a bad record, an alert).
    Tls(HttpError),
}

fn write_plain(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> Result<(), IoFailure> {
    let mut written = 0;
    while written < bytes.len() {
        let left = remaining(deadline).ok_or(IoFailure::Timeout)?;
        stream
            .set_write_timeout(Some(left))
            .map_err(|_| IoFailure::Reset)?;
        match stream.write(&bytes[written..]) {
            Ok(0) => return Err(IoFailure::Reset),
            Ok(n) => written += n,
            Err(e) => classify_io(e)?,
        }
    }
    Ok(())
}

/// Reads once with what is left of the deadline; `Ok(0)` at end of stream.
pub(super) fn read_plain(
    stream: &mut TcpStream,
    chunk: &mut [u8],
    deadline: Instant,
) -> Result<usize, IoFailure> {
    loop {
        let left = remaining(deadline).ok_or(IoFailure::Timeout)?;
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| IoFailure::Reset)?;
        match stream.read(chunk) {
            Ok(n) => return Ok(n),
            Err(e) => classify_io(e)?,
        }
    }
}

/// `Ok` for an interrupted call (try again), else the failure.
pub(super) fn classify_io(e: std::io::Error) -> Result<(), IoFailure> {
    match e.kind() {
        ErrorKind::Interrupted => Ok(()),
        ErrorKind::WouldBlock | ErrorKind::TimedOut => Err(IoFailure::Timeout),
        _ => Err(IoFailure::Reset),
    }
}

fn find_head_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            if bytes.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

type Head = (u16, String, Vec<(String, String)>);

fn parse_head(head: &str) -> Result<Head, HttpError> {
    let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
    let status_line = lines.next().unwrap_or("");
    let bad = |message: String| HttpError::BadResponse { message };
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(bad(format!(
            "unsupported version in {:?}",
            truncate_text(status_line, 60)
        )));
    }
    let code = parts.next().unwrap_or("");
    let status = match code.parse::<u16>() {
        Ok(s) if code.len() == 3 && (100..=999).contains(&s) => s,
        _ => {
            return Err(bad(format!(
                "bad status line {:?}",
                truncate_text(status_line, 60)
            )))
        }
    };
    let reason = parts.next().unwrap_or("").trim().to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Obsolete line folding: continues the previous value.
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad(format!(
                "header line without a colon: {:?}",
                truncate_text(line, 60)
            )));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok((status, reason, headers))
}

fn framing(
    status: u16,
    head_request: bool,
    headers: &[(String, String)],
) -> Result<Framing, HttpError> {
    if head_request || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(Framing::Empty);
    }
    if let Some(last) = header_values(headers, "transfer-encoding").last() {
        // Chunked only when it is the final coding; otherwise the body runs to the close.
        return Ok(if last == "chunked" {
            Framing::Chunked
        } else {
            Framing::UntilClose
        });
    }
    let mut length = None;
    for value in header_values(headers, "content-length") {
        let n = value.parse::<u64>().map_err(|_| HttpError::BadResponse {
            message: format!("bad Content-Length {value:?}"),
        })?;
        if length.is_some_and(|l| l != n) {
            return Err(HttpError::BadResponse {
                message: "conflicting Content-Length headers".to_string(),
            });
        }
        length = Some(n);
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// Every comma-separated value of every header `name`, trimmed and lower-cased.
fn header_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = String> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
}

fn escape(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

fn truncate_text(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    #[derive(Clone)]
    enum Step {
        Write(Vec<u8>),
        Sleep(u64),
    }

    /// A server that reads one request head, then plays `steps` and closes.
    /// Returns the URL and a receiver for the request text it saw.
    fn script(steps: Vec<Step>) -> (String, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            while let Ok((mut stream, _)) = listener.accept() {
                let steps = steps.clone();
                let tx = tx.clone();
                thread::spawn(move || {
                    let request = read_request(&mut stream);
                    let _ = tx.send(request);
                    for step in steps {
                        match step {
                            Step::Write(bytes) => {
                                if stream.write_all(&bytes).is_err() {
                                    return;
                                }
                            }
                            Step::Sleep(ms) => thread::sleep(Duration::from_millis(ms)),
                        }
                    }
                });
            }
        });
        (format!("http://127.0.0.1:{port}"), rx)
    }

    fn read_request(stream: &mut TcpStream) -> String {
        let mut data = Vec::new();
        let mut byte = [0u8; 1024];
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        while find_head_end(&data, 0).is_none() {
            match stream.read(&mut byte) {
                Ok(0) | Err(_) => break,
                Ok(n) => data.extend_from_slice(&byte[..n]),
            }
        }
        let head = String::from_utf8_lossy(&data).into_owned();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let body_start = find_head_end(&data, 0).unwrap_or(data.len());
        while data.len() < body_start + length {
            match stream.read(&mut byte) {
                Ok(0) | Err(_) => break,
                Ok(n) => data.extend_from_slice(&byte[..n]),
            }
        }
        String::from_utf8_lossy(&data).into_owned()
    }

    fn get(url: &str, timeout_ms: u64, cap: usize) -> Result<Response, HttpError> {
        let url = Url::parse(url).expect("url");
        send(
            &Request::new("GET", url),
            Instant::now() + Duration::from_millis(timeout_ms),
            cap,
        )
    }

    fn w(text: &str) -> Step {
        Step::Write(text.as_bytes().to_vec())
    }

    #[test]
    fn parses_urls() {
        let u = Url::parse("http://localhost:8000").expect("ok");
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("localhost", 8000, "/")
        );
        let u = Url::parse("HTTP://Example.COM/a/b?x=1#frag").expect("ok");
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("example.com", 80, "/a/b?x=1")
        );
        let u = Url::parse("http://[fd00:ec2::254]/latest").expect("ok");
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("fd00:ec2::254", 80, "/latest")
        );
        assert_eq!(u.authority(), "[fd00:ec2::254]");
        let u = Url::parse("http://[::1]:8080?q").expect("ok");
        assert_eq!((u.port, u.path.as_str()), (8080, "/?q"));
        assert_eq!(u.to_string(), "http://[::1]:8080/?q");
        let u = Url::parse("http://h/チャット").expect("ok");
        assert_eq!(u.path, "/%E3%83%81%E3%83%A3%E3%83%83%E3%83%88");
        let u = Url::parse("HTTPS://Example.com/health").expect("https");
        assert_eq!(
            (u.tls, u.port, u.authority().as_str()),
            (true, 443, "example.com")
        );
        assert_eq!(u.to_string(), "https://example.com/health");
        let u = Url::parse("https://x:8443").expect("https");
        assert_eq!(u.join("/health").to_string(), "https://x:8443/health");
        let u = Url::parse("http://x:443/").expect("http on 443");
        assert_eq!((u.tls, u.authority().as_str()), (false, "x:443"));
        assert!(matches!(
            Url::parse("ftp://x/"),
            Err(HttpError::Unsupported { .. })
        ));
        assert!(matches!(
            Url::parse("http://u:p@x/"),
            Err(HttpError::Unsupported { .. })
        ));
        for bad in [
            "localhost:8000",
            "http://",
            "http://:80/",
            "http://x:99999/",
            "http://x:0/",
            "http://[::1/",
            "http://[zz]/",
            "http://x/a b",
        ] {
            assert!(
                matches!(Url::parse(bad), Err(HttpError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn joins_paths() {
        let base = Url::parse("http://h:1/app/?x").expect("ok");
        assert_eq!(base.join("/health").path, "/app/health");
        let root = Url::parse("http://h").expect("ok");
        assert_eq!(root.join("/").path, "/");
        assert_eq!(root.join("api/chat").path, "/api/chat");
    }

    #[test]
    fn sends_a_well_formed_request() {
        let (url, seen) = script(vec![w("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]);
        let url = Url::parse(&format!("{url}/p?q=1")).expect("url");
        let request = Request::new("POST", url.clone())
            .header("Content-Type", "application/json")
            .header("X-Bad", "a\r\nInjected: 1")
            .body("{}");
        let response =
            send(&request, Instant::now() + Duration::from_secs(5), 1024).expect("response");
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"ok");
        let text = seen
            .recv_timeout(Duration::from_secs(5))
            .expect("request seen");
        assert!(text.starts_with("POST /p?q=1 HTTP/1.1\r\n"), "{text}");
        assert!(text.contains(&format!("Host: 127.0.0.1:{}\r\n", url.port)));
        assert!(text.contains("Content-Length: 2\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.contains("Content-Type: application/json\r\n"));
        assert!(!text.contains("Injected"));
        assert!(text.ends_with("\r\n\r\n{}"));
    }

    #[test]
    fn reads_content_length_and_headers() {
        let (url, _) = script(vec![w(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Fold: a\r\n  b\r\ncontent-length: 7\r\n\r\n{\"a\":1}trailing junk",
        )]);
        let r = get(&url, 5000, 1024).expect("ok");
        assert_eq!((r.status, r.reason.as_str()), (201, "Created"));
        assert_eq!(r.header("CONTENT-TYPE"), Some("application/json"));
        assert_eq!(r.header("x-fold"), Some("a b"));
        assert_eq!(r.text(), "{\"a\":1}");
        assert!(!r.truncated);
    }

    #[test]
    fn reads_chunked_across_split_writes() {
        let (url, _) = script(vec![
            w("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r"),
            Step::Sleep(20),
            w("\n5;ext=1\r\nhel"),
            Step::Sleep(20),
            w("lo\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"),
        ]);
        let r = get(&url, 5000, 1024).expect("ok");
        assert_eq!(r.text(), "hello world");
        assert!(!r.truncated);
    }

    #[test]
    fn caps_chunked_and_close_delimited_bodies() {
        let (url, _) = script(vec![w(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n",
        )]);
        let r = get(&url, 5000, 7).expect("ok");
        assert_eq!((r.text().as_str(), r.truncated), ("hellowo", true));
        let (url, _) = script(vec![w("HTTP/1.0 200 OK\r\n\r\nexactly")]);
        let r = get(&url, 5000, 7).expect("ok");
        assert_eq!((r.text().as_str(), r.truncated), ("exactly", false));
        let (url, _) = script(vec![w("HTTP/1.0 200 OK\r\n\r\nexactly!")]);
        let r = get(&url, 5000, 7).expect("ok");
        assert_eq!((r.text().as_str(), r.truncated), ("exactly", true));
        let (url, _) = script(vec![w(
            "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nabcdefghij",
        )]);
        let r = get(&url, 5000, 4).expect("ok");
        assert_eq!((r.text().as_str(), r.truncated), ("abcd", true));
    }

    #[test]
    fn skips_interim_responses_and_honours_no_body_statuses() {
        let (url, _) = script(vec![w(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
        )]);
        let r = get(&url, 5000, 64).expect("ok");
        assert_eq!(r.status, 204);
        assert!(r.body.is_empty());
    }

    #[test]
    fn classifies_broken_responses() {
        let (url, _) = script(vec![]);
        assert_eq!(
            get(&url, 5000, 64).err(),
            Some(HttpError::Reset {
                received: 0,
                status: None
            })
        );
        let (url, _) = script(vec![w("SSH-2.0-OpenSSH_9.6\r\n")]);
        assert!(matches!(
            get(&url, 5000, 64),
            Err(HttpError::BadResponse { .. })
        ));
        let (url, _) = script(vec![w("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")]);
        assert!(matches!(
            get(&url, 5000, 64),
            Err(HttpError::Reset {
                status: Some(200),
                ..
            })
        ));
        let (url, _) = script(vec![w(
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        )]);
        assert!(matches!(
            get(&url, 5000, 64),
            Err(HttpError::BadResponse { .. })
        ));
        let (url, _) = script(vec![w(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        )]);
        assert!(matches!(
            get(&url, 5000, 64),
            Err(HttpError::BadResponse { .. })
        ));
        let (url, _) = script(vec![w("HTTP/1.1 2000 OK\r\n\r\n")]);
        assert!(matches!(
            get(&url, 5000, 64),
            Err(HttpError::BadResponse { .. })
        ));
    }

    #[test]
    fn a_stalled_body_times_out_with_the_status() {
        let (url, _) = script(vec![
            w("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"),
            Step::Sleep(3000),
        ]);
        let start = Instant::now();
        let err = get(&url, 300, 64).expect_err("times out");
        assert_eq!(
            err,
            HttpError::Timeout {
                received: 41,
                status: Some(200)
            }
        );
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn refused_and_dns_errors() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        assert_eq!(
            get(&format!("http://127.0.0.1:{port}/"), 2000, 64).err(),
            Some(HttpError::Refused)
        );
        let err = get("http://no-such-host.invalid/", 2000, 64).expect_err("no such host");
        assert!(matches!(err, HttpError::Dns { .. }), "{err:?}");
    }

    #[test]
    fn a_spent_deadline_fails_without_waiting() {
        let (url, _) = script(vec![w("HTTP/1.1 200 OK\r\n\r\n")]);
        let url = Url::parse(&url).expect("url");
        let err = send(&Request::new("GET", url), Instant::now(), 64).expect_err("no time");
        assert!(err.is_timeout(), "{err:?}");
    }

    #[test]
    fn errors_serialize_with_their_phase() {
        let json = serde_json::to_string(&HttpError::Timeout {
            received: 3,
            status: None,
        })
        .expect("json");
        assert_eq!(json, r#"{"kind":"timeout","received":3}"#);
        let json = serde_json::to_string(&HttpError::Dns {
            message: "x".into(),
        })
        .expect("json");
        assert_eq!(json, r#"{"kind":"dns","message":"x"}"#);
    }
}
