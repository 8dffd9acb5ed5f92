//! The log source: scans logs given with `--logs` (files, folders, `.gz`,
//! stdin) with the `logscan` engine in one pass over all signatures
//! (`data/signatures/*.toml` plus the user's), and turns matches into
//! [`LogEvent`]s naming the service that logged them and the upstream host
//! and port they mention. Log shapes (compose prefixes, docker json-file,
//! Caddy JSON, JSON lines, tracebacks) are the engine's business.

use crate::error::Error;
use crate::knowledge::{load_signature_file, signature_specs, SignatureSpec};
pub use crate::model::logs::{InputNote, InputNoteKind, Scanned};
use crate::model::{FilePosition, LogEvent, Origin, Sourced, UnrecognisedErrors};
use crate::secrets::{mask_patterns, mask_then_shorten};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// At most this many events are kept per signature and service; counts go on.
const MAX_EVENTS_PER_KIND: usize = 50;

/// The signatures of one run: the embedded ones plus the user's files, compiled.
pub struct SignatureSet {
    pub specs: Vec<SignatureSpec>,
    patterns: Vec<String>,
    /// Compiled on first use: a run without logs or probes needs none.
    regexes: Vec<std::sync::OnceLock<Regex>>,
}

/// How many times the signature library was loaded in this process (for
/// the test that a diagnosis of files alone loads none).
static LOADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The signature library of one run, loaded the first time logs or probe
/// answers need it: a diagnosis of files alone parses none of it. Files the
/// user names are checked at once, so a bad one is a usage error either way.
pub struct Signatures<'a> {
    user_files: &'a [PathBuf],
    set: std::sync::OnceLock<SignatureSet>,
}

impl<'a> Signatures<'a> {
    pub fn new(user_files: &'a [PathBuf]) -> Result<Signatures<'a>, Error> {
        let signatures = Signatures {
            user_files,
            set: std::sync::OnceLock::new(),
        };
        if !user_files.is_empty() {
            signatures.get()?;
        }
        Ok(signatures)
    }

    pub fn get(&self) -> Result<&SignatureSet, Error> {
        if let Some(set) = self.set.get() {
            return Ok(set);
        }
        let set = SignatureSet::load(self.user_files)?;
        Ok(self.set.get_or_init(|| set))
    }
}

impl SignatureSet {
    /// How many times [`SignatureSet::load`] ran in this process.
    pub fn loads() -> usize {
        LOADS.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The embedded signatures and those of `user_files`.
    pub fn load(user_files: &[PathBuf]) -> Result<SignatureSet, Error> {
        LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
        let mut patterns = Vec::with_capacity(sources.len());
        for (file, spec) in sources {
            let pattern = spec
                .pattern
                .clone()
                .unwrap_or_else(|| regex::escape(&spec.literal));
            // The syntax is checked now, so a bad user pattern is exit 2 at once.
            regex_syntax::Parser::new().parse(&pattern).map_err(|e| {
                Error::Usage(format!(
                    "{file}: signature {}: invalid pattern: {e}",
                    spec.id
                ))
            })?;
            specs.push(spec);
            patterns.push(pattern);
        }
        let regexes = patterns
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Ok(SignatureSet {
            specs,
            patterns,
            regexes,
        })
    }

    /// Signature `index`'s regex, compiled on first use. A pattern whose
    /// syntax passed but that exceeds the compiled-size limit matches nothing.
    fn regex(&self, index: usize) -> &Regex {
        self.regexes[index].get_or_init(|| {
            Regex::new(&self.patterns[index])
                .unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("static regex"))
        })
    }

