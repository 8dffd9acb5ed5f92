//! # api-client-retry-not-from-contract
//!
//! **What it detects:** a retry (a retry button, `showRetryDialog`, a
//! `continue` in a retry loop) offered for a hard-coded list of error codes or
//! statuses (`code === 'A' || code === 'B'`, `['A', 'B'].includes(code)`, a
//! run of `case 'A': case 'B':`; in Python `if code in ("A", "B"):
//! continue`) that disagrees with the contract: a code the
//! contract marks retryable is missing, or a code it marks not retryable is
//! in. Without a contract, HTTP's own semantics are the contract: 408, 425,
//! 429, 502, 503 and 504 are retryable, other 4xx are not.
//!
//! **Why it breaks requests:** the list is a copy of the contract that does
//! not follow it: users get no retry for an error that a second attempt
//! would fix, or a retry button for one that can never succeed. The body
//! already says it: `error.retryable`.
//!
//! **Example:** the seed's component offers its retry button for
//! `QUALITY_ERROR`, `DATABASE_ERROR` and `AI_SERVICE_ERROR`, while the
//! catalogue documents `INTERNAL_ERROR` as retryable too.
//!
//! **Fix:** decide from the flag the server sends (`error.retryable`), or
//! derive the list from the contract in one place.

use super::support::http_retryable;
use crate::finding::{Finding, FixStep};
use crate::model::api::CodeList;
use crate::model::StackModel;

cause!("api-client-retry-not-from-contract");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in &model.api.clients {
        for list in &file.code_lists {
            if let Some(f) = by_codes(model, list).or_else(|| by_statuses(list)) {
                findings.push(f);
            }
        }
    }
    findings
}

