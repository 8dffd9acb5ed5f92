//! `logscan`: finds known error lines in any amount of container logs, in one pass.
//!
//! Give it N [`Pattern`]s (a required literal and an optional regex each); it scans
//! files, folders (recursively, sorted), `.gz` files (recognised by their magic bytes)
//! and readers such as stdin, and reports [`Event`]s: which patterns matched, where
//! (file, line), which service logged it, when, and the message with its prefixes
//! and JSON wrapping removed. Lines that look like errors but match no pattern are
//! reported as [`EventKind::UnrecognisedError`], so nothing important is dropped.
//!
//! It knows log *shapes* (plain lines, `docker compose logs` prefixes, docker
//! json-file, Caddy JSON, JSON lines; Python tracebacks and Java/Node stack traces
//! grouped into one event; records a terminal or a tool hard-wrapped at its width
//! joined back into one line, conservatively), not what the errors mean.
//!
//! # How it is fast
//!
//! One Aho-Corasick DFA over every pattern literal (plus a few error-looking
//! literals) runs over large buffers that end on a newline, four parts of a
//! buffer in one loop (independent walks keep the processor busy while each
//! waits for its next state); only lines it stops on are unwrapped, confirmed
//! with their regexes and grouped. Chunks are scanned by
//! several threads and merged back in file order, with line numbers counted by
//! `memchr`. Memory does not grow with the input: a few 8 MiB buffers per scan, and
//! each line is capped at 8 MiB (the rest of a longer line is skipped).
//!
//! # Example
//!
//! ```
//! use logscan::{scan_reader, EventKind, Options, Pattern, Scanner};
//! use std::path::Path;
//!
//! let scanner = Scanner::new(&[
//!     Pattern::literal("no such host"),
//!     Pattern {
//!         literal: "connection refused".into(),
//!         regex: Some(r"dial tcp [^ ]+:(?P<port>\d+): connect: connection refused".into()),
//!     },
//! ])?;
//! let logs = "\
//! web-1    | [2026-11-21 09:30:01 +0000] [7] [INFO] Booting worker with pid: 7
//! caddy-1  | {\"level\":\"error\",\"ts\":1740659996.97,\"logger\":\"http.log.error\",\"msg\":\"dial tcp 172.18.0.3:8080: connect: connection refused\",\"status\":502}
//! db-1     | 2026-11-21 09:30:02.000 UTC [1] FATAL:  the database system is starting up
//! ";
//! let mut events = Vec::new();
//! let stats = scan_reader(Path::new("<stdin>"), logs.as_bytes(), &scanner, &Options::default(), &mut |e| events.push(e))?;
//! assert_eq!(stats.lines, 3);
//! assert_eq!(events.len(), 2);
//! assert_eq!(events[0].matches, vec![1]);
//! assert_eq!(events[0].service.as_deref(), Some("caddy"));
//! assert_eq!(events[0].timestamp, Some(1_740_659_996_970));
//! assert_eq!(events[0].fields, vec![("status".to_string(), "502".to_string()), ("logger".to_string(), "http.log.error".to_string())]);
//! assert_eq!(events[1].kind, EventKind::UnrecognisedError);
//! assert_eq!(events[1].level.as_deref(), Some("FATAL"));
//! # Ok::<(), logscan::Error>(())
//! ```

mod engine;
mod literals;
mod parse;
mod pattern;
mod time;
mod wrap;

pub use pattern::{Pattern, Scanner};

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything that can stop a scan or a [`Scanner`] from being built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A pattern's literal is empty or contains a newline.
    #[error("pattern {index}: the literal must be non-empty and on one line")]
    BadLiteral {
        /// The pattern id.
        index: usize,
    },
    /// A regex does not compile (`index` is None for [`Pattern::from_regex`]).
    #[error("pattern {}: invalid regex: {message}", index.map_or("?".to_string(), |i| i.to_string()))]
    Regex {
        /// The pattern id, when known.
        index: Option<usize>,
        /// The regex parser's message.
        message: String,
    },
    /// No literal text that every match must contain could be derived from a regex.
    #[error("no required literal in regex {regex:?}; give one as `literal<TAB>regex`")]
    NoLiteral {
        /// The regex.
        regex: String,
    },
    /// The literal automaton could not be built.
    #[error("cannot build the literal automaton: {0}")]
    Automaton(String),
    /// The path given to [`scan_path`] cannot be read at all.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// How to scan.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads per file (default: available parallelism). 1 scans on the
    /// calling thread only.
    pub threads: usize,
    /// Cap on a (grouped) event's message text, in bytes (default 64 KiB).
    pub max_event_bytes: usize,
    /// Report lines that look like errors but match no pattern (default true).
    pub unrecognised_errors: bool,
    /// Bytes read at most from one input (decompressed, for `.gz`); the rest is
    /// left unread and a [`WarningKind::BudgetExceeded`] says so. `None` (the
    /// default) reads everything.
    pub max_bytes: Option<u64>,
    /// Text files (not streams, neither gzip nor binary) of at most this
    /// many bytes are read whole, once, and their bytes returned in
    /// [`Stats::kept`], for callers that also parse them as a whole (JSON
    /// outputs). 0 (the default) keeps nothing.
    pub keep_files_up_to: u64,
    /// Bytes kept at most by one scan, all files together; a file that no
    /// longer fits is scanned as usual and named by a
    /// [`WarningKind::NotKept`]. Unbounded by default.
    pub keep_total: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_event_bytes: 64 << 10,
            unrecognised_errors: true,
            max_bytes: None,
            keep_files_up_to: 0,
            keep_total: u64::MAX,
        }
    }
}