    /// The matches of one line that count: none whose `unless` literals the
    /// line contains, and a fallback only when no other signature is left,
    /// the most specific one (longest literal) of those that match.
    fn counted(&self, matches: &[usize], text: &str) -> Vec<usize> {
        let kept: Vec<usize> = matches
            .iter()
            .copied()
            .filter(|&i| {
                !self.specs[i]
                    .unless
                    .iter()
                    .any(|u| text.contains(u.as_str()))
            })
            .collect();
        if kept.iter().any(|&i| !self.specs[i].fallback) {
            return kept
                .into_iter()
                .filter(|&i| !self.specs[i].fallback)
                .collect();
        }
        kept.into_iter()
            .max_by_key(|&i| (self.specs[i].literal.len(), std::cmp::Reverse(i)))
            .into_iter()
            .collect()
    }

    /// The signatures that match one short text (a probe's answer), with their causes.
    pub fn match_text(&self, text: &str) -> Vec<&SignatureSpec> {
        let matches: Vec<usize> = (0..self.specs.len())
            .filter(|&i| self.regex(i).is_match(text))
            .collect();
        self.counted(&matches, text)
            .into_iter()
            .map(|i| &self.specs[i])
            .collect()
    }

    /// Each signature's regular expression (an escaped literal where it has
    /// none), one per line, for `rg -f`. ripgrep joins the lines into one
    /// regex, where repeated group names are an error: named groups become
    /// plain ones.
    pub fn export_patterns(&self) -> String {
        let named = Regex::new(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>").expect("static regex");
        self.patterns
            .iter()
            .map(|p| format!("{}\n", named.replace_all(p, "(?:")))
            .collect()
    }
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
    /// The inputs (files, files of folders, streams) small enough to keep
    /// whole ([`STRUCTURED_CAP`]) and neither compressed nor binary, under
    /// the name their lines are quoted with, in scan order (`diagnose` only):
    /// the structured readers (ECS outputs) parse these, so no input is read
    /// twice.
    pub texts: Vec<(PathBuf, String)>,
    /// Inputs skipped or read in part.
    pub notes: Vec<InputNote>,
}

/// Inputs up to this size are also read whole, for the structured readers
/// (describe-tasks JSON, ecspresso status); larger ones are only scanned.
pub const STRUCTURED_CAP: u64 = 32 * 1024 * 1024;

/// Structured inputs (ECS, Docker outputs) up to this size are kept in the
/// model so reports can quote their lines.
pub const QUOTED_CAP: u64 = 4 * 1024 * 1024;

/// Bytes of all `--logs` inputs kept whole at once for the structured
/// readers (the texts live until the model is built).
pub const STRUCTURED_TOTAL: u64 = 2 * STRUCTURED_CAP;

/// Unrecognised error lines kept as samples.
const UNRECOGNISED_SAMPLES: usize = 5;

impl LogScan {
    /// Records a line that signature `index` of `set` matched.
    fn add_match(&mut self, set: &SignatureSet, index: usize, line: &MatchedLine<'_>) {
        let spec = &set.specs[index];
        let regex = set.regex(index);
        // Past the sample limit only the count matters: the captures (the
        // costly part on a log made of errors) are taken only when the
        // service comes from them or the event is kept.
        let names_service = regex.capture_names().flatten().any(|n| n == "service");
        let mut captures = None;
        if names_service {
            captures = regex
                .captures(line.message)
                .or_else(|| regex.captures(line.raw));
        }
        let service_capture = captures
            .as_ref()
            .and_then(|c| c.name("service"))
            .map(|m| m.as_str().to_string());
        let service = service_capture.or_else(|| line.service.clone());
        let count = self
            .counts
            .entry((spec.id.clone(), service.clone()))
            .or_insert(0);
        *count += 1;
        if *count > MAX_EVENTS_PER_KIND as u64 {
            return;
        }
        if !names_service {
            captures = regex
                .captures(line.message)
                .or_else(|| regex.captures(line.raw));
        }
        let capture = |name: &str| {
            captures
                .as_ref()
                .and_then(|c| c.name(name))
                .map(|m| m.as_str().to_string())
        };
        self.events.push(LogEvent {
            origin: line.origin.clone(),
            signature: spec.id.clone(),
            causes: spec.causes.clone(),
            service,
            host: capture("host")
                .or_else(|| {
                    let names_host = regex.capture_names().flatten().any(|n| n == "host");
                    names_host.then(|| line.identifier.map(str::to_string))?
                })
                .map(|h| h.trim_matches(['[', ']']).to_string()),
            port: capture("port").and_then(|p| p.parse().ok()),
            host_service: None,
            text: mask_patterns(line.raw),
            message: mask_then_shorten(line.message, MESSAGE_CHARS),
            timestamp: line.timestamp,
        });
    }

