//! # api-contract-inconsistent
//!
//! **What it detects:** an API error contract (a markdown catalogue, an
//! OpenAPI file, a JSON/TOML catalogue) that contradicts itself: a retryable
//! flag that is not yes or no (`はい（一部の場合はいいえ）`, `Yes, except …`),
//! an example whose code, status or `retryable` disagrees with the section it
//! illustrates, a code documented twice, a code without an HTTP status, an
//! example body that breaks the documented envelope (a missing `error.code`,
//! `"retryable": "false"` as a string, a field the envelope does not have), or
//! an example that is not JSON.
//!
//! **Why it breaks requests:** clients and servers are written from the
//! contract. A flag that is "yes, sometimes no" cannot be put in the body's
//! boolean `retryable`, so the server and each client decide on their own and
//! drift apart: one client retries a request that can never succeed, another
//! gives up on one that would have. An example copied into code or tests
//! carries its contradiction with it.
//!
//! **Example:** the seed's catalogue documents `AI_SERVICE_ERROR` as
//! `**リトライ可能**: はい（一部の場合はいいえ）`, while its envelope says
//! `error.retryable` is `true` or `false`.
//!
//! **Fix:** make every flag a plain yes or no and move the exception into
//! its own code (`AI_QUOTA_EXCEEDED`, not retryable) or into the causes; make
//! each example carry its section's code, status and flag; give every code a
//! status; keep examples inside the envelope.

use super::support::{json_text, yes_no};
use crate::checks::support::{replace_on_line, shown};
use crate::finding::{Finding, FixStep, Message};
use crate::model::api::ContractDoc;
use crate::model::{Origin, StackModel};
use contract::envelope::{values_at, Breach};
use contract::{DocumentKind, Example, Retryable};

cause!("api-contract-inconsistent");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings: Vec<Finding> = model
        .api
        .contracts
        .iter()
        .filter_map(|doc| check(model, doc))
        .collect();
    // A contract document that could not be read at all is said, never skipped.
    for input in model.invalid_inputs.iter().filter(|i| i.kind == "contract") {
        let file = input
            .origin
            .position()
            .map(|p| shown(model, &p.file))
            .unwrap_or_default();
        findings.push(
            Finding::new(CAUSE)
                .subject(&file)
                .param("file", &file)
                .param("count", "1")
                .about_setting()
                .evidence(
                    input.origin.clone(),
                    msg("unreadable").with("note", &input.message),
                )
                .fix(FixStep::say(msg("fix-unreadable"))),
        );
    }
    findings
}

/// One problem: where, what, and the step that fixes it.
struct Problem {
    origin: Origin,
    label: Message,
    fix: FixStep,
}

