//! The scanning engine: chunked reading, per-chunk candidate search, grouping of
//! multi-line events, and the in-order merge of chunk results.

use crate::parse::{self, Parsed};
use crate::pattern::Scanner;
use crate::wrap::{self, Span};
use crate::{Event, EventKind, Options};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};

/// Bytes read per chunk. A chunk ends on a newline; a line longer than this is cut
/// here (the rest of it is skipped).
pub(crate) const CHUNK: usize = 8 << 20;
/// Lines of other services an open event waits for a line of its own service.
const MAX_IDLE: u32 = 64;
/// Lines one grouped event may span.
const MAX_GROUP_LINES: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupKind {
    /// One line, maybe followed by stack-trace lines (then it becomes `Trace`).
    Single,
    /// A Java/Node stack trace: the first line decides.
    Trace,
    /// A Python traceback: the last line decides.
    Python,
}

/// An event still open for continuation lines.
#[derive(Debug)]
pub(crate) struct Group {
    key: Option<Box<[u8]>>,
    kind: GroupKind,
    line: u64,
    end_line: u64,
    first: Parsed,
    text: String,
    decisive: Vec<usize>,
    other: Vec<usize>,
    looks_error: bool,
    idle: u32,
    lines: u32,
}

fn strip_cr(raw: &[u8]) -> &[u8] {
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

fn push_capped(text: &mut String, add: &str, cap: usize) {
    if text.len() >= cap {
        return;
    }
    let room = cap - text.len();
    if add.len() <= room {
        text.push_str(add);
    } else {
        let mut end = room;
        while !add.is_char_boundary(end) {
            end -= 1;
        }
        text.push_str(&add[..end]);
    }
}

/// Processes lines one at a time, keeping events open per service.
pub(crate) struct Proc<'a> {
    scanner: &'a Scanner,
    opts: &'a Options,
    source: &'a Arc<Path>,
    pub(crate) pending: Vec<Group>,
    pub(crate) events: Vec<Event>,
}

impl<'a> Proc<'a> {
    pub(crate) fn new(scanner: &'a Scanner, opts: &'a Options, source: &'a Arc<Path>) -> Self {
        Proc {
            scanner,
            opts,
            source,
            pending: Vec::new(),
            events: Vec::new(),
        }
    }

    fn new_group(
        &self,
        key: Option<&[u8]>,
        kind: GroupKind,
        (no, last): (u64, u64),
        p: Parsed,
    ) -> Group {
        let mut text = String::new();
        push_capped(&mut text, &p.message, self.opts.max_event_bytes);
        Group {
            key: key.map(Box::from),
            kind,
            line: no,
            end_line: last,
            first: p,
            text,
            decisive: Vec::new(),
            other: Vec::new(),
            looks_error: false,
            idle: 0,
            lines: 1,
        }
    }

    fn append(&self, g: &mut Group, raw: &[u8], p: &Parsed, last: u64, decisive: bool) {
        if g.text.len() < self.opts.max_event_bytes {
            push_capped(&mut g.text, "\n", self.opts.max_event_bytes);
            push_capped(&mut g.text, &p.message, self.opts.max_event_bytes);
        }
        g.end_line = last;
        g.lines += 1;
        g.idle = 0;
        let hits = self.scanner.hits(raw);
        let m = if hits.is_empty() {
            Vec::new()
        } else {
            self.scanner.confirm(&hits, raw, &p.message)
        };
        if decisive {
            g.decisive = m;
        } else {
            for id in m {
                if !g.other.contains(&id) {
                    g.other.push(id);
                }
            }
        }
    }

    /// Closes a group into an event (if it is one worth reporting).
    fn close(&mut self, g: Group) {
        let mut matches = if g.decisive.is_empty() {
            g.other
        } else {
            g.decisive
        };
        matches.sort_unstable();
        matches.dedup();
        let kind = if !matches.is_empty() {
            EventKind::Matched
        } else if self.opts.unrecognised_errors && (g.looks_error || g.kind != GroupKind::Single) {
            EventKind::UnrecognisedError
        } else {
            return;
        };
        let timestamp = g.first.timestamp();
        self.events.push(Event {
            source: self.source.clone(),
            line: g.line,
            end_line: g.end_line,
            service: g.first.service,
            timestamp,
            level: g.first.level,
            format: g.first.format,
            message: g.text,
            fields: g.first.fields,
            kind,
            matches,
        });
    }

