//! Hard-wrapped records: a terminal or a tool that cut a long line at its
//! width (an nginx error line continued on the next line, CLI output cut
//! mid-word, a `docker compose logs` copy whose wrapped part sits under the
//! same `service  | ` prefix). Such a record is joined into one logical line
//! before matching; its event keeps the first physical line's number.
//!
//! Joining is conservative, because joining two real records is worse than
//! missing a wrap. A line `b` continues the line `a` before it only when
//!
//! - `b` does not start a record: it is not blank and does not begin with a
//!   timestamp, `{`, `[`, `<`, a level word, `key=`, an access log's client
//!   IP, a traceback or stack-trace line, an indentation (two spaces or a
//!   tab), or `SomeError: `; and it carries no compose prefix, or the very
//!   prefix of `a` (the same container); and
//! - `a` looks cut: it opens a JSON object it does not close, or it is at
//!   least [`MIN_WIDTH`] columns wide, every further cut line of the record
//!   has that width (a terminal cuts every line at the same column), the
//!   last is not wider, no line among the [`WINDOW`] lines before and after
//!   the record is wider (a terminal copy has no line wider than its width;
//!   for compose lines wrapped under their prefix: no line of the same
//!   container), and there is evidence of a cut: a third line of the same
//!   width; another line of that width nearby; a compose line continued
//!   without its prefix (every line `docker compose logs` prints has one);
//!   or a first line that starts a record (a timestamp …) among neighbours
//!   that all do, so that only the continuation lacks one.
//!
//! A record joins at most [`MAX_CONTINUATIONS`] lines and [`MAX_JOINED_BYTES`].
//! Only lines next to a boundary that passes the first, cheap test (a look at
//! the first bytes of `b`) are measured, so logs whose lines all start with
//! a timestamp, a prefix or `{` are scanned as fast as before.

use crate::parse;

/// Continuation lines one record may have.
pub(crate) const MAX_CONTINUATIONS: u32 = 64;
/// Bytes of one joined record, at most.
pub(crate) const MAX_JOINED_BYTES: usize = 64 << 10;
/// Narrowest width that counts as a terminal's or tool's cut.
const MIN_WIDTH: usize = 40;
/// Lines around a record compared with its width.
const WINDOW: usize = 16;

/// A record of several physical lines: bytes `start..end` of the chunk (`end`
/// is the end of its last line, without the newline) and its line count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub lines: u32,
}

fn strip_cr(raw: &[u8]) -> &[u8] {
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

/// End of the line starting at `start` (its newline, or the data's end).
#[inline]
fn line_end(data: &[u8], start: usize) -> usize {
    memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i)
}

/// Length of the line's compose prefix (`web-1  | `), 0 without one.
#[inline]
fn prefix_len(line: &[u8]) -> usize {
    parse::compose_prefix(line).map_or(0, |(_, rest)| line.len() - rest.len())
}

