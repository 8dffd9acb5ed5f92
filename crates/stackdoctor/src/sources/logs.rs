//! The log source: reads logs given with `--logs` (files or stdin) and
//! turns lines that match a known signature (`data/signatures/*.toml`)
//! into [`LogEvent`]s, naming the service that logged them and the
//! upstream host and port they mention.
//!
//! Understood line shapes: plain text, `docker compose logs` prefixes
//! (`web-1  | …`, `web_1  | …`), and JSON lines (Caddy's `msg`/`error`,
//! or any `message`/`msg` field).

use crate::error::Error;
use crate::knowledge::{signature_specs, SignatureSpec};
use crate::model::{FilePosition, LogEvent, Origin};
use crate::secrets::mask_patterns;
use regex::Regex;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A line longer than this is cut before matching, so one huge line cannot exhaust memory.
const MAX_LINE: usize = 64 * 1024;
/// At most this many events are kept per signature and service; counts go on.
const MAX_EVENTS_PER_KIND: usize = 50;

/// A compiled signature.
pub struct Signature {
    pub spec: SignatureSpec,
    pub regex: Regex,
}

/// All embedded signatures, compiled once.
pub fn signatures() -> &'static [Signature] {
    static COMPILED: OnceLock<Vec<Signature>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        signature_specs()
            .into_iter()
            .map(|(family, spec)| {
                let pattern = spec
                    .pattern
                    .clone()
                    .unwrap_or_else(|| regex::escape(&spec.literal));
                let regex = Regex::new(&pattern).unwrap_or_else(|e| {
                    panic!(
                        "signature {} in data/signatures/{family}.toml: {e}",
                        spec.id
                    )
                });
                Signature { spec, regex }
            })
            .collect()
    })
}

/// A `docker compose logs` prefix: `name-1  | ` (v2) or `name_1  | ` (v1).
fn compose_prefix() -> &'static Regex {
    static PREFIX: OnceLock<Regex> = OnceLock::new();
    PREFIX.get_or_init(|| {
        Regex::new(r"^(?P<service>[A-Za-z0-9][A-Za-z0-9_.\-]*?)(?:[-_](?P<n>[0-9]+))?\s+\|\s?")
            .expect("static regex")
    })
}

/// The text a signature is matched against, and the service named by a prefix.
pub fn split_line(line: &str) -> (Option<String>, String) {
    let (service, rest) = match compose_prefix().captures(line) {
        Some(c) => {
            let end = c.get(0).map_or(0, |m| m.end());
            let name = c["service"].to_string();
            // `docker compose logs` names the service; v1 names the container `<project>_<service>`.
            (Some(name), &line[end..])
        }
        None => (None, line),
    };
    let text = json_message(rest).unwrap_or_else(|| rest.to_string());
    (service, text)
}

/// For a JSON log line: its message, with the error field appended when both
/// exist, and for Caddy's error entries the status and request line.
fn json_message(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(trimmed).ok()?;
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let mut message = field("msg").or_else(|| field("message"))?;
    if let Some(error) = field("error") {
        message = format!("{message}: {error}");
    }
    if let Some(status) = value.get("status").and_then(|v| v.as_u64()) {
        let request = &value["request"];
        let part = |name: &str| {
            request
                .get(name)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
        };
        message = format!(
            "{message} (status {status}, {} {}{})",
            part("method"),
            part("host"),
            part("uri")
        );
    }
    Some(message)
}

/// Scans a reader and returns the events it holds. `name` is the file name
/// used in origins (`-` for stdin).
pub fn scan<R: Read>(name: &Path, reader: R) -> Result<Vec<LogEvent>, Error> {
    let mut reader = BufReader::new(reader);
    let mut events = Vec::new();
    let mut counts = std::collections::HashMap::new();
    let mut buffer = Vec::new();
    let mut line_number = 0u32;
    loop {
        buffer.clear();
        let read = read_capped_line(&mut reader, &mut buffer).map_err(|source| Error::Read {
            path: name.to_path_buf(),
            source,
        })?;
        if read == 0 {
            break;
        }
        line_number = line_number.saturating_add(1);
        let line = String::from_utf8_lossy(&buffer);
        let line = line.trim_end_matches(['\n', '\r']);
        let (service, text) = split_line(line);
        for signature in signatures() {
            if !text.contains(&signature.spec.literal) && !line.contains(&signature.spec.literal) {
                continue;
            }
            let Some(captures) = signature
                .regex
                .captures(&text)
                .or_else(|| signature.regex.captures(line))
            else {
                continue;
            };
            let service = captures
                .name("service")
                .map(|m| m.as_str().to_string())
                .or_else(|| service.clone());
            let count = counts
                .entry((signature.spec.id.clone(), service.clone()))
                .or_insert(0usize);
            *count += 1;
            if *count > MAX_EVENTS_PER_KIND {
                continue;
            }
            events.push(LogEvent {
                origin: Origin::Log(FilePosition {
                    file: name.to_path_buf(),
                    line: line_number,
                    column: 1,
                    length: 0,
                }),
                signature: signature.spec.id.clone(),
                causes: signature.spec.causes.clone(),
                service,
                host: captures
                    .name("host")
                    .map(|m| m.as_str().trim_matches(['[', ']']).to_string()),
                port: captures.name("port").and_then(|m| m.as_str().parse().ok()),
                text: mask_patterns(line),
                message: mask_patterns(&shorten(&text)),
            });
        }
    }
    Ok(events)
}

