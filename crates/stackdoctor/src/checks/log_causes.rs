//! # Causes seen in logs
//!
//! **What it detects:** every recognised log line (or probe answer) gives a
//! finding for the cause it supports most, whether or not a file of the
//! project shows that cause too. A line's other causes give a finding when
//! their weights add up to a strong signal for one service.
//!
//! **Why it breaks requests:** each such cause is documented in the cause
//! catalogue (`stackdoctor explain <cause>`); here the logs are the evidence.
//! When a check knows the configuration behind the same cause, the diagnosis
//! merges the two: one finding with the file evidence, the exact fix and
//! the log lines.
//!
//! **Example:** `botocore.exceptions.NoCredentialsError: Unable to locate
//! credentials` logged by `backend` raises `aws-no-credentials` for `backend`,
//! even when no compose file or code of `backend` is in the folder.
//!
//! **Fix:** the cause's own fix (`stackdoctor explain <cause>`); the finding
//! names the lines and the service.

use crate::finding::{Finding, FixStep, Message};
use crate::knowledge::Lang;
use crate::model::{LogEvent, StackModel};

/// Total weight of lines that makes a finding of a cause that is not any
/// line's strongest.
const THRESHOLD: u32 = 60;

/// Weight below which a line's strongest cause is only a hint: it counts
/// towards [`THRESHOLD`] but gives no finding of its own.
const HINT: u8 = 30;

/// The cause a line supports most (the first listed among equals), over
/// every signature that matched the same line.
fn strongest<'a>(lines: &[&'a LogEvent]) -> Option<(&'a str, u8)> {
    let mut best: Option<(&str, u8)> = None;
    for (cause, weight) in lines.iter().flat_map(|e| &e.causes) {
        if best.is_none_or(|(_, w)| *weight > w) {
            best = Some((cause.as_str(), *weight));
        }
    }
    best
}

/// For each line (by its origin), the cause it supports most, when strong enough.
fn line_causes(model: &StackModel) -> Vec<(&crate::model::Origin, &str)> {
    super::support::group_by(model.log_events.iter(), |e| &e.origin)
        .into_iter()
        .filter_map(|(origin, events)| match strongest(&events) {
            Some((cause, weight)) if weight >= HINT => Some((origin, cause)),
            _ => None,
        })
        .collect()
}

/// The `**Fix:**` paragraph of a cause's documentation (its `details`, or
/// its check's doc comment), in both languages where the catalogue has them.
fn documented_fix(cause: &str) -> Option<FixStep> {
    let entry = crate::knowledge::catalogue().cause(cause)?;
    let (en, ja) = match (&entry.details, super::find(cause)) {
        (Some(details), _) => (
            paragraph(details.get(Lang::En), "**Fix:**")?,
            paragraph(details.get(Lang::Ja), "**対処:**"),
        ),
        (None, Some(check)) => (
            paragraph(&check.documentation(), "**Fix:**")?,
            paragraph(&check.documentation_in(Lang::Ja), "**対処:**"),
        ),
        (None, None) => return None,
    };
    let ja = ja.unwrap_or_else(|| en.clone());
    Some(FixStep::say(
        Message::new("common.documented-fix")
            .with("en", en)
            .with("ja", ja),
    ))
}