    /// Closes every open group.
    pub(crate) fn close_all(&mut self) {
        for g in std::mem::take(&mut self.pending) {
            self.close(g);
        }
    }

    /// Feeds one logical line: physical lines `no..=last` (several when a
    /// hard-wrapped record was joined). With `fresh == false` only
    /// continuations of open groups are considered. Returns true when the
    /// line became part of an open group.
    pub(crate) fn line(&mut self, raw: &[u8], no: u64, last: u64, fresh: bool) -> bool {
        let raw = strip_cr(raw);
        let key = parse::group_key(raw);
        let mut parsed: Option<Parsed> = None;
        let mut consumed = false;
        if !self.pending.is_empty() {
            // age the groups of other services
            let mut i = 0;
            while i < self.pending.len() {
                let g = &mut self.pending[i];
                if g.key.as_deref() != key {
                    g.idle += 1;
                    if g.idle > MAX_IDLE {
                        let g = self.pending.remove(i);
                        self.close(g);
                        continue;
                    }
                }
                i += 1;
            }
            if let Some(i) = self.pending.iter().position(|g| g.key.as_deref() == key) {
                let p = parse::parse_line(raw);
                let mut g = self.pending.swap_remove(i);
                let keep = match g.kind {
                    GroupKind::Python => {
                        if parse::is_python_body(&p.message) {
                            self.append(&mut g, raw, &p, last, false);
                            true
                        } else {
                            // the exception line: it decides, and ends the traceback
                            self.append(&mut g, raw, &p, last, true);
                            consumed = true;
                            self.close(g);
                            return consumed;
                        }
                    }
                    GroupKind::Single | GroupKind::Trace => {
                        if parse::is_stack_continuation(&p.message) {
                            g.kind = GroupKind::Trace;
                            g.looks_error = true;
                            self.append(&mut g, raw, &p, last, false);
                            true
                        } else if g.kind == GroupKind::Single
                            && parse::is_traceback_header(&p.message)
                        {
                            // `ERROR Internal Server Error: /x` followed by its traceback
                            g.kind = GroupKind::Python;
                            if !g.decisive.is_empty() {
                                let d = std::mem::take(&mut g.decisive);
                                g.other.extend(d);
                            }
                            self.append(&mut g, raw, &p, last, false);
                            true
                        } else {
                            false
                        }
                    }
                };
                if keep {
                    if g.lines >= MAX_GROUP_LINES {
                        self.close(g);
                    } else {
                        self.pending.push(g);
                    }
                    return true;
                }
                self.close(g);
                parsed = Some(p);
            }
        }
        if !fresh {
            return consumed;
        }
        let hits = self.scanner.hits(raw);
        if hits.is_empty() {
            return false;
        }
        let p = parsed.unwrap_or_else(|| parse::parse_line(raw));
        if parse::is_traceback_header(&p.message) {
            let other = self.scanner.confirm(&hits, raw, &p.message);
            let mut g = self.new_group(key, GroupKind::Python, (no, last), p);
            g.other = other;
            g.looks_error = true;
            self.pending.push(g);
            return false;
        }
        let matches = self.scanner.confirm(&hits, raw, &p.message);
        let looks = parse::looks_like_error(&p);
        if matches.is_empty() && !looks {
            return false;
        }
        let mut g = self.new_group(key, GroupKind::Single, (no, last), p);
        g.decisive = matches;
        g.looks_error = looks;
        self.pending.push(g);
        false
    }
}