/// At most 200 characters of a message, for reports.
fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Reads one line into `buffer`, keeping at most [`MAX_LINE`] bytes of it.
fn read_capped_line<R: BufRead>(reader: &mut R, buffer: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match memchr_newline(available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let keep = MAX_LINE.saturating_sub(buffer.len()).min(chunk.len());
        buffer.extend_from_slice(&chunk[..keep]);
        let used = chunk.len();
        reader.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Reads every log input (`-` is stdin) into events.
pub fn load_logs(inputs: &[PathBuf]) -> Result<Vec<LogEvent>, Error> {
    let mut events = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            events.extend(scan(Path::new("<stdin>"), std::io::stdin().lock())?);
        } else {
            let file = std::fs::File::open(input).map_err(|source| Error::Read {
                path: input.clone(),
                source,
            })?;
            events.extend(scan(input, file)?);
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(text: &str) -> Vec<LogEvent> {
        scan(Path::new("test.log"), text.as_bytes()).unwrap()
    }

    /// Every example of every signature matches it, and no near miss matches it.
    #[test]
    fn signature_examples_match_and_near_misses_do_not() {
        for signature in signatures() {
            assert!(
                !signature.spec.examples.is_empty(),
                "{} has no example",
                signature.spec.id
            );
            for example in &signature.spec.examples {
                let events = scan_text(example);
                assert!(
                    events.iter().any(|e| e.signature == signature.spec.id),
                    "{}: example does not match: {example}",
                    signature.spec.id
                );
            }
            for miss in &signature.spec.near_misses {
                let events = scan_text(miss);
                assert!(
                    !events.iter().any(|e| e.signature == signature.spec.id),
                    "{}: near miss matches: {miss}",
                    signature.spec.id
                );
            }
        }
    }

    #[test]
    fn caddy_json_line_names_host_and_status_cause() {
        let line = r#"caddy-1  | {"level":"error","ts":1740659996.97,"logger":"http.log.error","msg":"dial tcp: lookup frontend on 127.0.0.11:53: no such host","status":502}"#;
        let events = scan_text(line);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].host.as_deref(), Some("frontend"));
        assert_eq!(events[0].service.as_deref(), Some("caddy"));
        assert_eq!(events[0].causes[0].0, "proxy-upstream-lookup-failed");
    }

    #[test]
    fn refused_lines_carry_host_and_port() {
        let events = scan_text("2026/11/20 10:00:00.000 ERROR http.log.error dial tcp 127.0.0.1:8000: connect: connection refused");
        assert_eq!(events[0].host.as_deref(), Some("127.0.0.1"));
        assert_eq!(events[0].port, Some(8000));
    }

    #[test]
    fn compose_exit_line_names_the_service() {
        let events = scan_text("web-1 exited with code 1\n");
        assert_eq!(events[0].service.as_deref(), Some("web"));
        assert_eq!(events[0].origin.position().unwrap().line, 1);
    }

    #[test]
    fn huge_lines_and_binary_do_not_break_the_scan() {
        let mut data = vec![b'x'; 3 * MAX_LINE];
        data.extend_from_slice(b"\n\xff\xfe\x00\nweb-1 exited with code 2\n");
        let events = scan(Path::new("bin.log"), data.as_slice()).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].origin.position().unwrap().line, 3);
    }

    #[test]
    fn secrets_in_log_lines_are_masked() {
        let events = scan_text("web-1  | django.db.utils.OperationalError: FATAL: password authentication failed; DATABASE_URL=postgres://app:hunter2@db/app");
        assert!(!events[0].text.contains("hunter2"), "{}", events[0].text);
    }
}
