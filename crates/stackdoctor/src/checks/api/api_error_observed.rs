//! # api-error-observed
//!
//! **What it detects:** log lines (an app's log, a proxy's access log, saved
//! `curl` output) that carry one of the project's documented error codes as
//! a JSON value: `{"success":false,"error":{"code":"AI_SERVICE_ERROR",…}}`.
//! Each code seen gets one finding with the lines and the contract's own
//! entry for it (HTTP status, retryable flag, causes, fixes).
//!
//! **Why it breaks requests:** the API is answering with that error; the
//! contract says what it means and whether clients may retry, so the fix is
//! the one the team wrote down. A line that is not recognised otherwise would
//! be dropped; as a documented code it is evidence.
//!
//! **Example:** `{"level":"error","msg":"generate failed","response":{"success":false,"error":{"code":"AI_SERVICE_ERROR","retryable":true}}}`
//! in `backend.log`, with `docs/api/error-codes.md` documenting
//! `AI_SERVICE_ERROR` as 503, retryable.
//!
//! When the contract's words for the code say what it depends on (Bedrock, a
//! model, AI; a database), the finding goes under a Bedrock or database
//! cause stackdoctor finds, as its symptom.
//!
//! **Fix:** follow the contract's fixes for the code (`stackdoctor explain
//! AI_SERVICE_ERROR` prints its whole entry); when stackdoctor finds the
//! deeper cause (a Bedrock throttling or access error, a database that is
//! down), fix that first.

use super::support::yes_no;
use crate::checks::support::group_by;
use crate::finding::{Finding, FixStep, Message};
use crate::model::StackModel;

cause!("api-error-observed");

/// Lines shown per code.
const LINES_SHOWN: usize = 3;

/// Words of a code's name, description or causes that say what it depends
/// on, lower-cased: its kind, matched by the causes' `explains_api`.
const DOMAIN_WORDS: &[(&str, &[&str])] = &[
    (
        "ai",
        &[
            "bedrock",
            "ai_",
            "ai ",
            "ai生成",
            "llm",
            "model",
            "モデル",
            "生成ai",
        ],
    ),
    (
        "database",
        &[
            "database",
            "db_",
            "データベース",
            "postgres",
            "mysql",
            "sql",
        ],
    ),
];

/// The kind of a documented code, from its own words.
fn domain_of(entry: &contract::ErrorCode) -> Option<&'static str> {
    let mut words = format!("{} ", entry.code);
    for text in entry.description.iter().chain(&entry.causes) {
        words.push_str(&text.text);
        words.push(' ');
    }
    let words = words.to_lowercase();
    DOMAIN_WORDS
        .iter()
        .find(|(_, keys)| keys.iter().any(|k| words.contains(k)))
        .map(|(domain, _)| *domain)
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (code, seen) in group_by(model.api.observed.iter(), |o| o.code.clone()) {
        let Some((doc, entry)) = model.api.code(&code) else {
            continue;
        };
        let meaning = entry
            .description
            .as_ref()
            .map_or_else(|| code.clone(), |d| d.text.clone());
        let status = entry
            .status
            .as_ref()
            .map_or_else(|| "?".to_string(), |s| s.text.clone());
        let retryable = match entry
            .retryable
            .as_ref()
            .map(|f| (f.value.as_bool(), &f.text))
        {
            Some((Some(value), _)) => yes_no(doc, value).to_string(),
            Some((None, written)) => written.clone(),
            None => "?".to_string(),
        };
        let mut finding = Finding::new(CAUSE)
            .subject(&code)
            .param("code", &code)
            .param("count", seen.len().to_string())
            .param("meaning", &meaning);
        if let Some(domain) = domain_of(entry) {
            finding = finding.param(super::API_CODE_DOMAIN, domain);
        }
        for line in seen.iter().take(LINES_SHOWN) {
            let label = Message::new("common.log-line").with("line", &line.text);
            finding = finding.evidence(line.origin.clone(), label);
        }
        let documented = msg("documented")
            .with("status", status)
            .with("retryable", retryable);
        finding = finding.evidence(doc.origin(entry.at, code.chars().count()), documented);
        for fix in &entry.fixes {
            finding = finding.fix(FixStep::say(msg("contract-fix").with("fix", &fix.text)));
        }
        findings.push(finding.fix(FixStep::run(
            msg("explain"),
            format!("stackdoctor explain {code}"),
        )));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{test_tree_with, the_finding};

    const CONTRACT: &str = "# Errors\n\n### AI_SERVICE_ERROR\n\n**Description**: AI service unavailable\n\n- **HTTP status**: 503 Service Unavailable\n- **Retryable**: Yes\n\n**Fix**:\n1. Retry with backoff\n\n### VALIDATION_ERROR\n\nBad input\n\n- **HTTP status**: 400 Bad Request\n- **Retryable**: No\n";

    #[test]
    fn a_documented_code_in_a_log_is_reported_with_the_contracts_entry() {
        let log = "{\"level\":\"info\",\"msg\":\"ok\"}\n{\"level\":\"error\",\"msg\":\"generate failed\",\"body\":{\"success\":false,\"error\":{\"code\":\"AI_SERVICE_ERROR\",\"retryable\":true}}}\n";
        let (dir, model) = test_tree_with(
            &[("docs/errors.md", CONTRACT), ("logs/backend.log", log)],
            &["--logs", "logs/backend.log"],
        );
        let findings = super::run(&model);
        let (at, fix) = the_finding(dir.path(), &findings, super::CAUSE);
        assert_eq!(at, "logs/backend.log:2");
        assert!(
            fix.contains("stackdoctor explain AI_SERVICE_ERROR"),
            "{fix}"
        );
        let finding = &findings[0];
        assert_eq!(finding.params["meaning"], "AI service unavailable");
        let seen = finding.evidence[0].origin.position().unwrap();
        let column = log
            .lines()
            .nth(1)
            .unwrap()
            .find("AI_SERVICE_ERROR")
            .unwrap()
            + 1;
        assert_eq!(seen.column as usize, column);
        let contract = finding.evidence[1].origin.position().unwrap();
        assert!(
            contract.file.ends_with("docs/errors.md") && contract.line == 3,
            "{contract:?}"
        );
        assert_eq!(
            finding.evidence[1].label.params["status"],
            "503 Service Unavailable"
        );
    }

    #[test]
    fn a_codes_kind_comes_from_its_own_words() {
        let at = contract::Position { line: 1, column: 1 };
        let mut entry = contract::ErrorCode::new("AI_SERVICE_ERROR", at);
        assert_eq!(super::domain_of(&entry), Some("ai"));
        entry = contract::ErrorCode::new("UPSTREAM_ERROR", at);
        entry.causes.push(contract::Text {
            text: "データベース接続エラー".into(),
            at,
        });
        assert_eq!(super::domain_of(&entry), Some("database"));
        assert_eq!(
            super::domain_of(&contract::ErrorCode::new("VALIDATION_ERROR", at)),
            None
        );
    }

    #[test]
    fn a_code_as_another_value_or_an_undocumented_code_is_quiet() {
        let log = "{\"msg\":\"AI_SERVICE_ERROR\"}\n{\"error\":{\"code\":\"RATE_LIMITED\"}}\n";
        let (_dir, model) = test_tree_with(
            &[("docs/errors.md", CONTRACT), ("logs/backend.log", log)],
            &["--logs", "logs/backend.log"],
        );
        assert!(super::run(&model).is_empty());
    }
}