fn check(model: &StackModel, doc: &ContractDoc) -> Option<Finding> {
    let contract = &doc.contract;
    let mut problems: Vec<Problem> = Vec::new();
    let code_path = contract.code_path();
    let flag_path = contract.retryable_path();
    // Sections written by hand repeat codes by mistake; OpenAPI repeats them per operation.
    let by_hand = contract.kind != DocumentKind::OpenApi;
    for (index, code) in contract.codes.iter().enumerate() {
        let name = &code.code;
        if let Some(flag) = &code.retryable {
            if flag.value.as_bool().is_none() {
                let origin = doc.origin(flag.at, flag.text.chars().count());
                let usually = match flag.value {
                    Retryable::Conditional { usually } => usually,
                    _ => None,
                };
                let fix = match usually.map(|u| yes_no(doc, u)) {
                    Some(answer) => {
                        let step = msg("fix-flag").with("code", name).with("answer", answer);
                        match replace_on_line(model, &origin, &flag.text, answer) {
                            Some(edit) => FixStep::edit(step, edit),
                            None => FixStep::say(step),
                        }
                    }
                    None => FixStep::say(msg("fix-flag-unknown").with("code", name)),
                };
                problems.push(Problem {
                    origin,
                    label: msg("flag-not-boolean")
                        .with("code", name)
                        .with("text", &flag.text),
                    fix,
                });
            }
        }
        if by_hand {
            if let Some(first) = contract.codes[..index].iter().find(|c| c.code == *name) {
                problems.push(Problem {
                    origin: doc.origin(code.at, name.chars().count()),
                    label: msg("duplicate")
                        .with("code", name)
                        .with("line", first.at.line.to_string()),
                    fix: FixStep::say(msg("fix-duplicate").with("code", name)),
                });
            }
        }
        if code.status.is_none() {
            problems.push(Problem {
                origin: doc.origin(code.at, name.chars().count()),
                label: msg("no-status").with("code", name),
                fix: FixStep::say(msg("fix-no-status").with("code", name)),
            });
        }
        for example in &code.examples {
            example_problems(
                model,
                doc,
                code,
                example,
                &code_path,
                flag_path.as_deref(),
                by_hand,
                &mut problems,
            );
        }
    }
    for example in &contract.loose_examples {
        envelope_problems(doc, example, &mut problems);
    }
    for note in &contract.notes {
        problems.push(Problem {
            origin: doc.origin(note.at, 0),
            label: msg("unreadable").with("note", &note.text),
            fix: FixStep::say(msg("fix-unreadable")),
        });
    }
    if problems.is_empty() {
        return None;
    }
    problems.sort_by_key(|p| p.origin.position().map(|p| (p.line, p.column)));
    let file = shown(model, &doc.file);
    let mut finding = Finding::new(CAUSE)
        .subject(&file)
        .param("file", &file)
        .param("count", problems.len().to_string())
        .about_setting();
    for problem in problems {
        finding = finding
            .evidence(problem.origin, problem.label)
            .fix(problem.fix);
    }
    Some(finding)
}

#[allow(clippy::too_many_arguments)]
fn example_problems(
    model: &StackModel,
    doc: &ContractDoc,
    code: &contract::ErrorCode,
    example: &Example,
    code_path: &str,
    flag_path: Option<&str>,
    by_hand: bool,
    problems: &mut Vec<Problem>,
) {
    let name = &code.code;
    if by_hand {
        if let Some(written) = values_at(&example.body, code_path)
            .first()
            .and_then(|v| v.as_str())
        {
            if written != name {
                let origin =
                    doc.origin(example.position_of(code_path), written.chars().count() + 2);
                let step = msg("fix-example-code").with("code", name);
                problems.push(Problem {
                    label: msg("example-code")
                        .with("code", name)
                        .with("written", written),
                    fix: match replace_on_line(model, &origin, written, name) {
                        Some(edit) => FixStep::edit(step, edit),
                        None => FixStep::say(step),
                    },
                    origin,
                });
            }
        }
    }
    if let (Some(path), Some(flag)) = (flag_path, &code.retryable) {
        let at = example.position_of(path);
        if let (Some(documented), Some(written)) = (
            flag.value.as_bool(),
            values_at(&example.body, path)
                .first()
                .and_then(|v| v.as_bool()),
        ) {
            // An OpenAPI code's flag may come from this very example.
            if written != documented && at != flag.at {
                let origin = doc.origin(at, json_text(&serde_json::Value::Bool(written)).len());
                let step = msg("fix-example-flag")
                    .with("code", name)
                    .with("value", documented.to_string());
                problems.push(Problem {
                    label: msg("example-flag")
                        .with("code", name)
                        .with("written", written.to_string())
                        .with("documented", yes_no(doc, documented)),
                    fix: match replace_on_line(
                        model,
                        &origin,
                        &written.to_string(),
                        &documented.to_string(),
                    ) {
                        Some(edit) => FixStep::edit(step, edit),
                        None => FixStep::say(step),
                    },
                    origin,
                });
            }
        }
    }
    if let (Some(shown_status), Some(status)) = (example.status, &code.status) {
        if shown_status != status.code {
            problems.push(Problem {
                origin: doc.origin(example.at, 0),
                label: msg("example-status")
                    .with("code", name)
                    .with("written", shown_status.to_string())
                    .with("documented", status.code.to_string()),
                fix: FixStep::say(
                    msg("fix-example-status")
                        .with("code", name)
                        .with("documented", status.code.to_string()),
                ),
            });
        }
    }
    envelope_problems(doc, example, problems);
}