/// The paragraph that starts with `label`, on one line, without the label.
fn paragraph(text: &str, label: &str) -> Option<String> {
    let start = text.find(label)? + label.len();
    let body = text[start..].split("\n\n").next().unwrap_or_default();
    let words: Vec<&str> = body.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let strongest_of_line = line_causes(model);
    let strong = |event: &LogEvent| {
        strongest_of_line
            .iter()
            .find(|(origin, _)| **origin == event.origin)
            .map(|(_, cause)| *cause)
    };
    // A line with a strong cause speaks for that cause only (its weaker ones
    // are alternatives the stronger one rules out); a line of hints counts
    // towards each of its causes. (cause, service) → events, in first-seen order.
    let pairs = model.log_events.iter().flat_map(|event| {
        let causes: Vec<String> = match strong(event) {
            Some(cause) => event
                .causes
                .iter()
                .filter(|(c, _)| c == cause)
                .map(|(c, _)| c.clone())
                .collect(),
            None => event.causes.iter().map(|(c, _)| c.clone()).collect(),
        };
        causes.into_iter().map(move |cause| (cause, event))
    });
    let groups = super::support::group_by(pairs, |(cause, event)| {
        (cause.clone(), event.service.clone())
    });
    groups
        .into_iter()
        .filter_map(|((cause, service), pairs)| {
            let events: Vec<&LogEvent> = pairs.into_iter().map(|(_, event)| event).collect();
            let weight: u32 = events
                .iter()
                .flat_map(|e| &e.causes)
                .filter(|(c, _)| *c == cause)
                .map(|(_, w)| u32::from(*w))
                .sum();
            let strongest_for_some = events.iter().any(|e| strong(e) == Some(cause.as_str()));
            if !strongest_for_some && weight < THRESHOLD {
                return None;
            }
            let mut finding = Finding::new(&cause)
                .param("count", events.len().to_string())
                .seen_in_logs();
            // Without a service, titles that name one fall back to the summary.
            if let Some(service) = &service {
                finding = finding.subject(service).param("service", service);
            }
            // Parameters some titles name: the address the lines mention.
            if let Some(host) = events.iter().find_map(|e| e.host.as_deref()) {
                let address = match events.iter().find_map(|e| e.port) {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                };
                finding = finding.param("host", host).param("address", address);
            }
            finding = finding.log_lines(events.iter().copied().take(3));
            if let Some(step) = documented_fix(&cause) {
                finding = finding.fix(step);
            }
            Some(finding.fix(FixStep::run(
                Message::new("common.see-explain"),
                format!("stackdoctor explain {cause}"),
            )))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{FilePosition, Origin};

    /// A recognised line `line` of `app.log`, for tests.
    pub(crate) fn event(line: u32, service: Option<&str>, causes: &[(&str, u8)]) -> LogEvent {
        LogEvent {
            origin: Origin::Log(FilePosition {
                file: "app.log".into(),
                line,
                column: 1,
                length: 0,
            }),
            signature: "test".into(),
            causes: causes.iter().map(|(c, w)| (c.to_string(), *w)).collect(),
            service: service.map(str::to_string),
            host: None,
            port: None,
            host_service: None,
            text: format!("line {line}"),
            message: format!("line {line}"),
            timestamp: None,
        }
    }

    fn model(events: Vec<LogEvent>) -> StackModel {
        StackModel {
            log_events: events,
            ..StackModel::default()
        }
    }

    #[test]
    fn one_line_gives_a_finding_for_its_strongest_cause_even_when_a_check_exists() {
        // aws-no-credentials has its own check; the line alone must still count.
        let found = run(&model(vec![event(
            3,
            Some("backend"),
            &[("aws-no-credentials", 80), ("aws-imds-hop-limit", 15)],
        )]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].cause, "aws-no-credentials");
        assert_eq!(found[0].subject.as_deref(), Some("backend"));
        assert!(found[0].seen_in_logs);
        assert_eq!(found[0].evidence.len(), 1);
    }

    #[test]
    fn weaker_causes_need_the_threshold() {
        // A strong cause speaks for its line: the weaker alternative is not raised.
        let lines: Vec<LogEvent> = (1..=3)
            .map(|n| {
                event(
                    n,
                    None,
                    &[("upstream-not-running", 80), ("upstream-crash-loop", 30)],
                )
            })
            .collect();
        let causes: Vec<String> = run(&model(lines)).into_iter().map(|f| f.cause).collect();
        assert_eq!(causes, ["upstream-not-running"]);
        // Hints add up: 3 × 20 = 60 reaches the threshold, 2 × 20 does not.
        let hints = |n: u32| -> Vec<LogEvent> {
            (1..=n)
                .map(|line| event(line, None, &[("ecs-invalid-cpu-memory", 20)]))
                .collect()
        };
        let causes: Vec<String> = run(&model(hints(3))).into_iter().map(|f| f.cause).collect();
        assert_eq!(causes, ["ecs-invalid-cpu-memory"]);
        assert!(run(&model(hints(2))).is_empty());
    }

    #[test]
    fn the_fix_comes_from_the_cause_documentation_in_both_languages() {
        // A cause seen only in logs: its catalogue `details`.
        let step = documented_fix("app-database-auth-failed").unwrap();
        let en = &step.message.params["en"];
        let ja = &step.message.params["ja"];
        assert!(
            en.contains("POSTGRES_PASSWORD") && !en.contains("**"),
            "{en}"
        );
        assert!(ja.contains("POSTGRES_PASSWORD") && ja != en, "{ja}");
        // A cause a check reports: the check's doc comment.
        let step = documented_fix("upstream-scheme-mismatch").unwrap();
        assert!(!step.message.params["en"].is_empty());
        assert_eq!(
            paragraph("a\n\n**Fix:** do\nthis.\n\nmore", "**Fix:**").as_deref(),
            Some("do this.")
        );
        assert_eq!(paragraph("no fix here", "**Fix:**"), None);
    }

    #[test]
    fn equal_weights_pick_the_first_listed_cause() {
        let e = event(
            1,
            None,
            &[("aws-imds-hop-limit", 40), ("aws-no-credentials", 40)],
        );
        assert_eq!(strongest(&[&e]), Some(("aws-imds-hop-limit", 40)));
        assert_eq!(strongest(&[&event(1, None, &[])]), None);
    }

    #[test]
    fn a_weak_guess_gives_way_to_a_stronger_signature_on_the_same_line() {
        // Two signatures matched line 7: a generic one (a weak guess) and a precise one.
        let generic = event(7, None, &[("ecs-invalid-cpu-memory", 20)]);
        let precise = event(7, None, &[("ecs-fargate-invalid-parameter", 90)]);
        let causes: Vec<String> = run(&model(vec![generic.clone(), precise]))
            .into_iter()
            .map(|f| f.cause)
            .collect();
        assert_eq!(causes, ["ecs-fargate-invalid-parameter"]);
        // Alone, a weak guess is only a hint.
        assert!(run(&model(vec![generic])).is_empty());
    }
}
