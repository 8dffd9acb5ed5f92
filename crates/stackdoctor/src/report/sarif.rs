//! The report as SARIF 2.1.0 (OASIS Static Analysis Results Interchange
//! Format), the form code-scanning services and SARIF viewers read.
//!
//! - One rule (`reportingDescriptor`) per cause of the catalogue: the cause
//!   ID, its title as `shortDescription`, its summary as `fullDescription`,
//!   `explain`'s documentation as `help`, its severity as the default level
//!   (error → `error`, warning → `warning`, info → `note`).
//! - One result per finding, symptoms included (each says which root it
//!   follows from): every piece of file evidence is a location (the project
//!   folder is `%SRCROOT%`, paths relative to it; columns count Unicode code
//!   points), the log lines and the request path's other places are related
//!   locations, and each fix step whose edit is exact (the whole line as
//!   read, nothing masked) is a SARIF `fix` that replaces that line.
//! - Notes of the report are tool execution notifications.
//!
//! It is built from the [`Report`], so every string is already masked.

use super::{Report, ReportEvidence, ReportFinding};
use crate::finding::Severity;
use crate::knowledge::{catalogue, Lang};
use serde_json::{json, Value};

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const ROOT_BASE: &str = "%SRCROOT%";

/// The documentation `explain` prints for a cause: the check's doc comment
/// (or its Japanese translation),
/// or the catalogue's `details` for a cause raised from logs only.
pub fn documentation(cause: &str, lang: Lang) -> String {
    match (
        crate::checks::find(cause),
        catalogue().cause(cause).and_then(|c| c.details.as_ref()),
    ) {
        (Some(check), _) => check.documentation_in(lang),
        (None, Some(details)) => details.get(lang).to_string(),
        (None, None) => String::new(),
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `upstream-wrong-port` → `UpstreamWrongPort` (SARIF's `name` is an identifier).
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().collect::<String>() + chars.as_str()
            })
        })
        .collect()
}

/// A file as shown in the report: relative to the project (`%SRCROOT%`), or absolute.
fn artifact(file: &str) -> Value {
    if std::path::Path::new(file).is_absolute() {
        json!({ "uri": file_uri(file) })
    } else {
        json!({ "uri": encode(file), "uriBaseId": ROOT_BASE })
    }
}

/// `file://` URI of an absolute path (a trailing `/` for a folder when asked).
fn file_uri(path: &str) -> String {
    format!("file://{}", encode(path))
}

