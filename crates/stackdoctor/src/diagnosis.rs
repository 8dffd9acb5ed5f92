//! Merges log findings into checks' findings, ranks findings and groups
//! symptoms under their root cause.
//!
//! Evidence is never dropped: a finding raised from log lines alone
//! (`checks::log_causes`) joins a check's finding of the same cause and
//! subject, so there is one finding with the file evidence, the exact fix
//! and the lines; without such a finding it stays a finding of its own.
//!
//! Order: severity first, then whether a log line or probe shows the finding
//! (a failure seen outranks a risk read in files), then the cause's priority
//! from the catalogue (lower is more fundamental), then where the evidence
//! is. A finding whose
//! cause another finding `explains` (catalogue field) and that concerns the
//! same subject moves under that finding as a symptom. A symptom named
//! only by an IP address is grouped under the first root that explains it,
//! since logs name containers by address.

use crate::finding::{Finding, Severity};
use crate::knowledge::catalogue;
use crate::model::StackModel;
use serde::Serialize;
use std::collections::HashMap;
use std::net::IpAddr;

/// The result of a diagnosis: ranked root findings, symptoms inside them.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    /// Findings left out by `.stackdoctor.toml` or inline comments.
    pub ignored: Vec<crate::ignores::Ignored>,
}

impl Diagnosis {
    /// Whether any finding needs attention (errors and warnings).
    pub fn has_problems(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity <= Severity::Warning)
    }
}

pub fn diagnose(model: &StackModel) -> Diagnosis {
    diagnose_with(model, &crate::config::Config::default())
}

/// The diagnosis with the project's ignores and severities applied (see
/// [`crate::ignores`]) before findings are ranked and grouped.
pub fn diagnose_with(model: &StackModel, config: &crate::config::Config) -> Diagnosis {
    let merged = merge_log_findings(crate::checks::run_all(model));
    let applied = crate::ignores::apply(merged, model, config);
    Diagnosis {
        findings: rank_and_group(applied.findings),
        ignored: applied.ignored,
    }
}

/// Whether the log finding `seen` is about the same thing as the check's `known`.
fn same_subject(known: &Finding, seen: &Finding) -> bool {
    let cites_a_line = seen
        .evidence
        .iter()
        .any(|line| known.evidence.iter().any(|e| e.origin == line.origin));
    cites_a_line
        || match (&known.subject, &seen.subject) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        }
}

/// Moves each finding raised from log lines alone into a check's finding of
/// the same cause and subject (its lines added once, its severity the higher
/// of the two); the others stay as they are.
pub fn merge_log_findings(findings: Vec<Finding>) -> Vec<Finding> {
    let (seen, mut known): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(|f| f.seen_in_logs);
    for finding in seen {
        // A risk about a setting is not the failure the lines show.
        let target = known
            .iter()
            .position(|k| k.cause == finding.cause && !k.setting && same_subject(k, &finding));
        match target {
            Some(i) => {
                let into = &mut known[i];
                into.severity = into.severity.min(finding.severity);
                for evidence in finding.evidence {
                    if !into.evidence.iter().any(|e| e.origin == evidence.origin) {
                        into.evidence.push(evidence);
                    }
                }
            }
            None => known.push(finding),
        }
    }
    known
}

fn priority(cause: &str) -> u32 {
    catalogue()
        .rank(cause)
        .map_or(u32::MAX, |(_, priority)| priority)
}

fn sort_key(f: &Finding) -> (Severity, bool, u32, String) {
    let place = f
        .evidence
        .first()
        .and_then(|e| e.origin.position())
        .map(|p| format!("{}:{:08}:{:08}", p.file.display(), p.line, p.column))
        .unwrap_or_default();
    (f.severity, !f.observed(), priority(&f.cause), place)
}

fn explains(root: &Finding, symptom: &Finding) -> bool {
    let Some(cause) = catalogue().cause(&root.cause) else {
        return false;
    };
    // An error code of the project's API goes under the deeper cause of its
    // kind (a Bedrock or database failure), found in files or in logs.
    if symptom.cause == crate::checks::api::API_ERROR_OBSERVED {
        return symptom
            .params
            .get(crate::checks::api::API_CODE_DOMAIN)
            .is_some_and(|domain| cause.explains_api.contains(domain));
    }
    if !cause.explains.contains(&symptom.cause) {
        return false;
    }
    // A setting and a failure seen are different kinds of finding.
    if root.setting != symptom.setting {
        return false;
    }
    match (&root.subject, &symptom.subject) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => true,
        // Logs name a container by its address, or the loopback the proxy dialled.
        (_, Some(b)) => b.parse::<IpAddr>().is_ok() || b == "localhost",
        (_, None) => true,
    }
}

