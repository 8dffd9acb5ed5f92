//! Log line shapes: compose prefixes, docker json-file, Caddy JSON, JSON lines, levels.
//!
//! Only candidate lines (and the few lines next to an open event) get here.

use crate::time;
use crate::Format;
use serde_json::{Map, Value};

/// A `docker compose logs` prefix: `web-1  | `. Returns (raw name, rest of line).
pub(crate) fn compose_prefix(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    let window = &raw[..raw.len().min(128)];
    let bar = memchr::memchr(b'|', window)?;
    let head = &raw[..bar];
    let name_end = head.iter().position(|&c| c == b' ')?;
    if name_end == 0 || head[name_end..].iter().any(|&c| c != b' ') {
        return None;
    }
    let name = &head[..name_end];
    if !name
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        return None;
    }
    let mut rest = &raw[bar + 1..];
    if rest.first() == Some(&b' ') {
        rest = &rest[1..];
    } else if !rest.is_empty() {
        return None;
    }
    Some((name, rest))
}

/// The service compose prints before `-N` / `_N`: `backend-web-1` → `backend-web`.
pub(crate) fn service_name(name: &[u8]) -> &[u8] {
    if let Some(p) = name.iter().rposition(|&c| c == b'-' || c == b'_') {
        let tail = &name[p + 1..];
        if p > 0 && !tail.is_empty() && tail.iter().all(u8::is_ascii_digit) {
            return &name[..p];
        }
    }
    name
}

/// The grouping key of a raw line: its compose service, if any. Cheap (no allocation).
pub(crate) fn group_key(raw: &[u8]) -> Option<&[u8]> {
    compose_prefix(raw).map(|(n, _)| service_name(n))
}

/// Where a parsed line's timestamp comes from (parsed only when an event is built).
#[derive(Debug, Clone)]
pub(crate) enum TsSource {
    None,
    Number(f64),
    Text(String),
}

/// A line after removing prefixes and JSON wrapping.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub service: Option<String>,
    pub format: Format,
    pub message: String,
    pub level: Option<String>,
    pub fields: Vec<(String, String)>,
    pub ts: TsSource,
}