/// Percent-encodes what may not stand in a URI path.
fn encode(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn location(file: &str, line: u32, column: u32, length: u32, text: &str) -> Value {
    let mut region = json!({ "startLine": line.max(1), "startColumn": column.max(1) });
    if length > 0 {
        region["endColumn"] = json!(column.max(1) + length);
    }
    json!({
        "physicalLocation": { "artifactLocation": artifact(file), "region": region },
        "message": { "text": text },
    })
}

fn evidence_location(e: &ReportEvidence) -> Option<Value> {
    let (file, line) = (e.file.as_deref()?, e.line?);
    let mut value = location(
        file,
        line,
        e.column.unwrap_or(1),
        e.length.unwrap_or(0),
        &e.label,
    );
    if let Some(source) = &e.source {
        value["physicalLocation"]["region"]["snippet"] = json!({ "text": source });
    }
    Some(value)
}

/// GitHub code scanning rejects a whole file when a result has no location
/// (codeql-action issues #1738, #2459): a finding seen only by a probe is
/// placed at the first place of its request path, else at `fallback` (the
/// project's first proxy or ecspresso config, line 1), else at the folder.
fn result(
    finding: &ReportFinding,
    root: Option<&ReportFinding>,
    rules: &[&str],
    fallback: &str,
) -> Value {
    let mut locations = Vec::new();
    let mut related = Vec::new();
    let mut elsewhere = Vec::new();
    for evidence in &finding.evidence {
        match (evidence.kind, evidence_location(evidence)) {
            ("file", Some(place)) => locations.push(place),
            (_, Some(place)) => related.push(place),
            (_, None) => elsewhere.push(evidence.label.clone()),
        }
    }
    // A finding seen only in logs is located at its log lines.
    if locations.is_empty() {
        locations = std::mem::take(&mut related);
    }
    for hop in &finding.path {
        if let Some((file, line, column)) = &hop.place {
            let place = location(file, *line, *column, 0, &hop.label);
            let same = |l: &Value| l["physicalLocation"] == place["physicalLocation"];
            if !locations.iter().any(same) && !related.iter().any(same) {
                related.push(place);
            }
        }
    }
    if locations.is_empty() {
        let first_hop = related
            .iter()
            .position(|l| l["physicalLocation"]["region"].is_object());
        match first_hop {
            Some(index) => locations.push(related.remove(index)),
            None => locations.push(location(fallback, 1, 1, 0, &finding.title)),
        }
    }
    for (id, place) in related.iter_mut().enumerate() {
        place["id"] = json!(id);
    }
    let mut text = finding.title.clone();
    if let Some(root) = root {
        text.push_str(&format!(" (follows from {}: {})", root.cause, root.title));
    }
    for line in &elsewhere {
        text.push_str(&format!("\n- {line}"));
    }
    let mut value = json!({
        "ruleId": finding.cause,
        "level": level(finding.severity),
        "message": { "text": text },
        "locations": locations,
    });
    if let Some(index) = rules.iter().position(|r| *r == finding.cause) {
        value["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        value["relatedLocations"] = json!(related);
    }
    let fixes: Vec<Value> = finding
        .fix
        .iter()
        .filter_map(|step| {
            let edit = step.edit.as_ref().filter(|e| e.exact)?;
            let width = edit.before.chars().count() as u32;
            Some(json!({
                "description": { "text": step.text },
                "artifactChanges": [{
                    "artifactLocation": artifact(&edit.file),
                    "replacements": [{
                        "deletedRegion": {
                            "startLine": edit.line,
                            "startColumn": 1,
                            "endLine": edit.line,
                            "endColumn": width + 1,
                        },
                        "insertedContent": { "text": edit.after },
                    }],
                }],
            }))
        })
        .collect();
    if !fixes.is_empty() {
        value["fixes"] = json!(fixes);
    }
    value
}

/// The SARIF log of a report, pretty-printed.
pub fn render(report: &Report, lang: Lang) -> String {
    let catalogue = catalogue();
    let ids: Vec<&str> = catalogue.ids().collect();
    let rules: Vec<Value> = catalogue
        .causes()
        .map(|(id, cause)| {
            let help = documentation(id, lang);
            json!({
                "id": id,
                "name": rule_name(id),
                "shortDescription": {
                    "text": catalogue.title(id, &Default::default(), lang)
                },
                "fullDescription": { "text": cause.summary.get(lang) },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": level(cause.severity) },
                "properties": { "tags": ["stackdoctor"] },
            })
        })
        .collect();
    let fallback = report
        .inputs
        .proxies
        .first()
        .or(report.inputs.ecspresso_configs.first())
        .map_or(".", String::as_str);
    let mut results = Vec::new();
    for finding in &report.findings {
        results.push(result(finding, None, &ids, fallback));
        for symptom in &finding.symptoms {
            results.push(result(symptom, Some(finding), &ids, fallback));
        }
    }
    let mut notifications: Vec<Value> = report
        .notes
        .iter()
        .map(|note| {
            json!({
                "level": "note",
                "message": { "text": format!("{} [{}]", note.text, note.at) },
            })
        })
        .chain(
            report
                .inputs
                .log_notes
                .iter()
                .map(|note| json!({ "level": "note", "message": { "text": note } })),
        )
        .collect();
    if let Some(message) = &report.nothing_diagnosed {
        notifications.push(json!({ "level": "warning", "message": { "text": message } }));
    }
    let root = std::path::absolute(&report.root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| report.root.clone());
    let root_uri = file_uri(&format!("{}/", root.trim_end_matches('/')));
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "stackdoctor",
                    "version": report.version,
                    "semanticVersion": report.version,
                    "language": match lang { Lang::En => "en", Lang::Ja => "ja" },
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": { ROOT_BASE: { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(rule_name("upstream-wrong-port"), "UpstreamWrongPort");
        assert_eq!(encode("a b/ç.yml"), "a%20b/%C3%A7.yml");
        assert_eq!(artifact("/x/y")["uri"], "file:///x/y");
        assert_eq!(artifact("sub/Caddyfile")["uriBaseId"], ROOT_BASE);
    }
}
