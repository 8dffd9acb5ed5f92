//! A small blocking client of the Docker Engine API over its unix socket
//! (or `tcp://` without TLS): HTTP/1.1 with `Connection: close`, chunked and
//! sized bodies, one deadline per call (connect, write and every read get
//! what is left of it), a body cap, and the API version negotiated through
//! the unversioned `GET /version`.
//!
//! Where the engine is: `DOCKER_HOST`, else the active docker context
//! (`DOCKER_CONTEXT`, else `currentContext` of `~/.docker/config.json`; its
//! endpoint in `~/.docker/contexts/meta/*/meta.json`), else
//! `/var/run/docker.sock`.

use crate::Error;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The newest API version this client speaks: the engine's own if older.
pub const MAX_API_VERSION: (u32, u32) = (1, 47);

/// Where the engine listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// `host:port` (plain HTTP).
    Tcp(String),
}

impl Endpoint {
    /// `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2375`.
    pub fn parse(host: &str) -> Result<Endpoint, Error> {
        if let Some(path) = host.strip_prefix("unix://") {
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        if let Some(address) = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
        {
            return Ok(Endpoint::Tcp(address.trim_end_matches('/').to_string()));
        }
        Err(Error::Unsupported {
            what: format!("DOCKER_HOST {host} (only unix:// and tcp:// without TLS are read)"),
        })
    }

    pub fn display(&self) -> String {
        match self {
            Endpoint::Unix(path) => format!("unix://{}", path.display()),
            Endpoint::Tcp(address) => format!("tcp://{address}"),
        }
    }
}

/// The engine's endpoint as the docker CLI would pick it. `env` reads the
/// environment; `home` is the user's home folder.
pub fn endpoint_from(
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Endpoint, Error> {
    if let Some(host) = env("DOCKER_HOST").filter(|h| !h.is_empty()) {
        return Endpoint::parse(&host);
    }
    let config_dir = env("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".docker")));
    let context = env("DOCKER_CONTEXT").filter(|c| !c.is_empty()).or_else(|| {
        let config = read_small(&config_dir.as_ref()?.join("config.json"))?;
        let value: serde_json::Value = serde_json::from_str(&config).ok()?;
        value.get("currentContext")?.as_str().map(String::from)
    });
    if let (Some(context), Some(dir)) = (context.filter(|c| c != "default"), config_dir) {
        let meta = dir.join("contexts").join("meta");
        let entries = std::fs::read_dir(&meta).map_err(|_| Error::Unsupported {
            what: format!("docker context {context}: {} not found", meta.display()),
        })?;
        for entry in entries.flatten().take(1024) {
            let Some(text) = read_small(&entry.path().join("meta.json")) else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if value.get("Name").and_then(|n| n.as_str()) == Some(context.as_str()) {
                if let Some(host) = value
                    .pointer("/Endpoints/docker/Host")
                    .and_then(|h| h.as_str())
                {
                    return Endpoint::parse(host);
                }
            }
        }
        return Err(Error::Unsupported {
            what: format!(
                "docker context {context}: no endpoint in {}",
                meta.display()
            ),
        });
    }
    Ok(Endpoint::Unix(PathBuf::from("/var/run/docker.sock")))
}

fn read_small(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    file.take(1 << 20).read_to_string(&mut text).ok()?;
    Some(text)
}

/// A response: status, and the body (de-chunked, at most the cap).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
}

/// A client bound to one endpoint and one deadline.
#[derive(Debug, Clone)]
pub struct Client {
    pub endpoint: Endpoint,
    /// `v1.41`, once negotiated.
    pub version: Option<String>,
    pub deadline: Instant,
    /// Bytes kept of one response.
    pub body_cap: usize,
}

/// A connection to the engine.
enum Conn {
    Unix(std::os::unix::net::UnixStream),
    Tcp(std::net::TcpStream),
}

impl Conn {
    fn set_read_timeout(&self, left: Duration) -> std::io::Result<()> {
        match self {
            Conn::Unix(s) => s.set_read_timeout(Some(left)),
            Conn::Tcp(s) => s.set_read_timeout(Some(left)),
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Unix(s) => s.read(buf),
            Conn::Tcp(s) => s.read(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Unix(s) => s.write_all(buf),
            Conn::Tcp(s) => s.write_all(buf),
        }
    }
}

impl Client {
    pub fn new(endpoint: Endpoint, deadline: Instant) -> Client {
        Client {
            endpoint,
            version: None,
            deadline,
            body_cap: 8 << 20,
        }
    }

    fn left(&self) -> Result<Duration, Error> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(Error::Timeout)
        } else {
            Ok(left)
        }
    }

    fn connect(&self) -> Result<Conn, Error> {
        let left = self.left()?;
        let io = |e: std::io::Error| Error::Io {
            what: self.endpoint.display(),
            message: e.to_string(),
        };
        match &self.endpoint {
            Endpoint::Unix(path) => {
                // A unix connect does not block on a live listener; a full backlog fails at once.
                let stream = std::os::unix::net::UnixStream::connect(path).map_err(io)?;
                stream.set_write_timeout(Some(left)).map_err(io)?;
                Ok(Conn::Unix(stream))
            }
            Endpoint::Tcp(address) => {
                use std::net::ToSocketAddrs;
                let socket = address
                    .to_socket_addrs()
                    .map_err(io)?
                    .next()
                    .ok_or(Error::Io {
                        what: address.clone(),
                        message: "no address".into(),
                    })?;
                let stream = std::net::TcpStream::connect_timeout(&socket, left).map_err(io)?;
                stream.set_write_timeout(Some(self.left()?)).map_err(io)?;
                Ok(Conn::Tcp(stream))
            }
        }
    }

    /// `GET path` (the version prefix added when negotiated; `path` starts with `/`).
    pub fn get(&self, path: &str) -> Result<Response, Error> {
        self.request("GET", path, None)
    }

    /// `POST path` with a JSON body.
    pub fn post(&self, path: &str, body: &serde_json::Value) -> Result<Response, Error> {
        self.request("POST", path, Some(&body.to_string()))
    }

    fn request(&self, method: &str, path: &str, body: Option<&str>) -> Result<Response, Error> {
        let versioned = match &self.version {
            Some(v) => format!("/{v}{path}"),
            None => path.to_string(),
        };
        let mut stream = self.connect()?;
        let mut request = format!(
            "{method} {versioned} HTTP/1.1\r\nHost: docker\r\nUser-Agent: stackdoctor\r\nConnection: close\r\n"
        );
        if let Some(body) = body {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        } else {
            request.push_str("\r\n");
        }
        stream
            .write_all(request.as_bytes())
            .map_err(|e| self.io_error(e))?;
        let raw = self.read_all(&mut stream)?;
        parse_response(&raw.0, raw.1, self.body_cap)
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ) {
            Error::Timeout
        } else {
            Error::Io {
                what: self.endpoint.display(),
                message: e.to_string(),
            }
        }
    }