fn envelope_problems(doc: &ContractDoc, example: &Example, problems: &mut Vec<Problem>) {
    let Some(envelope) = &doc.contract.envelope else {
        return;
    };
    for breach in envelope.breaches(&example.body) {
        let at = match &breach {
            Breach::Missing { .. } => example.at,
            other => example.position_of(other.path()),
        };
        let label = match &breach {
            Breach::Missing { path } => msg("envelope-missing").with("path", path),
            Breach::WrongType {
                path,
                expected,
                found,
            } => msg("envelope-type")
                .with("path", path)
                .with("expected", expected.as_str())
                .with("found", found.as_str()),
            Breach::Unknown { path } => msg("envelope-unknown").with("path", path),
        };
        problems.push(Problem {
            origin: doc.origin(at, 0),
            label,
            fix: FixStep::say(
                msg("fix-envelope")
                    .with("path", breach.path())
                    .with("line", envelope.at.line.to_string()),
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const SEED: &str = include_str!(
        "../../../../../examples/api-retry-unreachable/docs/api/action-generation-error-codes.md"
    );

    #[test]
    fn the_seed_catalogue_has_one_flag_that_is_not_boolean() {
        let (_dir, model) = test_tree(&[("docs/errors.md", SEED)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.evidence.len(), 1, "{:#?}", f.evidence);
        let at = f.evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column, at.length), (265, 13, 13));
        assert_eq!(f.evidence[0].label.params["code"], "AI_SERVICE_ERROR");
        let edit = f.fix[0].edit.as_ref().unwrap();
        assert_eq!(edit.before, "**リトライ可能**: はい（一部の場合はいいえ）");
        assert_eq!(edit.after, "**リトライ可能**: はい");
    }

    #[test]
    fn examples_duplicates_statuses_and_envelope() {
        let doc = "# Errors\n\n```json\n{\"error\": {\"code\": \"E\", \"message\": \"m\", \"retryable\": false}}\n```\n\n## RATE_LIMITED\n\n**HTTP status**: 429\n\n**Retryable**: Yes\n\n```json\n{\"error\": {\"code\": \"RATE_LIMIT\", \"message\": \"m\", \"retryable\": false}}\n```\n\n## GONE\n\n**Retryable**: No\n\n```json\n{\"error\": {\"code\": \"GONE\", \"message\": \"m\", \"retryable\": \"false\"}, \"detail\": 1}\n```\n\n## RATE_LIMITED\n\n**HTTP status**: 429\n\n**Retryable**: Yes\n";
        let (_dir, model) = test_tree(&[("errors.md", doc)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        let labels: Vec<(String, u32)> = findings[0]
            .evidence
            .iter()
            .map(|e| (e.label.key.clone(), e.origin.position().unwrap().line))
            .collect();
        assert_eq!(
            labels,
            [
                ("api-contract-inconsistent.example-code".to_string(), 14),
                ("api-contract-inconsistent.example-flag".to_string(), 14),
                ("api-contract-inconsistent.no-status".to_string(), 17),
                ("api-contract-inconsistent.envelope-type".to_string(), 22),
                ("api-contract-inconsistent.envelope-unknown".to_string(), 22),
                ("api-contract-inconsistent.duplicate".to_string(), 25),
            ]
        );
        let code_fix = findings[0]
            .fix
            .iter()
            .find_map(|f| f.edit.as_ref())
            .unwrap();
        assert!(
            code_fix.after.contains("\"code\": \"RATE_LIMITED\""),
            "{code_fix:?}"
        );
    }

    #[test]
    fn a_consistent_openapi_file_is_no_finding() {
        let yaml = "openapi: 3.0.3\npaths:\n  /x:\n    get:\n      responses:\n        '429':\n          description: slow down\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  code: {type: string}\n                  retryable: {type: boolean}\n              example: {code: RATE_LIMITED, retryable: true}\n";
        let (_dir, model) = test_tree(&[("openapi.yaml", yaml)]);
        assert_eq!(model.api.contracts.len(), 1);
        assert!(super::run(&model).is_empty());
    }
}
