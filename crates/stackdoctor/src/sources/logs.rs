//! The log source: reads logs given with `--logs` (files or stdin) and
//! turns lines that match a known signature (`data/signatures/*.toml`)
//! into [`LogEvent`]s, naming the service that logged them and the
//! upstream host and port they mention.
//!
//! Understood line shapes: plain text, `docker compose logs` prefixes
//! (`web-1  | …`, `web_1  | …`), and JSON lines (Caddy's `msg`/`error`,
//! or any `message`/`msg` field).

use crate::error::Error;
use crate::knowledge::{load_signature_file, signature_specs, SignatureSpec};
use crate::model::{FilePosition, LogEvent, Origin, Sourced, UnrecognisedErrors};
use crate::report::logs::Scanned;
use crate::secrets::mask_patterns;
use regex::Regex;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A line longer than this is cut before matching, so one huge line cannot exhaust memory.
const MAX_LINE: usize = 64 * 1024;
/// At most this many events are kept per signature and service; counts go on.
const MAX_EVENTS_PER_KIND: usize = 50;

/// The signatures of one run: the embedded ones plus the user's files, compiled.
pub struct SignatureSet {
    pub specs: Vec<SignatureSpec>,
    regexes: Vec<Regex>,
}

impl SignatureSet {
    /// The embedded signatures and those of `user_files`.
    pub fn load(user_files: &[PathBuf]) -> Result<SignatureSet, Error> {
        let mut sources: Vec<(String, SignatureSpec)> = signature_specs()
            .into_iter()
            .map(|(family, spec)| (format!("data/signatures/{family}.toml"), spec))
            .collect();
        for path in user_files {
            for spec in load_signature_file(path)? {
                sources.push((path.display().to_string(), spec));
            }
        }
        let mut specs = Vec::with_capacity(sources.len());
        let mut regexes = Vec::with_capacity(sources.len());
        for (file, spec) in sources {
            let pattern = spec
                .pattern
                .clone()
                .unwrap_or_else(|| regex::escape(&spec.literal));
            let regex = Regex::new(&pattern).map_err(|e| {
                Error::Usage(format!(
                    "{file}: signature {}: invalid pattern: {e}",
                    spec.id
                ))
            })?;
            specs.push(spec);
            regexes.push(regex);
        }
        Ok(SignatureSet { specs, regexes })
    }

    /// Each signature's regular expression (an escaped literal where it has none), for `rg -f`.
    pub fn export_patterns(&self) -> String {
        self.regexes
            .iter()
            .map(|r| format!("{}\n", r.as_str()))
            .collect()
    }
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

/// What a scan found: events (a bounded sample per signature and service),
/// full counts, and the error-looking lines no signature knows.
#[derive(Debug, Default)]
pub struct LogScan {
    pub events: Vec<LogEvent>,
    /// Every match counted per (signature, service), also past the sample limit.
    pub counts: BTreeMap<(String, Option<String>), u64>,
    pub unrecognised: UnrecognisedErrors,
    pub scanned: Scanned,
}

/// Unrecognised error lines kept as samples.
const UNRECOGNISED_SAMPLES: usize = 5;

impl LogScan {
    /// Records a line that signature `index` of `set` matched.
    fn add_match(&mut self, set: &SignatureSet, index: usize, line: &MatchedLine<'_>) {
        let spec = &set.specs[index];
        let captures = set.regexes[index]
            .captures(line.message)
            .or_else(|| set.regexes[index].captures(line.raw));
        let capture = |name: &str| {
            captures
                .as_ref()
                .and_then(|c| c.name(name))
                .map(|m| m.as_str().to_string())
        };
        let service = capture("service").or_else(|| line.service.clone());
        let count = self
            .counts
            .entry((spec.id.clone(), service.clone()))
            .or_insert(0);
        *count += 1;
        if *count > MAX_EVENTS_PER_KIND as u64 {
            return;
        }
        self.events.push(LogEvent {
            origin: line.origin.clone(),
            signature: spec.id.clone(),
            causes: spec.causes.clone(),
            service,
            host: capture("host").map(|h| h.trim_matches(['[', ']']).to_string()),
            port: capture("port").and_then(|p| p.parse().ok()),
            text: mask_patterns(line.raw),
            message: mask_patterns(&shorten(line.message)),
            timestamp: line.timestamp,
        });
    }

    /// Records an error-looking line no signature matched.
    fn add_unrecognised(&mut self, origin: &Origin, message: &str) {
        self.unrecognised.count += 1;
        if self.unrecognised.samples.len() < UNRECOGNISED_SAMPLES {
            self.unrecognised.samples.push(Sourced::new(
                mask_patterns(&shorten(message)),
                origin.clone(),
            ));
        }
    }
}

/// A line (or grouped event) as the scanner saw it.
struct MatchedLine<'a> {
    origin: Origin,
    service: Option<String>,
    /// The line as written.
    raw: &'a str,
    /// Its message: prefixes and JSON wrapping removed.
    message: &'a str,
    timestamp: Option<i64>,
}