#[inline]
fn count_lines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// The result of scanning one chunk on its own.
#[derive(Debug, Default)]
pub(crate) struct ChunkOut {
    /// Closed events; line numbers are 1-based within the chunk.
    events: Vec<Event>,
    /// Events still open at the chunk's end (may continue in the next chunk).
    open: Vec<Group>,
    /// Lines in the chunk.
    lines: u64,
    /// Its hard-wrapped records, in order.
    spans: Vec<Span>,
}

/// Scans one chunk (whole lines) independently of the others.
///
/// The automaton skips every line without a candidate literal; hard-wrapped
/// records (see [`wrap`]) are fed joined, so a literal cut by the wrap is
/// found too, and their events carry their first line's number.
pub(crate) fn scan_chunk(
    scanner: &Scanner,
    opts: &Options,
    source: &Arc<Path>,
    data: &[u8],
) -> ChunkOut {
    let spans = wrap::find_spans(data);
    let mut proc = Proc::new(scanner, opts, source);
    let mut pos = 0usize;
    let mut counted = 0usize; // newlines before `counted` are in `line_no`
    let mut line_no = 1u64; // number of the line starting at `counted`
    let mut next_span = 0usize; // the first span starting at or after `pos`
    let mut candidates = scanner.candidates(data);
    while pos < data.len() {
        if proc.pending.is_empty() {
            let span = spans.get(next_span);
            let candidate = candidates.next(pos);
            match candidate {
                Some(m) if span.is_none_or(|s| s.start > m) => {
                    pos = memchr::memrchr(b'\n', &data[pos..m]).map_or(pos, |i| pos + i + 1);
                }
                // every joined record is scanned: the wrap may have cut its literal
                _ => match span {
                    Some(s) => pos = s.start,
                    None => break,
                },
            }
        }
        line_no += count_lines(&data[counted..pos]);
        if let Some(&span) = spans.get(next_span).filter(|s| s.start == pos) {
            let last = line_no + u64::from(span.lines) - 1;
            proc.line(&wrap::join(data, span), line_no, last, true);
            next_span += 1;
            pos = (span.end + 1).min(data.len());
            counted = pos;
            line_no = last + 1;
            continue;
        }
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        proc.line(&data[pos..end], line_no, line_no, true);
        pos = (end + 1).min(data.len());
        counted = pos;
        line_no += 1;
    }
    let mut lines = line_no - 1 + count_lines(&data[counted..]);
    if data.last().is_some_and(|&c| c != b'\n') && counted < data.len() {
        lines += 1;
    }
    let mut events = proc.events;
    events.sort_by_key(|e| e.line);
    ChunkOut {
        events,
        open: proc.pending,
        lines,
        spans,
    }
}

/// Joins chunk results in file order and hands events to the sink.
pub(crate) struct Merger<'a, 's> {
    scanner: &'a Scanner,
    opts: &'a Options,
    source: &'a Arc<Path>,
    carried: Vec<Group>,
    outbox: Vec<Event>,
    /// Lines before the next chunk.
    pub(crate) base: u64,
    pub(crate) events: u64,
    sink: &'s mut dyn FnMut(Event),
}

impl<'a, 's> Merger<'a, 's> {
    pub(crate) fn new(
        scanner: &'a Scanner,
        opts: &'a Options,
        source: &'a Arc<Path>,
        sink: &'s mut dyn FnMut(Event),
    ) -> Self {
        Merger {
            scanner,
            opts,
            source,
            carried: Vec::new(),
            outbox: Vec::new(),
            base: 0,
            events: 0,
            sink,
        }
    }

    /// Delivers the events that no later one can precede: those before the
    /// first line of every event still open.
    fn flush(&mut self) {
        let limit = self
            .carried
            .iter()
            .map(|g| g.line)
            .min()
            .unwrap_or(u64::MAX);
        self.outbox.sort_by_key(|e| e.line);
        let ready = self.outbox.partition_point(|e| e.line < limit);
        for e in self.outbox.drain(..ready) {
            self.events += 1;
            (self.sink)(e);
        }
    }