    /// Records an event that looks like an error but matched no signature.
    fn add_unrecognised(&mut self, origin: &Origin, message: &str) {
        self.unrecognised.count += 1;
        if self.unrecognised.samples.len() < UNRECOGNISED_SAMPLES {
            self.unrecognised.samples.push(Sourced::new(
                mask_then_shorten(message, MESSAGE_CHARS),
                origin.clone(),
            ));
        }
    }
}

/// A line (or grouped event) as the scanner saw it.
struct MatchedLine<'a> {
    origin: Origin,
    service: Option<String>,
    /// The whole event as read (after the engine removed prefixes and JSON wrapping).
    raw: &'a str,
    /// What to show: the message, with a JSON entry's status and request.
    message: &'a str,
    /// The name a JSON entry is about (`identifier` of Caddy's certificate
    /// entries): the host of a signature whose pattern names one but whose
    /// message, once unwrapped, does not show it.
    identifier: Option<&'a str>,
    timestamp: Option<i64>,
}

/// What a report shows of an event: its message, and for a JSON entry its
/// status and request (`… (status 502, GET example.com/api)`).
fn display_message(event: &logscan::Event) -> String {
    let field = |name: &str| {
        event
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let first_line = event.message.lines().last().unwrap_or_default();
    match (field("status"), field("identifier")) {
        (Some(status), _) => format!(
            "{first_line} (status {status}, {} {}{})",
            field("request.method").unwrap_or_default(),
            field("request.host").unwrap_or_default(),
            field("request.uri").unwrap_or_default()
        ),
        // A certificate entry: the name, and what the authority answered
        // when the message does not already say it.
        (None, Some(name)) => match field("problem.detail") {
            Some(detail) if !first_line.contains(detail) => {
                format!("{first_line} ({name}: {detail})")
            }
            _ if !first_line.contains(name) => format!("{first_line} ({name})"),
            _ => first_line.to_string(),
        },
        (None, None) => first_line.to_string(),
    }
}

/// File names that say nothing about the service that logged.
const GENERIC_LOG_NAMES: &[&str] = &[
    "compose",
    "docker-compose",
    "docker",
    "logs",
    "log",
    "output",
    "out",
    "stdin",
    "syslog",
    "messages",
    "all",
    "combined",
    "error",
    "errors",
    "access",
    "debug",
    "journal",
    "<stdin>",
];

/// The service a log file is named after (`web.log`, `caddy.log.1.gz` → `caddy`), when
/// its lines carry no compose prefix. Generic names and docker's `<id>-json.log` give none.
pub fn service_from_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    let plain = !stem.is_empty()
        && !stem.ends_with("-json")
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !GENERIC_LOG_NAMES.contains(&stem.to_ascii_lowercase().as_str());
    plain.then(|| stem.to_string())
}

impl LogScan {
    /// Records one engine event.
    fn add_event(&mut self, set: &SignatureSet, event: &logscan::Event) {
        let origin = Origin::Log(FilePosition {
            file: event.source.to_path_buf(),
            line: u32::try_from(event.line).unwrap_or(u32::MAX),
            column: 1,
            length: 0,
        });
        let capped;
        let event = match without_cut_word(&event.message) {
            Some(message) => {
                capped = logscan::Event {
                    message,
                    ..event.clone()
                };
                &capped
            }
            None => event,
        };
        let message = display_message(event);
        match event.kind {
            logscan::EventKind::UnrecognisedError => self.add_unrecognised(&origin, &message),
            logscan::EventKind::Matched => {
                let line = MatchedLine {
                    origin,
                    service: event
                        .service
                        .clone()
                        .or_else(|| service_from_file_name(&event.source)),
                    raw: &event.message,
                    message: &message,
                    identifier: event
                        .fields
                        .iter()
                        .find(|(k, _)| k == "identifier")
                        .map(|(_, v)| v.as_str()),
                    timestamp: event.timestamp,
                };
                for index in set.counted(&event.matches, &event.message) {
                    self.add_match(set, index, &line);
                }
            }
        }
    }