/// Columns a line takes on a terminal: tabs to the next multiple of 8, East
/// Asian wide characters 2, control characters and combining marks 0.
/// Counting stops past `limit`.
fn width(line: &[u8], limit: usize) -> usize {
    let mut w = 0usize;
    let mut i = 0;
    while i < line.len() && w <= limit {
        let c = line[i];
        if c < 0x80 {
            match c {
                b'\t' => w = (w / 8 + 1) * 8,
                0x20..=0x7e => w += 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        let (cp, n) = decode(&line[i..]);
        w += char_width(cp);
        i += n;
    }
    w
}

/// One UTF-8 sequence: its code point and length (an invalid byte is U+FFFD, 1 byte).
fn decode(b: &[u8]) -> (u32, usize) {
    let n = match b[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (0xfffd, 1),
    };
    match std::str::from_utf8(&b[..n.min(b.len())]) {
        Ok(s) => (s.chars().next().map_or(0xfffd, u32::from), n),
        Err(_) => (0xfffd, 1),
    }
}

fn char_width(cp: u32) -> usize {
    match cp {
        0x0300..=0x036f | 0x200b..=0x200f | 0xfe00..=0xfe0f => 0,
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> bool {
    b.get(at..at + n)
        .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
}

/// A timestamp, an epoch number or an access log's client IP at the start.
fn starts_with_number_record(r: &[u8]) -> bool {
    // 2026-11-21, 2026/11/21, 2026.11.21
    if digits(r, 0, 4) && matches!(r.get(4), Some(b'-' | b'/' | b'.')) && digits(r, 5, 2) {
        return true;
    }
    // 09:30:01
    if digits(r, 0, 2) && r.get(2) == Some(&b':') && digits(r, 3, 2) && r.get(5) == Some(&b':') {
        return true;
    }
    // 21/Nov/2026, 21-Nov-2026, 21 Nov 2026
    if digits(r, 0, 2)
        && matches!(r.get(2), Some(b'/' | b'-' | b' '))
        && r.get(3..6)
            .is_some_and(|m| m.iter().all(u8::is_ascii_alphabetic))
        && r.get(6) == r.get(2)
    {
        return true;
    }
    // 1740659996 or 1740659996.97 followed by a space
    if digits(r, 0, 10) {
        let mut i = 10;
        while r.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            i += 1;
        }
        if matches!(r.get(i), None | Some(b' ' | b'\t')) {
            return true;
        }
    }
    // 172.18.0.5 - - [21/Nov/2026:…] (an access log line)
    let mut i = 0;
    for part in 0..4 {
        let s = i;
        while i < r.len() && i - s < 3 && r[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
        if part < 3 {
            if r.get(i) != Some(&b'.') {
                return false;
            }
            i += 1;
        }
    }
    r.get(i) == Some(&b' ')
}

const LEVEL_WORDS: [&[u8]; 14] = [
    b"ERROR",
    b"FATAL",
    b"CRITICAL",
    b"PANIC",
    b"WARNING",
    b"WARN",
    b"INFO",
    b"DEBUG",
    b"TRACE",
    b"NOTICE",
    b"SEVERE",
    b"EMERG",
    b"ALERT",
    b"CRIT",
];
const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
const RECORD_STARTS: [&[u8]; 9] = [
    b"Traceback (most recent call last)",
    b"Caused by: ",
    b"During handling of the above exception",
    b"The above exception was the direct cause",
    b"panic: ",
    b"goroutine ",
    b"at ",
    b"... ",
    b"Exception in thread ",
];

/// Does `r` (a line, or what follows its compose prefix) start a new record?
pub(crate) fn starts_record(r: &[u8]) -> bool {
    let Some(&c) = r.first() else {
        return true;
    };
    match c {
        b'{' | b'[' | b'<' | b'\t' | b'\r' | b'\n' => true,
        // one space and text: a cut before a space; more: an indented record body
        b' ' => r.get(1).is_none_or(|d| d.is_ascii_whitespace()),
        b'0'..=b'9' => starts_with_number_record(r),
        _ => {
            let word_len = r.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            let word = &r[..word_len];
            let after = r.get(word_len).copied();
            if LEVEL_WORDS.contains(&word) && !after.is_some_and(|a| a.is_ascii_alphanumeric()) {
                return true;
            }
            // glog: I1121 09:30:01.123456
            if matches!(c, b'I' | b'W' | b'E' | b'F') && digits(r, 1, 4) && r.get(5) == Some(&b' ')
            {
                return true;
            }
            // syslog and ctime: Nov 21 09:30:01, Thu Nov 21 …
            if word_len == 3
                && after == Some(b' ')
                && (MONTHS.contains(&word)
                    && r.get(4).is_some_and(|d| d.is_ascii_digit() || *d == b' ')
                    || DAYS.contains(&word))
            {
                return true;
            }
            // logfmt: level=error msg=…, time="…"
            if after == Some(b'=') && word_len > 0 && word.iter().all(u8::is_ascii_lowercase) {
                return true;
            }
            // a capitalised word (`Starting …`, `Quit …`): a new sentence, so a
            // new record; a cut right before one is missed, a join of two
            // records avoided
            if word_len >= 2 && c.is_ascii_uppercase() && r[1].is_ascii_lowercase() {
                return true;
            }
            if RECORD_STARTS.iter().any(|s| r.starts_with(s)) {
                return true;
            }
            error_name_start(r)
        }
    }
}

/// `ValueError: …`, `botocore.exceptions.ClientError: …`, `java.io.IOException: …`.
fn error_name_start(r: &[u8]) -> bool {
    let head = &r[..r.len().min(120)];
    let Some(colon) = memchr::memmem::find(head, b": ") else {
        return false;
    };
    let name = &head[..colon];
    (name.ends_with(b"Error") || name.ends_with(b"Exception") || name.ends_with(b"Warning"))
        && name
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
}

/// How the continuation lines of a record look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The continuation has no prefix (a terminal wrapped the whole line).
    Bare,
    /// The continuation repeats the first line's compose prefix (the app's
    /// output was wrapped, then prefixed line by line).
    SamePrefix,
}

/// The first, cheap test of a boundary: can `b` continue `a` (whose compose
/// prefix is `pa` bytes long)? Returns the mode and `b`'s prefix length.
#[inline]
fn continues(a: &[u8], pa: usize, b: &[u8]) -> (Option<Mode>, usize) {
    if b.is_empty() {
        return (None, 0);
    }
    if pa > 0 {
        if b.len() >= pa && a.len() >= pa && b[..pa] == a[..pa] {
            let rest = &b[pa..];
            return ((!starts_record(rest)).then_some(Mode::SamePrefix), pa);
        }
        // compose pads every name to one width: another container's prefix
        // has its bar in the same column
        if pa >= 3 && b.len() >= pa && b[pa - 2] == b'|' && b[pa - 1] == b' ' && b[pa - 3] == b' ' {
            return (None, pa);
        }
    }
    let pb = prefix_len(b);
    if pb > 0 {
        return (None, pb);
    }
    ((!starts_record(b)).then_some(Mode::Bare), 0)
}

/// Whether a line of `a` (prefix `pa`) opens a JSON object it does not close.
fn open_json(a: &[u8], pa: usize) -> bool {
    let rest = a[pa..].trim_ascii();
    rest.first() == Some(&b'{') && rest.last() != Some(&b'}')
}

/// The record that starts with the line at `start` (prefix length `pa`),
/// when it is a hard-wrapped one of at least two lines.
pub(crate) fn span_at(data: &[u8], start: usize, pa: usize) -> Option<Span> {
    let a_end = line_end(data, start);
    let a = strip_cr(&data[start..a_end]);
    if a_end >= data.len() {
        return None;
    }
    let b_start = a_end + 1;
    let b_end = line_end(data, b_start);
    let b = strip_cr(&data[b_start..b_end]);
    let (mode, _) = continues(a, pa, b);
    let mode = mode?;
    let json = open_json(a, pa);
    let cut = width(a, usize::MAX >> 1);
    if !json && cut < MIN_WIDTH {
        return None;
    }
    // extend over the continuation lines
    let mut lines = 1u32;
    let mut end = a_end;
    let mut bytes = a.len();
    let mut prev_width = cut;
    let mut closed = false;
    let mut next = b_start;
    while lines <= MAX_CONTINUATIONS && next < data.len() && !closed {
        let e = line_end(data, next);
        let line = strip_cr(&data[next..e]);
        let (m, _) = continues(a, pa, line);
        if m != Some(mode) {
            break;
        }
        if !json && (prev_width + 1 < cut || prev_width > cut) {
            // the line before was not cut at the record's width: it ended the record
            break;
        }
        let add = if mode == Mode::SamePrefix {
            line.len() - pa
        } else {
            line.len()
        };
        if bytes + add > MAX_JOINED_BYTES {
            break;
        }
        let w = width(line, cut + 2);
        if !json && w > cut + 1 {
            break;
        }
        bytes += add;
        lines += 1;
        end = e;
        prev_width = w;
        next = e + 1;
        if json {
            closed = line.trim_ascii_end().last() == Some(&b'}');
        }
    }
    if lines < 2 {
        return None;
    }
    if json {
        return Some(Span { start, end, lines });
    }
    // Evidence of a cut, beyond the width: three lines or more; another line
    // of the record's width nearby; a compose line continued without its
    // prefix (in `docker compose logs` every line has one); or, for plain
    // lines, a first line that starts a record among neighbours that all do.
    let mut evidence = lines >= 3 || (mode == Mode::Bare && pa > 0);
    // the window, in file order: up to WINDOW lines before and after
    let mut window: Vec<&[u8]> = Vec::with_capacity(2 * WINDOW);
    let mut pos = start;
    for _ in 0..WINDOW {
        if pos == 0 {
            break;
        }
        let s = memchr::memrchr(b'\n', &data[..pos - 1]).map_or(0, |i| i + 1);
        window.push(strip_cr(&data[s..pos - 1]));
        pos = s;
    }
    window.reverse();
    let before = window.len();
    let mut pos = end + 1;
    for _ in 0..WINDOW {
        if pos >= data.len() {
            break;
        }
        let e = line_end(data, pos);
        window.push(strip_cr(&data[pos..e]));
        pos = e + 1;
    }
    let same = |line: &[u8]| mode == Mode::Bare || (line.len() >= pa && line[..pa] == a[..pa]);
    let structured = mode == Mode::Bare && starts_record(a);
    let (mut records, mut strays) = (0usize, 0usize);
    let mut prev_cut = false; // the line before was cut at the record's width
    for (i, line) in window.iter().enumerate() {
        if i == before {
            prev_cut = false;
        }
        if !same(line) {
            prev_cut = false;
            continue;
        }
        let w = width(line, cut + 2);
        if w > cut + 1 {
            // a terminal copy has no line wider than its width
            return None;
        }
        let full = w + 1 >= cut && w >= MIN_WIDTH;
        evidence |= full;
        if structured {
            if starts_record(line) {
                records += 1;
            } else if !prev_cut {
                // a line that starts no record and continues no cut line
                strays += 1;
            }
        }
        prev_cut = full;
    }
    // a first line that starts a record among neighbours that all do
    if structured && records >= 2 && strays == 0 {
        evidence = true;
    }
    evidence.then_some(Span { start, end, lines })
}

/// Every hard-wrapped record of a chunk, in order.
pub(crate) fn find_spans(data: &[u8]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0usize;
    let mut pa = prefix_len(strip_cr(&data[..line_end(data, 0)]));
    // the end of the line at `start`, once known (each line's end is
    // searched once: as `b`'s, then as `a`'s)
    let mut a_end = line_end(data, 0);
    while start < data.len() {
        if a_end >= data.len() {
            break;
        }
        let b_start = a_end + 1;
        let b_end = line_end(data, b_start);
        let a = strip_cr(&data[start..a_end]);
        // The cheap test needs only the head of `b`, up to its newline: the
        // next line's bar may sit in the column of `a`'s, which made a short
        // `b` look prefixed (and `a[..pa]` then panicked on it).
        let b_head = if b_end < data.len() && b_end - b_start < 256 {
            strip_cr(&data[b_start..b_end])
        } else {
            &data[b_start..data.len().min(b_start + 256)]
        };
        let (mode, pb) = continues(a, pa, b_head);
        if mode.is_some() {
            if let Some(span) = span_at(data, start, pa) {
                spans.push(span);
                start = span.end + 1;
                if start < data.len() {
                    a_end = line_end(data, start);
                    pa = prefix_len(strip_cr(&data[start..a_end]));
                }
                continue;
            }
        }
        start = b_start;
        a_end = b_end;
        pa = pb;
    }
    spans
}

/// The record's text as one line: the lines concatenated (a terminal cut
/// inside a word or before a space; neither needs a separator), each
/// continuation's repeated compose prefix removed.
pub(crate) fn join(data: &[u8], span: Span) -> Vec<u8> {
    let mut out = Vec::with_capacity(span.end - span.start);
    let mut pos = span.start;
    let first_end = line_end(data, pos);
    let first = strip_cr(&data[pos..first_end]);
    let pa = prefix_len(first);
    out.extend_from_slice(first);
    pos = first_end + 1;
    while pos <= span.end && pos < data.len() {
        let e = line_end(data, pos);
        let line = strip_cr(&data[pos..e]);
        if pa > 0 && line.len() >= pa && line[..pa] == first[..pa] {
            out.extend_from_slice(&line[pa..]);
        } else {
            out.extend_from_slice(line);
        }
        pos = e + 1;
    }
    out
}

/// Whether a chunk may end before the line `head` (the start of the next
/// line) without splitting a record: `head` plainly starts one.
pub(crate) fn safe_cut(prev: &[u8], head: &[u8]) -> bool {
    let prev = strip_cr(prev);
    let head = match memchr::memchr(b'\n', head) {
        Some(i) => strip_cr(&head[..i]),
        None => head,
    };
    continues(prev, prefix_len(prev), head).0.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_starts() {
        for line in [
            "2026/11/21 09:30:01 [error] 29#29: *1 connect() failed",
            "2026-11-21T09:30:01.123Z info: x",
            "09:30:01 INFO x",
            "21/Nov/2026:09:30:01 x",
            "172.18.0.5 - - [21/Nov/2026:09:00:00 +0000] \"GET / HTTP/1.1\" 200",
            "1740659996.97 x",
            "{\"level\":\"error\"}",
            "[2026-11-21 09:30:01 +0000] [7] [ERROR] x",
            "ERROR: x",
            "INFO x",
            "level=error msg=x",
            "I1121 09:30:01.123456 1 main.go:10] x",
            "Nov 21 09:30:01 host app[1]: x",
            "Traceback (most recent call last):",
            "  File \"/app/x.py\", line 3, in f",
            "\tat com.example.A.run(A.java:10)",
            "botocore.exceptions.ClientError: An error occurred",
            "Starting development server at http://0.0.0.0:8000/",
            "",
        ] {
            assert!(starts_record(line.as_bytes()), "{line:?}");
        }
        for line in [
            " while connecting to upstream, client: 172.18.0.1",
            "TP/1.1\", upstream: \"http://172.18.0.3:8000/\"",
            "3:8000/api/health/\", host: \"localhost\"",
            "ted",
            "eModel operation: Invocation of model ID",
            "TP/1.1\" 502",
        ] {
            assert!(!starts_record(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn widths() {
        assert_eq!(width(b"abc", 100), 3);
        assert_eq!(width(b"a\tb", 100), 9);
        assert_eq!(width("日本語".as_bytes(), 100), 6);
        assert_eq!(width("é".as_bytes(), 100), 1);
    }

    fn joined(text: &str) -> Vec<String> {
        let data = text.as_bytes();
        find_spans(data)
            .into_iter()
            .map(|s| String::from_utf8(join(data, s)).unwrap())
            .collect()
    }

    #[test]
    fn short_or_ragged_lines_are_not_joined() {
        // a plain app log: lines of varied width that start with capitals or words
        let text = "Watching for file changes with StatReloader\n\
                    Performing system checks...\n\
                    System check identified no issues (0 silenced).\n\
                    Django version 5.1.3, using settings 'app.settings'\n\
                    Starting development server at http://0.0.0.0:8000/\n\
                    Quit the server with CONTROL-C.\n\
                    short\n\
                    lines\n";
        assert!(joined(text).is_empty(), "{:?}", joined(text));
    }

    #[test]
    fn a_line_wider_nearby_vetoes_the_join() {
        let text = "this line is long enough to be a terminal's full width\n\
                    continued here\n\
                    but this one nearby is clearly wider than the first one was\n";
        assert!(joined(text).is_empty());
    }

    #[test]
    fn open_json_is_joined_until_it_closes() {
        let text = "{\"level\":\"error\",\"msg\":\"dial tcp 172.18.0.3:8080: co\n\
                    nnect: connection refused\",\"status\":502}\n\
                    {\"level\":\"info\"}\n";
        assert_eq!(
            joined(text),
            vec!["{\"level\":\"error\",\"msg\":\"dial tcp 172.18.0.3:8080: connect: connection refused\",\"status\":502}"]
        );
    }

    #[test]
    fn a_short_line_above_a_bar_in_the_prefix_column_is_no_prefix() {
        // Found by the fuzzer: `nginx-1` alone on a line, the next line's `|`
        // in the column of the first line's bar. The short line was taken for
        // one with an 11-byte prefix, and the next test sliced it past its end.
        let data: &[u8] = b"nginx-1  | /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty\nnginx-1\n | /docker-entrypoint.sh: Looking for shell scripts\nnginx-1  | done\n";
        let crlf: &[u8] = b"nginx-1  | /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty\r\nnginx-1\r\n | /docker-entrypoint.sh: Looking\r\n";
        for data in [data, crlf] {
            let spans = find_spans(data);
            // No record reaches past `nginx-1`: the ` | …` line has no prefix of its own.
            let bar_line = data.windows(4).position(|w| w == b"\n | ").unwrap();
            assert!(spans.iter().all(|s| s.end <= bar_line), "{spans:?}");
            for span in spans {
                assert!(!join(data, span).is_empty());
            }
        }
    }
}
