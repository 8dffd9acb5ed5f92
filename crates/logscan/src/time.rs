//! Timestamp recognition for the shapes container logs use.
//!
//! Everything here runs only for events, never for every scanned line.

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn month_abbrev(b: &[u8]) -> Option<u32> {
    const M: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let s = b.get(..3)?;
    M.iter().position(|m| &m[..] == s).map(|i| i as u32 + 1)
}

#[allow(clippy::too_many_arguments)]
fn to_millis(
    y: u32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
    off_min: i64,
) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = civildate::days_from_civil(i64::from(y), mo, d);
    let secs =
        days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s) - off_min * 60;
    Some(secs * 1000 + i64::from(ms))
}

/// Parses `.123`/`,123456789` at `at`; returns (millis, bytes consumed).
fn fraction(b: &[u8], at: usize) -> (u32, usize) {
    match b.get(at) {
        Some(b'.') | Some(b',') => {}
        _ => return (0, 0),
    }
    let mut i = at + 1;
    let mut ms = 0u32;
    let mut n = 0;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if n < 3 {
            ms = ms * 10 + u32::from(c - b'0');
        }
        n += 1;
        i += 1;
    }
    if n == 0 {
        return (0, 0);
    }
    for _ in n..3 {
        ms *= 10;
    }
    (ms, i - at)
}

/// Parses `Z`, `+01:00`, `+0100`, ` +0000`, ` UTC` at `at`; absent means UTC.
fn offset(b: &[u8], at: usize) -> i64 {
    let mut i = at;
    if b.get(i) == Some(&b' ') && matches!(b.get(i + 1), Some(b'+') | Some(b'-')) {
        i += 1;
    }
    let sign = match b.get(i) {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return 0,
    };
    let Some(h) = digits(b, i + 1, 2) else {
        return 0;
    };
    let m = if b.get(i + 3) == Some(&b':') {
        digits(b, i + 4, 2)
    } else {
        digits(b, i + 3, 2)
    };
    sign * (i64::from(h) * 60 + i64::from(m.unwrap_or(0)))
}

/// Tries to read a timestamp starting exactly at the beginning of `b`.
///
/// Shapes: RFC 3339 (`2026-11-21T09:30:01.5Z`, `+01:00`), Python logging
/// (`2026-11-21 09:30:01,123`), gunicorn (`2026-11-21 09:30:01 +0000`), Go log and
/// nginx (`2026/11/21 09:30:01`), common log (`21/Nov/2026:09:14:03 +0000`).
pub(crate) fn parse_at(b: &[u8]) -> Option<i64> {
    // YYYY-MM-DD or YYYY/MM/DD
    if let (Some(y), Some(sep)) = (digits(b, 0, 4), b.get(4).copied()) {
        if (sep == b'-' || sep == b'/') && b.get(7) == Some(&sep) {
            let mo = digits(b, 5, 2)?;
            let d = digits(b, 8, 2)?;
            if !matches!(b.get(10), Some(b'T') | Some(b' ') | Some(b't') | Some(b'_')) {
                return None;
            }
            let h = digits(b, 11, 2)?;
            if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
                return None;
            }
            let mi = digits(b, 14, 2)?;
            let s = digits(b, 17, 2)?;
            let (ms, used) = fraction(b, 19);
            let off = match b.get(19 + used) {
                Some(b'Z') | Some(b'z') => 0,
                _ => offset(b, 19 + used),
            };
            return to_millis(y, mo, d, h, mi, s, ms, off);
        }
    }
    // DD/Mon/YYYY:HH:MM:SS +0000
    if b.get(2) == Some(&b'/') && b.get(6) == Some(&b'/') && b.get(11) == Some(&b':') {
        let d = digits(b, 0, 2)?;
        let mo = month_abbrev(b.get(3..)?)?;
        let y = digits(b, 7, 4)?;
        let h = digits(b, 12, 2)?;
        let mi = digits(b, 15, 2)?;
        let s = digits(b, 18, 2)?;
        if b.get(14) != Some(&b':') || b.get(17) != Some(&b':') {
            return None;
        }
        let (ms, used) = fraction(b, 20);
        let off = offset(b, 20 + used);
        return to_millis(y, mo, d, h, mi, s, ms, off);
    }
    None
}

/// Finds a timestamp near the start of a log message (first 160 bytes).
pub(crate) fn find_in_text(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let limit = b.len().min(160);
    let mut prev_digit = false;
    for i in 0..limit {
        let c = b[i];
        let is_digit = c.is_ascii_digit();
        if is_digit && !prev_digit {
            if let Some(t) = parse_at(&b[i..]) {
                return Some(t);
            }
        }
        prev_digit = is_digit;
    }
    None
}

/// Converts a JSON number timestamp (seconds, milliseconds, micro- or nanoseconds) to millis.
pub(crate) fn from_number(n: f64) -> Option<i64> {
    if !n.is_finite() || n <= 0.0 {
        return None;
    }
    let ms = if n >= 1e17 {
        n / 1e6
    } else if n >= 1e14 {
        n / 1e3
    } else if n >= 1e11 {
        n
    } else {
        n * 1000.0
    };
    Some(ms.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_795_253_401_000; // 2026-11-21T09:30:01Z

    #[test]
    fn shapes() {
        assert_eq!(parse_at(b"2026-11-21T09:30:01Z"), Some(T));
        assert_eq!(parse_at(b"2026-11-21T09:30:01.123456789Z x"), Some(T + 123));
        assert_eq!(parse_at(b"2026-11-21T10:30:01+01:00"), Some(T));
        assert_eq!(parse_at(b"2026-11-21T09:30:01"), Some(T));
        assert_eq!(parse_at(b"2026-11-21 09:30:01,123 ERROR"), Some(T + 123));
        assert_eq!(parse_at(b"2026-11-21 09:30:01 +0000] [7]"), Some(T));
        assert_eq!(parse_at(b"2026/11/21 09:30:01 [error] 29#29"), Some(T));
        assert_eq!(parse_at(b"21/Nov/2026:09:30:01 +0000]"), Some(T));
        assert_eq!(parse_at(b"21/Nov/2026:10:30:01 +0100]"), Some(T));
        assert_eq!(parse_at(b"1.2.3.4"), None);
        assert_eq!(parse_at(b"2026-13-21T09:30:01Z"), None);
    }

    #[test]
    fn search_and_numbers() {
        assert_eq!(
            find_in_text("172.18.0.1 - - [21/Nov/2026:09:30:01 +0000] \"GET / HTTP/1.1\" 502"),
            Some(T)
        );
        assert_eq!(
            find_in_text("[2026-11-21 09:30:01 +0000] [7] [ERROR] boom"),
            Some(T)
        );
        assert_eq!(find_in_text("no time here 12 34"), None);
        assert_eq!(from_number(1_700_000_000_000.0), Some(1_700_000_000_000));
        assert_eq!(from_number(1_740_659_996.97), Some(1_740_659_996_970));
        assert_eq!(from_number(1_700_000_000.0), Some(1_700_000_000_000));
    }
}