/// Why an event was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// At least one pattern matched (see [`Event::matches`]).
    Matched,
    /// No pattern matched, but the event looks like an error (an ERROR/FATAL/…
    /// level, a traceback, a panic, an exception).
    UnrecognisedError,
}

/// The shape of the event's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A plain text line.
    Plain,
    /// A `docker compose logs` line (`web-1  | …`) with plain text after the prefix.
    ComposePrefix,
    /// A docker json-file line: `{"log":"…\n","stream":"stderr","time":"…"}`.
    DockerJsonFile,
    /// A Caddy JSON log entry (`level`, `ts`, `logger`, `msg`, …).
    CaddyJson,
    /// Another JSON object per line with `msg` or `message` (e.g. CloudWatch exports).
    JsonLines,
}

/// One reported event: a line, or a group of lines (traceback, stack trace).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The file (`<stdin>` or the name given to [`scan_reader`]; for `x.gz` the `.gz` path).
    pub source: Arc<Path>,
    /// First line, 1-based.
    pub line: u64,
    /// Last line, 1-based (equal to `line` unless lines were grouped, or a
    /// hard-wrapped record was joined: then `line` is its first physical line).
    pub end_line: u64,
    /// The service: from a compose prefix (`backend-web-1 | ` → `backend-web`) or
    /// a docker json-file `attrs` entry.
    pub service: Option<String>,
    /// Unix milliseconds (UTC), when the first line has a recognisable timestamp.
    pub timestamp: Option<i64>,
    /// The level (`ERROR`, `FATAL`, `WARN`, …, upper-cased) when recognisable.
    pub level: Option<String>,
    /// The first line's shape.
    pub format: Format,
    /// The text after removing prefixes and JSON wrapping (for JSON: `msg` or
    /// `message`, plus `": " + error` when present); grouped lines are joined with
    /// `'\n'`; capped at [`Options::max_event_bytes`].
    pub message: String,
    /// For JSON entries: `status`, `request.host`, `request.uri`,
    /// `request.method`, `upstream`, `logger`, `identifier`, `problem.detail`,
    /// when present (stringified).
    pub fields: Vec<(String, String)>,
    /// Why it was reported.
    pub kind: EventKind,
    /// Ids of the patterns that matched the deciding line (the exception line of a
    /// Python traceback, the first line of a Java trace); when none did, those that
    /// matched any other line of the group. Empty for unrecognised errors.
    pub matches: Vec<usize>,
}

/// Something skipped or cut short, with the file it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file or folder.
    pub path: PathBuf,
    /// What happened, in English.
    pub message: String,
    /// What happened, for callers that word it themselves.
    pub kind: WarningKind,
}

/// The kinds of [`Warning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// A NUL byte in the first 8 KiB: not a log, skipped.
    Binary,
    /// A `.gz` stream that ends early or is corrupt; what came before was scanned.
    GzipTruncated {
        /// Decompressed bytes scanned before the error.
        bytes: u64,
    },
    /// [`Options::max_bytes`] was reached; the rest was not read.
    BudgetExceeded {
        /// Bytes scanned (the budget).
        bytes: u64,
    },
    /// A read failed part way.
    ReadError {
        /// Bytes scanned before the error.
        bytes: u64,
    },
    /// The file or folder could not be opened, listed or stat'ed.
    Unreadable,
    /// A folder reached again through a symlink.
    Loop,
    /// A text file scanned but not kept whole: the scan's
    /// [`Options::keep_total`] budget was used by earlier files.
    NotKept {
        /// The file's size.
        bytes: u64,
    },
}

