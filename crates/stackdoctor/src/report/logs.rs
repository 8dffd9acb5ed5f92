//! The report of `stackdoctor logs`: known errors grouped by cause, with
//! counts, first and last time seen, services, samples and what to do;
//! then the lines that look like errors but match no signature.

use crate::finding::Severity;
use crate::knowledge::{catalogue, Lang, SignatureSpec};
pub use crate::model::logs::Scanned;
use crate::model::{LogEvent, Origin, UnrecognisedErrors};
use crate::secrets::mask_patterns;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

pub const SCHEMA: &str = "stackdoctor.logs/1";
/// Sample lines shown per group.
const SAMPLES: usize = 2;

#[derive(Debug, Clone, Serialize)]
pub struct LogReport {
    pub schema: &'static str,
    pub groups: Vec<LogGroup>,
    pub unrecognised: Unrecognised,
    pub scanned: Scanned,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogGroup {
    /// The cause the lines support most.
    pub cause: String,
    pub severity: Severity,
    /// The cause's summary: what it means.
    pub summary: String,
    /// Every cause the group's signatures support, with weights.
    pub causes: Vec<CauseWeight>,
    pub count: u64,
    /// RFC 3339, UTC, when the lines carry times.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub services: Vec<String>,
    pub signatures: Vec<SignatureCount>,
    pub samples: Vec<Sample>,
    /// How to go on: the command that documents the cause and its fix.
    pub fix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CauseWeight {
    pub cause: String,
    pub weight: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureCount {
    pub id: String,
    pub count: u64,
    /// What a line of this signature means.
    pub meaning: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub file: String,
    pub line: u32,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unrecognised {
    pub count: u64,
    pub samples: Vec<Sample>,
}

fn sample(origin: &Origin, text: &str) -> Sample {
    let (file, line) = origin
        .position()
        .map(|p| (p.file.display().to_string(), p.line))
        .unwrap_or_default();
    Sample {
        file,
        line,
        text: mask_patterns(text),
    }
}

/// The primary cause of an event: the one its signature weighs most.
fn primary(event: &LogEvent) -> Option<&str> {
    event
        .causes
        .iter()
        .max_by_key(|(_, weight)| *weight)
        .map(|(cause, _)| cause.as_str())
}

/// Groups events by primary cause; `counts` are the full counts per
/// (signature, service), since only a sample of events is kept.
pub fn build(
    events: &[LogEvent],
    counts: &BTreeMap<(String, Option<String>), u64>,
    signatures: &[SignatureSpec],
    unrecognised: &UnrecognisedErrors,
    scanned: Scanned,
    lang: Lang,
) -> LogReport {
    let catalogue = catalogue();
    let mut groups: BTreeMap<String, LogGroup> = BTreeMap::new();
    let mut counted = std::collections::BTreeSet::new();
    for event in events {
        let Some(cause) = primary(event) else {
            continue;
        };
        let group = groups.entry(cause.to_string()).or_insert_with(|| {
            let entry = catalogue.cause(cause);
            LogGroup {
                cause: cause.to_string(),
                severity: entry.map_or(Severity::Warning, |c| c.severity),
                summary: entry
                    .map(|c| c.summary.get(lang).to_string())
                    .unwrap_or_default(),
                causes: Vec::new(),
                count: 0,
                first_seen: None,
                last_seen: None,
                services: Vec::new(),
                signatures: Vec::new(),
                samples: Vec::new(),
                fix: format!("stackdoctor explain {cause}"),
            }
        });
        let key = (event.signature.clone(), event.service.clone());
        if counted.insert(key.clone()) {
            let n = counts.get(&key).copied().unwrap_or(1);
            group.count += n;
            match group
                .signatures
                .iter_mut()
                .find(|s| s.id == event.signature)
            {
                Some(s) => s.count += n,
                None => group.signatures.push(SignatureCount {
                    id: event.signature.clone(),
                    count: n,
                    meaning: signatures
                        .iter()
                        .find(|s| s.id == event.signature)
                        .map(|s| s.meaning.get(lang).to_string())
                        .unwrap_or_default(),
                }),
            }
        }
        for (cause, weight) in &event.causes {
            if !group.causes.iter().any(|c| &c.cause == cause) {
                group.causes.push(CauseWeight {
                    cause: cause.clone(),
                    weight: *weight,
                });
            }
        }
        if let Some(service) = &event.service {
            if !group.services.contains(service) {
                group.services.push(service.clone());
            }
        }
        if let Some(ms) = event.timestamp {
            let time = rfc3339(ms);
            if group.first_seen.as_ref().is_none_or(|t| &time < t) {
                group.first_seen = Some(time.clone());
            }
            if group.last_seen.as_ref().is_none_or(|t| &time > t) {
                group.last_seen = Some(time);
            }
        }
        if group.samples.len() < SAMPLES {
            group.samples.push(sample(&event.origin, &event.message));
        }
    }
    let mut groups: Vec<LogGroup> = groups.into_values().collect();
    groups.sort_by_key(|g| (g.severity, std::cmp::Reverse(g.count)));
    LogReport {
        schema: SCHEMA,
        groups,
        unrecognised: Unrecognised {
            count: unrecognised.count,
            samples: unrecognised
                .samples
                .iter()
                .take(3)
                .map(|s| sample(&s.origin, &s.value))
                .collect(),
        },
        scanned,
    }
}

impl LogReport {
    /// Whether a known error that breaks requests was found.
    pub fn has_problems(&self) -> bool {
        self.groups.iter().any(|g| g.severity <= Severity::Warning)
    }
}

/// Unix milliseconds as RFC 3339 in UTC (`2026-11-21T09:30:01.123Z`).
pub fn rfc3339(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The report for people.
pub fn render_text(report: &LogReport, lang: Lang, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for group in &report.groups {
        let head = format!("{}[{}]", group.severity.as_str(), group.cause);
        let code = if group.severity == Severity::Error {
            "1;31"
        } else {
            "1;33"
        };
        let times = match (&group.first_seen, &group.last_seen) {
            (Some(first), Some(last)) => format!(", {first} … {last}"),
            _ => String::new(),
        };
        let services = if group.services.is_empty() {
            String::new()
        } else {
            format!(", {}", group.services.join(", "))
        };
        let _ = writeln!(
            out,
            "{} ×{}{}{}",
            paint(code, &head),
            group.count,
            services,
            times
        );
        let _ = writeln!(out, "  {}", group.summary);
        for signature in &group.signatures {
            let _ = writeln!(
                out,
                "  - {} ×{}: {}",
                signature.id, signature.count, signature.meaning
            );
        }
        for s in &group.samples {
            let _ = writeln!(out, "    {}:{}: {}", s.file, s.line, s.text);
        }
        let _ = writeln!(out, "  $ {}\n", group.fix);
    }
    if report.unrecognised.count > 0 {
        let title = match lang {
            Lang::En => "unrecognised errors",
            Lang::Ja => "未知のエラー",
        };
        let _ = writeln!(out, "{} ×{}", paint("1", title), report.unrecognised.count);
        for s in &report.unrecognised.samples {
            let _ = writeln!(out, "    {}:{}: {}", s.file, s.line, s.text);
        }
        out.push('\n');
    }
    let s = &report.scanned;
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "{} known error group(s) in {} file(s), {} line(s), {} byte(s)",
            report.groups.len(),
            s.files,
            s.lines,
            s.bytes
        ),
        Lang::Ja => writeln!(
            out,
            "既知のエラー {} 種類（{} ファイル、{} 行、{} バイト）",
            report.groups.len(),
            s.files,
            s.lines,
            s.bytes
        ),
    };
    for warning in &s.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_740_659_996_970), "2025-02-27T12:39:56.970Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