fn listed(list: &CodeList) -> String {
    list.codes
        .iter()
        .map(|c| c.value.clone())
        .chain(list.statuses.iter().map(|s| s.value.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A finding about `list`, with the list and the retry it decides as evidence.
fn list_finding(list: &CodeList) -> Finding {
    Finding::new(CAUSE)
        .subject(&list.subject)
        .param("subject", &list.subject)
        .param("listed", listed(list))
        .about_setting()
        .evidence(
            list.origin.clone(),
            msg("list").with("listed", listed(list)),
        )
        .evidence(list.retry.clone(), msg("offers-retry"))
}

fn by_codes(model: &StackModel, list: &CodeList) -> Option<Finding> {
    // The contract that documents these codes.
    let doc = model.api.contracts.iter().find(|d| {
        list.codes
            .iter()
            .any(|c| d.contract.code(&c.value).is_some())
    })?;
    let retryable: Vec<&contract::ErrorCode> = doc
        .contract
        .codes
        .iter()
        .filter(|c| {
            matches!(
                c.retryable.as_ref().map(|f| &f.value),
                Some(
                    contract::Retryable::Yes
                        | contract::Retryable::Conditional {
                            usually: Some(true)
                        }
                )
            )
        })
        .collect();
    let missing: Vec<&contract::ErrorCode> = retryable
        .iter()
        .copied()
        .filter(|c| !list.codes.iter().any(|l| l.value == c.code))
        .collect();
    let not_retryable: Vec<_> = list
        .codes
        .iter()
        .filter(|l| {
            doc.contract
                .code(&l.value)
                .and_then(|c| c.retryable.as_ref())
                .is_some_and(|f| f.value == contract::Retryable::No)
        })
        .collect();
    if missing.is_empty() && not_retryable.is_empty() {
        return None;
    }
    let mut finding = list_finding(list);
    for code in &missing {
        finding = finding.evidence(
            doc.origin(code.retryable.as_ref().map_or(code.at, |f| f.at), 0),
            msg("missing").with("code", &code.code),
        );
    }
    for code in &not_retryable {
        finding = finding.evidence(
            code.origin.clone(),
            msg("not-retryable").with("code", &code.value),
        );
    }
    let retry_path = doc
        .contract
        .retryable_path()
        .unwrap_or_else(|| "error.retryable".to_string());
    let all: Vec<String> = retryable.iter().map(|c| format!("'{}'", c.code)).collect();
    let derived = if list.python {
        format!("RETRYABLE = {{{}}}", all.join(", "))
    } else {
        format!("const RETRYABLE = new Set([{}]);", all.join(", "))
    };
    Some(
        finding
            .fix(FixStep::say(msg("use-flag").with("path", &retry_path)))
            .fix(FixStep::say(msg("or-list").with("list", derived))),
    )
}

fn by_statuses(list: &CodeList) -> Option<Finding> {
    if list.statuses.len() < 2 {
        return None;
    }
    let wrong: Vec<_> = list
        .statuses
        .iter()
        .filter(|s| http_retryable(s.value) == Some(false))
        .collect();
    let missing: Vec<u16> = [502, 503, 504]
        .into_iter()
        .filter(|s| !list.statuses.iter().any(|l| l.value == *s))
        .collect();
    // A list of 5xx that leaves out 502–504 is a gateway's error unretried.
    if wrong.is_empty() && (missing.is_empty() || !list.statuses.iter().any(|s| s.value >= 500)) {
        return None;
    }
    let mut finding = list_finding(list);
    for status in wrong {
        finding = finding.evidence(
            status.origin.clone(),
            msg("status-not-retryable").with("status", status.value.to_string()),
        );
    }
    for status in &missing {
        finding = finding.evidence(
            list.origin.clone(),
            msg("status-missing").with("status", status.to_string()),
        );
    }
    Some(finding.fix(FixStep::say(msg("http-semantics"))))
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const CATALOGUE: &str = "## Q_ERROR\n\n**HTTP status**: 422\n\n**Retryable**: Yes\n\n## I_ERROR\n\n**HTTP status**: 500\n\n**Retryable**: Yes\n\n## V_ERROR\n\n**HTTP status**: 400\n\n**Retryable**: No\n";

    #[test]
    fn a_retry_button_list_missing_a_retryable_code_and_holding_a_permanent_one() {
        let view = "export const Retry = ({ code, retry }) => (\n  <div>{code === 'Q_ERROR' || code === 'V_ERROR' ? <button onClick={retry}>retry</button> : null}</div>\n);\n";
        let (_dir, model) = test_tree(&[("docs/errors.md", CATALOGUE), ("src/Retry.tsx", view)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let labels: Vec<String> = findings[0]
            .evidence
            .iter()
            .map(|e| e.label.key.clone())
            .collect();
        assert_eq!(
            labels,
            [
                "api-client-retry-not-from-contract.list",
                "api-client-retry-not-from-contract.offers-retry",
                "api-client-retry-not-from-contract.missing",
                "api-client-retry-not-from-contract.not-retryable",
            ]
        );
        assert_eq!(findings[0].evidence[2].label.params["code"], "I_ERROR");
        assert_eq!(findings[0].evidence[3].label.params["code"], "V_ERROR");
        let fix = &findings[0].fix[1].message.params["list"];
        assert_eq!(fix, "const RETRYABLE = new Set(['Q_ERROR', 'I_ERROR']);");
    }

    #[test]
    fn statuses_against_http_semantics_without_a_contract() {
        let code = "async function f(res, retry) {\n  if ([400, 500, 503].includes(res.status)) { await retry(); }\n}\n";
        let (_dir, model) = test_tree(&[("src/f.ts", code)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        let keys: Vec<&str> = findings[0]
            .evidence
            .iter()
            .map(|e| e.label.key.as_str())
            .collect();
        assert!(keys.contains(&"api-client-retry-not-from-contract.status-not-retryable"));
        assert!(keys.contains(&"api-client-retry-not-from-contract.status-missing"));
        let ok = "async function f(res, retry) {\n  if ([429, 502, 503, 504].includes(res.status)) { await retry(); }\n}\n";
        let (_dir, model) = test_tree(&[("src/f.ts", ok)]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn python_lists_that_decide_a_retry() {
        let client = "import time\nimport requests\n\ndef call(url):\n    for attempt in range(3):\n        response = requests.get(url)\n        if response.ok:\n            return response.json()\n        code = response.json()['error']['code']\n        if code in ('Q_ERROR', 'V_ERROR'):\n            time.sleep(1)\n            continue\n        if response.status_code == 400 or response.status_code == 500:\n            continue\n        raise RuntimeError(code)\n";
        let (_dir, model) = test_tree(&[("docs/errors.md", CATALOGUE), ("app/call.py", client)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let lines: Vec<u32> = findings
            .iter()
            .map(|f| f.evidence[0].origin.position().unwrap().line)
            .collect();
        assert_eq!(lines, [10, 13]);
        assert_eq!(
            findings[0].fix[1].message.params["list"],
            "RETRYABLE = {'Q_ERROR', 'I_ERROR'}"
        );
    }
}