    /// Takes the next chunk (in file order) and its scan result.
    pub(crate) fn accept(&mut self, data: &[u8], out: ChunkOut) {
        let mut consumed: Vec<u64> = Vec::new();
        let mut still_open = Vec::new();
        if !self.carried.is_empty() {
            // continue the events left open by the previous chunks over this one's head
            let mut proc = Proc::new(self.scanner, self.opts, self.source);
            proc.pending = std::mem::take(&mut self.carried);
            let mut pos = 0;
            let mut no = self.base + 1;
            let mut spans = out.spans.iter().peekable();
            while pos < data.len() && !proc.pending.is_empty() {
                if let Some(&&span) = spans.peek().filter(|s| s.start == pos) {
                    spans.next();
                    let last = no + u64::from(span.lines) - 1;
                    if proc.line(&wrap::join(data, span), no, last, false) {
                        consumed.push(no);
                    }
                    pos = span.end + 1;
                    no = last + 1;
                    continue;
                }
                let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
                if proc.line(&data[pos..end], no, no, false) {
                    consumed.push(no);
                }
                pos = end + 1;
                no += 1;
            }
            if pos >= data.len() {
                // open through the whole chunk: they may go on in the next one
                still_open = std::mem::take(&mut proc.pending);
            }
            proc.close_all();
            self.outbox.append(&mut proc.events);
        }
        self.carried = still_open;
        let base = self.base;
        for mut e in out.events {
            e.line += base;
            e.end_line += base;
            if consumed.binary_search(&e.line).is_err() {
                self.outbox.push(e);
            }
        }
        for mut g in out.open {
            g.line += base;
            g.end_line += base;
            if consumed.binary_search(&g.line).is_err() {
                self.carried.push(g);
            }
        }
        self.base += out.lines;
        self.flush();
    }

    /// Closes what is still open and delivers the rest.
    pub(crate) fn finish(&mut self) {
        let mut proc = Proc::new(self.scanner, self.opts, self.source);
        proc.pending = std::mem::take(&mut self.carried);
        proc.close_all();
        self.outbox.append(&mut proc.events);
        self.flush();
    }
}

/// Reads a stream in chunks that end on a newline, cutting over-long lines.
pub(crate) struct ChunkReader<R> {
    inner: R,
    carry: Vec<u8>,
    eof: bool,
    pub(crate) bytes: u64,
    pub(crate) error: Option<io::Error>,
    chunk: usize,
}

impl<R: Read> ChunkReader<R> {
    pub(crate) fn new(inner: R, chunk: usize) -> Self {
        ChunkReader {
            inner,
            carry: Vec::new(),
            eof: false,
            bytes: 0,
            error: None,
            chunk,
        }
    }

    fn read_some(&mut self, buf: &mut [u8]) -> usize {
        loop {
            match self.inner.read(buf) {
                Ok(0) => {
                    self.eof = true;
                    return 0;
                }
                Ok(n) => {
                    self.bytes += n as u64;
                    return n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.error = Some(e);
                    self.eof = true;
                    return 0;
                }
            }
        }
    }