    fn add_stats(&mut self, stats: logscan::Stats) {
        self.scanned.bytes += stats.bytes;
        self.scanned.lines += stats.lines;
        self.scanned.warnings.extend(
            stats
                .warnings
                .into_iter()
                .map(|w| format!("{}: {}", w.path.display(), w.message)),
        );
    }
}

impl SignatureSet {
    /// The engine, built once per run over every signature.
    fn scanner(&self) -> Result<logscan::Scanner, Error> {
        let patterns: Vec<logscan::Pattern> = self
            .specs
            .iter()
            .map(|spec| logscan::Pattern {
                literal: spec.literal.clone(),
                regex: spec.pattern.clone(),
            })
            .collect();
        logscan::Scanner::new(&patterns).map_err(|e| Error::Usage(format!("signatures: {e}")))
    }
}

fn read_error(path: &Path, error: logscan::Error) -> Error {
    match error {
        logscan::Error::Io { source, .. } => Error::Read {
            path: path.to_path_buf(),
            source,
        },
        other => Error::Usage(format!("{}: {other}", path.display())),
    }
}

/// How far `diagnose` reads each `--logs` input (`stackdoctor logs` reads
/// everything, like grep).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadLimits {
    /// Bytes read at most per input (decompressed for `.gz`).
    pub max_bytes: Option<u64>,
    /// A pipe, FIFO or device named as an input that sends nothing for this
    /// long is read no further (stdin is not: `ecspresso deploy | …` may
    /// pause for minutes).
    pub idle: Option<std::time::Duration>,
}

/// `diagnose`'s budget per `--logs` input: 256 MiB, under a second of
/// scanning for ordinary logs (a log made only of errors scans at about
/// 20-40 MB/s); `STACKDOCTOR_LOGS_BUDGET` (bytes) overrides it.
pub const DIAGNOSE_MAX_BYTES: u64 = 256 << 20;

impl ReadLimits {
    /// The limits of `diagnose`: [`DIAGNOSE_MAX_BYTES`] per input, and a
    /// named pipe or device idle for `idle` (the probe timeout) ends.
    pub fn diagnose(
        idle: std::time::Duration,
        environment: &BTreeMap<String, String>,
    ) -> ReadLimits {
        let max_bytes = environment
            .get("STACKDOCTOR_LOGS_BUDGET")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(DIAGNOSE_MAX_BYTES);
        ReadLimits {
            max_bytes: Some(max_bytes),
            idle: Some(idle),
        }
    }
}

impl InputNote {
    fn from_warning(w: &logscan::Warning) -> InputNote {
        let kind = match w.kind {
            logscan::WarningKind::Binary => InputNoteKind::Binary,
            logscan::WarningKind::GzipTruncated { bytes } => InputNoteKind::GzipTruncated { bytes },
            logscan::WarningKind::BudgetExceeded { bytes } => {
                InputNoteKind::BudgetExceeded { bytes }
            }
            logscan::WarningKind::ReadError { bytes } => InputNoteKind::ReadError { bytes },
            logscan::WarningKind::NotKept { bytes } => InputNoteKind::NotParsedWhole { bytes },
            logscan::WarningKind::Unreadable | logscan::WarningKind::Loop => {
                InputNoteKind::Unreadable
            }
        };
        InputNote {
            file: w.path.clone(),
            kind,
        }
    }
}