    /// Reads until the peer closes, the cap (plus headers) or the deadline.
    fn read_all(&self, stream: &mut Conn) -> Result<(Vec<u8>, bool), Error> {
        let cap = self.body_cap + 64 * 1024;
        let mut raw = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        loop {
            let left = self.left()?;
            stream
                .set_read_timeout(left)
                .map_err(|e| self.io_error(e))?;
            match stream.read(&mut buffer) {
                Ok(0) => return Ok((raw, false)),
                Ok(n) => {
                    raw.extend_from_slice(&buffer[..n]);
                    if raw.len() > cap {
                        return Ok((raw, true));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// Asks `/version` and settles on min(ours, the engine's), never below its minimum.
    pub fn negotiate(&mut self) -> Result<String, Error> {
        self.version = None;
        let response = self.get("/version")?;
        let value: serde_json::Value =
            serde_json::from_slice(&response.body).map_err(|e| Error::Reply {
                status: response.status,
                message: format!("/version is not JSON: {e}"),
            })?;
        if response.status != 200 {
            return Err(Error::Reply {
                status: response.status,
                message: message_of(&value),
            });
        }
        let theirs = value
            .get("ApiVersion")
            .and_then(|v| v.as_str())
            .and_then(parse_version)
            .unwrap_or((1, 24));
        let minimum = value
            .get("MinAPIVersion")
            .and_then(|v| v.as_str())
            .and_then(parse_version)
            .unwrap_or((1, 12));
        let chosen = theirs.min(MAX_API_VERSION).max(minimum);
        let version = format!("v{}.{}", chosen.0, chosen.1);
        self.version = Some(version.clone());
        Ok(version)
    }

    /// `GET path` as JSON; an engine error (`{"message": …}`) is an error.
    pub fn get_json(&self, path: &str) -> Result<serde_json::Value, Error> {
        let response = self.get(path)?;
        if response.truncated {
            return Err(Error::Reply {
                status: response.status,
                message: format!("{path}: answer over {} bytes", self.body_cap),
            });
        }
        let value: serde_json::Value =
            serde_json::from_slice(&response.body).map_err(|e| Error::Reply {
                status: response.status,
                message: format!("{path}: not JSON: {e}"),
            })?;
        if response.status >= 400 {
            return Err(Error::Reply {
                status: response.status,
                message: message_of(&value),
            });
        }
        Ok(value)
    }
}

fn message_of(value: &serde_json::Value) -> String {
    value
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("no message")
        .chars()
        .take(500)
        .collect()
}

fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim_start_matches('v').split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Splits an HTTP/1.1 response into status and body (de-chunked, capped).
pub fn parse_response(raw: &[u8], cut: bool, cap: usize) -> Result<Response, Error> {
    let bad = |message: &str| Error::Reply {
        status: 0,
        message: message.to_string(),
    };
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no complete HTTP header"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("no HTTP status"))?;
    let mut chunked = false;
    let mut length: Option<usize> = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok();
        }
    }
    let rest = &raw[end + 4..];
    let (mut body, mut truncated) = if chunked {
        dechunk(rest)
    } else {
        let take = length.unwrap_or(rest.len()).min(rest.len());
        (
            rest[..take].to_vec(),
            length.is_some_and(|l| l > rest.len()),
        )
    };
    truncated |= cut;
    if body.len() > cap {
        body.truncate(cap);
        truncated = true;
    }
    Ok(Response {
        status,
        body,
        truncated,
    })
}

/// A chunked body's data; `true` when it ends before the last chunk.
fn dechunk(mut rest: &[u8]) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (body, true);
        };
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return (body, true);
        };
        if size == 0 {
            return (body, false);
        }
        let start = line_end + 2;
        let end = start.saturating_add(size);
        if end > rest.len() {
            body.extend_from_slice(&rest[start..]);
            return (body, true);
        }
        body.extend_from_slice(&rest[start..end]);
        rest = rest.get(end + 2..).unwrap_or_default();
    }
}