    /// Fills `buf` with the next chunk; returns its length, or None at the end.
    pub(crate) fn next_chunk(&mut self, buf: &mut Vec<u8>) -> Option<usize> {
        if self.eof && self.carry.is_empty() {
            return None;
        }
        // The buffer gets a chunk's capacity once, and only what is read
        // into it is ever written: a small log touches a few pages, a large
        // one leaves no outgrown copies behind (mimalloc kept those: 80 MiB
        // peak for four buffers of 8 MiB), and nothing is zeroed first.
        buf.clear();
        buf.reserve_exact(self.chunk);
        let from_carry = self.carry.len().min(self.chunk);
        buf.extend_from_slice(&self.carry[..from_carry]);
        self.carry.drain(..from_carry);
        if self.carry.capacity() > 1 << 20 {
            self.carry.shrink_to(64 << 10);
        }
        while !self.eof && buf.len() < self.chunk {
            let before = buf.len();
            let room = (self.chunk - before) as u64;
            let read = (&mut self.inner).take(room).read_to_end(buf);
            self.bytes += (buf.len() - before) as u64;
            match read {
                // short of the limit: the input ended
                Ok(_) => self.eof = buf.len() < self.chunk,
                Err(e) => {
                    self.error = Some(e);
                    self.eof = true;
                }
            }
        }
        let filled = buf.len();
        if filled == 0 {
            return None;
        }
        if self.eof && self.carry.is_empty() {
            return Some(filled);
        }
        match memchr::memrchr(b'\n', &buf[..filled]) {
            Some(last) => {
                let i = record_boundary(&buf[..filled], last);
                let tail = buf[i + 1..filled].to_vec();
                self.carry.splice(0..0, tail);
                Some(i + 1)
            }
            None => {
                // A line longer than a chunk: keep its head, skip the rest of it.
                if let Some(i) = memchr::memchr(b'\n', &self.carry) {
                    self.carry.drain(..=i);
                    return Some(filled);
                }
                self.carry.clear();
                let mut scratch = vec![0u8; 64 << 10];
                loop {
                    let n = self.read_some(&mut scratch);
                    if n == 0 {
                        break;
                    }
                    if let Some(i) = memchr::memchr(b'\n', &scratch[..n]) {
                        self.carry.extend_from_slice(&scratch[i + 1..n]);
                        break;
                    }
                }
                Some(filled)
            }
        }
    }
}

/// Where to end a chunk: the newline at `last` or an earlier one, so that a
/// hard-wrapped record is not split between chunks (then it could not be
/// joined). Looks back over at most [`wrap::MAX_CONTINUATIONS`] lines;
/// without a safe newline there, `last`.
fn record_boundary(buf: &[u8], last: usize) -> usize {
    let mut nl = last;
    for _ in 0..=wrap::MAX_CONTINUATIONS {
        let head = &buf[nl + 1..];
        // the next line must be known well enough to tell
        let known = memchr::memchr(b'\n', head).is_some() || head.len() >= 256;
        let prev_start = memchr::memrchr(b'\n', &buf[..nl]).map_or(0, |i| i + 1);
        if known && wrap::safe_cut(&buf[prev_start..nl], head) {
            return nl;
        }
        if prev_start == 0 {
            break;
        }
        nl = prev_start - 1;
    }
    last
}