/// Totals of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes scanned (decompressed, for `.gz`).
    pub bytes: u64,
    /// Lines scanned.
    pub lines: u64,
    /// Events delivered to the sink.
    pub events: u64,
    /// Files skipped or cut short.
    pub warnings: Vec<Warning>,
    /// The whole bytes of the small text files scanned, in scan order (see
    /// [`Options::keep_files_up_to`]).
    pub kept: Vec<(PathBuf, Vec<u8>)>,
}

impl Stats {
    fn add(&mut self, o: Stats) {
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.events += o.events;
        self.warnings.extend(o.warnings);
        self.kept.extend(o.kept);
    }
}

const HEAD: usize = 8 << 10;

fn warn(stats: &mut Stats, path: &Path, kind: WarningKind, message: impl Into<String>) {
    stats.warnings.push(Warning {
        path: path.to_path_buf(),
        message: message.into(),
        kind,
    });
}

/// Stops after `left` bytes and remembers whether the input had more.
struct Budget<R> {
    inner: R,
    left: u64,
    exceeded: Arc<std::sync::atomic::AtomicBool>,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a budget reached from an input that just ended.
            let mut probe = [0u8; 1];
            loop {
                match self.inner.read(&mut probe) {
                    Ok(0) => return Ok(0),
                    Ok(_) => {
                        self.exceeded
                            .store(true, std::sync::atomic::Ordering::Relaxed);
                        return Ok(0);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

fn read_head(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; HEAD];
    let mut n = 0;
    while n < HEAD {
        match r.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(n);
    Ok(head)
}

fn scan_stream(
    source: &Arc<Path>,
    mut reader: Box<dyn Read + Send + '_>,
    gz_done: bool,
    small: bool,
    scanner: &Scanner,
    options: &Options,
    sink: &mut dyn FnMut(Event),
) -> Stats {
    let mut stats = Stats::default();
    let head = match read_head(&mut reader) {
        Ok(h) => h,
        Err(e) => {
            warn(
                &mut stats,
                source,
                WarningKind::Unreadable,
                format!("cannot read: {e}"),
            );
            return stats;
        }
    };
    if !gz_done && head.starts_with(&[0x1f, 0x8b]) {
        let dec = flate2::read::MultiGzDecoder::new(io::Cursor::new(head).chain(reader));
        return scan_stream(source, Box::new(dec), true, false, scanner, options, sink);
    }
    if memchr::memchr(0, &head).is_some() {
        warn(
            &mut stats,
            source,
            WarningKind::Binary,
            "binary file (NUL byte in the first 8 KiB), skipped",
        );
        return stats;
    }
    let threads = if small { 1 } else { options.threads.max(1) };
    let exceeded = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let whole: Box<dyn Read + Send + '_> = match options.max_bytes {
        Some(limit) => Box::new(Budget {
            inner: io::Cursor::new(head).chain(reader),
            left: limit,
            exceeded: exceeded.clone(),
        }),
        None => Box::new(io::Cursor::new(head).chain(reader)),
    };
    let (bytes, lines, events, error) = engine::run(
        whole,
        threads,
        engine::CHUNK,
        scanner,
        options,
        source,
        sink,
    );
    stats.bytes = bytes;
    stats.lines = lines;
    stats.events = events;
    if let Some(e) = error {
        let (kind, what) = if gz_done {
            (
                WarningKind::GzipTruncated { bytes },
                "gzip stream truncated or corrupt",
            )
        } else {
            (WarningKind::ReadError { bytes }, "read error")
        };
        warn(
            &mut stats,
            source,
            kind,
            format!("{what} after {bytes} bytes: {e}"),
        );
    } else if exceeded.load(std::sync::atomic::Ordering::Relaxed) {
        warn(
            &mut stats,
            source,
            WarningKind::BudgetExceeded { bytes },
            format!("stopped after {bytes} bytes (the budget per input); the rest was not read"),
        );
    }
    stats
}

/// Scans one stream (stdin, a socket, a decompressor, …). `name` becomes
/// [`Event::source`]. A gzip stream is decompressed; a binary stream (a NUL byte in
/// its first 8 KiB) is skipped with a [`Warning`].
pub fn scan_reader(
    name: &Path,
    reader: impl Read + Send,
    scanner: &Scanner,
    options: &Options,
    sink: &mut dyn FnMut(Event),
) -> Result<Stats, Error> {
    let source: Arc<Path> = Arc::from(name);
    Ok(scan_stream(
        &source,
        Box::new(reader),
        false,
        false,
        scanner,
        options,
        sink,
    ))
}

/// Neither gzip nor binary (a NUL byte in the first [`HEAD`] bytes).
fn is_plain_text(bytes: &[u8]) -> bool {
    !bytes.starts_with(&[0x1f, 0x8b])
        && memchr::memchr(0, &bytes[..bytes.len().min(HEAD)]).is_none()
}

fn scan_file(
    path: &Path,
    scanner: &Scanner,
    options: &Options,
    sink: &mut dyn FnMut(Event),
    stats: &mut Stats,
) {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return warn(
                stats,
                path,
                WarningKind::Unreadable,
                format!("cannot open: {e}"),
            )
        }
    };
    let length = file.metadata().map_or(u64::MAX, |m| m.len());
    let small = length <= engine::CHUNK as u64;
    let source: Arc<Path> = Arc::from(path);
    let kept: u64 = stats.kept.iter().map(|(_, b)| b.len() as u64).sum();
    let room = options
        .keep_total
        .saturating_sub(kept)
        .min(options.keep_files_up_to);
    if length <= room {
        // Read once, whole: scanned from memory and handed back.
        let mut bytes = Vec::new();
        // The file may grow between stat and read: the read is bounded too.
        if let Err(e) = file.take(room + 1).read_to_end(&mut bytes) {
            return warn(
                stats,
                path,
                WarningKind::Unreadable,
                format!("cannot read: {e}"),
            );
        }
        let s = scan_stream(
            &source,
            Box::new(&bytes[..]),
            false,
            small,
            scanner,
            options,
            sink,
        );
        stats.add(s);
        if bytes.len() as u64 <= room && is_plain_text(&bytes) {
            stats.kept.push((path.to_path_buf(), bytes));
        }
        return;
    }
    let mut reader: Box<dyn Read + Send> = Box::new(file);
    if length <= options.keep_files_up_to {
        // It would have been kept but for the budget: said, when it is text.
        let mut head = Vec::new();
        if reader
            .by_ref()
            .take(HEAD as u64)
            .read_to_end(&mut head)
            .is_ok()
            && is_plain_text(&head)
        {
            warn(
                stats,
                path,
                WarningKind::NotKept { bytes: length },
                "not kept whole: the budget for whole files is used",
            );
        }
        reader = Box::new(io::Cursor::new(head).chain(reader));
    }
    let s = scan_stream(&source, reader, false, small, scanner, options, sink);
    stats.add(s);
}

#[cfg(unix)]
fn dir_id(m: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_id(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn walk(
    dir: &Path,
    meta: &fs::Metadata,
    visited: &mut HashSet<(u64, u64)>,
    scanner: &Scanner,
    options: &Options,
    sink: &mut dyn FnMut(Event),
    stats: &mut Stats,
) {
    if let Some(id) = dir_id(meta) {
        if !visited.insert(id) {
            return warn(
                stats,
                dir,
                WarningKind::Loop,
                "folder already scanned (symlink loop?), skipped",
            );
        }
    }
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            return warn(
                stats,
                dir,
                WarningKind::Unreadable,
                format!("cannot read folder: {e}"),
            )
        }
    };
    let mut entries: Vec<PathBuf> = Vec::new();
    for entry in rd {
        match entry {
            Ok(e) => entries.push(e.path()),
            Err(e) => warn(
                stats,
                dir,
                WarningKind::Unreadable,
                format!("cannot read folder entry: {e}"),
            ),
        }
    }
    entries.sort();
    for p in entries {
        match fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, &m, visited, scanner, options, sink, stats),
            Ok(m) if m.is_file() => scan_file(&p, scanner, options, sink, stats),
            Ok(_) => {} // sockets, fifos, devices: not logs
            Err(e) => warn(
                stats,
                &p,
                WarningKind::Unreadable,
                format!("cannot stat: {e}"),
            ),
        }
    }
}

/// Scans a file, a folder (recursively, in sorted order; symlinked folders are
/// followed once, loops are reported as warnings) or a `.gz` file (by magic bytes).
///
/// Fails only when `path` itself cannot be stat'ed; files that cannot be read,
/// binary files and truncated `.gz` files become [`Warning`]s in the returned
/// [`Stats`], and the scan goes on.
pub fn scan_path(
    path: &Path,
    scanner: &Scanner,
    options: &Options,
    sink: &mut dyn FnMut(Event),
) -> Result<Stats, Error> {
    let meta = fs::metadata(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut stats = Stats::default();
    if meta.is_dir() {
        let mut visited = HashSet::new();
        walk(
            path,
            &meta,
            &mut visited,
            scanner,
            options,
            sink,
            &mut stats,
        );
    } else {
        scan_file(path, scanner, options, sink, &mut stats);
    }
    Ok(stats)
}