/// Reads a pipe, FIFO or device on its own thread (opening a FIFO blocks
/// until a writer comes), so that an input that stays open and silent ends
/// the read after `idle` instead of blocking the diagnosis. The thread is
/// left blocked; it ends with the process.
struct IdleReader {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
    idle: std::time::Duration,
    done: bool,
    /// Set when the input went silent for `idle`.
    timed_out: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl IdleReader {
    fn open(
        path: &Path,
        idle: std::time::Duration,
        timed_out: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> IdleReader {
        // Four 64 KiB blocks in flight at most: memory stays bounded.
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let path = path.to_path_buf();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            loop {
                let mut block = vec![0u8; 64 << 10];
                match file.read(&mut block) {
                    Ok(0) => return,
                    Ok(n) => {
                        block.truncate(n);
                        if tx.send(Ok(block)).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        IdleReader {
            rx,
            buf: Vec::new(),
            pos: 0,
            idle,
            done: false,
            timed_out,
        }
    }
}

impl std::io::Read for IdleReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use std::sync::mpsc::RecvTimeoutError;
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv_timeout(self.idle) {
                Ok(Ok(block)) => {
                    self.buf = block;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.done = true;
                    self.timed_out
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                }
                Err(RecvTimeoutError::Disconnected) => self.done = true,
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Passes a stream through and keeps its first [`STRUCTURED_CAP`] bytes, so
/// that a stream (stdin, a pipe) is read once for both the signature scan and
/// the structured readers.
struct Tee<R> {
    inner: R,
    kept: Vec<u8>,
    /// Bytes kept at most (0 when nothing needs the text).
    cap: u64,
    overflow: bool,
}

impl<R: std::io::Read> std::io::Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.overflow {
            if (self.kept.len() + n) as u64 >= self.cap {
                self.overflow = true;
                self.kept = Vec::new();
            } else {
                self.kept.extend_from_slice(&buf[..n]);
            }
        }
        Ok(n)
    }
}

/// A path that is neither a folder nor a regular file: a FIFO, a device, a
/// socket, or a `/dev/fd/N` from a shell's `<(…)`.
fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir() && !m.is_file())
}

/// Scans every log input: files, folders, `.gz`, or `-` for stdin, within `limits`.
/// Scans texts already in memory (the engine's container logs) with one
/// scanner; each text's events, in order. A text is named after the service
/// that wrote it (the name stands in for a file name), so its events carry
/// that service unless a line names another.
pub fn scan_texts(set: &SignatureSet, texts: &[(PathBuf, String)]) -> Result<Vec<LogScan>, Error> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let scanner = set.scanner()?;
    let options = logscan::Options::default();
    let mut scans = Vec::new();
    for (name, text) in texts {
        let mut scan = LogScan::default();
        let mut sink = |event: logscan::Event| scan.add_event(set, &event);
        let stats = logscan::scan_reader(name, text.as_bytes(), &scanner, &options, &mut sink)
            .map_err(|e| read_error(name, e))?;
        scan.add_stats(stats);
        scans.push(scan);
    }
    Ok(scans)
}

pub fn scan_inputs(
    inputs: &[PathBuf],
    set: &SignatureSet,
    limits: ReadLimits,
) -> Result<LogScan, Error> {
    let mut scan = LogScan::default();
    if inputs.is_empty() {
        return Ok(scan);
    }
    let scanner = set.scanner()?;
    let mut options = logscan::Options {
        max_bytes: limits.max_bytes,
        ..logscan::Options::default()
    };
    for input in inputs {
        // Only diagnose parses inputs whole too (`logs` only scans): what one
        // input may keep, within what all inputs may keep together.
        let kept: u64 = scan.texts.iter().map(|(_, t)| t.len() as u64).sum();
        let (per_file, total) = if limits.idle.is_some() {
            (STRUCTURED_CAP, STRUCTURED_TOTAL.saturating_sub(kept))
        } else {
            (0, 0)
        };
        options.keep_files_up_to = per_file;
        options.keep_total = total;
        let stdin = input.as_os_str() == "-";
        let stream = stdin || (limits.idle.is_some() && is_stream(input));
        let stats = if stream {
            // Read once: scanned as it comes, its head kept for the structured readers.
            let timed_out = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (name, reader): (PathBuf, Box<dyn std::io::Read + Send>) = if stdin {
                (PathBuf::from("<stdin>"), Box::new(std::io::stdin()))
            } else {
                let idle = limits.idle.unwrap_or(std::time::Duration::MAX);
                (
                    input.clone(),
                    Box::new(IdleReader::open(input, idle, timed_out.clone())),
                )
            };
            let mut tee = Tee {
                inner: reader,
                kept: Vec::new(),
                cap: per_file.min(total),
                overflow: false,
            };
            let mut sink = |event: logscan::Event| scan.add_event(set, &event);
            let stats = logscan::scan_reader(&name, &mut tee, &scanner, &options, &mut sink)
                .map_err(|e| read_error(input, e))?;
            let budget_hit = stats
                .warnings
                .iter()
                .any(|w| matches!(w.kind, logscan::WarningKind::BudgetExceeded { .. }));
            if !tee.overflow && !budget_hit {
                let text = String::from_utf8_lossy(&tee.kept).into_owned();
                scan.texts.push((name.clone(), text));
            }
            if timed_out.load(std::sync::atomic::Ordering::Relaxed) {
                let idle = limits.idle.unwrap_or_default();
                scan.notes.push(InputNote {
                    file: name,
                    kind: InputNoteKind::Idle {
                        bytes: stats.bytes,
                        seconds: idle.as_secs_f64().ceil() as u64,
                    },
                });
            }
            stats
        } else {
            let mut sink = |event: logscan::Event| scan.add_event(set, &event);
            let mut stats = logscan::scan_path(input, &scanner, &options, &mut sink)
                .map_err(|e| read_error(input, e))?;
            for (file, bytes) in std::mem::take(&mut stats.kept) {
                scan.texts
                    .push((file, String::from_utf8_lossy(&bytes).into_owned()));
            }
            stats
        };
        scan.scanned.files += 1;
        scan.notes
            .extend(stats.warnings.iter().map(InputNote::from_warning));
        scan.add_stats(stats);
    }
    Ok(scan)
}

/// An event's text as the engine capped it, without the word its cap cut:
/// half a token is no longer recognised as one, so it is not shown at all.
/// `None` when the text is whole.
fn without_cut_word(text: &str) -> Option<String> {
    if text.len() < logscan::Options::default().max_event_bytes {
        return None;
    }
    Some(match text.rfind(char::is_whitespace) {
        Some(end) => format!("{}…", &text[..end]),
        None => "…".to_string(),
    })
}

/// Characters of a message kept for reports (cut after masking).
const MESSAGE_CHARS: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(text: &str) -> Vec<LogEvent> {
        scan_with(&SignatureSet::load(&[]).unwrap(), text.as_bytes()).events
    }