/// `filters` query value: the JSON map, percent-encoded.
pub fn filters(map: &[(&str, Vec<String>)]) -> String {
    let object: serde_json::Map<String, serde_json::Value> = map
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
        .collect();
    percent(&serde_json::Value::Object(object).to_string())
}

/// Percent-encodes everything but unreserved characters.
pub fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_and_sized_bodies_are_read() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n";
        let r = parse_response(raw, false, 1024).unwrap();
        assert_eq!(
            (r.status, r.body.as_slice(), r.truncated),
            (200, &b"hello world"[..], false)
        );
        let raw = b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}extra";
        let r = parse_response(raw, false, 1024).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (404, &b"{}"[..]));
        let cut = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nabc",
            false,
            1024,
        )
        .unwrap();
        assert!(cut.truncated);
        assert_eq!(cut.body, b"abc");
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n", false, 10).is_err());
        let capped = parse_response(b"HTTP/1.1 200 OK\r\n\r\n0123456789", false, 4).unwrap();
        assert_eq!((capped.body.len(), capped.truncated), (4, true));
    }

    #[test]
    fn endpoints_follow_the_docker_cli() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            endpoint_from(&env(&[("DOCKER_HOST", "tcp://10.0.0.5:2375")]), None).unwrap(),
            Endpoint::Tcp("10.0.0.5:2375".into())
        );
        assert!(endpoint_from(&env(&[("DOCKER_HOST", "ssh://me@host")]), None).is_err());
        assert_eq!(
            endpoint_from(&env(&[]), None).unwrap(),
            Endpoint::Unix("/var/run/docker.sock".into())
        );
        // A context named in config.json, its endpoint in a meta.json under any folder name.
        let dir = std::env::temp_dir().join(format!("dockerengine-ctx-{}", std::process::id()));
        let meta = dir.join(".docker/contexts/meta/0123abcd");
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            dir.join(".docker/config.json"),
            r#"{"currentContext": "colima"}"#,
        )
        .unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"colima","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///home/me/.colima/docker.sock","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        assert_eq!(
            endpoint_from(&env(&[]), Some(&dir)).unwrap(),
            Endpoint::Unix("/home/me/.colima/docker.sock".into())
        );
        assert!(endpoint_from(&env(&[("DOCKER_CONTEXT", "nosuch")]), Some(&dir)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn versions_and_filters_are_encoded() {
        assert_eq!(parse_version("1.41"), Some((1, 41)));
        assert_eq!(
            filters(&[("label", vec!["com.docker.compose.project=shop".into()])]),
            "%7B%22label%22%3A%5B%22com.docker.compose.project%3Dshop%22%5D%7D"
        );
    }
}