pub fn rank_and_group(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_cached_key(sort_key);
    // The findings that may explain a cause: those whose cause lists it
    // (so a run with thousands of findings compares only those pairs).
    let mut explainers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, finding) in findings.iter().enumerate() {
        let Some(cause) = catalogue().cause(&finding.cause) else {
            continue;
        };
        for explained in &cause.explains {
            explainers.entry(explained.as_str()).or_default().push(j);
        }
        if !cause.explains_api.is_empty() {
            explainers
                .entry(crate::checks::api::API_ERROR_OBSERVED)
                .or_default()
                .push(j);
        }
    }
    let candidates = |i: usize| {
        explainers
            .get(findings[i].cause.as_str())
            .map_or(&[][..], Vec::as_slice)
    };
    // A finding is a symptom when some other finding explains it.
    let explained: Vec<bool> = (0..findings.len())
        .map(|i| {
            candidates(i).iter().any(|&j| {
                i != j
                    && explains(&findings[j], &findings[i])
                    && !explains(&findings[i], &findings[j])
            })
        })
        .collect();
    // The position among the roots of each finding that is one.
    let mut root_at: Vec<Option<usize>> = vec![None; findings.len()];
    let mut roots_count = 0;
    for (i, is_symptom) in explained.iter().enumerate() {
        if !is_symptom {
            root_at[i] = Some(roots_count);
            roots_count += 1;
        }
    }
    let home: Vec<Option<usize>> = (0..findings.len())
        .map(|i| {
            if !explained[i] {
                return None;
            }
            candidates(i)
                .iter()
                .filter_map(|&j| root_at[j].filter(|_| explains(&findings[j], &findings[i])))
                .next()
        })
        .collect();
    let mut roots: Vec<Finding> = Vec::with_capacity(roots_count);
    let mut orphans: Vec<Finding> = Vec::new();
    let mut placed: Vec<(usize, Finding)> = Vec::new();
    for (i, finding) in findings.into_iter().enumerate() {
        match (explained[i], home[i]) {
            (false, _) => roots.push(finding),
            (true, Some(root)) => placed.push((root, finding)),
            (true, None) => orphans.push(finding),
        }
    }
    for (root, symptom) in placed {
        roots[root].symptoms.push(symptom);
    }
    // Explained only by another symptom: under that symptom.
    for symptom in orphans {
        if let Some(parent) = roots
            .iter_mut()
            .flat_map(|r| r.symptoms.iter_mut())
            .find(|r| explains(r, &symptom))
        {
            parent.symptoms.push(symptom);
        } else {
            // Evidence is never dropped: a symptom nothing placed stays a root.
            roots.push(symptom);
        }
    }
    // A root whose symptoms were seen in logs is a failure seen, too.
    roots.sort_by_key(|f| (f.severity, !f.observed()));
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_code_goes_under_the_deeper_cause_of_its_kind() {
        let throttled = Finding::new("bedrock-throttled").subject("anthropic.claude-3");
        let ai = Finding::new("api-error-observed")
            .subject("AI_SERVICE_ERROR")
            .param("domain", "ai");
        let database = Finding::new("api-error-observed")
            .subject("DATABASE_ERROR")
            .param("domain", "database");
        let plain = Finding::new("api-error-observed").subject("VALIDATION_ERROR");
        let ranked = rank_and_group(vec![ai, throttled, database, plain]);
        let roots: Vec<_> = ranked.iter().map(|f| f.subject.as_deref()).collect();
        assert_eq!(
            roots,
            [
                Some("anthropic.claude-3"),
                Some("DATABASE_ERROR"),
                Some("VALIDATION_ERROR")
            ]
        );
        assert_eq!(
            ranked[0].symptoms[0].subject.as_deref(),
            Some("AI_SERVICE_ERROR")
        );
    }

    #[test]
    fn symptoms_go_under_the_root_that_explains_them() {
        let lookup = Finding::new("proxy-upstream-lookup-failed").subject("web");
        let unknown = Finding::new("upstream-unknown-host").subject("web");
        let other = Finding::new("proxy-upstream-lookup-failed").subject("api");
        let ranked = rank_and_group(vec![lookup, unknown, other]);
        assert_eq!(ranked.len(), 2);
        assert_eq!(ranked[0].cause, "upstream-unknown-host");
        assert_eq!(ranked[0].symptoms.len(), 1);
        assert_eq!(ranked[0].symptoms[0].subject.as_deref(), Some("web"));
        assert_eq!(ranked[1].subject.as_deref(), Some("api"));
    }

    #[test]
    fn errors_rank_before_warnings_and_root_causes_before_symptoms() {
        let warning = Finding::new("upstream-wrong-port").severity(Severity::Warning);
        let config = Finding::new("proxy-config-invalid");
        let refused = Finding::new("proxy-upstream-refused").subject("10.0.0.9");
        let ranked = rank_and_group(vec![warning, refused, config]);
        assert_eq!(ranked[0].cause, "proxy-config-invalid");
        assert_eq!(
            ranked.last().map(|f| f.cause.as_str()),
            Some("upstream-wrong-port")
        );
        // The refused connection by IP is explained by the wrong port.
        assert_eq!(ranked.last().unwrap().symptoms.len(), 1);
    }

    #[test]
    fn a_setting_and_a_failure_seen_do_not_group() {
        let risk = Finding::new("ecs-network-config")
            .severity(Severity::Warning)
            .subject("api")
            .about_setting();
        let pull = Finding::new("ecs-image-pull-failed").subject("api");
        let anonymous = Finding::new("ecs-image-pull-failed");
        let ranked = rank_and_group(vec![risk, pull, anonymous]);
        assert_eq!(ranked.len(), 3, "{ranked:?}");
        assert!(ranked.iter().all(|f| f.symptoms.is_empty()));
        // The same cause seen in the output does take the pull failure.
        let seen = Finding::new("ecs-network-config").subject("api");
        let pull = Finding::new("ecs-image-pull-failed").subject("api");
        let ranked = rank_and_group(vec![seen, pull]);
        assert_eq!(ranked.len(), 1);
        assert_eq!(ranked[0].symptoms[0].cause, "ecs-image-pull-failed");
    }
}
