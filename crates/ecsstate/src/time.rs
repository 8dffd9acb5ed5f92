//! Timestamps as printed, plus the instant when it can be worked out.

use serde::Serialize;

/// A timestamp as it appeared in the input, with the instant in milliseconds
/// since the Unix epoch when it could be parsed.
///
/// Forms understood: RFC 3339 / ISO 8601 (`2024-03-26T15:58:30.123000+09:00`,
/// `…Z`, with a space instead of `T`, or without a zone = UTC), Go `log`
/// (`2024/03/26 15:58:30`, taken as UTC because the line carries no zone), and
/// JSON numbers (seconds with a fraction as the ECS API returns them, or
/// milliseconds as CloudWatch Logs returns them — numbers above 10^11 are
/// taken as milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    /// The text as printed (numbers are kept in their JSON spelling).
    pub text: String,
    /// Milliseconds since 1970-01-01T00:00:00Z, when parsed.
    pub unix_millis: Option<i64>,
}

impl Timestamp {
    /// Parses a textual timestamp (never fails; `unix_millis` is `None` when
    /// the text is not a form listed on [`Timestamp`]).
    pub fn from_text(text: &str) -> Timestamp {
        Timestamp {
            text: text.to_string(),
            unix_millis: parse_text(text.trim()),
        }
    }

    /// Seconds since the Unix epoch (rounded down), when parsed.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.unix_millis.map(|m| m.div_euclid(1000))
    }

    pub(crate) fn from_json(value: &serde_json::Value) -> Option<Timestamp> {
        match value {
            serde_json::Value::String(s) => Some(Timestamp::from_text(s)),
            serde_json::Value::Number(n) => {
                let millis = if let Some(i) = n.as_i64() {
                    if i.abs() > 100_000_000_000 {
                        Some(i)
                    } else {
                        i.checked_mul(1000)
                    }
                } else {
                    n.as_f64().and_then(|f| {
                        let m = if f.abs() > 1e11 { f } else { f * 1000.0 };
                        (m.is_finite() && m.abs() < 9.0e15).then_some(m.floor() as i64)
                    })
                };
                Some(Timestamp {
                    text: n.to_string(),
                    unix_millis: millis,
                })
            }
            _ => None,
        }
    }
}

fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v = 0i64;
    for b in part {
        v = v * 10 + i64::from(b - b'0');
    }
    Some(v)
}

/// `YYYY?MM?DD?hh:mm:ss[.frac][Z|±hh[:]mm]` where the separators are `-`/`/`
/// and `T`/space.
fn parse_text(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    let sep = *b.get(4)?;
    if (sep != b'-' && sep != b'/') || b.get(7) != Some(&sep) {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    if b.get(16) != Some(&b':') {
        return None;
    }
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &b[start..i];
        for (k, d) in frac.iter().take(3).enumerate() {
            millis += i64::from(d - b'0') * [100, 10, 1][k];
        }
    }
    let offset_secs = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') => 0,
        Some(c @ (b'+' | b'-')) => {
            let sign = if *c == b'-' { -1 } else { 1 };
            let oh = digits(b, i + 1, 2)?;
            let om = if b.get(i + 3) == Some(&b':') {
                digits(b, i + 4, 2)?
            } else {
                digits(b, i + 3, 2).unwrap_or(0)
            };
            sign * (oh * 3600 + om * 60)
        }
        // Trailing text (e.g. ` +0900 JST`, ` UTC`) is tolerated only after a space.
        Some(b' ') => {
            let rest = s[i..].trim_start();
            let rb = rest.as_bytes();
            match rb.first() {
                Some(c @ (b'+' | b'-')) => {
                    let sign = if *c == b'-' { -1 } else { 1 };
                    let oh = digits(rb, 1, 2).unwrap_or(0);
                    let om = digits(rb, 3, 2).unwrap_or(0);
                    sign * (oh * 3600 + om * 60)
                }
                _ => 0,
            }
        }
        Some(_) => return None,
    };
    let days = civildate::days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            Timestamp::from_text("1970-01-01T00:00:01Z").unix_millis,
            Some(1000)
        );
        assert_eq!(
            Timestamp::from_text("2024-03-26T15:58:30.123000+09:00").unix_seconds(),
            Some(1_711_436_310)
        );
        assert_eq!(
            Timestamp::from_text("2024/03/26 06:58:30").unix_seconds(),
            Some(1_711_436_310)
        );
        assert_eq!(
            Timestamp::from_text("2026-01-29T06:56:10.956Z").unix_millis,
            Some(1_769_669_770_956)
        );
        assert_eq!(Timestamp::from_text("yesterday").unix_millis, None);
        let n = serde_json::json!(1711436310.5);
        assert_eq!(
            Timestamp::from_json(&n).unwrap().unix_millis,
            Some(1_711_436_310_500)
        );
        let n = serde_json::json!(1711436310500i64);
        assert_eq!(
            Timestamp::from_json(&n).unwrap().unix_millis,
            Some(1_711_436_310_500)
        );
    }
}