impl Parsed {
    /// The timestamp in Unix milliseconds, if the line has one.
    pub(crate) fn timestamp(&self) -> Option<i64> {
        match &self.ts {
            TsSource::Number(n) => time::from_number(*n),
            TsSource::Text(s) => time::parse_at(s.as_bytes()).or_else(|| time::find_in_text(s)),
            TsSource::None => time::find_in_text(&self.message),
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A docker `-t` timestamp right after the compose prefix: `2026-11-21T09:30:01.123456789Z `.
fn docker_ts_prefix(rest: &[u8]) -> Option<usize> {
    if rest.len() < 21 || rest.get(10) != Some(&b'T') || !rest[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sp = memchr::memchr(b' ', &rest[..rest.len().min(40)])?;
    (rest[sp - 1] == b'Z').then_some(sp)
}

/// Parses a raw line (without its newline) into its parts.
pub(crate) fn parse_line(raw: &[u8]) -> Parsed {
    let mut service = None;
    let mut rest = raw;
    let mut compose = false;
    let mut ts = TsSource::None;
    if let Some((name, r)) = compose_prefix(raw) {
        service = Some(lossy(service_name(name)));
        rest = r;
        compose = true;
        if let Some(sp) = docker_ts_prefix(rest) {
            ts = TsSource::Text(lossy(&rest[..sp]));
            rest = &rest[sp + 1..];
        }
    }
    let trimmed = trim_ascii(rest);
    if trimmed.first() == Some(&b'{') && trimmed.last() == Some(&b'}') {
        if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(trimmed) {
            let mut p = from_json(obj);
            if compose {
                p.service = service.or(p.service);
                if matches!(p.ts, TsSource::None) {
                    p.ts = ts;
                }
            }
            return p;
        }
    }
    let message = lossy(rest);
    let level = detect_level(&message);
    Parsed {
        service,
        format: if compose {
            Format::ComposePrefix
        } else {
            Format::Plain
        },
        message,
        level,
        fields: Vec::new(),
        ts,
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e]
}

fn stringify(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn str_field<'a>(obj: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
}

fn ts_field(obj: &Map<String, Value>) -> TsSource {
    for k in ["ts", "time", "timestamp", "@timestamp", "t", "date"] {
        match obj.get(k) {
            Some(Value::Number(n)) => {
                if let Some(f) = n.as_f64() {
                    return TsSource::Number(f);
                }
            }
            Some(Value::String(s)) => return TsSource::Text(s.clone()),
            _ => {}
        }
    }
    TsSource::None
}

fn json_level(obj: &Map<String, Value>) -> Option<String> {
    str_field(obj, &["level", "severity", "levelname", "lvl", "log.level"])
        .map(str::to_ascii_uppercase)
}

fn json_fields(obj: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(s) = obj.get("status").and_then(stringify) {
        out.push(("status".to_string(), s));
    }
    if let Some(Value::Object(req)) = obj.get("request") {
        for k in ["host", "uri", "method"] {
            if let Some(s) = req.get(k).and_then(stringify) {
                out.push((format!("request.{k}"), s));
            }
        }
    }
    // `identifier` and `problem.detail`: the name and the certificate
    // authority's answer in Caddy's certificate (ACME) entries.
    for k in ["upstream", "logger", "identifier"] {
        if let Some(s) = obj.get(k).and_then(stringify) {
            out.push((k.to_string(), s));
        }
    }
    if let Some(Value::Object(problem)) = obj.get("problem") {
        if let Some(s) = problem.get("detail").and_then(stringify) {
            out.push(("problem.detail".to_string(), s));
        }
    }
    out
}

fn from_json(obj: Map<String, Value>) -> Parsed {
    // docker json-file: {"log":"...\n","stream":"stderr","time":"..."}
    if let Some(Value::String(log)) = obj.get("log") {
        if obj.contains_key("stream") || obj.contains_key("time") {
            let text = log.strip_suffix('\n').unwrap_or(log);
            let text = text.strip_suffix('\r').unwrap_or(text);
            let mut service = None;
            if let Some(Value::Object(attrs)) = obj.get("attrs") {
                service = str_field(attrs, &["com.docker.compose.service", "tag", "name"])
                    .map(str::to_string);
            }
            let ts = ts_field(&obj);
            let inner = parse_line(text.as_bytes());
            let (message, level, fields) = if inner.format != Format::Plain {
                (inner.message, inner.level, inner.fields)
            } else {
                let level = detect_level(text);
                (text.to_string(), level, Vec::new())
            };
            return Parsed {
                service: service.or(inner.service),
                format: Format::DockerJsonFile,
                message,
                level,
                fields,
                ts,
            };
        }
    }
    let msg = str_field(&obj, &["msg", "message", "MESSAGE", "Message"]);
    let error = str_field(&obj, &["error", "err"]);
    let message = match (msg, error) {
        (Some(m), Some(e)) => format!("{m}: {e}"),
        (Some(m), None) => m.to_string(),
        (None, Some(e)) => e.to_string(),
        (None, None) => Value::Object(obj.clone()).to_string(),
    };
    let caddy = obj.contains_key("logger") && obj.contains_key("ts")
        || str_field(&obj, &["logger"]).is_some_and(|l| l.starts_with("http."));
    let level = json_level(&obj).or_else(|| detect_level(&message));
    Parsed {
        service: None,
        format: if caddy {
            Format::CaddyJson
        } else {
            Format::JsonLines
        },
        level,
        fields: json_fields(&obj),
        ts: ts_field(&obj),
        message,
    }
}

const LEVELS: [&str; 13] = [
    "ERROR", "FATAL", "CRITICAL", "PANIC", "WARNING", "WARN", "INFO", "DEBUG", "TRACE", "NOTICE",
    "SEVERE", "EMERG", "ALERT",
];

/// Finds a level word near the start of a plain message: `ERROR`, `[error]`, `level=error`.
pub(crate) fn detect_level(message: &str) -> Option<String> {
    let b = &message.as_bytes()[..message.len().min(200)];
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() || b[i] == b'_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &message[s..i];
            if word.len() >= 4 && word.bytes().all(|c| c.is_ascii_uppercase()) {
                if let Some(l) = LEVELS.iter().find(|l| **l == word) {
                    return Some((*l).to_string());
                }
            }
            let lower = word.len() >= 4 && word.bytes().all(|c| c.is_ascii_lowercase());
            if lower {
                let bracketed = s > 0 && b[s - 1] == b'[' && b.get(i) == Some(&b']');
                let kv = s >= 6 && &b[s - 6..s] == b"level=";
                if bracketed || kv {
                    let up = word.to_ascii_uppercase();
                    let up = match up.as_str() {
                        "CRIT" => "CRITICAL".to_string(),
                        _ => up,
                    };
                    if LEVELS.contains(&up.as_str()) {
                        return Some(up);
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    None
}

/// True when a message starts like `ValueError: …`, `Error: …`, `java.io.IOException: …`.
fn starts_with_error_name(m: &str) -> bool {
    let end = m.find(": ").unwrap_or(0);
    if end == 0 || end > 120 {
        return false;
    }
    let name = &m[..end];
    (name.ends_with("Error") || name.ends_with("Exception"))
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
}

/// Does this line look like an error? (level, traceback, panic, exception)
pub(crate) fn looks_like_error(p: &Parsed) -> bool {
    if let Some(l) = &p.level {
        if matches!(
            l.as_str(),
            "ERROR"
                | "FATAL"
                | "CRITICAL"
                | "PANIC"
                | "DPANIC"
                | "SEVERE"
                | "EMERG"
                | "ALERT"
                | "CRIT"
        ) {
            return true;
        }
    }
    let m = &p.message;
    m.contains("Traceback (most recent call last)")
        || m.contains("panic:")
        || m.contains("Exception")
        || starts_with_error_name(m.trim_start())
}

pub(crate) const TRACEBACK: &str = "Traceback (most recent call last)";

/// Is this message the header of a Python traceback?
pub(crate) fn is_traceback_header(m: &str) -> bool {
    m.trim_start().starts_with(TRACEBACK)
}

/// Continuation of a Java/Node stack trace: `\tat …`, `    at …`, `Caused by: …`, `... 12 more`.
pub(crate) fn is_stack_continuation(m: &str) -> bool {
    let t = m.trim_start();
    let indented = t.len() < m.len();
    if t.starts_with("Caused by: ") {
        return true;
    }
    indented
        && (t.starts_with("at ")
            || t.starts_with("Suppressed: ")
            || t.starts_with("Caused by: ")
            || (t.starts_with("... ")
                && (t.ends_with(" more") || t.ends_with("common frames omitted"))))
}

/// Part of a Python traceback body (indented, or blank).
pub(crate) fn is_python_body(m: &str) -> bool {
    m.starts_with(' ') || m.starts_with('\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(group_key(b"web-1  | hello"), Some(&b"web"[..]));
        assert_eq!(group_key(b"web_1  | hello"), Some(&b"web"[..]));
        assert_eq!(
            group_key(b"backend-web-1 | hello"),
            Some(&b"backend-web"[..])
        );
        assert_eq!(group_key(b"web-1  |"), Some(&b"web"[..]));
        assert_eq!(group_key(b"2026-11-21 09:30:01.123 | ERROR | x"), None);
        assert_eq!(group_key(b"plain line | with bar"), None);
        assert_eq!(group_key(b"a|b"), None);
    }

    #[test]
    fn levels() {
        assert_eq!(
            detect_level("[2026-11-21 09:30:01 +0000] [7] [ERROR] Worker"),
            Some("ERROR".into())
        );
        assert_eq!(
            detect_level("2026/11/21 09:30:01 [error] 29#29: *1 connect()"),
            Some("ERROR".into())
        );
        assert_eq!(
            detect_level("time=x level=error msg=boom"),
            Some("ERROR".into())
        );
        assert_eq!(
            detect_level("2026-11-21 09:30:01.123 UTC [1] FATAL:  password"),
            Some("FATAL".into())
        );
        assert_eq!(detect_level("GET /index.html 200"), None);
        assert_eq!(detect_level("[crit] 1#1: x"), Some("CRITICAL".into()));
    }

    #[test]
    fn error_names() {
        assert!(starts_with_error_name("ValueError: bad"));
        assert!(starts_with_error_name("java.io.IOException: closed"));
        assert!(!starts_with_error_name("Some text: Error"));
    }
}