/// Scans a whole stream with `threads` workers; returns (bytes, lines, events, read error).
pub(crate) fn run<R: Read + Send>(
    reader: R,
    threads: usize,
    chunk: usize,
    scanner: &Scanner,
    opts: &Options,
    source: &Arc<Path>,
    sink: &mut dyn FnMut(Event),
) -> (u64, u64, u64, Option<io::Error>) {
    let mut cr = ChunkReader::new(reader, chunk);
    let mut merger = Merger::new(scanner, opts, source, sink);
    if threads <= 1 {
        let mut buf = Vec::new();
        while let Some(n) = cr.next_chunk(&mut buf) {
            let out = scan_chunk(scanner, opts, source, &buf[..n]);
            merger.accept(&buf[..n], out);
        }
        merger.finish();
        return (cr.bytes, merger.base, merger.events, cr.error);
    }
    // One buffer per worker and one being read: the reader fills a chunk in
    // a fraction of the time a worker scans one. (A second spare was no
    // faster, and cost 8 MiB more peak memory, 2 MiB huge pages of mimalloc
    // included.)
    let pool = threads + 1;
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(pool);
    for _ in 0..pool {
        let _ = free_tx.send(Vec::new());
    }
    let (work_tx, work_rx) = sync_channel::<(u64, Vec<u8>, usize)>(threads);
    let work_rx = Mutex::new(work_rx);
    let (res_tx, res_rx) = channel::<(u64, Vec<u8>, usize, ChunkOut)>();
    let (bytes, error) = std::thread::scope(|s| {
        let reader = s.spawn(move || {
            let mut idx = 0u64;
            while let Ok(mut buf) = free_rx.recv() {
                match cr.next_chunk(&mut buf) {
                    Some(n) => {
                        if work_tx.send((idx, buf, n)).is_err() {
                            break;
                        }
                        idx += 1;
                    }
                    None => break,
                }
            }
            (cr.bytes, cr.error)
        });
        for _ in 0..threads {
            let res_tx = res_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || loop {
                let job = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => break,
                };
                let Ok((i, buf, n)) = job else { break };
                let out = scan_chunk(scanner, opts, source, &buf[..n]);
                if res_tx.send((i, buf, n, out)).is_err() {
                    break;
                }
            });
        }
        drop(res_tx);
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, (Vec<u8>, usize, ChunkOut)> = BTreeMap::new();
        for (i, buf, n, out) in res_rx {
            waiting.insert(i, (buf, n, out));
            while let Some((buf, n, out)) = waiting.remove(&next) {
                merger.accept(&buf[..n], out);
                next += 1;
                let _ = free_tx.send(buf);
            }
        }
        merger.finish();
        reader.join().unwrap_or((0, None))
    });
    (bytes, merger.base, merger.events, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pattern;

    fn events_with(data: &[u8], threads: usize, chunk: usize) -> (Vec<Event>, u64) {
        let scanner = Scanner::new(&[
            Pattern::literal("OperationalError"),
            Pattern::literal("Connection refused"),
            Pattern::literal("IllegalStateException"),
            Pattern::literal("no such host"),
        ])
        .unwrap();
        let opts = Options {
            threads,
            ..Options::default()
        };
        let source: Arc<Path> = Arc::from(Path::new("t"));
        let mut out = Vec::new();
        let (_, lines, n, _) = run(data, threads, chunk, &scanner, &opts, &source, &mut |e| {
            out.push(e)
        });
        assert_eq!(n as usize, out.len());
        (out, lines)
    }

    #[test]
    fn chunk_boundaries_do_not_change_results() {
        let mut data = String::new();
        for i in 0..40 {
            data.push_str(&format!("web-1  | INFO request {i}\n"));
            data.push_str("web-1  | Traceback (most recent call last):\n");
            data.push_str("db-1   | LOG:  checkpoint\n");
            data.push_str("web-1  |   File \"/app/x.py\", line 3, in f\n");
            data.push_str("web-1  |     connect()\n");
            data.push_str("web-1  | django.db.utils.OperationalError: could not connect: Connection refused\n");
            data.push_str("api-1  | java.lang.IllegalStateException: boom\n");
            data.push_str("api-1  | \tat com.example.A.run(A.java:10)\n");
            data.push_str("db-1   | ERROR:  relation \"x\" does not exist\n");
            data.push_str("api-1  | Caused by: java.net.ConnectException: Connection refused\n");
            data.push_str("api-1  | \t... 12 more\n");
            data.push_str("caddy-1 | {\"level\":\"error\",\"ts\":1740659996.97,\"msg\":\"dial tcp: lookup web: no such host\"}\n");
        }
        let (want, want_lines) = events_with(data.as_bytes(), 1, 1 << 20);
        assert_eq!(want.len(), 40 * 4);
        assert_eq!(want_lines, 40 * 12);
        assert_eq!(want[0].line, 2);
        assert_eq!(want[0].end_line, 6);
        assert_eq!(want[0].matches, vec![0, 1]);
        assert_eq!(want[1].line, 7);
        assert_eq!(want[1].end_line, 11);
        assert_eq!(want[1].matches, vec![2]);
        for chunk in [200, 256, 333, 512, 1000, 4096] {
            for threads in [1, 3] {
                let (got, lines) = events_with(data.as_bytes(), threads, chunk);
                assert_eq!(lines, want_lines, "chunk {chunk}");
                assert_eq!(got, want, "chunk {chunk} threads {threads}");
            }
        }
        // chunks shorter than some lines cut those lines, but line numbers stay right
        for chunk in [61, 97] {
            let (got, lines) = events_with(data.as_bytes(), 2, chunk);
            assert_eq!(lines, want_lines, "chunk {chunk}");
            // every event whose lines all fit in a chunk is found at its line
            let lengths: Vec<usize> = data.lines().map(str::len).collect();
            for e in &want {
                let fits = (e.line..=e.end_line).all(|l| lengths[l as usize - 1] < chunk);
                if fits {
                    assert!(
                        got.iter()
                            .any(|g| g.line == e.line && g.matches == e.matches),
                        "chunk {chunk}: no event at line {}",
                        e.line
                    );
                }
            }
            assert!(got.windows(2).all(|w| w[0].line <= w[1].line));
        }
    }

    #[test]
    fn wrapped_records_are_joined_whatever_the_chunks() {
        // a terminal 70 columns wide cut "no such host" in two
        let record = "2026/11/21 09:30:01 [error] 7#7: *9 web could not be resolved (3: Host not found), lookup web: no such host";
        let cut = record.find("no such host").unwrap() + 5;
        let wrapped = format!("{}\n{}\n", &record[..cut], &record[cut..]);
        assert!(!wrapped.lines().any(|l| l.contains("no such host")));
        let mut data = String::new();
        for i in 0..60 {
            data.push_str(&format!(
                "2026/11/21 09:30:0{} [info] 7#7: request {i}\n",
                i % 10
            ));
            data.push_str(&wrapped);
        }
        let (want, lines) = events_with(data.as_bytes(), 1, 1 << 20);
        assert_eq!(lines, 180);
        assert_eq!(want.len(), 60);
        assert_eq!(
            (want[0].line, want[0].end_line, want[0].matches.clone()),
            (2, 3, vec![3])
        );
        // (the join looks at up to 16 lines around a record within its chunk:
        // chunks of a few records each still decide alike)
        for chunk in [1000, 1500, 4096] {
            for threads in [1, 3] {
                let (got, _) = events_with(data.as_bytes(), threads, chunk);
                assert_eq!(got, want, "chunk {chunk} threads {threads}");
            }
        }
    }

    #[test]
    fn chunk_reader_cuts_long_lines() {
        let mut data = b"a\nbb\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        data.extend_from_slice(b"\nlast");
        let mut cr = ChunkReader::new(&data[..], 16);
        let mut buf = Vec::new();
        let mut chunks = Vec::new();
        while let Some(n) = cr.next_chunk(&mut buf) {
            chunks.push(buf[..n].to_vec());
        }
        assert_eq!(chunks[0], b"a\nbb\n");
        assert_eq!(chunks[1], vec![b'x'; 16]);
        assert_eq!(chunks[2], b"last");
        assert_eq!(cr.bytes, data.len() as u64);
    }

    #[test]
    fn chunk_buffers_grow_only_as_far_as_the_input_fills_them() {
        // A small log: only its bytes are written (the buffer was zeroed to
        // 8 MiB, then grown by doubling, before).
        let mut cr = ChunkReader::new(&b"one line\nanother\n"[..], CHUNK);
        let mut buf = Vec::new();
        assert_eq!(cr.next_chunk(&mut buf), Some(17));
        assert_eq!(buf.len(), 17);
        assert_eq!(cr.next_chunk(&mut buf), None);

        // A larger one is cut into the same chunks as with a full buffer.
        let data: Vec<u8> = (0..40_000)
            .flat_map(|i| format!("line {i} of the log\n").into_bytes())
            .collect();
        let chunk = 300_000;
        let mut cr = ChunkReader::new(&data[..], chunk);
        let mut grown = Vec::new();
        let mut cuts = Vec::new();
        while let Some(n) = cr.next_chunk(&mut grown) {
            cuts.push(grown[..n].to_vec());
        }
        let mut cr = ChunkReader::new(&data[..], chunk);
        let mut full = vec![0; chunk];
        let mut expected = Vec::new();
        while let Some(n) = cr.next_chunk(&mut full) {
            expected.push(full[..n].to_vec());
        }
        assert_eq!(cuts, expected);
        assert!(cuts.len() > 2);
        assert!(cuts[..cuts.len() - 1].iter().all(|c| c.len() > chunk - 64));
        assert_eq!(cuts.concat(), data);
    }
}