/// Whether a line no signature knows looks like an error worth reporting.
fn looks_like_error(message: &str) -> bool {
    [
        "ERROR",
        "FATAL",
        "CRITICAL",
        "Traceback (most recent call last)",
        "panic:",
        "\"level\":\"error\"",
    ]
    .iter()
    .any(|marker| message.contains(marker))
}

/// Scans a reader into `scan`. `name` is the file name used in origins.
pub fn scan_reader<R: Read>(
    name: &Path,
    reader: R,
    set: &SignatureSet,
    scan: &mut LogScan,
) -> Result<(), Error> {
    let mut reader = BufReader::new(reader);
    let mut buffer = Vec::new();
    let mut line_number = 0u32;
    scan.scanned.files += 1;
    loop {
        buffer.clear();
        let read = read_capped_line(&mut reader, &mut buffer).map_err(|source| Error::Read {
            path: name.to_path_buf(),
            source,
        })?;
        if read == 0 {
            break;
        }
        scan.scanned.bytes += read as u64;
        scan.scanned.lines += 1;
        line_number = line_number.saturating_add(1);
        let raw = String::from_utf8_lossy(&buffer);
        let raw = raw.trim_end_matches(['\n', '\r']);
        let (service, message) = split_line(raw);
        let line = MatchedLine {
            origin: Origin::Log(FilePosition {
                file: name.to_path_buf(),
                line: line_number,
                column: 1,
                length: 0,
            }),
            service,
            raw,
            message: &message,
            timestamp: None,
        };
        let mut matched = false;
        for (index, spec) in set.specs.iter().enumerate() {
            let candidate = message.contains(&spec.literal) || raw.contains(&spec.literal);
            if candidate
                && (set.regexes[index].is_match(&message) || set.regexes[index].is_match(raw))
            {
                scan.add_match(set, index, &line);
                matched = true;
            }
        }
        if !matched && looks_like_error(raw) {
            scan.add_unrecognised(&line.origin, &message);
        }
    }
    Ok(())
}

/// Scans every log input (`-` is stdin).
pub fn scan_inputs(inputs: &[PathBuf], set: &SignatureSet) -> Result<LogScan, Error> {
    let mut scan = LogScan::default();
    for input in inputs {
        if input.as_os_str() == "-" {
            scan_reader(
                Path::new("<stdin>"),
                std::io::stdin().lock(),
                set,
                &mut scan,
            )?;
        } else {
            let file = std::fs::File::open(input).map_err(|source| Error::Read {
                path: input.clone(),
                source,
            })?;
            scan_reader(input, file, set, &mut scan)?;
        }
    }
    Ok(scan)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(text: &str) -> Vec<LogEvent> {
        scan_with(&SignatureSet::load(&[]).unwrap(), text.as_bytes()).events
    }

    fn scan_with(set: &SignatureSet, bytes: &[u8]) -> LogScan {
        let mut scan = LogScan::default();
        scan_reader(Path::new("test.log"), bytes, set, &mut scan).unwrap();
        scan
    }

    /// Every example of every signature matches it, and no near miss matches it.
    #[test]
    fn signature_examples_match_and_near_misses_do_not() {
        let set = SignatureSet::load(&[]).unwrap();
        for signature in &set.specs {
            assert!(
                !signature.examples.is_empty(),
                "{} has no example",
                signature.id
            );
            for example in &signature.examples {
                let events = scan_text(example);
                assert!(
                    events.iter().any(|e| e.signature == signature.id),
                    "{}: example does not match: {example}",
                    signature.id
                );
            }
            assert!(
                !signature.near_misses.is_empty(),
                "{} has no near miss",
                signature.id
            );
            for (cause, weight) in &signature.causes {
                assert!(
                    crate::knowledge::catalogue().cause(cause).is_some(),
                    "{}: unknown cause {cause}",
                    signature.id
                );
                assert!(
                    (1..=100).contains(weight),
                    "{}: weight {weight}",
                    signature.id
                );
            }
            for miss in &signature.near_misses {
                let events = scan_text(miss);
                assert!(
                    !events.iter().any(|e| e.signature == signature.id),
                    "{}: near miss matches: {miss}",
                    signature.id
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
        let events = scan_with(&SignatureSet::load(&[]).unwrap(), &data).events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].origin.position().unwrap().line, 3);
    }

    #[test]
    fn secrets_in_log_lines_are_masked() {
        let events = scan_text("web-1  | django.db.utils.OperationalError: FATAL: password authentication failed; DATABASE_URL=postgres://app:hunter2@db/app");
        assert!(!events[0].text.contains("hunter2"), "{}", events[0].text);
    }
}