    fn scan_with(set: &SignatureSet, bytes: &[u8]) -> LogScan {
        let mut scan = LogScan::default();
        let scanner = set.scanner().unwrap();
        let mut events = Vec::new();
        logscan::scan_reader(
            Path::new("test.log"),
            bytes,
            &scanner,
            &logscan::Options::default(),
            &mut |e| events.push(e),
        )
        .unwrap();
        for event in &events {
            scan.add_event(set, event);
        }
        scan
    }

    /// A catch-all counts only where nothing specific does, and the most
    /// specific catch-all wins; `unless` gives a line to another family.
    #[test]
    fn fallbacks_and_unless_leave_each_line_to_its_best_signature() {
        let signatures_of = |line: &str| -> Vec<String> {
            scan_text(line).into_iter().map(|e| e.signature).collect()
        };
        // Specific: the fallback stays out.
        assert_eq!(
            signatures_of("CannotPullContainerError: API error (404): repository 111122223333.dkr.ecr.us-east-1.amazonaws.com/app not found"),
            ["ecs-pull-image-not-found"]
        );
        // Cut short: only the catch-all, once.
        assert_eq!(
            signatures_of("STOPPED (CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref"),
            ["ecs-pull-failed"]
        );
        // Two catch-alls: the longer literal (secrets) wins over ResourceInitializationError.
        assert_eq!(
            signatures_of(
                "  - [2243bac3]: ResourceInitializationError: unable to pull secrets or reg"
            ),
            ["ecs-secrets-pull-failed"]
        );
        // A Go dial timeout inside an ECS stopped reason is not a proxy's upstream timeout.
        let pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref quay.io/app:latest: failed to do request: Head \"https://quay.io/v2/app/manifests/latest\": dial tcp 3.210.148.47:443: i/o timeout";
        assert_eq!(signatures_of(pull), ["ecs-pull-network-timeout"]);
        assert_eq!(
            signatures_of(
                r#"{"level":"error","logger":"http.log.error","msg":"dial tcp 10.10.79.117:8080: i/o timeout","status":502}"#
            ),
            ["caddy-dial-io-timeout"]
        );
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
    fn services_come_from_file_names_only_when_they_say_one() {
        assert_eq!(
            service_from_file_name(Path::new("/var/log/web.log")).as_deref(),
            Some("web")
        );
        assert_eq!(
            service_from_file_name(Path::new("caddy.log.1.gz")).as_deref(),
            Some("caddy")
        );
        assert_eq!(service_from_file_name(Path::new("compose.log")), None);
        assert_eq!(service_from_file_name(Path::new("3f2a9c-json.log")), None);
        assert_eq!(service_from_file_name(Path::new("<stdin>")), None);
    }

    #[test]
    fn huge_lines_and_binary_do_not_break_the_scan() {
        let mut data = vec![b'x'; 3 << 20];
        data.extend_from_slice(b"\n\xff\xfe\x00\nweb-1 exited with code 2\n");
        let events = scan_with(&SignatureSet::load(&[]).unwrap(), &data).events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].origin.position().unwrap().line, 3);
    }

    /// A secret across the 200-character cut: cutting first left its first
    /// half, which no pattern recognises, in the message.
    #[test]
    fn secrets_cut_by_the_message_limit_are_masked_whole() {
        for secret in [
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            let head = "dial tcp: lookup web on 127.0.0.11:53: no such host; retried with";
            // The secret starts at character 191 of the message: the cut at 200 halves it.
            let line = format!(
                "{head}{} {secret} and gave up",
                " x".repeat((190 - head.len()) / 2)
            );
            let events = scan_text(&line);
            assert_eq!(events.len(), 1, "{line}");
            let message = &events[0].message;
            assert!(message.ends_with('…'), "{message}");
            for n in 6..secret.len() {
                assert!(
                    !message.contains(&secret[..n]),
                    "{n} characters of {secret}: {message}"
                );
            }
        }
    }

    /// The engine caps an event at 64 KiB: the token its cap cuts in half
    /// is dropped, not shown half.
    #[test]
    fn a_token_cut_by_the_event_cap_is_not_shown() {
        let token = "ghp_R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0";
        let cap = logscan::Options::default().max_event_bytes;
        let head = "dial tcp: lookup web on 127.0.0.11:53: no such host ";
        let pad = "x ".repeat((cap - head.len() - 10) / 2);
        let line = format!("{head}{pad}{token} and more\n");
        let events = scan_text(&line);
        assert_eq!(events.len(), 1);
        assert!(
            !events[0].text.contains("ghp_R2d"),
            "{}",
            &events[0].text[cap - 200..]
        );
        assert!(events[0].text.ends_with('…'));
    }

    #[test]
    fn secrets_in_log_lines_are_masked() {
        let events = scan_text("web-1  | django.db.utils.OperationalError: FATAL: password authentication failed; DATABASE_URL=postgres://app:hunter2@db/app");
        assert!(!events[0].text.contains("hunter2"), "{}", events[0].text);
    }
}
